//! Live fan-out inside one node: new messages to whoever watches a conversation (the applicant's
//! event stream, an operator's console) and a signal to every console when the queue changes.
//! Plaintext lives here only in memory, for the moment it takes to deliver it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use safepassage_domain::{CaseId, ConversationId, Sender, UserId};
use tokio::sync::broadcast;

/// How many undelivered messages a slow watcher may fall behind before it is told to reload.
const CONVERSATION_BUFFER: usize = 16;
const QUEUE_BUFFER: usize = 64;
const CASES_BUFFER: usize = 64;
/// Messages a conversation's channel remembers having delivered, so that one relayed from the
/// log as well as published here (a race the relay cannot always tell) shows once.
const DELIVERED_MEMORY: usize = 16;

/// A message as watchers receive it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveMessage {
    pub conversation: ConversationId,
    pub seq: i64,
    pub sender: Sender,
    pub text: String,
    pub at_ms: i64,
    /// The bot's buttons under this message (empty for most messages).
    pub quick_replies: Vec<String>,
}

/// Something about a case that its holder (and coordinators) should see now: ids only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseSignal {
    pub case: CaseId,
    /// Who holds the case at the time of the signal.
    pub holder: Option<UserId>,
    pub kind: CaseSignalKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseSignalKind {
    /// The applicant made contact (a message, a codename join).
    Contact,
    /// The coordinators' unassigned list changed: a case was opened or given to a specialist.
    Unassigned,
}

/// Something about the queue changed: consoles re-read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueChanged;

#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

/// A watched conversation's channel and the seqs it delivered last.
struct Watched {
    sender: broadcast::Sender<Arc<LiveMessage>>,
    delivered: [i64; DELIVERED_MEMORY],
    next: usize,
}

impl Watched {
    fn new() -> Watched {
        Watched { sender: broadcast::channel(CONVERSATION_BUFFER).0, delivered: [i64::MIN; DELIVERED_MEMORY], next: 0 }
    }

    /// Remembers `seq`; false if it was delivered already.
    fn first_time(&mut self, seq: i64) -> bool {
        if self.delivered.contains(&seq) {
            return false;
        }
        self.delivered[self.next] = seq;
        self.next = (self.next + 1) % DELIVERED_MEMORY;
        true
    }
}

struct Inner {
    conversations: Mutex<HashMap<ConversationId, Watched>>,
    queue: broadcast::Sender<QueueChanged>,
    cases: broadcast::Sender<CaseSignal>,
}

impl Default for Hub {
    fn default() -> Hub {
        let (queue, _) = broadcast::channel(QUEUE_BUFFER);
        let (cases, _) = broadcast::channel(CASES_BUFFER);
        Hub { inner: Arc::new(Inner { conversations: Mutex::new(HashMap::new()), queue, cases }) }
    }
}

impl Hub {
    pub fn subscribe(&self, conversation: ConversationId) -> broadcast::Receiver<Arc<LiveMessage>> {
        let mut map = self.inner.conversations.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(conversation).or_insert_with(Watched::new).sender.subscribe()
    }

    /// Delivers a message to its conversation's watchers, once (a seq delivered lately is
    /// dropped).
    pub fn publish(&self, message: LiveMessage) {
        let mut map = self.inner.conversations.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(watched) = map.get_mut(&message.conversation) {
            if !watched.first_time(message.seq) {
                return;
            }
            let conversation = message.conversation;
            if watched.sender.send(Arc::new(message)).is_err() {
                // Nobody watches any more: forget the channel so idle conversations cost nothing.
                map.remove(&conversation);
            }
        }
    }

    /// Whether anyone on this node watches the conversation.
    pub fn watches(&self, conversation: ConversationId) -> bool {
        let map = self.inner.conversations.lock().unwrap_or_else(|p| p.into_inner());
        map.get(&conversation).is_some_and(|w| w.sender.receiver_count() > 0)
    }

    /// Whether any console on this node listens for case signals.
    pub fn watches_cases(&self) -> bool {
        self.inner.cases.receiver_count() > 0
    }

    pub fn subscribe_queue(&self) -> broadcast::Receiver<QueueChanged> {
        self.inner.queue.subscribe()
    }

    pub fn queue_changed(&self) {
        let _ = self.inner.queue.send(QueueChanged);
    }

    pub fn subscribe_cases(&self) -> broadcast::Receiver<CaseSignal> {
        self.inner.cases.subscribe()
    }

    pub fn case_signal(&self, signal: CaseSignal) {
        let _ = self.inner.cases.send(signal);
    }

    /// The unassigned list changed because of `case`.
    pub fn unassigned_changed(&self, case: CaseId, holder: Option<UserId>) {
        self.case_signal(CaseSignal { case, holder, kind: CaseSignalKind::Unassigned });
    }

    /// Conversations with at least one channel open (for metrics).
    pub fn watched(&self) -> usize {
        self.inner.conversations.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn watchers_get_messages_of_their_conversation_only() {
        let hub = Hub::default();
        let a = ConversationId(uuid::Uuid::now_v7());
        let b = ConversationId(uuid::Uuid::now_v7());
        let mut watch_a = hub.subscribe(a);
        let mut watch_b = hub.subscribe(b);
        hub.publish(LiveMessage {
            conversation: a,
            seq: 1,
            sender: Sender::Staff,
            text: "hi".into(),
            at_ms: 0,
            quick_replies: vec![],
        });
        assert_eq!(watch_a.recv().await.unwrap().text, "hi");
        assert!(watch_b.try_recv().is_err());
        drop(watch_a);
        hub.publish(LiveMessage {
            conversation: a,
            seq: 2,
            sender: Sender::Staff,
            text: "gone".into(),
            at_ms: 0,
            quick_replies: vec![],
        });
        assert_eq!(hub.watched(), 1, "the unwatched conversation's channel is dropped");
    }

    #[tokio::test]
    async fn a_message_delivered_twice_shows_once() {
        let hub = Hub::default();
        let a = ConversationId(uuid::Uuid::now_v7());
        let mut watch = hub.subscribe(a);
        assert!(hub.watches(a));
        let message = |seq: i64| LiveMessage {
            conversation: a,
            seq,
            sender: Sender::Applicant,
            text: format!("m{seq}"),
            at_ms: 0,
            quick_replies: vec![],
        };
        // Published here, then relayed from the log: out of order, one of them twice.
        for seq in [5, 4, 5, 6, 4] {
            hub.publish(message(seq));
        }
        let mut seen = Vec::new();
        while let Ok(m) = watch.try_recv() {
            seen.push(m.seq);
        }
        assert_eq!(seen, vec![5, 4, 6]);
    }
}
