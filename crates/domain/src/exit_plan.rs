//! The exit plan of a case and its four eyes. The case's owner (or a coordinator) writes a plan:
//! the rendezvous (a place as `location::parse` reads it, and words about it), the time window,
//! the signals by which the applicant and the unit recognise each other, the instructions for the
//! applicant in their language, the routes or areas to avoid and the risks. Every save is a new
//! version (`draft`); its author submits it; a coordinator who did not write it approves it or
//! returns it with a comment. An approved version is frozen: writing again makes a new version
//! that needs approval again (and the case goes back to `located`).
//!
//! The rule that matters most: **the author of a version never approves it, whatever their
//! roles** ([`PlanError::OwnPlan`]).

use serde::{Deserialize, Serialize};

use crate::case::{Case, CaseState};
use crate::event::Event;
use crate::ids::UserId;
use crate::location::{self, LocationError, Place};
use crate::role::Role;
use crate::vocabulary::{Language, ParseError};

/// Longest text of one field of a plan, in characters.
pub const MAX_FIELD_CHARS: usize = 4_000;
/// Longest comment of a coordinator who returns a plan, or reason of an abort.
pub const MAX_COMMENT_CHARS: usize = 2_000;

/// Where a version of a plan stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlanStatus {
    Draft,
    Submitted,
    Approved,
    Returned,
}

impl PlanStatus {
    pub const ALL: [PlanStatus; 4] =
        [PlanStatus::Draft, PlanStatus::Submitted, PlanStatus::Approved, PlanStatus::Returned];

    pub fn as_str(self) -> &'static str {
        match self {
            PlanStatus::Draft => "draft",
            PlanStatus::Submitted => "submitted",
            PlanStatus::Approved => "approved",
            PlanStatus::Returned => "returned",
        }
    }
}

impl std::str::FromStr for PlanStatus {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PlanStatus::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or(ParseError::Unknown { what: "plan status", allowed: "draft submitted approved returned" })
    }
}

/// What a plan says. Sealed whole under the case's key: nothing of it is stored in clear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanContent {
    /// The rendezvous as typed (coordinates, MGRS or words), read by `location::parse`.
    pub rendezvous: String,
    /// Words about the rendezvous (a landmark, which side of the road).
    #[serde(default)]
    pub rendezvous_note: String,
    /// The time window, milliseconds since the epoch (UTC); `window_to_ms` after `window_from_ms`.
    pub window_from_ms: i64,
    pub window_to_ms: i64,
    /// How the applicant and the unit recognise each other.
    pub signals: String,
    /// What the applicant is told to do, in `language`.
    pub instructions: String,
    /// The language the instructions are written in (the applicant's).
    pub language: Language,
    /// Routes or areas to avoid.
    #[serde(default)]
    pub avoid: String,
    #[serde(default)]
    pub risks: String,
}

/// Why a plan, a hand-off, a report, an exit or an outcome was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("the rendezvous is not understood: {0}")]
    Rendezvous(LocationError),
    #[error("the {0} is missing")]
    Missing(&'static str),
    #[error("the {0} is too long")]
    TooLong(&'static str),
    #[error("the time window must end after it starts")]
    WindowBackwards,
    #[error("the author of a plan can never approve it (four eyes), whatever their roles")]
    OwnPlan,
    #[error("only a coordinator approves or returns a plan")]
    NotCoordinator,
    #[error("only the case's owner or a coordinator may do this")]
    NotOwnerOrCoordinator,
    #[error("only the author of the draft submits it")]
    NotAuthor,
    #[error("only operations report on a hand-off")]
    NotOperations,
    #[error("the case is {0}: this cannot be done now")]
    WrongState(CaseState),
    #[error("the plan is {0:?}: this cannot be done now")]
    WrongStatus(PlanStatus),
    #[error("only the newest version of a plan can be decided")]
    NotNewest,
    #[error("the case has no plan yet")]
    NoPlan,
    #[error("operations cannot report {0} after the last report")]
    ReportOutOfOrder(&'static str),
    #[error("the exit can be recorded only after operations reported it completed")]
    NotCompleted,
    #[error("whoever approved the plan cannot also record the exit (four eyes)")]
    ApproverRecordsExit,
    #[error("the date and time are not understood (YYYY-MM-DD HH:MM, UTC)")]
    BadTime,
}

/// One version of a plan, as the rules need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanFacts {
    pub plan: uuid::Uuid,
    pub version: u32,
    pub status: PlanStatus,
    pub author: UserId,
    /// The coordinator who approved (or returned) it.
    pub reviewer: Option<UserId>,
}

/// Who acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    pub id: UserId,
    pub role: Role,
}

