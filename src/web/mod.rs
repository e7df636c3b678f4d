//! `kabar serve`: the analyst's search page and the JSON API.
//!
//! One axum router serves both; pages ([`pages`]) render server-side from
//! askama templates (compiled into the binary, every value escaped), the
//! API ([`api`]) answers the same questions as JSON, and both read the
//! index through [`crate::query`] and [`crate::trends`] like the CLI does,
//! with the URL parameters read by [`params`] into the same
//! [`crate::filters::SearchFilters`] the CLI's flags become. Searching is CPU
//! work, so handlers hand it to the blocking pool and the async workers
//! stay free to accept connections.
//!
//! ```text
//! request ─► security headers ─► rate limit (per IP) ─► token (if set) ─► route
//!              guard.rs            guard.rs               guard.rs          pages.rs / api.rs
//! ```
//!
//! Routes: `/`, `/search`, `/article/{id}`, `/trends`, `/sources`,
//! `/watchlists`, `/digest`, `/archive/{warc_id}` (and `/raw`), `/export.csv`, `/export.jsonl`, `/login`, `/static/{file}`, and under
//! `/api/` the routes listed in [`api::ROUTES`], documented by the OpenAPI
//! document at `/api/openapi.json`.

pub mod api;
pub mod archive;
pub mod charts;
pub mod digest;
pub mod guard;
pub mod html;
pub mod pages;
pub mod params;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Serialize;

use crate::config::Config;
use crate::filters::FilterError;
use crate::index::{ArticleIndex, IndexError};
use crate::query::QueryError;
use crate::watchlist::{WatchlistError, WatchlistStore};

/// Everything a handler needs, shared.
pub struct AppState {
    pub index: ArticleIndex,
    pub config: Config,
    /// Topic ids the concept packs define (for checking `topic=`); `None`
    /// when the packs could not be loaded, and then topics are not checked.
    pub topics: Option<Vec<String>>,
    pub watchlists: WatchlistStore,
    pub limiter: guard::RateLimiter,
    /// Required on every request when set.
    pub token: Option<String>,
    /// Topic id → display name, for the digest's headings; read from the
    /// concept packs on first use (empty when they cannot be loaded: the
    /// digest then shows ids).
    topic_names: std::sync::OnceLock<std::collections::BTreeMap<String, String>>,
    /// Where each archived response is (see [`crate::archive::RecordIndex`]).
    pub archive: crate::archive::RecordIndex,
}

pub type Shared = Arc<AppState>;

impl AppState {
    pub fn new(index: ArticleIndex, config: Config, topics: Option<Vec<String>>) -> AppState {
        let token = Some(config.web.token.clone()).filter(|t| !t.is_empty());
        AppState {
            index,
            topic_names: std::sync::OnceLock::new(),
            archive: crate::archive::RecordIndex::new(&config.archive_dir()),
            watchlists: WatchlistStore::new(&config.watchlists_path()),
            limiter: guard::RateLimiter::new(config.web.rate_per_sec, config.web.rate_burst),
            topics,
            token,
            config,
        }
    }

    pub fn topic_names(&self) -> &std::collections::BTreeMap<String, String> {
        self.topic_names.get_or_init(|| {
            match crate::analyze::article::load_topics(&self.config.topics_dir) {
                Ok(t) => t.names(),
                Err(e) => {
                    tracing::warn!("the digest shows topic ids, not names: {e}");
                    Default::default()
                }
            }
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "web.addr / --addr '{0}' is not an IP address with a port (for example 127.0.0.1:8080)"
    )]
    Addr(String),
    #[error(
        "refusing to listen on {0} without a token: anyone who can reach it could read the index. Set web.token in the config or KABAR_WEB_TOKEN, or listen on 127.0.0.1"
    )]
    NoToken(SocketAddr),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
}

/// Opens the index and serves until `shutdown` completes.
pub async fn serve(
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let addr: SocketAddr = config
        .web
        .addr
        .parse()
        .map_err(|_| ServeError::Addr(config.web.addr.clone()))?;
    check_exposure(addr, &config.web.token)?;
    let index = ArticleIndex::open(&config.tantivy_dir())?;
    let topics = match crate::analyze::article::load_topics(&config.topics_dir) {
        Ok(t) => Some(t.ids().map(str::to_string).collect::<Vec<_>>()),
        Err(e) => {
            tracing::warn!("topic filters are not checked: {e}");
            None
        }
    };
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let state = Arc::new(AppState::new(index, config, topics));
    eprintln!(
        "kabar: serving http://{} (Ctrl-C to stop){}",
        listener.local_addr()?,
        if state.token.is_some() {
            "; a token is required"
        } else {
            ""
        }
    );
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    Ok(())
}

/// A non-loopback address needs a token.
pub fn check_exposure(addr: SocketAddr, token: &str) -> Result<(), ServeError> {
    if !addr.ip().is_loopback() && token.is_empty() {
        return Err(ServeError::NoToken(addr));
    }
    Ok(())
}

