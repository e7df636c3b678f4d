//! Reading and validating the pack folder: `<id>.toml` per topic and
//! `entities.toml`.
//!
//! Packs are edited by analysts, so every problem in every file is reported
//! in one pass, each at its file:line:col. The files are walked as
//! `toml::de::DeTable`, which keeps the span of every key and value: unknown
//! keys, bad values and semantic problems (duplicate terms, an entity naming
//! an unknown topic) all point at the exact place, and one problem never
//! hides the next the way a typed `deny_unknown_fields` parse would.

use std::collections::HashMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::TopicInfo;
use super::normalize::{Script, normalize};
use crate::sources::{countries, langs};

/// The file of named entities inside the pack folder.
pub const ENTITIES_FILE: &str = "entities.toml";

/// Entity kinds an entity file may use.
pub const ENTITY_KINDS: &[&str] = &["platform", "marketplace", "payment", "regulator"];

const TOPIC_KEYS: &[&str] = &[
    "version",
    "id",
    "name",
    "description",
    "allow_short",
    "terms",
];
const ENTITY_FILE_KEYS: &[&str] = &["version", "entity"];
const ENTITY_KEYS: &[&str] = &[
    "id",
    "name",
    "kind",
    "country",
    "names",
    "topics",
    "allow_short",
];

/// One problem in one pack file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackError {
    pub file: PathBuf,
    /// 1-based; 0 when the problem is not tied to a place (unreadable file).
    pub line: usize,
    /// 1-based, in characters.
    pub col: usize,
    pub message: String,
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file.display(),
                self.line,
                self.col,
                self.message
            )
        } else {
            write!(f, "{}: {}", self.file.display(), self.message)
        }
    }
}

/// Formats problems one per line, as `topics check` and every command that
/// loads packs print them.
pub fn format_errors(errors: &[PackError]) -> String {
    let mut s = format!("{} problem(s) in the topic packs:", errors.len());
    for e in errors {
        s.push_str("\n  ");
        s.push_str(&e.to_string());
    }
    s
}

/// A validated term or entity name.
#[derive(Debug, Clone)]
pub(crate) struct Term {
    /// As written in the pack, `*` included.
    pub written: String,
    pub lang: String,
    /// Normalised, without the `*`.
    pub norm: String,
    /// Written with a trailing `*`: may run into a longer word.
    pub open_end: bool,
    /// Written in ASCII capitals (an acronym such as OJK, MAS, SEC): matches
    /// only in capitals, so the Indonesian `mas` or a `sec` abbreviation is
    /// not a regulator.
    pub case_sensitive: bool,
}

pub(crate) struct Pack {
    pub info: TopicInfo,
    pub terms: Vec<Term>,
}

pub(crate) struct Entity {
    pub info: super::EntityInfo,
    pub names: Vec<Term>,
}

/// Everything in a pack folder, validated.
pub(crate) struct Packs {
    pub packs: Vec<Pack>,
    pub entities: Vec<Entity>,
}

/// Reads and validates every `*.toml` in `dir` (not recursive).
pub(crate) fn load(dir: &Path) -> Result<Packs, Vec<PackError>> {
    let whole = |message: String| {
        vec![PackError {
            file: dir.to_path_buf(),
            line: 0,
            col: 0,
            message,
        }]
    };
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            return Err(whole(format!(
                "cannot read the topic pack folder ({e}); use --topics DIR or topics_dir in the config"
            )));
        }
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut errors = Vec::new();
    let mut sources = Vec::new();
    for file in files {
        match std::fs::read_to_string(&file) {
            Ok(text) => sources.push((file, text)),
            Err(e) => errors.push(PackError {
                file,
                line: 0,
                col: 0,
                message: format!("cannot read file: {e}"),
            }),
        }
    }
    parse(sources, errors).map_err(|e| {
        if e.is_empty() {
            whole("no topic packs (*.toml) in the folder".into())
        } else {
            e
        }
    })
}

