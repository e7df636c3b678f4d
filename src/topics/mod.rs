//! TEMPORARY STUB on the integrate branch: replaced by the topics branch.
use std::path::Path;

#[derive(Debug, Clone)]
pub struct TermHit {
    pub term: String,
    pub lang: String,
    pub start: usize,
    pub end: usize,
    pub in_title: bool,
    pub entity: bool,
}

#[derive(Debug, Clone)]
pub struct TopicMatch {
    pub topic: String,
    pub score: f32,
    pub terms: Vec<TermHit>,
}

#[derive(Debug)]
pub struct Topics {
    terms: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct PackError(pub String);

impl std::fmt::Display for PackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Topics {
    pub fn load(_dir: &Path) -> Result<Topics, Vec<PackError>> {
        Ok(Topics {
            terms: vec![
                ("scam-ads".into(), "scam".into()),
                ("scam-ads".into(), "หลอกลวง".into()),
                ("gambling-ads".into(), "judi online".into()),
                ("ad-regulation".into(), "fined".into()),
            ],
        })
    }

    pub fn names(&self) -> std::collections::BTreeMap<String, String> {
        self.ids().map(|i| (i.to_string(), i.to_string())).collect()
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.terms.iter().map(|(t, _)| t.as_str())
    }

    pub fn find(&self, title: &str, body: &str) -> Vec<TopicMatch> {
        let mut out: Vec<TopicMatch> = Vec::new();
        for (topic, term) in &self.terms {
            for (text, in_title) in [(title, true), (body, false)] {
                for (start, m) in text.to_lowercase().match_indices(term.as_str()) {
                    let hit = TermHit {
                        term: term.clone(),
                        lang: "en".into(),
                        start,
                        end: start + m.len(),
                        in_title,
                        entity: false,
                    };
                    match out.iter_mut().find(|t| &t.topic == topic) {
                        Some(t) => t.terms.push(hit),
                        None => out.push(TopicMatch {
                            topic: topic.clone(),
                            score: 0.5,
                            terms: vec![hit],
                        }),
                    }
                }
            }
        }
        out
    }
}
