//! The HTML pages: handlers that gather data and the views they render.
//!
//! Each handler builds a small view struct of display-ready values (dates
//! in the display time zone, labels, links) and renders it with an askama
//! template from `templates/`. Templates escape everything they print; the
//! few `|safe` values are [`Markup`] from [`super::html`] and
//! [`super::charts`], which escape the text they wrap.

use std::sync::Arc;

use askama::Template;
use axum::body::Body;
use axum::extract::{Form, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::charts;
use super::guard::{self, CSRF_COOKIE};
use super::html::{Highlight, Markup, find_all, highlight, lang_attr, safe_href};
use super::{Problem, Shared, blocking, run_search, search_request};
use crate::export::ExportFormat;
use crate::model::{IndexedArticle, SentimentLabel, TextField};
use crate::query::{Hit, Sort};
use crate::trends::{Dimension, Interval, TrendRequest};
use crate::watchlist::{DEFAULT_WINDOW_HOURS, LinkScope, Watchlist};

/// Days the trends page shows by default, and at most.
pub const TREND_DAYS: usize = 30;
pub const MAX_TREND_DAYS: usize = 90;
/// Evidence sentences found again in the body, per sentence, at most.
const MAX_SENTENCE_MATCHES: usize = 3;

fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => Problem::internal(format!("template: {e}")).respond(false),
    }
}

fn page_result(r: Result<Response, Problem>) -> Response {
    r.unwrap_or_else(|p| p.respond(false))
}

// ---------------------------------------------------------------- errors

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    nav: &'static str,
    status: u16,
    reason: &'a str,
    code: &'a str,
    message: &'a str,
}

pub fn error_page(p: &Problem) -> Response {
    let page = ErrorPage {
        nav: "",
        status: p.status.as_u16(),
        reason: p.status.canonical_reason().unwrap_or(""),
        code: p.code,
        message: &p.message,
    };
    let body = page
        .render()
        .unwrap_or_else(|_| "<!doctype html><title>error</title>error".into());
    (p.status, Html(body)).into_response()
}

pub async fn not_found(uri: axum::http::Uri) -> Response {
    let api = guard::is_api(uri.path());
    Problem::not_found(format!("nothing at {}", uri.path())).respond(api)
}

// ---------------------------------------------------------------- static

/// Static assets are compiled in; there is no file system path to escape.
pub async fn static_file(Path(file): Path<String>) -> Response {
    let (body, content_type) = match file.as_str() {
        "style.css" => (include_str!("static/style.css"), "text/css; charset=utf-8"),
        _ => return Problem::not_found("no such static file").respond(false),
    };
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

// ---------------------------------------------------------------- search

struct FacetValue {
    value: String,
    count: u64,
    link: String,
    active: bool,
}

struct FacetGroup {
    label: &'static str,
    values: Vec<FacetValue>,
}

struct HitView {
    id: String,
    title: Markup,
    lang: String,
    url: String,
    original: Option<String>,
    source: String,
    country: String,
    date: String,
    sentiment: &'static str,
    sentiment_score: String,
    risk: String,
    risk_class: &'static str,
    topics: Vec<String>,
    snippet: Markup,
}

struct Link {
    label: String,
    href: String,
    current: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    nav: &'static str,
    q: String,
    hidden: Vec<(String, String)>,
    sorts: Vec<Link>,
    total: usize,
    from: usize,
    to: usize,
    hits: Vec<HitView>,
    facets: Vec<FacetGroup>,
    active: Vec<(String, String, String)>,
    pages: Vec<Link>,
    prev: Option<String>,
    next: Option<String>,
    export_csv: String,
    export_jsonl: String,
    tz: String,
}

pub fn sort_name(s: Sort) -> &'static str {
    match s {
        Sort::Relevance => "relevance",
        Sort::Newest => "newest",
        Sort::Risk => "risk",
    }
}

pub fn sentiment_class(label: SentimentLabel) -> &'static str {
    label.as_str()
}

