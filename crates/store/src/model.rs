//! What the store hands back: decrypted views, with "shredded" as a value rather than an error.

use safepassage_domain::{
    CaseId, CaseKind, CaseState, Channel, CloseReason, ContactId, ConversationId, Event, GroupComposition, Language,
    MessageId, Role, Sender, UserId,
};
use uuid::Uuid;

/// Decrypted text, or the fact that its key was destroyed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    Text(String),
    Shredded,
}

impl Body {
    pub fn text(&self) -> Option<&str> {
        match self {
            Body::Text(t) => Some(t),
            Body::Shredded => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageView {
    pub id: MessageId,
    pub conversation: ConversationId,
    pub seq: i64,
    pub sender: Sender,
    pub body: Body,
    pub at_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationStatus {
    Bot,
    Queued,
    Assigned,
    Closed,
}

impl ConversationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConversationStatus::Bot => "bot",
            ConversationStatus::Queued => "queued",
            ConversationStatus::Assigned => "assigned",
            ConversationStatus::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<ConversationStatus> {
        [Self::Bot, Self::Queued, Self::Assigned, Self::Closed].into_iter().find(|c| c.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationView {
    pub id: ConversationId,
    pub contact: ContactId,
    pub channel: Channel,
    pub language: Language,
    pub case: Option<CaseId>,
    pub status: ConversationStatus,
    pub assigned_to: Option<UserId>,
    pub created_ms: i64,
    pub last_message_ms: i64,
    /// When it entered the operators' queue (its waiting time starts here).
    pub queued_ms: Option<i64>,
    pub priority: bool,
    /// It came back to the queue from closed (the applicant wrote again): the rules of need to
    /// know then keep a case's history from whoever happens to be on the queue.
    pub returned: bool,
    pub(crate) key_id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseView {
    pub id: CaseId,
    pub kind: CaseKind,
    pub state: CaseState,
    pub composition: Option<GroupComposition>,
    pub close_reason: Option<CloseReason>,
    pub has_codename: bool,
    pub shredded: bool,
    /// The specialist who owns the case.
    pub assigned_to: Option<UserId>,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub(crate) key_id: Uuid,
    /// The MAC of the agreed duress phrase and its number of words, if one was agreed.
    pub(crate) duress: Option<([u8; 32], usize)>,
    /// Since when the case is flagged: the applicant wrote the duress phrase.
    pub under_duress_since_ms: Option<i64>,
}

/// The stored duress phrase of a case, when both columns hold something sensible.
pub(crate) fn duress_of(mac: Option<Vec<u8>>, words: Option<i64>) -> Option<([u8; 32], usize)> {
    let mac: [u8; 32] = mac?.try_into().ok()?;
    let words =
        usize::try_from(words?).ok().filter(|w| (2..=safepassage_domain::duress::MAX_PHRASE_WORDS).contains(w))?;
    Some((mac, words))
}

impl CaseView {
    /// Whether a duress phrase was agreed for the case.
    pub fn has_duress_phrase(&self) -> bool {
        self.duress.is_some()
    }

    pub fn as_domain(&self) -> safepassage_domain::Case {
        safepassage_domain::Case { id: self.id, state: self.state, kind: self.kind, composition: self.composition }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    Note,
    Location,
}

impl NoteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::Note => "note",
            NoteKind::Location => "location",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteView {
    pub id: Uuid,
    pub kind: NoteKind,
    pub author: UserId,
    pub body: Body,
    pub at_ms: i64,
}

/// A staff account as the login check needs it.
#[derive(Clone)]
pub struct UserRecord {
    pub id: UserId,
    pub name: String,
    pub role: Role,
    pub password_hash: String,
    /// Empty while the account has no confirmed TOTP (pending): no code matches then.
    pub totp_secret: zeroize::Zeroizing<Vec<u8>>,
    pub failed_logins: i64,
    pub locked_until_ms: i64,
    pub status: AccountStatus,
    /// When the one-time password stops working; 0 when the owner chose the password.
    pub password_expires_ms: i64,
    /// A new TOTP secret shown to the owner, waiting for a code that confirms it.
    pub totp_pending: Option<zeroize::Zeroizing<Vec<u8>>>,
}

/// Where a staff account is in its life: made by an administrator with a one-time password
/// (pending), in use after its owner chose a password and enrolled TOTP (active), or shut off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    Pending,
    Active,
    Disabled,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Pending => "pending",
            AccountStatus::Active => "active",
            AccountStatus::Disabled => "disabled",
        }
    }

    pub fn parse(s: &str) -> Option<AccountStatus> {
        [AccountStatus::Pending, AccountStatus::Active, AccountStatus::Disabled].into_iter().find(|a| a.as_str() == s)
    }
}

impl std::fmt::Debug for UserRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRecord").field("id", &self.id).field("role", &self.role).finish_non_exhaustive()
    }
}

/// A staff session, found by the hash of its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffSession {
    pub user: UserId,
    pub created_ms: i64,
    pub last_seen_ms: i64,
}

/// Which cases a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseFilter {
    /// Only cases owned by this specialist.
    pub assigned_to: Option<UserId>,
    /// Only cases in these states (empty: every state).
    pub states: &'static [CaseState],
}

/// A range of event seqs committed together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeqRange {
    pub first: i64,
    pub last: i64,
}

/// One event of the log, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub seq: i64,
    pub at_ms: i64,
    pub event: Event,
}

/// What a flow step writes: the engine's session (None once it is over), the platform's summary
/// (opaque to the store), and when the waiting flow is due for a timeout or an expiry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowWrite {
    pub state: Option<String>,
    pub summary: String,
    pub wait_timeout_ms: Option<i64>,
    pub expires_ms: Option<i64>,
    /// The version the step read (0: none yet); the write is refused as a conflict when the
    /// session has moved on since. The written session is at `expected_version + 1`.
    pub expected_version: i64,
    /// A codename given in this step's messages: the case gets it in the same commit.
    pub codename: Option<crate::PreparedCodename>,
    /// Figures the step changes (the applicant's categories, from the bot's results).
    pub counts: Vec<(safepassage_domain::figures::tally::Key, i64)>,
}

/// A conversation's flow state, decrypted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowSessionView {
    pub state: Option<String>,
    pub summary: String,
    pub wait_timeout_ms: Option<i64>,
    pub expires_ms: Option<i64>,
    pub updated_ms: i64,
    /// Goes up by one with every write.
    pub version: i64,
}

/// A flow file in the library, as it was imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowImport {
    pub id: Uuid,
    /// The seq of its `flows_imported` event: later imports win.
    pub seq: i64,
    /// The file as given (a flow definition or a RapidPro export).
    pub export: String,
    /// SHA-256 of `export`.
    pub digest: [u8; 32],
    pub by: UserId,
    pub at_ms: i64,
    /// The outside action types an administrator allowed for this file (`call_webhook`).
    pub allowed_outside: Vec<String>,
}

/// The allowed outside action types as the `flow_imports.allowed_outside` column keeps them.
pub(crate) fn split_allowed(column: String) -> Vec<String> {
    column.split(',').filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

/// The intake flow chosen for a channel; `flow` None: the flow named "Intake".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntakeFlow {
    pub channel: Channel,
    pub flow: Option<Uuid>,
    pub seq: i64,
    pub by: UserId,
    pub at_ms: i64,
}
