//! Sentiment lexicons: opinion words, event words, negators, intensifiers and
//! contrast words per language group, kept as data files in `lexicons/`
//! (`kind<TAB>term[<TAB>weight]`, `#` comments) so a linguist can extend
//! them without reading Rust.
//!
//! All terms of a group go into one Aho-Corasick automaton over normalised
//! text (see [`super::text::normalize`]); a match is kept if it sits on a
//! word boundary where the term's script has them (Latin needs both sides
//! unless the term ends in `*`; Korean, Indic and Arabic scripts need the
//! left side only, as particles and case endings attach on the right; Thai,
//! Lao, Myanmar, Khmer, Chinese and Japanese need none). Negation and
//! intensity are then resolved from the neighbouring matches, so "not
//! good", "ไม่ดี", "不好", "良くない" and "좋지 않다" all come out negative.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use rustc_hash::FxHashSet;
use unicode_normalization::UnicodeNormalization;

use super::text::{Script, at_boundary, normalize};

/// What a lexicon term does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Opinion, positive.
    Pos,
    /// Opinion, negative.
    Neg,
    /// A negative news event for the platform (scam, fine, ban, arrest,
    /// leak, lawsuit), read apart from opinion.
    Event,
    /// Negation before the word it turns ("not", "tidak", "ไม่", "不").
    Negator,
    /// Negation after the word ("ない", "않", "ဘူး").
    NegatorPost,
    /// Negation on either side (Hindi, Urdu, Bengali put it after a
    /// predicate adjective and before a verb: "अच्छा नहीं", "नहीं मिला").
    NegatorAny,
    /// A word that contains a cue but is not one ("好像" is not "好",
    /// "未来" is not "未"): matched so the shorter cue is not.
    Ignore,
    /// Strengthens (weight > 1) or weakens (< 1) the next word.
    Intensifier,
    /// Strengthens or weakens the word before it ("มาก", "lắm").
    IntensifierPost,
    /// Starts a clause that outweighs the one before ("but", "แต่", "但是").
    Contrast,
}

impl Kind {
    fn parse(s: &str) -> Option<Kind> {
        Some(match s {
            "pos" => Kind::Pos,
            "neg" => Kind::Neg,
            "event" => Kind::Event,
            "negator" => Kind::Negator,
            "negator_post" => Kind::NegatorPost,
            "negator_any" => Kind::NegatorAny,
            "neutral" => Kind::Ignore,
            "intensifier" => Kind::Intensifier,
            "intensifier_post" => Kind::IntensifierPost,
            "contrast" => Kind::Contrast,
            _ => return None,
        })
    }
}

/// Language groups with a lexicon file. Malay and the regional languages of
/// Indonesia read the Indonesian file; Simplified and Traditional Chinese
/// share one file holding both spellings.
pub const GROUPS: [&str; 14] = [
    "en", "id", "th", "vi", "tl", "my", "km", "ja", "ko", "zh", "hi", "bn", "ur", "ta",
];

fn source(group: &str) -> &'static str {
    match group {
        "en" => include_str!("lexicons/en.tsv"),
        "id" => include_str!("lexicons/id.tsv"),
        "th" => include_str!("lexicons/th.tsv"),
        "vi" => include_str!("lexicons/vi.tsv"),
        "tl" => include_str!("lexicons/tl.tsv"),
        "my" => include_str!("lexicons/my.tsv"),
        "km" => include_str!("lexicons/km.tsv"),
        "ja" => include_str!("lexicons/ja.tsv"),
        "ko" => include_str!("lexicons/ko.tsv"),
        "zh" => include_str!("lexicons/zh.tsv"),
        "hi" => include_str!("lexicons/hi.tsv"),
        "bn" => include_str!("lexicons/bn.tsv"),
        "ur" => include_str!("lexicons/ur.tsv"),
        "ta" => include_str!("lexicons/ta.tsv"),
        _ => "",
    }
}

/// Groups whose text often carries English words (code-mixing, brand and
/// product words in Latin letters amid another script) also match the
/// English list. Not Indonesian or Vietnamese, where short English words
/// collide with native ones ("ban" is a tyre, "ban" a committee).
fn mixes_english(group: &str) -> bool {
    !matches!(group, "en" | "id" | "vi")
}

