//! The outbox's worker: delivers what the core left for channels whose replies go out later
//! (`outbound.rs`), through each channel's courier (its adapter to the provider), with backoff,
//! the provider's own "retry after", and failures recorded for staff to see. Rows are leased
//! while a delivery runs, so a worker killed mid-send leaves them to the next one: nothing is
//! lost, and a message is sent twice only where the provider cannot tell (Telegram cannot).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use safepassage_domain::{Channel, ConversationId};
use safepassage_store::{Outbound as Row, OutboxId, StoreError};

use super::outbound::Outbound;
use crate::Conversations;

/// How long a claimed row is the worker's alone: longer than a delivery can take (a request's
/// timeout and a wait for the provider's limits).
const LEASE_MS: i64 = 60_000;
/// Rows claimed per round.
const CLAIM: i64 = 500;
/// Transient failures before a row is given up and shown to staff as not delivered.
const MAX_ATTEMPTS: u32 = 12;
/// How long a woken worker waits for more rows before its round.
const COALESCE: Duration = Duration::from_millis(15);
/// The longest wait between two attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// A delivery that worked: the provider's id of the message it made, when it made one.
#[derive(Debug, Default)]
pub struct Delivered {
    pub provider_message: Option<i64>,
}

/// A delivery that did not work.
#[derive(Debug)]
pub enum Undelivered {
    /// The provider asked to wait this long (Telegram's 429 `retry_after`).
    RetryAfter(Duration),
    /// It may work later (a 5xx, a timeout, no connection).
    Transient,
    /// It never will (the person blocked the bot, the chat is gone, the message is too old to delete).
    Refused,
}

/// A channel's adapter to its provider, as the outbox uses it.
#[async_trait::async_trait]
pub trait Courier: Send + Sync {
    /// Delivers `what` to the address the channel answers to (a Telegram chat id).
    async fn deliver(&self, address: &str, what: &Outbound) -> Result<Delivered, Undelivered>;

    /// How long messages at `address` stay in the person's chat before they are deleted.
    fn disappear_after(&self, _address: &str) -> Option<Duration> {
        None
    }
}

/// The couriers by channel; a row for a channel with none waits (a node without the channel's
/// settings leaves it to one that has them).
#[derive(Clone, Default)]
pub struct Couriers(HashMap<Channel, Arc<dyn Courier>>);

