//! The life of a conversation and a case through the store's public interface.

use safepassage_domain::{
    CaseError, CaseKind, CaseState, Channel, CloseReason, Codename, Language, Role, Sender, Transition, UserId,
};
use safepassage_store::{Body, NoteKind, StoreError};

use super::TestDb;
use crate::both_backends;

both_backends!(conversation_messages_round_trip, |db: TestDb| async move {
    let store = db.open().await;
    let conv = store.start_conversation(Channel::Web, Language::Ru, None, Some([7; 32])).await.unwrap();
    let first = store.append_message(&conv, Sender::Applicant, "Здравствуйте").await.unwrap();
    let second = store.append_message(&conv, Sender::Bot, "Добрый день").await.unwrap();
    assert!(second.seq > first.seq);
    let all = store.messages(conv.id, 0, 100).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(all[0].body, Body::Text("Здравствуйте".into()));
    assert_eq!(all[1].sender, Sender::Bot);
    let after = store.messages(conv.id, first.seq, 100).await.unwrap();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].id, second.id);
    let by_token = store.conversation_by_token([7; 32]).await.unwrap().unwrap();
    assert_eq!(by_token.id, conv.id);
    assert_eq!(by_token.language, Language::Ru);
    // Survives a reopen (a restart) with the same key file.
    drop(store);
    let store = db.open().await;
    assert_eq!(store.messages(conv.id, 0, 100).await.unwrap().len(), 2);
});

both_backends!(returning_sender_keeps_contact, |db: TestDb| async move {
    let store = db.open().await;
    let a = store.start_conversation(Channel::Telegram, Language::Uk, Some("tg:100200300"), None).await.unwrap();
    let b = store.start_conversation(Channel::Telegram, Language::Uk, Some("tg:100200300"), None).await.unwrap();
    let c = store.start_conversation(Channel::Telegram, Language::Uk, Some("tg:999"), None).await.unwrap();
    assert_eq!(a.contact, b.contact);
    assert_ne!(a.contact, c.contact);
    // The same number on another channel is another identity.
    assert_ne!(
        store.identity_hash(Channel::Voice, "tg:100200300"),
        store.identity_hash(Channel::Telegram, "tg:100200300")
    );
});

both_backends!(case_life_with_refusals, |db: TestDb| async move {
    let store = db.open().await;
    let specialist = store.create_user("s.kovalenko", Role::Specialist, "x".into(), b"secret").await.unwrap();
    let coordinator = store.create_user("c.bondar", Role::Coordinator, "x".into(), b"secret").await.unwrap();
    let conv = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    let case = store.open_case(Some(conv.id), CaseKind::Group, specialist).await.unwrap();
    assert_eq!(store.conversation(conv.id).await.unwrap().unwrap().case, Some(case));

    let adv = |to| Transition::Advance { to };
    let registered = store.transition_case(case, adv(CaseState::Registered), specialist, Role::Specialist).await;
    assert_eq!(registered.unwrap(), CaseState::Registered);
    // Refused transitions: an operator may not deploy, no step is skipped, and nothing changes.
    let refused = store.transition_case(case, adv(CaseState::Deployed), specialist, Role::Operator).await;
    assert!(matches!(refused, Err(StoreError::Case(CaseError::RoleRefused { .. }))), "{refused:?}");
    let skipped = store.transition_case(case, adv(CaseState::PlanApproved), specialist, Role::Specialist).await;
    assert!(matches!(skipped, Err(StoreError::Case(CaseError::NotAllowed { .. }))), "{skipped:?}");
    assert_eq!(store.case(case).await.unwrap().unwrap().state, CaseState::Registered);

    store.set_group_composition(case, 12, 2, specialist, Role::Specialist).await.unwrap();
    let bad = store.set_group_composition(case, 2, 5, specialist, Role::Specialist).await;
    assert!(matches!(bad, Err(StoreError::Case(CaseError::BadComposition))));
    store.transition_case(case, adv(CaseState::Deployed), specialist, Role::Specialist).await.unwrap();
    let without = store.transition_case(case, adv(CaseState::Located), specialist, Role::Specialist).await;
    assert!(matches!(without, Err(StoreError::Case(CaseError::NoLocationYet))), "{without:?}");
    store
        .record_location(case, &crate::suite::locations::report("47.0951, 37.5413", Some(50)), specialist)
        .await
        .unwrap();
    store.transition_case(case, adv(CaseState::Located), specialist, Role::Specialist).await.unwrap();
    store.add_note(case, NoteKind::Note, specialist, "seen near the bridge").await.unwrap();
    let own_plan = store.transition_case(case, adv(CaseState::PlanApproved), specialist, Role::Specialist).await;
    assert!(own_plan.is_err(), "four eyes: a specialist cannot approve");
    let plain = store.transition_case(case, adv(CaseState::PlanApproved), coordinator, Role::Coordinator).await;
    assert!(matches!(plain, Err(StoreError::Case(CaseError::ThroughExitPath(_)))), "only an approved plan: {plain:?}");
    store
        .transition_case(
            case,
            Transition::Close { reason: CloseReason::SuspectedProvocation },
            coordinator,
            Role::Coordinator,
        )
        .await
        .unwrap();
    let view = store.case(case).await.unwrap().unwrap();
    assert_eq!(view.state, CaseState::Closed);
    assert_eq!(view.close_reason, Some(CloseReason::SuspectedProvocation));
    assert_eq!(view.composition.map(|c| (c.size, c.officers)), Some((12, 2)));
    let finished = store.transition_case(case, adv(CaseState::HandedOff), coordinator, Role::Coordinator).await;
    assert!(matches!(finished, Err(StoreError::Case(CaseError::Finished(CaseState::Closed)))));

    let notes = store.notes(case).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].kind, NoteKind::Note);
    assert_eq!(notes[0].body.text(), Some("seen near the bridge"));
    let newest = store.newest_location(case).await.unwrap().unwrap();
    assert_eq!((newest.lat, newest.lon, newest.accuracy_m), (Some(47.0951), Some(37.5413), Some(50)));
});

