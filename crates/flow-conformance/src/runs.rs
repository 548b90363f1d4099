//! Cases that run sessions: `flow_run` (a flow, a contact, a trigger, resumes, and what is
//! expected after each) and `action` (one action run in a minimal flow). Inputs are read
//! leniently, as the files may come from other extractions of the reference's tests.

use safepassage_flows::definition::{LoadOptions, OUTSIDE_ACTION_TYPES};
use safepassage_flows::engine::{Assets, Config, Contact, Engine, Event, Resume, Session, Trigger};
use safepassage_flows::ids::SplitMix64;
use safepassage_flows::Env;
use serde_json::{json, Value as J};

use crate::case::{Case, Outcome};
use crate::engine_session::MockWebhooks;
use crate::expect;

const ACTION_FLOW: &str = "bead76f5-dac4-4c9d-996c-c62b326e8c0a";
const ACTION_NODE: &str = "72a1f5df-49f9-45df-94c9-d86f7ea064e5";

fn engine() -> Engine {
    Engine::new(Config::default()).with_webhooks(Box::new(MockWebhooks))
}

fn opts() -> LoadOptions {
    // Cases test the format; outside calls are answered by the local stand-in, never sent.
    LoadOptions::allowing(OUTSIDE_ACTION_TYPES.iter().copied())
}

/// The contact of the reference's action tests.
fn default_contact() -> J {
    json!({
        "uuid": "5d76d86b-3bb9-4d5a-b822-c9d86f5d8e4f", "name": "Ryan Lewis", "language": "eng",
        "timezone": "America/Guayaquil", "created_on": "2018-06-20T11:40:30.123456789-00:00",
        "urns": ["tel:+12065551212?channel=57f1078f-88aa-46f4-a59a-948a5739c03d&id=123", "twitterid:54784326227#nyaruka"],
        "groups": [{"uuid": "b7cf0d83-f1c9-411c-96fd-c511a4cfa86d", "name": "Testers"},
                   {"uuid": "0ec97956-c451-48a0-a180-1ce766623e31", "name": "Males"}],
        "fields": {"gender": {"text": "Male"}}
    })
}

/// Assets for action cases run outside the shared folder: the fields and groups the default
/// contact refers to.
fn default_assets() -> J {
    json!({
        "fields": [{"key": "gender", "name": "Gender", "type": "text"}, {"key": "age", "name": "Age", "type": "number"},
                   {"key": "join_date", "name": "Join Date", "type": "datetime"}, {"key": "state", "name": "State", "type": "state"}],
        "groups": [{"uuid": "b7cf0d83-f1c9-411c-96fd-c511a4cfa86d", "name": "Testers"},
                   {"uuid": "0ec97956-c451-48a0-a180-1ce766623e31", "name": "Males"}],
        "flows": []
    })
}

fn assets_json(input: &J, base: Option<J>) -> J {
    let mut a = input.get("assets").cloned().or(base).unwrap_or_else(|| json!({}));
    if !a.is_object() {
        a = json!({});
    }
    let mut flows: Vec<J> = a.get("flows").and_then(J::as_array).cloned().unwrap_or_default();
    for k in ["flow", "definition"] {
        if let Some(f) = input.get(k).filter(|f| f.is_object()) {
            flows.push(f.clone());
        }
    }
    if let Some(fs) = input.get("flows").and_then(J::as_array) {
        flows.extend(fs.iter().cloned());
    }
    a["flows"] = J::Array(flows);
    a
}

fn contact_of(input: &J) -> Result<Contact, String> {
    let c = input
        .get("contact")
        .or_else(|| input.get("trigger").and_then(|t| t.get("contact")))
        .filter(|c| c.is_object())
        .cloned()
        .unwrap_or_else(default_contact);
    serde_json::from_value(c).map_err(|e| format!("contact: {e}"))
}

