//! What the conversation core is told by its settings (the server's configuration carries them).

use std::collections::BTreeMap;
use std::time::Duration;

use safepassage_domain::Language;

/// The core's settings; `Default` is what a new installation runs with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Greeting for a new web conversation, per language, used only when the shipped flows do
    /// not load (the intake greets otherwise); a language without one uses `chat-greeting`.
    pub greetings: BTreeMap<Language, String>,
    /// Sent when an applicant's flow expires, per language; a language without one uses the
    /// shipped text (`chat-flow-expired`).
    pub flow_expired_messages: BTreeMap<Language, String>,
    /// The hosts flow webhooks may reach (see `bot/webhook_hosts.rs`).
    pub flow_webhook_hosts: Vec<String>,
    /// A web chat's token stops working once nothing was written in its conversation for this long.
    pub chat_idle: Duration,
    /// Codename checks (slow keyed hashes) across everyone, every channel: bursts of this many…
    pub codename_hash_burst: u32,
    /// …and one more every so often (10 a second, bursts of 20, by default).
    pub codename_hash_every: Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            greetings: BTreeMap::new(),
            flow_expired_messages: BTreeMap::new(),
            flow_webhook_hosts: Vec::new(),
            chat_idle: Duration::from_secs(12 * 60 * 60),
            codename_hash_burst: 20,
            codename_hash_every: Duration::from_millis(100),
        }
    }
}
