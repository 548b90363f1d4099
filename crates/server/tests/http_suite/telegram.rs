//! The Telegram channel over a real socket: updates posted to the webhook as Telegram sends
//! them, the bot's replies delivered through the outbox to a fake Bot API on 127.0.0.1.

use std::time::Duration;

use safepassage_domain::Channel;
use safepassage_server::ServerConfig;
use safepassage_store::ConversationStatus;
use safepassage_telegram::fake::{Failure, FakeBotApi};
use serde_json::json;

use super::telegram_user::{bot, messages_to, telegram_heard, TelegramUser, SECRET, TOKEN};
use super::TestServer;

async fn telegram_server() -> (TestServer, FakeBotApi) {
    let fake = FakeBotApi::start(TOKEN).await.unwrap();
    let server = TestServer::start_with(ServerConfig { telegram: vec![bot(&fake)], ..Default::default() }).await;
    (server, fake)
}

#[tokio::test]
async fn a_person_on_telegram_is_greeted_answered_by_buttons_and_reaches_an_operator() {
    let (server, fake) = telegram_server().await;
    let mut person = TelegramUser::new(&server.base, 5_120_987_654, "ru");
    person.start().await;
    let sent = messages_to(&fake, person.id, 1).await;
    assert!(sent[0]["text"].as_str().unwrap().starts_with("Здравствуйте. Это служба помощи."), "{}", sent[0]);
    let buttons: Vec<&str> = sent[0]["reply_markup"]["inline_keyboard"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[0]["text"].as_str().unwrap())
        .collect();
    assert_eq!(buttons, ["Русский", "Українська", "English"]);

    // A button press answers the press and steps the flow like a written answer.
    person.presses(&sent[0], "Русский").await;
    let answered = fake.wait_for_calls("answerCallbackQuery", 1, Duration::from_secs(10)).await;
    assert_eq!(answered.len(), 1);
    let sent = messages_to(&fake, person.id, 2).await;
    assert!(sent.len() >= 2, "the flow went on after the press: {sent:?}");

    // "оператор" ends the flow with a ticket: the conversation waits for a person.
    person.says("оператор").await;
    let conversation = wait_for(&server, person.id, |c| c.status == ConversationStatus::Queued).await;
    assert_eq!(conversation.channel, Channel::Telegram);

    // The operator's reply leaves through the outbox to the same chat.
    server.state.staff_says(&conversation, "Здравствуйте, я оператор. Чем помочь?").await.unwrap();
    assert!(telegram_heard(&fake, person.id, "Здравствуйте, я оператор. Чем помочь?").await);

    // The transcript has the person's words and the bot's, the press as the button's text.
    let transcript = server.state.recent_messages(conversation.id, 50).await.unwrap();
    let texts: Vec<&str> = transcript.iter().filter_map(|m| m.body.text()).collect();
    assert!(texts.contains(&"Русский") && texts.contains(&"оператор"), "{texts:?}");
}

