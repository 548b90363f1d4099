//! A case's life: `inquiry → registered → deployed → located → plan_approved → handed_off →
//! exited`, and `closed` with a reason from any open state. Each move names the roles allowed to
//! make it; `Case::decide` checks a requested move and returns the event to record.

use serde::{Deserialize, Serialize};

use crate::event::Event;
use crate::ids::{CaseId, UserId};
use crate::role::Role;
use crate::vocabulary::ParseError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseState {
    Inquiry,
    Registered,
    Deployed,
    Located,
    PlanApproved,
    HandedOff,
    Exited,
    Closed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CloseReason {
    Withdrew,
    LostContact,
    Duplicate,
    Unsafe,
    SuspectedProvocation,
}

/// One applicant, or several people under one plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseKind {
    Individual,
    Group,
}

/// A requested move of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Transition {
    Advance { to: CaseState },
    Close { reason: CloseReason },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("a case cannot move from {from} to {to}")]
    NotAllowed { from: CaseState, to: CaseState },
    #[error("the role {role} may not move a case from {from} to {to}")]
    RoleRefused { role: Role, from: CaseState, to: CaseState },
    #[error("the case is {0} and can no longer change")]
    Finished(CaseState),
    #[error("a group has between 2 and {max} people, officers at most the group's size", max = GroupComposition::MAX_SIZE)]
    BadComposition,
    #[error("only a group case has a composition")]
    NotAGroup,
    #[error("the role {0} may not assign a case")]
    AssignRefused(Role),
    #[error("a case is assigned only to an active specialist")]
    NotASpecialist,
    #[error("the case is already assigned to that specialist")]
    AlreadyAssigned,
    /// A case moves to `located` only once at least one location report is recorded.
    #[error("the case has no location report yet")]
    NoLocationYet,
    #[error("a case reaches {0} only through its exit plan, hand-off or exit record")]
    ThroughExitPath(CaseState),
    #[error("only the case's holder or a coordinator may do that")]
    NotTheHolder,
    #[error("the next contact is expected between 1 and {max} days ahead", max = crate::waiting::MAX_WAIT_DAYS)]
    BadNextContact,
    #[error("the conversation already belongs to a case")]
    AlreadyLinked,
}

/// Size and composition of a group case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupComposition {
    pub size: u32,
    pub officers: u32,
}

impl GroupComposition {
    pub const MAX_SIZE: u32 = 1_000;

    pub fn new(size: u32, officers: u32) -> Result<GroupComposition, CaseError> {
        if !(2..=Self::MAX_SIZE).contains(&size) || officers > size {
            return Err(CaseError::BadComposition);
        }
        Ok(GroupComposition { size, officers })
    }
}

impl CaseState {
    pub const ALL: [CaseState; 8] = [
        CaseState::Inquiry,
        CaseState::Registered,
        CaseState::Deployed,
        CaseState::Located,
        CaseState::PlanApproved,
        CaseState::HandedOff,
        CaseState::Exited,
        CaseState::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CaseState::Inquiry => "inquiry",
            CaseState::Registered => "registered",
            CaseState::Deployed => "deployed",
            CaseState::Located => "located",
            CaseState::PlanApproved => "plan_approved",
            CaseState::HandedOff => "handed_off",
            CaseState::Exited => "exited",
            CaseState::Closed => "closed",
        }
    }

    pub fn is_open(self) -> bool {
        !matches!(self, CaseState::Exited | CaseState::Closed)
    }

    /// The next state on the main path, with the roles that may move the case there.
    /// Approving a plan is the coordinator's alone (four eyes: the specialist writes it).
    pub fn next(self) -> Option<(CaseState, &'static [Role])> {
        use CaseState::*;
        use Role::*;
        match self {
            Inquiry => Some((Registered, &[Operator, Specialist])),
            Registered => Some((Deployed, &[Specialist])),
            Deployed => Some((Located, &[Specialist])),
            Located => Some((PlanApproved, &[Coordinator])),
            PlanApproved => Some((HandedOff, &[Coordinator])),
            HandedOff => Some((Exited, &[Operations, Coordinator])),
            Exited | Closed => None,
        }
    }

    /// States reached only through the exit path's own acts (an approved plan, a hand-off, an
    /// exit recorded after operations completed it: `exit_plan`, `handoff`), never by a plain move.
    pub fn through_exit_path(self) -> bool {
        matches!(self, CaseState::PlanApproved | CaseState::HandedOff | CaseState::Exited)
    }

    /// Roles that may close a case in this state.
    pub fn closers(self) -> &'static [Role] {
        use Role::*;
        match self {
            CaseState::Inquiry => &[Operator, Specialist, Coordinator],
            s if s.is_open() => &[Specialist, Coordinator],
            _ => &[],
        }
    }

    /// Every move a role may make from this state: what the console offers as buttons.
    pub fn moves_for(self, role: Role) -> Vec<Transition> {
        let mut moves = Vec::new();
        if let Some((to, roles)) = self.next() {
            if roles.contains(&role) && !to.through_exit_path() {
                moves.push(Transition::Advance { to });
            }
        }
        if self.closers().contains(&role) {
            for reason in CloseReason::ALL {
                moves.push(Transition::Close { reason });
            }
        }
        moves
    }
}

