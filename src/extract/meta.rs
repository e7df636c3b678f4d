//! Article metadata: title, dates, authors, canonical URL, declared language.
//!
//! Sources in order of trust: JSON-LD (`NewsArticle`, `Article`, ... also
//! inside `@graph`), OpenGraph and other meta tags, microdata (`itemprop`),
//! then the visible page (`<h1>`, `<time>`, bylines) and finally the URL.
//!
//! Every reader here takes a [`MetaIndex`]: the elements the readers
//! consult, gathered by one walk over the page instead of one selector run
//! over the whole tree per field (meta tags were collected again for every
//! key list, the date-line selector has sixteen parts). The walk keeps each
//! reader's order of trust exactly: lists are in the order the selectors
//! they replace returned (`Html::select` goes by creation order, which
//! differs from tree order where the parser moved elements;
//! `ElementRef::select` goes by tree order), and each element is still
//! decided by the same selector, only after a cheap test on its name or
//! attributes that the selector implies. What only some pages need (the
//! byline, the visible date line) is looked for only when it is needed.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use chrono::{DateTime, Utc};
use scraper::{ElementRef, Html, Node, Selector};
use serde_json::Value;
use url::Url;

use super::dates::{date_from_url_path, parse_machine_date, parse_text_date};

/// What the structured data of a page says.
#[derive(Debug, Default, Clone)]
pub struct JsonLdArticle {
    pub headline: Option<String>,
    pub body: Option<String>,
    pub published: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
    pub authors: Vec<String>,
    pub url: Option<String>,
}

const ARTICLE_TYPES: &[&str] = &[
    "NewsArticle",
    "Article",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "BackgroundNewsArticle",
    "BlogPosting",
    "LiveBlogPosting",
    "SocialMediaPosting",
    "DiscussionForumPosting",
    "ScholarlyArticle",
    "Review",
    "TechArticle",
    "Report",
    "WebPage",
];

/// The parsed form of a static selector, parsed once per process: parsing
/// costs more than most of the matching it is used for.
fn sel(s: &'static str) -> &'static Selector {
    static CACHE: LazyLock<Mutex<HashMap<&'static str, &'static Selector>>> =
        LazyLock::new(Default::default);
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    cache
        .entry(s)
        .or_insert_with(|| Box::leak(Box::new(Selector::parse(s).expect("static selector"))))
}

/// The elements the metadata readers consult, gathered in one walk over the
/// page (see the module docs for why and for the order guarantees).
pub struct MetaIndex<'a> {
    doc: &'a Html,
    /// The first `<html>` element (where `lang` is declared).
    html: Option<ElementRef<'a>>,
    /// The first `<body>`.
    body: Option<ElementRef<'a>>,
    /// The first `<title>`.
    title: Option<ElementRef<'a>>,
    /// Every `<h1>`, by creation order.
    h1s: Vec<ElementRef<'a>>,
    /// `<script type="application/ld+json">`, by creation order.
    ld_scripts: Vec<ElementRef<'a>>,
    /// `[itemprop=datePublished]`, by creation order.
    item_dates: Vec<ElementRef<'a>>,
    /// `<time datetime>`, by creation order.
    times: Vec<ElementRef<'a>>,
    /// `<link rel~=canonical>`, by creation order.
    canonical_links: Vec<ElementRef<'a>>,
    /// Head `<meta>` content by key: each `property`, `name`, `itemprop`
    /// and `http-equiv` word, ASCII-lowercased, to the trimmed `content` of
    /// the first `<meta>` (tree order) that has the word and a non-empty
    /// content.
    metas: HashMap<String, &'a str>,
}

