//! The voice crate's integration tests, one binary (each file under `tests/` links apart).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[cfg(feature = "test-phone")]
mod call_control_fake;
mod signature_fixtures;
#[cfg(feature = "test-phone")]
mod test_phone_call;
mod webhook_inputs;
