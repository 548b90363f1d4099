//! A person's own account: the first login's setup (a pending account, opened with its one-time
//! password, chooses a password and enrols TOTP, confirmed with a code, before it is active),
//! and later a new password or a new TOTP secret. The TOTP secret is drawn here, shown only to
//! its owner (QR code and text), and kept sealed as pending until a code confirms it.

use askama::Template;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use safepassage_keys::password_policy::{self, Weakness};
use safepassage_store::UserRecord;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::errors::{self, OrPage};
use super::form::Form;
use super::lang::Lang;
use super::roles::{Allowed, AnyStaff};
use super::session::{self, Staff};
use super::views::{self, Chrome};
use super::{now_ms, totp};
use crate::error::PageError;
use crate::hashing::Busy;
use crate::AppState;

pub(crate) const SETUP_PATH: &str = "/console/setup";
pub(crate) const ACCOUNT_PATH: &str = "/console/account";

/// The session of a pending account (opened with its one-time password); any other session is
/// sent to the start page.
pub(crate) struct Pending(Staff);

impl FromRequestParts<AppState> for Pending {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Pending, Response> {
        let staff = Staff::from_request_parts(parts, state).await?;
        if staff.pending {
            Ok(Pending(staff))
        } else {
            Err(views::see_other("/console"))
        }
    }
}

/// A TOTP secret to add to the authenticator app.
pub(crate) struct Enrolment {
    pub secret: String,
    pub qr_svg: String,
}

#[derive(Template)]
#[template(path = "console/setup.html")]
struct SetupPage {
    chrome: Chrome,
    enrolment: Enrolment,
    problem: Option<String>,
}

#[derive(Template)]
#[template(path = "console/account.html")]
struct AccountPage {
    chrome: Chrome,
    enrolment: Option<Enrolment>,
    problem: Option<String>,
    /// Where the owner takes calls ("" when unset), or what they just typed when it was refused.
    phone: String,
}

/// New-password fields; wiped from memory when dropped.
#[derive(Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub(crate) struct SetupForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    repeat: String,
    #[serde(default)]
    totp: String,
}

#[derive(Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    repeat: String,
}

#[derive(Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub(crate) struct CurrentForm {
    #[serde(default)]
    current: String,
}

#[derive(Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub(crate) struct PhoneForm {
    #[serde(default)]
    phone: String,
}

#[derive(Deserialize, zeroize::Zeroize, zeroize::ZeroizeOnDrop)]
pub(crate) struct CodeForm {
    #[serde(default)]
    totp: String,
}

async fn me(state: &AppState, lang: Lang, staff: &Staff) -> Result<UserRecord, PageError> {
    state.store.user(staff.id).await.or_page(&state.i18n, lang)?.ok_or_else(|| errors::not_found(&state.i18n, lang))
}

fn enrolment(state: &AppState, lang: Lang, name: &str, secret: &[u8]) -> Result<Enrolment, PageError> {
    let drawn = totp::enrolment(name, secret).ok_or_else(|| errors::unavailable(&state.i18n, lang))?;
    Ok(Enrolment { secret: drawn.secret_base32, qr_svg: drawn.qr_svg })
}

/// The text for a refused new password.
fn weakness_text(weakness: Weakness) -> &'static str {
    match weakness {
        Weakness::TooShort => "account-password-too-short",
        Weakness::TooLong => "account-password-too-long",
        Weakness::Guessable => "account-password-guessable",
    }
}

/// The checks of a new password, in the order a person fixes them; the text id of the first
/// that fails.
fn new_password_problem(name: &str, password: &str, repeat: &str) -> Option<&'static str> {
    if password != repeat {
        return Some("account-password-mismatch");
    }
    password_policy::check(password, &[name]).err().map(weakness_text)
}

/// The hashing pool is full: 503 with Retry-After, as for a login.
fn busy(state: &AppState, lang: Lang, _: Busy) -> Response {
    let mut response = errors::unavailable(&state.i18n, lang).into_response();
    response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
    response
}

/// `GET /console/setup`: the first login's page. The secret is drawn once and kept (sealed,
/// pending) so that a reload shows the same one.
pub(crate) async fn setup_page(
    State(state): State<AppState>,
    lang: Lang,
    Pending(staff): Pending,
    uri: Uri,
) -> Result<Response, PageError> {
    show_setup(&state, lang, &staff, uri.query(), None, StatusCode::OK).await
}

