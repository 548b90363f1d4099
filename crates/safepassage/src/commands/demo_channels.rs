//! The demo's channels: a Telegram bot and a phone line whose providers are fakes in this
//! process on 127.0.0.1 (the fake Bot API receives what the bot sends; the fake call API takes
//! call updates), so the webhooks can be tried with curl or the test phone, and nothing leaves
//! the machine. The secrets are fixed and printed: demo data only.

use safepassage_server::channels::telegram::settings::TelegramBot;
use safepassage_server::channels::voice::settings::VoiceLine;
use zeroize::Zeroizing;

use crate::settings::Settings;

/// The demo bot's token (the fake Bot API checks it) and webhook secret.
const TELEGRAM_TOKEN: &str = "7000000001:AAdemo-bot-token";
pub const TELEGRAM_SECRET: &str = "demo-telegram-secret";
/// The demo line's provider account and auth token (the test phone signs with it).
pub const VOICE_ACCOUNT: &str = "AC00000000000000000000000000000demo";
pub const VOICE_TOKEN: &str = "demo-voice-auth-token";

/// The fakes, kept alive as long as the demo runs.
pub struct DemoProviders {
    _telegram: Option<safepassage_telegram::fake::FakeBotApi>,
    _calls: Option<safepassage_voice::fake_call_api::FakeCallApi>,
}

/// Adds the demo's channels to `settings` (each unless the settings name their own); `public`
/// is the demo's own address, which the demo line's provider "calls".
pub async fn add(settings: &mut Settings, public: std::net::SocketAddr) -> anyhow::Result<DemoProviders> {
    let mut providers = DemoProviders { _telegram: None, _calls: None };
    if settings.server.telegram.is_empty() {
        let telegram = safepassage_telegram::fake::FakeBotApi::start(TELEGRAM_TOKEN).await?;
        let (token, secret) = (Zeroizing::new(TELEGRAM_TOKEN.into()), Zeroizing::new(TELEGRAM_SECRET.into()));
        let mut bot = TelegramBot::new("demo", token, secret);
        bot.api_base_url = telegram.base_url();
        settings.server.telegram.push(bot);
        providers._telegram = Some(telegram);
    }
    if settings.server.voice.is_empty() {
        let calls = safepassage_voice::fake_call_api::FakeCallApi::start(VOICE_ACCOUNT, VOICE_TOKEN).await?;
        let token = Zeroizing::new(VOICE_TOKEN.into());
        let mut line = VoiceLine::new("demo", VOICE_ACCOUNT, token, &format!("http://{public}"));
        line.api_base_url = calls.base_url().to_owned();
        settings.server.voice.push(line);
        providers._calls = Some(calls);
    }
    Ok(providers)
}

/// What the demo prints about its channels.
pub fn describe(public: std::net::SocketAddr) -> Vec<String> {
    vec![
        format!(
            "Telegram webhook: POST http://{public}/channels/telegram/demo with header \
             X-Telegram-Bot-Api-Secret-Token: {TELEGRAM_SECRET} (replies go to a fake Bot API in this process)"
        ),
        format!(
            "Phone line: calls at http://{public}/channels/voice/demo/call, signed (X-Twilio-Signature) with \
             auth token {VOICE_TOKEN}, account {VOICE_ACCOUNT} (the test phone can call it)"
        ),
    ]
}
