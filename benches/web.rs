//! Search latency over HTTP, facets on, on a large generated index.
//!
//! Builds an index of generated articles (realistic multilingual titles and
//! bodies from word lists; topics, sentiment and risk set) once, keeps it
//! under `target/bench-web-index-N` for later runs, serves it with
//! `kabar::web` on loopback, and times `/api/search` (which always computes
//! the facets) for a mix of queries, one client at a time.
//!
//! ```text
//! cargo bench --bench web                      # 1,000,000 articles
//! KABAR_BENCH_ARTICLES=200000 cargo bench --bench web
//! KABAR_BENCH_REQUESTS=1000 cargo bench --bench web
//! ```
//!
//! Goal: p99 under 50 ms on a 2-core machine.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};

mod common;
use common::corpus::{build, env_usize};

const DEFAULT_ARTICLES: usize = 1_000_000;
const DEFAULT_REQUESTS: usize = 600;
const WARMUP_REQUESTS: usize = 40;

/// The query mix: (name, query string), each run in turn.
const QUERIES: &[(&str, &str)] = &[
    ("all, newest", "sort=newest"),
    ("en word", "q=scam"),
    ("en two words", "q=gambling+ads"),
    ("en phrase", "q=%22fake+investment%22"),
    ("en OR, risk order", "q=loan+OR+refund&sort=risk"),
    (
        "thai word",
        "q=%E0%B8%AB%E0%B8%A5%E0%B8%AD%E0%B8%81%E0%B8%A5%E0%B8%A7%E0%B8%87",
    ),
    ("chinese word", "q=%E8%AF%88%E9%AA%97"),
    ("japanese word", "q=%E8%A9%90%E6%AC%BA"),
    ("indonesian + region", "q=judi+online&region=sea"),
    (
        "topic + sentiment",
        "topic=scam-ads&sentiment=negative&sort=newest",
    ),
    ("filters, no query", "region=nea&lang=ja&min_risk=50"),
    (
        "word + date range",
        "q=platform&since=2026-06-01&until=2026-06-30",
    ),
    ("page 5", "q=bank&page=5"),
];

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` passes nothing
    // useful either way: only run when asked to benchmark.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n = env_usize("KABAR_BENCH_ARTICLES", DEFAULT_ARTICLES);
    let requests = env_usize("KABAR_BENCH_REQUESTS", DEFAULT_REQUESTS);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join(format!("bench-web-index-{n}"));
    let day0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let index = build(&dir, n, |rng, i| common::corpus::article(rng, i, day0, 330));

    let mut config = kabar::config::Config {
        data_dir: dir.clone(),
        ..Default::default()
    };
    config.web.rate_per_sec = 1e9;
    config.web.rate_burst = u32::MAX;
    let runtime = kabar::commands::runtime().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(kabar::web::AppState::new(index, config, None));
    let app = kabar::web::router(state);
    runtime.spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });

    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let run = |q: &str| {
        let url = format!("{base}/api/search?{q}");
        runtime.block_on(async {
            let start = Instant::now();
            let r = client.get(&url).send().await.unwrap();
            assert_eq!(r.status(), 200, "{url}");
            let body = r.bytes().await.unwrap();
            let elapsed = start.elapsed();
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            (elapsed, v["total"].as_u64().unwrap_or(0))
        })
    };
    for i in 0..WARMUP_REQUESTS {
        run(QUERIES[i % QUERIES.len()].1);
    }
    let mut all = Vec::with_capacity(requests);
    let mut per_query: Vec<Vec<Duration>> = vec![Vec::new(); QUERIES.len()];
    let mut totals = vec![0u64; QUERIES.len()];
    for i in 0..requests {
        let k = i % QUERIES.len();
        let (t, total) = run(QUERIES[k].1);
        all.push(t);
        per_query[k].push(t);
        totals[k] = total;
    }
    all.sort();
    println!("web search over HTTP, facets on, {n} articles, {requests} requests, one client:");
    println!(
        "  all queries: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        percentile(&all, 0.5).as_secs_f64() * 1e3,
        percentile(&all, 0.99).as_secs_f64() * 1e3,
        all.last().unwrap().as_secs_f64() * 1e3
    );
    for (k, (name, _)) in QUERIES.iter().enumerate() {
        let t = &mut per_query[k];
        t.sort();
        println!(
            "  {name:<22} {:>8} hits  p50 {:>6.1} ms  p99 {:>6.1} ms  max {:>6.1} ms",
            totals[k],
            percentile(t, 0.5).as_secs_f64() * 1e3,
            percentile(t, 0.99).as_secs_f64() * 1e3,
            t.last().unwrap().as_secs_f64() * 1e3
        );
    }
}