impl Couriers {
    pub fn with(mut self, channel: Channel, courier: Arc<dyn Courier>) -> Couriers {
        self.0.insert(channel, courier);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Conversations {
    /// Queues `what` for the conversation outside any message (a press's answer, a deletion
    /// later, a call to connect), and wakes the worker when it is due now.
    pub async fn queue_outbound(
        &self,
        conversation: &safepassage_store::ConversationView,
        what: &Outbound,
        due_ms: i64,
    ) -> Result<(), StoreError> {
        self.store.queue_outbound(conversation, &what.to_payload(), due_ms).await?;
        if due_ms <= crate::clock::now_ms() {
            self.outbox_ready.notify_one();
        }
        Ok(())
    }

    /// One round: claims what is due at `now_ms` and delivers it, each conversation's rows in
    /// order and conversations side by side. Returns how many rows were claimed.
    pub async fn deliver_outbox(&self, couriers: &Couriers, now_ms: i64) -> Result<usize, StoreError> {
        let rows = self.store.claim_outbound(now_ms, LEASE_MS, CLAIM).await?;
        let claimed = rows.len();
        let mut by_conversation: HashMap<ConversationId, Vec<Row>> = HashMap::new();
        for row in rows {
            by_conversation.entry(row.conversation).or_default().push(row);
        }
        let mut tasks = tokio::task::JoinSet::new();
        for (_, rows) in by_conversation {
            let (core, couriers) = (self.clone(), couriers.clone());
            tasks.spawn(async move {
                let mut sent = Vec::new();
                for row in rows {
                    match core.deliver_one(&couriers, row).await {
                        Ok(Some(done)) => sent.push(done),
                        Ok(None) => {}
                        Err(e) => {
                            tracing::warn!(error = %e, "outbox: a delivery was not recorded; it is retried after its lease");
                            break;
                        }
                    }
                }
                sent
            });
        }
        // What was sent and needs nothing after leaves the outbox in one job.
        let mut sent = Vec::with_capacity(claimed);
        while let Some(done) = tasks.join_next().await {
            sent.extend(done.unwrap_or_default());
        }
        self.store.outbound_done_all(&sent).await?;
        Ok(claimed)
    }

    /// Delivers one row and records what became of it; a row sent that needs nothing after is
    /// returned for the round to delete with the others.
    async fn deliver_one(&self, couriers: &Couriers, row: Row) -> Result<Option<OutboxId>, StoreError> {
        let Some(courier) = couriers.0.get(&row.channel) else {
            // Not this node's channel: back in the line, for a node that has it.
            self.store.outbound_retry(row.id, crate::clock::now_ms() + LEASE_MS).await?;
            return Ok(None);
        };
        let Ok(what) = Outbound::from_payload(&row.payload) else {
            self.store.outbound_failed(row.id, "unreadable").await?;
            return Ok(None);
        };
        let Some(address) = self.store.reply_to(row.conversation).await? else {
            self.store.outbound_failed(row.id, "no_address").await?;
            return Ok(None);
        };
        let now = crate::clock::now_ms();
        match courier.deliver(&address, &what).await {
            Ok(done) => match (&what, done.provider_message, courier.disappear_after(&address)) {
                // A message that disappears later: its deletion is queued with its own end.
                (Outbound::Message { .. }, Some(id), Some(after)) => {
                    let delete = Outbound::Delete { provider_message: id }.to_payload();
                    let due = now + millis(after);
                    finished(self.store.outbound_done(row.id, Some((delete.as_slice(), due))).await)?;
                    Ok(None)
                }
                _ => Ok(Some(row.id)),
            },
            Err(Undelivered::RetryAfter(wait)) => {
                self.store.outbound_retry(row.id, now + millis(wait)).await?;
                Ok(None)
            }
            // A message already gone from the chat needs no deleting.
            Err(Undelivered::Refused) if matches!(what, Outbound::Delete { .. }) => Ok(Some(row.id)),
            Err(Undelivered::Refused) => {
                self.store.outbound_failed(row.id, "refused").await?;
                self.hub.queue_changed();
                Ok(None)
            }
            Err(Undelivered::Transient) if row.attempts + 1 >= MAX_ATTEMPTS => {
                self.store.outbound_failed(row.id, "gave_up").await?;
                self.hub.queue_changed();
                Ok(None)
            }
            Err(Undelivered::Transient) => {
                self.store.outbound_retry(row.id, now + millis(backoff(row.attempts))).await?;
                Ok(None)
            }
        }
    }
}

/// A row already gone (another worker finished it after our lease passed) is finished too.
fn finished<T>(done: Result<T, StoreError>) -> Result<(), StoreError> {
    match done {
        Ok(_) | Err(StoreError::Conflict(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

/// 1 s, 2 s, 4 s… up to `MAX_BACKOFF`.
fn backoff(attempts: u32) -> Duration {
    Duration::from_secs(1u64 << attempts.min(16)).min(MAX_BACKOFF)
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Delivers the outbox every `every` for as long as the process runs (spawn it beside the server).
pub async fn run_outbox(core: Conversations, couriers: Couriers, every: Duration) {
    if couriers.is_empty() {
        return;
    }
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        // A message to send wakes the worker at once; the tick finds what became due later
        // (retries, deletions) and what another node wrote.
        tokio::select! {
            _ = tick.tick() => {}
            () = core.outbox_ready.notified() => {
                // A moment for the others of a burst to join the round: a wave is sent in
                // rounds of many, a single reply leaves within a few milliseconds.
                tokio::time::sleep(COALESCE).await;
            }
        }
        // Rounds follow each other at once while there is work.
        loop {
            match core.deliver_outbox(&couriers, crate::clock::now_ms()).await {
                Ok(n) if n as i64 >= CLAIM => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "outbox: cannot claim due rows");
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_five_minutes() {
        assert_eq!(backoff(0), Duration::from_secs(1));
        assert_eq!(backoff(3), Duration::from_secs(8));
        assert_eq!(backoff(11), MAX_BACKOFF);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
    }
}
