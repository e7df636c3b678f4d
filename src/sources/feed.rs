//! Discovery from feeds: RSS 0.9x/1.0/2.0, Atom and JSON Feed bytes to
//! [`Candidate`]s.
//!
//! feed-rs does the parsing. It honours the XML declaration's encoding but
//! not the HTTP charset or undeclared legacy bytes, so the bytes are decoded
//! here first (see [`crate::charset`]) and handed over as UTF-8 with the
//! stale declaration removed.

use chrono::{DateTime, Utc};
use url::Url;

use crate::charset;
use crate::model::{Candidate, Failure, FailureKind};
use crate::sources::canonical::canonicalize;

/// Parses a feed body into candidates for `source_id`. Items without a
/// usable http(s) link are skipped; duplicates within the feed (same
/// canonical URL) are kept once.
pub fn parse_feed(
    body: &[u8],
    content_type: Option<&str>,
    feed_url: &Url,
    source_id: &str,
) -> Result<Vec<Candidate>, Failure> {
    let utf8 = to_utf8(body, content_type);
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(feed_url.as_str()))
        .build();
    let feed = parser
        .parse(utf8.as_bytes())
        .map_err(|e| classify(&e, &utf8))?;

    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for entry in feed.entries {
        let Some(url) = entry_link(&entry, feed_url) else {
            continue;
        };
        let url = canonicalize(&url);
        if !seen.insert(url.clone()) {
            continue;
        }
        let published: Option<DateTime<Utc>> = entry.published.or(entry.updated);
        out.push(Candidate {
            source_id: source_id.to_string(),
            url,
            feed_url: feed_url.clone(),
            title_hint: entry
                .title
                .map(|t| t.content.trim().to_string())
                .filter(|t| !t.is_empty()),
            published_hint: published,
            authors_hint: entry
                .authors
                .into_iter()
                .filter_map(|p| p.name.map(|n| n.trim().to_string()))
                .filter(|n| !n.is_empty())
                .collect(),
        });
    }
    Ok(out)
}

fn to_utf8(body: &[u8], content_type: Option<&str>) -> String {
    let trimmed = trim_leading_junk(body);
    if trimmed.first() == Some(&b'{') {
        // JSON is UTF-8 by definition (RFC 8259).
        return String::from_utf8_lossy(trimmed).into_owned();
    }
    let decoded = charset::decode_xml(body, content_type);
    charset::strip_xml_encoding_declaration(&decoded.text).into_owned()
}

fn trim_leading_junk(body: &[u8]) -> &[u8] {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let skip = body.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &body[skip..]
}

/// The item's article link: the first `alternate` (or untyped) link, else
/// the first link, else an id that is itself a URL (common in Atom).
fn entry_link(entry: &feed_rs::model::Entry, base: &Url) -> Option<Url> {
    let links = &entry.links;
    let chosen = links
        .iter()
        .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
        .or_else(|| links.first())
        .map(|l| l.href.as_str())
        .or_else(|| Some(entry.id.as_str()).filter(|id| id.starts_with("http")))?;
    let url = base.join(chosen.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

/// Tells "this is not a feed at all" (an HTML page, an empty body) apart
/// from "this is a broken feed", because the fixes differ: the first means
/// the catalog points at the wrong URL.
fn classify(error: &feed_rs::parser::ParseFeedError, text: &str) -> Failure {
    use feed_rs::parser::ParseFeedError as E;
    let head: String = text
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    let looks_html = head.contains("<html") || head.contains("<!doctype html");
    match error {
        _ if looks_html => Failure::new(
            FailureKind::NotAFeed,
            "got an HTML page, not a feed (does the source list its homepage as a feed?)",
        ),
        E::ParseError(_) if text.trim().is_empty() => {
            Failure::new(FailureKind::NotAFeed, "empty body")
        }
        E::ParseError(kind) => Failure::new(FailureKind::NotAFeed, format!("not a feed: {kind}")),
        E::XmlReader(e) => Failure::new(FailureKind::MalformedFeed, format!("malformed XML: {e}")),
        E::JsonSerde(e) => Failure::new(
            FailureKind::MalformedFeed,
            format!("malformed JSON feed: {e}"),
        ),
        E::JsonUnsupportedVersion(v) => Failure::new(
            FailureKind::MalformedFeed,
            format!("unsupported JSON Feed version {v}"),
        ),
        E::IoError(e) => Failure::new(FailureKind::MalformedFeed, format!("unreadable feed: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("http://news.test/feed.xml").unwrap()
    }

    #[test]
    fn rss_items_become_canonical_candidates_once() {
        let rss = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>T</title>
<item><title>Iklan judi online</title><link>http://news.test/a?utm_source=rss&amp;id=7#top</link>
<pubDate>Fri, 14 Mar 2025 08:30:00 +0700</pubDate></item>
<item><title>Copy</title><link>http://news.test/a?id=7&amp;utm_medium=feed</link></item>
<item><title>Relative</title><link>/b</link></item>
</channel></rss>"#;
        let items = parse_feed(rss.as_bytes(), None, &base(), "s").unwrap();
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(items[0].url.as_str(), "http://news.test/a?id=7");
        assert_eq!(items[0].title_hint.as_deref(), Some("Iklan judi online"));
        assert_eq!(
            items[0].published_hint.unwrap().to_rfc3339(),
            "2025-03-14T01:30:00+00:00"
        );
        assert_eq!(items[1].url.as_str(), "http://news.test/b");
    }

    #[test]
    fn html_is_not_a_feed_and_broken_xml_is_malformed() {
        let html = b"<!DOCTYPE html><html><body>hi</body></html>";
        assert_eq!(
            parse_feed(html, None, &base(), "s").unwrap_err().kind,
            FailureKind::NotAFeed
        );
        let broken =
            b"<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><item><title>x</titl></item>";
        assert_eq!(
            parse_feed(broken, None, &base(), "s").unwrap_err().kind,
            FailureKind::MalformedFeed
        );
    }

    #[test]
    fn legacy_encoded_feed_without_declaration_uses_http_charset() {
        let xml = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title><item><title>광고 사기 주의보</title><link>http://news.test/k</link></item></channel></rss>";
        let (bytes, _, _) = encoding_rs::EUC_KR.encode(xml);
        let items = parse_feed(
            &bytes,
            Some("application/rss+xml; charset=euc-kr"),
            &base(),
            "s",
        )
        .unwrap();
        assert_eq!(items[0].title_hint.as_deref(), Some("광고 사기 주의보"));
    }
}
