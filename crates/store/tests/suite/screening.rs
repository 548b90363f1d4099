//! Provocation screening and retention: flags keep their reason sealed with the case; bursts of
//! equal bot answers and codenames joined from many conversations are found from keyed hashes
//! and events; retention crypto-shreds closed, exited and caseless data, and only that.

use std::collections::BTreeMap;

use safepassage_domain::{
    CaseId, CaseKind, CaseState, Channel, CloseReason, Event, Language, LocationReport, LocationSource, Role, Sender,
    ShredReason, Transition, UserId,
};
use safepassage_store::{Body, RetentionPolicy, SignalSettings, StoreError};

use super::{contains, Kind, TestDb};
use crate::both_backends;

const REASON: &str = "Same story as case 12, word for word FLAGMARK51";
const DAY_MS: i64 = 86_400_000;

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn answers(unit: &str) -> BTreeMap<String, String> {
    [("unit", unit), ("rank", "Private"), ("codename", "requested")]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

/// A test-only shortcut to a state the path would take many people to reach.
async fn force_state(db: &TestDb, case: CaseId, state: CaseState) {
    let id = match db.kind {
        Kind::Sqlite => format!("X'{}'", case.0.simple()),
        Kind::Postgres => format!("'{}'", case.0),
    };
    db.raw_execute(&format!("UPDATE cases SET state = '{}' WHERE id = {id}", state.as_str())).await;
}

both_backends!(a_flag_keeps_its_reason_sealed_with_the_case, |db: TestDb| async move {
    let store = db.open().await;
    let specialist = UserId(uuid::Uuid::now_v7());
    let conv = store.start_conversation(Channel::Web, Language::Uk, None, None).await.unwrap();
    let case = store.open_case_by_bot(conv.id, CaseKind::Individual).await.unwrap();

    for empty in ["", "   \n"] {
        assert!(matches!(store.flag_case(case, specialist, empty).await, Err(StoreError::Conflict(_))));
    }
    store.flag_case(case, specialist, &format!("  {REASON} ")).await.unwrap();
    let flags = store.case_flags(case).await.unwrap();
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].by, specialist);
    assert_eq!(flags[0].reason, Body::Text(REASON.to_owned()));
    let kinds: Vec<Event> = store.timeline(case.0, 100).await.unwrap().into_iter().map(|e| e.event).collect();
    assert!(kinds.contains(&Event::CaseFlaggedSuspicious { case, by: specialist }), "{kinds:?}");

    // Shredding the case takes the reason with it.
    store.shred_case(case, specialist, ShredReason::SafetyRisk).await.unwrap();
    assert_eq!(store.case_flags(case).await.unwrap()[0].reason, Body::Shredded);
    assert!(matches!(store.flag_case(case, specialist, "again").await, Err(StoreError::Conflict(_))));

    drop(store);
    let bytes = db.raw_bytes().await;
    assert!(!contains(&bytes, b"FLAGMARK51"), "the flag's reason is stored in clear");
});

both_backends!(a_burst_of_equal_bot_answers_is_a_signal, |db: TestDb| async move {
    let store = db.open().await;
    let mut same = Vec::new();
    for _ in 0..5 {
        let conv = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
        let case = store.open_case_by_bot(conv.id, CaseKind::Individual).await.unwrap();
        // Case and spacing do not matter.
        assert!(store.record_intake_answers(case, &answers("  Brigade   BURSTMARK9 ")).await.unwrap());
        same.push(case);
    }
    let conv = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    let other = store.open_case_by_bot(conv.id, CaseKind::Individual).await.unwrap();
    store.record_intake_answers(other, &answers("another unit")).await.unwrap();
    assert!(!store.record_intake_answers(other, &BTreeMap::new()).await.unwrap(), "nothing to compare");

    let settings = SignalSettings { burst_cases: 5, ..SignalSettings::default() };
    let signals = store.signals(&settings, now_ms()).await.unwrap();
    assert_eq!(signals.bursts.len(), 1, "{signals:?}");
    let mut found: Vec<CaseId> = signals.bursts[0].cases.iter().map(|(c, _)| *c).collect();
    found.sort();
    same.sort();
    assert_eq!(found, same);
    // Six are needed: no burst. Looked at a month later: outside the look-back.
    let six = SignalSettings { burst_cases: 6, ..settings };
    assert!(store.signals(&six, now_ms()).await.unwrap().bursts.is_empty());
    assert!(store.signals(&settings, now_ms() + 31 * DAY_MS).await.unwrap().bursts.is_empty());

    // A shred forgets the case's intake hash.
    store.shred_case(same[0], UserId::SYSTEM, ShredReason::EnteredInError).await.unwrap();
    assert!(store.signals(&settings, now_ms()).await.unwrap().bursts.is_empty());

    drop(store);
    let bytes = db.raw_bytes().await;
    for needle in ["BURSTMARK9", "burstmark9", "brigade"] {
        assert!(!contains(&bytes, needle.as_bytes()), "{needle} stored in clear");
    }
});

