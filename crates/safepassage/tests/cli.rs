//! The `safepassage` binary as an operator runs it: real processes, real files, real sockets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

mod common;

#[path = "cli/channels.rs"]
mod channels;
#[path = "cli/two_nodes.rs"]
mod two_nodes;

use common::{safepassage, text, BIN};

/// A running `serve` or `demo`, killed on drop.
struct Running {
    child: Child,
    base: String,
    /// Where the console is: the public listener unless `--console-listen` gave it its own.
    console: String,
    metrics: String,
    /// What it printed on standard output up to its address (demo: up to the logins).
    stdout: Vec<String>,
    /// Where its standard error goes, shown when it does not come up.
    stderr: std::path::PathBuf,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Running {
    fn stderr(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }
}

/// `safepassage COMMAND` in `dir` on ports the kernel picks (port 0, so no other process can
/// take them between choosing and binding), once it has printed its address and, for `demo`,
/// its logins; then once `/healthz` answers.
async fn start(dir: &Path, command: &str, extra: &[&str]) -> Running {
    let stderr = dir.join(format!("{command}-{}.stderr", uniq()));
    let mut child = Command::new(BIN)
        .args([command, "--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0"])
        .args(extra)
        .current_dir(dir)
        .env_remove("SAFEPASSAGE_MASTER_KEY")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let last_line = if command == "demo" { "TOTP enrolment URI" } else { "Safe Passage at " };
    let (sender, received) = std::sync::mpsc::channel();
    // Reads until the last line it waits for, then keeps draining so the pipe never fills.
    std::thread::spawn(move || {
        let mut lines = Vec::new();
        let mut sent = false;
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if !sent {
                let done = line.starts_with(last_line);
                lines.push(line);
                if done {
                    let _ = sender.send(std::mem::take(&mut lines));
                    sent = true;
                }
            }
        }
    });
    let mut running = Running {
        child,
        base: String::new(),
        console: String::new(),
        metrics: String::new(),
        stdout: Vec::new(),
        stderr,
    };
    let lines = match received.recv_timeout(STARTUP) {
        Ok(lines) => lines,
        Err(_) => panic!(
            "{command} did not print its address within {STARTUP:?} (exit: {:?}); stderr:\n{}",
            running.child.try_wait().unwrap(),
            running.stderr()
        ),
    };
    let at = lines.iter().find_map(|l| l.split_once(" at http://")).map(|(_, rest)| rest).unwrap();
    let (public, rest) = at.split_once("/ (console on http://").unwrap();
    let (console, rest) = rest.split_once("/console; metrics on http://").unwrap();
    let metrics = rest.trim_end_matches("/metrics)");
    running.base = format!("http://{public}");
    running.console = format!("http://{console}");
    running.metrics = format!("http://{metrics}");
    running.stdout = lines;
    let health = get_when_up(&format!("{}/healthz", running.base)).await;
    assert_eq!(health.status(), 200, "stderr:\n{}", running.stderr());
    running
}

