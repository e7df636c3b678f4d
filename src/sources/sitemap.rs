//! Discovery from XML sitemaps: `<urlset>` (with Google News extensions)
//! and `<sitemapindex>`, plain or gzip-compressed.
//!
//! News sitemaps list a site's articles of the last two days with a title
//! and a publication date; ordinary sitemaps list everything the site has
//! ever published. Entries are therefore ordered newest first (by news
//! publication date, else `lastmod`) so the per-poll item cap keeps the
//! recent ones; entries without any date keep document order after the dated.

use std::io::Read;

use chrono::{DateTime, Utc};
use quick_xml::Reader;
use quick_xml::events::Event;
use url::Url;

use crate::model::{Candidate, Failure, FailureKind};
use crate::sources::canonical::canonicalize;

/// Largest decompressed sitemap accepted (the sitemap protocol allows 50 MB).
pub const MAX_SITEMAP_BYTES: u64 = 50 * 1024 * 1024;

/// What one sitemap document lists.
#[derive(Debug, Default, PartialEq)]
pub struct Sitemap {
    /// Article candidates (from `<urlset>`).
    pub entries: Vec<SitemapEntry>,
    /// Child sitemaps (from `<sitemapindex>`), newest first.
    pub children: Vec<Url>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SitemapEntry {
    pub url: Url,
    pub published: Option<DateTime<Utc>>,
    pub title: Option<String>,
}

/// Parses a sitemap body (gzip is recognised by its magic bytes).
pub fn parse_sitemap(body: &[u8], base: &Url) -> Result<Sitemap, Failure> {
    let inflated;
    let body = if body.starts_with(&[0x1f, 0x8b]) {
        inflated = gunzip(body)?;
        &inflated[..]
    } else {
        body
    };
    let text = crate::charset::decode_xml(body, None).text;
    let mut reader = Reader::from_str(&text);
    reader.config_mut().trim_text(true);

    let mut root: Option<String> = None;
    let mut path: Vec<String> = Vec::new();
    let mut text_buf = String::new();
    let mut loc: Option<String> = None;
    let mut date: Option<DateTime<Utc>> = None;
    let mut news_date: Option<DateTime<Utc>> = None;
    let mut title: Option<String> = None;
    let mut dated_children: Vec<(Option<DateTime<Utc>>, Url)> = Vec::new();
    let mut entries: Vec<SitemapEntry> = Vec::new();

    loop {
        let event = reader.read_event().map_err(|e| {
            Failure::new(
                FailureKind::MalformedFeed,
                format!(
                    "malformed sitemap XML at byte {}: {e}",
                    reader.buffer_position()
                ),
            )
        })?;
        match event {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_ascii_lowercase();
                if root.is_none() {
                    if name != "urlset" && name != "sitemapindex" {
                        return Err(Failure::new(
                            FailureKind::NotAFeed,
                            format!("not a sitemap (root element <{name}>)"),
                        ));
                    }
                    root = Some(name.clone());
                }
                if name == "url" || name == "sitemap" {
                    loc = None;
                    date = None;
                    news_date = None;
                    title = None;
                }
                path.push(name);
                text_buf.clear();
            }
            Event::Text(t) => text_buf.push_str(&t.xml10_content()),
            Event::CData(t) => text_buf.push_str(&t.into_inner()),
            Event::GeneralRef(r) => {
                let name = r.into_inner();
                if let Some(c) = resolve_reference(&name) {
                    text_buf.push_str(&c);
                }
            }
            Event::End(_) => {
                let Some(name) = path.pop() else { continue };
                let value = text_buf.trim().to_string();
                text_buf.clear();
                let parent = path.last().map(String::as_str);
                match (name.as_str(), parent) {
                    ("loc", Some("url" | "sitemap")) => loc = Some(value),
                    ("lastmod", Some("url" | "sitemap")) => date = parse_machine_date(&value),
                    ("publication_date", _) => news_date = parse_machine_date(&value),
                    ("title", Some("news")) => title = Some(value).filter(|t| !t.is_empty()),
                    ("url", _) => {
                        if let Some(url) = loc.take().and_then(|l| resolve(base, &l)) {
                            entries.push(SitemapEntry {
                                url: canonicalize(&url),
                                published: news_date.or(date),
                                title: title.take(),
                            });
                        }
                    }
                    ("sitemap", _) => {
                        if let Some(url) = loc.take().and_then(|l| resolve(base, &l)) {
                            dated_children.push((date, url));
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if root.is_none() {
        return Err(Failure::new(
            FailureKind::NotAFeed,
            "empty document, not a sitemap",
        ));
    }
    // Newest first; undated last, in document order (sort is stable).
    entries.sort_by_key(|e| std::cmp::Reverse(e.published));
    dated_children.sort_by_key(|c| std::cmp::Reverse(c.0));
    Ok(Sitemap {
        entries,
        children: dated_children.into_iter().map(|(_, u)| u).collect(),
    })
}

/// Sitemap entries as candidates for `source_id`.
pub fn candidates(sitemap: &Sitemap, feed_url: &Url, source_id: &str) -> Vec<Candidate> {
    sitemap
        .entries
        .iter()
        .map(|e| Candidate {
            source_id: source_id.to_string(),
            url: e.url.clone(),
            feed_url: feed_url.clone(),
            title_hint: e.title.clone(),
            published_hint: e.published,
            authors_hint: Vec::new(),
        })
        .collect()
}

/// W3C datetime as sitemaps use it: `YYYY-MM-DD`, or with a time and an
/// offset (`2025-03-14T08:30+07:00`, seconds and fractions optional).
fn parse_machine_date(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M%:z") {
        return Some(d.with_timezone(&Utc));
    }
    let date = chrono::NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()?;
    Some(date.and_hms_opt(0, 0, 0)?.and_utc())
}

fn resolve(base: &Url, loc: &str) -> Option<Url> {
    let url = base.join(loc.trim()).ok()?;
    matches!(url.scheme(), "http" | "https").then_some(url)
}

fn resolve_reference(name: &str) -> Option<String> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).map(String::from);
    }
    quick_xml::escape::resolve_predefined_entity(name).map(str::to_string)
}

/// Inflates a gzip body with a cap, so a compression bomb stops early.
fn gunzip(body: &[u8]) -> Result<Vec<u8>, Failure> {
    let mut out = Vec::new();
    let mut decoder = flate2::read::GzDecoder::new(body).take(MAX_SITEMAP_BYTES + 1);
    decoder
        .read_to_end(&mut out)
        .map_err(|e| Failure::new(FailureKind::MalformedFeed, format!("bad gzip sitemap: {e}")))?;
    if out.len() as u64 > MAX_SITEMAP_BYTES {
        return Err(Failure::new(
            FailureKind::TooLarge,
            format!("sitemap inflates to more than {MAX_SITEMAP_BYTES} bytes"),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://news.test/sitemap.xml").unwrap()
    }

    #[test]
    fn news_sitemaps_give_titles_and_dates_newest_first() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
 <url><loc>https://news.test/a?x=1&amp;utm_source=sm</loc>
  <news:news><news:publication><news:name>T</news:name><news:language>th</news:language></news:publication>
   <news:publication_date>2025-03-14T08:30:00+07:00</news:publication_date>
   <news:title>โฆษณาหลอกลวง</news:title></news:news></url>
 <url><loc>https://news.test/b</loc><lastmod>2025-03-15</lastmod></url>
 <url><loc>/c</loc></url>
</urlset>"#;
        let s = parse_sitemap(xml.as_bytes(), &base()).unwrap();
        let urls: Vec<&str> = s.entries.iter().map(|e| e.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "https://news.test/b",
                "https://news.test/a?x=1",
                "https://news.test/c"
            ]
        );
        assert_eq!(s.entries[1].title.as_deref(), Some("โฆษณาหลอกลวง"));
        assert_eq!(
            s.entries[1].published.unwrap().to_rfc3339(),
            "2025-03-14T01:30:00+00:00"
        );
    }

    #[test]
    fn sitemap_indexes_list_children_newest_first_and_gzip_is_read() {
        let xml = r#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://news.test/old.xml</loc><lastmod>2024-01-01</lastmod></sitemap>
<sitemap><loc>https://news.test/new.xml.gz</loc><lastmod>2025-03-01</lastmod></sitemap></sitemapindex>"#;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        std::io::Write::write_all(&mut gz, xml.as_bytes()).unwrap();
        let s = parse_sitemap(&gz.finish().unwrap(), &base()).unwrap();
        assert_eq!(s.children[0].as_str(), "https://news.test/new.xml.gz");
        assert_eq!(s.children.len(), 2);
        assert!(s.entries.is_empty());
    }

    #[test]
    fn other_documents_are_not_sitemaps() {
        let err = parse_sitemap(b"<rss version=\"2.0\"></rss>", &base()).unwrap_err();
        assert_eq!(err.kind, FailureKind::NotAFeed);
        let err = parse_sitemap(b"<urlset><url><loc>x</url></urlset>", &base()).unwrap_err();
        assert_eq!(err.kind, FailureKind::MalformedFeed);
    }
}
