//! Volumes and sentiment over time, from the index's own aggregations.
//!
//! A trend is a table: one row per value of a dimension (topic, region,
//! country, language or source), one column per day or hour, and in each
//! cell the number of articles, how many read negative, and their mean
//! sentiment. It is computed by Tantivy's aggregations over the fast fields
//! the crawl writes (`date`, `topic`, `sentiment`, `sentiment_score`,
//! `topic_tone`), with the same filters as a search ([`crate::query`]), so
//! there is no second store to drift out of step with the index.
//!
//! Sentiment in a cell is about the topic when the row is a topic, or when
//! the request is filtered to exactly one topic (the `topic_tone.<id>`
//! column); otherwise it is the articles' overall sentiment. Buckets start
//! at local midnight (or the local hour) of the display time zone, and every
//! row has every bucket, empty ones included, so series line up.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Offset, TimeZone, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use crate::index::ArticleIndex;
use crate::query::{QueryError, QueryRequest, aggregate, build_query};

/// Rows a trend returns at most (the busiest first).
pub const MAX_ROWS: usize = 200;

/// What a row stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dimension {
    Topic,
    Region,
    Country,
    Lang,
    Source,
}

impl Dimension {
    fn field(self) -> &'static str {
        match self {
            Dimension::Topic => "topic",
            Dimension::Region => "region",
            Dimension::Country => "country",
            Dimension::Lang => "lang",
            Dimension::Source => "source",
        }
    }
}

/// Width of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    Day,
    Hour,
}

impl Interval {
    fn duration(self) -> Duration {
        match self {
            Interval::Day => Duration::days(1),
            Interval::Hour => Duration::hours(1),
        }
    }
}

/// A trend to compute.
#[derive(Debug, Clone)]
pub struct TrendRequest {
    /// Query text and filters, as for a search; its `since`/`until` are
    /// replaced by the window below.
    pub filter: QueryRequest,
    pub by: Dimension,
    pub interval: Interval,
    /// Number of columns, ending with the one holding `end`.
    pub periods: usize,
    /// A moment in the last column (usually now).
    pub end: DateTime<Utc>,
    pub tz: chrono_tz::Tz,
}

/// One row of a trend.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TrendRow {
    pub key: String,
    pub total: u64,
    /// Articles per column.
    pub counts: Vec<u64>,
    /// Articles that read negative (about the topic, for topic rows).
    pub negative: Vec<u64>,
    /// Mean sentiment score per column; `None` for an empty column.
    pub sentiment: Vec<Option<f64>>,
}

impl TrendRow {
    /// Mean sentiment over the whole window, weighted by volume.
    pub fn mean_sentiment(&self) -> Option<f64> {
        let mut sum = 0.0;
        let mut n = 0u64;
        for (c, s) in self.counts.iter().zip(&self.sentiment) {
            if let Some(s) = s {
                sum += s * *c as f64;
                n += c;
            }
        }
        (n > 0).then(|| sum / n as f64)
    }

    /// Share of the window's articles that read negative.
    pub fn negative_share(&self) -> Option<f64> {
        let neg: u64 = self.negative.iter().sum();
        (self.total > 0).then(|| neg as f64 / self.total as f64)
    }
}

/// A computed trend.
#[derive(Debug, Clone, Serialize)]
pub struct Trends {
    pub by: Dimension,
    pub interval: Interval,
    /// Start of each column, UTC.
    pub starts: Vec<DateTime<Utc>>,
    /// Every matching article, ungrouped.
    pub all: TrendRow,
    /// Busiest first.
    pub rows: Vec<TrendRow>,
}