/// The kinds of the events in the serve store under `dir`, in order.
fn event_kinds(dir: &Path) -> Vec<String> {
    let db = rusqlite::Connection::open(dir.join("safepassage-data/safepassage.db")).unwrap();
    let mut statement = db.prepare("SELECT kind FROM events ORDER BY seq").unwrap();
    statement.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

/// How long a process may take to come up on a loaded CI machine.
const STARTUP: Duration = Duration::from_secs(120);

fn uniq() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

async fn start_demo(dir: &Path) -> Running {
    start(dir, "demo", &[]).await
}

/// `serve` on ports of its own in `dir`, once `/healthz` answers.
async fn start_serve(dir: &Path) -> Running {
    start(dir, "serve", &[]).await
}

/// `serve` with more settings on its command line.
async fn start_serve_with(dir: &Path, extra: &[&str]) -> Running {
    start(dir, "serve", extra).await
}

async fn get_when_up(url: &str) -> reqwest::Response {
    let deadline = Instant::now() + STARTUP;
    loop {
        match reqwest::get(url).await {
            Ok(response) => return response,
            Err(e) if Instant::now() > deadline => panic!("{url} never answered: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

#[tokio::test]
async fn a_console_listener_of_its_own_takes_the_console_off_the_public_one() {
    let dir = tempfile::tempdir().unwrap();
    let running = start_serve_with(dir.path(), &["--console-listen", "127.0.0.1:0"]).await;
    assert_ne!(running.console, running.base);
    let status = |url: String| async move { reqwest::get(url).await.unwrap().status().as_u16() };
    // The public listener: the chat, and no console route at all.
    assert_eq!(status(format!("{}/", running.base)).await, 200);
    for path in ["/console", "/console/login", "/console/queue", "/console/events"] {
        assert_eq!(status(format!("{}{path}", running.base)).await, 404, "public {path}");
    }
    let posted = reqwest::Client::new().post(format!("{}/console/login", running.base)).send().await.unwrap();
    assert_eq!(posted.status(), 404, "no login on the public listener");
    // The console's listener: the console, and no applicant route.
    assert_eq!(status(format!("{}/console/login", running.console)).await, 200);
    assert_eq!(status(format!("{}/healthz", running.console)).await, 200);
    assert_eq!(status(format!("{}/", running.console)).await, 404);
    assert_eq!(status(format!("{}/api/openapi.json", running.console)).await, 404);
    assert_eq!(status(format!("{}/api/openapi.json", running.base)).await, 200);
    // A POST anywhere outside the console's routes meets its CSRF check first (403): either way
    // no conversation is made.
    let chat = reqwest::Client::new().post(format!("{}/api/v1/chat/sessions", running.console)).send().await.unwrap();
    assert!(matches!(chat.status().as_u16(), 403 | 404), "no chat API on the console listener: {}", chat.status());
}

#[tokio::test]
async fn demo_starts_on_a_fresh_directory_and_twice_is_harmless() {
    let dir = tempfile::tempdir().unwrap();
    let first = start_demo(dir.path()).await;
    let all = first.stdout.join("\n");
    assert!(all.contains(&first.base), "prints its address: {all}");
    assert!(all.contains("demo.operator") && all.contains("demo-operator-password"), "prints the logins: {all}");
    let health = get_when_up(&format!("{}/healthz", first.base)).await;
    assert_eq!(health.status(), 200);
    assert_eq!(first.console, first.base, "without --console-listen the console is on the public listener");
    assert_eq!(reqwest::get(format!("{}/console/login", first.base)).await.unwrap().status(), 200);
    let metrics = get_when_up(&format!("{}/metrics", first.metrics)).await.text().await.unwrap();
    assert!(metrics.contains("safepassage_store_jobs_total"), "{metrics}");
    assert!(
        metrics.contains(r#"safepassage_store_rows{table="users"} 7"#),
        "one per role and a second coordinator: {metrics}"
    );
    assert!(metrics.contains(r#"safepassage_chat_rate_limited_total{kind="new_chat"} 0"#), "{metrics}");
    // Metrics are not on the public listener.
    assert_eq!(reqwest::get(format!("{}/metrics", first.base)).await.unwrap().status(), 404);
    drop(first);
    let seeded = case_states(dir.path());

    let second = start_demo(dir.path()).await;
    assert_eq!(get_when_up(&format!("{}/healthz", second.base)).await.status(), 200);
    let metrics = get_when_up(&format!("{}/metrics", second.metrics)).await.text().await.unwrap();
    assert!(metrics.contains(r#"safepassage_store_rows{table="users"} 7"#), "seeded once: {metrics}");
    assert_eq!(case_states(dir.path()), seeded, "the cases are seeded once");
    let mode = std::fs::metadata(dir.path().join("safepassage-data/demo.key")).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

/// Every case's state in the demo store under `dir`, sorted.
fn case_states(dir: &Path) -> Vec<String> {
    let db = rusqlite::Connection::open(dir.join("safepassage-data/demo.db")).unwrap();
    let mut statement = db.prepare("SELECT state FROM cases ORDER BY state").unwrap();
    statement.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

/// Logs a demo account in (its printed password, the shared TOTP secret) on `running`'s console.
async fn demo_login(running: &Running, name: &str, password: &str) -> reqwest::Client {
    let client =
        reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let page = client.get(format!("{}/console/login", running.console)).send().await.unwrap().text().await.unwrap();
    let csrf = page.split("name=\"csrf\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let code =
        totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, b"safepassage-demo-20b".to_vec(), None, "t".into())
            .unwrap()
            .generate_current()
            .unwrap();
    let form = [("csrf", csrf.as_str()), ("username", name), ("password", password), ("totp", code.as_str())];
    let response = client.post(format!("{}/console/login", running.console)).form(&form).send().await.unwrap();
    assert_eq!(response.status(), 303, "login of {name}");
    let to = response.headers().get("location").unwrap().to_str().unwrap().to_owned();
    assert!(!to.starts_with("/console/login"), "login of {name} refused: {to}");
    client
}

/// The demo shows the whole path: a case in every state (a group among them), conversations
/// waiting, and a package for operations.
#[tokio::test]
async fn demo_seeds_a_case_in_every_state_and_a_package_for_operations() {
    let dir = tempfile::tempdir().unwrap();
    let running = start_demo(dir.path()).await;
    let states = case_states(dir.path());
    for state in ["inquiry", "registered", "deployed", "located", "plan_approved", "handed_off", "exited", "closed"] {
        assert!(states.iter().any(|s| s == state), "a case at {state}: {states:?}");
    }
    let db = rusqlite::Connection::open(dir.path().join("safepassage-data/demo.db")).unwrap();
    let count = |sql: &str| db.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(count("SELECT count(*) FROM cases WHERE group_size = 4 AND group_officers = 1"), 1, "a group case");
    assert!(count("SELECT count(*) FROM location_reports") >= 3, "location reports for the map and history");

    let operations = demo_login(&running, "demo.operations", "demo-operations-password").await;
    let page = operations.get(format!("{}/console/handoffs", running.console)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert_eq!(page.matches("href=\"/console/handoffs/").count(), 1, "one package for operations: {page}");

    let coordinator = demo_login(&running, "demo.coordinator", "demo-coordinator-password").await;
    let cases = coordinator.get(format!("{}/console/cases", running.console)).send().await.unwrap();
    assert_eq!(cases.status(), 200);
    let cases = cases.text().await.unwrap();
    assert_eq!(cases.matches("#plan\"").count(), 1, "one plan waits for a coordinator: {cases}");
}

#[test]
fn user_add_prints_a_one_time_password_and_no_totp_secret() {
    let dir = tempfile::tempdir().unwrap();
    let out = safepassage(dir.path(), &["user", "add", "--role", "specialist", "s.petrenko"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let password = stdout.lines().find_map(|l| l.strip_prefix("one-time password: ")).unwrap();
    assert_eq!(password.len(), 20);
    assert!(stdout.contains("24 hours"), "{stdout}");
    assert!(
        !stdout.contains("otpauth") && !stdout.to_lowercase().contains("secret"),
        "the owner enrols TOTP: {stdout}"
    );
    let again = safepassage(dir.path(), &["user", "add", "--role", "specialist", "s.petrenko"]);
    assert!(!again.status.success());
    let bad_role = safepassage(dir.path(), &["user", "add", "--role", "general", "x.y"]);
    assert!(text(&bad_role.stderr).contains("unknown role"), "{}", text(&bad_role.stderr));
}

#[test]
fn user_commands_move_an_account_through_its_life_and_audit_it() {
    let dir = tempfile::tempdir().unwrap();
    assert!(safepassage(dir.path(), &["user", "add", "--role", "operator", "o.life"]).status.success());
    for args in [
        vec!["user", "disable", "o.life"],
        vec!["user", "enable", "o.life"],
        vec!["user", "unlock", "o.life"],
        vec!["user", "role", "o.life", "specialist"],
    ] {
        let out = safepassage(dir.path(), &args);
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
    }
    let reset = safepassage(dir.path(), &["user", "reset", "o.life"]);
    assert!(reset.status.success(), "{}", text(&reset.stderr));
    assert!(text(&reset.stdout).lines().any(|l| l.starts_with("one-time password: ")));
    let nobody = safepassage(dir.path(), &["user", "disable", "nobody"]);
    assert!(!nobody.status.success());
    assert!(text(&nobody.stderr).contains("no user named nobody"), "{}", text(&nobody.stderr));
    let kinds = event_kinds(dir.path());
    let db = rusqlite::Connection::open(dir.path().join("safepassage-data/safepassage.db")).unwrap();
    let lifecycle: Vec<&str> = kinds.iter().map(String::as_str).filter(|k| k.starts_with("user_")).collect();
    assert_eq!(
        lifecycle,
        ["user_created", "user_disabled", "user_enabled", "user_unlocked", "user_role_changed", "user_reset"]
    );
    let (status, role): (String, String) = db
        .query_row("SELECT status, role FROM users WHERE name = 'o.life'", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((status.as_str(), role.as_str()), ("pending", "specialist"));
}

#[test]
fn audit_verify_reports_intact_then_names_the_edited_event() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.one", "b.two", "c.three"] {
        assert!(safepassage(dir.path(), &["user", "add", "--role", "operator", name]).status.success());
    }
    let out = safepassage(dir.path(), &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout).trim(), "3 events, chain intact");

    let db = rusqlite::Connection::open(dir.path().join("safepassage-data/safepassage.db")).unwrap();
    db.execute(
        "UPDATE events SET payload = CAST(replace(CAST(payload AS TEXT), 'operator', 'admin') AS BLOB) WHERE seq = 2",
        [],
    )
    .unwrap();
    let out = safepassage(dir.path(), &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).starts_with("chain broken at event 2:"), "{}", text(&out.stdout));
}

#[test]
fn refuses_to_start_on_key_problems_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    assert!(safepassage(dir.path(), &["user", "add", "--role", "admin", "a.admin"]).status.success());
    let key = dir.path().join("safepassage-data/safepassage.key");

    // World-readable key file.
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = safepassage(dir.path(), &["audit", "verify"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("readable by group or others"), "{}", text(&out.stderr));
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();

    // Wrong key.
    let wrong = Command::new(BIN)
        .args(["audit", "verify"])
        .current_dir(dir.path())
        .env("SAFEPASSAGE_MASTER_KEY", "11".repeat(32))
        .output()
        .unwrap();
    assert!(!wrong.status.success());
    assert!(text(&wrong.stderr).contains("wrong master key"), "{}", text(&wrong.stderr));

    // Missing key file over existing data: refused, and no key is created.
    let moved = dir.path().join("elsewhere.key");
    std::fs::rename(&key, &moved).unwrap();
    let out = safepassage(dir.path(), &["audit", "verify"]);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("is missing but the database already holds encrypted data"),
        "{}",
        text(&out.stderr)
    );
    assert!(!key.exists());
    std::fs::rename(&moved, &key).unwrap();
    assert!(safepassage(dir.path(), &["audit", "verify"]).status.success());
}

#[test]
fn keys_rotate_then_everything_still_opens() {
    let dir = tempfile::tempdir().unwrap();
    assert!(safepassage(dir.path(), &["user", "add", "--role", "operator", "o.one"]).status.success());
    let key = dir.path().join("safepassage-data/safepassage.key");
    let before = std::fs::read_to_string(&key).unwrap();
    let out = safepassage(dir.path(), &["keys", "rotate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("re-wrapped"), "{}", text(&out.stdout));
    let after = std::fs::read_to_string(&key).unwrap();
    assert_ne!(before, after);
    assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);
    let out = safepassage(dir.path(), &["audit", "verify"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "2 events, chain intact");
}

#[test]
fn settings_file_refuses_unknown_keys() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("s.toml"), "listen = \"127.0.0.1:1\"\nlisten_everywhere = true\n").unwrap();
    let out = safepassage(dir.path(), &["--config", "s.toml", "migrate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown field"), "{}", text(&out.stderr));
    std::fs::write(dir.path().join("s.toml"), "database = \"sqlite:./x/y.db\"\n").unwrap();
    let out = safepassage(dir.path(), &["--config", "s.toml", "migrate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.path().join("x/y.db").exists());
}

#[test]
fn rate_limits_are_read_from_flags_variables_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, wrong) in [("--new-chat-limit", "100"), ("--chat-message-limit", "0/s"), ("--new-chat-limit", "5/day,9")]
    {
        let out = safepassage(dir.path(), &[flag, wrong, "migrate"]);
        assert_eq!(out.status.code(), Some(2), "{flag} {wrong}");
        assert!(text(&out.stderr).contains("is not a rate limit") || text(&out.stderr).contains("at least one"));
    }
    std::fs::write(dir.path().join("s.toml"), "new_chat_limit = \"10/s,50\"\nchat_message_limit = \"off\"\n").unwrap();
    let out = safepassage(dir.path(), &["--config", "s.toml", "migrate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = Command::new(BIN)
        .args(["migrate"])
        .current_dir(dir.path())
        .env("SAFEPASSAGE_CHAT_MESSAGE_LIMIT", "30/min")
        .env("SAFEPASSAGE_NEW_CHAT_LIMIT", "lots")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("new_chat_limit"), "{}", text(&out.stderr));
}

#[test]
fn chat_idle_hours_and_neutral_pages_are_read_from_flags_variables_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = safepassage(dir.path(), &["--chat-idle-hours", "0", "migrate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("chat_idle_hours"), "{}", text(&out.stderr));
    let out = Command::new(BIN)
        .args(["migrate"])
        .current_dir(dir.path())
        .env("SAFEPASSAGE_CHAT_IDLE_HOURS", "soon")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    std::fs::write(dir.path().join("s.toml"), "chat_idle_hours = 2\n[quick_exit_urls]\nuk = \"javascript:x\"\n")
        .unwrap();
    let out = safepassage(dir.path(), &["--config", "s.toml", "migrate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("quick_exit_urls"), "{}", text(&out.stderr));
    std::fs::write(
        dir.path().join("s.toml"),
        "chat_idle_hours = 2\n[quick_exit_urls]\nuk = \"https://example.org/pohoda\"\nen = \"https://example.org/weather\"\n",
    )
    .unwrap();
    let out = safepassage(dir.path(), &["--config", "s.toml", "migrate"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn every_command_has_help() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["--help"],
        vec!["serve", "--help"],
        vec!["demo", "--help"],
        vec!["migrate", "--help"],
        vec!["user", "add", "--help"],
        vec!["audit", "verify", "--help"],
        vec!["audit", "head", "--help"],
        vec!["cases", "shred", "--help"],
        vec!["keys", "rotate", "--help"],
        vec!["flows", "check", "--help"],
        vec!["flows", "import", "--help"],
    ] {
        let out = safepassage(dir.path(), &args);
        assert!(out.status.success(), "{args:?}");
        assert!(text(&out.stdout).contains("Usage:"), "{args:?}");
    }
}

/// A new chat conversation through the API: its token and first messages.
async fn new_chat(client: &reqwest::Client, base: &str, language: &str) -> serde_json::Value {
    let response = client
        .post(format!("{base}/api/v1/chat/sessions"))
        .json(&serde_json::json!({ "language": language }))
        .send()
        .await
        .unwrap();
    response.json().await.unwrap()
}

#[tokio::test]
async fn acknowledged_chat_messages_survive_sigkill_and_the_token_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    // A hundred messages at once from one conversation: over the shipped per-conversation limit
    // (a burst of 20), which this test is not about.
    let server = start_serve_with(dir.path(), &["--chat-message-limit", "off"]).await;
    let client = reqwest::Client::new();
    let session = new_chat(&client, &server.base, "uk").await;
    let token = session["token"].as_str().unwrap().to_owned();
    let mut writers = Vec::new();
    for i in 0..100 {
        let (client, base, token) = (client.clone(), server.base.clone(), token.clone());
        writers.push(tokio::spawn(async move {
            let response = client
                .post(format!("{base}/api/v1/chat/messages"))
                .bearer_auth(&token)
                .json(&serde_json::json!({"text": format!("durable-{i}")}))
                .send()
                .await
                .unwrap();
            (i, response.status().as_u16())
        }));
    }
    let mut acknowledged = Vec::new();
    for w in writers {
        let (i, status) = w.await.unwrap();
        assert_eq!(status, 202);
        acknowledged.push(format!("durable-{i}"));
    }
    drop(server); // SIGKILL, right after the last 202.

    let server = start_serve(dir.path()).await;
    let page: serde_json::Value = client
        .get(format!("{}/api/v1/chat/messages?after=0&limit=200", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let texts: Vec<&str> = page["messages"].as_array().unwrap().iter().filter_map(|m| m["text"].as_str()).collect();
    for text in &acknowledged {
        assert!(texts.contains(&text.as_str()), "{text} was acknowledged but lost");
    }
}

#[tokio::test]
async fn sigterm_stops_serve_even_with_an_open_event_stream() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = start_serve(dir.path()).await;
    let client = reqwest::Client::new();
    let session = new_chat(&client, &server.base, "ru").await;
    let stream = client
        .get(format!("{}/api/v1/chat/events", server.base))
        .bearer_auth(session["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let pid = server.child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            assert!(status.success(), "serve exits cleanly on SIGTERM: {status}");
            break;
        }
        assert!(Instant::now() < deadline, "serve did not stop within 15 s of SIGTERM");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(stream);
}

/// A one-node flow that greets with `greeting` and waits; `action` replaces its send_msg.
fn flow_file(dir: &Path, file: &str, name: &str, action: &str) -> std::path::PathBuf {
    let flow = format!(
        r#"{{"version": "13", "site": "https://textit.example", "flows": [{{"uuid": "0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f2001",
  "name": "{name}", "spec_version": "13.1.0", "language": "eng", "type": "messaging", "_ui": {{}},
  "nodes": [{{"uuid": "3f6d3d5e-4b4f-4a44-8f4e-1b2a3c4d5e6f", "actions": [{action}],
    "router": {{"type": "switch", "operand": "@input.text", "wait": {{"type": "msg"}},
      "categories": [{{"uuid": "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "name": "Other", "exit_uuid": "a1b2c3d4-0000-4000-8000-000000000001"}}],
      "default_category_uuid": "7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "cases": []}},
    "exits": [{{"uuid": "a1b2c3d4-0000-4000-8000-000000000001"}}]}}]}}]}}"#
    );
    let path = dir.join(file);
    std::fs::write(&path, flow).unwrap();
    path
}

const GREET: &str = r#"{"uuid": "5e0f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b", "type": "send_msg", "text": "Greetings from the command line"}"#;
const HOOK: &str = r#"{"uuid": "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", "type": "call_webhook", "method": "POST", "url": "https://collector.example/", "headers": {}, "body": "@contact", "result_name": "r"}"#;

#[test]
fn flows_check_prints_each_flow_and_needs_no_store() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/../../flows/safepassage.json");
    let out = safepassage(dir.path(), &["flows", "check", shipped]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 6, "{lines:?}");
    assert!(lines[0].starts_with("Intake  e8c2a44f-53ef-4765-8954-372b74f063d0  type=messaging  spec=14.4.2  nodes="));
    assert!(lines[0].ends_with("languages=rus,eng,ukr"), "{}", lines[0]);
    assert!(!dir.path().join("safepassage-data").exists(), "no store, no key");

    let one = flow_file(dir.path(), "one.json", "One", GREET);
    let out = safepassage(dir.path(), &["flows", "check", one.to_str().unwrap()]);
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout).trim(),
        "One  0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f2001  type=messaging  spec=13.1.0  nodes=1  languages=eng"
    );
}

/// Legacy exports (versions 4 to 11.12, written for the flows crate's tests): each loads at the
/// current spec, or its refusal names the flow, the node and the construct.
#[test]
fn flows_check_loads_legacy_exports_or_names_what_it_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let legacy = concat!(env!("CARGO_MANIFEST_DIR"), "/../flows/tests/legacy");
    for (file, version) in [
        ("v4_nested_definition", "legacy"), // its flows carry no version of their own
        ("v7_groups_and_languages", "7"),
        ("v8_rules_and_subflow", "8"),
        ("v11_12_mixed", "11.12"),
    ] {
        let path = format!("{legacy}/{file}.json");
        let out = safepassage(dir.path(), &["flows", "check", &path]);
        assert!(out.status.success(), "{file}: {}", text(&out.stderr));
        // A legacy flow says what it was and what it became.
        assert!(text(&out.stdout).contains(&format!("spec={version}->14.4.2")), "{file}: {}", text(&out.stdout));
    }
    for (file, construct) in [("refused_resthook", "resthook"), ("refused_ussd_menu", "wait_menu")] {
        let path = format!("{legacy}/{file}.json");
        let out = safepassage(dir.path(), &["flows", "check", &path]);
        assert_eq!(out.status.code(), Some(1), "{file}");
        let err = text(&out.stderr);
        assert!(err.contains("flow '") && err.contains("node ") && err.contains(construct), "{file}: {err}");
    }
}

#[test]
fn flows_check_refuses_outside_calls_and_broken_files_naming_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let hooked = flow_file(dir.path(), "hooked.json", "Hooked", HOOK);
    let out = safepassage(dir.path(), &["flows", "check", hooked.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("flow 'Hooked' (0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f2001)"), "{err}");
    assert!(err.contains("node 3f6d3d5e-4b4f-4a44-8f4e-1b2a3c4d5e6f"), "{err}");
    assert!(err.contains("action 9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a") && err.contains("call_webhook"), "{err}");
    assert!(text(&out.stdout).is_empty());

    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, r#"{"version": "13", "flows": [{"uuid": "0b9ab1a4-8a42-4d3c-9c0e-1d6b7f7f2001""#).unwrap();
    let out = safepassage(dir.path(), &["flows", "check", broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("not JSON"), "{}", text(&out.stderr));
    let missing = safepassage(dir.path(), &["flows", "check", "no-such-file.json"]);
    assert!(!missing.status.success());
    assert!(text(&missing.stderr).contains("cannot read no-such-file.json"), "{}", text(&missing.stderr));
}

#[test]
fn flows_import_stores_the_file_audited_and_can_set_the_intake() {
    let dir = tempfile::tempdir().unwrap();
    let hooked = flow_file(dir.path(), "hooked.json", "Hooked", HOOK);
    let out = safepassage(dir.path(), &["flows", "import", hooked.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("node 3f6d3d5e-4b4f-4a44-8f4e-1b2a3c4d5e6f"), "{}", text(&out.stderr));

    let file = flow_file(dir.path(), "tiny.json", "Tiny", GREET);
    let out =
        safepassage(dir.path(), &["flows", "import", file.to_str().unwrap(), "--intake", "web", "--flow", "Tiny"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("imported 1 flow(s)") && stdout.contains("Tiny is now the intake flow of the web channel"));
    let out =
        safepassage(dir.path(), &["flows", "import", file.to_str().unwrap(), "--intake", "web", "--flow", "Nope"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("no flow named 'Nope'"), "{}", text(&out.stderr));
    let out = safepassage(dir.path(), &["flows", "import", file.to_str().unwrap(), "--intake", "web"]);
    assert_eq!(out.status.code(), Some(2), "--intake needs --flow");

    let db = rusqlite::Connection::open(dir.path().join("safepassage-data/safepassage.db")).unwrap();
    let stored: String = db.query_row("SELECT export FROM flow_imports", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, std::fs::read_to_string(&file).unwrap(), "one import, as given");
    assert_eq!(event_kinds(dir.path()), ["flows_imported", "intake_flow_set"]);
    let out = safepassage(dir.path(), &["audit", "verify"]);
    assert_eq!(text(&out.stdout).trim(), "2 events, chain intact");
}

#[tokio::test]
async fn a_running_server_picks_up_an_import_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_serve(dir.path()).await;
    let file = flow_file(dir.path(), "tiny.json", "Tiny", GREET);
    let out =
        safepassage(dir.path(), &["flows", "import", file.to_str().unwrap(), "--intake", "web", "--flow", "Tiny"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let session = new_chat(&client, &server.base, "en").await;
        if session["messages"][0]["text"] == "Greetings from the command line" {
            break;
        }
        assert!(Instant::now() < deadline, "the server still starts the old intake: {session}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[test]
fn audit_head_and_verify_expect_catch_a_truncated_chain() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["a.one", "b.two", "c.three", "d.four"] {
        assert!(safepassage(dir.path(), &["user", "add", "--role", "operator", name]).status.success());
    }
    let out = safepassage(dir.path(), &["audit", "head"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let head = text(&out.stdout);
    assert_eq!(head.lines().count(), 1, "{head}");
    let head = head.trim().to_owned();
    assert!(head.starts_with("safepassage-audit-head v1 seq=4 hash="), "{head}");
    let out = safepassage(dir.path(), &["audit", "verify", "--expect", &head]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    assert_eq!(text(&out.stdout).trim(), "4 events, chain intact");

    // Someone with database access removes the last two events and moves the head back.
    let db = rusqlite::Connection::open(dir.path().join("safepassage-data/safepassage.db")).unwrap();
    db.execute_batch(
        "DELETE FROM events WHERE seq > 2; \
         UPDATE audit_head SET seq = 2, hash = (SELECT hash FROM events WHERE seq = 2) WHERE id = 1;",
    )
    .unwrap();
    // The shortened chain is consistent in itself; the head kept elsewhere tells.
    let out = safepassage(dir.path(), &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    let out = safepassage(dir.path(), &["audit", "verify", "--expect", &head]);
    assert_eq!(out.status.code(), Some(1));
    let said = text(&out.stdout);
    assert!(said.starts_with("chain broken at event 4:") && said.contains("ends at event 2"), "{said}");

    let out = safepassage(dir.path(), &["audit", "verify", "--expect", "seq=4"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("not an audit head"), "{}", text(&out.stderr));
}

#[tokio::test]
async fn cases_shred_destroys_a_case_from_the_command_line() {
    use safepassage_domain::{CaseKind, Channel, Event, Language, Sender, ShredReason, UserId};
    use safepassage_store::{Body, KeySource, Store, StoreConfig};

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("safepassage-data");
    let config = || {
        let mut config = StoreConfig::new(
            format!("sqlite:{}", data.join("safepassage.db").display()),
            KeySource::File(data.join("safepassage.key")),
        );
        config.fast_codename_hash = true;
        config
    };
    let store = Store::open(config()).await.unwrap();
    let conv = store.start_conversation(Channel::Web, Language::Uk, None, None).await.unwrap();
    store.append_message(&conv, Sender::Applicant, "we are four, one of us wounded").await.unwrap();
    let case = store.open_case(Some(conv.id), CaseKind::Group, UserId(uuid::Uuid::now_v7())).await.unwrap();
    let codename = store.issue_codename(case).await.unwrap();
    drop(store);

    let id = case.0.to_string();
    let out = safepassage(dir.path(), &["cases", "shred", &id, "--reason", "applicant_request"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("shredded"), "{}", text(&out.stdout));
    let again = safepassage(dir.path(), &["cases", "shred", &id, "--reason", "applicant_request"]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("shredded already"), "{}", text(&again.stderr));
    let bad = safepassage(dir.path(), &["cases", "shred", &id, "--reason", "because"]);
    assert!(text(&bad.stderr).contains("unknown shred reason"), "{}", text(&bad.stderr));
    let unknown =
        safepassage(dir.path(), &["cases", "shred", &uuid::Uuid::now_v7().to_string(), "--reason", "safety_risk"]);
    assert!(text(&unknown.stderr).contains("no case"), "{}", text(&unknown.stderr));

    let store = Store::open(config()).await.unwrap();
    assert!(store.case(case).await.unwrap().unwrap().shredded);
    assert_eq!(store.messages(conv.id, 0, 10).await.unwrap()[0].body, Body::Shredded);
    let later = store.start_conversation(Channel::Web, Language::Uk, None, None).await.unwrap();
    assert_eq!(store.join_by_codename(later.id, &codename).await.unwrap(), None);
    let events = store.events(0, 1000).await.unwrap();
    assert!(events.iter().any(|e| e.event
        == Event::CaseShredded { case, by: Some(UserId::SYSTEM), reason: Some(ShredReason::ApplicantRequest) }));
    drop(store);
    let out = safepassage(dir.path(), &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}
