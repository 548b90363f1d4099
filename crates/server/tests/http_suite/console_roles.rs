//! Need to know, enforced by the server: every role against every console route (GET and POST),
//! allowed or refused, as one table; and CSRF on every POST route.

use safepassage_domain::{CaseId, CaseKind, CaseState, ConversationId, Language, Role, UserId};

use super::console::{location, login, Session};
use super::exit_plan::{case_at, newest_plan, plan_fields, Stage};
use super::{client, Staff, TestServer};

/// Role::ALL order: operator, specialist, coordinator, operations, analyst, admin.
type Expect = [u16; 6];

async fn queued(server: &TestServer) -> ConversationId {
    crate::http_suite::queued_chat(&server.state, Language::Ru).await.1.id
}

async fn assigned_to(server: &TestServer, user: UserId) -> ConversationId {
    let id = queued(server).await;
    server.state.store.take_conversation(id, user).await.unwrap();
    id
}

async fn case_owned_by(server: &TestServer, owner: UserId, kind: CaseKind) -> CaseId {
    server.state.store.open_case(None, kind, owner).await.unwrap()
}

/// A case moved along to `handed_off` through its plan, approved by a coordinator who did not
/// write it (see `exit_plan::case_at`).
async fn handed_off(server: &TestServer, owner: UserId, _specialist: &Staff, _coordinator: &Staff) -> CaseId {
    case_at(server, (owner, Role::Specialist), Stage::HandedOff).await
}

struct People {
    staff: Vec<Staff>,
    sessions: Vec<Session>,
}

impl People {
    async fn new(server: &TestServer) -> People {
        let mut staff = Vec::new();
        for role in Role::ALL {
            staff.push(server.staff(role, &format!("matrix-{role}")).await);
        }
        let mut sessions = Vec::new();
        for s in &staff {
            sessions.push(login(server, s).await);
        }
        People { staff, sessions }
    }

    fn of(&self, role: Role) -> &Staff {
        &self.staff[Role::ALL.iter().position(|r| *r == role).unwrap()]
    }
}

/// Allowed answers are 200 pages or 303 redirects that are not to the login page; refusals
/// are 403 (the role's area) or 404 (an object outside the person's need to know).
fn check(role: Role, method: &str, path: &str, response: &reqwest::Response, expected: u16) {
    let status = response.status().as_u16();
    assert_eq!(status, expected, "{role} {method} {path}: got {status}, expected {expected}");
    if status == 303 {
        let to = location(response);
        assert!(!to.starts_with("/console/login"), "{role} {method} {path}: sent to login");
    }
}

/// The shipped Intake flow's UUID (`flows/safepassage.json`).
const INTAKE_UUID: &str = "e8c2a44f-53ef-4765-8954-372b74f063d0";

