//! The backend contract on PostgreSQL: reads straight on the pool, commits in `apply`. The SQL
//! mirrors the SQLite backend's: same columns, same order, same liveness joins.

use std::sync::Arc;

use async_trait::async_trait;
use safepassage_domain::{
    CaseId, CaseKind, CaseState, CloseReason, ContactId, ConversationId, GroupComposition, UserId,
};
use sqlx::postgres::PgRow;
use sqlx::Row;
use uuid::Uuid;

use super::{limit, PgBackend};
use crate::backend::{
    AuditState, Backend, BatchSeqs, MasterKeyRow, NewAuditKey, RawEvent, RawFlowSession, RawMessage, RawNote, RawUser,
    WrappedKey,
};
use crate::chain::{Linker, SwitchOver};
use crate::error::StoreError;
use crate::model::{
    CaseFilter, CaseView, ConversationStatus, ConversationView, FlowImport, IntakeFlow, NoteKind, SeqRange,
    StaffSession,
};
use crate::ops::Job;

/// Columns of a conversation; the last message time is derived from the messages index rather
/// than kept in a column, so the hot path appends a message without touching its conversation.
const CONVERSATION_SELECT: &str = "SELECT id, contact_id, channel, language, case_id, status, assigned_to, \
     created_ms, COALESCE((SELECT m.at_ms FROM messages m WHERE m.conversation_id = conversations.id \
     ORDER BY m.seq DESC LIMIT 1), created_ms), key_id, queued_ms, priority, returned FROM conversations";
pub(super) const CASE_SELECT: &str = "SELECT c.id, c.kind, c.state, c.group_size, c.group_officers, c.close_reason, \
     c.codename_hash IS NOT NULL, k.wrapped IS NULL, c.created_ms, c.updated_ms, c.key_id, c.assigned_to, \
     c.duress_mac, c.duress_words, c.duress_flagged_ms FROM cases c JOIN data_keys k ON k.id = c.key_id";
const USER_SELECT: &str = "SELECT id, name, role, password_hash, totp_ct, failed_logins, locked_until_ms, status, \
     password_expires_ms, totp_pending_ct FROM users";
const USER_BY_NAME: &str = "SELECT id, name, role, password_hash, totp_ct, failed_logins, locked_until_ms, status, \
     password_expires_ms, totp_pending_ct FROM users WHERE name = $1";
const USER_BY_ID: &str = "SELECT id, name, role, password_hash, totp_ct, failed_logins, locked_until_ms, status, \
     password_expires_ms, totp_pending_ct FROM users WHERE id = $1";

fn bad(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Database(format!("unreadable {what} in the database: {e}"))
}

/// A vocabulary column, parsed into its domain type.
fn parsed<T: std::str::FromStr>(r: &PgRow, i: usize, what: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    let s: String = r.try_get(i)?;
    s.parse().map_err(|e| bad(what, e))
}

fn group_number(n: Option<i64>) -> Result<Option<u32>, StoreError> {
    n.map(|n| u32::try_from(n).map_err(|e| bad("group composition", e))).transpose()
}

fn conversation_row(r: &PgRow) -> Result<ConversationView, StoreError> {
    let status: String = r.try_get(5)?;
    Ok(ConversationView {
        id: ConversationId(r.try_get(0)?),
        contact: ContactId(r.try_get(1)?),
        channel: parsed(r, 2, "channel")?,
        language: parsed(r, 3, "language")?,
        case: r.try_get::<Option<Uuid>, _>(4)?.map(CaseId),
        status: ConversationStatus::parse(&status).ok_or_else(|| bad("conversation status", status))?,
        assigned_to: r.try_get::<Option<Uuid>, _>(6)?.map(UserId),
        created_ms: r.try_get(7)?,
        last_message_ms: r.try_get(8)?,
        key_id: r.try_get(9)?,
        queued_ms: r.try_get(10)?,
        priority: r.try_get(11)?,
        returned: r.try_get(12)?,
    })
}

