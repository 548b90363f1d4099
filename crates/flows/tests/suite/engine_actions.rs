//! Actions, routers and resumes as the reference runs them, on small flows written for these
//! tests: message templates, quick reply extras, voice actions that have nothing to play, URNs
//! added in normal form, tickets (batch starts, one open ticket, query groups on tickets),
//! webhook URLs checked before a call, routers with no category, `@contact` as text, the time a
//! contact was last seen, contact queries that are a phone number, and expiries.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use safepassage_flows::definition::{FlowRef, LoadOptions};
use safepassage_flows::engine::{
    Assets, Config, Contact, Engine, Event, EventKind, HttpRequest, HttpResponse, MsgIn, Resume, RunStatus,
    SessionStatus, Trigger, WebhookService,
};
use safepassage_flows::ids::SplitMix64;
use safepassage_flows::Env;
use serde_json::{json, Value};

use crate::common::{errors, types};

const FLOW: &str = "5f0c2a61-9e1d-4a6f-8b88-4d3c8a2d0e21";
const CONTACT: &str = "7b2a4f69-3d5e-4c8f-9a01-2e3f4a5b6c7d";
const CHANNEL: &str = "a1b2c3d4-0000-4e5f-8a9b-0c1d2e3f4a5b";

fn env() -> Env {
    let mut env = Env::new(Utc.with_ymd_and_hms(2025, 7, 1, 8, 30, 0).unwrap());
    env.allowed_languages = vec!["eng".into(), "ukr".into()];
    env.default_country = Some("RW".into());
    env
}

/// One node holding `actions` in a flow of `flow_type`, in assets with the given extras.
fn assets_with(actions: Value, flow_type: &str, extra: Value) -> Assets {
    let mut v = json!({"flows": [{
        "uuid": FLOW, "name": "Actions", "spec_version": "14.4.2", "language": "eng", "type": flow_type,
        "nodes": [{"uuid": "2a8d3b9e-1c4f-4e6a-9b7c-8d9e0f1a2b3c", "actions": actions,
                   "exits": [{"uuid": "3b9e4c0f-2d5a-4f7b-8c8d-9e0f1a2b3c4d"}]}]}],
        "channels": [{"uuid": CHANNEL, "name": "Helpline", "address": "+250788000111", "schemes": ["tel"],
                      "roles": ["send", "receive"], "country": "RW"}]});
    if let (Some(m), Some(e)) = (v.as_object_mut(), extra.as_object()) {
        for (k, val) in e {
            m.insert(k.clone(), val.clone());
        }
    }
    Assets::from_json(&v, &LoadOptions::allowing(["call_webhook"]))
}

fn action(n: u32, body: Value) -> Value {
    let mut a = body;
    a["uuid"] = json!(format!("4c0f5d1a-3e6b-4a8c-9d9e-{n:012}"));
    a
}

fn contact(language: &str) -> Contact {
    let mut c = Contact::anonymous(CONTACT, language);
    c.name = "Oksana".into();
    c.urns = vec![format!("tel:+250788123456?channel={CHANNEL}")];
    c
}

fn start_with(
    engine: &Engine,
    assets: &Assets,
    contact: Contact,
    trigger: Trigger,
) -> (Vec<Event>, safepassage_flows::engine::Session) {
    let mut rng = SplitMix64::new(21);
    let started = engine.start(assets, &env(), contact, trigger, &mut rng).unwrap();
    (started.events, started.session)
}

fn run(assets: &Assets, contact: Contact) -> (Vec<Event>, safepassage_flows::engine::Session) {
    start_with(&Engine::new(Config::default()), assets, contact, Trigger::manual(FlowRef::new(FLOW, "Actions")))
}

fn sent(events: &[Event]) -> Vec<safepassage_flows::engine::MsgOut> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::MsgCreated { msg } | EventKind::IvrCreated { msg } => Some(msg.clone()),
            _ => None,
        })
        .collect()
}

