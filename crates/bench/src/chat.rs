//! `chat`: the full path through HTTP. Many concurrent applicants open web-chat sessions and
//! post messages to the JSON API on 127.0.0.1; each message is stored encrypted and durable and
//! fanned out to a console-side subscriber, which counts what it receives.
//! The bench measures capacity; the chat's flood limits are off in the server it starts.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use hdrhistogram::Histogram;
use safepassage_server::{AppState, ServerConfig};
use safepassage_store::Store;

use crate::http1;
use crate::target::{Backend, Target};

#[derive(Debug, clap::Args)]
pub struct ChatArgs {
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: Backend,
    /// Concurrent applicants, each with its own session.
    #[arg(long, default_value_t = 200)]
    applicants: u64,
    /// Messages each applicant posts.
    #[arg(long, default_value_t = 250)]
    messages: u64,
    /// Message text length in characters.
    #[arg(long, default_value_t = 80)]
    size: usize,
    /// What each applicant writes, in turn, comma-separated (e.g. the intake's buttons
    /// `Русский,Военный,На фронте,Вопрос`, so that every message is a step of the bot); by
    /// default a free text of `--size` characters, which the intake hands over to a person
    /// after three messages it does not understand.
    #[arg(long)]
    script: Option<String>,
    /// HTTP connections the applicants share (at most one per applicant).
    #[arg(long, default_value_t = 200)]
    connections: u64,
    /// A running server to load instead of starting one (then nothing counts the fan-out; start
    /// it with `--new-chat-limit off --chat-message-limit off`).
    #[arg(long)]
    url: Option<String>,
    /// PostgreSQL URL (default: SAFEPASSAGE_TEST_POSTGRES_URL or the local server).
    #[arg(long)]
    postgres_url: Option<String>,
}

/// A server started by the benchmark, in this process.
struct Local {
    base: String,
    state: AppState,
    target: Target,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start_local(args: &ChatArgs) -> anyhow::Result<Local> {
    let target = Target::create(args.backend, args.postgres_url.clone()).await?;
    let store = Store::open(target.store_config()).await?;
    // Hundreds of messages per applicant as fast as it can, thousands of sessions: no limits.
    let config = ServerConfig { new_chat_limit: None, chat_message_limit: None, ..ServerConfig::default() };
    let state = AppState::new(store, config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(safepassage_server::launch(listener, safepassage_server::app(state.clone()), async {
        let _ = stopped.await;
    }));
    Ok(Local { base, state, target, _stop: stop })
}

pub async fn run(args: ChatArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.applicants > 0 && args.messages > 0, "counts must be positive");
    anyhow::ensure!(
        args.url.as_deref().is_none_or(|u| u.starts_with("http://127.") || u.starts_with("http://localhost")),
        "load tests run against 127.0.0.1 only"
    );
    let local = match &args.url {
        Some(_) => None,
        None => Some(start_local(&args).await?),
    };
    let base = args.url.clone().or_else(|| local.as_ref().map(|l| l.base.clone())).context("no server")?;
    let client = reqwest::Client::builder().pool_max_idle_per_host(args.applicants as usize).build()?;

    // Sessions first: the measured phase is the message flood.
    let mut tokens = Vec::with_capacity(args.applicants as usize);
    for _ in 0..args.applicants {
        let response = client
            .post(format!("{base}/api/v1/chat/sessions"))
            .json(&serde_json::json!({"language": "ru"}))
            .send()
            .await?;
        anyhow::ensure!(response.status() == 201, "session: {}", response.status());
        let body: serde_json::Value = response.json().await?;
        tokens.push(body["token"].as_str().context("no token")?.to_owned());
    }

    // The console side: one subscriber watching every conversation, counting deliveries.
    let delivered = Arc::new(AtomicU64::new(0));
    if let Some(local) = &local {
        for token in &tokens {
            let conversation = local.state.conversation_for_token(token).await?.context("conversation")?;
            let mut watch = local.state.hub.subscribe(conversation.id);
            let delivered = delivered.clone();
            tokio::spawn(async move {
                while let Ok(_message) = watch.recv().await {
                    delivered.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    }

    let texts: Vec<String> = match &args.script {
        Some(script) => script.split(',').map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()).collect(),
        None => vec!["Мне нужна помощь, ".chars().cycle().take(args.size).collect()],
    };
    anyhow::ensure!(!texts.is_empty(), "the script is empty");
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new(
        texts.iter().map(|text| serde_json::to_vec(&serde_json::json!({ "text": text }))).collect::<Result<_, _>>()?,
    );
    let total = args.applicants * args.messages;
    let addr = base.trim_start_matches("http://").trim_end_matches('/').to_owned();
    let lanes = args.connections.clamp(1, args.applicants) as usize;
    eprintln!(
        "chat: {} applicants x {} messages over {lanes} connections against {base}",
        args.applicants, args.messages
    );
    // Applicants are dealt round-robin to the connections; each connection serves its
    // applicants one after the other, every message of one before the next.
    let mut dealt: Vec<Vec<String>> = vec![Vec::new(); lanes];
    for (i, token) in tokens.into_iter().enumerate() {
        dealt[i % lanes].push(token);
    }
    let mut connections = Vec::with_capacity(lanes);
    for _ in 0..lanes {
        connections.push(http1::Connection::open(&addr).await?);
    }
    // Batches of the measured phase only: the sessions above were made one at a time.
    let before = local.as_ref().map(|l| l.state.store.stats());
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (tokens, mut connection) in dealt.into_iter().zip(connections) {
        let bodies = Arc::clone(&bodies);
        let count = args.messages as usize;
        tasks.push(tokio::spawn(async move {
            let mut latencies = Histogram::<u64>::new(3)?;
            for (token, i) in tokens.iter().flat_map(|t| (0..count).map(move |i| (t, i))) {
                let body = &bodies[i % bodies.len()];
                let t = Instant::now();
                let response = connection.request("POST", "/api/v1/chat/messages", Some(token), Some(body)).await?;
                anyhow::ensure!(
                    response.status == 202,
                    "message: {} {}",
                    response.status,
                    String::from_utf8_lossy(&response.body)
                );
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
    let per_sec = total as f64 / elapsed.as_secs_f64();
    let p99_ms = latencies.value_at_quantile(0.99) as f64 / 1000.0;
    if let Some(local) = &local {
        // Let the fan-out drain, then check that the console side saw every message.
        let deadline = Instant::now() + Duration::from_secs(5);
        while delivered.load(Ordering::Relaxed) < total && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let (stats, before) = (local.state.store.stats(), before.unwrap_or_default());
        let (batches, jobs) = (stats.batches - before.batches, stats.jobs - before.jobs);
        let received = delivered.load(Ordering::Relaxed);
        eprintln!(
            "server: {batches} batches, {:.1} writes per batch while measured; console subscriber \
             received {received} ({total} from applicants, {} from the bot)",
            jobs as f64 / batches.max(1) as f64,
            received.saturating_sub(total)
        );
    }
    eprintln!(
        "latency: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        latencies.value_at_quantile(0.5) as f64 / 1000.0,
        p99_ms,
        latencies.max() as f64 / 1000.0
    );
    if let Some(local) = local {
        local.target.drop_schema().await?;
    }
    let backend = if args.url.is_some() { "remote" } else { args.backend.name() };
    println!("chat backend={backend} messages={total} per_sec={per_sec:.0} p99_ms={p99_ms:.2}");
    Ok(())
}
