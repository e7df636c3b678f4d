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
use kabar::index::{ArticleIndex, article_id};
use kabar::model::{IndexedArticle, SentimentLabel, SentimentScore, TopicScore};

const DEFAULT_ARTICLES: usize = 1_000_000;
const DEFAULT_REQUESTS: usize = 600;
const WARMUP_REQUESTS: usize = 40;
/// Commit this often while building, so memory stays bounded.
const COMMIT_EVERY: usize = 100_000;

struct Lang {
    code: &'static str,
    country: &'static str,
    region: &'static str,
    /// Joined with spaces (or not, for unspaced scripts).
    spaced: bool,
    words: &'static [&'static str],
}

const LANGS: &[Lang] = &[
    Lang {
        code: "en",
        country: "SG",
        region: "sea",
        spaced: true,
        words: &[
            "scam",
            "ads",
            "platform",
            "regulator",
            "fined",
            "online",
            "gambling",
            "loan",
            "creator",
            "payout",
            "payments",
            "police",
            "warned",
            "users",
            "fake",
            "investment",
            "crypto",
            "celebrity",
            "deepfake",
            "live",
            "shopping",
            "refund",
            "bank",
            "victims",
            "million",
            "network",
            "arrested",
            "marketplace",
            "seller",
            "policy",
            "ban",
            "report",
            "advertisers",
            "minister",
            "court",
            "consumer",
            "complaint",
            "wallet",
            "fraud",
        ],
    },
    Lang {
        code: "th",
        country: "TH",
        region: "sea",
        spaced: false,
        words: &[
            "โฆษณา",
            "หลอกลวง",
            "ธนาคาร",
            "เตือน",
            "ประชาชน",
            "ออนไลน์",
            "การพนัน",
            "เงินกู้",
            "ตำรวจ",
            "ผู้เสียหาย",
            "ลงทุน",
            "แพลตฟอร์ม",
            "โซเชียล",
            "จับกุม",
            "เครือข่าย",
            "ร้านค้า",
            "คืนเงิน",
            "กระเป๋าเงิน",
            "ผู้บริโภค",
            "ร้องเรียน",
        ],
    },
    Lang {
        code: "id",
        country: "ID",
        region: "sea",
        spaced: true,
        words: &[
            "iklan",
            "judi",
            "online",
            "pinjol",
            "penipuan",
            "polisi",
            "korban",
            "investasi",
            "platform",
            "kreator",
            "pembayaran",
            "bank",
            "dompet",
            "digital",
            "blokir",
            "menteri",
            "konten",
            "situs",
            "ilegal",
            "warga",
        ],
    },
    Lang {
        code: "vi",
        country: "VN",
        region: "sea",
        spaced: true,
        words: &[
            "quảng", "cáo", "lừa", "đảo", "cờ", "bạc", "trực", "tuyến", "ngân", "hàng", "công",
            "an", "nạn", "nhân", "đầu", "tư", "nền", "tảng", "thanh", "toán",
        ],
    },
    Lang {
        code: "zh-Hans",
        country: "CN",
        region: "nea",
        spaced: false,
        words: &[
            "诈骗",
            "广告",
            "网络",
            "赌博",
            "平台",
            "监管",
            "罚款",
            "用户",
            "警方",
            "投资",
            "直播",
            "带货",
            "退款",
            "支付",
            "银行",
            "贷款",
            "主播",
            "收益",
            "举报",
            "消费者",
        ],
    },
    Lang {
        code: "ja",
        country: "JP",
        region: "nea",
        spaced: false,
        words: &[
            "詐欺",
            "広告",
            "ネット",
            "被害",
            "急増",
            "投資",
            "警察",
            "消費者庁",
            "注意",
            "偽",
            "有名人",
            "決済",
            "返金",
            "配信者",
            "収益",
            "規制",
            "違法",
            "賭博",
        ],
    },
    Lang {
        code: "ko",
        country: "KR",
        region: "nea",
        spaced: true,
        words: &[
            "사기",
            "광고",
            "온라인",
            "도박",
            "플랫폼",
            "규제",
            "과징금",
            "피해자",
            "투자",
            "경찰",
            "결제",
            "환불",
            "크리에이터",
            "수익",
            "대출",
            "불법",
        ],
    },
    Lang {
        code: "hi",
        country: "IN",
        region: "sa",
        spaced: true,
        words: &[
            "विज्ञापन",
            "धोखाधड़ी",
            "ऑनलाइन",
            "सट्टेबाजी",
            "ऋण",
            "पुलिस",
            "निवेश",
            "मंच",
            "भुगतान",
            "बैंक",
            "उपयोगकर्ता",
            "शिकायत",
            "सरकार",
            "प्रतिबंध",
            "ठगी",
        ],
    },
];

