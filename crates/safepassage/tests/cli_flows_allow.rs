//! `flows check` and `flows import` with `--allow`: only `call_webhook`, the one outside action
//! the platform runs, can be allowed; the allowance is stored with the file and audited; the
//! webhook hosts setting refuses what is not a host. Real processes, a real SQLite file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;

use common::{safepassage, text, BIN};

/// An export with one flow whose first node runs `action`.
fn flow_file(dir: &Path, file: &str, name: &str, action: &str) -> PathBuf {
    let flow = format!(
        r#"{{"version": "13", "flows": [{{"uuid": "0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f3001",
  "name": "{name}", "spec_version": "13.1.0", "language": "eng", "type": "messaging",
  "nodes": [{{"uuid": "3f6d3d5e-4b4f-4a44-8f4e-1b2a3c4d5e70", "actions": [{action}],
    "exits": [{{"uuid": "a1b2c3d4-0000-4000-8000-000000000002"}}]}}]}}]}}"#
    );
    let path = dir.join(file);
    std::fs::write(&path, flow).unwrap();
    path
}

const HOOK: &str = r#"{"uuid": "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b70", "type": "call_webhook", "method": "POST", "url": "https://hooks.example.org/intake", "headers": {}, "body": "@results", "result_name": "r"}"#;
const MAIL: &str = r#"{"uuid": "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b71", "type": "send_email", "addresses": ["a@example.org"], "subject": "s", "body": "@results"}"#;
const ENTER: &str = r#"{"uuid": "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b72", "type": "enter_flow", "flow": {"uuid": "0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f3099", "name": "Nowhere"}}"#;

#[test]
fn check_allows_only_what_is_named_and_the_platform_runs() {
    let dir = tempfile::tempdir().unwrap();
    let hooked = flow_file(dir.path(), "hooked.json", "Hooked", HOOK);
    let hooked = hooked.to_str().unwrap();

    let out = safepassage(dir.path(), &["flows", "check", hooked]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("flow 'Hooked' (0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f3001)"), "{err}");
    assert!(err.contains("node 3f6d3d5e-4b4f-4a44-8f4e-1b2a3c4d5e70"), "{err}");
    assert!(err.contains("action 9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b70 (call_webhook)"), "{err}");

    let out = safepassage(dir.path(), &["flows", "check", hooked, "--allow", "call_webhook"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("Hooked  0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f3001"), "{}", text(&out.stdout));

    // E-mail is an outside action the platform cannot run: it cannot be allowed.
    let mailing = flow_file(dir.path(), "mail.json", "Mailing", MAIL);
    let out = safepassage(dir.path(), &["flows", "check", mailing.to_str().unwrap(), "--allow", "send_email"]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("'send_email' cannot be allowed") && err.contains("only call_webhook"), "{err}");
    let out = safepassage(dir.path(), &["flows", "check", mailing.to_str().unwrap(), "--allow", "call_webhook"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("(send_email)"), "{}", text(&out.stderr));

    // A flow entered that is neither in the file nor shipped: named with the place.
    let lost = flow_file(dir.path(), "lost.json", "Lost", ENTER);
    let out = safepassage(dir.path(), &["flows", "check", lost.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("flow 'Lost'") && err.contains("(enter_flow)"), "{err}");
    assert!(err.contains("enters flow 'Nowhere' (0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f3099)"), "{err}");
}

#[test]
fn import_stores_and_audits_the_allowance() {
    let dir = tempfile::tempdir().unwrap();
    let hooked = flow_file(dir.path(), "hooked.json", "Hooked", HOOK);
    let hooked = hooked.to_str().unwrap();
    let out = safepassage(dir.path(), &["flows", "import", hooked]);
    assert_eq!(out.status.code(), Some(1), "refused without the allowance");
    assert!(text(&out.stderr).contains("(call_webhook)"), "{}", text(&out.stderr));
    let out = safepassage(dir.path(), &["flows", "import", hooked, "--allow", "send_email"]);
    assert_eq!(out.status.code(), Some(1));

    let out = safepassage(dir.path(), &["flows", "import", hooked, "--allow", "call_webhook"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("outside calls allowed for this file: call_webhook"), "{}", text(&out.stdout));

    let db = rusqlite::Connection::open(dir.path().join("safepassage-data/safepassage.db")).unwrap();
    let allowed: String = db.query_row("SELECT allowed_outside FROM flow_imports", [], |r| r.get(0)).unwrap();
    assert_eq!(allowed, "call_webhook");
    let payload: Vec<u8> =
        db.query_row("SELECT payload FROM events WHERE kind = 'flows_imported'", [], |r| r.get(0)).unwrap();
    let event: serde_json::Value = serde_json::from_slice(&payload).unwrap();
    assert_eq!(event["allowed_outside"], serde_json::json!(["call_webhook"]), "{event}");
    let out = safepassage(dir.path(), &["audit", "verify"]);
    assert_eq!(text(&out.stdout).trim(), "1 events, chain intact", "{}", text(&out.stderr));
}

#[test]
fn webhook_hosts_must_be_hosts() {
    let dir = tempfile::tempdir().unwrap();
    let plain = flow_file(dir.path(), "plain.json", "Plain", HOOK);
    let plain = plain.to_str().unwrap();
    for wrong in ["https://hooks.example.org", "hooks.example.org:0", "hooks.example.org/path", "*.example.org"] {
        let out = safepassage(dir.path(), &["--flow-webhook-hosts", wrong, "flows", "check", plain]);
        assert_eq!(out.status.code(), Some(2), "{wrong}");
        assert!(text(&out.stderr).contains("flow_webhook_hosts"), "{wrong}: {}", text(&out.stderr));
    }
    let config = dir.path().join("settings.toml");
    std::fs::write(
        &config,
        "flow_webhook_hosts = [\"hooks.example.org\", \"127.0.0.1\", \"[::1]\", \"hooks.example.org:8443\"]\n",
    )
    .unwrap();
    let args = ["--config", config.to_str().unwrap(), "flows", "check", plain, "--allow", "call_webhook"];
    let out = safepassage(dir.path(), &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = Command::new(BIN)
        .args(["flows", "check", plain, "--allow", "call_webhook"])
        .current_dir(dir.path())
        .env("SAFEPASSAGE_FLOW_WEBHOOK_HOSTS", "hooks.example.org,https://x")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "the variable is read too: {}", text(&out.stderr));
}
