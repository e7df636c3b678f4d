//! The search analyzer: one analyzer per script family, chosen per run of
//! text, the same at index and at query time.
//!
//! Tantivy's default tokenizer splits on spaces and punctuation, which leaves
//! Thai, Khmer, Burmese, Chinese and Japanese as whole sentences and makes
//! their words unsearchable. Here ICU's word segmenter (dictionary mode, data
//! compiled into the binary) finds word boundaries in every script, and each
//! word goes to the analyzer of its script family:
//!
//! - **Han and kana** (Chinese, Japanese): every character as a unigram and
//!   every pair of neighbours as a bigram, each at the character's own
//!   position. A query is cut into bigrams only (a unigram when it is one
//!   character), which cannot miss: any substring of two or more characters
//!   of the text matches, as a phrase. No dictionary is needed for that:
//!   text without Thai, Lao, Khmer or Burmese goes through ICU's rule-only
//!   segmenter, which leaves each run of Han and hiragana whole (see
//!   [`chunk_breaks`]).
//! - **Hangul**: the same unigrams and bigrams inside each word, plus the
//!   whole word, so a noun is found under the particle glued to it (광고를).
//! - **Everything else** (Latin, Cyrillic, Thai, Lao, Khmer, Burmese, Indic,
//!   Arabic): the word, NFKC-normalised (full-width and half-width forms
//!   meet) and lowercased, without zero-width joiners, Devanagari nukta or
//!   Arabic vowel marks, with Arabic yeh and kaf folded to the Urdu/Persian
//!   letters. A Latin word with diacritics is indexed twice at one position,
//!   as written and without its marks (`thành` and `thanh`), while a query
//!   keeps what was typed: accented queries match accented text exactly,
//!   queries without accents match both.
//!
//! Positions count characters in Han, kana and Hangul and words elsewhere,
//! identically on both sides, so phrase queries work in every script and
//! across scripts. Offsets point into the original text so snippets
//! highlight the right characters.

use std::ops::Range;
use std::sync::{LazyLock, Mutex, PoisonError};

use icu_segmenter::options::WordBreakInvariantOptions;
use icu_segmenter::{WordSegmenter, WordSegmenterBorrowed};
use rustc_hash::FxHashMap;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer, TokenizerManager};
use unicode_normalization::{IsNormalized, UnicodeNormalization};

/// The name the analyzer is registered under in the index.
pub const ANALYZER: &str = "kabar";

/// Longest token kept, in bytes. Longer "words" are base64, hashes or
/// segmentation failures and only bloat the dictionary.
const MAX_TOKEN_BYTES: usize = 120;

/// Which side of the index a text is analysed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Documents: every form a query may ask for.
    #[default]
    Index,
    /// Queries: one form per position, the one that cannot miss.
    Query,
}

/// The multi-script analyzer; see the module docs.
#[derive(Clone, Default)]
pub struct MultiScriptTokenizer {
    mode: Mode,
}

impl MultiScriptTokenizer {
    pub fn new(mode: Mode) -> Self {
        MultiScriptTokenizer { mode }
    }
}

impl Tokenizer for MultiScriptTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream {
            tokens: analyze(text, self.mode),
            index: 0,
            token: Token::default(),
        }
    }
}

/// Tokenizers for parsing queries: the analyzer in [`Mode::Query`] under the
/// name the schema gives it.
pub fn query_tokenizers() -> TokenizerManager {
    let manager = TokenizerManager::default();
    manager.register(
        ANALYZER,
        TextAnalyzer::builder(MultiScriptTokenizer::new(Mode::Query)).build(),
    );
    manager
}

/// Tokens of `text` as the index stores them.
pub fn tokenize(text: &str) -> Vec<Token> {
    analyze(text, Mode::Index).to_vec()
}

/// Tokens of `text` as a query asks for them.
pub fn tokenize_query(text: &str) -> Vec<Token> {
    analyze(text, Mode::Query).to_vec()
}

/// ICU4X's dictionary word segmenter (compiled data, no files), shared with
/// the sentiment features, which read Thai as words too.
pub(crate) static SEGMENTER: LazyLock<WordSegmenterBorrowed<'static>> =
    LazyLock::new(|| WordSegmenter::new_dictionary(WordBreakInvariantOptions::default()));

/// ICU4X's segmenter without dictionaries: the same rules, but each run of
/// Chinese/Japanese dictionary characters (Han, hiragana, see
/// [`is_cj_dictionary`]) is one segment. The index cuts such runs into
/// characters anyway, so for text without Thai, Lao, Khmer or Burmese it
/// gives the same tokens as [`SEGMENTER`] without the dictionary look-ups.
static RULES_ONLY: WordSegmenterBorrowed<'static> =
    WordSegmenter::new_for_non_complex_scripts(WordBreakInvariantOptions::default());

/// Thai runs whose word breaks one generation of [`THAI_BREAKS`] holds; two
/// generations are kept. A single map of 8,192 runs raised the crawl
/// benchmark's peak memory by 20 MiB (the bench's Thai runs are whole
/// sentences).
const MAX_REMEMBERED_RUNS: usize = 2048;

/// Word breaks of Thai runs, by their text. The sentiment features
/// segment every Thai run of an article (see `sentiment::features`) and
/// leave the breaks here; the index tokenizer meets the same runs when the
/// article reaches the index a moment later (see [`chunk_breaks`]) and
/// reads them here, so each run goes through ICU's dictionary once. On
/// distinct Thai social posts joined into articles, the bytes ICU
/// segments for sentiment and index together fell from 1.85 to 1.13
/// times the text.
///
/// The index only reads: runs repeat across the articles in flight
/// (boilerplate, quotes, and the benchmark's paragraph pool), and a run
/// taken out for one article was missing for the next. Memory is bounded
/// by generations: when the current map is full it becomes the previous
/// one and the old previous one is dropped, so a run stays at least
/// [`MAX_REMEMBERED_RUNS`] insertions (a single map cleared when full
/// dropped runs the index had yet to read). That covers a full index
/// queue when one article in five is Thai, as in the crawl benchmark; a
/// Thai-only crawl with the index that far behind segments some runs twice.
static THAI_BREAKS: LazyLock<Mutex<Generations>> = LazyLock::new(Default::default);

/// A Thai run's text to its word breaks.
type BreaksByRun = FxHashMap<Box<str>, Box<[u32]>>;

/// The current and the previous generation of remembered runs.
#[derive(Default)]
struct Generations {
    current: BreaksByRun,
    previous: BreaksByRun,
}

impl Generations {
    fn get(&self, run: &str) -> Option<&[u32]> {
        self.current
            .get(run)
            .or_else(|| self.previous.get(run))
            .map(|b| &b[..])
    }

    fn insert(&mut self, run: &str, breaks: Box<[u32]>) {
        if self.current.len() >= MAX_REMEMBERED_RUNS {
            self.previous = std::mem::take(&mut self.current);
        }
        self.current.insert(run.into(), breaks);
    }
}

/// What [`segment_breaks`] does with the runs it segments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Remember {
    /// Look them up, and remember the ones segmented (the sentiment
    /// features, which read each run first).
    Leave,
    /// Look them up only (the index, which reads each run last).
    Read,
}

/// ICU's word breaks of `text` (offsets from 0 to `text.len()`) into `out`,
/// which is cleared first. Text that starts with a Thai letter goes
/// through [`THAI_BREAKS`]: the same breaks, segmented once for both
/// readers.
pub(crate) fn segment_breaks(text: &str, out: &mut Vec<usize>, remember: Remember) {
    out.clear();
    let thai = text
        .chars()
        .next()
        .is_some_and(|c| ('\u{0E01}'..='\u{0E5B}').contains(&c));
    if !thai || text.len() > u32::MAX as usize {
        out.extend(SEGMENTER.segment_str(text));
        return;
    }
    {
        let memo = THAI_BREAKS.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(breaks) = memo.get(text) {
            out.extend(breaks.iter().map(|&b| b as usize));
            return;
        }
    }
    out.extend(SEGMENTER.segment_str(text));
    if remember == Remember::Leave {
        let breaks = out.iter().map(|&b| b as u32).collect();
        THAI_BREAKS
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(text, breaks);
    }
}

