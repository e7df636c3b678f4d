//! Language detection and the multilingual analyzer, measured.
//!
//! `cargo bench --bench languages [-- PATH]` reads labelled JSON Lines
//! (`{"text", "lang"}`; a file or a folder of `*.jsonl`, default
//! `eval/lang`) and prints:
//!
//! - detection accuracy per language on the texts and on 2-3 word cuts of
//!   them, and detections per second per core (one thread, its CPU time);
//! - indexing throughput (MB of text per second, one writer thread) with
//!   kabar's multi-script analyzer against Tantivy's default tokenizer,
//!   over the same texts (skipped with `--no-index`);
//! - the analyzer alone with and without its plain-Latin fast path (ICU
//!   segmenting everything, as before it), side by side in MB of text per
//!   second per core (one thread, its CPU time), on the labelled texts per
//!   language, on the English and Indonesian texts of the sentiment dev
//!   split and on the article bodies of the extraction dev set (both from
//!   `../shared/data`, skipped where absent). `--tokenizer` runs only this.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kabar::analyze::eval;
use kabar::index::tokenizer::{Mode, MultiScriptTokenizer, tokenize, tokenize_icu_only};
use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, TantivyDocument};

/// Times the whole labelled set is indexed, so small sets still take long
/// enough to time.
const INDEX_ROUNDS: usize = 20;
/// Seconds each language's detections are timed for.
const SECONDS_PER_LANG: f64 = 0.5;

fn main() {
    let path = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("eval/lang"));
    let samples = eval::read_labelled(&path).unwrap_or_else(|e| panic!("{e}"));
    println!("labelled texts: {} from {}", samples.len(), path.display());
    if std::env::args().any(|a| a == "--tokenizer") {
        tokenizer_speed(&samples);
        return;
    }

    let short = eval::short_texts(&samples);
    print!(
        "{}",
        eval::render(&eval::accuracy(&samples), &eval::accuracy(&short))
    );
    let per_second = eval::detections_per_second(&samples, 3.0);
    println!("\ndetection: {per_second:.0} texts per second per core (one thread, its CPU time)");
    let per_second_short = eval::detections_per_second(&short, 1.0);
    println!(
        "detection: {per_second_short:.0} short texts per second per core (one thread, its CPU time)"
    );
    let by_lang = eval::detections_per_second_by_lang(&samples, SECONDS_PER_LANG);
    let by_lang_short = eval::detections_per_second_by_lang(&short, SECONDS_PER_LANG);
    println!("\n{:<8} {:>12} {:>12}", "lang", "texts/s", "short/s");
    for (lang, rate) in &by_lang {
        let short_rate = by_lang_short.get(lang).copied().unwrap_or(0.0);
        println!("{lang:<8} {rate:>12.0} {short_rate:>12.0}");
    }
    if std::env::args().any(|a| a == "--no-index") {
        return;
    }
    tokenizer_speed(&samples);

    let texts: Vec<&str> = samples.iter().map(|s| s.text.as_str()).collect();
    let bytes: usize = texts.iter().map(|t| t.len()).sum::<usize>() * INDEX_ROUNDS;
    for (name, analyzer) in [
        ("default", None),
        (
            "kabar",
            Some(TextAnalyzer::builder(MultiScriptTokenizer::default()).build()),
        ),
    ] {
        let seconds = index_seconds(&texts, analyzer);
        println!(
            "indexing with {name:<8}: {:.2} MB/s ({:.0} texts/s)",
            bytes as f64 / seconds / 1e6,
            (texts.len() * INDEX_ROUNDS) as f64 / seconds
        );
    }
}

/// Seconds to index `texts` INDEX_ROUNDS times into an in-RAM index with
/// positions, with `analyzer` (Tantivy's default when `None`).
fn index_seconds(texts: &[&str], analyzer: Option<TextAnalyzer>) -> f64 {
    let mut schema = Schema::builder();
    let name = if analyzer.is_some() {
        "kabar"
    } else {
        "default"
    };
    let body = schema.add_text_field(
        "body",
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(name)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        ),
    );
    let index = Index::create_in_ram(schema.build());
    if let Some(a) = analyzer {
        index.tokenizers().register(name, a);
    }
    let mut writer = index.writer_with_num_threads(1, 64 * 1024 * 1024).unwrap();
    let start = Instant::now();
    for _ in 0..INDEX_ROUNDS {
        for t in texts {
            let mut doc = TantivyDocument::default();
            doc.add_text(body, *t);
            writer.add_document(doc).unwrap();
        }
    }
    writer.commit().unwrap();
    start.elapsed().as_secs_f64()
}

