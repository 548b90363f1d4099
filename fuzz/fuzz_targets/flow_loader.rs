//! Arbitrary bytes as a flow definition or a RapidPro export, the way an import reads a file.
//! Loading must end in flows or a clear error, never a panic; what loads must export, load again
//! and run (start, two replies, a store-and-reload of the session) without a panic either.
//! Legacy flows (`action_sets`/`rule_sets`) are also migrated on their own: to spec 13.0.0 or a
//! clear error, and what migrates goes through the spec migrations without a panic.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use safepassage_flows::definition::export::load_flows;
use safepassage_flows::definition::{Flow, LoadOptions};
use safepassage_flows::engine::{Assets, Config, Contact, Engine, MsgIn, Resume, Session, SessionStatus, Trigger};
use safepassage_flows::ids::SplitMix64;
use safepassage_flows::migrate::{self, legacy};
use safepassage_flows::Env;
use serde_json::Value;

/// Flows of one input that are started: an export may hold many, a few show the bugs.
const MAX_FLOWS_RUN: usize = 4;

fuzz_target!(|data: &[u8]| {
    let Ok(v) = serde_json::from_slice::<Value>(data) else { return };
    migrate_legacy(&v);
    let strict = load_flows(&v, &LoadOptions::default());
    let lenient = load_flows(&v, &LoadOptions::format_only());
    match (&strict, &lenient) {
        (Err(e), _) | (_, Err(e)) => assert!(!e.message.trim().is_empty(), "an error without a message: {e:?}"),
        _ => {}
    }
    if strict.is_ok() {
        assert!(lenient.is_ok(), "allowing outside actions refused a flow that loads without them");
    }
    let Ok(flows) = lenient else { return };
    for flow in &flows {
        // Export, then load again: what was accepted once is accepted again.
        let written = flow.to_json();
        if let Err(e) = Flow::from_json(&written, &LoadOptions::format_only()) {
            panic!("flow {} loads but its export does not: {e}", flow.uuid);
        }
    }
    run(flows);
});

/// The legacy path alone: each legacy flow of the input (one flow or an export's) migrates to
/// spec 13.0.0 or fails with a message; a migrated flow takes the spec migrations.
fn migrate_legacy(v: &Value) {
    let version = match v.get("version") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let flows: Vec<&Value> = match v.get("flows") {
        Some(Value::Array(items)) => items.iter().collect(),
        _ => vec![v],
    };
    for f in flows.into_iter().filter(|f| legacy::is_legacy(f)).take(MAX_FLOWS_RUN) {
        match legacy::migrate(f, version.as_deref()) {
            Ok(migrated) => {
                assert_eq!(migrated["spec_version"], legacy::TARGET, "a legacy flow migrated to another version");
                if let Err(e) = migrate::migrate(migrated, None) {
                    panic!("a migrated legacy flow is refused by the spec migrations: {e}");
                }
            }
            Err(e) => assert!(!e.message.trim().is_empty(), "a legacy error without a message: {e:?}"),
        }
    }
}

fn run(flows: Vec<Flow>) {
    let firsts: Vec<_> = flows.iter().take(MAX_FLOWS_RUN).map(Flow::reference).collect();
    let mut assets = Assets::new();
    for f in flows {
        assets.add_flow(f);
    }
    let mut env = Env::new(Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).single().unwrap_or_default());
    env.allowed_languages = vec!["rus".into(), "ukr".into(), "eng".into()];
    let engine = Engine::new(Config::default());
    let mut rng = SplitMix64::new(7);
    for flow in firsts {
        let contact = Contact::anonymous("0ec97956-c451-48a0-a180-1ce766623e31", "ukr");
        let Ok(started) = engine.start(&assets, &env, contact, Trigger::manual(flow), &mut rng) else { continue };
        let mut session = started.session;
        for text in ["yes 12", "оператор"] {
            if session.status != SessionStatus::Waiting {
                break;
            }
            session = match Session::from_json(&session.to_json()) {
                Ok(s) => s,
                Err(e) => panic!("a session the engine wrote does not read back: {e}"),
            };
            let msg =
                MsgIn { uuid: "9bf91c2b-ce41-4ed4-9a4e-dc6ac3e3b8a4".into(), text: text.into(), ..MsgIn::default() };
            let _ = engine.resume(&assets, &env, &mut session, Resume::Msg(msg), &mut rng);
        }
    }
}
