//! HTML to [`Extracted`]: main text, title, dates, authors, canonical URL and
//! the declared language.
//!
//! The crawl and `kabar extract` call the same [`extract_page`], so what the
//! debugging command prints is what the crawl indexes. Structured data
//! (JSON-LD `articleBody`) is used only when the DOM extraction comes out much
//! shorter, since some sites put a teaser or a stale copy there.

pub mod dates;
pub mod meta;
pub mod parse;
pub mod prune;
pub mod quirks;
pub mod text;

use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;
use url::Url;

use crate::charset;

/// Pages longer than this are cut before parsing: no news article is
/// anywhere near it, and the parser's time and memory grow with the input.
pub const MAX_HTML_BYTES: usize = 4 * 1024 * 1024;

/// Main text shorter than this (in [`text::text_weight`] units, roughly
/// characters of a spaced script) is not an article.
pub const MIN_ARTICLE_WEIGHT: usize = 200;

/// Whether a page gave an article, and if not, why not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtractStatus {
    /// Main text was found.
    Article,
    /// No bytes, or nothing but whitespace and markup.
    Empty,
    /// The bytes are not text (an image, a PDF, an archive, ...).
    Binary,
    /// An HTML page with too little text to be an article: a video or
    /// gallery page, a script-rendered shell, an error page.
    NoText,
    /// A page of links to articles: a section front, a tag or search page.
    Listing,
}

impl ExtractStatus {
    pub fn is_article(self) -> bool {
        self == ExtractStatus::Article
    }

    /// Why nothing was extracted, for logs and the crawl report.
    pub fn reason(self) -> &'static str {
        match self {
            ExtractStatus::Article => "article",
            ExtractStatus::Empty => "empty page",
            ExtractStatus::Binary => "not text (binary content)",
            ExtractStatus::NoText => "too little text to be an article",
            ExtractStatus::Listing => "a page of links (section front or listing), not an article",
        }
    }
}

impl fmt::Display for ExtractStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            ExtractStatus::Article => "article",
            ExtractStatus::Empty => "empty",
            ExtractStatus::Binary => "binary",
            ExtractStatus::NoText => "no_text",
            ExtractStatus::Listing => "listing",
        };
        f.write_str(name)
    }
}

/// What extraction found on a page, before language detection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extracted {
    /// Whether this is an article; when it is not, `text` may still hold
    /// what little was found, but it is not article text.
    pub status: ExtractStatus,
    pub title: String,
    pub text: String,
    pub published: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
    pub authors: Vec<String>,
    pub canonical_url: Option<Url>,
    pub lang_declared: Option<String>,
    /// The encoding the bytes were decoded with (WHATWG name).
    pub encoding: String,
    /// True when the page was longer than [`MAX_HTML_BYTES`] and was cut.
    pub truncated: bool,
}

impl Extracted {
    /// Nothing extracted yet: an empty page.
    pub fn empty() -> Extracted {
        Extracted::nothing(ExtractStatus::Empty, "UTF-8")
    }

    fn nothing(status: ExtractStatus, encoding: &str) -> Extracted {
        Extracted {
            status,
            title: String::new(),
            text: String::new(),
            published: None,
            modified: None,
            authors: Vec::new(),
            canonical_url: None,
            lang_declared: None,
            encoding: encoding.to_string(),
            truncated: false,
        }
    }
}

/// Decodes `bytes` (any encoding, see [`crate::charset`]) and extracts the
/// article. `url` resolves relative links and supplies a date from the path;
/// `fetched` is when the page was fetched, against which relative dates
/// ("2 jam lalu", "3 giờ trước") are resolved.
pub fn extract_page(
    bytes: &[u8],
    content_type: Option<&str>,
    url: Option<&Url>,
    fetched: DateTime<Utc>,
) -> Extracted {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Extracted::nothing(ExtractStatus::Empty, "UTF-8");
    }
    if looks_binary(bytes) {
        return Extracted::nothing(ExtractStatus::Binary, "");
    }
    let truncated = bytes.len() > MAX_HTML_BYTES;
    let bytes = &bytes[..bytes.len().min(MAX_HTML_BYTES)];
    let decoded = charset::decode_html(bytes, content_type);
    let mut extracted = extract_html(&decoded.text, url, fetched);
    extracted.encoding = decoded.encoding.name().to_string();
    extracted.truncated = truncated;
    extracted
}

/// Magic numbers of formats a crawler meets in place of HTML.
const BINARY_SIGNATURES: &[&[u8]] = &[
    b"\x89PNG",
    b"\xFF\xD8\xFF",
    b"GIF8",
    b"%PDF",
    b"PK\x03\x04",
    b"\x1F\x8B",
    b"RIFF",
    b"\x00\x00\x00\x18ftyp",
    b"\x00\x00\x00\x20ftyp",
    b"OggS",
    b"ID3",
    b"wOFF",
    b"wOF2",
    b"BZh",
    b"\xFD7zXZ",
];

/// True for bytes that are not a text document: a known binary signature,
/// or NUL and control bytes in the first kilobytes (UTF-16 with a BOM is
/// text).
fn looks_binary(bytes: &[u8]) -> bool {
    if BINARY_SIGNATURES.iter().any(|sig| bytes.starts_with(sig)) {
        return true;
    }
    if encoding_rs::Encoding::for_bom(bytes).is_some() {
        return false;
    }
    let head = &bytes[..bytes.len().min(4096)];
    let num_control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C))
        .count();
    head.contains(&0) || num_control * 20 > head.len()
}

