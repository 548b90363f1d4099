//! The operators' queue, case lists, timelines and staff sessions.

use safepassage_domain::{CaseKind, CaseState, Channel, Event, Language, Role, Sender, Transition};
use safepassage_store::{CaseFilter, ConversationStatus, StoreError};

use super::{Kind, TestDb};
use crate::both_backends;

both_backends!(queue_orders_by_priority_then_age_and_take_is_exclusive, |db: TestDb| async move {
    let store = db.open().await;
    let op_a = store.create_user("op.a", Role::Operator, "x".into(), b"s").await.unwrap();
    let op_b = store.create_user("op.b", Role::Operator, "x".into(), b"s").await.unwrap();
    let first = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    let second = store.start_conversation(Channel::Web, Language::Uk, None, None).await.unwrap();
    let urgent = store.start_conversation(Channel::Telegram, Language::Ru, None, None).await.unwrap();
    assert!(store.queue_conversation(first.id, false).await.unwrap());
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    assert!(store.queue_conversation(second.id, false).await.unwrap());
    assert!(store.queue_conversation(urgent.id, true).await.unwrap());
    assert!(!store.queue_conversation(first.id, false).await.unwrap(), "already waiting");
    let queue: Vec<_> = store.queue(10).await.unwrap().into_iter().map(|c| c.id).collect();
    assert_eq!(queue, vec![urgent.id, first.id, second.id]);

    // Two operators click "take" at once, many times over: exactly one wins each time.
    let (a, b) = tokio::join!(store.take_conversation(first.id, op_a), store.take_conversation(first.id, op_b));
    assert!(a.is_ok() != b.is_ok(), "exactly one take succeeds: {a:?} {b:?}");
    assert!(matches!(a.err().or(b.err()), Some(StoreError::Conflict(_))));
    let taken = store.conversation(first.id).await.unwrap().unwrap();
    assert_eq!(taken.status, ConversationStatus::Assigned);
    let winner = taken.assigned_to.unwrap();
    assert_eq!(store.conversations_assigned_to(winner).await.unwrap().len(), 1);
    assert_eq!(store.queue(10).await.unwrap().len(), 2);

    store.close_conversation(first.id, winner).await.unwrap();
    assert!(store.close_conversation(first.id, winner).await.is_err());
    // The applicant writes again: back in the queue.
    assert!(store.queue_conversation(first.id, false).await.unwrap());
    let timeline = store.timeline(first.id.0, 100).await.unwrap();
    let kinds: Vec<_> = timeline.iter().map(|e| e.event.kind()).collect();
    assert_eq!(
        kinds,
        [
            "conversation_started",
            "conversation_queued",
            "conversation_assigned",
            "conversation_closed",
            "conversation_queued"
        ]
    );
});

both_backends!(case_lists_and_timeline, |db: TestDb| async move {
    let store = db.open().await;
    let s1 = store.create_user("sp.one", Role::Specialist, "x".into(), b"s").await.unwrap();
    let s2 = store.create_user("sp.two", Role::Specialist, "x".into(), b"s").await.unwrap();
    let conv = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    let mine = store.open_case(Some(conv.id), CaseKind::Individual, s1).await.unwrap();
    let theirs = store.open_case(None, CaseKind::Group, s2).await.unwrap();
    store
        .transition_case(theirs, Transition::Advance { to: CaseState::Registered }, s2, Role::Specialist)
        .await
        .unwrap();
    store.record(vec![Event::CaseViewed { case: mine, by: s1 }]).await.unwrap();

    let only_mine = store.cases(CaseFilter { assigned_to: Some(s1), states: &[] }, 50).await.unwrap();
    assert_eq!(only_mine.iter().map(|c| c.id).collect::<Vec<_>>(), vec![mine]);
    assert_eq!(only_mine[0].assigned_to, Some(s1));
    let registered = store.cases(CaseFilter { assigned_to: None, states: &[CaseState::Registered] }, 50).await.unwrap();
    assert_eq!(registered.iter().map(|c| c.id).collect::<Vec<_>>(), vec![theirs]);
    assert_eq!(store.cases(CaseFilter { assigned_to: None, states: &[] }, 50).await.unwrap().len(), 2);
    assert_eq!(store.conversations_of_case(mine).await.unwrap()[0].id, conv.id);

    let kinds: Vec<_> = store.timeline(mine.0, 100).await.unwrap().iter().map(|e| e.event.kind()).collect();
    assert_eq!(kinds, ["case_opened", "conversation_joined_case", "case_viewed"]);
});

