//! Shared test helpers: a loopback test web and a way to run the `kabar`
//! binary against it. No test touches the internet.
//!
//! The test web serves `tests/fixtures/web/<site>/<path>` at
//! `http://127.0.0.1:PORT/<site>/<path>`, replacing `{{BASE}}` in the raw bytes
//! of text files (three pages are in legacy encodings, so no decoding), and
//! answers `/status/<code>` with that status and `/status/timeout` after a long
//! sleep. It counts requests per path so tests can tell what was fetched.

#![allow(dead_code)] // each test binary uses a different subset

pub mod site;
pub mod smtp;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::Response;

/// How long `/status/timeout` keeps the client waiting. Longer than the
/// crawl timeout the test config sets ([`TEST_TIMEOUT_SECS`]).
pub const SLOW_RESPONSE: Duration = Duration::from_secs(20);
/// The crawl's total timeout in tests.
pub const TEST_TIMEOUT_SECS: u64 = 2;

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[derive(Clone)]
struct WebState {
    root: PathBuf,
    base: String,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    times: Arc<Mutex<HashMap<String, Vec<std::time::Instant>>>>,
    html_delay_ms: Arc<AtomicU64>,
    robots: Arc<Mutex<Option<String>>>,
}

/// A running test web. Dropping it stops the server.
pub struct TestWeb {
    pub base: String,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    times: Arc<Mutex<HashMap<String, Vec<std::time::Instant>>>>,
    html_delay_ms: Arc<AtomicU64>,
    robots: Arc<Mutex<Option<String>>>,
    _runtime: tokio::runtime::Runtime,
}

impl TestWeb {
    /// Serves `tests/fixtures/web` on a free loopback port.
    pub fn start() -> TestWeb {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let hits = Arc::new(Mutex::new(HashMap::new()));
        let html_delay_ms = Arc::new(AtomicU64::new(0));
        let times = Arc::new(Mutex::new(HashMap::new()));
        let robots = Arc::new(Mutex::new(None));
        let state = WebState {
            root: fixtures().join("web"),
            base: base.clone(),
            hits: Arc::clone(&hits),
            times: Arc::clone(&times),
            html_delay_ms: Arc::clone(&html_delay_ms),
            robots: Arc::clone(&robots),
        };
        let app = Router::new().fallback(serve).with_state(state);
        runtime.spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        TestWeb {
            base,
            hits,
            times,
            html_delay_ms,
            robots,
            _runtime: runtime,
        }
    }

    /// Serves `text` as /robots.txt (404 when never set).
    pub fn set_robots(&self, text: &str) {
        *self.robots.lock().unwrap() = Some(text.to_string());
    }

    /// When each request for `path` arrived.
    pub fn times(&self, path: &str) -> Vec<std::time::Instant> {
        self.times
            .lock()
            .unwrap()
            .get(path)
            .cloned()
            .unwrap_or_default()
    }

    /// Makes every HTML page answer only after `delay` (feeds stay fast), so
    /// a test can interrupt a crawl in the middle.
    pub fn set_html_delay(&self, delay: Duration) {
        self.html_delay_ms
            .store(delay.as_millis() as u64, Ordering::Relaxed);
    }

    /// How often `path` (e.g. `/straits-ledger/feed.xml`) was requested.
    pub fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    /// Every path requested so far, with its count.
    pub fn all_hits(&self) -> HashMap<String, usize> {
        self.hits.lock().unwrap().clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}/{}", self.base, path.trim_start_matches('/'))
    }
}

