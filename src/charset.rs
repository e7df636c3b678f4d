//! Bytes to text: which character encoding a page or feed is in.
//!
//! News sites in Asia still serve GBK, Big5, Shift_JIS, EUC-KR and TIS-620,
//! and they often say so wrongly. The precedence is the one browsers use,
//! with one correction for lying labels:
//!
//! 1. a byte-order mark;
//! 2. the HTTP `Content-Type` charset;
//! 3. the document's own declaration (`<meta charset>`, `http-equiv`, or the
//!    XML declaration);
//! 4. detection from the bytes (chardetng).
//!
//! A label is not trusted when the bytes contradict it: bytes that are valid
//! UTF-8 with non-ASCII text are UTF-8 whatever the label says (legacy
//! multi-byte text is almost never valid UTF-8 by accident), and a label
//! whose decoder hits malformed sequences gives way to detection when
//! detection decodes cleanly.
//!
//! This module sits beside `model` at the bottom of the graph: discovery
//! (feeds), fetch and extraction all decode bytes.

use std::borrow::Cow;

use chardetng::{EncodingDetector, Iso2022JpDetection, Utf8Detection};
use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};
use serde::Serialize;
use unicode_normalization::{IsNormalized, UnicodeNormalization};

/// Where the encoding decision came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CharsetSource {
    Bom,
    Http,
    Document,
    Detected,
    /// A label was present but contradicted by the bytes.
    Corrected,
}

/// Decoded text and how it was decoded.
#[derive(Debug, Clone)]
pub struct Decoded<'a> {
    /// Borrowed from the input when it was UTF-8 in NFC already (most
    /// pages): a copy of a whole page for nothing otherwise.
    pub text: Cow<'a, str>,
    pub encoding: &'static Encoding,
    pub source: CharsetSource,
    /// True when some bytes could not be decoded and became U+FFFD.
    pub had_errors: bool,
}

/// Decodes an HTML document.
pub fn decode_html<'a>(bytes: &'a [u8], content_type: Option<&str>) -> Decoded<'a> {
    decode(bytes, content_type, html_declared_charset(bytes), false)
}

/// Decodes an XML document (RSS, Atom). UTF-16 without a BOM is recognised
/// from the first bytes of `<?xml`.
pub fn decode_xml<'a>(bytes: &'a [u8], content_type: Option<&str>) -> Decoded<'a> {
    decode(bytes, content_type, xml_declared_charset(bytes), true)
}

fn decode<'a>(
    bytes: &'a [u8],
    content_type: Option<&str>,
    declared: Option<&'static Encoding>,
    xml: bool,
) -> Decoded<'a> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return finish(&bytes[bom_len..], encoding, CharsetSource::Bom);
    }
    if xml {
        // XML 1.0 appendix F: "<?" in UTF-16 without a BOM.
        if bytes.starts_with(&[0x00, b'<', 0x00, b'?']) {
            return finish(bytes, UTF_16BE, CharsetSource::Detected);
        }
        if bytes.starts_with(&[b'<', 0x00, b'?', 0x00]) {
            return finish(bytes, UTF_16LE, CharsetSource::Detected);
        }
    }

    let http = content_type.and_then(charset_from_content_type);
    let label = http
        .map(|e| (e, CharsetSource::Http))
        .or(declared.map(|e| (e, CharsetSource::Document)));

    // Valid UTF-8 (nearly every page) is read as it is: validated once,
    // here, not again by the decoder.
    let utf8 = std::str::from_utf8(bytes).ok();
    match label {
        Some((encoding, source)) => {
            let encoding = ascii_compatible(encoding);
            if encoding == UTF_8 {
                if let Some(text) = utf8 {
                    return finish_utf8(text, source);
                }
                // Declared UTF-8 but is not: detect, keep UTF-8 if detection is no better.
                let guess = detect(bytes);
                let trial = finish(bytes, guess, CharsetSource::Corrected);
                if !trial.had_errors && guess != UTF_8 {
                    return trial;
                }
                return finish(bytes, UTF_8, source);
            }
            if let Some(text) = utf8.filter(|t| !t.is_ascii()) {
                return finish_utf8(text, CharsetSource::Corrected);
            }
            let decoded = finish(bytes, encoding, source);
            if decoded.had_errors {
                let guess = detect(bytes);
                if guess != encoding {
                    let trial = finish(bytes, guess, CharsetSource::Corrected);
                    if !trial.had_errors {
                        return trial;
                    }
                }
            }
            decoded
        }
        None => {
            if let Some(text) = utf8 {
                return finish_utf8(text, CharsetSource::Detected);
            }
            finish(bytes, detect(bytes), CharsetSource::Detected)
        }
    }
}

