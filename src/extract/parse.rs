//! Pruned HTML to a scraper [`Html`] tree: html5ever's tree builder, fed by
//! a byte-level tokenizer for the markup real pages are made of.
//!
//! html5ever's tokenizer reads a character at a time through a buffer
//! queue and grows each tag and attribute name a character at a time; on
//! the pruned dev pages it was about a third of all extraction time, more
//! than the tree builder behind it. The markup left after [`super::prune`]
//! is simple: tags with a few quoted attributes, text, character
//! references, empty comments, a doctype, and JSON-LD or title text. This
//! tokenizer finds each `<` and `&` with `memchr`, reads tags by bytes and
//! hands the same tokens to the same tree builder (`TreeBuilder` with
//! html5ever's defaults, scripting on, as `Html::parse_document` uses), so
//! insertion modes, implied tags, foster parenting and the adoption agency
//! stay html5ever's.
//!
//! Anything it does not follow exactly gives up, and the page is parsed by
//! html5ever from the start: NUL bytes, CDATA in SVG or MathML, doctypes
//! other than a name with optional public and system ids, `<plaintext>`,
//! and script text holding `<!--` (whose escape states change where a
//! script ends). Bogus comments (`<?xml …>`, `<![endif]-->`, `</ x>`) and
//! pages cut inside a tag or comment (as [`super::MAX_HTML_BYTES`] cuts
//! them) are followed. Tests compare the two parsers' trees node
//! for node on the fixtures, on any folder in `KABAR_PRUNE_CHECK_DIR`, and
//! on thousands of generated tag soups.

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{Doctype, Tag, TagKind, Token, TokenSink, TokenSinkResult};
use html5ever::tree_builder::{TreeBuilder, TreeBuilderOpts, TreeSink};
use html5ever::{Attribute, LocalName, QualName, ns};
use scraper::{Html, HtmlTreeSink};

/// Set by [`use_html5ever_only`]: every page goes to html5ever's tokenizer.
static HTML5EVER_ONLY: AtomicBool = AtomicBool::new(false);

/// Parses a whole document, as `Html::parse_document` would.
pub fn parse_document(html: &str) -> Html {
    if HTML5EVER_ONLY.load(Ordering::Relaxed) {
        return Html::parse_document(html);
    }
    parse_fast(html).unwrap_or_else(|| Html::parse_document(html))
}

/// Turns the fast tokenizer off for the whole process, so benchmarks can
/// measure both parsers in one binary (`cargo bench --bench crawl --
/// --parser html5ever`); the trees are the same either way.
pub fn use_html5ever_only(on: bool) {
    HTML5EVER_ONLY.store(on, Ordering::Relaxed);
}

/// The fast tokenizer's tree, or `None` where it gave up.
pub fn parse_fast(html: &str) -> Option<Html> {
    if memchr::memchr(0, html.as_bytes()).is_some() {
        return None;
    }
    // The input stream's preprocessing: CR LF and lone CR become LF.
    let html: Cow<'_, str> = if memchr::memchr(b'\r', html.as_bytes()).is_some() {
        Cow::Owned(html.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(html)
    };
    let html = html.strip_prefix('\u{FEFF}').unwrap_or(&html);
    // About one node per `<` (an element per start tag, a text between
    // tags): sized once, the tree is not copied as it grows. A page of
    // nothing but `<` gets no more than a real page's worth.
    let mut doc = Html::new_document();
    let nodes = (memchr::memchr_iter(b'<', html.as_bytes()).count() + 16).min(100_000);
    doc.tree = ego_tree::Tree::with_capacity(scraper::Node::Document, nodes);
    let builder = TreeBuilder::new(HtmlTreeSink::new(doc), TreeBuilderOpts::default());
    let mut tokenizer = Tokenizer {
        src: html,
        b: html.as_bytes(),
        pos: 0,
        text: String::new(),
        builder,
    };
    tokenizer.run().ok()?;
    tokenizer.flush_text();
    let _ = tokenizer.builder.process_token(Token::EOFToken, 1);
    tokenizer.builder.end();
    Some(tokenizer.builder.sink.finish())
}

