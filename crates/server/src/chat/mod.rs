//! The applicant web chat: pages that work without JavaScript, and the JSON API that the page's
//! script, load tools and integrators use, documented at `/api/openapi.json`.

mod api;
mod auth;
mod events;
mod flood;
mod input;
mod location;
mod message;
mod notice;
mod openapi;
mod pages;

use axum::routing::{get, post, MethodRouter};
use axum::{Extension, Router};

use crate::{AppState, ServerConfig};

pub(crate) use flood::refusals as rate_limit_refusals;

pub(crate) fn routes(config: &ServerConfig, store: safepassage_store::Store) -> Router<AppState> {
    // Per application, not global: each server (and each test's server) has its own limits,
    // divided between the nodes alive on its store.
    let flood = flood::FloodGuard::new(config, std::sync::Arc::new(move || store.live_nodes()));
    let notices = notice::Notices::default();
    Router::new()
        .route("/", get(pages::show))
        .route("/chat/send", post(pages::send))
        .route("/chat/codename", post(pages::codename))
        .route("/chat/exit", post(pages::exit))
        .route("/chat/end", post(pages::end))
        .route("/chat/location", get(location::page).post(location::send))
        .route("/api/openapi.json", json_api(get(openapi::openapi_json)))
        .route("/api/v1/chat/sessions", json_api(post(api::create_session)))
        .route("/api/v1/chat/messages", json_api(post(api::post_message).get(api::get_messages)))
        .route("/api/v1/chat/events", json_api(get(events::events)))
        .route("/api/v1/chat/codename", json_api(post(api::join_by_codename)))
        .route("/api/v1/chat/location", json_api(post(location::post_location)))
        .layer(Extension(flood))
        .layer(Extension(notices))
}

/// API routes answer an unserved method in JSON too.
fn json_api(route: MethodRouter<AppState>) -> MethodRouter<AppState> {
    route.fallback(api::method_not_allowed)
}
