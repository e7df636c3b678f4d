//! Crawl state in SQLite: which articles are done, which bodies were seen,
//! each feed's validators, schedule and health.
//!
//! The index says what is searchable; this says what the crawler need not
//! fetch again and how each source is doing. An article key is recorded as
//! done only after the index commit that holds it has succeeded (the
//! pipeline calls [`CrawlState::record_commit`] after the commit), so a crash
//! never marks an article done that is not in the index. The opposite order
//! of failure (committed, not yet recorded) costs one refetch, and the
//! index's upsert keeps the document single.
//!
//! Articles are keyed by [`crate::sources::canonical::identity_key`], so
//! http/https, `www.` and trailing-slash variants are one article; bodies are
//! keyed by a hash of their letters and digits, so a syndicated copy under
//! another URL is linked to the first one instead of indexed again.
//!
//! Feeds carry a failure score: each failure adds a weight by kind (a 404 or
//! an HTML page weighs more than a timeout), a success resets it, and a score
//! over [`PAUSE_SCORE`] pauses the feed for a back-off that doubles up to a
//! week, so a dead feed stops costing requests but is still retried.

use std::path::Path;

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::model::FailureKind;

/// How often a failing article URL is tried before the crawler gives up on it.
pub const MAX_ARTICLE_ATTEMPTS: u32 = 3;
/// Failure score at which a feed is paused.
pub const PAUSE_SCORE: f64 = 6.0;
/// First pause of a dead feed; doubles with every further failure.
pub const FIRST_PAUSE: Duration = Duration::hours(1);
/// Longest pause.
pub const MAX_PAUSE: Duration = Duration::days(7);
/// The state layout this code reads and writes.
const STATE_VERSION: i64 = 1;

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("crawl state database {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error(
        "crawl state database {path} has layout version {found}, this kabar uses {expected}: delete the data folder and crawl again"
    )]
    Version {
        path: String,
        found: i64,
        expected: i64,
    },
    #[error("crawl state database: {0}")]
    Sql(#[from] rusqlite::Error),
}

/// What the state knows about an article key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlStatus {
    /// Never seen, or failed fewer than [`MAX_ARTICLE_ATTEMPTS`] times.
    Pending,
    /// In the index (or linked to an indexed copy).
    Indexed,
    /// Failed too often; not tried again.
    GaveUp,
}

/// Validators of a feed's last successful poll.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedRecord {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// One article URL that a commit made durable.
#[derive(Debug, Clone)]
pub struct CommittedUrl {
    pub key: String,
    pub url: String,
    pub source_id: String,
    pub doc_id: String,
    /// The document this URL is a copy of, when it was linked, not indexed.
    pub duplicate_of: Option<String>,
}

/// A body hash that a commit made durable.
#[derive(Debug, Clone)]
pub struct CommittedContent {
    pub hash: String,
    pub doc_id: String,
    pub url: String,
}

/// The outcome of one feed poll, for the schedule and the health record.
#[derive(Debug, Clone)]
pub enum PollOutcome {
    /// Fetched and parsed (or 304). `new_items` are items not seen before;
    /// `typical_gap` is the feed's usual time between items, if it dates them.
    Ok {
        validators: Option<FeedRecord>,
        new_items: usize,
        typical_gap: Option<Duration>,
    },
    Failed {
        kind: FailureKind,
        reason: String,
    },
}

/// Scheduling bounds for feeds.
#[derive(Debug, Clone, Copy)]
pub struct ScheduleBounds {
    pub min: Duration,
    pub max: Duration,
    pub initial: Duration,
}

/// A feed that is due, or not.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedSchedule {
    pub url: String,
    pub next_poll: Option<DateTime<Utc>>,
    pub paused_until: Option<DateTime<Utc>>,
}

