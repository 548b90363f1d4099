//! The messenger channels' plumbing: the durable outbox (written with the message, leased by
//! claims, done, retried, failed, gone with a shred), inbound receipts that make a redelivered
//! update fail its whole step, sealed reply addresses, and finding a sender's conversation.

use std::collections::HashSet;

use safepassage_domain::{CaseKind, Channel, Event, Language, Sender, ShredReason, UserId};
use safepassage_store::{StepMessage, Store, StoreError};

use super::{contains, Kind, TestDb};
use crate::both_backends;

const MARKER_PAYLOAD: &str = r#"{"chat_id":"OUTBOX-MARKER-5e1f","text":"Мы рядом"}"#;
const MARKER_ADDRESS: &str = "REPLY-MARKER-93817264";
const LEASE: i64 = 30_000;

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

async fn telegram(store: &Store, who: &str) -> safepassage_store::ConversationView {
    store.start_conversation(Channel::Telegram, Language::Uk, Some(who), None).await.unwrap()
}

both_backends!(a_leaving_message_creates_exactly_one_claimable_row, |db: TestDb| async move {
    let store = db.open().await;
    let conv = telegram(&store, "tg:1001").await;
    let reply = StepMessage::new(Sender::Bot, "Мы рядом").leaving(MARKER_PAYLOAD.as_bytes().to_vec());
    let reply_id = reply.id;
    let sent = store.flow_step(&conv, vec![StepMessage::new(Sender::Applicant, "привет"), reply], None).await.unwrap();
    assert_eq!(sent.len(), 2, "both messages recorded");
    let at = now() + 1_000;
    let claimed = store.claim_outbound(at, LEASE, 10).await.unwrap();
    assert_eq!(claimed.len(), 1, "only the leaving message: {claimed:?}");
    let row = &claimed[0];
    assert_eq!(row.payload, MARKER_PAYLOAD.as_bytes());
    assert_eq!(
        (row.conversation, row.channel, row.message, row.attempts),
        (conv.id, Channel::Telegram, Some(reply_id), 0)
    );
    // Not due before it was written.
    assert!(store.claim_outbound(0, LEASE, 10).await.unwrap().is_empty());
});

both_backends!(a_claim_leases_until_the_lease_has_passed, |db: TestDb| async move {
    let store = db.open().await;
    let conv = telegram(&store, "tg:1002").await;
    let first = store.queue_outbound(&conv, b"first", 1_000).await.unwrap();
    let second = store.queue_outbound(&conv, b"second", 2_000).await.unwrap();
    assert!(store.claim_outbound(999, LEASE, 10).await.unwrap().is_empty(), "nothing due yet");
    let claimed = store.claim_outbound(5_000, LEASE, 10).await.unwrap();
    assert_eq!(claimed.iter().map(|o| o.id).collect::<Vec<_>>(), vec![first, second], "oldest first");
    assert_eq!(claimed[0].message, None);
    // Another claim at the same time gets nothing; after the lease, both are back (the worker
    // that claimed them was killed).
    assert!(store.claim_outbound(5_000, LEASE, 10).await.unwrap().is_empty());
    assert!(store.claim_outbound(5_000 + LEASE - 1, LEASE, 10).await.unwrap().is_empty());
    let again = store.claim_outbound(5_000 + LEASE, LEASE, 10).await.unwrap();
    assert_eq!(again.iter().map(|o| o.id).collect::<Vec<_>>(), vec![first, second]);
    assert_eq!(again[1].payload, b"second");
    // The limit holds.
    let later = store.claim_outbound(5_000 + 3 * LEASE, LEASE, 1).await.unwrap();
    assert_eq!(later.len(), 1);
});

both_backends!(done_deletes_and_queues_the_follow_up, |db: TestDb| async move {
    let store = db.open().await;
    let conv = telegram(&store, "tg:1003").await;
    let reply = StepMessage::new(Sender::Bot, "disappearing").leaving(b"send".to_vec());
    let message = reply.id;
    store.flow_step(&conv, vec![reply], None).await.unwrap();
    let at = now() + 1_000;
    let row = store.claim_outbound(at, LEASE, 10).await.unwrap().remove(0);
    let follow_up = store.outbound_done(row.id, Some((b"delete it", at + 60_000))).await.unwrap().unwrap();
    assert_ne!(follow_up, row.id);
    // The sent row is gone even after its lease; the follow-up waits for its time.
    assert!(store.claim_outbound(at + LEASE + 1, LEASE, 10).await.unwrap().is_empty());
    let next = store.claim_outbound(at + 60_000, LEASE, 10).await.unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!((next[0].id, next[0].payload.as_slice()), (follow_up, b"delete it".as_slice()));
    assert_eq!((next[0].message, next[0].conversation), (Some(message), conv.id));
    // Done twice (another worker after the lease) conflicts and queues nothing more.
    let twice = store.outbound_done(row.id, Some((b"again", 0))).await;
    assert!(matches!(twice, Err(StoreError::Conflict(_))), "{twice:?}");
    store.outbound_done(follow_up, None).await.unwrap();
    assert!(store.claim_outbound(i64::MAX / 2, LEASE, 10).await.unwrap().is_empty());
});

