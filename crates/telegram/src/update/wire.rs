//! The part of Telegram's `Update` JSON that we read, as serde types.
//!
//! Only the fields the bot needs are typed; every other field is skipped by serde. The
//! presence of media, service and contact fields is recorded as [`IgnoredAny`], so their
//! content (a contact's phone number above all) is never copied into memory we own.
//! See <https://core.telegram.org/bots/api#update>.

use serde::de::IgnoredAny;
use serde::Deserialize;

#[derive(Deserialize)]
pub(super) struct RawUpdate {
    pub update_id: i64,
    pub message: Option<RawMessage>,
    pub edited_message: Option<RawMessage>,
    pub callback_query: Option<RawCallbackQuery>,
    pub channel_post: Option<IgnoredAny>,
    pub edited_channel_post: Option<IgnoredAny>,
    pub business_connection: Option<IgnoredAny>,
    pub business_message: Option<IgnoredAny>,
    pub edited_business_message: Option<IgnoredAny>,
    pub deleted_business_messages: Option<IgnoredAny>,
    pub message_reaction: Option<IgnoredAny>,
    pub message_reaction_count: Option<IgnoredAny>,
    pub inline_query: Option<IgnoredAny>,
    pub chosen_inline_result: Option<IgnoredAny>,
    pub shipping_query: Option<IgnoredAny>,
    pub pre_checkout_query: Option<IgnoredAny>,
    pub purchased_paid_media: Option<IgnoredAny>,
    pub poll: Option<IgnoredAny>,
    pub poll_answer: Option<IgnoredAny>,
    pub my_chat_member: Option<IgnoredAny>,
    pub chat_member: Option<IgnoredAny>,
    pub chat_join_request: Option<IgnoredAny>,
    pub chat_boost: Option<IgnoredAny>,
    pub removed_chat_boost: Option<IgnoredAny>,
}

impl RawUpdate {
    /// The name of the first update kind present that the bot never answers, if any.
    pub fn ignored_kind(&self) -> Option<&'static str> {
        let kinds: [(&'static str, bool); 20] = [
            ("channel_post", self.channel_post.is_some()),
            ("edited_channel_post", self.edited_channel_post.is_some()),
            ("business_connection", self.business_connection.is_some()),
            ("business_message", self.business_message.is_some()),
            ("edited_business_message", self.edited_business_message.is_some()),
            ("deleted_business_messages", self.deleted_business_messages.is_some()),
            ("message_reaction", self.message_reaction.is_some()),
            ("message_reaction_count", self.message_reaction_count.is_some()),
            ("inline_query", self.inline_query.is_some()),
            ("chosen_inline_result", self.chosen_inline_result.is_some()),
            ("shipping_query", self.shipping_query.is_some()),
            ("pre_checkout_query", self.pre_checkout_query.is_some()),
            ("purchased_paid_media", self.purchased_paid_media.is_some()),
            ("poll", self.poll.is_some()),
            ("poll_answer", self.poll_answer.is_some()),
            ("my_chat_member", self.my_chat_member.is_some()),
            ("chat_member", self.chat_member.is_some()),
            ("chat_join_request", self.chat_join_request.is_some()),
            ("chat_boost", self.chat_boost.is_some()),
            ("removed_chat_boost", self.removed_chat_boost.is_some()),
        ];
        kinds.into_iter().find(|(_, present)| *present).map(|(name, _)| name)
    }
}

#[derive(Deserialize)]
pub(super) struct RawChat {
    pub id: i64,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Deserialize)]
