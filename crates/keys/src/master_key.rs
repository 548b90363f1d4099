//! The master key: the one secret kept outside the database, from which everything else is
//! unwrapped; plus its public check value and id, and its hex form for files and environment.

use std::fmt;

use zeroize::Zeroizing;

use crate::{mac, random, KeyError, KEY_LEN};

/// Domain label of the key check value, so it can never collide with another HMAC we compute.
const KCV_LABEL: &[u8] = b"safepassage/kcv/v1";

/// Hex digits for encoding without an intermediate, unzeroized `String`.
const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// A 256-bit master key; never stored in the database.
#[derive(Clone)]
pub struct MasterKey {
    key: Zeroizing<[u8; KEY_LEN]>,
    /// Computed once: the keyring looks keys up by id on every unwrap.
    check: [u8; 32],
}

impl MasterKey {
    /// A fresh key from the operating system's random number generator.
    pub fn generate() -> MasterKey {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        random::fill(key.as_mut_slice());
        MasterKey::from_zeroizing(key)
    }

    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> MasterKey {
        MasterKey::from_zeroizing(Zeroizing::new(bytes))
    }

    /// Parses 64 hex digits (either case); surrounding whitespace is ignored so a value pasted
    /// into an environment variable or secret store with a trailing newline still works.
    pub fn from_hex(s: &str) -> Result<MasterKey, KeyError> {
        decode_hex_key(s.trim().as_bytes())
            .map(MasterKey::from_zeroizing)
            .map_err(|reason| KeyError::EnvKeyMalformed(reason.to_owned()))
    }

    /// The key as 64 lowercase hex digits, for writing the key file or showing it once to the
    /// operator to back up.
    pub fn to_hex(&self) -> Zeroizing<String> {
        // Built in a buffer of the final size so no reallocation leaves a copy behind.
        let mut out = Zeroizing::new(String::with_capacity(2 * KEY_LEN));
        for byte in self.key.iter() {
            out.push(char::from(HEX_DIGITS[usize::from(byte >> 4)]));
            out.push(char::from(HEX_DIGITS[usize::from(byte & 0x0f)]));
        }
        out
    }

    /// Key check value: HMAC-SHA256(key, "safepassage/kcv/v1"). Safe to store in the database,
    /// where it lets startup tell "wrong key file" apart from "corrupted data".
    pub fn check_value(&self) -> [u8; 32] {
        self.check
    }

    /// Short public id: lowercase hex of the first 8 bytes of the check value (16 chars).
    /// Stored beside every wrapped data key to say which master key unwraps it.
    pub fn id(&self) -> String {
        hex::encode(&self.check[..8])
    }

    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.key
    }

    pub(crate) fn from_zeroizing(key: Zeroizing<[u8; KEY_LEN]>) -> MasterKey {
        let check = mac::hmac_sha256(&key, KCV_LABEL);
        MasterKey { key, check }
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterKey").field("id", &self.id()).field("key", &format_args!("***")).finish()
    }
}

/// Decodes exactly 64 hex digits. The error is a fixed description that never quotes the
/// input, because the input is (most of) a secret key.
pub(crate) fn decode_hex_key(hex_digits: &[u8]) -> Result<Zeroizing<[u8; KEY_LEN]>, &'static str> {
    if hex_digits.len() != 2 * KEY_LEN {
        return Err("expected 64 hex characters");
    }
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    hex::decode_to_slice(hex_digits, key.as_mut_slice()).map_err(|_| "contains a character that is not a hex digit")?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let key = MasterKey::generate();
        let hex = key.to_hex();
        assert_eq!(hex.len(), 64);
        assert!(hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        let again = MasterKey::from_hex(&hex).unwrap();
        assert_eq!(again.bytes(), key.bytes());
        assert_eq!(*hex, hex::encode(key.bytes()));
    }

    #[test]
    fn from_hex_accepts_surrounding_whitespace_and_uppercase() {
        let hex = format!("  {}\n", "AB".repeat(32));
        let key = MasterKey::from_hex(&hex).unwrap();
        assert_eq!(key.bytes(), &[0xab; 32]);
    }

    #[test]
    fn from_hex_rejects_bad_input_without_echoing_it() {
        for bad in ["", "abcd", &"a".repeat(63), &"a".repeat(65), &format!("{}zz", "a".repeat(62))] {
            match MasterKey::from_hex(bad) {
                Err(KeyError::EnvKeyMalformed(reason)) => {
                    assert!(!reason.contains("aaaa"), "reason echoes input: {reason}");
                    assert!(!reason.contains('z'), "reason echoes input: {reason}");
                }
                other => panic!("expected EnvKeyMalformed, got {other:?}"),
            }
        }
    }

    #[test]
    fn check_value_is_the_documented_hmac() {
        let key = MasterKey::from_bytes([3; 32]);
        assert_eq!(key.check_value(), mac::hmac_sha256(&[3; 32], b"safepassage/kcv/v1"));
        assert_eq!(key.id(), hex::encode(&key.check_value()[..8]));
        assert_eq!(key.id().len(), 16);
    }

    #[test]
    fn two_different_master_keys_have_different_ids() {
        assert_ne!(MasterKey::generate().id(), MasterKey::generate().id());
        assert_ne!(MasterKey::from_bytes([1; 32]).id(), MasterKey::from_bytes([2; 32]).id());
    }

    #[test]
    fn debug_hides_the_key() {
        let key = MasterKey::from_bytes([0xab; 32]);
        let shown = format!("{key:?}");
        assert!(shown.contains("***"));
        assert!(!shown.contains("abab"));
        assert!(!shown.contains("171, 171"));
    }
}