both_backends!(retry_counts_the_attempt_and_waits, |db: TestDb| async move {
    let store = db.open().await;
    let conv = telegram(&store, "tg:1004").await;
    let id = store.queue_outbound(&conv, b"try me", 1_000).await.unwrap();
    assert_eq!(store.claim_outbound(1_000, LEASE, 10).await.unwrap()[0].attempts, 0);
    store.outbound_retry(id, 50_000).await.unwrap();
    assert!(store.claim_outbound(49_999, LEASE, 10).await.unwrap().is_empty());
    let again = store.claim_outbound(50_000, LEASE, 10).await.unwrap();
    assert_eq!((again[0].id, again[0].attempts), (id, 1));
    store.outbound_retry(id, 60_000).await.unwrap();
    assert_eq!(store.claim_outbound(60_000, LEASE, 10).await.unwrap()[0].attempts, 2);
});

both_backends!(a_failure_shows_to_staff_with_its_event, |db: TestDb| async move {
    let store = db.open().await;
    let conv = telegram(&store, "tg:1005").await;
    let reply = StepMessage::new(Sender::Bot, "blocked").leaving(b"to a blocked bot".to_vec());
    let message = reply.id;
    store.flow_step(&conv, vec![reply], None).await.unwrap();
    let other = store.queue_outbound(&conv, b"other", 1).await.unwrap();
    let at = now() + 1_000;
    let claimed = store.claim_outbound(at, LEASE, 10).await.unwrap();
    let row = claimed.iter().find(|o| o.message == Some(message)).unwrap();
    assert!(matches!(store.outbound_failed(row.id, "Not A Code").await, Err(StoreError::Refused(_))));
    store.outbound_failed(row.id, "refused").await.unwrap();
    store.outbound_done(other, None).await.unwrap();

    let failures = store.outbound_failures(conv.id).await.unwrap();
    assert_eq!(failures.len(), 1);
    assert_eq!((failures[0].message, failures[0].failure.as_str()), (Some(message), "refused"));
    assert!(failures[0].at_ms >= at - 10_000, "{failures:?}");
    // A failed row is never claimed again, nor failed or retried twice.
    assert!(store.claim_outbound(i64::MAX / 2, LEASE, 10).await.unwrap().is_empty());
    assert!(matches!(store.outbound_failed(row.id, "gave_up").await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.outbound_retry(row.id, 1).await, Err(StoreError::Conflict(_))));
    let events = store.events(0, 1_000).await.unwrap();
    let failed: Vec<_> = events.iter().filter(|e| matches!(e.event, Event::OutboundFailed { .. })).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].event, Event::OutboundFailed { conversation: conv.id, message: Some(message) });
    assert!(store.outbound_failures(telegram(&store, "tg:other").await.id).await.unwrap().is_empty());
});

both_backends!(shredding_makes_the_rows_disappear_at_claim, |db: TestDb| async move {
    let store = db.open().await;
    let conv = telegram(&store, "tg:1006").await;
    let kept = telegram(&store, "tg:1007").await;
    store.queue_outbound(&conv, b"one", 1_000).await.unwrap();
    store.queue_outbound(&conv, b"two", 1_000).await.unwrap();
    let survivor = store.queue_outbound(&kept, b"kept", 1_000).await.unwrap();
    let case = store.open_case_by_bot(conv.id, CaseKind::Individual).await.unwrap();
    store.shred_case(case, UserId::SYSTEM, ShredReason::ApplicantRequest).await.unwrap();

    let claimed = store.claim_outbound(2_000, LEASE, 10).await.unwrap();
    assert_eq!(claimed.iter().map(|o| o.id).collect::<Vec<_>>(), vec![survivor]);
    // Deleted, not merely skipped: a fresh store (no cached keys) after the lease finds only
    // the survivor again.
    drop(store);
    let store = db.open().await;
    let later = store.claim_outbound(2_000 + LEASE, LEASE, 10).await.unwrap();
    assert_eq!(later.iter().map(|o| o.id).collect::<Vec<_>>(), vec![survivor]);
    let queued = store.queue_outbound(&conv, b"too late", 1_000).await;
    assert!(matches!(queued, Err(StoreError::Conflict(_))), "{queued:?}");
});

