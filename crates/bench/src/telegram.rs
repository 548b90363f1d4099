//! `telegram`: Telegram's side of a wave. Many private chats post updates to the platform's
//! webhook on 127.0.0.1 as Telegram does (each chat's updates one after another, chats side by
//! side), every update a step of the bot's intake; the bot's replies leave through the outbox
//! to a fake Bot API, also on 127.0.0.1, with Telegram's sending limits lifted (the fake has
//! none, so the bench measures the platform). The last line counts acknowledged updates.

use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use safepassage_server::channels::telegram::settings::TelegramBot;
use safepassage_server::{AppState, ServerConfig};
use safepassage_store::Store;
use safepassage_telegram::fake::FakeBotApi;
use zeroize::Zeroizing;

use crate::http1;
use crate::target::{Backend, Target};

const TOKEN: &str = "7000000001:AAbench-token";
const SECRET: &str = "bench-webhook-secret";

#[derive(Debug, clap::Args)]
pub struct TelegramArgs {
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: Backend,
    /// Updates in the measured phase, dealt round-robin to the chats.
    #[arg(long, default_value_t = 50_000)]
    updates: u64,
    /// Private chats writing at once (each starts with /start before the measured phase).
    #[arg(long, default_value_t = 500)]
    chats: u64,
    /// HTTP connections the webhook deliveries share (Telegram's max_connections is at most 100).
    #[arg(long, default_value_t = 100)]
    connections: u64,
    /// What each person writes, in turn, comma-separated: by default the intake's buttons, so
    /// that every update is a step of the bot.
    #[arg(long, default_value = "Русский,Военный,На фронте,Вопрос")]
    script: String,
    /// Replies a second the outbox may send (Telegram's own limit is about 30): unlimited by
    /// default; a small figure all but leaves the delivery out, to measure the webhook alone.
    #[arg(long, default_value_t = 1_000_000)]
    send_rate: u32,
    #[arg(long)]
    postgres_url: Option<String>,
}

fn update(update_id: i64, chat: i64, message_id: i64, text: &str) -> Vec<u8> {
    let update = serde_json::json!({
        "update_id": update_id,
        "message": {
            "message_id": message_id,
            "from": { "id": chat, "is_bot": false, "first_name": "B", "language_code": "ru" },
            "chat": { "id": chat, "first_name": "B", "type": "private" },
            "date": 1_765_111_190,
            "text": text,
        }
    });
    serde_json::to_vec(&update).unwrap_or_default()
}

pub async fn run(args: TelegramArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.updates > 0 && args.chats > 0, "counts must be positive");
    let fake = FakeBotApi::start(TOKEN).await?;
    let target = Target::create(args.backend, args.postgres_url.clone()).await?;
    let store = Store::open(target.store_config()).await?;
    let mut bot = TelegramBot::new("bench", Zeroizing::new(TOKEN.into()), Zeroizing::new(SECRET.into()));
    bot.api_base_url = fake.base_url();
    bot.overall_per_second = args.send_rate.max(1);
    bot.per_chat_interval = Duration::from_millis(1);
    let config =
        ServerConfig { telegram: vec![bot], new_chat_limit: None, chat_message_limit: None, ..Default::default() };
    let state = AppState::new(store, config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?.to_string();
    let (_stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(safepassage_server::launch(listener, safepassage_server::app(state.clone()), async {
        let _ = stopped.await;
    }));
    let texts: Vec<&str> = args.script.split(',').map(str::trim).filter(|t| !t.is_empty()).collect();
    anyhow::ensure!(!texts.is_empty(), "the script is empty");
    let lanes = args.connections.clamp(1, args.chats) as usize;
    let chats: Vec<i64> = (0..args.chats as i64).map(|i| 6_000_000_000 + i).collect();
    let headers = [("X-Telegram-Bot-Api-Secret-Token", SECRET)];
    let path = "/channels/telegram/bench";

    // Every chat starts its conversation before the measured phase.
    let mut connections = Vec::with_capacity(lanes);
    for _ in 0..lanes {
        connections.push(http1::Connection::open(&addr).await?);
    }
    let mut update_id = 1_000_000i64;
    for (i, chat) in chats.iter().enumerate() {
        update_id += 1;
        let response = connections[i % lanes]
            .request_with("POST", path, &headers, Some(&update(update_id, *chat, 1, "/start")))
            .await?;
        anyhow::ensure!(response.status == 200, "start: {}", response.status);
    }

    // The measured phase: each lane serves its chats' updates in turn.
    let per_chat = args.updates.div_ceil(args.chats);
    let mut work: Vec<Vec<Vec<u8>>> = vec![Vec::new(); lanes];
    let mut dealt = 0u64;
    for round in 0..per_chat {
        for (i, chat) in chats.iter().enumerate() {
            if dealt == args.updates {
                break;
            }
            update_id += 1;
            let text = texts[round as usize % texts.len()];
            work[i % lanes].push(update(update_id, *chat, 2 + round as i64, text));
            dealt += 1;
        }
    }
    let sent_before = fake.calls_of("sendMessage").len();
    eprintln!("telegram: {} updates from {} chats over {lanes} connections", args.updates, args.chats);
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(lanes);
    for (bodies, mut connection) in work.into_iter().zip(connections) {
        tasks.push(tokio::spawn(async move {
            let mut latencies = Histogram::<u64>::new(3)?;
            for body in bodies {
                let t = Instant::now();
                let response = connection.request_with("POST", path, &headers, Some(&body)).await?;
                anyhow::ensure!(response.status == 200, "update: {}", response.status);
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
    // The outbox drains after the webhook has answered: wait until the fake hears nothing more.
    let mut last = fake.calls_of("sendMessage").len();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = fake.calls_of("sendMessage").len();
        if now == last {
            break;
        }
        last = now;
    }
    let drained = started.elapsed();
    let replies = last - sent_before;
    let per_sec = args.updates as f64 / elapsed.as_secs_f64();
    let p99_ms = latencies.value_at_quantile(0.99) as f64 / 1000.0;
    eprintln!(
        "latency: p50 {:.2} ms, p99 {p99_ms:.2} ms, max {:.2} ms; {replies} replies delivered through the outbox, \
         the last {:.1} s after the first update ({:.0} replies/s)",
        latencies.value_at_quantile(0.5) as f64 / 1000.0,
        latencies.max() as f64 / 1000.0,
        drained.as_secs_f64() - 0.5,
        replies as f64 / (drained.as_secs_f64() - 0.5).max(0.001),
    );
    target.drop_schema().await?;
    println!(
        "telegram backend={} updates={} per_sec={per_sec:.0} p99_ms={p99_ms:.2}",
        args.backend.name(),
        args.updates
    );
    Ok(())
}
