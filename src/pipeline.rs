//! The crawl, wired end to end: catalog → feeds → articles → index.
//!
//! ```text
//!  feed tasks ──candidates──► article workers ──articles──► index thread
//!  (fetch, parse,            (fetch; archive, extract     (upsert, commit in
//!   skip known URLs)          and detect on one thread     batches, then mark
//!                             per core)                    URLs done in state)
//! ```
//!
//! Each arrow is a bounded channel, so a slow stage slows the one before it
//! instead of buffering without limit. Per-page CPU work (archive
//! compression, extraction, language detection, analysis) runs on a pool of
//! one thread per core ([`ExtractionPool`]), feed parsing on Tokio's
//! blocking pool; the index writer lives on its own thread. A URL is marked
//! done in the crawl state only after the index commit holding it
//! succeeded: kill the crawl at any point and the next run refetches
//! exactly what was not committed, and the index's upsert by canonical URL
//! keeps every article single.
//!
//! Failures of single feeds and pages are counted and reported in the
//! [`CrawlSummary`]; only problems that stop the whole run (unreadable index,
//! unwritable state) are errors.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::Utc;
use futures::StreamExt;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use tokio::sync::{Semaphore, mpsc};
use url::Url;

use crate::analyze::article::{Analyzer, PackLoadError};
use crate::analyze::lang::detect_language;
use crate::archive::{ArchiveError, ArchiveWriter, CompressedPair, FetchMeta};
use crate::config::Config;
use crate::extract::extract_page;
use crate::fetch::{Fetcher, Validators};
use crate::index::{ArticleIndex, IndexError, article_id};
use crate::model::{
    Candidate, Endpoint, Failure, FailureKind, FetchStatus, IndexedArticle, Source,
};
use crate::sources::canonical::{canonicalize, identity_key};
use crate::sources::feed::parse_feed;
use crate::sources::{Catalog, links, sitemap};
use crate::state::{
    CommittedContent, CommittedUrl, CrawlState, FeedRecord, PollOutcome, StateError, UrlStatus,
};
use crate::stories::StoryIndex;

/// Candidates waiting for an article worker.
const CANDIDATE_QUEUE: usize = 512;
/// Extracted articles waiting for the index thread.
const INDEX_QUEUE: usize = 128;
/// Fetched article bodies held per core, waiting for or in extraction:
/// enough that a core never waits for a page on loopback, few enough that
/// pages do not pile up (see [`ArticleStage::in_hand`]).
const PAGES_IN_HAND_PER_CORE: usize = 8;
/// Individual failures listed in the summary; the rest are only counted.
const MAX_LISTED_FAILURES: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error("cannot create the data folder {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Fetcher(#[from] crate::fetch::FetcherError),
    #[error("no source matches {0:?}")]
    NoSuchSource(Vec<String>),
    #[error("the index thread stopped unexpectedly")]
    IndexThread,
    #[error("cannot start the extraction threads: {0}")]
    Threads(String),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Packs(#[from] PackLoadError),
}

/// What to crawl and how to show it.
#[derive(Debug, Clone, Default)]
pub struct CrawlOptions {
    /// Only these source ids (all enabled sources when empty).
    pub sources: Vec<String>,
    /// Draw progress bars on stderr.
    pub progress: bool,
    /// Set to stop early: no new requests start, pages in flight finish, and
    /// everything extracted so far is committed.
    pub stop: Arc<AtomicBool>,
    /// Poll only endpoints whose next poll time has come (the daemon).
    pub due_only: bool,
}

/// One failure in the crawl report.
#[derive(Debug, Clone, Serialize)]
pub struct FailureReport {
    pub source: String,
    /// `feed` or `article`.
    pub stage: &'static str,
    pub url: String,
    pub kind: FailureKind,
    pub reason: String,
}

/// Counts of what a crawl did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CrawlSummary {
    pub sources: usize,
    pub feeds_polled: usize,
    pub feeds_ok: usize,
    pub feeds_not_modified: usize,
    pub feeds_failed: usize,
    /// Feeds paused after repeated failures (the daemon skips them until
    /// the pause ends; `kabar crawl` polls them anyway).
    pub feeds_paused: usize,
    /// Items listed by the feeds (after canonicalization, per feed).
    pub items_seen: usize,
    /// Items skipped because they are already indexed (or given up on).
    pub items_known: usize,
    pub articles_fetched: usize,
    pub articles_indexed: usize,
    /// Pages linked to an article already indexed instead of indexed again:
    /// the same canonical URL, or the same body under another URL
    /// (syndicated copies).
    pub duplicates: usize,
    pub failures_by_kind: BTreeMap<FailureKind, usize>,
    pub failures: Vec<FailureReport>,
    /// True when the crawl was stopped early (Ctrl-C, SIGTERM).
    pub interrupted: bool,
    /// Feeds and articles not attempted because of the stop; the next crawl
    /// picks them up.
    pub left_for_next_run: usize,
    pub elapsed_secs: f64,
}

impl CrawlSummary {
    fn fail(&mut self, report: FailureReport) {
        *self.failures_by_kind.entry(report.kind).or_default() += 1;
        if self.failures.len() < MAX_LISTED_FAILURES {
            self.failures.push(report);
        }
    }
}

/// Messages to the index thread.
enum IndexMsg {
    Article {
        candidate: Candidate,
        article: Box<IndexedArticle>,
        /// [`content_key`] of the body, computed by the worker so the one
        /// index thread does not.
        content: Option<String>,
    },
    Failed {
        candidate: Candidate,
        failure: Failure,
    },
    /// Not attempted because the crawl is stopping.
    Skipped,
}

