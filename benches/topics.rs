//! Topic matching, measured: pack load time, and documents per second on
//! one thread (= per core) for short and article-length multilingual texts.
//!
//! `cargo bench --bench topics [-- PACKS]` loads the packs (default
//! `topics/`), then matches:
//!
//! - short: the labelled texts of `eval/lang` (tweet-length news sentences
//!   in the first-class languages) plus the test sentences of
//!   `tests/fixtures/topics`, one document each;
//! - long: articles of about 4,000 bytes built by joining texts of one
//!   language, with a title.
//!
//! Matching runs `Topics::find` (normalisation, automaton, boundaries,
//! scoring) for at least `MIN_SECONDS` per set.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use kabar::topics::Topics;

const MIN_SECONDS: f64 = 2.0;
const ARTICLE_BYTES: usize = 4000;
const LOAD_ROUNDS: u32 = 5;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let packs = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("topics"));

    let mut load = Duration::MAX;
    let mut topics = None;
    for _ in 0..LOAD_ROUNDS {
        let start = Instant::now();
        let loaded = Topics::load(&packs).unwrap_or_else(|e| panic!("{e:?}"));
        load = load.min(start.elapsed());
        topics = Some(loaded);
    }
    let topics = topics.expect("loaded");
    println!(
        "load: {:.1} ms (best of {LOAD_ROUNDS}) for {} topics and {} entities",
        load.as_secs_f64() * 1e3,
        topics.topics().len(),
        topics.entities().len()
    );

    let short = short_texts(&root);
    let long = articles(&short);
    for (name, docs) in [("short", &short), ("long", &long)] {
        let bytes: usize = docs.iter().map(|(t, b)| t.len() + b.len()).sum();
        let (per_second, with_topic) = measure(&topics, docs);
        println!(
            "{name:<5}: {:>6} docs of {:>5} bytes on average, {:>9.0} docs/s on one thread ({:.1} MB/s), {:.0}% with a topic",
            docs.len(),
            bytes / docs.len().max(1),
            per_second,
            per_second * (bytes as f64 / docs.len() as f64) / 1e6,
            with_topic * 100.0
        );
    }
}

/// (title, body) pairs; short ones have no title.
fn short_texts(root: &std::path::Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("eval/lang"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.push(root.join("tests/fixtures/topics/sentences.jsonl"));
    files.push(root.join("tests/fixtures/topics/near-misses.jsonl"));
    files.sort();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for line in text.lines() {
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(line)
                && let Some(t) = v["text"].as_str()
            {
                out.push((String::new(), t.to_string()));
            }
        }
    }
    assert!(!out.is_empty(), "no texts found under eval/lang");
    out
}

/// Articles of about `ARTICLE_BYTES`, each from consecutive short texts
/// (which are grouped by language), the first one as the title.
fn articles(short: &[(String, String)]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for start in 0..short.len() {
        let title = short[start].1.clone();
        let mut body = String::new();
        let mut i = start + 1;
        while body.len() < ARTICLE_BYTES {
            body.push_str(&short[i % short.len()].1);
            body.push_str("\n\n");
            i += 1;
        }
        out.push((title, body));
    }
    out
}

/// Documents per second and the share of documents with a reported topic.
fn measure(topics: &Topics, docs: &[(String, String)]) -> (f64, f64) {
    let mut with_topic = 0usize;
    for (t, b) in docs {
        with_topic += usize::from(!topics.find(t, b).is_empty());
    }
    let start = Instant::now();
    let mut n = 0usize;
    while start.elapsed().as_secs_f64() < MIN_SECONDS {
        for (t, b) in docs {
            std::hint::black_box(topics.find(t, b));
        }
        n += docs.len();
    }
    (
        n as f64 / start.elapsed().as_secs_f64(),
        with_topic as f64 / docs.len() as f64,
    )
}
