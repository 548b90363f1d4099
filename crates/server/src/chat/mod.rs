//! The applicant web chat: pages that work without JavaScript, and the JSON API.

use axum::Router;

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
}