both_backends!(staff_sessions_live_and_end, |db: TestDb| async move {
    let store = db.open().await;
    let user = store.create_user("op.s", Role::Operator, "x".into(), b"s").await.unwrap();
    for _ in 0..2 {
        assert!(store.claim_login_attempt(user, 5, std::time::Duration::from_secs(60)).await.unwrap());
    }
    store.start_session([9; 32], user).await.unwrap();
    let session = store.session([9; 32]).await.unwrap().unwrap();
    assert_eq!(session.user, user);
    assert_eq!(store.user(user).await.unwrap().unwrap().failed_logins, 0, "a login resets the failures");
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    store.touch_session([9; 32]).await.unwrap();
    assert!(store.session([9; 32]).await.unwrap().unwrap().last_seen_ms > session.last_seen_ms);
    store.end_session([9; 32], Some(user)).await.unwrap();
    assert!(store.session([9; 32]).await.unwrap().is_none());
    assert_eq!(store.users().await.unwrap().len(), 1);
});

both_backends!(a_page_of_the_last_messages_reads_only_that_page, |db: TestDb| async move {
    let store = db.open().await;
    let conv = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    for i in 0..30 {
        store.append_message(&conv, Sender::Applicant, &format!("сообщение {i}")).await.unwrap();
    }
    let last = store.last_messages(conv.id, 5).await.unwrap();
    let texts: Vec<_> = last.iter().map(|m| m.body.text().unwrap().to_owned()).collect();
    assert_eq!(texts, (25..30).map(|i| format!("сообщение {i}")).collect::<Vec<_>>(), "the last five, oldest first");
    assert!(last.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(store.last_messages(conv.id, 100).await.unwrap().len(), 30);
    // Only the page is opened: a message before it whose sealed body is broken does not matter.
    let first = store.messages(conv.id, 0, 1).await.unwrap().remove(0);
    let sql = match db.kind {
        Kind::Sqlite => format!("UPDATE messages SET body_ct = X'00' WHERE id = X'{}'", first.id.0.simple()),
        Kind::Postgres => format!("UPDATE messages SET body_ct = '\\x00'::bytea WHERE id = '{}'", first.id.0),
    };
    db.raw_execute(&sql).await;
    assert_eq!(store.last_messages(conv.id, 5).await.unwrap().len(), 5);
    assert!(store.messages(conv.id, 0, 100).await.is_err(), "reading everything would have opened it");
});

both_backends!(a_conversation_back_from_closed_is_marked_returned, |db: TestDb| async move {
    let store = db.open().await;
    let op = store.create_user("op.ret", Role::Operator, "x".into(), b"s").await.unwrap();
    let conv = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    assert!(!conv.returned);
    assert!(store.queue_conversation(conv.id, false).await.unwrap());
    assert!(!store.conversation(conv.id).await.unwrap().unwrap().returned, "first time from the bot");
    store.take_conversation(conv.id, op).await.unwrap();
    store.close_conversation(conv.id, op).await.unwrap();
    assert!(store.queue_conversation(conv.id, false).await.unwrap());
    let back = store.conversation(conv.id).await.unwrap().unwrap();
    assert!(back.returned && back.status == ConversationStatus::Queued);
    assert!(store.queue(10).await.unwrap().iter().any(|c| c.id == conv.id && c.returned));
});
