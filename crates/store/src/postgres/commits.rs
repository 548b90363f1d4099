//! Commits seen across app nodes: every batch notifies a channel (inside its transaction, so the
//! notice goes out only on commit), and each node listens, passing on the ranges that other
//! nodes wrote so the server can show their messages live, and waking its shred watcher when
//! another node shredded a case. It also remembers which ranges this node committed (so a relay
//! reading the log after a missed notice can tell its own events from the others'), and keeps
//! this node in the `nodes` table with a heartbeat, counting the nodes alive.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::postgres::{PgListener, PgPool};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::model::SeqRange;

const BUFFER: usize = 1024;
/// Own ranges remembered at most (the relay forgets those it has passed long before).
const OWN_RANGES: usize = 65_536;
/// How often a node says it is alive, and how long after its last word it counts as gone.
const HEARTBEAT: Duration = Duration::from_secs(5);
const ALIVE_FOR_MS: i64 = 15_000;

pub(crate) struct CommitFeed {
    pub node: Uuid,
    pub channel: String,
    pub remote: broadcast::Sender<SeqRange>,
    pub shreds: broadcast::Sender<()>,
    /// Ranges this node committed, oldest first.
    own: Mutex<VecDeque<SeqRange>>,
    /// Nodes alive at the last heartbeat, this one included.
    pub live_nodes: Arc<AtomicUsize>,
    listener: tokio::task::JoinHandle<()>,
    heartbeat: tokio::task::JoinHandle<()>,
}

impl Drop for CommitFeed {
    fn drop(&mut self) {
        self.listener.abort();
        self.heartbeat.abort();
    }
}

impl CommitFeed {
    /// Listens on the schema's channel: stores in different schemas of one database stay apart.
    pub(crate) async fn start(pool: &PgPool, schema: &str) -> Result<CommitFeed, sqlx::Error> {
        let node = Uuid::new_v4();
        let channel: String = format!("sp_commits_{schema}").chars().take(63).collect();
        let (remote, _) = broadcast::channel(BUFFER);
        let (shreds, _) = broadcast::channel(16);
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen(&channel).await?;
        let sender = remote.clone();
        let shred_sender = shreds.clone();
        let listener = tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(notification) => match parse(notification.payload(), node) {
                        Some(Notice::Commit(range)) => {
                            let _ = sender.send(range);
                        }
                        Some(Notice::Shred) => {
                            let _ = shred_sender.send(());
                        }
                        None => {}
                    },
                    Err(e) => {
                        // PgListener reconnects on the next recv; a missed range is caught up
                        // by the next one, since readers ask for everything after what they saw.
                        tracing::warn!(error = %e, "commit listener lost its connection");
                        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                    }
                }
            }
        });
        let live_nodes = Arc::new(AtomicUsize::new(1));
        let heartbeat = tokio::spawn(heartbeat(pool.clone(), node, live_nodes.clone()));
        Ok(CommitFeed { node, channel, remote, shreds, own: Mutex::default(), live_nodes, listener, heartbeat })
    }

    /// Remembers a range this node just committed.
    pub(crate) fn committed(&self, range: SeqRange) {
        let mut own = self.own.lock().unwrap_or_else(|p| p.into_inner());
        if own.len() == OWN_RANGES {
            own.pop_front();
        }
        own.push_back(range);
    }

    /// Whether this node committed `seq` (as far as it still remembers: ranges far behind the
    /// newest are forgotten, so a relay asks about recent seqs only).
    pub(crate) fn committed_here(&self, seq: i64) -> bool {
        let own = self.own.lock().unwrap_or_else(|p| p.into_inner());
        // Ranges are pushed in commit order, which on one database is seq order.
        let at = own.partition_point(|r| r.last < seq);
        own.get(at).is_some_and(|r| r.first <= seq)
    }

    /// Forgets own ranges that end before `seq` (the relay has passed them).
    pub(crate) fn forget_before(&self, seq: i64) {
        let mut own = self.own.lock().unwrap_or_else(|p| p.into_inner());
        while own.front().is_some_and(|r| r.last < seq) {
            own.pop_front();
        }
    }

    pub(crate) fn live_nodes(&self) -> usize {
        self.live_nodes.load(Ordering::Relaxed).max(1)
    }

    pub(crate) fn payload(&self, first: i64, last: i64) -> String {
        format!("{}:{first}:{last}", self.node.simple())
    }

    /// Says only that a case was shredded: each node reads which from the database.
    pub(crate) fn shred_payload(&self) -> String {
        format!("{}:shred", self.node.simple())
    }
}

/// Says every few seconds that this node is alive and counts the nodes that said so lately;
/// a node gone for an hour is removed. A failed round keeps the last count.
async fn heartbeat(pool: PgPool, node: Uuid, live: Arc<AtomicUsize>) {
    let mut tick = tokio::time::interval(HEARTBEAT);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let now = crate::store::now_ms();
        let counted: Result<i64, sqlx::Error> = async {
            sqlx::query("INSERT INTO nodes (id, seen_ms) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET seen_ms = $2")
                .bind(node)
                .bind(now)
                .execute(&pool)
                .await?;
            sqlx::query("DELETE FROM nodes WHERE seen_ms < $1").bind(now - 3_600_000).execute(&pool).await?;
            sqlx::query_scalar("SELECT count(*) FROM nodes WHERE seen_ms >= $1")
                .bind(now - ALIVE_FOR_MS)
                .fetch_one(&pool)
                .await
        }
        .await;
        match counted {
            Ok(n) => live.store(usize::try_from(n).unwrap_or(1).max(1), Ordering::Relaxed),
            Err(e) => tracing::warn!(error = %e, "node heartbeat failed"),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Notice {
    Commit(SeqRange),
    Shred,
}

/// `node:first:last` or `node:shred`; our own commits and anything malformed are ignored.
fn parse(payload: &str, own: Uuid) -> Option<Notice> {
    let mut parts = payload.split(':');
    let node = Uuid::parse_str(parts.next()?).ok()?;
    if node == own {
        return None;
    }
    let first = parts.next()?;
    if first == "shred" {
        return parts.next().is_none().then_some(Notice::Shred);
    }
    let first = first.parse().ok()?;
    let last = parts.next()?.parse().ok()?;
    (parts.next().is_none() && first <= last).then_some(Notice::Commit(SeqRange { first, last }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_parse_and_own_commits_are_ignored() {
        let me = Uuid::new_v4();
        let other = Uuid::new_v4();
        assert_eq!(parse(&format!("{}:5:9", other.simple()), me), Some(Notice::Commit(SeqRange { first: 5, last: 9 })));
        assert_eq!(parse(&format!("{}:shred", other.simple()), me), Some(Notice::Shred));
        assert_eq!(parse(&format!("{}:shred", me.simple()), me), None);
        assert_eq!(parse(&format!("{}:shred:x", other.simple()), me), None);
        assert_eq!(parse(&format!("{}:5:9", me.simple()), me), None);
        assert_eq!(parse("junk", me), None);
        assert_eq!(parse(&format!("{}:9:5", other.simple()), me), None);
        assert_eq!(parse(&format!("{}:1:2:3", other.simple()), me), None);
    }
}
