//! One test per kind: small hand-written cases (our own flows and expressions, none taken from
//! the reference's data) that pass, and a changed copy of each that must fail, so the comparison
//! rules of the README are pinned down kind by kind.

use std::path::Path;

use serde_json::{json, Value as J};

use crate::case::{Case, Outcome};
use crate::run::{run, Fixtures};

fn outcome(line: &J) -> Outcome {
    let case = Case::parse(&line.to_string(), "unit").expect("a case");
    run(&case, Path::new("."), &mut Fixtures::default())
}

fn passes(line: &J) {
    assert_eq!(outcome(line), Outcome::Pass, "{line}");
}

fn fails(line: &J) {
    let o = outcome(line);
    assert!(matches!(o, Outcome::Fail(_)), "should fail, got {o:?}: {line}");
}

/// `line` with `expected` replaced.
fn expecting(line: &J, expected: J) -> J {
    let mut l = line.clone();
    l["expected"] = expected;
    l
}

#[test]
fn function_call_compares_typed_values() {
    let c = json!({"id": "f/upper", "kind": "function_call",
        "input": {"function": "upper", "args": [{"text": "salut"}]}, "expected": {"value": {"text": "SALUT"}}});
    passes(&c);
    fails(&expecting(&c, json!({"value": {"text": "salut"}})));
    // Numbers are equal as decimals.
    let n = json!({"id": "f/abs", "kind": "function_call",
        "input": {"function": "abs", "args": [{"number": "-2.50"}]}, "expected": {"value": {"number": "2.5"}}});
    passes(&n);
    fails(&expecting(&n, json!({"value": {"text": "2.5"}})));
    // Any error equals any error: the wording is not compared.
    let e = json!({"id": "f/err", "kind": "function_call",
        "input": {"function": "abs", "args": [{"text": "not a number"}]}, "expected": {"value": {"error": "*"}}});
    passes(&e);
}

#[test]
fn test_call_compares_the_match_object() {
    let c = json!({"id": "t/word", "kind": "test_call",
        "input": {"function": "has_any_word", "args": [{"text": "the blue door"}, {"text": "red blue"}]},
        "expected": {"value": {"object": {"match": {"text": "blue"}}, "default": {"boolean": true}}}});
    passes(&c);
    fails(&expecting(&c, json!({"value": {"object": {"match": {"text": "red"}}, "default": {"boolean": true}}})));
    fails(&expecting(&c, json!({"value": {"object": {"match": {"text": "blue"}}}})));
}

#[test]
fn template_value_takes_an_error_value_or_a_raised_error() {
    let c = json!({"id": "v/sum", "kind": "template_value",
        "input": {"template": "@(3 + 4)", "context": {"object": {}}}, "expected": {"value": {"number": "7"}}});
    passes(&c);
    fails(&expecting(&c, json!({"value": {"number": "8"}})));
    // Division by zero: an error value, or an error raised, both pass for a single `@(...)`.
    let e = json!({"id": "v/div", "kind": "template_value",
        "input": {"template": "@(5 / 0)", "context": {"object": {}}}, "expected": {"value": {"error": "*"}}});
    passes(&e);
    fails(&expecting(&e, json!({"value": {"number": "0"}})));
}

