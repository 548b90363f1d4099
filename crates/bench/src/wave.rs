//! `wave`: a mobilisation wave. `--applicants A` new people arrive over `--ramp-secs`, each on
//! one of `--nodes N` `safepassage serve` processes (one database, one key file; a sticky load
//! balancer: an applicant's session, stream and messages go to its node), with its live event
//! stream open, walking a path of the shipped flows (see `wave/paths.rs`: registrations with a
//! codename, questions handed to a person, returns with a codename given earlier in the wave,
//! urgent help, relatives). `--operators K` log in to the nodes' consoles round-robin, take
//! conversations from the queue and reply; the replies are counted on the applicants' streams.
//! `--kill-after S` SIGKILLs node 0 mid-wave and restarts it; its applicants carry on elsewhere
//! (or on the restarted node when it is the only one), sending again a POST that failed with a
//! connection error.
//!
//! Definitions of the last line:
//! - `messages`: applicant messages acknowledged (`202`);
//! - `per_sec`: `messages` / wall time of the wave phase (first arrival to last applicant done);
//! - `p99_ms`: p99 of the message POST latency (request written to response read);
//! - `bot_p99_ms`: p99 from an applicant's POST to the bot's reply arriving on that applicant's
//!   live event stream (SSE).
//!
//! The line before it accounts for durability: after the wave, with every node stopped, each
//! acknowledged message is looked up in the store; `lost` counts those missing, and any makes
//! the command fail.

mod applicant;
mod durability;
mod nodes;
mod operators;
mod paths;
mod stream;

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use hdrhistogram::Histogram;
use safepassage_store::{KeySource, Store, StoreConfig};

use crate::target::{Backend, Target};
use applicant::Shared;
use nodes::{NodeSpec, Nodes};
use operators::OperatorTally;
use stream::StreamTally;

/// Bounds: the bench stays a bench on a developer's machine.
const MAX_APPLICANTS: u64 = 50_000;
const MAX_NODES: usize = 8;
const MAX_OPERATORS: usize = 64;
/// The wave phase ends by then whatever happens (every wait inside it is bounded too).
const MAX_WAVE: Duration = Duration::from_secs(900);

#[derive(Debug, clap::Args)]
pub struct WaveArgs {
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: Backend,
    /// `serve` processes on the one database (SQLite: 1 only).
    #[arg(long, default_value_t = 1)]
    nodes: usize,
    /// New applicants in the wave.
    #[arg(long, default_value_t = 1000)]
    applicants: u64,
    /// Seconds over which the applicants arrive (evenly).
    #[arg(long, default_value_t = 10.0)]
    ramp_secs: f64,
    /// Operators working the queue.
    #[arg(long, default_value_t = 8)]
    operators: usize,
    /// Milliseconds an operator pauses after each reply (0: as fast as the console answers).
    #[arg(long, default_value_t = 200)]
    operator_pause_ms: u64,
    /// Milliseconds an applicant waits after the bot's answer before the next message.
    #[arg(long, default_value_t = 0)]
    think_ms: u64,
    /// SIGKILL node 0 this many seconds into the wave, then restart it.
    #[arg(long)]
    kill_after: Option<f64>,
    /// The server binary (default: `safepassage` next to this one).
    #[arg(long)]
    server_bin: Option<PathBuf>,
    /// PostgreSQL URL (default: SAFEPASSAGE_TEST_POSTGRES_URL or the local server).
    #[arg(long)]
    postgres_url: Option<String>,
    /// Hash codenames with Argon2id as in service. By default the nodes hash them fast, as the
    /// in-process benches do, so the figure is the message path's: in service every codename
    /// issued costs one slow hash and every one tried waits for the shared pace (10 a second).
    #[arg(long)]
    production_codename_hash: bool,
}

