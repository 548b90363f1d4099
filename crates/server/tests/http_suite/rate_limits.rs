//! Flood limits over a real socket, with tiny quotas: new conversations across everyone, and
//! applicant messages per conversation, through the API and the pages without JavaScript.

use std::time::Duration;

use serde_json::{json, Value};

use super::{client, TestServer};
use safepassage_server::ServerConfig;

fn limits(new_chats: Option<&str>, messages: Option<&str>) -> ServerConfig {
    let default = ServerConfig::default();
    ServerConfig {
        new_chat_limit: new_chats.map(|s| s.parse().unwrap()).or(default.new_chat_limit),
        chat_message_limit: messages.map(|s| s.parse().unwrap()).or(default.chat_message_limit),
        ..default
    }
}

async fn create_session(server: &TestServer) -> reqwest::Response {
    client().post(server.url("/api/v1/chat/sessions")).json(&json!({ "language": "ru" })).send().await.unwrap()
}

async fn send(server: &TestServer, token: &str, text: &str) -> reqwest::Response {
    client()
        .post(server.url("/api/v1/chat/messages"))
        .bearer_auth(token)
        .json(&json!({ "text": text }))
        .send()
        .await
        .unwrap()
}

async fn token(server: &TestServer) -> String {
    let response = create_session(server).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["token"].as_str().unwrap().to_owned()
}

/// The seconds of `Retry-After`, after checking the rest of a 429.
async fn refused(response: reqwest::Response) -> u64 {
    assert_eq!(response.status(), 429);
    let seconds: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "rate_limited", "{body}");
    assert!(!body["message"].as_str().unwrap().is_empty(), "{body}");
    seconds
}

#[tokio::test]
async fn new_sessions_beyond_the_limit_wait_their_turn() {
    // Three at once, then one back every second.
    let server = TestServer::start_with(limits(Some("1/s,3"), None)).await;
    for _ in 0..3 {
        assert_eq!(create_session(&server).await.status(), 201);
    }
    // The fourth is refused, unless this machine was so slow that a second went by meanwhile.
    let mut response = create_session(&server).await;
    for _ in 0..3 {
        if response.status() != 201 {
            break;
        }
        response = create_session(&server).await;
    }
    let seconds = refused(response).await;
    assert_eq!(seconds, 1);
    // A malformed request is still told what is wrong with it, and spends nothing.
    let bad =
        client().post(server.url("/api/v1/chat/sessions")).json(&json!({ "language": "xx" })).send().await.unwrap();
    assert_eq!(bad.status(), 400);
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    assert_eq!(create_session(&server).await.status(), 201, "the next one after waiting passes");
}

#[tokio::test]
async fn messages_beyond_a_conversations_burst_are_refused_and_others_unaffected() {
    let server = TestServer::start_with(limits(None, Some("1/min,3"))).await;
    let (a, b) = (token(&server).await, token(&server).await);
    for i in 0..3 {
        assert_eq!(send(&server, &a, &format!("сообщение {i}")).await.status(), 202);
    }
    let seconds = refused(send(&server, &a, "ещё одно").await).await;
    assert!((1..=60).contains(&seconds), "{seconds}");
    // Bad input is refused for what it is, before any limit.
    assert_eq!(send(&server, &a, "   ").await.status(), 400);
    assert_eq!(send(&server, &b, "другой разговор").await.status(), 202, "another conversation is not affected");
    // The refused message was not stored.
    let page: Value =
        client().get(server.url("/api/v1/chat/messages")).bearer_auth(&a).send().await.unwrap().json().await.unwrap();
    let texts: Vec<&str> = page["messages"].as_array().unwrap().iter().filter_map(|m| m["text"].as_str()).collect();
    assert!(!texts.contains(&"ещё одно"), "{texts:?}");
}

#[tokio::test]
async fn the_page_says_the_line_is_busy_in_the_applicants_language() {
    let server = TestServer::start_with(limits(Some("1/min,1"), None)).await;
    let first = client().post(server.url("/chat/send")).form(&[("text", "Здравствуйте"), ("lang", "ru")]);
    assert_eq!(first.send().await.unwrap().status(), 303, "the first conversation starts");

    let response = client()
        .post(server.url("/chat/send"))
        .form(&[("text", "Мне нужна помощь"), ("lang", "ru")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    assert!(response.headers()["retry-after"].to_str().unwrap().parse::<u64>().unwrap() >= 1);
    assert!(response.headers().get("set-cookie").is_none(), "no conversation, no cookie");
    let html = response.text().await.unwrap();
    assert!(html.contains("<html lang=\"ru\">"), "{html}");
    assert!(html.contains("Сейчас линия занята"), "{html}");
    assert!(html.contains("Подождите минуту"), "{html}");
    assert!(html.contains("Мне нужна помощь</textarea>"), "the text stays in the box: {html}");
    assert!(html.contains("id=\"quick-exit\""), "the page keeps its quick exit");

    // Starting with a codename starts a conversation too.
    let response = client()
        .post(server.url("/chat/codename"))
        .form(&[("codename", "4539 1488 0343 6467"), ("lang", "uk")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 429);
    let html = response.text().await.unwrap();
    assert!(html.contains("Зараз лінія зайнята"), "{html}");
}

#[tokio::test]
async fn the_page_asks_to_slow_down_when_one_conversation_sends_too_fast() {
    let server = TestServer::start_with(limits(None, Some("1/min,2"))).await;
    let browser = client();
    for text in ["first", "second"] {
        let response = browser.post(server.url("/chat/send")).form(&[("text", text), ("lang", "en")]).send().await;
        assert_eq!(response.unwrap().status(), 303, "{text}");
    }
    let response =
        browser.post(server.url("/chat/send")).form(&[("text", "third"), ("lang", "en")]).send().await.unwrap();
    assert_eq!(response.status(), 429);
    assert!(response.headers().get("retry-after").is_some());
    let html = response.text().await.unwrap();
    assert!(html.contains("Messages are coming too quickly"), "{html}");
    assert!(html.contains("third</textarea>"), "{html}");
    assert!(html.contains("first"), "the conversation is still shown: {html}");
    // Someone else starting a conversation is not affected.
    let other = client().post(server.url("/chat/send")).form(&[("text", "hello"), ("lang", "en")]).send().await;
    assert_eq!(other.unwrap().status(), 303);
}
