//! Who holds a case: the coordinators' unassigned list, assignment and reassignment to
//! specialists (each an event), and what the specialist then reaches.

use safepassage_domain::{CaseId, CaseKind, Event, Language, Role, UserId};
use safepassage_store::ConversationStatus;

use super::console::{location, login, Session};
use super::{queued_chat, TestServer};

/// The rows of one table of a cases page (`unassigned` or `cases`).
fn table<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.split(&format!("<table id=\"{id}\"")).nth(1).unwrap_or_default();
    start.split("</table>").next().unwrap_or_default()
}

fn lists(html: &str, table_id: &str, case: CaseId) -> bool {
    table(html, table_id).contains(&format!("href=\"/console/cases/{case}\""))
}

async fn assignments(server: &TestServer, case: CaseId) -> Vec<(UserId, UserId)> {
    let events = server.state.store.timeline(case.0, 1000).await.unwrap();
    events
        .into_iter()
        .filter_map(|e| match e.event {
            Event::CaseAssigned { to, by, .. } => Some((to, by)),
            _ => None,
        })
        .collect()
}

async fn assign(session: &Session, case: CaseId, to: UserId) -> reqwest::Response {
    session.post(&format!("/console/cases/{case}/assign"), &[("to", &to.0.to_string())]).await
}

#[tokio::test]
async fn a_bot_registered_case_goes_to_the_unassigned_list_then_to_the_specialist_given_it() {
    let server = TestServer::start().await;
    let s1 = server.staff(Role::Specialist, "spec-one").await;
    let s2 = server.staff(Role::Specialist, "spec-two").await;
    let coordinator = server.staff(Role::Coordinator, "coord-a").await;
    let operator = server.staff(Role::Operator, "oper-a").await;
    let (a, b, c, o) = (
        login(&server, &s1).await,
        login(&server, &s2).await,
        login(&server, &coordinator).await,
        login(&server, &operator).await,
    );
    let (_, conversation, _) = queued_chat(&server.state, Language::Ru).await;
    let case = server.state.store.open_case_by_bot(conversation.id, CaseKind::Individual).await.unwrap();
    let case_page = format!("/console/cases/{case}");

    // The coordinators' unassigned list has it; no specialist's list does.
    let list = c.page("/console/cases?lang=en").await;
    assert!(lists(&list, "unassigned", case), "{list}");
    assert!(list.contains("id=\"unassigned-heading\"") && list.contains("Unassigned"), "{list}");
    for s in [&a, &b] {
        let mine = s.page("/console/cases").await;
        assert!(!mine.contains(&case.to_string()) && !mine.contains("id=\"unassigned\""), "{mine}");
        assert_eq!(s.get(&case_page).await.status(), 404);
    }

    // The case page offers the form with the active specialists only.
    let page = c.page(&format!("{case_page}?lang=en")).await;
    assert!(page.contains("id=\"assign-form\"") && page.contains(&format!("action=\"{case_page}/assign\"")));
    assert!(page.contains(&format!("<option value=\"{}\">spec-one</option>", s1.id.0)), "{page}");
    assert!(page.contains(&format!("<option value=\"{}\">spec-two</option>", s2.id.0)), "{page}");
    assert!(!page.contains(&operator.id.0.to_string()) && !page.contains(&coordinator.id.0.to_string()));
    assert!(!a.page("/console/cases").await.contains("assign-form"));

    // Only coordinators assign.
    for refused in [&a, &o] {
        assert_eq!(assign(refused, case, s1.id).await.status(), 403);
    }
    assert!(assignments(&server, case).await.is_empty());

    // The coordinator gives it to S1: 303, the owner changes with its event.
    let given = assign(&c, case, s1.id).await;
    assert_eq!(given.status(), 303);
    assert_eq!(location(&given), format!("{case_page}?notice=assigned"));
    assert_eq!(server.state.store.case(case).await.unwrap().unwrap().assigned_to, Some(s1.id));
    assert_eq!(assignments(&server, case).await, vec![(s1.id, coordinator.id)]);
    let shown = c.page(&format!("{case_page}?lang=en&notice=assigned")).await;
    assert!(shown.contains("coord-a gave the case to spec-one."), "{shown}");
    assert!(shown.contains(&format!("<option value=\"{}\" selected>spec-one</option>", s1.id.0)), "{shown}");
    assert!(!lists(&c.page("/console/cases").await, "unassigned", case));

    // S1 has it in "my cases", opens it whole, and reaches its conversation; S2 does not.
    let mine = a.page("/console/cases").await;
    assert!(lists(&mine, "cases", case), "{mine}");
    let opened = a.page(&case_page).await;
    assert!(opened.contains(&format!("href=\"/console/conversations/{}\"", conversation.id)), "{opened}");
    assert!(!opened.contains("assign-form"));
    assert_eq!(a.get(&format!("/console/conversations/{}", conversation.id)).await.status(), 200);
    assert!(!lists(&b.page("/console/cases").await, "cases", case));
    assert_eq!(b.get(&case_page).await.status(), 404);

    // The same specialist again changes nothing.
    let again = assign(&c, case, s1.id).await;
    assert_eq!(location(&again), format!("{case_page}?notice=assign-already"));
    assert_eq!(assignments(&server, case).await.len(), 1);

    // Reassigning moves it: S2 has it, S1 no longer.
    assert_eq!(assign(&c, case, s2.id).await.status(), 303);
    assert_eq!(assignments(&server, case).await, vec![(s1.id, coordinator.id), (s2.id, coordinator.id)]);
    assert!(lists(&b.page("/console/cases").await, "cases", case));
    assert_eq!(b.get(&case_page).await.status(), 200);
    assert!(!lists(&a.page("/console/cases").await, "cases", case));
    assert_eq!(a.get(&case_page).await.status(), 404);
    assert_eq!(a.get(&format!("/console/conversations/{}", conversation.id)).await.status(), 404);
}

