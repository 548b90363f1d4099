//! The audit chain: intact under concurrent group commit (and several nodes on PostgreSQL),
//! broken by any edit made behind the store's back.

use safepassage_domain::{Channel, Language, Sender};
use safepassage_store::ChainReport;

use super::{Kind, TestDb};
use crate::both_backends;

both_backends!(chain_holds_under_group_commit, |db: TestDb| async move {
    let store = db.open().await;
    let conv = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    let writers = (0..400).map(|i| {
        let store = store.clone();
        let conv = conv.clone();
        tokio::spawn(async move { store.append_message(&conv, Sender::Applicant, &format!("m{i}")).await.unwrap().seq })
    });
    let mut seqs = Vec::new();
    for w in writers.collect::<Vec<_>>() {
        seqs.push(w.await.unwrap());
    }
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs.len(), 400, "every acknowledged message has its own seq");
    assert!(store.stats().batches < 400, "writes were batched: {:?}", store.stats());
    assert_eq!(store.messages(conv.id, 0, 1000).await.unwrap().len(), 400);
    match store.verify_chain().await.unwrap() {
        ChainReport::Intact { events } => assert!(events >= 402, "{events}"),
        broken => panic!("{broken}"),
    }
});

both_backends!(verify_names_the_edited_event, |db: TestDb| async move {
    let store = db.open().await;
    let conv = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    let mut seqs = Vec::new();
    for i in 0..10 {
        seqs.push(store.append_message(&conv, Sender::Applicant, &format!("m{i}")).await.unwrap().seq);
    }
    assert_eq!(store.verify_chain().await.unwrap().to_string().split(' ').nth(1), Some("events,"));
    let target = seqs[4];
    // Make a message look as if the bot had sent it.
    let sql = match db.kind {
        Kind::Sqlite => format!(
            "UPDATE events SET payload = CAST(replace(CAST(payload AS TEXT), 'applicant', 'bot') AS BLOB) WHERE seq = {target}"
        ),
        Kind::Postgres => format!(
            "UPDATE events SET payload = convert_to(replace(convert_from(payload, 'UTF8'), 'applicant', 'bot'), 'UTF8') WHERE seq = {target}"
        ),
    };
    db.raw_execute(&sql).await;
    match store.verify_chain().await.unwrap() {
        ChainReport::Broken { seq, reason } => {
            assert_eq!(seq, target);
            assert!(reason.contains("edited"), "{reason}");
        }
        intact => panic!("an edited event went unnoticed: {intact}"),
    }
});

both_backends!(verify_notices_a_deleted_event, |db: TestDb| async move {
    let store = db.open().await;
    let conv = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    let mut last = 0;
    for i in 0..5 {
        last = store.append_message(&conv, Sender::Applicant, &format!("m{i}")).await.unwrap().seq;
    }
    db.raw_execute(&format!("DELETE FROM events WHERE seq = {}", last - 2)).await;
    assert!(matches!(store.verify_chain().await.unwrap(), ChainReport::Broken { seq, .. } if seq == last - 1));
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_app_nodes_on_one_postgres_keep_one_chain() {
    let Some(db) = TestDb::new(Kind::Postgres).await else {
        return;
    };
    let node_a = db.open().await;
    let node_b = db.open().await;
    let conv = node_a.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    let mut writers = Vec::new();
    for i in 0..300 {
        let node = if i % 2 == 0 { node_a.clone() } else { node_b.clone() };
        let conv = conv.clone();
        writers
            .push(tokio::spawn(async move { node.append_message(&conv, Sender::Applicant, "x").await.map(|m| m.seq) }));
    }
    for w in writers {
        w.await.unwrap().unwrap();
    }
    assert_eq!(node_b.messages(conv.id, 0, 1000).await.unwrap().len(), 300);
    assert!(matches!(node_b.verify_chain().await.unwrap(), ChainReport::Intact { .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_nodes_hear_of_each_commit() {
    let Some(db) = TestDb::new(Kind::Postgres).await else { return };
    let node_a = db.open().await;
    let node_b = db.open().await;
    let mut heard = node_b.remote_commits().expect("PostgreSQL nodes hear each other");
    let mut own = node_a.remote_commits().unwrap();
    let conv = node_a.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    let message = node_a.append_message(&conv, Sender::Applicant, "across nodes").await.unwrap();
    let deadline = std::time::Duration::from_secs(5);
    loop {
        let range = tokio::time::timeout(deadline, heard.recv()).await.expect("no notice within 5 s").unwrap();
        if range.first <= message.seq && message.seq <= range.last {
            break;
        }
    }
    assert!(own.try_recv().is_err(), "a node is not told of its own commits");
    let sqlite = TestDb::new(Kind::Sqlite).await.unwrap();
    assert!(sqlite.open().await.remote_commits().is_none());
}
