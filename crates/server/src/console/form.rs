//! Request inputs with console error pages: form bodies (`Form<T>`) and ids in paths (`Id`).
//! axum's own rejections are plain text; a person at the console gets a page instead.

use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::{errors, lang};
use crate::AppState;

/// A URL-encoded form body. The CSRF middleware has already checked its token.
pub(crate) struct Form<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Form<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Form<T>, Response> {
        let lang = lang::choose(request.headers(), request.uri());
        match axum::Form::<T>::from_request(request, state).await {
            Ok(axum::Form(value)) => Ok(Form(value)),
            Err(_) => Err(errors::bad_request(&state.i18n, lang).into_response()),
        }
    }
}

/// The `{id}` of a console path. A malformed id is simply not found.
pub(crate) struct Id(pub Uuid);

impl FromRequestParts<AppState> for Id {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Id, Response> {
        let lang = lang::choose(&parts.headers, &parts.uri);
        match Path::<String>::from_request_parts(parts, state).await.ok().and_then(|Path(s)| s.parse().ok()) {
            Some(id) => Ok(Id(id)),
            None => Err(errors::not_found(&state.i18n, lang).into_response()),
        }
    }
}
