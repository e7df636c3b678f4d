//! Builds the Latin-script language models that `src/analyze/latin.rs`
//! embeds, so they can be rebuilt and checked rather than trusted:
//!
//! ```text
//! cargo run --release --example build_lang_model [-- SENTIMENT_TRAIN_DIR]
//! ```
//!
//! - `src/analyze/data/latin_family.bin`: the family model (English, Malay
//!   family, Tagalog, romanised Hindi), a softmax regression over hashed
//!   word and character n-gram features, trained on the shared sentiment
//!   training texts (default `/work/shared/data/sentiment/train`; see
//!   `/work/shared/data/LICENSES.md`). Only rows under permissive licences
//!   are read: IndoNLU (Apache-2.0) for Indonesian, VADER (MIT) and XLM-T
//!   (Apache-2.0) for English, XLM-T for romanised Hindi, the Filipino
//!   tweets (MIT) for Tagalog. NusaX rows (CC-BY-SA-4.0) are skipped so the
//!   model stays under kabar's licence. One text in ten is held out and the
//!   accuracy on it printed.
//! - `src/analyze/data/latin_idms.bin`: log-likelihood ratios of Malay
//!   against Indonesian for 3- to 5-letter n-grams, from the n-gram models
//!   of lingua (Apache-2.0, Peter M. Stahl), read from the
//!   `lingua-indonesian-language-model` and `lingua-malay-language-model`
//!   crates (dev-dependencies only; nothing of lingua is linked into kabar).
//!
//! The run is deterministic: same inputs, same bytes.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use fst::Streamer;
use kabar::analyze::latin::{self, EN, HI, HashedTable, IDMS_GRAM, MALAY_FAMILY, NUM_CLASSES, TL};
use kabar::analyze::markers;

/// Rows of the family table: 2^BITS buckets.
const FAMILY_BITS: u32 = 17;
const IDMS_BITS: u32 = 18;
const EPOCHS: usize = 8;
/// Step size, divided by a text's number of features (a normalised
/// update: long and short texts move the weights alike).
const LEARNING_RATE: f32 = 0.5;
/// Weights are clipped to this quantile of their magnitudes before they
/// are rounded to `i8`, so a few large ones do not flatten the rest.
const CLIP_QUANTILE: f64 = 0.999;
/// Ratios are clipped to ±IDMS_CAP: one odd n-gram must not outvote a
/// sentence.
const IDMS_CAP: f64 = 2.0;
/// Ratios smaller than this are left out (they would round to nothing).
const IDMS_MIN: f64 = 0.15;

struct Sample {
    class: usize,
    features: Vec<u32>,
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/data/sentiment/train"));
    let out_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/analyze/data");
    std::fs::create_dir_all(&out_dir).unwrap();

    let family = train_family(&dir);
    std::fs::write(out_dir.join("latin_family.bin"), family).unwrap();
    let idms = build_idms();
    report_idms(&idms, &dir);
    std::fs::write(out_dir.join("latin_idms.bin"), idms).unwrap();
}

/// Prints, for the Indonesian/Malay tuning sentences (`eval/lang-tune`),
/// the n-gram ratio and the telling-word counts the decision in
/// `lang.rs` weighs, as `tune <lang> <ratio> <malay> <indonesian>`.
/// Every tenth Indonesian training text (informal reviews) is printed the
/// same way as `tune informal-id ...`.
fn report_idms(bytes: &[u8], train_dir: &Path) {
    let table = HashedTable::parse(bytes).unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("eval/lang-tune");
    for (lang, path) in [
        ("id", dir.join("id.jsonl")),
        ("ms", dir.join("ms.jsonl")),
        ("informal-id", train_dir.join("id.jsonl")),
    ] {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        for line in text
            .lines()
            .step_by(if lang == "informal-id" { 10 } else { 1 })
        {
            let row: serde_json::Value = serde_json::from_str(line).unwrap();
            let body = row["text"].as_str().unwrap_or("");
            let mut sum = 0i32;
            latin::for_each_word(body, |w| {
                latin::for_each_idms_feature(w, |h| {
                    let row = table.row(h);
                    if row[1] == latin::check_byte(h) {
                        sum += i32::from(row[0] as i8);
                    }
                })
            });
            let words: Vec<String> = markers::words(body).collect();
            println!(
                "tune\t{lang}\t{:.3}\t{}\t{}",
                sum as f32 * table.scale,
                markers::count_in(&words, markers::MALAY),
                markers::count_in(&words, markers::INDONESIAN)
            );
        }
    }
}