/// ICU's word breaks of a chunk that is not plain Latin, the same as
/// [`segment_breaks`] finds in the whole chunk, into `out`. Each Thai word
/// run (from a Thai letter after white space, or at the start, to the next
/// white space) is segmented on its own: a run of Thai letters between
/// spaces is exactly what the sentiment features segmented and left in
/// [`THAI_BREAKS`] (a Thai sentence ends at a space), so the index reads
/// their breaks instead of segmenting the whole chunk again. The cuts
/// change no break: ICU always breaks before white space that follows
/// other text, and after white space before a letter (as in [`chunks`]),
/// and no rule looks across white space.
///
/// A chunk that needs no dictionary ([`needs_dictionary`] is false: no
/// Thai, Lao, Khmer or Burmese) goes through [`RULES_ONLY`] instead, unless
/// `dictionary_only` (the reference path of the tests).
fn chunk_breaks(chunk: &str, out: &mut Vec<usize>, piece: &mut Vec<usize>, dictionary_only: bool) {
    out.clear();
    if !dictionary_only && !needs_dictionary(chunk) {
        out.extend(RULES_ONLY.segment_str(chunk));
        return;
    }
    let bytes = chunk.as_bytes();
    // Every Thai letter's UTF-8 starts with 0xE0; Han, kana and Hangul
    // never do, so their chunks are segmented whole without a scan.
    if memchr::memchr(0xE0, bytes).is_none() {
        segment_breaks(chunk, out, Remember::Read);
        return;
    }
    // Appends a piece's breaks at `offset`; the first is the last one's end.
    let append = |out: &mut Vec<usize>, offset: usize, piece: &[usize]| {
        for &b in piece {
            if out.last() != Some(&(offset + b)) {
                out.push(offset + b);
            }
        }
    };
    // Where the text not yet segmented starts.
    let mut rest = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Byte by byte: a continuation byte is never white space and never
        // starts a Thai letter.
        if !((i == 0 || is_cut_space(bytes[i - 1])) && thai_letter_at(bytes, i)) {
            i += 1;
            continue;
        }
        let end = bytes[i..]
            .iter()
            .position(|&b| is_cut_space(b))
            .map_or(bytes.len(), |n| i + n);
        if i > rest {
            segment_breaks(&chunk[rest..i], piece, Remember::Read);
            append(out, rest, piece);
        }
        segment_breaks(&chunk[i..end], piece, Remember::Read);
        append(out, i, piece);
        rest = end;
        i = end;
    }
    if rest < bytes.len() || bytes.is_empty() {
        segment_breaks(&chunk[rest..], piece, Remember::Read);
        append(out, rest, piece);
    }
}

/// Whether the rule-only segmenter would break `chunk` differently from
/// the dictionary segmenter in a way the tokens show. ICU4X sends runs of
/// "complex" characters to a dictionary by script; without one, each run
/// of a script is one segment. For Thai, Lao, Khmer and Burmese the
/// index needs the dictionary's words. For Chinese and Japanese it needs
/// only the runs, which both segmenters end at the same places, as long
/// as every character of the run is a letter or digit: a symbol inside
/// (a CJK radical, U+16FE2, 🈀) is a segment of its own that the
/// dictionary leaves out of the run, and the rules would keep in it.
fn needs_dictionary(chunk: &str) -> bool {
    chunk.chars().any(|c| {
        let u = c as u32;
        // Below U+0E00 no character is complex, and neither are the
        // Hangul syllables; most text of most chunks is one or the other.
        if u < 0x0E00 || (0xAC00..=0xD7AF).contains(&u) {
            return false;
        }
        is_southeast_asian_complex(u) || (is_cj_dictionary(u) && !crate::chars::is_alphanumeric(c))
    })
}

/// Characters ICU4X segments with the Thai, Lao, Burmese or Khmer
/// dictionary (`get_complex_script` in icu_segmenter 2.4), and the few
/// code points inside those ranges it leaves out (in Lao, Myanmar
/// Extended-B and Khmer): a superset only sends a chunk to the dictionary
/// that did not need it.
fn is_southeast_asian_complex(u: u32) -> bool {
    matches!(u,
        0x0E01..=0x0E3A | 0x0E40..=0x0E4E
        | 0x0E81..=0x0EDF
        | 0x1000..=0x103F | 0x1050..=0x108F | 0x109A..=0x109F
        | 0xA9E0..=0xA9FE | 0xAA60..=0xAA7F
        | 0x1780..=0x17DD)
}

/// Characters ICU4X segments with the Chinese/Japanese dictionary
/// (`get_complex_script` in icu_segmenter 2.4): Han and its radicals,
/// ideographic marks and numerals, hiragana, hentaigana and small kana,
/// and U+1F200. Katakana is segmented by rule (UAX #29's Katakana class).
fn is_cj_dictionary(u: u32) -> bool {
    matches!(u,
        0x2E80..=0x2E99 | 0x2E9B..=0x2EF3 | 0x2F00..=0x2FD5
        | 0x3005 | 0x3007 | 0x3021..=0x3029 | 0x3038..=0x303B
        | 0x3041..=0x3096 | 0x309D..=0x309F
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFA6D | 0xFA70..=0xFAD9
        | 0x16FE2 | 0x16FE3 | 0x16FF0..=0x16FF6
        | 0x1B001..=0x1B11F | 0x1B132 | 0x1B150..=0x1B152
        | 0x1F200
        | 0x20000..=0x2A6DF | 0x2A700..=0x2B81D | 0x2B820..=0x2CEAD
        | 0x2CEB0..=0x2EBE0 | 0x2EBF0..=0x2EE5D | 0x2F800..=0x2FA1D
        | 0x30000..=0x3134A | 0x31350..=0x33479)
}

/// ASCII white space (vertical tab included): where [`chunks`] and
/// [`chunk_breaks`] may cut text without moving one of ICU's breaks.
fn is_cut_space(b: u8) -> bool {
    b.is_ascii_whitespace() || b == 0x0B
}

