//! Per-host politeness: how many requests may run at once against one host
//! and how long to wait between two of them.
//!
//! Every request takes a [`HostPermit`] before it is sent. The permit holds
//! one of the host's concurrency slots for the life of the request, and its
//! acquisition waits until the host's next start time, which each start
//! pushes forward by the configured interval. A global limit across hosts
//! is a separate semaphore owned by the fetcher.
//!
//! robots.txt, `Retry-After` and backoff build on this (crawler issue).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

struct Host {
    slots: Arc<Semaphore>,
    next_start: tokio::sync::Mutex<Instant>,
}

/// Rate and concurrency limits for every host seen so far.
pub struct Politeness {
    per_host_concurrency: usize,
    interval: Duration,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
}

/// Held while a request to a host is in flight.
pub struct HostPermit {
    _slot: OwnedSemaphorePermit,
}

impl Politeness {
    pub fn new(per_host_concurrency: usize, interval: Duration) -> Self {
        Politeness {
            per_host_concurrency: per_host_concurrency.max(1),
            interval,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    fn host(&self, key: &str) -> Arc<Host> {
        let mut hosts = self.hosts.lock().expect("politeness map poisoned");
        hosts
            .entry(key.to_string())
            .or_insert_with(|| {
                Arc::new(Host {
                    slots: Arc::new(Semaphore::new(self.per_host_concurrency)),
                    next_start: tokio::sync::Mutex::new(Instant::now()),
                })
            })
            .clone()
    }

    /// Waits for a slot on `host_key` (host:port) and for its next start time.
    pub async fn acquire(&self, host_key: &str) -> HostPermit {
        let host = self.host(host_key);
        let slot = host
            .slots
            .clone()
            .acquire_owned()
            .await
            .expect("host semaphore is never closed");
        if !self.interval.is_zero() {
            let mut next = host.next_start.lock().await;
            let now = Instant::now();
            if *next > now {
                tokio::time::sleep_until(*next).await;
            }
            *next = Instant::now() + self.interval;
        }
        HostPermit { _slot: slot }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The interval is a lower bound between starts; allow scheduler slack above it.
    const INTERVAL: Duration = Duration::from_millis(40);

    #[tokio::test]
    async fn starts_on_one_host_are_spaced_by_the_interval() {
        let p = Politeness::new(4, INTERVAL);
        let t0 = Instant::now();
        for _ in 0..3 {
            let _permit = p.acquire("a.test:80").await;
        }
        assert!(t0.elapsed() >= INTERVAL * 2, "{:?}", t0.elapsed());
        // Another host is not held up by the first one's schedule.
        let t1 = Instant::now();
        let _permit = p.acquire("b.test:80").await;
        assert!(t1.elapsed() < INTERVAL);
    }

    #[tokio::test]
    async fn concurrency_per_host_is_capped() {
        let p = Politeness::new(1, Duration::ZERO);
        let first = p.acquire("a.test:80").await;
        let second = tokio::time::timeout(Duration::from_millis(50), p.acquire("a.test:80")).await;
        assert!(
            second.is_err(),
            "a second slot must not be granted while the first is held"
        );
        drop(first);
        let third = tokio::time::timeout(Duration::from_millis(500), p.acquire("a.test:80")).await;
        assert!(third.is_ok());
    }
}
