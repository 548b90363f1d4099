//! Webhooks of flows an administrator allowed: an applicant who reaches a webhook node makes the
//! bot call a real HTTP server on 127.0.0.1 with the evaluated request, and the flow routes on
//! the answer; to a host the deployment does not list, nothing is sent and the flow fails over.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use safepassage_server::ServerConfig;
use serde_json::{json, Value};

use super::chat_api::new_session;
use super::console_flows::{admin, upload_allowing};
use super::{client, TestServer};

/// What the webhook's server received: path, content type, body.
type Received = Arc<Mutex<Vec<(String, String, String)>>>;

/// A webhook endpoint on 127.0.0.1: records every request; answers by the town it is given
/// ("Moved": a redirect to itself, "Big": 100 KiB of JSON, else a small JSON reply).
async fn webhook_server() -> (u16, Received) {
    let received: Received = Arc::default();
    async fn hook(State(received): State<Received>, headers: HeaderMap, body: String) -> Response {
        let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        received.lock().unwrap().push(("/hook".into(), content_type, body.clone()));
        let town = serde_json::from_str::<Value>(&body).ok().and_then(|b| b["town"].as_str().map(str::to_owned));
        match town.as_deref() {
            Some("Moved") => (StatusCode::FOUND, [("location", "/hook")]).into_response(),
            Some("Big") => {
                let padding = "x".repeat(100 * 1024);
                axum::Json(json!({ "reply": "big", "padding": padding })).into_response()
            }
            Some(town) => axum::Json(json!({ "reply": format!("noted {town}") })).into_response(),
            None => StatusCode::BAD_REQUEST.into_response(),
        }
    }
    let app = axum::Router::new().route("/hook", post(hook)).with_state(Arc::clone(&received));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (port, received)
}

/// An intake that asks for a town, posts it to the webhook as JSON, and says what came back
/// (Success) or that it failed (Failure).
fn hooked_intake_at(url: &str) -> String {
    json!({
        "uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c01", "name": "Intake", "spec_version": "14.4.2",
        "language": "eng", "type": "messaging",
        "nodes": [
            {"uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c11",
             "actions": [{"uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c21", "type": "send_msg", "text": "Which town?"}],
             "router": {"type": "switch", "operand": "@input.text", "result_name": "town", "wait": {"type": "msg"},
                "categories": [{"uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c31", "name": "All",
                                "exit_uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c41"}],
                "default_category_uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c31", "cases": []},
             "exits": [{"uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c41",
                        "destination_uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c12"}]},
            {"uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c12",
             "actions": [{"uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c22", "type": "call_webhook", "method": "POST",
                          "url": url,
                          "headers": {"Content-Type": "application/json"},
                          "body": "{\"town\": \"@results.town\"}", "result_name": "hook"}],
             "router": {"type": "switch", "operand": "@results.hook.category",
                "cases": [{"uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c51", "type": "has_only_text",
                           "arguments": ["Success"], "category_uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c32"}],
                "categories": [
                    {"uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c32", "name": "Success",
                     "exit_uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c42"},
                    {"uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c33", "name": "Failure",
                     "exit_uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c43"}],
                "default_category_uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c33"},
             "exits": [
                {"uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c42", "destination_uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c13"},
                {"uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c43", "destination_uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c14"}]},
            {"uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c13",
             "actions": [{"uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c23", "type": "send_msg",
                          "text": "Answer: @webhook.json.reply (@results.hook)"}],
             "exits": [{"uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c44"}]},
            {"uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c14",
             "actions": [{"uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c24", "type": "send_msg",
                          "text": "The service did not answer (@results.hook)."}],
             "exits": [{"uuid": "7d2c1b0a-9e8f-4a7b-8c6d-5e4f3a2b1c45"}]}
        ]
    })
    .to_string()
}

