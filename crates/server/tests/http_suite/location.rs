//! Location reports end to end: the console form (MGRS, decimal, DMS, words; malformed input
//! refused with what was not understood, nothing stored), "Mark located" refused without a
//! report, the applicant's own report by form and by API reaching the case, who may read them,
//! and a `location_viewed` event for every page that shows them.

use safepassage_domain::{
    CaseId, CaseKind, CaseState, Event, LocationReport, LocationSource, Role, Transition, UserId,
};
use serde_json::json;

use super::console::{location, login, Session};
use super::{client, TestServer};

fn now_ms() -> i64 {
    i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis()).unwrap()
}

/// Records a location on a case straight through the store (staff from a call, true now): for
/// tests that only need a case to have one, such as before moving it to `located`.
pub async fn record_a_location(server: &TestServer, case: CaseId, by: UserId) {
    let report =
        LocationReport::from_input("48.0159, 37.8028", Some(50), LocationSource::StaffCall, None, now_ms()).unwrap();
    server.state.store.record_location(case, &report, by).await.unwrap();
}

/// Adds a location through the console's "Add a location" form, as its owner or a coordinator
/// would, and checks it was taken (`303` back to the case). `place` is anything the parser
/// reads: `37U DQ 12345 67890`, `48.0159, 37.8028`, `48°00'57"N 37°48'10"E`, or words.
pub async fn report_a_location(session: &Session, case: CaseId, place: &str) {
    let response =
        session.post(&format!("/console/cases/{case}/locations"), &[("place", place), ("source", "staff_call")]).await;
    assert_eq!(response.status(), 303, "adding a location to {case}");
    assert_eq!(location(&response), format!("/console/cases/{case}?notice=location-added#locations"));
}

async fn deployed_case(server: &TestServer, owner: UserId) -> CaseId {
    let case = server.state.store.open_case(None, CaseKind::Individual, owner).await.unwrap();
    for to in [CaseState::Registered, CaseState::Deployed] {
        server.state.store.transition_case(case, Transition::Advance { to }, owner, Role::Specialist).await.unwrap();
    }
    case
}

async fn location_views(server: &TestServer, case: CaseId) -> usize {
    let events = server.state.store.timeline(case.0, 10_000).await.unwrap();
    events.iter().filter(|e| matches!(e.event, Event::LocationViewed { .. })).count()
}

