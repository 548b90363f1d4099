//! Bounded readers for API input: a JSON body and a query string whose every rejection is a
//! JSON `ApiError` (axum's own extractors answer in plain text), and the rules for a message text.

use axum::body::Body;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Largest JSON body read: a 4,096-character text fits many times over even fully escaped.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Longest message, in characters (Unicode scalar values).
pub const MAX_TEXT_CHARS: usize = 4096;

/// A body over the limit is still read (and dropped) up to this size before the refusal, so the
/// client, still sending, gets the JSON answer instead of a reset connection.
const DRAIN_LIMIT: usize = 1024 * 1024;

/// A JSON request body, read whole up to [`BODY_LIMIT`] and then parsed.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, _state: &S) -> Result<Self, ApiError> {
        if !is_json(request.headers().get(header::CONTENT_TYPE)) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the body as Content-Type: application/json",
            ));
        }
        let declared = request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|n| n > DRAIN_LIMIT as u64) {
            return Err(too_large());
        }
        let bytes = read_limited(request.into_body()).await?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Reads at most [`BODY_LIMIT`] bytes, counting what arrives rather than trusting
/// `Content-Length` (a chunked body has none). The global `DefaultBodyLimit` only binds axum's
/// own extractors, whose refusal is plain text.
async fn read_limited(body: Body) -> Result<Vec<u8>, ApiError> {
    let mut stream = body.into_data_stream();
    let mut kept = Vec::new();
    let mut total = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|_| ApiError::bad_request("unreadable_body", "the request body could not be read"))?;
        total = total.saturating_add(chunk.len());
        if total <= BODY_LIMIT {
            kept.extend_from_slice(&chunk);
        } else if total > DRAIN_LIMIT {
            break;
        }
    }
    if total > BODY_LIMIT {
        return Err(too_large());
    }
    Ok(kept)
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!("the request body is larger than {} KiB", BODY_LIMIT / 1024),
    )
}

fn is_json(content_type: Option<&header::HeaderValue>) -> bool {
    let Some(value) = content_type.and_then(|v| v.to_str().ok()) else { return false };
    let essence = value.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case("application/json")
}

/// UTF-8 first, so that invalid bytes get their own clear answer rather than a parser position.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| ApiError::bad_request("invalid_utf8", format!("the body is not valid UTF-8 ({e})")))?;
    // Every body of the API is an object; serde would also take a struct from an array of its
    // fields in order (`["hello"]`), which the document does not allow.
    if text.trim_start().starts_with('[') {
        return Err(ApiError::bad_request("not_an_object", "the body must be a JSON object"));
    }
    serde_json::from_str(text).map_err(|e| {
        use serde_json::error::Category;
        match e.classify() {
            Category::Data if e.to_string().starts_with("unknown field") => {
                ApiError::bad_request("unknown_field", e.to_string())
            }
            Category::Data => ApiError::bad_request("invalid_field", e.to_string()),
            Category::Syntax | Category::Eof | Category::Io => {
                ApiError::bad_request("invalid_json", format!("the body is not valid JSON: {e}"))
            }
        }
    })
}

/// A query string, refused as JSON when it does not fit `T`.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(e) => Err(ApiError::bad_request("invalid_query", e.body_text())),
        }
    }
}

/// Why a message text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextProblem {
    Empty,
    TooLong,
}

impl TextProblem {
    pub fn api_error(self) -> ApiError {
        match self {
            TextProblem::Empty => ApiError::bad_request("empty_text", "the message text is empty"),
            TextProblem::TooLong => ApiError::bad_request(
                "text_too_long",
                format!("the message text is longer than {MAX_TEXT_CHARS} characters"),
            ),
        }
    }
}

/// A message as it will be stored: surrounding whitespace dropped (a textarea's trailing newline
/// is noise), at least one visible character, at most [`MAX_TEXT_CHARS`].
pub fn message_text(raw: &str) -> Result<&str, TextProblem> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(TextProblem::Empty);
    }
    // The byte length bounds the character count from above: most texts skip the count.
    if text.len() > MAX_TEXT_CHARS && text.chars().count() > MAX_TEXT_CHARS {
        return Err(TextProblem::TooLong);
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Body {
        #[allow(dead_code)]
        text: String,
    }

    #[test]
    fn each_kind_of_bad_json_has_its_code() {
        assert_eq!(parse_json::<Body>(b"{\"text\":").unwrap_err().code, "invalid_json");
        assert_eq!(parse_json::<Body>(b"{\"text\":\"a\",\"x\":1}").unwrap_err().code, "unknown_field");
        assert_eq!(parse_json::<Body>(b"{\"text\":5}").unwrap_err().code, "invalid_field");
        assert_eq!(parse_json::<Body>(b"{}").unwrap_err().code, "invalid_field");
        assert_eq!(parse_json::<Body>(b"{\"text\":\"\xff\"}").unwrap_err().code, "invalid_utf8");
        assert!(parse_json::<Body>(b"{\"text\":\"a\"}").is_ok());
        assert!(parse_json::<Body>(b" \n{\"text\":\"a\"}").is_ok());
    }

    #[test]
    fn a_body_that_is_not_an_object_is_refused_even_when_serde_would_take_it() {
        // serde builds a struct from an array of its fields: `["hello"]` would be a message.
        for body in [&b"[\"hello\"]"[..], b" \n[\"a\"]", b"[]"] {
            assert_eq!(
                parse_json::<Body>(body).unwrap_err().code,
                "not_an_object",
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        for body in [&b"\"a\""[..], b"5", b"null"] {
            assert_eq!(
                parse_json::<Body>(body).unwrap_err().code,
                "invalid_field",
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn texts_are_trimmed_and_bounded_in_characters() {
        assert_eq!(message_text("  hi\n"), Ok("hi"));
        assert_eq!(message_text(" \n\t "), Err(TextProblem::Empty));
        assert_eq!(message_text(&"я".repeat(MAX_TEXT_CHARS)).map(|t| t.chars().count()), Ok(MAX_TEXT_CHARS));
        assert_eq!(message_text(&"я".repeat(MAX_TEXT_CHARS + 1)), Err(TextProblem::TooLong));
    }

    #[test]
    fn only_json_content_types_are_read() {
        let v = |s: &'static str| header::HeaderValue::from_static(s);
        assert!(is_json(Some(&v("application/json"))));
        assert!(is_json(Some(&v("Application/JSON; charset=utf-8"))));
        assert!(!is_json(Some(&v("text/plain"))));
        assert!(!is_json(Some(&v("application/x-www-form-urlencoded"))));
        assert!(!is_json(None));
    }
}
