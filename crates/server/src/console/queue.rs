//! The operators' queue: waiting conversations, priority first and then oldest first, with how
//! long each has waited; taking one, which exactly one person wins; and "my conversations".
//! A waiting conversation of someone else's case shows only as a returning applicant and whose
//! case it is: no link, no take, nothing of what was said.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use std::collections::HashMap;

use fluent_bundle::FluentValue;
use safepassage_domain::{CaseId, ConversationId};
use safepassage_store::{CaseView, ConversationView, StoreError};

use super::access::{self, CaseFacts, Reach};
use super::errors::{self, OrPage};
use super::form::Id;
use super::lang::{self, Lang};
use super::now_ms;
use super::roles::{Allowed, QueueWork};
use super::timeline::Names;
use super::views::{self, short_id, waited, word, Chrome};
use crate::error::PageError;
use crate::AppState;

/// More than a screen of waiting people is a surge; the oldest are shown first anyway.
const QUEUE_LIMIT: i64 = 200;
/// Calls with the bot shown under the queue: begun within the voice intake's life (15 minutes),
/// heard from within the last 3 (a caller who hung up during the intake falls off).
const CALL_WINDOW_MS: i64 = 15 * 60 * 1000;
const CALL_QUIET_MS: i64 = 3 * 60 * 1000;
const CALLS_SHOWN: i64 = 50;

#[derive(Clone)]
pub(crate) struct QueueRow {
    pub id: String,
    pub short: String,
    pub waiting: String,
    pub language: String,
    pub channel: String,
    pub priority: bool,
    /// Someone else's case: the neutral line shown instead of the conversation.
    pub kept: Option<String>,
    /// An applicant of a case of mine came back.
    pub returning: bool,
    /// What the bot learnt, as one line of category names ("" when nothing).
    pub results: String,
    /// A caller on the line (the voice channel): shown as a call.
    pub call: bool,
    /// The case a caller joined with their codename, worded ("case 1a2b3c4d").
    pub call_case: Option<String>,
    /// A call still with the bot (in the voice intake): shown so the line's load is seen, not
    /// taken yet.
    pub with_bot: bool,
}

#[derive(Template)]
#[template(path = "console/queue.html")]
struct QueuePage {
    chrome: Chrome,
    rows: Vec<QueueRow>,
    mine: Vec<QueueRow>,
}

/// The `#queue` table alone, from the same template, for console.js to swap in.
#[derive(Template)]
#[template(path = "console/queue.html", block = "queue")]
struct QueueFragment {
    chrome: Chrome,
    rows: Vec<QueueRow>,
}

fn row(state: &AppState, lang: Lang, c: &ConversationView, since_ms: i64, now: i64) -> QueueRow {
    QueueRow {
        id: c.id.to_string(),
        short: short_id(&c.id.0),
        waiting: waited(&state.i18n, lang, now - since_ms),
        language: word(&state.i18n, lang, "language", c.language.as_str()),
        channel: word(&state.i18n, lang, "channel", c.channel.as_str()),
        priority: c.priority,
        kept: None,
        returning: false,
        results: String::new(),
        call: c.channel == safepassage_domain::Channel::Voice,
        call_case: c.case.filter(|_| c.channel == safepassage_domain::Channel::Voice).map(|case| {
            state.i18n.text_with(lang.language, "queue-call-case", &[("case", FluentValue::from(short_id(&case.0)))])
        }),
        with_bot: false,
    }
}

/// Rows at the head of the queue that get their line of bot results: each line is a read and a
/// decryption of the flow session, and in a wave the queue page is reloaded on every change, so
/// only the rows operators take next are worded.
const ROWS_WITH_RESULTS: usize = 50;

/// Fills the line of bot results of the first rows (not for a row kept for someone else's case:
/// nothing of what was said shows there). A summary that cannot be read leaves the line empty.
async fn with_results(state: &AppState, lang: Lang, rows: &mut [QueueRow]) {
    for row in rows.iter_mut().take(ROWS_WITH_RESULTS).filter(|r| r.kept.is_none()) {
        let Ok(id) = row.id.parse::<uuid::Uuid>() else { continue };
        if let Ok(Some(summary)) = state.flow_summary(ConversationId(id)).await {
            row.results = super::bot_results::one_line(&super::bot_results::shown(state, lang, &summary));
        }
    }
}

