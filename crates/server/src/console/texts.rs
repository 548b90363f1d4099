//! Tests that every console text exists in Ukrainian, Russian and English: the three files of each
//! console area define the same ids, and every id the templates and handlers ask for is defined.

use safepassage_domain::{CaseState, Channel, CloseReason, Language, Role, Sender};

use super::views::vocab_id;
use crate::I18n;

const LANGUAGES: [Language; 3] = [Language::Uk, Language::Ru, Language::En];

const TEMPLATES: &[(&str, &str)] = &[
    ("base", include_str!("../../templates/console/base.html")),
    ("login", include_str!("../../templates/console/login.html")),
    ("home", include_str!("../../templates/console/home.html")),
    ("queue", include_str!("../../templates/console/queue.html")),
    ("conversation", include_str!("../../templates/console/conversation.html")),
    ("case", include_str!("../../templates/console/case.html")),
    ("cases", include_str!("../../templates/console/cases.html")),
    ("case_side_list", include_str!("../../templates/console/case_side_list.html")),
    ("users", include_str!("../../templates/console/users.html")),
    ("confirm", include_str!("../../templates/console/confirm.html")),
    ("shred", include_str!("../../templates/console/shred.html")),
    ("user_reset", include_str!("../../templates/console/user_reset.html")),
    ("setup", include_str!("../../templates/console/setup.html")),
    ("account", include_str!("../../templates/console/account.html")),
    ("signals", include_str!("../../templates/console/signals.html")),
    ("case_flags", include_str!("../../templates/console/case_flags.html")),
    ("case_locations", include_str!("../../templates/console/case_locations.html")),
    ("conversation_locations", include_str!("../../templates/console/conversation_locations.html")),
    ("location_form", include_str!("../../templates/console/location_form.html")),
    ("location_refused", include_str!("../../templates/console/location_refused.html")),
    ("exit_plan", include_str!("../../templates/console/exit_plan.html")),
    ("exit_plan_section", include_str!("../../templates/console/exit_plan_section.html")),
    ("exit_confirm", include_str!("../../templates/console/exit_confirm.html")),
    ("handoff", include_str!("../../templates/console/handoff.html")),
    ("codename", include_str!("../../templates/console/codename.html")),
    ("archive", include_str!("../../templates/console/archive.html")),
];

const SOURCES: &[(&str, &str)] = &[
    ("account", include_str!("account.rs")),
    ("admin", include_str!("admin.rs")),
    ("auth", include_str!("auth.rs")),
    ("case", include_str!("case.rs")),
    ("case_map", include_str!("case_map.rs")),
    ("cases", include_str!("cases.rs")),
    ("conversation", include_str!("conversation.rs")),
    ("confirm", include_str!("confirm.rs")),
    ("errors", include_str!("errors.rs")),
    ("home", include_str!("home.rs")),
    ("queue", include_str!("queue.rs")),
    ("bot_results", include_str!("bot_results.rs")),
    ("session", include_str!("session.rs")),
    ("timeline", include_str!("timeline.rs")),
    ("views", include_str!("views.rs")),
    ("shred", include_str!("shred.rs")),
    ("screening", include_str!("screening.rs")),
    ("locations", include_str!("locations.rs")),
    ("location_words", include_str!("../location_words.rs")),
    ("exit_plan", include_str!("exit_plan.rs")),
    ("handoff", include_str!("handoff.rs")),
    ("holding", include_str!("holding.rs")),
    ("notes", include_str!("notes.rs")),
    ("codename", include_str!("codename.rs")),
    ("conversation_case", include_str!("conversation_case.rs")),
    ("relatives", include_str!("relatives.rs")),
    ("archive", include_str!("archive.rs")),
];

/// Prefixes of the ids handlers name as string literals.
const PREFIXES: &[&str] = &[
    "error",
    "nav",
    "notice",
    "duration",
    "message",
    "who",
    "timeline",
    "note",
    "home",
    "login",
    "queue",
    "botresult",
    "conversation",
    "case",
    "cases",
    "handoffs",
    "users",
    "shred",
    "setup",
    "account",
    "screening",
    "location",
    "map",
    "plan",
    "handoff",
    "package",
    "ops",
    "exit",
    "outcome",
    "report",
    "holding",
];

fn ids_of(source: &str) -> Vec<&str> {
    source
        .lines()
        .filter_map(|l| l.split_once(" = ").map(|(id, _)| id.trim()))
        .filter(|id| !id.starts_with('#') && !id.is_empty() && !id.contains(' '))
        .collect()
}

/// `(file, uk, ru, en)` for each console text file named.
macro_rules! in_three_languages {
    ($($file:literal),* $(,)?) => {
        [$((
            $file,
            include_str!(concat!("../../locales/uk/", $file)),
            include_str!(concat!("../../locales/ru/", $file)),
            include_str!(concat!("../../locales/en/", $file)),
        )),*]
    };
}

/// The console's text files, `(file, uk, ru, en)`.
const CONSOLE_FILES: &[(&str, &str, &str, &str)] = &in_three_languages![
    "console.ftl",
    "account.ftl",
    "flows.ftl",
    "assignment.ftl",
    "screening.ftl",
    "location.ftl",
    "exit_plan.ftl"
];

#[test]
fn all_three_languages_define_the_same_ids() {
    for &(file, uk, ru, en) in CONSOLE_FILES {
        let en = ids_of(en);
        for (tag, other) in [("uk", ids_of(uk)), ("ru", ids_of(ru))] {
            for id in &en {
                assert!(other.contains(id), "{id} is missing in {tag}/{file}");
            }
            for id in &other {
                assert!(en.contains(id), "{id} of {tag}/{file} is missing in en/{file}");
            }
        }
    }
}