/// A Thai consonant, or a vowel that is a letter of its own (not a
/// combining sign), at byte `i`: U+0E01-U+0E30, U+0E32, U+0E33,
/// U+0E40-U+0E46.
fn thai_letter_at(bytes: &[u8], i: usize) -> bool {
    match bytes[i..] {
        [0xE0, 0xB8, b, ..] => matches!(b, 0x81..=0xB0 | 0xB2 | 0xB3),
        [0xE0, 0xB9, b, ..] => matches!(b, 0x80..=0x86),
        _ => false,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// Han and kana: character n-grams.
    Cjk,
    /// Hangul: word plus character n-grams.
    Hangul,
    /// Everything else: normalised words.
    Word,
}

/// Han and kana: the characters of the Chinese/Japanese dictionary (so a
/// run the rule-only segmenter keeps whole is all of this family), plus
/// katakana, 〆 and the rest of the kana and compatibility blocks.
fn is_cjk(c: char) -> bool {
    let u = c as u32;
    matches!(u,
        0x3006 | 0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F | 0xF900..=0xFAFF
        | 0x20000..=0x2FA1F)
        || is_cj_dictionary(u)
}

fn is_hangul(c: char) -> bool {
    matches!(c as u32, 0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F)
}

fn family_of(piece: &str) -> Family {
    // Neither family has ASCII; most words start with it.
    if piece.as_bytes().first().is_some_and(u8::is_ascii) {
        Family::Word
    } else if piece.chars().all(is_cjk) {
        Family::Cjk
    } else if piece.chars().all(is_hangul) {
        Family::Hangul
    } else {
        Family::Word
    }
}

/// Builds the token list: cut the text into chunks at whitespace, segment
/// each chunk (plain Latin ones by [`latin_words`], the rest by ICU), and
/// hand each word or run of Han/kana to its family's analyzer.
fn analyze(text: &str, mode: Mode) -> Tokens {
    // Sized once: growing the arena and the spans token by token copied
    // them over and over (about half a percent of the crawl's time). Token
    // texts are about the text's length (Han/kana runs add their bigrams);
    // a token takes five or more bytes of text (Han/kana about two).
    let mut out = Tokens::with_spare_buffers();
    out.arena.reserve(text.len() + text.len() / 4);
    out.spans.reserve(text.len() / 5 + 1);
    for (start, end, latin) in chunks(text) {
        if latin {
            latin_words(&text[start..end], |from, to| {
                out.word_piece(start + from, &text[start + from..start + to], mode);
            });
        } else {
            out.icu_segments(text, start, end, mode);
        }
    }
    out
}

/// The tokens of `text` with ICU's dictionary segmenter segmenting all of
/// it, as before the plain-Latin and rule-only paths: the reference the
/// tests and the `languages` benchmark compare [`tokenize`] and
/// [`tokenize_query`] with.
#[doc(hidden)]
pub fn tokenize_icu_only(text: &str, mode: Mode) -> Vec<Token> {
    let mut out = Tokens::default();
    out.dictionary_only = true;
    out.icu_segments(text, 0, text.len(), mode);
    out.to_vec()
}

/// Characters the plain-Latin fast path segments itself: ASCII, Latin
/// letters with diacritics as precomposed characters (Latin-1, Extended-A
/// and -B, Extended Additional: Vietnamese), curly quotes, en and em dashes
/// and the no-break space. None of them is an Extend, Format or ZWJ
/// character, so UAX #29's rule WB4 never applies inside such text. The
/// analyzer asks [`plain_latin_at`], which reads the same set from UTF-8
/// bytes; this is what the tests check it and [`word_class`] against.
#[cfg(test)]
fn is_plain_latin(c: char) -> bool {
    c.is_ascii() || word_class(c) != WordClass::NotPlain
}

/// UAX #29 word-break classes of the plain-Latin characters, as ICU4X
/// applies them (see the tests for what was checked against ICU).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WordClass {
    /// ALetter: ASCII and precomposed Latin letters.
    Letter,
    /// Numeric: ASCII digits.
    Digit,
    /// ExtendNumLet: `_`, joins letters and digits on both sides.
    Underscore,
    /// MidLetter: `:`, between two letters only. ICU4X keeps UAX #29's
    /// colon here ("re:invent" is one word), unlike ICU's root rules.
    MidLetter,
    /// MidNumLetQ: `.` `'` ‘ ’, between two letters or two digits.
    MidNumLet,
    /// MidNum: `,` `;`, between two digits.
    MidNum,
    /// Everything else plain: breaks on both sides.
    Other,
    /// Not plain Latin: the chunk goes to ICU.
    NotPlain,
}

fn word_class(c: char) -> WordClass {
    match c {
        'a'..='z' | 'A'..='Z' => WordClass::Letter,
        '0'..='9' => WordClass::Digit,
        '_' => WordClass::Underscore,
        '.' | '\'' | '\u{2018}' | '\u{2019}' => WordClass::MidNumLet,
        ':' => WordClass::MidLetter,
        ',' | ';' => WordClass::MidNum,
        '\0'..='\u{7F}' => WordClass::Other,
        '\u{00C0}'..='\u{00D6}'
        | '\u{00D8}'..='\u{00F6}'
        | '\u{00F8}'..='\u{024F}'
        | '\u{1E00}'..='\u{1EFF}' => WordClass::Letter,
        '\u{00A0}' | '\u{2013}' | '\u{2014}' | '\u{201C}' | '\u{201D}' => WordClass::Other,
        _ => WordClass::NotPlain,
    }
}

/// The word-like segments (those with a letter or digit) of plain-Latin
/// `text`, as byte ranges in order, by UAX #29's rules restricted to the
/// classes above: letters and digits join each other (WB5, WB8-WB10), `_`
/// joins them and itself (WB13a-b), MidLetter or MidNumLet joins two
/// letters (WB6-7) and MidNum or MidNumLet two digits (WB11-12);
/// everything else breaks.
/// Segments of `_` alone are not word-like and are not reported.
fn latin_words(text: &str, mut word: impl FnMut(usize, usize)) {
    use WordClass::*;
    let mut chars = text
        .char_indices()
        .map(|(i, c)| (i, word_class(c)))
        .peekable();
    while let Some((start, first)) = chars.next() {
        if !matches!(first, Letter | Digit | Underscore) {
            continue;
        }
        let mut last = first;
        let mut alnum = first != Underscore;
        let mut end = text.len();
        while let Some(&(i, class)) = chars.peek() {
            let joins = match (last, class) {
                (Letter | Digit, Letter | Digit) => true,
                (Letter | Digit | Underscore, Underscore) | (Underscore, Letter | Digit) => true,
                (Letter, MidLetter | MidNumLet) | (Digit, MidNumLet | MidNum) => {
                    // Joins only when the same class follows the middle.
                    let mut ahead = chars.clone();
                    ahead.next();
                    ahead.peek().is_some_and(|&(_, next)| next == last)
                }
                _ => false,
            };
            if !joins {
                end = i;
                break;
            }
            chars.next();
            if matches!(class, MidLetter | MidNumLet | MidNum) {
                // The letter or digit after it, already checked.
                chars.next();
            } else {
                last = class;
                alnum |= class != Underscore;
            }
        }
        if alnum {
            word(start, end);
        }
    }
}

/// Whether the character of UTF-8 `bytes` that starts at `i` is plain
/// Latin (has a [`WordClass`] other than `NotPlain`), and its length, from
/// its bytes without decoding it.
fn plain_latin_at(bytes: &[u8], i: usize) -> (bool, usize) {
    let next = |k: usize| bytes.get(i + k).copied().unwrap_or(0);
    match bytes[i] {
        0x00..=0x7F => (true, 1),
        // U+00A0.
        0xC2 => (next(1) == 0xA0, 2),
        // U+00C0-U+00FF but × and ÷.
        0xC3 => (!matches!(next(1), 0x97 | 0xB7), 2),
        // U+0100-U+024F.
        0xC4..=0xC8 => (true, 2),
        0xC9 => (next(1) <= 0x8F, 2),
        0xC0..=0xDF => (false, 2),
        // U+1E00-U+1EFF.
        0xE1 => (matches!(next(1), 0xB8..=0xBB), 3),
        // U+2013, U+2014, U+2018, U+2019, U+201C, U+201D.
        0xE2 => (
            next(1) == 0x80 && matches!(next(2), 0x93 | 0x94 | 0x98 | 0x99 | 0x9C | 0x9D),
            3,
        ),
        0xE0..=0xEF => (false, 3),
        _ => (false, 4),
    }
}

/// Cuts `text` into chunks `(start, end, plain_latin)`: each plain-Latin
/// chunk is segmented by [`latin_words`], every other by ICU. A cut is made
/// only after an ASCII whitespace character and before a plain-Latin
/// character that is not ASCII whitespace. ICU always breaks there (no rule
/// joins whitespace to what follows, and that character is not Extend or
/// Format, so WB4 does not attach it backwards), and no rule on either side
/// looks across it (WB6-7 and WB11-12 look one character past a middle
/// punctuation, never past whitespace; the regional-indicator count of
/// WB15-16 stops at it; Thai and Han runs end at it): so ICU finds the same
/// boundaries in each chunk as in the whole text. Neighbouring chunks of one
/// kind are merged, so a plain-Latin text is one chunk.
fn chunks(text: &str) -> Vec<(usize, usize, bool)> {
    let bytes = text.as_bytes();
    let mut out: Vec<(usize, usize, bool)> = Vec::new();
    let mut close = |start: usize, end: usize, latin: bool| match out.last_mut() {
        Some(last) if last.2 == latin => last.1 = end,
        _ => out.push((start, end, latin)),
    };
    let mut group = 0;
    let mut latin = true;
    let mut after_space = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (plain, len) = plain_latin_at(bytes, i);
        let space = is_cut_space(b);
        if after_space && plain && !space && i > group {
            close(group, i, latin);
            group = i;
            latin = true;
        }
        latin &= plain;
        after_space = space;
        i += len;
    }
    if group < bytes.len() {
        close(group, bytes.len(), latin);
    }
    out
}

