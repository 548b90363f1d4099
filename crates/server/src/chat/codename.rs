//! "I have a codename": a returning applicant joins this conversation to their case. Guesses are
//! limited per conversation and across everyone, in memory, and every failure looks the same.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};
use safepassage_domain::{Codename, ConversationId};
use safepassage_store::{ConversationView, StoreError};

use crate::AppState;

/// Attempts one conversation may make: 5 per 15 minutes (one back every 3 minutes).
const PER_CONVERSATION_BURST: u32 = 5;
const PER_CONVERSATION_PERIOD: Duration = Duration::from_secs(180);
/// Attempts across all conversations: 60 per minute. This is what stops enumeration from many
/// fresh conversations; a real applicant rarely meets it.
const GLOBAL_BURST: u32 = 60;
const GLOBAL_PERIOD: Duration = Duration::from_secs(1);
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
    per_conversation: DefaultKeyedRateLimiter<ConversationId>,
    global: DefaultDirectRateLimiter,
    attempts: AtomicU32,
}

impl Default for CodenameGuard {
    fn default() -> CodenameGuard {
        CodenameGuard::with_quotas(
            quota(PER_CONVERSATION_BURST, PER_CONVERSATION_PERIOD),
            quota(GLOBAL_BURST, GLOBAL_PERIOD),
        )
    }
}

fn quota(burst: u32, one_back_every: Duration) -> Quota {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(one_back_every).unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN)).allow_burst(burst)
}

impl CodenameGuard {
    fn with_quotas(per_conversation: Quota, global: Quota) -> CodenameGuard {
        CodenameGuard {
            inner: Arc::new(Limits {
                per_conversation: RateLimiter::keyed(per_conversation),
                global: RateLimiter::direct(global),
                attempts: AtomicU32::new(0),
            }),
        }
    }

    /// Tries `input` for `conversation`. Malformed input is refused before any limit is spent
    /// (it costs nothing to check and reveals nothing); a well-formed codename spends one attempt
    /// of the conversation and one of everyone's before the slow hash runs, so that the limits
    /// also bound the Argon2 work an attacker can cause.
    pub async fn attempt(
        &self,
        state: &AppState,
        conversation: &ConversationView,
        input: &str,
    ) -> Result<Outcome, StoreError> {
        let Ok(codename) = Codename::parse(input) else { return Ok(Outcome::Refused) };
        if !self.admit(conversation.id) {
            tracing::info!("codename attempt refused by the rate limit");
            return Ok(Outcome::Refused);
        }
        match state.applicant_joins_by_codename(conversation, &codename).await? {
            true => Ok(Outcome::Joined),
            false => Ok(Outcome::Refused),
        }
    }

    /// Spends one attempt of the conversation, then one of everyone's.
    fn admit(&self, conversation: ConversationId) -> bool {
        let limits = &self.inner;
        if limits.attempts.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            limits.per_conversation.retain_recent();
            limits.per_conversation.shrink_to_fit();
        }
        limits.per_conversation.check_key(&conversation).is_ok() && limits.global.check().is_ok()
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
        assert!((0..3).all(|_| guard.admit(a)));
        assert!(!guard.admit(a), "the fourth attempt within the hour is refused");
        assert!(guard.admit(b), "another conversation is not affected");
    }

    #[test]
    fn everyone_shares_the_global_budget() {
        let guard =
            CodenameGuard::with_quotas(quota(3, Duration::from_secs(3600)), quota(4, Duration::from_secs(3600)));
        let (a, b) = (conversation(), conversation());
        assert!((0..3).all(|_| guard.admit(a)));
        assert!(guard.admit(b));
        assert!(!guard.admit(b), "the global budget is spent, even for a fresh conversation");
        assert!(!guard.admit(conversation()));
    }

    #[test]
    fn the_shipped_limits_are_five_per_quarter_hour_and_sixty_per_minute() {
        let guard = CodenameGuard::default();
        let a = conversation();
        assert!((0..5).all(|_| guard.admit(a)));
        assert!(!guard.admit(a));
        for _ in 0..11 {
            let c = conversation();
            assert!((0..5).all(|_| guard.admit(c)));
        }
        assert!(!guard.admit(conversation()), "the sixty-first attempt within the minute is refused");
    }
}
