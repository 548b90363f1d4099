//! The channels' commands and the demo's channels, as an operator runs them.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use super::common::{safepassage, text, BIN};
use super::start_demo;

#[tokio::test]
async fn channels_telegram_set_webhook_registers_the_url_the_secret_and_the_updates_read() {
    let token = "7000000001:AAcli-test-token";
    let fake = safepassage_telegram::fake::FakeBotApi::start(token).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("telegram.token");
    std::fs::write(&token_file, format!("{token}\n")).unwrap();
    std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let settings = format!(
        "[[telegram]]\nname = \"main\"\ntoken_file = \"telegram.token\"\nsecret_token_env = \"SP_TEST_TG_SECRET\"\napi_base_url = \"{}\"\n",
        fake.base_url()
    );
    std::fs::write(dir.path().join("s.toml"), settings).unwrap();
    let home = dir.path().to_owned();
    let run = move |args: &[&str]| {
        Command::new(BIN)
            .args(["--config", "s.toml"])
            .args(args)
            .current_dir(&home)
            .env("SP_TEST_TG_SECRET", "a-secret_of-the-webhook")
            .output()
            .unwrap()
    };
    let args = ["channels", "telegram", "set-webhook", "--bot", "main", "--public-url", "https://hotline.example/"];
    let first = run.clone();
    let out = tokio::task::spawn_blocking(move || first(&args)).await.unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(fake.webhook_url().as_deref(), Some("https://hotline.example/channels/telegram/main"));
    let call = fake.calls_of("setWebhook").pop().unwrap();
    assert_eq!(call.params["secret_token"], "a-secret_of-the-webhook");
    assert_eq!(call.params["allowed_updates"], serde_json::json!(["message", "edited_message", "callback_query"]));
    assert!(!text(&out.stdout).contains(token) && !text(&out.stderr).contains(token));

    // A token file others may read is refused, naming the file, not the token.
    std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out =
        safepassage(dir.path(), &["--config", "s.toml", "channels", "telegram", "delete-webhook", "--bot", "main"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("telegram.token"), "{}", text(&out.stderr));
    // An unknown bot, and plain http to anything but 127.0.0.1, are refused.
    std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let args = ["channels", "telegram", "set-webhook", "--bot", "other", "--public-url", "https://x.example"];
    let out = tokio::task::spawn_blocking(move || run(&args)).await.unwrap();
    assert!(text(&out.stderr).contains("no [[telegram]] bot named other"), "{}", text(&out.stderr));
}

#[tokio::test]
async fn the_demo_answers_its_telegram_webhook_and_the_test_phone() {
    let dir = tempfile::tempdir().unwrap();
    let demo = start_demo(dir.path()).await;
    let printed = demo.stdout.join("\n");
    assert!(printed.contains("X-Telegram-Bot-Api-Secret-Token: demo-telegram-secret"), "{printed}");
    assert!(printed.contains("auth token demo-voice-auth-token"), "{printed}");
    let update = serde_json::json!({
        "update_id": 1,
        "message": {
            "message_id": 1, "date": 1, "text": "/start",
            "from": { "id": 4242, "is_bot": false, "first_name": "A", "language_code": "ru" },
            "chat": { "id": 4242, "type": "private" }
        }
    });
    let hook = format!("{}/channels/telegram/demo", demo.base);
    let client = reqwest::Client::new();
    let refused = client.post(&hook).json(&update).send().await.unwrap();
    assert_eq!(refused.status(), 401, "no secret, nothing");
    let taken = client.post(&hook).header("X-Telegram-Bot-Api-Secret-Token", "demo-telegram-secret").json(&update);
    assert_eq!(taken.send().await.unwrap().status(), 200);

    let phone = safepassage_voice::test_phone::TestPhone::new(
        &demo.base,
        "demo-voice-auth-token",
        "AC00000000000000000000000000000demo",
    );
    let call = phone.call("/channels/voice/demo/call", "+380501234567", "+15005550001").await.unwrap();
    assert_eq!(call.last_status(), 200);
    let said: Vec<&str> = call.heard().said.iter().map(|(l, _)| l.as_str()).collect();
    assert_eq!(said, ["ru-RU", "uk-UA", "en-US"], "the language menu: {:?}", call.heard());
}
