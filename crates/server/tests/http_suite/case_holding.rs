//! Who holds a case, waiting and silence: the expected next contact set by the holder, overdue
//! cases raised in "my cases" and in the coordinators' silent list, the applicant's contact
//! recorded and told to the holder live, and "my cases" ordered by what needs them first.

use std::time::Duration;

use safepassage_domain::{CaseId, CaseKind, ContactDefaults, Language, Role};
use safepassage_server::ServerConfig;

use super::console::{location, login, Session};
use super::{queued_chat, TestServer};

/// A server where an inquiry is overdue at once (no wait), so silence shows without waiting.
async fn impatient_server() -> TestServer {
    let config = ServerConfig {
        contact_defaults: ContactDefaults { inquiry: 0, ..ContactDefaults::default() },
        ..Default::default()
    };
    TestServer::start_with(config).await
}

/// The rows of one table of a cases page.
fn table<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.split(&format!("<table id=\"{id}\"")).nth(1).unwrap_or_default();
    start.split("</table>").next().unwrap_or_default()
}

fn position(html: &str, case: CaseId) -> Option<usize> {
    table(html, "cases").find(&format!("href=\"/console/cases/{case}\""))
}

/// The `<tr>` of a case in the "cases" table.
fn row_of(html: &str, case: CaseId) -> String {
    let t = table(html, "cases");
    let at = t.find(&format!("href=\"/console/cases/{case}\"")).unwrap_or_default();
    let start = t[..at].rfind("<tr").unwrap_or_default();
    t[start..at].to_owned()
}

/// Waits for `event: contact` carrying `case` on a console's case stream.
async fn next_contact_event(stream: &mut reqwest::Response, case: CaseId, within: Duration) -> bool {
    next_event(stream, "contact", case, within).await
}

/// Waits for `event: <name>` carrying `case` on a console's case stream.
async fn next_event(stream: &mut reqwest::Response, name: &str, case: CaseId, within: Duration) -> bool {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, stream.chunk()).await {
            Ok(Ok(Some(bytes))) => {
                seen.push_str(&String::from_utf8_lossy(&bytes));
                if seen.contains(&format!("event: {name}\ndata: {case}")) {
                    return true;
                }
            }
            _ => return false,
        }
    }
}

async fn set_days(session: &Session, case: CaseId, days: &str) -> reqwest::Response {
    session.post(&format!("/console/cases/{case}/next-contact"), &[("days", days)]).await
}

