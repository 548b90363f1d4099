//! The public face of the store: opens a backend, checks the master key against the database,
//! and offers typed operations that encrypt on the way in and decrypt on the way out.

mod assignment;
mod audit;
mod calls;
mod cases;
mod channel_addresses;
mod chat_sessions;
mod conversations;
mod duress;
mod exit_plans;
mod figures;
mod flags;
mod flow_library;
mod flows;
mod holding;
mod locations;
mod nodes;
mod outbox;
mod queue;
mod receipts;
mod relatives;
mod retention;
mod rotation;
mod sealed;
mod sessions;
mod shared_limits;
mod shreds;
mod signals;
mod staff;
mod staff_codename;
mod staff_phone;

pub use cases::PreparedCodename;
pub use channel_addresses::MAX_REPLY_ADDRESS;
pub use exit_plans::{OutcomeView, PlanView, ReportView};
pub use flags::CaseFlagView;
pub use flow_library::MAX_FLOW_FILE;
pub use flows::StepMessage;
pub use holding::CaseWait;
pub use locations::LocationView;
pub use outbox::{Outbound, OutboundFailure, OutboxId};
pub use receipts::Receipt;
pub use retention::{RetentionPolicy, RetentionReport};
pub use rotation::RotationReport;
pub use shreds::Shredded;
pub use signals::{SignalSettings, Signals};

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use safepassage_keys::{key_file, CodenameHasher, DataKey, KeyError, Keyring, MasterKey};
use uuid::Uuid;

use crate::backend::{Backend, NewAuditKey};
use crate::chain::{self, Linker};
use crate::committer::{CommitCounters, Committer};
use crate::config::{DatabaseKind, KeySource, StoreConfig};
use crate::error::StoreError;
use crate::keystate::KeyState;
use crate::ops::{Job, Op};

/// System keys: one each, wrapped like any data key, so rotation and backups treat them alike.
const IDENTITY_MAC: &str = "identity_mac";
const CODENAME: &str = "codename";
const STAFF: &str = "staff";

#[derive(Clone)]
pub struct Store {
    backend: Arc<dyn Backend>,
    committer: Committer,
    keys: Arc<KeyState>,
    counters: Arc<CommitCounters>,
    backend_name: &'static str,
    shreds: Arc<shreds::ShredWatch>,
}

/// Commit counters since start, for metrics.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreStats {
    pub batches: u64,
    pub jobs: u64,
    pub failed_jobs: u64,
}

impl Store {
    /// Opens (and migrates) the database, then checks the master key. Refuses to start with a
    /// clear message when the key is wrong, retired, missing over existing data, or exposed.
    pub async fn open(config: StoreConfig) -> Result<Store, StoreError> {
        let (backend, backend_name) = connect(&config).await?;
        let has_data = backend.has_data().await?;
        let (keyring, key_file_path) = load_keyring(&config.key_source, has_data)?;
        let known = backend.master_keys().await?;
        let current = keyring.current();
        let mut init = Vec::new();
        if known.is_empty() {
            if has_data {
                return Err(StoreError::Refused(
                    "the database holds events but no master key record; refusing to guess a key".into(),
                ));
            }
            init.push(Op::InsertMasterKey { id: current.id(), kcv: current.check_value().to_vec() });
        } else {
            match known.iter().find(|k| k.id == current.id()) {
                Some(k) if k.kcv != current.check_value() => {
                    return Err(StoreError::Refused("master key check value mismatch: wrong key".into()))
                }
                Some(k) if k.retired => {
                    return Err(StoreError::Refused(format!(
                        "master key {} was retired by a key rotation; start with the current key file",
                        k.id
                    )))
                }
                Some(_) => {}
                None => {
                    let expected: Vec<&str> = known.iter().filter(|k| !k.retired).map(|k| k.id.as_str()).collect();
                    return Err(StoreError::Refused(format!(
                        "wrong master key: this database was encrypted under key id {} but the key given has id {}",
                        expected.join(", "),
                        current.id()
                    )));
                }
            }
        }
        let mut system = Vec::new();
        for purpose in [IDENTITY_MAC, CODENAME, STAFF] {
            let key = match backend.system_key(purpose).await? {
                Some((id, stored)) => unwrap_system(&keyring, id, &stored)?,
                None => {
                    let id = Uuid::now_v7();
                    let key = DataKey::generate();
                    let (master_key_id, wrapped) = keyring.wrap(id.as_bytes(), &key);
                    init.push(Op::InsertDataKey { id, purpose, master_key_id, wrapped });
                    key
                }
            };
            system.push(key);
        }
        let [identity, codename, staff]: [DataKey; 3] =
            system.try_into().map_err(|_| StoreError::Refused("system keys incomplete".into()))?;
        let codename = if config.fast_codename_hash {
            CodenameHasher::new_fast_for_tests(&codename)
        } else {
            CodenameHasher::new(&codename)
        };
        if !init.is_empty() {
            // No events yet, so nothing to link: committed before the audit key exists.
            let job = Job { at_ms: now_ms(), ops: init, events: Vec::new() };
            backend.commit(Arc::new(vec![job]), Arc::new(Linker::plain())).await?;
        }
        let (audit, keyed_from) = audit_key(backend.as_ref(), &keyring).await?;
        let linker = Linker::keyed(audit.clone(), keyed_from);
        let keys = Arc::new(KeyState::new(key_file_path, keyring, identity, codename, staff, audit));
        let counters = Arc::new(CommitCounters::default());
        let committer = Committer::spawn(backend.clone(), linker, config.max_batch, counters.clone());
        let shreds = Arc::new(shreds::ShredWatch::start(backend.clone(), keys.clone()).await?);
        Ok(Store { backend, committer, keys, counters, backend_name, shreds })
    }