/// `GET /console/queue`, or with `?fragment=1` only the table (for live updates).
pub(crate) async fn page(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<QueueWork>,
    uri: Uri,
) -> Result<Response, PageError> {
    let now = now_ms();
    let (me, role) = (who.staff.id, who.staff.role);
    let waiting = state.store.queue(QUEUE_LIMIT).await.or_page(&state.i18n, lang)?;
    let mut cases: HashMap<CaseId, CaseView> = HashMap::new();
    for id in waiting.iter().filter_map(|c| c.case) {
        if let std::collections::hash_map::Entry::Vacant(slot) = cases.entry(id) {
            if let Some(case) = state.store.case(id).await.or_page(&state.i18n, lang)? {
                slot.insert(case);
            }
        }
    }
    // Collected first: an iterator of borrowing closures held across an await is not `Send`.
    let owners: Vec<_> = cases.values().filter_map(|c| c.assigned_to).collect();
    let owners = Names::load(&state, lang, owners).await.or_page(&state.i18n, lang)?;
    let mut returning = Vec::new();
    let mut rows: Vec<QueueRow> = waiting
        .iter()
        .map(|c| {
            let mut row = row(&state, lang, c, c.queued_ms.unwrap_or(c.created_ms), now);
            let case = c.case.and_then(|id| cases.get(&id));
            let facts = case.map(CaseFacts::from);
            if access::conversation_reach(role, me, c.into(), facts) == Reach::None {
                row.call_case = None;
                row.kept = Some(match case.and_then(|c| c.assigned_to) {
                    Some(owner) => state.i18n.text_with(
                        lang.language,
                        "queue-returning-assigned",
                        &[("owner", FluentValue::from(owners.of(owner)))],
                    ),
                    None => state.i18n.text(lang.language, "queue-returning-unassigned"),
                });
            } else if access::kept_for_case(c.into(), facts) && case.is_some_and(|c| c.assigned_to == Some(me)) {
                row.returning = true;
                let mut mine = row.clone();
                mine.waiting = waited(&state.i18n, lang, now - c.last_message_ms);
                returning.push(mine);
            }
            row
        })
        .collect();
    with_results(&state, lang, &mut rows).await;
    // Then the calls still with the bot, ringing through the intake: the line's load, live.
    let calls = state.store.calls_with_the_bot(now, CALL_WINDOW_MS, CALL_QUIET_MS, CALLS_SHOWN).await;
    rows.extend(
        calls
            .or_page(&state.i18n, lang)?
            .iter()
            .map(|c| QueueRow { with_bot: true, ..row(&state, lang, c, c.created_ms, now) }),
    );
    let chrome = Chrome::staff(&state, lang, &who.staff, "/console/queue", uri.query(), "queue-title").with_live();
    if uri.query().and_then(|q| lang::query_value(q, "fragment")) == Some("1") {
        return Ok(views::render(&state, lang, StatusCode::OK, &QueueFragment { chrome, rows }));
    }
    let assigned = state.store.conversations_assigned_to(who.staff.id).await.or_page(&state.i18n, lang)?;
    // Applicants of my cases who came back wait for me first, then what I have taken.
    let mut mine = returning;
    mine.extend(assigned.iter().map(|c| row(&state, lang, c, c.last_message_ms, now)));
    with_results(&state, lang, &mut mine).await;
    Ok(views::render(&state, lang, StatusCode::OK, &QueuePage { chrome, rows, mine }))
}

/// `POST /console/conversations/{id}/take`. The store's guarded update decides a race: the
/// loser is told, kindly, that someone else has it.
pub(crate) async fn take(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<QueueWork>,
    Id(id): Id,
) -> Result<Response, PageError> {
    access::takeable(&state, &who, lang, ConversationId(id)).await?;
    match state.take_conversation(ConversationId(id), who.staff.id).await {
        Ok(()) => Ok(views::see_other(&format!("/console/conversations/{id}"))),
        Err(StoreError::Conflict(_)) => Ok(views::see_other("/console/queue?notice=taken")),
        Err(e) => Err(errors::store(&state.i18n, lang, e)),
    }
}
