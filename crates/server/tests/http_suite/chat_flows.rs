//! The intake flow in the platform: every new web conversation starts it; answers resume it,
//! durably and sealed; tickets queue the conversation with their topic; the codename arrives
//! where the flow asks for it; a restart, a timeout and an expiry are survived.

use safepassage_domain::{Language, Role, Sender};
use safepassage_keys::MasterKey;
use safepassage_server::{AppState, ServerConfig};
use safepassage_store::{ConversationStatus, ConversationView, KeySource, MessageView, Store, StoreConfig};

use super::TestServer;

async fn fresh(state: &AppState, conversation: &ConversationView) -> ConversationView {
    state.store.conversation(conversation.id).await.unwrap().unwrap()
}

/// The applicant writes `text`; returns what the bot said back.
async fn say(state: &AppState, conversation: &ConversationView, text: &str) -> Vec<String> {
    let conversation = fresh(state, conversation).await;
    let mine = state.applicant_says(&conversation, text).await.unwrap();
    let after: Vec<MessageView> = state.store.messages(conversation.id, mine.seq, 100).await.unwrap();
    after.iter().filter(|m| m.sender == Sender::Bot).map(|m| m.body.text().unwrap().to_owned()).collect()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

#[tokio::test]
async fn a_new_conversation_gets_the_intakes_greeting_in_russian_and_waits() {
    let server = TestServer::start().await;
    let (_, conversation, messages) = server.state.start_web_chat(Language::Ru).await.unwrap();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].sender, Sender::Bot);
    assert!(messages[0].body.text().unwrap().starts_with("Здравствуйте."), "{messages:?}");
    assert_eq!(fresh(&server.state, &conversation).await.status, ConversationStatus::Bot);
    assert!(server.state.store.queue(10).await.unwrap().is_empty(), "the bot answers first");
    let (_, replies) = server.state.quick_replies(conversation.id).await.unwrap().unwrap();
    assert_eq!(replies, ["Русский", "Українська", "English"]);

    // The language chosen with a button: the next question comes in that language.
    let said = say(&server.state, &conversation, "Українська").await;
    assert!(said[0].starts_with("Хто ви?"), "{said:?}");
    let (_, replies) = server.state.quick_replies(conversation.id).await.unwrap().unwrap();
    assert_eq!(replies.len(), 3);
}

#[tokio::test]
async fn registering_issues_a_codename_and_queues_with_the_topic_registration() {
    let server = TestServer::start().await;
    let (_, conversation, _) = server.state.start_web_chat(Language::Ru).await.unwrap();
    for answer in ["Русский", "Военный", "На фронте", "Подать заявку"] {
        say(&server.state, &conversation, answer).await;
    }
    let said = say(&server.state, &conversation, "Да, подать").await;
    let coming = said.iter().position(|t| t.contains("16 цифр")).expect("the bot says the codename is coming");
    let codename = &said[coming + 1];
    let digits: String = codename.chars().filter(char::is_ascii_digit).collect();
    assert_eq!(digits.len(), 16, "the codename, in its own message, right after: {said:?}");
    assert!(safepassage_domain::Codename::parse(codename).is_ok());
    assert!(said[coming + 2].contains("сообщении выше"), "{said:?}");
    let case = fresh(&server.state, &conversation).await.case.expect("the bot opened a case");
    let case = server.state.store.case(case).await.unwrap().unwrap();
    assert!(case.has_codename);
    assert_eq!(case.assigned_to, None);
    assert_eq!(fresh(&server.state, &conversation).await.status, ConversationStatus::Bot, "no ticket yet");

    say(&server.state, &conversation, "Задать фразу").await;
    let said = say(&server.state, &conversation, "передай привет дяде Коле").await;
    assert!(said.last().unwrap().starts_with("Заявка принята."), "{said:?}");
    let now = fresh(&server.state, &conversation).await;
    assert_eq!((now.status, now.priority), (ConversationStatus::Queued, false));
    let transcript = server.state.store.messages(conversation.id, 0, 100).await.unwrap();
    assert!(
        transcript.iter().all(|m| !m.body.text().unwrap().contains("дяде Коле")),
        "the duress phrase is never in the transcript"
    );
    assert_eq!(transcript.iter().filter(|m| m.body.text() == Some(codename.as_str())).count(), 1);

    // The operator sees the topic and the results, never the phrase.
    let operator = server.staff(Role::Operator, "reader").await;
    let session = super::console::login(&server, &operator).await;
    let page = session.page(&format!("/console/conversations/{}?lang=en", conversation.id)).await;
    assert!(page.contains("id=\"bot-results\""), "{page}");
    assert!(page.contains("<dd id=\"bot-topic\">Registration</dd>"), "{page}");
    // Each result by its name and its category in the staff's language; the keys stay in
    // attributes.
    for (name, value, shown) in [
        ("role", "serviceman", "Serviceman"),
        ("situation", "deployed", "At the front"),
        ("want", "register", "Register"),
    ] {
        let dd = format!("data-result=\"{name}\" data-value=\"{value}\">{shown}</dd>");
        assert!(page.contains(&dd), "{name} = {value}: {page}");
    }
    assert!(page.contains("<dt>Who is writing</dt>"), "{page}");
    assert!(!page.contains("duress") && !page.contains("дяде Коле"));

    assert!(!page.contains(codename.as_str()), "staff never read the codename");
    assert!(page.contains("•••• •••• •••• ••••"), "where it was, a mask: {page}");

    // After the ticket, the applicant's messages go to the operators: no new intake.
    let said = say(&server.state, &conversation, "Здравствуйте, вы тут?").await;
    assert!(said.is_empty(), "the bot stays quiet: {said:?}");
    assert!(server.state.store.case(case.id).await.unwrap().unwrap().under_duress_since_ms.is_none());

    // Later the applicant writes the agreed phrase inside a message: the case is flagged, the
    // message stays as written (whoever watches the screen sees nothing change), and whoever
    // answers is told.
    let forced = "У меня всё хорошо. Передай привет дяде Коле! Больше не пишите.";
    let said = say(&server.state, &conversation, forced).await;
    assert!(said.is_empty(), "{said:?}");
    let flagged = server.state.store.case(case.id).await.unwrap().unwrap();
    assert!(flagged.under_duress_since_ms.is_some(), "the case is flagged");
    let last = server.state.store.messages(conversation.id, 0, 100).await.unwrap().pop().unwrap();
    assert_eq!(last.body.text(), Some(forced));
    let page = session.page(&format!("/console/conversations/{}?lang=en", conversation.id)).await;
    assert!(page.contains("id=\"under-duress\""), "{page}");
    let applicant_page = server.state.recent_messages(conversation.id, 100).await.unwrap();
    assert!(applicant_page.iter().all(|m| !m.body.text().unwrap_or("").contains("duress")));
}

