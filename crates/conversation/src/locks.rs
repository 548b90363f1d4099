//! Locks by key on this node (a conversation, a sender): only what has work in progress holds
//! an entry, dropped with its last holder, so unrelated keys never wait on each other (shared
//! stripes made unrelated conversations wait on each other's commits).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

type Held<K> = Arc<Mutex<HashMap<K, Arc<tokio::sync::Mutex<()>>>>>;

/// One async lock per key in use.
pub struct KeyedLocks<K> {
    held: Held<K>,
}

impl<K> Default for KeyedLocks<K> {
    fn default() -> KeyedLocks<K> {
        KeyedLocks { held: Arc::default() }
    }
}

/// A key's lock, held; frees the map entry when no one else holds or waits for it.
pub struct KeyedGuard<K: Eq + Hash> {
    held: Held<K>,
    key: K,
    guard: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl<K: Eq + Hash + Clone> KeyedLocks<K> {
    pub async fn lock(&self, key: K) -> KeyedGuard<K> {
        let lock = {
            let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
            Arc::clone(held.entry(key.clone()).or_default())
        };
        // Made before the wait so that a cancelled wait still cleans up.
        let mut out = KeyedGuard { held: Arc::clone(&self.held), key, guard: None };
        out.guard = Some(lock.lock_owned().await);
        out
    }

    /// Keys with a holder or a waiter (for tests).
    pub fn in_use(&self) -> usize {
        self.held.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

impl<K: Eq + Hash> Drop for KeyedGuard<K> {
    fn drop(&mut self) {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        // Only the map and this guard (or its pending wait) refer to the lock: no one waits.
        let ours = if self.guard.is_some() { 2 } else { 1 };
        if held.get(&self.key).is_some_and(|l| Arc::strong_count(l) <= ours) {
            held.remove(&self.key);
        }
        drop(self.guard.take());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_key_is_held_by_one_at_a_time_and_forgotten_after() {
        let locks = KeyedLocks::<u8>::default();
        let first = locks.lock(1).await;
        let other = locks.lock(2).await;
        let waiting = tokio::time::timeout(std::time::Duration::from_millis(50), locks.lock(1)).await;
        assert!(waiting.is_err(), "a second holder of the same key waits");
        drop((first, other));
        assert_eq!(locks.in_use(), 0);
        let _again = locks.lock(1).await;
        assert_eq!(locks.in_use(), 1);
    }
}