/// Runs one crawl of the catalog's enabled sources.
pub async fn crawl(
    config: &Config,
    catalog: &Catalog,
    options: &CrawlOptions,
) -> Result<CrawlSummary, PipelineError> {
    let started = Instant::now();
    let sources: Vec<Source> = catalog
        .enabled()
        .filter(|s| options.sources.is_empty() || options.sources.contains(&s.id))
        .cloned()
        .collect();
    if sources.is_empty() && !options.sources.is_empty() {
        return Err(PipelineError::NoSuchSource(options.sources.clone()));
    }

    // Packs first: a broken pack stops the crawl before anything is fetched,
    // rather than indexing articles with no topics.
    let analyzer = Arc::new(Analyzer::load(&config.topics_dir)?);
    std::fs::create_dir_all(&config.data_dir).map_err(|source| PipelineError::DataDir {
        path: config.data_dir.display().to_string(),
        source,
    })?;
    let index = ArticleIndex::open_or_create(&config.tantivy_dir())?;
    let writer = index.writer()?;
    let stories = StoryGrouper::seed(&index, Utc::now())?;
    let state = Arc::new(Mutex::new(CrawlState::open(&config.state_path())?));
    let fetcher = Arc::new(Fetcher::new(&config.crawl)?);
    let archive: Option<SharedArchive> = if config.archive.enabled {
        Some(Arc::new(Mutex::new(ArchiveWriter::open(
            &config.archive_dir(),
            config.archive.max_file_bytes,
        )?)))
    } else {
        None
    };
    let bounds = config.crawl.schedule_bounds();
    let summary = Arc::new(Mutex::new(CrawlSummary {
        sources: sources.len(),
        ..Default::default()
    }));

    // Which endpoints to poll now. The daemon polls only what is due and
    // leaves paused (dead) feeds alone until their pause ends; a crawl run by
    // hand polls everything, so a fixed feed or config shows at once.
    let now = Utc::now();
    let mut endpoints: Vec<(String, Endpoint)> = Vec::new();
    {
        let state = state.lock().expect("state lock");
        let mut summary = summary.lock().expect("summary lock");
        for source in &sources {
            for endpoint in source.endpoints() {
                let schedule = state.schedule(endpoint.url().as_str())?;
                let paused = schedule
                    .as_ref()
                    .and_then(|s| s.paused_until)
                    .is_some_and(|t| t > now);
                let not_due = options.due_only
                    && schedule
                        .as_ref()
                        .and_then(|s| s.next_poll)
                        .is_some_and(|t| t > now);
                if paused {
                    summary.feeds_paused += 1;
                }
                if !(options.due_only && (paused || not_due)) {
                    endpoints.push((source.id.clone(), endpoint));
                }
            }
        }
    }

    // Progress bars (hidden unless asked for and stderr is a terminal).
    let bars = MultiProgress::with_draw_target(if options.progress {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    });
    let style = ProgressStyle::with_template("{prefix:>9} [{bar:30}] {pos}/{len} {msg}")
        .expect("static template")
        .progress_chars("=> ");
    let feed_bar = bars.add(ProgressBar::new(endpoints.len() as u64).with_style(style.clone()));
    feed_bar.set_prefix("feeds");
    let article_bar = bars.add(ProgressBar::new(0).with_style(style));
    article_bar.set_prefix("articles");

    // Stage 3: the index thread, built first so the stages before it can
    // be handed its queue.
    let (index_tx, index_rx) = mpsc::channel::<IndexMsg>(INDEX_QUEUE);
    let index_thread = {
        let state = Arc::clone(&state);
        let summary = Arc::clone(&summary);
        let commit_every = config.crawl.commit_every;
        let archive = archive.clone();
        tokio::task::spawn_blocking(move || {
            run_indexer(
                writer,
                index_rx,
                &state,
                &summary,
                archive.as_ref(),
                commit_every,
                stories,
            )
        })
    };

    // Stage 2: article workers.
    let (cand_tx, cand_rx) = mpsc::channel::<Candidate>(CANDIDATE_QUEUE);
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let article_stage = {
        let stage = Arc::new(ArticleStage {
            fetcher: Arc::clone(&fetcher),
            cpu: ExtractionPool::new(cores)?,
            in_hand: Arc::new(Semaphore::new(cores * PAGES_IN_HAND_PER_CORE)),
            sources: sources.iter().map(|s| (s.id.clone(), s.clone())).collect(),
            archive: archive.clone(),
            min_text_chars: config.crawl.min_text_chars,
            summary: Arc::clone(&summary),
            analyzer: Arc::clone(&analyzer),
        });
        let article_bar = article_bar.clone();
        let concurrency = config.crawl.concurrency.max(1);
        let stop = Arc::clone(&options.stop);
        tokio::spawn(async move {
            tokio_stream_from(cand_rx)
                .map(|candidate| {
                    let stage = Arc::clone(&stage);
                    let stop = Arc::clone(&stop);
                    async move {
                        if stop.load(Ordering::Relaxed) {
                            return IndexMsg::Skipped;
                        }
                        process_article(&stage, candidate).await
                    }
                })
                .buffer_unordered(concurrency)
                .for_each(|msg| {
                    let index_tx = index_tx.clone();
                    let article_bar = article_bar.clone();
                    async move {
                        article_bar.inc(1);
                        // The index thread only stops early on a fatal error,
                        // which the join below reports.
                        let _ = index_tx.send(msg).await;
                    }
                })
                .await;
        })
    };

    // Stage 1: discovery, every endpoint concurrently; the fetcher enforces
    // the limits.
    let seen_this_run = Arc::new(Mutex::new(HashSet::<String>::new()));
    let max_items = config.crawl.max_items_per_feed;
    let mut feed_tasks = Vec::new();
    for (source_id, endpoint) in endpoints {
        let fetcher = Arc::clone(&fetcher);
        let state = Arc::clone(&state);
        let summary = Arc::clone(&summary);
        let seen = Arc::clone(&seen_this_run);
        let cand_tx = cand_tx.clone();
        let feed_bar = feed_bar.clone();
        let article_bar = article_bar.clone();
        let stop = Arc::clone(&options.stop);
        let archive = archive.clone();
        feed_tasks.push(tokio::spawn(async move {
            if stop.load(Ordering::Relaxed) {
                summary.lock().expect("summary lock").left_for_next_run += 1;
                feed_bar.inc(1);
                return;
            }
            let endpoint_url = endpoint.url().clone();
            let polled = poll_endpoint(
                &fetcher,
                &state,
                archive.as_ref(),
                &source_id,
                &endpoint,
                max_items,
            )
            .await;
            feed_bar.inc(1);
            let now = Utc::now();
            let (candidates, outcome) = match polled {
                Ok(Polled::NotModified) => {
                    summary.lock().expect("summary lock").feeds_not_modified += 1;
                    let outcome = PollOutcome::Ok {
                        validators: None,
                        new_items: 0,
                        typical_gap: None,
                    };
                    (Vec::new(), outcome)
                }
                Ok(Polled::Items { items, validators }) => {
                    let typical_gap = typical_gap(&items);
                    let fresh = select_fresh(items, max_items, &state, &seen, &summary);
                    let outcome = PollOutcome::Ok {
                        validators,
                        new_items: fresh.len(),
                        typical_gap,
                    };
                    (fresh, outcome)
                }
                Err(failure) => {
                    tracing::info!("{endpoint_url} of {source_id} failed: {failure}");
                    let mut s = summary.lock().expect("summary lock");
                    s.feeds_failed += 1;
                    s.fail(FailureReport {
                        source: source_id.clone(),
                        stage: "feed",
                        url: endpoint_url.to_string(),
                        kind: failure.kind,
                        reason: failure.reason.clone(),
                    });
                    let outcome = PollOutcome::Failed {
                        kind: failure.kind,
                        reason: failure.reason,
                    };
                    (Vec::new(), outcome)
                }
            };
            {
                let mut s = summary.lock().expect("summary lock");
                s.feeds_polled += 1;
                if matches!(outcome, PollOutcome::Ok { .. }) {
                    s.feeds_ok += 1;
                }
            }
            if let Err(e) = state.lock().expect("state lock").record_poll(
                endpoint_url.as_str(),
                &source_id,
                &outcome,
                bounds,
                now,
            ) {
                tracing::warn!("cannot record poll of {endpoint_url}: {e}");
            }

            article_bar.inc_length(candidates.len() as u64);
            let num_fresh = candidates.len();
            for (i, c) in candidates.into_iter().enumerate() {
                if stop.load(Ordering::Relaxed) || cand_tx.send(c).await.is_err() {
                    summary.lock().expect("summary lock").left_for_next_run += num_fresh - i;
                    break;
                }
            }
        }));
    }
    drop(cand_tx);
    for task in feed_tasks {
        let _ = task.await;
    }
    let _ = article_stage.await;
    let indexed = index_thread.await.map_err(|_| PipelineError::IndexThread)?;
    indexed?;
    feed_bar.finish_and_clear();
    article_bar.finish_and_clear();

    let mut summary = Arc::try_unwrap(summary)
        .map(|m| m.into_inner().expect("summary lock"))
        .unwrap_or_else(|arc| arc.lock().expect("summary lock").clone());
    summary.interrupted = options.stop.load(Ordering::Relaxed);
    summary.elapsed_secs = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
    Ok(summary)
}