/// The packs shipped in the repository's `topics/` folder, compiled into
/// the binary so that kabar run from any folder (or installed with `cargo
/// install`) still knows its topics. A test checks this list against the
/// folder.
pub(crate) const EMBEDDED: &[(&str, &str)] = &[
    (
        "ad-quality.toml",
        include_str!("../../topics/ad-quality.toml"),
    ),
    (
        "ad-regulation.toml",
        include_str!("../../topics/ad-regulation.toml"),
    ),
    (
        "counterfeit.toml",
        include_str!("../../topics/counterfeit.toml"),
    ),
    (
        "creator-payouts.toml",
        include_str!("../../topics/creator-payouts.toml"),
    ),
    ("entities.toml", include_str!("../../topics/entities.toml")),
    (
        "gambling-ads.toml",
        include_str!("../../topics/gambling-ads.toml"),
    ),
    (
        "live-commerce.toml",
        include_str!("../../topics/live-commerce.toml"),
    ),
    ("loan-ads.toml", include_str!("../../topics/loan-ads.toml")),
    ("payments.toml", include_str!("../../topics/payments.toml")),
    (
        "privacy-targeting.toml",
        include_str!("../../topics/privacy-targeting.toml"),
    ),
    ("scam-ads.toml", include_str!("../../topics/scam-ads.toml")),
];

/// Parses and validates the packs compiled into the binary; errors name
/// them as `<built-in>/FILE`.
pub(crate) fn load_embedded() -> Result<Packs, Vec<PackError>> {
    let sources = EMBEDDED
        .iter()
        .map(|(name, text)| (Path::new("<built-in>").join(name), (*text).to_string()))
        .collect();
    parse(sources, Vec::new())
}

/// Validates pack sources (path, text), sorted by path; an empty error list
/// means there were no packs at all.
fn parse(
    sources: Vec<(PathBuf, String)>,
    mut errors: Vec<PackError>,
) -> Result<Packs, Vec<PackError>> {
    let mut packs = Vec::new();
    let mut entities = Vec::new();
    // Topic references from entities, checked once every pack is read.
    let mut references = Vec::new();
    // Every topic id declared, valid pack or not, so one broken pack does
    // not also make every entity that names it an error.
    let mut declared = Vec::new();
    for (file, text) in &sources {
        let mut ctx = Ctx {
            file,
            text,
            line_starts: line_starts(text),
            errors: &mut errors,
        };
        if file.file_name().is_some_and(|n| n == ENTITIES_FILE) {
            ctx.entity_file(&mut entities, &mut references);
        } else if let Some(pack) = ctx.topic_file(&mut declared) {
            packs.push(pack);
        }
    }
    if packs.is_empty() && errors.is_empty() {
        return Err(Vec::new());
    }
    cross_check(&packs, &declared, &references, &mut errors);
    errors.sort_by(|a, b| (&a.file, a.line, a.col).cmp(&(&b.file, b.line, b.col)));
    if errors.is_empty() {
        Ok(Packs { packs, entities })
    } else {
        Err(errors)
    }
}

/// An entity's reference to a topic id, with where it was written.
struct Reference {
    topic: String,
    error_at: PackError,
}

/// Where an id or entity name was declared, for duplicate messages.
struct Site {
    file: PathBuf,
    line: usize,
}

fn cross_check(
    packs: &[Pack],
    declared: &[String],
    references: &[Reference],
    errors: &mut Vec<PackError>,
) {
    let mut ids: HashMap<&str, &Path> = HashMap::new();
    for pack in packs {
        if let Some(first) = ids.insert(&pack.info.id, &pack.info.file) {
            errors.push(PackError {
                file: pack.info.file.clone(),
                line: pack.info.line,
                col: 1,
                message: format!(
                    "duplicate topic id '{}' (also in {})",
                    pack.info.id,
                    first.display()
                ),
            });
        }
    }
    for r in references {
        if !declared.contains(&r.topic) {
            let mut known: Vec<&str> = declared.iter().map(String::as_str).collect();
            known.sort_unstable();
            let mut e = r.error_at.clone();
            e.message = format!("unknown topic '{}' (known: {})", r.topic, known.join(", "));
            errors.push(e);
        }
    }
}