#[tokio::test]
async fn an_overdue_case_is_raised_to_its_holder_and_the_coordinators_until_a_date_is_set() {
    let server = impatient_server().await;
    let holder = server.staff(Role::Specialist, "spec-hold").await;
    let other = server.staff(Role::Specialist, "spec-else").await;
    let coordinator = server.staff(Role::Coordinator, "coord-hold").await;
    let operations = server.staff(Role::Operations, "ops-hold").await;
    let (h, o, c, ops) = (
        login(&server, &holder).await,
        login(&server, &other).await,
        login(&server, &coordinator).await,
        login(&server, &operations).await,
    );
    let quiet = server.state.store.open_case(None, CaseKind::Individual, holder.id).await.unwrap();
    let page = format!("/console/cases/{quiet}");

    // Raised: in the holder's list, in the coordinators' silent list, and on the case page.
    let mine = h.page("/console/cases?lang=en").await;
    assert!(row_of(&mine, quiet).contains("data-attention=\"overdue\""), "{mine}");
    let list = c.page("/console/cases?lang=en").await;
    assert!(list.contains("id=\"silent-heading\"") && list.contains("Silent"), "{list}");
    assert!(table(&list, "silent").contains(&format!("href=\"{page}\"")), "{list}");
    assert!(!h.page("/console/cases").await.contains("id=\"silent\""), "only coordinators have the silent list");
    let shown = h.page(&format!("{page}?lang=en")).await;
    assert!(shown.contains("id=\"next-contact\" data-overdue=\"1\"") && shown.contains("overdue"), "{shown}");
    assert!(shown.contains("id=\"last-contact\">none yet"), "{shown}");
    assert!(shown.contains(&format!("action=\"{page}/next-contact\"")), "{shown}");

    // Refused: outside the need to know, outside the area; nonsense is answered with a notice.
    assert_eq!(set_days(&o, quiet, "3").await.status(), 404);
    assert_eq!(set_days(&ops, quiet, "3").await.status(), 403);
    for wrong in ["0", "401", "soon", ""] {
        assert_eq!(location(&set_days(&h, quiet, wrong).await), format!("{page}?notice=next-contact-invalid"));
    }
    assert_eq!(server.state.store.case_wait(quiet).await.unwrap().unwrap().next_contact_ms, None);

    // The holder expects the next contact in 5 days: no longer raised anywhere.
    let set = set_days(&h, quiet, "5").await;
    assert_eq!(location(&set), format!("{page}?notice=next-contact-set"));
    let wait = server.state.store.case_wait(quiet).await.unwrap().unwrap();
    assert!(wait.next_contact_ms.is_some_and(|at| at > wait.state_since_ms + 4 * 24 * 3_600_000));
    assert!(row_of(&h.page("/console/cases").await, quiet).contains("data-attention=\"waiting\""));
    assert!(!table(&c.page("/console/cases").await, "silent").contains(&page));
    let shown = h.page(&format!("{page}?lang=en&notice=next-contact-set")).await;
    assert!(!shown.contains("data-overdue"), "{shown}");
    assert!(shown.contains("spec-hold expects the next contact by"), "{shown}");

    // A coordinator may set it too.
    assert_eq!(location(&set_days(&c, quiet, "2").await), format!("{page}?notice=next-contact-set"));
}

