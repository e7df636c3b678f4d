//! Discovery from HTML: feeds a homepage announces, and article links on a
//! section page that match the source's link pattern.

use regex::Regex;
use scraper::{Html, Selector};
use url::Url;

use crate::charset;
use crate::model::Candidate;
use crate::sources::canonical::canonicalize;

/// Feed types a homepage may announce with `<link rel="alternate">`.
const FEED_TYPES: &[&str] = &[
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
];

/// Feeds announced by a page, resolved against its URL, in page order.
/// Comment feeds are skipped: they carry reader comments, not articles.
pub fn autodiscover_feeds(body: &[u8], content_type: Option<&str>, page_url: &Url) -> Vec<Url> {
    let text = charset::decode_html(body, content_type).text;
    let doc = Html::parse_document(&text);
    let selector = Selector::parse("link[rel~=alternate][href]").expect("static selector");
    let mut out: Vec<Url> = Vec::new();
    for link in doc.select(&selector) {
        let el = link.value();
        let kind = el.attr("type").unwrap_or("").trim().to_ascii_lowercase();
        if !FEED_TYPES.contains(&kind.as_str()) {
            continue;
        }
        let title = el.attr("title").unwrap_or("").to_lowercase();
        let href = el.attr("href").unwrap_or("");
        if title.contains("comment") || href.contains("/comments/") {
            continue;
        }
        if let Ok(url) = page_url.join(href.trim())
            && matches!(url.scheme(), "http" | "https")
            && !out.contains(&url)
        {
            out.push(url);
        }
    }
    out
}

/// Links on a section page whose absolute URL matches `pattern`, on the
/// page's own site, canonicalized, once each, in page order.
pub fn section_links(
    body: &[u8],
    content_type: Option<&str>,
    page_url: &Url,
    pattern: &Regex,
    feed_url: &Url,
    source_id: &str,
) -> Vec<Candidate> {
    let text = charset::decode_html(body, content_type).text;
    let doc = Html::parse_document(&text);
    let selector = Selector::parse("a[href]").expect("static selector");
    let site = registrable_host(page_url);
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for a in doc.select(&selector) {
        let Some(href) = a.value().attr("href") else {
            continue;
        };
        let Ok(url) = page_url.join(href.trim()) else {
            continue;
        };
        if !matches!(url.scheme(), "http" | "https") || registrable_host(&url) != site {
            continue;
        }
        let url = canonicalize(&url);
        if url == canonicalize(page_url)
            || !pattern.is_match(url.as_str())
            || !seen.insert(url.clone())
        {
            continue;
        }
        let title: String = a.text().collect::<Vec<_>>().join(" ");
        let title = title.split_whitespace().collect::<Vec<_>>().join(" ");
        out.push(Candidate {
            source_id: source_id.to_string(),
            url,
            feed_url: feed_url.clone(),
            title_hint: Some(title).filter(|t| t.chars().count() >= 10),
            published_hint: None,
            authors_hint: Vec::new(),
        });
    }
    out
}

/// The host without a leading `www.`, so `www.news.test` and `news.test`
/// count as one site.
fn registrable_host(url: &Url) -> String {
    let host = url.host_str().unwrap_or("").to_ascii_lowercase();
    host.strip_prefix("www.")
        .map(str::to_string)
        .unwrap_or(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn homepages_announce_their_feeds() {
        let html = br#"<html><head>
            <link rel="alternate" type="application/rss+xml" title="Berita" href="/feed">
            <link rel="alternate" type="application/rss+xml" title="Comments" href="/comments/feed">
            <link rel="alternate" type="application/atom+xml" href="https://news.test/atom.xml">
            <link rel="alternate" hreflang="en" href="/en/">
            <link rel="stylesheet" href="/s.css"></head></html>"#;
        let base = Url::parse("https://news.test/").unwrap();
        let feeds: Vec<String> = autodiscover_feeds(html, None, &base)
            .iter()
            .map(Url::to_string)
            .collect();
        assert_eq!(
            feeds,
            ["https://news.test/feed", "https://news.test/atom.xml"]
        );
    }

    #[test]
    fn section_pages_yield_matching_article_links() {
        let html = r#"<html><body><nav><a href="/ekonomi/">Ekonomi</a></nav>
            <a href="/read/2025/03/14/123/ojk-blokir-iklan-pinjol?utm_source=home">OJK blokir iklan pinjol ilegal</a>
            <a href="https://www.news.test/read/2025/03/14/124/judi-online">Iklan judi online marak di media sosial</a>
            <a href="https://other.test/read/2025/03/14/9/x">Elsewhere</a>
            <a href="/read/2025/03/14/123/ojk-blokir-iklan-pinjol">duplicate</a></body></html>"#;
        let base = Url::parse("https://news.test/ekonomi/").unwrap();
        let pattern = Regex::new(r"/read/\d{4}/\d{2}/\d{2}/\d+/").unwrap();
        let c = section_links(html.as_bytes(), None, &base, &pattern, &base, "s");
        let urls: Vec<&str> = c.iter().map(|c| c.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://news.test/read/2025/03/14/123/ojk-blokir-iklan-pinjol",
                "https://www.news.test/read/2025/03/14/124/judi-online"
            ]
        );
        assert_eq!(
            c[0].title_hint.as_deref(),
            Some("OJK blokir iklan pinjol ilegal")
        );
    }
}
