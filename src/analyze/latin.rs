//! Latin-script languages by kabar's own compact models: which of English,
//! Tagalog, romanised Hindi and the Malay family a text is in, and then
//! Indonesian or Malay.
//!
//! Most crawled text is Latin script, so this path sets the speed of the
//! whole analysis. General-purpose detectors compare a text with dozens of
//! languages through large n-gram tables; kabar needs only a handful and
//! reads each word once:
//!
//! 1. **Family model.** A linear (softmax) model over hashed features of
//!    every word: the word itself and its character trigrams and quadgrams
//!    with word boundaries. One table of `i8` weights, one row per hash
//!    bucket, one column per class; a text's score is the sum of its rows.
//!    Trained on labelled text (`examples/build_lang_model.rs`), so it knows
//!    informal and code-mixed writing (Taglish, Hinglish) as well as news.
//! 2. **Indonesian or Malay.** Character n-gram log-likelihood ratios
//!    (3 to 5 letters) taken from lingua's Indonesian and Malay models, which
//!    were built from comparable corpora, plus the spelling and vocabulary
//!    lists in [`super::markers`]. Indonesian is the default in a close call.
//! 3. **Other Latin languages.** A text whose words are mostly French,
//!    Spanish, Portuguese, Italian, German or Dutch function words (or
//!    Vietnamese written without its diacritics) leaves the fast path and
//!    goes to whatlang, so it is not misfiled as one of the four.
//!
//! Both tables are embedded (`include_bytes!`), about 0.8 MB together, and
//! rebuilt with `cargo run --release --example build_lang_model`.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use super::markers;

/// Classes of the family model, in table column order. `ms` stands for
/// the Malay family (Indonesian or Malay) until stage two decides.
pub const CLASSES: [&str; NUM_CLASSES] = ["en", "ms", "tl", "hi"];
pub const NUM_CLASSES: usize = 4;
pub const EN: usize = 0;
pub const MALAY_FAMILY: usize = 1;
pub const TL: usize = 2;
pub const HI: usize = 3;

/// At most this many bytes of a text are read: the family of a text is
/// settled within a few sentences.
const MAX_BYTES: usize = 1500;

/// Words longer than this are URLs, hashtags or noise.
const MAX_WORD_BYTES: usize = 24;

/// File format of a hashed weight table: magic, bucket bits, columns, the
/// dequantising scale, a bias per column, then `i8` weights row by row.
const MAGIC: &[u8; 4] = b"KBL1";

static FAMILY_BYTES: &[u8] = include_bytes!("data/latin_family.bin");
static IDMS_BYTES: &[u8] = include_bytes!("data/latin_idms.bin");

/// A hashed linear model: `num_cols` weights per bucket.
pub struct HashedTable<'a> {
    pub bits: u32,
    pub num_cols: usize,
    pub scale: f32,
    pub bias: Vec<f32>,
    pub weights: &'a [u8],
}

impl<'a> HashedTable<'a> {
    pub fn parse(bytes: &'a [u8]) -> Option<HashedTable<'a>> {
        let u32_at = |i: usize| -> Option<u32> {
            Some(u32::from_le_bytes(bytes.get(i..i + 4)?.try_into().ok()?))
        };
        if bytes.get(..4)? != MAGIC {
            return None;
        }
        let bits = u32_at(4)?;
        let num_cols = u32_at(8)? as usize;
        let scale = f32::from_bits(u32_at(12)?);
        let mut bias = Vec::with_capacity(num_cols);
        for c in 0..num_cols {
            bias.push(f32::from_bits(u32_at(16 + 4 * c)?));
        }
        let start = 16 + 4 * num_cols;
        let weights = bytes.get(start..)?;
        (weights.len() == (1usize << bits) * num_cols).then_some(HashedTable {
            bits,
            num_cols,
            scale,
            bias,
            weights,
        })
    }

    /// Serialises a table in the format [`HashedTable::parse`] reads.
    pub fn to_bytes(bits: u32, scale: f32, bias: &[f32], weights: &[i8]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend(bits.to_le_bytes());
        out.extend((bias.len() as u32).to_le_bytes());
        out.extend(scale.to_bits().to_le_bytes());
        for b in bias {
            out.extend(b.to_bits().to_le_bytes());
        }
        out.extend(weights.iter().map(|w| *w as u8));
        out
    }

    #[inline]
    pub fn row(&self, hash: u32) -> &[u8] {
        let i = bucket(hash, self.bits) * self.num_cols;
        &self.weights[i..i + self.num_cols]
    }
}

static FAMILY: LazyLock<HashedTable<'static>> = LazyLock::new(|| {
    let t = HashedTable::parse(FAMILY_BYTES).expect("embedded family model is well formed");
    assert_eq!(t.num_cols, NUM_CLASSES);
    t
});
static IDMS: LazyLock<HashedTable<'static>> = LazyLock::new(|| {
    HashedTable::parse(IDMS_BYTES).expect("embedded Indonesian/Malay model is well formed")
});

