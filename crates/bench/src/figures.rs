//! `figures`: the analyst's dashboard and the public figures with a wave's worth of contacts.
//!
//! Seeding goes through the store's own write path: `--cases` cases in every state (the
//! console bench's world, `console::world`, with no messages), then new conversations up to
//! `--contacts` on the web chat, Telegram and the phone in three languages, half of them sorted
//! by the bot (a flow step that carries the category counts, as the bot's steps do). The
//! projection then counts the whole log (its rate is printed).
//!
//! The store stamps every event with the time it is written, so a seed written in minutes lands
//! on one day. A real wave spreads over months, and the dashboard's cost grows with the days it
//! reads, so the bench then spreads the day's counters over `--days` days with a wave's shape
//! (a documented step on the derived counter tables only; `--days 1` leaves them as written).
//! The log, the cases and the conversations are untouched by it.
//!
//! Measured over HTTP on 127.0.0.1 (one keep-alive connection, requests one after another):
//! the analyst's dashboard (`/console/figures`, weekly over the whole range, and daily over
//! the last 90 days, in turn) and the public page (`/figures`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use safepassage_domain::figures::period::{day_of, format_day};
use safepassage_domain::figures::tally::{Key, Metric};
use safepassage_domain::{Channel, Language, Role, Sender, Whereabouts, Who};
use safepassage_server::{AppState, ServerConfig};
use safepassage_store::{FlowWrite, StepMessage, Store};

use crate::console::{mix::Mix, pages, staff, world};
use crate::target::{Backend, Target};

#[derive(Debug, clap::Args)]
pub struct FiguresArgs {
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: Backend,
    /// Contacts (new conversations) to seed, the cases' own included.
    #[arg(long, default_value_t = 1_200_000)]
    contacts: u64,
    /// Cases to seed, in every state.
    #[arg(long, default_value_t = 50_000)]
    cases: u64,
    /// Days the wave's counters are spread over.
    #[arg(long, default_value_t = 90)]
    days: u32,
    /// Requests per page.
    #[arg(long, default_value_t = 100)]
    requests: u64,
    /// Concurrent writers while seeding.
    #[arg(long, default_value_t = 256)]
    writers: u64,
    /// PostgreSQL URL (default: SAFEPASSAGE_TEST_POSTGRES_URL or the local server).
    #[arg(long)]
    postgres_url: Option<String>,
}

pub async fn run(args: FiguresArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.contacts >= args.cases && args.cases > 0, "--contacts must be at least --cases (> 0)");
    anyhow::ensure!((1..=3650).contains(&args.days) && args.requests > 0 && args.writers > 0, "bad sizes");
    let target = Target::create(args.backend, args.postgres_url.clone()).await?;
    let store = Store::open(target.store_config()).await?;
    let started = Instant::now();
    let cast = staff::Cast::create(&store).await?;
    eprintln!("figures: seeding {} cases ({})", args.cases, args.backend.name());
    world::seed(&store, &cast, Mix::new(args.cases, 0), args.writers).await?;
    let seeded = conversations(&store).await?;
    let rest = args.contacts.saturating_sub(seeded);
    eprintln!("figures: {seeded} conversations with the cases; seeding {rest} more contacts");
    contacts(&store, rest, args.writers).await?;
    let contacts = conversations(&store).await?;
    eprintln!("figures: seeded {contacts} contacts in {:.0} s", started.elapsed().as_secs_f64());

    let projecting = Instant::now();
    let events = store.project_figures().await?;
    let took = projecting.elapsed().as_secs_f64();
    eprintln!("figures: projected {events} events in {took:.1} s ({:.0} events/s)", events as f64 / took.max(1e-9));
    if args.days > 1 {
        let rows = spread(&target, args.days).await?;
        eprintln!("figures: spread the counters over {} days ({rows} counter rows)", args.days);
    }

    let mut config = ServerConfig::default();
    config.figures.public = true;
    let state = AppState::new(store.clone(), config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?.to_string();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(safepassage_server::launch(listener, safepassage_server::app(state), async {
        let _ = stopped.await;
    }));
    staff::create(&store, Role::Analyst, ANALYST).await?;
    let analyst = staff::login(&format!("http://{addr}"), ANALYST).await?;
    let today = day_of(crate::console::now_ms());
    let dashboard_paths = vec![
        format!("/console/figures?by=week&from={}&to={}", format_day(today - args.days as i32 + 1), format_day(today)),
        format!("/console/figures?by=day&from={}&to={}", format_day(today - 89), format_day(today)),
    ];
    let dashboard = pages::measure(&addr, &analyst, &dashboard_paths, args.requests).await?;
    let public = pages::measure(&addr, "", &["/figures".to_owned()], args.requests).await?;
    for (name, h) in [("dashboard", &dashboard), ("public", &public)] {
        pages::report(name, h);
    }
    drop(stop);
    target.drop_schema().await?;
    println!(
        "figures backend={} contacts={contacts} cases={} dashboard_ms={:.2} public_ms={:.2}",
        args.backend.name(),
        args.cases,
        pages::ms(&dashboard, 0.5),
        pages::ms(&public, 0.5)
    );
    Ok(())
}

const ANALYST: &str = "bench-analyst";

async fn conversations(store: &Store) -> anyhow::Result<u64> {
    let counts = store.counts().await?;
    Ok(counts.into_iter().find(|(table, _)| *table == "conversations").map_or(0, |(_, n)| n as u64))
}

