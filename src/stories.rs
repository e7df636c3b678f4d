//! Stories: near-duplicate and syndicated articles grouped into one story.
//!
//! The digest counts stories and independent outlets, not copies: a wire
//! story that forty outlets run with their own headline is one story with
//! forty outlets, and its first publisher is named. This module owns the two
//! halves of that:
//!
//! - [`signature`]: a 64-bit SimHash of an article's text. The text is
//!   normalised (NFKC, lowercase; punctuation and digits are separators, so a
//!   changed time stamp or casualty count does not move the hash), then cut
//!   into shingles suited to its script. Space-separated scripts (Latin,
//!   Vietnamese, Indic, Korean, ...) give word 2-grams (3-grams left the
//!   Indonesian rewrite below 16 bits from its wire copy: with fewer words
//!   per shingle, one edited word spoils fewer shingles). Scripts written
//!   without spaces between words give character n-grams over the letters
//!   with spaces and punctuation removed: 3 characters for Chinese and
//!   Japanese (a Han character carries about a syllable of meaning), 4 for
//!   Thai, Lao, Khmer and Burmese (whose vowels and tone marks are code
//!   points of their own). A page mixing scripts gets both kinds. Shingles
//!   are hashed with FNV-1a and a 64-bit finaliser: stable across Rust
//!   versions and platforms, so signatures can be stored.
//! - [`StoryIndex`]: assigns each new article to the story of its nearest
//!   earlier article within [`StoryIndex::max_distance`] bits (Hamming
//!   distance) and [`StoryIndex::window`] of publication time, or starts a
//!   new story. Candidates come from band tables: the 64 bits are cut into
//!   `max_distance + 1` bands, and two signatures within `max_distance` bits
//!   agree exactly on at least one band (pigeonhole), so looking up the
//!   article's value of each band finds every candidate without a linear
//!   scan, and none is missed.
//!
//! The distance threshold [`DEFAULT_MAX_DISTANCE`] (12) comes from the
//! tests in `tests/stories.rs`, which sign article *bodies* (headlines are
//! what syndicating outlets rewrite most): wire copy of 120–250 words
//! republished with an extra paragraph lands 7–11 bits away in all seven
//! languages (Indonesian, which also drops the dateline, was 16 with word
//! 3-grams: a miss; 7 with 2-grams); different stories on the same topic,
//! in the same language, 24 bits or more (26 or more for the
//! space-separated languages). Unrelated signatures are binomial around 32 bits (σ = 4): the
//! chance that two fall within 12 bits is about 2·10⁻⁷ per pair, and the
//! time window keeps the number of pairs compared small. Short texts are
//! SimHash's weak spot (one paragraph is a large share of the shingles).
//!
//! A story's id is the id of the first article added to it (stable however
//! many copies arrive later); its first publisher is the source of its
//! earliest *published* article, which changes if an earlier copy is added
//! late (crawl order is not publication order).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

/// Largest Hamming distance (bits of 64) at which two articles are one story.
pub const DEFAULT_MAX_DISTANCE: u32 = 12;
/// Largest gap in publication time between an article and an earlier copy.
pub const DEFAULT_WINDOW_DAYS: i64 = 7;
/// Words per shingle for space-separated scripts.
pub const WORD_SHINGLE: usize = 2;
/// Characters per shingle for Chinese and Japanese.
pub const HAN_KANA_SHINGLE: usize = 3;
/// Characters per shingle for Thai, Lao, Khmer and Burmese.
pub const SOUTHEAST_SHINGLE: usize = 4;

