//! Commits seen across app nodes: every batch notifies a channel (inside its transaction, so the
//! notice goes out only on commit), and each node listens, passing on the ranges that other
//! nodes wrote so the server can show their messages live.

use sqlx::postgres::{PgListener, PgPool};
use tokio::sync::broadcast;
use uuid::Uuid;

use crate::model::SeqRange;

const BUFFER: usize = 1024;

pub(crate) struct CommitFeed {
    pub node: Uuid,
    pub channel: String,
    pub remote: broadcast::Sender<SeqRange>,
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
        let mut listener = PgListener::connect_with(pool).await?;
        listener.listen(&channel).await?;
        let sender = remote.clone();
        let listener = tokio::spawn(async move {
            loop {
                match listener.recv().await {
                    Ok(notification) => {
                        if let Some(range) = parse(notification.payload(), node) {
                            let _ = sender.send(range);
                        }
                    }
                    Err(e) => {
                        // PgListener reconnects on the next recv; a missed range is caught up
                        // by the next one, since readers ask for everything after what they saw.
                        tracing::warn!(error = %e, "commit listener lost its connection");
                        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
                    }
                }
            }
        });
        Ok(CommitFeed { node, channel, remote, listener })
    }

    pub(crate) fn payload(&self, first: i64, last: i64) -> String {
        format!("{}:{first}:{last}", self.node.simple())
    }
}

/// `node:first:last`; our own commits and anything malformed are ignored.
fn parse(payload: &str, own: Uuid) -> Option<SeqRange> {
    let mut parts = payload.split(':');
    let node = Uuid::parse_str(parts.next()?).ok()?;
    let first = parts.next()?.parse().ok()?;
    let last = parts.next()?.parse().ok()?;
    (node != own && parts.next().is_none() && first <= last).then_some(SeqRange { first, last })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_parse_and_own_commits_are_ignored() {
        let me = Uuid::new_v4();
        let other = Uuid::new_v4();
        assert_eq!(parse(&format!("{}:5:9", other.simple()), me), Some(SeqRange { first: 5, last: 9 }));
        assert_eq!(parse(&format!("{}:5:9", me.simple()), me), None);
        assert_eq!(parse("junk", me), None);
        assert_eq!(parse(&format!("{}:9:5", other.simple()), me), None);
        assert_eq!(parse(&format!("{}:1:2:3", other.simple()), me), None);
    }
}
