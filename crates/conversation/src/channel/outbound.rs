//! What leaves the core for a person on a channel whose replies go through the outbox
//! (Telegram's messages; a call's connection to the operator who took it): kept sealed in the
//! outbox until a courier delivers it.

use serde::{Deserialize, Serialize};

use safepassage_domain::Channel;
use safepassage_store::StepMessage;

/// One thing to deliver; serialised as the outbox row's (sealed) payload. Its `Debug` says what
/// kind of thing it is and never what it holds (a message's words, a phone number).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outbound {
    /// A message, with its quick replies as buttons.
    Message {
        text: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        quick_replies: Vec<String>,
    },
    /// The answer to a button press (Telegram's `answerCallbackQuery`), so its spinner stops.
    AnswerPress { callback: String },
    /// A message to delete from the person's chat (disappearing messages): the provider's id.
    Delete { provider_message: i64 },
    /// A waiting caller is connected to the operator who took the call: `to` is the operator's
    /// phone number or SIP address (sealed in the outbox like every payload).
    ConnectCall { to: String },
}

impl std::fmt::Debug for Outbound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outbound::Message { text, quick_replies } => f
                .debug_struct("Message")
                .field("chars", &text.chars().count())
                .field("quick_replies", &quick_replies.len())
                .finish(),
            Outbound::AnswerPress { .. } => f.write_str("AnswerPress"),
            Outbound::Delete { .. } => f.write_str("Delete"),
            Outbound::ConnectCall { .. } => f.write_str("ConnectCall"),
        }
    }
}

/// An outbox payload that does not read back (a row written by another version).
#[derive(Debug, thiserror::Error)]
#[error("unreadable outbox payload")]
pub struct UnreadablePayload;

impl Outbound {
    pub fn to_payload(&self) -> Vec<u8> {
        // Serialising an enum of strings and numbers cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }

    pub fn from_payload(bytes: &[u8]) -> Result<Outbound, UnreadablePayload> {
        serde_json::from_slice(bytes).map_err(|_| UnreadablePayload)
    }
}

/// Whether a channel's replies leave through the outbox. The web chat's are read by the
/// applicant's page (and streamed live); a call's are spoken in the answer to its webhook.
pub fn through_outbox(channel: Channel) -> bool {
    matches!(channel, Channel::Telegram | Channel::Whatsapp)
}

/// The message, and on a channel whose replies go through the outbox, its delivery with it
/// (committed in the same job, sealed).
pub fn leaving_on(channel: Channel, message: StepMessage, quick_replies: &[String]) -> StepMessage {
    if !through_outbox(channel) {
        return message;
    }
    let payload = Outbound::Message { text: message.text.clone(), quick_replies: quick_replies.to_vec() }.to_payload();
    message.leaving(payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_go_through_the_outbox_on_messengers_only() {
        assert!(through_outbox(Channel::Telegram));
        assert!(!through_outbox(Channel::Voice), "a call's bot lines are spoken in the webhook's answer");
        assert!(!through_outbox(Channel::Web));
    }

    #[test]
    fn debug_shows_no_words_and_no_number() {
        let message =
            Outbound::Message { text: "Мариуполь, школа".into(), quick_replies: vec!["Да".into()] };
        let call = Outbound::ConnectCall { to: "+380501234567".into() };
        let shown = format!("{message:?} {call:?}");
        assert!(!shown.contains("Мариуполь") && !shown.contains("Да") && !shown.contains("380"), "{shown}");
    }

    #[test]
    fn payloads_read_back() {
        for out in [
            Outbound::Message {
                text: "Здравствуйте".into(), quick_replies: vec!["Да".into(), "Нет".into()]
            },
            Outbound::Message { text: "x".into(), quick_replies: Vec::new() },
            Outbound::AnswerPress { callback: "4242".into() },
            Outbound::Delete { provider_message: 17 },
            Outbound::ConnectCall { to: "sip:operator@pbx.example.org".into() },
        ] {
            assert_eq!(Outbound::from_payload(&out.to_payload()).unwrap(), out);
        }
        assert!(Outbound::from_payload(b"{\"kind\":\"telepathy\"}").is_err());
    }
}
