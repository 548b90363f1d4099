//! The applicant's pages, complete without JavaScript: `GET /` shows the conversation, and plain
//! form posts send a message or a codename and answer with a redirect back (post/redirect/get).

use askama::Template;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use safepassage_domain::{ChatEnd, Language};
use safepassage_store::{ConversationView, StoreError};
use serde::Deserialize;

use super::auth::{is_cross_site, removal_cookie, session_cookie, PageSession};
use super::flood::{Busy, FloodGuard};
use super::input::{message_text, TextProblem};
use super::message::{clock, Author, ChatMessage};
use super::notice::{Notice, Notices};
use crate::error::retry_after_seconds;
use crate::request_id::RequestId;
use crate::{AppState, I18n};
use safepassage_conversation::case::codename_guard::Outcome;

/// Messages shown on the page: the latest ones, so that a long conversation still loads fast.
const SHOWN: usize = 100;

/// The page's texts, one field per Fluent id.
macro_rules! texts {
    ($($field:ident => $id:literal),+ $(,)?) => {
        struct Texts { $($field: String),+ }
        impl Texts {
            fn load(i18n: &I18n, language: Language) -> Texts {
                Texts { $($field: i18n.text(language, $id)),+ }
            }
        }
    };
}

texts! {
    page_title => "chat-page-title",
    site_name => "chat-site-name",
    language_label => "chat-language-label",
    quick_exit => "chat-quick-exit",
    heading => "chat-heading",
    intro => "chat-intro",
    conversation_label => "chat-conversation-label",
    no_messages => "chat-no-messages",
    from_applicant => "chat-from-applicant",
    from_bot => "chat-from-bot",
    from_staff => "chat-from-staff",
    message_label => "chat-message-label",
    send => "chat-send",
    refresh => "chat-refresh",
    codename_heading => "chat-codename-heading",
    codename_label => "chat-codename-label",
    codename_hint => "chat-codename-hint",
    codename_submit => "chat-codename-submit",
    notice_empty => "chat-notice-empty",
    notice_too_long => "chat-notice-too-long",
    notice_failed => "chat-notice-failed",
    notice_too_fast => "chat-notice-too-fast",
    safety => "chat-safety",
    end_conversation => "chat-end-conversation",
    end_hint => "chat-end-hint",
    location_link => "chat-location-link",
}

struct LanguageLink {
    tag: &'static str,
    name: &'static str,
    current: bool,
}

struct PageMessage {
    seq: i64,
    from: &'static str,
    who: String,
    at: String,
    clock: String,
    text: String,
}

#[derive(Template)]
#[template(path = "chat/page.html")]
struct ChatPage<'a> {
    lang: &'static str,
    t: Texts,
    languages: Vec<LanguageLink>,
    quick_exit_url: &'a str,
    notice: Option<String>,
    messages: Vec<PageMessage>,
    /// The bot's buttons under its last message, while its flow waits for the answer.
    quick_replies: Vec<String>,
    draft: &'a str,
    live: bool,
}

/// Each language names itself, so a reader finds theirs whatever the page shows.
const LANGUAGES: [(Language, &str); 3] =
    [(Language::Ru, "Русский"), (Language::Uk, "Українська"), (Language::En, "English")];