fn bounded(text: &str, max: usize, what: &'static str, required: bool) -> Result<(), PlanError> {
    if required && text.trim().is_empty() {
        return Err(PlanError::Missing(what));
    }
    if text.chars().count() > max {
        return Err(PlanError::TooLong(what));
    }
    Ok(())
}

impl PlanContent {
    /// Checks every field; the rendezvous must be a place the parser reads (a point or words).
    pub fn check(&self) -> Result<Place, PlanError> {
        let place = match location::parse(&self.rendezvous) {
            Ok(place) => place,
            Err(LocationError::Empty) => return Err(PlanError::Missing("rendezvous")),
            Err(e) => return Err(PlanError::Rendezvous(e)),
        };
        bounded(&self.rendezvous_note, MAX_FIELD_CHARS, "rendezvous description", false)?;
        if self.window_to_ms <= self.window_from_ms {
            return Err(PlanError::WindowBackwards);
        }
        bounded(&self.signals, MAX_FIELD_CHARS, "signals", true)?;
        bounded(&self.instructions, MAX_FIELD_CHARS, "instructions", true)?;
        bounded(&self.avoid, MAX_FIELD_CHARS, "routes to avoid", false)?;
        bounded(&self.risks, MAX_FIELD_CHARS, "risks", false)?;
        Ok(place)
    }
}

/// Whether `actor` holds the case or coordinates: who writes plans and records exits.
fn owner_or_coordinator(owner: Option<UserId>, actor: Actor) -> bool {
    actor.role == Role::Coordinator || owner == Some(actor.id)
}

impl Case {
    /// A new version of the plan (`newest` is the current newest version, if any). Writing at
    /// `plan_approved` withdraws the approval: the event says so and the case goes back to
    /// `located`. After the hand-off the plan is with operations and cannot change.
    pub fn decide_plan_draft(
        &self,
        owner: Option<UserId>,
        newest: Option<&PlanFacts>,
        content: &PlanContent,
        plan: uuid::Uuid,
        actor: Actor,
    ) -> Result<Event, PlanError> {
        if !owner_or_coordinator(owner, actor) {
            return Err(PlanError::NotOwnerOrCoordinator);
        }
        if !matches!(self.state, CaseState::Located | CaseState::PlanApproved) {
            return Err(PlanError::WrongState(self.state));
        }
        content.check()?;
        let version = newest.map_or(1, |n| n.version.saturating_add(1));
        Ok(Event::PlanDrafted {
            case: self.id,
            plan,
            version,
            by: actor.id,
            withdraws_approval: self.state == CaseState::PlanApproved,
        })
    }

    /// The author submits their newest draft for approval.
    pub fn decide_plan_submit(&self, newest: Option<&PlanFacts>, actor: Actor) -> Result<Event, PlanError> {
        let plan = newest.ok_or(PlanError::NoPlan)?;
        if self.state != CaseState::Located {
            return Err(PlanError::WrongState(self.state));
        }
        if plan.status != PlanStatus::Draft {
            return Err(PlanError::WrongStatus(plan.status));
        }
        if plan.author != actor.id {
            return Err(PlanError::NotAuthor);
        }
        Ok(Event::PlanSubmitted { case: self.id, plan: plan.plan, version: plan.version, by: actor.id })
    }

    /// A coordinator who did not write it approves the newest version: the case moves to
    /// `plan_approved`. The author is refused first, whatever their roles.
    pub fn decide_plan_approve(&self, plan: &PlanFacts, newest: bool, actor: Actor) -> Result<Event, PlanError> {
        self.reviewable(plan, newest, actor)?;
        Ok(Event::PlanApproved { case: self.id, plan: plan.plan, version: plan.version, by: actor.id })
    }

