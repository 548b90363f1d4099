//! The console at work: taking from the queue (one winner), replying (the applicant gets it),
//! live updates, case moves, views recorded as events, and enrolling a new user.

use std::time::Duration;

use futures_util::StreamExt;
use safepassage_domain::{CaseState, Event, Language, Role, Sender};
use safepassage_store::ConversationStatus;

use super::console::{attempt, location, login, Session};
use super::{client, TestServer};

/// Reads an event stream until `needle` shows up (or gives up after `wait`).
async fn stream_until(response: reqwest::Response, needle: &str, wait: Duration) -> String {
    let mut seen = String::new();
    let mut body = response.bytes_stream();
    let _ = tokio::time::timeout(wait, async {
        while let Some(Ok(chunk)) = body.next().await {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains(needle) {
                break;
            }
        }
    })
    .await;
    seen
}

#[tokio::test]
async fn two_operators_take_at_once_and_exactly_one_wins() {
    let server = TestServer::start().await;
    let a = login(&server, &server.staff(Role::Operator, "race-a").await).await;
    let b = login(&server, &server.staff(Role::Operator, "race-b").await).await;
    for _ in 0..5 {
        let (_, conversation, _) = crate::http_suite::queued_chat(&server.state, Language::Uk).await;
        let path = format!("/console/conversations/{}/take", conversation.id);
        let (ra, rb) = tokio::join!(a.post(&path, &[]), b.post(&path, &[]));
        let winner_page = format!("/console/conversations/{}", conversation.id);
        let mut locations = [location(&ra), location(&rb)];
        locations.sort();
        assert_eq!(locations, [winner_page, "/console/queue?notice=taken".to_owned()], "one wins, one is told");
        let taken = server.state.store.conversation(conversation.id).await.unwrap().unwrap();
        assert_eq!(taken.status, ConversationStatus::Assigned);
        let assignments = server
            .state
            .store
            .timeline(conversation.id.0, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| matches!(e.event, Event::ConversationAssigned { .. }))
            .count();
        assert_eq!(assignments, 1);
    }
    let notice = a.page("/console/queue?notice=taken&lang=en").await;
    assert!(notice.contains("id=\"notice\"") && notice.contains("already taken"), "{notice}");
}

#[tokio::test]
async fn the_queue_lists_waiting_conversations_oldest_first_with_hooks() {
    let server = TestServer::start().await;
    let session = login(&server, &server.staff(Role::Operator, "queue-reader").await).await;
    let (_, first, _) = crate::http_suite::queued_chat(&server.state, Language::Ru).await;
    let (_, second, _) = crate::http_suite::queued_chat(&server.state, Language::En).await;
    let html = session.page("/console/queue?lang=en").await;
    let one = html.find(&format!("data-conversation=\"{}\"", first.id)).expect("first listed");
    let two = html.find(&format!("data-conversation=\"{}\"", second.id)).expect("second listed");
    assert!(one < two, "oldest first");
    for hook in [
        "<table id=\"queue\"",
        "class=\"queue-item",
        "class=\"waiting\"",
        "class=\"language\"",
        "class=\"channel\"",
        "<form class=\"take\"",
        "<button class=\"take\"",
    ] {
        assert!(html.contains(hook), "{hook}");
    }
    assert!(html.contains(">Russian<") && html.contains(">web chat<"));
    assert!(html.contains("<script src=\"/static/console.js\""), "live updates");
    assert!(!html.contains("style="), "no inline styles (the CSP forbids them)");
    let fragment = session.page("/console/queue?fragment=1").await;
    assert!(fragment.starts_with("<table id=\"queue\""), "the fragment is the table alone: {fragment}");
    assert!(fragment.contains(&first.id.to_string()) && !fragment.contains("<html"));
}