async fn show_setup(
    state: &AppState,
    lang: Lang,
    staff: &Staff,
    query: Option<&str>,
    problem: Option<&str>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let i18n = &state.i18n;
    let user = me(state, lang, staff).await?;
    let secret = match user.totp_pending {
        Some(secret) => secret,
        None => {
            let secret = totp::new_secret().ok_or_else(|| errors::unavailable(i18n, lang))?;
            state.store.set_pending_totp(staff.id, Some(&secret)).await.or_page(i18n, lang)?;
            secret
        }
    };
    let enrolment = enrolment(state, lang, &staff.name, &secret)?;
    let mut chrome = Chrome::staff(state, lang, staff, SETUP_PATH, query, "setup-title");
    chrome.nav.clear();
    let problem = problem.map(|id| i18n.text(lang.language, id));
    Ok(views::render(state, lang, status, &SetupPage { chrome, enrolment, problem }))
}

/// `POST /console/setup`: a new password (twice) and a code from the newly enrolled app. On
/// success the account is active, every session of it ends, and its owner logs in afresh with
/// both factors.
pub(crate) async fn setup(
    State(state): State<AppState>,
    lang: Lang,
    Pending(staff): Pending,
    Form(form): Form<SetupForm>,
) -> Result<Response, PageError> {
    let i18n = &state.i18n;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    if let Some(problem) = new_password_problem(&staff.name, &form.password, &form.repeat) {
        return show_setup(&state, lang, &staff, None, Some(problem), unprocessable).await;
    }
    let user = me(&state, lang, &staff).await?;
    let Some(secret) = user.totp_pending else {
        return show_setup(&state, lang, &staff, None, Some("account-totp-wrong"), unprocessable).await;
    };
    let now_secs = u64::try_from(now_ms() / 1000).unwrap_or(0);
    let Some(step) = totp::matching_step(&secret, &form.totp, now_secs) else {
        return show_setup(&state, lang, &staff, None, Some("account-totp-wrong"), unprocessable).await;
    };
    let slot = match state.hasher.slot() {
        Ok(slot) => slot,
        Err(b) => return Ok(busy(&state, lang, b)),
    };
    let hash = slot.hash(Zeroizing::new(form.password.clone())).await.ok_or_else(|| errors::unavailable(i18n, lang))?;
    state.store.activate_user(staff.id, hash, &secret).await.or_page(i18n, lang)?;
    // The code that confirmed the secret does not also open the next session.
    state.store.claim_totp_step(staff.id, step).await.or_page(i18n, lang)?;
    let mut response = views::see_other("/console/login?notice=account-ready");
    if let Ok(value) = session::clear_cookie(state.config.secure_cookies).parse() {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
    Ok(response)
}

/// `GET /console/account`: change the password; enrol a new TOTP secret.
pub(crate) async fn page(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<AnyStaff>,
    uri: Uri,
) -> Result<Response, PageError> {
    show_account(&state, lang, &who.staff, uri.query(), None, StatusCode::OK).await
}

async fn show_account(
    state: &AppState,
    lang: Lang,
    staff: &Staff,
    query: Option<&str>,
    problem: Option<&str>,
    status: StatusCode,
) -> Result<Response, PageError> {
    show_account_with(state, lang, staff, query, problem, status, None).await
}

async fn show_account_with(
    state: &AppState,
    lang: Lang,
    staff: &Staff,
    query: Option<&str>,
    problem: Option<&str>,
    status: StatusCode,
    typed_phone: Option<&str>,
) -> Result<Response, PageError> {
    let user = me(state, lang, staff).await?;
    let phone = match typed_phone {
        Some(typed) => typed.to_owned(),
        None => {
            let stored = state.store.staff_phone(staff.id).await.or_page(&state.i18n, lang)?;
            stored.map(|p| p.as_str().to_owned()).unwrap_or_default()
        }
    };
    let enrolment = match &user.totp_pending {
        Some(secret) => Some(enrolment(state, lang, &staff.name, secret)?),
        None => None,
    };
    let chrome = Chrome::staff(state, lang, staff, ACCOUNT_PATH, query, "account-title");
    let problem = problem.map(|id| state.i18n.text(lang.language, id));
    Ok(views::render(state, lang, status, &AccountPage { chrome, enrolment, problem, phone }))
}

/// `POST /console/account/phone`: where the owner takes calls (a phone number in international
/// format or a SIP address; empty: none). Taking a waiting call then connects the caller there.
pub(crate) async fn set_phone(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<AnyStaff>,
    Form(form): Form<PhoneForm>,
) -> Result<Response, PageError> {
    let staff = &who.staff;
    let typed = form.phone.trim();
    let phone = match typed {
        "" => None,
        typed => match crate::channels::voice::dial::normal_address(typed) {
            Some(address) => Some(address),
            None => {
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                let problem = Some("account-phone-invalid");
                return show_account_with(&state, lang, staff, None, problem, status, Some(typed)).await;
            }
        },
    };
    state.store.set_staff_phone(staff.id, phone.as_deref()).await.or_page(&state.i18n, lang)?;
    Ok(views::see_other(&format!("{ACCOUNT_PATH}?notice=phone-saved")))
}

/// Checks the owner's current password as a login does: the attempt is counted first (a stolen
/// session cannot guess the password faster than the login form), a wrong one is an event.
async fn current_password_ok(state: &AppState, lang: Lang, user: &UserRecord, current: &str) -> Result<bool, Response> {
    let slot = state.hasher.slot().map_err(|b| busy(state, lang, b))?;
    let store_error = |e| errors::store(&state.i18n, lang, e).into_response();
    let claimed = state
        .store
        .claim_login_attempt(user.id, super::auth::MAX_FAILURES, state.config.lockout)
        .await
        .map_err(store_error)?;
    let matches = slot.verify(Zeroizing::new(current.to_owned()), user.password_hash.clone()).await;
    if claimed && matches {
        return Ok(true);
    }
    state.store.login_failed(user.id).await.map_err(store_error)?;
    Ok(false)
}

/// `POST /console/account/password`: the current password and the new one twice. The other
/// sessions of the account end.
pub(crate) async fn change_password(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<AnyStaff>,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    let staff = &who.staff;
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    if let Some(problem) = new_password_problem(&staff.name, &form.password, &form.repeat) {
        return show_account(&state, lang, staff, None, Some(problem), unprocessable).await;
    }
    let user = me(&state, lang, staff).await?;
    match current_password_ok(&state, lang, &user, &form.current).await {
        Ok(true) => {}
        Ok(false) => {
            return show_account(&state, lang, staff, None, Some("account-current-wrong"), unprocessable).await
        }
        Err(response) => return Ok(response),
    }
    let slot = match state.hasher.slot() {
        Ok(slot) => slot,
        Err(b) => return Ok(busy(&state, lang, b)),
    };
    let i18n = &state.i18n;
    let hash = slot.hash(Zeroizing::new(form.password.clone())).await.ok_or_else(|| errors::unavailable(i18n, lang))?;
    state.store.change_password(staff.id, hash, staff.token_hash()).await.or_page(i18n, lang)?;
    Ok(views::see_other(&format!("{ACCOUNT_PATH}?notice=password-changed")))
}

/// `POST /console/account/totp/new`: with the current password, a new secret to enrol (the old
/// one keeps working until a code confirms the new).
pub(crate) async fn new_totp(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<AnyStaff>,
    Form(form): Form<CurrentForm>,
) -> Result<Response, PageError> {
    let staff = &who.staff;
    let i18n = &state.i18n;
    let user = me(&state, lang, staff).await?;
    match current_password_ok(&state, lang, &user, &form.current).await {
        Ok(true) => {}
        Ok(false) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return show_account(&state, lang, staff, None, Some("account-current-wrong"), status).await;
        }
        Err(response) => return Ok(response),
    }
    let secret = totp::new_secret().ok_or_else(|| errors::unavailable(i18n, lang))?;
    state.store.set_pending_totp(staff.id, Some(&secret)).await.or_page(i18n, lang)?;
    Ok(views::see_other(&format!("{ACCOUNT_PATH}#new-totp")))
}

