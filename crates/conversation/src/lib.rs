//! The conversation core, without HTTP: what every channel (the web chat today; Telegram and
//! voice to come) shares on the path channel → conversation → bot → queue → case. So far the
//! live hub (`hub`) and the per-node caches of chat tokens (`token_cache`) and waiting flow
//! sessions (`flow_cache`); the conversation service and the bot follow (issue 10).

#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod flow_cache;
pub mod hub;
pub mod token_cache;
