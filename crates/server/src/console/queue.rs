//! The operators' queue: waiting conversations, priority first and then oldest first, with how
//! long each has waited; taking one, which exactly one person wins; and "my conversations".

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use safepassage_domain::ConversationId;
use safepassage_store::{ConversationView, StoreError};

use super::errors::{self, OrPage};
use super::form::Id;
use super::lang::{self, Lang};
use super::now_ms;
use super::roles::{Allowed, QueueWork};
use super::views::{self, short_id, waited, word, Chrome};
use crate::error::PageError;
use crate::AppState;

/// More than a screen of waiting people is a surge; the oldest are shown first anyway.
const QUEUE_LIMIT: i64 = 200;

pub(crate) struct QueueRow {
    pub id: String,
    pub short: String,
    pub waiting: String,
    pub language: String,
    pub channel: String,
    pub priority: bool,
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
    let waiting = state.store.queue(QUEUE_LIMIT).await.or_page(&state.i18n, lang)?;
    let rows = waiting.iter().map(|c| row(&state, lang, c, c.queued_ms.unwrap_or(c.created_ms), now)).collect();
    let chrome = Chrome::staff(&state, lang, &who.staff, "/console/queue", uri.query(), "queue-title").with_live();
    if uri.query().and_then(|q| lang::query_value(q, "fragment")) == Some("1") {
        return Ok(views::render(&state, lang, StatusCode::OK, &QueueFragment { chrome, rows }));
    }
    let assigned = state.store.conversations_assigned_to(who.staff.id).await.or_page(&state.i18n, lang)?;
    let mine = assigned.iter().map(|c| row(&state, lang, c, c.last_message_ms, now)).collect();
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
    match state.take_conversation(ConversationId(id), who.staff.id).await {
        Ok(()) => Ok(views::see_other(&format!("/console/conversations/{id}"))),
        Err(StoreError::Conflict(_)) => Ok(views::see_other("/console/queue?notice=taken")),
        Err(e) => Err(errors::store(&state.i18n, lang, e)),
    }
}