impl<'a> MetaIndex<'a> {
    /// Walks `doc` once, in the node order `Html::select` uses.
    pub fn new(doc: &'a Html) -> MetaIndex<'a> {
        let mut index = MetaIndex {
            doc,
            html: None,
            body: None,
            title: None,
            h1s: Vec::new(),
            ld_scripts: Vec::new(),
            item_dates: Vec::new(),
            times: Vec::new(),
            canonical_links: Vec::new(),
            metas: HashMap::new(),
        };
        for node in doc.tree.nodes() {
            let Node::Element(el) = node.value() else {
                continue;
            };
            let Some(e) = ElementRef::wrap(node) else {
                continue;
            };
            // Each test before a selector is one the selector implies.
            match el.name() {
                "html" => {
                    index.html.get_or_insert(e);
                }
                "body" => {
                    index.body.get_or_insert(e);
                }
                "title" => {
                    index.title.get_or_insert(e);
                }
                "h1" => index.h1s.push(e),
                "script" if LD_SCRIPT.matches(&e) => index.ld_scripts.push(e),
                "time" if TIME_WITH_DATETIME.matches(&e) => index.times.push(e),
                "link" if CANONICAL_LINK.matches(&e) => index.canonical_links.push(e),
                _ => {}
            }
            // `attrs()` compares names as strings; `attr()` would intern
            // the name on every call, which cost more than the whole walk.
            if el.attrs().any(|(name, _)| name == "itemprop") && ITEM_DATE_PUBLISHED.matches(&e) {
                index.item_dates.push(e);
            }
        }
        // Meta tags live in <head>; microdata in the body is read separately.
        let root = doc.root_element();
        let head = root
            .children()
            .filter_map(ElementRef::wrap)
            .find(|e| e.value().name() == "head")
            .unwrap_or(root);
        for meta in head.descendants().filter_map(ElementRef::wrap) {
            let el = meta.value();
            if el.name() != "meta" {
                continue;
            }
            let Some(content) = el.attr("content").map(str::trim).filter(|c| !c.is_empty()) else {
                continue;
            };
            for word in ["property", "name", "itemprop", "http-equiv"]
                .iter()
                .filter_map(|a| el.attr(a))
                .flat_map(str::split_whitespace)
            {
                index
                    .metas
                    .entry(word.to_ascii_lowercase())
                    .or_insert(content);
            }
        }
        index
    }

    /// The page the index was built from.
    pub fn doc(&self) -> &'a Html {
        self.doc
    }
}

/// Parses a selector the walk needs for every page.
fn static_selector(s: &str) -> Selector {
    Selector::parse(s).expect("static selector")
}

static LD_SCRIPT: LazyLock<Selector> =
    LazyLock::new(|| static_selector(r#"script[type="application/ld+json"]"#));
static TIME_WITH_DATETIME: LazyLock<Selector> = LazyLock::new(|| static_selector("time[datetime]"));
static CANONICAL_LINK: LazyLock<Selector> =
    LazyLock::new(|| static_selector("link[rel~=canonical]"));
static ITEM_DATE_PUBLISHED: LazyLock<Selector> =
    LazyLock::new(|| static_selector("[itemprop=datePublished]"));

/// The first article-typed object of all JSON-LD blocks, preferring news
/// types over `WebPage`.
pub fn json_ld(index: &MetaIndex<'_>) -> JsonLdArticle {
    let mut values = Vec::new();
    for script in &index.ld_scripts {
        let raw: String = script.text().collect();
        // Some CMSs leave HTML comments or trailing semicolons around the JSON.
        let cleaned = raw
            .trim()
            .trim_start_matches("<!--")
            .trim_end_matches("-->")
            .trim()
            .trim_start_matches("//")
            .trim_start_matches("<![CDATA[")
            .trim_end_matches("]]>")
            .trim()
            .trim_end_matches("//")
            .trim()
            .trim_end_matches(';');
        if let Ok(value) = serde_json::from_str::<Value>(cleaned) {
            values.push(value);
        }
    }
    let mut objects = Vec::new();
    for value in &values {
        flatten(value, &mut objects);
    }
    let rank = |o: &&Value| -> usize {
        let types = types_of(o);
        ARTICLE_TYPES
            .iter()
            .position(|t| types.iter().any(|x| x == t))
            .unwrap_or(usize::MAX)
    };
    // An untyped object (or one of another type) that has a headline and a
    // date is still the article's data.
    let untyped = |o: &&&Value| o.get("datePublished").is_some() && o.get("headline").is_some();
    let Some(best) = objects
        .iter()
        .filter(|o| rank(o) != usize::MAX)
        .min_by_key(|o| rank(o))
        .or_else(|| objects.iter().find(untyped))
    else {
        return JsonLdArticle::default();
    };
    let string = |key: &str| {
        best.get(key)
            .and_then(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Array(a) => a.first().and_then(|x| x.as_str()).map(str::to_string),
                _ => None,
            })
            .map(|s| html_unescape(s.trim()))
            .filter(|s| !s.is_empty())
    };
    JsonLdArticle {
        headline: string("headline").or_else(|| string("name")),
        body: string("articleBody"),
        published: string("datePublished")
            .or_else(|| string("dateCreated"))
            .and_then(|s| parse_machine_date(&s)),
        modified: string("dateModified").and_then(|s| parse_machine_date(&s)),
        authors: best.get("author").map(person_names).unwrap_or_default(),
        url: string("url").or_else(|| {
            best.get("mainEntityOfPage")
                .and_then(|m| m.get("@id").or(Some(m)))
                .and_then(|v| v.as_str())
                .map(str::to_string)
        }),
    }
}

fn flatten<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| flatten(v, out)),
        Value::Object(map) => {
            out.push(value);
            if let Some(graph) = map.get("@graph") {
                flatten(graph, out);
            }
        }
        _ => {}
    }
}