#[derive(Debug, Clone)]
pub struct Term {
    pub text: String,
    pub kind: Kind,
    pub weight: f32,
    left: bool,
    right: bool,
}

/// Problems in a lexicon file, with its line.
#[derive(Debug, thiserror::Error)]
#[error("lexicon {group} line {line}: {message}")]
pub struct LexiconError {
    pub group: String,
    pub line: usize,
    pub message: String,
}

/// One language group's lexicon, compiled.
pub struct Lexicon {
    pub group: &'static str,
    terms: Vec<Term>,
    /// Built on first use (see [`Lexicon::matcher`]).
    matcher: OnceLock<AhoCorasick>,
    contrast: Option<AhoCorasick>,
    /// Single-word negators, for the negation scope of word features.
    pub negator_words: FxHashSet<String>,
}

impl std::fmt::Debug for Lexicon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lexicon")
            .field("group", &self.group)
            .field("terms", &self.terms.len())
            .finish()
    }
}

/// A resolved lexicon match in normalised clause text.
#[derive(Debug, Clone)]
pub struct Cue {
    pub range: Range<usize>,
    pub kind: Kind,
    /// Signed opinion value after negation and intensity (events: > 0).
    pub value: f32,
    pub negated: bool,
}

/// What the lexicon found in a clause.
#[derive(Debug, Clone, Default)]
pub struct Hits {
    /// Sum of positive opinion values.
    pub pos: f32,
    /// Sum of negative opinion values, as a positive number.
    pub neg: f32,
    /// Sum of (non-negated) event weights.
    pub events: f32,
    pub num_negators: u32,
    pub cues: Vec<Cue>,
}

impl Hits {
    /// The cues as words for evidence: "scam", "¬good".
    pub fn cue_words(&self, text: &str) -> Vec<String> {
        self.cues
            .iter()
            .filter(|c| matches!(c.kind, Kind::Pos | Kind::Neg | Kind::Event))
            .map(|c| {
                let w = &text[c.range.clone()];
                if c.negated {
                    format!("¬{w}")
                } else {
                    w.to_string()
                }
            })
            .collect()
    }
}

/// Words apart, in a script with spaces, that negation reaches ("not very
/// good"); bytes apart in a script without (about five characters).
const NEGATION_WORDS: usize = 3;
const NEGATION_BYTES_UNSPACED: usize = 15;
/// How far after a word a post-negator may sit ("良く|ない", "좋|지 않다").
const POST_NEGATION_BYTES: usize = 10;
/// A negated opinion flips and weakens: "not good" is less bad than "bad".
const NEGATION_FACTOR: f32 = -0.75;

