//! "I have a codename", in any channel: a returning applicant joins this conversation to their case. Guesses are
//! limited per conversation; across everyone only the slow hashing is paced, never refused, so a
//! flood of wrong guesses delays a correct codename but cannot make it fail. Every failure looks
//! the same. The design and its arithmetic are in ARCHITECTURE.md ("Codename guesses").

use std::collections::HashSet;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use safepassage_domain::{Codename, ConversationId};
use safepassage_store::{ConversationView, StoreError};
use tokio::sync::Semaphore;

use crate::Conversations;

/// Attempts one conversation may make: 5 per 15 minutes (one back every 3 minutes).
const PER_CONVERSATION_BURST: u32 = 5;
const PER_CONVERSATION_PERIOD: Duration = Duration::from_secs(180);
/// Slow hashes running at once (one per core of the reference machine).
const HASHERS: usize = 2;
/// Forget idle conversations' limiter state every so many attempts.
const SWEEP_EVERY: u32 = 1024;

/// What the applicant is told. There is deliberately no "unknown" or "try later": a refusal
/// says nothing about whether the codename exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Joined,
    Refused,
}

/// The limiters; cloned cheaply into every handler.
#[derive(Clone)]
pub struct CodenameGuard {
    inner: Arc<Limits>,
}

struct Limits {
    /// Refuses: a conversation that spent its attempts is refused, whatever it sends.
    per_conversation: DefaultKeyedRateLimiter<ConversationId>,
    /// Conversations with an attempt waiting or hashing: one at a time each, so the line holds
    /// at most one attempt per conversation.
    in_line: Mutex<HashSet<ConversationId>>,
    /// The line to the hashers, first come first served (tokio's semaphore is fair).
    line: Semaphore,
    /// Paces hashes across everyone: an attempt at the head of the line waits for its turn.
    pace: DefaultDirectRateLimiter,
    attempts: AtomicU32,
}

fn quota(burst: u32, one_back_every: Duration) -> Quota {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(one_back_every).unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN)).allow_burst(burst)
}

/// A conversation's turn at the hashers: its place in the line and a hasher, both given back
/// when the attempt ends.
struct Turn<'a> {
    _in_line: InLine<'a>,
    _hasher: tokio::sync::SemaphorePermit<'a>,
}

/// Takes a conversation out of the line when its attempt ends, however it ends.
struct InLine<'a> {
    limits: &'a Limits,
    conversation: ConversationId,
}

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        self.limits.in_line.lock().unwrap_or_else(|p| p.into_inner()).remove(&self.conversation);
    }
}

impl CodenameGuard {
    /// The shipped per-conversation budget, and bursts of `burst` hashes with one more every
    /// `every` as the pace across everyone.
    pub fn new(burst: u32, every: Duration) -> CodenameGuard {
        CodenameGuard::with_quotas(quota(PER_CONVERSATION_BURST, PER_CONVERSATION_PERIOD), quota(burst, every))
    }

    fn with_quotas(per_conversation: Quota, pace: Quota) -> CodenameGuard {
        CodenameGuard {
            inner: Arc::new(Limits {
                per_conversation: RateLimiter::keyed(per_conversation),
                in_line: Mutex::new(HashSet::new()),
                line: Semaphore::new(HASHERS),
                pace: RateLimiter::direct(pace),
                attempts: AtomicU32::new(0),
            }),
        }
    }

    /// Tries `input` for `conversation`. Malformed input (including a wrong check digit) is
    /// refused before any limit is spent: it costs nothing to check and reveals nothing. A
    /// well-formed codename spends one attempt of the conversation, then waits its turn in the
    /// line and for the pace, and only then is hashed.
    pub async fn attempt(
        &self,
        core: &Conversations,
        conversation: &ConversationView,
        input: &str,
    ) -> Result<Outcome, StoreError> {
        let Some((codename, _turn)) = self.turn(conversation, input).await else { return Ok(Outcome::Refused) };
        match core.applicant_joins_by_codename(conversation, &codename).await? {
            true => Ok(Outcome::Joined),
            false => Ok(Outcome::Refused),
        }
    }

    /// `attempt` for a codename a flow collected (a call's keys), tried inside the flow's
    /// step: the same limits, and the conversation joins its case and is queued first, but no
    /// other flow starts (that would be a step within the step).
    pub(crate) async fn attempt_in_step(
        &self,
        core: &Conversations,
        conversation: &ConversationView,
        input: &str,
    ) -> Result<Outcome, StoreError> {
        let Some((codename, _turn)) = self.turn(conversation, input).await else { return Ok(Outcome::Refused) };
        match core.join_case_by_codename(conversation, &codename).await? {
            true => Ok(Outcome::Joined),
            false => Ok(Outcome::Refused),
        }
    }

    /// The codename in `input` and this conversation's turn to hash it (held until the attempt
    /// ends), once the limits allow; None when refused.
    async fn turn(&self, conversation: &ConversationView, input: &str) -> Option<(Codename, Turn<'_>)> {
        let codename = Codename::parse(input).ok()?;
        let Some(in_line) = self.admit(conversation.id) else {
            tracing::info!("codename attempt refused by the conversation's limit");
            return None;
        };
        let limits = &self.inner;
        let hasher = limits.line.acquire().await.ok()?;
        limits.pace.until_ready().await;
        Some((codename, Turn { _in_line: in_line, _hasher: hasher }))
    }

    /// Spends one attempt of the conversation and puts it in the line; None when its budget is
    /// spent or it already has an attempt in the line.
    fn admit(&self, conversation: ConversationId) -> Option<InLine<'_>> {
        let limits = &*self.inner;
        if limits.attempts.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            limits.per_conversation.retain_recent();
            limits.per_conversation.shrink_to_fit();
        }
        if limits.per_conversation.check_key(&conversation).is_err() {
            return None;
        }
        // The guard is made only once the set is unlocked: its drop locks the set again.
        let inserted = limits.in_line.lock().unwrap_or_else(|p| p.into_inner()).insert(conversation);
        inserted.then(|| InLine { limits, conversation })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conversation() -> ConversationId {
        ConversationId(uuid::Uuid::now_v7())
    }

    #[test]
    fn each_conversation_has_its_own_budget() {
        let guard =
            CodenameGuard::with_quotas(quota(3, Duration::from_secs(3600)), quota(100, Duration::from_secs(3600)));
        let (a, b) = (conversation(), conversation());
        assert!((0..3).all(|_| guard.admit(a).is_some()));
        assert!(guard.admit(a).is_none(), "the fourth attempt within the hour is refused");
        assert!(guard.admit(b).is_some(), "another conversation is not affected");
    }

    #[test]
    fn a_conversation_has_one_attempt_in_the_line_at_a_time() {
        let guard =
            CodenameGuard::with_quotas(quota(5, Duration::from_secs(3600)), quota(100, Duration::from_secs(3600)));
        let a = conversation();
        let first = guard.admit(a).unwrap();
        assert!(guard.admit(a).is_none(), "a second attempt while the first waits is refused");
        drop(first);
        assert!(guard.admit(a).is_some());
    }

    #[test]
    fn the_shipped_budget_is_five_per_quarter_hour() {
        let guard = CodenameGuard::new(20, Duration::from_millis(100));
        let a = conversation();
        assert!((0..5).all(|_| guard.admit(a).is_some()));
        assert!(guard.admit(a).is_none());
        // Many fresh conversations are each admitted: nothing global refuses.
        assert!((0..200).all(|_| guard.admit(conversation()).is_some()));
    }
}