pub fn risk_class(risk: f32) -> &'static str {
    if risk >= 70.0 {
        "high"
    } else if risk >= 40.0 {
        "medium"
    } else {
        "low"
    }
}

fn format_date(t: DateTime<Utc>, tz: &chrono_tz::Tz) -> String {
    t.with_timezone(tz).format("%Y-%m-%d %H:%M").to_string()
}

fn hit_view(hit: &Hit, tz: &chrono_tz::Tz) -> HitView {
    let a = &hit.article;
    // The snippet's hits are in the body, or in the title when only the
    // title matched (then the snippet *is* the title).
    let snippet = match &hit.snippet {
        Some(s) => highlight(
            &s.text,
            &s.highlights
                .iter()
                .map(|&(x, y)| (x, y, Highlight::Hit))
                .collect::<Vec<_>>(),
        ),
        None => highlight(
            &a.body
                .chars()
                .take(super::SNIPPET_CHARS)
                .collect::<String>(),
            &[],
        ),
    };
    HitView {
        id: a.id.clone(),
        title: highlight(
            if a.title.trim().is_empty() {
                "(no title)"
            } else {
                &a.title
            },
            &[],
        ),
        lang: lang_attr(&a.lang).to_string(),
        url: a.url.clone(),
        original: safe_href(&a.url),
        source: a.source.clone(),
        country: a.country.clone(),
        date: format_date(a.published.unwrap_or(a.fetched), tz),
        sentiment: sentiment_class(a.sentiment.label),
        sentiment_score: format!("{:+.2}", a.sentiment.score),
        risk: format!("{:.0}", a.risk),
        risk_class: risk_class(a.risk),
        topics: a.topics.iter().map(|t| t.id.clone()).collect(),
        snippet,
    }
}

pub async fn search(State(app): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    page_result(search_page(&app, raw).await)
}

async fn search_page(app: &Shared, raw: Option<String>) -> Result<Response, Problem> {
    let outcome = run_search(app, raw).await?;
    let tz = app.config.timezone();
    let p = &outcome.params;
    let f = &outcome.facets;
    let group = |label: &'static str, key: &str, counts: &[(String, u64)]| FacetGroup {
        label,
        values: counts
            .iter()
            .map(|(v, n)| FacetValue {
                value: v.clone(),
                count: *n,
                link: p.toggled(key, v),
                active: p.has(key, v),
            })
            .collect(),
    };
    let date_values: Vec<(String, u64)> = f
        .date
        .iter()
        .filter(|(k, _)| k != "older")
        .cloned()
        .collect();
    let facets = vec![
        group("Topic", "topic", &f.topic),
        group("Sentiment", "sentiment", &f.sentiment),
        group("Region", "region", &f.region),
        group("Country", "country", &f.country),
        group("Language", "lang", &f.lang),
        group("Source", "source", &f.source),
        group("Date", "since", &date_values),
    ];
    let total = outcome.results.total;
    let from = if outcome.results.hits.is_empty() {
        0
    } else {
        p.offset() + 1
    };
    let to = p.offset() + outcome.results.hits.len();
    let last_page = total
        .div_ceil(p.per_page)
        .clamp(1, super::params::MAX_OFFSET / p.per_page + 1);
    let window = p.page.saturating_sub(3).max(1)..=(p.page + 3).min(last_page);
    let pages = window
        .map(|n| Link {
            label: n.to_string(),
            href: p.page_link(n),
            current: n == p.page,
        })
        .collect();
    let sorts = [Sort::Relevance, Sort::Newest, Sort::Risk]
        .into_iter()
        .map(|s| Link {
            label: sort_name(s).to_string(),
            href: p.toggled("sort", sort_name(s)),
            current: s == p.filters.sort,
        })
        .collect();
    let hidden: Vec<(String, String)> = p
        .active()
        .into_iter()
        .map(|(k, v, _)| (k, v))
        .chain(
            (p.filters.sort != Sort::Relevance)
                .then(|| ("sort".to_string(), sort_name(p.filters.sort).to_string())),
        )
        .collect();
    let qs = p.query_string();
    let page = SearchPage {
        nav: "search",
        q: p.filters.query.clone(),
        hidden,
        sorts,
        total,
        from,
        to,
        hits: outcome
            .results
            .hits
            .iter()
            .map(|h| hit_view(h, &tz))
            .collect(),
        facets,
        active: p.active(),
        pages,
        prev: (p.page > 1).then(|| p.page_link(p.page - 1)),
        next: (to < total && p.page < last_page).then(|| p.page_link(p.page + 1)),
        export_csv: format!("/export.csv?{qs}"),
        export_jsonl: format!("/export.jsonl?{qs}"),
        tz: tz.name().to_string(),
    };
    Ok(render(&page))
}

