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

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

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

/// The class and id of an element, lowercase, and its words. Most elements
/// have neither, and those cost nothing.
fn class_words(el: &scraper::node::Element) -> (String, Vec<&'static str>) {
    let (class, id) = (el.attr("class").unwrap_or(""), el.attr("id").unwrap_or(""));
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

/// [`WEAK_NEGATIVE`] and [`POSITIVE`] as a set: every element with a class
/// looks up each of its words (a linear search was a tenth of extraction).
static CLASS_WORDS: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| WEAK_NEGATIVE.iter().chain(POSITIVE).copied().collect());

/// True when a lowercase class/id string contains a [`STRONG_NEGATIVE`]
/// word, like `STRONG_NEGATIVE.iter().any(|n| raw.contains(n))` but in one
/// pass over `raw`.
fn has_strong_negative(raw: &str) -> bool {
    static WORDS: LazyLock<AhoCorasick> =
        LazyLock::new(|| AhoCorasick::new(STRONG_NEGATIVE).expect("static word list"));
    WORDS.is_match(raw)
}

/// Class weight: positive words +25, weak negative words -25.
fn class_weight(el: &scraper::node::Element) -> f64 {
    let (raw, words) = class_words(el);
    let mut w = 0.0;
    if words.iter().any(|x| POSITIVE.contains(x)) {
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
    if el.attr("hidden").is_some() || el.attr("aria-hidden") == Some("true") {
        return Verdict::Skip;
    }
    if let Some(style) = el.attr("style") {
        let style: String = style.to_ascii_lowercase().split_whitespace().collect();
        if style.contains("display:none") || style.contains("visibility:hidden") {
            return Verdict::Skip;
        }
    }
    if el
        .attr("role")
        .is_some_and(|r| SKIP_ROLES.contains(&r.trim().to_ascii_lowercase().as_str()))
    {
        return Verdict::Strong;
    }
    if matches!(name, "html" | "body" | "article" | "main") {
        return Verdict::Keep;
    }
    let (raw, words) = class_words(el);
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

/// How much non-link text each boilerplate-looking element holds, and the
/// whole page's, in one post-order pass (iterative, like the walk).
fn boilerplate_weights(root: NodeRef<'_, Node>) -> (HashMap<NodeId, (Verdict, usize)>, usize) {
    let mut out = HashMap::new();
    // (node, verdict) on the way down; None marks the way up.
    let mut stack: Vec<Option<(NodeRef<'_, Node>, Verdict)>> = vec![Some((root, Verdict::Keep))];
    let mut acc: Vec<usize> = vec![0];
    let mut open: Vec<(NodeId, Verdict)> = Vec::new();
    let mut link_depth = 0usize;
    while let Some(step) = stack.pop() {
        let Some((node, v)) = step else {
            let (id, v) = open.pop().expect("balanced walk");
            let w = acc.pop().expect("balanced walk");
            if let Some(parent) = acc.last_mut() {
                *parent += w;
            }
            if matches!(v, Verdict::Strong | Verdict::Weak) {
                out.insert(id, (v, w));
            }
            if node_is_link(id, &root) {
                link_depth -= 1;
            }
            continue;
        };
        match node.value() {
            Node::Text(t) if link_depth == 0 => {
                if let Some(top) = acc.last_mut() {
                    *top += text_weight(t);
                }
            }
            Node::Element(el) => {
                if v == Verdict::Skip {
                    continue;
                }
                if el.name() == "a" {
                    link_depth += 1;
                }
                open.push((node.id(), v));
                acc.push(0);
                stack.push(None);
                let first = stack.len();
                stack.extend(node.children().map(|c| {
                    let v = match c.value() {
                        Node::Element(e) => verdict(e),
                        _ => Verdict::Keep,
                    };
                    Some((c, v))
                }));
                stack[first..].reverse();
            }
            _ => {}
        }
    }
    let total = acc.first().copied().unwrap_or(0);
    (out, total)
}

fn node_is_link(id: NodeId, root: &NodeRef<'_, Node>) -> bool {
    root.tree()
        .get(id)
        .is_some_and(|n| matches!(n.value(), Node::Element(e) if e.name() == "a"))
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
    suspects: HashMap<NodeId, (Verdict, usize)>,
    page_weight: usize,
}

/// One step of the iterative walk: enter a node, or leave a block element
/// (restoring the block that encloses it).
enum Step<'a> {
    Enter(NodeRef<'a, Node>, bool),
    Leave(Option<NodeId>, BlockKind),
}

impl Walker {
    fn is_boilerplate(&self, id: NodeId, el: &scraper::node::Element) -> bool {
        match self.suspects.get(&id) {
            Some(&(v, w)) => (w as f64) < v.keep_share() * self.page_weight as f64,
            None => verdict(el) == Verdict::Skip,
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
    fn walk(&mut self, root: NodeRef<'_, Node>, skip: &HashSet<NodeId>) {
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
                    self.text.push_str(t);
                }
                Node::Element(el) => {
                    if skip.contains(&node.id()) || self.is_boilerplate(node.id(), el) {
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
    text.split('\n')
        .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every text block under `root` in reading order, boilerplate skipped.
fn blocks(root: NodeRef<'_, Node>, skip: &HashSet<NodeId>) -> (Vec<Block>, usize) {
    let mut walker = Walker {
        blocks: Vec::new(),
        text: String::new(),
        link_chars: 0,
        owner: Some(root.id()),
        kind: BlockKind::Paragraph,
        num_links: 0,
        suspects: HashMap::new(),
        page_weight: 0,
    };
    (walker.suspects, walker.page_weight) = boilerplate_weights(root);
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
    let mut skip = HashSet::new();
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
fn choose(tree: &ego_tree::Tree<Node>, blocks: &[Block]) -> HashSet<NodeId> {
    let mut scores: HashMap<NodeId, f64> = HashMap::new();
    let mut text_chars: HashMap<NodeId, (usize, usize)> = HashMap::new();
    // Weight of prose and of everything else (link lists, short lines)
    // under each element.
    let mut prose: HashMap<NodeId, (usize, usize)> = HashMap::new();
    for block in blocks {
        let node = tree.get(block.owner).expect("owner is in the tree");
        let n = block.num_chars();
        let w = block.weight();
        let is_prose = block.is_prose();
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
    let adjusted: HashMap<NodeId, f64> = scores
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
    // An only child stands for its parent.
    while let Some(p) = tree.get(top).and_then(|n| n.parent()).filter(|p| {
        !is_root(p.id()) && p.children().filter(|c| c.value().is_element()).count() == 1
    }) {
        top = p.id();
    }

    let top_score = adjusted.get(&top).copied().unwrap_or(top_score);
    let mut roots: HashSet<NodeId> = HashSet::from([top]);
    let sibling_threshold = (top_score * 0.2).max(10.0);
    let block_of: HashMap<NodeId, &Block> = blocks.iter().map(|b| (b.owner, b)).collect();
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

/// Short blocks repeated this often are interface, not prose.
const MAX_SHORT_REPEATS: usize = 2;

/// Pass 3: the kept blocks in document order, joined with blank lines.
/// Link-heavy lines, repeats of short lines ("Weather threatens holiday
/// plans" under every photo of a gallery) and the trail of labels after the
/// last paragraph ("Keywords", "Latest News", an e-mail address) are left out.
fn assemble(blocks: &[Block], keep: &HashSet<NodeId>) -> String {
    let mut parts: Vec<&Block> = Vec::new();
    let mut seen_short: HashMap<&str, usize> = HashMap::new();
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
        if block.weight() < 100 {
            let n = seen_short.entry(block.text.as_str()).or_default();
            *n += 1;
            if *n > MAX_SHORT_REPEATS {
                continue;
            }
        }
        parts.push(block);
    }
    // The article ends with its last sentence (when it has one).
    let last_prose = parts.iter().rposition(|b| {
        !matches!(b.kind, BlockKind::Heading(_)) && (b.weight() >= 60 || ends_sentence(&b.text))
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
fn looks_like_listing(blocks: &[Block], keep: &HashSet<NodeId>) -> bool {
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
    // Runs over every block several times per page: ASCII bytes are counted
    // as bytes, and only the rest is decoded.
    let bytes = text.as_bytes();
    let mut weight = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            // char::is_whitespace in ASCII: space and \t \n \x0B \x0C \r.
            weight += usize::from(!(b == b' ' || (b'\t'..=b'\r').contains(&b)));
            i += 1;
            continue;
        }
        let rest = &text[i..];
        let end = rest
            .bytes()
            .position(|b| b.is_ascii())
            .unwrap_or(rest.len());
        weight += non_ascii_weight(&rest[..end]);
        i += end;
    }
    weight
}

fn non_ascii_weight(text: &str) -> usize {
    text.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c as u32 {
            0x1100..=0x11FF
            | 0x3040..=0x30FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xAC00..=0xD7AF
            | 0xF900..=0xFAFF
            | 0x20000..=0x2FFFF => 2,
            _ => 1,
        })
        .sum()
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
        let reference = |t: &str| -> usize {
            t.chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| {
                    if non_ascii_weight(c.encode_utf8(&mut [0; 4])) == 2 {
                        2
                    } else {
                        1
                    }
                })
                .sum()
        };
        for t in [
            "",
            "plain ascii text\twith\r\nbreaks\x0b\x0c and \x1c unit separators",
            "Regulator’s “fine” — 罰款 広告 광고를 โฆษณา\u{a0}\u{3000}lừa đảo 𠀀",
            " \u{2028}x\u{85}y ",
        ] {
            assert_eq!(text_weight(t), reference(t), "{t:?}");
        }
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