struct Ctx<'a> {
    file: &'a Path,
    text: &'a str,
    /// Byte offset of each line's start: positions are asked for every id
    /// and entity reference, and counting newlines from the top each time
    /// made loading `entities.toml` quadratic.
    line_starts: Vec<usize>,
    errors: &'a mut Vec<PackError>,
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

type Value<'i> = Spanned<DeValue<'i>>;

impl Ctx<'_> {
    fn error_at(&self, span: Range<usize>, message: impl Into<String>) -> PackError {
        let offset = span.start.min(self.text.len());
        // The last line start at or before the offset.
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let line_start = self.line_starts[line - 1];
        PackError {
            file: self.file.to_path_buf(),
            line,
            col: self.text[line_start..offset].chars().count() + 1,
            message: message.into(),
        }
    }

    fn err(&mut self, span: Range<usize>, message: impl Into<String>) {
        let e = self.error_at(span, message);
        self.errors.push(e);
    }

    /// Parses the file; syntax errors are reported (all of them) and end the file.
    fn parse<'t>(&mut self, text: &'t str) -> Option<DeTable<'t>> {
        let (table, syntax) = DeTable::parse_recoverable(text);
        if syntax.is_empty() {
            return Some(table.into_inner());
        }
        for e in syntax {
            let message = e
                .message()
                .lines()
                .next()
                .unwrap_or("invalid TOML")
                .to_string();
            match e.span() {
                Some(span) => self.err(span, message),
                None => self.errors.push(PackError {
                    file: self.file.to_path_buf(),
                    line: 0,
                    col: 0,
                    message,
                }),
            }
        }
        None
    }

    /// Reports keys outside `allowed` and returns the table's values by key.
    fn fields<'t, 'i>(
        &mut self,
        table: &'t DeTable<'i>,
        allowed: &[&str],
        what: &str,
    ) -> HashMap<&'t str, &'t Value<'i>> {
        let mut out = HashMap::new();
        for (key, value) in table {
            let k: &str = key.get_ref();
            if allowed.contains(&k) {
                out.insert(k, value);
            } else {
                self.err(
                    key.span(),
                    format!(
                        "unknown key `{k}` in {what} (allowed: {})",
                        allowed.join(", ")
                    ),
                );
            }
        }
        out
    }

    fn required<'t, 'i>(
        &mut self,
        fields: &HashMap<&str, &'t Value<'i>>,
        key: &str,
        at: Range<usize>,
    ) -> Option<&'t Value<'i>> {
        let v = fields.get(key).copied();
        if v.is_none() {
            self.err(at, format!("missing key `{key}`"));
        }
        v
    }

    fn string(&mut self, v: Option<&Value<'_>>, key: &str) -> Option<String> {
        let v = v?;
        match v.get_ref().as_str() {
            Some(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Some(_) => {
                self.err(v.span(), format!("`{key}` must not be empty"));
                None
            }
            None => {
                self.err(
                    v.span(),
                    format!("`{key}` must be a string, not {}", v.get_ref().type_str()),
                );
                None
            }
        }
    }

    fn version(&mut self, v: Option<&Value<'_>>) -> Option<u32> {
        let v = v?;
        let n = v
            .get_ref()
            .as_integer()
            .and_then(|i| i64::from_str_radix(i.as_str(), i.radix()).ok());
        match n {
            Some(n) if (1..=i64::from(u32::MAX)).contains(&n) => Some(n as u32),
            _ => {
                self.err(
                    v.span(),
                    "bad version: use a whole number from 1 up, raised whenever the terms change",
                );
                None
            }
        }
    }

    fn id(&mut self, v: Option<&Value<'_>>) -> Option<(String, Range<usize>)> {
        let id = self.string(v, "id")?;
        let span = v.map(|v| v.span()).unwrap_or(0..0);
        if !valid_id(&id) {
            self.err(
                span,
                format!("invalid id '{id}': use 2-40 lowercase ASCII letters, digits and '-'"),
            );
            return None;
        }
        Some((id, span))
    }

    /// An array of strings; each element is passed on with its span.
    fn strings<'t, 'i>(&mut self, v: &'t Value<'i>, key: &str) -> Vec<(&'t str, Range<usize>)> {
        let Some(array) = v.get_ref().as_array() else {
            self.err(
                v.span(),
                format!(
                    "`{key}` must be a list of strings, not {}",
                    v.get_ref().type_str()
                ),
            );
            return Vec::new();
        };
        if array.is_empty() {
            self.err(v.span(), format!("`{key}` is empty"));
        }
        let mut out = Vec::new();
        for item in array {
            match item.get_ref().as_str() {
                Some(s) => out.push((s, item.span())),
                None => self.err(
                    item.span(),
                    format!(
                        "`{key}` holds a {}, not a string",
                        item.get_ref().type_str()
                    ),
                ),
            }
        }
        out
    }

    /// Validates terms (or entity names) into `out`, refusing duplicates.
    fn terms(
        &mut self,
        items: &[(&str, Range<usize>)],
        lang: &str,
        allow_short: &[String],
        seen: &mut HashMap<(String, String, bool, bool), Range<usize>>,
        out: &mut Vec<Term>,
    ) {
        for (written, span) in items {
            match check_term(written, allow_short) {
                Ok(term) => {
                    // The same word in two languages of one topic is fine (Indonesian
                    // and Malay share much, English loanwords are Taglish too);
                    // twice in one language is a slip.
                    let key = (
                        lang.to_string(),
                        term.norm.clone(),
                        term.open_end,
                        term.case_sensitive,
                    );
                    if let Some(first) = seen.get(&key) {
                        let first = self.error_at(first.clone(), "");
                        self.err(
                            span.clone(),
                            format!(
                                "duplicate term '{written}': normalises to '{}' like the one at line {}:{}",
                                term.norm, first.line, first.col
                            ),
                        );
                        continue;
                    }
                    seen.insert(key, span.clone());
                    out.push(Term {
                        lang: lang.to_string(),
                        ..term
                    });
                }
                Err(message) => self.err(span.clone(), message),
            }
        }
    }

    fn allow_short(&mut self, fields: &HashMap<&str, &Value<'_>>) -> Vec<String> {
        match fields.get("allow_short") {
            Some(v) if v.get_ref().as_array().is_some_and(|a| a.is_empty()) => Vec::new(),
            Some(v) => self
                .strings(v, "allow_short")
                .into_iter()
                .map(|(s, _)| s.trim().to_string())
                .collect(),
            None => Vec::new(),
        }
    }

    fn topic_file(&mut self, declared: &mut Vec<String>) -> Option<Pack> {
        let text = self.text;
        let table = self.parse(text)?;
        let fields = self.fields(&table, TOPIC_KEYS, "a topic pack");
        let top = 0..0;
        let version = self.required(&fields, "version", top.clone());
        let version = self.version(version);
        let id = self.required(&fields, "id", top.clone());
        let id = self.id(id);
        let name = self.required(&fields, "name", top.clone());
        let name = self.string(name, "name");
        let description = self.required(&fields, "description", top.clone());
        let description = self.string(description, "description");
        let allow_short = self.allow_short(&fields);

        if let Some((id, span)) = &id {
            declared.push(id.clone());
            let stem = self.file.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            if stem != id {
                self.err(
                    span.clone(),
                    format!("topic '{id}' must be in a file named {id}.toml, not {stem}.toml"),
                );
            }
        }

        let mut terms = Vec::new();
        let mut counts = std::collections::BTreeMap::new();
        let before = self.errors.len();
        if let Some(v) = self.required(&fields, "terms", top) {
            match v.get_ref().as_table() {
                Some(table) => {
                    let mut seen = HashMap::new();
                    for (lang, list) in table {
                        let code: &str = lang.get_ref();
                        if !langs::is_known(code) {
                            self.err(
                                lang.span(),
                                format!("unknown language '{code}': use ISO 639-1 (en, th, ...) or zh-Hans / zh-Hant"),
                            );
                            continue;
                        }
                        let items = self.strings(list, &format!("terms.{code}"));
                        let n = terms.len();
                        self.terms(&items, code, &allow_short, &mut seen, &mut terms);
                        counts.insert(code.to_string(), terms.len() - n);
                    }
                }
                None => self.err(v.span(), "`terms` must be a table of language = [terms]"),
            }
        }
        for short in &allow_short {
            if !terms.iter().any(|t| &t.written == short) {
                let span = fields.get("allow_short").map(|v| v.span()).unwrap_or(0..0);
                self.err(
                    span,
                    format!("allow_short lists '{short}', which is not one of the terms"),
                );
            }
        }
        let (id, id_span) = id?;
        let line = self.error_at(id_span, "").line;
        if self.errors.len() > before {
            return None;
        }
        Some(Pack {
            info: TopicInfo {
                id,
                name: name?,
                description: description?,
                version: version?,
                file: self.file.to_path_buf(),
                line,
                terms: counts,
            },
            terms,
        })
    }

    fn entity_file(&mut self, out: &mut Vec<Entity>, references: &mut Vec<Reference>) {
        let text = self.text;
        let Some(table) = self.parse(text) else {
            return;
        };
        let fields = self.fields(&table, ENTITY_FILE_KEYS, "the entity file");
        let version = self.required(&fields, "version", 0..0);
        self.version(version);
        let Some(list) = self.required(&fields, "entity", 0..0) else {
            return;
        };
        let Some(array) = list.get_ref().as_array() else {
            self.err(list.span(), "`entity` must be [[entity]] tables");
            return;
        };
        let mut ids: HashMap<String, Site> = HashMap::new();
        let mut seen = HashMap::new();
        for item in array {
            let Some(table) = item.get_ref().as_table() else {
                self.err(item.span(), "`entity` must be [[entity]] tables");
                continue;
            };
            let at = item.span();
            let before = self.errors.len();
            let fields = self.fields(table, ENTITY_KEYS, "an [[entity]]");
            let id = self.required(&fields, "id", at.clone());
            let id = self.id(id);
            let name = self.required(&fields, "name", at.clone());
            let name = self.string(name, "name");
            let kind = self.required(&fields, "kind", at.clone());
            let kind_span = kind.map(|k| k.span());
            let kind = self.string(kind, "kind");
            if let (Some(k), Some(span)) = (&kind, kind_span)
                && !ENTITY_KINDS.contains(&k.as_str())
            {
                self.err(
                    span,
                    format!(
                        "unknown kind '{k}' (use one of {})",
                        ENTITY_KINDS.join(", ")
                    ),
                );
            }
            let country = fields.get("country").copied();
            let country_span = country.map(|c| c.span());
            let country = self.string(country, "country");
            if let (Some(c), Some(span)) = (&country, country_span)
                && !countries::is_known(c)
            {
                self.err(
                    span,
                    format!("unknown country '{c}': use an uppercase ISO 3166-1 alpha-2 code"),
                );
            }
            let allow_short = self.allow_short(&fields);
            let mut names = Vec::new();
            if let Some(v) = self.required(&fields, "names", at.clone()) {
                let items = self.strings(v, "names");
                self.terms(&items, "*", &allow_short, &mut seen, &mut names);
            }
            let mut topics = Vec::new();
            if let Some(v) = self.required(&fields, "topics", at.clone()) {
                for (topic, span) in self.strings(v, "topics") {
                    references.push(Reference {
                        topic: topic.to_string(),
                        error_at: self.error_at(span, ""),
                    });
                    topics.push(topic.to_string());
                }
            }
            if let Some((id, span)) = &id {
                let line = self.error_at(span.clone(), "").line;
                if let Some(first) = ids.get(id) {
                    self.err(
                        span.clone(),
                        format!(
                            "duplicate entity id '{id}' (first at {}:{})",
                            first.file.display(),
                            first.line
                        ),
                    );
                } else {
                    ids.insert(
                        id.clone(),
                        Site {
                            file: self.file.to_path_buf(),
                            line,
                        },
                    );
                }
            }
            if self.errors.len() > before {
                continue;
            }
            let (Some((id, _)), Some(name), Some(kind)) = (id, name, kind) else {
                continue;
            };
            out.push(Entity {
                info: super::EntityInfo {
                    id,
                    name,
                    kind,
                    country,
                    topics,
                    num_names: names.len(),
                },
                names,
            });
        }
    }
}

