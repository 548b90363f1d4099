//! What can go wrong talking to the Bot API, sorted by what the caller should do next.
//! No variant carries a token, a chat id or a message text.

use std::time::Duration;

use thiserror::Error;

/// What went wrong with a call, sorted by what the caller should do.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ApiError {
    /// Flood control (429): try again after this long, not sooner.
    #[error("Telegram asks to retry after {0:?}")]
    RetryAfter(Duration),
    /// The server failed (5xx), could not be reached, did not answer in time, or answered
    /// something unreadable: try again later. The message holds no URL and no token.
    #[error("Telegram unreachable or failing: {0}")]
    Transient(String),
    /// Telegram refused the call (other 4xx): the bot was blocked, the chat is not found,
    /// the message to delete is gone, the token is wrong (401). Retrying will not help.
    #[error("Telegram refused the call ({code}): {description}")]
    Refused { code: u16, description: String },
}

impl ApiError {
    /// Whether the same call may succeed later.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::RetryAfter(_) | Self::Transient(_))
    }
}

/// Why a [`super::BotApi`] could not be made: a setting is wrong. Nothing of the token is
/// repeated.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SetupError {
    #[error("the Bot API base URL is not an http(s) URL")]
    InvalidBaseUrl,
    /// A Bot API token is `<bot id>:<secret>` of letters, digits, `_` and `-`; anything else
    /// would also change the meaning of the URL it is put into.
    #[error("the bot token is not of the form <digits>:<letters, digits, _ or ->")]
    InvalidToken,
    #[error("the HTTP client could not be built")]
    HttpClient,
}

/// Whether the token has the shape of a Bot API token.
pub(super) fn is_plausible_token(token: &str) -> bool {
    let Some((bot_id, secret)) = token.split_once(':') else {
        return false;
    };
    !bot_id.is_empty()
        && bot_id.bytes().all(|b| b.is_ascii_digit())
        && !secret.is_empty()
        && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}
