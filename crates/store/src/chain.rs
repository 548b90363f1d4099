//! The audit chain: each event's link covers the previous link and the event's canonical bytes,
//! so an edit, a deletion or a reordering anywhere breaks every later link. Links are HMACs
//! under the audit key (a system key wrapped by the master key, so never usable from the
//! database alone); a chain written before that key existed keeps its plain SHA-256 links up to
//! the recorded switch-over, and the first keyed link covers the old head.

use safepassage_keys::DataKey;
use sha2::{Digest, Sha256};

pub(crate) const GENESIS: [u8; 32] = [0; 32];

/// The link of event `seq` as written before the audit key: SHA-256 over the previous link,
/// the seq, the time, the kind and the canonical payload, each length-delimited so no two events
/// share an encoding.
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

/// The keyed link: the same fields as [`link`], under HMAC-SHA256 with the audit key.
pub(crate) fn keyed_link(key: &DataKey, prev: &[u8], seq: i64, at_ms: i64, kind: &str, payload: &[u8]) -> [u8; 32] {
    let mut m = Vec::with_capacity(80 + kind.len() + payload.len());
    m.extend_from_slice(b"safepassage/audit/v2");
    m.extend_from_slice(&(prev.len() as u64).to_be_bytes());
    m.extend_from_slice(prev);
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(&at_ms.to_be_bytes());
    m.extend_from_slice(&(kind.len() as u64).to_be_bytes());
    m.extend_from_slice(kind.as_bytes());
    m.extend_from_slice(&(payload.len() as u64).to_be_bytes());
    m.extend_from_slice(payload);
    key.mac(&m)
}

/// The MAC of the switch-over record: from `keyed_from` on links are keyed, and the chain
/// before it ended with `base` (the genesis value when it was empty).
pub(crate) fn switch_mac(key: &DataKey, keyed_from: i64, base: &[u8]) -> [u8; 32] {
    let mut m = Vec::with_capacity(64);
    m.extend_from_slice(b"safepassage/audit/switch");
    m.extend_from_slice(&keyed_from.to_be_bytes());
    m.extend_from_slice(base);
    key.mac(&m)
}

fn head_mac(key: &DataKey, seq: i64, hash: &[u8; 32]) -> [u8; 32] {
    let mut m = Vec::with_capacity(64);
    m.extend_from_slice(b"safepassage/audit/head");
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(hash);
    key.mac(&m)
}

/// Compares two MACs in time independent of where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Where the chain switched to keyed links, as recorded (under its MAC) in `audit_head`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SwitchOver {
    pub keyed_from: i64,
    pub base: Vec<u8>,
    pub mac: Vec<u8>,
}

/// What the committer links with: the audit key from the switch-over seq on.
#[derive(Clone)]
pub(crate) struct Linker {
    key: Option<DataKey>,
    keyed_from: i64,
}

impl Linker {
    /// For jobs that carry no events (the first setup of a database).
    pub(crate) fn plain() -> Linker {
        Linker { key: None, keyed_from: i64::MAX }
    }

    pub(crate) fn keyed(key: DataKey, keyed_from: i64) -> Linker {
        Linker { key: Some(key), keyed_from }
    }

    pub(crate) fn link(&self, prev: &[u8], seq: i64, at_ms: i64, kind: &str, payload: &[u8]) -> [u8; 32] {
        match &self.key {
            Some(key) if seq >= self.keyed_from => keyed_link(key, prev, seq, at_ms, kind, payload),
            _ => link(prev, seq, at_ms, kind, payload),
        }
    }
}

/// A head of the chain signed with the audit key, to keep outside the database: one line,
/// `safepassage-audit-head v1 seq=N hash=HEX mac=HEX`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHead {
    pub seq: i64,
    pub hash: [u8; 32],
    mac: [u8; 32],
}

const HEAD_PREFIX: &str = "safepassage-audit-head v1";

impl SignedHead {
    pub(crate) fn sign(key: &DataKey, seq: i64, hash: [u8; 32]) -> SignedHead {
        SignedHead { seq, hash, mac: head_mac(key, seq, &hash) }
    }

    pub(crate) fn signed_by(&self, key: &DataKey) -> bool {
        same(&self.mac, &head_mac(key, self.seq, &self.hash))
    }
}

impl std::fmt::Display for SignedHead {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{HEAD_PREFIX} seq={} hash={} mac={}", self.seq, hex::encode(self.hash), hex::encode(self.mac))
    }
}

/// Why a text is not a signed head.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an audit head (expected `safepassage-audit-head v1 seq=N hash=HEX mac=HEX`)")]
pub struct HeadParseError;

impl std::str::FromStr for SignedHead {
    type Err = HeadParseError;

