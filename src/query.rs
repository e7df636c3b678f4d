//! The one search path: a [`QueryRequest`] in, [`SearchResults`] out.
//!
//! The CLI, and later the web page, the API and the digest, all read the
//! index through here, so a filter means the same thing everywhere. The query
//! text uses Tantivy's syntax (AND, OR, NOT, "phrases", field:term) over title
//! and body by default, parsed with the same multi-script analyzer the index
//! was built with. Filters are exact terms on the raw fields; several values
//! for one filter mean "any of them".

use std::ops::Bound;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, QueryParser, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, TantivyDocument, Term};

use crate::index::{
    ArticleIndex, IndexError, article_from_doc, to_tantivy_date, topic_sentiment_term,
};
use crate::model::{IndexedArticle, SentimentLabel};

mod facets;

/// Longest query accepted, in bytes; longer input is a mistake or an attack.
pub const MAX_QUERY_BYTES: usize = 2048;
/// Most hits one request returns.
pub const MAX_LIMIT: usize = 1000;

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Relevance,
    Newest,
    /// Highest risk first (see `analyze::article`).
    Risk,
}

/// Everything a search can ask for.
#[derive(Debug, Clone, Default)]
pub struct QueryRequest {
    /// Tantivy query syntax; empty or `*` matches every article.
    pub query: String,
    pub regions: Vec<String>,
    pub countries: Vec<String>,
    pub langs: Vec<String>,
    pub sources: Vec<String>,
    /// Topic ids; with `sentiments`, the sentiment *about* these topics.
    pub topics: Vec<String>,
    /// Sentiment labels: about the requested topics when there are any,
    /// else the article's overall sentiment.
    pub sentiments: Vec<SentimentLabel>,
    /// Only articles with at least this risk (0 to 100).
    pub min_risk: Option<f32>,
    /// Inclusive lower bound on the article's date.
    pub since: Option<DateTime<Utc>>,
    /// Exclusive upper bound on the article's date.
    pub until: Option<DateTime<Utc>>,
    pub sort: Sort,
    pub limit: usize,
    pub offset: usize,
    /// Snippet length in characters; 0 for no snippets.
    pub snippet_chars: usize,
}

/// A snippet of the body around the hits, with the hit ranges (byte offsets
/// into `text`).
#[derive(Debug, Clone, Serialize)]
pub struct Snippet {
    pub text: String,
    pub highlights: Vec<(usize, usize)>,
}

impl Snippet {
    /// The snippet with each hit wrapped in `open` and `close`.
    pub fn marked(&self, open: &str, close: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + 8);
        let mut last = 0;
        for &(a, b) in &self.highlights {
            out.push_str(&self.text[last..a]);
            out.push_str(open);
            out.push_str(&self.text[a..b]);
            out.push_str(close);
            last = b;
        }
        out.push_str(&self.text[last..]);
        out
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub score: f32,
    #[serde(flatten)]
    pub article: IndexedArticle,
    pub snippet: Option<Snippet>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// All matching articles, not just the returned page.
    pub total: usize,
    pub hits: Vec<Hit>,
}