async fn serve(State(state): State<WebState>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    let query = request.uri().query().unwrap_or("").to_string();
    let count = {
        let mut hits = state.hits.lock().unwrap();
        let n = hits.entry(path.clone()).or_default();
        *n += 1;
        *n
    };
    state
        .times
        .lock()
        .unwrap()
        .entry(path.clone())
        .or_default()
        .push(std::time::Instant::now());

    if path == "/robots.txt"
        && let Some(text) = state.robots.lock().unwrap().clone()
    {
        return Response::builder()
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from(text))
            .unwrap();
    }
    // /huge: 6 MiB of HTML without Content-Length; /bomb: a gzip body that
    // inflates to 64 MiB from about 64 KiB on the wire.
    if path == "/huge" {
        let chunk = "<p>".to_string() + &"x".repeat(1021) + "</p>";
        let body = chunk.repeat(6 * 1024);
        let stream = futures_util_stream(body.into_bytes());
        return Response::builder()
            .header(header::CONTENT_TYPE, "text/html")
            .body(stream)
            .unwrap();
    }
    if path == "/bomb" {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![b' '; 1024 * 1024];
        for _ in 0..64 {
            std::io::Write::write_all(&mut gz, &zeros).unwrap();
        }
        return Response::builder()
            .header(header::CONTENT_TYPE, "text/html")
            .header(header::CONTENT_ENCODING, "gzip")
            .body(Body::from(gz.finish().unwrap()))
            .unwrap();
    }
    // /redirect-loop/a <-> /redirect-loop/b
    if let Some(which) = path.strip_prefix("/redirect-loop/") {
        let to = if which == "a" {
            "/redirect-loop/b"
        } else {
            "/redirect-loop/a"
        };
        return Response::builder()
            .status(StatusCode::FOUND)
            .header(header::LOCATION, to)
            .body(Body::empty())
            .unwrap();
    }
    // /flaky/<n>/<code>/<path>: answers <code> to the first <n> requests
    // (with Retry-After when the query says `retry_after=S`), then serves <path>.
    let mut path = path;
    if let Some(rest) = path.strip_prefix("/flaky/") {
        let mut parts = rest.splitn(3, '/');
        let n: usize = parts.next().unwrap_or("0").parse().unwrap_or(0);
        let code: u16 = parts.next().unwrap_or("503").parse().unwrap_or(503);
        let inner = format!("/{}", parts.next().unwrap_or(""));
        if count <= n {
            let mut response = Response::builder().status(StatusCode::from_u16(code).unwrap());
            if let Some(secs) = query.strip_prefix("retry_after=") {
                response = response.header(header::RETRY_AFTER, secs);
            }
            return response.body(Body::from("try later")).unwrap();
        }
        path = inner;
    }

    if let Some(status) = path.strip_prefix("/status/") {
        if status == "timeout" {
            tokio::time::sleep(SLOW_RESPONSE).await;
            return plain(StatusCode::OK, "too late");
        }
        let code = status.parse().unwrap_or(500);
        return plain(
            StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            "status route",
        );
    }

    let rel = path.trim_start_matches('/');
    if rel.split('/').any(|p| p == "..") {
        return plain(StatusCode::BAD_REQUEST, "no traversal");
    }
    let mut file = state.root.join(rel);
    if file.is_dir() {
        file = file.join("index.html");
    }
    let Ok(mut bytes) = std::fs::read(&file) else {
        return plain(StatusCode::NOT_FOUND, "not found");
    };
    let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("");
    let delay = state.html_delay_ms.load(Ordering::Relaxed);
    if ext == "html" && delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if matches!(
        ext,
        "xml" | "rss" | "atom" | "json" | "html" | "htm" | "toml" | "txt"
    ) {
        bytes = replace_bytes(&bytes, b"{{BASE}}", state.base.as_bytes());
    }
    // No charset on HTML: the legacy pages must be decoded from their own bytes.
    let content_type = match ext {
        "html" | "htm" => "text/html",
        "xml" | "rdf" => "application/xml",
        "rss" => "application/rss+xml",
        "atom" => "application/atom+xml",
        "json" => "application/feed+json",
        _ => "text/plain",
    };
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(bytes))
        .unwrap()
}

/// A body sent in chunks with no Content-Length, like a streaming server.
fn futures_util_stream(bytes: Vec<u8>) -> Body {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        bytes.chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
    Body::from_stream(futures::stream::iter(chunks))
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(text))
        .unwrap()
}