#[tokio::test]
async fn the_queue_stream_signals_changes() {
    let server = TestServer::start().await;
    let session = login(&server, &server.staff(Role::Operator, "watcher").await).await;
    let stream = session.get("/console/events").await;
    assert_eq!(stream.status(), 200);
    assert!(stream.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let state = server.state.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        crate::http_suite::queued_chat(&state, Language::Ru).await;
    });
    let seen = stream_until(stream, "event: queue", Duration::from_secs(5)).await;
    assert!(seen.contains("event: queue"), "{seen}");
}

#[tokio::test]
async fn a_reply_reaches_the_applicant_and_shows_live() {
    let server = TestServer::start().await;
    let operator = server.staff(Role::Operator, "replier").await;
    let session = login(&server, &operator).await;
    let (_, conversation, _) = crate::http_suite::queued_chat(&server.state, Language::Ru).await;
    let take = session.post(&format!("/console/conversations/{}/take", conversation.id), &[]).await;
    let page_path = format!("/console/conversations/{}", conversation.id);
    assert_eq!(location(&take), page_path);

    let page = session.page(&page_path).await;
    for hook in [
        "<ol id=\"transcript\"",
        "class=\"msg from-bot\"",
        "<form id=\"reply-form\"",
        "<textarea id=\"reply\" name=\"text\"",
        "<button id=\"send-reply\"",
        "<form id=\"close-form\"",
        "<form id=\"open-case-form\"",
    ] {
        assert!(page.contains(hook), "{hook}");
    }
    // The operator's console watches the conversation live.
    let after = page.split("data-after=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let stream = session.get(&format!("{page_path}/events?after={after}")).await;
    assert_eq!(stream.status(), 200);

    let mut applicant_side = server.state.hub.subscribe(conversation.id);
    let reply = "Мы здесь. Чем помочь?\r\nПишите.";
    let response = session.post(&format!("{page_path}/reply"), &[("text", reply)]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), page_path);

    let stored = server.state.store.messages(conversation.id, 0, 100).await.unwrap();
    let last = stored.last().unwrap();
    assert_eq!((last.sender, last.body.text()), (Sender::Staff, Some("Мы здесь. Чем помочь?\nПишите.")));
    let live = tokio::time::timeout(Duration::from_secs(2), applicant_side.recv()).await.unwrap().unwrap();
    assert_eq!(live.sender, Sender::Staff, "the applicant's stream gets the reply");

    let state = server.state.clone();
    let conversation_view = conversation.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        state.applicant_says(&conversation_view, "Спасибо").await.unwrap();
    });
    let seen = stream_until(stream, "Спасибо", Duration::from_secs(5)).await;
    assert!(seen.contains("event: message") && seen.contains("Пишите."), "the reply came down the stream: {seen}");
    assert!(seen.contains("\"from\":\"applicant\"") && seen.contains("Спасибо"), "{seen}");

    let empty = session.post(&format!("{page_path}/reply"), &[("text", "   ")]).await;
    assert_eq!(location(&empty), format!("{page_path}?notice=reply-empty"));
    let long = "я".repeat(4097);
    let too_long = session.post(&format!("{page_path}/reply"), &[("text", long.as_str())]).await;
    assert_eq!(location(&too_long), format!("{page_path}?notice=reply-too-long"));
}

#[tokio::test]
async fn every_view_of_a_transcript_or_case_is_an_event() {
    let server = TestServer::start().await;
    let operator = server.staff(Role::Operator, "viewer").await;
    let session = login(&server, &operator).await;
    let (_, conversation, _) = crate::http_suite::queued_chat(&server.state, Language::En).await;
    let path = format!("/console/conversations/{}", conversation.id);
    session.page(&path).await;
    session.page(&path).await;
    let views = server
        .state
        .store
        .timeline(conversation.id.0, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event == Event::TranscriptViewed { conversation: conversation.id, by: operator.id })
        .count();
    assert_eq!(views, 2, "who, what, and (in the log's envelope) when");

    session.post(&format!("{path}/take"), &[]).await;
    let opened = session.post(&format!("{path}/case"), &[("kind", "group")]).await;
    let case_path = location(&opened);
    assert!(case_path.starts_with("/console/cases/"), "{case_path}");
    let case_id: uuid::Uuid = case_path.trim_start_matches("/console/cases/").parse().unwrap();
    session.page(&case_path).await;
    let events = server.state.store.timeline(case_id, 100).await.unwrap();
    assert!(events
        .iter()
        .any(|e| e.event == Event::CaseViewed { case: safepassage_domain::CaseId(case_id), by: operator.id }));
}

