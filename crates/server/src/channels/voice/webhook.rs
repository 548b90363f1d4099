//! `POST /channels/voice/{line}/{call,gather,wait,status}`: a call's webhooks. Each request's
//! signature (`X-Twilio-Signature`, over the line's public URL and every parameter) is checked
//! before anything else is read or done: unsigned or forged is 403, a line not configured 404.
//! The caller's number becomes the store's keyed hash (a hidden number: the call's own id, so
//! two hidden callers never share a conversation); the call's id is sealed on the conversation.
//! Every answer is TwiML; a failure of the core is answered with a calm goodbye, never the
//! provider's error voice.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use safepassage_conversation::channel::inbound::{Inbound, Person, What};
use safepassage_conversation::channel::receive::Received;
use safepassage_domain::{CallStatusCode, Channel, Language};
use safepassage_store::ConversationView;
use safepassage_voice::webhook::QueueResult;
use safepassage_voice::{parse_webhook, signature_is_valid, CallRequest, CallStatus, SIGNATURE_HEADER};
use zeroize::Zeroizing;

use super::answer;
use super::settings::VoiceLine;
use crate::AppState;

/// The language of a call's answer before anything is known of the caller.
const FIRST_LANGUAGE: Language = Language::Ru;

/// What the provider sends for a caller whose number is withheld.
const HIDDEN_NUMBERS: [&str; 5] = ["anonymous", "restricted", "unknown", "unavailable", "private"];

/// A request that passed the line's checks.
struct Checked<'a> {
    line: &'a VoiceLine,
    call: CallRequest,
}

/// The line, its signature check and the body read, in that order.
fn check<'a>(
    state: &'a AppState,
    name: &str,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Checked<'a>, StatusCode> {
    let Some(line) = state.config.voice.iter().find(|l| l.name == name) else { return Err(StatusCode::NOT_FOUND) };
    let Ok(params) = safepassage_voice::form::parse_form(body) else { return Err(StatusCode::BAD_REQUEST) };
    let path_and_query = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let url = format!("{}{path_and_query}", line.public_url.trim_end_matches('/'));
    let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    if !signature_is_valid(&line.auth_token, &url, &params, signature) {
        return Err(StatusCode::FORBIDDEN);
    }
    let call = match parse_webhook(body) {
        Ok((call, _)) => call,
        Err(e) => {
            tracing::info!(error = %e, "a voice webhook was refused");
            return Err(StatusCode::BAD_REQUEST);
        }
    };
    // Signed with this line's token, but for another account: not this line's call.
    if call.account_sid != line.account_sid {
        return Err(StatusCode::FORBIDDEN);
    }
    Ok(Checked { line, call })
}

/// The person calling, by their number (or, withheld, by the call).
fn caller(call: &CallRequest) -> Person {
    let from = call.from.trim();
    let hidden = from.is_empty() || HIDDEN_NUMBERS.iter().any(|h| from.eq_ignore_ascii_case(h));
    let id = if hidden { format!("call:{}", call.call_sid) } else { from.to_owned() };
    Person { channel: Channel::Voice, id: Zeroizing::new(id), language: None }
}

/// What the caller did on this call, for the core: answered at the line and the call's id.
fn inbound(line: &VoiceLine, call: &CallRequest, what: What) -> Inbound {
    let reply_to = Some(Zeroizing::new(address(&line.name, &call.call_sid)));
    Inbound { from: caller(call), reply_to, receipt: None, what }
}

/// Where the call is answered: the line and the call's id.
pub fn address(line: &str, call_sid: &str) -> String {
    format!("{line}:{call_sid}")
}

fn twiml(response: &safepassage_voice::Response) -> Response {
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/xml; charset=utf-8")], response.to_xml()).into_response()
}

/// `POST /channels/voice/{line}/call`: a call begins, and with it a conversation whose voice
/// intake speaks at once.
pub(crate) async fn call(
    State(state): State<AppState>,
    Path(name): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Checked { line, call } = match check(&state, &name, &uri, &headers, &body) {
        Ok(checked) => checked,
        Err(status) => return status.into_response(),
    };
    respond(&state, line, state.receive(inbound(line, &call, What::Call)).await).await
}