fn env_of(input: &J, now: chrono::DateTime<chrono::Utc>) -> Result<Env, String> {
    let e = input
        .get("env")
        .or_else(|| input.get("environment"))
        .or_else(|| input.get("trigger").and_then(|t| t.get("environment")))
        .cloned()
        .unwrap_or(J::Null);
    Env::from_json(&e, now)
}

fn resume_of(r: &J) -> Result<Resume, String> {
    match r {
        J::String(text) => {
            Ok(Resume::Msg(safepassage_flows::engine::MsgIn { text: text.clone(), ..Default::default() }))
        }
        other => Resume::from_json(other),
    }
}

/// The expectation after each sprint: `outputs`/`steps`/`sprints`/… or the whole `expected`.
fn expectations(expected: &J) -> Vec<J> {
    if let Some(a) = expected.as_array() {
        return a.clone();
    }
    for k in ["outputs", "steps", "sprints", "after", "results_after"] {
        if let Some(a) = expected.get(k).and_then(J::as_array) {
            return a.clone();
        }
    }
    vec![expected.clone()]
}

fn check(exp: &J, session: &Session, events: &[Event]) -> Result<(), String> {
    if let Some(list) = exp.get("event_types").or_else(|| exp.get("events")).and_then(J::as_array) {
        expect::events(list, events)?;
    }
    if let Some(list) = exp.get("messages").or_else(|| exp.get("msgs")).and_then(J::as_array) {
        expect::messages(list, events)?;
    }
    if let Some(r) = exp.get("results") {
        expect::results(r, session)?;
    }
    let status = exp.get("status").or_else(|| exp.get("session_status")).and_then(J::as_str);
    if let Some(s) = status {
        if s != session.status.as_str() {
            return Err(format!("status: expected {s} got {}", session.status.as_str()));
        }
    }
    let runs = exp.get("run_statuses").or_else(|| exp.get("runs")).and_then(J::as_array);
    if let Some(rs) = runs {
        let got: Vec<&str> = session.runs.iter().map(|r| r.status.as_str()).collect();
        let want: Vec<&str> =
            rs.iter().filter_map(|r| r.as_str().or_else(|| r.get("status").and_then(J::as_str))).collect();
        if want != got {
            return Err(format!("run statuses: expected {want:?} got {got:?}"));
        }
    }
    if let Some(p) = exp.get("path").and_then(J::as_array) {
        let got: Vec<&str> = session.runs.iter().flat_map(|r| r.path.iter().map(|s| s.node_uuid.as_str())).collect();
        let want: Vec<&str> =
            p.iter().filter_map(|s| s.as_str().or_else(|| s.get("node_uuid").and_then(J::as_str))).collect();
        let first: Vec<&str> =
            session.runs.first().map(|r| r.path.iter().map(|s| s.node_uuid.as_str()).collect()).unwrap_or_default();
        if want != got && want != first {
            return Err(format!("path: expected {want:?} got {got:?}"));
        }
    }
    if let Some(c) = exp.get("contact").or_else(|| exp.get("contact_after")) {
        let got = session.contact.to_json();
        if !expect::matches(c, &got) {
            return Err(format!("contact: expected {c} got {got}"));
        }
    }
    Ok(())
}

fn wants_error(expected: &J) -> bool {
    ["error", "read_error", "rejected", "validation_error"]
        .iter()
        .any(|k| expected.get(*k).is_some_and(|v| !v.is_null() && v != &J::Bool(false)))
}

