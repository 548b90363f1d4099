//! The session engine end to end on flows written for these tests: an intake in three
//! languages, a sub-flow, a loop, a random split and a voice prompt.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use safepassage_flows::definition::export::Export;
use safepassage_flows::definition::{FlowRef, LoadOptions};
use safepassage_flows::engine::{
    Assets, Config, Contact, Engine, Event, EventKind, MsgIn, Resume, RunStatus, Session, SessionStatus, Trigger,
};
use safepassage_flows::ids::SplitMix64;
use safepassage_flows::Env;
use serde_json::Value;

fn env_at(minute: u32) -> Env {
    let mut env = Env::new(Utc.with_ymd_and_hms(2025, 3, 1, 12, minute, 0).unwrap());
    env.allowed_languages = vec!["eng".into(), "rus".into(), "ukr".into()];
    env
}

fn intake_assets() -> (Assets, String) {
    let text = include_str!("../data/intake_export.json");
    let v: Value = serde_json::from_str(text).unwrap();
    let export = Export::from_json(&v, &LoadOptions::default()).unwrap();
    let uuid = export.flows[0].uuid.clone();
    (Assets::from_json(&v, &LoadOptions::default()), uuid)
}

fn misc_assets() -> Assets {
    let v: Value = serde_json::from_str(include_str!("../data/misc_assets.json")).unwrap();
    Assets::from_json(&v, &LoadOptions::default())
}

fn flow_uuid(assets_json: &str, name: &str) -> String {
    let v: Value = serde_json::from_str(assets_json).unwrap();
    v["flows"].as_array().unwrap().iter().find(|f| f["name"] == name).unwrap()["uuid"].as_str().unwrap().to_string()
}

fn msg(text: &str) -> Resume {
    Resume::Msg(MsgIn { uuid: "9bf91c2b-ce41-4ed4-9a4e-dc6ac3e3b8a4".into(), text: text.into(), ..Default::default() })
}

fn types(events: &[Event]) -> Vec<String> {
    events.iter().map(Event::type_name).collect()
}

fn texts(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::MsgCreated { msg } | EventKind::IvrCreated { msg } => Some(msg.text.clone()),
            _ => None,
        })
        .collect()
}

/// Stores and reloads the session, as the platform does between messages.
fn reload(s: &Session) -> Session {
    let text = serde_json::to_string(&s.to_json()).unwrap();
    Session::from_json(&serde_json::from_str(&text).unwrap()).unwrap()
}

#[test]
fn intake_runs_in_the_chosen_language_and_hands_over() {
    let (assets, uuid) = intake_assets();
    let engine = Engine::new(Config::default());
    let mut rng = SplitMix64::new(1);
    let contact = Contact::anonymous("0ec97956-c451-48a0-a180-1ce766623e31", "");
    let started =
        engine.start(&assets, &env_at(0), contact, Trigger::manual(FlowRef::new(&uuid, "Intake")), &mut rng).unwrap();
    assert_eq!(types(&started.events), ["run_started", "msg_created", "msg_wait"]);
    let EventKind::MsgCreated { msg: first } = &started.events[1].kind else { panic!() };
    let replies: Vec<&str> = first.quick_replies.iter().map(|q| q.text.as_str()).collect();
    assert_eq!(replies, ["English", "Русский", "Українська"]);
    let EventKind::MsgWait { timeout_seconds, expires_on, .. } = &started.events[2].kind else { panic!() };
    assert_eq!(*timeout_seconds, Some(300));
    assert_eq!(expires_on.as_deref(), Some("2025-03-08T12:00:00.000000Z"));
    let mut session = reload(&started.session);
    assert_eq!(session.status, SessionStatus::Waiting);

    let events = engine.resume(&assets, &env_at(1), &mut session, msg("Русский"), &mut rng).unwrap();
    assert_eq!(types(&events), ["run_result_changed", "contact_language_changed", "msg_created", "msg_wait"]);
    assert_eq!(texts(&events), ["Кто пишет?"]);
    let EventKind::MsgCreated { msg: who } = &events[2].kind else { panic!() };
    assert_eq!(who.quick_replies[0].text, "Военный");
    assert_eq!(who.locale.as_deref(), Some("rus"));

    let mut session = reload(&session);
    let events = engine.resume(&assets, &env_at(2), &mut session, msg("я военный"), &mut rng).unwrap();
    assert_eq!(
        types(&events),
        [
            "run_result_changed",
            "contact_field_changed",
            "contact_groups_changed",
            "ticket_opened",
            "ticket_note_added",
            "msg_created",
            "run_ended"
        ]
    );
    let EventKind::RunResultChanged { value, category, category_localized, .. } = &events[0].kind else { panic!() };
    assert_eq!((value.as_str(), category.as_str()), ("военный", "Serviceman"));
    assert_eq!(category_localized.as_deref(), Some("Военный"));
    let EventKind::TicketOpened { ticket, note } = &events[3].kind else { panic!() };
    assert_eq!(ticket.topic.as_ref().unwrap().name, "Intake");
    assert_eq!(note.as_deref(), Some("Caller: Serviceman (военный)"));
    assert_eq!(texts(&events), ["Спасибо. Вам ответит человек."]);
    assert_eq!(session.status, SessionStatus::Completed);
    assert_eq!(session.contact.fields["caller_type"]["text"], "Serviceman");
    assert_eq!(session.runs[0].results["who"].category, "Serviceman");
    assert_eq!(session.runs[0].path.len(), 4);
}