both_backends!(two_concurrent_claims_never_share_a_row, |db: TestDb| async move {
    let store = db.open().await;
    let conv = telegram(&store, "tg:1008").await;
    for round in 0..3i64 {
        let mut queued = HashSet::new();
        for i in 0..24 {
            queued.insert(store.queue_outbound(&conv, format!("row {i}").as_bytes(), 1_000).await.unwrap());
        }
        let at = 10_000 + round * 10 * LEASE;
        let (a, b) = (store.clone(), store.clone());
        let one = tokio::spawn(async move { a.claim_outbound(at, LEASE, 24).await.unwrap() });
        let two = tokio::spawn(async move { b.claim_outbound(at, LEASE, 24).await.unwrap() });
        let (one, two) = (one.await.unwrap(), two.await.unwrap());
        let mut seen = HashSet::new();
        for row in one.iter().chain(two.iter()) {
            assert!(seen.insert(row.id), "row {} claimed twice in round {round}", row.id);
        }
        assert_eq!(seen, queued, "every due row claimed by exactly one of them");
        for row in one.iter().chain(two.iter()) {
            store.outbound_done(row.id, None).await.unwrap();
        }
    }
});

both_backends!(a_redelivered_update_fails_its_whole_step, |db: TestDb| async move {
    let store = db.open().await;
    let conv = telegram(&store, "tg:1009").await;
    assert!(!store.has_receipt("telegram", 42).await.unwrap());
    let step = |text: &str| {
        vec![
            StepMessage::new(Sender::Applicant, text).with_receipt("telegram", 42),
            StepMessage::new(Sender::Bot, "answer").leaving(b"answer".to_vec()),
        ]
    };
    store.flow_step(&conv, step("first delivery"), None).await.unwrap();
    assert!(store.has_receipt("telegram", 42).await.unwrap());
    assert!(!store.has_receipt("telegram", 43).await.unwrap());
    assert!(!store.has_receipt("voice", 42).await.unwrap(), "receipts are per source");

    let again = store.flow_step(&conv, step("redelivered"), None).await;
    assert!(matches!(again, Err(StoreError::Duplicate)), "{again:?}");
    let messages = store.messages(conv.id, 0, 10).await.unwrap();
    assert_eq!(messages.len(), 2, "nothing of the second step was written");
    assert_eq!(messages[0].body.text(), Some("first delivery"));
    assert_eq!(store.claim_outbound(now() + 1_000, LEASE, 10).await.unwrap().len(), 1, "one reply, not two");
    // The same update id from another source is another update.
    store
        .flow_step(&conv, vec![StepMessage::new(Sender::Applicant, "call").with_receipt("voice", 42)], None)
        .await
        .unwrap();

    assert_eq!(store.prune_receipts(0).await.unwrap(), 0);
    assert_eq!(store.prune_receipts(now() + 60_000).await.unwrap(), 2);
    assert!(!store.has_receipt("telegram", 42).await.unwrap());
});

both_backends!(concurrent_duplicates_record_one_message, |db: TestDb| async move {
    let store = db.open().await;
    let conv = telegram(&store, "tg:1010").await;
    let mut tasks = Vec::new();
    for i in 0..6 {
        let (store, conv) = (store.clone(), conv.clone());
        tasks.push(tokio::spawn(async move {
            let message = StepMessage::new(Sender::Applicant, format!("copy {i}")).with_receipt("telegram", 7);
            store.flow_step(&conv, vec![message], None).await
        }));
    }
    let mut recorded = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => recorded += 1,
            Err(StoreError::Duplicate) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(recorded, 1);
    assert_eq!(store.messages(conv.id, 0, 10).await.unwrap().len(), 1);
});

both_backends!(the_reply_address_round_trips_and_goes_with_a_shred, |db: TestDb| async move {
    let store = db.open().await;
    let conv = telegram(&store, "tg:1011").await;
    let other = telegram(&store, "tg:1012").await;
    assert_eq!(store.reply_to(conv.id).await.unwrap(), None);
    store.set_reply_to(&conv, "111").await.unwrap();
    store.set_reply_to(&conv, MARKER_ADDRESS).await.unwrap();
    assert_eq!(store.reply_to(conv.id).await.unwrap().as_deref(), Some(MARKER_ADDRESS));
    assert_eq!(store.reply_to(other.id).await.unwrap(), None);
    assert!(matches!(store.set_reply_to(&conv, "").await, Err(StoreError::Refused(_))));
    let case = store.open_case_by_bot(conv.id, CaseKind::Individual).await.unwrap();
    store.shred_case(case, UserId::SYSTEM, ShredReason::ApplicantRequest).await.unwrap();
    assert_eq!(store.reply_to(conv.id).await.unwrap(), None);
    drop(store);
    let store = db.open().await;
    assert_eq!(store.reply_to(conv.id).await.unwrap(), None, "also without cached keys");
});

