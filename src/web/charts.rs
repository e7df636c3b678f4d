//! Hand-written SVG charts for the trends page: no script, no library.
//!
//! A chart is a row of bars, one per day: the height is the number of
//! articles, the darker part the share that read negative. Every label is
//! escaped (row keys come from the index), and the SVG is inline in the page
//! so the Content-Security-Policy needs no exception for it.

use std::fmt::Write;

use super::html::{Markup, escape};
use crate::trends::TrendRow;

/// A spike: the last column is well above the window's usual level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spike {
    pub last: u64,
    /// Mean of the earlier columns.
    pub baseline: f64,
}

/// Fewest articles in the last column for it to count as a spike.
pub const MIN_SPIKE_COUNT: u64 = 3;

/// The last column is a spike when it holds at least [`MIN_SPIKE_COUNT`]
/// articles and lies more than three standard deviations (and at least
/// double) above the mean of the earlier columns.
pub fn spike(counts: &[u64]) -> Option<Spike> {
    let (&last, earlier) = counts.split_last()?;
    if last < MIN_SPIKE_COUNT || earlier.is_empty() {
        return None;
    }
    let n = earlier.len() as f64;
    let mean = earlier.iter().sum::<u64>() as f64 / n;
    let var = earlier
        .iter()
        .map(|&c| (c as f64 - mean).powi(2))
        .sum::<f64>()
        / n;
    let last_f = last as f64;
    (last_f > mean + 3.0 * var.sqrt() && last_f >= 2.0 * mean).then_some(Spike {
        last,
        baseline: mean,
    })
}

/// A bar chart of `row` with one bar per column; `labels` are the columns'
/// dates (first and last are printed under the axis).
pub fn bars(row: &TrendRow, labels: &[String], width: u32, height: u32) -> Markup {
    let n = row.counts.len().max(1) as u32;
    let max = row.counts.iter().copied().max().unwrap_or(0).max(1);
    let axis = 14;
    let plot = height.saturating_sub(axis).max(1);
    let step = f64::from(width) / f64::from(n);
    let bar = (step * 0.8).max(1.0);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{}">"#,
        escape(&format!(
            "{}: {} articles, at most {} a day",
            row.key, row.total, max
        ))
    );
    for (i, (&c, &neg)) in row.counts.iter().zip(&row.negative).enumerate() {
        let x = step * i as f64 + (step - bar) / 2.0;
        let h = f64::from(plot) * c as f64 / max as f64;
        let hn = f64::from(plot) * neg.min(c) as f64 / max as f64;
        let label = labels.get(i).map(String::as_str).unwrap_or("");
        let _ = write!(
            svg,
            r#"<g><title>{}: {c} articles, {neg} negative</title><rect class="bar" x="{x:.1}" y="{:.1}" width="{bar:.1}" height="{h:.1}"/>"#,
            escape(label),
            f64::from(plot) - h
        );
        if hn > 0.0 {
            let _ = write!(
                svg,
                r#"<rect class="neg" x="{x:.1}" y="{:.1}" width="{bar:.1}" height="{hn:.1}"/>"#,
                f64::from(plot) - hn
            );
        }
        svg.push_str("</g>");
    }
    let _ = write!(
        svg,
        r#"<line class="axis" x1="0" y1="{plot}" x2="{width}" y2="{plot}"/>"#
    );
    if let (Some(first), Some(last)) = (labels.first(), labels.last()) {
        let _ = write!(
            svg,
            r#"<text x="0" y="{height}" class="label">{}</text><text x="{width}" y="{height}" class="label" text-anchor="end">{}</text>"#,
            escape(first),
            escape(last)
        );
    }
    let _ = write!(
        svg,
        r#"<text x="2" y="10" class="label">{max}</text></svg>"#
    );
    Markup::from_trusted(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spikes_stand_out_from_the_window() {
        assert!(spike(&[1, 0, 2, 1, 1, 0, 9]).is_some());
        assert!(spike(&[5, 6, 5, 7, 6, 5, 8]).is_none());
        assert!(spike(&[0, 0, 0, 2]).is_none());
        assert!(spike(&[]).is_none());
    }

    #[test]
    fn labels_are_escaped() {
        let row = TrendRow {
            key: "<script>".into(),
            total: 3,
            counts: vec![1, 2],
            negative: vec![0, 5],
            sentiment: vec![None, None],
        };
        let svg = bars(&row, &["a<b".into(), "c".into()], 100, 40);
        assert!(!svg.as_str().contains("<script>"));
        assert!(svg.as_str().contains("&lt;script&gt;"));
        assert!(svg.as_str().contains("a&lt;b"));
        assert!(svg.as_str().starts_with("<svg") && svg.as_str().ends_with("</svg>"));
    }
}
