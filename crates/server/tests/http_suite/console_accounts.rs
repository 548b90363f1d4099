//! The account lifecycle over HTTP: one's own password and TOTP, and what administrators do to
//! accounts (disable, enable, unlock, reset with a confirmation, change role): every change an
//! event, and sessions that must end doing so at once.

use safepassage_domain::{Event, Role, UserId};
use safepassage_store::AccountStatus;

use super::console::{attempt, location, login, Session};
use super::{client, TestServer};

async fn events_of(server: &TestServer, user: UserId) -> Vec<Event> {
    server.state.store.timeline(user.0, 1000).await.unwrap().into_iter().map(|e| e.event).collect()
}

fn code_of(secret: &[u8], next: bool) -> String {
    let generator = totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 1, 30, secret.to_vec(), None, "t".into()).unwrap();
    match next {
        true => generator.generate(generator.next_step_current().unwrap()),
        false => generator.generate_current().unwrap(),
    }
}

async fn still_in(session: &Session) -> bool {
    session.get("/console").await.status() == 200
}

/// A session opened straight in the store, as a login would: logging the same person in many
/// times within one test would meet the TOTP replay guard (one session per code).
async fn direct_session(server: &TestServer, user: UserId) -> (reqwest::Client, String) {
    use sha2::Digest;
    let token = format!("test-session-{}", uuid::Uuid::new_v4().simple());
    server.state.store.start_session(sha2::Sha256::digest(token.as_bytes()).into(), user).await.unwrap();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("cookie", format!("sp_staff={token}").parse().unwrap());
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    (client, server.url("/console"))
}

async fn alive((client, home): &(reqwest::Client, String)) -> bool {
    client.get(home).send().await.unwrap().status() == 200
}

