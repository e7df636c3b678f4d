//! TEMPORARY STUB on the integrate branch: replaced by the sentiment branch.
use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    Negative,
    Neutral,
    Positive,
}

#[derive(Debug, Clone)]
pub struct Sentiment {
    pub label: Label,
    pub score: f32,
    pub confidence: f32,
    pub mixed: bool,
    pub abstained: bool,
}

pub struct TopicMentions<'a> {
    pub topic: &'a str,
    pub spans: Vec<Range<usize>>,
}

#[derive(Debug, Clone)]
pub struct Evidence {
    pub start: usize,
    pub end: usize,
    pub score: f32,
    pub cues: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct TopicSentiment {
    pub topic: String,
    pub sentiment: Sentiment,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone)]
pub struct ArticleSentiment {
    pub overall: Sentiment,
    pub topics: Vec<TopicSentiment>,
}

pub struct SentimentModel;

static MODEL: SentimentModel = SentimentModel;

impl SentimentModel {
    pub fn shipped() -> &'static SentimentModel {
        &MODEL
    }

    pub fn score(&self, text: &str, _lang: &str) -> Sentiment {
        let neg = ["scam", "fined", "หลอกลวง"]
            .iter()
            .any(|w| text.contains(w));
        Sentiment {
            label: if neg { Label::Negative } else { Label::Neutral },
            score: if neg { -0.6 } else { 0.0 },
            confidence: 0.7,
            mixed: false,
            abstained: false,
        }
    }

    pub fn article(&self, text: &str, lang: &str, mentions: &[TopicMentions]) -> ArticleSentiment {
        let overall = self.score(text, lang);
        ArticleSentiment {
            topics: mentions
                .iter()
                .map(|m| TopicSentiment {
                    topic: m.topic.to_string(),
                    sentiment: overall.clone(),
                    evidence: m
                        .spans
                        .iter()
                        .map(|s| Evidence {
                            start: s.start,
                            end: s.end,
                            score: overall.score,
                            cues: vec![],
                        })
                        .collect(),
                })
                .collect(),
            overall,
        }
    }
}
