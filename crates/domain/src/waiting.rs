//! Waiting and silence: each open case expects the applicant's next contact by a date. The
//! owner (or a coordinator) sets it; otherwise it follows from the state's default wait counted
//! from the later of the move into the state and the applicant's last contact. A contact from
//! the applicant clears the owner's date, and a move to another state does too.

use crate::case::{Case, CaseError, CaseState};
use crate::event::Event;
use crate::ids::UserId;
use crate::role::Role;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// The furthest the owner may expect the next contact: a little over a year.
pub const MAX_WAIT_DAYS: u32 = 400;

/// The default wait per open state, in days (a setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContactDefaults {
    pub inquiry: u32,
    pub registered: u32,
    pub deployed: u32,
    pub located: u32,
    pub plan_approved: u32,
    pub handed_off: u32,
}

impl Default for ContactDefaults {
    /// A registered person may wait for a month; once at the front, days count.
    fn default() -> ContactDefaults {
        ContactDefaults { inquiry: 7, registered: 30, deployed: 3, located: 1, plan_approved: 1, handed_off: 1 }
    }
}

impl ContactDefaults {
    /// The default wait of an open state; `None` for a finished case (nothing is expected).
    pub fn days(&self, state: CaseState) -> Option<u32> {
        match state {
            CaseState::Inquiry => Some(self.inquiry),
            CaseState::Registered => Some(self.registered),
            CaseState::Deployed => Some(self.deployed),
            CaseState::Located => Some(self.located),
            CaseState::PlanApproved => Some(self.plan_approved),
            CaseState::HandedOff => Some(self.handed_off),
            CaseState::Exited | CaseState::Closed => None,
        }
    }

    /// Sets one state's default (`registered = 30`, as the settings file names states).
    pub fn set(&mut self, state: CaseState, days: u32) -> Result<(), CaseError> {
        if !(1..=MAX_WAIT_DAYS).contains(&days) {
            return Err(CaseError::BadNextContact);
        }
        let slot = match state {
            CaseState::Inquiry => &mut self.inquiry,
            CaseState::Registered => &mut self.registered,
            CaseState::Deployed => &mut self.deployed,
            CaseState::Located => &mut self.located,
            CaseState::PlanApproved => &mut self.plan_approved,
            CaseState::HandedOff => &mut self.handed_off,
            CaseState::Exited | CaseState::Closed => return Err(CaseError::Finished(state)),
        };
        *slot = days;
        Ok(())
    }
}

/// What the store knows of a case's waiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiting {
    pub state: CaseState,
    /// When the case entered its state.
    pub state_since_ms: i64,
    /// The applicant's last contact (a message in a case conversation, a codename join).
    pub last_contact_ms: Option<i64>,
    /// The date the owner set, if they set one since the last contact and the last move.
    pub next_contact_ms: Option<i64>,
}

impl Waiting {
    /// When the next contact is expected; `None` for a finished case.
    pub fn due_ms(&self, defaults: &ContactDefaults) -> Option<i64> {
        let days = defaults.days(self.state)?;
        if let Some(set) = self.next_contact_ms {
            return Some(set);
        }
        let from = self.state_since_ms.max(self.last_contact_ms.unwrap_or(i64::MIN));
        Some(from.saturating_add(i64::from(days).saturating_mul(DAY_MS)))
    }

    /// Whether the expected contact is past.
    pub fn overdue(&self, defaults: &ContactDefaults, now_ms: i64) -> bool {
        self.due_ms(defaults).is_some_and(|due| due < now_ms)
    }
}

/// A request to expect the next contact in `days` days, from `now_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextContact {
    pub days: u32,
    pub now_ms: i64,
    pub by: UserId,
    pub by_role: Role,
}

