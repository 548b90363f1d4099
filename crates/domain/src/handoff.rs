//! Hand-off to operations and what they report back. A coordinator hands an approved plan to
//! operations (`plan_approved → handed_off`); operations report `accepted`, `under_way`,
//! `completed`, or `aborted` with a reason at any point before completion. An abort sends the case
//! back to `located` (its owner keeps it; a plan must be approved again). After `completed` the
//! owner or a coordinator records the exit (`handed_off → exited`), but **never whoever approved
//! the plan** (four eyes, [`PlanError::ApproverRecordsExit`]).

use serde::{Deserialize, Serialize};

use crate::case::{Case, CaseState};
use crate::event::Event;
use crate::exit_plan::{Actor, PlanError, PlanFacts, PlanStatus, MAX_COMMENT_CHARS};
use crate::ids::UserId;
use crate::role::Role;
use crate::vocabulary::ParseError;

/// What operations say about a hand-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OperationsStatus {
    Accepted,
    UnderWay,
    Completed,
    Aborted,
}

impl OperationsStatus {
    pub const ALL: [OperationsStatus; 4] = [
        OperationsStatus::Accepted,
        OperationsStatus::UnderWay,
        OperationsStatus::Completed,
        OperationsStatus::Aborted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OperationsStatus::Accepted => "accepted",
            OperationsStatus::UnderWay => "under_way",
            OperationsStatus::Completed => "completed",
            OperationsStatus::Aborted => "aborted",
        }
    }

    /// The reports that may follow `last` (None: nothing reported on this hand-off yet).
    pub fn may_follow(last: Option<OperationsStatus>) -> &'static [OperationsStatus] {
        use OperationsStatus::*;
        match last {
            None => &[Accepted, Aborted],
            Some(Accepted) => &[UnderWay, Aborted],
            Some(UnderWay) => &[Completed, Aborted],
            Some(Completed) | Some(Aborted) => &[],
        }
    }
}

impl std::str::FromStr for OperationsStatus {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        OperationsStatus::ALL
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or(ParseError::Unknown { what: "operations status", allowed: "accepted under_way completed aborted" })
    }
}

impl Case {
    /// A coordinator hands the approved (newest) plan to operations.
    pub fn decide_hand_off(&self, approved: Option<&PlanFacts>, actor: Actor) -> Result<Event, PlanError> {
        if actor.role != Role::Coordinator {
            return Err(PlanError::NotCoordinator);
        }
        if self.state != CaseState::PlanApproved {
            return Err(PlanError::WrongState(self.state));
        }
        let plan = approved.ok_or(PlanError::NoPlan)?;
        if plan.status != PlanStatus::Approved {
            return Err(PlanError::WrongStatus(plan.status));
        }
        Ok(Event::CaseHandedOff { case: self.id, plan: plan.plan, by: actor.id })
    }

    /// Operations report on the hand-off; `last` is their last report on it. An abort needs a
    /// reason (sealed apart) and sends the case back to `located`.
    pub fn decide_operations_report(
        &self,
        last: Option<OperationsStatus>,
        status: OperationsStatus,
        reason: &str,
        report: uuid::Uuid,
        actor: Actor,
    ) -> Result<Event, PlanError> {
        if actor.role != Role::Operations {
            return Err(PlanError::NotOperations);
        }
        if self.state != CaseState::HandedOff {
            return Err(PlanError::WrongState(self.state));
        }
        if !OperationsStatus::may_follow(last).contains(&status) {
            return Err(PlanError::ReportOutOfOrder(status.as_str()));
        }
        if status == OperationsStatus::Aborted {
            if reason.trim().is_empty() {
                return Err(PlanError::Missing("reason"));
            }
            if reason.chars().count() > MAX_COMMENT_CHARS {
                return Err(PlanError::TooLong("reason"));
            }
        }
        Ok(Event::OperationsReported { case: self.id, report, status, by: actor.id })
    }