both_backends!(a_codename_joined_from_many_conversations_is_a_signal, |db: TestDb| async move {
    let store = db.open().await;
    let conv = store.start_conversation(Channel::Web, Language::Uk, None, None).await.unwrap();
    let case = store.open_case_by_bot(conv.id, CaseKind::Individual).await.unwrap();
    let codename = store.issue_codename(case).await.unwrap();
    let quiet_conv = store.start_conversation(Channel::Web, Language::Uk, None, None).await.unwrap();
    let quiet = store.open_case_by_bot(quiet_conv.id, CaseKind::Individual).await.unwrap();
    let quiet_codename = store.issue_codename(quiet).await.unwrap();
    for _ in 0..3 {
        let joining = store.start_conversation(Channel::Telegram, Language::Uk, None, None).await.unwrap();
        assert_eq!(store.join_by_codename(joining.id, &codename).await.unwrap(), Some(case));
    }
    let once = store.start_conversation(Channel::Web, Language::Uk, None, None).await.unwrap();
    store.join_by_codename(once.id, &quiet_codename).await.unwrap();

    let settings = SignalSettings { join_conversations: 3, ..SignalSettings::default() };
    let joins = store.signals(&settings, now_ms()).await.unwrap().joins;
    assert_eq!(joins.len(), 1, "{joins:?}");
    assert_eq!((joins[0].case, joins[0].conversations), (case, 3), "the opening conversation does not count");
    let four = SignalSettings { join_conversations: 4, ..settings };
    assert!(store.signals(&four, now_ms()).await.unwrap().joins.is_empty());
    // Outside the window: nothing.
    assert!(store.signals(&settings, now_ms() + 8 * DAY_MS).await.unwrap().joins.is_empty());
});

both_backends!(cases_located_near_each_other_are_a_signal, |db: TestDb| async move {
    let store = db.open().await;
    let specialist = UserId(uuid::Uuid::now_v7());
    let mut cases = Vec::new();
    for place in ["48.0159, 37.8028", "48.0170, 37.8030", "47.0000, 35.0000"] {
        let conv = store.start_conversation(Channel::Web, Language::Uk, None, None).await.unwrap();
        let case = store.open_case_by_bot(conv.id, CaseKind::Individual).await.unwrap();
        let report = LocationReport::from_input(place, None, LocationSource::StaffCall, None, now_ms()).unwrap();
        store.record_location(case, &report, specialist).await.unwrap();
        cases.push(case);
    }
    let settings = SignalSettings { nearby_metres: 300.0, ..SignalSettings::default() };
    let nearby = store.signals(&settings, now_ms()).await.unwrap().nearby;
    assert_eq!(nearby.len(), 1, "{nearby:?}");
    let mut expected = vec![cases[0], cases[1]];
    expected.sort();
    assert_eq!(nearby[0].cases, expected);
    let tight = SignalSettings { nearby_metres: 50.0, ..settings };
    assert!(store.signals(&tight, now_ms()).await.unwrap().nearby.is_empty());
});

