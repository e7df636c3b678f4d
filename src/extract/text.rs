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

use ego_tree::{NodeId, NodeRef};
use scraper::{Html, Node};

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
}

impl Block {
    fn num_chars(&self) -> usize {
        self.text.chars().count()
    }

    fn link_density(&self) -> f64 {
        self.link_chars as f64 / self.num_chars().max(1) as f64
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

fn class_words(el: &scraper::node::Element) -> (String, Vec<String>) {
    let raw = format!(
        "{} {}",
        el.attr("class").unwrap_or(""),
        el.attr("id").unwrap_or("")
    )
    .to_ascii_lowercase();
    let words = raw
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    (raw, words)
}

/// Class weight: positive words +25, weak negative words -25.
fn class_weight(el: &scraper::node::Element) -> f64 {
    let (raw, words) = class_words(el);
    let mut w = 0.0;
    if words.iter().any(|x| POSITIVE.contains(&x.as_str())) {
        w += 25.0;
    }
    if words.iter().any(|x| WEAK_NEGATIVE.contains(&x.as_str()))
        || STRONG_NEGATIVE.iter().any(|n| raw.contains(n))
    {
        w -= 25.0;
    }
    w
}

fn is_skipped(el: &scraper::node::Element) -> bool {
    let name = el.name();
    if SKIP_TAGS.contains(&name) {
        return true;
    }
    if el.attr("hidden").is_some() || el.attr("aria-hidden") == Some("true") {
        return true;
    }
    if let Some(style) = el.attr("style") {
        let style: String = style.to_ascii_lowercase().split_whitespace().collect();
        if style.contains("display:none") || style.contains("visibility:hidden") {
            return true;
        }
    }
    if el
        .attr("role")
        .is_some_and(|r| SKIP_ROLES.contains(&r.trim().to_ascii_lowercase().as_str()))
    {
        return true;
    }
    if matches!(name, "html" | "body" | "article" | "main") {
        return false;
    }
    let (raw, words) = class_words(el);
    if raw.trim().is_empty() {
        return false;
    }
    if STRONG_NEGATIVE.iter().any(|n| raw.contains(n)) {
        return true;
    }
    let weak = words.iter().any(|x| WEAK_NEGATIVE.contains(&x.as_str()));
    let positive = words.iter().any(|x| POSITIVE.contains(&x.as_str()));
    weak && !positive
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
}

impl Walker {
    fn flush(&mut self) {
        let text = if self.kind == BlockKind::Preformatted {
            self.text.trim().to_string()
        } else {
            normalise_block(&self.text)
        };
        if let Some(owner) = self.owner
            && !text.is_empty()
        {
            self.blocks.push(Block {
                owner,
                kind: self.kind,
                text,
                link_chars: self.link_chars,
            });
        }
        self.text.clear();
        self.link_chars = 0;
    }

    fn visit(&mut self, node: NodeRef<'_, Node>, in_link: bool) {
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
                if is_skipped(el) {
                    return;
                }
                let name = el.name();
                if name == "br" {
                    self.text.push('\n');
                    return;
                }
                let in_link = in_link || name == "a";
                if BLOCK_TAGS.contains(&name) {
                    self.flush();
                    let saved = (self.owner, self.kind);
                    self.owner = Some(node.id());
                    self.kind = kind_of(name).unwrap_or(BlockKind::Paragraph);
                    for child in node.children() {
                        self.visit(child, in_link);
                    }
                    self.flush();
                    (self.owner, self.kind) = saved;
                } else {
                    for child in node.children() {
                        self.visit(child, in_link);
                    }
                }
            }
            _ => {}
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

/// Every text block of the page body in reading order, boilerplate skipped.
pub fn blocks(doc: &Html) -> Vec<Block> {
    let mut walker = Walker {
        blocks: Vec::new(),
        text: String::new(),
        link_chars: 0,
        owner: None,
        kind: BlockKind::Paragraph,
    };
    let root = doc
        .tree
        .root()
        .descendants()
        .find(|n| matches!(n.value(), Node::Element(e) if e.name() == "body"))
        .unwrap_or_else(|| doc.tree.root());
    walker.owner = Some(root.id());
    walker.visit(root, false);
    walker.flush();
    walker.blocks
}

/// Punctuation that separates clauses in the first-class scripts.
fn num_commas(text: &str) -> usize {
    text.chars()
        .filter(|c| matches!(c, ',' | '，' | '、' | '،' | '。' | '।'))
        .count()
}

/// The main text of the page: paragraphs separated by blank lines.
pub fn main_text(doc: &Html) -> String {
    let blocks = blocks(doc);
    if blocks.is_empty() {
        return String::new();
    }
    let tree = &doc.tree;

    // Pass 2: credit containers for the paragraphs they hold.
    let mut scores: HashMap<NodeId, f64> = HashMap::new();
    let mut text_chars: HashMap<NodeId, (usize, usize)> = HashMap::new();
    for block in &blocks {
        let node = tree.get(block.owner).expect("owner is in the tree");
        let n = block.num_chars();
        for anc in std::iter::once(node).chain(node.ancestors()) {
            let e = text_chars.entry(anc.id()).or_default();
            e.0 += n;
            e.1 += block.link_chars.min(n);
        }
        let is_text = matches!(
            block.kind,
            BlockKind::Paragraph | BlockKind::Quote | BlockKind::Preformatted | BlockKind::ListItem
        );
        if !is_text || n < 25 || block.link_density() > 0.5 {
            continue;
        }
        let credit =
            1.0 + num_commas(&block.text) as f64 + (block.text.len() as f64 / 150.0).min(3.0);
        // A list item is weaker evidence than a paragraph: menus are lists.
        let credit = if block.kind == BlockKind::ListItem {
            credit * 0.5
        } else {
            credit
        };
        let containers = node.ancestors().take(3);
        for (level, anc) in containers.enumerate() {
            let share = match level {
                0 => 1.0,
                1 => 0.5,
                _ => 1.0 / 6.0,
            };
            *scores.entry(anc.id()).or_insert_with(|| initial_score(anc)) += credit * share;
        }
    }
    let adjusted = |id: NodeId, score: f64| {
        let (chars, links) = text_chars.get(&id).copied().unwrap_or((0, 0));
        score * (1.0 - links as f64 / chars.max(1) as f64)
    };
    let best = scores
        .iter()
        .map(|(&id, &s)| (id, adjusted(id, s)))
        .max_by(|a, b| a.1.total_cmp(&b.1));

    // Pass 3: assemble.
    let keep: HashSet<NodeId> = match best {
        Some((best_id, best_score)) if best_score > 0.0 => {
            let best_node = tree.get(best_id).expect("scored node is in the tree");
            let mut roots = vec![best_id];
            let threshold = (best_score * 0.2).max(10.0);
            if let Some(parent) = best_node.parent() {
                for sib in parent.children().filter(|s| s.id() != best_id) {
                    if scores
                        .get(&sib.id())
                        .is_some_and(|&s| adjusted(sib.id(), s) >= threshold)
                    {
                        roots.push(sib.id());
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
        // No container stands out: keep every substantial, link-light block.
        _ => blocks
            .iter()
            .filter(|b| b.num_chars() >= 40 && b.link_density() < 0.5)
            .map(|b| b.owner)
            .collect(),
    };

    let mut parts: Vec<&str> = Vec::new();
    for block in &blocks {
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
        if parts.last() != Some(&block.text.as_str()) {
            parts.push(&block.text);
        }
    }
    parts.join("\n\n")
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
        let text = main_text(&Html::parse_document(&html));
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
        let text = main_text(&Html::parse_document(html));
        assert!(text.contains("โฆษณาหลอกลวง"), "{text}");
        assert!(text.contains('\n'), "{text}");
    }

    #[test]
    fn hidden_and_scripted_content_is_dropped() {
        let html = r#"<html><body><article><p>Visible paragraph that is long enough to count as text, with commas, and more.</p>
            <p style="display: none">Secret hidden paragraph that should never be shown to anyone reading.</p>
            <script>var ad = "inline script text";</script></article></body></html>"#;
        let text = main_text(&Html::parse_document(html));
        assert!(text.contains("Visible paragraph"));
        assert!(!text.contains("Secret"));
        assert!(!text.contains("inline script"));
    }
}
