//! Waiting and silence at the console: the case page's expected next contact with the holder's
//! form (`POST /console/cases/{id}/next-contact`), "my cases" ordered by what needs the holder
//! first (`domain::attention`), and the coordinators' "silent" list of overdue cases.

use std::collections::{HashMap, HashSet};

use axum::extract::State;
use axum::response::Response;
use safepassage_domain::attention::{self, Attention, Facts};
use safepassage_domain::{CaseError, CaseId, CaseState, PlanStatus, Role, UserId};
use safepassage_store::{CaseView, StoreError};
use serde::Deserialize;

use super::access::{self, CaseReach};
use super::errors::{self, OrPage};
use super::form::{Form, Id};
use super::lang::Lang;
use super::now_ms;
use super::roles::{Allowed, Holding};
use super::session::Staff;
use super::views::{self, clock};
use crate::error::PageError;
use crate::AppState;

/// How many open cases the lists weigh at most.
const WAITS_LIMIT: i64 = 2_000;
/// How many overdue cases the silent list shows at most.
const SILENT_LIMIT: usize = 200;

/// The case page's waiting facts, for those who see the case whole.
pub(crate) struct WaitingPanel {
    pub due: String,
    pub overdue: bool,
    pub last_contact: Option<String>,
    pub returning: bool,
    /// The holder and coordinators may set the date.
    pub form: bool,
    /// When the applicant reported "I have been deployed", while the case is not yet deployed.
    pub deployed_reported: Option<String>,
    /// The reader may confirm that move with one button.
    pub confirm_deployed: bool,
}

/// The waiting facts of an open case, when the reader sees it whole.
pub(crate) async fn panel(
    state: &AppState,
    lang: Lang,
    staff: &Staff,
    case: &CaseView,
    reach: CaseReach,
) -> Result<Option<WaitingPanel>, PageError> {
    if reach != CaseReach::Full || !case.state.is_open() {
        return Ok(None);
    }
    let Some(wait) = state.store.case_wait(case.id).await.or_page(&state.i18n, lang)? else {
        return Ok(None);
    };
    let defaults = &state.config.contact_defaults;
    let Some(due) = wait.waiting().due_ms(defaults) else {
        return Ok(None);
    };
    let form = staff.role == Role::Coordinator || case.assigned_to == Some(staff.id);
    // Shown until the case is past registration; confirmed by the move to `deployed`.
    let before =
        matches!(case.state, safepassage_domain::CaseState::Inquiry | safepassage_domain::CaseState::Registered);
    let deployed_reported = wait.deployed_reported_ms.filter(|_| before).map(clock);
    let to_deployed = safepassage_domain::Transition::Advance { to: safepassage_domain::CaseState::Deployed };
    let confirm_deployed = deployed_reported.is_some() && case.state.moves_for(staff.role).contains(&to_deployed);
    Ok(Some(WaitingPanel {
        due: clock(due),
        overdue: wait.waiting().overdue(defaults, now_ms()),
        last_contact: wait.last_contact_ms.map(clock),
        returning: wait.returning,
        form,
        deployed_reported,
        confirm_deployed,
    }))
}

/// Orders `cases` (the holder's) by what needs `holder` first; returns each one's attention in
/// the new order.
pub(crate) async fn order_mine(
    state: &AppState,
    lang: Lang,
    holder: UserId,
    cases: &mut [CaseView],
) -> Result<Vec<Attention>, PageError> {
    let waits = state.store.case_waits(Some(holder), WAITS_LIMIT).await.or_page(&state.i18n, lang)?;
    let defaults = &state.config.contact_defaults;
    let now = now_ms();
    // A plan is sent back only at `located`: those few cases are the only ones to look at.
    let mut returned = HashSet::new();
    for case in cases.iter().filter(|c| c.state == CaseState::Located) {
        let plans = state.store.plans(case.id).await.or_page(&state.i18n, lang)?;
        if plans.first().is_some_and(|p| p.status == PlanStatus::Returned) {
            returned.insert(case.id);
        }
    }
    let facts: HashMap<CaseId, Facts> = waits
        .iter()
        .map(|w| {
            let f = Facts {
                returning: w.returning,
                overdue: w.waiting().overdue(defaults, now),
                plan_returned: returned.contains(&w.case),
                state_since_ms: w.state_since_ms,
            };
            (w.case, f)
        })
        .collect();
    // Finished cases (not among the waits) go last, newest change first as before.
    let of = |c: &CaseView| {
        facts.get(&c.id).copied().unwrap_or(Facts { state_since_ms: i64::MAX - c.updated_ms, ..Facts::default() })
    };
    attention::order(cases, of);
    Ok(cases.iter().map(|c| of(c).attention()).collect())
}

/// Open cases whose expected contact is past, the longest silent first: the coordinators' list.
pub(crate) async fn silent(state: &AppState, lang: Lang) -> Result<Vec<CaseView>, PageError> {
    let waits = state.store.case_waits(None, WAITS_LIMIT).await.or_page(&state.i18n, lang)?;
    let defaults = &state.config.contact_defaults;
    let now = now_ms();
    let mut overdue: Vec<(i64, CaseId)> = waits
        .iter()
        .filter_map(|w| w.waiting().due_ms(defaults).filter(|due| *due < now).map(|due| (due, w.case)))
        .collect();
    overdue.sort_unstable();
    let mut out = Vec::with_capacity(overdue.len().min(SILENT_LIMIT));
    for (_, id) in overdue.into_iter().take(SILENT_LIMIT) {
        if let Some(case) = state.store.case(id).await.or_page(&state.i18n, lang)? {
            out.push(case);
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
pub(crate) struct NextContactForm {
    #[serde(default)]
    days: String,
}

/// `POST /console/cases/{id}/next-contact`: the holder (or a coordinator) expects the next
/// contact in `days` days.
pub(crate) async fn set_next_contact(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Holding>,
    Id(id): Id,
    Form(form): Form<NextContactForm>,
) -> Result<Response, PageError> {
    let staff = &who.staff;
    let grant = access::case(&state, &who, lang, CaseId(id), CaseReach::Full).await?;
    let page = format!("/console/cases/{id}");
    let Ok(days) = form.days.trim().parse::<u32>() else {
        return Ok(views::see_other(&format!("{page}?notice=next-contact-invalid")));
    };
    match state.store.set_next_contact(grant.case.id, days, staff.id, staff.role).await {
        Ok(_) => Ok(views::see_other(&format!("{page}?notice=next-contact-set"))),
        Err(StoreError::Case(CaseError::BadNextContact)) => {
            Ok(views::see_other(&format!("{page}?notice=next-contact-invalid")))
        }
        Err(StoreError::Case(CaseError::NotTheHolder)) => Err(errors::forbidden(&state.i18n, lang)),
        Err(StoreError::Conflict(_)) | Err(StoreError::Case(CaseError::Finished(_))) => {
            Ok(views::see_other(&format!("{page}?notice=moved-meanwhile")))
        }
        Err(e) => Err(errors::store(&state.i18n, lang, e)),
    }
}
