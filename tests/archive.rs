//! Every fetched response is archived (WARC), and `kabar reindex` rebuilds
//! the index from the archive without fetching anything.

mod common;

use std::collections::BTreeMap;

use common::{TestWeb, Workspace, json_lines, manifest, stderr, stdout};
use serde_json::Value;

fn documents(ws: &Workspace) -> BTreeMap<String, Value> {
    json_lines(&ws.kabar(&["search", "--json", "--limit", "1000"]))
        .into_iter()
        .map(|d| (d["id"].as_str().unwrap().to_string(), d))
        .collect()
}

#[test]
fn reindex_rebuilds_the_same_index_from_the_archive_without_fetching() {
    let web = TestWeb::start();
    let ws = Workspace::new(&web, &["catalog"]);
    let out = ws.kabar(&["crawl", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = documents(&ws);
    assert_eq!(before.len(), manifest().len());
    assert!(before.values().all(|d| {
        d["warc_id"]
            .as_str()
            .is_some_and(|w| w.starts_with("<urn:uuid:"))
    }));
    let archive = ws.path().join("data/archive");
    let files: Vec<String> = std::fs::read_dir(&archive)
        .unwrap()
        .flatten()
        .map(|f| f.file_name().to_string_lossy().into_owned())
        .collect();
    let warcs: Vec<&String> = files.iter().filter(|f| f.ends_with(".warc.gz")).collect();
    assert!(!warcs.is_empty(), "{files:?}");
    // Each file has its sidecar of record offsets, and nothing else is there.
    for w in &warcs {
        assert!(files.contains(&format!("{w}.idx")), "{files:?}");
    }
    assert_eq!(files.len(), 2 * warcs.len(), "{files:?}");
    // Every article's response is found by its id through the sidecars.
    let records = kabar::archive::RecordIndex::new(&archive);
    for d in before.values() {
        let id = d["warc_id"].as_str().unwrap();
        let found = records.find(id).unwrap().expect("archived");
        assert_eq!(found.record_id, id);
        assert_eq!(found.meta.kind, "article");
        assert!(!found.page.body.is_empty());
    }

    let hits: usize = web.all_hits().values().sum();
    // Even with the index gone.
    std::fs::remove_dir_all(ws.path().join("data/tantivy")).unwrap();
    let out = ws.kabar(&["reindex", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(summary["articles_indexed"], manifest().len(), "{summary:#}");
    assert_eq!(
        web.all_hits().values().sum::<usize>(),
        hits,
        "reindex fetched something"
    );

    let after = documents(&ws);
    assert_eq!(after.len(), before.len());
    for (id, d) in &before {
        let a = &after[id];
        for field in [
            "url",
            "title",
            "body",
            "lang",
            "country",
            "region",
            "published",
            "warc_id",
        ] {
            assert_eq!(a[field], d[field], "{id}: {field}");
        }
    }

    // A crawl after the reindex still knows what it has.
    let out = ws.kabar(&["crawl", "--json"]);
    let summary: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(summary["articles_fetched"], 0);
}

#[test]
fn an_index_of_an_older_schema_is_refused_and_reindex_rebuilds_it() {
    let web = TestWeb::start();
    let ws = Workspace::new(&web, &["catalog"]);
    let out = ws.kabar(&["crawl", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let before = documents(&ws);
    // As if the index had been written by an older kabar.
    std::fs::write(ws.path().join("data/tantivy/kabar-schema-version"), "1").unwrap();

    let out = ws.kabar(&["search", "--json"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("schema version 1") && stderr(&out).contains("kabar reindex"),
        "{}",
        stderr(&out)
    );
    let out = ws.kabar(&["reindex", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let after = documents(&ws);
    assert_eq!(after.len(), before.len());
    for (id, d) in &before {
        assert_eq!(after[id]["topics"], d["topics"], "{id}");
        assert_eq!(after[id]["risk"], d["risk"], "{id}");
    }
}
