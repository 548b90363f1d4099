//! The exit path at the console, over HTTP: a plan written, refused when its author (a
//! coordinator too) tries to approve it, returned with a comment, a new version approved by
//! another coordinator, the instructions sent to the applicant, the hand-off, the package for
//! operations (and nothing else for them), their reports, the exit recorded by someone other
//! than the approver, the outcome; and an abort that sends the case back to `located`.
//! The helpers are public so that other tests can walk a case to any point of the path.

use safepassage_domain::{CaseId, CaseKind, CaseState, ConversationId, Event, Language, Role, Transition};
use uuid::Uuid;

use super::console::{location, login, Session};
use super::{client, Staff, TestServer};

/// A web conversation (its applicant's bearer token and id) and a case opened from it, owned by
/// `owner` and moved to `located` through the plain moves.
pub async fn located_case(server: &TestServer, owner: &Staff) -> (CaseId, ConversationId, String) {
    let state = &server.state;
    let (token, conversation, _) = state.start_web_chat(Language::Ru).await.unwrap();
    state.applicant_says(&conversation, "оператор").await.unwrap();
    state.take_conversation(conversation.id, owner.id).await.unwrap();
    let case = state.store.open_case(Some(conversation.id), CaseKind::Individual, owner.id).await.unwrap();
    for to in [CaseState::Registered, CaseState::Deployed, CaseState::Located] {
        if to == CaseState::Located {
            super::location::record_a_location(server, case, owner.id).await;
        }
        state.store.transition_case(case, Transition::Advance { to }, owner.id, Role::Specialist).await.unwrap();
    }
    (case, conversation.id, token.0.to_string())
}

/// The fields of a plan form whose instructions are `instructions`.
pub fn plan_fields(instructions: &str) -> Vec<(&'static str, String)> {
    vec![
        ("rendezvous", "37U DQ 12345 67890".into()),
        ("rendezvous_note", "the water tower by the road".into()),
        ("window_from", "2030-05-01T21:00".into()),
        ("window_to", "2030-05-01T23:30".into()),
        ("signals", "white cloth on the left arm; reply: three knocks".into()),
        ("language", "ru".into()),
        ("instructions", instructions.into()),
        ("avoid", "the main road through the village".into()),
        ("risks", "drones at dusk".into()),
    ]
}