#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error("malformed query: {message}\n  {query}\n  {pointer}")]
    Syntax {
        query: String,
        message: String,
        /// A caret under the position of the mistake.
        pointer: String,
    },
    #[error("query is {0} bytes long; the limit is {MAX_QUERY_BYTES}")]
    TooLong(usize),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("search failed: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// Runs `request` against `index`.
pub fn search(index: &ArticleIndex, request: &QueryRequest) -> Result<SearchResults, QueryError> {
    Ok(search_inner(index, request, None)?.0)
}

/// Runs `request` and counts its facets (see [`facets`]) in the same pass
/// over the matches: the query is evaluated once (a phrase over a common
/// word costs more than the counting), and the index's executor spreads the
/// segments over the cores.
pub fn search_with_facets(
    index: &ArticleIndex,
    request: &QueryRequest,
    now: DateTime<Utc>,
) -> Result<(SearchResults, Facets), QueryError> {
    let (results, counted) = search_inner(index, request, Some(facet_collector(now)))?;
    let facets = counted.map(facets_from).unwrap_or_default();
    Ok((results, facets))
}

fn search_inner(
    index: &ArticleIndex,
    request: &QueryRequest,
    extra: Option<facets::FacetCollector>,
) -> Result<(SearchResults, Option<facets::FacetCount>), QueryError> {
    let BuiltQuery {
        full: query,
        text: user_query,
    } = build_query(index, request)?;
    let fields = index.fields();
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let limit = request.limit.clamp(1, MAX_LIMIT);
    let (total, addresses, counted) = top_docs(
        &searcher,
        &*query,
        request.sort,
        limit,
        request.offset,
        extra,
    )?;

    let snippets = if request.snippet_chars > 0 {
        let mut body = SnippetGenerator::create(&searcher, &*user_query, fields.body)?;
        body.set_max_num_chars(request.snippet_chars);
        let mut title = SnippetGenerator::create(&searcher, &*user_query, fields.title)?;
        title.set_max_num_chars(request.snippet_chars);
        Some((body, title))
    } else {
        None
    };

    let mut hits = Vec::with_capacity(addresses.len());
    for (score, address) in addresses {
        let doc: TantivyDocument = searcher.doc(address)?;
        let article = article_from_doc(&fields, &doc);
        let snippet = snippets.as_ref().map(|(body, title)| {
            let mut s = body.snippet(&article.body);
            if s.highlighted().is_empty() {
                // The hit is only in the title: show the title's highlight
                // rather than a random stretch of body.
                let t = title.snippet(&article.title);
                if !t.highlighted().is_empty() {
                    s = t;
                }
            }
            if s.fragment().is_empty() {
                return Snippet {
                    text: article.body.chars().take(request.snippet_chars).collect(),
                    highlights: Vec::new(),
                };
            }
            Snippet {
                text: s.fragment().to_string(),
                highlights: s.highlighted().iter().map(|r| (r.start, r.end)).collect(),
            }
        });
        hits.push(Hit {
            score,
            article,
            snippet,
        });
    }
    Ok((SearchResults { total, hits }, counted))
}

/// Matches in order, with their scores.
type Ranked = Vec<(f32, DocAddress)>;

/// The `limit` best matches after `offset` in `sort` order, with their
/// scores (the risk for [`Sort::Risk`], 0 for [`Sort::Newest`]), the
/// number of matches, and what `extra` collected in the same pass.
fn top_docs<C: tantivy::collector::Collector>(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    sort: Sort,
    limit: usize,
    offset: usize,
    extra: C,
) -> Result<(usize, Ranked, C::Fruit), QueryError> {
    let top = TopDocs::with_limit(limit).and_offset(offset);
    Ok(match sort {
        Sort::Relevance => {
            let (count, docs, fruit) =
                searcher.search(query, &(Count, top.order_by_score(), extra))?;
            (count, docs, fruit)
        }
        Sort::Newest => {
            let (count, docs, fruit) = searcher.search(
                query,
                &(
                    Count,
                    top.order_by_fast_field::<tantivy::DateTime>("date", Order::Desc),
                    extra,
                ),
            )?;
            (
                count,
                docs.into_iter().map(|(_, a)| (0.0, a)).collect(),
                fruit,
            )
        }
        Sort::Risk => {
            let (count, docs, fruit) = searcher.search(
                query,
                &(
                    Count,
                    top.order_by_fast_field::<f64>("risk", Order::Desc),
                    extra,
                ),
            )?;
            (
                count,
                docs.into_iter()
                    .map(|(r, a)| (r.unwrap_or(0.0) as f32, a))
                    .collect(),
                fruit,
            )
        }
    })
}

/// Calls `each` with every match of `request` (its paging and snippets
/// ignored) in its sort order, up to `max`, from one reader, so an export
/// is one consistent snapshot however many rows it has. `each` returns
/// `false` to stop early (the reader went away). Returns the number of
/// matches, which may be more than were passed on.
pub fn scan(
    index: &ArticleIndex,
    request: &QueryRequest,
    max: usize,
    mut each: impl FnMut(Hit) -> bool,
) -> Result<usize, QueryError> {
    let query = build_query(index, request)?.full;
    let fields = index.fields();
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let total = searcher.search(&*query, &Count)?;
    let limit = total.min(max);
    if limit == 0 {
        return Ok(total);
    }
    // Addresses only (12 bytes a match), then one stored document at a time.
    let (_, addresses, _) = top_docs(
        &searcher,
        &*query,
        request.sort,
        limit,
        0,
        None::<facets::FacetCollector>,
    )?;
    for (score, address) in addresses {
        let doc: TantivyDocument = searcher.doc(address)?;
        let hit = Hit {
            score,
            article: article_from_doc(&fields, &doc),
            snippet: None,
        };
        if !each(hit) {
            break;
        }
    }
    Ok(total)
}

/// The article with this id, if the index has it.
pub fn article(index: &ArticleIndex, id: &str) -> Result<Option<IndexedArticle>, QueryError> {
    let fields = index.fields();
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let query = TermQuery::new(
        Term::from_field_text(fields.id, id),
        IndexRecordOption::Basic,
    );
    let top = searcher.search(&query, &TopDocs::with_limit(1).order_by_score())?;
    match top.first() {
        Some((_, address)) => {
            let doc: TantivyDocument = searcher.doc(*address)?;
            Ok(Some(article_from_doc(&fields, &doc)))
        }
        None => Ok(None),
    }
}

/// Most articles of one story listed beside an article.
pub const MAX_STORY_MEMBERS: usize = 50;

/// One article of a story, as its siblings list it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoryMember {
    pub id: String,
    pub url: String,
    pub title: String,
    pub source: String,
    pub country: String,
    pub lang: String,
    /// Published, or fetched when the page gave no date.
    pub date: DateTime<Utc>,
    /// The story's first publisher (the earliest article).
    pub first: bool,
}

