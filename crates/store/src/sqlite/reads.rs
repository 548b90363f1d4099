//! The backend contract on SQLite: reads on the reader connections, commits on the writer.

use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{params, OptionalExtension, Row};
use safepassage_domain::{CaseId, CaseKind, CaseState, CloseReason, ConversationId, GroupComposition, UserId};
use uuid::Uuid;

use super::SqliteBackend;
use crate::backend::{
    AuditState, Backend, BatchSeqs, MasterKeyRow, NewAuditKey, RawEvent, RawFlowSession, RawMessage, RawNote, RawUser,
    WrappedKey,
};
use crate::chain::{Linker, SwitchOver};
use crate::error::StoreError;
use crate::model::{
    CaseFilter, CaseView, ConversationStatus, ConversationView, FlowImport, IntakeFlow, NoteKind, StaffSession,
};
use crate::ops::Job;

/// Columns of a conversation; the last message time is derived from the messages index rather than kept in a column, so
/// the hot path appends a message without touching its conversation's row.
const CONVERSATION_COLUMNS: &str = "id, contact_id, channel, language, case_id, status, assigned_to, created_ms, \
     COALESCE((SELECT m.at_ms FROM messages m WHERE m.conversation_id = conversations.id ORDER BY m.seq DESC LIMIT 1), created_ms), key_id, queued_ms, priority, returned";
pub(super) const CASE_SELECT: &str = "SELECT c.id, c.kind, c.state, c.group_size, c.group_officers, c.close_reason, \
     c.codename_hash IS NOT NULL, k.wrapped IS NULL, c.created_ms, c.updated_ms, c.key_id, c.assigned_to, \
     c.duress_mac, c.duress_words, c.duress_flagged_ms FROM cases c JOIN data_keys k ON k.id = c.key_id";
const USER_COLUMNS: &str = "id, name, role, password_hash, totp_ct, failed_logins, locked_until_ms, status, password_expires_ms, totp_pending_ct";

fn bad(what: &str, e: impl std::fmt::Display) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, format!("{what}: {e}").into())
}

fn row_uuid(r: &Row<'_>, i: usize) -> rusqlite::Result<Uuid> {
    let b: Vec<u8> = r.get(i)?;
    Uuid::from_slice(&b).map_err(|e| bad("uuid", e))
}

