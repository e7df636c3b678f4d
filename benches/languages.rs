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
//!   over the same texts (skipped with `--no-index`).

use std::path::PathBuf;
use std::time::Instant;

use kabar::analyze::eval;
use kabar::index::tokenizer::MultiScriptTokenizer;
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
