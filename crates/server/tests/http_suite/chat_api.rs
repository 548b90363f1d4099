//! The chat's JSON API over a real socket: sessions, messages, the live event stream, codenames,
//! the OpenAPI document, and a JSON 4xx for every kind of bad input.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use safepassage_domain::{CaseKind, Codename, Role};
use safepassage_keys::MasterKey;
use safepassage_server::{AppState, ServerConfig};
use safepassage_store::{KeySource, Store, StoreConfig};
use serde_json::{json, Value};

use super::{client, TestServer};

/// A new conversation through the API: its token and greeting.
pub(super) async fn new_session(server: &TestServer, language: &str) -> (String, Value) {
    let response =
        client().post(server.url("/api/v1/chat/sessions")).json(&json!({ "language": language })).send().await.unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    (body["token"].as_str().unwrap().to_owned(), body)
}

/// A codename of a fresh case, issued as a specialist would.
pub(super) async fn issued_codename(server: &TestServer) -> (safepassage_domain::CaseId, Codename) {
    let specialist = server.staff(Role::Specialist, &format!("spec-{}", uuid::Uuid::new_v4().simple())).await;
    let case = server.state.store.open_case(None, CaseKind::Individual, specialist.id).await.unwrap();
    let codename = server.state.store.issue_codename(case).await.unwrap();
    (case, codename)
}

/// A well-formed codename that (almost surely) belongs to no case.
pub(super) fn unknown_codename(seed: u8) -> String {
    Codename::from_random_digits([seed % 10, 3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7]).grouped()
}

/// Asserts a JSON error with this status and code, and returns its body.
async fn expect_error(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status(), status, "expected {status} {code}");
    let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("application/json"), "{content_type}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], code, "{body}");
    assert!(!body["message"].as_str().unwrap().is_empty(), "{body}");
    body
}