/// The Fluent variables (`{ $name }`) of each message, for comparing translations.
fn variables_of(source: &str) -> Vec<(&str, Vec<&str>)> {
    source
        .lines()
        .filter_map(|l| l.split_once(" = "))
        .filter(|(id, _)| !id.starts_with('#') && !id.is_empty() && !id.contains(' '))
        .map(|(id, text)| {
            let mut names: Vec<&str> = text.split("{ $").skip(1).filter_map(|p| p.split([' ', '}']).next()).collect();
            names.sort_unstable();
            (id.trim(), names)
        })
        .collect()
}

#[test]
fn russian_texts_use_the_same_variables_as_english() {
    for &(_, _, ru, en) in CONSOLE_FILES {
        let ru = variables_of(ru);
        for (id, names) in variables_of(en) {
            let translated = ru.iter().find(|(r, _)| *r == id).map(|(_, n)| n);
            assert_eq!(translated, Some(&names), "{id}: the Russian text must use the same variables");
        }
    }
}

fn assert_defined(i18n: &I18n, id: &str, place: &str) {
    for lang in LANGUAGES {
        assert!(i18n.has(lang, id), "{id} (used in {place}) is missing in {lang}");
    }
}

#[test]
fn every_text_the_templates_ask_for_exists() {
    let i18n = crate::i18n::load();
    for (name, source) in TEMPLATES {
        for piece in source.split("t(\"").skip(1) {
            let id = piece.split('"').next().unwrap_or_default();
            assert_defined(&i18n, id, name);
        }
    }
}

#[test]
fn every_text_the_handlers_name_exists() {
    let i18n = crate::i18n::load();
    for (name, source) in SOURCES {
        // Unit tests name ids that must not exist; only the code itself counts.
        let source = source.split("#[cfg(test)]").next().unwrap_or_default();
        for literal in source.split('"').skip(1).step_by(2) {
            let looks_like_id = literal.contains('-')
                && literal.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
                && literal.split('-').next().is_some_and(|p| PREFIXES.contains(&p));
            if looks_like_id {
                assert_defined(&i18n, literal, name);
            }
        }
        for piece in source.split("notice=").skip(1) {
            let key: String = piece.chars().take_while(|c| c.is_ascii_lowercase() || *c == '-').collect();
            if !key.is_empty() {
                assert_defined(&i18n, &format!("notice-{key}"), name);
            }
        }
    }
}

#[test]
fn every_word_of_the_vocabulary_has_a_text() {
    let i18n = crate::i18n::load();
    let mut ids = Vec::new();
    ids.extend(Role::ALL.iter().map(|r| vocab_id("role", r.as_str())));
    ids.extend(Role::ALL.iter().map(|r| vocab_id("home-intro", r.as_str())));
    ids.extend(CaseState::ALL.iter().map(|s| vocab_id("state", s.as_str())));
    ids.extend(CaseState::ALL.iter().filter_map(|s| s.next()).map(|(to, _)| vocab_id("move-to", to.as_str())));
    ids.extend(CloseReason::ALL.iter().map(|r| vocab_id("reason", r.as_str())));
    ids.extend(Channel::ALL.iter().map(|c| vocab_id("channel", c.as_str())));
    ids.extend(Language::ALL.iter().map(|l| vocab_id("language", l.as_str())));
    ids.extend(Sender::ALL.iter().map(|s| vocab_id("sender", s.as_str())));
    ids.extend(["bot", "queued", "assigned", "closed"].map(|s| vocab_id("status", s)));
    ids.extend(["individual", "group"].map(|k| vocab_id("kind", k)));
    ids.extend(safepassage_domain::ShredReason::ALL.iter().map(|r| vocab_id("shred-reason", r.as_str())));
    ids.extend(safepassage_domain::PlanStatus::ALL.iter().map(|s| vocab_id("plan-status", s.as_str())));
    for s in safepassage_domain::OperationsStatus::ALL {
        ids.push(vocab_id("ops-status", s.as_str()));
        ids.push(vocab_id("ops-report", s.as_str()));
    }
    ids.extend(safepassage_domain::ArrivalStatus::ALL.iter().map(|s| vocab_id("outcome-value", s.as_str())));
    ids.extend(safepassage_domain::ExitChoice::ALL.iter().map(|c| vocab_id("outcome-value", c.as_str())));
    ids.extend(["arrival", "guarantees", "choice"].map(|a| format!("outcome-{a}")));
    ids.extend(
        ["outcome-value-explained", "plan-field-rendezvous-description", "plan-field-routes-to-avoid"]
            .map(String::from),
    );
    ids.extend(
        ["rendezvous", "signals", "instructions", "risks", "comment", "reason", "language"]
            .map(|f| format!("plan-field-{f}")),
    );
    let notices = [
        "taken",
        "expired",
        "login-failed",
        "logged-out",
        "closed",
        "already-closed",
        "reply-empty",
        "reply-too-long",
        "case-exists",
        "moved",
        "moved-meanwhile",
        "composition-invalid",
        "composition-saved",
        "user-name-invalid",
        "user-exists",
        "shredded",
        "shredded-already",
        "shred-unconfirmed",
        "flagged",
        "flag-empty",
        "flag-too-long",
    ];
    ids.extend(notices.map(|n| format!("notice-{n}")));
    for id in ids {
        assert_defined(&i18n, &id, "vocabulary");
    }
}
