//! Resolved settings: defaults, then the TOML file, then environment and command line.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use safepassage_store::{KeySource, StoreConfig, Synchronous};
use serde::Deserialize;

use crate::cli::{Cli, Command};
use crate::logging::LogFormat;

/// The settings file: every key optional, unknown keys refused.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    database: Option<String>,
    key_file: Option<PathBuf>,
    listen: Option<SocketAddr>,
    console_listen: Option<SocketAddr>,
    metrics_listen: Option<SocketAddr>,
    sqlite_synchronous: Option<String>,
    log_format: Option<String>,
    secure_cookies: Option<bool>,
    /// Where the chat's quick-exit button leads (a neutral `https://` page).
    quick_exit_url: Option<String>,
    /// The same per language (`ru`, `uk`, `en`); wins over `quick_exit_url`.
    quick_exit_urls: Option<std::collections::BTreeMap<String, String>>,
    /// Hours without a message after which a web chat's token stops working.
    chat_idle_hours: Option<u64>,
    /// Console session idle timeout, lock-out after five failed logins, and longest session, in minutes.
    staff_idle_minutes: Option<u64>,
    staff_lockout_minutes: Option<u64>,
    staff_session_max_minutes: Option<u64>,
    /// Greeting of a new web conversation per language (`ru`, `uk`, `en`).
    greetings: Option<std::collections::BTreeMap<String, String>>,
    /// Hosts that webhooks of flows may reach (for files imported with `call_webhook` allowed).
    flow_webhook_hosts: Option<Vec<String>>,
    /// Rate limits of the web chat: new conversations across everyone, and applicant messages
    /// per conversation (`100/s,1000`, `30/min,20`, or `off`).
    new_chat_limit: Option<String>,
    chat_message_limit: Option<String>,
    /// Memory for staff password hashing in MiB (19 per hash); logins past it get 503.
    login_hash_budget_mib: Option<usize>,
    /// When every refused login is answered, in milliseconds after it arrived.
    login_refusal_ms: Option<u64>,
    /// Days closed cases, exited cases and conversations that never became a case are kept
    /// before the retention timer crypto-shreds them (180, 730, 30); 0 keeps them forever.
    retention_closed_days: Option<u64>,
    retention_exited_days: Option<u64>,
    retention_caseless_days: Option<u64>,
    /// Screening signals: registrations with the same answers that make a burst (5) within
    /// minutes (60); conversations joining one case (3) within days (7); metres between
    /// locations of different cases (300) within days (2); how many days back to look (30).
    signal_burst_cases: Option<usize>,
    signal_burst_minutes: Option<u64>,
    signal_join_conversations: Option<usize>,
    signal_join_days: Option<u64>,
    signal_nearby_metres: Option<u32>,
    signal_nearby_days: Option<u64>,
    signal_lookback_days: Option<u64>,
    /// Hours after which a case's newest location report is marked stale (72 by default).
    location_stale_hours: Option<u64>,
    /// Serve the public figures at `/figures` and `/figures.json` (off by default).
    public_figures: Option<bool>,
    /// Counts under this are suppressed in disclosure-controlled figures (10 by default).
    figures_threshold: Option<u64>,
    /// Exits are published by month once the month ended this many days ago (30 by default).
    figures_publish_after_days: Option<u32>,
    /// Days an open case waits for the applicant's next contact, per state (`registered = 30`).
    next_contact_days: Option<std::collections::BTreeMap<String, u32>>,
    /// Telegram bots the platform answers as (`[[telegram]]` tables; see channel_settings.rs).
    #[serde(default)]
    telegram: Vec<crate::channel_settings::TelegramFile>,
    /// Phone lines (`[[voice]]` tables; see channel_settings.rs).
    #[serde(default)]
    voice: Vec<crate::channel_settings::VoiceFile>,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub database: String,
    pub key_source: KeySource,
    pub listen: SocketAddr,
    /// The console's own listener; None: the console is on the public one.
    pub console_listen: Option<SocketAddr>,
    pub metrics_listen: SocketAddr,
    pub synchronous: Synchronous,
    pub log_format: LogFormat,
    pub server: safepassage_server::ServerConfig,
    /// Benchmarks only: the fast codename hash (`--unsafe-fast-codename-hash`).
    pub fast_codename_hash: bool,
}

