//! What happens around a message, shared by every channel and the console: store it (sealed,
//! durable), tell whoever watches, and move the conversation through the queue.

use safepassage_domain::{ConversationId, Sender};
use safepassage_store::{ConversationView, MessageView, StepMessage, StoreError};

use crate::channel::inbound::Receipt;
use crate::channel::outbound::leaving_on;
use crate::hub::LiveMessage;
use crate::Conversations;

impl Conversations {
    /// An applicant's message: a flow waiting for it takes it (stored with the bot's answers);
    /// otherwise it is stored, shown live, and a conversation no one attends (closed, or the
    /// bot's flow ended without a ticket) goes to the queue, so no applicant is left unheard.
    /// Returns the applicant's message (its text is withheld when it carried a duress phrase).
    pub async fn applicant_says(&self, conversation: &ConversationView, text: &str) -> Result<MessageView, StoreError> {
        self.applicant_says_with(conversation, text, None).await
    }

    /// `applicant_says` for a provider's update: its `receipt` commits with the message, and a
    /// redelivered one fails with `StoreError::Duplicate` having written nothing.
    pub async fn applicant_says_with(
        &self,
        conversation: &ConversationView,
        text: &str,
        receipt: Option<&Receipt>,
    ) -> Result<MessageView, StoreError> {
        if let Some(case) = conversation.case {
            self.applicant_contact(case).await?;
            // The agreed duress phrase flags the case and changes nothing else: the message is
            // kept and answered like any other, so whoever forces the applicant sees nothing.
            // Nothing is logged: the flag lives in the case and the audit chain only.
            self.store.check_duress(case, text).await?;
        }
        if self.bot.is_some() && crate::bot::bot_may_answer(conversation) {
            if let Some(sent) = self.resume_flow(conversation, text, receipt).await? {
                // The applicant's message comes first in a step that had input.
                return sent.into_iter().next().ok_or(StoreError::Conflict("the message was not recorded"));
            }
        }
        let message =
            self.record(conversation, with_receipt(StepMessage::new(Sender::Applicant, text), receipt)).await?;
        if crate::bot::needs_operator(conversation) && self.store.queue_conversation(conversation.id, false).await? {
            self.tokens.forget(conversation.id);
            self.hub.queue_changed();
        }
        Ok(message)
    }

    /// A staff member's reply; on a messenger it leaves through the outbox.
    pub async fn staff_says(&self, conversation: &ConversationView, text: &str) -> Result<MessageView, StoreError> {
        self.record(conversation, leaving_on(conversation.channel, StepMessage::new(Sender::Staff, text), &[])).await
    }

    /// A line of the platform's own to the applicant (not a flow's): recorded, shown, and on a
    /// messenger sent through the outbox.
    pub async fn bot_says(&self, conversation: &ConversationView, text: &str) -> Result<MessageView, StoreError> {
        self.record(conversation, leaving_on(conversation.channel, StepMessage::new(Sender::Bot, text), &[])).await
    }

    /// Commits one message (with whatever leaves or is received with it) and shows it live.
    pub(crate) async fn record(
        &self,
        conversation: &ConversationView,
        message: StepMessage,
    ) -> Result<MessageView, StoreError> {
        let sent = self.store.flow_step(conversation, vec![message], None).await?;
        if crate::channel::outbound::through_outbox(conversation.channel) {
            self.outbox_ready.notify_one();
        }
        let message = sent.into_iter().next().ok_or(StoreError::Conflict("the message was not recorded"))?;
        self.publish(&message);
        Ok(message)
    }

    /// The last `keep` messages of a conversation, oldest first: only they are read and
    /// decrypted, however long the conversation is.
    pub async fn recent_messages(
        &self,
        conversation: ConversationId,
        keep: usize,
    ) -> Result<Vec<MessageView>, StoreError> {
        if keep == 0 {
            return Ok(Vec::new());
        }
        self.store.last_messages(conversation, i64::try_from(keep).unwrap_or(i64::MAX)).await
    }

    pub fn publish(&self, message: &MessageView) {
        self.publish_with(message, Vec::new());
    }

    pub fn publish_with(&self, message: &MessageView, quick_replies: Vec<String>) {
        if let Some(text) = message.body.text() {
            self.hub.publish(LiveMessage {
                conversation: message.conversation,
                seq: message.seq,
                sender: message.sender,
                text: text.to_owned(),
                at_ms: message.at_ms,
                quick_replies,
            });
        }
    }
}

/// The message as the receipt of a provider's update, when it is one.
pub fn with_receipt(message: StepMessage, receipt: Option<&Receipt>) -> StepMessage {
    match receipt {
        Some(r) => message.with_receipt(&r.source, r.id),
        None => message,
    }
}