/// Runs a start and the resumes, checking the expectation after each.
fn play(case: &Case, assets: &Assets, env: &Env, contact: Contact, trigger: Trigger, resumes: &[J]) -> Outcome {
    let eng = engine();
    let mut rng = SplitMix64::new(123_456);
    let exps = expectations(&case.expected);
    let started = match eng.start(assets, env, contact, trigger, &mut rng) {
        Ok(s) => s,
        Err(e) if wants_error(&case.expected) => {
            let _ = e;
            return Outcome::Pass;
        }
        Err(e) => return Outcome::Fail(format!("start failed: {e}")),
    };
    let mut session = started.session;
    if let Some(first) = exps.first() {
        if let Err(e) = check(first, &session, &started.events) {
            return Outcome::Fail(format!("after start: {e}"));
        }
    }
    for (i, r) in resumes.iter().enumerate() {
        let resume = match resume_of(r) {
            Ok(r) => r,
            Err(e) => return Outcome::Fail(format!("resume {i}: {e}")),
        };
        // A stored session must resume as well as a live one.
        session = match Session::from_json(&session.to_json()) {
            Ok(s) => s,
            Err(e) => return Outcome::Fail(format!("session does not round-trip: {e}")),
        };
        let events = match eng.resume(assets, env, &mut session, resume, &mut rng) {
            Ok(ev) => ev,
            Err(e) => return Outcome::Fail(format!("resume {i} failed: {e}")),
        };
        if let Some(exp) = exps.get(i + 1) {
            if let Err(e) = check(exp, &session, &events) {
                return Outcome::Fail(format!("after resume {i}: {e}"));
            }
        }
    }
    if exps.len() > resumes.len() + 1 {
        return Outcome::Fail(format!("{} expectations for {} sprints", exps.len(), resumes.len() + 1));
    }
    Outcome::Pass
}

/// Fills a case that names a session fixture with the fixture's assets, contact, trigger and
/// resume, where the case gives none of its own.
fn with_fixture(input: &J, fixture: Option<J>) -> J {
    let Some(f) = fixture else { return input.clone() };
    let mut input = input.clone();
    let voice = input.get("voice").and_then(J::as_bool).unwrap_or(false);
    let pairs = [
        ("assets", if voice { "voiceSessionAssets" } else { "sessionAssets" }),
        ("contact", "sessionContact"),
        ("trigger", if voice { "voiceSessionTrigger" } else { "sessionTrigger" }),
    ];
    for (k, fk) in pairs {
        if input.get(k).is_none() {
            if let Some(v) = f.get(fk) {
                input[k] = v.clone();
            }
        }
    }
    if input.get("resumes").is_none() {
        if let Some(r) = f.get("sessionResume") {
            input["resumes"] = json!([r]);
        }
    }
    input
}

pub fn flow_run(case: &Case, env: &Env, fixture: Option<J>) -> Outcome {
    let input = &with_fixture(&case.input, fixture);
    let aj = assets_json(input, None);
    let assets = Assets::from_json(&aj, &opts());
    let trigger_json = input.get("trigger").cloned();
    let flow_uuid = trigger_json
        .as_ref()
        .and_then(|t| t.get("flow"))
        .and_then(|f| f.get("uuid"))
        .and_then(J::as_str)
        .or_else(|| input.get("flow_uuid").and_then(J::as_str))
        .or_else(|| aj["flows"].get(0).and_then(|f| f.get("uuid")).and_then(J::as_str))
        .unwrap_or("")
        .to_string();
    let trigger = match trigger_json {
        Some(mut t) if t.is_object() => {
            if t.get("flow").is_none() {
                t["flow"] = json!({"uuid": flow_uuid, "name": ""});
            }
            match Trigger::from_json(&t) {
                Ok(t) => t,
                Err(e) => return Outcome::Fail(e),
            }
        }
        _ => Trigger::manual(safepassage_flows::definition::FlowRef::new(&flow_uuid, "")),
    };
    let contact = match contact_of(input) {
        Ok(c) => c,
        Err(e) => return Outcome::Fail(e),
    };
    let resumes = input.get("resumes").and_then(J::as_array).cloned().unwrap_or_default();
    play(case, &assets, env, contact, trigger, &resumes)
}

