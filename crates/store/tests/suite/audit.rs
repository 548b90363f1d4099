//! The audit chain: intact under concurrent group commit (and several nodes on PostgreSQL),
//! broken by any edit made behind the store's back, even one that recomputes the links
//! without the audit key; truncation is caught against a head kept elsewhere.

use safepassage_domain::{Channel, Language, Sender};
use safepassage_store::{ChainReport, SignedHead, Store};
use sha2::{Digest, Sha256};

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

/// An event as an attacker with database access reads it: seq, time, kind, payload.
type RawEvent = (i64, i64, String, Vec<u8>);

async fn raw_events(db: &TestDb) -> Vec<RawEvent> {
    match db.kind {
        Kind::Sqlite => {
            let conn = rusqlite::Connection::open(db.sqlite_path.as_ref().unwrap()).unwrap();
            let mut stmt = conn.prepare("SELECT seq, at_ms, kind, payload FROM events ORDER BY seq").unwrap();
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap();
            rows.map(Result::unwrap).collect()
        }
        Kind::Postgres => {
            let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
            let rows: Vec<RawEvent> = sqlx::query_as("SELECT seq, at_ms, kind, payload FROM events ORDER BY seq")
                .fetch_all(&pool)
                .await
                .unwrap();
            pool.close().await;
            rows
        }
    }
}

/// The unkeyed link, as the chain had it before the audit key (and as anyone can compute).
fn plain_link(prev: &[u8], seq: i64, at_ms: i64, kind: &str, payload: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"safepassage/audit/v1");
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update(at_ms.to_be_bytes());
    h.update((kind.len() as u64).to_be_bytes());
    h.update(kind.as_bytes());
    h.update((payload.len() as u64).to_be_bytes());
    h.update(payload);
    h.finalize().into()
}

fn blob(kind: Kind, bytes: &[u8]) -> String {
    match kind {
        Kind::Sqlite => format!("x'{}'", hex::encode(bytes)),
        Kind::Postgres => format!("'\\x{}'::bytea", hex::encode(bytes)),
    }
}

/// Rewrites every link from the first event with plain SHA-256, after `edit` changed the
/// payloads it wants changed, and moves the head along: a consistent chain, to anyone without
/// the audit key.
async fn rewrite_plain(db: &TestDb, edit: impl Fn(i64, Vec<u8>) -> Vec<u8>) {
    let mut prev = [0u8; 32];
    let mut sql = String::new();
    let mut last = 0;
    for (seq, at_ms, kind, payload) in raw_events(db).await {
        let payload = edit(seq, payload);
        let hash = plain_link(&prev, seq, at_ms, &kind, &payload);
        sql.push_str(&format!(
            "UPDATE events SET payload = {}, prev_hash = {}, hash = {} WHERE seq = {seq};\n",
            blob(db.kind, &payload),
            blob(db.kind, &prev),
            blob(db.kind, &hash)
        ));
        prev = hash;
        last = seq;
    }
    sql.push_str(&format!("UPDATE audit_head SET seq = {last}, hash = {} WHERE id = 1;\n", blob(db.kind, &prev)));
    db.raw_execute(&sql).await;
}

/// Removes the last `n` events and moves the head back to the one before, so the stored head
/// agrees with the shortened chain.
async fn truncate_consistently(db: &TestDb, n: i64) {
    db.raw_execute(&format!(
        "DELETE FROM events WHERE seq > (SELECT max(seq) FROM events) - {n};
         UPDATE audit_head SET seq = (SELECT max(seq) FROM events),
             hash = (SELECT hash FROM events WHERE seq = (SELECT max(seq) FROM events)) WHERE id = 1;"
    ))
    .await;
}

async fn some_messages(store: &Store, n: usize) -> i64 {
    let conv = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    let mut last = 0;
    for i in 0..n {
        last = store.append_message(&conv, Sender::Applicant, &format!("m{i}")).await.unwrap().seq;
    }
    last
}

