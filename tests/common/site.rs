//! A small analysed index for the web tests, and the server on loopback.
//!
//! The articles carry topics, sentiment, risk and evidence as the crawl
//! would write them, in several scripts, and a few are hostile: markup,
//! attribute-breaking quotes, `javascript:` URLs and formulas in every
//! field a crawled page controls.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use chrono::{Duration, Utc};
use kabar::config::Config;
use kabar::index::{ArticleIndex, article_id};
use kabar::model::{
    IndexedArticle, SentenceEvidence, SentimentLabel, SentimentScore, TermEvidence, TextField,
    TopicEvidence, TopicScore,
};

/// What a hostile page put in its title: if any of it ran, the page's title
/// would become "pwned".
pub const HOSTILE_TITLE: &str = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\"> Scam \"quoted' </b>";
pub const HOSTILE_BODY: &str = "</textarea><script>alert(1)</script><div><b>unclosed scam ads <a href=\"javascript:alert(2)\">click</a> =HYPERLINK(\"http://evil.test\")";
pub const HOSTILE_URL: &str = "javascript:document.title='pwned'";

pub const THAI_TITLE: &str = "ธนาคารแห่งประเทศไทยเตือนโฆษณาหลอกลวงบนโซเชียล";
pub const THAI_BODY: &str = "ธนาคารแห่งประเทศไทยเตือนประชาชนเรื่องโฆษณาหลอกลวงบนโซเชียลมีเดีย ผู้เสียหายหลายรายถูกหลอกให้ลงทุน\nตำรวจไซเบอร์กำลังสอบสวนเครือข่ายโฆษณาหลอกลวงดังกล่าว";
pub const ENGLISH_TITLE: &str = "Regulator fines platform over online gambling ads";

fn sentiment(label: SentimentLabel, score: f32) -> SentimentScore {
    SentimentScore {
        label,
        score,
        confidence: 0.8,
        ..Default::default()
    }
}

/// Evidence for `terms` found in `title` and `body`, and `sentences`.
fn evidence(
    topic: &str,
    title: &str,
    body: &str,
    terms: &[&str],
    sentences: &[(&str, f32)],
) -> TopicEvidence {
    let mut found = Vec::new();
    for term in terms {
        for (field, text) in [(TextField::Title, title), (TextField::Body, body)] {
            for (start, m) in text.match_indices(term) {
                found.push(TermEvidence {
                    term: term.to_string(),
                    text: m.to_string(),
                    field,
                    start,
                    end: start + m.len(),
                    entity: false,
                });
            }
        }
    }
    TopicEvidence {
        topic: topic.into(),
        terms: found,
        sentences: sentences
            .iter()
            .map(|(text, score)| SentenceEvidence {
                text: text.to_string(),
                score: *score,
                cues: vec!["เตือน".into()],
            })
            .collect(),
    }
}

#[allow(clippy::too_many_arguments)]
fn article(
    n: usize,
    lang: &str,
    country: &str,
    region: &str,
    title: &str,
    body: &str,
    hours_ago: i64,
    topics: &[(&str, SentimentLabel, f32)],
    risk: f32,
) -> IndexedArticle {
    let url = format!("https://news{n}.example/a/{n}");
    let now = Utc::now();
    let overall = topics
        .first()
        .map(|t| sentiment(t.1, t.2))
        .unwrap_or_default();
    IndexedArticle {
        id: article_id(&url),
        url,
        source: format!("{}-news", country.to_ascii_lowercase()),
        country: country.into(),
        region: region.into(),
        lang: lang.into(),
        title: title.into(),
        body: body.into(),
        published: Some(now - Duration::hours(hours_ago)),
        fetched: now,
        authors: vec!["Desk".into()],
        warc_id: Some(format!("<urn:uuid:0000-{n}>")),
        topics: topics
            .iter()
            .map(|(id, label, score)| TopicScore {
                id: id.to_string(),
                score: 0.8,
                terms: vec![],
                sentiment: sentiment(*label, *score),
            })
            .collect(),
        sentiment: overall,
        risk,
        evidence: vec![],
        ..Default::default()
    }
}

