//! One article's analysis: topics, sentiment about each topic, overall
//! sentiment, and risk.
//!
//! The concept packs ([`crate::topics`]) say what an article is about and
//! where; the sentiment model ([`crate::sentiment`]) reads the sentences
//! around those places; this module joins the two and computes the risk score
//! that the digest and the search page rank by. It is the one place that
//! turns their outputs into what the index stores ([`Analysis`]), so the
//! crawl, `kabar reindex` and `kabar analyze` agree on every number.
//!
//! # Risk
//!
//! For each topic `t` with relevance `r` (0..1, from the packs), sentiment
//! score `s` (-1..1) and confidence `c`:
//!
//! ```text
//! negativity  n = max(0, -s) * c            (0 when the model abstained)
//! topic risk  R = r * (0.3 + 0.7 * n)
//! risk        = 100 * w * (1 - Π (1 - R))   clamped to 0..100
//! ```
//!
//! `w` is the source's catalog weight (1.0 for an ordinary outlet). A topic
//! the article is clearly about carries some risk even when its coverage is
//! neutral (30% of its relevance): an analyst wants to see neutral news of a
//! new gambling-ad rule. Negative coverage raises it up to the full
//! relevance. Topics combine like independent chances (noisy-OR), so an
//! article about scam ads *and* illegal loans ranks above one about either,
//! yet no sum of weak mentions passes 100. An article about no topic has
//! risk 0, whatever its overall sentiment.

use std::ops::Range;
use std::path::Path;

use crate::model::{
    SentenceEvidence, SentimentLabel, SentimentScore, TermEvidence, TextField, TopicEvidence,
    TopicScore,
};
use crate::sentiment::{Label, Sentiment, SentimentModel, TopicMentions};
use crate::topics::{TopicMatch, Topics};

/// Share of a topic's relevance that counts as risk even when the coverage
/// is neutral.
pub const RISK_FLOOR: f32 = 0.3;
/// Scored sentences kept as evidence per topic, strongest first.
const MAX_SENTENCES_PER_TOPIC: usize = 5;
/// Matched terms kept as evidence per topic, in text order.
const MAX_TERMS_PER_TOPIC: usize = 20;
/// Longest piece of a sentence kept as evidence, in characters.
const MAX_EVIDENCE_CHARS: usize = 400;

/// What analysis adds to an article.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Analysis {
    pub topics: Vec<TopicScore>,
    pub sentiment: SentimentScore,
    pub risk: f32,
    pub evidence: Vec<TopicEvidence>,
}

/// Packs and model, loaded once and shared by every worker.
pub struct Analyzer {
    topics: Topics,
    sentiment: &'static SentimentModel,
}

/// The concept packs could not be loaded; every problem is listed.
#[derive(Debug, thiserror::Error)]
#[error("the concept packs in {dir} have {} problem(s):\n{}", .problems.len(), .problems.join("\n"))]
pub struct PackLoadError {
    pub dir: String,
    pub problems: Vec<String>,
}

/// The concept packs alone, for callers that need topic ids or names but
/// not the sentiment model.
pub fn load_topics(topics_dir: &Path) -> Result<Topics, PackLoadError> {
    Topics::load(topics_dir).map_err(|errors| PackLoadError {
        dir: topics_dir.display().to_string(),
        problems: errors.iter().map(|e| e.to_string()).collect(),
    })
}

impl Analyzer {
    /// Loads the concept packs from `topics_dir` and the shipped sentiment
    /// model.
    pub fn load(topics_dir: &Path) -> Result<Analyzer, PackLoadError> {
        Ok(Analyzer::new(load_topics(topics_dir)?))
    }

    pub fn new(topics: Topics) -> Analyzer {
        Analyzer {
            topics,
            sentiment: SentimentModel::shipped(),
        }
    }

    pub fn topics(&self) -> &Topics {
        &self.topics
    }

    /// Analyses one article in language `lang`; `source_weight` is the
    /// catalog weight of its outlet.
    pub fn analyze(&self, title: &str, body: &str, lang: &str, source_weight: f64) -> Analysis {
        let matches = self.topics.find(title, body);
        // The sentiment model reads one text: the title, a paragraph break,
        // then the body. Offsets of body terms move by the title's length.
        let joined = format!("{title}\n\n{body}");
        let body_offset = title.len() + 2;
        let to_joined = |hit: &crate::topics::TermHit| -> Range<usize> {
            if hit.in_title {
                hit.start..hit.end
            } else {
                hit.start + body_offset..hit.end + body_offset
            }
        };
        let mentions: Vec<TopicMentions> = matches
            .iter()
            .map(|m| TopicMentions {
                topic: &m.topic,
                spans: m.terms.iter().map(to_joined).collect(),
            })
            .collect();
        let sentiment = self.sentiment.article(&joined, lang, &mentions);

        let mut topics = Vec::with_capacity(matches.len());
        let mut evidence = Vec::with_capacity(matches.len());
        for m in &matches {
            let about = sentiment.topics.iter().find(|t| t.topic == m.topic);
            let score = about
                .map(|t| convert(&t.sentiment))
                .unwrap_or_else(|| convert(&sentiment.overall));
            topics.push(TopicScore {
                id: m.topic.clone(),
                score: round3(m.score),
                terms: distinct_terms(m),
                sentiment: score,
            });
            let mut sentences: Vec<SentenceEvidence> = about
                .map(|t| {
                    t.evidence
                        .iter()
                        .filter(|e| e.start < e.end && joined.is_char_boundary(e.start))
                        .filter(|e| joined.is_char_boundary(e.end.min(joined.len())))
                        .map(|e| SentenceEvidence {
                            text: clip(joined[e.start..e.end.min(joined.len())].trim()),
                            score: round3(e.score),
                            cues: e.cues.clone(),
                        })
                        .collect()
                })
                .unwrap_or_default();
            sentences.sort_by(|a, b| b.score.abs().total_cmp(&a.score.abs()));
            sentences.truncate(MAX_SENTENCES_PER_TOPIC);
            evidence.push(TopicEvidence {
                topic: m.topic.clone(),
                terms: m
                    .terms
                    .iter()
                    .take(MAX_TERMS_PER_TOPIC)
                    .filter_map(|h| {
                        let text = if h.in_title { title } else { body };
                        Some(TermEvidence {
                            term: h.term.clone(),
                            text: text.get(h.start..h.end)?.to_string(),
                            field: if h.in_title {
                                TextField::Title
                            } else {
                                TextField::Body
                            },
                            start: h.start,
                            end: h.end,
                            entity: h.entity,
                        })
                    })
                    .collect(),
                sentences,
            });
        }
        let risk = risk(&topics, source_weight);
        Analysis {
            topics,
            sentiment: convert(&sentiment.overall),
            risk,
            evidence,
        }
    }
}

