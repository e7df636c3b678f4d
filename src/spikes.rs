//! Spikes: is today's coverage of a series (a topic in a region, say)
//! unusual against its own recent past?
//!
//! The input is two daily series of equal length ending today: the series'
//! article (or story) counts and the total volume kabar ingested for the
//! same region on the same days. The module owns the scoring so the digest,
//! `kabar trends` and the tests agree on one definition:
//!
//! 1. **Share, not count.** Each day's value is `count / total`. When kabar
//!    crawls twice as much, every count doubles and no share moves.
//! 2. **Outages are not news.** A day whose total is under
//!    [`SpikeParams::outage_ratio`] of the baseline's median total is a
//!    crawl gap: as a baseline day it is left out; as today it gives
//!    [`Verdict::Outage`], never a spike or a drop ("silence is not calm").
//! 3. **Robust score.** Over the healthy days of the trailing baseline
//!    (default [`DEFAULT_BASELINE_DAYS`]): `score = (x − median) / scale`
//!    with `scale = max(1.4826 · MAD, √max(median · total_today, 1) / total_today)`.
//!    1.4826 · MAD estimates the standard deviation without letting one
//!    earlier spike inflate it. The floor is one Poisson standard deviation
//!    of today's expected count, in share units: a series that was zero for
//!    two weeks has MAD 0, and without the floor its first article would
//!    score infinity.
//! 4. **Minimum volume.** A spike needs at least [`SpikeParams::min_count`]
//!    articles today, so 0 → 2 is never an alert however high it scores.
//! 5. **Cooldown.** If the series spiked on one of the previous
//!    [`SpikeParams::cooldown_days`] days (judged by the same rules on the
//!    series as it stood then), today alerts only if its share beats the
//!    highest share since that spike: one story does not alert every day,
//!    but a story that keeps growing does.

use serde::Serialize;

pub const DEFAULT_BASELINE_DAYS: usize = 14;
pub const DEFAULT_THRESHOLD: f64 = 3.5;
pub const DEFAULT_MIN_COUNT: u64 = 5;
pub const DEFAULT_COOLDOWN_DAYS: usize = 3;
pub const DEFAULT_OUTAGE_RATIO: f64 = 0.5;
/// Healthy baseline days needed before anything is judged.
pub const DEFAULT_MIN_BASELINE_DAYS: usize = 7;
/// Scales the median absolute deviation to a standard deviation (normal data).
pub const MAD_TO_SIGMA: f64 = 1.4826;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpikeParams {
    /// Days before today that form the baseline.
    pub baseline_days: usize,
    /// Score at or above which today is a spike (and at or below whose
    /// negative, a drop).
    pub threshold: f64,
    /// Articles needed today for a spike, and in the baseline median for a drop.
    pub min_count: u64,
    pub cooldown_days: usize,
    /// A day with less than this share of the baseline's median total is an outage.
    pub outage_ratio: f64,
    pub min_baseline_days: usize,
}

impl Default for SpikeParams {
    fn default() -> Self {
        SpikeParams {
            baseline_days: DEFAULT_BASELINE_DAYS,
            threshold: DEFAULT_THRESHOLD,
            min_count: DEFAULT_MIN_COUNT,
            cooldown_days: DEFAULT_COOLDOWN_DAYS,
            outage_ratio: DEFAULT_OUTAGE_RATIO,
            min_baseline_days: DEFAULT_MIN_BASELINE_DAYS,
        }
    }
}

/// What today is, for one series.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    Spike,
    Drop,
    Normal,
    /// Scored as a spike, but the series spiked `days_ago` days ago and
    /// today's share does not beat the peak since then.
    Cooldown {
        days_ago: usize,
        peak_share: f64,
    },
    /// Scored as a spike with fewer than `min_count` articles.
    TooFew,
    /// Today's total volume is too low to judge: a crawl gap.
    Outage,
    /// Fewer than `min_baseline_days` healthy baseline days.
    NotEnoughHistory,
}