/// Each tokenizer measurement runs at least this long (thread CPU time).
const TOKENIZE_MIN: Duration = Duration::from_millis(700);
/// Measurements of each path per set, alternating; the best is reported.
const TOKENIZE_TRIES: usize = 3;

/// Prints the analyzer's speed with ICU segmenting everything and with the
/// plain-Latin fast path, side by side, per set of texts.
fn tokenizer_speed(samples: &[eval::Labelled]) {
    let mut sets: Vec<(String, Vec<String>)> = Vec::new();
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data");
    for lang in ["en", "id"] {
        let file = shared.join(format!("sentiment/dev/{lang}.jsonl"));
        let texts = jsonl_field(&file, "text");
        if !texts.is_empty() {
            sets.push((format!("sentiment dev {lang}"), texts));
        }
    }
    let articles = jsonl_field(&shared.join("extraction/dev/items.jsonl"), "body_expected");
    if !articles.is_empty() {
        sets.push(("extraction dev articles".into(), articles));
    }
    let mut by_lang: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for s in samples {
        by_lang.entry(&s.lang).or_default().push(s.text.clone());
    }
    for (lang, texts) in by_lang {
        sets.push((format!("labelled {lang}"), texts));
    }

    println!(
        "\ntokenizer alone (index mode), MB/s per core, best of {TOKENIZE_TRIES} alternating runs"
    );
    println!(
        "{:<26} {:>6} {:>9} {:>9} {:>6}",
        "texts", "KB", "ICU only", "fast path", "ratio"
    );
    let (mut all_bytes, mut all_icu, mut all_fast) = (0usize, 0f64, 0f64);
    for (name, texts) in &sets {
        let bytes: usize = texts.iter().map(String::len).sum();
        let (mut icu, mut fast) = (0f64, 0f64);
        for _ in 0..TOKENIZE_TRIES {
            icu = icu.max(tokenize_rate(texts, |t| {
                tokenize_icu_only(t, Mode::Index).len()
            }));
            fast = fast.max(tokenize_rate(texts, |t| tokenize(t).len()));
        }
        println!(
            "{name:<26} {:>6} {:>9.2} {:>9.2} {:>5.2}x",
            bytes / 1000,
            icu / 1e6,
            fast / 1e6,
            fast / icu
        );
        all_bytes += bytes;
        all_icu += bytes as f64 / icu;
        all_fast += bytes as f64 / fast;
    }
    if all_bytes > 0 {
        println!(
            "{:<26} {:>6} {:>9.2} {:>9.2} {:>5.2}x",
            "all of the above",
            all_bytes / 1000,
            all_bytes as f64 / all_icu / 1e6,
            all_bytes as f64 / all_fast / 1e6,
            all_icu / all_fast
        );
    }
}

/// Bytes of `texts` tokenized per second of this thread's CPU time (wall
/// time where /proc is missing), repeating them for [`TOKENIZE_MIN`].
fn tokenize_rate(texts: &[String], tokenize: impl Fn(&str) -> usize) -> f64 {
    let cpu = || kabar::analyze::eval::thread_cpu_time();
    let (started, cpu_started) = (Instant::now(), cpu());
    let elapsed = || match (cpu_started, cpu()) {
        (Some(a), Some(b)) => b - a,
        _ => started.elapsed(),
    };
    // Rounds of at least 100 KB between clock reads, which cost a /proc read.
    let round: usize = texts.iter().map(String::len).sum();
    let repeat = (100_000 / round.max(1)).max(1);
    let (mut bytes, mut tokens) = (0usize, 0usize);
    while elapsed() < TOKENIZE_MIN {
        for _ in 0..repeat {
            for t in texts {
                tokens += tokenize(t);
                bytes += t.len();
            }
        }
    }
    std::hint::black_box(tokens);
    bytes as f64 / elapsed().as_secs_f64()
}

/// The string `field` of each line of a JSON Lines file; none when the
/// file is missing.
fn jsonl_field(path: &Path, field: &str) -> Vec<String> {
    let Ok(content) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    content
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v[field].as_str().map(str::to_string))
        .filter(|t| !t.is_empty())
        .collect()
}