impl Lexicon {
    /// Parses and compiles a group's lexicon (plus English where the group
    /// mixes it).
    pub fn load(group: &'static str) -> Result<Lexicon, LexiconError> {
        let mut terms = Vec::new();
        parse(group, source(group), &mut terms)?;
        if mixes_english(group) {
            parse("en", source("en"), &mut terms)?;
        }
        // Same term twice: the first (the group's own) wins.
        let mut seen = HashSet::new();
        terms.retain(|t: &Term| seen.insert((t.text.clone(), t.kind == Kind::Contrast)));
        debug_assert!(terms.iter().all(|t| !t.text.is_empty()));
        let (contrast, rest): (Vec<Term>, Vec<Term>) =
            terms.into_iter().partition(|t| t.kind == Kind::Contrast);
        let terms = rest;
        let contrast = if contrast.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::LeftmostLongest)
                    .ascii_case_insensitive(true)
                    .build(contrast.iter().map(|t| t.text.as_str()))
                    .map_err(|e| LexiconError {
                        group: group.into(),
                        line: 0,
                        message: e.to_string(),
                    })?,
            )
        };
        let negator_words = terms
            .iter()
            .filter(|t| matches!(t.kind, Kind::Negator | Kind::NegatorAny) && !t.text.contains(' '))
            .map(|t| t.text.clone())
            .collect();
        Ok(Lexicon {
            group,
            terms,
            matcher: OnceLock::new(),
            contrast,
            negator_words,
        })
    }

    /// The automaton over the terms: a DFA, as every clause of every
    /// article is scanned and the default (a contiguous NFA past 100
    /// patterns) follows failure links on every mismatch; the DFA scanned
    /// clauses about twice as fast. It is built on first use (some 30 ms and
    /// 2 MB per lexicon), so a crawl pays only for the languages it reads
    /// and a one-off command for the one it scores.
    fn matcher(&self) -> &AhoCorasick {
        self.matcher.get_or_init(|| {
            AhoCorasickBuilder::new()
                .match_kind(MatchKind::LeftmostLongest)
                .kind(Some(AhoCorasickKind::DFA))
                .build(self.terms.iter().map(|t| t.text.as_str()))
                .expect("lexicon terms are short, non-empty strings (tested)")
        })
    }

    pub fn num_terms(&self) -> usize {
        self.terms.len()
    }

    /// Byte offsets in `text` (original, not normalised) where a contrast
    /// word starts a new clause.
    pub fn contrast_starts(&self, text: &str) -> Vec<usize> {
        let Some(ac) = &self.contrast else {
            return Vec::new();
        };
        ac.find_iter(text)
            .filter(|m| {
                let first = text[m.start()..].chars().next().unwrap_or(' ');
                let script = Script::of(first);
                script.unspaced() || at_boundary(text, m.start(), m.end(), true, true)
            })
            .map(|m| m.start())
            .collect()
    }

    /// Finds and resolves the lexicon's terms in normalised text.
    pub fn scan(&self, text: &str) -> Hits {
        let mut raw: Vec<(Range<usize>, usize)> = Vec::new();
        for m in self.matcher().find_iter(text) {
            let t = &self.terms[m.pattern().as_usize()];
            if at_boundary(text, m.start(), m.end(), t.left, t.right) {
                raw.push((m.start()..m.end(), m.pattern().as_usize()));
            }
        }
        let mut hits = Hits::default();
        for (j, (range, idx)) in raw.iter().enumerate() {
            let term = &self.terms[*idx];
            match term.kind {
                Kind::Negator | Kind::NegatorAny | Kind::NegatorPost => {
                    hits.num_negators += 1;
                    continue;
                }
                Kind::Pos | Kind::Neg | Kind::Event => {}
                _ => continue,
            }
            let unspaced = text[range.clone()]
                .chars()
                .next()
                .is_some_and(|c| Script::of(c).unspaced());
            let near_before = |r: &Range<usize>, max_words: usize| {
                r.end <= range.start && {
                    let gap = &text[r.end..range.start];
                    !gap.contains([',', ';', '、', '，'])
                        && if unspaced {
                            gap.len() <= NEGATION_BYTES_UNSPACED
                        } else {
                            gap.split_whitespace().count() <= max_words
                        }
                }
            };
            let mut negated = false;
            let mut intensity = 1.0f32;
            for (r, i) in raw[..j].iter().rev().take(4) {
                match self.terms[*i].kind {
                    Kind::Negator | Kind::NegatorAny if near_before(r, NEGATION_WORDS - 1) => {
                        negated = !negated
                    }
                    Kind::Intensifier if near_before(r, 1) => intensity *= self.terms[*i].weight,
                    _ => {}
                }
            }
            for (r, i) in raw[j + 1..].iter().take(3) {
                let gap = &text[range.end..r.start.max(range.end)];
                if r.start < range.end
                    || gap.len() > POST_NEGATION_BYTES
                    || gap.contains([',', '、', '，'])
                {
                    break;
                }
                match self.terms[*i].kind {
                    Kind::NegatorPost | Kind::NegatorAny => negated = !negated,
                    Kind::IntensifierPost => intensity *= self.terms[*i].weight,
                    _ => {}
                }
            }
            let value = match term.kind {
                Kind::Event => {
                    if negated {
                        0.0
                    } else {
                        term.weight * intensity.min(1.5)
                    }
                }
                kind => {
                    let sign = if kind == Kind::Pos { 1.0 } else { -1.0 };
                    let v = sign * term.weight * intensity;
                    if negated { v * NEGATION_FACTOR } else { v }
                }
            };
            match term.kind {
                Kind::Event => hits.events += value,
                _ if value > 0.0 => hits.pos += value,
                _ => hits.neg -= value,
            }
            hits.cues.push(Cue {
                range: range.clone(),
                kind: term.kind,
                value,
                negated,
            });
        }
        hits
    }
}