fn template_assets(actions: Value) -> Assets {
    assets_with(
        actions,
        "messaging",
        json!({"templates": [{"uuid": "b3c4d5e6-1111-4a2b-8c3d-4e5f6a7b8c9d", "name": "appointment",
            "translations": [
                {"channel": {"uuid": CHANNEL, "name": "Helpline"}, "locale": "eng-RW",
                 "components": [{"name": "header", "type": "header/text", "content": "Reminder", "variables": {}},
                                {"name": "body", "type": "body/text", "content": "{{1}}, your visit is on {{2}}.", "variables": {"1": 0, "2": 1}},
                                {"name": "button.0", "type": "button/quick_reply", "content": "{{1}}", "variables": {"1": 2}}],
                 "variables": [{"type": "text"}, {"type": "text"}, {"type": "text"}]},
                {"channel": {"uuid": CHANNEL, "name": "Helpline"}, "locale": "ukr",
                 "components": [{"name": "body", "type": "body/text", "content": "{{1}}, візит {{2}}.", "variables": {"1": 0, "2": 1}}],
                 "variables": [{"type": "text"}, {"type": "text"}]}]}]}),
    )
}

#[test]
fn a_message_naming_a_template_is_sent_as_its_translation() {
    let assets = template_assets(json!([action(
        1,
        json!({"type": "send_msg", "text": "Your visit is on Monday", "quick_replies": ["OK"],
               "template": {"uuid": "b3c4d5e6-1111-4a2b-8c3d-4e5f6a7b8c9d", "name": "appointment"},
               "template_variables": ["@contact.name", "Monday", "Confirm"]})
    )]));
    let (events, _) = run(&assets, contact("eng"));
    let msg = &sent(&events)[0];
    assert_eq!(msg.text, "Reminder\n\nOksana, your visit is on Monday.");
    assert_eq!(msg.quick_replies.iter().map(|q| q.text.as_str()).collect::<Vec<_>>(), ["Confirm"]);
    // The contact's language picks the translation.
    let (events, _) = run(&assets, contact("ukr"));
    assert_eq!(sent(&events)[0].text, "Oksana, візит Monday.");
    // A template the assets lack leaves the message as written.
    let plain = assets_with(
        json!([action(
            1,
            json!({"type": "send_msg", "text": "As written",
                                 "template": {"uuid": "c4d5e6f7-2222-4b3c-9d4e-5f6a7b8c9d0e", "name": "gone"}})
        )]),
        "messaging",
        json!({}),
    );
    let (events, _) = run(&plain, contact("eng"));
    assert_eq!(sent(&events)[0].text, "As written");
}

#[test]
fn quick_replies_carry_their_extra_and_are_cut() {
    let assets = assets_with(
        json!([action(
            1,
            json!({"type": "send_msg", "text": "Pick one",
                                 "quick_replies": ["Clinic<extra>Open 8 to 5", "@(repeat(\"ab\", 40))"]})
        )]),
        "messaging",
        json!({}),
    );
    let (events, _) = run(&assets, contact("eng"));
    let qrs = &sent(&events)[0].quick_replies;
    assert_eq!((qrs[0].text.as_str(), qrs[0].extra.as_deref()), ("Clinic", Some("Open 8 to 5")));
    assert_eq!(qrs[1].text.chars().count(), 64);
    assert!(qrs[1].text.ends_with("..."));
    assert_eq!(qrs[1].extra, None);
}

#[test]
fn voice_actions_with_nothing_to_play_report_an_error() {
    let assets = assets_with(
        json!([
            action(1, json!({"type": "say_msg", "text": "@(\"\")"})),
            action(2, json!({"type": "play_audio", "audio_url": "https://example.org/@(1 / 0).mp3"})),
            action(3, json!({"type": "say_msg", "text": "Welcome, @contact.name"}))
        ]),
        "voice",
        json!({}),
    );
    let (events, _) = run(&assets, contact("eng"));
    assert_eq!(types(&events), ["run_started", "error", "error", "ivr_created", "run_ended"]);
    assert_eq!(sent(&events)[0].text, "Welcome, Oksana");
}

#[test]
fn urns_are_added_in_normal_form_and_named_in_a_local() {
    let assets = assets_with(
        json!([
            action(1, json!({"type": "add_contact_urn", "scheme": "tel", "path": " 0788 765 432 "})),
            action(2, json!({"type": "add_contact_urn", "scheme": "telegram", "path": "not-a-number"})),
            action(3, json!({"type": "add_contact_urn", "scheme": "tel", "path": "+250788123456"})),
            action(4, json!({"type": "send_msg", "text": "@locals._has_urn"}))
        ]),
        "messaging",
        json!({}),
    );
    let (events, session) = run(&assets, contact("eng"));
    assert_eq!(types(&events), ["run_started", "contact_urns_changed", "error", "msg_created", "run_ended"]);
    assert!(session.contact.urns.contains(&"tel:+250788765432".to_string()));
    // The number the contact already has is not added twice; the local names it.
    assert_eq!(sent(&events)[0].text, "tel:+250788123456");
    assert_eq!(session.runs[0].locals["_has_urn"], "tel:+250788123456");
}