/// Checks one term as written and normalises it.
fn check_term(written: &str, allow_short: &[String]) -> Result<Term, String> {
    let trimmed = written.trim();
    if trimmed.is_empty() {
        return Err("empty term".into());
    }
    let open_end = trimmed.ends_with('*');
    let stem = trimmed.trim_end_matches('*');
    if stem.contains('*') || trimmed.ends_with("**") {
        return Err(format!(
            "term '{trimmed}': '*' is allowed once, at the end (the word may go on)"
        ));
    }
    let norm = normalize(stem);
    if norm.is_empty() || !norm.chars().any(super::normalize::is_word) {
        return Err(format!("term '{trimmed}' normalises to nothing"));
    }
    let first = Script::of(norm.chars().next().unwrap_or(' '));
    let num_letters = norm.chars().filter(|c| c.is_alphanumeric()).count();
    let minimum = match first {
        s if s.alphabetic() => 3,
        Script::Thai | Script::Lao | Script::Khmer | Script::Myanmar => 3,
        _ => 2,
    };
    if num_letters < minimum && !allow_short.iter().any(|s| s == trimmed) {
        return Err(format!(
            "term '{trimmed}' is suspiciously short ({num_letters} letter(s)); it would match too much. List it in allow_short if you mean it"
        ));
    }
    let letters = stem.chars().filter(|c| c.is_ascii_alphabetic()).count();
    let case_sensitive = letters >= 2
        && stem
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == ' ' || c == '-');
    Ok(Term {
        written: trimmed.to_string(),
        lang: String::new(),
        norm,
        open_end,
        case_sensitive,
    })
}

