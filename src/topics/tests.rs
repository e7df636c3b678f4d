//! Unit tests on small packs written here; the shipped packs are tested
//! through the binary in tests/topics.rs.

use super::*;

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

const SCAM: &str = r#"version = 1
id = "scam-ads"
name = "Scam ads"
description = "Fraudulent ads."

[terms]
en = ["scam ad", "scam ads", "deepfake*", "investment scam"]
vi = ["lừa đảo", "quảng cáo lừa đảo"]
zh-Hans = ["诈骗广告", "诈骗"]
th = ["โฆษณาหลอกลวง"]
ko = ["사기 광고"]
"#;

const ENTITIES: &str = r#"version = 1

[[entity]]
id = "mas"
name = "Monetary Authority of Singapore"
kind = "regulator"
country = "SG"
names = ["MAS", "Monetary Authority of Singapore"]
topics = ["scam-ads"]
"#;

fn topics() -> (tempfile::TempDir, Topics) {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "scam-ads.toml",
        &SCAM.replace("zh-Hans", "\"zh-Hans\""),
    );
    write(dir.path(), "entities.toml", ENTITIES);
    let topics = Topics::load(dir.path()).unwrap_or_else(|e| panic!("{}", format_errors(&e)));
    (dir, topics)
}

#[test]
fn finds_terms_with_offsets_in_the_original_text() {
    let (_dir, t) = topics();
    let body = "Police warn of a new SCAM AD wave using deepfakes of ministers.";
    let found = t.find("", body);
    assert_eq!(found.len(), 1, "{found:?}");
    let m = &found[0];
    assert_eq!(m.topic, "scam-ads");
    let words: Vec<&str> = m.terms.iter().map(|h| &body[h.start..h.end]).collect();
    assert_eq!(words, ["SCAM AD", "deepfake"]);
}

#[test]
fn vietnamese_matches_with_and_without_diacritics() {
    let (_dir, t) = topics();
    for body in [
        "Cảnh báo quảng cáo lừa đảo trên mạng",
        "canh bao quang cao lua dao tren mang",
    ] {
        let m = &t.find("", body)[0];
        let hit = &m.terms[0];
        assert_eq!(hit.term, "quảng cáo lừa đảo");
        assert!(body[hit.start..hit.end].to_lowercase().starts_with("qu"));
        assert_eq!(
            m.terms.len(),
            1,
            "the contained 'lừa đảo' is the same evidence"
        );
    }
}

#[test]
fn word_boundaries_hold_in_spaced_scripts_only() {
    let (_dir, t) = topics();
    // "scam ads" inside a longer word is not a hit.
    assert!(t.find_all("", "antiscam adsorption").is_empty());
    // Korean particles attach to the noun.
    let m = t.find("", "사기 광고를 신고하세요");
    assert_eq!(m[0].terms[0].term, "사기 광고");
    // Chinese and Thai have no spaces.
    assert!(!t.find("", "警方提醒注意诈骗广告").is_empty());
    assert!(!t.find("", "ระวังโฆษณาหลอกลวงบนเฟซบุ๊ก").is_empty());
}

#[test]
fn entities_only_add_to_a_topic_terms_establish() {
    let (_dir, t) = topics();
    assert!(
        t.find_all("MAS issues statement", "MAS said rates stay.")
            .is_empty()
    );
    let without = t.find_all("", "An investment scam spread online.")[0].score;
    let with = t.find_all("", "MAS warns: an investment scam spread online.");
    assert!(with[0].score > without, "{with:?}");
    assert!(with[0].terms.iter().any(|h| h.entity && h.term == "MAS"));
    // Acronyms match only in capitals: Indonesian "mas" is not the regulator.
    let lower = t.find_all("", "mas, an investment scam spread online.");
    assert!(lower[0].terms.iter().all(|h| !h.entity));
}

#[test]
fn a_passing_mention_in_a_long_text_is_not_reported() {
    let (_dir, t) = topics();
    let filler = "The central bank kept interest rates unchanged this quarter. ".repeat(60);
    let body = format!("{filler} Separately, a scam ad was reported. {filler}");
    assert!(t.find("", &body).is_empty());
    assert!(!t.find_all("", &body).is_empty());
    // The same mention in the title is reported.
    assert!(!t.find("Scam ad reported", &body).is_empty());
}

#[test]
fn every_problem_is_reported_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bad.toml",
        r#"version = 0
id = "scam-ads"
name = "Bad"
description = "x"
colour = "red"

[terms]
en = ["scam", "", "Scam", "ad"]
xx = ["foo"]
"#,
    );
    write(
        dir.path(),
        "scam-ads.toml",
        &SCAM.replace("zh-Hans", "\"zh-Hans\""),
    );
    write(
        dir.path(),
        "entities.toml",
        &ENTITIES.replace(
            "topics = [\"scam-ads\"]",
            "topics = [\"scam-ads\", \"nope\"]",
        ),
    );
    let errors = Topics::load(dir.path()).unwrap_err();
    let text = format_errors(&errors);
    for needle in [
        "bad.toml:1:11: bad version",
        "bad.toml:2:6: topic 'scam-ads' must be in a file named scam-ads.toml",
        "bad.toml:5:1: unknown key `colour`",
        "bad.toml:8:15: empty term",
        "bad.toml:8:19: duplicate term 'Scam'",
        "bad.toml:8:27: term 'ad' is suspiciously short",
        "bad.toml:9:1: unknown language 'xx'",
        "entities.toml:9:23: unknown topic 'nope'",
    ] {
        assert!(text.contains(needle), "missing {needle} in\n{text}");
    }
}