both_backends!(retention_shreds_what_it_no_longer_keeps_and_only_that, |db: TestDb| async move {
    let store = db.open().await;
    let coordinator = UserId(uuid::Uuid::now_v7());
    let open_case = |store: safepassage_store::Store| async move {
        let conv = store.start_conversation(Channel::Web, Language::Uk, None, None).await.unwrap();
        store.append_message(&conv, Sender::Applicant, "RETAINMARK case words").await.unwrap();
        let case = store.open_case_by_bot(conv.id, CaseKind::Individual).await.unwrap();
        (conv, case)
    };
    let (closed_conv, closed) = open_case(store.clone()).await;
    store
        .transition_case(closed, Transition::Close { reason: CloseReason::Withdrew }, coordinator, Role::Coordinator)
        .await
        .unwrap();
    let (_, exited) = open_case(store.clone()).await;
    force_state(&db, exited, CaseState::Exited).await;
    let (open_conv, open) = open_case(store.clone()).await;
    // Conversations that never became a case: one the bot still holds, one waiting in the queue.
    let idle = store.start_conversation(Channel::Web, Language::Uk, None, Some([3u8; 32])).await.unwrap();
    store.append_message(&idle, Sender::Applicant, "RETAINMARK idle words").await.unwrap();
    let queued = store.start_conversation(Channel::Web, Language::Uk, None, None).await.unwrap();
    store.queue_conversation(queued.id, false).await.unwrap();

    // Nothing is old enough yet, and 0 days keeps everything forever.
    let policy = RetentionPolicy::from_days(1, 0, 1);
    assert_eq!(store.run_retention(&policy, now_ms()).await.unwrap(), Default::default());
    assert_eq!(
        store.run_retention(&RetentionPolicy::keep_forever(), now_ms() + 3650 * DAY_MS).await.unwrap(),
        Default::default()
    );

    let later = now_ms() + 2 * DAY_MS;
    let report = store.run_retention(&policy, later).await.unwrap();
    assert_eq!((report.closed_cases, report.exited_cases, report.conversations), (1, 0, 1), "{report:?}");
    assert!(store.case(closed).await.unwrap().unwrap().shredded);
    assert!(!store.case(exited).await.unwrap().unwrap().shredded, "exited cases are kept forever by this policy");
    assert!(!store.case(open).await.unwrap().unwrap().shredded);
    // Contents are gone, the rows (and what figures count) stay.
    let body = |conv| {
        let store = store.clone();
        async move { store.messages(conv, 0, 10).await.unwrap()[0].body.clone() }
    };
    assert_eq!(body(closed_conv.id).await, Body::Shredded);
    assert_eq!(body(idle.id).await, Body::Shredded);
    assert!(matches!(body(open_conv.id).await, Body::Text(_)));
    assert!(store.conversation(idle.id).await.unwrap().is_some());
    assert!(store.conversation_by_token([3u8; 32]).await.unwrap().is_none(), "the chat token opens nothing");
    assert!(matches!(store.append_message(&idle, Sender::Applicant, "x").await, Err(StoreError::Conflict(_))));

    // Exited cases go when their own time is over; a second run finds nothing more.
    let both = RetentionPolicy::from_days(1, 1, 1);
    let report = store.run_retention(&both, later).await.unwrap();
    assert_eq!((report.closed_cases, report.exited_cases, report.conversations), (0, 1, 0), "{report:?}");
    assert_eq!(store.run_retention(&both, later).await.unwrap(), Default::default());
    assert!(!store.case(open).await.unwrap().unwrap().shredded);

    // Every automatic shred is an event with the retention reason and no one as its author.
    let events: Vec<Event> = store.events(0, 10_000).await.unwrap().into_iter().map(|e| e.event).collect();
    assert!(events.contains(&Event::CaseShredded {
        case: closed,
        by: None,
        reason: Some(ShredReason::RetentionEnded)
    }));
    assert!(events.contains(&Event::CaseShredded {
        case: exited,
        by: None,
        reason: Some(ShredReason::RetentionEnded)
    }));
    assert!(events.contains(&Event::ConversationShredded {
        conversation: idle.id,
        by: None,
        reason: ShredReason::RetentionEnded
    }));
    assert!(!events
        .iter()
        .any(|e| matches!(e, Event::ConversationShredded { conversation, .. } if *conversation == queued.id)));
});

both_backends!(every_store_on_the_database_forgets_a_conversation_shredded_by_retention, |db: TestDb| async move {
    // Two stores on one database: two app nodes, or a server and the command line.
    let node_a = db.open().await;
    let node_b = db.open().await;
    let conv = node_a.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    node_a.append_message(&conv, Sender::Applicant, "first").await.unwrap();
    // Node B holds the conversation's key unwrapped.
    let conv_b = node_b.conversation(conv.id).await.unwrap().unwrap();
    node_b.append_message(&conv_b, Sender::Applicant, "seen on b").await.unwrap();
    let mut heard = node_b.shredded();

    let report = node_a.run_retention(&RetentionPolicy::from_days(0, 0, 1), now_ms() + 2 * DAY_MS).await.unwrap();
    assert_eq!(report.conversations, 1);
    let notice = tokio::time::timeout(std::time::Duration::from_secs(3), heard.recv())
        .await
        .expect("node B heard of the shred within 3 s")
        .unwrap();
    assert_eq!(notice.conversations, vec![conv.id]);
    let refused = node_b.append_message(&conv_b, Sender::Applicant, "after").await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))), "{refused:?}");
    assert!(node_b.messages(conv.id, 0, 10).await.unwrap().iter().all(|m| m.body.text().is_none()));
});