fn row_opt_uuid(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<Uuid>> {
    let b: Option<Vec<u8>> = r.get(i)?;
    b.map(|b| Uuid::from_slice(&b).map_err(|e| bad("uuid", e))).transpose()
}

fn parsed<T: std::str::FromStr>(r: &Row<'_>, i: usize) -> rusqlite::Result<T>
where
    T::Err: std::fmt::Display,
{
    let s: String = r.get(i)?;
    s.parse().map_err(|e| bad("vocabulary", e))
}

fn conversation_row(r: &Row<'_>) -> rusqlite::Result<ConversationView> {
    let status: String = r.get(5)?;
    Ok(ConversationView {
        id: ConversationId(row_uuid(r, 0)?),
        contact: safepassage_domain::ContactId(row_uuid(r, 1)?),
        channel: parsed(r, 2)?,
        language: parsed(r, 3)?,
        case: row_opt_uuid(r, 4)?.map(CaseId),
        status: ConversationStatus::parse(&status).ok_or_else(|| bad("status", status))?,
        assigned_to: row_opt_uuid(r, 6)?.map(UserId),
        created_ms: r.get(7)?,
        last_message_ms: r.get(8)?,
        key_id: row_uuid(r, 9)?,
        queued_ms: r.get(10)?,
        priority: r.get(11)?,
        returned: r.get(12)?,
    })
}

fn message_row(r: &Row<'_>) -> rusqlite::Result<RawMessage> {
    Ok(RawMessage {
        id: row_uuid(r, 0)?,
        conversation: row_uuid(r, 1)?,
        seq: r.get(2)?,
        sender: r.get(3)?,
        body_ct: r.get(4)?,
        at_ms: r.get(5)?,
        key_id: row_uuid(r, 6)?,
        key_alive: r.get(7)?,
    })
}

fn user_row(r: &Row<'_>) -> rusqlite::Result<RawUser> {
    Ok(RawUser {
        id: row_uuid(r, 0)?,
        name: r.get(1)?,
        role: r.get(2)?,
        password_hash: r.get(3)?,
        totp_ct: r.get(4)?,
        failed_logins: r.get(5)?,
        locked_until_ms: r.get(6)?,
        status: r.get(7)?,
        password_expires_ms: r.get(8)?,
        totp_pending_ct: r.get(9)?,
    })
}

use crate::model::duress_of;

pub(super) fn case_row(r: &Row<'_>) -> rusqlite::Result<CaseView> {
    let kind: String = r.get(1)?;
    let size: Option<u32> = r.get(3)?;
    let officers: Option<u32> = r.get(4)?;
    let close_reason: Option<String> = r.get(5)?;
    Ok(CaseView {
        id: CaseId(row_uuid(r, 0)?),
        kind: if kind == "group" { CaseKind::Group } else { CaseKind::Individual },
        state: parsed(r, 2)?,
        composition: size.zip(officers).map(|(size, officers)| GroupComposition { size, officers }),
        close_reason: close_reason.map(|c| c.parse::<CloseReason>().map_err(|e| bad("close reason", e))).transpose()?,
        has_codename: r.get(6)?,
        shredded: r.get(7)?,
        created_ms: r.get(8)?,
        updated_ms: r.get(9)?,
        key_id: row_uuid(r, 10)?,
        assigned_to: row_opt_uuid(r, 11)?.map(UserId),
        duress: duress_of(r.get(12)?, r.get(13)?),
        under_duress_since_ms: r.get(14)?,
    })
}

fn event_row(r: &Row<'_>) -> rusqlite::Result<RawEvent> {
    Ok(RawEvent {
        seq: r.get(0)?,
        at_ms: r.get(1)?,
        kind: r.get(2)?,
        payload: r.get(3)?,
        prev_hash: r.get(4)?,
        hash: r.get(5)?,
    })
}

#[async_trait]
impl Backend for SqliteBackend {
    async fn commit(&self, jobs: Arc<Vec<Job>>, linker: Arc<Linker>) -> Result<BatchSeqs, StoreError> {
        self.commit_batch(jobs, linker).await
    }

    async fn pace(&self, name: &str, every_ms: i64, burst: i64) -> Result<i64, StoreError> {
        // One process writes a SQLite store: its pacers live in memory.
        let now = crate::store::now_ms();
        let mut pacers = self.pacers.lock().unwrap_or_else(|p| p.into_inner());
        let tat = pacers.entry(name.to_owned()).or_insert(0);
        *tat = crate::pace::next_tat(*tat, now, every_ms);
        Ok(crate::pace::wait_ms(*tat, now, every_ms, burst))
    }

    async fn ping(&self) -> Result<(), StoreError> {
        self.read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0)).map(|_| ())?)).await
    }

    async fn has_data(&self) -> Result<bool, StoreError> {
        self.read(|c| {
            Ok(c.query_row("SELECT EXISTS (SELECT 1 FROM master_keys) OR EXISTS (SELECT 1 FROM events)", [], |r| {
                r.get(0)
            })?)
        })
        .await
    }

    async fn master_keys(&self) -> Result<Vec<MasterKeyRow>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare("SELECT id, kcv, retired_ms IS NOT NULL FROM master_keys")?;
            let rows =
                stmt.query_map([], |r| Ok(MasterKeyRow { id: r.get(0)?, kcv: r.get(1)?, retired: r.get(2)? }))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn data_key(&self, id: Uuid) -> Result<Option<WrappedKey>, StoreError> {
        self.read(move |c| {
            Ok(c.prepare_cached("SELECT master_key_id, wrapped FROM data_keys WHERE id = ?1")?
                .query_row(params![id.as_bytes()], |r| Ok(WrappedKey { master_key_id: r.get(0)?, wrapped: r.get(1)? }))
                .optional()?)
        })
        .await
    }

    async fn system_key(&self, purpose: &str) -> Result<Option<(Uuid, WrappedKey)>, StoreError> {
        let purpose = purpose.to_owned();
        self.read(move |c| {
            Ok(c.query_row(
                "SELECT id, master_key_id, wrapped FROM data_keys WHERE purpose = ?1",
                params![purpose],
                |r| Ok((row_uuid(r, 0)?, WrappedKey { master_key_id: r.get(1)?, wrapped: r.get(2)? })),
            )
            .optional()?)
        })
        .await
    }

    async fn contact_by_identity(&self, hash: [u8; 32]) -> Result<Option<Uuid>, StoreError> {
        self.read(move |c| {
            Ok(c.prepare_cached("SELECT contact_id FROM channel_identities WHERE identity_hash = ?1")?
                .query_row(params![hash.as_slice()], |r| row_uuid(r, 0))
                .optional()?)
        })
        .await
    }

    async fn conversation(&self, id: ConversationId) -> Result<Option<ConversationView>, StoreError> {
        self.read(move |c| {
            let sql = format!("SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE id = ?1");
            Ok(c.prepare_cached(&sql)?.query_row(params![id.as_bytes()], conversation_row).optional()?)
        })
        .await
    }

    async fn conversation_by_token(&self, hash: [u8; 32]) -> Result<Option<ConversationView>, StoreError> {
        self.read(move |c| {
            let sql = format!("SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE token_hash = ?1");
            Ok(c.prepare_cached(&sql)?.query_row(params![hash.as_slice()], conversation_row).optional()?)
        })
        .await
    }

    async fn messages(
        &self,
        conversation: ConversationId,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<RawMessage>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT m.id, m.conversation_id, m.seq, m.sender, m.body_ct, m.at_ms, v.key_id, k.wrapped IS NOT NULL \
                 FROM messages m JOIN conversations v ON v.id = m.conversation_id JOIN data_keys k ON k.id = v.key_id \
                 WHERE m.conversation_id = ?1 AND m.seq > ?2 ORDER BY m.seq LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![conversation.as_bytes(), after_seq, limit], message_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn case(&self, id: CaseId) -> Result<Option<CaseView>, StoreError> {
        self.read(move |c| {
            Ok(c.prepare_cached(&format!("{CASE_SELECT} WHERE c.id = ?1"))?
                .query_row(params![id.as_bytes()], case_row)
                .optional()?)
        })
        .await
    }

    async fn queue(&self, limit: i64) -> Result<Vec<ConversationView>, StoreError> {
        self.read(move |c| {
            let sql = format!(
                "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE status = 'queued' \
                 ORDER BY priority DESC, queued_ms LIMIT ?1"
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![limit], conversation_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn calls_with_the_bot(&self, since_ms: i64, limit: i64) -> Result<Vec<ConversationView>, StoreError> {
        self.read(move |c| {
            // Named: left to itself SQLite takes `conversations_queue (status, …)` and walks every
            // conversation with the bot (a million, on the queue page) to find the few calls.
            let sql = format!(
                "SELECT {CONVERSATION_COLUMNS} FROM conversations INDEXED BY conversations_calls_with_the_bot \
                 WHERE channel = 'voice' AND status = 'bot' AND created_ms >= ?1 ORDER BY created_ms LIMIT ?2"
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![since_ms, limit], conversation_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn conversations_assigned_to(&self, user: UserId) -> Result<Vec<ConversationView>, StoreError> {
        self.read(move |c| {
            let sql = format!(
                "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE assigned_to = ?1 AND status = 'assigned' \
                 ORDER BY queued_ms"
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![user.as_bytes()], conversation_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn conversations_of_case(&self, case: CaseId) -> Result<Vec<ConversationView>, StoreError> {
        self.read(move |c| {
            let sql =
                format!("SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE case_id = ?1 ORDER BY created_ms");
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map(params![case.as_bytes()], conversation_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn cases(&self, filter: CaseFilter, limit: i64) -> Result<Vec<CaseView>, StoreError> {
        self.read_cases(filter, limit).await
    }

    async fn unassigned_cases(&self, limit: i64) -> Result<Vec<CaseView>, StoreError> {
        self.read_unassigned_cases(limit).await
    }

    async fn timeline(&self, subject: Uuid, limit: i64) -> Result<Vec<RawEvent>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT seq, at_ms, kind, payload, prev_hash, hash FROM events WHERE subject = ?1 ORDER BY seq LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![subject.as_bytes(), limit], event_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn session(&self, token_hash: [u8; 32]) -> Result<Option<StaffSession>, StoreError> {
        self.read(move |c| {
            Ok(c.prepare_cached("SELECT user_id, created_ms, last_seen_ms FROM staff_sessions WHERE token_hash = ?1")?
                .query_row(params![token_hash.as_slice()], |r| {
                    Ok(StaffSession { user: UserId(row_uuid(r, 0)?), created_ms: r.get(1)?, last_seen_ms: r.get(2)? })
                })
                .optional()?)
        })
        .await
    }

    async fn users(&self) -> Result<Vec<RawUser>, StoreError> {
        self.read(move |c| {
            let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY name");
            let mut stmt = c.prepare_cached(&sql)?;
            let rows = stmt.query_map([], user_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn case_by_codename(&self, hash: [u8; 32]) -> Result<Option<CaseId>, StoreError> {
        self.read(move |c| {
            Ok(c.prepare_cached("SELECT id FROM cases WHERE codename_hash = ?1")?
                .query_row(params![hash.as_slice()], |r| row_uuid(r, 0).map(CaseId))
                .optional()?)
        })
        .await
    }

    async fn notes(&self, case: CaseId) -> Result<Vec<RawNote>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT n.id, n.kind, n.author, n.body_ct, n.at_ms, c.key_id, k.wrapped IS NOT NULL \
                 FROM case_notes n JOIN cases c ON c.id = n.case_id JOIN data_keys k ON k.id = c.key_id \
                 WHERE n.case_id = ?1 ORDER BY n.at_ms, n.id",
            )?;
            let rows = stmt.query_map(params![case.as_bytes()], |r| {
                let kind: String = r.get(1)?;
                Ok(RawNote {
                    id: row_uuid(r, 0)?,
                    kind: if kind == "location" { NoteKind::Location } else { NoteKind::Note },
                    author: row_uuid(r, 2)?,
                    body_ct: r.get(3)?,
                    at_ms: r.get(4)?,
                    key_id: row_uuid(r, 5)?,
                    key_alive: r.get(6)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn events(&self, after_seq: i64, limit: i64) -> Result<Vec<RawEvent>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT seq, at_ms, kind, payload, prev_hash, hash FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![after_seq, limit], event_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn user_by_name(&self, name: &str) -> Result<Option<RawUser>, StoreError> {
        let name = name.to_owned();
        self.read(move |c| {
            let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE name = ?1");
            Ok(c.prepare_cached(&sql)?.query_row(params![name], user_row).optional()?)
        })
        .await
    }

    async fn user(&self, id: UserId) -> Result<Option<RawUser>, StoreError> {
        self.read(move |c| {
            let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?1");
            Ok(c.prepare_cached(&sql)?.query_row(params![id.as_bytes()], user_row).optional()?)
        })
        .await
    }

    async fn keys_wrapped_under(&self, master_key_id: &str, limit: i64) -> Result<Vec<(Uuid, Vec<u8>)>, StoreError> {
        let master_key_id = master_key_id.to_owned();
        self.read(move |c| {
            let mut stmt = c.prepare(
                "SELECT id, wrapped FROM data_keys WHERE master_key_id = ?1 AND wrapped IS NOT NULL LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![master_key_id, limit], |r| Ok((row_uuid(r, 0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn rewrap(&self, from_master: &str, to_master: &str, keys: Vec<(Uuid, Vec<u8>)>) -> Result<(), StoreError> {
        let (from, to) = (from_master.to_owned(), to_master.to_owned());
        let writer = self.writer.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = writer.lock().unwrap_or_else(|p| p.into_inner());
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            {
                let mut stmt = tx.prepare(
                    "UPDATE data_keys SET master_key_id = ?3, wrapped = ?4 \
                     WHERE id = ?1 AND master_key_id = ?2 AND wrapped IS NOT NULL",
                )?;
                for (id, wrapped) in &keys {
                    stmt.execute(params![id.as_bytes(), from, to, wrapped])?;
                }
            }
            tx.commit()?;
            Ok(())
        })
        .await?
    }

    async fn flow_session(&self, conversation: ConversationId) -> Result<Option<RawFlowSession>, StoreError> {
        self.read(move |c| {
            Ok(c.prepare_cached(
                "SELECT f.conversation_id, f.state_ct, f.summary_ct, f.wait_timeout_ms, f.expires_ms, f.updated_ms, \
                 v.key_id, k.wrapped IS NOT NULL, f.version \
                 FROM flow_sessions f JOIN conversations v ON v.id = f.conversation_id \
                 JOIN data_keys k ON k.id = v.key_id WHERE f.conversation_id = ?1",
            )?
            .query_row(params![conversation.as_bytes()], |r| {
                Ok(RawFlowSession {
                    conversation: row_uuid(r, 0)?,
                    state_ct: r.get(1)?,
                    summary_ct: r.get(2)?,
                    wait_timeout_ms: r.get(3)?,
                    expires_ms: r.get(4)?,
                    updated_ms: r.get(5)?,
                    key_id: row_uuid(r, 6)?,
                    key_alive: r.get(7)?,
                    version: r.get(8)?,
                })
            })
            .optional()?)
        })
        .await
    }

    async fn due_flow_sessions(&self, now_ms: i64, limit: i64) -> Result<Vec<ConversationId>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT conversation_id FROM ( \
                   SELECT conversation_id, wait_timeout_ms AS due FROM flow_sessions WHERE wait_timeout_ms <= ?1 \
                   UNION ALL \
                   SELECT conversation_id, expires_ms AS due FROM flow_sessions WHERE expires_ms <= ?1) \
                 GROUP BY conversation_id ORDER BY min(due) LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![now_ms, limit], |r| row_uuid(r, 0).map(ConversationId))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn counts(&self) -> Result<Vec<(&'static str, i64)>, StoreError> {
        self.read(|c| {
            let mut out = Vec::new();
            for table in ["contacts", "conversations", "messages", "cases", "users", "events"] {
                let n: i64 = c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
                out.push((table, n));
            }
            Ok(out)
        })
        .await
    }

    async fn flow_imports(&self) -> Result<Vec<FlowImport>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, seq, export, digest, imported_by, imported_ms, allowed_outside FROM flow_imports \
                 ORDER BY seq",
            )?;
            let rows = stmt.query_map([], |r| {
                let digest: Vec<u8> = r.get(3)?;
                Ok(FlowImport {
                    id: row_uuid(r, 0)?,
                    seq: r.get(1)?,
                    export: r.get(2)?,
                    digest: digest.as_slice().try_into().map_err(|e| bad("digest", e))?,
                    by: UserId(row_uuid(r, 4)?),
                    at_ms: r.get(5)?,
                    allowed_outside: crate::model::split_allowed(r.get(6)?),
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn intake_flows(&self) -> Result<Vec<IntakeFlow>, StoreError> {
        self.read(|c| {
            let mut stmt =
                c.prepare_cached("SELECT channel, flow_uuid, seq, set_by, set_ms FROM intake_flows ORDER BY channel")?;
            let rows = stmt.query_map([], |r| {
                Ok(IntakeFlow {
                    channel: parsed(r, 0)?,
                    flow: row_opt_uuid(r, 1)?,
                    seq: r.get(2)?,
                    by: UserId(row_uuid(r, 3)?),
                    at_ms: r.get(4)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn flow_library_version(&self) -> Result<i64, StoreError> {
        self.read(|c| {
            Ok(c.prepare_cached(
                "SELECT max(coalesce((SELECT max(seq) FROM flow_imports), 0), \
                 coalesce((SELECT max(seq) FROM intake_flows), 0))",
            )?
            .query_row([], |r| r.get(0))?)
        })
        .await
    }

    async fn last_messages(&self, conversation: ConversationId, limit: i64) -> Result<Vec<RawMessage>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT m.id, m.conversation_id, m.seq, m.sender, m.body_ct, m.at_ms, v.key_id, k.wrapped IS NOT NULL \
                 FROM messages m JOIN conversations v ON v.id = m.conversation_id JOIN data_keys k ON k.id = v.key_id \
                 WHERE m.conversation_id = ?1 ORDER BY m.seq DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![conversation.as_bytes(), limit], message_row)?;
            let mut rows: Vec<RawMessage> = rows.collect::<Result<_, _>>()?;
            rows.reverse();
            Ok(rows)
        })
        .await
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

    async fn case_flags(&self, case: CaseId) -> Result<Vec<crate::backend::RawCaseFlag>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT f.id, f.by_user, f.reason_ct, f.at_ms, c.key_id, k.wrapped IS NOT NULL \
                 FROM case_flags f JOIN cases c ON c.id = f.case_id JOIN data_keys k ON k.id = c.key_id \
                 WHERE f.case_id = ?1 ORDER BY f.at_ms, f.id",
            )?;
            let rows = stmt.query_map(params![case.as_bytes()], |r| {
                Ok(crate::backend::RawCaseFlag {
                    id: row_uuid(r, 0)?,
                    by: row_uuid(r, 1)?,
                    reason_ct: r.get(2)?,
                    at_ms: r.get(3)?,
                    key_id: row_uuid(r, 4)?,
                    key_alive: r.get(5)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn intake_macs_since(&self, since_ms: i64, limit: i64) -> Result<Vec<(CaseId, [u8; 32], i64)>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT id, intake_mac, created_ms FROM cases WHERE intake_mac IS NOT NULL AND created_ms >= ?1 \
                 ORDER BY created_ms DESC LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![since_ms, limit], |r| {
                let mac: Vec<u8> = r.get(1)?;
                let mac: [u8; 32] = mac.try_into().map_err(|_| bad("intake mac", "not 32 bytes"))?;
                Ok((CaseId(row_uuid(r, 0)?), mac, r.get(2)?))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn case_join_events_since(&self, since_ms: i64, limit: i64) -> Result<Vec<RawEvent>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT seq, at_ms, kind, payload, prev_hash, hash FROM events \
                 WHERE kind IN ('case_opened', 'conversation_joined_case') AND at_ms >= ?1 ORDER BY at_ms LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![since_ms, limit], event_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn cases_idle_in(&self, state: CaseState, before_ms: i64, limit: i64) -> Result<Vec<CaseId>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT id FROM cases WHERE state = ?1 AND updated_ms < ?2 AND shredded_seq IS NULL \
                 ORDER BY updated_ms LIMIT ?3",
            )?;
            let rows = stmt.query_map(params![state.as_str(), before_ms, limit], |r| row_uuid(r, 0).map(CaseId))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn conversation_shreds_after(&self, after_seq: i64) -> Result<Vec<(i64, ConversationId)>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT shredded_seq, id FROM conversations WHERE shredded_seq > ?1 ORDER BY shredded_seq",
            )?;
            let rows = stmt.query_map(params![after_seq], |r| Ok((r.get(0)?, ConversationId(row_uuid(r, 1)?))))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
    }

    async fn idle_caseless_conversations(&self, before_ms: i64, limit: i64) -> Result<Vec<ConversationId>, StoreError> {
        self.read(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT id FROM conversations \
                 WHERE case_id IS NULL AND shredded_seq IS NULL AND status IN ('bot', 'closed') AND created_ms < ?1 \
                 AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = conversations.id AND m.at_ms >= ?1) \
                 ORDER BY created_ms LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![before_ms, limit], |r| row_uuid(r, 0).map(ConversationId))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
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
        self.read(move |c| {
            let found: Option<Option<Vec<u8>>> = c
                .prepare_cached("SELECT phone_ct FROM users WHERE id = ?1")?
                .query_row(params![user.as_bytes()], |r| r.get(0))
                .optional()?;
            Ok(found.flatten())
        })
        .await
    }

    async fn latest_conversation_for_identity(
        &self,
        hash: [u8; 32],
        channel: safepassage_domain::Channel,
    ) -> Result<Option<ConversationView>, StoreError> {
        self.read(move |c| {
            let sql = format!(
                "SELECT {CONVERSATION_COLUMNS} FROM conversations \
                 WHERE contact_id = (SELECT contact_id FROM channel_identities WHERE identity_hash = ?1) \
                 AND channel = ?2 \
                 AND EXISTS (SELECT 1 FROM data_keys k WHERE k.id = conversations.key_id AND k.wrapped IS NOT NULL) \
                 ORDER BY created_ms DESC, id DESC LIMIT 1"
            );
            Ok(c.prepare_cached(&sql)?
                .query_row(params![hash.as_slice(), channel.as_str()], conversation_row)
                .optional()?)
        })
        .await
    }
}
