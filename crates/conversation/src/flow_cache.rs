//! The waiting flow sessions of this node's conversations, kept in memory between steps so
//! that an applicant's answer costs no read, unseal and parse of the sealed session before the
//! engine runs. The store stays the truth: every step still commits the sealed session, and a
//! conversation missing here is read from the store.
//!
//! Only a single-node store may keep them: with several nodes on PostgreSQL another node
//! could step the same session, so there the cache stays off. What it holds is what the next
//! message would unseal anyway (the process holds the keys and every message in clear while it
//! handles it); an entry leaves when its flow ends, when it is taken for a step, or when it is
//! the least recently used past the bound.

use std::sync::Mutex;

use hashlink::LruCache;
use safepassage_domain::ConversationId;

/// Waiting sessions kept at most: a few KiB each, so tens of MiB under a flood.
const LIMIT: usize = 20_000;

/// `S` is what a step needs of a waiting conversation (the bot keeps the engine's session and
/// its summary).
pub struct FlowCache<S> {
    enabled: bool,
    map: Mutex<LruCache<ConversationId, S>>,
}

impl<S> FlowCache<S> {
    pub fn new(enabled: bool) -> FlowCache<S> {
        FlowCache { enabled, map: Mutex::new(LruCache::new(LIMIT)) }
    }

    /// Takes a conversation's session out for a step: a step that fails leaves nothing stale
    /// behind, and the next one reads the store.
    pub fn take(&self, conversation: ConversationId) -> Option<S> {
        if !self.enabled {
            return None;
        }
        self.map.lock().unwrap_or_else(|p| p.into_inner()).remove(&conversation)
    }

    /// Keeps a session that was just committed and waits for the next message.
    pub fn put(&self, conversation: ConversationId, state: S) {
        if self.enabled {
            self.map.lock().unwrap_or_else(|p| p.into_inner()).insert(conversation, state);
        }
    }

    /// Forgets a conversation whose flow ended or was changed elsewhere.
    pub fn forget(&self, conversation: ConversationId) {
        if self.enabled {
            self.map.lock().unwrap_or_else(|p| p.into_inner()).remove(&conversation);
        }
    }

    /// Forgets every session (when it is unknown which must go).
    pub fn clear(&self) {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.map.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id() -> ConversationId {
        ConversationId(uuid::Uuid::now_v7())
    }

    #[test]
    fn a_session_is_taken_once() {
        let cache = FlowCache::new(true);
        let id = id();
        cache.put(id, 7);
        assert_eq!(cache.take(id), Some(7));
        assert_eq!(cache.take(id), None);
    }

    #[test]
    fn disabled_keeps_nothing() {
        let cache = FlowCache::new(false);
        let id = id();
        cache.put(id, 7);
        assert_eq!(cache.take(id), None);
    }

    #[test]
    fn the_least_recently_used_leaves_past_the_bound() {
        let cache = FlowCache::new(true);
        let ids: Vec<_> = (0..=LIMIT).map(|_| id()).collect();
        for (i, id) in ids.iter().enumerate() {
            cache.put(*id, i);
        }
        assert_eq!(cache.len(), LIMIT);
        assert_eq!(cache.take(ids[0]), None);
        assert_eq!(cache.take(ids[LIMIT]), Some(LIMIT));
        cache.forget(ids[1]);
        assert_eq!(cache.take(ids[1]), None);
        assert_eq!(cache.take(ids[2]), Some(2));
    }
}