/// Labelled texts for the family model, with the row filters that keep
/// the labels honest.
fn read_texts(dir: &Path) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (class, file) in [
        (EN, "en.jsonl"),
        (MALAY_FAMILY, "id.jsonl"),
        (TL, "tl.jsonl"),
        (HI, "hi.jsonl"),
    ] {
        let path = dir.join(file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let (mut kept, mut skipped) = (0, 0);
        for line in text.lines() {
            let row: serde_json::Value = serde_json::from_str(line).unwrap();
            let license = row["license"].as_str().unwrap_or("");
            let body = row["text"].as_str().unwrap_or("").to_string();
            if license.contains("SA") || !keep_row(class, &body) {
                skipped += 1;
                continue;
            }
            kept += 1;
            out.push((class, body));
        }
        eprintln!("{file}: {kept} texts kept, {skipped} skipped");
    }
    out
}

/// Tagalog and romanised-Hindi tweets are often wholly English: such rows
/// would teach the model that English is Tagalog. A row is kept when its
/// own language's function words are there and outnumber English ones.
fn keep_row(class: usize, text: &str) -> bool {
    let list = match class {
        TL => markers::TAGALOG,
        HI => markers::HINGLISH,
        _ => return true,
    };
    let words: Vec<String> = markers::words(text).collect();
    let own = markers::count_in(&words, list);
    let english = markers::count_in(&words, markers::ENGLISH);
    own >= 1 && own >= english
}

fn features(text: &str) -> Vec<u32> {
    let mut out = Vec::new();
    let mut padded = Vec::new();
    latin::for_each_word(text, |w| {
        latin::for_each_family_feature(w, &mut padded, |h| {
            out.push(latin::bucket(h, FAMILY_BITS) as u32)
        })
    });
    out
}

/// A cut of two to four words from `text`, so the model also learns what
/// short texts look like.
fn short_cut(text: &str, rng: &mut fastrand::Rng) -> Option<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.len() < 5 {
        return None;
    }
    let n = rng.usize(2..=4);
    let from = rng.usize(0..=words.len() - n);
    Some(words[from..from + n].join(" "))
}

fn train_family(dir: &Path) -> Vec<u8> {
    let texts = read_texts(dir);
    let mut rng = fastrand::Rng::with_seed(5);
    let (mut train, mut held_out) = (Vec::new(), Vec::new());
    for (i, (class, text)) in texts.iter().enumerate() {
        let sample = Sample {
            class: *class,
            features: features(text),
        };
        if i % 10 == 0 {
            held_out.push(sample);
            continue;
        }
        train.push(sample);
        if let Some(cut) = short_cut(text, &mut rng) {
            train.push(Sample {
                class: *class,
                features: features(&cut),
            });
        }
    }
    // Each class weighs the same in the loss, however many texts it has.
    let mut per_class = [0usize; NUM_CLASSES];
    for s in &train {
        per_class[s.class] += 1;
    }
    let class_weight: Vec<f32> = per_class
        .iter()
        .map(|n| train.len() as f32 / (NUM_CLASSES as f32 * (*n).max(1) as f32))
        .collect();
    eprintln!("training texts per class {per_class:?}");

    let rows = 1usize << FAMILY_BITS;
    let mut w = vec![0f32; rows * NUM_CLASSES];
    let mut bias = [0f32; NUM_CLASSES];
    let mut order: Vec<usize> = (0..train.len()).collect();
    for epoch in 0..EPOCHS {
        rng.shuffle(&mut order);
        let mut loss = 0f64;
        for &i in &order {
            let s = &train[i];
            let lr = LEARNING_RATE / (1.0 + epoch as f32) / s.features.len().max(1) as f32;
            let mut logits = bias;
            for &f in &s.features {
                let row = &w[f as usize * NUM_CLASSES..][..NUM_CLASSES];
                for c in 0..NUM_CLASSES {
                    logits[c] += row[c];
                }
            }
            let p = softmax(logits);
            loss -= f64::from(p[s.class].max(1e-9).ln()) * f64::from(class_weight[s.class]);
            for c in 0..NUM_CLASSES {
                let target = if c == s.class { 1.0 } else { 0.0 };
                let g = (p[c] - target) * class_weight[s.class] * lr;
                bias[c] -= g;
                for &f in &s.features {
                    w[f as usize * NUM_CLASSES + c] -= g;
                }
            }
        }
        eprintln!("epoch {epoch}: loss {:.4}", loss / train.len() as f64);
    }

    let mut magnitudes: Vec<f32> = w.iter().map(|x| x.abs()).filter(|x| *x > 0.0).collect();
    magnitudes.sort_by(f32::total_cmp);
    let clip = magnitudes[((magnitudes.len() - 1) as f64 * CLIP_QUANTILE) as usize];
    let scale = clip / 127.0;
    let quantized: Vec<i8> = w
        .iter()
        .map(|x| (x / scale).round().clamp(-127.0, 127.0) as i8)
        .collect();
    let bytes = HashedTable::to_bytes(FAMILY_BITS, scale, &bias, &quantized);

    // Held-out accuracy of the table as kabar will read it.
    let table = HashedTable::parse(&bytes).unwrap();
    let mut confusion = [[0usize; NUM_CLASSES]; NUM_CLASSES];
    for s in &held_out {
        let mut logits = [0f32; NUM_CLASSES];
        for &f in &s.features {
            let row = &table.weights[f as usize * NUM_CLASSES..][..NUM_CLASSES];
            for c in 0..NUM_CLASSES {
                logits[c] += f32::from(row[c] as i8) * scale;
            }
        }
        for c in 0..NUM_CLASSES {
            logits[c] += bias[c];
        }
        let best = (0..NUM_CLASSES)
            .max_by(|a, b| logits[*a].total_cmp(&logits[*b]))
            .unwrap();
        confusion[s.class][best] += 1;
    }
    for (c, row) in confusion.iter().enumerate() {
        let n: usize = row.iter().sum();
        eprintln!(
            "held out {}: {:.3} of {n}  (answers {row:?})",
            latin::CLASSES[c],
            row[c] as f64 / n.max(1) as f64
        );
    }
    bytes
}

