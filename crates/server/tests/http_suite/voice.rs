//! The voice channel over a real socket: a test phone plays the provider (every request signed
//! with the line's auth token over the exact URL it posts to, the TwiML answered read as the
//! provider reads it), and a fake of the provider's REST API receives the call update that
//! connects a waiting caller to the operator who took the call.

use std::time::Duration;

use safepassage_domain::{CallStatusCode, Channel, Event, Role, Sender};
use safepassage_keys::MasterKey;
use safepassage_server::channels::voice::settings::VoiceLine;
use safepassage_server::{AppState, ServerConfig};
use safepassage_store::{ConversationStatus, ConversationView, KeySource, Store, StoreConfig};
use safepassage_voice::fake_call_api::FakeCallApi;
use safepassage_voice::test_phone::{Call, TestPhone};
use safepassage_voice::CallStatus;
use zeroize::Zeroizing;

use super::chat_api::{issued_codename, unknown_codename};
use super::console::login;
use super::TestServer;

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "voice-auth-token-3f9a";
const LINE_NUMBER: &str = "+15005550001";
const CALL: &str = "/channels/voice/main/call";
const STATUS: &str = "/channels/voice/main/status";

/// A server with one voice line whose public URL is its own address, and the fake provider API.
async fn voice_server() -> (TestServer, FakeCallApi, TestPhone) {
    let fake = FakeCallApi::start(ACCOUNT, TOKEN).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let mut line = VoiceLine::new("main", ACCOUNT, Zeroizing::new(TOKEN.into()), &base);
    line.api_base_url = fake.base_url().to_owned();
    line.caller_id = Some(LINE_NUMBER.into());
    let config = ServerConfig { voice: vec![line], ..Default::default() };
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("test.db").display());
    let mut store_config = StoreConfig::new(url, KeySource::Hex(MasterKey::generate().to_hex()));
    store_config.fast_codename_hash = true;
    let store = Store::open(store_config).await.unwrap();
    let state = AppState::new(store, config);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = safepassage_server::app(state.clone());
    tokio::spawn(safepassage_server::launch(listener, app, async {
        let _ = stopped.await;
    }));
    let phone = TestPhone::new(&base, TOKEN, ACCOUNT);
    (TestServer { base, state, _dir: dir, _stop: stop }, fake, phone)
}

/// The caller's conversation, as stored now.
async fn conversation_of(server: &TestServer, from: &str) -> ConversationView {
    server.state.store.latest_conversation_for_identity(Channel::Voice, from).await.unwrap().expect("a conversation")
}

fn cyrillic(text: &str) -> bool {
    text.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c))
}

/// The languages of what was said, in order.
fn languages(call: &Call) -> Vec<&str> {
    call.heard().said.iter().map(|(l, _)| l.as_str()).collect()
}

#[tokio::test]
async fn each_language_key_greets_the_caller_in_that_language() {
    let (server, _fake, phone) = voice_server().await;
    let cases = [
        ("1", "ru-RU", "Здравствуйте", "+380501110001"),
        ("2", "uk-UA", "Добрий день", "+380501110002"),
        ("3", "en-US", "Hello", "+380501110003"),
    ];
    for (key, tag, word, from) in cases {
        let mut call = phone.call(CALL, from, LINE_NUMBER).await.unwrap();
        assert_eq!(call.last_status(), 200);
        // The language menu: each line in its own language, one key.
        assert_eq!(languages(&call), ["ru-RU", "uk-UA", "en-US"], "{:?}", call.heard());
        let gather = call.heard().gather.clone().unwrap();
        assert_eq!((gather.num_digits, gather.input.as_deref()), (Some(1), Some("dtmf")));
        assert!(call.heard().redirect.is_some(), "silence hears the menu again");

        let heard = call.press(key).await.unwrap().clone();
        let greeting = &heard.said[0];
        assert_eq!(greeting.0, tag, "{heard:?}");
        assert!(greeting.1.contains(word), "{}", greeting.1);
        assert!(heard.said.iter().all(|(l, _)| l == tag), "the caller-type menu too: {heard:?}");
        match tag {
            "en-US" => assert!(!cyrillic(&heard.all_said())),
            "uk-UA" => assert!(greeting.1.contains('і') && cyrillic(&greeting.1)),
            _ => assert!(!greeting.1.contains('і') && cyrillic(&greeting.1)),
        }
        let conversation = conversation_of(&server, from).await;
        assert_eq!((conversation.channel, conversation.status), (Channel::Voice, ConversationStatus::Bot));
    }
}

