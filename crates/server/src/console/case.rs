//! One case at the console: its state, the moves the reader's role may make (the store checks
//! them again), group size and composition, and for those who see it whole the timeline, notes
//! and conversations. Every view is recorded.

use askama::Template;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use safepassage_domain::{CaseError, CaseId, CaseKind, CaseState, CloseReason, Event, Role, Transition};
use safepassage_store::{CaseView, NoteKind, StoreError};
use serde::Deserialize;

use super::access::{self, CaseFacts, CaseReach};
use super::assign::{self, Choice};
use super::confirm;
use super::errors::{self, OrPage};
use super::exit_plan;
use super::form::{Form, Id};
use super::holding;
use super::lang::Lang;
use super::locations::{self, LocationsPanel};
use super::roles::{Allowed, CaseWork, Composition};
use super::timeline::{self, kind_word, Line, Names};
use super::views::{self, clock, short_id, word, Chrome};
use crate::error::PageError;
use crate::AppState;

/// Views are recorded on every visit, so a long-lived case gathers many events.
const TIMELINE_LIMIT: i64 = 10_000;

pub(crate) struct MoveButton {
    pub value: String,
    pub label: String,
}

pub(crate) struct ConversationLink {
    pub href: String,
    pub short: String,
    pub channel: String,
    pub status: String,
}

pub(crate) struct NoteRow {
    pub at: String,
    pub who: String,
    pub kind: String,
    pub text: String,
}

/// What only those who see a case whole get: never operations (no history for them).
pub(crate) struct Details {
    pub owner: String,
    pub conversations: Vec<ConversationLink>,
    pub notes: Vec<NoteRow>,
    pub history: Vec<Line>,
    pub views: Vec<Line>,
}

#[derive(Template)]
#[template(path = "console/case.html")]
struct CasePage {
    chrome: Chrome,
    id: String,
    short: String,
    state: &'static str,
    state_label: String,
    kind_label: String,
    composition: Option<(u32, u32)>,
    codename: bool,
    shredded: bool,
    /// Since when the applicant is flagged as under coercion (the duress phrase was written).
    under_duress_since: Option<String>,
    advance: Vec<MoveButton>,
    closes: Vec<MoveButton>,
    composition_form: bool,
    details: Option<Details>,
    /// Coordinators get the way to the shredding page.
    shred_link: bool,
    /// Coordinators give an open case to a specialist: the active specialists to choose from.
    assign_to: Option<Vec<Choice>>,
    /// Screening flags, for those who see the case whole.
    screening: Option<super::screening::CaseScreening>,
    /// The location reports and the form to add one, for those who see the case whole.
    locations: Option<LocationsPanel>,
    /// The exit plan, hand-off and outcome, for those who see the case whole.
    plan: Option<exit_plan::Section>,
    /// When the applicant's next contact is expected (those who see the case whole).
    waiting: Option<holding::WaitingPanel>,
    /// Those who see the case whole write notes while it is open.
    note_form: bool,
    /// The holder issues (or re-issues) the codename.
    codename_form: bool,
    /// Relatives' conversations linked to the case (those who see it whole).
    relatives: Vec<ConversationLink>,
}

