//! Crypto-shredding leaves nothing usable behind (codename, chat token, flow state, channel
//! identity), is recorded with who and why, and every store on the same database forgets the
//! keys at once: two stores on one SQLite file (a server and the command line) or two app
//! nodes on one PostgreSQL.

use std::time::Duration;

use safepassage_domain::{CaseKind, Channel, Event, Language, Sender, ShredReason, UserId};
use safepassage_store::{ChainReport, FlowWrite, StepMessage, StoreError};

use super::TestDb;
use crate::both_backends;

const PHONE: &str = "+380671112233";

both_backends!(shredding_removes_the_codename_token_flow_state_and_identity, |db: TestDb| async move {
    let store = db.open().await;
    let coordinator = UserId(uuid::Uuid::now_v7());
    let token = [7u8; 32];
    let conv = store.start_conversation(Channel::Web, Language::Uk, None, Some(token)).await.unwrap();
    let call = store.start_conversation(Channel::Voice, Language::Uk, Some(PHONE), None).await.unwrap();
    let write = FlowWrite {
        state: Some("{}".into()),
        summary: "{}".into(),
        wait_timeout_ms: Some(1),
        expires_ms: None,
        expected_version: 0,
        codename: None,
        counts: Vec::new(),
    };
    store.flow_step(&conv, vec![StepMessage::new(Sender::Applicant, "hello")], Some(write)).await.unwrap();
    let case = store.open_case_by_bot(conv.id, CaseKind::Individual).await.unwrap();
    // The caller joins with the codename: the case now holds the call and its phone number.
    let codename = store.issue_codename(case).await.unwrap();
    assert_eq!(store.join_by_codename(call.id, &codename).await.unwrap(), Some(case));

    store.shred_case(case, coordinator, ShredReason::SafetyRisk).await.unwrap();

    let view = store.case(case).await.unwrap().unwrap();
    assert!(view.shredded && !view.has_codename, "the codename hash is gone: {view:?}");
    assert!(store.conversation_by_token(token).await.unwrap().is_none(), "the chat token opens nothing");
    assert!(store.flow_session(conv.id).await.unwrap().is_none());
    assert!(store.due_flow_sessions(i64::MAX, 10).await.unwrap().is_empty(), "no flow timer is left");
    // The caller is a stranger now: a new contact.
    let again = store.start_conversation(Channel::Voice, Language::Uk, Some(PHONE), None).await.unwrap();
    assert_ne!(again.contact, call.contact);
    // Writing into a shredded conversation is refused.
    assert!(matches!(store.append_message(&conv, Sender::Applicant, "x").await, Err(StoreError::Conflict(_))));
    // A second shred is refused; the first is recorded with who and why.
    assert!(matches!(store.shred_case(case, coordinator, ShredReason::SafetyRisk).await, Err(StoreError::Conflict(_))));
    let shreds: Vec<_> = store
        .events(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| matches!(e.event, Event::CaseShredded { .. }))
        .collect();
    assert_eq!(shreds.len(), 1);
    assert_eq!(
        shreds[0].event,
        Event::CaseShredded { case, by: Some(coordinator), reason: Some(ShredReason::SafetyRisk) }
    );
    assert!(matches!(store.verify_chain().await.unwrap(), ChainReport::Intact { .. }));
});

both_backends!(a_shredded_case_codename_is_refused_like_a_wrong_one, |db: TestDb| async move {
    let store = db.open().await;
    let user = UserId(uuid::Uuid::now_v7());
    let case = store.open_case(None, CaseKind::Individual, user).await.unwrap();
    let codename = store.issue_codename(case).await.unwrap();
    let first = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    assert_eq!(store.join_by_codename(first.id, &codename).await.unwrap(), Some(case));
    store.shred_case(case, user, ShredReason::ApplicantRequest).await.unwrap();
    let later = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    assert_eq!(store.join_by_codename(later.id, &codename).await.unwrap(), None);
    assert_eq!(store.conversation(later.id).await.unwrap().unwrap().case, None);
});

both_backends!(every_store_on_the_database_forgets_a_shredded_case_at_once, |db: TestDb| async move {
    // Two stores on one database: two app nodes, or a server and the command line.
    let node_a = db.open().await;
    let node_b = db.open().await;
    let user = UserId(uuid::Uuid::now_v7());
    let conv = node_a.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    node_a.append_message(&conv, Sender::Applicant, "first").await.unwrap();
    let case = node_a.open_case(Some(conv.id), CaseKind::Individual, user).await.unwrap();
    // Node B holds the conversation's key unwrapped.
    let conv_b = node_b.conversation(conv.id).await.unwrap().unwrap();
    node_b.append_message(&conv_b, Sender::Staff, "seen on b").await.unwrap();
    let mut heard = node_b.shredded();

    node_a.shred_case(case, user, ShredReason::RetentionEnded).await.unwrap();
    let notice = tokio::time::timeout(Duration::from_secs(3), heard.recv())
        .await
        .expect("node B heard of the shred within 3 s")
        .unwrap();
    assert_eq!(notice.case, case);
    assert_eq!(notice.conversations, vec![conv.id]);
    // Node B no longer has the key: it cannot write into the conversation.
    let refused = node_b.append_message(&conv_b, Sender::Staff, "after").await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))), "{refused:?}");
    assert!(node_b.messages(conv.id, 0, 10).await.unwrap().iter().all(|m| m.body.text().is_none()));
});
