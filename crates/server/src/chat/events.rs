//! `GET /api/v1/chat/events`: the conversation's new messages as Server-Sent Events. A stream
//! holds only its broadcast receiver and the last seq sent, so thousands stay cheap to keep open.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::future::Either;
use futures_util::stream::{self, Stream, StreamExt};
use safepassage_domain::ConversationId;
use serde::Deserialize;
use tokio::sync::broadcast::{error::RecvError, Receiver};
use utoipa::{IntoParams, ToSchema};

use super::api::PAGE_LIMIT;
use super::auth::ChatAuth;
use super::input::ApiQuery;
use super::message::ChatMessage;
use crate::error::{ApiError, ErrorBody};
use crate::hub::LiveMessage;
use crate::AppState;

/// A comment line this often keeps proxies from closing an idle stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// How soon the browser reconnects after the stream ends (`retry:`).
const RECONNECT: Duration = Duration::from_millis(500);

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventsQuery {
    /// Send stored messages after this `seq` first. A reconnecting `EventSource` sends
    /// `Last-Event-ID` instead, which wins when larger.
    #[param(minimum = 0)]
    after: Option<i64>,
}

/// One Server-Sent Event of the stream.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct StreamEvent {
    /// `message` (data: a message object as JSON) or `resync` (data: `{"after": seq}`).
    event: Option<StreamEventKind>,
    /// The message's `seq` (`message` events).
    #[schema(example = "28")]
    id: Option<String>,
    /// JSON text: a message object, or `{"after": seq}`.
    data: Option<String>,
    /// Milliseconds before reconnecting.
    retry: Option<u64>,
}

#[derive(ToSchema)]
#[allow(dead_code, non_camel_case_types)]
pub enum StreamEventKind {
    message,
    resync,
}

/// New messages of the conversation, live.
///
/// Each message is an event `message` whose `data` is a message object and whose `id` is its
/// `seq`. Messages stored after `after` (or `Last-Event-ID`) come first. When the client falls
/// too far behind, or more than a page is waiting, the server sends an event `resync` (data
/// `{"after": seq}`) and ends the stream; `EventSource` reconnects on its own and resumes from
/// the last id (its `Last-Event-ID` header, the last `seq` received, wins over `after` when
/// larger). Keep-alive comments come every 15 seconds. The stream ends when the token is
/// revoked or expires.
#[utoipa::path(
    get,
    path = "/api/v1/chat/events",
    tag = "chat",
    params(EventsQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "An event stream; each item is one event", content_type = "text/event-stream", body = StreamEvent),
        (status = 400, description = "Bad `after`", body = ErrorBody),
        (status = 401, description = "Missing or unknown token", body = ErrorBody),
    )
)]
pub(super) async fn events(
    State(state): State<AppState>,
    ChatAuth(conversation): ChatAuth,
    headers: HeaderMap,
    ApiQuery(query): ApiQuery<EventsQuery>,
) -> Result<Response, ApiError> {
    let after = query.after.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::bad_request("invalid_query", "`after` must be 0 or more"));
    }
    let after = after.max(last_event_id(&headers).unwrap_or(0));
    // Subscribe before reading the backlog: a message stored in between is then in one or the
    // other (or both, and the seq check drops the copy), never in neither.
    let receiver = state.hub.subscribe(conversation.id);
    let backlog = state.store.messages(conversation.id, after, PAGE_LIMIT).await?;
    let replies = state.quick_replies(conversation.id).await?;
    let more_waiting = backlog.len() as i64 == PAGE_LIMIT;
    let last = backlog.last().map_or(after, |m| m.seq);
    let head = std::iter::once(Event::default().retry(RECONNECT).comment("ok"))
        .chain(ChatMessage::list(&backlog, replies.as_ref()).iter().map(message_event))
        .collect::<Vec<_>>();
    let tail = if more_waiting {
        Either::Left(stream::iter([resync_event(last)]))
    } else {
        Either::Right(live(receiver, last))
    };
    // The stream ends when the token is revoked (quick exit, ended, expired) and at the latest
    // after the idle time: the reconnect then presents the token again, and a dead one gets 401.
    let ended = ended(state.chat_endings.subscribe(), conversation.id);
    let deadline = tokio::time::sleep(state.config.chat_idle);
    let stop = async move {
        tokio::select! {
            () = ended => {}
            () = deadline => {}
        }
    };
    let stream = stream::iter(head).chain(tail).take_until(stop).map(Ok::<_, Infallible>);
    let mut response = Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)).into_response();
    // Reverse proxies (nginx) buffer responses unless told not to; live means unbuffered.
    response.headers_mut().insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// The messages published after `last`, until the client lags (then a `resync` and the end) or
/// the hub goes away.
fn live(receiver: Receiver<Arc<LiveMessage>>, last: i64) -> impl Stream<Item = Event> + Send {
    stream::unfold(Some((receiver, last)), |state| async move {
        let (mut receiver, mut last) = state?;
        loop {
            match receiver.recv().await {
                Ok(message) if message.seq <= last => continue,
                Ok(message) => {
                    last = message.seq;
                    let event = message_event(&ChatMessage::from_live(&message));
                    return Some((event, Some((receiver, last))));
                }
                Err(RecvError::Lagged(_)) => return Some((resync_event(last), None)),
                Err(RecvError::Closed) => return None,
            }
        }
    })
}

/// Resolves once `conversation`'s token is revoked. A stream that fell behind a wave of
/// endings keeps going (ending them all would make every applicant reconnect at once): its
/// token is refused everywhere else already, and the idle deadline ends it.
async fn ended(mut endings: Receiver<ConversationId>, conversation: ConversationId) {
    loop {
        match endings.recv().await {
            Ok(id) if id == conversation => return,
            Ok(_) | Err(RecvError::Lagged(_)) => continue,
            Err(RecvError::Closed) => std::future::pending::<()>().await,
        }
    }
}

fn message_event(message: &ChatMessage) -> Event {
    let data = serde_json::to_string(message).unwrap_or_default();
    Event::default().event("message").id(message.seq.to_string()).data(data)
}

fn resync_event(after: i64) -> Event {
    Event::default().event("resync").data(format!("{{\"after\":{after}}}"))
}

fn last_event_id(headers: &HeaderMap) -> Option<i64> {
    headers.get("last-event-id")?.to_str().ok()?.trim().parse::<i64>().ok().filter(|n| *n >= 0)
}