// ---------------------------------------------------------------- article

struct TopicView {
    id: String,
    score: String,
    sentiment: &'static str,
    sentiment_score: String,
    confidence: String,
    note: &'static str,
    terms: Vec<String>,
    sentences: Vec<(String, String, String)>,
}

#[derive(Template)]
#[template(path = "article.html")]
struct ArticlePage {
    nav: &'static str,
    id: String,
    lang: String,
    title: Markup,
    title_text: String,
    body: Markup,
    url: String,
    original: Option<String>,
    archive: Option<String>,
    source: String,
    country: String,
    region: String,
    published: String,
    fetched: String,
    authors: String,
    sentiment: &'static str,
    sentiment_score: String,
    risk: String,
    risk_class: &'static str,
    topics: Vec<TopicView>,
    tz: String,
    story: StoryInfo,
    siblings: Vec<SiblingView>,
    /// This article is its story's first publisher (and has company).
    is_first: bool,
}

/// An article's story: how many articles it has, which was first, and the
/// others (oldest first, at most [`crate::query::MAX_STORY_MEMBERS`]).
#[derive(Debug, Clone, Serialize)]
pub struct StoryInfo {
    pub id: String,
    pub num_articles: usize,
    /// The id of the earliest article of the story.
    pub first_publisher: Option<String>,
    /// The story's other articles, without this one.
    pub articles: Vec<crate::query::StoryMember>,
}

/// Reads the story of `a`.
pub async fn load_story(app: &Shared, a: &IndexedArticle) -> Result<StoryInfo, Problem> {
    let app = Arc::clone(app);
    let story = if a.story.is_empty() {
        a.id.clone()
    } else {
        a.story.clone()
    };
    let this = a.id.clone();
    blocking(move || {
        let (total, members) =
            crate::query::story(&app.index, &story, crate::query::MAX_STORY_MEMBERS + 1)?;
        Ok(StoryInfo {
            id: story,
            num_articles: total.max(1),
            first_publisher: members.first().map(|m| m.id.clone()),
            articles: members
                .into_iter()
                .filter(|m| m.id != this)
                .take(crate::query::MAX_STORY_MEMBERS)
                .collect(),
        })
    })
    .await
}

struct SiblingView {
    id: String,
    title: String,
    lang: String,
    original: Option<String>,
    source: String,
    country: String,
    date: String,
    first: bool,
}

/// Title and body with the evidence marked: topic terms by their byte
/// ranges, scored sentences where their text is found in the body.
pub fn marked_article(a: &IndexedArticle) -> (Markup, Markup) {
    let mut title_ranges = Vec::new();
    let mut body_ranges = Vec::new();
    for e in &a.evidence {
        for t in &e.terms {
            let r = (t.start, t.end, Highlight::Term);
            match t.field {
                TextField::Title => title_ranges.push(r),
                TextField::Body => body_ranges.push(r),
            }
        }
        for s in &e.sentences {
            for (x, y) in find_all(&a.body, &s.text, MAX_SENTENCE_MATCHES) {
                body_ranges.push((x, y, Highlight::Sentence));
            }
        }
    }
    (
        highlight(&a.title, &title_ranges),
        highlight(&a.body, &body_ranges),
    )
}

