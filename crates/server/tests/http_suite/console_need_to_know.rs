//! Need to know at the console, issue 8: a conversation's live stream is a recorded view that
//! ends when access does; a case's conversation that comes back goes to the case's people, not
//! to the queue; codenames typed by applicants are masked; irreversible moves ask first; the
//! favicon is served.

use std::time::Duration;

use futures_util::StreamExt;
use safepassage_domain::{CaseKind, CaseState, ConversationId, Event, Language, Role, Transition};
use safepassage_store::ConversationStatus;

use super::console::{location, login, Session};
use super::exit_plan::{case_at, Stage};
use super::{client, queued_chat, TestServer};

/// Reads an event stream until `needle` shows up, the stream ends, or `wait` passes; says
/// whether it ended.
async fn read_stream(response: reqwest::Response, needle: &str, wait: Duration) -> (String, bool) {
    let mut seen = String::new();
    let mut body = response.bytes_stream();
    let mut ended = false;
    let _ = tokio::time::timeout(wait, async {
        loop {
            match body.next().await {
                Some(Ok(chunk)) => {
                    seen.push_str(&String::from_utf8_lossy(&chunk));
                    if seen.contains(needle) {
                        break;
                    }
                }
                _ => {
                    ended = true;
                    break;
                }
            }
        }
    })
    .await;
    if seen.contains(needle) && !ended {
        // The end follows the last event at once, if it is the end.
        ended = matches!(tokio::time::timeout(Duration::from_secs(2), body.next()).await, Ok(None | Some(Err(_))));
    }
    (seen, ended)
}

async fn views_by(server: &TestServer, conversation: ConversationId, by: safepassage_domain::UserId) -> usize {
    let timeline = server.state.store.timeline(conversation.0, 1000).await.unwrap();
    timeline.iter().filter(|e| e.event == Event::TranscriptViewed { conversation, by }).count()
}

async fn fresh(server: &TestServer, id: ConversationId) -> safepassage_store::ConversationView {
    server.state.store.conversation(id).await.unwrap().unwrap()
}

#[tokio::test]
async fn the_conversation_stream_is_a_recorded_view_that_ends_when_someone_else_takes_it() {
    let server = TestServer::start().await;
    let watcher = server.staff(Role::Operator, "stream-watcher").await;
    let taker = server.staff(Role::Operator, "stream-taker").await;
    let watching = login(&server, &watcher).await;
    let taking = login(&server, &taker).await;
    let (_, conversation, _) = queued_chat(&server.state, Language::Ru).await;
    let id = conversation.id;

    // No backlog asked for: still a view, recorded before the stream answers.
    let stream = watching.get(&format!("/console/conversations/{id}/events?after=1000000")).await;
    assert_eq!(stream.status(), 200);
    assert_eq!(views_by(&server, id, watcher.id).await, 1, "opening the stream is recorded as a view");

    assert_eq!(taking.post(&format!("/console/conversations/{id}/take"), &[]).await.status(), 303);
    server.state.applicant_says(&fresh(&server, id).await, "только для того, кто взял").await.unwrap();
    let (seen, ended) = read_stream(stream, "event: expired", Duration::from_secs(15)).await;
    assert!(seen.contains("event: expired\ndata: access"), "{seen}");
    assert!(!seen.contains("только для того"), "the message after the loss of access is not sent: {seen}");
    assert!(ended, "the stream ends");
    assert_eq!(watching.get(&format!("/console/conversations/{id}/events")).await.status(), 404);
}

#[tokio::test]
async fn the_conversation_stream_ends_by_itself_when_access_is_lost_and_no_message_comes() {
    let server = TestServer::start().await;
    let watcher = server.staff(Role::Operator, "idle-watcher").await;
    let taker = server.staff(Role::Operator, "idle-taker").await;
    let watching = login(&server, &watcher).await;
    let (_, conversation, _) = queued_chat(&server.state, Language::Uk).await;
    let stream = watching.get(&format!("/console/conversations/{}/events", conversation.id)).await;
    assert_eq!(stream.status(), 200);
    server.state.take_conversation(conversation.id, taker.id).await.unwrap();
    let (seen, ended) = read_stream(stream, "data: access", Duration::from_secs(15)).await;
    assert!(seen.contains("event: expired\ndata: access") && ended, "checked periodically: {seen}");
}

