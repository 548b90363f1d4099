//! A chat message as the applicant's side sees it, in the API, the event stream and the page:
//! who wrote it, its text and an RFC 3339 UTC time. Shredded messages are not shown at all.

use safepassage_domain::Sender;
use safepassage_store::MessageView;
use serde::Serialize;
use utoipa::ToSchema;

use crate::hub::LiveMessage;

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Author {
    Applicant,
    Bot,
    Staff,
}

impl Author {
    pub fn of(sender: Sender) -> Author {
        match sender {
            Sender::Applicant => Author::Applicant,
            Sender::Bot => Author::Bot,
            Sender::Staff => Author::Staff,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Author::Applicant => "applicant",
            Author::Bot => "bot",
            Author::Staff => "staff",
        }
    }
}

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = Message)]
pub struct ChatMessage {
    /// Position in the conversation; increases with every message. Use it as `after`.
    #[schema(example = 42)]
    pub seq: i64,
    pub from: Author,
    pub text: String,
    /// When it was recorded, RFC 3339 in UTC.
    #[schema(format = DateTime, example = "2025-03-01T12:34:56.789Z")]
    pub at: String,
    /// The bot's suggested answers (buttons), on the bot's latest question while its flow waits
    /// for the answer; send one as the text of a message. Empty otherwise.
    #[schema(example = json!(["Русский", "Українська", "English"]))]
    pub quick_replies: Vec<String>,
}

impl ChatMessage {
    /// `None` for a message whose key was destroyed: there is nothing left to show.
    pub fn from_view(m: &MessageView) -> Option<ChatMessage> {
        Some(ChatMessage {
            seq: m.seq,
            from: Author::of(m.sender),
            text: m.body.text()?.to_owned(),
            at: rfc3339(m.at_ms),
            quick_replies: Vec::new(),
        })
    }

    pub fn from_live(m: &LiveMessage) -> ChatMessage {
        ChatMessage {
            seq: m.seq,
            from: Author::of(m.sender),
            text: m.text.clone(),
            at: rfc3339(m.at_ms),
            quick_replies: m.quick_replies.clone(),
        }
    }

    /// The messages, with the bot's current buttons on the message they belong to.
    pub fn list(views: &[MessageView], quick_replies: Option<&(uuid::Uuid, Vec<String>)>) -> Vec<ChatMessage> {
        views
            .iter()
            .filter_map(|view| {
                let mut m = ChatMessage::from_view(view)?;
                if let Some((_, replies)) = quick_replies.filter(|(id, _)| *id == view.id.0) {
                    m.quick_replies = replies.clone();
                }
                Some(m)
            })
            .collect()
    }
}

/// Milliseconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ`. No date library for one
/// format: H. Hinnant's civil-from-days algorithm is a dozen lines.
pub fn rfc3339(ms: i64) -> String {
    let (days, ms_of_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (year, month, day) = civil_from_days(days);
    let (secs, millis) = (ms_of_day / 1000, ms_of_day % 1000);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

/// `HH:MM` (UTC) for the page; the script shows local time where it runs.
pub fn clock(ms: i64) -> String {
    let minutes = ms.rem_euclid(86_400_000) / 60_000;
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_rfc3339_utc() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(rfc3339(1_740_832_496_789), "2025-03-01T12:34:56.789Z");
        assert_eq!(rfc3339(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(clock(1_740_832_496_789), "12:34");
    }

    #[test]
    fn senders_are_named_as_the_api_documents() {
        assert_eq!(serde_json::to_string(&Author::of(Sender::Staff)).unwrap(), "\"staff\"");
        assert_eq!(Author::of(Sender::Applicant).as_str(), "applicant");
    }
}
