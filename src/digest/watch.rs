//! Watchlists in the digest: a saved search that fired is the first thing
//! its analyst reads.
//!
//! A watchlist ([`crate::watchlist`]) is a query and filters with an alert
//! threshold. For the digest each one, narrowed to the profile's regions,
//! countries and languages, is judged two ways:
//!
//! - **Threshold**: at least `threshold` matches within its window
//!   (`window_hours`) ending at the end of the digest day: the analyst's own
//!   rule, exactly as the web page checks it.
//! - **Spike**: its matches per day over the baseline, as shares of the
//!   volume kabar ingested in the same scope, scored by [`crate::spikes`]
//!   (median and MAD, minimum volume, outages left out, cooldown), the same
//!   rule as the topic spikes, so a watchlist that usually matches 40 a day
//!   does not need a threshold tuned by hand to say that 120 is unusual.
//!
//! A watchlist that fires either way is explained like a spike: today
//! against its baseline, the outlets, the first to report, the share of
//! negative coverage, 30 days of counts for a chart, and a link to its
//! search on kabar's web page for the digest day. A watchlist that cannot be
//! run (a hand-edited query that no longer parses) is reported, not
//! skipped, so its silence is not read as calm. A watchlist whose filters
//! fall wholly outside the profile (a Japan watchlist in a South-East Asia
//! digest) is not this profile's business and is left out.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use super::compose::{CHART_DAYS, Scope, StoryRef};
use crate::index::ArticleIndex;
use crate::query::{QueryError, QueryRequest, search};
use crate::spikes::{SpikeParams, Verdict, score};
use crate::trends::{Dimension, Interval, TrendRequest, trends};
use crate::watchlist::{LinkScope, Watchlist};

/// A watchlist that fired on the digest day.
#[derive(Debug, Clone, Serialize)]
pub struct WatchAlert {
    pub name: String,
    /// The saved query as typed (may be empty: filters only).
    pub query: String,
    /// It reached its threshold within its window.
    pub threshold_hit: bool,
    /// Its daily share spiked against the baseline.
    pub spiked: bool,
    pub threshold: u64,
    pub window_hours: u32,
    /// Matches within the window ending at the end of the digest day.
    pub window_count: u64,
    /// Matches on the digest day.
    pub count: u64,
    /// Usual matches per day (median baseline share × the day's volume).
    pub expected: f64,
    pub score: f64,
    /// What the spike rule said (spike, normal, cooldown, outage...).
    #[serde(flatten)]
    pub verdict: Verdict,
    pub negative_share: Option<f64>,
    /// Outlets with their matches on the day, busiest first.
    pub outlets: Vec<(String, usize)>,
    /// The earliest match of the day.
    pub first: Option<StoryRef>,
    /// Matches per day, oldest first, the digest day last.
    pub series: Vec<u64>,
    /// The watchlist's search for the digest day on kabar's web page.
    pub search_url: String,
}

/// A watchlist the digest could not check, and why.
#[derive(Debug, Clone, Serialize)]
pub struct WatchProblem {
    pub name: String,
    pub error: String,
}

/// What [`watchlists`] needs to know about the digest.
pub struct WatchInput<'a> {
    pub scope: &'a Scope,
    pub date: NaiveDate,
    pub tz: chrono_tz::Tz,
    pub window: (DateTime<Utc>, DateTime<Utc>),
    pub params: &'a SpikeParams,
    /// Base of links to the web page, e.g. `https://kabar.example.org`.
    pub web_url: &'a str,
}

/// `watch`'s list narrowed by `profile`'s: `None` when both are set and
/// share nothing (out of the profile's scope). Empty means everything.
fn narrow(profile: &[String], watch: &[String]) -> Option<Vec<String>> {
    if profile.is_empty() {
        return Some(watch.to_vec());
    }
    if watch.is_empty() {
        return Some(profile.to_vec());
    }
    let both: Vec<String> = watch
        .iter()
        .filter(|w| profile.iter().any(|p| p.eq_ignore_ascii_case(w)))
        .cloned()
        .collect();
    (!both.is_empty()).then_some(both)
}

/// The watchlist's request narrowed to the profile, or `None` when it lies
/// outside it.
fn scoped(
    w: &Watchlist,
    scope: &Scope,
    now: DateTime<Utc>,
) -> Result<Option<QueryRequest>, String> {
    let base = w
        .filters()
        .to_request(now, &chrono_tz::UTC, None)
        .map_err(|e| e.0)?;
    let profile_countries: Vec<String> = scope
        .countries
        .iter()
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let (Some(regions), Some(countries), Some(langs)) = (
        narrow(&scope.regions, &base.regions),
        narrow(&profile_countries, &base.countries),
        narrow(&scope.languages, &base.langs),
    ) else {
        return Ok(None);
    };
    Ok(Some(QueryRequest {
        regions,
        countries,
        langs,
        ..base
    }))
}

