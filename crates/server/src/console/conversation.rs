//! One conversation at the console: its transcript (every view recorded), replies that reach
//! the applicant on their channel, closing, and opening a case from it.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use safepassage_domain::{CaseKind, ConversationId, Event, Role, Sender};
use safepassage_store::{ConversationStatus, StoreError};
use serde::Deserialize;

use super::access::{self, Reach};
use super::codename_mask;
use super::errors::{self, OrPage};
use super::form::{Form, Id};
use super::lang::Lang;
use super::roles::{Allowed, Conversations, QueueWork};
use super::views::{self, clock, short_id, word, Chrome};
use crate::error::PageError;
use crate::AppState;

/// As long as an applicant may write (the chat's own limit).
pub(crate) const MAX_REPLY_CHARS: usize = 4096;
/// The most recent messages a transcript shows; longer conversations drop their beginning.
const TRANSCRIPT_KEEP: usize = 1000;

pub(crate) struct MessageRow {
    pub seq: i64,
    pub from: &'static str,
    pub who: String,
    pub at: String,
    pub text: String,
    /// Why a message to a messenger never reached the person, when it did not.
    pub undelivered: Option<String>,
}

pub(crate) struct CaseLink {
    pub href: String,
    pub short: String,
}

#[derive(Template)]
#[template(path = "console/conversation.html")]
struct ConversationPage {
    chrome: Chrome,
    /// The applicant wrote their duress phrase: whoever answers must keep it harmless.
    under_duress: bool,
    id: String,
    short: String,
    channel: String,
    language: String,
    status: String,
    case: Option<CaseLink>,
    /// What the bot learnt: the ticket's topic and the flows' results (never the duress phrase).
    bot_topic: Option<String>,
    bot_results: Vec<super::bot_results::ShownResult>,
    messages: Vec<MessageRow>,
    last_seq: i64,
    /// Labels console.js gives to messages that arrive live.
    label_applicant: String,
    label_bot: String,
    label_staff: String,
    write: bool,
    can_close: bool,
    can_open_case: bool,
    can_take: bool,
    /// Places the applicant sent before the conversation had a case.
    locations: Vec<super::locations::LocationRow>,
    /// The case's facts for those within its need to know.
    case_panel: Option<super::conversation_case::CasePanel>,
    /// Relatives: the case this is a relative's conversation of, or the form to link it.
    relative: super::relatives::RelativePart,
}

/// Messages of a messenger's conversation that the outbox gave up on, with the reason in words
/// (the person blocked the bot, the messenger was unreachable for hours).
async fn undelivered(
    state: &AppState,
    lang: Lang,
    conversation: &safepassage_store::ConversationView,
) -> Result<std::collections::HashMap<safepassage_domain::MessageId, String>, PageError> {
    if !safepassage_conversation::channel::outbound::through_outbox(conversation.channel) {
        return Ok(std::collections::HashMap::new());
    }
    let failures = state.store.outbound_failures(conversation.id).await.or_page(&state.i18n, lang)?;
    Ok(failures
        .into_iter()
        .filter_map(|f| {
            let reason = match f.failure.as_str() {
                "refused" => "message-undelivered-refused",
                "gave_up" => "message-undelivered-gave-up",
                _ => "message-undelivered",
            };
            Some((f.message?, state.i18n.text(lang.language, reason)))
        })
        .collect())
}

pub(crate) fn sender_word(sender: Sender) -> &'static str {
    sender.as_str()
}

