//! What a node knows of the other app nodes on its database: which events it committed itself
//! (so a relay of the others' commits skips its own), where the log's head is, and how many
//! nodes are alive (flood limits are divided between them). On SQLite there is one node.

use super::Store;
use crate::error::StoreError;

impl Store {
    /// Whether this node committed the event `seq` (recent events only; on SQLite, every one).
    pub fn committed_here(&self, seq: i64) -> bool {
        self.backend.committed_here(seq)
    }

    /// Lets go of what `committed_here` remembers before `seq`.
    pub fn forget_commits_before(&self, seq: i64) {
        self.backend.forget_commits_before(seq)
    }

    /// App nodes alive on this database, this one included (1 on SQLite).
    pub fn live_nodes(&self) -> usize {
        self.backend.live_nodes()
    }

    /// The seq of the newest event.
    pub async fn head_seq(&self) -> Result<i64, StoreError> {
        Ok(self.backend.audit_state().await?.head_seq)
    }
}
