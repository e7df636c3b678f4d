//! The byte-level pass that runs before the HTML parser: it removes what
//! extraction never reads and bounds how deep the page nests.
//!
//! A news page is mostly not article: on the evaluation pages about 30% of
//! the bytes are `<script>` code, 16% `<style>` sheets, 3.5% inline `<svg>`
//! icons and 1% comments, against about 4% article text. The parser
//! (html5ever, then scraper's tree) costs time per byte and per node, so
//! cutting these before parsing is the largest saving extraction has. What
//! is cut, and why it is safe:
//!
//! - the content of `<script>` elements, except JSON-LD
//!   (`type="application/ld+json"`), which [`super::meta`] reads;
//! - the content of `<style>` elements;
//! - the content of `<svg>` elements, unless it holds markup that the parser
//!   would take out of the SVG (a `<p>`, a `<div>`, an end tag of an element
//!   opened outside, HTML inside `<foreignObject>`): then it is kept whole;
//! - the text of comments (an empty comment stays, so that the text nodes
//!   on either side stay separate nodes).
//!
//! The elements themselves stay, empty, so the tree has the same shape: the
//! extractor skips these elements by name anyway, and only their text
//! changes (to none). Everything else is copied unchanged.
//!
//! To find where these elements end, the scanner follows the tokenizer of
//! the HTML standard closely enough to agree with html5ever on real pages:
//! quoted attribute values may hold `>`, `<title>`, `<textarea>`,
//! `<noscript>` and the other raw-text elements are skipped as text, a
//! script ends at the first `</script` followed by a space, `/` or `>` except
//! inside the "escaped" `<!-- <script> -->` state, and tag names are
//! compared without case. A construct that does not end (a script, comment
//! or tag cut off by the end of the page) is left as it is, so nothing is
//! lost that the parser would have kept.
//!
//! The same pass also flattens nesting deeper than [`MAX_NESTING`]: the
//! parser's scope checks walk the stack of open elements, so its time grows
//! with the square of the depth (100,000 nested `<div>`s take minutes), and
//! no real page nests more than a few hundred levels. Tags that open or
//! close elements deeper than that are removed, their text kept.

use std::borrow::Cow;

use memchr::{memchr, memchr2, memmem};

/// Nesting deeper than this is flattened before parsing (see the module
/// documentation).
pub const MAX_NESTING: usize = 512;

/// Elements that never hold children or that close themselves implicitly
/// often enough that counting them would overstate the depth.
const NON_NESTING: &[&[u8]] = &[
    b"area", b"base", b"br", b"col", b"embed", b"hr", b"img", b"input", b"link", b"meta", b"param",
    b"source", b"track", b"wbr", b"p", b"li", b"dt", b"dd", b"option", b"td", b"th", b"tr",
];

/// The attributes extraction reads (in `text`, `meta`, `quirks` and the
/// selectors there), plus `href`, which is kept on `<link>` only (the
/// canonical URL). Every other attribute is dropped before parsing: on the
/// evaluation pages attributes are half the bytes left after scripts and
/// styles (link targets, image sources, `data-*`, event handlers), and the
/// tokenizer reads attributes a character at a time. A test checks that
/// every attribute the extract module names is listed here: **reading a new
/// attribute means adding it here.**
const READ_ATTRIBUTES: &[&[u8]] = &[
    b"class",
    b"id",
    b"style",
    b"hidden",
    b"aria-hidden",
    b"role",
    b"itemprop",
    b"datetime",
    b"content",
    b"property",
    b"name",
    b"http-equiv",
    b"charset",
    b"lang",
    b"xml:lang",
    b"type",
    b"rel",
];

/// Elements whose content the tokenizer reads as text up to their end tag
/// (RCDATA and RAWTEXT; `<noscript>` too, since the parser runs with
/// scripting on). Their content is kept but must be skipped, or markup-like
/// text inside them would be taken for tags.
const RAW_TEXT: &[&[u8]] = &[
    b"title",
    b"textarea",
    b"xmp",
    b"iframe",
    b"noembed",
    b"noframes",
    b"noscript",
];

/// Elements whose whitespace the parser keeps as written (and whose first
/// line break it drops).
const PRE: &[&[u8]] = &[b"pre", b"listing"];

/// Start tags that end SVG or MathML content in the parser ("breakout"
/// tags of the standard's foreign-content rules); `font` breaks out only
/// with some attributes, but is treated as always doing so.
const BREAKOUT: &[&[u8]] = &[
    b"b",
    b"big",
    b"blockquote",
    b"body",
    b"br",
    b"center",
    b"code",
    b"dd",
    b"div",
    b"dl",
    b"dt",
    b"em",
    b"embed",
    b"h1",
    b"h2",
    b"h3",
    b"h4",
    b"h5",
    b"h6",
    b"head",
    b"hr",
    b"i",
    b"img",
    b"li",
    b"listing",
    b"menu",
    b"meta",
    b"nobr",
    b"ol",
    b"p",
    b"pre",
    b"ruby",
    b"s",
    b"small",
    b"span",
    b"strong",
    b"strike",
    b"sub",
    b"sup",
    b"table",
    b"tt",
    b"u",
    b"ul",
    b"var",
    b"font",
];

