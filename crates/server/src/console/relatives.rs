//! Relatives at the console: the specialist answering a relative's conversation links it to a
//! case they hold, as a relative's (`POST /console/conversations/{id}/relative`); the case page
//! lists its relatives' conversations, and the conversation page names the case to those who
//! see it.

use axum::extract::State;
use axum::response::Response;
use safepassage_domain::{CaseError, CaseId, CaseState, ConversationId, Role};
use safepassage_store::{CaseFilter, ConversationView, StoreError};
use serde::Deserialize;
use uuid::Uuid;

use super::access::{self, CaseReach, Reach};
use super::errors::{self, OrPage};
use super::form::{Form, Id};
use super::lang::Lang;
use super::roles::{Allowed, Linking};
use super::session::Staff;
use super::views::{self, short_id};
use crate::error::PageError;
use crate::AppState;

const OPEN: &[CaseState] = &[
    CaseState::Inquiry,
    CaseState::Registered,
    CaseState::Deployed,
    CaseState::Located,
    CaseState::PlanApproved,
    CaseState::HandedOff,
];

/// A case in the link form, or the case a conversation is linked to.
pub(crate) struct CaseChoice {
    pub id: String,
    pub short: String,
}

/// The relatives part of a conversation page.
#[derive(Default)]
pub(crate) struct RelativePart {
    /// The case this is a relative's conversation of, when the reader sees that case.
    pub linked_to: Option<CaseChoice>,
    /// The reader's open cases it can be linked to (a specialist writing in it, not linked).
    pub choices: Vec<CaseChoice>,
}

pub(crate) async fn conversation_part(
    state: &AppState,
    lang: Lang,
    staff: &Staff,
    conversation: &ConversationView,
    reach: Reach,
) -> Result<RelativePart, PageError> {
    let i18n = &state.i18n;
    if conversation.case.is_some() {
        return Ok(RelativePart::default());
    }
    if let Some(case) = state.store.relative_of(conversation.id).await.or_page(i18n, lang)? {
        let seen = state.store.case(case).await.or_page(i18n, lang)?;
        let linked_to = seen
            .filter(|c| access::sees_case(staff.role, staff.id, c))
            .map(|c| CaseChoice { id: c.id.to_string(), short: short_id(&c.id.0) });
        return Ok(RelativePart { linked_to, choices: Vec::new() });
    }
    if staff.role != Role::Specialist || reach != Reach::Write {
        return Ok(RelativePart::default());
    }
    let mine =
        state.store.cases(CaseFilter { assigned_to: Some(staff.id), states: OPEN }, 200).await.or_page(i18n, lang)?;
    let choices = mine.iter().map(|c| CaseChoice { id: c.id.to_string(), short: short_id(&c.id.0) }).collect();
    Ok(RelativePart { linked_to: None, choices })
}

#[derive(Deserialize)]
pub(crate) struct RelativeForm {
    #[serde(default)]
    case: String,
}

/// `POST /console/conversations/{id}/relative`.
pub(crate) async fn link(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Linking>,
    Id(id): Id,
    Form(form): Form<RelativeForm>,
) -> Result<Response, PageError> {
    let staff = &who.staff;
    let grant = access::conversation(&state, &who, lang, ConversationId(id), Reach::Write).await?;
    let Ok(case) = form.case.trim().parse::<Uuid>() else {
        return Err(errors::bad_request(&state.i18n, lang));
    };
    let target = access::case(&state, &who, lang, CaseId(case), CaseReach::Full).await?;
    let page = format!("/console/conversations/{id}");
    match state.store.link_relative(grant.conversation.id, target.case.id, staff.id, staff.role).await {
        Ok(()) => Ok(views::see_other(&format!("{page}?notice=relative-linked"))),
        Err(StoreError::Case(CaseError::AlreadyLinked)) | Err(StoreError::Conflict(_)) => {
            Ok(views::see_other(&format!("{page}?notice=relative-already")))
        }
        Err(StoreError::Case(CaseError::NotTheHolder)) => Err(errors::forbidden(&state.i18n, lang)),
        Err(StoreError::Case(CaseError::Finished(_))) => {
            Ok(views::see_other(&format!("{page}?notice=moved-meanwhile")))
        }
        Err(e) => Err(errors::store(&state.i18n, lang, e)),
    }
}
