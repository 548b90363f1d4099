//! Who holds a case: a coordinator gives it to a specialist, and may give it to another later.
//! Operators who opened a case hold it until then; cases the bot opened are held by nobody.

use crate::case::{Case, CaseError};
use crate::event::Event;
use crate::ids::UserId;
use crate::role::Role;

/// The one giving and the one given a case, as the rule needs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assignment {
    pub to: UserId,
    /// The target's role, and whether the account is in use (not pending, not disabled).
    pub to_role: Role,
    pub to_active: bool,
    pub by: UserId,
    pub by_role: Role,
}

impl Case {
    /// Checks an assignment of this case (held by `owner` now) and returns the event recording it.
    pub fn decide_assignment(&self, owner: Option<UserId>, a: Assignment) -> Result<Event, CaseError> {
        if a.by_role != Role::Coordinator {
            return Err(CaseError::AssignRefused(a.by_role));
        }
        if !self.state.is_open() {
            return Err(CaseError::Finished(self.state));
        }
        if a.to_role != Role::Specialist || !a.to_active {
            return Err(CaseError::NotASpecialist);
        }
        if owner == Some(a.to) {
            return Err(CaseError::AlreadyAssigned);
        }
        Ok(Event::CaseAssigned { case: self.id, to: a.to, by: a.by })
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::case::{CaseKind, CaseState};
    use crate::ids::CaseId;

    fn case(state: CaseState) -> Case {
        Case { id: CaseId(Uuid::from_u128(1)), state, kind: CaseKind::Individual, composition: None }
    }

    fn give(to_role: Role, by_role: Role) -> Assignment {
        Assignment { to: UserId(Uuid::from_u128(2)), to_role, to_active: true, by: UserId(Uuid::from_u128(3)), by_role }
    }

    #[test]
    fn only_a_coordinator_assigns_and_only_to_an_active_specialist() {
        let open = case(CaseState::Registered);
        let event = open.decide_assignment(None, give(Role::Specialist, Role::Coordinator)).unwrap();
        assert_eq!(
            event,
            Event::CaseAssigned { case: open.id, to: UserId(Uuid::from_u128(2)), by: UserId(Uuid::from_u128(3)) }
        );
        for role in Role::ALL.into_iter().filter(|r| *r != Role::Coordinator) {
            assert_eq!(open.decide_assignment(None, give(Role::Specialist, role)), Err(CaseError::AssignRefused(role)));
        }
        for role in Role::ALL.into_iter().filter(|r| *r != Role::Specialist) {
            assert_eq!(open.decide_assignment(None, give(role, Role::Coordinator)), Err(CaseError::NotASpecialist));
        }
        let inactive = Assignment { to_active: false, ..give(Role::Specialist, Role::Coordinator) };
        assert_eq!(open.decide_assignment(None, inactive), Err(CaseError::NotASpecialist));
    }

    #[test]
    fn reassigning_moves_the_case_but_not_to_its_holder_nor_once_finished() {
        let open = case(CaseState::Located);
        let a = give(Role::Specialist, Role::Coordinator);
        let other = Some(UserId(Uuid::from_u128(9)));
        assert!(open.decide_assignment(other, a).is_ok());
        assert_eq!(open.decide_assignment(Some(a.to), a), Err(CaseError::AlreadyAssigned));
        for state in [CaseState::Closed, CaseState::Exited] {
            assert_eq!(case(state).decide_assignment(None, a), Err(CaseError::Finished(state)));
        }
    }
}