fn user_row(r: &PgRow) -> Result<RawUser, StoreError> {
    Ok(RawUser {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        role: r.try_get(2)?,
        password_hash: r.try_get(3)?,
        totp_ct: r.try_get(4)?,
        failed_logins: r.try_get(5)?,
        locked_until_ms: r.try_get(6)?,
        status: r.try_get(7)?,
        password_expires_ms: r.try_get(8)?,
        totp_pending_ct: r.try_get(9)?,
    })
}

use crate::model::duress_of;

pub(super) fn case_row(r: &PgRow) -> Result<CaseView, StoreError> {
    let kind: String = r.try_get(1)?;
    let size = group_number(r.try_get(3)?)?;
    let officers = group_number(r.try_get(4)?)?;
    let close_reason: Option<String> = r.try_get(5)?;
    Ok(CaseView {
        id: CaseId(r.try_get(0)?),
        kind: if kind == "group" { CaseKind::Group } else { CaseKind::Individual },
        state: parsed(r, 2, "case state")?,
        composition: size.zip(officers).map(|(size, officers)| GroupComposition { size, officers }),
        close_reason: close_reason.map(|c| c.parse::<CloseReason>().map_err(|e| bad("close reason", e))).transpose()?,
        has_codename: r.try_get(6)?,
        shredded: r.try_get(7)?,
        created_ms: r.try_get(8)?,
        updated_ms: r.try_get(9)?,
        key_id: r.try_get(10)?,
        assigned_to: r.try_get::<Option<Uuid>, _>(11)?.map(UserId),
        duress: duress_of(r.try_get(12)?, r.try_get::<Option<i32>, _>(13)?.map(i64::from)),
        under_duress_since_ms: r.try_get(14)?,
    })
}

fn message_row(r: &PgRow) -> Result<RawMessage, StoreError> {
    Ok(RawMessage {
        id: r.try_get(0)?,
        conversation: r.try_get(1)?,
        seq: r.try_get(2)?,
        sender: r.try_get(3)?,
        body_ct: r.try_get(4)?,
        at_ms: r.try_get(5)?,
        key_id: r.try_get(6)?,
        key_alive: r.try_get(7)?,
    })
}

fn note_row(r: &PgRow) -> Result<RawNote, StoreError> {
    let kind: String = r.try_get(1)?;
    Ok(RawNote {
        id: r.try_get(0)?,
        kind: if kind == "location" { NoteKind::Location } else { NoteKind::Note },
        author: r.try_get(2)?,
        body_ct: r.try_get(3)?,
        at_ms: r.try_get(4)?,
        key_id: r.try_get(5)?,
        key_alive: r.try_get(6)?,
    })
}

fn event_row(r: &PgRow) -> Result<RawEvent, StoreError> {
    Ok(RawEvent {
        seq: r.try_get(0)?,
        at_ms: r.try_get(1)?,
        kind: r.try_get(2)?,
        payload: r.try_get(3)?,
        prev_hash: r.try_get(4)?,
        hash: r.try_get(5)?,
    })
}

fn wrapped_key(r: &PgRow, first: usize) -> Result<WrappedKey, StoreError> {
    Ok(WrappedKey { master_key_id: r.try_get(first)?, wrapped: r.try_get(first + 1)? })
}

#[async_trait]
impl Backend for PgBackend {
    async fn commit(&self, jobs: Arc<Vec<Job>>, linker: Arc<Linker>) -> Result<BatchSeqs, StoreError> {
        self.commit_batch(jobs, linker).await
    }

    fn remote_commits(&self) -> Option<tokio::sync::broadcast::Receiver<SeqRange>> {
        Some(self.commits.remote.subscribe())
    }

    fn committed_here(&self, seq: i64) -> bool {
        self.commits.committed_here(seq)
    }

    fn forget_commits_before(&self, seq: i64) {
        self.commits.forget_before(seq)
    }

    fn live_nodes(&self) -> usize {
        self.commits.live_nodes()
    }

