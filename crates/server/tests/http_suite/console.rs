//! Console login and sessions: password + TOTP, one answer for every failure, lock-out, idle
//! timeout, logout, cookie flags, CSRF on the login form. Helpers for the other console tests.

use std::time::{Duration, Instant};

use safepassage_domain::{Event, Role};
use safepassage_server::ServerConfig;

use super::{client, Staff, TestServer};

/// A logged-in browser: its cookies and the CSRF token of its session.
pub struct Session {
    pub client: reqwest::Client,
    pub csrf: String,
    base: String,
}

impl Session {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn page(&self, path: &str) -> String {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.text().await.unwrap()
    }

    /// A form POST carrying this session's CSRF token.
    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form: Vec<(&str, &str)> = vec![("csrf", self.csrf.as_str())];
        form.extend_from_slice(fields);
        self.client.post(self.url(path)).form(&form).send().await.unwrap()
    }
}

/// The value of the first hidden `csrf` field of a page.
pub fn csrf_in(html: &str) -> Option<String> {
    let rest = html.split("name=\"csrf\" value=\"").nth(1)?;
    Some(rest.split('"').next()?.to_owned())
}

pub fn location(response: &reqwest::Response) -> String {
    response.headers().get("location").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

pub fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect()
}

/// Opens the login page (for its nonce cookie and token) and submits the form.
pub async fn attempt(
    client: &reqwest::Client,
    server: &TestServer,
    name: &str,
    password: &str,
    code: &str,
) -> reqwest::Response {
    let page = client.get(server.url("/console/login")).send().await.unwrap().text().await.unwrap();
    let csrf = csrf_in(&page).expect("the login form carries a csrf field");
    let form = [("csrf", csrf.as_str()), ("username", name), ("password", password), ("totp", code)];
    client.post(server.url("/console/login")).form(&form).send().await.unwrap()
}

/// Logs `staff` in with the right password and the current code.
pub async fn login(server: &TestServer, staff: &Staff) -> Session {
    let client = client();
    let response = attempt(&client, server, &staff.name, &staff.password, &staff.totp_now()).await;
    assert_eq!(response.status(), 303, "login of {}", staff.name);
    assert!(!location(&response).starts_with("/console/login"), "login of {} refused", staff.name);
    let home = client.get(server.url("/console")).send().await.unwrap();
    assert_eq!(home.status(), 200);
    let csrf = csrf_in(&home.text().await.unwrap()).expect("every page with forms carries csrf");
    Session { client, csrf, base: server.base.clone() }
}

async fn events_of(server: &TestServer, subject: uuid::Uuid) -> Vec<Event> {
    server.state.store.timeline(subject, 1000).await.unwrap().into_iter().map(|e| e.event).collect()
}

#[tokio::test]
async fn login_with_password_and_totp_opens_the_console() {
    let server = TestServer::start().await;
    let staff = server.staff(Role::Operator, "olena").await;
    let client = client();
    let response = attempt(&client, &server, &staff.name, &staff.password, &staff.totp_now()).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/console/queue", "operators land on the queue");
    let cookie = set_cookies(&response).into_iter().find(|c| c.starts_with("sp_staff=")).expect("session cookie");
    for flag in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
        assert!(cookie.contains(flag), "{flag} missing: {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP deployments get no Secure flag");
    assert!(!cookie.contains("Max-Age") && !cookie.contains("Expires"), "a browser-session cookie: {cookie}");
    let page = client.get(server.url("/console/queue")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("olena"), "the page names who is logged in");
    assert!(html.contains("id=\"queue\""));
    let events = events_of(&server, staff.id.0).await;
    assert!(events.contains(&Event::UserLoggedIn { user: staff.id }), "{events:?}");
}

#[tokio::test]
async fn secure_deployments_mark_the_session_cookie_secure() {
    let server = TestServer::start_with(ServerConfig { secure_cookies: true, ..Default::default() }).await;
    let staff = server.staff(Role::Admin, "root-ish").await;
    let response = attempt(&client(), &server, &staff.name, &staff.password, &staff.totp_now()).await;
    let cookie = set_cookies(&response).into_iter().find(|c| c.starts_with("sp_staff=")).unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert_eq!(location(&response), "/console/admin/users");
}

