//! Time and memory to build one day's digest from a large index.
//!
//! Builds (once, kept under `target/bench-digest-index-N`) an index of
//! generated articles (`common::corpus`: eight languages in three regions,
//! topics, sentiment and risk) spread over 15 days, 40% of them grouped
//! into same-day stories, with a scam-ads wave in South-East Asia on the
//! last day so the digest has spikes to explain and chart. Then, several
//! times, does what `kabar digest` does for the last day: `digest::run::build`
//! (concept packs, catalog and crawl state, compose: trends, spikes,
//! watchlists, stories, health) and every rendering (text, Markdown, JSON,
//! HTML with its PNG charts) and the MIME message.
//!
//! ```text
//! cargo bench --bench digest                       # 100,000 articles
//! KABAR_BENCH_ARTICLES=20000 KABAR_BENCH_RUNS=3 cargo bench --bench digest
//! ```
//!
//! Goal: under 2 seconds per digest.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use kabar::config::{Config, DigestProfile};
use kabar::digest::{render, run};
use kabar::index::article_id;
use kabar::model::{SentimentLabel, SentimentScore, TopicScore};
use kabar::watchlist::{Watchlist, WatchlistStore};

mod common;
use common::corpus::{build, env_usize};

const DEFAULT_ARTICLES: usize = 100_000;
const DEFAULT_RUNS: usize = 7;
const DAYS: i64 = 15;
/// Share of articles (in percent) that belong to a multi-article story.
const STORY_PERCENT: usize = 40;
/// Of every this many articles, one is a scam ad in SEA on the last day.
const WAVE_EVERY: usize = 200;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n = env_usize("KABAR_BENCH_ARTICLES", DEFAULT_ARTICLES);
    let runs = env_usize("KABAR_BENCH_RUNS", DEFAULT_RUNS).max(1);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("target").join(format!("bench-digest-index-{n}"));
    // Singapore midnight of the first day.
    let day0 = Utc.with_ymd_and_hms(2026, 2, 28, 16, 0, 0).unwrap();
    let last: NaiveDate = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap() + chrono::Days::new(14);
    let index = build(&dir, n, |rng, i| {
        let mut a = common::corpus::article(rng, i, day0, DAYS);
        if i % WAVE_EVERY == 0 {
            // The wave: a scam ad in SEA on the last day, reading negative.
            a.region = "sea".into();
            a.published =
                Some(day0 + chrono::Duration::minutes(60 * 24 * 14 + rng.i64(0..60 * 24)));
            a.fetched = a.published.unwrap();
            let score = -0.6;
            a.topics = vec![TopicScore {
                id: "scam-ads".into(),
                score: 0.9,
                terms: vec!["scam".into(), "deepfake".into()],
                sentiment: SentimentScore {
                    label: SentimentLabel::Negative,
                    score,
                    confidence: 0.9,
                    ..Default::default()
                },
            }];
        }
        if rng.usize(..100) < STORY_PERCENT {
            // Same-day stories of a few articles each.
            let day = (a.published.unwrap() - day0).num_days();
            a.story = article_id(&format!(
                "https://story.example/{day}/{}",
                rng.usize(..1500)
            ));
        }
        a
    });
    drop(index);
    // Peak memory of the digest runs, not of building the index.
    let peak_reset = common::reset_peak_rss();

    let mut config = Config {
        data_dir: dir.clone(),
        sources_dir: root.join("sources"),
        topics_dir: root.join("topics"),
        ..Default::default()
    };
    config.smtp.from = "kabar <digest@kabar.test>".into();
    // Watchlists as an analyst would save them.
    let store = WatchlistStore::new(&config.watchlists_path());
    for (name, query, topics) in [
        ("judi online", "judi online", vec![]),
        ("deepfake scams", "deepfake", vec!["scam-ads".to_string()]),
        ("loan apps", "loan OR pinjol", vec![]),
    ] {
        let w = Watchlist {
            name: name.into(),
            query: query.into(),
            regions: vec![],
            countries: vec![],
            langs: vec![],
            sources: vec![],
            topics,
            sentiments: vec![],
            min_risk: None,
            threshold: 100,
            window_hours: 24,
        };
        match store.save(None, w.clone()) {
            Ok(_) | Err(kabar::watchlist::WatchlistError::Duplicate(_)) => {}
            Err(e) => panic!("{e}"),
        }
    }
    let profile = DigestProfile {
        name: "bench".into(),
        recipients: vec!["analyst@kabar.test".into()],
        ..Default::default()
    };
    let now = Utc::now();

    let mut times = Vec::new();
    let mut parts = Vec::new();
    for i in 0..runs {
        let start = Instant::now();
        let (digest, names) = run::build(&config, &profile, last, now).unwrap();
        let built = start.elapsed();
        let text = render::text(&digest, &names);
        let md = render::markdown(&digest, &names);
        let json = render::json(&digest);
        let email = run::email(
            &config,
            &digest,
            &names,
            vec!["analyst@kabar.test".parse().unwrap()],
            now,
        )
        .unwrap();
        let images = email.images.len();
        let message = email.compose().unwrap();
        let total = start.elapsed();
        if i == 0 {
            println!(
                "digest of {last}: {} articles, {} stories, {} spikes, {} watchlist alerts, {} regions; text {} B, Markdown {} B, JSON {} B, email {} B with {images} PNG charts",
                digest.summary.articles,
                digest.summary.stories,
                digest.spikes.len(),
                digest.watchlists.len(),
                digest.regions.len(),
                text.len(),
                md.len(),
                json.len(),
                message.bytes.len(),
            );
        }
        times.push(total);
        parts.push((built, total - built));
    }
    let mut sorted = times.clone();
    sorted.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let median = sorted[sorted.len() / 2];
    let mut built: Vec<Duration> = parts.iter().map(|p| p.0).collect();
    built.sort();
    let mut rendered: Vec<Duration> = parts.iter().map(|p| p.1).collect();
    rendered.sort();
    println!(
        "one day's digest from {n} articles over {DAYS} days, {runs} runs: median {:.0} ms, max {:.0} ms (first run {:.0} ms); build median {:.0} ms, renderings + message median {:.1} ms",
        ms(median),
        ms(*sorted.last().unwrap()),
        ms(times[0]),
        ms(built[built.len() / 2]),
        ms(rendered[rendered.len() / 2]),
    );
    if let Some(kb) = common::peak_rss_kib() {
        println!(
            "peak memory (VmHWM) {:.0} MiB{}",
            kb as f64 / 1024.0,
            if peak_reset {
                " during the digest runs"
            } else {
                " (including building the index)"
            }
        );
    }
}