fn parse(group: &str, src: &str, out: &mut Vec<Term>) -> Result<(), LexiconError> {
    for (i, line) in src.lines().enumerate() {
        let line = line.trim_end();
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let err = |message: String| LexiconError {
            group: group.into(),
            line: i + 1,
            message,
        };
        let mut cols = line.split('\t');
        let kind = cols.next().unwrap_or_default().trim();
        let kind = Kind::parse(kind).ok_or_else(|| err(format!("unknown kind {kind:?}")))?;
        let raw = cols
            .next()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| err("no term".into()))?;
        let weight = match cols.next().map(str::trim).filter(|w| !w.is_empty()) {
            Some(w) => w
                .parse::<f32>()
                .map_err(|_| err(format!("bad weight {w:?}")))?,
            None => match kind {
                Kind::Intensifier | Kind::IntensifierPost => 1.5,
                _ => 1.0,
            },
        };
        if !(0.0..=4.0).contains(&weight) {
            return Err(err(format!("weight {weight} outside 0..4")));
        }
        // `*`: a stem (no right boundary); `$`: a whole word in a script
        // that otherwise only needs the left boundary.
        let (raw, stem, whole) = match (raw.strip_suffix('*'), raw.strip_suffix('$')) {
            (Some(r), _) => (r, true, false),
            (_, Some(r)) => (r, false, true),
            _ => (raw, false, false),
        };
        let text: String = normalize(&raw.nfc().collect::<String>());
        let first = text.chars().next().map(Script::of).unwrap_or(Script::Other);
        let last = text
            .chars()
            .next_back()
            .map(Script::of)
            .unwrap_or(Script::Other);
        out.push(Term {
            text,
            kind,
            weight,
            left: !first.unspaced(),
            right: whole || (!stem && matches!(last, Script::Latin | Script::Other)),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hits(group: &'static str, text: &str) -> Hits {
        Lexicon::load(group).unwrap().scan(&normalize(text))
    }

    #[test]
    fn every_lexicon_parses() {
        for g in GROUPS {
            let lex = Lexicon::load(g).unwrap_or_else(|e| panic!("{e}"));
            assert!(lex.num_terms() > 50, "{g}: {}", lex.num_terms());
            // The automaton is built on first use: it must build, and find
            // the lexicon's own first term.
            let first = lex.terms[0].text.clone();
            assert!(lex.matcher().find(first.as_str()).is_some(), "{g}: {first}");
        }
    }

    #[test]
    fn negation_flips_opinion_in_several_scripts() {
        assert!(hits("en", "This is good").pos > 0.0);
        let h = hits("en", "This is not good");
        assert!(h.neg > 0.0 && h.pos == 0.0, "{h:?}");
        assert!(hits("id", "tidak bagus").neg > 0.0);
        assert!(hits("th", "ไม่ดี").neg > 0.0);
        assert!(hits("zh", "服务不好").neg > 0.0);
        assert!(hits("ja", "良くない").neg > 0.0);
        assert!(hits("ko", "좋지 않다").neg > 0.0);
    }

    #[test]
    fn intensifiers_strengthen() {
        assert!(hits("en", "very good").pos > hits("en", "good").pos);
        assert!(hits("th", "อร่อยมาก").pos > hits("th", "อร่อย").pos);
    }

    #[test]
    fn latin_terms_need_word_boundaries() {
        // "ban" inside "urban" is not an event.
        assert_eq!(hits("en", "urban planning").events, 0.0);
        assert!(hits("en", "a ban on ads").events > 0.0);
    }

    #[test]
    fn negated_events_do_not_count() {
        assert!(hits("en", "was fined").events > 0.0);
        assert_eq!(hits("en", "was not fined").events, 0.0);
    }
}