#[derive(Deserialize)]
pub(super) struct LangQuery {
    lang: Option<String>,
    /// Set by the redirect after "end this conversation on this device".
    ended: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct SendForm {
    text: String,
    lang: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct CodenameForm {
    codename: String,
    lang: Option<String>,
}

/// What one page view needs besides the state.
struct View<'a> {
    language: Language,
    conversation: Option<&'a ConversationView>,
    notice: Option<&'static str>,
    draft: &'a str,
    status: StatusCode,
}

/// `GET /`: the conversation (if the cookie opens one), the forms and the switches.
pub(super) async fn show(
    State(state): State<AppState>,
    Extension(notices): Extension<Notices>,
    request_id: Option<Extension<RequestId>>,
    headers: HeaderMap,
    query: Result<Query<LangQuery>, QueryRejection>,
) -> Response {
    let query = query.ok().map(|Query(q)| q);
    let requested = query.as_ref().and_then(|q| parse_language(q.lang.as_deref()));
    let ended = query.as_ref().is_some_and(|q| q.ended.is_some());
    let session = match PageSession::of(&state, &headers).await {
        Ok(session) => session,
        Err(e) => return unavailable(&state, requested.unwrap_or(Language::Ru), "", e, request_id).await,
    };
    let conversation = session.conversation.as_ref();
    let language = requested.or(conversation.map(|c| c.language)).unwrap_or(Language::Ru);
    let notice = match conversation {
        Some(c) => notices.take(c.id).map(Notice::text_id),
        None if ended => Some("chat-notice-ended"),
        None => None,
    };
    let view = View { language, conversation, notice, draft: "", status: StatusCode::OK };
    let mut response = render(&state, view, request_id).await;
    if session.stale {
        response.headers_mut().append(header::SET_COOKIE, removal_cookie(state.config.secure_cookies));
    }
    response
}

/// `POST /chat/send`: the applicant's message. Without a conversation this starts one (greeted
/// and queued) and sets its cookie. A refused text comes back on the page, still in the box.
pub(super) async fn send(
    State(state): State<AppState>,
    Extension(flood): Extension<FloodGuard>,
    request_id: Option<Extension<RequestId>>,
    headers: HeaderMap,
    form: Result<Form<SendForm>, FormRejection>,
) -> Response {
    if is_cross_site(&headers) {
        return cross_site_refusal();
    }
    let session = match PageSession::of(&state, &headers).await {
        Ok(session) => session,
        Err(e) => return unavailable(&state, Language::Ru, "", e, request_id).await,
    };
    let (raw, requested) = match &form {
        Ok(Form(f)) => (f.text.as_str(), parse_language(f.lang.as_deref())),
        Err(_) => ("", None),
    };
    let language = requested.or(session.conversation.as_ref().map(|c| c.language)).unwrap_or(Language::Ru);
    let problem = match &form {
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => Some(TextProblem::TooLong),
        Err(_) => Some(TextProblem::Empty),
        Ok(_) => message_text(raw).err(),
    };
    if let Some(problem) = problem {
        let notice = match problem {
            TextProblem::Empty => "chat-notice-empty",
            TextProblem::TooLong => "chat-notice-too-long",
        };
        let conversation = session.conversation.as_ref();
        let view = View { language, conversation, notice: Some(notice), draft: raw, status: StatusCode::BAD_REQUEST };
        return render(&state, view, request_id).await;
    }
    let admitted = match &session.conversation {
        None => flood.admit_new_chat().map_err(|busy| (busy, "chat-notice-busy")),
        Some(conversation) => flood.admit_message(conversation.id).map_err(|busy| (busy, "chat-notice-too-fast")),
    };
    if let Err((busy, notice)) = admitted {
        let view = View {
            language,
            conversation: session.conversation.as_ref(),
            notice: Some(notice),
            draft: raw,
            status: StatusCode::TOO_MANY_REQUESTS,
        };
        return busy_page(&state, view, busy, request_id).await;
    }
    let text = raw.trim();
    let result = async {
        let new = session.conversation.is_none();
        let (conversation, cookie) = conversation_or_new(&state, session.conversation, language).await?;
        if new {
            // The first message counts like the others; a fresh conversation always has room.
            let _ = flood.admit_message(conversation.id);
        }
        state.applicant_says(&conversation, text).await?;
        Ok::<_, StoreError>(cookie)
    }
    .await;
    match result {
        Ok(cookie) => back_to_page(language, cookie),
        Err(e) => unavailable(&state, language, raw, e, request_id).await,
    }
}

/// `POST /chat/codename`: tries a codename, then shows the one-time outcome on the page.
pub(super) async fn codename(
    State(state): State<AppState>,
    Extension(flood): Extension<FloodGuard>,
    Extension(notices): Extension<Notices>,
    request_id: Option<Extension<RequestId>>,
    headers: HeaderMap,
    form: Result<Form<CodenameForm>, FormRejection>,
) -> Response {
    if is_cross_site(&headers) {
        return cross_site_refusal();
    }
    let session = match PageSession::of(&state, &headers).await {
        Ok(session) => session,
        Err(e) => return unavailable(&state, Language::Ru, "", e, request_id).await,
    };
    let (input, requested) = match &form {
        Ok(Form(f)) => (f.codename.as_str(), parse_language(f.lang.as_deref())),
        Err(_) => ("", None),
    };
    let language = requested.or(session.conversation.as_ref().map(|c| c.language)).unwrap_or(Language::Ru);
    if session.conversation.is_none() {
        if let Err(busy) = flood.admit_new_chat() {
            let notice = Some("chat-notice-busy");
            let view = View { language, conversation: None, notice, draft: "", status: StatusCode::TOO_MANY_REQUESTS };
            return busy_page(&state, view, busy, request_id).await;
        }
    }
    let result = async {
        // A returning applicant may start with their codename: the conversation begins here.
        let (conversation, cookie) = conversation_or_new(&state, session.conversation, language).await?;
        let outcome = state.codenames.attempt(&state, &conversation, input).await?;
        Ok::<_, StoreError>((conversation, cookie, outcome))
    }
    .await;
    match result {
        Ok((conversation, cookie, outcome)) => {
            let notice = match outcome {
                Outcome::Joined => Notice::CodenameJoined,
                Outcome::Refused => Notice::CodenameRefused,
            };
            notices.put(conversation.id, notice);
            back_to_page(language, cookie)
        }
        Err(e) => unavailable(&state, language, "", e, request_id).await,
    }
}

/// `POST /chat/exit`: quick exit. The conversation's token is revoked and the cookie removed, then
/// a `303` leaves for the neutral page in the page's language; after it, Back and a new visit
/// show an empty chat. The script sends the same request (`fetch`, not followed) before it
/// replaces the page. Whatever fails, the visitor still leaves.
pub(super) async fn exit(
    State(state): State<AppState>,
    request_id: Option<Extension<RequestId>>,
    headers: HeaderMap,
    query: Result<Query<LangQuery>, QueryRejection>,
) -> Response {
    let requested = query.ok().and_then(|Query(q)| parse_language(q.lang.as_deref()));
    let mut language = requested;
    // Another site may send the visitor away, but may not end their conversation.
    if !is_cross_site(&headers) {
        match end_session(&state, &headers, ChatEnd::QuickExit).await {
            Ok(conversation_language) => language = language.or(conversation_language),
            Err(e) => log_failure(&e, request_id.as_ref()),
        }
    }
    let neutral = state.config.quick_exit_url(language.unwrap_or(Language::Ru));
    let mut response = Redirect::to(neutral).into_response();
    forget_in_browser(&state, &mut response);
    response
}

/// `POST /chat/end`: "end this conversation on this device". As quick exit, but back to an
/// empty chat page that says so (and that the codename brings the applicant back).
pub(super) async fn end(
    State(state): State<AppState>,
    request_id: Option<Extension<RequestId>>,
    headers: HeaderMap,
    query: Result<Query<LangQuery>, QueryRejection>,
) -> Response {
    if is_cross_site(&headers) {
        return cross_site_refusal();
    }
    let requested = query.ok().and_then(|Query(q)| parse_language(q.lang.as_deref()));
    let conversation_language = match end_session(&state, &headers, ChatEnd::Ended).await {
        Ok(language) => language,
        Err(e) => return unavailable(&state, requested.unwrap_or(Language::Ru), "", e, request_id).await,
    };
    let language = requested.or(conversation_language).unwrap_or(Language::Ru);
    let mut response = Redirect::to(&format!("/?lang={language}&ended=1")).into_response();
    forget_in_browser(&state, &mut response);
    response
}

/// Revokes the token the request carries, if it opens a conversation; its language, if so.
async fn end_session(state: &AppState, headers: &HeaderMap, reason: ChatEnd) -> Result<Option<Language>, StoreError> {
    let session = PageSession::of(state, headers).await?;
    let Some(conversation) = session.conversation else { return Ok(None) };
    state.end_chat_session(conversation.id, reason).await?;
    Ok(Some(conversation.language))
}

/// Removes the cookie, and asks the browser to drop what it cached of this origin (Back then
/// reloads an empty chat rather than showing a kept copy).
fn forget_in_browser(state: &AppState, response: &mut Response) {
    let headers = response.headers_mut();
    headers.append(header::SET_COOKIE, removal_cookie(state.config.secure_cookies));
    headers.insert("clear-site-data", HeaderValue::from_static("\"cache\", \"cookies\""));
}

/// The visitor's conversation, or a new one with the cookie that will open it.
async fn conversation_or_new(
    state: &AppState,
    existing: Option<ConversationView>,
    language: Language,
) -> Result<(ConversationView, Option<HeaderValue>), StoreError> {
    if let Some(conversation) = existing {
        return Ok((conversation, None));
    }
    let (token, conversation, _) = state.start_web_chat(language).await?;
    Ok((conversation, session_cookie(&token.0, state.config.secure_cookies)))
}

/// `303` back to the page: a reload then repeats the GET, never the post.
fn back_to_page(language: Language, cookie: Option<HeaderValue>) -> Response {
    let mut response = Redirect::to(&format!("/?lang={language}")).into_response();
    if let Some(cookie) = cookie {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// A limit refused the post: the page as it was, the text still in the box, a calm word to try
/// again in a minute, and `Retry-After` for clients that read it.
async fn busy_page(state: &AppState, view: View<'_>, busy: Busy, request_id: Option<Extension<RequestId>>) -> Response {
    let mut response = render(state, view, request_id).await;
    response.headers_mut().insert(header::RETRY_AFTER, retry_after_seconds(busy.retry_after).into());
    response
}

fn cross_site_refusal() -> Response {
    (StatusCode::FORBIDDEN, "cross-site form posts are refused\n").into_response()
}

fn parse_language(tag: Option<&str>) -> Option<Language> {
    tag?.parse().ok()
}

/// The store failed: the page still renders (with its quick exit and the unsent text), saying
/// to try again.
async fn unavailable(
    state: &AppState,
    language: Language,
    draft: &str,
    e: StoreError,
    request_id: Option<Extension<RequestId>>,
) -> Response {
    log_failure(&e, request_id.as_ref());
    let notice = Some("chat-notice-unavailable");
    let view = View { language, conversation: None, notice, draft, status: StatusCode::SERVICE_UNAVAILABLE };
    render(state, view, request_id).await
}

fn log_failure(e: &StoreError, request_id: Option<&Extension<RequestId>>) {
    match request_id {
        Some(Extension(id)) => tracing::error!(request_id = %id, error = %e, "chat page: store failure"),
        None => tracing::error!(error = %e, "chat page: store failure"),
    }
}

async fn render(state: &AppState, view: View<'_>, request_id: Option<Extension<RequestId>>) -> Response {
    let View { language, conversation, mut notice, draft, mut status } = view;
    let t = Texts::load(&state.i18n, language);
    let mut messages = Vec::new();
    let mut quick_replies = Vec::new();
    if let Some(conversation) = conversation {
        let read = async {
            let views = state.recent_messages(conversation.id, SHOWN).await?;
            let replies = state.quick_replies(conversation.id).await?;
            Ok::<_, StoreError>((views, replies))
        };
        match read.await {
            Ok((views, replies)) => {
                // Only under the last message: once anyone wrote after it, the buttons are stale.
                if let (Some(last), Some((id, replies))) = (views.last(), replies) {
                    if last.id.0 == id {
                        quick_replies = replies;
                    }
                }
                messages = views;
            }
            Err(e) => {
                log_failure(&e, request_id.as_ref());
                notice = Some("chat-notice-unavailable");
                status = StatusCode::SERVICE_UNAVAILABLE;
            }
        }
    }
    let messages = messages
        .iter()
        .filter_map(|view| Some((ChatMessage::from_view(view)?, clock(view.at_ms))))
        .map(|(m, clock)| PageMessage {
            seq: m.seq,
            from: m.from.as_str(),
            who: match m.from {
                Author::Applicant => t.from_applicant.clone(),
                Author::Bot => t.from_bot.clone(),
                Author::Staff => t.from_staff.clone(),
            },
            clock,
            at: m.at,
            text: m.text,
        })
        .collect();
    let quick_exit_url = state.config.quick_exit_url(language);
    let page = ChatPage {
        lang: language.as_str(),
        notice: notice.map(|id| state.i18n.text(language, id)),
        t,
        languages: LANGUAGES
            .iter()
            .map(|(l, name)| LanguageLink { tag: l.as_str(), name, current: *l == language })
            .collect(),
        quick_exit_url,
        messages,
        quick_replies,
        draft,
        live: conversation.is_some(),
    };
    match page.render() {
        Ok(html) => {
            let mut response = (status, Html(html)).into_response();
            // The quick-exit form's redirect leaves for the neutral page: its origin is a
            // form target too (browsers check `form-action` on redirects).
            if let Some(csp) = crate::security::csp_with_form_target(quick_exit_url) {
                response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, csp);
            }
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "chat page: template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "").into_response()
        }
    }
}
