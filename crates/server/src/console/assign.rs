//! Who holds a case: a coordinator gives an open case to an active specialist, or to another
//! one later (`POST /console/cases/{id}/assign`). The case page offers the form; the domain
//! decides (through the store) whatever the form said.

use axum::extract::State;
use axum::response::Response;
use safepassage_domain::{CaseError, CaseId, Role, UserId};
use safepassage_store::{CaseView, StoreError};
use serde::Deserialize;
use uuid::Uuid;

use super::access::{self, CaseReach};
use super::errors::{self, OrPage};
use super::form::{Form, Id};
use super::lang::Lang;
use super::roles::{Allowed, Assigning};
use super::session::Staff;
use super::views;
use crate::error::PageError;
use crate::AppState;

/// One specialist in the form's select.
pub(crate) struct Choice {
    pub id: String,
    pub name: String,
    pub current: bool,
}

/// The assignment form of a case page: only for coordinators, only while the case is open.
pub(crate) async fn choices(
    state: &AppState,
    lang: Lang,
    staff: &Staff,
    case: &CaseView,
) -> Result<Option<Vec<Choice>>, PageError> {
    if staff.role != Role::Coordinator || !case.state.is_open() {
        return Ok(None);
    }
    let specialists = state.store.assignable_specialists().await.or_page(&state.i18n, lang)?;
    Ok(Some(
        specialists
            .into_iter()
            .map(|(id, name)| Choice { id: id.to_string(), name, current: case.assigned_to == Some(id) })
            .collect(),
    ))
}

#[derive(Deserialize)]
pub(crate) struct AssignForm {
    #[serde(default)]
    to: String,
}

/// `POST /console/cases/{id}/assign`.
pub(crate) async fn assign(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Assigning>,
    Id(id): Id,
    Form(form): Form<AssignForm>,
) -> Result<Response, PageError> {
    let staff = &who.staff;
    let grant = access::case(&state, &who, lang, CaseId(id), CaseReach::Full).await?;
    let Ok(to) = form.to.trim().parse::<Uuid>() else {
        return Err(errors::bad_request(&state.i18n, lang));
    };
    let page = format!("/console/cases/{id}");
    match state.store.assign_case(grant.case.id, UserId(to), staff.id, staff.role).await {
        Ok(()) => {
            state.hub.unassigned_changed(grant.case.id, Some(UserId(to)));
            Ok(views::see_other(&format!("{page}?notice=assigned")))
        }
        Err(StoreError::Case(CaseError::NotASpecialist)) => {
            Ok(views::see_other(&format!("{page}?notice=assign-not-specialist")))
        }
        Err(StoreError::Case(CaseError::AlreadyAssigned)) => {
            Ok(views::see_other(&format!("{page}?notice=assign-already")))
        }
        Err(StoreError::Conflict(_)) => Ok(views::see_other(&format!("{page}?notice=moved-meanwhile"))),
        Err(e) => Err(errors::store(&state.i18n, lang, e)),
    }
}
