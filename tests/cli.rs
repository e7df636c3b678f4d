//! The command line as people and scripts use it: catalog checks, search
//! output and its errors, exit codes.

mod common;

use common::{TestWeb, Workspace, fixtures, json_lines, kabar, stderr, stdout};

#[test]
fn the_shipped_catalog_is_valid_and_covers_every_first_class_language() {
    let catalog = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sources");
    let out = kabar(&["--sources", catalog.to_str().unwrap(), "sources", "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("ok: "), "{text}");
    assert!(!text.contains("note: no enabled source"), "{text}");

    let out = kabar(&[
        "--sources",
        catalog.to_str().unwrap(),
        "sources",
        "list",
        "--json",
    ]);
    let sources = json_lines(&out);
    assert!(sources.len() >= 120, "{} sources", sources.len());
    let mut countries: Vec<&str> = sources
        .iter()
        .map(|s| s["country"].as_str().unwrap())
        .collect();
    countries.sort_unstable();
    countries.dedup();
    assert!(countries.len() >= 20, "{countries:?}");
    for region in ["sea", "nea", "sa", "global"] {
        assert!(
            sources.iter().any(|s| s["region"] == region),
            "no {region} source"
        );
    }
    // Filters narrow the list.
    let out = kabar(&[
        "--sources",
        catalog.to_str().unwrap(),
        "sources",
        "list",
        "--json",
        "--lang",
        "th",
    ]);
    let thai = json_lines(&out);
    assert!(!thai.is_empty() && thai.len() < sources.len());
    assert!(
        thai.iter()
            .all(|s| s["languages"].as_array().unwrap().iter().any(|l| l == "th"))
    );
}

#[test]
fn catalog_errors_name_file_and_line_and_all_are_reported() {
    let dir = fixtures().join("catalog-invalid");
    let out = kabar(&["sources", "check", "--sources", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for (line, what) in [
        (11, "feedz"),
        (19, "htp:/nope"),
        (22, "duplicate id"),
        (33, "XX"),
    ] {
        let needle = format!("sea/my.toml:{line}:");
        let found = err.lines().any(|l| l.contains(&needle) && l.contains(what));
        assert!(found, "missing {needle} {what} in:\n{err}");
    }
    assert!(err.contains("4 problem(s)"), "{err}");
}

#[test]
fn a_missing_catalog_or_index_says_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let out = kabar(&[
        "sources",
        "list",
        "--sources",
        dir.path().join("nope").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--sources"), "{}", stderr(&out));

    let out = kabar(&["search", "iklan", "--data", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("kabar crawl"), "{}", stderr(&out));
}

#[test]
fn config_errors_point_at_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("k.toml");
    std::fs::write(&cfg, "[crawl]\nconcurrency = 4\ntimeout = 3\n").unwrap();
    let out = kabar(&["--config", cfg.to_str().unwrap(), "sources", "list"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("k.toml:3") && err.contains("timeout"), "{err}");
}

#[test]
fn search_output_for_people_and_scripts() {
    let web = TestWeb::start();
    let ws = Workspace::new(&web, &["catalog"]);
    assert!(ws.kabar(&["crawl", "--json"]).status.success());

    // A table with the hit marked in the snippet (no terminal: «» marks).
    let out = ws.kabar(&["search", "retiree"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("DATE (") && text.contains("TITLE"), "{text}");
    assert!(text.contains("«retiree»"), "{text}");
    assert!(text.contains("straits-ledger"), "{text}");
    assert!(text.contains("1–1 of 1 articles"), "{text}");

    // JSON: every stored field, one line per hit.
    let hits = json_lines(&ws.kabar(&["search", "retiree", "--json"]));
    assert_eq!(hits.len(), 1);
    for field in [
        "id",
        "url",
        "source",
        "country",
        "region",
        "lang",
        "title",
        "body",
        "published",
        "fetched",
        "authors",
        "score",
        "snippet",
    ] {
        assert!(
            hits[0].get(field).is_some(),
            "{field} missing in {}",
            hits[0]
        );
    }

    // Global options after the command name work too.
    let data = ws.path().join("data");
    let after = kabar(&[
        "search",
        "retiree",
        "--json",
        "--data",
        data.to_str().unwrap(),
    ]);
    assert_eq!(json_lines(&after).len(), 1);

    // Nothing found: said so, exit 1.
    let out = ws.kabar(&["search", "zzzzunfindable"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("no articles match"));

    // Malformed query: exit 2 and a caret under the mistake.
    let out = ws.kabar(&["search", "scam AND (ads"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("malformed query") && err.contains('^'),
        "{err}"
    );

    // Bad dates and regions are refused with the accepted forms.
    let out = ws.kabar(&["search", "ads", "--since", "last week"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("YYYY-MM-DD"), "{}", stderr(&out));
    let out = ws.kabar(&["search", "ads", "--region", "europe"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("sea, nea, sa, global"),
        "{}",
        stderr(&out)
    );

    // Date filters and newest-first ordering.
    let all = json_lines(&ws.kabar(&["search", "--json", "--limit", "100", "--sort", "newest"]));
    let dates: Vec<&str> = all
        .iter()
        .map(|h| h["published"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");
    let march = json_lines(&ws.kabar(&[
        "search",
        "--json",
        "--limit",
        "100",
        "--since",
        "2025-03-01",
        "--until",
        "2025-03-31",
    ]));
    assert!(!march.is_empty() && march.len() < all.len());
    assert!(
        march
            .iter()
            .all(|h| h["published"].as_str().unwrap() < "2025-04-01")
    );

    // Field syntax: title only.
    let in_title = json_lines(&ws.kabar(&["search", "--json", "title:deepfake"]));
    assert!(in_title.iter().all(|h| {
        h["title"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("deepfake")
    }));
    assert!(!in_title.is_empty());
}