#[tokio::test]
async fn a_case_moves_only_as_the_role_allows_and_shows_its_timeline() {
    let server = TestServer::start().await;
    let operator = server.staff(Role::Operator, "intake").await;
    let coordinator = server.staff(Role::Coordinator, "boss").await;
    let session = login(&server, &operator).await;
    let (_, conversation, _) = crate::http_suite::queued_chat(&server.state, Language::Uk).await;
    let path = format!("/console/conversations/{}", conversation.id);
    session.post(&format!("{path}/take"), &[]).await;
    let case_path = location(&session.post(&format!("{path}/case"), &[("kind", "group")]).await);

    let page = session.page(&format!("{case_path}?lang=en")).await;
    assert!(page.contains("id=\"case-state\"") && page.contains("data-state=\"inquiry\""));
    assert!(page.contains("<form class=\"transition"));
    assert!(page.contains("name=\"transition\" value=\"advance:registered\""));
    assert!(page.contains("value=\"close:suspected_provocation\""));
    assert!(!page.contains("advance:deployed"), "only the moves of the role");
    assert!(!page.contains("id=\"composition-form\""), "operators do not set composition");
    assert!(page.contains("<ol id=\"timeline\">") && page.contains("intake opened the case (group)."), "{page}");

    // A move the page did not offer is refused by the server too.
    let skip = session.post(&format!("{case_path}/transition"), &[("transition", "advance:located")]).await;
    assert_eq!(skip.status(), 403);
    let junk = session.post(&format!("{case_path}/transition"), &[("transition", "advance:heaven")]).await;
    assert_eq!(junk.status(), 400);

    let moved = session.post(&format!("{case_path}/transition"), &[("transition", "advance:registered")]).await;
    assert_eq!(location(&moved), format!("{case_path}?notice=moved"));
    let page = session.page(&case_path).await;
    assert!(page.contains("data-state=\"registered\""));
    assert!(!page.contains("advance:"), "registered → deployed is the specialist's move");

    // The coordinator sees every open case and records the group.
    let boss = login(&server, &coordinator).await;
    let list = boss.page("/console/cases").await;
    assert!(list.contains(&case_path));
    let page = boss.page(&case_path).await;
    assert!(
        page.contains("id=\"composition-form\"")
            && page.contains("name=\"size\"")
            && page.contains("name=\"officers\"")
    );
    let bad = boss.post(&format!("{case_path}/composition"), &[("size", "3"), ("officers", "4")]).await;
    assert_eq!(location(&bad), format!("{case_path}?notice=composition-invalid"));
    let good = boss.post(&format!("{case_path}/composition"), &[("size", "12"), ("officers", "2")]).await;
    assert_eq!(location(&good), format!("{case_path}?notice=composition-saved"));
    let case_id = safepassage_domain::CaseId(case_path.trim_start_matches("/console/cases/").parse().unwrap());
    let case = server.state.store.case(case_id).await.unwrap().unwrap();
    assert_eq!(case.composition.map(|c| (c.size, c.officers)), Some((12, 2)));
    // Closing keeps it in the coordinator's sight, read-only (the archive): back to its page.
    let closed =
        boss.post(&format!("{case_path}/transition"), &[("transition", "close:duplicate"), ("confirm", "1")]).await;
    assert_eq!(location(&closed), format!("{case_path}?notice=moved"));
    assert_eq!(server.state.store.case(case_id).await.unwrap().unwrap().state, CaseState::Closed);
}

