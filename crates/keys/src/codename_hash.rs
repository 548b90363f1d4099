//! Codename hashing: slow enough that a stolen database cannot be brute-forced through the small
//! space of numeric codenames, yet deterministic so a codename is still found by equality.

use std::fmt;

use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use crate::{fatal, mac, DataKey, KEY_LEN};

/// Domain label of the salt derivation, distinct from every other HMAC under the same key.
const SALT_LABEL: &[u8] = b"safepassage/codename-salt";
const SALT_LEN: usize = 16;
const OUTPUT_LEN: usize = 32;

// `Params::new` is a `const fn`, so these are checked by the compiler: an invalid constant
// fails the build and can never reach the runtime `panic` the lint guards against.
#[allow(clippy::panic)]
const PRODUCTION: Params = match Params::new(19 * 1024, 2, 1, Some(OUTPUT_LEN)) {
    Ok(params) => params,
    Err(_) => panic!("invalid production Argon2 parameters"),
};
#[allow(clippy::panic)]
const FAST: Params = match Params::new(64, 1, 1, Some(OUTPUT_LEN)) {
    Ok(params) => params,
    Err(_) => panic!("invalid test Argon2 parameters"),
};

/// Deliberately slow keyed hash of a codename that still allows lookup by equality:
/// Argon2id with the secret = a system data key's bytes, a fixed salt derived from that secret
/// (HMAC(secret, "safepassage/codename-salt")[..16]), output 32 bytes.
///
/// The salt is fixed rather than random because lookup needs the same input to give the same
/// hash; the secret (not in the database) is what keeps precomputed tables useless.
pub struct CodenameHasher {
    secret: Zeroizing<[u8; KEY_LEN]>,
    salt: [u8; SALT_LEN],
    params: Params,
}

impl CodenameHasher {
    /// Production parameters: m = 19 MiB, t = 2, p = 1 (OWASP minimum for Argon2id).
    pub fn new(secret: &DataKey) -> CodenameHasher {
        CodenameHasher::with_params(secret, PRODUCTION)
    }

    /// Cheap parameters (m = 64 KiB, t = 1) for tests and demo benchmarks; same output shape.
    /// The hashes differ from those of [`CodenameHasher::new`], so never mix the two on one
    /// database.
    pub fn new_fast_for_tests(secret: &DataKey) -> CodenameHasher {
        CodenameHasher::with_params(secret, FAST)
    }

    /// The Argon2id hash of `codename_digits`. CPU- and memory-heavy with the production
    /// parameters: call it off the async threads.
    pub fn hash(&self, codename_digits: &str) -> [u8; OUTPUT_LEN] {
        let mut out = [0u8; OUTPUT_LEN];
        let hashed =
            Argon2::new_with_secret(self.secret.as_slice(), Algorithm::Argon2id, Version::V0x13, self.params.clone())
                .and_then(|argon2| argon2.hash_password_into(codename_digits.as_bytes(), &self.salt, &mut out));
        // Secret, salt, output length and parameters are fixed and valid; the only input-dependent
        // refusal is a codename over 4 GiB, which no request body can carry.
        if let Err(error) = hashed {
            fatal::abort("Argon2id refused to hash a codename", &error);
        }
        out
    }

    fn with_params(secret: &DataKey, params: Params) -> CodenameHasher {
        let secret = Zeroizing::new(*secret.bytes());
        let mut salt = [0u8; SALT_LEN];
        salt.copy_from_slice(&mac::hmac_sha256(&secret, SALT_LABEL)[..SALT_LEN]);
        CodenameHasher { secret, salt, params }
    }
}

impl fmt::Debug for CodenameHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodenameHasher")
            .field("m_cost_kib", &self.params.m_cost())
            .field("t_cost", &self.params.t_cost())
            .field("p_cost", &self.params.p_cost())
            .field("secret", &format_args!("***"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_for_the_same_secret() {
        let secret = DataKey::from_bytes([4; 32]);
        let a = CodenameHasher::new_fast_for_tests(&secret);
        let b = CodenameHasher::new_fast_for_tests(&secret.clone());
        assert_eq!(a.hash("482913"), a.hash("482913"));
        assert_eq!(a.hash("482913"), b.hash("482913"));
        assert_ne!(a.hash("482913"), a.hash("482914"));
    }

    #[test]
    fn different_for_a_different_secret() {
        let a = CodenameHasher::new_fast_for_tests(&DataKey::from_bytes([4; 32]));
        let b = CodenameHasher::new_fast_for_tests(&DataKey::from_bytes([5; 32]));
        assert_ne!(a.hash("482913"), b.hash("482913"));
    }

    #[test]
    fn salt_is_derived_from_the_secret() {
        let secret = DataKey::from_bytes([4; 32]);
        let hasher = CodenameHasher::new_fast_for_tests(&secret);
        assert_eq!(hasher.salt[..], secret.mac(SALT_LABEL)[..16]);
    }

    #[test]
    fn production_parameters() {
        let secret = DataKey::from_bytes([4; 32]);
        let hasher = CodenameHasher::new(&secret);
        assert_eq!((hasher.params.m_cost(), hasher.params.t_cost(), hasher.params.p_cost()), (19 * 1024, 2, 1));
        let hash = hasher.hash("482913");
        assert_eq!(hash, hasher.hash("482913"));
        assert_ne!(hash, CodenameHasher::new_fast_for_tests(&secret).hash("482913"));
    }

    #[test]
    fn debug_hides_the_secret() {
        let shown = format!("{:?}", CodenameHasher::new_fast_for_tests(&DataKey::from_bytes([4; 32])));
        assert!(shown.contains("***"));
        assert!(!shown.contains("4, 4"));
    }
}
