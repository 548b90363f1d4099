//! Every `safepassage-bench` subcommand at a tiny size, as the README runs it: it must finish
//! and print its last line in the documented format. Speeds are never asserted here (the
//! benchmarks report them); this only keeps a benchmark from breaking silently.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

const BENCH: &str = env!("CARGO_BIN_EXE_safepassage-bench");
/// A tiny run takes seconds; a loaded CI machine gets a generous bound.
const LIMIT: Duration = Duration::from_secs(180);

/// The `safepassage` binary built beside this test (by `cargo test --workspace`, or
/// `cargo build -p safepassage`), which `streams` starts.
fn server_bin() -> PathBuf {
    let deps = std::env::current_exe().unwrap();
    let bin = deps.parent().unwrap().parent().unwrap().join("safepassage");
    assert!(bin.is_file(), "{} not found: build it first (cargo build -p safepassage)", bin.display());
    bin
}

fn postgres_url() -> String {
    std::env::var("SAFEPASSAGE_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// Runs the bench with `args` and returns its last line of standard output. The environment
/// asks for the strictest chat limits: a bench that starts a server must switch them off
/// (it measures capacity), and the settings of its command line win over the environment.
fn last_line(args: &[&str]) -> String {
    let started = Instant::now();
    let out = Command::new(BENCH)
        .args(args)
        .env("SAFEPASSAGE_NEW_CHAT_LIMIT", "1/h,1")
        .env("SAFEPASSAGE_CHAT_MESSAGE_LIMIT", "1/h,1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "safepassage-bench {args:?} failed ({}):\n{stderr}", out.status);
    assert!(started.elapsed() < LIMIT, "safepassage-bench {args:?} took {:?}", started.elapsed());
    stdout.lines().last().unwrap_or_else(|| panic!("{args:?} printed nothing; stderr:\n{stderr}")).to_owned()
}

/// Checks `line` is `<command> key=value …` with exactly `keys` in that order, each value of
/// its kind.
fn assert_format(line: &str, command: &str, keys: &[(&str, Value)]) {
    let mut words = line.split(' ');
    assert_eq!(words.next(), Some(command), "{line}");
    let pairs: Vec<(&str, &str)> =
        words.map(|w| w.split_once('=').unwrap_or_else(|| panic!("{w} in {line}"))).collect();
    let names: Vec<&str> = pairs.iter().map(|(k, _)| *k).collect();
    let expected: Vec<&str> = keys.iter().map(|(k, _)| *k).collect();
    assert_eq!(names, expected, "{line}");
    for ((key, value), (_, kind)) in pairs.iter().zip(keys) {
        let fits = match kind {
            Value::Count => value.parse::<u64>().is_ok_and(|n| n > 0),
            Value::Number => value.parse::<f64>().is_ok_and(|n| n.is_finite() && n >= 0.0),
            Value::Is(want) => value == want,
        };
        assert!(fits, "{key}={value} is not {kind:?} in {line}");
    }
}

#[derive(Debug)]
enum Value {
    Count,
    Number,
    Is(&'static str),
}

#[test]
fn ingest_on_sqlite_and_postgres() {
    for backend in ["sqlite", "postgres"] {
        let url = postgres_url();
        let mut args =
            vec!["ingest", "--backend", backend, "--messages", "300", "--writers", "8", "--conversations", "10"];
        if backend == "postgres" {
            args.extend(["--postgres-url", &url]);
        }
        let line = last_line(&args);
        assert_format(
            &line,
            "ingest",
            &[
                ("backend", Value::Is(backend)),
                ("messages", Value::Is("300")),
                ("per_sec", Value::Number),
                ("p99_ms", Value::Number),
                ("baseline_per_sec", Value::Number),
            ],
        );
    }
}

#[test]
fn chat_with_free_text_and_with_a_script() {
    let keys = |messages| {
        [
            ("backend", Value::Is("sqlite")),
            ("messages", Value::Is(messages)),
            ("per_sec", Value::Number),
            ("p99_ms", Value::Number),
        ]
    };
    // 25 messages each: past the chat's default burst of 20, which the bench must switch off.
    let line = last_line(&["chat", "--applicants", "6", "--messages", "25", "--connections", "3"]);
    assert_format(&line, "chat", &keys("150"));
    let script = "Русский,Военный,На фронте,Вопрос";
    let line = last_line(&["chat", "--applicants", "6", "--messages", "4", "--connections", "3", "--script", script]);
    assert_format(&line, "chat", &keys("24"));
}

#[test]
fn telegram_updates_through_the_webhook_and_the_outbox() {
    let line = last_line(&["telegram", "--updates", "40", "--chats", "8", "--connections", "4"]);
    assert_format(
        &line,
        "telegram",
        &[
            ("backend", Value::Is("sqlite")),
            ("updates", Value::Is("40")),
            ("per_sec", Value::Number),
            ("p99_ms", Value::Number),
        ],
    );
}

#[test]
fn streams_with_the_server_binary() {
    let bin = server_bin();
    let line = last_line(&["streams", "--count", "300", "--server-bin", bin.to_str().unwrap()]);
    assert_format(
        &line,
        "streams",
        &[
            ("count", Value::Is("300")),
            ("rss_before_kib", Value::Count),
            ("rss_after_kib", Value::Count),
            ("per_stream_kib", Value::Number),
        ],
    );
}

/// The `wave` keys, in order, for `backend` with `nodes` and `applicants`.
fn wave_keys(backend: &'static str, nodes: &'static str, applicants: &'static str) -> [(&'static str, Value); 7] {
    [
        ("backend", Value::Is(backend)),
        ("nodes", Value::Is(nodes)),
        ("applicants", Value::Is(applicants)),
        ("messages", Value::Count),
        ("per_sec", Value::Number),
        ("p99_ms", Value::Number),
        ("bot_p99_ms", Value::Number),
    ]
}

/// Runs `wave` and returns its last two lines: the accounting (`lost=0` checked; with `whole`,
/// also that every applicant walked its whole path) and the summary.
fn wave_lines(args: &[&str], whole: bool) -> (String, String) {
    let started = Instant::now();
    let out = Command::new(BENCH)
        .args(args)
        .env("SAFEPASSAGE_NEW_CHAT_LIMIT", "1/h,1")
        .env("SAFEPASSAGE_CHAT_MESSAGE_LIMIT", "1/h,1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "safepassage-bench {args:?} failed ({}):\n{stderr}", out.status);
    assert!(started.elapsed() < LIMIT, "safepassage-bench {args:?} took {:?}", started.elapsed());
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines.len() >= 2, "{args:?} printed {stdout}; stderr:\n{stderr}");
    let accounting = lines[lines.len() - 2];
    assert!(accounting.starts_with("wave acknowledged=") && accounting.contains(" lost=0 "), "{accounting}\n{stderr}");
    if whole {
        assert!(accounting.contains(" stuck=0 ") && accounting.contains(" failed=0 "), "{accounting}\n{stderr}");
    }
    (accounting.to_owned(), lines[lines.len() - 1].to_owned())
}

#[test]
fn wave_on_sqlite_with_operators_replying() {
    let bin = server_bin();
    let args = ["wave", "--applicants", "40", "--ramp-secs", "2", "--operators", "2", "--operator-pause-ms", "50"];
    let (accounting, line) = wave_lines(&[&args[..], &["--server-bin", bin.to_str().unwrap()]].concat(), true);
    assert_format(&line, "wave", &wave_keys("sqlite", "1", "40"));
    let count = |key: &str| -> u64 {
        let pair = accounting.split(' ').find(|w| w.starts_with(&format!("{key}="))).unwrap();
        pair.split_once('=').unwrap().1.parse().unwrap()
    };
    assert!(count("replies") > 0, "the operators replied: {accounting}");
    assert_eq!(count("replies_delivered"), count("replies"), "every reply reached its stream: {accounting}");
}

#[test]
fn wave_refuses_two_nodes_on_sqlite() {
    let out = Command::new(BENCH).args(["wave", "--nodes", "2", "--applicants", "5"]).output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs --backend postgres"));
}

#[test]
fn wave_on_postgres_survives_a_killed_node() {
    let bin = server_bin();
    let url = postgres_url();
    let args = [
        "wave",
        "--backend",
        "postgres",
        "--postgres-url",
        &url,
        "--applicants",
        "40",
        "--ramp-secs",
        "3",
        "--kill-after",
        "1.5",
        "--operators",
        "2",
        "--operator-pause-ms",
        "50",
    ];
    // A message acknowledged just before the kill may miss the bot's answer: only `lost` counts.
    let (accounting, line) = wave_lines(&[&args[..], &["--server-bin", bin.to_str().unwrap()]].concat(), false);
    assert_format(&line, "wave", &wave_keys("postgres", "1", "40"));
    assert!(accounting.contains("_down"), "node 0 was killed and restarted: {accounting}");
}

#[test]
fn console_pages_with_a_tiny_world() {
    let line = last_line(&["console", "--cases", "200", "--messages", "1000", "--requests", "5", "--writers", "16"]);
    assert_format(
        &line,
        "console",
        &[
            ("cases", Value::Is("200")),
            ("queue_ms", Value::Number),
            ("case_ms", Value::Number),
            ("mine_ms", Value::Number),
            ("unassigned_ms", Value::Number),
            ("list_ms", Value::Number),
        ],
    );
}

#[test]
fn figures_with_a_tiny_wave() {
    let line = last_line(&[
        "figures",
        "--contacts",
        "600",
        "--cases",
        "100",
        "--days",
        "30",
        "--requests",
        "5",
        "--writers",
        "16",
    ]);
    assert_format(
        &line,
        "figures",
        &[
            ("backend", Value::Is("sqlite")),
            ("contacts", Value::Number),
            ("cases", Value::Is("100")),
            ("dashboard_ms", Value::Number),
            ("public_ms", Value::Number),
        ],
    );
}