#[tokio::test]
async fn the_console_form_reads_every_format_and_refuses_what_it_does_not_understand() {
    let server = TestServer::start().await;
    let specialist = server.staff(Role::Specialist, "loc-specialist").await;
    let session = login(&server, &specialist).await;
    let case = deployed_case(&server, specialist.id).await;
    let path = format!("/console/cases/{case}?lang=en");
    let page = session.page(&path).await;
    assert!(page.contains("id=\"location-form\"") && page.contains("No location reported yet."), "{page}");
    assert!(!page.contains("id=\"case-map\""), "no map without a place");

    // Malformed input: the error names what was not understood, the input comes back, nothing
    // is stored.
    for (input, says) in [
        ("48.0159, 37.8028, 12", "There is more after the longitude than was understood."),
        ("37U DQ 1234 567", "The MGRS reference has an odd number of digits"),
        ("95.5, 37.1", "The latitude is out of range"),
    ] {
        let response = session
            .post(&format!("/console/cases/{case}/locations?lang=en"), &[("place", input), ("source", "staff_call")])
            .await;
        assert_eq!(response.status(), 422, "{input}");
        let body = response.text().await.unwrap();
        assert!(body.contains(says), "{input}: {body}");
        assert!(body.contains(&format!("value=\"{input}\"")), "the input is shown again: {body}");
    }
    let future = session
        .post(
            &format!("/console/cases/{case}/locations?lang=en"),
            &[("place", "48.1, 37.1"), ("source", "staff_call"), ("true_at", "2999-01-01T00:00")],
        )
        .await;
    assert_eq!(future.status(), 422);
    assert!(future.text().await.unwrap().contains("in the future"));
    assert!(server.state.store.locations(case).await.unwrap().is_empty());

    // Words, DMS, decimal, then MGRS (the newest): each is a report.
    report_a_location(&session, case, "in the basement of the school, north side").await;
    report_a_location(&session, case, "48°00'57.2\"N 37°48'10.1\"E").await;
    report_a_location(&session, case, "48.0159 N 37.8028 E").await;
    report_a_location(&session, case, "37UDQ1234567890").await;
    let reports = server.state.store.locations(case).await.unwrap();
    assert_eq!(reports.len(), 4);
    let newest = server.state.store.newest_location(case).await.unwrap().unwrap();
    assert_eq!(
        (newest.accuracy_m, newest.source, newest.recorded_by),
        (Some(1), LocationSource::StaffCall, Some(specialist.id))
    );
    assert!(reports.iter().any(|r| r.text.as_deref() == Some("in the basement of the school, north side")));

    let page = session.page(&path).await;
    assert!(page.contains("37U DQ 12345 67890"), "MGRS of the newest: {page}");
    // The map, drawn on the server: inline SVG, nothing fetched from anywhere.
    let map = page.split("<figure id=\"case-map\">").nth(1).expect("the case map").split("</figure>").next().unwrap();
    assert!(map.starts_with("<svg") && map.contains("role=\"img\""), "{map}");
    assert!(!map.replace("http://www.w3.org/2000/svg", "").contains("http"), "no outside reference: {map}");
    assert!(page.contains("48.01590, 37.80280"), "decimal degrees");
    assert!(page.contains("in the basement of the school, north side"));
    assert!(page.contains("staff, from a call") && page.contains("id=\"location-age\">0 min ago"), "{page}");
    assert!(!page.contains("id=\"location-stale\""));
    assert!(page.contains("recorded a location (staff, from a call)."), "timeline line");

    // An old report is stale (72 hours by default).
    let old = LocationReport::from_input(
        "47.5, 37.5",
        None,
        LocationSource::Messenger,
        Some(now_ms() - 100 * 3_600_000),
        now_ms(),
    )
    .unwrap();
    let other = deployed_case(&server, specialist.id).await;
    server.state.store.record_location(other, &old, specialist.id).await.unwrap();
    let page = session.page(&format!("/console/cases/{other}?lang=en")).await;
    assert!(page.contains("id=\"location-age\">4 days ago") && page.contains("id=\"location-stale\""), "{page}");
}

#[tokio::test]
async fn mark_located_is_refused_without_a_report_then_allowed() {
    let server = TestServer::start().await;
    let specialist = server.staff(Role::Specialist, "loc-mover").await;
    let session = login(&server, &specialist).await;
    let case = deployed_case(&server, specialist.id).await;
    let transition = format!("/console/cases/{case}/transition");
    let refused = session.post(&transition, &[("transition", "advance:located")]).await;
    assert_eq!(location(&refused), format!("/console/cases/{case}?notice=location-needed#locations"));
    let page = session.page(&format!("/console/cases/{case}?notice=location-needed&lang=en")).await;
    assert!(page.contains("A case is marked located only with a location report"), "{page}");
    assert_eq!(server.state.store.case(case).await.unwrap().unwrap().state, CaseState::Deployed);

    report_a_location(&session, case, "37U DQ 12345 67890").await;
    let moved = session.post(&transition, &[("transition", "advance:located")]).await;
    assert_eq!(location(&moved), format!("/console/cases/{case}?notice=moved"));
    assert_eq!(server.state.store.case(case).await.unwrap().unwrap().state, CaseState::Located);
}