fn broken(report: ChainReport) -> (i64, String) {
    match report {
        ChainReport::Broken { seq, reason } => (seq, reason),
        intact => panic!("tampering went unnoticed: {intact}"),
    }
}

both_backends!(a_signed_head_proves_the_chain_up_to_it, |db: TestDb| async move {
    let store = db.open().await;
    let last = some_messages(&store, 5).await;
    let head = store.signed_head().await.unwrap();
    assert_eq!(head.seq, last);
    let line = head.to_string();
    let back: SignedHead = line.parse().unwrap();
    assert!(
        matches!(store.verify_chain_against(&back).await.unwrap(), ChainReport::Intact { events } if events as i64 == last)
    );
    // The chain grows past the head: still proven.
    some_messages(&store, 3).await;
    assert!(matches!(store.verify_chain_against(&back).await.unwrap(), ChainReport::Intact { .. }));
    // A head moved by hand is not one the key signed.
    let forged: SignedHead = line.replace(&format!("seq={last}"), &format!("seq={}", last - 1)).parse().unwrap();
    let (_, reason) = broken(store.verify_chain_against(&forged).await.unwrap());
    assert!(reason.contains("not signed"), "{reason}");
    // So is a head of another database.
    let other = TestDb::new(db.kind).await.unwrap();
    let stranger = other.open().await;
    some_messages(&stranger, 5).await;
    let (_, reason) = broken(stranger.verify_chain_against(&back).await.unwrap());
    assert!(reason.contains("not signed"), "{reason}");
});

both_backends!(an_edited_event_is_caught_with_the_key_and_the_head, |db: TestDb| async move {
    let store = db.open().await;
    let last = some_messages(&store, 6).await;
    let head = store.signed_head().await.unwrap();
    let target = last - 2;
    let sql = match db.kind {
        Kind::Sqlite => format!(
            "UPDATE events SET payload = CAST(replace(CAST(payload AS TEXT), 'applicant', 'staff') AS BLOB) WHERE seq = {target}"
        ),
        Kind::Postgres => format!(
            "UPDATE events SET payload = convert_to(replace(convert_from(payload, 'UTF8'), 'applicant', 'staff'), 'UTF8') WHERE seq = {target}"
        ),
    };
    db.raw_execute(&sql).await;
    assert_eq!(broken(store.verify_chain().await.unwrap()).0, target);
    assert_eq!(broken(store.verify_chain_against(&head).await.unwrap()).0, target);
});

both_backends!(a_truncated_tail_is_caught_by_the_stored_head_and_the_kept_one, |db: TestDb| async move {
    let store = db.open().await;
    let last = some_messages(&store, 6).await;
    let head = store.signed_head().await.unwrap();
    // Deleting the tail alone: the stored head still names the last event.
    db.raw_execute(&format!("DELETE FROM events WHERE seq > {}", last - 2)).await;
    let (seq, reason) = broken(store.verify_chain().await.unwrap());
    assert_eq!(seq, last);
    assert!(reason.contains("removed from the end"), "{reason}");
    // Moving the stored head back as well leaves a consistent, shorter chain: only the head
    // kept elsewhere can tell.
    truncate_consistently(&db, 0).await;
    assert!(matches!(store.verify_chain().await.unwrap(), ChainReport::Intact { .. }));
    let (seq, reason) = broken(store.verify_chain_against(&head).await.unwrap());
    assert_eq!(seq, last);
    assert!(reason.contains(&format!("ends at event {}", last - 2)) && reason.contains("removed"), "{reason}");
});

