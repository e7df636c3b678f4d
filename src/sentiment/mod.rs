//! Sentiment about a topic, in the article's own language.
//!
//! Two sources of evidence, read apart and combined per clause:
//!
//! * **Opinion**: a hashed character- and word-n-gram linear model per
//!   language group ([`linear`], [`features`]), trained by `kabar sentiment
//!   train` ([`train`]) on the labelled data of seven languages (en, id, th,
//!   ja, ko, tl, romanised hi), with lexicon counts among its features.
//!   Languages without training data (vi, my, km, zh, bn, ta, ur and Hindi in
//!   Devanagari) are scored by their lexicon with negation and intensifier
//!   rules ([`lexicon`]); Malay and the regional languages of Indonesia use
//!   the Indonesian model and lexicon.
//! * **Events**: scams, fraud, fines, bans, arrests, takedowns, lawsuits and
//!   leaks are bad news for the platform whatever the tone. Event words pull
//!   a clause negative and cap its opinion at zero, so "regulator praised
//!   for crackdown on scam ads" is still negative for the platform
//!   ([`article`]).
//!
//! [`SentimentModel::score`] is opinion only (what the labelled data
//! measure); [`SentimentModel::article`] splits text into sentences and
//! clauses, weighs the clause after a contrast word more, scores the
//! sentences that mention each topic and their neighbours, and aggregates
//! with abstention and a mixed flag.
//!
//! The shipped model is `models/sentiment.bin`, embedded in the binary; the
//! lexicons are `src/sentiment/lexicons/*.tsv`. See ARCHITECTURE.md
//! ("sentiment") and `models/README.md` for data and licences.

pub mod article;
pub mod eval;
pub mod features;
pub mod lexicon;
pub mod linear;
pub mod text;
pub mod train;

use std::cell::RefCell;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use features::Scratch;
use lexicon::{GROUPS, Hits, Lexicon};
use linear::{LinearModel, ModelFileError};
use text::Script;

pub use article::{ArticleSentiment, Evidence, TopicMentions, TopicSentiment};

/// The model file shipped in the repository.
pub const SHIPPED_MODEL: &[u8] = include_bytes!("../../models/sentiment.bin");

/// A sentiment label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    Negative,
    Neutral,
    Positive,
}

impl Label {
    pub const ALL: [Label; 3] = [Label::Negative, Label::Neutral, Label::Positive];

    pub fn as_str(self) -> &'static str {
        match self {
            Label::Negative => "negative",
            Label::Neutral => "neutral",
            Label::Positive => "positive",
        }
    }

    pub fn parse(s: &str) -> Option<Label> {
        match s.trim().to_ascii_lowercase().as_str() {
            "negative" | "neg" => Some(Label::Negative),
            "neutral" | "neu" => Some(Label::Neutral),
            "positive" | "pos" => Some(Label::Positive),
            _ => None,
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Label {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A sentiment judgement.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    pub label: Label,
    /// −1 (negative) … +1 (positive).
    pub score: f32,
    /// 0 … 1: how sure the label is.
    pub confidence: f32,
    /// Strong positive and strong negative evidence both.
    pub mixed: bool,
    /// Too little evidence to judge: the label is neutral by default.
    pub abstained: bool,
}

impl Sentiment {
    /// No evidence at all.
    pub const NONE: Sentiment = Sentiment {
        label: Label::Neutral,
        score: 0.0,
        confidence: 0.0,
        mixed: false,
        abstained: true,
    };
}

/// Three-class model: below this top probability the model abstains.
const MIN_TOP_PROBABILITY: f32 = 0.40;
/// Binary models (ko, tl: trained without neutral rows): a text is neutral
/// (abstained) when |p(pos) − p(neg)| is below this.
pub const BINARY_NEUTRAL_MARGIN: f32 = 0.2;
/// Mixed when both polar classes get at least this probability.
const MIXED_PROBABILITY: f32 = 0.3;
/// Lexicon-only scoring: x / sqrt(x² + α) maps summed cue values to (−1, 1).
const LEXICON_ALPHA: f32 = 2.0;
/// Lexicon-only label threshold on that score (one plain cue word passes).
const LEXICON_LABEL_THRESHOLD: f32 = 0.3;
/// A lexicon's judgement is less sure than a trained model's.
const LEXICON_MAX_CONFIDENCE: f32 = 0.6;

/// Where a language's text goes: its lexicon, and its trained model if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    pub lexicon: usize,
    pub model: Option<usize>,
}

/// The shipped sentiment model: trained linear models and lexicons.
pub struct SentimentModel {
    /// What the model file says it was trained on (JSON).
    pub header: String,
    models: Vec<LinearModel>,
    lexicons: Vec<Lexicon>,
}

impl std::fmt::Debug for SentimentModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentimentModel")
            .field(
                "models",
                &self.models.iter().map(|m| &m.group).collect::<Vec<_>>(),
            )
            .field("lexicons", &self.lexicons.len())
            .finish()
    }
}