/// The Hamming distance between two signatures.
pub fn distance(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

/// The 64-bit SimHash of a text (title and body joined by the caller, or
/// the body alone). Empty or letterless text gives 0.
pub fn signature(text: &str) -> u64 {
    let mut acc = SimHashAccumulator::default();
    for_each_shingle(text, |h| acc.add(h));
    acc.finish()
}

/// Calls `f` with the hash of every shingle of `text`, in order. Public for
/// tests and tools that want to look at what the signature is made of.
pub fn for_each_shingle(text: &str, f: impl FnMut(u64)) {
    // Text already in NFKC (nearly every article) skips the normaliser,
    // which buffers and recomposes every character; the rest (Thai with its
    // SARA AM) normalises only the stretches that need it. Same characters,
    // a fraction of the cost.
    shingles_of(crate::chars::to_nfkc(text).chars(), f);
}

fn shingles_of(chars: impl Iterator<Item = char>, mut f: impl FnMut(u64)) {
    let mut words = WordShingler::default();
    let mut dense = DenseShingler::default();
    let mut word = WordHasher::new();
    let mut step = |c: char| match class(c) {
        Class::Dense(script) => {
            if !word.is_empty() {
                words.push(word.finish(), &mut f);
                word = WordHasher::new();
            }
            dense.push(script, c, &mut f);
        }
        Class::Word => word.push(c),
        Class::Ignore => {}
        Class::Separator => {
            if !word.is_empty() {
                words.push(word.finish(), &mut f);
                word = WordHasher::new();
            }
        }
    };
    for c in chars {
        // Lowercase; characters without case (all of Thai, Han, Hangul ...)
        // skip the case tables.
        if crate::chars::lowercase_changes(c) {
            c.to_lowercase().for_each(&mut step);
        } else {
            step(c);
        }
    }
    if !word.is_empty() {
        words.push(word.finish(), &mut f);
    }
    words.finish(&mut f);
    dense.finish(&mut f);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dense {
    /// Chinese and Japanese: Han, kana.
    HanKana,
    /// Thai, Lao, Khmer, Burmese.
    Southeast,
}

impl Dense {
    fn shingle(self) -> usize {
        match self {
            Dense::HanKana => HAN_KANA_SHINGLE,
            Dense::Southeast => SOUTHEAST_SHINGLE,
        }
    }
}

enum Class {
    Dense(Dense),
    Word,
    /// Joiners and soft hyphens: inside a word, not a letter of it.
    Ignore,
    Separator,
}

fn class(c: char) -> Class {
    let u = c as u32;
    if u < 0x80 {
        return if c.is_ascii_alphabetic() {
            Class::Word
        } else {
            Class::Separator
        };
    }
    match u {
        0x0E00..=0x0EFF
        | 0x1780..=0x17FF
        | 0x19E0..=0x19FF
        | 0x1000..=0x109F
        | 0xA9E0..=0xA9FF
        | 0xAA60..=0xAA7F => {
            // Thai and Lao digits are digits: separators like the others.
            if crate::chars::is_numeric(c) {
                Class::Separator
            } else {
                Class::Dense(Dense::Southeast)
            }
        }
        0x3005
        | 0x3040..=0x30FF
        | 0x31F0..=0x31FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0x20000..=0x3134F => Class::Dense(Dense::HanKana),
        0x200B..=0x200D | 0x00AD | 0x2060 | 0xFEFF => Class::Ignore,
        _ if crate::chars::is_alphabetic_or_mark(c) => Class::Word,
        _ => Class::Separator,
    }
}

// ---- hashing ----------------------------------------------------------------

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// murmur3's 64-bit finaliser: spreads FNV's weak low bits over all 64.
fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

fn fnv_char(h: u64, c: char) -> u64 {
    let mut h = h;
    for b in (c as u32).to_le_bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(FNV_PRIME);
    }
    h
}

struct WordHasher {
    hash: u64,
    len: usize,
}

impl WordHasher {
    fn new() -> Self {
        WordHasher {
            hash: FNV_OFFSET,
            len: 0,
        }
    }
    fn push(&mut self, c: char) {
        self.hash = fnv_char(self.hash, c);
        self.len += 1;
    }
    fn is_empty(&self) -> bool {
        self.len == 0
    }
    fn finish(&self) -> u64 {
        mix(self.hash)
    }
}

/// Combines the hashes of a shingle's parts, order-sensitively.
fn combine(parts: &[u64]) -> u64 {
    let mut h = FNV_OFFSET;
    for (i, p) in parts.iter().enumerate() {
        h = (h ^ p.rotate_left(i as u32 * 17 + 1)).wrapping_mul(FNV_PRIME);
    }
    mix(h)
}

/// The last `len` of at most four hashes, oldest first: a shingle's window
/// without a heap allocation or a shift of a `Vec` per character.
const _: () = assert!(WORD_SHINGLE <= 4 && HAN_KANA_SHINGLE <= 4 && SOUTHEAST_SHINGLE <= 4);

#[derive(Default, Clone, Copy)]
struct Window {
    items: [u64; 4],
    len: usize,
}

impl Window {
    /// Appends `h`, dropping the oldest when `cap` are held already.
    fn push(&mut self, h: u64, cap: usize) {
        if self.len == cap {
            self.items.copy_within(1..cap, 0);
            self.len -= 1;
        }
        self.items[self.len] = h;
        self.len += 1;
    }
    fn as_slice(&self) -> &[u64] {
        &self.items[..self.len]
    }
}

#[derive(Default)]
struct WordShingler {
    window: Window,
    /// Shingles emitted; a text shorter than one shingle emits its words.
    num_emitted: usize,
    short: Window,
}

impl WordShingler {
    fn push(&mut self, word: u64, f: &mut impl FnMut(u64)) {
        self.window.push(word, WORD_SHINGLE);
        if self.num_emitted == 0 && self.short.len < WORD_SHINGLE {
            self.short.push(word, WORD_SHINGLE);
        }
        if self.window.len == WORD_SHINGLE {
            f(combine(self.window.as_slice()));
            self.num_emitted += 1;
        }
    }
    fn finish(&mut self, f: &mut impl FnMut(u64)) {
        if self.num_emitted == 0 {
            for &w in self.short.as_slice() {
                f(combine(&[w]));
            }
        }
    }
}

#[derive(Default)]
struct DenseShingler {
    script: Option<Dense>,
    window: Window,
    num_emitted: usize,
    /// The characters before the first shingle (never more than one
    /// shingle's worth: the first shingle ends the collection).
    short: Window,
}

impl DenseShingler {
    fn push(&mut self, script: Dense, c: char, f: &mut impl FnMut(u64)) {
        if self.script != Some(script) {
            self.flush_short(f);
            self.window = Window::default();
            self.short = Window::default();
            self.num_emitted = 0;
            self.script = Some(script);
        }
        let n = script.shingle();
        let h = fnv_char(FNV_OFFSET, c);
        self.window.push(h, n);
        if self.num_emitted == 0 {
            self.short.push(h, n);
        }
        if self.window.len == n {
            f(combine(self.window.as_slice()));
            self.num_emitted += 1;
        }
    }
    fn flush_short(&mut self, f: &mut impl FnMut(u64)) {
        if self.num_emitted == 0 && self.short.len > 0 {
            f(combine(self.short.as_slice()));
        }
    }
    fn finish(&mut self, f: &mut impl FnMut(u64)) {
        self.flush_short(f);
    }
}

/// SimHash's 64 vote counters, kept bit-sliced: `planes[k]` holds bit `k`
/// of how many of the hashes since the last flush have each bit set, so
/// adding a hash is a ripple-carry add over a few words instead of 64
/// counter updates (long articles add thousands of shingles). The counts
/// become votes (+1 for a set bit, -1 for a clear one) at [`Self::flush`].
struct SimHashAccumulator {
    planes: [u64; COUNT_BITS],
    /// Hashes added since the last flush.
    pending: u32,
    votes: [i64; 64],
}

impl Default for SimHashAccumulator {
    fn default() -> Self {
        SimHashAccumulator {
            planes: [0; COUNT_BITS],
            pending: 0,
            votes: [0; 64],
        }
    }
}

/// Bits of the sliced counters; they are flushed before they can overflow.
const COUNT_BITS: usize = 16;

impl SimHashAccumulator {
    fn add(&mut self, h: u64) {
        let mut carry = h;
        for plane in self.planes.iter_mut() {
            let next = *plane & carry;
            *plane ^= carry;
            carry = next;
            if carry == 0 {
                break;
            }
        }
        self.pending += 1;
        if self.pending == (1 << COUNT_BITS) - 1 {
            self.flush();
        }
    }

    fn flush(&mut self) {
        for (bit, vote) in self.votes.iter_mut().enumerate() {
            let ones: i64 = self
                .planes
                .iter()
                .enumerate()
                .map(|(k, plane)| (((plane >> bit) & 1) as i64) << k)
                .sum();
            *vote += 2 * ones - i64::from(self.pending);
        }
        self.planes = [0; COUNT_BITS];
        self.pending = 0;
    }

    fn finish(&mut self) -> u64 {
        self.flush();
        self.votes
            .iter()
            .enumerate()
            .filter(|(_, w)| **w > 0)
            .fold(0u64, |s, (bit, _)| s | (1 << bit))
    }
}

// ---- grouping ---------------------------------------------------------------

/// Where [`StoryIndex::add`] put an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Position of the story in [`StoryIndex::stories`].
    pub story: usize,
    /// True when the article started the story.
    pub is_new: bool,
    /// Distance to the nearest earlier article of the story (0 when new).
    pub distance: u32,
}

