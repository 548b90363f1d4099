//! The client against the fake Bot API, and the sending limits. One test binary, since each
//! file under tests/ links separately and slowly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[cfg(feature = "fake-api")]
mod client_against_fake {
    use std::time::{Duration, Instant};

    use safepassage_telegram::fake::{Failure, FakeBotApi};
    use safepassage_telegram::{ApiError, BotApi};
    use serde_json::json;

    const TOKEN: &str = "123456:ABC-fake-token_xyz";
    const CHAT: i64 = 5_120_001_234;

    async fn setup() -> (FakeBotApi, BotApi) {
        let fake = FakeBotApi::start(TOKEN).await.unwrap();
        let api = BotApi::new(&fake.base_url(), TOKEN, Duration::from_secs(2)).unwrap();
        (fake, api)
    }

    fn no_secrets(error: &ApiError) {
        let printed = format!("{error} {error:?}");
        assert!(!printed.contains(TOKEN), "{printed}");
        assert!(!printed.contains("ABC-fake"), "{printed}");
        assert!(!printed.contains(&CHAT.to_string()), "{printed}");
    }

    #[tokio::test]
    async fn send_with_quick_replies_as_inline_keyboard() {
        let (fake, api) = setup().await;
        let replies = vec!["Yes, I am safe".to_owned(), "No".to_owned()];
        let first = api.send_message(CHAT, "Are you safe?", &replies).await.unwrap();
        let second = api.send_message(CHAT, "Second", &[]).await.unwrap();
        assert!(second.message_id > first.message_id);

        let calls = fake.calls_of("sendMessage");
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].params["chat_id"], json!(CHAT));
        assert_eq!(calls[0].params["text"], json!("Are you safe?"));
        assert_eq!(
            calls[0].params["reply_markup"],
            json!({"inline_keyboard": [
                [{"text": "Yes, I am safe", "callback_data": "0"}],
                [{"text": "No", "callback_data": "1"}]
            ]})
        );
        assert!(calls[1].params.get("reply_markup").is_none());
        assert_eq!(fake.sent_to(CHAT), vec!["Are you safe?", "Second"]);
        assert!(fake.sent_to(CHAT + 1).is_empty());
    }

    #[tokio::test]
    async fn answer_callback_and_delete() {
        let (fake, api) = setup().await;
        api.answer_callback_query("4382bfdwdsb323b2d9").await.unwrap();
        let sent = api.send_message(CHAT, "to be wiped", &[]).await.unwrap();
        api.delete_message(CHAT, sent.message_id).await.unwrap();
        // Deleting twice: Telegram says the message is not found.
        let error = api.delete_message(CHAT, sent.message_id).await.unwrap_err();
        assert!(
            matches!(&error, ApiError::Refused { code: 400, description } if description.contains("not found")),
            "{error:?}"
        );
        assert!(!error.is_retryable());
        no_secrets(&error);
        assert_eq!(fake.calls_of("answerCallbackQuery")[0].params["callback_query_id"], json!("4382bfdwdsb323b2d9"));
    }

    #[tokio::test]
    async fn too_many_requests_gives_retry_after() {
        let (fake, api) = setup().await;
        fake.fail_next("sendMessage", Failure::TooManyRequests { retry_after_s: 7 });
        let error = api.send_message(CHAT, "hi", &[]).await.unwrap_err();
        assert_eq!(error, ApiError::RetryAfter(Duration::from_secs(7)));
        assert!(error.is_retryable());
        // Only the next call fails.
        api.send_message(CHAT, "hi", &[]).await.unwrap();
        assert_eq!(fake.calls_of("sendMessage").len(), 2);
    }

    #[tokio::test]
    async fn server_error_is_transient() {
        let (fake, api) = setup().await;
        fake.fail_next("sendMessage", Failure::ServerError);
        let error = api.send_message(CHAT, "hi", &[]).await.unwrap_err();
        assert!(matches!(&error, ApiError::Transient(m) if m.contains("500")), "{error:?}");
        assert!(error.is_retryable());
        no_secrets(&error);
    }

    #[tokio::test]
    async fn hang_is_transient_after_the_timeout() {
        let fake = FakeBotApi::start(TOKEN).await.unwrap();
        let api = BotApi::new(&fake.base_url(), TOKEN, Duration::from_millis(300)).unwrap();
        fake.fail_next("sendMessage", Failure::Hang(Duration::from_secs(5)));
        let started = Instant::now();
        let error = api.send_message(CHAT, "hi", &[]).await.unwrap_err();
        let took = started.elapsed();
        assert!(matches!(&error, ApiError::Transient(m) if m.contains("timed out")), "{error:?}");
        assert!(took >= Duration::from_millis(300) && took < Duration::from_secs(3), "{took:?}");
        no_secrets(&error);
    }

    #[tokio::test]
    async fn wrong_token_is_refused_401_without_the_token() {
        let fake = FakeBotApi::start(TOKEN).await.unwrap();
        let api = BotApi::new(&fake.base_url(), "999:wrong-token", Duration::from_secs(2)).unwrap();
        let error = api.send_message(CHAT, "hi", &[]).await.unwrap_err();
        assert!(matches!(error, ApiError::Refused { code: 401, .. }), "{error:?}");
        assert!(!format!("{error} {error:?} {api:?}").contains("wrong-token"));
        assert!(fake.calls().is_empty());
    }

    #[tokio::test]
    async fn unreachable_server_is_transient_without_the_token() {
        // Bind and drop, so the port is (almost certainly) closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let api = BotApi::new(&format!("http://127.0.0.1:{port}"), TOKEN, Duration::from_secs(2)).unwrap();
        let error = api.get_me().await.unwrap_err();
        assert!(matches!(error, ApiError::Transient(_)), "{error:?}");
        no_secrets(&error);
    }

    #[tokio::test]
    async fn refusal_such_as_a_blocked_bot() {
        let (fake, api) = setup().await;
        fake.fail_next(
            "sendMessage",
            Failure::Error { code: 403, description: "Forbidden: bot was blocked by the user".into() },
        );
        let error = api.send_message(CHAT, "hi", &[]).await.unwrap_err();
        assert_eq!(
            error,
            ApiError::Refused { code: 403, description: "Forbidden: bot was blocked by the user".into() }
        );
    }

    #[tokio::test]
    async fn empty_text_is_refused_400() {
        let (_fake, api) = setup().await;
        let error = api.send_message(CHAT, "", &[]).await.unwrap_err();
        assert!(matches!(error, ApiError::Refused { code: 400, .. }), "{error:?}");
    }

    #[tokio::test]
    async fn set_and_delete_webhook() {
        let (fake, api) = setup().await;
        api.set_webhook(
            "https://hotline.example/telegram/webhook",
            "s3cret_Token-1",
            &["message", "edited_message", "callback_query"],
            true,
        )
        .await
        .unwrap();
        let call = &fake.calls_of("setWebhook")[0];
        assert_eq!(call.params["url"], json!("https://hotline.example/telegram/webhook"));
        assert_eq!(call.params["secret_token"], json!("s3cret_Token-1"));
        assert_eq!(call.params["allowed_updates"], json!(["message", "edited_message", "callback_query"]));
        assert_eq!(call.params["drop_pending_updates"], json!(true));
        assert_eq!(fake.webhook_url().as_deref(), Some("https://hotline.example/telegram/webhook"));
        // A secret outside Telegram's alphabet is refused, as by Telegram.
        let error = api.set_webhook("https://hotline.example/x", "bad secret!", &[], false).await.unwrap_err();
        assert!(matches!(error, ApiError::Refused { code: 400, .. }));
        api.delete_webhook().await.unwrap();
        assert_eq!(fake.webhook_url(), None);
    }

    #[test]
    fn bad_settings_are_refused_without_echoing_the_token() {
        use safepassage_telegram::SetupError;
        let timeout = Duration::from_secs(1);
        for token in ["", "no-colon", "12:", ":abc", "12:abc/../x", "12:abc?x=1", "ab:cd"] {
            let error = BotApi::new("https://api.telegram.org", token, timeout).unwrap_err();
            assert_eq!(error, SetupError::InvalidToken, "{token:?}");
        }
        for base in ["", "api.telegram.org", "ftp://x", "mailto:a@b"] {
            let error = BotApi::new(base, TOKEN, timeout).unwrap_err();
            assert_eq!(error, SetupError::InvalidBaseUrl, "{base:?}");
        }
        let api = BotApi::new("https://api.telegram.org/", TOKEN, timeout).unwrap();
        assert!(!format!("{api:?}").contains("ABC-fake"));
    }

    #[tokio::test]
    async fn get_me() {
        let (_fake, api) = setup().await;
        let me = api.get_me().await.unwrap();
        assert_eq!(me.id, safepassage_telegram::fake::FAKE_BOT_ID);
        assert!(me.username.is_some());
    }

    #[tokio::test]
    async fn fake_accepts_form_bodies_and_any_case() {
        let fake = FakeBotApi::start(TOKEN).await.unwrap();
        let client = reqwest::Client::new();
        let answer: serde_json::Value = client
            .post(format!("{}/bot{TOKEN}/SENDMESSAGE", fake.base_url()))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("chat_id=42&text=hello+there&reply_markup=%7B%22inline_keyboard%22%3A%5B%5D%7D")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(answer["ok"], json!(true));
        assert_eq!(answer["result"]["chat"]["id"], json!(42));
        assert_eq!(fake.sent_to(42), vec!["hello there"]);
        assert_eq!(fake.calls()[0].params["reply_markup"], json!({"inline_keyboard": []}));
        let unknown = client.post(format!("{}/bot{TOKEN}/sendPhoto", fake.base_url())).send().await.unwrap();
        assert_eq!(unknown.status().as_u16(), 404);
    }

    #[tokio::test]
    async fn wait_for_calls_sees_later_calls_and_times_out() {
        let (fake, api) = setup().await;
        let sender = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(100)).await;
            api.send_message(CHAT, "one", &[]).await.unwrap();
            api.send_message(CHAT, "two", &[]).await.unwrap();
        });
        let calls = fake.wait_for_calls("sendMessage", 2, Duration::from_secs(5)).await;
        assert_eq!(calls.len(), 2);
        sender.await.unwrap();
        let started = Instant::now();
        let calls = fake.wait_for_calls("sendMessage", 3, Duration::from_millis(200)).await;
        assert_eq!(calls.len(), 2);
        assert!(started.elapsed() >= Duration::from_millis(200));
    }
}

