//! Main text: finding the article's paragraphs among the page's boilerplate.
//!
//! A readability-style extractor over the scraper DOM, in three passes:
//!
//! 1. **Blocks.** Walk the DOM in reading order, skipping subtrees that are
//!    boilerplate by tag (`nav`, `footer`, `aside`, `form`, scripts), by role,
//!    by visibility, or by class/id words (cookie, share, related, comment,
//!    advert, ...). Every block-level element (and loose text inside a `div`)
//!    becomes a block with its text and how much of that text is link text.
//! 2. **Scores.** Each substantial paragraph credits its parent fully and its
//!    grandparent by half (more text and more commas, more credit); a
//!    container's class and tag nudge its score, and link-heavy containers
//!    lose in proportion to their link density.
//! 3. **Assembly.** The best container's blocks, plus siblings that score
//!    close to it, in document order, joined with blank lines.
//!
//! Per-site rules, when a site needs them, belong in one table, not here.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use rustc_hash::{FxHashMap, FxHashSet};

use ego_tree::{NodeId, NodeRef};
use scraper::{Html, Node, Selector};

use super::quirks::Quirk;

/// What kind of block a piece of text came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Heading(u8),
    Paragraph,
    ListItem,
    Quote,
    Preformatted,
}

/// A run of text owned by one block-level element.
#[derive(Debug, Clone)]
pub struct Block {
    pub owner: NodeId,
    pub kind: BlockKind,
    pub text: String,
    pub link_chars: usize,
    num_chars: usize,
    weight: usize,
}

impl Block {
    fn num_chars(&self) -> usize {
        self.num_chars
    }

    fn link_density(&self) -> f64 {
        self.link_chars as f64 / self.num_chars().max(1) as f64
    }

    /// A paragraph of running text rather than a link, label or menu.
    fn is_prose(&self) -> bool {
        matches!(
            self.kind,
            BlockKind::Paragraph | BlockKind::Quote | BlockKind::Preformatted | BlockKind::ListItem
        ) && self.link_density() < 0.3
            && (self.weight() >= 80 || (self.weight() >= 20 && ends_sentence(&self.text)))
    }

    fn weight(&self) -> usize {
        self.weight
    }

    fn link_weight(&self) -> usize {
        (self.weight() as f64 * self.link_density()) as usize
    }
}

/// Tags whose whole subtree is never article text.
const SKIP_TAGS: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "footer", "aside", "form", "iframe", "svg",
    "button", "select", "input", "textarea", "header", "menu", "dialog", "object", "embed",
    "canvas", "head", "title", "link", "meta",
];

/// Tags that start a new block of text.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "td",
    "th",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "dl",
    "dd",
    "dt",
    "hr",
    "center",
    "address",
    "details",
    "summary",
    "body",
];

/// Class/id words that mark boilerplate even inside an article container.
const STRONG_NEGATIVE: &[&str] = &[
    "comment",
    // Comments in the class names of Spanish/Portuguese, Indonesian/Malay
    // and Vietnamese sites ("comentarios", "komentar", "binh-luan").
    "comentari",
    "komentar",
    "binhluan",
    "binh-luan",
    "cookie",
    "consent",
    "gdpr",
    "related",
    "share",
    "sharing",
    "social",
    "newsletter",
    "subscribe",
    "advert",
    "sponsor",
    "outbrain",
    "taboola",
    "breadcrumb",
    "popup",
    "recommend",
    "bacajuga",
    "baca-juga",
    "readmore",
    "read-more",
    "paywall-prompt",
];

/// The [`STRONG_NEGATIVE`] words that name collections of links (teasers,
/// share buttons, "read more" boxes). Sites reuse them for wrappers of the
/// article itself (a "read-more" expander around the rest of the story, a
/// share widget's parent id on the body, an anchor id such as
/// "sharing-with-a-friend" on a section), so an element named by one of
/// them is boilerplate only when it does not read like an article: see
/// [`is_unlinked_prose`].
const LINK_BOX_WORDS: &[&str] = &[
    "related",
    "share",
    "sharing",
    "social",
    "recommend",
    "readmore",
    "read-more",
    "bacajuga",
    "baca-juga",
];

/// Non-link [`text_weight`] above which a link-box-named element with few
/// links counts as prose (a few paragraphs; a teaser box is lists of links).
const MIN_PROSE_WEIGHT: usize = 250;

/// Link density under which such an element counts as prose.
const MAX_PROSE_LINK_DENSITY: f64 = 0.1;

/// True when an element holding `own` non-link and `linked` link text is
/// article prose rather than a box of links.
fn is_unlinked_prose(own: usize, linked: usize) -> bool {
    own >= MIN_PROSE_WEIGHT && (linked as f64) < MAX_PROSE_LINK_DENSITY * (own + linked) as f64
}

/// Inline elements: inside running text they are words of the sentence,
/// whatever their class says ("meta-org" on a company's name).
const INLINE_TAGS: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins",
    "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
];

/// Class/id words that mark boilerplate unless a positive word is present.
const WEAK_NEGATIVE: &[&str] = &[
    "ad",
    "ads",
    "adslot",
    "banner",
    "sidebar",
    "side",
    "widget",
    "widgets",
    "footer",
    "nav",
    "navbar",
    "navigation",
    "menu",
    "promo",
    "promotion",
    "signup",
    "modal",
    "overlay",
    "byline",
    "author",
    "authors",
    "tags",
    "tag",
    "toolbar",
    "tools",
    "print",
    "masthead",
    "header",
    "meta",
    "dateline",
    "timestamp",
    "date",
    "skip",
    "hidden",
    "trending",
    "popular",
    "most",
    "rss",
    "login",
    "pagination",
    "pager",
    "copyright",
    // Appeals for money and sign-ups beside the story.
    "donate",
    "donation",
    "donations",
    "membership",
    "support",
    "submitted",
    "disclaimer",
    "caption",
    "credit",
    "sr-only",
];

/// Class/id words that mark the article container.
const POSITIVE: &[&str] = &[
    "article",
    "content",
    "body",
    "entry",
    "main",
    "post",
    "story",
    "text",
    "detail",
    "news",
    "prose",
    "paragraph",
    "articlebody",
    "maincontent",
];

/// Roles that never hold article text.
const SKIP_ROLES: &[&str] = &[
    "navigation",
    "banner",
    "contentinfo",
    "complementary",
    "search",
    "dialog",
    "alert",
    "menu",
    "menubar",
    "toolbar",
];

/// The attributes the boilerplate rules read, found in one pass over the
/// element's attributes: `Element::attr` interns its argument on every
/// call, and every element of the page is judged.
#[derive(Default)]
struct Marks<'a> {
    class: &'a str,
    id: &'a str,
    style: Option<&'a str>,
    role: Option<&'a str>,
    itemprop: Option<&'a str>,
    hidden: bool,
    aria_hidden: Option<&'a str>,
}

