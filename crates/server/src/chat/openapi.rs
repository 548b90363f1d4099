//! `GET /api/openapi.json`: the chat API described by the code itself (utoipa), so the document
//! cannot drift from the handlers. External tools read it to test and attack the API.

use std::sync::LazyLock;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{api, events};
use crate::error::ErrorBody;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Safe Passage chat API",
        description = "The applicant's side of a web conversation. Errors are `{\"error\": code, \"message\": text}` \
                       with a 4xx status; bodies are JSON of at most 64 KiB.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    paths(
        api::create_session,
        api::post_message,
        api::get_messages,
        super::location::post_location,
        events::events,
        api::join_by_codename,
        openapi_json,
    ),
    components(schemas(ErrorBody)),
    modifiers(&Security),
    tags((name = "chat", description = "Applicant web chat"))
)]
struct ApiDoc;

/// The two ways to present a conversation token.
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut bearer = Http::new(HttpAuthScheme::Bearer);
        bearer.description = Some("The token from `POST /api/v1/chat/sessions`".to_owned());
        components.add_security_scheme("bearer", SecurityScheme::Http(bearer));
        let mut cookie = ApiKeyValue::new(super::auth::COOKIE);
        cookie.description = Some("Set by the web page when its first message starts the conversation".to_owned());
        components.add_security_scheme("cookie", SecurityScheme::ApiKey(ApiKey::Cookie(cookie)));
    }
}

/// Built once: the document only changes with the code.
static DOCUMENT: LazyLock<String> = LazyLock::new(|| ApiDoc::openapi().to_json().unwrap_or_default());

/// This document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "chat",
    responses((status = 200, description = "OpenAPI 3.1 document", content_type = "application/json", body = Object))
)]
pub(super) async fn openapi_json() -> Response {
    if DOCUMENT.is_empty() {
        return (StatusCode::INTERNAL_SERVER_ERROR, "the API document could not be built").into_response();
    }
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT.as_str()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_builds_and_names_every_operation() {
        let doc: serde_json::Value = serde_json::from_str(&DOCUMENT).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        for path in ["/api/v1/chat/sessions", "/api/v1/chat/messages", "/api/v1/chat/events", "/api/v1/chat/codename"] {
            assert!(paths.contains_key(path), "{path} is missing");
        }
        assert!(doc["components"]["schemas"]["Message"].is_object(), "{doc}");
    }
}
