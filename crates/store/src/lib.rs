//! The event store of Safe Passage: one event log with a hash chain, current-state tables whose
//! personal data is only ciphertext, on SQLite (embedded) or PostgreSQL, with group commit.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod backend;
mod chain;
mod committer;
mod config;
mod error;
mod exit_ops;
mod figures_ops;
mod keystate;
mod model;
mod ops;
mod outbox_ops;
mod pace;
mod postgres;
mod sqlite;
mod store;

pub use chain::{ChainReport, HeadParseError, SignedHead};
pub use config::{KeySource, StoreConfig, Synchronous};
pub use error::StoreError;
pub use exit_ops::PlanToApprove;
pub use figures_ops::FigureRow;
pub use model::{
    AccountStatus, Body, CaseFilter, CaseView, ConversationStatus, ConversationView, FlowImport, FlowSessionView,
    FlowWrite, IntakeFlow, MessageView, NoteKind, NoteView, SeqRange, StaffSession, StoredEvent, UserRecord,
};
pub use store::CaseWait;
pub use store::{CaseFlagView, RetentionPolicy, RetentionReport, SignalSettings, Signals};
pub use store::{LocationView, OutcomeView, PlanView, ReportView};
pub use store::{Outbound, OutboundFailure, OutboxId, Receipt, MAX_REPLY_ADDRESS};
pub use store::{PreparedCodename, RotationReport, Shredded, StepMessage, Store, StoreStats, MAX_FLOW_FILE};