impl<'a> Marks<'a> {
    /// Reads what [`Element::attr`](scraper::node::Element::attr) would
    /// give for each name: attributes without a namespace (SVG and MathML
    /// have `xlink:role`), named in lowercase by the parser, each at most
    /// once. The names are in `prune::READ_ATTRIBUTES`.
    fn of(el: &'a scraper::node::Element) -> Marks<'a> {
        let mut m = Marks::default();
        for (name, value) in &el.attrs {
            if name.prefix.is_some() || !name.ns.is_empty() {
                continue;
            }
            let value: &str = value;
            match &*name.local {
                "class" => m.class = value,
                "id" => m.id = value,
                "style" => m.style = Some(value),
                "role" => m.role = Some(value),
                "itemprop" => m.itemprop = Some(value),
                "hidden" => m.hidden = true,
                "aria-hidden" => m.aria_hidden = Some(value),
                _ => {}
            }
        }
        m
    }

    /// Schema.org microdata's own mark of the article text
    /// (`itemprop="articleBody"`): a publisher's statement that outweighs
    /// whatever the element's class and id suggest.
    fn is_article_body(&self) -> bool {
        self.itemprop.is_some_and(|p| {
            p.split_ascii_whitespace()
                .any(|w| w.eq_ignore_ascii_case("articleBody"))
        })
    }

    /// The class and id, lowercase, and their words. Most elements have
    /// neither, and those cost nothing.
    fn class_words(&self) -> (String, Vec<&'static str>) {
        let (class, id) = (self.class, self.id);
        if class.is_empty() && id.is_empty() {
            return (String::new(), Vec::new());
        }
        let mut raw = String::with_capacity(class.len() + id.len() + 1);
        raw.push_str(class);
        raw.push(' ');
        raw.push_str(id);
        raw.make_ascii_lowercase();
        // Only the words the lists know matter: keep those (as statics).
        let words = raw
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .filter_map(|w| CLASS_WORDS.get(w).copied())
            .collect();
        (raw, words)
    }
}

/// [`WEAK_NEGATIVE`] and [`POSITIVE`] as a set: every element with a class
/// looks up each of its words (a linear search was a tenth of extraction).
static CLASS_WORDS: LazyLock<FxHashSet<&'static str>> =
    LazyLock::new(|| WEAK_NEGATIVE.iter().chain(POSITIVE).copied().collect());

/// True when a lowercase class/id string contains a [`STRONG_NEGATIVE`]
/// word, like `STRONG_NEGATIVE.iter().any(|n| raw.contains(n))` but in one
/// pass over `raw`.
fn has_strong_negative(raw: &str) -> bool {
    static WORDS: LazyLock<AhoCorasick> =
        LazyLock::new(|| AhoCorasick::new(STRONG_NEGATIVE).expect("static word list"));
    WORDS.is_match(raw)
}

/// Class weight: positive words (or `itemprop="articleBody"`) +25, weak
/// negative words -25.
fn class_weight(el: &scraper::node::Element) -> f64 {
    let marks = Marks::of(el);
    let (raw, words) = marks.class_words();
    let mut w = 0.0;
    if words.iter().any(|x| POSITIVE.contains(x)) || marks.is_article_body() {
        w += 25.0;
    }
    if words.iter().any(|x| WEAK_NEGATIVE.contains(x)) || has_strong_negative(&raw) {
        w -= 25.0;
    }
    w
}

/// What the tag, attributes and class words say about an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Never text: scripts, navigation, hidden elements.
    Skip,
    /// Boilerplate by its name (comments, share bars, related links), unless
    /// it holds most of the page's text.
    Strong,
    /// Probably boilerplate (sidebar, widget, a whole-page `<form>`), unless
    /// it holds a good share of the page's text.
    Weak,
    Keep,
}

impl Verdict {
    /// The share of the page's text above which a boilerplate-looking
    /// element is kept after all: sites name wrappers of the whole page
    /// "widget" or "has-sidebar", and ASP.NET pages sit inside one `<form>`.
    fn keep_share(self) -> f64 {
        match self {
            Verdict::Skip => f64::INFINITY,
            Verdict::Strong => 0.75,
            Verdict::Weak => 0.35,
            Verdict::Keep => 0.0,
        }
    }
}

fn verdict(el: &scraper::node::Element) -> Verdict {
    let name = el.name();
    if name == "form" || name == "figcaption" {
        return Verdict::Weak;
    }
    if SKIP_TAGS.contains(&name) {
        return Verdict::Skip;
    }
    let marks = Marks::of(el);
    if marks.hidden || marks.aria_hidden == Some("true") {
        return Verdict::Skip;
    }
    if marks.style.is_some_and(style_hides) {
        return Verdict::Skip;
    }
    if marks
        .role
        .is_some_and(|r| SKIP_ROLES.contains(&r.trim().to_ascii_lowercase().as_str()))
    {
        return Verdict::Strong;
    }
    if matches!(name, "html" | "body" | "article" | "main") || marks.is_article_body() {
        return Verdict::Keep;
    }
    let (raw, words) = marks.class_words();
    if raw.trim().is_empty() {
        return Verdict::Keep;
    }
    let positive = words.iter().any(|x| POSITIVE.contains(x));
    if has_strong_negative(&raw) {
        // "read-more-content", "article-comments": a positive word makes
        // the verdict less sure, not void.
        return if positive {
            Verdict::Weak
        } else {
            Verdict::Strong
        };
    }
    let weak = words.iter().any(|x| WEAK_NEGATIVE.contains(x));
    if weak && !positive {
        Verdict::Weak
    } else {
        Verdict::Keep
    }
}

/// True when an inline `style` hides the element. The pre-parse pass
/// ([`super::prune`]) keeps only the `style` attributes this is true of.
pub(super) fn style_hides(style: &str) -> bool {
    let style: String = style.to_ascii_lowercase().split_whitespace().collect();
    style.contains("display:none") || style.contains("visibility:hidden")
}

/// See [`Marks::is_article_body`].
fn is_article_body(el: &scraper::node::Element) -> bool {
    Marks::of(el).is_article_body()
}

/// True when a child of `parent` sits in running text: `parent` has
/// words of its own, so an inline child is part of a sentence.
fn has_own_text(parent: NodeRef<'_, Node>) -> bool {
    parent
        .children()
        .any(|c| matches!(c.value(), Node::Text(t) if !t.trim().is_empty()))
}

/// A boilerplate-looking element and the text it holds.
#[derive(Debug, Clone, Copy)]
struct Suspect {
    verdict: Verdict,
    /// [`text_weight`] of its text outside links.
    own: usize,
}

