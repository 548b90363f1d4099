//! A stand-in for the provider's REST API, for tests: an axum server on `127.0.0.1:0` that
//! answers the call-update request
//! (`POST /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json`) as the provider does:
//! HTTP basic auth with the account id and auth token, else 401; the form recorded; a JSON
//! call resource answered. Tests of [`crate::CallControl`] and of the server's "operator takes
//! the call" read back what was asked with [`FakeCallApi::updates`].

use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::Engine as _;

use crate::form::parse_form;

/// One recorded call update: the call id and the form parameters, in the order sent.
pub type CallUpdate = (String, Vec<(String, String)>);

#[derive(Default)]
struct Recorded {
    updates: Vec<CallUpdate>,
    /// Calls the fake answers 404 for, as the provider does for an unknown or ended call.
    gone: Vec<String>,
}

#[derive(Clone)]
struct FakeState {
    account_sid: String,
    auth_token: String,
    recorded: Arc<Mutex<Recorded>>,
}

/// The fake provider API; the server stops when this is dropped.
pub struct FakeCallApi {
    base_url: String,
    recorded: Arc<Mutex<Recorded>>,
    server: tokio::task::JoinHandle<()>,
}

impl FakeCallApi {
    /// Starts the fake for one account.
    pub async fn start(account_sid: &str, auth_token: &str) -> std::io::Result<FakeCallApi> {
        let recorded = Arc::new(Mutex::new(Recorded::default()));
        let state = FakeState {
            account_sid: account_sid.to_owned(),
            auth_token: auth_token.to_owned(),
            recorded: Arc::clone(&recorded),
        };
        let app = Router::new()
            .route("/2010-04-01/Accounts/{account_sid}/Calls/{call_file}", post(update_call))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let server = tokio::spawn(async move {
            if axum::serve(listener, app).await.is_err() {
                tracing::warn!("fake call API stopped");
            }
        });
        Ok(FakeCallApi { base_url, recorded, server })
    }

    /// `http://127.0.0.1:port`, to give [`crate::CallControl::new`].
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Every accepted update so far, in order.
    pub fn updates(&self) -> Vec<CallUpdate> {
        self.recorded.lock().map(|r| r.updates.clone()).unwrap_or_default()
    }

    /// From now on, updates of `call_sid` are answered 404 (the call is over).
    pub fn end_call(&self, call_sid: &str) {
        if let Ok(mut recorded) = self.recorded.lock() {
            recorded.gone.push(call_sid.to_owned());
        }
    }
}

impl Drop for FakeCallApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn update_call(
    State(state): State<FakeState>,
    Path((account_sid, call_file)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !authorized(&headers, &state.account_sid, &state.auth_token) {
        return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Basic realm=\"Twilio API\"")]).into_response();
    }
    if account_sid != state.account_sid {
        return StatusCode::FORBIDDEN.into_response();
    }
    let Some(call_sid) = call_file.strip_suffix(".json").filter(|sid| crate::webhook::is_plain_id(sid)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let Ok(params) = parse_form(&body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let known = params.iter().any(|(name, _)| matches!(name.as_str(), "Twiml" | "Url" | "Status"));
    if !known {
        return StatusCode::BAD_REQUEST.into_response();
    }
    let Ok(mut recorded) = state.recorded.lock() else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    if recorded.gone.iter().any(|gone| gone == call_sid) {
        return StatusCode::NOT_FOUND.into_response();
    }
    recorded.updates.push((call_sid.to_owned(), params));
    let status =
        if recorded.updates.last().is_some_and(|(_, p)| p.iter().any(|(n, v)| n == "Status" && v == "completed")) {
            "completed"
        } else {
            "in-progress"
        };
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        format!(r#"{{"sid":"{call_sid}","account_sid":"{account_sid}","status":"{status}"}}"#),
    )
        .into_response()
}

fn authorized(headers: &HeaderMap, account_sid: &str, auth_token: &str) -> bool {
    let expected = base64::engine::general_purpose::STANDARD.encode(format!("{account_sid}:{auth_token}"));
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .is_some_and(|given| given == expected)
}