    /// The owner or a coordinator records the exit once operations completed it; never whoever
    /// approved the plan that was carried out.
    pub fn decide_exit(
        &self,
        owner: Option<UserId>,
        approver: Option<UserId>,
        last: Option<OperationsStatus>,
        actor: Actor,
    ) -> Result<Event, PlanError> {
        if approver == Some(actor.id) {
            return Err(PlanError::ApproverRecordsExit);
        }
        if !(actor.role == Role::Coordinator || owner == Some(actor.id)) {
            return Err(PlanError::NotOwnerOrCoordinator);
        }
        if self.state != CaseState::HandedOff {
            return Err(PlanError::WrongState(self.state));
        }
        if last != Some(OperationsStatus::Completed) {
            return Err(PlanError::NotCompleted);
        }
        Ok(Event::ExitRecorded { case: self.id, by: actor.id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::CaseKind;
    use crate::ids::CaseId;
    use uuid::Uuid;

    fn case_in(state: CaseState) -> Case {
        Case { id: CaseId(Uuid::from_u128(7)), state, kind: CaseKind::Individual, composition: None }
    }

    fn user(n: u128) -> UserId {
        UserId(Uuid::from_u128(n))
    }

    fn approved(author: UserId, reviewer: UserId) -> PlanFacts {
        PlanFacts {
            plan: Uuid::from_u128(99),
            version: 2,
            status: PlanStatus::Approved,
            author,
            reviewer: Some(reviewer),
        }
    }

    #[test]
    fn a_coordinator_hands_off_an_approved_plan() {
        let plan = approved(user(1), user(2));
        let case = case_in(CaseState::PlanApproved);
        let event = case.decide_hand_off(Some(&plan), Actor { id: user(3), role: Role::Coordinator }).unwrap();
        let mut c = case.clone();
        c.apply(&event);
        assert_eq!(c.state, CaseState::HandedOff);
        assert_eq!(
            case.decide_hand_off(Some(&plan), Actor { id: user(1), role: Role::Specialist }),
            Err(PlanError::NotCoordinator)
        );
        assert_eq!(
            case_in(CaseState::Located).decide_hand_off(Some(&plan), Actor { id: user(3), role: Role::Coordinator }),
            Err(PlanError::WrongState(CaseState::Located))
        );
        assert_eq!(case.decide_hand_off(None, Actor { id: user(3), role: Role::Coordinator }), Err(PlanError::NoPlan));
    }

    #[test]
    fn reports_follow_their_order_and_an_abort_needs_a_reason() {
        use OperationsStatus::*;
        let case = case_in(CaseState::HandedOff);
        let ops = Actor { id: user(5), role: Role::Operations };
        let id = Uuid::nil();
        let mut last = None;
        for status in [Accepted, UnderWay, Completed] {
            assert!(case.decide_operations_report(last, status, "", id, ops).is_ok(), "{status:?}");
            last = Some(status);
        }
        assert_eq!(
            case.decide_operations_report(last, Aborted, "late", id, ops),
            Err(PlanError::ReportOutOfOrder("aborted"))
        );
        assert_eq!(
            case.decide_operations_report(None, Completed, "", id, ops),
            Err(PlanError::ReportOutOfOrder("completed"))
        );
        assert_eq!(
            case.decide_operations_report(Some(Accepted), Aborted, "  ", id, ops),
            Err(PlanError::Missing("reason"))
        );
        let aborted = case.decide_operations_report(Some(Accepted), Aborted, "checkpoint moved", id, ops).unwrap();
        let mut c = case.clone();
        c.apply(&aborted);
        assert_eq!(c.state, CaseState::Located, "back to the owner");
        for role in Role::ALL.into_iter().filter(|r| *r != Role::Operations) {
            let who = Actor { id: user(5), role };
            assert_eq!(case.decide_operations_report(None, Accepted, "", id, who), Err(PlanError::NotOperations));
        }
        let located = case_in(CaseState::Located);
        assert_eq!(
            located.decide_operations_report(None, Accepted, "", id, ops),
            Err(PlanError::WrongState(CaseState::Located))
        );
    }

    /// Four eyes at the end: whoever approved the plan never records the exit, whatever their
    /// roles; the owner or another coordinator does, and only after completion.
    #[test]
    fn the_approver_never_records_the_exit() {
        let (owner, approver) = (user(1), user(2));
        let case = case_in(CaseState::HandedOff);
        let done = Some(OperationsStatus::Completed);
        for role in Role::ALL {
            let me = Actor { id: approver, role };
            assert_eq!(case.decide_exit(Some(owner), Some(approver), done, me), Err(PlanError::ApproverRecordsExit));
        }
        let by_owner =
            case.decide_exit(Some(owner), Some(approver), done, Actor { id: owner, role: Role::Specialist }).unwrap();
        let mut c = case.clone();
        c.apply(&by_owner);
        assert_eq!(c.state, CaseState::Exited);
        let other = Actor { id: user(3), role: Role::Coordinator };
        assert!(case.decide_exit(Some(owner), Some(approver), done, other).is_ok());
        let stranger = Actor { id: user(4), role: Role::Specialist };
        assert_eq!(
            case.decide_exit(Some(owner), Some(approver), done, stranger),
            Err(PlanError::NotOwnerOrCoordinator)
        );
        let ops = Actor { id: user(5), role: Role::Operations };
        assert_eq!(case.decide_exit(Some(owner), Some(approver), done, ops), Err(PlanError::NotOwnerOrCoordinator));
        let under_way = Some(OperationsStatus::UnderWay);
        assert_eq!(case.decide_exit(Some(owner), Some(approver), under_way, other), Err(PlanError::NotCompleted));
    }

    #[test]
    fn statuses_parse_back() {
        for s in OperationsStatus::ALL {
            assert_eq!(s.as_str().parse::<OperationsStatus>().unwrap(), s);
        }
    }
}
