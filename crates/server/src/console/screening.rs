//! Provocation screening at the console. Anyone who sees a case whole can flag it as a possible
//! provocation with a reason (`POST /console/cases/{id}/flag`; the reason is sealed, the case
//! page shows it to those who see the case whole). Coordinators see the signals
//! (`GET /console/signals`): registrations in a burst with the same bot answers, cases located
//! near each other in the same days, a codename joined from many conversations, each with its
//! evidence. Nothing is merged or decided; every look at the signals is recorded.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use fluent_bundle::FluentValue;
use safepassage_domain::{CaseId, Event, Role};
use safepassage_store::{CaseView, StoreError};
use serde::Deserialize;

use super::access::{self, CaseReach};
use super::errors::{self, OrPage};
use super::form::{Form, Id};
use super::lang::Lang;
use super::roles::{Allowed, CaseWork, Screening};
use super::session::Staff;
use super::timeline::Names;
use super::views::{self, clock, short_id, Chrome};
use crate::error::PageError;
use crate::AppState;

/// A flag as the case page shows it.
pub(crate) struct FlagRow {
    pub at: String,
    pub who: String,
    pub reason: String,
}

/// The screening part of a case page: its flags and the form to add one.
pub(crate) struct CaseScreening {
    pub flags: Vec<FlagRow>,
}

/// The flags of a case for someone who sees it whole; None for anyone else (operations).
pub(crate) async fn case_part(
    state: &AppState,
    lang: Lang,
    reach: CaseReach,
    case: &CaseView,
) -> Result<Option<CaseScreening>, PageError> {
    if reach != CaseReach::Full {
        return Ok(None);
    }
    let i18n = &state.i18n;
    let flags = state.store.case_flags(case.id).await.or_page(i18n, lang)?;
    // Collected first: an iterator of borrowing closures held across an await is not `Send`.
    let people: Vec<_> = flags.iter().map(|f| f.by).collect();
    let names = Names::load(state, lang, people).await.or_page(i18n, lang)?;
    let shredded = i18n.text(lang.language, "message-shredded");
    Ok(Some(CaseScreening {
        flags: flags
            .iter()
            .map(|f| FlagRow {
                at: clock(f.at_ms),
                who: names.of(f.by).to_owned(),
                reason: f.reason.text().map_or_else(|| shredded.clone(), str::to_owned),
            })
            .collect(),
    }))
}

#[derive(Deserialize)]
pub(crate) struct FlagForm {
    #[serde(default)]
    reason: String,
}

/// `POST /console/cases/{id}/flag`: within the case's need-to-know only.
pub(crate) async fn flag(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<CaseWork>,
    Id(id): Id,
    Form(form): Form<FlagForm>,
) -> Result<Response, PageError> {
    let grant = access::case(&state, &who, lang, CaseId(id), CaseReach::Full).await?;
    let page = format!("/console/cases/{id}");
    let reason = match safepassage_domain::screening::flag::flag_reason(&form.reason) {
        Ok(reason) => reason,
        Err(safepassage_domain::screening::flag::FlagError::Empty) => {
            return Ok(views::see_other(&format!("{page}?notice=flag-empty#flags")))
        }
        Err(safepassage_domain::screening::flag::FlagError::TooLong) => {
            return Ok(views::see_other(&format!("{page}?notice=flag-too-long#flags")))
        }
    };
    match state.store.flag_case(grant.case.id, who.staff.id, reason).await {
        Ok(_) => Ok(views::see_other(&format!("{page}?notice=flagged#flags"))),
        Err(StoreError::Conflict(_)) => Ok(views::see_other(&format!("{page}?notice=moved-meanwhile"))),
        Err(e) => Err(errors::store(&state.i18n, lang, e)),
    }
}

/// A case named as evidence: a link when the reader may follow it.
pub(crate) struct CaseLink {
    pub short: String,
    pub href: Option<String>,
    pub at: String,
}

