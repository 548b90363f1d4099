//! A smoke check of the PostgreSQL backend in a fresh schema; the shared suite under `tests/`
//! covers both backends in depth. Skipped when no server answers (unless `CI` is set).

use safepassage_domain::{Channel, Language, Sender};

use crate::{ChainReport, KeySource, Store, StoreConfig};

const DEFAULT_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A URL whose search_path is a new, empty schema; None when PostgreSQL is not there.
async fn fresh_schema() -> Option<(sqlx::PgPool, String, String)> {
    let base = std::env::var("SAFEPASSAGE_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_URL.into());
    let admin = match sqlx::PgPool::connect(&base).await {
        Ok(pool) => pool,
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("SKIPPED: PostgreSQL unreachable ({e})");
            return None;
        }
        Err(e) => panic!("PostgreSQL unreachable and CI is set: {e}"),
    };
    let schema = format!("smoke_{}", uuid::Uuid::new_v4().simple());
    sqlx::raw_sql(&format!("CREATE SCHEMA {schema}")).execute(&admin).await.unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
    Some((admin, schema, url))
}

fn config(url: &str) -> StoreConfig {
    let mut config = StoreConfig::new(url, KeySource::Hex("42".repeat(32).into()));
    config.fast_codename_hash = true;
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_round_trip_and_two_nodes_keep_one_chain() {
    let Some((admin, schema, url)) = fresh_schema().await else {
        return;
    };
    let store = Store::open(config(&url)).await.unwrap();
    assert_eq!(store.backend_name(), "postgres");
    store.ping().await.unwrap();

    let conversation = store.start_conversation(Channel::Web, Language::En, Some("+100"), None).await.unwrap();
    for text in ["hello", "I need help", "thank you"] {
        store.append_message(&conversation, Sender::Applicant, text).await.unwrap();
    }
    let read = store.messages(conversation.id, 0, -1).await.unwrap();
    let texts: Vec<_> = read.iter().map(|m| m.body.text().unwrap_or("<shredded>")).collect();
    assert_eq!(texts, ["hello", "I need help", "thank you"]);
    assert!(read.windows(2).all(|w| w[0].seq < w[1].seq));

    // A second node on the same schema: migrations are not rerun, writes from both interleave
    // in concurrent batches, and the chain stays one line.
    let other = Store::open(config(&url)).await.unwrap();
    let mut writers = Vec::new();
    for i in 0..200 {
        let node = if i % 2 == 0 { store.clone() } else { other.clone() };
        let conversation = conversation.clone();
        writers.push(tokio::spawn(async move {
            node.append_message(&conversation, Sender::Bot, &format!("m{i}")).await.unwrap()
        }));
    }
    let mut last_at = 0;
    for w in writers {
        last_at = last_at.max(w.await.unwrap().at_ms);
    }
    assert_eq!(store.messages(conversation.id, 0, 1000).await.unwrap().len(), 203);
    let stored = store.conversation(conversation.id).await.unwrap().unwrap();
    assert!(stored.last_message_ms <= last_at && stored.last_message_ms >= conversation.created_ms);
    let events = store.events(0, -1).await.unwrap();
    assert!(
        matches!(store.verify_chain().await.unwrap(), ChainReport::Intact { events: n } if n == events.len() as u64)
    );
    let counts = store.counts().await.unwrap();
    assert!(counts.contains(&("messages", 203)));

    sqlx::raw_sql(&format!("DROP SCHEMA {schema} CASCADE")).execute(&admin).await.unwrap();
}
