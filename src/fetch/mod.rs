//! HTTP fetching: one shared client, politeness, safety limits, outcomes as
//! data.
//!
//! Every fetch returns a [`FetchStatus`]: a page, "not modified", or a
//! [`Failure`] with a kind and a reason. Nothing here returns an error that
//! would stop a crawl; a dead server is a value to count and report.
//!
//! A request goes through, in order: the URL check (scheme, IP-literal hosts;
//! [`guard`]), robots.txt ([`robots`]), the global and per-host limits
//! ([`politeness`]), then the request itself with its timeouts, redirect
//! policy and a body cap applied to the decompressed stream chunk by chunk
//! (so a compression bomb stops at the cap). Transient failures (timeouts,
//! network errors, 5xx) are retried with capped exponential backoff and
//! jitter; 429/503 with `Retry-After` hold the whole host for that long.

pub mod guard;
pub mod politeness;
pub mod robots;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use reqwest::StatusCode;
use reqwest::header::{
    CONTENT_TYPE, ETAG, HeaderMap, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
    RETRY_AFTER,
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;
use url::Url;

use crate::config::CrawlConfig;
use crate::model::{Failure, FailureKind, FetchStatus, Page};
use politeness::Politeness;
use robots::{RobotsCache, Rules};

/// Idle connections kept per host, and for how long. A host's articles are
/// fetched one after another (one request per second by default), so one
/// connection kept a few seconds serves the whole burst; each idle
/// connection keeps a read buffer grown to the largest page it read, which
/// made hyper's buffers the largest share of the crawl's memory.
const POOL_IDLE_PER_HOST: usize = 1;
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(5);

/// The longest backoff between two attempts at one URL.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Validators from an earlier response, sent back for a conditional GET.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// The crawler's HTTP client. Cheap to share behind an `Arc`.
pub struct Fetcher {
    client: reqwest::Client,
    global: Arc<Semaphore>,
    politeness: Politeness,
    robots: RobotsCache,
    /// Hosts that asked to be left alone (Retry-After beyond what we wait).
    rate_limited: Mutex<HashMap<String, Instant>>,
    agent_token: String,
    max_body_bytes: u64,
    allow_private: bool,
    respect_robots: bool,
    max_retries: u32,
    retry_base: Duration,
    max_retry_after: Duration,
}

/// One attempt's outcome: final, or worth another try after a pause.
enum Attempt {
    Done(FetchStatus),
    Retry {
        failure: Failure,
        after: Option<Duration>,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum FetcherError {
    #[error("crawl.resolve: '{0}' is not an address with a port (for example 127.0.0.1:8080)")]
    BadFixedAddress(String),
    #[error("cannot build the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
}

impl Fetcher {
    pub fn new(config: &CrawlConfig) -> Result<Fetcher, FetcherError> {
        let mut fixed = HashMap::new();
        for (host, addr) in &config.resolve {
            let addr: SocketAddr = addr
                .parse()
                .map_err(|_| FetcherError::BadFixedAddress(addr.clone()))?;
            fixed.insert(host.to_ascii_lowercase(), addr);
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            reqwest::header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("*"),
        );
        let client = reqwest::Client::builder()
            .user_agent(config.user_agent())
            .default_headers(headers)
            .connect_timeout(Duration::from_secs(config.connect_timeout_secs))
            .timeout(Duration::from_secs(config.timeout_secs))
            .redirect(guard::redirect_policy(
                config.max_redirects,
                config.allow_private,
            ))
            .dns_resolver(Arc::new(guard::GuardedResolver {
                allow_private: config.allow_private,
                fixed: Arc::new(fixed),
            }))
            .gzip(true)
            .brotli(true)
            .deflate(true)
            // A crawl touches thousands of hosts once per round; idle
            // connections kept for all of them (each with buffers grown to
            // the largest page it read) held hundreds of MB in the benchmark.
            .pool_max_idle_per_host(POOL_IDLE_PER_HOST)
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .build()?;
        Ok(Fetcher {
            client,
            global: Arc::new(Semaphore::new(config.concurrency.max(1))),
            politeness: Politeness::new(
                config.per_host_concurrency,
                Duration::from_millis(config.per_host_interval_ms),
            ),
            robots: RobotsCache::default(),
            rate_limited: Mutex::new(HashMap::new()),
            agent_token: config
                .user_agent
                .split('/')
                .next()
                .unwrap_or("kabar")
                .to_string(),
            max_body_bytes: config.max_body_bytes,
            allow_private: config.allow_private,
            respect_robots: config.respect_robots,
            max_retries: config.max_retries,
            retry_base: Duration::from_millis(config.retry_base_ms),
            max_retry_after: Duration::from_secs(config.max_retry_after_secs),
        })
    }

    /// Fetches `url`, sending `validators` for a conditional GET.
    pub async fn fetch(&self, url: &Url, validators: Option<&Validators>) -> FetchStatus {
        self.fetch_inner(url, validators, None, &mut None).await
    }

    /// Fetches `url` like [`Fetcher::fetch`], but reads the body only once
    /// it holds a permit of `gate`, and hands the permit back with the
    /// outcome. The caller keeps it while it holds the page, so at most
    /// `gate`'s permits of bodies are in memory at once however many
    /// requests are in flight; a response whose body is not read yet waits
    /// in the socket's buffer, and the server waits with it.
    pub async fn fetch_gated(
        &self,
        url: &Url,
        gate: &Arc<Semaphore>,
    ) -> (FetchStatus, Option<OwnedSemaphorePermit>) {
        let mut permit = None;
        let status = self.fetch_inner(url, None, Some(gate), &mut permit).await;
        (status, permit)
    }

    async fn fetch_inner(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        gate: Option<&Arc<Semaphore>>,
        permit: &mut Option<OwnedSemaphorePermit>,
    ) -> FetchStatus {
        if let Some(why) = guard::check_url(url, self.allow_private) {
            let kind = if matches!(url.scheme(), "http" | "https") {
                FailureKind::Blocked
            } else {
                FailureKind::BadUrl
            };
            return FetchStatus::Failed(Failure::new(kind, why));
        }
        let host_key = host_key(url);
        if self.respect_robots {
            let rules = self.robots_for(url, &host_key).await;
            if let Rules::Refused(failure) = &*rules {
                return FetchStatus::Failed(failure.clone());
            }
            if let Err(why) = rules.check(url.as_str()) {
                return FetchStatus::Failed(Failure::new(FailureKind::Robots, why));
            }
        }

        let mut attempt_no = 0;
        loop {
            if let Some(failure) = self.wait_if_rate_limited(&host_key).await {
                return FetchStatus::Failed(failure);
            }
            match self
                .attempt(
                    url,
                    validators,
                    &host_key,
                    self.max_body_bytes,
                    gate,
                    permit,
                )
                .await
            {
                Attempt::Done(status) => return status,
                Attempt::Retry { failure, after } => {
                    if attempt_no >= self.max_retries {
                        return FetchStatus::Failed(failure);
                    }
                    let pause = after.unwrap_or_else(|| self.backoff(attempt_no));
                    tracing::debug!("{url}: {failure}; retrying in {pause:?}");
                    tokio::time::sleep(pause).await;
                    attempt_no += 1;
                }
            }
        }
    }

    /// Exponential backoff with full jitter between 50% and 150%.
    fn backoff(&self, attempt_no: u32) -> Duration {
        let base = self.retry_base.saturating_mul(1 << attempt_no.min(10));
        base.mul_f64(0.5 + fastrand::f64()).min(MAX_BACKOFF)
    }

    /// A host that asked for a long pause fails fast; a short pause is waited out.
    async fn wait_if_rate_limited(&self, host_key: &str) -> Option<Failure> {
        let until = self
            .rate_limited
            .lock()
            .expect("rate limit map poisoned")
            .get(host_key)
            .copied()?;
        let now = Instant::now();
        if until <= now {
            return None;
        }
        if until - now > self.max_retry_after {
            return Some(Failure::new(
                FailureKind::RateLimited,
                format!(
                    "the host asked to wait {}s (Retry-After), longer than crawl.max_retry_after_secs",
                    (until - now).as_secs()
                ),
            ));
        }
        tokio::time::sleep_until(until).await;
        None
    }

    async fn robots_for(&self, url: &Url, host_key: &str) -> Arc<Rules> {
        self.robots
            .rules(host_key, || async {
                let mut robots_url = url.clone();
                robots_url.set_path("/robots.txt");
                robots_url.set_query(None);
                robots_url.set_fragment(None);
                let rules = match self
                    .attempt(
                        &robots_url,
                        None,
                        host_key,
                        robots::MAX_ROBOTS_BYTES as u64,
                        None,
                        &mut None,
                    )
                    .await
                {
                    Attempt::Done(FetchStatus::Fetched(page)) => {
                        Rules::from_response(page.status, &page.body, &self.agent_token)
                    }
                    Attempt::Done(FetchStatus::Failed(f)) if f.kind == FailureKind::HttpStatus => {
                        let status = f
                            .reason
                            .split_whitespace()
                            .nth(1)
                            .and_then(|s| s.parse().ok())
                            .unwrap_or(500);
                        Rules::from_response(status, b"", &self.agent_token)
                    }
                    // A robots.txt too large to read is cut, not obeyed in part.
                    Attempt::Done(FetchStatus::Failed(f)) if f.kind == FailureKind::TooLarge => {
                        Rules::AllowAll
                    }
                    Attempt::Done(FetchStatus::Failed(f))
                        if matches!(f.kind, FailureKind::Blocked | FailureKind::BadUrl) =>
                    {
                        Rules::Refused(f)
                    }
                    Attempt::Done(FetchStatus::Failed(f)) | Attempt::Retry { failure: f, .. } => {
                        Rules::DisallowAll(format!("robots.txt unreachable ({f})"))
                    }
                    Attempt::Done(FetchStatus::NotModified) => Rules::AllowAll,
                };
                if let Some(delay) = rules.crawl_delay() {
                    self.politeness.set_min_interval(host_key, delay).await;
                }
                rules
            })
            .await
    }

    /// One request, under the global and per-host limits; with a `gate`,
    /// the body is read only once `permit` holds one of its permits.
    async fn attempt(
        &self,
        url: &Url,
        validators: Option<&Validators>,
        host_key: &str,
        max_bytes: u64,
        gate: Option<&Arc<Semaphore>>,
        permit: &mut Option<OwnedSemaphorePermit>,
    ) -> Attempt {
        let _global = self
            .global
            .acquire()
            .await
            .expect("global semaphore is never closed");
        let _host = self.politeness.acquire(host_key).await;

        let mut request = self.client.get(url.clone());
        if let Some(v) = validators {
            if let Some(etag) = &v.etag {
                request = request.header(IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &v.last_modified {
                request = request.header(IF_MODIFIED_SINCE, lm);
            }
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) => return retry_if_transient(classify(&e)),
        };
        let status = response.status();
        if status == StatusCode::NOT_MODIFIED {
            return Attempt::Done(FetchStatus::NotModified);
        }
        if !status.is_success() {
            let failure = Failure::new(
                FailureKind::HttpStatus,
                format!(
                    "HTTP {} {}",
                    status.as_u16(),
                    status.canonical_reason().unwrap_or("")
                )
                .trim_end()
                .to_string(),
            );
            if matches!(
                status,
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
            ) && let Some(after) = retry_after(response.headers())
            {
                let until = Instant::now() + after;
                self.politeness.defer(host_key, until).await;
                self.rate_limited
                    .lock()
                    .expect("rate limit map poisoned")
                    .insert(host_key.to_string(), until);
                if after > self.max_retry_after {
                    return Attempt::Done(FetchStatus::Failed(Failure::new(
                        FailureKind::RateLimited,
                        format!("{} with Retry-After {}s", failure.reason, after.as_secs()),
                    )));
                }
                return Attempt::Retry {
                    failure,
                    after: Some(after),
                };
            }
            return if matches!(status.as_u16(), 500 | 502 | 503 | 504) {
                Attempt::Retry {
                    failure,
                    after: None,
                }
            } else {
                Attempt::Done(FetchStatus::Failed(failure))
            };
        }

        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header(CONTENT_TYPE);
        let etag = header(ETAG);
        let last_modified = header(LAST_MODIFIED);
        // Content-Length counts compressed bytes; a compressed body is checked as it inflates.
        if let Some(len) = response.content_length()
            && len > max_bytes
            && response.headers().get("content-encoding").is_none()
        {
            return Attempt::Done(FetchStatus::Failed(too_large(max_bytes)));
        }
        let final_url = response.url().clone();
        if let Some(gate) = gate
            && permit.is_none()
        {
            *permit = Some(
                Arc::clone(gate)
                    .acquire_owned()
                    .await
                    .expect("the body gate is never closed"),
            );
        }

        let mut response = response;
        // Sized from Content-Length when given, so the body is not copied
        // and doubled as it grows.
        let expected = response.content_length().unwrap_or(0).min(max_bytes);
        let mut body = Vec::with_capacity(expected as usize);
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() as u64 + chunk.len() as u64 > max_bytes {
                        return Attempt::Done(FetchStatus::Failed(too_large(max_bytes)));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                // A body cut off mid-way is a transient network failure.
                Err(e) => return retry_if_transient(classify(&e)),
            }
        }
        Attempt::Done(FetchStatus::Fetched(Box::new(Page {
            requested_url: url.clone(),
            final_url,
            status: status.as_u16(),
            content_type,
            etag,
            last_modified,
            body,
            fetched: Utc::now(),
        })))
    }
}

/// `host:port`, the unit politeness and robots.txt apply to.
pub fn host_key(url: &Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or(""),
        url.port_or_known_default().unwrap_or(0)
    )
}

fn retry_if_transient(failure: Failure) -> Attempt {
    if failure.kind.is_transient() {
        Attempt::Retry {
            failure,
            after: None,
        }
    } else {
        Attempt::Done(FetchStatus::Failed(failure))
    }
}

/// `Retry-After` as seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let secs = (when.with_timezone(&Utc) - Utc::now()).num_seconds().max(0);
    Some(Duration::from_secs(secs as u64))
}

fn too_large(limit: u64) -> Failure {
    Failure::new(
        FailureKind::TooLarge,
        format!("body larger than {limit} bytes (crawl.max_body_bytes)"),
    )
}

fn classify(e: &reqwest::Error) -> Failure {
    // Our own guard errors are somewhere in the source chain.
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    let mut innermost = e.to_string();
    while let Some(s) = source {
        match s.downcast_ref::<guard::GuardError>() {
            Some(guard::GuardError::Blocked(why)) => {
                return Failure::new(FailureKind::Blocked, why.clone());
            }
            Some(guard::GuardError::Redirects(why)) => {
                return Failure::new(FailureKind::Redirects, why.clone());
            }
            None => {}
        }
        innermost = s.to_string();
        source = s.source();
    }
    if e.is_timeout() {
        return Failure::new(FailureKind::Timeout, "timed out");
    }
    if e.is_redirect() {
        return Failure::new(FailureKind::Redirects, innermost);
    }
    if e.is_connect() {
        return Failure::new(FailureKind::Network, format!("cannot connect: {innermost}"));
    }
    Failure::new(FailureKind::Network, innermost)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        let later = (Utc::now() + chrono::Duration::seconds(90)).to_rfc2822();
        h.insert(RETRY_AFTER, HeaderValue::from_str(&later).unwrap());
        let d = retry_after(&h).unwrap();
        assert!((85..=90).contains(&d.as_secs()), "{d:?}");
    }
}
