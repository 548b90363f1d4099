//! The Telegram channel: its webhook (`webhook.rs`), the courier that delivers the outbox
//! through the Bot API (`courier.rs`), and a bot's settings (`settings.rs`).

pub mod courier;
pub mod settings;
pub(crate) mod webhook;