#[tokio::test]
async fn an_operator_keeps_the_case_they_opened_until_a_specialist_is_given_it() {
    let server = TestServer::start().await;
    let operator = server.staff(Role::Operator, "oper-b").await;
    let specialist = server.staff(Role::Specialist, "spec-b").await;
    let other = server.staff(Role::Specialist, "spec-c").await;
    let coordinator = server.staff(Role::Coordinator, "coord-b").await;
    let (o, s, x, c) = (
        login(&server, &operator).await,
        login(&server, &specialist).await,
        login(&server, &other).await,
        login(&server, &coordinator).await,
    );
    let (_, conversation, _) = queued_chat(&server.state, Language::Uk).await;
    let id = conversation.id;
    let chat = format!("/console/conversations/{id}");
    assert_eq!(location(&o.post(&format!("{chat}/take"), &[]).await), chat);
    let case_page = location(&o.post(&format!("{chat}/case"), &[("kind", "individual")]).await);
    let case = CaseId(case_page.trim_start_matches("/console/cases/").parse().unwrap());

    // The operator holds it; coordinators see it unassigned; specialists do not see it.
    assert!(lists(&o.page("/console/cases").await, "cases", case));
    assert!(lists(&c.page("/console/cases").await, "unassigned", case));
    assert!(!lists(&s.page("/console/cases").await, "cases", case));
    assert_eq!(s.get(&case_page).await.status(), 404);

    // A target that is not a specialist is refused, and nothing changes.
    for not_specialist in [operator.id, coordinator.id, UserId(uuid::Uuid::now_v7())] {
        let refused = assign(&c, case, not_specialist).await;
        assert_eq!(location(&refused), format!("{case_page}?notice=assign-not-specialist"));
    }
    let junk = c.post(&format!("{case_page}/assign"), &[("to", "nobody")]).await;
    assert_eq!(junk.status(), 400);
    assert_eq!(server.state.store.case(case).await.unwrap().unwrap().assigned_to, Some(operator.id));
    assert!(assignments(&server, case).await.is_empty());

    // The operator closes the conversation; the coordinator gives the case to the specialist.
    assert_eq!(o.post(&format!("{chat}/close"), &[]).await.status(), 303);
    assert_eq!(assign(&c, case, specialist.id).await.status(), 303);
    assert!(!lists(&o.page("/console/cases").await, "cases", case), "it left the operator's list");
    assert_eq!(o.get(&case_page).await.status(), 404);
    assert!(lists(&s.page("/console/cases").await, "cases", case));
    assert!(!lists(&c.page("/console/cases").await, "unassigned", case));

    // The applicant comes back: the returning conversation is the new owner's, nobody else's.
    let fresh = server.state.store.conversation(id).await.unwrap().unwrap();
    server.state.applicant_says(&fresh, "це знову я").await.unwrap();
    let back = server.state.store.conversation(id).await.unwrap().unwrap();
    assert_eq!((back.status, back.returned), (ConversationStatus::Queued, true));
    assert_eq!(s.get(&chat).await.status(), 200);
    assert_eq!(location(&s.post(&format!("{chat}/take"), &[]).await), chat);
    for refused in [&o, &x] {
        assert_eq!(refused.get(&chat).await.status(), 404);
    }
}