/// Where the fast tokenizer stops following html5ever.
struct GiveUp;

struct Tokenizer<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    /// Character data not yet handed over: one token per run of text.
    text: String,
    builder: TreeBuilder<ego_tree::NodeId, HtmlTreeSink>,
}

fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b' ')
}

impl Tokenizer<'_> {
    fn run(&mut self) -> Result<(), GiveUp> {
        while self.pos < self.b.len() {
            let rest = &self.b[self.pos..];
            let Some(i) = memchr::memchr2(b'<', b'&', rest) else {
                self.text.push_str(&self.src[self.pos..]);
                self.pos = self.b.len();
                break;
            };
            self.text.push_str(&self.src[self.pos..self.pos + i]);
            self.pos += i;
            if self.b[self.pos] == b'&' {
                let (end, decoded) = char_ref(self.src, self.pos, false);
                self.text.push_str(&decoded);
                self.pos = end;
            } else {
                self.markup()?;
            }
        }
        Ok(())
    }

    /// At a `<` in the data state.
    fn markup(&mut self) -> Result<(), GiveUp> {
        let at = self.pos;
        match self.b.get(at + 1) {
            Some(c) if c.is_ascii_alphabetic() => {
                let Some(tag) = self.tag(at + 1, TagKind::StartTag) else {
                    return Ok(());
                };
                let name = tag.name.clone();
                match self.emit(Token::TagToken(tag)) {
                    TokenSinkResult::RawData(kind) => self.raw_text(kind, &name),
                    TokenSinkResult::Plaintext => Err(GiveUp),
                    _ => Ok(()),
                }
            }
            Some(b'/') => match self.b.get(at + 2) {
                Some(c) if c.is_ascii_alphabetic() => {
                    if let Some(tag) = self.tag(at + 2, TagKind::EndTag) {
                        let _ = self.emit(Token::TagToken(tag));
                    }
                    Ok(())
                }
                // `</>` is dropped.
                Some(b'>') => {
                    self.pos = at + 3;
                    Ok(())
                }
                None => {
                    self.text.push_str("</");
                    self.pos = at + 2;
                    Ok(())
                }
                _ => self.bogus_comment(at + 2),
            },
            Some(b'!') => {
                if self.b[at..].starts_with(b"<!--") {
                    self.comment(at + 4)
                } else if self.b.len() >= at + 9
                    && self.b[at + 2..at + 9].eq_ignore_ascii_case(b"doctype")
                {
                    self.doctype(at + 9)
                } else if self.b[at + 2..].starts_with(b"[CDATA[")
                    && self
                        .builder
                        .adjusted_current_node_present_but_not_in_html_namespace()
                {
                    // CDATA in SVG or MathML.
                    Err(GiveUp)
                } else {
                    self.bogus_comment(at + 2)
                }
            }
            Some(b'?') => self.bogus_comment(at + 1),
            // Not markup: a `<` of the text.
            _ => {
                self.text.push('<');
                self.pos = at + 1;
                Ok(())
            }
        }
    }

    fn flush_text(&mut self) {
        if !self.text.is_empty() {
            let text = StrTendril::from_slice(&self.text);
            self.text.clear();
            let _ = self.builder.process_token(Token::CharacterTokens(text), 1);
        }
    }

    fn emit(&mut self, token: Token) -> TokenSinkResult<ego_tree::NodeId> {
        self.flush_text();
        self.builder.process_token(token, 1)
    }

    /// A tag whose name starts at `from`; leaves `pos` after its `>`.
    /// `None` when the page ends inside the tag, which then is dropped.
    fn tag(&mut self, from: usize, kind: TagKind) -> Option<Tag> {
        let b = self.b;
        let mut i = from;
        while i < b.len() && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
            i += 1;
        }
        if i >= b.len() {
            return self.eof();
        }
        let name = LocalName::from(lower(&self.src[from..i]));
        let mut attrs: Vec<Attribute> = Vec::new();
        let mut self_closing = false;
        loop {
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            match b.get(i) {
                None => return self.eof(),
                Some(b'>') => {
                    i += 1;
                    break;
                }
                Some(b'/') => {
                    if b.get(i + 1) == Some(&b'>') {
                        self_closing = true;
                        i += 2;
                        break;
                    }
                    i += 1;
                    continue;
                }
                Some(_) => {}
            }
            // An attribute name: its first character may be `=`.
            let name_start = i;
            i += 1;
            while i < b.len() && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
                i += 1;
            }
            let attr_name = lower(&self.src[name_start..i]);
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            let mut value = String::new();
            if b.get(i) == Some(&b'=') {
                i += 1;
                while i < b.len() && is_space(b[i]) {
                    i += 1;
                }
                match b.get(i) {
                    None => return self.eof(),
                    Some(&q) if q == b'"' || q == b'\'' => {
                        let len = memchr::memchr(q, &b[i + 1..]).or_else(|| self.eof())?;
                        decode_refs(self.src, i + 1, i + 1 + len, true, &mut value);
                        i += len + 2;
                    }
                    // `a=>`: an empty value, and the tag ends.
                    Some(b'>') => {}
                    Some(_) => {
                        let start = i;
                        while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
                            i += 1;
                        }
                        if i >= b.len() {
                            return self.eof();
                        }
                        decode_refs(self.src, start, i, true, &mut value);
                    }
                }
            }
            // A repeated attribute is dropped; the first one counts.
            if !attrs.iter().any(|a| &*a.name.local == attr_name.as_ref()) {
                attrs.push(Attribute {
                    name: QualName::new(None, ns!(), LocalName::from(attr_name.as_ref())),
                    value: StrTendril::from_slice(&value),
                });
            }
        }
        self.pos = i;
        Some(Tag {
            kind,
            name,
            self_closing,
            attrs,
            had_duplicate_attributes: false,
        })
    }

    /// The end of the page inside a tag: nothing more is read.
    fn eof<T>(&mut self) -> Option<T> {
        self.pos = self.b.len();
        None
    }

    /// The text of a raw-text element up to its end tag, which the data
    /// state then reads as usual.
    fn raw_text(&mut self, kind: RawKind, name: &LocalName) -> Result<(), GiveUp> {
        let from = self.pos;
        let end = raw_text_end(self.b, from, name.as_bytes()).unwrap_or(self.b.len());
        let content = &self.src[from..end];
        match kind {
            RawKind::Rcdata => decode_refs(self.src, from, end, false, &mut self.text),
            RawKind::Rawtext => self.text.push_str(content),
            // Script text with `<!--` enters the escaped states, where a
            // `<script>` inside changes which `</script>` ends it.
            RawKind::ScriptData if !content.contains("<!--") => self.text.push_str(content),
            _ => return Err(GiveUp),
        }
        self.pos = end;
        Ok(())
    }

    /// A bogus comment (`<?xml ...>`, `<![endif]-->`, `</ x>`): its text
    /// runs from `from` to the next `>` or the end of the page.
    fn bogus_comment(&mut self, from: usize) -> Result<(), GiveUp> {
        let (text_end, next) = match memchr::memchr(b'>', &self.b[from..]) {
            Some(k) => (from + k, from + k + 1),
            None => (self.b.len(), self.b.len()),
        };
        let text = StrTendril::from_slice(&self.src[from..text_end]);
        let _ = self.emit(Token::CommentToken(text));
        self.pos = next;
        Ok(())
    }

    /// A comment whose text starts at `from` (after `<!--`).
    fn comment(&mut self, from: usize) -> Result<(), GiveUp> {
        let b = self.b;
        let (text_end, next) = if b.get(from) == Some(&b'>') {
            (from, from + 1)
        } else if b[from..].starts_with(b"->") {
            (from, from + 2)
        } else {
            let mut i = from;
            loop {
                let Some(k) = memchr::memmem::find(&b[i..], b"--") else {
                    // The page ends inside the comment: its text, less a
                    // closing `-`, `--` or `--!` begun.
                    let text = &b[from..];
                    let cut = [&b"--!"[..], b"--", b"-"]
                        .iter()
                        .find(|end| text.ends_with(end))
                        .map_or(0, |end| end.len());
                    break (b.len() - cut, b.len());
                };
                let dashes = i + k;
                // `--->` ends with the last two dashes; `--!>` ends too.
                let mut j = dashes + 2;
                while b.get(j) == Some(&b'-') {
                    j += 1;
                }
                match b.get(j) {
                    Some(b'>') => break (j - 2, j + 1),
                    Some(b'!') if b.get(j + 1) == Some(&b'>') => break (j - 2, j + 2),
                    _ => i = j.max(dashes + 1),
                }
            }
        };
        let text = StrTendril::from_slice(&self.src[from..text_end.max(from)]);
        let _ = self.emit(Token::CommentToken(text));
        self.pos = next;
        Ok(())
    }

    /// `<!DOCTYPE name>`, with a public and system id or not; `from` is
    /// after the keyword.
    fn doctype(&mut self, from: usize) -> Result<(), GiveUp> {
        let b = self.b;
        let mut i = from;
        let skip = |i: &mut usize| {
            while *i < b.len() && is_space(b[*i]) {
                *i += 1;
            }
        };
        if !b.get(i).is_some_and(|&c| is_space(c)) {
            return Err(GiveUp);
        }
        skip(&mut i);
        let name_start = i;
        while i < b.len() && !is_space(b[i]) && b[i] != b'>' {
            i += 1;
        }
        if i == name_start || i >= b.len() {
            return Err(GiveUp);
        }
        let name = lower(&self.src[name_start..i]).into_owned();
        skip(&mut i);
        let quoted = |i: &mut usize| -> Result<StrTendril, GiveUp> {
            let q = *b.get(*i).ok_or(GiveUp)?;
            if q != b'"' && q != b'\'' {
                return Err(GiveUp);
            }
            let len = memchr::memchr(q, &b[*i + 1..]).ok_or(GiveUp)?;
            let text = &self.src[*i + 1..*i + 1 + len];
            if text.contains('>') {
                return Err(GiveUp);
            }
            *i += len + 2;
            Ok(StrTendril::from_slice(text))
        };
        let keyword = |i: usize, word: &[u8]| {
            b.len() >= i + word.len() && b[i..i + word.len()].eq_ignore_ascii_case(word)
        };
        let (mut public_id, mut system_id) = (None, None);
        if keyword(i, b"public") {
            i += 6;
            skip(&mut i);
            public_id = Some(quoted(&mut i)?);
            skip(&mut i);
            if b.get(i) != Some(&b'>') {
                system_id = Some(quoted(&mut i)?);
                skip(&mut i);
            }
        } else if keyword(i, b"system") {
            i += 6;
            skip(&mut i);
            system_id = Some(quoted(&mut i)?);
            skip(&mut i);
        }
        if b.get(i) != Some(&b'>') {
            return Err(GiveUp);
        }
        let _ = self.emit(Token::DoctypeToken(Doctype {
            name: Some(StrTendril::from_slice(&name)),
            public_id,
            system_id,
            force_quirks: false,
        }));
        self.pos = i + 1;
        Ok(())
    }
}

