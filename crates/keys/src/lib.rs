//! Key material for Safe Passage: the master keys kept outside the database, the data keys they
//! wrap, authenticated encryption bound to a row, and the keyed hashes that replace identifiers.
//!
//! Everything secret lives in `Zeroizing` buffers and prints as `***`. Functions whose failure
//! cannot happen with the inputs this crate gives them abort the process instead of returning a
//! `Result` nobody could act on (see `fatal`). Argon2 is CPU-heavy: async callers should run
//! [`CodenameHasher::hash`] and [`password`] off the async threads (`spawn_blocking`).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod aead;
mod codename_hash;
mod data_key;
mod error;
mod fatal;
pub mod key_file;
mod keyring;
mod mac;
mod master_key;
pub mod password;
pub mod password_policy;
mod random;

pub use codename_hash::CodenameHasher;
pub use data_key::DataKey;
pub use error::KeyError;
pub use keyring::Keyring;
pub use master_key::MasterKey;

/// Length in bytes of every symmetric key in this crate (256 bits).
pub const KEY_LEN: usize = 32;
