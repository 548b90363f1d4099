//! The store's one error type. Database causes are kept for the log; callers map kinds, not text.

use safepassage_domain::{CaseError, PlanError};
use safepassage_keys::KeyError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Refusal to open: wrong key, missing key over existing data, bad configuration.
    #[error("{0}")]
    Refused(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A guarded write lost a race or found the row changed (e.g. a case already moved on).
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// An inbound update (by its provider's id) was already recorded: nothing of the job that
    /// carried it was written.
    #[error("already received")]
    Duplicate,
    #[error(transparent)]
    Case(#[from] CaseError),
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The exit path's rules refused (four eyes, order of reports, a field of a plan).
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("database error: {0}")]
    Database(String),
    #[error("the store is shutting down")]
    Closed,
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Database(e.to_string())
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Database(e.to_string())
    }
}

impl From<tokio::task::JoinError> for StoreError {
    fn from(e: tokio::task::JoinError) -> Self {
        StoreError::Database(format!("background task failed: {e}"))
    }
}