pub(super) struct RawUser {
    pub id: i64,
    pub is_bot: bool,
    pub language_code: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct RawLocation {
    pub latitude: f64,
    pub longitude: f64,
    pub horizontal_accuracy: Option<f64>,
}

/// A message: the text, the location, or which kind of content it carries instead.
#[derive(Deserialize)]
pub(super) struct RawMessage {
    pub message_id: i64,
    pub chat: RawChat,
    pub from: Option<RawUser>,
    pub text: Option<String>,
    pub location: Option<RawLocation>,
    // Content the bot cannot read: the applicant is told so.
    pub photo: Option<IgnoredAny>,
    pub voice: Option<IgnoredAny>,
    pub video: Option<IgnoredAny>,
    pub video_note: Option<IgnoredAny>,
    pub audio: Option<IgnoredAny>,
    pub document: Option<IgnoredAny>,
    pub sticker: Option<IgnoredAny>,
    pub animation: Option<IgnoredAny>,
    pub contact: Option<IgnoredAny>,
    pub poll: Option<IgnoredAny>,
    pub dice: Option<IgnoredAny>,
    pub venue: Option<IgnoredAny>,
    pub game: Option<IgnoredAny>,
    pub story: Option<IgnoredAny>,
    pub paid_media: Option<IgnoredAny>,
    // Service messages: Telegram reports something that happened in the chat; nobody wrote.
    pub new_chat_members: Option<IgnoredAny>,
    pub left_chat_member: Option<IgnoredAny>,
    pub new_chat_title: Option<IgnoredAny>,
    pub new_chat_photo: Option<IgnoredAny>,
    pub delete_chat_photo: Option<IgnoredAny>,
    pub group_chat_created: Option<IgnoredAny>,
    pub supergroup_chat_created: Option<IgnoredAny>,
    pub channel_chat_created: Option<IgnoredAny>,
    pub message_auto_delete_timer_changed: Option<IgnoredAny>,
    pub migrate_to_chat_id: Option<IgnoredAny>,
    pub migrate_from_chat_id: Option<IgnoredAny>,
    pub pinned_message: Option<IgnoredAny>,
    pub write_access_allowed: Option<IgnoredAny>,
    pub chat_background_set: Option<IgnoredAny>,
    pub proximity_alert_triggered: Option<IgnoredAny>,
    pub boost_added: Option<IgnoredAny>,
    pub forum_topic_created: Option<IgnoredAny>,
    pub forum_topic_edited: Option<IgnoredAny>,
    pub forum_topic_closed: Option<IgnoredAny>,
    pub forum_topic_reopened: Option<IgnoredAny>,
    pub video_chat_scheduled: Option<IgnoredAny>,
    pub video_chat_started: Option<IgnoredAny>,
    pub video_chat_ended: Option<IgnoredAny>,
    pub video_chat_participants_invited: Option<IgnoredAny>,
}

impl RawMessage {
    /// Whether this is a service message (a member joined, a pin, a timer changed, …).
    pub fn is_service(&self) -> bool {
        [
            self.new_chat_members.is_some(),
            self.left_chat_member.is_some(),
            self.new_chat_title.is_some(),
            self.new_chat_photo.is_some(),
            self.delete_chat_photo.is_some(),
            self.group_chat_created.is_some(),
            self.supergroup_chat_created.is_some(),
            self.channel_chat_created.is_some(),
            self.message_auto_delete_timer_changed.is_some(),
            self.migrate_to_chat_id.is_some(),
            self.migrate_from_chat_id.is_some(),
            self.pinned_message.is_some(),
            self.write_access_allowed.is_some(),
            self.chat_background_set.is_some(),
            self.proximity_alert_triggered.is_some(),
            self.boost_added.is_some(),
            self.forum_topic_created.is_some(),
            self.forum_topic_edited.is_some(),
            self.forum_topic_closed.is_some(),
            self.forum_topic_reopened.is_some(),
            self.video_chat_scheduled.is_some(),
            self.video_chat_started.is_some(),
            self.video_chat_ended.is_some(),
            self.video_chat_participants_invited.is_some(),
        ]
        .into_iter()
        .any(|present| present)
    }
}

#[derive(Deserialize)]
pub(super) struct RawCallbackQuery {
    pub id: String,
    pub from: RawUser,
    /// Absent when the button was on an inline-mode message (which this bot never sends).
    /// An `InaccessibleMessage` (too old) still has `chat` and `message_id`.
    pub message: Option<RawCallbackMessage>,
    /// Absent for game buttons (never sent by this bot).
    pub data: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct RawCallbackMessage {
    pub message_id: i64,
    pub chat: RawChat,
    pub reply_markup: Option<RawInlineKeyboard>,
}

#[derive(Deserialize)]
pub(super) struct RawInlineKeyboard {
    pub inline_keyboard: Vec<Vec<RawInlineButton>>,
}

#[derive(Deserialize)]
pub(super) struct RawInlineButton {
    pub text: String,
    pub callback_data: Option<String>,
}
