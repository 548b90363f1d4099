//! What operations see: the hand-off **package** of a case handed to them, and nothing else:
//! the approved plan, the newest location with its age, group size and composition, the case's
//! short id. No transcript, no notes, no codename, no channel. The package can leave as GeoJSON
//! (the places) or plain text; every view and every export is an audit event. Operations report
//! back from the same page (an abort asks for a confirmation and a reason).

use askama::Template;
use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use safepassage_domain::{CaseId, CaseKind, Event, OperationsStatus, PackageFormat, PlanContent};
use safepassage_map::MarkerKind;
use safepassage_store::{CaseView, PlanView, StoreError};
use serde::Deserialize;

use super::access::{self, CaseReach};
use super::case_map::Place;
use super::errors::{self, OrPage};
use super::exit_plan::{self, confirm_page, report_lines, shown_body, ReportLine, ShownBody};
use super::form::{Form, Id};
use super::lang::Lang;
use super::roles::{Allowed, HandOffs};
use super::timeline::Names;
use super::views::{self, clock, short_id, word, Chrome};
use crate::error::PageError;
use crate::AppState;

/// The newest location of a case: where, and when it was true (ms).
pub(crate) struct NewestLocation {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: Option<u32>,
    pub at_ms: i64,
}

/// The case's newest location with coordinates (a described place cannot be drawn or exported).
async fn newest_location(state: &AppState, case: CaseId) -> Result<Option<NewestLocation>, StoreError> {
    let newest = state.store.newest_location(case).await?;
    Ok(newest.and_then(|r| {
        let (lat, lon) = r.point()?;
        Some(NewestLocation { lat, lon, accuracy_m: r.accuracy_m, at_ms: r.true_at_ms })
    }))
}

/// Everything the package holds, loaded once for the page and the exports.
struct Package {
    case: CaseView,
    plan: PlanView,
    content: PlanContent,
    location: Option<NewestLocation>,
}

async fn package(state: &AppState, lang: Lang, who: &Allowed<HandOffs>, id: CaseId) -> Result<Package, PageError> {
    let i18n = &state.i18n;
    let grant = access::case(state, who, lang, id, CaseReach::HandOff).await?;
    let plan = state
        .store
        .handed_off_plan(grant.case.id)
        .await
        .or_page(i18n, lang)?
        .ok_or_else(|| errors::not_found(i18n, lang))?;
    let content = plan.content.clone().ok_or_else(|| errors::not_found(i18n, lang))?;
    let location = newest_location(state, grant.case.id).await.or_page(i18n, lang)?;
    Ok(Package { case: grant.case, plan, content, location })
}

pub(crate) struct StatusButton {
    pub value: &'static str,
    pub label: String,
    pub abort: bool,
}

#[derive(Template)]
#[template(path = "console/handoff.html")]
struct PackagePage {
    chrome: Chrome,
    id: String,
    short: String,
    kind_label: String,
    composition: Option<(u32, u32)>,
    version: u32,
    body: ShownBody,
    /// The newest location written out, and its age; None: no location known.
    location: Option<(String, String)>,
    reports: Vec<ReportLine>,
    next: Vec<StatusButton>,
    /// The rendezvous and the newest location on a server-drawn map.
    map: Option<String>,
}

