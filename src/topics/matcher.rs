//! One Aho-Corasick automaton over every normalised term and entity name of
//! every pack, and the boundary rules that turn its raw matches into hits.
//!
//! A single automaton makes the cost of matching independent of the number
//! of topics and terms: one pass over the text, whatever the packs hold.
//! Terms shared by several topics (or entity names supporting several) are
//! one pattern with several entries.

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::normalize::{Normalized, Script, is_word};
use super::pack::{Packs, Term};

/// A term (or entity name) the automaton can report.
#[derive(Debug)]
pub(crate) struct TermDef {
    pub term: Term,
    pub entity: bool,
    first: Script,
    last: Script,
}

/// One (term, topic) pair a pattern stands for.
#[derive(Debug, Clone, Copy)]
struct Entry {
    topic: u32,
    term: u32,
}

/// A raw hit: term `term` for topic `topic` at normalised `norm` and
/// original `start..end`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawHit {
    pub topic: u32,
    pub term: u32,
    pub norm: (u32, u32),
    pub start: usize,
    pub end: usize,
    pub in_title: bool,
    pub entity: bool,
}

pub(crate) struct Matcher {
    automaton: AhoCorasick,
    /// Entries per pattern id.
    patterns: Vec<Vec<Entry>>,
    pub terms: Vec<TermDef>,
}

impl Matcher {
    pub fn build(packs: &Packs, topic_index: &HashMap<&str, u32>) -> Matcher {
        let mut by_norm: HashMap<String, usize> = HashMap::new();
        let mut strings: Vec<String> = Vec::new();
        let mut patterns: Vec<Vec<Entry>> = Vec::new();
        let mut terms = Vec::new();
        let mut add = |term: &Term, entity: bool, topics: &[u32]| {
            let id = *by_norm.entry(term.norm.clone()).or_insert_with(|| {
                strings.push(term.norm.clone());
                patterns.push(Vec::new());
                strings.len() - 1
            });
            let term_id = terms.len() as u32;
            terms.push(TermDef {
                term: term.clone(),
                entity,
                first: Script::of(term.norm.chars().next().unwrap_or(' ')),
                last: Script::of(term.norm.chars().next_back().unwrap_or(' ')),
            });
            for &topic in topics {
                patterns[id].push(Entry {
                    topic,
                    term: term_id,
                });
            }
        };
        for (i, pack) in packs.packs.iter().enumerate() {
            for term in &pack.terms {
                add(term, false, &[i as u32]);
            }
        }
        for entity in &packs.entities {
            let topics: Vec<u32> = entity
                .info
                .topics
                .iter()
                .filter_map(|t| topic_index.get(t.as_str()).copied())
                .collect();
            for name in &entity.names {
                add(name, true, &topics);
            }
        }
        // Overlapping search needs standard match semantics. The contiguous
        // NFA is within a small factor of the DFA's speed here at a fraction
        // of its memory and build time (the DFA for a few thousand patterns
        // is tens of MB); see benches/topics.rs.
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&strings)
            .expect("pack terms are short, valid UTF-8 strings");
        Matcher {
            automaton,
            patterns,
            terms,
        }
    }

    /// Every hit in one normalised field, boundary rules applied.
    pub fn scan(&self, norm: &Normalized, original: &str, in_title: bool, out: &mut Vec<RawHit>) {
        let text = norm.text.as_str();
        for m in self.automaton.find_overlapping_iter(text) {
            let (s, e) = (m.start(), m.end());
            let prev = text[..s].chars().next_back();
            let next = text[e..].chars().next();
            // Never end inside a cluster (a Thai or Devanagari vowel sign
            // belongs to the letter before it).
            if next.is_some_and(is_combining_mark) {
                continue;
            }
            let entries = &self.patterns[m.pattern().as_usize()];
            let Some(first) = entries.first() else {
                continue;
            };
            let def = &self.terms[first.term as usize];
            if !starts_word(def.first, prev) {
                continue;
            }
            let closed_end = ends_word(def.last, next);
            let (start, end) = norm.original(s, e);
            for entry in entries {
                let def = &self.terms[entry.term as usize];
                if !closed_end && !def.term.open_end && !def.last.suffixes_attach() {
                    continue;
                }
                if def.term.case_sensitive
                    && !original[start..end]
                        .nfkc()
                        .filter(|c| !matches!(c, '\u{200B}'..='\u{200F}' | '\u{00AD}'))
                        .eq(def.term.written.trim_end_matches('*').chars())
                {
                    continue;
                }
                out.push(RawHit {
                    topic: entry.topic,
                    term: entry.term,
                    norm: (s as u32, e as u32),
                    start,
                    end,
                    in_title,
                    entity: def.entity,
                });
            }
        }
    }
}

/// True when a term whose first character is in `script` may start after
/// `prev`: spaced scripts need a non-word character (or another script)
/// before them; Thai, Lao, Khmer, Burmese, Han and kana are written without
/// spaces, so there the term itself must be specific (see the module docs).
fn starts_word(script: Script, prev: Option<char>) -> bool {
    match prev {
        Some(p) if script.spaced() => !(is_word(p) && Script::of(p) == script),
        _ => true,
    }
}

/// Like [`starts_word`] for the end of a term.
fn ends_word(script: Script, next: Option<char>) -> bool {
    starts_word(script, next)
}
