//! Measuring language detection on labelled text: accuracy per language on
//! whole sentences and on short texts (two or three words cut from them),
//! and detections per second.
//!
//! Labelled text is JSON Lines with `text` and `lang` (other keys ignored),
//! one file or a folder of `*.jsonl` files. `kabar analyze --eval PATH` and
//! the `languages` bench both read it through here, so the numbers in the
//! README come from one place.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use icu_segmenter::WordSegmenter;
use icu_segmenter::options::WordBreakInvariantOptions;
use serde::Deserialize;

use super::lang::{detect_language, normalize_code};

/// One labelled text.
#[derive(Debug, Clone, Deserialize)]
pub struct Labelled {
    pub text: String,
    pub lang: String,
}

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} line {line}: {message}")]
    Line {
        path: String,
        line: usize,
        message: String,
    },
}

/// Reads labelled text from a JSON Lines file, or every `*.jsonl` file of a
/// folder (sorted by name). Labels are normalised (`zh-TW` → `zh-Hant`).
pub fn read_labelled(path: &Path) -> Result<Vec<Labelled>, EvalError> {
    let io = |source| EvalError::Io {
        path: path.display().to_string(),
        source,
    };
    let mut files = Vec::new();
    if path.is_dir() {
        for entry in std::fs::read_dir(path).map_err(io)? {
            let p = entry.map_err(io)?.path();
            if p.extension().is_some_and(|e| e == "jsonl") {
                files.push(p);
            }
        }
        files.sort();
    } else {
        files.push(path.to_path_buf());
    }
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|source| EvalError::Io {
            path: file.display().to_string(),
            source,
        })?;
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let mut l: Labelled = serde_json::from_str(line).map_err(|e| EvalError::Line {
                path: file.display().to_string(),
                line: i + 1,
                message: e.to_string(),
            })?;
            l.lang = normalize_code(&l.lang).unwrap_or(l.lang);
            out.push(l);
        }
    }
    Ok(out)
}

/// Short texts cut from the middle of each sample: two words, then three,
/// alternately. Words come from ICU's segmenter, so Thai or Chinese are cut
/// at word boundaries too. Samples with fewer words are skipped.
pub fn short_texts(samples: &[Labelled]) -> Vec<Labelled> {
    let segmenter = WordSegmenter::new_dictionary(WordBreakInvariantOptions::default());
    let mut out = Vec::new();
    for (i, s) in samples.iter().enumerate() {
        let n = 2 + i % 2;
        let mut words = Vec::new();
        let mut iter = segmenter.segment_str(&s.text);
        let mut start = iter.next().unwrap_or(0);
        for end in iter {
            let piece = &s.text[start..end];
            if piece.chars().any(char::is_alphabetic) {
                words.push((start, end));
            }
            start = end;
        }
        if words.len() < n {
            continue;
        }
        let from = (words.len() - n) / 2;
        let text = s.text[words[from].0..words[from + n - 1].1].to_string();
        out.push(Labelled {
            text,
            lang: s.lang.clone(),
        });
    }
    out
}

/// Detection results for one language.
#[derive(Debug, Default, Clone)]
pub struct LangScore {
    pub num_texts: usize,
    pub num_correct: usize,
    /// What the wrong answers were, and how often.
    pub mistakes: BTreeMap<String, usize>,
}

impl LangScore {
    pub fn accuracy(&self) -> f64 {
        self.num_correct as f64 / self.num_texts.max(1) as f64
    }
}

/// Accuracy per labelled language.
#[derive(Debug, Default, Clone)]
pub struct Accuracy {
    pub per_lang: BTreeMap<String, LangScore>,
}

impl Accuracy {
    pub fn overall(&self) -> f64 {
        let (n, ok) = self
            .per_lang
            .values()
            .fold((0, 0), |(n, ok), s| (n + s.num_texts, ok + s.num_correct));
        ok as f64 / n.max(1) as f64
    }
}

