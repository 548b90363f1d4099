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
/// conversation is forgotten without a walk through every entry). `epoch` moves on with every
/// forget: a view read from the store before a forget (say, just before its token was revoked)
/// is not cached after it.
struct Entries {
    by_token: LruCache<[u8; 32], ConversationView>,
    token_of: HashMap<ConversationId, [u8; 32]>,
    epoch: u64,
}

impl TokenCache {
    pub fn new(enabled: bool) -> TokenCache {
        let entries = Entries { by_token: LruCache::new(LIMIT), token_of: HashMap::new(), epoch: 0 };
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

    /// Take before reading the store; pass to [`TokenCache::put`].
    pub fn epoch(&self) -> u64 {
        self.entries().epoch
    }

    /// Caches what the store said, unless something was forgotten since `epoch` was taken.
    pub fn put(&self, epoch: u64, token_hash: [u8; 32], conversation: ConversationView) {
        if !self.enabled {
            return;
        }
        let mut entries = self.entries();
        if entries.epoch != epoch {
            return;
        }
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
            entries.epoch = entries.epoch.wrapping_add(1);
            if let Some(token_hash) = entries.token_of.remove(&conversation) {
                entries.by_token.remove(&token_hash);
            }
        }
    }
}