mod fixtures {
    use std::path::Path;

    use safepassage_telegram::{parse_update, Unsupported, UpdateEvent};

    /// What each fixture must parse into (the table of `tests/fixtures/updates/README.md`).
    fn expected(name: &str, event: &UpdateEvent) -> bool {
        use UpdateEvent::*;
        match name {
            "text" => matches!(event, Text { edited: false, .. }),
            "start" => matches!(event, Start { payload: None, .. }),
            "start_with_payload" => matches!(event, Start { payload: Some(_), .. }),
            "edited_message" => matches!(event, Text { edited: true, .. }),
            "location" => matches!(event, Location { edited: false, .. }),
            "live_location_edit" => matches!(event, Location { edited: true, .. }),
            "callback_query" => {
                matches!(event, Pressed { data, button_text: Some(_), .. } if data == "1")
            }
            "photo" => matches!(event, Refused { what: Unsupported::Photo, .. }),
            "voice" => matches!(event, Refused { what: Unsupported::Voice, .. }),
            "contact" => matches!(event, Refused { what: Unsupported::Contact, .. }),
            "sticker" => matches!(event, Refused { what: Unsupported::Sticker, .. }),
            "my_chat_member" => matches!(event, Ignored { what: "my_chat_member" }),
            "channel_post" => matches!(event, Ignored { what: "channel_post" }),
            "group_message" => matches!(event, Start { chat, .. } if !chat.private),
            _ => false,
        }
    }

