//! The public figures (`/figures`, `/figures.json` on the public listener, only when
//! `public_figures` is set): contacts per month by channel, who and where over the same months,
//! and people who reached safety per month once the month is old enough. Everything passes
//! disclosure control; nothing below country level, nothing of a single person.

use askama::Template;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use safepassage_domain::figures::period::day_of;
use safepassage_domain::Language;

use super::report::{public, PublicFigures};
use super::view::{table, Chart, Shape, TableView, Words};
use crate::AppState;

/// Months shown: the last two years.
const MONTHS: i32 = 24;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/figures", get(page)).route("/figures.json", get(json))
}

fn today() -> i32 {
    day_of(safepassage_conversation::clock::now_ms())
}

async fn figures(state: &AppState) -> Result<PublicFigures, Response> {
    let unavailable = || StatusCode::SERVICE_UNAVAILABLE.into_response();
    if let Err(e) = state.store.project_figures().await {
        tracing::warn!(error = %e, "public figures: projection failed");
        return Err(unavailable());
    }
    public(&state.store, state.config.figures, today(), MONTHS).await.map_err(|e| {
        tracing::warn!(error = %e, "public figures: not read");
        unavailable()
    })
}

/// `GET /figures.json`: the same figures as data (a hidden figure is `null`).
async fn json(State(state): State<AppState>) -> Response {
    match figures(&state).await {
        Ok(f) => {
            let mut response = Json(f).into_response();
            response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
            response
        }
        Err(r) => r,
    }
}

#[derive(Template)]
#[template(path = "figures/public.html")]
struct PublicPage {
    lang: &'static str,
    title: String,
    intro: String,
    hidden_note: String,
    download: String,
    none_text: String,
    total_text: String,
    tables: Vec<TableView>,
    languages: Vec<(&'static str, &'static str, bool)>,
}

/// `GET /figures?lang=ru|uk|en`: the page (Russian unless asked otherwise), readable without
/// JavaScript.
async fn page(State(state): State<AppState>, uri: Uri) -> Response {
    let language = uri
        .query()
        .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("lang=")))
        .and_then(|l| l.parse::<Language>().ok())
        .unwrap_or(Language::Ru);
    let f = match figures(&state).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let words = Words { i18n: &state.i18n, language };
    let t = |id: &str| words.t(id);
    let days = f.publish_after_days;
    let specs = [
        (
            "contacts",
            "public-figures-contacts-title",
            "figures-col-period",
            "",
            "channel",
            Chart::Stacked,
            &f.contacts_by_month,
        ),
        ("who", "figures-who-title", "figures-col-category", "figures-who", "figures-column", Chart::Shares, &f.who),
        (
            "whereabouts",
            "figures-whereabouts-title",
            "figures-col-category",
            "figures-whereabouts",
            "figures-column",
            Chart::Shares,
            &f.whereabouts,
        ),
        (
            "exits",
            "public-figures-exits-title",
            "figures-col-period",
            "",
            "figures-column",
            Chart::Stacked,
            &f.exits_by_month,
        ),
    ];
    let tables = specs
        .into_iter()
        .map(|(id, caption, first, row_words, column_words, chart, p)| {
            let (caption, first) = (t(caption), t(first));
            table(
                &words,
                Shape { id, caption: &caption, description: &caption, first: &first, row_words, column_words, chart },
                p,
            )
        })
        .collect();
    let page = PublicPage {
        lang: language.as_str(),
        title: t("public-figures-title"),
        intro: state.i18n.text_with(language, "public-figures-intro", &[("days", days.into())]),
        hidden_note: t("figures-suppressed-note"),
        download: t("public-figures-download"),
        none_text: t("figures-none"),
        total_text: t("figures-col-total"),
        tables,
        languages: [(Language::Ru, "Русский"), (Language::Uk, "Українська"), (Language::En, "English")]
            .iter()
            .map(|(l, name)| (l.as_str(), *name, *l == language))
            .collect(),
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
