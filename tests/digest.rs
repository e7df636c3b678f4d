//! The digest's content and renderings, over a synthetic month of news with
//! a known spike, a known sentiment shift, a region gone quiet, and
//! watchlists: one that spikes, one over its threshold, one that stays
//! quiet, one outside the profile and one that cannot run.
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
use kabar::watchlist::Watchlist;

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

fn watch(name: &str, query: &str, threshold: u64) -> Watchlist {
    Watchlist {
        name: name.into(),
        query: query.into(),
        regions: vec![],
        countries: vec![],
        langs: vec![],
        sources: vec![],
        topics: vec![],
        sentiments: vec![],
        min_risk: None,
        threshold,
        window_hours: 24,
    }
}

/// Scam ads in any region (spikes: 9 today where 2 a day is usual, threshold
/// far off); "deepfake" (4 today, too few to spike, but its threshold is
/// 3); "ordinary" in SEA (fewer than usual: fires neither way); a Japan
/// watchlist (outside an SEA profile); and a query that does not parse.
fn watchlists() -> Vec<Watchlist> {
    let mut scam = watch("Scam ads <all>", "", 50);
    scam.topics = vec!["scam-ads".into()];
    let mut ordinary = watch("ordinary", "ordinary", 100);
    ordinary.regions = vec!["sea".into()];
    let mut japan = watch("japan", "", 1);
    japan.countries = vec!["JP".into()];
    vec![
        scam,
        watch("deepfake", "deepfake", 3),
        ordinary,
        japan,
        watch("broken", "title:(unclosed", 1),
    ]
}

fn digest_for(scope: Scope) -> kabar::digest::compose::Digest {
    let names = names();
    let now: DateTime<Utc> = "2025-03-21T00:30:00Z".parse().unwrap();
    compose(
        &month(),
        &ComposeInput {
            date: date(),
            tz: TZ,
            scope,
            health: health(),
            params: SpikeParams::default(),
            now,
            topic_names: &names,
            watchlists: &watchlists(),
            web_url: "https://kabar.example.org/",
        },
    )
    .unwrap()
}

fn digest() -> kabar::digest::compose::Digest {
    digest_for(Scope {
        profile: "sg-trust".into(),
        ..Default::default()
    })
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
fn a_watchlist_that_spikes_or_reaches_its_threshold_leads_the_digest() {
    let d = digest();
    let fired: Vec<&str> = d.watchlists.iter().map(|w| w.name.as_str()).collect();
    // Spikes first; the quiet one, the Japan one in an all-regions profile
    // (one match today, threshold 1: it fires too), in name order after.
    assert_eq!(fired, ["Scam ads <all>", "deepfake", "japan"], "{d:#?}");

    let scam = &d.watchlists[0];
    assert!(scam.spiked && !scam.threshold_hit, "{scam:?}");
    assert_eq!(scam.count, 9);
    assert!(scam.score >= 3.5 && scam.expected > 0.0, "{scam:?}");
    assert_eq!(scam.negative_share, Some(1.0));
    assert_eq!(scam.outlets[0], ("alpha".to_string(), 6));
    assert_eq!(scam.first.as_ref().unwrap().source, "beta");
    assert_eq!(scam.series.len(), 30);
    assert_eq!(*scam.series.last().unwrap(), 9);
    assert_eq!(
        scam.search_url,
        "https://kabar.example.org/search?q=&topic=scam-ads&since=2025-03-20&until=2025-03-20&sort=newest"
    );

    let deepfake = &d.watchlists[1];
    assert!(deepfake.threshold_hit && !deepfake.spiked, "{deepfake:?}");
    assert_eq!((deepfake.count, deepfake.window_count), (4, 4));
    assert_eq!(deepfake.outlets.len(), 4);

    // The query that does not parse is reported, not dropped.
    assert_eq!(d.watchlist_problems.len(), 1);
    assert_eq!(d.watchlist_problems[0].name, "broken");
    assert!(
        d.summary
            .headline
            .starts_with("3 watchlists fired: Scam ads <all>, deepfake, japan."),
        "{}",
        d.summary.headline
    );
    assert_eq!(
        render::subject(&d),
        "kabar digest · sg-trust · 2025-03-20: 3 watchlists fired (\"Scam ads <all>\", …), 1 emerging risk"
    );

    // Every rendering puts the watchlists first.
    let text = render::text(&d, &names());
    let at = |hay: &str, needle: &str| hay.find(needle).unwrap_or_else(|| panic!("{needle}"));
    assert!(at(&text, "WATCHLIST ALERTS") < at(&text, "EMERGING RISKS"));
    let md = render::markdown(&d, &names());
    assert!(at(&md, "## Watchlist alerts") < at(&md, "## Emerging risks"));
    assert!(
        md.contains("Scam ads \\<all\\>"),
        "Markdown escapes the name"
    );
    let (html, charts) = render::html(&d, &names());
    assert!(at(&html, "Watchlist alerts") < at(&html, "Emerging risks"));
    assert!(html.contains("Scam ads &lt;all&gt;") && !html.contains("<all>"));
    assert!(html.contains("href=\"https://kabar.example.org/search?q=&amp;topic=scam-ads"));
    assert_eq!(charts[0].content_id, "watch0.2025-03-20@kabar");
    let json: serde_json::Value = serde_json::from_str(&render::json(&d)).unwrap();
    assert_eq!(json["watchlists"][0]["name"], "Scam ads <all>");
    assert_eq!(json["watchlists"][0]["verdict"], "spike");
    assert_eq!(json["watchlists"][1]["verdict"], "too_few");
}

#[test]
fn watchlists_are_narrowed_to_the_profile() {
    // A North-East Asia profile: scam ads never ran there, the Japan
    // watchlist (its one article today) is in scope, the SEA one is not.
    let d = digest_for(Scope {
        profile: "nea".into(),
        regions: vec!["nea".into()],
        ..Default::default()
    });
    let fired: Vec<&str> = d.watchlists.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(fired, ["japan"]);
    assert!(d.watchlists[0].search_url.contains("region=nea&country=JP"));
    // A Singapore-only profile leaves the Japan watchlist out entirely.
    let d = digest_for(Scope {
        profile: "sg".into(),
        countries: vec!["SG".into()],
        ..Default::default()
    });
    assert!(d.watchlists.iter().all(|w| w.name != "japan"));
}

#[test]
fn the_html_escapes_crawled_text_and_embeds_one_chart_per_spike() {
    let d = digest();
    let (html, charts) = render::html(&d, &names());
    assert!(!html.contains("<script>"), "a crawled title became markup");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // One chart per watchlist alert, then one per spike.
    assert_eq!(charts.len(), d.watchlists.len() + 1);
    for c in &charts {
        assert!(c.png.starts_with(b"\x89PNG"));
        assert!(html.contains(&format!("cid:{}", c.content_id)));
    }
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
