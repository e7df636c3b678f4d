//! Loading and validating the source catalog (`sources/**/*.toml`).
//!
//! The catalog is edited by hand and, later, by tools, so every problem is
//! reported with its file and line, and all problems are reported at once
//! rather than the first one only: fixing a catalog should take one pass.
//! Values are read as `toml::Spanned` so semantic checks (bad URL, unknown
//! country, duplicate id) can point at the line as precisely as syntax errors.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;
use url::Url;

use super::{countries, langs};
use crate::model::Source;

/// One problem in one catalog file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    pub file: PathBuf,
    /// 1-based; 0 when the problem is not tied to a line (unreadable file).
    pub line: usize,
    pub message: String,
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}: {}", self.file.display(), self.line, self.message)
        } else {
            write!(f, "{}: {}", self.file.display(), self.message)
        }
    }
}

/// Every problem found while loading a catalog.
#[derive(Debug, thiserror::Error)]
pub enum CatalogLoadError {
    #[error("catalog folder {0} does not exist or is not a folder (use --sources DIR)")]
    NoSuchFolder(PathBuf),
    #[error("catalog folder {0} holds no .toml files")]
    Empty(PathBuf),
    #[error("{} problem(s) in the catalog:\n{}", .0.len(), format_errors(.0))]
    Invalid(Vec<CatalogError>),
}