/// `base`: assets to run in when the case brings none (fields, groups, topics of the fixture).
pub fn action(case: &Case, env: &Env, base: Option<J>) -> Outcome {
    let input = &case.input;
    let Some(action) = input.get("action").cloned() else {
        return flow_run(case, env, None);
    };
    let voice = input.get("in_flow_type").or_else(|| input.get("flow_type")).and_then(J::as_str) == Some("voice");
    let mut flow = json!({
        "uuid": ACTION_FLOW, "name": "Action Tester", "spec_version": "14.4.2", "language": "eng",
        "type": if voice { "voice" } else { "messaging" },
        "nodes": [{"uuid": ACTION_NODE, "actions": [action], "exits": [{"uuid": "d7a36118-0a38-4b35-a7e4-ae89042f0d3c"}]}]
    });
    if let Some(l) = input.get("localization").filter(|l| l.is_object()) {
        flow["localization"] = l.clone();
    }
    let base = base
        .map(|mut b| {
            // The fixture's own flows would only be noise here.
            b["flows"] = json!([]);
            b
        })
        .or_else(|| Some(default_assets()));
    let mut aj = assets_json(input, base);
    if let Some(fs) = aj["flows"].as_array_mut() {
        fs.retain(|f| f.get("uuid").and_then(J::as_str) != Some(ACTION_FLOW));
        fs.push(flow.clone());
    }
    let loaded = safepassage_flows::definition::Flow::from_json(&flow, &opts());
    if wants_error(&case.expected) && !case.expected.get("events").is_some_and(J::is_array) {
        return match loaded {
            Err(_) => Outcome::Pass,
            Ok(_) => Outcome::Fail("action loaded but should have been rejected".into()),
        };
    }
    if let Err(e) = loaded {
        return Outcome::Fail(format!("action rejected: {e}"));
    }
    let assets = Assets::from_json(&aj, &opts());
    let mut contact = match contact_of(input) {
        Ok(c) => c,
        Err(e) => return Outcome::Fail(e),
    };
    if input.get("localization").is_some_and(J::is_object) && input.get("contact").is_none() {
        contact.language = "spa".into();
    }
    let flow_ref = safepassage_flows::definition::FlowRef::new(ACTION_FLOW, "Action Tester");
    let no_input = input.get("no_input").and_then(J::as_bool).unwrap_or(false) || voice;
    let trigger = match input.get("trigger").filter(|t| t.is_object()) {
        Some(t) => {
            let mut t = t.clone();
            t["flow"] = json!({"uuid": ACTION_FLOW, "name": "Action Tester"});
            match Trigger::from_json(&t) {
                Ok(t) => t,
                Err(e) => return Outcome::Fail(e),
            }
        }
        None if no_input => Trigger::manual(flow_ref),
        None => Trigger::msg(
            flow_ref,
            safepassage_flows::engine::MsgIn {
                uuid: "aa90ce99-3b4d-44ba-b0ca-79e63d9ed842".into(),
                text: "Hi everybody".into(),
                urn: Some("tel:+12065551212".into()),
                attachments: vec![
                    "image/jpeg:http://http://s3.amazon.com/bucket/test.jpg".into(),
                    "audio/mp3:http://s3.amazon.com/bucket/test.mp3".into(),
                ],
                ..Default::default()
            },
        ),
    };
    play(case, &assets, env, contact, trigger, &[])
}

/// The environment of a run case: the case's own, or the reference's test defaults.
pub fn env_for_runs(input: &J, now: chrono::DateTime<chrono::Utc>) -> Result<Env, String> {
    let mut env = env_of(input, now)?;
    let given = ["env", "environment"].iter().any(|k| input.get(*k).is_some_and(|e| !e.is_null()))
        || input.get("trigger").and_then(|t| t.get("environment")).is_some_and(|e| !e.is_null());
    if !given {
        env.default_language = Some("eng".into());
        env.allowed_languages = vec!["eng".into(), "spa".into()];
        env.default_country = Some("RW".into());
    }
    Ok(env)
}