fn valid_id(id: &str) -> bool {
    (2..=40).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
        && !id.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_are_checked() {
        assert!(check_term("scam ads", &[]).is_ok());
        assert!(check_term("ad", &[]).unwrap_err().contains("short"));
        assert!(check_term("QR", &["QR".into()]).unwrap().case_sensitive);
        assert!(check_term("  ", &[]).unwrap_err().contains("empty"));
        assert!(check_term("\u{200B}", &[]).unwrap_err().contains("nothing"));
        assert!(check_term("sc*am", &[]).unwrap_err().contains("'*'"));
        let t = check_term("scammer*", &[]).unwrap();
        assert!(t.open_end && t.norm == "scammer");
        assert!(check_term("OJK", &[]).unwrap().case_sensitive);
        assert!(!check_term("GCash", &[]).unwrap().case_sensitive);
        assert!(check_term("赌", &[]).is_err());
        assert!(check_term("赌博", &[]).is_ok());
        assert!(check_term("โกง", &[]).is_ok());
    }

    #[test]
    fn built_in_packs_are_the_folder() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("topics");
        let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        on_disk.sort();
        let built_in: Vec<&str> = EMBEDDED.iter().map(|(n, _)| *n).collect();
        assert_eq!(built_in, on_disk, "add new packs to pack::EMBEDDED");
        let from_disk = load(&dir).unwrap_or_else(|e| panic!("{e:?}"));
        let embedded = load_embedded().unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(embedded.packs.len(), from_disk.packs.len());
        assert_eq!(embedded.entities.len(), from_disk.entities.len());
    }
}