#[tokio::test]
async fn an_applicants_location_reaches_the_case_by_form_and_by_api() {
    let server = TestServer::start().await;
    let specialist = server.staff(Role::Specialist, "loc-owner").await;
    let created =
        client().post(server.url("/api/v1/chat/sessions")).json(&json!({ "language": "ru" })).send().await.unwrap();
    let token = created.json::<serde_json::Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
    let conversation = server.state.conversation_for_token(&token).await.unwrap().unwrap();
    let api = |body: serde_json::Value| {
        client().post(server.url("/api/v1/chat/location")).bearer_auth(&token).json(&body).send()
    };

    // Before the conversation has a case, the report stays with the conversation.
    let sent = api(json!({ "lat": 48.0159, "lon": 37.8028, "accuracy_m": 18.4, "source": "browser" })).await.unwrap();
    assert_eq!(sent.status(), 201);
    assert_eq!(sent.json::<serde_json::Value>().await.unwrap(), json!({ "received": true }));
    let kept = server.state.store.conversation_locations(conversation.id).await.unwrap();
    assert_eq!((kept.len(), kept[0].case, kept[0].accuracy_m), (1, None, Some(19)));
    // It shows on the conversation's page (a recorded view of the conversation).
    server.state.applicant_says(&conversation, "оператор").await.unwrap();
    let operator = server.staff(Role::Operator, "loc-operator").await;
    let on_queue = login(&server, &operator).await;
    let page = on_queue.page(&format!("/console/conversations/{}?lang=en", conversation.id)).await;
    assert!(page.contains("Places the applicant sent") && page.contains("48.01590, 37.80280"), "{page}");

    // Malformed: refused with what was not understood, never the input.
    let bad = api(json!({ "text": "91.5, 37.1" })).await.unwrap();
    assert_eq!(bad.status(), 400);
    let body = bad.json::<serde_json::Value>().await.unwrap();
    assert_eq!(body["error"], "location_not_understood");
    assert!(body["message"].as_str().unwrap().contains("latitude") && !body.to_string().contains("91.5"), "{body}");
    assert_eq!(api(json!({ "lat": 48.0 })).await.unwrap().status(), 400);
    assert_eq!(api(json!({ "text": "48.1, 37.1", "source": "satellite" })).await.unwrap().status(), 400);
    let unauthenticated =
        client().post(server.url("/api/v1/chat/location")).json(&json!({ "text": "48.1, 37.1" })).send().await.unwrap();
    assert_eq!(unauthenticated.status(), 401);

    // The conversation joins a case: the earlier report shows there, new ones are the case's.
    let case = server.state.store.open_case(Some(conversation.id), CaseKind::Individual, specialist.id).await.unwrap();
    assert_eq!(server.state.store.locations(case).await.unwrap().len(), 1);
    assert_eq!(api(json!({ "text": "37U DQ 12345 67890" })).await.unwrap().status(), 201);

    // The page's form, with the chat's cookie and no JavaScript.
    let browser = client();
    let cookie = format!("sp_chat={token}");
    let page = browser.get(server.url("/chat/location")).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("id=\"location-form\"") && html.contains("/static/location.js"), "{html}");
    let refused = browser
        .post(server.url("/chat/location"))
        .header("cookie", &cookie)
        .form(&[("place", "48.0159, 37.8028, 5"), ("lang", "ru")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let html = refused.text().await.unwrap();
    assert!(html.contains("После долготы") && html.contains("value=\"48.0159, 37.8028, 5\""), "{html}");
    let posted = browser
        .post(server.url("/chat/location"))
        .header("cookie", &cookie)
        .form(&[("place", "в подвале школы"), ("accuracy", ""), ("source", "applicant_typed"), ("lang", "ru")])
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 303);
    assert_eq!(location(&posted), "/chat/location?lang=ru&sent=1");
    let thanks =
        browser.get(server.url("/chat/location?lang=ru&sent=1")).header("cookie", &cookie).send().await.unwrap();
    assert!(thanks.text().await.unwrap().contains("Спасибо, получено."));
    // A post from another site is refused, as for messages.
    let cross = browser
        .post(server.url("/chat/location"))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "cross-site")
        .form(&[("place", "48.1, 37.1")])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);

    let all = server.state.store.locations(case).await.unwrap();
    assert_eq!(all.len(), 3);
    assert!(all.iter().all(|l| l.recorded_by.is_none() && l.conversation == Some(conversation.id)));
    assert!(all
        .iter()
        .any(|l| l.text.as_deref() == Some("в подвале школы") && l.source == LocationSource::ApplicantTyped));
    assert!(all.iter().any(|l| l.source == LocationSource::Browser));

    // The owner sees them on the case, with the applicant as their author.
    let session = login(&server, &specialist).await;
    let page = session.page(&format!("/console/cases/{case}?lang=en")).await;
    assert!(page.contains("в подвале школы") && page.contains("the applicant&#39;s browser"), "{page}");
    assert!(page.contains("The applicant sent a location"), "timeline line");

    // The API is documented.
    let doc: serde_json::Value =
        client().get(server.url("/api/openapi.json")).send().await.unwrap().json().await.unwrap();
    assert!(doc["paths"]["/api/v1/chat/location"]["post"].is_object(), "{doc}");
}