/// `GET /console/conversations/{id}`.
pub(crate) async fn page(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Conversations>,
    Id(id): Id,
    uri: Uri,
) -> Result<Response, PageError> {
    let i18n = &state.i18n;
    let grant = access::conversation(&state, &who, lang, ConversationId(id), Reach::Read).await?;
    let conversation = &grant.conversation;
    let staff = &who.staff;
    // Recorded before anything is shown: a transcript nobody can account for is never sent.
    let view = Event::TranscriptViewed { conversation: conversation.id, by: staff.id };
    state.store.record(vec![view]).await.or_page(i18n, lang)?;
    let stored = state.recent_messages(conversation.id, TRANSCRIPT_KEEP).await.or_page(i18n, lang)?;
    let labels = [Sender::Applicant, Sender::Bot, Sender::Staff].map(|s| word(i18n, lang, "sender", s.as_str()));
    let shredded = i18n.text(lang.language, "message-shredded");
    let undelivered = undelivered(&state, lang, conversation).await?;
    let messages: Vec<MessageRow> = stored
        .iter()
        .map(|m| MessageRow {
            seq: m.seq,
            from: sender_word(m.sender),
            who: word(i18n, lang, "sender", m.sender.as_str()),
            at: clock(m.at_ms),
            text: m
                .body
                .text()
                .map_or_else(|| shredded.clone(), |t| codename_mask::for_staff(m.sender, t).into_owned()),
            undelivered: undelivered.get(&m.id).cloned(),
        })
        .collect();
    let case = grant
        .case
        .as_ref()
        .filter(|c| access::sees_case(staff.role, staff.id, c))
        .map(|c| CaseLink { href: format!("/console/cases/{}", c.id), short: short_id(&c.id.0) });
    let case_panel = super::conversation_case::panel(&state, lang, staff, conversation, grant.case.as_ref()).await?;
    let relative = super::relatives::conversation_part(&state, lang, staff, conversation, grant.reach).await?;
    let under_duress = grant.case.as_ref().is_some_and(|c| c.under_duress_since_ms.is_some());
    let summary = state.flow_summary(conversation.id).await.or_page(i18n, lang)?.unwrap_or_default();
    let write = grant.reach == Reach::Write;
    let takes = matches!(staff.role, Role::Operator | Role::Specialist);
    let [label_applicant, label_bot, label_staff] = labels;
    let path = format!("/console/conversations/{id}");
    let page = ConversationPage {
        chrome: Chrome::staff(&state, lang, staff, &path, uri.query(), "conversation-title").with_live(),
        id: id.to_string(),
        short: short_id(&id),
        channel: word(i18n, lang, "channel", conversation.channel.as_str()),
        language: word(i18n, lang, "language", conversation.language.as_str()),
        status: word(i18n, lang, "status", conversation.status.as_str()),
        case,
        under_duress,
        bot_topic: summary.topic.clone().map(|t| if t.is_empty() { "—".to_owned() } else { t }),
        bot_results: super::bot_results::shown(&state, lang, &summary),
        last_seq: messages.last().map_or(0, |m| m.seq),
        messages,
        label_applicant,
        label_bot,
        label_staff,
        write,
        can_close: write && conversation.status != ConversationStatus::Closed,
        can_open_case: write && takes && conversation.case.is_none(),
        can_take: takes && conversation.status == ConversationStatus::Queued,
        locations: super::locations::of_conversation(&state, lang, conversation).await?,
        case_panel,
        relative,
    };
    Ok(views::render(&state, lang, StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub(crate) struct ReplyForm {
    #[serde(default)]
    text: String,
}

/// `POST /console/conversations/{id}/reply`: stored sealed, then shown live to the applicant.
pub(crate) async fn reply(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Conversations>,
    Id(id): Id,
    Form(form): Form<ReplyForm>,
) -> Result<Response, PageError> {
    let grant = access::conversation(&state, &who, lang, ConversationId(id), Reach::Write).await?;
    let back = format!("/console/conversations/{id}");
    // Browsers send line breaks as CRLF; applicants' clients expect plain LF.
    let text = form.text.replace("\r\n", "\n");
    let text = text.trim();
    if text.is_empty() {
        return Ok(views::see_other(&format!("{back}?notice=reply-empty")));
    }
    if text.chars().count() > MAX_REPLY_CHARS {
        return Ok(views::see_other(&format!("{back}?notice=reply-too-long")));
    }
    state.staff_says(&grant.conversation, text).await.or_page(&state.i18n, lang)?;
    Ok(views::see_other(&back))
}

/// `POST /console/conversations/{id}/close`. An applicant who writes again goes back to the queue.
pub(crate) async fn close(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Conversations>,
    Id(id): Id,
) -> Result<Response, PageError> {
    let grant = access::conversation(&state, &who, lang, ConversationId(id), Reach::Write).await?;
    match state.close_conversation(grant.conversation.id, who.staff.id).await {
        Ok(()) => Ok(views::see_other(&format!("{}?notice=closed", views::landing(who.staff.role)))),
        Err(StoreError::Conflict(_)) => {
            Ok(views::see_other(&format!("/console/conversations/{id}?notice=already-closed")))
        }
        Err(e) => Err(errors::store(&state.i18n, lang, e)),
    }
}

#[derive(Deserialize)]
pub(crate) struct OpenCaseForm {
    #[serde(default)]
    kind: String,
}

/// `POST /console/conversations/{id}/case`: a case for this conversation, owned by whoever
/// opens it.
pub(crate) async fn open_case(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<QueueWork>,
    Id(id): Id,
    Form(form): Form<OpenCaseForm>,
) -> Result<Response, PageError> {
    let grant = access::conversation(&state, &who, lang, ConversationId(id), Reach::Write).await?;
    if let Some(existing) = grant.conversation.case {
        return Ok(views::see_other(&format!("/console/cases/{existing}?notice=case-exists")));
    }
    let kind = match form.kind.as_str() {
        "" | "individual" => CaseKind::Individual,
        "group" => CaseKind::Group,
        _ => return Err(errors::bad_request(&state.i18n, lang)),
    };
    let case =
        state.store.open_case(Some(grant.conversation.id), kind, who.staff.id).await.or_page(&state.i18n, lang)?;
    state.hub.unassigned_changed(case, Some(who.staff.id));
    Ok(views::see_other(&format!("/console/cases/{case}")))
}