/// The articles of story `story` (see [`crate::stories`]), oldest first,
/// at most `limit` of them, with the story's size. The oldest is marked as
/// the first publisher.
pub fn story(
    index: &ArticleIndex,
    story: &str,
    limit: usize,
) -> Result<(usize, Vec<StoryMember>), QueryError> {
    let fields = index.fields();
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let query = TermQuery::new(
        Term::from_field_text(fields.story, story),
        IndexRecordOption::Basic,
    );
    let (total, docs) = searcher.search(
        &query,
        &(
            Count,
            TopDocs::with_limit(limit.max(1))
                .order_by_fast_field::<tantivy::DateTime>("date", Order::Asc),
        ),
    )?;
    let mut members = Vec::with_capacity(docs.len());
    for (i, (_, address)) in docs.into_iter().enumerate() {
        let doc: TantivyDocument = searcher.doc(address)?;
        let a = article_from_doc(&fields, &doc);
        members.push(StoryMember {
            date: a.published.unwrap_or(a.fetched),
            id: a.id,
            url: a.url,
            title: a.title,
            source: a.source,
            country: a.country,
            lang: a.lang,
            first: i == 0,
        });
    }
    Ok((total, members))
}

/// A request as Tantivy queries: everything, and the query text alone.
pub struct BuiltQuery {
    /// Query text and filters together.
    pub full: Box<dyn Query>,
    /// Only the query text (snippets highlight what was asked, not filters).
    pub text: Box<dyn Query>,
}

