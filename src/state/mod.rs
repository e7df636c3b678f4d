//! Crawl state in SQLite: which article URLs are done, and feed validators.
//!
//! The index says what is searchable; this says what the crawler need not
//! fetch again. A URL is recorded as `indexed` only after the index commit
//! that holds it has succeeded (the pipeline calls [`CrawlState::mark_indexed`]
//! after the commit), so a crash never marks an article done that is not in
//! the index. The opposite order of failure (committed, not yet marked) costs
//! one refetch and the index's upsert keeps the document single.
//!
//! URLs that failed are remembered with a count, so a page that is gone is
//! not fetched on every run forever.

use std::path::Path;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

/// How often a failing article URL is tried before the crawler gives up on it.
pub const MAX_ARTICLE_ATTEMPTS: u32 = 3;

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error("crawl state database {path}: {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("crawl state database: {0}")]
    Sql(#[from] rusqlite::Error),
}

/// What the state knows about an article URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlStatus {
    /// Never seen, or failed fewer than [`MAX_ARTICLE_ATTEMPTS`] times.
    Pending,
    /// In the index.
    Indexed,
    /// Failed too often; not tried again.
    GaveUp,
}

/// Validators and outcome of a feed's last poll.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedRecord {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

pub struct CrawlState {
    conn: Connection,
}

impl CrawlState {
    /// Opens (creating when needed) the state database at `path`.
    pub fn open(path: &Path) -> Result<CrawlState, StateError> {
        let conn = Connection::open(path).map_err(|source| StateError::Open {
            path: path.display().to_string(),
            source,
        })?;
        Self::init(conn).map_err(|source| StateError::Open {
            path: path.display().to_string(),
            source,
        })
    }

    /// A state in memory, for tests.
    pub fn in_memory() -> Result<CrawlState, StateError> {
        Ok(Self::init(Connection::open_in_memory()?)?)
    }

