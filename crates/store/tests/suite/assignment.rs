//! Who holds a case: the unassigned list, assignment with its event in the same job, and the
//! rules the store keeps even when the caller skips them.

use safepassage_domain::{CaseError, CaseKind, CaseState, Channel, Event, Language, Role, Transition, UserId};
use safepassage_store::{CaseFilter, StoreError};

use super::TestDb;
use crate::both_backends;

both_backends!(cases_go_from_the_unassigned_list_to_a_specialist, |db: TestDb| async move {
    let store = db.open().await;
    let coordinator = store.create_user("co.one", Role::Coordinator, "x".into(), b"s").await.unwrap();
    let operator = store.create_user("op.one", Role::Operator, "x".into(), b"s").await.unwrap();
    let s1 = store.create_user("sp.one", Role::Specialist, "x".into(), b"s").await.unwrap();
    let s2 = store.create_user("sp.two", Role::Specialist, "x".into(), b"s").await.unwrap();
    let gone = store.create_user("sp.gone", Role::Specialist, "x".into(), b"s").await.unwrap();
    store.disable_user(gone, coordinator).await.unwrap();

    let conversation = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    let by_bot = store.open_case_by_bot(conversation.id, CaseKind::Individual).await.unwrap();
    let by_operator = store.open_case(None, CaseKind::Group, operator).await.unwrap();
    let by_specialist = store.open_case(None, CaseKind::Individual, s1).await.unwrap();
    let closed = store.open_case(None, CaseKind::Individual, operator).await.unwrap();
    let close = Transition::Close { reason: safepassage_domain::CloseReason::Duplicate };
    store.transition_case(closed, close, coordinator, Role::Coordinator).await.unwrap();

    let unassigned = |cases: Vec<safepassage_store::CaseView>| cases.into_iter().map(|c| c.id).collect::<Vec<_>>();
    let waiting = unassigned(store.unassigned_cases(50).await.unwrap());
    assert_eq!(waiting.len(), 2, "{waiting:?}");
    assert!(waiting.contains(&by_bot) && waiting.contains(&by_operator));
    assert_eq!(
        store.assignable_specialists().await.unwrap(),
        vec![(s1, "sp.one".to_owned()), (s2, "sp.two".to_owned())],
        "active specialists only"
    );

    // Refused, whatever the caller: not a coordinator, not an active specialist, a closed case.
    let refused = store.assign_case(by_bot, s1, operator, Role::Operator).await;
    assert!(matches!(refused, Err(StoreError::Case(CaseError::AssignRefused(Role::Operator)))), "{refused:?}");
    for target in [operator, coordinator, gone, UserId(uuid::Uuid::now_v7())] {
        let refused = store.assign_case(by_bot, target, coordinator, Role::Coordinator).await;
        assert!(matches!(refused, Err(StoreError::Case(CaseError::NotASpecialist))), "{refused:?}");
    }
    let finished = store.assign_case(closed, s1, coordinator, Role::Coordinator).await;
    assert!(matches!(finished, Err(StoreError::Case(CaseError::Finished(CaseState::Closed)))), "{finished:?}");

    // Assigned: the owner and the event, together.
    store.assign_case(by_bot, s1, coordinator, Role::Coordinator).await.unwrap();
    store.assign_case(by_operator, s1, coordinator, Role::Coordinator).await.unwrap();
    assert_eq!(store.case(by_operator).await.unwrap().unwrap().assigned_to, Some(s1));
    assert!(store.unassigned_cases(50).await.unwrap().is_empty());
    let mine = store.cases(CaseFilter { assigned_to: Some(s1), states: &[] }, 50).await.unwrap();
    assert_eq!(mine.len(), 3);
    assert!(mine.iter().any(|c| c.id == by_specialist), "a specialist's own case stays theirs");
    assert!(store.cases(CaseFilter { assigned_to: Some(operator), states: &[] }, 50).await.unwrap().len() == 1);
    let again = store.assign_case(by_bot, s1, coordinator, Role::Coordinator).await;
    assert!(matches!(again, Err(StoreError::Case(CaseError::AlreadyAssigned))), "{again:?}");

    // Reassigned.
    store.assign_case(by_bot, s2, coordinator, Role::Coordinator).await.unwrap();
    assert_eq!(store.case(by_bot).await.unwrap().unwrap().assigned_to, Some(s2));
    let events: Vec<Event> = store.timeline(by_bot.0, 100).await.unwrap().into_iter().map(|e| e.event).collect();
    let given: Vec<_> = events.iter().filter(|e| e.kind() == "case_assigned").cloned().collect();
    assert_eq!(
        given,
        vec![
            Event::CaseAssigned { case: by_bot, to: s1, by: coordinator },
            Event::CaseAssigned { case: by_bot, to: s2, by: coordinator },
        ]
    );
    assert!(store.verify_chain().await.is_ok());
});