/// Runs detection (no priors) over `samples`.
pub fn accuracy(samples: &[Labelled]) -> Accuracy {
    let mut acc = Accuracy::default();
    for s in samples {
        let guess = detect_language(&s.text, None, &[]);
        let score = acc.per_lang.entry(s.lang.clone()).or_default();
        score.num_texts += 1;
        if guess.lang == s.lang {
            score.num_correct += 1;
        } else {
            *score.mistakes.entry(guess.lang).or_default() += 1;
        }
    }
    acc
}

/// CPU time the calling thread has run so far (Linux's
/// `/proc/thread-self/schedstat`, nanoseconds on a CPU); `None` elsewhere.
/// Rates per core divide by this, so they hold on a machine other work
/// shares, where wall time also counts the other processes' turns.
pub fn thread_cpu_time() -> Option<std::time::Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(std::time::Duration::from_nanos(ns))
}

/// Detections per second of this thread's CPU time (wall time where that
/// is unknown) over `samples`, repeated until `min_seconds` of wall time
/// pass.
pub fn detections_per_second(samples: &[Labelled], min_seconds: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    let start = Instant::now();
    let cpu_start = thread_cpu_time();
    let mut n = 0usize;
    loop {
        for s in samples {
            std::hint::black_box(detect_language(std::hint::black_box(&s.text), None, &[]));
        }
        n += samples.len();
        let elapsed = start.elapsed().as_secs_f64();
        if elapsed >= min_seconds {
            let seconds = match (cpu_start, thread_cpu_time()) {
                (Some(a), Some(b)) if b > a => (b - a).as_secs_f64(),
                _ => elapsed,
            };
            return n as f64 / seconds;
        }
    }
}

/// Detections per second on each labelled language's texts alone, each
/// timed for at least `min_seconds`.
pub fn detections_per_second_by_lang(
    samples: &[Labelled],
    min_seconds: f64,
) -> BTreeMap<String, f64> {
    let mut by_lang: BTreeMap<String, Vec<Labelled>> = BTreeMap::new();
    for s in samples {
        by_lang.entry(s.lang.clone()).or_default().push(s.clone());
    }
    by_lang
        .into_iter()
        .map(|(lang, texts)| {
            let rate = detections_per_second(&texts, min_seconds);
            (lang, rate)
        })
        .collect()
}

/// A plain-text table: language, count and accuracy for sentences and short
/// texts, with the most frequent mistakes.
pub fn render(sentences: &Accuracy, short: &Accuracy) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{:<8} {:>6} {:>9} {:>6} {:>9}  mistakes (sentences | short)\n",
        "lang", "n", "sentence", "n", "short"
    ));
    for (lang, s) in &sentences.per_lang {
        let short_score = short.per_lang.get(lang).cloned().unwrap_or_default();
        out.push_str(&format!(
            "{:<8} {:>6} {:>9.3} {:>6} {:>9.3}  {} | {}\n",
            lang,
            s.num_texts,
            s.accuracy(),
            short_score.num_texts,
            short_score.accuracy(),
            top_mistakes(s),
            top_mistakes(&short_score),
        ));
    }
    out.push_str(&format!(
        "{:<8} {:>6} {:>9.3} {:>6} {:>9.3}\n",
        "all",
        sentences
            .per_lang
            .values()
            .map(|s| s.num_texts)
            .sum::<usize>(),
        sentences.overall(),
        short.per_lang.values().map(|s| s.num_texts).sum::<usize>(),
        short.overall(),
    ));
    out
}

fn top_mistakes(s: &LangScore) -> String {
    let mut m: Vec<(&String, &usize)> = s.mistakes.iter().collect();
    m.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    m.iter()
        .take(3)
        .map(|(l, n)| format!("{l}:{n}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_texts_are_two_or_three_words_from_the_middle() {
        let samples = vec![
            Labelled {
                text: "one two three four five".into(),
                lang: "en".into(),
            },
            Labelled {
                text: "one two three four five".into(),
                lang: "en".into(),
            },
        ];
        let short = short_texts(&samples);
        assert_eq!(short[0].text, "two three");
        assert_eq!(short[1].text, "two three four");
    }
}
