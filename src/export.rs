//! Search results as files for spreadsheets and scripts: CSV and JSON Lines.
//!
//! `kabar export` and the web page's export links write through here, so a
//! row looks the same whichever made it. Every match is written, not only
//! the first page: [`crate::query::scan`] collects the matches' addresses in
//! one pass over one reader and reads the stored articles one at a time, so
//! memory stays flat and a crawl committing meanwhile cannot shift rows
//! between pages.
//!
//! CSV is UTF-8 with a byte-order mark: without it Excel reads the bytes as
//! the local code page and Thai, Burmese or CJK titles turn to mojibake.
//! Fields are quoted as RFC 4180 says, and a text field that starts like a
//! formula (`=`, `+`, `-`, `@`) gets a leading apostrophe, because a crawled
//! title is untrusted text and a spreadsheet would otherwise evaluate it.

use std::io::Write;

use serde::Serialize;

use crate::index::ArticleIndex;
use crate::model::IndexedArticle;
use crate::query::{self, QueryError, QueryRequest};

/// The byte-order mark that tells Excel a CSV file is UTF-8.
pub const UTF8_BOM: &str = "\u{feff}";

/// Columns of the CSV export, in order.
pub const CSV_COLUMNS: [&str; 14] = [
    "id",
    "date",
    "published",
    "source",
    "country",
    "region",
    "lang",
    "sentiment",
    "sentiment_score",
    "risk",
    "topics",
    "title",
    "url",
    "warc_id",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Jsonl,
}

impl ExportFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            ExportFormat::Csv => "text/csv; charset=utf-8",
            ExportFormat::Jsonl => "application/x-ndjson; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Jsonl => "jsonl",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
}

/// One exported article: the stored fields without the body and evidence
/// (the export is a list to sort and filter; the article page has the text).
#[derive(Debug, Serialize)]
pub struct ExportRow<'a> {
    pub id: &'a str,
    pub url: &'a str,
    pub title: &'a str,
    pub source: &'a str,
    pub country: &'a str,
    pub region: &'a str,
    pub lang: &'a str,
    /// The best date known: published, else fetched.
    pub date: chrono::DateTime<chrono::Utc>,
    pub published: Option<chrono::DateTime<chrono::Utc>>,
    pub fetched: chrono::DateTime<chrono::Utc>,
    pub sentiment: &'a crate::model::SentimentScore,
    pub risk: f32,
    pub topics: &'a [crate::model::TopicScore],
    pub warc_id: Option<&'a str>,
}

impl<'a> ExportRow<'a> {
    pub fn new(a: &'a IndexedArticle) -> Self {
        ExportRow {
            id: &a.id,
            url: &a.url,
            title: &a.title,
            source: &a.source,
            country: &a.country,
            region: &a.region,
            lang: &a.lang,
            date: a.published.unwrap_or(a.fetched),
            published: a.published,
            fetched: a.fetched,
            sentiment: &a.sentiment,
            risk: a.risk,
            topics: &a.topics,
            warc_id: a.warc_id.as_deref(),
        }
    }
}

/// Writes every match of `request` (up to `max`) to `out`; returns how many
/// were written. Stops quietly when `out` is closed (a broken pipe or a
/// client that went away).
pub fn export(
    index: &ArticleIndex,
    request: &QueryRequest,
    format: ExportFormat,
    max: usize,
    out: &mut impl Write,
) -> Result<usize, ExportError> {
    if format == ExportFormat::Csv {
        out.write_all(UTF8_BOM.as_bytes())?;
        out.write_all(csv_header().as_bytes())?;
    }
    let mut written = 0;
    let mut failure: Option<std::io::Error> = None;
    query::scan(index, request, max, |hit| {
        let line = match format {
            ExportFormat::Csv => csv_row(&hit.article),
            ExportFormat::Jsonl => jsonl_row(&hit.article),
        };
        match out.write_all(line.as_bytes()) {
            Ok(()) => {
                written += 1;
                true
            }
            Err(e) => {
                failure = Some(e);
                false
            }
        }
    })?;
    if let Some(e) = failure
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(e.into());
    }
    out.flush().or_else(|e| match e.kind() {
        std::io::ErrorKind::BrokenPipe => Ok(()),
        _ => Err(e),
    })?;
    Ok(written)
}

