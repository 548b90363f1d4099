//! Settings of the HTTP layer.

use std::collections::BTreeMap;
use std::str::FromStr;
use std::time::Duration;

use safepassage_domain::Language;

/// Where quick-exit leads unless configured: an ordinary weather search in the page's language,
/// unremarkable in any browser history.
pub fn default_quick_exit_url(language: Language) -> &'static str {
    match language {
        Language::Ru => "https://www.google.com/search?hl=ru&q=%D0%BF%D0%BE%D0%B3%D0%BE%D0%B4%D0%B0",
        Language::Uk => "https://www.google.com/search?hl=uk&q=%D0%BF%D0%BE%D0%B3%D0%BE%D0%B4%D0%B0",
        Language::En => "https://www.google.com/search?hl=en&q=weather",
    }
}

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
    /// The neutral page the chat's quick-exit button leaves for, for every language
    /// (`http(s)://` only; anything else falls back to the defaults).
    pub quick_exit_url: Option<String>,
    /// The neutral page per language; wins over `quick_exit_url`. A language with neither
    /// leaves for [`default_quick_exit_url`].
    pub quick_exit_urls: BTreeMap<Language, String>,
    /// The hosts (names or IP addresses, as written in a URL, each optionally with `:port`) that
    /// webhooks of flows may reach, when an administrator allowed `call_webhook` for their file:
    /// on ports 80 and 443, or the port listed; a name only where it resolves to a public
    /// address or to an address listed itself. Empty (the default): every webhook call fails
    /// as a connection error and its flow takes the Failure exit.
    pub flow_webhook_hosts: Vec<String>,
    /// New web conversations, across everyone: there is no identity before a conversation
    /// exists, and addresses are never used. Generous, so that a real wave of applicants passes
    /// (100 a second, bursts of 1,000); `None`: no limit.
    pub new_chat_limit: Option<RateLimit>,
    /// Applicant messages per conversation, the web chat's channel identity (30 a minute, one
    /// every 2 s, bursts of 20: a person types far slower); `None`: no limit.
    pub chat_message_limit: Option<RateLimit>,
    /// Memory for staff password hashing (Argon2id, 19 MiB each): `budget / 19` logins may be
    /// hashing or waiting at once, the next is answered 503 with Retry-After (256 MiB: 13).
    pub login_hash_budget_mib: usize,
    /// Every refused login is answered this long after it arrived, whatever failed and whether
    /// the account exists (longer than the slowest refusal takes; 500 ms).
    pub login_refusal_time: Duration,
    /// A web chat's token stops working once nothing was written in its conversation (by anyone)
    /// for this long (12 hours); the applicant comes back with their codename.
    pub chat_idle: Duration,
    /// A case's newest location report older than this is marked stale (72 hours).
    pub location_stale: Duration,
    /// Codename checks (slow keyed hashes) across everyone: paced to this rate, first come first
    /// served; an attempt over it waits, it is never refused (10 a second, bursts of 20).
    pub codename_hashes: RateLimit,
    /// How the screening signals are looked for (`/console/signals`).
    pub signals: safepassage_store::SignalSettings,
    /// How long closed cases, exited cases and conversations that never became a case are
    /// kept before the retention timer crypto-shreds them (180, 730 and 30 days).
    pub retention: safepassage_store::RetentionPolicy,
    /// How long an open case waits for the applicant's next contact, per state, unless its
    /// holder sets a date (registered 30 days, deployed 3, located 1, ...).
    pub contact_defaults: safepassage_domain::ContactDefaults,
    /// The Telegram bots the platform answers as (none by default).
    pub telegram: Vec<crate::channels::telegram::settings::TelegramBot>,
    /// The phone lines the platform answers calls on (none by default).
    pub voice: Vec<crate::channels::voice::settings::VoiceLine>,
    /// What the figures publish, and how they are protected.
    pub figures: FiguresSettings,
}

/// The public figures and their disclosure control (DESIGN.md, "Public figures").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FiguresSettings {
    /// Serve `/figures` and `/figures.json` on the public listener (off by default).
    pub public: bool,
    /// Counts under this are suppressed (with complementary suppression) wherever disclosure
    /// control applies (10).
    pub threshold: u64,
    /// Exits, and moves that could reveal when an operation happened, are shown only by month
    /// and only once the month ended this many days ago (30).
    pub publish_after_days: i32,
}

