//! The one place where errors become HTTP responses: JSON for the API, an HTML page for the
//! console and the chat pages. Internal causes go to the log with the request id, never to the
//! client.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use safepassage_store::StoreError;
use serde::Serialize;

use crate::request_id::RequestId;

/// An API error: a status, a stable machine code and a human message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Seconds to wait, sent as `Retry-After` (rate limits only).
    pub retry_after: Option<u64>,
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
        ApiError { status, code, message: message.into(), retry_after: None }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "a valid conversation token is required")
    }

    /// `429 rate_limited`, to try again after `retry_after` (rounded up to whole seconds).
    pub fn too_many(message: impl Into<String>, retry_after: std::time::Duration) -> ApiError {
        let retry_after = Some(retry_after_seconds(retry_after));
        ApiError { retry_after, ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message) }
    }
}

/// A wait as `Retry-After` gives it: whole seconds, rounded up, at least one.
pub fn retry_after_seconds(wait: std::time::Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(ErrorBody { error: self.code, message: self.message })).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
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
    /// The page's own words (language, labels, a way back), in the reader's language. Boxed:
    /// errors travel in `Result`s and should stay small.
    pub labels: Box<PageLabels>,
}

/// What an error page says around the error itself.
#[derive(Debug, Clone)]
pub struct PageLabels {
    /// BCP 47 tag for `<html lang>`.
    pub lang: &'static str,
    pub request_id: String,
    /// A link back, e.g. to the console's start page: (href, text).
    pub back: Option<(String, String)>,
}

impl Default for PageLabels {
    fn default() -> PageLabels {
        PageLabels { lang: "en", request_id: "Request id".into(), back: None }
    }
}

impl PageError {
    pub fn new(status: StatusCode, title: impl Into<String>, detail: impl Into<String>) -> PageError {
        PageError { status, title: title.into(), detail: detail.into(), request_id: None, labels: Box::default() }
    }

    pub fn with_request_id(mut self, id: impl std::fmt::Display) -> PageError {
        self.request_id = Some(id.to_string());
        self
    }

    pub fn with_labels(mut self, labels: PageLabels) -> PageError {
        self.labels = Box::new(labels);
        self
    }

    fn page(&self) -> String {
        let request = self
            .request_id
            .as_ref()
            .map(|id| {
                format!(
                    "<p class=\"request-id\">{label}: <code id=\"request-id\">{id}</code></p>",
                    label = escape(&self.labels.request_id),
                    id = escape(id)
                )
            })
            .unwrap_or_default();
        let back = self
            .labels
            .back
            .as_ref()
            .map(|(href, text)| format!("<p><a href=\"{}\">{}</a></p>", escape(href), escape(text)))
            .unwrap_or_default();
        format!(
            "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" \
             content=\"width=device-width, initial-scale=1\"><title>{title}</title>\
             <link rel=\"stylesheet\" href=\"/static/console.css\"></head><body><main class=\"error-page\">\
             <h1>{title}</h1><p id=\"error-detail\">{detail}</p>{request}{back}</main></body></html>",
            lang = escape(self.labels.lang),
            title = escape(&self.title),
            detail = escape(&self.detail),
        )
    }
}

/// Middleware: an error page made without its request id (in an extractor, deep in a handler)
/// gets it here, from the request, so every page an operator may report carries it; and what
/// is logged while the request runs carries it too, so the report leads to the cause.
pub async fn page_request_ids(request: Request, next: Next) -> Response {
    use tracing::Instrument;
    let id = request.extensions().get::<RequestId>().copied();
    let span = match id {
        Some(id) => tracing::info_span!("request", request_id = %id),
        None => tracing::Span::none(),
    };
    let mut response = next.run(request).instrument(span).await;
    match (id, response.extensions_mut().remove::<PageError>()) {
        (Some(id), Some(error)) if error.request_id.is_none() => {
            let mut page = error.with_request_id(id).into_response();
            page.extensions_mut().remove::<PageError>();
            // Headers set by the handler (a cleared cookie, say) stay on the re-rendered page.
            for (name, value) in response.headers() {
                if name != axum::http::header::CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
                    page.headers_mut().append(name.clone(), value.clone());
                }
            }
            page
        }
        _ => response,
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
        let mut response = (self.status, Html(self.page())).into_response();
        // Kept for `page_request_ids`, which adds the request id when it was not known here.
        response.extensions_mut().insert(self);
        response
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
