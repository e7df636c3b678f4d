//! A crawl stopped in the middle loses nothing it committed and duplicates
//! nothing: by SIGINT (graceful: it commits what it holds) and by SIGKILL
//! (nothing graceful at all: the next crawl refetches what was not committed).

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::{TestWeb, Workspace, json_lines, manifest, stderr, stdout};
use serde_json::Value;

/// Each HTML page takes this long, so a crawl of the test web lasts seconds.
const SLOW_PAGE: Duration = Duration::from_millis(250);
/// How long to wait for the crawl to reach the point a test interrupts at.
const PATIENCE: Duration = Duration::from_secs(30);

/// One request at a time and a commit every two articles make the crawl
/// slow and its progress visible in the crawl state.
const SLOW_CRAWL: &str = "per_host_concurrency = 1\ncommit_every = 2\n";

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn all_documents(ws: &Workspace) -> Vec<Value> {
    json_lines(&ws.kabar(&["search", "--json", "--limit", "1000"]))
}

fn article_hits(web: &TestWeb) -> Vec<(String, usize)> {
    manifest()
        .iter()
        .map(|a| (web.url(&a.path), web.hits(&format!("/{}", a.path))))
        .collect()
}

#[test]
fn sigkill_mid_crawl_loses_and_duplicates_nothing() {
    let web = TestWeb::start();
    let ws = Workspace::with_config(&web, &["catalog"], SLOW_CRAWL);
    web.set_html_delay(SLOW_PAGE);

    let mut child = ws.spawn(&["crawl", "--json"]);
    wait_until("a few commits", || ws.indexed_urls().len() >= 4);
    child.kill().unwrap(); // SIGKILL: no chance to commit or clean up
    child.wait().unwrap();
    let done_before: BTreeSet<String> = ws.indexed_urls().into_iter().collect();
    let hits_before = article_hits(&web);
    let n = manifest().len();
    assert!(
        done_before.len() < n,
        "the crawl finished before it was killed"
    );

    web.set_html_delay(Duration::ZERO);
    let out = ws.kabar(&["crawl", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: Value = serde_json::from_str(stdout(&out).trim()).unwrap();

    // Everything is indexed once.
    let docs = all_documents(&ws);
    let urls: BTreeSet<String> = docs
        .iter()
        .map(|d| d["url"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(docs.len(), n, "documents after recovery");
    assert_eq!(urls.len(), n, "distinct URLs after recovery");
    // What the killed crawl had committed was not fetched again.
    for ((url, before), (_, after)) in hits_before.iter().zip(article_hits(&web)) {
        if done_before.contains(url) {
            assert_eq!(
                *before, after,
                "{url} was committed before the kill but fetched again"
            );
        } else {
            assert!(after >= 1, "{url} never fetched");
        }
    }
    // Only what was not recorded as done is fetched again: at most one
    // commit's worth more, if the kill fell between an index commit and the
    // state update that follows it (the upsert then keeps one copy).
    let fetched = summary["articles_fetched"].as_u64().unwrap() as usize;
    let missing = n - done_before.len();
    assert!(
        (missing..=missing + 2).contains(&fetched),
        "fetched {fetched}, missing {missing}: {summary:#}"
    );
}

#[cfg(unix)]
#[test]
fn sigint_stops_gracefully_and_commits_what_it_holds() {
    let web = TestWeb::start();
    let ws = Workspace::with_config(&web, &["catalog"], SLOW_CRAWL);
    web.set_html_delay(SLOW_PAGE);

    let child = ws.spawn(&["crawl", "--json"]);
    let pid = child.id().to_string();
    wait_until("the first article", || ws.indexed_urls().len() >= 2);
    let status = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("stopping"));
    let summary: Value = serde_json::from_slice(&out.stdout).expect("summary printed on stop");
    assert_eq!(summary["interrupted"], true);
    assert!(
        summary["left_for_next_run"].as_u64().unwrap() > 0,
        "{summary:#}"
    );

    // Every article it reports as indexed is committed and recorded.
    let indexed = summary["articles_indexed"].as_u64().unwrap() as usize;
    assert_eq!(all_documents(&ws).len(), indexed);
    assert_eq!(ws.indexed_urls().len(), indexed, "state matches the index");

    // The next crawl finishes the job without duplicates.
    web.set_html_delay(Duration::ZERO);
    let out = ws.kabar(&["crawl", "--json"]);
    assert!(out.status.success());
    let second: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let n = manifest().len();
    assert_eq!(
        second["articles_indexed"].as_u64().unwrap() as usize,
        n - indexed
    );
    assert_eq!(all_documents(&ws).len(), n);
}
