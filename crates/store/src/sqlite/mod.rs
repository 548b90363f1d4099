//! The SQLite backend: one writer connection (SQLite has one writer anyway) that commits whole
//! batches, and a few reader connections that WAL lets run beside it.

mod apply;
mod audit;
mod case_lists;
mod exit_plans;
mod figures;
mod holding;
mod location_reads;
mod outbox;
mod reads;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

use crate::config::Synchronous;
use crate::error::StoreError;

const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/sqlite/0001_initial.sql"),
    include_str!("../../migrations/sqlite/0002_queue_sessions_timeline.sql"),
    include_str!("../../migrations/sqlite/0003_messages_clustered.sql"),
    include_str!("../../migrations/sqlite/0004_flow_sessions.sql"),
    include_str!("../../migrations/sqlite/0005_flow_library.sql"),
    include_str!("../../migrations/sqlite/0006_duress.sql"),
    include_str!("../../migrations/sqlite/0007_flow_session_version.sql"),
    include_str!("../../migrations/sqlite/0008_flow_import_allowance.sql"),
    include_str!("../../migrations/sqlite/0009_account_lifecycle.sql"),
    include_str!("../../migrations/sqlite/0010_audit_key_and_shredding.sql"),
    include_str!("../../migrations/sqlite/0011_conversation_returned.sql"),
    include_str!("../../migrations/sqlite/0012_location_reports.sql"),
    include_str!("../../migrations/sqlite/0013_exit_plans.sql"),
    include_str!("../../migrations/sqlite/0014_case_holding.sql"),
    include_str!("../../migrations/sqlite/0015_screening.sql"),
    include_str!("../../migrations/sqlite/0016_outbox.sql"),
    include_str!("../../migrations/sqlite/0017_staff_phone.sql"),
    include_str!("../../migrations/sqlite/0018_calls_with_the_bot.sql"),
    include_str!("../../migrations/sqlite/0019_shared_limits.sql"),
    include_str!("../../migrations/sqlite/0020_console_indexes.sql"),
    include_str!("../../migrations/sqlite/0021_figures.sql"),
];
const READERS: usize = 4;
const WRITER_CACHE_KIB: i64 = 64 * 1024;
const BACKSTOP_CHECKPOINT_PAGES: i64 = 20_000;
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

pub(crate) struct SqliteBackend {
    writer: Arc<Mutex<Connection>>,
    readers: Arc<Vec<Mutex<Connection>>>,
    next_reader: AtomicUsize,
    /// Shared pacers' next turns (see `pace.rs`), by name.
    pacers: Mutex<std::collections::HashMap<String, i64>>,
    /// Dropping it stops the checkpoint thread.
    _checkpointer: std::sync::mpsc::Sender<()>,
}

impl SqliteBackend {
    pub(crate) async fn open(path: &Path, synchronous: Synchronous) -> Result<SqliteBackend, StoreError> {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .map_err(|e| StoreError::Refused(format!("cannot create {}: {e}", dir.display())))?;
            }
            let mut writer = connect(&path, synchronous)?;
            migrate(&mut writer)?;
            // The writer keeps hot pages in memory and leaves routine checkpoints to a thread of
            // their own, so commits do not stall on copying the WAL back; a large automatic
            // checkpoint stays as a backstop should that thread fall behind.
            writer.pragma_update(None, "cache_size", -WRITER_CACHE_KIB)?;
            writer.pragma_update(None, "wal_autocheckpoint", BACKSTOP_CHECKPOINT_PAGES)?;
            let checkpointer = spawn_checkpointer(connect(&path, synchronous)?);
            let readers =
                (0..READERS).map(|_| connect(&path, synchronous).map(Mutex::new)).collect::<Result<_, _>>()?;
            Ok(SqliteBackend {
                writer: Arc::new(Mutex::new(writer)),
                readers: Arc::new(readers),
                next_reader: AtomicUsize::new(0),
                pacers: Mutex::default(),
                _checkpointer: checkpointer,
            })
        })
        .await?
    }

    /// Runs a read on one of the reader connections, off the async threads.
    async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let readers = self.readers.clone();
        let index = self.next_reader.fetch_add(1, Ordering::Relaxed) % readers.len();
        tokio::task::spawn_blocking(move || {
            let conn = readers[index].lock().unwrap_or_else(|p| p.into_inner());
            f(&conn)
        })
        .await?
    }
}

/// Checkpoints the WAL in the background (PASSIVE: never blocks the writer or readers) until
/// the returned sender is dropped.
fn spawn_checkpointer(conn: Connection) -> std::sync::mpsc::Sender<()> {
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_EVERY) {
            if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                tracing::warn!(error = %e, "background checkpoint failed");
            }
        }
    });
    stop
}

fn connect(path: &Path, synchronous: Synchronous) -> Result<Connection, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", synchronous.as_pragma())?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// Applies the migrations newer than the file's `user_version`, each in its own transaction.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let current: usize = conn.pragma_query_value(None, "user_version", |r| r.get::<_, i64>(0))? as usize;
    if current > MIGRATIONS.len() {
        return Err(StoreError::Refused(format!(
            "the database schema (version {current}) is newer than this program knows ({})",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}
