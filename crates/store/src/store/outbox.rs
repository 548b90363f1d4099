//! The durable outbox of the messenger and voice channels. What the platform must send to a
//! provider is written in the same job as the message it carries, sealed under the
//! conversation's key; a worker claims due rows, sends them and marks them done, to retry
//! later, or failed. Claiming is a lease: a guarded update moves the row's due time past the
//! lease, so two workers (or two nodes) never both get a row, and a worker killed after
//! claiming leaves the row to be claimed again once the lease has passed: never lost, at
//! worst sent twice. Done, retry and lease write no event (the worker marks many rows; only a
//! failure is something staff must see); a failure is a typed event.

use safepassage_domain::{Channel, ConversationId, Event, MessageId};
use tokio::task::JoinSet;
use uuid::Uuid;

use super::{sealed, Store};
use crate::error::StoreError;
use crate::model::ConversationView;
use crate::ops::{Job, Op};
use crate::outbox_ops::{OutboxOp, RawOutbound};

/// One row of the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OutboxId(pub Uuid);

impl std::fmt::Display for OutboxId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// A claimed row: what to send, opened, and to which conversation. Leased until the claim's
/// `now_ms + lease_ms`; the worker then calls `outbound_done`, `outbound_retry` or
/// `outbound_failed`. Its `Debug` shows the payload's length only, so a logged claim never
/// carries a message or a chat id.
#[derive(Clone, PartialEq, Eq)]
pub struct Outbound {
    pub id: OutboxId,
    pub conversation: ConversationId,
    pub channel: Channel,
    /// The platform's message it carries, if any.
    pub message: Option<MessageId>,
    pub payload: Vec<u8>,
    /// Failed attempts before this one.
    pub attempts: u32,
}

impl std::fmt::Debug for Outbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbound")
            .field("id", &self.id)
            .field("conversation", &self.conversation)
            .field("channel", &self.channel)
            .field("message", &self.message)
            .field("payload_len", &self.payload.len())
            .field("attempts", &self.attempts)
            .finish()
    }
}

/// A row the platform gave up on, for the console: no content, only a short code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundFailure {
    pub message: Option<MessageId>,
    pub failure: String,
    pub at_ms: i64,
}

/// The longest failure code kept (`refused`, `gave_up`, ...).
const MAX_FAILURE_CODE: usize = 32;

/// An insert of a new outbox row, its payload sealed: for `queue_outbound`, a flow step's
/// message and a done row's follow-up.
pub(super) fn insert_op(
    key: &safepassage_keys::DataKey,
    conversation: ConversationId,
    channel: Channel,
    message: Option<MessageId>,
    due_ms: i64,
    payload: &[u8],
) -> (OutboxId, Op) {
    let id = Uuid::now_v7();
    let body_ct = sealed::seal_outbound(key, &id, &conversation.0, payload);
    (OutboxId(id), Op::Outbox(OutboxOp::Insert { id, conversation, message, channel, due_ms, body_ct }))
}

fn channel_of(row: &RawOutbound) -> Result<Channel, StoreError> {
    row.channel.parse().map_err(|e| StoreError::Database(format!("unreadable outbox channel: {e}")))
}

impl Store {
    /// Queues a payload for a conversation that no message carries (an answer to a button
    /// press, a later deletion), to send from `due_ms`.
    pub async fn queue_outbound(
        &self,
        conversation: &ConversationView,
        payload: &[u8],
        due_ms: i64,
    ) -> Result<OutboxId, StoreError> {
        let key = self
            .keys
            .data_key(self.backend.as_ref(), conversation.key_id)
            .await?
            .ok_or(StoreError::Conflict("the conversation was shredded"))?;
        let (id, op) = insert_op(&key, conversation.id, conversation.channel, None, due_ms, payload);
        self.submit(vec![op], Vec::new()).await?;
        Ok(id)
    }

