//! The settings of channels other than the web chat. Their secrets (a bot's token, a webhook's
//! secret) come from a file readable by the service alone or from the environment, never from
//! the settings file itself nor the database.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use safepassage_server::channels::telegram::settings::TelegramBot;
use safepassage_server::channels::voice::settings::VoiceLine;
use serde::Deserialize;
use zeroize::Zeroizing;

/// A `[[telegram]]` table of the settings file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TelegramFile {
    /// The name in the webhook's path, `/channels/telegram/{name}`.
    name: String,
    /// The bot's token (from BotFather): a file holding it, or an environment variable.
    token_file: Option<PathBuf>,
    token_env: Option<String>,
    /// The secret Telegram sends with every update (what `channels telegram set-webhook` registers).
    secret_token_file: Option<PathBuf>,
    secret_token_env: Option<String>,
    /// The Bot API's address (default `https://api.telegram.org`).
    api_base_url: Option<String>,
    /// Minutes after which the bot deletes its messages and the person's (off by default).
    disappear_after_minutes: Option<u64>,
    /// Sending limits: messages a second overall (30) and milliseconds between two to one chat (1000).
    overall_per_second: Option<u32>,
    per_chat_interval_ms: Option<u64>,
}

/// The bots of the settings file, their secrets read.
pub fn telegram_bots(tables: Vec<TelegramFile>) -> anyhow::Result<Vec<TelegramBot>> {
    let mut bots: Vec<TelegramBot> = Vec::with_capacity(tables.len());
    for t in tables {
        anyhow::ensure!(
            TelegramBot::is_valid_name(&t.name),
            "telegram: the name {:?} must be 1 to 32 letters, digits, - or _",
            t.name
        );
        anyhow::ensure!(bots.iter().all(|b| b.name != t.name), "telegram: the name {} is used twice", t.name);
        let what = format!("telegram {}", t.name);
        let token = secret(&what, "token", t.token_file.as_deref(), t.token_env.as_deref())?;
        let secret_token =
            secret(&what, "secret_token", t.secret_token_file.as_deref(), t.secret_token_env.as_deref())?;
        anyhow::ensure!(
            safepassage_telegram::is_valid_secret_token(&secret_token),
            "{what}: the secret token must be 1 to 256 letters, digits, - or _"
        );
        let mut bot = TelegramBot::new(&t.name, token, secret_token);
        if let Some(url) = t.api_base_url {
            bot.api_base_url = url;
        }
        bot.disappear_after = t.disappear_after_minutes.filter(|m| *m > 0).map(|m| Duration::from_secs(m * 60));
        if let Some(n) = t.overall_per_second {
            anyhow::ensure!(n >= 1, "{what}: overall_per_second must be at least 1");
            bot.overall_per_second = n;
        }
        if let Some(ms) = t.per_chat_interval_ms {
            bot.per_chat_interval = Duration::from_millis(ms.max(1));
        }
        bots.push(bot);
    }
    Ok(bots)
}

/// A `[[voice]]` table: a phone line at a provider that speaks TwiML (Twilio, SignalWire,
/// Telnyx TeXML).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoiceFile {
    /// The name in the webhooks' paths, `/channels/voice/{name}/call` and the like.
    name: String,
    /// The provider account (`AccountSid`).
    account_sid: String,
    /// The account's auth token, which signs the provider's requests: a file or an environment variable.
    auth_token_file: Option<PathBuf>,
    auth_token_env: Option<String>,
    /// The exact public origin the provider was given (`https://hotline.example`).
    public_url: String,
    /// The provider's REST API (default `https://api.twilio.com`).
    api_base_url: Option<String>,
    /// The number operators' phones show when a caller is connected (the line's own).
    caller_id: Option<String>,
}

/// The lines of the settings file, their tokens read.
pub fn voice_lines(tables: Vec<VoiceFile>) -> anyhow::Result<Vec<VoiceLine>> {
    let mut lines: Vec<VoiceLine> = Vec::with_capacity(tables.len());
    for t in tables {
        anyhow::ensure!(
            VoiceLine::is_valid_name(&t.name),
            "voice: the name {:?} must be 1 to 32 letters, digits, - or _",
            t.name
        );
        anyhow::ensure!(lines.iter().all(|l| l.name != t.name), "voice: the name {} is used twice", t.name);
        let what = format!("voice {}", t.name);
        anyhow::ensure!(
            t.public_url.starts_with("https://") || t.public_url.starts_with("http://127.0.0.1"),
            "{what}: public_url must be https:// (the provider signs the exact URL it calls)"
        );
        let token = secret(&what, "auth_token", t.auth_token_file.as_deref(), t.auth_token_env.as_deref())?;
        let mut line = VoiceLine::new(&t.name, &t.account_sid, token, &t.public_url);
        if let Some(url) = t.api_base_url {
            line.api_base_url = url;
        }
        line.caller_id = t.caller_id;
        lines.push(line);
    }
    Ok(lines)
}

/// A secret from exactly one of a file (trimmed; refused if others than its owner may read it)
/// or an environment variable.
fn secret(what: &str, name: &str, file: Option<&Path>, env: Option<&str>) -> anyhow::Result<Zeroizing<String>> {
    let value = match (file, env) {
        (Some(path), None) => {
            refuse_exposed(path).with_context(|| format!("{what}: {name}_file"))?;
            let text = Zeroizing::new(
                std::fs::read_to_string(path).with_context(|| format!("{what}: cannot read {}", path.display()))?,
            );
            Zeroizing::new(text.trim().to_owned())
        }
        (None, Some(var)) => Zeroizing::new(
            std::env::var(var)
                .with_context(|| format!("{what}: the environment variable {var} is not set"))?
                .trim()
                .to_owned(),
        ),
        _ => anyhow::bail!("{what}: give exactly one of {name}_file and {name}_env"),
    };
    anyhow::ensure!(!value.is_empty(), "{what}: the {name} is empty");
    Ok(value)
}

#[cfg(unix)]
fn refuse_exposed(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?.permissions().mode();
    anyhow::ensure!(mode & 0o077 == 0, "{} may be read by others than its owner (chmod 600 it)", path.display());
    Ok(())
}

#[cfg(not(unix))]
fn refuse_exposed(_path: &Path) -> anyhow::Result<()> {
    Ok(())
}
