//! Location reports at the console: the case page's history (newest first, in decimal degrees
//! and MGRS, with the newest one's age and a stale mark) and the "Add a location" form, one text
//! field read by the domain's parser. A refused input comes back on a page of its own, with
//! what was not understood and the input as typed. Only those who see a case whole (its owner,
//! coordinators) read or add locations; every page that shows them records `location_viewed`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::FluentValue;
use safepassage_domain::location::write_point;
use safepassage_domain::location_report::is_stale;
use safepassage_domain::{CaseId, LocationReport, LocationSource};
use safepassage_map::MarkerKind;
use safepassage_store::{CaseView, ConversationView, LocationView, StoreError};
use serde::Deserialize;

use super::access::{self, CaseReach};
use super::case_map::Place;
use super::errors::{self, OrPage};
use super::form::{Form, Id};
use super::lang::Lang;
use super::roles::{Allowed, CaseWork};
use super::timeline::Names;
use super::views::{self, clock, short_id, word, Chrome};
use crate::error::PageError;
use crate::location_words::error_id;
use crate::AppState;

/// One report as the case page shows it.
pub(crate) struct LocationRow {
    pub decimal: String,
    pub mgrs: String,
    pub accuracy: String,
    pub text: String,
    pub shredded: bool,
    pub source: String,
    pub who: String,
    pub true_at: String,
    pub at: String,
}

/// A choice of the source select.
pub(crate) struct SourceChoice {
    pub value: &'static str,
    pub label: String,
    pub selected: bool,
}

/// The form's fields: empty on the case page, as typed when it comes back refused.
pub(crate) struct LocationForm {
    pub place: String,
    pub accuracy: String,
    pub true_at: String,
    pub sources: Vec<SourceChoice>,
    /// What was not understood, in the reader's language.
    pub error: Option<String>,
}

/// The case page's locations section.
pub(crate) struct LocationsPanel {
    pub rows: Vec<LocationRow>,
    /// The newest report's age ("3 h ago") and whether it is stale.
    pub newest_age: Option<String>,
    pub stale: bool,
    pub form: Option<LocationForm>,
    /// The places drawn as SVG on the server (no outside request), when any has coordinates.
    pub map: Option<String>,
}

impl LocationsPanel {
    /// Whether the page shows any location (then its view is recorded).
    pub fn shows_any(&self) -> bool {
        !self.rows.is_empty()
    }
}

/// Reads a case's reports and words them. The caller records `location_viewed` when
/// [`LocationsPanel::shows_any`] before the page goes out.
pub(crate) async fn panel(state: &AppState, lang: Lang, case: &CaseView) -> Result<LocationsPanel, PageError> {
    let i18n = &state.i18n;
    let reports = state.store.locations(case.id).await.or_page(i18n, lang)?;
    // Collected first: an iterator of borrowing closures held across an await is not `Send`.
    let people: Vec<_> = reports.iter().filter_map(|r| r.recorded_by).collect();
    let names = Names::load(state, lang, people).await.or_page(i18n, lang)?;
    let now = super::now_ms();
    let stale_after = i64::try_from(state.config.location_stale.as_millis()).unwrap_or(i64::MAX);
    let newest = reports.first();
    let rows = reports.iter().map(|r| row(state, lang, r, &names)).collect();
    Ok(LocationsPanel {
        rows,
        newest_age: newest.map(|r| age(state, lang, now.saturating_sub(r.true_at_ms))),
        stale: newest.is_some_and(|r| is_stale(r.true_at_ms, now, stale_after)),
        form: case.state.is_open().then(|| empty_form(state, lang)),
        map: super::case_map::draw(state, lang, "places-map", places(state, lang, case, &reports).await),
    })
}