fn ticket_assets() -> Assets {
    assets_with(
        json!([action(1, json!({"type": "open_ticket", "topic": null, "note": "Needs a call back"}))]),
        "messaging",
        json!({"topics": [{"uuid": "d5e6f7a8-3333-4c4d-8e5f-6a7b8c9d0e1f", "name": "General"}],
               "groups": [{"uuid": "e6f7a8b9-4444-4d5e-9f6a-7b8c9d0e1f2a", "name": "Awaiting a person", "query": "tickets > 0"}]}),
    )
}

#[test]
fn an_opened_ticket_adds_its_note_and_moves_query_groups() {
    let (events, session) = run(&ticket_assets(), contact("eng"));
    assert_eq!(
        types(&events),
        ["run_started", "ticket_opened", "ticket_note_added", "contact_groups_changed", "run_ended"]
    );
    assert_eq!(session.contact.groups[0].name, "Awaiting a person");
    assert_eq!(session.runs[0].locals["_new_ticket"], session.contact.tickets[0].uuid);
}

#[test]
fn no_ticket_is_opened_in_a_batch_start_or_beside_an_open_one() {
    let assets = ticket_assets();
    let engine = Engine::new(Config::default());
    let mut batch = Trigger::manual(FlowRef::new(FLOW, "Actions"));
    batch.extra.insert("batch".into(), json!(true));
    let (events, session) = start_with(&engine, &assets, contact("eng"), batch);
    assert_eq!(types(&events), ["run_started", "error", "run_ended"]);
    assert!(session.contact.tickets.is_empty());
    assert_eq!(session.runs[0].locals["_new_ticket"], "");

    let (_, first) = run(&assets, contact("eng"));
    let (events, second) = run(&assets, first.contact.clone());
    assert_eq!(types(&events), ["run_started", "run_ended"]);
    assert_eq!(second.contact.tickets.len(), 1);
}

struct Recorder(std::sync::Mutex<Vec<String>>);

impl WebhookService for Recorder {
    fn call(&self, request: &HttpRequest) -> HttpResponse {
        if let Ok(mut calls) = self.0.lock() {
            calls.push(request.url.clone());
        }
        HttpResponse { status: 200, body: "{}".into() }
    }
}

#[test]
fn a_webhook_url_that_is_empty_or_not_a_url_is_not_called() {
    let assets = assets_with(
        json!([
            action(1, json!({"type": "call_webhook", "method": "GET", "url": "@(\"\")"})),
            action(2, json!({"type": "call_webhook", "method": "GET", "url": "@(\"no-scheme/path\")"})),
            action(3, json!({"type": "call_webhook", "method": "GET", "url": "https://example.org/ok"}))
        ]),
        "messaging",
        json!({}),
    );
    let recorder = std::sync::Arc::new(Recorder(std::sync::Mutex::new(Vec::new())));
    struct Shared(std::sync::Arc<Recorder>);
    impl WebhookService for Shared {
        fn call(&self, request: &HttpRequest) -> HttpResponse {
            self.0.call(request)
        }
    }
    let engine = Engine::new(Config::default()).with_webhooks(Box::new(Shared(recorder.clone())));
    let (events, _) = start_with(&engine, &assets, contact("eng"), Trigger::manual(FlowRef::new(FLOW, "Actions")));
    assert_eq!(types(&events), ["run_started", "error", "error", "webhook_called", "run_ended"]);
    assert_eq!(*recorder.0.lock().unwrap(), ["https://example.org/ok"]);
}

