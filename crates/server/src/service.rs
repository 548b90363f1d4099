//! What happens around a message, shared by every channel and the console: store it (sealed,
//! durable), tell whoever watches, and move the conversation through the queue.

use safepassage_domain::{ChatEnd, ConversationId, Language, Sender, UserId};
use safepassage_store::{ConversationStatus, ConversationView, MessageView, StoreError};
use sha2::{Digest, Sha256};

use crate::hub::LiveMessage;
use crate::AppState;

/// A web chat's bearer token: 32 random bytes, URL-safe base64. Only its hash is stored.
pub struct ChatToken(pub zeroize::Zeroizing<String>);

impl ChatToken {
    pub fn generate() -> Result<ChatToken, StoreError> {
        use base64::Engine;
        let mut bytes = zeroize::Zeroizing::new([0u8; 32]);
        getrandom::getrandom(bytes.as_mut()).map_err(|e| StoreError::Database(format!("no randomness: {e}")))?;
        Ok(ChatToken(zeroize::Zeroizing::new(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes.as_ref()))))
    }
}

/// The stored form of a token (a session token, a chat token): SHA-256 is enough for 256 bits
/// of randomness, and keeps lookups cheap on the hot path.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

impl AppState {
    /// A new web conversation: the intake flow starts in its language (greeting, first
    /// question). Without flows, it is greeted and waits for an operator.
    pub async fn start_web_chat(
        &self,
        language: Language,
    ) -> Result<(ChatToken, ConversationView, Vec<MessageView>), StoreError> {
        let token = ChatToken::generate()?;
        let conversation = self
            .store
            .start_conversation(safepassage_domain::Channel::Web, language, None, Some(token_hash(&token.0)))
            .await?;
        if self.bot.is_some() {
            let messages = self.start_intake(&conversation).await?;
            return Ok((token, conversation, messages));
        }
        let greeting = match self.config.greetings.get(&language) {
            Some(text) => text.clone(),
            None => self.i18n.text(language, "chat-greeting"),
        };
        let greeting = self.store.append_message(&conversation, Sender::Bot, &greeting).await?;
        self.publish(&greeting);
        self.store.queue_conversation(conversation.id, false).await?;
        self.hub.queue_changed();
        Ok((token, conversation, vec![greeting]))
    }

    /// The conversation a chat token opens, if any. A token whose conversation has been idle
    /// (no message from anyone) for `chat_idle` opens nothing, and is revoked on the spot.
    pub async fn conversation_for_token(&self, token: &str) -> Result<Option<ConversationView>, StoreError> {
        let hash = token_hash(token);
        let now = crate::console::now_ms();
        let idle_ms = i64::try_from(self.config.chat_idle.as_millis()).unwrap_or(i64::MAX);
        let alive = |c: &ConversationView| now.saturating_sub(c.last_message_ms) < idle_ms;
        // A cached view's last message may be older than the real one: past the idle time it
        // is read again rather than refused.
        if let Some(conversation) = self.tokens.get(&hash).filter(alive) {
            return Ok(Some(conversation));
        }
        let epoch = self.tokens.epoch();
        match self.store.conversation_by_token(hash).await? {
            Some(conversation) if alive(&conversation) => {
                self.tokens.put(epoch, hash, conversation.clone());
                Ok(Some(conversation))
            }
            Some(conversation) => {
                self.end_chat_session(conversation.id, ChatEnd::Expired).await?;
                Ok(None)
            }
            None => Ok(None),
        }
    }

    /// Revokes a web conversation's token (the applicant ended it, left by quick exit, or it
    /// expired): recorded as an event, dropped from the cache, and any open event stream of
    /// the applicant ends. The conversation stays with the staff.
    pub async fn end_chat_session(&self, conversation: ConversationId, reason: ChatEnd) -> Result<(), StoreError> {
        self.tokens.forget(conversation);
        let ended = self.store.end_chat_session(conversation, reason).await?;
        self.tokens.forget(conversation);
        let _ = self.chat_endings.send(conversation);
        if ended {
            tracing::info!(reason = reason.as_str(), "web chat session ended");
        }
        Ok(())
    }