pub async fn run(args: WaveArgs) -> anyhow::Result<()> {
    anyhow::ensure!((1..=MAX_APPLICANTS).contains(&args.applicants), "--applicants: 1 to {MAX_APPLICANTS}");
    anyhow::ensure!((1..=MAX_NODES).contains(&args.nodes), "--nodes: 1 to {MAX_NODES}");
    anyhow::ensure!(args.operators <= MAX_OPERATORS, "--operators: at most {MAX_OPERATORS}");
    anyhow::ensure!((0.0..=600.0).contains(&args.ramp_secs), "--ramp-secs: 0 to 600");
    anyhow::ensure!(args.kill_after.is_none_or(|s| (0.0..=600.0).contains(&s)), "--kill-after: 0 to 600 seconds");
    anyhow::ensure!(
        args.backend == Backend::Postgres || args.nodes == 1,
        "SQLite is one process's database: --nodes {} needs --backend postgres",
        args.nodes
    );
    let bin = match &args.server_bin {
        Some(bin) => bin.clone(),
        None => std::env::current_exe()?.with_file_name("safepassage"),
    };
    anyhow::ensure!(
        bin.exists(),
        "{} not found: build it (cargo build -p safepassage) or pass --server-bin",
        bin.display()
    );

    // The database with its operators, made before any node starts; the key file is made by
    // this first open and then read by every node.
    let target = Target::create(args.backend, args.postgres_url.clone()).await?;
    let keys = tempfile::tempdir()?;
    let key_file = keys.path().join("wave.key");
    let store_config = StoreConfig::new(target.url.clone(), KeySource::File(key_file.clone()));
    {
        let store = Store::open(store_config.clone()).await.context("opening the wave's database")?;
        operators::create_accounts(&store, args.operators).await?;
    }
    let spec =
        NodeSpec { bin, database: target.url.clone(), key_file, fast_codename_hash: !args.production_codename_hash };
    let outcome = wave(&args, spec, store_config).await;
    let dropped = target.drop_schema().await;
    let summary = outcome?;
    dropped?;
    println!("{}", summary.accounting);
    println!("{}", summary.line);
    anyhow::ensure!(summary.lost == 0, "{} acknowledged applicant messages are not in the store", summary.lost);
    Ok(())
}

struct Summary {
    accounting: String,
    line: String,
    lost: u64,
}

