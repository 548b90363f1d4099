//! Delivers the outbox's rows for Telegram through the Bot API, within its limits. A row's
//! address is `BOT:CHAT` (the bot's name and the chat id), sealed on its conversation.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use safepassage_conversation::channel::outbound::Outbound;
use safepassage_conversation::channel::outbox::{Courier, Delivered, Undelivered};
use safepassage_telegram::{ApiError, BotApi, SendLimits};

use super::settings::TelegramBot;

/// How long one Bot API request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The Bot API of every configured bot, each with its own limits.
pub struct TelegramCourier {
    bots: HashMap<String, Bot>,
}

struct Bot {
    api: BotApi,
    limits: SendLimits,
    disappear_after: Option<Duration>,
}

impl TelegramCourier {
    /// The courier for `bots`; a bot whose settings do not make a client is left out (and said so).
    pub fn new(bots: &[TelegramBot]) -> Option<Arc<TelegramCourier>> {
        let mut out = HashMap::new();
        for bot in bots {
            match BotApi::new(&bot.api_base_url, &bot.token, REQUEST_TIMEOUT) {
                Ok(api) => {
                    let per_second = NonZeroU32::new(bot.overall_per_second).unwrap_or(NonZeroU32::MIN);
                    let limits = SendLimits::new(per_second, bot.per_chat_interval);
                    out.insert(bot.name.clone(), Bot { api, limits, disappear_after: bot.disappear_after });
                }
                Err(e) => {
                    tracing::error!(bot = %bot.name, error = %e, "a Telegram bot's settings do not make a client")
                }
            }
        }
        (!out.is_empty()).then(|| Arc::new(TelegramCourier { bots: out }))
    }
}

/// The address a conversation's replies go to.
pub fn address(bot: &str, chat: i64) -> String {
    format!("{bot}:{chat}")
}

fn parse_address(address: &str) -> Option<(&str, i64)> {
    let (bot, chat) = address.rsplit_once(':')?;
    Some((bot, chat.parse().ok()?))
}

#[async_trait::async_trait]
impl Courier for TelegramCourier {
    async fn deliver(&self, address: &str, what: &Outbound) -> Result<Delivered, Undelivered> {
        let Some((name, chat)) = parse_address(address) else { return Err(Undelivered::Refused) };
        // A bot no longer configured cannot be answered as.
        let Some(bot) = self.bots.get(name) else { return Err(Undelivered::Refused) };
        let sent = match what {
            Outbound::Message { text, quick_replies } => {
                bot.limits.until_ready(chat).await;
                bot.api.send_message(chat, text, quick_replies).await.map(|m| Some(m.message_id))
            }
            Outbound::AnswerPress { callback } => bot.api.answer_callback_query(callback).await.map(|()| None),
            Outbound::Delete { provider_message } => {
                bot.limits.until_ready(chat).await;
                bot.api.delete_message(chat, *provider_message).await.map(|()| None)
            }
            // Not Telegram's: a call is connected by the voice courier.
            Outbound::ConnectCall { .. } => return Err(Undelivered::Refused),
        };
        match sent {
            Ok(provider_message) => Ok(Delivered { provider_message }),
            Err(ApiError::RetryAfter(wait)) => Err(Undelivered::RetryAfter(wait)),
            Err(ApiError::Transient(_)) => Err(Undelivered::Transient),
            Err(ApiError::Refused { code, .. }) => {
                tracing::info!(code, "Telegram refused a delivery");
                Err(Undelivered::Refused)
            }
        }
    }

    fn disappear_after(&self, address: &str) -> Option<Duration> {
        let (name, _) = parse_address(address)?;
        self.bots.get(name)?.disappear_after
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_read_back() {
        assert_eq!(parse_address(&address("main", -100123)), Some(("main", -100123)));
        assert_eq!(parse_address("main:x"), None);
        assert_eq!(parse_address("nocolon"), None);
    }
}