/// Adapts a Tokio receiver into a stream.
fn tokio_stream_from<T: Send + 'static>(
    mut rx: mpsc::Receiver<T>,
) -> impl futures::Stream<Item = T> {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

/// What polling one endpoint produced.
enum Polled {
    NotModified,
    Items {
        items: Vec<Candidate>,
        validators: Option<FeedRecord>,
    },
}

/// Child sitemaps read from one sitemap index per poll; the newest first.
const MAX_CHILD_SITEMAPS: usize = 3;

/// Fetches one endpoint and turns it into candidates.
async fn poll_endpoint(
    fetcher: &Fetcher,
    state: &Mutex<CrawlState>,
    archive: Option<&SharedArchive>,
    source_id: &str,
    endpoint: &Endpoint,
    max_items: usize,
) -> Result<Polled, Failure> {
    let url = endpoint.url();
    let saved = state
        .lock()
        .expect("state lock")
        .feed(url.as_str())
        .unwrap_or_default();
    let validators = Validators {
        etag: saved.etag,
        last_modified: saved.last_modified,
    };
    let page = match fetcher.fetch(url, Some(&validators)).await {
        FetchStatus::NotModified => return Ok(Polled::NotModified),
        FetchStatus::Failed(f) => return Err(f),
        FetchStatus::Fetched(page) => *page,
    };
    let record = FeedRecord {
        etag: page.etag.clone(),
        last_modified: page.last_modified.clone(),
    };
    let sid = source_id.to_string();
    if let Some(archive) = archive {
        let kind = match endpoint {
            Endpoint::Feed(_) => "feed",
            Endpoint::Sitemap(_) => "sitemap",
            Endpoint::Section(_) => "section",
            Endpoint::Homepage(_) => "homepage",
        };
        let meta = FetchMeta {
            kind: kind.to_string(),
            source: sid.clone(),
            requested_url: url.to_string(),
            ..Default::default()
        };
        let (archive, copy) = (Arc::clone(archive), page.clone());
        blocking(move || store(&archive, &copy, &meta)).await?;
    }
    let items = match endpoint {
        Endpoint::Feed(_) => {
            let url = url.clone();
            blocking(move || parse_feed(&page.body, page.content_type.as_deref(), &url, &sid))
                .await?
        }
        Endpoint::Section(section) => {
            let pattern = regex::Regex::new(&section.pattern).map_err(|e| {
                Failure::new(FailureKind::BadUrl, format!("bad section pattern: {e}"))
            })?;
            let url = url.clone();
            blocking(move || {
                Ok(links::section_links(
                    &page.body,
                    page.content_type.as_deref(),
                    &page.final_url,
                    &pattern,
                    &url,
                    &sid,
                ))
            })
            .await?
        }
        Endpoint::Sitemap(_) => {
            let base = page.final_url.clone();
            let top = blocking(move || sitemap::parse_sitemap(&page.body, &base)).await?;
            let mut items = sitemap::candidates(&top, url, source_id);
            // A sitemap index: read its newest children (not recursively:
            // an index of indexes is rare and unbounded).
            for child in top.children.iter().take(MAX_CHILD_SITEMAPS) {
                if items.len() >= max_items {
                    break;
                }
                match fetcher.fetch(child, None).await {
                    FetchStatus::Fetched(page) => {
                        let base = page.final_url.clone();
                        let parsed =
                            blocking(move || sitemap::parse_sitemap(&page.body, &base)).await;
                        match parsed {
                            Ok(map) => items.extend(sitemap::candidates(&map, url, source_id)),
                            Err(f) => tracing::info!("child sitemap {child} failed: {f}"),
                        }
                    }
                    FetchStatus::Failed(f) => tracing::info!("child sitemap {child} failed: {f}"),
                    FetchStatus::NotModified => {}
                }
            }
            items
        }
        Endpoint::Homepage(_) => {
            let feeds = links::autodiscover_feeds(
                &page.body,
                page.content_type.as_deref(),
                &page.final_url,
            );
            if feeds.is_empty() {
                return Err(Failure::new(
                    FailureKind::NotAFeed,
                    "the homepage announces no feed (<link rel=\"alternate\">)",
                ));
            }
            let mut items = Vec::new();
            let mut last_failure = None;
            for feed in feeds.iter().take(MAX_CHILD_SITEMAPS) {
                match fetcher.fetch(feed, None).await {
                    FetchStatus::Fetched(page) => {
                        let (feed, sid) = (feed.clone(), sid.clone());
                        match blocking(move || {
                            parse_feed(&page.body, page.content_type.as_deref(), &feed, &sid)
                        })
                        .await
                        {
                            Ok(found) => items.extend(found),
                            Err(f) => last_failure = Some(f),
                        }
                    }
                    FetchStatus::Failed(f) => last_failure = Some(f),
                    FetchStatus::NotModified => {}
                }
            }
            if items.is_empty()
                && let Some(f) = last_failure
            {
                return Err(f);
            }
            // Validators belong to the homepage, which changes on every
            // visit; conditional GET gains nothing there.
            return Ok(Polled::Items {
                items,
                validators: None,
            });
        }
    };
    Ok(Polled::Items {
        items,
        validators: Some(record),
    })
}

/// Runs CPU work (parsing) on the blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| {
        Err(Failure::new(
            FailureKind::MalformedFeed,
            format!("parser panicked: {e}"),
        ))
    })
}