both_backends!(a_chain_rewritten_with_plain_links_is_caught, |db: TestDb| async move {
    let store = db.open().await;
    let last = some_messages(&store, 6).await;
    let head = store.signed_head().await.unwrap();
    // The whole chain rewritten with an event changed and every link recomputed, unkeyed.
    let target = last - 3;
    rewrite_plain(&db, |seq, payload| {
        if seq == target {
            String::from_utf8(payload).unwrap().replace("applicant", "bot").into_bytes()
        } else {
            payload
        }
    })
    .await;
    let (seq, reason) = broken(store.verify_chain().await.unwrap());
    assert_eq!(seq, 1, "every keyed link fails, from the first: {reason}");
    assert_eq!(broken(store.verify_chain_against(&head).await.unwrap()).0, 1);
    // Also the switch-over record cannot be dropped to pass the chain off as old.
    db.raw_execute("UPDATE audit_head SET keyed_from = NULL, keyed_base = NULL, keyed_mac = NULL WHERE id = 1").await;
    let (_, reason) = broken(store.verify_chain().await.unwrap());
    assert!(reason.contains("switch"), "{reason}");
    db.raw_execute(&format!(
        "UPDATE audit_head SET keyed_from = {}, keyed_mac = {} WHERE id = 1",
        last + 1,
        blob(db.kind, &[0; 32])
    ))
    .await;
    let (_, reason) = broken(store.verify_chain().await.unwrap());
    assert!(reason.contains("switch"), "{reason}");
});

/// Makes the database look as a version before the audit key left it: plain links, no audit
/// key, no switch-over record.
async fn make_old_format(db: &TestDb) {
    rewrite_plain(db, |_, payload| payload).await;
    db.raw_execute(
        "DELETE FROM data_keys WHERE purpose = 'audit';
         UPDATE audit_head SET keyed_from = NULL, keyed_base = NULL, keyed_mac = NULL WHERE id = 1;",
    )
    .await;
}

both_backends!(an_old_chain_is_migrated_and_keeps_verifying, |db: TestDb| async move {
    let store = db.open().await;
    let old_last = some_messages(&store, 5).await;
    drop(store);
    make_old_format(&db).await;
    let store = db.open().await;
    assert!(matches!(store.verify_chain().await.unwrap(), ChainReport::Intact { events } if events as i64 == old_last));
    let last = some_messages(&store, 4).await;
    let head = store.signed_head().await.unwrap();
    assert!(
        matches!(store.verify_chain_against(&head).await.unwrap(), ChainReport::Intact { events } if events as i64 == last)
    );
    drop(store);
    // Reopening keeps the switch where it was.
    let store = db.open().await;
    assert!(matches!(store.verify_chain().await.unwrap(), ChainReport::Intact { .. }));
    // The old part is covered too: the first keyed link and the switch record hold its head.
    let target = old_last - 1;
    let sql = match db.kind {
        Kind::Sqlite => format!(
            "UPDATE events SET payload = CAST(replace(CAST(payload AS TEXT), 'applicant', 'bot') AS BLOB) WHERE seq = {target}"
        ),
        Kind::Postgres => format!(
            "UPDATE events SET payload = convert_to(replace(convert_from(payload, 'UTF8'), 'applicant', 'bot'), 'UTF8') WHERE seq = {target}"
        ),
    };
    db.raw_execute(&sql).await;
    assert_eq!(broken(store.verify_chain().await.unwrap()).0, target);
    // Rewriting the old part with plain links (consistently) breaks at the switch.
    rewrite_plain(&db, |_, payload| payload).await;
    let (seq, _) = broken(store.verify_chain().await.unwrap());
    assert!(seq <= old_last + 1, "{seq}");
    assert_eq!(broken(store.verify_chain_against(&head).await.unwrap()).0, seq);
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_starting_together_on_an_old_chain_share_one_audit_key() {
    let Some(db) = TestDb::new(Kind::Postgres).await else { return };
    let store = db.open().await;
    some_messages(&store, 3).await;
    drop(store);
    make_old_format(&db).await;
    let (a, b) = tokio::join!(db.open(), db.open());
    let mut writers = Vec::new();
    for node in [a.clone(), b.clone(), a.clone(), b.clone()] {
        writers.push(tokio::spawn(async move { some_messages(&node, 20).await }));
    }
    for w in writers {
        w.await.unwrap();
    }
    assert!(matches!(a.verify_chain().await.unwrap(), ChainReport::Intact { .. }));
    let head = b.signed_head().await.unwrap();
    assert!(matches!(a.verify_chain_against(&head).await.unwrap(), ChainReport::Intact { .. }));
}
