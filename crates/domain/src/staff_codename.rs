//! A codename from the console: the holder of an open case issues one, or a new one that
//! replaces the old (which then stops working). Shown once to the holder, never kept in clear.

use crate::case::{Case, CaseError};
use crate::event::Event;
use crate::ids::UserId;
use crate::role::Role;

impl Case {
    /// The holder (an operator or specialist holding the case) issues or re-issues its codename.
    pub fn decide_codename_by_staff(
        &self,
        owner: Option<UserId>,
        had_codename: bool,
        by: UserId,
        by_role: Role,
    ) -> Result<Event, CaseError> {
        if !matches!(by_role, Role::Specialist | Role::Operator) || owner != Some(by) {
            return Err(CaseError::NotTheHolder);
        }
        if !self.state.is_open() {
            return Err(CaseError::Finished(self.state));
        }
        Ok(Event::CodenameIssuedByStaff { case: self.id, by, replaced: had_codename })
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::case::{CaseKind, CaseState};
    use crate::ids::CaseId;

    #[test]
    fn only_the_holder_of_an_open_case_issues_a_codename() {
        let (holder, other) = (UserId(Uuid::from_u128(2)), UserId(Uuid::from_u128(3)));
        let case = Case {
            id: CaseId(Uuid::from_u128(1)),
            state: CaseState::Registered,
            kind: CaseKind::Individual,
            composition: None,
        };
        assert_eq!(
            case.decide_codename_by_staff(Some(holder), true, holder, Role::Specialist),
            Ok(Event::CodenameIssuedByStaff { case: case.id, by: holder, replaced: true })
        );
        assert!(case.decide_codename_by_staff(Some(holder), false, holder, Role::Operator).is_ok());
        for role in Role::ALL {
            assert_eq!(case.decide_codename_by_staff(Some(holder), false, other, role), Err(CaseError::NotTheHolder));
        }
        for role in [Role::Coordinator, Role::Operations, Role::Analyst, Role::Admin] {
            assert_eq!(case.decide_codename_by_staff(Some(holder), false, holder, role), Err(CaseError::NotTheHolder));
        }
        let closed = Case { state: CaseState::Closed, ..case };
        assert_eq!(
            closed.decide_codename_by_staff(Some(holder), true, holder, Role::Specialist),
            Err(CaseError::Finished(CaseState::Closed))
        );
    }
}
