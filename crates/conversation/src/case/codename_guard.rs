//! "I have a codename", in any channel: a returning applicant joins this conversation to their case. Guesses are
//! limited per conversation; across everyone only the slow hashing is paced, never refused, so a
//! flood of wrong guesses delays a correct codename but cannot make it fail. Every failure looks
//! the same. The design and its arithmetic are in ARCHITECTURE.md ("Codename guesses").

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use safepassage_domain::{Codename, ConversationId};
use safepassage_store::{ConversationView, StoreError};
use tokio::sync::Semaphore;

use crate::Conversations;

/// Attempts one conversation may make: 5 per 15 minutes (one back every 3 minutes).
const PER_CONVERSATION_BURST: u32 = 5;
const PER_CONVERSATION_PERIOD: Duration = Duration::from_secs(180);
/// Slow hashes running at once on this node (one per core of the reference machine).
const HASHERS: usize = 2;
/// The pacer every node takes its turns from.
const PACER: &str = "codename_hashes";

/// What the applicant is told. There is deliberately no "unknown" or "try later": a refusal
/// says nothing about whether the codename exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Joined,
    Refused,
}

impl Outcome {
    fn of(joined: bool) -> Outcome {
        if joined {
            Outcome::Joined
        } else {
            Outcome::Refused
        }
    }
}

/// The limits; cloned cheaply into every handler. The budgets live in the store, so they hold
/// across nodes: each conversation's attempts (a column of its row) and the pace of the slow
/// hashes (one shared pacer). The line to this node's hashers is per node.
#[derive(Clone)]
pub struct CodenameGuard {
    inner: Arc<Limits>,
}

struct Limits {
    /// A conversation's budget: `burst` attempts, one back every `every`.
    per_conversation: (u32, Duration),
    /// The pace of hashes across everyone: bursts of `burst`, then one every `every`.
    pace: (u32, Duration),
    /// Conversations with an attempt waiting or hashing here: one at a time each, so the line
    /// holds at most one attempt per conversation.
    in_line: Mutex<HashSet<ConversationId>>,
    /// The line to the hashers, first come first served (tokio's semaphore is fair).
    line: Semaphore,
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
        CodenameGuard::with_budgets((PER_CONVERSATION_BURST, PER_CONVERSATION_PERIOD), (burst, every))
    }

    fn with_budgets(per_conversation: (u32, Duration), pace: (u32, Duration)) -> CodenameGuard {
        CodenameGuard {
            inner: Arc::new(Limits {
                per_conversation,
                pace,
                in_line: Mutex::new(HashSet::new()),
                line: Semaphore::new(HASHERS),
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
        let Some((codename, _turn)) = self.turn(core, conversation, input).await? else {
            return Ok(Outcome::Refused);
        };
        Ok(Outcome::of(core.applicant_joins_by_codename(conversation, &codename).await?))
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
        let Some((codename, _turn)) = self.turn(core, conversation, input).await? else {
            return Ok(Outcome::Refused);
        };
        Ok(Outcome::of(core.join_case_by_codename(conversation, &codename).await?))
    }

    /// The codename in `input` and this conversation's turn to hash it (held until the attempt
    /// ends), once the limits allow; None when refused.
    async fn turn(
        &self,
        core: &Conversations,
        conversation: &ConversationView,
        input: &str,
    ) -> Result<Option<(Codename, Turn<'_>)>, StoreError> {
        let Ok(codename) = Codename::parse(input) else { return Ok(None) };
        let Some(in_line) = self.admit(core, conversation.id).await? else {
            tracing::info!("codename attempt refused by the conversation's limit");
            return Ok(None);
        };
        let limits = &self.inner;
        let Ok(hasher) = limits.line.acquire().await else { return Ok(None) };
        let (burst, every) = limits.pace;
        let wait = core.store.pace(PACER, burst, every).await?;
        tokio::time::sleep(wait).await;
        Ok(Some((codename, Turn { _in_line: in_line, _hasher: hasher })))
    }

    /// Puts the conversation in the line and spends one of its attempts; None when it already
    /// has an attempt in the line or its budget is spent.
    async fn admit(
        &self,
        core: &Conversations,
        conversation: ConversationId,
    ) -> Result<Option<InLine<'_>>, StoreError> {
        let limits = &*self.inner;
        // The guard is made only once the set is unlocked: its drop locks the set again.
        let inserted = limits.in_line.lock().unwrap_or_else(|p| p.into_inner()).insert(conversation);
        if !inserted {
            return Ok(None);
        }
        let in_line = InLine { limits, conversation };
        let (burst, every) = limits.per_conversation;
        Ok(core.store.claim_codename_attempt(conversation, burst, every).await?.then_some(in_line))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use safepassage_domain::{Channel, Language};

    /// A core over a fresh SQLite store (the budgets live in it).
    async fn core() -> (Conversations, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("guard.db").display());
        let key = safepassage_keys::MasterKey::generate().to_hex();
        let mut config = safepassage_store::StoreConfig::new(url, safepassage_store::KeySource::Hex(key));
        config.fast_codename_hash = true;
        let store = safepassage_store::Store::open(config).await.unwrap();
        let i18n = Arc::new(crate::I18n::load(&[]));
        (Conversations::new(store, crate::Settings::default(), i18n), dir)
    }

    async fn conversation(core: &Conversations) -> ConversationId {
        core.store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap().id
    }

    async fn admitted(guard: &CodenameGuard, core: &Conversations, conversation: ConversationId) -> bool {
        guard.admit(core, conversation).await.unwrap().is_some()
    }

    #[tokio::test]
    async fn each_conversation_has_its_own_budget() {
        let (core, _dir) = core().await;
        let guard = CodenameGuard::with_budgets((3, Duration::from_secs(3600)), (100, Duration::from_secs(3600)));
        let (a, b) = (conversation(&core).await, conversation(&core).await);
        for _ in 0..3 {
            assert!(admitted(&guard, &core, a).await);
        }
        assert!(!admitted(&guard, &core, a).await, "the fourth attempt within the hour is refused");
        assert!(admitted(&guard, &core, b).await, "another conversation is not affected");
        // The budget is the store's: another node's guard (a second guard here) sees it spent.
        let other_node = CodenameGuard::with_budgets((3, Duration::from_secs(3600)), (100, Duration::from_secs(3600)));
        assert!(!admitted(&other_node, &core, a).await);
    }

    #[tokio::test]
    async fn a_conversation_has_one_attempt_in_the_line_at_a_time() {
        let (core, _dir) = core().await;
        let guard = CodenameGuard::with_budgets((5, Duration::from_secs(3600)), (100, Duration::from_secs(3600)));
        let a = conversation(&core).await;
        let first = guard.admit(&core, a).await.unwrap().unwrap();
        assert!(!admitted(&guard, &core, a).await, "a second attempt while the first waits is refused");
        drop(first);
        assert!(admitted(&guard, &core, a).await);
    }

    #[tokio::test]
    async fn the_shipped_budget_is_five_per_quarter_hour() {
        let (core, _dir) = core().await;
        let guard = CodenameGuard::new(20, Duration::from_millis(100));
        let a = conversation(&core).await;
        for _ in 0..5 {
            assert!(admitted(&guard, &core, a).await);
        }
        assert!(!admitted(&guard, &core, a).await);
        // Many fresh conversations are each admitted: nothing global refuses.
        for _ in 0..50 {
            let fresh = conversation(&core).await;
            assert!(admitted(&guard, &core, fresh).await);
        }
    }
}
