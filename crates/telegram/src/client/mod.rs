//! The Bot API client: the few methods the hotline uses, and errors that say what to do next.
//!
//! Every method is a POST of a JSON body to `<base>/bot<TOKEN>/<method>`, and every answer is
//! `{"ok":true,"result":…}` or `{"ok":false,"error_code":…,"description":…,"parameters":…}`
//! (<https://core.telegram.org/bots/api#making-requests>).
//!
//! The token is in the URL, so no URL is ever printed: reqwest's errors are stripped of it
//! (`without_url`), any text that still holds the token is redacted, and `Debug` hides it.
//! Chat ids and texts are never put into errors or logs.

use std::fmt;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};

mod answer;
mod error;

pub use error::{ApiError, SetupError};

/// Telegram's public Bot API server.
pub const DEFAULT_BASE_URL: &str = "https://api.telegram.org";

/// The largest answer read from the API; the methods used here answer a few KiB at most.
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// A message the bot sent: its id is what `delete_message` needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SentMessage {
    pub message_id: i64,
}

/// The bot as `getMe` describes it; a cheap check that the token is right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BotIdentity {
    pub id: i64,
    pub username: Option<String>,
}

/// A Bot API client for one bot.
#[derive(Clone)]
pub struct BotApi {
    http: reqwest::Client,
    base_url: String,
    token: String,
}

impl fmt::Debug for BotApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BotApi").field("base_url", &self.base_url).field("token", &"<hidden>").finish()
    }
}

impl BotApi {
    /// A client for the bot with this token at `base_url` (normally [`DEFAULT_BASE_URL`];
    /// a fake's URL in tests). `timeout` bounds every call, connection included, so a hung
    /// server becomes [`ApiError::Transient`] rather than a stuck sender.
    pub fn new(base_url: &str, token: &str, timeout: Duration) -> Result<Self, SetupError> {
        let parsed = reqwest::Url::parse(base_url).map_err(|_| SetupError::InvalidBaseUrl)?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.cannot_be_a_base() {
            return Err(SetupError::InvalidBaseUrl);
        }
        if !error::is_plausible_token(token) {
            return Err(SetupError::InvalidToken);
        }
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()
            .map_err(|_| SetupError::HttpClient)?;
        Ok(Self { http, base_url: base_url.trim_end_matches('/').to_owned(), token: token.to_owned() })
    }

    /// Sends a text. Each quick reply becomes one inline button on its own row, with the
    /// button's index ("0", "1", …) as `callback_data`: short, within Telegram's 64-byte
    /// bound whatever the reply's text, and mapped back through the keyboard on a press.
    pub async fn send_message(
        &self,
        chat_id: i64,
        text: &str,
        quick_replies: &[String],
    ) -> Result<SentMessage, ApiError> {
        let mut params = json!({ "chat_id": chat_id, "text": text });
        if !quick_replies.is_empty() {
            let rows: Vec<Value> = quick_replies
                .iter()
                .enumerate()
                .map(|(index, reply)| json!([{ "text": reply, "callback_data": index.to_string() }]))
                .collect();
            params["reply_markup"] = json!({ "inline_keyboard": rows });
        }
        #[derive(Deserialize)]
        struct Message {
            message_id: i64,
        }
        let message: Message = self.call("sendMessage", &params).await?;
        Ok(SentMessage { message_id: message.message_id })
    }

    /// Stops the spinner on a pressed button; Telegram wants this within seconds of a press.
    pub async fn answer_callback_query(&self, callback_query_id: &str) -> Result<(), ApiError> {
        let params = json!({ "callback_query_id": callback_query_id });
        self.call::<bool>("answerCallbackQuery", &params).await?;
        Ok(())
    }

    /// Deletes a message in a chat (the applicant's quick exit wipes the conversation).
    /// A message already gone is [`ApiError::Refused`] with code 400.
    pub async fn delete_message(&self, chat_id: i64, message_id: i64) -> Result<(), ApiError> {
        let params = json!({ "chat_id": chat_id, "message_id": message_id });
        self.call::<bool>("deleteMessage", &params).await?;
        Ok(())
    }

    /// Points Telegram's webhook at `url`, with the secret Telegram will send back in
    /// `X-Telegram-Bot-Api-Secret-Token` and the update kinds wanted.
    pub async fn set_webhook(
        &self,
        url: &str,
        secret_token: &str,
        allowed_updates: &[&str],
        drop_pending_updates: bool,
    ) -> Result<(), ApiError> {
        let params = json!({
            "url": url,
            "secret_token": secret_token,
            "allowed_updates": allowed_updates,
            "drop_pending_updates": drop_pending_updates,
        });
        self.call::<bool>("setWebhook", &params).await?;
        Ok(())
    }

    /// Removes the webhook (pending updates are kept).
    pub async fn delete_webhook(&self) -> Result<(), ApiError> {
        self.call::<bool>("deleteWebhook", &json!({})).await?;
        Ok(())
    }

    /// Who the token belongs to: a check at start-up that the token works.
    pub async fn get_me(&self) -> Result<BotIdentity, ApiError> {
        #[derive(Deserialize)]
        struct User {
            id: i64,
            username: Option<String>,
        }
        let user: User = self.call("getMe", &json!({})).await?;
        Ok(BotIdentity { id: user.id, username: user.username })
    }

    async fn call<T: DeserializeOwned>(&self, method: &str, params: &Value) -> Result<T, ApiError> {
        let url = format!("{}/bot{}/{}", self.base_url, self.token, method);
        let mut response =
            self.http.post(url).json(params).send().await.map_err(|error| self.transport_error(method, error))?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|error| self.transport_error(method, error))? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(ApiError::Transient(format!("{method}: answer larger than {MAX_RESPONSE_BYTES} bytes")));
            }
            body.extend_from_slice(&chunk);
        }
        answer::classify(method, status, &body, &self.token)
    }

    fn transport_error(&self, method: &str, error: reqwest::Error) -> ApiError {
        let kind = if error.is_timeout() {
            "timed out"
        } else if error.is_connect() {
            "could not connect"
        } else {
            "request failed"
        };
        let error = error.without_url();
        let mut detail = error.to_string();
        let mut source = std::error::Error::source(&error);
        while let Some(cause) = source {
            detail.push_str(": ");
            detail.push_str(&cause.to_string());
            source = cause.source();
        }
        tracing::debug!(method, kind, "Telegram API unreachable");
        ApiError::Transient(answer::redact(&format!("{method}: {kind} ({detail})"), &self.token))
    }
}