#[tokio::test]
async fn staff_change_their_password_and_enrol_a_new_authenticator() {
    let server = TestServer::start().await;
    let staff = server.staff(Role::Specialist, "changer").await;
    let session = login(&server, &staff).await;
    let other = direct_session(&server, staff.id).await;
    let page = session.page("/console/account").await;
    assert!(page.contains("id=\"password-form\"") && page.contains("id=\"start-totp-form\""));

    let new = "violet-harbour-19-slowly-turns";
    let wrong =
        session.post("/console/account/password", &[("current", "nope"), ("password", new), ("repeat", new)]).await;
    assert_eq!(wrong.status(), 422, "the current password is needed");
    let short = session
        .post(
            "/console/account/password",
            &[("current", &staff.password), ("password", "short1"), ("repeat", "short1")],
        )
        .await;
    assert_eq!(short.status(), 422, "at least 12 characters");
    let changed = session
        .post("/console/account/password", &[("current", &staff.password), ("password", new), ("repeat", new)])
        .await;
    assert_eq!(location(&changed), "/console/account?notice=password-changed");
    assert!(still_in(&session).await, "the session that changed it goes on");
    assert!(!alive(&other).await, "the others end");
    let old = attempt(&client(), &server, &staff.name, &staff.password, &code_of(&staff.totp_secret, true)).await;
    assert_eq!(location(&old), "/console/login?notice=login-failed");

    // A new authenticator: the current password shows a new secret; a code confirms it.
    let started = session.post("/console/account/totp/new", &[("current", new)]).await;
    assert_eq!(started.status(), 303);
    let page = session.page("/console/account").await;
    let secret = page.split("id=\"totp-secret\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    let secret = totp_rs::Secret::Encoded(secret).to_bytes().unwrap();
    let bad = session.post("/console/account/totp", &[("totp", "12345x")]).await;
    assert_eq!(bad.status(), 422);
    let confirmed = session.post("/console/account/totp", &[("totp", &code_of(&secret, false))]).await;
    assert_eq!(location(&confirmed), "/console/account?notice=totp-enrolled");
    let with_old = attempt(&client(), &server, &staff.name, new, &code_of(&staff.totp_secret, true)).await;
    assert_eq!(location(&with_old), "/console/login?notice=login-failed", "the old app's codes are void");
    let with_new = attempt(&client(), &server, &staff.name, new, &code_of(&secret, true)).await;
    assert_eq!(location(&with_new), "/console/queue");
    let events = events_of(&server, staff.id).await;
    assert!(events.contains(&Event::UserPasswordChanged { user: staff.id }));
    assert!(events.contains(&Event::UserTotpEnrolled { user: staff.id }));
}

#[tokio::test]
async fn administrators_disable_enable_unlock_reset_and_change_roles() {
    let server = TestServer::start().await;
    let admin_staff = server.staff(Role::Admin, "boss").await;
    let admin = login(&server, &admin_staff).await;
    let staff = server.staff(Role::Operator, "worker").await;
    let id = staff.id.0;
    let users = admin.page("/console/admin/users").await;
    assert!(users.contains(&format!("/console/admin/users/{id}/disable")));
    assert!(!users.contains(&format!("/console/admin/users/{}/disable", admin_staff.id.0)), "not for oneself");

    // Disabling ends the account's sessions at once and keeps it out.
    let working = direct_session(&server, staff.id).await;
    let disabled = admin.post(&format!("/console/admin/users/{id}/disable"), &[]).await;
    assert_eq!(location(&disabled), "/console/admin/users?notice=user-disabled");
    assert!(!alive(&working).await, "the session ended at once");
    let attempt_while_off = attempt(&client(), &server, &staff.name, &staff.password, &staff.totp_now()).await;
    assert_eq!(location(&attempt_while_off), "/console/login?notice=login-failed");
    let enabled = admin.post(&format!("/console/admin/users/{id}/enable"), &[]).await;
    assert_eq!(location(&enabled), "/console/admin/users?notice=user-enabled");
    let working = direct_session(&server, staff.id).await;
    assert!(alive(&working).await);

    // Unlock after five failures.
    for _ in 0..5 {
        attempt(&client(), &server, &staff.name, "wrong-guess", "000000").await;
    }
    assert!(server.state.store.user(staff.id).await.unwrap().unwrap().locked_until_ms > 0);
    assert!(admin.page("/console/admin/users").await.contains(&format!("/console/admin/users/{id}/unlock")));
    let unlocked = admin.post(&format!("/console/admin/users/{id}/unlock"), &[]).await;
    assert_eq!(location(&unlocked), "/console/admin/users?notice=user-unlocked");
    assert_eq!(server.state.store.user(staff.id).await.unwrap().unwrap().locked_until_ms, 0);

    // A new role ends the sessions drawn for the old one.
    let promoted = admin.post(&format!("/console/admin/users/{id}/role"), &[("role", "specialist")]).await;
    assert_eq!(location(&promoted), "/console/admin/users?notice=user-role-changed");
    assert!(!alive(&working).await, "the session ended at once");
    let working = direct_session(&server, staff.id).await;
    assert_eq!(server.state.store.user(staff.id).await.unwrap().unwrap().role, Role::Specialist);

    // Reset needs its confirmation, then gives a new one-time password and revokes the rest.
    let confirm = admin.page(&format!("/console/admin/users/{id}/reset")).await;
    assert!(confirm.contains("name=\"confirm\" value=\"yes\""), "a plain form confirms it");
    let unconfirmed = admin.post(&format!("/console/admin/users/{id}/reset"), &[]).await;
    assert_eq!(location(&unconfirmed), format!("/console/admin/users/{id}/reset"));
    assert!(alive(&working).await, "nothing happened without the confirmation");
    let reset = admin.post(&format!("/console/admin/users/{id}/reset"), &[("confirm", "yes")]).await;
    assert_eq!(reset.status(), 200);
    let html = reset.text().await.unwrap();
    let one_time = html.split("id=\"one-time-password\">").nth(1).unwrap().split('<').next().unwrap().to_owned();
    assert!(!alive(&working).await, "every session ended");
    let old = attempt(&client(), &server, &staff.name, &staff.password, &code_of(&staff.totp_secret, true)).await;
    assert_eq!(location(&old), "/console/login?notice=login-failed", "the old password and TOTP are void");
    let user = server.state.store.user(staff.id).await.unwrap().unwrap();
    assert_eq!(user.status, AccountStatus::Pending);
    let fresh = attempt(&client(), &server, &staff.name, &one_time, "").await;
    assert_eq!(location(&fresh), "/console/setup");

    // Not to oneself.
    let own = admin.post(&format!("/console/admin/users/{}/disable", admin_staff.id.0), &[]).await;
    assert_eq!(location(&own), "/console/admin/users?notice=user-self");

    let by = admin_staff.id;
    let events = events_of(&server, staff.id).await;
    for expected in [
        Event::UserDisabled { user: staff.id, by },
        Event::UserEnabled { user: staff.id, by },
        Event::UserUnlocked { user: staff.id, by },
        Event::UserRoleChanged { user: staff.id, from: Role::Operator, to: Role::Specialist, by },
        Event::UserReset { user: staff.id, by },
    ] {
        assert!(events.contains(&expected), "{expected:?} missing");
    }
}

#[tokio::test]
async fn a_one_time_password_stops_working_after_its_day() {
    let server = TestServer::start().await;
    let hash = safepassage_keys::password::hash("OneTimeOneTime1234ab");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis();
    let yesterday = i64::try_from(now).unwrap() - 1;
    server.state.store.create_pending_user("late.one", Role::Operator, hash, yesterday).await.unwrap();
    let late = attempt(&client(), &server, "late.one", "OneTimeOneTime1234ab", "").await;
    assert_eq!(location(&late), "/console/login?notice=login-failed");
    let hash = safepassage_keys::password::hash("OneTimeOneTime1234ab");
    let tomorrow = yesterday + 2 * 24 * 3600 * 1000;
    server.state.store.create_pending_user("early.one", Role::Operator, hash, tomorrow).await.unwrap();
    let early = attempt(&client(), &server, "early.one", "OneTimeOneTime1234ab", "").await;
    assert_eq!(location(&early), "/console/setup");
}
