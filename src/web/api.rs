//! The JSON API under `/api/`: what the pages show, for scripts.
//!
//! Field names are snake_case and stable; a change that removes or renames
//! one is a breaking change of the OpenAPI document (`openapi.json` beside
//! this file, served at `/api/openapi.json`, and checked by a test to
//! document every route in [`ROUTES`]). Every error is a status code and
//! `{"error": {"code", "message"}}`, where `code` is one of a fixed set
//! (`bad_parameter`, `query_syntax`, `query_too_long`, `not_found`,
//! `unauthorized`, `rate_limited`, `bad_watchlist`, `duplicate`, `csrf`,
//! `internal`).

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::pages::{load_article, load_health, load_story, trend_request};
use super::{Problem, Shared, blocking, run_search};
use crate::model::{SentimentScore, TopicEvidence, TopicScore};
use crate::query::{FacetCounts, Snippet};
use crate::trends::Dimension;
use crate::watchlist::{WatchStatus, Watchlist};

/// Every API route (axum syntax), each documented in `openapi.json`.
pub const ROUTES: [&str; 9] = [
    "/api/search",
    "/api/article/{id}",
    "/api/trends",
    "/api/sources/health",
    "/api/watchlists",
    "/api/watchlists/{name}",
    "/api/digest",
    "/api/openapi.json",
    "/api/archive/{warc_id}",
];

/// The OpenAPI 3.1 document.
pub const OPENAPI: &str = include_str!("openapi.json");

pub fn routes() -> Router<Shared> {
    Router::new()
        .route(ROUTES[0], get(search))
        .route(ROUTES[1], get(article))
        .route(ROUTES[2], get(trends))
        .route(ROUTES[3], get(sources_health))
        .route(ROUTES[4], get(watchlists_list).post(watchlist_create))
        .route(
            ROUTES[5],
            get(watchlist_get)
                .put(watchlist_update)
                .delete(watchlist_delete),
        )
        .route(ROUTES[6], get(super::digest::api))
        .route(ROUTES[7], get(openapi))
        .route(ROUTES[8], get(super::archive::api))
}

fn api<T: Serialize>(r: Result<T, Problem>) -> Response {
    match r {
        Ok(v) => Json(v).into_response(),
        Err(p) => p.respond(true),
    }
}

// ---------------------------------------------------------------- search

/// A facet value and how many matches have it.
#[derive(Serialize)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
}

#[derive(Serialize)]
pub struct ApiFacets {
    pub region: Vec<FacetValue>,
    pub country: Vec<FacetValue>,
    pub lang: Vec<FacetValue>,
    pub topic: Vec<FacetValue>,
    pub sentiment: Vec<FacetValue>,
    pub source: Vec<FacetValue>,
    pub date: Vec<FacetValue>,
}

fn values(c: &FacetCounts) -> Vec<FacetValue> {
    c.iter()
        .map(|(v, n)| FacetValue {
            value: v.clone(),
            count: *n,
        })
        .collect()
}

/// A hit: the article without its body, with its score and snippet.
#[derive(Serialize)]
pub struct ApiHit<'a> {
    pub id: &'a str,
    pub url: &'a str,
    pub title: &'a str,
    pub source: &'a str,
    pub country: &'a str,
    pub region: &'a str,
    pub lang: &'a str,
    pub date: DateTime<Utc>,
    pub published: Option<DateTime<Utc>>,
    pub fetched: DateTime<Utc>,
    pub authors: &'a [String],
    pub warc_id: Option<&'a str>,
    pub topics: &'a [TopicScore],
    pub sentiment: &'a SentimentScore,
    pub risk: f32,
    /// Relevance (BM25) for sort=relevance, the risk for sort=risk, 0 for
    /// sort=newest.
    pub score: f32,
    /// Text around the hits; `highlights` are byte ranges into `text`.
    pub snippet: Option<&'a Snippet>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<&'a [TopicEvidence]>,
}

#[derive(Serialize)]
pub struct SearchResponse<'a> {
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub hits: Vec<ApiHit<'a>>,
    pub facets: ApiFacets,
}

pub async fn search(State(app): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    let outcome = match run_search(&app, raw).await {
        Ok(o) => o,
        Err(p) => return p.respond(true),
    };
    let explain = outcome.params.explain;
    let f = &outcome.facets;
    let body = SearchResponse {
        total: outcome.results.total,
        page: outcome.params.page,
        per_page: outcome.params.per_page,
        hits: outcome
            .results
            .hits
            .iter()
            .map(|h| {
                let a = &h.article;
                ApiHit {
                    id: &a.id,
                    url: &a.url,
                    title: &a.title,
                    source: &a.source,
                    country: &a.country,
                    region: &a.region,
                    lang: &a.lang,
                    date: a.published.unwrap_or(a.fetched),
                    published: a.published,
                    fetched: a.fetched,
                    authors: &a.authors,
                    warc_id: a.warc_id.as_deref(),
                    topics: &a.topics,
                    sentiment: &a.sentiment,
                    risk: a.risk,
                    score: h.score,
                    snippet: h.snippet.as_ref(),
                    evidence: explain.then_some(a.evidence.as_slice()),
                }
            })
            .collect(),
        facets: ApiFacets {
            region: values(&f.region),
            country: values(&f.country),
            lang: values(&f.lang),
            topic: values(&f.topic),
            sentiment: values(&f.sentiment),
            source: values(&f.source),
            date: values(&f.date),
        },
    };
    Json(body).into_response()
}