/// `count` new conversations from `writers` tasks: channels and languages in a wave's
/// proportions; every second one sorted by the bot into who and where.
async fn contacts(store: &Store, count: u64, writers: u64) -> anyhow::Result<()> {
    let next = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..writers {
        let (store, next) = (store.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return anyhow::Ok(());
                }
                contact(&store, i).await?;
            }
        }));
    }
    for task in tasks {
        task.await??;
    }
    Ok(())
}

async fn contact(store: &Store, i: u64) -> anyhow::Result<()> {
    let channel = match i % 10 {
        0..=4 => Channel::Web,
        5..=8 => Channel::Telegram,
        _ => Channel::Voice,
    };
    let language = match i % 7 {
        0..=4 => Language::Ru,
        5 => Language::Uk,
        _ => Language::En,
    };
    let identity = (channel != Channel::Web).then(|| format!("bench-contact-{i}"));
    let conversation = store.start_conversation(channel, language, identity.as_deref(), None).await?;
    if i.is_multiple_of(2) {
        let day = day_of(crate::console::now_ms());
        let who = [Who::Mobilised, Who::Mobilised, Who::Serviceman, Who::Relative, Who::Officer, Who::Other]
            [(i / 2 % 6) as usize];
        let place =
            [Whereabouts::InsideRussia, Whereabouts::InsideRussia, Whereabouts::Occupied, Whereabouts::Elsewhere]
                [(i / 2 % 4) as usize];
        let write = FlowWrite {
            state: None,
            summary: "{}".into(),
            wait_timeout_ms: None,
            expires_ms: None,
            expected_version: 0,
            codename: None,
            counts: vec![
                (Key::new(Metric::Who, day, who.as_str(), ""), 1),
                (Key::new(Metric::Whereabouts, day, place.as_str(), ""), 1),
            ],
        };
        store.flow_step(&conversation, vec![StepMessage::new(Sender::Applicant, "1")], Some(write)).await?;
    }
    Ok(())
}

/// The share of a wave's contacts on day `d` of `days`: a slow start, a surge in the second
/// fortnight, a long tail (weights, not normalised).
fn wave_weight(d: u32, days: u32) -> f64 {
    let x = f64::from(d) / f64::from(days.max(1));
    0.2 + (-((x - 0.25) * (x - 0.25)) / 0.01).exp() * 3.0 + (1.0 - x) * 0.5
}

/// Splits every counter of the seed's day over the `days` days before it in proportion to the
/// wave's weights (largest remainder, so each counter keeps its sum); returns the rows written.
async fn spread(target: &Target, days: u32) -> anyhow::Result<u64> {
    let today = day_of(crate::console::now_ms());
    let weights: Vec<f64> = (0..days).map(|d| wave_weight(d, days)).collect();
    let total: f64 = weights.iter().sum();
    let split = move |n: i64| -> Vec<(i32, i64)> {
        let exact: Vec<f64> = weights.iter().map(|w| n as f64 * w / total).collect();
        let mut parts: Vec<i64> = exact.iter().map(|e| e.floor() as i64).collect();
        let mut left = n - parts.iter().sum::<i64>();
        let mut order: Vec<usize> = (0..parts.len()).collect();
        order.sort_by(|a, b| (exact[*b] - exact[*b].floor()).total_cmp(&(exact[*a] - exact[*a].floor())));
        for i in order {
            if left <= 0 {
                break;
            }
            parts[i] += 1;
            left -= 1;
        }
        parts
            .into_iter()
            .enumerate()
            .filter(|(_, p)| *p != 0)
            .map(|(d, p)| (today - days as i32 + 1 + d as i32, p))
            .collect()
    };
    match target.backend {
        Backend::Sqlite => {
            let path = target.url.trim_start_matches("sqlite:").to_owned();
            let split = split.clone();
            tokio::task::spawn_blocking(move || -> anyhow::Result<u64> {
                let mut conn = rusqlite::Connection::open(path)?;
                let tx = conn.transaction()?;
                let rows: Vec<(String, String, String, i64)> = {
                    let mut stmt = tx.prepare("SELECT metric, a, b, n FROM figure_counts WHERE day = ?1")?;
                    let rows = stmt.query_map([today], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
                    rows.collect::<Result<_, _>>()?
                };
                tx.execute("DELETE FROM figure_counts WHERE day = ?1", [today])?;
                let mut written = 0;
                {
                    let mut insert =
                        tx.prepare("INSERT INTO figure_counts (metric, day, a, b, n) VALUES (?1, ?2, ?3, ?4, ?5)")?;
                    for (metric, a, b, n) in rows {
                        for (day, part) in split(n) {
                            insert.execute(rusqlite::params![metric, day, a, b, part])?;
                            written += 1;
                        }
                    }
                }
                tx.commit()?;
                Ok(written)
            })
            .await?
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(&target.url).await?;
            let mut tx = pool.begin().await?;
            let rows: Vec<(String, String, String, i64)> =
                sqlx::query_as("SELECT metric, a, b, n FROM figure_counts WHERE day = $1")
                    .bind(today)
                    .fetch_all(&mut *tx)
                    .await?;
            sqlx::query("DELETE FROM figure_counts WHERE day = $1").bind(today).execute(&mut *tx).await?;
            let mut written = 0;
            for (metric, a, b, n) in rows {
                for (day, part) in split(n) {
                    sqlx::query("INSERT INTO figure_counts (metric, day, a, b, n) VALUES ($1, $2, $3, $4, $5)")
                        .bind(&metric)
                        .bind(day)
                        .bind(&a)
                        .bind(&b)
                        .bind(part)
                        .execute(&mut *tx)
                        .await?;
                    written += 1;
                }
            }
            tx.commit().await?;
            pool.close().await;
            Ok(written)
        }
    }
}