fn types_of(value: &Value) -> Vec<String> {
    match value.get("@type") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn person_names(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => split_authors(s),
        Value::Array(items) => items.iter().flat_map(person_names).collect(),
        Value::Object(map) => map
            .get("name")
            .and_then(|n| n.as_str())
            .map(split_authors)
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The content of the first `<meta>` whose `property`, `name` or `itemprop`
/// is one of `keys` (case-insensitive), trying the keys in order.
pub fn meta_content(index: &MetaIndex<'_>, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|key| index.metas.get(&key.to_ascii_lowercase()))
        .map(|content| content.to_string())
}

const PUBLISHED_META: &[&str] = &[
    "article:published_time",
    "og:published_time",
    "datePublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "published_time",
    "date",
    "dc.date.issued",
    "dc.date",
    "dcterms.created",
    "dcterms.date",
    "sailthru.date",
    "parsely-pub-date",
    "article.published",
    "nv:date",
];

const MODIFIED_META: &[&str] = &[
    "article:modified_time",
    "og:updated_time",
    "dateModified",
    "last-modified",
    "dcterms.modified",
];

/// Publication and modification dates, by the order of trust above. A date
/// in the URL path is trusted over visible text (it is exact to the day);
/// visible text on the same day adds the time.
pub fn dates(
    index: &MetaIndex<'_>,
    ld: &JsonLdArticle,
    url: Option<&Url>,
    fetched: DateTime<Utc>,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let published = ld
        .published
        .or_else(|| meta_content(index, PUBLISHED_META).and_then(|s| parse_machine_date(&s)))
        .or_else(|| {
            index.item_dates.iter().find_map(|e| {
                e.value()
                    .attr("datetime")
                    .or(e.value().attr("content"))
                    .and_then(parse_machine_date)
            })
        })
        .or_else(|| {
            index
                .times
                .iter()
                .find_map(|e| e.value().attr("datetime").and_then(parse_machine_date))
        })
        .or_else(|| {
            let from_url = url.and_then(|u| date_from_url_path(u.path()));
            let lang = declared_lang_tag(index);
            let visible = visible_date(index, lang.as_deref(), fetched);
            match (from_url, visible) {
                (Some(u), Some(v)) if (v - u).num_hours().abs() < 24 => Some(v),
                (Some(u), _) => Some(u),
                (None, v) => v,
            }
        });
    let modified = ld
        .modified
        .or_else(|| meta_content(index, MODIFIED_META).and_then(|s| parse_machine_date(&s)));
    (published, modified)
}

/// Words in a class attribute (case-sensitive substrings) that mark an
/// element whose text is likely the article's date line.
const DATE_LINE_CLASS_WORDS: &[&str] = &[
    "date", "Date", "time", "publish", "posted", "byline", "dateline", "meta", "info", "author",
    "ngay", "tanggal", "waktu",
];

/// Elements whose text is likely the article's date line: `<time>`, an
/// `itemprop` or `id` with "date", a class with one of
/// [`DATE_LINE_CLASS_WORDS`].
static DATE_LINE_SELECTOR: LazyLock<Selector> = LazyLock::new(|| {
    let mut parts = vec![
        "time".to_string(),
        "[itemprop*=date]".to_string(),
        "[id*=date]".to_string(),
    ];
    parts.extend(
        DATE_LINE_CLASS_WORDS
            .iter()
            .map(|w| format!("[class*={w}]")),
    );
    static_selector(&parts.join(", "))
});

/// A necessary condition for [`DATE_LINE_SELECTOR`], without the selector
/// machinery (which cost more than the rest of the date search). Words are
/// compared ignoring ASCII case, so the test holds whatever case rule the
/// selector applies; the selector still decides.
fn may_be_date_line(el: &scraper::node::Element) -> bool {
    el.name() == "time"
        || el.attrs().any(|(name, value)| match name {
            "itemprop" | "id" => contains_ignore_ascii_case(value, "date"),
            "class" => DATE_LINE_CLASS_WORDS
                .iter()
                .any(|w| contains_ignore_ascii_case(value, w)),
            _ => false,
        })
}

/// `haystack` contains `needle`, ignoring ASCII case.
fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Most date lines and bylines are short; longer text is prose.
const MAX_DATE_LINE_CHARS: usize = 160;

/// The first date a reader sees: in an element that looks like a date line,
/// else in any short text before the end of the page. Elements that say a
/// page was updated come after ones that say it was published.
fn visible_date(
    index: &MetaIndex<'_>,
    lang: Option<&str>,
    fetched: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let body = index.body?;
    // Tree order below <body>, as `ElementRef::select` goes.
    let lines = body
        .descendants()
        .skip(1)
        .filter_map(ElementRef::wrap)
        .filter(|e| may_be_date_line(e.value()) && DATE_LINE_SELECTOR.matches(e))
        .map(element_text)
        .filter(|t| !t.is_empty() && t.chars().count() <= MAX_DATE_LINE_CHARS && has_digit(t));
    let mut updated = None;
    for line in lines {
        if let Some(d) = parse_text_date(&line, lang, fetched) {
            let lower = line.to_lowercase();
            if [
                "updated",
                "diperbarui",
                "cập nhật",
                "更新",
                "업데이트",
                "modified",
            ]
            .iter()
            .any(|w| lower.starts_with(w))
            {
                updated.get_or_insert(d);
                continue;
            }
            return Some(d);
        }
    }
    if updated.is_some() {
        return updated;
    }
    // Short text nodes anywhere, in order.
    body.text()
        .map(str::trim)
        .filter(|t| t.chars().count() >= 6 && t.chars().count() <= 80 && has_digit(t))
        .take(4000)
        .find_map(|t| parse_text_date(t, lang, fetched))
}

/// Every date a reader sees has a digit in some script.
fn has_digit(t: &str) -> bool {
    t.chars().any(char::is_numeric)
}

fn declared_lang_tag(index: &MetaIndex<'_>) -> Option<String> {
    html_lang(index)
        .or_else(|| meta_content(index, &["content-language", "og:locale", "language"]))
        .map(|l| l.replace('_', "-"))
}

/// `lang` (or `xml:lang`) of the `<html>` element.
fn html_lang(index: &MetaIndex<'_>) -> Option<String> {
    index
        .html
        .and_then(|h| h.value().attr("lang").or(h.value().attr("xml:lang")))
        .map(str::to_string)
}

/// Separators between a headline and the site name in `<title>`.
const TITLE_SEPARATORS: &[&str] = &[
    " | ", " – ", " — ", " - ", " :: ", " · ", " » ", "｜", " ｜ ",
];

/// The headline without the site-name suffix or prefix.
pub fn title(index: &MetaIndex<'_>, ld: &JsonLdArticle) -> Option<String> {
    let site = meta_content(index, &["og:site_name", "application-name"]);
    let h1 = index
        .h1s
        .iter()
        .map(|e| collapse(&e.text().collect::<String>()))
        .find(|t| !t.is_empty());
    let og = meta_content(
        index,
        &[
            "dc.title",
            "dc:title",
            "dcterm:title",
            "og:title",
            "twitter:title",
            "parsely-title",
        ],
    )
    .map(|s| collapse(&s));
    let html_title = index
        .title
        .map(|e| collapse(&e.text().collect::<String>()))
        .filter(|t| !t.is_empty());

    // The metadata headline, checked against the page: an <h1> that makes
    // up most of it is the clean form (without a site name or a "Video:"
    // prefix); an <h1> that is only a small part of it is the site's logo.
    // A JSON-LD headline that shares few words with the <h1>, while the
    // <title> or OpenGraph title agrees with the <h1>, describes the page
    // instead of naming it (Wikipedia puts the Wikidata description
    // there): the agreement wins. A reworded headline ("hands-on: ..."
    // for "is ...") shares most words and is kept.
    let ld_headline = ld.headline.clone().filter(|hl| {
        let Some(h1) = h1.as_deref() else {
            return true;
        };
        let shown_elsewhere = [&og, &html_title]
            .into_iter()
            .flatten()
            .any(|t| t.to_lowercase().contains(&h1.to_lowercase()));
        !shown_elsewhere || word_overlap(hl, h1) >= MIN_HEADLINE_OVERLAP
    });
    let best = ld_headline.or(og).or(html_title)?;
    if let Some(h1) = &h1 {
        let (n_h1, n_best) = (h1.chars().count(), best.chars().count());
        if best.contains(h1.as_str()) && n_h1 >= 8 && n_h1 * 2 >= n_best {
            return Some(h1.clone());
        }
    }
    Some(strip_site_name(&best, site.as_deref())).or(h1)
}

/// Share of a JSON-LD headline's words that must be in the <h1> for the
/// two to name the same story.
const MIN_HEADLINE_OVERLAP: f64 = 0.4;

/// The share of `a`'s words (lowercase, letters and digits; each Han,
/// kana or Thai character a word) that also occur in `b`.
fn word_overlap(a: &str, b: &str) -> f64 {
    let words = |s: &str| -> Vec<String> {
        let mut out = Vec::new();
        let mut word = String::new();
        for c in s.chars().flat_map(char::to_lowercase) {
            let unspaced = matches!(c as u32, 0x0E00..=0x0EFF | 0x3040..=0x30FF | 0x3400..=0x9FFF);
            if unspaced || !c.is_alphanumeric() {
                if !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                if unspaced {
                    out.push(c.to_string());
                }
            } else {
                word.push(c);
            }
        }
        if !word.is_empty() {
            out.push(word);
        }
        out
    };
    let (wa, wb) = (words(a), words(b));
    if wa.is_empty() {
        return 1.0;
    }
    let shared = wa.iter().filter(|w| wb.contains(w)).count();
    shared as f64 / wa.len() as f64
}

fn strip_site_name(title: &str, site: Option<&str>) -> String {
    if let Some(site) = site.map(str::trim).filter(|s| !s.is_empty()) {
        for sep in TITLE_SEPARATORS {
            let sep_trim = sep.trim();
            for (a, b) in [
                (title.rsplit_once(sep), true),
                (title.split_once(sep), false),
            ]
            .into_iter()
            .filter_map(|(p, suffix)| p.map(|p| (p, suffix)))
            {
                let (head, tail) = a;
                let (keep, drop) = if b { (head, tail) } else { (tail, head) };
                if drop.trim().eq_ignore_ascii_case(site) && !keep.trim().is_empty() {
                    return keep.trim().trim_end_matches(sep_trim).trim().to_string();
                }
            }
        }
    }
    // Without a site name: drop a short last segment after a strong separator.
    for sep in [" | ", "｜", " – ", " — ", " - "] {
        if let Some((head, tail)) = title.rsplit_once(sep) {
            let tail_words = tail.split_whitespace().count();
            if tail.chars().count() <= 30 && tail_words <= 4 && head.chars().count() >= 15 {
                return head.trim().to_string();
            }
        }
    }
    title.trim().to_string()
}

/// Author names, cleaned of "By", dates and roles.
pub fn authors(index: &MetaIndex<'_>, ld: &JsonLdArticle) -> Vec<String> {
    let mut names = ld.authors.clone();
    if names.is_empty() {
        for key in [
            "author",
            "article:author",
            "dc.creator",
            "byl",
            "sailthru.author",
            "parsely-author",
        ] {
            if let Some(v) = meta_content(index, &[key])
                && !v.starts_with("http")
            {
                names = split_authors(&v);
                break;
            }
        }
    }
    if names.is_empty() {
        let byline = sel(BYLINE_SELECTOR);
        // Creation order, as `Html::select` goes; the selector decides
        // only for elements with an attribute one of its parts needs.
        let first = index
            .doc
            .tree
            .nodes()
            .filter_map(ElementRef::wrap)
            .find(|e| may_be_byline(e.value()) && byline.matches(e));
        if let Some(e) = first {
            names = split_authors(&e.text().collect::<String>());
        }
    }
    let mut out: Vec<String> = Vec::new();
    for n in names {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&n)) {
            out.push(n);
        }
    }
    out
}

