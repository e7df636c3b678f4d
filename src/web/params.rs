//! URL parameters of the search page, the exports and the API.
//!
//! One parser for all of them: `q`, the filters (each repeatable:
//! `region=sea&region=nea` means either), `since`, `until`, `min_risk`,
//! `sort`, `page` and `per_page`. Values become a [`SearchFilters`] that
//! [`crate::filters`] checks exactly as it checks the command line's flags.
//! The page's links (facets that add or remove a filter, pagination) are
//! built from the same parameters, so a link always means what it shows.

use url::form_urlencoded;

use crate::filters::{FilterError, SearchFilters, parse_sort};

/// Hits per page when none is asked for.
pub const DEFAULT_PAGE_SIZE: usize = 20;
/// Deepest hit a page may start at: deeper paging costs memory and time
/// for every request; exports reach every match instead.
pub const MAX_OFFSET: usize = 10_000;
/// Longest query string accepted, in bytes (before any other check).
pub const MAX_QUERY_STRING_BYTES: usize = 8 * 1024;

/// Repeatable filter parameters, in the order links list them.
pub const FILTER_KEYS: [&str; 6] = ["region", "country", "lang", "topic", "sentiment", "source"];

/// A search as asked for in a URL.
#[derive(Debug, Clone, Default)]
pub struct SearchParams {
    pub filters: SearchFilters,
    /// 1-based.
    pub page: usize,
    pub per_page: usize,
    /// Include the evidence of each hit (API only).
    pub explain: bool,
    /// The recognised parameters as given, for building links.
    pairs: Vec<(String, String)>,
}

impl SearchParams {
    /// Reads a query string; unknown parameters are ignored, bad values
    /// are refused with the parameter's name.
    pub fn parse(raw: Option<&str>, max_page_size: usize) -> Result<SearchParams, FilterError> {
        let raw = raw.unwrap_or("");
        if raw.len() > MAX_QUERY_STRING_BYTES {
            return Err(FilterError(format!(
                "the query string is {} bytes long; the limit is {MAX_QUERY_STRING_BYTES}",
                raw.len()
            )));
        }
        let mut p = SearchParams {
            page: 1,
            per_page: DEFAULT_PAGE_SIZE.min(max_page_size),
            ..Default::default()
        };
        for (key, value) in form_urlencoded::parse(raw.as_bytes()) {
            let value = value.trim().to_string();
            let f = &mut p.filters;
            match key.as_ref() {
                "q" => f.query = value.clone(),
                "region" | "country" | "lang" | "topic" | "sentiment" | "source" => {
                    if value.is_empty() {
                        continue;
                    }
                    let list = match key.as_ref() {
                        "region" => &mut f.regions,
                        "country" => &mut f.countries,
                        "lang" => &mut f.langs,
                        "topic" => &mut f.topics,
                        "sentiment" => &mut f.sentiments,
                        _ => &mut f.sources,
                    };
                    if !list.contains(&value) {
                        list.push(value.clone());
                    }
                }
                "since" => f.since = Some(value.clone()).filter(|v| !v.is_empty()),
                "until" => f.until = Some(value.clone()).filter(|v| !v.is_empty()),
                "min_risk" => {
                    if !value.is_empty() {
                        f.min_risk = Some(
                            value
                                .parse::<f32>()
                                .ok()
                                .filter(|x| x.is_finite())
                                .ok_or_else(|| {
                                    FilterError(format!(
                                        "min_risk '{value}' is not a number from 0 to 100"
                                    ))
                                })?,
                        );
                    }
                }
                "sort" => f.sort = parse_sort(&value)?,
                "page" => {
                    p.page = value
                        .parse::<usize>()
                        .ok()
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| {
                            FilterError(format!("page '{value}' is not a page number (1, 2, ...)"))
                        })?;
                    continue;
                }
                "per_page" => {
                    p.per_page = value
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=max_page_size).contains(n))
                        .ok_or_else(|| {
                            FilterError(format!(
                                "per_page '{value}' must be a number from 1 to {max_page_size}"
                            ))
                        })?;
                    continue;
                }
                "explain" => {
                    p.explain = matches!(value.as_str(), "1" | "true" | "yes");
                    continue;
                }
                _ => continue,
            }
            p.pairs.push((key.into_owned(), value));
        }
        if p.offset() > MAX_OFFSET {
            return Err(FilterError(format!(
                "page {} starts past hit {MAX_OFFSET}: narrow the search, or export it",
                p.page
            )));
        }
        Ok(p)
    }

    /// The first hit of the page, 0-based.
    pub fn offset(&self) -> usize {
        (self.page - 1).saturating_mul(self.per_page)
    }

    /// This search's parameters (without the page) as a query string.
    pub fn query_string(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.pairs {
            s.append_pair(k, v);
        }
        s.finish()
    }

    /// The same search on another page.
    pub fn page_link(&self, page: usize) -> String {
        let mut pairs = self.pairs.clone();
        pairs.push(("page".into(), page.to_string()));
        if self.per_page != DEFAULT_PAGE_SIZE {
            pairs.push(("per_page".into(), self.per_page.to_string()));
        }
        link(&pairs)
    }

    /// Is `key=value` one of the filters?
    pub fn has(&self, key: &str, value: &str) -> bool {
        self.pairs.iter().any(|(k, v)| k == key && v == value)
    }

    /// The search with `key=value` added, or removed when it is there
    /// (back to the first page). For `since`/`until`/`sort`, which take one
    /// value, the value replaces the old one.
    pub fn toggled(&self, key: &str, value: &str) -> String {
        let mut pairs = self.pairs.clone();
        if self.has(key, value) {
            pairs.retain(|(k, v)| !(k == key && v == value));
        } else {
            if !FILTER_KEYS.contains(&key) {
                pairs.retain(|(k, _)| k != key);
            }
            pairs.push((key.to_string(), value.to_string()));
        }
        link(&pairs)
    }

    /// The search without any `key` parameter.
    pub fn without(&self, key: &str) -> String {
        let pairs: Vec<_> = self
            .pairs
            .iter()
            .filter(|(k, _)| k != key)
            .cloned()
            .collect();
        link(&pairs)
    }

    /// The active filters as (key, value, link that removes it).
    pub fn active(&self) -> Vec<(String, String, String)> {
        self.pairs
            .iter()
            .filter(|(k, _)| k != "q" && k != "sort")
            .map(|(k, v)| (k.clone(), v.clone(), self.toggled(k, v)))
            .collect()
    }
}

