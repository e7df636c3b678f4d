//! HTTP fetching: one shared client, politeness, size caps, outcomes as data.
//!
//! Every fetch returns a [`FetchStatus`]: a page, "not modified", or a
//! [`Failure`] with a kind and a reason. Nothing here returns an error that
//! would stop a crawl; a dead server is a value to count and report.
//!
//! The body is read chunk by chunk so a size cap holds even when the server
//! sends no `Content-Length` or lies about it, and it applies to the
//! decompressed bytes, which is what a decompression bomb inflates.

pub mod politeness;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use reqwest::header::{
    CONTENT_LENGTH, CONTENT_TYPE, ETAG, HeaderMap, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    LAST_MODIFIED,
};
use tokio::sync::Semaphore;
use url::Url;

use crate::config::CrawlConfig;
use crate::model::{Failure, FailureKind, FetchStatus, Page};
use politeness::Politeness;

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
    max_body_bytes: u64,
}

impl Fetcher {
    pub fn new(config: &CrawlConfig) -> Result<Fetcher, reqwest::Error> {
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
            .redirect(reqwest::redirect::Policy::limited(config.max_redirects))
            .gzip(true)
            .brotli(true)
            .deflate(true)
            .build()?;
        Ok(Fetcher {
            client,
            global: Arc::new(Semaphore::new(config.concurrency.max(1))),
            politeness: Politeness::new(
                config.per_host_concurrency,
                Duration::from_millis(config.per_host_interval_ms),
            ),
            max_body_bytes: config.max_body_bytes,
        })
    }

    /// Fetches `url`, sending `validators` for a conditional GET.
    pub async fn fetch(&self, url: &Url, validators: Option<&Validators>) -> FetchStatus {
        if !matches!(url.scheme(), "http" | "https") {
            return FetchStatus::Failed(Failure::new(
                FailureKind::BadUrl,
                format!("only http and https are fetched, not {}", url.scheme()),
            ));
        }
        let host_key = format!(
            "{}:{}",
            url.host_str().unwrap_or(""),
            url.port_or_known_default().unwrap_or(0)
        );
        let _global = self
            .global
            .acquire()
            .await
            .expect("global semaphore is never closed");
        let _host = self.politeness.acquire(&host_key).await;

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
            Err(e) => return FetchStatus::Failed(classify(&e)),
        };
        let status = response.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return FetchStatus::NotModified;
        }
        if !status.is_success() {
            return FetchStatus::Failed(Failure::new(
                FailureKind::HttpStatus,
                format!(
                    "HTTP {} {}",
                    status.as_u16(),
                    status.canonical_reason().unwrap_or("")
                )
                .trim_end()
                .to_string(),
            ));
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
        let declared_len = header(CONTENT_LENGTH).and_then(|v| v.parse::<u64>().ok());
        // Content-Length counts compressed bytes; a compressed body is checked as it inflates.
        if let Some(len) = declared_len
            && len > self.max_body_bytes
            && response.headers().get("content-encoding").is_none()
        {
            return FetchStatus::Failed(too_large(self.max_body_bytes));
        }
        let final_url = response.url().clone();

        let mut response = response;
        let mut body = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if body.len() as u64 + chunk.len() as u64 > self.max_body_bytes {
                        return FetchStatus::Failed(too_large(self.max_body_bytes));
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return FetchStatus::Failed(classify(&e)),
            }
        }
        FetchStatus::Fetched(Box::new(Page {
            requested_url: url.clone(),
            final_url,
            status: status.as_u16(),
            content_type,
            etag,
            last_modified,
            body,
            fetched: Utc::now(),
        }))
    }
}

fn too_large(limit: u64) -> Failure {
    Failure::new(
        FailureKind::TooLarge,
        format!("body larger than {limit} bytes (crawl.max_body_bytes)"),
    )
}

fn classify(e: &reqwest::Error) -> Failure {
    if e.is_timeout() {
        return Failure::new(FailureKind::Timeout, "timed out");
    }
    if e.is_redirect() {
        return Failure::new(
            FailureKind::Network,
            "too many redirects or a redirect loop",
        );
    }
    // The innermost cause names the actual problem (refused, DNS, TLS).
    let mut reason = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        reason = s.to_string();
        source = s.source();
    }
    if e.is_connect() {
        return Failure::new(FailureKind::Network, format!("cannot connect: {reason}"));
    }
    Failure::new(FailureKind::Network, reason)
}
