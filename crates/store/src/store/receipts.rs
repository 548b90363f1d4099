//! Inbound receipts: the provider's ids of updates already recorded (Telegram's `update_id`),
//! so a redelivered update is recorded once. The receipt is inserted in the same job as the
//! applicant's message (`StepMessage::with_receipt`), so either both are written or neither.

use super::Store;
use crate::error::StoreError;

/// The longest receipt source name (`telegram`, `voice`, ...).
pub(super) const MAX_RECEIPT_SOURCE: usize = 32;

/// An inbound update's id at its source, to record with the step that handles it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub source: String,
    pub receipt: i64,
}

impl Receipt {
    pub(super) fn check(&self) -> Result<(), StoreError> {
        if self.source.is_empty() || self.source.len() > MAX_RECEIPT_SOURCE {
            return Err(StoreError::Refused(format!("a receipt's source has 1 to {MAX_RECEIPT_SOURCE} bytes")));
        }
        Ok(())
    }
}

impl Store {
    /// Whether an update was already recorded: a fast early answer to a redelivery. The
    /// guarded insert in the step's job is what decides.
    pub async fn has_receipt(&self, source: &str, receipt: i64) -> Result<bool, StoreError> {
        self.backend.has_receipt(source, receipt).await
    }

    /// Forgets receipts recorded before `before_ms` (older than any redelivery the provider
    /// makes); returns how many.
    pub async fn prune_receipts(&self, before_ms: i64) -> Result<usize, StoreError> {
        let deleted = self.backend.prune_receipts(before_ms).await?;
        Ok(usize::try_from(deleted).unwrap_or(usize::MAX))
    }
}
