//! robots.txt: fetched once per host (per run, or per day in the daemon),
//! parsed with texting_robots, and asked before every request to that host.
//!
//! Status handling follows RFC 9309: a 4xx robots.txt means no rules (crawl
//! freely); a 5xx or an unreachable host means "assume complete disallow"
//! until the rules can be read. A `Crawl-delay` widens the host's interval
//! between requests (capped, so one file cannot stall a crawl for hours).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use texting_robots::Robot;
use tokio::sync::OnceCell;

/// How long a host's rules are trusted before they are fetched again.
pub const RULES_TTL: Duration = Duration::from_secs(24 * 3600);
/// The longest Crawl-delay honoured.
pub const MAX_CRAWL_DELAY: Duration = Duration::from_secs(60);
/// robots.txt files larger than this are truncated (Google reads 500 KiB).
pub const MAX_ROBOTS_BYTES: usize = 512 * 1024;

/// What a host's robots.txt says, as far as kabar cares.
pub enum Rules {
    /// No robots.txt (4xx) or no rule for us: everything allowed.
    AllowAll,
    /// robots.txt could not be read (5xx, network): nothing allowed for now.
    DisallowAll(String),
    /// The host itself may not be contacted (private address, bad URL): every
    /// request to it fails the same way.
    Refused(crate::model::Failure),
    Parsed(Box<Robot>),
}

impl Rules {
    /// Builds rules from a robots.txt response.
    pub fn from_response(status: u16, body: &[u8], agent: &str) -> Rules {
        match status {
            200..=299 => {
                let body = &body[..body.len().min(MAX_ROBOTS_BYTES)];
                match Robot::new(agent, body) {
                    Ok(robot) => Rules::Parsed(Box::new(robot)),
                    // An unparseable file carries no rule we could follow.
                    Err(_) => Rules::AllowAll,
                }
            }
            400..=499 => Rules::AllowAll,
            _ => Rules::DisallowAll(format!("robots.txt answered HTTP {status}")),
        }
    }

    /// Whether `url` may be fetched; `Err` carries the reason it may not.
    pub fn check(&self, url: &str) -> Result<(), String> {
        match self {
            Rules::AllowAll => Ok(()),
            Rules::DisallowAll(why) => Err(format!("{why}; RFC 9309 says assume disallow")),
            Rules::Refused(failure) => Err(failure.reason.clone()),
            Rules::Parsed(robot) => {
                if robot.allowed(url) {
                    Ok(())
                } else {
                    Err("disallowed by robots.txt".into())
                }
            }
        }
    }

    /// The host's Crawl-delay, capped.
    pub fn crawl_delay(&self) -> Option<Duration> {
        match self {
            Rules::Parsed(robot) => robot
                .delay
                .filter(|d| d.is_finite() && *d > 0.0)
                .map(|d| Duration::from_secs_f32(d).min(MAX_CRAWL_DELAY)),
            _ => None,
        }
    }
}

struct Entry {
    rules: OnceCell<Arc<Rules>>,
    created: Instant,
}

/// Rules per host, each fetched once even when many requests ask at once.
#[derive(Default)]
pub struct RobotsCache {
    hosts: Mutex<HashMap<String, Arc<Entry>>>,
}

impl RobotsCache {
    /// The rules for `host_key`, fetching them with `fetch` the first time
    /// (or after [`RULES_TTL`]). Concurrent callers wait for one fetch.
    pub async fn rules<F, Fut>(&self, host_key: &str, fetch: F) -> Arc<Rules>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Rules>,
    {
        let entry = {
            let mut hosts = self.hosts.lock().expect("robots map poisoned");
            let stale = hosts
                .get(host_key)
                .is_some_and(|e| e.created.elapsed() > RULES_TTL);
            if stale {
                hosts.remove(host_key);
            }
            hosts
                .entry(host_key.to_string())
                .or_insert_with(|| {
                    Arc::new(Entry {
                        rules: OnceCell::new(),
                        created: Instant::now(),
                    })
                })
                .clone()
        };
        entry
            .rules
            .get_or_init(|| async { Arc::new(fetch().await) })
            .await
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AGENT: &str = "kabar";

    #[test]
    fn statuses_follow_rfc_9309() {
        assert!(
            Rules::from_response(404, b"", AGENT)
                .check("http://a.test/x")
                .is_ok()
        );
        assert!(
            Rules::from_response(503, b"", AGENT)
                .check("http://a.test/x")
                .is_err()
        );
        let rules = Rules::from_response(
            200,
            b"User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n\nUser-agent: kabar\nDisallow: /no-kabar/\nCrawl-delay: 3",
            AGENT,
        );
        assert!(rules.check("http://a.test/news/1").is_ok());
        assert!(rules.check("http://a.test/no-kabar/1").is_err());
        assert_eq!(rules.crawl_delay(), Some(Duration::from_secs(3)));
    }

    #[tokio::test]
    async fn rules_are_fetched_once_per_host() {
        let cache = RobotsCache::default();
        let fetches = std::sync::atomic::AtomicUsize::new(0);
        for _ in 0..3 {
            cache
                .rules("a.test:80", || async {
                    fetches.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    Rules::AllowAll
                })
                .await;
        }
        assert_eq!(fetches.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
