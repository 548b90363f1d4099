//! Logins under pressure: parallel guesses cannot pass the lock-out, password hashing is
//! bounded (503 with Retry-After when full), refusals answer at one fixed time whether the name
//! exists or not, and the flow upload is refused before its body is read without a session.

use std::time::{Duration, Instant};

use safepassage_domain::{Event, Role};
use safepassage_server::hashing::MIB_PER_HASH;
use safepassage_server::ServerConfig;

use super::console::{attempt, location, login};
use super::{client, TestServer};

async fn failures(server: &TestServer, user: safepassage_domain::UserId) -> usize {
    let events = server.state.store.timeline(user.0, 1000).await.unwrap();
    events.iter().filter(|e| matches!(e.event, Event::UserLoginFailed { user: u } if u == user)).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_parallel_wrong_logins_lock_after_exactly_five() {
    let config = ServerConfig {
        lockout: Duration::from_secs(600),
        login_hash_budget_mib: 60 * MIB_PER_HASH,
        login_refusal_time: Duration::from_millis(50),
        ..Default::default()
    };
    let server = std::sync::Arc::new(TestServer::start_with(config).await);
    let staff = server.staff(Role::Operator, "parallel").await;
    let mut tasks = Vec::new();
    for i in 0..50 {
        let server = server.clone();
        let name = staff.name.clone();
        let code = staff.totp_now();
        tasks.push(tokio::spawn(async move {
            let response = attempt(&client(), &server, &name, &format!("guess-{i}"), &code).await;
            (response.status().as_u16(), location(&response))
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), (303, "/console/login?notice=login-failed".to_owned()));
    }
    let user = server.state.store.user(staff.id).await.unwrap().unwrap();
    assert_eq!(user.failed_logins, 5, "exactly five attempts were counted before the lock");
    assert!(user.locked_until_ms > 0, "locked");
    assert_eq!(failures(&server, staff.id).await, 50, "every attempt is an event");
    let right = attempt(&client(), &server, &staff.name, &staff.password, &staff.totp_now()).await;
    assert_eq!(location(&right), "/console/login?notice=login-failed", "locked: the right password is refused");
    assert_eq!(failures(&server, staff.id).await, 51);
}

#[tokio::test]
async fn a_full_hashing_pool_answers_503_with_retry_after() {
    let config = ServerConfig { login_hash_budget_mib: 2 * MIB_PER_HASH, ..Default::default() };
    let server = TestServer::start_with(config).await;
    let staff = server.staff(Role::Operator, "pool").await;
    let held = [server.state.hasher.slot().unwrap(), server.state.hasher.slot().unwrap()];
    let started = Instant::now();
    let busy = attempt(&client(), &server, &staff.name, &staff.password, &staff.totp_now()).await;
    assert_eq!(busy.status(), 503);
    assert_eq!(busy.headers().get("retry-after").unwrap(), "1");
    assert!(started.elapsed() < Duration::from_millis(400), "answered at once, without hashing");
    let user = server.state.store.user(staff.id).await.unwrap().unwrap();
    assert_eq!(user.failed_logins, 0, "a busy answer is not an attempt");
    drop(held);
    login(&server, &staff).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn known_and_unknown_names_are_refused_at_the_same_time() {
    // Long enough for eight hashes on a loaded two-core machine in a debug build.
    let deadline = Duration::from_millis(2_000);
    let config = ServerConfig { login_refusal_time: deadline, ..Default::default() };
    let server = std::sync::Arc::new(TestServer::start_with(config).await);
    let mut known = Vec::new();
    for i in 0..4 {
        known.push(server.staff(Role::Operator, &format!("known-{i}")).await.name);
    }
    // Known and unknown names at once, so both meet the same load on the hashing pool.
    let mut tasks = Vec::new();
    for (i, name) in known.iter().enumerate() {
        for (is_known, name) in [(true, name.clone()), (false, format!("unknown-{i}"))] {
            let server = server.clone();
            tasks.push(tokio::spawn(async move {
                let c = client();
                let page = c.get(server.url("/console/login")).send().await.unwrap().text().await.unwrap();
                let csrf = super::console::csrf_in(&page).unwrap();
                let form = [
                    ("csrf", csrf.as_str()),
                    ("username", name.as_str()),
                    ("password", "wrong-wrong"),
                    ("totp", "123456"),
                ];
                let started = Instant::now();
                let response = c.post(server.url("/console/login")).form(&form).send().await.unwrap();
                assert_eq!(location(&response), "/console/login?notice=login-failed");
                (is_known, started.elapsed())
            }));
        }
    }
    let mut times = (Vec::new(), Vec::new());
    for task in tasks {
        let (is_known, took) = task.await.unwrap();
        let list = if is_known { &mut times.0 } else { &mut times.1 };
        list.push(took);
    }
    let all: Vec<Duration> = times.0.iter().chain(&times.1).copied().collect();
    for took in &all {
        assert!(*took >= deadline, "not before the deadline: {took:?}");
        assert!(*took < deadline + Duration::from_millis(500), "at the deadline, not after the work: {took:?}");
    }
    let mean = |v: &[Duration]| v.iter().sum::<Duration>() / u32::try_from(v.len()).unwrap();
    let (k, u) = (mean(&times.0), mean(&times.1));
    let gap = k.abs_diff(u);
    assert!(gap < Duration::from_millis(60), "known {k:?} vs unknown {u:?}");
}

#[tokio::test]
async fn a_flow_upload_without_an_administrator_session_is_refused_before_its_body_is_read() {
    let server = TestServer::start().await;
    // Larger than any upload may be and not multipart at all: reading it would be a 400.
    let body = vec![b'x'; 4 * 1024 * 1024];
    let forged = client()
        .post(server.url("/console/flows/import"))
        .header("cookie", "sp_staff=not-a-session")
        .header("content-type", "multipart/form-data; boundary=zzz")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 303, "sent to log in, not a parse error");
    assert_eq!(location(&forged), "/console/login");
    let operator = login(&server, &server.staff(Role::Operator, "uploader").await).await;
    let refused = operator
        .client
        .post(operator.url("/console/flows/import"))
        .header("content-type", "multipart/form-data; boundary=zzz")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403, "the role is checked before the body is read");
}
