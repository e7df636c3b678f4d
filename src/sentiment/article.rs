//! Sentiment about a topic: sentences and clauses, evidence, aggregation.
//!
//! Text is cut into sentences ([`super::text::sentences`]) and each sentence
//! into clauses at contrast words ("but", "tapi", "แต่", "nhưng", "但是",
//! "しかし", "하지만", "लेकिन" ...). When a sentence has a contrast, its last
//! clause weighs [`AFTER_CONTRAST`] and the ones before [`BEFORE_CONTRAST`]:
//! "the app is popular, but scam ads are everywhere" is about the scam ads.
//!
//! Each clause gets a value in [−1, 1]: the opinion score (0 when the model
//! abstains or the score is under [`CLAUSE_FLOOR`]), combined with events:
//! an event word caps the opinion at zero and subtracts [`EVENT_WEIGHT`] per
//! event (at most 1). A topic reads the sentences holding one of its
//! mentions (weight 1) and their neighbours ([`NEIGHBOUR_WEIGHT`]).
//!
//! Aggregation keeps positive and negative mass apart:
//! `score = (pos − neg) / (pos + neg + PRIOR)`, so one strong clause gives a
//! clear but not extreme score and balanced evidence cancels. The topic
//! abstains (neutral, `abstained`) when `pos + neg < MIN_EVIDENCE`, and is
//! `mixed` when both masses reach [`MIXED_MIN`] and the smaller is at least
//! [`MIXED_RATIO`] of the larger.

use std::ops::Range;

use serde::Serialize;

use super::text::sentences;
use super::{Label, Sentiment, SentimentModel};

/// Weight of the clause after a contrast word.
pub const AFTER_CONTRAST: f32 = 1.5;
/// Weight of clauses before a contrast word.
pub const BEFORE_CONTRAST: f32 = 0.5;
/// Weight of a sentence next to one that mentions the topic.
pub const NEIGHBOUR_WEIGHT: f32 = 0.5;
/// Each (non-negated) event word pulls the clause this far negative.
pub const EVENT_WEIGHT: f32 = 0.6;
/// Clause values closer to zero than this count as no evidence (the model's
/// noise on neutral news sentences).
pub const CLAUSE_FLOOR: f32 = 0.15;
/// Shrinks scores built on little evidence toward zero.
pub const PRIOR: f32 = 0.5;
/// Less evidence mass than this: abstain.
pub const MIN_EVIDENCE: f32 = 0.3;
/// |score| below this is neutral.
pub const LABEL_THRESHOLD: f32 = 0.15;
/// Both masses at least this, and the smaller at least [`MIXED_RATIO`] of
/// the larger: mixed.
pub const MIXED_MIN: f32 = 0.4;
pub const MIXED_RATIO: f32 = 0.33;
/// At most this many evidence items per topic, strongest first.
pub const MAX_EVIDENCE: usize = 8;

/// Where a topic is mentioned, as the topic matcher found it.
#[derive(Debug, Clone)]
pub struct TopicMentions<'a> {
    pub topic: &'a str,
    /// Byte ranges in the text.
    pub spans: Vec<Range<usize>>,
}

/// A topic's sentiment and the clauses behind it.
#[derive(Debug, Clone, Serialize)]
pub struct TopicSentiment {
    pub topic: String,
    pub sentiment: Sentiment,
    pub evidence: Vec<Evidence>,
}

/// One clause that moved a score.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// Byte range of the clause in the text.
    pub start: usize,
    pub end: usize,
    /// The clause's value, −1 … 1, before weighting.
    pub score: f32,
    /// Lexicon and event words found in it ("¬" marks a negated one).
    pub cues: Vec<String>,
}

/// The article's overall sentiment and one per topic mentioned.
#[derive(Debug, Clone, Serialize)]
pub struct ArticleSentiment {
    pub overall: Sentiment,
    pub topics: Vec<TopicSentiment>,
}

