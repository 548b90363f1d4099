//! Calls on the voice channel: what the provider reports of a call's state becomes an event on
//! its conversation (a short code: never a number or a call id), and changes nothing else.

use safepassage_domain::{CallStatusCode, ConversationId, Event};

use super::Store;
use crate::error::StoreError;

impl Store {
    /// Records that the conversation's call is now `status`.
    pub async fn record_call_status(
        &self,
        conversation: ConversationId,
        status: CallStatusCode,
    ) -> Result<(), StoreError> {
        self.submit(Vec::new(), vec![Event::CallStatusChanged { conversation, status }]).await?;
        Ok(())
    }
}
