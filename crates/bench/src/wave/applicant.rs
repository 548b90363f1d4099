//! One applicant of the wave: opens a web chat on its node, keeps its event stream open, and
//! walks its path through the flows, reading the bot's answers and buttons off the stream.
//! A POST that fails with a connection error (its node was killed) is sent again on the node
//! that is up; only a `202` counts as acknowledged.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use hdrhistogram::Histogram;
use safepassage_domain::Codename;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::nodes::NodeTable;
use super::paths::{Expect, Path, Step};
use super::stream::{self, From, Seen, StreamTally};
use crate::http1;

/// How long a POST is retried while its node is down, and how long the bot may take to answer.
const PATIENCE: Duration = Duration::from_secs(30);
/// How long a returning applicant waits for someone earlier in the wave to get a codename.
const CODENAME_WAIT: Duration = Duration::from_secs(60);

/// What the applicants share.
pub struct Shared {
    pub table: Arc<NodeTable>,
    pub streams: Arc<StreamTally>,
    /// Codenames the bot gave in this wave, not yet used by a returning applicant.
    pub codenames: Mutex<VecDeque<String>>,
    /// Pause between the bot's answer and the applicant's next message.
    pub think: Duration,
}

/// What one applicant did.
pub struct Journey {
    pub token: String,
    /// The seq of every message acknowledged with `202`.
    pub acknowledged: Vec<i64>,
    pub post_latency: Histogram<u64>,
    pub bot_latency: Histogram<u64>,
    /// Sent again after a connection error.
    pub retried: u64,
    /// Answered with a status other than `202`.
    pub refused: u64,
    /// Where the path broke off (no answer, no such button, codename refused), if it did.
    pub stuck: Option<String>,
    pub got_codename: bool,
    /// An operator wrote before the path was over (the bot then leaves it to the person).
    pub answered_by_person: bool,
    /// The event stream, kept open until the end of the wave for the operators' replies.
    pub stream: JoinHandle<()>,
    /// Keeps the stream's channel open.
    pub inbox: mpsc::UnboundedReceiver<Seen>,
}

