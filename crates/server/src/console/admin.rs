//! Administration: staff accounts and their roles, and enrolment of a new account (a one-time
//! password shown once, and a TOTP secret as a QR code drawn here). No case content, ever.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use safepassage_domain::Role;
use safepassage_store::StoreError;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::errors::{self, OrPage};
use super::form::Form;
use super::lang::Lang;
use super::roles::{Administration, Allowed};
use super::views::{self, clock, role_label, Chrome};
use super::{now_ms, totp};
use crate::error::PageError;
use crate::AppState;

const PATH: &str = "/console/admin/users";
/// 20 characters from an alphabet without look-alikes (no 0/O, 1/l/I): about 116 bits.
const PASSWORD_ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const PASSWORD_LEN: usize = 20;

pub(crate) struct UserRow {
    pub name: String,
    pub role: String,
    pub locked_until: Option<String>,
}

pub(crate) struct RoleOption {
    pub value: &'static str,
    pub label: String,
}

/// Shown once, right after the account is made; never stored in clear, never in a URL.
pub(crate) struct Created {
    pub name: String,
    pub password: Zeroizing<String>,
    pub uri: String,
    pub secret: String,
    pub qr_svg: String,
}

#[derive(Template)]
#[template(path = "console/users.html")]
struct UsersPage {
    chrome: Chrome,
    users: Vec<UserRow>,
    roles: Vec<RoleOption>,
    created: Option<Created>,
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
    let users = state
        .store
        .users()
        .await
        .or_page(i18n, lang)?
        .into_iter()
        .map(|u| UserRow {
            name: u.name.clone(),
            role: role_label(i18n, lang, u.role),
            locked_until: (u.locked_until_ms > now).then(|| clock(u.locked_until_ms)),
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
    let (Some(password), Some(secret)) = (one_time_password(), totp::new_secret()) else {
        return Err(errors::unavailable(i18n, lang));
    };
    let Some(enrolment) = totp::enrolment(name, &secret) else {
        return Err(errors::unavailable(i18n, lang));
    };
    let to_hash = password.clone();
    // Argon2id is slow by design: off the async threads.
    let hash = tokio::task::spawn_blocking(move || safepassage_keys::password::hash(&to_hash))
        .await
        .map_err(|e| errors::store(i18n, lang, StoreError::from(e)))?;
    match state.store.create_user(name, role, hash, &secret).await {
        Ok(_) => {}
        Err(StoreError::Conflict(_)) => return Ok(views::see_other(&format!("{PATH}?notice=user-exists"))),
        Err(e) => return Err(errors::store(i18n, lang, e)),
    }
    let created = Created {
        name: name.to_owned(),
        password,
        uri: enrolment.uri,
        secret: enrolment.secret_base32,
        qr_svg: enrolment.qr_svg,
    };
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
