//! One story suite for the store contract, run against both backends: SQLite in a temporary
//! file and the PostgreSQL server of the machine (a fresh schema per test).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod suite;
