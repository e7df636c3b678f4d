//! The nouns every stage shares.
//!
//! A [`Source`] (from the catalog) is polled for [`Candidate`]s (feed items);
//! each candidate is fetched into a [`Page`] (raw bytes plus what HTTP said),
//! extracted into an [`Article`], and indexed as an [`IndexedArticle`] that
//! also knows where it came from. Outcomes that do not stop a run, such as a
//! feed that answered 500, are values ([`FailureKind`]) rather than errors,
//! so they can be counted and reported.
//!
//! These types sit at the bottom of the module graph: every stage depends on
//! them and they depend on no stage.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use url::Url;

/// A world region, derived from a source's country. Analysts filter by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Region {
    /// Southeast Asia.
    Sea,
    /// Northeast Asia.
    Nea,
    /// South Asia.
    Sa,
    /// Everything else: wires and international outlets.
    Global,
}

impl Region {
    pub const ALL: [Region; 4] = [Region::Sea, Region::Nea, Region::Sa, Region::Global];

    pub fn as_str(self) -> &'static str {
        match self {
            Region::Sea => "sea",
            Region::Nea => "nea",
            Region::Sa => "sa",
            Region::Global => "global",
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Region {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "sea" => Ok(Region::Sea),
            "nea" => Ok(Region::Nea),
            "sa" => Ok(Region::Sa),
            "global" => Ok(Region::Global),
            other => Err(format!(
                "unknown region '{other}' (expected one of: sea, nea, sa, global)"
            )),
        }
    }
}

/// One outlet from the catalog, validated.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Source {
    /// Unique across the catalog; lowercase ASCII letters, digits and `-`.
    pub id: String,
    pub name: String,
    pub homepage: Url,
    /// ISO 3166-1 alpha-2, uppercase.
    pub country: String,
    pub region: Region,
    /// Languages the outlet publishes in (ISO 639-1, `zh-Hans`, `zh-Hant`).
    pub languages: Vec<String>,
    pub feeds: Vec<Url>,
    /// XML sitemaps (news sitemaps, sitemap indexes) to discover articles from.
    pub sitemaps: Vec<Url>,
    /// Section pages whose matching links are articles, for sites without feeds.
    pub sections: Vec<Section>,
    /// Find feeds from the homepage's `<link rel="alternate">` tags.
    pub autodiscover: bool,
    pub tags: Vec<String>,
    pub enabled: bool,
    /// How much this outlet's coverage counts in the risk score (reach,
    /// reliability); 1.0 for an ordinary outlet. See `analyze::risk`.
    pub weight: f64,
    /// The catalog file this source was read from (for messages).
    pub file: String,
}

/// A section page and the pattern (a regular expression matched against
/// absolute URLs) that its article links follow.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub url: Url,
    pub pattern: String,
}

/// One place discovery polls: each has its own schedule and health record.
#[derive(Debug, Clone, PartialEq)]
pub enum Endpoint {
    Feed(Url),
    Sitemap(Url),
    Section(Section),
    /// The homepage, read for the feeds it announces.
    Homepage(Url),
}

impl Endpoint {
    pub fn url(&self) -> &Url {
        match self {
            Endpoint::Feed(u) | Endpoint::Sitemap(u) | Endpoint::Homepage(u) => u,
            Endpoint::Section(s) => &s.url,
        }
    }
}

impl Source {
    /// Every place to poll for this source, feeds first.
    pub fn endpoints(&self) -> Vec<Endpoint> {
        let mut out: Vec<Endpoint> = self.feeds.iter().cloned().map(Endpoint::Feed).collect();
        out.extend(self.sitemaps.iter().cloned().map(Endpoint::Sitemap));
        out.extend(self.sections.iter().cloned().map(Endpoint::Section));
        if self.autodiscover {
            out.push(Endpoint::Homepage(self.homepage.clone()));
        }
        out
    }
}

/// A link found by discovery that may lead to an article.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub source_id: String,
    /// The item link, canonicalized (tracking parameters and fragment dropped).
    pub url: Url,
    pub feed_url: Url,
    /// What the feed said about the item; used when the page says less.
    pub title_hint: Option<String>,
    pub published_hint: Option<DateTime<Utc>>,
    pub authors_hint: Vec<String>,
}

/// A fetched HTTP response body with what the server said about it.
#[derive(Debug, Clone)]
pub struct Page {
    /// The URL that was asked for.
    pub requested_url: Url,
    /// The URL that answered, after redirects.
    pub final_url: Url,
    pub status: u16,
    pub content_type: Option<String>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub body: Vec<u8>,
    pub fetched: DateTime<Utc>,
}

/// What extraction and analysis made of a page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Article {
    pub title: String,
    pub text: String,
    pub published: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
    pub authors: Vec<String>,
    pub canonical_url: Option<Url>,
    /// From `<html lang>` or a content-language meta tag, normalised.
    pub lang_declared: Option<String>,
    /// Detected language: ISO 639-1, `zh-Hans`/`zh-Hant`, or `und`.
    pub lang: String,
    pub lang_confidence: f64,
    /// The character encoding the bytes were decoded with.
    pub encoding: String,
}