/// Per-source health, for `kabar sources health`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SourceHealth {
    pub source: String,
    pub status: HealthStatus,
    pub feeds: usize,
    pub feeds_paused: usize,
    pub feeds_failing: usize,
    pub last_success: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    /// New articles per day over the last 7 days.
    pub articles_per_day: f64,
    pub last_article: Option<DateTime<Utc>>,
    /// Failures by kind since the feed was added.
    pub failures: std::collections::BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    /// Every feed's last poll failed and at least one is paused: dead.
    Paused,
    /// The last poll of at least one feed failed.
    Failing,
    /// Polled fine, but nothing new for [`SILENT_AFTER`]: silence is not calm.
    Silent,
    /// Never polled.
    New,
    Ok,
}

/// A source with no new article for this long is reported as silent.
pub const SILENT_AFTER: Duration = Duration::days(3);

/// The weight of a failure in a feed's score.
fn failure_weight(kind: FailureKind) -> f64 {
    match kind {
        FailureKind::Timeout | FailureKind::Network | FailureKind::RateLimited => 1.0,
        FailureKind::Storage => 0.0,
        FailureKind::HttpStatus | FailureKind::TooLarge | FailureKind::Redirects => 2.0,
        FailureKind::MalformedFeed => 2.0,
        FailureKind::NotAFeed | FailureKind::Robots | FailureKind::NoArticle => 3.0,
        FailureKind::Blocked | FailureKind::BadUrl => 6.0,
    }
}

/// Health of every enabled source of `catalog`, from the crawl state at
/// `state_path` (every source is new when there is none yet), sorted by
/// status (paused and failing first), then id. What `kabar sources health`
/// prints and the web page's sources table shows.
pub fn sources_health(
    catalog: &crate::sources::Catalog,
    state_path: &Path,
    now: DateTime<Utc>,
) -> Result<Vec<SourceHealth>, StateError> {
    let sources: Vec<(String, Vec<String>)> = catalog
        .enabled()
        .map(|s| {
            (
                s.id.clone(),
                s.endpoints().iter().map(|e| e.url().to_string()).collect(),
            )
        })
        .collect();
    let state = if state_path.exists() {
        CrawlState::open(state_path)?
    } else {
        CrawlState::in_memory()?
    };
    let mut health = state.health(&sources, now)?;
    health.sort_by(|a, b| (a.status, &a.source).cmp(&(b.status, &b.source)));
    Ok(health)
}

impl HealthStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            HealthStatus::Paused => "paused",
            HealthStatus::Failing => "failing",
            HealthStatus::Silent => "silent",
            HealthStatus::New => "new",
            HealthStatus::Ok => "ok",
        }
    }
}

pub struct CrawlState {
    conn: Connection,
}

impl CrawlState {
    /// Opens (creating when needed) the state database at `path`.
    pub fn open(path: &Path) -> Result<CrawlState, StateError> {
        let display = path.display().to_string();
        let conn = Connection::open(path).map_err(|source| StateError::Open {
            path: display.clone(),
            source,
        })?;
        Self::init(conn, &display)
    }

    /// A state in memory, for tests.
    pub fn in_memory() -> Result<CrawlState, StateError> {
        Self::init(Connection::open_in_memory()?, ":memory:")
    }

