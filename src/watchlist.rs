//! Watchlists: saved searches with an alert threshold.
//!
//! An analyst saves a query and its filters under a name, with a threshold:
//! when at least that many articles match within the window (the last 24
//! hours by default), the watchlist is in alert. They live in one TOML file,
//! `<data>/watchlists.toml`, so they can be read, diffed and edited by hand
//! and travel with the data folder; the web page and the API edit them
//! through [`WatchlistStore`], which serialises writers and replaces the file
//! atomically (write a temporary file, rename it over), so a crash never
//! leaves half a file. The digest reads the same file.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::filters::{FilterError, SearchFilters};
use crate::index::ArticleIndex;
use crate::query::{self, MAX_QUERY_BYTES, QueryError, QueryRequest};

/// Longest watchlist name, in characters.
pub const MAX_NAME_CHARS: usize = 80;
/// Most watchlists one data folder keeps.
pub const MAX_WATCHLISTS: usize = 500;
/// Longest alert window, in hours (30 days).
pub const MAX_WINDOW_HOURS: u32 = 720;
/// The alert window when none is given.
pub const DEFAULT_WINDOW_HOURS: u32 = 24;

fn default_window() -> u32 {
    DEFAULT_WINDOW_HOURS
}

/// A saved search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Watchlist {
    /// Unique; what the page and the API call it by.
    pub name: String,
    #[serde(default)]
    pub query: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub langs: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sentiments: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_risk: Option<f32>,
    /// Alert when at least this many articles match within the window.
    pub threshold: u64,
    /// The window, in hours back from now.
    #[serde(default = "default_window")]
    pub window_hours: u32,
}

/// Where a watchlist's search link looks: the regions, countries and
/// languages (the watchlist's own, or a digest profile's narrowing of
/// them) and the time range as the search page reads it.
pub struct LinkScope<'a> {
    pub regions: &'a [String],
    pub countries: &'a [String],
    pub langs: &'a [String],
    pub since: &'a str,
    pub until: Option<&'a str>,
}

impl Watchlist {
    /// The search page's query string for this watchlist (query, filters,
    /// newest first) within `scope`: one encoding for the watchlists page
    /// and the digest's links.
    pub fn search_query(&self, scope: &LinkScope) -> String {
        let mut s = url::form_urlencoded::Serializer::new(String::new());
        s.append_pair("q", &self.query);
        for (key, values) in [
            ("region", scope.regions),
            ("country", scope.countries),
            ("lang", scope.langs),
            ("source", &self.sources),
            ("topic", &self.topics),
            ("sentiment", &self.sentiments),
        ] {
            for v in values {
                s.append_pair(key, v);
            }
        }
        if let Some(r) = self.min_risk {
            s.append_pair("min_risk", &r.to_string());
        }
        s.append_pair("since", scope.since);
        if let Some(until) = scope.until {
            s.append_pair("until", until);
        }
        s.append_pair("sort", "newest");
        s.finish()
    }

    /// The watchlist's search, without the window.
    pub fn filters(&self) -> SearchFilters {
        SearchFilters {
            query: self.query.clone(),
            regions: self.regions.clone(),
            countries: self.countries.clone(),
            langs: self.langs.clone(),
            sources: self.sources.clone(),
            topics: self.topics.clone(),
            sentiments: self.sentiments.clone(),
            min_risk: self.min_risk,
            ..Default::default()
        }
    }

