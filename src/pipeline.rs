//! The crawl, wired end to end: catalog → feeds → articles → index.
//!
//! ```text
//!  feed tasks ──candidates──► article workers ──articles──► index thread
//!  (fetch, parse,            (fetch, extract and          (upsert, commit in
//!   skip known URLs)          detect on the blocking pool)  batches, then mark
//!                                                            URLs done in state)
//! ```
//!
//! Each arrow is a bounded channel, so a slow stage slows the one before it
//! instead of buffering without limit. CPU work (feed parsing, extraction,
//! language detection) runs on Tokio's blocking pool; the index writer lives
//! on its own thread. A URL is marked done in the crawl state only after the
//! index commit holding it succeeded: kill the crawl at any point and the
//! next run refetches exactly what was not committed, and the index's upsert
//! by canonical URL keeps every article single.
//!
//! Failures of single feeds and pages are counted and reported in the
//! [`CrawlSummary`]; only problems that stop the whole run (unreadable index,
//! unwritable state) are errors.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::Utc;
use futures::StreamExt;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use tokio::sync::mpsc;
use url::Url;

use crate::analyze::lang::detect_language;
use crate::config::Config;
use crate::extract::extract_page;
use crate::fetch::{Fetcher, Validators};
use crate::index::{ArticleIndex, IndexError, article_id};
use crate::model::{Candidate, Failure, FailureKind, FetchStatus, IndexedArticle, Source};
use crate::sources::Catalog;
use crate::sources::canonical::canonicalize;
use crate::sources::feed::parse_feed;
use crate::state::{CrawlState, FeedRecord, StateError, UrlStatus};