/// The fixture articles: Thai and English on scam and gambling ads, one
/// article per other first-class script, and two hostile ones.
pub fn articles() -> Vec<IndexedArticle> {
    use SentimentLabel::*;
    let mut thai = article(
        1,
        "th",
        "TH",
        "sea",
        THAI_TITLE,
        THAI_BODY,
        3,
        &[("scam-ads", Negative, -0.7)],
        82.0,
    );
    thai.evidence = vec![evidence(
        "scam-ads",
        THAI_TITLE,
        THAI_BODY,
        &["หลอกลวง"],
        &[("ตำรวจไซเบอร์กำลังสอบสวนเครือข่ายโฆษณาหลอกลวงดังกล่าว", -0.8)],
    )];
    let english_body = "The regulator fined the platform for running online gambling ads aimed at teenagers. Scam ads were also found.";
    let mut english = article(
        2,
        "en",
        "PH",
        "sea",
        ENGLISH_TITLE,
        english_body,
        30,
        &[
            ("gambling-ads", Negative, -0.5),
            ("ad-regulation", Neutral, 0.0),
        ],
        55.0,
    );
    english.evidence = vec![evidence(
        "gambling-ads",
        ENGLISH_TITLE,
        english_body,
        &["gambling ads"],
        &[(
            "The regulator fined the platform for running online gambling ads aimed at teenagers.",
            -0.6,
        )],
    )];
    let mut hostile = article(
        9,
        "th\" onload=\"x",
        "TH",
        "sea",
        HOSTILE_TITLE,
        HOSTILE_BODY,
        5,
        &[("scam-ads", Negative, -0.4), ("<i>bad</i>", Neutral, 0.0)],
        40.0,
    );
    hostile.url = HOSTILE_URL.into();
    hostile.id = article_id(HOSTILE_URL);
    hostile.source = "evil\"><script>alert(3)</script>".into();
    hostile.authors = vec!["<b>author</b>".into()];
    hostile.evidence = vec![TopicEvidence {
        topic: "scam-ads".into(),
        terms: vec![
            TermEvidence {
                term: "scam".into(),
                text: "Scam".into(),
                field: TextField::Title,
                start: HOSTILE_TITLE.find("Scam").unwrap(),
                end: HOSTILE_TITLE.find("Scam").unwrap() + 4,
                entity: false,
            },
            // Out of range and inside a character: must be ignored.
            TermEvidence {
                term: "x".into(),
                text: "x".into(),
                field: TextField::Body,
                start: 5000,
                end: 5004,
                entity: false,
            },
        ],
        sentences: vec![SentenceEvidence {
            text: "<script>alert(1)</script>".into(),
            score: -0.5,
            cues: vec!["<b>cue</b>".into()],
        }],
    }];
    let mut formula = article(
        10,
        "en",
        "SG",
        "sea",
        "=HYPERLINK(\"http://evil.test\",\"scam ads refund\")",
        "Scam ads refund scheme, with a formula in the title.",
        6,
        &[("scam-ads", Negative, -0.3)],
        20.0,
    );
    formula.url = "http://news10.example/a?b=\"><script>alert(4)</script>".into();
    vec![
        thai,
        english,
        article(
            3,
            "ja",
            "JP",
            "nea",
            "ネット広告の詐欺被害が急増",
            "ネット広告の詐欺被害が急増している。消費者庁が注意を呼びかけた。",
            50,
            &[("scam-ads", Negative, -0.6)],
            61.0,
        ),
        article(
            4,
            "zh-Hans",
            "CN",
            "nea",
            "网络赌博广告引发监管关注",
            "监管部门表示，网络赌博广告在短视频平台上大量出现。",
            70,
            &[("gambling-ads", Negative, -0.5)],
            48.0,
        ),
        article(
            5,
            "my",
            "MM",
            "sea",
            "အွန်လိုင်းလောင်းကစားကြော်ငြာများ တိုးပွား",
            "အွန်လိုင်းလောင်းကစားကြော်ငြာများ လူမှုကွန်ရက်တွင် တိုးပွားလာသည်။",
            100,
            &[("gambling-ads", Negative, -0.4)],
            35.0,
        ),
        article(
            6,
            "km",
            "KH",
            "sea",
            "ការផ្សាយពាណិជ្ជកម្មបោកប្រាស់តាមអនឡាញ",
            "អាជ្ញាធរព្រមានអំពីការផ្សាយពាណិជ្ជកម្មបោកប្រាស់តាមបណ្ដាញសង្គម។",
            120,
            &[("scam-ads", Negative, -0.5)],
            30.0,
        ),
        article(
            7,
            "hi",
            "IN",
            "sa",
            "ऑनलाइन सट्टेबाजी विज्ञापनों पर रोक",
            "सरकार ने ऑनलाइन सट्टेबाजी विज्ञापनों पर रोक लगाने का आदेश दिया। বাংলা: অনলাইন জুয়ার বিজ্ঞাপন। தமிழ்: ஆன்லைன் சூதாட்ட விளம்பரங்கள்.",
            200,
            &[
                ("gambling-ads", Neutral, 0.0),
                ("ad-regulation", Positive, 0.4),
            ],
            25.0,
        ),
        article(
            8,
            "ur",
            "PK",
            "sa",
            "آن لائن جوئے کے اشتہارات پر پابندی",
            "حکومت نے آن لائن جوئے کے اشتہارات پر پابندی عائد کر دی۔",
            300,
            &[("gambling-ads", Neutral, 0.1)],
            15.0,
        ),
        hostile,
        formula,
    ]
}