/// ASCII upper case to lower case, as tag and attribute names are read.
fn lower(name: &str) -> Cow<'_, str> {
    if name.bytes().any(|c| c.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// The text between `from` and `to` (an attribute value, or RCDATA such
/// as `<title>`) with its character references decoded, onto `out`.
fn decode_refs(src: &str, from: usize, to: usize, in_attribute: bool, out: &mut String) {
    let b = &src.as_bytes()[..to];
    let mut i = from;
    while let Some(k) = memchr::memchr(b'&', &b[i..]) {
        out.push_str(&src[i..i + k]);
        let (next, decoded) = char_ref(&src[..to], i + k, in_attribute);
        out.push_str(&decoded);
        i = next;
    }
    out.push_str(&src[i..to]);
}

/// Where the raw text that starts at `from` ends: the first `</name`
/// (any case) followed by whitespace, `/` or `>`.
fn raw_text_end(b: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut i = from;
    while let Some(k) = memchr::memmem::find(&b[i..], b"</") {
        let at = i + k;
        let name_end = at + 2 + name.len();
        if b.len() > name_end
            && b[at + 2..name_end].eq_ignore_ascii_case(name)
            && (is_space(b[name_end]) || matches!(b[name_end], b'/' | b'>'))
        {
            return Some(at);
        }
        i = at + 2;
    }
    None
}

/// The character reference at `src[at] == '&'`: where reading goes on and
/// what it stands for (the `&` itself where it is no reference), as the
/// standard's character reference state reads it. `src` ends where the
/// text being read ends.
fn char_ref(src: &str, at: usize, in_attribute: bool) -> (usize, Cow<'static, str>) {
    let b = src.as_bytes();
    let amp = (at + 1, Cow::Borrowed("&"));
    match b.get(at + 1) {
        Some(b'#') => {
            let hex = matches!(b.get(at + 2), Some(b'x' | b'X'));
            let digits_from = at + 2 + usize::from(hex);
            let mut i = digits_from;
            let mut value: u32 = 0;
            let mut too_big = false;
            while let Some(d) = b
                .get(i)
                .and_then(|&c| (c as char).to_digit(if hex { 16 } else { 10 }))
            {
                value = value
                    .saturating_mul(if hex { 16 } else { 10 })
                    .saturating_add(d);
                too_big |= value > 0x10FFFF;
                i += 1;
            }
            if i == digits_from {
                return amp;
            }
            if b.get(i) == Some(&b';') {
                i += 1;
            }
            (i, Cow::Owned(numeric_char(value, too_big).to_string()))
        }
        Some(c) if c.is_ascii_alphanumeric() => {
            // The longest entity name the text starts with; the table also
            // holds every prefix of a name (as 0, 0).
            let entities = &html5ever::data::NAMED_ENTITIES;
            let mut end = at + 1;
            let mut found: Option<(usize, (u32, u32))> = None;
            while end < b.len() {
                let next = end + src[end..].chars().next().map_or(1, char::len_utf8);
                match entities.get(&src[at + 1..next]) {
                    Some(&m) => {
                        if m.0 != 0 {
                            found = Some((next, m));
                        }
                        end = next;
                    }
                    None => break,
                }
            }
            let Some((match_end, (c1, c2))) = found else {
                return amp;
            };
            if b[match_end - 1] != b';'
                && in_attribute
                && b.get(match_end)
                    .is_some_and(|&c| c == b'=' || c.is_ascii_alphanumeric())
            {
                return amp;
            }
            let mut s = String::new();
            s.extend(char::from_u32(c1));
            if c2 != 0 {
                s.extend(char::from_u32(c2));
            }
            (match_end, Cow::Owned(s))
        }
        _ => amp,
    }
}

/// What a numeric character reference stands for (the standard's table,
/// as html5ever applies it).
fn numeric_char(value: u32, too_big: bool) -> char {
    match value {
        _ if too_big => '\u{FFFD}',
        0 | 0xD800..=0xDFFF => '\u{FFFD}',
        0x80..=0x9F => html5ever::data::C1_REPLACEMENTS[(value - 0x80) as usize]
            .unwrap_or_else(|| char::from_u32(value).unwrap_or('\u{FFFD}')),
        n => char::from_u32(n).unwrap_or('\u{FFFD}'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::Node;

    /// Every node with its depth: names, namespaces, attributes, text,
    /// comments and the doctype, and the document's quirks mode.
    fn dump(doc: &Html) -> Vec<String> {
        let mut out = vec![format!("{:?}", doc.quirks_mode)];
        for edge in doc.tree.root().traverse() {
            let ego_tree::iter::Edge::Open(node) = edge else {
                continue;
            };
            let depth = node.ancestors().count();
            let line = match node.value() {
                Node::Element(e) => {
                    let attrs: Vec<_> = e
                        .attrs
                        .iter()
                        .map(|(k, v)| format!("{}:{}={:?}", k.ns, k.local, &**v))
                        .collect();
                    format!("<{} {} {attrs:?}>", e.name.ns, e.name.local)
                }
                Node::Text(t) => format!("{:?}", &*t.text),
                Node::Comment(c) => format!("<!--{:?}-->", &*c.comment),
                Node::Doctype(d) => format!(
                    "<!doctype {:?} {:?} {:?}>",
                    d.name(),
                    d.public_id(),
                    d.system_id()
                ),
                other => format!("{other:?}"),
            };
            out.push(format!("{depth} {line}"));
        }
        out
    }

    /// The fast tree equals html5ever's, or the fast path gave up.
    fn same_tree(html: &str) -> bool {
        match parse_fast(html) {
            Some(fast) => {
                let slow = Html::parse_document(html);
                let (a, b) = (dump(&fast), dump(&slow));
                assert_eq!(a, b, "trees differ for {html:?}");
                true
            }
            None => false,
        }
    }

    #[test]
    fn ordinary_markup_parses_like_html5ever() {
        for html in [
            "<!DOCTYPE html><html lang=th><head><title>ข่าว &amp; โฆษณา</title></head><body><p>ก&nbsp;ข</p></body></html>",
            "<!doctype html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\" \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\"><p>x",
            "<!DOCTYPE html PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\"><table><p>foster</p><tr><td>1</table>",
            "<p>a<b>b<p>c</b>d</p><i>e<div>f</i>g</div>",
            "<div class=\"a\" id='b' data-x=y hidden>text<br/>more<img src=x alt=\"&lt;&quot;\"></div>",
            "<p>AT&T &copy 2025 &notit; &noti &#x41;&#66;&#x80;&#0;&#xD800;&#1114112; &#; &#x; & x &amp</p>",
            "<a href=\"?a=1&b=2&copy=3&amp;c\">l</a><a title=&copy=x>m</a>",
            "<title>a <b> &amp; </TITLE >b",
            "<textarea>\n<p>kept &lt;</textarea><pre>\nx</pre>",
            "<script type=\"application/ld+json\">{\"a\":\"</scrip>\"}</script><noscript><p>n</p></noscript>",
            "<style>p{}</style><svg><circle/><foreignObject><p>x</p></foreignObject></svg><math><mi>x</mi></math>",
            "<!----><!-- a -- b --><!--->x<!-->y<!--z--->w<!--q--!>r",
            "a < b, 3 <4 </> x",
            "<P CLASS=Up>Caps</P><DIV Id=1 id=2 ID=3>dup</DIV>",
            "\u{FEFF}<p>bom</p>\r\n<p>crlf\rcr</p>",
            "<ul><li>1<li>2</ul><dl><dt>a<dd>b</dl><select><option>1<option>2</select>",
            "<table><tr><td>a<td>b<tr><td>c</table>x<table>text<td>y</td></table>",
            "<a href=1>1<a href=2>2</a><form><form></form><button><button>",
            "<html><body><p>x</body></html><p>after",
            "<p>no end",
            "<p>x</html",
            "<p class=\"open",
            "<p class=open",
            "<!-- open comment-",
            "<?xml version=\"1.0\"?><!x><p>y<![endif]--><!-x>a </ x> </3",
            "<p>a<![CDATA[x]]>b<!‐‐ unicode dashes ‐‐></p><?open",
            "",
            "   ",
            "<!DOCTYPE html><body onload=x><frameset>",
        ] {
            assert!(same_tree(html), "gave up on {html:?}");
        }
    }

    #[test]
    fn what_it_does_not_follow_goes_to_html5ever() {
        for html in [
            "<p>nul\0</p>",
            "<svg><![CDATA[x]]></svg>",
            "<math><mi><![CDATA[x]]></mi></math>",
            "<plaintext><p>x",
            "<script><!-- <script></script> --></script>",
            "<!DOCTYPE>",
        ] {
            assert!(parse_fast(html).is_none(), "{html:?}");
            assert!(parse_document(html).tree.root().descendants().count() > 1);
        }
    }

    /// Generated tag soup: wherever the fast path does not give up, its
    /// tree is html5ever's.
    #[test]
    fn tag_soup_parses_like_html5ever() {
        const PIECES: &[&str] = &[
            "<p>",
            "</p>",
            "<div class=\"x\">",
            "</div>",
            "<b>",
            "</b>",
            "<i>",
            "</i>",
            "<a href=\"/x?a=1&b=2\">",
            "</a>",
            "<table>",
            "</table>",
            "<tr>",
            "<td>",
            "</td>",
            "<li>",
            "<ul>",
            "</ul>",
            "<br>",
            "<br/>",
            "<img src=x>",
            "<title>",
            "</title>",
            "<textarea>",
            "</textarea>",
            "<style>",
            "</style>",
            "<script type=\"application/ld+json\">",
            "</script>",
            "<noscript>",
            "</noscript>",
            "<svg>",
            "</svg>",
            "<math>",
            "</math>",
            "<select>",
            "<option>",
            "</select>",
            "<pre>",
            "</pre>",
            "<h1>",
            "</h1>",
            "<html>",
            "<body>",
            "</body>",
            "<head>",
            "</head>",
            "<frameset>",
            "<template>",
            "</template>",
            "<!---->",
            "<!-- c -->",
            "<!DOCTYPE html>",
            "text",
            "ไทย",
            "中文",
            " ",
            "\n",
            "\r\n",
            "&amp;",
            "&copy",
            "&notin;",
            "&#65;",
            "&#x9f;",
            "&",
            "<",
            "< 3",
            "</x>",
            "<P ID=a Id=b>",
            "<a title=x&copy=1>",
            "<input value=\"&lt;\">",
            "<form>",
            "</form>",
            "<button>",
            "<iframe>",
            "</iframe>",
            "<font color=1>",
        ];
        let mut rng = fastrand::Rng::with_seed(0x6b61626172);
        let mut followed = 0;
        for _ in 0..20_000 {
            let n = rng.usize(1..24);
            let mut html: String = (0..n).map(|_| PIECES[rng.usize(..PIECES.len())]).collect();
            // One in four ends mid-construct, as a cut page does.
            if rng.u8(..4) == 0 {
                let mut cut = rng.usize(..=html.len());
                while !html.is_char_boundary(cut) {
                    cut -= 1;
                }
                html.truncate(cut);
            }
            followed += usize::from(same_tree(&html));
        }
        eprintln!("fast path on {followed} of 20000 soups");
        assert!(
            followed > 15_000,
            "the fast path gave up on {} of 20000",
            20_000 - followed
        );
    }

    /// Real pages, pruned as extraction prunes them, parse to html5ever's
    /// tree: the test fixtures, or the pages in `KABAR_PRUNE_CHECK_DIR`.
    #[test]
    fn real_pages_parse_like_html5ever() {
        let pages = super::super::check_pages();
        let mut followed = 0;
        for (path, html) in &pages {
            if same_tree(&super::super::prune::prune(html)) {
                followed += 1;
            } else {
                eprintln!("html5ever parsed {}", path.display());
            }
        }
        eprintln!("fast path on {followed} of {} pages", pages.len());
        assert!(
            followed * 10 >= pages.len() * 9,
            "fast path on {followed} of {} pages",
            pages.len()
        );
    }
}
