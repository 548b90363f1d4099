//! Provocation screening at the console: a flag by whoever sees the case whole, refused to
//! anyone else; the coordinators' signals show a burst of identical registrations made through
//! the web chat, each look recorded; the retention timer's work shreds through the settings.

use safepassage_domain::{CaseKind, Event, Language, Role, ShredReason};
use safepassage_server::{AppState, ServerConfig};
use safepassage_store::{ConversationView, RetentionPolicy};

use super::console::{location, login};
use super::TestServer;

const REASON: &str = "Asked twice for the exact crossing point FLAGHTTP7";

async fn say(state: &AppState, conversation: &ConversationView, text: &str) {
    let conversation = state.store.conversation(conversation.id).await.unwrap().unwrap();
    state.applicant_says(&conversation, text).await.unwrap();
}

#[tokio::test]
async fn an_operator_flags_their_case_and_others_are_refused() {
    let server = TestServer::start().await;
    let operator = server.staff(Role::Operator, "flag-owner").await;
    let stranger = server.staff(Role::Operator, "flag-stranger").await;
    let coordinator = server.staff(Role::Coordinator, "flag-coord").await;
    let analyst = server.staff(Role::Analyst, "flag-analyst").await;
    let (mine, other, coord, anal) = (
        login(&server, &operator).await,
        login(&server, &stranger).await,
        login(&server, &coordinator).await,
        login(&server, &analyst).await,
    );
    let case = server.state.store.open_case(None, CaseKind::Individual, operator.id).await.unwrap();
    let page = format!("/console/cases/{case}");
    let before = mine.page(&format!("{page}?lang=en")).await;
    assert!(before.contains("id=\"flag-form\"") && before.contains(&format!("action=\"{page}/flag\"")), "{before}");

    // Outside the need-to-know: refused, and nothing recorded.
    assert_eq!(other.post(&format!("{page}/flag"), &[("reason", REASON)]).await.status(), 404);
    assert_eq!(anal.post(&format!("{page}/flag"), &[("reason", REASON)]).await.status(), 403);
    assert!(server.state.store.case_flags(case).await.unwrap().is_empty());

    // An empty reason is refused kindly.
    let empty = mine.post(&format!("{page}/flag"), &[("reason", "  ")]).await;
    assert_eq!(location(&empty), format!("{page}?notice=flag-empty#flags"));

    let flagged = mine.post(&format!("{page}/flag"), &[("reason", REASON)]).await;
    assert_eq!(flagged.status(), 303);
    assert_eq!(location(&flagged), format!("{page}?notice=flagged#flags"));
    let flags = server.state.store.case_flags(case).await.unwrap();
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].by, operator.id);
    let events: Vec<Event> =
        server.state.store.timeline(case.0, 100).await.unwrap().into_iter().map(|e| e.event).collect();
    assert!(events.contains(&Event::CaseFlaggedSuspicious { case, by: operator.id }));

    // The reason reads on the case page for those who see the case whole, with a timeline line.
    for session in [&mine, &coord] {
        let shown = session.page(&format!("{page}?lang=en")).await;
        assert!(shown.contains("id=\"flag-list\"") && shown.contains(REASON), "{shown}");
        assert!(shown.contains("flag-owner flagged the case as suspicious."), "{shown}");
    }
    assert_eq!(other.get(&page).await.status(), 404);
}

#[tokio::test]
async fn the_signals_show_a_burst_of_identical_web_chat_registrations() {
    let server = TestServer::start().await;
    let coordinator = server.staff(Role::Coordinator, "signals-coord").await;
    let analyst = server.staff(Role::Analyst, "signals-analyst").await;
    let specialist = server.staff(Role::Specialist, "signals-spec").await;
    let mut cases = Vec::new();
    for _ in 0..5 {
        let (_, conversation, _) = server.state.start_web_chat(Language::Ru).await.unwrap();
        for answer in ["Русский", "Военный", "На фронте", "Подать заявку", "Да, подать"]
        {
            say(&server.state, &conversation, answer).await;
        }
        let fresh = server.state.store.conversation(conversation.id).await.unwrap().unwrap();
        cases.push(fresh.case.expect("the bot opened a case"));
    }
    let c = login(&server, &coordinator).await;
    let page = c.page("/console/signals?lang=en").await;
    assert!(page.contains("5 registrations with the same answers"), "{page}");
    for case in &cases {
        assert!(page.contains(&format!("href=\"/console/cases/{case}\"")), "{case} linked: {page}");
    }
    // Each look is recorded, on the coordinator's own timeline.
    let events: Vec<Event> =
        server.state.store.timeline(coordinator.id.0, 100).await.unwrap().into_iter().map(|e| e.event).collect();
    assert!(events.contains(&Event::SignalsViewed { by: coordinator.id }), "{events:?}");
    // The navigation leads there; other roles are refused.
    assert!(c.page("/console?lang=en").await.contains("href=\"/console/signals\""));
    for refused in [&analyst, &specialist] {
        assert_eq!(login(&server, refused).await.get("/console/signals").await.status(), 403);
    }
}

#[tokio::test]
async fn the_retention_timers_work_shreds_closed_cases_with_no_one_as_author() {
    let config = ServerConfig { retention: RetentionPolicy::from_days(1, 0, 0), ..ServerConfig::default() };
    let server = TestServer::start_with(config).await;
    let operator = server.staff(Role::Operator, "ret-op").await;
    let open = server.state.store.open_case(None, CaseKind::Individual, operator.id).await.unwrap();
    let closed = server.state.store.open_case(None, CaseKind::Individual, operator.id).await.unwrap();
    let close = safepassage_domain::Transition::Close { reason: safepassage_domain::CloseReason::Duplicate };
    server.state.store.transition_case(closed, close, operator.id, Role::Operator).await.unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let report = server.state.run_retention(now + 2 * 86_400_000).await.unwrap();
    assert_eq!((report.closed_cases, report.exited_cases, report.conversations), (1, 0, 0));
    assert!(server.state.store.case(closed).await.unwrap().unwrap().shredded);
    assert!(!server.state.store.case(open).await.unwrap().unwrap().shredded);
    let events: Vec<Event> =
        server.state.store.timeline(closed.0, 100).await.unwrap().into_iter().map(|e| e.event).collect();
    assert!(events.contains(&Event::CaseShredded {
        case: closed,
        by: None,
        reason: Some(ShredReason::RetentionEnded)
    }));
}
