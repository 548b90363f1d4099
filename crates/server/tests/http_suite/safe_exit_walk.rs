//! One person along the whole safe-exit path, over HTTP as each of them would go: the applicant
//! in the web chat's JSON API (intake, the bot's registration and codename, coming back with the
//! codename to say "I have been deployed", a place sent as an MGRS reference), and staff at the
//! console (the coordinator assigns, the specialist registers and confirms, a plan is written,
//! refused to its author, approved by another coordinator, handed off; operations accept,
//! carry out and complete; the exit and its outcome are recorded by someone other than the
//! approver).

use safepassage_domain::{CaseId, CaseState, Event, Role};
use serde_json::{json, Value};

use super::console::{location, login, Session};
use super::exit_plan::{plan_fields, post_fields, report};
use super::{client, TestServer};

/// What the bot and staff said to the applicant, as the chat's API gives it.
pub(super) async fn chat_texts(server: &TestServer, token: &str) -> Vec<String> {
    let messages: Value = client()
        .get(server.url("/api/v1/chat/messages"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    messages["messages"].as_array().unwrap().iter().filter_map(|m| m["text"].as_str().map(str::to_owned)).collect()
}

/// The applicant writes `text` (or presses the quick reply with that text).
pub(super) async fn say(server: &TestServer, token: &str, text: &str) {
    let sent = client()
        .post(server.url("/api/v1/chat/messages"))
        .bearer_auth(token)
        .json(&json!({ "text": text }))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 202, "{text}");
}

/// A new web chat through the whole intake: the bot registers the applicant and gives the
/// codename (`(token, codename)`), and says the application is accepted.
pub(super) async fn registers_on_the_web(server: &TestServer) -> (String, String) {
    let created: Value = client()
        .post(server.url("/api/v1/chat/sessions"))
        .json(&json!({ "language": "ru" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = created["token"].as_str().unwrap().to_owned();
    for answer in ["Русский", "Военный", "На фронте", "Подать заявку", "Да, подать", "Не сейчас"]
    {
        say(server, &token, answer).await;
    }
    let said = chat_texts(server, &token).await;
    let coming = said.iter().position(|t| t.contains("16 цифр")).expect("the codename is announced");
    let codename = said[coming + 1].clone();
    assert!(safepassage_domain::Codename::parse(&codename).is_ok(), "{said:?}");
    assert!(said.last().unwrap().starts_with("Заявка принята."), "{said:?}");
    (token, codename)
}

async fn state_of(server: &TestServer, case: CaseId) -> CaseState {
    server.state.store.case(case).await.unwrap().unwrap().state
}

async fn kinds(server: &TestServer, case: CaseId) -> Vec<&'static str> {
    server.state.store.timeline(case.0, 10_000).await.unwrap().iter().map(|e| e.event.kind()).collect()
}

/// A case-page move by its form (`advance:<state>`), confirmed where the console asks.
async fn advance(session: &Session, case: CaseId, to: &str) {
    let path = format!("/console/cases/{case}/transition");
    let moved = session.post(&path, &[("transition", &format!("advance:{to}")), ("confirm", "1")]).await;
    assert_eq!(moved.status(), 303, "advance to {to}");
}

/// On a new device the applicant opens the chat, gives the codename, and tells the bot they
/// have been sent to the front: the token of that new session.
async fn report_deployed_with_the_codename(server: &TestServer, codename: &str) -> String {
    let created: Value = client()
        .post(server.url("/api/v1/chat/sessions"))
        .json(&json!({ "language": "ru" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = created["token"].as_str().unwrap().to_owned();
    let joined = client()
        .post(server.url("/api/v1/chat/codename"))
        .bearer_auth(&token)
        .json(&json!({ "codename": codename }))
        .send()
        .await
        .unwrap();
    assert_eq!(joined.status(), 200);
    let asked = chat_texts(server, &token).await;
    assert!(asked.last().unwrap().starts_with("С возвращением."), "the shipped Returning flow asks: {asked:?}");
    say(server, &token, "Меня отправили на фронт").await;
    let said = chat_texts(server, &token).await;
    assert!(said.iter().any(|t| t.starts_with("Мы отметили, что вас отправили на фронт.")), "{said:?}");
    token
}

#[tokio::test]
async fn one_person_from_the_web_intake_to_the_exit_and_its_outcome() {
    let server = TestServer::start().await;
    let specialist = server.staff(Role::Specialist, "walk-specialist").await;
    let coordinator = server.staff(Role::Coordinator, "walk-coordinator").await;
    let second = server.staff(Role::Coordinator, "walk-coordinator-2").await;
    let unit = server.staff(Role::Operations, "walk-unit").await;
    let (s, a, b, ops) = (
        login(&server, &specialist).await,
        login(&server, &coordinator).await,
        login(&server, &second).await,
        login(&server, &unit).await,
    );

    // The applicant: the web intake, the bot's registration, the codename.
    let (_, codename) = registers_on_the_web(&server).await;

    // The coordinator finds it unassigned and gives it to the specialist.
    let unassigned = server.state.store.unassigned_cases(10).await.unwrap();
    assert_eq!(unassigned.len(), 1, "the bot registered the applicant");
    let case = unassigned[0].id;
    let case_page = format!("/console/cases/{case}");
    let list = a.page("/console/cases?lang=en").await;
    assert!(list.contains(&format!("href=\"{case_page}\"")), "in the unassigned list: {list}");
    let assigned = a.post(&format!("{case_page}/assign"), &[("to", &specialist.id.0.to_string())]).await;
    assert_eq!(assigned.status(), 303);
    let opened = a.page(&format!("{case_page}?lang=en")).await;
    assert!(opened.contains("the bot opened the case (individual)."), "the bot named as such: {opened}");
    let mine = s.page("/console/cases?lang=en").await;
    assert!(mine.contains(&format!("href=\"{case_page}\"")), "in the specialist's cases: {mine}");
    advance(&s, case, "registered").await;
    assert_eq!(state_of(&server, case).await, CaseState::Registered);

    // Weeks later, on another device: the codename, and "I have been deployed".
    let token2 = report_deployed_with_the_codename(&server, &codename).await;
    let shown = s.page(&format!("{case_page}?lang=en")).await;
    assert!(shown.contains("id=\"deployed-reported\"") && shown.contains("id=\"confirm-deployed\""), "{shown}");
    advance(&s, case, "deployed").await;
    assert_eq!(state_of(&server, case).await, CaseState::Deployed);

    // The applicant sends where they are as an MGRS reference; the specialist marks it located.
    let sent = client()
        .post(server.url("/api/v1/chat/location"))
        .bearer_auth(&token2)
        .json(&json!({ "text": "37U DQ 12345 67890" }))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);
    let shown = s.page(&format!("{case_page}?lang=en")).await;
    assert!(shown.contains("37U DQ 12345 67890"), "the MGRS reference on the case: {shown}");
    assert!(shown.contains("<figure id=\"case-map\"><svg"), "the map: {shown}");
    advance(&s, case, "located").await;
    assert_eq!(state_of(&server, case).await, CaseState::Located);

    // The plan: written by the specialist; the first coordinator rewrites it, and as its author
    // is refused its approval (four eyes); the second coordinator approves it.
    let plan_page = format!("{case_page}/plan");
    assert_eq!(post_fields(&s, &plan_page, &plan_fields("Идите к водонапорной башне.")).await.status(), 303);
    let rewritten = plan_fields("Идите к водонапорной башне после 22:00. Белая ткань на левой руке.");
    assert_eq!(post_fields(&a, &plan_page, &rewritten).await.status(), 303);
    let submitted = a.post(&format!("{plan_page}/submit"), &[]).await;
    assert_eq!(location(&submitted), format!("{case_page}?notice=plan-submitted#plan"));
    let plan = server.state.store.plans(case).await.unwrap()[0].id.to_string();
    for who in [&s, &a] {
        let refused = who.post(&format!("{plan_page}/approve?lang=en"), &[("plan", &plan), ("confirm", "1")]).await;
        assert_eq!(refused.status(), 403);
    }
    let own = a.post(&format!("{plan_page}/approve?lang=en"), &[("plan", &plan), ("confirm", "1")]).await;
    assert!(own.text().await.unwrap().contains("You wrote this plan"));
    assert_eq!(state_of(&server, case).await, CaseState::Located);
    let approved = b.post(&format!("{plan_page}/approve"), &[("plan", &plan), ("confirm", "1")]).await;
    assert_eq!(location(&approved), format!("{case_page}?notice=plan-approved#plan"));
    assert_eq!(state_of(&server, case).await, CaseState::PlanApproved);
    let shown = s.page(&format!("{case_page}?lang=en")).await;
    let map = shown.split("<figure id=\"case-map\">").nth(1).unwrap().split("</figure>").next().unwrap();
    assert!(map.contains(">Newest<") && map.contains(">Rendezvous<"), "the place and the rendezvous: {map}");

    // The instructions reach the applicant in their chat, in Russian.
    assert_eq!(
        location(&s.post(&format!("{plan_page}/send"), &[]).await),
        format!("{case_page}?notice=plan-sent#plan")
    );
    assert!(chat_texts(&server, &token2).await.iter().any(|t| t.contains("водонапорной башне после 22:00")));

    // The hand-off, and operations' package: the plan, the place and its map, nothing else.
    assert_eq!(
        location(&a.post(&format!("{case_page}/handoff"), &[("confirm", "1")]).await),
        format!("{case_page}?notice=handed-off")
    );
    let package = ops.page(&format!("/console/handoffs/{case}?lang=en")).await;
    assert!(package.contains("id=\"package-rendezvous\"") && package.contains("<figure id=\"package-map\"><svg"));
    for absent in [codename.as_str(), "Военный", "/console/conversations/", "id=\"timeline\""] {
        assert!(!package.contains(absent), "{absent} in the package");
    }
    assert_eq!(ops.get(&case_page).await.status(), 403);
    for status in ["accepted", "under_way", "completed"] {
        assert_eq!(
            location(&report(&ops, case, status).await),
            format!("/console/handoffs/{case}?notice=report-saved")
        );
    }

    // The exit, recorded by the specialist (the approver may not), and its outcome.
    assert_eq!(b.post(&format!("{case_page}/exit"), &[("confirm", "1")]).await.status(), 403);
    let exited = s.post(&format!("{case_page}/exit"), &[("confirm", "1")]).await;
    assert_eq!(location(&exited), format!("{case_page}?notice=exit-recorded#plan"));
    assert_eq!(state_of(&server, case).await, CaseState::Exited);
    for (aspect, value) in [("arrival", "prisoner_of_war"), ("guarantees", "explained"), ("choice", "undecided")] {
        let saved = s.post(&format!("{case_page}/outcome"), &[("aspect", aspect), ("value", value)]).await;
        assert_eq!(location(&saved), format!("{case_page}?notice=outcome-saved#plan"), "{aspect}");
    }

    // The case's history tells the whole path, in order.
    let kinds = kinds(&server, case).await;
    let path = [
        "case_opened",
        "case_assigned",
        "deployed_reported",
        "location_reported",
        "plan_approved",
        "plan_instructions_sent",
        "case_handed_off",
        "operations_reported",
        "exit_recorded",
        "outcome_recorded",
    ];
    let mut at = 0;
    for kind in path {
        let found =
            kinds[at..].iter().position(|k| *k == kind).unwrap_or_else(|| panic!("{kind} after {at}: {kinds:?}"));
        at += found;
    }
    let events = server.state.store.timeline(case.0, 10_000).await.unwrap();
    let approver = events.iter().find_map(|e| match e.event {
        Event::PlanApproved { by, .. } => Some(by),
        _ => None,
    });
    let recorder = events.iter().find_map(|e| match e.event {
        Event::ExitRecorded { by, .. } => Some(by),
        _ => None,
    });
    assert_eq!((approver, recorder), (Some(second.id), Some(specialist.id)));
}
