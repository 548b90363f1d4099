//! Admission against floods: new conversations across everyone (there is no identity before a
//! conversation exists, and addresses are never used), and applicant messages per conversation.
//! In memory only; nothing records who was refused, only how many refusals of each kind.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use governor::clock::Clock;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use safepassage_domain::ConversationId;

use crate::config::{RateLimit, ServerConfig};
use crate::error::ApiError;

/// Forget idle conversations' limiter state every so many messages.
const SWEEP_EVERY: u32 = 1024;

/// Refusals since the process started, by kind, for the metrics (counts only).
static REFUSED_NEW_CHATS: AtomicU64 = AtomicU64::new(0);
static REFUSED_MESSAGES: AtomicU64 = AtomicU64::new(0);

/// Refusals so far: (kind, count).
pub(crate) fn refusals() -> [(&'static str, u64); 2] {
    [("new_chat", REFUSED_NEW_CHATS.load(Ordering::Relaxed)), ("message", REFUSED_MESSAGES.load(Ordering::Relaxed))]
}

/// Refused: try again after this long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    pub retry_after: Duration,
}

impl Busy {
    pub fn new_chat_error(self) -> ApiError {
        ApiError::too_many("the line is busy; try again in a minute", self.retry_after)
    }

    pub fn message_error(self) -> ApiError {
        ApiError::too_many("too many messages at once; wait a little and send again", self.retry_after)
    }
}

/// The limiters; cloned cheaply into every handler.
#[derive(Clone)]
pub struct FloodGuard {
    inner: Arc<Limits>,
}

struct Limits {
    new_chats: Option<DefaultDirectRateLimiter>,
    messages: Option<DefaultKeyedRateLimiter<ConversationId>>,
    checks: AtomicU32,
}

fn quota(limit: RateLimit) -> Quota {
    let burst = NonZeroU32::new(limit.burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(limit.one_back_every()).unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX)).allow_burst(burst)
}

impl FloodGuard {
    pub fn new(config: &ServerConfig) -> FloodGuard {
        FloodGuard {
            inner: Arc::new(Limits {
                new_chats: config.new_chat_limit.map(|l| RateLimiter::direct(quota(l))),
                messages: config.chat_message_limit.map(|l| RateLimiter::keyed(quota(l))),
                checks: AtomicU32::new(0),
            }),
        }
    }

    /// Spends one new conversation of everyone's.
    pub fn admit_new_chat(&self) -> Result<(), Busy> {
        let Some(limiter) = &self.inner.new_chats else { return Ok(()) };
        limiter.check().map_err(|not_until| {
            REFUSED_NEW_CHATS.fetch_add(1, Ordering::Relaxed);
            Busy { retry_after: not_until.wait_time_from(limiter.clock().now()) }
        })
    }

    /// Spends one message of the conversation's budget.
    pub fn admit_message(&self, conversation: ConversationId) -> Result<(), Busy> {
        let limits = &self.inner;
        let Some(limiter) = &limits.messages else { return Ok(()) };
        if limits.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        limiter.check_key(&conversation).map_err(|not_until| {
            REFUSED_MESSAGES.fetch_add(1, Ordering::Relaxed);
            Busy { retry_after: not_until.wait_time_from(limiter.clock().now()) }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conversation() -> ConversationId {
        ConversationId(uuid::Uuid::now_v7())
    }

    fn guard(new_chats: Option<&str>, messages: Option<&str>) -> FloodGuard {
        FloodGuard::new(&ServerConfig {
            new_chat_limit: new_chats.map(|s| s.parse().unwrap()),
            chat_message_limit: messages.map(|s| s.parse().unwrap()),
            ..ServerConfig::default()
        })
    }

    #[test]
    fn new_chats_share_one_budget_and_say_when_to_come_back() {
        let guard = guard(Some("1/min,3"), None);
        assert!((0..3).all(|_| guard.admit_new_chat().is_ok()));
        let busy = guard.admit_new_chat().unwrap_err();
        assert!(busy.retry_after > Duration::from_secs(50) && busy.retry_after <= Duration::from_secs(60));
        assert_eq!(busy.new_chat_error().retry_after, Some(60));
    }

    #[test]
    fn each_conversation_has_its_own_message_budget() {
        let guard = guard(None, Some("1/h,2"));
        let (a, b) = (conversation(), conversation());
        assert!(guard.admit_message(a).is_ok() && guard.admit_message(a).is_ok());
        assert!(guard.admit_message(a).is_err());
        assert!(guard.admit_message(b).is_ok(), "another conversation is not affected");
    }

    #[test]
    fn no_limit_when_off() {
        let guard = guard(None, None);
        let a = conversation();
        assert!((0..10_000).all(|_| guard.admit_new_chat().is_ok() && guard.admit_message(a).is_ok()));
    }

    #[test]
    fn the_shipped_message_limit_is_a_burst_of_twenty() {
        let guard = FloodGuard::new(&ServerConfig::default());
        let a = conversation();
        assert!((0..20).all(|_| guard.admit_message(a).is_ok()));
        let busy = guard.admit_message(a).unwrap_err();
        assert!(busy.retry_after <= Duration::from_secs(2));
        assert!((0..1000).all(|_| guard.admit_new_chat().is_ok()));
    }
}
