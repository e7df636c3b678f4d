//! The crawler as a good citizen, and a careful one: robots.txt,
//! Crawl-delay, Retry-After, retries, redirect loops, and no requests to
//! private addresses unless allowed.

mod common;

use std::time::Duration;

use common::{TestWeb, Workspace, stderr, stdout};
use serde_json::Value;

/// Scheduling slack allowed below a requested delay (timer granularity).
const SLACK: Duration = Duration::from_millis(50);

fn catalog(feeds: &[&str]) -> String {
    let list: Vec<String> = feeds
        .iter()
        .map(|f| format!("\"{{{{BASE}}}}{f}\""))
        .collect();
    format!(
        "[[source]]\nid = \"straits-ledger\"\nname = \"The Straits Ledger\"\nhomepage = \"{{{{BASE}}}}/straits-ledger/\"\n\
         country = \"SG\"\nlanguages = [\"en\"]\nfeeds = [{}]\n",
        list.join(", ")
    )
}

fn crawl(ws: &Workspace, extra: &[&str]) -> Value {
    let mut args = vec!["crawl", "--json"];
    args.extend_from_slice(extra);
    let out = ws.kabar(&args);
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    serde_json::from_str(stdout(&out).trim()).unwrap()
}

fn failures_of_kind(summary: &Value, kind: &str) -> Vec<Value> {
    summary["failures"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == kind)
        .cloned()
        .collect()
}

#[test]
fn private_addresses_are_refused_unless_allowed() {
    let web = TestWeb::start();
    let port = web.base.rsplit(':').next().unwrap().to_string();
    // A name that resolves to loopback is refused after resolution, an IP
    // literal before any request.
    let text = catalog(&["/straits-ledger/feed.xml"]).replace(
        "{{BASE}}/straits-ledger/feed.xml",
        &format!("http://intranet.test:{port}/straits-ledger/feed.xml\", \"{{{{BASE}}}}/kabar-harian/rss.xml"),
    );
    let keys = format!(
        "allow_private = false\n[crawl.resolve]\n\"intranet.test\" = \"127.0.0.1:{port}\"\n"
    );
    let ws = Workspace::with_catalog(&web, &[("sea/sg.toml", &text)], "");
    // Overwrite the test default (allow_private = true) for this workspace.
    let cfg = ws.path().join("kabar.toml");
    let base_cfg = std::fs::read_to_string(&cfg)
        .unwrap()
        .replace("allow_private = true\n", "");
    std::fs::write(&cfg, format!("{base_cfg}{keys}")).unwrap();

    let summary = crawl(&ws, &[]);
    let blocked = failures_of_kind(&summary, "blocked");
    assert_eq!(blocked.len(), 2, "{summary:#}");
    assert!(
        blocked.iter().any(|f| f["reason"]
            .as_str()
            .unwrap()
            .contains("intranet.test resolves to 127.0.0.1")),
        "{blocked:?}"
    );
    assert!(
        blocked
            .iter()
            .all(|f| f["reason"].as_str().unwrap().contains("--allow-private"))
    );
    assert_eq!(summary["articles_indexed"], 0);
    assert_eq!(
        web.hits("/straits-ledger/feed.xml"),
        0,
        "no request reached the server"
    );

    let summary = crawl(&ws, &["--allow-private"]);
    assert_eq!(summary["feeds_failed"], 0, "{summary:#}");
    assert_eq!(summary["articles_indexed"], 6, "{summary:#}");
}

#[test]
fn robots_txt_rules_are_obeyed() {
    let web = TestWeb::start();
    web.set_robots("User-agent: *\nDisallow: /straits-ledger/2025/04/\n");
    let ws = Workspace::with_catalog(
        &web,
        &[("sea/sg.toml", &catalog(&["/straits-ledger/feed.xml"]))],
        "",
    );
    let summary = crawl(&ws, &[]);
    let robots = failures_of_kind(&summary, "robots");
    assert_eq!(robots.len(), 1, "{summary:#}");
    assert!(robots[0]["url"].as_str().unwrap().contains("/2025/04/"));
    assert_eq!(summary["articles_indexed"], 2, "{summary:#}");
    assert_eq!(
        web.hits("/straits-ledger/2025/04/creator-payouts-delayed.html"),
        0
    );
    assert_eq!(
        web.hits("/robots.txt"),
        1,
        "robots.txt is fetched once per host"
    );
}

