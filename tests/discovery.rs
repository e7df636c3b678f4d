//! Discovery beyond feeds, one article once, source health and the daemon.

mod common;

use std::time::{Duration, Instant};

use common::{TestWeb, Workspace, json_lines, stderr, stdout};
use serde_json::Value;

fn crawl(ws: &Workspace) -> Value {
    let out = ws.kabar(&["crawl", "--json"]);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    serde_json::from_str(stdout(&out).trim()).unwrap()
}

fn source(id: &str, country: &str, lang: &str, discovery: &str) -> String {
    format!(
        "[[source]]\nid = \"{id}\"\nname = \"{id}\"\nhomepage = \"{{{{BASE}}}}/{id}/\"\ncountry = \"{country}\"\n\
         languages = [\"{lang}\"]\n{discovery}\n"
    )
}

fn urls(ws: &Workspace) -> Vec<String> {
    let mut u: Vec<String> = json_lines(&ws.kabar(&["search", "--json", "--limit", "1000"]))
        .iter()
        .map(|h| h["url"].as_str().unwrap().to_string())
        .collect();
    u.sort();
    u
}

#[test]
fn sitemaps_sections_and_autodiscovery_find_articles() {
    let web = TestWeb::start();
    let files = [
        // A sitemap index pointing at a news sitemap.
        (
            "sea/sg.toml",
            source(
                "straits-ledger",
                "SG",
                "en",
                "sitemaps = [\"{{BASE}}/straits-ledger/sitemap-index.xml\"]",
            ),
        ),
        // The homepage announces the feed.
        (
            "sea/id.toml",
            source("kabar-harian", "ID", "id", "autodiscover = true"),
        ),
        // No feed at all: article links on the homepage, by pattern.
        (
            "sea/th.toml",
            source(
                "khao-siam",
                "TH",
                "th",
                "sections = [{ url = \"{{BASE}}/khao-siam/\", pattern = \"/khao-siam/news/\\\\d{4}/\" }]",
            ),
        ),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let ws = Workspace::with_catalog(&web, &files, "");
    let summary = crawl(&ws);
    assert_eq!(summary["feeds_failed"], 0, "{summary:#}");
    assert_eq!(summary["articles_indexed"], 2 + 3 + 3, "{summary:#}");
    let found = urls(&ws);
    assert!(found.contains(&web.url("straits-ledger/2025/05/ewallet-service-restored.html")));
    assert!(
        found
            .iter()
            .filter(|u| u.contains("/kabar-harian/"))
            .count()
            == 3,
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .filter(|u| u.contains("/khao-siam/news/"))
            .count()
            == 3,
        "{found:?}"
    );
    // Section links to other pages (section fronts, pagination) were not taken.
    assert_eq!(web.hits("/khao-siam/section/0.html"), 0);
}

#[test]
fn a_syndicated_copy_is_linked_not_indexed_twice() {
    let web = TestWeb::start();
    let files = [
        (
            "sea/sg.toml",
            source(
                "straits-ledger",
                "SG",
                "en",
                "feeds = [\"{{BASE}}/straits-ledger/feed.xml\"]",
            ),
        ),
        (
            "global/us.toml",
            source(
                "wire-mirror",
                "US",
                "en",
                "feeds = [\"{{BASE}}/wire-mirror/feed.xml\"]",
            ),
        ),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let ws = Workspace::with_catalog(&web, &files, "");
    // The original is indexed first (within one crawl the first copy fetched
    // is kept, whichever it is).
    let out = ws.kabar(&["crawl", "--json", "--source", "straits-ledger"]);
    assert!(out.status.success());
    let first = crawl(&ws);
    let indexed = first["articles_indexed"].as_u64().unwrap();
    let dups = first["duplicates"].as_u64().unwrap();
    assert_eq!((indexed, dups), (0, 1), "{first:#}");
    let found = urls(&ws);
    assert!(
        !found.iter().any(|u| u.contains("wire-mirror")),
        "the copy is not a second document: {found:?}"
    );

    // Recorded as done: the next crawl does not fetch the copy again.
    let second = crawl(&ws);
    assert_eq!(second["articles_fetched"], 0, "{second:#}");
    assert_eq!(
        web.hits("/wire-mirror/2025/03/deepfake-ads-syndicated.html"),
        1
    );
}

#[test]
fn source_health_tells_silence_failure_and_pauses_apart() {
    let web = TestWeb::start();
    let files = [
        (
            "sea/sg.toml",
            source(
                "straits-ledger",
                "SG",
                "en",
                "feeds = [\"{{BASE}}/straits-ledger/feed.xml\"]",
            ),
        ),
        (
            "sea/ph.toml",
            source(
                "dead-feed",
                "PH",
                "tl",
                "feeds = [\"{{BASE}}/broken/not-a-feed.html\"]",
            ),
        ),
        (
            "sea/vn.toml",
            source(
                "never-polled",
                "VN",
                "vi",
                "feeds = [\"{{BASE}}/tin-nhanh/rss/kinh-te.rss\"]\nenabled = true",
            ),
        ),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let ws = Workspace::with_catalog(&web, &files, "");
    let out = ws.kabar(&[
        "crawl",
        "--json",
        "--source",
        "straits-ledger",
        "--source",
        "dead-feed",
    ]);
    assert!(out.status.success());
    let health = |ws: &Workspace| {
        let rows = json_lines(&ws.kabar(&["sources", "health", "--json"]));
        rows.into_iter()
            .map(|r| (r["source"].as_str().unwrap().to_string(), r))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    let h = health(&ws);
    assert_eq!(h["never-polled"]["status"], "new");
    assert_eq!(h["dead-feed"]["status"], "failing");
    assert_eq!(h["dead-feed"]["failures"]["not_a_feed"], 1);
    assert!(
        h["dead-feed"]["last_error"]
            .as_str()
            .unwrap()
            .contains("HTML")
    );
    // The fixture articles are from 2025: fetched now, so they count today.
    assert_eq!(h["straits-ledger"]["status"], "ok");
    assert!(h["straits-ledger"]["articles_per_day"].as_f64().unwrap() > 0.0);
    assert!(h["straits-ledger"]["last_success"].is_string());

    // A second failure of a not-a-feed pauses it.
    ws.kabar(&["crawl", "--json", "--source", "dead-feed"]);
    assert_eq!(health(&ws)["dead-feed"]["status"], "paused");

    // People get a table, worst first.
    let out = ws.kabar(&["sources", "health"]);
    let text = stdout(&out);
    let first_row = text.lines().nth(1).unwrap();
    assert!(
        first_row.starts_with("dead-feed") && first_row.contains("paused"),
        "{text}"
    );
    assert!(text.contains("never polled"), "{text}");
}

#[cfg(unix)]
#[test]
fn the_daemon_polls_on_schedule_and_stops_cleanly() {
    let web = TestWeb::start();
    let files = [(
        "sea/sg.toml",
        source(
            "straits-ledger",
            "SG",
            "en",
            "feeds = [\"{{BASE}}/straits-ledger/feed.xml\"]",
        ),
    )];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    // Poll every second at most, so the test sees a second round quickly.
    let ws = Workspace::with_catalog(
        &web,
        &files,
        "min_poll_interval_secs = 1\ninitial_poll_interval_secs = 1\nmax_poll_interval_secs = 2\n",
    );
    let child = ws.spawn(&["run", "--json"]);
    let started = Instant::now();
    while web.hits("/straits-ledger/feed.xml") < 2 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the daemon did not poll again"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = child.id().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cycles = json_lines(&out);
    assert!(!cycles.is_empty());
    assert_eq!(cycles[0]["articles_indexed"], 3);
    // Later rounds find nothing new and fetch no article again.
    assert!(
        cycles[1..].iter().all(|c| c["articles_fetched"] == 0),
        "{cycles:?}"
    );
    assert_eq!(urls(&ws).len(), 3);
}
