//! The exit plan at the console: the plan section of the case page, the form that writes a new
//! version (`GET`/`POST /console/cases/{id}/plan`), submitting it, a coordinator's approval or
//! return (four eyes: the store refuses the author, whatever their roles, and the page says so),
//! sending the instructions to the applicant, the hand-off to operations, the exit and its
//! outcome. Irreversible steps (approve, hand off, record the exit) ask first without JavaScript.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use fluent_bundle::FluentValue;
use safepassage_domain::location::{self, Place};
use safepassage_domain::{
    exit_plan, CaseId, CaseState, Language, OperationsStatus, OutcomeFact, PlanContent, PlanError, PlanStatus, Role,
};
use safepassage_store::{CaseView, PlanView, StoreError};
use serde::Deserialize;
use uuid::Uuid;

use super::access::{self, CaseReach};
use super::errors::{self, OrPage};
use super::form::{Form, Id};
use super::lang::Lang;
use super::roles::{Allowed, PlanReview, PlanWork};
use super::session::Staff;
use super::timeline::Names;
use super::views::{self, clock, short_id, word, Chrome};
use crate::error::PageError;
use crate::AppState;

/// One version of a plan as the page shows it.
pub(crate) struct Shown {
    pub id: String,
    pub version: u32,
    pub status: &'static str,
    pub status_label: String,
    pub author: String,
    pub reviewer: Option<String>,
    /// None once the case was shredded.
    pub body: Option<ShownBody>,
    pub comment: Option<String>,
}

pub(crate) struct ShownBody {
    pub rendezvous: String,
    /// Decimal degrees and MGRS when the rendezvous is a point.
    pub point: Option<(String, String)>,
    pub rendezvous_note: String,
    pub window: String,
    pub signals: String,
    pub instructions: String,
    pub language: String,
    pub avoid: String,
    pub risks: String,
}

pub(crate) struct ReportLine {
    pub at: String,
    pub status: &'static str,
    pub label: String,
    pub who: String,
    pub reason: Option<String>,
}

pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub current: bool,
}

/// The outcome part at `exited`.
pub(crate) struct OutcomeBox {
    pub facts: Vec<ReportLine>,
    pub arrival: Vec<Choice>,
    pub choice: Vec<Choice>,
    pub explained: bool,
    pub form: bool,
}

/// The plan section of a case page.
pub(crate) struct Section {
    pub newest: Option<Shown>,
    /// The approved version, when a newer one replaces it.
    pub approved: Option<Shown>,
    pub can_write: bool,
    pub can_submit: bool,
    /// A coordinator's review of the submitted newest version: its id, and whether the reader
    /// wrote it (then the page says that another coordinator must decide).
    pub review: Option<(String, bool)>,
    pub can_send: bool,
    pub can_hand_off: bool,
    pub reports: Vec<ReportLine>,
    pub can_record_exit: bool,
    /// The reader approved the plan: someone else records the exit.
    pub approver_waits: bool,
    pub outcome: Option<OutcomeBox>,
}

fn may_write(staff: &Staff, case: &CaseView) -> bool {
    (staff.role == Role::Coordinator || case.assigned_to == Some(staff.id))
        && matches!(case.state, CaseState::Located | CaseState::PlanApproved)
}

fn owner_or_coordinator(staff: &Staff, case: &CaseView) -> bool {
    staff.role == Role::Coordinator || case.assigned_to == Some(staff.id)
}

/// The window as staff read it: `2026-12-07 21:00 UTC – 2026-12-07 23:00 UTC`.
pub(crate) fn window(content: &PlanContent) -> String {
    format!("{} – {}", clock(content.window_from_ms), clock(content.window_to_ms))
}

/// The rendezvous as a point in decimal degrees and MGRS, when it is one.
pub(crate) fn point(content: &PlanContent) -> Option<(f64, f64, Option<u32>)> {
    match location::parse(&content.rendezvous) {
        Ok(Place::Point { lat, lon, accuracy_m, .. }) => Some((lat, lon, accuracy_m)),
        _ => None,
    }
}

pub(crate) fn shown_body(state: &AppState, lang: Lang, content: &PlanContent) -> ShownBody {
    let written = point(content)
        .and_then(|(lat, lon, acc)| location::write_point(lat, lon, acc).ok())
        .map(|w| (w.decimal, w.mgrs));
    ShownBody {
        rendezvous: content.rendezvous.clone(),
        point: written,
        rendezvous_note: content.rendezvous_note.clone(),
        window: window(content),
        signals: content.signals.clone(),
        instructions: content.instructions.clone(),
        language: word(&state.i18n, lang, "language", content.language.as_str()),
        avoid: content.avoid.clone(),
        risks: content.risks.clone(),
    }
}