/// Extracts the article from already-decoded HTML.
pub fn extract_html(html: &str, url: Option<&Url>, fetched: DateTime<Utc>) -> Extracted {
    // Scripts, styles and icons are half of a page's bytes and none of its
    // text: the parser never sees them (see `prune`).
    let html = prune::prune(html);
    let doc = parse::parse_document(&html);
    let index = meta::MetaIndex::new(&doc);
    let ld = meta::json_ld(&index);
    let quirk = url.and_then(|u| u.host_str()).and_then(quirks::for_host);
    let main = text::main_text(&doc, quirk);
    let title = meta::title(&index, &ld).unwrap_or_default();
    let mut body = text::drop_leading_title(main.text, &title);
    // Structured data stands in for the DOM only when the DOM found much
    // less and the structured body is not just a teaser.
    let mut from_ld = false;
    let mut weight = text::text_weight(&body);
    if let Some(ld_body) = &ld.body {
        let ld_weight = text::text_weight(ld_body);
        if weight * 2 < ld_weight {
            body = ld_body.clone();
            weight = ld_weight;
            from_ld = true;
        }
    }
    let (published, modified) = meta::dates(&index, &ld, url, fetched);
    let status = if weight == 0 && main.num_links == 0 && title.is_empty() {
        ExtractStatus::Empty
    } else if !from_ld && main.is_listing {
        ExtractStatus::Listing
    } else if weight < MIN_ARTICLE_WEIGHT {
        if main.num_links >= 40 && main.link_weight > 4 * weight.max(1) {
            ExtractStatus::Listing
        } else {
            ExtractStatus::NoText
        }
    } else {
        ExtractStatus::Article
    };
    Extracted {
        status,
        title,
        text: body,
        published,
        modified,
        authors: meta::authors(&index, &ld),
        canonical_url: meta::canonical_url(&index, &ld, url),
        lang_declared: meta::declared_language(&index),
        encoding: "UTF-8".to_string(),
        truncated: false,
    }
}

/// The pages the parse tests check, decoded: the HTML files under the test
/// fixtures, or under `KABAR_PRUNE_CHECK_DIR` (e.g. an evaluation set).
#[cfg(test)]
pub(crate) fn check_pages() -> Vec<(std::path::PathBuf, String)> {
    let dir = std::env::var("KABAR_PRUNE_CHECK_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures").to_string());
    let mut files = vec![std::path::PathBuf::from(dir)];
    let mut pages = Vec::new();
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if path.extension().is_some_and(|e| e == "html" || e == "htm") {
            let bytes = std::fs::read(&path).unwrap();
            let html = charset::decode_html(&bytes, None).text.into_owned();
            pages.push((path, html));
        }
    }
    assert!(pages.len() > 10, "only {} pages", pages.len());
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_whole_page_is_extracted() {
        let html = r#"<!doctype html><html lang="id-ID"><head>
            <title>OJK blokir iklan pinjol ilegal | Kabar Harian</title>
            <meta property="og:site_name" content="Kabar Harian">
            <link rel="canonical" href="/ekonomi/ojk-pinjol">
            <meta property="article:published_time" content="2025-03-14T08:30:00+07:00">
            <meta name="author" content="Rina Wulandari">
            </head><body><nav><a href="/">Beranda</a></nav>
            <article><h1>OJK blokir iklan pinjol ilegal</h1>
            <p>Otoritas Jasa Keuangan memblokir ratusan iklan pinjaman online ilegal yang beredar di media sosial, kata pejabat OJK.</p>
            <p>Menurut OJK, iklan tersebut menjanjikan pencairan dana cepat tanpa agunan, namun mengenakan bunga yang sangat tinggi.</p>
            </article><footer>Hak cipta Kabar Harian</footer></body></html>"#;
        let url = Url::parse("https://kabar.test/ekonomi/ojk-pinjol?utm_source=x").unwrap();
        let a = extract_html(html, Some(&url), Utc::now());
        assert_eq!(a.title, "OJK blokir iklan pinjol ilegal");
        assert_eq!(
            a.canonical_url.unwrap().as_str(),
            "https://kabar.test/ekonomi/ojk-pinjol"
        );
        assert_eq!(
            a.published.unwrap().to_rfc3339(),
            "2025-03-14T01:30:00+00:00"
        );
        assert_eq!(a.authors, ["Rina Wulandari"]);
        assert_eq!(a.lang_declared.as_deref(), Some("id"));
        assert!(a.text.starts_with("Otoritas Jasa Keuangan"), "{}", a.text);
        assert!(!a.text.contains("Beranda") && !a.text.contains("Hak cipta"));
    }

    #[test]
    fn json_ld_body_fills_in_for_a_script_rendered_page() {
        let body = "Bangko Sentral ng Pilipinas warned the public about fake e-wallet promotions. "
            .repeat(5);
        let html = format!(
            r#"<html><head><script type="application/ld+json">{{"@type":"NewsArticle","headline":"BSP warns on fake promos","articleBody":"{body}"}}</script></head>
            <body><div id="app"></div></body></html>"#
        );
        let a = extract_html(&html, None, Utc::now());
        assert_eq!(a.title, "BSP warns on fake promos");
        assert!(a.text.starts_with("Bangko Sentral"));
    }
}