    /// Creates or updates the schema only; needs no key.
    pub async fn migrate(database_url: &str) -> Result<&'static str, StoreError> {
        let config = StoreConfig::new(database_url, KeySource::Hex(Default::default()));
        let (_, name) = connect(&config).await?;
        Ok(name)
    }

    pub fn backend_name(&self) -> &'static str {
        self.backend_name
    }

    /// Event ranges committed by other app nodes on the same PostgreSQL database, for live
    /// updates across nodes; None on SQLite (one process owns the file).
    pub fn remote_commits(&self) -> Option<tokio::sync::broadcast::Receiver<crate::model::SeqRange>> {
        self.backend.remote_commits()
    }

    /// Answers when the database answers: for `/healthz`.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.backend.ping().await
    }

    pub fn stats(&self) -> StoreStats {
        StoreStats {
            batches: self.counters.batches.load(Ordering::Relaxed),
            jobs: self.counters.jobs.load(Ordering::Relaxed),
            failed_jobs: self.counters.failed_jobs.load(Ordering::Relaxed),
        }
    }

    /// Rows per table: counts only, never content.
    pub async fn counts(&self) -> Result<Vec<(&'static str, i64)>, StoreError> {
        self.backend.counts().await
    }

    /// Records events that change no table (logins, views); returns the seq of the last.
    pub async fn record(&self, events: Vec<safepassage_domain::Event>) -> Result<i64, StoreError> {
        let seqs = self.submit(Vec::new(), events).await?;
        seqs.last().copied().ok_or(StoreError::Conflict("no event recorded"))
    }

    async fn submit(&self, ops: Vec<Op>, events: Vec<safepassage_domain::Event>) -> Result<Vec<i64>, StoreError> {
        self.committer.submit(Job { at_ms: now_ms(), ops, events }).await
    }
}

async fn connect(config: &StoreConfig) -> Result<(Arc<dyn Backend>, &'static str), StoreError> {
    Ok(match DatabaseKind::parse(&config.database_url) {
        DatabaseKind::Sqlite(path) => {
            (Arc::new(crate::sqlite::SqliteBackend::open(&path, config.synchronous).await?), "sqlite")
        }
        DatabaseKind::Postgres(url) => (Arc::new(crate::postgres::PgBackend::connect(&url).await?), "postgres"),
    })
}

fn load_keyring(source: &KeySource, has_data: bool) -> Result<(Keyring, Option<std::path::PathBuf>), StoreError> {
    match source {
        KeySource::File(path) => {
            let keyring = match key_file::load(path) {
                Ok(keyring) => keyring,
                Err(KeyError::KeyFileMissing { .. }) if !has_data => key_file::create(path)?,
                Err(KeyError::KeyFileMissing { path }) => {
                    return Err(StoreError::Refused(format!(
                        "the key file {path} is missing but the database already holds encrypted data; \
                         restore the key file (a new key would make every record unreadable)"
                    )))
                }
                Err(e) => return Err(StoreError::Refused(e.to_string())),
            };
            Ok((keyring, Some(path.clone())))
        }
        KeySource::Hex(hex) => {
            let key = MasterKey::from_hex(hex).map_err(|e| StoreError::Refused(e.to_string()))?;
            Ok((Keyring::new(key), None))
        }
    }
}

/// The audit key, created (with the switch-over at the next seq) when the database has none,
/// and the seq from which links are keyed. A switch-over record that is missing or forged
/// makes every new link keyed, and `audit verify` reports it.
async fn audit_key(backend: &dyn Backend, keyring: &Keyring) -> Result<(DataKey, i64), StoreError> {
    let id = Uuid::now_v7();
    let key = DataKey::generate();
    let (master_key_id, wrapped) = keyring.wrap(id.as_bytes(), &key);
    let (id, stored, switch) = backend.init_audit(NewAuditKey { id, master_key_id, wrapped, key }).await?;
    let audit = unwrap_system(keyring, id, &stored)?;
    let keyed_from = match switch {
        Some(s) if chain::switch_is_authentic(&audit, &s) => s.keyed_from,
        _ => {
            tracing::error!("the audit chain's switch-over record is missing or forged; run `audit verify`");
            1
        }
    };
    Ok((audit, keyed_from))
}

fn unwrap_system(keyring: &Keyring, id: Uuid, stored: &crate::backend::WrappedKey) -> Result<DataKey, StoreError> {
    let wrapped = stored.wrapped.as_deref().ok_or(StoreError::Refused("a system key was destroyed".into()))?;
    keyring
        .unwrap(&stored.master_key_id, id.as_bytes(), wrapped)
        .map_err(|e| StoreError::Refused(format!("cannot unwrap the system keys with this master key: {e}")))
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Associated data binding a ciphertext to its table, column and row.
pub(crate) fn bound_to(column: &str, row: &Uuid) -> Vec<u8> {
    let mut ad = Vec::with_capacity(column.len() + 17);
    ad.extend_from_slice(column.as_bytes());
    ad.push(0);
    ad.extend_from_slice(row.as_bytes());
    ad
}