#[test]
fn unknown_answers_loop_back_and_timeouts_take_their_category() {
    let (assets, uuid) = intake_assets();
    let engine = Engine::new(Config::default());
    let mut rng = SplitMix64::new(2);
    let contact = Contact::anonymous("0ec97956-c451-48a0-a180-1ce766623e31", "");
    let mut s =
        engine.start(&assets, &env_at(0), contact, Trigger::manual(FlowRef::new(&uuid, "")), &mut rng).unwrap().session;
    let events = engine.resume(&assets, &env_at(1), &mut s, msg("klingon"), &mut rng).unwrap();
    assert_eq!(types(&events), ["run_result_changed", "msg_created", "msg_wait"]);
    assert_eq!(s.runs[0].results["language"].category, "Other");
    let events = engine.resume(&assets, &env_at(7), &mut s, Resume::WaitTimeout, &mut rng).unwrap();
    assert_eq!(types(&events), ["wait_timed_out", "run_result_changed", "msg_created", "run_ended"]);
    assert_eq!(s.runs[0].results["language"].category, "No Response");
    assert_eq!(s.status, SessionStatus::Completed);
    assert!(engine.resume(&assets, &env_at(8), &mut s, msg("late"), &mut rng).is_err());
}

#[test]
fn a_run_keeps_a_bounded_path_however_long_a_contact_loops() {
    let (assets, uuid) = intake_assets();
    let engine = Engine::new(Config { max_path_per_run: 6, ..Config::default() });
    let mut rng = SplitMix64::new(12);
    let contact = Contact::anonymous("0ec97956-c451-48a0-a180-1ce766623e31", "");
    let mut s =
        engine.start(&assets, &env_at(0), contact, Trigger::manual(FlowRef::new(&uuid, "")), &mut rng).unwrap().session;
    let waiting_at = s.runs[0].current_node().map(String::from);
    let size = |s: &Session| s.to_json().to_string().len();
    let mut sizes = Vec::new();
    for _ in 0..50 {
        let events = engine.resume(&assets, &env_at(1), &mut s, msg("klingon"), &mut rng).unwrap();
        assert_eq!(types(&events), ["run_result_changed", "msg_created", "msg_wait"]);
        assert_eq!(s.status, SessionStatus::Waiting);
        assert!(s.runs[0].path.len() <= 6);
        assert_eq!(s.runs[0].current_node().map(String::from), waiting_at, "still waits at the same question");
        sizes.push(size(&s));
    }
    assert!(sizes[49] <= sizes[9] + 16, "the session stops growing: {sizes:?}");
    let events = engine.resume(&assets, &env_at(2), &mut s, msg("English"), &mut rng).unwrap();
    assert!(types(&events).contains(&"msg_created".to_string()));
    assert_eq!(s.runs[0].results["language"].category, "English");
}

