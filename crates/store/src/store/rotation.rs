//! Master key rotation without downtime: the new key becomes current in the key file (the old
//! one stays, for unwrapping only), every data key is re-wrapped in small batches while the
//! service runs, and only then is the old key dropped from the file and marked retired.

use std::time::Duration;

use safepassage_domain::Event;
use safepassage_keys::{key_file, Keyring, MasterKey};

use super::Store;
use crate::error::StoreError;
use crate::ops::Op;

const REWRAP_BATCH: i64 = 500;
/// Running nodes re-read a changed key file within a second; wait past that before the last sweep.
const SETTLE: Duration = Duration::from_millis(2_500);

/// What a rotation did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotationReport {
    pub from: String,
    pub to: String,
    pub rewrapped: u64,
}

impl Store {
    /// Rotates to `next`. Needs a key file (an environment key cannot be rewritten from here).
    pub async fn rotate_master_key(&self, next: MasterKey) -> Result<RotationReport, StoreError> {
        let path = self
            .keys
            .key_file()
            .ok_or(StoreError::Refused("key rotation needs a key file, not a key from the environment".into()))?
            .to_path_buf();
        let old = self.keys.keyring();
        let from = old.current().id();
        let to = next.id();
        if from == to {
            return Err(StoreError::Refused("the new master key is the current one".into()));
        }
        self.submit(vec![Op::InsertMasterKey { id: to.clone(), kcv: next.check_value().to_vec() }], Vec::new()).await?;
        let rotating = old.rotate(next.clone());
        key_file::write(&path, &rotating)?;
        self.keys.replace_keyring(rotating.clone());

        let mut rewrapped = self.rewrap_all(&rotating, &from).await?;
        tokio::time::sleep(SETTLE).await;
        rewrapped += self.rewrap_all(&rotating, &from).await?;

        let event = Event::MasterKeyRotated { from: from.clone(), to: to.clone() };
        self.submit(vec![Op::RetireMasterKey { id: from.clone() }], vec![event]).await?;
        let finished = Keyring::new(next);
        key_file::write(&path, &finished)?;
        self.keys.replace_keyring(finished);
        Ok(RotationReport { from, to, rewrapped })
    }

    async fn rewrap_all(&self, keyring: &Keyring, from: &str) -> Result<u64, StoreError> {
        let to = keyring.current().id();
        let mut count = 0;
        loop {
            let batch = self.backend.keys_wrapped_under(from, REWRAP_BATCH).await?;
            if batch.is_empty() {
                return Ok(count);
            }
            let mut rewrapped = Vec::with_capacity(batch.len());
            for (id, wrapped) in batch {
                let key = keyring.unwrap(from, id.as_bytes(), &wrapped)?;
                let (_, again) = keyring.wrap(id.as_bytes(), &key);
                rewrapped.push((id, again));
            }
            count += rewrapped.len() as u64;
            self.backend.rewrap(from, &to, rewrapped).await?;
        }
    }
}
