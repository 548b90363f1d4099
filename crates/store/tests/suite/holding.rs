//! Waiting and silence: the holder's date with its event, the applicant's contact clearing it,
//! the state's clock restarting at each move, and whether the applicant is back.

use safepassage_domain::{CaseError, CaseKind, CaseState, Channel, ContactDefaults, Event, Language, Role, Transition};
use safepassage_store::StoreError;

use super::TestDb;
use crate::both_backends;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

both_backends!(the_next_contact_is_set_by_the_holder_and_cleared_by_the_applicant, |db: TestDb| async move {
    let store = db.open().await;
    let coordinator = store.create_user("co.hold", Role::Coordinator, "x".into(), b"s").await.unwrap();
    let holder = store.create_user("sp.hold", Role::Specialist, "x".into(), b"s").await.unwrap();
    let other = store.create_user("sp.other", Role::Specialist, "x".into(), b"s").await.unwrap();
    let conversation = store.start_conversation(Channel::Web, Language::Uk, None, None).await.unwrap();
    let case = store.open_case_by_bot(conversation.id, CaseKind::Individual).await.unwrap();
    store.assign_case(case, holder, coordinator, Role::Coordinator).await.unwrap();
    store
        .transition_case(case, Transition::Advance { to: CaseState::Registered }, holder, Role::Specialist)
        .await
        .unwrap();

    // A fresh case: no contact yet, the state's clock runs from the move; not back yet.
    let wait = store.case_wait(case).await.unwrap().unwrap();
    assert_eq!(
        (wait.state, wait.holder, wait.last_contact_ms, wait.next_contact_ms),
        (CaseState::Registered, Some(holder), None, None)
    );
    assert!(!wait.returning);
    let defaults = ContactDefaults::default();
    let now = wait.state_since_ms;
    assert_eq!(wait.waiting().due_ms(&defaults), Some(now + 30 * DAY_MS));

    // Another specialist may not set it; the holder may, within bounds; so may a coordinator.
    let refused = store.set_next_contact(case, 2, other, Role::Specialist).await;
    assert!(matches!(refused, Err(StoreError::Case(CaseError::NotTheHolder))), "{refused:?}");
    let refused = store.set_next_contact(case, 0, holder, Role::Specialist).await;
    assert!(matches!(refused, Err(StoreError::Case(CaseError::BadNextContact))), "{refused:?}");
    let at = store.set_next_contact(case, 2, holder, Role::Specialist).await.unwrap();
    assert!(at >= now + 2 * DAY_MS);
    assert_eq!(store.case_wait(case).await.unwrap().unwrap().next_contact_ms, Some(at));
    store.set_next_contact(case, 5, coordinator, Role::Coordinator).await.unwrap();
    let set: Vec<Event> = store
        .timeline(case.0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .filter(|e| e.kind() == "next_contact_set")
        .collect();
    assert_eq!(set.len(), 2);
    assert_eq!(set[0], Event::NextContactSet { case, at_ms: at, by: holder });

    // The applicant writes: the last contact is now and the holder's date is spent.
    store.record_contact(case).await.unwrap();
    let wait = store.case_wait(case).await.unwrap().unwrap();
    assert!(wait.last_contact_ms.is_some_and(|t| t >= now));
    assert_eq!(wait.next_contact_ms, None);

    // A move restarts the state's clock and drops a date set before it.
    store.set_next_contact(case, 1, holder, Role::Specialist).await.unwrap();
    store
        .transition_case(case, Transition::Advance { to: CaseState::Deployed }, holder, Role::Specialist)
        .await
        .unwrap();
    let moved = store.case_wait(case).await.unwrap().unwrap();
    assert_eq!((moved.state, moved.next_contact_ms), (CaseState::Deployed, None));
    assert!(moved.state_since_ms >= wait.state_since_ms);

    // Lists: the holder's open cases, and every open one.
    let mine = store.case_waits(Some(holder), 50).await.unwrap();
    assert_eq!(mine.iter().map(|w| w.case).collect::<Vec<_>>(), vec![case]);
    assert!(store.case_waits(Some(other), 50).await.unwrap().is_empty());
    assert_eq!(store.case_waits(None, 50).await.unwrap().len(), 1);

    // The applicant is back when a conversation of the case waits in the queue.
    store.queue_conversation(conversation.id, true).await.unwrap();
    assert!(store.case_wait(case).await.unwrap().unwrap().returning);

    // A finished case: nothing expected, no date accepted, out of the lists.
    let close = Transition::Close { reason: safepassage_domain::CloseReason::Withdrew };
    store.transition_case(case, close, holder, Role::Specialist).await.unwrap();
    let finished = store.set_next_contact(case, 2, holder, Role::Specialist).await;
    assert!(matches!(finished, Err(StoreError::Case(CaseError::Finished(CaseState::Closed)))), "{finished:?}");
    assert!(store.case_waits(None, 50).await.unwrap().is_empty());
    assert_eq!(store.case_wait(case).await.unwrap().unwrap().waiting().due_ms(&defaults), None);
    assert!(store.verify_chain().await.is_ok());
});

both_backends!(a_relatives_conversation_is_linked_to_the_case_by_its_holder, |db: TestDb| async move {
    let store = db.open().await;
    let coordinator = store.create_user("co.rel", Role::Coordinator, "x".into(), b"s").await.unwrap();
    let holder = store.create_user("sp.rel", Role::Specialist, "x".into(), b"s").await.unwrap();
    let other = store.create_user("sp.norel", Role::Specialist, "x".into(), b"s").await.unwrap();
    let own = store.start_conversation(Channel::Web, Language::Uk, None, None).await.unwrap();
    let case = store.open_case(Some(own.id), CaseKind::Individual, holder).await.unwrap();
    let relative = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();

    let refused = store.link_relative(relative.id, case, other, Role::Specialist).await;
    assert!(matches!(refused, Err(StoreError::Case(CaseError::NotTheHolder))), "{refused:?}");
    let own_one = store.link_relative(own.id, case, holder, Role::Specialist).await;
    assert!(matches!(own_one, Err(StoreError::Case(CaseError::AlreadyLinked))), "{own_one:?}");
    assert_eq!(store.relative_of(relative.id).await.unwrap(), None);

    store.link_relative(relative.id, case, holder, Role::Specialist).await.unwrap();
    assert_eq!(store.relative_of(relative.id).await.unwrap(), Some(case));
    assert_eq!(store.relatives(case).await.unwrap().iter().map(|c| c.id).collect::<Vec<_>>(), vec![relative.id]);
    assert_eq!(store.conversation(relative.id).await.unwrap().unwrap().case, None, "it does not join the case");
    let again = store.link_relative(relative.id, case, coordinator, Role::Coordinator).await;
    assert!(matches!(again, Err(StoreError::Case(CaseError::AlreadyLinked))), "{again:?}");
    let linked: Vec<Event> = store
        .timeline(case.0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .filter(|e| e.kind() == "relative_linked")
        .collect();
    assert_eq!(linked, vec![Event::RelativeLinked { case, conversation: relative.id, by: holder }]);
    assert!(store.verify_chain().await.is_ok());
});

both_backends!(finished_cases_stay_findable_in_the_archive_by_state_and_date, |db: TestDb| async move {
    let store = db.open().await;
    let coordinator = store.create_user("co.arch", Role::Coordinator, "x".into(), b"s").await.unwrap();
    let mut closed = Vec::new();
    for _ in 0..3 {
        let case = store.open_case(None, CaseKind::Individual, coordinator).await.unwrap();
        let close = Transition::Close { reason: safepassage_domain::CloseReason::Duplicate };
        store.transition_case(case, close, coordinator, Role::Coordinator).await.unwrap();
        closed.push(case);
    }
    let open = store.open_case(None, CaseKind::Individual, coordinator).await.unwrap();
    const CLOSED: &[CaseState] = &[CaseState::Closed];
    const EXITED: &[CaseState] = &[CaseState::Exited];
    const BOTH: &[CaseState] = &[CaseState::Closed, CaseState::Exited];
    let all = (0, i64::MAX);
    let ids = |v: Vec<safepassage_store::CaseView>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
    let found = ids(store.archived_cases(BOTH, all, (10, 0)).await.unwrap());
    assert_eq!(found.len(), 3);
    assert!(!found.contains(&open));
    assert_eq!(ids(store.archived_cases(CLOSED, all, (10, 0)).await.unwrap()), found);
    assert!(store.archived_cases(EXITED, all, (10, 0)).await.unwrap().is_empty());
    let first = ids(store.archived_cases(BOTH, all, (2, 0)).await.unwrap());
    let second = ids(store.archived_cases(BOTH, all, (2, 2)).await.unwrap());
    assert_eq!((first.len(), second.len()), (2, 1));
    assert!(!first.contains(&second[0]));
    assert!(store.archived_cases(BOTH, (0, 1), (10, 0)).await.unwrap().is_empty(), "before every case");
    const OPEN: &[CaseState] = &[CaseState::Registered];
    assert!(store.archived_cases(OPEN, all, (10, 0)).await.is_err());
});
