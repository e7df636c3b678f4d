//! The digest's content and renderings, over a synthetic month of news with
//! a known spike, a known sentiment shift and a region gone quiet.
//!
//! The text and Markdown renderings are compared with golden files in
//! `tests/golden/`; set `KABAR_UPDATE_GOLDEN=1` to rewrite them after a
//! deliberate change, and read the diff.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use kabar::digest::compose::{ComposeInput, Scope, compose, day_bounds};
use kabar::digest::render;
use kabar::index::{ArticleIndex, article_id};
use kabar::model::{
    IndexedArticle, SentenceEvidence, SentimentLabel, SentimentScore, TopicEvidence, TopicScore,
};
use kabar::spikes::SpikeParams;
use kabar::state::{HealthStatus, SourceHealth};

const TZ: chrono_tz::Tz = chrono_tz::Asia::Singapore;

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 3, 20).unwrap()
}

struct Gen {
    n: usize,
    articles: Vec<IndexedArticle>,
}

impl Gen {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        day: i64,
        hour: i64,
        region: &str,
        source: &str,
        topic: Option<(&str, f32)>,
        title: &str,
        story: Option<&str>,
    ) {
        self.n += 1;
        let (start, _) = day_bounds(date() + Duration::days(day), &TZ);
        let published = start + Duration::hours(hour) + Duration::minutes(self.n as i64 % 60);
        let url = format!("https://{source}.example/{}", self.n);
        let id = article_id(&url);
        let score = topic.map_or(0.0, |t| t.1);
        let label = if score <= -0.2 {
            SentimentLabel::Negative
        } else if score >= 0.2 {
            SentimentLabel::Positive
        } else {
            SentimentLabel::Neutral
        };
        let sentiment = SentimentScore {
            label,
            score,
            confidence: 0.8,
            ..Default::default()
        };
        let topics: Vec<TopicScore> = topic
            .map(|(t, _)| TopicScore {
                id: t.into(),
                score: 0.8,
                terms: vec![format!("{t} term")],
                sentiment,
            })
            .into_iter()
            .collect();
        let risk = kabar::analyze::article::risk(&topics, 1.0);
        self.articles.push(IndexedArticle {
            id: id.clone(),
            url,
            source: source.into(),
            country: if region == "sea" {
                "SG".into()
            } else {
                "JP".into()
            },
            region: region.into(),
            lang: "en".into(),
            title: title.into(),
            body: format!("{title}. More about it follows here."),
            published: Some(published),
            fetched: published,
            story: story.map_or(id, |s| article_id(&format!("https://{s}"))),
            evidence: topic
                .map(|(t, _)| TopicEvidence {
                    topic: t.into(),
                    terms: vec![],
                    sentences: vec![SentenceEvidence {
                        text: format!("{title}: the sentence that drove the score."),
                        score,
                        cues: vec![],
                    }],
                })
                .into_iter()
                .collect(),
            topics,
            sentiment,
            risk,
            ..Default::default()
        });
    }
}

