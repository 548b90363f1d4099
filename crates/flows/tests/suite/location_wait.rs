//! A flow that waits for a location (RapidPro's "wait for location": a message wait with the
//! hint `location`, operand `@input`): a point arrives as the attachment `geo:LAT,LON`, visible
//! as `@input.attachments`, and `has_location` routes it with `LAT,LON` as the result; words
//! take the other category.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use safepassage_flows::definition::{FlowRef, LoadOptions};
use safepassage_flows::engine::{Assets, Config, Contact, Engine, EventKind, MsgIn, Resume, SessionStatus, Trigger};
use safepassage_flows::ids::SplitMix64;
use safepassage_flows::Env;
use serde_json::{json, Value};

use crate::common::texts;

const FLOW: &str = "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e601";

fn flow() -> Value {
    json!({"version": "13", "flows": [{
        "uuid": FLOW, "name": "Where", "spec_version": "14.4.2", "language": "eng", "type": "messaging",
        "nodes": [
            {"uuid": "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e611",
             "actions": [{"uuid": "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e621", "type": "send_msg", "text": "Where are you?"}],
             "router": {"type": "switch", "operand": "@input", "result_name": "location",
                "wait": {"type": "msg", "hint": {"type": "location"}},
                "cases": [{"uuid": "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e631", "type": "has_location", "arguments": [],
                           "category_uuid": "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e641"}],
                "categories": [
                    {"uuid": "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e641", "name": "Location",
                     "exit_uuid": "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e651"},
                    {"uuid": "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e642", "name": "Other",
                     "exit_uuid": "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e652"}],
                "default_category_uuid": "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e642"},
             "exits": [
                {"uuid": "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e651", "destination_uuid": "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e612"},
                {"uuid": "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e652", "destination_uuid": "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e613"}]},
            {"uuid": "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e612",
             "actions": [{"uuid": "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e622", "type": "send_msg",
                          "text": "Got it: @results.location | @(input.attachments[0]) | @input"}],
             "exits": [{"uuid": "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e653"}]},
            {"uuid": "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e613",
             "actions": [{"uuid": "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e623", "type": "send_msg",
                          "text": "Please share a location."}],
             "exits": [{"uuid": "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e654", "destination_uuid": "6f1c2a3b-4d5e-4f60-8a71-92b3c4d5e611"}]}
        ]
    }]})
}

fn input(text: &str, attachments: &[&str]) -> Resume {
    Resume::Msg(MsgIn {
        uuid: "9bf91c2b-ce41-4ed4-9a4e-dc6ac3e3b8a4".into(),
        text: text.into(),
        attachments: attachments.iter().map(|a| (*a).to_owned()).collect(),
        ..Default::default()
    })
}

#[test]
fn a_shared_location_routes_to_its_category_with_the_point_as_result() {
    let assets = Assets::from_json(&flow(), &LoadOptions::default());
    let engine = Engine::new(Config::default());
    let env = Env::new(Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap());
    let mut rng = SplitMix64::new(9);
    let contact = Contact::anonymous("0ec97956-c451-48a0-a180-1ce766623e31", "eng");
    let started = engine.start(&assets, &env, contact, Trigger::manual(FlowRef::new(FLOW, "Where")), &mut rng).unwrap();
    let wait = started.events.iter().find_map(|e| match &e.kind {
        EventKind::MsgWait { hint, .. } => Some(hint.clone()),
        _ => None,
    });
    let hint = wait.expect("a message wait").expect("with its hint");
    assert_eq!(hint.kind, "location", "the hint is kept on import and in the wait");
    let mut session = started.session;

    // Words are not a location: the flow asks again.
    let events = engine.resume(&assets, &env, &mut session, input("near the school", &[]), &mut rng).unwrap();
    assert_eq!(texts(&events), ["Please share a location.", "Where are you?"]);
    assert_eq!(session.runs[0].results["location"].category, "Other");
    assert_eq!(session.runs[0].results["location"].value, "near the school");

    // A point, as a channel delivers a shared location.
    let events = engine.resume(&assets, &env, &mut session, input("", &["geo:48.015900,37.802800"]), &mut rng).unwrap();
    assert_eq!(texts(&events), ["Got it: 48.015900,37.802800 | geo:48.015900,37.802800 | 48.015900,37.802800"]);
    let result = &session.runs[0].results["location"];
    assert_eq!((result.category.as_str(), result.value.as_str()), ("Location", "48.015900,37.802800"));
    assert_eq!(session.status, SessionStatus::Completed);
}

#[test]
fn an_unknown_hint_is_refused_on_import() {
    let mut bad = flow();
    bad["flows"][0]["nodes"][0]["router"]["wait"]["hint"]["type"] = json!("smell");
    let refused = safepassage_flows::definition::export::Export::from_json(&bad, &LoadOptions::default());
    assert!(refused.is_err());
    let good = safepassage_flows::definition::export::Export::from_json(&flow(), &LoadOptions::default());
    assert!(good.is_ok(), "{:?}", good.err());
}