/// Candidates waiting for an article worker.
const CANDIDATE_QUEUE: usize = 512;
/// Extracted articles waiting for the index thread.
const INDEX_QUEUE: usize = 128;
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
    #[error("cannot build the HTTP client: {0}")]
    Client(#[from] reqwest::Error),
    #[error("no source matches {0:?}")]
    NoSuchSource(Vec<String>),
    #[error("the index thread stopped unexpectedly")]
    IndexThread,
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
    /// Items listed by the feeds (after canonicalization, per feed).
    pub items_seen: usize,
    /// Items skipped because they are already indexed (or given up on).
    pub items_known: usize,
    pub articles_fetched: usize,
    pub articles_indexed: usize,
    /// Pages whose canonical URL was already indexed in this run.
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

    std::fs::create_dir_all(&config.data_dir).map_err(|source| PipelineError::DataDir {
        path: config.data_dir.display().to_string(),
        source,
    })?;
    let index = ArticleIndex::open_or_create(&config.tantivy_dir())?;
    let writer = index.writer()?;
    let state = Arc::new(Mutex::new(CrawlState::open(&config.state_path())?));
    let fetcher = Arc::new(Fetcher::new(&config.crawl)?);
    let summary = Arc::new(Mutex::new(CrawlSummary {
        sources: sources.len(),
        ..Default::default()
    }));

    // Progress bars (hidden unless asked for and stderr is a terminal).
    let bars = MultiProgress::with_draw_target(if options.progress {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    });
    let num_feeds: usize = sources.iter().map(|s| s.feeds.len()).sum();
    let style = ProgressStyle::with_template("{prefix:>9} [{bar:30}] {pos}/{len} {msg}")
        .expect("static template")
        .progress_chars("=> ");
    let feed_bar = bars.add(ProgressBar::new(num_feeds as u64).with_style(style.clone()));
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
        tokio::task::spawn_blocking(move || {
            run_indexer(writer, index_rx, &state, &summary, commit_every)
        })
    };

    // Stage 2: article workers.
    let (cand_tx, cand_rx) = mpsc::channel::<Candidate>(CANDIDATE_QUEUE);
    let article_stage = {
        let fetcher = Arc::clone(&fetcher);
        let summary = Arc::clone(&summary);
        let expected: Arc<BTreeMap<String, Vec<String>>> = Arc::new(
            sources
                .iter()
                .map(|s| (s.id.clone(), s.languages.clone()))
                .collect(),
        );
        let meta: Arc<BTreeMap<String, Source>> =
            Arc::new(sources.iter().map(|s| (s.id.clone(), s.clone())).collect());
        let min_text_chars = config.crawl.min_text_chars;
        let article_bar = article_bar.clone();
        let concurrency = config.crawl.concurrency.max(1);
        let stop = Arc::clone(&options.stop);
        tokio::spawn(async move {
            tokio_stream_from(cand_rx)
                .map(|candidate| {
                    let fetcher = Arc::clone(&fetcher);
                    let expected = Arc::clone(&expected);
                    let meta = Arc::clone(&meta);
                    let summary = Arc::clone(&summary);
                    let stop = Arc::clone(&stop);
                    async move {
                        if stop.load(Ordering::Relaxed) {
                            return IndexMsg::Skipped;
                        }
                        process_article(
                            &fetcher,
                            candidate,
                            &meta,
                            &expected,
                            min_text_chars,
                            &summary,
                        )
                        .await
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

    // Stage 1: feeds, all concurrently; the fetcher enforces the limits.
    let seen_this_run = Arc::new(Mutex::new(HashSet::<Url>::new()));
    let max_items = config.crawl.max_items_per_feed;
    let mut feed_tasks = Vec::new();
    for source in &sources {
        for feed_url in &source.feeds {
            let fetcher = Arc::clone(&fetcher);
            let state = Arc::clone(&state);
            let summary = Arc::clone(&summary);
            let seen = Arc::clone(&seen_this_run);
            let cand_tx = cand_tx.clone();
            let feed_bar = feed_bar.clone();
            let article_bar = article_bar.clone();
            let source_id = source.id.clone();
            let feed_url = feed_url.clone();
            let stop = Arc::clone(&options.stop);
            feed_tasks.push(tokio::spawn(async move {
                if stop.load(Ordering::Relaxed) {
                    summary.lock().expect("summary lock").left_for_next_run += 1;
                    feed_bar.inc(1);
                    return;
                }
                let candidates = poll_feed(&fetcher, &state, &summary, &source_id, &feed_url).await;
                feed_bar.inc(1);
                let mut fresh = Vec::new();
                {
                    let state = state.lock().expect("state lock");
                    let mut seen = seen.lock().expect("seen lock");
                    let mut summary = summary.lock().expect("summary lock");
                    for c in candidates.into_iter().take(max_items) {
                        summary.items_seen += 1;
                        if !seen.insert(c.url.clone()) {
                            continue; // listed by another feed of this run
                        }
                        match state.url_status(c.url.as_str()) {
                            Ok(UrlStatus::Pending) => fresh.push(c),
                            Ok(_) => summary.items_known += 1,
                            Err(e) => {
                                tracing::warn!("crawl state lookup failed for {}: {e}", c.url);
                                fresh.push(c);
                            }
                        }
                    }
                }
                article_bar.inc_length(fresh.len() as u64);
                let num_fresh = fresh.len();
                for (i, c) in fresh.into_iter().enumerate() {
                    if stop.load(Ordering::Relaxed) || cand_tx.send(c).await.is_err() {
                        summary.lock().expect("summary lock").left_for_next_run += num_fresh - i;
                        break;
                    }
                }
            }));
        }
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

/// Fetches and parses one feed; failures are recorded and yield no items.
async fn poll_feed(
    fetcher: &Fetcher,
    state: &Mutex<CrawlState>,
    summary: &Mutex<CrawlSummary>,
    source_id: &str,
    feed_url: &Url,
) -> Vec<Candidate> {
    let validators = {
        let state = state.lock().expect("state lock");
        state.feed(feed_url.as_str()).unwrap_or_default()
    };
    let sent = Validators {
        etag: validators.etag.clone(),
        last_modified: validators.last_modified.clone(),
    };
    let status = fetcher.fetch(feed_url, Some(&sent)).await;
    summary.lock().expect("summary lock").feeds_polled += 1;
    let outcome = match status {
        FetchStatus::NotModified => {
            summary.lock().expect("summary lock").feeds_not_modified += 1;
            return Vec::new();
        }
        FetchStatus::Fetched(page) => {
            let page = *page;
            let (body, content_type) = (page.body, page.content_type);
            let url = feed_url.clone();
            let sid = source_id.to_string();
            let parsed = tokio::task::spawn_blocking(move || {
                parse_feed(&body, content_type.as_deref(), &url, &sid)
            })
            .await
            .unwrap_or_else(|e| {
                Err(Failure::new(
                    FailureKind::MalformedFeed,
                    format!("parser panicked: {e}"),
                ))
            });
            parsed.map(|items| {
                (
                    items,
                    FeedRecord {
                        etag: page.etag,
                        last_modified: page.last_modified,
                    },
                )
            })
        }
        FetchStatus::Failed(f) => Err(f),
    };
    let now = Utc::now();
    match outcome {
        Ok((items, record)) => {
            summary.lock().expect("summary lock").feeds_ok += 1;
            let mut state = state.lock().expect("state lock");
            if let Err(e) = state.record_feed_poll(feed_url.as_str(), source_id, Ok(&record), now) {
                tracing::warn!("cannot record poll of {feed_url}: {e}");
            }
            items
        }
        Err(failure) => {
            tracing::info!("feed {feed_url} of {source_id} failed: {failure}");
            {
                let mut s = summary.lock().expect("summary lock");
                s.feeds_failed += 1;
                s.fail(FailureReport {
                    source: source_id.to_string(),
                    stage: "feed",
                    url: feed_url.to_string(),
                    kind: failure.kind,
                    reason: failure.reason.clone(),
                });
            }
            let mut state = state.lock().expect("state lock");
            if let Err(e) =
                state.record_feed_poll(feed_url.as_str(), source_id, Err(&failure.to_string()), now)
            {
                tracing::warn!("cannot record poll of {feed_url}: {e}");
            }
            Vec::new()
        }
    }
}

/// Fetches, extracts and analyses one candidate.
async fn process_article(
    fetcher: &Fetcher,
    candidate: Candidate,
    sources: &BTreeMap<String, Source>,
    expected: &BTreeMap<String, Vec<String>>,
    min_text_chars: usize,
    summary: &Mutex<CrawlSummary>,
) -> IndexMsg {
    let page = match fetcher.fetch(&candidate.url, None).await {
        FetchStatus::Fetched(page) => *page,
        FetchStatus::NotModified => {
            return IndexMsg::Failed {
                candidate,
                failure: Failure::new(FailureKind::HttpStatus, "unexpected 304 without validators"),
            };
        }
        FetchStatus::Failed(failure) => return IndexMsg::Failed { candidate, failure },
    };
    summary.lock().expect("summary lock").articles_fetched += 1;

    let source = sources.get(&candidate.source_id).cloned();
    let langs = expected
        .get(&candidate.source_id)
        .cloned()
        .unwrap_or_default();
    let cand = candidate.clone();
    let result = tokio::task::spawn_blocking(move || {
        build_article(&cand, &page, source.as_ref(), &langs, min_text_chars)
    })
    .await
    .unwrap_or_else(|e| {
        Err(Failure::new(
            FailureKind::NoArticle,
            format!("extractor panicked: {e}"),
        ))
    });
    match result {
        Ok(article) => IndexMsg::Article {
            candidate,
            article: Box::new(article),
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
) -> Result<IndexedArticle, Failure> {
    let extracted = extract_page(
        &page.body,
        page.content_type.as_deref(),
        Some(&page.final_url),
    );
    let num_chars = extracted.text.chars().count();
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
        extracted.title.clone()
    };
    // Burmese typed in Zawgyi becomes Unicode before anything reads it.
    let title = crate::analyze::zawgyi::to_unicode(&title).into_owned();
    let body = crate::analyze::zawgyi::to_unicode(&extracted.text).into_owned();
    let sample = format!("{title}\n{body}");
    let lang = detect_language(&sample, extracted.lang_declared.as_deref(), expected_langs);
    let url = canonical_for(&extracted.canonical_url, &page.final_url, source);
    let authors = if extracted.authors.is_empty() {
        candidate.authors_hint.clone()
    } else {
        extracted.authors
    };
    Ok(IndexedArticle {
        id: article_id(url.as_str()),
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
    })
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

/// The index thread: upserts documents, commits in batches, and marks URLs
/// done in the crawl state after each successful commit.
fn run_indexer(
    mut writer: crate::index::ArticleWriter,
    mut rx: mpsc::Receiver<IndexMsg>,
    state: &Mutex<CrawlState>,
    summary: &Mutex<CrawlSummary>,
    commit_every: usize,
) -> Result<(), PipelineError> {
    // (url, source, doc id) for every URL that led to an uncommitted document.
    let mut pending: Vec<(String, String, String)> = Vec::new();
    let mut doc_ids: HashSet<String> = HashSet::new();

    let commit = |writer: &mut crate::index::ArticleWriter,
                  pending: &mut Vec<(String, String, String)>|
     -> Result<(), PipelineError> {
        writer.commit()?;
        let mut state = state.lock().expect("state lock");
        state.mark_indexed(
            pending
                .iter()
                .map(|(u, s, d)| (u.as_str(), s.as_str(), d.as_str())),
            Utc::now(),
        )?;
        pending.clear();
        Ok(())
    };

    while let Some(msg) = rx.blocking_recv() {
        match msg {
            IndexMsg::Article { candidate, article } => {
                let source = candidate.source_id.clone();
                pending.push((
                    candidate.url.to_string(),
                    source.clone(),
                    article.id.clone(),
                ));
                if article.url != candidate.url.as_str() {
                    pending.push((article.url.clone(), source, article.id.clone()));
                }
                if !doc_ids.insert(article.id.clone()) {
                    // Another feed link led to an article indexed in this run:
                    // record the link, index nothing twice.
                    summary.lock().expect("summary lock").duplicates += 1;
                    continue;
                }
                writer.upsert(&article)?;
                summary.lock().expect("summary lock").articles_indexed += 1;
                if writer.num_pending() >= commit_every {
                    commit(&mut writer, &mut pending)?;
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
                let mut state = state.lock().expect("state lock");
                state.mark_failed(
                    candidate.url.as_str(),
                    &candidate.source_id,
                    &failure.to_string(),
                    Utc::now(),
                )?;
            }
        }
    }
    commit(&mut writer, &mut pending)?;
    writer.finish()?;
    Ok(())
}