const TOPICS: &[&str] = &[
    "scam-ads",
    "gambling-ads",
    "loan-ads",
    "creator-payouts",
    "live-shopping",
    "payments",
    "ad-regulation",
];

fn words(rng: &mut fastrand::Rng, lang: &Lang, n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        if i > 0 && lang.spaced {
            out.push(' ');
        }
        out.push_str(lang.words[rng.usize(..lang.words.len())]);
        if !lang.spaced && rng.u8(..) < 20 {
            out.push(' ');
        }
    }
    out
}

fn article(rng: &mut fastrand::Rng, n: usize) -> IndexedArticle {
    let lang = &LANGS[rng.usize(..LANGS.len())];
    let url = format!("https://news{}.example/{}/{n}", n % 97, lang.code);
    let day0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let published = day0 + chrono::Duration::minutes(rng.i64(0..60 * 24 * 330));
    let num_topics = rng.usize(0..3);
    let topics: Vec<TopicScore> = (0..num_topics)
        .map(|_| {
            let score = rng.f32() * 2.0 - 1.0;
            TopicScore {
                id: TOPICS[rng.usize(..TOPICS.len())].to_string(),
                score: rng.f32(),
                terms: vec![],
                sentiment: SentimentScore {
                    label: label(score),
                    score,
                    confidence: rng.f32(),
                    ..Default::default()
                },
            }
        })
        .collect();
    let overall = rng.f32() * 2.0 - 1.0;
    let (title_words, body_words) = (6 + rng.usize(..6), 50 + rng.usize(..70));
    IndexedArticle {
        id: article_id(&url),
        url,
        source: format!("{}-{}", lang.country.to_ascii_lowercase(), n % 23),
        country: lang.country.into(),
        region: lang.region.into(),
        lang: lang.code.into(),
        title: words(rng, lang, title_words),
        body: words(rng, lang, body_words),
        published: Some(published),
        fetched: published,
        authors: vec![],
        warc_id: None,
        topics,
        sentiment: SentimentScore {
            label: label(overall),
            score: overall,
            confidence: 0.7,
            ..Default::default()
        },
        risk: rng.f32() * 100.0,
        evidence: vec![],
        ..Default::default()
    }
}

fn label(score: f32) -> SentimentLabel {
    if score < -0.2 {
        SentimentLabel::Negative
    } else if score > 0.2 {
        SentimentLabel::Positive
    } else {
        SentimentLabel::Neutral
    }
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn build(dir: &std::path::Path, n: usize) -> ArticleIndex {
    let done = dir.join("bench-complete");
    if done.exists() {
        eprintln!("reusing the index in {}", dir.display());
        return ArticleIndex::open(&dir.join("tantivy")).unwrap();
    }
    let _ = std::fs::remove_dir_all(dir);
    let index = ArticleIndex::open_or_create(&dir.join("tantivy")).unwrap();
    let mut writer = index.writer().unwrap();
    let mut rng = fastrand::Rng::with_seed(7);
    let start = Instant::now();
    for i in 0..n {
        writer.upsert(&article(&mut rng, i)).unwrap();
        if (i + 1) % COMMIT_EVERY == 0 {
            writer.commit().unwrap();
            eprintln!(
                "  {} articles, {:.0}/s",
                i + 1,
                (i + 1) as f64 / start.elapsed().as_secs_f64()
            );
        }
    }
    writer.finish().unwrap();
    eprintln!(
        "built {n} articles in {:.0}s ({:.0}/s)",
        start.elapsed().as_secs_f64(),
        n as f64 / start.elapsed().as_secs_f64()
    );
    std::fs::write(&done, n.to_string()).unwrap();
    index
}

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
    let index = build(&dir, n);

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
