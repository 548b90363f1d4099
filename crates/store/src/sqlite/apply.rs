//! Committing a batch on SQLite: one transaction, events chained in order, guarded ops checked.

use std::sync::Arc;

use rusqlite::{params, OptionalExtension, Transaction};

use super::SqliteBackend;
use crate::backend::BatchSeqs;
use crate::chain::Linker;
use crate::error::StoreError;
use crate::ops::{expect_one, Job, Op};

impl SqliteBackend {
    pub(crate) async fn commit_batch(&self, jobs: Arc<Vec<Job>>, linker: Arc<Linker>) -> Result<BatchSeqs, StoreError> {
        let writer = self.writer.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = writer.lock().unwrap_or_else(|p| p.into_inner());
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            let seqs = write_jobs(&tx, &jobs, &linker)?;
            tx.commit()?;
            Ok(seqs)
        })
        .await?
    }
}

fn write_jobs(tx: &Transaction<'_>, jobs: &[Job], linker: &Linker) -> Result<BatchSeqs, StoreError> {
    let (mut seq, mut prev): (i64, Vec<u8>) =
        tx.query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let mut all = Vec::with_capacity(jobs.len());
    let mut insert_event = tx.prepare_cached(
        "INSERT INTO events (seq, at_ms, kind, payload, prev_hash, hash, subject) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for job in jobs {
        let first = seq + 1;
        let mut seqs = Vec::with_capacity(job.events.len());
        for event in &job.events {
            seq += 1;
            let payload = event.canonical_bytes();
            let hash = linker.link(&prev, seq, job.at_ms, event.kind(), &payload);
            let subject = event.subject();
            insert_event.execute(params![
                seq,
                job.at_ms,
                event.kind(),
                payload,
                prev,
                hash.as_slice(),
                subject.as_ref().map(|s| s.as_bytes().as_slice())
            ])?;
            prev = hash.to_vec();
            seqs.push(seq);
        }
        for op in &job.ops {
            apply(tx, op, job.at_ms, first)?;
        }
        all.push(seqs);
    }
    tx.execute("UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1", params![seq, prev])?;
    Ok(all)
}