/// How much non-link text each boilerplate-looking element holds, and the
/// whole page's, in one post-order pass (iterative, like the walk).
/// Elements named for links that turn out to hold unlinked prose are
/// cleared here (see [`LINK_BOX_WORDS`]).
fn boilerplate_weights(root: NodeRef<'_, Node>) -> (FxHashMap<NodeId, Suspect>, usize) {
    let mut out = FxHashMap::default();
    // (node, verdict) on the way down; None marks the way up.
    let mut stack: Vec<Option<(NodeRef<'_, Node>, Verdict)>> = vec![Some((root, Verdict::Keep))];
    // (non-link, link) weight of the open elements.
    let mut acc: Vec<(usize, usize)> = vec![(0, 0)];
    let mut open: Vec<(NodeRef<'_, Node>, Verdict)> = Vec::new();
    let mut link_depth = 0usize;
    while let Some(step) = stack.pop() {
        let Some((node, v)) = step else {
            let (node, v) = open.pop().expect("balanced walk");
            let (own, linked) = acc.pop().expect("balanced walk");
            if let Some(parent) = acc.last_mut() {
                parent.0 += own;
                parent.1 += linked;
            }
            if matches!(v, Verdict::Strong | Verdict::Weak)
                && !(is_link_box(node) && is_unlinked_prose(own, linked))
            {
                out.insert(node.id(), Suspect { verdict: v, own });
            }
            if matches!(node.value(), Node::Element(e) if e.name() == "a") {
                link_depth -= 1;
            }
            continue;
        };
        match node.value() {
            Node::Text(t) => {
                if let Some(top) = acc.last_mut() {
                    if link_depth == 0 {
                        top.0 += text_weight(t);
                    } else {
                        top.1 += text_weight(t);
                    }
                }
            }
            Node::Element(el) => {
                if v == Verdict::Skip {
                    // Recorded so the walk need not work the verdict out
                    // again: a skipped element is boilerplate at any size.
                    out.insert(node.id(), Suspect { verdict: v, own: 0 });
                    continue;
                }
                if el.name() == "a" {
                    link_depth += 1;
                }
                open.push((node, v));
                acc.push((0, 0));
                stack.push(None);
                let first = stack.len();
                // Computed only when an inline child looks like boilerplate.
                let mut in_running_text = None;
                stack.extend(node.children().map(|c| {
                    let v = match c.value() {
                        Node::Element(e) => {
                            let v = verdict(e);
                            if matches!(v, Verdict::Strong | Verdict::Weak)
                                && INLINE_TAGS.contains(&e.name())
                                && *in_running_text.get_or_insert_with(|| has_own_text(node))
                            {
                                Verdict::Keep
                            } else {
                                v
                            }
                        }
                        _ => Verdict::Keep,
                    };
                    Some((c, v))
                }));
                stack[first..].reverse();
            }
            _ => {}
        }
    }
    let total = acc.first().map_or(0, |a| a.0);
    (out, total)
}

/// True when the element is boilerplate by a [`LINK_BOX_WORDS`] word
/// (and by no other strong word).
fn is_link_box(node: NodeRef<'_, Node>) -> bool {
    let Node::Element(el) = node.value() else {
        return false;
    };
    let (raw, _) = Marks::of(el).class_words();
    let strong: Vec<&&str> = STRONG_NEGATIVE
        .iter()
        .filter(|n| raw.contains(**n))
        .collect();
    !strong.is_empty() && strong.iter().all(|n| LINK_BOX_WORDS.contains(n))
}

fn kind_of(name: &str) -> Option<BlockKind> {
    Some(match name {
        "h1" => BlockKind::Heading(1),
        "h2" => BlockKind::Heading(2),
        "h3" => BlockKind::Heading(3),
        "h4" => BlockKind::Heading(4),
        "h5" => BlockKind::Heading(5),
        "h6" => BlockKind::Heading(6),
        "li" | "dd" | "dt" => BlockKind::ListItem,
        "blockquote" => BlockKind::Quote,
        "pre" => BlockKind::Preformatted,
        _ => return None,
    })
}

struct Walker {
    blocks: Vec<Block>,
    text: String,
    link_chars: usize,
    owner: Option<NodeId>,
    kind: BlockKind,
    num_links: usize,
    /// Boilerplate-looking elements with the non-link text they hold.
    suspects: FxHashMap<NodeId, Suspect>,
    page_weight: usize,
}

/// One step of the iterative walk: enter a node, or leave a block element
/// (restoring the block that encloses it).
enum Step<'a> {
    Enter(NodeRef<'a, Node>, bool),
    Leave(Option<NodeId>, BlockKind),
}

impl Walker {
    /// Every element the walk meets was judged by [`boilerplate_weights`]
    /// (it descends wherever the walk can), which recorded the skipped and
    /// boilerplate-looking ones.
    fn is_boilerplate(&self, id: NodeId) -> bool {
        match self.suspects.get(&id) {
            Some(s) => (s.own as f64) < s.verdict.keep_share() * self.page_weight as f64,
            None => false,
        }
    }

    fn flush(&mut self) {
        let text = if self.kind == BlockKind::Preformatted {
            self.text.trim().to_string()
        } else {
            normalise_block(&self.text)
        };
        if let Some(owner) = self.owner
            && !text.is_empty()
        {
            let num_chars = text.chars().count();
            self.blocks.push(Block {
                owner,
                kind: self.kind,
                link_chars: self.link_chars.min(num_chars),
                num_chars,
                weight: text_weight(&text),
                text,
            });
        }
        self.text.clear();
        self.link_chars = 0;
    }

    /// Walks `root` in document order with an explicit stack: pages nest
    /// thousands of levels deep and recursion would overflow the stack.
    fn walk(&mut self, root: NodeRef<'_, Node>, skip: &FxHashSet<NodeId>) {
        let mut stack = vec![Step::Enter(root, false)];
        while let Some(step) = stack.pop() {
            let (node, in_link) = match step {
                Step::Leave(owner, kind) => {
                    self.flush();
                    (self.owner, self.kind) = (owner, kind);
                    continue;
                }
                Step::Enter(node, in_link) => (node, in_link),
            };
            match node.value() {
                Node::Text(t) => {
                    if in_link {
                        self.link_chars += t
                            .split_whitespace()
                            .map(|w| w.chars().count() + 1)
                            .sum::<usize>();
                    }
                    if self.kind != BlockKind::Preformatted && t.contains('\n') {
                        // A line break in the source is a space: only
                        // `<br>` (pushed as '\n') breaks a line.
                        for (i, part) in t.split('\n').enumerate() {
                            if i > 0 {
                                self.text.push(' ');
                            }
                            self.text.push_str(part);
                        }
                    } else {
                        self.text.push_str(t);
                    }
                }
                Node::Element(el) => {
                    if skip.contains(&node.id()) || self.is_boilerplate(node.id()) {
                        continue;
                    }
                    let name = el.name();
                    if name == "br" {
                        self.text.push('\n');
                        continue;
                    }
                    if name == "a" && !in_link {
                        self.num_links += 1;
                    }
                    let in_link = in_link || name == "a";
                    if BLOCK_TAGS.contains(&name) {
                        self.flush();
                        stack.push(Step::Leave(self.owner, self.kind));
                        self.owner = Some(node.id());
                        self.kind = kind_of(name).unwrap_or(BlockKind::Paragraph);
                    } else if name == "img" || name == "hr" {
                        // Inline images and rules separate words.
                        self.text.push(' ');
                    }
                    let first = stack.len();
                    stack.extend(node.children().map(|c| Step::Enter(c, in_link)));
                    stack[first..].reverse();
                }
                _ => {}
            }
        }
    }
}

/// Collapses spaces within lines and keeps `<br>` line breaks.
fn normalise_block(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n') {
        let mut words = line.split_whitespace();
        let Some(first) = words.next() else { continue };
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(first);
        for word in words {
            out.push(' ');
            out.push_str(word);
        }
    }
    out
}

/// Every text block under `root` in reading order, boilerplate skipped.
fn blocks(root: NodeRef<'_, Node>, skip: &FxHashSet<NodeId>) -> (Vec<Block>, usize) {
    let mut walker = Walker {
        blocks: Vec::new(),
        text: String::new(),
        link_chars: 0,
        owner: Some(root.id()),
        kind: BlockKind::Paragraph,
        num_links: 0,
        suspects: FxHashMap::default(),
        page_weight: 0,
    };
    (walker.suspects, walker.page_weight) = boilerplate_weights(root);
    // The pass above starts inside `root`; the walk asks about it too.
    if let Node::Element(el) = root.value()
        && verdict(el) == Verdict::Skip
    {
        let skipped = Suspect {
            verdict: Verdict::Skip,
            own: 0,
        };
        walker.suspects.insert(root.id(), skipped);
    }
    walker.walk(root, skip);
    walker.flush();
    (walker.blocks, walker.num_links)
}

/// Punctuation that separates clauses in the first-class scripts.
fn num_commas(text: &str) -> usize {
    text.chars()
        .filter(|c| matches!(c, ',' | '，' | '、' | '،' | '。' | '।' | '၊' | '។'))
        .count()
}

/// The main text and what the page around it looked like.
#[derive(Debug, Clone, Default)]
pub struct MainText {
    /// Paragraphs separated by blank lines.
    pub text: String,
    /// Links outside the skipped boilerplate (navigation, footers, ...).
    pub num_links: usize,
    /// [`text_weight`] of the link text outside the skipped boilerplate.
    pub link_weight: usize,
    /// The page is mostly headlines linking elsewhere.
    pub is_listing: bool,
}

/// The main text of the page. A quirk, when the host has one, names the
/// article container and what to drop inside it.
pub fn main_text(doc: &Html, quirk: Option<&Quirk>) -> MainText {
    let body = doc
        .tree
        .root()
        .descendants()
        .find(|n| matches!(n.value(), Node::Element(e) if e.name() == "body"))
        .unwrap_or_else(|| doc.tree.root());
    let mut skip = FxHashSet::default();
    let mut root = body;
    if let Some(q) = quirk {
        for selector in q.drop {
            if let Ok(sel) = Selector::parse(selector) {
                skip.extend(doc.select(&sel).map(|e| e.id()));
            }
        }
        if let Some(found) = q
            .body
            .and_then(|b| Selector::parse(b).ok())
            .and_then(|sel| doc.select(&sel).next())
        {
            root = *found;
        }
    }
    let (blocks, num_links) = blocks(root, &skip);
    let link_weight: usize = blocks.iter().map(|b| b.link_weight()).sum();
    let mut main = MainText {
        text: String::new(),
        num_links,
        link_weight,
        is_listing: false,
    };
    if blocks.is_empty() {
        return main;
    }
    let keep = if root != body {
        blocks.iter().map(|b| b.owner).collect()
    } else {
        choose(&doc.tree, &blocks)
    };
    main.text = assemble(&blocks, &keep);
    main.is_listing = looks_like_listing(&blocks, &keep);
    main
}

/// How many ancestors of a paragraph share its credit.
const SCORE_LEVELS: usize = 5;

/// Pass 2: scores containers for the paragraphs they hold and returns the
/// owners of the blocks that make up the article.
///
/// This is Readability's algorithm: each paragraph credits its ancestors
/// (fully, by half, then by a third of the level); link-heavy containers
/// lose in proportion; the best container may move up to an ancestor that
/// several near-best containers share, or to a parent that scores higher;
/// and siblings that score close to it, or are clean paragraphs, join it.
fn choose(tree: &ego_tree::Tree<Node>, blocks: &[Block]) -> FxHashSet<NodeId> {
    let mut scores: FxHashMap<NodeId, f64> = FxHashMap::default();
    let mut text_chars: FxHashMap<NodeId, (usize, usize)> = FxHashMap::default();
    // Weight of prose and of everything else (link lists, short lines)
    // under each element.
    let mut prose: FxHashMap<NodeId, (usize, usize)> = FxHashMap::default();
    for (i, block) in blocks.iter().enumerate() {
        let node = tree.get(block.owner).expect("owner is in the tree");
        let n = block.num_chars();
        let w = block.weight();
        // A paragraph under a linked headline is a teaser's summary (a
        // card in a list of other stories), not the article's prose.
        let is_teaser = i > 0
            && matches!(blocks[i - 1].kind, BlockKind::Heading(_))
            && blocks[i - 1].link_density() >= 0.5;
        let is_prose = block.is_prose() && !is_teaser;
        let is_heading = matches!(block.kind, BlockKind::Heading(_));
        for anc in std::iter::once(node).chain(node.ancestors()) {
            let e = text_chars.entry(anc.id()).or_default();
            e.0 += n;
            e.1 += block.link_chars;
            let p = prose.entry(anc.id()).or_default();
            if is_prose {
                p.0 += w;
            } else if !is_heading {
                p.1 += w;
            }
        }
        let is_text = matches!(
            block.kind,
            BlockKind::Paragraph | BlockKind::Quote | BlockKind::Preformatted | BlockKind::ListItem
        );
        if !is_text || block.weight() < 25 || block.link_density() > 0.5 {
            continue;
        }
        let credit =
            1.0 + num_commas(&block.text) as f64 + (block.weight() as f64 / 100.0).min(3.0);
        // A list item is weaker evidence than a paragraph: menus are lists.
        let credit = if block.kind == BlockKind::ListItem {
            credit * 0.5
        } else {
            credit
        };
        // A block owned by a container (loose text in a div) credits the
        // container itself too.
        let owner_is_container = !matches!(node.value(), Node::Element(e) if e.name() == "p");
        let containers = owner_is_container
            .then_some(node)
            .into_iter()
            .chain(node.ancestors())
            .take(SCORE_LEVELS);
        for (level, anc) in containers.enumerate() {
            let share = match level {
                0 => 1.0,
                1 => 0.5,
                l => 1.0 / (l as f64 * 3.0),
            };
            *scores.entry(anc.id()).or_insert_with(|| initial_score(anc)) += credit * share;
        }
    }
    let link_density = |id: NodeId| {
        let (chars, links) = text_chars.get(&id).copied().unwrap_or((0, 0));
        links as f64 / chars.max(1) as f64
    };
    let adjusted: FxHashMap<NodeId, f64> = scores
        .iter()
        .map(|(&id, &s)| (id, s * (1.0 - link_density(id))))
        .collect();
    let mut ranked: Vec<(NodeId, f64)> = adjusted.iter().map(|(&id, &s)| (id, s)).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));

    let Some(&(mut top, top_score)) = ranked.first().filter(|(_, s)| *s > 0.0) else {
        // No container stands out (a tiny page): keep every link-light block.
        return blocks
            .iter()
            .filter(|b| b.link_density() < 0.5)
            .map(|b| b.owner)
            .collect();
    };
    let is_root = |id: NodeId| {
        tree.get(id).is_none_or(|n| {
            matches!(n.value(), Node::Element(e) if e.name() == "body") || n.parent().is_none()
        })
    };

    // Several near-best candidates under one ancestor: the article is split
    // into sections, and the ancestor is the article.
    let near: Vec<NodeId> = ranked[1..]
        .iter()
        .take(4)
        .filter(|(_, s)| *s >= top_score * 0.75)
        .map(|(id, _)| *id)
        .collect();
    if near.len() >= 2 {
        let mut parent = tree.get(top).and_then(|n| n.parent());
        while let Some(p) = parent.filter(|p| !is_root(p.id())) {
            let num_inside = near
                .iter()
                .filter(|id| {
                    tree.get(**id)
                        .is_some_and(|n| n.ancestors().any(|a| a.id() == p.id()))
                })
                .count();
            if num_inside >= 2 {
                top = p.id();
                break;
            }
            parent = p.parent();
        }
    }
    // A parent that scores higher than the candidate holds more of the article.
    let mut last = adjusted.get(&top).copied().unwrap_or(0.0);
    let threshold = last / 3.0;
    let mut parent = tree.get(top).and_then(|n| n.parent());
    while let Some(p) = parent.filter(|p| !is_root(p.id())) {
        let Some(&score) = adjusted.get(&p.id()) else {
            parent = p.parent();
            continue;
        };
        if score < threshold {
            break;
        }
        if score > last {
            top = p.id();
            break;
        }
        last = score;
        parent = p.parent();
    }
    // The article goes on in the parent when what the parent adds is
    // mostly prose (sections split by ads, images or subheadings).
    while let Some(p) = tree
        .get(top)
        .and_then(|n| n.parent())
        .filter(|p| !is_root(p.id()))
    {
        let (top_prose, top_other) = prose.get(&top).copied().unwrap_or_default();
        let (all_prose, all_other) = prose.get(&p.id()).copied().unwrap_or_default();
        let (more_prose, more_other) = (all_prose - top_prose, all_other - top_other);
        let adds_nothing = more_prose == 0 && more_other == 0;
        if adds_nothing || (more_prose > 2 * more_other && link_density(p.id()) < 0.3) {
            top = p.id();
        } else {
            break;
        }
    }
    // The page's own mark of the article body holds all of it: a
    // candidate inside (one section, an inline gallery) stands for it.
    if let Some(body) = tree.get(top).and_then(|n| {
        n.ancestors()
            .take_while(|a| !is_root(a.id()))
            .find(|a| matches!(a.value(), Node::Element(e) if is_article_body(e)))
    }) {
        top = body.id();
    }
    // An only child stands for its parent.
    while let Some(p) = tree.get(top).and_then(|n| n.parent()).filter(|p| {
        !is_root(p.id()) && p.children().filter(|c| c.value().is_element()).count() == 1
    }) {
        top = p.id();
    }

    let top_score = adjusted.get(&top).copied().unwrap_or(top_score);
    let mut roots: FxHashSet<NodeId> = FxHashSet::from_iter([top]);
    let sibling_threshold = (top_score * 0.2).max(10.0);
    let block_of: FxHashMap<NodeId, &Block> = blocks.iter().map(|b| (b.owner, b)).collect();
    if let Some(parent) = tree.get(top).and_then(|n| n.parent()) {
        for sib in parent.children().filter(|s| s.id() != top) {
            let scored = adjusted
                .get(&sib.id())
                .is_some_and(|&s| s >= sibling_threshold);
            let clean_paragraph = block_of.get(&sib.id()).is_some_and(|b| {
                let n = b.weight();
                let ld = b.link_density();
                (n > 80 && ld < 0.25) || (n > 0 && n <= 80 && ld == 0.0 && ends_sentence(&b.text))
            });
            if scored || clean_paragraph {
                roots.insert(sib.id());
            }
        }
    }
    blocks
        .iter()
        .filter(|b| {
            let node = tree.get(b.owner).expect("owner is in the tree");
            std::iter::once(node)
                .chain(node.ancestors())
                .any(|a| roots.contains(&a.id()))
        })
        .map(|b| b.owner)
        .collect()
}

