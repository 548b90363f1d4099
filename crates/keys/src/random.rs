//! The crate's single source of randomness: the operating system's CSPRNG.
//! Keys, nonces and salts all come from here.

use crate::fatal;

/// Fills `buf` from the OS; aborts if the OS cannot provide randomness, because every caller
/// (keys, nonces, salts) would be unsafe with predictable bytes and none could recover.
pub(crate) fn fill(buf: &mut [u8]) {
    if let Err(error) = getrandom::getrandom(buf) {
        fatal::abort("the operating system's random number generator failed", &error);
    }
}

/// A fresh random array; for public values such as nonces and salts (secrets should be filled in
/// place inside their `Zeroizing` buffer with [`fill`] so no copy is left behind).
pub(crate) fn array<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    fill(&mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_draws_differ() {
        assert_ne!(array::<32>(), array::<32>());
    }
}