#[tokio::test]
async fn the_conversation_stream_ends_with_its_session() {
    let server = TestServer::start().await;
    let operator = server.staff(Role::Operator, "stream-logout").await;
    let session = login(&server, &operator).await;
    let (_, conversation, _) = queued_chat(&server.state, Language::Ru).await;
    server.state.take_conversation(conversation.id, operator.id).await.unwrap();
    let stream = session.get(&format!("/console/conversations/{}/events", conversation.id)).await;
    assert_eq!(stream.status(), 200);
    assert_eq!(session.post("/console/logout", &[]).await.status(), 303);
    server.state.applicant_says(&fresh(&server, conversation.id).await, "после выхода").await.unwrap();
    let (seen, ended) = read_stream(stream, "event: expired", Duration::from_secs(15)).await;
    assert!(seen.contains("event: expired\ndata: session") && ended, "{seen}");
    assert!(!seen.contains("после выхода"), "{seen}");
}

/// The `#mine` table of a queue page.
fn mine_table(html: &str) -> &str {
    html.split("<table id=\"mine\"").nth(1).unwrap_or_default()
}

#[tokio::test]
async fn a_closed_case_conversation_goes_back_to_the_case_owner_not_the_queue() {
    let server = TestServer::start().await;
    let specialist = server.staff(Role::Specialist, "owner-s").await;
    let operator = server.staff(Role::Operator, "other-o").await;
    let coordinator = server.staff(Role::Coordinator, "coord-c").await;
    let s = login(&server, &specialist).await;
    let o = login(&server, &operator).await;
    let c = login(&server, &coordinator).await;
    let (_, conversation, _) = queued_chat(&server.state, Language::Ru).await;
    let id = conversation.id;
    let page = format!("/console/conversations/{id}");

    // S takes it, hears the registration, opens a case, and closes the conversation.
    assert_eq!(location(&s.post(&format!("{page}/take"), &[]).await), page);
    server.state.applicant_says(&fresh(&server, id).await, "Живу на улице Тайной, дом 7").await.unwrap();
    let opened = s.post(&format!("{page}/case"), &[("kind", "individual")]).await;
    assert!(location(&opened).starts_with("/console/cases/"));
    assert_eq!(s.post(&format!("{page}/close"), &[]).await.status(), 303);

    // S watches: the queue signal and the conversation itself.
    let s_queue = s.get("/console/events").await;
    let s_conversation = s.get(&format!("{page}/events")).await;
    assert_eq!((s_queue.status().as_u16(), s_conversation.status().as_u16()), (200, 200));

    // The applicant writes again.
    server.state.applicant_says(&fresh(&server, id).await, "Это снова я").await.unwrap();
    let back = fresh(&server, id).await;
    assert_eq!((back.status, back.returned), (ConversationStatus::Queued, true));

    // Another operator sees only a neutral line: no link, no id, no take, nothing said.
    for path in ["/console/queue?lang=en", "/console/queue?fragment=1&lang=en"] {
        let queue = o.page(path).await;
        assert!(queue.contains("Returning applicant, case assigned to owner-s"), "{path}: {queue}");
        assert!(!queue.contains(&id.to_string()) && !queue.contains("Тайной"), "{path}: {queue}");
    }
    assert_eq!(o.get(&page).await.status(), 404);
    assert_eq!(o.get(&format!("{page}/events")).await.status(), 404);
    assert_eq!(o.post(&format!("{page}/take"), &[]).await.status(), 404);
    assert_eq!(fresh(&server, id).await.status, ConversationStatus::Queued, "the refused take changed nothing");
    assert_eq!(views_by(&server, id, operator.id).await, 0);

    // S has it in their own list, and heard of it live.
    let queue = s.page("/console/queue?lang=en").await;
    let mine = mine_table(&queue);
    assert!(mine.contains(&format!("data-conversation=\"{id}\"")) && mine.contains("returning, your case"), "{queue}");
    let fragment = s.page("/console/queue?fragment=1").await;
    assert!(fragment.contains(&format!("href=\"/console/conversations/{id}\"")), "{fragment}");
    let (signal, _) = read_stream(s_queue, "event: queue", Duration::from_secs(5)).await;
    assert!(signal.contains("event: queue"), "{signal}");
    let (live, _) = read_stream(s_conversation, "Это снова я", Duration::from_secs(5)).await;
    assert!(live.contains("Это снова я"), "{live}");

    // The case's coordinator reads it; S takes it back.
    assert_eq!(c.get(&page).await.status(), 200);
    assert_eq!(location(&s.post(&format!("{page}/take"), &[]).await), page);
    assert_eq!(fresh(&server, id).await.assigned_to, Some(specialist.id));
}

