//! Logging in and out. A login needs the password (Argon2id) and a TOTP code; five failures in a
//! row lock the account for a while. Every refusal looks and takes the same, whichever factor
//! failed and whether the account exists at all; every attempt on an account is an event.

use std::time::Instant;

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use safepassage_store::AccountStatus;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::form::Form;
use super::lang::Lang;
use super::session::Staff;
use super::views::{self, Chrome};
use super::{cookies, csrf, errors, now_ms, session};
use crate::service::token_hash;
use crate::AppState;

/// Failures in a row that lock an account.
pub(crate) const MAX_FAILURES: i64 = 5;
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

/// `POST /console/login`. A pending account logs in with its one-time password alone (no
/// code: it has none yet) and may then only choose a password and enrol TOTP.
pub(crate) async fn login(State(state): State<AppState>, lang: Lang, Form(form): Form<LoginForm>) -> Response {
    let deadline = Instant::now() + state.config.login_refusal_time;
    // A place on the hashing pool first: a full pool answers at once, known name or not.
    let Ok(slot) = state.hasher.slot() else {
        return busy(&state, lang);
    };
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
    // The attempt is counted before its password is known, in one guarded update: parallel
    // guesses cannot pass the limit, and one past it never learns whether its password was
    // right. Counting runs beside the hash, so a known name takes no longer than an unknown.
    let claim = async {
        match &user {
            Some(u) if u.status != AccountStatus::Disabled => {
                state.store.claim_login_attempt(u.id, MAX_FAILURES, state.config.lockout).await.map(Some)
            }
            _ => Ok(None),
        }
    };
    let (claimed, password_ok) = tokio::join!(claim, slot.verify(password, phc));
    let may_try = match claimed {
        Ok(claimed) => claimed == Some(true),
        Err(e) => return errors::store(&state.i18n, lang, e).into_response(),
    };
    let now_secs = u64::try_from(now / 1000).unwrap_or(0);
    let secret: &[u8] = user.as_ref().map_or(DECOY_HASH.as_bytes(), |u| u.totp_secret.as_slice());
    let step = super::totp::matching_step(secret, &form.totp, now_secs);

    let Some(user) = user else {
        return refused(deadline).await;
    };
    // The code is taken last, and only when everything else is right, so that a wrong password
    // does not burn the code the owner is about to type; it is taken in the store, so a code
    // opens one session whichever node it reaches.
    let code_taken = match step {
        Some(step) if user.status == AccountStatus::Active && may_try && password_ok => {
            match state.store.claim_totp_step(user.id, step).await {
                Ok(taken) => taken,
                Err(e) => return errors::store(&state.i18n, lang, e).into_response(),
            }
        }
        _ => false,
    };
    match user.status {
        AccountStatus::Active if code_taken => {
            return start_session(&state, lang, &user, views::landing(user.role)).await;
        }
        AccountStatus::Pending if may_try && password_ok && user.password_expires_ms > now => {
            return start_session(&state, lang, &user, super::account::SETUP_PATH).await;
        }
        _ => {}
    }
    if let Err(e) = state.store.login_failed(user.id).await {
        return errors::store(&state.i18n, lang, e).into_response();
    }
    refused(deadline).await
}

/// The hashing pool is full: 503, to be tried again in a second.
fn busy(state: &AppState, lang: Lang) -> Response {
    let mut response = errors::unavailable(&state.i18n, lang).into_response();
    response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    response
}

async fn start_session(state: &AppState, lang: Lang, user: &safepassage_store::UserRecord, to: &str) -> Response {
    let Some(token) = session::new_token() else {
        return errors::unavailable(&state.i18n, lang).into_response();
    };
    if let Err(e) = state.store.start_session(token_hash(&token), user.id).await {
        return errors::store(&state.i18n, lang, e).into_response();
    }
    let secure = state.config.secure_cookies;
    let mut response = views::see_other(to);
    for cookie in [session::cookie(&token, secure), cookies::clear(csrf::LOGIN_COOKIE, csrf::LOGIN_PATH, secure)] {
        if let Ok(value) = cookie.parse() {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// The one answer to every failed login, at a fixed time after the request arrived: not a
/// floor over work that varies, but one deadline that covers the slowest refusal.
async fn refused(deadline: Instant) -> Response {
    if Instant::now() > deadline {
        tracing::warn!("a refused login took longer than login_refusal_time; raise it");
    }
    tokio::time::sleep_until(deadline.into()).await;
    views::see_other("/console/login?notice=login-failed")
}

/// `POST /console/logout`: the session ends in the store (an event), the cookie goes. Open to
/// every session, a pending account's too.
pub(crate) async fn logout(State(state): State<AppState>, lang: Lang, staff: Staff) -> Response {
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
    use std::time::Duration;

    use super::*;

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