#[tokio::test]
async fn operations_see_the_hand_off_package_without_history() {
    let server = TestServer::start().await;
    let specialist = server.staff(Role::Specialist, "spec").await;
    let coordinator = server.staff(Role::Coordinator, "coord").await;
    let ops = server.staff(Role::Operations, "unit").await;
    let (_, conversation, _) = crate::http_suite::queued_chat(&server.state, Language::Ru).await;
    server.state.staff_says(&conversation, "секретная переписка").await.unwrap();
    let case = server
        .state
        .store
        .open_case(Some(conversation.id), safepassage_domain::CaseKind::Group, specialist.id)
        .await
        .unwrap();
    use safepassage_domain::Transition::Advance;
    for to in [CaseState::Registered, CaseState::Deployed, CaseState::Located] {
        if to == CaseState::Located {
            super::location::record_a_location(&server, case, specialist.id).await;
        }
        server.state.store.transition_case(case, Advance { to }, specialist.id, Role::Specialist).await.unwrap();
    }
    server.state.store.set_group_composition(case, 5, 1, specialist.id, Role::Specialist).await.unwrap();
    let (s, c) = (login(&server, &specialist).await, login(&server, &coordinator).await);
    let other = login(&server, &server.staff(Role::Coordinator, "coord-2").await).await;
    crate::http_suite::exit_plan::write_and_approve_plan(&server, &s, &other, case, "Ждите.").await;
    crate::http_suite::exit_plan::hand_off(&c, case).await;
    let session = login(&server, &ops).await;
    let list = session.page("/console/handoffs").await;
    assert!(list.contains(&format!("/console/handoffs/{case}")));
    let page = session.page(&format!("/console/handoffs/{case}")).await;
    assert!(page.contains("id=\"package\"") && page.contains("5 / 1"));
    assert!(!page.contains("id=\"timeline\"") && !page.contains("/console/conversations/"), "no history");
    assert!(!page.contains("секретная"));
    assert_eq!(session.get(&format!("/console/cases/{case}")).await.status(), 403, "no case page");
}

