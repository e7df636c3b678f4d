//! Concept packs and the topic matcher: which monetization-risk topics an
//! article is about, how strongly, and the terms that say so.
//!
//! The taxonomy is data, not code: `topics/<id>.toml` holds one topic's terms
//! per language (spelling variants, misspellings, code-mixed and romanised
//! forms included) and `topics/entities.toml` the platforms, payment brands
//! and regulators. Analysts tune packs with `kabar topics test` without
//! touching Rust; [`Topics::load`] validates every file and reports every
//! problem with its file:line:col, so a broken pack never half-loads.
//!
//! Matching ([`matcher`]) is one Aho-Corasick pass over text normalised by
//! [`normalize`] (NFKC, lowercase, Latin diacritics folded, zero-width
//! characters dropped), with offsets mapped back to the original text so
//! evidence points at what the journalist wrote. Word boundaries depend on
//! the script at each edge of a term:
//!
//! - Spaced scripts (Latin, Devanagari, Arabic, Bengali, Tamil, Hangul, ...)
//!   need a word boundary at both ends. Plurals and affixes are listed as
//!   variants, or the term ends in `*` ("the word may go on"). Korean, Tamil
//!   and Bengali attach particles and case endings to the noun, so there
//!   only the start must be a word start.
//! - Thai, Lao, Khmer, Burmese, Chinese and Japanese have no spaces. A term
//!   matches as a substring, but must not end inside a character cluster,
//!   and the validator refuses one-character Han/kana and one- or
//!   two-character Thai/Khmer/Lao/Burmese terms. Dictionary segmentation
//!   (ICU) was not used as a boundary check: pack terms are mostly
//!   compounds and neologisms (พนันออนไลน์, 网络赌博, ライブコマース) that
//!   dictionaries split at places of their own, so requiring segment
//!   boundaries would lose true hits, and it would cost more than the whole
//!   match. Precision comes from multi-syllable terms instead.
//!
//! Scoring ([`score`]) is documented at [`score::relevance`]: it saturates in
//! distinct terms, weighs title hits more, falls with the length of the text
//! for the same number of hits, and lets entities add weight only to a topic
//! that terms already establish: "OJK" alone does not make an article about
//! illegal loans, but an article about pinjol that names OJK is more surely so.

mod matcher;
pub mod normalize;
mod pack;
pub mod report;
pub mod score;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Serialize;

use matcher::{Matcher, RawHit};
use normalize::Normalized;
pub use pack::{ENTITIES_FILE, ENTITY_KINDS, PackError, format_errors};
pub use score::MIN_SCORE;

/// One topic pack, as loaded.
#[derive(Debug, Clone, Serialize)]
pub struct TopicInfo {
    pub id: String,
    pub name: String,
    pub description: String,
    pub version: u32,
    pub file: PathBuf,
    /// Line of the `id` key, for messages.
    #[serde(skip)]
    pub line: usize,
    /// Number of terms per language code.
    pub terms: BTreeMap<String, usize>,
}

/// A named entity: a platform, marketplace, payment brand or regulator.
#[derive(Debug, Clone, Serialize)]
pub struct EntityInfo {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub country: Option<String>,
    /// The topics whose relevance the entity can raise (never establish).
    pub topics: Vec<String>,
    pub num_names: usize,
}

/// A topic an article is about, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicMatch {
    /// Topic id (`scam-ads`, ...).
    pub topic: String,
    /// Relevance in 0..1; see [`score::relevance`].
    pub score: f32,
    /// Every hit: term hits, then entity hits, title first, in text order.
    pub terms: Vec<TermHit>,
}

/// One matched term or entity name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TermHit {
    /// The term as written in the pack.
    pub term: String,
    /// The pack language the term is listed under; `*` for entity names.
    pub lang: String,
    /// Byte offsets in the text it was found in (title or body), original,
    /// not normalised: `&text[start..end]` is what the journalist wrote.
    pub start: usize,
    pub end: usize,
    pub in_title: bool,
    pub entity: bool,
}

/// The loaded, validated packs and their matcher. Cheap to share
/// (`Arc<Topics>`); [`Topics::find`] takes `&self` and is thread-safe.
pub struct Topics {
    infos: Vec<TopicInfo>,
    entities: Vec<EntityInfo>,
    matcher: Matcher,
}