#[test]
fn template_text_compares_output_json_error_and_events() {
    let ctx = json!({"object": {"who": {"text": "Ana"}}});
    let c = json!({"id": "x/hi", "kind": "template_text",
        "input": {"template": "Hi @who!", "context": ctx}, "expected": {"output": "Hi Ana!"}});
    passes(&c);
    fails(&expecting(&c, json!({"output": "Hi Ana"})));
    // `output_json` is compared as JSON: key order and spacing do not matter.
    let j = json!({"id": "x/json", "kind": "template_text",
        "input": {"template": "{\"n\": @(1 + 1), \"who\": \"@who\"}", "context": ctx},
        "expected": {"output_json": {"who": "Ana", "n": 2}}});
    passes(&j);
    fails(&expecting(&j, json!({"output_json": {"who": "Ana", "n": 3}})));
    // `error`: only that evaluation failed.
    let e = json!({"id": "x/err", "kind": "template_text",
        "input": {"template": "@(1 +)", "context": ctx}, "expected": {"error": "some other wording"}});
    passes(&e);
    fails(&expecting(&c, json!({"error": "x"})));
    // A template that evaluates cleanly emits no events: an empty list passes, another fails.
    passes(&expecting(&c, json!({"output": "Hi Ana!", "event_types": []})));
    fails(&expecting(&c, json!({"output": "Hi Ana!", "event_types": ["error"]})));
    // One that renders past a failed expression emits an `error` event for it.
    let f = json!({"id": "x/failed", "kind": "template_text",
        "input": {"template": "Hi @(1 / 0) @who", "context": ctx}, "expected": {"event_types": ["error"]}});
    passes(&f);
    fails(&expecting(&f, json!({"event_types": ["error", "error"]})));
    // `clock` is the time `now()` sees.
    let t = json!({"id": "x/clock", "kind": "template_text",
        "input": {"template": "@(format_date(now(), \"YYYY-MM-DD\"))", "clock": "2021-07-09T10:00:00Z",
                  "env": {"timezone": "UTC"}, "context": ctx},
        "expected": {"output": "2021-07-09"}});
    passes(&t);
}

#[test]
fn template_error_needs_a_raised_error() {
    let c = json!({"id": "e/syntax", "kind": "template_error",
        "input": {"template": "@(1 +)", "context": {"object": {}}}, "expected": {"error": "anything"}});
    passes(&c);
    let mut ok = c.clone();
    ok["input"]["template"] = json!("plain text");
    fails(&ok);
}

/// A small flow of ours: a message, then an exit to `dest`.
fn one_node_flow(uuid: &str, dest: Option<&str>) -> J {
    json!({"uuid": uuid, "name": "Mine", "spec_version": "14.4.2", "language": "eng", "type": "messaging",
        "nodes": [{"uuid": "0b7c5d36-36a9-4c32-9e5b-3f1e6a111111",
                   "actions": [{"uuid": "0b7c5d36-36a9-4c32-9e5b-3f1e6a111112", "type": "send_msg", "text": "hello"}],
                   "exits": [{"uuid": "0b7c5d36-36a9-4c32-9e5b-3f1e6a111113", "destination_uuid": dest}]}]})
}

#[test]
fn flow_validation_judges_loading() {
    let flow = "0b7c5d36-36a9-4c32-9e5b-3f1e6a000001";
    let broken = json!({"id": "v/dangling", "kind": "flow_validation",
        "input": {"assets": {"flows": [one_node_flow(flow, Some("0b7c5d36-36a9-4c32-9e5b-3f1e6a999999"))]}, "flow_uuid": flow},
        "expected": {"rejected": true}});
    passes(&broken);
    let fine = json!({"id": "v/fine", "kind": "flow_validation",
        "input": {"assets": {"flows": [one_node_flow(flow, None)]}, "flow_uuid": flow}, "expected": {"rejected": true}});
    fails(&fine);
}

#[test]
fn migration_masks_new_uuids_only() {
    let node = json!({"uuid": "7d0e1f2a-0000-4000-8000-000000000002",
        "actions": [{"uuid": "7d0e1f2a-0000-4000-8000-000000000003", "type": "send_msg", "text": "Hey @contact.name",
                     "templating": {"template": {"uuid": "7d0e1f2a-0000-4000-8000-000000000004", "name": "greet"},
                                    "variables": ["@contact.name"]}}],
        "exits": [{"uuid": "7d0e1f2a-0000-4000-8000-000000000005"}]});
    let old = json!({"uuid": "7d0e1f2a-0000-4000-8000-000000000001", "name": "Greeter", "spec_version": "13.0.0",
        "language": "eng", "type": "messaging", "nodes": [node]});
    let mut new = old.clone();
    new["spec_version"] = json!("13.1.0");
    // The migration gives the templating a UUID of its own: any new UUID matches.
    new["nodes"][0]["actions"][0]["templating"]["uuid"] = json!("11111111-2222-4333-8444-555555555555");
    let c = json!({"id": "m/13.1", "kind": "migration", "to_version": "13.1.0", "input": old, "expected": new});
    passes(&c);
    let mut wrong = new.clone();
    wrong["nodes"][0]["actions"][0]["text"] = json!("Hey you");
    fails(&expecting(&c, wrong));
}