/// Computes `request` over `index`.
pub fn trends(index: &ArticleIndex, request: &TrendRequest) -> Result<Trends, QueryError> {
    let periods = request.periods.max(1);
    let step = request.interval.duration();
    let first =
        bucket_start(request.end, request.interval, &request.tz) - step * (periods as i32 - 1);
    let starts: Vec<DateTime<Utc>> = (0..periods).map(|i| first + step * i as i32).collect();
    let until = first + step * periods as i32;

    let mut filter = request.filter.clone();
    filter.since = Some(first);
    filter.until = Some(until);
    let query = build_query(index, &filter)?.full;
    let reader = index.reader()?;
    let searcher = reader.searcher();

    // Sentiment about one topic when there is one topic to be about.
    let single_topic = match filter.topics.as_slice() {
        [t] => Some(t.clone()),
        _ => None,
    };
    let cells = |tone_topic: Option<&str>| -> Value {
        let (tone_field, label_field) = match tone_topic {
            Some(t) => (format!("topic_tone.{t}"), "topic_sentiment"),
            None => ("sentiment_score".to_string(), "sentiment"),
        };
        json!({
            "date_histogram": {
                "field": "date",
                "fixed_interval": match request.interval { Interval::Day => "1d", Interval::Hour => "1h" },
                "offset": offset(first, request.interval),
                "min_doc_count": 0,
                "extended_bounds": { "min": first.timestamp_millis(), "max": (until - Duration::milliseconds(1)).timestamp_millis() },
                "hard_bounds": { "min": first.timestamp_millis(), "max": (until - Duration::milliseconds(1)).timestamp_millis() },
            },
            "aggs": {
                "tone": { "avg": { "field": tone_field } },
                "labels": { "terms": { "field": label_field, "size": 200 } },
            }
        })
    };

    // Rows: for topics, one filter bucket per topic (each averages its own
    // tone column); for the other dimensions, a terms aggregation.
    let mut aggs = serde_json::Map::new();
    aggs.insert("all".into(), cells(single_topic.as_deref()));
    let row_keys: Vec<String> = if request.by == Dimension::Topic {
        let keys = top_keys(&searcher, &*query, "topic")?;
        for (i, key) in keys.iter().enumerate() {
            aggs.insert(
                format!("row{i}"),
                json!({
                    "filter": format!("topic:{}", quote(key)),
                    "aggs": { "cells": cells(Some(key)) },
                }),
            );
        }
        keys
    } else {
        aggs.insert(
            "rows".into(),
            json!({
                "terms": { "field": request.by.field(), "size": MAX_ROWS },
                "aggs": { "cells": cells(single_topic.as_deref()) },
            }),
        );
        Vec::new()
    };
    let result = aggregate(&searcher, &*query, Value::Object(aggs))?;

    let label_of = |tone_topic: Option<&str>| -> String {
        match tone_topic {
            Some(t) => format!("{t}:negative"),
            None => "negative".into(),
        }
    };
    let all = read_row(
        "all",
        &result["all"],
        &starts,
        &label_of(single_topic.as_deref()),
    );
    let mut rows = Vec::new();
    if request.by == Dimension::Topic {
        for (i, key) in row_keys.iter().enumerate() {
            let cells = &result[format!("row{i}").as_str()]["cells"];
            rows.push(read_row(key, cells, &starts, &label_of(Some(key))));
        }
    } else if let Some(buckets) = result["rows"]["buckets"].as_array() {
        for b in buckets {
            let key = b["key"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| b["key"].to_string());
            rows.push(read_row(
                &key,
                &b["cells"],
                &starts,
                &label_of(single_topic.as_deref()),
            ));
        }
    }
    rows.retain(|r| r.total > 0);
    rows.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.key.cmp(&b.key)));
    Ok(Trends {
        by: request.by,
        interval: request.interval,
        starts,
        all,
        rows,
    })
}

/// The start of the local day (or hour) holding `t`, in UTC.
pub fn bucket_start(t: DateTime<Utc>, interval: Interval, tz: &chrono_tz::Tz) -> DateTime<Utc> {
    let local = t.with_timezone(tz);
    let naive = match interval {
        Interval::Day => local.date_naive().and_hms_opt(0, 0, 0),
        Interval::Hour => local
            .date_naive()
            .and_hms_opt(chrono::Timelike::hour(&local), 0, 0),
    }
    .expect("valid time");
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or(t)
}

