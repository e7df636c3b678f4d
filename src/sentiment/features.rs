//! Hashed features for the linear model: word unigrams and bigrams (with
//! negation scope in scripts with spaces), character 1–4-grams inside each
//! word or unspaced run, dictionary words and word pairs of Thai runs
//! (ICU4X's segmenter, the one search uses), symbol runs (emoticons, `!!!`,
//! emoji), and a few dense lexicon counts.
//!
//! Hashing (64-bit FNV-1a, finalised, masked to the table size) keeps the
//! model a flat array with no vocabulary to store, so its size is fixed by
//! the table and it loads by copying bytes. Collisions cost a little
//! accuracy; character n-grams make the model robust to the spelling
//! variation, inflection and missing word boundaries of Asian social text.

use super::lexicon::{Hits, Lexicon};
use super::text::{Script, is_word_char};
use crate::index::tokenizer::{Remember, segment_breaks};

/// A feature: table row and value.
pub type Feature = (u32, f32);

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv(ns: u8, parts: &[&[u8]]) -> u64 {
    let mut h = FNV_OFFSET ^ u64::from(ns);
    h = h.wrapping_mul(FNV_PRIME);
    for p in parts {
        for &b in *p {
            h ^= u64::from(b);
            h = h.wrapping_mul(FNV_PRIME);
        }
        h ^= 0xff;
        h = h.wrapping_mul(FNV_PRIME);
    }
    finalise(h)
}

/// The end of a one-part [`fnv`] whose bytes are already in `h`.
fn finish_fnv(h: u64) -> u64 {
    finalise((h ^ 0xff).wrapping_mul(FNV_PRIME))
}

