//! Telegram's sending limits, kept on our side so that flood control (429) is the exception.
//!
//! Telegram's FAQ: about 30 messages a second overall, and no more than about one message a
//! second in one chat (<https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this>).
//! Groups have a further 20 messages a minute; the hotline talks in private chats.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota};

/// How many checks pass between two sweeps of idle chats from the per-chat limiter, which
/// otherwise keeps one entry for every chat ever written to.
const SWEEP_EVERY: u64 = 1024;

/// The overall and per-chat sending rates, shared by every sender of one bot.
pub struct SendLimits {
    overall: DefaultDirectRateLimiter,
    per_chat: DefaultKeyedRateLimiter<i64>,
    clock: DefaultClock,
    checks: AtomicU64,
}

impl std::fmt::Debug for SendLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SendLimits").field("chats_tracked", &self.per_chat.len()).finish()
    }
}

impl Default for SendLimits {
    /// Telegram's limits: 30 messages a second overall, one a second per chat.
    fn default() -> Self {
        Self::new(NonZeroU32::MIN.saturating_add(29), Duration::from_secs(1))
    }
}

impl SendLimits {
    /// Up to `overall_per_second` messages a second in all (in bursts of as many), and one
    /// message per `per_chat_interval` in any one chat (no burst: Telegram counts closely).
    /// A zero interval is taken as one millisecond.
    pub fn new(overall_per_second: NonZeroU32, per_chat_interval: Duration) -> Self {
        let interval = per_chat_interval.max(Duration::from_millis(1));
        let per_chat_quota = Quota::with_period(interval).unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN));
        Self {
            overall: DefaultDirectRateLimiter::direct(Quota::per_second(overall_per_second)),
            per_chat: DefaultKeyedRateLimiter::keyed(per_chat_quota),
            clock: DefaultClock::default(),
            checks: AtomicU64::new(0),
        }
    }

    /// Takes one send for `chat_id` now, or says how long to wait before asking again.
    ///
    /// The chat is checked before the overall rate, so a chat that must wait does not use up
    /// the bot's overall budget; when the overall rate refuses, the chat's turn is spent and
    /// the caller waits the longer of the two, a small cost under load only.
    pub fn check(&self, chat_id: i64) -> Result<(), Duration> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.per_chat.retain_recent();
        }
        let now = self.clock.now();
        self.per_chat.check_key(&chat_id).map_err(|not_until| not_until.wait_time_from(now))?;
        self.overall.check().map_err(|not_until| not_until.wait_time_from(now))
    }

    /// Waits until one send for `chat_id` is allowed, and takes it: first the chat's turn,
    /// then a place in the overall rate, so a busy bot does not cost a chat its turn.
    pub async fn until_ready(&self, chat_id: i64) {
        loop {
            let now = self.clock.now();
            match self.per_chat.check_key(&chat_id) {
                Ok(()) => break,
                Err(not_until) => tokio::time::sleep(not_until.wait_time_from(now)).await,
            }
        }
        loop {
            let now = self.clock.now();
            match self.overall.check() {
                Ok(()) => break,
                Err(not_until) => tokio::time::sleep(not_until.wait_time_from(now)).await,
            }
        }
    }
}
