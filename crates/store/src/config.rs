//! How to open a store: which database, where the master key comes from, how durable commits are.

use std::path::PathBuf;

/// Where the master key lives. It is never in the database.
#[derive(Clone)]
pub enum KeySource {
    /// A key file (mode 0600). Created on first start of an empty database, never over data.
    File(PathBuf),
    /// 64 hex characters from an environment secret.
    Hex(zeroize::Zeroizing<String>),
}

impl std::fmt::Debug for KeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KeySource::File(path) => f.debug_tuple("File").field(path).finish(),
            KeySource::Hex(_) => f.write_str("Hex(***)"),
        }
    }
}

/// SQLite's `synchronous` setting in WAL mode. `Normal` survives a killed process but may lose
/// the last commits on power loss; `Full` (the default) survives both, at one fsync per batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    Off,
    Normal,
    #[default]
    Full,
    Extra,
}

impl Synchronous {
    pub fn as_pragma(self) -> &'static str {
        match self {
            Synchronous::Off => "OFF",
            Synchronous::Normal => "NORMAL",
            Synchronous::Full => "FULL",
            Synchronous::Extra => "EXTRA",
        }
    }
}

impl std::str::FromStr for Synchronous {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "off" => Ok(Synchronous::Off),
            "normal" => Ok(Synchronous::Normal),
            "full" => Ok(Synchronous::Full),
            "extra" => Ok(Synchronous::Extra),
            _ => Err(format!("unknown synchronous setting {s:?}; expected off, normal, full or extra")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// `sqlite:PATH` (or a bare path) or `postgres://...`.
    pub database_url: String,
    pub key_source: KeySource,
    pub synchronous: Synchronous,
    /// Most writes committed in one transaction.
    pub max_batch: usize,
    /// Argon2 cost for codename hashes: production by default; cheap only for tests and benches.
    pub fast_codename_hash: bool,
}

impl StoreConfig {
    pub fn new(database_url: impl Into<String>, key_source: KeySource) -> StoreConfig {
        StoreConfig {
            database_url: database_url.into(),
            key_source,
            synchronous: Synchronous::default(),
            max_batch: 1024,
            fast_codename_hash: false,
        }
    }
}

/// The database a URL names, with the password of a PostgreSQL URL hidden for logs.
pub(crate) enum DatabaseKind {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseKind {
    pub(crate) fn parse(url: &str) -> DatabaseKind {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            DatabaseKind::Postgres(url.to_owned())
        } else {
            let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url);
            DatabaseKind::Sqlite(PathBuf::from(path))
        }
    }
}