/// `GET /console/handoffs/{id}`: the package. Recorded before anything is shown.
pub(crate) async fn page(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<HandOffs>,
    Id(id): Id,
    uri: Uri,
) -> Result<Response, PageError> {
    let i18n = &state.i18n;
    let p = package(&state, lang, &who, CaseId(id)).await?;
    state.store.record(vec![Event::PackageViewed { case: p.case.id, by: who.staff.id }]).await.or_page(i18n, lang)?;
    let reports: Vec<_> = state
        .store
        .operations_reports(p.case.id)
        .await
        .or_page(i18n, lang)?
        .into_iter()
        .filter(|r| r.plan == p.plan.id)
        .collect();
    let reporters: Vec<_> = reports.iter().map(|r| r.by).collect();
    let names = Names::load(&state, lang, reporters).await.or_page(i18n, lang)?;
    let last = reports.last().map(|r| r.status);
    let next = OperationsStatus::may_follow(last)
        .iter()
        .map(|s| StatusButton {
            value: s.as_str(),
            label: word(i18n, lang, "ops-report", s.as_str()),
            abort: *s == OperationsStatus::Aborted,
        })
        .collect();
    let now = super::now_ms();
    let location = p.location.as_ref().map(|l| {
        let written = safepassage_domain::location::write_point(l.lat, l.lon, l.accuracy_m)
            .map(|w| format!("{} · {}", w.decimal, w.mgrs))
            .unwrap_or_default();
        (written, views::waited(i18n, lang, now - l.at_ms))
    });
    let map = super::case_map::draw(&state, lang, "handed-off-places", package_places(&state, lang, &p));
    let path = format!("/console/handoffs/{id}");
    let page = PackagePage {
        chrome: Chrome::staff(&state, lang, &who.staff, &path, uri.query(), "package-title"),
        id: id.to_string(),
        short: short_id(&id),
        kind_label: word(i18n, lang, "kind", super::timeline::kind_word(p.case.kind)),
        composition: p.case.composition.map(|c| (c.size, c.officers)),
        version: p.plan.version,
        body: shown_body(&state, lang, &p.content),
        location,
        reports: report_lines(&state, lang, &reports, &names),
        next,
        map,
    };
    Ok(views::render(&state, lang, StatusCode::OK, &page))
}

/// The places of the package's map: the newest location and the rendezvous.
fn package_places(state: &AppState, lang: Lang, p: &Package) -> Vec<Place> {
    let t = |key: &str| state.i18n.text(lang.language, key);
    let newest = p.location.as_ref().map(|l| Place {
        lat: l.lat,
        lon: l.lon,
        accuracy_m: l.accuracy_m,
        kind: MarkerKind::Current,
        label: t("map-newest"),
    });
    let rendezvous = exit_plan::point(&p.content).map(|(lat, lon, accuracy_m)| Place {
        lat,
        lon,
        accuracy_m,
        kind: MarkerKind::Rendezvous,
        label: t("map-rendezvous"),
    });
    newest.into_iter().chain(rendezvous).collect()
}

fn attachment(content_type: &'static str, name: String, body: String) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response()
}

/// The package's places as GeoJSON (RFC 7946: longitude first): the rendezvous and the newest
/// location, with what operations need about each as properties.
fn geojson(p: &Package) -> serde_json::Value {
    let short = short_id(&p.case.id.0);
    let mut features = Vec::new();
    let rendezvous_geometry = match exit_plan::point(&p.content) {
        Some((lat, lon, _)) => serde_json::json!({ "type": "Point", "coordinates": [lon, lat] }),
        None => serde_json::Value::Null,
    };
    features.push(serde_json::json!({
        "type": "Feature",
        "geometry": rendezvous_geometry,
        "properties": {
            "kind": "rendezvous",
            "case": short,
            "plan_version": p.plan.version,
            "as_written": p.content.rendezvous,
            "description": p.content.rendezvous_note,
            "accuracy_m": exit_plan::point(&p.content).and_then(|(_, _, a)| a),
            "window_from": clock(p.content.window_from_ms),
            "window_to": clock(p.content.window_to_ms),
            "signals": p.content.signals,
            "avoid": p.content.avoid,
            "risks": p.content.risks,
        }
    }));
    if let Some(l) = &p.location {
        features.push(serde_json::json!({
            "type": "Feature",
            "geometry": { "type": "Point", "coordinates": [l.lon, l.lat] },
            "properties": { "kind": "newest_location", "case": short, "accuracy_m": l.accuracy_m, "at": clock(l.at_ms) }
        }));
    }
    serde_json::json!({ "type": "FeatureCollection", "features": features })
}