const ACTION_FLOW: &str = "5e1b2c3d-0000-4000-8000-00000000a001";

/// An action case in the files' form: a flow holding the actions, a message trigger.
fn action_case(actions: J, expected: J) -> J {
    json!({"id": "a/mine", "kind": "action", "input": {
        "assets": {"flows": [{"uuid": ACTION_FLOW, "name": "Holder", "spec_version": "14.4.2", "language": "eng",
            "type": "messaging", "nodes": [{"uuid": "5e1b2c3d-0000-4000-8000-00000000a002", "actions": actions,
            "exits": [{"uuid": "5e1b2c3d-0000-4000-8000-00000000a003"}]}]}]},
        "flow_uuid": ACTION_FLOW,
        "contact": {"uuid": "5e1b2c3d-0000-4000-8000-00000000c001", "name": "Ana", "language": "eng",
                    "created_on": "2020-01-01T00:00:00Z", "urns": ["tel:+15550001111"], "fields": {}},
        "trigger": {"type": "msg", "flow": {"uuid": ACTION_FLOW, "name": "Holder"},
                    "msg": {"uuid": "5e1b2c3d-0000-4000-8000-00000000b001", "text": "hi", "urn": "tel:+15550001111"}}},
        "expected": expected})
}

#[test]
fn action_leaves_out_the_runs_start_and_end() {
    let actions = json!([
        {"uuid": "5e1b2c3d-0000-4000-8000-00000000a101", "type": "set_run_local", "local": "tries", "value": "2", "operation": "set"},
        {"uuid": "5e1b2c3d-0000-4000-8000-00000000a102", "type": "set_contact_name", "name": "Ana María"},
        {"uuid": "5e1b2c3d-0000-4000-8000-00000000a103", "type": "send_msg", "text": "Ready?", "quick_replies": ["Yes", "No"]}]);
    let msg = json!({"text": "Ready?", "quick_replies": ["Yes", "No"]});
    let c =
        action_case(actions.clone(), json!({"event_types": ["contact_name_changed", "msg_created"], "msgs": [msg]}));
    passes(&c);
    // The sprint's own first `run_started` and last `run_ended` are not part of the comparison.
    fails(&action_case(
        actions.clone(),
        json!({"event_types": ["run_started", "contact_name_changed", "msg_created", "run_ended"]}),
    ));
    // `events` are informative only.
    passes(&action_case(
        actions.clone(),
        json!({"event_types": ["contact_name_changed", "msg_created"], "events": [{"type": "nothing"}]}),
    ));
    // A message is compared on text, attachments and quick replies: channel, URN, locale and
    // UUID differ here and do not count; quick replies may be written as objects.
    let other = json!({"uuid": "00000000-0000-4000-8000-000000000000", "urn": "tel:+19999999999", "locale": "fra-FR",
        "channel": {"uuid": "00000000-0000-4000-8000-000000000001", "name": "Elsewhere"},
        "text": "Ready?", "quick_replies": [{"type": "text", "text": "Yes"}, {"type": "text", "text": "No"}]});
    passes(&action_case(actions.clone(), json!({"msgs": [other]})));
    fails(&action_case(actions.clone(), json!({"msgs": [{"text": "Ready?", "quick_replies": ["Yes", "Maybe"]}]})));
    fails(&action_case(actions.clone(), json!({"msgs": [{"text": "Ready?", "quick_replies": ["No", "Yes"]}]})));
    fails(&action_case(
        actions.clone(),
        json!({"msgs": [{"text": "Ready?", "attachments": ["image:https://example.invalid/a.png"], "quick_replies": ["Yes", "No"]}]}),
    ));
    // `contact_after` (with a `<uuid>` placeholder, a timestamp written another way and the
    // time of the message that started the session as `<now>`) and `locals_after`.
    let contact = json!({"uuid": "<uuid>", "name": "Ana María", "language": "eng", "status": "active",
        "created_on": "2020-01-01T00:00:00.000-00:00", "last_seen_on": "<now>", "urns": ["tel:+15550001111"],
        "groups": [], "fields": {}});
    passes(&action_case(actions.clone(), json!({"contact_after": contact, "locals_after": {"tries": "2"}})));
    let mut renamed = contact.clone();
    renamed["name"] = json!("Ana");
    fails(&action_case(actions.clone(), json!({"contact_after": renamed})));
    fails(&action_case(actions.clone(), json!({"locals_after": {"tries": "3"}})));
    // `read_error`: a send_msg without text must be refused when the flow is read.
    let bad = json!([{"uuid": "5e1b2c3d-0000-4000-8000-00000000a104", "type": "send_msg"}]);
    passes(&action_case(bad, json!({"read_error": "any wording"})));
    fails(&action_case(actions, json!({"read_error": "any wording"})));
}

