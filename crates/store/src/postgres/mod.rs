//! The PostgreSQL backend: a connection pool shared by reads and batch commits, for several app
//! nodes on one database. Tables are never schema-qualified, so the URL's `search_path` decides.

mod apply;
mod audit;
mod case_lists;
mod commits;
mod exit_plans;
mod figures;
mod holding;
mod location_reads;
mod outbox;
mod pacers;
mod reads;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::Row;

use crate::error::StoreError;

const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/postgres/0001_initial.sql"),
    include_str!("../../migrations/postgres/0002_queue_sessions_timeline.sql"),
    include_str!("../../migrations/postgres/0003_flow_sessions.sql"),
    include_str!("../../migrations/postgres/0004_flow_library.sql"),
    include_str!("../../migrations/postgres/0005_duress.sql"),
    include_str!("../../migrations/postgres/0006_flow_session_version.sql"),
    include_str!("../../migrations/postgres/0007_flow_import_allowance.sql"),
    include_str!("../../migrations/postgres/0008_account_lifecycle.sql"),
    include_str!("../../migrations/postgres/0009_audit_key_and_shredding.sql"),
    include_str!("../../migrations/postgres/0010_conversation_returned.sql"),
    include_str!("../../migrations/postgres/0011_location_reports.sql"),
    include_str!("../../migrations/postgres/0012_exit_plans.sql"),
    include_str!("../../migrations/postgres/0013_case_holding.sql"),
    include_str!("../../migrations/postgres/0014_screening.sql"),
    include_str!("../../migrations/postgres/0015_outbox.sql"),
    include_str!("../../migrations/postgres/0016_staff_phone.sql"),
    include_str!("../../migrations/postgres/0017_calls_with_the_bot.sql"),
    include_str!("../../migrations/postgres/0018_shared_limits.sql"),
    include_str!("../../migrations/postgres/0019_console_indexes.sql"),
    include_str!("../../migrations/postgres/0020_figures.sql"),
];
const MAX_CONNECTIONS: u32 = 10;
/// First half of the advisory lock key taken while migrating; the second half is the schema's
/// hash, so stores in different schemas of one database migrate independently.
const MIGRATION_LOCK: i32 = 0x5350_4d47; // "SPMG"

pub(crate) struct PgBackend {
    pool: PgPool,
    commits: commits::CommitFeed,
}

impl PgBackend {
    /// Opens the pool and brings the schema up to date. The URL is never logged or echoed: it
    /// may carry a password.
    pub(crate) async fn connect(url: &str) -> Result<PgBackend, StoreError> {
        let options =
            PgConnectOptions::from_str(url).map_err(|e| StoreError::Refused(format!("invalid PostgreSQL URL: {e}")))?;
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(|e| StoreError::Database(format!("cannot connect to PostgreSQL: {e}")))?;
        let schema = migrate(&pool).await?;
        let commits = commits::CommitFeed::start(&pool, &schema).await?;
        Ok(PgBackend { pool, commits })
    }
}

/// Applies the migrations newer than `schema_migrations`, in one transaction that holds an
/// advisory lock, so two nodes starting at once do not both migrate.
async fn migrate(pool: &PgPool) -> Result<String, StoreError> {
    let mut tx = pool.begin().await?;
    let schema: Option<String> = sqlx::query("SELECT current_schema()").fetch_one(&mut *tx).await?.try_get(0)?;
    let schema = schema.ok_or_else(|| {
        StoreError::Refused("no schema of the PostgreSQL search_path exists; create it before starting".into())
    })?;
    sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
        .bind(MIGRATION_LOCK)
        .bind(&schema)
        .execute(&mut *tx)
        .await?;
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_ms BIGINT NOT NULL)",
    )
    .execute(&mut *tx)
    .await?;
    let current: i64 =
        sqlx::query("SELECT coalesce(max(version), 0) FROM schema_migrations").fetch_one(&mut *tx).await?.try_get(0)?;
    let known = MIGRATIONS.len() as i64;
    if current > known {
        return Err(StoreError::Refused(format!(
            "the database schema (version {current}) is newer than this program knows ({known})"
        )));
    }
    let now = crate::store::now_ms();
    for (version, sql) in (1i64..).zip(MIGRATIONS.iter()).skip(usize::try_from(current).unwrap_or(0)) {
        sqlx::raw_sql(sql).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO schema_migrations (version, applied_ms) VALUES ($1, $2)")
            .bind(version)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(schema)
}

/// SQLite reads a negative LIMIT as "no limit"; PostgreSQL refuses it, so it becomes NULL (ALL).
fn limit(n: i64) -> Option<i64> {
    (n >= 0).then_some(n)
}

#[cfg(test)]
mod tests;
