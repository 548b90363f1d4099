//! The keys a running store holds: the master keyring (reloaded when the key file changes, so a
//! rotation reaches running nodes), a cache of unwrapped data keys, and the system keys.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

use safepassage_keys::{key_file, CodenameHasher, DataKey, KeyError, Keyring};
use uuid::Uuid;

use crate::backend::{Backend, WrappedKey};
use crate::error::StoreError;

/// More unwrapped keys than this and the cache starts over: bounded memory in a flood.
const CACHE_LIMIT: usize = 200_000;
const RELOAD_EVERY: Duration = Duration::from_secs(1);

pub(crate) struct KeyState {
    key_file: Option<PathBuf>,
    keyring: RwLock<Arc<Keyring>>,
    last_reload: Mutex<(Instant, Option<SystemTime>)>,
    cache: Mutex<HashMap<Uuid, DataKey>>,
    pub identity: DataKey,
    pub codename: CodenameHasher,
    pub staff: DataKey,
    /// The key of the audit chain's links and of signed heads.
    pub audit: DataKey,
}

impl KeyState {
    pub(crate) fn new(
        key_file: Option<PathBuf>,
        keyring: Keyring,
        identity: DataKey,
        codename: CodenameHasher,
        staff: DataKey,
        audit: DataKey,
    ) -> KeyState {
        let mtime = key_file.as_ref().and_then(modified);
        KeyState {
            key_file,
            keyring: RwLock::new(Arc::new(keyring)),
            last_reload: Mutex::new((Instant::now(), mtime)),
            cache: Mutex::new(HashMap::new()),
            identity,
            codename,
            staff,
            audit,
        }
    }

    pub(crate) fn key_file(&self) -> Option<&std::path::Path> {
        self.key_file.as_deref()
    }

    pub(crate) fn keyring(&self) -> Arc<Keyring> {
        self.maybe_reload(false);
        match self.keyring.read() {
            Ok(k) => k.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub(crate) fn replace_keyring(&self, keyring: Keyring) {
        let mut guard = self.keyring.write().unwrap_or_else(|p| p.into_inner());
        *guard = Arc::new(keyring);
    }

    /// Re-reads the key file if it changed (checked at most once a second unless forced).
    fn maybe_reload(&self, force: bool) {
        let Some(path) = &self.key_file else { return };
        let mut last = self.last_reload.lock().unwrap_or_else(|p| p.into_inner());
        if !force && last.0.elapsed() < RELOAD_EVERY {
            return;
        }
        last.0 = Instant::now();
        let mtime = modified(path);
        if !force && mtime == last.1 {
            return;
        }
        last.1 = mtime;
        match key_file::load(path) {
            Ok(keyring) => self.replace_keyring(keyring),
            Err(e) => {
                tracing::warn!(error = %e, "key file changed but could not be reloaded; keeping the keys in memory")
            }
        }
    }

    /// Creates a fresh data key wrapped under the current master key.
    pub(crate) fn new_data_key(&self, id: Uuid) -> (DataKey, String, Vec<u8>) {
        let key = DataKey::generate();
        let (master, wrapped) = self.keyring().wrap(id.as_bytes(), &key);
        self.remember(id, key.clone());
        (key, master, wrapped)
    }

    pub(crate) fn remember(&self, id: Uuid, key: DataKey) {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(id, key);
    }

    pub(crate) fn forget_all(&self) {
        self.cache.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    pub(crate) fn unwrap_stored(&self, id: Uuid, stored: &WrappedKey) -> Result<Option<DataKey>, StoreError> {
        let Some(wrapped) = &stored.wrapped else {
            return Ok(None);
        };
        let key = match self.keyring().unwrap(&stored.master_key_id, id.as_bytes(), wrapped) {
            Err(KeyError::UnknownMasterKey(_)) => {
                // Another node may have rotated the master key: look at the key file again.
                self.maybe_reload(true);
                self.keyring().unwrap(&stored.master_key_id, id.as_bytes(), wrapped)?
            }
            other => other?,
        };
        Ok(Some(key))
    }

    /// The data key `id`, or None when it was shredded.
    pub(crate) async fn data_key(&self, backend: &dyn Backend, id: Uuid) -> Result<Option<DataKey>, StoreError> {
        if let Some(key) = self.cache.lock().unwrap_or_else(|p| p.into_inner()).get(&id) {
            return Ok(Some(key.clone()));
        }
        let Some(stored) = backend.data_key(id).await? else {
            return Err(StoreError::NotFound("data key"));
        };
        let key = self.unwrap_stored(id, &stored)?;
        if let Some(key) = &key {
            self.remember(id, key.clone());
        }
        Ok(key)
    }
}

fn modified(path: &PathBuf) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}
