//! The retention timer: crypto-shreds, on its own clock, what the retention settings no longer
//! keep (closed cases, exited cases, conversations that never became a case). The work of one
//! tick is `AppState::run_retention`, which tests call directly.

use std::time::Duration;

use safepassage_store::{RetentionReport, StoreError};

use crate::AppState;

impl AppState {
    /// One run of the retention timer as of `now_ms`, with the settings' policy.
    pub async fn run_retention(&self, now_ms: i64) -> Result<RetentionReport, StoreError> {
        self.store.run_retention(&self.config.retention, now_ms).await
    }
}

/// Runs the retention work every `every`, for as long as the process (spawn it beside the
/// server). Logs counts only.
pub async fn run_retention_timer(state: AppState, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match state.run_retention(crate::console::now_ms()).await {
            Ok(r) if r == RetentionReport::default() => {}
            Ok(r) => tracing::info!(
                closed_cases = r.closed_cases,
                exited_cases = r.exited_cases,
                conversations = r.conversations,
                "retention: shredded"
            ),
            Err(e) => tracing::warn!(error = %e, "retention: run failed"),
        }
    }
}
