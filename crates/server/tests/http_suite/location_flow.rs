//! A location the applicant sends, beyond its report: a flow waiting for one (RapidPro's "wait
//! for location") routes the point it receives as `geo:LAT,LON`, words as text; the transcript
//! and the console's live streams say that a location came without ever naming the place, and
//! it counts as the case's contact.

use std::time::Duration;

use safepassage_domain::{CaseKind, Role, Sender};
use serde_json::json;

use super::chat_api::new_session;
use super::console::login;
use super::console_flows::{admin, upload_allowing};
use super::{client, TestServer};

/// An intake that asks where the applicant is and waits for a location (`has_location` on
/// `@input`, as `wait_for_location` with a case): a point says "Got it.", words ask again.
fn where_are_you() -> String {
    json!({
        "uuid": "7a2b3c4d-5e6f-4a70-8b81-9c0d1e2f3a01", "name": "Intake", "spec_version": "14.4.2",
        "language": "eng", "type": "messaging",
        "nodes": [
            {"uuid": "7a2b3c4d-5e6f-4a70-8b81-9c0d1e2f3a11",
             "actions": [{"uuid": "7a2b3c4d-5e6f-4a70-8b81-9c0d1e2f3a21", "type": "send_msg", "text": "Where are you?"}],
             "router": {"type": "switch", "operand": "@input", "result_name": "location",
                "wait": {"type": "msg", "hint": {"type": "location"}},
                "cases": [{"uuid": "7a2b3c4d-5e6f-4a70-8b81-9c0d1e2f3a31", "type": "has_location", "arguments": [],
                           "category_uuid": "7a2b3c4d-5e6f-4a70-8b81-9c0d1e2f3a41"}],
                "categories": [
                    {"uuid": "7a2b3c4d-5e6f-4a70-8b81-9c0d1e2f3a41", "name": "Location",
                     "exit_uuid": "7a2b3c4d-5e6f-4a70-8b81-9c0d1e2f3a51"},
                    {"uuid": "7a2b3c4d-5e6f-4a70-8b81-9c0d1e2f3a42", "name": "Other",
                     "exit_uuid": "7a2b3c4d-5e6f-4a70-8b81-9c0d1e2f3a52"}],
                "default_category_uuid": "7a2b3c4d-5e6f-4a70-8b81-9c0d1e2f3a42"},
             "exits": [
                {"uuid": "7a2b3c4d-5e6f-4a70-8b81-9c0d1e2f3a51", "destination_uuid": "7a2b3c4d-5e6f-4a70-8b81-9c0d1e2f3a12"},
                {"uuid": "7a2b3c4d-5e6f-4a70-8b81-9c0d1e2f3a52", "destination_uuid": "7a2b3c4d-5e6f-4a70-8b81-9c0d1e2f3a13"}]},
            {"uuid": "7a2b3c4d-5e6f-4a70-8b81-9c0d1e2f3a12",
             "actions": [{"uuid": "7a2b3c4d-5e6f-4a70-8b81-9c0d1e2f3a22", "type": "send_msg", "text": "Got it."}],
             "exits": [{"uuid": "7a2b3c4d-5e6f-4a70-8b81-9c0d1e2f3a53"}]},
            {"uuid": "7a2b3c4d-5e6f-4a70-8b81-9c0d1e2f3a13",
             "actions": [{"uuid": "7a2b3c4d-5e6f-4a70-8b81-9c0d1e2f3a23", "type": "send_msg",
                          "text": "Please share your location."}],
             "exits": [{"uuid": "7a2b3c4d-5e6f-4a70-8b81-9c0d1e2f3a54",
                        "destination_uuid": "7a2b3c4d-5e6f-4a70-8b81-9c0d1e2f3a11"}]}
        ]
    })
    .to_string()
}

async fn send_location(server: &TestServer, token: &str, body: serde_json::Value) {
    let sent = client().post(server.url("/api/v1/chat/location")).bearer_auth(token).json(&body).send().await.unwrap();
    assert_eq!(sent.status(), 201);
}

/// The transcript as `(sender, text)`, oldest first.
async fn transcript(server: &TestServer, conversation: safepassage_domain::ConversationId) -> Vec<(Sender, String)> {
    let messages = server.state.recent_messages(conversation, 50).await.unwrap();
    messages.into_iter().map(|m| (m.sender, m.body.text().unwrap_or_default().to_owned())).collect()
}

/// Reads an event stream until `needle` shows (true) or `within` passes (false); returns
/// what was read.
async fn read_until(stream: &mut reqwest::Response, needle: &str, within: Duration) -> (bool, String) {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.chunk()).await {
            Ok(Ok(Some(bytes))) => {
                seen.push_str(&String::from_utf8_lossy(&bytes));
                if seen.contains(needle) {
                    return (true, seen);
                }
            }
            _ => return (false, seen),
        }
    }
}