fn shown(state: &AppState, lang: Lang, plan: &PlanView, names: &Names) -> Shown {
    let shredded = state.i18n.text(lang.language, "message-shredded");
    Shown {
        id: plan.id.to_string(),
        version: plan.version,
        status: plan.status.as_str(),
        status_label: word(&state.i18n, lang, "plan-status", plan.status.as_str()),
        author: names.of(plan.author).to_owned(),
        reviewer: plan.reviewer.map(|r| names.of(r).to_owned()),
        body: plan.content.as_ref().map(|c| shown_body(state, lang, c)),
        comment: plan.comment.as_ref().map(|c| c.text().map_or_else(|| shredded.clone(), str::to_owned)),
    }
}

pub(crate) fn report_lines(
    state: &AppState,
    lang: Lang,
    reports: &[safepassage_store::ReportView],
    names: &Names,
) -> Vec<ReportLine> {
    let shredded = state.i18n.text(lang.language, "message-shredded");
    reports
        .iter()
        .map(|r| ReportLine {
            at: clock(r.at_ms),
            status: r.status.as_str(),
            label: word(&state.i18n, lang, "ops-status", r.status.as_str()),
            who: names.of(r.by).to_owned(),
            reason: r.reason.as_ref().map(|b| b.text().map_or_else(|| shredded.clone(), str::to_owned)),
        })
        .collect()
}

/// The plan section for someone who sees the case whole.
pub(crate) async fn section(
    state: &AppState,
    lang: Lang,
    staff: &Staff,
    case: &CaseView,
) -> Result<Section, PageError> {
    let i18n = &state.i18n;
    let plans = state.store.plans(case.id).await.or_page(i18n, lang)?;
    let reports = state.store.operations_reports(case.id).await.or_page(i18n, lang)?;
    let outcomes = match case.state {
        CaseState::Exited => state.store.outcomes(case.id).await.or_page(i18n, lang)?,
        _ => Vec::new(),
    };
    let mut people: Vec<_> = plans.iter().flat_map(|p| std::iter::once(p.author).chain(p.reviewer)).collect();
    people.extend(reports.iter().map(|r| r.by));
    people.extend(outcomes.iter().map(|o| o.by));
    let names = Names::load(state, lang, people).await.or_page(i18n, lang)?;
    let newest = plans.first();
    let approved = plans.iter().find(|p| p.status == PlanStatus::Approved);
    // The reports on the plan operations hold (or held, until the exit).
    let handed = approved.filter(|p| p.handed_off_ms.is_some() && newest.map(|n| n.id) == Some(p.id));
    let current_reports: Vec<_> = match handed {
        Some(p) if matches!(case.state, CaseState::HandedOff | CaseState::Exited) => {
            reports.iter().filter(|r| r.plan == p.id).cloned().collect()
        }
        _ => Vec::new(),
    };
    let completed = current_reports.last().map(|r| r.status) == Some(OperationsStatus::Completed);
    let approver = handed.and_then(|p| p.reviewer);
    let review = newest
        .filter(|p| p.status == PlanStatus::Submitted && staff.role == Role::Coordinator)
        .map(|p| (p.id.to_string(), p.author == staff.id));
    let outcome = (case.state == CaseState::Exited).then(|| {
        let arrival = outcomes.iter().rev().find_map(|o| match o.fact {
            OutcomeFact::Arrival { status } => Some(status),
            _ => None,
        });
        let choice = outcomes.iter().rev().find_map(|o| match o.fact {
            OutcomeFact::Choice { choice } => Some(choice),
            _ => None,
        });
        OutcomeBox {
            facts: outcomes
                .iter()
                .map(|o| ReportLine {
                    at: clock(o.at_ms),
                    status: o.fact.aspect(),
                    label: format!(
                        "{}: {}",
                        i18n.text(lang.language, &format!("outcome-{}", o.fact.aspect())),
                        word(i18n, lang, "outcome-value", o.fact.value())
                    ),
                    who: names.of(o.by).to_owned(),
                    reason: None,
                })
                .collect(),
            arrival: safepassage_domain::ArrivalStatus::ALL
                .iter()
                .map(|s| Choice {
                    value: s.as_str().to_owned(),
                    label: word(i18n, lang, "outcome-value", s.as_str()),
                    current: arrival == Some(*s),
                })
                .collect(),
            choice: safepassage_domain::ExitChoice::ALL
                .iter()
                .map(|c| Choice {
                    value: c.as_str().to_owned(),
                    label: word(i18n, lang, "outcome-value", c.as_str()),
                    current: choice == Some(*c),
                })
                .collect(),
            explained: outcomes.iter().any(|o| o.fact == OutcomeFact::GuaranteesExplained),
            form: owner_or_coordinator(staff, case),
        }
    });
    Ok(Section {
        newest: newest.map(|p| shown(state, lang, p, &names)),
        approved: approved.filter(|a| newest.map(|n| n.id) != Some(a.id)).map(|p| shown(state, lang, p, &names)),
        can_write: may_write(staff, case),
        can_submit: case.state == CaseState::Located
            && newest.is_some_and(|p| p.status == PlanStatus::Draft && p.author == staff.id),
        review: review.filter(|_| case.state == CaseState::Located),
        can_send: owner_or_coordinator(staff, case)
            && matches!(case.state, CaseState::PlanApproved | CaseState::HandedOff)
            && approved.is_some(),
        can_hand_off: staff.role == Role::Coordinator && case.state == CaseState::PlanApproved,
        reports: report_lines(state, lang, &current_reports, &names),
        can_record_exit: case.state == CaseState::HandedOff
            && completed
            && owner_or_coordinator(staff, case)
            && approver != Some(staff.id),
        approver_waits: case.state == CaseState::HandedOff && completed && approver == Some(staff.id),
        outcome,
    })
}