/// The byline selector: microdata, `rel`, and common class names.
const BYLINE_SELECTOR: &str = "[itemprop=author] [itemprop=name], [itemprop=author], [rel=author], .byline, .author, .author-name, .story-byline, .article-author, .writer, .reporter";

/// A necessary condition for [`BYLINE_SELECTOR`], cheap enough for every
/// element: an `itemprop` of "author" or "name", a `rel` of "author", or a
/// class holding a word every byline class name contains (ignoring ASCII
/// case, as [`may_be_date_line`] does). The selector still decides.
fn may_be_byline(el: &scraper::node::Element) -> bool {
    el.attrs().any(|(name, value)| match name {
        "itemprop" => value.eq_ignore_ascii_case("author") || value.eq_ignore_ascii_case("name"),
        "rel" => value.eq_ignore_ascii_case("author"),
        "class" => ["byline", "author", "writer", "reporter"]
            .iter()
            .any(|w| contains_ignore_ascii_case(value, w)),
        _ => false,
    })
}

/// Prefixes that introduce a byline, in the first-class languages.
const BYLINE_PREFIXES: &[&str] = &[
    "by:",
    "by ",
    "oleh:",
    "oleh ",
    "penulis:",
    "penulis ",
    "reporter:",
    "reporter ",
    "wartawan:",
    "โดย",
    "bởi",
    "tác giả:",
    "ni ",
    "sinulat ni",
    "作者：",
    "作者:",
    "文／",
    "文/",
    "記者：",
    "记者：",
    "द्वारा",
    "लेखक:",
    "रिपोर्ट:",
    "रिपोर्टर:",
    "संवाददाता:",
    "লেখক:",
    "প্রতিবেদক:",
    "تحریر:",
    "رپورٹ:",
    "எழுதியவர்:",
    "செய்தியாளர்:",
    "written by ",
    "reported by ",
];

