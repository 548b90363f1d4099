//! `console`: console pages with a large store. Seeds a fresh SQLite file or PostgreSQL schema
//! with a realistic world (`mix`: cases in every state, most with one or two conversations,
//! messages spread over them with some long conversations, a queue, a few hundred cases of one
//! specialist, thousands unassigned) through the store's own write path (`world`), starts the
//! server in-process on 127.0.0.1, logs staff in with password and TOTP (`staff`) and measures
//! the queue, "my cases", the coordinators' list with the unassigned cases and a case page
//! (`pages`). `--database` measures a world seeded before (`--keep`) without seeding again.

pub(crate) mod mix;
pub(crate) mod pages;
pub(crate) mod staff;
pub(crate) mod world;

use anyhow::Context;
use hdrhistogram::Histogram;
use safepassage_domain::CaseState;
use safepassage_server::{AppState, ServerConfig};
use safepassage_store::{CaseFilter, KeySource, Store, StoreConfig};

use crate::target::{Backend, Target};

#[derive(Debug, clap::Args)]
pub struct ConsoleArgs {
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: Backend,
    /// Cases to seed.
    #[arg(long, default_value_t = 1_000_000)]
    cases: u64,
    /// Messages to seed, spread over the cases' conversations.
    #[arg(long, default_value_t = 5_000_000)]
    messages: u64,
    /// Requests per page.
    #[arg(long, default_value_t = 200)]
    requests: u64,
    /// Concurrent writers while seeding.
    #[arg(long, default_value_t = 512)]
    writers: u64,
    /// Keep the seeded database afterwards and print how to measure it again.
    #[arg(long)]
    keep: bool,
    /// Measure a database seeded before with `--keep` (its URL) instead of seeding one.
    #[arg(long, requires = "key")]
    database: Option<String>,
    /// The master key (hex) of `--database`, as `--keep` printed it.
    #[arg(long)]
    key: Option<String>,
    /// PostgreSQL URL (default: SAFEPASSAGE_TEST_POSTGRES_URL or the local server).
    #[arg(long)]
    postgres_url: Option<String>,
}

pub async fn run(args: ConsoleArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.cases > 0 && args.requests > 0 && args.writers > 0, "counts must be positive");
    let (store, target) = match (&args.database, &args.key) {
        (Some(url), Some(key)) => {
            (Store::open(fast(StoreConfig::new(url.clone(), KeySource::Hex(key.clone().into())))).await?, None)
        }
        _ => {
            let target = Target::create(args.backend, args.postgres_url.clone()).await?;
            let config = target.store_config();
            let key = match &config.key_source {
                KeySource::Hex(hex) => hex.to_string(),
                KeySource::File(_) => String::new(),
            };
            let store = Store::open(config).await?;
            eprintln!(
                "console: seeding {} cases and {} messages ({}, {} writers)",
                args.cases,
                args.messages,
                args.backend.name(),
                args.writers
            );
            let cast = staff::Cast::create(&store).await?;
            world::seed(&store, &cast, mix::Mix::new(args.cases, args.messages), args.writers).await?;
            if args.keep {
                eprintln!("console: kept; measure again with --database '{}' --key {key}", target.url);
            }
            (store, Some(target))
        }
    };
    let cases = store.counts().await?.into_iter().find(|(table, _)| *table == "cases").map_or(0, |(_, n)| n);

    let state = AppState::new(store.clone(), ServerConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?.to_string();
    let base = format!("http://{addr}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(safepassage_server::launch(listener, safepassage_server::app(state), async {
        let _ = stopped.await;
    }));

    let me = store.user_by_name(staff::ME).await?.context("the measured specialist is missing")?;
    let specialist = staff::login(&base, staff::ME).await?;
    let coordinator = staff::login(&base, staff::COORDINATOR).await?;
    // Case pages of the specialist's open cases, in turn.
    let open = &[CaseState::Registered, CaseState::Deployed, CaseState::Located];
    let mine = store.cases(CaseFilter { assigned_to: Some(me.id), states: open }, 500).await?;
    let case_paths: Vec<String> = mine.iter().map(|c| format!("/console/cases/{}", c.id)).collect();
    anyhow::ensure!(!case_paths.is_empty(), "the measured specialist holds no open case");
    let one = |path: &str| vec![path.to_owned()];
    let r = args.requests;
    let queue = pages::measure(&addr, &specialist, &one("/console/queue"), r).await?;
    let case = pages::measure(&addr, &specialist, &case_paths, r).await?;
    let mine = pages::measure(&addr, &specialist, &one("/console/cases"), r).await?;
    let unassigned = pages::measure(&addr, &coordinator, &one("/console/cases"), r).await?;
    let mut list = Histogram::<u64>::new(3)?;
    list.add(&mine)?;
    list.add(&unassigned)?;
    for (name, h) in [("queue", &queue), ("case", &case), ("my cases", &mine), ("unassigned", &unassigned)] {
        pages::report(name, h);
    }
    drop(stop);
    if let Some(target) = target {
        if !args.keep {
            target.drop_schema().await?;
        } else {
            target.keep();
        }
    }
    println!(
        "console cases={cases} queue_ms={:.2} case_ms={:.2} mine_ms={:.2} unassigned_ms={:.2} list_ms={:.2}",
        pages::ms(&queue, 0.5),
        pages::ms(&case, 0.5),
        pages::ms(&mine, 0.5),
        pages::ms(&unassigned, 0.5),
        pages::ms(&list, 0.5)
    );
    Ok(())
}

/// As the benches open their stores: codename hashing cheap (the bench issues thousands).
fn fast(mut config: StoreConfig) -> StoreConfig {
    config.fast_codename_hash = true;
    config
}

/// Milliseconds since the epoch, for the dates the seeded world records.
pub(crate) fn now_ms() -> i64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}
