//! Relevance of a topic to a text, from its hits.
//!
//! The formula is deliberately simple enough to explain to an analyst
//! reading `kabar topics test` output:
//!
//! ```text
//! E = Σ over distinct terms (1 + TITLE_BONUS if the term is in the title)
//!     + REPEAT_WEIGHT · min(repeated hits, MAX_REPEATS)
//!     + ENTITY_WEIGHT · min(distinct entities, MAX_ENTITIES)   (only if a term hit)
//! coverage = 1 − exp(−E / E_SCALE)                 saturates in evidence
//! density  = term hits per 1,000 text units        (Han/kana/Hangul count 2)
//! focus    = min(1, FOCUS_FLOOR + FOCUS_SLOPE · density),
//!            at least TITLE_FOCUS when a term is in the title
//! score    = coverage · focus                      reported when ≥ MIN_SCORE
//! ```
//!
//! One term in a tweet scores 0.33 (reported); one passing mention in a
//! 4,000-character article 0.13 (not); three distinct terms with repeats and
//! one in the title, 0.7 or more.

use std::collections::HashSet;

/// Topics scoring below this are not reported by `Topics::find`.
pub const MIN_SCORE: f32 = 0.2;
/// Extra evidence for a term that appears in the title.
pub const TITLE_BONUS: f32 = 1.0;
/// Evidence per hit of a term already counted.
pub const REPEAT_WEIGHT: f32 = 0.3;
pub const MAX_REPEATS: usize = 10;
/// Evidence per distinct entity, once a term has established the topic.
pub const ENTITY_WEIGHT: f32 = 0.4;
pub const MAX_ENTITIES: usize = 3;
/// Evidence at which coverage reaches 1 − 1/e.
pub const E_SCALE: f32 = 2.5;
/// Focus of a text with term hits but vanishing density.
pub const FOCUS_FLOOR: f32 = 0.3;
/// Focus gained per term hit per 1,000 text units.
pub const FOCUS_SLOPE: f32 = 0.35;
/// Focus of any text with a term in its title.
pub const TITLE_FOCUS: f32 = 0.8;

/// What the hits of one topic add up to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    pub num_distinct_terms: usize,
    pub num_title_terms: usize,
    pub num_term_hits: usize,
    pub num_entities: usize,
    /// Length of title and body in text units.
    pub units: usize,
}

impl Evidence {
    /// From (term id, in title, is entity) per hit.
    pub fn from_hits(hits: impl Iterator<Item = (u32, bool, bool)>, units: usize) -> Evidence {
        let mut terms = HashSet::new();
        let mut title_terms = HashSet::new();
        let mut entities = HashSet::new();
        let mut num_term_hits = 0;
        for (term, in_title, entity) in hits {
            if entity {
                entities.insert(term);
                continue;
            }
            num_term_hits += 1;
            terms.insert(term);
            if in_title {
                title_terms.insert(term);
            }
        }
        Evidence {
            num_distinct_terms: terms.len(),
            num_title_terms: title_terms.len(),
            num_term_hits,
            num_entities: entities.len(),
            units,
        }
    }
}

/// The relevance score in 0..1 (see the module docs for the formula).
pub fn relevance(e: &Evidence) -> f32 {
    if e.num_distinct_terms == 0 {
        return 0.0;
    }
    let repeats = (e.num_term_hits - e.num_distinct_terms).min(MAX_REPEATS);
    let evidence = e.num_distinct_terms as f32
        + TITLE_BONUS * e.num_title_terms as f32
        + REPEAT_WEIGHT * repeats as f32
        + ENTITY_WEIGHT * e.num_entities.min(MAX_ENTITIES) as f32;
    let coverage = 1.0 - (-evidence / E_SCALE).exp();
    let density = e.num_term_hits as f32 * 1000.0 / e.units.max(1) as f32;
    let mut focus = (FOCUS_FLOOR + FOCUS_SLOPE * density).min(1.0);
    if e.num_title_terms > 0 {
        focus = focus.max(TITLE_FOCUS);
    }
    (coverage * focus).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(distinct: usize, title: usize, hits: usize, entities: usize, units: usize) -> Evidence {
        Evidence {
            num_distinct_terms: distinct,
            num_title_terms: title,
            num_term_hits: hits,
            num_entities: entities,
            units,
        }
    }

    #[test]
    fn one_term_in_a_tweet_is_reported_a_passing_mention_is_not() {
        assert!(relevance(&ev(1, 0, 1, 0, 150)) >= MIN_SCORE);
        assert!(relevance(&ev(1, 0, 1, 0, 4000)) < MIN_SCORE);
    }

    #[test]
    fn more_evidence_scores_higher_and_saturates() {
        let weak = relevance(&ev(1, 0, 2, 0, 2000));
        let strong = relevance(&ev(3, 1, 6, 0, 2000));
        let boosted = relevance(&ev(3, 1, 6, 2, 2000));
        assert!(weak < strong && strong < boosted && boosted <= 1.0);
        assert!(relevance(&ev(40, 5, 200, 3, 2000)) <= 1.0);
    }

    #[test]
    fn entities_alone_score_nothing() {
        assert_eq!(relevance(&ev(0, 0, 0, 3, 100)), 0.0);
    }
}
