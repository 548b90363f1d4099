//! Notes on a case (`POST /console/cases/{id}/notes`): sealed under the case's data key, written
//! and read by those who see the case whole (its holder, coordinators while it is open). They are
//! read only on the case page, whose every view is recorded (`case_viewed`) before it is shown.

use axum::extract::State;
use axum::response::Response;
use safepassage_domain::CaseId;
use safepassage_store::{NoteKind, StoreError};
use serde::Deserialize;

use super::access::{self, CaseReach};
use super::errors;
use super::form::{Form, Id};
use super::lang::Lang;
use super::roles::{Allowed, Holding};
use super::views;
use crate::error::PageError;
use crate::AppState;

/// The longest note, in characters.
pub(crate) const NOTE_MAX_CHARS: usize = 10_000;

#[derive(Deserialize)]
pub(crate) struct NoteForm {
    #[serde(default)]
    text: String,
}

/// `POST /console/cases/{id}/notes`.
pub(crate) async fn add(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Holding>,
    Id(id): Id,
    Form(form): Form<NoteForm>,
) -> Result<Response, PageError> {
    let grant = access::case(&state, &who, lang, CaseId(id), CaseReach::Full).await?;
    let page = format!("/console/cases/{id}");
    let text = form.text.trim();
    if text.is_empty() {
        return Ok(views::see_other(&format!("{page}?notice=note-empty")));
    }
    if text.chars().count() > NOTE_MAX_CHARS {
        return Ok(views::see_other(&format!("{page}?notice=note-too-long")));
    }
    match state.store.add_note(grant.case.id, NoteKind::Note, who.staff.id, text).await {
        Ok(_) => Ok(views::see_other(&format!("{page}?notice=note-added#notes-heading"))),
        Err(StoreError::Conflict(_)) => Ok(views::see_other(&format!("{page}?notice=moved-meanwhile"))),
        Err(e) => Err(errors::store(&state.i18n, lang, e)),
    }
}
