//! The bot's state per conversation: the flow engine's session and a summary the platform keeps
//! (topic, results, quick replies), sealed with the conversation's key; bot messages and the new
//! state commit in one job, so a crash never leaves one without the other.

use safepassage_domain::{ConversationId, Event, MessageId, Sender};
use uuid::Uuid;

use super::receipts::Receipt;
use super::{bound_to, now_ms, outbox, sealed, Store};
use crate::error::StoreError;
use crate::model::{Body, ConversationView, FlowSessionView, FlowWrite, MessageView};
use crate::ops::Op;
use crate::outbox_ops::OutboxOp;

const FLOW_STATE: &str = "flow_sessions.state_ct";
const FLOW_SUMMARY: &str = "flow_sessions.summary_ct";

/// A message to record in a flow step; its id is chosen by the caller so that other sealed data
/// (quick replies) can refer to it before it is committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepMessage {
    pub id: MessageId,
    pub sender: Sender,
    pub text: String,
    /// What the outbox must send for it (a messenger's reply), queued in the same job.
    pub outbound: Option<Vec<u8>>,
    /// The inbound update it records, guarded in the same job against a redelivery.
    pub receipt: Option<Receipt>,
}

impl StepMessage {
    pub fn new(sender: Sender, text: impl Into<String>) -> StepMessage {
        StepMessage { id: MessageId(Uuid::now_v7()), sender, text: text.into(), outbound: None, receipt: None }
    }

    /// The message also leaves through the outbox: `payload` (sealed) is due as soon as the
    /// step commits, tied to this message.
    pub fn leaving(self, payload: Vec<u8>) -> StepMessage {
        StepMessage { outbound: Some(payload), ..self }
    }

    /// The message is the inbound update `receipt` of `source`: if that update was recorded
    /// before, the whole step fails with `StoreError::Duplicate` and nothing of it is written.
    pub fn with_receipt(self, source: &str, receipt: i64) -> StepMessage {
        StepMessage { receipt: Some(Receipt { source: source.to_owned(), receipt }), ..self }
    }
}

impl Store {
    /// Records messages (in order) and the conversation's new flow state in one job. `flow`
    /// None leaves the state as it is.
    pub async fn flow_step(
        &self,
        conversation: &ConversationView,
        messages: Vec<StepMessage>,
        flow: Option<FlowWrite>,
    ) -> Result<Vec<MessageView>, StoreError> {
        let key = self
            .keys
            .data_key(self.backend.as_ref(), conversation.key_id)
            .await?
            .ok_or(StoreError::Conflict("the conversation was shredded"))?;
        let id = conversation.id;
        let mut ops = Vec::with_capacity(messages.len() * 2 + 1);
        let mut events = Vec::with_capacity(messages.len());
        // Receipts first: a redelivered update fails the job before anything else is applied.
        for receipt in messages.iter().filter_map(|m| m.receipt.as_ref()) {
            receipt.check()?;
            ops.push(Op::Outbox(OutboxOp::InsertReceipt { source: receipt.source.clone(), receipt: receipt.receipt }));
        }
        let due_ms = now_ms();
        for (i, m) in messages.iter().enumerate() {
            let body_ct = sealed::seal_message(&key, &m.id.0, m.sender, &m.text);
            ops.push(Op::InsertMessage { id: m.id, conversation: id, event_index: i, sender: m.sender, body_ct });
            events.push(Event::MessageRecorded { conversation: id, message: m.id, sender: m.sender });
            if let Some(payload) = &m.outbound {
                ops.push(outbox::insert_op(&key, id, conversation.channel, Some(m.id), due_ms, payload).1);
            }
        }
        if let Some(flow) = flow {
            let row = id.0;
            ops.extend(flow.counts.iter().map(|(key, delta)| super::figures::count_op(key, *delta)));
            if let Some(c) = flow.codename {
                ops.push(Op::SetCodename { id: c.case, hash: c.hash });
                events.push(Event::CodenameIssued { case: c.case });
            }
            ops.push(Op::PutFlowSession {
                conversation: id,
                state_ct: flow.state.map(|s| key.seal(&bound_to(FLOW_STATE, &row), s.as_bytes())),
                summary_ct: key.seal(&bound_to(FLOW_SUMMARY, &row), flow.summary.as_bytes()),
                wait_timeout_ms: flow.wait_timeout_ms,
                expires_ms: flow.expires_ms,
                expected_version: flow.expected_version,
            });
        }
        let at_ms = now_ms();
        let seqs = self.submit(ops, events).await?;
        // The messages' events come first (a codename's follows them).
        if seqs.len() < messages.len() {
            return Err(StoreError::Conflict("messages not recorded"));
        }
        Ok(messages
            .into_iter()
            .zip(seqs)
            .map(|(m, seq)| MessageView {
                id: m.id,
                conversation: id,
                seq,
                sender: m.sender,
                body: Body::Text(m.text),
                at_ms,
            })
            .collect())
    }

    /// The conversation's flow state, decrypted; None when it has none or its key is gone.
    pub async fn flow_session(&self, conversation: ConversationId) -> Result<Option<FlowSessionView>, StoreError> {
        let Some(raw) = self.backend.flow_session(conversation).await? else {
            return Ok(None);
        };
        if !raw.key_alive {
            return Ok(None);
        }
        let Some(key) = self.keys.data_key(self.backend.as_ref(), raw.key_id).await? else {
            return Ok(None);
        };
        let open = |column: &str, ct: &[u8]| -> Result<String, StoreError> {
            let plain = key.open(&bound_to(column, &raw.conversation), ct)?;
            String::from_utf8(plain.to_vec()).map_err(|e| StoreError::Database(format!("flow state is not UTF-8: {e}")))
        };
        Ok(Some(FlowSessionView {
            state: raw.state_ct.as_deref().map(|ct| open(FLOW_STATE, ct)).transpose()?,
            summary: open(FLOW_SUMMARY, &raw.summary_ct)?,
            wait_timeout_ms: raw.wait_timeout_ms,
            expires_ms: raw.expires_ms,
            updated_ms: raw.updated_ms,
            version: raw.version,
        }))
    }

    /// Forgets a conversation's flow state altogether.
    pub async fn clear_flow_session(&self, conversation: ConversationId) -> Result<(), StoreError> {
        self.submit(vec![Op::DeleteFlowSession { conversation }], Vec::new()).await?;
        Ok(())
    }

    /// Conversations whose waiting flow is due for a timeout or an expiry at `now_ms`.
    pub async fn due_flow_sessions(&self, now_ms: i64, limit: i64) -> Result<Vec<ConversationId>, StoreError> {
        self.backend.due_flow_sessions(now_ms, limit).await
    }
}
