//! Reading the event log and verifying its hash chain.

use super::Store;
use crate::backend::RawEvent;
use crate::chain::{ChainReport, ChainWalker};
use crate::error::StoreError;
use crate::model::StoredEvent;

const PAGE: i64 = 5_000;

impl Store {
    /// Events after `after_seq`, oldest first.
    pub async fn events(&self, after_seq: i64, limit: i64) -> Result<Vec<StoredEvent>, StoreError> {
        decode(self.backend.events(after_seq, limit).await?)
    }

    /// Recomputes every link from the first event; names the first broken one.
    pub async fn verify_chain(&self) -> Result<ChainReport, StoreError> {
        let mut walker = ChainWalker::new();
        loop {
            let page = self.backend.events(walker.last_seq(), PAGE).await?;
            if page.is_empty() {
                return Ok(ChainReport::Intact { events: walker.checked });
            }
            for e in &page {
                if let Err(reason) = walker.check(e) {
                    return Ok(ChainReport::Broken { seq: e.seq, reason });
                }
            }
        }
    }
}

/// Decodes stored events; one that does not decode is reported by its seq.
pub(super) fn decode(raw: Vec<RawEvent>) -> Result<Vec<StoredEvent>, StoreError> {
    raw.into_iter()
        .map(|e| {
            let event = serde_json::from_slice(&e.payload)
                .map_err(|err| StoreError::Database(format!("event {} does not decode: {err}", e.seq)))?;
            Ok(StoredEvent { seq: e.seq, at_ms: e.at_ms, event })
        })
        .collect()
}
