//! One webhook body from Telegram, parsed with bounds into what the bot must do with it.
//!
//! Telegram posts one JSON [`Update`](https://core.telegram.org/bots/api#update) per request.
//! The bot answers a text, a `/start`, a shared location and a pressed button; it tells the
//! writer it cannot read media; it ignores everything else. Anything malformed or outside
//! Telegram's own limits is an [`UpdateError`], never a panic.
//!
//! The `Debug` output of these types hides chat and user ids, texts, button data and
//! coordinates: they identify, or endanger, the person writing.

mod callback;
mod error;
mod message;
mod wire;

use std::fmt;

pub use error::UpdateError;

/// The largest webhook body accepted. A text message of 4096 characters with its entities
/// and sender fits in a few KiB; a callback carries its message with the keyboard; 64 KiB
/// leaves room for both while bounding the work a forged request can cause.
pub const MAX_UPDATE_BYTES: usize = 64 * 1024;

/// Telegram's own limit for a message text, in characters.
pub const MAX_TEXT_CHARS: usize = 4096;

/// Telegram's own limit for a button's `callback_data`, in bytes.
pub const MAX_CALLBACK_DATA_BYTES: usize = 64;

/// The longest `language_code` kept; longer ones (not an IETF tag) are dropped.
const MAX_LANGUAGE_CODE_CHARS: usize = 35;

/// One update: its id (for de-duplicating Telegram's retries) and what happened.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub update_id: i64,
    pub event: UpdateEvent,
}

/// What happened, in the terms the bot acts on.
#[derive(Clone, PartialEq)]
pub enum UpdateEvent {
    /// A text message (or an edit of one). An edited `/start` is a text too: only a new
    /// `/start` starts anything.
    Text { chat: Chat, from: Option<Sender>, message_id: i64, text: String, edited: bool },
    /// `/start`, `/start PAYLOAD` or `/start@botname PAYLOAD`: the payload comes from a
    /// deep link `t.me/<bot>?start=PAYLOAD`. Not validated here: the caller knows its format.
    Start { chat: Chat, from: Option<Sender>, message_id: i64, payload: Option<String> },
    /// A shared location, or a live location's update (then `edited`).
    Location {
        chat: Chat,
        from: Option<Sender>,
        message_id: i64,
        latitude: f64,
        longitude: f64,
        /// Radius of uncertainty in metres (0–1500).
        horizontal_accuracy: Option<f64>,
        edited: bool,
    },
    /// A button of an inline keyboard was pressed. `button_text` is the text of the button
    /// whose `callback_data` equals `data` on the message, when Telegram sent that keyboard.
    Pressed {
        callback_id: String,
        chat: Chat,
        from: Sender,
        /// `None` never happens for messages this bot sends; kept optional for safety.
        message_id: Option<i64>,
        data: String,
        button_text: Option<String>,
    },
    /// A message the bot cannot read (a photo, a voice note, a contact…): the writer should
    /// be told to write in text instead. Nothing of its content is kept.
    Refused { chat: Chat, from: Option<Sender>, message_id: i64, what: Unsupported },
    /// Nothing to answer: a channel post, a membership change, an inline query, a service
    /// message, an update kind newer than this code…
    Ignored { what: &'static str },
}

/// Content the bot does not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsupported {
    Photo,
    Voice,
    Video,
    VideoNote,
    Audio,
    Document,
    Sticker,
    Animation,
    /// A shared contact: its phone number is never copied.
    Contact,
    Poll,
    Dice,
    Venue,
    Game,
    Story,
    PaidMedia,
    /// A message with no text and none of the kinds above.
    Other,
}

impl Unsupported {
    /// A stable lower-case name, for metrics and logs.
    pub fn name(self) -> &'static str {
        match self {
            Self::Photo => "photo",
            Self::Voice => "voice",
            Self::Video => "video",
            Self::VideoNote => "video_note",
            Self::Audio => "audio",
            Self::Document => "document",
            Self::Sticker => "sticker",
            Self::Animation => "animation",
            Self::Contact => "contact",
            Self::Poll => "poll",
            Self::Dice => "dice",
            Self::Venue => "venue",
            Self::Game => "game",
            Self::Story => "story",
            Self::PaidMedia => "paid_media",
            Self::Other => "other",
        }
    }
}