#[tokio::test]
async fn silence_repeats_what_was_said_and_zero_reaches_the_queue_with_a_calm_wait() {
    let (server, _fake, phone) = voice_server().await;
    let from = "+380501110010";
    let mut call = phone.call(CALL, from, LINE_NUMBER).await.unwrap();
    call.press("2").await.unwrap();
    let asked = call.heard().clone();
    // The gather timed out: the provider follows the redirect, and the caller hears it again.
    call.follow_redirect().await.unwrap();
    assert_eq!(call.heard().said, asked.said);

    // The caller type: "0" is a person at once.
    let heard = call.press("0").await.unwrap().clone();
    let enqueue = heard.enqueue.clone().expect("the caller waits in the line's queue");
    assert_eq!(enqueue.queue, "safepassage-main");
    assert!(heard.gather.is_none() && !heard.hangup);
    assert!(heard.said.iter().all(|(l, _)| l == "uk-UA"), "{heard:?}");
    let conversation = conversation_of(&server, from).await;
    assert_eq!(conversation.status, ConversationStatus::Queued);
    let summary = server.state.flow_summary(conversation.id).await.unwrap().unwrap();
    assert_eq!(summary.results.get("caller_type").map(String::as_str), Some("0"));

    // While waiting: the place in line in Ukrainian, and silence; no outside audio.
    let waiting = call.wait_in_queue().await.unwrap();
    assert_eq!(call.last_status(), 200);
    assert_eq!(waiting.said.len(), 1, "{waiting:?}");
    assert_eq!(waiting.said[0].0, "uk-UA");
    assert!(waiting.said[0].1.contains('1') && waiting.said[0].1.contains("черзі"), "{waiting:?}");
    assert!(waiting.paused_s > 0 && waiting.played.is_empty());
}

#[tokio::test]
async fn a_caller_type_is_kept_as_the_flow_s_result() {
    let (server, _fake, phone) = voice_server().await;
    let from = "+380501110020";
    let mut call = phone.call(CALL, from, LINE_NUMBER).await.unwrap();
    call.press("3").await.unwrap();
    let heard = call.press("3").await.unwrap().clone();
    // A relative: then the codename question, in English.
    assert!(heard.all_said().contains("codename"), "{heard:?}");
    assert!(heard.gather.is_some());
    let summary = server.state.flow_summary(conversation_of(&server, from).await.id).await.unwrap().unwrap();
    assert_eq!(summary.results.get("caller_type").map(String::as_str), Some("3"));
    assert_eq!(summary.results.get("role").map(String::as_str), Some("relative"));
}

/// A call taken to the codename entry in Russian (serviceman, "I have a codename").
async fn at_codename_entry(phone: &TestPhone, from: &str) -> Call {
    let mut call = phone.call(CALL, from, LINE_NUMBER).await.unwrap();
    call.press("1").await.unwrap();
    call.press("1").await.unwrap();
    let asked = call.press("1").await.unwrap().clone();
    assert!(asked.all_said().contains("шестнадцать цифр"), "{asked:?}");
    let gather = asked.gather.unwrap();
    assert_eq!((gather.num_digits, gather.finish_on_key.as_deref()), (None, Some("#")));
    call
}

#[tokio::test]
async fn a_keyed_codename_joins_the_call_to_its_case_first_in_line_and_is_kept_nowhere() {
    let (server, _fake, phone) = voice_server().await;
    let (case, codename) = issued_codename(&server).await;
    let from = "+380501110030";
    let mut call = at_codename_entry(&phone, from).await;
    let heard = call.press(&format!("{}#", codename.digits())).await.unwrap().clone();
    assert!(heard.enqueue.is_some(), "{heard:?}");
    assert!(!heard.all_said().chars().any(|c| c.is_ascii_digit()), "the digits are never spoken back");

    let conversation = conversation_of(&server, from).await;
    assert_eq!(conversation.case, Some(case), "the call joined the case");
    assert_eq!(conversation.status, ConversationStatus::Queued);
    assert!(conversation.priority, "a returning caller is first in line");
    let transcript = server.state.recent_messages(conversation.id, 100).await.unwrap();
    let applicant: Vec<&str> =
        transcript.iter().filter(|m| m.sender == Sender::Applicant).filter_map(|m| m.body.text()).collect();
    assert!(applicant.contains(&"•••"), "{applicant:?}");
    for m in &transcript {
        let text = m.body.text().unwrap_or("");
        assert!(!text.contains(codename.digits()), "{text}");
    }
    let summary = server.state.flow_summary(conversation.id).await.unwrap().unwrap();
    assert!(!summary.results.contains_key("codename_entered"), "{summary:?}");
    assert!(!summary.results.values().any(|v| v.contains(codename.digits())));
}

