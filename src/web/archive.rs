//! The archived copy of a fetched page: `/archive/{warc_id}` (the record in
//! the site's layout), `/archive/{warc_id}/raw` (the page itself) and
//! `/api/archive/{warc_id}` (metadata and body as JSON).
//!
//! An archived page is hostile input: it was written by whoever runs the
//! site, and served from kabar's origin it could read the analyst's other
//! pages. So the layout page shows it as escaped text, and the raw route
//! serves it with `Content-Security-Policy: sandbox` (a unique origin, no
//! script, no forms, no plugins) and `default-src 'none'` (nothing loaded
//! from the outlet either, so opening it tells the outlet nothing), with
//! `nosniff` and a content type kabar chose: HTML as UTF-8 HTML (decoded by
//! [`crate::charset`] as the extractor decodes it), anything else as plain
//! text. Record ids are checked against the UUID form before any lookup
//! ([`crate::archive::normalize_record_id`]); nothing from the URL reaches
//! a file path. Lookups go through the sidecar index of
//! [`crate::archive::RecordIndex`].

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::html::safe_href;
use super::{Problem, Shared, blocking};
use crate::archive::{ArchivedFetch, normalize_record_id};

/// The raw page's policy: its own opaque origin, nothing runs or loads
/// except its inline styles and inline images.
pub const RAW_CSP: &str = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The archived response, decoded.
struct Shown {
    fetch: ArchivedFetch,
    html: bool,
    text: String,
    encoding: &'static str,
}

async fn load(app: &Shared, raw_id: String) -> Result<Shown, Problem> {
    let Some(id) = normalize_record_id(&raw_id) else {
        return Err(Problem::not_found(
            "no archived record with this id (ids are WARC record ids: <urn:uuid:…>)",
        ));
    };
    let app = Arc::clone(app);
    blocking(move || {
        let fetch = app
            .archive
            .find(&id)
            .map_err(Problem::internal)?
            .ok_or_else(|| Problem::not_found(format!("no archived record {id}")))?;
        let ct = fetch.page.content_type.clone();
        let html = ct
            .as_deref()
            .is_none_or(|c| c.to_ascii_lowercase().contains("html"));
        let decoded = crate::charset::decode_html(&fetch.page.body, ct.as_deref());
        Ok(Shown {
            html,
            text: decoded.text.into_owned(),
            encoding: decoded.encoding.name(),
            fetch,
        })
    })
    .await
}

// ---------------------------------------------------------------- page

#[derive(Template)]
#[template(path = "archive.html")]
struct ArchivePage {
    nav: &'static str,
    record_id: String,
    target: String,
    target_href: Option<String>,
    requested: String,
    date: String,
    status: u16,
    headers: Vec<(String, String)>,
    source: String,
    kind: String,
    bytes: usize,
    encoding: &'static str,
    html: bool,
    body: String,
    raw: String,
    json: String,
}

fn id_path(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

pub async fn page(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    let shown = match load(&app, id).await {
        Ok(s) => s,
        Err(p) => return p.respond(false),
    };
    let f = &shown.fetch;
    let tz = app.config.timezone();
    let path = id_path(&f.record_id);
    let page = ArchivePage {
        nav: "search",
        record_id: f.record_id.clone(),
        target: f.page.final_url.to_string(),
        target_href: safe_href(f.page.final_url.as_str()),
        requested: f.page.requested_url.to_string(),
        date: format!(
            "{} ({})",
            f.page
                .fetched
                .with_timezone(&tz)
                .format("%Y-%m-%d %H:%M:%S"),
            tz.name()
        ),
        status: f.page.status,
        headers: response_headers(f),
        source: f.meta.source.clone(),
        kind: f.meta.kind.clone(),
        bytes: f.page.body.len(),
        encoding: shown.encoding,
        html: shown.html,
        // Printed escaped by the template.
        body: shown.text.clone(),
        raw: format!("/archive/{path}/raw"),
        json: format!("/api/archive/{path}"),
    };
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => Problem::internal(format!("template: {e}")).respond(false),
    }
}

/// The archived response's own headers, as stored.
fn response_headers(f: &ArchivedFetch) -> Vec<(String, String)> {
    [
        ("Content-Type", &f.page.content_type),
        ("ETag", &f.page.etag),
        ("Last-Modified", &f.page.last_modified),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| (k.to_string(), v.clone())))
    .collect()
}

// ---------------------------------------------------------------- raw

pub async fn raw(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    let shown = match load(&app, id).await {
        Ok(s) => s,
        Err(p) => return p.respond(false),
    };
    let content_type = if shown.html {
        "text/html; charset=utf-8"
    } else {
        "text/plain; charset=utf-8"
    };
    let mut response = ([(header::CONTENT_TYPE, content_type)], shown.text).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(RAW_CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline"),
    );
    response
}

// ---------------------------------------------------------------- API

#[derive(Serialize)]
pub struct ArchiveResponse {
    pub record_id: String,
    pub target_uri: String,
    pub requested_uri: String,
    pub fetched: DateTime<Utc>,
    pub status: u16,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub source: String,
    pub kind: String,
    pub feed_url: Option<String>,
    pub title_hint: Option<String>,
    /// The body's length as archived, in bytes.
    pub body_bytes: usize,
    /// The encoding the body was decoded from.
    pub encoding: String,
    /// The body decoded to text (undecodable bytes become U+FFFD).
    pub body: String,
}

pub async fn api(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    match load(&app, id).await {
        Ok(s) => {
            let f = s.fetch;
            axum::Json(ArchiveResponse {
                record_id: f.record_id,
                target_uri: f.page.final_url.to_string(),
                requested_uri: f.page.requested_url.to_string(),
                fetched: f.page.fetched,
                status: f.page.status,
                content_type: f.page.content_type,
                etag: f.page.etag,
                last_modified: f.page.last_modified,
                source: f.meta.source,
                kind: f.meta.kind,
                feed_url: f.meta.feed_url,
                title_hint: f.meta.title_hint,
                body_bytes: f.page.body.len(),
                encoding: s.encoding.to_string(),
                body: s.text,
            })
            .into_response()
        }
        Err(p) => p.respond(true),
    }
}