#[test]
fn a_router_that_picks_no_category_fails_the_run() {
    let v = json!({"flows": [{
        "uuid": FLOW, "name": "Actions", "spec_version": "14.4.2", "language": "eng", "type": "messaging",
        "nodes": [{"uuid": "5d1a6e2b-4f7c-4b9d-8e0f-1a2b3c4d5e6f",
                   "router": {"type": "switch", "operand": "@(\"maybe\")", "result_name": "Answer",
                              "cases": [{"uuid": "6e2b7f3c-5a8d-4c0e-9f1a-2b3c4d5e6f7a", "type": "has_any_word",
                                         "arguments": ["yes"], "category_uuid": "7f3c8a4d-6b9e-4d1f-8a2b-3c4d5e6f7a8b"}],
                              "categories": [{"uuid": "7f3c8a4d-6b9e-4d1f-8a2b-3c4d5e6f7a8b", "name": "Yes",
                                              "exit_uuid": "8a4d9b5e-7c0f-4e2a-9b3c-4d5e6f7a8b9c"}]},
                   "exits": [{"uuid": "8a4d9b5e-7c0f-4e2a-9b3c-4d5e6f7a8b9c"}]}]}]});
    let assets = Assets::from_json(&v, &LoadOptions::default());
    let (events, session) = run(&assets, contact("eng"));
    assert_eq!(types(&events), ["run_started", "failure", "run_ended"]);
    assert_eq!(session.status, SessionStatus::Failed);
    assert_eq!(session.runs[0].status, RunStatus::Failed);
}

#[test]
fn contact_reads_as_its_name_or_its_urn() {
    let assets =
        assets_with(json!([action(1, json!({"type": "send_msg", "text": "Hello @contact"}))]), "messaging", json!({}));
    let (events, _) = run(&assets, contact("eng"));
    assert_eq!(sent(&events)[0].text, "Hello Oksana");
    let mut nameless = contact("eng");
    nameless.name.clear();
    nameless.urns = vec!["telegram:555000111".into()];
    let (events, _) = run(&assets, nameless);
    assert_eq!(sent(&events)[0].text, "Hello 555000111");
}

#[test]
fn a_message_that_starts_a_session_marks_the_contact_seen() {
    let assets = assets_with(
        json!([action(1, json!({"type": "send_msg", "text": "Hi"}))]),
        "messaging",
        json!({"groups": [{"uuid": "f7a8b9c0-5555-4e6f-8a7b-8c9d0e1f2a3b", "name": "Seen lately", "query": "last_seen_on > 2025-01-01"}]}),
    );
    let msg = MsgIn { uuid: "0e1f2a3b-6666-4f7a-9b8c-9d0e1f2a3b4c".into(), text: "hello".into(), ..Default::default() };
    let trigger = Trigger::msg(FlowRef::new(FLOW, "Actions"), msg);
    let (events, session) = start_with(&Engine::new(Config::default()), &assets, contact("eng"), trigger);
    assert!(session.contact.last_seen_on.as_deref().is_some_and(|s| s.starts_with("2025-07-01T08:30:00")));
    assert_eq!(types(&events)[0], "contact_groups_changed");
}

#[test]
fn a_query_that_is_a_phone_number_matches_the_tel_urn() {
    use safepassage_flows::contactql::{parse_in, PropType};
    let q = parse_in("0788 123 456", Some("RW")).unwrap();
    let c = &q.conditions()[0];
    assert_eq!((c.prop_type, c.key.as_str(), c.value.as_str()), (PropType::Urn, "tel", "+250788123456"));
    assert_eq!(q.to_string(), "urns.tel = \"+250788123456\"");
    // Anything else is read as before: a name.
    let q = parse_in("Oksana", Some("RW")).unwrap();
    assert_eq!(q.conditions()[0].key, "name");
    // As a group's query, it keeps the contacts with that number.
    let assets = assets_with(
        json!([]),
        "messaging",
        json!({"groups": [{"uuid": "a8b9c0d1-7777-4f0a-8b1c-2d3e4f5a6b7c", "name": "Known number", "query": "(0788) 123-456"}]}),
    );
    let (events, session) = run(&assets, contact("eng"));
    assert_eq!(types(&events)[0], "contact_groups_changed");
    assert_eq!(session.contact.groups[0].name, "Known number");
}