/// Walks `path` as applicant `index` (its first node is `index % nodes`).
pub async fn walk(shared: Arc<Shared>, index: u64, path: Path) -> anyhow::Result<Journey> {
    let node = Arc::new(AtomicUsize::new(index as usize % shared.table.len().max(1)));
    let mut client = Client { shared: Arc::clone(&shared), node: Arc::clone(&node), connection: None, retried: 0 };
    let body = serde_json::to_vec(&serde_json::json!({ "language": path.language.tag() }))?;
    let (status, created) = client.post("/api/v1/chat/sessions", None, &body).await?;
    anyhow::ensure!(status == 201, "session: {status} {}", String::from_utf8_lossy(&created));
    let created: serde_json::Value = serde_json::from_slice(&created)?;
    let token = created["token"].as_str().context("no token")?.to_owned();
    let first = created["messages"].as_array().cloned().unwrap_or_default();
    let mut buttons: Vec<String> = first
        .last()
        .and_then(|m| m["quick_replies"].as_array())
        .map(|r| r.iter().filter_map(|b| b.as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    let mut last_seen = first.iter().filter_map(|m| m["seq"].as_i64()).max().unwrap_or(0);

    let (out, mut inbox) = mpsc::unbounded_channel();
    let stream = tokio::spawn(stream::follow(
        Arc::clone(&shared.table),
        Arc::clone(&node),
        token.clone(),
        last_seen,
        out,
        Arc::clone(&shared.streams),
    ));
    let mut journey = Journey {
        token: token.clone(),
        acknowledged: Vec::new(),
        post_latency: Histogram::new(3)?,
        bot_latency: Histogram::new(3)?,
        retried: 0,
        refused: 0,
        stuck: None,
        got_codename: false,
        answered_by_person: false,
        stream,
        inbox: mpsc::unbounded_channel().1,
    };

    // Once an operator has written, the bot is quiet (a person has the conversation): the
    // applicant presses its buttons all the same but waits for no answer.
    let mut person_joined = false;
    for (number, (step, expect)) in path.steps.iter().enumerate() {
        if number > 0 && !shared.think.is_zero() {
            tokio::time::sleep(shared.think).await;
        }
        while let Ok(seen) = inbox.try_recv() {
            last_seen = last_seen.max(seen.seq);
            person_joined |= seen.from == From::Staff;
        }
        if person_joined && matches!(step, Step::Press(_)) {
            journey.answered_by_person = true;
            break;
        }
        let started = Instant::now();
        let after = match step {
            Step::Codename => {
                let Some(codename) = take_codename(&shared).await else {
                    journey.stuck = Some("no codename was handed out in time".into());
                    break;
                };
                let body = serde_json::to_vec(&serde_json::json!({ "codename": codename }))?;
                let (status, answer) = client.post("/api/v1/chat/codename", Some(&token), &body).await?;
                if status != 200 {
                    journey.stuck = Some(format!("codename: {status} {}", String::from_utf8_lossy(&answer)));
                    break;
                }
                last_seen
            }
            Step::Press(_) | Step::Say(_) => {
                let text = match step {
                    Step::Press(place) => match buttons.get(*place) {
                        Some(label) => label.clone(),
                        None => {
                            journey.stuck = Some(format!("step {number}: no button {place} in {buttons:?}"));
                            break;
                        }
                    },
                    Step::Say(text) => (*text).to_owned(),
                    Step::Codename => String::new(),
                };
                let body = serde_json::to_vec(&serde_json::json!({ "text": text }))?;
                let (status, answer) = client.post("/api/v1/chat/messages", Some(&token), &body).await?;
                journey.post_latency.record(started.elapsed().as_micros() as u64)?;
                if status != 202 {
                    journey.refused += 1;
                    journey.stuck = Some(format!("message: {status} {}", String::from_utf8_lossy(&answer)));
                    break;
                }
                let accepted: serde_json::Value = serde_json::from_slice(&answer)?;
                let seq = accepted["seq"].as_i64().context("no seq in the 202")?;
                journey.acknowledged.push(seq);
                seq
            }
        };
        if *expect == Expect::Nothing || person_joined {
            continue;
        }
        // The bot's turn: its first message after ours is the latency; buttons end the turn.
        let deadline = tokio::time::Instant::now() + PATIENCE;
        let mut answered = false;
        loop {
            let seen = match tokio::time::timeout_at(deadline, inbox.recv()).await {
                Ok(Some(seen)) => seen,
                Ok(None) | Err(_) => break,
            };
            last_seen = last_seen.max(seen.seq);
            if seen.from == From::Staff {
                person_joined = true;
                break;
            }
            if seen.seq <= after || seen.from != From::Bot {
                continue;
            }
            if !answered && matches!(step, Step::Press(_) | Step::Say(_)) {
                journey.bot_latency.record(seen.at.duration_since(started).as_micros() as u64)?;
            }
            answered = true;
            if Codename::parse(seen.text.trim()).is_ok() {
                journey.got_codename = true;
                if let Ok(mut pool) = shared.codenames.lock() {
                    pool.push_back(seen.text.trim().to_owned());
                }
            }
            if !seen.quick_replies.is_empty() {
                buttons = seen.quick_replies;
                break;
            }
            if *expect == Expect::Reply {
                break;
            }
        }
        if person_joined && !answered {
            journey.answered_by_person = true;
            break;
        }
        if !answered || (*expect == Expect::Buttons && buttons.is_empty()) {
            journey.stuck = Some(format!("step {number} ({step:?}): the bot did not answer as expected"));
            break;
        }
        if *expect == Expect::Reply {
            buttons.clear();
        }
    }
    journey.retried = client.retried;
    journey.inbox = inbox;
    Ok(journey)
}

/// A codename from earlier in the wave, each used once; waits while none is there yet.
async fn take_codename(shared: &Shared) -> Option<String> {
    let deadline = Instant::now() + CODENAME_WAIT;
    while Instant::now() < deadline {
        if let Some(codename) = shared.codenames.lock().ok().and_then(|mut pool| pool.pop_front()) {
            return Some(codename);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

/// The applicant's keep-alive connection to its node, moved to another node when it fails.
struct Client {
    shared: Arc<Shared>,
    node: Arc<AtomicUsize>,
    connection: Option<http1::Connection>,
    retried: u64,
}

impl Client {
    /// POSTs JSON; a connection error (the node is gone) sends it again on a node that is up.
    async fn post(&mut self, path: &str, bearer: Option<&str>, body: &[u8]) -> anyhow::Result<(u16, Vec<u8>)> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let attempt = async {
                if self.connection.is_none() {
                    let (node, address) =
                        self.shared.table.up_from(self.node.load(Ordering::Relaxed), PATIENCE).await?;
                    self.node.store(node, Ordering::Relaxed);
                    self.connection = Some(http1::Connection::open(&address).await?);
                }
                let connection = self.connection.as_mut().context("no connection")?;
                connection.request("POST", path, bearer, Some(body)).await
            };
            match attempt.await {
                Ok(response) => return Ok((response.status, response.body)),
                Err(e) => {
                    self.connection = None;
                    anyhow::ensure!(Instant::now() < deadline, "POST {path} kept failing: {e:#}");
                    self.retried += 1;
                    let nodes = self.shared.table.len().max(1);
                    let node = self.node.load(Ordering::Relaxed);
                    if nodes > 1 && self.shared.table.address(node).is_none() {
                        self.node.store((node + 1) % nodes, Ordering::Relaxed);
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
}