/// Elements inside SVG or MathML whose content the parser reads as HTML.
const INTEGRATION_POINTS: &[&[u8]] = &[
    b"foreignobject",
    b"desc",
    b"title",
    b"mi",
    b"mo",
    b"mn",
    b"ms",
    b"mtext",
    b"annotation-xml",
];

/// What comments become: the node stays, its text goes.
const EMPTY_COMMENT: &str = "<!---->";

/// Returns `html` without the parts extraction never reads and with its
/// nesting bounded (see the module documentation). Borrows when there is
/// nothing to remove.
pub fn prune(html: &str) -> Cow<'_, str> {
    let mut p = Pruner {
        html,
        b: html.as_bytes(),
        out: None,
        copied: 0,
    };
    p.run();
    match p.out {
        None => Cow::Borrowed(html),
        Some(mut out) => {
            out.push_str(&html[p.copied..]);
            Cow::Owned(out)
        }
    }
}

struct Pruner<'a> {
    html: &'a str,
    b: &'a [u8],
    /// The output so far, allocated at the first cut.
    out: Option<String>,
    /// `html[..copied]` is accounted for in `out`.
    copied: usize,
}

/// An attribute as written: its name and the end of its value.
struct Attr {
    name: (usize, usize),
    /// Just past the value (and its closing quote), or the name when it
    /// has no value.
    end: usize,
}

/// A start or end tag: where its name is and where it ends.
struct Tag {
    name: (usize, usize),
    /// Just past the `>`.
    end: usize,
    /// Written `<name ... />`.
    self_closing: bool,
    /// The value of the first `type` attribute.
    type_value: Option<(usize, usize)>,
}

