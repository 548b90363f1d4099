//! `Set-Cookie` values for the console's three cookies (session, login form nonce, language):
//! always HttpOnly and SameSite=Strict, Secure when the deployment says so, scoped to a path.

use axum::http::HeaderMap;
use axum_extra::extract::cookie::CookieJar;

/// A cookie to set. `max_age` None makes it a browser-session cookie.
pub(crate) fn set(name: &str, value: &str, path: &str, secure: bool, max_age_secs: Option<u64>) -> String {
    let mut out = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age_secs {
        out.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        out.push_str("; Secure");
    }
    out
}

/// Tells the browser to forget a cookie.
pub(crate) fn clear(name: &str, path: &str, secure: bool) -> String {
    set(name, "", path, secure, Some(0))
}

/// The value of a request cookie.
pub(crate) fn get(headers: &HeaderMap, name: &str) -> Option<String> {
    CookieJar::from_headers(headers).get(name).map(|c| c.value().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_always_there() {
        assert_eq!(set("a", "b", "/console", false, None), "a=b; Path=/console; HttpOnly; SameSite=Strict");
        assert_eq!(
            set("a", "b", "/console", true, Some(60)),
            "a=b; Path=/console; HttpOnly; SameSite=Strict; Max-Age=60; Secure"
        );
        assert!(clear("a", "/x", false).contains("Max-Age=0"));
    }
}