#[tokio::test]
async fn a_returning_conversation_of_an_unowned_case_is_for_coordinators_only() {
    let server = TestServer::start().await;
    let first = server.staff(Role::Operator, "first-o").await;
    let second = server.staff(Role::Operator, "second-o").await;
    let coordinator = server.staff(Role::Coordinator, "coord-u").await;
    let a = login(&server, &first).await;
    let b = login(&server, &second).await;
    let c = login(&server, &coordinator).await;
    let (_, conversation, _) = queued_chat(&server.state, Language::Uk).await;
    let id = conversation.id;
    let page = format!("/console/conversations/{id}");
    // The bot registered the applicant: its case has no owner, and the first answer is the queue's.
    server.state.store.open_case_by_bot(id, CaseKind::Individual).await.unwrap();
    assert_eq!(b.get(&page).await.status(), 200, "the registration's first answer is anyone's on the queue");
    assert_eq!(location(&a.post(&format!("{page}/take"), &[]).await), page);
    assert_eq!(a.post(&format!("{page}/close"), &[]).await.status(), 303);
    server.state.applicant_says(&fresh(&server, id).await, "я повернулася").await.unwrap();

    for session in [&a, &b] {
        assert_eq!(session.get(&page).await.status(), 404);
        assert_eq!(session.get(&format!("{page}/events")).await.status(), 404);
        let queue = session.page("/console/queue?lang=en").await;
        assert!(queue.contains("Returning applicant, case not yet assigned"), "{queue}");
        assert!(!queue.contains(&id.to_string()));
    }
    assert_eq!(c.get(&page).await.status(), 200);
}

#[tokio::test]
async fn codenames_typed_by_applicants_are_masked_for_staff() {
    let server = TestServer::start().await;
    let operator = server.staff(Role::Operator, "mask-reader").await;
    let session = login(&server, &operator).await;
    let (_, conversation, _) = queued_chat(&server.state, Language::Ru).await;
    server.state.take_conversation(conversation.id, operator.id).await.unwrap();
    let codename = "1234 5678 9012 3452";
    server.state.applicant_says(&fresh(&server, conversation.id).await, &format!("мой код {codename}")).await.unwrap();
    let page = session.page(&format!("/console/conversations/{}", conversation.id)).await;
    assert!(!page.contains(codename) && page.contains("мой код •••• •••• •••• ••••"), "{page}");
    let stream = session.get(&format!("/console/conversations/{}/events?after=0", conversation.id)).await;
    let (seen, _) = read_stream(stream, "мой код", Duration::from_secs(5)).await;
    assert!(seen.contains("мой код •••• •••• •••• ••••") && !seen.contains(codename), "{seen}");
}

