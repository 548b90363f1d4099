//! Relatives: a relative's conversation linked to the person's case, as a relative's. It never
//! joins the case (no codename, no transcript access through the case); the case lists it.

use safepassage_domain::relatives::RelativeConversation;
use safepassage_domain::{CaseId, ConversationId, Role, UserId};

use super::Store;
use crate::error::StoreError;
use crate::model::ConversationView;
use crate::ops::Op;

impl Store {
    /// Links `conversation` to `case` as a relative's, as the domain allows; the link and its
    /// `RelativeLinked` event are one job.
    pub async fn link_relative(
        &self,
        conversation: ConversationId,
        case: CaseId,
        by: UserId,
        by_role: Role,
    ) -> Result<(), StoreError> {
        let view = self.existing_case(case).await?;
        let talk = self.backend.conversation(conversation).await?.ok_or(StoreError::NotFound("conversation"))?;
        let linked = self.backend.relative_of(conversation).await?.is_some();
        let facts = RelativeConversation { id: conversation, has_case: talk.case.is_some(), linked };
        let event = view.as_domain().decide_relative_link(view.assigned_to, facts, by, by_role)?;
        self.submit(vec![Op::LinkRelative { conversation, case }], vec![event]).await?;
        Ok(())
    }

    /// The case whose relative's conversation this is, if any.
    pub async fn relative_of(&self, conversation: ConversationId) -> Result<Option<CaseId>, StoreError> {
        self.backend.relative_of(conversation).await
    }

    /// The relatives' conversations of a case, oldest first.
    pub async fn relatives(&self, case: CaseId) -> Result<Vec<ConversationView>, StoreError> {
        let mut out = Vec::new();
        for id in self.backend.relatives(case).await? {
            if let Some(c) = self.backend.conversation(id).await? {
                out.push(c);
            }
        }
        Ok(out)
    }
}