#[derive(Deserialize, Default)]
pub(crate) struct PlanForm {
    #[serde(default)]
    rendezvous: String,
    #[serde(default)]
    rendezvous_note: String,
    #[serde(default)]
    window_from: String,
    #[serde(default)]
    window_to: String,
    #[serde(default)]
    signals: String,
    #[serde(default)]
    instructions: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    avoid: String,
    #[serde(default)]
    risks: String,
}

/// `2026-12-07T21:00`, as a `datetime-local` field wants it (UTC).
fn local_input(ms: i64) -> String {
    clock(ms).get(..16).unwrap_or_default().replacen(' ', "T", 1)
}

impl PlanForm {
    fn from_content(c: &PlanContent) -> PlanForm {
        PlanForm {
            rendezvous: c.rendezvous.clone(),
            rendezvous_note: c.rendezvous_note.clone(),
            window_from: local_input(c.window_from_ms),
            window_to: local_input(c.window_to_ms),
            signals: c.signals.clone(),
            instructions: c.instructions.clone(),
            language: c.language.as_str().to_owned(),
            avoid: c.avoid.clone(),
            risks: c.risks.clone(),
        }
    }

    fn content(&self) -> Result<PlanContent, PlanError> {
        let from = exit_plan::parse_utc_minute(&self.window_from)?;
        let to = exit_plan::parse_utc_minute(&self.window_to)?;
        let language = self.language.parse::<Language>().map_err(|_| PlanError::Missing("language"))?;
        Ok(PlanContent {
            rendezvous: self.rendezvous.trim().to_owned(),
            rendezvous_note: self.rendezvous_note.trim().to_owned(),
            window_from_ms: from,
            window_to_ms: to,
            signals: self.signals.trim().to_owned(),
            instructions: self.instructions.trim().to_owned(),
            language,
            avoid: self.avoid.trim().to_owned(),
            risks: self.risks.trim().to_owned(),
        })
    }
}

#[derive(Template)]
#[template(path = "console/exit_plan.html")]
struct PlanFormPage {
    chrome: Chrome,
    id: String,
    short: String,
    form: PlanForm,
    languages: Vec<Choice>,
    error: Option<String>,
    /// Writing now withdraws an approval.
    withdraws: bool,
}

/// The words of a refusal of a plan's fields, in the reader's language.
fn plan_error_text(state: &AppState, lang: Lang, e: &PlanError) -> String {
    let i18n = &state.i18n;
    match e {
        PlanError::Rendezvous(cause) => {
            i18n.text_with(lang.language, "plan-error-rendezvous", &[("cause", FluentValue::from(cause.to_string()))])
        }
        PlanError::Missing(what) | PlanError::TooLong(what) => {
            let id = if matches!(e, PlanError::Missing(_)) { "plan-error-missing" } else { "plan-error-too-long" };
            let field = i18n.text(lang.language, &format!("plan-field-{}", what.replace(' ', "-")));
            i18n.text_with(lang.language, id, &[("field", FluentValue::from(field))])
        }
        PlanError::WindowBackwards => i18n.text(lang.language, "plan-error-window"),
        PlanError::BadTime => i18n.text(lang.language, "plan-error-time"),
        _ => i18n.text(lang.language, "plan-error-refused"),
    }
}

