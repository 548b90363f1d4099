//! Data keys: the per-conversation, per-case and per-purpose keys that encrypt rows and hash
//! identities. Deleting one (crypto-shredding) makes everything under it unreadable.

use std::fmt;

use zeroize::Zeroizing;

use crate::{aead, mac, random, KeyError, KEY_LEN};

/// A 256-bit data key (per conversation / per case / per system purpose).
#[derive(Clone)]
pub struct DataKey {
    key: Zeroizing<[u8; KEY_LEN]>,
}

impl DataKey {
    pub fn generate() -> DataKey {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        random::fill(key.as_mut_slice());
        DataKey::from_zeroizing(key)
    }

    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> DataKey {
        DataKey::from_zeroizing(Zeroizing::new(bytes))
    }

    pub(crate) fn from_zeroizing(key: Zeroizing<[u8; KEY_LEN]>) -> DataKey {
        DataKey { key }
    }

    /// XChaCha20-Poly1305 with a random 24-byte nonce; output = nonce || ciphertext+tag.
    /// `ad` binds the ciphertext to its row (table, row id, column), so a ciphertext copied into
    /// another row or column no longer opens.
    pub fn seal(&self, ad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        aead::seal(&self.key, ad, plaintext)
    }

    /// Reverses [`DataKey::seal`]; `Err(Decrypt)` for a wrong key, wrong `ad` or tampered input.
    pub fn open(&self, ad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        aead::open(&self.key, ad, sealed)
    }

    /// HMAC-SHA256 under this key (used to hash channel identities: phone numbers, messenger
    /// ids), so a returning sender is recognised without the identity being stored.
    pub fn mac(&self, message: &[u8]) -> [u8; 32] {
        mac::hmac_sha256(&self.key, message)
    }

    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.key
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AD: &[u8] = b"messages/0190c3a4-0000-7000-8000-000000000001/body";

    #[test]
    fn seal_open_round_trip() {
        let key = DataKey::generate();
        let sealed = key.seal(AD, b"meet at the north gate");
        assert_eq!(key.open(AD, &sealed).unwrap().as_slice(), b"meet at the north gate");
        assert_eq!(key.open(b"", &key.seal(b"", b"")).unwrap().len(), 0);
    }

    #[test]
    fn ciphertext_copied_into_another_row_fails() {
        let key = DataKey::generate();
        let sealed = key.seal(AD, b"secret");
        let other_row = b"messages/0190c3a4-0000-7000-8000-000000000002/body";
        assert!(matches!(key.open(other_row, &sealed), Err(KeyError::Decrypt)));
    }

    #[test]
    fn any_tampered_byte_fails() {
        let key = DataKey::generate();
        let sealed = key.seal(AD, b"secret");
        for i in 0..sealed.len() {
            let mut tampered = sealed.clone();
            tampered[i] ^= 0x01;
            assert!(matches!(key.open(AD, &tampered), Err(KeyError::Decrypt)), "flipping byte {i} went unnoticed");
        }
        assert!(matches!(key.open(AD, &sealed[..sealed.len() - 1]), Err(KeyError::Decrypt)));
    }

    #[test]
    fn another_data_key_cannot_open() {
        let sealed = DataKey::generate().seal(AD, b"secret");
        assert!(matches!(DataKey::generate().open(AD, &sealed), Err(KeyError::Decrypt)));
    }

    #[test]
    fn mac_is_deterministic_and_keyed() {
        let key = DataKey::from_bytes([5; 32]);
        assert_eq!(key.mac(b"+41790000000"), key.mac(b"+41790000000"));
        assert_ne!(key.mac(b"+41790000000"), key.mac(b"+41790000001"));
        assert_ne!(key.mac(b"+41790000000"), DataKey::from_bytes([6; 32]).mac(b"+41790000000"));
    }

    #[test]
    fn debug_hides_the_key() {
        assert_eq!(format!("{:?}", DataKey::from_bytes([9; 32])), "DataKey(***)");
    }
}