#[tokio::test]
async fn every_role_against_every_console_route() {
    let server = TestServer::start().await;
    let people = People::new(&server).await;
    let specialist = people.of(Role::Specialist);
    let coordinator = people.of(Role::Coordinator);
    let other_operator = server.staff(Role::Operator, "matrix-other-operator").await;

    // Shared objects for the reads.
    let waiting = queued(&server).await;
    let joined = assigned_to(&server, other_operator.id).await;
    let case = server.state.store.open_case(Some(joined), CaseKind::Individual, specialist.id).await.unwrap();
    let handed = handed_off(&server, specialist.id, specialist, coordinator).await;
    let located = case_at(&server, (specialist.id, Role::Specialist), Stage::Located).await;

    let reads: Vec<(String, Expect)> = vec![
        ("/console".into(), [200, 200, 200, 200, 200, 200]),
        ("/console/queue".into(), [200, 200, 403, 403, 403, 403]),
        ("/console/queue?fragment=1".into(), [200, 200, 403, 403, 403, 403]),
        ("/console/events".into(), [200, 200, 403, 403, 403, 403]),
        (format!("/console/conversations/{waiting}"), [200, 200, 404, 403, 403, 403]),
        (format!("/console/conversations/{joined}"), [404, 200, 200, 403, 403, 403]),
        (format!("/console/conversations/{joined}/events"), [404, 200, 200, 403, 403, 403]),
        ("/console/cases".into(), [200, 200, 200, 403, 403, 403]),
        (format!("/console/cases/{}", case), [404, 200, 200, 403, 403, 403]),
        // Operations never open a case page: they see the hand-off package.
        (format!("/console/cases/{}", handed), [404, 200, 200, 403, 403, 403]),
        // The confirmation of an irreversible move: as the case page, for a move the role has.
        (format!("/console/cases/{case}/transition?transition=close:duplicate"), [404, 200, 200, 403, 403, 403]),
        // The exit is recorded through its own form now: the plain move is offered to nobody.
        (format!("/console/cases/{handed}/transition?transition=advance:exited"), [404, 403, 403, 403, 403, 403]),
        ("/console/handoffs".into(), [403, 403, 403, 200, 403, 403]),
        // The exit plan's form: the case's holder and coordinators; the package: operations.
        (format!("/console/cases/{located}/plan"), [404, 200, 200, 403, 403, 403]),
        (format!("/console/handoffs/{handed}"), [403, 403, 403, 200, 403, 403]),
        (format!("/console/handoffs/{handed}/package.geojson"), [403, 403, 403, 200, 403, 403]),
        (format!("/console/handoffs/{handed}/package.txt"), [403, 403, 403, 200, 403, 403]),
        ("/console/admin/users".into(), [403, 403, 403, 403, 403, 200]),
        // The flows the bot runs: administrators only (an outline shows every text and branch).
        ("/console/flows".into(), [403, 403, 403, 403, 403, 200]),
        ("/console/flows/export".into(), [403, 403, 403, 403, 403, 200]),
        (format!("/console/flows/{INTAKE_UUID}"), [403, 403, 403, 403, 403, 200]),
        (format!("/console/flows/{INTAKE_UUID}/export"), [403, 403, 403, 403, 403, 200]),
        // Shredding: coordinators only, for any case (the page shows no content).
        (format!("/console/cases/{}/shred", case), [403, 403, 200, 403, 403, 403]),
        (format!("/console/cases/{}/shred", handed), [403, 403, 200, 403, 403, 403]),
        // One's own account: everyone; the first-login setup sends an active account home.
        ("/console/account".into(), [200, 200, 200, 200, 200, 200]),
        ("/console/setup".into(), [303, 303, 303, 303, 303, 303]),
        (format!("/console/admin/users/{}/reset", other_operator.id.0), [403, 403, 403, 403, 403, 200]),
        // Screening signals link cases to each other: coordinators only.
        ("/console/signals".into(), [403, 403, 200, 403, 403, 403]),
        // Who holds a case: the live signal of the case lists (ids only).
        ("/console/cases/events".into(), [200, 200, 200, 403, 403, 403]),
        // The archive of finished cases: coordinators only.
        ("/console/cases/archive".into(), [403, 403, 200, 403, 403, 403]),
        // Figures: analysts read them (counts only); administrators keep the mapping.
        ("/console/figures".into(), [403, 403, 403, 403, 200, 403]),
        ("/console/figures?by=day&from=2026-01-01&to=2026-01-31".into(), [403, 403, 403, 403, 200, 403]),
        ("/console/figures.csv".into(), [403, 403, 403, 403, 200, 403]),
        ("/console/figures.json".into(), [403, 403, 403, 403, 200, 403]),
        ("/console/admin/figures".into(), [403, 403, 403, 403, 403, 200]),
    ];
    for (path, expected) in &reads {
        for (i, role) in Role::ALL.iter().enumerate() {
            let response = people.sessions[i].get(path).await;
            check(*role, "GET", path, &response, expected[i]);
        }
    }

    // Writes: each role acts on objects that are as much "its own" as they can be, so that a
    // refusal comes from the rules and not from someone else's ownership.
    type Route = &'static str;
    let writes: [(Route, Expect); 35] = [
        ("take a waiting conversation", [303, 303, 403, 403, 403, 403]),
        ("reply in own conversation", [303, 303, 404, 403, 403, 403]),
        ("close own conversation", [303, 303, 404, 403, 403, 403]),
        ("open a case from own conversation", [303, 303, 403, 403, 403, 403]),
        ("close own inquiry case", [303, 303, 303, 403, 403, 403]),
        // No plain move records an exit: only the exit form after operations completed.
        ("mark own handed-off case exited", [403, 403, 403, 403, 403, 403]),
        ("set composition of own group case", [403, 303, 303, 403, 403, 403]),
        ("add a user", [403, 403, 403, 403, 403, 200]),
        ("shred a case", [403, 403, 303, 403, 403, 403]),
        // Own account: a wrong current password or code is refused as such (422), not by role.
        ("change own password", [422, 422, 422, 422, 422, 422]),
        ("start a new authenticator", [422, 422, 422, 422, 422, 422]),
        ("confirm a new authenticator", [422, 422, 422, 422, 422, 422]),
        ("finish a first-login setup", [303, 303, 303, 303, 303, 303]),
        ("unlock an account", [403, 403, 403, 403, 403, 303]),
        ("change an account's role", [403, 403, 403, 403, 403, 303]),
        ("disable and enable an account", [403, 403, 403, 403, 403, 303]),
        ("reset an account", [403, 403, 403, 403, 403, 200]),
        // Who holds a case: coordinators give cases to specialists.
        ("assign a case to a specialist", [403, 403, 303, 403, 403, 403]),
        // Screening: whoever sees the case whole flags it; operations never see one whole.
        ("flag own case as suspicious", [303, 303, 303, 403, 403, 403]),
        // Locations: the case's owner and coordinators (who see it whole); never operations,
        // analysts or admins.
        ("add a location to own case", [303, 303, 303, 403, 403, 403]),
        // The exit path: the holder writes, coordinators decide (never their own), operations
        // report; coordinators see exited cases too (the archive) and may record an outcome.
        ("write a plan for own located case", [303, 303, 303, 403, 403, 403]),
        ("submit own draft", [303, 303, 303, 403, 403, 403]),
        ("approve a submitted plan", [403, 403, 303, 403, 403, 403]),
        ("return a submitted plan", [403, 403, 303, 403, 403, 403]),
        ("send the instructions of own approved plan", [303, 303, 303, 403, 403, 403]),
        ("hand off an approved plan", [403, 403, 303, 403, 403, 403]),
        ("record the exit of own completed hand-off", [303, 303, 303, 403, 403, 403]),
        ("record an outcome of own exited case", [303, 303, 303, 403, 403, 403]),
        ("report on a hand-off", [403, 403, 403, 303, 403, 403]),
        // Waiting: the holder of a case (or a coordinator) sets when the next contact is due.
        ("set the next contact of own case", [303, 303, 303, 403, 403, 403]),
        ("write a note on own case", [303, 303, 303, 403, 403, 403]),
        // The holder issues a codename (shown once on the answer); coordinators hold no case.
        ("issue a codename for own case", [200, 200, 403, 403, 403, 403]),
        // Relatives: the specialist answering a conversation links it to their own case.
        ("link own conversation to own case as a relative's", [403, 303, 403, 403, 403, 403]),
        // Figures: the mapping of the bot's results and an analyst's internal view, by admins.
        ("save the figures mapping", [403, 403, 403, 403, 403, 303]),
        ("allow an analyst the internal figures", [403, 403, 403, 403, 403, 303]),
    ];
    for (what, expected) in writes {
        for (i, role) in Role::ALL.iter().enumerate() {
            let me = people.staff[i].id;
            let session = &people.sessions[i];
            let (path, fields): (String, Vec<(&str, String)>) = match what {
                "take a waiting conversation" => {
                    (format!("/console/conversations/{}/take", queued(&server).await), vec![])
                }
                "reply in own conversation" => (
                    format!("/console/conversations/{}/reply", assigned_to(&server, me).await),
                    vec![("text", "hello".into())],
                ),
                "close own conversation" => {
                    (format!("/console/conversations/{}/close", assigned_to(&server, me).await), vec![])
                }
                "open a case from own conversation" => (
                    format!("/console/conversations/{}/case", assigned_to(&server, me).await),
                    vec![("kind", "individual".into())],
                ),
                "close own inquiry case" => (
                    format!("/console/cases/{}/transition", case_owned_by(&server, me, CaseKind::Individual).await),
                    vec![("transition", "close:duplicate".into()), ("confirm", "1".into())],
                ),
                "mark own handed-off case exited" => (
                    format!("/console/cases/{}/transition", handed_off(&server, me, specialist, coordinator).await),
                    vec![("transition", "advance:exited".into()), ("confirm", "1".into())],
                ),
                "set composition of own group case" => (
                    format!("/console/cases/{}/composition", case_owned_by(&server, me, CaseKind::Group).await),
                    vec![("size", "4".into()), ("officers", "1".into())],
                ),
                "shred a case" => (
                    format!("/console/cases/{}/shred", case_owned_by(&server, me, CaseKind::Individual).await),
                    vec![("reason", "applicant_request".into()), ("confirm", "yes".into())],
                ),
                "change own password" => (
                    "/console/account/password".into(),
                    vec![
                        ("current", "not-my-password".into()),
                        ("password", "plum-orchard-58-gently-sways".into()),
                        ("repeat", "plum-orchard-58-gently-sways".into()),
                    ],
                ),
                "start a new authenticator" => ("/console/account/totp/new".into(), vec![("current", "wrong".into())]),
                "confirm a new authenticator" => ("/console/account/totp".into(), vec![("totp", "000000".into())]),
                "finish a first-login setup" => ("/console/setup".into(), vec![]),
                "unlock an account" => (format!("/console/admin/users/{}/unlock", other_operator.id.0), vec![]),
                "change an account's role" => (
                    format!("/console/admin/users/{}/role", other_operator.id.0),
                    vec![("role", if i % 2 == 0 { "specialist" } else { "operator" }.into())],
                ),
                "disable and enable an account" => {
                    let target = server.staff(Role::Analyst, &format!("target-{role}")).await;
                    (format!("/console/admin/users/{}/disable", target.id.0), vec![])
                }
                "reset an account" => {
                    let target = server.staff(Role::Analyst, &format!("reset-{role}")).await;
                    (format!("/console/admin/users/{}/reset", target.id.0), vec![("confirm", "yes".into())])
                }
                "flag own case as suspicious" => (
                    format!("/console/cases/{}/flag", case_owned_by(&server, me, CaseKind::Individual).await),
                    vec![("reason", "the same words as another case".into())],
                ),
                "link own conversation to own case as a relative's" => (
                    format!("/console/conversations/{}/relative", assigned_to(&server, me).await),
                    vec![("case", case_owned_by(&server, me, CaseKind::Individual).await.0.to_string())],
                ),
                "issue a codename for own case" => (
                    format!("/console/cases/{}/codename", case_owned_by(&server, me, CaseKind::Individual).await),
                    vec![],
                ),
                "save the figures mapping" => {
                    ("/console/admin/figures".into(), vec![("rules", "role = serviceman -> who: serviceman".into())])
                }
                "allow an analyst the internal figures" => {
                    let target = server.staff(Role::Analyst, &format!("figures-{role}")).await;
                    (format!("/console/admin/users/{}/figures", target.id.0), vec![("internal", "true".into())])
                }
                "write a note on own case" => (
                    format!("/console/cases/{}/notes", case_owned_by(&server, me, CaseKind::Individual).await),
                    vec![("text", "a note".into())],
                ),
                "set the next contact of own case" => (
                    format!("/console/cases/{}/next-contact", case_owned_by(&server, me, CaseKind::Individual).await),
                    vec![("days", "3".into())],
                ),
                "assign a case to a specialist" => (
                    format!("/console/cases/{}/assign", case_owned_by(&server, me, CaseKind::Individual).await),
                    vec![("to", specialist.id.0.to_string())],
                ),
                "add a location to own case" => (
                    format!("/console/cases/{}/locations", case_owned_by(&server, me, CaseKind::Individual).await),
                    vec![("place", "37U DQ 12345 67890".into()), ("source", "staff_call".into())],
                ),
                "write a plan for own located case" => (
                    format!("/console/cases/{}/plan", case_at(&server, (me, *role), Stage::Located).await),
                    plan_fields("Ждите."),
                ),
                "submit own draft" => (
                    format!("/console/cases/{}/plan/submit", case_at(&server, (me, *role), Stage::Drafted).await),
                    vec![],
                ),
                "approve a submitted plan" | "return a submitted plan" => {
                    let case = case_at(&server, (specialist.id, Role::Specialist), Stage::Submitted).await;
                    let plan = newest_plan(&server, case).await.to_string();
                    if what.starts_with("approve") {
                        (format!("/console/cases/{case}/plan/approve"), vec![("plan", plan), ("confirm", "1".into())])
                    } else {
                        (format!("/console/cases/{case}/plan/return"), vec![("plan", plan), ("comment", "no".into())])
                    }
                }
                "send the instructions of own approved plan" => (
                    format!("/console/cases/{}/plan/send", case_at(&server, (me, *role), Stage::Approved).await),
                    vec![],
                ),
                "hand off an approved plan" => (
                    format!(
                        "/console/cases/{}/handoff",
                        case_at(&server, (specialist.id, Role::Specialist), Stage::Approved).await
                    ),
                    vec![("confirm", "1".into())],
                ),
                "record the exit of own completed hand-off" => (
                    format!("/console/cases/{}/exit", case_at(&server, (me, *role), Stage::Completed).await),
                    vec![("confirm", "1".into())],
                ),
                "record an outcome of own exited case" => (
                    format!("/console/cases/{}/outcome", case_at(&server, (me, *role), Stage::Exited).await),
                    vec![("aspect", "arrival".into()), ("value", "prisoner_of_war".into())],
                ),
                "report on a hand-off" => (
                    format!(
                        "/console/handoffs/{}/report",
                        case_at(&server, (specialist.id, Role::Specialist), Stage::HandedOff).await
                    ),
                    vec![("status", "accepted".into())],
                ),
                _ => ("/console/admin/users".into(), vec![("name", format!("new-{role}")), ("role", "analyst".into())]),
            };
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let response = session.post(&path, &fields).await;
            check(*role, "POST", &format!("{path} ({what})"), &response, expected[i]);
        }
    }

    // Logout is for everyone, and last.
    for (i, role) in Role::ALL.iter().enumerate() {
        let response = people.sessions[i].post("/console/logout", &[]).await;
        assert_eq!(response.status(), 303, "{role} logout");
        assert_eq!(location(&response), "/console/login?notice=logged-out");
    }
}

