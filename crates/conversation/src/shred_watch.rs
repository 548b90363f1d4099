//! Drops the conversations of a shredded case from this node's in-memory caches (chat tokens
//! and waiting flow sessions) as soon as the store hears of the shred, from this node or any
//! other, so nothing of a shredded conversation stays usable or in memory here.

use tokio::sync::broadcast::error::RecvError;

use crate::Conversations;

/// Starts the listener, where there is a runtime to run it (there always is in the server).
pub fn spawn(state: &Conversations) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
    let mut shredded = state.store.shredded();
    let tokens = state.tokens.clone();
    let flows = state.flow_sessions.clone();
    runtime.spawn(async move {
        loop {
            match shredded.recv().await {
                Ok(case) => {
                    for conversation in case.conversations {
                        tokens.forget(conversation);
                        flows.forget(conversation);
                    }
                }
                // Missed notices: forget everything rather than keep one that should have gone.
                Err(RecvError::Lagged(_)) => {
                    tokens.clear();
                    flows.clear();
                }
                Err(RecvError::Closed) => break,
            }
        }
    });
}