impl Settings {
    pub fn resolve(cli: &Cli) -> anyhow::Result<Settings> {
        let file: FileSettings = match &cli.settings.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
                toml::from_str(&text).with_context(|| format!("invalid settings file {}", path.display()))?
            }
            None => FileSettings::default(),
        };
        let args = &cli.settings;
        // The demo keeps its data apart from a real deployment's default files.
        let stem = if matches!(cli.command, Command::Demo) { "demo" } else { "safepassage" };
        let database =
            args.database.clone().or(file.database).unwrap_or_else(|| format!("sqlite:./safepassage-data/{stem}.db"));
        let key_file = args
            .key_file
            .clone()
            .or(file.key_file)
            .unwrap_or_else(|| PathBuf::from(format!("./safepassage-data/{stem}.key")));
        let key_source = match std::env::var("SAFEPASSAGE_MASTER_KEY") {
            Ok(hex) if args.key_file.is_none() => KeySource::Hex(zeroize::Zeroizing::new(hex)),
            _ => KeySource::File(key_file),
        };
        let synchronous = args
            .sqlite_synchronous
            .clone()
            .or(file.sqlite_synchronous)
            .map(|s| s.parse::<Synchronous>())
            .transpose()
            .map_err(anyhow::Error::msg)?
            .unwrap_or_default();
        let log_format =
            args.log_format.clone().or(file.log_format).map(|s| s.parse()).transpose()?.unwrap_or_default();
        let mut server = safepassage_server::ServerConfig {
            secure_cookies: args.secure_cookies.or(file.secure_cookies).unwrap_or(false),
            ..Default::default()
        };
        let neutral = |url: &str| url.starts_with("https://") || url.starts_with("http://");
        if let Some(url) = args.quick_exit_url.clone().or(file.quick_exit_url) {
            anyhow::ensure!(neutral(&url), "quick_exit_url must be an http(s) address");
            server.quick_exit_url = Some(url);
        }
        for (language, url) in file.quick_exit_urls.unwrap_or_default() {
            let language = language.parse().map_err(|e| anyhow::anyhow!("quick_exit_urls: {e}"))?;
            anyhow::ensure!(neutral(&url), "quick_exit_urls: {language} must be an http(s) address");
            server.quick_exit_urls.insert(language, url);
        }
        for (state, days) in file.next_contact_days.iter().flatten() {
            let parsed: safepassage_domain::CaseState =
                state.parse().map_err(|e| anyhow::anyhow!("next_contact_days: {e}"))?;
            server
                .contact_defaults
                .set(parsed, *days)
                .map_err(|e| anyhow::anyhow!("next_contact_days.{state}: {e}"))?;
        }
        if let Some(hours) = args.chat_idle_hours.or(file.chat_idle_hours) {
            anyhow::ensure!(hours >= 1, "chat_idle_hours must be at least 1");
            server.chat_idle = std::time::Duration::from_secs(hours.saturating_mul(3600));
        }
        let minutes = |m: u64| std::time::Duration::from_secs(m.saturating_mul(60));
        if let Some(m) = file.staff_idle_minutes {
            server.staff_idle_timeout = minutes(m);
        }
        if let Some(m) = file.staff_lockout_minutes {
            server.lockout = minutes(m);
        }
        if let Some(m) = file.staff_session_max_minutes {
            server.staff_session_max = minutes(m);
        }
        if let Some(mib) = file.login_hash_budget_mib {
            server.login_hash_budget_mib = mib;
        }
        if let Some(ms) = file.login_refusal_ms {
            server.login_refusal_time = std::time::Duration::from_millis(ms);
        }
        if let Some(hours) = file.location_stale_hours {
            anyhow::ensure!(hours >= 1, "location_stale_hours must be at least 1");
            server.location_stale = std::time::Duration::from_secs(hours.saturating_mul(3600));
        }
        server.figures.public = args.public_figures.or(file.public_figures).unwrap_or(false);
        if let Some(threshold) = file.figures_threshold {
            anyhow::ensure!(threshold >= 2, "figures_threshold must be at least 2");
            server.figures.threshold = threshold;
        }
        if let Some(days) = file.figures_publish_after_days {
            server.figures.publish_after_days = i32::try_from(days.min(3660)).unwrap_or(3660);
        }
        let hosts = args.flow_webhook_hosts.clone().or(file.flow_webhook_hosts).unwrap_or_default();
        server.flow_webhook_hosts = webhook_hosts(hosts)?;
        if let Some(limit) = args.new_chat_limit.clone().or(file.new_chat_limit) {
            server.new_chat_limit = rate_limit("new_chat_limit", &limit)?;
        }
        if let Some(limit) = args.chat_message_limit.clone().or(file.chat_message_limit) {
            server.chat_message_limit = rate_limit("chat_message_limit", &limit)?;
        }
        let defaults = safepassage_store::RetentionPolicy::default();
        let days_of = |d: Option<std::time::Duration>| d.map_or(0, |d| d.as_secs() / 86_400);
        server.retention = safepassage_store::RetentionPolicy::from_days(
            file.retention_closed_days.unwrap_or(days_of(defaults.closed)),
            file.retention_exited_days.unwrap_or(days_of(defaults.exited)),
            file.retention_caseless_days.unwrap_or(days_of(defaults.caseless)),
        );
        let secs = |n: u64, unit: u64| std::time::Duration::from_secs(n.saturating_mul(unit));
        let signals = &mut server.signals;
        if let Some(n) = file.signal_burst_cases {
            anyhow::ensure!(n >= 2, "signal_burst_cases must be at least 2");
            signals.burst_cases = n;
        }
        if let Some(m) = file.signal_burst_minutes {
            signals.burst_window = secs(m, 60);
        }
        if let Some(n) = file.signal_join_conversations {
            anyhow::ensure!(n >= 1, "signal_join_conversations must be at least 1");
            signals.join_conversations = n;
        }
        if let Some(d) = file.signal_join_days {
            signals.join_window = secs(d, 86_400);
        }
        if let Some(m) = file.signal_nearby_metres {
            anyhow::ensure!(m >= 1, "signal_nearby_metres must be at least 1");
            signals.nearby_metres = f64::from(m);
        }
        if let Some(d) = file.signal_nearby_days {
            signals.nearby_window = secs(d, 86_400);
        }
        if let Some(d) = file.signal_lookback_days {
            signals.lookback = secs(d, 86_400);
        }
        server.telegram = crate::channel_settings::telegram_bots(file.telegram)?;
        server.voice = crate::channel_settings::voice_lines(file.voice)?;
        for (language, text) in file.greetings.unwrap_or_default() {
            let language = language.parse().map_err(|e| anyhow::anyhow!("greetings: {e}"))?;
            server.greetings.insert(language, text);
        }
        Ok(Settings {
            database,
            key_source,
            listen: args.listen.or(file.listen).unwrap_or(SocketAddr::from(([127, 0, 0, 1], 8080))),
            console_listen: args.console_listen.or(file.console_listen),
            metrics_listen: args
                .metrics_listen
                .or(file.metrics_listen)
                .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 9090))),
            synchronous,
            log_format,
            server,
            fast_codename_hash: cli.settings.unsafe_fast_codename_hash,
        })
    }

    pub fn store_config(&self) -> StoreConfig {
        let mut config = StoreConfig::new(self.database.clone(), self.key_source.clone());
        config.synchronous = self.synchronous;
        if self.fast_codename_hash {
            tracing::warn!("codenames are hashed fast (--unsafe-fast-codename-hash): for benchmarks only");
            config.fast_codename_hash = true;
        }
        config
    }

    /// The database URL without a password, for messages.
    pub fn database_for_display(&self) -> String {
        match self.database.split_once("://") {
            Some((scheme, rest)) => match rest.split_once('@') {
                Some((credentials, host)) => {
                    let user = credentials.split(':').next().unwrap_or("");
                    format!("{scheme}://{user}:***@{host}")
                }
                None => self.database.clone(),
            },
            None => self.database.clone(),
        }
    }
}

/// A rate limit as written (`100/s,1000`), or `off` for none.
fn rate_limit(name: &str, value: &str) -> anyhow::Result<Option<safepassage_server::RateLimit>> {
    if value.trim().eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    value.parse().map(Some).map_err(|e| anyhow::anyhow!("{name}: {e}"))
}

/// The webhook hosts as given, each a host name or an IP address with an optional port (not a
/// URL, no path, no wildcard): a typo should stop the start, not silently make every webhook fail.
fn webhook_hosts(hosts: Vec<String>) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::with_capacity(hosts.len());
    for host in hosts {
        if safepassage_server::parse_webhook_host(&host)
            .map_err(|e| anyhow::anyhow!("flow_webhook_hosts: {e}"))?
            .is_some()
        {
            out.push(host.trim().to_ascii_lowercase());
        }
    }
    Ok(out)
}
