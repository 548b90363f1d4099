//! The pure domain of Safe Passage: identities, roles, cases and their life, typed events.
//! No I/O, no clock, no randomness: callers pass ids, times and random digits in.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod assignment;
pub mod attention;
pub mod case;
pub mod chat_end;
pub mod codename;
pub mod duress;
pub mod event;
pub mod exit_plan;
pub mod figures;
pub mod handoff;
pub mod ids;
pub mod location;
pub mod location_report;
pub mod outcome;
pub mod relatives;
pub mod role;
pub mod screening;
pub mod staff_codename;
pub mod vocabulary;
pub mod waiting;

pub use assignment::Assignment;
pub use case::{Case, CaseError, CaseKind, CaseState, CloseReason, GroupComposition, Transition};
pub use chat_end::ChatEnd;
pub use codename::{Codename, CodenameError};
pub use duress::{DuressError, DuressPhrase};
pub use event::{CallStatusCode, Event, EventEnvelope, FiguresFormat, PackageFormat};
pub use exit_plan::{Actor, PlanContent, PlanError, PlanFacts, PlanStatus};
pub use handoff::OperationsStatus;
pub use ids::{CaseId, ContactId, ConversationId, MessageId, UserId};
pub use location::{Format as LocationFormat, LocationError, Place};
pub use location_report::{LocationReport, ReportError, Reporter};
pub use outcome::{ArrivalStatus, ExitChoice, OutcomeFact};
pub use role::Role;
pub use vocabulary::{Channel, Language, LocationSource, ParseError, Sender, ShredReason, Whereabouts, Who};
pub use waiting::{ContactDefaults, NextContact, Waiting};
