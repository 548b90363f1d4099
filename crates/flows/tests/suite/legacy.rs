//! Legacy RapidPro exports (versions 4 to 11.12, written for these tests in `tests/legacy/`)
//! load through the same path as an import: migrated to spec 13, then to the current spec,
//! validated, and run. What cannot be migrated is refused naming flow, node and construct.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use safepassage_flows::definition::export::load_flows;
use safepassage_flows::definition::{Flow, LoadOptions, SPEC_VERSION};
use safepassage_flows::engine::{Assets, Config, Contact, Engine, EventKind, MsgIn, Resume, SessionStatus, Trigger};
use safepassage_flows::ids::SplitMix64;
use safepassage_flows::migrate::legacy;
use safepassage_flows::Env;
use serde_json::Value;

fn read(name: &str) -> Value {
    let path = format!("{}/tests/legacy/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn load(name: &str) -> Vec<Flow> {
    match load_flows(&read(name), &LoadOptions::default()) {
        Ok(flows) => flows,
        Err(e) => panic!("{name} does not load: {e}"),
    }
}

fn refusal(name: &str) -> String {
    load_flows(&read(name), &LoadOptions::default()).unwrap_err().to_string()
}

fn by_name<'a>(flows: &'a [Flow], name: &str) -> &'a Flow {
    flows.iter().find(|f| f.name == name).unwrap_or_else(|| panic!("no flow {name}"))
}

