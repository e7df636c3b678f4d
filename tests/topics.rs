//! Concept packs through the binary: the shipped packs are valid and cover
//! every first-class language; sentences written for these tests in each
//! language find the right topic with offsets into the original text;
//! near-miss sentences find nothing; a broken pack folder reports every
//! problem with its file:line:col.

mod common;

use std::path::PathBuf;

use common::{fixtures, json_lines, kabar, stderr, stdout};
use serde::Deserialize;

fn shipped() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("topics")
}

fn topics_args<'a>(dir: &'a str, rest: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["--topics", dir, "topics"];
    args.extend_from_slice(rest);
    args
}

#[derive(Deserialize)]
struct Sentence {
    lang: String,
    note: String,
    text: String,
    topic: String,
    /// Original text of one hit the topic must have.
    hit: String,
}

#[derive(Deserialize)]
struct NearMiss {
    lang: String,
    note: String,
    text: String,
}

fn read_jsonl<T: for<'de> Deserialize<'de>>(name: &str) -> Vec<T> {
    std::fs::read_to_string(fixtures().join("topics").join(name))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn the_shipped_packs_are_valid_and_cover_every_first_class_language() {
    let dir = shipped();
    let dir = dir.to_str().unwrap();
    let out = kabar(&topics_args(dir, &["check"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("ok: "), "{text}");
    assert!(!text.contains("note:"), "{text}");

    let out = kabar(&topics_args(dir, &["list", "--json"]));
    let topics = json_lines(&out);
    assert!(topics.len() >= 10, "{} topics", topics.len());
    for t in &topics {
        let terms = t["terms"].as_object().unwrap();
        for lang in kabar::sources::langs::FIRST_CLASS {
            let n = terms.get(*lang).and_then(|n| n.as_u64()).unwrap_or(0);
            assert!(n >= 3, "topic {} has {n} terms in {lang}", t["id"]);
        }
    }
    let out = kabar(&topics_args(dir, &["list"]));
    assert!(stdout(&out).contains("scam-ads"), "{}", stdout(&out));
}

#[test]
fn sentences_in_every_language_find_their_topic_with_offsets_into_the_original() {
    let dir = shipped();
    let dir = dir.to_str().unwrap();
    let sentences: Vec<Sentence> = read_jsonl("sentences.jsonl");
    let mut langs: Vec<&str> = sentences.iter().map(|s| s.lang.as_str()).collect();
    langs.sort_unstable();
    langs.dedup();
    assert_eq!(langs.len(), kabar::sources::langs::FIRST_CLASS.len());
    for s in &sentences {
        let out = kabar(&topics_args(dir, &["test", &s.text, "--json"]));
        let what = format!("{} {} {:?}", s.lang, s.note, s.text);
        assert_eq!(out.status.code(), Some(0), "{what}: {}", stderr(&out));
        let found = json_lines(&out);
        let topic = found
            .iter()
            .find(|m| m["topic"] == s.topic.as_str())
            .unwrap_or_else(|| panic!("{what}: no {} in {found:?}", s.topic));
        let hits: Vec<&str> = topic["terms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                let (a, b) = (h["start"].as_u64().unwrap(), h["end"].as_u64().unwrap());
                &s.text[a as usize..b as usize]
            })
            .collect();
        assert!(hits.contains(&s.hit.as_str()), "{what}: hits {hits:?}");
        let score = topic["score"].as_f64().unwrap();
        assert!(score > 0.0 && score <= 1.0, "{what}: {score}");
    }
}

#[test]
fn near_misses_find_no_topic() {
    let dir = shipped();
    let dir = dir.to_str().unwrap();
    for s in read_jsonl::<NearMiss>("near-misses.jsonl") {
        let out = kabar(&topics_args(dir, &["test", &s.text, "--all", "--json"]));
        assert_eq!(
            out.status.code(),
            Some(1),
            "{} {}: {}",
            s.lang,
            s.note,
            stdout(&out)
        );
    }
}

#[test]
fn the_title_weighs_more_and_the_human_output_shows_the_evidence() {
    let dir = shipped();
    let dir = dir.to_str().unwrap();
    let body =
        "The central bank kept rates unchanged. ".repeat(40) + "It also mentioned a scam ad.";
    let out = kabar(&topics_args(dir, &["test", &body]));
    assert_eq!(
        out.status.code(),
        Some(1),
        "a passing mention: {}",
        stdout(&out)
    );
    let out = kabar(&topics_args(
        dir,
        &["test", &body, "--title", "Scam ad warning"],
    ));
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("scam-ads"), "{text}");
    assert!(text.contains("title"), "{text}");
    assert!(text.contains("\"Scam ad\""), "{text}");
}

#[test]
fn a_broken_pack_folder_reports_every_problem_with_file_line_and_column() {
    let dir = fixtures().join("topics/broken");
    let out = kabar(&topics_args(dir.to_str().unwrap(), &["check"]));
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let err = stderr(&out);
    for (place, what) in [
        ("bad-pack.toml:2:11:", "bad version"),
        ("bad-pack.toml:1:1:", "missing key `description`"),
        ("bad-pack.toml:5:1:", "unknown key `colour`"),
        ("bad-pack.toml:8:15:", "empty term"),
        ("bad-pack.toml:8:19:", "duplicate term 'Scam'"),
        ("bad-pack.toml:8:27:", "suspiciously short"),
        ("bad-pack.toml:8:33:", "normalises to nothing"),
        ("bad-pack.toml:9:1:", "unknown language 'xx'"),
        ("bad-pack.toml:10:6:", "`terms.th` is empty"),
        ("syntax.toml:2:", ""),
        ("entities.toml:9:23:", "unknown topic 'no-such-topic'"),
        ("entities.toml:12:6:", "duplicate entity id 'ojk'"),
        ("entities.toml:14:8:", "unknown kind 'agency'"),
    ] {
        let found = err.lines().any(|l| l.contains(place) && l.contains(what));
        assert!(found, "missing {place} {what} in:\n{err}");
    }
    assert!(err.contains("problem(s) in the topic packs"), "{err}");
}

#[test]
fn the_topics_folder_comes_from_flag_env_or_config() {
    let missing = tempfile::tempdir().unwrap();
    let gone = missing.path().join("nope");
    let out = kabar(&["--topics", gone.to_str().unwrap(), "topics", "list"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--topics DIR"), "{}", stderr(&out));

    let config = missing.path().join("kabar.toml");
    std::fs::write(
        &config,
        format!("topics_dir = {:?}\n", shipped().to_str().unwrap()),
    )
    .unwrap();
    let out = kabar(&["--config", config.to_str().unwrap(), "topics", "check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kabar"))
        .args(["topics", "check"])
        .current_dir(std::env::temp_dir())
        .env("KABAR_TOPICS", shipped())
        .env_remove("KABAR_CONFIG")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
