//! Argon2id staff password hashing (PHC string), for the console's logins.
//! Each hash carries its own random salt and parameters, so old hashes verify after a change.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

use crate::{fatal, random};

/// 128-bit salt, the length recommended by the Argon2 RFC (9106).
const SALT_LEN: usize = 16;

/// Hashes `password` with a random salt and the default Argon2id parameters (m = 19 MiB, t = 2,
/// p = 1). CPU- and memory-heavy: call it off the async threads.
pub fn hash(password: &str) -> String {
    let salt_bytes: [u8; SALT_LEN] = random::array();
    let hashed = SaltString::encode_b64(&salt_bytes)
        .and_then(|salt| Argon2::default().hash_password(password.as_bytes(), &salt).map(|phc| phc.to_string()));
    match hashed {
        Ok(phc) => phc,
        // Salt length and parameters are fixed and valid; the only input-dependent refusal is a
        // password over 4 GiB, which no login form can carry.
        Err(error) => fatal::abort("Argon2id refused to hash a password", &error),
    }
}

/// True only if `phc` is a well-formed Argon2 PHC string and `password` matches it; a malformed
/// string is simply a failed login.
pub fn verify(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_true_for_the_right_password_false_otherwise() {
        let phc = hash("correct horse battery staple");
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery staple", &phc));
        assert!(!verify("correct horse battery stapler", &phc));
        assert!(!verify("", &phc));
    }

    #[test]
    fn same_password_gets_different_salts() {
        assert_ne!(hash("pw"), hash("pw"));
    }

    #[test]
    fn malformed_phc_is_false() {
        let good = hash("pw");
        let truncated = &good[..good.len() - 10];
        for phc in [
            "",
            "not a hash",
            "$argon2id$",
            "$argon2id$v=19$m=19456,t=2,p=1$",
            "$argon2id$v=19$m=0,t=0,p=0$c2FsdHNhbHQ$aGFzaA",
            "$bcrypt$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA",
            truncated,
        ] {
            assert!(!verify("pw", phc), "accepted {phc:?}");
        }
    }
}
