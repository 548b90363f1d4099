//! An applicant's live event stream (`GET /api/v1/chat/events`) over a raw TCP connection:
//! chunked transfer decoding, Server-Sent Event parsing, and reconnection after `after=` the
//! last seq seen, on whichever node the applicant is on now (its node may have been killed).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde::Deserialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

use super::nodes::NodeTable;

const MAX_HEAD: usize = 16 * 1024;
/// A stream that fails this long in a row is given up (the wave is over by then).
const PATIENCE: Duration = Duration::from_secs(60);

/// One message as the stream delivers it, with when it arrived here.
#[derive(Debug, Clone)]
pub struct Seen {
    pub seq: i64,
    pub from: From,
    pub text: String,
    pub quick_replies: Vec<String>,
    pub at: Instant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum From {
    Applicant,
    Bot,
    Staff,
}

#[derive(Deserialize)]
struct Wire {
    seq: i64,
    from: From,
    text: String,
    #[serde(default)]
    quick_replies: Vec<String>,
}

/// Counters every stream adds to.
#[derive(Default)]
pub struct StreamTally {
    /// Staff replies that reached an applicant's stream (each seq once).
    pub staff_messages: AtomicU64,
    /// Reconnections after an error, the end of a stream or a `resync`.
    pub reconnects: AtomicU64,
}

/// Follows the stream of `token` until `out` is dropped or the stream has failed for
/// [`PATIENCE`]; `node` is the applicant's node, shared with its POSTs.
pub async fn follow(
    table: Arc<NodeTable>,
    node: Arc<AtomicUsize>,
    token: String,
    mut after: i64,
    out: mpsc::UnboundedSender<Seen>,
    tally: Arc<StreamTally>,
) {
    let mut failing_since: Option<Instant> = None;
    loop {
        if out.is_closed() {
            return;
        }
        let result = match table.up_from(node.load(Ordering::Relaxed), PATIENCE).await {
            Ok((at, address)) => {
                node.store(at, Ordering::Relaxed);
                read_stream(&address, &token, &mut after, &out, &tally, &mut failing_since).await
            }
            Err(e) => Err(e),
        };
        if out.is_closed() {
            return;
        }
        let since = *failing_since.get_or_insert_with(Instant::now);
        if since.elapsed() > PATIENCE {
            eprintln!("wave: an event stream gave up: {:#}", result.err().unwrap_or_else(|| anyhow::anyhow!("ended")));
            return;
        }
        tally.reconnects.fetch_add(1, Ordering::Relaxed);
        if result.is_err() {
            // Refused or cut: the node is down; `up_from` finds the next one (or waits for it).
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

/// One connection: reads events until it ends; `after` follows the messages seen.
async fn read_stream(
    address: &str,
    token: &str,
    after: &mut i64,
    out: &mpsc::UnboundedSender<Seen>,
    tally: &StreamTally,
    failing_since: &mut Option<Instant>,
) -> anyhow::Result<()> {
    let mut stream = TcpStream::connect(address).await.with_context(|| format!("connect {address}"))?;
    stream.set_nodelay(true)?;
    let request = format!(
        "GET /api/v1/chat/events?after={after} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {token}\r\n\
         Accept: text/event-stream\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await?;
    let mut raw = Vec::with_capacity(4096);
    let head_end = loop {
        if let Some(end) = find(&raw, b"\r\n\r\n") {
            break end + 4;
        }
        anyhow::ensure!(raw.len() < MAX_HEAD, "response head too long");
        fill(&mut stream, &mut raw).await?;
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
    anyhow::ensure!(head.starts_with("http/1.1 200"), "stream refused: {}", head.lines().next().unwrap_or_default());
    anyhow::ensure!(head.contains("transfer-encoding: chunked"), "the stream is not chunked");
    raw.drain(..head_end);
    *failing_since = None;
    let mut body = Vec::with_capacity(4096);
    loop {
        // Whole chunks into `body`, then whole events out of it.
        while let Some(line_end) = find(&raw, b"\r\n") {
            let size_text = std::str::from_utf8(&raw[..line_end]).context("chunk size")?;
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or_default().trim(), 16)
                .context("chunk size")?;
            if size == 0 {
                return Ok(());
            }
            if raw.len() < line_end + 2 + size + 2 {
                break;
            }
            body.extend_from_slice(&raw[line_end + 2..line_end + 2 + size]);
            raw.drain(..line_end + 2 + size + 2);
        }
        while let Some(end) = find(&body, b"\n\n") {
            let event: Vec<u8> = body.drain(..end + 2).collect();
            match parse_event(&event)? {
                Some(Parsed::Message(wire)) => {
                    if wire.seq <= *after {
                        continue;
                    }
                    *after = wire.seq;
                    if wire.from == From::Staff {
                        tally.staff_messages.fetch_add(1, Ordering::Relaxed);
                    }
                    let seen = Seen {
                        seq: wire.seq,
                        from: wire.from,
                        text: wire.text,
                        quick_replies: wire.quick_replies,
                        at: Instant::now(),
                    };
                    if out.send(seen).is_err() {
                        return Ok(());
                    }
                }
                // The server ends the stream after it; the reconnection resumes from `after`.
                Some(Parsed::Resync) => return Ok(()),
                None => {}
            }
        }
        if out.is_closed() {
            return Ok(());
        }
        fill(&mut stream, &mut raw).await?;
    }
}

enum Parsed {
    Message(Wire),
    Resync,
}

fn parse_event(event: &[u8]) -> anyhow::Result<Option<Parsed>> {
    let text = std::str::from_utf8(event).context("event is not UTF-8")?;
    let mut kind = "";
    let mut data = String::new();
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("event:") {
            kind = v.trim();
        } else if let Some(v) = line.strip_prefix("data:") {
            data.push_str(v.strip_prefix(' ').unwrap_or(v));
        }
    }
    Ok(match kind {
        "message" => Some(Parsed::Message(serde_json::from_str(&data).context("message event")?)),
        "resync" => Some(Parsed::Resync),
        _ => None,
    })
}

async fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>) -> anyhow::Result<()> {
    let mut chunk = [0u8; 8192];
    let n = stream.read(&mut chunk).await?;
    anyhow::ensure!(n > 0, "the server closed the stream");
    buf.extend_from_slice(&chunk[..n]);
    Ok(())
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
