//! The end of an applicant's web chat session: quick exit (a form post, answered by a redirect
//! to the neutral page in the page's language), "end this conversation on this device", the idle
//! lifetime, and the `__Host-` cookie with HSTS over HTTPS. After each end the token opens
//! nothing, on the pages or the API, at once (the token cache included), and it is an event.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use safepassage_domain::{ChatEnd, Event};
use safepassage_server::ServerConfig;
use serde_json::json;

use super::chat_api::{issued_codename, new_session};
use super::{client, TestServer};

/// A browser without a cookie jar: cookies go by hand, so a `Secure` one is sent over the
/// test's plain HTTP too.
fn bare() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect()
}

/// Starts a conversation by the page's form, as a browser without JavaScript; its token.
async fn conversation_by_form(server: &TestServer, text: &str) -> String {
    let response = bare().post(server.url("/chat/send")).form(&[("text", text), ("lang", "ru")]).send().await.unwrap();
    assert_eq!(response.status(), 303);
    let cookie = set_cookies(&response).into_iter().find(|c| c.starts_with("sp_chat=")).expect("the cookie");
    cookie.trim_start_matches("sp_chat=").split(';').next().unwrap().to_owned()
}

async fn api_status(server: &TestServer, token: &str) -> u16 {
    let response = bare().get(server.url("/api/v1/chat/messages")).bearer_auth(token).send().await.unwrap();
    response.status().as_u16()
}