    async fn pace(&self, name: &str, every_ms: i64, burst: i64) -> Result<i64, StoreError> {
        self.take_turn(name, every_ms, burst).await
    }

    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn has_data(&self) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT EXISTS (SELECT 1 FROM master_keys) OR EXISTS (SELECT 1 FROM events)")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get(0)?)
    }

    async fn master_keys(&self) -> Result<Vec<MasterKeyRow>, StoreError> {
        let rows = sqlx::query("SELECT id, kcv, retired_ms IS NOT NULL FROM master_keys").fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| Ok(MasterKeyRow { id: r.try_get(0)?, kcv: r.try_get(1)?, retired: r.try_get(2)? }))
            .collect()
    }

    async fn data_key(&self, id: Uuid) -> Result<Option<WrappedKey>, StoreError> {
        sqlx::query("SELECT master_key_id, wrapped FROM data_keys WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| wrapped_key(&r, 0))
            .transpose()
    }

    async fn system_key(&self, purpose: &str) -> Result<Option<(Uuid, WrappedKey)>, StoreError> {
        sqlx::query("SELECT id, master_key_id, wrapped FROM data_keys WHERE purpose = $1")
            .bind(purpose)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| Ok((r.try_get(0)?, wrapped_key(&r, 1)?)))
            .transpose()
    }

    async fn contact_by_identity(&self, hash: [u8; 32]) -> Result<Option<Uuid>, StoreError> {
        sqlx::query("SELECT contact_id FROM channel_identities WHERE identity_hash = $1")
            .bind(hash.as_slice())
            .fetch_optional(&self.pool)
            .await?
            .map(|r| Ok(r.try_get(0)?))
            .transpose()
    }

    async fn conversation(&self, id: ConversationId) -> Result<Option<ConversationView>, StoreError> {
        sqlx::query(&format!("{CONVERSATION_SELECT} WHERE id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| conversation_row(&r))
            .transpose()
    }

    async fn conversation_by_token(&self, hash: [u8; 32]) -> Result<Option<ConversationView>, StoreError> {
        sqlx::query(&format!("{CONVERSATION_SELECT} WHERE token_hash = $1"))
            .bind(hash.as_slice())
            .fetch_optional(&self.pool)
            .await?
            .map(|r| conversation_row(&r))
            .transpose()
    }

    async fn messages(
        &self,
        conversation: ConversationId,
        after_seq: i64,
        limit_n: i64,
    ) -> Result<Vec<RawMessage>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.id, m.conversation_id, m.seq, m.sender, m.body_ct, m.at_ms, v.key_id, k.wrapped IS NOT NULL \
             FROM messages m JOIN conversations v ON v.id = m.conversation_id JOIN data_keys k ON k.id = v.key_id \
             WHERE m.conversation_id = $1 AND m.seq > $2 ORDER BY m.seq LIMIT $3",
        )
        .bind(conversation.0)
        .bind(after_seq)
        .bind(limit(limit_n))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(message_row).collect()
    }

    async fn case(&self, id: CaseId) -> Result<Option<CaseView>, StoreError> {
        sqlx::query(&format!("{CASE_SELECT} WHERE c.id = $1"))
            .bind(id.0)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| case_row(&r))
            .transpose()
    }

    async fn queue(&self, limit_n: i64) -> Result<Vec<ConversationView>, StoreError> {
        let sql = format!("{CONVERSATION_SELECT} WHERE status = 'queued' ORDER BY priority DESC, queued_ms LIMIT $1");
        let rows = sqlx::query(&sql).bind(limit(limit_n)).fetch_all(&self.pool).await?;
        rows.iter().map(conversation_row).collect()
    }

    async fn calls_with_the_bot(&self, since_ms: i64, limit_n: i64) -> Result<Vec<ConversationView>, StoreError> {
        let sql = format!(
            "{CONVERSATION_SELECT} WHERE channel = 'voice' AND status = 'bot' AND created_ms >= $1 \
             ORDER BY created_ms LIMIT $2"
        );
        let rows = sqlx::query(&sql).bind(since_ms).bind(limit(limit_n)).fetch_all(&self.pool).await?;
        rows.iter().map(conversation_row).collect()
    }

    async fn conversations_assigned_to(&self, user: UserId) -> Result<Vec<ConversationView>, StoreError> {
        let sql = format!("{CONVERSATION_SELECT} WHERE assigned_to = $1 AND status = 'assigned' ORDER BY queued_ms");
        let rows = sqlx::query(&sql).bind(user.0).fetch_all(&self.pool).await?;
        rows.iter().map(conversation_row).collect()
    }

    async fn conversations_of_case(&self, case: CaseId) -> Result<Vec<ConversationView>, StoreError> {
        let sql = format!("{CONVERSATION_SELECT} WHERE case_id = $1 ORDER BY created_ms");
        let rows = sqlx::query(&sql).bind(case.0).fetch_all(&self.pool).await?;
        rows.iter().map(conversation_row).collect()
    }

    async fn cases(&self, filter: CaseFilter, limit_n: i64) -> Result<Vec<CaseView>, StoreError> {
        self.read_cases(filter, limit_n).await
    }

    async fn unassigned_cases(&self, limit_n: i64) -> Result<Vec<CaseView>, StoreError> {
        self.read_unassigned_cases(limit_n).await
    }

    async fn timeline(&self, subject: Uuid, limit_n: i64) -> Result<Vec<RawEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at_ms, kind, payload, prev_hash, hash FROM events WHERE subject = $1 ORDER BY seq LIMIT $2",
        )
        .bind(subject)
        .bind(limit(limit_n))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_row).collect()
    }

    async fn session(&self, token_hash: [u8; 32]) -> Result<Option<StaffSession>, StoreError> {
        sqlx::query("SELECT user_id, created_ms, last_seen_ms FROM staff_sessions WHERE token_hash = $1")
            .bind(token_hash.as_slice())
            .fetch_optional(&self.pool)
            .await?
            .map(|r| {
                Ok(StaffSession { user: UserId(r.try_get(0)?), created_ms: r.try_get(1)?, last_seen_ms: r.try_get(2)? })
            })
            .transpose()
    }

    async fn users(&self) -> Result<Vec<RawUser>, StoreError> {
        let rows = sqlx::query(&format!("{USER_SELECT} ORDER BY name")).fetch_all(&self.pool).await?;
        rows.iter().map(user_row).collect()
    }

    async fn case_by_codename(&self, hash: [u8; 32]) -> Result<Option<CaseId>, StoreError> {
        sqlx::query("SELECT id FROM cases WHERE codename_hash = $1")
            .bind(hash.as_slice())
            .fetch_optional(&self.pool)
            .await?
            .map(|r| Ok(CaseId(r.try_get(0)?)))
            .transpose()
    }

    async fn notes(&self, case: CaseId) -> Result<Vec<RawNote>, StoreError> {
        let rows = sqlx::query(
            "SELECT n.id, n.kind, n.author, n.body_ct, n.at_ms, c.key_id, k.wrapped IS NOT NULL \
             FROM case_notes n JOIN cases c ON c.id = n.case_id JOIN data_keys k ON k.id = c.key_id \
             WHERE n.case_id = $1 ORDER BY n.at_ms, n.id",
        )
        .bind(case.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(note_row).collect()
    }

    async fn events(&self, after_seq: i64, limit_n: i64) -> Result<Vec<RawEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at_ms, kind, payload, prev_hash, hash FROM events WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after_seq)
        .bind(limit(limit_n))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_row).collect()
    }

    async fn user_by_name(&self, name: &str) -> Result<Option<RawUser>, StoreError> {
        sqlx::query(USER_BY_NAME).bind(name).fetch_optional(&self.pool).await?.map(|r| user_row(&r)).transpose()
    }

    async fn user(&self, id: UserId) -> Result<Option<RawUser>, StoreError> {
        sqlx::query(USER_BY_ID).bind(id.0).fetch_optional(&self.pool).await?.map(|r| user_row(&r)).transpose()
    }

    async fn keys_wrapped_under(&self, master_key_id: &str, limit_n: i64) -> Result<Vec<(Uuid, Vec<u8>)>, StoreError> {
        let rows =
            sqlx::query("SELECT id, wrapped FROM data_keys WHERE master_key_id = $1 AND wrapped IS NOT NULL LIMIT $2")
                .bind(master_key_id)
                .bind(limit(limit_n))
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).collect()
    }

    async fn rewrap(&self, from_master: &str, to_master: &str, keys: Vec<(Uuid, Vec<u8>)>) -> Result<(), StoreError> {
        if keys.is_empty() {
            return Ok(());
        }
        let (ids, wrapped): (Vec<Uuid>, Vec<Vec<u8>>) = keys.into_iter().unzip();
        // One statement is one transaction; each key only changes while still under `from_master`
        // and not shredded, so a concurrent shred wins.
        sqlx::query(
            "UPDATE data_keys d SET master_key_id = $2, wrapped = t.wrapped \
             FROM UNNEST($3::uuid[], $4::bytea[]) AS t (id, wrapped) \
             WHERE d.id = t.id AND d.master_key_id = $1 AND d.wrapped IS NOT NULL",
        )
        .bind(from_master)
        .bind(to_master)
        .bind(ids)
        .bind(wrapped)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn flow_session(&self, conversation: ConversationId) -> Result<Option<RawFlowSession>, StoreError> {
        let row = sqlx::query(
            "SELECT f.conversation_id, f.state_ct, f.summary_ct, f.wait_timeout_ms, f.expires_ms, f.updated_ms, \
             v.key_id, k.wrapped IS NOT NULL, f.version \
             FROM flow_sessions f JOIN conversations v ON v.id = f.conversation_id \
             JOIN data_keys k ON k.id = v.key_id WHERE f.conversation_id = $1",
        )
        .bind(conversation.0)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(RawFlowSession {
                conversation: r.try_get(0)?,
                state_ct: r.try_get(1)?,
                summary_ct: r.try_get(2)?,
                wait_timeout_ms: r.try_get(3)?,
                expires_ms: r.try_get(4)?,
                updated_ms: r.try_get(5)?,
                key_id: r.try_get(6)?,
                key_alive: r.try_get(7)?,
                version: r.try_get(8)?,
            })
        })
        .transpose()
    }

    async fn due_flow_sessions(&self, now_ms: i64, limit_n: i64) -> Result<Vec<ConversationId>, StoreError> {
        let rows = sqlx::query(
            "SELECT conversation_id FROM ( \
               SELECT conversation_id, wait_timeout_ms AS due FROM flow_sessions WHERE wait_timeout_ms <= $1 \
               UNION ALL \
               SELECT conversation_id, expires_ms AS due FROM flow_sessions WHERE expires_ms <= $1) AS d \
             GROUP BY conversation_id ORDER BY min(due) LIMIT $2",
        )
        .bind(now_ms)
        .bind(limit(limit_n))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(ConversationId(r.try_get(0)?))).collect()
    }

    async fn counts(&self) -> Result<Vec<(&'static str, i64)>, StoreError> {
        const TABLES: [&str; 6] = ["contacts", "conversations", "messages", "cases", "users", "events"];
        let row = sqlx::query(
            "SELECT (SELECT count(*) FROM contacts), (SELECT count(*) FROM conversations), \
                    (SELECT count(*) FROM messages), (SELECT count(*) FROM cases), \
                    (SELECT count(*) FROM users), (SELECT count(*) FROM events)",
        )
        .fetch_one(&self.pool)
        .await?;
        TABLES.iter().enumerate().map(|(i, table)| Ok((*table, row.try_get(i)?))).collect()
    }

    async fn flow_imports(&self) -> Result<Vec<FlowImport>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, seq, export, digest, imported_by, imported_ms, allowed_outside FROM flow_imports ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let digest: Vec<u8> = r.try_get(3)?;
                Ok(FlowImport {
                    id: r.try_get(0)?,
                    seq: r.try_get(1)?,
                    export: r.try_get(2)?,
                    digest: digest.as_slice().try_into().map_err(|e| bad("flow file digest", e))?,
                    by: UserId(r.try_get(4)?),
                    at_ms: r.try_get(5)?,
                    allowed_outside: crate::model::split_allowed(r.try_get(6)?),
                })
            })
            .collect()
    }

    async fn intake_flows(&self) -> Result<Vec<IntakeFlow>, StoreError> {
        let rows = sqlx::query("SELECT channel, flow_uuid, seq, set_by, set_ms FROM intake_flows ORDER BY channel")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(IntakeFlow {
                    channel: parsed(r, 0, "channel")?,
                    flow: r.try_get(1)?,
                    seq: r.try_get(2)?,
                    by: UserId(r.try_get(3)?),
                    at_ms: r.try_get(4)?,
                })
            })
            .collect()
    }

    async fn flow_library_version(&self) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT greatest(coalesce((SELECT max(seq) FROM flow_imports), 0), \
             coalesce((SELECT max(seq) FROM intake_flows), 0))",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get(0)?)
    }

    async fn last_messages(&self, conversation: ConversationId, limit_n: i64) -> Result<Vec<RawMessage>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.id, m.conversation_id, m.seq, m.sender, m.body_ct, m.at_ms, v.key_id, k.wrapped IS NOT NULL \
             FROM messages m JOIN conversations v ON v.id = m.conversation_id JOIN data_keys k ON k.id = v.key_id \
             WHERE m.conversation_id = $1 ORDER BY m.seq DESC LIMIT $2",
        )
        .bind(conversation.0)
        .bind(limit(limit_n))
        .fetch_all(&self.pool)
        .await?;
        let mut messages = rows.iter().map(message_row).collect::<Result<Vec<_>, _>>()?;
        messages.reverse();
        Ok(messages)
    }

    async fn audit_state(&self) -> Result<AuditState, StoreError> {
        self.read_audit_state().await
    }

    async fn case_waits(&self, holder: Option<UserId>, limit: i64) -> Result<Vec<crate::store::CaseWait>, StoreError> {
        self.read_case_waits(holder, limit).await
    }

    async fn case_wait(&self, id: CaseId) -> Result<Option<crate::store::CaseWait>, StoreError> {
        self.read_case_wait(id).await
    }

    async fn relative_of(&self, conversation: ConversationId) -> Result<Option<CaseId>, StoreError> {
        self.read_relative_of(conversation).await
    }

    async fn relatives(&self, case: CaseId) -> Result<Vec<ConversationId>, StoreError> {
        self.read_relatives(case).await
    }

    async fn archived_cases(
        &self,
        states: &'static [safepassage_domain::CaseState],
        range: (i64, i64),
        page: (i64, i64),
    ) -> Result<Vec<CaseId>, StoreError> {
        self.read_archived_cases(states, range, page).await
    }

    async fn init_audit(&self, new: NewAuditKey) -> Result<(Uuid, WrappedKey, Option<SwitchOver>), StoreError> {
        self.init_audit_key(new).await
    }

    async fn shreds_after(&self, after_seq: i64) -> Result<Vec<(i64, CaseId)>, StoreError> {
        self.read_shreds_after(after_seq).await
    }

    fn shred_notices(&self) -> Option<tokio::sync::broadcast::Receiver<()>> {
        Some(self.commits.shreds.subscribe())
    }

    async fn case_flags(&self, case: CaseId) -> Result<Vec<crate::backend::RawCaseFlag>, StoreError> {
        let rows = sqlx::query(
            "SELECT f.id, f.by_user, f.reason_ct, f.at_ms, c.key_id, k.wrapped IS NOT NULL \
             FROM case_flags f JOIN cases c ON c.id = f.case_id JOIN data_keys k ON k.id = c.key_id \
             WHERE f.case_id = $1 ORDER BY f.at_ms, f.id",
        )
        .bind(case.0)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(crate::backend::RawCaseFlag {
                    id: r.try_get(0)?,
                    by: r.try_get(1)?,
                    reason_ct: r.try_get(2)?,
                    at_ms: r.try_get(3)?,
                    key_id: r.try_get(4)?,
                    key_alive: r.try_get(5)?,
                })
            })
            .collect()
    }

    async fn intake_macs_since(&self, since_ms: i64, limit_n: i64) -> Result<Vec<(CaseId, [u8; 32], i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, intake_mac, created_ms FROM cases WHERE intake_mac IS NOT NULL AND created_ms >= $1 \
             ORDER BY created_ms DESC LIMIT $2",
        )
        .bind(since_ms)
        .bind(limit(limit_n))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let mac: Vec<u8> = r.try_get(1)?;
                let mac: [u8; 32] = mac.try_into().map_err(|_| bad("intake mac", "not 32 bytes"))?;
                Ok((CaseId(r.try_get(0)?), mac, r.try_get(2)?))
            })
            .collect()
    }

    async fn case_join_events_since(&self, since_ms: i64, limit_n: i64) -> Result<Vec<RawEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, at_ms, kind, payload, prev_hash, hash FROM events \
             WHERE kind IN ('case_opened', 'conversation_joined_case') AND at_ms >= $1 ORDER BY at_ms LIMIT $2",
        )
        .bind(since_ms)
        .bind(limit(limit_n))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(event_row).collect()
    }

    async fn cases_idle_in(&self, state: CaseState, before_ms: i64, limit_n: i64) -> Result<Vec<CaseId>, StoreError> {
        let rows = sqlx::query(
            "SELECT id FROM cases WHERE state = $1 AND updated_ms < $2 AND shredded_seq IS NULL \
             ORDER BY updated_ms LIMIT $3",
        )
        .bind(state.as_str())
        .bind(before_ms)
        .bind(limit(limit_n))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(CaseId(r.try_get(0)?))).collect()
    }

    async fn conversation_shreds_after(&self, after_seq: i64) -> Result<Vec<(i64, ConversationId)>, StoreError> {
        let rows =
            sqlx::query("SELECT shredded_seq, id FROM conversations WHERE shredded_seq > $1 ORDER BY shredded_seq")
                .bind(after_seq)
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(|r| Ok((r.try_get(0)?, ConversationId(r.try_get(1)?)))).collect()
    }

    async fn idle_caseless_conversations(
        &self,
        before_ms: i64,
        limit_n: i64,
    ) -> Result<Vec<ConversationId>, StoreError> {
        let rows = sqlx::query(
            "SELECT id FROM conversations \
             WHERE case_id IS NULL AND shredded_seq IS NULL AND status IN ('bot', 'closed') AND created_ms < $1 \
             AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = conversations.id AND m.at_ms >= $1) \
             ORDER BY created_ms LIMIT $2",
        )
        .bind(before_ms)
        .bind(limit(limit_n))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| Ok(ConversationId(r.try_get(0)?))).collect()
    }
    async fn case_location_reports(
        &self,
        case: CaseId,
        limit: i64,
    ) -> Result<Vec<crate::backend::RawLocationReport>, StoreError> {
        self.read_case_location_reports(case, limit).await
    }

    async fn conversation_location_reports(
        &self,
        conversation: ConversationId,
        limit: i64,
    ) -> Result<Vec<crate::backend::RawLocationReport>, StoreError> {
        self.read_conversation_location_reports(conversation, limit).await
    }
    async fn exit_plans(&self, case: CaseId) -> Result<Vec<crate::exit_ops::RawPlan>, StoreError> {
        self.read_exit_plans(case).await
    }

    async fn plans_to_approve(&self, limit: i64) -> Result<Vec<crate::exit_ops::PlanToApprove>, StoreError> {
        self.read_plans_to_approve(limit).await
    }

    async fn operations_reports(&self, case: CaseId) -> Result<Vec<crate::exit_ops::RawReport>, StoreError> {
        self.read_operations_reports(case).await
    }

    async fn case_outcomes(&self, case: CaseId) -> Result<Vec<crate::exit_ops::RawOutcome>, StoreError> {
        self.read_case_outcomes(case).await
    }
    async fn figures_cursor(&self) -> Result<i64, StoreError> {
        self.read_figures_cursor().await
    }

    async fn figure_clocks(
        &self,
        cases: Vec<CaseId>,
        conversations: Vec<ConversationId>,
    ) -> Result<(crate::backend::FigureCaseClocks, crate::backend::FigureQueueClocks), StoreError> {
        self.read_figure_clocks(cases, conversations).await
    }

    async fn figure_counts(
        &self,
        metrics: &[&'static str],
        from_day: i32,
        to_day: i32,
    ) -> Result<Vec<crate::figures_ops::FigureRow>, StoreError> {
        self.read_figure_counts(metrics, from_day, to_day).await
    }

    async fn figures_taken(&self, from_day: i32, to_day: i32) -> Result<Vec<(i32, i64)>, StoreError> {
        self.read_figures_taken(from_day, to_day).await
    }

    async fn figures_mapping(&self) -> Result<Option<String>, StoreError> {
        self.read_figures_mapping().await
    }

    async fn figures_internal(&self, user: UserId) -> Result<bool, StoreError> {
        self.read_figures_internal(user.0).await
    }

    async fn due_outbound(&self, now_ms: i64, limit: i64) -> Result<Vec<crate::outbox_ops::RawOutbound>, StoreError> {
        self.read_due_outbound(now_ms, limit).await
    }

    async fn outbound(&self, id: Uuid) -> Result<Option<crate::outbox_ops::RawOutbound>, StoreError> {
        self.read_outbound(id).await
    }

    async fn outbound_failures(
        &self,
        conversation: ConversationId,
    ) -> Result<Vec<crate::outbox_ops::RawFailure>, StoreError> {
        self.read_outbound_failures(conversation).await
    }

    async fn has_receipt(&self, source: &str, receipt: i64) -> Result<bool, StoreError> {
        self.read_has_receipt(source, receipt).await
    }

    async fn prune_receipts(&self, before_ms: i64) -> Result<u64, StoreError> {
        self.delete_receipts_before(before_ms).await
    }

    async fn reply_to(
        &self,
        conversation: ConversationId,
    ) -> Result<Option<crate::outbox_ops::RawReplyTo>, StoreError> {
        self.read_reply_to(conversation).await
    }

    async fn staff_phone_ct(&self, user: UserId) -> Result<Option<Vec<u8>>, StoreError> {
        let row =
            sqlx::query("SELECT phone_ct FROM users WHERE id = $1").bind(user.0).fetch_optional(&self.pool).await?;
        Ok(row.map(|r| r.try_get::<Option<Vec<u8>>, _>(0)).transpose()?.flatten())
    }

    async fn latest_conversation_for_identity(
        &self,
        hash: [u8; 32],
        channel: safepassage_domain::Channel,
    ) -> Result<Option<ConversationView>, StoreError> {
        sqlx::query(&format!(
            "{CONVERSATION_SELECT} \
             WHERE contact_id = (SELECT contact_id FROM channel_identities WHERE identity_hash = $1) \
             AND channel = $2 \
             AND EXISTS (SELECT 1 FROM data_keys k WHERE k.id = conversations.key_id AND k.wrapped IS NOT NULL) \
             ORDER BY created_ms DESC, id DESC LIMIT 1"
        ))
        .bind(hash.as_slice())
        .bind(channel.as_str())
        .fetch_optional(&self.pool)
        .await?
        .map(|r| conversation_row(&r))
        .transpose()
    }
}