async fn wave(args: &WaveArgs, spec: NodeSpec, store_config: StoreConfig) -> anyhow::Result<Summary> {
    eprintln!("wave: starting {} node(s) on {}", args.nodes, args.backend.name());
    let mut nodes = Nodes::start(spec, args.nodes).await?;
    let table = Arc::clone(&nodes.table);
    let shared = Arc::new(Shared {
        table: Arc::clone(&table),
        streams: Arc::new(StreamTally::default()),
        codenames: Mutex::new(VecDeque::new()),
        think: Duration::from_millis(args.think_ms),
    });

    let operator_tally = Arc::new(OperatorTally::default());
    let (stop_operators, stopped) = tokio::sync::watch::channel(false);
    let mut operator_tasks = Vec::new();
    for index in 0..args.operators {
        operator_tasks.push(tokio::spawn(operators::work(
            Arc::clone(&table),
            index,
            Duration::from_millis(args.operator_pause_ms),
            Arc::clone(&operator_tally),
            stopped.clone(),
        )));
    }

    eprintln!(
        "wave: {} applicants over {:.1} s, {} operators{}",
        args.applicants,
        args.ramp_secs,
        args.operators,
        args.kill_after.map(|s| format!(", node 0 killed at {s:.1} s")).unwrap_or_default()
    );
    let started = Instant::now();
    let mut walks = Vec::with_capacity(args.applicants as usize);
    for index in 0..args.applicants {
        let shared = Arc::clone(&shared);
        let arrives = Duration::from_secs_f64(args.ramp_secs * index as f64 / args.applicants as f64);
        let path = paths::path_of(index);
        let kind = path.kind;
        walks.push((
            kind,
            tokio::spawn(async move {
                tokio::time::sleep_until(tokio::time::Instant::from_std(started + arrives)).await;
                applicant::walk(shared, index, path).await
            }),
        ));
    }
    let all_walked = async {
        let mut journeys = Vec::with_capacity(walks.len());
        for (kind, walk) in walks {
            journeys.push((kind, walk.await?));
        }
        anyhow::Ok((journeys, started.elapsed()))
    };
    let kill = async {
        match args.kill_after {
            Some(secs) => {
                tokio::time::sleep(Duration::from_secs_f64(secs)).await;
                let down = nodes.kill_and_restart(0).await?;
                eprintln!("wave: node 0 killed at {secs:.1} s, back after {:.2} s", down.as_secs_f64());
                anyhow::Ok(Some(down))
            }
            None => Ok(None),
        }
    };
    let (journeys, killed) = tokio::time::timeout(MAX_WAVE, async { tokio::join!(all_walked, kill) })
        .await
        .context("the wave did not end in time")?;
    let (journeys, elapsed) = journeys?;
    let killed = killed?;
    if args.kill_after.is_some() && elapsed.as_secs_f64() < args.kill_after.unwrap_or_default() {
        eprintln!("wave: warning: the wave was over before node 0 was killed");
    }
    let rss: Vec<String> =
        nodes.pids().into_iter().filter_map(|pid| rss_mib(pid).ok()).map(|m| format!("{m} MiB")).collect();

    // The operators stop; their last replies get a moment to reach the streams.
    let _ = stop_operators.send(true);
    for task in operator_tasks {
        let _ = task.await;
    }
    let replies = operator_tally.replies.load(Ordering::Relaxed);
    let deadline = Instant::now() + Duration::from_secs(5);
    while shared.streams.staff_messages.load(Ordering::Relaxed) < replies && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let delivered = shared.streams.staff_messages.load(Ordering::Relaxed);

    let mut failed = 0u64;
    let mut finished = Vec::new();
    let mut by_kind: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let mut stuck_examples = Vec::new();
    for (kind, journey) in journeys {
        let entry = by_kind.entry(kind.name()).or_default();
        entry.0 += 1;
        match journey {
            Ok(journey) => {
                if let Some(why) = &journey.stuck {
                    entry.1 += 1;
                    if stuck_examples.len() < 5 {
                        stuck_examples.push(format!("{}: {why}", kind.name()));
                    }
                }
                finished.push(journey);
            }
            Err(e) => {
                failed += 1;
                entry.1 += 1;
                if stuck_examples.len() < 5 {
                    stuck_examples.push(format!("{}: {e:#}", kind.name()));
                }
            }
        }
    }
    for journey in &finished {
        journey.stream.abort();
    }
    // Every node stops (SIGKILL, as a crash would) before the store is read back.
    drop(nodes);
    tokio::time::sleep(Duration::from_millis(200)).await;

    let mut post = Histogram::<u64>::new(3)?;
    let mut bot = Histogram::<u64>::new(3)?;
    let (mut retried, mut refused, mut stuck, mut codenames, mut early) = (0u64, 0u64, 0u64, 0u64, 0u64);
    let mut acknowledged = Vec::with_capacity(finished.len());
    for journey in finished {
        post.add(&journey.post_latency)?;
        bot.add(&journey.bot_latency)?;
        retried += journey.retried;
        refused += journey.refused;
        stuck += u64::from(journey.stuck.is_some());
        codenames += u64::from(journey.got_codename);
        early += u64::from(journey.answered_by_person);
        acknowledged.push((journey.token, journey.acknowledged));
    }
    let messages: u64 = acknowledged.iter().map(|(_, seqs)| seqs.len() as u64).sum();
    let store = Store::open(store_config).await.context("reopening the store to check it")?;
    let lost = durability::lost(&store, &acknowledged).await?;
    drop(store);

    let ms = |h: &Histogram<u64>, q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    eprintln!(
        "wave: POST p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; bot reply on the stream p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(&post, 0.5),
        ms(&post, 0.99),
        post.max() as f64 / 1000.0,
        ms(&bot, 0.5),
        ms(&bot, 0.99),
        bot.max() as f64 / 1000.0
    );
    let kinds: Vec<String> = by_kind.iter().map(|(k, (n, s))| format!("{k} {n} ({s} stuck)")).collect();
    eprintln!(
        "wave: paths: {}; codenames handed out: {codenames}; {early} answered by an operator before their path was over",
        kinds.join(", ")
    );
    for example in &stuck_examples {
        eprintln!("wave: stuck: {example}");
    }
    let t = &operator_tally;
    eprintln!(
        "wave: operators: {} logins, {} taken, {} races lost, {} replies, {} errors; {} replies reached the applicants' streams; {} stream reconnections",
        t.logins.load(Ordering::Relaxed),
        t.taken.load(Ordering::Relaxed),
        t.lost_races.load(Ordering::Relaxed),
        replies,
        t.errors.load(Ordering::Relaxed),
        delivered,
        shared.streams.reconnects.load(Ordering::Relaxed),
    );
    if !rss.is_empty() {
        eprintln!("wave: node memory at the end of the wave: {}", rss.join(", "));
    }
    let per_sec = messages as f64 / elapsed.as_secs_f64();
    let accounting = format!(
        "wave acknowledged={messages} lost={lost} retried={retried} refused={refused} stuck={stuck} failed={failed} \
         replies={replies} replies_delivered={delivered} killed={}",
        killed.map(|d| format!("{:.2}s_down", d.as_secs_f64())).unwrap_or_else(|| "no".into())
    );
    let line = format!(
        "wave backend={} nodes={} applicants={} messages={messages} per_sec={per_sec:.0} p99_ms={:.2} bot_p99_ms={:.2}",
        args.backend.name(),
        args.nodes,
        args.applicants,
        ms(&post, 0.99),
        ms(&bot, 0.99)
    );
    Ok(Summary { accounting, line, lost })
}

fn rss_mib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).context("no VmRSS")?;
    let kib: u64 = line.split_whitespace().nth(1).context("bad VmRSS")?.parse()?;
    Ok(kib / 1024)
}