/// The risk formula of the module docs.
pub fn risk(topics: &[TopicScore], source_weight: f64) -> f32 {
    let mut none = 1.0f64;
    for t in topics {
        let s = &t.sentiment;
        let negativity = if s.abstained {
            0.0
        } else {
            f64::from((-s.score).max(0.0) * s.confidence.clamp(0.0, 1.0))
        };
        let topic_risk = f64::from(t.score.clamp(0.0, 1.0))
            * (f64::from(RISK_FLOOR) + (1.0 - f64::from(RISK_FLOOR)) * negativity);
        none *= 1.0 - topic_risk.clamp(0.0, 1.0);
    }
    let risk = 100.0 * source_weight * (1.0 - none);
    (risk.clamp(0.0, 100.0) * 10.0).round() as f32 / 10.0
}

fn convert(s: &Sentiment) -> SentimentScore {
    SentimentScore {
        label: match s.label {
            Label::Negative => SentimentLabel::Negative,
            Label::Neutral => SentimentLabel::Neutral,
            Label::Positive => SentimentLabel::Positive,
        },
        score: round3(s.score.clamp(-1.0, 1.0)),
        confidence: round3(s.confidence.clamp(0.0, 1.0)),
        mixed: s.mixed,
        abstained: s.abstained,
    }
}

/// The pack terms that matched, each once, in order of first match.
fn distinct_terms(m: &TopicMatch) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for hit in &m.terms {
        if !out.contains(&hit.term) {
            out.push(hit.term.clone());
        }
    }
    out
}

fn clip(s: &str) -> String {
    match s.char_indices().nth(MAX_EVIDENCE_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Scores are stored with three decimals: more is noise, and JSON stays short.
fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topic(score: f32, sentiment: f32, confidence: f32) -> TopicScore {
        TopicScore {
            id: "t".into(),
            score,
            terms: vec![],
            sentiment: SentimentScore {
                label: SentimentLabel::Neutral,
                score: sentiment,
                confidence,
                mixed: false,
                abstained: false,
            },
        }
    }

    #[test]
    fn no_topic_no_risk() {
        assert_eq!(risk(&[], 1.0), 0.0);
    }

    #[test]
    fn neutral_coverage_of_a_clear_topic_carries_the_floor() {
        assert_eq!(risk(&[topic(1.0, 0.0, 0.9)], 1.0), 30.0);
    }

    #[test]
    fn negative_coverage_raises_risk_up_to_relevance() {
        let neutral = risk(&[topic(0.8, 0.0, 0.9)], 1.0);
        let negative = risk(&[topic(0.8, -0.9, 0.9)], 1.0);
        let certain = risk(&[topic(1.0, -1.0, 1.0)], 1.0);
        assert!(negative > neutral, "{negative} > {neutral}");
        assert_eq!(certain, 100.0);
    }

    #[test]
    fn an_abstention_counts_as_neutral() {
        let mut t = topic(1.0, -0.9, 0.2);
        t.sentiment.abstained = true;
        assert_eq!(risk(&[t], 1.0), 30.0);
    }

    #[test]
    fn topics_combine_without_passing_100() {
        let one = risk(&[topic(0.6, -0.8, 0.8)], 1.0);
        let two = risk(&[topic(0.6, -0.8, 0.8), topic(0.6, -0.8, 0.8)], 1.0);
        assert!(two > one && two <= 100.0, "{one} {two}");
        let many: Vec<_> = (0..50).map(|_| topic(1.0, -1.0, 1.0)).collect();
        assert_eq!(risk(&many, 2.0), 100.0);
    }

    #[test]
    fn source_weight_scales_risk() {
        let t = [topic(0.5, -0.5, 0.8)];
        let low = risk(&t, 0.5);
        let normal = risk(&t, 1.0);
        assert!((normal / low - 2.0).abs() < 0.05, "{low} {normal}");
    }
}
