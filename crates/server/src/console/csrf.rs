//! Cross-site request forgery: every console form carries a token and every POST is checked
//! here, as middleware, before any handler runs. After login the token is HMAC-SHA256 keyed by
//! the session token; the login form uses a random nonce echoed from its own cookie.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Extension, Request};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{cookies, errors, flows, lang, session, ConsoleState};

/// The hidden form field every console form carries.
pub(crate) const FIELD: &str = "csrf";
/// The login form's nonce cookie: only the login path ever sees it.
pub(crate) const LOGIN_COOKIE: &str = "sp_login_csrf";
pub(crate) const LOGIN_PATH: &str = "/console/login";
/// Console forms are small; a reply is at most a few KiB.
const FORM_LIMIT: usize = 64 * 1024;
/// Domain separation: the session token keys nothing else with this label.
const PURPOSE: &[u8] = b"safepassage console csrf v1";

/// The token for forms of the session whose cookie holds `session_token`. Knowing it reveals
/// nothing about the token (HMAC is one-way), so it can sit in every page.
pub(crate) fn for_session(session_token: &str) -> String {
    // HMAC takes keys of any length; `new_from_slice` cannot fail for it. An empty token
    // would never verify (see `check`), so the fallback fails closed.
    match <Hmac<Sha256> as Mac>::new_from_slice(session_token.as_bytes()) {
        Ok(mut mac) => {
            mac.update(PURPOSE);
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

/// A fresh nonce for the login form and its cookie (32 random bytes, hex).
pub(crate) fn login_nonce() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).ok()?;
    Some(hex::encode(bytes))
}

/// Whether a cookie value can be a login nonce we issued (so junk is replaced, not echoed).
pub(crate) fn is_nonce(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Compares without an early exit, so the time taken says nothing about how much matched.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Middleware: a POST goes on only with the right token in its form body.
pub(crate) async fn check(Extension(console): Extension<Arc<ConsoleState>>, request: Request, next: Next) -> Response {
    if request.method() != Method::POST {
        return next.run(request).await;
    }
    let lang = lang::choose(request.headers(), request.uri());
    let refuse = || errors::csrf(&console.i18n, lang).into_response();
    if !same_site(request.headers()) {
        return refuse();
    }
    let expected = if request.uri().path() == LOGIN_PATH {
        cookies::get(request.headers(), LOGIN_COOKIE).filter(|v| is_nonce(v))
    } else {
        cookies::get(request.headers(), session::COOKIE).map(|token| for_session(&token))
    };
    // Without a session (or login nonce) nothing can match: refuse before reading the body.
    let Some(expected) = expected else { return refuse() };
    // The flow import's body is a large upload: its handler proves the session and the role
    // first and only then reads the body and checks the token (`flows::import`), so nobody
    // without a live administrator session gets a megabyte read and parsed.
    if request.uri().path() == flows::IMPORT_PATH {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, FORM_LIMIT).await else {
        return errors::bad_request(&console.i18n, lang).into_response();
    };
    match form_value(&bytes, FIELD) {
        Some(given) if token_matches(&expected, given.as_bytes()) => {
            next.run(Request::from_parts(parts, Body::from(bytes))).await
        }
        _ => refuse(),
    }
}

/// Whether a form's token is the one expected (never an empty one).
pub(crate) fn token_matches(expected: &str, given: &[u8]) -> bool {
    !expected.is_empty() && ct_eq(expected.as_bytes(), given)
}

/// Browsers say where a request comes from; a cross-site POST is refused even before the token
/// is looked at. Requests without these headers (older browsers, tools) rely on the token.
fn same_site(headers: &HeaderMap) -> bool {
    if headers.get("sec-fetch-site").is_some_and(|v| v.as_bytes() == b"cross-site") {
        return false;
    }
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (origin, host) {
        (Some("null") | None, _) | (_, None) => true,
        (Some(origin), Some(host)) => origin.split_once("://").is_some_and(|(_, authority)| authority == host),
    }
}

/// The raw value of one field of an `application/x-www-form-urlencoded` body. Our tokens are
/// hex, which browsers send as is, so no decoding is needed to compare them.
/// The first value of a field in a URL-encoded form body, decoded.
fn form_value(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(body).find(|(key, _)| key == name).map(|(_, value)| value.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_tokens_differ_per_session_and_are_stable() {
        let a = for_session("token-a");
        assert_eq!(a, for_session("token-a"));
        assert_ne!(a, for_session("token-b"));
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn form_values_are_found_exactly() {
        assert_eq!(form_value(b"text=hi&csrf=abc", "csrf").as_deref(), Some("abc"));
        assert_eq!(form_value(b"xcsrf=abc&csrf=", "csrf").as_deref(), Some(""));
        assert_eq!(form_value(b"text=csrf", "csrf"), None);
        assert_eq!(form_value(b"text=%D0%B0&csrf=a%2Bb", "csrf").as_deref(), Some("a+b"));
    }

    #[test]
    fn cross_site_requests_are_refused() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "console.example".parse().unwrap());
        assert!(same_site(&h));
        h.insert(header::ORIGIN, "https://console.example".parse().unwrap());
        assert!(same_site(&h));
        h.insert(header::ORIGIN, "https://evil.example".parse().unwrap());
        assert!(!same_site(&h));
        h.remove(header::ORIGIN);
        h.insert("sec-fetch-site", "cross-site".parse().unwrap());
        assert!(!same_site(&h));
    }

    #[test]
    fn equality_is_exact() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }
}
