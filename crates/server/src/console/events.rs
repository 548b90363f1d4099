//! Live updates as Server-Sent Events: a signal when the queue changes, and new messages of one
//! conversation. A stream ends when its session does, and never keeps that session alive; a
//! conversation's stream is a view like its page (recorded), and ends as soon as the viewer may
//! no longer read the conversation.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::sse::{Event as SseEvent, KeepAlive, KeepAliveStream, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use safepassage_domain::{ConversationId, Event};
use tokio::sync::broadcast::{self, error::RecvError};

use super::access::{self, Reach};
use super::codename_mask::for_staff;
use super::conversation::sender_word;
use super::errors::OrPage;
use super::form::Id;
use super::lang::{self, Lang};
use super::roles::{Allowed, CaseLists, Conversations, QueueWork};
use super::session;
use super::views::clock;
use crate::error::PageError;
use crate::hub::LiveMessage;
use crate::AppState;

/// How much a reconnecting console may ask to catch up on.
const BACKLOG_LIMIT: i64 = 500;
/// The longest a conversation's stream runs between two checks of the viewer's access when no
/// message comes (each message is checked before it is sent).
const ACCESS_CHECK_AT_MOST_EVERY: Duration = Duration::from_secs(5);

type Events = Sse<KeepAliveStream<stream::BoxStream<'static, Result<SseEvent, Infallible>>>>;

/// `GET /console/events`: `event: queue` whenever the queue changes; console.js re-reads it.
pub(crate) async fn queue(State(state): State<AppState>, who: Allowed<QueueWork>) -> Events {
    let receiver = state.hub.subscribe_queue();
    let watch = Watch::new(&state, who.staff.token_hash(), receiver);
    sse(watch.stream(|_| Some(SseEvent::default().event("queue").data("changed"))).boxed())
}

/// `GET /console/conversations/{id}/events?after=<seq>`: `event: message` for each new message
/// (`data` = `{"seq","from","text","at"}`, `id` = seq), starting after `after` or the
/// browser's `Last-Event-ID`, so nothing between the page and the stream is lost.
pub(crate) async fn conversation(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Conversations>,
    Id(id): Id,
    uri: Uri,
    headers: HeaderMap,
) -> Result<Events, PageError> {
    let grant = access::conversation(&state, &who, lang, ConversationId(id), Reach::Read).await?;
    let conversation = grant.conversation.id;
    // A stream shows the transcript as the page does, so it is recorded the same way, before
    // anything is sent (with a backlog or without: what arrives later is read too).
    let view = Event::TranscriptViewed { conversation, by: who.staff.id };
    state.store.record(vec![view]).await.or_page(&state.i18n, lang)?;
    // Subscribe before reading the backlog: a message arriving in between is then in one or
    // both, and the seq filter below drops the duplicate.
    let receiver = state.hub.subscribe(conversation);
    let from_query = uri.query().and_then(|q| lang::query_value(q, "after")).and_then(|v| v.parse::<i64>().ok());
    let from_header = headers.get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<i64>().ok());
    let after = from_query.into_iter().chain(from_header).max().unwrap_or(0).max(0);
    let backlog = state.store.messages(conversation, after, BACKLOG_LIMIT).await.or_page(&state.i18n, lang)?;
    let mut last = after;
    let mut first = Vec::with_capacity(backlog.len());
    for m in &backlog {
        if let Some(text) = m.body.text() {
            first.push(Ok(message_event(m.seq, sender_word(m.sender), &for_staff(m.sender, text), m.at_ms)));
        }
        last = last.max(m.seq);
    }
    let watch = Watch::new(&state, who.staff.token_hash(), receiver).reading(conversation);
    let live = watch.stream(move |m: std::sync::Arc<LiveMessage>| {
        (m.seq > last).then(|| message_event(m.seq, sender_word(m.sender), &for_staff(m.sender, &m.text), m.at_ms))
    });
    Ok(sse(stream::iter(first).chain(live).boxed()))
}

