//! The one contract both storage backends keep. The `Store` holds keys and rules; a backend only
//! moves rows: it commits batches of jobs (chaining their events) and answers reads.

use std::sync::Arc;

use async_trait::async_trait;
use safepassage_domain::{CaseId, CaseState, Channel, ConversationId, UserId};
use uuid::Uuid;

use crate::chain::{Linker, SwitchOver};
use crate::error::StoreError;
use crate::figures_ops::FigureRow;
use crate::model::{CaseFilter, CaseView, ConversationView, FlowImport, IntakeFlow, NoteKind, SeqRange, StaffSession};
use crate::ops::Job;
use crate::outbox_ops::{RawFailure, RawOutbound, RawReplyTo};

pub(crate) type FigureCaseClocks = std::collections::HashMap<CaseId, safepassage_domain::figures::tally::CaseClock>;
pub(crate) type FigureQueueClocks =
    std::collections::HashMap<ConversationId, safepassage_domain::figures::tally::QueueClock>;
use crate::store::CaseWait;

/// A data key as stored: wrapped under a master key, or gone (shredded).
#[derive(Debug, Clone)]
pub(crate) struct WrappedKey {
    pub master_key_id: String,
    pub wrapped: Option<Vec<u8>>,
}

#[derive(Debug, Clone)]
pub(crate) struct MasterKeyRow {
    pub id: String,
    pub kcv: Vec<u8>,
    pub retired: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct RawMessage {
    pub id: Uuid,
    pub conversation: Uuid,
    pub seq: i64,
    pub sender: String,
    pub body_ct: Vec<u8>,
    pub at_ms: i64,
    pub key_id: Uuid,
    /// False once the key was shredded (checked in the same query, so it holds across nodes).
    pub key_alive: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct RawNote {
    pub id: Uuid,
    pub kind: NoteKind,
    pub author: Uuid,
    pub body_ct: Vec<u8>,
    pub at_ms: i64,
    pub key_id: Uuid,
    pub key_alive: bool,
}

/// A location report as stored: the place is inside `body_ct`.
#[derive(Debug, Clone)]
pub(crate) struct RawLocationReport {
    pub id: Uuid,
    pub case: Option<Uuid>,
    pub conversation: Option<Uuid>,
    pub key_id: Uuid,
    pub key_alive: bool,
    pub source: String,
    pub recorded_by: Option<Uuid>,
    pub true_at_ms: i64,
    pub at_ms: i64,
    pub body_ct: Vec<u8>,
}

/// A conversation's flow state as stored: ciphertexts under the conversation's key.
#[derive(Debug, Clone)]
pub(crate) struct RawFlowSession {
    pub conversation: Uuid,
    pub state_ct: Option<Vec<u8>>,
    pub summary_ct: Vec<u8>,
    pub wait_timeout_ms: Option<i64>,
    pub expires_ms: Option<i64>,
    pub updated_ms: i64,
    pub key_id: Uuid,
    pub key_alive: bool,
    pub version: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct RawEvent {
    pub seq: i64,
    pub at_ms: i64,
    pub kind: String,
    pub payload: Vec<u8>,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

#[derive(Debug, Clone)]
pub(crate) struct RawUser {
    pub id: Uuid,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub totp_ct: Vec<u8>,
    pub failed_logins: i64,
    pub locked_until_ms: i64,
    pub status: String,
    pub password_expires_ms: i64,
    pub totp_pending_ct: Option<Vec<u8>>,
}

/// The chain's head as stored, and the record of its switch to keyed links.
#[derive(Debug, Clone)]
pub(crate) struct AuditState {
    pub head_seq: i64,
    pub head_hash: Vec<u8>,
    pub switch: Option<SwitchOver>,
}

/// A fresh audit key, to store if the database has none yet.
pub(crate) struct NewAuditKey {
    pub id: Uuid,
    pub master_key_id: String,
    pub wrapped: Vec<u8>,
    pub key: safepassage_keys::DataKey,
}

/// The result of committing one batch: per job, the seqs given to its events.
pub(crate) type BatchSeqs = Vec<Vec<i64>>;

#[async_trait]
pub(crate) trait Backend: Send + Sync + 'static {
    /// Commits all jobs in one transaction, chaining their events in order. Fails whole.
    async fn commit(&self, jobs: Arc<Vec<Job>>, linker: Arc<Linker>) -> Result<BatchSeqs, StoreError>;
    async fn ping(&self) -> Result<(), StoreError>;
    /// Ranges of events other app nodes committed (PostgreSQL); None where there can be none.
    fn remote_commits(&self) -> Option<tokio::sync::broadcast::Receiver<SeqRange>> {
        None
    }
    /// Whether this node committed the event `seq` (as far as it remembers recent commits);
    /// on a single-node store, every event.
    fn committed_here(&self, _seq: i64) -> bool {
        true
    }
    /// Forgets what `committed_here` remembers before `seq`.
    fn forget_commits_before(&self, _seq: i64) {}
    /// App nodes alive on this database, this one included.
    fn live_nodes(&self) -> usize {
        1
    }
    /// Paces work shared by every node: reserves the next turn of `name` (one every `every_ms`,
    /// bursts of `burst`) and says in how many milliseconds it comes.
    async fn pace(&self, name: &str, every_ms: i64, burst: i64) -> Result<i64, StoreError>;
    /// Whether any key or event exists: a store with data must never get a new master key.
    async fn has_data(&self) -> Result<bool, StoreError>;
    async fn master_keys(&self) -> Result<Vec<MasterKeyRow>, StoreError>;
    async fn data_key(&self, id: Uuid) -> Result<Option<WrappedKey>, StoreError>;
    async fn system_key(&self, purpose: &str) -> Result<Option<(Uuid, WrappedKey)>, StoreError>;
    async fn contact_by_identity(&self, hash: [u8; 32]) -> Result<Option<Uuid>, StoreError>;
    async fn conversation(&self, id: ConversationId) -> Result<Option<ConversationView>, StoreError>;
    async fn conversation_by_token(&self, hash: [u8; 32]) -> Result<Option<ConversationView>, StoreError>;
    async fn messages(
        &self,
        conversation: ConversationId,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<RawMessage>, StoreError>;
    async fn case(&self, id: CaseId) -> Result<Option<CaseView>, StoreError>;
    /// Queued conversations: priority first, then oldest first.
    async fn queue(&self, limit: i64) -> Result<Vec<ConversationView>, StoreError>;
    /// Calls still with the bot that began at `since_ms` or later, oldest first.
    async fn calls_with_the_bot(&self, since_ms: i64, limit: i64) -> Result<Vec<ConversationView>, StoreError>;
    async fn conversations_assigned_to(&self, user: UserId) -> Result<Vec<ConversationView>, StoreError>;
    async fn conversations_of_case(&self, case: CaseId) -> Result<Vec<ConversationView>, StoreError>;
    async fn cases(&self, filter: CaseFilter, limit: i64) -> Result<Vec<CaseView>, StoreError>;
    /// Open cases no specialist holds (nobody, or the operator who opened them), newest first.
    async fn unassigned_cases(&self, limit: i64) -> Result<Vec<CaseView>, StoreError>;
    /// Events whose subject is `subject`, oldest first.
    async fn timeline(&self, subject: Uuid, limit: i64) -> Result<Vec<RawEvent>, StoreError>;
    async fn session(&self, token_hash: [u8; 32]) -> Result<Option<StaffSession>, StoreError>;
    async fn users(&self) -> Result<Vec<RawUser>, StoreError>;
    async fn case_by_codename(&self, hash: [u8; 32]) -> Result<Option<CaseId>, StoreError>;
    async fn notes(&self, case: CaseId) -> Result<Vec<RawNote>, StoreError>;
    async fn events(&self, after_seq: i64, limit: i64) -> Result<Vec<RawEvent>, StoreError>;
    async fn user_by_name(&self, name: &str) -> Result<Option<RawUser>, StoreError>;
    async fn user(&self, id: UserId) -> Result<Option<RawUser>, StoreError>;
    /// Data keys still wrapped under `master_key_id`, at most `limit`.
    async fn keys_wrapped_under(&self, master_key_id: &str, limit: i64) -> Result<Vec<(Uuid, Vec<u8>)>, StoreError>;
    /// Replaces wrapped keys, each only if it is still under `from_master` (a concurrent shred wins).
    async fn rewrap(&self, from_master: &str, to_master: &str, keys: Vec<(Uuid, Vec<u8>)>) -> Result<(), StoreError>;
    async fn flow_session(&self, conversation: ConversationId) -> Result<Option<RawFlowSession>, StoreError>;
    /// Conversations whose flow waits with a timeout or an expiry at or before `now_ms`, the
    /// longest overdue first.
    async fn due_flow_sessions(&self, now_ms: i64, limit: i64) -> Result<Vec<ConversationId>, StoreError>;
    /// Rows per table, for metrics: counts only.
    async fn counts(&self) -> Result<Vec<(&'static str, i64)>, StoreError>;
    /// Every imported flow file, oldest first.
    async fn flow_imports(&self) -> Result<Vec<FlowImport>, StoreError>;
    async fn intake_flows(&self) -> Result<Vec<IntakeFlow>, StoreError>;
    /// The seq of the last change to the flow library or the intake settings (0: none).
    async fn flow_library_version(&self) -> Result<i64, StoreError>;
    /// The last `limit` messages of a conversation (the highest seqs), oldest first: a page of
    /// a long transcript without reading the rest.
    async fn last_messages(&self, conversation: ConversationId, limit: i64) -> Result<Vec<RawMessage>, StoreError>;
    /// The audit chain's head and switch-over record.
    async fn audit_state(&self) -> Result<AuditState, StoreError>;
    /// The audit key as stored, with the switch-over record. When the database has no audit
    /// key yet, stores `new` and records the switch-over at the next seq, covering the head,
    /// in one transaction holding the head's lock (several nodes may start at once).
    async fn init_audit(&self, new: NewAuditKey) -> Result<(Uuid, WrappedKey, Option<SwitchOver>), StoreError>;
    /// Cases shredded by events after `after_seq`, oldest first, with the seq of each shred.
    async fn shreds_after(&self, after_seq: i64) -> Result<Vec<(i64, CaseId)>, StoreError>;
    /// Wakes when another app node shredded a case (PostgreSQL); None where there can be none.
    fn shred_notices(&self) -> Option<tokio::sync::broadcast::Receiver<()>> {
        None
    }
    /// How open cases wait for their applicant: held by `holder`, or all of them.
    async fn case_waits(&self, holder: Option<UserId>, limit: i64) -> Result<Vec<CaseWait>, StoreError>;
    /// How one case waits (open or not).
    async fn case_wait(&self, id: CaseId) -> Result<Option<CaseWait>, StoreError>;
    /// The case a conversation is a relative's conversation of, if any.
    async fn relative_of(&self, conversation: ConversationId) -> Result<Option<CaseId>, StoreError>;
    /// The relatives' conversations linked to a case, oldest first.
    async fn relatives(&self, case: CaseId) -> Result<Vec<ConversationId>, StoreError>;
    /// Finished cases in `states` (closed, exited) whose last change falls in
    /// `[from_ms, to_ms)`, the newest first, a page of `limit` after `offset`.
    async fn archived_cases(
        &self,
        states: &'static [safepassage_domain::CaseState],
        (from_ms, to_ms): (i64, i64),
        (limit, offset): (i64, i64),
    ) -> Result<Vec<CaseId>, StoreError>;
    /// Every version of a case's exit plan, newest first.
    async fn exit_plans(&self, case: CaseId) -> Result<Vec<crate::exit_ops::RawPlan>, StoreError>;
    /// Plans waiting for a coordinator, oldest submission first.
    async fn plans_to_approve(&self, limit: i64) -> Result<Vec<crate::exit_ops::PlanToApprove>, StoreError>;
    /// Operations' reports on a case, oldest first.
    async fn operations_reports(&self, case: CaseId) -> Result<Vec<crate::exit_ops::RawReport>, StoreError>;
    /// The outcome facts of a case, oldest first.
    async fn case_outcomes(&self, case: CaseId) -> Result<Vec<crate::exit_ops::RawOutcome>, StoreError>;
    /// A case's location reports, and those of its conversations recorded before they joined
    /// it: newest true time first, at most `limit`.
    async fn case_location_reports(&self, case: CaseId, limit: i64) -> Result<Vec<RawLocationReport>, StoreError>;
    /// The location reports an applicant sent in a conversation (with a case or not), newest first.
    async fn conversation_location_reports(
        &self,
        conversation: ConversationId,
        limit: i64,
    ) -> Result<Vec<RawLocationReport>, StoreError>;
    /// Screening: the flags of a case, oldest first.
    async fn case_flags(&self, case: CaseId) -> Result<Vec<RawCaseFlag>, StoreError>;
    /// Screening: cases with an intake MAC opened at or after `since_ms`, with it and when.
    async fn intake_macs_since(&self, since_ms: i64, limit: i64) -> Result<Vec<(CaseId, [u8; 32], i64)>, StoreError>;
    /// Screening: `case_opened` and `conversation_joined_case` events at or after `since_ms`.
    async fn case_join_events_since(&self, since_ms: i64, limit: i64) -> Result<Vec<RawEvent>, StoreError>;
    /// Retention: cases in `state`, not shredded, last changed before `before_ms`, oldest first.
    async fn cases_idle_in(&self, state: CaseState, before_ms: i64, limit: i64) -> Result<Vec<CaseId>, StoreError>;
    /// Retention: conversations that never became a case, nobody holds, not shredded, started
    /// before `before_ms` and with no message since, oldest first.
    async fn idle_caseless_conversations(&self, before_ms: i64, limit: i64) -> Result<Vec<ConversationId>, StoreError>;
    /// Retention: conversations without a case shredded by events after `after_seq`, oldest
    /// first, with the seq of each shred.
    async fn conversation_shreds_after(&self, after_seq: i64) -> Result<Vec<(i64, ConversationId)>, StoreError>;
    /// Figures: the last event projected.
    async fn figures_cursor(&self) -> Result<i64, StoreError>;
    /// Figures: the clocks of these cases and queued conversations (those that have one).
    async fn figure_clocks(
        &self,
        cases: Vec<CaseId>,
        conversations: Vec<ConversationId>,
    ) -> Result<(FigureCaseClocks, FigureQueueClocks), StoreError>;
    /// Figures: the non-zero counters of `metrics` from `from_day` to `to_day` (inclusive).
    async fn figure_counts(
        &self,
        metrics: &[&'static str],
        from_day: i32,
        to_day: i32,
    ) -> Result<Vec<FigureRow>, StoreError>;
    /// Figures: conversations taken per member of staff and day, without who.
    async fn figures_taken(&self, from_day: i32, to_day: i32) -> Result<Vec<(i32, i64)>, StoreError>;
    async fn figures_mapping(&self) -> Result<Option<String>, StoreError>;
    async fn figures_internal(&self, user: UserId) -> Result<bool, StoreError>;
    /// Outbox: pending rows due at `now_ms`, the longest due first, at most `limit`.
    async fn due_outbound(&self, now_ms: i64, limit: i64) -> Result<Vec<RawOutbound>, StoreError>;
    /// Outbox: one row, whatever its state.
    async fn outbound(&self, id: Uuid) -> Result<Option<RawOutbound>, StoreError>;
    /// Outbox: a conversation's failed rows, oldest failure first.
    async fn outbound_failures(&self, conversation: ConversationId) -> Result<Vec<RawFailure>, StoreError>;
    /// Whether an inbound update was recorded.
    async fn has_receipt(&self, source: &str, receipt: i64) -> Result<bool, StoreError>;
    /// Forgets receipts recorded before `before_ms`; how many. Written straight (no event, no
    /// job): receipts are only a guard against redelivery.
    async fn prune_receipts(&self, before_ms: i64) -> Result<u64, StoreError>;
    /// A conversation's sealed reply address, with its key.
    async fn reply_to(&self, conversation: ConversationId) -> Result<Option<RawReplyTo>, StoreError>;
    /// Where a staff member takes calls, sealed; None when unset (or no such account).
    async fn staff_phone_ct(&self, user: UserId) -> Result<Option<Vec<u8>>, StoreError>;
    /// The newest readable conversation on `channel` of the contact with this identity hash.
    async fn latest_conversation_for_identity(
        &self,
        hash: [u8; 32],
        channel: Channel,
    ) -> Result<Option<ConversationView>, StoreError>;
}

/// A screening flag as stored: the reason sealed under the case's key.
#[derive(Debug, Clone)]
pub(crate) struct RawCaseFlag {
    pub id: Uuid,
    pub by: Uuid,
    pub reason_ct: Vec<u8>,
    pub at_ms: i64,
    pub key_id: Uuid,
    pub key_alive: bool,
}
