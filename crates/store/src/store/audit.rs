//! Reading the event log, verifying its chain of keyed links against the stored head (and a
//! head kept elsewhere), and signing the head.

use super::Store;
use crate::backend::RawEvent;
use crate::chain::{self, ChainReport, ChainWalker, Linker, SignedHead, GENESIS};
use crate::error::StoreError;
use crate::model::StoredEvent;

const PAGE: i64 = 5_000;

impl Store {
    /// Events after `after_seq`, oldest first.
    pub async fn events(&self, after_seq: i64, limit: i64) -> Result<Vec<StoredEvent>, StoreError> {
        decode(self.backend.events(after_seq, limit).await?)
    }

    /// Recomputes every link from the first event up to the stored head, and checks that the
    /// head names the last event; names the first broken link.
    pub async fn verify_chain(&self) -> Result<ChainReport, StoreError> {
        Ok(self.walk(None).await?.0)
    }

    /// As [`Store::verify_chain`], and also that the chain still holds `expected` (a head signed
    /// earlier with this database's audit key): nothing up to it was removed or changed.
    pub async fn verify_chain_against(&self, expected: &SignedHead) -> Result<ChainReport, StoreError> {
        if !expected.signed_by(&self.keys.audit) {
            return Ok(ChainReport::Broken {
                seq: expected.seq,
                reason: "the expected head is not signed with this database's audit key \
                         (a head of another database, or an altered line)"
                    .into(),
            });
        }
        Ok(self.walk(Some(expected)).await?.0)
    }

    /// The stored head, verified and signed with the audit key: one line to keep elsewhere and
    /// give back to `audit verify --expect`. Refused while the chain is broken.
    pub async fn signed_head(&self) -> Result<SignedHead, StoreError> {
        match self.walk(None).await? {
            (ChainReport::Intact { .. }, Some((seq, hash))) => Ok(SignedHead::sign(&self.keys.audit, seq, hash)),
            (report, _) => Err(StoreError::Refused(format!("no head is signed for a broken chain: {report}"))),
        }
    }

    /// The walk behind the three above; with an intact chain, also the verified head.
    async fn walk(&self, expected: Option<&SignedHead>) -> Result<(ChainReport, Option<(i64, [u8; 32])>), StoreError> {
        let broken = |seq: i64, reason: String| Ok((ChainReport::Broken { seq, reason }, None));
        let audit = &self.keys.audit;
        // The head first: events that other nodes commit while the walk runs lie beyond it.
        let state = self.backend.audit_state().await?;
        let Some(switch) = state.switch.filter(|s| chain::switch_is_authentic(audit, s)) else {
            return broken(0, "the record of the switch to keyed links is missing or was forged".into());
        };
        let linker = Linker::keyed(audit.clone(), switch.keyed_from);
        let mut walker =
            ChainWalker::new(linker, Some((switch.keyed_from, switch.base.clone())), expected.map(|h| h.seq));
        'pages: loop {
            let page = self.backend.events(walker.last_seq(), PAGE).await?;
            if page.is_empty() {
                break;
            }
            for e in &page {
                if e.seq > state.head_seq {
                    break 'pages;
                }
                if let Err(reason) = walker.check(e) {
                    return broken(e.seq, reason);
                }
            }
        }
        let last = walker.last_seq();
        if last < switch.keyed_from - 1 {
            return broken(
                last + 1,
                format!(
                    "the chain ends at event {last}, before the switch to keyed links at event {}: events were removed",
                    switch.keyed_from
                ),
            );
        }
        if state.head_seq > last {
            return broken(
                state.head_seq,
                format!(
                    "the stored head names event {} but the chain ends at event {last}: events were removed from the end",
                    state.head_seq
                ),
            );
        }
        if state.head_hash != walker.last_hash() {
            return broken(last, "the stored head does not match the link of the last event".into());
        }
        if let Some(expected) = expected {
            if last < expected.seq {
                return broken(
                    expected.seq,
                    format!(
                        "the chain ends at event {last}, before the expected head at event {}: events were removed",
                        expected.seq
                    ),
                );
            }
            let found = match expected.seq {
                0 => Some(GENESIS.to_vec()),
                _ => walker.watched.clone(),
            };
            if found.as_deref() != Some(expected.hash.as_slice()) {
                return broken(
                    expected.seq,
                    format!("event {} does not match the expected head: the chain up to it was changed", expected.seq),
                );
            }
        }
        let head: [u8; 32] = walker
            .last_hash()
            .try_into()
            .map_err(|_| StoreError::Database("a link of the audit chain is not 32 bytes".into()))?;
        Ok((ChainReport::Intact { events: walker.checked }, Some((last, head))))
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