    /// A coordinator sends the newest submitted version back with a comment (sealed apart).
    pub fn decide_plan_return(
        &self,
        plan: &PlanFacts,
        newest: bool,
        comment: &str,
        actor: Actor,
    ) -> Result<Event, PlanError> {
        self.reviewable(plan, newest, actor)?;
        bounded(comment, MAX_COMMENT_CHARS, "comment", true)?;
        Ok(Event::PlanReturned { case: self.id, plan: plan.plan, version: plan.version, by: actor.id })
    }

    fn reviewable(&self, plan: &PlanFacts, newest: bool, actor: Actor) -> Result<(), PlanError> {
        if plan.author == actor.id {
            return Err(PlanError::OwnPlan);
        }
        if actor.role != Role::Coordinator {
            return Err(PlanError::NotCoordinator);
        }
        if !newest {
            return Err(PlanError::NotNewest);
        }
        if plan.status != PlanStatus::Submitted {
            return Err(PlanError::WrongStatus(plan.status));
        }
        if self.state != CaseState::Located {
            return Err(PlanError::WrongState(self.state));
        }
        Ok(())
    }

    /// Sending the approved plan's instructions to the applicant: an explicit act of the owner or
    /// a coordinator, once the plan is approved (and while operations carry it out).
    pub fn decide_send_instructions(
        &self,
        owner: Option<UserId>,
        approved: Option<&PlanFacts>,
        conversation: crate::ids::ConversationId,
        actor: Actor,
    ) -> Result<Event, PlanError> {
        if !owner_or_coordinator(owner, actor) {
            return Err(PlanError::NotOwnerOrCoordinator);
        }
        if !matches!(self.state, CaseState::PlanApproved | CaseState::HandedOff) {
            return Err(PlanError::WrongState(self.state));
        }
        let plan = approved.filter(|p| p.status == PlanStatus::Approved).ok_or(PlanError::NoPlan)?;
        Ok(Event::PlanInstructionsSent {
            case: self.id,
            plan: plan.plan,
            version: plan.version,
            conversation,
            by: actor.id,
        })
    }
}