async fn page_with_cookie(server: &TestServer, name: &str, token: &str, query: &str) -> String {
    let response =
        bare().get(server.url(&format!("/{query}"))).header("cookie", format!("{name}={token}")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.text().await.unwrap()
}

async fn ended_reasons(server: &TestServer) -> Vec<ChatEnd> {
    let events = server.state.store.events(0, 100_000).await.unwrap();
    events
        .into_iter()
        .filter_map(|e| match e.event {
            Event::ChatSessionEnded { reason, .. } => Some(reason),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn quick_exit_without_javascript_ends_the_session_and_leaves_for_the_languages_neutral_page() {
    let server = TestServer::start().await;
    let secret = "Мне нужно уйти быстро, вот подробности";
    let token = conversation_by_form(&server, secret).await;
    // Cached by a read first: the revocation must reach the in-memory cache too.
    assert_eq!(api_status(&server, &token).await, 200);
    assert!(page_with_cookie(&server, "sp_chat", &token, "").await.contains(secret));

    let response = bare()
        .post(server.url("/chat/exit?lang=uk"))
        .header("cookie", format!("sp_chat={token}"))
        .form(&[("x", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    let location = response.headers()["location"].to_str().unwrap();
    assert_eq!(location, ServerConfig::default().quick_exit_url(safepassage_domain::Language::Uk));
    assert!(location.contains("hl=uk"), "a weather search in Ukrainian: {location}");
    let cookies = set_cookies(&response);
    assert!(cookies.iter().any(|c| c.starts_with("sp_chat=;") && c.contains("Max-Age=0")), "{cookies:?}");
    assert!(response.headers()["clear-site-data"].to_str().unwrap().contains("\"cookies\""));

    // Back (the page again, with the old cookie if the browser kept it) shows nothing of it.
    let html = page_with_cookie(&server, "sp_chat", &token, "").await;
    assert!(!html.contains(secret) && !html.contains("data-seq"), "the conversation is still shown");
    assert_eq!(api_status(&server, &token).await, 401, "the API still takes the old token");
    assert_eq!(ended_reasons(&server).await, vec![ChatEnd::QuickExit]);

    // Without a conversation, quick exit still leaves (in the asked language, Russian by default).
    let response = bare().post(server.url("/chat/exit")).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert!(response.headers()["location"].to_str().unwrap().contains("hl=ru"));
    assert_eq!(ended_reasons(&server).await.len(), 1, "nothing else was ended");
}

#[tokio::test]
async fn a_cross_site_quick_exit_leaves_but_ends_nothing() {
    let server = TestServer::start().await;
    let token = conversation_by_form(&server, "Здравствуйте").await;
    let response = bare()
        .post(server.url("/chat/exit"))
        .header("cookie", format!("sp_chat={token}"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(api_status(&server, &token).await, 200);
    let response = bare()
        .post(server.url("/chat/end"))
        .header("cookie", format!("sp_chat={token}"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert_eq!(api_status(&server, &token).await, 200);
}

#[tokio::test]
async fn the_quick_exit_page_allows_its_redirect_to_the_neutral_page() {
    let config =
        ServerConfig { quick_exit_url: Some("https://example.org/weather?city=x".into()), ..Default::default() };
    let server = TestServer::start_with(config).await;
    let response = bare().get(server.url("/?lang=en")).send().await.unwrap();
    let csp = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("form-action 'self' https://example.org;"), "{csp}");
    let html = response.text().await.unwrap();
    assert!(html.contains("<form id=\"quick-exit-form\" method=\"post\" action=\"/chat/exit?lang=en\""), "{html}");
    assert!(html.contains("data-neutral=\"https://example.org/weather?city=x\""), "{html}");
    assert!(html.contains("<button id=\"quick-exit\" type=\"submit\">"), "{html}");
}

#[tokio::test]
async fn ending_the_conversation_on_this_device_revokes_it_and_the_codename_brings_the_applicant_back() {
    let server = TestServer::start().await;
    let secret = "Секретные подробности разговора";
    let token = conversation_by_form(&server, secret).await;
    let html = page_with_cookie(&server, "sp_chat", &token, "").await;
    assert!(html.contains("<form id=\"end-form\" method=\"post\" action=\"/chat/end?lang=ru\">"), "{html}");
    assert!(html.contains("<button id=\"end-conversation\""));
    assert_eq!(api_status(&server, &token).await, 200);

    let response =
        bare().post(server.url("/chat/end?lang=ru")).header("cookie", format!("sp_chat={token}")).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/?lang=ru&ended=1");
    assert!(set_cookies(&response).iter().any(|c| c.starts_with("sp_chat=;") && c.contains("Max-Age=0")));
    assert_eq!(api_status(&server, &token).await, 401);
    let html = page_with_cookie(&server, "sp_chat", &token, "?lang=ru&ended=1").await;
    assert!(!html.contains(secret));
    assert!(html.contains("Разговор на этом устройстве завершён"), "the page says so");
    assert!(
        html.contains("id=\"end-form\" method=\"post\" action=\"/chat/end?lang=ru\" hidden"),
        "no conversation to end"
    );
    assert_eq!(ended_reasons(&server).await, vec![ChatEnd::Ended]);

    // The codename is how a returning applicant comes back: a new conversation joins the case.
    let (case, codename) = issued_codename(&server).await;
    let browser = client();
    let response = browser
        .post(server.url("/chat/codename"))
        .form(&[("codename", codename.digits()), ("lang", "ru")])
        .send()
        .await;
    assert_eq!(response.unwrap().status(), 303);
    let html = browser.get(server.url("/")).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains(secret));
    let joined = server.state.store.events(0, 100_000).await.unwrap();
    assert!(joined.iter().any(|e| matches!(e.event, Event::ConversationJoinedCase { case: c, .. } if c == case)));
}

#[tokio::test]
async fn a_token_idle_past_its_lifetime_is_refused_at_once_and_revoked() {
    let config = ServerConfig { chat_idle: Duration::from_millis(1500), ..Default::default() };
    let server = TestServer::start_with(config).await;
    let (token, _) = new_session(&server, "ru").await;
    assert_eq!(api_status(&server, &token).await, 200, "cached now");
    // A message keeps it alive: the idle time counts from the last message.
    tokio::time::sleep(Duration::from_millis(900)).await;
    let sent = bare()
        .post(server.url("/api/v1/chat/messages"))
        .bearer_auth(&token)
        .json(&json!({ "text": "ещё здесь" }))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 202);
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(api_status(&server, &token).await, 200, "1.8 s after the start, 0.9 s after the last message");
    tokio::time::sleep(Duration::from_millis(1700)).await;
    assert_eq!(api_status(&server, &token).await, 401, "idle past its lifetime");
    assert_eq!(ended_reasons(&server).await, vec![ChatEnd::Expired]);
    let html = page_with_cookie(&server, "sp_chat", &token, "").await;
    assert!(!html.contains("ещё здесь"));
}

#[tokio::test]
async fn the_applicants_event_stream_ends_when_the_session_is_ended() {
    let server = TestServer::start().await;
    let (token, _) = new_session(&server, "ru").await;
    let response = bare().get(server.url("/api/v1/chat/events")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let mut stream = response.bytes_stream();
    let _ = tokio::time::timeout(Duration::from_secs(2), stream.next()).await;
    let exit = bare().post(server.url("/chat/exit")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(exit.status(), 303);
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.next()).await {
            Ok(None) | Ok(Some(Err(_))) => break,
            Ok(Some(Ok(_))) => continue,
            Err(_) => panic!("the event stream is still open after the session ended"),
        }
    }
    let again = bare().get(server.url("/api/v1/chat/events")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(again.status(), 401);
}

#[tokio::test]
async fn over_https_the_cookie_is_host_prefixed_and_hsts_is_sent() {
    let server = TestServer::start_with(ServerConfig { secure_cookies: true, ..Default::default() }).await;
    let response =
        bare().post(server.url("/chat/send")).form(&[("text", "Привет"), ("lang", "ru")]).send().await.unwrap();
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["strict-transport-security"], "max-age=31536000");
    let cookie = set_cookies(&response).into_iter().find(|c| c.starts_with("__Host-sp_chat=")).expect("__Host- cookie");
    for flag in ["Secure", "Path=/", "HttpOnly", "SameSite=Strict"] {
        assert!(cookie.contains(flag), "{cookie} lacks {flag}");
    }
    assert!(!cookie.to_ascii_lowercase().contains("domain"), "{cookie}");
    let token = cookie.trim_start_matches("__Host-sp_chat=").split(';').next().unwrap().to_owned();
    assert!(page_with_cookie(&server, "__Host-sp_chat", &token, "").await.contains("Привет"));
    // Fixation: a cookie without the prefix (a sibling subdomain or a plain-HTTP answer could
    // have set it) opens nothing, even with a real token.
    let (planted, _) = new_session(&server, "ru").await;
    let html = page_with_cookie(&server, "sp_chat", &planted, "").await;
    assert!(!html.contains("data-seq"), "a planted sp_chat cookie opened a conversation");
    let health = bare().get(server.url("/healthz")).send().await.unwrap();
    assert_eq!(health.headers()["strict-transport-security"], "max-age=31536000");

    let plain = TestServer::start().await;
    let response = bare().get(plain.url("/")).send().await.unwrap();
    assert!(response.headers().get("strict-transport-security").is_none(), "no HSTS over plain HTTP (onion)");
}
