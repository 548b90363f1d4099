//! The applicant sends where they are: a page with a form (`GET`/`POST /chat/location`, no
//! JavaScript needed; with it, `location.js` offers "use my position" and fills the form from
//! the browser with its accuracy) and `POST /api/v1/chat/location`. Same session, cross-site and
//! flood rules as a message. The report joins the conversation's case when it has one, else it
//! stays with the conversation (see `Store::record_applicant_location`); a flow that waits in
//! the conversation takes it as its input (`AppState::applicant_sends_location`). The applicant
//! gets a calm confirmation; nothing of the place is logged or echoed back.

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form, Json};
use safepassage_domain::location::Format;
use safepassage_domain::{Language, LocationReport, LocationSource, Place};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::{is_cross_site, ChatAuth, PageSession};
use super::flood::FloodGuard;
use super::input::JsonBody;
use crate::error::{retry_after_seconds, ApiError, ErrorBody};
use crate::location_words::error_id;
use crate::AppState;

#[derive(Deserialize)]
pub(super) struct PageQuery {
    lang: Option<String>,
    sent: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct LocationForm {
    #[serde(default)]
    place: String,
    #[serde(default)]
    accuracy: String,
    #[serde(default)]
    source: String,
    lang: Option<String>,
}

#[derive(Template)]
#[template(path = "chat/location.html")]
struct LocationPage {
    lang: &'static str,
    t: Texts,
    quick_exit_url: String,
    notice: Option<String>,
    sent: bool,
    has_conversation: bool,
    place: String,
    accuracy: String,
}

macro_rules! texts {
    ($($field:ident => $id:literal),+ $(,)?) => {
        struct Texts { $($field: String),+ }
        impl Texts {
            fn load(i18n: &crate::I18n, language: Language) -> Texts {
                Texts { $($field: i18n.text(language, $id)),+ }
            }
        }
    };
}

texts! {
    page_title => "chat-page-title",
    site_name => "chat-site-name",
    quick_exit => "chat-quick-exit",
    heading => "chat-location-heading",
    intro => "chat-location-intro",
    place_label => "chat-location-place-label",
    place_hint => "chat-location-place-hint",
    accuracy_label => "chat-location-accuracy-label",
    use_position => "chat-location-use-position",
    position_failed => "chat-location-position-failed",
    send => "chat-location-send",
    sent => "chat-location-sent",
    back => "chat-location-back",
    no_conversation => "chat-location-no-conversation",
}

fn language_of(tag: Option<&str>) -> Option<Language> {
    tag?.parse().ok()
}

struct Shown<'a> {
    language: Language,
    notice: Option<String>,
    sent: bool,
    has_conversation: bool,
    place: &'a str,
    accuracy: &'a str,
    status: StatusCode,
}

fn render(state: &AppState, shown: Shown<'_>) -> Response {
    let quick_exit_url = state.config.quick_exit_url(shown.language);
    let page = LocationPage {
        lang: shown.language.as_str(),
        t: Texts::load(&state.i18n, shown.language),
        quick_exit_url: quick_exit_url.to_owned(),
        notice: shown.notice,
        sent: shown.sent,
        has_conversation: shown.has_conversation,
        place: shown.place.to_owned(),
        accuracy: shown.accuracy.to_owned(),
    };
    match page.render() {
        Ok(html) => {
            let mut response = (shown.status, Html(html)).into_response();
            if let Some(csp) = crate::security::csp_with_form_target(quick_exit_url) {
                response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, csp);
            }
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "chat location page: template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "").into_response()
        }
    }
}

/// `GET /chat/location`: the form (or, after sending, the confirmation).
pub(super) async fn page(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<PageQuery>, QueryRejection>,
) -> Response {
    let query = query.ok().map(|Query(q)| q);
    let session = PageSession::of(&state, &headers).await.ok().and_then(|s| s.conversation);
    let language = query
        .as_ref()
        .and_then(|q| language_of(q.lang.as_deref()))
        .or(session.as_ref().map(|c| c.language))
        .unwrap_or(Language::Ru);
    let sent = query.as_ref().is_some_and(|q| q.sent.is_some()) && session.is_some();
    let shown = Shown {
        language,
        notice: None,
        sent,
        has_conversation: session.is_some(),
        place: "",
        accuracy: "",
        status: StatusCode::OK,
    };
    render(&state, shown)
}

/// `POST /chat/location`: the form. Only within a conversation (the chat page starts one).
pub(super) async fn send(
    State(state): State<AppState>,
    Extension(flood): Extension<FloodGuard>,
    headers: HeaderMap,
    form: Result<Form<LocationForm>, FormRejection>,
) -> Response {
    if is_cross_site(&headers) {
        return (StatusCode::FORBIDDEN, "cross-site form posts are refused\n").into_response();
    }
    let Ok(Form(form)) = form else {
        return Redirect::to("/chat/location").into_response();
    };
    let conversation = match PageSession::of(&state, &headers).await {
        Ok(session) => session.conversation,
        Err(e) => {
            tracing::error!(error = %e, "chat location: store failure");
            None
        }
    };
    let requested = language_of(form.lang.as_deref());
    let Some(conversation) = conversation else {
        let language = requested.unwrap_or(Language::Ru);
        return Redirect::to(&format!("/chat/location?lang={language}")).into_response();
    };
    let language = requested.unwrap_or(conversation.language);
    let refuse = |id: &str, status: StatusCode| {
        render(
            &state,
            Shown {
                language,
                notice: Some(state.i18n.text(language, id)),
                sent: false,
                has_conversation: true,
                place: &form.place,
                accuracy: &form.accuracy,
                status,
            },
        )
    };
    let report = match applicant_report(&form.place, &form.accuracy, &form.source) {
        Ok(report) => report,
        Err(id) => return refuse(id, StatusCode::BAD_REQUEST),
    };
    if let Err(busy) = flood.admit_message(conversation.id) {
        let mut response = refuse("chat-notice-too-fast", StatusCode::TOO_MANY_REQUESTS);
        response.headers_mut().insert(header::RETRY_AFTER, retry_after_seconds(busy.retry_after).into());
        return response;
    }
    match report_location(&state, &conversation, &report).await {
        Ok(()) => Redirect::to(&format!("/chat/location?lang={language}&sent=1")).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "chat location: store failure");
            refuse("chat-notice-unavailable", StatusCode::SERVICE_UNAVAILABLE)
        }
    }
}

