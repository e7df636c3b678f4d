//! Facet counts in one pass over the matches, on term ordinals.
//!
//! Tantivy's aggregation framework reads a JSON request and builds generic
//! bucket collectors per field; over a few hundred thousand matches it costs
//! 50–100 ms for the six terms facets and the date ranges the search page
//! shows. This collector does only what the page needs: for each string
//! fast field it counts matches per *term ordinal* of the segment in a plain
//! vector (no hashing, no strings), reading the ordinals of a block of
//! documents in one batched call,
//! and counts dates into the page's four ranges; ordinals become strings
//! once per segment, for the values that occurred, when the segment is
//! done.

use std::collections::HashMap;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, ColumnValues, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// The string fields counted, in this order.
pub const FIELDS: [&str; 6] = ["region", "country", "lang", "topic", "sentiment", "source"];

/// Counts per value of each of [`FIELDS`], and matches per date range.
#[derive(Debug, Default)]
pub struct FacetCount {
    pub fields: [HashMap<String, u64>; 6],
    /// Matches dated before `bounds[0]`, in `[bounds[0], bounds[1])`,
    /// `[bounds[1], bounds[2])`, and at or after `bounds[2]`.
    pub ranges: [u64; 4],
}

/// Counts [`FIELDS`] and the date ranges cut at `bounds` (nanoseconds since
/// the epoch, ascending).
pub struct FacetCollector {
    pub bounds: [i64; 3],
}

pub struct SegmentFacets {
    columns: Vec<Option<StrColumn>>,
    counts: Vec<Vec<u64>>,
    date: Column<tantivy::DateTime>,
    bounds: [i64; 3],
    ranges: [u64; 4],
    /// Documents collected one by one, not counted yet.
    pending: Vec<DocId>,
    docs_out: Vec<DocId>,
    rows: Vec<u32>,
    ords: Vec<u64>,
    dates: Vec<Option<tantivy::DateTime>>,
}

impl Collector for FacetCollector {
    type Fruit = FacetCount;
    type Child = SegmentFacets;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacets> {
        let fast = reader.fast_fields();
        let mut columns = Vec::with_capacity(FIELDS.len());
        let mut counts = Vec::with_capacity(FIELDS.len());
        for field in FIELDS {
            let column = fast.str(field)?;
            counts.push(vec![0; column.as_ref().map_or(0, |c| c.num_terms())]);
            columns.push(column);
        }
        Ok(SegmentFacets {
            columns,
            counts,
            date: fast.date("date")?,
            bounds: self.bounds,
            ranges: [0; 4],
            pending: Vec::with_capacity(BLOCK),
            docs_out: Vec::new(),
            rows: Vec::new(),
            ords: Vec::new(),
            dates: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetCount>) -> tantivy::Result<FacetCount> {
        let mut total = FacetCount::default();
        for fruit in fruits {
            for (into, from) in total.fields.iter_mut().zip(fruit.fields) {
                for (value, n) in from {
                    *into.entry(value).or_default() += n;
                }
            }
            for (into, from) in total.ranges.iter_mut().zip(fruit.ranges) {
                *into += from;
            }
        }
        Ok(total)
    }
}

impl SegmentFacets {
    fn range_of(&self, date: tantivy::DateTime) -> usize {
        let ns = date.into_timestamp_nanos();
        self.bounds.iter().take_while(|&&b| ns >= b).count()
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = FacetCount;

    /// One document at a time is what a scoring search (relevance order)
    /// hands over: gather them and count a block at a time all the same.
    fn collect(&mut self, doc: DocId, _score: Score) {
        self.pending.push(doc);
        if self.pending.len() == BLOCK {
            self.flush();
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.count_block(docs);
    }

    fn harvest(mut self) -> FacetCount {
        self.flush();
        self.into_counts()
    }
}

/// Documents counted together.
const BLOCK: usize = 64;

impl SegmentFacets {
    fn flush(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        self.count_block(&pending);
        self.pending = pending;
        self.pending.clear();
    }

    fn count_block(&mut self, docs: &[DocId]) {
        for (column, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            let Some(column) = column else { continue };
            // The block's rows (one per value: none, one or several per
            // document), then their ordinals in one batched read.
            let ords = column.ords();
            self.docs_out.clear();
            self.rows.clear();
            ords.index
                .docids_to_rowids(docs, &mut self.docs_out, &mut self.rows);
            self.ords.clear();
            self.ords.resize(self.rows.len(), 0);
            ords.values.get_vals(&self.rows, &mut self.ords);
            for &ord in &self.ords {
                counts[ord as usize] += 1;
            }
        }
        self.dates.clear();
        self.dates.resize(docs.len(), None);
        self.date.first_vals(docs, &mut self.dates);
        for i in 0..docs.len() {
            if let Some(d) = self.dates[i] {
                let r = self.range_of(d);
                self.ranges[r] += 1;
            }
        }
    }

    fn into_counts(self) -> FacetCount {
        let mut out = FacetCount {
            ranges: self.ranges,
            ..Default::default()
        };
        for ((column, counts), into) in self
            .columns
            .iter()
            .zip(&self.counts)
            .zip(out.fields.iter_mut())
        {
            let Some(column) = column else { continue };
            let mut text = String::new();
            for (ord, &n) in counts.iter().enumerate() {
                if n == 0 {
                    continue;
                }
                text.clear();
                if column.ord_to_str(ord as u64, &mut text).unwrap_or(false) {
                    *into.entry(text.clone()).or_default() += n;
                }
            }
        }
        out
    }
}