    /// Checks the name, the numbers and every filter value.
    pub fn validate(&self) -> Result<(), WatchlistError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(WatchlistError::Invalid(format!(
                "a watchlist needs a name of 1 to {MAX_NAME_CHARS} characters"
            )));
        }
        if name.chars().any(char::is_control) {
            return Err(WatchlistError::Invalid(
                "a watchlist name cannot hold control characters".into(),
            ));
        }
        if self.query.len() > MAX_QUERY_BYTES {
            return Err(WatchlistError::Invalid(format!(
                "the query is {} bytes long; the limit is {MAX_QUERY_BYTES}",
                self.query.len()
            )));
        }
        if self.threshold == 0 {
            return Err(WatchlistError::Invalid(
                "the alert threshold must be at least 1 article".into(),
            ));
        }
        if self.window_hours == 0 || self.window_hours > MAX_WINDOW_HOURS {
            return Err(WatchlistError::Invalid(format!(
                "the alert window must be 1 to {MAX_WINDOW_HOURS} hours"
            )));
        }
        let tz = chrono_tz::UTC;
        self.filters()
            .to_request(Utc::now(), &tz, None)
            .map_err(|FilterError(m)| WatchlistError::Invalid(m))?;
        Ok(())
    }

    /// The search this watchlist runs over its window ending at `now`.
    pub fn request(&self, now: DateTime<Utc>) -> Result<QueryRequest, WatchlistError> {
        let mut request = self
            .filters()
            .to_request(now, &chrono_tz::UTC, None)
            .map_err(|FilterError(m)| WatchlistError::Invalid(m))?;
        request.since = Some(now - chrono::Duration::hours(i64::from(self.window_hours)));
        request.limit = 1;
        Ok(request)
    }

    /// How many articles match within the window, and whether that reaches
    /// the threshold.
    pub fn check(
        &self,
        index: &ArticleIndex,
        now: DateTime<Utc>,
    ) -> Result<WatchStatus, WatchlistError> {
        let results = query::search(index, &self.request(now)?)?;
        let count = results.total as u64;
        Ok(WatchStatus {
            count,
            alert: count >= self.threshold,
        })
    }
}