/// The items worth fetching: the first `max_items`, not already listed in
/// this run by another endpoint, not already done or given up on.
fn select_fresh(
    items: Vec<Candidate>,
    max_items: usize,
    state: &Mutex<CrawlState>,
    seen: &Mutex<HashSet<String>>,
    summary: &Mutex<CrawlSummary>,
) -> Vec<Candidate> {
    let state = state.lock().expect("state lock");
    let mut seen = seen.lock().expect("seen lock");
    let mut summary = summary.lock().expect("summary lock");
    let mut fresh = Vec::new();
    for c in items.into_iter().take(max_items) {
        summary.items_seen += 1;
        let key = identity_key(&c.url);
        if !seen.insert(key.clone()) {
            continue; // listed by another endpoint of this run
        }
        match state.url_status(&key) {
            Ok(UrlStatus::Pending) => fresh.push(c),
            Ok(_) => summary.items_known += 1,
            Err(e) => {
                tracing::warn!("crawl state lookup failed for {}: {e}", c.url);
                fresh.push(c);
            }
        }
    }
    fresh
}

/// The typical time between a feed's items, when at least three are dated:
/// the span of their dates over the number of gaps.
fn typical_gap(items: &[Candidate]) -> Option<chrono::Duration> {
    let mut dates: Vec<_> = items.iter().filter_map(|c| c.published_hint).collect();
    if dates.len() < 3 {
        return None;
    }
    dates.sort();
    let span = *dates.last()? - *dates.first()?;
    Some(span / (dates.len() as i32 - 1))
}

/// What every article worker shares.
struct ArticleStage {
    fetcher: Arc<Fetcher>,
    /// The threads that archive, extract and analyse pages, one per core.
    /// More would only queue on the CPU while holding parsed pages in
    /// memory and starving the async workers that keep fetches within
    /// their timeouts. See [`ExtractionPool`] for why these are fixed
    /// threads.
    cpu: ExtractionPool,
    /// Article bodies held at once, from the read of the body to the end
    /// of extraction ([`PAGES_IN_HAND_PER_CORE`] per core). Requests beyond
    /// it stay in flight with their bodies unread; without the bound every
    /// one of the crawl's concurrent requests held a whole page (and its
    /// connection's grown read buffer) while it waited for a core.
    in_hand: Arc<Semaphore>,
    sources: BTreeMap<String, Source>,
    archive: Option<SharedArchive>,
    min_text_chars: usize,
    summary: Arc<Mutex<CrawlSummary>>,
    analyzer: Arc<Analyzer>,
}

/// A fixed set of threads for the crawl's per-page CPU work, fed in the
/// order pages arrive.
///
/// Tokio's blocking pool, which ran this work before behind a semaphore of
/// one permit per core plus one, hands each task to whichever of its idle
/// threads wakes, so over a crawl all 16 of its threads
/// ([`crate::commands::MAX_BLOCKING_THREADS`]) took turns. Each kept its own
/// scratch (the deflate state, the topic normaliser's buffers) and its own
/// allocator cache, and met the next page with cold caches; and a permit
/// went back through an async task before the next page could start, a gap
/// the spare permit was there to fill. A rayon pool of one thread per core
/// keeps the threads few and warm, and a thread that finishes a page takes
/// the next queued one at once. On the crawl benchmark (7 alternating
/// rounds) it peaked 15–20 MiB lower and indexed about 11 % more articles
/// per second than the semaphore; a spare thread here was slower, not faster.
struct ExtractionPool(rayon::ThreadPool);

impl ExtractionPool {
    fn new(threads: usize) -> Result<Self, PipelineError> {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .thread_name(|i| format!("kabar-extract-{i}"))
            .build()
            .map(ExtractionPool)
            .map_err(|e| PipelineError::Threads(e.to_string()))
    }

    /// Runs `work` on the pool after the pages queued before it; a panic
    /// comes back as its message, and the thread goes on to the next page.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, String> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.0.spawn_fifo(move || {
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
            // The receiver is gone only when the crawl was dropped mid-page.
            let _ = tx.send(result.map_err(|payload| panic_message(payload.as_ref())));
        });
        rx.await
            .unwrap_or_else(|_| Err("extraction thread stopped".to_string()))
    }
}

/// The text a panic was raised with, where it has one.
fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string())
}