    /// An applicant's message: a flow waiting for it takes it (stored with the bot's answers);
    /// otherwise it is stored, shown live, and a conversation no one attends (closed, or the
    /// bot's flow ended without a ticket) goes to the queue, so no applicant is left unheard.
    /// Returns the applicant's message (its text is withheld when it carried a duress phrase).
    pub async fn applicant_says(&self, conversation: &ConversationView, text: &str) -> Result<MessageView, StoreError> {
        if let Some(case) = conversation.case {
            self.applicant_contact(case).await?;
            // The agreed duress phrase flags the case and changes nothing else: the message is
            // kept and answered like any other, so whoever forces the applicant sees nothing.
            // Nothing is logged: the flag lives in the case and the audit chain only.
            self.store.check_duress(case, text).await?;
        }
        if self.bot.is_some() && crate::bot::bot_may_answer(conversation) {
            if let Some(sent) = self.resume_flow(conversation, text).await? {
                // The applicant's message comes first in a step that had input.
                return sent.into_iter().next().ok_or(StoreError::Conflict("the message was not recorded"));
            }
        }
        let message = self.store.append_message(conversation, Sender::Applicant, text).await?;
        self.publish(&message);
        if crate::bot::needs_operator(conversation) && self.store.queue_conversation(conversation.id, false).await? {
            self.tokens.forget(conversation.id);
            self.hub.queue_changed();
        }
        Ok(message)
    }

    /// A staff member's reply.
    pub async fn staff_says(&self, conversation: &ConversationView, text: &str) -> Result<MessageView, StoreError> {
        let message = self.store.append_message(conversation, Sender::Staff, text).await?;
        self.publish(&message);
        Ok(message)
    }

    pub async fn take_conversation(&self, conversation: ConversationId, user: UserId) -> Result<(), StoreError> {
        self.store.take_conversation(conversation, user).await?;
        self.tokens.forget(conversation);
        // A person has it now: the bot no longer steps its flow here.
        self.flow_sessions.forget(conversation);
        self.hub.queue_changed();
        Ok(())
    }

    pub async fn close_conversation(&self, conversation: ConversationId, user: UserId) -> Result<(), StoreError> {
        self.store.close_conversation(conversation, user).await?;
        self.tokens.forget(conversation);
        // A person has it now: the bot no longer steps its flow here.
        self.flow_sessions.forget(conversation);
        self.hub.queue_changed();
        Ok(())
    }

    /// A returning applicant's codename: joins the conversation to its case and puts it before
    /// the others in the queue. `false` says only "no", never why.
    pub async fn applicant_joins_by_codename(
        &self,
        conversation: &ConversationView,
        codename: &safepassage_domain::Codename,
    ) -> Result<bool, StoreError> {
        let Some(case) = self.store.join_by_codename(conversation.id, codename).await? else {
            return Ok(false);
        };
        self.applicant_contact(case).await?;
        self.tokens.forget(conversation.id);
        if self.store.queue_conversation(conversation.id, true).await? {
            self.hub.queue_changed();
        }
        // While the owner is told, the bot asks what brings them back ("I have been deployed"
        // or a person), unless a person already has the conversation.
        if self.bot.is_some() && conversation.status == ConversationStatus::Bot {
            if let Some(joined) = self.store.conversation(conversation.id).await? {
                self.start_returning(&joined).await?;
            }
        }
        Ok(true)
    }

    /// Any contact from the applicant of a case: recorded as the case's last contact (clearing
    /// an overdue contact), and its holder's console is told at once.
    pub async fn applicant_contact(&self, case: safepassage_domain::CaseId) -> Result<(), StoreError> {
        self.store.record_contact(case).await?;
        let holder = self.store.case_wait(case).await?.and_then(|w| w.holder);
        self.hub.case_signal(crate::hub::CaseSignal { case, holder, kind: crate::hub::CaseSignalKind::Contact });
        Ok(())
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

    pub(crate) fn publish(&self, message: &MessageView) {
        self.publish_with(message, Vec::new());
    }

    pub(crate) fn publish_with(&self, message: &MessageView, quick_replies: Vec<String>) {
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
