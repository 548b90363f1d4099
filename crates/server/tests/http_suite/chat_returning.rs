//! A returning applicant in the web chat, as an applicant would do it over the API: register
//! through the shipped intake, leave, come back with the codename, and report "I have been
//! deployed" with a button of the shipped "Returning" flow; the case shows the report.

use safepassage_domain::{Codename, Event};
use safepassage_store::ConversationStatus;
use serde_json::{json, Value};

use super::chat_api::{new_session, try_codename};
use super::{client, TestServer};

/// Sends the applicant's message over the API.
async fn applicant_says(server: &TestServer, token: &str, text: &str) {
    let sent = client()
        .post(server.url("/api/v1/chat/messages"))
        .bearer_auth(token)
        .json(&json!({ "text": text }))
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 202, "{text}");
}

/// Every message of the conversation, as the applicant's page reads them.
async fn messages(server: &TestServer, token: &str) -> Vec<Value> {
    let all: Value = client()
        .get(server.url("/api/v1/chat/messages?limit=200"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    all["messages"].as_array().unwrap().clone()
}

/// Registers through the shipped intake in Ukrainian; returns the codename the bot gave.
async fn register(server: &TestServer) -> Codename {
    let (token, _) = new_session(server, "uk").await;
    for answer in ["Українська", "Військовий", "Призваний, на навчанні", "Подати заявку", "Так, подати", "Не зараз"]
    {
        applicant_says(server, &token, answer).await;
    }
    let said = messages(server, &token).await;
    said.iter()
        .filter(|m| m["from"] == "bot")
        .find_map(|m| Codename::parse(m["text"].as_str().unwrap()).ok())
        .expect("the bot gave a codename")
}

#[tokio::test]
async fn a_returning_applicant_reports_being_deployed_with_a_button_after_the_codename() {
    let server = TestServer::start().await;
    let codename = register(&server).await;
    let case = server.state.store.unassigned_cases(10).await.unwrap()[0].id;
    assert!(server.state.store.case_wait(case).await.unwrap().unwrap().deployed_reported_ms.is_none());

    // Weeks later, a new conversation: the codename, then the bot asks what brings them back.
    let (token, _) = new_session(&server, "uk").await;
    assert_eq!(try_codename(&server, &token, &codename.grouped()).await.0, 200);
    let said = messages(&server, &token).await;
    let asked = said.last().unwrap();
    assert_eq!(asked["from"], "bot");
    assert!(asked["text"].as_str().unwrap().starts_with("З поверненням."), "{asked}");
    assert_eq!(asked["quick_replies"], json!(["Мене відправили на фронт", "Інше: зв'язатися з оператором"]));
    let conversation = server.state.conversation_for_token(&token).await.unwrap().unwrap();
    assert_eq!(conversation.case, Some(case));
    assert_eq!(
        (conversation.status, conversation.priority),
        (ConversationStatus::Queued, true),
        "queued before the others at once, as before"
    );

    applicant_says(&server, &token, "Мене відправили на фронт").await;
    let said = messages(&server, &token).await;
    let confirmed = said.last().unwrap();
    assert!(confirmed["text"].as_str().unwrap().starts_with("Ми відзначили"), "{confirmed}");
    assert_eq!(confirmed["quick_replies"], json!([]), "the flow is over: a person answers now");

    let wait = server.state.store.case_wait(case).await.unwrap().unwrap();
    assert!(wait.deployed_reported_ms.is_some(), "the case shows the report");
    let reports = server
        .state
        .store
        .timeline(case.0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| matches!(e.event, Event::DeployedReported { conversation: c, .. } if c == conversation.id))
        .count();
    assert_eq!(reports, 1);

    // After the flow, the applicant's words go to the person; the bot stays quiet.
    applicant_says(&server, &token, "Коли ви напишете?").await;
    let last = messages(&server, &token).await.pop().unwrap();
    assert_eq!((last["from"].as_str(), last["text"].as_str()), (Some("applicant"), Some("Коли ви напишете?")));
}

#[tokio::test]
async fn something_else_reaches_a_person_without_a_report() {
    let server = TestServer::start().await;
    let codename = register(&server).await;
    let case = server.state.store.unassigned_cases(10).await.unwrap()[0].id;
    let (token, _) = new_session(&server, "en").await;
    assert_eq!(try_codename(&server, &token, codename.digits()).await.0, 200);
    let asked = messages(&server, &token).await.pop().unwrap();
    assert_eq!(asked["quick_replies"], json!(["I have been sent to the front", "Something else: talk to an operator"]));
    applicant_says(&server, &token, "Something else: talk to an operator").await;
    let answered = messages(&server, &token).await.pop().unwrap();
    assert!(answered["text"].as_str().unwrap().starts_with("All right."), "{answered}");
    assert!(server.state.store.case_wait(case).await.unwrap().unwrap().deployed_reported_ms.is_none());
    let conversation = server.state.conversation_for_token(&token).await.unwrap().unwrap();
    assert_eq!(conversation.status, ConversationStatus::Queued);
}
