//! The webhook's secret token: Telegram sends it back in `X-Telegram-Bot-Api-Secret-Token`
//! on every webhook request, which is how a request is known to come from Telegram (the body
//! is not signed). See <https://core.telegram.org/bots/api#setwebhook>.

use subtle::ConstantTimeEq;

/// The name of the header that carries the secret token.
pub const SECRET_TOKEN_HEADER: &str = "X-Telegram-Bot-Api-Secret-Token";

/// Telegram's bound on the secret token's length.
pub const MAX_SECRET_TOKEN_LEN: usize = 256;

/// Whether the header carries the expected secret, compared in constant time so that the
/// time taken does not tell a forger how many leading characters were right (only whether
/// the length was, which tells nothing of a random secret). A missing header or an empty
/// expected secret never matches.
pub fn secret_token_matches(expected: &str, header: Option<&[u8]>) -> bool {
    match header {
        Some(given) if !expected.is_empty() => expected.as_bytes().ct_eq(given).into(),
        _ => false,
    }
}

/// Telegram's rule for a secret token: 1–256 characters of `A-Z`, `a-z`, `0-9`, `_`, `-`.
/// `setWebhook` refuses any other.
pub fn is_valid_secret_token(token: &str) -> bool {
    (1..=MAX_SECRET_TOKEN_LEN).contains(&token.len())
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// A valid secret token made from random bytes supplied by the caller (this crate has no
/// random source of its own). 32 bytes give 43 characters and 256 bits of secret. The
/// alphabet (base64url without padding) is exactly the one Telegram allows.
pub fn secret_token_from_random_bytes(random: &[u8; 32]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut token = String::with_capacity(43);
    for chunk in random.chunks(3) {
        let bytes = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let bits = u32::from(bytes[0]) << 16 | u32::from(bytes[1]) << 8 | u32::from(bytes[2]);
        let symbols = chunk.len() + 1;
        for index in 0..symbols {
            let sextet = (bits >> (18 - 6 * index)) & 0x3f;
            token.push(char::from(ALPHABET[sextet as usize]));
        }
    }
    token
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_and_not() {
        assert!(secret_token_matches("abc-DEF_1", Some(b"abc-DEF_1")));
        assert!(!secret_token_matches("abc-DEF_1", Some(b"abc-DEF_2")));
        assert!(!secret_token_matches("abc-DEF_1", Some(b"abc-DEF_")));
        assert!(!secret_token_matches("abc-DEF_1", Some(b"abc-DEF_11")));
        assert!(!secret_token_matches("abc-DEF_1", Some(b"")));
        assert!(!secret_token_matches("abc-DEF_1", None));
        assert!(!secret_token_matches("", Some(b"")));
        assert!(!secret_token_matches("", None));
    }

    #[test]
    fn validity() {
        assert!(is_valid_secret_token("a"));
        assert!(is_valid_secret_token("Az09_-"));
        assert!(is_valid_secret_token(&"x".repeat(256)));
        assert!(!is_valid_secret_token(""));
        assert!(!is_valid_secret_token(&"x".repeat(257)));
        assert!(!is_valid_secret_token("has space"));
        assert!(!is_valid_secret_token("a=b"));
        assert!(!is_valid_secret_token("ключ"));
    }

    #[test]
    fn generated_tokens_are_valid_and_differ() {
        let zeros = secret_token_from_random_bytes(&[0; 32]);
        assert_eq!(zeros, "A".repeat(43));
        let ones = secret_token_from_random_bytes(&[0xff; 32]);
        assert_eq!(ones.len(), 43);
        assert!(is_valid_secret_token(&ones));
        let mut counting = [0u8; 32];
        for (i, b) in counting.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(37);
        }
        let token = secret_token_from_random_bytes(&counting);
        assert!(is_valid_secret_token(&token));
        assert_ne!(token, zeros);
        // Base64url of the first three bytes 0x00 0x25 0x4a is "ACVK".
        assert!(token.starts_with("ACVK"), "{token}");
    }
}
