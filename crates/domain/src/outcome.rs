//! The outcome of an exit, recorded at `exited`, each fact an event: the person's status on
//! arrival, that the guarantees were explained to them, and later their choice. Vocabulary only:
//! nothing here is free text.

use serde::{Deserialize, Serialize};

use crate::case::{Case, CaseState};
use crate::event::Event;
use crate::exit_plan::{Actor, PlanError};
use crate::ids::UserId;
use crate::role::Role;
use crate::vocabulary::ParseError;

/// The person's status on arrival.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArrivalStatus {
    /// A serviceman who laid down arms: a prisoner of war under the Third Geneva Convention.
    PrisonerOfWar,
    /// Wounded or sick, in medical care first (First Geneva Convention), a prisoner of war after.
    WoundedOrSick,
    /// A civilian (a relative, a man not yet in service): a protected person under the Fourth.
    Civilian,
}

/// What the person chose, later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitChoice {
    Exchange,
    Staying,
    Undecided,
}

/// One fact of the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "aspect")]
pub enum OutcomeFact {
    Arrival {
        status: ArrivalStatus,
    },
    #[serde(rename = "guarantees")]
    GuaranteesExplained,
    Choice {
        choice: ExitChoice,
    },
}

impl ArrivalStatus {
    pub const ALL: [ArrivalStatus; 3] =
        [ArrivalStatus::PrisonerOfWar, ArrivalStatus::WoundedOrSick, ArrivalStatus::Civilian];

    pub fn as_str(self) -> &'static str {
        match self {
            ArrivalStatus::PrisonerOfWar => "prisoner_of_war",
            ArrivalStatus::WoundedOrSick => "wounded_or_sick",
            ArrivalStatus::Civilian => "civilian",
        }
    }
}

impl ExitChoice {
    pub const ALL: [ExitChoice; 3] = [ExitChoice::Exchange, ExitChoice::Staying, ExitChoice::Undecided];

    pub fn as_str(self) -> &'static str {
        match self {
            ExitChoice::Exchange => "exchange",
            ExitChoice::Staying => "staying",
            ExitChoice::Undecided => "undecided",
        }
    }
}

impl OutcomeFact {
    /// `arrival`, `guarantees` or `choice`: the column the fact fills.
    pub fn aspect(self) -> &'static str {
        match self {
            OutcomeFact::Arrival { .. } => "arrival",
            OutcomeFact::GuaranteesExplained => "guarantees",
            OutcomeFact::Choice { .. } => "choice",
        }
    }

    /// The fact's word (`prisoner_of_war`, `explained`, `exchange`).
    pub fn value(self) -> &'static str {
        match self {
            OutcomeFact::Arrival { status } => status.as_str(),
            OutcomeFact::GuaranteesExplained => "explained",
            OutcomeFact::Choice { choice } => choice.as_str(),
        }
    }

    /// Reads an aspect and a value back (as a form or a table gives them).
    pub fn parse(aspect: &str, value: &str) -> Result<OutcomeFact, ParseError> {
        let unknown = ParseError::Unknown {
            what: "outcome",
            allowed: "arrival: prisoner_of_war wounded_or_sick civilian; guarantees: explained; choice: exchange staying undecided",
        };
        match aspect {
            "arrival" => ArrivalStatus::ALL
                .into_iter()
                .find(|s| s.as_str() == value)
                .map(|status| OutcomeFact::Arrival { status })
                .ok_or(unknown),
            "guarantees" if value == "explained" => Ok(OutcomeFact::GuaranteesExplained),
            "choice" => ExitChoice::ALL
                .into_iter()
                .find(|c| c.as_str() == value)
                .map(|choice| OutcomeFact::Choice { choice })
                .ok_or(unknown),
            _ => Err(unknown),
        }
    }
}

impl Case {
    /// The owner or a coordinator records a fact of the outcome of an exited case.
    pub fn decide_outcome(&self, owner: Option<UserId>, fact: OutcomeFact, actor: Actor) -> Result<Event, PlanError> {
        if !(actor.role == Role::Coordinator || owner == Some(actor.id)) {
            return Err(PlanError::NotOwnerOrCoordinator);
        }
        if self.state != CaseState::Exited {
            return Err(PlanError::WrongState(self.state));
        }
        Ok(Event::OutcomeRecorded { case: self.id, fact, by: actor.id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::CaseKind;
    use crate::ids::CaseId;
    use uuid::Uuid;

    #[test]
    fn outcome_facts_are_recorded_at_exited_by_the_owner_or_a_coordinator() {
        let owner = UserId(Uuid::from_u128(1));
        let exited =
            Case { id: CaseId(Uuid::nil()), state: CaseState::Exited, kind: CaseKind::Individual, composition: None };
        let fact = OutcomeFact::Arrival { status: ArrivalStatus::PrisonerOfWar };
        let me = Actor { id: owner, role: Role::Specialist };
        assert_eq!(
            exited.decide_outcome(Some(owner), fact, me),
            Ok(Event::OutcomeRecorded { case: exited.id, fact, by: owner })
        );
        let coordinator = Actor { id: UserId(Uuid::from_u128(2)), role: Role::Coordinator };
        assert!(exited.decide_outcome(Some(owner), OutcomeFact::GuaranteesExplained, coordinator).is_ok());
        let ops = Actor { id: UserId(Uuid::from_u128(3)), role: Role::Operations };
        assert_eq!(exited.decide_outcome(Some(owner), fact, ops), Err(PlanError::NotOwnerOrCoordinator));
        let handed = Case { state: CaseState::HandedOff, ..exited };
        assert_eq!(handed.decide_outcome(Some(owner), fact, me), Err(PlanError::WrongState(CaseState::HandedOff)));
    }

    #[test]
    fn facts_parse_back_from_their_words() {
        let mut all: Vec<OutcomeFact> =
            ArrivalStatus::ALL.iter().map(|&status| OutcomeFact::Arrival { status }).collect();
        all.push(OutcomeFact::GuaranteesExplained);
        all.extend(ExitChoice::ALL.iter().map(|&choice| OutcomeFact::Choice { choice }));
        for fact in all {
            assert_eq!(OutcomeFact::parse(fact.aspect(), fact.value()), Ok(fact));
        }
        assert!(OutcomeFact::parse("arrival", "tourist").is_err());
        assert!(OutcomeFact::parse("guarantees", "no").is_err());
        assert!(OutcomeFact::parse("mood", "fine").is_err());
    }
}