    /// Claims up to `limit` rows due at `now_ms`, the longest due first, each leased until
    /// `now_ms + lease_ms`. A row another worker leased first is left out; a row whose
    /// conversation was shredded is deleted instead; a row that no longer opens (tampered
    /// with) is marked failed (`unreadable`).
    pub async fn claim_outbound(&self, now_ms: i64, lease_ms: i64, limit: i64) -> Result<Vec<Outbound>, StoreError> {
        let until_ms = now_ms.saturating_add(lease_ms.max(1));
        let due = self.backend.due_outbound(now_ms, limit).await?;
        let mut gone = Vec::new();
        let mut candidates = Vec::with_capacity(due.len());
        for row in due {
            let key = self.row_key(&row).await?;
            match key {
                Some(key) => candidates.push((row, key)),
                None => gone.push(Op::Outbox(OutboxOp::Delete { id: row.id, guarded: false })),
            }
        }
        if !gone.is_empty() {
            self.submit(gone, Vec::new()).await?;
        }
        // Every lease in one job: with one worker (the usual case) it always holds. A lost race
        // anywhere fails that job, and each row is then leased by a job of its own.
        let all: Vec<Op> = candidates
            .iter()
            .map(|(row, _)| Op::Outbox(OutboxOp::Lease { id: row.id, expected_due_ms: row.due_ms, until_ms }))
            .collect();
        let won = if all.is_empty() {
            Vec::new()
        } else {
            match self.submit(all, Vec::new()).await {
                Ok(_) => vec![true; candidates.len()],
                Err(StoreError::Conflict(_)) => self.lease_one_by_one(&candidates, until_ms).await?,
                Err(e) => return Err(e),
            }
        };
        let mut claimed = Vec::with_capacity(candidates.len());
        for ((row, key), won) in candidates.into_iter().zip(won) {
            if !won {
                continue;
            }
            match sealed::open_outbound(&key, &row.id, &row.conversation, &row.body_ct) {
                Ok(payload) => claimed.push(Outbound {
                    id: OutboxId(row.id),
                    conversation: ConversationId(row.conversation),
                    channel: channel_of(&row)?,
                    message: row.message.map(MessageId),
                    payload: payload.to_vec(),
                    attempts: u32::try_from(row.attempts).unwrap_or(u32::MAX),
                }),
                Err(_) => {
                    tracing::error!(outbound = %row.id, "an outbox row does not open: marked failed");
                    self.fail_row(&row, "unreadable").await?;
                }
            }
        }
        Ok(claimed)
    }

    /// One job per row, all queued at once: group commit makes them one transaction, and a
    /// lost race fails only its own row's job. Which rows this worker won.
    async fn lease_one_by_one<K>(
        &self,
        candidates: &[(RawOutbound, K)],
        until_ms: i64,
    ) -> Result<Vec<bool>, StoreError> {
        let mut leases = JoinSet::new();
        for (index, (row, _)) in candidates.iter().enumerate() {
            let op = OutboxOp::Lease { id: row.id, expected_due_ms: row.due_ms, until_ms };
            let job = Job { at_ms: super::now_ms(), ops: vec![Op::Outbox(op)], events: Vec::new() };
            let committer = self.committer.clone();
            leases.spawn(async move { (index, committer.submit(job).await) });
        }
        let mut won = vec![false; candidates.len()];
        let mut failure = None;
        while let Some(joined) = leases.join_next().await {
            match joined? {
                (index, Ok(_)) => {
                    if let Some(won) = won.get_mut(index) {
                        *won = true;
                    }
                }
                (_, Err(StoreError::Conflict(_))) => {}
                (_, Err(e)) => failure = Some(e),
            }
        }
        match failure {
            // Rows leased meanwhile are claimed again once their lease has passed.
            Some(e) => Err(e),
            None => Ok(won),
        }
    }

    /// Rows that were sent and need nothing after, deleted in one job; if one of them is gone
    /// already (another worker finished it after our lease passed), each is deleted alone.
    pub async fn outbound_done_all(&self, ids: &[OutboxId]) -> Result<(), StoreError> {
        if ids.is_empty() {
            return Ok(());
        }
        let ops = ids.iter().map(|id| Op::Outbox(OutboxOp::Delete { id: id.0, guarded: true })).collect();
        match self.submit(ops, Vec::new()).await {
            Err(StoreError::Conflict(_)) => {
                for id in ids {
                    match self.outbound_done(*id, None).await {
                        Ok(_) | Err(StoreError::Conflict(_)) => {}
                        Err(e) => return Err(e),
                    }
                }
                Ok(())
            }
            other => other.map(|_| ()),
        }
    }