both_backends!(a_senders_newest_conversation_is_found_by_identity, |db: TestDb| async move {
    let store = db.open().await;
    assert!(store.latest_conversation_for_identity(Channel::Telegram, "tg:2001").await.unwrap().is_none());
    let first = telegram(&store, "tg:2001").await;
    let second = telegram(&store, "tg:2001").await;
    let stranger = telegram(&store, "tg:2002").await;
    assert_eq!(first.contact, second.contact, "the same sender keeps their contact");
    assert_ne!(first.contact, stranger.contact);
    let found = store.latest_conversation_for_identity(Channel::Telegram, "tg:2001").await.unwrap().unwrap();
    assert_eq!(found.id, second.id);
    assert_eq!(
        store.latest_conversation_for_identity(Channel::Telegram, "tg:2002").await.unwrap().map(|c| c.id),
        Some(stranger.id)
    );
    // Identities are per channel.
    assert!(store.latest_conversation_for_identity(Channel::Voice, "tg:2001").await.unwrap().is_none());
    // Shredding forgets the sender: a new message starts a new contact.
    let case = store.open_case_by_bot(second.id, CaseKind::Individual).await.unwrap();
    store.shred_case(case, UserId::SYSTEM, ShredReason::ApplicantRequest).await.unwrap();
    assert!(store.latest_conversation_for_identity(Channel::Telegram, "tg:2001").await.unwrap().is_none());
    let fresh = telegram(&store, "tg:2001").await;
    assert_ne!(fresh.contact, first.contact);
});

both_backends!(neither_payload_nor_reply_address_is_stored_in_clear, |db: TestDb| async move {
    let store = db.open().await;
    let conv = telegram(&store, "tg:3001").await;
    let reply = StepMessage::new(Sender::Bot, "ok").leaving(MARKER_PAYLOAD.as_bytes().to_vec());
    store.flow_step(&conv, vec![reply], None).await.unwrap();
    store.queue_outbound(&conv, MARKER_PAYLOAD.as_bytes(), 1_000).await.unwrap();
    store.set_reply_to(&conv, MARKER_ADDRESS).await.unwrap();
    assert_eq!(store.claim_outbound(now() + 1_000, LEASE, 10).await.unwrap().len(), 2);
    drop(store);
    let raw = db.raw_bytes().await;
    for needle in [MARKER_PAYLOAD, "OUTBOX-MARKER", "Мы рядом", MARKER_ADDRESS, "93817264", "tg:3001"] {
        assert!(!contains(&raw, needle.as_bytes()), "{needle:?} found in raw {:?} storage", db.kind);
        assert!(!contains(&raw, hex::encode(needle).as_bytes()), "hex of {needle:?} found in raw storage");
    }
});

both_backends!(a_payload_moved_to_another_row_is_marked_unreadable, |db: TestDb| async move {
    let store = db.open().await;
    let conv = telegram(&store, "tg:4001").await;
    let a = store.queue_outbound(&conv, b"first", 1_000).await.unwrap();
    let b = store.queue_outbound(&conv, b"second", 1_000).await.unwrap();
    let (ida, idb) = (hex::encode(a.0.as_bytes()), hex::encode(b.0.as_bytes()));
    let sql = match db.kind {
        Kind::Sqlite => {
            format!("UPDATE outbox SET body_ct = (SELECT body_ct FROM outbox WHERE id = x'{ida}') WHERE id = x'{idb}'")
        }
        Kind::Postgres => {
            format!("UPDATE outbox SET body_ct = (SELECT body_ct FROM outbox WHERE id = '{a}') WHERE id = '{b}'")
        }
    };
    db.raw_execute(&sql).await;
    let claimed = store.claim_outbound(2_000, LEASE, 10).await.unwrap();
    assert_eq!(claimed.iter().map(|o| o.id).collect::<Vec<_>>(), vec![a]);
    let failures = store.outbound_failures(conv.id).await.unwrap();
    assert_eq!(failures.iter().map(|f| f.failure.as_str()).collect::<Vec<_>>(), vec!["unreadable"]);
});