/// One token of [`Tokens`]: a [`Token`] whose text is a range of the
/// list's text arena.
#[derive(Debug, Clone)]
struct Span {
    from: usize,
    to: usize,
    position: usize,
    text: Range<usize>,
}

/// The buffers of a [`Tokens`] a thread dropped, emptied, for its next
/// token list. The index analyses every article's title and body on
/// Tantivy's one indexing thread; fresh buffers for each, grown by
/// reallocation on Han/kana text, were most of that thread's page faults
/// on the crawl benchmark (about 5 of every 7), since the allocator had
/// handed the freed pages back to the system in between.
struct SpareBuffers {
    arena: String,
    spans: Vec<Span>,
    breaks: Vec<usize>,
    piece_breaks: Vec<usize>,
}

/// Buffers larger than this (in bytes, all four together) are freed, not
/// kept: one huge body should not pin its buffers for the rest of a crawl.
const MAX_SPARE_BYTES: usize = 4 << 20;

thread_local! {
    static SPARE: std::cell::RefCell<Option<SpareBuffers>> =
        const { std::cell::RefCell::new(None) };
}

impl Drop for Tokens {
    /// Hands the buffers, emptied, to this thread's next token list.
    fn drop(&mut self) {
        let bytes = self.arena.capacity()
            + self.spans.capacity() * std::mem::size_of::<Span>()
            + (self.breaks.capacity() + self.piece_breaks.capacity())
                * std::mem::size_of::<usize>();
        if bytes == 0 || bytes > MAX_SPARE_BYTES {
            return;
        }
        let mut spare = SpareBuffers {
            arena: std::mem::take(&mut self.arena),
            spans: std::mem::take(&mut self.spans),
            breaks: std::mem::take(&mut self.breaks),
            piece_breaks: std::mem::take(&mut self.piece_breaks),
        };
        spare.arena.clear();
        spare.spans.clear();
        spare.breaks.clear();
        spare.piece_breaks.clear();
        // Fails only while the thread is exiting; the buffers are then freed.
        let _ = SPARE.try_with(|cell| {
            if let Ok(mut slot) = cell.try_borrow_mut() {
                *slot = Some(spare);
            }
        });
    }
}

/// The growing token list and the next free position. Token texts live
/// end to end in one arena instead of a `String` each: a body has
/// thousands of tokens, and their allocations showed in the crawl
/// profile. A Han or kana run writes its characters next to each other,
/// so a bigram's text is the range over two neighbours, with no copy.
#[derive(Default)]
struct Tokens {
    arena: String,
    spans: Vec<Span>,
    position: usize,
    /// ICU's breaks of the chunk being segmented (scratch).
    breaks: Vec<usize>,
    /// ICU's breaks of one piece of that chunk (scratch).
    piece_breaks: Vec<usize>,
    /// Segment everything with the dictionary (the reference of
    /// [`tokenize_icu_only`]).
    dictionary_only: bool,
}

impl Tokens {
    /// An empty token list on this thread's spare buffers, if it has any.
    fn with_spare_buffers() -> Tokens {
        match SPARE.with_borrow_mut(Option::take) {
            Some(b) => Tokens {
                arena: b.arena,
                spans: b.spans,
                position: 0,
                breaks: b.breaks,
                piece_breaks: b.piece_breaks,
                dictionary_only: false,
            },
            None => Tokens::default(),
        }
    }

    /// The tokens as tantivy's [`Token`]s, each with its own text.
    fn to_vec(&self) -> Vec<Token> {
        self.spans
            .iter()
            .map(|s| {
                let mut token = Token::default();
                self.fill(s, &mut token);
                token
            })
            .collect()
    }

    /// Makes `token` the token of `s`, reusing its text buffer.
    fn fill(&self, s: &Span, token: &mut Token) {
        token.offset_from = s.from;
        token.offset_to = s.to;
        token.position = s.position;
        token.position_length = 1;
        token.text.clear();
        token.text.push_str(&self.arena[s.text.clone()]);
    }

    /// ICU's segments of `text[from..to]`: each word, or run of adjacent
    /// Han/kana words, to its family's analyzer.
    fn icu_segments(&mut self, text: &str, from: usize, to: usize, mode: Mode) {
        // A run of adjacent Han/kana segments: its start and end.
        let mut run: Option<(usize, usize)> = None;
        let mut breaks = std::mem::take(&mut self.breaks);
        chunk_breaks(
            &text[from..to],
            &mut breaks,
            &mut self.piece_breaks,
            self.dictionary_only,
        );
        let Some((&first, rest)) = breaks.split_first() else {
            self.breaks = breaks;
            return;
        };
        let mut start = from + first;
        for end in rest.iter().map(|b| from + b) {
            let piece = &text[start..end];
            // ICU4X's `is_word_like` misreports Devanagari words with some
            // vowel signs (की, ने) as non-words, so word-likeness is decided
            // here: a segment with any letter or digit is a word.
            let wordlike = piece.chars().any(crate::chars::is_alphanumeric);
            if wordlike && family_of(piece) == Family::Cjk {
                match &mut run {
                    Some((_, run_end)) if *run_end == start => *run_end = end,
                    _ => {
                        if let Some((s, e)) = run.take() {
                            self.cjk_run(text, s, e, mode);
                        }
                        run = Some((start, end));
                    }
                }
                start = end;
                continue;
            }
            if let Some((s, e)) = run.take() {
                self.cjk_run(text, s, e, mode);
            }
            if wordlike {
                self.word_piece(start, piece, mode);
            }
            start = end;
        }
        if let Some((s, e)) = run.take() {
            self.cjk_run(text, s, e, mode);
        }
        self.breaks = breaks;
    }

    /// A word-like segment that is not Han/kana, at byte `offset`: a Hangul
    /// word, or words split at quotes outside Latin script.
    fn word_piece(&mut self, offset: usize, piece: &str, mode: Mode) {
        if piece.len() > MAX_TOKEN_BYTES {
            return;
        }
        match family_of(piece) {
            Family::Hangul => self.hangul_word(offset, piece, mode),
            _ => {
                split_quoted(piece, |from, part| self.word(offset + from, part, mode));
            }
        }
    }

    /// Adds a token whose text is `self.arena[text]`.
    fn push(&mut self, from: usize, to: usize, text: Range<usize>, position: usize) {
        debug_assert!(from <= to);
        self.spans.push(Span {
            from,
            to,
            position,
            text,
        });
    }

    /// Writes `s` in NFKC at the end of the arena and returns its range;
    /// only the stretches that fail the quick check are normalised, the
    /// rest (nearly all) is copied as it is.
    fn write_nfkc(&mut self, s: &str) -> Range<usize> {
        let start = self.arena.len();
        if s.is_ascii() {
            self.arena.push_str(s);
        } else {
            crate::chars::push_nfkc(s, &mut self.arena);
        }
        start..self.arena.len()
    }

    /// A word of a space-separated or ICU-segmented script.
    fn word(&mut self, offset: usize, piece: &str, mode: Mode) {
        let start = self.arena.len();
        normalise_word(piece, &mut self.arena);
        let normalised = start..self.arena.len();
        if !self.arena[normalised.clone()]
            .chars()
            .any(crate::chars::is_alphanumeric)
        {
            self.arena.truncate(start);
            return;
        }
        let position = self.position;
        self.position += 1;
        let to = offset + piece.len();
        self.push(offset, to, normalised.clone(), position);
        if mode == Mode::Index {
            let folded = self.arena.len();
            if fold_latin_diacritics(&mut self.arena, normalised) {
                self.push(offset, to, folded..self.arena.len(), position);
            }
        }
    }

