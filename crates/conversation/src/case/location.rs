//! A location the applicant sends (the chat's form or API): kept as a sealed report, counted as
//! the case's contact, and given to the bot when its flow waits, as a channel that shares
//! locations would (RapidPro: an input whose attachment is `geo:LAT,LON`; words as text).

use safepassage_domain::{LocationReport, Place, Sender};
use safepassage_flows::engine::MsgIn;
use safepassage_store::{ConversationStatus, ConversationView, StepMessage, StoreError};

use crate::Conversations;

/// What the transcript shows in place of the location: the place itself is never a message
/// (it is a report, read where every view is recorded).
const IN_TRANSCRIPT: &str = "chat-location-in-transcript";

/// The flow's input for a report: a point as the attachment `geo:LAT,LON` (six decimals, as
/// RapidPro's channels write it), words as the message's text.
pub fn flow_input(report: &LocationReport) -> MsgIn {
    let uuid = uuid::Uuid::new_v4().to_string();
    match &report.place {
        Place::Point { lat, lon, .. } => {
            MsgIn { uuid, attachments: vec![format!("geo:{lat:.6},{lon:.6}")], ..Default::default() }
        }
        Place::Described(words) => MsgIn { uuid, text: words.clone(), ..Default::default() },
    }
}

impl Conversations {
    /// The applicant's location: recorded (sealed, on the case when the conversation has one),
    /// a contact of the case (its holder is told live), then either the input of the flow that
    /// waits in the conversation, or a line in the transcript that the conversation's watchers
    /// see live, and the conversation goes to the queue if no one attends it, like a message.
    pub async fn applicant_sends_location(
        &self,
        conversation: &ConversationView,
        report: &LocationReport,
    ) -> Result<(), StoreError> {
        self.store.record_applicant_location(conversation.id, report).await?;
        // The view may have been cached before the conversation joined its case.
        let case = match conversation.case {
            Some(case) => Some(case),
            None => self.store.conversation(conversation.id).await?.and_then(|c| c.case),
        };
        if let Some(case) = case {
            self.applicant_contact(case).await?;
        }
        let shown = self.i18n.text(conversation.language, IN_TRANSCRIPT);
        let bot_holds_it = self.bot.is_some() && conversation.status == ConversationStatus::Bot;
        if bot_holds_it && self.resume_flow_with(conversation, flow_input(report), &shown, None).await?.is_some() {
            return Ok(());
        }
        self.record(conversation, StepMessage::new(Sender::Applicant, shown)).await?;
        if crate::bot::needs_operator(conversation) && self.store.queue_conversation(conversation.id, false).await? {
            self.tokens.forget(conversation.id);
            self.hub.queue_changed();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use safepassage_domain::{Language, LocationSource};

    use super::*;

    fn report(input: &str) -> LocationReport {
        LocationReport::from_input(input, None, LocationSource::ApplicantTyped, None, 1_700_000_000_000).unwrap()
    }

    #[test]
    fn a_point_is_a_geo_attachment_and_words_are_text() {
        let point = flow_input(&report("48.0159, 37.8028"));
        assert_eq!(
            (point.text.as_str(), point.attachments.as_slice()),
            ("", &["geo:48.015900,37.802800".to_owned()][..])
        );
        let south_west = flow_input(&report("33.9 S 18.4 W"));
        assert_eq!(south_west.attachments, ["geo:-33.900000,-18.400000"]);
        let words = flow_input(&report("in the basement of the school"));
        assert_eq!((words.text.as_str(), words.attachments.len()), ("in the basement of the school", 0));
        assert_ne!(point.uuid, words.uuid);
    }

    #[test]
    fn the_transcript_line_exists_in_every_language_and_names_no_place() {
        let i18n = crate::I18n::core();
        for language in [Language::Ru, Language::Uk, Language::En] {
            assert!(i18n.has(language, IN_TRANSCRIPT), "{language}");
            assert!(!i18n.text(language, IN_TRANSCRIPT).chars().any(|c| c.is_ascii_digit()));
        }
    }
}
