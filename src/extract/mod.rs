//! HTML to [`Extracted`]: main text, title, dates, authors, canonical URL and
//! the declared language.
//!
//! The crawl and `kabar extract` call the same [`extract_page`], so what the
//! debugging command prints is what the crawl indexes. Structured data
//! (JSON-LD `articleBody`) is used only when the DOM extraction comes out much
//! shorter, since some sites put a teaser or a stale copy there.

pub mod dates;
pub mod meta;
pub mod text;

use chrono::{DateTime, Utc};
use scraper::Html;
use serde::Serialize;
use url::Url;

use crate::charset;

/// What extraction found on a page, before language detection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Extracted {
    pub title: String,
    pub text: String,
    pub published: Option<DateTime<Utc>>,
    pub modified: Option<DateTime<Utc>>,
    pub authors: Vec<String>,
    pub canonical_url: Option<Url>,
    pub lang_declared: Option<String>,
    /// The encoding the bytes were decoded with (WHATWG name).
    pub encoding: String,
}

/// Decodes `bytes` (any encoding, see [`crate::charset`]) and extracts the
/// article. `url` resolves relative links and supplies a date from the path.
pub fn extract_page(bytes: &[u8], content_type: Option<&str>, url: Option<&Url>) -> Extracted {
    let decoded = charset::decode_html(bytes, content_type);
    let mut extracted = extract_html(&decoded.text, url);
    extracted.encoding = decoded.encoding.name().to_string();
    extracted
}

/// Extracts the article from already-decoded HTML.
pub fn extract_html(html: &str, url: Option<&Url>) -> Extracted {
    let doc = Html::parse_document(html);
    let ld = meta::json_ld(&doc);
    let dom_text = text::main_text(&doc);
    let text = match &ld.body {
        Some(body) if dom_text.chars().count() * 2 < body.chars().count() => body.clone(),
        _ => dom_text,
    };
    let (published, modified) = meta::dates(&doc, &ld, url);
    Extracted {
        title: meta::title(&doc, &ld).unwrap_or_default(),
        text,
        published,
        modified,
        authors: meta::authors(&doc, &ld),
        canonical_url: meta::canonical_url(&doc, &ld, url),
        lang_declared: meta::declared_language(&doc),
        encoding: "UTF-8".to_string(),
    }
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
        let a = extract_html(html, Some(&url));
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
        let a = extract_html(&html, None);
        assert_eq!(a.title, "BSP warns on fake promos");
        assert!(a.text.starts_with("Bangko Sentral"));
    }
}