#[tokio::test]
async fn a_wrong_codename_joins_nothing_and_the_caller_still_reaches_a_person() {
    let (server, _fake, phone) = voice_server().await;
    let (_case, _codename) = issued_codename(&server).await;
    let from = "+380501110040";
    let mut call = at_codename_entry(&phone, from).await;
    let wrong: String = unknown_codename(7).chars().filter(char::is_ascii_digit).collect();
    let heard = call.press(&format!("{wrong}#")).await.unwrap().clone();
    assert!(heard.enqueue.is_some(), "{heard:?}");
    let conversation = conversation_of(&server, from).await;
    assert_eq!((conversation.case, conversation.status), (None, ConversationStatus::Queued));
    assert!(!conversation.priority);
    let transcript = server.state.recent_messages(conversation.id, 100).await.unwrap();
    assert!(transcript.iter().all(|m| !m.body.text().unwrap_or("").contains(&wrong)));
}

#[tokio::test]
async fn an_operator_with_a_phone_takes_the_call_and_the_caller_is_dialled_through() {
    let (server, fake, phone) = voice_server().await;
    let from = "+380501110050";
    let mut call = phone.call(CALL, from, LINE_NUMBER).await.unwrap();
    call.press("3").await.unwrap();
    call.press("0").await.unwrap();
    let conversation = conversation_of(&server, from).await;

    let operator = server.staff(Role::Operator, "oksana").await;
    let session = login(&server, &operator).await;
    // A number that is not one is refused and kept nowhere.
    let refused = session.post("/console/account/phone", &[("phone", "call me maybe")]).await;
    assert_eq!(refused.status(), 422);
    assert!(server.state.store.staff_phone(operator.id).await.unwrap().is_none());
    let saved = session.post("/console/account/phone", &[("phone", "+380 44 123 45 67")]).await;
    assert_eq!(saved.status(), 303);
    assert!(session.page("/console/account").await.contains("+380441234567"));

    // The queue shows it as a call.
    let queue = session.page("/console/queue").await;
    assert!(queue.contains("badge call"), "the call is marked");
    assert!(["дзвінок", "звонок", ">call"].iter().any(|w| queue.contains(w)));

    let took = session.post(&format!("/console/conversations/{}/take", conversation.id), &[]).await;
    assert_eq!(took.status(), 303);
    let mut updates = Vec::new();
    for _ in 0..200 {
        updates = fake.updates();
        if !updates.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(updates.len(), 1, "one call update");
    let (sid, params) = &updates[0];
    assert_eq!(sid, call.sid());
    let twiml = params.iter().find(|(n, _)| n == "Twiml").map(|(_, v)| v.as_str()).unwrap();
    assert!(twiml.contains("<Dial callerId=\"+15005550001\"><Number>+380441234567</Number></Dial>"), "{twiml}");
}

#[tokio::test]
async fn status_callbacks_and_a_hang_up_while_waiting_are_events_on_the_conversation() {
    let (server, _fake, phone) = voice_server().await;
    let from = "+380501110060";
    let mut call = phone.call(CALL, from, LINE_NUMBER).await.unwrap();
    assert_eq!(call.status(STATUS, CallStatus::Ringing).await.unwrap(), 200);
    assert_eq!(call.status(STATUS, CallStatus::InProgress).await.unwrap(), 200);
    call.press("1").await.unwrap();
    call.press("0").await.unwrap();
    assert!(call.heard().enqueue.as_ref().and_then(|e| e.action.as_ref()).is_some());
    assert_eq!(call.hang_up(STATUS).await.unwrap(), 200);
    let conversation = conversation_of(&server, from).await;
    let statuses: Vec<CallStatusCode> = server
        .state
        .store
        .timeline(conversation.id.0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.event {
            Event::CallStatusChanged { status, .. } => Some(status),
            _ => None,
        })
        .collect();
    assert_eq!(
        statuses,
        [CallStatusCode::Ringing, CallStatusCode::InProgress, CallStatusCode::HungUpWaiting, CallStatusCode::Completed]
    );
    // The conversation stays in the queue; only the events say the caller is gone.
    assert_eq!(conversation.status, ConversationStatus::Queued);
}

#[tokio::test]
async fn unsigned_forged_and_wrong_line_requests_are_refused_and_start_nothing() {
    let (server, _fake, phone) = voice_server().await;
    let from = "+380501110070";
    let params: Vec<(String, String)> = [
        ("AccountSid", ACCOUNT),
        ("CallSid", "CA00000000000000000000000000000001"),
        ("CallStatus", "ringing"),
        ("Direction", "inbound"),
        ("From", from),
        ("To", LINE_NUMBER),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
    .collect();
    for hook in ["call", "gather", "wait", "status"] {
        let path = format!("/channels/voice/main/{hook}");
        assert_eq!(phone.post_unsigned(&path, &params).await.unwrap(), 403, "{hook} unsigned");
        assert_eq!(
            phone.post_with_signature(&path, &params, "bm90IHRoZSBzaWduYXR1cmU=").await.unwrap(),
            403,
            "{hook} forged"
        );
    }
    // Signed with another token, or to a line that does not exist.
    let stranger = TestPhone::new(&server.base, "not-the-token", ACCOUNT);
    let call = stranger.call(CALL, from, LINE_NUMBER).await.unwrap();
    assert_eq!(call.last_status(), 403);
    let call = phone.call("/channels/voice/other/call", from, LINE_NUMBER).await.unwrap();
    assert_eq!(call.last_status(), 404);
    // Signed, but for another account.
    let other_account = TestPhone::new(&server.base, TOKEN, "AC99999999999999999999999999999999");
    assert_eq!(other_account.call(CALL, from, LINE_NUMBER).await.unwrap().last_status(), 403);
    // Signed but not a webhook: a clear 400.
    let (status, _) = phone.post_signed(CALL, &[("CallSid".into(), "CA1".into())]).await.unwrap();
    assert_eq!(status, 400);
    let found = server.state.store.latest_conversation_for_identity(Channel::Voice, from).await.unwrap();
    assert!(found.is_none(), "nothing refused started a conversation");
}

#[tokio::test]
async fn the_caller_s_number_never_reaches_the_database() {
    let (server, _fake, phone) = voice_server().await;
    let from = "+380509876543";
    let mut call = phone.call(CALL, from, LINE_NUMBER).await.unwrap();
    call.press("1").await.unwrap();
    call.press("0").await.unwrap();
    call.status(STATUS, CallStatus::InProgress).await.unwrap();
    let conversation = conversation_of(&server, from).await;
    assert_eq!(server.state.store.reply_to(conversation.id).await.unwrap().unwrap(), format!("main:{}", call.sid()));
    let mut bytes = Vec::new();
    for name in ["test.db", "test.db-wal"] {
        if let Ok(b) = std::fs::read(server._dir.path().join(name)) {
            bytes.extend(b);
        }
    }
    assert!(!bytes.is_empty());
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(!contains(from.as_bytes()) && !contains(b"380509876543"), "the number is only a keyed hash");
    assert!(!contains(call.sid().as_bytes()), "the call's id is sealed");
}

#[tokio::test]
async fn a_call_with_the_bot_shows_in_the_queue_live_and_cannot_be_taken_before_it_asks_for_a_person() {
    let (server, _fake, phone) = voice_server().await;
    let operator = server.staff(Role::Operator, "taras").await;
    let session = login(&server, &operator).await;
    let mut changes = server.state.hub.subscribe_queue();
    let from = "+380501110060";
    let mut call = phone.call(CALL, from, LINE_NUMBER).await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), changes.recv()).await.unwrap().unwrap();
    let conversation = conversation_of(&server, from).await;
    let queue = session.page("/console/queue?lang=en").await;
    let row =
        queue.split("<tr").find(|r| r.contains(&conversation.id.to_string())).expect("the ringing call is listed");
    assert!(row.contains("with-bot") && row.contains("with the bot"), "{row}");
    assert!(!row.contains("/take"), "not taken while the caller is in the menu: {row}");

    // "0": now it waits for a person, and the row is the queue's own, with its take button.
    call.press("1").await.unwrap();
    call.press("0").await.unwrap();
    let queue = session.page("/console/queue?lang=en").await;
    let row = queue.split("<tr").find(|r| r.contains(&conversation.id.to_string())).unwrap();
    assert!(!row.contains("with-bot") && row.contains("/take"), "{row}");
}
