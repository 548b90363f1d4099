//! Admission against floods: new conversations across everyone (there is no identity before a
//! conversation exists, and addresses are never used), and applicant messages per conversation.
//! In memory only; nothing records who was refused, only how many refusals of each kind.
//! With several app nodes on one database each node takes its share: every admission spends as
//! many cells of the limit as there are nodes alive, so N nodes together admit what one would
//! (exactly so for new conversations when the load balancer spreads them evenly; a
//! conversation whose requests all reach one node gets 1/N of its budget there).

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, InsufficientCapacity, NotUntil, Quota, RateLimiter};
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

/// The limiters' clock's instants.
type Instant = <DefaultClock as Clock>::Instant;

/// How many app nodes share the limits (the store's count of nodes alive).
pub type NodeCount = Arc<dyn Fn() -> usize + Send + Sync>;

/// The limiters; cloned cheaply into every handler.
#[derive(Clone)]
pub struct FloodGuard {
    inner: Arc<Limits>,
    nodes: NodeCount,
}

struct Limits {
    /// Each limiter with its burst (the most one admission may spend).
    new_chats: Option<(DefaultDirectRateLimiter, u32)>,
    messages: Option<(DefaultKeyedRateLimiter<ConversationId>, u32)>,
    checks: AtomicU32,
}

fn quota(limit: RateLimit) -> Quota {
    let burst = NonZeroU32::new(limit.burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(limit.one_back_every()).unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX)).allow_burst(burst)
}

/// The cells one admission spends: one per node alive, at most the whole burst.
fn cells(nodes: usize, burst: u32) -> NonZeroU32 {
    let nodes = u32::try_from(nodes).unwrap_or(u32::MAX);
    NonZeroU32::new(nodes.min(burst)).unwrap_or(NonZeroU32::MIN)
}

impl FloodGuard {
    pub fn new(config: &ServerConfig, nodes: NodeCount) -> FloodGuard {
        FloodGuard {
            nodes,
            inner: Arc::new(Limits {
                new_chats: config.new_chat_limit.map(|l| (RateLimiter::direct(quota(l)), l.burst)),
                messages: config.chat_message_limit.map(|l| (RateLimiter::keyed(quota(l)), l.burst)),
                checks: AtomicU32::new(0),
            }),
        }
    }

    /// Spends one new conversation of everyone's (this node's share of it).
    pub fn admit_new_chat(&self) -> Result<(), Busy> {
        let Some((limiter, burst)) = &self.inner.new_chats else { return Ok(()) };
        let spent = limiter.check_n(cells((self.nodes)(), *burst));
        refused_after(spent, || limiter.clock().now()).inspect_err(|_| {
            REFUSED_NEW_CHATS.fetch_add(1, Ordering::Relaxed);
        })
    }

    /// Spends one message of the conversation's budget (this node's share of it).
    pub fn admit_message(&self, conversation: ConversationId) -> Result<(), Busy> {
        let limits = &self.inner;
        let Some((limiter, burst)) = &limits.messages else { return Ok(()) };
        if limits.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
        let spent = limiter.check_key_n(&conversation, cells((self.nodes)(), *burst));
        refused_after(spent, || limiter.clock().now()).inspect_err(|_| {
            REFUSED_MESSAGES.fetch_add(1, Ordering::Relaxed);
        })
    }
}

/// A limiter's answer as an admission: refused until the time it names.
fn refused_after(
    spent: Result<Result<(), NotUntil<Instant>>, InsufficientCapacity>,
    now: impl FnOnce() -> Instant,
) -> Result<(), Busy> {
    match spent {
        Ok(Ok(())) => Ok(()),
        Ok(Err(not_until)) => Err(Busy { retry_after: not_until.wait_time_from(now()) }),
        // Never asked for more than the burst; were it so, a second is a calm answer.
        Err(_) => Err(Busy { retry_after: Duration::from_secs(1) }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conversation() -> ConversationId {
        ConversationId(uuid::Uuid::now_v7())
    }

    fn guard(new_chats: Option<&str>, messages: Option<&str>) -> FloodGuard {
        guard_on_nodes(new_chats, messages, 1)
    }

    fn guard_on_nodes(new_chats: Option<&str>, messages: Option<&str>, nodes: usize) -> FloodGuard {
        let config = ServerConfig {
            new_chat_limit: new_chats.map(|s| s.parse().unwrap()),
            chat_message_limit: messages.map(|s| s.parse().unwrap()),
            ..ServerConfig::default()
        };
        FloodGuard::new(&config, Arc::new(move || nodes))
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
    fn nodes_share_the_limits_instead_of_multiplying_them() {
        // Three nodes alive: each admits a third of the burst, so together they admit one burst.
        let guard = guard_on_nodes(Some("1/h,9"), Some("1/h,6"), 3);
        assert_eq!((0..10).filter(|_| guard.admit_new_chat().is_ok()).count(), 3);
        let a = conversation();
        assert_eq!((0..10).filter(|_| guard.admit_message(a).is_ok()).count(), 2);
        // More nodes than the burst: each admission spends the whole burst, never more.
        let guard = guard_on_nodes(Some("1/h,2"), None, 5);
        assert_eq!((0..10).filter(|_| guard.admit_new_chat().is_ok()).count(), 1);
    }

    #[test]
    fn no_limit_when_off() {
        let guard = guard(None, None);
        let a = conversation();
        assert!((0..10_000).all(|_| guard.admit_new_chat().is_ok() && guard.admit_message(a).is_ok()));
    }

    #[test]
    fn the_shipped_message_limit_is_a_burst_of_twenty() {
        let guard = FloodGuard::new(&ServerConfig::default(), Arc::new(|| 1));
        let a = conversation();
        assert!((0..20).all(|_| guard.admit_message(a).is_ok()));
        let busy = guard.admit_message(a).unwrap_err();
        assert!(busy.retry_after <= Duration::from_secs(2));
        assert!((0..1000).all(|_| guard.admit_new_chat().is_ok()));
    }
}