impl Default for FiguresSettings {
    fn default() -> FiguresSettings {
        FiguresSettings { public: false, threshold: 10, publish_after_days: 30 }
    }
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
            quick_exit_url: None,
            quick_exit_urls: BTreeMap::new(),
            flow_webhook_hosts: Vec::new(),
            new_chat_limit: Some(RateLimit { count: 100, per: Duration::from_secs(1), burst: 1000 }),
            chat_message_limit: Some(RateLimit { count: 30, per: Duration::from_secs(60), burst: 20 }),
            login_hash_budget_mib: 256,
            login_refusal_time: Duration::from_millis(500),
            chat_idle: Duration::from_secs(12 * 60 * 60),
            location_stale: Duration::from_secs(72 * 60 * 60),
            codename_hashes: RateLimit { count: 10, per: Duration::from_secs(1), burst: 20 },
            signals: safepassage_store::SignalSettings::default(),
            retention: safepassage_store::RetentionPolicy::default(),
            contact_defaults: safepassage_domain::ContactDefaults::default(),
            telegram: Vec::new(),
            voice: Vec::new(),
            figures: FiguresSettings::default(),
        }
    }
}

impl ServerConfig {
    /// What the conversation core needs of these settings.
    pub fn conversation_settings(&self) -> safepassage_conversation::Settings {
        safepassage_conversation::Settings {
            greetings: self.greetings.clone(),
            flow_expired_messages: self.flow_expired_messages.clone(),
            flow_webhook_hosts: self.flow_webhook_hosts.clone(),
            chat_idle: self.chat_idle,
            codename_hash_burst: self.codename_hashes.burst,
            codename_hash_every: self.codename_hashes.one_back_every(),
        }
    }

    /// The neutral page quick exit leaves for, in `language`: the language's own setting, the
    /// one for every language, or a weather search in that language.
    pub fn quick_exit_url(&self, language: Language) -> &str {
        let neutral = |url: &&String| url.starts_with("https://") || url.starts_with("http://");
        self.quick_exit_urls
            .get(&language)
            .filter(neutral)
            .or(self.quick_exit_url.as_ref().filter(neutral))
            .map_or(default_quick_exit_url(language), String::as_str)
    }
}

/// A rate limit: `count` per `per` on average, up to `burst` at once. Written `100/s,1000`
/// (`/s`, `/min` or `/h`; the burst after the comma, the count when left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub count: u32,
    pub per: Duration,
    pub burst: u32,
}

impl RateLimit {
    /// One more is allowed every this long, once the burst is spent.
    pub fn one_back_every(&self) -> Duration {
        self.per / self.count.max(1)
    }
}

impl FromStr for RateLimit {
    type Err = String;

    fn from_str(s: &str) -> Result<RateLimit, String> {
        let wrong = || format!("'{s}' is not a rate limit (write e.g. 100/s,1000 or 30/min,20)");
        let (rate, burst) = match s.trim().split_once(',') {
            Some((rate, burst)) => (rate.trim(), Some(burst.trim())),
            None => (s.trim(), None),
        };
        let (count, unit) = rate.split_once('/').ok_or_else(wrong)?;
        let count: u32 = count.trim().parse().map_err(|_| wrong())?;
        let per = match unit.trim() {
            "s" => Duration::from_secs(1),
            "min" => Duration::from_secs(60),
            "h" => Duration::from_secs(3600),
            _ => return Err(wrong()),
        };
        let burst = match burst {
            Some(b) => b.parse().map_err(|_| wrong())?,
            None => count,
        };
        if count == 0 || burst == 0 {
            return Err(format!("'{s}': a rate limit allows at least one (write off for no limit)"));
        }
        Ok(RateLimit { count, per, burst })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quick_exit_leads_to_the_languages_own_page() {
        let mut config = ServerConfig::default();
        assert!(config.quick_exit_url(Language::En).ends_with("q=weather"));
        assert!(config.quick_exit_url(Language::Uk).contains("hl=uk"));
        config.quick_exit_url = Some("https://example.org/".into());
        config.quick_exit_urls.insert(Language::Uk, "https://example.org/uk".into());
        config.quick_exit_urls.insert(Language::En, "javascript:alert(1)".into());
        assert_eq!(config.quick_exit_url(Language::Uk), "https://example.org/uk");
        assert_eq!(config.quick_exit_url(Language::Ru), "https://example.org/");
        assert_eq!(config.quick_exit_url(Language::En), "https://example.org/", "not a neutral page");
    }

    #[test]
    fn rate_limits_are_read_as_written() {
        let limit: RateLimit = "100/s,1000".parse().unwrap();
        assert_eq!(limit, RateLimit { count: 100, per: Duration::from_secs(1), burst: 1000 });
        assert_eq!(limit.one_back_every(), Duration::from_millis(10));
        let limit: RateLimit = " 30/min , 20 ".parse().unwrap();
        assert_eq!(limit.one_back_every(), Duration::from_secs(2));
        assert_eq!("5/h".parse::<RateLimit>().unwrap().burst, 5);
        for wrong in ["", "100", "100/d", "0/s", "10/s,0", "x/s", "10/s,", "-1/s"] {
            assert!(wrong.parse::<RateLimit>().is_err(), "{wrong}");
        }
    }
}
