//! The one place where errors become HTTP responses: JSON for the API, an HTML page for the
//! console and the chat pages. Internal causes go to the log with the request id, never to the
//! client.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use safepassage_store::StoreError;
use serde::Serialize;

/// An API error: a status, a stable machine code and a human message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable code, e.g. `invalid_json`, `text_too_long`, `unauthorized`.
    pub error: &'static str,
    /// What was wrong, in English.
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError { status, code, message: message.into() }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "a valid conversation token is required")
    }

    pub fn too_many(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(ErrorBody { error: self.code, message: self.message })).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound(what) => {
                ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("{what} not found"))
            }
            StoreError::Conflict(why) => ApiError::new(StatusCode::CONFLICT, "conflict", why),
            StoreError::Case(e) => ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "not_allowed", e.to_string()),
            other => {
                tracing::error!(error = %other, "store failure");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "unavailable", "temporarily unavailable, try again")
            }
        }
    }
}

/// An error shown as a page: the status, a short text in the reader's language (given by the
/// handler) and the request id to quote to an administrator.
#[derive(Debug, Clone)]
pub struct PageError {
    pub status: StatusCode,
    pub title: String,
    pub detail: String,
    pub request_id: Option<String>,
}

impl PageError {
    pub fn new(status: StatusCode, title: impl Into<String>, detail: impl Into<String>) -> PageError {
        PageError { status, title: title.into(), detail: detail.into(), request_id: None }
    }

    pub fn with_request_id(mut self, id: impl std::fmt::Display) -> PageError {
        self.request_id = Some(id.to_string());
        self
    }
}

impl From<StoreError> for PageError {
    fn from(e: StoreError) -> PageError {
        match e {
            StoreError::NotFound(what) => {
                PageError::new(StatusCode::NOT_FOUND, "Not found", format!("{what} not found"))
            }
            StoreError::Conflict(why) => PageError::new(StatusCode::CONFLICT, "Conflict", why),
            StoreError::Case(e) => PageError::new(StatusCode::FORBIDDEN, "Not allowed", e.to_string()),
            other => {
                tracing::error!(error = %other, "store failure");
                PageError::new(StatusCode::SERVICE_UNAVAILABLE, "Unavailable", "Temporarily unavailable, try again.")
            }
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let request = self
            .request_id
            .map(|id| format!("<p class=\"request-id\">Request id: <code>{}</code></p>", escape(&id)))
            .unwrap_or_default();
        let body = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
             content=\"width=device-width, initial-scale=1\"><title>{title}</title>\
             <link rel=\"stylesheet\" href=\"/static/console.css\"></head><body><main><h1>{title}</h1>\
             <p>{detail}</p>{request}</main></body></html>",
            title = escape(&self.title),
            detail = escape(&self.detail),
        );
        (self.status, Html(body)).into_response()
    }
}

/// HTML-escapes text for the error page.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
