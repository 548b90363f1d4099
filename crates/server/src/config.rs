//! Settings of the HTTP layer.

use std::collections::BTreeMap;
use std::str::FromStr;
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
            new_chat_limit: Some(RateLimit { count: 100, per: Duration::from_secs(1), burst: 1000 }),
            chat_message_limit: Some(RateLimit { count: 30, per: Duration::from_secs(60), burst: 20 }),
            login_hash_budget_mib: 256,
            login_refusal_time: Duration::from_millis(500),
        }
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