/// `GET /console/cases/events`: `event: contact` (`data` = the case id) when the applicant of
/// a case the viewer holds makes contact, coordinators hearing of every case; and for
/// coordinators `event: unassigned` when their unassigned list changed. Ids only, like the
/// queue's signal; console.js re-reads the list. Ends with the session like the others (the
/// role is the session's: a change of role ends it).
pub(crate) async fn cases(State(state): State<AppState>, who: Allowed<CaseLists>) -> Events {
    let receiver = state.hub.subscribe_cases();
    let (me, coordinator) = (who.staff.id, who.staff.role == safepassage_domain::Role::Coordinator);
    let watch = Watch::new(&state, who.staff.token_hash(), receiver);
    sse(watch
        .stream(move |signal: crate::hub::CaseSignal| {
            let name = match signal.kind {
                crate::hub::CaseSignalKind::Contact if coordinator || signal.holder == Some(me) => "contact",
                crate::hub::CaseSignalKind::Unassigned if coordinator => "unassigned",
                _ => return None,
            };
            Some(SseEvent::default().event(name).data(signal.case.to_string()))
        })
        .boxed())
}

fn message_event(seq: i64, from: &str, text: &str, at_ms: i64) -> SseEvent {
    let data = serde_json::json!({ "seq": seq, "from": from, "text": text, "at": clock(at_ms) });
    SseEvent::default().event("message").id(seq.to_string()).data(data.to_string())
}

fn expired(why: &'static str) -> SseEvent {
    SseEvent::default().event("expired").data(why)
}

fn sse(stream: stream::BoxStream<'static, Result<SseEvent, Infallible>>) -> Events {
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// A hub subscription tied to a session.
struct Watch<T> {
    receiver: broadcast::Receiver<T>,
    state: AppState,
    token_hash: [u8; 32],
    check: tokio::time::Interval,
    /// The conversation whose transcript this stream carries: the viewer's access to it is
    /// checked again before each message and at each tick.
    reads: Option<ConversationId>,
}

impl<T: Clone + Send + 'static> Watch<T> {
    fn new(state: &AppState, token_hash: [u8; 32], receiver: broadcast::Receiver<T>) -> Watch<T> {
        // Often enough that a stream outlives its session by at most half the idle timeout
        // (and at most a minute); rarely enough to cost nothing.
        let every = (state.config.staff_idle_timeout / 2).clamp(Duration::from_millis(250), Duration::from_secs(60));
        let check = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        Watch { receiver, state: state.clone(), token_hash, check, reads: None }
    }

    fn reading(mut self, conversation: ConversationId) -> Watch<T> {
        let every = self.check.period().min(ACCESS_CHECK_AT_MOST_EVERY);
        self.check = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        self.reads = Some(conversation);
        self
    }

    /// Why the stream must end now, if it must: the session is over, or the viewer no longer
    /// reads the conversation.
    async fn over(state: &AppState, token_hash: [u8; 32], reads: Option<ConversationId>) -> Option<&'static str> {
        if !session::still_open(state, token_hash).await {
            return Some("session");
        }
        match reads {
            Some(id) if !access::still_reads::<Conversations>(state, token_hash, id).await => Some("access"),
            _ => None,
        }
    }

    /// Events for each item `to_event` keeps; `event: reload` after falling behind (the page
    /// re-reads), `event: expired` and the end when the session is over or access is lost
    /// (`data` says which; console.js reloads, and the page then tells the person).
    fn stream<F>(self, to_event: F) -> impl Stream<Item = Result<SseEvent, Infallible>> + Send + 'static
    where
        F: FnMut(T) -> Option<SseEvent> + Send + 'static,
    {
        stream::unfold(Some((self, to_event)), |state| async move {
            let (mut watch, mut to_event) = state?;
            loop {
                tokio::select! {
                    received = watch.receiver.recv() => match received {
                        Ok(item) => {
                            if let Some(event) = to_event(item) {
                                if watch.reads.is_some() {
                                    if let Some(why) = Self::over(&watch.state, watch.token_hash, watch.reads).await {
                                        return Some((Ok(expired(why)), None));
                                    }
                                }
                                return Some((Ok(event), Some((watch, to_event))));
                            }
                        }
                        Err(RecvError::Lagged(_)) => {
                            let event = SseEvent::default().event("reload").data("behind");
                            return Some((Ok(event), Some((watch, to_event))));
                        }
                        Err(RecvError::Closed) => return None,
                    },
                    _ = watch.check.tick() => {
                        if let Some(why) = Self::over(&watch.state, watch.token_hash, watch.reads).await {
                            return Some((Ok(expired(why)), None));
                        }
                    }
                }
            }
        })
    }
}