/// What the case map shows: the reports, and the rendezvous of the newest plan version when it
/// has coordinates (a plan that cannot be read leaves it out).
async fn places(state: &AppState, lang: Lang, case: &CaseView, reports: &[LocationView]) -> Vec<Place> {
    let mut places = super::case_map::of_reports(state, lang, reports);
    let newest_plan = state.store.plans(case.id).await.ok().and_then(|plans| plans.into_iter().next());
    if let Some((lat, lon, accuracy_m)) = newest_plan.and_then(|p| p.content).and_then(|c| super::exit_plan::point(&c))
    {
        let label = state.i18n.text(lang.language, "map-rendezvous");
        places.push(Place { lat, lon, accuracy_m, kind: MarkerKind::Rendezvous, label });
    }
    places
}

/// The reports an applicant sent in a conversation that has no case yet: shown on the
/// conversation's page, whose view is recorded already (`transcript_viewed`). Once the
/// conversation has a case they are on the case's page, where the case's need to know holds.
pub(crate) async fn of_conversation(
    state: &AppState,
    lang: Lang,
    conversation: &ConversationView,
) -> Result<Vec<LocationRow>, PageError> {
    if conversation.case.is_some() {
        return Ok(Vec::new());
    }
    let i18n = &state.i18n;
    let reports = state.store.conversation_locations(conversation.id).await.or_page(i18n, lang)?;
    let names = Names::load(state, lang, Vec::new()).await.or_page(i18n, lang)?;
    Ok(reports.iter().map(|r| row(state, lang, r, &names)).collect())
}

fn row(state: &AppState, lang: Lang, r: &LocationView, names: &Names) -> LocationRow {
    let i18n = &state.i18n;
    let written = r.point().and_then(|(lat, lon)| write_point(lat, lon, r.accuracy_m).ok());
    let accuracy = match r.accuracy_m {
        Some(m) => i18n.text_with(lang.language, "location-accuracy-metres", &[("metres", m.into())]),
        None if r.point().is_some() => i18n.text(lang.language, "location-accuracy-unknown"),
        None => String::new(),
    };
    let who = match r.recorded_by {
        Some(user) => names.of(user).to_owned(),
        None => i18n.text(lang.language, "location-by-applicant"),
    };
    LocationRow {
        decimal: written.as_ref().map(|w| w.decimal.clone()).unwrap_or_default(),
        mgrs: written.map(|w| w.mgrs).unwrap_or_default(),
        accuracy,
        text: r.text.clone().unwrap_or_default(),
        shredded: r.shredded,
        source: word(i18n, lang, "location-source", r.source.as_str()),
        who,
        true_at: clock(r.true_at_ms),
        at: clock(r.at_ms),
    }
}

/// "12 min ago", "3 h ago", "4 days ago".
fn age(state: &AppState, lang: Lang, ms: i64) -> String {
    let minutes = ms.max(0) / 60_000;
    let (id, n) = match minutes {
        m if m < 60 => ("location-age-minutes", m),
        m if m < 48 * 60 => ("location-age-hours", m / 60),
        m => ("location-age-days", m / (24 * 60)),
    };
    state.i18n.text_with(lang.language, id, &[("n", FluentValue::from(n))])
}

fn sources(state: &AppState, lang: Lang, chosen: Option<LocationSource>) -> Vec<SourceChoice> {
    let chosen = chosen.unwrap_or(LocationSource::StaffCall);
    LocationSource::ALL
        .iter()
        .map(|s| SourceChoice {
            value: s.as_str(),
            label: word(&state.i18n, lang, "location-source", s.as_str()),
            selected: *s == chosen,
        })
        .collect()
}

fn empty_form(state: &AppState, lang: Lang) -> LocationForm {
    LocationForm {
        place: String::new(),
        accuracy: String::new(),
        true_at: String::new(),
        sources: sources(state, lang, None),
        error: None,
    }
}

#[derive(Deserialize)]
pub(crate) struct AddForm {
    #[serde(default)]
    place: String,
    #[serde(default)]
    accuracy: String,
    #[serde(default)]
    source: String,
    /// `YYYY-MM-DDTHH:MM` (an HTML `datetime-local`), read as UTC like every console time.
    #[serde(default)]
    true_at: String,
}

#[derive(Template)]
#[template(path = "console/location_refused.html")]
struct RefusedPage {
    chrome: Chrome,
    id: String,
    short: String,
    form: LocationForm,
}

