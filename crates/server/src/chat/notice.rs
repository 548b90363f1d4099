//! One-time notices for the page after a redirect ("codename accepted", "not accepted"), held in
//! memory by conversation: not in the URL, where the browser history would keep them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use safepassage_domain::ConversationId;

/// Notices waiting at once. Past this all are dropped: a notice is a courtesy, and a flood of
/// codename posts must not grow memory.
const CAPACITY: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    CodenameJoined,
    CodenameRefused,
}

impl Notice {
    /// The Fluent id of its text.
    pub fn text_id(self) -> &'static str {
        match self {
            Notice::CodenameJoined => "chat-notice-codename-joined",
            Notice::CodenameRefused => "chat-notice-codename-refused",
        }
    }
}

#[derive(Clone, Default)]
pub struct Notices {
    waiting: Arc<Mutex<HashMap<ConversationId, Notice>>>,
}

impl Notices {
    pub fn put(&self, conversation: ConversationId, notice: Notice) {
        let mut waiting = self.waiting.lock().unwrap_or_else(|p| p.into_inner());
        if waiting.len() >= CAPACITY {
            waiting.clear();
        }
        waiting.insert(conversation, notice);
    }

    /// The notice for the conversation, once.
    pub fn take(&self, conversation: ConversationId) -> Option<Notice> {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner()).remove(&conversation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_is_shown_once() {
        let notices = Notices::default();
        let c = ConversationId(uuid::Uuid::now_v7());
        notices.put(c, Notice::CodenameRefused);
        assert_eq!(notices.take(c), Some(Notice::CodenameRefused));
        assert_eq!(notices.take(c), None);
    }
}