/// Writes the fixture articles into `<data>/tantivy`, as a crawl would.
pub fn build_index(data: &Path) -> ArticleIndex {
    let index = ArticleIndex::open_or_create(&data.join("tantivy")).unwrap();
    let mut w = index.writer().unwrap();
    for a in articles() {
        w.upsert(&a).unwrap();
    }
    w.finish().unwrap();
    index
}

/// A config whose data folder is `data`, with the test catalog.
pub fn config(data: &Path) -> Config {
    let mut c = Config {
        data_dir: data.to_path_buf(),
        // The shipped catalog: valid, and every source is new without a state.
        sources_dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("sources"),
        ..Config::default()
    };
    c.web.rate_per_sec = 1000.0;
    c.web.rate_burst = 10_000;
    c
}

/// A running server. Dropping it stops it.
pub struct Server {
    pub base: String,
    pub addr: SocketAddr,
    _runtime: tokio::runtime::Runtime,
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

/// Serves `index` with `config` on a free loopback port, on its own runtime.
pub fn serve(index: ArticleIndex, config: Config) -> Server {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
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
    Server {
        base: format!("http://{addr}"),
        addr,
        _runtime: runtime,
    }
}

/// An answer, read whole.
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    }
}

/// A plain HTTP client for tests (no redirects followed, no cookies kept).
pub struct Client {
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
}

impl Default for Client {
    fn default() -> Self {
        Self::new()
    }
}

impl Client {
    pub fn new() -> Client {
        Client {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .build()
                .unwrap(),
        }
    }

    pub fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        self.rt.block_on(async {
            let r = request.send().await.unwrap();
            let status = r.status().as_u16();
            let headers = r.headers().clone();
            let body = r.text().await.unwrap();
            Answer {
                status,
                headers,
                body,
            }
        })
    }

    pub fn get(&self, url: &str) -> Answer {
        self.send(self.http.get(url))
    }

    pub fn get_with(&self, url: &str, headers: &[(&str, &str)]) -> Answer {
        let mut r = self.http.get(url);
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        self.send(r)
    }

    pub fn request(&self, method: reqwest::Method, url: &str) -> reqwest::RequestBuilder {
        self.http.request(method, url)
    }
}

// ---------------------------------------------------------------- a month

/// The day the month fixture's digest covers (Asia/Singapore).
pub const DIGEST_DATE: &str = "2025-03-20";
/// The syndicated story's headline, hostile: four outlets ran it.
pub const STORY_TITLE: &str =
    "Deepfake minister ads <script>document.title='pwned'</script> drain savings";
/// The archived response of the story's first article: a hostile page.
pub const ARCHIVED_PAGE: &str = "<!doctype html><html><head><title>archived</title><script>document.title='pwned'</script></head><body><h1>Deepfake minister ads</h1><img src=x onerror=\"document.title='pwned'\"><a href=\"javascript:document.title='pwned'\">x</a><p>ข่าวโฆษณาหลอกลวง</p></body></html>";

/// What the month fixture holds, for the tests to ask about.
pub struct Month {
    pub index: ArticleIndex,
    /// The story's articles, first publisher first.
    pub story: Vec<IndexedArticle>,
    /// The WARC record id of the first story article's response.
    pub warc_id: String,
}

