//! Group commit acknowledges a write only after its transaction committed: a writer process
//! killed with SIGKILL mid-flood loses nothing it had acknowledged.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use safepassage_domain::{Channel, ConversationId, Language, Sender};
use safepassage_keys::MasterKey;
use safepassage_store::{KeySource, Store, StoreConfig};

use super::{Kind, TestDb};

const CHILD_URL: &str = "SAFEPASSAGE_TEST_CHILD_URL";
const CHILD_KEY: &str = "SAFEPASSAGE_TEST_CHILD_KEY";
const CHILD_CONVERSATION: &str = "SAFEPASSAGE_TEST_CHILD_CONVERSATION";

/// The writer half: does nothing unless started by `kill_9_loses_no_acknowledged_write`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_writer() {
    let (Ok(url), Ok(key), Ok(conversation)) =
        (std::env::var(CHILD_URL), std::env::var(CHILD_KEY), std::env::var(CHILD_CONVERSATION))
    else {
        return;
    };
    let store = Store::open(StoreConfig::new(url, KeySource::Hex(key.into()))).await.unwrap();
    let id = ConversationId(conversation.parse().unwrap());
    let conv = store.conversation(id).await.unwrap().unwrap();
    let (acks, mut acked) = tokio::sync::mpsc::unbounded_channel::<i64>();
    for _ in 0..64 {
        let (store, conv, acks) = (store.clone(), conv.clone(), acks.clone());
        tokio::spawn(async move {
            loop {
                let m = store.append_message(&conv, Sender::Applicant, "still here").await.unwrap();
                if acks.send(m.seq).is_err() {
                    return;
                }
            }
        });
    }
    let mut out = std::io::stdout().lock();
    while let Some(seq) = acked.recv().await {
        writeln!(out, "ack {seq}").unwrap();
        out.flush().unwrap();
    }
}

async fn kill_9_loses_no_acknowledged_write(kind: Kind) {
    let Some(db) = TestDb::new(kind).await else {
        return;
    };
    let key = MasterKey::generate();
    let config = StoreConfig::new(db.url.clone(), KeySource::Hex(key.to_hex()));
    let store = Store::open(config.clone()).await.unwrap();
    let conv = store.start_conversation(Channel::Web, Language::Ru, None, None).await.unwrap();
    drop(store);

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "suite::durability::child_writer", "--nocapture", "--test-threads=1"])
        .env(CHILD_URL, &db.url)
        .env(CHILD_KEY, key.to_hex().as_str())
        .env(CHILD_CONVERSATION, conv.id.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut acknowledged = HashSet::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        if let Some(seq) = line.unwrap().strip_prefix("ack ") {
            acknowledged.insert(seq.parse::<i64>().unwrap());
        }
        if acknowledged.len() >= 3_000 {
            break;
        }
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no flush, no goodbye.
    child.wait().unwrap();
    assert!(acknowledged.len() >= 3_000, "the writer acknowledged only {}", acknowledged.len());

    let store = Store::open(config).await.unwrap();
    let stored: HashSet<i64> = store.messages(conv.id, 0, i64::MAX).await.unwrap().iter().map(|m| m.seq).collect();
    let lost: Vec<_> = acknowledged.difference(&stored).collect();
    assert!(lost.is_empty(), "{} acknowledged messages lost, e.g. {:?}", lost.len(), &lost[..lost.len().min(5)]);
    assert!(stored.len() >= acknowledged.len());
    assert!(matches!(store.verify_chain().await.unwrap(), safepassage_store::ChainReport::Intact { .. }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_sqlite() {
    kill_9_loses_no_acknowledged_write(Kind::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_postgres() {
    kill_9_loses_no_acknowledged_write(Kind::Postgres).await;
}