#[tokio::test]
async fn the_applicants_contact_is_recorded_and_told_to_the_holder_live() {
    let server = TestServer::start().await;
    let holder = server.staff(Role::Specialist, "spec-live").await;
    let other = server.staff(Role::Specialist, "spec-away").await;
    let coordinator = server.staff(Role::Coordinator, "coord-live").await;
    let (h, o, c) = (login(&server, &holder).await, login(&server, &other).await, login(&server, &coordinator).await);
    let (_, conversation, _) = queued_chat(&server.state, Language::Uk).await;
    let case = server.state.store.open_case_by_bot(conversation.id, CaseKind::Individual).await.unwrap();
    assert_eq!(
        c.post(&format!("/console/cases/{case}/assign"), &[("to", &holder.id.0.to_string())]).await.status(),
        303
    );

    // Both specialists watch their case lists; the page carries the stream for console.js.
    assert!(h.page("/console/cases").await.contains("data-case-events=\"/console/cases/events\""));
    let mut mine = h.get("/console/cases/events").await;
    assert_eq!(mine.status(), 200);
    assert!(mine.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut theirs = o.get("/console/cases/events").await;
    let mut coordinators = c.get("/console/cases/events").await;

    // The applicant writes in the case's conversation.
    let fresh = server.state.store.conversation(conversation.id).await.unwrap().unwrap();
    server.state.applicant_says(&fresh, "я тут").await.unwrap();
    assert!(next_contact_event(&mut mine, case, Duration::from_secs(5)).await, "the holder is told");
    assert!(
        next_contact_event(&mut coordinators, case, Duration::from_secs(5)).await,
        "coordinators hear of every case"
    );
    assert!(!next_contact_event(&mut theirs, case, Duration::from_millis(300)).await, "another specialist is not");
    let wait = server.state.store.case_wait(case).await.unwrap().unwrap();
    let first = wait.last_contact_ms.expect("the contact is recorded");
    let shown = h.page(&format!("/console/cases/{case}?lang=en")).await;
    assert!(!shown.contains("id=\"last-contact\">none yet"), "{shown}");
    assert!(shown.contains("id=\"returning\""), "the conversation waits: the applicant is back\n{shown}");

    // A codename join on a new conversation is a contact too.
    let codename = server.state.store.issue_codename(case).await.unwrap();
    let (_, again, _) = server.state.start_web_chat(Language::Uk).await.unwrap();
    assert!(server.state.applicant_joins_by_codename(&again, &codename).await.unwrap());
    assert!(next_contact_event(&mut mine, case, Duration::from_secs(5)).await, "the join is told too");
    let later = server.state.store.case_wait(case).await.unwrap().unwrap().last_contact_ms.unwrap();
    assert!(later >= first);
}

#[tokio::test]
async fn my_cases_put_a_returning_applicant_first_then_an_overdue_contact_then_the_rest() {
    let server = impatient_server().await;
    let holder = server.staff(Role::Specialist, "spec-order").await;
    let h = login(&server, &holder).await;
    let store = &server.state.store;

    let rest = store.open_case(None, CaseKind::Individual, holder.id).await.unwrap();
    store.set_next_contact(rest, 5, holder.id, Role::Specialist).await.unwrap();
    let overdue = store.open_case(None, CaseKind::Individual, holder.id).await.unwrap();
    let (_, waiting, _) = queued_chat(&server.state, Language::Ru).await;
    let returning = store.open_case(Some(waiting.id), CaseKind::Individual, holder.id).await.unwrap();
    store.set_next_contact(returning, 5, holder.id, Role::Specialist).await.unwrap();

    let mine = h.page("/console/cases?lang=en").await;
    let at = |case| position(&mine, case).unwrap_or_else(|| panic!("{case} missing\n{mine}"));
    assert!(at(returning) < at(overdue) && at(overdue) < at(rest), "{mine}");
    assert!(row_of(&mine, returning).contains("data-attention=\"returning\""));
    assert!(row_of(&mine, overdue).contains("data-attention=\"overdue\""));
    assert!(row_of(&mine, rest).contains("data-attention=\"waiting\""));
    assert!(mine.contains("<strong class=\"attention\">back</strong>"), "{mine}");
}

#[tokio::test]
async fn notes_are_written_and_read_by_the_holder_and_coordinators_only() {
    let server = TestServer::start().await;
    let holder = server.staff(Role::Specialist, "spec-notes").await;
    let other = server.staff(Role::Specialist, "spec-nosy").await;
    let coordinator = server.staff(Role::Coordinator, "coord-notes").await;
    let (h, o, c) = (login(&server, &holder).await, login(&server, &other).await, login(&server, &coordinator).await);
    let case = server.state.store.open_case(None, CaseKind::Individual, holder.id).await.unwrap();
    let page = format!("/console/cases/{case}");
    let note = "Встреча у старого моста, спросить про брата";

    assert!(h.page(&page).await.contains("id=\"note-form\""));
    let added = h.post(&format!("{page}/notes"), &[("text", note)]).await;
    assert_eq!(location(&added), format!("{page}?notice=note-added#notes-heading"));
    assert_eq!(
        location(&c.post(&format!("{page}/notes"), &[("text", "координатор: проверено")]).await).split('?').next(),
        Some(page.as_str())
    );
    assert_eq!(
        location(&h.post(&format!("{page}/notes"), &[("text", "   ")]).await),
        format!("{page}?notice=note-empty")
    );
    let long = "я".repeat(10_001);
    assert_eq!(
        location(&h.post(&format!("{page}/notes"), &[("text", &long)]).await),
        format!("{page}?notice=note-too-long")
    );
    assert_eq!(o.post(&format!("{page}/notes"), &[("text", "чужая")]).await.status(), 404);
    for role in [Role::Operations, Role::Analyst, Role::Admin] {
        let someone = server.staff(role, &format!("notes-{role}")).await;
        let s = login(&server, &someone).await;
        assert_eq!(s.post(&format!("{page}/notes"), &[("text", "нет")]).await.status(), 403);
        assert_ne!(s.get(&page).await.status(), 200);
    }

    // Read on the case page, each view recorded; sealed in the store.
    for reader in [&h, &c] {
        let shown = reader.page(&page).await;
        assert!(shown.contains(note) && shown.contains("координатор: проверено"), "{shown}");
    }
    assert!(!o.get(&page).await.text().await.unwrap().contains(note));
    let notes = server.state.store.notes(case).await.unwrap();
    assert_eq!(notes.len(), 2);
    let events = server.state.store.timeline(case.0, 1000).await.unwrap();
    let viewed = events.iter().filter(|e| e.event.kind() == "case_viewed").count();
    let added = events.iter().filter(|e| e.event.kind() == "case_note_added").count();
    assert!(viewed >= 3 && added == 2, "{viewed} views, {added} notes");
}

/// The codename a codename page shows once.
fn shown_codename(html: &str) -> safepassage_domain::Codename {
    let grouped = html.split("<code id=\"codename\" class=\"codename\">").nth(1).unwrap().split('<').next().unwrap();
    safepassage_domain::Codename::parse(grouped).unwrap()
}

#[tokio::test]
async fn the_holder_issues_and_reissues_a_codename_shown_once_and_the_old_one_stops_working() {
    let server = TestServer::start().await;
    let holder = server.staff(Role::Specialist, "spec-code").await;
    let other = server.staff(Role::Specialist, "spec-nocode").await;
    let coordinator = server.staff(Role::Coordinator, "coord-code").await;
    let (h, o, c) = (login(&server, &holder).await, login(&server, &other).await, login(&server, &coordinator).await);
    let case = server.state.store.open_case(None, CaseKind::Individual, holder.id).await.unwrap();
    let page = format!("/console/cases/{case}");

    assert!(h.page(&format!("{page}?lang=en")).await.contains("Issue a codename"));
    assert!(!c.page(&page).await.contains("codename-form"), "only the holder issues");
    assert_eq!(c.post(&format!("{page}/codename"), &[]).await.status(), 403);
    assert_eq!(o.post(&format!("{page}/codename"), &[]).await.status(), 404);
    assert!(!server.state.store.case(case).await.unwrap().unwrap().has_codename);

    // Issued: shown once, and it joins a returning applicant's conversation to the case.
    let first_page = h.post(&format!("{page}/codename"), &[]).await;
    assert_eq!(first_page.status(), 200);
    let first_html = first_page.text().await.unwrap();
    let first = shown_codename(&first_html);
    assert!(!first_html.contains("id=\"codename-replaced\""));
    let (_, back, _) = server.state.start_web_chat(Language::Ru).await.unwrap();
    assert!(server.state.applicant_joins_by_codename(&back, &first).await.unwrap());
    let case_page = h.page(&format!("{page}?lang=en")).await;
    assert!(!case_page.contains(first.digits()) && !case_page.contains(&first.grouped()), "never shown again");
    assert!(case_page.contains("Issue a new codename"), "{case_page}");

    // Re-issued: the new one works, the old one no longer does.
    let second_html = h.post(&format!("{page}/codename"), &[]).await.text().await.unwrap();
    let second = shown_codename(&second_html);
    assert_ne!(first, second);
    assert!(second_html.contains("id=\"codename-replaced\""));
    let (_, late, _) = server.state.start_web_chat(Language::Ru).await.unwrap();
    assert!(!server.state.applicant_joins_by_codename(&late, &first).await.unwrap(), "the old codename stops working");
    assert!(server.state.applicant_joins_by_codename(&late, &second).await.unwrap());

    let issued: Vec<_> = server
        .state
        .store
        .timeline(case.0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.event {
            safepassage_domain::Event::CodenameIssuedByStaff { by, replaced, .. } => Some((by, replaced)),
            _ => None,
        })
        .collect();
    assert_eq!(issued, vec![(holder.id, false), (holder.id, true)]);
    assert!(h.page(&format!("{page}?lang=en")).await.contains("spec-code issued a new codename"));
}

#[tokio::test]
async fn the_conversation_page_shows_its_case_within_the_need_to_know_only() {
    let server = TestServer::start().await;
    let holder = server.staff(Role::Specialist, "spec-conv").await;
    let operator = server.staff(Role::Operator, "oper-conv").await;
    let coordinator = server.staff(Role::Coordinator, "coord-conv").await;
    let (h, op, c) =
        (login(&server, &holder).await, login(&server, &operator).await, login(&server, &coordinator).await);
    let store = &server.state.store;

    // The operator answers a conversation; the bot registers a case on it, given to the holder.
    let (_, first, _) = queued_chat(&server.state, Language::Uk).await;
    server.state.take_conversation(first.id, operator.id).await.unwrap();
    let case = store.open_case_by_bot(first.id, CaseKind::Individual).await.unwrap();
    store.assign_case(case, holder.id, coordinator.id, Role::Coordinator).await.unwrap();
    let codename = store.issue_codename(case).await.unwrap();
    let (_, second, _) = server.state.start_web_chat(Language::Uk).await.unwrap();
    assert!(server.state.applicant_joins_by_codename(&second, &codename).await.unwrap());

    // The holder and coordinators see the case on the new conversation, with the earlier one.
    for (reader, lang) in [(&h, "en"), (&c, "en")] {
        let shown = reader.page(&format!("/console/conversations/{}?lang={lang}", second.id)).await;
        assert!(shown.contains("id=\"conversation-case\""), "{shown}");
        assert!(shown.contains(&format!("href=\"/console/cases/{case}\"")), "{shown}");
        assert!(shown.contains("data-state=\"inquiry\""), "{shown}");
        assert!(shown.contains("id=\"conversation-case-holder\">spec-conv<"), "{shown}");
        assert!(shown.contains("data-issued=\"1\""), "{shown}");
        let others = shown.split("id=\"conversation-case-others\"").nth(1).unwrap().split("</ul>").next().unwrap();
        assert!(others.contains(&format!("href=\"/console/conversations/{}\"", first.id)), "{others}");
        assert!(!others.contains(&second.id.to_string()), "not itself");
    }

    // The operator still answers the first conversation, but sees nothing of the case.
    let theirs = op.page(&format!("/console/conversations/{}", first.id)).await;
    assert!(!theirs.contains("conversation-case") && !theirs.contains(&case.to_string()), "{theirs}");
}

#[tokio::test]
async fn the_coordinators_unassigned_list_is_signalled_live_when_it_changes() {
    let server = TestServer::start().await;
    let specialist = server.staff(Role::Specialist, "spec-una").await;
    let operator = server.staff(Role::Operator, "oper-una").await;
    let coordinator = server.staff(Role::Coordinator, "coord-una").await;
    let (s, op, c) =
        (login(&server, &specialist).await, login(&server, &operator).await, login(&server, &coordinator).await);
    let mut coordinators = c.get("/console/cases/events").await;
    let mut specialists = s.get("/console/cases/events").await;
    assert_eq!(op.get("/console/cases/events").await.status(), 200, "operators have their own list");

    // An operator opens a case from a conversation: it lands in the unassigned list.
    let (_, conversation, _) = queued_chat(&server.state, Language::Ru).await;
    let chat = format!("/console/conversations/{}", conversation.id);
    assert_eq!(op.post(&format!("{chat}/take"), &[]).await.status(), 303);
    let opened = location(&op.post(&format!("{chat}/case"), &[("kind", "individual")]).await);
    let case = CaseId(opened.trim_start_matches("/console/cases/").parse().unwrap());
    assert!(next_event(&mut coordinators, "unassigned", case, Duration::from_secs(5)).await);

    // A coordinator gives it to a specialist: it leaves the list, and every coordinator hears.
    let given = c.post(&format!("/console/cases/{case}/assign"), &[("to", &specialist.id.0.to_string())]).await;
    assert_eq!(given.status(), 303);
    assert!(next_event(&mut coordinators, "unassigned", case, Duration::from_secs(5)).await);
    assert!(!next_event(&mut specialists, "unassigned", case, Duration::from_millis(300)).await);
    // Without JavaScript the list is simply re-read.
    assert!(!c
        .page("/console/cases")
        .await
        .split("id=\"unassigned\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap()
        .contains(&case.to_string()));
}

#[tokio::test]
async fn a_specialist_links_a_relatives_conversation_to_their_case() {
    let server = TestServer::start().await;
    let holder = server.staff(Role::Specialist, "spec-rel").await;
    let other = server.staff(Role::Specialist, "spec-unrel").await;
    let coordinator = server.staff(Role::Coordinator, "coord-rel").await;
    let operator = server.staff(Role::Operator, "oper-rel").await;
    let (h, o, c, op) = (
        login(&server, &holder).await,
        login(&server, &other).await,
        login(&server, &coordinator).await,
        login(&server, &operator).await,
    );
    let case = server.state.store.open_case(None, CaseKind::Individual, holder.id).await.unwrap();
    let (_, relative, _) = queued_chat(&server.state, Language::Ru).await;
    let chat = format!("/console/conversations/{}", relative.id);
    assert_eq!(location(&h.post(&format!("{chat}/take"), &[]).await), chat);
    let case_field = case.0.to_string();

    let shown = h.page(&format!("{chat}?lang=en")).await;
    assert!(shown.contains("id=\"relative-form\"") && shown.contains(&format!("<option value=\"{case}\">")), "{shown}");
    assert_eq!(o.post(&format!("{chat}/relative"), &[("case", &case_field)]).await.status(), 404);
    assert_eq!(op.post(&format!("{chat}/relative"), &[("case", &case_field)]).await.status(), 403);
    assert_eq!(c.post(&format!("{chat}/relative"), &[("case", &case_field)]).await.status(), 403);

    let linked = h.post(&format!("{chat}/relative"), &[("case", &case_field)]).await;
    assert_eq!(location(&linked), format!("{chat}?notice=relative-linked"));
    assert_eq!(server.state.store.relative_of(relative.id).await.unwrap(), Some(case));
    let again = h.post(&format!("{chat}/relative"), &[("case", &case_field)]).await;
    assert_eq!(location(&again), format!("{chat}?notice=relative-already"));

    // The case lists it as a relative's; the conversation names the case.
    for reader in [&h, &c] {
        let page = reader.page(&format!("/console/cases/{case}?lang=en")).await;
        let relatives = page.split("id=\"case-relatives\"").nth(1).unwrap_or_default();
        assert!(relatives.contains(&format!("href=\"{chat}\"")), "{page}");
    }
    assert!(h.page(&format!("/console/cases/{case}?lang=en")).await.contains("spec-rel linked a relative"));
    let shown = h.page(&chat).await;
    assert!(shown.contains("id=\"relative-of\"") && shown.contains(&format!("href=\"/console/cases/{case}\"")));
    assert!(!shown.contains("id=\"relative-form\""));
}

#[tokio::test]
async fn closed_and_exited_cases_stay_findable_by_coordinators_read_only() {
    use safepassage_domain::{CloseReason, Transition};
    let server = TestServer::start().await;
    let specialist = server.staff(Role::Specialist, "spec-arch").await;
    let coordinator = server.staff(Role::Coordinator, "coord-arch").await;
    let (s, c) = (login(&server, &specialist).await, login(&server, &coordinator).await);
    let store = &server.state.store;
    let closed = store.open_case(None, CaseKind::Individual, specialist.id).await.unwrap();
    let close = Transition::Close { reason: CloseReason::Withdrew };
    store.transition_case(closed, close, specialist.id, Role::Specialist).await.unwrap();
    let exited =
        super::exit_plan::case_at(&server, (specialist.id, Role::Specialist), super::exit_plan::Stage::Exited).await;
    let open = store.open_case(None, CaseKind::Individual, specialist.id).await.unwrap();

    assert!(c.page("/console/cases").await.contains("href=\"/console/cases/archive\""));
    let archive = c.page("/console/cases/archive?lang=en").await;
    let listed = |html: &str, case: CaseId| table(html, "archive").contains(&format!("href=\"/console/cases/{case}\""));
    assert!(listed(&archive, closed) && listed(&archive, exited) && !listed(&archive, open), "{archive}");
    let only_closed = c.page("/console/cases/archive?state=closed").await;
    assert!(listed(&only_closed, closed) && !listed(&only_closed, exited));
    let only_exited = c.page("/console/cases/archive?state=exited").await;
    assert!(!listed(&only_exited, closed) && listed(&only_exited, exited));
    let long_ago = c.page("/console/cases/archive?from=2001-01-01&to=2001-12-31").await;
    assert!(!listed(&long_ago, closed) && long_ago.contains("class=\"empty\""));
    let now_ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let today = chrono::DateTime::from_timestamp_millis(now_ms).unwrap().format("%Y-%m-%d").to_string();
    let since_today = c.page(&format!("/console/cases/archive?from={today}&to={today}")).await;
    assert!(listed(&since_today, closed) && listed(&since_today, exited), "{since_today}");
    for wrong in ["state=open", "from=yesterday", "page=-1", "page=99999"] {
        assert_eq!(c.get(&format!("/console/cases/archive?{wrong}")).await.status(), 400, "{wrong}");
    }
    assert_eq!(s.get("/console/cases/archive").await.status(), 403);

    // A finished case's page is read-only for the coordinator: no move, form or button.
    for case in [closed, exited] {
        let page = c.page(&format!("/console/cases/{case}")).await;
        assert!(page.contains("id=\"timeline\""), "{page}");
        for action in ["class=\"transition", "assign-form", "note-form", "next-contact-form", "codename-form"] {
            assert!(!page.contains(action), "{action} on a finished case\n{page}");
        }
    }
}

/// An intake that asks one question, then registers the applicant (`codename` = `requested`)
/// and takes their "I have been deployed" (`deployed` = `yes`), as a flow of the platform may.
fn deployed_intake() -> String {
    serde_json::json!({
        "uuid": "5b1e0c6a-2f3d-4e5f-8a9b-0c1d2e3f4a01", "name": "Intake", "spec_version": "14.4.2",
        "language": "eng", "type": "messaging",
        "nodes": [
            {"uuid": "5b1e0c6a-2f3d-4e5f-8a9b-0c1d2e3f4a11",
             "actions": [{"uuid": "5b1e0c6a-2f3d-4e5f-8a9b-0c1d2e3f4a21", "type": "send_msg", "text": "Deployed?"}],
             "router": {"type": "switch", "operand": "@input.text", "result_name": "answer", "wait": {"type": "msg"},
                "categories": [{"uuid": "5b1e0c6a-2f3d-4e5f-8a9b-0c1d2e3f4a31", "name": "All",
                                "exit_uuid": "5b1e0c6a-2f3d-4e5f-8a9b-0c1d2e3f4a41"}],
                "default_category_uuid": "5b1e0c6a-2f3d-4e5f-8a9b-0c1d2e3f4a31", "cases": []},
             "exits": [{"uuid": "5b1e0c6a-2f3d-4e5f-8a9b-0c1d2e3f4a41",
                        "destination_uuid": "5b1e0c6a-2f3d-4e5f-8a9b-0c1d2e3f4a12"}]},
            {"uuid": "5b1e0c6a-2f3d-4e5f-8a9b-0c1d2e3f4a12",
             "actions": [
                {"uuid": "5b1e0c6a-2f3d-4e5f-8a9b-0c1d2e3f4a22", "type": "set_run_result", "name": "codename",
                 "value": "requested", "category": ""},
                {"uuid": "5b1e0c6a-2f3d-4e5f-8a9b-0c1d2e3f4a23", "type": "set_run_result", "name": "deployed",
                 "value": "yes", "category": ""},
                {"uuid": "5b1e0c6a-2f3d-4e5f-8a9b-0c1d2e3f4a24", "type": "send_msg", "text": "Noted."}],
             "exits": [{"uuid": "5b1e0c6a-2f3d-4e5f-8a9b-0c1d2e3f4a42"}]}
        ]
    })
    .to_string()
}

#[tokio::test]
async fn an_applicant_reports_being_deployed_in_the_web_chat_and_the_holder_confirms_it() {
    use super::chat_api::new_session;
    use super::console_flows::{admin, upload_allowing};
    let server = TestServer::start().await;
    let (_, admin_session) = admin(&server).await;
    assert_eq!(upload_allowing(&admin_session, &deployed_intake(), &[]).await.status(), 303);
    let holder = server.staff(Role::Specialist, "spec-deployed").await;
    let coordinator = server.staff(Role::Coordinator, "coord-deployed").await;
    let (h, c) = (login(&server, &holder).await, login(&server, &coordinator).await);

    // The applicant answers in the web chat over HTTP: registered, then "deployed".
    let (token, created) = new_session(&server, "en").await;
    assert_eq!(created["messages"][0]["text"], "Deployed?", "{created}");
    let sent = super::client()
        .post(server.url("/api/v1/chat/messages"))
        .bearer_auth(&token)
        .json(&serde_json::json!({ "text": "yes, at the front now" }))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 202);
    let unassigned = server.state.store.unassigned_cases(10).await.unwrap();
    assert_eq!(unassigned.len(), 1, "the bot registered the applicant");
    let case = unassigned[0].id;
    let reported: Vec<_> = server
        .state
        .store
        .timeline(case.0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.event {
            safepassage_domain::Event::DeployedReported { case: of, conversation } => Some((of, conversation)),
            _ => None,
        })
        .collect();
    assert_eq!(reported.len(), 1);
    let reporter = server.state.store.conversation(reported[0].1).await.unwrap().unwrap();
    assert_eq!(reporter.case, Some(case), "reported in the case's own conversation");

    // The holder sees the report, registers the case, and confirms the move with one button.
    assert_eq!(
        c.post(&format!("/console/cases/{case}/assign"), &[("to", &holder.id.0.to_string())]).await.status(),
        303
    );
    let page = format!("/console/cases/{case}");
    let shown = h.page(&format!("{page}?lang=en")).await;
    assert!(
        shown.contains("id=\"deployed-reported\"") && shown.contains("The applicant reported being deployed."),
        "{shown}"
    );
    assert!(!shown.contains("id=\"confirm-deployed\""), "an inquiry is registered first");
    assert_eq!(h.post(&format!("{page}/transition"), &[("transition", "advance:registered")]).await.status(), 303);
    let shown = h.page(&format!("{page}?lang=en")).await;
    assert!(shown.contains("id=\"confirm-deployed\"") && shown.contains("Confirm: deployed"), "{shown}");
    assert!(!c.page(&page).await.contains("id=\"confirm-deployed\""), "the holder confirms, not the coordinator");
    let confirmed = h.post(&format!("{page}/transition"), &[("transition", "advance:deployed")]).await;
    assert_eq!(confirmed.status(), 303);
    let after = server.state.store.case(case).await.unwrap().unwrap();
    assert_eq!(after.state, safepassage_domain::CaseState::Deployed);
    assert!(!h.page(&page).await.contains("id=\"deployed-reported\""));
}
