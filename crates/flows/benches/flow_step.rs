//! Time of one flow step, the unit of work the chat does for every message an applicant sends:
//! a waiting session resumed with a message, through a switch router, into a node of actions
//! whose templates are expressions, to the next wait. Target: under 20 µs.
//!
//! Also the start of the shipped intake flow (`flows/safepassage.json`) to its first question,
//! and its first answer, since every new applicant costs one of each.
//!
//! `cargo bench -p safepassage-flows --bench flow_step`
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use safepassage_flows::definition::{Flow, FlowRef, LoadOptions};
use safepassage_flows::engine::{Assets, Config, Contact, Engine, MsgIn, Resume, Session, SessionStatus, Trigger};
use safepassage_flows::ids::SplitMix64;
use safepassage_flows::Env;
use serde_json::Value;

/// The allocator the platform runs with (see `crates/safepassage/src/main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Asks a language (switch router, three `has_any_word` cases, a timeout), then thanks the
/// person with a result and a reply built from expressions, and waits for the next answer.
const STEP_FLOW: &str = r#"{
  "uuid": "b0000000-0000-4000-8000-000000000001", "name": "One step", "spec_version": "14.4.2",
  "language": "eng", "type": "messaging", "expire_after_minutes": 1440,
  "nodes": [
    {"uuid": "b0000000-0000-4000-8000-000000000010",
     "actions": [{"uuid": "b0000000-0000-4000-8000-000000000011", "type": "send_msg",
                  "text": "Which language? · Какой язык? · Яка мова?",
                  "quick_replies": ["English", "Русский", "Українська"]}],
     "router": {"type": "switch", "operand": "@input.text", "result_name": "Language",
       "wait": {"type": "msg", "timeout": {"seconds": 300, "category_uuid": "b0000000-0000-4000-8000-000000000025"}},
       "cases": [
         {"uuid": "b0000000-0000-4000-8000-000000000031", "type": "has_any_word", "arguments": ["english eng en"],
          "category_uuid": "b0000000-0000-4000-8000-000000000021"},
         {"uuid": "b0000000-0000-4000-8000-000000000032", "type": "has_any_word", "arguments": ["русский рус ru"],
          "category_uuid": "b0000000-0000-4000-8000-000000000022"},
         {"uuid": "b0000000-0000-4000-8000-000000000033", "type": "has_any_word", "arguments": ["українська укр uk"],
          "category_uuid": "b0000000-0000-4000-8000-000000000023"}],
       "categories": [
         {"uuid": "b0000000-0000-4000-8000-000000000021", "name": "English", "exit_uuid": "b0000000-0000-4000-8000-000000000041"},
         {"uuid": "b0000000-0000-4000-8000-000000000022", "name": "Russian", "exit_uuid": "b0000000-0000-4000-8000-000000000042"},
         {"uuid": "b0000000-0000-4000-8000-000000000023", "name": "Ukrainian", "exit_uuid": "b0000000-0000-4000-8000-000000000043"},
         {"uuid": "b0000000-0000-4000-8000-000000000024", "name": "Other", "exit_uuid": "b0000000-0000-4000-8000-000000000044"},
         {"uuid": "b0000000-0000-4000-8000-000000000025", "name": "No Response", "exit_uuid": "b0000000-0000-4000-8000-000000000045"}],
       "default_category_uuid": "b0000000-0000-4000-8000-000000000024"},
     "exits": [
       {"uuid": "b0000000-0000-4000-8000-000000000041", "destination_uuid": "b0000000-0000-4000-8000-000000000050"},
       {"uuid": "b0000000-0000-4000-8000-000000000042", "destination_uuid": "b0000000-0000-4000-8000-000000000050"},
       {"uuid": "b0000000-0000-4000-8000-000000000043", "destination_uuid": "b0000000-0000-4000-8000-000000000050"},
       {"uuid": "b0000000-0000-4000-8000-000000000044", "destination_uuid": "b0000000-0000-4000-8000-000000000010"},
       {"uuid": "b0000000-0000-4000-8000-000000000045"}]},
    {"uuid": "b0000000-0000-4000-8000-000000000050",
     "actions": [
       {"uuid": "b0000000-0000-4000-8000-000000000051", "type": "set_run_result", "name": "Chosen",
        "value": "@(upper(results.language.value))", "category": "@results.language.category"},
       {"uuid": "b0000000-0000-4000-8000-000000000052", "type": "send_msg",
        "text": "Thank you, @(default(contact.first_name, \"friend\")). You chose @results.language.category (@(word_count(input.text)) word) at @(format_datetime(now(), \"tt:mm\")). Who is writing?",
        "quick_replies": ["A serviceman", "A relative", "Someone else"]}],
     "router": {"type": "switch", "operand": "@input.text", "result_name": "Who", "wait": {"type": "msg"},
       "cases": [], "categories": [{"uuid": "b0000000-0000-4000-8000-000000000061", "name": "All Responses",
                                    "exit_uuid": "b0000000-0000-4000-8000-000000000062"}],
       "default_category_uuid": "b0000000-0000-4000-8000-000000000061"},
     "exits": [{"uuid": "b0000000-0000-4000-8000-000000000062"}]}
  ]
}"#;

