//! Escaping for the HTML digest: every piece of crawled text (titles,
//! extracts, outlet names, URLs) goes through [`escape`] before it is put
//! into markup, so an article titled `<script>` is shown, not run.
//!
//! One function for text and attribute values alike (`&`, `<`, `>`, `"`,
//! `'` are all replaced), so a caller cannot pick the wrong one. Control
//! characters other than tab and newline are dropped: they are not allowed
//! in HTML and some mail clients render them as garbage or cut the text.

use std::borrow::Cow;

/// `text` with `& < > " '` replaced by entities and control characters
/// removed; borrowed when nothing needed changing.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_work) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    escape_into(&mut out, text);
    Cow::Owned(out)
}

/// Appends the escaped `text` to `out`.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
}

fn needs_work(c: char) -> bool {
    matches!(c, '&' | '<' | '>' | '"' | '\'') || (c.is_control() && c != '\t' && c != '\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_inert() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & <img src=x onerror='y'>"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=&#39;y&#39;&gt;"
        );
        assert_eq!(escape("a\u{0}b\u{1b}[31mc\r\n"), "ab[31mc\n");
    }

    #[test]
    fn clean_text_is_borrowed_and_non_latin_untouched() {
        assert!(matches!(
            escape("ข่าวโฆษณาหลอกลวง 詐欺広告"),
            Cow::Borrowed(_)
        ));
    }
}
