//! The test phone walks a call through a tiny hotline app that checks signatures with
//! `signature_is_valid`, as the real server will.

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use safepassage_voice::test_phone::TestPhone;
use safepassage_voice::webhook::QueueResult;
use safepassage_voice::{
    parse_webhook, signature_is_valid, CallStatus, Response, Verb, VoiceLanguage, SIGNATURE_HEADER,
};

const ACCOUNT: &str = "AC0a1b2c3d4e5f60718293a4b5c6d7e8f9";
const TOKEN: &str = "auth-token-for-tests";
const CALLER: &str = "+15005550006";
const HOTLINE: &str = "+15005550001";

#[derive(Clone)]
struct App {
    base_url: String,
    events: Arc<Mutex<Vec<String>>>,
}

fn say(text: &str) -> Verb {
    Verb::Say { text: text.into(), language: VoiceLanguage::RuRu }
}

fn twiml(verbs: Vec<Verb>) -> axum::response::Response {
    ([(axum::http::header::CONTENT_TYPE, "text/xml")], Response(verbs).to_xml()).into_response()
}

async fn hotline(State(app): State<App>, uri: Uri, headers: HeaderMap, body: Bytes) -> axum::response::Response {
    let Ok((call, params)) = parse_webhook(&body) else {
        return StatusCode::BAD_REQUEST.into_response();
    };
    let url = format!("{}{}", app.base_url, uri);
    let header = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    if !signature_is_valid(TOKEN, &url, &params, header) {
        return StatusCode::FORBIDDEN.into_response();
    }
    let mut events = app.events.lock().unwrap();
    match uri.path() {
        "/voice/incoming" => {
            assert_eq!(call.from, CALLER);
            events.push(format!("incoming {:?}", call.status));
            twiml(vec![
                Verb::Gather {
                    action: "menu?step=1".into(),
                    num_digits: Some(1),
                    finish_on_key: None,
                    timeout_s: 5,
                    prompts: vec![say("Нажмите 1 — оператор, 2 — выход")],
                },
                Verb::Redirect { url: "/voice/incoming".into() },
            ])
        }
        "/voice/menu" => {
            assert_eq!(call.status, Some(CallStatus::InProgress));
            let digits = call.digits.unwrap_or_default();
            events.push(format!("menu {digits}"));
            match digits.as_str() {
                "1" => twiml(vec![
                    say("Соединяем"),
                    Verb::Enqueue {
                        queue: "hotline".into(),
                        wait_url: "/voice/wait".into(),
                        action: Some("/voice/left".into()),
                    },
                ]),
                "2" => twiml(vec![Verb::Redirect { url: "goodbye".into() }]),
                _ => twiml(vec![say("Не понял"), Verb::Redirect { url: "/voice/incoming".into() }]),
            }
        }
        "/voice/goodbye" => twiml(vec![say("До свидания"), Verb::Hangup]),
        "/voice/wait" => {
            events.push(format!("wait {:?}", call.queue_position));
            twiml(vec![say("Ожидайте"), Verb::Pause { seconds: 5 }])
        }
        "/voice/left" => {
            events.push(format!("left {:?}", call.queue_result));
            twiml(vec![Verb::Hangup])
        }
        "/voice/status" => {
            events.push(format!("status {:?}", call.status));
            StatusCode::NO_CONTENT.into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn start_hotline() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let events = Arc::new(Mutex::new(Vec::new()));
    let app = App { base_url: base_url.clone(), events: Arc::clone(&events) };
    let router = Router::new().route("/voice/{step}", post(hotline)).with_state(app);
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    (base_url, events)
}

#[tokio::test]
async fn a_caller_reaches_the_queue_and_hangs_up() {
    let (base_url, events) = start_hotline().await;
    let phone = TestPhone::new(&base_url, TOKEN, ACCOUNT);
    let mut call = phone.call("/voice/incoming", CALLER, HOTLINE).await.unwrap();
    assert_eq!(call.last_status(), 200);
    assert!(call.sid().starts_with("CA") && call.sid().len() == 34);
    let heard = call.heard();
    assert_eq!(heard.said, vec![("ru-RU".into(), "Нажмите 1 — оператор, 2 — выход".into())]);
    let gather = heard.gather.as_ref().unwrap();
    assert_eq!(gather.input.as_deref(), Some("dtmf"));
    assert_eq!(gather.num_digits, Some(1));
    assert_eq!(heard.redirect.as_deref(), Some("/voice/incoming"));

    // Nothing pressed: the provider goes on to the <Redirect> after the <Gather>.
    call.follow_redirect().await.unwrap();
    assert!(call.heard().gather.is_some());

    let heard = call.press("1").await.unwrap();
    assert_eq!(heard.all_said(), "Соединяем");
    let enqueue = heard.enqueue.clone().unwrap();
    assert_eq!(enqueue.queue, "hotline");
    assert!(call.current_url().ends_with("/voice/menu?step=1"));

    let waiting = call.wait_in_queue().await.unwrap();
    assert_eq!(waiting.all_said(), "Ожидайте");
    assert_eq!(waiting.paused_s, 5);

    assert_eq!(call.hang_up("/voice/status").await.unwrap(), 204);
    assert_eq!(
        *events.lock().unwrap(),
        vec![
            format!("incoming {:?}", Some(CallStatus::Ringing)),
            format!("incoming {:?}", Some(CallStatus::InProgress)),
            "menu 1".into(),
            "wait Some(1)".into(),
            format!("left {:?}", Some(QueueResult::Hangup)),
            format!("status {:?}", Some(CallStatus::Completed)),
        ]
    );
}

#[tokio::test]
async fn relative_redirects_resolve_against_the_document() {
    let (base_url, _) = start_hotline().await;
    let phone = TestPhone::new(&base_url, TOKEN, ACCOUNT);
    let mut call = phone.call("/voice/incoming", CALLER, HOTLINE).await.unwrap();
    call.press("2").await.unwrap();
    assert_eq!(call.heard().redirect.as_deref(), Some("goodbye"));
    let heard = call.follow_redirect().await.unwrap();
    assert_eq!(heard.all_said(), "До свидания");
    assert!(heard.hangup);
    assert!(call.follow_redirect().await.is_err(), "no redirect left");
    assert_eq!(call.status("/voice/status", CallStatus::Completed).await.unwrap(), 204);
}

#[tokio::test]
async fn unsigned_and_forged_requests_are_refused() {
    let (base_url, events) = start_hotline().await;
    let phone = TestPhone::new(&base_url, TOKEN, ACCOUNT);
    let params: Vec<(String, String)> = [
        ("AccountSid", ACCOUNT),
        ("CallSid", "CA00000000000000000000000000000001"),
        ("CallStatus", "ringing"),
        ("From", CALLER),
        ("To", HOTLINE),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
    .collect();
    assert_eq!(phone.post_unsigned("/voice/incoming", &params).await.unwrap(), 403);
    assert_eq!(
        phone.post_with_signature("/voice/incoming", &params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=").await.unwrap(),
        403
    );
    // Signed for another token: a forger who guessed the format but not the secret.
    let forger = TestPhone::new(&base_url, "guessed-token", ACCOUNT);
    let mut call = forger.call("/voice/incoming", CALLER, HOTLINE).await.unwrap();
    assert_eq!(call.last_status(), 403);
    assert_eq!(*call.heard(), Default::default());
    assert!(call.press("1").await.is_err(), "nothing to press into");
    assert!(events.lock().unwrap().is_empty());

    let (status, body) = phone.post_signed("/voice/incoming", &params).await.unwrap();
    assert_eq!(status, 200);
    assert!(body.contains("<Gather"));
}