/// A month of news in SEA and NEA up to [`DIGEST_DATE`], when scam ads
/// spike in SEA: one story (hostile headline) run by four outlets, "beta"
/// first, and five more reports. The first story article's response (a
/// hostile page) is in `<data>/archive`, as a crawl would leave it.
pub fn build_month(data: &Path) -> Month {
    use chrono::NaiveDate;
    use kabar::digest::compose::day_bounds;
    let tz = chrono_tz::Asia::Singapore;
    let day0 = NaiveDate::parse_from_str(DIGEST_DATE, "%Y-%m-%d").unwrap();
    let mut articles: Vec<IndexedArticle> = Vec::new();
    let mut add = |day: i64,
                   hour: i64,
                   region: &str,
                   source: &str,
                   topic: Option<(&str, f32)>,
                   title: &str,
                   story: Option<&str>| {
        let n = articles.len() + 1;
        let (start, _) = day_bounds(day0 + Duration::days(day), &tz);
        let published = start + Duration::hours(hour) + Duration::minutes(n as i64 % 60);
        let url = format!("https://{source}.example/{n}");
        let id = article_id(&url);
        let score = topic.map_or(0.0, |t| t.1);
        let label = if score <= -0.2 {
            SentimentLabel::Negative
        } else if score >= 0.2 {
            SentimentLabel::Positive
        } else {
            SentimentLabel::Neutral
        };
        let topics: Vec<TopicScore> = topic
            .map(|(t, _)| TopicScore {
                id: t.into(),
                score: 0.8,
                terms: vec![],
                sentiment: sentiment(label, score),
            })
            .into_iter()
            .collect();
        articles.push(IndexedArticle {
            id: id.clone(),
            url,
            source: source.into(),
            country: if region == "sea" { "SG" } else { "JP" }.into(),
            region: region.into(),
            lang: "en".into(),
            title: title.into(),
            body: format!("{title}. More about it follows here."),
            published: Some(published),
            fetched: published,
            risk: kabar::analyze::article::risk(&topics, 1.0),
            topics,
            sentiment: sentiment(label, score),
            story: story.map_or(id, |s| article_id(&format!("https://{s}"))),
            ..Default::default()
        });
    };
    for day in -29..0 {
        for i in 0..20 {
            let topic = match i % 10 {
                0 => Some(("scam-ads", -0.5)),
                1 | 2 => Some(("payments", 0.4)),
                _ => None,
            };
            let source = ["alpha", "beta", "gamma"][i as usize % 3];
            add(day, 1 + i % 12, "sea", source, topic, "Ordinary day", None);
        }
        for i in 0..10 {
            add(
                day,
                2 + i,
                "nea",
                "kappa",
                None,
                "Ordinary day in the north",
                None,
            );
        }
    }
    for i in 0..12 {
        let source = ["alpha", "beta", "gamma"][i as usize % 3];
        add(0, 1 + i % 10, "sea", source, None, "Ordinary news", None);
    }
    for (i, outlet) in ["beta", "alpha", "delta", "gamma"].iter().enumerate() {
        add(
            0,
            3 + i as i64,
            "sea",
            outlet,
            Some(("scam-ads", -0.8)),
            STORY_TITLE,
            Some("deepfake-story"),
        );
    }
    for i in 0..5 {
        add(
            0,
            6 + i,
            "sea",
            "alpha",
            Some(("scam-ads", -0.7)),
            &format!("Scam ad wave, report {i}"),
            None,
        );
    }
    for i in 0..4 {
        add(
            0,
            8 + i,
            "sea",
            "beta",
            Some(("payments", -0.6)),
            &format!("E-wallet outage day {i}"),
            None,
        );
    }
    add(0, 9, "nea", "kappa", None, "One story in the north", None);

    let mut story: Vec<IndexedArticle> = articles
        .iter()
        .filter(|a| a.title == STORY_TITLE)
        .cloned()
        .collect();
    story.sort_by_key(|a| a.published);

    // The first story article's response, archived as a crawl does.
    let mut writer = kabar::archive::ArchiveWriter::open(
        &data.join("archive"),
        kabar::archive::DEFAULT_MAX_FILE_BYTES,
    )
    .unwrap();
    let first = &story[0];
    let page = kabar::model::Page {
        requested_url: first.url.parse().unwrap(),
        final_url: first.url.parse().unwrap(),
        status: 200,
        content_type: Some("text/html; charset=utf-8".into()),
        etag: Some("\"v1\"".into()),
        last_modified: None,
        body: ARCHIVED_PAGE.as_bytes().to_vec(),
        fetched: first.fetched,
    };
    let meta = kabar::archive::FetchMeta {
        kind: "article".into(),
        source: first.source.clone(),
        requested_url: first.url.clone(),
        ..Default::default()
    };
    let warc_id = writer.write(&page, &meta).unwrap();
    writer.sync().unwrap();
    for a in articles.iter_mut().filter(|a| a.id == first.id) {
        a.warc_id = Some(warc_id.clone());
    }
    story[0].warc_id = Some(warc_id.clone());

    let index = ArticleIndex::open_or_create(&data.join("tantivy")).unwrap();
    let mut w = index.writer().unwrap();
    for a in &articles {
        w.upsert(a).unwrap();
    }
    w.finish().unwrap();
    Month {
        index,
        story,
        warc_id,
    }
}

/// [`config`] with one digest profile, `sea-daily` (SEA, Singapore time).
pub fn month_config(data: &Path) -> Config {
    let mut c = config(data);
    c.digest.profiles = vec![kabar::config::DigestProfile {
        name: "sea-daily".into(),
        recipients: vec!["analyst@example.org".into()],
        regions: vec!["sea".parse().unwrap()],
        ..Default::default()
    }];
    c
}