const ROUTER_FLOW: &str = "6f2c3d4e-0000-4000-8000-00000000f001";
const ROUTER_NODE: &str = "6f2c3d4e-0000-4000-8000-00000000f002";

fn router_case(router: J, expected: J) -> J {
    let exits =
        json!([{"uuid": "6f2c3d4e-0000-4000-8000-00000000e001"}, {"uuid": "6f2c3d4e-0000-4000-8000-00000000e002"}]);
    json!({"id": "r/mine", "kind": "router", "input": {
        "assets": {"flows": [{"uuid": ROUTER_FLOW, "name": "Router", "spec_version": "14.4.2", "language": "eng",
            "type": "messaging", "nodes": [{"uuid": ROUTER_NODE, "actions": [], "router": router, "exits": exits}]}]},
        "flow_uuid": ROUTER_FLOW,
        "trigger": {"type": "manual", "flow": {"uuid": ROUTER_FLOW, "name": "Router"},
                    "contact": {"uuid": "6f2c3d4e-0000-4000-8000-00000000c001", "name": "Ana", "language": "eng",
                                "created_on": "2020-01-01T00:00:00Z", "fields": {}}}},
        "expected": expected})
}

fn categories() -> J {
    json!([{"uuid": "6f2c3d4e-0000-4000-8000-00000000d001", "name": "Short", "exit_uuid": "6f2c3d4e-0000-4000-8000-00000000e001"},
           {"uuid": "6f2c3d4e-0000-4000-8000-00000000d002", "name": "Other", "exit_uuid": "6f2c3d4e-0000-4000-8000-00000000e002"}])
}

#[test]
fn router_compares_results_and_event_types() {
    let switch = json!({"type": "switch", "operand": "@(upper(contact.name))", "result_name": "Name Kind",
        "categories": categories(), "default_category_uuid": "6f2c3d4e-0000-4000-8000-00000000d002",
        "cases": [{"uuid": "6f2c3d4e-0000-4000-8000-00000000c101", "type": "has_text", "arguments": [],
                   "category_uuid": "6f2c3d4e-0000-4000-8000-00000000d001"}]});
    let result = json!({"name": "Name Kind", "value": "ANA", "category": "Short", "node": ROUTER_NODE});
    let c =
        router_case(switch.clone(), json!({"results": {"name_kind": result}, "event_types": ["run_result_changed"]}));
    passes(&c);
    // The run's own start and end may be kept in the expectation too.
    passes(&router_case(
        switch.clone(),
        json!({"results": {"name_kind": result}, "event_types": ["run_started", "run_result_changed", "run_ended"]}),
    ));
    let mut other = result.clone();
    other["category"] = json!("Other");
    fails(&router_case(switch.clone(), json!({"results": {"name_kind": other}})));
    fails(&router_case(switch.clone(), json!({"results": {}})));
    fails(&router_case(switch.clone(), json!({"event_types": ["msg_created"]})));
    // A router that cannot be read: `read_error`.
    let unread = json!({"type": "switch", "categories": categories(), "cases": [],
        "default_category_uuid": "6f2c3d4e-0000-4000-8000-00000000dfff"});
    passes(&router_case(unread, json!({"read_error": "anything"})));
    fails(&router_case(switch, json!({"read_error": "anything"})));
    // A random router's pick is not compared: only the result's name and node.
    let random = json!({"type": "random", "result_name": "Coin", "categories": categories()});
    let picked = json!({"name": "Coin", "value": "0.123", "category": "Whichever", "node": ROUTER_NODE});
    passes(&router_case(random, json!({"results": {"coin": picked}})));
}