    fn init(conn: Connection, path: &str) -> Result<CrawlState, StateError> {
        let open_err = |source| StateError::Open {
            path: path.to_string(),
            source,
        };
        // WAL keeps readers (search, sources health) working during a crawl.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(open_err)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(open_err)?;
        let has_tables: bool = conn
            .query_row(
                "SELECT COUNT(*) > 0 FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .map_err(open_err)?;
        if has_tables && version != STATE_VERSION {
            return Err(StateError::Version {
                path: path.to_string(),
                found: version,
                expected: STATE_VERSION,
            });
        }
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS articles (
                key          TEXT PRIMARY KEY,
                url          TEXT NOT NULL,
                source_id    TEXT NOT NULL,
                status       TEXT NOT NULL CHECK (status IN ('indexed', 'failed')),
                doc_id       TEXT,
                duplicate_of TEXT,
                attempts     INTEGER NOT NULL DEFAULT 0,
                last_error   TEXT,
                first_seen   TEXT NOT NULL,
                last_attempt TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS articles_source ON articles (source_id, first_seen);
            CREATE TABLE IF NOT EXISTS contents (
                hash   TEXT PRIMARY KEY,
                doc_id TEXT NOT NULL,
                url    TEXT NOT NULL
            );
            CREATE TABLE IF NOT EXISTS feeds (
                url             TEXT PRIMARY KEY,
                source_id       TEXT NOT NULL,
                etag            TEXT,
                last_modified   TEXT,
                last_polled     TEXT,
                last_ok         TEXT,
                last_error      TEXT,
                last_error_at   TEXT,
                last_failed     INTEGER NOT NULL DEFAULT 0,
                interval_secs   INTEGER,
                next_poll       TEXT,
                failure_score   REAL NOT NULL DEFAULT 0,
                pauses          INTEGER NOT NULL DEFAULT 0,
                paused_until    TEXT
            );
            CREATE TABLE IF NOT EXISTS feed_failures (
                url   TEXT NOT NULL,
                kind  TEXT NOT NULL,
                count INTEGER NOT NULL,
                PRIMARY KEY (url, kind)
            );",
        )
        .map_err(open_err)?;
        conn.pragma_update(None, "user_version", STATE_VERSION)
            .map_err(open_err)?;
        Ok(CrawlState { conn })
    }

    /// Whether the crawler should fetch the article with this identity key.
    pub fn url_status(&self, key: &str) -> Result<UrlStatus, StateError> {
        let row: Option<(String, u32)> = self
            .conn
            .query_row(
                "SELECT status, attempts FROM articles WHERE key = ?1",
                [key],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(match row {
            Some((s, _)) if s == "indexed" => UrlStatus::Indexed,
            Some((_, attempts)) if attempts >= MAX_ARTICLE_ATTEMPTS => UrlStatus::GaveUp,
            _ => UrlStatus::Pending,
        })
    }

    /// The document that already holds a body with this hash.
    pub fn content_owner(&self, hash: &str) -> Result<Option<String>, StateError> {
        Ok(self
            .conn
            .query_row("SELECT doc_id FROM contents WHERE hash = ?1", [hash], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// Records what a successful index commit holds, in one transaction.
    pub fn record_commit(
        &mut self,
        urls: &[CommittedUrl],
        contents: &[CommittedContent],
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO articles (key, url, source_id, status, doc_id, duplicate_of, attempts, first_seen, last_attempt)
                 VALUES (?1, ?2, ?3, 'indexed', ?4, ?5, 1, ?6, ?6)
                 ON CONFLICT(key) DO UPDATE SET status = 'indexed', doc_id = ?4, duplicate_of = ?5,
                     attempts = attempts + 1, last_error = NULL, last_attempt = ?6",
            )?;
            let now = now.to_rfc3339();
            for u in urls {
                stmt.execute(params![
                    u.key,
                    u.url,
                    u.source_id,
                    u.doc_id,
                    u.duplicate_of,
                    now
                ])?;
            }
            let mut stmt = tx.prepare_cached(
                "INSERT INTO contents (hash, doc_id, url) VALUES (?1, ?2, ?3) ON CONFLICT(hash) DO NOTHING",
            )?;
            for c in contents {
                stmt.execute(params![c.hash, c.doc_id, c.url])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Records a failed attempt at an article.
    pub fn mark_failed(
        &mut self,
        key: &str,
        url: &str,
        source_id: &str,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        self.conn.execute(
            "INSERT INTO articles (key, url, source_id, status, attempts, last_error, first_seen, last_attempt)
             VALUES (?1, ?2, ?3, 'failed', 1, ?4, ?5, ?5)
             ON CONFLICT(key) DO UPDATE SET attempts = attempts + 1, last_error = ?4, last_attempt = ?5
             WHERE status = 'failed'",
            params![key, url, source_id, error, now.to_rfc3339()],
        )?;
        Ok(())
    }

    /// Validators saved from the feed's last successful poll.
    pub fn feed(&self, url: &str) -> Result<FeedRecord, StateError> {
        Ok(self
            .conn
            .query_row(
                "SELECT etag, last_modified FROM feeds WHERE url = ?1",
                [url],
                |r| {
                    Ok(FeedRecord {
                        etag: r.get(0)?,
                        last_modified: r.get(1)?,
                    })
                },
            )
            .optional()?
            .unwrap_or_default())
    }

    /// The schedule of a feed (None when never polled).
    pub fn schedule(&self, url: &str) -> Result<Option<FeedSchedule>, StateError> {
        Ok(self
            .conn
            .query_row(
                "SELECT url, next_poll, paused_until FROM feeds WHERE url = ?1",
                [url],
                |r| {
                    Ok(FeedSchedule {
                        url: r.get(0)?,
                        next_poll: parse_time(r.get(1)?),
                        paused_until: parse_time(r.get(2)?),
                    })
                },
            )
            .optional()?)
    }

    /// Records a feed poll: validators (kept on failure), schedule, health.
    pub fn record_poll(
        &mut self,
        url: &str,
        source_id: &str,
        outcome: &PollOutcome,
        bounds: ScheduleBounds,
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        let (interval, score, pauses): (Option<i64>, f64, i64) = self
            .conn
            .query_row(
                "SELECT interval_secs, failure_score, pauses FROM feeds WHERE url = ?1",
                [url],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .unwrap_or((None, 0.0, 0));
        let interval = interval.map(Duration::seconds).unwrap_or(bounds.initial);
        let now_s = now.to_rfc3339();
        match outcome {
            PollOutcome::Ok {
                validators,
                new_items,
                typical_gap,
            } => {
                let interval = next_interval(interval, *new_items, *typical_gap, bounds);
                let next = (now + interval).to_rfc3339();
                self.conn.execute(
                    "INSERT INTO feeds (url, source_id, last_polled, last_ok, interval_secs, next_poll)
                     VALUES (?1, ?2, ?3, ?3, ?4, ?5)
                     ON CONFLICT(url) DO UPDATE SET source_id = ?2, last_polled = ?3, last_ok = ?3,
                         last_failed = 0, interval_secs = ?4, next_poll = ?5, failure_score = 0,
                         pauses = 0, paused_until = NULL",
                    params![url, source_id, now_s, interval.num_seconds(), next],
                )?;
                if let Some(v) = validators {
                    self.conn.execute(
                        "UPDATE feeds SET etag = ?2, last_modified = ?3 WHERE url = ?1",
                        params![url, v.etag, v.last_modified],
                    )?;
                }
            }
            PollOutcome::Failed { kind, reason } => {
                let score = score + failure_weight(*kind);
                let (paused_until, pauses) = if score >= PAUSE_SCORE {
                    let pause = FIRST_PAUSE * 2i32.pow(pauses.clamp(0, 10) as u32);
                    (Some(now + pause.min(MAX_PAUSE)), pauses + 1)
                } else {
                    (None, pauses)
                };
                let next = paused_until.unwrap_or(now + interval);
                self.conn.execute(
                    "INSERT INTO feeds (url, source_id, last_polled, last_error, last_error_at, last_failed,
                         interval_secs, next_poll, failure_score, pauses, paused_until)
                     VALUES (?1, ?2, ?3, ?4, ?3, 1, ?5, ?6, ?7, ?8, ?9)
                     ON CONFLICT(url) DO UPDATE SET source_id = ?2, last_polled = ?3, last_error = ?4,
                         last_error_at = ?3, last_failed = 1, next_poll = ?6, failure_score = ?7,
                         pauses = ?8, paused_until = ?9",
                    params![
                        url,
                        source_id,
                        now_s,
                        format!("{kind}: {reason}"),
                        interval.num_seconds(),
                        next.to_rfc3339(),
                        score,
                        pauses,
                        paused_until.map(|t| t.to_rfc3339()),
                    ],
                )?;
                self.conn.execute(
                    "INSERT INTO feed_failures (url, kind, count) VALUES (?1, ?2, 1)
                     ON CONFLICT(url, kind) DO UPDATE SET count = count + 1",
                    params![url, kind.as_str()],
                )?;
            }
        }
        Ok(())
    }

    /// Health of each source in `sources` (id, feed URLs), in that order.
    pub fn health(
        &self,
        sources: &[(String, Vec<String>)],
        now: DateTime<Utc>,
    ) -> Result<Vec<SourceHealth>, StateError> {
        let week_ago = (now - Duration::days(7)).to_rfc3339();
        let mut out = Vec::with_capacity(sources.len());
        for (source, feeds) in sources {
            let mut h = SourceHealth {
                source: source.clone(),
                status: HealthStatus::New,
                feeds: feeds.len(),
                feeds_paused: 0,
                feeds_failing: 0,
                last_success: None,
                last_error: None,
                last_error_at: None,
                articles_per_day: 0.0,
                last_article: None,
                failures: Default::default(),
            };
            let mut polled = 0;
            for feed in feeds {
                let row = self
                    .conn
                    .query_row(
                        "SELECT last_polled, last_ok, last_error, last_error_at, last_failed, paused_until
                         FROM feeds WHERE url = ?1",
                        [feed],
                        |r| {
                            Ok((
                                parse_time(r.get(0)?),
                                parse_time(r.get(1)?),
                                r.get::<_, Option<String>>(2)?,
                                parse_time(r.get(3)?),
                                r.get::<_, bool>(4)?,
                                parse_time(r.get(5)?),
                            ))
                        },
                    )
                    .optional()?;
                let Some((last_polled, last_ok, last_error, last_error_at, failed, paused)) = row
                else {
                    continue;
                };
                if last_polled.is_some() {
                    polled += 1;
                }
                h.last_success = h.last_success.max(last_ok);
                if last_error_at > h.last_error_at {
                    h.last_error_at = last_error_at;
                    h.last_error = last_error;
                }
                if failed {
                    h.feeds_failing += 1;
                }
                if paused.is_some_and(|p| p > now) {
                    h.feeds_paused += 1;
                }
                let mut stmt = self
                    .conn
                    .prepare_cached("SELECT kind, count FROM feed_failures WHERE url = ?1")?;
                for row in stmt.query_map([feed], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
                })? {
                    let (kind, count) = row?;
                    *h.failures.entry(kind).or_default() += count.max(0) as u64;
                }
            }
            let (recent, last): (i64, Option<String>) = self.conn.query_row(
                "SELECT COUNT(*) FILTER (WHERE first_seen >= ?2), MAX(first_seen)
                 FROM articles WHERE source_id = ?1 AND status = 'indexed'",
                params![source, week_ago],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            h.articles_per_day = (recent as f64 / 7.0 * 10.0).round() / 10.0;
            h.last_article = parse_time(last);
            h.status = if polled == 0 {
                HealthStatus::New
            } else if h.feeds_paused > 0 && h.feeds_failing == h.feeds {
                HealthStatus::Paused
            } else if h.feeds_failing > 0 {
                HealthStatus::Failing
            } else if h.last_article.is_none_or(|t| now - t > SILENT_AFTER) {
                HealthStatus::Silent
            } else {
                HealthStatus::Ok
            };
            out.push(h);
        }
        Ok(out)
    }

    /// When the first of `urls` is next due: its next poll or, for a paused
    /// feed, the end of the pause; `now` for one never polled.
    pub fn next_due(
        &self,
        urls: &[String],
        now: DateTime<Utc>,
    ) -> Result<Option<DateTime<Utc>>, StateError> {
        let mut first: Option<DateTime<Utc>> = None;
        for url in urls {
            let due = match self.schedule(url)? {
                None => Some(now),
                Some(s) => s
                    .paused_until
                    .filter(|p| *p > now)
                    .or(s.next_poll)
                    .or(Some(now)),
            };
            first = match (first, due) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        }
        Ok(first)
    }

    /// Number of article keys recorded as indexed.
    pub fn num_indexed(&self) -> Result<u64, StateError> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM articles WHERE status = 'indexed'",
            [],
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }
}

/// The next polling interval: the feed's own rhythm when it dates its items
/// (half the typical gap between items), otherwise halve after new items and
/// stretch by half after an empty poll; always within the bounds.
fn next_interval(
    current: Duration,
    new_items: usize,
    typical_gap: Option<Duration>,
    bounds: ScheduleBounds,
) -> Duration {
    let proposed = match typical_gap {
        Some(gap) if gap > Duration::zero() => gap / 2,
        _ if new_items > 0 => current / 2,
        _ => current + current / 2,
    };
    proposed.clamp(bounds.min, bounds.max)
}

fn parse_time(s: Option<String>) -> Option<DateTime<Utc>> {
    s.and_then(|s| DateTime::parse_from_rfc3339(&s).ok())
        .map(|d| d.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUNDS: ScheduleBounds = ScheduleBounds {
        min: Duration::minutes(5),
        max: Duration::hours(24),
        initial: Duration::minutes(30),
    };

    fn committed(key: &str, doc: &str) -> CommittedUrl {
        CommittedUrl {
            key: key.into(),
            url: format!("http:{key}"),
            source_id: "src".into(),
            doc_id: doc.into(),
            duplicate_of: None,
        }
    }

    #[test]
    fn urls_move_from_pending_to_indexed() {
        let mut s = CrawlState::in_memory().unwrap();
        let now = Utc::now();
        assert_eq!(s.url_status("//a.test/1").unwrap(), UrlStatus::Pending);
        s.record_commit(&[committed("//a.test/1", "doc1")], &[], now)
            .unwrap();
        assert_eq!(s.url_status("//a.test/1").unwrap(), UrlStatus::Indexed);
        // A later failure of an indexed URL does not unmark it.
        s.mark_failed("//a.test/1", "http://a.test/1", "src", "timeout", now)
            .unwrap();
        assert_eq!(s.url_status("//a.test/1").unwrap(), UrlStatus::Indexed);
        assert_eq!(s.num_indexed().unwrap(), 1);
    }

    #[test]
    fn failing_urls_are_given_up_after_the_limit() {
        let mut s = CrawlState::in_memory().unwrap();
        for _ in 0..MAX_ARTICLE_ATTEMPTS {
            assert_eq!(s.url_status("//a.test/x").unwrap(), UrlStatus::Pending);
            s.mark_failed(
                "//a.test/x",
                "http://a.test/x",
                "src",
                "HTTP 404",
                Utc::now(),
            )
            .unwrap();
        }
        assert_eq!(s.url_status("//a.test/x").unwrap(), UrlStatus::GaveUp);
    }

    #[test]
    fn contents_remember_their_first_document() {
        let mut s = CrawlState::in_memory().unwrap();
        let c = CommittedContent {
            hash: "h1".into(),
            doc_id: "doc1".into(),
            url: "http://a.test/1".into(),
        };
        s.record_commit(&[], std::slice::from_ref(&c), Utc::now())
            .unwrap();
        s.record_commit(
            &[],
            &[CommittedContent {
                doc_id: "doc2".into(),
                ..c
            }],
            Utc::now(),
        )
        .unwrap();
        assert_eq!(s.content_owner("h1").unwrap().as_deref(), Some("doc1"));
        assert_eq!(s.content_owner("h2").unwrap(), None);
    }

    #[test]
    fn feed_validators_survive_a_failed_poll() {
        let mut s = CrawlState::in_memory().unwrap();
        let v = FeedRecord {
            etag: Some("\"abc\"".into()),
            last_modified: None,
        };
        let ok = PollOutcome::Ok {
            validators: Some(v.clone()),
            new_items: 1,
            typical_gap: None,
        };
        s.record_poll("http://a.test/feed", "src", &ok, BOUNDS, Utc::now())
            .unwrap();
        let failed = PollOutcome::Failed {
            kind: FailureKind::HttpStatus,
            reason: "HTTP 500".into(),
        };
        s.record_poll("http://a.test/feed", "src", &failed, BOUNDS, Utc::now())
            .unwrap();
        assert_eq!(s.feed("http://a.test/feed").unwrap(), v);
    }

    #[test]
    fn intervals_follow_the_feed_within_bounds() {
        let min = BOUNDS.min;
        assert_eq!(
            next_interval(Duration::hours(1), 0, Some(Duration::hours(2)), BOUNDS),
            Duration::hours(1)
        );
        assert_eq!(
            next_interval(Duration::hours(1), 3, Some(Duration::minutes(2)), BOUNDS),
            min
        );
        assert_eq!(
            next_interval(Duration::hours(1), 2, None, BOUNDS),
            Duration::minutes(30)
        );
        assert_eq!(
            next_interval(Duration::hours(20), 0, None, BOUNDS),
            Duration::hours(24)
        );
    }

    #[test]
    fn dead_feeds_are_paused_and_health_says_so() {
        let mut s = CrawlState::in_memory().unwrap();
        let now = Utc::now();
        let feeds = vec![("dead".to_string(), vec!["http://d.test/feed".to_string()])];
        assert_eq!(s.health(&feeds, now).unwrap()[0].status, HealthStatus::New);
        let failed = PollOutcome::Failed {
            kind: FailureKind::NotAFeed,
            reason: "got an HTML page".into(),
        };
        s.record_poll("http://d.test/feed", "dead", &failed, BOUNDS, now)
            .unwrap();
        let h = &s.health(&feeds, now).unwrap()[0];
        assert_eq!(h.status, HealthStatus::Failing);
        s.record_poll("http://d.test/feed", "dead", &failed, BOUNDS, now)
            .unwrap();
        let sched = s.schedule("http://d.test/feed").unwrap().unwrap();
        assert_eq!(
            sched.paused_until,
            Some(now + FIRST_PAUSE).map(|t| parse_time(Some(t.to_rfc3339())).unwrap())
        );
        let h = &s.health(&feeds, now).unwrap()[0];
        assert_eq!(h.status, HealthStatus::Paused);
        assert_eq!(h.failures.get("not_a_feed"), Some(&2));
        assert!(h.last_error.as_deref().unwrap().contains("HTML"));

        // A source that polls fine but publishes nothing is silent, not ok.
        let quiet = vec![("quiet".to_string(), vec!["http://q.test/feed".to_string()])];
        let ok = PollOutcome::Ok {
            validators: None,
            new_items: 0,
            typical_gap: None,
        };
        s.record_poll("http://q.test/feed", "quiet", &ok, BOUNDS, now)
            .unwrap();
        assert_eq!(
            s.health(&quiet, now).unwrap()[0].status,
            HealthStatus::Silent
        );
        s.record_commit(
            &[CommittedUrl {
                source_id: "quiet".into(),
                ..committed("//q.test/1", "d")
            }],
            &[],
            now,
        )
        .unwrap();
        let h = &s.health(&quiet, now).unwrap()[0];
        assert_eq!(h.status, HealthStatus::Ok);
        assert!(h.articles_per_day > 0.0);
    }
}