/// True when the text ends a sentence in any first-class script.
fn ends_sentence(text: &str) -> bool {
    text.trim_end().ends_with([
        '.', '!', '?', '。', '！', '？', '।', '။', '។', '۔', '"', '”',
    ])
}

/// Lines shorter than this on average make a block a list of labels.
const MAX_LABEL_LINE_WEIGHT: usize = 40;

/// True for a block of three or more `<br>`-separated lines that are short
/// on average: contact lines, social accounts, a credits list.
fn is_line_list(text: &str) -> bool {
    let num_lines = text.lines().count();
    num_lines >= 3 && text_weight(text) < MAX_LABEL_LINE_WEIGHT * num_lines
}

/// What ad slots leave behind as a line of text, in the first-class
/// languages and the commonest others (compared lowercase, without
/// surrounding punctuation).
const AD_LABELS: &[&str] = &[
    "ad",
    "ads",
    "advertisement",
    "advertising",
    "sponsored",
    "report this ad",
    "story continues below advertisement",
    "article continues below advertisement",
    "continue reading below",
    "iklan",
    "pariwara",
    "quảng cáo",
    "โฆษณา",
    "广告",
    "廣告",
    "広告",
    "광고",
    "patalastas",
    "विज्ञापन",
    "বিজ্ঞাপন",
    "اشتہار",
    "விளம்பரம்",
    "ကြော်ငြာ",
    "ពាណិជ្ជកម្ម",
    "publicidad",
    "publicité",
    "anzeige",
    "werbung",
    "pubblicità",
];

