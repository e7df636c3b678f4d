//! Parsing the dates pages give: machine formats from metadata and URLs.
//!
//! Metadata dates come in a handful of shapes (RFC 3339 with or without
//! seconds or offset, RFC 2822, `YYYY-MM-DD HH:MM:SS`, compact `YYYYMMDD`).
//! A date without an offset is read in UTC. Visible-text dates in every
//! first-class language (Buddhist-era years, 年月日, relative dates) are the
//! extraction issue's work and will land here.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Utc};

/// Earliest plausible publication date: anything before is a parse accident.
const EARLIEST_YEAR: i32 = 1990;

/// Parses a date as found in JSON-LD, meta tags, `<time datetime>` or feeds.
pub fn parse_machine_date(raw: &str) -> Option<DateTime<Utc>> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    let parsed = DateTime::parse_from_rfc3339(s)
        .ok()
        .or_else(|| DateTime::parse_from_rfc2822(s).ok())
        .or_else(|| with_offset(s))
        .map(|d| d.with_timezone(&Utc))
        .or_else(|| naive(s).map(|n| Utc.from_utc_datetime(&n)))
        .or_else(|| epoch(s));
    parsed.filter(plausible)
}

fn plausible(d: &DateTime<Utc>) -> bool {
    use chrono::Datelike;
    // A day of slack for time zones and clock skew.
    d.year() >= EARLIEST_YEAR && *d <= Utc::now() + chrono::Duration::days(1)
}

/// Formats with an explicit offset that RFC 3339 rejects (no seconds,
/// `+0700` without a colon, a space instead of `T`).
fn with_offset(s: &str) -> Option<DateTime<FixedOffset>> {
    const FORMATS: &[&str] = &[
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M:%S%:z",
        "%Y-%m-%d %H:%M:%S%z",
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M %z",
        "%Y/%m/%d %H:%M:%S %z",
        "%a, %d %b %Y %H:%M %z",
        "%d %b %Y %H:%M:%S %z",
    ];
    FORMATS
        .iter()
        .find_map(|f| DateTime::parse_from_str(s, f).ok())
}

fn naive(s: &str) -> Option<NaiveDateTime> {
    const DATETIME: &[&str] = &[
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
        "%Y.%m.%d %H:%M:%S",
        "%Y.%m.%d %H:%M",
        "%Y%m%dT%H%M%S",
    ];
    const DATE: &[&str] = &["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"];
    // "2025-03-14T08:30:00Z" variants with a trailing Z but no seconds.
    let s = s.strip_suffix('Z').unwrap_or(s);
    DATETIME
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .or_else(|| {
            DATE.iter()
                .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
}

/// Unix seconds or milliseconds, as some CMSs put in meta tags.
fn epoch(s: &str) -> Option<DateTime<Utc>> {
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = s.parse().ok()?;
    match s.len() {
        10 => DateTime::from_timestamp(n, 0),
        13 => DateTime::from_timestamp_millis(n),
        _ => None,
    }
}

/// A date in the URL path: `/2025/03/14/`, `/2025-03-14/`, `/20250314/`.
pub fn date_from_url_path(path: &str) -> Option<DateTime<Utc>> {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    for window in parts.windows(3) {
        if let [y, m, d] = window
            && y.len() == 4
            && (1..=2).contains(&m.len())
            && (1..=2).contains(&d.len())
        {
            let d = d.trim_end_matches(|c: char| !c.is_ascii_digit());
            if let (Ok(y), Ok(m), Ok(d)) = (y.parse(), m.parse(), d.parse())
                && let Some(date) = NaiveDate::from_ymd_opt(y, m, d)
            {
                return to_utc_midnight(date);
            }
        }
    }
    for part in parts {
        let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
        if digits.len() == 8
            && let Ok(date) = NaiveDate::parse_from_str(&digits, "%Y%m%d")
        {
            return to_utc_midnight(date);
        }
        if part.len() >= 10
            && let Ok(date) = NaiveDate::parse_from_str(&part[..10], "%Y-%m-%d")
        {
            return to_utc_midnight(date);
        }
    }
    None
}

fn to_utc_midnight(date: NaiveDate) -> Option<DateTime<Utc>> {
    let d = Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?);
    plausible(&d).then_some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(raw: &str) -> String {
        parse_machine_date(raw)
            .map(|d| d.to_rfc3339())
            .unwrap_or_else(|| "none".into())
    }

    #[test]
    fn metadata_formats_are_read_in_utc() {
        assert_eq!(
            iso("2025-03-14T08:30:00+07:00"),
            "2025-03-14T01:30:00+00:00"
        );
        assert_eq!(iso("2025-03-14T08:30+07:00"), "2025-03-14T01:30:00+00:00");
        assert_eq!(iso("2025-03-14T08:30:00+0900"), "2025-03-13T23:30:00+00:00");
        assert_eq!(
            iso("Fri, 14 Mar 2025 08:30:00 +0800"),
            "2025-03-14T00:30:00+00:00"
        );
        assert_eq!(iso("2025-03-14 08:30:00"), "2025-03-14T08:30:00+00:00");
        assert_eq!(iso("2025-03-14"), "2025-03-14T00:00:00+00:00");
        assert_eq!(iso("1741941000"), "2025-03-14T08:30:00+00:00");
        assert_eq!(iso("yesterday"), "none");
        assert_eq!(iso("1970-01-01T00:00:00Z"), "none");
    }

    #[test]
    fn url_paths_give_dates() {
        let d = |p| date_from_url_path(p).map(|d| d.date_naive().to_string());
        assert_eq!(
            d("/news/2025/03/14/scam-ads").as_deref(),
            Some("2025-03-14")
        );
        assert_eq!(d("/read/20250314/123/judi").as_deref(), Some("2025-03-14"));
        assert_eq!(d("/2025-03-14-iklan-judi").as_deref(), Some("2025-03-14"));
        assert_eq!(d("/about/team"), None);
    }
}
