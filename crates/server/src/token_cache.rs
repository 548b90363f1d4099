//! The conversations that chat tokens open, kept in memory so that an applicant's message
//! does not cost a database read before its write. Only a single-node store may cache: with
//! several nodes on PostgreSQL another node could close a conversation unseen, so there the
//! cache stays off and every request reads the store.

use std::collections::HashMap;
use std::sync::Mutex;

use hashlink::LruCache;
use safepassage_domain::ConversationId;
use safepassage_store::ConversationView;

/// Past this many entries the least recently used leaves: bounded memory under a flood of
/// sessions.
const LIMIT: usize = 100_000;

pub struct TokenCache {
    enabled: bool,
    map: Mutex<Entries>,
}

/// The conversations by token hash, and the token hash of each conversation (so that a
/// conversation is forgotten without a walk through every entry).
struct Entries {
    by_token: LruCache<[u8; 32], ConversationView>,
    token_of: HashMap<ConversationId, [u8; 32]>,
}

impl TokenCache {
    pub fn new(enabled: bool) -> TokenCache {
        let entries = Entries { by_token: LruCache::new(LIMIT), token_of: HashMap::new() };
        TokenCache { enabled, map: Mutex::new(entries) }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn get(&self, token_hash: &[u8; 32]) -> Option<ConversationView> {
        if !self.enabled {
            return None;
        }
        self.entries().by_token.get(token_hash).cloned()
    }

    pub fn put(&self, token_hash: [u8; 32], conversation: ConversationView) {
        if !self.enabled {
            return;
        }
        let mut entries = self.entries();
        if entries.by_token.len() >= LIMIT && !entries.by_token.contains_key(&token_hash) {
            if let Some((_, oldest)) = entries.by_token.remove_lru() {
                entries.token_of.remove(&oldest.id);
            }
        }
        entries.token_of.insert(conversation.id, token_hash);
        entries.by_token.insert(token_hash, conversation);
    }

    /// Drops every entry (when it is unknown which must go).
    pub fn clear(&self) {
        let mut entries = self.entries();
        entries.by_token.clear();
        entries.token_of.clear();
    }

    /// Drops a conversation whose status changed; the next request reads it afresh.
    pub fn forget(&self, conversation: ConversationId) {
        if self.enabled {
            let mut entries = self.entries();
            if let Some(token_hash) = entries.token_of.remove(&conversation) {
                entries.by_token.remove(&token_hash);
            }
        }
    }
}