impl Pruner<'_> {
    /// Replaces `html[from..to]` with `with`. Cuts come in document order
    /// and never overlap, and every boundary is an ASCII byte, so the
    /// output stays valid UTF-8.
    fn cut(&mut self, from: usize, to: usize, with: &str) {
        let out = self
            .out
            .get_or_insert_with(|| String::with_capacity(self.html.len()));
        out.push_str(&self.html[self.copied..from]);
        out.push_str(with);
        self.copied = to;
    }

    /// Rewrites a start tag without the attributes extraction never reads
    /// (see [`READ_ATTRIBUTES`]); leaves it alone when it has none.
    fn drop_unread_attributes(&mut self, lt: usize, tag: &Tag, name: &[u8], attrs: &[Attr]) {
        let b = self.b;
        let is_read = |a: &Attr| {
            let attr = lower_name(&b[a.name.0..a.name.1]);
            let attr = attr.as_deref().unwrap_or(b"");
            if attr == b"style" {
                return style_may_hide(&b[a.name.1..a.end]);
            }
            is_one_of(attr, READ_ATTRIBUTES) || (attr == b"href" && name == b"link")
        };
        if attrs.iter().all(is_read) {
            return;
        }
        self.cut(lt, lt + 1, "<");
        let html = self.html;
        let out = self.out.as_mut().expect("cut allocates");
        out.push_str(&html[tag.name.0..tag.name.1]);
        for a in attrs.iter().filter(|a| is_read(a)) {
            out.push(' ');
            out.push_str(&html[a.name.0..a.end]);
        }
        out.push_str(if tag.self_closing { "/>" } else { ">" });
        self.copied = tag.end;
    }

    /// Shortens the whitespace at either end of the text `html[from..to]`,
    /// which lies between two tags or comments, to one character: a line
    /// break if the run holds one, else its first character. Every reader
    /// of the tree collapses whitespace (or trims it), and a run stays a
    /// run, so words stay apart and text stays text in every parser state;
    /// the parser no longer has to handle each line break of the page's
    /// indentation.
    fn collapse_space(&mut self, from: usize, to: usize) {
        let b = &self.b[from..to];
        let lead = b.iter().take_while(|&&c| is_space(c)).count();
        self.collapse_run(from, from + lead);
        if lead < b.len() {
            let trail = b.iter().rev().take_while(|&&c| is_space(c)).count();
            self.collapse_run(to - trail, to);
        }
    }

    fn collapse_run(&mut self, from: usize, to: usize) {
        if to - from < 2 {
            return;
        }
        let run = &self.b[from..to];
        if run.iter().any(|&c| c == b'\n' || c == b'\r') {
            self.cut(from, to, "\n");
        } else {
            let first = &self.html[from..from + 1];
            self.cut(from, to, first);
        }
    }

    fn run(&mut self) {
        let b = self.b;
        let mut depth = 0usize;
        let mut i = 0;
        // SVG or MathML that could not be skipped whole is not tried again
        // for start tags before this point: a page of 100,000 nested
        // `<svg>`s would otherwise be rescanned once per tag.
        let mut foreign_checked_until = 0;
        let mut attrs = Vec::new();
        // Where the text since the last tag or comment starts, and how many
        // `<pre>`s are open (whitespace there is kept as written).
        let mut text_start = 0;
        let mut pre_depth = 0usize;
        while let Some(off) = memchr(b'<', &b[i..]) {
            let lt = i + off;
            let Some(&next) = b.get(lt + 1) else { break };
            match next {
                b'!' if b[lt..].starts_with(b"<!--") => {
                    let Some(end) = comment_end(b, lt + 4) else {
                        break;
                    };
                    if pre_depth == 0 {
                        self.collapse_space(text_start, lt);
                    }
                    if end - lt > EMPTY_COMMENT.len() {
                        self.cut(lt, end, EMPTY_COMMENT);
                    }
                    i = end;
                    text_start = end;
                }
                // Doctype, CDATA outside foreign content, processing
                // instructions and other bogus comments end at the first `>`.
                b'!' | b'?' => match memchr(b'>', &b[lt..]) {
                    Some(e) => i = lt + e + 1,
                    None => break,
                },
                b'/' => match b.get(lt + 2) {
                    Some(c) if c.is_ascii_alphabetic() => {
                        let Some(tag) = parse_tag(b, lt + 2, &mut attrs) else {
                            break;
                        };
                        let name = lower_name(&b[tag.name.0..tag.name.1]);
                        let name = name.as_deref().unwrap_or(b"");
                        if pre_depth == 0 {
                            self.collapse_space(text_start, lt);
                        }
                        if is_one_of(name, PRE) {
                            pre_depth = pre_depth.saturating_sub(1);
                        }
                        if !is_one_of(name, NON_NESTING)
                            && !is_one_of(name, RAW_TEXT)
                            && !matches!(name, b"script" | b"style")
                        {
                            if depth > MAX_NESTING {
                                self.cut(lt, tag.end, "");
                            }
                            depth = depth.saturating_sub(1);
                        }
                        i = tag.end;
                        text_start = i;
                    }
                    Some(b'>') => i = lt + 3,
                    Some(_) => match memchr(b'>', &b[lt..]) {
                        Some(e) => i = lt + e + 1,
                        None => break,
                    },
                    None => break,
                },
                c if c.is_ascii_alphabetic() => {
                    let Some(tag) = parse_tag(b, lt + 1, &mut attrs) else {
                        break;
                    };
                    let lowered = lower_name(&b[tag.name.0..tag.name.1]);
                    let name = lowered.as_deref().unwrap_or(b"");
                    if pre_depth == 0 {
                        self.collapse_space(text_start, lt);
                    }
                    if is_one_of(name, PRE) {
                        pre_depth += 1;
                    }
                    i = tag.end;
                    let raw = matches!(name, b"script" | b"style" | b"plaintext")
                        || is_one_of(name, RAW_TEXT);
                    if !raw && !tag.self_closing && !is_one_of(name, NON_NESTING) {
                        depth += 1;
                    }
                    if depth > MAX_NESTING && !raw && !tag.self_closing {
                        self.cut(lt, tag.end, "");
                    } else {
                        self.drop_unread_attributes(lt, &tag, name, &attrs);
                    }
                    match name {
                        b"script" => {
                            let Some(close) = script_end(b, tag.end) else {
                                break;
                            };
                            if !is_json_ld(b, tag.type_value) && close > tag.end {
                                self.cut(tag.end, close, "");
                            }
                            i = close;
                        }
                        b"style" => {
                            let Some(close) = raw_text_end(b, tag.end, b"style") else {
                                break;
                            };
                            if close > tag.end {
                                self.cut(tag.end, close, "");
                            }
                            i = close;
                        }
                        b"plaintext" => break,
                        _ if is_one_of(name, RAW_TEXT) => {
                            let Some(close) = raw_text_end(b, tag.end, name) else {
                                break;
                            };
                            i = close;
                        }
                        b"svg" | b"math" if !tag.self_closing && lt >= foreign_checked_until => {
                            match foreign_end(b, tag.end, name) {
                                Ok(close) => {
                                    if name == b"svg" && close > tag.end {
                                        self.cut(tag.end, close, "");
                                    }
                                    // The end tag is read next and closes
                                    // this level.
                                    i = close;
                                }
                                Err(checked) => foreign_checked_until = checked,
                            }
                        }
                        _ => {}
                    }
                    // After a raw-text element, `i` is at its end tag:
                    // its content is not collapsed.
                    text_start = i;
                }
                _ => i = lt + 1,
            }
        }
    }
}