/// `GET /console/cases/{id}`.
pub(crate) async fn page(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<CaseWork>,
    Id(id): Id,
    uri: Uri,
) -> Result<Response, PageError> {
    let i18n = &state.i18n;
    let staff = &who.staff;
    let grant = access::case(&state, &who, lang, CaseId(id), CaseReach::HandOff).await?;
    let case = &grant.case;
    let locations = match grant.reach {
        CaseReach::Full => Some(locations::panel(&state, lang, case).await?),
        _ => None,
    };
    // Recorded before anything is shown; showing locations is a view of its own.
    let mut viewed = vec![Event::CaseViewed { case: case.id, by: staff.id }];
    if locations.as_ref().is_some_and(LocationsPanel::shows_any) {
        viewed.push(Event::LocationViewed { case: case.id, by: staff.id });
    }
    state.store.record(viewed).await.or_page(i18n, lang)?;
    let (advance, closes) = moves(&state, lang, case.state, staff.role);
    let details = match grant.reach {
        CaseReach::Full => Some(details(&state, lang, case).await?),
        _ => None,
    };
    let assign_to = assign::choices(&state, lang, staff, case).await?;
    let screening = super::screening::case_part(&state, lang, grant.reach, case).await?;
    let plan = match grant.reach {
        CaseReach::Full => Some(exit_plan::section(&state, lang, staff, case).await?),
        _ => None,
    };
    let waiting = holding::panel(&state, lang, staff, case, grant.reach).await?;
    let relatives = match grant.reach {
        CaseReach::Full => state.store.relatives(case.id).await.or_page(i18n, lang)?,
        _ => Vec::new(),
    };
    let relatives = relatives
        .iter()
        .map(|c| ConversationLink {
            href: format!("/console/conversations/{}", c.id),
            short: short_id(&c.id.0),
            channel: word(i18n, lang, "channel", c.channel.as_str()),
            status: word(i18n, lang, "status", c.status.as_str()),
        })
        .collect();
    let path = format!("/console/cases/{id}");
    let page = CasePage {
        chrome: Chrome::staff(&state, lang, staff, &path, uri.query(), "case-title"),
        id: id.to_string(),
        short: short_id(&id),
        state: case.state.as_str(),
        state_label: word(i18n, lang, "state", case.state.as_str()),
        kind_label: word(i18n, lang, "kind", kind_word(case.kind)),
        composition: case.composition.map(|c| (c.size, c.officers)),
        codename: case.has_codename,
        shredded: case.shredded,
        under_duress_since: case.under_duress_since_ms.map(clock),
        advance,
        closes,
        composition_form: details.is_some()
            && case.kind == CaseKind::Group
            && case.state.is_open()
            && matches!(staff.role, Role::Specialist | Role::Coordinator),
        details,
        shred_link: staff.role == Role::Coordinator && !case.shredded,
        assign_to,
        screening,
        locations,
        plan,
        note_form: grant.reach == CaseReach::Full && case.state.is_open() && !case.shredded,
        codename_form: case.state.is_open()
            && !case.shredded
            && case.assigned_to == Some(staff.id)
            && matches!(staff.role, Role::Specialist | Role::Operator),
        waiting,
        relatives,
    };
    Ok(views::render(&state, lang, StatusCode::OK, &page))
}

/// The buttons for the moves the role may make from this state: the domain decides.
fn moves(state: &AppState, lang: Lang, from: CaseState, role: Role) -> (Vec<MoveButton>, Vec<MoveButton>) {
    let (mut advance, mut closes) = (Vec::new(), Vec::new());
    for m in from.moves_for(role) {
        match m {
            Transition::Advance { to } => advance.push(MoveButton {
                value: format!("advance:{}", to.as_str()),
                label: word(&state.i18n, lang, "move-to", to.as_str()),
            }),
            Transition::Close { reason } => closes.push(MoveButton {
                value: format!("close:{}", reason.as_str()),
                label: word(&state.i18n, lang, "reason", reason.as_str()),
            }),
        }
    }
    (advance, closes)
}

async fn details(state: &AppState, lang: Lang, case: &CaseView) -> Result<Details, PageError> {
    let i18n = &state.i18n;
    let events = state.store.timeline(case.id.0, TIMELINE_LIMIT).await.or_page(i18n, lang)?;
    let notes = state.store.notes(case.id).await.or_page(i18n, lang)?;
    let conversations = state.store.conversations_of_case(case.id).await.or_page(i18n, lang)?;
    // Collected first: an iterator of borrowing closures held across an await is not `Send`.
    let mut people: Vec<_> = case.assigned_to.into_iter().collect();
    people.extend(events.iter().filter_map(|e| timeline::actor(&e.event)));
    people.extend(events.iter().filter_map(|e| timeline::assignee(&e.event)));
    people.extend(notes.iter().map(|n| n.author));
    let names = Names::load(state, lang, people).await.or_page(i18n, lang)?;
    let (history, views) = timeline::lines(state, lang, &events, &names);
    let shredded = i18n.text(lang.language, "message-shredded");
    Ok(Details {
        owner: case.assigned_to.map(|o| names.of(o).to_owned()).unwrap_or_default(),
        conversations: conversations
            .iter()
            .map(|c| ConversationLink {
                href: format!("/console/conversations/{}", c.id),
                short: short_id(&c.id.0),
                channel: word(i18n, lang, "channel", c.channel.as_str()),
                status: word(i18n, lang, "status", c.status.as_str()),
            })
            .collect(),
        notes: notes
            .iter()
            .map(|n| NoteRow {
                at: clock(n.at_ms),
                who: names.of(n.author).to_owned(),
                kind: i18n
                    .text(lang.language, if n.kind == NoteKind::Location { "note-location" } else { "note-note" }),
                text: n.body.text().map_or_else(|| shredded.clone(), str::to_owned),
            })
            .collect(),
        history,
        views,
    })
}