#[tokio::test]
async fn staff_read_the_bots_results_as_category_names_in_their_own_language() {
    let server = TestServer::start().await;
    let (_, conversation, _) = server.state.start_web_chat(Language::Ru).await.unwrap();
    for answer in ["Русский", "Военный", "На фронте", "Подать заявку", "Да, подать", "Не сейчас"]
    {
        say(&server.state, &conversation, answer).await;
    }
    assert_eq!(fresh(&server.state, &conversation).await.status, ConversationStatus::Queued);
    let ukrainian = super::console::login(&server, &server.staff(Role::Operator, "reads-uk").await).await;
    let english = super::console::login(&server, &server.staff(Role::Operator, "reads-en").await).await;
    let russian = super::console::login(&server, &server.staff(Role::Operator, "reads-ru").await).await;
    let page = format!("/console/conversations/{}", conversation.id);
    for (session, lang, label, shown, line) in [
        (
            &ukrainian,
            "uk",
            "Хто пише",
            ["Військовий", "На фронті", "Зареєструватися"],
            "Військовий · На фронті · Зареєструватися",
        ),
        (
            &russian,
            "ru",
            "Кто пишет",
            ["Военный", "На фронте", "Зарегистрироваться"],
            "Военный · На фронте · Зарегистрироваться",
        ),
        (
            &english,
            "en",
            "Who is writing",
            ["Serviceman", "At the front", "Register"],
            "Serviceman · At the front · Register",
        ),
    ] {
        let html = session.page(&format!("{page}?lang={lang}")).await;
        assert!(html.contains(&format!("<dt>{label}</dt>")), "[{lang}] {html}");
        for ((name, value), shown) in
            [("role", "serviceman"), ("situation", "deployed"), ("want", "register")].iter().zip(shown)
        {
            let dd = format!("data-result=\"{name}\" data-value=\"{value}\">{shown}</dd>");
            assert!(html.contains(&dd), "[{lang}] {dd}\n{html}");
        }
        let queue = session.page(&format!("/console/queue?lang={lang}")).await;
        assert!(queue.contains(&format!("<span class=\"bot-summary\">{line}</span>")), "[{lang}] {queue}");
    }
}

