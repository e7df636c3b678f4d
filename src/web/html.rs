//! Turning crawled text into HTML that cannot turn into markup.
//!
//! Templates escape every value they print (askama's default); the only
//! values printed unescaped (`|safe`) are the [`Markup`] built here, by
//! escaping the text first and then wrapping the highlight ranges, so a
//! hostile title such as `<script>` or `"><img onerror=…>` stays text. The
//! ranges come from the index (snippet hits, evidence byte offsets) and are
//! not trusted either: ranges out of bounds, inside a character, or
//! overlapping are clamped, dropped or merged rather than panicking.

use std::fmt::Write;

/// HTML that is safe to print as is: built only by this module.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Markup(String);

impl Markup {
    /// For markup the web module assembles itself from escaped parts (the
    /// SVG charts); never for text from the index.
    pub(super) fn from_trusted(html: String) -> Markup {
        Markup(html)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Markup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Escapes text for an HTML element or a quoted attribute value.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    escape_into(&mut out, text);
    out
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // NUL and other C0 controls (but tab and newlines) are not
            // allowed in HTML text; they only come from broken pages.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

/// A kind of highlight: a CSS class on a `<mark>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Highlight {
    /// A query hit in a snippet.
    Hit,
    /// A topic term the analysis matched.
    Term,
    /// A sentence that drove a topic's sentiment.
    Sentence,
}

/// `text`, escaped, with each `(start, end)` byte range wrapped in a
/// `<mark>` of its kind. Overlapping ranges of different kinds split into
/// segments carrying both classes, so the markup never nests or crosses.
pub fn highlight(text: &str, ranges: &[(usize, usize, Highlight)]) -> Markup {
    let mut cuts: Vec<usize> = vec![0, text.len()];
    let mut valid: Vec<(usize, usize, Highlight)> = Vec::new();
    for &(start, end, kind) in ranges {
        let end = end.min(text.len());
        if start >= end || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            continue;
        }
        cuts.push(start);
        cuts.push(end);
        valid.push((start, end, kind));
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = String::with_capacity(text.len() + 32 * valid.len());
    // Segments with their classes; neighbours with the same classes (a word
    // the segmenter split in two, say) are joined into one mark.
    let mut segments: Vec<(usize, usize, Vec<&str>)> = Vec::new();
    for pair in cuts.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let classes: Vec<&str> = [
            (Highlight::Hit, "hit"),
            (Highlight::Term, "term"),
            (Highlight::Sentence, "sentence"),
        ]
        .iter()
        .filter(|(kind, _)| {
            valid
                .iter()
                .any(|&(s, e, k)| k == *kind && s <= a && b <= e)
        })
        .map(|(_, class)| *class)
        .collect();
        match segments.last_mut() {
            Some(last) if last.2 == classes => last.1 = b,
            _ => segments.push((a, b, classes)),
        }
    }
    for (a, b, classes) in segments {
        if classes.is_empty() {
            escape_into(&mut out, &text[a..b]);
        } else {
            let _ = write!(out, "<mark class=\"{}\">", classes.join(" "));
            escape_into(&mut out, &text[a..b]);
            out.push_str("</mark>");
        }
    }
    Markup(out)
}

/// Byte ranges of each occurrence of `needle` in `haystack` (the first
/// `max` of them): evidence sentences are stored as text, and are found
/// again in the body to be highlighted there.
pub fn find_all(haystack: &str, needle: &str, max: usize) -> Vec<(usize, usize)> {
    let needle = needle.trim();
    if needle.is_empty() {
        return Vec::new();
    }
    haystack
        .match_indices(needle)
        .take(max)
        .map(|(i, m)| (i, i + m.len()))
        .collect()
}

/// The URL to link to, only when it is absolute http or https: anything
/// else (`javascript:`, `data:`, relative, broken) is shown as text.
pub fn safe_href(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url.trim()).ok()?;
    match parsed.scheme() {
        "http" | "https" if parsed.host().is_some() => Some(parsed.to_string()),
        _ => None,
    }
}

/// A language tag fit for a `lang` attribute (BCP 47 letters, digits and
/// hyphens); `und` otherwise.
pub fn lang_attr(lang: &str) -> &str {
    let ok = !lang.is_empty()
        && lang.len() <= 16
        && lang.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok { lang } else { "und" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_stays_text() {
        let t = "<script>alert(1)</script>\"' onmouseover=x &amp;";
        let m = highlight(t, &[(1, 7, Highlight::Hit)]);
        assert_eq!(
            m.as_str(),
            "&lt;<mark class=\"hit\">script</mark>&gt;alert(1)&lt;/script&gt;&quot;&#39; onmouseover=x &amp;amp;"
        );
        assert_eq!(escape("a\u{0}b"), "a\u{fffd}b");
    }

    #[test]
    fn bad_ranges_are_dropped_and_overlaps_split() {
        let t = "ธนาคารเตือนโฆษณาหลอกลวง";
        // 1 is inside the first Thai character; 999 is past the end.
        let m = highlight(t, &[(1, 6, Highlight::Term), (60, 999, Highlight::Term)]);
        assert_eq!(
            m.as_str(),
            format!("{}<mark class=\"term\">{}</mark>", &t[..60], &t[60..])
        );
        let m = highlight(
            "abcdef",
            &[(0, 4, Highlight::Sentence), (2, 6, Highlight::Term)],
        );
        assert_eq!(
            m.as_str(),
            "<mark class=\"sentence\">ab</mark><mark class=\"term sentence\">cd</mark><mark class=\"term\">ef</mark>"
        );
        assert_eq!(highlight("x", &[(3, 1, Highlight::Hit)]).as_str(), "x");
    }

    #[test]
    fn only_web_urls_become_links() {
        assert_eq!(
            safe_href("https://news.test/a?b=1&c=\"2\"").as_deref(),
            Some("https://news.test/a?b=1&c=%222%22")
        );
        for bad in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "data:text/html,<script>",
            "/relative",
            "vbscript:x",
            "",
        ] {
            assert_eq!(safe_href(bad), None, "{bad}");
        }
        assert_eq!(lang_attr("zh-Hans"), "zh-Hans");
        assert_eq!(lang_attr("\" onload=x"), "und");
    }
}