/// An article with its provenance, as the index stores it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IndexedArticle {
    /// Stable id derived from the canonical URL.
    pub id: String,
    /// The canonical URL of the article (what the index deduplicates on).
    pub url: String,
    pub source: String,
    pub country: String,
    pub region: String,
    pub lang: String,
    pub title: String,
    pub body: String,
    pub published: Option<DateTime<Utc>>,
    pub fetched: DateTime<Utc>,
    pub authors: Vec<String>,
    /// The WARC record id of the response this article was extracted from.
    #[serde(default)]
    pub warc_id: Option<String>,
    /// Monetization topics the article is about, most relevant first.
    #[serde(default)]
    pub topics: Vec<TopicScore>,
    /// The article's overall sentiment.
    #[serde(default)]
    pub sentiment: SentimentScore,
    /// 0 to 100; see `analyze::risk` for the formula.
    #[serde(default)]
    pub risk: f32,
    /// SimHash of title and body, for grouping copies into stories.
    #[serde(skip)]
    pub simhash: u64,
    /// The story (near-duplicates and syndicated copies) this article is
    /// part of: the id of the story's first indexed article.
    #[serde(default)]
    pub story: String,
    /// What drove the topics and their sentiment: matched terms and scored
    /// sentences. Stored in the index; printed by `kabar search --explain`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<TopicEvidence>,
}

/// negative, neutral or positive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SentimentLabel {
    Negative,
    #[default]
    Neutral,
    Positive,
}

impl SentimentLabel {
    pub const ALL: [SentimentLabel; 3] = [
        SentimentLabel::Negative,
        SentimentLabel::Neutral,
        SentimentLabel::Positive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SentimentLabel::Negative => "negative",
            SentimentLabel::Neutral => "neutral",
            SentimentLabel::Positive => "positive",
        }
    }
}

impl std::str::FromStr for SentimentLabel {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "negative" | "neg" => Ok(SentimentLabel::Negative),
            "neutral" | "neu" => Ok(SentimentLabel::Neutral),
            "positive" | "pos" => Ok(SentimentLabel::Positive),
            other => Err(format!(
                "unknown sentiment '{other}' (expected negative, neutral or positive)"
            )),
        }
    }
}

impl std::fmt::Display for SentimentLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A sentiment judgement: the label, a score in [-1, 1] and how sure kabar
/// is of it. `abstained` means the evidence was too weak to call (the label
/// is then neutral); `mixed` means strong evidence both ways.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct SentimentScore {
    pub label: SentimentLabel,
    pub score: f32,
    pub confidence: f32,
    #[serde(default)]
    pub mixed: bool,
    #[serde(default)]
    pub abstained: bool,
}

/// One topic of an article: how relevant (0 to 1), which terms matched, and
/// the sentiment of the coverage about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicScore {
    pub id: String,
    pub score: f32,
    pub terms: Vec<String>,
    pub sentiment: SentimentScore,
}

/// Why an article got a topic and that topic's sentiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicEvidence {
    pub topic: String,
    pub terms: Vec<TermEvidence>,
    pub sentences: Vec<SentenceEvidence>,
}

/// A matched term: the pack's term, the text as written in the article, and
/// its byte range in the title or the body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermEvidence {
    pub term: String,
    pub text: String,
    pub field: TextField,
    pub start: usize,
    pub end: usize,
    #[serde(default)]
    pub entity: bool,
}

/// A sentence (or clause) that was scored, with its score and the cue words
/// (opinion or event words) that moved it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SentenceEvidence {
    pub text: String,
    pub score: f32,
    pub cues: Vec<String>,
}

/// Which part of an article a range points into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextField {
    Title,
    Body,
}

/// Why a feed or a page could not be used. Counted per kind in the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The server answered with a status other than 2xx/304.
    HttpStatus,
    /// Connect or total timeout.
    Timeout,
    /// DNS, connection refused, TLS, reset.
    Network,
    /// The body exceeded the size cap.
    TooLarge,
    /// The bytes are not an RSS, Atom or JSON feed.
    NotAFeed,
    /// The bytes look like a feed but do not parse.
    MalformedFeed,
    /// The page held no article text worth indexing.
    NoArticle,
    /// The URL is not http(s) or otherwise unusable.
    BadUrl,
    /// The host resolves to a private, loopback or link-local address and
    /// private addresses are not allowed.
    Blocked,
    /// robots.txt disallows the URL (or could not be read: RFC 9309 then
    /// says to assume complete disallow).
    Robots,
    /// More redirects than allowed, or a redirect loop.
    Redirects,
    /// The host asked us to wait (429/503 with Retry-After) longer than the
    /// crawl is willing to.
    RateLimited,
    /// kabar could not store what it fetched (archive write failed: disk
    /// full, permissions). Not marked done, so the next crawl tries again.
    Storage,
}

impl FailureKind {
    /// Failures worth retrying within the same crawl: the server or the
    /// network may do better a moment later.
    pub fn is_transient(self) -> bool {
        matches!(self, FailureKind::Timeout | FailureKind::Network)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::HttpStatus => "http_status",
            FailureKind::Timeout => "timeout",
            FailureKind::Network => "network",
            FailureKind::TooLarge => "too_large",
            FailureKind::NotAFeed => "not_a_feed",
            FailureKind::MalformedFeed => "malformed_feed",
            FailureKind::NoArticle => "no_article",
            FailureKind::BadUrl => "bad_url",
            FailureKind::Blocked => "blocked",
            FailureKind::Robots => "robots",
            FailureKind::Redirects => "redirects",
            FailureKind::RateLimited => "rate_limited",
            FailureKind::Storage => "storage",
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A failure with its kind and a human reason ("HTTP 500 Internal Server Error").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Failure {
    pub kind: FailureKind,
    pub reason: String,
}

impl Failure {
    pub fn new(kind: FailureKind, reason: impl Into<String>) -> Self {
        Failure {
            kind,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.reason)
    }
}

/// The outcome of one HTTP fetch, as data.
#[derive(Debug)]
pub enum FetchStatus {
    /// 2xx with a body.
    Fetched(Box<Page>),
    /// 304: the validators we sent still hold.
    NotModified,
    Failed(Failure),
}
