//! One man across channels, over real sockets: he registers in the web chat and is given his
//! codename; later he writes to the Telegram bot and gives the codename there; later he calls
//! and keys it in. One case, one timeline, a conversation per channel, each answered on its own
//! channel; the console shows every conversation's channel. On SQLite and on PostgreSQL.

use safepassage_domain::{Channel, Role};
use safepassage_server::channels::voice::settings::VoiceLine;
use safepassage_server::ServerConfig;
use safepassage_store::ConversationStatus;
use safepassage_telegram::fake::FakeBotApi;
use safepassage_voice::fake_call_api::FakeCallApi;
use safepassage_voice::test_phone::TestPhone;
use zeroize::Zeroizing;

use super::console::login;
use super::safe_exit_walk::{chat_texts, registers_on_the_web};
use super::telegram_user::{bot, messages_to, telegram_heard, TelegramUser, TOKEN};
use super::{Database, TestServer};

const ACCOUNT: &str = "AC0123456789abcdef0123456789abcdef";
const VOICE_TOKEN: &str = "voice-auth-token-cross";

async fn one_person_on_three_channels(database: Database) {
    let fake = FakeBotApi::start(TOKEN).await.unwrap();
    let provider = FakeCallApi::start(ACCOUNT, VOICE_TOKEN).await.unwrap();
    let server = TestServer::start_on_at(database, |base| {
        let mut line = VoiceLine::new("main", ACCOUNT, Zeroizing::new(VOICE_TOKEN.into()), base);
        line.api_base_url = provider.base_url().to_owned();
        ServerConfig { telegram: vec![bot(&fake)], voice: vec![line], ..Default::default() }
    })
    .await;
    let operator = server.staff(Role::Operator, "cross-operator").await;
    let coordinator = server.staff(Role::Coordinator, "cross-coordinator").await;

    // The web chat: registered, a codename.
    let (web_token, codename) = registers_on_the_web(&server).await;
    let case = server.state.store.unassigned_cases(10).await.unwrap()[0].id;

    // Telegram: the bot greets him; the codename joins this conversation to his case, and the
    // Returning flow asks what brings him back, in Telegram.
    let mut man = TelegramUser::new(&server.base, 5_120_777_001, "ru");
    man.start().await;
    messages_to(&fake, man.id, 1).await;
    man.says(&codename).await;
    let sent = messages_to(&fake, man.id, 2).await;
    let returning = sent.last().unwrap();
    assert!(returning["text"].as_str().unwrap().starts_with("С возвращением."), "{sent:?}");
    man.presses(returning, "Другое: связаться с оператором").await;

    let conversations = server.state.store.conversations_of_case(case).await.unwrap();
    let channels: Vec<Channel> = conversations.iter().map(|c| c.channel).collect();
    assert!(channels.contains(&Channel::Web) && channels.contains(&Channel::Telegram), "{channels:?}");
    let telegram = conversations.iter().find(|c| c.channel == Channel::Telegram).unwrap().clone();
    let transcript = server.state.recent_messages(telegram.id, 100).await.unwrap();
    let digits: String = codename.chars().filter(char::is_ascii_digit).collect();
    for m in &transcript {
        let text: String = m.body.text().unwrap_or("").chars().filter(char::is_ascii_digit).collect();
        assert!(!text.contains(&digits), "the codename is not in the transcript");
    }

    // The operator takes the Telegram conversation and answers: it goes out to Telegram, and
    // nothing reaches the web chat.
    for _ in 0..100 {
        let now = server.state.store.conversation(telegram.id).await.unwrap().unwrap();
        if now.status == ConversationStatus::Queued {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let op = login(&server, &operator).await;
    let path = format!("/console/conversations/{}", telegram.id);
    assert_eq!(op.post(&format!("{path}/take"), &[]).await.status(), 303);
    let web_before = chat_texts(&server, &web_token).await.len();
    assert_eq!(op.post(&format!("{path}/reply"), &[("text", "Здравствуйте, это оператор.")]).await.status(), 303);
    assert!(telegram_heard(&fake, man.id, "Здравствуйте, это оператор.").await, "the reply went out on Telegram");
    assert_eq!(chat_texts(&server, &web_token).await.len(), web_before, "the web chat heard nothing of it");

    // A call: Russian, a serviceman, "I have a codename", the sixteen digits and the hash key.
    let phone = TestPhone::new(&server.base, VOICE_TOKEN, ACCOUNT);
    let mut call = phone.call("/channels/voice/main/call", "+380509990001", "+15005550001").await.unwrap();
    for key in ["1", "1", "1"] {
        call.press(key).await.unwrap();
    }
    assert!(call.heard().all_said().contains("шестнадцать цифр"), "{:?}", call.heard());
    let heard = call.press(&format!("{digits}#")).await.unwrap().clone();
    assert!(heard.enqueue.is_some(), "the caller waits for a person: {heard:?}");
    let on_the_phone =
        server.state.store.latest_conversation_for_identity(Channel::Voice, "+380509990001").await.unwrap().unwrap();
    assert_eq!(on_the_phone.case, Some(case), "the keyed codename joined the call to his case");
    let conversations = server.state.store.conversations_of_case(case).await.unwrap();
    let mut channels: Vec<&str> = conversations.iter().map(|c| c.channel.as_str()).collect();
    channels.sort_unstable();
    assert_eq!(channels, ["telegram", "voice", "web"], "one case, a conversation per channel");

    // The console: one case, its conversations with their channels; one timeline.
    let coord = login(&server, &coordinator).await;
    let page = coord.page(&format!("/console/cases/{case}?lang=en")).await;
    assert!(page.contains("· web chat ·") && page.contains("· Telegram ·") && page.contains("· phone ·"), "{page}");
    let conversation_page = op.page(&format!("{path}?lang=en")).await;
    assert!(conversation_page.contains("id=\"conversation-channel\">Telegram"), "{conversation_page}");
    assert!(conversation_page.contains("<span class=\"via\">Telegram</span>"), "every message shows its channel");
    let timeline = server.state.store.timeline(case.0, 1000).await.unwrap();
    let joined = timeline.iter().filter(|e| e.event.kind() == "conversation_joined_case").count();
    assert!(
        joined >= 1,
        "the Telegram conversations joined the case on its timeline: {:?}",
        timeline.iter().map(|e| e.event.kind()).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn one_person_on_three_channels_on_sqlite() {
    one_person_on_three_channels(Database::Sqlite).await;
}

#[tokio::test]
async fn one_person_on_three_channels_on_postgres() {
    one_person_on_three_channels(Database::Postgres).await;
}
