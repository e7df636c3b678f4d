//! `kabar eval sentiment`: accuracy, macro-F1 and confusion counts per
//! language on labelled JSON Lines (`{"text", "label", "lang"}`).
//!
//! Macro-F1 averages the F1 of the gold labels present in a language's rows:
//! for the binary sets (ko, tl) that is negative and positive, and a text
//! the model calls neutral (abstains on) counts as a miss.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Instant;

use serde::Serialize;

use super::train::Row;
use super::{Label, SentimentModel};

/// Scores for one language.
#[derive(Debug, Clone, Serialize)]
pub struct LangReport {
    pub lang: String,
    pub num_texts: usize,
    pub accuracy: f64,
    pub macro_f1: f64,
    /// F1 per label (negative, neutral, positive); absent labels are null.
    pub f1: [Option<f64>; 3],
    /// `confusion[gold][predicted]`, labels in the order negative, neutral,
    /// positive.
    pub confusion: [[usize; 3]; 3],
    pub num_abstained: usize,
}

/// Every language's scores and the speed of the run.
#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub languages: Vec<LangReport>,
    pub texts_per_second: f64,
}

/// Scores `rows` with `model`.
pub fn evaluate(model: &SentimentModel, rows: &[Row]) -> EvalReport {
    let mut by_lang: BTreeMap<&str, ([[usize; 3]; 3], usize)> = BTreeMap::new();
    let started = Instant::now();
    for row in rows {
        let Some(gold) = Label::parse(&row.label) else {
            continue;
        };
        let s = model.score(&row.text, &row.lang);
        let entry = by_lang.entry(row.lang.as_str()).or_default();
        entry.0[gold.index()][s.label.index()] += 1;
        entry.1 += usize::from(s.abstained);
    }
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    let languages = by_lang
        .into_iter()
        .map(|(lang, (confusion, num_abstained))| report(lang, confusion, num_abstained))
        .collect();
    EvalReport {
        languages,
        texts_per_second: rows.len() as f64 / secs,
    }
}

fn report(lang: &str, confusion: [[usize; 3]; 3], num_abstained: usize) -> LangReport {
    let n: usize = confusion.iter().flatten().sum();
    let correct: usize = (0..3).map(|i| confusion[i][i]).sum();
    let mut f1 = [None; 3];
    for (c, f) in f1.iter_mut().enumerate() {
        let gold: usize = confusion[c].iter().sum();
        if gold == 0 {
            continue;
        }
        let predicted: usize = (0..3).map(|g| confusion[g][c]).sum();
        let tp = confusion[c][c] as f64;
        let p = if predicted == 0 {
            0.0
        } else {
            tp / predicted as f64
        };
        let r = tp / gold as f64;
        *f = Some(if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        });
    }
    let present: Vec<f64> = f1.iter().flatten().copied().collect();
    LangReport {
        lang: lang.to_string(),
        num_texts: n,
        accuracy: if n == 0 {
            0.0
        } else {
            correct as f64 / n as f64
        },
        macro_f1: if present.is_empty() {
            0.0
        } else {
            present.iter().sum::<f64>() / present.len() as f64
        },
        f1,
        confusion,
        num_abstained,
    }
}

/// The report as a table for people.
pub fn render(r: &EvalReport) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<8} {:>6} {:>8} {:>8} {:>7} {:>7} {:>7}   confusion gold→pred (neg/neu/pos)",
        "lang", "texts", "macroF1", "accuracy", "F1 neg", "F1 neu", "F1 pos"
    );
    let f = |x: Option<f64>| x.map_or("-".to_string(), |v| format!("{v:.3}"));
    for l in &r.languages {
        let c = &l.confusion;
        let _ = writeln!(
            s,
            "{:<8} {:>6} {:>8.3} {:>8.3} {:>7} {:>7} {:>7}   neg {:?} neu {:?} pos {:?}",
            l.lang,
            l.num_texts,
            l.macro_f1,
            l.accuracy,
            f(l.f1[0]),
            f(l.f1[1]),
            f(l.f1[2]),
            c[0],
            c[1],
            c[2],
        );
    }
    let total: usize = r.languages.iter().map(|l| l.num_texts).sum();
    let _ = writeln!(
        s,
        "\n{total} texts, {:.0} texts per second (one thread)",
        r.texts_per_second
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macro_f1_averages_present_labels() {
        // Binary gold, one abstention.
        let r = report("ko", [[1, 1, 0], [0, 0, 0], [0, 0, 2]], 1);
        assert_eq!(r.num_texts, 4);
        assert!((r.accuracy - 0.75).abs() < 1e-9);
        assert!(r.f1[1].is_none());
        // neg: p=1 r=0.5 → 0.667; pos: p=1 r=1 → 1.
        assert!(
            (r.macro_f1 - (2.0 / 3.0 + 1.0) / 2.0).abs() < 1e-9,
            "{}",
            r.macro_f1
        );
    }
}
