//! `safepassage-bench`: measures Safe Passage on this machine, against 127.0.0.1 only, bounded
//! in size. Each command's last line is a single `key=value` summary for reports.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod chat;
mod console;
mod figures;
mod http1;
mod ingest;
mod streams;
mod target;
mod telegram;
mod wave;

use clap::{Parser, Subcommand};

/// mimalloc: the request path allocates many small, short-lived values (parsed JSON, flow
/// sessions, expression values); glibc malloc spent about 40% of a flow step on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(name = "safepassage-bench", about = "Benchmarks of Safe Passage")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Append encrypted messages through the store with many concurrent writers, and measure
    /// the raw driver baseline (plain inserts of the same size, one transaction each).
    Ingest(ingest::IngestArgs),
    /// The full path through HTTP: concurrent applicants posting to the chat API while a
    /// console-side subscriber receives every message.
    Chat(chat::ChatArgs),
    /// Server memory per open web-chat event stream (starts the `safepassage` binary).
    Streams(streams::StreamsArgs),
    /// Telegram's side of a wave: updates through the webhook, replies through the outbox to a
    /// fake Bot API on 127.0.0.1.
    Telegram(telegram::TelegramArgs),
    /// A mobilisation wave: many new applicants through the intake at once, on one or several
    /// `serve` nodes, a share handed to operators who reply, live streams open for all.
    Wave(wave::WaveArgs),
    /// Console pages with a large store: the queue, my cases, the unassigned list, a case page.
    Console(console::ConsoleArgs),
    /// The analyst's dashboard and the public figures with a wave's contacts and cases stored.
    Figures(figures::FiguresArgs),
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Ingest(args) => ingest::run(args).await,
        Command::Chat(args) => chat::run(args).await,
        Command::Streams(args) => streams::run(args).await,
        Command::Telegram(args) => telegram::run(args).await,
        Command::Wave(args) => wave::run(args).await,
        Command::Console(args) => console::run(args).await,
        Command::Figures(args) => figures::run(args).await,
    }
}
