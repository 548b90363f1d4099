//! Telegram's answer envelope, `{"ok":true,"result":…}` or
//! `{"ok":false,"error_code":…,"description":…,"parameters":{"retry_after":…}}`, sorted into
//! a result or an [`ApiError`] (<https://core.telegram.org/bots/api#making-requests>).

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Deserialize;

use super::error::ApiError;

/// The longest `description` kept from an error answer, so a misbehaving server cannot fill
/// logs through us.
const MAX_DESCRIPTION_CHARS: usize = 200;

#[derive(Deserialize)]
struct Answer<T> {
    ok: bool,
    result: Option<T>,
    error_code: Option<u16>,
    description: Option<String>,
    parameters: Option<ResponseParameters>,
}

#[derive(Deserialize)]
struct ResponseParameters {
    retry_after: Option<u64>,
}

/// Sorts an answer: by its `error_code` when it has one, else by the HTTP status (a proxy's
/// HTML error page has no JSON). `token` is redacted from anything kept.
pub(super) fn classify<T: DeserializeOwned>(
    method: &str,
    status: u16,
    body: &[u8],
    token: &str,
) -> Result<T, ApiError> {
    let (code, description, retry_after) = match serde_json::from_slice::<Answer<T>>(body).ok() {
        Some(Answer { ok: true, result: Some(result), .. }) if (200..300).contains(&status) => return Ok(result),
        Some(answer) => (
            answer.error_code.unwrap_or(status),
            answer.description.unwrap_or_default(),
            answer.parameters.and_then(|p| p.retry_after),
        ),
        None => (status, String::new(), None),
    };
    let description = redact(&description, token);
    tracing::debug!(method, code, "Telegram API call failed");
    match code {
        // Telegram always sends retry_after with a 429; one second if it ever does not.
        429 => Err(ApiError::RetryAfter(Duration::from_secs(retry_after.unwrap_or(1)))),
        200..=299 => Err(ApiError::Transient(format!("{method}: unreadable answer"))),
        400..=499 => Err(ApiError::Refused { code, description }),
        _ => Err(ApiError::Transient(format!("{method}: HTTP {code} {description}").trim_end().to_owned())),
    }
}

/// The text with the token (should it ever appear) replaced, then bounded.
pub(super) fn redact(text: &str, token: &str) -> String {
    let redacted = if token.is_empty() { text.to_owned() } else { text.replace(token, "<token>") };
    redacted.chars().take(MAX_DESCRIPTION_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "123:secret-part";

    fn sort(status: u16, body: &str) -> Result<bool, ApiError> {
        classify::<bool>("setWebhook", status, body.as_bytes(), TOKEN)
    }

    #[test]
    fn success() {
        assert_eq!(sort(200, r#"{"ok":true,"result":true}"#), Ok(true));
    }

    #[test]
    fn flood_control() {
        let body = r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 35","parameters":{"retry_after":35}}"#;
        assert_eq!(sort(429, body), Err(ApiError::RetryAfter(Duration::from_secs(35))));
        assert_eq!(sort(429, "<html>slow down</html>"), Err(ApiError::RetryAfter(Duration::from_secs(1))));
    }

    #[test]
    fn refusals_keep_code_and_description() {
        let body = r#"{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}"#;
        assert_eq!(
            sort(403, body),
            Err(ApiError::Refused { code: 403, description: "Forbidden: bot was blocked by the user".into() })
        );
    }

    #[test]
    fn proxy_pages_and_garbage_are_transient() {
        assert!(
            matches!(sort(502, "<html>Bad Gateway</html>"), Err(ApiError::Transient(m)) if m == "setWebhook: HTTP 502")
        );
        assert!(matches!(sort(200, "not json"), Err(ApiError::Transient(_))));
        // ok:true but a result of the wrong type.
        assert!(matches!(sort(200, r#"{"ok":true,"result":{"x":1}}"#), Err(ApiError::Transient(_))));
        assert!(matches!(sort(200, r#"{"ok":true}"#), Err(ApiError::Transient(_))));
    }

    #[test]
    fn token_and_length_are_redacted() {
        let long = "x".repeat(1000);
        let body = format!(r#"{{"ok":false,"error_code":400,"description":"bad {TOKEN} {long}"}}"#);
        let Err(ApiError::Refused { description, .. }) = sort(400, &body) else {
            panic!("not refused");
        };
        assert!(!description.contains("secret-part"), "{description}");
        assert!(description.starts_with("bad <token> x"));
        assert_eq!(description.chars().count(), MAX_DESCRIPTION_CHARS);
    }
}