fn format_errors(errors: &[CatalogError]) -> String {
    errors
        .iter()
        .map(|e| format!("  {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A validated catalog: every source, in file then declaration order.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    pub root: PathBuf,
    pub sources: Vec<Source>,
    pub num_files: usize,
}

impl Catalog {
    /// Reads every `*.toml` below `root` (recursively, in sorted order) and
    /// validates the whole catalog. Either every source is valid or the
    /// caller gets every problem.
    pub fn load(root: &Path) -> Result<Catalog, CatalogLoadError> {
        if !root.is_dir() {
            return Err(CatalogLoadError::NoSuchFolder(root.to_path_buf()));
        }
        let mut files = Vec::new();
        collect_toml_files(root, &mut files);
        files.sort();
        if files.is_empty() {
            return Err(CatalogLoadError::Empty(root.to_path_buf()));
        }

        let mut errors = Vec::new();
        let mut sources = Vec::new();
        let mut ids = Vec::new();
        for file in &files {
            match std::fs::read_to_string(file) {
                Ok(text) => parse_file(file, &text, &mut sources, &mut ids, &mut errors),
                Err(e) => errors.push(CatalogError {
                    file: file.clone(),
                    line: 0,
                    message: format!("cannot read file: {e}"),
                }),
            }
        }
        check_uniqueness(&sources, &ids, &mut errors);

        errors.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        if errors.is_empty() {
            Ok(Catalog {
                root: root.to_path_buf(),
                sources: sources.into_iter().map(|(s, _)| s).collect(),
                num_files: files.len(),
            })
        } else {
            Err(CatalogLoadError::Invalid(errors))
        }
    }

    pub fn get(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    /// Sources that are enabled.
    pub fn enabled(&self) -> impl Iterator<Item = &Source> {
        self.sources.iter().filter(|s| s.enabled)
    }
}

fn collect_toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_toml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

/// A source's weight in the risk score when the catalog gives none.
pub const DEFAULT_SOURCE_WEIGHT: f64 = 1.0;
/// Weights outside this range are refused: a weight is a nudge for reach and
/// reliability, not a way to silence or shout over other outlets.
pub const MIN_SOURCE_WEIGHT: f64 = 0.2;
pub const MAX_SOURCE_WEIGHT: f64 = 2.0;

/// Keys a `[[source]]` entry may have.
const SOURCE_KEYS: &[&str] = &[
    "id",
    "name",
    "homepage",
    "country",
    "languages",
    "feeds",
    "sitemaps",
    "sections",
    "autodiscover",
    "tags",
    "enabled",
    "weight",
];

// Unknown keys are found by a separate pass over the plain table (see
// `unknown_keys`), not by `deny_unknown_fields`, which would stop the typed
// parse at the first one and hide every other problem in the file.
#[derive(Deserialize)]
struct RawFile {
    #[serde(default)]
    source: Vec<Spanned<RawSource>>,
}

#[derive(Deserialize)]
struct RawSource {
    id: Spanned<String>,
    name: Spanned<String>,
    homepage: Spanned<String>,
    country: Spanned<String>,
    languages: Spanned<Vec<Spanned<String>>>,
    #[serde(default)]
    feeds: Vec<Spanned<String>>,
    #[serde(default)]
    sitemaps: Vec<Spanned<String>>,
    #[serde(default)]
    sections: Vec<Spanned<RawSection>>,
    #[serde(default)]
    autodiscover: Option<bool>,
    #[serde(default)]
    tags: Vec<Spanned<String>>,
    #[serde(default)]
    enabled: Option<bool>,
    #[serde(default)]
    weight: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    url: Spanned<String>,
    pattern: Spanned<String>,
}

/// Where a source was declared, for cross-file checks.
struct Origin {
    file: PathBuf,
    feed_lines: Vec<usize>,
}

/// Where an id was declared. Every entry's id is checked for uniqueness,
/// including entries with other problems, so one pass reports everything.
struct IdSite {
    id: String,
    file: PathBuf,
    line: usize,
}

/// Byte offset of each line's start. Lines are asked for several times per
/// source; counting newlines from the top each time was quadratic in the
/// size of a catalog file.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// The 1-based line holding `span.start`.
fn line_of(starts: &[usize], span: Range<usize>) -> usize {
    starts.partition_point(|&s| s <= span.start)
}

fn parse_file(
    file: &Path,
    text: &str,
    sources: &mut Vec<(Source, Origin)>,
    ids: &mut Vec<IdSite>,
    errors: &mut Vec<CatalogError>,
) {
    let starts = line_starts(text);
    let err = |line: usize, message: String| CatalogError {
        file: file.to_path_buf(),
        line,
        message,
    };
    let raw: RawFile = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let line = e.span().map(|s| line_of(&starts, s)).unwrap_or(0);
            // toml's message repeats the source excerpt; the first line is the gist.
            let message = e
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .to_string();
            errors.push(err(line, message));
            return;
        }
    };
    if raw.source.is_empty() {
        errors.push(err(1, "no [[source]] entries".to_string()));
    }
    for (line, message) in unknown_keys(text) {
        errors.push(err(line, message));
    }

    // A file named after a country (sea/id.toml) holds only that country.
    let file_country = file
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| s.len() == 2 && countries::is_known(&s.to_ascii_uppercase()))
        .map(|s| s.to_ascii_uppercase());
    let folder_region = file
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|s| s.to_str())
        .and_then(|s| s.parse::<crate::model::Region>().ok());

    for spanned in raw.source {
        let entry_line = line_of(&starts, spanned.span());
        let raw = spanned.into_inner();
        let before = errors.len();

        let id = raw.id.get_ref().trim().to_string();
        let id_line = line_of(&starts, raw.id.span());
        if !valid_id(&id) {
            errors.push(err(
                id_line,
                format!(
                    "invalid id '{id}': use 2-40 lowercase ASCII letters, digits and '-', starting with a letter or digit"
                ),
            ));
        }
        ids.push(IdSite {
            id: id.clone(),
            file: file.to_path_buf(),
            line: id_line,
        });
        let name = raw.name.get_ref().trim().to_string();
        if name.is_empty() {
            errors.push(err(line_of(&starts, raw.name.span()), "empty name".into()));
        }

        let homepage = match parse_http_url(raw.homepage.get_ref()) {
            Ok(u) => Some(u),
            Err(m) => {
                errors.push(err(
                    line_of(&starts, raw.homepage.span()),
                    format!("homepage: {m}"),
                ));
                None
            }
        };

        let country = raw.country.get_ref().trim().to_string();
        let country_line = line_of(&starts, raw.country.span());
        if !countries::is_known(&country) {
            errors.push(err(
                country_line,
                format!("unknown country '{country}': use an uppercase ISO 3166-1 alpha-2 code such as ID, TH, JP"),
            ));
        } else {
            if let Some(fc) = &file_country
                && fc != &country
            {
                errors.push(err(
                    country_line,
                    format!("country {country} does not match the file name, which is for {fc}"),
                ));
            }
            let region = countries::region_of(&country);
            if let Some(fr) = folder_region
                && fr != region
            {
                errors.push(err(
                    country_line,
                    format!("country {country} is in region '{region}', but the file is in folder '{fr}'"),
                ));
            }
        }

        let mut languages = Vec::new();
        if raw.languages.get_ref().is_empty() {
            errors.push(err(
                line_of(&starts, raw.languages.span()),
                "languages must not be empty".into(),
            ));
        }
        for lang in raw.languages.get_ref() {
            let code = lang.get_ref().trim();
            if langs::is_known(code) {
                languages.push(code.to_string());
            } else {
                errors.push(err(
                    line_of(&starts, lang.span()),
                    format!("unknown language '{code}': use ISO 639-1 (en, th, ...) or zh-Hans / zh-Hant"),
                ));
            }
        }

        let mut feeds = Vec::new();
        let mut feed_lines = Vec::new();
        let autodiscover = raw.autodiscover.unwrap_or(false);
        if raw.feeds.is_empty()
            && raw.sitemaps.is_empty()
            && raw.sections.is_empty()
            && !autodiscover
        {
            errors.push(err(
                entry_line,
                "no way to find articles: list feeds, sitemaps or sections, or set autodiscover = true".into(),
            ));
        }
        let mut sitemaps = Vec::new();
        for sitemap in &raw.sitemaps {
            match parse_http_url(sitemap.get_ref()) {
                Ok(u) => sitemaps.push(u),
                Err(m) => errors.push(err(
                    line_of(&starts, sitemap.span()),
                    format!("sitemap: {m}"),
                )),
            }
        }
        let mut sections = Vec::new();
        for section in &raw.sections {
            let section = section.get_ref();
            let url = parse_http_url(section.url.get_ref());
            if let Err(m) = &url {
                errors.push(err(
                    line_of(&starts, section.url.span()),
                    format!("section url: {m}"),
                ));
            }
            let pattern = section.pattern.get_ref();
            if let Err(e) = regex::Regex::new(pattern) {
                let first = e
                    .to_string()
                    .lines()
                    .last()
                    .unwrap_or("")
                    .trim()
                    .to_string();
                errors.push(err(
                    line_of(&starts, section.pattern.span()),
                    format!(
                        "section pattern '{pattern}' is not a valid regular expression: {first}"
                    ),
                ));
            } else if let Ok(url) = url {
                sections.push(crate::model::Section {
                    url,
                    pattern: pattern.clone(),
                });
            }
        }
        for feed in &raw.feeds {
            let line = line_of(&starts, feed.span());
            match parse_http_url(feed.get_ref()) {
                Ok(u) => {
                    if feeds.contains(&u) {
                        errors.push(err(line, format!("feed {u} is listed twice")));
                    } else {
                        feeds.push(u);
                        feed_lines.push(line);
                    }
                }
                Err(m) => errors.push(err(line, format!("feed: {m}"))),
            }
        }

        let mut tags = Vec::new();
        for tag in &raw.tags {
            let t = tag.get_ref().trim();
            // Tags are free-form labels (business, wire, regulator, ...), kept
            // to one spelling so filters on them stay exact.
            if valid_id(t) {
                tags.push(t.to_string());
            } else {
                errors.push(err(
                    line_of(&starts, tag.span()),
                    format!("invalid tag '{t}': use lowercase ASCII letters, digits and '-'"),
                ));
            }
        }

        let weight = match &raw.weight {
            None => DEFAULT_SOURCE_WEIGHT,
            Some(w) if (MIN_SOURCE_WEIGHT..=MAX_SOURCE_WEIGHT).contains(w.get_ref()) => {
                *w.get_ref()
            }
            Some(w) => {
                errors.push(err(
                    line_of(&starts, w.span()),
                    format!(
                        "weight {} is out of range: use {MIN_SOURCE_WEIGHT} to {MAX_SOURCE_WEIGHT} (1.0 is an ordinary outlet)",
                        w.get_ref()
                    ),
                ));
                DEFAULT_SOURCE_WEIGHT
            }
        };

        if errors.len() == before
            && let Some(homepage) = homepage
        {
            debug_assert!(entry_line <= id_line, "an entry starts before its keys");
            sources.push((
                Source {
                    region: countries::region_of(&country),
                    id,
                    name,
                    homepage,
                    country,
                    languages,
                    feeds,
                    sitemaps,
                    sections,
                    autodiscover,
                    tags,
                    enabled: raw.enabled.unwrap_or(true),
                    weight,
                    file: file.display().to_string(),
                },
                Origin {
                    file: file.to_path_buf(),
                    feed_lines,
                },
            ));
        }
    }
}