/// A group of near-duplicate articles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Story {
    /// The id of the first article added; stable as copies arrive.
    pub id: String,
    /// The source of the earliest published article.
    pub first_publisher: String,
    /// The id of the earliest published article.
    pub first_article: String,
    pub first_published: DateTime<Utc>,
    pub last_published: DateTime<Utc>,
    pub num_articles: usize,
    /// Distinct sources that ran it, in the order they were added.
    pub outlets: Vec<String>,
}

impl Story {
    pub fn num_outlets(&self) -> usize {
        self.outlets.len()
    }
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    published: i64,
    story: u32,
}

/// Assigns articles to stories; see the module documentation.
#[derive(Debug)]
pub struct StoryIndex {
    max_distance: u32,
    window: Duration,
    /// (shift, bit width) of each band.
    bands: Vec<(u32, u32)>,
    /// Per band, per band value: (signature, entry index).
    tables: Vec<Vec<Vec<(u64, u32)>>>,
    entries: Vec<Entry>,
    stories: Vec<Story>,
    by_article: HashMap<String, u32>,
}

impl Default for StoryIndex {
    fn default() -> Self {
        StoryIndex::new(DEFAULT_MAX_DISTANCE, Duration::days(DEFAULT_WINDOW_DAYS))
    }
}

impl StoryIndex {
    /// An empty index joining articles within `max_distance` bits (at most
    /// 31, so bands stay at least 2 bits wide) and `window` of each other.
    pub fn new(max_distance: u32, window: Duration) -> Self {
        let max_distance = max_distance.min(31);
        // k + 1 bands guarantee recall; at least 4 keep a band's table at
        // 2^16 buckets or fewer (more bands than k + 1 still guarantee it).
        let num_bands = (max_distance + 1).max(4);
        // Spread 64 bits over the bands: the first `64 % n` get one more.
        let (base, extra) = (64 / num_bands, 64 % num_bands);
        let mut bands = Vec::with_capacity(num_bands as usize);
        let mut shift = 0;
        for i in 0..num_bands {
            let width = base + u32::from(i < extra);
            bands.push((shift, width));
            shift += width;
        }
        debug_assert_eq!(shift, 64);
        let tables = bands
            .iter()
            .map(|&(_, width)| vec![Vec::new(); 1usize << width])
            .collect();
        StoryIndex {
            max_distance,
            window,
            bands,
            tables,
            entries: Vec::new(),
            stories: Vec::new(),
            by_article: HashMap::new(),
        }
    }