pub fn replace_bytes(haystack: &[u8], needle: &[u8], with: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(needle) {
            out.extend_from_slice(with);
            i += needle.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// A scratch folder with a catalog made from fixture catalogs, a data
/// folder and a config file for fast loopback crawls.
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    /// Copies the fixture catalogs named in `catalogs` (folders under
    /// `tests/fixtures`) into one catalog, with `{{BASE}}` replaced.
    pub fn new(web: &TestWeb, catalogs: &[&str]) -> Workspace {
        Self::with_config(
            web,
            catalogs,
            "per_host_concurrency = 8\ncommit_every = 10\n",
        )
    }

    /// Like [`Workspace::new`], with `crawl_keys` (TOML lines for the
    /// `[crawl]` table) instead of the default concurrency and commit size.
    pub fn with_config(web: &TestWeb, catalogs: &[&str], crawl_keys: &str) -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        let sources = dir.path().join("sources");
        for name in catalogs {
            copy_templated(&fixtures().join(name), &sources, &web.base);
        }
        // Politeness off on loopback so the suite stays fast; the timeout
        // is short so the slow route fails quickly.
        std::fs::write(
            dir.path().join("kabar.toml"),
            format!(
                "[crawl]\nallow_private = true\nper_host_interval_ms = 0\nconcurrency = 16\nretry_base_ms = 20\n\
                 timeout_secs = {TEST_TIMEOUT_SECS}\nconnect_timeout_secs = 2\n{crawl_keys}"
            ),
        )
        .unwrap();
        Workspace { dir }
    }

    /// A workspace whose catalog is `files` (relative path, TOML text with
    /// `{{BASE}}` placeholders) and whose `[crawl]` table is `crawl_keys`
    /// plus the test defaults.
    pub fn with_catalog<P: AsRef<str>, T: AsRef<str>>(
        web: &TestWeb,
        files: &[(P, T)],
        crawl_keys: &str,
    ) -> Workspace {
        let ws = Self::with_config(web, &[], crawl_keys);
        for (rel, text) in files {
            let path = ws.path().join("sources").join(rel.as_ref());
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text.as_ref().replace("{{BASE}}", &web.base)).unwrap();
        }
        ws
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The arguments that point `kabar` at this workspace.
    pub fn args(&self, args: &[&str]) -> Vec<String> {
        let p = self.path();
        let mut full: Vec<String> = vec![
            "--sources".into(),
            p.join("sources").display().to_string(),
            "--data".into(),
            p.join("data").display().to_string(),
            "--config".into(),
            p.join("kabar.toml").display().to_string(),
        ];
        full.extend(args.iter().map(|s| s.to_string()));
        full
    }

    /// Runs `kabar` with this workspace's catalog, data folder and config.
    pub fn kabar(&self, args: &[&str]) -> Output {
        kabar(&self.args(args))
    }

    /// Starts `kabar` in the background, output captured.
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        Command::new(env!("CARGO_BIN_EXE_kabar"))
            .args(self.args(args))
            .current_dir(std::env::temp_dir())
            .env("KABAR_LOG", "warn")
            .env("KABAR_TOPICS", TOPICS_DIR)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("kabar starts")
    }

    /// URLs the crawl state records as indexed (read while a crawl may run).
    pub fn indexed_urls(&self) -> Vec<String> {
        let path = self.path().join("data/state.sqlite");
        if !path.exists() {
            return Vec::new();
        }
        let Ok(conn) = rusqlite::Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        ) else {
            return Vec::new();
        };
        let Ok(mut stmt) = conn.prepare("SELECT url FROM articles WHERE status = 'indexed'") else {
            return Vec::new();
        };
        stmt.query_map([], |r| r.get::<_, String>(0))
            .map(|rows| rows.flatten().collect())
            .unwrap_or_default()
    }
}

fn copy_templated(from: &Path, to: &Path, base: &str) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_templated(&entry.path(), &target, base);
        } else if entry.path().extension().is_some_and(|e| e == "toml") {
            std::fs::create_dir_all(to).unwrap();
            let text = std::fs::read_to_string(entry.path()).unwrap();
            std::fs::write(target, text.replace("{{BASE}}", base)).unwrap();
        }
    }
}

/// The shipped concept packs: tests run kabar from a temporary folder.
pub const TOPICS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/topics");

/// Runs the `kabar` binary with `args` in a neutral working folder.
pub fn kabar<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kabar"))
        .args(args)
        .current_dir(std::env::temp_dir())
        .env_remove("KABAR_DATA")
        .env_remove("KABAR_SOURCES")
        .env_remove("KABAR_CONFIG")
        .env("KABAR_LOG", "warn")
        .env("KABAR_TOPICS", TOPICS_DIR)
        .output()
        .expect("kabar runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Parses JSON Lines output.
pub fn json_lines(o: &Output) -> Vec<serde_json::Value> {
    stdout(o)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l}: {e}")))
        .collect()
}

/// One article of `tests/fixtures/web/manifest.json`.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ManifestArticle {
    pub site: String,
    pub path: String,
    pub lang: String,
    pub country: String,
    pub region: String,
    pub encoding: String,
    pub title: String,
    pub published: String,
    pub authors: Vec<String>,
    pub search_terms: Vec<String>,
    pub body_must_contain: Vec<String>,
    pub body_must_not_contain: Vec<String>,
}

pub fn manifest() -> Vec<ManifestArticle> {
    let text = std::fs::read_to_string(fixtures().join("web/manifest.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}