/// Errors loading a model.
#[derive(Debug, thiserror::Error)]
pub enum SentimentError {
    #[error(transparent)]
    File(#[from] ModelFileError),
    #[error(transparent)]
    Lexicon(#[from] lexicon::LexiconError),
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// Opinion read from one piece of text, with the lexicon's findings.
pub(crate) struct Reading {
    pub sentiment: Sentiment,
    pub hits: Hits,
    /// The cues as evidence words ([`Hits::cue_words`]), when asked for.
    pub cue_words: Vec<String>,
}

impl SentimentModel {
    /// The model shipped in the repository, loaded once.
    pub fn shipped() -> &'static SentimentModel {
        static MODEL: OnceLock<SentimentModel> = OnceLock::new();
        MODEL.get_or_init(|| {
            SentimentModel::from_bytes(SHIPPED_MODEL)
                .expect("the shipped sentiment model is valid (tested)")
        })
    }

    /// Loads a model file's bytes; an empty slice gives lexicons only.
    pub fn from_bytes(bytes: &[u8]) -> Result<SentimentModel, SentimentError> {
        let (header, models) = if bytes.is_empty() {
            (String::from("{}"), Vec::new())
        } else {
            linear::read(bytes)?
        };
        SentimentModel::from_parts(header, models)
    }

    pub(crate) fn from_parts(
        header: String,
        models: Vec<LinearModel>,
    ) -> Result<SentimentModel, SentimentError> {
        let lexicons = GROUPS
            .iter()
            .map(|g| Lexicon::load(g))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(SentimentModel {
            header,
            models,
            lexicons,
        })
    }

    /// Groups with a trained model.
    pub fn trained_groups(&self) -> Vec<&str> {
        self.models.iter().map(|m| m.group.as_str()).collect()
    }

    /// Bytes the model holds on the heap (weights and biases; lexicons not
    /// counted).
    pub fn weight_bytes(&self) -> usize {
        self.models.iter().map(LinearModel::heap_bytes).sum()
    }

    fn lexicon_index(group: &str) -> usize {
        GROUPS.iter().position(|g| *g == group).unwrap_or(0)
    }

    fn model_index(&self, group: &str) -> Option<usize> {
        self.models.iter().position(|m| m.group == group)
    }

    /// Which lexicon and model read text in `lang` (a kabar language code
    /// such as `th`, `zh-Hant`, `ms`; unknown or empty: by script).
    pub fn route(&self, lang: &str, text: &str) -> Route {
        let primary = lang
            .split(['-', '_'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let latin = || text::dominant_script(text) == Script::Latin;
        let (lex, model): (&str, Option<&str>) = match primary.as_str() {
            "en" => ("en", Some("en")),
            "id" | "in" | "ms" | "jv" | "su" | "ace" | "ban" | "bjn" | "bug" | "mad" | "min"
            | "nij" | "bbc" => ("id", Some("id")),
            "th" => ("th", Some("th")),
            "ja" => ("ja", Some("ja")),
            "ko" => ("ko", Some("ko")),
            "tl" | "fil" => ("tl", Some("tl")),
            // Hindi tweets in the training data are romanised; romanised
            // Urdu is the same spoken language in the same letters.
            "hi" | "ur" if latin() => ("hi", Some("hi")),
            "hi" => ("hi", None),
            "ur" => ("ur", None),
            "zh" | "cmn" | "yue" => ("zh", None),
            "vi" | "my" | "km" | "bn" | "ta" => (GROUPS[Self::lexicon_index(&primary)], None),
            _ => match text::dominant_script(text) {
                Script::Thai | Script::Lao => ("th", Some("th")),
                Script::Han => ("zh", None),
                Script::Kana => ("ja", Some("ja")),
                Script::Hangul => ("ko", Some("ko")),
                Script::Devanagari => ("hi", None),
                Script::Bengali => ("bn", None),
                Script::Tamil => ("ta", None),
                Script::Arabic => ("ur", None),
                Script::Myanmar => ("my", None),
                Script::Khmer => ("km", None),
                _ => ("en", Some("en")),
            },
        };
        Route {
            lexicon: Self::lexicon_index(lex),
            model: model.and_then(|m| self.model_index(m)),
        }
    }

    /// Opinion of a text (no event rules): what labelled sentiment data
    /// measure.
    pub fn score(&self, text: &str, lang: &str) -> Sentiment {
        let route = self.route(lang, text);
        self.read(text, route, false).sentiment
    }

    /// Scores text with a given route; with `cue_words`, also names the
    /// cues, read from the normalised text already at hand.
    pub(crate) fn read(&self, text: &str, route: Route, cue_words: bool) -> Reading {
        SCRATCH.with(|s| {
            let mut scratch = s.borrow_mut();
            let mut norm = std::mem::take(&mut scratch.norm);
            text::normalize_into(text, &mut norm);
            let lexicon = &self.lexicons[route.lexicon];
            let hits = lexicon.scan(&norm);
            let sentiment = match route.model {
                Some(m) => {
                    let model = &self.models[m];
                    features::extract(&norm, &hits, lexicon, model.mask(), &mut scratch);
                    let mut p = [0f32; 3];
                    model.predict(&scratch.feats, &mut p);
                    from_probabilities(model.classes, p)
                }
                None => from_lexicon(&hits),
            };
            let cue_words = if cue_words {
                hits.cue_words(&norm)
            } else {
                Vec::new()
            };
            scratch.norm = norm;
            Reading {
                sentiment,
                hits,
                cue_words,
            }
        })
    }

    /// The lexicon a route reads with.
    pub(crate) fn lexicon(&self, route: Route) -> &Lexicon {
        &self.lexicons[route.lexicon]
    }
}

/// A trained model's class probabilities as a [`Sentiment`].
fn from_probabilities(classes: usize, p: [f32; 3]) -> Sentiment {
    if classes == 2 {
        let (neg, pos) = (p[0], p[1]);
        let score = pos - neg;
        let abstained = score.abs() < BINARY_NEUTRAL_MARGIN;
        let label = if abstained {
            Label::Neutral
        } else if score > 0.0 {
            Label::Positive
        } else {
            Label::Negative
        };
        return Sentiment {
            label,
            score,
            confidence: score.abs(),
            mixed: neg >= MIXED_PROBABILITY && pos >= MIXED_PROBABILITY && abstained,
            abstained,
        };
    }
    let (neg, neu, pos) = (p[0], p[1], p[2]);
    let top = neg.max(neu).max(pos);
    let abstained = top < MIN_TOP_PROBABILITY;
    let label = if abstained || top == neu {
        Label::Neutral
    } else if top == pos {
        Label::Positive
    } else {
        Label::Negative
    };
    Sentiment {
        label,
        score: pos - neg,
        confidence: ((top - 1.0 / 3.0) * 1.5).clamp(0.0, 1.0),
        mixed: neg >= MIXED_PROBABILITY && pos >= MIXED_PROBABILITY,
        abstained,
    }
}

/// Lexicon-only judgement (languages without training data).
fn from_lexicon(h: &Hits) -> Sentiment {
    if h.pos == 0.0 && h.neg == 0.0 {
        return Sentiment::NONE;
    }
    let x = h.pos - h.neg;
    let score = x / (x * x + LEXICON_ALPHA).sqrt();
    let label = if score >= LEXICON_LABEL_THRESHOLD {
        Label::Positive
    } else if score <= -LEXICON_LABEL_THRESHOLD {
        Label::Negative
    } else {
        Label::Neutral
    };
    Sentiment {
        label,
        score,
        confidence: (score.abs() * LEXICON_MAX_CONFIDENCE).min(LEXICON_MAX_CONFIDENCE),
        mixed: h.pos >= 1.0 && h.neg >= 1.0,
        abstained: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_model_loads_with_every_trained_group() {
        let m = SentimentModel::shipped();
        let groups = m.trained_groups();
        for g in ["en", "id", "th", "ja", "ko", "tl", "hi"] {
            assert!(groups.contains(&g), "{g} missing: {groups:?}");
        }
    }

    #[test]
    fn routes_follow_language_and_script() {
        let m = SentimentModel::shipped();
        let lex = |lang: &str, text: &str| GROUPS[m.route(lang, text).lexicon];
        assert_eq!(lex("ms", "bagus"), "id");
        assert_eq!(lex("zh-Hant", "很好"), "zh");
        assert_eq!(lex("hi", "bahut accha"), "hi");
        assert!(m.route("hi", "bahut accha").model.is_some());
        assert!(m.route("hi", "बहुत अच्छा").model.is_none());
        assert_eq!(lex("ur", "bohat acha hai"), "hi");
        assert_eq!(lex("ur", "بہت اچھا"), "ur");
        assert_eq!(lex("", "ดีมาก"), "th");
    }

    #[test]
    fn opinion_in_every_first_class_language() {
        let m = SentimentModel::shipped();
        let cases = [
            (
                "en",
                "This app is terrible and the support is awful.",
                Label::Negative,
            ),
            ("en", "I love this, it is wonderful!", Label::Positive),
            (
                "id",
                "pelayanan nya sangat buruk dan mengecewakan",
                Label::Negative,
            ),
            ("id", "makanan nya enak sekali , saya puas", Label::Positive),
            (
                "ms",
                "perkhidmatan sangat teruk dan mengecewakan",
                Label::Negative,
            ),
            ("th", "แย่มาก ไม่ประทับใจเลย", Label::Negative),
            ("th", "ดีมากครับ ชอบมาก", Label::Positive),
            ("ko", "정말 재미있고 감동적인 영화", Label::Positive),
            ("ko", "최악이다 돈 아깝다", Label::Negative),
            (
                "ja",
                "売上高は前期比で大幅に増加し、好調に推移しました",
                Label::Positive,
            ),
            ("ja", "業績は悪化し、減収となりました", Label::Negative),
            ("tl", "ang ganda naman nito, salamat", Label::Positive),
            ("hi", "bahut bekar movie hai, bakwas", Label::Negative),
            ("hi", "यह सेवा बहुत खराब है", Label::Negative),
            ("vi", "Dịch vụ rất tệ, tôi thất vọng", Label::Negative),
            ("vi", "Sản phẩm rất tốt, tôi hài lòng", Label::Positive),
            ("zh-Hans", "服务很差，令人失望", Label::Negative),
            ("zh-Hant", "服務非常好，令人滿意", Label::Positive),
            ("my", "ဝန်ဆောင်မှု အရမ်းကောင်းတယ်", Label::Positive),
            ("km", "សេវាកម្មនេះល្អណាស់", Label::Positive),
            ("bn", "এই সেবা খুব খারাপ", Label::Negative),
            ("ta", "இந்த சேவை மிகவும் மோசமானது", Label::Negative),
            ("ur", "یہ سروس بہت اچھی ہے", Label::Positive),
        ];
        for (lang, text, want) in cases {
            let s = m.score(text, lang);
            assert_eq!(s.label, want, "{lang}: {text}: {s:?}");
            assert!((-1.0..=1.0).contains(&s.score) && (0.0..=1.0).contains(&s.confidence));
        }
    }

    #[test]
    fn label_serialises_in_lower_case() {
        assert_eq!(
            serde_json::to_string(&Label::Negative).unwrap(),
            "\"negative\""
        );
    }
}