/// `POST /console/account/totp`: a code from the app confirms the new secret, which replaces
/// the old one; the other sessions of the account end.
pub(crate) async fn confirm_totp(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<AnyStaff>,
    Form(form): Form<CodeForm>,
) -> Result<Response, PageError> {
    let staff = &who.staff;
    let i18n = &state.i18n;
    let user = me(&state, lang, staff).await?;
    let now_secs = u64::try_from(now_ms() / 1000).unwrap_or(0);
    let confirmed = user
        .totp_pending
        .as_ref()
        .and_then(|secret| totp::matching_step(secret, &form.totp, now_secs).map(|s| (secret, s)));
    let Some((secret, step)) = confirmed else {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return show_account(&state, lang, staff, None, Some("account-totp-wrong"), status).await;
    };
    state.store.enrol_totp(staff.id, secret, staff.token_hash()).await.or_page(i18n, lang)?;
    state.store.claim_totp_step(staff.id, step).await.or_page(i18n, lang)?;
    Ok(views::see_other(&format!("{ACCOUNT_PATH}?notice=totp-enrolled")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_passwords_are_checked_in_order() {
        assert_eq!(new_password_problem("anna", "a", "b"), Some("account-password-mismatch"));
        assert_eq!(new_password_problem("anna", "short", "short"), Some("account-password-too-short"));
        assert_eq!(new_password_problem("anna", "password1234", "password1234"), Some("account-password-guessable"));
        assert_eq!(new_password_problem("anna", "tiny-orange-glacier-47", "tiny-orange-glacier-47"), None);
    }
}