/// A new web conversation through the API in English, the applicant's answer, and what the
/// bot said after it.
async fn answer(server: &TestServer, text: &str) -> Vec<String> {
    let (token, created) = new_session(server, "en").await;
    assert_eq!(created["messages"][0]["text"], "Which town?", "{created}");
    let response = client()
        .post(server.url("/api/v1/chat/messages"))
        .bearer_auth(&token)
        .json(&json!({ "text": text }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let all: Value = client()
        .get(server.url("/api/v1/chat/messages"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let messages = all["messages"].as_array().unwrap();
    messages.iter().skip(2).map(|m| m["text"].as_str().unwrap().to_owned()).collect()
}

/// A server whose settings list `hosts`, with the hooked intake imported by an administrator
/// who allowed `call_webhook`.
async fn with_hooked_intake(hosts: &[&str], port: u16) -> TestServer {
    with_intake_calling(hosts, &format!("http://127.0.0.1:{port}/hook")).await
}

async fn with_intake_calling(hosts: &[&str], url: &str) -> TestServer {
    let config =
        ServerConfig { flow_webhook_hosts: hosts.iter().map(|h| (*h).to_owned()).collect(), ..Default::default() };
    let server = TestServer::start_with(config).await;
    let (_, session) = admin(&server).await;
    assert_eq!(upload_allowing(&session, &hooked_intake_at(url), &["call_webhook"]).await.status(), 303);
    server
}

#[tokio::test]
async fn an_allowed_webhook_to_a_listed_host_is_called_and_the_flow_routes_on_its_answer() {
    let (port, received) = webhook_server().await;
    let server = with_hooked_intake(&[&format!("127.0.0.1:{port}")], port).await;

    let said = answer(&server, "Kharkiv").await;
    assert_eq!(said, ["Answer: noted Kharkiv (200)"]);
    let got = received.lock().unwrap().clone();
    assert_eq!(got, [("/hook".to_owned(), "application/json".to_owned(), r#"{"town": "Kharkiv"}"#.to_owned())]);

    // A redirect is not followed: one request, and the flow takes its Failure exit.
    received.lock().unwrap().clear();
    let said = answer(&server, "Moved").await;
    assert_eq!(said, ["The service did not answer (302)."]);
    assert_eq!(received.lock().unwrap().len(), 1, "the redirect's target was never asked");

    // A large answer is cut at 64 KiB: still a success, its JSON no longer readable.
    let said = answer(&server, "Big").await;
    assert_eq!(said, ["Answer:  (200)"]);
}

#[tokio::test]
async fn a_webhook_to_a_host_not_listed_sends_nothing_and_takes_the_failure_exit() {
    let (port, received) = webhook_server().await;
    for hosts in [&[][..], &["hooks.example.org"][..]] {
        let server = with_hooked_intake(hosts, port).await;
        let said = answer(&server, "Kharkiv").await;
        assert_eq!(said, ["The service did not answer (0)."], "{hosts:?}");
        assert!(received.lock().unwrap().is_empty(), "no request arrived ({hosts:?})");
    }
}

#[tokio::test]
async fn a_webhook_reaches_another_port_only_when_it_is_listed() {
    let (port, received) = webhook_server().await;
    // The address is listed, its port is not: only 80 and 443 would be allowed.
    let server = with_hooked_intake(&["127.0.0.1", &format!("127.0.0.1:{}", port.wrapping_add(1))], port).await;
    assert_eq!(answer(&server, "Kharkiv").await, ["The service did not answer (0)."]);
    assert!(received.lock().unwrap().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_name_that_resolves_to_an_internal_address_is_not_reached_unless_that_address_is_listed() {
    let (port, received) = webhook_server().await;
    // `localhost` is listed with its port, but resolves to loopback: refused after resolution.
    let url = format!("http://localhost:{port}/hook");
    let server = with_intake_calling(&[&format!("localhost:{port}")], &url).await;
    assert_eq!(answer(&server, "Kharkiv").await, ["The service did not answer (0)."]);
    assert!(received.lock().unwrap().is_empty(), "nothing was sent to loopback");

    // Listing the loopback addresses themselves lets the name through.
    let server = with_intake_calling(&[&format!("localhost:{port}"), "127.0.0.1", "::1"], &url).await;
    assert_eq!(answer(&server, "Kharkiv").await, ["Answer: noted Kharkiv (200)"]);
    assert_eq!(received.lock().unwrap().len(), 1);
}
