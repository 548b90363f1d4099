//! `POST /channels/telegram/{bot}`: one update from Telegram. The secret header is checked in
//! constant time before anything is read; the update is parsed within its bound and handed to
//! the conversation core as an `Inbound` (the user id becomes the store's keyed hash, the chat id
//! is sealed on the conversation). Only private chats are served. A redelivered update changes
//! nothing. Anything answered 2xx is done; a 5xx makes Telegram send it again later.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use safepassage_conversation::channel::inbound::{Inbound, Person, Receipt, What};
use safepassage_conversation::channel::outbound::Outbound;
use safepassage_conversation::channel::receive::Received;
use safepassage_domain::{Channel, Language, LocationFormat, LocationReport, LocationSource, Place};
use safepassage_telegram::{parse_update, secret_token_matches, Chat, Sender, UpdateEvent, SECRET_TOKEN_HEADER};
use zeroize::Zeroizing;

use super::courier::address;
use super::settings::TelegramBot;
use crate::AppState;

pub(crate) async fn update(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let Some(bot) = state.config.telegram.iter().find(|b| b.name == name) else { return StatusCode::NOT_FOUND };
    let secret = headers.get(SECRET_TOKEN_HEADER).map(|v| v.as_bytes());
    if !secret_token_matches(&bot.secret_token, secret) {
        return StatusCode::UNAUTHORIZED;
    }
    let update = match parse_update(&body) {
        Ok(update) => update,
        Err(e) => {
            tracing::info!(error = %e, "a Telegram update was refused");
            return StatusCode::BAD_REQUEST;
        }
    };
    let Some((chat, from, message_id, what, press)) = inbound_of(update.event) else { return StatusCode::OK };
    // Groups and channels are not served: a person in danger writes to the bot alone.
    if !chat.private || from.is_bot {
        return StatusCode::OK;
    }
    let inbound = Inbound {
        from: Person { channel: Channel::Telegram, id: Zeroizing::new(from.id.to_string()), language: language(&from) },
        reply_to: Some(Zeroizing::new(address(&bot.name, chat.id))),
        receipt: Some(Receipt { source: bot.source(), id: update.update_id }),
        what,
    };
    match state.receive(inbound).await {
        Ok(Received::Duplicate) => StatusCode::OK,
        Ok(Received::Handled { conversation, .. }) => {
            if let Err(e) = after(&state, bot, &conversation, message_id, press).await {
                tracing::warn!(error = %e, "Telegram: a press answer or a deletion was not queued");
            }
            StatusCode::OK
        }
        Err(e) => {
            tracing::warn!(error = %e, "Telegram: an update was not taken; Telegram sends it again");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

/// What follows a handled update: the press's answer (its spinner stops) and, with disappearing
/// messages, the person's own message deleted later.
async fn after(
    state: &AppState,
    bot: &TelegramBot,
    conversation: &safepassage_store::ConversationView,
    message_id: Option<i64>,
    press: Option<String>,
) -> Result<(), safepassage_store::StoreError> {
    let now = safepassage_conversation::clock::now_ms();
    if let Some(callback) = press {
        state.queue_outbound(conversation, &Outbound::AnswerPress { callback }, now).await?;
    }
    if let (Some(after), Some(id)) = (bot.disappear_after, message_id) {
        let due = now + i64::try_from(after.as_millis()).unwrap_or(i64::MAX / 2);
        state.queue_outbound(conversation, &Outbound::Delete { provider_message: id }, due).await?;
    }
    Ok(())
}

/// The chat, the sender, the person's message id (to delete later), what they did, and a
/// press to answer; None for what needs no answer.
type Parts = (Chat, Sender, Option<i64>, What, Option<String>);

fn inbound_of(event: UpdateEvent) -> Option<Parts> {
    Some(match event {
        UpdateEvent::Text { chat, from, message_id, text, .. } => {
            (chat, from?, Some(message_id), What::Text(text), None)
        }
        UpdateEvent::Start { chat, from, message_id, .. } => (chat, from?, Some(message_id), What::Start, None),
        UpdateEvent::Location { chat, from, message_id, latitude, longitude, horizontal_accuracy, .. } => {
            let what = match pin(latitude, longitude, horizontal_accuracy) {
                Some(report) => What::Location(report),
                None => What::Refused,
            };
            (chat, from?, Some(message_id), what, None)
        }
        UpdateEvent::Pressed { callback_id, chat, from, button_text, .. } => {
            // A press on a keyboard whose text is gone (an old message) says nothing: only answered.
            let what = button_text.map_or(What::Start, What::Pressed);
            (chat, from, None, what, Some(callback_id))
        }
        UpdateEvent::Refused { chat, from, message_id, .. } => (chat, from?, Some(message_id), What::Refused, None),
        UpdateEvent::Ignored { .. } => return None,
    })
}

/// A messenger's pin as a location report (its accuracy rounded up to whole metres).
fn pin(lat: f64, lon: f64, accuracy: Option<f64>) -> Option<LocationReport> {
    let accuracy_m = accuracy.filter(|a| *a >= 1.0).map(|a| a.ceil() as u32);
    let place = Place::Point { lat, lon, accuracy_m: None, format: LocationFormat::Decimal };
    let now = safepassage_conversation::clock::now_ms();
    LocationReport::new(place, accuracy_m, LocationSource::Messenger, None, now).ok()
}

fn language(from: &Sender) -> Option<Language> {
    let code = from.language_code.as_deref()?;
    let primary = code.split(['-', '_']).next()?;
    primary.to_ascii_lowercase().parse().ok()
}
