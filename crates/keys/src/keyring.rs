//! The set of master keys in use and envelope encryption of data keys under them.
//! One current key wraps; retained keys only unwrap, so rotation can re-wrap at its own pace.

use std::fmt;

use zeroize::Zeroizing;

use crate::{aead, DataKey, KeyError, MasterKey, KEY_LEN};

/// Prefixed to the caller's key id in the associated data, so a wrapped data key can never be
/// mistaken for any other ciphertext made under a master key. Fixed length, so the
/// concatenation is unambiguous.
const WRAP_LABEL: &[u8] = b"safepassage/wrap/v1\0";

/// The master keys in use: one current key (wraps new data keys) and retained keys (unwrap
/// only), used during rotation.
#[derive(Clone)]
pub struct Keyring {
    current: MasterKey,
    retained: Vec<MasterKey>,
}

impl Keyring {
    pub fn new(current: MasterKey) -> Keyring {
        Keyring { current, retained: Vec::new() }
    }

    /// Keys equal to the current key or to an earlier retained key are dropped, so ids stay
    /// unique and a rotation that re-adds a key does no harm.
    pub fn with_retained(current: MasterKey, retained: Vec<MasterKey>) -> Keyring {
        let mut keyring = Keyring::new(current);
        for key in retained {
            if keyring.get(&key.id()).is_none() {
                keyring.retained.push(key);
            }
        }
        keyring
    }

    /// A keyring whose current key is `new_current`, keeping every key of `self` as retained
    /// (the old current key first) so existing wrapped data keys still unwrap.
    pub fn rotate(&self, new_current: MasterKey) -> Keyring {
        let mut retained = Vec::with_capacity(1 + self.retained.len());
        retained.push(self.current.clone());
        retained.extend(self.retained.iter().cloned());
        Keyring::with_retained(new_current, retained)
    }

    pub fn current(&self) -> &MasterKey {
        &self.current
    }

    /// The retained (unwrap-only) keys, in file order.
    pub fn retained(&self) -> &[MasterKey] {
        &self.retained
    }

    pub fn get(&self, id: &str) -> Option<&MasterKey> {
        self.keys().find(|key| key.id() == id)
    }

    /// Ids of all keys, current first.
    pub fn ids(&self) -> Vec<String> {
        self.keys().map(MasterKey::id).collect()
    }

    /// Wraps a data key under the current master key, binding it to `key_id` (e.g. the 16 uuid
    /// bytes of the data-key row) as AEAD associated data, so a wrapped key swapped into another
    /// row does not unwrap. Returns (master key id, wrapped bytes).
    pub fn wrap(&self, key_id: &[u8], data_key: &DataKey) -> (String, Vec<u8>) {
        let wrapped = aead::seal(self.current.bytes(), &wrap_ad(key_id), data_key.bytes());
        (self.current.id(), wrapped)
    }

    /// Unwraps with the master key named `master_id`; Err(UnknownMasterKey) or Err(Decrypt).
    pub fn unwrap(&self, master_id: &str, key_id: &[u8], wrapped: &[u8]) -> Result<DataKey, KeyError> {
        let master = self.get(master_id).ok_or_else(|| KeyError::UnknownMasterKey(master_id.to_owned()))?;
        let plain = aead::open(master.bytes(), &wrap_ad(key_id), wrapped)?;
        // Authenticated, so another length means something other than a data key was sealed
        // with this master key and label; treat it like any other undecryptable input.
        if plain.len() != KEY_LEN {
            return Err(KeyError::Decrypt);
        }
        // Copied straight into a zeroizing buffer: going through `[u8; 32]` by value would
        // leave an unreachable copy on the stack.
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        key.copy_from_slice(&plain);
        Ok(DataKey::from_zeroizing(key))
    }

    fn keys(&self) -> impl Iterator<Item = &MasterKey> {
        std::iter::once(&self.current).chain(self.retained.iter())
    }
}

