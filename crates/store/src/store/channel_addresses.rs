//! How a messenger or voice conversation is found and answered: by the keyed hash of the
//! sender's identity on the channel (never the identity itself), and at a reply address (a
//! Telegram chat id, a call's sid) kept sealed under the conversation's key and bound to it,
//! so shredding the conversation forgets where it was answered.

use safepassage_domain::{Channel, ConversationId};

use super::{sealed, Store};
use crate::error::StoreError;
use crate::model::ConversationView;
use crate::ops::Op;
use crate::outbox_ops::OutboxOp;

/// The longest reply address kept: provider ids are short; anything longer is a mistake.
pub const MAX_REPLY_ADDRESS: usize = 256;

impl Store {
    /// Sets (or replaces) where the platform answers the conversation.
    pub async fn set_reply_to(&self, conversation: &ConversationView, address: &str) -> Result<(), StoreError> {
        if address.is_empty() || address.len() > MAX_REPLY_ADDRESS {
            return Err(StoreError::Refused(format!("a reply address has 1 to {MAX_REPLY_ADDRESS} bytes")));
        }
        let key = self
            .keys
            .data_key(self.backend.as_ref(), conversation.key_id)
            .await?
            .ok_or(StoreError::Conflict("the conversation was shredded"))?;
        let reply_to_ct = sealed::seal_reply_to(&key, &conversation.id.0, address);
        let op = Op::Outbox(OutboxOp::SetReplyTo { conversation: conversation.id, reply_to_ct });
        self.submit(vec![op], Vec::new()).await?;
        Ok(())
    }

    /// Where the platform answers the conversation; None when unset, unknown or shredded.
    pub async fn reply_to(&self, conversation: ConversationId) -> Result<Option<String>, StoreError> {
        let Some(raw) = self.backend.reply_to(conversation).await? else {
            return Ok(None);
        };
        let Some(sealed_address) = raw.reply_to_ct.filter(|_| raw.key_alive) else {
            return Ok(None);
        };
        let Some(key) = self.keys.data_key(self.backend.as_ref(), raw.key_id).await? else {
            return Ok(None);
        };
        let plain = sealed::open_reply_to(&key, &conversation.0, &sealed_address)?;
        String::from_utf8(plain.to_vec())
            .map(Some)
            .map_err(|_| StoreError::Database("a reply address is not UTF-8".into()))
    }

    /// The newest conversation on `channel` of the contact this identity (a Telegram user id,
    /// a phone number) belongs to, whose key is still alive; None for a sender never seen, or
    /// whose conversations were all shredded. `start_conversation` with the same identity
    /// links a new conversation to the same contact.
    pub async fn latest_conversation_for_identity(
        &self,
        channel: Channel,
        identity: &str,
    ) -> Result<Option<ConversationView>, StoreError> {
        let hash = self.identity_hash(channel, identity);
        self.backend.latest_conversation_for_identity(hash, channel).await
    }
}
