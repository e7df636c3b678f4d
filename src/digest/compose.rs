//! What goes into one day's digest, gathered from the index and the crawl
//! state: the numbers and stories, before any rendering.
//!
//! A [`Digest`] is plain data (serialisable as the JSON rendering), built by
//! [`compose`] in five parts, each from the one search path
//! ([`crate::query`]) or the trends ([`crate::trends`]):
//!
//! 1. **Emerging risks**: for every topic in every region of the profile,
//!    the day's article count against the trailing baseline, as shares of
//!    the region's total ingested volume ([`crate::spikes`]); each spike is
//!    explained by its outlets, the first to report, the terms that matched
//!    and the share of negative coverage, with 30 days of counts for a chart.
//! 2. **Top stories per region**: the day's articles ranked by risk and
//!    grouped into stories (copies and rewrites are one story), each with its
//!    title in the original language, outlet, time, topics, sentiment, a
//!    one-line extract, the number of outlets and the first publisher.
//! 3. **Sentiment shifts**: per topic and region, the day's mean sentiment
//!    about the topic against the baseline's.
//! 4. **Coverage health**: sources silent, failing or paused, and each
//!    region's volume against its usual, so that silence is never read as
//!    calm.
//! 5. **Summary**: the counts and a headline sentence built from the above.
//!
//! Before all of these, the profile's watchlists that fired on the day
//! ([`super::watch`]): an analyst's own saved search comes first.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use serde::Serialize;

use crate::index::ArticleIndex;
use crate::model::{IndexedArticle, SentimentScore};
use crate::query::{QueryError, QueryRequest, Sort, aggregate, build_query, search};
use crate::spikes::{SpikeParams, Verdict, score};
use crate::state::{HealthStatus, SourceHealth};
use crate::trends::{Dimension, Interval, TrendRequest, TrendRow, trends};
use crate::watchlist::Watchlist;

use super::watch::{WatchAlert, WatchInput, WatchProblem};

/// Days of history in a spike's chart.
pub const CHART_DAYS: usize = 30;
/// Stories listed per region.
pub const STORIES_PER_REGION: usize = 5;
/// Articles of the day read per region to find its top stories.
const ARTICLES_PER_REGION: usize = 300;
/// A sentiment shift is listed when the mean moved at least this much...
pub const MIN_SHIFT: f64 = 0.25;
/// ...with at least this many articles on the day and in the baseline.
pub const MIN_SHIFT_ARTICLES: u64 = 3;
/// A region's volume under this share of its usual is flagged.
pub const LOW_VOLUME_RATIO: f64 = 0.5;
/// Longest one-line extract, in characters.
const EXTRACT_CHARS: usize = 220;

/// Who the digest is for and what it covers. Empty lists mean everything.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Scope {
    pub profile: String,
    pub regions: Vec<String>,
    pub countries: Vec<String>,
    pub topics: Vec<String>,
    pub languages: Vec<String>,
}

/// One day's digest.
#[derive(Debug, Clone, Serialize)]
pub struct Digest {
    pub profile: String,
    /// The local date the digest covers.
    pub date: NaiveDate,
    pub timezone: String,
    pub from: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub generated: DateTime<Utc>,
    pub scope: Scope,
    pub summary: Summary,
    /// Watchlists that reached their threshold or spiked, spikes first.
    pub watchlists: Vec<WatchAlert>,
    /// Watchlists that could not be checked, and why.
    pub watchlist_problems: Vec<WatchProblem>,
    pub spikes: Vec<Spike>,
    pub regions: Vec<RegionStories>,
    pub shifts: Vec<Shift>,
    pub health: Health,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub articles: u64,
    pub stories: usize,
    pub outlets: usize,
    /// Share of the day's articles that read negative.
    pub negative_share: Option<f64>,
    /// Topics by number of articles on the day.
    pub topics: Vec<(String, u64)>,
    /// One or two sentences for the top of the message.
    pub headline: String,
}

/// A topic whose coverage in a region jumped.
#[derive(Debug, Clone, Serialize)]
pub struct Spike {
    pub topic: String,
    pub region: String,
    pub count: u64,
    /// Usual articles per day (median share of the baseline × today's volume).
    pub expected: f64,
    pub score: f64,
    pub negative_share: Option<f64>,
    /// Outlets with their article counts, busiest first.
    pub outlets: Vec<(String, usize)>,
    pub first: Option<StoryRef>,
    pub terms: Vec<String>,
    /// Articles per day, oldest first, the digest day last.
    pub series: Vec<u64>,
}

