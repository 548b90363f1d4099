//! Committing a batch on PostgreSQL: one transaction that locks the chain head, applies the rare
//! ops one statement each in job order, then writes all messages and all events in one statement each.

use std::sync::Arc;

use sqlx::{PgConnection, Row};
use uuid::Uuid;

use super::PgBackend;
use crate::backend::BatchSeqs;
use crate::chain::Linker;
use crate::error::StoreError;
use crate::model::SeqRange;
use crate::ops::{expect_one, Job, Op};

impl PgBackend {
    pub(crate) async fn commit_batch(&self, jobs: Arc<Vec<Job>>, linker: Arc<Linker>) -> Result<BatchSeqs, StoreError> {
        let mut tx = self.pool.begin().await?;
        // On any error the transaction is dropped, which rolls it back.
        let seqs = write_jobs(&mut tx, &jobs, &linker).await?;
        let mut written = seqs.iter().flatten();
        if let Some(first) = written.next() {
            let last = written.last().unwrap_or(first);
            // Delivered to the other nodes only if and when this transaction commits.
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(&self.commits.channel)
                .bind(self.commits.payload(*first, *last))
                .execute(&mut *tx)
                .await?;
        }
        if jobs.iter().any(|j| j.ops.iter().any(|op| matches!(op, Op::ShredCase { .. } | Op::ShredConversation { .. })))
        {
            // Every node forgets the shredded keys as soon as this commits.
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(&self.commits.channel)
                .bind(self.commits.shred_payload())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        let mut written = seqs.iter().flatten();
        if let Some(&first) = written.next() {
            self.commits.committed(SeqRange { first, last: written.last().copied().unwrap_or(first) });
        }
        Ok(seqs)
    }
}

/// The batch's events, column by column, for one `UNNEST` insert.
#[derive(Default)]
struct EventRows {
    seq: Vec<i64>,
    at_ms: Vec<i64>,
    kind: Vec<&'static str>,
    payload: Vec<Vec<u8>>,
    prev_hash: Vec<[u8; 32]>,
    hash: Vec<[u8; 32]>,
    subject: Vec<Option<Uuid>>,
}

impl EventRows {
    fn with_capacity(n: usize) -> EventRows {
        EventRows {
            seq: Vec::with_capacity(n),
            at_ms: Vec::with_capacity(n),
            kind: Vec::with_capacity(n),
            payload: Vec::with_capacity(n),
            prev_hash: Vec::with_capacity(n),
            hash: Vec::with_capacity(n),
            subject: Vec::with_capacity(n),
        }
    }

    /// Inserts the events and moves the head to the last of them, in one statement.
    async fn write(self, conn: &mut PgConnection, head_seq: i64, head_hash: [u8; 32]) -> Result<(), StoreError> {
        if self.seq.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "WITH inserted AS ( \
                 INSERT INTO events (seq, at_ms, kind, payload, prev_hash, hash, subject) \
                 SELECT * FROM UNNEST($1::int8[], $2::int8[], $3::text[], $4::bytea[], $5::bytea[], $6::bytea[], \
                                      $9::uuid[]) \
             ) \
             UPDATE audit_head SET seq = $7, hash = $8 WHERE id = 1",
        )
        .bind(self.seq)
        .bind(self.at_ms)
        .bind(self.kind)
        .bind(self.payload)
        .bind(self.prev_hash)
        .bind(self.hash)
        .bind(head_seq)
        .bind(head_hash)
        .bind(self.subject)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}

/// The batch's messages, column by column, for one bulk insert.
#[derive(Default)]
struct MessageRows<'a> {
    id: Vec<Uuid>,
    conversation: Vec<Uuid>,
    seq: Vec<i64>,
    sender: Vec<&'static str>,
    body_ct: Vec<&'a [u8]>,
    at_ms: Vec<i64>,
}

impl<'a> MessageRows<'a> {
    fn push(&mut self, id: Uuid, conversation: Uuid, seq: i64, sender: &'static str, body_ct: &'a [u8], at: i64) {
        self.id.push(id);
        self.conversation.push(conversation);
        self.seq.push(seq);
        self.sender.push(sender);
        self.body_ct.push(body_ct);
        self.at_ms.push(at);
    }