impl std::str::FromStr for CaseState {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CaseState::ALL.into_iter().find(|c| c.as_str() == s).ok_or(ParseError::Unknown {
            what: "case state",
            allowed: "inquiry registered deployed located plan_approved handed_off exited closed",
        })
    }
}

impl std::fmt::Display for CaseState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl CloseReason {
    pub const ALL: [CloseReason; 5] = [
        CloseReason::Withdrew,
        CloseReason::LostContact,
        CloseReason::Duplicate,
        CloseReason::Unsafe,
        CloseReason::SuspectedProvocation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CloseReason::Withdrew => "withdrew",
            CloseReason::LostContact => "lost_contact",
            CloseReason::Duplicate => "duplicate",
            CloseReason::Unsafe => "unsafe",
            CloseReason::SuspectedProvocation => "suspected_provocation",
        }
    }
}

impl std::str::FromStr for CloseReason {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CloseReason::ALL.into_iter().find(|c| c.as_str() == s).ok_or(ParseError::Unknown {
            what: "close reason",
            allowed: "withdrew lost_contact duplicate unsafe suspected_provocation",
        })
    }
}

/// The current state of a case, as far as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub id: CaseId,
    pub state: CaseState,
    pub kind: CaseKind,
    pub composition: Option<GroupComposition>,
}

impl Case {
    /// Checks a requested move by a user in a role and returns the event that records it.
    pub fn decide(&self, transition: Transition, by: UserId, role: Role) -> Result<Event, CaseError> {
        if !self.state.is_open() {
            return Err(CaseError::Finished(self.state));
        }
        match transition {
            Transition::Advance { to } => {
                let Some((next, roles)) = self.state.next().filter(|(next, _)| *next == to) else {
                    return Err(CaseError::NotAllowed { from: self.state, to });
                };
                if !roles.contains(&role) {
                    return Err(CaseError::RoleRefused { role, from: self.state, to });
                }
                if next.through_exit_path() {
                    return Err(CaseError::ThroughExitPath(next));
                }
                Ok(Event::CaseAdvanced { case: self.id, from: self.state, to: next, by, role })
            }
            Transition::Close { reason } => {
                if !self.state.closers().contains(&role) {
                    return Err(CaseError::RoleRefused { role, from: self.state, to: CaseState::Closed });
                }
                Ok(Event::CaseClosed { case: self.id, from: self.state, reason, by, role })
            }
        }
    }

    /// Checks a new group composition and returns the event that records it.
    pub fn decide_composition(&self, size: u32, officers: u32, by: UserId, role: Role) -> Result<Event, CaseError> {
        if self.kind != CaseKind::Group {
            return Err(CaseError::NotAGroup);
        }
        if !self.state.is_open() {
            return Err(CaseError::Finished(self.state));
        }
        if !matches!(role, Role::Specialist | Role::Coordinator) {
            return Err(CaseError::RoleRefused { role, from: self.state, to: self.state });
        }
        let composition = GroupComposition::new(size, officers)?;
        Ok(Event::GroupCompositionSet { case: self.id, size: composition.size, officers: composition.officers, by })
    }

    /// Applies a recorded event to the state (the store replays the same rules).
    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::CaseAdvanced { to, .. } => self.state = *to,
            Event::CaseClosed { .. } => self.state = CaseState::Closed,
            Event::GroupCompositionSet { size, officers, .. } => {
                self.composition = Some(GroupComposition { size: *size, officers: *officers })
            }
            Event::PlanDrafted { withdraws_approval: true, .. } => self.state = CaseState::Located,
            Event::PlanApproved { .. } => self.state = CaseState::PlanApproved,
            Event::CaseHandedOff { .. } => self.state = CaseState::HandedOff,
            Event::OperationsReported { status: crate::handoff::OperationsStatus::Aborted, .. } => {
                self.state = CaseState::Located
            }
            Event::ExitRecorded { .. } => self.state = CaseState::Exited,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn case_in(state: CaseState) -> Case {
        Case { id: CaseId(Uuid::nil()), state, kind: CaseKind::Individual, composition: None }
    }

    fn user() -> UserId {
        UserId(Uuid::nil())
    }