    /// A run of Han and kana: unigrams and bigrams at each character's
    /// position (bigrams only for a query), in position order.
    fn cjk_run(&mut self, text: &str, start: usize, end: usize, mode: Mode) {
        let chars = self.normalised_chars(&text[start..end], start);
        let base = self.position;
        self.position += chars.len();
        if !chars.is_empty() {
            self.grams(&chars, base, mode);
        }
    }

    /// The unigrams (in [`Mode::Index`]) and bigrams of normalised
    /// characters written next to each other by [`Tokens::normalised_chars`],
    /// from position `base`; a query of one character is that character.
    fn grams(&mut self, chars: &[(usize, usize, Range<usize>)], base: usize, mode: Mode) {
        if mode == Mode::Query && chars.len() == 1 {
            let (from, to, ref c) = chars[0];
            self.push(from, to, c.clone(), base);
            return;
        }
        for (i, (from, to, c)) in chars.iter().enumerate() {
            if mode == Mode::Index {
                self.push(*from, *to, c.clone(), base + i);
            }
            if let Some((_, next_to, next)) = chars.get(i + 1) {
                self.push(*from, *next_to, c.start..next.end, base + i);
            }
        }
    }

    /// A Hangul word: its syllables as unigrams and bigrams (bigrams only
    /// for a query), and the whole word when it is longer than a bigram.
    fn hangul_word(&mut self, offset: usize, piece: &str, mode: Mode) {
        let chars = self.normalised_chars(piece, offset);
        let base = self.position;
        self.position += chars.len();
        if mode == Mode::Index && chars.len() > 2 {
            let whole = self.write_nfkc(piece);
            self.push(offset, offset + piece.len(), whole, base);
        }
        self.grams(&chars, base, mode);
    }

    /// Each character of `s` with its byte range (shifted by `offset`),
    /// NFKC-normalised together with the voicing marks that follow it, so
    /// half-width ｶｰﾄﾞ becomes カード. The normalised characters are
    /// written to the arena one after another, and each comes with its
    /// range there; characters that normalise to nothing are left out.
    fn normalised_chars(&mut self, s: &str, offset: usize) -> Vec<(usize, usize, Range<usize>)> {
        let mut clusters: Vec<(usize, usize)> = Vec::new();
        for (i, c) in s.char_indices() {
            let voicing = matches!(c, '\u{3099}' | '\u{309A}' | '\u{FF9E}' | '\u{FF9F}');
            match clusters.last_mut() {
                Some(last) if voicing => last.1 = i + c.len_utf8(),
                _ => clusters.push((i, i + c.len_utf8())),
            }
        }
        let mut out = Vec::with_capacity(clusters.len());
        for (from, to) in clusters {
            let text = self.write_nfkc(&s[from..to]);
            if !text.is_empty() {
                out.push((offset + from, offset + to, text));
            }
        }
        out
    }
}

/// NFKC, lowercase, and the script-specific folds of the module docs,
/// appended to `out`.
fn normalise_word(piece: &str, out: &mut String) {
    // ASCII is its own NFKC and none of the folds below touch it; most
    // words of most articles take this path.
    if piece.is_ascii() {
        let start = out.len();
        out.push_str(piece);
        out[start..].make_ascii_lowercase();
        return;
    }
    // Most non-ASCII words (Thai, Vietnamese, Hindi as typed) are NFKC
    // already, and the quick check (from BMP bit sets for starters) is far
    // cheaper than decomposing and recomposing them; most of those are also
    // lowercase (or caseless) with nothing to fold, and are copied as they
    // are.
    if crate::chars::nfkc_quick(piece) == IsNormalized::Yes {
        if piece
            .chars()
            .all(|c| !crate::chars::lowercase_changes(c) && !folds(c))
        {
            out.push_str(piece);
        } else {
            fold_word(piece.chars(), out)
        }
    } else {
        fold_word(piece.nfkc(), out)
    }
}

/// Whether [`fold_word`] drops or replaces `c`.
fn folds(c: char) -> bool {
    fold_char(c) != Some(c)
}

/// Lowercase and the script-specific folds, on NFKC characters.
fn fold_word(chars: impl Iterator<Item = char>, out: &mut String) {
    out.extend(chars.flat_map(char::to_lowercase).filter_map(fold_char))
}

/// What a lowercase character becomes in a word: itself, another letter,
/// or nothing.
fn fold_char(c: char) -> Option<char> {
    match c {
        // Zero-width space, joiners, word joiner, BOM, soft hyphen: how
        // a word is rendered, not which word it is.
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => None,
        // Devanagari nukta: ज़ and ज are typed interchangeably.
        '\u{093C}' => None,
        // Arabic harakat, superscript alef and tatweel.
        '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}' => None,
        // Arabic yeh, alef maksura and kaf as Urdu/Persian write them.
        'ي' | 'ى' => Some('ی'),
        'ك' => Some('ک'),
        c => Some(c),
    }
}

/// Appends `arena[word]` without its Latin diacritics (đ as d) to the
/// arena when it has any, and says whether it did.
fn fold_latin_diacritics(arena: &mut String, word: Range<usize>) -> bool {
    let text = &arena[word];
    if text.is_ascii() || !text.chars().all(is_latin_or_mark) {
        return false;
    }
    // NFD, marks dropped, is each character's canonical decomposition with
    // its marks dropped: every mark here is in U+0300..U+036F, so the
    // reordering NFD does among marks never moves a letter.
    let mut folded = String::with_capacity(text.len());
    for c in text.chars() {
        unicode_normalization::char::decompose_canonical(c, |d| {
            if !('\u{0300}'..='\u{036F}').contains(&d) {
                folded.push(if d == 'đ' { 'd' } else { d });
            }
        });
    }
    if folded == text {
        return false;
    }
    arena.push_str(&folded);
    true
}

fn is_latin_or_mark(c: char) -> bool {
    c.is_ascii()
        || ('\u{00C0}'..='\u{024F}').contains(&c)
        || ('\u{1E00}'..='\u{1EFF}').contains(&c)
        || ('\u{0300}'..='\u{036F}').contains(&c)
        || c == '\u{2019}'
}

/// UAX #29 keeps letters joined across an apostrophe ("don't"), which also
/// glues a quoted Korean or Japanese word to the particle after it
/// ("'특가'라는"). Outside Latin script an apostrophe is a quote mark, so
/// such words are split there; Latin words stay whole. Each part goes to
/// `part` with its byte offset in `piece` (no list: this runs per word).
fn split_quoted(piece: &str, mut part: impl FnMut(usize, &str)) {
    let is_quote = |c: char| matches!(c, '\'' | '\u{2019}' | '\u{2018}');
    if !piece.contains(is_quote) || piece.chars().any(|c| c.is_ascii_alphabetic()) {
        part(0, piece);
        return;
    }
    let mut from = 0;
    for (i, c) in piece.char_indices() {
        if is_quote(c) {
            if i > from {
                part(from, &piece[from..i]);
            }
            from = i + c.len_utf8();
        }
    }
    if from < piece.len() {
        part(from, &piece[from..]);
    }
}

/// A token stream over tokens computed up front, handing them out through
/// one [`Token`] whose text buffer is reused.
pub struct VecTokenStream {
    tokens: Tokens,
    index: usize,
    token: Token,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        let Some(span) = self.tokens.spans.get(self.index) else {
            return false;
        };
        self.index += 1;
        self.tokens.fill(span, &mut self.token);
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_list_on_reused_buffers_is_the_same_as_on_fresh_ones() {
        // Each call on this thread reuses the buffers the one before left.
        let texts = [
            "東京で詐欺広告の被害が増えている",
            "Scam ads on Facebook: regulators act",
            "โฆษณาหลอกลวงบนเฟซบุ๊ก",
            "사기 광고를 신고하세요",
        ];
        // A new thread has no spare buffers: these are on fresh ones.
        let fresh: Vec<Vec<Token>> = texts
            .iter()
            .map(|&t| std::thread::spawn(move || tokenize(t)).join().unwrap())
            .collect();
        for _ in 0..2 {
            for (text, want) in texts.iter().zip(&fresh) {
                assert_eq!(&tokenize(text), want, "{text}");
                let stream_tokens = {
                    let mut tokenizer = MultiScriptTokenizer::new(Mode::Index);
                    let mut stream = tokenizer.token_stream(text);
                    let mut got = Vec::new();
                    while stream.advance() {
                        got.push(stream.token().clone());
                    }
                    got
                };
                assert_eq!(&stream_tokens, want, "{text}");
            }
        }
    }

