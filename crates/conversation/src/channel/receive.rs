//! Any channel's inbound, into the core: the conversation is found by the person's hashed id on
//! the channel (or started, with the intake), then the message, press or location is handled as
//! the web chat's are, and replies leave as the channel's adapter and the outbox deliver them.

use safepassage_domain::{Channel, Language};
use safepassage_store::{ConversationStatus, ConversationView, StoreError};

use super::inbound::{looks_like_codename, Inbound, Person, What};
use crate::case::codename_guard::Outcome;
use crate::Conversations;

/// The language of a person the provider says nothing useful about: the programme's first.
const DEFAULT_LANGUAGE: Language = Language::Ru;

/// What became of an inbound.
#[derive(Debug)]
pub enum Received {
    /// Handled in this conversation (`started`: it began with this inbound).
    Handled { conversation: ConversationView, started: bool },
    /// The provider sent this update before: nothing changed.
    Duplicate,
}

impl Conversations {
    /// Takes one inbound from a channel's adapter.
    pub async fn receive(&self, inbound: Inbound) -> Result<Received, StoreError> {
        let Inbound { from, reply_to, receipt, what } = inbound;
        let identity = self.store.identity_hash(from.channel, &from.id);
        let _one_at_a_time = self.senders.lock(identity).await;
        // A resent update is refused by its receipt, inserted first in the job of the message
        // it carries (`StoreError::Duplicate` below); nothing is read for it beforehand.
        let fresh = matches!(what, What::Call);
        let (conversation, started) =
            self.conversation_of(&from, identity, reply_to.as_deref().map(String::as_str), fresh).await?;
        match what {
            // A call rings: the queue pages show it with the bot at once.
            What::Call => self.hub.queue_changed(),
            // A conversation that just began was greeted by its intake; one going on goes on.
            What::Start => {}
            What::Text(text)
                if looks_like_codename(&text)
                    && conversation.case.is_none()
                    && !self.keys_go_to_flow(&conversation).await? =>
            {
                // The codename is never kept in the transcript, joined or not.
                if self.codenames.attempt(self, &conversation, &text).await? == Outcome::Refused {
                    let refused = self.i18n.text(conversation.language, "channel-codename-refused");
                    self.bot_says(&conversation, &refused).await?;
                }
            }
            What::Text(text) | What::Pressed(text) => {
                match self.applicant_says_with(&conversation, &text, receipt.as_ref()).await {
                    Err(StoreError::Duplicate) => return Ok(Received::Duplicate),
                    other => drop(other?),
                }
            }
            What::Location(report) => self.applicant_sends_location(&conversation, &report).await?,
            What::Refused => {
                let refused = self.i18n.text(conversation.language, "channel-refused-kind");
                self.bot_says(&conversation, &refused).await?;
            }
        }
        Ok(Received::Handled { conversation, started })
    }

    /// The person's conversation on the channel: their latest one goes on while a person holds
    /// it or it was written in lately; otherwise (or for a `fresh` one: a call) a new one starts
    /// with the channel's intake (a returning applicant then gives their codename, as in the
    /// web chat).
    async fn conversation_of(
        &self,
        from: &Person,
        identity: [u8; 32],
        reply_to: Option<&str>,
        fresh: bool,
    ) -> Result<(ConversationView, bool), StoreError> {
        let idle_ms = i64::try_from(self.settings.chat_idle.as_millis()).unwrap_or(i64::MAX);
        let now = crate::clock::now_ms();
        let goes_on = |c: &ConversationView| {
            matches!(c.status, ConversationStatus::Queued | ConversationStatus::Assigned)
                || now.saturating_sub(c.last_message_ms) < idle_ms
        };
        // On a single-node store the sender's conversation is kept in memory by the hash of
        // their id, beside the web chat's tokens, and forgotten with them (a person takes it,
        // it is closed, joins a case, is shredded). A cached view past the idle time is read
        // again rather than left.
        let epoch = self.tokens.epoch();
        if !fresh {
            if let Some(cached) = self.tokens.get(&identity).filter(goes_on) {
                return Ok((cached, false));
            }
            if let Some(latest) = self.store.latest_conversation_for_identity(from.channel, &from.id).await? {
                if goes_on(&latest) {
                    self.tokens.put(epoch, identity, latest.clone());
                    return Ok((latest, false));
                }
            }
        }
        let language = from.language.unwrap_or(DEFAULT_LANGUAGE);
        let conversation = self.store.start_conversation(from.channel, language, Some(&from.id), None).await?;
        if let Some(address) = reply_to {
            self.store.set_reply_to(&conversation, address).await?;
        }
        self.start_conversation_on(conversation.channel, &conversation).await?;
        // Cached as it is after its first step (the intake may have queued it already).
        if let Some(now) = self.store.conversation(conversation.id).await? {
            self.tokens.put(self.tokens.epoch(), identity, now.clone());
            return Ok((now, true));
        }
        Ok((conversation, true))
    }

    /// A new conversation's first words: the channel's intake, or the greeting and the queue.
    async fn start_conversation_on(&self, channel: Channel, conversation: &ConversationView) -> Result<(), StoreError> {
        if self.bot.is_some() && self.flow_library().is_some_and(|l| l.intake(channel).is_some()) {
            self.start_intake(conversation).await?;
            return Ok(());
        }
        let greeting = match self.settings.greetings.get(&conversation.language) {
            Some(text) => text.clone(),
            None => self.i18n.text(conversation.language, "chat-greeting"),
        };
        self.bot_says(conversation, &greeting).await?;
        if self.store.queue_conversation(conversation.id, false).await? {
            self.hub.queue_changed();
        }
        Ok(())
    }
}
