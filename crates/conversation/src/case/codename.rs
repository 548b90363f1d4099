//! A returning applicant's codename: the conversation joins its case.

use safepassage_store::{ConversationStatus, ConversationView, StoreError};

use crate::Conversations;

impl Conversations {
    /// A returning applicant's codename: joins the conversation to its case and puts it before
    /// the others in the queue. `false` says only "no", never why.
    pub async fn applicant_joins_by_codename(
        &self,
        conversation: &ConversationView,
        codename: &safepassage_domain::Codename,
    ) -> Result<bool, StoreError> {
        if !self.join_case_by_codename(conversation, codename).await? {
            return Ok(false);
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

    /// The join itself: the conversation joins the codename's case (its holder is told) and
    /// waits first in the queue. `false` says only "no".
    pub(crate) async fn join_case_by_codename(
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
        Ok(true)
    }
}