/// True when a block is nothing but an ad slot's label.
fn is_ad_label(text: &str) -> bool {
    if text.len() > 60 {
        return false;
    }
    let label = text
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    AD_LABELS.contains(&label.as_str())
}

/// Short blocks repeated this often are interface, not prose.
const MAX_SHORT_REPEATS: usize = 2;

/// Pass 3: the kept blocks in document order, joined with blank lines.
/// Link-heavy lines, repeats of short lines ("Weather threatens holiday
/// plans" under every photo of a gallery) and the trail of labels after the
/// last paragraph ("Keywords", "Latest News", an e-mail address) are left out.
fn assemble(blocks: &[Block], keep: &FxHashSet<NodeId>) -> String {
    let mut parts: Vec<&Block> = Vec::new();
    let mut seen_short: FxHashMap<&str, usize> = FxHashMap::default();
    for block in blocks {
        if !keep.contains(&block.owner) {
            continue;
        }
        let heading = matches!(block.kind, BlockKind::Heading(_));
        if block.kind == BlockKind::Heading(1) {
            continue; // the headline is the title, not body text
        }
        if !heading && block.link_density() > 0.5 && block.num_chars() < 200 {
            continue;
        }
        if is_ad_label(&block.text) {
            continue;
        }
        if block.weight() < 100 {
            let n = seen_short.entry(block.text.as_str()).or_default();
            *n += 1;
            if *n > MAX_SHORT_REPEATS {
                continue;
            }
        }
        parts.push(block);
    }
    // The article ends with its last sentence (when it has one). A block
    // of short lines (social accounts, an address, "Follow us:") is a
    // list of labels, however long in all.
    let last_prose = parts.iter().rposition(|b| {
        !matches!(b.kind, BlockKind::Heading(_))
            && !is_line_list(&b.text)
            && (b.weight() >= 60 || ends_sentence(&b.text))
    });
    if let Some(last) = last_prose {
        parts.truncate(last + 1);
    }
    parts
        .iter()
        .map(|b| b.text.as_str())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A page of headlines: most kept text is short linked lines, or the page
/// around a short text is mostly links.
fn looks_like_listing(blocks: &[Block], keep: &FxHashSet<NodeId>) -> bool {
    let kept: Vec<&Block> = blocks.iter().filter(|b| keep.contains(&b.owner)).collect();
    let own_weight: usize = kept
        .iter()
        .map(|b| b.weight().saturating_sub(b.link_weight()))
        .sum();
    let headline_links = blocks
        .iter()
        .filter(|b| b.link_density() > 0.7 && b.weight() >= 20)
        .count();
    let link_weight: usize = blocks.iter().map(|b| b.link_weight()).sum();
    headline_links >= 12 && link_weight > 3 * own_weight && own_weight < 2000
}

fn initial_score(node: NodeRef<'_, Node>) -> f64 {
    let Node::Element(el) = node.value() else {
        return 0.0;
    };
    let tag = match el.name() {
        "article" => 10.0,
        "main" => 5.0,
        "div" | "section" => 5.0,
        "pre" | "td" | "blockquote" => 3.0,
        "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
        _ => 0.0,
    };
    tag + class_weight(el)
}

/// How much text there is, comparable across scripts: characters of
/// spaced scripts count one, Han, kana and Hangul (a syllable or word
/// per character) count two. Whitespace does not count.
pub fn text_weight(text: &str) -> usize {
    // Runs over every block several times per page, so it goes by bytes:
    // ASCII eight bytes at a time where it can, characters beyond ASCII
    // decoded from their lead bytes (`text` is UTF-8) a run at a time.
    // Through `chars()` and `char::is_whitespace` it cost 10 to 30
    // instructions a byte.
    let bytes = text.as_bytes();
    let mut weight = 0;
    let mut i = 0;
    while i < bytes.len() {
        while let Some(word) = bytes.get(i..i + 8) {
            let word = u64::from_le_bytes(word.try_into().expect("eight bytes"));
            let Some(w) = ascii_word_weight(word) else {
                break;
            };
            weight += w;
            i += 8;
        }
        // The ASCII bytes before the next character beyond ASCII (fewer
        // than eight, or the end of the text).
        while let Some(&b) = bytes.get(i).filter(|b| b.is_ascii()) {
            weight += usize::from(!is_ascii_blank(b));
            i += 1;
        }
        // Characters of two to four bytes, up to the next ASCII byte.
        while let Some(&b) = bytes.get(i).filter(|b| !b.is_ascii()) {
            let cont = |k: usize| u32::from(bytes[i + k] & 0x3F);
            let (cp, len) = match b {
                0xC0..=0xDF => ((u32::from(b & 0x1F) << 6) | cont(1), 2),
                0xE0..=0xEF => ((u32::from(b & 0x0F) << 12) | (cont(1) << 6) | cont(2), 3),
                _ => (
                    (u32::from(b & 0x07) << 18) | (cont(1) << 12) | (cont(2) << 6) | cont(3),
                    4,
                ),
            };
            weight += non_ascii_weight(cp);
            i += len;
        }
    }
    weight
}

/// The weight of eight bytes when all are ASCII: those that are not
/// blank, found with word arithmetic. In each byte (below 0x80, so no sum
/// carries into the next) the high bit of `x ^ 0x20 + 0x7F` is clear only
/// for a space, and that of `x + 0x77` (`x + 0x72`) is set from 9 (14) up.
#[inline]
fn ascii_word_weight(word: u64) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    if word & HIGH != 0 {
        return None;
    }
    let space = !((word ^ (b' ' as u64 * ONES)) + 0x7F * ONES) & HIGH;
    let from_tab = (word + (0x80 - 9) * ONES) & HIGH;
    let from_14 = (word + (0x80 - 14) * ONES) & HIGH;
    let blanks = space | (from_tab & !from_14);
    Some(8 - blanks.count_ones() as usize)
}

