//! Lists of cases: "mine" for operators and specialists, every open case for coordinators, and
//! the cases handed to operations (state and group only: no history).

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use safepassage_domain::{CaseState, Role};
use safepassage_store::{CaseFilter, CaseView};

use super::errors::OrPage;
use super::holding;
use super::lang::Lang;
use super::roles::{Allowed, CaseLists, HandOffs};
use super::session::Staff;
use super::timeline::{kind_word, Names};
use super::views::{self, clock, short_id, word, Chrome};
use crate::error::PageError;
use crate::AppState;

const OPEN: &[CaseState] = &[
    CaseState::Inquiry,
    CaseState::Registered,
    CaseState::Deployed,
    CaseState::Located,
    CaseState::PlanApproved,
    CaseState::HandedOff,
];
const LIST_LIMIT: i64 = 500;

pub(crate) struct CaseRow {
    pub href: String,
    pub short: String,
    pub kind: String,
    pub state: &'static str,
    pub state_label: String,
    pub composition: Option<(u32, u32)>,
    pub updated: String,
    /// What needs the holder first ("my cases"): `returning`, `overdue`, `plan_returned`,
    /// `waiting`; empty in other lists.
    pub attention: &'static str,
}

#[derive(Template)]
#[template(path = "console/cases.html")]
struct CasesPage {
    chrome: Chrome,
    intro: String,
    rows: Vec<CaseRow>,
    /// Coordinators: open cases no specialist holds yet (the bot's and the operators').
    unassigned: Option<Vec<CaseRow>>,
    /// Coordinators: open cases whose expected contact is past.
    silent: Option<Vec<CaseRow>>,
    /// The live signal of case lists (not for operations' hand-offs).
    case_events: bool,
    /// Coordinators: exit plans waiting for a decision (four eyes).
    to_approve: Option<Vec<PlanRow>>,
}

/// A plan waiting for a coordinator.
pub(crate) struct PlanRow {
    pub href: String,
    pub short: String,
    pub version: u32,
    pub author: String,
    pub submitted: String,
    /// The reader wrote it: another coordinator must decide.
    pub own: bool,
}

/// `GET /console/cases`. An unprivileged list is "mine" by construction: the filter comes from
/// the role, never from the request.
pub(crate) async fn list(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<CaseLists>,
    uri: Uri,
) -> Result<Response, PageError> {
    let (filter, title, intro) = match who.staff.role {
        Role::Coordinator => (CaseFilter { assigned_to: None, states: OPEN }, "cases-open-title", "cases-open-intro"),
        _ => (CaseFilter { assigned_to: Some(who.staff.id), states: &[] }, "cases-mine-title", "cases-mine-intro"),
    };
    let unassigned = match who.staff.role {
        Role::Coordinator => {
            let cases = state.store.unassigned_cases(LIST_LIMIT).await.or_page(&state.i18n, lang)?;
            Some(rows(&state, lang, &cases))
        }
        _ => None,
    };
    let to_approve = match who.staff.role {
        Role::Coordinator => Some(plans_to_approve(&state, lang, &who.staff).await?),
        _ => None,
    };
    let lists = Lists { unassigned, to_approve, href: "/console/cases" };
    show(&state, lang, &who.staff, ("/console/cases", uri.query()), filter, (title, intro), lists).await
}

async fn plans_to_approve(state: &AppState, lang: Lang, staff: &Staff) -> Result<Vec<PlanRow>, PageError> {
    let i18n = &state.i18n;
    let plans = state.store.plans_to_approve(LIST_LIMIT).await.or_page(i18n, lang)?;
    let authors: Vec<_> = plans.iter().map(|p| p.author).collect();
    let names = Names::load(state, lang, authors).await.or_page(i18n, lang)?;
    Ok(plans
        .iter()
        .map(|p| PlanRow {
            href: format!("/console/cases/{}#plan", p.case),
            short: short_id(&p.case.0),
            version: p.version,
            author: names.of(p.author).to_owned(),
            submitted: clock(p.submitted_ms),
            own: p.author == staff.id,
        })
        .collect())
}

/// The lists beside the main one, and where the rows link to.
struct Lists {
    unassigned: Option<Vec<CaseRow>>,
    to_approve: Option<Vec<PlanRow>>,
    href: &'static str,
}

/// `GET /console/handoffs`: what operations have to carry out.
pub(crate) async fn handoffs(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<HandOffs>,
    uri: Uri,
) -> Result<Response, PageError> {
    let filter = CaseFilter { assigned_to: None, states: &[CaseState::HandedOff] };
    let texts = ("handoffs-title", "handoffs-intro");
    // Operations open the package, never the case page.
    let lists = Lists { unassigned: None, to_approve: None, href: "/console/handoffs" };
    show(&state, lang, &who.staff, ("/console/handoffs", uri.query()), filter, texts, lists).await
}

async fn show(
    state: &AppState,
    lang: Lang,
    staff: &Staff,
    (path, query): (&str, Option<&str>),
    filter: CaseFilter,
    (title, intro): (&str, &str),
    lists: Lists,
) -> Result<Response, PageError> {
    let i18n = &state.i18n;
    let mine = filter.assigned_to;
    let mut cases = state.store.cases(filter, LIST_LIMIT).await.or_page(i18n, lang)?;
    let mut rows_shown = match mine {
        // "My cases": what needs the holder first.
        Some(me) if me == staff.id => {
            let attention = holding::order_mine(state, lang, me, &mut cases).await?;
            let mut rows_shown = rows(state, lang, &cases);
            for (row, a) in rows_shown.iter_mut().zip(attention) {
                row.attention = a.as_str();
            }
            rows_shown
        }
        _ => rows(state, lang, &cases),
    };
    for row in &mut rows_shown {
        row.href = row.href.replacen("/console/cases", lists.href, 1);
    }
    let case_events = path == "/console/cases";
    let silent = match staff.role {
        Role::Coordinator if case_events => Some(rows(state, lang, &holding::silent(state, lang).await?)),
        _ => None,
    };
    let chrome = Chrome::staff(state, lang, staff, path, query, title);
    let page = CasesPage {
        chrome: if case_events { chrome.with_live() } else { chrome },
        intro: i18n.text(lang.language, intro),
        rows: rows_shown,
        unassigned: lists.unassigned,
        to_approve: lists.to_approve,
        silent,
        case_events,
    };
    Ok(views::render(state, lang, StatusCode::OK, &page))
}

fn rows(state: &AppState, lang: Lang, cases: &[CaseView]) -> Vec<CaseRow> {
    let i18n = &state.i18n;
    cases
        .iter()
        .map(|c| CaseRow {
            href: format!("/console/cases/{}", c.id),
            short: short_id(&c.id.0),
            kind: word(i18n, lang, "kind", kind_word(c.kind)),
            state: c.state.as_str(),
            state_label: word(i18n, lang, "state", c.state.as_str()),
            composition: c.composition.map(|g| (g.size, g.officers)),
            updated: clock(c.updated_ms),
            attention: "",
        })
        .collect()
}