pub async fn post_fields(session: &Session, path: &str, fields: &[(&'static str, String)]) -> reqwest::Response {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    session.post(path, &fields).await
}

/// Writes a plan version as `author` (through the form) and submits it: its id.
pub async fn write_and_submit_plan(server: &TestServer, author: &Session, case: CaseId, instructions: &str) -> Uuid {
    let saved = post_fields(author, &format!("/console/cases/{case}/plan"), &plan_fields(instructions)).await;
    assert_eq!(saved.status(), 303, "plan saved");
    let submitted = author.post(&format!("/console/cases/{case}/plan/submit"), &[]).await;
    assert_eq!(location(&submitted), format!("/console/cases/{case}?notice=plan-submitted#plan"));
    server.state.store.plans(case).await.unwrap()[0].id
}

/// Writes, submits and has `approver` (another coordinator) approve a plan: its id.
pub async fn write_and_approve_plan(
    server: &TestServer,
    author: &Session,
    approver: &Session,
    case: CaseId,
    instructions: &str,
) -> Uuid {
    let plan = write_and_submit_plan(server, author, case, instructions).await;
    let path = format!("/console/cases/{case}/plan/approve");
    let approved = approver.post(&path, &[("plan", &plan.to_string()), ("confirm", "1")]).await;
    assert_eq!(location(&approved), format!("/console/cases/{case}?notice=plan-approved#plan"));
    plan
}

/// A coordinator hands the approved plan to operations (confirmed).
pub async fn hand_off(coordinator: &Session, case: CaseId) {
    let done = coordinator.post(&format!("/console/cases/{case}/handoff"), &[("confirm", "1")]).await;
    assert_eq!(location(&done), format!("/console/cases/{case}?notice=handed-off"));
}

/// Operations report `status` on the hand-off.
pub async fn report(unit: &Session, case: CaseId, status: &str) -> reqwest::Response {
    unit.post(&format!("/console/handoffs/{case}/report"), &[("status", status)]).await
}

/// How far along the exit path [`case_at`] takes a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Located,
    Drafted,
    Submitted,
    Approved,
    HandedOff,
    Completed,
    Exited,
}

/// A case held by `owner` (any role: the store's rules let the holder write), with a
/// conversation, walked through the store to `stage`. The plan is written by the owner and
/// approved by a fresh coordinator (four eyes), who also hands it off; a fresh operations
/// account reports on it.
pub async fn case_at(server: &TestServer, owner: (safepassage_domain::UserId, Role), stage: Stage) -> CaseId {
    use safepassage_domain::{Channel, OperationsStatus, PlanContent};
    let store = &server.state.store;
    let (me, role) = owner;
    let conversation = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    let case = store.open_case(Some(conversation.id), CaseKind::Individual, me).await.unwrap();
    for to in [CaseState::Registered, CaseState::Deployed, CaseState::Located] {
        if to == CaseState::Located {
            super::location::record_a_location(server, case, me).await;
        }
        store.transition_case(case, Transition::Advance { to }, me, Role::Specialist).await.unwrap();
    }
    if stage == Stage::Located {
        return case;
    }
    let content = PlanContent {
        rendezvous: "48.0159, 37.8028".into(),
        rendezvous_note: String::new(),
        window_from_ms: 1_900_000_000_000,
        window_to_ms: 1_900_000_600_000,
        signals: "a red scarf".into(),
        instructions: "Ждите у моста.".into(),
        language: Language::Ru,
        avoid: String::new(),
        risks: String::new(),
    };
    let (plan, _) = store.save_plan(case, &content, me, role).await.unwrap();
    if stage == Stage::Drafted {
        return case;
    }
    store.submit_plan(case, me, role).await.unwrap();
    if stage == Stage::Submitted {
        return case;
    }
    let unique = Uuid::now_v7().simple().to_string();
    let approver = store.create_user(&format!("approver-{unique}"), Role::Coordinator, "x".into(), b"s").await.unwrap();
    store.approve_plan(case, plan, approver, Role::Coordinator).await.unwrap();
    if stage == Stage::Approved {
        return case;
    }
    store.hand_off(case, approver, Role::Coordinator).await.unwrap();
    if stage == Stage::HandedOff {
        return case;
    }
    let unit = store.create_user(&format!("unit-{unique}"), Role::Operations, "x".into(), b"s").await.unwrap();
    for status in [OperationsStatus::Accepted, OperationsStatus::UnderWay, OperationsStatus::Completed] {
        store.report_operations(case, status, "", unit, Role::Operations).await.unwrap();
    }
    if stage == Stage::Completed {
        return case;
    }
    store.record_exit(case, me, role).await.unwrap();
    case
}

/// The id of the newest plan version of a case.
pub async fn newest_plan(server: &TestServer, case: CaseId) -> Uuid {
    server.state.store.plans(case).await.unwrap()[0].id
}

async fn state_of(server: &TestServer, case: CaseId) -> CaseState {
    server.state.store.case(case).await.unwrap().unwrap().state
}

async fn kinds(server: &TestServer, case: CaseId) -> Vec<&'static str> {
    server.state.store.timeline(case.0, 10_000).await.unwrap().iter().map(|e| e.event.kind()).collect()
}