/// The package as plain text, in the reader's language.
fn text(state: &AppState, lang: Lang, p: &Package) -> String {
    let i18n = &state.i18n;
    let t = |id: &str| i18n.text(lang.language, id);
    let body = shown_body(state, lang, &p.content);
    let mut out = String::new();
    let mut line = |label: String, value: &str| {
        out.push_str(&label);
        out.push_str(": ");
        out.push_str(value);
        out.push('\n');
    };
    line(t("case-id"), &short_id(&p.case.id.0));
    line(t("case-kind"), &word(i18n, lang, "kind", super::timeline::kind_word(p.case.kind)));
    if p.case.kind == CaseKind::Group {
        if let Some(c) = p.case.composition {
            line(t("case-composition"), &format!("{} / {}", c.size, c.officers));
        }
    }
    line(t("plan-version"), &p.plan.version.to_string());
    line(t("plan-field-rendezvous"), &body.rendezvous);
    if let Some((decimal, mgrs)) = &body.point {
        line(t("plan-point"), &format!("{decimal} · {mgrs}"));
    }
    line(t("plan-field-rendezvous-description"), &body.rendezvous_note);
    line(t("plan-field-window"), &body.window);
    line(t("plan-field-signals"), &body.signals);
    line(t("plan-field-routes-to-avoid"), &body.avoid);
    line(t("plan-field-risks"), &body.risks);
    line(format!("{} ({})", t("plan-field-instructions"), body.language), &body.instructions);
    let location = match &p.location {
        Some(l) => {
            let written = safepassage_domain::location::write_point(l.lat, l.lon, l.accuracy_m)
                .map(|w| format!("{} · {}", w.decimal, w.mgrs))
                .unwrap_or_default();
            format!("{written} ({})", clock(l.at_ms))
        }
        None => t("package-no-location"),
    };
    line(t("package-location"), &location);
    out
}

/// `GET /console/handoffs/{id}/package.geojson`.
pub(crate) async fn export_geojson(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<HandOffs>,
    Id(id): Id,
) -> Result<Response, PageError> {
    let p = package(&state, lang, &who, CaseId(id)).await?;
    let event = Event::PackageExported { case: p.case.id, format: PackageFormat::Geojson, by: who.staff.id };
    state.store.record(vec![event]).await.or_page(&state.i18n, lang)?;
    let body = geojson(&p).to_string();
    Ok(attachment("application/geo+json", format!("package-{}.geojson", short_id(&id)), body))
}

/// `GET /console/handoffs/{id}/package.txt`.
pub(crate) async fn export_text(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<HandOffs>,
    Id(id): Id,
) -> Result<Response, PageError> {
    let p = package(&state, lang, &who, CaseId(id)).await?;
    let event = Event::PackageExported { case: p.case.id, format: PackageFormat::Text, by: who.staff.id };
    state.store.record(vec![event]).await.or_page(&state.i18n, lang)?;
    let body = text(&state, lang, &p);
    Ok(attachment("text/plain; charset=utf-8", format!("package-{}.txt", short_id(&id)), body))
}

#[derive(Deserialize)]
pub(crate) struct ReportForm {
    #[serde(default)]
    status: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm: String,
}

/// `POST /console/handoffs/{id}/report`: accepted, under way, completed, or aborted with a
/// reason (after a confirmation: the case goes back to its owner and leaves this list).
pub(crate) async fn report(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<HandOffs>,
    Id(id): Id,
    Form(form): Form<ReportForm>,
) -> Result<Response, PageError> {
    let staff = &who.staff;
    let grant = access::case(&state, &who, lang, CaseId(id), CaseReach::HandOff).await?;
    let Ok(status) = form.status.parse::<OperationsStatus>() else {
        return Err(errors::bad_request(&state.i18n, lang));
    };
    let page = format!("/console/handoffs/{id}");
    if status == OperationsStatus::Aborted {
        if form.reason.trim().is_empty() {
            return Ok(views::see_other(&format!("{page}?notice=report-reason-missing")));
        }
        if form.confirm != "1" {
            let fields = vec![("status", status.as_str().to_owned()), ("reason", form.reason.clone())];
            let action = format!("{page}/report");
            return Ok(confirm_page(&state, lang, staff, action, fields, "report-confirm-abort", id, page));
        }
    }
    match state.store.report_operations(grant.case.id, status, &form.reason, staff.id, staff.role).await {
        Ok(()) if status == OperationsStatus::Aborted => {
            Ok(views::see_other("/console/handoffs?notice=report-aborted"))
        }
        Ok(()) => Ok(views::see_other(&format!("{page}?notice=report-saved"))),
        Err(StoreError::Plan(_)) => Err(errors::move_refused(&state.i18n, lang)),
        Err(StoreError::Conflict(_)) => Ok(views::see_other(&format!("{page}?notice=moved-meanwhile"))),
        Err(e) => Err(errors::store(&state.i18n, lang, e)),
    }
}