struct Clause {
    range: Range<usize>,
    sentence: usize,
    weight: f32,
    value: f32,
    cues: Vec<String>,
}

impl SentimentModel {
    /// Overall and per-topic sentiment of an article in `lang`.
    pub fn article(&self, text: &str, lang: &str, mentions: &[TopicMentions]) -> ArticleSentiment {
        let route = self.route(lang, text);
        let lexicon = self.lexicon(route);
        let sents = sentences(text);
        let mut clauses: Vec<Clause> = Vec::with_capacity(sents.len());
        for (si, s) in sents.iter().enumerate() {
            let starts = lexicon.contrast_starts(&text[s.clone()]);
            // A sentence that opens with a contrast word ("But ...", or Thai
            // "แต่..." after a space break) turns against the one before.
            if starts.first() == Some(&0) && si > 0 {
                for c in clauses.iter_mut().filter(|c| c.sentence == si - 1) {
                    c.weight = c.weight.min(BEFORE_CONTRAST);
                }
            }
            let opens_with_contrast = starts.first() == Some(&0) && si > 0;
            let cuts: Vec<usize> = starts
                .into_iter()
                .filter(|&c| c > 0)
                .map(|c| s.start + c)
                .collect();
            let mut start = s.start;
            let contrasted = !cuts.is_empty() || opens_with_contrast;
            for (i, end) in cuts.iter().copied().chain([s.end]).enumerate() {
                let range = trim(text, start..end);
                start = end;
                if range.is_empty() {
                    continue;
                }
                let weight = match (contrasted, i == cuts.len()) {
                    (false, _) => 1.0,
                    (true, true) => AFTER_CONTRAST,
                    (true, false) => BEFORE_CONTRAST,
                };
                let reading = self.read(&text[range.clone()], route, true);
                let opinion = if reading.sentiment.abstained
                    || reading.sentiment.score.abs() < CLAUSE_FLOOR
                {
                    0.0
                } else {
                    reading.sentiment.score
                };
                let event = (reading.hits.events * EVENT_WEIGHT).min(1.0);
                let value = if event > 0.0 {
                    (opinion.min(0.0) - event).max(-1.0)
                } else {
                    opinion
                };
                clauses.push(Clause {
                    range,
                    sentence: si,
                    weight,
                    value,
                    cues: reading.cue_words,
                });
            }
        }

        let overall = aggregate(clauses.iter().map(|c| (c, c.weight))).0;
        let topics = mentions
            .iter()
            .map(|m| {
                let mut sentence_weight = vec![0f32; sents.len()];
                for (si, s) in sents.iter().enumerate() {
                    if m.spans
                        .iter()
                        .any(|sp| sp.start < s.end && sp.end > s.start)
                    {
                        sentence_weight[si] = 1.0;
                        if si > 0 {
                            sentence_weight[si - 1] = sentence_weight[si - 1].max(NEIGHBOUR_WEIGHT);
                        }
                        if si + 1 < sents.len() {
                            sentence_weight[si + 1] = sentence_weight[si + 1].max(NEIGHBOUR_WEIGHT);
                        }
                    }
                }
                let (sentiment, evidence) = aggregate(
                    clauses
                        .iter()
                        .filter(|c| sentence_weight[c.sentence] > 0.0)
                        .map(|c| (c, c.weight * sentence_weight[c.sentence])),
                );
                TopicSentiment {
                    topic: m.topic.to_string(),
                    sentiment,
                    evidence,
                }
            })
            .collect();
        ArticleSentiment { overall, topics }
    }
}

fn trim(text: &str, r: Range<usize>) -> Range<usize> {
    let s = &text[r.clone()];
    let lead = s.len() - s.trim_start().len();
    let t = s.trim();
    r.start + lead..r.start + lead + t.len()
}