impl Case {
    /// The owner of an open case, or a coordinator, sets when the next contact is expected.
    pub fn decide_next_contact(&self, owner: Option<UserId>, request: NextContact) -> Result<Event, CaseError> {
        let allowed = request.by_role == Role::Coordinator
            || (matches!(request.by_role, Role::Specialist | Role::Operator) && owner == Some(request.by));
        if !allowed {
            return Err(CaseError::NotTheHolder);
        }
        if !self.state.is_open() {
            return Err(CaseError::Finished(self.state));
        }
        if !(1..=MAX_WAIT_DAYS).contains(&request.days) {
            return Err(CaseError::BadNextContact);
        }
        let at_ms = request.now_ms.saturating_add(i64::from(request.days) * DAY_MS);
        Ok(Event::NextContactSet { case: self.id, at_ms, by: request.by })
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use crate::case::CaseKind;
    use crate::ids::CaseId;

    fn case(state: CaseState) -> Case {
        Case { id: CaseId(Uuid::from_u128(1)), state, kind: CaseKind::Individual, composition: None }
    }

    #[test]
    fn the_default_wait_counts_from_the_later_of_the_move_and_the_last_contact() {
        let d = ContactDefaults::default();
        let w =
            Waiting { state: CaseState::Registered, state_since_ms: 0, last_contact_ms: None, next_contact_ms: None };
        assert_eq!(w.due_ms(&d), Some(30 * DAY_MS));
        assert!(!w.overdue(&d, 30 * DAY_MS));
        assert!(w.overdue(&d, 30 * DAY_MS + 1));
        let spoke = Waiting { last_contact_ms: Some(10 * DAY_MS), ..w };
        assert_eq!(spoke.due_ms(&d), Some(40 * DAY_MS));
        let older = Waiting { last_contact_ms: Some(-5 * DAY_MS), ..w };
        assert_eq!(older.due_ms(&d), Some(30 * DAY_MS), "a contact before the move does not count");
        let deployed = Waiting { state: CaseState::Deployed, ..w };
        assert!(deployed.overdue(&d, 3 * DAY_MS + 1));
        let located = Waiting { state: CaseState::Located, ..w };
        assert!(located.overdue(&d, DAY_MS + 1));
    }

    #[test]
    fn the_owners_date_wins_and_a_finished_case_expects_nothing() {
        let d = ContactDefaults::default();
        let w = Waiting {
            state: CaseState::Registered,
            state_since_ms: 0,
            last_contact_ms: None,
            next_contact_ms: Some(2 * DAY_MS),
        };
        assert_eq!(w.due_ms(&d), Some(2 * DAY_MS));
        assert!(w.overdue(&d, 3 * DAY_MS));
        for state in [CaseState::Exited, CaseState::Closed] {
            let done = Waiting { state, ..w };
            assert_eq!(done.due_ms(&d), None);
            assert!(!done.overdue(&d, i64::MAX));
        }
    }

    #[test]
    fn defaults_are_set_per_open_state_within_bounds() {
        let mut d = ContactDefaults::default();
        d.set(CaseState::Registered, 60).unwrap();
        assert_eq!(d.days(CaseState::Registered), Some(60));
        assert_eq!(d.set(CaseState::Deployed, 0), Err(CaseError::BadNextContact));
        assert_eq!(d.set(CaseState::Deployed, MAX_WAIT_DAYS + 1), Err(CaseError::BadNextContact));
        assert_eq!(d.set(CaseState::Closed, 3), Err(CaseError::Finished(CaseState::Closed)));
    }

    #[test]
    fn only_the_holder_or_a_coordinator_sets_the_next_contact() {
        let (owner, other) = (UserId(Uuid::from_u128(2)), UserId(Uuid::from_u128(3)));
        let open = case(CaseState::Deployed);
        let ask = |by, by_role, days| NextContact { days, now_ms: 1_000, by, by_role };
        let event = open.decide_next_contact(Some(owner), ask(owner, Role::Specialist, 2)).unwrap();
        assert_eq!(event, Event::NextContactSet { case: open.id, at_ms: 1_000 + 2 * DAY_MS, by: owner });
        assert!(open.decide_next_contact(Some(owner), ask(other, Role::Coordinator, 2)).is_ok());
        assert!(open.decide_next_contact(Some(owner), ask(owner, Role::Operator, 2)).is_ok());
        for role in [Role::Specialist, Role::Operator, Role::Operations, Role::Analyst, Role::Admin] {
            assert_eq!(open.decide_next_contact(Some(owner), ask(other, role, 2)), Err(CaseError::NotTheHolder));
        }
        assert_eq!(open.decide_next_contact(None, ask(owner, Role::Specialist, 2)), Err(CaseError::NotTheHolder));
        for days in [0, MAX_WAIT_DAYS + 1] {
            assert_eq!(
                open.decide_next_contact(Some(owner), ask(owner, Role::Specialist, days)),
                Err(CaseError::BadNextContact)
            );
        }
        let closed = case(CaseState::Closed);
        assert_eq!(
            closed.decide_next_contact(Some(owner), ask(owner, Role::Specialist, 2)),
            Err(CaseError::Finished(CaseState::Closed))
        );
    }
}