#[tokio::test]
async fn every_failed_login_gets_the_same_answer() {
    let server = TestServer::start().await;
    let staff = server.staff(Role::Specialist, "mykola").await;
    let wrong_code = if staff.totp_now() == "000000" { "111111" } else { "000000" };
    let cases = [
        ("wrong password", staff.name.as_str(), "not-the-password", staff.totp_now()),
        ("wrong code", staff.name.as_str(), staff.password.as_str(), wrong_code.to_owned()),
        ("unknown user", "nobody-here", staff.password.as_str(), staff.totp_now()),
        ("empty", "", "", String::new()),
    ];
    let mut answers = Vec::new();
    for (what, name, password, code) in cases {
        let client = client();
        let started = Instant::now();
        let response = attempt(&client, &server, name, password, &code).await;
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(250), "{what}: refusals take a fixed minimum ({took:?})");
        assert!(set_cookies(&response).iter().all(|c| !c.starts_with("sp_staff=")), "{what}: no session");
        let status = response.status();
        let location = location(&response);
        let body = response.text().await.unwrap();
        answers.push((what, status, location, body));
    }
    for (what, status, location, body) in &answers {
        assert_eq!((status, location, body), (&answers[0].1, &answers[0].2, &answers[0].3), "{what} differs");
    }
    assert_eq!(answers[0].1, 303);
    assert_eq!(answers[0].2, "/console/login?notice=login-failed");
    // The page after the redirect says only that it failed.
    let page = client().get(server.url("/console/login?notice=login-failed&lang=en")).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("Login failed."), "{html}");
    assert!(!html.contains("password is wrong") && !html.contains("unknown"));
}

#[tokio::test]
async fn five_failures_lock_the_account_even_against_the_right_password() {
    let config = ServerConfig { lockout: Duration::from_secs(2), ..Default::default() };
    let server = TestServer::start_with(config).await;
    let staff = server.staff(Role::Operator, "taras").await;
    for _ in 0..5 {
        let response = attempt(&client(), &server, &staff.name, "guess", &staff.totp_now()).await;
        assert_eq!(location(&response), "/console/login?notice=login-failed");
    }
    let user = server.state.store.user(staff.id).await.unwrap().unwrap();
    assert!(user.locked_until_ms > 0, "locked after five failures");
    let refused = attempt(&client(), &server, &staff.name, &staff.password, &staff.totp_now()).await;
    assert_eq!(location(&refused), "/console/login?notice=login-failed", "locked: the right password is refused");
    let failures = events_of(&server, staff.id.0)
        .await
        .into_iter()
        .filter(|e| matches!(e, Event::UserLoginFailed { user } if *user == staff.id))
        .count();
    assert_eq!(failures, 6, "every attempt on an account is an event");
    // The lock runs out; the same code was never used, so it still opens the console.
    tokio::time::sleep(Duration::from_millis(2_100)).await;
    let response = attempt(&client(), &server, &staff.name, &staff.password, &staff.totp_now()).await;
    assert_eq!(location(&response), "/console/queue");
    let user = server.state.store.user(staff.id).await.unwrap().unwrap();
    assert_eq!((user.failed_logins, user.locked_until_ms), (0, 0), "success clears the count");
}

#[tokio::test]
async fn a_totp_code_opens_one_session_only() {
    let server = TestServer::start().await;
    let staff = server.staff(Role::Coordinator, "iryna").await;
    let code = staff.totp_now();
    let first = attempt(&client(), &server, &staff.name, &staff.password, &code).await;
    assert_eq!(location(&first), "/console/cases");
    let replayed = attempt(&client(), &server, &staff.name, &staff.password, &code).await;
    assert_eq!(location(&replayed), "/console/login?notice=login-failed");
}

#[tokio::test]
async fn the_login_form_needs_its_own_csrf_nonce() {
    let server = TestServer::start().await;
    let staff = server.staff(Role::Operator, "petro").await;
    let fields = [("username", staff.name.as_str()), ("password", staff.password.as_str())];
    // No nonce cookie at all (a forged cross-site form).
    let forged = client()
        .post(server.url("/console/login"))
        .form(&[fields[0], fields[1], ("totp", &staff.totp_now()), ("csrf", &"a".repeat(64))])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    // The cookie, but not the matching field.
    let c = client();
    c.get(server.url("/console/login")).send().await.unwrap();
    let wrong = c
        .post(server.url("/console/login"))
        .form(&[fields[0], fields[1], ("totp", &staff.totp_now()), ("csrf", &"b".repeat(64))])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    let body = wrong.text().await.unwrap();
    assert!(body.contains("id=\"request-id\""), "error pages carry the request id: {body}");
}

#[tokio::test]
async fn idle_sessions_end_and_activity_keeps_them_alive() {
    let config = ServerConfig { staff_idle_timeout: Duration::from_secs(2), ..Default::default() };
    let server = TestServer::start_with(config).await;
    let active = server.staff(Role::Operator, "active").await;
    let idle = server.staff(Role::Operator, "idle").await;
    let busy = login(&server, &active).await;
    let resting = login(&server, &idle).await;
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(700)).await;
        assert_eq!(busy.get("/console/queue").await.status(), 200, "activity keeps the session alive");
    }
    let expired = resting.get("/console/queue").await;
    assert_eq!(expired.status(), 303);
    assert_eq!(location(&expired), "/console/login?notice=expired");
    assert!(set_cookies(&expired).iter().any(|c| c.starts_with("sp_staff=;") && c.contains("Max-Age=0")));
    // Gone for good, not just for this request.
    assert_eq!(resting.get("/console").await.status(), 303);
}

