//! Other nodes' commits, shown live here. Several app nodes on one PostgreSQL database each keep
//! their own hub; this relay reads the events the other nodes committed and gives this node's
//! watchers what they would have seen had it happened here: an applicant's message on an
//! operator's console, an operator's reply on the applicant's stream, queue and case signals,
//! ended chat sessions, a new flow library.
//!
//! It reads the event log itself, from the last event it passed: the store's notices only wake
//! it (at once), and a timer wakes it too, so a node that missed notices (a reconnect, a lagging
//! listener) catches up from the log and loses nothing. Its own commits it skips (the store
//! remembers them), and the hub drops a message it already delivered, so nothing shows twice.

use std::time::Duration;

use safepassage_domain::{Event, Sender};
use safepassage_store::{StoreError, StoredEvent};
use tokio::sync::broadcast::error::RecvError;

use crate::hub::{CaseSignal, CaseSignalKind};
use crate::Conversations;

/// Events read at a time.
const PAGE: i64 = 1_000;
/// How often the log is read without a notice (a missed notice is late by at most this).
const CATCH_UP_EVERY: Duration = Duration::from_secs(1);

/// Starts the relay where other nodes can exist (a PostgreSQL store) and a runtime runs.
pub fn spawn(core: &Conversations) {
    let Some(mut notices) = core.store.remote_commits() else { return };
    let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
    let core = core.clone();
    runtime.spawn(async move {
        let mut cursor = loop {
            match core.store.head_seq().await {
                Ok(seq) => break seq,
                Err(e) => {
                    tracing::warn!(error = %e, "relay: cannot read the log's head");
                    tokio::time::sleep(CATCH_UP_EVERY).await;
                }
            }
        };
        let mut tick = tokio::time::interval(CATCH_UP_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                notice = notices.recv() => {
                    if let Err(RecvError::Closed) = notice {
                        return;
                    }
                }
                _ = tick.tick() => {}
            }
            match core.relay_after(cursor).await {
                Ok(passed) => cursor = passed,
                Err(e) => tracing::warn!(error = %e, "relay: cannot read the log"),
            }
        }
    });
}

impl Conversations {
    /// Relays every event after `cursor` that another node committed; returns the last seq read.
    async fn relay_after(&self, mut cursor: i64) -> Result<i64, StoreError> {
        loop {
            let events = self.store.events(cursor, PAGE).await?;
            let read = events.len();
            for event in events {
                if !self.store.committed_here(event.seq) {
                    // One event that cannot be shown must not hold back the rest.
                    if let Err(e) = self.relay(&event).await {
                        tracing::warn!(error = %e, seq = event.seq, "relay: an event was not shown");
                    }
                }
                cursor = event.seq;
            }
            self.store.forget_commits_before(cursor);
            if i64::try_from(read).unwrap_or(i64::MAX) < PAGE {
                return Ok(cursor);
            }
        }
    }

    /// What one event of another node means to this node's watchers.
    async fn relay(&self, stored: &StoredEvent) -> Result<(), StoreError> {
        match &stored.event {
            Event::MessageRecorded { conversation, message, sender } => {
                if self.hub.watches(*conversation) {
                    let shown = self.store.messages(*conversation, stored.seq - 1, 1).await?;
                    if let Some(shown) = shown.into_iter().find(|m| m.id == *message) {
                        let replies = match sender {
                            Sender::Bot => self
                                .quick_replies(*conversation)
                                .await?
                                .filter(|(id, _)| *id == message.0)
                                .map(|(_, replies)| replies)
                                .unwrap_or_default(),
                            _ => Vec::new(),
                        };
                        self.publish_with(&shown, replies);
                    }
                }
                if *sender == Sender::Applicant && self.hub.watches_cases() {
                    self.relay_contact(*conversation).await?;
                }
            }
            Event::ConversationQueued { .. }
            | Event::ConversationAssigned { .. }
            | Event::ConversationClosed { .. }
            | Event::ConversationJoinedCase { .. }
            | Event::CallStatusChanged { .. }
            | Event::OutboundFailed { .. }
            | Event::LocationReported { .. } => self.hub.queue_changed(),
            Event::CaseOpened { case, .. } => self.hub.unassigned_changed(*case, None),
            Event::CaseAssigned { case, to, .. } => self.hub.unassigned_changed(*case, Some(*to)),
            Event::ChatSessionEnded { conversation, .. } => {
                self.tokens.forget(*conversation);
                let _ = self.chat_endings.send(*conversation);
            }
            Event::FlowsImported { .. } | Event::IntakeFlowSet { .. } if self.bot.is_some() => {
                self.reload_flows().await?;
            }
            Event::FiguresMappingSet { .. } => self.reload_figures_mapping().await?,
            _ => {}
        }
        Ok(())
    }

    /// An applicant wrote on another node: the holder of their case is told here too.
    async fn relay_contact(&self, conversation: safepassage_domain::ConversationId) -> Result<(), StoreError> {
        let Some(case) = self.store.conversation(conversation).await?.and_then(|c| c.case) else { return Ok(()) };
        let holder = self.store.case_wait(case).await?.and_then(|w| w.holder);
        self.hub.case_signal(CaseSignal { case, holder, kind: CaseSignalKind::Contact });
        Ok(())
    }
}