/// Per-thread buffers, so matching a document allocates only its result.
#[derive(Default)]
struct Scratch {
    title: Normalized,
    body: Normalized,
    hits: Vec<RawHit>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl Topics {
    /// Loads and validates every pack in `dir` (see the module docs).
    /// Either everything is valid or the caller gets every problem, sorted
    /// by file and position.
    ///
    /// When `dir` is the default folder (`topics`) and it does not exist
    /// (kabar run from another folder, or installed), the packs compiled
    /// into the binary are used; a folder that was named and is missing is
    /// an error.
    pub fn load(dir: &Path) -> Result<Topics, Vec<PackError>> {
        let packs = if Topics::uses_builtin(dir) {
            pack::load_embedded()?
        } else {
            pack::load(dir)?
        };
        let index: HashMap<&str, u32> = packs
            .packs
            .iter()
            .enumerate()
            .map(|(i, p)| (p.info.id.as_str(), i as u32))
            .collect();
        let matcher = Matcher::build(&packs, &index);
        Ok(Topics {
            infos: packs.packs.into_iter().map(|p| p.info).collect(),
            entities: packs.entities.into_iter().map(|e| e.info).collect(),
            matcher,
        })
    }

    /// Whether [`Topics::load`] reads the built-in packs for `dir`.
    pub fn uses_builtin(dir: &Path) -> bool {
        dir == Path::new(crate::config::DEFAULT_TOPICS_DIR) && !dir.exists()
    }

    /// The loaded topics, in file name order.
    pub fn topics(&self) -> &[TopicInfo] {
        &self.infos
    }

    /// Topic ids, in file order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.infos.iter().map(|t| t.id.as_str())
    }

    /// Topic id → display name.
    pub fn names(&self) -> std::collections::BTreeMap<String, String> {
        self.infos
            .iter()
            .map(|t| (t.id.clone(), t.name.clone()))
            .collect()
    }

    /// The loaded entities, in file order.
    pub fn entities(&self) -> &[EntityInfo] {
        &self.entities
    }

    /// First-class languages a topic has no terms for, per topic id.
    pub fn missing_languages(&self) -> Vec<(&str, Vec<&'static str>)> {
        self.infos
            .iter()
            .filter_map(|t| {
                let missing: Vec<&str> = crate::sources::langs::FIRST_CLASS
                    .iter()
                    .copied()
                    .filter(|l| t.terms.get(*l).is_none_or(|&n| n == 0))
                    .collect();
                (!missing.is_empty()).then_some((t.id.as_str(), missing))
            })
            .collect()
    }

    /// The topics `title` and `body` are about, best first: those scoring at
    /// least [`MIN_SCORE`].
    pub fn find(&self, title: &str, body: &str) -> Vec<TopicMatch> {
        let mut found = self.find_all(title, body);
        found.retain(|m| m.score >= MIN_SCORE);
        found
    }

    /// Like [`Topics::find`] without the threshold: every topic with at
    /// least one term hit, for tuning packs (`kabar topics test --all`).
    pub fn find_all(&self, title: &str, body: &str) -> Vec<TopicMatch> {
        SCRATCH.with(|scratch| {
            let mut guard = scratch.borrow_mut();
            let scratch = &mut *guard;
            scratch.title.set(title);
            scratch.body.set(body);
            scratch.hits.clear();
            self.matcher
                .scan(&scratch.title, title, true, &mut scratch.hits);
            self.matcher
                .scan(&scratch.body, body, false, &mut scratch.hits);
            let units = scratch.title.units + scratch.body.units;
            self.score_hits(&mut scratch.hits, units)
        })
    }

    fn score_hits(&self, hits: &mut [RawHit], units: usize) -> Vec<TopicMatch> {
        // Per topic and field, by position; a hit inside a longer hit of the
        // same topic (赌博 inside 网络赌博) is the same evidence, so dropped.
        hits.sort_unstable_by_key(|h| {
            (
                h.topic,
                !h.in_title,
                h.norm.0,
                std::cmp::Reverse(h.norm.1),
                h.entity,
            )
        });
        let mut out = Vec::new();
        for group in hits.chunk_by(|a, b| a.topic == b.topic) {
            let mut kept: Vec<&RawHit> = Vec::with_capacity(group.len());
            let mut reach: Option<(bool, u32)> = None;
            for h in group {
                if reach.is_some_and(|(title, end)| title == h.in_title && h.norm.1 <= end) {
                    continue;
                }
                reach = Some((h.in_title, h.norm.1));
                kept.push(h);
            }
            let evidence = score::Evidence::from_hits(
                kept.iter().map(|h| (h.term, h.in_title, h.entity)),
                units,
            );
            if evidence.num_distinct_terms == 0 {
                continue; // entities alone never establish a topic
            }
            let topic = &self.infos[group[0].topic as usize];
            let mut terms: Vec<TermHit> = kept
                .iter()
                .map(|h| {
                    let def = &self.matcher.terms[h.term as usize];
                    TermHit {
                        term: def.term.written.clone(),
                        lang: def.term.lang.clone(),
                        start: h.start,
                        end: h.end,
                        in_title: h.in_title,
                        entity: def.entity,
                    }
                })
                .collect();
            terms.sort_by_key(|t| (t.entity, !t.in_title, t.start));
            out.push(TopicMatch {
                topic: topic.id.clone(),
                score: score::relevance(&evidence),
                terms,
            });
        }
        out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.topic.cmp(&b.topic)));
        out
    }
}

impl std::fmt::Debug for Topics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Topics")
            .field("topics", &self.infos.len())
            .field("entities", &self.entities.len())
            .field("terms", &self.matcher.terms.len())
            .finish()
    }
}

#[cfg(test)]
mod tests;