/// The newest Telegram conversation of the person (by the store's keyed hash of their id),
/// once `ready` holds for it.
async fn wait_for(
    server: &TestServer,
    id: i64,
    ready: impl Fn(&safepassage_store::ConversationView) -> bool,
) -> safepassage_store::ConversationView {
    for _ in 0..200 {
        let found =
            server.state.store.latest_conversation_for_identity(Channel::Telegram, &id.to_string()).await.unwrap();
        if let Some(conversation) = found.filter(&ready) {
            return conversation;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the conversation never became ready");
}

#[tokio::test]
async fn bad_unsigned_and_repeated_updates_change_nothing() {
    let (server, fake) = telegram_server().await;
    let mut person = TelegramUser::new(&server.base, 5_120_000_111, "en");
    let start = person.update("start");
    // No secret, a wrong one, an unknown bot: refused before anything is read.
    let client = reqwest::Client::new();
    assert_eq!(client.post(&person.webhook).json(&start).send().await.unwrap().status(), 401);
    assert_eq!(person.post_with_secret(&start, "not-the-secret").await, 401);
    let other = format!("{}/channels/telegram/other", server.base);
    assert_eq!(
        client
            .post(other)
            .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
            .json(&start)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // Not an update: a clear 400.
    let garbage = client
        .post(&person.webhook)
        .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
        .body("{\"update_id\": 1, \"message\": {")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);
    let found = server.state.store.latest_conversation_for_identity(Channel::Telegram, "5120000111").await.unwrap();
    assert!(found.is_none(), "nothing refused started a conversation");
    assert!(fake.calls_of("sendMessage").is_empty());

    // The same update twice (Telegram resends what it thinks was not taken): once only.
    assert_eq!(person.post(&start).await, 200);
    let greeting = messages_to(&fake, person.id, 1).await;
    let mut text = person.update("text");
    text["message"]["text"] = json!("operator");
    assert_eq!(person.post(&text).await, 200);
    assert_eq!(person.post(&text).await, 200);
    let conversation = wait_for(&server, person.id, |c| c.status == ConversationStatus::Queued).await;
    let transcript = server.state.recent_messages(conversation.id, 50).await.unwrap();
    let mine = transcript.iter().filter(|m| m.body.text() == Some("operator")).count();
    assert_eq!(mine, 1, "a resent update is recorded once");
    assert_eq!(greeting.len(), 1);
}

#[tokio::test]
async fn photos_contacts_and_stickers_are_refused_politely_and_kept_nowhere() {
    let (server, fake) = telegram_server().await;
    let mut person = TelegramUser::new(&server.base, 5_120_000_222, "uk");
    person.start().await;
    messages_to(&fake, person.id, 1).await;
    for kind in ["photo", "contact", "sticker", "voice"] {
        let update = person.update(kind);
        assert_eq!(person.post(&update).await, 200, "{kind}");
    }
    let sent = messages_to(&fake, person.id, 5).await;
    let refusals = sent.iter().filter(|m| m["text"].as_str().unwrap().starts_with("Тут приймаються лише")).count();
    assert_eq!(refusals, 4, "each is refused in the person's language: {sent:?}");
    let conversation = wait_for(&server, person.id, |_| true).await;
    let transcript = server.state.recent_messages(conversation.id, 50).await.unwrap();
    for m in &transcript {
        let text = m.body.text().unwrap_or("");
        // The photo's caption and the contact card's number are nowhere.
        assert!(!text.contains("checkpoint") && !text.contains("+380"), "{text}");
    }
}

#[tokio::test]
async fn telegram_flood_control_and_outages_delay_replies_and_a_blocked_bot_is_shown_to_staff() {
    let (server, fake) = telegram_server().await;
    let mut person = TelegramUser::new(&server.base, 5_120_000_333, "ru");
    // The greeting meets a 429 with retry_after 1, then a 500: it arrives all the same, later.
    fake.fail_next("sendMessage", Failure::TooManyRequests { retry_after_s: 1 });
    fake.fail_next("sendMessage", Failure::ServerError);
    let began = std::time::Instant::now();
    person.start().await;
    let delivered = loop {
        let calls = fake.calls_of("sendMessage");
        if calls.len() >= 3 || began.elapsed() > Duration::from_secs(15) {
            break calls;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(delivered.len(), 3, "two failed attempts, then the delivery");
    assert!(delivered[1].at.duration_since(delivered[0].at) >= Duration::from_millis(900), "retry_after was honoured");
    assert_eq!(delivered[0].params["text"], delivered[2].params["text"]);

    // The person blocked the bot: the operator's reply is not delivered, and staff see it.
    person.says("оператор").await;
    let conversation = wait_for(&server, person.id, |c| c.status == ConversationStatus::Queued).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    fake.fail_next(
        "sendMessage",
        Failure::Error { code: 403, description: "Forbidden: bot was blocked by the user".into() },
    );
    let reply = server.state.staff_says(&conversation, "Вы здесь?").await.unwrap();
    let mut failures = Vec::new();
    for _ in 0..200 {
        failures = server.state.store.outbound_failures(conversation.id).await.unwrap();
        if !failures.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(failures.len(), 1);
    assert_eq!((failures[0].message, failures[0].failure.as_str()), (Some(reply.id), "refused"));

    // The operator sees it on the conversation, under their reply.
    let operator = server.staff(safepassage_domain::Role::Operator, "op-telegram").await;
    let session = super::console::login(&server, &operator).await;
    let page =
        session.client.get(server.url(&format!("/console/conversations/{}", conversation.id))).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("Вы здесь?</p><p class=\"undelivered\" role=\"status\">⚠ "), "{html}");
    assert!(html.contains("id=\"conversation-channel\">Telegram"), "the channel is shown");
}

#[tokio::test]
async fn a_location_pin_becomes_a_location_report_and_the_chat_id_is_kept_sealed() {
    let (server, fake) = telegram_server().await;
    let mut person = TelegramUser::new(&server.base, 5_120_444_999, "ru");
    person.start().await;
    messages_to(&fake, person.id, 1).await;
    let update = person.update("location");
    assert_eq!(person.post(&update).await, 200);
    let conversation = wait_for(&server, person.id, |_| true).await;
    let reports = server.state.store.conversation_locations(conversation.id).await.unwrap();
    assert_eq!(reports.len(), 1, "the pin is a report");
    let transcript = server.state.recent_messages(conversation.id, 50).await.unwrap();
    assert!(transcript.iter().any(|m| m.body.text() == Some("[Местоположение отправлено]")));
    // The store knows the person only by a keyed hash and the chat only sealed.
    let address = server.state.store.reply_to(conversation.id).await.unwrap().unwrap();
    assert_eq!(address, format!("main:{}", person.id));
}

#[tokio::test]
async fn disappearing_messages_leave_both_sides_of_the_chat_after_their_time() {
    let fake = FakeBotApi::start(TOKEN).await.unwrap();
    let mut telegram = bot(&fake);
    telegram.disappear_after = Some(Duration::from_millis(400));
    let server = TestServer::start_with(ServerConfig { telegram: vec![telegram], ..Default::default() }).await;
    let mut person = TelegramUser::new(&server.base, 5_120_000_555, "ru");
    let start = person.update("start");
    let their_message = start["message"]["message_id"].as_i64().unwrap();
    let posted = std::time::Instant::now();
    assert_eq!(person.post(&start).await, 200);
    let deletions = fake.wait_for_calls("deleteMessage", 2, Duration::from_secs(10)).await;
    let mut deleted: Vec<i64> = deletions.iter().map(|c| c.params["message_id"].as_i64().unwrap()).collect();
    deleted.sort_unstable();
    let greeting = fake.calls_of("sendMessage").len();
    assert_eq!(greeting, 1);
    // The person's /start and the bot's greeting (the fake numbers the bot's messages from 1).
    assert_eq!(deleted, [1, their_message]);
    let sent_at = fake.calls_of("sendMessage")[0].at;
    for d in &deletions {
        let since =
            if d.params["message_id"] == 1 { d.at.duration_since(sent_at) } else { d.at.duration_since(posted) };
        assert!(since >= Duration::from_millis(350), "not before their time: {since:?}");
    }
}

#[tokio::test]
async fn a_flood_of_updates_from_one_chat_is_taken_whole_once_each_and_answered_within_the_chat_limit() {
    let fake = FakeBotApi::start(TOKEN).await.unwrap();
    let mut telegram = bot(&fake);
    telegram.per_chat_interval = Duration::from_millis(100);
    let server = TestServer::start_with(ServerConfig { telegram: vec![telegram], ..Default::default() }).await;
    let mut person = TelegramUser::new(&server.base, 5_120_000_666, "ru");
    person.start().await;
    messages_to(&fake, person.id, 1).await;
    // Thirty messages at once, as Telegram delivers a burst over several connections, each
    // update twice (a resend while the first is still being taken).
    let updates: Vec<serde_json::Value> = (0..30)
        .map(|i| {
            let mut update = person.update("text");
            update["message"]["text"] = json!(format!("сообщение {i}"));
            update
        })
        .collect();
    let posts = updates.iter().chain(updates.iter()).map(|u| person.post(u));
    let statuses = futures_util::future::join_all(posts).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let conversation = wait_for(&server, person.id, |_| true).await;
    let transcript = server.state.recent_messages(conversation.id, 500).await.unwrap();
    for i in 0..30 {
        let text = format!("сообщение {i}");
        let n = transcript.iter().filter(|m| m.body.text() == Some(text.as_str())).count();
        assert_eq!(n, 1, "{text} recorded once");
    }
    // (Every message in the one conversation: a second one started by the burst would hold some.)
    // Whatever the bot answered went out one message per 100 ms at most to this chat.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let sends = fake.calls_of("sendMessage");
    assert!(sends.len() >= 2, "the bot answered");
    // (Measured where the fake receives them: one send may be late on a loaded machine and the
    // next, on time, follows it closer than 100 ms; a burst without the limit arrives at once.)
    for pair in sends.windows(2) {
        assert!(pair[1].at.duration_since(pair[0].at) >= Duration::from_millis(50), "the per-chat limit held");
    }
    let span = sends[sends.len() - 1].at.duration_since(sends[0].at);
    let intervals = u32::try_from(sends.len() - 1).unwrap();
    assert!(span >= Duration::from_millis(95) * intervals, "{} sends within {span:?}", sends.len());
}

#[tokio::test]
async fn a_wrong_codename_in_telegram_is_refused_in_the_person_s_language_and_kept_nowhere() {
    let (server, fake) = telegram_server().await;
    let mut person = TelegramUser::new(&server.base, 5_120_000_777, "uk");
    person.start().await;
    messages_to(&fake, person.id, 1).await;
    let wrong = super::chat_api::unknown_codename(3);
    person.says(&wrong).await;
    let refusal = "Кодове ім'я не підійшло. Перевірте цифри й спробуйте ще раз або напишіть, що вам потрібно, — оператор відповість.";
    assert!(telegram_heard(&fake, person.id, refusal).await, "refused in Ukrainian");
    let conversation = wait_for(&server, person.id, |_| true).await;
    assert_eq!(conversation.case, None);
    let digits: String = wrong.chars().filter(char::is_ascii_digit).collect();
    let transcript = server.state.recent_messages(conversation.id, 50).await.unwrap();
    for m in &transcript {
        let text: String = m.body.text().unwrap_or("").chars().filter(char::is_ascii_digit).collect();
        assert!(!text.contains(&digits), "the guess is in no transcript");
    }
}
