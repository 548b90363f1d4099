//! HMAC-SHA256 under a 256-bit key, without a fallible constructor.
//! Shared by key check values, channel-identity hashes and derived salts.

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::KEY_LEN;

type HmacSha256 = Hmac<Sha256>;

/// SHA-256's block size; `Hmac<Sha256>`'s fixed-size key type is one block long.
const BLOCK_LEN: usize = 64;

/// HMAC-SHA256 of `message` under `key`.
pub(crate) fn hmac_sha256(key: &[u8; KEY_LEN], message: &[u8]) -> [u8; 32] {
    // HMAC pads a key shorter than the block with zeros (RFC 2104, section 2), so padding it here
    // gives exactly the same MAC while letting us use the infallible fixed-size `KeyInit::new`
    // instead of `new_from_slice`, whose `Result` would need an `expect`.
    let mut block = Zeroizing::new([0u8; BLOCK_LEN]);
    block[..KEY_LEN].copy_from_slice(key);
    let mut mac = <HmacSha256 as KeyInit>::new(hmac::digest::generic_array::GenericArray::from_slice(block.as_slice()));
    mac.update(message);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_key_matches_hmac_of_the_short_key() {
        let key = [7u8; KEY_LEN];
        let mut reference = <HmacSha256 as Mac>::new_from_slice(&key).unwrap();
        reference.update(b"message");
        let expected: [u8; 32] = reference.finalize().into_bytes().into();
        assert_eq!(hmac_sha256(&key, b"message"), expected);
    }

    #[test]
    fn rfc_4231_test_case_2() {
        // Test case 2 uses a 4-byte key; ours are always 32 bytes, so pad it the way HMAC does.
        let mut key = [0u8; KEY_LEN];
        key[..4].copy_from_slice(b"Jefe");
        let mac = hmac_sha256(&key, b"what do ya want for nothing?");
        assert_eq!(hex::encode(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }
}
