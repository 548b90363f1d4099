//! The HTTP face of Safe Passage: the applicant web chat and its JSON API, the operator console,
//! health, and metrics on a listener of its own so they are never public by accident.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod assets;
pub mod channels;
pub mod chat;
mod config;
pub mod console;
mod error;
mod figures;
pub mod hashing;
mod health;
mod i18n;
mod location_words;
mod metrics;
mod request_id;
mod retention;
mod security;

// The conversation core's parts, under the names the server's modules use.
pub use safepassage_conversation::flow_library;
use safepassage_conversation::{bot, channel::web as service, hub};

use std::future::Future;
use std::ops::Deref;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use safepassage_conversation::Conversations;
use safepassage_store::Store;
use tokio::net::TcpListener;

pub use bot::{run_flow_timers, Summary as FlowSummary};
pub use config::FiguresSettings;
pub use config::{RateLimit, ServerConfig};
pub use error::{ApiError, PageError};
pub use flow_library::watch_flow_library;
pub use hub::{Hub, LiveMessage};
pub use i18n::I18n;
pub use metrics::metrics_router;
pub use retention::run_retention_timer;
pub use safepassage_conversation::bot::webhook_hosts::{parse_listed as parse_webhook_host, NotAHost};

/// Largest request body accepted anywhere: a chat message is at most a few KiB.
const BODY_LIMIT: usize = 64 * 1024;

/// Shared state of every handler: the conversation core (whose fields and methods it lends, so
/// handlers say `state.store`, `state.applicant_says(…)`), the server's settings and hashing.
#[derive(Clone)]
pub struct AppState {
    pub conversations: Conversations,
    pub config: Arc<ServerConfig>,
    /// Staff password hashing, bounded and off the store's threads.
    pub hasher: hashing::Hasher,
}

impl AppState {
    pub fn new(store: Store, config: ServerConfig) -> AppState {
        let conversations = Conversations::new(store, config.conversation_settings(), Arc::new(i18n::load()));
        let hasher = hashing::Hasher::new(config.login_hash_budget_mib);
        let state = AppState { conversations, config: Arc::new(config), hasher };
        channels::spawn_outbox(&state);
        state
    }
}

impl Deref for AppState {
    type Target = Conversations;

    fn deref(&self) -> &Conversations {
        &self.conversations
    }
}

/// Everything on one listener: the applicant chat and the console (the default, and tests).
pub fn app(state: AppState) -> Router {
    routes(state, Faces { chat: true, console: true })
}

/// The public listener when the console has its own: the chat, health and assets, and no
/// console route at all (a request for one is a plain 404).
pub fn public_app(state: AppState) -> Router {
    routes(state, Faces { chat: true, console: false })
}

/// The console's own listener (`--console-listen`, e.g. an internal address or a VPN): the
/// console, health and assets, and no applicant route.
pub fn console_app(state: AppState) -> Router {
    routes(state, Faces { chat: false, console: true })
}

/// Which faces of the platform a listener serves.
struct Faces {
    chat: bool,
    console: bool,
}

fn routes(state: AppState, faces: Faces) -> Router {
    let secure = state.config.secure_cookies;
    let mut router = Router::new().merge(health::routes()).merge(assets::routes());
    if faces.chat {
        router = router.merge(chat::routes(&state.config, state.store.clone())).merge(channels::routes());
        if state.config.figures.public {
            router = router.merge(figures::public::routes());
        }
    }
    if faces.console {
        router = router.merge(console::routes());
    }
    let router = router.layer(DefaultBodyLimit::max(BODY_LIMIT)).layer(axum::middleware::from_fn(security::headers));
    // HSTS only where the platform says it is served over HTTPS: an onion service is plain HTTP.
    let router = if secure { router.layer(axum::middleware::from_fn(security::hsts)) } else { router };
    router.layer(axum::middleware::from_fn(request_id::assign)).with_state(state)
}

/// Serves a router on a bound listener until `shutdown` resolves.
pub async fn launch(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router).with_graceful_shutdown(shutdown).await
}
