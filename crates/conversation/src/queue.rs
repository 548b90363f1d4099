//! People and the queue: taking a conversation (a guarded update: two operators never both
//! get it) and closing it. Either way the bot stops stepping its flow there. Taking a waiting
//! call connects the caller to the operator's phone, when they set one.

use safepassage_domain::{Channel, ConversationId, UserId};
use safepassage_store::StoreError;

use crate::channel::outbound::Outbound;
use crate::Conversations;

impl Conversations {
    pub async fn take_conversation(&self, conversation: ConversationId, user: UserId) -> Result<(), StoreError> {
        self.store.take_conversation(conversation, user).await?;
        self.tokens.forget(conversation);
        // A person has it now: the bot no longer steps its flow here.
        self.flow_sessions.forget(conversation);
        self.hub.queue_changed();
        self.connect_call(conversation, user).await
    }

    /// A caller waiting on the line is connected to the operator who took the call, through
    /// the outbox (the voice courier updates the live call). Without a phone or SIP address
    /// set, the operator sees the call in the console and nothing is dialled.
    async fn connect_call(&self, conversation: ConversationId, user: UserId) -> Result<(), StoreError> {
        let Some(view) = self.store.conversation(conversation).await? else { return Ok(()) };
        if view.channel != Channel::Voice {
            return Ok(());
        }
        let Some(to) = self.store.staff_phone(user).await? else {
            tracing::info!(%conversation, "a call was taken by someone with no phone set: nothing is dialled");
            return Ok(());
        };
        let connect = Outbound::ConnectCall { to: to.as_str().to_owned() };
        self.queue_outbound(&view, &connect, crate::clock::now_ms()).await
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