    /// Every (state, target, role) triple: allowed exactly when the table says so. The exit
    /// path's states are never reached by a plain move (see `exit_plan` and `handoff`).
    #[test]
    fn every_advance_is_allowed_exactly_for_its_roles() {
        let allowed: &[(CaseState, CaseState, &[Role])] = &[
            (CaseState::Inquiry, CaseState::Registered, &[Role::Operator, Role::Specialist]),
            (CaseState::Registered, CaseState::Deployed, &[Role::Specialist]),
            (CaseState::Deployed, CaseState::Located, &[Role::Specialist]),
        ];
        let mut allowed_count = 0;
        for from in CaseState::ALL {
            for to in CaseState::ALL {
                if to == CaseState::Closed {
                    continue;
                }
                for role in Role::ALL {
                    let expected = allowed.iter().any(|(f, t, roles)| *f == from && *t == to && roles.contains(&role));
                    let result = case_in(from).decide(Transition::Advance { to }, user(), role);
                    assert_eq!(result.is_ok(), expected, "{from} -> {to} by {role}: {result:?}");
                    if let Ok(event) = result {
                        allowed_count += 1;
                        let mut c = case_in(from);
                        c.apply(&event);
                        assert_eq!(c.state, to);
                    }
                }
            }
        }
        assert_eq!(allowed_count, 4);
        let err = case_in(CaseState::HandedOff)
            .decide(Transition::Advance { to: CaseState::Exited }, user(), Role::Coordinator)
            .unwrap_err();
        assert_eq!(err, CaseError::ThroughExitPath(CaseState::Exited));
        for state in CaseState::ALL {
            for role in Role::ALL {
                assert!(
                    !state
                        .moves_for(role)
                        .iter()
                        .any(|m| matches!(m, Transition::Advance { to } if to.through_exit_path())),
                    "{state} {role}"
                );
            }
        }
    }

    #[test]
    fn skipping_a_step_is_refused_with_the_reason() {
        let err = case_in(CaseState::Inquiry)
            .decide(Transition::Advance { to: CaseState::Located }, user(), Role::Specialist)
            .unwrap_err();
        assert_eq!(err, CaseError::NotAllowed { from: CaseState::Inquiry, to: CaseState::Located });
        assert_eq!(err.to_string(), "a case cannot move from inquiry to located");
    }

    #[test]
    fn no_plain_move_approves_a_plan() {
        let err = case_in(CaseState::Located)
            .decide(Transition::Advance { to: CaseState::PlanApproved }, user(), Role::Specialist)
            .unwrap_err();
        assert!(matches!(err, CaseError::RoleRefused { role: Role::Specialist, .. }));
        let err = case_in(CaseState::Located)
            .decide(Transition::Advance { to: CaseState::PlanApproved }, user(), Role::Coordinator)
            .unwrap_err();
        assert_eq!(err, CaseError::ThroughExitPath(CaseState::PlanApproved));
    }

    #[test]
    fn every_close_is_allowed_exactly_for_its_roles() {
        for from in CaseState::ALL {
            for role in Role::ALL {
                for reason in CloseReason::ALL {
                    let expected = match from {
                        CaseState::Exited | CaseState::Closed => false,
                        CaseState::Inquiry => {
                            matches!(role, Role::Operator | Role::Specialist | Role::Coordinator)
                        }
                        _ => matches!(role, Role::Specialist | Role::Coordinator),
                    };
                    let result = case_in(from).decide(Transition::Close { reason }, user(), role);
                    assert_eq!(result.is_ok(), expected, "close {from} by {role}");
                    if let Ok(Event::CaseClosed { reason: r, from: f, .. }) = result {
                        assert_eq!((r, f), (reason, from));
                    }
                }
            }
        }
    }

    #[test]
    fn finished_cases_refuse_every_move() {
        for state in [CaseState::Exited, CaseState::Closed] {
            let err = case_in(state)
                .decide(Transition::Close { reason: CloseReason::Duplicate }, user(), Role::Coordinator)
                .unwrap_err();
            assert_eq!(err, CaseError::Finished(state));
        }
    }

    #[test]
    fn offered_moves_match_what_decide_accepts() {
        for state in CaseState::ALL {
            for role in Role::ALL {
                for m in state.moves_for(role) {
                    assert!(case_in(state).decide(m, user(), role).is_ok(), "{state} {role} {m:?}");
                }
            }
        }
        assert!(CaseState::Located.moves_for(Role::Admin).is_empty());
        assert!(CaseState::Inquiry.moves_for(Role::Analyst).is_empty());
    }

    #[test]
    fn group_composition_is_checked() {
        let mut group = case_in(CaseState::Registered);
        group.kind = CaseKind::Group;
        let event = group.decide_composition(12, 2, user(), Role::Specialist).unwrap();
        group.apply(&event);
        assert_eq!(group.composition, Some(GroupComposition { size: 12, officers: 2 }));
        assert_eq!(group.decide_composition(3, 4, user(), Role::Specialist), Err(CaseError::BadComposition));
        assert_eq!(group.decide_composition(1, 0, user(), Role::Specialist), Err(CaseError::BadComposition));
        assert!(matches!(group.decide_composition(3, 1, user(), Role::Operations), Err(CaseError::RoleRefused { .. })));
        assert_eq!(
            case_in(CaseState::Registered).decide_composition(3, 1, user(), Role::Specialist),
            Err(CaseError::NotAGroup)
        );
    }

    #[test]
    fn names_parse_back() {
        for s in CaseState::ALL {
            assert_eq!(s.as_str().parse::<CaseState>().unwrap(), s);
        }
        for r in CloseReason::ALL {
            assert_eq!(r.as_str().parse::<CloseReason>().unwrap(), r);
        }
    }
}
