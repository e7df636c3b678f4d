//! Sentiment, measured: model load time, memory, and documents per second
//! per core for the whole analysis (sentences, clauses, lexicon, model,
//! one topic) and for opinion scoring alone.
//!
//! `cargo bench --bench sentiment [-- PATH]` reads labelled JSON Lines
//! (default `../shared/data/sentiment/dev`), prints per-language macro-F1
//! and accuracy as `kabar eval sentiment` does, then the timings. One
//! thread: the numbers are per core.
//!
//! `benches/sentiment_vs_vader.py` compares accuracy and speed with VADER
//! on the English rows.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use kabar::sentiment::{SHIPPED_MODEL, SentimentModel, TopicMentions, eval, train};

/// Run each timing at least this long.
const MIN_TIMING: Duration = Duration::from_secs(3);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .iter()
        .find(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/sentiment/dev")
        });

    // Load time: parse the embedded bytes and compile every lexicon.
    let started = Instant::now();
    let model = SentimentModel::from_bytes(SHIPPED_MODEL).expect("shipped model");
    let load = started.elapsed();
    println!(
        "model: {} bytes on disk, {} bytes of weights in memory, loaded in {:.1} ms",
        SHIPPED_MODEL.len(),
        model.weight_bytes(),
        load.as_secs_f64() * 1e3
    );

    let files = train::jsonl_files(&path, "dev").unwrap_or_else(|e| panic!("{e}"));
    let rows = train::read_rows(&files).unwrap_or_else(|e| panic!("{e}"));
    println!("labelled texts: {} from {}\n", rows.len(), path.display());
    print!("{}", eval::render(&eval::evaluate(&model, &rows)));

    // Short documents: the labelled texts themselves (tweets, reviews,
    // sentences), each with one topic mention on its first word.
    let docs: Vec<(&str, &str, usize)> = rows
        .iter()
        .map(|r| {
            let first = r.text.find(char::is_whitespace).unwrap_or(r.text.len());
            (r.text.as_str(), r.lang.as_str(), first)
        })
        .collect();
    let mean_bytes = docs.iter().map(|d| d.0.len()).sum::<usize>() as f64 / docs.len() as f64;
    println!(
        "\ntimed on {} texts, mean {mean_bytes:.0} bytes",
        docs.len()
    );

    let per_second = timed(|| {
        for &(text, lang, first) in &docs {
            let m = TopicMentions {
                topic: "t",
                spans: std::iter::once(0..first).collect(),
            };
            std::hint::black_box(model.article(text, lang, &[m]));
        }
        docs.len()
    });
    println!("article analysis (overall + 1 topic): {per_second:.0} documents/s/core");
    let per_second = timed(|| {
        for &(text, lang, _) in &docs {
            std::hint::black_box(model.score(text, lang));
        }
        docs.len()
    });
    println!("opinion score only:                  {per_second:.0} documents/s/core");

    if let Some(rss) = common::peak_rss_kib() {
        println!("peak RSS of this process: {:.1} MiB", rss as f64 / 1024.0);
    }
}

fn timed(mut f: impl FnMut() -> usize) -> f64 {
    f(); // warm-up
    let started = Instant::now();
    let mut n = 0;
    while started.elapsed() < MIN_TIMING {
        n += f();
    }
    n as f64 / started.elapsed().as_secs_f64()
}
