//! The flows crate's integration tests, one binary (each module was a test file of its own).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
mod definitions;
mod engine;
mod engine_actions;
mod engine_parity;
mod expressions;
mod legacy;
mod location_wait;
mod shipped_flows;
