//! The command line. Every setting also comes from a `SAFEPASSAGE_*` variable or the TOML file
//! named by `--config`; the command line wins, then the environment, then the file.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "safepassage", version, about = "Safe Passage: a secure multi-channel hotline and case platform")]
pub struct Cli {
    #[command(flatten)]
    pub settings: SettingArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Settings shared by every command.
#[derive(Debug, Args, Default)]
pub struct SettingArgs {
    /// TOML settings file (unknown keys are refused).
    #[arg(long, global = true, env = "SAFEPASSAGE_CONFIG")]
    pub config: Option<PathBuf>,
    /// Database URL: `sqlite:PATH` (default: ./safepassage-data/safepassage.db) or `postgres://...`.
    #[arg(long, global = true, env = "SAFEPASSAGE_DATABASE")]
    pub database: Option<String>,
    /// Master key file (created with mode 0600 on first start of an empty database).
    /// Alternatively give the key itself, hex, in SAFEPASSAGE_MASTER_KEY.
    #[arg(long, global = true, env = "SAFEPASSAGE_KEY_FILE")]
    pub key_file: Option<PathBuf>,
    /// Public HTTP listener.
    #[arg(long, global = true, env = "SAFEPASSAGE_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// The console's own listener (e.g. an internal address). When set, the public listener
    /// serves no console route and this one serves only the console.
    #[arg(long, global = true, env = "SAFEPASSAGE_CONSOLE_LISTEN")]
    pub console_listen: Option<SocketAddr>,
    /// Metrics listener (Prometheus); loopback by default so it is never public by accident.
    #[arg(long, global = true, env = "SAFEPASSAGE_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// SQLite durability: off, normal, full (default) or extra.
    #[arg(long, global = true, env = "SAFEPASSAGE_SQLITE_SYNCHRONOUS")]
    pub sqlite_synchronous: Option<String>,
    /// Mark cookies Secure (set when users reach the platform over HTTPS).
    #[arg(long, global = true, env = "SAFEPASSAGE_SECURE_COOKIES")]
    pub secure_cookies: Option<bool>,
    /// Serve the public figures (`/figures`, `/figures.json`) on the public listener.
    #[arg(long, global = true, env = "SAFEPASSAGE_PUBLIC_FIGURES")]
    pub public_figures: Option<bool>,
    /// Neutral page the chat's quick-exit button leads to.
    #[arg(long, global = true, env = "SAFEPASSAGE_QUICK_EXIT_URL")]
    pub quick_exit_url: Option<String>,
    /// Hosts that webhooks of flows may reach (comma-separated names or IP addresses, each with
    /// an optional :port; else ports 80 and 443), for files imported with call_webhook allowed;
    /// none by default, and then every webhook call fails.
    #[arg(long, global = true, env = "SAFEPASSAGE_FLOW_WEBHOOK_HOSTS", value_delimiter = ',', value_name = "HOSTS")]
    pub flow_webhook_hosts: Option<Vec<String>>,
    /// New web conversations across everyone: `RATE/UNIT,BURST` (e.g. `100/s,1000`, the
    /// default; units s, min, h) or `off`. Refused ones are told the line is busy (429).
    #[arg(long, global = true, env = "SAFEPASSAGE_NEW_CHAT_LIMIT", value_name = "LIMIT")]
    pub new_chat_limit: Option<String>,
    /// Applicant messages per web conversation: `RATE/UNIT,BURST` (default `30/min,20`: one
    /// every 2 s after a burst of 20) or `off`.
    #[arg(long, global = true, env = "SAFEPASSAGE_CHAT_MESSAGE_LIMIT", value_name = "LIMIT")]
    pub chat_message_limit: Option<String>,
    /// Hours without a message in a web conversation after which its applicant's token stops
    /// working (default 12); the applicant comes back with their codename.
    #[arg(long, global = true, env = "SAFEPASSAGE_CHAT_IDLE_HOURS", value_name = "HOURS")]
    pub chat_idle_hours: Option<u64>,
    /// Log format: text or json.
    #[arg(long, global = true, env = "SAFEPASSAGE_LOG_FORMAT")]
    pub log_format: Option<String>,
    /// For benchmarks only: codenames hashed with a fast keyed hash instead of Argon2id, so a
    /// benchmark measures the message path rather than the deliberately slow hash. Never in
    /// service (a leaked database and key would then give codenames up quickly). Not shown in
    /// the help; the server warns at start.
    #[arg(long, global = true, hide = true)]
    pub unsafe_fast_codename_hash: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the platform.
    Serve,
    /// Serve with demo staff accounts, conversations and cases (on 127.0.0.1:8080 by default).
    Demo,
    /// Create or update the database schema, then exit.
    Migrate,
    /// Staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// The tamper-evident audit chain.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Master key management.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// The flow library: check and import RapidPro/TextIt flow files.
    #[command(subcommand)]
    Flows(FlowsCommand),
    /// Cases: crypto-shredding.
    #[command(subcommand)]
    Cases(CasesCommand),
    /// Channels other than the web chat: registering their webhooks with the provider.
    #[command(subcommand)]
    Channels(ChannelsCommand),
}

#[derive(Debug, Subcommand)]
pub enum ChannelsCommand {
    /// Telegram bots (the `[[telegram]]` tables of the settings file).
    #[command(subcommand)]
    Telegram(TelegramCommand),
}

#[derive(Debug, Subcommand)]
pub enum TelegramCommand {
    /// Register the bot's webhook with Telegram: the public address of this platform's
    /// `/channels/telegram/{name}`, the bot's secret token, and the updates the platform reads
    /// (message, edited_message, callback_query). Pending updates are kept.
    #[command(
        after_help = "Example:\n  safepassage channels telegram set-webhook --bot main --public-url https://hotline.example"
    )]
    SetWebhook {
        /// The bot's name in the settings file.
        #[arg(long)]
        bot: String,
        /// The platform's public origin as Telegram must reach it (https://, port 443, 80, 88 or 8443).
        #[arg(long)]
        public_url: String,
    },
    /// Remove the bot's webhook (Telegram stops sending updates).
    DeleteWebhook {
        #[arg(long)]
        bot: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum CasesCommand {
    /// Destroy the keys of a case and of its conversations (crypto-shredding): messages, notes
    /// and locations become unreadable everywhere, backups included; the codename stops
    /// working. Recorded in the audit log with the reason. Cannot be undone.
    Shred {
        /// The case's id (a UUID, as the console shows it).
        id: String,
        /// applicant_request, safety_risk, retention_ended or entered_in_error.
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum FlowsCommand {
    /// Load every flow of FILE (a flow definition or a RapidPro export) as an import would, with
    /// no outside call allowed unless --allow names it; print one line per flow (name, UUID,
    /// type, spec version, nodes, languages), or the error naming the flow, node and action, and
    /// exit 1. Needs no database: a flow that FILE enters must be in FILE or shipped.
    Check {
        /// The flow file (JSON, at most 2 MiB).
        file: PathBuf,
        /// Allow this outside action type (only call_webhook, which the platform can run).
        #[arg(long, value_name = "ACTION_TYPE")]
        allow: Vec<String>,
    },
    /// Check FILE, then add it to the flow library of the configured database, recorded in the
    /// audit log as imported by the system. Running servers pick it up within seconds.
    #[command(after_help = "Examples:\n  safepassage flows import intake.json --intake web --flow Intake\n  \
                            safepassage flows import survey.json --allow call_webhook")]
    Import {
        /// The flow file (JSON, at most 2 MiB).
        file: PathBuf,
        /// Allow this outside action type for the file's flows (only call_webhook): the bot will
        /// send applicants' data to the webhooks' addresses, if the deployment lists their hosts
        /// (flow_webhook_hosts). Recorded in the audit log with the import.
        #[arg(long, value_name = "ACTION_TYPE")]
        allow: Vec<String>,
        /// Also make a flow of the file the intake of this channel (web, telegram or voice);
        /// name the flow with --flow.
        #[arg(long, requires = "flow")]
        intake: Option<String>,
        /// The name of the flow (in FILE) to use as the intake of --intake.
        #[arg(long, requires = "intake")]
        flow: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Add a staff account; prints a one-time password, valid 24 hours, with which its owner
    /// chooses a password and enrols TOTP at the first login.
    Add {
        /// operator, specialist, coordinator, operations, analyst or admin.
        #[arg(long)]
        role: String,
        /// Login name.
        name: String,
    },
    /// Give an account a new one-time password; its password, TOTP and sessions are revoked.
    Reset {
        /// Login name.
        name: String,
    },
    /// Shut an account off; its sessions end at once.
    Disable {
        /// Login name.
        name: String,
    },
    /// Let a disabled account in again.
    Enable {
        /// Login name.
        name: String,
    },
    /// Lift a lock-out after failed logins.
    Unlock {
        /// Login name.
        name: String,
    },
    /// Give an account another role; its sessions end at once.
    Role {
        /// Login name.
        name: String,
        /// operator, specialist, coordinator, operations, analyst or admin.
        role: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Recompute the chain's keyed links up to the stored head; exit 0 when intact, 1 naming the
    /// first broken link.
    Verify {
        /// A head printed earlier by `audit head`: also prove that nothing up to it was removed
        /// or changed.
        #[arg(long, value_name = "HEAD")]
        expect: Option<String>,
    },
    /// Verify the chain, then print its head signed with the audit key (one line): keep it
    /// outside the database and give it to `audit verify --expect` later.
    Head,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Re-wrap every data key under a new master key while the service runs.
    Rotate,
}
