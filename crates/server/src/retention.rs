//! The retention timer: crypto-shreds, on its own clock, what the retention settings no longer
//! keep (closed cases, exited cases, conversations that never became a case), and forgets the
//! providers' update ids once no repeat can come. The work of one tick is
//! `AppState::run_retention`, which tests call directly.

use std::time::Duration;

use safepassage_store::{RetentionReport, StoreError};

use crate::AppState;

/// How long a provider's update ids are remembered: Telegram gives up redelivering an update
/// within a day, so a week is ample to refuse any repeat.
const RECEIPTS_KEPT_MS: i64 = 7 * 24 * 60 * 60 * 1000;

impl AppState {
    /// One run of the retention timer as of `now_ms`, with the settings' policy.
    pub async fn run_retention(&self, now_ms: i64) -> Result<RetentionReport, StoreError> {
        let forgotten = self.store.prune_receipts(now_ms.saturating_sub(RECEIPTS_KEPT_MS)).await?;
        if forgotten > 0 {
            tracing::info!(receipts = forgotten, "retention: old update receipts forgotten");
        }
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