#[derive(Deserialize)]
pub(crate) struct TransitionForm {
    #[serde(default)]
    transition: String,
    /// `1` once the person confirmed an irreversible move (see `confirm`).
    #[serde(default)]
    confirm: String,
}

/// `advance:<state>` or `close:<reason>`, as the buttons send them.
pub(crate) fn parse_move(value: &str) -> Option<Transition> {
    match value.split_once(':')? {
        ("advance", to) => Some(Transition::Advance { to: to.parse().ok()? }),
        ("close", reason) => Some(Transition::Close { reason: reason.parse::<CloseReason>().ok()? }),
        _ => None,
    }
}

/// `POST /console/cases/{id}/transition`. The page only offers allowed moves; anything else is
/// refused here again by the domain's rules (through the store), whatever the form said.
pub(crate) async fn transition(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<CaseWork>,
    Id(id): Id,
    Form(form): Form<TransitionForm>,
) -> Result<Response, PageError> {
    let staff = &who.staff;
    let grant = access::case(&state, &who, lang, CaseId(id), CaseReach::HandOff).await?;
    let Some(requested) = parse_move(&form.transition) else {
        return Err(errors::bad_request(&state.i18n, lang));
    };
    if confirm::irreversible(requested) && form.confirm != "1" {
        // Nothing is done until the person says so on the page that tells what will happen.
        if !grant.case.state.moves_for(staff.role).contains(&requested) {
            return Err(errors::forbidden(&state.i18n, lang));
        }
        return Ok(confirm::page(&state, lang, staff, id, requested, &form.transition));
    }
    let page = format!("/console/cases/{id}");
    match state.store.transition_case(grant.case.id, requested, staff.id, staff.role).await {
        Ok(to) => {
            // A move can take the case out of the mover's sight (a coordinator closing it,
            // operations marking an exit): then back to where they work.
            let facts = CaseFacts { state: to, owner: grant.case.assigned_to };
            if access::case_reach(staff.role, staff.id, facts) == CaseReach::None {
                Ok(views::see_other(&format!("{}?notice=moved", views::landing(staff.role))))
            } else {
                Ok(views::see_other(&format!("{page}?notice=moved")))
            }
        }
        Err(StoreError::Conflict(_)) => Ok(views::see_other(&format!("{page}?notice=moved-meanwhile"))),
        Err(StoreError::Case(CaseError::NoLocationYet)) => {
            Ok(views::see_other(&format!("{page}?notice=location-needed#locations")))
        }
        Err(e) => Err(errors::store(&state.i18n, lang, e)),
    }
}

#[derive(Deserialize)]
pub(crate) struct CompositionForm {
    #[serde(default)]
    size: String,
    #[serde(default)]
    officers: String,
}

/// `POST /console/cases/{id}/composition`: how many people, how many of them officers.
pub(crate) async fn composition(
    State(state): State<AppState>,
    lang: Lang,
    who: Allowed<Composition>,
    Id(id): Id,
    Form(form): Form<CompositionForm>,
) -> Result<Response, PageError> {
    let staff = &who.staff;
    let grant = access::case(&state, &who, lang, CaseId(id), CaseReach::Full).await?;
    let page = format!("/console/cases/{id}");
    let invalid = format!("{page}?notice=composition-invalid");
    let (Ok(size), Ok(officers)) = (form.size.trim().parse::<u32>(), form.officers.trim().parse::<u32>()) else {
        return Ok(views::see_other(&invalid));
    };
    match state.store.set_group_composition(grant.case.id, size, officers, staff.id, staff.role).await {
        Ok(()) => Ok(views::see_other(&format!("{page}?notice=composition-saved"))),
        Err(StoreError::Case(CaseError::BadComposition)) => Ok(views::see_other(&invalid)),
        Err(StoreError::Conflict(_)) => Ok(views::see_other(&format!("{page}?notice=moved-meanwhile"))),
        Err(e) => Err(errors::store(&state.i18n, lang, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_parse_back_from_their_button_values() {
        for state in CaseState::ALL {
            for role in Role::ALL {
                for m in state.moves_for(role) {
                    let value = match m {
                        Transition::Advance { to } => format!("advance:{}", to.as_str()),
                        Transition::Close { reason } => format!("close:{}", reason.as_str()),
                    };
                    assert_eq!(parse_move(&value), Some(m));
                }
            }
        }
        for junk in ["", "advance", "advance:", "advance:heaven", "close:bored", "jump:exited"] {
            assert_eq!(parse_move(junk), None, "{junk}");
        }
    }
}