/// The CSV header line (CRLF, as RFC 4180 and Excel expect).
pub fn csv_header() -> String {
    let mut line = CSV_COLUMNS.join(",");
    line.push_str("\r\n");
    line
}

/// One article as a CSV line.
pub fn csv_row(a: &IndexedArticle) -> String {
    let topics: Vec<&str> = a.topics.iter().map(|t| t.id.as_str()).collect();
    let fields = [
        a.id.clone(),
        a.published.unwrap_or(a.fetched).to_rfc3339(),
        a.published.map(|p| p.to_rfc3339()).unwrap_or_default(),
        a.source.clone(),
        a.country.clone(),
        a.region.clone(),
        a.lang.clone(),
        a.sentiment.label.to_string(),
        format!("{:.3}", a.sentiment.score),
        format!("{:.1}", a.risk),
        topics.join(";"),
        a.title.clone(),
        a.url.clone(),
        a.warc_id.clone().unwrap_or_default(),
    ];
    let cells: Vec<String> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            // The numeric columns are ours and may be negative; every other
            // one can hold crawled text.
            let ours = matches!(CSV_COLUMNS[i], "sentiment_score" | "risk");
            csv_cell(f, !ours)
        })
        .collect();
    let mut line = cells.join(",");
    line.push_str("\r\n");
    line
}

/// One article as a JSON line.
pub fn jsonl_row(a: &IndexedArticle) -> String {
    let mut line = serde_json::to_string(&ExportRow::new(a)).expect("rows serialise");
    line.push('\n');
    line
}

/// A CSV cell: quoted when it holds a comma, quote or line break; defused
/// with a leading `'` when `untrusted` and it would start a formula.
pub fn csv_cell(s: &str, untrusted: bool) -> String {
    let mut s = s.to_string();
    if untrusted && s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        s.insert(0, '\'');
    }
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(csv_cell("plain ไทย", true), "plain ไทย");
        assert_eq!(csv_cell("a,b", true), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\"\nnow", true), "\"say \"\"hi\"\"\nnow\"");
        assert_eq!(
            csv_cell("=HYPERLINK(\"x\")", true),
            "\"'=HYPERLINK(\"\"x\"\")\""
        );
        assert_eq!(csv_cell("-0.500", false), "-0.500");
        assert_eq!(csv_cell("@SUM(A1)", true), "'@SUM(A1)");
    }

    #[test]
    fn every_match_is_exported_not_only_a_page() {
        let index = ArticleIndex::create_in_ram();
        let mut w = index.writer().unwrap();
        for i in 0..1234 {
            let url = format!("http://e.test/{i}");
            w.upsert(&IndexedArticle {
                id: crate::index::article_id(&url),
                url,
                title: format!("ข่าว {i}, \"quoted\""),
                body: "body".into(),
                lang: "th".into(),
                ..Default::default()
            })
            .unwrap();
        }
        w.commit().unwrap();
        let mut out = Vec::new();
        let n = export(
            &index,
            &QueryRequest::default(),
            ExportFormat::Csv,
            usize::MAX,
            &mut out,
        )
        .unwrap();
        assert_eq!(n, 1234);
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("\u{feff}id,date,"));
        assert_eq!(text.matches("\r\n").count(), 1235);
        assert!(text.contains("\"ข่าว 7, \"\"quoted\"\"\""));

        let mut out = Vec::new();
        let n = export(
            &index,
            &QueryRequest::default(),
            ExportFormat::Jsonl,
            10,
            &mut out,
        )
        .unwrap();
        assert_eq!(n, 10);
        let first: serde_json::Value =
            serde_json::from_str(String::from_utf8(out).unwrap().lines().next().unwrap()).unwrap();
        assert_eq!(first["lang"], "th");
        assert!(first.get("body").is_none());
    }
}
