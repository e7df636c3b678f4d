//! Prints everything per-article analysis outputs, one line per text, so a
//! change meant only to make analysis faster can be shown to change nothing:
//! run it before and after and `diff` the two files.
//!
//! `cargo run --example analysis_dump [-- DIR...]` reads JSON Lines files
//! (`*.jsonl`, in the folders given; default: the sentiment dev split and
//! the extraction dev set in `../shared/data`). A line's text is its `text`,
//! or its `title_expected` and `body_expected`. For each text, and for
//! article-length texts made by joining 20 short ones of one language (as
//! `benches/analysis.rs` does), it prints the detected language, the whole
//! [`Analysis`](kabar::analyze::Analysis) (topics, their sentiment and
//! evidence, overall sentiment, risk), the sentiment score of the text
//! alone, and the story signature.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use kabar::analyze::{Analyzer, detect_language};
use kabar::sentiment::SentimentModel;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut dirs: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if dirs.is_empty() {
        dirs = vec![
            root.join("../shared/data/sentiment/dev"),
            root.join("../shared/data/extraction/dev"),
        ];
    }
    let analyzer = Analyzer::load(&root.join("topics")).unwrap_or_else(|e| panic!("{e}"));
    let model = SentimentModel::shipped();
    let mut by_lang: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (label, lang, title, body) in read(&dirs) {
        dump(&analyzer, model, &label, &title, &body);
        if title.is_empty() {
            by_lang.entry(lang).or_default().push(body);
        }
    }
    for (lang, texts) in &by_lang {
        for (i, chunk) in texts.chunks(20).enumerate() {
            dump(
                &analyzer,
                model,
                &format!("joined:{lang}:{i}"),
                "",
                &chunk.join("\n"),
            );
        }
    }
}

fn dump(analyzer: &Analyzer, model: &SentimentModel, label: &str, title: &str, body: &str) {
    let lang = detect_language(body, None, &[]);
    let with_prior = detect_language(body, Some("ms"), &["id".to_string()]);
    let analysis = analyzer.analyze(title, body, &lang.lang, 1.0);
    let alone = model.score(body, &lang.lang);
    let signature = kabar::stories::signature(body);
    println!("{label}\t{lang:?}\t{with_prior:?}\t{signature:016x}\t{alone:?}\t{analysis:?}");
}

/// `(label, lang, title, body)` of every line of every `*.jsonl` file.
fn read(dirs: &[PathBuf]) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for dir in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        files.sort();
        for file in files {
            read_file(&file, &mut out);
        }
    }
    out
}

fn read_file(file: &Path, out: &mut Vec<(String, String, String, String)>) {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    for (n, line) in text.lines().enumerate() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let lang = v["lang"].as_str().unwrap_or("?").to_string();
        let label = format!("{}:{}", file.display(), n + 1);
        if let Some(t) = v["text"].as_str() {
            out.push((label, lang, String::new(), t.to_string()));
        } else if let Some(b) = v["body_expected"].as_str() {
            let title = v["title_expected"].as_str().unwrap_or("").to_string();
            out.push((label, lang, title, b.to_string()));
        }
    }
}