fn nested_assets() -> Assets {
    let ask = |node: &str, case: &str, cat: &str, exit: &str, text: &str| {
        json!([{"uuid": node, "actions": [{"uuid": case, "type": "send_msg", "text": text}],
                "router": {"type": "switch", "operand": "@input.text", "wait": {"type": "msg"}, "cases": [],
                           "categories": [{"uuid": cat, "name": "All", "exit_uuid": exit}],
                           "default_category_uuid": cat},
                "exits": [{"uuid": exit}]}])
    };
    let mut parent_nodes = vec![json!({"uuid": "b9c0d1e2-0001-4a1b-8c2d-3e4f5a6b7c8d",
        "actions": [{"uuid": "b9c0d1e2-0002-4a1b-8c2d-3e4f5a6b7c8d", "type": "enter_flow",
                     "flow": {"uuid": "c0d1e2f3-0000-4b2c-9d3e-4f5a6b7c8d9e", "name": "Child"}}],
        "router": {"type": "switch", "operand": "@child.status",
                   "cases": [{"uuid": "b9c0d1e2-0003-4a1b-8c2d-3e4f5a6b7c8d", "type": "has_only_text", "arguments": ["expired"],
                              "category_uuid": "b9c0d1e2-0004-4a1b-8c2d-3e4f5a6b7c8d"}],
                   "categories": [{"uuid": "b9c0d1e2-0004-4a1b-8c2d-3e4f5a6b7c8d", "name": "Expired", "exit_uuid": "b9c0d1e2-0005-4a1b-8c2d-3e4f5a6b7c8d"},
                                  {"uuid": "b9c0d1e2-0006-4a1b-8c2d-3e4f5a6b7c8d", "name": "Other", "exit_uuid": "b9c0d1e2-0007-4a1b-8c2d-3e4f5a6b7c8d"}],
                   "default_category_uuid": "b9c0d1e2-0006-4a1b-8c2d-3e4f5a6b7c8d"},
        "exits": [{"uuid": "b9c0d1e2-0005-4a1b-8c2d-3e4f5a6b7c8d", "destination_uuid": "b9c0d1e2-0008-4a1b-8c2d-3e4f5a6b7c8d"},
                  {"uuid": "b9c0d1e2-0007-4a1b-8c2d-3e4f5a6b7c8d"}]})];
    parent_nodes.extend(
        ask(
            "b9c0d1e2-0008-4a1b-8c2d-3e4f5a6b7c8d",
            "b9c0d1e2-0009-4a1b-8c2d-3e4f5a6b7c8d",
            "b9c0d1e2-000a-4a1b-8c2d-3e4f5a6b7c8d",
            "b9c0d1e2-000b-4a1b-8c2d-3e4f5a6b7c8d",
            "Still there? Tell us how to reach you.",
        )
        .as_array()
        .cloned()
        .unwrap_or_default(),
    );
    let v = json!({"flows": [
        {"uuid": FLOW, "name": "Parent", "spec_version": "14.4.2", "language": "eng", "type": "messaging", "nodes": parent_nodes},
        {"uuid": "c0d1e2f3-0000-4b2c-9d3e-4f5a6b7c8d9e", "name": "Child", "spec_version": "14.4.2", "language": "eng", "type": "messaging",
         "nodes": ask("c0d1e2f3-0001-4b2c-9d3e-4f5a6b7c8d9e", "c0d1e2f3-0002-4b2c-9d3e-4f5a6b7c8d9e", "c0d1e2f3-0003-4b2c-9d3e-4f5a6b7c8d9e",
                      "c0d1e2f3-0004-4b2c-9d3e-4f5a6b7c8d9e", "Which town are you in?")}]});
    Assets::from_json(&v, &LoadOptions::default())
}