#[tokio::test]
async fn live_updates_do_not_keep_a_session_alive() {
    let config = ServerConfig { staff_idle_timeout: Duration::from_secs(2), ..Default::default() };
    let server = TestServer::start_with(config).await;
    let staff = server.staff(Role::Operator, "away").await;
    let session = login(&server, &staff).await;
    let mut stopped = None;
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(700)).await;
        let live = session
            .client
            .get(session.url("/console/queue?fragment=1"))
            .header("x-console-live", "1")
            .send()
            .await
            .unwrap();
        if live.status() != 200 {
            stopped = Some(location(&live));
            break;
        }
    }
    assert_eq!(stopped.as_deref(), Some("/console/login?notice=expired"), "refreshes alone let the session end");
}

#[tokio::test]
async fn logout_ends_the_session_and_is_recorded() {
    let server = TestServer::start().await;
    let staff = server.staff(Role::Analyst, "stats").await;
    let session = login(&server, &staff).await;
    let response = session.post("/console/logout", &[]).await;
    assert_eq!(response.status(), 303);
    assert_eq!(location(&response), "/console/login?notice=logged-out");
    assert!(set_cookies(&response).iter().any(|c| c.starts_with("sp_staff=;")));
    let events = events_of(&server, staff.id.0).await;
    assert!(events.contains(&Event::UserLoggedOut { user: staff.id }), "{events:?}");
    // Even a client that kept the old cookie is out.
    let stale = session.client.get(session.url("/console")).send().await.unwrap();
    assert_eq!(stale.status(), 303);
}

#[tokio::test]
async fn the_session_token_never_reaches_the_database() {
    let server = TestServer::start().await;
    let staff = server.staff(Role::Operator, "hidden").await;
    let client = client();
    let response = attempt(&client, &server, &staff.name, &staff.password, &staff.totp_now()).await;
    let cookie = set_cookies(&response).into_iter().find(|c| c.starts_with("sp_staff=")).unwrap();
    let token = cookie.trim_start_matches("sp_staff=").split(';').next().unwrap().to_owned();
    assert_eq!(token.len(), 43, "32 random bytes");
    let mut bytes = Vec::new();
    for name in ["test.db", "test.db-wal"] {
        if let Ok(b) = std::fs::read(server._dir.path().join(name)) {
            bytes.extend(b);
        }
    }
    assert!(!bytes.is_empty());
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(!contains(token.as_bytes()), "the token itself is never stored");
    use base64::Engine;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&token).unwrap();
    assert!(!contains(&raw), "nor its raw bytes");
    use sha2::Digest;
    let hash: [u8; 32] = sha2::Sha256::digest(token.as_bytes()).into();
    assert!(contains(&hash), "only its hash");
}

#[tokio::test]
async fn the_console_speaks_ukrainian_and_english() {
    let server = TestServer::start().await;
    let c = client();
    let uk = c.get(server.url("/console/login")).send().await.unwrap().text().await.unwrap();
    assert!(uk.contains("<html lang=\"uk\">") && uk.contains("Увійти"), "Ukrainian by default");
    assert!(uk.contains("<nav id=\"language\"") && uk.contains("hreflang=\"en\""));
    let switched = c.get(server.url("/console/login?lang=en")).send().await.unwrap();
    assert!(set_cookies(&switched).iter().any(|s| s.starts_with("sp_console_lang=en") && s.contains("Path=/console")));
    assert!(switched.text().await.unwrap().contains("<html lang=\"en\">"));
    let remembered = c.get(server.url("/console/login")).send().await.unwrap().text().await.unwrap();
    assert!(remembered.contains("<html lang=\"en\">") && remembered.contains("Log in"), "the switch is remembered");
}

#[tokio::test]
async fn unknown_console_objects_get_an_error_page_with_the_request_id() {
    let server = TestServer::start().await;
    let staff = server.staff(Role::Coordinator, "coord").await;
    let session = login(&server, &staff).await;
    let response = session.get(&format!("/console/cases/{}", uuid::Uuid::now_v7())).await;
    assert_eq!(response.status(), 404);
    let id = response.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body = response.text().await.unwrap();
    assert!(body.contains(&id), "the page shows the request id {id}: {body}");
    assert!(body.contains("<html lang=\"uk\">"));
    assert_eq!(session.get("/console/cases/not-a-uuid").await.status(), 404);
}
