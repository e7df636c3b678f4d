//! Stories at scale: SimHash signatures per second, and grouping 100,000
//! articles (time and memory).
//!
//! `cargo bench --bench stories [-- --articles N]`. Articles are generated:
//! Latin-script text of 250–400 words drawn from a Zipf-like vocabulary,
//! and Thai text (character n-grams) from the Thai fixture's characters;
//! 30% of articles are copies of an earlier one with a new headline, an
//! extra paragraph and a few words changed, published within a day. The
//! benchmark reports how many copies landed in their original's story and
//! how many originals were wrongly merged.

mod common;

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use kabar::stories::{StoryIndex, signature};

struct Gen {
    rng: fastrand::Rng,
    words: Vec<String>,
    thai: Vec<char>,
}

impl Gen {
    fn new() -> Self {
        let mut rng = fastrand::Rng::with_seed(42);
        let words = (0..20_000)
            .map(|_| {
                let len = rng.usize(2..10);
                (0..len)
                    .map(|_| rng.alphabetic().to_ascii_lowercase())
                    .collect()
            })
            .collect();
        let thai = ('\u{0E01}'..='\u{0E2E}')
            .chain('\u{0E30}'..='\u{0E39}')
            .collect();
        Gen { rng, words, thai }
    }

    /// A word with a Zipf-like rank distribution.
    fn word(&mut self) -> &str {
        let r = self.rng.f64();
        let rank = ((self.words.len() as f64).powf(r) as usize).saturating_sub(1);
        &self.words[rank.min(self.words.len() - 1)]
    }

    fn paragraph(&mut self, words: usize) -> String {
        let mut p = String::new();
        for _ in 0..words {
            let w = self.word().to_string();
            p.push_str(&w);
            p.push(' ');
        }
        p
    }

    fn latin(&mut self) -> String {
        let n = self.rng.usize(250..400);
        let mut text = self.paragraph(10);
        text.push_str("\n\n");
        text.push_str(&self.paragraph(n));
        text
    }

    fn thai(&mut self) -> String {
        let n = self.rng.usize(800..1400);
        (0..n)
            .map(|i| {
                if i % 40 == 39 {
                    ' '
                } else {
                    self.thai[self.rng.usize(..self.thai.len())]
                }
            })
            .collect()
    }

    /// A rewrite: new headline, an extra paragraph, a few words changed.
    fn rewrite(&mut self, original: &str) -> String {
        let body = original.split_once("\n\n").map_or(original, |x| x.1);
        let mut words: Vec<String> = body.split(' ').map(str::to_string).collect();
        for _ in 0..3 {
            let i = self.rng.usize(..words.len());
            words[i] = self.word().to_string();
        }
        format!(
            "{}\n\n{}\n\n{}",
            self.paragraph(10),
            words.join(" "),
            self.paragraph(40)
        )
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let num_articles: usize = args
        .iter()
        .position(|a| a == "--articles")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);

    let mut g = Gen::new();

    // Signatures per second, per kind of text.
    for (kind, texts) in [
        (
            "latin words",
            (0..5_000).map(|_| g.latin()).collect::<Vec<_>>(),
        ),
        (
            "thai chars",
            (0..5_000).map(|_| g.thai()).collect::<Vec<_>>(),
        ),
    ] {
        let bytes: usize = texts.iter().map(String::len).sum();
        let start = Instant::now();
        let mut x = 0u64;
        for t in &texts {
            x ^= signature(t);
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "signature {kind}: {:.0} signatures/s, {:.1} MB/s (avg {} bytes) [{x:x}]",
            texts.len() as f64 / secs,
            bytes as f64 / secs / 1e6,
            bytes / texts.len()
        );
    }

    // Grouping: signatures computed first (that cost is above), then added.
    let t0 = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap();
    let mut originals: Vec<(String, usize)> = Vec::new();
    let mut items = Vec::with_capacity(num_articles);
    let mut expected_story = Vec::with_capacity(num_articles);
    for i in 0..num_articles {
        // Spread over 30 days, in order.
        let published = t0 + Duration::seconds((i as i64) * 30 * 86_400 / num_articles as i64);
        let (text, story) = if i > 0 && g.rng.f64() < 0.3 {
            // A copy of a recent original (same day or so).
            let lo = originals.len().saturating_sub(300);
            let k = g.rng.usize(lo..originals.len());
            (g.rewrite(&originals[k].0.clone()), originals[k].1)
        } else {
            let text = g.latin();
            originals.push((text.clone(), i));
            if originals.len() > 2_000 {
                originals.drain(..1_000);
            }
            (text, i)
        };
        items.push((format!("article-{i}"), published, signature(&text)));
        expected_story.push(story);
    }
    drop(originals);
    let rss_before = common::status_kib("VmRSS:").unwrap_or(0);
    let start = Instant::now();
    let mut index = StoryIndex::default();
    for (i, (id, published, sig)) in items.iter().enumerate() {
        index.add(id, &format!("source-{}", i % 500), *published, *sig);
    }
    let secs = start.elapsed().as_secs_f64();
    let rss_after = common::status_kib("VmRSS:").unwrap_or(0);

    let (mut copies, mut joined, mut originals_merged) = (0, 0, 0);
    for (i, &story) in expected_story.iter().enumerate() {
        let got = &index.story_of(&items[i].0).unwrap().id;
        if story != i {
            copies += 1;
            if *got == format!("article-{story}") {
                joined += 1;
            }
        } else if *got != items[i].0 {
            originals_merged += 1;
        }
    }
    println!(
        "grouping {num_articles} articles: {:.3} s ({:.0} articles/s), {} stories, \
         index memory ≈ {} MiB (RSS {} → {} MiB), peak RSS {} MiB",
        secs,
        num_articles as f64 / secs,
        index.stories().len(),
        (rss_after.saturating_sub(rss_before)) / 1024,
        rss_before / 1024,
        rss_after / 1024,
        common::peak_rss_kib().unwrap_or(0) / 1024
    );
    println!(
        "copies joined to their original: {joined}/{copies}; originals wrongly merged: {originals_merged}"
    );
}
