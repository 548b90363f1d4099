//! HTTP integration tests: the real stack on 127.0.0.1 over a real socket, SQLite in a
//! temporary file. One test binary, one module per area.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod http_suite;