pub async fn article(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    page_result(article_page(&app, id).await)
}

/// Reads one article (404 when the index has none with this id).
pub async fn load_article(app: &Shared, id: String) -> Result<IndexedArticle, Problem> {
    if id.len() > 64 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(Problem::not_found(
            "no article with this id (ids are 32 hexadecimal digits)",
        ));
    }
    let app = Arc::clone(app);
    blocking(move || {
        crate::query::article(&app.index, &id)?
            .ok_or_else(|| Problem::not_found(format!("no article with id {id}")))
    })
    .await
}

async fn article_page(app: &Shared, id: String) -> Result<Response, Problem> {
    let a = load_article(app, id).await?;
    let story = load_story(app, &a).await?;
    let tz = app.config.timezone();
    let siblings = story
        .articles
        .iter()
        .map(|m| SiblingView {
            id: m.id.clone(),
            title: if m.title.trim().is_empty() {
                "(no title)".into()
            } else {
                m.title.clone()
            },
            lang: lang_attr(&m.lang).to_string(),
            original: safe_href(&m.url),
            source: m.source.clone(),
            country: m.country.clone(),
            date: format_date(m.date, &tz),
            first: m.first,
        })
        .collect();
    let (title, body) = marked_article(&a);
    let topics = a
        .topics
        .iter()
        .map(|t| {
            let evidence = a.evidence.iter().find(|e| e.topic == t.id);
            TopicView {
                id: t.id.clone(),
                score: format!("{:.2}", t.score),
                sentiment: sentiment_class(t.sentiment.label),
                sentiment_score: format!("{:+.2}", t.sentiment.score),
                confidence: format!("{:.2}", t.sentiment.confidence),
                note: if t.sentiment.abstained {
                    "unclear"
                } else if t.sentiment.mixed {
                    "mixed"
                } else {
                    ""
                },
                terms: evidence
                    .map(|e| {
                        let mut terms: Vec<String> =
                            e.terms.iter().map(|x| x.text.clone()).collect();
                        terms.dedup();
                        terms
                    })
                    .unwrap_or_else(|| t.terms.clone()),
                sentences: evidence
                    .map(|e| {
                        e.sentences
                            .iter()
                            .map(|s| {
                                (
                                    format!("{:+.2}", s.score),
                                    s.text.clone(),
                                    s.cues.join(", "),
                                )
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    let page = ArticlePage {
        nav: "search",
        id: a.id.clone(),
        lang: lang_attr(&a.lang).to_string(),
        title,
        title_text: a.title.clone(),
        body,
        original: safe_href(&a.url),
        url: a.url.clone(),
        archive: a.warc_id.as_ref().map(|w| {
            format!(
                "/archive/{}",
                url::form_urlencoded::byte_serialize(w.as_bytes()).collect::<String>()
            )
        }),
        source: a.source.clone(),
        country: a.country.clone(),
        region: a.region.clone(),
        published: a
            .published
            .map(|p| format_date(p, &tz))
            .unwrap_or_else(|| "unknown".into()),
        fetched: format_date(a.fetched, &tz),
        authors: a.authors.join(", "),
        sentiment: sentiment_class(a.sentiment.label),
        sentiment_score: format!("{:+.2}", a.sentiment.score),
        risk: format!("{:.0}", a.risk),
        risk_class: risk_class(a.risk),
        topics,
        tz: tz.name().to_string(),
        is_first: story.num_articles > 1 && story.first_publisher.as_deref() == Some(a.id.as_str()),
        story,
        siblings,
    };
    Ok(render(&page))
}

// ---------------------------------------------------------------- trends

struct TrendRowView {
    key: String,
    link: String,
    total: u64,
    negative: String,
    tone: String,
    last: u64,
    spike: Option<String>,
    chart: Markup,
}

struct TrendSection {
    title: &'static str,
    rows: Vec<TrendRowView>,
}

#[derive(Template)]
#[template(path = "trends.html")]
struct TrendsPage {
    nav: &'static str,
    days: usize,
    from: String,
    to: String,
    tz: String,
    total: u64,
    all_chart: Markup,
    sections: Vec<TrendSection>,
}

/// The trend parameters: the search filters, and `days`.
pub fn trend_request(
    app: &super::AppState,
    raw: Option<&str>,
    by: Dimension,
) -> Result<TrendRequest, Problem> {
    let now = Utc::now();
    let (_, mut filter) = search_request(app, raw, now)?;
    filter.since = None;
    filter.until = None;
    let days = url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .find(|(k, _)| k == "days")
        .map(|(_, v)| {
            v.parse::<usize>()
                .ok()
                .filter(|d| (1..=MAX_TREND_DAYS).contains(d))
                .ok_or_else(|| {
                    Problem::bad_request(
                        "bad_parameter",
                        format!("days '{v}' must be a number from 1 to {MAX_TREND_DAYS}"),
                    )
                })
        })
        .transpose()?
        .unwrap_or(TREND_DAYS);
    Ok(TrendRequest {
        filter,
        by,
        interval: Interval::Day,
        periods: days,
        end: now,
        tz: app.config.timezone(),
    })
}

pub async fn trends(State(app): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    page_result(trends_page(&app, raw).await)
}

async fn trends_page(app: &Shared, raw: Option<String>) -> Result<Response, Problem> {
    let app2 = Arc::clone(app);
    let (by_topic, by_region) = blocking(move || {
        let topic = trend_request(&app2, raw.as_deref(), Dimension::Topic)?;
        let mut region = topic.clone();
        region.by = Dimension::Region;
        Ok((
            crate::trends::trends(&app2.index, &topic)?,
            crate::trends::trends(&app2.index, &region)?,
        ))
    })
    .await?;
    let tz = app.config.timezone();
    let labels: Vec<String> = by_topic
        .starts
        .iter()
        .map(|s| s.with_timezone(&tz).format("%m-%d").to_string())
        .collect();
    let section = |title: &'static str, key: &str, t: &crate::trends::Trends| TrendSection {
        title,
        rows: t
            .rows
            .iter()
            .map(|r| TrendRowView {
                key: r.key.clone(),
                link: format!(
                    "/search?{}",
                    url::form_urlencoded::Serializer::new(String::new())
                        .append_pair(key, &r.key)
                        .append_pair("sort", "newest")
                        .finish()
                ),
                total: r.total,
                negative: r
                    .negative_share()
                    .map(|x| format!("{:.0}%", 100.0 * x))
                    .unwrap_or_else(|| "–".into()),
                tone: r
                    .mean_sentiment()
                    .map(|x| format!("{x:+.2}"))
                    .unwrap_or_else(|| "–".into()),
                last: r.counts.last().copied().unwrap_or(0),
                spike: charts::spike(&r.counts).map(|s| {
                    format!(
                        "spike: {} today against {:.1} a day before",
                        s.last, s.baseline
                    )
                }),
                chart: charts::bars(r, &labels, 360, 64),
            })
            .collect(),
    };
    let page = TrendsPage {
        nav: "trends",
        days: by_topic.starts.len(),
        from: by_topic
            .starts
            .first()
            .map(|s| s.with_timezone(&tz).format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        to: by_topic
            .starts
            .last()
            .map(|s| s.with_timezone(&tz).format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        tz: tz.name().to_string(),
        total: by_topic.all.total,
        all_chart: charts::bars(&by_topic.all, &labels, 720, 120),
        sections: vec![
            section("By topic", "topic", &by_topic),
            section("By region", "region", &by_region),
        ],
    };
    Ok(render(&page))
}

// ---------------------------------------------------------------- sources

struct SourceRow {
    source: String,
    status: &'static str,
    last_success: String,
    per_day: String,
    feeds: String,
    last_error: String,
}

#[derive(Template)]
#[template(path = "sources.html")]
struct SourcesPage {
    nav: &'static str,
    rows: Vec<SourceRow>,
    summary: Vec<(&'static str, usize)>,
    tz: String,
}

/// Health of every enabled source (see [`crate::state::sources_health`]).
pub async fn load_health(app: &Shared) -> Result<Vec<crate::state::SourceHealth>, Problem> {
    let app = Arc::clone(app);
    blocking(move || {
        let catalog = crate::sources::Catalog::load(&app.config.sources_dir)
            .map_err(|e| Problem::internal(format!("catalog: {e}")))?;
        crate::state::sources_health(&catalog, &app.config.state_path(), Utc::now())
            .map_err(|e| Problem::internal(format!("crawl state: {e}")))
    })
    .await
}

pub async fn sources(State(app): State<Shared>) -> Response {
    page_result(sources_page(&app).await)
}

async fn sources_page(app: &Shared) -> Result<Response, Problem> {
    use crate::state::HealthStatus as H;
    let health = load_health(app).await?;
    let tz = app.config.timezone();
    let when =
        |t: Option<DateTime<Utc>>| t.map(|t| format_date(t, &tz)).unwrap_or_else(|| "–".into());
    let summary = [H::Paused, H::Failing, H::Silent, H::New, H::Ok]
        .into_iter()
        .map(|s| (s.as_str(), health.iter().filter(|h| h.status == s).count()))
        .collect();
    let rows = health
        .iter()
        .map(|h| SourceRow {
            source: h.source.clone(),
            status: h.status.as_str(),
            last_success: when(h.last_success),
            per_day: format!("{:.1}", h.articles_per_day),
            feeds: format!(
                "{}/{}/{}",
                h.feeds - h.feeds_failing.min(h.feeds),
                h.feeds_failing,
                h.feeds_paused
            ),
            last_error: match &h.last_error {
                Some(e) => format!("{} {e}", when(h.last_error_at)),
                None => "–".into(),
            },
        })
        .collect();
    Ok(render(&SourcesPage {
        nav: "sources",
        rows,
        summary,
        tz: tz.name().to_string(),
    }))
}

// ---------------------------------------------------------------- exports

pub async fn export_csv(State(app): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    export(app, raw, ExportFormat::Csv).await
}

pub async fn export_jsonl(State(app): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    export(app, raw, ExportFormat::Jsonl).await
}

/// Bytes handed from the exporting thread to the response, in chunks.
struct ChannelWriter {
    tx: tokio::sync::mpsc::Sender<Result<Vec<u8>, std::io::Error>>,
    buf: Vec<u8>,
}

const EXPORT_CHUNK_BYTES: usize = 64 * 1024;

impl std::io::Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= EXPORT_CHUNK_BYTES {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::take(&mut self.buf);
        // The client went away: stop exporting.
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))
    }
}

/// Streams every match (up to `web.max_export_rows`) as it is read.
pub async fn export(app: Shared, raw: Option<String>, format: ExportFormat) -> Response {
    let api = false;
    let request = match search_request(&app, raw.as_deref(), Utc::now()) {
        Ok((_, r)) => r,
        Err(p) => return p.respond(api),
    };
    // Check the query before the 200 goes out: a syntax error must be a 400.
    if let Err(e) = crate::query::build_query(&app.index, &request) {
        return Problem::from(e).respond(api);
    }
    let (tx, mut rx) = tokio::sync::mpsc::channel(8);
    let max = app.config.web.max_export_rows;
    tokio::task::spawn_blocking(move || {
        let mut out = ChannelWriter {
            tx: tx.clone(),
            buf: Vec::with_capacity(EXPORT_CHUNK_BYTES),
        };
        if let Err(e) = crate::export::export(&app.index, &request, format, max, &mut out) {
            tracing::error!("web export: {e}");
            let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    let stream = futures::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let filename = format!(
        "kabar-{}.{}",
        Utc::now().format("%Y%m%d-%H%M"),
        format.extension()
    );
    let mut response = Response::new(Body::from_stream(stream));
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    response
}

// ---------------------------------------------------------------- watchlists

struct WatchRow {
    name: String,
    summary: String,
    threshold: u64,
    window_hours: u32,
    count: String,
    alert: bool,
    search: String,
    edit: String,
}

/// The form's values (lists as comma-separated text).
#[derive(Debug, Default, Deserialize)]
pub struct WatchForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub original: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub lang: String,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub sentiment: String,
    #[serde(default)]
    pub min_risk: String,
    #[serde(default)]
    pub threshold: String,
    #[serde(default)]
    pub window_hours: String,
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',')
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

impl WatchForm {
    fn from_watchlist(w: &Watchlist) -> Self {
        WatchForm {
            csrf: String::new(),
            original: w.name.clone(),
            name: w.name.clone(),
            q: w.query.clone(),
            region: w.regions.join(", "),
            country: w.countries.join(", "),
            lang: w.langs.join(", "),
            source: w.sources.join(", "),
            topic: w.topics.join(", "),
            sentiment: w.sentiments.join(", "),
            min_risk: w.min_risk.map(|r| r.to_string()).unwrap_or_default(),
            threshold: w.threshold.to_string(),
            window_hours: w.window_hours.to_string(),
        }
    }

    fn to_watchlist(&self) -> Result<Watchlist, Problem> {
        let number = |field: &str, v: &str| -> Result<u64, Problem> {
            v.trim().parse::<u64>().map_err(|_| {
                Problem::bad_request(
                    "bad_watchlist",
                    format!("{field} '{v}' is not a whole number"),
                )
            })
        };
        Ok(Watchlist {
            name: self.name.trim().to_string(),
            query: self.q.trim().to_string(),
            regions: split_list(&self.region),
            countries: split_list(&self.country),
            langs: split_list(&self.lang),
            sources: split_list(&self.source),
            topics: split_list(&self.topic),
            sentiments: split_list(&self.sentiment),
            min_risk: match self.min_risk.trim() {
                "" => None,
                v => Some(v.parse::<f32>().map_err(|_| {
                    Problem::bad_request("bad_watchlist", format!("min risk '{v}' is not a number"))
                })?),
            },
            threshold: number("threshold", &self.threshold)?,
            window_hours: match self.window_hours.trim() {
                "" => DEFAULT_WINDOW_HOURS,
                v => u32::try_from(number("window", v)?).unwrap_or(u32::MAX),
            },
        })
    }
}

#[derive(Template)]
#[template(path = "watchlists.html")]
struct WatchlistsPage {
    nav: &'static str,
    csrf: String,
    rows: Vec<WatchRow>,
    form: WatchForm,
    editing: bool,
    error: Option<String>,
    file: String,
}

/// A watchlist's search as a link to the search page.
pub fn watchlist_link(w: &Watchlist) -> String {
    let window = format!("{}h", w.window_hours);
    let query = w.search_query(&LinkScope {
        regions: &w.regions,
        countries: &w.countries,
        langs: &w.langs,
        since: &window,
        until: None,
    });
    format!("/search?{query}")
}

fn watch_summary(w: &Watchlist) -> String {
    let mut parts = Vec::new();
    if !w.query.is_empty() {
        parts.push(format!("“{}”", w.query));
    }
    for (label, values) in [
        ("region", &w.regions),
        ("country", &w.countries),
        ("lang", &w.langs),
        ("source", &w.sources),
        ("topic", &w.topics),
        ("sentiment", &w.sentiments),
    ] {
        if !values.is_empty() {
            parts.push(format!("{label}: {}", values.join(", ")));
        }
    }
    if let Some(r) = w.min_risk {
        parts.push(format!("risk ≥ {r}"));
    }
    if parts.is_empty() {
        "everything".into()
    } else {
        parts.join(" · ")
    }
}

pub async fn watchlists(
    State(app): State<Shared>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let edit = url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "edit")
        .map(|(_, v)| v.into_owned());
    page_result(watchlists_page(&app, &headers, edit, None, None).await)
}

async fn watchlists_page(
    app: &Shared,
    headers: &HeaderMap,
    edit: Option<String>,
    form: Option<WatchForm>,
    error: Option<String>,
) -> Result<Response, Problem> {
    let app2 = Arc::clone(app);
    let rows = blocking(move || {
        let now = Utc::now();
        let list = app2.watchlists.list()?;
        Ok(list
            .iter()
            .map(|w| {
                let status = w.check(&app2.index, now);
                WatchRow {
                    name: w.name.clone(),
                    summary: watch_summary(w),
                    threshold: w.threshold,
                    window_hours: w.window_hours,
                    count: match &status {
                        Ok(s) => s.count.to_string(),
                        Err(e) => format!("error: {e}"),
                    },
                    alert: status.as_ref().is_ok_and(|s| s.alert),
                    search: watchlist_link(w),
                    edit: format!(
                        "/watchlists?{}",
                        url::form_urlencoded::Serializer::new(String::new())
                            .append_pair("edit", &w.name)
                            .finish()
                    ),
                }
            })
            .collect::<Vec<_>>())
    })
    .await?;
    let (form, editing) = match (form, edit) {
        (Some(f), _) => {
            let editing = !f.original.is_empty();
            (f, editing)
        }
        (None, Some(name)) => match app.watchlists.get(&name) {
            Ok(w) => (WatchForm::from_watchlist(&w), true),
            Err(_) => (WatchForm::default(), false),
        },
        (None, None) => (
            WatchForm {
                threshold: "5".into(),
                window_hours: DEFAULT_WINDOW_HOURS.to_string(),
                ..Default::default()
            },
            false,
        ),
    };
    // Alerts first, so what needs a look is at the top.
    let mut rows = rows;
    rows.sort_by_key(|r| !r.alert);
    let csrf = guard::cookie(headers, CSRF_COOKIE)
        .filter(|c| c.len() == 32 && c.chars().all(|x| x.is_ascii_hexdigit()))
        .map(str::to_string);
    let fresh = csrf.is_none();
    let csrf = csrf.unwrap_or_else(guard::random_token);
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let mut response = (
        status,
        render(&WatchlistsPage {
            nav: "watchlists",
            csrf: csrf.clone(),
            rows,
            form,
            editing,
            error,
            file: app.watchlists.path().display().to_string(),
        }),
    )
        .into_response();
    if fresh
        && let Ok(v) = HeaderValue::from_str(&format!(
            "{CSRF_COOKIE}={csrf}; Path=/watchlists; HttpOnly; SameSite=Strict"
        ))
    {
        response.headers_mut().insert(header::SET_COOKIE, v);
    }
    Ok(response)
}

pub async fn watchlist_save(
    State(app): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<WatchForm>,
) -> Response {
    if let Err(p) = guard::check_form(&headers, &form.csrf) {
        return p.respond(false);
    }
    let result = form.to_watchlist().and_then(|w| {
        let replacing = Some(form.original.as_str()).filter(|o| !o.is_empty());
        app.watchlists.save(replacing, w).map_err(Problem::from)
    });
    match result {
        Ok(_) => Redirect::to("/watchlists").into_response(),
        Err(p) if p.status.is_client_error() => {
            page_result(watchlists_page(&app, &headers, None, Some(form), Some(p.message)).await)
        }
        Err(p) => p.respond(false),
    }
}

#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    pub csrf: String,
    pub name: String,
}

pub async fn watchlist_delete(
    State(app): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<DeleteForm>,
) -> Response {
    if let Err(p) = guard::check_form(&headers, &form.csrf) {
        return p.respond(false);
    }
    match app.watchlists.delete(&form.name) {
        Ok(()) => Redirect::to("/watchlists").into_response(),
        Err(e) => Problem::from(e).respond(false),
    }
}
