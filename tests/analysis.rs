//! Topics, sentiment and risk end to end: the crawl of the test web (real
//! articles in nine languages) stores them, and `kabar search` filters,
//! sorts and explains by them; `kabar trends` counts them.

mod common;

use common::{TestWeb, Workspace, json_lines, stderr, stdout};
use serde_json::Value;

fn crawled() -> (TestWeb, Workspace) {
    let web = TestWeb::start();
    let ws = Workspace::new(&web, &["catalog"]);
    let out = ws.kabar(&["crawl", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    (web, ws)
}

fn urls(hits: &[Value]) -> Vec<String> {
    hits.iter()
        .map(|h| h["url"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_crawl_stores_topics_sentiment_and_risk_and_search_uses_them() {
    let (_web, ws) = crawled();

    // Scam-ad coverage in several languages is found by topic.
    let out = ws.kabar(&["search", "--json", "--topic", "scam-ads", "--limit", "100"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let scam = urls(&json_lines(&out));
    for page in [
        "straits-ledger/2025/03/scam-ads-crackdown.html",
        "khao-siam/news/2025/03/etda-warns-celebrity-scam-ads.html",
        "nikkei-watch/articles/2025/03/celebrity-impersonation-scam-ads.html",
        "taiwan-digital/news/2025/03/fake-celebrity-investment-ads.html",
    ] {
        assert!(
            scam.iter().any(|u| u.ends_with(page)),
            "{page} not about scam ads: {scam:#?}"
        );
    }
    // An article about batik sellers doing well on live shopping is not.
    assert!(!scam.iter().any(|u| u.contains("umkm-batik")), "{scam:#?}");

    // Every article carries a risk and an overall sentiment; topic articles
    // carry per-topic sentiment.
    let all = json_lines(&ws.kabar(&["search", "--json", "--limit", "100", "--sort", "risk"]));
    assert!(!all.is_empty());
    let risks: Vec<f64> = all.iter().map(|h| h["risk"].as_f64().unwrap()).collect();
    assert!(
        risks.windows(2).all(|w| w[0] >= w[1]),
        "not ordered by risk: {risks:?}"
    );
    for h in &all {
        let label = h["sentiment"]["label"].as_str().unwrap();
        assert!(
            ["negative", "neutral", "positive"].contains(&label),
            "{h:#}"
        );
        if h["topics"].as_array().unwrap().is_empty() {
            assert_eq!(h["risk"].as_f64().unwrap(), 0.0, "{h:#}");
        }
    }
    // The riskiest article is about a topic and reads negative about it.
    let top = &all[0];
    assert!(top["risk"].as_f64().unwrap() > 30.0, "{top:#}");
    assert_eq!(
        top["topics"][0]["sentiment"]["label"], "negative",
        "{top:#}"
    );

    // Negative about scam ads is a subset of about scam ads, and --min-risk cuts.
    let neg = urls(&json_lines(&ws.kabar(&[
        "search",
        "--json",
        "--topic",
        "scam-ads",
        "--sentiment",
        "negative",
        "--limit",
        "100",
    ])));
    assert!(
        !neg.is_empty() && neg.iter().all(|u| scam.contains(u)),
        "{neg:#?}"
    );
    let risky = json_lines(&ws.kabar(&["search", "--json", "--min-risk", "30", "--limit", "100"]));
    assert!(risky.iter().all(|h| h["risk"].as_f64().unwrap() >= 30.0));
    assert!(risky.len() < all.len());

    // An unknown topic is refused with the list of known ones.
    let out = ws.kabar(&["search", "--topic", "scam-adz"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("scam-ads"), "{}", stderr(&out));
}

#[test]
fn explain_shows_the_terms_and_sentences_behind_a_score() {
    let (_web, ws) = crawled();
    let out = ws.kabar(&[
        "search",
        "--explain",
        "--topic",
        "scam-ads",
        "--lang",
        "th",
        "--limit",
        "1",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("why scam-ads"), "{text}");
    assert!(text.contains("terms:"), "{text}");
    let out = ws.kabar(&[
        "search",
        "--json",
        "--explain",
        "--topic",
        "scam-ads",
        "--limit",
        "1",
    ]);
    let hit = &json_lines(&out)[0];
    let evidence = hit["evidence"].as_array().expect("evidence with --explain");
    let terms = evidence[0]["terms"].as_array().unwrap();
    assert!(!terms.is_empty());
    // Each term's range points at its text in the title or body.
    for t in terms {
        let field = t["field"].as_str().unwrap();
        let source = hit[field].as_str().unwrap();
        let (a, b) = (
            t["start"].as_u64().unwrap() as usize,
            t["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&source[a..b], t["text"].as_str().unwrap());
    }
    // Without --explain, no evidence in the JSON.
    let out = ws.kabar(&["search", "--json", "--topic", "scam-ads", "--limit", "1"]);
    assert!(json_lines(&out)[0].get("evidence").is_none());
}

#[test]
fn trends_and_facets_count_what_the_index_holds() {
    let (_web, ws) = crawled();
    // The fixtures are dated 2025; a window of 700 days reaches them.
    let out = ws.kabar(&["trends", "--json", "--days", "700"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let t: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let total = t["all"]["total"].as_u64().unwrap();
    let search_total = json_lines(&ws.kabar(&["search", "--json", "--limit", "1000"])).len() as u64;
    assert_eq!(total, search_total);
    let rows = t["rows"].as_array().unwrap();
    assert!(rows.iter().any(|r| r["key"] == "scam-ads"), "{t:#}");
    let out = ws.kabar(&["trends", "--csv", "--days", "700", "--by", "region"]);
    assert!(stdout(&out).starts_with("key,start,count,negative,sentiment\n"));

    let out = ws.kabar(&["search", "--json", "--facets", "--limit", "1"]);
    let lines = json_lines(&out);
    let facets = &lines.last().unwrap()["facets"];
    let langs: u64 = facets["lang"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[1].as_u64().unwrap())
        .sum();
    assert_eq!(langs, search_total);
}