#[tokio::test]
async fn one_person_from_located_to_the_outcome_with_four_eyes() {
    let server = TestServer::start().await;
    let owner = server.staff(Role::Specialist, "plan-owner").await;
    let coord_a = server.staff(Role::Coordinator, "plan-coord-a").await;
    let coord_b = server.staff(Role::Coordinator, "plan-coord-b").await;
    let ops = server.staff(Role::Operations, "plan-unit").await;
    let (s, a, b, unit) = (
        login(&server, &owner).await,
        login(&server, &coord_a).await,
        login(&server, &coord_b).await,
        login(&server, &ops).await,
    );
    let (case, conversation, token) = located_case(&server, &owner).await;
    server
        .state
        .staff_says(&server.state.store.conversation(conversation).await.unwrap().unwrap(), "секретная переписка")
        .await
        .unwrap();
    let case_page = format!("/console/cases/{case}");

    // The case page offers no plain move to "plan approved" any more; the plan section is there.
    let page = s.page(&format!("{case_page}?lang=en")).await;
    assert!(!page.contains("advance:plan_approved"), "no shortcut past the plan");
    assert!(page.contains("id=\"plan\"") && page.contains("id=\"plan-edit\""), "{page}");

    // The form, and a refusal that names what was not understood, with the input kept.
    let form = a.page(&format!("{case_page}/plan?lang=en")).await;
    assert!(form.contains("<form id=\"plan-form\"") && form.contains("type=\"datetime-local\""), "{form}");
    assert!(form.contains("<option value=\"ru\" selected"), "the applicant's language first");
    let mut bad = plan_fields("Идите к башне.");
    bad[0].1 = "48.5, 200.0".into();
    let refused = post_fields(&a, &format!("{case_page}/plan?lang=en"), &bad).await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("id=\"plan-error\"") && html.contains("longitude is out of range"), "{html}");
    assert!(html.contains("Идите к башне."), "what was typed stays");
    let mut backwards = plan_fields("x");
    backwards[3].1 = "2030-05-01T20:00".into();
    assert_eq!(post_fields(&a, &format!("{case_page}/plan"), &backwards).await.status(), 422);
    assert!(server.state.store.plans(case).await.unwrap().is_empty());

    // v1, written by coordinator A: its author, a coordinator too, is refused, clearly.
    let v1 = write_and_submit_plan(&server, &a, case, "Идите к башне.").await;
    let list = a.page("/console/cases?lang=en").await;
    assert!(
        list.contains("id=\"plans-to-approve\"") && list.contains(&format!("/console/cases/{case}#plan")),
        "{list}"
    );
    assert!(list.contains("plan-to-approve own"), "marked as the reader's own");
    let own = a.page(&format!("{case_page}?lang=en")).await;
    assert!(own.contains("id=\"plan-own\"") && !own.contains("id=\"plan-approve-form\""), "{own}");
    for confirm in ["", "1"] {
        let refused = a
            .post(&format!("{case_page}/plan/approve?lang=en"), &[("plan", &v1.to_string()), ("confirm", confirm)])
            .await;
        assert_eq!(refused.status(), 403);
        let html = refused.text().await.unwrap();
        assert!(html.contains("You wrote this plan") && html.contains("four eyes"), "{html}");
    }
    // A specialist can neither approve (not a coordinator) nor reach the review at all.
    assert_eq!(
        s.post(&format!("{case_page}/plan/approve"), &[("plan", &v1.to_string()), ("confirm", "1")]).await.status(),
        403
    );
    assert_eq!(state_of(&server, case).await, CaseState::Located);

    // B sends it back with a comment.
    let empty = b.post(&format!("{case_page}/plan/return"), &[("plan", &v1.to_string()), ("comment", " ")]).await;
    assert_eq!(location(&empty), format!("{case_page}?notice=plan-comment-missing"));
    let returned = b
        .post(&format!("{case_page}/plan/return"), &[("plan", &v1.to_string()), ("comment", "Later: after 22:00")])
        .await;
    assert_eq!(location(&returned), format!("{case_page}?notice=plan-returned#plan"));
    let page = s.page(&case_page).await;
    assert!(page.contains("id=\"plan-comment\"") && page.contains("Later: after 22:00"), "{page}");
    assert!(page.contains("data-status=\"returned\""));

    // v2 by the owner, approved by B after a confirmation.
    let v2 = write_and_submit_plan(&server, &s, case, "Идите к башне после 22:00. Белая ткань на левой руке.").await;
    assert_ne!(v1, v2);
    let asked = b.post(&format!("{case_page}/plan/approve"), &[("plan", &v2.to_string())]).await;
    assert_eq!(asked.status(), 200);
    let html = asked.text().await.unwrap();
    assert!(html.contains("<form id=\"confirm-form\"") && html.contains(&format!("value=\"{v2}\"")), "{html}");
    assert_eq!(state_of(&server, case).await, CaseState::Located, "nothing before the confirmation");
    let approved = b.post(&format!("{case_page}/plan/approve"), &[("plan", &v2.to_string()), ("confirm", "1")]).await;
    assert_eq!(location(&approved), format!("{case_page}?notice=plan-approved#plan"));
    assert_eq!(state_of(&server, case).await, CaseState::PlanApproved);

    // The instructions go to the applicant, explicitly, and the applicant's chat shows them.
    let sent = s.post(&format!("{case_page}/plan/send"), &[]).await;
    assert_eq!(location(&sent), format!("{case_page}?notice=plan-sent#plan"));
    let chat = client()
        .get(server.url("/api/v1/chat/messages"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(chat.contains("Идите к башне после 22:00."), "{chat}");

    // A hands it off (any coordinator may), after a confirmation.
    let asked = a.post(&format!("{case_page}/handoff"), &[]).await;
    assert_eq!(asked.status(), 200);
    assert_eq!(state_of(&server, case).await, CaseState::PlanApproved);
    hand_off(&a, case).await;
    assert_eq!(state_of(&server, case).await, CaseState::HandedOff);

    // Operations: the package, and nothing else.
    let handoffs = unit.page("/console/handoffs").await;
    assert!(handoffs.contains(&format!("href=\"/console/handoffs/{case}\"")), "{handoffs}");
    let package = unit.page(&format!("/console/handoffs/{case}?lang=en")).await;
    for hook in [
        "id=\"package\"",
        "id=\"package-rendezvous\"",
        "37U DQ 12345 67890",
        "white cloth",
        "drones at dusk",
        "id=\"package-location\"",
        "id=\"report-form\"",
    ] {
        assert!(package.contains(hook), "{hook}: {package}");
    }
    for absent in ["секретная", "/console/conversations/", "id=\"timeline\"", "codename", "Later: after 22:00"]
    {
        assert!(!package.contains(absent), "{absent} in the package");
    }
    for path in [
        case_page.clone(),
        format!("{case_page}/plan"),
        format!("/console/conversations/{conversation}"),
        format!("/console/conversations/{conversation}/events"),
        "/console/cases".to_owned(),
    ] {
        assert_eq!(unit.get(&path).await.status(), 403, "{path}");
    }
    let geojson = unit.get(&format!("/console/handoffs/{case}/package.geojson")).await;
    assert_eq!(geojson.status(), 200);
    assert!(geojson.headers()["content-type"].to_str().unwrap().starts_with("application/geo+json"));
    let value: serde_json::Value = geojson.json().await.unwrap();
    assert_eq!(value["type"], "FeatureCollection");
    assert_eq!(value["features"][0]["properties"]["kind"], "rendezvous");
    let lon = value["features"][0]["geometry"]["coordinates"][0].as_f64().unwrap();
    let lat = value["features"][0]["geometry"]["coordinates"][1].as_f64().unwrap();
    assert!((44.0..56.0).contains(&lat) && (36.0..42.0).contains(&lon), "{lat} {lon}");
    let text = unit.get(&format!("/console/handoffs/{case}/package.txt?lang=en")).await;
    assert!(text.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = text.text().await.unwrap();
    let short = &case.0.simple().to_string()[24..];
    assert!(text.contains(short) && text.contains("Signals to recognise each other: white cloth"), "{text}");
    let events = server.state.store.timeline(case.0, 10_000).await.unwrap();
    assert!(events.iter().any(|e| matches!(e.event, Event::PackageViewed { by, .. } if by == ops.id)));
    assert_eq!(events.iter().filter(|e| matches!(e.event, Event::PackageExported { .. })).count(), 2);

    // Reports in order; the exit waits for "completed".
    assert_eq!(report(&unit, case, "completed").await.status(), 403, "out of order");
    for status in ["accepted", "under_way"] {
        assert_eq!(
            location(&report(&unit, case, status).await),
            format!("/console/handoffs/{case}?notice=report-saved")
        );
    }
    assert!(!s.page(&case_page).await.contains("id=\"exit-form\""), "not before completion");
    assert_eq!(
        location(&report(&unit, case, "completed").await),
        format!("/console/handoffs/{case}?notice=report-saved")
    );

    // The approver never records the exit; the owner does, after a confirmation.
    let approver_page = b.page(&format!("{case_page}?lang=en")).await;
    assert!(approver_page.contains("id=\"exit-approver\"") && !approver_page.contains("id=\"exit-form\""));
    let refused = b.post(&format!("{case_page}/exit?lang=en"), &[("confirm", "1")]).await;
    assert_eq!(refused.status(), 403);
    assert!(refused.text().await.unwrap().contains("You approved this plan"));
    assert_eq!(state_of(&server, case).await, CaseState::HandedOff);
    let page = s.page(&case_page).await;
    assert!(page.contains("id=\"exit-form\"") && page.contains("id=\"ops-reports\""));
    let asked = s.post(&format!("{case_page}/exit"), &[]).await;
    assert_eq!(asked.status(), 200);
    assert!(asked.text().await.unwrap().contains("id=\"confirm-form\""));
    let done = s.post(&format!("{case_page}/exit"), &[("confirm", "1")]).await;
    assert_eq!(location(&done), format!("{case_page}?notice=exit-recorded#plan"));
    assert_eq!(state_of(&server, case).await, CaseState::Exited);
    assert_eq!(unit.get(&format!("/console/handoffs/{case}")).await.status(), 404, "gone from operations");

    // The outcome, each fact an event.
    for (aspect, value) in [("arrival", "prisoner_of_war"), ("guarantees", "explained"), ("choice", "exchange")] {
        let saved = s.post(&format!("{case_page}/outcome"), &[("aspect", aspect), ("value", value)]).await;
        assert_eq!(location(&saved), format!("{case_page}?notice=outcome-saved#plan"), "{aspect}");
    }
    assert_eq!(
        s.post(&format!("{case_page}/outcome"), &[("aspect", "arrival"), ("value", "tourist")]).await.status(),
        400
    );
    let page = s.page(&format!("{case_page}?lang=en")).await;
    assert!(
        page.contains("id=\"outcome-facts\"") && page.contains("prisoner of war (Third Geneva Convention)"),
        "{page}"
    );
    assert!(
        page.contains("approved version 2 of the exit plan") || page.contains("approved version"),
        "timeline lines"
    );
    let kinds = kinds(&server, case).await;
    for kind in [
        "plan_drafted",
        "plan_submitted",
        "plan_returned",
        "plan_approved",
        "plan_instructions_sent",
        "case_handed_off",
        "operations_reported",
        "package_viewed",
        "package_exported",
        "exit_recorded",
    ] {
        assert!(kinds.contains(&kind), "{kind}");
    }
    assert_eq!(kinds.iter().filter(|k| **k == "outcome_recorded").count(), 3);
}

#[tokio::test]
async fn an_aborted_exit_sends_the_case_back_to_its_owner_at_located() {
    let server = TestServer::start().await;
    let owner = server.staff(Role::Specialist, "abort-owner").await;
    let coordinator = server.staff(Role::Coordinator, "abort-coord").await;
    let ops = server.staff(Role::Operations, "abort-unit").await;
    let (s, c, unit) = (login(&server, &owner).await, login(&server, &coordinator).await, login(&server, &ops).await);
    let (case, _, _) = located_case(&server, &owner).await;
    write_and_approve_plan(&server, &s, &c, case, "Ждите сигнала.").await;
    hand_off(&c, case).await;
    assert_eq!(
        location(&report(&unit, case, "accepted").await),
        format!("/console/handoffs/{case}?notice=report-saved")
    );

    let path = format!("/console/handoffs/{case}/report");
    let no_reason = unit.post(&path, &[("status", "aborted")]).await;
    assert_eq!(location(&no_reason), format!("/console/handoffs/{case}?notice=report-reason-missing"));
    let asked = unit.post(&path, &[("status", "aborted"), ("reason", "the crossing is shelled")]).await;
    assert_eq!(asked.status(), 200);
    let html = asked.text().await.unwrap();
    assert!(html.contains("id=\"confirm-form\"") && html.contains("value=\"the crossing is shelled\""), "{html}");
    assert_eq!(state_of(&server, case).await, CaseState::HandedOff);
    let done =
        unit.post(&path, &[("status", "aborted"), ("reason", "the crossing is shelled"), ("confirm", "1")]).await;
    assert_eq!(location(&done), "/console/handoffs?notice=report-aborted");

    let view = server.state.store.case(case).await.unwrap().unwrap();
    assert_eq!((view.state, view.assigned_to), (CaseState::Located, Some(owner.id)));
    assert_eq!(unit.get(&format!("/console/handoffs/{case}")).await.status(), 404);
    let page = s.page(&format!("/console/cases/{case}")).await;
    assert!(page.contains("id=\"plan-edit\""), "the owner writes a new version");
    // The old approval carries nothing: a hand-off is refused until a new version is approved.
    assert_eq!(c.post(&format!("/console/cases/{case}/handoff"), &[("confirm", "1")]).await.status(), 403);
    write_and_approve_plan(&server, &s, &c, case, "Ждите другого сигнала.").await;
    hand_off(&c, case).await;
    assert_eq!(state_of(&server, case).await, CaseState::HandedOff);
    assert!(kinds(&server, case).await.contains(&"operations_reported"));
}