/// The histogram grid's offset so that columns start at `first`.
fn offset(first: DateTime<Utc>, interval: Interval) -> String {
    let step = interval.duration().num_milliseconds();
    format!("{}ms", first.timestamp_millis().rem_euclid(step))
}

/// Most frequent values of `field` among the matches.
fn top_keys(
    searcher: &tantivy::Searcher,
    query: &dyn tantivy::query::Query,
    field: &str,
) -> Result<Vec<String>, QueryError> {
    let result = aggregate(
        searcher,
        query,
        json!({ "keys": { "terms": { "field": field, "size": MAX_ROWS } } }),
    )?;
    Ok(result["keys"]["buckets"]
        .as_array()
        .map(|b| {
            b.iter()
                .filter_map(|b| b["key"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default())
}

fn read_row(key: &str, cells: &Value, starts: &[DateTime<Utc>], negative_key: &str) -> TrendRow {
    let mut by_start: BTreeMap<i64, (u64, u64, Option<f64>)> = BTreeMap::new();
    if let Some(buckets) = cells["buckets"].as_array() {
        for b in buckets {
            let Some(at) = b["key"].as_f64() else {
                continue;
            };
            let count = b["doc_count"].as_u64().unwrap_or(0);
            let tone = b["tone"]["value"].as_f64();
            let negative = b["labels"]["buckets"]
                .as_array()
                .and_then(|l| l.iter().find(|x| x["key"].as_str() == Some(negative_key)))
                .and_then(|x| x["doc_count"].as_u64())
                .unwrap_or(0);
            by_start.insert(at as i64, (count, negative, tone.filter(|_| count > 0)));
        }
    }
    let mut row = TrendRow {
        key: key.to_string(),
        ..Default::default()
    };
    for start in starts {
        let (c, n, s) = by_start
            .get(&start.timestamp_millis())
            .copied()
            .unwrap_or((0, 0, None));
        row.total += c;
        row.counts.push(c);
        row.negative.push(n);
        row.sentiment.push(s.map(|x| (x * 1000.0).round() / 1000.0));
    }
    row
}

/// Quotes a term for the filter aggregation's query parser.
fn quote(term: &str) -> String {
    format!("\"{}\"", term.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Makes sure `tz` is a fixed offset for the whole window; DST zones shift
/// columns by an hour around the change, which is said here rather than
/// hidden.
pub fn offset_is_stable(tz: &chrono_tz::Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    from.with_timezone(tz).offset().fix() == to.with_timezone(tz).offset().fix()
}

/// ▁▂▃▄▅▆▇█ for a series, scaled to its own maximum; a blank for zero.
pub fn sparkline(values: &[u64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().copied().max().unwrap_or(0);
    values
        .iter()
        .map(|&v| {
            if v == 0 || max == 0 {
                ' '
            } else {
                BARS[((v as f64 / max as f64) * 7.0).round() as usize]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::article_id;
    use crate::model::{IndexedArticle, SentimentLabel, SentimentScore, TopicScore};

    fn article(n: usize, at: &str, region: &str, topic: Option<(&str, f32)>) -> IndexedArticle {
        let score = topic.map_or(0.0, |t| t.1);
        let label = if score < -0.2 {
            SentimentLabel::Negative
        } else if score > 0.2 {
            SentimentLabel::Positive
        } else {
            SentimentLabel::Neutral
        };
        let sentiment = SentimentScore {
            label,
            score,
            confidence: 0.8,
            ..Default::default()
        };
        IndexedArticle {
            id: article_id(&format!("http://t/{n}")),
            url: format!("http://t/{n}"),
            source: "s".into(),
            region: region.into(),
            lang: "en".into(),
            title: "t".into(),
            body: "b".into(),
            published: Some(at.parse().unwrap()),
            topics: topic
                .map(|(id, _)| {
                    vec![TopicScore {
                        id: id.into(),
                        score: 0.8,
                        terms: vec![],
                        sentiment,
                    }]
                })
                .unwrap_or_default(),
            sentiment,
            ..Default::default()
        }
    }

    fn request(by: Dimension) -> TrendRequest {
        TrendRequest {
            filter: QueryRequest::default(),
            by,
            interval: Interval::Day,
            periods: 3,
            end: "2025-03-03T12:00:00Z".parse().unwrap(),
            tz: "Asia/Singapore".parse().unwrap(),
        }
    }

    #[test]
    fn days_start_at_local_midnight_and_rows_line_up() {
        let index = ArticleIndex::create_in_ram();
        let mut w = index.writer().unwrap();
        // 2025-03-01 17:00 UTC is already March 2nd in Singapore.
        w.upsert(&article(
            1,
            "2025-03-01T17:00:00Z",
            "sea",
            Some(("scam-ads", -0.8)),
        ))
        .unwrap();
        w.upsert(&article(
            2,
            "2025-03-03T01:00:00Z",
            "sea",
            Some(("scam-ads", -0.4)),
        ))
        .unwrap();
        w.upsert(&article(
            3,
            "2025-03-03T02:00:00Z",
            "nea",
            Some(("payments", 0.6)),
        ))
        .unwrap();
        w.upsert(&article(4, "2025-03-03T03:00:00Z", "nea", None))
            .unwrap();
        // Outside the window (before March 1st, Singapore time).
        w.upsert(&article(
            5,
            "2025-02-28T15:00:00Z",
            "sea",
            Some(("scam-ads", -0.9)),
        ))
        .unwrap();
        w.commit().unwrap();

        let t = trends(&index, &request(Dimension::Topic)).unwrap();
        assert_eq!(t.starts[0].to_rfc3339(), "2025-02-28T16:00:00+00:00");
        assert_eq!(t.all.counts, [0, 1, 3]);
        assert_eq!(t.rows.len(), 2);
        let scam = &t.rows[0];
        assert_eq!(scam.key, "scam-ads");
        assert_eq!(scam.counts, [0, 1, 1]);
        assert_eq!(scam.negative, [0, 1, 1]);
        assert_eq!(scam.sentiment[1], Some(-0.8));
        assert_eq!(scam.sentiment[0], None);
        assert!((scam.mean_sentiment().unwrap() + 0.6).abs() < 1e-6);
        let payments = &t.rows[1];
        assert_eq!(payments.counts, [0, 0, 1]);
        assert_eq!(payments.sentiment[2], Some(0.6));

        let by_region = trends(&index, &request(Dimension::Region)).unwrap();
        let keys: Vec<&str> = by_region.rows.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["nea", "sea"]);
        assert_eq!(by_region.rows[0].counts, [0, 0, 2]);
        assert_eq!(by_region.rows[1].negative, [0, 1, 1]);

        // Filtered to one topic, region rows average the tone about it.
        let mut one = request(Dimension::Region);
        one.filter.topics = vec!["scam-ads".into()];
        let t = trends(&index, &one).unwrap();
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].sentiment, [None, Some(-0.8), Some(-0.4)]);
    }

    #[test]
    fn hours_and_sparklines() {
        let index = ArticleIndex::create_in_ram();
        let mut w = index.writer().unwrap();
        w.upsert(&article(1, "2025-03-03T10:10:00Z", "sea", None))
            .unwrap();
        w.upsert(&article(2, "2025-03-03T10:50:00Z", "sea", None))
            .unwrap();
        w.upsert(&article(3, "2025-03-03T12:01:00Z", "sea", None))
            .unwrap();
        w.commit().unwrap();
        let mut r = request(Dimension::Region);
        r.interval = Interval::Hour;
        r.end = "2025-03-03T12:30:00Z".parse().unwrap();
        let t = trends(&index, &r).unwrap();
        assert_eq!(t.all.counts, [2, 0, 1]);
        assert_eq!(sparkline(&t.all.counts), "█ ▅");
    }
}
