//! A Telegram bot's settings. The token and the webhook's secret come from files or the
//! environment (crates/safepassage/src/settings.rs), never from the database.

use std::time::Duration;

use zeroize::Zeroizing;

/// One bot the platform answers as.
#[derive(Clone)]
pub struct TelegramBot {
    /// The name in its webhook's path (`/channels/telegram/{name}`) and in its updates'
    /// receipts: letters, digits, `-` and `_`.
    pub name: String,
    pub token: Zeroizing<String>,
    /// What Telegram sends in `X-Telegram-Bot-Api-Secret-Token` (set with `set-webhook`).
    pub secret_token: Zeroizing<String>,
    /// The Bot API's address (`https://api.telegram.org`; a fake one in tests and the bench).
    pub api_base_url: String,
    /// After this long the bot deletes its messages and, in private chats, the person's.
    pub disappear_after: Option<Duration>,
    /// Messages a second across every chat (Telegram: about 30).
    pub overall_per_second: u32,
    /// Time between two messages to one chat (Telegram: about a second).
    pub per_chat_interval: Duration,
}

impl TelegramBot {
    /// A bot with Telegram's own address and limits.
    pub fn new(name: &str, token: Zeroizing<String>, secret_token: Zeroizing<String>) -> TelegramBot {
        TelegramBot {
            name: name.to_owned(),
            token,
            secret_token,
            api_base_url: safepassage_telegram::DEFAULT_BASE_URL.to_owned(),
            disappear_after: None,
            overall_per_second: 30,
            per_chat_interval: Duration::from_secs(1),
        }
    }

    /// Whether `name` can stand in a path and a receipt's source.
    pub fn is_valid_name(name: &str) -> bool {
        (1..=32).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }

    /// The source of this bot's update receipts.
    pub fn source(&self) -> String {
        format!("telegram:{}", self.name)
    }
}

impl std::fmt::Debug for TelegramBot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TelegramBot")
            .field("name", &self.name)
            .field("token", &"<hidden>")
            .field("secret_token", &"<hidden>")
            .field("api_base_url", &self.api_base_url)
            .field("disappear_after", &self.disappear_after)
            .finish()
    }
}
