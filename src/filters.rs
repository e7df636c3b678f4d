//! Search filters as people type them, turned into a [`QueryRequest`].
//!
//! `kabar search`, `kabar export`, the web page, the exports and the JSON
//! API all take the same filters (region, country, language, source, topic,
//! sentiment, minimum risk, date range, sort) as strings: flags on the
//! command line, parameters in a URL. They are read and checked here, once,
//! so a filter is spelt and means the same in every one of them, and a bad
//! value gets the same message everywhere.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use crate::model::{Region, SentimentLabel};
use crate::query::{QueryRequest, Sort};

/// Filters as given, before they are checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchFilters {
    /// Tantivy query syntax; empty matches everything.
    pub query: String,
    pub regions: Vec<String>,
    pub countries: Vec<String>,
    pub langs: Vec<String>,
    pub sources: Vec<String>,
    pub topics: Vec<String>,
    /// negative, neutral, positive (or neg, neu, pos).
    pub sentiments: Vec<String>,
    pub min_risk: Option<f32>,
    /// A date (YYYY-MM-DD in the display time zone), an RFC 3339 time, or a
    /// span back from now (24h, 7d, 2w).
    pub since: Option<String>,
    /// A date (inclusive) or an RFC 3339 time.
    pub until: Option<String>,
    pub sort: Sort,
}

/// A filter value that cannot be used; the message names it and says what
/// would be accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct FilterError(pub String);

impl SearchFilters {
    /// Checks every value and builds the request (without paging or
    /// snippets, which the caller sets). `known_topics`, when given, is the
    /// list of topic ids the concept packs define: a misspelt topic would
    /// otherwise quietly match nothing.
    pub fn to_request(
        &self,
        now: DateTime<Utc>,
        tz: &chrono_tz::Tz,
        known_topics: Option<&[String]>,
    ) -> Result<QueryRequest, FilterError> {
        let since = self
            .since
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| parse_since(s, now, tz))
            .transpose()
            .map_err(FilterError)?;
        let until = self
            .until
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| parse_until(s, tz))
            .transpose()
            .map_err(FilterError)?;
        let mut regions = Vec::new();
        for r in &self.regions {
            regions.push(
                r.parse::<Region>()
                    .map_err(FilterError)?
                    .as_str()
                    .to_string(),
            );
        }
        if let Some(x) = self.min_risk
            && !(0.0..=100.0).contains(&x)
        {
            return Err(FilterError(format!(
                "minimum risk {x} is out of range: risk scores run from 0 to 100"
            )));
        }
        if let Some(known) = known_topics {
            for id in &self.topics {
                if !known.iter().any(|k| k == id) {
                    return Err(FilterError(format!(
                        "unknown topic '{id}'; the concept packs define: {}",
                        known.join(", ")
                    )));
                }
            }
        }
        let mut sentiments = Vec::new();
        for s in &self.sentiments {
            sentiments.push(s.parse::<SentimentLabel>().map_err(FilterError)?);
        }
        Ok(QueryRequest {
            query: self.query.clone(),
            regions,
            countries: self
                .countries
                .iter()
                .map(|c| c.to_ascii_uppercase())
                .collect(),
            langs: self.langs.clone(),
            sources: self.sources.clone(),
            topics: self.topics.clone(),
            sentiments,
            min_risk: self.min_risk,
            since,
            until,
            sort: self.sort,
            ..Default::default()
        })
    }
}

/// Reads a sort order: relevance, newest or risk.
pub fn parse_sort(s: &str) -> Result<Sort, FilterError> {
    match s.trim().to_ascii_lowercase().as_str() {
        "" | "relevance" => Ok(Sort::Relevance),
        "newest" | "date" => Ok(Sort::Newest),
        "risk" => Ok(Sort::Risk),
        other => Err(FilterError(format!(
            "unknown sort '{other}' (expected relevance, newest or risk)"
        ))),
    }
}

/// `7d`, `24h`, `2w` back from `now`, or a date/time.
pub fn parse_since(
    s: &str,
    now: DateTime<Utc>,
    tz: &chrono_tz::Tz,
) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Some(num) = s.strip_suffix(['h', 'd', 'w'])
        && let Ok(n) = num.parse::<i64>()
    {
        let span = match s.chars().last() {
            Some('h') => Duration::try_hours(n),
            Some('d') => Duration::try_days(n),
            _ => Duration::try_weeks(n),
        };
        return span
            .and_then(|span| now.checked_sub_signed(span))
            .ok_or_else(|| format!("'{s}' reaches too far back"));
    }
    parse_date(s, tz).map(|(start, _)| start)
}

/// The end of the given day (exclusive), or the given instant.
pub fn parse_until(s: &str, tz: &chrono_tz::Tz) -> Result<DateTime<Utc>, String> {
    parse_date(s.trim(), tz).map(|(_, end)| end)
}

/// A date in `tz` gives [start of day, start of next day); an RFC 3339
/// instant gives [t, t + 1s).
fn parse_date(s: &str, tz: &chrono_tz::Tz) -> Result<(DateTime<Utc>, DateTime<Utc>), String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        let t = t.with_timezone(&Utc);
        return Ok((t, t + Duration::seconds(1)));
    }
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
        format!(
            "'{s}' is not a date: use YYYY-MM-DD, an RFC 3339 time, or a span such as 7d or 24h"
        )
    })?;
    let start = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight exists"))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| format!("midnight of {d} does not exist in {tz}"))
    };
    let next = day
        .succ_opt()
        .ok_or_else(|| format!("'{s}' is out of range"))?;
    Ok((start(day)?, start(next)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_checked_and_normalised() {
        let tz: chrono_tz::Tz = "Asia/Bangkok".parse().unwrap();
        let now = "2025-03-03T12:00:00Z".parse().unwrap();
        let f = SearchFilters {
            regions: vec!["SEA".into()],
            countries: vec!["th".into()],
            sentiments: vec!["neg".into()],
            since: Some("7d".into()),
            until: Some("2025-03-03".into()),
            ..Default::default()
        };
        let r = f.to_request(now, &tz, None).unwrap();
        assert_eq!(r.regions, ["sea"]);
        assert_eq!(r.countries, ["TH"]);
        assert_eq!(r.sentiments, [SentimentLabel::Negative]);
        assert_eq!(r.since.unwrap().to_rfc3339(), "2025-02-24T12:00:00+00:00");
        // The end of March 3rd in Bangkok.
        assert_eq!(r.until.unwrap().to_rfc3339(), "2025-03-03T17:00:00+00:00");

        let bad = |f: SearchFilters| f.to_request(now, &tz, Some(&["scam-ads".into()]));
        let e = bad(SearchFilters {
            regions: vec!["europe".into()],
            ..Default::default()
        });
        assert!(e.unwrap_err().0.contains("europe"));
        let e = bad(SearchFilters {
            topics: vec!["scam-adz".into()],
            ..Default::default()
        });
        assert!(e.unwrap_err().0.contains("scam-ads"));
        let e = bad(SearchFilters {
            since: Some("last tuesday".into()),
            ..Default::default()
        });
        assert!(e.unwrap_err().0.contains("YYYY-MM-DD"));
        let e = bad(SearchFilters {
            since: Some("99999999999999d".into()),
            ..Default::default()
        });
        assert!(e.is_err());
        assert!(parse_sort("sideways").is_err());
        assert_eq!(parse_sort("risk").unwrap(), Sort::Risk);
    }
}