fn apply(tx: &Transaction<'_>, op: &Op, at: i64, first_seq: i64) -> Result<(), StoreError> {
    match op {
        Op::InsertMasterKey { id, kcv } => {
            tx.prepare_cached("INSERT INTO master_keys (id, kcv, created_ms) VALUES (?1, ?2, ?3)")?
                .execute(params![id, kcv, at])?;
        }
        Op::RetireMasterKey { id } => {
            tx.prepare_cached("UPDATE master_keys SET retired_ms = ?2 WHERE id = ?1")?.execute(params![id, at])?;
        }
        Op::InsertDataKey { id, purpose, master_key_id, wrapped } => {
            tx.prepare_cached(
                "INSERT INTO data_keys (id, purpose, master_key_id, wrapped, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![id.as_bytes(), purpose, master_key_id, wrapped, at])?;
        }
        Op::InsertContact { id } => {
            tx.prepare_cached("INSERT INTO contacts (id, created_ms) VALUES (?1, ?2)")?
                .execute(params![id.as_bytes(), at])?;
        }
        Op::InsertIdentity { hash, channel, contact } => {
            tx.prepare_cached(
                "INSERT INTO channel_identities (identity_hash, channel, contact_id) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![hash.as_slice(), channel.as_str(), contact.as_bytes()])?;
        }
        Op::InsertConversation { id, contact, channel, language, key_id, token_hash } => {
            tx.prepare_cached(
                "INSERT INTO conversations (id, contact_id, channel, language, key_id, status, token_hash, created_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, 'bot', ?6, ?7)",
            )?
            .execute(params![
                id.as_bytes(),
                contact.as_bytes(),
                channel.as_str(),
                language.as_str(),
                key_id.as_bytes(),
                token_hash.as_ref().map(|h| h.as_slice()),
                at
            ])?;
        }
        Op::InsertMessage { id, conversation, event_index, sender, body_ct } => {
            tx.prepare_cached(
                "INSERT INTO messages (id, conversation_id, seq, sender, body_ct, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                id.as_bytes(),
                conversation.as_bytes(),
                first_seq + *event_index as i64,
                sender.as_str(),
                body_ct,
                at
            ])?;
        }
        Op::InsertCase { id, kind, key_id, assigned_to } => {
            let kind = match kind {
                safepassage_domain::CaseKind::Individual => "individual",
                safepassage_domain::CaseKind::Group => "group",
            };
            tx.prepare_cached(
                "INSERT INTO cases (id, kind, state, key_id, assigned_to, created_ms, updated_ms) \
                 VALUES (?1, ?2, 'inquiry', ?3, ?4, ?5, ?5)",
            )?
            .execute(params![
                id.as_bytes(),
                kind,
                key_id.as_bytes(),
                assigned_to.as_ref().map(|u| u.as_bytes().as_slice()),
                at
            ])?;
        }
        Op::QueueConversation { id, priority } => {
            let changed = tx
                .prepare_cached(
                    "UPDATE conversations SET status = 'queued', queued_ms = ?2, priority = ?3, assigned_to = NULL, \
                     returned = (status = 'closed') \
                     WHERE id = ?1 AND status IN ('bot', 'closed')",
                )?
                .execute(params![id.as_bytes(), at, priority])?;
            expect_one(changed, "the conversation is already queued or with an operator")?;
        }
        Op::TakeConversation { id, user } => {
            let changed = tx
                .prepare_cached(
                    "UPDATE conversations SET status = 'assigned', assigned_to = ?2 WHERE id = ?1 AND status = 'queued'",
                )?
                .execute(params![id.as_bytes(), user.as_bytes()])?;
            expect_one(changed, "the conversation was taken by someone else")?;
        }
        Op::CloseConversation { id } => {
            let changed = tx
                .prepare_cached("UPDATE conversations SET status = 'closed' WHERE id = ?1 AND status <> 'closed'")?
                .execute(params![id.as_bytes()])?;
            expect_one(changed, "the conversation is already closed")?;
        }
        Op::InsertSession { token_hash, user } => {
            tx.prepare_cached(
                "INSERT INTO staff_sessions (token_hash, user_id, created_ms, last_seen_ms) VALUES (?1, ?2, ?3, ?3)",
            )?
            .execute(params![token_hash.as_slice(), user.as_bytes(), at])?;
        }
        Op::TouchSession { token_hash } => {
            tx.prepare_cached("UPDATE staff_sessions SET last_seen_ms = ?2 WHERE token_hash = ?1")?
                .execute(params![token_hash.as_slice(), at])?;
        }
        Op::DeleteSession { token_hash } => {
            tx.prepare_cached("DELETE FROM staff_sessions WHERE token_hash = ?1")?
                .execute(params![token_hash.as_slice()])?;
        }
        Op::SetCaseState { id, from, to, close_reason } => {
            let changed = tx
                .prepare_cached(
                    "UPDATE cases SET state = ?3, close_reason = ?4, updated_ms = ?5 WHERE id = ?1 AND state = ?2",
                )?
                .execute(params![id.as_bytes(), from.as_str(), to.as_str(), close_reason.map(|r| r.as_str()), at])?;
            expect_one(changed, "the case was moved by someone else")?;
        }
        Op::SetComposition { id, size, officers } => {
            let changed = tx
                .prepare_cached("UPDATE cases SET group_size = ?2, group_officers = ?3, updated_ms = ?4 WHERE id = ?1")?
                .execute(params![id.as_bytes(), size, officers, at])?;
            expect_one(changed, "no such case")?;
        }
        Op::SetCodename { id, hash } => {
            let taken: Option<i64> = tx
                .prepare_cached("SELECT 1 FROM cases WHERE codename_hash = ?1")?
                .query_row(params![hash.as_slice()], |r| r.get(0))
                .optional()?;
            if taken.is_some() {
                return Err(StoreError::Conflict("codename in use"));
            }
            let changed = tx
                .prepare_cached(
                    "UPDATE cases SET codename_hash = ?2, updated_ms = ?3 WHERE id = ?1 AND codename_hash IS NULL",
                )?
                .execute(params![id.as_bytes(), hash.as_slice(), at])?;
            expect_one(changed, "the case already has a codename")?;
        }
        Op::SetDuressPhrase { case, mac, words } => {
            let changed = tx
                .prepare_cached("UPDATE cases SET duress_mac = ?2, duress_words = ?3 WHERE id = ?1")?
                .execute(params![case.as_bytes(), mac.as_slice(), words])?;
            expect_one(changed, "no such case")?;
        }
        Op::FlagDuress { case } => {
            let changed = tx
                .prepare_cached("UPDATE cases SET duress_flagged_ms = COALESCE(duress_flagged_ms, ?2) WHERE id = ?1")?
                .execute(params![case.as_bytes(), at])?;
            expect_one(changed, "no such case")?;
        }
        Op::JoinCase { conversation, case } => {
            let changed = tx
                .prepare_cached("UPDATE conversations SET case_id = ?2 WHERE id = ?1")?
                .execute(params![conversation.as_bytes(), case.as_bytes()])?;
            expect_one(changed, "no such conversation")?;
        }
        Op::InsertNote { id, case, kind, author, body_ct } => {
            tx.prepare_cached(
                "INSERT INTO case_notes (id, case_id, kind, author, body_ct, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![id.as_bytes(), case.as_bytes(), kind, author.as_bytes(), body_ct, at])?;
        }
        Op::ShredCase { case, event_index } => {
            let case = case.as_bytes();
            tx.prepare_cached(
                "UPDATE data_keys SET wrapped = NULL, shredded_ms = ?2 \
                 WHERE id IN (SELECT key_id FROM cases WHERE id = ?1 \
                              UNION SELECT key_id FROM conversations WHERE case_id = ?1)",
            )?
            .execute(params![case, at])?;
            tx.prepare_cached(
                "DELETE FROM flow_sessions WHERE conversation_id IN (SELECT id FROM conversations WHERE case_id = ?1)",
            )?
            .execute(params![case])?;
            tx.prepare_cached(
                "DELETE FROM channel_identities \
                 WHERE contact_id IN (SELECT contact_id FROM conversations WHERE case_id = ?1)",
            )?
            .execute(params![case])?;
            tx.prepare_cached("UPDATE conversations SET token_hash = NULL WHERE case_id = ?1")?
                .execute(params![case])?;
            let changed = tx
                .prepare_cached(
                    "UPDATE cases SET codename_hash = NULL, duress_mac = NULL, duress_words = NULL, \
                     shredded_seq = ?3, updated_ms = ?2 WHERE id = ?1 AND shredded_seq IS NULL",
                )?
                .execute(params![case, at, first_seq + *event_index as i64])?;
            expect_one(changed, "the case was shredded already")?;
        }
        Op::InsertUser { id, name, role, password_hash, totp_ct, status, password_expires_ms } => {
            tx.prepare_cached(
                "INSERT INTO users (id, name, role, password_hash, totp_ct, created_ms, status, password_expires_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                id.as_bytes(),
                name,
                role.as_str(),
                password_hash,
                totp_ct,
                at,
                status,
                password_expires_ms
            ])?;
        }
        Op::ClaimLoginAttempt { user, max_failures, lockout_ms } => {
            // Every right-hand side sees the row as it was, so the new count is spelled twice.
            let changed = tx
                .prepare_cached(
                    "UPDATE users SET \
                     failed_logins = CASE WHEN locked_until_ms > 0 THEN 1 ELSE failed_logins + 1 END, \
                     locked_until_ms = CASE WHEN (CASE WHEN locked_until_ms > 0 THEN 1 ELSE failed_logins + 1 END) >= ?3 \
                         THEN ?2 + ?4 ELSE 0 END \
                     WHERE id = ?1 AND locked_until_ms <= ?2",
                )?
                .execute(params![user.as_bytes(), at, max_failures, lockout_ms])?;
            expect_one(changed, "the account is locked")?;
        }
        Op::ClaimTotpStep { user, step } => {
            let changed = tx
                .prepare_cached(
                    "UPDATE users SET totp_last_step = ?2 \
                     WHERE id = ?1 AND (totp_last_step IS NULL OR totp_last_step < ?2)",
                )?
                .execute(params![user.as_bytes(), step])?;
            expect_one(changed, "the code was used already")?;
        }
        Op::ClaimCodenameAttempt { conversation, every_ms, burst } => {
            let changed = tx
                .prepare_cached(
                    "UPDATE conversations SET codename_tat_ms = max(COALESCE(codename_tat_ms, 0), ?2) + ?3 \
                     WHERE id = ?1 AND max(COALESCE(codename_tat_ms, 0), ?2) + ?3 - ?2 <= ?3 * ?4",
                )?
                .execute(params![conversation.as_bytes(), at, every_ms, burst])?;
            expect_one(changed, "no codename attempt left")?;
        }
        Op::UpdateUser { user, if_status, status, role, password, totp_ct, totp_pending_ct, unlock } => {
            let (hash, expires) = password.as_ref().map_or((None, None), |(h, e)| (Some(h.as_str()), Some(*e)));
            let changed = tx
                .prepare_cached(
                    "UPDATE users SET status = COALESCE(?3, status), role = COALESCE(?4, role), \
                     password_hash = COALESCE(?5, password_hash), \
                     password_expires_ms = COALESCE(?6, password_expires_ms), \
                     totp_ct = COALESCE(?7, totp_ct), \
                     totp_pending_ct = CASE WHEN ?8 THEN ?9 ELSE totp_pending_ct END, \
                     failed_logins = CASE WHEN ?10 THEN 0 ELSE failed_logins END, \
                     locked_until_ms = CASE WHEN ?10 THEN 0 ELSE locked_until_ms END \
                     WHERE id = ?1 AND (?2 IS NULL OR status = ?2)",
                )?
                .execute(params![
                    user.as_bytes(),
                    if_status,
                    status,
                    role.map(|r| r.as_str()),
                    hash,
                    expires,
                    totp_ct,
                    totp_pending_ct.is_some(),
                    totp_pending_ct.as_ref().and_then(|p| p.as_deref()),
                    unlock
                ])?;
            expect_one(changed, "the account changed meanwhile")?;
        }
        Op::SetStaffPhone { user, phone_ct } => {
            let changed = tx
                .prepare_cached("UPDATE users SET phone_ct = ?2 WHERE id = ?1")?
                .execute(params![user.as_bytes(), phone_ct])?;
            expect_one(changed, "no such account")?;
        }
        Op::DeleteUserSessions { user, except } => {
            tx.prepare_cached("DELETE FROM staff_sessions WHERE user_id = ?1 AND (?2 IS NULL OR token_hash <> ?2)")?
                .execute(params![user.as_bytes(), except.as_ref().map(|e| e.as_slice())])?;
        }
        Op::PutFlowSession { conversation, state_ct, summary_ct, wait_timeout_ms, expires_ms, expected_version } => {
            let changed = tx
                .prepare_cached(
                    "INSERT INTO flow_sessions \
                     (conversation_id, state_ct, summary_ct, wait_timeout_ms, expires_ms, updated_ms, version) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1) ON CONFLICT (conversation_id) DO UPDATE SET \
                     state_ct = excluded.state_ct, summary_ct = excluded.summary_ct, \
                     wait_timeout_ms = excluded.wait_timeout_ms, expires_ms = excluded.expires_ms, \
                     updated_ms = excluded.updated_ms, version = flow_sessions.version + 1 \
                     WHERE flow_sessions.version = ?7",
                )?
                .execute(params![
                    conversation.as_bytes(),
                    state_ct,
                    summary_ct,
                    wait_timeout_ms,
                    expires_ms,
                    at,
                    expected_version
                ])?;
            expect_one(changed, "the flow session changed meanwhile")?;
        }
        Op::DeleteFlowSession { conversation } => {
            tx.prepare_cached("DELETE FROM flow_sessions WHERE conversation_id = ?1")?
                .execute(params![conversation.as_bytes()])?;
        }
        Op::SetLoginState { user, failed_logins, locked_until_ms } => {
            let changed = tx
                .prepare_cached("UPDATE users SET failed_logins = ?2, locked_until_ms = ?3 WHERE id = ?1")?
                .execute(params![user.as_bytes(), failed_logins, locked_until_ms])?;
            expect_one(changed, "no such user")?;
        }
        Op::InsertFlowImport { id, event_index, export, digest, by, allowed_outside } => {
            tx.prepare_cached(
                "INSERT INTO flow_imports (id, seq, export, digest, imported_by, imported_ms, allowed_outside) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                id.as_bytes(),
                first_seq + *event_index as i64,
                export,
                digest.as_slice(),
                by.as_bytes(),
                at,
                allowed_outside
            ])?;
        }
        Op::SetIntakeFlow { channel, flow, event_index, by } => {
            tx.prepare_cached(
                "INSERT INTO intake_flows (channel, flow_uuid, seq, set_by, set_ms) VALUES (?1, ?2, ?3, ?4, ?5) \
                 ON CONFLICT (channel) DO UPDATE SET flow_uuid = excluded.flow_uuid, seq = excluded.seq, \
                 set_by = excluded.set_by, set_ms = excluded.set_ms",
            )?
            .execute(params![
                channel.as_str(),
                flow.as_ref().map(|f| f.as_bytes().as_slice()),
                first_seq + *event_index as i64,
                by.as_bytes(),
                at
            ])?;
        }
        Op::RevokeChatToken { conversation } => {
            let changed = tx
                .prepare_cached("UPDATE conversations SET token_hash = NULL WHERE id = ?1 AND token_hash IS NOT NULL")?
                .execute(params![conversation.as_bytes()])?;
            expect_one(changed, "the chat session has already ended")?;
        }
        Op::AssignCase { id, from, to } => {
            let changed = tx
                .prepare_cached(
                    "UPDATE cases SET assigned_to = ?3, updated_ms = ?4 WHERE id = ?1 AND assigned_to IS ?2 \
                     AND state NOT IN ('exited', 'closed') AND EXISTS \
                     (SELECT 1 FROM users WHERE id = ?3 AND role = 'specialist' AND status = 'active')",
                )?
                .execute(params![id.as_bytes(), from.map(|u| u.as_bytes().to_vec()), to.as_bytes(), at])?;
            expect_one(changed, "the case changed hands meanwhile")?;
        }
        Op::SetIntakeMac { case, mac } => {
            let changed = tx
                .prepare_cached("UPDATE cases SET intake_mac = ?2 WHERE id = ?1 AND shredded_seq IS NULL")?
                .execute(params![case.as_bytes(), mac.as_slice()])?;
            expect_one(changed, "no such case")?;
        }
        Op::ForgetIntakeMac { case } => {
            tx.prepare_cached("UPDATE cases SET intake_mac = NULL WHERE id = ?1")?.execute(params![case.as_bytes()])?;
        }
        Op::InsertCaseFlag { id, case, by, reason_ct } => {
            tx.prepare_cached(
                "INSERT INTO case_flags (id, case_id, by_user, reason_ct, at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![id.as_bytes(), case.as_bytes(), by.as_bytes(), reason_ct, at])?;
        }
        Op::ShredConversation { conversation, idle_before_ms, event_index } => {
            let id = conversation.as_bytes();
            // The guard first: the statements after it run only for a conversation that passed.
            let changed = tx
                .prepare_cached(
                    "UPDATE conversations SET token_hash = NULL, shredded_seq = ?2 \
                     WHERE id = ?1 AND case_id IS NULL AND shredded_seq IS NULL AND status IN ('bot', 'closed') \
                     AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = ?1 AND m.at_ms >= ?3)",
                )?
                .execute(params![id, first_seq + *event_index as i64, idle_before_ms])?;
            expect_one(changed, "the conversation is in use or already shredded")?;
            tx.prepare_cached(
                "DELETE FROM channel_identities WHERE contact_id = (SELECT contact_id FROM conversations WHERE id = ?1) \
                 AND NOT EXISTS (SELECT 1 FROM conversations o JOIN data_keys k ON k.id = o.key_id \
                                 WHERE o.contact_id = channel_identities.contact_id AND o.id <> ?1 \
                                 AND k.wrapped IS NOT NULL)",
            )?
            .execute(params![id])?;
            tx.prepare_cached("DELETE FROM flow_sessions WHERE conversation_id = ?1")?.execute(params![id])?;
            tx.prepare_cached(
                "UPDATE data_keys SET wrapped = NULL, shredded_ms = ?2 \
                 WHERE id = (SELECT key_id FROM conversations WHERE id = ?1)",
            )?
            .execute(params![id, at])?;
        }
        Op::InsertLocationReport { id, case, conversation, key_id, source, recorded_by, true_at_ms, body_ct } => {
            tx.prepare_cached(
                "INSERT INTO location_reports (id, case_id, conversation_id, key_id, source, recorded_by, \
                 true_at_ms, at_ms, body_ct) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                id.as_bytes(),
                case.map(|c| c.as_bytes().to_vec()),
                conversation.map(|c| c.as_bytes().to_vec()),
                key_id.as_bytes(),
                source,
                recorded_by.map(|u| u.as_bytes().to_vec()),
                true_at_ms,
                at,
                body_ct
            ])?;
        }
        Op::Exit(exit) => super::exit_plans::apply_exit(tx, exit, at)?,
        Op::Outbox(outbox) => super::outbox::apply_outbox(tx, outbox, at)?,
        Op::Figures(figures) => super::figures::apply_figures(tx, figures)?,
        Op::SetNextContact { id, next_ms } => {
            let changed = tx
                .prepare_cached(
                    "UPDATE cases SET next_contact_ms = ?2 WHERE id = ?1 AND state NOT IN ('exited', 'closed')",
                )?
                .execute(params![id.as_bytes(), next_ms])?;
            expect_one(changed, "the case finished meanwhile")?;
        }
        Op::RecordContact { id } => {
            tx.prepare_cached("UPDATE cases SET last_contact_ms = ?2, next_contact_ms = NULL WHERE id = ?1")?
                .execute(params![id.as_bytes(), at])?;
        }
        Op::ReportDeployed { id } => {
            tx.prepare_cached("UPDATE cases SET deployed_reported_ms = ?2 WHERE id = ?1")?
                .execute(params![id.as_bytes(), at])?;
        }
        Op::LinkRelative { conversation, case } => {
            let changed = tx
                .prepare_cached(
                    "UPDATE conversations SET relative_of = ?2 WHERE id = ?1 AND case_id IS NULL \
                     AND relative_of IS NULL",
                )?
                .execute(params![conversation.as_bytes(), case.as_bytes()])?;
            expect_one(changed, "the conversation was linked meanwhile")?;
        }
        Op::ReplaceCodename { id, hash } => {
            let taken: Option<i64> = tx
                .prepare_cached("SELECT 1 FROM cases WHERE codename_hash = ?1")?
                .query_row(params![hash.as_slice()], |r| r.get(0))
                .optional()?;
            if taken.is_some() {
                return Err(StoreError::Conflict("codename in use"));
            }
            let changed = tx
                .prepare_cached(
                    "UPDATE cases SET codename_hash = ?2, updated_ms = ?3 WHERE id = ?1 \
                     AND state NOT IN ('exited', 'closed')",
                )?
                .execute(params![id.as_bytes(), hash.as_slice(), at])?;
            expect_one(changed, "the case finished meanwhile")?;
        }
    }
    Ok(())
}