#[tokio::test]
async fn a_failed_duress_phrase_is_hidden_too() {
    let server = TestServer::start().await;
    let (_, conversation, _) = server.state.start_web_chat(Language::Ru).await.unwrap();
    for answer in ["Русский", "Военный", "На фронте", "Подать заявку", "Да, подать", "Задать фразу"]
    {
        say(&server.state, &conversation, answer).await;
    }
    // Too short, then with digits: both refused by the flow, both hidden in the transcript.
    say(&server.state, &conversation, "ёжик").await;
    say(&server.state, &conversation, "ёжик 42 раза").await;
    let transcript = server.state.store.messages(conversation.id, 0, 100).await.unwrap();
    let texts: Vec<&str> = transcript.iter().filter_map(|m| m.body.text()).collect();
    assert!(texts.iter().all(|t| !t.contains("ёжик")), "{texts:?}");
    assert_eq!(texts.iter().filter(|t| **t == "•••").count(), 2, "{texts:?}");
}

#[tokio::test]
async fn urgent_goes_to_the_priority_queue_and_a_person_is_one_word_away() {
    let server = TestServer::start().await;
    let (_, urgent, _) = server.state.start_web_chat(Language::En).await.unwrap();
    for answer in ["English", "Serviceman", "Deployed"] {
        say(&server.state, &urgent, answer).await;
    }
    let said = say(&server.state, &urgent, "Urgent help").await;
    assert!(said[0].starts_with("Passing this on as urgent."), "{said:?}");
    let now = fresh(&server.state, &urgent).await;
    assert_eq!((now.status, now.priority), (ConversationStatus::Queued, true));

    let (_, person, _) = server.state.start_web_chat(Language::Ru).await.unwrap();
    say(&server.state, &person, "Русский").await;
    say(&server.state, &person, "оператор").await;
    assert_eq!(fresh(&server.state, &person).await.status, ConversationStatus::Queued);
    let queue: Vec<_> = server.state.store.queue(10).await.unwrap().into_iter().map(|c| c.id).collect();
    assert_eq!(queue, [urgent.id, person.id], "urgent first");
    let summary = server.state.flow_summary(person.id).await.unwrap().unwrap();
    assert_eq!(summary.topic.as_deref(), Some("Operator"));
}

#[tokio::test]
async fn a_waiting_conversation_continues_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("restart.db").display());
    let key = MasterKey::generate().to_hex();
    let config = || {
        let mut c = StoreConfig::new(url.clone(), KeySource::Hex(key.clone()));
        c.fast_codename_hash = true;
        c
    };
    let state = AppState::new(Store::open(config()).await.unwrap(), ServerConfig::default());
    let (_, conversation, _) = state.start_web_chat(Language::Ru).await.unwrap();
    say(&state, &conversation, "Русский").await;
    drop(state);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;

    let state = AppState::new(Store::open(config()).await.unwrap(), ServerConfig::default());
    let said = say(&state, &conversation, "Военный").await;
    assert_eq!(said.len(), 1, "{said:?}");
    assert_eq!(state.flow_summary(conversation.id).await.unwrap().unwrap().results["role"], "serviceman");
}

#[tokio::test]
async fn an_unanswered_question_times_out_and_an_old_one_expires() {
    let server = TestServer::start().await;
    let (_, conversation, _) = server.state.start_web_chat(Language::Ru).await.unwrap();
    say(&server.state, &conversation, "Русский").await;
    assert_eq!(server.state.run_due_flows(now_ms()).await.unwrap(), 0, "nothing due yet");
    let before = server.state.store.messages(conversation.id, 0, 100).await.unwrap().len();
    assert_eq!(server.state.run_due_flows(now_ms() + 31 * 60_000).await.unwrap(), 1);
    let after = server.state.store.messages(conversation.id, 0, 100).await.unwrap();
    assert_eq!(after.len(), before + 1);
    assert!(after.last().unwrap().body.text().unwrap().starts_with("Разговор приостановлен."));
    assert_eq!(server.state.run_due_flows(now_ms() + 48 * 3_600_000).await.unwrap(), 0, "the flow is over");
    assert!(server.state.quick_replies(conversation.id).await.unwrap().is_none(), "no buttons once it ended");

    // The applicant comes back after the flow ended: a person answers.
    say(&server.state, &conversation, "я вернулся").await;
    assert_eq!(fresh(&server.state, &conversation).await.status, ConversationStatus::Queued);

    // A session whose timeout was somehow missed expires with the configured message.
    let mut config = ServerConfig::default();
    config.flow_expired_messages.insert(Language::En, "Paused: write again any time.".into());
    let server = TestServer::start_with(config).await;
    let (_, conversation, _) = server.state.start_web_chat(Language::En).await.unwrap();
    let flow = server.state.store.flow_session(conversation.id).await.unwrap().unwrap();
    let expires = flow.expires_ms.unwrap();
    assert!(expires - now_ms() > 23 * 3_600_000, "24 hours");
    server
        .state
        .store
        .flow_step(
            &conversation,
            Vec::new(),
            Some(safepassage_store::FlowWrite { wait_timeout_ms: None, ..flow_write(&flow) }),
        )
        .await
        .unwrap();
    assert_eq!(server.state.run_due_flows(expires).await.unwrap(), 1);
    let last = server.state.store.messages(conversation.id, 0, 100).await.unwrap().pop().unwrap();
    assert_eq!(last.body.text(), Some("Paused: write again any time."));
}