#[tokio::test]
async fn the_favicon_is_our_own_small_icon() {
    let server = TestServer::start().await;
    let response = client().get(server.url("/favicon.ico")).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "image/x-icon");
    let bytes = response.bytes().await.unwrap();
    assert_eq!(&bytes[..4], &[0, 0, 1, 0], "an ICO file");
    assert!(bytes.len() < 4096);
}

async fn state_of(server: &TestServer, case: safepassage_domain::CaseId) -> CaseState {
    server.state.store.case(case).await.unwrap().unwrap().state
}

#[tokio::test]
async fn irreversible_moves_ask_for_confirmation_first() {
    let server = TestServer::start().await;
    let specialist = server.staff(Role::Specialist, "confirm-s").await;
    let coordinator = server.staff(Role::Coordinator, "confirm-c").await;
    let ops = server.staff(Role::Operations, "confirm-ops").await;
    let s: Session = login(&server, &specialist).await;
    let case = server.state.store.open_case(None, CaseKind::Individual, specialist.id).await.unwrap();
    let path = format!("/console/cases/{case}/transition");

    // Without confirmation: the page that says what will happen, and nothing happens.
    let asked = s.post(&path, &[("transition", "close:suspected_provocation")]).await;
    assert_eq!(asked.status(), 200);
    let html = asked.text().await.unwrap();
    for hook in [
        "<form id=\"confirm-form\" method=\"post\"",
        "name=\"transition\" value=\"close:suspected_provocation\"",
        "name=\"confirm\" value=\"1\"",
        "<button id=\"confirm\"",
        "<a id=\"cancel\"",
    ] {
        assert!(html.contains(hook), "{hook}: {html}");
    }
    assert_eq!(state_of(&server, case).await, CaseState::Inquiry);
    let timeline = server.state.store.timeline(case.0, 100).await.unwrap();
    assert!(!timeline.iter().any(|e| matches!(e.event, Event::CaseClosed { .. })));
    // The same page by GET, and a refusal for a move the role does not have.
    let page = s.page(&format!("{path}?transition=close%3Asuspected_provocation&lang=en")).await;
    assert!(page.contains("id=\"confirm-form\"") && page.contains("cannot be reopened"), "{page}");
    assert_eq!(s.get(&format!("{path}?transition=advance:exited")).await.status(), 403);
    assert_eq!(s.get(&format!("{path}?transition=nonsense")).await.status(), 400);
    assert_eq!(state_of(&server, case).await, CaseState::Inquiry);
    // Confirmed: done.
    let done = s.post(&path, &[("transition", "close:suspected_provocation"), ("confirm", "1")]).await;
    assert_eq!(done.status(), 303);
    assert_eq!(state_of(&server, case).await, CaseState::Closed);

    // A move there is a way back from needs no confirmation.
    let other = server.state.store.open_case(None, CaseKind::Individual, specialist.id).await.unwrap();
    let moved = s.post(&format!("/console/cases/{other}/transition"), &[("transition", "advance:registered")]).await;
    assert_eq!(moved.status(), 303);
    assert_eq!(state_of(&server, other).await, CaseState::Registered);

    // Recording the exit asks too, through its own form once operations completed it (the
    // plain move is no longer offered to anyone, operations included).
    let _ = (&coordinator, &ops, Transition::Advance { to: CaseState::Exited });
    let done_case = case_at(&server, (specialist.id, Role::Specialist), Stage::Completed).await;
    let exit = format!("/console/cases/{done_case}/exit");
    let asked = s.post(&exit, &[]).await;
    assert_eq!(asked.status(), 200);
    assert!(asked.text().await.unwrap().contains("id=\"confirm-form\""));
    assert_eq!(state_of(&server, done_case).await, CaseState::HandedOff);
    let done = s.post(&exit, &[("confirm", "1")]).await;
    assert_eq!(location(&done), format!("/console/cases/{done_case}?notice=exit-recorded#plan"));
    assert_eq!(state_of(&server, done_case).await, CaseState::Exited);
}