fn link(pairs: &[(String, String)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    format!("/search?{}", s.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Sort;

    #[test]
    fn repeated_filters_and_links() {
        let p = SearchParams::parse(
            Some("q=%E0%B8%9E%E0%B8%99%E0%B8%B1%E0%B8%99&region=sea&region=nea&sort=risk&page=2&junk=1"),
            100,
        )
        .unwrap();
        assert_eq!(p.filters.query, "พนัน");
        assert_eq!(p.filters.regions, ["sea", "nea"]);
        assert_eq!(p.filters.sort, Sort::Risk);
        assert_eq!(p.offset(), 20);
        assert!(p.has("region", "sea"));
        assert!(!p.toggled("region", "sea").contains("region=sea"));
        assert!(p.toggled("lang", "th").ends_with("&lang=th"));
        assert_eq!(p.toggled("sort", "newest").matches("sort=").count(), 1);
        assert!(p.page_link(3).ends_with("&page=3"));
        assert!(!p.query_string().contains("junk"));
    }

    #[test]
    fn bad_values_name_the_parameter() {
        for (q, word) in [
            ("page=0", "page"),
            ("per_page=5000", "per_page"),
            ("min_risk=lots", "min_risk"),
            ("sort=up", "sort"),
            ("page=100000", "export"),
        ] {
            let e = SearchParams::parse(Some(q), 100).unwrap_err();
            assert!(e.0.contains(word), "{q}: {e}");
        }
        let long = format!("q={}", "a".repeat(MAX_QUERY_STRING_BYTES));
        assert!(SearchParams::parse(Some(&long), 100).is_err());
    }
}
