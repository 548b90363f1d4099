//! `safepassage channels …`: registering a channel's webhook with its provider. Needs no database.

use std::process::ExitCode;
use std::time::Duration;

use safepassage_telegram::BotApi;

use crate::cli::TelegramCommand;
use crate::settings::Settings;

/// The updates the webhook reads; anything else Telegram is asked not to send.
const ALLOWED_UPDATES: &[&str] = &["message", "edited_message", "callback_query"];

pub async fn telegram(settings: &Settings, command: TelegramCommand) -> anyhow::Result<ExitCode> {
    let name = match &command {
        TelegramCommand::SetWebhook { bot, .. } | TelegramCommand::DeleteWebhook { bot } => bot.clone(),
    };
    let name = name.as_str();
    let Some(bot) = settings.server.telegram.iter().find(|b| b.name == name) else {
        anyhow::bail!("no [[telegram]] bot named {name} in the settings");
    };
    let api = BotApi::new(&bot.api_base_url, &bot.token, Duration::from_secs(20))
        .map_err(|e| anyhow::anyhow!("telegram {name}: {e}"))?;
    match command {
        TelegramCommand::SetWebhook { public_url, .. } => {
            let url = webhook_url(&public_url, name)?;
            api.set_webhook(&url, &bot.secret_token, ALLOWED_UPDATES, false)
                .await
                .map_err(|e| anyhow::anyhow!("Telegram refused the webhook: {e}"))?;
            println!("telegram {name}: webhook set to {url} (updates: {})", ALLOWED_UPDATES.join(", "));
        }
        TelegramCommand::DeleteWebhook { .. } => {
            api.delete_webhook().await.map_err(|e| anyhow::anyhow!("Telegram refused: {e}"))?;
            println!("telegram {name}: webhook removed");
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `{public_url}/channels/telegram/{name}`, from an https origin (or http on 127.0.0.1 for tests).
fn webhook_url(public_url: &str, name: &str) -> anyhow::Result<String> {
    let origin = public_url.trim_end_matches('/');
    let local = origin.starts_with("http://127.0.0.1");
    anyhow::ensure!(origin.starts_with("https://") || local, "the public URL must be https:// (Telegram needs TLS)");
    anyhow::ensure!(!origin.contains(['?', '#', ' ']), "the public URL is an origin, without query or fragment");
    Ok(format!("{origin}/channels/telegram/{name}"))
}
