//! The Telegram Bot API as Safe Passage speaks it.
//!
//! This crate knows nothing of the rest of the platform: it parses one webhook body into an
//! [`Update`], checks the webhook's secret header, talks to the Bot API through [`BotApi`]
//! within Telegram's sending limits ([`SendLimits`]), and (feature `fake-api`) runs a fake
//! Bot API on 127.0.0.1 for tests and the bench.
//!
//! The person writing to the bot may be in mortal danger if identified, so nothing here logs
//! or puts into an error a bot token, a chat id, a user id, a phone number or a message text,
//! and the `Debug` output of every type hides them.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod client;
#[cfg(feature = "fake-api")]
pub mod fake;
pub mod limits;
pub mod secret;
pub mod update;

pub use client::{ApiError, BotApi, BotIdentity, SentMessage, SetupError, DEFAULT_BASE_URL};
pub use limits::SendLimits;
pub use secret::{is_valid_secret_token, secret_token_from_random_bytes, secret_token_matches, SECRET_TOKEN_HEADER};
pub use update::{
    parse_update, Chat, Sender, Unsupported, Update, UpdateError, UpdateEvent, MAX_TEXT_CHARS, MAX_UPDATE_BYTES,
};
