//! The messenger channels' plumbing on SQLite: guarded writes of the outbox, inbound receipts
//! and reply addresses, and their reads. Due rows come from `outbox_due`.

use rusqlite::{params, OptionalExtension, Row, Transaction};
use safepassage_domain::ConversationId;
use uuid::Uuid;

use super::SqliteBackend;
use crate::error::StoreError;
use crate::ops::expect_one;
use crate::outbox_ops::{OutboxOp, RawFailure, RawOutbound, RawReplyTo};

const OUTBOUND_SELECT: &str = "SELECT o.id, o.conversation_id, o.message_id, o.channel, o.due_ms, o.attempts, \
     o.body_ct, v.key_id, k.wrapped IS NOT NULL \
     FROM outbox o JOIN conversations v ON v.id = o.conversation_id JOIN data_keys k ON k.id = v.key_id";

fn uuid_at(r: &Row<'_>, i: usize) -> rusqlite::Result<Uuid> {
    let bytes: Vec<u8> = r.get(i)?;
    Uuid::from_slice(&bytes)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Blob, Box::new(e)))
}

fn opt_uuid_at(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<Uuid>> {
    let bytes: Option<Vec<u8>> = r.get(i)?;
    bytes
        .map(|b| Uuid::from_slice(&b))
        .transpose()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Blob, Box::new(e)))
}

fn outbound_row(r: &Row<'_>) -> rusqlite::Result<RawOutbound> {
    Ok(RawOutbound {
        id: uuid_at(r, 0)?,
        conversation: uuid_at(r, 1)?,
        message: opt_uuid_at(r, 2)?,
        channel: r.get(3)?,
        due_ms: r.get(4)?,
        attempts: r.get(5)?,
        body_ct: r.get(6)?,
        key_id: uuid_at(r, 7)?,
        key_alive: r.get(8)?,
    })
}

pub(super) fn apply_outbox(tx: &Transaction<'_>, op: &OutboxOp, at: i64) -> Result<(), StoreError> {
    match op {
        OutboxOp::Insert { id, conversation, message, channel, due_ms, body_ct } => {
            tx.prepare_cached(
                "INSERT INTO outbox (id, conversation_id, message_id, channel, due_ms, attempts, state, body_ct, \
                 created_ms) VALUES (?1, ?2, ?3, ?4, ?5, 0, 'pending', ?6, ?7)",
            )?
            .execute(params![
                id.as_bytes(),
                conversation.as_bytes(),
                message.map(|m| m.as_bytes().to_vec()),
                channel.as_str(),
                due_ms,
                body_ct,
                at
            ])?;
        }
        OutboxOp::Lease { id, expected_due_ms, until_ms } => {
            let changed = tx
                .prepare_cached("UPDATE outbox SET due_ms = ?3 WHERE id = ?1 AND state = 'pending' AND due_ms = ?2")?
                .execute(params![id.as_bytes(), expected_due_ms, until_ms])?;
            expect_one(changed, "the outbound row was claimed by someone else")?;
        }
        OutboxOp::Delete { id, guarded } => {
            let changed = tx
                .prepare_cached("DELETE FROM outbox WHERE id = ?1 AND state = 'pending'")?
                .execute(params![id.as_bytes()])?;
            if *guarded {
                expect_one(changed, "the outbound row is gone")?;
            }
        }
        OutboxOp::Retry { id, due_ms } => {
            let changed = tx
                .prepare_cached(
                    "UPDATE outbox SET attempts = attempts + 1, due_ms = ?2 WHERE id = ?1 AND state = 'pending'",
                )?
                .execute(params![id.as_bytes(), due_ms])?;
            expect_one(changed, "the outbound row is gone")?;
        }
        OutboxOp::Fail { id, failure } => {
            let changed = tx
                .prepare_cached(
                    "UPDATE outbox SET state = 'failed', failure = ?2, failed_ms = ?3 \
                     WHERE id = ?1 AND state = 'pending'",
                )?
                .execute(params![id.as_bytes(), failure, at])?;
            expect_one(changed, "the outbound row is gone")?;
        }
        OutboxOp::InsertReceipt { source, receipt } => {
            let changed = tx
                .prepare_cached(
                    "INSERT INTO inbound_receipts (source, receipt, received_ms) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (source, receipt) DO NOTHING",
                )?
                .execute(params![source, receipt, at])?;
            if changed != 1 {
                return Err(StoreError::Duplicate);
            }
        }
        OutboxOp::SetReplyTo { conversation, reply_to_ct } => {
            let changed = tx
                .prepare_cached("UPDATE conversations SET reply_to_ct = ?2 WHERE id = ?1")?
                .execute(params![conversation.as_bytes(), reply_to_ct])?;
            expect_one(changed, "no such conversation")?;
        }
    }
    Ok(())
}