impl Verdict {
    /// True when the digest should report it as an emerging risk.
    pub fn is_alert(&self) -> bool {
        matches!(self, Verdict::Spike)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpikeScore {
    pub verdict: Verdict,
    pub count: u64,
    pub total: u64,
    /// Today's share of the region's volume.
    pub share: f64,
    /// Median share over the healthy baseline days.
    pub baseline_share: f64,
    /// The denominator of the score (share units).
    pub scale: f64,
    pub score: f64,
    /// Healthy baseline days used.
    pub num_baseline_days: usize,
    /// Baseline days left out as outages.
    pub num_outage_days: usize,
}

fn median(values: &mut [f64]) -> f64 {
    debug_assert!(!values.is_empty());
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// Scores the last day of `counts` against the days before it; `totals` is
/// the region's ingested volume on the same days. Slices of different
/// lengths are aligned at their ends (today).
pub fn score(counts: &[u64], totals: &[u64], params: &SpikeParams) -> SpikeScore {
    let mut today = score_raw(counts, totals, params);
    if today.verdict != Verdict::Spike {
        return today;
    }
    // Cooldown: did the series spike on one of the previous days?
    let n = counts.len().min(totals.len());
    let (counts, totals) = (&counts[counts.len() - n..], &totals[totals.len() - n..]);
    for days_ago in 1..=params.cooldown_days.min(n.saturating_sub(1)) {
        let end = n - days_ago;
        let earlier = score_raw(&counts[..end], &totals[..end], params);
        if earlier.verdict == Verdict::Spike {
            // The peak since that spike, days without volume aside.
            let peak_share = (end - 1..n - 1)
                .filter(|&i| totals[i] > 0)
                .map(|i| counts[i] as f64 / totals[i] as f64)
                .fold(earlier.share, f64::max);
            if today.share <= peak_share {
                today.verdict = Verdict::Cooldown {
                    days_ago,
                    peak_share,
                };
            }
            break;
        }
    }
    today
}

/// The score without the cooldown rule.
fn score_raw(counts: &[u64], totals: &[u64], params: &SpikeParams) -> SpikeScore {
    let n = counts.len().min(totals.len());
    let (counts, totals) = (&counts[counts.len() - n..], &totals[totals.len() - n..]);
    let mut result = SpikeScore {
        verdict: Verdict::NotEnoughHistory,
        count: 0,
        total: 0,
        share: 0.0,
        baseline_share: 0.0,
        scale: 0.0,
        score: 0.0,
        num_baseline_days: 0,
        num_outage_days: 0,
    };
    let Some((&count, &total)) = counts.last().zip(totals.last()) else {
        return result;
    };
    result.count = count;
    result.total = total;
    result.share = if total > 0 {
        count as f64 / total as f64
    } else {
        0.0
    };
    let start = (n - 1).saturating_sub(params.baseline_days);
    let base = start..n - 1;
    let mut base_totals: Vec<f64> = totals[base.clone()].iter().map(|&t| t as f64).collect();
    if base_totals.is_empty() {
        return result;
    }
    let median_total = median(&mut base_totals);
    let outage_below = params.outage_ratio * median_total;
    let mut shares = Vec::with_capacity(base.len());
    for i in base {
        if totals[i] == 0 || (totals[i] as f64) < outage_below {
            result.num_outage_days += 1;
        } else {
            shares.push(counts[i] as f64 / totals[i] as f64);
        }
    }
    result.num_baseline_days = shares.len();
    if total == 0 || (total as f64) < outage_below {
        result.verdict = Verdict::Outage;
        return result;
    }
    if shares.len() < params.min_baseline_days.max(1) {
        return result;
    }
    let m = median(&mut shares);
    let mut deviations: Vec<f64> = shares.iter().map(|s| (s - m).abs()).collect();
    let mad = median(&mut deviations);
    let t = total as f64;
    let poisson_floor = (m * t).max(1.0).sqrt() / t;
    result.baseline_share = m;
    result.scale = (MAD_TO_SIGMA * mad).max(poisson_floor);
    result.score = (result.share - m) / result.scale;
    result.verdict = if result.score >= params.threshold {
        if count >= params.min_count {
            Verdict::Spike
        } else {
            Verdict::TooFew
        }
    } else if result.score <= -params.threshold && m * t >= params.min_count as f64 {
        Verdict::Drop
    } else {
        Verdict::Normal
    };
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A steady series: ~2% of 1,000 articles a day, with ±3 of noise.
    fn steady(days: usize) -> (Vec<u64>, Vec<u64>) {
        let noise = [0i64, 2, -1, 3, -2, 1, -3, 0, 2, -1, 1, -2, 3, 0, -1, 2];
        let counts = (0..days)
            .map(|i| (20 + noise[i % noise.len()]) as u64)
            .collect();
        let totals = (0..days).map(|i| 1000 + (i as u64 % 5) * 10).collect();
        (counts, totals)
    }

    #[test]
    fn a_known_spike_is_found() {
        let (mut c, t) = steady(20);
        *c.last_mut().unwrap() = 60;
        let s = score(&c, &t, &SpikeParams::default());
        assert_eq!(s.verdict, Verdict::Spike, "{s:?}");
        assert!(s.score > 5.0);
        assert!((s.baseline_share - 0.02).abs() < 0.002);
    }

    #[test]
    fn an_ordinary_day_is_normal() {
        let (c, t) = steady(20);
        assert_eq!(
            score(&c, &t, &SpikeParams::default()).verdict,
            Verdict::Normal
        );
    }

    #[test]
    fn more_crawling_is_not_more_risk() {
        let (mut c, mut t) = steady(20);
        // Today kabar crawled three times as much, and the series followed.
        *t.last_mut().unwrap() = 3000;
        *c.last_mut().unwrap() = 61;
        assert_eq!(
            score(&c, &t, &SpikeParams::default()).verdict,
            Verdict::Normal
        );
    }

    #[test]
    fn a_crawl_outage_today_is_neither_a_drop_nor_a_spike() {
        let (mut c, mut t) = steady(20);
        // Outage: 80 articles ingested instead of 1,000, only 1 on the topic.
        *t.last_mut().unwrap() = 80;
        *c.last_mut().unwrap() = 1;
        assert_eq!(
            score(&c, &t, &SpikeParams::default()).verdict,
            Verdict::Outage
        );
        // Even when the few articles that did arrive are all on the topic.
        *c.last_mut().unwrap() = 40;
        assert_eq!(
            score(&c, &t, &SpikeParams::default()).verdict,
            Verdict::Outage
        );
    }

    #[test]
    fn outage_days_in_the_baseline_are_left_out() {
        let (mut c, mut t) = steady(20);
        // Three dead days in the baseline where the few articles were all
        // on the topic (a share of 100%): they must not raise the baseline.
        for i in [10, 11, 12] {
            t[i] = 5;
            c[i] = 5;
        }
        *c.last_mut().unwrap() = 60;
        let s = score(&c, &t, &SpikeParams::default());
        assert_eq!(s.num_outage_days, 3);
        assert_eq!(s.verdict, Verdict::Spike, "{s:?}");
    }

    #[test]
    fn a_real_drop_is_a_drop() {
        let (mut c, t) = steady(20);
        *c.last_mut().unwrap() = 0;
        assert_eq!(
            score(&c, &t, &SpikeParams::default()).verdict,
            Verdict::Drop
        );
    }

    #[test]
    fn a_few_articles_on_a_silent_series_are_too_few() {
        // Four where about none were expected: 4 Poisson deviations, too few.
        let c = [0u64; 20].iter().copied().chain([4]).collect::<Vec<_>>();
        let t = vec![1000u64; 21];
        let s = score(&c, &t, &SpikeParams::default());
        assert!(s.score.is_finite() && s.score > 3.5, "{s:?}");
        assert_eq!(s.verdict, Verdict::TooFew);
        // Ten is enough: the Poisson floor keeps the score finite.
        let mut c = c;
        *c.last_mut().unwrap() = 10;
        assert_eq!(
            score(&c, &t, &SpikeParams::default()).verdict,
            Verdict::Spike
        );
    }

    #[test]
    fn cooldown_holds_a_repeat_but_not_a_story_that_grows() {
        let (mut c, t) = steady(20);
        c[18] = 60; // spiked yesterday at 6%
        c[19] = 55; // still high today, lower than the peak
        let s = score(&c, &t, &SpikeParams::default());
        assert!(
            matches!(s.verdict, Verdict::Cooldown { days_ago: 1, .. }),
            "{s:?}"
        );
        c[19] = 90; // grows beyond the earlier peak
        assert_eq!(
            score(&c, &t, &SpikeParams::default()).verdict,
            Verdict::Spike
        );
        // Past the cooldown the same share alerts again.
        let (mut c, t) = steady(24);
        c[18] = 60;
        c[23] = 55;
        assert_eq!(
            score(&c, &t, &SpikeParams::default()).verdict,
            Verdict::Spike
        );
    }

    #[test]
    fn short_history_is_not_judged() {
        let c = [20u64, 21, 60];
        let t = [1000u64, 1000, 1000];
        assert_eq!(
            score(&c, &t, &SpikeParams::default()).verdict,
            Verdict::NotEnoughHistory
        );
        assert_eq!(
            score(&[], &[], &SpikeParams::default()).verdict,
            Verdict::NotEnoughHistory
        );
    }
}