    /// The row was sent: it is deleted, and `then` (a payload and when it is due) queues a
    /// follow-up for the same conversation and message in the same job (deleting a
    /// disappearing message later). Conflicts when the row is gone (another worker finished it
    /// after the lease passed, or its conversation was shredded): the follow-up is then not
    /// queued twice. Returns the follow-up's id.
    pub async fn outbound_done(
        &self,
        id: OutboxId,
        then: Option<(&[u8], i64)>,
    ) -> Result<Option<OutboxId>, StoreError> {
        let mut ops = vec![Op::Outbox(OutboxOp::Delete { id: id.0, guarded: true })];
        let mut follow_up = None;
        if let Some((payload, due_ms)) = then {
            let row = self.backend.outbound(id.0).await?.ok_or(StoreError::Conflict("the outbound row is gone"))?;
            let key = self.row_key(&row).await?;
            // A shredded conversation gets no follow-up; the row itself still goes.
            if let Some(key) = key {
                let conversation = ConversationId(row.conversation);
                let message = row.message.map(MessageId);
                let (next, op) = insert_op(&key, conversation, channel_of(&row)?, message, due_ms, payload);
                ops.push(op);
                follow_up = Some(next);
            }
        }
        self.submit(ops, Vec::new()).await?;
        Ok(follow_up)
    }

    /// Sending failed for now: one attempt more, due again at `due_ms`.
    pub async fn outbound_retry(&self, id: OutboxId, due_ms: i64) -> Result<(), StoreError> {
        self.submit(vec![Op::Outbox(OutboxOp::Retry { id: id.0, due_ms })], Vec::new()).await?;
        Ok(())
    }

    /// The platform gives up on the row: it stays as `failed` with `failure` (a short code such
    /// as `refused` or `gave_up`, never content) and an `outbound_failed` event tells staff.
    pub async fn outbound_failed(&self, id: OutboxId, failure: &'static str) -> Result<(), StoreError> {
        let row = self.backend.outbound(id.0).await?.ok_or(StoreError::Conflict("the outbound row is gone"))?;
        self.fail_row(&row, failure).await
    }

    /// The rows of a conversation the platform gave up on, oldest first.
    pub async fn outbound_failures(&self, conversation: ConversationId) -> Result<Vec<OutboundFailure>, StoreError> {
        Ok(self
            .backend
            .outbound_failures(conversation)
            .await?
            .into_iter()
            .map(|f| OutboundFailure { message: f.message.map(MessageId), failure: f.failure, at_ms: f.at_ms })
            .collect())
    }

    /// The key of a row's conversation; None once shredded.
    async fn row_key(&self, row: &RawOutbound) -> Result<Option<safepassage_keys::DataKey>, StoreError> {
        if !row.key_alive {
            return Ok(None);
        }
        self.keys.data_key(self.backend.as_ref(), row.key_id).await
    }

    async fn fail_row(&self, row: &RawOutbound, failure: &'static str) -> Result<(), StoreError> {
        let is_code = !failure.is_empty()
            && failure.len() <= MAX_FAILURE_CODE
            && failure.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !is_code {
            return Err(StoreError::Refused("a failure is a short code of a-z, 0-9 and _".into()));
        }
        let op = Op::Outbox(OutboxOp::Fail { id: row.id, failure });
        let event = Event::OutboundFailed {
            conversation: ConversationId(row.conversation),
            message: row.message.map(MessageId),
        };
        self.submit(vec![op], vec![event]).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claimed_row_never_prints_its_payload() {
        let row = Outbound {
            id: OutboxId(Uuid::nil()),
            conversation: ConversationId(Uuid::nil()),
            channel: Channel::Telegram,
            message: None,
            payload: b"chat 12345: we are near".to_vec(),
            attempts: 0,
        };
        let shown = format!("{row:?}");
        assert!(!shown.contains("12345") && !shown.contains("near"), "{shown}");
        assert!(shown.contains("payload_len: 23"), "{shown}");
    }
}
