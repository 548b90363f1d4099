//! A `callback_query`: an inline keyboard button was pressed.

use super::wire::{RawCallbackQuery, RawInlineKeyboard};
use super::{chat, sender, UpdateError, UpdateEvent, MAX_CALLBACK_DATA_BYTES};

pub(super) fn event(raw: RawCallbackQuery) -> Result<UpdateEvent, UpdateError> {
    // Without `message` the button was on an inline-mode message, which this bot never sends,
    // and without `data` it was a game button: there is no chat or nothing to act on.
    let Some(message) = raw.message else {
        return Ok(UpdateEvent::Ignored { what: "callback_query_without_message" });
    };
    let Some(data) = raw.data else {
        return Ok(UpdateEvent::Ignored { what: "callback_query_without_data" });
    };
    if data.len() > MAX_CALLBACK_DATA_BYTES {
        return Err(UpdateError::OutOfRange("callback_query.data"));
    }
    let button_text = message.reply_markup.as_ref().and_then(|keyboard| text_of_button(keyboard, &data));
    Ok(UpdateEvent::Pressed {
        callback_id: raw.id,
        chat: chat(message.chat),
        from: sender(raw.from),
        message_id: Some(message.message_id),
        data,
        button_text,
    })
}

/// The text of the button that carries `data`, so a quick reply's words are known even
/// though its callback data is only an index.
fn text_of_button(keyboard: &RawInlineKeyboard, data: &str) -> Option<String> {
    keyboard
        .inline_keyboard
        .iter()
        .flatten()
        .find(|button| button.callback_data.as_deref() == Some(data))
        .map(|button| button.text.clone())
}