/// Fetches, extracts and analyses one candidate.
async fn process_article(stage: &Arc<ArticleStage>, candidate: Candidate) -> IndexMsg {
    // The permit bounds the pages held between fetch and the end of
    // extraction; it is released when this function returns.
    let (status, _in_hand) = stage
        .fetcher
        .fetch_gated(&candidate.url, &stage.in_hand)
        .await;
    let page = match status {
        FetchStatus::Fetched(page) => *page,
        FetchStatus::NotModified => {
            return IndexMsg::Failed {
                candidate,
                failure: Failure::new(FailureKind::HttpStatus, "unexpected 304 without validators"),
            };
        }
        FetchStatus::Failed(failure) => return IndexMsg::Failed { candidate, failure },
    };
    stage.summary.lock().expect("summary lock").articles_fetched += 1;

    let source = stage.sources.get(&candidate.source_id).cloned();
    let langs = source
        .as_ref()
        .map(|s| s.languages.clone())
        .unwrap_or_default();
    let cand = candidate.clone();
    let worker = Arc::clone(stage);
    let result = stage
        .cpu
        .run(move || {
            let warc_id = match &worker.archive {
                Some(archive) => Some(store(archive, &page, &article_meta(&cand, &page))?),
                None => None,
            };
            let mut article = build_article(
                &cand,
                &page,
                source.as_ref(),
                &langs,
                worker.min_text_chars,
                &worker.analyzer,
            )?;
            article.warc_id = warc_id;
            let content = content_key(&article.body);
            Ok((article, content))
        })
        .await
        .unwrap_or_else(|panic| {
            Err(Failure::new(
                FailureKind::NoArticle,
                format!("extractor panicked: {panic}"),
            ))
        });
    match result {
        Ok((article, content)) => IndexMsg::Article {
            candidate,
            article: Box::new(article),
            content,
        },
        Err(failure) => IndexMsg::Failed { candidate, failure },
    }
}

/// Turns a fetched page into the document the index stores.
fn build_article(
    candidate: &Candidate,
    page: &crate::model::Page,
    source: Option<&Source>,
    expected_langs: &[String],
    min_text_chars: usize,
    analyzer: &Analyzer,
) -> Result<IndexedArticle, Failure> {
    let extracted = extract_page(
        &page.body,
        page.content_type.as_deref(),
        Some(&page.final_url),
        page.fetched,
    );
    let num_chars = extracted.text.chars().count();
    if !extracted.status.is_article() {
        return Err(Failure::new(
            FailureKind::NoArticle,
            extracted.status.reason(),
        ));
    }
    if num_chars < min_text_chars {
        return Err(Failure::new(
            FailureKind::NoArticle,
            format!(
                "only {num_chars} characters of main text (crawl.min_text_chars is {min_text_chars})"
            ),
        ));
    }
    let title = if extracted.title.is_empty() {
        candidate.title_hint.clone().unwrap_or_default()
    } else {
        extracted.title
    };
    // Burmese typed in Zawgyi becomes Unicode before anything reads it;
    // other text is moved, not copied.
    let title = unicode_owned(title);
    let body = unicode_owned(extracted.text);
    let sample = format!("{title}\n{body}");
    let lang = detect_language(&sample, extracted.lang_declared.as_deref(), expected_langs);
    let url = canonical_for(&extracted.canonical_url, &page.final_url, source);
    let authors = if extracted.authors.is_empty() {
        candidate.authors_hint.clone()
    } else {
        extracted.authors
    };
    let weight = source.map_or(crate::sources::catalog::DEFAULT_SOURCE_WEIGHT, |s| s.weight);
    let analysis = analyzer.analyze(&title, &body, &lang.lang, weight);
    Ok(IndexedArticle {
        id: article_id(&identity_key(&url)),
        url: url.to_string(),
        source: candidate.source_id.clone(),
        country: source.map(|s| s.country.clone()).unwrap_or_default(),
        region: source.map(|s| s.region.to_string()).unwrap_or_default(),
        lang: lang.lang,
        title,
        body,
        published: extracted.published.or(candidate.published_hint),
        fetched: page.fetched,
        authors,
        warc_id: None,
        simhash: crate::stories::signature(&sample),
        story: String::new(),
        topics: analysis.topics,
        sentiment: analysis.sentiment,
        risk: analysis.risk,
        evidence: analysis.evidence,
    })
}

/// `text` with Zawgyi converted to Unicode, without a copy when it is not
/// Zawgyi.
fn unicode_owned(text: String) -> String {
    match crate::analyze::zawgyi::to_unicode(&text) {
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(converted) => converted,
    }
}

/// The archive, shared by the stages that fetch and the one that commits.
type SharedArchive = Arc<Mutex<ArchiveWriter>>;

/// Writes a response to the archive; a failure (disk full) fails this page
/// only, with a reason, and it is fetched again next time. Compression runs
/// before the lock, so workers wait on each other only for the append.
fn store(
    archive: &SharedArchive,
    page: &crate::model::Page,
    meta: &FetchMeta,
) -> Result<String, Failure> {
    let pair = CompressedPair::new(page, meta);
    archive
        .lock()
        .expect("archive lock")
        .append_pair(pair)
        .map_err(|e| Failure::new(FailureKind::Storage, e.to_string()))
}

fn article_meta(candidate: &Candidate, page: &crate::model::Page) -> FetchMeta {
    FetchMeta {
        kind: "article".into(),
        source: candidate.source_id.clone(),
        requested_url: page.requested_url.to_string(),
        feed_url: Some(candidate.feed_url.to_string()),
        title_hint: candidate.title_hint.clone(),
        published_hint: candidate.published_hint,
        authors_hint: candidate.authors_hint.clone(),
    }
}

/// The page's canonical URL when it is believable, else the URL that
/// answered. Some sites point every page's canonical at the homepage; that
/// would fold all their articles into one.
fn canonical_for(declared: &Option<Url>, final_url: &Url, source: Option<&Source>) -> Url {
    let fallback = canonicalize(final_url);
    let Some(c) = declared else {
        return fallback;
    };
    let c = canonicalize(c);
    let is_root = c.path() == "/" || c.path().is_empty();
    let is_homepage = source.is_some_and(|s| canonicalize(&s.homepage) == c);
    if is_root || is_homepage { fallback } else { c }
}

/// What `kabar reindex` did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReindexSummary {
    pub archive_files: usize,
    /// Article responses read from the archive.
    pub responses: usize,
    pub articles_indexed: usize,
    /// Responses that were copies (same canonical URL refetched, or the same
    /// body under another URL) of an article already rebuilt.
    pub duplicates: usize,
    pub failures_by_kind: BTreeMap<FailureKind, usize>,
    pub elapsed_secs: f64,
}