#[tokio::test]
async fn only_the_cases_people_read_locations_and_every_view_is_recorded() {
    let server = TestServer::start().await;
    let specialist = server.staff(Role::Specialist, "loc-reader").await;
    let coordinator = server.staff(Role::Coordinator, "loc-coordinator").await;
    let ops = server.staff(Role::Operations, "loc-ops").await;
    let analyst = server.staff(Role::Analyst, "loc-analyst").await;
    let admin = server.staff(Role::Admin, "loc-admin").await;
    let owner = login(&server, &specialist).await;
    let case = deployed_case(&server, specialist.id).await;

    // A page without locations records no location view.
    owner.page(&format!("/console/cases/{case}")).await;
    assert_eq!(location_views(&server, case).await, 0);
    report_a_location(&owner, case, "near the water tower MARKER-PLACE").await;
    owner.page(&format!("/console/cases/{case}")).await;
    owner.page(&format!("/console/cases/{case}")).await;
    assert_eq!(location_views(&server, case).await, 2);
    let boss = login(&server, &coordinator).await;
    let page = boss.page(&format!("/console/cases/{case}?lang=en")).await;
    assert!(page.contains("MARKER-PLACE"));
    assert_eq!(location_views(&server, case).await, 3);
    assert!(page.contains("was shown the locations."), "the views list names them: {page}");

    // Move it to operations: they get the case page without the locations (their package is
    // built elsewhere), and their view is no location view.
    let store = &server.state.store;
    store
        .transition_case(case, Transition::Advance { to: CaseState::Located }, specialist.id, Role::Specialist)
        .await
        .unwrap();
    let content = safepassage_domain::PlanContent {
        rendezvous: "48.0159, 37.8028".into(),
        rendezvous_note: String::new(),
        window_from_ms: 1_900_000_000_000,
        window_to_ms: 1_900_000_600_000,
        signals: "a red scarf".into(),
        instructions: "Ждите у моста.".into(),
        language: safepassage_domain::Language::Ru,
        avoid: String::new(),
        risks: String::new(),
    };
    let (plan, _) = store.save_plan(case, &content, specialist.id, Role::Specialist).await.unwrap();
    store.submit_plan(case, specialist.id, Role::Specialist).await.unwrap();
    store.approve_plan(case, plan, coordinator.id, Role::Coordinator).await.unwrap();
    store.hand_off(case, coordinator.id, Role::Coordinator).await.unwrap();
    let unit = login(&server, &ops).await;
    assert_eq!(unit.get(&format!("/console/cases/{case}")).await.status(), 403, "operations see the package only");
    assert_eq!(location_views(&server, case).await, 3);
    let add = unit
        .post(&format!("/console/cases/{case}/locations"), &[("place", "48.1, 37.1"), ("source", "staff_call")])
        .await;
    assert_eq!(add.status(), 403, "operations see the hand-off only");
    for staff in [&analyst, &admin] {
        let session = login(&server, staff).await;
        assert_eq!(session.get(&format!("/console/cases/{case}")).await.status(), 403);
        let add = session
            .post(&format!("/console/cases/{case}/locations"), &[("place", "48.1, 37.1"), ("source", "staff_call")])
            .await;
        assert_eq!(add.status(), 403);
    }
    assert_eq!(server.state.store.locations(case).await.unwrap().len(), 1);
}