fn wrap_ad(key_id: &[u8]) -> Vec<u8> {
    let mut ad = Vec::with_capacity(WRAP_LABEL.len() + key_id.len());
    ad.extend_from_slice(WRAP_LABEL);
    ad.extend_from_slice(key_id);
    ad
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("current", &self.current.id())
            .field("retained", &self.retained.iter().map(MasterKey::id).collect::<Vec<_>>())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_ID: &[u8; 16] = b"\x01\x90\xc3\xa4\x00\x00\x70\x00\x80\x00\x00\x00\x00\x00\x00\x01";

    #[test]
    fn wrap_unwrap_round_trip() {
        let ring = Keyring::new(MasterKey::generate());
        let data_key = DataKey::generate();
        let (master_id, wrapped) = ring.wrap(KEY_ID, &data_key);
        assert_eq!(master_id, ring.current().id());
        let unwrapped = ring.unwrap(&master_id, KEY_ID, &wrapped).unwrap();
        assert_eq!(unwrapped.bytes(), data_key.bytes());
    }

    #[test]
    fn unwrap_with_a_different_key_id_fails() {
        let ring = Keyring::new(MasterKey::generate());
        let (master_id, wrapped) = ring.wrap(KEY_ID, &DataKey::generate());
        let mut other = *KEY_ID;
        other[15] = 2;
        assert!(matches!(ring.unwrap(&master_id, &other, &wrapped), Err(KeyError::Decrypt)));
    }

    #[test]
    fn unwrap_with_an_unknown_master_id_fails() {
        let ring = Keyring::new(MasterKey::generate());
        let (_, wrapped) = ring.wrap(KEY_ID, &DataKey::generate());
        let stranger = MasterKey::generate().id();
        match ring.unwrap(&stranger, KEY_ID, &wrapped) {
            Err(KeyError::UnknownMasterKey(id)) => assert_eq!(id, stranger),
            other => panic!("expected UnknownMasterKey, got {other:?}"),
        }
    }

    #[test]
    fn unwrap_of_tampered_bytes_fails() {
        let ring = Keyring::new(MasterKey::generate());
        let (master_id, mut wrapped) = ring.wrap(KEY_ID, &DataKey::generate());
        wrapped[30] ^= 0x80;
        assert!(matches!(ring.unwrap(&master_id, KEY_ID, &wrapped), Err(KeyError::Decrypt)));
    }

    #[test]
    fn retained_keys_unwrap_but_only_the_current_key_wraps() {
        let old = Keyring::new(MasterKey::generate());
        let data_key = DataKey::generate();
        let (old_id, wrapped) = old.wrap(KEY_ID, &data_key);

        let new = old.rotate(MasterKey::generate());
        assert_ne!(new.current().id(), old_id);
        assert_eq!(new.ids(), vec![new.current().id(), old_id.clone()]);
        let unwrapped = new.unwrap(&old_id, KEY_ID, &wrapped).unwrap();
        assert_eq!(unwrapped.bytes(), data_key.bytes());

        let (rewrapped_id, _) = new.wrap(KEY_ID, &unwrapped);
        assert_eq!(rewrapped_id, new.current().id());
    }

    #[test]
    fn with_retained_drops_duplicates_and_keeps_order() {
        let a = MasterKey::from_bytes([1; 32]);
        let b = MasterKey::from_bytes([2; 32]);
        let c = MasterKey::from_bytes([3; 32]);
        let ring = Keyring::with_retained(a.clone(), vec![b.clone(), a.clone(), c.clone(), b.clone()]);
        assert_eq!(ring.ids(), vec![a.id(), b.id(), c.id()]);
        assert!(ring.get(&c.id()).is_some());
        assert!(ring.get("0000000000000000").is_none());
    }

    #[test]
    fn debug_shows_ids_only() {
        let ring = Keyring::new(MasterKey::from_bytes([0xcd; 32]));
        let shown = format!("{ring:?}");
        assert!(shown.contains(&ring.current().id()));
        assert!(!shown.contains("cdcd"));
    }
}
