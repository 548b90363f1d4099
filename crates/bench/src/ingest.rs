//! `ingest`: many concurrent writers append encrypted messages through the store's public
//! interface; then the same number of plain inserts of the same size go straight through the
//! driver, one transaction each, as the baseline the store's batching is measured against.

use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use safepassage_domain::{Channel, Language, Sender};
use safepassage_store::Store;

use crate::target::{Backend, Target};

#[derive(Debug, clap::Args)]
pub struct IngestArgs {
    #[arg(long, value_enum)]
    backend: Backend,
    /// Messages to append (and baseline inserts to make).
    #[arg(long, default_value_t = 100_000)]
    messages: u64,
    /// Concurrent writers.
    #[arg(long, default_value_t = 256)]
    writers: u64,
    /// Conversations the messages spread over.
    #[arg(long, default_value_t = 1_000)]
    conversations: u64,
    /// Message text length in bytes.
    #[arg(long, default_value_t = 160)]
    size: usize,
    /// PostgreSQL URL (default: SAFEPASSAGE_TEST_POSTGRES_URL or the local server).
    #[arg(long)]
    postgres_url: Option<String>,
}

pub async fn run(args: IngestArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.messages > 0 && args.writers > 0 && args.conversations > 0, "counts must be positive");
    let target = Target::create(args.backend, args.postgres_url.clone()).await?;
    let store = Store::open(target.store_config()).await?;
    let mut conversations = Vec::with_capacity(args.conversations as usize);
    for _ in 0..args.conversations {
        conversations.push(store.start_conversation(Channel::Web, Language::Ru, None, None).await?);
    }
    let conversations = Arc::new(conversations);
    let text: Arc<str> = "Я хочу жить. ".repeat(args.size).chars().take(args.size / 2).collect::<String>().into();
    eprintln!("ingest: {} messages, {} writers, backend {}", args.messages, args.writers, args.backend.name());

    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..args.writers {
        let count = args.messages / args.writers + u64::from(w < args.messages % args.writers);
        let (store, conversations, text) = (store.clone(), conversations.clone(), text.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Histogram::<u64>::new(3)?;
            for i in 0..count {
                let conv = &conversations[((w * 7919 + i) % conversations.len() as u64) as usize];
                let t = Instant::now();
                store.append_message(conv, Sender::Applicant, &text).await?;
                latencies.record(t.elapsed().as_micros() as u64)?;
            }
            anyhow::Ok(latencies)
        }));
    }
    let mut latencies = Histogram::<u64>::new(3)?;
    for task in tasks {
        latencies.add(task.await??)?;
    }
    let elapsed = started.elapsed();
    let per_sec = args.messages as f64 / elapsed.as_secs_f64();
    let p99_ms = latencies.value_at_quantile(0.99) as f64 / 1000.0;
    let stats = store.stats();
    eprintln!(
        "store: {:.1} s, {} batches, {:.1} writes per batch, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        elapsed.as_secs_f64(),
        stats.batches,
        stats.jobs as f64 / stats.batches.max(1) as f64,
        latencies.value_at_quantile(0.5) as f64 / 1000.0,
        p99_ms,
        latencies.max() as f64 / 1000.0
    );
    drop(store);

    // Same bytes per row as the store writes: the sealed body (nonce + text + tag).
    let row = vec![0x5a_u8; text.len() + 24 + 16];
    let baseline = baseline(&target, args.messages, args.writers, &row).await?;
    let baseline_per_sec = args.messages as f64 / baseline.as_secs_f64();
    eprintln!("baseline: {:.1} s for {} single-row transactions", baseline.as_secs_f64(), args.messages);
    target.drop_schema().await?;
    println!(
        "ingest backend={} messages={} per_sec={:.0} p99_ms={:.2} baseline_per_sec={:.0}",
        args.backend.name(),
        args.messages,
        per_sec,
        p99_ms,
        baseline_per_sec
    );
    Ok(())
}

async fn baseline(target: &Target, messages: u64, writers: u64, row: &[u8]) -> anyhow::Result<Duration> {
    match target.backend {
        Backend::Sqlite => {
            let path = target.url.trim_start_matches("sqlite:").replace("bench.db", "baseline.db");
            let row = row.to_vec();
            tokio::task::spawn_blocking(move || {
                let conn = rusqlite::Connection::open(path)?;
                conn.pragma_update(None, "journal_mode", "WAL")?;
                conn.pragma_update(None, "synchronous", "FULL")?;
                conn.execute_batch("CREATE TABLE baseline (id INTEGER PRIMARY KEY, body BLOB NOT NULL)")?;
                let started = Instant::now();
                let mut stmt = conn.prepare("INSERT INTO baseline (body) VALUES (?1)")?;
                for _ in 0..messages {
                    stmt.execute([&row])?;
                }
                anyhow::Ok(started.elapsed())
            })
            .await?
        }
        Backend::Postgres => {
            let pool = sqlx::postgres::PgPoolOptions::new().max_connections(16).connect(&target.url).await?;
            sqlx::query("CREATE TABLE baseline (id BIGSERIAL PRIMARY KEY, body BYTEA NOT NULL)").execute(&pool).await?;
            let started = Instant::now();
            let mut tasks = Vec::new();
            for w in 0..writers {
                let count = messages / writers + u64::from(w < messages % writers);
                let (pool, row) = (pool.clone(), row.to_vec());
                tasks.push(tokio::spawn(async move {
                    for _ in 0..count {
                        sqlx::query("INSERT INTO baseline (body) VALUES ($1)").bind(&row).execute(&pool).await?;
                    }
                    anyhow::Ok(())
                }));
            }
            for task in tasks {
                task.await??;
            }
            let elapsed = started.elapsed();
            pool.close().await;
            Ok(elapsed)
        }
    }
}