fn form_page(
    state: &AppState,
    lang: Lang,
    staff: &Staff,
    case: &CaseView,
    form: PlanForm,
    error: Option<String>,
) -> Response {
    let id = case.id.0;
    let path = format!("/console/cases/{id}/plan");
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let languages = Language::ALL
        .iter()
        .map(|l| Choice {
            value: l.as_str().to_owned(),
            label: word(&state.i18n, lang, "language", l.as_str()),
            current: form.language == l.as_str(),
        })
        .collect();
    let page = PlanFormPage {
        chrome: Chrome::staff(state, lang, staff, &path, None, "plan-form-title"),
        id: id.to_string(),
        short: short_id(&id),
        form,
        languages,
        error,
        withdraws: case.state == CaseState::PlanApproved,
    };
    views::render(state, lang, status, &page)
}

/// `GET /console/cases/{id}/plan`: the form, filled with the newest version (a new version is
/// saved whatever changed: approved versions are frozen).
pub(crate) async fn edit(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<PlanWork>,
    Id(id): Id,
) -> Result<Response, PageError> {
    let grant = access::case(&state, &who, lang, CaseId(id), CaseReach::Full).await?;
    if !may_write(&who.staff, &grant.case) {
        return Err(errors::forbidden(&state.i18n, lang));
    }
    let plans = state.store.plans(grant.case.id).await.or_page(&state.i18n, lang)?;
    let form = match plans.first().and_then(|p| p.content.as_ref()) {
        Some(content) => PlanForm::from_content(content),
        None => {
            // The applicant's language, from the case's newest conversation.
            let conversations = state.store.conversations_of_case(grant.case.id).await.or_page(&state.i18n, lang)?;
            let language = conversations.iter().max_by_key(|c| c.created_ms).map_or(Language::Ru, |c| c.language);
            PlanForm { language: language.as_str().to_owned(), ..PlanForm::default() }
        }
    };
    Ok(form_page(&state, lang, &who.staff, &grant.case, form, None))
}

/// `POST /console/cases/{id}/plan`: a new version. A refused field answers the form again, as
/// typed, with what was not understood.
pub(crate) async fn save(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<PlanWork>,
    Id(id): Id,
    Form(form): Form<PlanForm>,
) -> Result<Response, PageError> {
    let staff = &who.staff;
    let grant = access::case(&state, &who, lang, CaseId(id), CaseReach::Full).await?;
    if !may_write(staff, &grant.case) {
        return Err(errors::forbidden(&state.i18n, lang));
    }
    let content = match form.content() {
        Ok(c) => c,
        Err(e) => {
            let text = plan_error_text(&state, lang, &e);
            return Ok(form_page(&state, lang, staff, &grant.case, form, Some(text)));
        }
    };
    match state.store.save_plan(grant.case.id, &content, staff.id, staff.role).await {
        Ok(_) => Ok(views::see_other(&format!("/console/cases/{id}?notice=plan-saved#plan"))),
        Err(StoreError::Plan(e)) => {
            let text = plan_error_text(&state, lang, &e);
            Ok(form_page(&state, lang, staff, &grant.case, form, Some(text)))
        }
        Err(StoreError::Conflict(_)) => Ok(views::see_other(&format!("/console/cases/{id}?notice=moved-meanwhile"))),
        Err(e) => Err(errors::store(&state.i18n, lang, e)),
    }
}

/// Where a refusal of the exit path leads: the clear four-eyes pages, or back with a notice.
fn refusal(state: &AppState, lang: Lang, id: Uuid, e: StoreError) -> Result<Response, PageError> {
    let page = format!("/console/cases/{id}");
    match e {
        StoreError::Plan(PlanError::OwnPlan) => {
            Err(errors::page(&state.i18n, lang, StatusCode::FORBIDDEN, "plan-own-title", "plan-own-detail"))
        }
        StoreError::Plan(PlanError::ApproverRecordsExit) => {
            Err(errors::page(&state.i18n, lang, StatusCode::FORBIDDEN, "exit-approver-title", "exit-approver-detail"))
        }
        StoreError::Plan(PlanError::Missing("comment")) => {
            Ok(views::see_other(&format!("{page}?notice=plan-comment-missing")))
        }
        StoreError::Plan(_) => Err(errors::move_refused(&state.i18n, lang)),
        StoreError::Conflict(_) => Ok(views::see_other(&format!("{page}?notice=moved-meanwhile"))),
        e => Err(errors::store(&state.i18n, lang, e)),
    }
}