#[test]
fn expiry_ends_every_run() {
    let (assets, uuid) = intake_assets();
    let engine = Engine::new(Config::default());
    let mut rng = SplitMix64::new(3);
    let contact = Contact::anonymous("0ec97956-c451-48a0-a180-1ce766623e31", "ukr");
    let mut s =
        engine.start(&assets, &env_at(0), contact, Trigger::manual(FlowRef::new(&uuid, "")), &mut rng).unwrap().session;
    assert!(!s.is_expired(env_at(0).now));
    assert!(s.is_expired(Utc.with_ymd_and_hms(2025, 3, 9, 0, 0, 0).unwrap()));
    let events = engine.resume(&assets, &env_at(5), &mut s, Resume::Expiration, &mut rng).unwrap();
    assert_eq!(types(&events), ["run_ended"]);
    assert_eq!(s.status, SessionStatus::Expired);
    assert_eq!(s.runs[0].status, RunStatus::Expired);
}

#[test]
fn sub_flows_return_to_their_parent() {
    let assets = misc_assets();
    let parent = flow_uuid(include_str!("../data/misc_assets.json"), "Parent");
    let engine = Engine::new(Config::default());
    let mut rng = SplitMix64::new(4);
    let contact = Contact::anonymous("0ec97956-c451-48a0-a180-1ce766623e31", "eng");
    let mut s = engine
        .start(&assets, &env_at(0), contact, Trigger::manual(FlowRef::new(&parent, "")), &mut rng)
        .unwrap()
        .session;
    assert_eq!(s.runs.len(), 2);
    assert_eq!((s.runs[0].status, s.runs[1].status), (RunStatus::Active, RunStatus::Waiting));
    let events = engine.resume(&assets, &env_at(1), &mut s, msg("I am 34"), &mut rng).unwrap();
    // The parent routes on `@child.run.status`, which the reference still reads but warns of.
    assert_eq!(types(&events), ["run_result_changed", "run_ended", "warning", "msg_created", "run_ended"]);
    assert_eq!(texts(&events), ["You are 34."]);
    assert_eq!(s.status, SessionStatus::Completed);
}

#[test]
fn loops_without_waits_are_stopped() {
    let assets = misc_assets();
    let uuid = flow_uuid(include_str!("../data/misc_assets.json"), "Loop");
    let engine = Engine::new(Config { max_steps_per_sprint: 50, ..Config::default() });
    let mut rng = SplitMix64::new(5);
    let contact = Contact::anonymous("0ec97956-c451-48a0-a180-1ce766623e31", "eng");
    let started =
        engine.start(&assets, &env_at(0), contact, Trigger::manual(FlowRef::new(&uuid, "")), &mut rng).unwrap();
    assert_eq!(started.session.status, SessionStatus::Failed);
    assert_eq!(started.session.runs[0].locals["count"], "25");
    assert!(types(&started.events).contains(&"failure".to_string()));
}

#[test]
fn random_splits_follow_the_seed() {
    let assets = misc_assets();
    let uuid = flow_uuid(include_str!("../data/misc_assets.json"), "Random");
    let engine = Engine::new(Config::default());
    let pick = |seed| {
        let mut rng = SplitMix64::new(seed);
        let c = Contact::anonymous("0ec97956-c451-48a0-a180-1ce766623e31", "eng");
        let s =
            engine.start(&assets, &env_at(0), c, Trigger::manual(FlowRef::new(&uuid, "")), &mut rng).unwrap().session;
        s.runs[0].results["bucket"].category.clone()
    };
    assert_eq!(pick(9), pick(9));
    let picks: std::collections::BTreeSet<String> = (0..20).map(pick).collect();
    assert_eq!(picks.len(), 2, "both categories are reachable");
}

