//! The engine against the reference's behaviour, on small flows written for these tests: query
//! groups kept up to date, error events for missing assets and bad message parts, tickets with
//! a note and an assignee, the step limit on flows entering flows, and dialled calls.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use safepassage_flows::definition::{FlowRef, LoadOptions};
use safepassage_flows::engine::{Assets, Config, Contact, Engine, Event, EventKind, Resume, SessionStatus, Trigger};
use safepassage_flows::ids::SplitMix64;
use safepassage_flows::Env;
use serde_json::{json, Value};

use crate::common::{errors, types};

const FLOW: &str = "0b4e1a52-8d0f-4f5e-9a77-3c2b7f1c9d10";
const CONTACT: &str = "6a1f3e58-2c4d-4b7e-8f90-1d2e3f4a5b6c";

fn env() -> Env {
    Env::new(Utc.with_ymd_and_hms(2025, 6, 1, 9, 0, 0).unwrap())
}

/// A flow of one node holding `actions`, in assets with the given extras (fields, groups, …).
fn assets_with(actions: Value, flow_type: &str, extra: Value) -> Assets {
    let mut v = json!({"flows": [{
        "uuid": FLOW, "name": "Parity", "spec_version": "14.4.2", "language": "eng", "type": flow_type,
        "nodes": [{"uuid": "1c7e2b8d-0a3f-4e5d-9b6c-7d8e9f0a1b2c", "actions": actions,
                   "exits": [{"uuid": "2d8f3c9e-1b4a-4f6e-8c7d-8e9f0a1b2c3d"}]}]}]});
    if let (Some(m), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        for (k, val) in e {
            m.insert(k.clone(), val.clone());
        }
    }
    Assets::from_json(&v, &LoadOptions::default())
}

fn action(n: u32, body: Value) -> Value {
    let mut a = body;
    a["uuid"] = json!(format!("3e9a4d0f-2c5b-4a7f-9d8e-{n:012}"));
    a
}

fn run(assets: &Assets, contact: Contact) -> (Vec<Event>, safepassage_flows::engine::Session) {
    let engine = Engine::new(Config::default());
    let mut rng = SplitMix64::new(11);
    let started =
        engine.start(assets, &env(), contact, Trigger::manual(FlowRef::new(FLOW, "Parity")), &mut rng).unwrap();
    (started.events, started.session)
}

fn group_changes(events: &[Event]) -> Vec<(Vec<String>, Vec<String>)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ContactGroupsChanged { groups_added, groups_removed } => Some((
                groups_added.iter().map(|g| g.name.clone()).collect(),
                groups_removed.iter().map(|g| g.name.clone()).collect(),
            )),
            _ => None,
        })
        .collect()
}

fn smart_assets(actions: Value) -> Assets {
    assets_with(
        actions,
        "messaging",
        json!({
            "fields": [{"key": "age", "name": "Age", "type": "number"}, {"key": "town", "name": "Town", "type": "text"}],
            "groups": [
                {"uuid": "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "name": "Adults", "query": "age >= 18"},
                {"uuid": "8b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e", "name": "Anas in Kigali", "query": "name ~ ana AND town = kigali"},
                {"uuid": "9c3d4e5f-6a7b-4c8d-0e9f-1a2b3c4d5e6f", "name": "Speakers of French", "query": "language = fra"},
                {"uuid": "0d4e5f6a-7b8c-4d9e-8f0a-2b3c4d5e6f7a", "name": "Broken", "query": "shoe_size > 3"},
                {"uuid": "1e5f6a7b-8c9d-4e0f-9a1b-3c4d5e6f7a8b", "name": "Volunteers"}
            ]
        }),
    )
}

#[test]
fn query_groups_follow_field_name_and_language_changes() {
    let assets = smart_assets(json!([
        action(1, json!({"type": "set_contact_field", "field": {"key": "age", "name": "Age"}, "value": "20"})),
        action(2, json!({"type": "set_contact_field", "field": {"key": "town", "name": "Town"}, "value": "Kigali"})),
        action(3, json!({"type": "set_contact_name", "name": "Ana Uwase"})),
        action(4, json!({"type": "set_contact_language", "language": "fra"})),
        action(5, json!({"type": "set_contact_field", "field": {"key": "age", "name": "Age"}, "value": "12"})),
    ]));
    let (events, session) = run(&assets, Contact::anonymous(CONTACT, "eng"));
    assert_eq!(
        types(&events),
        [
            "run_started",
            "contact_field_changed",
            "contact_groups_changed",
            "contact_field_changed",
            "contact_name_changed",
            "contact_groups_changed",
            "contact_language_changed",
            "contact_groups_changed",
            "contact_field_changed",
            "contact_groups_changed",
            "run_ended"
        ]
    );
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        group_changes(&events),
        [
            (s(&["Adults"]), s(&[])),
            (s(&["Anas in Kigali"]), s(&[])),
            (s(&["Speakers of French"]), s(&[])),
            (s(&[]), s(&["Adults"]))
        ]
    );
    let names: Vec<&str> = session.contact.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(names, ["Anas in Kigali", "Speakers of French"]);
}

