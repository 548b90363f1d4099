//! Who is writing: the conversation a chat token opens, taken from `Authorization: Bearer` (API
//! clients) or the chat cookie (the page and its script), and that cookie's exact shape.

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use safepassage_store::{ConversationView, StoreError};

use crate::error::ApiError;
use crate::AppState;

/// The only cookie the applicant's browser ever holds, over plain HTTP (an onion service, or a
/// local test).
pub const COOKIE: &str = "sp_chat";
/// The same over HTTPS (`secure_cookies`): the `__Host-` prefix makes the browser refuse it
/// unless it is `Secure`, `Path=/` and has no `Domain`, so neither a sibling subdomain nor a
/// plain-HTTP answer on the way can plant a conversation token of its choosing (session
/// fixation). Only this name is read then.
pub const SECURE_COOKIE: &str = "__Host-sp_chat";

/// The cookie's name under the server's setting.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SECURE_COOKIE
    } else {
        COOKIE
    }
}

/// Tokens are 43 characters of URL-safe base64; anything much longer is refused unhashed.
const MAX_TOKEN_LEN: usize = 128;

/// The token of a request, header first. A header that is not a bearer token counts as none.
fn token(headers: &HeaderMap, secure: bool) -> Option<String> {
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim().to_owned());
    let token = from_header
        .or_else(|| CookieJar::from_headers(headers).get(cookie_name(secure)).map(|c| c.value().to_owned()))?;
    let plausible = !token.is_empty()
        && token.len() <= MAX_TOKEN_LEN
        && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    plausible.then_some(token)
}

/// The conversation the request's token opens, when it names one. A token that opens nothing
/// is reported as `stale`, so a page can drop the cookie.
async fn lookup(state: &AppState, headers: &HeaderMap) -> Result<(Option<ConversationView>, bool), StoreError> {
    let secure = state.config.secure_cookies;
    match token(headers, secure) {
        Some(token) => {
            let found = state.conversation_for_token(&token).await?;
            let stale = found.is_none();
            Ok((found, stale))
        }
        None => Ok((None, CookieJar::from_headers(headers).get(cookie_name(secure)).is_some())),
    }
}

/// An API caller's conversation; `401` without a token that opens one.
pub struct ChatAuth(pub ConversationView);

impl<S: Send + Sync> FromRequestParts<S> for ChatAuth
where
    AppState: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let state = AppState::from_ref(state);
        match lookup(&state, &parts.headers).await? {
            (Some(conversation), _) => Ok(ChatAuth(conversation)),
            (None, _) => Err(ApiError::unauthorized()),
        }
    }
}

/// A page visitor's conversation, if they have one; `stale` when their cookie opens nothing
/// (the conversation was deleted, or the cookie is junk) and should be removed.
pub struct PageSession {
    pub conversation: Option<ConversationView>,
    pub stale: bool,
}

impl PageSession {
    pub async fn of(state: &AppState, headers: &HeaderMap) -> Result<PageSession, StoreError> {
        let (conversation, stale) = lookup(state, headers).await?;
        Ok(PageSession { conversation, stale })
    }
}

/// `Set-Cookie` for a new conversation: HttpOnly (no script reads it), SameSite=Strict (no other
/// site sends it), no expiry (it ends with the browser session; the server ends the token after
/// `chat_idle`), `Secure` and `__Host-` over TLS.
pub fn session_cookie(token: &str, secure: bool) -> Option<HeaderValue> {
    let cookie = Cookie::build((cookie_name(secure), token.to_owned()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .path("/")
        .secure(secure)
        .build();
    HeaderValue::from_str(&cookie.to_string()).ok()
}

/// `Set-Cookie` that removes the session cookie (stale, ended, or quick exit).
pub fn removal_cookie(secure: bool) -> HeaderValue {
    let name = cookie_name(secure);
    let mut value = format!("{name}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    if secure {
        value.push_str("; Secure");
    }
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("sp_chat=; Path=/; Max-Age=0"))
}

/// Form posts from another site are refused outright: the cookie is SameSite=Strict already,
/// and this also stops another site from planting a conversation in the visitor's browser.
pub fn is_cross_site(headers: &HeaderMap) -> bool {
    headers.get("sec-fetch-site").is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn the_bearer_header_wins_over_the_cookie() {
        let h = headers(&[("authorization", "Bearer abc-_1"), ("cookie", "sp_chat=zzz")]);
        assert_eq!(token(&h, false).as_deref(), Some("abc-_1"));
        assert_eq!(token(&headers(&[("cookie", "other=1; sp_chat=zzz")]), false).as_deref(), Some("zzz"));
    }

    #[test]
    fn implausible_tokens_are_none() {
        assert_eq!(token(&headers(&[("authorization", "Basic dXNlcjpwYXNz")]), false), None);
        assert_eq!(token(&headers(&[("authorization", "Bearer a b")]), false), None);
        assert_eq!(token(&headers(&[("authorization", "Bearer ")]), false), None);
        assert_eq!(token(&headers(&[("cookie", "sp_chat=%3Cscript%3E")]), false), None);
        assert_eq!(token(&HeaderMap::new(), false), None);
    }

    #[test]
    fn with_secure_cookies_only_the_host_prefixed_cookie_counts() {
        // A plain `sp_chat` could be planted by a sibling subdomain or a plain-HTTP answer.
        assert_eq!(token(&headers(&[("cookie", "sp_chat=planted")]), true), None);
        let h = headers(&[("cookie", "sp_chat=planted; __Host-sp_chat=mine")]);
        assert_eq!(token(&h, true).as_deref(), Some("mine"));
        let value = session_cookie("tok", true).unwrap();
        let value = value.to_str().unwrap();
        assert!(value.starts_with("__Host-sp_chat=tok"), "{value}");
        assert!(!value.to_ascii_lowercase().contains("domain="), "{value}");
        assert!(removal_cookie(true).to_str().unwrap().starts_with("__Host-sp_chat=;"));
    }

    #[test]
    fn the_cookie_has_every_flag() {
        let value = session_cookie("tok", true).unwrap();
        let value = value.to_str().unwrap();
        for flag in ["__Host-sp_chat=tok", "HttpOnly", "SameSite=Strict", "Path=/", "Secure"] {
            assert!(value.contains(flag), "{value} lacks {flag}");
        }
        assert!(!session_cookie("tok", false).unwrap().to_str().unwrap().contains("Secure"));
        assert!(removal_cookie(false).to_str().unwrap().contains("Max-Age=0"));
    }
}