/// A document that declares UTF-16 in a meta tag is, by the time anyone
/// reads the meta tag, ASCII-compatible: the HTML standard maps it to UTF-8.
fn ascii_compatible(encoding: &'static Encoding) -> &'static Encoding {
    if encoding == UTF_16BE || encoding == UTF_16LE {
        UTF_8
    } else {
        encoding
    }
}

fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut detector = EncodingDetector::new(Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    detector.guess(None, Utf8Detection::Allow)
}

fn finish<'a>(bytes: &'a [u8], encoding: &'static Encoding, source: CharsetSource) -> Decoded<'a> {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    in_nfc(text, encoding, source, had_errors)
}

/// [`finish`] for bytes already validated as UTF-8: what the decoder
/// would give (the same text, borrowed, without errors).
fn finish_utf8(text: &str, source: CharsetSource) -> Decoded<'_> {
    in_nfc(Cow::Borrowed(text), UTF_8, source, false)
}

fn in_nfc<'a>(
    text: Cow<'a, str>,
    encoding: &'static Encoding,
    source: CharsetSource,
    had_errors: bool,
) -> Decoded<'a> {
    // Text leaves here in NFC, so that a search for a composed word finds
    // text that arrived decomposed (windows-1258 Vietnamese always does;
    // some CMSs emit decomposed UTF-8 too).
    let text = match to_nfc(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(nfc) => Cow::Owned(nfc),
    };
    Decoded {
        text,
        encoding,
        source,
        had_errors,
    }
}

/// `text` in NFC, normalising only the stretches that need it.
///
/// A page with one decomposed character somewhere in its scripts used to
/// be normalised whole, which cost more than parsing it. Normalisation
/// never reaches across an ASCII character: ASCII characters are starters
/// that nothing composes onto, so text may be cut before any of them and
/// each piece normalised alone. The pieces are an ASCII character (which
/// may be the base of the marks that follow) and the run of non-ASCII
/// characters after it; pieces that pass the quick check are copied.
fn to_nfc(text: &str) -> Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut i = 0;
    while let Some(off) = first_non_ascii(&bytes[i..]) {
        let run = i + off;
        let end = bytes[run..]
            .iter()
            .position(u8::is_ascii)
            .map_or(bytes.len(), |e| run + e);
        // The byte before a run is ASCII: runs end at one.
        let start = run.saturating_sub(1);
        let piece = &text[start..end];
        if crate::chars::nfc_quick(piece) != IsNormalized::Yes {
            let out = out.get_or_insert_with(|| String::with_capacity(text.len() + 16));
            out.push_str(&text[copied..start]);
            out.extend(piece.nfc());
            copied = end;
        }
        i = end;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut out) => {
            out.push_str(&text[copied..]);
            Cow::Owned(out)
        }
    }
}

/// Where the first non-ASCII byte is. Every page is scanned whole, mostly
/// ASCII: a byte-at-a-time search was 3% of extraction, so whole blocks are
/// checked first with the standard library's word-at-a-time `is_ascii`.
fn first_non_ascii(bytes: &[u8]) -> Option<usize> {
    const BLOCK: usize = 64;
    let mut start = 0;
    for block in bytes.chunks(BLOCK) {
        if !block.is_ascii() {
            break;
        }
        start += block.len();
    }
    bytes[start..]
        .iter()
        .position(|b| !b.is_ascii())
        .map(|p| start + p)
}

/// The `charset` parameter of a Content-Type header value, if it names an
/// encoding encoding_rs knows.
pub fn charset_from_content_type(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        if key.trim().eq_ignore_ascii_case("charset") {
            Encoding::for_label(value.trim().trim_matches(['"', '\'']).as_bytes())
        } else {
            None
        }
    })
}

/// How far into a document to look for a declaration. The HTML standard says
/// 1024 bytes; real pages put a kilobyte of scripts first, so look further.
const PRESCAN_BYTES: usize = 16 * 1024;

/// The charset declared by `<meta charset>` or `<meta http-equiv=Content-Type>`.
fn html_declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(PRESCAN_BYTES)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"<meta") {
        let start = from + pos;
        let end = find(&lower[start..], b">").map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(c) = find(tag, b"charset") {
            let rest = &tag[c + b"charset".len()..];
            let rest = trim_ascii_start(rest);
            if let Some(rest) = rest.strip_prefix(b"=") {
                let value = read_attr_value(trim_ascii_start(rest));
                if let Some(enc) = Encoding::for_label(value) {
                    return Some(enc);
                }
            }
        }
        from = end.max(start + 1);
    }
    None
}

