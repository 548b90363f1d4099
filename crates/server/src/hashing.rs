//! Password hashing for staff logins, bounded. Each Argon2id hash takes 19 MiB and tens of
//! milliseconds of CPU; unbounded, a flood of logins could exhaust memory and, on tokio's
//! blocking pool, starve the store's SQLite threads. Hashes run on a few threads of their own,
//! and at most `budget / 19 MiB` may be waiting or running: past that a login is answered
//! "busy" (503 with Retry-After) at once, without any work.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use tokio::sync::{oneshot, OwnedSemaphorePermit, Semaphore};
use zeroize::Zeroizing;

/// The memory one hash takes (Argon2id, m = 19456 KiB: `safepassage_keys::password`).
pub const MIB_PER_HASH: usize = 19;

type Job = Box<dyn FnOnce() + Send>;

/// The hashing pool: its threads, and the permits that bound what is queued on them.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    jobs: mpsc::Sender<Job>,
}

/// The bound is full: try again in a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

/// A place on the pool, taken before any other work of a request.
pub struct Slot {
    _permit: OwnedSemaphorePermit,
    jobs: mpsc::Sender<Job>,
}

impl Hasher {
    /// A pool for `budget_mib` of hashing memory: at least one hash, on at most as many threads
    /// as there are cores.
    pub fn new(budget_mib: usize) -> Hasher {
        let permits = (budget_mib / MIB_PER_HASH).max(1);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let threads = permits.min(cores);
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..threads {
            let queue = queue.clone();
            let spawned = std::thread::Builder::new().name(format!("password-hash-{i}")).spawn(move || loop {
                // The lock is held only to take the next job; it ends when every Hasher is gone.
                let next = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
                match next {
                    Ok(job) => job(),
                    Err(_) => break,
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        Hasher { permits: Arc::new(Semaphore::new(permits)), jobs }
    }

    /// How many hashes may be waiting or running at once.
    pub fn capacity(&self) -> usize {
        self.permits.available_permits()
    }

    /// A place for one hash, or `Busy` when the bound is full.
    pub fn slot(&self) -> Result<Slot, Busy> {
        let permit = self.permits.clone().try_acquire_owned().map_err(|_| Busy)?;
        Ok(Slot { _permit: permit, jobs: self.jobs.clone() })
    }
}

impl Slot {
    /// Runs `work` on the pool; the place is given back when the result is in.
    async fn run<T: Send + 'static>(self, work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = tx.send(work());
        });
        self.jobs.send(job).ok()?;
        rx.await.ok()
    }

    /// Whether `password` matches the PHC string (false also if the pool failed).
    pub async fn verify(self, password: Zeroizing<String>, phc: String) -> bool {
        self.run(move || safepassage_keys::password::verify(&password, &phc)).await.unwrap_or(false)
    }

    /// The PHC string of `password`; None only if the pool failed.
    pub async fn hash(self, password: Zeroizing<String>) -> Option<String> {
        self.run(move || safepassage_keys::password::hash(&password)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_bound_is_the_budget_over_the_memory_of_one_hash() {
        let hasher = Hasher::new(3 * MIB_PER_HASH + 5);
        assert_eq!(hasher.capacity(), 3);
        let held: Vec<Slot> = (0..3).map(|_| hasher.slot().unwrap()).collect();
        assert_eq!(hasher.slot().err(), Some(Busy), "full");
        drop(held);
        let phc = hasher.slot().unwrap().hash(Zeroizing::new("pw".into())).await.unwrap();
        assert!(hasher.slot().unwrap().verify(Zeroizing::new("pw".into()), phc).await);
        assert_eq!(hasher.capacity(), 3, "every place came back");
        assert_eq!(Hasher::new(0).capacity(), 1, "at least one");
    }
}