/// The flows Safe Passage ships, as the platform loads them.
const SHIPPED: &str = include_str!("../../../flows/safepassage.json");

const CONTACT_UUID: &str = "0ec97956-c451-48a0-a180-1ce766623e31";

fn env() -> Env {
    let mut env = Env::new(Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap());
    env.allowed_languages = vec!["rus".into(), "ukr".into(), "eng".into()];
    env
}

fn msg(text: &str) -> Resume {
    Resume::Msg(MsgIn { uuid: "9bf91c2b-ce41-4ed4-9a4e-dc6ac3e3b8a4".into(), text: text.into(), ..MsgIn::default() })
}

fn start(engine: &Engine, assets: &Assets, env: &Env, flow: &FlowRef) -> Session {
    let contact = Contact::anonymous(CONTACT_UUID, "");
    let started = engine.start(assets, env, contact, Trigger::manual(flow.clone()), &mut SplitMix64::new(1)).unwrap();
    assert_eq!(started.session.status, SessionStatus::Waiting);
    started.session
}

/// Checks once, outside the timing, that the step does what it is timed for: the events it
/// must give, and a session waiting for the next answer.
fn check_step(engine: &Engine, assets: &Assets, env: &Env, waiting: &Session, answer: &str, expect: &[&str]) {
    let mut s = waiting.clone();
    let events = engine.resume(assets, env, &mut s, msg(answer), &mut SplitMix64::new(2)).unwrap();
    let types: Vec<String> = events.iter().map(|e| e.type_name()).collect();
    assert_eq!(types, expect);
    assert_eq!(s.status, SessionStatus::Waiting);
}

fn flow_step(c: &mut Criterion) {
    let engine = Engine::new(Config::default());
    let env = env();
    let mut group = c.benchmark_group("flow_step");

    // One step of a flow written for this benchmark.
    let flow = Flow::from_str(STEP_FLOW, &LoadOptions::default()).unwrap();
    let step_ref = flow.reference();
    let mut assets = Assets::new();
    assets.add_flow(flow);
    let waiting = start(&engine, &assets, &env, &step_ref);
    check_step(
        &engine,
        &assets,
        &env,
        &waiting,
        "Русский",
        &["run_result_changed", "run_result_changed", "msg_created", "msg_wait"],
    );
    let mut rng = SplitMix64::new(3);
    group.bench_function("resume_switch_actions_send_msg", |b| {
        b.iter_batched(
            || waiting.clone(),
            |mut s| {
                let events = engine.resume(&assets, &env, &mut s, msg("Русский"), &mut rng);
                black_box((s, events))
            },
            BatchSize::SmallInput,
        )
    });

    // The shipped intake: a new applicant's first question, and their choice of language.
    let shipped: Value = serde_json::from_str(SHIPPED).unwrap();
    let intake_assets = Assets::from_json(&shipped, &LoadOptions::default());
    let intake = shipped["flows"]
        .as_array()
        .and_then(|fs| fs.iter().find(|f| f["name"] == "Intake"))
        .map(|f| FlowRef::new(f["uuid"].as_str().unwrap_or(""), "Intake"))
        .expect("the shipped export has an Intake flow");
    let intake_waiting = start(&engine, &intake_assets, &env, &intake);
    check_step(
        &engine,
        &intake_assets,
        &env,
        &intake_waiting,
        "Русский",
        &["contact_language_changed", "msg_created", "msg_wait"],
    );
    group.bench_function("intake_start", |b| {
        b.iter(|| {
            let contact = Contact::anonymous(CONTACT_UUID, "");
            black_box(engine.start(&intake_assets, &env, contact, Trigger::manual(intake.clone()), &mut rng))
        })
    });
    group.bench_function("intake_first_answer", |b| {
        b.iter_batched(
            || intake_waiting.clone(),
            |mut s| {
                let events = engine.resume(&intake_assets, &env, &mut s, msg("Русский"), &mut rng);
                black_box((s, events))
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, flow_step);
criterion_main!(benches);
