//! Administration of the figures: the mapping that sorts the bot's results into the figures'
//! categories (`/console/admin/figures`), and which analysts see figures without disclosure
//! control (`/console/admin/users/{id}/figures`). Both are events; neither shows case content.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use safepassage_domain::figures::classify::Mapping;
use safepassage_domain::Role;
use serde::Deserialize;

use super::admin::other_account;
use super::errors::{self, OrPage};
use super::form::{Form, Id};
use super::lang::Lang;
use super::roles::{Administration, Allowed};
use super::views::{self, Chrome};
use crate::error::PageError;
use crate::AppState;

pub(crate) const PATH: &str = "/console/admin/figures";

#[derive(Template)]
#[template(path = "console/figures_mapping.html")]
struct MappingPage {
    chrome: Chrome,
    rules: String,
    refused: Option<String>,
}

/// `GET /console/admin/figures`: the mapping in force, as text to edit.
pub(crate) async fn page(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Administration>,
    uri: Uri,
) -> Result<Response, PageError> {
    let rules = state.figures_mapping.current().to_text();
    let chrome = Chrome::staff(&state, lang, &who.staff, PATH, uri.query(), "figures-mapping-title");
    Ok(views::render(&state, lang, StatusCode::OK, &MappingPage { chrome, rules, refused: None }))
}

#[derive(Deserialize)]
pub(crate) struct MappingForm {
    #[serde(default)]
    rules: String,
}

/// `POST /console/admin/figures`: a new mapping; a bad line comes back with its number and
/// what is wrong, the text kept.
pub(crate) async fn save(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Administration>,
    Form(form): Form<MappingForm>,
) -> Result<Response, PageError> {
    match Mapping::parse(&form.rules) {
        Ok(mapping) => {
            state.set_figures_mapping(mapping, who.staff.id).await.or_page(&state.i18n, lang)?;
            Ok(views::see_other(&format!("{PATH}?notice=figures-mapping-saved")))
        }
        Err(e) => {
            let problem = e.to_string();
            let refused =
                state.i18n.text_with(lang.language, "figures-mapping-refused", &[("problem", problem.into())]);
            let chrome = Chrome::staff(&state, lang, &who.staff, PATH, None, "figures-mapping-title");
            let page = MappingPage { chrome, rules: form.rules, refused: Some(refused) };
            Ok(views::render(&state, lang, StatusCode::UNPROCESSABLE_ENTITY, &page))
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct AccessForm {
    #[serde(default)]
    internal: String,
}

/// `POST /console/admin/users/{id}/figures`: an analyst sees figures without disclosure
/// control (`internal=true`) or with it (`false`).
pub(crate) async fn set_access(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Administration>,
    Id(id): Id,
    Form(form): Form<AccessForm>,
) -> Result<Response, PageError> {
    let internal = match form.internal.as_str() {
        "true" => true,
        "false" => false,
        _ => return Err(errors::bad_request(&state.i18n, lang)),
    };
    let user = match other_account(&state, lang, &who, id).await? {
        Ok(user) => user,
        Err(refused) => return Ok(refused),
    };
    if user.role != Role::Analyst {
        return Err(errors::bad_request(&state.i18n, lang));
    }
    state.store.set_figures_internal(user.id, internal, who.staff.id).await.or_page(&state.i18n, lang)?;
    Ok(views::see_other("/console/admin/users?notice=figures-access-changed"))
}
