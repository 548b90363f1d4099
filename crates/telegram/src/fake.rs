//! A fake Telegram Bot API on 127.0.0.1, for tests and the bench (feature `fake-api`).
//!
//! It serves `/bot<TOKEN>/<method>` as the real one does (JSON or form bodies, method names
//! in any case, 401 for a wrong token, the same answer envelope and error texts), records
//! every call, and can be told to fail the next call of a method: flood control with
//! `retry_after`, a server error, a hang, or a refusal such as a blocked bot.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::{FromRequest, Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::{Form, Json, Router};
use serde_json::{json, Value};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::secret::is_valid_secret_token;
use crate::update::MAX_TEXT_CHARS;

/// The methods served, in their documented spelling (matched in any case).
const METHODS: [&str; 6] =
    ["sendMessage", "answerCallbackQuery", "deleteMessage", "setWebhook", "deleteWebhook", "getMe"];

/// The largest request body read.
const MAX_REQUEST_BYTES: usize = 1024 * 1024;

/// The fake bot's own user id, answered by `getMe` and as the sender of its messages.
pub const FAKE_BOT_ID: i64 = 7_000_000_001;

/// One call the fake received (after the token was checked).
#[derive(Debug, Clone)]
pub struct Call {
    /// The method in its documented spelling, e.g. `sendMessage`.
    pub method: String,
    /// The parameters as a JSON object; form values are strings, except `reply_markup` and
    /// `allowed_updates`, which are JSON-serialized in forms and decoded here.
    pub params: Value,
    pub at: Instant,
}

/// How the next call of a method fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// 429 with `parameters.retry_after`, as Telegram's flood control.
    TooManyRequests { retry_after_s: u64 },
    /// 500 Internal Server Error.
    ServerError,
    /// Answers normally, but only after this long (a slow or hung server).
    Hang(Duration),
    /// Any other error answer, e.g. 403 "Forbidden: bot was blocked by the user".
    Error { code: u16, description: String },
}

#[derive(Default)]
struct Recorded {
    calls: Vec<Call>,
    failures: HashMap<String, VecDeque<Failure>>,
    last_message_id: i64,
    deleted: HashSet<(i64, i64)>,
    webhook_url: Option<String>,
}

struct Shared {
    token: String,
    recorded: Mutex<Recorded>,
    new_call: Notify,
}

impl Shared {
    fn recorded(&self) -> MutexGuard<'_, Recorded> {
        // A test that panicked while holding the lock leaves plain data behind: still usable.
        self.recorded.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// The running fake; the server stops when this is dropped.
pub struct FakeBotApi {
    shared: Arc<Shared>,
    address: SocketAddr,
    server: JoinHandle<()>,
}

impl std::fmt::Debug for FakeBotApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeBotApi").field("address", &self.address).finish()
    }
}

impl Drop for FakeBotApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeBotApi {
    /// Starts a fake for the bot with this token on 127.0.0.1 and a free port.
    pub async fn start(token: &str) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            token: token.to_owned(),
            recorded: Mutex::new(Recorded::default()),
            new_call: Notify::new(),
        });
        let router = Router::new().route("/{bot}/{method}", any(handle)).with_state(Arc::clone(&shared));
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let address = listener.local_addr()?;
        let server = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, router).await {
                tracing::warn!(%error, "fake Bot API stopped");
            }
        });
        Ok(Self { shared, address, server })
    }

    /// The base URL to give to [`crate::BotApi::new`].
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.recorded().calls.clone()
    }

    /// The calls of one method so far, in order.
    pub fn calls_of(&self, method: &str) -> Vec<Call> {
        let recorded = self.shared.recorded();
        recorded.calls.iter().filter(|call| call.method.eq_ignore_ascii_case(method)).cloned().collect()
    }

    /// The texts of every `sendMessage` to this chat, failed attempts included.
    pub fn sent_to(&self, chat_id: i64) -> Vec<String> {
        self.calls_of("sendMessage")
            .iter()
            .filter(|call| param_i64(&call.params, "chat_id") == Some(chat_id))
            .filter_map(|call| call.params.get("text").and_then(Value::as_str))
            .map(str::to_owned)
            .collect()
    }

    /// The webhook URL last set (`None` after `deleteWebhook`).
    pub fn webhook_url(&self) -> Option<String> {
        self.shared.recorded().webhook_url.clone()
    }

    /// Waits until at least `n` calls of `method` arrived or `timeout` passed, and returns
    /// the calls of that method (fewer than `n` if the time ran out).
    pub async fn wait_for_calls(&self, method: &str, n: usize, timeout: Duration) -> Vec<Call> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.shared.new_call.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            let calls = self.calls_of(method);
            if calls.len() >= n {
                return calls;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.calls_of(method);
            }
        }
    }

    /// Makes the next call of `method` fail this way (failures queue up in order).
    pub fn fail_next(&self, method: &str, failure: Failure) {
        self.shared.recorded().failures.entry(method.to_ascii_lowercase()).or_default().push_back(failure);
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    Path((bot, method)): Path<(String, String)>,
    request: Request,
) -> Response {
    if bot.strip_prefix("bot") != Some(shared.token.as_str()) {
        return error(401, "Unauthorized");
    }
    let Some(method) = METHODS.into_iter().find(|known| known.eq_ignore_ascii_case(&method)) else {
        return error(404, "Not Found");
    };
    let Some(params) = read_params(request).await else {
        return error(400, "Bad Request: can't parse request body");
    };
    let failure = {
        let mut recorded = shared.recorded();
        recorded.calls.push(Call { method: method.to_owned(), params: params.clone(), at: Instant::now() });
        recorded.failures.get_mut(&method.to_ascii_lowercase()).and_then(VecDeque::pop_front)
    };
    shared.new_call.notify_waiters();
    match failure {
        Some(Failure::TooManyRequests { retry_after_s }) => return too_many_requests(retry_after_s),
        Some(Failure::ServerError) => return error(500, "Internal Server Error"),
        Some(Failure::Error { code, description }) => return error(code, &description),
        Some(Failure::Hang(duration)) => tokio::time::sleep(duration).await,
        None => {}
    }
    match method {
        "sendMessage" => send_message(&shared, &params),
        "answerCallbackQuery" => match params.get("callback_query_id") {
            Some(_) => ok(json!(true)),
            None => error(400, "Bad Request: parameter \"callback_query_id\" is required"),
        },
        "deleteMessage" => delete_message(&shared, &params),
        "setWebhook" => set_webhook(&shared, &params),
        "deleteWebhook" => {
            shared.recorded().webhook_url = None;
            ok(json!(true))
        }
        _ => ok(json!({
            "id": FAKE_BOT_ID,
            "is_bot": true,
            "first_name": "Fake Safe Passage",
            "username": "fake_safe_passage_bot",
            "can_join_groups": false,
            "can_read_all_group_messages": false,
            "supports_inline_queries": false
        })),
    }
}

