//! A person writing to the platform's Telegram bot, as Telegram delivers them: updates built
//! from the Bot API documentation's shapes (the fixtures of crates/telegram), posted to the
//! webhook with the bot's secret; what the bot sends arrives at a fake Bot API on 127.0.0.1.

use std::time::Duration;

use safepassage_server::channels::telegram::settings::TelegramBot;
use safepassage_telegram::fake::FakeBotApi;
use serde_json::{json, Value};
use zeroize::Zeroizing;

pub const TOKEN: &str = "7000000001:AAtest-token_for-the-fake-api";
pub const SECRET: &str = "webhook-secret_0123456789";
pub const BOT: &str = "main";

/// A bot whose API is the fake's, with limits loose enough for tests.
pub fn bot(fake: &FakeBotApi) -> TelegramBot {
    let mut bot = TelegramBot::new(BOT, Zeroizing::new(TOKEN.into()), Zeroizing::new(SECRET.into()));
    bot.api_base_url = fake.base_url();
    bot.overall_per_second = 1000;
    bot.per_chat_interval = Duration::from_millis(1);
    bot
}

/// A fixture of crates/telegram (written from the Bot API documentation).
pub fn fixture(name: &str) -> Value {
    let path = format!("{}/../telegram/tests/fixtures/updates/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub struct TelegramUser {
    pub webhook: String,
    pub id: i64,
    pub language: &'static str,
    next_update: i64,
    next_message: i64,
}

impl TelegramUser {
    pub fn new(base: &str, id: i64, language: &'static str) -> TelegramUser {
        TelegramUser {
            webhook: format!("{base}/channels/telegram/{BOT}"),
            id,
            language,
            next_update: 800_000_000 + id % 1000 * 1000,
            next_message: 10,
        }
    }

    /// A fixture made this person's: their user and chat ids, language, a fresh update id.
    pub fn update(&mut self, name: &str) -> Value {
        let mut update = fixture(name);
        self.next_update += 1;
        self.next_message += 1;
        update["update_id"] = json!(self.next_update);
        let body =
            ["message", "edited_message", "callback_query"].into_iter().find(|k| update.get(*k).is_some()).unwrap();
        let inner = &mut update[body];
        inner["from"]["id"] = json!(self.id);
        inner["from"]["language_code"] = json!(self.language);
        let message = if body == "callback_query" { &mut inner["message"] } else { inner };
        message["chat"]["id"] = json!(self.id);
        if body != "callback_query" {
            message["message_id"] = json!(self.next_message);
        }
        update
    }

    pub async fn post(&self, update: &Value) -> reqwest::StatusCode {
        self.post_with_secret(update, SECRET).await
    }

    pub async fn post_with_secret(&self, update: &Value, secret: &str) -> reqwest::StatusCode {
        reqwest::Client::new()
            .post(&self.webhook)
            .header("X-Telegram-Bot-Api-Secret-Token", secret)
            .json(update)
            .send()
            .await
            .unwrap()
            .status()
    }

    pub async fn start(&mut self) {
        let update = self.update("start");
        assert_eq!(self.post(&update).await, 200);
    }

    pub async fn says(&mut self, text: &str) {
        let mut update = self.update("text");
        update["message"]["text"] = json!(text);
        assert_eq!(self.post(&update).await, 200);
    }

    /// Presses the button with `text` under the bot's message `sent` (a sendMessage call's params).
    pub async fn presses(&mut self, sent: &Value, text: &str) {
        let keyboard = sent["reply_markup"]["inline_keyboard"].clone();
        let data = keyboard
            .as_array()
            .unwrap()
            .iter()
            .map(|row| &row[0])
            .find(|b| b["text"] == text)
            .unwrap_or_else(|| panic!("no button {text} in {keyboard}"))["callback_data"]
            .clone();
        let mut update = self.update("callback_query");
        let query = &mut update["callback_query"];
        query["id"] = json!(format!("cb-{}", self.next_update));
        query["data"] = data;
        query["message"]["text"] = sent["text"].clone();
        query["message"]["reply_markup"] = json!({ "inline_keyboard": keyboard });
        assert_eq!(self.post(&update).await, 200);
    }
}

/// The sendMessage calls to `chat`, in order, once at least `n` have arrived (or the wait ends).
pub async fn messages_to(fake: &FakeBotApi, chat: i64, n: usize) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let sent: Vec<Value> = fake
            .calls_of("sendMessage")
            .into_iter()
            .map(|c| c.params)
            .filter(|p| p["chat_id"].as_i64() == Some(chat) || p["chat_id"].as_str() == Some(&chat.to_string()))
            .collect();
        if sent.len() >= n || tokio::time::Instant::now() > deadline {
            return sent;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Whether the fake Bot API was asked to send `text` to `chat` within a few seconds.
pub async fn telegram_heard(fake: &FakeBotApi, chat: i64, text: &str) -> bool {
    for _ in 0..200 {
        if messages_to(fake, chat, 0).await.iter().any(|m| m["text"] == text) {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    false
}
