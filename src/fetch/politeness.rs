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
    /// A longer interval than the default, from the host's Crawl-delay.
    interval: Mutex<Option<Duration>>,
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
                    interval: Mutex::new(None),
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
        let interval = host
            .interval
            .lock()
            .expect("host interval poisoned")
            .map_or(self.interval, |d| d.max(self.interval));
        let mut next = host.next_start.lock().await;
        let now = Instant::now();
        if *next > now {
            tokio::time::sleep_until(*next).await;
        }
        *next = Instant::now() + interval;
        HostPermit { _slot: slot }
    }

    /// Widens the host's interval between request starts (Crawl-delay),
    /// counting from now for the next request.
    pub async fn set_min_interval(&self, host_key: &str, interval: Duration) {
        let host = self.host(host_key);
        *host.interval.lock().expect("host interval poisoned") = Some(interval);
        let mut next = host.next_start.lock().await;
        *next = (*next).max(Instant::now() + interval);
    }

    /// Holds every request to the host until `until` (Retry-After).
    pub async fn defer(&self, host_key: &str, until: Instant) {
        let host = self.host(host_key);
        let mut next = host.next_start.lock().await;
        if until > *next {
            *next = until;
        }
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
    async fn crawl_delay_and_retry_after_hold_the_host() {
        let p = Politeness::new(4, Duration::ZERO);
        p.set_min_interval("a.test:80", INTERVAL).await;
        let t0 = Instant::now();
        drop(p.acquire("a.test:80").await);
        drop(p.acquire("a.test:80").await);
        assert!(t0.elapsed() >= INTERVAL);
        p.defer("b.test:80", Instant::now() + INTERVAL).await;
        let t1 = Instant::now();
        drop(p.acquire("b.test:80").await);
        assert!(t1.elapsed() >= INTERVAL);
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