/// The request's query text and filters as one Tantivy query, and the
/// query text alone (for snippets). Trends and facets count over the same
/// query, so a filter means the same there as in a search.
pub fn build_query(index: &ArticleIndex, request: &QueryRequest) -> Result<BuiltQuery, QueryError> {
    if request.query.len() > MAX_QUERY_BYTES {
        return Err(QueryError::TooLong(request.query.len()));
    }
    let fields = index.fields();
    let user_query = parse_user_query(index, &request.query)?;

    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, user_query.box_clone())];
    for (field, values) in [
        (fields.region, &request.regions),
        (fields.country, &request.countries),
        (fields.lang, &request.langs),
        (fields.source, &request.sources),
    ] {
        if let Some(q) = any_of(field, values) {
            clauses.push((Occur::Must, q));
        }
    }
    let labels: Vec<String> = request
        .sentiments
        .iter()
        .map(|l| l.as_str().to_string())
        .collect();
    if request.sentiments.is_empty() {
        if let Some(q) = any_of(fields.topic, &request.topics) {
            clauses.push((Occur::Must, q));
        }
    } else if request.topics.is_empty() {
        if let Some(q) = any_of(fields.sentiment, &labels) {
            clauses.push((Occur::Must, q));
        }
    } else {
        let pairs: Vec<String> = request
            .topics
            .iter()
            .flat_map(|t| {
                request
                    .sentiments
                    .iter()
                    .map(move |l| topic_sentiment_term(t, *l))
            })
            .collect();
        if let Some(q) = any_of(fields.topic_sentiment, &pairs) {
            clauses.push((Occur::Must, q));
        }
    }
    if let Some(min) = request.min_risk {
        clauses.push((
            Occur::Must,
            Box::new(RangeQuery::new(
                Bound::Included(Term::from_field_f64(fields.risk, f64::from(min))),
                Bound::Unbounded,
            )),
        ));
    }
    if request.since.is_some() || request.until.is_some() {
        let bound = |t: Option<DateTime<Utc>>, inclusive: bool| match t {
            Some(t) => {
                let term = Term::from_field_date_for_search(fields.date, to_tantivy_date(t));
                if inclusive {
                    Bound::Included(term)
                } else {
                    Bound::Excluded(term)
                }
            }
            None => Bound::Unbounded,
        };
        clauses.push((
            Occur::Must,
            Box::new(RangeQuery::new(
                bound(request.since, true),
                bound(request.until, false),
            )),
        ));
    }
    Ok(BuiltQuery {
        full: Box::new(BooleanQuery::new(clauses)),
        text: user_query,
    })
}

/// Runs an aggregation request (Elasticsearch-style JSON, as Tantivy reads
/// it) over the documents `query` matches, and returns the result as JSON.
pub fn aggregate(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    request: serde_json::Value,
) -> Result<serde_json::Value, QueryError> {
    use tantivy::aggregation::agg_req::Aggregations;
    use tantivy::aggregation::{AggContextParams, AggregationCollector, AggregationLimitsGuard};

    let aggs: Aggregations = serde_json::from_value(request)
        .map_err(|e| QueryError::Tantivy(tantivy::TantivyError::InvalidArgument(e.to_string())))?;
    let context = AggContextParams::new(
        AggregationLimitsGuard::default(),
        searcher.index().tokenizers().clone(),
    );
    let result = searcher.search(query, &AggregationCollector::from_aggs(aggs, context))?;
    serde_json::to_value(result)
        .map_err(|e| QueryError::Tantivy(tantivy::TantivyError::InternalError(e.to_string())))
}

/// Values of a facet with their counts, most frequent first.
pub type FacetCounts = Vec<(String, u64)>;

/// Counts per value of each filterable field among the matches of a
/// request (its paging and sort ignored): what the search page shows beside
/// the hits.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facets {
    pub region: FacetCounts,
    pub country: FacetCounts,
    pub lang: FacetCounts,
    pub topic: FacetCounts,
    pub sentiment: FacetCounts,
    pub source: FacetCounts,
    /// `24h`, `7d`, `30d` back from `now`, and `older`.
    pub date: FacetCounts,
}

