//! A case's history in words: each event of its timeline becomes a line in the reader's
//! language, with who and when. Views are kept apart: they are many and change nothing.

use std::collections::HashMap;

use fluent_bundle::FluentValue;
use safepassage_domain::{Event, UserId};
use safepassage_store::{StoreError, StoredEvent};

use super::lang::Lang;
use super::views::{clock, word};
use crate::AppState;

pub(crate) struct Line {
    pub at: String,
    /// The event's kind, as a class name for styling.
    pub kind: &'static str,
    pub text: String,
}

/// Staff names by id, looked up once per page.
pub(crate) struct Names {
    names: HashMap<UserId, String>,
    unknown: String,
}

impl Names {
    pub async fn load(
        state: &AppState,
        lang: Lang,
        ids: impl IntoIterator<Item = UserId>,
    ) -> Result<Names, StoreError> {
        let mut names = HashMap::new();
        // The platform's own acts (the bot registering someone, the retention timer) are the bot's.
        names.insert(UserId::SYSTEM, state.i18n.text(lang.language, "who-bot"));
        for id in ids {
            if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(id) {
                if let Some(user) = state.store.user(id).await? {
                    slot.insert(user.name);
                }
            }
        }
        Ok(Names { names, unknown: state.i18n.text(lang.language, "who-unknown") })
    }

    pub fn of(&self, id: UserId) -> &str {
        self.names.get(&id).map_or(self.unknown.as_str(), String::as_str)
    }
}

/// Who was given a case in an event (named on the timeline like the actor).
pub(crate) fn assignee(event: &Event) -> Option<UserId> {
    match event {
        Event::CaseAssigned { to, .. } => Some(*to),
        _ => None,
    }
}

/// Who acted in an event, if anyone did.
pub(crate) fn actor(event: &Event) -> Option<UserId> {
    match event {
        Event::CaseOpened { by, .. }
        | Event::CaseAdvanced { by, .. }
        | Event::CaseClosed { by, .. }
        | Event::GroupCompositionSet { by, .. }
        | Event::CaseNoteAdded { by, .. }
        | Event::LocationRecorded { by, .. }
        | Event::CaseViewed { by, .. }
        | Event::TranscriptViewed { by, .. }
        | Event::ConversationClosed { by, .. }
        | Event::CaseAssigned { by, .. }
        | Event::CaseFlaggedSuspicious { by, .. }
        | Event::LocationViewed { by, .. }
        | Event::PlanDrafted { by, .. }
        | Event::PlanSubmitted { by, .. }
        | Event::PlanApproved { by, .. }
        | Event::PlanReturned { by, .. }
        | Event::PlanInstructionsSent { by, .. }
        | Event::CaseHandedOff { by, .. }
        | Event::OperationsReported { by, .. }
        | Event::ExitRecorded { by, .. }
        | Event::OutcomeRecorded { by, .. }
        | Event::PackageViewed { by, .. }
        | Event::PackageExported { by, .. }
        | Event::NextContactSet { by, .. }
        | Event::CodenameIssuedByStaff { by, .. }
        | Event::RelativeLinked { by, .. } => Some(*by),
        Event::CaseShredded { by, .. } | Event::LocationReported { by, .. } => *by,
        _ => None,
    }
}

/// The history lines and the view lines of a case, oldest first.
pub(crate) fn lines(state: &AppState, lang: Lang, events: &[StoredEvent], names: &Names) -> (Vec<Line>, Vec<Line>) {
    let mut history = Vec::new();
    let mut views = Vec::new();
    for stored in events {
        let line = Line {
            at: clock(stored.at_ms),
            kind: stored.event.kind(),
            text: describe(state, lang, &stored.event, names),
        };
        match stored.event {
            Event::CaseViewed { .. } | Event::LocationViewed { .. } | Event::PackageViewed { .. } => views.push(line),
            _ => history.push(line),
        }
    }
    (history, views)
}

