//! The authenticated encryption format shared by data keys and key wrapping:
//! XChaCha20-Poly1305, random 24-byte nonce, output `nonce || ciphertext || tag`.

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use chacha20poly1305::{Key, Tag, XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use crate::{fatal, random, KeyError, KEY_LEN};

/// XChaCha's 192-bit nonce is large enough to pick at random for every message without a
/// realistic chance of reuse, so no nonce counter has to be stored or coordinated.
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// Encrypts `plaintext` under `key`, authenticating `ad` alongside it.
pub(crate) fn seal(key: &[u8; KEY_LEN], ad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let cipher = XChaCha20Poly1305::new(Key::from_slice(key));
    let nonce: [u8; NONCE_LEN] = random::array();
    // Encrypting in place in the output buffer leaves no stray plaintext copy behind.
    let mut out = Vec::with_capacity(NONCE_LEN + plaintext.len() + TAG_LEN);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(plaintext);
    let (_, body) = out.split_at_mut(NONCE_LEN);
    let tag = match cipher.encrypt_in_place_detached(XNonce::from_slice(&nonce), ad, body) {
        Ok(tag) => tag,
        // The only refusal is a plaintext beyond XChaCha20's 256 GiB limit, which nothing in
        // this application can hold in memory.
        Err(error) => fatal::abort("XChaCha20-Poly1305 refused to encrypt", &error),
    };
    out.extend_from_slice(&tag);
    out
}

/// Decrypts the output of [`seal`]; fails the same way for a wrong key, a wrong `ad`, a
/// truncated input or any flipped bit, so callers cannot learn which it was.
pub(crate) fn open(key: &[u8; KEY_LEN], ad: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    if sealed.len() < NONCE_LEN + TAG_LEN {
        return Err(KeyError::Decrypt);
    }
    let (nonce, rest) = sealed.split_at(NONCE_LEN);
    let (ciphertext, tag) = rest.split_at(rest.len() - TAG_LEN);
    let cipher = XChaCha20Poly1305::new(Key::from_slice(key));
    let mut plaintext = Zeroizing::new(ciphertext.to_vec());
    cipher
        .decrypt_in_place_detached(XNonce::from_slice(nonce), ad, plaintext.as_mut_slice(), Tag::from_slice(tag))
        .map_err(|_| KeyError::Decrypt)?;
    Ok(plaintext)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; KEY_LEN] = [1; KEY_LEN];

    #[test]
    fn output_is_nonce_ciphertext_tag() {
        let sealed = seal(&KEY, b"ad", b"hello");
        assert_eq!(sealed.len(), NONCE_LEN + 5 + TAG_LEN);
        assert_eq!(open(&KEY, b"ad", &sealed).unwrap().as_slice(), b"hello");
    }

    #[test]
    fn same_plaintext_gives_different_ciphertexts() {
        assert_ne!(seal(&KEY, b"", b"x"), seal(&KEY, b"", b"x"));
    }

    #[test]
    fn short_input_is_a_decrypt_error() {
        for len in 0..NONCE_LEN + TAG_LEN {
            assert!(matches!(open(&KEY, b"", &vec![0; len]), Err(KeyError::Decrypt)));
        }
    }

    #[test]
    fn wrong_key_fails() {
        let sealed = seal(&KEY, b"", b"x");
        assert!(matches!(open(&[2; KEY_LEN], b"", &sealed), Err(KeyError::Decrypt)));
    }
}