#[tokio::test]
async fn nobody_gets_in_without_a_session() {
    let server = TestServer::start().await;
    let id = queued(&server).await;
    for path in [
        "/console".to_owned(),
        "/console/queue".to_owned(),
        "/console/events".to_owned(),
        format!("/console/conversations/{id}"),
        "/console/cases".to_owned(),
        "/console/handoffs".to_owned(),
        "/console/admin/users".to_owned(),
        "/console/flows".to_owned(),
        format!("/console/flows/{INTAKE_UUID}"),
        format!("/console/cases/{}/shred", uuid::Uuid::now_v7()),
        format!("/console/cases/{}/plan", uuid::Uuid::now_v7()),
        format!("/console/handoffs/{}", uuid::Uuid::now_v7()),
        format!("/console/handoffs/{}/package.geojson", uuid::Uuid::now_v7()),
        format!("/console/handoffs/{}/package.txt", uuid::Uuid::now_v7()),
        "/console/account".to_owned(),
        "/console/setup".to_owned(),
        format!("/console/admin/users/{id}/reset"),
        "/console/signals".to_owned(),
    ] {
        let response = client().get(server.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), 303, "{path}");
        assert_eq!(location(&response), "/console/login", "{path}");
    }
}

#[tokio::test]
async fn every_post_route_refuses_a_missing_or_wrong_csrf_token() {
    let server = TestServer::start().await;
    let operator = server.staff(Role::Operator, "csrf-op").await;
    let other = server.staff(Role::Operator, "csrf-other").await;
    let session = login(&server, &operator).await;
    let other_session = login(&server, &other).await;
    let conversation = assigned_to(&server, operator.id).await;
    let waiting = queued(&server).await;
    let case = case_owned_by(&server, operator.id, CaseKind::Group).await;
    let routes = [
        "/console/logout".to_owned(),
        format!("/console/conversations/{waiting}/take"),
        format!("/console/conversations/{conversation}/reply"),
        format!("/console/conversations/{conversation}/close"),
        format!("/console/conversations/{conversation}/case"),
        format!("/console/cases/{case}/transition"),
        format!("/console/cases/{case}/composition"),
        format!("/console/cases/{case}/shred"),
        "/console/admin/users".to_owned(),
        "/console/login".to_owned(),
        "/console/account/password".to_owned(),
        "/console/account/totp/new".to_owned(),
        "/console/account/totp".to_owned(),
        "/console/setup".to_owned(),
        format!("/console/admin/users/{}/disable", other.id.0),
        format!("/console/admin/users/{}/enable", other.id.0),
        format!("/console/admin/users/{}/unlock", other.id.0),
        format!("/console/admin/users/{}/role", other.id.0),
        format!("/console/admin/users/{}/reset", other.id.0),
        format!("/console/cases/{case}/assign"),
        format!("/console/cases/{case}/flag"),
        format!("/console/cases/{case}/locations"),
        format!("/console/cases/{case}/plan"),
        format!("/console/cases/{case}/plan/submit"),
        format!("/console/cases/{case}/plan/approve"),
        format!("/console/cases/{case}/plan/return"),
        format!("/console/cases/{case}/plan/send"),
        format!("/console/cases/{case}/handoff"),
        format!("/console/cases/{case}/exit"),
        format!("/console/cases/{case}/outcome"),
        format!("/console/handoffs/{case}/report"),
        format!("/console/cases/{case}/next-contact"),
        format!("/console/cases/{case}/notes"),
        format!("/console/cases/{case}/codename"),
        format!("/console/conversations/{conversation}/relative"),
        "/console/admin/figures".to_owned(),
        format!("/console/admin/users/{}/figures", other.id.0),
    ];
    let fields = [
        ("text", "hi"),
        ("kind", "group"),
        ("transition", "close:duplicate"),
        ("size", "3"),
        ("officers", "1"),
        ("name", "x-user"),
        ("role", "admin"),
        ("username", "csrf-op"),
        ("reason", "safety_risk"),
        ("current", "x"),
        ("password", "x"),
        ("confirm", "yes"),
        ("to", "00000000-0000-0000-0000-000000000000"),
        ("place", "48.0159, 37.8028"),
        ("source", "staff_call"),
        ("days", "3"),
    ];
    for path in &routes {
        let url = session.url(path);
        let missing = session.client.post(&url).form(&fields).send().await.unwrap();
        assert_eq!(missing.status(), 403, "{path} without a token");
        let mut wrong: Vec<(&str, &str)> = vec![("csrf", "00")];
        wrong.extend_from_slice(&fields);
        let response = session.client.post(&url).form(&wrong).send().await.unwrap();
        assert_eq!(response.status(), 403, "{path} with a wrong token");
        let mut borrowed: Vec<(&str, &str)> = vec![("csrf", other_session.csrf.as_str())];
        borrowed.extend_from_slice(&fields);
        let response = session.client.post(&url).form(&borrowed).send().await.unwrap();
        assert_eq!(response.status(), 403, "{path} with another session's token");
    }
    // Nothing happened.
    let still = server.state.store.conversation(waiting).await.unwrap().unwrap();
    assert_eq!(still.status, safepassage_store::ConversationStatus::Queued);
    assert!(server
        .state
        .store
        .messages(conversation, 0, 100)
        .await
        .unwrap()
        .iter()
        .all(|m| m.body.text() != Some("hi")));
    assert_eq!(server.state.store.case(case).await.unwrap().unwrap().state, CaseState::Inquiry);
    assert!(!server.state.store.case(case).await.unwrap().unwrap().shredded);
    assert!(server.state.store.locations(case).await.unwrap().is_empty());
    assert_eq!(server.state.store.case(case).await.unwrap().unwrap().assigned_to, Some(operator.id));
    assert_eq!(server.state.store.case_wait(case).await.unwrap().unwrap().next_contact_ms, None);
    assert!(server.state.store.notes(case).await.unwrap().is_empty());
    assert!(!server.state.store.case(case).await.unwrap().unwrap().has_codename);
    assert_eq!(server.state.store.relative_of(conversation).await.unwrap(), None);
    let untouched = server.state.store.user(other.id).await.unwrap().unwrap();
    assert_eq!(untouched.status, safepassage_store::AccountStatus::Active);
    assert_eq!(session.get("/console").await.status(), 200, "still logged in");
    // A right token from a foreign page (the browser says so) is refused too.
    let cross = session
        .client
        .post(session.url("/console/logout"))
        .header("origin", "http://evil.example")
        .form(&[("csrf", session.csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(cross.status(), 403);
}
