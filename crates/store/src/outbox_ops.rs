//! Writes of the messenger channels' plumbing (the outbox, inbound receipts, reply addresses),
//! as one `Op` variant so the shared op list grows by a line. The outbox's updates are guarded:
//! two workers (or two nodes) never both lease a row, and a row is finished only once.

use safepassage_domain::{Channel, ConversationId, MessageId};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub(crate) enum OutboxOp {
    /// A row to send from `due_ms`, its payload sealed by the caller.
    Insert {
        id: Uuid,
        conversation: ConversationId,
        message: Option<MessageId>,
        channel: Channel,
        due_ms: i64,
        body_ct: Vec<u8>,
    },
    /// Guarded: the row is still pending and still due at `expected_due_ms` (nobody leased it
    /// since it was read); it becomes due again at `until_ms`.
    Lease { id: Uuid, expected_due_ms: i64, until_ms: i64 },
    /// Guarded when `guarded`: the row must exist and be pending (it was sent once only).
    Delete { id: Uuid, guarded: bool },
    /// Guarded: a pending row is tried again at `due_ms`, one attempt more.
    Retry { id: Uuid, due_ms: i64 },
    /// Guarded: a pending row failed for good, for `failure` (a short code).
    Fail { id: Uuid, failure: &'static str },
    /// Guarded: an inbound update not recorded before; a duplicate fails the job with
    /// `StoreError::Duplicate`.
    InsertReceipt { source: String, receipt: i64 },
    /// Guarded: the conversation exists; its reply address becomes `reply_to_ct`.
    SetReplyTo { conversation: ConversationId, reply_to_ct: Vec<u8> },
}

/// An outbox row as stored: the payload still sealed, with its conversation's key.
#[derive(Debug, Clone)]
pub(crate) struct RawOutbound {
    pub id: Uuid,
    pub conversation: Uuid,
    pub message: Option<Uuid>,
    pub channel: String,
    pub due_ms: i64,
    pub attempts: i64,
    pub body_ct: Vec<u8>,
    pub key_id: Uuid,
    /// False once the conversation's key was shredded.
    pub key_alive: bool,
}

/// A failed row as the console shows it.
#[derive(Debug, Clone)]
pub(crate) struct RawFailure {
    pub message: Option<Uuid>,
    pub failure: String,
    pub at_ms: i64,
}

/// A conversation's reply address as stored.
#[derive(Debug, Clone)]
pub(crate) struct RawReplyTo {
    pub reply_to_ct: Option<Vec<u8>>,
    pub key_id: Uuid,
    pub key_alive: bool,
}
