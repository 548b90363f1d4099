//! The messenger channels' plumbing on PostgreSQL: guarded writes of the outbox, inbound
//! receipts and reply addresses, and their reads. Same SQL as SQLite's where it can be.
//! Of two nodes leasing one row, the second waits for the first's row lock and then finds
//! `due_ms` changed, so its guarded update changes nothing and its job conflicts.

use safepassage_domain::ConversationId;
use sqlx::postgres::PgRow;
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use super::{limit, PgBackend};
use crate::error::StoreError;
use crate::ops::expect_one;
use crate::outbox_ops::{OutboxOp, RawFailure, RawOutbound, RawReplyTo};

const OUTBOUND_SELECT: &str = "SELECT o.id, o.conversation_id, o.message_id, o.channel, o.due_ms, o.attempts, \
     o.body_ct, v.key_id, k.wrapped IS NOT NULL \
     FROM outbox o JOIN conversations v ON v.id = o.conversation_id JOIN data_keys k ON k.id = v.key_id";

fn outbound_row(r: &PgRow) -> Result<RawOutbound, StoreError> {
    Ok(RawOutbound {
        id: r.try_get(0)?,
        conversation: r.try_get(1)?,
        message: r.try_get(2)?,
        channel: r.try_get(3)?,
        due_ms: r.try_get(4)?,
        attempts: r.try_get(5)?,
        body_ct: r.try_get(6)?,
        key_id: r.try_get(7)?,
        key_alive: r.try_get(8)?,
    })
}

pub(super) async fn apply_outbox(conn: &mut PgConnection, op: &OutboxOp, at: i64) -> Result<(), StoreError> {
    match op {
        OutboxOp::Insert { id, conversation, message, channel, due_ms, body_ct } => {
            sqlx::query(
                "INSERT INTO outbox (id, conversation_id, message_id, channel, due_ms, attempts, state, body_ct, \
                 created_ms) VALUES ($1, $2, $3, $4, $5, 0, 'pending', $6, $7)",
            )
            .bind(*id)
            .bind(conversation.0)
            .bind(message.map(|m| m.0))
            .bind(channel.as_str())
            .bind(*due_ms)
            .bind(body_ct.as_slice())
            .bind(at)
            .execute(&mut *conn)
            .await?;
        }
        OutboxOp::Lease { id, expected_due_ms, until_ms } => {
            let changed =
                sqlx::query("UPDATE outbox SET due_ms = $3 WHERE id = $1 AND state = 'pending' AND due_ms = $2")
                    .bind(*id)
                    .bind(*expected_due_ms)
                    .bind(*until_ms)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
            expect_one(changed, "the outbound row was claimed by someone else")?;
        }
        OutboxOp::Delete { id, guarded } => {
            let changed = sqlx::query("DELETE FROM outbox WHERE id = $1 AND state = 'pending'")
                .bind(*id)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if *guarded {
                expect_one(changed, "the outbound row is gone")?;
            }
        }
        OutboxOp::Retry { id, due_ms } => {
            let changed = sqlx::query(
                "UPDATE outbox SET attempts = attempts + 1, due_ms = $2 WHERE id = $1 AND state = 'pending'",
            )
            .bind(*id)
            .bind(*due_ms)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            expect_one(changed, "the outbound row is gone")?;
        }
        OutboxOp::Fail { id, failure } => {
            let changed = sqlx::query(
                "UPDATE outbox SET state = 'failed', failure = $2, failed_ms = $3 WHERE id = $1 AND state = 'pending'",
            )
            .bind(*id)
            .bind(*failure)
            .bind(at)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            expect_one(changed, "the outbound row is gone")?;
        }
        OutboxOp::InsertReceipt { source, receipt } => {
            // A concurrent insert of the same receipt waits for the other transaction, then
            // does nothing: never a unique violation, always `Duplicate`.
            let changed = sqlx::query(
                "INSERT INTO inbound_receipts (source, receipt, received_ms) VALUES ($1, $2, $3) \
                 ON CONFLICT (source, receipt) DO NOTHING",
            )
            .bind(source.as_str())
            .bind(*receipt)
            .bind(at)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            if changed != 1 {
                return Err(StoreError::Duplicate);
            }
        }
        OutboxOp::SetReplyTo { conversation, reply_to_ct } => {
            let changed = sqlx::query("UPDATE conversations SET reply_to_ct = $2 WHERE id = $1")
                .bind(conversation.0)
                .bind(reply_to_ct.as_slice())
                .execute(&mut *conn)
                .await?
                .rows_affected();
            expect_one(changed, "no such conversation")?;
        }
    }
    Ok(())
}

impl PgBackend {
    pub(crate) async fn read_due_outbound(&self, now_ms: i64, limit_n: i64) -> Result<Vec<RawOutbound>, StoreError> {
        let sql =
            format!("{OUTBOUND_SELECT} WHERE o.state = 'pending' AND o.due_ms <= $1 ORDER BY o.due_ms, o.id LIMIT $2");
        let rows = sqlx::query(&sql).bind(now_ms).bind(limit(limit_n)).fetch_all(&self.pool).await?;
        rows.iter().map(outbound_row).collect()
    }

    pub(crate) async fn read_outbound(&self, id: Uuid) -> Result<Option<RawOutbound>, StoreError> {
        let sql = format!("{OUTBOUND_SELECT} WHERE o.id = $1");
        sqlx::query(&sql).bind(id).fetch_optional(&self.pool).await?.map(|r| outbound_row(&r)).transpose()
    }

    pub(crate) async fn read_outbound_failures(
        &self,
        conversation: ConversationId,
    ) -> Result<Vec<RawFailure>, StoreError> {
        let rows = sqlx::query(
            "SELECT message_id, COALESCE(failure, ''), COALESCE(failed_ms, created_ms) FROM outbox \
             WHERE conversation_id = $1 AND state = 'failed' ORDER BY failed_ms, id",
        )
        .bind(conversation.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok(RawFailure { message: r.try_get(0)?, failure: r.try_get(1)?, at_ms: r.try_get(2)? }))
            .collect()
    }

    pub(crate) async fn read_has_receipt(&self, source: &str, receipt: i64) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT EXISTS (SELECT 1 FROM inbound_receipts WHERE source = $1 AND receipt = $2)")
            .bind(source)
            .bind(receipt)
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }

    pub(crate) async fn delete_receipts_before(&self, before_ms: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM inbound_receipts WHERE received_ms < $1")
            .bind(before_ms)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    pub(crate) async fn read_reply_to(&self, conversation: ConversationId) -> Result<Option<RawReplyTo>, StoreError> {
        sqlx::query(
            "SELECT v.reply_to_ct, v.key_id, k.wrapped IS NOT NULL FROM conversations v \
             JOIN data_keys k ON k.id = v.key_id WHERE v.id = $1",
        )
        .bind(conversation.0)
        .fetch_optional(&self.pool)
        .await?
        .map(|r| Ok(RawReplyTo { reply_to_ct: r.try_get(0)?, key_id: r.try_get(1)?, key_alive: r.try_get(2)? }))
        .transpose()
    }
}