#[test]
fn an_expired_sub_flow_hands_back_to_its_parent_when_configured_as_the_reference() {
    let assets = nested_assets();
    let mut rng = SplitMix64::new(5);
    let trigger = || Trigger::manual(FlowRef::new(FLOW, "Parent"));
    // The platform's default: the whole session expires.
    let engine = Engine::new(Config::default());
    let mut s = engine.start(&assets, &env(), contact("eng"), trigger(), &mut rng).unwrap().session;
    let events = engine.resume(&assets, &env(), &mut s, Resume::Expiration, &mut rng).unwrap();
    assert_eq!(types(&events), ["run_ended", "run_ended"]);
    assert_eq!(s.status, SessionStatus::Expired);

    // The reference's: the child expires, the parent routes on it and asks again.
    let engine = Engine::new(Config { expiry_resumes_parent: true, ..Config::default() });
    let mut s = engine.start(&assets, &env(), contact("eng"), trigger(), &mut rng).unwrap().session;
    let events = engine.resume(&assets, &env(), &mut s, Resume::Expiration, &mut rng).unwrap();
    assert_eq!(types(&events), ["run_ended", "msg_created", "msg_wait"]);
    assert_eq!(sent(&events)[0].text, "Still there? Tell us how to reach you.");
    assert_eq!(s.status, SessionStatus::Waiting);
    assert_eq!((s.runs[0].status, s.runs[1].status), (RunStatus::Waiting, RunStatus::Expired));
    // Its own expiry then completes the session.
    let events = engine.resume(&assets, &env(), &mut s, Resume::Expiration, &mut rng).unwrap();
    assert_eq!(types(&events), ["run_ended"]);
    assert_eq!(s.status, SessionStatus::Completed);
}

#[test]
fn a_group_name_whose_expression_fails_matches_nothing() {
    let assets = assets_with(
        json!([action(1, json!({"type": "add_contact_groups", "groups": [{"name_match": "Volunteers@(1 / 0)"}]}))]),
        "messaging",
        json!({"groups": [{"uuid": "d1e2f3a4-8888-4a1b-9c2d-3e4f5a6b7c8d", "name": "Volunteers"}]}),
    );
    let (events, session) = run(&assets, contact("eng"));
    assert_eq!(types(&events), ["run_started", "error", "run_ended"]);
    assert_eq!(errors(&events).len(), 1);
    assert!(session.contact.groups.is_empty());
}

#[test]
fn a_ticket_assignee_given_as_an_email_expression_is_looked_up() {
    let assets = assets_with(
        json!([action(
            1,
            json!({"type": "open_ticket", "topic": null,
                                 "assignee": {"email": "@(lower(\"DESK\" & \"@EXAMPLE.ORG\"))"}})
        )]),
        "messaging",
        json!({"topics": [{"uuid": "d5e6f7a8-3333-4c4d-8e5f-6a7b8c9d0e1f", "name": "General"}],
               "users": [{"uuid": "e2f3a4b5-9999-4b1c-8d2e-3f4a5b6c7d8e", "email": "desk@example.org", "name": "Desk"}]}),
    );
    let (events, session) = run(&assets, contact("eng"));
    assert!(errors(&events).is_empty(), "{:?}", errors(&events));
    assert_eq!(session.contact.tickets[0].assignee.as_ref().unwrap()["name"], "Desk");
}

#[test]
fn query_groups_are_made_right_when_a_wait_expires_or_times_out() {
    // A wait with a timeout, and a group kept by a field the host sets between sprints.
    let v = json!({"flows": [{
        "uuid": FLOW, "name": "Actions", "spec_version": "14.4.2", "language": "eng", "type": "messaging",
        "nodes": [{"uuid": "9b5e0c6f-1111-4f3a-8c4d-5e6f7a8b9c0d",
                   "actions": [{"uuid": "9b5e0c6f-2222-4f3a-8c4d-5e6f7a8b9c0d", "type": "send_msg", "text": "Where are you now?"}],
                   "router": {"type": "switch", "operand": "@input.text",
                              "wait": {"type": "msg", "timeout": {"seconds": 600, "category_uuid": "9b5e0c6f-3333-4f3a-8c4d-5e6f7a8b9c0d"}},
                              "cases": [],
                              "categories": [{"uuid": "9b5e0c6f-4444-4f3a-8c4d-5e6f7a8b9c0d", "name": "All", "exit_uuid": "9b5e0c6f-5555-4f3a-8c4d-5e6f7a8b9c0d"},
                                             {"uuid": "9b5e0c6f-3333-4f3a-8c4d-5e6f7a8b9c0d", "name": "No Response", "exit_uuid": "9b5e0c6f-6666-4f3a-8c4d-5e6f7a8b9c0d"}],
                              "default_category_uuid": "9b5e0c6f-4444-4f3a-8c4d-5e6f7a8b9c0d"},
                   "exits": [{"uuid": "9b5e0c6f-5555-4f3a-8c4d-5e6f7a8b9c0d"}, {"uuid": "9b5e0c6f-6666-4f3a-8c4d-5e6f7a8b9c0d"}]}]}],
        "fields": [{"key": "shelter", "name": "Shelter", "type": "text"}],
        "groups": [{"uuid": "9b5e0c6f-7777-4f3a-8c4d-5e6f7a8b9c0d", "name": "Sheltered", "query": "shelter != \"\""}]});
    let assets = Assets::from_json(&v, &LoadOptions::default());
    for (resume, config) in [
        (Resume::WaitTimeout, Config::default()),
        (Resume::Expiration, Config::default()),
        (Resume::Expiration, Config { expiry_resumes_parent: true, ..Config::default() }),
    ] {
        let engine = Engine::new(config);
        let mut rng = SplitMix64::new(8);
        let mut s = engine
            .start(&assets, &env(), contact("eng"), Trigger::manual(FlowRef::new(FLOW, "Actions")), &mut rng)
            .unwrap()
            .session;
        assert!(s.contact.groups.is_empty());
        // Between sprints the host records where the contact is staying.
        s.contact.fields.insert("shelter".into(), json!({"text": "North camp"}));
        let events = engine.resume(&assets, &env(), &mut s, resume.clone(), &mut rng).unwrap();
        assert!(types(&events).contains(&"contact_groups_changed".to_string()), "{resume:?}: {:?}", types(&events));
        assert_eq!(s.contact.groups[0].name, "Sheltered");
    }
}