pub(crate) struct SignalRow {
    /// What was found, in words, with its counts and times.
    pub summary: String,
    pub cases: Vec<CaseLink>,
}

#[derive(Template)]
#[template(path = "console/signals.html")]
struct SignalsPage {
    chrome: Chrome,
    intro: String,
    bursts: Vec<SignalRow>,
    nearby: Vec<SignalRow>,
    joins: Vec<SignalRow>,
}

/// `GET /console/signals`: coordinators only; every view is recorded before anything shows.
pub(crate) async fn signals(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Screening>,
    uri: Uri,
) -> Result<Response, PageError> {
    let i18n = &state.i18n;
    let staff = &who.staff;
    state.store.record(vec![Event::SignalsViewed { by: staff.id }]).await.or_page(i18n, lang)?;
    let settings = &state.config.signals;
    let found = state.store.signals(settings, super::now_ms()).await.or_page(i18n, lang)?;
    let say = |id: &str, args: &[(&str, FluentValue<'_>)]| i18n.text_with(lang.language, id, args);
    let mut bursts = Vec::new();
    for b in &found.bursts {
        let cases = links(&state, lang, staff, b.cases.iter().map(|(c, at)| (*c, Some(*at)))).await?;
        bursts.push(SignalRow {
            summary: say(
                "screening-burst-summary",
                &[("count", b.cases.len().into()), ("from", clock(b.first_ms).into()), ("to", clock(b.last_ms).into())],
            ),
            cases,
        });
    }
    let mut nearby = Vec::new();
    for n in &found.nearby {
        let cases = links(&state, lang, staff, n.cases.iter().map(|c| (*c, None))).await?;
        nearby.push(SignalRow {
            summary: say(
                "screening-nearby-summary",
                &[
                    ("count", n.cases.len().into()),
                    ("metres", (n.closest_m.round() as i64).into()),
                    ("from", clock(n.first_ms).into()),
                    ("to", clock(n.last_ms).into()),
                ],
            ),
            cases,
        });
    }
    let mut joins = Vec::new();
    for j in &found.joins {
        let cases = links(&state, lang, staff, std::iter::once((j.case, None))).await?;
        joins.push(SignalRow {
            summary: say(
                "screening-joins-summary",
                &[
                    ("count", j.conversations.into()),
                    ("from", clock(j.first_ms).into()),
                    ("to", clock(j.last_ms).into()),
                ],
            ),
            cases,
        });
    }
    let intro = say(
        "screening-intro",
        &[
            ("burst", settings.burst_cases.into()),
            ("minutes", (settings.burst_window.as_secs() / 60).into()),
            ("metres", (settings.nearby_metres.round() as i64).into()),
            ("joins", settings.join_conversations.into()),
            ("days", (settings.lookback.as_secs() / 86_400).into()),
        ],
    );
    let page = SignalsPage {
        chrome: Chrome::staff(&state, lang, staff, "/console/signals", uri.query(), "screening-title"),
        intro,
        bursts,
        nearby,
        joins,
    };
    Ok(views::render(&state, lang, StatusCode::OK, &page))
}

/// The cases of a signal, linked where the reader may open them (coordinators: open cases).
async fn links(
    state: &AppState,
    lang: Lang,
    staff: &Staff,
    cases: impl Iterator<Item = (CaseId, Option<i64>)>,
) -> Result<Vec<CaseLink>, PageError> {
    let mut out = Vec::new();
    for (id, at) in cases {
        let view = state.store.case(id).await.or_page(&state.i18n, lang)?;
        let href = view
            .filter(|c| staff.role == Role::Coordinator && access::sees_case(staff.role, staff.id, c))
            .map(|c| format!("/console/cases/{}", c.id));
        out.push(CaseLink { short: short_id(&id.0), href, at: at.map(clock).unwrap_or_default() });
    }
    Ok(out)
}