    #[test]
    fn every_fixture_parses_as_documented() {
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/updates");
        let mut seen = 0;
        for entry in std::fs::read_dir(folder).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
            let update = parse_update(&std::fs::read(&path).unwrap()).unwrap();
            assert!(expected(&name, &update.event), "{name}: {update:?}");
            seen += 1;
        }
        assert_eq!(seen, 14);
    }
}

mod limits {
    use std::num::NonZeroU32;
    use std::time::{Duration, Instant};

    use safepassage_telegram::SendLimits;

    #[test]
    fn one_message_per_interval_in_a_chat() {
        let limits = SendLimits::new(NonZeroU32::new(1000).unwrap(), Duration::from_millis(200));
        assert_eq!(limits.check(1), Ok(()));
        let wait = limits.check(1).unwrap_err();
        assert!(wait > Duration::from_millis(150) && wait <= Duration::from_millis(200), "{wait:?}");
        // Another chat is not held up.
        assert_eq!(limits.check(2), Ok(()));
        std::thread::sleep(wait);
        assert_eq!(limits.check(1), Ok(()));
    }

    #[test]
    fn overall_rate_is_shared_by_chats() {
        let limits = SendLimits::new(NonZeroU32::new(5).unwrap(), Duration::from_millis(1));
        for chat in 0..5 {
            assert_eq!(limits.check(chat), Ok(()), "chat {chat}");
        }
        let wait = limits.check(99).unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_millis(200), "{wait:?}");
    }

    #[test]
    fn default_is_telegrams_limits() {
        let limits = SendLimits::default();
        for chat in 0..30 {
            assert_eq!(limits.check(chat), Ok(()));
        }
        // The 31st at once must wait about 1/30 s (unless this thread slept that long).
        if let Err(wait) = limits.check(30) {
            assert!(wait <= Duration::from_millis(34), "{wait:?}");
        }
        assert!(limits.check(0).unwrap_err() > Duration::from_millis(900));
    }

    #[tokio::test]
    async fn until_ready_spaces_messages_in_a_chat() {
        let limits = SendLimits::new(NonZeroU32::new(1000).unwrap(), Duration::from_millis(100));
        let started = Instant::now();
        for _ in 0..4 {
            limits.until_ready(7).await;
        }
        let took = started.elapsed();
        // The first at once, then three intervals.
        assert!(took >= Duration::from_millis(290) && took < Duration::from_millis(1000), "{took:?}");
    }

    #[tokio::test]
    async fn until_ready_holds_the_overall_rate() {
        let limits = SendLimits::new(NonZeroU32::new(10).unwrap(), Duration::from_millis(1));
        let started = Instant::now();
        for chat in 0..15 {
            limits.until_ready(chat).await;
        }
        let took = started.elapsed();
        // A burst of ten, then five more at ten a second.
        assert!(took >= Duration::from_millis(450) && took < Duration::from_millis(1500), "{took:?}");
    }
}
