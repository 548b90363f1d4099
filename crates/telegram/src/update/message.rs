//! A `message` or `edited_message`: text, `/start`, location, or content the bot refuses.

use super::wire::{RawLocation, RawMessage};
use super::{chat, sender, Unsupported, UpdateError, UpdateEvent, MAX_TEXT_CHARS};

pub(super) fn event(raw: RawMessage, edited: bool) -> Result<UpdateEvent, UpdateError> {
    let refused = unsupported(&raw);
    let service = raw.is_service();
    let RawMessage { message_id, chat: raw_chat, from, text, location, .. } = raw;
    let chat = chat(raw_chat);
    let from = from.map(sender);

    if let Some(text) = text {
        let chars = text.chars().count();
        if chars > MAX_TEXT_CHARS {
            return Err(UpdateError::TextTooLong { chars, max: MAX_TEXT_CHARS });
        }
        if !edited {
            if let Some(payload) = start_payload(&text) {
                return Ok(UpdateEvent::Start { chat, from, message_id, payload });
            }
        }
        return Ok(UpdateEvent::Text { chat, from, message_id, text, edited });
    }
    // A venue also carries a `location`: it is refused as a venue, not read as a location.
    if let (None, Some(location)) = (refused, location) {
        let (latitude, longitude, horizontal_accuracy) = checked(&location)?;
        return Ok(UpdateEvent::Location { chat, from, message_id, latitude, longitude, horizontal_accuracy, edited });
    }
    // Nobody wrote a service message; an edited caption was refused when first sent.
    if service && refused.is_none() {
        return Ok(UpdateEvent::Ignored { what: "service_message" });
    }
    if edited {
        return Ok(UpdateEvent::Ignored { what: "edited_message_without_text" });
    }
    Ok(UpdateEvent::Refused { chat, from, message_id, what: refused.unwrap_or(Unsupported::Other) })
}

/// Coordinates within the globe and an accuracy within Telegram's 0–1500 m.
fn checked(location: &RawLocation) -> Result<(f64, f64, Option<f64>), UpdateError> {
    let (latitude, longitude) = (location.latitude, location.longitude);
    if !(latitude.is_finite() && (-90.0..=90.0).contains(&latitude)) {
        return Err(UpdateError::OutOfRange("latitude"));
    }
    if !(longitude.is_finite() && (-180.0..=180.0).contains(&longitude)) {
        return Err(UpdateError::OutOfRange("longitude"));
    }
    if let Some(accuracy) = location.horizontal_accuracy {
        if !(accuracy.is_finite() && (0.0..=1500.0).contains(&accuracy)) {
            return Err(UpdateError::OutOfRange("horizontal_accuracy"));
        }
    }
    Ok((latitude, longitude, location.horizontal_accuracy))
}

/// Which unreadable content the message carries. An animation also has a `document` and a
/// venue a `location`, so they are looked at first.
fn unsupported(raw: &RawMessage) -> Option<Unsupported> {
    let kinds = [
        (raw.animation.is_some(), Unsupported::Animation),
        (raw.venue.is_some(), Unsupported::Venue),
        (raw.contact.is_some(), Unsupported::Contact),
        (raw.photo.is_some(), Unsupported::Photo),
        (raw.voice.is_some(), Unsupported::Voice),
        (raw.video.is_some(), Unsupported::Video),
        (raw.video_note.is_some(), Unsupported::VideoNote),
        (raw.audio.is_some(), Unsupported::Audio),
        (raw.document.is_some(), Unsupported::Document),
        (raw.sticker.is_some(), Unsupported::Sticker),
        (raw.poll.is_some(), Unsupported::Poll),
        (raw.dice.is_some(), Unsupported::Dice),
        (raw.game.is_some(), Unsupported::Game),
        (raw.story.is_some(), Unsupported::Story),
        (raw.paid_media.is_some(), Unsupported::PaidMedia),
    ];
    kinds.into_iter().find(|(present, _)| *present).map(|(_, kind)| kind)
}

/// `Some(payload)` when the text is the `/start` command: `/start`, `/start PAYLOAD`, or
/// `/start@botname …` (the bot's name is added by clients in groups). `/starting` is not.
fn start_payload(text: &str) -> Option<Option<String>> {
    let rest = text.strip_prefix("/start")?;
    let rest = match rest.strip_prefix('@') {
        Some(mention) => {
            let name_end = mention.find(char::is_whitespace).unwrap_or(mention.len());
            &mention[name_end..]
        }
        None => rest,
    };
    if !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    let payload = rest.trim();
    Some((!payload.is_empty()).then(|| payload.to_owned()))
}
