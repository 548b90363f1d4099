//! Crypto-shredding from the console: a coordinator's two-step action that works without
//! JavaScript (a page that says what will happen, then a confirmed POST), recorded with who
//! and why; afterwards the applicant's chat token opens nothing and the case's codename is
//! refused exactly like a wrong one.

use safepassage_domain::{CaseKind, Event, Role, ShredReason};
use serde_json::Value;

use super::chat_api::{issued_codename, new_session, try_codename, unknown_codename};
use super::console::{location, login};
use super::{client, TestServer};

async fn messages_status(server: &TestServer, token: &str) -> u16 {
    let response = client().get(server.url("/api/v1/chat/messages")).bearer_auth(token).send().await.unwrap();
    response.status().as_u16()
}

#[tokio::test]
async fn a_coordinator_shreds_a_case_after_a_confirmation_page() {
    let server = TestServer::start().await;
    let coordinator = server.staff(Role::Coordinator, "shred-coordinator").await;
    let (case, codename) = issued_codename(&server).await;
    // The applicant is in a chat joined to the case, and the server has their token in memory.
    let (token, _) = new_session(&server, "uk").await;
    assert_eq!(try_codename(&server, &token, codename.digits()).await.0, 200);
    assert_eq!(messages_status(&server, &token).await, 200);

    let session = login(&server, &coordinator).await;
    let case_page = session.page(&format!("/console/cases/{case}")).await;
    assert!(case_page.contains(&format!("href=\"/console/cases/{case}/shred\"")), "the case page links to it");
    let path = format!("/console/cases/{case}/shred");
    let page = session.page(&path).await;
    assert!(page.contains("id=\"shred-consequences\"") && page.contains("id=\"shred-form\""), "{page}");
    assert!(page.contains("cannot be undone") || page.contains("неможливо скасувати"));

    // Without the confirmation, or without a reason, nothing happens.
    for fields in
        [vec![("reason", "safety_risk")], vec![("confirm", "yes")], vec![("reason", "bored"), ("confirm", "yes")]]
    {
        let response = session.post(&path, &fields).await;
        assert_eq!(response.status(), 303);
        assert_eq!(location(&response), format!("{path}?notice=shred-unconfirmed"));
        assert!(!server.state.store.case(case).await.unwrap().unwrap().shredded);
    }
    let response = session.post(&path, &[("reason", "safety_risk"), ("confirm", "yes")]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), format!("{path}?notice=shredded"));
    let after = session.page(&format!("{path}?notice=shredded")).await;
    assert!(after.contains("id=\"shredded\"") && !after.contains("id=\"shred-form\""));
    assert!(server.state.store.case(case).await.unwrap().unwrap().shredded);
    let recorded = server.state.store.events(0, 10_000).await.unwrap();
    assert!(recorded
        .iter()
        .any(|e| e.event
            == Event::CaseShredded { case, by: Some(coordinator.id), reason: Some(ShredReason::SafetyRisk) }));
    // Twice is refused calmly.
    let again = session.post(&path, &[("reason", "safety_risk"), ("confirm", "yes")]).await;
    assert_eq!(location(&again), format!("{path}?notice=shredded-already"));

    // The applicant's token opens nothing any more, although the server had it in memory (the
    // cache hears of the shred through the store, within moments).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    while messages_status(&server, &token).await != 401 {
        assert!(std::time::Instant::now() < deadline, "the shredded conversation's token still works");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // The codename is refused exactly as a wrong one is.
    let (fresh, _) = new_session(&server, "uk").await;
    let shredded = try_codename(&server, &fresh, codename.digits()).await;
    let (other, _) = new_session(&server, "uk").await;
    let wrong = try_codename(&server, &other, &unknown_codename(3)).await;
    assert_eq!(shredded, wrong);
    assert_eq!(shredded.0, 403);
    assert_eq!(serde_json::from_str::<Value>(&shredded.1).unwrap()["error"], "codename_refused");
}

#[tokio::test]
async fn only_coordinators_reach_the_shred_action() {
    let server = TestServer::start().await;
    let specialist = server.staff(Role::Specialist, "shred-specialist").await;
    let case = server.state.store.open_case(None, CaseKind::Individual, specialist.id).await.unwrap();
    let session = login(&server, &specialist).await;
    let path = format!("/console/cases/{case}/shred");
    assert_eq!(session.get(&path).await.status(), 403);
    assert_eq!(session.post(&path, &[("reason", "safety_risk"), ("confirm", "yes")]).await.status(), 403);
    assert!(!server.state.store.case(case).await.unwrap().unwrap().shredded);
    assert!(!session.page(&format!("/console/cases/{case}")).await.contains("/shred\""));
}