/// True for the tokenizer's whitespace.
fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

/// The tag name in ASCII lowercase, or `None` when it is too long to be
/// one this module cares about.
fn lower_name(name: &[u8]) -> Option<LowerName> {
    let mut buf = [0u8; 16];
    let dst = buf.get_mut(..name.len())?;
    for (d, s) in dst.iter_mut().zip(name) {
        *d = s.to_ascii_lowercase();
    }
    Some(LowerName {
        buf,
        len: name.len(),
    })
}

/// A short tag name, lowercased on the stack: this runs for every tag.
struct LowerName {
    buf: [u8; 16],
    len: usize,
}

impl std::ops::Deref for LowerName {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

fn is_one_of(name: &[u8], set: &[&[u8]]) -> bool {
    set.contains(&name)
}

/// True unless a `style` attribute, written as `=` and its (quoted) value
/// after the name, surely does not hide its element by
/// [`super::text::style_hides`], the only rule that reads styles. Values
/// with character references or non-ASCII bytes are kept: the parser
/// decodes them, and this pass does not.
fn style_may_hide(written: &[u8]) -> bool {
    match std::str::from_utf8(written) {
        Ok(w) if w.is_ascii() && !w.contains(['&', '\0']) => super::text::style_hides(w),
        _ => true,
    }
}

/// Reads a tag from its name (just after `<` or `</`) to its `>`, following
/// the standard's attribute states so that a quoted `>` does not end it.
/// `None` when the page ends inside the tag.
fn parse_tag(b: &[u8], name_start: usize, attrs: &mut Vec<Attr>) -> Option<Tag> {
    attrs.clear();
    let n = b.len();
    let mut i = name_start;
    while i < n && !is_space(b[i]) && b[i] != b'/' && b[i] != b'>' {
        i += 1;
    }
    let name = (name_start, i);
    let mut type_value = None;
    let done = |end, self_closing, type_value| {
        Some(Tag {
            name,
            end,
            self_closing,
            type_value,
        })
    };
    loop {
        // Before an attribute name.
        while i < n && is_space(b[i]) {
            i += 1;
        }
        match *b.get(i)? {
            b'>' => return done(i + 1, false, type_value),
            b'/' => {
                i += 1;
                if b.get(i) == Some(&b'>') {
                    return done(i + 1, true, type_value);
                }
                continue;
            }
            _ => {}
        }
        // The attribute name; its first character may be anything, `=` too.
        let name_start = i;
        i += 1;
        while i < n && !is_space(b[i]) && !matches!(b[i], b'/' | b'>' | b'=') {
            i += 1;
        }
        let attr = (name_start, i);
        let mut attr_end = i;
        while i < n && is_space(b[i]) {
            i += 1;
        }
        if *b.get(i)? == b'=' {
            i += 1;
            while i < n && is_space(b[i]) {
                i += 1;
            }
            let value = match *b.get(i)? {
                q @ (b'"' | b'\'') => {
                    let end = i + 1 + memchr(q, &b[i + 1..])?;
                    let value = (i + 1, end);
                    i = end + 1;
                    value
                }
                b'>' => {
                    // `name=>`: an empty value, and the end of the tag.
                    attrs.push(Attr {
                        name: attr,
                        end: attr_end,
                    });
                    return done(i + 1, false, type_value);
                }
                _ => {
                    let start = i;
                    while i < n && !is_space(b[i]) && b[i] != b'>' {
                        i += 1;
                    }
                    (start, i)
                }
            };
            attr_end = i;
            if type_value.is_none() && b[attr.0..attr.1].eq_ignore_ascii_case(b"type") {
                type_value = Some(value);
            }
        }
        attrs.push(Attr {
            name: attr,
            end: attr_end,
        });
    }
}

/// A script that [`super::meta::json_ld`] reads. Generous: a `type` that
/// only mentions JSON-LD after decoding character references is kept too.
fn is_json_ld(b: &[u8], type_value: Option<(usize, usize)>) -> bool {
    type_value.is_some_and(|(s, e)| {
        let v = b[s..e].trim_ascii();
        v.eq_ignore_ascii_case(b"application/ld+json") || v.contains(&b'&')
    })
}

/// True when `b[at..]` is `</name` followed by whitespace, `/` or `>`:
/// an end tag that closes a raw-text element.
fn is_end_tag(b: &[u8], at: usize, name: &[u8]) -> bool {
    let rest = &b[at..];
    rest.len() > name.len() + 2
        && rest[1] == b'/'
        && rest[2..2 + name.len()].eq_ignore_ascii_case(name)
        && matches!(
            rest[2 + name.len()],
            b'\t' | b'\n' | b'\x0C' | b'\r' | b' ' | b'/' | b'>'
        )
}

/// Where the end tag of a raw-text element opened at `from` starts, or
/// `None` when the page ends first.
fn raw_text_end(b: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut i = from;
    loop {
        let lt = i + memchr(b'<', &b[i..])?;
        if is_end_tag(b, lt, name) {
            return Some(lt);
        }
        i = lt + 1;
    }
}

/// Where the `</script` that ends a script opened at `from` starts.
///
/// Usually the first `</script>`; but after `<!--` the standard's "escaped"
/// states apply, in which `<script>` ... `</script>` nest once
/// (`<!-- document.write("<script>x</script>") -->`). Those are followed
/// exactly when a `<!--` comes before the first candidate.
fn script_end(b: &[u8], from: usize) -> Option<usize> {
    let first = raw_text_end(b, from, b"script")?;
    if memmem::find(&b[from..first], b"<!--").is_none() {
        return Some(first);
    }
    #[derive(PartialEq)]
    enum State {
        Data,
        Escaped,
        DoubleEscaped,
    }
    let mut state = State::Data;
    let mut i = from;
    let script_word = |at: usize| {
        b.len() > at + 6
            && b[at..at + 6].eq_ignore_ascii_case(b"script")
            && matches!(
                b[at + 6],
                b'\t' | b'\n' | b'\x0C' | b'\r' | b' ' | b'/' | b'>'
            )
    };
    loop {
        match state {
            State::Data => {
                let lt = i + memchr(b'<', &b[i..])?;
                if b[lt..].starts_with(b"<!--") {
                    // Leave the dashes for the `-->` check: `<!-->` opens
                    // and closes at once.
                    state = State::Escaped;
                    i = lt + 2;
                } else if is_end_tag(b, lt, b"script") {
                    return Some(lt);
                } else {
                    i = lt + 1;
                }
            }
            State::Escaped => {
                let at = i + memchr2(b'<', b'-', &b[i..])?;
                if b[at] == b'-' {
                    if b[at..].starts_with(b"-->") {
                        state = State::Data;
                        i = at + 3;
                    } else {
                        i = at + 1;
                    }
                } else if is_end_tag(b, at, b"script") {
                    return Some(at);
                } else if script_word(at + 1) {
                    state = State::DoubleEscaped;
                    i = at + 7;
                } else {
                    i = at + 1;
                }
            }
            State::DoubleEscaped => {
                let at = i + memchr2(b'<', b'-', &b[i..])?;
                if b[at] == b'-' {
                    if b[at..].starts_with(b"-->") {
                        state = State::Data;
                        i = at + 3;
                    } else {
                        i = at + 1;
                    }
                } else if b.get(at + 1) == Some(&b'/') && script_word(at + 2) {
                    state = State::Escaped;
                    i = at + 8;
                } else {
                    i = at + 1;
                }
            }
        }
    }
}

/// Where a comment whose text starts at `from` (just after `<!--`) ends,
/// just past its `>`; `None` when the page ends first.
fn comment_end(b: &[u8], from: usize) -> Option<usize> {
    let rest = &b[from..];
    if rest.starts_with(b">") {
        return Some(from + 1);
    }
    if rest.starts_with(b"->") {
        return Some(from + 2);
    }
    let mut i = from;
    loop {
        let gt = i + memchr(b'>', &b[i..])?;
        let text = &b[from..gt];
        if text.ends_with(b"--") || text.ends_with(b"--!") {
            return Some(gt + 1);
        }
        i = gt + 1;
    }
}

/// Follows SVG or MathML content opened by `<root>` (whose start tag ends
/// at `from`) to the `<` of the end tag that closes it. `Err(at)` when the
/// content holds something the parser would treat as HTML (a breakout tag,
/// an end tag of an element opened outside, a tag inside an HTML
/// integration point), nests too deep, or does not end; `at` is how far
/// the scan got.
fn foreign_end(b: &[u8], from: usize, root: &[u8]) -> Result<usize, usize> {
    let mut stack: Vec<LowerName> = vec![lower_name(root).ok_or(from)?];
    // How many elements on the stack read their content as HTML.
    let mut integration = 0usize;
    let mut attrs = Vec::new();
    let mut i = from;
    loop {
        let lt = i + memchr(b'<', &b[i..]).ok_or(b.len())?;
        match b.get(lt + 1) {
            None => return Err(b.len()),
            Some(b'!') => {
                if b[lt..].starts_with(b"<!--") {
                    i = comment_end(b, lt + 4).ok_or(b.len())?;
                } else if b[lt..].starts_with(b"<![CDATA[") {
                    i = lt + 9 + memmem::find(&b[lt + 9..], b"]]>").ok_or(b.len())? + 3;
                } else {
                    i = lt + memchr(b'>', &b[lt..]).ok_or(b.len())? + 1;
                }
            }
            Some(b'?') => i = lt + memchr(b'>', &b[lt..]).ok_or(b.len())? + 1,
            Some(b'/') => match b.get(lt + 2) {
                Some(c) if c.is_ascii_alphabetic() => {
                    let tag = parse_tag(b, lt + 2, &mut attrs).ok_or(b.len())?;
                    let name = lower_name(&b[tag.name.0..tag.name.1]).ok_or(lt)?;
                    let open = stack.iter().rposition(|n| **n == *name).ok_or(lt)?;
                    integration -= stack[open..]
                        .iter()
                        .filter(|n| is_one_of(n, INTEGRATION_POINTS))
                        .count();
                    stack.truncate(open);
                    if stack.is_empty() {
                        return Ok(lt);
                    }
                    i = tag.end;
                }
                Some(b'>') => i = lt + 3,
                Some(_) => i = lt + memchr(b'>', &b[lt..]).ok_or(b.len())? + 1,
                None => return Err(b.len()),
            },
            Some(c) if c.is_ascii_alphabetic() => {
                let tag = parse_tag(b, lt + 1, &mut attrs).ok_or(b.len())?;
                let name = lower_name(&b[tag.name.0..tag.name.1]).ok_or(lt)?;
                if integration > 0 || is_one_of(&name, BREAKOUT) {
                    return Err(lt);
                }
                if !tag.self_closing {
                    if is_one_of(&name, INTEGRATION_POINTS) {
                        integration += 1;
                    }
                    stack.push(name);
                    if stack.len() > MAX_NESTING {
                        return Err(tag.end);
                    }
                }
                i = tag.end;
            }
            Some(_) => i = lt + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pruned(html: &str) -> String {
        prune(html).into_owned()
    }

    #[test]
    fn scripts_styles_svg_and_comments_lose_their_content() {
        let html = r#"<!DOCTYPE html><html lang="vi"><head><title>Giá xăng giảm</title>
<style>.a > .b { color: red } a[href$=">"]::after { content: "<p>" }</style>
<script>var s = "</div>"; if (a < b && c > d) { x = '<p>' }</script>
<!-- quảng cáo --></head><body><p>Giá xăng giảm <svg class="icon"><path d="M0 0L10 10"/><g><title>mũi tên</title></g></svg> mạnh.</p></body></html>"#;
        assert_eq!(
            pruned(html),
            r#"<!DOCTYPE html><html lang="vi"><head><title>Giá xăng giảm</title>
<style></style>
<script></script>
<!----></head><body><p>Giá xăng giảm <svg class="icon"></svg> mạnh.</p></body></html>"#
        );
    }

    #[test]
    fn json_ld_scripts_are_kept() {
        let html = r#"<script type="application/ld+json">{"headline":"東京で広告規制 </p>"}</script><script TYPE='Application/LD+JSON' >{"a":1}</script><script type="application/json">{"big":"state"}</script>"#;
        assert_eq!(
            pruned(html),
            r#"<script type="application/ld+json">{"headline":"東京で広告規制 </p>"}</script><script TYPE='Application/LD+JSON' >{"a":1}</script><script type="application/json"></script>"#
        );
    }

    #[test]
    fn a_script_ends_only_at_a_real_end_tag() {
        // `</scripts` and `</scriptx` are not end tags; `</SCRIPT >` is.
        let html = "<p>a</p><SCRIPT>x = '</scripts>'; y = '</scriptx'</SCRIPT ><p>한국어 기사</p>";
        assert_eq!(pruned(html), "<p>a</p><SCRIPT></SCRIPT ><p>한국어 기사</p>");
        // Inside `<!-- <script> ... -->` a `</script>` does not end the script.
        let html = "<script><!-- document.write('<script>f()</script>'); --></script><p>ข่าว</p>";
        assert_eq!(pruned(html), "<script></script><p>ข่าว</p>");
        // An escape without a nested script ends at the first `</script>`.
        let html = "<script><!-- x = 1; </script><p>berita</p>";
        assert_eq!(pruned(html), "<script></script><p>berita</p>");
        let html = "<script><!--></script><p>新闻</p>";
        assert_eq!(pruned(html), "<script></script><p>新闻</p>");
    }

    #[test]
    fn quoted_attributes_may_hold_markup() {
        let html = r#"<div class="a > b <script>" id='<!-- no'>Tin tức</div><script type=">">bad()</script><p class=x>y>ok</p>"#;
        assert_eq!(
            pruned(html),
            r#"<div class="a > b <script>" id='<!-- no'>Tin tức</div><script type=">"></script><p class=x>y>ok</p>"#
        );
    }

    #[test]
    fn attributes_nobody_reads_are_dropped() {
        let html = r#"<A HREF="/tin-tuc" CLASS="link" onclick="f('>')" data-id=1 hidden>Tin</A><link rel="canonical" href="/a"><img src=x alt="ảnh"/><a href=/b/>c</a><meta name=description content="Mô tả"><br/>"#;
        assert_eq!(
            pruned(html),
            r#"<A CLASS="link" hidden>Tin</A><link rel="canonical" href="/a"><img/><a>c</a><meta name=description content="Mô tả"><br/>"#
        );
    }

    /// Every attribute the extractor names (`attr("...")`, or `[...]` in a
    /// selector) is kept by the pruning: a new one must be added to
    /// [`READ_ATTRIBUTES`].
    #[test]
    fn every_attribute_the_extractor_reads_is_kept() {
        // The modules that read the DOM (`dates` parses text only).
        let sources = [
            include_str!("mod.rs"),
            include_str!("text.rs"),
            include_str!("meta.rs"),
            include_str!("quirks.rs"),
        ];
        let attr_call = regex::Regex::new(r#"attr\("([^"]+)"\)"#).unwrap();
        let raw = regex::Regex::new(r##"(?s)r#".*?"#"##).unwrap();
        let literal = regex::Regex::new(r#"(?s)"(?:[^"\\]|\\.)*""#).unwrap();
        let in_selector =
            regex::Regex::new(r"\[([A-Za-z][A-Za-z0-9:_-]*)\s*(?:[~*^$|]?=|\])").unwrap();
        // `text::Marks::of` reads its attributes by name in one pass.
        let marks_arm = regex::Regex::new(r#""([^"]+)" => m\."#).unwrap();
        let mut names = Vec::new();
        for src in sources {
            names.extend(attr_call.captures_iter(src).map(|c| c[1].to_string()));
            names.extend(marks_arm.captures_iter(src).map(|c| c[1].to_string()));
            // Comments and quote characters would pair up string quotes wrongly.
            let code: String = src
                .lines()
                .filter(|l| !l.trim_start().starts_with("//"))
                .map(|l| l.replace(r#"'"'"#, "' '") + "\n")
                .collect();
            // Raw strings first (they hold quotes), then ordinary ones.
            let mut literals: Vec<String> = raw
                .find_iter(&code)
                .map(|m| m.as_str().to_string())
                .collect();
            let code = raw.replace_all(&code, "\"\"");
            literals.extend(literal.find_iter(&code).map(|m| m.as_str().to_string()));
            for lit in &literals {
                names.extend(
                    in_selector
                        .captures_iter(lit.as_str())
                        .map(|c| c[1].to_string()),
                );
            }
        }
        for expected in [
            "datetime",
            "type",
            "itemprop",
            "rel",
            "class",
            "aria-hidden",
            "style",
        ] {
            assert!(names.iter().any(|n| n == expected), "{names:?}");
        }
        for name in names {
            let lower = name.to_ascii_lowercase();
            assert!(
                READ_ATTRIBUTES.contains(&lower.as_bytes()) || lower == "href",
                "the extractor reads `{name}`, which pruning drops: add it to READ_ATTRIBUTES"
            );
        }
    }

    #[test]
    fn raw_text_elements_are_text_not_tags() {
        let html = "<title>a <script>x</script> b</title><textarea><!-- not a comment --></textarea><noscript><style>p{}</style></noscript>";
        assert_eq!(prune(html), html);
    }

    #[test]
    fn unterminated_constructs_are_kept() {
        for html in [
            "<p>Berita hari ini</p><!-- tidak ditutup <p>teks</p>",
            "<p>ok</p><script>var a = 1; <p>teks</p>",
            "<p>ok</p><style>p { color: red } <p>teks</p>",
            "<p>ok</p><div class=\"tidak ditutup>teks",
            "<p>ok</p><svg><path class='M0'/><p>teks",
            "<",
            "</",
            "<!",
            "",
        ] {
            assert_eq!(prune(html), html, "{html}");
        }
    }

    #[test]
    fn comments_end_where_the_standard_says() {
        assert_eq!(pruned("a<!-->b"), "a<!-->b");
        assert_eq!(pruned("a<!--->b"), "a<!--->b");
        assert_eq!(pruned("a<!-- x --!>b"), "a<!---->b");
        assert_eq!(pruned("a<!-- x -- y --->b"), "a<!---->b");
        assert_eq!(pruned("a<!--[if IE]><p>x</p><![endif]-->b"), "a<!---->b");
        assert_eq!(
            pruned("<!doctype html><?xml x?><!bogus>"),
            "<!doctype html><?xml x?><!bogus>"
        );
    }

    #[test]
    fn nested_svg_is_cut_at_its_own_end() {
        let html = "<p>a<svg><svg><circle r=1></circle></svg><text>x</text></svg>b</p>";
        assert_eq!(pruned(html), "<p>a<svg></svg>b</p>");
        let html = "<svg/><p>tiếp</p><svg class='i'><![CDATA[</svg>]]></svg>";
        assert_eq!(pruned(html), "<svg/><p>tiếp</p><svg class='i'></svg>");
    }

    #[test]
    fn svg_holding_html_is_kept_whole() {
        for html in [
            "<svg><g><p>Bản tin</p></g></svg>",
            "<div><svg><path></div><p>Bản tin</p>",
            "<svg><foreignObject><span>Bản tin</span></foreignObject></svg>",
            "<svg><title>a<i>b</i></title></svg>",
        ] {
            assert_eq!(prune(html), html, "{html}");
        }
    }

    #[test]
    fn mathml_is_kept_but_skipped_as_foreign_content() {
        // Inside <math>, <style> is not raw text and is kept; the script
        // after the math is still found.
        let html = "<math><mrow><style>x</style><mi>y</mi></mrow></math><script>x()</script>";
        assert_eq!(
            pruned(html),
            "<math><mrow><style>x</style><mi>y</mi></mrow></math><script></script>"
        );
    }

    #[test]
    fn deep_nesting_is_flattened_and_text_kept() {
        let mut html = String::from("<body>");
        for _ in 0..2000 {
            html.push_str("<div>x");
        }
        for _ in 0..2000 {
            html.push_str("</div>");
        }
        let out = pruned(&html);
        // `<body>` is the first level.
        assert_eq!(out.matches("<div>").count(), MAX_NESTING - 1);
        assert_eq!(out.matches("</div>").count(), MAX_NESTING - 1);
        assert_eq!(out.matches('x').count(), 2000);
        // Shallow pages are borrowed unchanged.
        assert!(matches!(prune("<div><p>x</p></div>"), Cow::Borrowed(_)));
    }

    #[test]
    fn deep_svg_is_linear() {
        let html = "<svg>".repeat(100_000);
        let start = std::time::Instant::now();
        let out = pruned(&html);
        assert!(start.elapsed() < std::time::Duration::from_secs(2));
        assert!(out.len() < html.len());
    }

    /// The parsed page as the extractor can see it after pruning: every
    /// element with its attributes, and every text outside the elements
    /// whose content is cut (JSON-LD kept).
    fn visible_tree(html: &str) -> Vec<String> {
        use scraper::{Html, Node};
        let doc = Html::parse_document(html);
        let mut out = Vec::new();
        for node in doc.tree.root().descendants() {
            let cut = node.ancestors().any(|a| match a.value() {
                Node::Element(e) => {
                    matches!(e.name(), "style" | "svg")
                        || (e.name() == "script"
                            && e.attr("type").map(str::trim) != Some("application/ld+json"))
                }
                _ => false,
            });
            if cut {
                continue;
            }
            match node.value() {
                Node::Element(e) => {
                    let read: Vec<_> = e
                        .attrs()
                        .filter(|(k, v)| match *k {
                            "style" => crate::extract::text::style_hides(v),
                            _ => {
                                READ_ATTRIBUTES.contains(&k.as_bytes())
                                    || (*k == "href" && e.name() == "link")
                            }
                        })
                        .collect();
                    out.push(format!("<{} {read:?}>", e.name()))
                }
                // Runs of whitespace are one space to every reader.
                Node::Text(t) => out.push(collapse_whitespace(t)),
                Node::Comment(_) => out.push("<!---->".to_string()),
                _ => {}
            }
        }
        out
    }

    /// Every run of the parser's whitespace as one space.
    fn collapse_whitespace(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for (i, part) in text.split(['\t', '\n', '\x0C', '\r', ' ']).enumerate() {
            if i > 0 && !out.ends_with(' ') {
                out.push(' ');
            }
            out.push_str(part);
        }
        out
    }

    /// Real pages parse to the same tree, less what is cut. Runs over the
    /// test fixtures, or over the HTML files in `KABAR_PRUNE_CHECK_DIR`
    /// (e.g. an evaluation set's pages).
    #[test]
    fn real_pages_parse_to_the_same_visible_tree() {
        for (path, html) in crate::extract::check_pages() {
            assert!(
                visible_tree(&html) == visible_tree(&prune(&html)),
                "{}",
                path.display()
            );
        }
    }
}
