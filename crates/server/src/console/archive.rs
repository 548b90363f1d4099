//! The archive (`GET /console/cases/archive`): closed and exited cases stay findable by
//! coordinators, by state and by the date they finished (their last change), a page at a time.
//! Their case pages are read-only: a finished case offers no move, form or button.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use chrono::NaiveDate;
use safepassage_domain::CaseState;

use super::errors::{self, OrPage};
use super::lang::{self, Lang};
use super::roles::{Allowed, Archive};
use super::timeline::kind_word;
use super::views::{self, clock, short_id, word, Chrome};
use crate::error::PageError;
use crate::AppState;

const PAGE: i64 = 50;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// The most pages one can walk (a bounded OFFSET).
const MAX_PAGE: i64 = 1_000;

pub(crate) struct ArchiveRow {
    pub href: String,
    pub short: String,
    pub state: &'static str,
    pub state_label: String,
    pub kind: String,
    pub updated: String,
}

pub(crate) struct StateOption {
    pub value: &'static str,
    pub label: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "console/archive.html")]
struct ArchivePage {
    chrome: Chrome,
    states: Vec<StateOption>,
    from: String,
    to: String,
    rows: Vec<ArchiveRow>,
    prev: Option<String>,
    next: Option<String>,
}

/// A `YYYY-MM-DD` day as the milliseconds of its start (UTC).
fn day_start(value: &str) -> Option<i64> {
    let day = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis())
}

/// `GET /console/cases/archive?state=closed|exited&from=YYYY-MM-DD&to=YYYY-MM-DD&page=N`.
pub(crate) async fn page(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Archive>,
    uri: Uri,
) -> Result<Response, PageError> {
    let i18n = &state.i18n;
    let query = uri.query().unwrap_or_default();
    let value = |name| lang::query_value(query, name).unwrap_or_default();
    let (chosen, states): (&'static str, &'static [CaseState]) = match value("state") {
        "" | "all" => ("all", &[CaseState::Closed, CaseState::Exited]),
        "closed" => ("closed", &[CaseState::Closed]),
        "exited" => ("exited", &[CaseState::Exited]),
        _ => return Err(errors::bad_request(i18n, lang)),
    };
    let (from, to) = (value("from"), value("to"));
    let from_ms = match from {
        "" => 0,
        day => day_start(day).ok_or_else(|| errors::bad_request(i18n, lang))?,
    };
    let to_ms = match to {
        "" => i64::MAX,
        day => day_start(day).ok_or_else(|| errors::bad_request(i18n, lang))?.saturating_add(DAY_MS),
    };
    let page: i64 = match value("page") {
        "" => 0,
        n => n.parse().ok().filter(|n| (0..MAX_PAGE).contains(n)).ok_or_else(|| errors::bad_request(i18n, lang))?,
    };
    let mut cases =
        state.store.archived_cases(states, (from_ms, to_ms), (PAGE + 1, page * PAGE)).await.or_page(i18n, lang)?;
    let more = cases.len() as i64 > PAGE;
    cases.truncate(PAGE as usize);
    let rows = cases
        .iter()
        .map(|c| ArchiveRow {
            href: format!("/console/cases/{}", c.id),
            short: short_id(&c.id.0),
            state: c.state.as_str(),
            state_label: word(i18n, lang, "state", c.state.as_str()),
            kind: word(i18n, lang, "kind", kind_word(c.kind)),
            updated: clock(c.updated_ms),
        })
        .collect();
    let link = |p: i64| format!("/console/cases/archive?state={chosen}&from={from}&to={to}&page={p}");
    let states = [("all", "holding-archive-all"), ("closed", "state-closed"), ("exited", "state-exited")]
        .into_iter()
        .map(|(value, id)| StateOption { value, label: i18n.text(lang.language, id), current: value == chosen })
        .collect();
    let shown = ArchivePage {
        chrome: Chrome::staff(&state, lang, &who.staff, "/console/cases/archive", uri.query(), "holding-archive-title"),
        states,
        from: from.to_owned(),
        to: to.to_owned(),
        rows,
        prev: (page > 0).then(|| link(page - 1)),
        next: (more && page + 1 < MAX_PAGE).then(|| link(page + 1)),
    };
    Ok(views::render(&state, lang, StatusCode::OK, &shown))
}