const RUN_FLOW: &str = "7a3d4e5f-0000-4000-8000-00000000f001";
const ASK: &str = "7a3d4e5f-0000-4000-8000-00000000f002";
const THANKS: &str = "7a3d4e5f-0000-4000-8000-00000000f003";

fn run_case(expected: J) -> J {
    let flow = json!({"uuid": RUN_FLOW, "name": "Ask", "spec_version": "14.4.2", "language": "eng", "type": "messaging",
        "nodes": [
            {"uuid": ASK, "actions": [{"uuid": "7a3d4e5f-0000-4000-8000-00000000a001", "type": "send_msg", "text": "Colour?", "quick_replies": ["Red", "Blue"]}],
             "router": {"type": "switch", "operand": "@input.text", "result_name": "Colour",
                        "wait": {"type": "msg"},
                        "categories": [{"uuid": "7a3d4e5f-0000-4000-8000-00000000d001", "name": "Red", "exit_uuid": "7a3d4e5f-0000-4000-8000-00000000e001"},
                                       {"uuid": "7a3d4e5f-0000-4000-8000-00000000d002", "name": "Other", "exit_uuid": "7a3d4e5f-0000-4000-8000-00000000e002"}],
                        "default_category_uuid": "7a3d4e5f-0000-4000-8000-00000000d002",
                        "cases": [{"uuid": "7a3d4e5f-0000-4000-8000-00000000c001", "type": "has_any_word", "arguments": ["red"],
                                   "category_uuid": "7a3d4e5f-0000-4000-8000-00000000d001"}]},
             "exits": [{"uuid": "7a3d4e5f-0000-4000-8000-00000000e001", "destination_uuid": THANKS},
                       {"uuid": "7a3d4e5f-0000-4000-8000-00000000e002", "destination_uuid": THANKS}]},
            {"uuid": THANKS, "actions": [{"uuid": "7a3d4e5f-0000-4000-8000-00000000a002", "type": "send_msg", "text": "Thanks, @results.colour.category_localized"}],
             "exits": [{"uuid": "7a3d4e5f-0000-4000-8000-00000000e003"}]}]});
    json!({"id": "fr/mine", "kind": "flow_run", "input": {
        "assets": {"flows": [flow]},
        "contact": {"uuid": "7a3d4e5f-0000-4000-8000-00000000c0c0", "name": "Ana", "language": "eng", "created_on": "2020-01-01T00:00:00Z"},
        "trigger": {"type": "manual", "flow": {"uuid": RUN_FLOW, "name": "Ask"}},
        "resumes": [{"type": "msg", "event": {"type": "msg_received", "msg": {"text": "red please"}}}]},
        "expected": expected})
}

#[test]
fn flow_run_compares_each_sprint() {
    let start = json!({"msgs": [{"text": "Colour?", "quick_replies": ["Red", "Blue"]}],
        "event_types": ["run_started", "msg_created", "msg_wait"], "session_status": "waiting",
        "runs": [{"flow": {"uuid": RUN_FLOW, "name": "Ask"}, "status": "waiting"}], "segments": []});
    let answer = json!({"msgs": [{"text": "Thanks, Red"}],
        "event_types": ["msg_received", "run_result_changed", "msg_created", "run_ended"],
        "results": {"colour": {"name": "Colour", "value": "red", "category": "Red", "input": "red please", "node": ASK}},
        "segments": [{"flow_uuid": RUN_FLOW, "node_uuid": ASK, "exit_uuid": "7a3d4e5f-0000-4000-8000-00000000e001", "destination_uuid": THANKS, "operand": "red please"}],
        "session_status": "completed", "runs": [{"flow": {"uuid": RUN_FLOW}, "status": "completed"}]});
    passes(&run_case(json!({"sprints": [start, answer]})));
    // Event types in order, run start and end included.
    let mut unordered = answer.clone();
    unordered["event_types"] = json!(["msg_received", "msg_created", "run_result_changed", "run_ended"]);
    fails(&run_case(json!({"sprints": [start, unordered]})));
    let mut no_end = answer.clone();
    no_end["event_types"] = json!(["msg_received", "run_result_changed", "msg_created"]);
    fails(&run_case(json!({"sprints": [start, no_end]})));
    let mut wrong_segment = answer.clone();
    wrong_segment["segments"][0]["exit_uuid"] = json!("7a3d4e5f-0000-4000-8000-00000000e002");
    fails(&run_case(json!({"sprints": [start, wrong_segment]})));
    let mut still_waiting = answer.clone();
    still_waiting["session_status"] = json!("waiting");
    fails(&run_case(json!({"sprints": [start, still_waiting]})));
    let mut failed_run = answer.clone();
    failed_run["runs"][0]["status"] = json!("failed");
    fails(&run_case(json!({"sprints": [start, failed_run]})));
    let mut wrong_value = answer.clone();
    wrong_value["results"]["colour"]["value"] = json!("red please");
    fails(&run_case(json!({"sprints": [start, wrong_value]})));
    // One expectation per sprint, no fewer.
    fails(&run_case(json!({"sprints": [start]})));
}

