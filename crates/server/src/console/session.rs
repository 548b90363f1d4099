//! Staff sessions: the `sp_staff` cookie holds 32 random bytes and the store only their SHA-256,
//! so a copy of the database opens no session. The `Staff` extractor turns the cookie into a
//! person, ends idle or over-long sessions, and moves the idle clock at most once a minute.

use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use safepassage_domain::{Role, UserId};
use safepassage_store::{AccountStatus, StaffSession};
use zeroize::Zeroizing;

use super::{cookies, csrf, errors, lang, now_ms};
use crate::service::token_hash;
use crate::AppState;

pub(crate) const COOKIE: &str = "sp_staff";
const PATH: &str = "/console";
/// Writing `last_seen` on every click would turn reads into writes; a minute is precise enough
/// for a 30-minute timeout.
const TOUCH_AT_MOST_EVERY: Duration = Duration::from_secs(60);

/// A logged-in member of staff, as the session cookie proves. Handlers get one only through
/// `roles::Allowed`, which also checks the role.
#[derive(Clone)]
pub(crate) struct Staff {
    pub id: UserId,
    pub name: String,
    pub role: Role,
    /// A pending account's session (opened with the one-time password) reaches only the
    /// setup page; `roles::Allowed` sends it there.
    pub pending: bool,
    token_hash: [u8; 32],
    csrf: String,
}

impl Staff {
    /// The token this session's forms must carry.
    pub fn csrf(&self) -> &str {
        &self.csrf
    }

    pub fn token_hash(&self) -> [u8; 32] {
        self.token_hash
    }
}

/// A new session token: 32 random bytes, URL-safe base64.
pub(crate) fn new_token() -> Option<Zeroizing<String>> {
    use base64::Engine;
    let mut bytes = Zeroizing::new([0u8; 32]);
    getrandom::getrandom(bytes.as_mut()).ok()?;
    Some(Zeroizing::new(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes.as_ref())))
}

/// A browser-session cookie: it also dies with the browser, whatever the server thinks.
pub(crate) fn cookie(token: &str, secure: bool) -> String {
    cookies::set(COOKIE, token, PATH, secure, None)
}

pub(crate) fn clear_cookie(secure: bool) -> String {
    cookies::clear(COOKIE, PATH, secure)
}

/// What a request does to its session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Freshness {
    Fresh,
    /// Alive, and the idle clock is due to move on.
    Touch,
    Expired,
}

/// The session rule: idle longer than `idle`, or older than `max`, and it is over.
pub(crate) fn freshness(session: &StaffSession, now_ms: i64, idle: Duration, max: Duration) -> Freshness {
    let idle_ms = millis(idle);
    let since_seen = now_ms - session.last_seen_ms;
    if since_seen > idle_ms || now_ms - session.created_ms > millis(max) {
        return Freshness::Expired;
    }
    // Short timeouts (tests) touch more often so that activity still keeps them alive.
    if since_seen >= millis(TOUCH_AT_MOST_EVERY).min(idle_ms / 4) {
        Freshness::Touch
    } else {
        Freshness::Fresh
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Live updates (event streams, fragment refreshes by console.js) are the browser's doing, not
/// the person's: they must not keep an abandoned session alive.
fn passive(headers: &HeaderMap) -> bool {
    headers.contains_key("x-console-live")
        || headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/event-stream"))
}

/// Whether a session still stands (for long-lived event streams); never moves its clock.
pub(crate) async fn still_open(state: &AppState, token_hash: [u8; 32]) -> bool {
    match state.store.session(token_hash).await {
        Ok(Some(session)) => {
            freshness(&session, now_ms(), state.config.staff_idle_timeout, state.config.staff_session_max)
                != Freshness::Expired
        }
        _ => false,
    }
}

/// To the login page, forgetting the cookie when it named no live session.
fn to_login(clear: Option<String>, notice: Option<&str>) -> Response {
    let location = match notice {
        Some(n) => format!("/console/login?notice={n}"),
        None => "/console/login".to_owned(),
    };
    let mut response = (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
    if let Some(value) = clear.and_then(|c| c.parse().ok()) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Staff, Response> {
        if let Some(staff) = parts.extensions.get::<Staff>() {
            return Ok(staff.clone());
        }
        let lang = lang::choose(&parts.headers, &parts.uri);
        let secure = state.config.secure_cookies;
        let fail = |e| errors::store(&state.i18n, lang, e).into_response();
        let Some(token) = cookies::get(&parts.headers, COOKIE).map(Zeroizing::new) else {
            return Err(to_login(None, None));
        };
        let hash = token_hash(&token);
        let Some(session) = state.store.session(hash).await.map_err(fail)? else {
            return Err(to_login(Some(clear_cookie(secure)), None));
        };
        match freshness(&session, now_ms(), state.config.staff_idle_timeout, state.config.staff_session_max) {
            Freshness::Expired => {
                state.store.end_session(hash, None).await.map_err(fail)?;
                return Err(to_login(Some(clear_cookie(secure)), Some("expired")));
            }
            Freshness::Touch if !passive(&parts.headers) => state.store.touch_session(hash).await.map_err(fail)?,
            _ => {}
        }
        // A disabled account's sessions were deleted with the change; this holds even so.
        let user = state.store.user(session.user).await.map_err(fail)?;
        let Some(user) = user.filter(|u| u.status != AccountStatus::Disabled) else {
            state.store.end_session(hash, None).await.map_err(fail)?;
            return Err(to_login(Some(clear_cookie(secure)), None));
        };
        let staff = Staff {
            id: user.id,
            name: user.name.clone(),
            role: user.role,
            pending: user.status == AccountStatus::Pending,
            token_hash: hash,
            csrf: csrf::for_session(&token),
        };
        parts.extensions.insert(staff.clone());
        Ok(staff)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn session(created: i64, seen: i64) -> StaffSession {
        StaffSession { user: UserId(uuid::Uuid::nil()), created_ms: created, last_seen_ms: seen }
    }

    #[test]
    fn idle_sessions_end_after_the_timeout() {
        let idle = Duration::from_secs(30 * 60);
        let max = Duration::from_secs(12 * 3600);
        assert_eq!(freshness(&session(0, 0), 10_000, idle, max), Freshness::Fresh);
        assert_eq!(freshness(&session(0, 0), 2 * MIN, idle, max), Freshness::Touch);
        assert_eq!(freshness(&session(0, 0), 30 * MIN, idle, max), Freshness::Touch);
        assert_eq!(freshness(&session(0, 0), 30 * MIN + 1, idle, max), Freshness::Expired);
    }

    #[test]
    fn busy_sessions_still_end_after_the_maximum() {
        let idle = Duration::from_secs(30 * 60);
        let max = Duration::from_secs(12 * 3600);
        let created = 0;
        let now = 12 * 60 * MIN + 1;
        assert_eq!(freshness(&session(created, now - 1000), now, idle, max), Freshness::Expired);
    }

    #[test]
    fn short_timeouts_touch_often_enough_to_stay_alive() {
        let idle = Duration::from_secs(2);
        let max = Duration::from_secs(3600);
        assert_eq!(freshness(&session(0, 0), 600, idle, max), Freshness::Touch);
    }

    #[test]
    fn tokens_are_long_and_distinct() {
        let a = new_token().unwrap();
        assert_eq!(a.len(), 43);
        assert_ne!(*a, *new_token().unwrap());
    }
}