/// Bucket of a 32-bit hash in a table of `2^bits` rows (Fibonacci hashing:
/// the top bits of a multiplication spread nearby hashes apart).
#[inline]
pub fn bucket(hash: u32, bits: u32) -> usize {
    (hash.wrapping_mul(0x9E37_79B1) >> (32 - bits)) as usize
}

/// FNV-1a with a seed per feature kind, so a word and an n-gram with the
/// same bytes land in different buckets.
#[inline]
pub fn hash(seed: u32, bytes: &[u8]) -> u32 {
    let mut h = 0x811C_9DC5 ^ seed.wrapping_mul(0x0100_0193);
    for &b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Feature kinds (hash seeds).
const WORD: u32 = 1;
const GRAM: u32 = 2;
/// Seed of the Indonesian/Malay n-grams; the n-gram length is added.
pub const IDMS_GRAM: u32 = 16;

/// The Indonesian/Malay table has two columns, the ratio and a check byte
/// of the n-gram's hash: most n-grams are not in the table, and without the
/// check two in five of them would read another n-gram's ratio.
#[inline]
pub fn check_byte(hash: u32) -> u8 {
    (hash.wrapping_mul(0x85EB_CA6B) >> 24) as u8 | 1
}

/// Calls `f` with each word of `text`, lowercased, as bytes: runs of
/// letters (and apostrophes inside them). Digits and punctuation split
/// words. At most [`MAX_BYTES`] of the text are read.
pub fn for_each_word(text: &str, mut f: impl FnMut(&[u8])) {
    let text = &text[..floor_char_boundary(text, MAX_BYTES)];
    let mut word: Vec<u8> = Vec::with_capacity(32);
    let mut flush = |word: &mut Vec<u8>| {
        while word.last() == Some(&b'\'') {
            word.pop();
        }
        if !word.is_empty() && word.len() <= MAX_WORD_BYTES {
            f(word.as_slice());
        }
        word.clear();
    };
    for ch in text.chars() {
        if ch.is_ascii() {
            let b = ch as u8;
            if b.is_ascii_alphabetic() {
                word.push(b.to_ascii_lowercase());
            } else if b == b'\'' && !word.is_empty() {
                word.push(b);
            } else {
                flush(&mut word);
            }
        } else if ch == '\u{2019}' && !word.is_empty() {
            word.push(b'\'');
        } else if crate::chars::is_alphabetic(ch) {
            let mut buf = [0u8; 4];
            for lower in ch.to_lowercase() {
                word.extend_from_slice(lower.encode_utf8(&mut buf).as_bytes());
            }
        } else {
            flush(&mut word);
        }
    }
    flush(&mut word);
}

fn floor_char_boundary(text: &str, max: usize) -> usize {
    if text.len() <= max {
        return text.len();
    }
    let mut i = max;
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Calls `f` with the hash of every family-model feature of one word: the
/// word, and the trigrams and quadgrams of ` word `.
#[inline]
pub fn for_each_family_feature(word: &[u8], padded: &mut Vec<u8>, mut f: impl FnMut(u32)) {
    f(hash(WORD, word));
    padded.clear();
    padded.push(b' ');
    padded.extend_from_slice(word);
    padded.push(b' ');
    for n in 3..=4 {
        for gram in padded.windows(n) {
            f(hash(GRAM + n as u32, gram));
        }
    }
}

/// Calls `f` with the hash of every Indonesian/Malay n-gram of one word:
/// its 3- to 5-letter windows, as lingua counts them (no word boundary).
#[inline]
pub fn for_each_idms_feature(word: &[u8], mut f: impl FnMut(u32)) {
    for n in 3..=5 {
        for gram in word.windows(n) {
            f(hash(IDMS_GRAM + n as u32, gram));
        }
    }
}

/// What the word lists say about a text.
#[derive(Debug, Default, Clone, Copy)]
pub struct WordCounts {
    pub num_words: usize,
    pub malay: usize,
    pub indonesian: usize,
    pub european: usize,
    pub vietnamese: usize,
}

/// The family model's verdict and the word counts, from one pass.
#[derive(Debug, Clone)]
pub struct LatinScores {
    /// Class logits (natural-log units).
    pub logits: [f32; NUM_CLASSES],
    pub words: WordCounts,
}

impl LatinScores {
    /// Softmax probabilities of the classes.
    pub fn probabilities(&self) -> [f32; NUM_CLASSES] {
        let max = self.logits.iter().copied().fold(f32::MIN, f32::max);
        let mut p = self.logits.map(|l| (l - max).exp());
        let sum: f32 = p.iter().sum();
        for x in &mut p {
            *x /= sum;
        }
        p
    }
}

/// Word-list flags, one lookup per word.
const F_MALAY: u8 = 1;
const F_INDONESIAN: u8 = 2;
const F_EUROPEAN: u8 = 4;
const F_VIETNAMESE: u8 = 8;

/// Fx hashing: one lookup per word of every Latin text, and SipHash's
/// protection against chosen keys buys nothing for a fixed word list.
static WORD_FLAGS: LazyLock<FxHashMap<&'static [u8], u8>> = LazyLock::new(|| {
    let mut m: FxHashMap<&'static [u8], u8> = FxHashMap::default();
    for (list, flag) in [
        (markers::MALAY, F_MALAY),
        (markers::INDONESIAN, F_INDONESIAN),
        (markers::EUROPEAN, F_EUROPEAN),
        (markers::VIETNAMESE_PLAIN, F_VIETNAMESE),
    ] {
        for w in list {
            *m.entry(w.as_bytes()).or_default() |= flag;
        }
    }
    m
});

