//! The analyst's figures (`/console/figures`): counts for a period grouped by day, week or
//! month, as tables with server-drawn charts, and the same as CSV or JSON (each download an
//! audit event). Disclosure control applies unless the analyst is allowed the internal view.
//! No link leads to a case: the figures hold none.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use safepassage_domain::figures::disclosure::{Cell, Protected};
use safepassage_domain::figures::period::{day_of, parse_day, Granularity};
use safepassage_domain::{Event, FiguresFormat};
use serde::Deserialize;

use super::errors::OrPage;
use super::lang::Lang;
use super::now_ms;
use super::roles::{Allowed, Figures};
use super::views::{self, Chrome};
use crate::error::PageError;
use crate::figures::report::{self, Range, Report, Spread, Staffing};
use crate::figures::view::{table, Chart, Shape, TableView, Words};
use crate::AppState;

/// The longest range per grouping: a year of days, five years of weeks, ten of months.
fn max_periods(by: Granularity) -> i32 {
    match by {
        Granularity::Day => 366,
        Granularity::Week => 5 * 53,
        Granularity::Month => 120,
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RangeQuery {
    #[serde(default)]
    by: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// The range asked for, or the last twelve weeks (and whether the request was not understood).
fn range(query: &RangeQuery, today: i32) -> (Range, bool) {
    let default = Range { by: Granularity::Week, from_day: today - 12 * 7 + 1, to_day: today };
    if query.by.is_empty() && query.from.is_empty() && query.to.is_empty() {
        return (default, false);
    }
    let by = if query.by.is_empty() { Ok(Granularity::Week) } else { query.by.parse::<Granularity>() };
    let to = if query.to.is_empty() { Ok(today) } else { parse_day(&query.to) };
    let from = if query.from.is_empty() { to.clone().map(|t| t - 12 * 7 + 1) } else { parse_day(&query.from) };
    match (by, from, to) {
        (Ok(by), Ok(from_day), Ok(to_day)) if from_day <= to_day => {
            let span = match by {
                Granularity::Day => 1,
                Granularity::Week => 7,
                Granularity::Month => 31,
            };
            // A range longer than the grouping allows keeps its most recent part.
            let from_day = from_day.max(to_day - max_periods(by) * span + 1);
            (Range { by, from_day, to_day }, false)
        }
        _ => (default, true),
    }
}

struct ByOption {
    value: &'static str,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "console/figures.html")]
struct FiguresPage {
    chrome: Chrome,
    intro: String,
    bad_range: bool,
    by: Vec<ByOption>,
    from: String,
    to: String,
    /// The query of the downloads (the same range).
    query: String,
    tables: Vec<TableView>,
    spreads: Vec<SpreadTable>,
    staffing: Vec<Staffing>,
    has_hidden: bool,
    dated_note: Option<String>,
}

/// Times (median and 90th percentile) under one caption.
struct SpreadTable {
    id: &'static str,
    caption: String,
    rows: Vec<SpreadRow>,
}

struct SpreadRow {
    label: String,
    n: String,
    median: String,
    p90: String,
}

async fn load(
    state: &AppState,
    staff_id: safepassage_domain::UserId,
    query: &RangeQuery,
) -> Result<(Report, bool), safepassage_store::StoreError> {
    // The counters are brought up to the newest event first (a no-op when the background
    // projection just ran), so what the page shows is what the log holds now.
    state.store.project_figures().await?;
    let today = day_of(now_ms());
    let (range, bad) = range(query, today);
    let internal = state.store.figures_internal(staff_id).await?;
    Ok((report::report(&state.store, range, internal, state.config.figures, today).await?, bad))
}

/// `GET /console/figures`.
pub(crate) async fn page(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Figures>,
    uri: Uri,
    Query(query): Query<RangeQuery>,
) -> Result<Response, PageError> {
    let (report, bad_range) = load(&state, who.staff.id, &query).await.or_page(&state.i18n, lang)?;
    let words = Words { i18n: &state.i18n, language: lang.language };
    let days = state.config.figures.publish_after_days;
    let intro = if report.internal {
        words.t("figures-intro-internal")
    } else {
        state.i18n.text_with(lang.language, "figures-intro-protected", &[("days", days.into())])
    };
    let tables = tables(&words, &report);
    let has_hidden = tables.iter().any(|t| t.has_hidden);
    let spreads = vec![
        spread_table(&words, "state-times", "figures-state-times-title", "state", &report.state_times),
        spread_table(&words, "queue-waits", "figures-queue-waits-title", "figures-urgency", &report.queue_waits),
    ];
    let by = Granularity::ALL
        .iter()
        .map(|g| ByOption {
            value: g.as_str(),
            label: words.t(&format!("figures-by-{}", g.as_str())),
            selected: *g == report.by,
        })
        .collect();
    let query = format!("by={}&from={}&to={}", report.by.as_str(), report.from, report.to);
    let dated_note =
        (!report.internal).then(|| state.i18n.text_with(lang.language, "figures-dated-note", &[("days", days.into())]));
    let chrome = Chrome::staff(&state, lang, &who.staff, "/console/figures", uri.query(), "figures-title");
    let page = FiguresPage {
        chrome,
        intro,
        bad_range,
        by,
        from: report.from.clone(),
        to: report.to.clone(),
        query,
        tables,
        spreads,
        staffing: report.staffing.clone(),
        has_hidden,
        dated_note,
    };
    Ok(views::render(&state, lang, StatusCode::OK, &page))
}

/// The dashboard's tables, in reading order.
fn tables(words: &Words<'_>, r: &Report) -> Vec<TableView> {
    let t = |id: &str| words.t(id);
    let period = t("figures-col-period");
    let category = t("figures-col-category");
    let shape =
        |id: &'static str, caption: &'static str, first: &str, rows: &'static str, columns: &'static str, chart| {
            (id, caption, first.to_owned(), rows, columns, chart)
        };
    let specs: Vec<(_, &Protected)> = vec![
        (shape("contacts", "figures-contacts-title", &period, "", "channel", Chart::Stacked), &r.contacts_by_channel),
        (
            shape("contacts-language", "figures-contacts-language-title", &period, "", "language", Chart::None),
            &r.contacts_by_language,
        ),
        (shape("who", "figures-who-title", &category, "figures-who", "figures-column", Chart::Shares), &r.who),
        (
            shape(
                "whereabouts",
                "figures-whereabouts-title",
                &category,
                "figures-whereabouts",
                "figures-column",
                Chart::Shares,
            ),
            &r.whereabouts,
        ),
        (
            shape(
                "cases-now",
                "figures-cases-now-title",
                &t("figures-col-state"),
                "state",
                "figures-column",
                Chart::Shares,
            ),
            &r.cases_now,
        ),
        (shape("entered", "figures-entered-title", &period, "", "state", Chart::None), &r.entered),
        (shape("exits", "figures-exits-title", &period, "", "figures-column", Chart::Stacked), &r.exits),
        (
            shape("exit-officers", "figures-exit-officers-title", &period, "", "figures-column", Chart::None),
            &r.exit_officers,
        ),
        (
            shape("closes", "figures-closes-title", &t("figures-col-reason"), "reason", "figures-column", Chart::None),
            &r.closes,
        ),
    ];
    specs
        .into_iter()
        .map(|((id, caption, first, row_words, column_words, chart), p)| {
            let description_id = caption.replace("-title", "-desc");
            let caption = t(caption);
            let description =
                if words.i18n.has(words.language, &description_id) { t(&description_id) } else { caption.clone() };
            table(
                words,
                Shape {
                    id,
                    caption: &caption,
                    description: &description,
                    first: &first,
                    row_words,
                    column_words,
                    chart,
                },
                p,
            )
        })
        .collect()
}

fn spread_table(
    words: &Words<'_>,
    id: &'static str,
    caption: &str,
    row_words: &str,
    spreads: &[Spread],
) -> SpreadTable {
    SpreadTable {
        id,
        caption: words.t(caption),
        rows: spreads
            .iter()
            .map(|s| SpreadRow {
                label: words.word(row_words, &s.label),
                n: if s.median_ms.is_none() && s.n == 0 { "—".into() } else { s.n.to_string() },
                median: words.duration(s.median_ms),
                p90: words.duration(s.p90_ms),
            })
            .collect(),
    }
}

/// `GET /console/figures.csv`: every table of the page as rows of `table,row,column,value`
/// (a hidden figure's value is `hidden`).
pub(crate) async fn csv(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Figures>,
    Query(query): Query<RangeQuery>,
) -> Result<Response, PageError> {
    let report = exported(&state, lang, &who, &query, FiguresFormat::Csv).await?;
    let mut out = String::from("table,row,column,value\n");
    for (name, p) in [
        ("contacts_by_channel", &report.contacts_by_channel),
        ("contacts_by_language", &report.contacts_by_language),
        ("who", &report.who),
        ("whereabouts", &report.whereabouts),
        ("cases_now", &report.cases_now),
        ("entered", &report.entered),
        ("exits", &report.exits),
        ("exit_officers", &report.exit_officers),
        ("closes", &report.closes),
    ] {
        csv_rows(&mut out, name, p);
    }
    for (name, spreads) in [("state_time", &report.state_times), ("queue_wait", &report.queue_waits)] {
        for s in spreads.iter() {
            let ms = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
            out.push_str(&format!("{name},{},n,{}\n", s.label, s.n));
            out.push_str(&format!("{name},{},median_ms,{}\n", s.label, ms(s.median_ms)));
            out.push_str(&format!("{name},{},p90_ms,{}\n", s.label, ms(s.p90_ms)));
        }
    }
    for s in &report.staffing {
        out.push_str(&format!("staffing,{},staff_days,{}\n", s.period, s.staff_days));
        out.push_str(&format!("staffing,{},taken,{}\n", s.period, s.taken));
    }
    Ok(download("text/csv; charset=utf-8", &format!("figures-{}-{}.csv", report.from, report.to), out))
}

fn csv_rows(out: &mut String, name: &str, p: &Protected) {
    let value = |c: &Cell| match c {
        Cell::Shown(n) => n.to_string(),
        Cell::Suppressed => "hidden".to_owned(),
    };
    for (r, row) in p.rows.iter().enumerate() {
        for (c, column) in p.columns.iter().enumerate() {
            if let Some(cell) = p.cells.get(r).and_then(|cells| cells.get(c)) {
                out.push_str(&format!("{name},{row},{column},{}\n", value(cell)));
            }
        }
        if let Some(total) = p.row_totals.get(r) {
            out.push_str(&format!("{name},{row},total,{}\n", value(total)));
        }
    }
    for (c, column) in p.columns.iter().enumerate() {
        if let Some(total) = p.column_totals.get(c) {
            out.push_str(&format!("{name},total,{column},{}\n", value(total)));
        }
    }
    out.push_str(&format!("{name},total,total,{}\n", value(&p.total)));
}

/// `GET /console/figures.json`: the page's figures as one JSON document (a hidden figure is
/// `null`).
pub(crate) async fn json(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Figures>,
    Query(query): Query<RangeQuery>,
) -> Result<Response, PageError> {
    let report = exported(&state, lang, &who, &query, FiguresFormat::Json).await?;
    let body = serde_json::to_string_pretty(&report).unwrap_or_default();
    Ok(download("application/json; charset=utf-8", &format!("figures-{}-{}.json", report.from, report.to), body))
}

/// The figures of a download, recorded as an export (who, the format, whether internal).
async fn exported(
    state: &AppState,
    lang: Lang,
    who: &Allowed<Figures>,
    query: &RangeQuery,
    format: FiguresFormat,
) -> Result<Report, PageError> {
    let (report, _) = load(state, who.staff.id, query).await.or_page(&state.i18n, lang)?;
    let event = Event::FiguresExported { by: who.staff.id, format, internal: report.internal };
    state.store.record(vec![event]).await.or_page(&state.i18n, lang)?;
    Ok(report)
}

fn download(content_type: &'static str, name: &str, body: String) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use safepassage_domain::figures::period::format_day;

    fn q(by: &str, from: &str, to: &str) -> RangeQuery {
        RangeQuery { by: by.into(), from: from.into(), to: to.into() }
    }

    #[test]
    fn a_range_is_read_clipped_or_replaced_by_the_last_twelve_weeks() {
        let today = parse_day("2026-12-07").unwrap();
        let (r, bad) = range(&RangeQuery::default(), today);
        assert_eq!((r.by, r.to_day - r.from_day, bad), (Granularity::Week, 83, false));
        let (r, bad) = range(&q("month", "2026-01-01", "2026-06-30"), today);
        assert_eq!(
            (r.by, format_day(r.from_day), format_day(r.to_day), bad),
            (Granularity::Month, "2026-01-01".into(), "2026-06-30".into(), false)
        );
        let (r, bad) = range(&q("day", "2000-01-01", "2026-12-07"), today);
        assert_eq!((r.to_day - r.from_day + 1, bad), (366, false));
        for bad_query in [
            q("year", "", ""),
            q("day", "2026-13-01", ""),
            q("week", "2026-12-07", "2026-01-01"),
            q("", "<script>", ""),
        ] {
            let (r, bad) = range(&bad_query, today);
            assert!(bad, "{:?}", bad_query.by);
            assert_eq!(r.by, Granularity::Week);
        }
    }
}
