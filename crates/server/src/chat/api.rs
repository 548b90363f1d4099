//! The chat's JSON API under `/api/v1/chat`: start a conversation, send and read messages, join
//! a case by codename. Used by the page's script, load tools and integrators.

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};
use safepassage_domain::Language;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::ChatAuth;
use super::flood::FloodGuard;
use super::input::{message_text, ApiQuery, JsonBody};
use super::message::ChatMessage;
use crate::error::{ApiError, ErrorBody};
use crate::AppState;
use safepassage_conversation::case::codename_guard::Outcome;

/// Most messages one read returns.
pub const PAGE_LIMIT: i64 = 200;

/// The languages a conversation can run in (documentation of `language`).
#[derive(ToSchema)]
#[allow(dead_code, non_camel_case_types)]
pub enum LanguageCode {
    ru,
    uk,
    en,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSession {
    /// Language of the greeting and of the operators who answer; `ru` when left out.
    #[schema(value_type = Option<LanguageCode>, example = "ru")]
    language: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SessionCreated {
    /// The conversation's bearer token. Keep it secret: it is the only key to the
    /// conversation, and it cannot be shown again.
    token: String,
    /// The conversation so far: the greeting.
    messages: Vec<ChatMessage>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    /// 1 to 4,096 characters with at least one that is not whitespace; surrounding whitespace
    /// is dropped.
    #[schema(
        example = "Hello",
        min_length = 1,
        max_length = 4096,
        pattern = r"[^\t\n\x0B\f\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]"
    )]
    text: String,
}

#[derive(Serialize, ToSchema)]
pub struct Accepted {
    /// The stored message's position in the conversation.
    seq: i64,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MessagesQuery {
    /// Only messages after this `seq` (0, the default, for all).
    #[param(minimum = 0)]
    after: Option<i64>,
    /// At most this many (1 to 200, the default).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct MessagesPage {
    /// Oldest first. Fewer than `limit` means there are no more now.
    messages: Vec<ChatMessage>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodenameAttempt {
    /// 16 digits; spaces and dashes between them are ignored.
    #[schema(example = "4539 1488 0343 6467")]
    codename: String,
}

#[derive(Serialize, ToSchema)]
pub struct Joined {
    /// Always `true`: a refusal is an error response.
    joined: bool,
}

/// Starts a conversation: it is greeted and waits for an operator.
#[utoipa::path(
    post,
    path = "/api/v1/chat/sessions",
    tag = "chat",
    request_body = NewSession,
    responses(
        (status = 201, description = "Conversation started", body = SessionCreated),
        (status = 400, description = "Malformed JSON, unknown field, or unknown language", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Not `application/json`", body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many new conversations across everyone just now; \
            try again after `Retry-After` seconds", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub(super) async fn create_session(
    State(state): State<AppState>,
    Extension(flood): Extension<FloodGuard>,
    JsonBody(body): JsonBody<NewSession>,
) -> Result<(StatusCode, Json<SessionCreated>), ApiError> {
    let language = match body.language.as_deref() {
        None => Language::Ru,
        Some(tag) => tag.parse::<Language>().map_err(|e| ApiError::bad_request("unknown_language", e.to_string()))?,
    };
    flood.admit_new_chat().map_err(|busy| busy.new_chat_error())?;
    let (token, conversation, messages) = state.start_web_chat(language).await?;
    let replies = state.quick_replies(conversation.id).await?;
    let messages = ChatMessage::list(&messages, replies.as_ref());
    let created = SessionCreated { token: token.0.as_str().to_owned(), messages };
    Ok((StatusCode::CREATED, Json(created)))
}

/// Sends the applicant's message. `202` comes only once it is durably stored.
#[utoipa::path(
    post,
    path = "/api/v1/chat/messages",
    tag = "chat",
    request_body = NewMessage,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 202, description = "Stored", body = Accepted),
        (status = 400, description = "Malformed JSON, unknown field, invalid UTF-8, empty or too long text", body = ErrorBody),
        (status = 401, description = "Missing or unknown token", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Not `application/json`", body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many messages in this conversation just now; \
            send again after `Retry-After` seconds", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
    )
)]
pub(super) async fn post_message(
    State(state): State<AppState>,
    Extension(flood): Extension<FloodGuard>,
    ChatAuth(conversation): ChatAuth,
    JsonBody(body): JsonBody<NewMessage>,
) -> Result<(StatusCode, Json<Accepted>), ApiError> {
    let text = message_text(&body.text).map_err(|p| p.api_error())?;
    flood.admit_message(conversation.id).map_err(|busy| busy.message_error())?;
    let message = state.applicant_says(&conversation, text).await?;
    Ok((StatusCode::ACCEPTED, Json(Accepted { seq: message.seq })))
}

/// Reads the conversation's messages after a position, oldest first.
#[utoipa::path(
    get,
    path = "/api/v1/chat/messages",
    tag = "chat",
    params(MessagesQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Messages after `after`", body = MessagesPage),
        (status = 400, description = "Bad `after` or `limit`", body = ErrorBody),
        (status = 401, description = "Missing or unknown token", body = ErrorBody),
    )
)]
pub(super) async fn get_messages(
    State(state): State<AppState>,
    ChatAuth(conversation): ChatAuth,
    ApiQuery(query): ApiQuery<MessagesQuery>,
) -> Result<Json<MessagesPage>, ApiError> {
    let after = query.after.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::bad_request("invalid_query", "`after` must be 0 or more"));
    }
    let limit = query.limit.unwrap_or(PAGE_LIMIT);
    if !(1..=PAGE_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request("invalid_query", format!("`limit` must be from 1 to {PAGE_LIMIT}")));
    }
    let messages = state.store.messages(conversation.id, after, limit).await?;
    let replies = state.quick_replies(conversation.id).await?;
    Ok(Json(MessagesPage { messages: ChatMessage::list(&messages, replies.as_ref()) }))
}

/// Joins this conversation to the case of a codename. Every failure, whether the codename is
/// unknown, malformed or the attempts are used up, gets the same `403`.
#[utoipa::path(
    post,
    path = "/api/v1/chat/codename",
    tag = "chat",
    request_body = CodenameAttempt,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "Joined the case", body = Joined),
        (status = 400, description = "Malformed JSON or unknown field", body = ErrorBody),
        (status = 401, description = "Missing or unknown token", body = ErrorBody),
        (status = 403, description = "`codename_refused`: not accepted (no reason is given, by design)", body = ErrorBody),
        (status = 413, description = "Body over 64 KiB", body = ErrorBody),
        (status = 415, description = "Not `application/json`", body = ErrorBody),
    )
)]
pub(super) async fn join_by_codename(
    State(state): State<AppState>,
    ChatAuth(conversation): ChatAuth,
    JsonBody(body): JsonBody<CodenameAttempt>,
) -> Result<Json<Joined>, ApiError> {
    match state.codenames.attempt(&state, &conversation, &body.codename).await? {
        Outcome::Joined => Ok(Json(Joined { joined: true })),
        Outcome::Refused => Err(codename_refused()),
    }
}

/// The one refusal for every codename failure.
pub fn codename_refused() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "codename_refused",
        "the codename was not accepted; check it, or try again later",
    )
}

/// A known path with a method it does not serve.
pub(super) async fn method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed", "this endpoint does not serve that method")
}