/// `POST /console/cases/{id}/locations`: adds a report. The case's owner and coordinators only
/// (they see the case whole); anything the parser does not understand comes back with the input.
pub(crate) async fn add(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<CaseWork>,
    Id(id): Id,
    Form(form): Form<AddForm>,
) -> Result<Response, PageError> {
    let staff = &who.staff;
    let i18n = &state.i18n;
    let grant = access::case(&state, &who, lang, CaseId(id), CaseReach::Full).await?;
    let now = super::now_ms();
    let source = form.source.parse::<LocationSource>().ok();
    let accuracy = match form.accuracy.trim() {
        "" => Ok(None),
        a => a.parse::<u32>().map(Some).map_err(|_| "location-error-accuracy"),
    };
    let true_at = match form.true_at.trim() {
        "" => Ok(None),
        t => parse_minute(t).map(Some).ok_or("location-error-time"),
    };
    let checked = match (source, accuracy, true_at) {
        (None, _, _) => Err("location-error-source"),
        (_, Err(e), _) | (_, _, Err(e)) => Err(e),
        (Some(source), Ok(accuracy), Ok(true_at)) => {
            LocationReport::from_input(&form.place, accuracy, source, true_at, now).map_err(|e| error_id(&e))
        }
    };
    let report = match checked {
        Ok(report) => report,
        Err(error) => {
            let page = RefusedPage {
                chrome: Chrome::staff(&state, lang, staff, &format!("/console/cases/{id}"), None, "location-add-title"),
                id: id.to_string(),
                short: short_id(&id),
                form: LocationForm {
                    place: form.place.clone(),
                    accuracy: form.accuracy.clone(),
                    true_at: form.true_at.clone(),
                    sources: sources(&state, lang, source),
                    error: Some(i18n.text(lang.language, error)),
                },
            };
            return Ok(views::render(&state, lang, StatusCode::UNPROCESSABLE_ENTITY, &page));
        }
    };
    let page = format!("/console/cases/{id}");
    match state.store.record_location(grant.case.id, &report, staff.id).await {
        Ok(_) => Ok(views::see_other(&format!("{page}?notice=location-added#locations"))),
        Err(StoreError::Conflict(_)) | Err(StoreError::Case(_)) => {
            Ok(views::see_other(&format!("{page}?notice=moved-meanwhile")))
        }
        Err(e) => Err(errors::store(i18n, lang, e)),
    }
}

/// `YYYY-MM-DDTHH:MM` (seconds allowed) in UTC to milliseconds; None when it is not that.
fn parse_minute(text: &str) -> Option<i64> {
    let (date, time) = text.split_once('T').or_else(|| text.split_once(' '))?;
    let mut d = date.splitn(3, '-');
    let (y, m, day): (i64, u32, u32) = (d.next()?.parse().ok()?, d.next()?.parse().ok()?, d.next()?.parse().ok()?);
    let mut t = time.splitn(3, ':');
    let (h, min): (i64, i64) = (t.next()?.parse().ok()?, t.next()?.parse().ok()?);
    let sec: i64 = match t.next() {
        Some(s) => s.parse().ok()?,
        None => 0,
    };
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    if !(0..24).contains(&h) || !(0..60).contains(&min) || !(0..60).contains(&sec) {
        return None;
    }
    Some((days_from_civil(y, m, day) * 86_400 + h * 3600 + min * 60 + sec) * 1000)
}

/// Howard Hinnant's `days_from_civil`: days since 1970-01-01 of a Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn true_at_times_read_as_utc() {
        assert_eq!(parse_minute("1970-01-01T00:00"), Some(0));
        assert_eq!(parse_minute("2025-03-01T12:34"), Some(1_740_832_440_000));
        assert_eq!(parse_minute("2000-02-29 00:00:30"), Some(951_782_430_000));
        for junk in ["", "yesterday", "2025-13-01T00:00", "2025-03-01T24:00", "2025-03-01", "2025-03-01T1:x"] {
            assert_eq!(parse_minute(junk), None, "{junk}");
        }
    }
}
