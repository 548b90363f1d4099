//! Writes to the current-state tables, as values. A job is the unit of atomicity: its ops and
//! events commit together or not at all; many jobs share one transaction under group commit.

use safepassage_domain::{
    CaseId, CaseKind, CaseState, Channel, CloseReason, ContactId, ConversationId, Event, Language, MessageId, Role,
    Sender, UserId,
};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub(crate) enum Op {
    InsertMasterKey {
        id: String,
        kcv: Vec<u8>,
    },
    RetireMasterKey {
        id: String,
    },
    InsertDataKey {
        id: Uuid,
        purpose: &'static str,
        master_key_id: String,
        wrapped: Vec<u8>,
    },
    InsertContact {
        id: ContactId,
    },
    InsertIdentity {
        hash: [u8; 32],
        channel: Channel,
        contact: ContactId,
    },
    InsertConversation {
        id: ConversationId,
        contact: ContactId,
        channel: Channel,
        language: Language,
        key_id: Uuid,
        token_hash: Option<[u8; 32]>,
    },
    /// The message's `seq` is the seq of the job's event at `event_index`.
    InsertMessage {
        id: MessageId,
        conversation: ConversationId,
        event_index: usize,
        sender: Sender,
        body_ct: Vec<u8>,
    },
    InsertCase {
        id: CaseId,
        kind: CaseKind,
        key_id: Uuid,
        assigned_to: Option<UserId>,
    },
    /// Guarded: only a conversation with the bot or closed enters the queue.
    QueueConversation {
        id: ConversationId,
        priority: bool,
    },
    /// Guarded: only a queued conversation can be taken, so two operators never both get it.
    TakeConversation {
        id: ConversationId,
        user: UserId,
    },
    /// Guarded: closing twice conflicts.
    CloseConversation {
        id: ConversationId,
    },
    InsertSession {
        token_hash: [u8; 32],
        user: UserId,
    },
    TouchSession {
        token_hash: [u8; 32],
    },
    DeleteSession {
        token_hash: [u8; 32],
    },
    /// Guarded: only applies while the case is still in `from` (else the job conflicts).
    SetCaseState {
        id: CaseId,
        from: CaseState,
        to: CaseState,
        close_reason: Option<CloseReason>,
    },
    SetComposition {
        id: CaseId,
        size: u32,
        officers: u32,
    },
    /// Guarded: a case gets one codename; a hash already in use conflicts.
    SetCodename {
        id: CaseId,
        hash: [u8; 32],
    },
    /// A duress phrase agreed (its MAC under the case's key), replacing any earlier one.
    SetDuressPhrase {
        case: CaseId,
        mac: [u8; 32],
        words: u32,
    },
    /// The phrase was written: the case is flagged from now (the first time counts).
    FlagDuress {
        case: CaseId,
    },
    JoinCase {
        conversation: ConversationId,
        case: CaseId,
    },
    InsertNote {
        id: Uuid,
        case: CaseId,
        kind: &'static str,
        author: UserId,
        body_ct: Vec<u8>,
    },
    /// Destroys the wrapped keys of a case and of every conversation joined to it, and what
    /// would still point at them: the codename and duress hashes, the conversations' chat
    /// tokens, flow sessions and channel identities. Records the seq of the job's event at
    /// `event_index` as the case's `shredded_seq`, which other nodes watch.
    ShredCase {
        case: CaseId,
        event_index: usize,
    },
    InsertUser {
        id: UserId,
        name: String,
        role: Role,
        password_hash: String,
        totp_ct: Vec<u8>,
        status: &'static str,
        password_expires_ms: i64,
    },
    /// Inserts or replaces a conversation's flow state (sealed by the caller).
    PutFlowSession {
        conversation: ConversationId,
        state_ct: Option<Vec<u8>>,
        summary_ct: Vec<u8>,
        wait_timeout_ms: Option<i64>,
        expires_ms: Option<i64>,
        expected_version: i64,
    },
    DeleteFlowSession {
        conversation: ConversationId,
    },
    SetLoginState {
        user: UserId,
        failed_logins: i64,
        locked_until_ms: i64,
    },
    /// A flow file as given; its `seq` is the seq of the job's event at `event_index`.
    InsertFlowImport {
        id: Uuid,
        event_index: usize,
        export: String,
        digest: [u8; 32],
        by: UserId,
        /// Comma-separated outside action types allowed.
        allowed_outside: String,
    },
    /// Inserts or replaces a channel's intake flow; `seq` as for `InsertFlowImport`.
    SetIntakeFlow {
        channel: Channel,
        flow: Option<Uuid>,
        event_index: usize,
        by: UserId,
    },
    /// Counts a login attempt before its password is checked, in one guarded update: the count
    /// goes up (a spent lock starts it again at 1) and reaching `max_failures` locks the account
    /// for `lockout_ms`. Conflicts while the account is locked, so parallel attempts beyond the
    /// limit never reach the password check. A successful login resets the count.
    ClaimLoginAttempt {
        user: UserId,
        max_failures: i64,
        lockout_ms: i64,
    },
    /// Takes a TOTP time step for an account if it is newer than the last one taken: a code
    /// opens one session, whichever node it reaches. Conflicts otherwise.
    ClaimTotpStep {
        user: UserId,
        step: i64,
    },
    /// Spends one codename attempt of a conversation (GCRA on `codename_tat_ms`: `burst`
    /// attempts, one back every `every_ms`); conflicts when none is left.
    ClaimCodenameAttempt {
        conversation: ConversationId,
        every_ms: i64,
        burst: i64,
    },
    /// Changes an account; `None` leaves a column as it is. Guarded by `if_status` when given.
    UpdateUser {
        user: UserId,
        if_status: Option<&'static str>,
        status: Option<&'static str>,
        role: Option<Role>,
        /// A new password hash and when it expires (0: never, the owner chose it).
        password: Option<(String, i64)>,
        totp_ct: Option<Vec<u8>>,
        /// `Some(None)` clears the pending secret.
        totp_pending_ct: Option<Option<Vec<u8>>>,
        /// Clears the failure count and any lock.
        unlock: bool,
    },
    /// Sets or clears (`None`) where a staff member takes calls, sealed under the staff key.
    SetStaffPhone {
        user: UserId,
        phone_ct: Option<Vec<u8>>,
    },
    /// Ends every session of an account but `except` (the one making the change, if any).
    DeleteUserSessions {
        user: UserId,
        except: Option<[u8; 32]>,
    },
    /// Guarded: forgets a web chat's token hash; a token already gone conflicts.
    RevokeChatToken {
        conversation: ConversationId,
    },
    /// Guarded: gives an open case held by `from` to `to`, an active specialist; a case that
    /// changed hands or closed meanwhile, or a target no longer such, conflicts.
    AssignCase {
        id: CaseId,
        from: Option<UserId>,
        to: UserId,
    },
    /// Screening: the MAC of the bot's intake answers of a case it registered.
    SetIntakeMac {
        case: CaseId,
        mac: [u8; 32],
    },
    /// Screening: forgets a case's intake MAC (with its shred).
    ForgetIntakeMac {
        case: CaseId,
    },
    /// A case flagged as a possible provocation; the reason sealed by the caller.
    InsertCaseFlag {
        id: Uuid,
        case: CaseId,
        by: UserId,
        reason_ct: Vec<u8>,
    },
    /// Guarded: destroys the key of a conversation that never became a case, nobody holds
    /// (with the bot or closed) and that had no message since `idle_before_ms`, with its chat
    /// token, flow session and, when no other readable conversation shares them, the channel
    /// identities of its contact. Anything else conflicts, so a conversation that came alive
    /// meanwhile is left alone. Records the seq of the job's event at `event_index` as the
    /// conversation's `shredded_seq`, which other nodes watch.
    ShredConversation {
        conversation: ConversationId,
        idle_before_ms: i64,
        event_index: usize,
    },
    /// A location report, its place sealed under `key_id` (the case's key, or the
    /// conversation's when the report has no case).
    InsertLocationReport {
        id: Uuid,
        case: Option<CaseId>,
        conversation: Option<ConversationId>,
        key_id: Uuid,
        source: &'static str,
        recorded_by: Option<UserId>,
        true_at_ms: i64,
        body_ct: Vec<u8>,
    },
    /// The exit path's writes (`exit_ops.rs`).
    Exit(crate::exit_ops::ExitOp),
    /// Guarded: the holder expects the next contact by `next_ms`; a finished case conflicts.
    SetNextContact {
        id: CaseId,
        next_ms: i64,
    },
    /// The applicant made contact (a message in a case conversation, a codename join): the
    /// last contact is now, and the holder's date is spent.
    RecordContact {
        id: CaseId,
    },
    /// Guarded: an open case's codename becomes `hash` (first or again); a hash in use by any
    /// case conflicts, and the old hash stops matching.
    ReplaceCodename {
        id: CaseId,
        hash: [u8; 32],
    },
    /// Guarded: a conversation that belongs to no case, and is no relative's yet, becomes a
    /// relative's conversation of `case`.
    LinkRelative {
        conversation: ConversationId,
        case: CaseId,
    },
    /// The applicant reported being deployed: the case remembers when.
    ReportDeployed {
        id: CaseId,
    },
    /// The messenger channels' outbox, receipts and reply addresses (`outbox_ops.rs`).
    Outbox(crate::outbox_ops::OutboxOp),
    Figures(crate::figures_ops::FiguresOp),
}

#[derive(Debug, Clone)]
pub(crate) struct Job {
    pub at_ms: i64,
    pub ops: Vec<Op>,
    pub events: Vec<Event>,
}

/// A guarded update must change exactly one row; otherwise the job conflicts (and fails).
pub(crate) fn expect_one(changed: impl TryInto<u64>, what: &'static str) -> Result<(), crate::error::StoreError> {
    match changed.try_into() {
        Ok(1) => Ok(()),
        _ => Err(crate::error::StoreError::Conflict(what)),
    }
}