/// murmur3 finaliser: FNV's low bits are weak on short keys.
fn finalise(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

/// Rows of the dense lexicon features (hashed like the rest).
fn dense_row(name: &str, mask: u32) -> u32 {
    (fnv(b'L', &[name.as_bytes()]) as u32) & mask
}

/// Reusable buffers: one per thread, so scoring allocates nothing after
/// warm-up.
#[derive(Default)]
pub struct Scratch {
    tokens: Vec<(usize, usize, bool)>,
    bounds: Vec<usize>,
    /// ICU's word breaks of one Thai run.
    breaks: Vec<usize>,
    pad: String,
    /// Character n-gram rows of one word, by length (1 to 4).
    grams: [Vec<u32>; 4],
    /// Words seen before and their character n-gram rows, per table mask.
    words: Vec<WordRows>,
    pub norm: String,
    pub feats: Vec<Feature>,
}

/// The character n-gram rows of words already hashed under one table
/// mask. An article repeats most of its words, and news repeats the same
/// few thousand: a lookup is cheaper than hashing the word's 1- to 4-grams
/// again. The rows are the same ones in the same order, so the model's
/// sums are bit for bit the same.
struct WordRows {
    mask: u32,
    /// Word to its range in `rows`.
    index: rustc_hash::FxHashMap<Box<str>, (u32, u32)>,
    rows: Vec<u32>,
}

/// Words longer than this are hashed every time (an unspaced Thai or
/// Japanese clause is one "word" here and seldom repeats).
const MAX_CACHED_WORD_BYTES: usize = 24;
/// Words kept per mask before the cache starts over: two to three MB of
/// keys and rows per table size and thread on news text.
const MAX_CACHED_WORDS: usize = 20_000;

impl WordRows {
    fn new(mask: u32) -> Self {
        WordRows {
            mask,
            index: Default::default(),
            rows: Vec::new(),
        }
    }
}

/// Scope of a negator over the following words ("not really very good").
const NEGATION_SCOPE: usize = 3;
/// Dense lexicon features are capped so one long review does not dominate.
const DENSE_CAP: f32 = 4.0;

/// Writes the features of normalised text `norm` into `scratch.feats`.
pub fn extract(norm: &str, hits: &Hits, lexicon: &Lexicon, mask: u32, scratch: &mut Scratch) {
    let Scratch {
        tokens,
        bounds,
        breaks,
        pad,
        grams,
        words,
        feats,
        ..
    } = scratch;
    let cache = match words.iter().position(|w| w.mask == mask) {
        Some(i) => &mut words[i],
        None => {
            words.push(WordRows::new(mask));
            words.last_mut().expect("just pushed")
        }
    };
    feats.clear();
    tokens.clear();
    // Tokens: runs of word characters (apostrophes inside words kept) and
    // runs of other non-space characters.
    let mut start: Option<(usize, bool)> = None;
    let mut prev: Option<char> = None;
    let mut iter = norm.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let word = is_word_char(c)
            || (c == '\''
                && prev.is_some_and(crate::chars::is_alphabetic)
                && iter
                    .peek()
                    .is_some_and(|&(_, n)| crate::chars::is_alphabetic(n)));
        let space = c.is_whitespace();
        match start {
            Some((s, w)) if space || w != word || (!w && is_pictograph(c)) => {
                tokens.push((s, i, w));
                start = if space { None } else { Some((i, word)) };
            }
            Some(_) => {}
            None if !space => start = Some((i, word)),
            None => {}
        }
        prev = Some(c);
    }
    if let Some((s, w)) = start {
        tokens.push((s, norm.len(), w));
    }

    // Words, negation scope, bigrams, symbols.
    let mut scope = 0usize;
    let mut prev_word: Option<&str> = None;
    for &(s, e, is_word) in tokens.iter() {
        let tok = &norm[s..e];
        if !is_word {
            feats.push(((fnv(b's', &[tok.as_bytes()]) as u32) & mask, 1.0));
            if tok.contains(['.', '!', '?', ',', ';']) {
                scope = 0;
            }
            continue;
        }
        let negated = scope > 0;
        scope = scope.saturating_sub(1);
        let ns = if negated { b'n' } else { b'w' };
        feats.push(((fnv(ns, &[tok.as_bytes()]) as u32) & mask, 1.0));
        if let Some(p) = prev_word {
            feats.push((
                (fnv(b'b', &[p.as_bytes(), tok.as_bytes()]) as u32) & mask,
                1.0,
            ));
        }
        prev_word = Some(tok);
        if lexicon.negator_words.contains(tok) {
            scope = NEGATION_SCOPE;
        }
        if tok.len() > MAX_CACHED_WORD_BYTES {
            char_ngrams(tok, mask, pad, bounds, grams, feats);
        } else if let Some(&(start, len)) = cache.index.get(tok) {
            let rows = &cache.rows[start as usize..(start + len) as usize];
            feats.extend(rows.iter().map(|&row| (row, 1.0)));
        } else {
            let first = feats.len();
            char_ngrams(tok, mask, pad, bounds, grams, feats);
            if cache.index.len() >= MAX_CACHED_WORDS {
                cache.index.clear();
                cache.rows.clear();
            }
            let start = cache.rows.len() as u32;
            cache
                .rows
                .extend(feats[first..].iter().map(|&(row, _)| row));
            let len = cache.rows.len() as u32 - start;
            cache.index.insert(tok.into(), (start, len));
        }
        // Thai is written without spaces, so the run above is a whole
        // clause; its dictionary words and word pairs carry what the
        // character n-grams cut across (ไม่ดี, ไม่ค่อย, โคตรแย่).
        if tok
            .chars()
            .next()
            .is_some_and(|c| Script::of(c) == Script::Thai)
        {
            let mut prev: Option<&str> = None;
            segment_breaks(tok, breaks, Remember::Leave);
            let mut from = breaks.first().copied().unwrap_or(0);
            for &to in breaks.iter().skip(1) {
                let piece = &tok[from..to];
                from = to;
                feats.push(((fnv(b'd', &[piece.as_bytes()]) as u32) & mask, 1.0));
                if let Some(p) = prev {
                    feats.push((
                        (fnv(b'e', &[p.as_bytes(), piece.as_bytes()]) as u32) & mask,
                        1.0,
                    ));
                }
                prev = Some(piece);
            }
        }
    }
    // Hashed features share a unit of weight so long and short texts land
    // on the same scale.
    if !feats.is_empty() {
        let v = 1.0 / (feats.len() as f32).sqrt();
        for f in feats.iter_mut() {
            f.1 = v;
        }
    }
    let dense = [
        ("pos", hits.pos),
        ("neg", hits.neg),
        ("event", hits.events),
        ("negators", hits.num_negators as f32),
        ("balance", hits.pos - hits.neg),
    ];
    for (name, v) in dense {
        if v != 0.0 {
            feats.push((dense_row(name, mask), v.clamp(-DENSE_CAP, DENSE_CAP)));
        }
    }
    feats.push((dense_row("bias", mask), 1.0));
}

