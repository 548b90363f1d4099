//! Runs `flow-conformance` on the shared goflow case files and holds each suite to a floor.
//! The files are AGPL test data kept outside the repository, in `../shared`, read at test time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

/// Passed cases per suite. Raise these as the engine grows; never lower them.
const FLOORS: &[(&str, usize)] =
    &[("doc_examples", 486), ("router_tests", 256), ("broken_flows", 26), ("migrations", 41)];

fn shared_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/goflow")
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

#[test]
fn conformance_never_goes_below_its_floor() {
    let dir = shared_dir();
    if !dir.is_dir() {
        assert!(!ci(), "conformance cases missing at {} (required when CI is set)", dir.display());
        eprintln!("SKIPPED: conformance cases not found at {}; floors not checked", dir.display());
        return;
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .jsonl files in {}", dir.display());

    let out = Command::new(env!("CARGO_BIN_EXE_flow-conformance")).args(&files).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    print!("{stdout}");
    assert!(out.status.success(), "flow-conformance failed: {}", String::from_utf8_lossy(&out.stderr));

    let mut passed: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut total_line = None;
    for line in stdout.lines() {
        let fields: BTreeMap<&str, &str> =
            line.split_whitespace().skip(1).filter_map(|kv| kv.split_once('=')).collect();
        if !line.starts_with("conformance ") {
            continue;
        }
        let p: usize = fields["passed"].parse().unwrap();
        let t: usize = fields["total"].parse().unwrap();
        assert!(p <= t, "{line}");
        match fields.get("suite") {
            Some(s) => {
                passed.insert((*s).to_string(), (p, t));
            }
            None => total_line = Some((p, t)),
        }
    }
    let (p, t) = total_line.expect("a total line");
    assert_eq!(p, passed.values().map(|x| x.0).sum::<usize>());
    assert_eq!(t, passed.values().map(|x| x.1).sum::<usize>());
    for (suite, floor) in FLOORS {
        let Some((got, _)) = passed.get(*suite) else {
            panic!("suite {suite} was not reported");
        };
        assert!(got >= floor, "suite {suite}: {got} passed, below its floor of {floor}");
    }
}

/// The project's own run and action cases (written for this engine, kept in the repository)
/// must all pass: they pin the engine's behaviour where the shared files are silent.
#[test]
fn own_cases_all_pass() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let out = Command::new(env!("CARGO_BIN_EXE_flow-conformance")).arg("-v").arg(&dir).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let total = stdout.lines().find(|l| l.starts_with("conformance passed=")).expect("a total line");
    let fields: BTreeMap<&str, &str> = total.split_whitespace().skip(1).filter_map(|kv| kv.split_once('=')).collect();
    assert!(fields["total"] != "0", "no own cases found in {}", dir.display());
    assert_eq!(fields["passed"], fields["total"], "{stdout}{stderr}");
}