/// Rebuilds the index from the archive, fetching nothing: every archived
/// article response goes through today's extraction and analysis again.
/// The new index is built beside the old one and swapped in at the end, so
/// a failure leaves the old index untouched; the old index's writer lock is
/// held throughout, so no crawl can write to it meanwhile.
pub fn reindex(config: &Config, catalog: &Catalog) -> Result<ReindexSummary, PipelineError> {
    let started = Instant::now();
    let analyzer = Analyzer::load(&config.topics_dir)?;
    let live_dir = config.tantivy_dir();
    // Hold the old index's writer lock so no crawl writes to it meanwhile.
    // An index of an older schema cannot be opened (nor crawled into), and
    // rebuilding it is exactly what reindex is for.
    let old = match ArticleIndex::open_or_create(&live_dir) {
        Ok(old) => Some(old),
        Err(IndexError::SchemaVersion { .. }) => None,
        Err(e) => return Err(e.into()),
    };
    let _lock = old.as_ref().map(ArticleIndex::writer).transpose()?;
    let new_dir = config.data_dir.join("tantivy.reindex");
    if new_dir.exists() {
        std::fs::remove_dir_all(&new_dir).map_err(|source| PipelineError::DataDir {
            path: new_dir.display().to_string(),
            source,
        })?;
    }
    let fresh = ArticleIndex::open_or_create(&new_dir)?;
    let mut writer = fresh.writer()?;
    let sources: BTreeMap<&str, &Source> =
        catalog.sources.iter().map(|s| (s.id.as_str(), s)).collect();
    let files = crate::archive::archive_files(&config.archive_dir())?;
    let mut summary = ReindexSummary {
        archive_files: files.len(),
        ..Default::default()
    };
    // Later fetches of one article replace earlier ones: remember each id's
    // body key so a refetch is not mistaken for a copy of itself.
    let mut contents: HashMap<String, String> = HashMap::new();
    let mut ids: HashSet<String> = HashSet::new();
    let mut stories = StoryGrouper::empty();
    for file in &files {
        for fetch in crate::archive::read_fetches(file)? {
            if fetch.meta.kind != "article" {
                continue;
            }
            summary.responses += 1;
            let Ok(requested) = Url::parse(&fetch.meta.requested_url) else {
                continue;
            };
            let candidate = Candidate {
                source_id: fetch.meta.source.clone(),
                url: canonicalize(&requested),
                feed_url: fetch
                    .meta
                    .feed_url
                    .as_deref()
                    .and_then(|u| Url::parse(u).ok())
                    .unwrap_or_else(|| requested.clone()),
                title_hint: fetch.meta.title_hint.clone(),
                published_hint: fetch.meta.published_hint,
                authors_hint: fetch.meta.authors_hint.clone(),
            };
            let source = sources.get(fetch.meta.source.as_str()).copied();
            let langs = source.map(|s| s.languages.clone()).unwrap_or_default();
            match build_article(
                &candidate,
                &fetch.page,
                source,
                &langs,
                config.crawl.min_text_chars,
                &analyzer,
            ) {
                Ok(mut article) => {
                    article.warc_id = Some(fetch.record_id.clone());
                    if let Some(key) = content_key(&article.body) {
                        match contents.get(&key) {
                            Some(owner) if owner != &article.id => {
                                summary.duplicates += 1;
                                continue;
                            }
                            _ => {
                                contents.insert(key, article.id.clone());
                            }
                        }
                    }
                    if !ids.insert(article.id.clone()) {
                        summary.duplicates += 1;
                    } else {
                        summary.articles_indexed += 1;
                    }
                    stories.assign(&mut article);
                    writer.upsert(&article)?;
                }
                Err(failure) => *summary.failures_by_kind.entry(failure.kind).or_default() += 1,
            }
        }
    }
    writer.finish()?;
    drop(fresh);
    // Swap: the old index moves aside, the new one takes its place.
    let aside = config.data_dir.join("tantivy.old");
    let io = |path: &std::path::Path| {
        let path = path.display().to_string();
        move |source| PipelineError::DataDir { path, source }
    };
    if aside.exists() {
        std::fs::remove_dir_all(&aside).map_err(io(&aside))?;
    }
    std::fs::rename(&live_dir, &aside).map_err(io(&live_dir))?;
    std::fs::rename(&new_dir, &live_dir).map_err(io(&new_dir))?;
    drop(_lock);
    std::fs::remove_dir_all(&aside).map_err(io(&aside))?;
    summary.elapsed_secs = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
    Ok(summary)
}

/// Groups articles into stories across runs: a [`StoryIndex`] seeded with
/// the index's recent articles, so a copy crawled today joins the story of
/// an original indexed last week. Seeded articles keep the story id stored
/// with them, so ids stay stable however the seeding order groups them.
pub struct StoryGrouper {
    index: StoryIndex,
    /// Story position → the story id stored on its seeded articles.
    stored: HashMap<usize, String>,
}

impl StoryGrouper {
    /// An empty grouper (for `kabar reindex`, which replays every article).
    pub fn empty() -> Self {
        StoryGrouper {
            index: StoryIndex::default(),
            stored: HashMap::new(),
        }
    }

    /// A grouper that knows the articles of `index` dated within two story
    /// windows of `now` (a new article may be dated up to a window before
    /// now, and its original a window before that).
    pub fn seed(index: &ArticleIndex, now: chrono::DateTime<Utc>) -> Result<Self, IndexError> {
        let mut grouper = StoryGrouper::empty();
        let since = now - grouper.index.window() * 2;
        for r in index.story_records(since)? {
            let a = grouper.index.add(&r.id, &r.source, r.date, r.simhash);
            if !r.story.is_empty() {
                grouper.stored.entry(a.story).or_insert(r.story);
            }
        }
        Ok(grouper)
    }

    /// Sets `article.story` (its `simhash` must be set).
    pub fn assign(&mut self, article: &mut IndexedArticle) {
        let date = article.published.unwrap_or(article.fetched);
        let a = self
            .index
            .add(&article.id, &article.source, date, article.simhash);
        article.story = match self.stored.get(&a.story) {
            Some(id) => id.clone(),
            None => self.index.stories()[a.story].id.clone(),
        };
    }
}

