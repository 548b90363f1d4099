//! The bot's state per conversation: saved sealed with the conversation's key, committed with
//! the messages of the same step, found again when a timeout or an expiry is due.

use safepassage_domain::{CaseKind, Channel, Language, Sender, UserId};
use safepassage_store::{FlowWrite, StepMessage, StoreError};

use super::{contains, Kind, TestDb};
use crate::both_backends;

const MARKER_STATE: &str = r#"{"results":{"duress_phrase":"MARKER-FLOW-41c2 дядя Коля"}}"#;
const MARKER_SUMMARY: &str = r#"{"topic":"MARKER-TOPIC-9d0e"}"#;

/// A first write (no session yet).
fn write(state: Option<&str>, timeout: Option<i64>, expires: Option<i64>) -> FlowWrite {
    write_over(0, state, timeout, expires)
}

/// A write over the session at `version`.
fn write_over(version: i64, state: Option<&str>, timeout: Option<i64>, expires: Option<i64>) -> FlowWrite {
    FlowWrite {
        expected_version: version,
        codename: None,
        counts: Vec::new(),
        state: state.map(str::to_owned),
        summary: MARKER_SUMMARY.to_owned(),
        wait_timeout_ms: timeout,
        expires_ms: expires,
    }
}

both_backends!(a_flow_step_commits_messages_and_state_together, |db: TestDb| async move {
    let store = db.open().await;
    let conv = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    assert!(store.flow_session(conv.id).await.unwrap().is_none());
    let sent = store
        .flow_step(
            &conv,
            vec![StepMessage::new(Sender::Applicant, "привет"), StepMessage::new(Sender::Bot, "Здравствуйте.")],
            Some(write(Some(MARKER_STATE), Some(1_000), Some(5_000))),
        )
        .await
        .unwrap();
    assert_eq!(sent.len(), 2);
    assert!(sent[0].seq < sent[1].seq);
    let stored = store.messages(conv.id, 0, 10).await.unwrap();
    assert_eq!(
        stored,
        sent.iter().map(|m| safepassage_store::MessageView { at_ms: stored[0].at_ms, ..m.clone() }).collect::<Vec<_>>()
    );
    let flow = store.flow_session(conv.id).await.unwrap().unwrap();
    assert_eq!(flow.state.as_deref(), Some(MARKER_STATE));
    assert_eq!(flow.summary, MARKER_SUMMARY);
    assert_eq!((flow.wait_timeout_ms, flow.expires_ms), (Some(1_000), Some(5_000)));
    assert_eq!(flow.version, 1);

    // Messages alone leave the state as it is; a finished session keeps only its summary.
    store.flow_step(&conv, vec![StepMessage::new(Sender::Bot, "ещё")], None).await.unwrap();
    assert_eq!(store.flow_session(conv.id).await.unwrap().unwrap().state.as_deref(), Some(MARKER_STATE));
    store.flow_step(&conv, Vec::new(), Some(write_over(1, None, None, None))).await.unwrap();
    let flow = store.flow_session(conv.id).await.unwrap().unwrap();
    assert_eq!((flow.state, flow.wait_timeout_ms, flow.expires_ms), (None, None, None));
    assert_eq!(flow.summary, MARKER_SUMMARY);
    store.clear_flow_session(conv.id).await.unwrap();
    assert!(store.flow_session(conv.id).await.unwrap().is_none());
});

both_backends!(a_step_over_a_session_that_moved_on_is_refused_with_its_messages, |db: TestDb| async move {
    let store = db.open().await;
    let conv = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    store.flow_step(&conv, Vec::new(), Some(write(Some("v1"), None, None))).await.unwrap();
    // Two steps read version 1 (two nodes, say); the first one to commit wins.
    let first = vec![StepMessage::new(Sender::Applicant, "first")];
    store.flow_step(&conv, first, Some(write_over(1, Some("v2"), None, None))).await.unwrap();
    let second = vec![StepMessage::new(Sender::Applicant, "second")];
    let refused = store.flow_step(&conv, second, Some(write_over(1, Some("v2 again"), None, None))).await;
    assert!(matches!(refused, Err(StoreError::Conflict(_))), "{refused:?}");
    // A first write where a session exists is refused too.
    assert!(matches!(
        store.flow_step(&conv, Vec::new(), Some(write(Some("again"), None, None))).await,
        Err(StoreError::Conflict(_))
    ));
    let flow = store.flow_session(conv.id).await.unwrap().unwrap();
    assert_eq!((flow.state.as_deref(), flow.version), (Some("v2"), 2));
    let texts: Vec<String> =
        store.messages(conv.id, 0, 10).await.unwrap().iter().filter_map(|m| m.body.text().map(str::to_owned)).collect();
    assert_eq!(texts, ["first"], "the refused step's message was not recorded");
});

