//! `GET /console`: the start page. Says who is logged in and leads into the parts of the
//! console the role may enter; an analyst's figures will live here once published.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;

use super::lang::Lang;
use super::roles::{Allowed, AnyStaff};
use super::views::{self, Chrome};
use crate::AppState;

#[derive(Template)]
#[template(path = "console/home.html")]
struct HomePage {
    chrome: Chrome,
    intro: String,
}

pub(crate) async fn page(State(state): State<AppState>, lang: Lang, who: Allowed<AnyStaff>, uri: Uri) -> Response {
    let staff = &who.staff;
    let intro = state.i18n.text(lang.language, &format!("home-intro-{}", staff.role.as_str()));
    let chrome = Chrome::staff(&state, lang, staff, "/console", uri.query(), "home-title");
    views::render(&state, lang, StatusCode::OK, &HomePage { chrome, intro })
}