    /// Inserts the messages in one statement.
    async fn write(self, conn: &mut PgConnection) -> Result<(), StoreError> {
        if self.id.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO messages (id, conversation_id, seq, sender, body_ct, at_ms) \
             SELECT * FROM UNNEST($1::uuid[], $2::uuid[], $3::int8[], $4::text[], $5::bytea[], $6::int8[])",
        )
        .bind(self.id)
        .bind(self.conversation)
        .bind(self.seq)
        .bind(self.sender)
        .bind(self.body_ct)
        .bind(self.at_ms)
        .execute(&mut *conn)
        .await?;
        Ok(())
    }
}

async fn write_jobs(conn: &mut PgConnection, jobs: &[Job], linker: &Linker) -> Result<BatchSeqs, StoreError> {
    // The row lock on the head is what keeps the chain linear when several nodes commit.
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE").fetch_one(&mut *conn).await?;
    let mut seq: i64 = head.try_get(0)?;
    let head_hash: Vec<u8> = head.try_get(1)?;
    let mut prev: [u8; 32] = head_hash
        .as_slice()
        .try_into()
        .map_err(|_| StoreError::Database(format!("the audit head hash has {} bytes, not 32", head_hash.len())))?;
    let mut events = EventRows::with_capacity(jobs.iter().map(|j| j.events.len()).sum());
    let mut messages = MessageRows::default();
    let mut all = Vec::with_capacity(jobs.len());
    for job in jobs {
        let first = seq + 1;
        let mut seqs = Vec::with_capacity(job.events.len());
        for event in &job.events {
            seq += 1;
            let payload = event.canonical_bytes();
            let hash = linker.link(&prev, seq, job.at_ms, event.kind(), &payload);
            events.seq.push(seq);
            events.at_ms.push(job.at_ms);
            events.kind.push(event.kind());
            events.payload.push(payload);
            events.prev_hash.push(prev);
            events.hash.push(hash);
            events.subject.push(event.subject());
            prev = hash;
            seqs.push(seq);
        }
        for op in &job.ops {
            apply(conn, op, job.at_ms, first, &mut messages).await?;
        }
        all.push(seqs);
    }
    // Messages only reference rows the ops above inserted, so they can all go last.
    messages.write(conn).await?;
    events.write(conn, seq, prev).await?;
    Ok(all)
}