fn aggregate<'a>(clauses: impl Iterator<Item = (&'a Clause, f32)>) -> (Sentiment, Vec<Evidence>) {
    let mut pos = 0f32;
    let mut neg = 0f32;
    let mut evidence: Vec<(f32, Evidence)> = Vec::new();
    for (c, w) in clauses {
        if c.value.abs() < CLAUSE_FLOOR {
            continue;
        }
        if c.value > 0.0 {
            pos += w * c.value;
        } else {
            neg -= w * c.value;
        }
        evidence.push((
            (w * c.value).abs(),
            Evidence {
                start: c.range.start,
                end: c.range.end,
                score: c.value,
                cues: c.cues.clone(),
            },
        ));
    }
    evidence.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.start.cmp(&b.1.start)));
    evidence.truncate(MAX_EVIDENCE);
    let evidence = evidence.into_iter().map(|(_, e)| e).collect();
    let total = pos + neg;
    let score = (pos - neg) / (total + PRIOR);
    debug_assert!((-1.0..=1.0).contains(&score));
    let abstained = total < MIN_EVIDENCE;
    let mixed = pos >= MIXED_MIN && neg >= MIXED_MIN && pos.min(neg) >= MIXED_RATIO * pos.max(neg);
    let label = if abstained || score.abs() < LABEL_THRESHOLD {
        Label::Neutral
    } else if score > 0.0 {
        Label::Positive
    } else {
        Label::Negative
    };
    let sentiment = Sentiment {
        label,
        score,
        confidence: if abstained {
            score.abs().min(0.2)
        } else {
            score.abs()
        },
        mixed,
        abstained,
    };
    (sentiment, evidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topic(text: &str, lang: &str, term: &str) -> TopicSentiment {
        let start = text
            .find(term)
            .unwrap_or_else(|| panic!("{term} not in {text}"));
        let m = TopicMentions {
            topic: "t",
            spans: std::iter::once(start..start + term.len()).collect(),
        };
        SentimentModel::shipped()
            .article(text, lang, &[m])
            .topics
            .remove(0)
    }

    #[test]
    fn contrast_word_shifts_the_weight_to_the_second_clause() {
        let t = topic(
            "The marketplace is popular, but its sellers are terrible and dishonest.",
            "en",
            "marketplace",
        );
        assert_eq!(t.sentiment.label, Label::Negative, "{t:?}");
        let t = topic(
            "Aplikasi ini ada masalah kecil, tapi secara keseluruhan sangat bagus dan memuaskan.",
            "id",
            "Aplikasi",
        );
        assert_eq!(t.sentiment.label, Label::Positive, "{t:?}");
    }

    #[test]
    fn neutral_toned_enforcement_news_is_negative() {
        let t = topic(
            "Police arrested five people over scam ads on the platform on Tuesday.",
            "en",
            "platform",
        );
        assert_eq!(t.sentiment.label, Label::Negative, "{t:?}");
        assert!(
            t.evidence[0]
                .cues
                .iter()
                .any(|c| c.contains("scam") || c.contains("arrest")),
            "{t:?}"
        );
        // Praise for the regulator is not praise for the platform.
        let t = topic(
            "The regulator was praised for its crackdown on the platform's scam ads.",
            "en",
            "platform",
        );
        assert_eq!(t.sentiment.label, Label::Negative, "{t:?}");
    }

    #[test]
    fn weak_evidence_abstains() {
        let t = topic(
            "The company published its quarterly schedule on Monday.",
            "en",
            "company",
        );
        assert!(t.sentiment.abstained, "{t:?}");
        assert_eq!(t.sentiment.label, Label::Neutral);
    }

    #[test]
    fn mentions_outside_the_text_give_no_evidence() {
        let m = TopicMentions {
            topic: "x",
            spans: vec![],
        };
        let a = SentimentModel::shipped().article("Great news.", "en", &[m]);
        assert!(a.topics[0].sentiment.abstained);
    }
}