#[test]
fn voice_prompts_carry_keypad_hints() {
    let assets = misc_assets();
    let uuid = flow_uuid(include_str!("../data/misc_assets.json"), "IVR");
    let engine = Engine::new(Config::default());
    let mut rng = SplitMix64::new(6);
    let contact = Contact::anonymous("0ec97956-c451-48a0-a180-1ce766623e31", "eng");
    let started =
        engine.start(&assets, &env_at(0), contact, Trigger::manual(FlowRef::new(&uuid, "")), &mut rng).unwrap();
    assert_eq!(types(&started.events), ["run_started", "ivr_created", "ivr_created", "msg_wait"]);
    let EventKind::MsgWait { hint, expires_on, .. } = &started.events[3].kind else { panic!() };
    assert_eq!(hint.as_ref().unwrap().kind, "digits");
    assert_eq!(expires_on.as_deref(), Some("2025-03-01T12:05:00.000000Z"));
    let mut s = started.session;
    engine.resume(&assets, &env_at(0), &mut s, msg("73519"), &mut rng).unwrap();
    assert_eq!(s.runs[0].results["code"].category, "Code");
}

#[test]
fn outside_calls_are_refused_unless_allowed() {
    let flow = serde_json::json!({
        "uuid": "8ca44c09-791d-453a-9799-a70dd3303306", "name": "Hook", "spec_version": "14.4.2", "language": "eng",
        "type": "messaging", "nodes": [{"uuid": "3bd19c40-1114-4b83-b12e-f0c38054ba3f",
            "actions": [{"uuid": "9ad71fc4-c2f8-4aab-a193-7bafad172ca0", "type": "call_webhook", "method": "GET", "url": "http://x.invalid/"}],
            "exits": [{"uuid": "e80bc037-3b57-45b5-9f19-a8346a475578"}]}]});
    let e = safepassage_flows::definition::Flow::from_json(&flow, &LoadOptions::default()).unwrap_err();
    let text = e.to_string();
    assert!(text.contains("node 3bd19c40-1114-4b83-b12e-f0c38054ba3f"), "{text}");
    assert!(text.contains("call_webhook"), "{text}");
    assert!(safepassage_flows::definition::Flow::from_json(&flow, &LoadOptions::allowing(["call_webhook"])).is_ok());
}

#[test]
fn an_export_survives_load_and_export() {
    let v: Value = serde_json::from_str(include_str!("../data/intake_export.json")).unwrap();
    let export = Export::from_json(&v, &LoadOptions::default()).unwrap();
    assert_eq!(export.to_json(), v);
}

#[test]
fn flows_entering_themselves_stop_at_the_step_limit() {
    let uuid = "8ca44c09-791d-453a-9799-a70dd3303306";
    let v = serde_json::json!({"flows": [{"uuid": uuid, "name": "Again", "spec_version": "14.4.2", "language": "eng",
        "type": "messaging", "nodes": [{"uuid": "3bd19c40-1114-4b83-b12e-f0c38054ba3f",
            "actions": [{"uuid": "9ad71fc4-c2f8-4aab-a193-7bafad172ca0", "type": "enter_flow", "flow": {"uuid": uuid, "name": "Again"}}],
            "exits": [{"uuid": "e80bc037-3b57-45b5-9f19-a8346a475578"}]}]}]});
    let assets = Assets::from_json(&v, &LoadOptions::default());
    let engine = Engine::new(Config::default());
    let mut rng = SplitMix64::new(7);
    let contact = Contact::anonymous("0ec97956-c451-48a0-a180-1ce766623e31", "eng");
    let s =
        engine.start(&assets, &env_at(0), contact, Trigger::manual(FlowRef::new(uuid, "")), &mut rng).unwrap().session;
    assert_eq!(s.status, SessionStatus::Failed);
    // As in the reference: each entered flow's first node is a step, so the run entered at
    // step 101 fails on the sprint's step limit, and the failure ends every run above it.
    assert_eq!(s.runs.len(), Config::default().max_steps_per_sprint + 1);
    assert!(s.runs.iter().all(|r| r.status == RunStatus::Failed));
}