// ---------------------------------------------------------------- article

pub async fn article(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    let a = match load_article(&app, id).await {
        Ok(a) => a,
        Err(p) => return p.respond(true),
    };
    api(load_story(&app, &a).await.map(|story| {
        let mut v = serde_json::to_value(&a).unwrap_or_default();
        v["date"] = serde_json::json!(a.published.unwrap_or(a.fetched));
        v["evidence"] = serde_json::json!(a.evidence);
        v["story_info"] = serde_json::json!(story);
        v
    }))
}

// ---------------------------------------------------------------- trends

pub async fn trends(State(app): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    let app = Arc::clone(&app);
    api(blocking(move || {
        let by = url::form_urlencoded::parse(raw.as_deref().unwrap_or("").as_bytes())
            .find(|(k, _)| k == "by")
            .map(|(_, v)| match v.as_ref() {
                "topic" => Ok(Dimension::Topic),
                "region" => Ok(Dimension::Region),
                "country" => Ok(Dimension::Country),
                "lang" => Ok(Dimension::Lang),
                "source" => Ok(Dimension::Source),
                other => Err(Problem::bad_request(
                    "bad_parameter",
                    format!("by '{other}' must be one of topic, region, country, lang, source"),
                )),
            })
            .transpose()?
            .unwrap_or(Dimension::Topic);
        let request = trend_request(&app, raw.as_deref(), by)?;
        Ok(crate::trends::trends(&app.index, &request)?)
    })
    .await)
}

// ---------------------------------------------------------------- sources

#[derive(Serialize)]
struct HealthResponse {
    sources: Vec<crate::state::SourceHealth>,
}

pub async fn sources_health(State(app): State<Shared>) -> Response {
    api(load_health(&app)
        .await
        .map(|sources| HealthResponse { sources }))
}

// ---------------------------------------------------------------- watchlists

#[derive(Serialize)]
pub struct WatchlistView {
    #[serde(flatten)]
    pub watchlist: Watchlist,
    /// Matches now; absent when the search failed.
    pub status: Option<WatchStatus>,
}

#[derive(Serialize)]
struct WatchlistsResponse {
    watchlists: Vec<WatchlistView>,
}

fn with_status(app: &super::AppState, w: Watchlist) -> WatchlistView {
    let status = w.check(&app.index, Utc::now()).ok();
    WatchlistView {
        watchlist: w,
        status,
    }
}

pub async fn watchlists_list(State(app): State<Shared>) -> Response {
    let app = Arc::clone(&app);
    api(blocking(move || {
        let list = app.watchlists.list()?;
        Ok(WatchlistsResponse {
            watchlists: list.into_iter().map(|w| with_status(&app, w)).collect(),
        })
    })
    .await)
}

pub async fn watchlist_get(State(app): State<Shared>, Path(name): Path<String>) -> Response {
    let app = Arc::clone(&app);
    api(blocking(move || {
        let w = app.watchlists.get(&name)?;
        Ok(with_status(&app, w))
    })
    .await)
}

/// The body as a watchlist, with a JSON error when it is not one.
fn parse_watchlist(body: &[u8]) -> Result<Watchlist, Problem> {
    serde_json::from_slice(body).map_err(|e| {
        Problem::bad_request("bad_watchlist", format!("the body is not a watchlist: {e}"))
    })
}

/// Only JSON bodies: a cross-site form cannot send `application/json`
/// without a preflight, which this server never grants.
fn require_json(headers: &axum::http::HeaderMap) -> Result<(), Problem> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json {
        Ok(())
    } else {
        Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "bad_watchlist",
            "send the watchlist as JSON (Content-Type: application/json)",
        ))
    }
}

pub async fn watchlist_create(
    State(app): State<Shared>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let result = require_json(&headers)
        .and_then(|()| parse_watchlist(&body))
        .and_then(|w| app.watchlists.save(None, w).map_err(Problem::from));
    match result {
        Ok(w) => (StatusCode::CREATED, Json(w)).into_response(),
        Err(p) => p.respond(true),
    }
}

pub async fn watchlist_update(
    State(app): State<Shared>,
    Path(name): Path<String>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    api(require_json(&headers)
        .and_then(|()| parse_watchlist(&body))
        .and_then(|w| app.watchlists.save(Some(&name), w).map_err(Problem::from)))
}

pub async fn watchlist_delete(State(app): State<Shared>, Path(name): Path<String>) -> Response {
    match app.watchlists.delete(&name) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => Problem::from(e).respond(true),
    }
}

// ---------------------------------------------------------------- docs

pub async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_openapi_document_parses_and_documents_every_route() {
        let doc: serde_json::Value = serde_json::from_str(OPENAPI).expect("openapi.json parses");
        assert_eq!(doc["openapi"], "3.1.0");
        let paths = doc["paths"].as_object().unwrap();
        for route in ROUTES {
            assert!(paths.contains_key(route), "{route} is not in openapi.json");
        }
        for path in paths.keys() {
            let known = ROUTES.contains(&path.as_str())
                || ["/export.csv", "/export.jsonl"].contains(&path.as_str());
            assert!(known, "openapi.json documents {path}, which is not a route");
        }
    }
}