/// Reads `YYYY-MM-DD HH:MM` or `YYYY-MM-DDTHH:MM` (what a `datetime-local` field sends), UTC,
/// into milliseconds since the epoch. Bounded: anything longer than 20 bytes is refused.
pub fn parse_utc_minute(text: &str) -> Result<i64, PlanError> {
    let text = text.trim();
    if text.len() > 20 || !text.is_ascii() {
        return Err(PlanError::BadTime);
    }
    let (date, time) = text.split_once(['T', ' ']).ok_or(PlanError::BadTime)?;
    let mut d = date.split('-');
    let (Some(y), Some(m), Some(day), None) = (d.next(), d.next(), d.next(), d.next()) else {
        return Err(PlanError::BadTime);
    };
    let time = time.get(..5).filter(|_| time.len() == 5 || time.len() == 8).ok_or(PlanError::BadTime)?;
    let (h, min) = time.split_once(':').ok_or(PlanError::BadTime)?;
    let num = |s: &str, len: usize| -> Result<i64, PlanError> {
        if s.len() != len || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PlanError::BadTime);
        }
        s.parse::<i64>().map_err(|_| PlanError::BadTime)
    };
    let (y, m, day, h, min) = (num(y, 4)?, num(m, 2)?, num(day, 2)?, num(h, 2)?, num(min, 2)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    if !(1..=12).contains(&m) || day < 1 || day > days_in[(m - 1) as usize] || h > 23 || min > 59 {
        return Err(PlanError::BadTime);
    }
    // Howard Hinnant's days_from_civil.
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Ok(((days * 24 + h) * 60 + min) * 60_000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::CaseKind;
    use crate::ids::{CaseId, ConversationId};
    use uuid::Uuid;

    pub(crate) fn case_in(state: CaseState) -> Case {
        Case { id: CaseId(Uuid::from_u128(7)), state, kind: CaseKind::Individual, composition: None }
    }

    fn user(n: u128) -> UserId {
        UserId(Uuid::from_u128(n))
    }

    pub(crate) fn content() -> PlanContent {
        PlanContent {
            rendezvous: "37U DQ 12345 67890".into(),
            rendezvous_note: "the water tower".into(),
            window_from_ms: 1_000,
            window_to_ms: 2_000,
            signals: "white cloth on the left arm".into(),
            instructions: "Идите к водонапорной башне.".into(),
            language: Language::Ru,
            avoid: "the main road".into(),
            risks: "mines near the field".into(),
        }
    }

    fn facts(status: PlanStatus, author: UserId) -> PlanFacts {
        PlanFacts { plan: Uuid::from_u128(99), version: 3, status, author, reviewer: None }
    }

    #[test]
    fn a_plan_is_checked_field_by_field() {
        assert!(matches!(content().check(), Ok(Place::Point { .. })));
        let described = PlanContent { rendezvous: "behind the church".into(), ..content() };
        assert!(matches!(described.check(), Ok(Place::Described(_))));
        let bad = PlanContent { rendezvous: "48.5, 200.0".into(), ..content() };
        assert_eq!(bad.check(), Err(PlanError::Rendezvous(LocationError::LongitudeOutOfRange)));
        let empty = PlanContent { rendezvous: "  ".into(), ..content() };
        assert_eq!(empty.check(), Err(PlanError::Missing("rendezvous")));
        let backwards = PlanContent { window_to_ms: 1_000, ..content() };
        assert_eq!(backwards.check(), Err(PlanError::WindowBackwards));
        let silent = PlanContent { signals: String::new(), ..content() };
        assert_eq!(silent.check(), Err(PlanError::Missing("signals")));
        let long = PlanContent { risks: "x".repeat(MAX_FIELD_CHARS + 1), ..content() };
        assert_eq!(long.check(), Err(PlanError::TooLong("risks")));
        let no_words = PlanContent { instructions: " ".into(), ..content() };
        assert_eq!(no_words.check(), Err(PlanError::Missing("instructions")));
    }

    #[test]
    fn the_owner_or_a_coordinator_writes_versions_while_located_or_approved() {
        let owner = user(1);
        let case = case_in(CaseState::Located);
        let me = Actor { id: owner, role: Role::Specialist };
        let first = case.decide_plan_draft(Some(owner), None, &content(), Uuid::from_u128(5), me).unwrap();
        assert!(matches!(first, Event::PlanDrafted { version: 1, withdraws_approval: false, .. }));
        let newest = facts(PlanStatus::Approved, owner);
        let approved = case_in(CaseState::PlanApproved);
        let again = approved.decide_plan_draft(Some(owner), Some(&newest), &content(), Uuid::from_u128(6), me).unwrap();
        assert!(matches!(again, Event::PlanDrafted { version: 4, withdraws_approval: true, .. }));
        let mut moved = approved.clone();
        moved.apply(&again);
        assert_eq!(moved.state, CaseState::Located, "a change needs approval again");
        let coordinator = Actor { id: user(2), role: Role::Coordinator };
        assert!(case.decide_plan_draft(Some(owner), None, &content(), Uuid::nil(), coordinator).is_ok());
        let stranger = Actor { id: user(3), role: Role::Specialist };
        assert_eq!(
            case.decide_plan_draft(Some(owner), None, &content(), Uuid::nil(), stranger),
            Err(PlanError::NotOwnerOrCoordinator)
        );
        for state in [CaseState::Deployed, CaseState::HandedOff, CaseState::Exited, CaseState::Closed] {
            assert_eq!(
                case_in(state).decide_plan_draft(Some(owner), None, &content(), Uuid::nil(), me),
                Err(PlanError::WrongState(state))
            );
        }
    }

    #[test]
    fn only_the_author_submits_a_draft() {
        let author = user(1);
        let case = case_in(CaseState::Located);
        let draft = facts(PlanStatus::Draft, author);
        assert!(case.decide_plan_submit(Some(&draft), Actor { id: author, role: Role::Specialist }).is_ok());
        let other = Actor { id: user(2), role: Role::Coordinator };
        assert_eq!(case.decide_plan_submit(Some(&draft), other), Err(PlanError::NotAuthor));
        let submitted = facts(PlanStatus::Submitted, author);
        let me = Actor { id: author, role: Role::Specialist };
        assert_eq!(case.decide_plan_submit(Some(&submitted), me), Err(PlanError::WrongStatus(PlanStatus::Submitted)));
        assert_eq!(case.decide_plan_submit(None, me), Err(PlanError::NoPlan));
    }

    /// Four eyes: the author is refused whatever their role, a coordinator included; everyone
    /// else but a coordinator is refused too.
    #[test]
    fn the_author_never_approves_their_own_plan_whatever_their_roles() {
        let author = user(1);
        let case = case_in(CaseState::Located);
        let plan = facts(PlanStatus::Submitted, author);
        for role in Role::ALL {
            let me = Actor { id: author, role };
            assert_eq!(case.decide_plan_approve(&plan, true, me), Err(PlanError::OwnPlan), "{role}");
            assert_eq!(case.decide_plan_return(&plan, true, "no", me), Err(PlanError::OwnPlan), "{role}");
        }
        for role in Role::ALL {
            let other = Actor { id: user(2), role };
            let result = case.decide_plan_approve(&plan, true, other);
            if role == Role::Coordinator {
                let event = result.unwrap();
                let mut c = case.clone();
                c.apply(&event);
                assert_eq!(c.state, CaseState::PlanApproved);
            } else {
                assert_eq!(result, Err(PlanError::NotCoordinator), "{role}");
            }
        }
    }

    #[test]
    fn only_the_newest_submitted_version_of_a_located_case_is_decided() {
        let case = case_in(CaseState::Located);
        let coordinator = Actor { id: user(2), role: Role::Coordinator };
        let plan = facts(PlanStatus::Submitted, user(1));
        assert_eq!(case.decide_plan_approve(&plan, false, coordinator), Err(PlanError::NotNewest));
        let draft = facts(PlanStatus::Draft, user(1));
        assert_eq!(case.decide_plan_approve(&draft, true, coordinator), Err(PlanError::WrongStatus(PlanStatus::Draft)));
        let approved = case_in(CaseState::PlanApproved);
        assert!(matches!(approved.decide_plan_approve(&plan, true, coordinator), Err(PlanError::WrongState(_))));
        assert_eq!(case.decide_plan_return(&plan, true, " ", coordinator), Err(PlanError::Missing("comment")));
        assert!(matches!(
            case.decide_plan_return(&plan, true, "move the time", coordinator),
            Ok(Event::PlanReturned { .. })
        ));
    }

    #[test]
    fn instructions_go_out_only_from_an_approved_plan() {
        let owner = user(1);
        let conversation = ConversationId(Uuid::from_u128(4));
        let me = Actor { id: owner, role: Role::Specialist };
        let approved = facts(PlanStatus::Approved, owner);
        let case = case_in(CaseState::PlanApproved);
        assert!(case.decide_send_instructions(Some(owner), Some(&approved), conversation, me).is_ok());
        let located = case_in(CaseState::Located);
        assert!(located.decide_send_instructions(Some(owner), Some(&approved), conversation, me).is_err());
        let draft = facts(PlanStatus::Draft, owner);
        assert_eq!(case.decide_send_instructions(Some(owner), Some(&draft), conversation, me), Err(PlanError::NoPlan));
        let ops = Actor { id: user(9), role: Role::Operations };
        assert!(case.decide_send_instructions(Some(owner), Some(&approved), conversation, ops).is_err());
    }

    #[test]
    fn times_are_read_in_utc_and_bad_ones_refused() {
        assert_eq!(parse_utc_minute("1970-01-01T00:00"), Ok(0));
        assert_eq!(parse_utc_minute("2026-12-07 13:15"), Ok(1_796_649_300_000));
        assert_eq!(parse_utc_minute("2024-02-29T23:59:00"), Ok(1_709_251_140_000));
        for bad in [
            "",
            "2023-02-29T10:00",
            "2026-13-01T00:00",
            "2026-12-07T24:00",
            "2026-12-07",
            "x".repeat(40).as_str(),
            "2026-1-07T10:00",
        ] {
            assert_eq!(parse_utc_minute(bad), Err(PlanError::BadTime), "{bad}");
        }
    }

    #[test]
    fn statuses_parse_back() {
        for s in PlanStatus::ALL {
            assert_eq!(s.as_str().parse::<PlanStatus>().unwrap(), s);
        }
    }
}
