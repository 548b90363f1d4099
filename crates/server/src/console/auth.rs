//! Logging in and out. A login needs the password (Argon2id) and a TOTP code; five failures in a
//! row lock the account for a while. Every refusal looks and takes the same, whichever factor
//! failed and whether the account exists at all; every attempt on an account is an event.

use std::sync::Arc;
use std::time::{Duration, Instant};

use askama::Template;
use axum::extract::{Extension, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::form::Form;
use super::lang::Lang;
use super::roles::{Allowed, AnyStaff};
use super::views::{self, Chrome};
use super::{cookies, csrf, errors, now_ms, session, ConsoleState};
use crate::service::token_hash;
use crate::AppState;

/// Failures in a row that lock an account.
pub(crate) const MAX_FAILURES: i64 = 5;
/// Every refused login takes at least this long, so timing does not tell an existing account
/// (whose failure is written to the store) from an unknown one, nor which factor was wrong.
const REFUSAL_FLOOR: Duration = Duration::from_millis(250);
/// Verified when the account does not exist, so an unknown name costs the same Argon2id work
/// as a known one. Same parameters as `safepassage_keys::password::hash` (checked by a test);
/// the password it hides is not one anybody can type by chance.
const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FmZXBhc3NhZ2UtZGVjb3k$3SkOBh0Ugq0EP7j2Vi62F5iFnOOJ+4hfvhcS2QhH9Cs";
/// Longer inputs are refused before any work (and the same way as any other refusal).
const MAX_NAME: usize = 64;
const MAX_PASSWORD: usize = 1024;

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage {
    chrome: Chrome,
}

/// Wiped from memory when dropped: the password and code are secrets even after a failure.
#[derive(Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub(crate) struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    totp: String,
}

