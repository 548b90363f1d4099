//! What every response carries: security headers, no caching of pages, a request id; health.

use super::{client, TestServer};

#[tokio::test]
async fn healthz_and_security_headers() {
    let server = TestServer::start().await;
    let response = client().get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let h = response.headers();
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("default-src 'none'") && csp.contains("script-src 'self'"), "{csp}");
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(h["referrer-policy"], "no-referrer");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(h["x-request-id"].to_str().unwrap().len(), 32);
}

#[tokio::test]
async fn static_assets_are_ours_and_cacheable() {
    let server = TestServer::start().await;
    let response = client().get(server.url("/static/chat.css")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    assert!(response.headers()["cache-control"].to_str().unwrap().contains("max-age"));
    assert_eq!(client().get(server.url("/static/../Cargo.toml")).send().await.unwrap().status(), 404);
    assert_eq!(client().get(server.url("/static/nothing.js")).send().await.unwrap().status(), 404);
}
