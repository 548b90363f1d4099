//! Our own static files, compiled into the binary: no CDN, no font, no third party.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::AppState;

const ASSETS: &[(&str, &str, &[u8])] = &[
    ("chat.css", "text/css; charset=utf-8", include_bytes!("../static/chat.css")),
    ("chat.js", "text/javascript; charset=utf-8", include_bytes!("../static/chat.js")),
    ("console.css", "text/css; charset=utf-8", include_bytes!("../static/console.css")),
    ("console.js", "text/javascript; charset=utf-8", include_bytes!("../static/console.js")),
    ("location.js", "text/javascript; charset=utf-8", include_bytes!("../static/location.js")),
];

/// Every browser asks for it on every site; a plain disc that names nothing (an applicant's
/// tab or history must not say where they were).
const FAVICON: &[u8] = include_bytes!("../static/favicon.ico");

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/static/{name}", get(asset)).route("/favicon.ico", get(favicon))
}

async fn favicon() -> Response {
    ([(header::CONTENT_TYPE, "image/x-icon"), (header::CACHE_CONTROL, "public, max-age=86400")], FAVICON)
        .into_response()
}

async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(n, _, _)| *n == name) {
        Some((_, content_type, body)) => {
            ([(header::CONTENT_TYPE, *content_type), (header::CACHE_CONTROL, "public, max-age=3600")], *body)
                .into_response()
        }
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