impl SqliteBackend {
    pub(crate) async fn read_due_outbound(&self, now_ms: i64, limit: i64) -> Result<Vec<RawOutbound>, StoreError> {
        self.read(move |c| {
            let sql = format!(
                "{OUTBOUND_SELECT} WHERE o.state = 'pending' AND o.due_ms <= ?1 ORDER BY o.due_ms, o.id LIMIT ?2"
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![now_ms, limit], outbound_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    pub(crate) async fn read_outbound(&self, id: Uuid) -> Result<Option<RawOutbound>, StoreError> {
        self.read(move |c| {
            let sql = format!("{OUTBOUND_SELECT} WHERE o.id = ?1");
            Ok(c.prepare_cached(&sql)?.query_row(params![id.as_bytes()], outbound_row).optional()?)
        })
        .await
    }

    pub(crate) async fn read_outbound_failures(
        &self,
        conversation: ConversationId,
    ) -> Result<Vec<RawFailure>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT message_id, COALESCE(failure, ''), COALESCE(failed_ms, created_ms) FROM outbox \
                 WHERE conversation_id = ?1 AND state = 'failed' ORDER BY failed_ms, id",
            )?;
            let rows = stmt.query_map(params![conversation.as_bytes()], |r| {
                Ok(RawFailure { message: opt_uuid_at(r, 0)?, failure: r.get(1)?, at_ms: r.get(2)? })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    pub(crate) async fn read_has_receipt(&self, source: &str, receipt: i64) -> Result<bool, StoreError> {
        let source = source.to_owned();
        self.read(move |c| {
            Ok(c.prepare_cached("SELECT EXISTS (SELECT 1 FROM inbound_receipts WHERE source = ?1 AND receipt = ?2)")?
                .query_row(params![source, receipt], |r| r.get(0))?)
        })
        .await
    }

    pub(crate) async fn delete_receipts_before(&self, before_ms: i64) -> Result<u64, StoreError> {
        let writer = self.writer.clone();
        tokio::task::spawn_blocking(move || {
            let conn = writer.lock().unwrap_or_else(|p| p.into_inner());
            let deleted = conn
                .prepare_cached("DELETE FROM inbound_receipts WHERE received_ms < ?1")?
                .execute(params![before_ms])?;
            Ok(deleted as u64)
        })
        .await?
    }

    pub(crate) async fn read_reply_to(&self, conversation: ConversationId) -> Result<Option<RawReplyTo>, StoreError> {
        self.read(move |c| {
            Ok(c.prepare_cached(
                "SELECT v.reply_to_ct, v.key_id, k.wrapped IS NOT NULL FROM conversations v \
                 JOIN data_keys k ON k.id = v.key_id WHERE v.id = ?1",
            )?
            .query_row(params![conversation.as_bytes()], |r| {
                Ok(RawReplyTo { reply_to_ct: r.get(0)?, key_id: uuid_at(r, 1)?, key_alive: r.get(2)? })
            })
            .optional()?)
        })
        .await
    }
}