#[test]
fn reading_the_deprecated_child_run_status_warns() {
    let v = json!({"flows": [
        {"uuid": FLOW, "name": "Parent", "spec_version": "14.4.2", "language": "eng", "type": "messaging",
         "nodes": [{"uuid": "ab12cd34-0001-4e5f-8a9b-0c1d2e3f4a5b",
                    "actions": [{"uuid": "ab12cd34-0002-4e5f-8a9b-0c1d2e3f4a5b", "type": "enter_flow",
                                 "flow": {"uuid": "ab12cd34-1000-4e5f-8a9b-0c1d2e3f4a5b", "name": "Child"}}],
                    "router": {"type": "switch", "operand": "@child.run.status",
                               "cases": [{"uuid": "ab12cd34-0003-4e5f-8a9b-0c1d2e3f4a5b", "type": "has_only_text",
                                          "arguments": ["completed"], "category_uuid": "ab12cd34-0004-4e5f-8a9b-0c1d2e3f4a5b"}],
                               "categories": [{"uuid": "ab12cd34-0004-4e5f-8a9b-0c1d2e3f4a5b", "name": "Complete", "exit_uuid": "ab12cd34-0005-4e5f-8a9b-0c1d2e3f4a5b"},
                                              {"uuid": "ab12cd34-0006-4e5f-8a9b-0c1d2e3f4a5b", "name": "Other", "exit_uuid": "ab12cd34-0007-4e5f-8a9b-0c1d2e3f4a5b"}],
                               "default_category_uuid": "ab12cd34-0006-4e5f-8a9b-0c1d2e3f4a5b"},
                    "exits": [{"uuid": "ab12cd34-0005-4e5f-8a9b-0c1d2e3f4a5b"}, {"uuid": "ab12cd34-0007-4e5f-8a9b-0c1d2e3f4a5b"}]}]},
        {"uuid": "ab12cd34-1000-4e5f-8a9b-0c1d2e3f4a5b", "name": "Child", "spec_version": "14.4.2", "language": "eng", "type": "messaging",
         "nodes": [{"uuid": "ab12cd34-1001-4e5f-8a9b-0c1d2e3f4a5b", "actions": [], "exits": [{"uuid": "ab12cd34-1002-4e5f-8a9b-0c1d2e3f4a5b"}]}]}]});
    let assets = Assets::from_json(&v, &LoadOptions::default());
    let (events, session) = run(&assets, contact("eng"));
    assert_eq!(
        types(&events),
        ["run_started", "run_started", "run_ended", "warning", "run_result_changed", "run_ended"]
            .into_iter()
            .filter(|t| *t != "run_result_changed")
            .collect::<Vec<_>>()
    );
    let EventKind::Warning { text } = &events[3].kind else { panic!() };
    assert_eq!(text, "@child.run.status is deprecated, use @child.status instead");
    assert_eq!(session.status, SessionStatus::Completed);
}
