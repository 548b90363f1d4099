//! Contacts, conversations and messages: identities are hashed, bodies sealed per conversation.

use safepassage_domain::{Channel, ContactId, ConversationId, Event, Language, MessageId, Sender};
use uuid::Uuid;

use super::{now_ms, sealed, Store};
use crate::backend::RawMessage;
use crate::error::StoreError;
use crate::model::{Body, ConversationStatus, ConversationView, MessageView};
use crate::ops::Op;

impl Store {
    /// The keyed hash that stands in for a phone number or messenger id.
    pub fn identity_hash(&self, channel: Channel, identity: &str) -> [u8; 32] {
        let mut input = Vec::with_capacity(identity.len() + 12);
        input.extend_from_slice(channel.as_str().as_bytes());
        input.push(0);
        input.extend_from_slice(identity.as_bytes());
        self.keys.identity.mac(&input)
    }

    /// Starts a conversation. With a channel identity, a returning sender keeps their contact;
    /// `token_hash` is the hash of a web chat's session token, when there is one.
    pub async fn start_conversation(
        &self,
        channel: Channel,
        language: Language,
        identity: Option<&str>,
        token_hash: Option<[u8; 32]>,
    ) -> Result<ConversationView, StoreError> {
        let mut ops = Vec::with_capacity(5);
        let mut events = Vec::with_capacity(3);
        let identity_hash = identity.map(|i| self.identity_hash(channel, i));
        let known = match identity_hash {
            Some(hash) => self.backend.contact_by_identity(hash).await?.map(ContactId),
            None => None,
        };
        let contact = match known {
            Some(contact) => contact,
            None => {
                let contact = ContactId(Uuid::now_v7());
                ops.push(Op::InsertContact { id: contact });
                events.push(Event::ContactCreated { contact });
                if let Some(hash) = identity_hash {
                    ops.push(Op::InsertIdentity { hash, channel, contact });
                    events.push(Event::ChannelIdentityLinked { contact, channel });
                }
                contact
            }
        };
        let id = ConversationId(Uuid::now_v7());
        let key_id = Uuid::now_v7();
        let (_, master_key_id, wrapped) = self.keys.new_data_key(key_id);
        ops.push(Op::InsertDataKey { id: key_id, purpose: "conversation", master_key_id, wrapped });
        ops.push(Op::InsertConversation { id, contact, channel, language, key_id, token_hash });
        events.push(Event::ConversationStarted { conversation: id, contact, channel, language });
        let at = now_ms();
        self.submit(ops, events).await?;
        Ok(ConversationView {
            id,
            contact,
            channel,
            language,
            case: None,
            status: ConversationStatus::Bot,
            assigned_to: None,
            created_ms: at,
            last_message_ms: at,
            queued_ms: None,
            priority: false,
            returned: false,
            key_id,
        })
    }

    pub async fn conversation(&self, id: ConversationId) -> Result<Option<ConversationView>, StoreError> {
        self.backend.conversation(id).await
    }

    pub async fn conversation_by_token(&self, token_hash: [u8; 32]) -> Result<Option<ConversationView>, StoreError> {
        self.backend.conversation_by_token(token_hash).await
    }

    /// Seals and appends a message; returns once it is durable.
    pub async fn append_message(
        &self,
        conversation: &ConversationView,
        sender: Sender,
        text: &str,
    ) -> Result<MessageView, StoreError> {
        let key = self
            .keys
            .data_key(self.backend.as_ref(), conversation.key_id)
            .await?
            .ok_or(StoreError::Conflict("the conversation was shredded"))?;
        let id = MessageId(Uuid::now_v7());
        let body_ct = sealed::seal_message(&key, &id.0, sender, text);
        let ops = vec![Op::InsertMessage { id, conversation: conversation.id, event_index: 0, sender, body_ct }];
        let events = vec![Event::MessageRecorded { conversation: conversation.id, message: id, sender }];
        let at_ms = now_ms();
        let seqs = self.submit(ops, events).await?;
        let seq = seqs.first().copied().ok_or(StoreError::Conflict("message not recorded"))?;
        Ok(MessageView { id, conversation: conversation.id, seq, sender, body: Body::Text(text.to_owned()), at_ms })
    }

    /// Messages after `after_seq`, oldest first, decrypted (or marked shredded).
    pub async fn messages(
        &self,
        conversation: ConversationId,
        after_seq: i64,
        limit: i64,
    ) -> Result<Vec<MessageView>, StoreError> {
        let raw = self.backend.messages(conversation, after_seq, limit).await?;
        let mut out = Vec::with_capacity(raw.len());
        for m in raw {
            out.push(self.open_message(m).await?);
        }
        Ok(out)
    }

    /// The last `limit` messages, oldest first: only they are read and decrypted, however long
    /// the conversation.
    pub async fn last_messages(
        &self,
        conversation: ConversationId,
        limit: i64,
    ) -> Result<Vec<MessageView>, StoreError> {
        let raw = self.backend.last_messages(conversation, limit).await?;
        let mut out = Vec::with_capacity(raw.len());
        for m in raw {
            out.push(self.open_message(m).await?);
        }
        Ok(out)
    }

    async fn open_message(&self, m: RawMessage) -> Result<MessageView, StoreError> {
        // Parsed first: the sender is part of what the body is sealed with.
        let sender = m.sender.parse::<Sender>().map_err(|e| StoreError::Database(e.to_string()))?;
        let body = if m.key_alive {
            match self.keys.data_key(self.backend.as_ref(), m.key_id).await? {
                Some(key) => {
                    let plain = sealed::open_message(&key, &m.id, sender, &m.body_ct)?;
                    Body::Text(String::from_utf8_lossy(&plain).into_owned())
                }
                None => Body::Shredded,
            }
        } else {
            Body::Shredded
        };
        Ok(MessageView {
            id: MessageId(m.id),
            conversation: ConversationId(m.conversation),
            seq: m.seq,
            sender,
            body,
            at_ms: m.at_ms,
        })
    }
}
