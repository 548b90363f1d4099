//! Retention: how long closed cases, exited cases and conversations that never became a case
//! are kept, and the timer's work that crypto-shreds them once that time is over. What figures
//! need stays: every row and event remains (states, times, counts); only the keys, and with
//! them every content, are destroyed. Each automatic shred is its own audit event, with
//! `retention_ended` as the reason and no user.

use std::time::Duration;

use safepassage_domain::{CaseState, ConversationId, Event, ShredReason};
use uuid::Uuid;

use super::shreds::Shredded;
use super::Store;
use crate::error::StoreError;
use crate::ops::Op;

/// At most this many of each kind are shredded per run; the next run takes the rest.
const BATCH: i64 = 500;

/// How long things are kept after they were last changed; `None` keeps them forever (a
/// setting of 0 days).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Closed cases (withdrawn, duplicate, provocation...): 180 days after closing.
    pub closed: Option<Duration>,
    /// Exited cases: 730 days after the last change, leaving time for the outcome (exchange,
    /// staying) that comes long after the crossing.
    pub exited: Option<Duration>,
    /// Conversations that never became a case, nobody holds, with no message for 30 days.
    pub caseless: Option<Duration>,
}

impl RetentionPolicy {
    /// A policy from settings in days, 0 meaning "keep forever".
    pub fn from_days(closed: u64, exited: u64, caseless: u64) -> RetentionPolicy {
        let days = |d: u64| (d > 0).then(|| Duration::from_secs(d.saturating_mul(86_400)));
        RetentionPolicy { closed: days(closed), exited: days(exited), caseless: days(caseless) }
    }

    /// Nothing is ever shredded by the timer.
    pub fn keep_forever() -> RetentionPolicy {
        RetentionPolicy { closed: None, exited: None, caseless: None }
    }
}

impl Default for RetentionPolicy {
    fn default() -> RetentionPolicy {
        RetentionPolicy::from_days(180, 730, 30)
    }
}

/// What one run shredded: counts only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionReport {
    pub closed_cases: usize,
    pub exited_cases: usize,
    pub conversations: usize,
}

fn before(now_ms: i64, keep: Duration) -> i64 {
    now_ms.saturating_sub(i64::try_from(keep.as_millis()).unwrap_or(i64::MAX))
}

impl Store {
    /// The retention timer's work, as of `now_ms`: shreds what the policy no longer keeps, one
    /// job (and one event) each, so that a case or conversation that changed meanwhile is
    /// refused by its guard and simply left for later.
    pub async fn run_retention(&self, policy: &RetentionPolicy, now_ms: i64) -> Result<RetentionReport, StoreError> {
        let mut report = RetentionReport::default();
        for (state, keep, count) in [
            (CaseState::Closed, policy.closed, &mut report.closed_cases),
            (CaseState::Exited, policy.exited, &mut report.exited_cases),
        ] {
            let Some(keep) = keep else { continue };
            for case in self.backend.cases_idle_in(state, before(now_ms, keep), BATCH).await? {
                match self.shred_case_as(case, None, ShredReason::RetentionEnded).await {
                    Ok(()) => *count += 1,
                    Err(StoreError::Conflict(why)) => tracing::info!(%case, why, "retention: case left for later"),
                    Err(e) => return Err(e),
                }
            }
        }
        if let Some(keep) = policy.caseless {
            let idle_before_ms = before(now_ms, keep);
            let mut shredded = Vec::new();
            for conversation in self.backend.idle_caseless_conversations(idle_before_ms, BATCH).await? {
                match self.shred_conversation(conversation, idle_before_ms).await {
                    Ok(()) => shredded.push(conversation),
                    Err(StoreError::Conflict(why)) => {
                        tracing::info!(%conversation, why, "retention: conversation left for later")
                    }
                    Err(e) => return Err(e),
                }
            }
            report.conversations = shredded.len();
            if !shredded.is_empty() {
                // Drop the unwrapped keys this process holds, and tell the caches; a
                // conversation without a case is sent with the nil case id.
                // Other processes hear of it from `conversations.shredded_seq` (shreds.rs).
                self.keys.forget_all();
                let _ = self
                    .shreds
                    .sender
                    .send(Shredded { case: safepassage_domain::CaseId(Uuid::nil()), conversations: shredded });
            }
        }
        Ok(report)
    }

    /// Crypto-shreds a conversation that never became a case and had no message since
    /// `idle_before_ms`, by the retention timer.
    async fn shred_conversation(&self, conversation: ConversationId, idle_before_ms: i64) -> Result<(), StoreError> {
        let op = Op::ShredConversation { conversation, idle_before_ms, event_index: 0 };
        let event = Event::ConversationShredded { conversation, by: None, reason: ShredReason::RetentionEnded };
        self.submit(vec![op], vec![event]).await?;
        Ok(())
    }
}
