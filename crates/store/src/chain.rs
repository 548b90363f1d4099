//! The audit chain: each event's link hashes the previous link and the event's canonical bytes,
//! so an edit, a deletion or a reordering anywhere breaks every later link.

use sha2::{Digest, Sha256};

pub(crate) const GENESIS: [u8; 32] = [0; 32];

/// The link of event `seq`: SHA-256 over the previous link, the seq, the time, the kind and
/// the canonical payload, each length-delimited so no two events share an encoding.
pub(crate) fn link(prev: &[u8], seq: i64, at_ms: i64, kind: &str, payload: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"safepassage/audit/v1");
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(at_ms.to_be_bytes());
    h.update((kind.len() as u64).to_be_bytes());
    h.update(kind.as_bytes());
    h.update((payload.len() as u64).to_be_bytes());
    h.update(payload);
    h.finalize().into()
}

/// What `audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainReport {
    Intact { events: u64 },
    Broken { seq: i64, reason: String },
}

impl std::fmt::Display for ChainReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainReport::Intact { events } => write!(f, "{events} events, chain intact"),
            ChainReport::Broken { seq, reason } => {
                write!(f, "chain broken at event {seq}: {reason}")
            }
        }
    }
}

/// Walks the chain page by page; remembers where it is between pages.
pub(crate) struct ChainWalker {
    prev: Vec<u8>,
    expected_seq: i64,
    pub checked: u64,
}

impl ChainWalker {
    pub(crate) fn new() -> ChainWalker {
        ChainWalker { prev: GENESIS.to_vec(), expected_seq: 1, checked: 0 }
    }

    pub(crate) fn last_seq(&self) -> i64 {
        self.expected_seq - 1
    }

    /// Checks one event; returns the reason when its link is broken.
    pub(crate) fn check(&mut self, e: &crate::backend::RawEvent) -> Result<(), String> {
        if e.seq != self.expected_seq {
            return Err(format!("expected event {}, found {} (an event is missing)", self.expected_seq, e.seq));
        }
        if e.prev_hash != self.prev {
            return Err("its previous-link hash does not match the event before it".into());
        }
        let computed = link(&e.prev_hash, e.seq, e.at_ms, &e.kind, &e.payload);
        if e.hash != computed {
            return Err("its content does not match its hash (the event was edited)".into());
        }
        let decoded = serde_json::from_slice::<safepassage_domain::Event>(&e.payload);
        if !matches!(decoded, Ok(ev) if ev.kind() == e.kind) {
            return Err("its payload is not a valid event of its kind".into());
        }
        self.prev = e.hash.clone();
        self.expected_seq += 1;
        self.checked += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_depend_on_every_field() {
        let base = link(&GENESIS, 1, 10, "user_logged_in", b"{}");
        assert_ne!(base, link(&GENESIS, 2, 10, "user_logged_in", b"{}"));
        assert_ne!(base, link(&GENESIS, 1, 11, "user_logged_in", b"{}"));
        assert_ne!(base, link(&GENESIS, 1, 10, "user_created", b"{}"));
        assert_ne!(base, link(&GENESIS, 1, 10, "user_logged_in", b"{ }"));
        assert_ne!(base, link(&[1; 32], 1, 10, "user_logged_in", b"{}"));
        // Length-delimiting: moving a byte from kind into payload changes the link.
        assert_ne!(link(&GENESIS, 1, 1, "ab", b"c"), link(&GENESIS, 1, 1, "a", b"bc"));
    }
}