/// The `encoding` of an `<?xml ...?>` declaration.
fn xml_declared_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(512)];
    let start = find(head, b"<?xml")?;
    let end = find(&head[start..], b"?>")? + start;
    let decl = &head[start..end];
    let pos = find(decl, b"encoding")?;
    let rest = trim_ascii_start(&decl[pos + b"encoding".len()..]);
    let rest = trim_ascii_start(rest.strip_prefix(b"=")?);
    Encoding::for_label(read_attr_value(rest))
}

/// Rewrites the XML declaration of already-decoded text so that it no longer
/// names the original encoding: the text is UTF-8 now, and an XML parser that
/// honours the stale label would decode it twice.
pub fn strip_xml_encoding_declaration(text: &str) -> Cow<'_, str> {
    let Some(start) = text.find("<?xml") else {
        return Cow::Borrowed(text);
    };
    let Some(end) = text[start..].find("?>").map(|e| e + start) else {
        return Cow::Borrowed(text);
    };
    let decl = &text[start..end];
    let Some(pos) = decl.find("encoding") else {
        return Cow::Borrowed(text);
    };
    // Remove `encoding = "..."` up to the closing quote.
    let after = &decl[pos..];
    let Some(q1) = after.find(['"', '\'']) else {
        return Cow::Borrowed(text);
    };
    let quote = after.as_bytes()[q1] as char;
    let Some(q2) = after[q1 + 1..].find(quote) else {
        return Cow::Borrowed(text);
    };
    let cut_from = start + pos;
    let cut_to = start + pos + q1 + 1 + q2 + 1;
    let mut out = String::with_capacity(text.len());
    out.push_str(&text[..cut_from]);
    out.push_str(&text[cut_to..]);
    Cow::Owned(out)
}

fn read_attr_value(rest: &[u8]) -> &[u8] {
    match rest.first() {
        Some(&q @ (b'"' | b'\'')) => {
            let inner = &rest[1..];
            let end = inner.iter().position(|&b| b == q).unwrap_or(inner.len());
            &inner[..end]
        }
        _ => {
            let end = rest
                .iter()
                .position(|&b| {
                    b.is_ascii_whitespace() || matches!(b, b';' | b'"' | b'\'' | b'>' | b'/')
                })
                .unwrap_or(rest.len());
            &rest[..end]
        }
    }
}

