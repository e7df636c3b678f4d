//! End to end: crawl the loopback test web with the real binary, then search.

mod common;

use std::collections::BTreeMap;

use common::{TestWeb, Workspace, json_lines, manifest, stderr, stdout};
use serde_json::Value;

/// Crawls once and returns the summary.
fn crawl(ws: &Workspace) -> Value {
    let out = ws.kabar(&["crawl", "--json"]);
    assert!(
        out.status.success(),
        "crawl failed: {}\n{}",
        stdout(&out),
        stderr(&out)
    );
    serde_json::from_str(stdout(&out).trim()).expect("summary is one JSON object")
}

fn dir_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        dir_size(&p)
                    } else {
                        e.metadata().map(|m| m.len()).unwrap_or(0)
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

fn search(ws: &Workspace, args: &[&str]) -> Vec<Value> {
    let mut full = vec!["search", "--json", "--limit", "100"];
    full.extend_from_slice(args);
    let out = ws.kabar(&full);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "search {args:?} failed: {}",
        stderr(&out)
    );
    json_lines(&out)
}

fn urls(hits: &[Value]) -> Vec<String> {
    hits.iter()
        .map(|h| h["url"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn crawl_indexes_every_article_once_and_search_finds_each_by_body_word() {
    let web = TestWeb::start();
    let ws = Workspace::new(&web, &["catalog"]);
    let articles = manifest();

    let summary = crawl(&ws);
    eprintln!(
        "crawl of the test web: {} s, index folder {} bytes",
        summary["elapsed_secs"],
        dir_size(&ws.path().join("data/tantivy"))
    );
    assert_eq!(summary["feeds_polled"], 9, "{summary:#}");
    assert_eq!(summary["feeds_failed"], 0, "{summary:#}");
    assert_eq!(summary["articles_indexed"], articles.len(), "{summary:#}");
    assert_eq!(
        summary["failures"].as_array().unwrap().len(),
        0,
        "{summary:#}"
    );

    // Every article is in the index exactly once.
    let all = search(&ws, &[]);
    assert_eq!(all.len(), articles.len());
    let mut distinct = urls(&all);
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), articles.len());

    for a in &articles {
        let url = web.url(&a.path);
        for term in &a.search_terms {
            let found = urls(&search(&ws, &[term]));
            assert!(
                found.contains(&url),
                "'{term}' ({}) did not find {url}: {found:?}",
                a.lang
            );
        }
        let term = a.search_terms[0].as_str();
        // With the right filters it is still found ...
        let filtered = urls(&search(
            &ws,
            &[
                term,
                "--lang",
                &a.lang,
                "--region",
                &a.region,
                "--country",
                &a.country,
            ],
        ));
        assert!(filtered.contains(&url), "filters lost {url} ({term})");
        // ... and a filter that excludes it does exclude it.
        let other_region = if a.region == "sea" { "nea" } else { "sea" };
        let excluded = urls(&search(&ws, &[term, "--region", other_region]));
        assert!(
            !excluded.contains(&url),
            "--region {other_region} still found {url}"
        );
        let other_lang = if a.lang == "en" { "th" } else { "en" };
        let excluded = urls(&search(&ws, &[term, "--lang", other_lang]));
        assert!(
            !excluded.contains(&url),
            "--lang {other_lang} still found {url}"
        );
    }
}

#[test]
fn crawl_stores_what_the_pages_say() {
    let web = TestWeb::start();
    let ws = Workspace::new(&web, &["catalog"]);
    crawl(&ws);
    let by_url: BTreeMap<String, Value> = search(&ws, &[])
        .into_iter()
        .map(|h| (h["url"].as_str().unwrap().to_string(), h))
        .collect();
    let mut problems = Vec::new();
    for a in manifest() {
        let url = web.url(&a.path);
        let Some(doc) = by_url.get(&url) else {
            problems.push(format!("{url} not indexed"));
            continue;
        };
        let expect = |field: &str, want: &str| {
            let got = doc[field].as_str().unwrap_or_default();
            (got != want).then(|| format!("{}: {field} is {got:?}, want {want:?}", a.path))
        };
        problems.extend(expect("lang", &a.lang));
        problems.extend(expect("country", &a.country));
        problems.extend(expect("region", &a.region));
        problems.extend(expect("title", &a.title));
        let published = chrono::DateTime::parse_from_rfc3339(&a.published).unwrap();
        let got = doc["published"]
            .as_str()
            .and_then(|p| chrono::DateTime::parse_from_rfc3339(p).ok());
        if got != Some(published) {
            problems.push(format!("{}: published {got:?}, want {published}", a.path));
        }
        let authors: Vec<String> = doc["authors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        if authors != a.authors {
            problems.push(format!(
                "{}: authors {authors:?}, want {:?}",
                a.path, a.authors
            ));
        }
        let body = doc["body"].as_str().unwrap();
        for s in &a.body_must_contain {
            if !body.contains(s.as_str()) {
                problems.push(format!("{}: body lacks {s:?}", a.path));
            }
        }
        for s in &a.body_must_not_contain {
            if body.contains(s.as_str()) {
                problems.push(format!("{}: boilerplate in body: {s:?}", a.path));
            }
        }
        if body.contains('\u{FFFD}') {
            problems.push(format!("{}: mojibake in body ({})", a.path, a.encoding));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn a_second_crawl_fetches_no_article_again_and_indexes_no_duplicate() {
    let web = TestWeb::start();
    let ws = Workspace::new(&web, &["catalog"]);
    let first = crawl(&ws);
    let n = manifest().len();
    assert_eq!(first["articles_indexed"], n);
    let article_hits: usize = manifest()
        .iter()
        .map(|a| web.hits(&format!("/{}", a.path)))
        .sum();
    assert_eq!(
        article_hits,
        n,
        "each article page is fetched once: {:?}",
        web.all_hits()
    );

    let second = crawl(&ws);
    assert_eq!(second["feeds_polled"], 9, "{second:#}");
    assert_eq!(second["articles_fetched"], 0, "{second:#}");
    assert_eq!(second["articles_indexed"], 0, "{second:#}");
    assert_eq!(second["items_known"], n, "{second:#}");
    let article_hits_after: usize = manifest()
        .iter()
        .map(|a| web.hits(&format!("/{}", a.path)))
        .sum();
    assert_eq!(article_hits_after, n, "no article page fetched again");
    assert_eq!(search(&ws, &[]).len(), n, "no duplicate documents");
}

#[test]
fn broken_feeds_are_reported_and_do_not_stop_the_others() {
    let web = TestWeb::start();
    let ws = Workspace::new(&web, &["catalog", "catalog-broken"]);
    let summary = crawl(&ws);
    assert_eq!(summary["articles_indexed"], manifest().len(), "{summary:#}");
    assert_eq!(summary["feeds_failed"], 4, "{summary:#}");
    let kinds: BTreeMap<String, u64> = summary["failures_by_kind"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect();
    for kind in ["http_status", "timeout", "malformed_feed", "not_a_feed"] {
        assert_eq!(kinds.get(kind), Some(&1), "{kind} in {kinds:?}");
    }
    let failures = summary["failures"].as_array().unwrap();
    let reason_of = |suffix: &str| {
        failures
            .iter()
            .find(|f| f["url"].as_str().unwrap().ends_with(suffix))
            .map(|f| f["reason"].as_str().unwrap().to_string())
            .unwrap_or_default()
    };
    assert!(
        reason_of("/status/500").contains("HTTP 500"),
        "{failures:?}"
    );
    assert!(
        reason_of("/status/timeout").contains("timed out"),
        "{failures:?}"
    );
    assert!(
        reason_of("/broken/invalid.xml").contains("XML"),
        "{failures:?}"
    );
    assert!(
        reason_of("/broken/not-a-feed.html").contains("HTML"),
        "{failures:?}"
    );
    assert!(failures.iter().all(|f| f["source"] == "broken-feeds"));

    // People get the same report as a table.
    let ws2 = Workspace::new(&web, &["catalog-broken"]);
    let out = ws2.kabar(&["crawl"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.contains("feeds polled") && text.contains("failures by kind"),
        "{text}"
    );
    assert!(text.contains("HTTP 500"), "{text}");
}

#[test]
fn extract_prints_the_article_the_crawl_indexed() {
    let web = TestWeb::start();
    let ws = Workspace::new(&web, &["catalog"]);
    crawl(&ws);
    let indexed = search(&ws, &[]);
    for a in manifest()
        .iter()
        .filter(|a| a.site == "huanan-daily" || a.site == "khao-siam")
    {
        let url = web.url(&a.path);
        let doc = indexed
            .iter()
            .find(|d| d["url"] == url.as_str())
            .expect("indexed");
        // The saved file still holds the {{BASE}} placeholder; give it the
        // bytes the crawler saw.
        let raw = std::fs::read(common::fixtures().join("web").join(&a.path)).unwrap();
        let served = common::replace_bytes(&raw, b"{{BASE}}", web.base.as_bytes());
        let file = ws.path().join("page.html");
        std::fs::write(&file, served).unwrap();
        let out = common::kabar(&["extract", file.to_str().unwrap(), "--url", &url, "--json"]);
        assert!(out.status.success(), "{}", stderr(&out));
        let e: Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(e["title"], doc["title"], "{}", a.path);
        assert_eq!(e["text"], doc["body"], "{}", a.path);
        assert_eq!(e["published"], doc["published"], "{}", a.path);
        assert_eq!(e["lang"], doc["lang"], "{}", a.path);
        assert_eq!(e["canonical_url"], url.as_str());
    }
}