both_backends!(concurrent_moves_let_exactly_one_win, |db: TestDb| async move {
    let store = db.open().await;
    let user = UserId(uuid::Uuid::now_v7());
    for _ in 0..5 {
        let case = store.open_case(None, CaseKind::Individual, user).await.unwrap();
        let moves = (0..6).map(|i| {
            let store = store.clone();
            let transition = if i % 2 == 0 {
                Transition::Advance { to: CaseState::Registered }
            } else {
                Transition::Close { reason: CloseReason::Duplicate }
            };
            tokio::spawn(async move { store.transition_case(case, transition, user, Role::Specialist).await })
        });
        let results: Vec<_> = futures_join(moves).await;
        let wins = results.iter().filter(|r| r.is_ok()).count();
        let state = store.case(case).await.unwrap().unwrap().state;
        // Several may succeed one after another (inquiry → registered → closed), but every
        // success is a legal step from the state it saw, and the log agrees with the table.
        assert!(wins >= 1);
        assert!(matches!(state, CaseState::Registered | CaseState::Closed));
    }
    assert!(matches!(store.verify_chain().await.unwrap(), safepassage_store::ChainReport::Intact { .. }));
});

async fn futures_join<T: Send + 'static>(handles: impl Iterator<Item = tokio::task::JoinHandle<T>>) -> Vec<T> {
    let mut out = Vec::new();
    for h in handles.collect::<Vec<_>>() {
        out.push(h.await.unwrap());
    }
    out
}

both_backends!(codename_joins_a_conversation_to_its_case, |db: TestDb| async move {
    let store = db.open().await;
    let user = UserId(uuid::Uuid::now_v7());
    let first = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    let case = store.open_case(Some(first.id), CaseKind::Individual, user).await.unwrap();
    let codename = store.issue_codename(case).await.unwrap();
    assert!(store.issue_codename(case).await.is_err(), "a case has one codename");
    // Months later, by phone, from a borrowed handset.
    let later = store.start_conversation(Channel::Voice, Language::Ru, Some("+79990001122"), None).await.unwrap();
    let typed = Codename::parse(&codename.grouped()).unwrap();
    assert_eq!(store.join_by_codename(later.id, &typed).await.unwrap(), Some(case));
    assert_eq!(store.conversation(later.id).await.unwrap().unwrap().case, Some(case));
    let wrong = Codename::from_random_digits([3; 15]);
    assert_eq!(store.join_by_codename(later.id, &wrong).await.unwrap(), None);
    // The codename's digits are nowhere in the database.
    let raw = db.raw_bytes().await;
    assert!(!crate::suite::contains(&raw, codename.digits().as_bytes()));
});

both_backends!(staff_accounts, |db: TestDb| async move {
    let store = db.open().await;
    let id = store.create_user("o.melnyk", Role::Operator, "$argon2id$fake".into(), b"TOTPSECRET123456").await.unwrap();
    assert!(store.create_user("o.melnyk", Role::Admin, "x".into(), b"s").await.is_err());
    let user = store.user_by_name("o.melnyk").await.unwrap().unwrap();
    assert_eq!(user.id, id);
    assert_eq!(user.role, Role::Operator);
    assert_eq!(user.totp_secret.as_slice(), b"TOTPSECRET123456");
    for _ in 0..3 {
        assert!(store.claim_login_attempt(id, 5, std::time::Duration::from_secs(60)).await.unwrap());
    }
    let user = store.user(id).await.unwrap().unwrap();
    assert_eq!((user.failed_logins, user.locked_until_ms), (3, 0));
    assert_eq!(user.status, safepassage_store::AccountStatus::Active);
    assert!(!crate::suite::contains(&db.raw_bytes().await, b"TOTPSECRET123456"));
});
