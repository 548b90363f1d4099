//! Irreversible moves of a case (closing it, for any reason; marking the exit) ask first, in a
//! page that works without JavaScript: the case page's buttons post without `confirm` and are
//! answered with this page (nothing changes), whose own form posts again with `confirm=1`.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use fluent_bundle::FluentValue;
use safepassage_domain::{CaseId, Transition};
use uuid::Uuid;

use super::access::{self, CaseReach};
use super::case::parse_move;
use super::errors;
use super::form::Id;
use super::lang::Lang;
use super::roles::{Allowed, CaseWork};
use super::session::Staff;
use super::views::{self, short_id, word, Chrome};
use crate::error::PageError;
use crate::AppState;

/// A move there is no way back from: the case leaves the open states for good.
pub(crate) fn irreversible(t: Transition) -> bool {
    match t {
        Transition::Advance { to } => !to.is_open(),
        Transition::Close { .. } => true,
    }
}

#[derive(Template)]
#[template(path = "console/confirm.html")]
struct ConfirmPage {
    chrome: Chrome,
    id: String,
    /// The move as the case page's button sent it (`close:<reason>`, `advance:<state>`).
    transition: String,
    what: String,
}

/// The page asking to confirm `requested` on case `id` (status 200: nothing was done).
pub(crate) fn page(
    state: &AppState,
    lang: Lang,
    staff: &Staff,
    id: Uuid,
    requested: Transition,
    value: &str,
) -> Response {
    let i18n = &state.i18n;
    let case = FluentValue::from(short_id(&id));
    let what = match requested {
        Transition::Close { reason } => i18n.text_with(
            lang.language,
            "case-confirm-close",
            &[("case", case), ("reason", FluentValue::from(word(i18n, lang, "reason", reason.as_str())))],
        ),
        Transition::Advance { to } => i18n.text_with(
            lang.language,
            "case-confirm-advance",
            &[("case", case), ("state", FluentValue::from(word(i18n, lang, "state", to.as_str())))],
        ),
    };
    let path = format!("/console/cases/{id}/transition");
    let page = ConfirmPage {
        chrome: Chrome::staff(state, lang, staff, &path, None, "case-confirm-title"),
        id: id.to_string(),
        transition: value.to_owned(),
        what,
    };
    views::render(state, lang, StatusCode::OK, &page)
}

/// `GET /console/cases/{id}/transition?transition=<move>`: what the move will do, and the form
/// that does it. Only a move the reader's role may make from the case's state is offered.
pub(crate) async fn ask(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<CaseWork>,
    Id(id): Id,
    uri: Uri,
) -> Result<Response, PageError> {
    let grant = access::case(&state, &who, lang, CaseId(id), CaseReach::HandOff).await?;
    let value = form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "transition")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let Some(requested) = parse_move(&value) else {
        return Err(errors::bad_request(&state.i18n, lang));
    };
    if !grant.case.state.moves_for(who.staff.role).contains(&requested) {
        return Err(errors::forbidden(&state.i18n, lang));
    }
    Ok(page(&state, lang, &who.staff, id, requested, &value))
}