/// Keys outside [`SOURCE_KEYS`] (and top-level keys other than `source`),
/// each with the line it is on.
fn unknown_keys(text: &str) -> Vec<(usize, String)> {
    let Ok(table) = toml::from_str::<toml::Table>(text) else {
        return Vec::new(); // the typed parse reports syntax errors
    };
    let lines: Vec<&str> = text.lines().collect();
    let key_line = |from: usize, key: &str| -> usize {
        lines
            .iter()
            .enumerate()
            .skip(from)
            .find(|(_, l)| {
                let l = l.trim_start();
                let rest = l
                    .strip_prefix(key)
                    .or_else(|| l.strip_prefix(&format!("\"{key}\"")));
                rest.is_some_and(|r| r.trim_start().starts_with('='))
            })
            .map(|(i, _)| i + 1)
            .unwrap_or(from + 1)
    };
    let headers: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("[[source]]"))
        .map(|(i, _)| i)
        .collect();
    let mut out = Vec::new();
    for key in table.keys().filter(|k| k.as_str() != "source") {
        out.push((
            key_line(0, key),
            format!("unknown top-level key `{key}`: a catalog file holds only [[source]] entries"),
        ));
    }
    if let Some(toml::Value::Array(entries)) = table.get("source") {
        for (i, entry) in entries.iter().enumerate() {
            let Some(entry) = entry.as_table() else {
                continue;
            };
            let start = headers.get(i).copied().unwrap_or(0);
            for key in entry.keys().filter(|k| !SOURCE_KEYS.contains(&k.as_str())) {
                out.push((
                    key_line(start, key),
                    format!("unknown key `{key}` (allowed: {})", SOURCE_KEYS.join(", ")),
                ));
            }
        }
    }
    out
}