/// `POST /channels/voice/{line}/gather`: the keys pressed at a `<Gather>` (none: it timed out,
/// and what was said is said again).
pub(crate) async fn gather(
    State(state): State<AppState>,
    Path(name): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Checked { line, call } = match check(&state, &name, &uri, &headers, &body) {
        Ok(checked) => checked,
        Err(status) => return status.into_response(),
    };
    let Some(digits) = call.digits.clone() else {
        return match conversation_of(&state, &caller(&call)).await {
            Some(conversation) => prompt(&state, line, &conversation).await,
            None => twiml(&answer::goodbye(&state.i18n, FIRST_LANGUAGE)),
        };
    };
    respond(&state, line, state.receive(inbound(line, &call, What::Text(digits))).await).await
}

/// `POST /channels/voice/{line}/wait`: played while the caller waits in the queue.
pub(crate) async fn wait(
    State(state): State<AppState>,
    Path(name): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Checked { call, .. } = match check(&state, &name, &uri, &headers, &body) {
        Ok(checked) => checked,
        Err(status) => return status.into_response(),
    };
    let language = match conversation_of(&state, &caller(&call)).await {
        Some(conversation) => match state.call_prompt(&conversation).await {
            Ok(prompt) => prompt.language,
            Err(_) => conversation.language,
        },
        None => FIRST_LANGUAGE,
    };
    twiml(&answer::waiting(&state.i18n, language, call.queue_position))
}

/// `POST /channels/voice/{line}/status`: the call's status callbacks and the end of its wait in
/// the queue (`QueueResult`), recorded as events on its conversation. A wait that ended any
/// other way than a hang-up is answered with the call's step again (back in the queue).
pub(crate) async fn status(
    State(state): State<AppState>,
    Path(name): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Checked { line, call } = match check(&state, &name, &uri, &headers, &body) {
        Ok(checked) => checked,
        Err(status) => return status.into_response(),
    };
    let Some(conversation) = conversation_of(&state, &caller(&call)).await else {
        return twiml(&safepassage_voice::Response::default());
    };
    let code = match (call.queue_result, call.status) {
        (Some(QueueResult::Hangup), _) => Some(CallStatusCode::HungUpWaiting),
        (Some(_), _) => None,
        (None, Some(status)) => Some(code_of(status)),
        (None, None) => None,
    };
    if let Some(code) = code {
        if let Err(e) = state.store.record_call_status(conversation.id, code).await {
            tracing::warn!(error = %e, "voice: a call's status was not recorded");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    match call.queue_result {
        Some(QueueResult::Hangup) | None => twiml(&safepassage_voice::Response::default()),
        Some(_) => prompt(&state, line, &conversation).await,
    }
}

fn code_of(status: CallStatus) -> CallStatusCode {
    match status {
        CallStatus::Queued => CallStatusCode::Queued,
        CallStatus::Ringing => CallStatusCode::Ringing,
        CallStatus::InProgress => CallStatusCode::InProgress,
        CallStatus::Completed => CallStatusCode::Completed,
        CallStatus::Busy => CallStatusCode::Busy,
        CallStatus::Failed => CallStatusCode::Failed,
        CallStatus::NoAnswer => CallStatusCode::NoAnswer,
        CallStatus::Canceled => CallStatusCode::Canceled,
    }
}

/// The caller's latest conversation on the voice channel.
async fn conversation_of(state: &AppState, person: &Person) -> Option<ConversationView> {
    match state.store.latest_conversation_for_identity(Channel::Voice, &person.id).await {
        Ok(found) => found,
        Err(e) => {
            tracing::warn!(error = %e, "voice: a call's conversation could not be read");
            None
        }
    }
}

async fn respond(
    state: &AppState,
    line: &VoiceLine,
    received: Result<Received, safepassage_store::StoreError>,
) -> Response {
    match received {
        Ok(Received::Handled { conversation, .. }) => prompt(state, line, &conversation).await,
        Ok(Received::Duplicate) => twiml(&safepassage_voice::Response::default()),
        Err(e) => {
            tracing::warn!(error = %e, "voice: a call's step was not taken");
            twiml(&answer::goodbye(&state.i18n, FIRST_LANGUAGE))
        }
    }
}

/// What the caller hears now in `conversation`.
async fn prompt(state: &AppState, line: &VoiceLine, conversation: &ConversationView) -> Response {
    match state.call_prompt(conversation).await {
        Ok(prompt) => twiml(&answer::step(line, &state.i18n, &prompt)),
        Err(e) => {
            tracing::warn!(error = %e, "voice: what the caller hears could not be read");
            twiml(&answer::goodbye(&state.i18n, conversation.language))
        }
    }
}
