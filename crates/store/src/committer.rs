//! Group commit: writers queue jobs; one task drains whatever is waiting into a single
//! transaction and answers each writer only after that transaction committed. While one batch
//! commits the next one gathers, so the busier the store, the larger and cheaper the batches.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::backend::Backend;
use crate::chain::Linker;
use crate::error::StoreError;
use crate::ops::Job;

pub(crate) struct Pending {
    job: Job,
    reply: oneshot::Sender<Result<Vec<i64>, StoreError>>,
}

/// Counters for metrics: how many batches and jobs were committed.
#[derive(Default)]
pub(crate) struct CommitCounters {
    pub batches: AtomicU64,
    pub jobs: AtomicU64,
    pub failed_jobs: AtomicU64,
}

#[derive(Clone)]
pub(crate) struct Committer {
    queue: mpsc::Sender<Pending>,
}

impl Committer {
    pub(crate) fn spawn(
        backend: Arc<dyn Backend>,
        linker: Linker,
        max_batch: usize,
        counters: Arc<CommitCounters>,
    ) -> Committer {
        // A bounded queue pushes back on writers when the disk cannot keep up.
        let (queue, inbox) = mpsc::channel(max_batch.max(1) * 8);
        tokio::spawn(run(backend, Arc::new(linker), inbox, max_batch.max(1), counters));
        Committer { queue }
    }

    /// Queues a job and waits until it is durable; returns the seqs of its events.
    pub(crate) async fn submit(&self, job: Job) -> Result<Vec<i64>, StoreError> {
        let (reply, answer) = oneshot::channel();
        self.queue.send(Pending { job, reply }).await.map_err(|_| StoreError::Closed)?;
        answer.await.map_err(|_| StoreError::Closed)?
    }
}

async fn run(
    backend: Arc<dyn Backend>,
    linker: Arc<Linker>,
    mut inbox: mpsc::Receiver<Pending>,
    max_batch: usize,
    counters: Arc<CommitCounters>,
) {
    let mut waiting = Vec::with_capacity(max_batch);
    while inbox.recv_many(&mut waiting, max_batch).await > 0 {
        let (jobs, replies): (Vec<Job>, Vec<_>) = waiting.drain(..).map(|p| (p.job, p.reply)).unzip();
        let jobs = Arc::new(jobs);
        match backend.commit(jobs.clone(), linker.clone()).await {
            Ok(seqs) => {
                counters.batches.fetch_add(1, Ordering::Relaxed);
                counters.jobs.fetch_add(replies.len() as u64, Ordering::Relaxed);
                for (reply, seqs) in replies.into_iter().zip(seqs) {
                    let _ = reply.send(Ok(seqs));
                }
            }
            Err(e) if replies.len() == 1 => {
                counters.failed_jobs.fetch_add(1, Ordering::Relaxed);
                if let Some(reply) = replies.into_iter().next() {
                    let _ = reply.send(Err(e));
                }
            }
            Err(_) => {
                // One job spoiled the batch (a lost race, a constraint): commit each on its own
                // so only that job fails.
                for (job, reply) in jobs.iter().zip(replies) {
                    let result = backend.commit(Arc::new(vec![job.clone()]), linker.clone()).await;
                    counters.batches.fetch_add(1, Ordering::Relaxed);
                    match result {
                        Ok(mut seqs) => {
                            counters.jobs.fetch_add(1, Ordering::Relaxed);
                            let _ = reply.send(Ok(seqs.pop().unwrap_or_default()));
                        }
                        Err(e) => {
                            counters.failed_jobs.fetch_add(1, Ordering::Relaxed);
                            let _ = reply.send(Err(e));
                        }
                    }
                }
            }
        }
    }
}