/// 29 ordinary days in two regions, then the digest day: scam ads spike in
/// SEA (one story run by four outlets among them), payments turn negative,
/// and NEA goes nearly silent.
fn month() -> ArticleIndex {
    let mut g = Gen {
        n: 0,
        articles: Vec::new(),
    };
    for day in -29..0 {
        for i in 0..20 {
            let topic = match i % 10 {
                0 => Some(("scam-ads", -0.5)),
                1 | 2 => Some(("payments", 0.4)),
                _ => None,
            };
            g.add(
                day,
                1 + i % 12,
                "sea",
                ["alpha", "beta", "gamma"][i as usize % 3],
                topic,
                "Ordinary day",
                None,
            );
        }
        for i in 0..10 {
            g.add(
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
        g.add(
            0,
            1 + i % 10,
            "sea",
            ["alpha", "beta", "gamma"][i as usize % 3],
            None,
            "Ordinary news",
            None,
        );
    }
    for (i, outlet) in ["beta", "alpha", "delta", "gamma"].iter().enumerate() {
        g.add(
            0,
            3 + i as i64,
            "sea",
            outlet,
            Some(("scam-ads", -0.8)),
            "Deepfake minister ads <script>alert(1)</script> drain savings",
            Some("deepfake-story"),
        );
    }
    for i in 0..5 {
        g.add(
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
        g.add(
            0,
            8 + i,
            "sea",
            "beta",
            Some(("payments", -0.6)),
            &format!("E-wallet outage day {i}"),
            None,
        );
    }
    g.add(0, 9, "nea", "kappa", None, "One story in the north", None);

    let index = ArticleIndex::create_in_ram();
    let mut w = index.writer().unwrap();
    for a in &g.articles {
        w.upsert(a).unwrap();
    }
    w.commit().unwrap();
    index
}

fn health() -> Vec<(SourceHealth, String)> {
    let h = |source: &str, status: HealthStatus, error: Option<&str>| SourceHealth {
        source: source.into(),
        status,
        feeds: 1,
        feeds_paused: 0,
        feeds_failing: 0,
        last_success: None,
        last_error: error.map(str::to_string),
        last_error_at: None,
        articles_per_day: 3.0,
        last_article: None,
        failures: BTreeMap::new(),
    };
    vec![
        (h("alpha", HealthStatus::Ok, None), "sea".into()),
        (h("beta", HealthStatus::Ok, None), "sea".into()),
        (
            h("kappa", HealthStatus::Failing, Some("HTTP 403 (blocked)")),
            "nea".into(),
        ),
        (h("omega", HealthStatus::Silent, None), "nea".into()),
    ]
}

fn names() -> BTreeMap<String, String> {
    [
        ("scam-ads", "Scam & fraud ads"),
        ("payments", "Payments & e-wallets"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect()
}

fn digest() -> kabar::digest::compose::Digest {
    let names = names();
    let now: DateTime<Utc> = "2025-03-21T00:30:00Z".parse().unwrap();
    compose(
        &month(),
        &ComposeInput {
            date: date(),
            tz: TZ,
            scope: Scope {
                profile: "sg-trust".into(),
                ..Default::default()
            },
            health: health(),
            params: SpikeParams::default(),
            now,
            topic_names: &names,
        },
    )
    .unwrap()
}

#[test]
fn the_spike_the_stories_the_shift_and_the_quiet_region_are_found() {
    let d = digest();
    assert_eq!(d.summary.articles, 12 + 4 + 5 + 4 + 1);
    // The four copies of the deepfake story are one story.
    assert_eq!(d.summary.stories, 26 - 3);

    assert_eq!(d.spikes.len(), 1, "{:#?}", d.spikes);
    let s = &d.spikes[0];
    assert_eq!(
        (s.topic.as_str(), s.region.as_str(), s.count),
        ("scam-ads", "sea", 9)
    );
    assert_eq!(s.negative_share, Some(1.0));
    assert_eq!(
        s.first.as_ref().unwrap().source,
        "beta",
        "earliest of the day"
    );
    assert_eq!(s.outlets[0], ("alpha".to_string(), 6));
    assert_eq!(s.series.len(), 30);
    assert_eq!(*s.series.last().unwrap(), 9);

    let sea = d.regions.iter().find(|r| r.region == "sea").unwrap();
    let top = &sea.stories[0];
    assert_eq!(top.articles, 4);
    assert_eq!(top.outlets, 4);
    assert_eq!(
        top.lead.source, "beta",
        "the first publisher leads the story"
    );
    assert!(top.risk >= sea.stories[1].risk);

    let shift = d.shifts.iter().find(|s| s.topic == "payments").unwrap();
    assert_eq!(shift.region, "sea");
    assert!(shift.today < 0.0 && shift.baseline > 0.0, "{shift:?}");

    let nea = d.health.volume.iter().find(|v| v.region == "nea").unwrap();
    assert!(nea.low && nea.today == 1 && nea.usual == 10.0, "{nea:?}");
    assert_eq!(d.health.failing.len(), 1);
    assert!(
        d.summary.headline.contains("Coverage is thin in NEA"),
        "{}",
        d.summary.headline
    );
}

#[test]
fn the_html_escapes_crawled_text_and_embeds_one_chart_per_spike() {
    let d = digest();
    let (html, charts) = render::html(&d, &names());
    assert!(!html.contains("<script>"), "a crawled title became markup");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_eq!(charts.len(), 1);
    assert!(charts[0].png.starts_with(b"\x89PNG"));
    assert!(html.contains(&format!("cid:{}", charts[0].content_id)));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    let md = render::markdown(&d, &names());
    assert!(
        md.contains("\\<script\\>"),
        "Markdown must not carry raw tags"
    );
    let json: serde_json::Value = serde_json::from_str(&render::json(&d)).unwrap();
    assert_eq!(json["spikes"][0]["topic"], "scam-ads");
}

fn golden(name: &str, actual: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("KABAR_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with KABAR_UPDATE_GOLDEN=1 to create it)",
            path.display()
        )
    });
    assert_eq!(
        actual, expected,
        "{name} changed; if on purpose, rerun with KABAR_UPDATE_GOLDEN=1"
    );
}

#[test]
fn text_and_markdown_match_their_golden_files() {
    let d = digest();
    golden("digest.txt", &render::text(&d, &names()));
    golden("digest.md", &render::markdown(&d, &names()));
}