/// `char::is_whitespace` in ASCII: space and \t \n \x0B \x0C \r.
#[inline]
fn is_ascii_blank(b: u8) -> bool {
    b == b' ' || b.wrapping_sub(b'\t') < 5
}

/// The weight of a character outside ASCII: 0 for white space (what
/// `char::is_whitespace` says beyond ASCII), 2 for Han, kana and Hangul,
/// 1 for the rest.
fn non_ascii_weight(cp: u32) -> usize {
    // The common cases first: everything below Hangul jamo (Latin with
    // marks, Thai, Indic, Burmese ...) and the unified Han block.
    if cp < 0x1100 {
        return usize::from(cp != 0x85 && cp != 0xA0);
    }
    if (0x4E00..=0x9FFF).contains(&cp) {
        return 2;
    }
    match cp {
        0x1680 | 0x2000..=0x200A | 0x2028 | 0x2029 | 0x202F | 0x205F | 0x3000 => 0,
        0x1100..=0x11FF
        | 0x3040..=0x30FF
        | 0x3400..=0x4DBF
        | 0xAC00..=0xD7AF
        | 0xF900..=0xFAFF
        | 0x20000..=0x2FFFF => 2,
        _ => 1,
    }
}

/// Drops the first paragraph when it only repeats the headline.
pub fn drop_leading_title(text: String, title: &str) -> String {
    let norm = |s: &str| s.split_whitespace().collect::<String>().to_lowercase();
    let title = norm(title);
    if title.is_empty() {
        return text;
    }
    match text.split_once("\n\n") {
        Some((first, rest)) if norm(first) == title => rest.to_string(),
        None if norm(&text) == title => String::new(),
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_win_over_navigation_and_related_links() {
        let para = "Regulators in Jakarta ordered platforms to remove gambling advertisements within 24 hours, \
                    warning that repeat offenders would face fines and, eventually, blocking.";
        let html = format!(
            r##"<html><body>
            <div class="menu"><ul><li><a href="/">Home</a></li><li><a href="/b">Business</a></li></ul></div>
            <div id="main"><div class="story-body">
              <h1>Headline</h1><p>{para}</p><h2>What changes</h2><p>{para} Second.</p>
              <div class="share-bar"><a href="#">Share on X</a></div>
            </div>
            <div class="related"><h3>Related</h3><ul><li><a href="/other">Other story about ads and more ads</a></li></ul></div>
            </div>
            <footer>Copyright 2025 Example Media</footer></body></html>"##
        );
        let text = main_text(&Html::parse_document(&html), None).text;
        assert!(text.starts_with("Regulators in Jakarta"), "{text}");
        assert!(text.contains("What changes"), "{text}");
        assert!(text.contains("Second."), "{text}");
        for junk in ["Home", "Share on X", "Other story", "Copyright", "Headline"] {
            assert!(!text.contains(junk), "{junk} leaked: {text}");
        }
        assert_eq!(text.matches("\n\n").count(), 2, "{text}");
    }

    #[test]
    fn loose_text_with_line_breaks_is_kept() {
        let html = "<html><body><div class=\"content\">ข่าวนี้เกี่ยวกับโฆษณาหลอกลวงบนแพลตฟอร์มออนไลน์ ซึ่งมีผู้เสียหายจำนวนมาก<br>บรรทัดที่สองของข่าวที่ยาวพอสมควรสำหรับการทดสอบ</div></body></html>";
        let text = main_text(&Html::parse_document(html), None).text;
        assert!(text.contains("โฆษณาหลอกลวง"), "{text}");
        assert!(text.contains('\n'), "{text}");
    }

    #[test]
    fn text_weight_counts_like_the_char_by_char_rule() {
        // The rule a character at a time, white space as the standard
        // library knows it: only the width of Han, kana and Hangul is
        // taken from the code under test (`max(1)`, so a character it
        // wrongly called white space would still count here).
        let reference = |t: &str| -> usize {
            t.chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| non_ascii_weight(c as u32).max(1))
                .sum()
        };
        // Eight-byte words of every ASCII byte, at every position.
        for b in 0..0x80u8 {
            for pos in 0..8 {
                let mut word = *b"abcdefgh";
                word[pos] = b;
                let want = word.iter().filter(|&&c| !is_ascii_blank(c)).count();
                assert_eq!(
                    ascii_word_weight(u64::from_le_bytes(word)),
                    Some(want),
                    "{b} at {pos}"
                );
            }
        }
        assert_eq!(
            ascii_word_weight(u64::from_le_bytes(*b"ab\xc3\xa0cdef")),
            None
        );
        // Every character alone and between letters.
        for c in (0..=0x10_FFFFu32).filter_map(char::from_u32) {
            let t = format!("a{c}b{c}");
            assert_eq!(text_weight(&t), reference(&t), "U+{:04X}", c as u32);
        }
        for t in [
            "",
            "plain ascii text\twith\r\nbreaks\x0b\x0c and \x1c unit separators",
            "Regulator’s “fine” — 罰款 広告 광고를 โฆษณา\u{a0}\u{3000}lừa đảo 𠀀",
            " \u{2028}x\u{85}y ",
            &"Regulators fined\tthe platform,\r\n   again. ".repeat(9),
            &"ads 広告 a\u{3000}b lừa đảo  \n\x0b".repeat(13),
        ] {
            assert_eq!(text_weight(t), reference(t), "{t:?}");
        }
        // Random mixes, so that runs of ASCII start and end at every
        // offset of the eight-byte words.
        let ascii: Vec<char> = "ab \t\n\r\x0b.".chars().collect();
        let other: Vec<char> = "広광ไđ\u{3000}\u{a0}\u{85}\u{2028}ᄀ𠀀😀".chars().collect();
        let mut rng = fastrand::Rng::with_seed(3);
        for _ in 0..5_000 {
            let t: String = (0..rng.usize(0..80))
                .map(|_| match rng.u8(0..20) {
                    0 => other[rng.usize(0..other.len())],
                    _ => ascii[rng.usize(0..ascii.len())],
                })
                .collect();
            assert_eq!(text_weight(&t), reference(&t), "{t:?}");
        }
    }

    #[test]
    fn inline_links_keep_their_words_whatever_their_class() {
        // News sites tag company and place names in running text with
        // classes such as "meta-org"; the words belong to the sentence.
        let html = r#"<html><body><article>
            <p><a class="meta-org" href="/topic/yahoo">Yahoo</a>’s $4.8 billion sale to
            <a class="meta-org" href="/topic/verizon">Verizon</a> is a complicated beast, showing how
            deal structures can affect how shareholders are treated.</p>
            <p>Analysts said the sale, which needs approval from shareholders, would close next year,
            although regulators in <span class="meta-loc">Washington</span> have yet to rule.</p>
            </article>
            <div class="meta-links"><a href="/a">Most read</a> <a href="/b">Newsletters</a></div>
            </body></html>"#;
        let text = main_text(&Html::parse_document(html), None).text;
        assert!(
            text.starts_with("Yahoo’s $4.8 billion sale to Verizon is"),
            "{text}"
        );
        assert!(text.contains("regulators in Washington have"), "{text}");
        assert!(!text.contains("Most read"), "{text}");
    }

    #[test]
    fn prose_inside_a_box_named_for_links_is_kept() {
        // A "read more" expander holding the rest of the story, and a
        // section whose anchor id happens to contain "sharing", are
        // article text; a real related-links box is not.
        let para = |n: usize| {
            format!(
                "Paragraph {n} of the story: the regulator said platforms must remove illegal                  gambling advertisements within a day, and that repeat offenders would be fined."
            )
        };
        let html = format!(
            r##"<html><body><div id="story">
            <div class="story-intro"><p>{}</p></div><p>{}</p>
            <div id="read-more"><div id="read-more-link"><a href="#">Read more</a></div>
              <div id="read-more-content"><p>{}</p><p>{}</p><p>{}</p><p>{}</p></div></div>
            <div class="section" id="sharing-data-with-regulators"><h2>Sharing data with regulators</h2>
              <p>{}</p><p>{}</p></div>
            <div class="related-stories"><h3>Related</h3><ul>
              <li><a href="/1">Gambling ads return to video sites after a short ban</a></li>
              <li><a href="/2">Regulator fines three platforms over betting promotions</a></li></ul></div>
            <div class="jp-relatedposts">
              <div class="jp-relatedposts-post"><h4><a href="/3">Lenders face new fee caps</a></h4>
                <p>The ministry published the draft rules on Monday, giving lenders, consumer groups and
                platforms a month to comment before the caps on fees and interest take effect.</p></div>
              <div class="jp-relatedposts-post"><h4><a href="/4">Betting sites blocked</a></h4>
                <p>More than two hundred betting sites were blocked last week, the ministry said, adding
                that most of them had reappeared under new names within days of the order.</p></div></div>
            </div></body></html>"##,
            para(1),
            para(2),
            para(3),
            para(4),
            para(5),
            para(6),
            para(7),
            para(8)
        );
        let text = main_text(&Html::parse_document(&html), None).text;
        for n in 1..=8 {
            assert!(text.contains(&format!("Paragraph {n} of")), "{n}: {text}");
        }
        assert!(text.contains("Sharing data with regulators"), "{text}");
        assert!(!text.contains("Gambling ads return"), "{text}");
        assert!(
            !text.contains("draft rules"),
            "teaser excerpts leaked: {text}"
        );
        assert!(!text.contains("Read more"), "{text}");
    }

    #[test]
    fn microdata_article_body_wins_and_holds_its_sections() {
        // Two blocks of similar weight: the one the page marks as
        // articleBody is the article, and a section inside it stands for
        // all of it.
        let html = r#"<html><body>
            <div><p>Teaser for another story: the ministry announced new rules for online lenders,
            including caps on fees and a ban on harassing borrowers, and said more would follow.</p></div>
            <div itemprop="articleBody">
              <p>Kementerian mengumumkan aturan baru untuk pinjaman daring, termasuk batas biaya.</p>
              <div class="text"><p>Pemberi pinjaman yang melanggar akan dikenai denda dan izinnya dapat dicabut,
              kata pejabat itu, sementara peminjam diminta melapor jika diancam atau dilecehkan.</p>
              <p>Aturan itu berlaku mulai bulan depan, dan platform diberi waktu tiga bulan untuk menyesuaikan diri.</p></div>
            </div></body></html>"#;
        let text = main_text(&Html::parse_document(html), None).text;
        assert!(text.starts_with("Kementerian mengumumkan"), "{text}");
        assert!(text.contains("Aturan itu berlaku"), "{text}");
        assert!(!text.contains("Teaser for another story"), "{text}");
    }

    #[test]
    fn comments_appeals_and_follow_lines_stay_out_in_every_language() {
        let html = r#"<html><body><div class="content">
            <span class="submitted-by">Submitted on Mon, 2019-01-21 13:49</span>
            <div class="field-item"><p>ผลการตรวจดีเอ็นเอยืนยันว่าศพที่พบลอยในแม่น้ำโขงเป็นคนสนิทของนักเคลื่อนไหวที่หายตัวไป ตามที่ครอบครัวได้รับแจ้งจากเจ้าหน้าที่</p>
            <p>ภรรยาของนักเคลื่อนไหวกล่าวว่าได้ทราบข่าวแล้ว แต่ยังไม่ขอให้ความเห็นเพิ่มเติมในตอนนี้ เพราะต้องรอผลการตรวจสอบอย่างเป็นทางการ</p></div>
            <div class="support-pay"><strong>เท่าไรก็ได้</strong> การสนับสนุนจากคุณ คือการร่วมสร้างและรักษาสื่อเสรี ร่วมสนับสนุนเรา โอนเงินผ่านบัญชีธนาคารของมูลนิธิ</div>
            <div>ติดตามข่าวได้ที่:<br>เฟซบุ๊ก https://fb.me/example<br>ทวิตเตอร์ https://twitter.com/example<br>LINE ไอดี = @example</div>
            </div>
            <section id="comunidad"><div class="titulo-comentarios">Enviá tu comentario</div>
              <p class="reglamento-comentarios">Los comentarios publicados son de exclusiva responsabilidad de sus autores y las consecuencias derivadas de ellos pueden ser pasibles de sanciones legales.</p></section>
            <div class="box-binh-luan"><p>Bình luận của bạn sẽ được duyệt trước khi đăng, xin vui lòng viết tiếng Việt có dấu.</p></div>
            </body></html>"#;
        let text = main_text(&Html::parse_document(html), None).text;
        assert!(text.starts_with("ผลการตรวจดีเอ็นเอ"), "{text}");
        assert!(text.contains("ภรรยาของนักเคลื่อนไหว"), "{text}");
        for junk in [
            "Submitted on",
            "การสนับสนุนจากคุณ",
            "fb.me",
            "@example",
            "comentarios publicados",
            "Bình luận",
        ] {
            assert!(!text.contains(junk), "{junk} leaked: {text}");
        }
    }

    #[test]
    fn teaser_cards_beside_the_article_stay_out() {
        // Other stories as cards (a linked headline and a summary) next to
        // the article: their summaries are prose-like but not the article.
        let para = |n: usize| {
            format!(
                "<p>Paragraph {n}: the government team met media organisations this week to                  explain the data retention bill, which would require telecoms to store metadata                  for two years.</p>"
            )
        };
        let card = |title: &str, summary: &str| {
            format!(
                r#"<div class="story-block"><h4><strong>Opinion</strong> <a href="/{title}">{title}</a></h4>
                <p class="standfirst">{summary}</p></div>"#
            )
        };
        let html = format!(
            r#"<html><body><div id="page"><div id="story">{}{}{}{}</div>
            <div class="group">{}{}{}</div></div></body></html>"#,
            para(1),
            para(2),
            para(3),
            para(4),
            card(
                "Lasting legacy",
                "An effective prime minister, soundly elected and re-elected, a relentless reformer and thinker."
            ),
            card(
                "Wave of stupidity",
                "How is it that ideas which are patently absurd capture the imagination of so many people?"
            ),
            card(
                "Shopping challenge",
                "The good thing about flat-pack furniture is that it is cheap; the bad thing is the assembly."
            ),
        );
        let text = main_text(&Html::parse_document(&html), None).text;
        for n in 1..=4 {
            assert!(text.contains(&format!("Paragraph {n}:")), "{n}: {text}");
        }
        for junk in [
            "Lasting legacy",
            "prime minister",
            "patently absurd",
            "flat-pack",
        ] {
            assert!(!text.contains(junk), "{junk} leaked: {text}");
        }
    }

    #[test]
    fn ad_slot_labels_are_not_text() {
        let html = r#"<html><body><article>
            <p>Polisi menangkap 30 tersangka penipuan pinjaman daring di Jakarta pada hari Senin, kata juru bicara.</p>
            <div class="x1"><span>ADVERTISEMENT</span></div>
            <p>Para tersangka diduga menipu ratusan korban dengan janji pinjaman cepat tanpa jaminan.</p>
            <div>Iklan</div><p>— โฆษณา —</p><div>広告</div>
            <p>Korban diminta melapor ke polisi. Ad hoc teams will help, the police said.</p>
            </article></body></html>"#;
        let text = main_text(&Html::parse_document(html), None).text;
        assert!(text.contains("Polisi menangkap"), "{text}");
        assert!(text.contains("Ad hoc teams"), "{text}");
        for junk in ["ADVERTISEMENT", "Iklan\n", "โฆษณา", "広告"] {
            assert!(!text.contains(junk), "{junk} leaked: {text}");
        }
        assert_eq!(text.matches("\n\n").count(), 2, "{text}");
    }

    #[test]
    fn hidden_and_scripted_content_is_dropped() {
        let html = r#"<html><body><article><p>Visible paragraph that is long enough to count as text, with commas, and more.</p>
            <p style="display: none">Secret hidden paragraph that should never be shown to anyone reading.</p>
            <script>var ad = "inline script text";</script></article></body></html>"#;
        let text = main_text(&Html::parse_document(html), None).text;
        assert!(text.contains("Visible paragraph"));
        assert!(!text.contains("Secret"));
        assert!(!text.contains("inline script"));
    }
}