fn check_uniqueness(sources: &[(Source, Origin)], ids: &[IdSite], errors: &mut Vec<CatalogError>) {
    let mut first_sites: HashMap<&str, &IdSite> = HashMap::new();
    for site in ids {
        if let Some(first) = first_sites.get(site.id.as_str()) {
            errors.push(CatalogError {
                file: site.file.clone(),
                line: site.line,
                message: format!(
                    "duplicate id '{}' (first declared at {}:{})",
                    site.id,
                    first.file.display(),
                    first.line
                ),
            });
        } else {
            first_sites.insert(&site.id, site);
        }
    }
    let mut feeds: HashMap<&str, (&str, &Origin)> = HashMap::new();
    for (source, origin) in sources {
        for (feed, line) in source.feeds.iter().zip(&origin.feed_lines) {
            if let Some((other, _)) = feeds.get(feed.as_str()) {
                errors.push(CatalogError {
                    file: origin.file.clone(),
                    line: *line,
                    message: format!("feed {feed} is already listed by source '{other}'"),
                });
            } else {
                feeds.insert(feed.as_str(), (&source.id, origin));
            }
        }
    }
}

fn valid_id(id: &str) -> bool {
    (2..=40).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

/// Parses an absolute http(s) URL with a host, or says what is wrong.
pub fn parse_http_url(raw: &str) -> Result<Url, String> {
    let trimmed = raw.trim();
    let url = Url::parse(trimmed).map_err(|e| format!("'{trimmed}' is not a valid URL ({e})"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(format!(
            "'{trimmed}' must use http or https, not '{}'",
            url.scheme()
        ));
    }
    if url.host_str().is_none_or(|h| h.is_empty()) {
        return Err(format!("'{trimmed}' has no host"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    const GOOD: &str = r#"# Indonesia
[[source]]
id = "kompas"
name = "Kompas"
homepage = "https://www.kompas.com/"
country = "ID"
languages = ["id"]
feeds = ["https://www.kompas.com/feed"]
tags = ["general"]
"#;

    #[test]
    fn loads_a_valid_catalog_and_derives_region() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "sea/id.toml", GOOD);
        let catalog = Catalog::load(dir.path()).unwrap();
        assert_eq!(catalog.sources.len(), 1);
        let s = &catalog.sources[0];
        assert_eq!(s.id, "kompas");
        assert_eq!(s.region, crate::model::Region::Sea);
        assert_eq!(s.feeds[0].as_str(), "https://www.kompas.com/feed");
        assert!(s.enabled);
    }

    #[test]
    fn reports_every_problem_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "sea/id.toml", GOOD);
        write(
            dir.path(),
            "sea/my.toml",
            r#"# Malaysia
[[source]]
id = "kompas"
name = "Copy"
homepage = "https://example.my/"
country = "MY"
languages = ["ms"]
feeds = ["htp:/nope"]

[[source]]
id = "the-star"
name = "The Star"
homepage = "https://www.thestar.com.my/"
country = "XX"
languages = ["en", "zz"]
feeds = ["https://www.kompas.com/feed"]
"#,
        );
        let Err(CatalogLoadError::Invalid(errors)) = Catalog::load(dir.path()) else {
            panic!("expected errors");
        };
        let lines: Vec<(usize, &str)> = errors
            .iter()
            .map(|e| (e.line, e.message.as_str()))
            .collect();
        assert!(
            lines
                .iter()
                .any(|(l, m)| *l == 8 && m.contains("must use http or https")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|(l, m)| *l == 14 && m.contains("unknown country 'XX'")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|(l, m)| *l == 15 && m.contains("unknown language 'zz'")),
            "{lines:?}"
        );
        // "kompas" is declared in id.toml first (sorted order), so my.toml's copy is the duplicate.
        assert!(
            errors.iter().any(|e| e.file.ends_with("sea/my.toml")
                && e.line == 3
                && e.message.contains("duplicate id")),
            "{errors:?}"
        );
    }

    #[test]
    fn unknown_keys_are_refused_with_their_line() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "sea/id.toml",
            &GOOD.replace("tags = [\"general\"]", "feedz = []"),
        );
        let Err(CatalogLoadError::Invalid(errors)) = Catalog::load(dir.path()) else {
            panic!("expected errors");
        };
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, 9, "{errors:?}");
        assert!(errors[0].message.contains("feedz"), "{errors:?}");
    }

    #[test]
    fn country_must_match_file_and_folder() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "nea/id.toml", GOOD);
        let Err(CatalogLoadError::Invalid(errors)) = Catalog::load(dir.path()) else {
            panic!("expected errors");
        };
        assert!(errors[0].message.contains("folder 'nea'"), "{errors:?}");
    }

    #[test]
    fn discovery_beyond_feeds_is_declared_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "sea/id.toml",
            r#"[[source]]