/// Chinese bylines name the reporter after 记者/記者, often after the outlet
/// ("来源：华南财经日报 记者 陈明", "記者王小明／台北報導").
fn reporter_after_marker(s: &str) -> Option<String> {
    let (_, after) = s.rsplit_once("记者").or_else(|| s.rsplit_once("記者"))?;
    let after = after.trim_start_matches([' ', '：', ':', '\u{3000}']);
    let name: String = after
        .chars()
        .take_while(|c| {
            !matches!(
                c,
                '／' | '/' | ' ' | '，' | ',' | '（' | '(' | '\u{3000}' | '、'
            )
        })
        .collect();
    let name = name
        .trim_end_matches("报道")
        .trim_end_matches("報導")
        .trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// Splits a byline into names: "By Rina Wulandari and Budi Santoso, Jakarta".
pub fn split_authors(raw: &str) -> Vec<String> {
    let mut s = collapse(&html_unescape(raw));
    if let Some(name) = reporter_after_marker(&s) {
        s = name;
    }
    loop {
        let lower = s.to_lowercase();
        let Some(p) = BYLINE_PREFIXES.iter().find(|p| lower.starts_with(*p)) else {
            break;
        };
        // Prefixes are matched on the lowercase copy; cut the same number of chars.
        let n = p.chars().count();
        s = s.chars().skip(n).collect::<String>().trim().to_string();
    }
    let mut out = Vec::new();
    for part in s
        .split([',', '&', '/', '、', '，', ';', '|'])
        .flat_map(|p| p.split(" and "))
        .flat_map(|p| p.split(" dan "))
        .flat_map(|p| p.split(" và "))
        .flat_map(|p| p.split(" และ "))
    {
        let name = part
            .trim()
            .trim_end_matches(" 기자")
            .trim_end_matches("記者")
            .trim_end_matches("记者")
            .trim();
        let looks_like_name = !name.is_empty()
            && name.chars().count() <= 60
            && !name.contains('@')
            && !name.starts_with("http")
            && parse_machine_date(name).is_none()
            && name.chars().filter(|c| c.is_ascii_digit()).count() < 3;
        if looks_like_name {
            out.push(name.to_string());
        }
    }
    out
}

/// The canonical URL: `<link rel=canonical>`, then `og:url`, then JSON-LD,
/// resolved against the page URL.
pub fn canonical_url(
    index: &MetaIndex<'_>,
    ld: &JsonLdArticle,
    page_url: Option<&Url>,
) -> Option<Url> {
    let raw = index
        .canonical_links
        .iter()
        .find_map(|e| {
            e.value()
                .attr("href")
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .map(str::to_string)
        })
        .or_else(|| meta_content(index, &["og:url"]))
        .or_else(|| ld.url.clone())?;
    let resolved = match page_url {
        Some(base) => base.join(&raw).ok()?,
        None => Url::parse(&raw).ok()?,
    };
    matches!(resolved.scheme(), "http" | "https").then_some(resolved)
}

/// The language the page declares, normalised to kabar's codes.
pub fn declared_language(index: &MetaIndex<'_>) -> Option<String> {
    html_lang(index)
        .or_else(|| {
            meta_content(
                index,
                &["content-language", "og:locale", "language", "dc.language"],
            )
        })
        .and_then(|l| normalise_lang_tag(&l))
}

/// `en-US` → `en`, `zh-CN` → `zh-Hans`, `zh-TW` → `zh-Hant`, `in` → `id`.
pub fn normalise_lang_tag(tag: &str) -> Option<String> {
    let tag = tag.trim().replace('_', "-");
    let mut parts = tag.split('-');
    let primary = parts.next()?.to_ascii_lowercase();
    let rest: Vec<String> = parts.map(|p| p.to_ascii_lowercase()).collect();
    if primary.is_empty() || primary.len() > 3 || !primary.bytes().all(|b| b.is_ascii_alphabetic())
    {
        return None;
    }
    let code = match primary.as_str() {
        "zh" | "zho" | "chi" | "cmn" | "yue" => {
            let hant = rest
                .iter()
                .any(|p| matches!(p.as_str(), "hant" | "tw" | "hk" | "mo"));
            if hant { "zh-Hant" } else { "zh-Hans" }.to_string()
        }
        "in" => "id".to_string(),
        "iw" => "he".to_string(),
        "fil" => "tl".to_string(),
        "zsm" | "msa" | "may" => "ms".to_string(),
        "ind" => "id".to_string(),
        "tha" => "th".to_string(),
        "vie" => "vi".to_string(),
        "jpn" => "ja".to_string(),
        "kor" => "ko".to_string(),
        "eng" => "en".to_string(),
        other if other.len() == 2 => other.to_string(),
        _ => return None,
    };
    Some(code)
}

/// Collapses runs of whitespace to one space and trims.
pub fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Decodes the few entities that survive into JSON-LD strings and meta tags.
fn html_unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#039;", "'")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// Text of an element, whitespace collapsed.
pub fn element_text(e: ElementRef<'_>) -> String {
    collapse(&e.text().collect::<String>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_ld_in_a_graph_is_found() {
        let html = Html::parse_document(
            r#"<html><head><script type="application/ld+json">{"@context":"https://schema.org","@graph":[
            {"@type":"WebSite","name":"Site"},
            {"@type":"NewsArticle","headline":"OJK Blokir 500 Pinjol","datePublished":"2025-03-14T08:30:00+07:00",
             "author":[{"@type":"Person","name":"Rina Wulandari"},{"@type":"Person","name":"Budi"}]}]}</script></head></html>"#,
        );
        let ld = json_ld(&MetaIndex::new(&html));
        assert_eq!(ld.headline.as_deref(), Some("OJK Blokir 500 Pinjol"));
        assert_eq!(ld.authors, ["Rina Wulandari", "Budi"]);
        assert_eq!(
            ld.published.unwrap().to_rfc3339(),
            "2025-03-14T01:30:00+00:00"
        );
    }

    #[test]
    fn titles_lose_the_site_name() {
        assert_eq!(
            strip_site_name(
                "Scam ads surge | The Straits Ledger",
                Some("The Straits Ledger")
            ),
            "Scam ads surge"
        );
        assert_eq!(
            strip_site_name("Kompas.com - Iklan judi marak", Some("Kompas.com")),
            "Iklan judi marak"
        );
        assert_eq!(
            strip_site_name("Regulator fines platform over loan ads - Daily", None),
            "Regulator fines platform over loan ads"
        );
        assert_eq!(
            strip_site_name("Live-shopping - what went wrong in 2025 and why", None),
            "Live-shopping - what went wrong in 2025 and why"
        );
    }

    #[test]
    fn a_json_ld_description_does_not_replace_the_shown_headline() {
        let page = |ld_headline: &str, h1: &str, title_tag: &str| {
            let html = format!(
                r#"<html><head><title>{title_tag}</title><meta property="og:site_name" content="Wikipedia">
                <script type="application/ld+json">
                {{"@context":"https://schema.org","@type":"Article","headline":"{ld_headline}"}}</script>
                </head><body><h1>{h1}</h1><p>Body.</p></body></html>"#
            );
            let doc = Html::parse_document(&html);
            let index = MetaIndex::new(&doc);
            title(&index, &json_ld(&index)).unwrap()
        };
        // A description in the headline slot, the title tag agreeing with the <h1>.
        assert_eq!(
            page(
                "constitutional monarchy in Oceania",
                "New Zealand",
                "New Zealand - Wikipedia"
            ),
            "New Zealand"
        );
        assert_eq!(
            page("Kota di Jawa Tengah", "Semarang", "Semarang - Wikipedia"),
            "Semarang"
        );
        // A reworded headline of the same story stays; one the <h1> makes
        // up most of gives way to the <h1>, as before.
        assert_eq!(
            page(
                "Apple’s Vision Pro hands-on: the Retina display moment for headsets",
                "Apple’s Vision Pro is the Retina display moment for headsets",
                "Apple’s Vision Pro is the Retina display moment for headsets - The Verge"
            ),
            "Apple’s Vision Pro hands-on: the Retina display moment for headsets"
        );
        assert_eq!(
            page(
                "ตำรวจจับแก๊งคอลเซ็นเตอร์ 30 คน",
                "ตำรวจจับแก๊งคอลเซ็นเตอร์",
                "ตำรวจจับแก๊งคอลเซ็นเตอร์ | ข่าวสด"
            ),
            "ตำรวจจับแก๊งคอลเซ็นเตอร์"
        );
    }

    #[test]
    fn bylines_become_names() {
        assert_eq!(
            split_authors("By Daniel Tan and Mei Ling"),
            ["Daniel Tan", "Mei Ling"]
        );
        assert_eq!(split_authors("Oleh: Rina Wulandari"), ["Rina Wulandari"]);
        assert_eq!(split_authors("โดย สมชาย ใจดี"), ["สมชาย ใจดี"]);
        assert_eq!(split_authors("김민수 기자"), ["김민수"]);
        assert_eq!(split_authors("来源：华南财经日报 记者 陈明"), ["陈明"]);
        assert_eq!(split_authors("記者王小明／台北報導"), ["王小明"]);
        assert_eq!(split_authors("रिपोर्ट: प्रिया वर्मा"), ["प्रिया वर्मा"]);
        assert!(split_authors("2025-03-14").is_empty());
    }

    /// The cheap tests in front of the date-line and byline selectors never
    /// turn away an element the selector matches, on the test fixtures'
    /// real pages and on elements built to sit at the edges.
    #[test]
    fn the_prefilters_keep_every_element_their_selector_matches() {
        let mut pages = vec![
            r#"<html><body><time>1</time><p class="x-Date-y">2</p><p id="pubDATE">3</p>
            <p itemprop="dateCreated">4</p><p class="waktu">5</p><p class="metadata">6</p>
            <span itemprop="author"><b itemprop="name">A</b></span><a rel="Author">B</a>
            <p class="story-byline">C</p><p class="article-author">D</p><p class="writer x">E</p>
            <p class="reporter">F</p><p class="author-name">G</p><p class="plain">7</p></body></html>"#
                .to_string(),
        ];
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/extract");
        let mut dirs = vec![std::path::PathBuf::from(dir)];
        while let Some(d) = dirs.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "html") {
                    let bytes = std::fs::read(&path).unwrap();
                    pages.push(crate::charset::decode_html(&bytes, None).text.into_owned());
                }
            }
        }
        assert!(pages.len() > 10, "only {} pages", pages.len());
        let (mut num_date_lines, mut num_bylines) = (0, 0);
        for page in &pages {
            let doc = Html::parse_document(page);
            for e in doc.tree.nodes().filter_map(ElementRef::wrap) {
                if DATE_LINE_SELECTOR.matches(&e) {
                    assert!(may_be_date_line(e.value()), "{:?}", e.value());
                    num_date_lines += 1;
                }
                if sel(BYLINE_SELECTOR).matches(&e) {
                    assert!(may_be_byline(e.value()), "{:?}", e.value());
                    num_bylines += 1;
                }
            }
        }
        assert!(
            num_date_lines > 20 && num_bylines > 8,
            "{num_date_lines} {num_bylines}"
        );
    }

    #[test]
    fn language_tags_are_normalised() {
        assert_eq!(normalise_lang_tag("en-US").as_deref(), Some("en"));
        assert_eq!(normalise_lang_tag("zh-TW").as_deref(), Some("zh-Hant"));
        assert_eq!(normalise_lang_tag("zh_CN").as_deref(), Some("zh-Hans"));
        assert_eq!(normalise_lang_tag("in").as_deref(), Some("id"));
        assert_eq!(normalise_lang_tag("x"), None);
    }
}
