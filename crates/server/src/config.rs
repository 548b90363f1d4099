//! Settings of the HTTP layer.

use std::collections::BTreeMap;
use std::time::Duration;

use safepassage_domain::Language;

/// Where quick-exit leads unless configured: an ordinary weather search, unremarkable in any
/// browser history.
pub const DEFAULT_QUICK_EXIT_URL: &str = "https://www.google.com/search?q=%D0%BF%D0%BE%D0%B3%D0%BE%D0%B4%D0%B0";

#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Mark cookies `Secure`: set when the platform is reached over TLS (directly or through a
    /// terminating proxy). Onion services are plain HTTP to the browser and leave it off.
    pub secure_cookies: bool,
    /// Greeting for a new web conversation, per language, used only when the shipped flows do
    /// not load (the intake greets otherwise); a language without one uses `chat-greeting`.
    pub greetings: BTreeMap<Language, String>,
    /// Sent when an applicant's flow expires (24 hours without an answer), per language; a
    /// language without one uses the shipped text (`chat-flow-expired`).
    pub flow_expired_messages: BTreeMap<Language, String>,
    /// A console session ends after this long without a request from its user (30 minutes).
    pub staff_idle_timeout: Duration,
    /// A console session ends this long after login however busy it is (12 hours: one shift).
    pub staff_session_max: Duration,
    /// How long an account stays locked after five failed logins in a row (15 minutes).
    pub lockout: Duration,
    /// The neutral page the chat's quick-exit button leaves for (`http(s)://` only; anything
    /// else falls back to [`DEFAULT_QUICK_EXIT_URL`]).
    pub quick_exit_url: String,
    /// The hosts (names or IP addresses, as written in a URL) that webhooks of flows may reach,
    /// when an administrator allowed `call_webhook` for their file. Empty (the default): every
    /// webhook call fails as a connection error and its flow takes the Failure exit.
    pub flow_webhook_hosts: Vec<String>,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            secure_cookies: false,
            greetings: BTreeMap::new(),
            flow_expired_messages: BTreeMap::new(),
            staff_idle_timeout: Duration::from_secs(30 * 60),
            staff_session_max: Duration::from_secs(12 * 60 * 60),
            lockout: Duration::from_secs(15 * 60),
            quick_exit_url: DEFAULT_QUICK_EXIT_URL.to_owned(),
            flow_webhook_hosts: Vec::new(),
        }
    }
}
