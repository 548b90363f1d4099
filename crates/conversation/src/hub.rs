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

struct Inner {
    conversations: Mutex<HashMap<ConversationId, broadcast::Sender<Arc<LiveMessage>>>>,
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
        map.entry(conversation).or_insert_with(|| broadcast::channel(CONVERSATION_BUFFER).0).subscribe()
    }

    pub fn publish(&self, message: LiveMessage) {
        let mut map = self.inner.conversations.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(sender) = map.get(&message.conversation) {
            let conversation = message.conversation;
            if sender.send(Arc::new(message)).is_err() {
                // Nobody watches any more: forget the channel so idle conversations cost nothing.
                map.remove(&conversation);
            }
        }
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
}