/// `GET /console/login`: the form, with a nonce for its CSRF check.
pub(crate) async fn login_page(State(state): State<AppState>, lang: Lang, uri: Uri, headers: HeaderMap) -> Response {
    let existing = cookies::get(&headers, csrf::LOGIN_COOKIE).filter(|v| csrf::is_nonce(v));
    let (nonce, fresh) = match existing {
        Some(nonce) => (nonce, false),
        None => match csrf::login_nonce() {
            Some(nonce) => (nonce, true),
            None => return errors::unavailable(&state.i18n, lang).into_response(),
        },
    };
    let chrome = Chrome::anonymous(&state, lang, csrf::LOGIN_PATH, uri.query(), "login-title", nonce.clone());
    let mut response = views::render(&state, lang, StatusCode::OK, &LoginPage { chrome });
    if fresh {
        let cookie = cookies::set(csrf::LOGIN_COOKIE, &nonce, csrf::LOGIN_PATH, state.config.secure_cookies, None);
        if let Ok(value) = cookie.parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// `POST /console/login`.
pub(crate) async fn login(
    State(state): State<AppState>,
    Extension(console): Extension<Arc<ConsoleState>>,
    lang: Lang,
    Form(form): Form<LoginForm>,
) -> Response {
    let started = Instant::now();
    let now = now_ms();
    let plausible = form.username.len() <= MAX_NAME && form.password.len() <= MAX_PASSWORD;
    let user = match plausible {
        true => match state.store.user_by_name(&form.username).await {
            Ok(user) => user,
            Err(e) => return errors::store(&state.i18n, lang, e).into_response(),
        },
        false => None,
    };
    let phc = user.as_ref().map_or_else(|| DECOY_HASH.to_owned(), |u| u.password_hash.clone());
    let password = Zeroizing::new(form.password.clone());
    // Argon2id takes tens of milliseconds of CPU: off the async threads.
    let password_ok =
        tokio::task::spawn_blocking(move || safepassage_keys::password::verify(&password, &phc)).await.unwrap_or(false);
    let now_secs = u64::try_from(now / 1000).unwrap_or(0);
    let secret: &[u8] = user.as_ref().map_or(DECOY_HASH.as_bytes(), |u| u.totp_secret.as_slice());
    let step = super::totp::matching_step(secret, &form.totp, now_secs);

    let Some(user) = user else {
        return refused(started).await;
    };
    let locked = user.locked_until_ms > now;
    // The code is taken last, and only when everything else is right, so that a wrong password
    // does not burn the code the owner is about to type.
    if !locked && password_ok && step.is_some_and(|s| console.totp.take(user.id, s)) {
        return start_session(&state, lang, &user).await;
    }
    let (failed, locked_until) = after_failure(user.failed_logins, user.locked_until_ms, now, state.config.lockout);
    if let Err(e) = state.store.record_login(user.id, false, failed, locked_until).await {
        return errors::store(&state.i18n, lang, e).into_response();
    }
    refused(started).await
}

async fn start_session(state: &AppState, lang: Lang, user: &safepassage_store::UserRecord) -> Response {
    let Some(token) = session::new_token() else {
        return errors::unavailable(&state.i18n, lang).into_response();
    };
    if let Err(e) = state.store.start_session(token_hash(&token), user.id).await {
        return errors::store(&state.i18n, lang, e).into_response();
    }
    let secure = state.config.secure_cookies;
    let mut response = views::see_other(views::landing(user.role));
    for cookie in [session::cookie(&token, secure), cookies::clear(csrf::LOGIN_COOKIE, csrf::LOGIN_PATH, secure)] {
        if let Ok(value) = cookie.parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// The one answer to every failed login.
async fn refused(started: Instant) -> Response {
    tokio::time::sleep_until((started + REFUSAL_FLOOR).into()).await;
    views::see_other("/console/login?notice=login-failed")
}

/// The lock-out rule: the failure count and lock after one more failure. A running lock is not
/// extended (an attacker could otherwise keep the owner out for ever); one that has run out
/// starts a fresh count.
pub(crate) fn after_failure(failed: i64, locked_until_ms: i64, now_ms: i64, lockout: Duration) -> (i64, i64) {
    if locked_until_ms > now_ms {
        return (failed.saturating_add(1), locked_until_ms);
    }
    let failed = if locked_until_ms > 0 { 1 } else { failed.saturating_add(1) };
    if failed >= MAX_FAILURES {
        let lockout_ms = i64::try_from(lockout.as_millis()).unwrap_or(i64::MAX);
        (failed, now_ms.saturating_add(lockout_ms))
    } else {
        (failed, 0)
    }
}

/// `POST /console/logout`: the session ends in the store (an event), the cookie goes.
pub(crate) async fn logout(State(state): State<AppState>, lang: Lang, who: Allowed<AnyStaff>) -> Response {
    let staff = who.staff;
    if let Err(e) = state.store.end_session(staff.token_hash(), Some(staff.id)).await {
        return errors::store(&state.i18n, lang, e).into_response();
    }
    let mut response = views::see_other("/console/login?notice=logged-out");
    if let Ok(value) = session::clear_cookie(state.config.secure_cookies).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: Duration = Duration::from_secs(15 * 60);

    #[test]
    fn the_fifth_failure_locks() {
        let mut state = (0, 0);
        for n in 1..=4 {
            state = after_failure(state.0, state.1, 1_000, LOCK);
            assert_eq!(state, (n, 0));
        }
        state = after_failure(state.0, state.1, 1_000, LOCK);
        assert_eq!(state, (5, 1_000 + 15 * 60_000));
    }

    #[test]
    fn a_running_lock_is_not_extended_and_a_spent_one_restarts_the_count() {
        let until = 900_000;
        assert_eq!(after_failure(5, until, 10_000, LOCK), (6, until));
        assert_eq!(after_failure(6, until, until + 1, LOCK), (1, 0));
    }

    #[test]
    fn the_decoy_hash_costs_what_a_real_one_does() {
        let real = safepassage_keys::password::hash("x");
        let params = |phc: &str| phc.split('$').take(4).collect::<Vec<_>>().join("$");
        assert_eq!(params(DECOY_HASH), params(&real));
        assert!(!safepassage_keys::password::verify("", DECOY_HASH));
        assert!(argon2_parses(DECOY_HASH));
    }

    fn argon2_parses(phc: &str) -> bool {
        // A malformed decoy would make unknown names fast (verify returns at once).
        let started = Instant::now();
        let _ = safepassage_keys::password::verify("y", phc);
        started.elapsed() > Duration::from_millis(5)
    }
}