    pub fn max_distance(&self) -> u32 {
        self.max_distance
    }

    pub fn window(&self) -> Duration {
        self.window
    }

    pub fn stories(&self) -> &[Story] {
        &self.stories
    }

    pub fn num_articles(&self) -> usize {
        self.entries.len()
    }

    /// The story an article was put in.
    pub fn story_of(&self, article_id: &str) -> Option<&Story> {
        self.by_article
            .get(article_id)
            .map(|&e| &self.stories[self.entries[e as usize].story as usize])
    }

    fn band_value(&self, band: usize, signature: u64) -> usize {
        let (shift, width) = self.bands[band];
        ((signature >> shift) & ((1u64 << width) - 1)) as usize
    }

    /// Puts an article in the story of its nearest earlier copy, or in a new
    /// story. Adding an id twice returns its first assignment unchanged.
    pub fn add(
        &mut self,
        id: &str,
        source: &str,
        published: DateTime<Utc>,
        signature: u64,
    ) -> Assignment {
        if let Some(&e) = self.by_article.get(id) {
            return Assignment {
                story: self.entries[e as usize].story as usize,
                is_new: false,
                distance: 0,
            };
        }
        let time = published.timestamp();
        let window = self.window.num_seconds();
        let mut best: Option<(u32, u32)> = None; // (distance, entry)
        for band in 0..self.bands.len() {
            let value = self.band_value(band, signature);
            for &(other, entry) in &self.tables[band][value] {
                let d = distance(signature, other);
                if d > self.max_distance || best.is_some_and(|(bd, be)| (bd, be) <= (d, entry)) {
                    continue;
                }
                if (self.entries[entry as usize].published - time).abs() <= window {
                    best = Some((d, entry));
                }
            }
        }
        let entry_index = u32::try_from(self.entries.len()).expect("under 4 billion articles");
        let (assignment, story) = match best {
            Some((d, entry)) => {
                let story = self.entries[entry as usize].story;
                let s = &mut self.stories[story as usize];
                s.num_articles += 1;
                if !s.outlets.iter().any(|o| o == source) {
                    s.outlets.push(source.to_string());
                }
                if published < s.first_published {
                    s.first_published = published;
                    s.first_publisher = source.to_string();
                    s.first_article = id.to_string();
                }
                s.last_published = s.last_published.max(published);
                (
                    Assignment {
                        story: story as usize,
                        is_new: false,
                        distance: d,
                    },
                    story,
                )
            }
            None => {
                let story = self.stories.len() as u32;
                self.stories.push(Story {
                    id: id.to_string(),
                    first_publisher: source.to_string(),
                    first_article: id.to_string(),
                    first_published: published,
                    last_published: published,
                    num_articles: 1,
                    outlets: vec![source.to_string()],
                });
                (
                    Assignment {
                        story: story as usize,
                        is_new: true,
                        distance: 0,
                    },
                    story,
                )
            }
        };
        self.entries.push(Entry {
            published: time,
            story,
        });
        for band in 0..self.bands.len() {
            let value = self.band_value(band, signature);
            self.tables[band][value].push((signature, entry_index));
        }
        self.by_article.insert(id.to_string(), entry_index);
        assignment
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, 8, 0, 0).unwrap()
    }

    /// SimHash by its definition: per bit, +1 for each hash with it set and
    /// -1 for each without; the bit is set when the sum is positive.
    fn plain_simhash(hashes: &[u64]) -> u64 {
        (0..64).fold(0u64, |s, bit| {
            let votes: i64 = hashes
                .iter()
                .map(|h| if (h >> bit) & 1 == 1 { 1 } else { -1 })
                .sum();
            if votes > 0 { s | (1 << bit) } else { s }
        })
    }

    #[test]
    fn sliced_counters_vote_like_the_definition() {
        let mut rng = fastrand::Rng::with_seed(11);
        // Lengths around the flush at 65,535 hashes included; biased hashes
        // so that bits are near ties as well as clear majorities.
        for len in [0, 1, 2, 3, 7, 64, 1000, 65_534, 65_535, 65_536, 140_000] {
            let bias = rng.u64(..);
            let hashes: Vec<u64> = (0..len)
                .map(|i| {
                    if i % 3 == 0 {
                        rng.u64(..) | bias
                    } else {
                        rng.u64(..)
                    }
                })
                .collect();
            let mut acc = SimHashAccumulator::default();
            hashes.iter().for_each(|&h| acc.add(h));
            assert_eq!(acc.finish(), plain_simhash(&hashes), "{len} hashes");
        }
    }

    #[test]
    fn punctuation_digits_and_case_do_not_move_the_signature() {
        let a = signature("Police arrest 12 suspects in online-loan scam, seize phones");
        let b = signature("POLICE ARREST 15 suspects in online loan scam; seize phones!");
        assert_eq!(a, b);
    }

    #[test]
    fn thai_spacing_does_not_move_the_signature() {
        let a = signature("ตำรวจจับกุมแก๊งคอลเซ็นเตอร์ หลอกลวงเหยื่อผ่านโฆษณาเงินกู้ออนไลน์");
        let b = signature("ตำรวจจับกุมแก๊งคอลเซ็นเตอร์หลอกลวงเหยื่อ ผ่านโฆษณา เงินกู้ออนไลน์");
        assert_eq!(a, b);
    }

    #[test]
    fn fullwidth_and_halfwidth_forms_are_one() {
        // NFKC folds halfwidth katakana and fullwidth Latin.
        assert_eq!(signature("ｶｼﾞﾉ広告 ＡＢＣ"), signature("カジノ広告 abc"));
    }

    #[test]
    fn short_texts_still_have_a_signature() {
        assert_ne!(signature("scam"), 0);
        assert_ne!(signature("詐欺"), 0);
        assert_eq!(signature("  123 ... "), 0);
    }

    #[test]
    fn bands_cover_all_bits_and_find_every_neighbour_within_k() {
        for k in [0, 3, 7, 10, 15, 31] {
            let index = StoryIndex::new(k, Duration::days(7));
            assert_eq!(index.bands.len() as u32, (k + 1).max(4));
            assert_eq!(index.bands.iter().map(|b| b.1).sum::<u32>(), 64);
        }
        // Flip exactly k bits spread over every band: still found.
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..200 {
            let mut index = StoryIndex::new(10, Duration::days(7));
            let base = rng.u64(..);
            index.add("a", "s1", at(1), base);
            let mut flipped = base;
            let mut bits: Vec<u32> = (0..64).collect();
            rng.shuffle(&mut bits);
            for &b in &bits[..10] {
                flipped ^= 1 << b;
            }
            let a = index.add("b", "s2", at(2), flipped);
            assert!(!a.is_new);
            assert_eq!(a.distance, 10);
            let mut far = flipped;
            far ^= 1 << bits[10];
            let mut index2 = StoryIndex::new(10, Duration::days(7));
            index2.add("a", "s1", at(1), base);
            assert!(index2.add("c", "s3", at(2), far).is_new);
        }
    }

    #[test]
    fn first_publisher_is_the_earliest_published_and_the_id_the_first_added() {
        let mut index = StoryIndex::default();
        let sig = 0xDEAD_BEEF_0123_4567;
        assert!(index.add("late-copy", "outlet-b", at(3), sig).is_new);
        let a = index.add("wire", "wire-agency", at(2), sig ^ 0b101);
        assert!(!a.is_new);
        index.add("again", "outlet-b", at(4), sig ^ 0b1);
        let story = index.story_of("again").unwrap();
        assert_eq!(story.id, "late-copy");
        assert_eq!(story.first_publisher, "wire-agency");
        assert_eq!(story.first_article, "wire");
        assert_eq!(story.num_articles, 3);
        assert_eq!(story.num_outlets(), 2);
    }

    #[test]
    fn copies_outside_the_window_start_a_new_story() {
        let mut index = StoryIndex::new(10, Duration::days(2));
        index.add("a", "s", at(1), 42);
        assert!(index.add("b", "s", at(5), 42).is_new);
        assert!(!index.add("c", "s", at(6), 42).is_new);
        assert_eq!(index.stories().len(), 2);
    }
}
