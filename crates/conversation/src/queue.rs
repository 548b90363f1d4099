//! People and the queue: taking a conversation (a guarded update: two operators never both
//! get it) and closing it. Either way the bot stops stepping its flow there.

use safepassage_domain::{ConversationId, UserId};
use safepassage_store::StoreError;

use crate::Conversations;

impl Conversations {
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
}
