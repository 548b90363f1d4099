//! The end of an applicant's web chat session: its token hash is forgotten, so the token opens
//! nothing any more, and the end is an event. The conversation and its messages stay for staff.

use safepassage_domain::{ChatEnd, ConversationId, Event};

use super::Store;
use crate::error::StoreError;
use crate::ops::Op;

impl Store {
    /// Revokes the web chat token of `conversation`. `false`: it had none left (already ended,
    /// by another tab or node), which callers treat as done.
    pub async fn end_chat_session(&self, conversation: ConversationId, reason: ChatEnd) -> Result<bool, StoreError> {
        let ops = vec![Op::RevokeChatToken { conversation }];
        match self.submit(ops, vec![Event::ChatSessionEnded { conversation, reason }]).await {
            Ok(_) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
