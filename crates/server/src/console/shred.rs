//! Crypto-shredding a case from the console: coordinators only, in two steps that work
//! without JavaScript. `GET` shows what will happen and asks for a reason and a confirmation;
//! `POST` with both destroys the keys (the store records who and why). The page shows only the
//! case's id, kind and state, so it needs no reach into the case's content: a closed case,
//! which coordinators no longer see, can be shredded too.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use safepassage_domain::{CaseId, ShredReason};
use safepassage_store::StoreError;
use serde::Deserialize;

use super::errors::{self, OrPage};
use super::form::{Form, Id};
use super::lang::Lang;
use super::roles::{Allowed, Shredding};
use super::timeline::kind_word;
use super::views::{self, short_id, word, Chrome};
use crate::error::PageError;
use crate::AppState;

pub(crate) struct ReasonChoice {
    pub value: &'static str,
    pub label: String,
}

#[derive(Template)]
#[template(path = "console/shred.html")]
struct ShredPage {
    chrome: Chrome,
    id: String,
    short: String,
    state_label: String,
    kind_label: String,
    shredded: bool,
    conversations: usize,
    reasons: Vec<ReasonChoice>,
}

/// `GET /console/cases/{id}/shred`.
pub(crate) async fn page(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Shredding>,
    Id(id): Id,
    uri: Uri,
) -> Result<Response, PageError> {
    let i18n = &state.i18n;
    let case = state.store.case(CaseId(id)).await.or_page(i18n, lang)?.ok_or_else(|| errors::not_found(i18n, lang))?;
    let conversations = state.store.conversations_of_case(case.id).await.or_page(i18n, lang)?.len();
    let path = format!("/console/cases/{id}/shred");
    let page = ShredPage {
        chrome: Chrome::staff(&state, lang, &who.staff, &path, uri.query(), "shred-title"),
        id: id.to_string(),
        short: short_id(&id),
        state_label: word(i18n, lang, "state", case.state.as_str()),
        kind_label: word(i18n, lang, "kind", kind_word(case.kind)),
        shredded: case.shredded,
        conversations,
        reasons: ShredReason::ALL
            .iter()
            .map(|r| ReasonChoice { value: r.as_str(), label: word(i18n, lang, "shred-reason", r.as_str()) })
            .collect(),
    };
    Ok(views::render(&state, lang, StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub(crate) struct ShredForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /console/cases/{id}/shred`: only with a reason from the list and the box ticked.
pub(crate) async fn shred(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Shredding>,
    Id(id): Id,
    Form(form): Form<ShredForm>,
) -> Result<Response, PageError> {
    let i18n = &state.i18n;
    let page = format!("/console/cases/{id}/shred");
    let case = state.store.case(CaseId(id)).await.or_page(i18n, lang)?.ok_or_else(|| errors::not_found(i18n, lang))?;
    let Ok(reason) = form.reason.parse::<ShredReason>() else {
        return Ok(views::see_other(&format!("{page}?notice=shred-unconfirmed")));
    };
    if form.confirm != "yes" {
        return Ok(views::see_other(&format!("{page}?notice=shred-unconfirmed")));
    }
    match state.store.shred_case(case.id, who.staff.id, reason).await {
        Ok(()) => Ok(views::see_other(&format!("{page}?notice=shredded"))),
        Err(StoreError::Conflict(_)) => Ok(views::see_other(&format!("{page}?notice=shredded-already"))),
        Err(e) => Err(errors::store(i18n, lang, e)),
    }
}
