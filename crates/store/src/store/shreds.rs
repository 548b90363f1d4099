//! Crypto-shredding a case, and making every process forget it at once: the node that shreds
//! forgets the keys it holds straight away; the others hear of it through PostgreSQL's
//! notifications and, as a fallback that also covers a command line beside a SQLite server,
//! by looking for new shreds every second. Subscribers (the server's caches) are told which
//! conversations to drop.

use std::sync::Arc;
use std::time::Duration;

use safepassage_domain::{CaseId, ConversationId, Event, ShredReason, UserId};
use tokio::sync::broadcast;

use super::Store;
use crate::backend::Backend;
use crate::error::StoreError;
use crate::keystate::KeyState;
use crate::ops::Op;

const POLL_EVERY: Duration = Duration::from_secs(1);

/// A case whose keys were destroyed, and the conversations that were joined to it; the nil
/// case id for conversations that never became a case (shredded by the retention timer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shredded {
    pub case: CaseId,
    pub conversations: Vec<ConversationId>,
}

/// The watcher task, stopped when the last handle to the store goes.
pub(crate) struct ShredWatch {
    pub(super) sender: broadcast::Sender<Shredded>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ShredWatch {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ShredWatch {
    pub(crate) async fn start(backend: Arc<dyn Backend>, keys: Arc<KeyState>) -> Result<ShredWatch, StoreError> {
        let (sender, _) = broadcast::channel(64);
        // Shreds before this start are no news: no key of theirs can be in memory yet.
        let seen = backend.shreds_after(0).await?.last().map_or(0, |(seq, _)| *seq);
        let seen_conversations = backend.conversation_shreds_after(0).await?.last().map_or(0, |(seq, _)| *seq);
        let task = tokio::spawn(watch(backend, keys, sender.clone(), (seen, seen_conversations)));
        Ok(ShredWatch { sender, task })
    }
}

async fn watch(
    backend: Arc<dyn Backend>,
    keys: Arc<KeyState>,
    sender: broadcast::Sender<Shredded>,
    (mut seen, mut seen_conversations): (i64, i64),
) {
    let mut notices = backend.shred_notices();
    let mut tick = tokio::time::interval(POLL_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let closed = match notices.as_mut() {
            Some(notices) => tokio::select! {
                _ = tick.tick() => false,
                heard = notices.recv() => matches!(heard, Err(broadcast::error::RecvError::Closed)),
            },
            None => {
                tick.tick().await;
                false
            }
        };
        if closed {
            notices = None;
        }
        match backend.shreds_after(seen).await {
            Ok(shreds) => {
                for (seq, case) in shreds {
                    seen = seq;
                    forget(backend.as_ref(), &keys, &sender, case).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot look for shredded cases"),
        }
        // Conversations that never became a case (retention): sent with the nil case id.
        match backend.conversation_shreds_after(seen_conversations).await {
            Ok(shreds) if !shreds.is_empty() => {
                seen_conversations = shreds.last().map_or(seen_conversations, |(seq, _)| *seq);
                keys.forget_all();
                let conversations = shreds.into_iter().map(|(_, c)| c).collect();
                let _ = sender.send(Shredded { case: CaseId(uuid::Uuid::nil()), conversations });
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "cannot look for shredded conversations"),
        }
    }
}

/// Drops every cached data key (a shred is rare; the cache refills from the store) and tells
/// the subscribers which conversations went with the case.
async fn forget(backend: &dyn Backend, keys: &KeyState, sender: &broadcast::Sender<Shredded>, case: CaseId) {
    keys.forget_all();
    let conversations = match backend.conversations_of_case(case).await {
        Ok(list) => list.into_iter().map(|c| c.id).collect(),
        Err(e) => {
            tracing::warn!(error = %e, "cannot list the conversations of a shredded case");
            Vec::new()
        }
    };
    let _ = sender.send(Shredded { case, conversations });
}

impl Store {
    /// Crypto-shredding: destroys the keys of the case and of every conversation joined to it,
    /// and removes what still points at them (codename and duress hashes, chat tokens, flow
    /// sessions, channel identities). The rows stay, unreadable everywhere, backups included,
    /// and the audit chain keeps its links. Recorded with who did it and why.
    pub async fn shred_case(&self, case: CaseId, by: UserId, reason: ShredReason) -> Result<(), StoreError> {
        self.shred_case_as(case, Some(by), reason).await
    }

    /// [`Store::shred_case`] by a person, or by the platform itself (`by` None: the retention
    /// timer). The screening MAC of the intake answers goes in the same commit.
    pub(super) async fn shred_case_as(
        &self,
        case: CaseId,
        by: Option<UserId>,
        reason: ShredReason,
    ) -> Result<(), StoreError> {
        self.existing_case(case).await?;
        let event = Event::CaseShredded { case, by, reason: Some(reason) };
        let ops = vec![Op::ShredCase { case, event_index: 0 }, Op::ForgetIntakeMac { case }];
        self.submit(ops, vec![event]).await?;
        forget(self.backend.as_ref(), &self.keys, &self.shreds.sender, case).await;
        Ok(())
    }

    /// Cases shredded from now on, by this process or any other on the same database, with
    /// their conversations: for caches to drop them.
    pub fn shredded(&self) -> broadcast::Receiver<Shredded> {
        self.shreds.sender.subscribe()
    }
}
