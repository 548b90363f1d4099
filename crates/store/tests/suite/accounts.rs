//! Staff accounts: the atomic lock-out count and the account lifecycle (pending → active ↔
//! disabled, reset, role), each change an event, and sessions ending where the rules say.

use std::time::Duration;

use safepassage_domain::{Event, Role, UserId};
use safepassage_store::{AccountStatus, Store};

use crate::both_backends;
use crate::suite::TestDb;

const LOCK: Duration = Duration::from_secs(60);

async fn events_of(store: &Store, user: UserId) -> Vec<Event> {
    store.timeline(user.0, 1000).await.unwrap().into_iter().map(|e| e.event).collect()
}

both_backends!(parallel_login_attempts_lock_after_exactly_the_limit, |db: TestDb| async move {
    let store = db.open().await;
    let user = store.create_user("op.lock", Role::Operator, "x".into(), b"s").await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move { store.claim_login_attempt(user, 5, LOCK).await.unwrap() }));
    }
    let mut claimed = 0;
    for t in tasks {
        claimed += usize::from(t.await.unwrap());
    }
    assert_eq!(claimed, 5, "only five attempts get past the count");
    let record = store.user(user).await.unwrap().unwrap();
    assert_eq!(record.failed_logins, 5);
    assert!(record.locked_until_ms > 0, "the fifth locked the account");
    // A lock that ran out starts a fresh count; a running one is not extended.
    let short = store.create_user("op.short", Role::Operator, "x".into(), b"s").await.unwrap();
    for _ in 0..2 {
        assert!(store.claim_login_attempt(short, 2, Duration::from_millis(50)).await.unwrap());
    }
    let until = store.user(short).await.unwrap().unwrap().locked_until_ms;
    assert!(!store.claim_login_attempt(short, 2, Duration::from_millis(50)).await.unwrap());
    assert_eq!(store.user(short).await.unwrap().unwrap().locked_until_ms, until);
    tokio::time::sleep(Duration::from_millis(80)).await;
    assert!(store.claim_login_attempt(short, 2, Duration::from_millis(50)).await.unwrap());
    let again = store.user(short).await.unwrap().unwrap();
    assert_eq!((again.failed_logins, again.locked_until_ms), (1, 0));
    store.unlock_user(user, short).await.unwrap();
    let record = store.user(user).await.unwrap().unwrap();
    assert_eq!((record.failed_logins, record.locked_until_ms), (0, 0));
    assert!(events_of(&store, user).await.contains(&Event::UserUnlocked { user, by: short }));
});

both_backends!(an_account_lives_from_pending_to_disabled_and_back, |db: TestDb| async move {
    let store = db.open().await;
    let admin = store.create_user("adm", Role::Admin, "x".into(), b"s").await.unwrap();
    let user = store.create_pending_user("new.one", Role::Operator, "otp-hash".into(), 777).await.unwrap();
    let record = store.user(user).await.unwrap().unwrap();
    assert_eq!((record.status, record.password_expires_ms), (AccountStatus::Pending, 777));
    assert!(record.totp_secret.is_empty() && record.totp_pending.is_none());

    store.set_pending_totp(user, Some(b"PENDING-SECRET-0001")).await.unwrap();
    let record = store.user(user).await.unwrap().unwrap();
    assert_eq!(record.totp_pending.as_deref().map(|s| s.as_slice()), Some(&b"PENDING-SECRET-0001"[..]));
    assert!(!crate::suite::contains(&db.raw_bytes().await, b"PENDING-SECRET-0001"), "sealed");

    store.start_session([1; 32], user).await.unwrap();
    store.activate_user(user, "chosen-hash".into(), b"PENDING-SECRET-0001").await.unwrap();
    let record = store.user(user).await.unwrap().unwrap();
    assert_eq!(record.status, AccountStatus::Active);
    assert_eq!((record.password_hash.as_str(), record.password_expires_ms), ("chosen-hash", 0));
    assert_eq!(record.totp_secret.as_slice(), b"PENDING-SECRET-0001");
    assert!(record.totp_pending.is_none());
    assert!(store.session([1; 32]).await.unwrap().is_none(), "the one-time session ended");
    assert!(store.activate_user(user, "again".into(), b"x").await.is_err(), "only a pending account activates");

    // The owner's own changes keep the session that made them and end the others.
    store.start_session([2; 32], user).await.unwrap();
    store.start_session([3; 32], user).await.unwrap();
    store.change_password(user, "newer-hash".into(), [2; 32]).await.unwrap();
    assert!(store.session([2; 32]).await.unwrap().is_some());
    assert!(store.session([3; 32]).await.unwrap().is_none());
    store.start_session([3; 32], user).await.unwrap();
    store.enrol_totp(user, b"SECOND-SECRET", [2; 32]).await.unwrap();
    assert!(store.session([3; 32]).await.unwrap().is_none());
    assert_eq!(store.user(user).await.unwrap().unwrap().totp_secret.as_slice(), b"SECOND-SECRET");

    // An administrator's changes end every session at once.
    store.disable_user(user, admin).await.unwrap();
    assert_eq!(store.user(user).await.unwrap().unwrap().status, AccountStatus::Disabled);
    assert!(store.session([2; 32]).await.unwrap().is_none());
    store.enable_user(user, admin).await.unwrap();
    assert_eq!(store.user(user).await.unwrap().unwrap().status, AccountStatus::Active);
    store.start_session([4; 32], user).await.unwrap();
    store.set_role(user, Role::Specialist, admin).await.unwrap();
    assert_eq!(store.user(user).await.unwrap().unwrap().role, Role::Specialist);
    assert!(store.session([4; 32]).await.unwrap().is_none());
    store.start_session([5; 32], user).await.unwrap();
    store.reset_user(user, "otp-2".into(), 999, admin).await.unwrap();
    let record = store.user(user).await.unwrap().unwrap();
    assert_eq!(record.status, AccountStatus::Pending);
    assert_eq!((record.password_hash.as_str(), record.password_expires_ms), ("otp-2", 999));
    assert!(record.totp_secret.is_empty(), "the TOTP secret is gone");
    assert!(store.session([5; 32]).await.unwrap().is_none());

    let events = events_of(&store, user).await;
    for expected in [
        Event::UserActivated { user },
        Event::UserPasswordChanged { user },
        Event::UserTotpEnrolled { user },
        Event::UserDisabled { user, by: admin },
        Event::UserEnabled { user, by: admin },
        Event::UserRoleChanged { user, from: Role::Operator, to: Role::Specialist, by: admin },
        Event::UserReset { user, by: admin },
    ] {
        assert!(events.contains(&expected), "{expected:?} missing in {events:?}");
    }
    assert!(matches!(store.verify_chain().await.unwrap(), safepassage_store::ChainReport::Intact { .. }));
});
