//! Commits seen across app nodes: every batch notifies a channel (inside its transaction, so the
//! notice goes out only on commit), and each node listens, passing on the ranges that other
//! nodes wrote so the server can show their messages live, and waking its shred watcher when
//! another node shredded a case.

use sqlx::postgres::{PgListener, PgPool};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::model::SeqRange;

const BUFFER: usize = 1024;

pub(crate) struct CommitFeed {
    pub node: Uuid,
    pub channel: String,
    pub remote: broadcast::Sender<SeqRange>,
    pub shreds: broadcast::Sender<()>,
    listener: tokio::task::JoinHandle<()>,
}

impl Drop for CommitFeed {
    fn drop(&mut self) {
        self.listener.abort();
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
        Ok(CommitFeed { node, channel, remote, shreds, listener })
    }

    pub(crate) fn payload(&self, first: i64, last: i64) -> String {
        format!("{}:{first}:{last}", self.node.simple())
    }

    /// Says only that a case was shredded: each node reads which from the database.
    pub(crate) fn shred_payload(&self) -> String {
        format!("{}:shred", self.node.simple())
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
