//! Browser tests: the applicant web chat and the operator console in headless Chromium, driven by
//! `playwright-core` from `browser-tests/` (Node's test runner). This test starts the real stack on
//! 127.0.0.1 with a fresh SQLite store and two staff accounts, then runs
//! `node --test browser-tests/` against it and fails when any browser scenario fails.
//!
//! Needs Debian's `chromium` (`/usr/bin/chromium`, or `CHROMIUM`), Node.js and
//! `npm ci` in `browser-tests/`; `.ci/run` installs them. Without them this test is skipped with a
//! loud message, unless `CI` is set: then it fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use safepassage_domain::Role;
use safepassage_keys::MasterKey;
use safepassage_server::{AppState, ServerConfig};
use safepassage_store::{KeySource, Store, StoreConfig};

/// The whole browser run; each scenario has its own bound of two minutes in `browser-tests/`.
const RUN_TIMEOUT: Duration = Duration::from_secs(15 * 60);
/// One scenario at most (node's `--test-timeout`, in milliseconds).
const SCENARIO_TIMEOUT_MS: u64 = 150_000;

struct Account {
    name: String,
    password: String,
    totp_secret: Vec<u8>,
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("the repository root")
}

fn chromium_path() -> PathBuf {
    std::env::var_os("CHROMIUM").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

/// What is missing to run the browser tests, if anything.
fn missing_prerequisites(tests_dir: &Path) -> Vec<String> {
    let mut missing = Vec::new();
    let chromium = chromium_path();
    if !chromium.is_file() {
        missing.push(format!("Chromium at {} (Debian: apt-get install chromium)", chromium.display()));
    }
    match std::process::Command::new("node").arg("--version").output() {
        Ok(out) if out.status.success() => {}
        _ => missing.push("node (Debian: apt-get install nodejs npm)".to_owned()),
    }
    for package in ["playwright-core", "axe-core"] {
        if !tests_dir.join("node_modules").join(package).join("package.json").is_file() {
            missing.push(format!(
                "{package} in {}/node_modules (run: npm ci --prefix browser-tests)",
                tests_dir.display()
            ));
        }
    }
    missing
}

async fn create_account(state: &AppState, role: Role, name: &str) -> Account {
    let password = format!("pw-{name}-correct-horse-battery");
    let totp_secret = format!("browser-totp-{name}-0123456789").into_bytes();
    let hash = safepassage_keys::password::hash(&password);
    state.store.create_user(name, role, hash, &totp_secret).await.unwrap();
    Account { name: name.to_owned(), password, totp_secret }
}

fn account_env(prefix: &str, account: &Account) -> [(String, String); 3] {
    [
        (format!("{prefix}_NAME"), account.name.clone()),
        (format!("{prefix}_PASSWORD"), account.password.clone()),
        (format!("{prefix}_TOTP_SECRET_HEX"), hex::encode(&account.totp_secret)),
    ]
}

/// A line on the terminal even though libtest captures the test's `eprintln!` output (a passing
/// test's captured output is never shown, and a skip must not be silent).
fn say(line: String) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Sends `signal` to node's process group: its test files, and through Playwright's signal
/// handlers the browsers they started.
fn signal_group(pid: Option<u32>, signal: &str) {
    if let Some(pid) = pid {
        let _ =
            std::process::Command::new("kill").args([signal, "--", &format!("-{pid}")]).stderr(Stdio::null()).status();
    }
}

/// The quick exit's destination for the tests: a neutral page on another local port, so that
/// leaving the chat is a real cross-origin navigation that never leaves the machine.
async fn neutral_page() -> (String, tokio::sync::oneshot::Sender<()>) {
    let router = axum::Router::new().route(
        "/",
        axum::routing::get(|| async {
            axum::response::Html("<!doctype html><html lang=\"en\"><title>Weather</title><p>Sunny, 21 °C.</p></html>")
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(safepassage_server::launch(listener, router, async {
        let _ = stopped.await;
    }));
    (url, stop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_scenarios() {
    let repo = repo_root();
    let tests_dir = repo.join("browser-tests");
    let missing = missing_prerequisites(&tests_dir);
    if !missing.is_empty() {
        let list = missing.join("; ");
        if std::env::var_os("CI").is_some() {
            panic!("browser tests cannot run in CI, missing: {list}. .ci/run should have installed them.");
        }
        say(format!("\n!!!!!!!! SKIPPED: browser tests (crates/server/tests/browser.rs), missing: {list}"));
        say("!!!!!!!! Install them as .ci/run does to run the applicant chat and console in Chromium.\n".to_owned());
        return;
    }

    // The real stack, as in tests/http_suite: SQLite in a temporary file, an ephemeral port.
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("browser.db").display());
    let mut store_config = StoreConfig::new(url, KeySource::Hex(MasterKey::generate().to_hex()));
    store_config.fast_codename_hash = true;
    let store = Store::open(store_config).await.unwrap();
    let (neutral_url, stop_neutral) = neutral_page().await;
    let mut config = ServerConfig { quick_exit_url: Some(neutral_url.clone()), ..Default::default() };
    config.figures.public = true;
    let state = AppState::new(store, config);
    let operator = create_account(&state, Role::Operator, "browser-operator").await;
    let specialist = create_account(&state, Role::Specialist, "browser-specialist").await;
    let coordinator = create_account(&state, Role::Coordinator, "browser-coordinator").await;
    let second_coordinator = create_account(&state, Role::Coordinator, "browser-coordinator-2").await;
    let operations = create_account(&state, Role::Operations, "browser-operations").await;
    let analyst = create_account(&state, Role::Analyst, "browser-analyst").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(safepassage_server::launch(listener, safepassage_server::app(state.clone()), async {
        let _ = stopped.await;
    }));

    let screenshots = repo.join("target").join("screenshots");
    let _ = std::fs::remove_dir_all(&screenshots);
    std::fs::create_dir_all(&screenshots).unwrap();

    let mut command = tokio::process::Command::new("node");
    command
        .current_dir(&repo)
        .args([
            "--test",
            "--test-concurrency=1",
            &format!("--test-timeout={SCENARIO_TIMEOUT_MS}"),
            "--test-reporter=spec",
            "browser-tests/",
        ])
        .env("BASE_URL", &base)
        .envs(account_env("OPERATOR", &operator))
        .envs(account_env("SPECIALIST", &specialist))
        .envs(account_env("COORDINATOR", &coordinator))
        .envs(account_env("COORDINATOR2", &second_coordinator))
        .envs(account_env("OPERATIONS", &operations))
        .envs(account_env("ANALYST", &analyst))
        .env("SCREENSHOT_DIR", &screenshots)
        .env("CHROMIUM", chromium_path())
        .env("FORCE_COLOR", "0")
        // Browser profiles and the TOTP step notes of browser-tests/lib/helpers.js go with the run.
        .env("TMPDIR", dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::inherit())
        .stderr(Stdio::inherit())
        .process_group(0)
        .kill_on_drop(true);
    say(format!(
        "browser tests: node --test browser-tests/ against {base} (quick exit to {neutral_url}), screenshots in {}",
        screenshots.display()
    ));
    let started = Instant::now();
    let mut child = command.spawn().expect("start node");
    let pid = child.id();
    let status = match tokio::time::timeout(RUN_TIMEOUT, child.wait()).await {
        Ok(status) => status.expect("wait for node"),
        Err(_) => {
            signal_group(pid, "-TERM");
            tokio::time::sleep(Duration::from_secs(3)).await;
            signal_group(pid, "-KILL");
            panic!(
                "browser tests did not finish within {} s; node and its browsers were killed",
                RUN_TIMEOUT.as_secs()
            );
        }
    };
    signal_group(pid, "-TERM"); // anything a crashed test file left behind
    let _ = stop.send(());
    let _ = stop_neutral.send(());
    let _ = tokio::time::timeout(Duration::from_secs(5), server).await;

    assert!(
        status.success(),
        "browser tests failed ({status}) after {} s: see node's report above; screenshots of failing pages are in {}",
        started.elapsed().as_secs(),
        screenshots.join("failures").display()
    );
    for name in [
        "chat-ru-320.png",
        "queue.png",
        "case.png",
        "case-exit-path.png",
        "case-map.png",
        "package.png",
        "figures.png",
        "figures-public.png",
    ] {
        assert!(screenshots.join(name).is_file(), "the browser tests passed but did not save {name}");
    }
    say(format!("browser tests passed in {} s; screenshots in {}", started.elapsed().as_secs(), screenshots.display()));
}
