//! Administration: staff accounts and their roles, and their life: a new account gets a
//! one-time password shown once (valid 24 hours; its owner chooses a password and enrols TOTP at
//! the first login, so no administrator ever sees a TOTP secret); accounts are disabled and
//! enabled, unlocked, reset to a new one-time password, or given another role, each an event.
//! No case content, ever.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use safepassage_domain::{Role, UserId};
use safepassage_store::{AccountStatus, StoreError, UserRecord};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::errors::{self, OrPage};
use super::form::{Form, Id};
use super::lang::Lang;
use super::now_ms;
use super::roles::{Administration, Allowed};
use super::views::{self, clock, role_label, Chrome};
use crate::error::PageError;
use crate::AppState;

const PATH: &str = "/console/admin/users";
/// 20 characters from an alphabet without look-alikes (no 0/O, 1/l/I): about 116 bits.
const PASSWORD_ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const PASSWORD_LEN: usize = 20;
/// How long a one-time password works.
pub(crate) const ONE_TIME_VALID_MS: i64 = 24 * 60 * 60 * 1000;

pub(crate) struct UserRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub role_value: &'static str,
    pub status: String,
    pub disabled: bool,
    pub locked_until: Option<String>,
    /// The administrator's own row: no disabling, reset or role change there.
    pub me: bool,
    /// An analyst's access to the figures: Some(true) without disclosure control.
    pub figures_internal: Option<bool>,
}

pub(crate) struct RoleOption {
    pub value: &'static str,
    pub label: String,
}

/// Shown once, right after the account is made or reset; never stored in clear, never in a URL.
pub(crate) struct Created {
    pub name: String,
    pub password: Zeroizing<String>,
    pub valid_until: String,
}

#[derive(Template)]
#[template(path = "console/users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserRow>,
    roles: Vec<RoleOption>,
    created: Option<Created>,
}

#[derive(Template)]
#[template(path = "console/user_reset.html")]
struct ResetPage {
    chrome: Chrome,
    id: String,
    name: String,
}

/// `GET /console/admin/users`.
pub(crate) async fn users(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Administration>,
    uri: Uri,
) -> Result<Response, PageError> {
    show(&state, lang, &who, uri.query(), None, StatusCode::OK).await
}

fn status_text(state: &AppState, lang: Lang, status: AccountStatus) -> String {
    let id = match status {
        AccountStatus::Pending => "users-pending",
        AccountStatus::Active => "users-active",
        AccountStatus::Disabled => "users-disabled",
    };
    state.i18n.text(lang.language, id)
}

async fn show(
    state: &AppState,
    lang: Lang,
    who: &Allowed<Administration>,
    query: Option<&str>,
    created: Option<Created>,
    status: StatusCode,
) -> Result<Response, PageError> {
    let i18n = &state.i18n;
    let now = now_ms();
    let records = state.store.users().await.or_page(i18n, lang)?;
    let mut internal = std::collections::HashMap::new();
    for u in records.iter().filter(|u| u.role == Role::Analyst) {
        internal.insert(u.id, state.store.figures_internal(u.id).await.or_page(i18n, lang)?);
    }
    let users = records
        .into_iter()
        .map(|u| UserRow {
            figures_internal: internal.get(&u.id).copied(),
            id: u.id.0.to_string(),
            name: u.name.clone(),
            role: role_label(i18n, lang, u.role),
            role_value: u.role.as_str(),
            status: status_text(state, lang, u.status),
            disabled: u.status == AccountStatus::Disabled,
            locked_until: (u.locked_until_ms > now).then(|| clock(u.locked_until_ms)),
            me: u.id == who.staff.id,
        })
        .collect();
    let roles = Role::ALL.iter().map(|r| RoleOption { value: r.as_str(), label: role_label(i18n, lang, *r) }).collect();
    let chrome = Chrome::staff(state, lang, &who.staff, PATH, query, "users-title");
    Ok(views::render(state, lang, status, &UsersPage { chrome, users, roles, created }))
}

#[derive(Deserialize)]
pub(crate) struct AddUserForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

