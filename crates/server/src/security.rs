//! Browser hardening for every response, as middleware rather than per handler: a strict CSP
//! (no inline script, nothing from elsewhere), no referrer, no framing, no sniffing, and no
//! caching of anything but the static assets.

use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The policy with the origin of `url` also allowed as a form target (the chat's quick exit
/// posts to the server, whose answer redirects there). None: `url` has no usable origin.
pub fn csp_with_form_target(url: &str) -> Option<HeaderValue> {
    let origin = reqwest::Url::parse(url).ok()?.origin();
    if !origin.is_tuple() {
        return None;
    }
    let policy = CONTENT_SECURITY_POLICY
        .replace("form-action 'self'", &format!("form-action 'self' {}", origin.ascii_serialization()));
    HeaderValue::from_str(&policy).ok()
}

/// `Strict-Transport-Security` for every answer when the platform is served over HTTPS
/// (`secure_cookies`): browsers then never try plain HTTP to this host again, so a network in
/// the middle cannot strip TLS and plant or read the chat cookie. A year, no subdomains (mirror
/// hosts differ), no preload (the operator decides that).
pub const HSTS: &str = "max-age=31536000";

pub async fn hsts(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response.headers_mut().insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    response
}

pub async fn headers(request: Request, next: Next) -> Response {
    let is_asset = request.uri().path().starts_with("/static/");
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    // A handler may have set a stricter or wider CSP of its own (`csp_with_form_target`).
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    }
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    h.insert("cross-origin-resource-policy", HeaderValue::from_static("same-origin"));
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    if !is_asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    }
    response
}
