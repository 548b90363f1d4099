//! Relatives: a relative's conversation is linked to the person's case, as a relative's (not
//! the person's own: it never joins the case). The case's holder decides, or a coordinator.

use crate::case::{Case, CaseError};
use crate::event::Event;
use crate::ids::{ConversationId, UserId};
use crate::role::Role;

/// The conversation as the rule needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelativeConversation {
    pub id: ConversationId,
    /// It is some case's own conversation.
    pub has_case: bool,
    /// It is already linked as a relative's.
    pub linked: bool,
}

impl Case {
    pub fn decide_relative_link(
        &self,
        owner: Option<UserId>,
        conversation: RelativeConversation,
        by: UserId,
        by_role: Role,
    ) -> Result<Event, CaseError> {
        let allowed = by_role == Role::Coordinator || (by_role == Role::Specialist && owner == Some(by));
        if !allowed {
            return Err(CaseError::NotTheHolder);
        }
        if !self.state.is_open() {
            return Err(CaseError::Finished(self.state));
        }
        if conversation.has_case || conversation.linked {
            return Err(CaseError::AlreadyLinked);
        }
        Ok(Event::RelativeLinked { case: self.id, conversation: conversation.id, by })
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::case::{CaseKind, CaseState};
    use crate::ids::CaseId;

    #[test]
    fn the_holder_links_a_free_conversation_of_a_relative_to_an_open_case() {
        let (holder, other) = (UserId(Uuid::from_u128(2)), UserId(Uuid::from_u128(3)));
        let case = Case {
            id: CaseId(Uuid::from_u128(1)),
            state: CaseState::Deployed,
            kind: CaseKind::Individual,
            composition: None,
        };
        let free = RelativeConversation { id: ConversationId(Uuid::from_u128(4)), has_case: false, linked: false };
        assert_eq!(
            case.decide_relative_link(Some(holder), free, holder, Role::Specialist),
            Ok(Event::RelativeLinked { case: case.id, conversation: free.id, by: holder })
        );
        assert!(case.decide_relative_link(Some(holder), free, other, Role::Coordinator).is_ok());
        for role in [Role::Operator, Role::Specialist, Role::Operations, Role::Analyst, Role::Admin] {
            assert_eq!(case.decide_relative_link(Some(holder), free, other, role), Err(CaseError::NotTheHolder));
        }
        for taken in [RelativeConversation { has_case: true, ..free }, RelativeConversation { linked: true, ..free }] {
            assert_eq!(
                case.decide_relative_link(Some(holder), taken, holder, Role::Specialist),
                Err(CaseError::AlreadyLinked)
            );
        }
        let exited = Case { state: CaseState::Exited, ..case };
        assert_eq!(
            exited.decide_relative_link(Some(holder), free, holder, Role::Specialist),
            Err(CaseError::Finished(CaseState::Exited))
        );
    }
}
