//! A codename from the console (`POST /console/cases/{id}/codename`): the case's holder issues
//! one, or a new one that replaces the old. The answer shows it once (no redirect, no cache, no
//! log line); it is never shown again: the store keeps only its slow keyed hash.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use safepassage_domain::{CaseError, CaseId};
use safepassage_store::StoreError;

use super::access::{self, CaseReach};
use super::errors;
use super::form::Id;
use super::lang::Lang;
use super::roles::{Allowed, Holding};
use super::views::{self, Chrome};
use crate::error::PageError;
use crate::AppState;

#[derive(Template)]
#[template(path = "console/codename.html")]
struct CodenamePage {
    chrome: Chrome,
    id: String,
    codename: String,
    replaced: bool,
}

/// `POST /console/cases/{id}/codename`.
pub(crate) async fn issue(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Holding>,
    Id(id): Id,
) -> Result<Response, PageError> {
    let staff = &who.staff;
    let grant = access::case(&state, &who, lang, CaseId(id), CaseReach::Full).await?;
    let page = format!("/console/cases/{id}");
    match state.store.issue_codename_by_staff(grant.case.id, staff.id, staff.role).await {
        Ok(codename) => {
            let shown = CodenamePage {
                chrome: Chrome::staff(&state, lang, staff, &format!("{page}/codename"), None, "holding-codename-title"),
                id: id.to_string(),
                codename: codename.grouped(),
                replaced: grant.case.has_codename,
            };
            Ok(views::render(&state, lang, StatusCode::OK, &shown))
        }
        Err(StoreError::Case(CaseError::NotTheHolder)) => Err(errors::forbidden(&state.i18n, lang)),
        Err(StoreError::Case(CaseError::Finished(_))) | Err(StoreError::Conflict(_)) => {
            Ok(views::see_other(&format!("{page}?notice=moved-meanwhile")))
        }
        Err(e) => Err(errors::store(&state.i18n, lang, e)),
    }
}
