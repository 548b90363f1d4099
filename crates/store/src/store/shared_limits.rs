//! Limits that must hold however many app nodes share the database: kept in it, so N nodes
//! cannot multiply them. A TOTP code opens one session; a conversation's codename attempts;
//! paced work (the slow codename hashes) in one line across every node.

use std::time::Duration;

use safepassage_domain::{ConversationId, UserId};

use super::Store;
use crate::error::StoreError;
use crate::ops::Op;

impl Store {
    /// Takes the TOTP time step `step` for `user`: true if it is newer than any step the
    /// account used before, on any node; false for a replayed code.
    pub async fn claim_totp_step(&self, user: UserId, step: u64) -> Result<bool, StoreError> {
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        match self.submit(vec![Op::ClaimTotpStep { user, step }], Vec::new()).await {
            Ok(_) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Spends one of a conversation's codename attempts (`burst` of them, one back every
    /// `every`): false when none is left.
    pub async fn claim_codename_attempt(
        &self,
        conversation: ConversationId,
        burst: u32,
        every: Duration,
    ) -> Result<bool, StoreError> {
        let every_ms = i64::try_from(every.as_millis()).unwrap_or(i64::MAX / 4);
        let op = Op::ClaimCodenameAttempt { conversation, every_ms, burst: i64::from(burst) };
        match self.submit(vec![op], Vec::new()).await {
            Ok(_) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Reserves the next turn of the shared pacer `name` (bursts of `burst`, then one every
    /// `every`) and says how long to wait for it. Turns are handed out in arrival order across
    /// every node.
    pub async fn pace(&self, name: &str, burst: u32, every: Duration) -> Result<Duration, StoreError> {
        let every_ms = i64::try_from(every.as_millis()).unwrap_or(i64::MAX / 4);
        let wait = self.backend.pace(name, every_ms, i64::from(burst)).await?;
        Ok(Duration::from_millis(u64::try_from(wait).unwrap_or(0)))
    }
}