/// Values listed per facet at most.
pub const MAX_FACET_VALUES: usize = 50;

/// Facet counts for `request` (see [`Facets`]); `now` anchors the date
/// ranges.
pub fn facets(
    index: &ArticleIndex,
    request: &QueryRequest,
    now: DateTime<Utc>,
) -> Result<Facets, QueryError> {
    let query = build_query(index, request)?.full;
    let reader = index.reader()?;
    let searcher = reader.searcher();
    Ok(facets_from(
        searcher.search(&*query, &facet_collector(now))?,
    ))
}

/// The facet collector with the page's date ranges back from `now`.
fn facet_collector(now: DateTime<Utc>) -> facets::FacetCollector {
    let ns = |t: DateTime<Utc>| t.timestamp_nanos_opt().unwrap_or(i64::MAX);
    let day = chrono::Duration::days(1);
    facets::FacetCollector {
        bounds: [ns(now - day * 30), ns(now - day * 7), ns(now - day)],
    }
}

fn facets_from(counted: facets::FacetCount) -> Facets {
    let [older, d30, d7, d1] = counted.ranges;
    // In the order of facets::FIELDS.
    let [region, country, lang, topic, sentiment, source] = counted.fields.map(|counts| {
        let mut values: FacetCounts = counts.into_iter().filter(|(_, n)| *n > 0).collect();
        // Most frequent first; ties in a stable order.
        values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        values.truncate(MAX_FACET_VALUES);
        values
    });
    // Cumulative, as a reader expects "last 7 days" to include the last day.
    let mut date: FacetCounts = vec![
        ("24h".into(), d1),
        ("7d".into(), d1 + d7),
        ("30d".into(), d1 + d7 + d30),
        ("older".into(), older),
    ];
    date.retain(|(_, n)| *n > 0);
    Facets {
        region,
        country,
        lang,
        topic,
        sentiment,
        source,
        date,
    }
}

fn parse_user_query(index: &ArticleIndex, text: &str) -> Result<Box<dyn Query>, QueryError> {
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed == "*" {
        return Ok(Box::new(AllQuery));
    }
    let fields = index.fields();
    // Queries are analysed in query mode (one form per position); see
    // crate::index::tokenizer.
    let mut parser = QueryParser::new(
        index.tantivy().schema(),
        fields.default_search_fields(),
        crate::index::tokenizer::query_tokenizers(),
    );
    parser.set_conjunction_by_default();
    parser.set_field_boost(fields.title, 2.0);
    parser.parse_query(trimmed).map_err(|e| {
        // The lenient parser knows where the grammar broke; the strict one
        // only says that it did.
        let (_, errors) = tantivy::query_grammar::parse_query_lenient(trimmed);
        let position = errors.first().map(|e| e.pos).unwrap_or(trimmed.len());
        let message = match errors.first() {
            Some(le) => le.message.clone(),
            None => e.to_string(),
        };
        let column = trimmed[..position.min(trimmed.len())].chars().count();
        QueryError::Syntax {
            query: trimmed.to_string(),
            message: format!("{message} (at character {})", column + 1),
            pointer: format!("{}^", " ".repeat(column)),
        }
    })
}

