//! The operators' queue: conversations wait for a person, one operator takes each, and the
//! case lists and timelines staff work from.

use safepassage_domain::{CaseId, ConversationId, Event, UserId};
use uuid::Uuid;

use super::Store;
use crate::error::StoreError;
use crate::model::{CaseFilter, CaseView, ConversationView, StoredEvent};
use crate::ops::Op;

impl Store {
    /// Puts a conversation in the queue (from the bot, or back from closed when the applicant
    /// writes again). Already waiting or with an operator: nothing to do, and no event.
    pub async fn queue_conversation(&self, id: ConversationId, priority: bool) -> Result<bool, StoreError> {
        let op = Op::QueueConversation { id, priority };
        match self.submit(vec![op], vec![Event::ConversationQueued { conversation: id, priority }]).await {
            Ok(_) => Ok(true),
            Err(StoreError::Conflict(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Assigns a queued conversation to one operator; when two take it at once, one gets
    /// `Conflict`.
    pub async fn take_conversation(&self, id: ConversationId, user: UserId) -> Result<(), StoreError> {
        let op = Op::TakeConversation { id, user };
        self.submit(vec![op], vec![Event::ConversationAssigned { conversation: id, to: user }]).await?;
        Ok(())
    }

    pub async fn close_conversation(&self, id: ConversationId, by: UserId) -> Result<(), StoreError> {
        self.submit(vec![Op::CloseConversation { id }], vec![Event::ConversationClosed { conversation: id, by }])
            .await?;
        Ok(())
    }

    /// Waiting conversations: priority first, then oldest first.
    pub async fn queue(&self, limit: i64) -> Result<Vec<ConversationView>, StoreError> {
        self.backend.queue(limit).await
    }

    /// Calls with the bot now: begun within `call_window_ms` of `now_ms` (the voice intake
    /// expires within it) and active within `quiet_ms` (a caller who hung up during the intake
    /// falls off the list), oldest first.
    pub async fn calls_with_the_bot(
        &self,
        now_ms: i64,
        call_window_ms: i64,
        quiet_ms: i64,
        limit: i64,
    ) -> Result<Vec<ConversationView>, StoreError> {
        let calls = self.backend.calls_with_the_bot(now_ms.saturating_sub(call_window_ms), limit).await?;
        Ok(calls.into_iter().filter(|c| now_ms.saturating_sub(c.last_message_ms) <= quiet_ms).collect())
    }

    pub async fn conversations_assigned_to(&self, user: UserId) -> Result<Vec<ConversationView>, StoreError> {
        self.backend.conversations_assigned_to(user).await
    }

    pub async fn conversations_of_case(&self, case: CaseId) -> Result<Vec<ConversationView>, StoreError> {
        self.backend.conversations_of_case(case).await
    }

    pub async fn cases(&self, filter: CaseFilter, limit: i64) -> Result<Vec<CaseView>, StoreError> {
        self.backend.cases(filter, limit).await
    }

    /// The events of one case or conversation, oldest first.
    pub async fn timeline(&self, subject: Uuid, limit: i64) -> Result<Vec<StoredEvent>, StoreError> {
        super::audit::decode(self.backend.timeline(subject, limit).await?)
    }
}