/// Every route, with its layers.
pub fn router(state: Shared) -> Router {
    use axum::middleware::{from_fn, from_fn_with_state};
    Router::new()
        .route("/", get(pages::search))
        .route("/search", get(pages::search))
        .route("/article/{id}", get(pages::article))
        .route("/trends", get(pages::trends))
        .route("/sources", get(pages::sources))
        .route("/digest", get(digest::page))
        .route("/watchlists", get(pages::watchlists))
        .route("/watchlists/save", post(pages::watchlist_save))
        .route("/watchlists/delete", post(pages::watchlist_delete))
        .route("/archive/{warc_id}", get(archive::page))
        .route("/archive/{warc_id}/raw", get(archive::raw))
        .route("/export.csv", get(pages::export_csv))
        .route("/export.jsonl", get(pages::export_jsonl))
        .route("/login", get(guard::login))
        .route("/static/{file}", get(pages::static_file))
        .merge(api::routes())
        .fallback(pages::not_found)
        .layer(from_fn_with_state(Arc::clone(&state), guard::require_token))
        .layer(from_fn_with_state(Arc::clone(&state), guard::rate_limit))
        .layer(from_fn(guard::security_headers))
        .with_state(state)
}

/// What went wrong, as the API's JSON error or an HTML page.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: StatusCode,
    /// Stable, snake_case: what a script can branch on.
    pub code: &'static str,
    pub message: String,
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    code: &'a str,
    message: &'a str,
}

impl Problem {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Problem {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// Logs the detail; tells the client only that it failed.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!("web: {detail}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed to answer; the detail is in its log",
        )
    }

    /// `{"error": {"code", "message"}}` for the API, a page otherwise.
    pub fn respond(&self, api: bool) -> Response {
        if api {
            let body = ErrorBody {
                error: ErrorDetail {
                    code: self.code,
                    message: &self.message,
                },
            };
            (self.status, axum::Json(body)).into_response()
        } else {
            pages::error_page(self)
        }
    }
}

impl From<FilterError> for Problem {
    fn from(e: FilterError) -> Self {
        Problem::bad_request("bad_parameter", e.0)
    }
}

impl From<QueryError> for Problem {
    fn from(e: QueryError) -> Self {
        match e {
            QueryError::Syntax { .. } => Problem::bad_request("query_syntax", e.to_string()),
            QueryError::TooLong(_) => Problem::bad_request("query_too_long", e.to_string()),
            other => Problem::internal(other),
        }
    }
}

impl From<WatchlistError> for Problem {
    fn from(e: WatchlistError) -> Self {
        match e {
            WatchlistError::Invalid(m) => Problem::bad_request("bad_watchlist", m),
            WatchlistError::NotFound(_) => Problem::not_found(e.to_string()),
            WatchlistError::Duplicate(_) => {
                Problem::new(StatusCode::CONFLICT, "duplicate", e.to_string())
            }
            WatchlistError::Query(q) => q.into(),
            other => Problem::internal(other),
        }
    }
}

/// Runs CPU work (searching, rendering big pages) on the blocking pool.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, Problem> + Send + 'static,
) -> Result<T, Problem> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(Problem::internal)?
}

/// A search with its facets, as the page, the API and the exports ask.
pub struct SearchOutcome {
    pub params: params::SearchParams,
    pub request: crate::query::QueryRequest,
    pub results: crate::query::SearchResults,
    pub facets: crate::query::Facets,
    pub now: chrono::DateTime<chrono::Utc>,
}

/// Snippet length on the page and in the API, in characters.
pub const SNIPPET_CHARS: usize = 240;

/// Reads the parameters, checks them and builds the request (paging set).
pub fn search_request(
    app: &AppState,
    raw: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(params::SearchParams, crate::query::QueryRequest), Problem> {
    let params = params::SearchParams::parse(raw, app.config.web.max_page_size)?;
    let mut request =
        params
            .filters
            .to_request(now, &app.config.timezone(), app.topics.as_deref())?;
    request.limit = params.per_page;
    request.offset = params.offset();
    request.snippet_chars = SNIPPET_CHARS;
    Ok((params, request))
}

/// Runs a search and its facets on the blocking pool, in one pass over the
/// matches (the index spreads its segments over the cores).
pub async fn run_search(app: &Shared, raw: Option<String>) -> Result<SearchOutcome, Problem> {
    let now = chrono::Utc::now();
    let (params, request) = search_request(app, raw.as_deref(), now)?;
    let a = Arc::clone(app);
    let r = request.clone();
    let (results, facets) =
        blocking(move || Ok(crate::query::search_with_facets(&a.index, &r, now)?)).await?;
    Ok(SearchOutcome {
        params,
        request,
        results,
        facets,
        now,
    })
}