fn any_of(field: Field, values: &[String]) -> Option<Box<dyn Query>> {
    let queries: Vec<(Occur, Box<dyn Query>)> = values
        .iter()
        .map(|v| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(field, v),
                IndexRecordOption::Basic,
            ));
            (Occur::Should, q)
        })
        .collect();
    match queries.len() {
        0 => None,
        _ => Some(Box::new(BooleanQuery::new(queries))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::article_id;

    fn doc(
        url: &str,
        lang: &str,
        region: &str,
        title: &str,
        body: &str,
        day: u32,
    ) -> IndexedArticle {
        IndexedArticle {
            id: article_id(url),
            url: url.into(),
            source: "src".into(),
            country: "XX".into(),
            region: region.into(),
            lang: lang.into(),
            title: title.into(),
            body: body.into(),
            published: Some(
                DateTime::parse_from_rfc3339(&format!("2025-03-{day:02}T00:00:00Z"))
                    .unwrap()
                    .with_timezone(&Utc),
            ),
            fetched: Utc::now(),
            authors: vec![],
            warc_id: None,
            ..Default::default()
        }
    }

    fn index() -> ArticleIndex {
        let index = ArticleIndex::create_in_ram();
        let mut w = index.writer().unwrap();
        w.upsert(&doc(
            "http://a/1",
            "en",
            "sea",
            "Scam ads surge",
            "Regulators fined the platform over scam ads.",
            1,
        ))
        .unwrap();
        w.upsert(&doc(
            "http://a/2",
            "th",
            "sea",
            "โฆษณา",
            "ธนาคารแห่งประเทศไทยเตือนเรื่องโฆษณาหลอกลวงบนโซเชียล",
            2,
        ))
        .unwrap();
        w.upsert(&doc(
            "http://a/3",
            "ja",
            "nea",
            "広告",
            "ネット広告の詐欺被害が急増している",
            3,
        ))
        .unwrap();
        w.commit().unwrap();
        index
    }

    fn urls(r: &SearchResults) -> Vec<&str> {
        r.hits.iter().map(|h| h.article.url.as_str()).collect()
    }

    #[test]
    fn words_in_unspaced_scripts_are_found_mid_sentence() {
        let idx = index();
        let q = |s: &str| {
            search(
                &idx,
                &QueryRequest {
                    query: s.into(),
                    limit: 10,
                    ..Default::default()
                },
            )
            .unwrap()
        };
        assert_eq!(urls(&q("หลอกลวง")), ["http://a/2"]);
        assert_eq!(urls(&q("詐欺")), ["http://a/3"]);
        assert_eq!(urls(&q("\"scam ads\"")), ["http://a/1"]);
    }

    #[test]
    fn filters_sort_and_snippets() {
        let idx = index();
        let all = search(
            &idx,
            &QueryRequest {
                limit: 10,
                sort: Sort::Newest,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(urls(&all), ["http://a/3", "http://a/2", "http://a/1"]);
        let sea = search(
            &idx,
            &QueryRequest {
                regions: vec!["sea".into()],
                limit: 10,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(sea.total, 2);
        let since = search(
            &idx,
            &QueryRequest {
                since: Some("2025-03-02T00:00:00Z".parse().unwrap()),
                until: Some("2025-03-03T00:00:00Z".parse().unwrap()),
                limit: 10,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(urls(&since), ["http://a/2"]);
        let r = search(
            &idx,
            &QueryRequest {
                query: "fined".into(),
                limit: 10,
                snippet_chars: 80,
                ..Default::default()
            },
        )
        .unwrap();
        let s = r.hits[0].snippet.as_ref().unwrap();
        assert_eq!(
            s.marked("[", "]"),
            "Regulators [fined] the platform over scam ads"
        );
    }

    fn analysed(
        url: &str,
        topics: &[(&str, SentimentLabel)],
        overall: SentimentLabel,
        risk: f32,
    ) -> IndexedArticle {
        use crate::model::{SentimentScore, TopicScore};
        let mut a = doc(url, "en", "sea", "t", "b", 1);
        a.topics = topics
            .iter()
            .map(|(id, label)| TopicScore {
                id: id.to_string(),
                score: 0.8,
                terms: vec![],
                sentiment: SentimentScore {
                    label: *label,
                    ..Default::default()
                },
            })
            .collect();
        a.sentiment.label = overall;
        a.risk = risk;
        a
    }

    #[test]
    fn topic_sentiment_and_risk_filters_and_risk_order() {
        use SentimentLabel::*;
        let idx = ArticleIndex::create_in_ram();
        let mut w = idx.writer().unwrap();
        // Negative about scam ads, but positive overall (a success story
        // about catching scammers): the topic filter must use the topic's
        // sentiment, the plain filter the overall one.
        w.upsert(&analysed(
            "http://x/1",
            &[("scam-ads", Negative)],
            Positive,
            40.0,
        ))
        .unwrap();
        w.upsert(&analysed(
            "http://x/2",
            &[("scam-ads", Neutral), ("payments", Negative)],
            Negative,
            75.5,
        ))
        .unwrap();
        w.upsert(&analysed("http://x/3", &[], Neutral, 0.0))
            .unwrap();
        w.commit().unwrap();
        let run = |topics: &[&str], sentiments: &[SentimentLabel], min_risk: Option<f32>| {
            let r = search(
                &idx,
                &QueryRequest {
                    topics: topics.iter().map(|t| t.to_string()).collect(),
                    sentiments: sentiments.to_vec(),
                    min_risk,
                    sort: Sort::Risk,
                    limit: 10,
                    ..Default::default()
                },
            )
            .unwrap();
            urls(&r).into_iter().map(str::to_string).collect::<Vec<_>>()
        };
        assert_eq!(run(&["scam-ads"], &[], None), ["http://x/2", "http://x/1"]);
        assert_eq!(run(&["scam-ads"], &[Negative], None), ["http://x/1"]);
        assert_eq!(run(&[], &[Negative], None), ["http://x/2"]);
        assert_eq!(run(&[], &[], Some(50.0)), ["http://x/2"]);
        assert_eq!(
            run(&[], &[], None),
            ["http://x/2", "http://x/1", "http://x/3"]
        );
        // What was stored comes back.
        let all = search(
            &idx,
            &QueryRequest {
                query: String::new(),
                limit: 10,
                sort: Sort::Risk,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(all.hits[0].article.risk, 75.5);
        assert_eq!(all.hits[0].article.topics[1].id, "payments");
        assert_eq!(all.hits[0].article.sentiment.label, Negative);
    }

    #[test]
    fn facets_count_what_the_filters_leave() {
        let idx = index();
        let now = "2025-03-03T12:00:00Z".parse().unwrap();
        let all = facets(&idx, &QueryRequest::default(), now).unwrap();
        assert_eq!(all.region, [("sea".to_string(), 2), ("nea".to_string(), 1)]);
        assert_eq!(all.lang.len(), 3);
        assert_eq!(all.sentiment, [("neutral".to_string(), 3)]);
        // Published March 3rd, 2nd and 1st at midnight UTC.
        assert_eq!(
            all.date,
            [
                ("24h".to_string(), 1),
                ("7d".to_string(), 3),
                ("30d".to_string(), 3)
            ]
        );
        let sea = facets(
            &idx,
            &QueryRequest {
                regions: vec!["sea".into()],
                ..Default::default()
            },
            now,
        )
        .unwrap();
        assert_eq!(sea.region, [("sea".to_string(), 2)]);
        assert!(sea.lang.iter().all(|(l, _)| l != "ja"));
    }

    /// The ordinal collector agrees with Tantivy's own terms and range
    /// aggregations, over several segments (each with its own ordinals),
    /// multi-valued topics and articles without any.
    #[test]
    fn facet_counts_match_tantivys_aggregations() {
        use crate::model::TopicScore;
        let idx = ArticleIndex::create_in_ram();
        let mut w = idx.writer().unwrap();
        let mut rng = fastrand::Rng::with_seed(3);
        let regions = ["sea", "nea", "sa"];
        let topics = ["scam-ads", "payments", "loan-ads", "counterfeit"];
        for i in 0..600 {
            let mut a = doc(
                &format!("http://f/{i}"),
                ["en", "th", "ja", "id"][rng.usize(..4)],
                regions[rng.usize(..3)],
                "t",
                "body words",
                1 + rng.u32(..28),
            );
            a.source = format!("s{}", rng.usize(..70));
            a.country = ["SG", "TH", "JP", "IN", "ID"][rng.usize(..5)].into();
            a.topics = topics
                .iter()
                .filter(|_| rng.bool())
                .map(|t| TopicScore {
                    id: t.to_string(),
                    score: 0.5,
                    terms: vec![],
                    sentiment: Default::default(),
                })
                .collect();
            w.upsert(&a).unwrap();
            if i % 150 == 149 {
                w.commit().unwrap();
            }
        }
        w.commit().unwrap();
        let now: DateTime<Utc> = "2025-03-27T12:00:00Z".parse().unwrap();
        for request in [
            QueryRequest::default(),
            QueryRequest {
                regions: vec!["sea".into(), "sa".into()],
                ..Default::default()
            },
        ] {
            let ours = facets(&idx, &request, now).unwrap();
            // The same counts from the one-pass search, whether the search
            // scores (documents one by one) or not (blocks).
            for (query, sort) in [("body", Sort::Relevance), ("", Sort::Newest)] {
                let r = QueryRequest {
                    query: query.into(),
                    sort,
                    limit: 5,
                    ..request.clone()
                };
                let (hits, with_search) = search_with_facets(&idx, &r, now).unwrap();
                assert_eq!(hits.hits.len(), 5);
                assert_eq!(with_search.source, ours.source, "{query}");
                assert_eq!(with_search.topic, ours.topic, "{query}");
                assert_eq!(with_search.date, ours.date, "{query}");
            }
            let query = build_query(&idx, &request).unwrap().full;
            let searcher = idx.reader().unwrap().searcher();
            let terms = |f: &str| serde_json::json!({ "terms": { "field": f, "size": 1000 } });
            let theirs = aggregate(
                &searcher,
                &*query,
                serde_json::json!({
                    "region": terms("region"), "country": terms("country"),
                    "lang": terms("lang"), "topic": terms("topic"),
                    "sentiment": terms("sentiment"), "source": terms("source"),
                }),
            )
            .unwrap();
            for (name, got) in [
                ("region", &ours.region),
                ("country", &ours.country),
                ("lang", &ours.lang),
                ("topic", &ours.topic),
                ("sentiment", &ours.sentiment),
                ("source", &ours.source),
            ] {
                let mut want: FacetCounts = theirs[name]["buckets"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|b| {
                        (
                            b["key"].as_str().unwrap().to_string(),
                            b["doc_count"].as_u64().unwrap(),
                        )
                    })
                    .collect();
                want.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                want.truncate(MAX_FACET_VALUES);
                assert_eq!(got, &want, "{name}");
            }
            let total = searcher.search(&*query, &Count).unwrap() as u64;
            let date = |k: &str| ours.date.iter().find(|(x, _)| x == k).map_or(0, |x| x.1);
            assert_eq!(date("30d") + date("older"), total);
            let since = |days: i64| {
                let r = QueryRequest {
                    since: Some(now - chrono::Duration::days(days)),
                    ..request.clone()
                };
                let q = build_query(&idx, &r).unwrap().full;
                searcher.search(&*q, &Count).unwrap() as u64
            };
            assert_eq!(date("24h"), since(1));
            assert_eq!(date("7d"), since(7));
            assert_eq!(date("30d"), since(30));
        }
    }

    #[test]
    fn malformed_queries_point_at_the_mistake() {
        let idx = index();
        let err = search(
            &idx,
            &QueryRequest {
                query: "scam AND (ads".into(),
                limit: 10,
                ..Default::default()
            },
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("malformed query"), "{msg}");
        assert!(msg.contains('^'), "{msg}");
        let err = search(
            &idx,
            &QueryRequest {
                query: "nosuchfield:x".into(),
                limit: 10,
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("nosuchfield"), "{err}");
    }
}
