//! Shared pacers on PostgreSQL: one row per pacer, a turn taken in one statement, so every node
//! draws from the same pace (see `pace.rs`).

use super::PgBackend;
use crate::error::StoreError;

impl PgBackend {
    pub(crate) async fn take_turn(&self, name: &str, every_ms: i64, burst: i64) -> Result<i64, StoreError> {
        let now = crate::store::now_ms();
        let every = every_ms.max(0);
        let tat: i64 = sqlx::query_scalar(
            "INSERT INTO pacers (name, tat_ms) VALUES ($1, $2 + $3) \
             ON CONFLICT (name) DO UPDATE SET tat_ms = GREATEST(pacers.tat_ms, $2) + $3 \
             RETURNING tat_ms",
        )
        .bind(name)
        .bind(now)
        .bind(every)
        .fetch_one(&self.pool)
        .await?;
        Ok(crate::pace::wait_ms(tat, now, every, burst))
    }
}