#[tokio::test]
async fn a_flow_waiting_for_a_location_routes_the_point_and_asks_again_after_words() {
    let server = TestServer::start().await;
    let (_, admin_session) = admin(&server).await;
    assert_eq!(upload_allowing(&admin_session, &where_are_you(), &[]).await.status(), 303);
    let (token, created) = new_session(&server, "en").await;
    assert_eq!(created["messages"][0]["text"], "Where are you?", "{created}");
    let conversation = server.state.conversation_for_token(&token).await.unwrap().unwrap().id;

    // A place in words, from the page's form (no JavaScript), resumes the flow as text: not a
    // location, so it asks again.
    let posted = client()
        .post(server.url("/chat/location"))
        .header("cookie", format!("sp_chat={token}"))
        .form(&[("place", "in the basement of the school"), ("source", "applicant_typed"), ("lang", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 303);
    let said = transcript(&server, conversation).await;
    let texts: Vec<&str> = said.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        texts,
        ["Where are you?", "[Location sent]", "Please share your location.", "Where are you?"],
        "the place itself is not in the transcript"
    );
    assert_eq!(said[1].0, Sender::Applicant);

    // A point (the browser's): the attachment `geo:LAT,LON` routes to "Got it.", the result
    // holding the point.
    send_location(&server, &token, json!({ "lat": 48.0159, "lon": 37.8028, "accuracy_m": 20, "source": "browser" }))
        .await;
    let said = transcript(&server, conversation).await;
    let last: Vec<&str> = said.iter().rev().take(2).map(|(_, t)| t.as_str()).collect();
    assert_eq!(last, ["Got it.", "[Location sent]"]);
    assert!(said.iter().all(|(_, t)| !t.contains("48.0") && !t.contains("basement")), "{said:?}");
    let summary = server.state.flow_summary(conversation).await.unwrap().unwrap();
    assert_eq!(summary.results.get("location").map(String::as_str), Some("48.015900,37.802800"), "{summary:?}");

    // Both are reports of the conversation, sealed as before.
    let reports = server.state.store.conversation_locations(conversation).await.unwrap();
    assert_eq!(reports.len(), 2);
    assert!(reports.iter().any(|r| r.text.as_deref() == Some("in the basement of the school")));
}

#[tokio::test]
async fn a_location_is_told_live_to_the_conversations_watchers_and_the_cases_holder() {
    let server = TestServer::start().await;
    let holder = server.staff(Role::Specialist, "locflow-holder").await;
    let coordinator = server.staff(Role::Coordinator, "locflow-coord").await;
    let (h, c) = (login(&server, &holder).await, login(&server, &coordinator).await);
    let (token, _) = new_session(&server, "ru").await;
    let conversation = server.state.conversation_for_token(&token).await.unwrap().unwrap();
    // The applicant asks for a person; the bot opens the case, a coordinator gives it to the holder.
    server.state.applicant_says(&conversation, "оператор").await.unwrap();
    let case = server.state.store.open_case_by_bot(conversation.id, CaseKind::Individual).await.unwrap();
    let assigned = c.post(&format!("/console/cases/{case}/assign"), &[("to", &holder.id.0.to_string())]).await;
    assert_eq!(assigned.status(), 303);

    let mut transcript_stream = h.get(&format!("/console/conversations/{}/events", conversation.id)).await;
    assert_eq!(transcript_stream.status(), 200);
    let mut cases_stream = h.get("/console/cases/events").await;
    assert_eq!(cases_stream.status(), 200);
    let before = server.state.store.case_wait(case).await.unwrap().unwrap().last_contact_ms;

    send_location(&server, &token, json!({ "lat": 48.0159, "lon": 37.8028 })).await;

    let (told, seen) = read_until(&mut transcript_stream, "Местоположение отправлено", Duration::from_secs(5)).await;
    assert!(told, "the conversation's watchers see a line: {seen}");
    assert!(seen.contains("event: message") && seen.contains("\"from\":\"applicant\""), "{seen}");
    assert!(!seen.contains("48.0") && !seen.contains("37.8"), "no place on the stream: {seen}");
    let (told, seen) =
        read_until(&mut cases_stream, &format!("event: contact\ndata: {case}"), Duration::from_secs(5)).await;
    assert!(told, "the holder is told, ids only: {seen}");
    assert!(!seen.contains("48.0"), "{seen}");
    let after = server.state.store.case_wait(case).await.unwrap().unwrap().last_contact_ms;
    assert!(after.is_some() && after >= before, "a location is the case's contact");
    assert_eq!(server.state.store.locations(case).await.unwrap().len(), 1);
}