    fn init(conn: Connection) -> Result<CrawlState, rusqlite::Error> {
        // WAL keeps readers (search, sources health) working during a crawl.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS articles (
                url          TEXT PRIMARY KEY,
                source_id    TEXT NOT NULL,
                status       TEXT NOT NULL CHECK (status IN ('indexed', 'failed')),
                doc_id       TEXT,
                attempts     INTEGER NOT NULL DEFAULT 0,
                last_error   TEXT,
                first_seen   TEXT NOT NULL,
                last_attempt TEXT NOT NULL
            );
            CREATE INDEX IF NOT EXISTS articles_source ON articles (source_id);
            CREATE TABLE IF NOT EXISTS feeds (
                url           TEXT PRIMARY KEY,
                source_id     TEXT NOT NULL,
                etag          TEXT,
                last_modified TEXT,
                last_polled   TEXT,
                last_ok       TEXT,
                last_error    TEXT
            );",
        )?;
        Ok(CrawlState { conn })
    }

    /// Whether the crawler should fetch `url`.
    pub fn url_status(&self, url: &str) -> Result<UrlStatus, StateError> {
        let row: Option<(String, u32)> = self
            .conn
            .query_row(
                "SELECT status, attempts FROM articles WHERE url = ?1",
                [url],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(match row {
            Some((s, _)) if s == "indexed" => UrlStatus::Indexed,
            Some((_, attempts)) if attempts >= MAX_ARTICLE_ATTEMPTS => UrlStatus::GaveUp,
            _ => UrlStatus::Pending,
        })
    }

    /// Records URLs whose documents a successful index commit holds. Every
    /// URL that led to the document (feed link and canonical URL) is marked.
    pub fn mark_indexed<'a>(
        &mut self,
        entries: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        let tx = self.conn.transaction()?;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT INTO articles (url, source_id, status, doc_id, attempts, first_seen, last_attempt)
                 VALUES (?1, ?2, 'indexed', ?3, 1, ?4, ?4)
                 ON CONFLICT(url) DO UPDATE SET status = 'indexed', doc_id = ?3,
                     attempts = attempts + 1, last_error = NULL, last_attempt = ?4",
            )?;
            let now = now.to_rfc3339();
            for (url, source_id, doc_id) in entries {
                stmt.execute(params![url, source_id, doc_id, now])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Records a failed attempt at an article URL.
    pub fn mark_failed(
        &mut self,
        url: &str,
        source_id: &str,
        error: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        self.conn.execute(
            "INSERT INTO articles (url, source_id, status, attempts, last_error, first_seen, last_attempt)
             VALUES (?1, ?2, 'failed', 1, ?3, ?4, ?4)
             ON CONFLICT(url) DO UPDATE SET attempts = attempts + 1, last_error = ?3, last_attempt = ?4
             WHERE status = 'failed'",
            params![url, source_id, error, now.to_rfc3339()],
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

    /// Records a feed poll. Validators are replaced only on success, so a
    /// failed poll does not lose them.
    pub fn record_feed_poll(
        &mut self,
        url: &str,
        source_id: &str,
        outcome: Result<&FeedRecord, &str>,
        now: DateTime<Utc>,
    ) -> Result<(), StateError> {
        let now = now.to_rfc3339();
        match outcome {
            Ok(v) => self.conn.execute(
                "INSERT INTO feeds (url, source_id, etag, last_modified, last_polled, last_ok)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                 ON CONFLICT(url) DO UPDATE SET etag = ?3, last_modified = ?4, last_polled = ?5,
                     last_ok = ?5, last_error = NULL",
                params![url, source_id, v.etag, v.last_modified, now],
            )?,
            Err(e) => self.conn.execute(
                "INSERT INTO feeds (url, source_id, last_polled, last_error) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(url) DO UPDATE SET last_polled = ?3, last_error = ?4",
                params![url, source_id, now, e],
            )?,
        };
        Ok(())
    }

    /// Number of article URLs recorded as indexed.
    pub fn num_indexed(&self) -> Result<u64, StateError> {
        let n: i64 = self.conn.query_row(
            "SELECT COUNT(*) FROM articles WHERE status = 'indexed'",
            [],
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_move_from_pending_to_indexed() {
        let mut s = CrawlState::in_memory().unwrap();
        let now = Utc::now();
        assert_eq!(s.url_status("http://a.test/1").unwrap(), UrlStatus::Pending);
        s.mark_indexed([("http://a.test/1", "src", "doc1")], now)
            .unwrap();
        assert_eq!(s.url_status("http://a.test/1").unwrap(), UrlStatus::Indexed);
        // A later failure of an indexed URL does not unmark it.
        s.mark_failed("http://a.test/1", "src", "timeout", now)
            .unwrap();
        assert_eq!(s.url_status("http://a.test/1").unwrap(), UrlStatus::Indexed);
        assert_eq!(s.num_indexed().unwrap(), 1);
    }

    #[test]
    fn failing_urls_are_given_up_after_the_limit() {
        let mut s = CrawlState::in_memory().unwrap();
        for _ in 0..MAX_ARTICLE_ATTEMPTS {
            assert_eq!(s.url_status("http://a.test/x").unwrap(), UrlStatus::Pending);
            s.mark_failed("http://a.test/x", "src", "HTTP 404", Utc::now())
                .unwrap();
        }
        assert_eq!(s.url_status("http://a.test/x").unwrap(), UrlStatus::GaveUp);
    }

    #[test]
    fn feed_validators_survive_a_failed_poll() {
        let mut s = CrawlState::in_memory().unwrap();
        let v = FeedRecord {
            etag: Some("\"abc\"".into()),
            last_modified: None,
        };
        s.record_feed_poll("http://a.test/feed", "src", Ok(&v), Utc::now())
            .unwrap();
        s.record_feed_poll("http://a.test/feed", "src", Err("HTTP 500"), Utc::now())
            .unwrap();
        assert_eq!(s.feed("http://a.test/feed").unwrap(), v);
    }
}