id = "detik"
name = "Detik"
homepage = "https://www.detik.com/"
country = "ID"
languages = ["id"]
sitemaps = ["https://www.detik.com/sitemap-news.xml"]
sections = [{ url = "https://finance.detik.com/", pattern = "/d-\\d+/" }]
autodiscover = true

[[source]]
id = "nothing"
name = "Nothing"
homepage = "https://nothing.test/"
country = "ID"
languages = ["id"]
sections = [{ url = "https://nothing.test/", pattern = "(unclosed" }]
"#,
        );
        let Err(CatalogLoadError::Invalid(errors)) = Catalog::load(dir.path()) else {
            panic!("expected errors");
        };
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].line, 17);
        assert!(errors[0].message.contains("(unclosed"), "{errors:?}");
        std::fs::write(
            dir.path().join("sea/id.toml"),
            std::fs::read_to_string(dir.path().join("sea/id.toml"))
                .unwrap()
                .replace("(unclosed", "/news/"),
        )
        .unwrap();
        let catalog = Catalog::load(dir.path()).unwrap();
        let detik = catalog.get("detik").unwrap();
        assert!(detik.autodiscover && detik.feeds.is_empty());
        assert_eq!(detik.sections[0].pattern, "/d-\\d+/");
        assert_eq!(detik.endpoints().len(), 3);
    }

    #[test]
    fn ids_are_checked() {
        assert!(valid_id("bangkok-post"));
        assert!(valid_id("e27"));
        assert!(!valid_id("Bangkok"));
        assert!(!valid_id("a"));
        assert!(!valid_id("-x-"));
        assert!(!valid_id("has space"));
    }
}
