//! `GET /metrics` in the Prometheus text format: counts only, never content or identities.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use safepassage_store::Store;

/// The metrics application, for its own (loopback by default) listener.
pub fn metrics_router(store: Store) -> Router {
    Router::new().route("/metrics", get(metrics)).with_state(store)
}

async fn metrics(State(store): State<Store>) -> impl IntoResponse {
    let mut registry = Registry::with_prefix("safepassage");
    let stats = store.stats();
    for (name, help, value) in [
        ("store_batches", "Transactions committed by group commit", stats.batches),
        ("store_jobs", "Writes acknowledged after commit", stats.jobs),
        ("store_failed_jobs", "Writes refused (conflicts, errors)", stats.failed_jobs),
    ] {
        let counter = Counter::<u64>::default();
        counter.inc_by(value);
        registry.register(name, help, counter);
    }
    let refused = Family::<Vec<(String, String)>, Counter>::default();
    for (kind, n) in crate::chat::rate_limit_refusals() {
        refused.get_or_create(&vec![("kind".to_owned(), kind.to_owned())]).inc_by(n);
    }
    registry.register("chat_rate_limited", "Chat requests refused by a rate limit, by kind (no ids)", refused);
    let rows = Family::<Vec<(String, String)>, Gauge>::default();
    let up = Gauge::<i64>::default();
    match store.counts().await {
        Ok(counts) => {
            up.set(1);
            for (table, n) in counts {
                rows.get_or_create(&vec![("table".to_owned(), table.to_owned())]).set(n);
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: store counts unavailable"),
    }
    registry.register("store_rows", "Rows per table", rows);
    registry.register("store_up", "Whether the store answered this scrape", up);
    let mut body = String::new();
    if encode(&mut body, &registry).is_err() {
        return (StatusCode::INTERNAL_SERVER_ERROR, [(header::CONTENT_TYPE, "text/plain")], String::new());
    }
    (StatusCode::OK, [(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], body)
}