#[test]
fn query_groups_are_made_right_when_a_session_starts() {
    let assets = smart_assets(json!([action(1, json!({"type": "send_msg", "text": "Hello"}))]));
    let mut contact = Contact::anonymous(CONTACT, "eng");
    contact.fields.insert("age".into(), json!({"text": "40", "number": 40}));
    contact.groups.push(
        serde_json::from_value(json!({"uuid": "9c3d4e5f-6a7b-4c8d-0e9f-1a2b3c4d5e6f", "name": "Speakers of French"}))
            .unwrap(),
    );
    let (events, session) = run(&assets, contact);
    assert_eq!(types(&events)[..2], ["contact_groups_changed", "run_started"]);
    assert_eq!(group_changes(&events), [(vec!["Adults".to_string()], vec!["Speakers of French".to_string()])]);
    assert_eq!(session.contact.groups.len(), 1);
}

#[test]
fn a_blocked_contact_leaves_every_group() {
    let assets = smart_assets(json!([
        action(
            1,
            json!({"type": "add_contact_groups", "groups": [{"uuid": "1e5f6a7b-8c9d-4e0f-9a1b-3c4d5e6f7a8b", "name": "Volunteers"}]})
        ),
        action(2, json!({"type": "set_contact_status", "status": "blocked"})),
    ]));
    let mut contact = Contact::anonymous(CONTACT, "eng");
    contact.fields.insert("age".into(), json!({"text": "40", "number": 40}));
    contact.groups.push(
        serde_json::from_value(json!({"uuid": "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "name": "Adults"})).unwrap(),
    );
    let (events, session) = run(&assets, contact);
    let changes = group_changes(&events);
    assert_eq!(changes[0], (vec!["Volunteers".to_string()], vec![]));
    assert_eq!(changes[1], (vec![], vec!["Adults".to_string(), "Volunteers".to_string()]));
    assert!(session.contact.groups.is_empty());
}

#[test]
fn missing_groups_fields_and_labels_are_errors() {
    let assets = smart_assets(json!([
        action(
            1,
            json!({"type": "add_contact_groups", "groups": [{"uuid": "5f0a1b2c-3d4e-4f5a-8b6c-7d8e9f0a1b2c", "name": "Gone"}]})
        ),
        action(
            2,
            json!({"type": "remove_contact_groups", "groups": [{"uuid": "5f0a1b2c-3d4e-4f5a-8b6c-7d8e9f0a1b2c", "name": "Gone"}]})
        ),
        action(
            3,
            json!({"type": "set_contact_field", "field": {"key": "shoe_size", "name": "Shoe size"}, "value": "42"})
        ),
        action(4, json!({"type": "add_contact_groups", "groups": [{"name_match": "@(\"no\" & \"body\")"}]})),
        action(
            5,
            json!({"type": "add_contact_groups", "groups": [{"uuid": "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "name": "Adults"}]})
        ),
    ]));
    let (events, session) = run(&assets, Contact::anonymous(CONTACT, "eng"));
    assert_eq!(types(&events), ["run_started", "error", "error", "error", "error", "error", "run_ended"]);
    let errs = errors(&events);
    assert!(errs[0].starts_with("missing dependency: group["), "{errs:?}");
    assert!(errs[2].starts_with("missing dependency: field[key=shoe_size"), "{errs:?}");
    assert_eq!(errs[3], "no such group with name 'nobody'");
    assert!(errs[4].contains("query based group"), "{errs:?}");
    assert!(session.contact.fields.is_empty() && session.contact.groups.is_empty());
}

#[test]
fn bad_templates_and_quick_replies_give_errors() {
    let long = "a".repeat(80);
    let assets = assets_with(
        json!([action(
            1,
            json!({"type": "send_msg", "text": "Sum: @(1 + \"x\")", "quick_replies": ["Yes", "@(\"\")", long],
                   "attachments": ["@(\"\")", "image/png:https://example.org/a.png"]})
        )]),
        "messaging",
        json!({}),
    );
    let (events, _) = run(&assets, Contact::anonymous(CONTACT, "eng"));
    let errs = errors(&events);
    assert!(errs.iter().any(|e| e == "attachment evaluated to invalid value, skipping"), "{errs:?}");
    assert!(errs.iter().any(|e| e == "quick reply evaluated to empty string, skipping"), "{errs:?}");
    assert!(errs.len() >= 3, "{errs:?}");
    let msg = events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::MsgCreated { msg } => Some(msg.clone()),
            _ => None,
        })
        .unwrap();
    let replies: Vec<&str> = msg.quick_replies.iter().map(|q| q.text.as_str()).collect();
    assert_eq!(replies, ["Yes", &format!("{}...", "a".repeat(61))]);
    assert_eq!(msg.attachments, ["image/png:https://example.org/a.png"]);
}

#[test]
fn tickets_carry_their_note_assignee_and_result() {
    let assets = assets_with(
        json!([action(
            1,
            json!({"type": "open_ticket", "topic": null, "note": "Caller said: @(upper(\"help\"))",
                   "assignee": {"email": "amina@example.org", "name": "Amina"}, "result_name": "Ticket"})
        )]),
        "messaging",
        json!({"topics": [{"uuid": "6a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d", "name": "Urgent"},
                          {"uuid": "7b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e", "name": "General"}],
               "users": [{"uuid": "8c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f", "email": "amina@example.org", "name": "Amina"}]}),
    );
    let (events, session) = run(&assets, Contact::anonymous(CONTACT, "eng"));
    assert_eq!(
        types(&events),
        ["run_started", "ticket_opened", "ticket_note_added", "run_result_changed", "run_ended"]
    );
    let EventKind::TicketOpened { ticket, note } = &events[1].kind else { panic!() };
    assert_eq!(note.as_deref(), Some("Caller said: HELP"));
    let EventKind::TicketNoteAdded { ticket_uuid, note } = &events[2].kind else { panic!() };
    assert_eq!((ticket_uuid.as_str(), note.as_str()), (ticket.uuid.as_str(), "Caller said: HELP"));
    assert_eq!(ticket.topic.as_ref().unwrap().name, "General");
    // A user with a UUID is referred to by UUID and name, as the reference does.
    assert_eq!(ticket.assignee.as_ref().unwrap()["uuid"], "8c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f");
    assert_eq!(ticket.assignee.as_ref().unwrap()["name"], "Amina");
    assert_eq!(session.runs[0].results["ticket"].category, "Success");
    assert_eq!(session.runs[0].results["ticket"].value, ticket.uuid);

    let missing = assets_with(
        json!([action(
            1,
            json!({"type": "open_ticket", "topic": {"uuid": "9d3e4f5a-6b7c-4d8e-9f0a-1b2c3d4e5f6a", "name": "Gone"},
                                "assignee": {"email": "nobody@example.org", "name": "Nobody"}, "note": "x", "result_name": "Ticket"})
        )]),
        "messaging",
        json!({}),
    );
    let (events, session) = run(&missing, Contact::anonymous(CONTACT, "eng"));
    assert_eq!(types(&events), ["run_started", "error", "error", "run_result_changed", "run_ended"]);
    assert_eq!(session.runs[0].results["ticket"].category, "Failure");
    assert!(session.contact.tickets.is_empty());
}

#[test]
fn entering_flows_without_end_fails_the_session_on_the_step_limit() {
    let v = json!({"flows": [{"uuid": FLOW, "name": "Again", "spec_version": "14.4.2", "language": "eng",
        "type": "messaging", "nodes": [{"uuid": "3bd19c40-1114-4b83-b12e-f0c38054ba3f",
            "actions": [{"uuid": "9ad71fc4-c2f8-4aab-a193-7bafad172ca0", "type": "enter_flow", "flow": {"uuid": FLOW, "name": "Again"}}],
            "exits": [{"uuid": "e80bc037-3b57-45b5-9f19-a8346a475578"}]}]}]});
    let assets = Assets::from_json(&v, &LoadOptions::default());
    let (events, session) = run(&assets, Contact::anonymous(CONTACT, "eng"));
    assert_eq!(session.status, SessionStatus::Failed);
    let t = types(&events);
    let started = t.iter().filter(|x| *x == "run_started").count();
    let ended = t.iter().filter(|x| *x == "run_ended").count();
    assert_eq!((started, ended), (101, 101));
    let failures: Vec<&Event> = events.iter().filter(|e| e.type_name() == "failure").collect();
    assert_eq!(failures.len(), 1);
    let EventKind::Failure { text } = &failures[0].kind else { panic!() };
    assert_eq!(text, "reached maximum number of steps per sprint (100)");
}

fn dial_assets(phone: &str) -> Assets {
    let v = json!({"flows": [{"uuid": FLOW, "name": "Forward", "spec_version": "14.4.2", "language": "eng", "type": "voice",
        "nodes": [{"uuid": "4f0a1b2c-3d4e-4f5a-9b6c-7d8e9f0a1b2c",
            "router": {"type": "switch", "operand": "@resume.dial.status", "result_name": "Call",
                "wait": {"type": "dial", "phone": phone, "dial_limit_seconds": 30, "call_limit_seconds": 600},
                "cases": [{"uuid": "5a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", "type": "has_only_text", "arguments": ["answered"],
                           "category_uuid": "6b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e"}],
                "categories": [{"uuid": "6b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e", "name": "Answered", "exit_uuid": "7c3d4e5f-6a7b-4c8d-8e9f-0a1b2c3d4e5f"},
                               {"uuid": "8d4e5f6a-7b8c-4d9e-9f0a-1b2c3d4e5f6a", "name": "Other", "exit_uuid": "9e5f6a7b-8c9d-4e0f-8a1b-2c3d4e5f6a7b"}],
                "default_category_uuid": "8d4e5f6a-7b8c-4d9e-9f0a-1b2c3d4e5f6a"},
            "exits": [{"uuid": "7c3d4e5f-6a7b-4c8d-8e9f-0a1b2c3d4e5f"}, {"uuid": "9e5f6a7b-8c9d-4e0f-8a1b-2c3d4e5f6a7b"}]}]}]});
    Assets::from_json(&v, &LoadOptions::default())
}

#[test]
fn dialled_calls_wait_and_resume_with_their_result() {
    let assets = dial_assets("@(\"+1 555 000\" & \"-1111\")");
    let engine = Engine::new(Config::default());
    let mut rng = SplitMix64::new(12);
    let started = engine
        .start(&assets, &env(), Contact::anonymous(CONTACT, "eng"), Trigger::manual(FlowRef::new(FLOW, "")), &mut rng)
        .unwrap();
    assert_eq!(types(&started.events), ["run_started", "dial_wait"]);
    let EventKind::DialWait { urn, dial_limit_seconds, call_limit_seconds, expires_on } = &started.events[1].kind
    else {
        panic!()
    };
    assert_eq!(urn, "tel:+15550001111");
    assert_eq!((*dial_limit_seconds, *call_limit_seconds), (Some(30), Some(600)));
    assert_eq!(expires_on.as_deref(), Some("2025-06-01T09:11:00.000000Z"));
    let mut session = started.session;
    assert!(engine.resume(&assets, &env(), &mut session, Resume::WaitTimeout, &mut rng).is_err());
    let events = engine
        .resume(&assets, &env(), &mut session, Resume::Dial { status: "answered".into(), duration: 42 }, &mut rng)
        .unwrap();
    assert_eq!(types(&events), ["dial_ended", "run_result_changed", "run_ended"]);
    assert_eq!(session.runs[0].results["call"].category, "Answered");
    assert_eq!(session.status, SessionStatus::Completed);

    let bad = dial_assets("not a number");
    let started = engine
        .start(&bad, &env(), Contact::anonymous(CONTACT, "eng"), Trigger::manual(FlowRef::new(FLOW, "")), &mut rng)
        .unwrap();
    let t = types(&started.events);
    assert_eq!(t[..2], ["run_started", "error"]);
    assert!(!t.contains(&"dial_wait".to_string()));
    assert!(errors(&started.events)[0].contains("not a valid phone number"));
    assert_eq!(started.session.runs[0].results["call"].category, "Other");
}