fn send_message(shared: &Shared, params: &Value) -> Response {
    let Some(chat_id) = param_i64(params, "chat_id") else {
        return error(400, "Bad Request: chat not found");
    };
    let text = params.get("text").and_then(Value::as_str).unwrap_or("");
    if text.trim().is_empty() {
        return error(400, "Bad Request: message text is empty");
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return error(400, "Bad Request: message is too long");
    }
    let message_id = {
        let mut recorded = shared.recorded();
        recorded.last_message_id += 1;
        recorded.last_message_id
    };
    let mut message = json!({
        "message_id": message_id,
        "from": {"id": FAKE_BOT_ID, "is_bot": true, "first_name": "Fake Safe Passage",
                 "username": "fake_safe_passage_bot"},
        "chat": {"id": chat_id, "type": if chat_id > 0 { "private" } else { "supergroup" }},
        "date": unix_now(),
        "text": text,
    });
    if let Some(markup) = params.get("reply_markup") {
        message["reply_markup"] = markup.clone();
    }
    ok(message)
}

/// A message deleted twice is "not found", as on Telegram; any other id is accepted, since
/// the bot may delete the person's messages too, which the fake never saw.
fn delete_message(shared: &Shared, params: &Value) -> Response {
    let (Some(chat_id), Some(message_id)) = (param_i64(params, "chat_id"), param_i64(params, "message_id")) else {
        return error(400, "Bad Request: message to delete not found");
    };
    if shared.recorded().deleted.insert((chat_id, message_id)) {
        ok(json!(true))
    } else {
        error(400, "Bad Request: message to delete not found")
    }
}

fn set_webhook(shared: &Shared, params: &Value) -> Response {
    let url = params.get("url").and_then(Value::as_str).unwrap_or("");
    if let Some(secret) = params.get("secret_token").and_then(Value::as_str) {
        if !is_valid_secret_token(secret) {
            return error(400, "Bad Request: secret token contains unallowed characters");
        }
    }
    shared.recorded().webhook_url = (!url.is_empty()).then(|| url.to_owned());
    ok(json!(true))
}

/// The parameters of a call: a JSON body, a form body, or the query string (all three are
/// accepted by the real API).
async fn read_params(request: Request) -> Option<Value> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let query = request.uri().query().map(str::to_owned);
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_REQUEST_BYTES).await.ok()?;
    if content_type.starts_with("application/json") {
        let Json(value) = Json::<Value>::from_bytes(&bytes).ok()?;
        return value.is_object().then_some(value);
    }
    let form = if content_type.starts_with("application/x-www-form-urlencoded") {
        bytes
    } else {
        query.unwrap_or_default().into_bytes().into()
    };
    let request = Request::from_parts(parts, Body::from(form));
    let mut request = request;
    request
        .headers_mut()
        .insert(header::CONTENT_TYPE, header::HeaderValue::from_static("application/x-www-form-urlencoded"));
    *request.method_mut() = axum::http::Method::POST;
    let Form(pairs) = Form::<HashMap<String, String>>::from_request(request, &()).await.ok()?;
    let params = pairs
        .into_iter()
        .map(|(key, value)| {
            let decoded = match key.as_str() {
                "reply_markup" | "allowed_updates" => serde_json::from_str(&value).unwrap_or(Value::String(value)),
                _ => Value::String(value),
            };
            (key, decoded)
        })
        .collect();
    Some(Value::Object(params))
}

/// An integer parameter, sent as a JSON number or (in forms) as a string.
fn param_i64(params: &Value, name: &str) -> Option<i64> {
    match params.get(name)? {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.parse().ok(),
        _ => None,
    }
}

fn ok(result: Value) -> Response {
    Json(json!({"ok": true, "result": result})).into_response()
}

fn error(code: u16, description: &str) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    let body = json!({"ok": false, "error_code": code, "description": description});
    (status, Json(body)).into_response()
}

fn too_many_requests(retry_after_s: u64) -> Response {
    let body = json!({
        "ok": false,
        "error_code": 429,
        "description": format!("Too Many Requests: retry after {retry_after_s}"),
        "parameters": {"retry_after": retry_after_s},
    });
    (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response()
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|elapsed| elapsed.as_secs()).unwrap_or(0)
}