fn texts_of(flow: &Flow) -> Vec<String> {
    flow.to_json()["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|n| n["actions"].as_array().cloned().unwrap_or_default())
        .filter_map(|a| a["text"].as_str().map(str::to_string))
        .collect()
}

/// Starts `flow` and answers each of `replies`, giving every message the bot sent.
fn run(flows: &[Flow], flow: &Flow, replies: &[&str]) -> (Vec<String>, SessionStatus) {
    let mut assets = Assets::new();
    for f in flows {
        assets.add_flow(f.clone());
    }
    let mut env = Env::new(Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap());
    env.allowed_languages = vec!["eng".into(), "ukr".into()];
    let engine = Engine::new(Config::default());
    let mut rng = SplitMix64::new(3);
    let contact = Contact::anonymous("0ec97956-c451-48a0-a180-1ce766623e31", "eng");
    let started = engine.start(&assets, &env, contact, Trigger::manual(flow.reference()), &mut rng).unwrap();
    let mut sent = Vec::new();
    let mut collect = |events: &[safepassage_flows::engine::Event]| {
        for e in events {
            if let EventKind::MsgCreated { msg } | EventKind::IvrCreated { msg } = &e.kind {
                sent.push(msg.text.clone());
            }
        }
    };
    collect(&started.events);
    let mut session = started.session;
    for text in replies {
        let msg =
            MsgIn { uuid: "9bf91c2b-ce41-4ed4-9a4e-dc6ac3e3b8a4".into(), text: (*text).into(), ..MsgIn::default() };
        let events = engine.resume(&assets, &env, &mut session, Resume::Msg(msg), &mut rng).unwrap();
        collect(&events);
    }
    (sent, session.status)
}

/// The router of the first node that waits.
fn router_with_wait(flow: &Value) -> &Value {
    flow["nodes"].as_array().unwrap().iter().map(|n| &n["router"]).find(|r| r["wait"].is_object()).unwrap()
}

#[test]
fn every_legacy_export_loads_at_the_current_spec() {
    for name in
        ["v4_nested_definition.json", "v7_groups_and_languages.json", "v8_rules_and_subflow.json", "v11_12_mixed.json"]
    {
        for flow in load(name) {
            assert_eq!(flow.spec_version, SPEC_VERSION, "{name}: {}", flow.name);
            assert!(!flow.nodes.is_empty(), "{name}: {}", flow.name);
            // What loaded exports and loads again, as the library stores it.
            Flow::from_json(&flow.to_json(), &LoadOptions::default()).unwrap();
        }
    }
}

#[test]
fn version_4_unwraps_its_definition_and_old_filters() {
    let flows = load("v4_nested_definition.json");
    let flow = by_name(&flows, "Shelter check v4");
    assert_eq!(flow.expire_after(), 3 * 24 * 60);
    assert_eq!(flow.nodes.len(), 4);
    let texts = texts_of(flow);
    assert!(texts[0].contains("@(title(contact.first_name))"), "{texts:?}");
    let (sent, status) = run(&flows, flow, &["three"]);
    assert_eq!(sent[0], "Hello . How many people are with you?");
    assert_eq!(sent[1], "Please answer with a number.");
    assert_eq!(status, SessionStatus::Completed);
    let (sent, _) = run(&flows, flow, &["we are 4"]);
    assert_eq!(sent[1], "Thank you, we have noted 4 people.");
}

#[test]
fn version_7_groups_by_name_and_equals_expressions() {
    let flows = load("v7_groups_and_languages.json");
    let flow = by_name(&flows, "Registration v7");
    assert_eq!(flow.language, "und");
    assert_eq!(flow.expire_after_minutes, Some(720));
    let json = flow.to_json().to_string();
    assert!(json.contains(r#""name_match":"Registered""#), "{json}");
    let (sent, status) = run(&flows, flow, &["ok then"]);
    assert_eq!(sent, ["Welcome . Reply YES to register.", "You are registered."]);
    assert_eq!(status, SessionStatus::Completed);
}

#[test]
fn version_8_rules_results_and_a_subflow() {
    let flows = load("v8_rules_and_subflow.json");
    let flow = by_name(&flows, "Needs v8");
    let (sent, _) = run(&flows, flow, &["16", "yesterday"]);
    assert_eq!(sent[0], "Hi , how old are you?");
    assert_eq!(sent[1], "You are 16 (16 years). When did you arrive?");
    let (sent, status) = run(&flows, flow, &["40", "+380 44 123 4567"]);
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert!(sent[1].starts_with("Saved +380"), "{sent:?}");
    assert!(sent[2].starts_with("Arrived ; first word"), "{sent:?}");
    assert_eq!(status, SessionStatus::Completed);
}

#[test]
fn version_10_4_webhooks_are_outside_calls_refused_unless_allowed() {
    let e = refusal("v10_4_webhook.json");
    assert!(e.contains("Lookup v10.4"), "{e}");
    assert!(e.contains("call_webhook"), "{e}");
    let v = read("v10_4_webhook.json");
    let node = v["flows"][0]["rule_sets"][1]["uuid"].as_str().unwrap();
    assert!(e.contains(node), "{e}");
    let flows = load_flows(&v, &LoadOptions::allowing(["call_webhook"])).unwrap();
    let flow = &flows[0];
    assert_eq!(flow.language, "eng");
    let json = flow.to_json();
    assert!(json["localization"]["fra"].is_object(), "{json}");
    let text = json.to_string();
    // Routed on the call's outcome (the 14.x migrations turn the 13.0 category split into a
    // status split).
    assert!(text.contains(r#""type":"call_webhook""#) && text.contains("webhook.status"), "{text}");
    assert!(text.contains("@legacy_extra.status"), "{text}");
}

#[test]
fn version_11_12_translations_timeouts_and_many_rules() {
    let flows = load("v11_12_mixed.json");
    assert_eq!(flows.len(), 3);
    let flow = by_name(&flows, "Intake v11.12");
    let json = flow.to_json();
    let first = router_with_wait(&json);
    assert_eq!(first["wait"]["timeout"]["seconds"], 1800, "{json}");
    // Two rules of the category Yes share one category and one exit.
    let categories: Vec<&str> =
        first["categories"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(categories, ["Yes", "No", "Other", "No Response"]);
    assert!(json["localization"]["ukr"].is_object());
    let (sent, status) = run(&flows, flow, &["i am ok", "Obolon district"]);
    assert_eq!(sent[0], "Hello . Are you safe now?");
    assert_eq!(sent[1], "Where are you? Send your district.");
    assert!(sent[2].starts_with("Group Bucket "), "{sent:?}");
    assert_eq!(status, SessionStatus::Completed);
}

#[test]
fn a_legacy_export_can_hold_spec_13_flows() {
    let flows = load("v11_12_mixed.json");
    let flow = by_name(&flows, "Goodbye (spec 13.0)");
    assert_eq!(flow.spec_version, SPEC_VERSION);
    let (sent, _) = run(&flows, flow, &[]);
    assert_eq!(sent, ["Goodbye "]);
}

#[test]
fn voice_flows_wait_for_digits() {
    let flows = load("v11_12_mixed.json");
    let flow = by_name(&flows, "Hotline menu v11.12");
    let json = flow.to_json();
    assert_eq!(json["type"], "voice");
    assert_eq!(router_with_wait(&json)["wait"]["hint"]["type"], "digits", "{json}");
}

#[test]
fn constructs_that_cannot_be_migrated_are_refused_by_name() {
    let cases = [
        ("refused_resthook.json", "Partner notify", "resthook"),
        ("refused_ussd_menu.json", "USSD menu", "wait_menu"),
        ("refused_unknown_action.json", "Old USSD end", "end_ussd"),
        ("refused_email.json", "Email staff", "send_email"),
    ];
    for (file, flow, construct) in cases {
        let v = read(file);
        let e = refusal(file);
        let uuid = v["flows"][0]["metadata"]["uuid"].as_str().unwrap();
        let node = v["flows"][0]["action_sets"][0]["uuid"]
            .as_str()
            .or(v["flows"][0]["rule_sets"][0]["uuid"].as_str())
            .unwrap();
        for part in [flow, uuid, node, construct] {
            assert!(e.contains(part), "{file}: '{part}' not in: {e}");
        }
    }
}

#[test]
fn bad_legacy_input_gets_a_clear_error() {
    let e = legacy::migrate(&serde_json::json!({"action_sets": [], "metadata": {"name": "x"}}), None).unwrap_err();
    assert!(e.to_string().contains("metadata.uuid"), "{e}");
    let v = serde_json::json!({"version": "3", "flows": [{"action_sets": [], "metadata": {"uuid": "0ec97956-c451-48a0-a180-1ce766623e31"}}]});
    assert!(load_flows(&v, &LoadOptions::default()).unwrap_err().to_string().contains("older than 4"));
    let v = serde_json::json!({"version": "11.12", "flows": [{"name": "no shape"}]});
    let e = load_flows(&v, &LoadOptions::default()).unwrap_err().to_string();
    assert!(e.contains("legacy export") && e.contains("flows[0]"), "{e}");
    let v = serde_json::json!({"action_sets": [{"uuid": "nope"}], "metadata": {"uuid": "0ec97956-c451-48a0-a180-1ce766623e31", "name": "Bad"}});
    let e = load_flows(&v, &LoadOptions::default()).unwrap_err().to_string();
    assert!(e.contains("flow 'Bad'") && e.contains("must be a valid UUID"), "{e}");
}

/// Legacy `+` and `-` with dates, as a migrated expression evaluates: days are added to dates,
/// times to datetimes, and a sum of unknown operands is left to `legacy_add` at run time.
#[test]
fn legacy_date_arithmetic_migrates_to_date_functions() {
    use legacy::expressions::{migrate_template, migrate_template_with};
    use safepassage_flows::{evaluate_template, Limits, XValue};

    assert_eq!(
        migrate_template("@(date.today + 7)", false),
        "@(format_date(datetime_add(format_date(today()), 7, \"D\")))"
    );
    assert_eq!(migrate_template("@(date.now - 2)", false), "@(datetime_add(now(), -2, \"D\"))");
    assert_eq!(migrate_template("@(contact.due + 3)", false), "@(legacy_add(fields.due, 3))");
    assert_eq!(migrate_template("@(flow.count - 1)", false), "@(legacy_add(results.count.value, -1))");
    // Only whole-number literals and calls of known type are told apart, as in the reference.
    assert_eq!(migrate_template("@(4 + 5 * 2)", false), "@(legacy_add(4, 5 * 2))");
    assert_eq!(migrate_template("@((4 + 5) * 2)", false), "@((4 + 5) * 2)");
    assert_eq!(migrate_template("@(1.5 + 2)", false), "@(legacy_add(1.5, 2))");
    assert_eq!(
        migrate_template("@(DATEVALUE(contact.due) + TIME(1, 30, 0))", false),
        "@(datetime_add(datetime(fields.due), format_time(time_from_parts(1, 30, 0), \"tt\") * 60 + \
         format_time(time_from_parts(1, 30, 0), \"m\"), \"m\"))"
    );
    assert_eq!(
        migrate_template("@(contact.due + TIME(9, 0, 0))", false),
        "@(replace_time(fields.due, time_from_parts(9, 0, 0)))"
    );
    assert_eq!(migrate_template("@(\"day \" & date.today + 1)", false).matches("datetime_add").count(), 1);
    // The operand of a date test keeps dates as dates.
    assert_eq!(migrate_template_with("@(date.today + 1)", false, true), "@(datetime_add(today(), 1, \"D\"))");
    assert_eq!(migrate_template_with("@date.today", false, true), "@(today())");
    // Unreadable expressions stay as written.
    assert_eq!(migrate_template("@(1 + )", false), "@(1 + )");

    let mut env = Env::new(Utc.with_ymd_and_hms(2024, 2, 28, 21, 15, 0).unwrap());
    env.date_format = "DD-MM-YYYY".into();
    env.timezone = "Africa/Kampala".parse().unwrap();
    let ctx = XValue::object_from([
        ("fields", XValue::object_from([("due", XValue::text("03-03-2024"))])),
        ("results", XValue::object_from([("count", XValue::object_from([("value", XValue::text("12"))]))])),
    ]);
    let run = |legacy_text: &str| {
        let migrated = migrate_template(legacy_text, false);
        evaluate_template(&env, &ctx, &migrated, None, Limits::default()).map_err(|e| e.message)
    };
    // 21:15 UTC is already the 29th in Kampala (UTC+3); 2024 is a leap year.
    assert_eq!(run("@(date.today + 1)").unwrap(), "01-03-2024");
    assert_eq!(run("@(date.today - 1)").unwrap(), "28-02-2024");
    assert_eq!(run("@(date.now + 1)").unwrap(), "2024-03-01T00:15:00.000000+03:00");
    assert_eq!(run("@(contact.due - 3)").unwrap(), "2024-02-29T00:00:00.000000+03:00");
    assert_eq!(run("@(flow.count + 1)").unwrap(), "13");
    assert_eq!(run("@(4 + 5 * 2)").unwrap(), "14");
    assert_eq!(run("@(date.now + TIME(2, 30, 0))").unwrap(), "2024-02-29T02:45:00.000000+03:00");
    assert_eq!(run("@(contact.due + TIME(9, 5, 0))").unwrap(), "2024-03-03T09:05:00.000000+03:00");
    assert!(run("@(contact.due + contact.due)").is_err());
}
