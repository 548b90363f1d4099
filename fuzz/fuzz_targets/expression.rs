//! Arbitrary bytes as a template (`Hi @contact.name @(upper(x))`) and as a bare expression,
//! evaluated in a fixed context: a real session's, after one reply. Evaluation must end (the
//! step budget, depth and output bounds hold) with a value or an error, never a panic.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use safepassage_flows::definition::{FlowRef, LoadOptions};
use safepassage_flows::engine::{context_of, Assets, Config, Contact, Engine, MsgIn, Resume, Trigger};
use safepassage_flows::ids::SplitMix64;
use safepassage_flows::parser::parse_expression;
use safepassage_flows::{convert, evaluate_template, evaluate_template_value, Env, Evaluator, Limits, XValue};
use serde_json::Value;

/// A flow that asks a name and an age, so the context has results, input, fields and a wait.
const FLOW: &str = r#"{
  "uuid": "6f0b5e5e-2f54-4a3e-9d43-6b1e2a7c9a01", "name": "Fuzz context", "spec_version": "14.4.2",
  "language": "eng", "type": "messaging", "expire_after_minutes": 60,
  "nodes": [
    {"uuid": "0a6d5b0e-91f4-4d3b-8d1e-7e8f1b2c3d41",
     "actions": [
       {"uuid": "1b7e6c1f-a2a5-4e4c-9e2f-8f9a2c3d4e52", "type": "set_contact_field",
        "field": {"key": "age", "name": "Age"}, "value": "31"},
       {"uuid": "2c8f7d20-b3b6-4f5d-af30-9a0b3d4e5f63", "type": "set_contact_field",
        "field": {"key": "seen", "name": "Seen"}, "value": "2024-02-29T23:59:00+02:00"},
       {"uuid": "3d908e31-c4c7-406e-b041-ab1c4e5f6074", "type": "send_msg", "text": "Name?"}
     ],
     "router": {"type": "switch", "operand": "@input.text", "result_name": "Name", "wait": {"type": "msg"},
       "cases": [{"uuid": "4ea19f42-d5d8-417f-8152-bc2d5f607185", "type": "has_text", "arguments": [],
                  "category_uuid": "5fb2a053-e6e9-4280-9263-cd3e60718296"}],
       "categories": [
         {"uuid": "5fb2a053-e6e9-4280-9263-cd3e60718296", "name": "Has Text", "exit_uuid": "60c3b164-f7fa-4391-a374-de4f718293a7"},
         {"uuid": "71d4c275-080b-44a2-b485-ef50829304b8", "name": "Other", "exit_uuid": "82e5d386-191c-45b3-8596-f061930415c9"}],
       "default_category_uuid": "71d4c275-080b-44a2-b485-ef50829304b8"},
     "exits": [{"uuid": "60c3b164-f7fa-4391-a374-de4f718293a7", "destination_uuid": "93f6e497-2a2d-46c4-96a7-0172a41526da"},
               {"uuid": "82e5d386-191c-45b3-8596-f061930415c9"}]},
    {"uuid": "93f6e497-2a2d-46c4-96a7-0172a41526da",
     "actions": [{"uuid": "a407f5a8-3b3e-47d5-a7b8-1283b5263701", "type": "send_msg", "text": "Age?"}],
     "router": {"type": "switch", "operand": "@input.text", "result_name": "Age", "wait": {"type": "msg"},
       "cases": [], "categories": [{"uuid": "b518a6b9-4c4f-48e6-b8c9-2394c6374812", "name": "All Responses",
                                    "exit_uuid": "c629b7ca-5d50-49f7-89da-34a5d7485923"}],
       "default_category_uuid": "b518a6b9-4c4f-48e6-b8c9-2394c6374812"},
     "exits": [{"uuid": "c629b7ca-5d50-49f7-89da-34a5d7485923"}]}
  ]
}"#;

/// The top-level names a run's templates may use as `@name`; anything else stays text.
const TOP_LEVEL: [&str; 15] = [
    "child",
    "contact",
    "fields",
    "globals",
    "input",
    "legacy_extra",
    "locals",
    "node",
    "parent",
    "results",
    "resume",
    "run",
    "trigger",
    "urns",
    "webhook",
];

struct Fixture {
    env: Env,
    context: XValue,
    allowed: Vec<String>,
}

fn fixture() -> Fixture {
    let mut env = Env::new(Utc.with_ymd_and_hms(2024, 3, 1, 9, 30, 0).single().unwrap_or_default());
    env.date_format = "DD-MM-YYYY".into();
    env.timezone = "Europe/Kyiv".parse().unwrap_or(env.timezone);
    env.default_country = Some("UA".into());
    env.random_seed = 42;
    let v: Value = serde_json::from_str(FLOW).unwrap_or_default();
    let mut assets = Assets::from_json(
        &serde_json::json!({
            "flows": [v],
            "fields": [{"key": "age", "name": "Age", "type": "number"}, {"key": "seen", "name": "Seen", "type": "datetime"}],
            "globals": [{"key": "org_name", "name": "Org", "value": "Safe Passage"}]
        }),
        &LoadOptions::default(),
    );
    assets.globals.insert("support".into(), "help@example.org".into());
    let engine = Engine::new(Config::default());
    let mut rng = SplitMix64::new(3);
    let contact = Contact::anonymous("0ec97956-c451-48a0-a180-1ce766623e31", "ukr");
    let flow = FlowRef::new("6f0b5e5e-2f54-4a3e-9d43-6b1e2a7c9a01", "Fuzz context");
    let context = match engine.start(&assets, &env, contact, Trigger::manual(flow), &mut rng) {
        Ok(started) => {
            let mut session = started.session;
            let msg = MsgIn {
                uuid: "9bf91c2b-ce41-4ed4-9a4e-dc6ac3e3b8a4".into(),
                text: "Olena Kovalenko".into(),
                ..MsgIn::default()
            };
            let _ = engine.resume(&assets, &env, &mut session, Resume::Msg(msg), &mut rng);
            context_of(&assets, &env, &session, 0)
        }
        Err(e) => panic!("the fixture flow starts: {e}"),
    };
    Fixture { env, context, allowed: TOP_LEVEL.iter().map(|s| s.to_string()).collect() }
}

thread_local! {
    static FIXTURE: Fixture = fixture();
}

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
    FIXTURE.with(|f| {
        let limits = Limits::default();
        match evaluate_template(&f.env, &f.context, &src, None, limits) {
            Ok(text) => assert!(text.len() <= limits.max_text_len, "template output past its bound: {}", text.len()),
            Err(e) => assert!(!e.message.is_empty(), "an error without a message"),
        }
        if let Ok(v) = evaluate_template_value(&f.env, &f.context, &src, Some(&f.allowed), limits) {
            let _ = convert::to_text(&v);
            let _ = convert::to_json(&v);
        }
        // The same bytes as a bare expression, as routers and `@(…)` see it.
        if let Ok(expr) = parse_expression(&src) {
            let mut ev = Evaluator::new(&f.env, &f.context, limits);
            let v = ev.eval(&expr);
            if let XValue::Text(t) = &v {
                assert!(t.len() <= limits.max_text_len, "a text value past its bound: {}", t.len());
            }
            let _ = convert::render(&v);
        }
    });
});