fn trim_ascii_start(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &bytes[skip..]
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(text: &str, label: &str) -> Vec<u8> {
        let enc = Encoding::for_label(label.as_bytes()).unwrap();
        let (bytes, _, unmappable) = enc.encode(text);
        assert!(!unmappable, "{label} cannot encode the fixture");
        bytes.into_owned()
    }

    const JA: &str = "インターネット広告の詐欺被害が急増しており、消費者庁は注意を呼びかけている。";
    const ZH: &str = "监管部门表示，将严厉打击网络赌博广告和虚假贷款广告，保护消费者的合法权益。";
    const KO: &str = "온라인 광고 사기 피해가 늘면서 방송통신위원회가 플랫폼에 대한 조사에 나섰다.";
    const TH: &str = "สำนักงานคณะกรรมการคุ้มครองผู้บริโภคเตือนประชาชนให้ระวังโฆษณาหลอกลวงทางออนไลน์";

    #[test]
    fn first_non_ascii_finds_the_first_one_at_any_offset() {
        for len in [0, 1, 63, 64, 65, 200] {
            for at in (0..len).chain([len]) {
                let mut bytes = vec![b'a'; len];
                if at < len {
                    bytes[at] = 0xC3;
                    // A later non-ASCII byte must not be found first.
                    bytes[len - 1] = 0xA9;
                    bytes[at] = 0xC3;
                }
                let expected = bytes.iter().position(|b| !b.is_ascii());
                assert_eq!(first_non_ascii(&bytes), expected, "{len} {at}");
            }
        }
    }

    #[test]
    fn nfc_by_pieces_equals_nfc_of_the_whole() {
        for text in [
            "",
            "plain ascii",
            "Vie\u{323}\u{302}t Nam ca\u{301}c ti\u{309}nh", // decomposed Vietnamese
            "\u{301}leading mark, e\u{301}, o\u{308}\u{304} and a\u{30a}\u{301}",
            "\u{1100}\u{1161}\u{11a8} 한국어 \u{1112}\u{1161}\u{11ab}글 jamo",
            "ข่าว ไทย 中文 日本語 が\u{3099}ザ ক\u{9bc} क\u{93c}\u{94d}",
            "x\u{315}\u{300}\u{5ae}\u{300}b reordered marks \u{212b} ohm \u{2126}",
            "mixed é\u{300}<script>var a = 'n\u{303}';</script>ñ",
        ] {
            let whole: String = text.nfc().collect();
            assert_eq!(to_nfc(text), whole, "{text:?}");
            if matches!(to_nfc(text), Cow::Borrowed(_)) {
                assert_eq!(whole, text);
            }
        }
    }

    #[test]
    fn meta_charset_is_honoured() {
        let html = format!(
            "<html><head><meta charset=\"shift_jis\"></head><body><p>{JA}</p></body></html>"
        );
        let bytes = encode(&html, "shift_jis");
        let decoded = decode_html(&bytes, None);
        assert_eq!(decoded.encoding.name(), "Shift_JIS");
        assert_eq!(decoded.source, CharsetSource::Document);
        assert!(decoded.text.contains(JA));
    }

    #[test]
    fn http_equiv_content_type_is_honoured() {
        let html = format!(
            "<html><head><META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=euc-kr\"></head><body>{KO}</body></html>"
        );
        let bytes = encode(&html, "euc-kr");
        let decoded = decode_html(&bytes, None);
        assert_eq!(decoded.encoding.name(), "EUC-KR");
        assert!(decoded.text.contains(KO));
    }

    #[test]
    fn undeclared_gbk_is_detected() {
        let html = format!("<html><body><p>{ZH}</p><p>{ZH}</p></body></html>");
        let bytes = encode(&html, "gbk");
        let decoded = decode_html(&bytes, None);
        assert_eq!(decoded.source, CharsetSource::Detected);
        assert!(decoded.text.contains(ZH), "{}", decoded.text);
    }

    #[test]
    fn http_header_beats_meta() {
        let html = format!("<html><head><meta charset=\"utf-8\"></head><body>{TH}</body></html>");
        let bytes = encode(&html, "windows-874");
        let decoded = decode_html(&bytes, Some("text/html; charset=TIS-620"));
        assert_eq!(decoded.source, CharsetSource::Http);
        assert!(decoded.text.contains(TH));
    }

    #[test]
    fn utf8_bytes_labelled_as_legacy_are_read_as_utf8() {
        let html = format!("<html><head><meta charset=\"gb2312\"></head><body>{ZH}</body></html>");
        let decoded = decode_html(html.as_bytes(), None);
        assert_eq!(decoded.encoding, UTF_8);
        assert_eq!(decoded.source, CharsetSource::Corrected);
        assert!(decoded.text.contains(ZH));
    }

    #[test]
    fn legacy_bytes_labelled_utf8_are_detected() {
        let html = format!(
            "<html><head><meta charset=\"utf-8\"></head><body><p>{ZH}</p><p>{ZH}</p></body></html>"
        );
        let bytes = encode(&html, "gbk");
        let decoded = decode_html(&bytes, None);
        assert_eq!(decoded.source, CharsetSource::Corrected);
        assert!(decoded.text.contains(ZH));
    }

    #[test]
    fn bom_wins_and_utf16_is_read() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in format!("<p>{KO}</p>").encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let decoded = decode_html(&bytes, Some("text/html; charset=iso-8859-1"));
        assert_eq!(decoded.source, CharsetSource::Bom);
        assert!(decoded.text.contains(KO));
    }

    #[test]
    fn xml_declaration_and_utf16be_without_bom() {
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"big5\"?><rss><title>{}</title></rss>",
            "網路詐騙廣告"
        );
        let bytes = encode(&xml, "big5");
        let decoded = decode_xml(&bytes, None);
        assert_eq!(decoded.encoding.name(), "Big5");
        assert!(decoded.text.contains("網路詐騙廣告"));
        let stripped = strip_xml_encoding_declaration(&decoded.text);
        assert!(
            stripped.starts_with("<?xml version=\"1.0\" ?>"),
            "{stripped}"
        );

        let mut be = Vec::new();
        for unit in "<?xml version=\"1.0\"?><rss>ข่าว</rss>".encode_utf16() {
            be.extend_from_slice(&unit.to_be_bytes());
        }
        let decoded = decode_xml(&be, None);
        assert_eq!(decoded.encoding, UTF_16BE);
        assert!(decoded.text.contains("ข่าว"));
    }
}
