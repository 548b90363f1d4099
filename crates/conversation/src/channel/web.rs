//! The web chat's identity: a bearer token (only its hash is stored), the conversation it opens,
//! and its revocation. A new web conversation starts the intake flow at once.

use safepassage_domain::{ChatEnd, ConversationId, Language, Sender};
use safepassage_store::{ConversationView, MessageView, StoreError};
use sha2::{Digest, Sha256};

use crate::Conversations;

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

impl Conversations {
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
        let greeting = match self.settings.greetings.get(&language) {
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
        let now = crate::clock::now_ms();
        let idle_ms = i64::try_from(self.settings.chat_idle.as_millis()).unwrap_or(i64::MAX);
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
}