    #[test]
    fn thai_letters_are_found_by_their_bytes() {
        for c in (0x0E00..=0x0E7Fu32).filter_map(char::from_u32) {
            let want = matches!(c, '\u{0E01}'..='\u{0E30}' | '\u{0E32}' | '\u{0E33}' | '\u{0E40}'..='\u{0E46}');
            assert_eq!(
                thai_letter_at(c.to_string().as_bytes(), 0),
                want,
                "U+{:04X}",
                c as u32
            );
            // ICU breaks between white space and each of them.
            if want {
                let text = format!(" {c}");
                assert!(
                    SEGMENTER.segment_str(&text).any(|b| b == 1),
                    "U+{:04X}",
                    c as u32
                );
            }
        }
    }

    #[test]
    fn chunks_segmented_by_thai_runs_break_where_icu_breaks_the_whole() {
        let alphabet: Vec<&str> = vec![
            "โฆษณา",
            "หลอกลวง",
            "ก",
            "เ",
            "ไ",
            "ำ",
            "\u{0E31}",
            "\u{0E48}",
            "\u{0E34}",
            "๕",
            "5",
            " ",
            " ",
            "  ",
            "\n",
            "\t",
            "\u{0B}",
            "\u{A0}",
            "\u{200B}",
            "\u{200D}",
            "\u{301}",
            ".",
            ",",
            "'",
            ":",
            "(",
            ")",
            "\"",
            "ab",
            "Z",
            "広告",
            "の",
            "ລາວ",
            "😀",
            "🇹🇭",
        ];
        let mut rng = fastrand::Rng::with_seed(29);
        let (mut got, mut piece) = (Vec::new(), Vec::new());
        for _ in 0..20_000 {
            let len = rng.usize(0..12);
            let text: String = (0..len)
                .map(|_| alphabet[rng.usize(..alphabet.len())])
                .collect();
            let want: Vec<usize> = SEGMENTER.segment_str(&text).collect();
            chunk_breaks(&text, &mut got, &mut piece, true);
            assert_eq!(got, want, "{text:?}");
        }
    }

    #[test]
    fn the_index_reads_the_breaks_the_sentiment_features_left() {
        // A run no other test uses, left with breaks ICU would not give
        // (one word), so reading them shows in the chunk's breaks.
        let run = "ผู้ให้บริการเงินกู้นอกระบบถูกปิดกั้นโฆษณา";
        THAI_BREAKS
            .lock()
            .unwrap()
            .insert(run, Box::new([0, run.len() as u32]));
        let chunk = format!("ข่าว {run} (2567)");
        let (mut got, mut piece) = (Vec::new(), Vec::new());
        chunk_breaks(&chunk, &mut got, &mut piece, false);
        let at = chunk.find(run).unwrap();
        let inside: Vec<usize> = got
            .iter()
            .copied()
            .filter(|&b| b > at && b < at + run.len())
            .collect();
        assert!(inside.is_empty(), "{inside:?}");
        // ICU cuts the run into words, so the left breaks were read.
        assert!(
            SEGMENTER
                .segment_str(&chunk)
                .any(|b| b > at && b < at + run.len())
        );
        // Read, not taken: the next article with the run finds it too.
        assert!(THAI_BREAKS.lock().unwrap().get(run).is_some());
    }

    #[test]
    fn remembered_runs_last_at_least_a_generation() {
        let mut memo = Generations::default();
        let run = |i: usize| format!("ก{i}");
        for i in 0..=MAX_REMEMBERED_RUNS {
            memo.insert(&run(i), Box::new([0]));
        }
        // The first run went to the previous generation and is still found.
        assert!(memo.get(&run(0)).is_some());
        assert_eq!(memo.current.len(), 1);
        for i in MAX_REMEMBERED_RUNS + 1..=2 * MAX_REMEMBERED_RUNS {
            memo.insert(&run(i), Box::new([0]));
        }
        assert!(memo.get(&run(0)).is_none());
        assert!(memo.get(&run(MAX_REMEMBERED_RUNS)).is_some());
        assert!(memo.current.len() + memo.previous.len() <= 2 * MAX_REMEMBERED_RUNS);
    }

    #[test]
    fn remembered_thai_breaks_are_icus() {
        // Remembered, read again, read without remembering; other scripts
        // never enter.
        for text in [
            "ผู้บริโภคร้องเรียนโฆษณาหลอกลวงบนแพลตฟอร์ม",
            "แบงก์ชาติเตือนประชาชนระวังเงินกู้ออนไลน์ผิดกฎหมาย",
            "ธนาคาร2567ปี",
            "広告の審査",
        ] {
            let want: Vec<usize> = SEGMENTER.segment_str(text).collect();
            for (round, remember) in [
                Remember::Leave,
                Remember::Leave,
                Remember::Read,
                Remember::Read,
            ]
            .into_iter()
            .enumerate()
            {
                let mut got = vec![99];
                segment_breaks(text, &mut got, remember);
                assert_eq!(got, want, "{text} round {round}");
            }
        }
        assert!(THAI_BREAKS.lock().unwrap().get("広告の審査").is_none());
    }

    fn words(text: &str) -> Vec<String> {
        tokenize(text).into_iter().map(|t| t.text).collect()
    }

    fn query_words(text: &str) -> Vec<(usize, String)> {
        tokenize_query(text)
            .into_iter()
            .map(|t| (t.position, t.text))
            .collect()
    }

    #[test]
    fn latin_words_are_lowercased_and_punctuation_dropped() {
        assert_eq!(words("Scam ADS, again!"), ["scam", "ads", "again"]);
    }

    #[test]
    fn thai_is_split_into_words() {
        let w = words("ธนาคารแห่งประเทศไทยเตือนโฆษณาหลอกลวง");
        assert!(w.contains(&"ธนาคาร".to_string()), "{w:?}");
        assert!(w.contains(&"โฆษณา".to_string()), "{w:?}");
    }

    #[test]
    fn chinese_and_japanese_get_unigrams_and_bigrams_only() {
        let zh = words("监管部门打击网络赌博广告");
        for w in ["广告", "告", "赌博", "博广"] {
            assert!(zh.contains(&w.to_string()), "{w} not in {zh:?}");
        }
        let ja = words("ネット広告の詐欺被害が急増");
        for w in ["詐欺", "ネッ", "ット", "ト広", "の"] {
            assert!(ja.contains(&w.to_string()), "{w} not in {ja:?}");
        }
        // No dictionary words: a query never asks for them.
        assert!(zh.iter().chain(&ja).all(|w| w.chars().count() <= 2));
        // Ideographic numerals are Han-like characters, not one long word.
        let year = words("二〇二四年");
        assert!(year.contains(&"〇".to_string()), "{year:?}");
        assert!(year.contains(&"二〇".to_string()), "{year:?}");
        assert!(!year.contains(&"二〇二四年".to_string()), "{year:?}");
    }

    #[test]
    fn only_southeast_asian_scripts_and_symbols_among_han_need_the_dictionary() {
        for text in [
            "ネット広告の詐欺被害が急増",
            "监管部门打击网络赌博广告",
            "二〇二四年",
            "Bank 银行 2024",
            "서울 광고",
            "",
        ] {
            assert!(!needs_dictionary(text), "{text:?}");
        }
        for text in ["ธนาคาร", "ລາວ", "ကမ္ဘာ", "កម្ពុជា", "部首⺀部首", "🈀広告"]
        {
            assert!(needs_dictionary(text), "{text:?}");
        }
    }