/// Bodies shorter than this are not de-duplicated by content: short texts
/// ("subscribe to read", a video caption) collide without being copies.
const MIN_CONTENT_KEY_CHARS: usize = 200;

/// A key for "the same text": a hash of the body's letters and digits,
/// lowercased, so whitespace, punctuation and markup differences between a
/// wire story and its syndicated copy do not matter.
pub fn content_key(body: &str) -> Option<String> {
    // One pass with the BMP table and an ASCII fast path by the byte: this
    // runs on every article, and the Unicode-table searches of
    // `is_alphanumeric` and `to_lowercase` showed in profiles. The
    // normalised text is hashed as it is made, through a small buffer,
    // instead of being collected into a copy of the body first. The key is
    // the same as before.
    let mut hash = ChunkedSha256::default();
    let mut num_chars = 0;
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            i += 1;
            if b.is_ascii_alphanumeric() {
                hash.byte(b.to_ascii_lowercase());
                num_chars += 1;
            }
            continue;
        }
        let c = body[i..].chars().next().expect("a character starts here");
        i += c.len_utf8();
        if !crate::chars::is_alphanumeric(c) {
            continue;
        }
        if !crate::chars::lowercase_changes(c) {
            // Thai, Han, kana and lowercase letters: no case table search.
            hash.char(c);
            num_chars += 1;
        } else {
            for lower in c.to_lowercase() {
                hash.char(lower);
                num_chars += 1;
            }
        }
    }
    (num_chars >= MIN_CONTENT_KEY_CHARS).then(|| hash.finish())
}

/// SHA-256 fed through a small buffer, so a text can be hashed a byte or
/// a character at a time without a call into the hasher for each.
struct ChunkedSha256 {
    hasher: sha2::Sha256,
    chunk: [u8; 256],
    used: usize,
}

impl Default for ChunkedSha256 {
    fn default() -> Self {
        use sha2::Digest;
        ChunkedSha256 {
            hasher: sha2::Sha256::new(),
            chunk: [0; 256],
            used: 0,
        }
    }
}

impl ChunkedSha256 {
    fn byte(&mut self, b: u8) {
        if self.used == self.chunk.len() {
            self.flush();
        }
        self.chunk[self.used] = b;
        self.used += 1;
    }

    fn char(&mut self, c: char) {
        if self.used + 4 > self.chunk.len() {
            self.flush();
        }
        self.used += c.encode_utf8(&mut self.chunk[self.used..]).len();
    }

    fn flush(&mut self) {
        use sha2::Digest;
        self.hasher.update(&self.chunk[..self.used]);
        self.used = 0;
    }

    /// The first 16 hex digits of the digest, as keys are stored.
    fn finish(mut self) -> String {
        use sha2::Digest;
        self.flush();
        crate::index::hex16(&self.hasher.finalize())
    }
}

/// What the index thread holds until the next commit.
#[derive(Default)]
struct Uncommitted {
    urls: Vec<CommittedUrl>,
    contents: Vec<CommittedContent>,
    /// Body keys of this batch, to catch copies within one run.
    content_docs: HashMap<String, String>,
}

