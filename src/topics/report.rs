//! Human-readable output of `kabar topics list|check|test` (the JSON forms
//! are the serialised [`TopicInfo`](super::TopicInfo) and
//! [`TopicMatch`](super::TopicMatch), written by `commands`).

use std::io::{self, Write};
use std::path::Path;

use super::{MIN_SCORE, TopicMatch, Topics};
use crate::sources::langs::FIRST_CLASS;

/// One row per topic: id, version, total terms, terms per first-class language.
pub fn list(topics: &Topics, out: &mut impl Write) -> io::Result<()> {
    write!(out, "{:<18} {:>3} {:>5} ", "ID", "VER", "TERMS")?;
    for lang in FIRST_CLASS {
        write!(out, " {:>4}", short_lang(lang))?;
    }
    writeln!(out, "  NAME")?;
    for t in topics.topics() {
        let total: usize = t.terms.values().sum();
        write!(out, "{:<18} {:>3} {:>5} ", t.id, t.version, total)?;
        for lang in FIRST_CLASS {
            write!(out, " {:>4}", t.terms.get(*lang).copied().unwrap_or(0))?;
        }
        writeln!(out, "  {}", t.name)?;
    }
    let num_names: usize = topics.entities().iter().map(|e| e.num_names).sum();
    writeln!(
        out,
        "{} topics, {} entities ({} names)",
        topics.topics().len(),
        topics.entities().len(),
        num_names
    )
}

/// The summary `topics check` prints once every pack is valid.
pub fn check(topics: &Topics, dir: &Path, out: &mut impl Write) -> io::Result<()> {
    let num_terms: usize = topics
        .topics()
        .iter()
        .map(|t| t.terms.values().sum::<usize>())
        .sum();
    writeln!(
        out,
        "ok: {} topics, {} terms, {} entities under {}",
        topics.topics().len(),
        num_terms,
        topics.entities().len(),
        if Topics::uses_builtin(dir) {
            "the packs built into kabar (no topics/ folder here)".to_string()
        } else {
            dir.display().to_string()
        }
    )?;
    for (id, missing) in topics.missing_languages() {
        writeln!(
            out,
            "note: topic {id} has no terms in first-class language(s): {}",
            missing.join(", ")
        )?;
    }
    Ok(())
}

/// Each topic with its score, then each hit: term, language, where, and
/// the original text it matched.
pub fn test(found: &[TopicMatch], title: &str, body: &str, out: &mut impl Write) -> io::Result<()> {
    if found.is_empty() {
        return writeln!(out, "no topic matched");
    }
    for m in found {
        let note = if m.score < MIN_SCORE {
            "  (below the reporting threshold)"
        } else {
            ""
        };
        writeln!(out, "{:<18} {:.3}{note}", m.topic, m.score)?;
        for h in &m.terms {
            let (field, text) = if h.in_title {
                ("title", title)
            } else {
                ("body", body)
            };
            let kind = if h.entity { " entity" } else { "" };
            writeln!(
                out,
                "  {:<7} {:<5} {:>5}..{:<5} {:?} = {:?}{kind}",
                h.lang,
                field,
                h.start,
                h.end,
                h.term,
                &text[h.start..h.end]
            )?;
        }
    }
    Ok(())
}

fn short_lang(lang: &str) -> &str {
    match lang {
        "zh-Hans" => "zhs",
        "zh-Hant" => "zht",
        other => other,
    }
}