fn post_raw(
    server: &TestServer,
    path: &str,
    token: Option<&str>,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    let mut request = client().post(server.url(path)).header("content-type", content_type).body(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request
}

async fn get_messages(server: &TestServer, token: &str, query: &str) -> reqwest::Response {
    client().get(server.url(&format!("/api/v1/chat/messages{query}"))).bearer_auth(token).send().await.unwrap()
}

#[tokio::test]
async fn a_session_sends_and_reads_messages() {
    let server = TestServer::start().await;
    let (token, created) = new_session(&server, "uk").await;
    assert_eq!(token.len(), 43, "32 random bytes, base64url");
    let greeting = &created["messages"][0];
    assert_eq!(greeting["from"], "bot");
    assert!(greeting["text"].as_str().unwrap().starts_with("Вітаємо"), "{greeting}");
    let at = greeting["at"].as_str().unwrap();
    assert!(at.len() == 24 && at.ends_with('Z') && &at[10..11] == "T", "{at}");
    let greeting_seq = greeting["seq"].as_i64().unwrap();

    let response = client()
        .post(server.url("/api/v1/chat/messages"))
        .bearer_auth(&token)
        .json(&json!({ "text": "  Добрий день  \n" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let seq = response.json::<Value>().await.unwrap()["seq"].as_i64().unwrap();
    assert!(seq > greeting_seq);

    // The intake's greeting, the applicant's answer, and the bot's next question.
    let all: Value = get_messages(&server, &token, "").await.json().await.unwrap();
    assert_eq!(all["messages"].as_array().unwrap().len(), 3);
    let later: Value = get_messages(&server, &token, &format!("?after={greeting_seq}")).await.json().await.unwrap();
    let later = later["messages"].as_array().unwrap();
    assert_eq!(later.len(), 2);
    assert_eq!(later[1]["from"], "bot");
    assert_eq!(later[0]["from"], "applicant");
    assert_eq!(later[0]["text"], "Добрий день", "stored trimmed");
    assert_eq!(later[0]["seq"], seq);
    let one: Value = get_messages(&server, &token, "?limit=1").await.json().await.unwrap();
    assert_eq!(one["messages"][0]["seq"], greeting_seq);

    // The bot still has the conversation: nobody waits in the operators' queue yet.
    assert!(server.state.store.queue(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn russian_is_the_default_language() {
    let server = TestServer::start().await;
    let response = client().post(server.url("/api/v1/chat/sessions")).json(&json!({})).send().await.unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    assert!(body["messages"][0]["text"].as_str().unwrap().starts_with("Здравствуйте"), "{body}");
}

#[tokio::test]
async fn bad_input_gets_a_json_4xx() {
    let server = TestServer::start().await;
    let (token, _) = new_session(&server, "ru").await;
    let json = "application/json";
    let sessions = "/api/v1/chat/sessions";
    let messages = "/api/v1/chat/messages";
    let text = |t: &str| serde_json::to_vec(&json!({ "text": t })).unwrap();
    let cases: Vec<(reqwest::RequestBuilder, u16, &str)> = vec![
        (post_raw(&server, sessions, None, json, b"{\"language\":".to_vec()), 400, "invalid_json"),
        (post_raw(&server, sessions, None, json, b"not json".to_vec()), 400, "invalid_json"),
        (post_raw(&server, sessions, None, json, Vec::new()), 400, "invalid_json"),
        (post_raw(&server, sessions, None, json, b"{\"lang\":\"ru\"}".to_vec()), 400, "unknown_field"),
        (post_raw(&server, sessions, None, json, b"{\"language\":\"de\"}".to_vec()), 400, "unknown_language"),
        (post_raw(&server, sessions, None, json, b"{\"language\":7}".to_vec()), 400, "invalid_field"),
        (post_raw(&server, sessions, None, "text/plain", b"{}".to_vec()), 415, "unsupported_media_type"),
        (client().post(server.url(sessions)).body("{}"), 415, "unsupported_media_type"),
        (post_raw(&server, messages, Some(&token), json, text("")), 400, "empty_text"),
        (post_raw(&server, messages, Some(&token), json, text(" \n\t ")), 400, "empty_text"),
        (post_raw(&server, messages, Some(&token), json, text(&"ж".repeat(4097))), 400, "text_too_long"),
        (post_raw(&server, messages, Some(&token), json, b"{\"text\":\"\xff\xfe\"}".to_vec()), 400, "invalid_utf8"),
        (post_raw(&server, messages, Some(&token), json, b"{\"text\":\"hi\",\"x\":1}".to_vec()), 400, "unknown_field"),
        (post_raw(&server, messages, Some(&token), json, b"[\"hi\"]".to_vec()), 400, "not_an_object"),
        (post_raw(&server, messages, Some(&token), json, b"{\"text\":5}".to_vec()), 400, "invalid_field"),
        (post_raw(&server, messages, Some(&token), json, b"{}".to_vec()), 400, "invalid_field"),
        (post_raw(&server, messages, Some(&token), json, text(&"a".repeat(100 * 1024))), 413, "body_too_large"),
        (post_raw(&server, messages, None, json, text("hi")), 401, "unauthorized"),
        (
            post_raw(&server, messages, Some("nonexistenttoken0123456789abcdefghijklmnopq"), json, text("hi")),
            401,
            "unauthorized",
        ),
        (post_raw(&server, messages, Some("not a token"), json, text("hi")), 401, "unauthorized"),
        (
            post_raw(&server, messages, None, json, text("hi")).header("authorization", "Basic dXNlcjpwYXNz"),
            401,
            "unauthorized",
        ),
        (client().get(server.url("/api/v1/chat/messages?after=-1")).bearer_auth(&token), 400, "invalid_query"),
        (client().get(server.url("/api/v1/chat/messages?after=abc")).bearer_auth(&token), 400, "invalid_query"),
        (client().get(server.url("/api/v1/chat/messages?limit=0")).bearer_auth(&token), 400, "invalid_query"),
        (client().get(server.url("/api/v1/chat/messages?limit=201")).bearer_auth(&token), 400, "invalid_query"),
        (client().get(server.url("/api/v1/chat/messages?since=1")).bearer_auth(&token), 400, "invalid_query"),
        (client().get(server.url("/api/v1/chat/messages")), 401, "unauthorized"),
        (client().get(server.url("/api/v1/chat/events")), 401, "unauthorized"),
        (client().get(server.url("/api/v1/chat/events?after=-5")).bearer_auth(&token), 400, "invalid_query"),
        (post_raw(&server, "/api/v1/chat/codename", None, json, b"{\"codename\":\"1\"}".to_vec()), 401, "unauthorized"),
        (client().get(server.url(sessions)), 405, "method_not_allowed"),
        (client().delete(server.url(messages)).bearer_auth(&token), 405, "method_not_allowed"),
    ];
    for (request, status, code) in cases {
        expect_error(request.send().await.unwrap(), status, code).await;
    }
    // The longest text allowed is stored.
    let response = post_raw(&server, messages, Some(&token), json, text(&"ж".repeat(4096))).send().await.unwrap();
    assert_eq!(response.status(), 202);
}

#[tokio::test]
async fn an_oversized_chunked_body_is_refused_in_json() {
    let server = TestServer::start().await;
    let (token, _) = new_session(&server, "ru").await;
    // No Content-Length: the limit is enforced while reading.
    let chunks = (0..40).map(|_| Ok::<_, std::io::Error>(vec![b' '; 4096]));
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let response = client()
        .post(server.url("/api/v1/chat/messages"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    expect_error(response, 413, "body_too_large").await;
}

/// Reads an event stream until `needle` appears, or fails after `limit`.
async fn read_until<S, B>(stream: &mut S, seen: &mut String, needle: &str, limit: Duration)
where
    S: futures_util::Stream<Item = reqwest::Result<B>> + Unpin,
    B: AsRef<[u8]> + std::fmt::Debug,
{
    let deadline = Instant::now() + limit;
    while !seen.contains(needle) {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.next()).await {
            Ok(Some(Ok(chunk))) => seen.push_str(&String::from_utf8_lossy(chunk.as_ref())),
            other => panic!("no {needle:?} within {limit:?} ({other:?}); got {seen:?}"),
        }
    }
}

#[tokio::test]
async fn the_event_stream_brings_an_operators_reply_within_a_second() {
    let server = TestServer::start().await;
    let (token, created) = new_session(&server, "ru").await;
    let greeting_seq = created["messages"][0]["seq"].as_i64().unwrap();
    let response = client().get(server.url("/api/v1/chat/events")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    assert_eq!(response.headers()["cache-control"], "no-store");
    let mut stream = response.bytes_stream();
    let mut seen = String::new();
    // The backlog first: the greeting, with its seq as the event id.
    read_until(&mut stream, &mut seen, &format!("id: {greeting_seq}\n"), Duration::from_secs(5)).await;
    assert!(seen.contains("event: message\n"), "{seen}");

    let conversation = server.state.conversation_for_token(&token).await.unwrap().unwrap();
    let reply = server.state.staff_says(&conversation, "Мы на связи. <b>Не</b> волнуйтесь.").await.unwrap();
    let sent = Instant::now();
    read_until(&mut stream, &mut seen, "Мы на связи.", Duration::from_secs(1)).await;
    assert!(sent.elapsed() < Duration::from_secs(1));
    let line = seen.lines().filter_map(|l| l.strip_prefix("data: ")).find(|d| d.contains("Мы на связи")).unwrap();
    let message: Value = serde_json::from_str(line).unwrap();
    assert_eq!(message["from"], "staff");
    assert_eq!(message["seq"], reply.seq);
    assert_eq!(message["text"], "Мы на связи. <b>Не</b> волнуйтесь.", "data is JSON; escaping is the client's job");
    assert!(seen.contains(&format!("id: {}\n", reply.seq)));

    // The applicant's own messages come through the stream too (the page's script relies on it).
    client()
        .post(server.url("/api/v1/chat/messages"))
        .bearer_auth(&token)
        .json(&json!({ "text": "спасибо" }))
        .send()
        .await
        .unwrap();
    read_until(&mut stream, &mut seen, "спасибо", Duration::from_secs(1)).await;
}

#[tokio::test]
async fn a_reconnecting_stream_resumes_after_the_last_event_id() {
    let server = TestServer::start().await;
    let (token, created) = new_session(&server, "en").await;
    let greeting_seq = created["messages"][0]["seq"].as_i64().unwrap();
    for text in ["one", "two"] {
        let response = client()
            .post(server.url("/api/v1/chat/messages"))
            .bearer_auth(&token)
            .json(&json!({ "text": text }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202);
    }
    // The cookie works as well as the header (the page's EventSource cannot set headers).
    let response = client()
        .get(server.url(&format!("/api/v1/chat/events?after={greeting_seq}")))
        .header("cookie", format!("sp_chat={token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let mut stream = response.bytes_stream();
    let mut seen = String::new();
    read_until(&mut stream, &mut seen, "\"two\"", Duration::from_secs(5)).await;
    assert!(seen.contains("\"one\""));
    assert!(!seen.contains("Hello"), "the greeting is before `after`: {seen}");
    assert!(seen.contains("retry:"), "the stream tells the browser how soon to reconnect: {seen}");

    // The intake answers each message, so "two" is the last applicant's message, not the last.
    let two_seq = server
        .state
        .store
        .messages(server.state.conversation_for_token(&token).await.unwrap().unwrap().id, 0, 10)
        .await
        .unwrap()
        .iter()
        .rfind(|m| m.body.text() == Some("two"))
        .unwrap()
        .seq;
    let response = client()
        .get(server.url("/api/v1/chat/events?after=0"))
        .bearer_auth(&token)
        .header("last-event-id", (two_seq - 1).to_string())
        .send()
        .await
        .unwrap();
    let mut stream = response.bytes_stream();
    let mut seen = String::new();
    read_until(&mut stream, &mut seen, "\"two\"", Duration::from_secs(5)).await;
    assert!(!seen.contains("\"one\""), "Last-Event-ID wins over an older `after`: {seen}");
}

#[tokio::test]
async fn a_codename_joins_the_conversation_to_its_case() {
    let server = TestServer::start().await;
    let (case, codename) = issued_codename(&server).await;
    let (token, _) = new_session(&server, "ru").await;
    let response = client()
        .post(server.url("/api/v1/chat/codename"))
        .bearer_auth(&token)
        .json(&json!({ "codename": codename.grouped().replace(' ', "-") }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap(), json!({ "joined": true }));
    let conversation = server.state.conversation_for_token(&token).await.unwrap().unwrap();
    assert_eq!(conversation.case, Some(case));
}

pub(super) async fn try_codename(server: &TestServer, token: &str, codename: &str) -> (u16, String) {
    let response = client()
        .post(server.url("/api/v1/chat/codename"))
        .bearer_auth(token)
        .json(&json!({ "codename": codename }))
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn every_codename_refusal_is_the_same_and_the_limit_holds_even_for_the_right_one() {
    let server = TestServer::start().await;
    let (_, codename) = issued_codename(&server).await;
    let (token, _) = new_session(&server, "ru").await;
    let mut typo: Vec<u8> = codename.digits().bytes().collect();
    typo[0] = if typo[0] == b'9' { b'0' } else { typo[0] + 1 };
    let typo = String::from_utf8(typo).unwrap();
    // Malformed ones first (they spend no attempt), then five well-formed unknown ones.
    let mut answers = Vec::new();
    for wrong in ["", "12", "abcd efgh ijkl mnop", &"1".repeat(500), &typo] {
        answers.push(try_codename(&server, &token, wrong).await);
    }
    for seed in 0..5 {
        answers.push(try_codename(&server, &token, &unknown_codename(seed)).await);
    }
    // The limit is spent: now even the right codename gets the very same refusal.
    answers.push(try_codename(&server, &token, &codename.grouped()).await);
    let first = answers[0].clone();
    assert_eq!(first.0, 403);
    let body: Value = serde_json::from_str(&first.1).unwrap();
    assert_eq!(body["error"], "codename_refused");
    for answer in &answers {
        assert_eq!(answer, &first, "every refusal is byte-for-byte the same");
    }
    let conversation = server.state.conversation_for_token(&token).await.unwrap().unwrap();
    assert_eq!(conversation.case, None);
    // The codename itself was right: another conversation joins with it.
    let (other, _) = new_session(&server, "ru").await;
    assert_eq!(try_codename(&server, &other, codename.digits()).await.0, 200);
}

#[tokio::test]
async fn the_openapi_document_lists_every_operation() {
    let server = TestServer::start().await;
    let response = client().get(server.url("/api/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    let doc: Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = &doc["paths"];
    for (path, method) in [
        ("/api/v1/chat/sessions", "post"),
        ("/api/v1/chat/messages", "post"),
        ("/api/v1/chat/messages", "get"),
        ("/api/v1/chat/events", "get"),
        ("/api/v1/chat/codename", "post"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path} is not documented");
    }
    assert!(paths["/api/v1/chat/messages"]["post"]["responses"]["202"].is_object());
    assert!(paths["/api/v1/chat/codename"]["post"]["responses"]["403"].is_object());
    for path in ["/api/v1/chat/sessions", "/api/v1/chat/messages"] {
        let limited = &paths[path]["post"]["responses"]["429"];
        assert!(limited["headers"]["Retry-After"].is_object(), "{path}: {limited}");
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["schemas"]["Message"]["properties"]["from"].is_object());
}

/// A server on a given store, stopped by dropping the sender and awaiting the handle.
async fn serve(
    store: Store,
) -> (String, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<std::io::Result<()>>) {
    let state = AppState::new(store, ServerConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(safepassage_server::launch(listener, safepassage_server::app(state), async {
        let _ = stopped.await;
    }));
    (base, stop, handle)
}

#[tokio::test]
async fn a_conversation_and_its_token_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("restart.db").display());
    let key = MasterKey::generate().to_hex();
    let config = || {
        let mut config = StoreConfig::new(url.clone(), KeySource::Hex(key.clone()));
        config.fast_codename_hash = true;
        config
    };
    let (base, stop, handle) = serve(Store::open(config()).await.unwrap()).await;
    let http = reqwest::Client::new();
    let created: Value =
        http.post(format!("{base}/api/v1/chat/sessions")).json(&json!({})).send().await.unwrap().json().await.unwrap();
    let token = created["token"].as_str().unwrap().to_owned();
    let response = http
        .post(format!("{base}/api/v1/chat/messages"))
        .bearer_auth(&token)
        .json(&json!({ "text": "before the restart" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    drop(http);
    drop(stop);
    handle.await.unwrap().unwrap();

    let (base, _stop, _handle) = serve(Store::open(config()).await.unwrap()).await;
    let page: Value = reqwest::Client::new()
        .get(format!("{base}/api/v1/chat/messages"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let texts: Vec<&str> = page["messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap()).collect();
    assert_eq!(texts.len(), 3, "greeting, message, the bot's answer: {texts:?}");
    assert_eq!(texts[1], "before the restart");
}
