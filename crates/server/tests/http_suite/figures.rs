//! The figures over HTTP: the bot's answers counted by the mapping, the analyst's dashboard
//! with and without disclosure control, downloads as audit events, the administrator's mapping
//! (a bad line refused by number), and the public page only when the settings serve it.

use safepassage_domain::{Event, Language, Role};
use safepassage_server::ServerConfig;

use super::console::login;
use super::{client, TestServer};

/// Walks a Russian applicant through the intake as a mobilised serviceman at the front.
async fn mobilised_applicant(server: &TestServer) {
    let (_, conversation, _) = server.state.start_web_chat(Language::Ru).await.unwrap();
    for answer in ["Русский", "Военный", "На фронте"] {
        let fresh = server.state.store.conversation(conversation.id).await.unwrap().unwrap();
        server.state.applicant_says(&fresh, answer).await.unwrap();
    }
}

#[tokio::test]
async fn the_dashboard_counts_the_bots_answers_and_hides_small_counts_unless_internal() {
    let server = TestServer::start().await;
    mobilised_applicant(&server).await;
    server.state.start_web_chat(Language::Uk).await.unwrap();
    let admin = login(&server, &server.staff(Role::Admin, "figures-admin").await).await;
    let analyst = server.staff(Role::Analyst, "figures-analyst").await;
    let session = login(&server, &analyst).await;

    // Disclosure control by default: two contacts are a small count.
    let json: serde_json::Value = session.get("/console/figures.json").await.json().await.unwrap();
    assert_eq!(json["internal"], false);
    assert!(json["contacts_by_channel"]["total"].is_null(), "{}", json["contacts_by_channel"]);
    let html = session.page("/console/figures?lang=en").await;
    assert!(html.contains("id=\"figure-contacts\""), "{html}");
    assert!(html.contains(">hidden<"), "small counts say they are hidden");
    assert!(html.contains("<svg") && html.contains("role=\"img\""), "charts are drawn on the server");
    assert!(!html.contains("/console/cases/") && !html.contains("/console/conversations/"), "no link to a case");

    // The administrator allows the internal view: the real counts.
    let allowed = admin.post(&format!("/console/admin/users/{}/figures", analyst.id.0), &[("internal", "true")]).await;
    assert_eq!(allowed.status(), 303);
    let json: serde_json::Value = session.get("/console/figures.json?by=day").await.json().await.unwrap();
    assert_eq!(json["internal"], true);
    assert_eq!(json["contacts_by_channel"]["total"], 2, "{}", json["contacts_by_channel"]);
    let who = &json["who"];
    let row = who["rows"].as_array().unwrap().iter().position(|r| r == "mobilised").unwrap();
    assert_eq!(who["cells"][row][0], 1, "the intake's answers count as mobilised: {who}");
    let russian = session.page("/console/figures?lang=ru").await;
    assert!(russian.contains("мобилизованные"), "the page speaks Russian");

    // Every download is an audit event.
    let csv = session.get("/console/figures.csv?by=week").await;
    assert_eq!(csv.status(), 200);
    assert!(csv.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    let body = csv.text().await.unwrap();
    assert!(body.starts_with("table,row,column,value\n") && body.contains("who,mobilised,applicants,1"), "{body}");
    let exports = server
        .state
        .store
        .events(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| matches!(e.event, Event::FiguresExported { by, .. } if by == analyst.id))
        .count();
    assert_eq!(exports, 3, "two JSON downloads and one CSV");
}

#[tokio::test]
async fn an_unreadable_period_falls_back_and_says_so() {
    let server = TestServer::start().await;
    let session = login(&server, &server.staff(Role::Analyst, "figures-periods").await).await;
    let html = session.page("/console/figures?by=year&from=%3Cscript%3E&lang=en").await;
    assert!(html.contains("The period was not understood"), "{html}");
    assert!(!html.contains("<script>"));
}

#[tokio::test]
async fn the_mapping_is_edited_by_administrators_and_a_bad_line_is_named() {
    let server = TestServer::start().await;
    let admin = login(&server, &server.staff(Role::Admin, "mapping-admin").await).await;
    let page = admin.page("/console/admin/figures?lang=en").await;
    assert!(page.contains("situation = called_up -&#62; who: mobilised"), "{page}");
    let refused = admin.post("/console/admin/figures?lang=en", &[("rules", "role = x -> who: general")]).await;
    assert_eq!(refused.status(), 422);
    let text = refused.text().await.unwrap();
    assert!(text.contains("line 1") && text.contains("who: general"), "{text}");
    let saved = admin.post("/console/admin/figures", &[("rules", "role = serviceman -> who: officer\n")]).await;
    assert_eq!(saved.status(), 303);
    let rules = server.state.figures_mapping.current().to_text();
    assert_eq!(rules, "role = serviceman -> who: officer\n");
    assert_eq!(server.state.store.figures_mapping().await.unwrap().to_text(), rules, "kept in the store");
}

#[tokio::test]
async fn public_figures_are_served_only_when_set_and_pass_disclosure_control() {
    let closed = TestServer::start().await;
    assert_eq!(client().get(closed.url("/figures")).send().await.unwrap().status(), 404);
    assert_eq!(client().get(closed.url("/figures.json")).send().await.unwrap().status(), 404);

    let mut config = ServerConfig::default();
    config.figures.public = true;
    let open = TestServer::start_with(config).await;
    mobilised_applicant(&open).await;
    let json: serde_json::Value = client().get(open.url("/figures.json")).send().await.unwrap().json().await.unwrap();
    assert_eq!(json["threshold"], 10);
    assert!(json["contacts_by_month"]["total"].is_null(), "one contact is hidden: {json}");
    let html = client().get(open.url("/figures?lang=uk")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<html lang=\"uk\">") && html.contains("у цифрах"), "{html}");
    assert!(html.contains("приховано"));
}