/// The chat to answer in. `private` is a one-to-one chat with the bot; groups are where
/// an applicant's words are seen by others, and the caller may refuse to talk there.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Chat {
    pub id: i64,
    pub private: bool,
}

impl fmt::Debug for Chat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chat").field("id", &Hidden).field("private", &self.private).finish()
    }
}

/// Who wrote or pressed. `language_code` is the user's Telegram interface language, a
/// hint for the first answer.
#[derive(Clone, PartialEq, Eq)]
pub struct Sender {
    pub id: i64,
    pub is_bot: bool,
    pub language_code: Option<String>,
}

impl fmt::Debug for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("id", &Hidden)
            .field("is_bot", &self.is_bot)
            .field("language_code", &self.language_code)
            .finish()
    }
}

/// Printed in place of an identifying value.
struct Hidden;

impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<hidden>")
    }
}

/// Printed in place of a text: only its length.
struct Length(usize);

impl fmt::Debug for Length {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} chars>", self.0)
    }
}

fn hidden_text(text: &str) -> Length {
    Length(text.chars().count())
}

impl fmt::Debug for UpdateEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Text { chat, from, message_id, text, edited } => f
                .debug_struct("Text")
                .field("chat", chat)
                .field("from", from)
                .field("message_id", message_id)
                .field("text", &hidden_text(text))
                .field("edited", edited)
                .finish(),
            Self::Start { chat, from, message_id, payload } => f
                .debug_struct("Start")
                .field("chat", chat)
                .field("from", from)
                .field("message_id", message_id)
                .field("payload", &payload.as_deref().map(hidden_text))
                .finish(),
            Self::Location { chat, from, message_id, horizontal_accuracy, edited, .. } => f
                .debug_struct("Location")
                .field("chat", chat)
                .field("from", from)
                .field("message_id", message_id)
                .field("latitude", &Hidden)
                .field("longitude", &Hidden)
                .field("horizontal_accuracy", horizontal_accuracy)
                .field("edited", edited)
                .finish(),
            Self::Pressed { chat, from, message_id, data, button_text, .. } => f
                .debug_struct("Pressed")
                .field("callback_id", &Hidden)
                .field("chat", chat)
                .field("from", from)
                .field("message_id", message_id)
                .field("data", &hidden_text(data))
                .field("button_text", &button_text.as_deref().map(hidden_text))
                .finish(),
            Self::Refused { chat, from, message_id, what } => f
                .debug_struct("Refused")
                .field("chat", chat)
                .field("from", from)
                .field("message_id", message_id)
                .field("what", what)
                .finish(),
            Self::Ignored { what } => f.debug_struct("Ignored").field("what", what).finish(),
        }
    }
}

/// Parses one webhook body. Bodies over [`MAX_UPDATE_BYTES`] are refused before parsing.
pub fn parse_update(body: &[u8]) -> Result<Update, UpdateError> {
    if body.len() > MAX_UPDATE_BYTES {
        return Err(UpdateError::TooLarge { len: body.len(), max: MAX_UPDATE_BYTES });
    }
    let raw: wire::RawUpdate = serde_json::from_slice(body).map_err(UpdateError::from_json)?;
    let event = if let Some(message) = raw.message {
        message::event(message, false)?
    } else if let Some(message) = raw.edited_message {
        message::event(message, true)?
    } else if let Some(query) = raw.callback_query {
        callback::event(query)?
    } else {
        UpdateEvent::Ignored { what: raw.ignored_kind().unwrap_or("unknown") }
    };
    Ok(Update { update_id: raw.update_id, event })
}

fn chat(raw: wire::RawChat) -> Chat {
    Chat { id: raw.id, private: raw.kind == "private" }
}

fn sender(raw: wire::RawUser) -> Sender {
    let language_code =
        raw.language_code.filter(|code| !code.is_empty() && code.chars().count() <= MAX_LANGUAGE_CODE_CHARS);
    Sender { id: raw.id, is_bot: raw.is_bot, language_code }
}

#[cfg(test)]
mod tests;