    /// [`is_cj_dictionary`] is ICU4X's set: between two hiragana, the
    /// rule-only segmenter keeps exactly those characters in the run.
    #[test]
    fn the_chinese_japanese_set_is_icus() {
        let mut text = String::new();
        for c in (0..0x11_0000u32).filter_map(char::from_u32) {
            text.clear();
            text.push('あ');
            text.push(c);
            text.push('あ');
            let one_segment = RULES_ONLY.segment_str(&text).count() == 2;
            assert_eq!(
                one_segment,
                is_cj_dictionary(c as u32),
                "U+{:04X}",
                c as u32
            );
        }
    }

    #[test]
    fn cjk_queries_are_bigrams_at_character_positions() {
        assert_eq!(
            query_words("詐欺被害"),
            [(0, "詐欺".into()), (1, "欺被".into()), (2, "被害".into())]
        );
        assert_eq!(query_words("税"), [(0, "税".to_string())]);
    }

    #[test]
    fn korean_particles_do_not_hide_nouns() {
        let w = words("불법 광고를 신고했다");
        assert!(w.contains(&"광고".to_string()), "{w:?}");
        assert!(w.contains(&"광고를".to_string()), "{w:?}");
        assert_eq!(query_words("광고"), [(0, "광고".to_string())]);
    }

    #[test]
    fn vietnamese_is_indexed_with_and_without_diacritics() {
        let t = tokenize("Thành phố Đà Nẵng");
        let at = |p: usize| -> Vec<&str> {
            t.iter()
                .filter(|t| t.position == p)
                .map(|t| t.text.as_str())
                .collect()
        };
        assert_eq!(at(0), ["thành", "thanh"]);
        assert_eq!(at(2), ["đà", "da"]);
        assert_eq!(at(3), ["nẵng", "nang"]);
        assert_eq!(query_words("thành"), [(0, "thành".to_string())]);
    }

    #[test]
    fn quoted_words_in_non_latin_scripts_are_split_from_particles() {
        let w = words("'특가'라는 이름의 방송");
        assert!(w.contains(&"특가".to_string()), "{w:?}");
        assert!(words("don't stop").contains(&"don't".to_string()));
    }

    #[test]
    fn devanagari_words_with_vowel_signs_are_kept() {
        assert_eq!(
            words("पुणे की शिक्षिका ने बताया"),
            ["पुणे", "की", "शिक्षिका", "ने", "बताया"]
        );
    }

    #[test]
    fn nukta_and_zero_width_joiners_are_normalised() {
        // Precomposed ज़ (U+095B), ज + nukta, and ज alone all meet.
        assert_eq!(words("\u{095B}रिए"), words("ज\u{093C}रिए"));
        assert_eq!(words("\u{095B}रिए"), words("जरिए"));
        assert_eq!(words("ক্\u{200D}ষ"), words("ক্ষ"));
    }

    #[test]
    fn arabic_letters_fold_to_urdu_forms() {
        assert_eq!(words("كيا"), words("کیا"));
    }

    #[test]
    fn full_width_forms_match_half_width() {
        assert_eq!(words("ＰａｙＰａｙ ２０２５"), ["paypay", "2025"]);
        assert_eq!(query_words("ｶｰﾄﾞ"), query_words("カード"));
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "Iklan JUDI online 广告诈骗";
        for t in tokenize(text) {
            let original = &text[t.offset_from..t.offset_to];
            assert_eq!(original.to_lowercase(), t.text, "{t:?}");
        }
    }

    /// ICU's word-like segments of `text` (those with a letter or digit).
    fn icu_words(text: &str) -> Vec<(usize, usize)> {
        let breaks: Vec<usize> = SEGMENTER.segment_str(text).collect();
        breaks
            .windows(2)
            .map(|w| (w[0], w[1]))
            .filter(|&(a, b)| text[a..b].chars().any(crate::chars::is_alphanumeric))
            .collect()
    }

    fn fast_words(text: &str) -> Vec<(usize, usize)> {
        assert!(text.chars().all(is_plain_latin), "{text:?}");
        let mut out = Vec::new();
        latin_words(text, |a, b| out.push((a, b)));
        out
    }

    /// Tokens as comparable tuples.
    fn tuples(tokens: Vec<Token>) -> Vec<(usize, usize, usize, String)> {
        tokens
            .into_iter()
            .map(|t| (t.offset_from, t.offset_to, t.position, t.text))
            .collect()
    }

    /// The fast path and ICU alone give the same tokens for `text`, in
    /// both modes.
    fn assert_same_tokens(text: &str) {
        for mode in [Mode::Index, Mode::Query] {
            assert_eq!(
                tuples(analyze(text, mode).to_vec()),
                tuples(tokenize_icu_only(text, mode)),
                "{mode:?} {text:?}"
            );
        }
    }

    /// Every character the fast path accepts.
    fn plain_latin_chars() -> Vec<char> {
        (0..0x2100u32)
            .filter_map(char::from_u32)
            .filter(|&c| is_plain_latin(c))
            .collect()
    }

    #[test]
    fn plain_latin_bytes_agree_with_the_characters() {
        let mut buf = [0u8; 4];
        for c in (0..0x11_0000u32).filter_map(char::from_u32) {
            let bytes = c.encode_utf8(&mut buf).as_bytes();
            assert_eq!(
                plain_latin_at(bytes, 0),
                (is_plain_latin(c), c.len_utf8()),
                "{c:?}"
            );
        }
    }

    #[test]
    fn plain_latin_is_what_it_claims() {
        let plain = plain_latin_chars();
        // ASCII, Latin-1 letters, Extended-A/B, Extended Additional, and
        // seven punctuation characters.
        assert_eq!(plain.len(), 128 + 62 + 336 + 256 + 7);
        for c in plain {
            if c.is_ascii() {
                continue;
            }
            let class = word_class(c);
            assert_eq!(class == WordClass::Letter, c.is_alphabetic(), "{c:?}");
        }
    }

    /// Each plain-Latin character, between letters, digits, underscores,
    /// itself and spaces, is segmented by ICU as its class says: this is
    /// what checks the classes (`:` is not MidLetter in ICU4X, U+00A0 is
    /// not a space, ‘ and ’ are MidNumLet, every Latin letter is ALetter).
    #[test]
    fn each_plain_character_segments_like_icu() {
        let contexts = [
            "{}", "a{}b", "1{}2", "a{}1", "1{}a", "_{}_", "{}{}", "a{}{}b", "1{}{}2", " {} ",
            "x{}", "{}x", "{}7", "7{}", "é{}é", "a{}_", "_{}a", "a.{}", "{}.a", "1,{}", "{},1",
            "ab{}'c", "a'{}",
        ];
        for c in plain_latin_chars() {
            for context in contexts {
                let text = context.replace("{}", &c.to_string());
                assert_eq!(fast_words(&text), icu_words(&text), "{c:?} in {text:?}");
            }
        }
    }

    /// Every string of up to five characters over one representative of
    /// each class (and a few more) is segmented like ICU does.
    #[test]
    fn short_plain_strings_segment_like_icu() {
        let alphabet: Vec<char> = "aé1_.'’:,; \u{A0}\n\"".chars().collect();
        let mut text = String::new();
        let mut count = 0;
        for len in 1..=5u32 {
            for n in 0..alphabet.len().pow(len) {
                text.clear();
                let mut n = n;
                for _ in 0..len {
                    text.push(alphabet[n % alphabet.len()]);
                    n /= alphabet.len();
                }
                assert_eq!(fast_words(&text), icu_words(&text), "{text:?}");
                count += 1;
            }
        }
        assert!(count > 100_000);
    }