    fn from_str(s: &str) -> Result<SignedHead, HeadParseError> {
        let rest = s.trim().strip_prefix(HEAD_PREFIX).ok_or(HeadParseError)?;
        let mut fields = rest.split_whitespace();
        let mut field = |name: &str| fields.next().and_then(|f| f.strip_prefix(name)).ok_or(HeadParseError);
        let seq = field("seq=")?.parse::<i64>().map_err(|_| HeadParseError)?;
        let hash = hex32(field("hash=")?)?;
        let mac = hex32(field("mac=")?)?;
        if fields.next().is_some() || seq < 0 {
            return Err(HeadParseError);
        }
        Ok(SignedHead { seq, hash, mac })
    }
}

fn hex32(s: &str) -> Result<[u8; 32], HeadParseError> {
    let bytes = hex::decode(s).map_err(|_| HeadParseError)?;
    bytes.try_into().map_err(|_| HeadParseError)
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
    linker: Linker,
    /// The switch-over: the link of event `keyed_from - 1` must be `base`.
    switch: Option<(i64, Vec<u8>)>,
    prev: Vec<u8>,
    expected_seq: i64,
    /// The seq whose link a signed head names, and the link found there.
    watch: Option<i64>,
    pub watched: Option<Vec<u8>>,
    pub checked: u64,
}

impl ChainWalker {
    pub(crate) fn new(linker: Linker, switch: Option<(i64, Vec<u8>)>, watch: Option<i64>) -> ChainWalker {
        ChainWalker { linker, switch, prev: GENESIS.to_vec(), expected_seq: 1, watch, watched: None, checked: 0 }
    }

    pub(crate) fn last_seq(&self) -> i64 {
        self.expected_seq - 1
    }

    pub(crate) fn last_hash(&self) -> &[u8] {
        &self.prev
    }

    /// Checks one event; returns the reason when its link is broken.
    pub(crate) fn check(&mut self, e: &crate::backend::RawEvent) -> Result<(), String> {
        if e.seq != self.expected_seq {
            return Err(format!("expected event {}, found {} (an event is missing)", self.expected_seq, e.seq));
        }
        if e.prev_hash != self.prev {
            return Err("its previous-link hash does not match the event before it".into());
        }
        let computed = self.linker.link(&e.prev_hash, e.seq, e.at_ms, &e.kind, &e.payload);
        if e.hash != computed {
            return Err("its content does not match its link (the event was edited or its link forged)".into());
        }
        let decoded = serde_json::from_slice::<safepassage_domain::Event>(&e.payload);
        if !matches!(decoded, Ok(ev) if ev.kind() == e.kind) {
            return Err("its payload is not a valid event of its kind".into());
        }
        if let Some((keyed_from, base)) = &self.switch {
            if e.seq == keyed_from - 1 && &e.hash != base {
                return Err(
                    "the chain before the switch to keyed links differs from the one recorded at the switch".into()
                );
            }
        }
        if self.watch == Some(e.seq) {
            self.watched = Some(e.hash.clone());
        }
        self.prev = e.hash.clone();
        self.expected_seq += 1;
        self.checked += 1;
        Ok(())
    }
}

pub(crate) fn switch_is_authentic(key: &DataKey, s: &SwitchOver) -> bool {
    s.keyed_from >= 1 && same(&s.mac, &switch_mac(key, s.keyed_from, &s.base))
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

    #[test]
    fn keyed_links_depend_on_the_key_and_differ_from_plain_ones() {
        let (a, b) = (DataKey::generate(), DataKey::generate());
        let linked = keyed_link(&a, &GENESIS, 1, 10, "user_logged_in", b"{}");
        assert_ne!(linked, keyed_link(&b, &GENESIS, 1, 10, "user_logged_in", b"{}"));
        assert_ne!(linked, link(&GENESIS, 1, 10, "user_logged_in", b"{}"));
        let linker = Linker::keyed(a.clone(), 3);
        assert_eq!(linker.link(&GENESIS, 2, 10, "k", b"{}"), link(&GENESIS, 2, 10, "k", b"{}"));
        assert_eq!(linker.link(&GENESIS, 3, 10, "k", b"{}"), keyed_link(&a, &GENESIS, 3, 10, "k", b"{}"));
    }

    #[test]
    fn a_signed_head_reads_back_and_only_its_key_signed_it() {
        let key = DataKey::generate();
        let head = SignedHead::sign(&key, 42, [7; 32]);
        let line = head.to_string();
        assert!(line.starts_with("safepassage-audit-head v1 seq=42 hash=0707"), "{line}");
        assert!(!line.contains('\n'));
        let back: SignedHead = line.parse().unwrap();
        assert_eq!(back, head);
        assert!(back.signed_by(&key));
        assert!(!back.signed_by(&DataKey::generate()));
        let moved: SignedHead = line.replace("seq=42", "seq=41").parse().unwrap();
        assert!(!moved.signed_by(&key));
        let junk = [String::new(), "seq=1".into(), line.replace("mac=", "mac=00"), format!("{line} extra")];
        for junk in junk {
            assert!(junk.parse::<SignedHead>().is_err(), "{junk}");
        }
    }
}