fn flow_write(flow: &safepassage_store::FlowSessionView) -> safepassage_store::FlowWrite {
    safepassage_store::FlowWrite {
        state: flow.state.clone(),
        summary: flow.summary.clone(),
        wait_timeout_ms: flow.wait_timeout_ms,
        expires_ms: flow.expires_ms,
        expected_version: flow.version,
        codename: None,
        counts: Vec::new(),
    }
}

#[tokio::test]
async fn quick_replies_are_buttons_without_javascript_and_fields_in_the_api() {
    let server = TestServer::start().await;
    let browser = super::client();
    let send = |text: &'static str| {
        let request = browser.post(server.url("/chat/send")).form(&[("text", text), ("lang", "ru")]);
        async move { request.send().await.unwrap() }
    };
    assert_eq!(send("привет").await.status(), 303);
    let html = browser.get(server.url("/?lang=ru")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("<form id=\"quick-replies-form\" method=\"post\" action=\"/chat/send\""), "{html}");
    for label in ["Военный", "Родственник", "Другое"] {
        assert!(
            html.contains(&format!(
                "<button class=\"quick-reply\" type=\"submit\" name=\"text\" value=\"{label}\">{label}</button>"
            )),
            "{label}: {html}"
        );
    }
    // A button posts its label as the message, as a plain form.
    assert_eq!(send("Военный").await.status(), 303);
    let html = browser.get(server.url("/?lang=ru")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("value=\"На фронте\""), "the next question's buttons");
    assert!(!html.contains("value=\"Военный\""), "the old buttons are gone");
    // "оператор": the flow ends with a ticket, and no buttons are left.
    assert_eq!(send("оператор").await.status(), 303);
    let html = browser.get(server.url("/?lang=ru")).send().await.unwrap().text().await.unwrap();
    assert!(!html.contains("quick-replies"), "{html}");

    // The API: the bot's latest question carries its buttons, the others an empty list.
    let created: serde_json::Value = browser
        .post(server.url("/api/v1/chat/sessions"))
        .json(&serde_json::json!({ "language": "en" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(created["messages"][0]["quick_replies"], serde_json::json!(["Русский", "Українська", "English"]));
    let token = created["token"].as_str().unwrap();
    let response = browser
        .post(server.url("/api/v1/chat/messages"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "text": "English" }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let page: serde_json::Value =
        browser.get(server.url("/api/v1/chat/messages")).bearer_auth(token).send().await.unwrap().json().await.unwrap();
    let messages = page["messages"].as_array().unwrap();
    assert_eq!(messages[0]["quick_replies"], serde_json::json!([]), "an answered question has no buttons");
    assert_eq!(messages[1]["quick_replies"], serde_json::json!([]), "the applicant's message");
    assert_eq!(messages[2]["quick_replies"], serde_json::json!(["Serviceman", "Relative", "Someone else"]));
    let openapi = browser.get(server.url("/api/openapi.json")).send().await.unwrap().text().await.unwrap();
    assert!(openapi.contains("quick_replies"), "documented");
}

#[tokio::test]
async fn a_step_that_lost_a_race_runs_again_on_what_won() {
    let server = TestServer::start().await;
    let (_, conversation, _) = server.state.start_web_chat(Language::Ru).await.unwrap();
    say(&server.state, &conversation, "Русский").await;
    // Another node steps the same session (here: rewrites it as it is); this node's copy in
    // memory is now one version behind.
    let flow = server.state.store.flow_session(conversation.id).await.unwrap().unwrap();
    let fresh_conversation = fresh(&server.state, &conversation).await;
    server.state.store.flow_step(&fresh_conversation, Vec::new(), Some(flow_write(&flow))).await.unwrap();

    let said = say(&server.state, &conversation, "Военный").await;
    assert!(said.iter().any(|t| t.starts_with("Ваше положение")), "answered once, on the stored session: {said:?}");
    let transcript = server.state.store.messages(conversation.id, 0, 100).await.unwrap();
    assert_eq!(transcript.iter().filter(|m| m.body.text() == Some("Военный")).count(), 1, "recorded once");
    let now = server.state.store.flow_session(conversation.id).await.unwrap().unwrap();
    assert_eq!(now.version, flow.version + 2);
}
