//! The demo's channels: a Telegram bot and a phone line whose providers are fakes in this
//! process on 127.0.0.1 (the fake Bot API receives what the bot sends; the fake call API takes
//! call updates), so the webhooks can be tried with curl or the test phone, and nothing leaves
//! the machine. The secrets are fixed and printed: demo data only.

use safepassage_server::channels::telegram::settings::TelegramBot;
use zeroize::Zeroizing;

use crate::settings::Settings;

/// The demo bot's token (the fake Bot API checks it) and webhook secret.
const TELEGRAM_TOKEN: &str = "7000000001:AAdemo-bot-token";
pub const TELEGRAM_SECRET: &str = "demo-telegram-secret";

/// The fakes, kept alive as long as the demo runs.
pub struct DemoProviders {
    _telegram: safepassage_telegram::fake::FakeBotApi,
}

/// Adds the demo's channels to `settings`, unless the settings name their own.
pub async fn add(settings: &mut Settings) -> anyhow::Result<Option<DemoProviders>> {
    if !settings.server.telegram.is_empty() {
        return Ok(None);
    }
    let telegram = safepassage_telegram::fake::FakeBotApi::start(TELEGRAM_TOKEN).await?;
    let mut bot =
        TelegramBot::new("demo", Zeroizing::new(TELEGRAM_TOKEN.into()), Zeroizing::new(TELEGRAM_SECRET.into()));
    bot.api_base_url = telegram.base_url();
    settings.server.telegram.push(bot);
    Ok(Some(DemoProviders { _telegram: telegram }))
}

/// What the demo prints about its channels.
pub fn describe(public: std::net::SocketAddr) -> Vec<String> {
    vec![format!(
        "Telegram webhook: POST http://{public}/channels/telegram/demo with header \
         X-Telegram-Bot-Api-Secret-Token: {TELEGRAM_SECRET} (replies go to a fake Bot API in this process)"
    )]
}
