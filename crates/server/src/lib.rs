//! The HTTP face of Safe Passage: the applicant web chat and its JSON API, the operator console,
//! health, and metrics on a listener of its own so they are never public by accident.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod applicant_location;
mod assets;
mod bot;
pub mod chat;
mod config;
pub mod console;
mod error;
pub mod flow_library;
pub mod hashing;
mod health;
mod i18n;
mod location_words;
mod metrics;
mod request_id;
mod retention;
mod security;
mod service;
mod shred_watch;
mod webhook_hosts;
mod webhooks;

// The conversation core's parts, under the names the server's modules use.
use safepassage_conversation::{flow_cache, hub, token_cache};

use std::future::Future;
use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::Router;
use safepassage_store::Store;
use tokio::net::TcpListener;

pub use bot::{run_flow_timers, Summary as FlowSummary};
pub use config::{RateLimit, ServerConfig};
pub use error::{ApiError, PageError};
pub use flow_library::watch_flow_library;
pub use hub::{Hub, LiveMessage};
pub use i18n::I18n;
pub use metrics::metrics_router;
pub use retention::run_retention_timer;
pub use webhook_hosts::{parse_listed as parse_webhook_host, NotAHost};

/// Chat token revocations an applicant's event stream may fall behind on (a wave of quick exits).
const CHAT_ENDINGS_BUFFER: usize = 1024;

/// Largest request body accepted anywhere: a chat message is at most a few KiB.
const BODY_LIMIT: usize = 64 * 1024;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub hub: Hub,
    pub i18n: Arc<I18n>,
    pub config: Arc<ServerConfig>,
    pub(crate) tokens: Arc<token_cache::TokenCache>,
    /// The flows the bot runs; None only if the shipped file failed to load (then new
    /// conversations go straight to the operators).
    pub(crate) bot: Option<Arc<bot::Bot>>,
    /// Waiting flow sessions between steps, on a single-node store.
    pub(crate) flow_sessions: Arc<flow_cache::FlowCache<bot::Waiting>>,
    /// Webhooks of flows allowed to call one, to the hosts the settings list.
    pub(crate) webhooks: webhooks::Webhooks,
    /// Staff password hashing, bounded and off the store's threads.
    pub hasher: hashing::Hasher,
    /// Conversations whose web chat token was just revoked: the applicant's event streams end.
    pub(crate) chat_endings: tokio::sync::broadcast::Sender<safepassage_domain::ConversationId>,
}

impl AppState {
    pub fn new(store: Store, config: ServerConfig) -> AppState {
        let single_node = store.remote_commits().is_none();
        let bot = match bot::Bot::shipped() {
            Ok(bot) => Some(Arc::new(bot)),
            Err(e) => {
                tracing::error!(error = %e, "the shipped flows do not load; new conversations go to the operators");
                None
            }
        };
        let webhooks = webhooks::Webhooks::new(&config.flow_webhook_hosts);
        let hasher = hashing::Hasher::new(config.login_hash_budget_mib);
        let state = AppState {
            store,
            hub: Hub::default(),
            i18n: Arc::new(I18n::load()),
            config: Arc::new(config),
            tokens: Arc::new(token_cache::TokenCache::new(single_node)),
            bot,
            flow_sessions: Arc::new(flow_cache::FlowCache::new(single_node)),
            webhooks,
            hasher,
            chat_endings: tokio::sync::broadcast::channel(CHAT_ENDINGS_BUFFER).0,
        };
        shred_watch::spawn(&state);
        state
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
        router = router.merge(chat::routes(&state.config));
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
