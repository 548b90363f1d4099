//! What a person on a channel did, as the channel's adapter hands it to the core: one type for
//! every channel, so the web chat, Telegram and voice differ only in their adapters.

use safepassage_domain::{Channel, Language, LocationReport};
use zeroize::Zeroizing;

/// A person on a channel, by the provider's id for them (a Telegram user id, a caller's
/// number). The id is only ever stored as the store's keyed hash (`Store::identity_hash`).
pub struct Person {
    pub channel: Channel,
    pub id: Zeroizing<String>,
    /// The language the provider says the person uses, if it is one the programme speaks.
    pub language: Option<Language>,
}

impl std::fmt::Debug for Person {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Person").field("channel", &self.channel).field("id", &"<hidden>").finish()
    }
}

/// The provider's id of one update (Telegram's `update_id`), under a source naming the bot or
/// number it came to: a resent update changes nothing (`inbound_receipts`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub source: String,
    pub id: i64,
}

/// What the person did.
#[derive(Debug, Clone)]
pub enum What {
    /// Opened the conversation (Telegram's `/start`, a call answered): the intake begins if no
    /// conversation is going on.
    Start,
    /// A call began: it is a conversation of its own, whose intake begins at once.
    Call,
    /// Wrote a message (or pressed keys on a call).
    Text(String),
    /// Pressed a quick reply: the button's text, as if written.
    Pressed(String),
    /// Shared a location (a messenger's pin, a typed place read by the location parser).
    Location(LocationReport),
    /// Sent what the programme does not take (a photo, a voice note, a contact card): nothing
    /// of it is kept; the person is told, in their language, to write in words.
    Refused,
}

/// One thing a person did on a channel.
#[derive(Debug)]
pub struct Inbound {
    pub from: Person,
    /// Where the channel answers (a Telegram chat id, a call's sid): kept sealed on the
    /// conversation, shredded with it.
    pub reply_to: Option<Zeroizing<String>>,
    pub receipt: Option<Receipt>,
    pub what: What,
}

/// Whether the text is the shape of a codename (16 digits, spaces or dashes between groups):
/// such a message is never kept in the transcript, whatever it joins.
pub fn looks_like_codename(text: &str) -> bool {
    let digits = text.chars().filter(char::is_ascii_digit).count();
    digits == 16 && text.chars().all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codename_shapes() {
        assert!(looks_like_codename("1234 5678 9012 3452"));
        assert!(looks_like_codename("1234-5678-9012-3452"));
        assert!(looks_like_codename("1234567890123452"));
        assert!(!looks_like_codename("123456789012345"));
        assert!(!looks_like_codename("my number is 1234567890123452"));
    }

    #[test]
    fn a_person_never_shows_their_id() {
        let person = Person { channel: Channel::Telegram, id: Zeroizing::new("987654321".into()), language: None };
        assert!(!format!("{person:?}").contains("987654321"));
    }
}
