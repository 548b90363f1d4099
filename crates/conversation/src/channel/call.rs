//! A call's turn: what the caller hears after each thing they did. The bot's lines of a voice
//! conversation are not sent anywhere (`through_outbox` is false for voice); the voice adapter
//! speaks them in its answer to the provider's webhook, and this is what it reads: the lines
//! since the caller's last keys, each in its language, what keys the flow waits for, and
//! whether the caller now waits for a person.

use safepassage_domain::{Channel, Language, Sender};
use safepassage_flows::engine::{Session, SessionStatus};
use safepassage_store::{ConversationStatus, ConversationView, StoreError};

use crate::bot::Summary;
use crate::Conversations;

/// Messages read back to find the lines since the caller's last keys: more than any step of a
/// voice flow says (the language menu is three lines).
const RECENT: usize = 20;
/// The most keys a `<Gather>` is told to wait for.
const MAX_KEYS: u32 = 64;

/// How the keys the flow waits for end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    /// After this many keys.
    Count(u8),
    /// When this key is pressed (`#`); the key itself is not part of the answer.
    Until(char),
}

/// What the caller hears now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallPrompt {
    /// The bot's lines since the caller's last input, oldest first, each with its language.
    pub lines: Vec<(String, Language)>,
    /// The call's language: the waiting flow's contact's (set by the language menu), else the
    /// conversation's. Lines of the platform's own and the calm words around a wait use it.
    pub language: Language,
    /// The keys the flow waits for; None when no flow waits.
    pub keys: Option<Keys>,
    /// The caller waits for a person (queued, or taken and being connected).
    pub queued: bool,
}

/// The programme's language for a flow's language code.
pub fn language_of(code: &str) -> Option<Language> {
    match code {
        "rus" => Some(Language::Ru),
        "ukr" => Some(Language::Uk),
        "eng" => Some(Language::En),
        _ => None,
    }
}

impl Conversations {
    /// What the caller hears now in `conversation` (a voice conversation).
    pub async fn call_prompt(&self, conversation: &ConversationView) -> Result<CallPrompt, StoreError> {
        let fresh = self.store.conversation(conversation.id).await?.unwrap_or_else(|| conversation.clone());
        let queued = matches!(fresh.status, ConversationStatus::Queued | ConversationStatus::Assigned);
        let (session, summary) = self.waiting_call_session(conversation).await?;
        let language = session
            .as_ref()
            .and_then(|s| language_of(&s.contact.language))
            .or_else(|| summary.spoken_in.last().and_then(|(_, code)| language_of(code)))
            .unwrap_or(fresh.language);
        let keys = session.as_ref().and_then(|s| s.wait.as_ref()).map(|wait| {
            let hint = wait.hint.as_ref().filter(|h| h.kind == "digits");
            match (hint.and_then(|h| h.count), hint.and_then(|h| h.terminated_by.as_deref())) {
                (Some(n), _) => Keys::Count(u8::try_from(n.clamp(1, MAX_KEYS)).unwrap_or(1)),
                (None, Some(key)) => Keys::Until(key.chars().next().unwrap_or('#')),
                (None, None) => Keys::Until('#'),
            }
        });
        let recent = self.recent_messages(conversation.id, RECENT).await?;
        let since = recent.iter().rposition(|m| m.sender == Sender::Applicant).map_or(0, |i| i + 1);
        let lines = recent[since..]
            .iter()
            .filter(|m| m.sender == Sender::Bot)
            .filter_map(|m| {
                let text = m.body.text()?;
                let spoken = summary.spoken_in.iter().find(|(id, _)| *id == m.id.0).and_then(|(_, c)| language_of(c));
                Some((text.to_owned(), spoken.unwrap_or(language)))
            })
            .collect();
        Ok(CallPrompt { lines, language, keys, queued })
    }

    /// The flow session waiting in a call (None when none waits) and the platform's summary.
    async fn waiting_call_session(
        &self,
        conversation: &ConversationView,
    ) -> Result<(Option<Session>, Summary), StoreError> {
        let Some(flow) = self.store.flow_session(conversation.id).await? else {
            return Ok((None, Summary::default()));
        };
        let summary: Summary = serde_json::from_str(&flow.summary).unwrap_or_default();
        let session = flow
            .state
            .as_deref()
            .and_then(|state| serde_json::from_str::<Session>(state).ok())
            .filter(|s| s.status == SessionStatus::Waiting && s.wait.is_some());
        Ok((session, summary))
    }

    /// Whether the keys a caller pressed are the answer of the flow waiting in the call (the
    /// voice intake asks for a codename itself, and hides it): then they go to the flow, not
    /// to the codename check every channel does on a message shaped like one.
    pub(crate) async fn keys_go_to_flow(&self, conversation: &ConversationView) -> Result<bool, StoreError> {
        if conversation.channel != Channel::Voice || self.bot.is_none() {
            return Ok(false);
        }
        Ok(self.store.flow_session(conversation.id).await?.is_some_and(|f| f.state.is_some()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_languages_are_the_programme_s() {
        assert_eq!(language_of("rus"), Some(Language::Ru));
        assert_eq!(language_of("ukr"), Some(Language::Uk));
        assert_eq!(language_of("eng"), Some(Language::En));
        assert_eq!(language_of("deu"), None);
    }
}