/// Login names: 2 to 64 of letters, digits, `.`, `_`, `-` (they go into the otpauth URI too).
pub(crate) fn valid_name(name: &str) -> bool {
    (2..=64).contains(&name.len()) && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn one_time_password() -> Option<Zeroizing<String>> {
    let mut bytes = Zeroizing::new([0u8; 64]);
    getrandom::getrandom(bytes.as_mut()).ok()?;
    // Rejection sampling keeps every character equally likely.
    let limit = 256 - 256 % PASSWORD_ALPHABET.len();
    let password: String = bytes
        .iter()
        .filter(|b| usize::from(**b) < limit)
        .take(PASSWORD_LEN)
        .map(|b| char::from(PASSWORD_ALPHABET[usize::from(*b) % PASSWORD_ALPHABET.len()]))
        .collect();
    (password.len() == PASSWORD_LEN).then(|| Zeroizing::new(password))
}

/// A new one-time password, its hash (on the bounded hashing pool) and when it stops working.
async fn new_one_time(state: &AppState, lang: Lang) -> Result<(Zeroizing<String>, String, i64), PageError> {
    let i18n = &state.i18n;
    let password = one_time_password().ok_or_else(|| errors::unavailable(i18n, lang))?;
    let slot = state.hasher.slot().map_err(|_| errors::unavailable(i18n, lang))?;
    let hash = slot.hash(password.clone()).await.ok_or_else(|| errors::unavailable(i18n, lang))?;
    Ok((password, hash, now_ms().saturating_add(ONE_TIME_VALID_MS)))
}

/// `POST /console/admin/users`: answers with the page itself (not a redirect), because the
/// one-time password must be shown exactly once and never travel in a URL.
pub(crate) async fn add_user(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Administration>,
    Form(form): Form<AddUserForm>,
) -> Result<Response, PageError> {
    let i18n = &state.i18n;
    let name = form.name.trim();
    let Ok(role) = form.role.parse::<Role>() else {
        return Err(errors::bad_request(i18n, lang));
    };
    if !valid_name(name) {
        return Ok(views::see_other(&format!("{PATH}?notice=user-name-invalid")));
    }
    let (password, hash, expires) = new_one_time(&state, lang).await?;
    match state.store.create_pending_user(name, role, hash, expires).await {
        Ok(_) => {}
        Err(StoreError::Conflict(_)) => return Ok(views::see_other(&format!("{PATH}?notice=user-exists"))),
        Err(e) => return Err(errors::store(i18n, lang, e)),
    }
    let created = Created { name: name.to_owned(), password, valid_until: clock(expires) };
    show(&state, lang, &who, None, Some(created), StatusCode::OK).await
}

/// The account an action names, if it is not the administrator's own (nobody disables,
/// resets or demotes themselves: the last administrator must not lock everyone out).
pub(super) async fn other_account(
    state: &AppState,
    lang: Lang,
    who: &Allowed<Administration>,
    id: uuid::Uuid,
) -> Result<Result<UserRecord, Response>, PageError> {
    let user = state.store.user(UserId(id)).await.or_page(&state.i18n, lang)?;
    let user = user.ok_or_else(|| errors::not_found(&state.i18n, lang))?;
    if user.id == who.staff.id {
        return Ok(Err(views::see_other(&format!("{PATH}?notice=user-self"))));
    }
    Ok(Ok(user))
}

/// `POST /console/admin/users/{id}/disable`: the account cannot log in, and its sessions end.
pub(crate) async fn disable(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Administration>,
    Id(id): Id,
) -> Result<Response, PageError> {
    let user = match other_account(&state, lang, &who, id).await? {
        Ok(user) => user,
        Err(refused) => return Ok(refused),
    };
    state.store.disable_user(user.id, who.staff.id).await.or_page(&state.i18n, lang)?;
    Ok(views::see_other(&format!("{PATH}?notice=user-disabled")))
}

/// `POST /console/admin/users/{id}/enable`.
pub(crate) async fn enable(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Administration>,
    Id(id): Id,
) -> Result<Response, PageError> {
    let user = match other_account(&state, lang, &who, id).await? {
        Ok(user) => user,
        Err(refused) => return Ok(refused),
    };
    if user.status != AccountStatus::Disabled {
        return Ok(views::see_other(PATH));
    }
    state.store.enable_user(user.id, who.staff.id).await.or_page(&state.i18n, lang)?;
    Ok(views::see_other(&format!("{PATH}?notice=user-enabled")))
}

/// `POST /console/admin/users/{id}/unlock`: lifts a lock-out after failed logins.
pub(crate) async fn unlock(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Administration>,
    Id(id): Id,
) -> Result<Response, PageError> {
    let user = state.store.user(UserId(id)).await.or_page(&state.i18n, lang)?;
    let user = user.ok_or_else(|| errors::not_found(&state.i18n, lang))?;
    state.store.unlock_user(user.id, who.staff.id).await.or_page(&state.i18n, lang)?;
    Ok(views::see_other(&format!("{PATH}?notice=user-unlocked")))
}

#[derive(Deserialize)]
pub(crate) struct RoleForm {
    #[serde(default)]
    role: String,
}

/// `POST /console/admin/users/{id}/role`: the account's sessions end at once.
pub(crate) async fn set_role(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Administration>,
    Id(id): Id,
    Form(form): Form<RoleForm>,
) -> Result<Response, PageError> {
    let Ok(role) = form.role.parse::<Role>() else {
        return Err(errors::bad_request(&state.i18n, lang));
    };
    let user = match other_account(&state, lang, &who, id).await? {
        Ok(user) => user,
        Err(refused) => return Ok(refused),
    };
    if user.role == role {
        return Ok(views::see_other(PATH));
    }
    state.store.set_role(user.id, role, who.staff.id).await.or_page(&state.i18n, lang)?;
    Ok(views::see_other(&format!("{PATH}?notice=user-role-changed")))
}

/// `GET /console/admin/users/{id}/reset`: the confirmation a reset needs (it cannot be undone),
/// a plain form that works without JavaScript.
pub(crate) async fn reset_page(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Administration>,
    Id(id): Id,
) -> Result<Response, PageError> {
    let user = match other_account(&state, lang, &who, id).await? {
        Ok(user) => user,
        Err(refused) => return Ok(refused),
    };
    let chrome = Chrome::staff(&state, lang, &who.staff, PATH, None, "users-reset-title");
    let page = ResetPage { chrome, id: user.id.0.to_string(), name: user.name };
    Ok(views::render(&state, lang, StatusCode::OK, &page))
}

#[derive(Deserialize)]
pub(crate) struct ConfirmForm {
    #[serde(default)]
    confirm: String,
}

/// `POST /console/admin/users/{id}/reset` with `confirm=yes`: a new one-time password, shown
/// once; the old password, the TOTP secret and every session are gone. Without the
/// confirmation, back to the confirmation page.
pub(crate) async fn reset(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Administration>,
    Id(id): Id,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, PageError> {
    let user = match other_account(&state, lang, &who, id).await? {
        Ok(user) => user,
        Err(refused) => return Ok(refused),
    };
    if form.confirm != "yes" {
        return Ok(views::see_other(&format!("{PATH}/{}/reset", user.id.0)));
    }
    let (password, hash, expires) = new_one_time(&state, lang).await?;
    state.store.reset_user(user.id, hash, expires, who.staff.id).await.or_page(&state.i18n, lang)?;
    let created = Created { name: user.name, password, valid_until: clock(expires) };
    show(&state, lang, &who, None, Some(created), StatusCode::OK).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_time_passwords_are_long_and_unambiguous() {
        let a = one_time_password().unwrap();
        assert_eq!(a.len(), PASSWORD_LEN);
        assert!(a.bytes().all(|b| PASSWORD_ALPHABET.contains(&b)));
        assert_ne!(*a, *one_time_password().unwrap());
    }

    #[test]
    fn names_are_checked() {
        assert!(valid_name("ops.anna-2"));
        for bad in ["a", "with space", "colon:name", "ім'я", &"x".repeat(65)] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}