#[test]
fn a_wait_expiration_resume_ends_the_waiting_run_and_completes_the_session() {
    // As the reference's `wait_expiration`: the run expires, the session is completed.
    let mut c = run_case(json!({}));
    c["input"]["resumes"] = json!([{"type": "wait_expiration", "event": {"type": "wait_expired"}}]);
    let start = json!({"event_types": ["run_started", "msg_created", "msg_wait"], "session_status": "waiting"});
    let expired = json!({"msgs": [], "event_types": ["run_ended"], "session_status": "completed",
        "runs": [{"flow": {"uuid": RUN_FLOW}, "status": "expired"}]});
    c["expected"] = json!({"sprints": [start, expired]});
    passes(&c);
    c["expected"]["sprints"][1]["session_status"] = json!("expired");
    fails(&c);
}

#[test]
fn an_unknown_kind_fails_and_is_never_skipped() {
    fails(&json!({"id": "u/1", "kind": "telepathy", "input": {}, "expected": {}}));
    // Even one that needs a service the platform refuses.
    fails(&json!({"id": "u/2", "kind": "telepathy", "input": {}, "expected": {}, "needs": ["webhook"]}));
    fails(&json!({"id": "u/3", "input": {}, "expected": {}}));
}

#[test]
fn a_case_keeps_its_compare_line() {
    let c = Case::parse(r#"{"id": "c", "kind": "router", "compare": "results only"}"#, "s").expect("a case");
    assert_eq!(c.compare.as_deref(), Some("results only"));
}

#[test]
fn a_webhook_case_with_mocks_runs_and_others_are_refused() {
    let flow = json!({"uuid": "8b4e5f60-0000-4000-8000-00000000f001", "name": "Hook", "spec_version": "14.4.2",
        "language": "eng", "type": "messaging",
        "nodes": [{"uuid": "8b4e5f60-0000-4000-8000-00000000f002",
            "actions": [{"uuid": "8b4e5f60-0000-4000-8000-00000000a001", "type": "call_webhook", "method": "GET",
                         "url": "http://example.invalid/ping", "headers": {}, "body": "", "result_name": "Ping"}],
            "exits": [{"uuid": "8b4e5f60-0000-4000-8000-00000000e001"}]}]});
    let c = json!({"id": "w/hook", "kind": "action", "needs": ["webhook"], "input": {
        "assets": {"flows": [flow]}, "flow_uuid": "8b4e5f60-0000-4000-8000-00000000f001",
        "http_mocks": {"http://example.invalid/ping": [{"status": 201, "body": "{\"ok\": true}"}]}},
        "expected": {"event_types": ["webhook_called", "run_result_changed"],
                     "results": {"ping": {"value": "201", "category": "Success"}}}});
    // The mock's answer is what the engine saw.
    passes(&c);
    let mut refused = c.clone();
    refused["input"]["http_mocks"]["http://example.invalid/ping"][0]["status"] = json!(503);
    fails(&refused);
    let mut unmocked = c.clone();
    unmocked["input"].as_object_mut().expect("an object").remove("http_mocks");
    assert!(matches!(outcome(&unmocked), Outcome::Refused(_)));
    let mut llm = c.clone();
    llm["needs"] = json!(["llm"]);
    assert!(matches!(outcome(&llm), Outcome::Refused(_)));
}