/// The character 1- to 4-gram rows of a word, padded with STX and ETX,
/// appended to `feats` by length, then by position (single Latin and ASCII
/// characters left out). Each start position hashes its four n-grams in one
/// pass (FNV is a running state, so an n-gram's hash is the state after its
/// last byte, finalised), and the rows are pushed in the order the model
/// was trained with, so the sums over them come out bit for bit the same.
fn char_ngrams(
    tok: &str,
    mask: u32,
    pad: &mut String,
    bounds: &mut Vec<usize>,
    grams: &mut [Vec<u32>; 4],
    feats: &mut Vec<Feature>,
) {
    pad.clear();
    pad.push('\u{2}');
    pad.push_str(tok);
    pad.push('\u{3}');
    for g in grams.iter_mut() {
        g.clear();
    }
    let start_state = (FNV_OFFSET ^ u64::from(b'c')).wrapping_mul(FNV_PRIME);
    if tok.is_ascii() {
        // Most words of Latin-script text: every character is one byte and
        // every 1-gram is ASCII (left out), so no character bounds are needed.
        let bytes = pad.as_bytes();
        let len = bytes.len();
        for i in 0..len {
            let mut h = start_state;
            for n in 1..=4usize.min(len - i) {
                h ^= u64::from(bytes[i + n - 1]);
                h = h.wrapping_mul(FNV_PRIME);
                if n > 1 {
                    grams[n - 1].push((finish_fnv(h) as u32) & mask);
                }
            }
        }
        for g in &grams[1..] {
            feats.extend(g.iter().map(|&row| (row, 1.0)));
        }
        return;
    }
    bounds.clear();
    bounds.extend(pad.char_indices().map(|(i, _)| i));
    bounds.push(pad.len());
    let num_chars = bounds.len() - 1;
    let bytes = pad.as_bytes();
    for i in 0..num_chars {
        let mut h = start_state;
        for n in 1..=4usize.min(num_chars - i) {
            for &b in &bytes[bounds[i + n - 1]..bounds[i + n]] {
                h ^= u64::from(b);
                h = h.wrapping_mul(FNV_PRIME);
            }
            if n == 1 {
                let c = pad[bounds[i]..].chars().next().unwrap_or(' ');
                if c.is_ascii() || Script::of(c) == Script::Latin {
                    continue;
                }
            }
            grams[n - 1].push((finish_fnv(h) as u32) & mask);
        }
    }
    for g in grams.iter() {
        feats.extend(g.iter().map(|&row| (row, 1.0)));
    }
}