fn describe(state: &AppState, lang: Lang, event: &Event, names: &Names) -> String {
    let i18n = &state.i18n;
    let who = |by: &UserId| FluentValue::from(names.of(*by).to_owned());
    let say = |id: &str, args: &[(&str, FluentValue<'_>)]| i18n.text_with(lang.language, id, args);
    match event {
        Event::CaseOpened { kind, by, .. } => {
            let kind = word(i18n, lang, "kind", kind_word(*kind));
            say("timeline-case-opened", &[("who", who(by)), ("kind", kind.into())])
        }
        Event::CaseAdvanced { from, to, by, .. } => say(
            "timeline-case-advanced",
            &[
                ("who", who(by)),
                ("from", word(i18n, lang, "state", from.as_str()).into()),
                ("to", word(i18n, lang, "state", to.as_str()).into()),
            ],
        ),
        Event::CaseClosed { reason, by, .. } => say(
            "timeline-case-closed",
            &[("who", who(by)), ("reason", word(i18n, lang, "reason", reason.as_str()).into())],
        ),
        Event::GroupCompositionSet { size, officers, by, .. } => say(
            "timeline-group-composition-set",
            &[("who", who(by)), ("size", (*size).into()), ("officers", (*officers).into())],
        ),
        Event::CodenameIssued { .. } => say("timeline-codename-issued", &[]),
        Event::ConversationJoinedCase { .. } => say("timeline-conversation-joined-case", &[]),
        Event::CaseNoteAdded { by, .. } => say("timeline-case-note-added", &[("who", who(by))]),
        Event::LocationRecorded { by, .. } => say("timeline-location-recorded", &[("who", who(by))]),
        Event::CaseViewed { by, .. } => say("timeline-case-viewed", &[("who", who(by))]),
        Event::CaseShredded { by: Some(by), reason: Some(reason), .. } => say(
            "timeline-case-shredded-by",
            &[("who", who(by)), ("reason", word(i18n, lang, "shred-reason", reason.as_str()).into())],
        ),
        Event::CaseShredded { by: None, reason: Some(safepassage_domain::ShredReason::RetentionEnded), .. } => {
            say("timeline-case-shredded-retention", &[])
        }
        Event::CaseShredded { .. } => say("timeline-case-shredded", &[]),
        Event::DuressPhraseAgreed { .. } => say("timeline-duress-phrase-agreed", &[]),
        Event::CaseFlaggedUnderDuress { .. } => say("timeline-case-flagged-under-duress", &[]),
        Event::CaseAssigned { to, by, .. } => say("timeline-case-assigned", &[("who", who(by)), ("to", who(to))]),
        Event::CaseFlaggedSuspicious { by, .. } => say("timeline-case-flagged-suspicious", &[("who", who(by))]),
        Event::ConversationShredded { by: None, .. } => say("timeline-conversation-shredded-retention", &[]),
        Event::ConversationShredded { .. } => say("timeline-conversation-shredded", &[]),
        Event::LocationReported { by: Some(by), source, .. } => say(
            "timeline-location-reported-by",
            &[("who", who(by)), ("source", word(i18n, lang, "location-source", source.as_str()).into())],
        ),
        Event::LocationReported { source, .. } => say(
            "timeline-location-reported-applicant",
            &[("source", word(i18n, lang, "location-source", source.as_str()).into())],
        ),
        Event::LocationViewed { by, .. } => say("timeline-location-viewed", &[("who", who(by))]),
        Event::PlanDrafted { version, by, withdraws_approval, .. } => say(
            if *withdraws_approval { "timeline-plan-drafted-again" } else { "timeline-plan-drafted" },
            &[("who", who(by)), ("version", (*version).into())],
        ),
        Event::PlanSubmitted { version, by, .. } => {
            say("timeline-plan-submitted", &[("who", who(by)), ("version", (*version).into())])
        }
        Event::PlanApproved { version, by, .. } => {
            say("timeline-plan-approved", &[("who", who(by)), ("version", (*version).into())])
        }
        Event::PlanReturned { version, by, .. } => {
            say("timeline-plan-returned", &[("who", who(by)), ("version", (*version).into())])
        }
        Event::PlanInstructionsSent { version, by, .. } => {
            say("timeline-plan-instructions-sent", &[("who", who(by)), ("version", (*version).into())])
        }
        Event::CaseHandedOff { by, .. } => say("timeline-case-handed-off", &[("who", who(by))]),
        Event::OperationsReported { status, by, .. } => say(
            "timeline-operations-reported",
            &[("who", who(by)), ("status", word(i18n, lang, "ops-status", status.as_str()).into())],
        ),
        Event::ExitRecorded { by, .. } => say("timeline-exit-recorded", &[("who", who(by))]),
        Event::OutcomeRecorded { fact, by, .. } => say(
            "timeline-outcome-recorded",
            &[
                ("who", who(by)),
                ("aspect", i18n.text(lang.language, &format!("outcome-{}", fact.aspect())).into()),
                ("value", word(i18n, lang, "outcome-value", fact.value()).into()),
            ],
        ),
        Event::PackageViewed { by, .. } => say("timeline-package-viewed", &[("who", who(by))]),
        Event::PackageExported { format, by, .. } => say(
            "timeline-package-exported",
            &[
                ("who", who(by)),
                (
                    "format",
                    match format {
                        safepassage_domain::PackageFormat::Geojson => "GeoJSON",
                        safepassage_domain::PackageFormat::Text => "text",
                    }
                    .into(),
                ),
            ],
        ),
        Event::CodenameIssuedByStaff { by, replaced: true, .. } => {
            say("timeline-codename-reissued-by-staff", &[("who", who(by))])
        }
        Event::CodenameIssuedByStaff { by, .. } => say("timeline-codename-issued-by-staff", &[("who", who(by))]),
        Event::RelativeLinked { by, .. } => say("timeline-relative-linked", &[("who", who(by))]),
        Event::DeployedReported { .. } => say("timeline-deployed-reported", &[]),
        Event::NextContactSet { at_ms, by, .. } => {
            say("timeline-next-contact-set", &[("who", who(by)), ("at", super::views::clock(*at_ms).into())])
        }
        other => say("timeline-other", &[("kind", other.kind().into())]),
    }
}

pub(crate) fn kind_word(kind: safepassage_domain::CaseKind) -> &'static str {
    match kind {
        safepassage_domain::CaseKind::Individual => "individual",
        safepassage_domain::CaseKind::Group => "group",
    }
}