    /// Characters the random texts are drawn from, weighted by repetition:
    /// plain Latin mostly, with marks, other scripts and rule-sensitive
    /// characters (regional indicators, ZWJ, soft hyphen, narrow no-break
    /// space, middle dot, Hebrew and its double quote).
    const RANDOM_ALPHABET: &str = "aaaaaabbcdeeeeiiklmnnoorsttuuwyzAIJKSTT\
        0000112359....,,,;;::''___--\"\"!?()/&@#%\
        \u{2019}\u{2019}\u{2018}\u{201C}\u{201D}\u{2013}\u{2014}\u{A0}\u{A0}\
        éééüñçàăđơưễạ\
        \u{301}\u{301}\u{301}\u{308}\u{200D}\u{200B}\u{AD}\u{202F}\u{B7}\u{2060}\u{FEFF}\
        ไทยกข่\u{E31}中文字广告カナのひ한국어가नमस्तेक\u{93F}\u{94D}אב\u{1F1EE}\u{1F1E9}😀\u{FF9E}\
        漢字広告詐欺ひらがなのカタカナー・〇々〆ゟゝ\u{3021}\u{303B}\u{3099}\u{309B}\u{2E80}\u{2F00}\
        \u{16FE2}\u{16FE3}\u{1B001}\u{1B132}\u{1F200}\u{20B9F}\u{30000}ｶﾞ、。「」ＡＢ１";

    fn random_text(rng: &mut fastrand::Rng, alphabet: &[char]) -> String {
        let len = rng.usize(0..40);
        let mut text = String::new();
        for _ in 0..len {
            match rng.u8(0..10) {
                0..=2 => text.push(' '),
                3 => text.push(['\t', '\n', '\r', '\u{B}', '\u{C}'][rng.usize(0..5)]),
                _ => text.push(alphabet[rng.usize(0..alphabet.len())]),
            }
        }
        text
    }

    #[test]
    fn random_texts_give_the_same_tokens_as_icu_alone() {
        let alphabet: Vec<char> = RANDOM_ALPHABET
            .chars()
            .filter(|c| !c.is_whitespace() || *c == '\u{A0}')
            .collect();
        let mut rng = fastrand::Rng::with_seed(0x006b_6162_6172);
        let mut fast = 0;
        for _ in 0..20_000 {
            let text = random_text(&mut rng, &alphabet);
            fast += chunks(&text).iter().filter(|c| c.2).count();
            assert_same_tokens(&text);
        }
        // Most random texts have a plain-Latin chunk.
        assert!(fast > 10_000, "{fast}");
    }

    /// The argument for where `chunks` cuts, tested directly: ICU finds the
    /// same boundaries (all of them, not just around words) in the chunks
    /// as in the whole text.
    #[test]
    fn icu_breaks_the_same_in_chunks_as_in_the_whole_text() {
        let alphabet: Vec<char> = RANDOM_ALPHABET.chars().collect();
        let mut rng = fastrand::Rng::with_seed(29);
        for _ in 0..20_000 {
            let text = random_text(&mut rng, &alphabet);
            let whole: Vec<usize> = SEGMENTER.segment_str(&text).collect();
            let mut parts = vec![0];
            let chunks = chunks(&text);
            for (start, end, _) in &chunks {
                assert_eq!(*start, *parts.last().unwrap());
                let breaks = SEGMENTER.segment_str(&text[*start..*end]);
                parts.extend(breaks.skip(1).map(|b| start + b));
            }
            assert_eq!(whole, parts, "{text:?} {chunks:?}");
        }
    }

    /// Real sentences in the languages kabar crawls, so the comparison
    /// always covers real text; `/work/shared` adds thousands where present.
    const SENTENCES: &[&str] = &[
        "The central bank's governor said on Tuesday that inflation, at 3.2%, was \"under control\".",
        "Scam ads for online gambling rose 40% in Q3 2024 — regulators blamed lax checks.",
        "He didn’t say whether the U.S. would impose tariffs of 25.5 per cent on 1,200 goods.",
        "Police arrested two suspects at 10:30 p.m.; a third, aged 19, is still at large.",
        "Email support@example.com or visit https://example.com/news?id=42&lang=en_US.",
        "“It’s a scam,” said Ms. O’Brien – a victim – adding: ‘don’t click links.’",
        "Bank Indonesia menaikkan suku bunga acuan sebesar 25 basis poin menjadi 6,25%.",
        "Polisi menangkap 12 tersangka judi online di Jakarta Selatan pada Senin (3/6).",
        "Menurut Kominfo, lebih dari 800.000 situs judi daring telah diblokir sejak 2018.",
        "Kerajaan Malaysia akan memperkenalkan cukai baharu pada tahun hadapan.",
        "Ngân hàng Nhà nước Việt Nam cảnh báo về các quảng cáo lừa đảo trên mạng xã hội.",
        "Thành phố Đà Nẵng đón 1,2 triệu lượt khách du lịch trong quý đầu năm.",
        "Nagbabala ang Bangko Sentral ng Pilipinas laban sa mga pekeng online na pautang.",
        "Sinabi ng pulisya na 15 katao ang naaresto sa Maynila noong Lunes ng gabi.",
        "Si Juan dela Cruz ay nagtatrabaho sa Parañaque mula pa noong 2019.",
        "ธนาคารแห่งประเทศไทยเตือนประชาชนระวังโฆษณาหลอกลวงทางออนไลน์",
        "ตำรวจจับกุมผู้ต้องหา 5 คน ในกรุงเทพฯ เมื่อวันที่ 12 มิ.ย. 2567",
        "ネット広告の詐欺被害が急増しており、消費者庁は注意を呼びかけている。",
        "東京都は2024年度の予算案を発表した。総額は8兆円を超える。",
        "监管部门打击网络赌博广告，已关闭3,000多个网站。",
        "中国人民银行表示，将继续实施稳健的货币政策。",
        "금융감독원은 불법 광고를 신고했다고 밝혔다. 피해액은 120억 원에 달한다.",
        "서울시는 '특가'라는 이름의 방송 광고를 조사하고 있다.",
        "भारतीय रिज़र्व बैंक ने ब्याज दरों में 0.25% की कटौती की।",
        "पुणे की शिक्षिका ने बताया कि ऑनलाइन धोखाधड़ी बढ़ रही है।",
        "Apple’s iPhone 15 sold 2.3m units in Jakarta; Samsung’s Galaxy S24 — fewer.",
        "COVID-19 cases in 2020–2021 rose; the WHO’s report (p. 12) says so.",
        "Xi Jinping (习近平) met Prabowo Subianto in Beijing on Friday.",
        "Tokyo (東京) and Seoul (서울) signed a trade pact worth $1.5 billion.",
        "São Paulo e Zürich: preços sobem 3,5% após decisão do Banco Central.",
        "Ứng dụng Zalo bị lợi dụng để lừa đảo 1.500 người dùng.",
        "Café au lait costs €3.50 at the naïve café in Malmö.",
        "Re:Invent 2024 took place in Las Vegas; AWS announced S3 Express.",
        "Tweet by @kabar_news: #JudiOnline trending—10k posts in 1h!",
        "Multiple   spaces,\ttabs\nand\r\nnewlines\u{a0}with no-break spaces.",
        "Text with a combining mark e\u{301} and a space before one: a \u{301}b.",
        "Emoji 😀 and flags 🇮🇩 🇲🇾 next to words: Indonesia🇮🇩 wins.",
        "Mixed: Bangkok กรุงเทพ and Delhi दिल्ली and Seoul 서울 and 東京 Tokyo.",
    ];

    #[test]
    fn real_sentences_give_the_same_tokens_as_icu_alone() {
        for text in SENTENCES {
            assert_same_tokens(text);
        }
        assert_same_tokens(&SENTENCES.join(" "));
        assert_same_tokens(&SENTENCES.join("\n"));
    }

    /// Every text of the shared sentiment dev split (when the shared data
    /// folder is there; CI has none) gives the same tokens as ICU alone.
    #[test]
    fn shared_dev_texts_give_the_same_tokens_as_icu_alone() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/sentiment/dev");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return;
        };
        let mut texts = 0;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "jsonl") {
                continue;
            }
            let content = std::fs::read_to_string(&path).unwrap();
            for line in content.lines() {
                let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else {
                    continue;
                };
                if let Some(text) = value["text"].as_str() {
                    assert_same_tokens(text);
                    texts += 1;
                }
            }
        }
        assert!(texts > 0, "no texts in {}", dir.display());
    }
}
