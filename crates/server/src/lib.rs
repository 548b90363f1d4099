//! The HTTP face of Safe Passage: the public router (health now; chat and console later) and
//! the metrics router, served on separate listeners so metrics are never public by accident.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod health;
mod metrics;

use std::future::Future;

use axum::Router;
use safepassage_store::Store;
use tokio::net::TcpListener;

pub use metrics::metrics_router;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
}

/// The public application.
pub fn app(store: Store) -> Router {
    Router::new().merge(health::routes()).with_state(AppState { store })
}

/// Serves a router on a bound listener until `shutdown` resolves.
pub async fn launch(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router).with_graceful_shutdown(shutdown).await
}