/// The index thread: upserts documents, commits in batches, and records the
/// URLs and bodies in the crawl state after each successful commit.
fn run_indexer(
    mut writer: crate::index::ArticleWriter,
    mut rx: mpsc::Receiver<IndexMsg>,
    state: &Mutex<CrawlState>,
    summary: &Mutex<CrawlSummary>,
    archive: Option<&SharedArchive>,
    commit_every: usize,
    mut stories: StoryGrouper,
) -> Result<(), PipelineError> {
    let mut held = Uncommitted::default();
    // Documents indexed by this run (ids), and their bodies' keys.
    let mut doc_ids: HashSet<String> = HashSet::new();
    let mut run_contents: HashMap<String, String> = HashMap::new();

    let commit = |writer: &mut crate::index::ArticleWriter,
                  held: &mut Uncommitted|
     -> Result<(), PipelineError> {
        // The responses behind these documents reach the disk first.
        if let Some(archive) = archive {
            archive.lock().expect("archive lock").sync()?;
        }
        writer.commit()?;
        state
            .lock()
            .expect("state lock")
            .record_commit(&held.urls, &held.contents, Utc::now())?;
        held.urls.clear();
        held.contents.clear();
        held.content_docs.clear();
        Ok(())
    };

    while let Some(msg) = rx.blocking_recv() {
        match msg {
            IndexMsg::Article {
                candidate,
                article,
                content,
            } => {
                let source = candidate.source_id.clone();
                // A copy: the same canonical URL as a document of this run,
                // or the same body as any document already indexed.
                let copy_of = if doc_ids.contains(&article.id) {
                    Some(article.id.clone())
                } else if let Some(key) = &content {
                    match run_contents.get(key) {
                        Some(doc) => Some(doc.clone()),
                        None => state.lock().expect("state lock").content_owner(key)?,
                    }
                    .filter(|doc| doc != &article.id)
                } else {
                    None
                };
                let doc_id = copy_of.clone().unwrap_or_else(|| article.id.clone());
                let mut link = |key: String, url: String| {
                    held.urls.push(CommittedUrl {
                        key,
                        url,
                        source_id: source.clone(),
                        doc_id: doc_id.clone(),
                        duplicate_of: copy_of.clone(),
                    })
                };
                let feed_key = identity_key(&candidate.url);
                link(feed_key.clone(), candidate.url.to_string());
                if let Ok(canonical) = Url::parse(&article.url) {
                    let key = identity_key(&canonical);
                    if key != feed_key {
                        link(key, article.url.clone());
                    }
                }
                if copy_of.is_some() {
                    summary.lock().expect("summary lock").duplicates += 1;
                } else {
                    let mut article = article;
                    stories.assign(&mut article);
                    writer.upsert(&article)?;
                    doc_ids.insert(article.id.clone());
                    if let Some(key) = content {
                        run_contents.insert(key.clone(), article.id.clone());
                        held.content_docs.insert(key.clone(), article.id.clone());
                        held.contents.push(CommittedContent {
                            hash: key,
                            doc_id: article.id.clone(),
                            url: article.url.clone(),
                        });
                    }
                    summary.lock().expect("summary lock").articles_indexed += 1;
                }
                if writer.num_pending() >= commit_every || held.urls.len() >= commit_every * 4 {
                    commit(&mut writer, &mut held)?;
                }
            }
            IndexMsg::Skipped => {
                summary.lock().expect("summary lock").left_for_next_run += 1;
            }
            IndexMsg::Failed { candidate, failure } => {
                summary.lock().expect("summary lock").fail(FailureReport {
                    source: candidate.source_id.clone(),
                    stage: "article",
                    url: candidate.url.to_string(),
                    kind: failure.kind,
                    reason: failure.reason.clone(),
                });
                state.lock().expect("state lock").mark_failed(
                    &identity_key(&candidate.url),
                    candidate.url.as_str(),
                    &candidate.source_id,
                    &failure.to_string(),
                    Utc::now(),
                )?;
            }
        }
    }
    commit(&mut writer, &mut held)?;
    writer.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extraction_pool_reports_a_panic_and_goes_on() {
        let pool = ExtractionPool::new(1).unwrap();
        futures::executor::block_on(async {
            let err = pool
                .run(|| -> usize { panic!("bad page at byte {}", 17) })
                .await
                .unwrap_err();
            assert_eq!(err, "bad page at byte 17");
            let err = pool
                .run(|| -> usize { panic!("static") })
                .await
                .unwrap_err();
            assert_eq!(err, "static");
            // The one thread survived both panics and takes the next page.
            assert_eq!(pool.run(|| 6 * 7).await, Ok(42));
        });
    }

    #[test]
    fn the_extraction_pool_runs_pages_in_arrival_order() {
        let pool = ExtractionPool::new(1).unwrap();
        let order = Arc::new(Mutex::new(Vec::new()));
        futures::executor::block_on(async {
            let runs = (0..20).map(|i| {
                let order = Arc::clone(&order);
                pool.run(move || order.lock().unwrap().push(i))
            });
            // Queued together; one thread takes them first in, first out.
            futures::future::join_all(runs).await;
        });
        assert_eq!(*order.lock().unwrap(), (0..20).collect::<Vec<_>>());
    }

    #[test]
    fn content_keys_are_the_plain_definition() {
        // Keys are stored in the crawl state, so the fast path must give
        // exactly the letters-and-digits, lowercased, of the definition.
        let plain = |body: &str| {
            let s: String = body
                .chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect();
            (s.chars().count() >= MIN_CONTENT_KEY_CHARS)
                .then(|| crate::index::short_hash(s.as_bytes()))
        };
        for body in [
            "Bộ Công Thương xử phạt quảng cáo sai sự thật. ".repeat(8),
            "ธนาคารแห่งประเทศไทยเตือนเรื่องโฆษณาเงินกู้ ".repeat(8),
            "İSTANBUL ΣΟΦΊΑ Straße 金融庁は広告を ".repeat(8),
            "short".to_string(),
            // Long enough to fill the hasher's buffer many times.
            "Scam Ads, 広告 và Quảng Cáo: İ Σ ß 5G! ".repeat(200),
        ] {
            assert_eq!(content_key(&body), plain(&body), "{body}");
        }
    }

    #[test]
    fn content_keys_ignore_layout_but_not_words() {
        let a = "Regulators fined the platform. ".repeat(10);
        let b = format!("  {}\n\n", a.replace(". ", ".\n").to_uppercase());
        assert_eq!(content_key(&a), content_key(&b));
        assert_ne!(content_key(&a), content_key(&a.replace("fined", "warned")));
        assert_eq!(content_key("Subscribe to read"), None);
    }

    fn story_article(id: &str, source: &str, day: u32, text: &str) -> IndexedArticle {
        IndexedArticle {
            id: id.into(),
            url: format!("http://x/{id}"),
            source: source.into(),
            published: Some(format!("2025-03-{day:02}T08:00:00Z").parse().unwrap()),
            simhash: crate::stories::signature(text),
            body: text.into(),
            ..Default::default()
        }
    }

    #[test]
    fn stories_hold_across_runs_and_keep_their_ids() {
        let original = "Police in Singapore said deepfake investment advertisements using the faces of \
            well-known business leaders and ministers have surged on social media this year, with victims \
            losing millions of dollars after clicking through to fake trading platforms. The authorities \
            asked platforms to remove the advertisements faster and to verify advertisers before their ads run.";
        let rewrite =
            format!("{original} Regional wire services reported similar cases in Malaysia.");
        let other = "The central bank kept its policy rate unchanged on Thursday, citing steady inflation \
            and a resilient labour market, and said it would keep watching the strength of the currency \
            against the dollar in the months ahead as exports recover across the region.";

        let index = ArticleIndex::create_in_ram();
        let mut writer = index.writer().unwrap();
        // First run: the original, and an unrelated story.
        let mut grouper = StoryGrouper::empty();
        for mut a in [
            story_article("orig", "straits-ledger", 3, original),
            story_article("bank", "straits-ledger", 3, other),
        ] {
            grouper.assign(&mut a);
            writer.upsert(&a).unwrap();
        }
        writer.commit().unwrap();

        // Second run, seeded from the index: the rewrite joins the original's
        // story; the unrelated article stays alone.
        let now = "2025-03-05T00:00:00Z".parse().unwrap();
        let mut grouper = StoryGrouper::seed(&index, now).unwrap();
        let mut copy = story_article("copy", "wire-mirror", 4, &rewrite);
        grouper.assign(&mut copy);
        assert_eq!(copy.story, "orig");
        let mut fresh = story_article(
            "new",
            "wire-mirror",
            4,
            other.replace("unchanged", "higher").as_str(),
        );
        grouper.assign(&mut fresh);
        assert_eq!(
            fresh.story, "bank",
            "a light edit of the bank story is the same story"
        );
        writer.upsert(&copy).unwrap();
        writer.commit().unwrap();
        let records = index
            .story_records(now - chrono::Duration::days(30))
            .unwrap();
        let stories: Vec<(&str, &str)> = records
            .iter()
            .map(|r| (r.id.as_str(), r.story.as_str()))
            .collect();
        assert!(stories.contains(&("copy", "orig")), "{stories:?}");
        assert!(stories.contains(&("bank", "bank")), "{stories:?}");
    }
}