/// A watchlist's state now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WatchStatus {
    /// Articles matching within the window.
    pub count: u64,
    /// `count` reached the threshold.
    pub alert: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum WatchlistError {
    #[error("{0}")]
    Invalid(String),
    #[error("no watchlist named '{0}'")]
    NotFound(String),
    #[error("a watchlist named '{0}' already exists")]
    Duplicate(String),
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("cannot read or write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Query(#[from] QueryError),
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WatchlistFile {
    #[serde(default, rename = "watchlist")]
    watchlists: Vec<Watchlist>,
}

/// The watchlists file, with one writer at a time.
#[derive(Debug)]
pub struct WatchlistStore {
    path: PathBuf,
    write: Mutex<()>,
}

impl WatchlistStore {
    pub fn new(path: &Path) -> Self {
        WatchlistStore {
            path: path.to_path_buf(),
            write: Mutex::new(()),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every watchlist, in the file's order; none when there is no file.
    pub fn list(&self) -> Result<Vec<Watchlist>, WatchlistError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => {
                return Err(WatchlistError::Io {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        let file: WatchlistFile = toml::from_str(&text).map_err(|e| WatchlistError::Parse {
            path: self.path.clone(),
            message: e.message().to_string(),
        })?;
        Ok(file.watchlists)
    }

    pub fn get(&self, name: &str) -> Result<Watchlist, WatchlistError> {
        self.list()?
            .into_iter()
            .find(|w| w.name == name)
            .ok_or_else(|| WatchlistError::NotFound(name.to_string()))
    }

    /// Adds `watchlist`, or replaces the one called `replacing` (which may
    /// be renamed). Names stay unique.
    pub fn save(
        &self,
        replacing: Option<&str>,
        mut watchlist: Watchlist,
    ) -> Result<Watchlist, WatchlistError> {
        watchlist.name = watchlist.name.trim().to_string();
        watchlist.validate()?;
        let _guard = self.write.lock().unwrap_or_else(|e| e.into_inner());
        let mut all = self.list()?;
        let clash = all
            .iter()
            .any(|w| w.name == watchlist.name && Some(w.name.as_str()) != replacing);
        if clash {
            return Err(WatchlistError::Duplicate(watchlist.name));
        }
        match replacing {
            Some(old) => {
                let slot = all
                    .iter_mut()
                    .find(|w| w.name == old)
                    .ok_or_else(|| WatchlistError::NotFound(old.to_string()))?;
                *slot = watchlist.clone();
            }
            None => {
                if all.len() >= MAX_WATCHLISTS {
                    return Err(WatchlistError::Invalid(format!(
                        "there are already {MAX_WATCHLISTS} watchlists; delete one first"
                    )));
                }
                all.push(watchlist.clone());
            }
        }
        self.write_all(all)?;
        Ok(watchlist)
    }

    pub fn delete(&self, name: &str) -> Result<(), WatchlistError> {
        let _guard = self.write.lock().unwrap_or_else(|e| e.into_inner());
        let mut all = self.list()?;
        let before = all.len();
        all.retain(|w| w.name != name);
        if all.len() == before {
            return Err(WatchlistError::NotFound(name.to_string()));
        }
        self.write_all(all)
    }

    fn write_all(&self, watchlists: Vec<Watchlist>) -> Result<(), WatchlistError> {
        let io = |source| WatchlistError::Io {
            path: self.path.clone(),
            source,
        };
        let text = toml::to_string(&WatchlistFile { watchlists })
            .map_err(|e| io(std::io::Error::other(e)))?;
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let tmp = self.path.with_extension("toml.tmp");
        let header = "# kabar watchlists: saved searches with an alert threshold.\n\
                      # Edited by `kabar serve` (/watchlists); safe to edit by hand.\n\n";
        std::fs::write(&tmp, format!("{header}{text}")).map_err(io)?;
        std::fs::rename(&tmp, &self.path).map_err(io)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watch(name: &str) -> Watchlist {
        Watchlist {
            name: name.into(),
            query: "judi online".into(),
            regions: vec!["sea".into()],
            countries: vec![],
            langs: vec![],
            sources: vec![],
            topics: vec![],
            sentiments: vec!["negative".into()],
            min_risk: None,
            threshold: 5,
            window_hours: 24,
        }
    }

    #[test]
    fn create_edit_rename_delete_round_trip_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let store = WatchlistStore::new(&dir.path().join("watchlists.toml"));
        assert!(store.list().unwrap().is_empty());
        store.save(None, watch("การพนัน ads")).unwrap();
        store.save(None, watch("loans")).unwrap();
        assert!(matches!(
            store.save(None, watch("loans")),
            Err(WatchlistError::Duplicate(_))
        ));
        let mut edited = watch("loan apps");
        edited.threshold = 9;
        store.save(Some("loans"), edited).unwrap();
        let all = store.list().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[1].name, "loan apps");
        assert_eq!(all[1].threshold, 9);
        assert_eq!(store.get("การพนัน ads").unwrap().regions, ["sea"]);
        store.delete("การพนัน ads").unwrap();
        assert!(matches!(
            store.delete("การพนัน ads"),
            Err(WatchlistError::NotFound(_))
        ));
        assert_eq!(store.list().unwrap().len(), 1);
    }

    #[test]
    fn bad_watchlists_are_refused_with_a_reason() {
        let mut w = watch("x");
        w.threshold = 0;
        assert!(w.validate().unwrap_err().to_string().contains("threshold"));
        let mut w = watch("x");
        w.regions = vec!["mars".into()];
        assert!(w.validate().unwrap_err().to_string().contains("mars"));
        let w = watch("  ");
        assert!(w.validate().is_err());
    }

    #[test]
    fn the_alert_fires_at_the_threshold() {
        let index = ArticleIndex::create_in_ram();
        let mut writer = index.writer().unwrap();
        let now = Utc::now();
        for i in 0..3 {
            let url = format!("http://w.test/{i}");
            writer
                .upsert(&crate::model::IndexedArticle {
                    id: crate::index::article_id(&url),
                    url,
                    title: "judi online".into(),
                    body: "iklan judi online".into(),
                    region: "sea".into(),
                    published: Some(now - chrono::Duration::hours(i)),
                    fetched: now,
                    ..Default::default()
                })
                .unwrap();
        }
        writer.commit().unwrap();
        let mut w = watch("judi");
        w.sentiments.clear();
        w.threshold = 3;
        assert_eq!(
            w.check(&index, now).unwrap(),
            WatchStatus {
                count: 3,
                alert: true
            }
        );
        w.window_hours = 1;
        assert!(!w.check(&index, now).unwrap().alert);
    }
}