/// An article named in the digest.
#[derive(Debug, Clone, Serialize)]
pub struct StoryRef {
    pub id: String,
    pub title: String,
    pub url: String,
    pub source: String,
    pub time: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionStories {
    pub region: String,
    pub articles: u64,
    pub stories: Vec<StoryItem>,
}

/// A story: one or more articles that are copies or rewrites of each other.
#[derive(Debug, Clone, Serialize)]
pub struct StoryItem {
    pub story: String,
    /// The first publisher's article (its title, in its own language).
    pub lead: StoryRef,
    pub lang: String,
    pub country: String,
    pub topics: Vec<String>,
    pub sentiment: SentimentScore,
    pub risk: f32,
    pub extract: String,
    pub articles: usize,
    pub outlets: usize,
}

/// A change in tone about a topic in a region.
#[derive(Debug, Clone, Serialize)]
pub struct Shift {
    pub topic: String,
    pub region: String,
    pub today: f64,
    pub baseline: f64,
    pub articles: u64,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Health {
    pub sources: usize,
    pub ok: usize,
    pub silent: Vec<SourceLine>,
    pub failing: Vec<SourceLine>,
    pub paused: Vec<SourceLine>,
    pub never_polled: usize,
    pub volume: Vec<RegionVolume>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceLine {
    pub source: String,
    pub region: String,
    pub last_article: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionVolume {
    pub region: String,
    pub today: u64,
    /// Median of the baseline days.
    pub usual: f64,
    pub low: bool,
}

/// Everything `compose` needs besides the index.
pub struct ComposeInput<'a> {
    pub date: NaiveDate,
    pub tz: chrono_tz::Tz,
    pub scope: Scope,
    /// Source health from the crawl state, with each source's region.
    pub health: Vec<(SourceHealth, String)>,
    pub params: SpikeParams,
    pub now: DateTime<Utc>,
    /// Topic id → display name.
    pub topic_names: &'a BTreeMap<String, String>,
    /// The saved searches to check ([`super::watch`]).
    pub watchlists: &'a [Watchlist],
    /// Base of links to kabar's web page (`digest.web_url`).
    pub web_url: &'a str,
}

/// The local day `date` in `tz` as UTC instants.
pub fn day_bounds(date: NaiveDate, tz: &chrono_tz::Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    let start = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight"))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .expect("midnight exists in the zones kabar serves")
    };
    (start(date), start(date + Duration::days(1)))
}

/// Builds the digest for `input.date`.
pub fn compose(index: &ArticleIndex, input: &ComposeInput) -> Result<Digest, QueryError> {
    let (from, until) = day_bounds(input.date, &input.tz);
    let scope = &input.scope;
    let (watchlists, watchlist_problems) = super::watch::watchlists(
        index,
        input.watchlists,
        &WatchInput {
            scope,
            date: input.date,
            tz: input.tz,
            window: (from, until),
            params: &input.params,
            web_url: input.web_url,
        },
    );
    let base_filter = QueryRequest {
        countries: scope.countries.clone(),
        langs: scope.languages.clone(),
        topics: scope.topics.clone(),
        ..Default::default()
    };
    let days = CHART_DAYS.max(input.params.baseline_days + 1);
    let trend = |filter: QueryRequest, by: Dimension| {
        trends(
            index,
            &TrendRequest {
                filter,
                by,
                interval: Interval::Day,
                periods: days,
                end: from + Duration::hours(12),
                tz: input.tz,
            },
        )
    };

    // Totals per region, whatever the topic: the denominator of spikes and
    // the volume check. Only country and language narrow it.
    let volume = trend(
        QueryRequest {
            countries: scope.countries.clone(),
            langs: scope.languages.clone(),
            ..Default::default()
        },
        Dimension::Region,
    )?;
    let mut regions: Vec<String> = if scope.regions.is_empty() {
        volume.rows.iter().map(|r| r.key.clone()).collect()
    } else {
        scope.regions.clone()
    };
    regions.sort();
    let totals: HashMap<&str, &TrendRow> =
        volume.rows.iter().map(|r| (r.key.as_str(), r)).collect();
    let zeros = vec![0u64; days];

    let mut spikes = Vec::new();
    let mut shifts = Vec::new();
    let mut region_stories = Vec::new();
    let mut summary_topics: BTreeMap<String, u64> = BTreeMap::new();
    for region in &regions {
        let region_total = totals.get(region.as_str()).map_or(&zeros, |r| &r.counts);
        let by_topic = trend(
            QueryRequest {
                regions: vec![region.clone()],
                ..base_filter.clone()
            },
            Dimension::Topic,
        )?;
        for row in &by_topic.rows {
            let today = *row.counts.last().unwrap_or(&0);
            *summary_topics.entry(row.key.clone()).or_default() += today;
            let s = score(&row.counts, region_total, &input.params);
            if s.verdict == Verdict::Spike {
                spikes.push(explain_spike(
                    index,
                    &base_filter,
                    region,
                    row,
                    s.score,
                    s.baseline_share * s.total as f64,
                    (from, until),
                )?);
            }
            if let Some(shift) = shift_of(row, input.params.baseline_days) {
                shifts.push(Shift {
                    topic: row.key.clone(),
                    region: region.clone(),
                    ..shift
                });
            }
        }
        region_stories.push(top_stories(index, &base_filter, region, (from, until))?);
    }
    spikes.sort_by(|a, b| b.score.total_cmp(&a.score));
    shifts.sort_by(|a, b| {
        (b.today - b.baseline)
            .abs()
            .total_cmp(&(a.today - a.baseline).abs())
    });

    let health = health(&input.health, &regions, &totals, input.params.baseline_days);
    let mut topics: Vec<(String, u64)> =
        summary_topics.into_iter().filter(|(_, n)| *n > 0).collect();
    topics.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let day_stats = day_totals(index, &base_filter, &regions, (from, until))?;
    let mut summary = Summary {
        articles: day_stats.articles,
        stories: day_stats.stories,
        outlets: day_stats.outlets,
        negative_share: (day_stats.articles > 0)
            .then(|| day_stats.negative as f64 / day_stats.articles as f64),
        topics,
        headline: String::new(),
    };
    summary.headline = headline(&summary, &watchlists, &spikes, &health, input.topic_names);
    Ok(Digest {
        profile: scope.profile.clone(),
        date: input.date,
        timezone: input.tz.name().to_string(),
        from,
        until,
        generated: input.now,
        scope: scope.clone(),
        summary,
        watchlists,
        watchlist_problems,
        spikes,
        regions: region_stories,
        shifts,
        health,
    })
}

/// Every article of the day in scope (capped), for story grouping.
fn day_articles(
    index: &ArticleIndex,
    filter: &QueryRequest,
    regions: &[String],
    (from, until): (DateTime<Utc>, DateTime<Utc>),
    sort: Sort,
    limit: usize,
) -> Result<(usize, Vec<IndexedArticle>), QueryError> {
    let r = search(
        index,
        &QueryRequest {
            regions: regions.to_vec(),
            since: Some(from),
            until: Some(until),
            sort,
            limit,
            ..filter.clone()
        },
    )?;
    Ok((r.total, r.hits.into_iter().map(|h| h.article).collect()))
}

struct DayStats {
    articles: u64,
    negative: u64,
    stories: usize,
    outlets: usize,
}

/// The day's counts over everything in scope, from the index's own
/// aggregations (no documents read): articles, negative ones, and distinct
/// stories and outlets by Tantivy's cardinality aggregation (HyperLogLog:
/// exact for small counts, within about 2% for thousands).
fn day_totals(
    index: &ArticleIndex,
    filter: &QueryRequest,
    regions: &[String],
    (from, until): (DateTime<Utc>, DateTime<Utc>),
) -> Result<DayStats, QueryError> {
    let query = build_query(
        index,
        &QueryRequest {
            regions: regions.to_vec(),
            since: Some(from),
            until: Some(until),
            ..filter.clone()
        },
    )?
    .full;
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let articles = searcher.search(&*query, &tantivy::collector::Count)? as u64;
    let r = aggregate(
        &searcher,
        &*query,
        serde_json::json!({
            "stories": { "cardinality": { "field": "story" } },
            "outlets": { "cardinality": { "field": "source" } },
            "labels": { "terms": { "field": "sentiment", "size": 10 } },
        }),
    )?;
    let distinct = |key: &str| r[key]["value"].as_f64().unwrap_or(0.0).round() as usize;
    let negative = r["labels"]["buckets"]
        .as_array()
        .and_then(|b| b.iter().find(|x| x["key"].as_str() == Some("negative")))
        .and_then(|x| x["doc_count"].as_u64())
        .unwrap_or(0);
    Ok(DayStats {
        articles,
        negative,
        // An estimate never claims more stories than articles.
        stories: distinct("stories").min(articles as usize),
        outlets: distinct("outlets").min(articles as usize),
    })
}

fn story_of(a: &IndexedArticle) -> &str {
    if a.story.is_empty() { &a.id } else { &a.story }
}

fn explain_spike(
    index: &ArticleIndex,
    filter: &QueryRequest,
    region: &str,
    row: &TrendRow,
    score: f64,
    expected: f64,
    window: (DateTime<Utc>, DateTime<Utc>),
) -> Result<Spike, QueryError> {
    let topic_filter = QueryRequest {
        topics: vec![row.key.clone()],
        ..filter.clone()
    };
    let (outlets, first) = outlets_and_first(
        index,
        &QueryRequest {
            regions: vec![region.to_string()],
            since: Some(window.0),
            until: Some(window.1),
            ..topic_filter.clone()
        },
    )?;
    // Terms from the newest articles: a sample is enough to name the top few.
    let (_, articles) = day_articles(
        index,
        &topic_filter,
        &[region.to_string()],
        window,
        Sort::Newest,
        TERMS_SAMPLE,
    )?;
    let mut terms: BTreeMap<&str, usize> = BTreeMap::new();
    for a in &articles {
        for t in a.topics.iter().filter(|t| t.id == row.key) {
            for term in &t.terms {
                *terms.entry(term.as_str()).or_default() += 1;
            }
        }
    }
    let mut terms: Vec<(&str, usize)> = terms.into_iter().collect();
    terms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let today = *row.counts.last().unwrap_or(&0);
    let negative = *row.negative.last().unwrap_or(&0);
    Ok(Spike {
        topic: row.key.clone(),
        region: region.to_string(),
        count: today,
        expected: (expected * 10.0).round() / 10.0,
        score: (score * 10.0).round() / 10.0,
        negative_share: (today > 0).then(|| negative as f64 / today as f64),
        outlets,
        first,
        terms: terms
            .into_iter()
            .take(8)
            .map(|(t, _)| t.to_string())
            .collect(),
        series: row.counts[row.counts.len().saturating_sub(CHART_DAYS)..].to_vec(),
    })
}

pub(crate) fn story_ref(a: &IndexedArticle) -> StoryRef {
    StoryRef {
        id: a.id.clone(),
        title: a.title.clone(),
        url: a.url.clone(),
        source: a.source.clone(),
        time: a.published.unwrap_or(a.fetched),
    }
}

/// Outlets with their article counts, busiest first.
pub type Outlets = Vec<(String, usize)>;

/// Outlets listed for a spike or a watchlist at most.
pub const MAX_OUTLETS: usize = 100;
/// Newest articles of a spike read for its top terms.
const TERMS_SAMPLE: usize = 200;
/// Oldest articles read to find the first to report.
const FIRST_CANDIDATES: usize = 10;

/// The outlets of the articles `request` matches, busiest first, and the
/// earliest of those articles. Outlets come from a terms aggregation (exact
/// however many articles there are); the earliest from the last few in
/// newest-first order, so only those few documents are read.
pub(crate) fn outlets_and_first(
    index: &ArticleIndex,
    request: &QueryRequest,
) -> Result<(Outlets, Option<StoryRef>), QueryError> {
    let query = build_query(index, request)?.full;
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let total = searcher.search(&*query, &tantivy::collector::Count)?;
    let r = aggregate(
        &searcher,
        &*query,
        serde_json::json!({ "outlets": { "terms": { "field": "source", "size": MAX_OUTLETS } } }),
    )?;
    let mut outlets: Vec<(String, usize)> = r["outlets"]["buckets"]
        .as_array()
        .map(|buckets| {
            buckets
                .iter()
                .filter_map(|b| {
                    Some((
                        b["key"].as_str()?.to_string(),
                        b["doc_count"].as_u64()? as usize,
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    outlets.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let oldest = search(
        index,
        &QueryRequest {
            sort: Sort::Newest,
            offset: total.saturating_sub(FIRST_CANDIDATES),
            limit: FIRST_CANDIDATES,
            ..request.clone()
        },
    )?;
    let first = oldest
        .hits
        .iter()
        .map(|h| &h.article)
        .min_by_key(|a| (a.published.unwrap_or(a.fetched), a.id.clone()))
        .map(story_ref);
    Ok((outlets, first))
}

/// Today's mean tone about the row's topic against the baseline days'.
fn shift_of(row: &TrendRow, baseline_days: usize) -> Option<Shift> {
    let n = row.counts.len();
    let today_count = *row.counts.last()?;
    let today = (*row.sentiment.last()?)?;
    let start = n.saturating_sub(baseline_days + 1);
    let (mut sum, mut count) = (0.0, 0u64);
    for i in start..n - 1 {
        if let Some(s) = row.sentiment[i] {
            sum += s * row.counts[i] as f64;
            count += row.counts[i];
        }
    }
    if today_count < MIN_SHIFT_ARTICLES || count < MIN_SHIFT_ARTICLES {
        return None;
    }
    let baseline = sum / count as f64;
    ((today - baseline).abs() >= MIN_SHIFT).then(|| Shift {
        topic: String::new(),
        region: String::new(),
        today: (today * 100.0).round() / 100.0,
        baseline: (baseline * 100.0).round() / 100.0,
        articles: today_count,
    })
}

/// The day's articles of a region ranked by risk, grouped into stories.
fn top_stories(
    index: &ArticleIndex,
    filter: &QueryRequest,
    region: &str,
    window: (DateTime<Utc>, DateTime<Utc>),
) -> Result<RegionStories, QueryError> {
    let (total, articles) = day_articles(
        index,
        filter,
        &[region.to_string()],
        window,
        Sort::Risk,
        ARTICLES_PER_REGION,
    )?;
    // Articles come highest risk first, so a story's first appearance is
    // its riskiest article; the story is ranked by it.
    let mut order: Vec<&str> = Vec::new();
    let mut groups: HashMap<&str, Vec<&IndexedArticle>> = HashMap::new();
    for a in &articles {
        let key = story_of(a);
        let group = groups.entry(key).or_default();
        if group.is_empty() {
            order.push(key);
        }
        group.push(a);
    }
    let stories = order
        .into_iter()
        .take(STORIES_PER_REGION)
        .map(|key| {
            let group = &groups[key];
            let riskiest = group[0];
            let lead = group
                .iter()
                .min_by_key(|a| (a.published.unwrap_or(a.fetched), a.id.clone()))
                .copied()
                .unwrap_or(riskiest);
            let outlets: BTreeSet<&str> = group.iter().map(|a| a.source.as_str()).collect();
            StoryItem {
                story: key.to_string(),
                lead: story_ref(lead),
                lang: lead.lang.clone(),
                country: lead.country.clone(),
                topics: riskiest.topics.iter().map(|t| t.id.clone()).collect(),
                sentiment: riskiest
                    .topics
                    .first()
                    .map_or(riskiest.sentiment, |t| t.sentiment),
                risk: riskiest.risk,
                extract: extract_line(riskiest),
                articles: group.len(),
                outlets: outlets.len(),
            }
        })
        .collect();
    Ok(RegionStories {
        region: region.to_string(),
        articles: total as u64,
        stories,
    })
}

/// One line that says what the article is about: the sentence that drove
/// its top topic's score, else its first sentence.
fn extract_line(a: &IndexedArticle) -> String {
    let from_evidence = a
        .evidence
        .first()
        .and_then(|e| e.sentences.first())
        .map(|s| s.text.clone());
    let text = from_evidence.unwrap_or_else(|| first_sentence(&a.body).to_string());
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.char_indices().nth(EXTRACT_CHARS) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text,
    }
}

fn first_sentence(body: &str) -> &str {
    let body = body.trim();
    let end = body
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, '。' | '！' | '？' | '।' | '။' | '។' | '\n')
                || (matches!(c, '.' | '!' | '?')
                    && body[i + c.len_utf8()..].starts_with(char::is_whitespace))
        })
        .map_or(body.len(), |(i, c)| i + c.len_utf8());
    &body[..end]
}

fn health(
    sources: &[(SourceHealth, String)],
    regions: &[String],
    totals: &HashMap<&str, &TrendRow>,
    baseline_days: usize,
) -> Health {
    let in_scope = |region: &str| regions.is_empty() || regions.iter().any(|r| r == region);
    let line = |h: &SourceHealth, region: &str| SourceLine {
        source: h.source.clone(),
        region: region.to_string(),
        last_article: h.last_article,
        last_error: h.last_error.clone(),
    };
    let mut out = Health::default();
    for (h, region) in sources.iter().filter(|(_, r)| in_scope(r)) {
        out.sources += 1;
        match h.status {
            HealthStatus::Ok => out.ok += 1,
            HealthStatus::Silent => out.silent.push(line(h, region)),
            HealthStatus::Failing => out.failing.push(line(h, region)),
            HealthStatus::Paused => out.paused.push(line(h, region)),
            HealthStatus::New => out.never_polled += 1,
        }
    }
    for region in regions {
        let Some(row) = totals.get(region.as_str()) else {
            out.volume.push(RegionVolume {
                region: region.clone(),
                today: 0,
                usual: 0.0,
                low: true,
            });
            continue;
        };
        let n = row.counts.len();
        let mut baseline: Vec<u64> =
            row.counts[n.saturating_sub(baseline_days + 1)..n - 1].to_vec();
        baseline.sort_unstable();
        let usual = match baseline.len() {
            0 => 0.0,
            l if l % 2 == 1 => baseline[l / 2] as f64,
            l => (baseline[l / 2 - 1] + baseline[l / 2]) as f64 / 2.0,
        };
        let today = *row.counts.last().unwrap_or(&0);
        out.volume.push(RegionVolume {
            region: region.clone(),
            today,
            usual,
            low: usual > 0.0 && (today as f64) < LOW_VOLUME_RATIO * usual,
        });
    }
    out
}

/// "412 articles (301 stories) from 57 outlets. 2 emerging risks: ..."
fn headline(
    summary: &Summary,
    watchlists: &[WatchAlert],
    spikes: &[Spike],
    health: &Health,
    names: &BTreeMap<String, String>,
) -> String {
    let name = |id: &str| names.get(id).cloned().unwrap_or_else(|| id.to_string());
    use super::render::count;
    use std::fmt::Write as _;
    let mut out = String::new();
    if !watchlists.is_empty() {
        let fired: Vec<&str> = watchlists.iter().map(|w| w.name.as_str()).collect();
        let _ = write!(
            out,
            "{} fired: {}. ",
            count(watchlists.len() as u64, "watchlist"),
            fired.join(", ")
        );
    }
    let _ = write!(
        out,
        "{} ({}) from {}",
        count(summary.articles, "article"),
        count(summary.stories as u64, "story").replace("storys", "stories"),
        count(summary.outlets as u64, "outlet")
    );
    if let Some(neg) = summary.negative_share {
        out.push_str(&format!(", {:.0}% negative", 100.0 * neg));
    }
    out.push('.');
    match spikes.len() {
        0 => out.push_str(" No emerging risk."),
        n => {
            let list: Vec<String> = spikes
                .iter()
                .take(3)
                .map(|s| {
                    let ratio = if s.expected > 0.0 {
                        format!("{:.1}× usual", s.count as f64 / s.expected)
                    } else {
                        "new".to_string()
                    };
                    format!(
                        "{} in {} ({}, {ratio})",
                        name(&s.topic),
                        s.region.to_uppercase(),
                        count(s.count, "article")
                    )
                })
                .collect();
            out.push_str(&format!(
                " {n} emerging risk{}: {}.",
                if n == 1 { "" } else { "s" },
                list.join("; ")
            ));
        }
    }
    let low: Vec<String> = health
        .volume
        .iter()
        .filter(|v| v.low)
        .map(|v| v.region.to_uppercase())
        .collect();
    if !low.is_empty() {
        out.push_str(&format!(
            " Coverage is thin in {}: read quiet there as unknown, not calm.",
            low.join(", ")
        ));
    }
    let dark = health.failing.len() + health.paused.len();
    if dark > 0 {
        out.push_str(&format!(
            " {} failing or paused.",
            super::render::count(dark as u64, "source")
        ));
    }
    out
}