/// Applies one op; messages are only collected, for the one bulk insert at the end.
async fn apply<'a>(
    conn: &mut PgConnection,
    op: &'a Op,
    at: i64,
    first_seq: i64,
    messages: &mut MessageRows<'a>,
) -> Result<(), StoreError> {
    match op {
        Op::InsertMessage { id, conversation, event_index, sender, body_ct } => {
            let seq = first_seq + *event_index as i64;
            messages.push(id.0, conversation.0, seq, sender.as_str(), body_ct, at);
        }
        Op::InsertMasterKey { id, kcv } => {
            sqlx::query("INSERT INTO master_keys (id, kcv, created_ms) VALUES ($1, $2, $3)")
                .bind(id.as_str())
                .bind(kcv.as_slice())
                .bind(at)
                .execute(&mut *conn)
                .await?;
        }
        Op::RetireMasterKey { id } => {
            sqlx::query("UPDATE master_keys SET retired_ms = $2 WHERE id = $1")
                .bind(id.as_str())
                .bind(at)
                .execute(&mut *conn)
                .await?;
        }
        Op::InsertDataKey { id, purpose, master_key_id, wrapped } => {
            sqlx::query(
                "INSERT INTO data_keys (id, purpose, master_key_id, wrapped, created_ms) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(*id)
            .bind(*purpose)
            .bind(master_key_id.as_str())
            .bind(wrapped.as_slice())
            .bind(at)
            .execute(&mut *conn)
            .await?;
        }
        Op::InsertContact { id } => {
            sqlx::query("INSERT INTO contacts (id, created_ms) VALUES ($1, $2)")
                .bind(id.0)
                .bind(at)
                .execute(&mut *conn)
                .await?;
        }
        Op::InsertIdentity { hash, channel, contact } => {
            sqlx::query("INSERT INTO channel_identities (identity_hash, channel, contact_id) VALUES ($1, $2, $3)")
                .bind(hash.as_slice())
                .bind(channel.as_str())
                .bind(contact.0)
                .execute(&mut *conn)
                .await?;
        }
        Op::InsertConversation { id, contact, channel, language, key_id, token_hash } => {
            sqlx::query(
                "INSERT INTO conversations (id, contact_id, channel, language, key_id, status, token_hash, created_ms) \
                 VALUES ($1, $2, $3, $4, $5, 'bot', $6, $7)",
            )
            .bind(id.0)
            .bind(contact.0)
            .bind(channel.as_str())
            .bind(language.as_str())
            .bind(*key_id)
            .bind(token_hash.as_ref().map(|h| h.as_slice()))
            .bind(at)
            .execute(&mut *conn)
            .await?;
        }
        Op::InsertCase { id, kind, key_id, assigned_to } => {
            let kind = match kind {
                safepassage_domain::CaseKind::Individual => "individual",
                safepassage_domain::CaseKind::Group => "group",
            };
            sqlx::query(
                "INSERT INTO cases (id, kind, state, key_id, assigned_to, created_ms, updated_ms) \
                 VALUES ($1, $2, 'inquiry', $3, $4, $5, $5)",
            )
            .bind(id.0)
            .bind(kind)
            .bind(*key_id)
            .bind(assigned_to.map(|u| u.0))
            .bind(at)
            .execute(&mut *conn)
            .await?;
        }
        Op::PutFlowSession { conversation, state_ct, summary_ct, wait_timeout_ms, expires_ms, expected_version } => {
            let changed = sqlx::query(
                "INSERT INTO flow_sessions \
                 (conversation_id, state_ct, summary_ct, wait_timeout_ms, expires_ms, updated_ms, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, 1) ON CONFLICT (conversation_id) DO UPDATE SET \
                 state_ct = excluded.state_ct, summary_ct = excluded.summary_ct, \
                 wait_timeout_ms = excluded.wait_timeout_ms, expires_ms = excluded.expires_ms, \
                 updated_ms = excluded.updated_ms, version = flow_sessions.version + 1 \
                 WHERE flow_sessions.version = $7",
            )
            .bind(conversation.0)
            .bind(state_ct.as_deref())
            .bind(summary_ct.as_slice())
            .bind(*wait_timeout_ms)
            .bind(*expires_ms)
            .bind(at)
            .bind(*expected_version)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            expect_one(changed, "the flow session changed meanwhile")?;
        }
        Op::InsertFlowImport { id, event_index, export, digest, by, allowed_outside } => {
            sqlx::query(
                "INSERT INTO flow_imports (id, seq, export, digest, imported_by, imported_ms, allowed_outside) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(id)
            .bind(first_seq + *event_index as i64)
            .bind(export.as_str())
            .bind(digest.as_slice())
            .bind(by.0)
            .bind(at)
            .bind(allowed_outside.as_str())
            .execute(&mut *conn)
            .await?;
        }
        Op::SetIntakeFlow { channel, flow, event_index, by } => {
            sqlx::query(
                "INSERT INTO intake_flows (channel, flow_uuid, seq, set_by, set_ms) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (channel) DO UPDATE SET flow_uuid = excluded.flow_uuid, seq = excluded.seq, \
                 set_by = excluded.set_by, set_ms = excluded.set_ms",
            )
            .bind(channel.as_str())
            .bind(*flow)
            .bind(first_seq + *event_index as i64)
            .bind(by.0)
            .bind(at)
            .execute(&mut *conn)
            .await?;
        }
        Op::DeleteFlowSession { conversation } => {
            sqlx::query("DELETE FROM flow_sessions WHERE conversation_id = $1")
                .bind(conversation.0)
                .execute(&mut *conn)
                .await?;
        }
        Op::SetCaseState { id, from, to, close_reason } => {
            let changed = sqlx::query(
                "UPDATE cases SET state = $3, close_reason = $4, updated_ms = $5 WHERE id = $1 AND state = $2",
            )
            .bind(id.0)
            .bind(from.as_str())
            .bind(to.as_str())
            .bind(close_reason.map(|r| r.as_str()))
            .bind(at)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            expect_one(changed, "the case was moved by someone else")?;
        }
        Op::SetComposition { id, size, officers } => {
            let changed =
                sqlx::query("UPDATE cases SET group_size = $2, group_officers = $3, updated_ms = $4 WHERE id = $1")
                    .bind(id.0)
                    .bind(i64::from(*size))
                    .bind(i64::from(*officers))
                    .bind(at)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
            expect_one(changed, "no such case")?;
        }
        Op::SetCodename { id, hash } => {
            let taken = sqlx::query("SELECT 1 FROM cases WHERE codename_hash = $1")
                .bind(hash.as_slice())
                .fetch_optional(&mut *conn)
                .await?;
            if taken.is_some() {
                return Err(StoreError::Conflict("codename in use"));
            }
            let changed = sqlx::query(
                "UPDATE cases SET codename_hash = $2, updated_ms = $3 WHERE id = $1 AND codename_hash IS NULL",
            )
            .bind(id.0)
            .bind(hash.as_slice())
            .bind(at)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            expect_one(changed, "the case already has a codename")?;
        }
        Op::SetDuressPhrase { case, mac, words } => {
            let changed = sqlx::query("UPDATE cases SET duress_mac = $2, duress_words = $3 WHERE id = $1")
                .bind(case.0)
                .bind(mac.as_slice())
                .bind(i32::try_from(*words).unwrap_or(i32::MAX))
                .execute(&mut *conn)
                .await?
                .rows_affected();
            expect_one(changed, "no such case")?;
        }
        Op::FlagDuress { case } => {
            let changed =
                sqlx::query("UPDATE cases SET duress_flagged_ms = COALESCE(duress_flagged_ms, $2) WHERE id = $1")
                    .bind(case.0)
                    .bind(at)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
            expect_one(changed, "no such case")?;
        }
        Op::JoinCase { conversation, case } => {
            let changed = sqlx::query("UPDATE conversations SET case_id = $2 WHERE id = $1")
                .bind(conversation.0)
                .bind(case.0)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            expect_one(changed, "no such conversation")?;
        }
        Op::InsertNote { id, case, kind, author, body_ct } => {
            sqlx::query(
                "INSERT INTO case_notes (id, case_id, kind, author, body_ct, at_ms) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(*id)
            .bind(case.0)
            .bind(*kind)
            .bind(author.0)
            .bind(body_ct.as_slice())
            .bind(at)
            .execute(&mut *conn)
            .await?;
        }
        Op::ShredCase { case, event_index } => {
            sqlx::query(
                "UPDATE data_keys SET wrapped = NULL, shredded_ms = $2 \
                 WHERE id IN (SELECT key_id FROM cases WHERE id = $1 \
                              UNION SELECT key_id FROM conversations WHERE case_id = $1)",
            )
            .bind(case.0)
            .bind(at)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "DELETE FROM flow_sessions WHERE conversation_id IN (SELECT id FROM conversations WHERE case_id = $1)",
            )
            .bind(case.0)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "DELETE FROM channel_identities \
                 WHERE contact_id IN (SELECT contact_id FROM conversations WHERE case_id = $1)",
            )
            .bind(case.0)
            .execute(&mut *conn)
            .await?;
            sqlx::query("UPDATE conversations SET token_hash = NULL WHERE case_id = $1")
                .bind(case.0)
                .execute(&mut *conn)
                .await?;
            let changed = sqlx::query(
                "UPDATE cases SET codename_hash = NULL, duress_mac = NULL, duress_words = NULL, \
                 shredded_seq = $3, updated_ms = $2 WHERE id = $1 AND shredded_seq IS NULL",
            )
            .bind(case.0)
            .bind(at)
            .bind(first_seq + *event_index as i64)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            expect_one(changed, "the case was shredded already")?;
        }
        Op::InsertUser { id, name, role, password_hash, totp_ct, status, password_expires_ms } => {
            sqlx::query(
                "INSERT INTO users (id, name, role, password_hash, totp_ct, created_ms, status, password_expires_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id.0)
            .bind(name.as_str())
            .bind(role.as_str())
            .bind(password_hash.as_str())
            .bind(totp_ct.as_slice())
            .bind(at)
            .bind(*status)
            .bind(*password_expires_ms)
            .execute(&mut *conn)
            .await?;
        }
        Op::ClaimLoginAttempt { user, max_failures, lockout_ms } => {
            // Every right-hand side sees the row as it was, so the new count is spelled twice.
            let changed = sqlx::query(
                "UPDATE users SET \
                 failed_logins = CASE WHEN locked_until_ms > 0 THEN 1 ELSE failed_logins + 1 END, \
                 locked_until_ms = CASE WHEN (CASE WHEN locked_until_ms > 0 THEN 1 ELSE failed_logins + 1 END) >= $3 \
                     THEN $2 + $4 ELSE 0 END \
                 WHERE id = $1 AND locked_until_ms <= $2",
            )
            .bind(user.0)
            .bind(at)
            .bind(*max_failures)
            .bind(*lockout_ms)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            expect_one(changed, "the account is locked")?;
        }
        Op::ClaimTotpStep { user, step } => {
            let changed = sqlx::query(
                "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
            )
            .bind(user.0)
            .bind(*step)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            expect_one(changed, "the code was used already")?;
        }
        Op::ClaimCodenameAttempt { conversation, every_ms, burst } => {
            let changed = sqlx::query(
                "UPDATE conversations SET codename_tat_ms = GREATEST(COALESCE(codename_tat_ms, 0), $2) + $3 \
                 WHERE id = $1 AND GREATEST(COALESCE(codename_tat_ms, 0), $2) + $3 - $2 <= $3 * $4",
            )
            .bind(conversation.0)
            .bind(at)
            .bind(*every_ms)
            .bind(*burst)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            expect_one(changed, "no codename attempt left")?;
        }
        Op::UpdateUser { user, if_status, status, role, password, totp_ct, totp_pending_ct, unlock } => {
            let (hash, expires) = password.as_ref().map_or((None, None), |(h, e)| (Some(h.as_str()), Some(*e)));
            let changed = sqlx::query(
                "UPDATE users SET status = COALESCE($3::text, status), role = COALESCE($4::text, role), \
                 password_hash = COALESCE($5::text, password_hash), \
                 password_expires_ms = COALESCE($6::bigint, password_expires_ms), \
                 totp_ct = COALESCE($7::bytea, totp_ct), \
                 totp_pending_ct = CASE WHEN $8::boolean THEN $9::bytea ELSE totp_pending_ct END, \
                 failed_logins = CASE WHEN $10::boolean THEN 0 ELSE failed_logins END, \
                 locked_until_ms = CASE WHEN $10::boolean THEN 0 ELSE locked_until_ms END \
                 WHERE id = $1 AND ($2::text IS NULL OR status = $2::text)",
            )
            .bind(user.0)
            .bind(*if_status)
            .bind(*status)
            .bind(role.map(|r| r.as_str()))
            .bind(hash)
            .bind(expires)
            .bind(totp_ct.as_deref())
            .bind(totp_pending_ct.is_some())
            .bind(totp_pending_ct.as_ref().and_then(|p| p.as_deref()))
            .bind(*unlock)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            expect_one(changed, "the account changed meanwhile")?;
        }
        Op::SetStaffPhone { user, phone_ct } => {
            let changed = sqlx::query("UPDATE users SET phone_ct = $2 WHERE id = $1")
                .bind(user.0)
                .bind(phone_ct.as_deref())
                .execute(&mut *conn)
                .await?
                .rows_affected();
            expect_one(changed, "no such account")?;
        }
        Op::DeleteUserSessions { user, except } => {
            sqlx::query(
                "DELETE FROM staff_sessions WHERE user_id = $1 AND ($2::bytea IS NULL OR token_hash <> $2::bytea)",
            )
            .bind(user.0)
            .bind(except.as_ref().map(|e| e.as_slice()))
            .execute(&mut *conn)
            .await?;
        }
        Op::SetLoginState { user, failed_logins, locked_until_ms } => {
            let changed = sqlx::query("UPDATE users SET failed_logins = $2, locked_until_ms = $3 WHERE id = $1")
                .bind(user.0)
                .bind(*failed_logins)
                .bind(*locked_until_ms)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            expect_one(changed, "no such user")?;
        }
        Op::QueueConversation { id, priority } => {
            let changed = sqlx::query(
                "UPDATE conversations SET status = 'queued', queued_ms = $2, priority = $3, assigned_to = NULL, \
                 returned = (status = 'closed') \
                 WHERE id = $1 AND status IN ('bot', 'closed')",
            )
            .bind(id.0)
            .bind(at)
            .bind(*priority)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            expect_one(changed, "the conversation is already queued or with an operator")?;
        }
        Op::TakeConversation { id, user } => {
            let changed = sqlx::query(
                "UPDATE conversations SET status = 'assigned', assigned_to = $2 WHERE id = $1 AND status = 'queued'",
            )
            .bind(id.0)
            .bind(user.0)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            expect_one(changed, "the conversation was taken by someone else")?;
        }
        Op::CloseConversation { id } => {
            let changed =
                sqlx::query("UPDATE conversations SET status = 'closed' WHERE id = $1 AND status <> 'closed'")
                    .bind(id.0)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
            expect_one(changed, "the conversation is already closed")?;
        }
        Op::InsertSession { token_hash, user } => {
            sqlx::query(
                "INSERT INTO staff_sessions (token_hash, user_id, created_ms, last_seen_ms) VALUES ($1, $2, $3, $3)",
            )
            .bind(token_hash.as_slice())
            .bind(user.0)
            .bind(at)
            .execute(&mut *conn)
            .await?;
        }
        Op::TouchSession { token_hash } => {
            sqlx::query("UPDATE staff_sessions SET last_seen_ms = $2 WHERE token_hash = $1")
                .bind(token_hash.as_slice())
                .bind(at)
                .execute(&mut *conn)
                .await?;
        }
        Op::DeleteSession { token_hash } => {
            sqlx::query("DELETE FROM staff_sessions WHERE token_hash = $1")
                .bind(token_hash.as_slice())
                .execute(&mut *conn)
                .await?;
        }
        Op::RevokeChatToken { conversation } => {
            let changed =
                sqlx::query("UPDATE conversations SET token_hash = NULL WHERE id = $1 AND token_hash IS NOT NULL")
                    .bind(conversation.0)
                    .execute(&mut *conn)
                    .await?
                    .rows_affected();
            expect_one(changed, "the chat session has already ended")?;
        }
        Op::AssignCase { id, from, to } => {
            let changed = sqlx::query(
                "UPDATE cases SET assigned_to = $3, updated_ms = $4 WHERE id = $1 \
                 AND assigned_to IS NOT DISTINCT FROM $2 AND state NOT IN ('exited', 'closed') AND EXISTS \
                 (SELECT 1 FROM users WHERE id = $3 AND role = 'specialist' AND status = 'active')",
            )
            .bind(id.0)
            .bind(from.map(|u| u.0))
            .bind(to.0)
            .bind(at)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            expect_one(changed, "the case changed hands meanwhile")?;
        }
        Op::SetIntakeMac { case, mac } => {
            let changed = sqlx::query("UPDATE cases SET intake_mac = $2 WHERE id = $1 AND shredded_seq IS NULL")
                .bind(case.0)
                .bind(mac.as_slice())
                .execute(&mut *conn)
                .await?
                .rows_affected();
            expect_one(changed, "no such case")?;
        }
        Op::ForgetIntakeMac { case } => {
            sqlx::query("UPDATE cases SET intake_mac = NULL WHERE id = $1").bind(case.0).execute(&mut *conn).await?;
        }
        Op::InsertCaseFlag { id, case, by, reason_ct } => {
            sqlx::query("INSERT INTO case_flags (id, case_id, by_user, reason_ct, at_ms) VALUES ($1, $2, $3, $4, $5)")
                .bind(*id)
                .bind(case.0)
                .bind(by.0)
                .bind(reason_ct.as_slice())
                .bind(at)
                .execute(&mut *conn)
                .await?;
        }
        Op::SetNextContact { id, next_ms } => {
            let changed = sqlx::query(
                "UPDATE cases SET next_contact_ms = $2 WHERE id = $1 AND state NOT IN ('exited', 'closed')",
            )
            .bind(id.0)
            .bind(next_ms)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            expect_one(changed, "the case finished meanwhile")?;
        }
        Op::RecordContact { id } => {
            sqlx::query("UPDATE cases SET last_contact_ms = $2, next_contact_ms = NULL WHERE id = $1")
                .bind(id.0)
                .bind(at)
                .execute(&mut *conn)
                .await?;
        }
        Op::ShredConversation { conversation, idle_before_ms, event_index } => {
            // The guard first: the statements after it run only for a conversation that passed.
            let changed = sqlx::query(
                "UPDATE conversations SET token_hash = NULL, shredded_seq = $2 \
                 WHERE id = $1 AND case_id IS NULL AND shredded_seq IS NULL AND status IN ('bot', 'closed') \
                 AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = $1 AND m.at_ms >= $3)",
            )
            .bind(conversation.0)
            .bind(first_seq + *event_index as i64)
            .bind(*idle_before_ms)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            expect_one(changed, "the conversation is in use or already shredded")?;
            sqlx::query(
                "DELETE FROM channel_identities WHERE contact_id = (SELECT contact_id FROM conversations WHERE id = $1) \
                 AND NOT EXISTS (SELECT 1 FROM conversations o JOIN data_keys k ON k.id = o.key_id \
                                 WHERE o.contact_id = channel_identities.contact_id AND o.id <> $1 \
                                 AND k.wrapped IS NOT NULL)",
            )
            .bind(conversation.0)
            .execute(&mut *conn)
            .await?;
            sqlx::query("DELETE FROM flow_sessions WHERE conversation_id = $1")
                .bind(conversation.0)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "UPDATE data_keys SET wrapped = NULL, shredded_ms = $2 \
                 WHERE id = (SELECT key_id FROM conversations WHERE id = $1)",
            )
            .bind(conversation.0)
            .bind(at)
            .execute(&mut *conn)
            .await?;
        }
        Op::InsertLocationReport { id, case, conversation, key_id, source, recorded_by, true_at_ms, body_ct } => {
            sqlx::query(
                "INSERT INTO location_reports (id, case_id, conversation_id, key_id, source, recorded_by, \
                 true_at_ms, at_ms, body_ct) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(*id)
            .bind(case.map(|c| c.0))
            .bind(conversation.map(|c| c.0))
            .bind(*key_id)
            .bind(*source)
            .bind(recorded_by.map(|u| u.0))
            .bind(*true_at_ms)
            .bind(at)
            .bind(body_ct.as_slice())
            .execute(&mut *conn)
            .await?;
        }
        Op::Exit(exit) => super::exit_plans::apply_exit(conn, exit, at).await?,
        Op::Outbox(outbox) => super::outbox::apply_outbox(conn, outbox, at).await?,
        Op::Figures(figures) => super::figures::apply_figures(conn, figures).await?,
        Op::ReportDeployed { id } => {
            sqlx::query("UPDATE cases SET deployed_reported_ms = $2 WHERE id = $1")
                .bind(id.0)
                .bind(at)
                .execute(&mut *conn)
                .await?;
        }
        Op::LinkRelative { conversation, case } => {
            let changed = sqlx::query(
                "UPDATE conversations SET relative_of = $2 WHERE id = $1 AND case_id IS NULL \
                 AND relative_of IS NULL",
            )
            .bind(conversation.0)
            .bind(case.0)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            expect_one(changed, "the conversation was linked meanwhile")?;
        }
        Op::ReplaceCodename { id, hash } => {
            let taken = sqlx::query("SELECT 1 FROM cases WHERE codename_hash = $1")
                .bind(hash.as_slice())
                .fetch_optional(&mut *conn)
                .await?;
            if taken.is_some() {
                return Err(StoreError::Conflict("codename in use"));
            }
            let changed = sqlx::query(
                "UPDATE cases SET codename_hash = $2, updated_ms = $3 WHERE id = $1 \
                 AND state NOT IN ('exited', 'closed')",
            )
            .bind(id.0)
            .bind(hash.as_slice())
            .bind(at)
            .execute(&mut *conn)
            .await?
            .rows_affected();
            expect_one(changed, "the case finished meanwhile")?;
        }
    }
    Ok(())
}
