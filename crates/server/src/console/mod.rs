//! The operator console: login, queue, conversations, cases, administration.

use axum::Router;

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
}
