//! The console's error pages in the reader's language. They are `PageError`s, so the one
//! renderer in `crate::error` draws them and adds the request id; causes go to the log only.

use axum::http::StatusCode;
use safepassage_store::StoreError;

use super::lang::Lang;
use crate::error::{PageError, PageLabels};
use crate::I18n;

/// An error page whose title and text are the Fluent messages `title` and `detail`.
pub(crate) fn page(i18n: &I18n, lang: Lang, status: StatusCode, title: &str, detail: &str) -> PageError {
    PageError::new(status, i18n.text(lang.language, title), i18n.text(lang.language, detail)).with_labels(PageLabels {
        lang: lang.tag(),
        request_id: i18n.text(lang.language, "error-request-id"),
        back: Some(("/console".to_owned(), i18n.text(lang.language, "error-back"))),
    })
}

/// Something that is not there, or that this person may not know is there: one answer for both.
pub(crate) fn not_found(i18n: &I18n, lang: Lang) -> PageError {
    page(i18n, lang, StatusCode::NOT_FOUND, "error-not-found-title", "error-not-found-detail")
}

/// A part of the console this role never enters, or an action this person may not take.
pub(crate) fn forbidden(i18n: &I18n, lang: Lang) -> PageError {
    page(i18n, lang, StatusCode::FORBIDDEN, "error-forbidden-title", "error-forbidden-detail")
}

/// A form without a valid CSRF token (forged, or older than its session).
pub(crate) fn csrf(i18n: &I18n, lang: Lang) -> PageError {
    page(i18n, lang, StatusCode::FORBIDDEN, "error-csrf-title", "error-csrf-detail")
}

pub(crate) fn bad_request(i18n: &I18n, lang: Lang) -> PageError {
    page(i18n, lang, StatusCode::BAD_REQUEST, "error-bad-request-title", "error-bad-request-detail")
}

/// A case move the rules refuse for this role or state (the page offered no such button).
pub(crate) fn move_refused(i18n: &I18n, lang: Lang) -> PageError {
    page(i18n, lang, StatusCode::FORBIDDEN, "error-move-refused-title", "error-move-refused-detail")
}

/// A store failure. Kinds map to statuses; the cause is logged (inside the request's span, so
/// with its id: see `crate::error::page_request_ids`) and never shown.
pub(crate) fn store(i18n: &I18n, lang: Lang, error: StoreError) -> PageError {
    match error {
        StoreError::NotFound(_) => not_found(i18n, lang),
        StoreError::Conflict(_) => {
            page(i18n, lang, StatusCode::CONFLICT, "error-conflict-title", "error-conflict-detail")
        }
        StoreError::Case(_) | StoreError::Plan(_) => move_refused(i18n, lang),
        other => {
            tracing::error!(error = %other, "console: store failure");
            unavailable(i18n, lang)
        }
    }
}

pub(crate) fn unavailable(i18n: &I18n, lang: Lang) -> PageError {
    page(i18n, lang, StatusCode::SERVICE_UNAVAILABLE, "error-unavailable-title", "error-unavailable-detail")
}

/// A template that failed to render: a bug, logged, shown as "unavailable".
pub(crate) fn render(i18n: &I18n, lang: Lang, error: askama::Error) -> PageError {
    tracing::error!(error = %error, "console: template failed to render");
    page(i18n, lang, StatusCode::INTERNAL_SERVER_ERROR, "error-internal-title", "error-unavailable-detail")
}

/// `?`-friendly mapping of store results to console error pages.
pub(crate) trait OrPage<T> {
    fn or_page(self, i18n: &I18n, lang: Lang) -> Result<T, PageError>;
}

impl<T> OrPage<T> for Result<T, StoreError> {
    fn or_page(self, i18n: &I18n, lang: Lang) -> Result<T, PageError> {
        self.map_err(|e| store(i18n, lang, e))
    }
}