/// Emoji and pictographs stand alone: "😡😡" is two tokens of one kind.
fn is_pictograph(c: char) -> bool {
    matches!(c as u32, 0x1F000..=0x1FAFF | 0x2600..=0x27BF)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The n-grams as first written: every n-gram hashed on its own.
    fn reference_ngrams(tok: &str, mask: u32) -> Vec<Feature> {
        let pad = format!("\u{2}{tok}\u{3}");
        let mut bounds: Vec<usize> = pad.char_indices().map(|(i, _)| i).collect();
        bounds.push(pad.len());
        let num_chars = bounds.len() - 1;
        let mut out = Vec::new();
        for n in 1..=4usize {
            if n > num_chars {
                break;
            }
            for i in 0..=num_chars - n {
                let gram = &pad[bounds[i]..bounds[i + n]];
                if n == 1 {
                    let c = gram.chars().next().unwrap_or(' ');
                    if c.is_ascii() || Script::of(c) == Script::Latin {
                        continue;
                    }
                }
                out.push(((fnv(b'c', &[gram.as_bytes()]) as u32) & mask, 1.0));
            }
        }
        out
    }

    #[test]
    fn one_pass_ngrams_equal_ngrams_hashed_one_by_one() {
        let (mut pad, mut bounds, mut grams) = (String::new(), Vec::new(), Default::default());
        for tok in [
            "a",
            "ok",
            "scam",
            "don't",
            "x2",
            "supercalifragilistic",
            "penipuan",
            "lừa",
            "đảo",
            "โฆษณา",
            "诈骗广告",
            "광고를",
            "😡",
            "ज़",
        ] {
            for mask in [u32::MAX, (1 << 18) - 1] {
                let mut feats = Vec::new();
                char_ngrams(tok, mask, &mut pad, &mut bounds, &mut grams, &mut feats);
                assert_eq!(feats, reference_ngrams(tok, mask), "{tok}");
            }
        }
    }

    #[test]
    fn cached_words_give_the_features_hashed_afresh() {
        let model = crate::sentiment::SentimentModel::shipped();
        let texts = [
            "the ads were not a scam, the ads were fine and the payout was fine",
            "iklan penipuan pinjol marak lagi, iklan penipuan dilaporkan ke OJK",
            "quảng cáo lừa đảo tràn lan, quảng cáo lừa đảo bị phạt",
            "โฆษณาหลอกลวง โฆษณาหลอกลวงเงินกู้ออนไลน์",
            "詐欺広告が急増 詐欺広告の削除",
        ];
        // Plus every text of the shared sentiment dev split, when the shared
        // data folder is there (CI has none), in its own language.
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/sentiment/dev");
        let mut shared: Vec<(String, String)> = Vec::new();
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let content = std::fs::read_to_string(entry.path()).unwrap_or_default();
            for line in content.lines() {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(line) {
                    if let (Some(t), Some(l)) = (v["text"].as_str(), v["lang"].as_str()) {
                        shared.push((t.to_string(), l.to_string()));
                    }
                }
            }
        }
        let mut warm_shared = Scratch::default();
        for (text, lang) in &shared {
            let route = model.route(lang, text);
            let Some(m) = route.model else { continue };
            let mask = model.models[m].mask();
            let norm = crate::sentiment::text::normalize(text);
            let lexicon = model.lexicon(route);
            let hits = lexicon.scan(&norm);
            let mut fresh = Scratch::default();
            extract(&norm, &hits, lexicon, mask, &mut fresh);
            extract(&norm, &hits, lexicon, mask, &mut warm_shared);
            assert_eq!(warm_shared.feats, fresh.feats, "{lang}: {text}");
        }
        let masks = [(1u32 << 17) - 1, (1 << 18) - 1];
        // One scratch warmed by every text under both masks, in turn, and
        // read again: each result must equal a fresh scratch's.
        let mut warm = Scratch::default();
        for round in 0..3 {
            for (i, text) in texts.iter().enumerate() {
                let mask = masks[(i + round) % 2];
                let norm = crate::sentiment::text::normalize(text);
                let lexicon = model.lexicon(model.route("en", &norm));
                let hits = lexicon.scan(&norm);
                let mut fresh = Scratch::default();
                extract(&norm, &hits, lexicon, mask, &mut fresh);
                extract(&norm, &hits, lexicon, mask, &mut warm);
                assert_eq!(warm.feats, fresh.feats, "{text}, round {round}");
            }
        }
        assert!(warm.words.iter().all(|w| !w.index.is_empty()));
    }
}