fn softmax(logits: [f32; NUM_CLASSES]) -> [f32; NUM_CLASSES] {
    let max = logits.iter().copied().fold(f32::MIN, f32::max);
    let mut p = logits.map(|l| (l - max).exp());
    let sum: f32 = p.iter().sum();
    for x in &mut p {
        *x /= sum;
    }
    p
}

/// n-gram → ln P (lingua stores the log of the n-gram's conditional
/// probability as f64 bits), for lowercase ASCII n-grams of 3 to 5 letters.
fn lingua_model(bytes: &[u8]) -> HashMap<Vec<u8>, f64> {
    let map = fst::Map::new(bytes).unwrap();
    let mut stream = map.stream();
    let mut out = HashMap::new();
    while let Some((key, value)) = stream.next() {
        if (3..=5).contains(&key.len()) && key.iter().all(u8::is_ascii_lowercase) {
            out.insert(key.to_vec(), f64::from_bits(value));
        }
    }
    out
}

fn build_idms() -> Vec<u8> {
    let id = lingua_model(
        lingua_indonesian_language_model::INDONESIAN_MODELS_DIRECTORY
            .get_file("ngrams.fst")
            .unwrap()
            .contents(),
    );
    let ms = lingua_model(
        lingua_malay_language_model::MALAY_MODELS_DIRECTORY
            .get_file("ngrams.fst")
            .unwrap()
            .contents(),
    );
    let mut keys: Vec<&Vec<u8>> = id.keys().chain(ms.keys()).collect();
    keys.sort();
    keys.dedup();
    if let Ok(path) = std::env::var("KABAR_DUMP_NGRAMS") {
        let mut dump = String::new();
        for k in &keys {
            let v = |m: &HashMap<Vec<u8>, f64>| {
                m.get(*k).map_or("nan".to_string(), |p| format!("{p:.4}"))
            };
            dump.push_str(&format!(
                "{}\t{}\t{}\n",
                String::from_utf8_lossy(k),
                v(&id),
                v(&ms)
            ));
        }
        std::fs::write(path, dump).unwrap();
    }
    let mut entries: Vec<(u32, f64)> = Vec::new();
    for k in keys {
        // Only n-grams both models know: one model's gaps say more about
        // its corpus than about the language (and the larger Indonesian
        // model has far more of them).
        let n = k.len();
        let (Some(p_id), Some(p_ms)) = (id.get(k).copied(), ms.get(k).copied()) else {
            continue;
        };
        let r = (p_ms - p_id).clamp(-IDMS_CAP, IDMS_CAP);
        if r.abs() >= IDMS_MIN {
            entries.push((latin::hash(IDMS_GRAM + n as u32, k), r));
        }
    }
    let scale = (IDMS_CAP / 127.0) as f32;
    let mut table = vec![0i8; 2 << IDMS_BITS];
    let mut strength = vec![0f64; 1 << IDMS_BITS];
    let mut collisions = 0;
    // Where two n-grams share a bucket, the stronger one keeps it.
    for (h, r) in &entries {
        let b = latin::bucket(*h, IDMS_BITS);
        if strength[b] > 0.0 {
            collisions += 1;
        }
        if r.abs() > strength[b] {
            strength[b] = r.abs();
            table[2 * b] = (*r as f32 / scale).round() as i8;
            table[2 * b + 1] = latin::check_byte(*h) as i8;
        }
    }
    eprintln!(
        "id/ms: {} n-grams (id {}, ms {}), {collisions} bucket collisions",
        entries.len(),
        id.len(),
        ms.len()
    );
    HashedTable::to_bytes(IDMS_BITS, scale, &[0.0, 0.0], &table)
}
