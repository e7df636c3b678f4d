//! Generated news for the benchmarks that need a large index: realistic
//! multilingual titles and bodies from word lists (English, Thai,
//! Indonesian, Vietnamese, Chinese, Japanese, Korean, Hindi) with topics,
//! sentiment and risk set, and an index builder that keeps a finished index
//! for later runs. `benches/web.rs` and `benches/digest.rs` share it.

use std::time::Instant;

use chrono::{DateTime, Utc};
use kabar::index::{ArticleIndex, article_id};
use kabar::model::{IndexedArticle, SentimentLabel, SentimentScore, TopicScore};

/// Commit this often while building, so memory stays bounded.
const COMMIT_EVERY: usize = 100_000;

pub struct Lang {
    pub code: &'static str,
    pub country: &'static str,
    pub region: &'static str,
    /// Joined with spaces (or not, for unspaced scripts).
    pub spaced: bool,
    pub words: &'static [&'static str],
}

pub const LANGS: &[Lang] = &[
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

pub const TOPICS: &[&str] = &[
    "scam-ads",
    "gambling-ads",
    "loan-ads",
    "creator-payouts",
    "live-shopping",
    "payments",
    "ad-regulation",
];

pub fn words(rng: &mut fastrand::Rng, lang: &Lang, n: usize) -> String {
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

/// The `n`th article, published at a random minute of `days` days from
/// `day0`.
pub fn article(
    rng: &mut fastrand::Rng,
    n: usize,
    day0: DateTime<Utc>,
    days: i64,
) -> IndexedArticle {
    let lang = &LANGS[rng.usize(..LANGS.len())];
    let url = format!("https://news{}.example/{}/{n}", n % 97, lang.code);
    let published = day0 + chrono::Duration::minutes(rng.i64(0..60 * 24 * days));
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

pub fn label(score: f32) -> SentimentLabel {
    if score < -0.2 {
        SentimentLabel::Negative
    } else if score > 0.2 {
        SentimentLabel::Positive
    } else {
        SentimentLabel::Neutral
    }
}

pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Builds an index of `n` articles from `generate` in `dir`, or reuses the
/// one a finished earlier run left there.
pub fn build(
    dir: &std::path::Path,
    n: usize,
    mut generate: impl FnMut(&mut fastrand::Rng, usize) -> IndexedArticle,
) -> ArticleIndex {
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
        writer.upsert(&generate(&mut rng, i)).unwrap();
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