/// A report from the form's fields; the Fluent id of what was not understood otherwise.
fn applicant_report(place: &str, accuracy: &str, source: &str) -> Result<LocationReport, &'static str> {
    let accuracy = match accuracy.trim() {
        "" => None,
        // The browser's accuracy comes with decimals.
        a => Some(a.parse::<f64>().ok().filter(|a| a.is_finite() && *a >= 0.0).ok_or("location-error-accuracy")?),
    };
    let accuracy = accuracy.map(|a| a.ceil().clamp(1.0, f64::from(u32::MAX)) as u32);
    // Applicants say only whether they typed it or their browser found it.
    let source = match source {
        "browser" => LocationSource::Browser,
        _ => LocationSource::ApplicantTyped,
    };
    LocationReport::from_input(place, accuracy, source, None, crate::console::now_ms()).map_err(|e| error_id(&e))
}

/// A location from the applicant: either the words or coordinates as typed (`text`, any format
/// the console reads: decimal degrees, DMS, MGRS, or a description), or a point (`lat`, `lon`).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "text": "37U DQ 12345 67890" }))]
pub struct NewLocation {
    /// As typed, up to 200 bytes: `48.0159, 37.8028`, `48°00'57"N 37°48'10"E`,
    /// `37U DQ 12345 67890`, or words.
    #[schema(max_length = 200)]
    text: Option<String>,
    /// Latitude in decimal degrees (WGS84), with `lon`, instead of `text`.
    #[schema(minimum = -90, maximum = 90)]
    lat: Option<f64>,
    #[schema(minimum = -180, maximum = 180)]
    lon: Option<f64>,
    /// How far off the place may be, in metres (a browser's `coords.accuracy`).
    #[schema(minimum = 1, maximum = 1000000)]
    accuracy_m: Option<f64>,
    /// `browser` when a device found the place, `applicant_typed` (the default) when typed.
    source: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LocationReceived {
    /// Always `true`: a refusal is an error response.
    received: bool,
}

/// Sends where the applicant is. `201` once it is durably stored (sealed); the place is never
/// sent back. A bot flow waiting in the conversation receives it (a point as the attachment
/// `geo:LAT,LON`, words as text); the transcript shows only that a location was sent.
#[utoipa::path(
    post,
    path = "/api/v1/chat/location",
    tag = "chat",
    request_body = NewLocation,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 201, description = "Stored", body = LocationReceived),
        (status = 400, description = "`location_not_understood` (the message names what), malformed JSON or unknown field", body = ErrorBody),
        (status = 401, description = "Missing or unknown token", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Not `application/json`", body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many messages in this conversation just now", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub(super) async fn post_location(
    State(state): State<AppState>,
    Extension(flood): Extension<FloodGuard>,
    ChatAuth(conversation): ChatAuth,
    JsonBody(body): JsonBody<NewLocation>,
) -> Result<(StatusCode, Json<LocationReceived>), ApiError> {
    let not_understood =
        |e: safepassage_domain::ReportError| ApiError::bad_request("location_not_understood", e.to_string());
    let accuracy = match body.accuracy_m {
        None => None,
        Some(a) if a.is_finite() && a >= 0.0 => Some(a.ceil().clamp(1.0, f64::from(u32::MAX)) as u32),
        Some(_) => return Err(not_understood(safepassage_domain::ReportError::BadAccuracy)),
    };
    let source = match body.source.as_deref() {
        None | Some("applicant_typed") => LocationSource::ApplicantTyped,
        Some("browser") => LocationSource::Browser,
        Some(_) => return Err(ApiError::bad_request("invalid_source", "`source` is `applicant_typed` or `browser`")),
    };
    let now = crate::console::now_ms();
    let report = match (body.text.as_deref(), body.lat, body.lon) {
        (Some(text), None, None) => LocationReport::from_input(text, accuracy, source, None, now),
        (None, Some(lat), Some(lon)) => {
            let place = Place::Point { lat, lon, accuracy_m: None, format: Format::Decimal };
            LocationReport::new(place, accuracy, source, None, now)
        }
        _ => return Err(ApiError::bad_request("invalid_location", "give either `text`, or both `lat` and `lon`")),
    }
    .map_err(not_understood)?;
    flood.admit_message(conversation.id).map_err(|busy| busy.message_error())?;
    report_location(&state, &conversation, &report).await?;
    Ok((StatusCode::CREATED, Json(LocationReceived { received: true })))
}

/// Records the applicant's report on their conversation (and its case, if any), and tells the
/// flow that waits and the staff who watch (`AppState::applicant_sends_location`).
async fn report_location(
    state: &AppState,
    conversation: &safepassage_store::ConversationView,
    report: &LocationReport,
) -> Result<(), safepassage_store::StoreError> {
    state.applicant_sends_location(conversation, report).await
}