/// Checks every watchlist for the digest day; returns those that fired
/// (spikes first, then by score) and those that could not be checked.
pub fn watchlists(
    index: &ArticleIndex,
    list: &[Watchlist],
    input: &WatchInput,
) -> (Vec<WatchAlert>, Vec<WatchProblem>) {
    let mut alerts = Vec::new();
    let mut problems = Vec::new();
    // Denominators, shared by watchlists with the same scope.
    let mut volumes = Volumes::new();
    for w in list {
        match check(index, w, input, &mut volumes) {
            Ok(Some(alert)) => alerts.push(alert),
            Ok(None) => {}
            Err(error) => {
                tracing::warn!("watchlist '{}' not checked: {error}", w.name);
                // The first line: a query error's caret lines are for terminals.
                problems.push(WatchProblem {
                    name: w.name.clone(),
                    error: error.lines().next().unwrap_or_default().to_string(),
                });
            }
        }
    }
    alerts.sort_by(|a, b| {
        b.spiked
            .cmp(&a.spiked)
            .then_with(|| b.score.total_cmp(&a.score))
            .then_with(|| a.name.cmp(&b.name))
    });
    (alerts, problems)
}

/// Daily volume per scope (regions, countries, languages).
type Volumes = HashMap<(Vec<String>, Vec<String>, Vec<String>), Vec<u64>>;

fn check(
    index: &ArticleIndex,
    w: &Watchlist,
    input: &WatchInput,
    volumes: &mut Volumes,
) -> Result<Option<WatchAlert>, String> {
    let (from, until) = input.window;
    let Some(request) = scoped(w, input.scope, until)? else {
        return Ok(None);
    };
    let err = |e: QueryError| e.to_string();
    let days = CHART_DAYS.max(input.params.baseline_days + 1);
    let trend = |filter: QueryRequest| {
        trends(
            index,
            &TrendRequest {
                filter,
                by: Dimension::Region,
                interval: Interval::Day,
                periods: days,
                end: from + Duration::hours(12),
                tz: input.tz,
            },
        )
        .map(|t| t.all)
    };
    let matches = trend(request.clone()).map_err(err)?;
    let key = (
        request.regions.clone(),
        request.countries.clone(),
        request.langs.clone(),
    );
    let totals = match volumes.get(&key) {
        Some(t) => t.clone(),
        None => {
            let t = trend(QueryRequest {
                regions: key.0.clone(),
                countries: key.1.clone(),
                langs: key.2.clone(),
                ..Default::default()
            })
            .map_err(err)?
            .counts;
            volumes.insert(key, t.clone());
            t
        }
    };
    let s = score(&matches.counts, &totals, input.params);
    let window_count = search(
        index,
        &QueryRequest {
            since: Some(until - Duration::hours(i64::from(w.window_hours))),
            until: Some(until),
            limit: 1,
            ..request.clone()
        },
    )
    .map_err(err)?
    .total as u64;
    let threshold_hit = window_count >= w.threshold;
    let spiked = s.verdict.is_alert();
    if !threshold_hit && !spiked {
        return Ok(None);
    }

    // Why: the day's matches by outlet, and the first to report.
    let (outlets, first) = super::compose::outlets_and_first(
        index,
        &QueryRequest {
            since: Some(from),
            until: Some(until),
            ..request.clone()
        },
    )
    .map_err(err)?;
    let count = *matches.counts.last().unwrap_or(&0);
    let negative = *matches.negative.last().unwrap_or(&0);
    Ok(Some(WatchAlert {
        name: w.name.clone(),
        query: w.query.clone(),
        threshold_hit,
        spiked,
        threshold: w.threshold,
        window_hours: w.window_hours,
        window_count,
        count,
        expected: (s.baseline_share * s.total as f64 * 10.0).round() / 10.0,
        score: (s.score * 10.0).round() / 10.0,
        verdict: s.verdict,
        negative_share: (count > 0).then(|| negative as f64 / count as f64),
        outlets,
        first,
        series: matches.counts[matches.counts.len().saturating_sub(CHART_DAYS)..].to_vec(),
        search_url: search_url(input.web_url, w, &request, input.date),
    }))
}

/// The watchlist's search on the web page, narrowed to the profile and
/// limited to the digest day (`since` and `until` are inclusive dates).
pub fn search_url(web_url: &str, w: &Watchlist, request: &QueryRequest, date: NaiveDate) -> String {
    let day = date.to_string();
    let query = w.search_query(&LinkScope {
        regions: &request.regions,
        countries: &request.countries,
        langs: &request.langs,
        since: &day,
        until: Some(&day),
    });
    format!("{}/search?{query}", web_url.trim_end_matches('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_narrows_and_excludes() {
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(narrow(&[], &p(&["sea"])), Some(p(&["sea"])));
        assert_eq!(narrow(&p(&["sea", "nea"]), &[]), Some(p(&["sea", "nea"])));
        assert_eq!(
            narrow(&p(&["sea", "nea"]), &p(&["nea", "sa"])),
            Some(p(&["nea"]))
        );
        assert_eq!(narrow(&p(&["sea"]), &p(&["nea"])), None);
    }
}
