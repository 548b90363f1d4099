//! Rough timing of a flow step (start to the first wait, one resume), so a regression shows.
//! Ignored by default: run with `--release -- --ignored --nocapture` on a quiet machine.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use chrono::{TimeZone, Utc};
use safepassage_flows::definition::{FlowRef, LoadOptions};
use safepassage_flows::engine::{Assets, Config, Contact, Engine, MsgIn, Resume, Trigger};
use safepassage_flows::ids::SplitMix64;
use safepassage_flows::Env;
use serde_json::Value;

#[test]
#[ignore]
fn time_a_step() {
    let v: Value = serde_json::from_str(include_str!("data/intake_export.json")).unwrap();
    let assets = Assets::from_json(&v, &LoadOptions::default());
    let uuid = v["flows"][0]["uuid"].as_str().unwrap().to_string();
    let env = Env::new(Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap());
    let engine = Engine::new(Config::default());
    let mut rng = SplitMix64::new(1);
    let n = 20_000;
    let t = Instant::now();
    for _ in 0..n {
        let c = Contact::anonymous("0ec97956-c451-48a0-a180-1ce766623e31", "");
        let mut s = engine.start(&assets, &env, c, Trigger::manual(FlowRef::new(&uuid, "")), &mut rng).unwrap().session;
        let m = MsgIn { text: "русский".into(), ..Default::default() };
        engine.resume(&assets, &env, &mut s, Resume::Msg(m), &mut rng).unwrap();
    }
    let per = t.elapsed() / n;
    // Start + resume visit 3 nodes: a router with a wait, an action node, a message node.
    println!("start+resume: {per:?} per contact, ~{:?} per node", per / 3);
}
