//! The whole analysis of one text, measured: language detection, topic
//! matching, sentiment about each topic, overall sentiment and risk, exactly
//! as the crawl and `kabar analyze` run them.
//!
//! `cargo bench --bench analysis [-- PATH]` reads JSON Lines with a `text`
//! field (a file or a folder of `*.jsonl`; default: the sentiment dev split
//! in `../shared/data/sentiment/dev`, else the project's own
//! `tests/fixtures/sentiment`) and prints, on one thread:
//!
//! - the time to load the concept packs and the sentiment model;
//! - documents per second per core (the thread's own CPU time, so the rate
//!   holds on a shared machine), overall and per language, for the texts as they
//!   are (short, social-media length) and for article-length texts made by
//!   joining 20 of them;
//! - the process's peak resident memory.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kabar::analyze::{Analyzer, detect_language};

/// Each measurement runs at least this long.
const MIN_MEASURE: Duration = Duration::from_secs(2);
/// Short texts joined into one article-length text.
const ARTICLE_PARTS: usize = 20;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let path = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let shared = root.join("../shared/data/sentiment/dev");
            if shared.is_dir() {
                shared
            } else {
                root.join("tests/fixtures/sentiment")
            }
        });
    let texts = read_texts(&path);
    println!("{} texts from {}", texts.len(), path.display());

    let started = Instant::now();
    let analyzer = Analyzer::load(&root.join("topics")).unwrap_or_else(|e| panic!("{e}"));
    // Score one text per language so the model's lazy parts (each
    // language's lexicon automaton is built on first use) are counted in
    // loading, not in the first measurement.
    let mut seen = std::collections::HashSet::new();
    for (lang, text) in &texts {
        if seen.insert(lang.as_str()) {
            let detected = detect_language(text, None, &[]);
            let _ = analyzer.analyze("", text, &detected.lang, 1.0);
        }
    }
    println!(
        "load: {:.1} ms (concept packs and sentiment model)",
        started.elapsed().as_secs_f64() * 1e3
    );

    let (per_second, topics_found) = measure(&analyzer, &texts);
    println!(
        "short texts: {per_second:.0} documents/s per core ({:.0}% mention a topic)",
        100.0 * topics_found
    );
    let mut by_lang: BTreeMap<&str, Vec<(String, String)>> = BTreeMap::new();
    for (lang, text) in &texts {
        by_lang
            .entry(lang.as_str())
            .or_default()
            .push((lang.clone(), text.clone()));
    }
    for (lang, texts) in &by_lang {
        let (per_second, _) = measure(&analyzer, texts);
        println!(
            "  {lang:<4} {per_second:>9.0} documents/s ({} texts)",
            texts.len()
        );
    }

    let articles: Vec<(String, String)> = by_lang
        .values()
        .flat_map(|texts| {
            texts.chunks(ARTICLE_PARTS).map(|c| {
                let body: Vec<&str> = c.iter().map(|(_, t)| t.as_str()).collect();
                (c[0].0.clone(), body.join("\n"))
            })
        })
        .collect();
    let (per_second, _) = measure(&analyzer, &articles);
    let mean_len = articles.iter().map(|(_, t)| t.len()).sum::<usize>() / articles.len().max(1);
    println!(
        "articles ({ARTICLE_PARTS} texts joined, {mean_len} bytes on average): {per_second:.0} documents/s per core"
    );
    if let Some(kb) = common::peak_rss_kib() {
        println!("peak resident memory: {:.1} MiB", kb as f64 / 1024.0);
    }
}

/// Documents per second of this thread's CPU time (wall time where /proc
/// is missing) over `texts`, repeated until [`MIN_MEASURE`] has passed, and
/// the share of texts with at least one topic.
fn measure(analyzer: &Analyzer, texts: &[(String, String)]) -> (f64, f64) {
    let started = Instant::now();
    let cpu_started = common::thread_cpu();
    let mut done = 0usize;
    let mut with_topic = 0usize;
    while started.elapsed() < MIN_MEASURE || done == 0 {
        for (_, text) in texts {
            let lang = detect_language(text, None, &[]);
            let analysis = analyzer.analyze("", text, &lang.lang, 1.0);
            with_topic += usize::from(!analysis.topics.is_empty());
            done += 1;
        }
    }
    let seconds = match (cpu_started, common::thread_cpu()) {
        (Some(a), Some(b)) => (b - a).as_secs_f64(),
        _ => started.elapsed().as_secs_f64(),
    };
    (
        done as f64 / seconds,
        with_topic as f64 / done.max(1) as f64,
    )
}

/// `(lang, text)` from JSON Lines; `lang` is `?` when the line has none.
fn read_texts(path: &Path) -> Vec<(String, String)> {
    let files: Vec<PathBuf> = if path.is_dir() {
        let mut f: Vec<PathBuf> = std::fs::read_dir(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        f.sort();
        f
    } else {
        vec![path.to_path_buf()]
    };
    let mut out = Vec::new();
    for file in files {
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            if let Some(t) = v["text"].as_str() {
                let lang = v["lang"].as_str().unwrap_or("?").to_string();
                out.push((lang, t.to_string()));
            }
        }
    }
    out
}