#[test]
fn crawl_delay_spaces_requests_to_a_host() {
    let web = TestWeb::start();
    web.set_robots("User-agent: kabar\nCrawl-delay: 0.3\n");
    let ws = Workspace::with_catalog(
        &web,
        &[("sea/sg.toml", &catalog(&["/straits-ledger/feed.xml"]))],
        "",
    );
    let summary = crawl(&ws, &[]);
    assert_eq!(summary["articles_indexed"], 3);
    let mut times: Vec<std::time::Instant> = [
        "/robots.txt",
        "/straits-ledger/feed.xml",
        "/straits-ledger/2025/03/scam-ads-crackdown.html",
    ]
    .iter()
    .flat_map(|p| web.times(p))
    .collect();
    times.sort();
    for pair in times.windows(2) {
        assert!(
            pair[1] - pair[0] + SLACK >= Duration::from_millis(300),
            "{:?}",
            pair[1] - pair[0]
        );
    }
}

#[test]
fn retry_after_and_transient_failures_are_retried() {
    let web = TestWeb::start();
    // First answer 503 with Retry-After: 1, then the feed.
    let ws = Workspace::with_catalog(
        &web,
        &[(
            "sea/sg.toml",
            &catalog(&["/flaky/1/503/straits-ledger/feed.xml?retry_after=1"]),
        )],
        "",
    );
    let summary = crawl(&ws, &[]);
    assert_eq!(summary["feeds_ok"], 1, "{summary:#}");
    let times = web.times("/flaky/1/503/straits-ledger/feed.xml");
    assert_eq!(times.len(), 2);
    assert!(
        times[1] - times[0] + SLACK >= Duration::from_secs(1),
        "{:?}",
        times[1] - times[0]
    );

    // Two plain 500s, then success: retried with backoff (max_retries = 2).
    let ws = Workspace::with_catalog(
        &web,
        &[(
            "sea/sg.toml",
            &catalog(&["/flaky/2/500/straits-ledger/feed.xml"]),
        )],
        "",
    );
    let summary = crawl(&ws, &[]);
    assert_eq!(summary["feeds_ok"], 1, "{summary:#}");
    assert_eq!(web.hits("/flaky/2/500/straits-ledger/feed.xml"), 3);

    // A Retry-After of an hour is not waited out: the host is rate limited.
    let ws = Workspace::with_catalog(
        &web,
        &[(
            "sea/sg.toml",
            &catalog(&["/flaky/9/429/straits-ledger/feed.xml?retry_after=3600"]),
        )],
        "",
    );
    let started = std::time::Instant::now();
    let summary = crawl(&ws, &[]);
    assert!(started.elapsed() < Duration::from_secs(20));
    let limited = failures_of_kind(&summary, "rate_limited");
    assert_eq!(limited.len(), 1, "{summary:#}");
    assert!(
        limited[0]["reason"].as_str().unwrap().contains("3600"),
        "{limited:?}"
    );
}

#[test]
fn redirect_loops_are_detected() {
    let web = TestWeb::start();
    let ws = Workspace::with_catalog(
        &web,
        &[("sea/sg.toml", &catalog(&["/redirect-loop/a"]))],
        "",
    );
    let summary = crawl(&ws, &[]);
    let redirects = failures_of_kind(&summary, "redirects");
    assert_eq!(redirects.len(), 1, "{summary:#}");
    assert!(
        redirects[0]["reason"].as_str().unwrap().contains("loop"),
        "{redirects:?}"
    );
}

#[test]
fn huge_bodies_and_compression_bombs_stop_at_the_cap() {
    let web = TestWeb::start();
    let ws = Workspace::with_catalog(&web, &[("sea/sg.toml", &catalog(&["/huge", "/bomb"]))], "");
    let started = std::time::Instant::now();
    let summary = crawl(&ws, &[]);
    let too_large = failures_of_kind(&summary, "too_large");
    assert_eq!(too_large.len(), 2, "{summary:#}");
    assert!(
        too_large
            .iter()
            .all(|f| f["reason"].as_str().unwrap().contains("5242880"))
    );
    assert!(started.elapsed() < Duration::from_secs(30));
}
