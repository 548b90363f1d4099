//! Loading definitions: what is refused and how the refusal reads, migration on load, and
//! exports that come out as they went in.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use safepassage_flows::definition::export::load_flows;
use safepassage_flows::definition::{Flow, LoadOptions, SPEC_VERSION};
use serde_json::{json, Value};

fn flow(nodes: Value) -> Value {
    json!({"uuid": "8ca44c09-791d-453a-9799-a70dd3303306", "name": "Test", "spec_version": "13.0.0",
           "language": "eng", "type": "messaging", "nodes": nodes})
}

fn refusal(v: &Value) -> String {
    Flow::from_json(v, &LoadOptions::default()).unwrap_err().to_string()
}

#[test]
fn older_flows_are_migrated_on_load() {
    let v = json!({"uuid": "8ca44c09-791d-453a-9799-a70dd3303306", "name": "Old", "spec_version": "13.1.0",
        "language": "base", "type": "messaging", "_ui": {"nodes": {}},
        "nodes": [{"uuid": "3bd19c40-1114-4b83-b12e-f0c38054ba3f",
            "actions": [{"uuid": "9ad71fc4-c2f8-4aab-a193-7bafad172ca0", "type": "send_msg", "text": "@webhook.x",
                         "all_urns": true, "quick_replies": ["1","2","3","4","5","6","7","8","9","10","11"]}],
            "exits": [{"uuid": "e80bc037-3b57-45b5-9f19-a8346a475578"}]}]});
    let f = Flow::from_json(&v, &LoadOptions::default()).unwrap();
    assert_eq!(f.spec_version, SPEC_VERSION);
    assert_eq!(f.language, "und");
    let out = f.to_json();
    let action = &out["nodes"][0]["actions"][0];
    assert_eq!(action["text"], "@webhook.json.x");
    assert!(action.get("all_urns").is_none());
    assert_eq!(action["quick_replies"].as_array().unwrap().len(), 10);
    assert_eq!(out["_ui"], json!({"nodes": {}}));
}

#[test]
fn refusals_name_the_flow_the_node_and_the_problem() {
    let v = flow(json!([{"uuid": "3bd19c40-1114-4b83-b12e-f0c38054ba3f",
        "exits": [{"uuid": "e80bc037-3b57-45b5-9f19-a8346a475578", "destination_uuid": "9ad71fc4-c2f8-4aab-a193-7bafad172ca0"}]}]));
    assert_eq!(
        refusal(&v),
        "flow 'Test' (8ca44c09-791d-453a-9799-a70dd3303306): node 3bd19c40-1114-4b83-b12e-f0c38054ba3f: destination 9ad71fc4-c2f8-4aab-a193-7bafad172ca0 of exit[uuid=e80bc037-3b57-45b5-9f19-a8346a475578] isn't a known node"
    );
    let v = flow(json!([{"uuid": "3bd19c40-1114-4b83-b12e-f0c38054ba3f",
        "actions": [{"uuid": "9ad71fc4-c2f8-4aab-a193-7bafad172ca0", "type": "teleport"}],
        "exits": [{"uuid": "e80bc037-3b57-45b5-9f19-a8346a475578"}]}]));
    assert!(refusal(&v).ends_with("unknown action type 'teleport'"), "{}", refusal(&v));
    let v = flow(json!([{"uuid": "3bd19c40-1114-4b83-b12e-f0c38054ba3f",
        "router": {"type": "switch", "operand": "@input.text", "default_category_uuid": "7ecf6da0-6b8f-4f42-8a51-ae6dbc5f9b05",
            "cases": [{"uuid": "4b9f3a7d-3e5c-4c1f-8d2e-7b3a8f2c6e02", "type": "has_magic", "arguments": [], "category_uuid": "7ecf6da0-6b8f-4f42-8a51-ae6dbc5f9b05"}],
            "categories": [{"uuid": "7ecf6da0-6b8f-4f42-8a51-ae6dbc5f9b05", "name": "Other", "exit_uuid": "e80bc037-3b57-45b5-9f19-a8346a475578"}]},
        "exits": [{"uuid": "e80bc037-3b57-45b5-9f19-a8346a475578"}, {"uuid": "6dbe5c9f-5a7e-4e31-af40-9d5cab4e8a04"}]}]));
    assert!(refusal(&v).contains("exit 6dbe5c9f-5a7e-4e31-af40-9d5cab4e8a04 has no category"), "{}", refusal(&v));
    let mut v = v;
    v["nodes"][0]["exits"].as_array_mut().unwrap().pop();
    assert!(refusal(&v).contains("'has_magic' is not a valid case test"), "{}", refusal(&v));
}

#[test]
fn legacy_and_too_new_versions_are_refused_clearly() {
    let mut v = flow(json!([]));
    v["spec_version"] = json!("11.12");
    assert!(refusal(&v).contains("legacy format"));
    v["spec_version"] = json!("15.0.0");
    assert!(refusal(&v).contains("newer than this engine supports"));
    let export = json!({"version": "11", "flows": [{"name": "neither spec 13 nor legacy"}]});
    assert!(load_flows(&export, &LoadOptions::default()).unwrap_err().to_string().contains("legacy"));
}

#[test]
fn single_flows_and_exports_both_load() {
    let single = flow(json!([]));
    assert_eq!(load_flows(&single, &LoadOptions::default()).unwrap().len(), 1);
    let export = json!({"version": "13", "site": "x", "flows": [single.clone(), {
        "uuid": "2c3b2d7e-9f0b-4a32-a4f1-9d6f1a0a3c11", "name": "Two", "spec_version": "14.4.2", "language": "rus",
        "type": "voice", "nodes": []}]});
    let flows = load_flows(&export, &LoadOptions::default()).unwrap();
    assert_eq!(flows.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), ["Test", "Two"]);
}