/// `POST /console/cases/{id}/plan/submit`.
pub(crate) async fn submit(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<PlanWork>,
    Id(id): Id,
) -> Result<Response, PageError> {
    let staff = &who.staff;
    let grant = access::case(&state, &who, lang, CaseId(id), CaseReach::Full).await?;
    match state.store.submit_plan(grant.case.id, staff.id, staff.role).await {
        Ok(()) => Ok(views::see_other(&format!("/console/cases/{id}?notice=plan-submitted#plan"))),
        Err(e) => refusal(&state, lang, id, e),
    }
}

#[derive(Deserialize)]
pub(crate) struct DecisionForm {
    #[serde(default)]
    plan: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    confirm: String,
}

#[derive(Template)]
#[template(path = "console/exit_confirm.html")]
pub(crate) struct ConfirmPage {
    pub chrome: Chrome,
    pub action: String,
    pub fields: Vec<(&'static str, String)>,
    pub what: String,
    pub back: String,
}

/// The page asking to confirm an irreversible step (status 200: nothing was done yet).
#[allow(clippy::too_many_arguments)]
pub(crate) fn confirm_page(
    state: &AppState,
    lang: Lang,
    staff: &Staff,
    action: String,
    fields: Vec<(&'static str, String)>,
    what_id: &str,
    case: Uuid,
    back: String,
) -> Response {
    let what = state.i18n.text_with(lang.language, what_id, &[("case", FluentValue::from(short_id(&case)))]);
    let page = ConfirmPage {
        chrome: Chrome::staff(state, lang, staff, &action, None, "case-confirm-title"),
        action,
        fields,
        what,
        back,
    };
    views::render(state, lang, StatusCode::OK, &page)
}

/// The confirmation asked before `POST /console/cases/{id}/<step>` (a step without fields, offered
/// only while the case is in `needed`); its text is `<step>-confirm`.
fn ask_to_confirm(
    state: &AppState,
    lang: Lang,
    staff: &Staff,
    (id, now): (Uuid, CaseState),
    (needed, step): (CaseState, &str),
) -> Result<Response, PageError> {
    if now != needed {
        return Err(errors::move_refused(&state.i18n, lang));
    }
    let (action, back) = (format!("/console/cases/{id}/{step}"), format!("/console/cases/{id}"));
    Ok(confirm_page(state, lang, staff, action, Vec::new(), &format!("{step}-confirm"), id, back))
}

fn plan_id(state: &AppState, lang: Lang, form: &DecisionForm) -> Result<Uuid, PageError> {
    form.plan.trim().parse::<Uuid>().map_err(|_| errors::bad_request(&state.i18n, lang))
}

/// `POST /console/cases/{id}/plan/approve`: after a confirmation. The author is refused with a
/// page that says why, whatever their roles, before anything else is asked.
pub(crate) async fn approve(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<PlanReview>,
    Id(id): Id,
    Form(form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    let staff = &who.staff;
    let grant = access::case(&state, &who, lang, CaseId(id), CaseReach::Full).await?;
    let plan = plan_id(&state, lang, &form)?;
    if form.confirm != "1" {
        let plans = state.store.plans(grant.case.id).await.or_page(&state.i18n, lang)?;
        match plans.iter().find(|p| p.id == plan) {
            Some(p) if p.author == staff.id => return refusal(&state, lang, id, StoreError::Plan(PlanError::OwnPlan)),
            Some(_) => {}
            None => return Err(errors::not_found(&state.i18n, lang)),
        }
        let action = format!("/console/cases/{id}/plan/approve");
        let back = format!("/console/cases/{id}");
        return Ok(confirm_page(
            &state,
            lang,
            staff,
            action,
            vec![("plan", plan.to_string())],
            "plan-confirm-approve",
            id,
            back,
        ));
    }
    match state.store.approve_plan(grant.case.id, plan, staff.id, staff.role).await {
        Ok(()) => Ok(views::see_other(&format!("/console/cases/{id}?notice=plan-approved#plan"))),
        Err(e) => refusal(&state, lang, id, e),
    }
}

/// `POST /console/cases/{id}/plan/return`: back to its author with a comment.
pub(crate) async fn send_back(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<PlanReview>,
    Id(id): Id,
    Form(form): Form<DecisionForm>,
) -> Result<Response, PageError> {
    let staff = &who.staff;
    let grant = access::case(&state, &who, lang, CaseId(id), CaseReach::Full).await?;
    let plan = plan_id(&state, lang, &form)?;
    match state.store.return_plan(grant.case.id, plan, &form.comment, staff.id, staff.role).await {
        Ok(()) => Ok(views::see_other(&format!("/console/cases/{id}?notice=plan-returned#plan"))),
        Err(e) => refusal(&state, lang, id, e),
    }
}

/// `POST /console/cases/{id}/plan/send`: the approved plan's instructions go to the applicant,
/// in the case's newest conversation, in the language the plan was written in.
pub(crate) async fn send_instructions(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<PlanWork>,
    Id(id): Id,
) -> Result<Response, PageError> {
    let staff = &who.staff;
    let grant = access::case(&state, &who, lang, CaseId(id), CaseReach::Full).await?;
    match state.store.send_plan_instructions(grant.case.id, staff.id, staff.role).await {
        Ok(message) => {
            state.publish(&message);
            Ok(views::see_other(&format!("/console/cases/{id}?notice=plan-sent#plan")))
        }
        Err(StoreError::NotFound(_)) => {
            Ok(views::see_other(&format!("/console/cases/{id}?notice=plan-no-conversation")))
        }
        Err(e) => refusal(&state, lang, id, e),
    }
}

#[derive(Deserialize)]
pub(crate) struct ConfirmForm {
    #[serde(default)]
    confirm: String,
}

/// `POST /console/cases/{id}/handoff`: a coordinator hands the approved plan to operations.
pub(crate) async fn hand_off(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<PlanReview>,
    Id(id): Id,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, PageError> {
    let staff = &who.staff;
    let grant = access::case(&state, &who, lang, CaseId(id), CaseReach::Full).await?;
    if form.confirm != "1" {
        return ask_to_confirm(&state, lang, staff, (id, grant.case.state), (CaseState::PlanApproved, "handoff"));
    }
    match state.store.hand_off(grant.case.id, staff.id, staff.role).await {
        Ok(()) => Ok(views::see_other(&format!("/console/cases/{id}?notice=handed-off"))),
        Err(e) => refusal(&state, lang, id, e),
    }
}

/// `POST /console/cases/{id}/exit`: the owner or a coordinator (never the plan's approver)
/// records the exit after operations completed it.
pub(crate) async fn record_exit(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<PlanWork>,
    Id(id): Id,
    Form(form): Form<ConfirmForm>,
) -> Result<Response, PageError> {
    let staff = &who.staff;
    let grant = access::case(&state, &who, lang, CaseId(id), CaseReach::Full).await?;
    if form.confirm != "1" {
        return ask_to_confirm(&state, lang, staff, (id, grant.case.state), (CaseState::HandedOff, "exit"));
    }
    match state.store.record_exit(grant.case.id, staff.id, staff.role).await {
        Ok(()) => {
            let facts = access::CaseFacts { state: CaseState::Exited, owner: grant.case.assigned_to };
            if access::case_reach(staff.role, staff.id, facts) == CaseReach::None {
                Ok(views::see_other(&format!("{}?notice=exit-recorded", views::landing(staff.role))))
            } else {
                Ok(views::see_other(&format!("/console/cases/{id}?notice=exit-recorded#plan")))
            }
        }
        Err(e) => refusal(&state, lang, id, e),
    }
}

#[derive(Deserialize)]
pub(crate) struct OutcomeForm {
    #[serde(default)]
    aspect: String,
    #[serde(default)]
    value: String,
}

/// `POST /console/cases/{id}/outcome`: one fact of the outcome (each its own event).
pub(crate) async fn outcome(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<PlanWork>,
    Id(id): Id,
    Form(form): Form<OutcomeForm>,
) -> Result<Response, PageError> {
    let staff = &who.staff;
    let grant = access::case(&state, &who, lang, CaseId(id), CaseReach::Full).await?;
    let Ok(fact) = OutcomeFact::parse(&form.aspect, &form.value) else {
        return Err(errors::bad_request(&state.i18n, lang));
    };
    match state.store.record_outcome(grant.case.id, fact, staff.id, staff.role).await {
        Ok(()) => Ok(views::see_other(&format!("/console/cases/{id}?notice=outcome-saved#plan"))),
        Err(e) => refusal(&state, lang, id, e),
    }
}