both_backends!(due_sessions_are_found_by_timeout_or_expiry, |db: TestDb| async move {
    let store = db.open().await;
    let mut convs = Vec::new();
    for (timeout, expires) in [(Some(300), Some(9_000)), (None, Some(200)), (Some(5_000), Some(9_000)), (None, None)] {
        let conv = store.start_conversation(Channel::Web, Language::En, None, None).await.unwrap();
        store.flow_step(&conv, Vec::new(), Some(write(Some("{}"), timeout, expires))).await.unwrap();
        convs.push(conv.id);
    }
    assert_eq!(store.due_flow_sessions(100, 10).await.unwrap(), vec![]);
    assert_eq!(store.due_flow_sessions(1_000, 10).await.unwrap(), vec![convs[1], convs[0]], "most overdue first");
    assert_eq!(store.due_flow_sessions(1_000, 1).await.unwrap(), vec![convs[1]]);
    assert_eq!(store.due_flow_sessions(10_000, 10).await.unwrap(), vec![convs[1], convs[0], convs[2]]);
});

both_backends!(flow_state_never_reaches_the_database_in_clear, |db: TestDb| async move {
    let store = db.open().await;
    let conv = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    store.flow_step(&conv, Vec::new(), Some(write(Some(MARKER_STATE), Some(1), Some(2)))).await.unwrap();
    drop(store);
    let raw = db.raw_bytes().await;
    for needle in ["MARKER-FLOW", "дядя Коля", "MARKER-TOPIC", "duress_phrase"] {
        assert!(!contains(&raw, needle.as_bytes()), "{needle:?} found in raw {:?} storage", db.kind);
        assert!(!contains(&raw, hex::encode(needle).as_bytes()), "hex of {needle:?} found in raw storage");
    }
    let store = db.open().await;
    assert_eq!(store.flow_session(conv.id).await.unwrap().unwrap().state.as_deref(), Some(MARKER_STATE));
});

both_backends!(flow_state_is_bound_to_its_conversation_and_shredded_with_it, |db: TestDb| async move {
    let store = db.open().await;
    let a = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    let b = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    store.flow_step(&a, Vec::new(), Some(write(Some("state of a"), None, None))).await.unwrap();
    store.flow_step(&b, Vec::new(), Some(write(Some("state of b"), None, None))).await.unwrap();
    // The summary moved into the state column of the same row: another binding, so it fails.
    let sql = match db.kind {
        Kind::Sqlite => format!(
            "UPDATE flow_sessions SET state_ct = summary_ct WHERE conversation_id = x'{}'",
            hex::encode(a.id.as_bytes())
        ),
        Kind::Postgres => format!("UPDATE flow_sessions SET state_ct = summary_ct WHERE conversation_id = '{}'", a.id),
    };
    db.raw_execute(&sql).await;
    assert!(matches!(store.flow_session(a.id).await, Err(StoreError::Key(_))));
    assert_eq!(store.flow_session(b.id).await.unwrap().unwrap().state.as_deref(), Some("state of b"));

    // The bot opens a case for b; shredding it leaves no flow state to read.
    let case = store.open_case_by_bot(b.id, CaseKind::Individual).await.unwrap();
    let view = store.case(case).await.unwrap().unwrap();
    assert_eq!(view.assigned_to, None, "no one owns a case the bot opened");
    // Its codename is committed with the message that gives it, or not at all.
    let (codename, prepared) = store.prepare_codename(case).await.unwrap();
    assert!(!store.case(case).await.unwrap().unwrap().has_codename, "prepared is not issued");
    let given = vec![StepMessage::new(Sender::Bot, codename.grouped())];
    let stale = FlowWrite { codename: Some(prepared.clone()), ..write(Some("state of b"), None, None) };
    assert!(matches!(store.flow_step(&b, given.clone(), Some(stale)).await, Err(StoreError::Conflict(_))));
    assert!(!store.case(case).await.unwrap().unwrap().has_codename, "a refused step gives no codename");
    let flow = store.flow_session(b.id).await.unwrap().unwrap();
    let step = FlowWrite { codename: Some(prepared), ..write_over(flow.version, Some("state of b"), None, None) };
    store.flow_step(&b, given, Some(step)).await.unwrap();
    assert!(store.case(case).await.unwrap().unwrap().has_codename);
    let other = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    assert_eq!(store.join_by_codename(other.id, &codename).await.unwrap(), Some(case), "the codename given opens it");
    assert!(matches!(store.prepare_codename(case).await, Err(StoreError::Conflict(_))));
    store.shred_case(case, UserId::SYSTEM, safepassage_domain::ShredReason::ApplicantRequest).await.unwrap();
    assert!(store.flow_session(b.id).await.unwrap().is_none());
});
