//! The conversations that chat tokens open, kept in memory so that an applicant's message
//! does not cost a database read before its write. Only a single-node store may cache: with
//! several nodes on PostgreSQL another node could close a conversation unseen, so there the
//! cache stays off and every request reads the store.

use std::collections::HashMap;
use std::sync::Mutex;

use safepassage_domain::ConversationId;
use safepassage_store::ConversationView;

/// Past this many entries the cache starts over: bounded memory under a flood of sessions.
const LIMIT: usize = 100_000;

pub struct TokenCache {
    enabled: bool,
    map: Mutex<HashMap<[u8; 32], ConversationView>>,
}

impl TokenCache {
    pub fn new(enabled: bool) -> TokenCache {
        TokenCache { enabled, map: Mutex::new(HashMap::new()) }
    }

    pub fn get(&self, token_hash: &[u8; 32]) -> Option<ConversationView> {
        if !self.enabled {
            return None;
        }
        self.map.lock().unwrap_or_else(|p| p.into_inner()).get(token_hash).cloned()
    }

    pub fn put(&self, token_hash: [u8; 32], conversation: ConversationView) {
        if !self.enabled {
            return;
        }
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= LIMIT {
            map.clear();
        }
        map.insert(token_hash, conversation);
    }

    /// Drops a conversation whose status changed; the next request reads it afresh.
    pub fn forget(&self, conversation: ConversationId) {
        if self.enabled {
            self.map.lock().unwrap_or_else(|p| p.into_inner()).retain(|_, c| c.id != conversation);
        }
    }
}