#[tokio::test]
async fn an_admin_enrols_a_user_who_sets_up_the_account_at_the_first_login() {
    let server = TestServer::start().await;
    let admin = login(&server, &server.staff(Role::Admin, "admin").await).await;
    let page = admin.page("/console/admin/users").await;
    assert!(page.contains("<table id=\"users\"") && page.contains("<form id=\"add-user-form\""));
    let response = admin.post("/console/admin/users", &[("name", "new.operator"), ("role", "operator")]).await;
    assert_eq!(response.status(), 200, "shown once, on the answer itself");
    let html = response.text().await.unwrap();
    let password = html.split("id=\"one-time-password\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    assert_eq!(password.len(), 20);
    assert!(
        !html.contains("otpauth") && !html.contains("totp-qr") && !html.contains("totp-secret"),
        "no TOTP for the admin"
    );
    let user = server.state.store.user_by_name("new.operator").await.unwrap().unwrap();
    assert_eq!((user.role, user.status), (Role::Operator, safepassage_store::AccountStatus::Pending));
    assert!(!user.password_hash.contains(&password), "only the Argon2id hash is kept");

    // The first login: name and one-time password, no code; the session reaches only setup.
    let newcomer = client();
    let first = attempt(&newcomer, &server, "new.operator", &password, "").await;
    assert_eq!(location(&first), "/console/setup");
    let elsewhere = newcomer.get(server.url("/console/queue")).send().await.unwrap();
    assert_eq!(location(&elsewhere), "/console/setup", "nothing else until the account is set up");
    let setup = newcomer.get(server.url("/console/setup")).send().await.unwrap().text().await.unwrap();
    let qr = setup.split("<div id=\"totp-qr\"").nth(1).unwrap();
    assert!(qr.split_once('>').unwrap().1.starts_with("<svg"), "an inline SVG, drawn by the server");
    assert!(!setup.contains("<img") && !setup.contains("style="), "no external image, no inline style");
    let secret = setup.split("id=\"totp-secret\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    let reload = newcomer.get(server.url("/console/setup")).send().await.unwrap().text().await.unwrap();
    assert!(reload.contains(&secret), "a reload shows the same secret");
    let secret = totp_rs::Secret::Encoded(secret).to_bytes().unwrap();
    let generator = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, secret, None, "x".into()).unwrap();
    let csrf = super::console::csrf_in(&setup).unwrap();
    let submit = |fields: Vec<(&'static str, String)>| {
        let mut form = vec![("csrf", csrf.clone())];
        form.extend(fields);
        newcomer.post(server.url("/console/setup")).form(&form).send()
    };
    let code = generator.generate_current().unwrap();
    let weak =
        submit(vec![("password", "password1234".into()), ("repeat", "password1234".into()), ("totp", code.clone())])
            .await
            .unwrap();
    assert_eq!(weak.status(), 422, "a common password is refused");
    let chosen = "amber-lantern-73-quietly-folds";
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let bad_code =
        submit(vec![("password", chosen.into()), ("repeat", chosen.into()), ("totp", wrong.into())]).await.unwrap();
    assert_eq!(bad_code.status(), 422, "the secret is confirmed by a code");
    let done = submit(vec![("password", chosen.into()), ("repeat", chosen.into()), ("totp", code)]).await.unwrap();
    assert_eq!(location(&done), "/console/login?notice=account-ready");
    let after = newcomer.get(server.url("/console")).send().await.unwrap();
    assert!(location(&after).starts_with("/console/login"), "the one-time session ended");
    let user = server.state.store.user(user.id).await.unwrap().unwrap();
    assert_eq!(user.status, safepassage_store::AccountStatus::Active);

    // The one-time password is spent; the chosen one and the app's next code open the console.
    let next_code = generator.generate(generator.next_step_current().unwrap());
    let old = attempt(&client(), &server, "new.operator", &password, &next_code).await;
    assert_eq!(location(&old), "/console/login?notice=login-failed");
    let login = attempt(&client(), &server, "new.operator", chosen, &next_code).await;
    assert_eq!(location(&login), "/console/queue");
    let events = server.state.store.timeline(user.id.0, 100).await.unwrap();
    assert!(events.iter().any(|e| e.event == safepassage_domain::Event::UserActivated { user: user.id }));

    // The page afterwards lists the user but never shows the password again.
    let again = admin.page("/console/admin/users").await;
    assert!(again.contains("new.operator") && !again.contains(&password) && !again.contains("one-time-password\""));
    let duplicate = admin.post("/console/admin/users", &[("name", "new.operator"), ("role", "admin")]).await;
    assert_eq!(location(&duplicate), "/console/admin/users?notice=user-exists");
    let bad = admin.post("/console/admin/users", &[("name", "bad name"), ("role", "admin")]).await;
    assert_eq!(location(&bad), "/console/admin/users?notice=user-name-invalid");
}

#[tokio::test]
async fn admins_see_no_case_content() {
    let server = TestServer::start().await;
    let specialist = server.staff(Role::Specialist, "owner").await;
    let (_, conversation, _) = crate::http_suite::queued_chat(&server.state, Language::Ru).await;
    server.state.applicant_says(&conversation, "очень личное").await.unwrap();
    let case = server
        .state
        .store
        .open_case(Some(conversation.id), safepassage_domain::CaseKind::Individual, specialist.id)
        .await
        .unwrap();
    let admin: Session = login(&server, &server.staff(Role::Admin, "root").await).await;
    for path in [
        "/console".to_owned(),
        "/console/admin/users".to_owned(),
        format!("/console/cases/{case}"),
        format!("/console/conversations/{}", conversation.id),
        "/console/cases".to_owned(),
    ] {
        let body = admin.get(&path).await.text().await.unwrap();
        let hex = case.0.simple().to_string();
        assert!(!body.contains("очень личное") && !body.contains(&hex[hex.len() - 8..]), "{path}");
    }
}