/// Scores `text` with the family model and the word lists, reading each
/// word once. The Indonesian/Malay ratio is [`idms`], asked for only when
/// the family model says Malay family: for other texts it would be
/// discarded, and its 3- to 5-letter windows cost more than the family
/// features.
pub fn score(text: &str) -> LatinScores {
    let family = &*FAMILY;
    let flags = &*WORD_FLAGS;
    let mut acc = [0i32; NUM_CLASSES];
    let mut words = WordCounts::default();
    let mut padded = Vec::with_capacity(MAX_WORD_BYTES + 2);
    for_each_word(text, |word| {
        words.num_words += 1;
        for_each_family_feature(word, &mut padded, |h| {
            let row = family.row(h);
            for (a, w) in acc.iter_mut().zip(row) {
                *a += i32::from(*w as i8);
            }
        });
        if let Some(f) = flags.get(word) {
            words.malay += usize::from(f & F_MALAY != 0);
            words.indonesian += usize::from(f & F_INDONESIAN != 0);
            words.european += usize::from(f & F_EUROPEAN != 0);
            words.vietnamese += usize::from(f & F_VIETNAMESE != 0);
        }
    });
    let mut logits = [0f32; NUM_CLASSES];
    for ((logit, bias), sum) in logits.iter_mut().zip(&family.bias).zip(acc) {
        *logit = bias + sum as f32 * family.scale;
    }
    LatinScores { logits, words }
}

/// The Indonesian/Malay n-gram log-likelihood ratio of `text`, positive
/// for Malay (the same words [`score`] reads).
pub fn idms(text: &str) -> f32 {
    let idms = &*IDMS;
    let mut idms_acc = 0i32;
    for_each_word(text, |word| {
        for_each_idms_feature(word, |h| {
            let row = idms.row(h);
            if row[1] == check_byte(h) {
                idms_acc += i32::from(row[0] as i8);
            }
        });
    });
    idms_acc as f32 * idms.scale
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_word(text, |w| out.push(String::from_utf8(w.to_vec()).unwrap()));
        out
    }

    #[test]
    fn words_are_lowercased_letter_runs() {
        assert_eq!(
            words("Don't PANIC: 42 apps’ Café—ok'"),
            ["don't", "panic", "apps", "café", "ok"]
        );
    }

    #[test]
    fn embedded_tables_parse() {
        assert_eq!(FAMILY.num_cols, NUM_CLASSES);
        assert_eq!(IDMS.num_cols, 2);
    }

    #[test]
    fn family_model_tells_the_four_apart() {
        let best = |t: &str| {
            let p = score(t).probabilities();
            let i = (0..NUM_CLASSES)
                .max_by(|a, b| p[*a].total_cmp(&p[*b]))
                .unwrap();
            CLASSES[i]
        };
        assert_eq!(best("the weather was nice and we went out"), "en");
        assert_eq!(best("saya tidak suka makanan di tempat itu"), "ms");
        assert_eq!(best("hindi ko alam kung saan siya pumunta"), "tl");
        assert_eq!(best("mujhe nahi pata woh kahan gaya"), "hi");
    }
}
