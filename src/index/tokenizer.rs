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
//!   position, plus ICU's dictionary words of three or more characters at the
//!   position of their first character. A query is cut into bigrams only
//!   (a unigram when it is one character), which cannot miss: any substring
//!   of two or more characters of the text matches, as a phrase, whatever the
//!   dictionary made of its context.
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

use std::sync::LazyLock;

use icu_segmenter::options::WordBreakInvariantOptions;
use icu_segmenter::{WordSegmenter, WordSegmenterBorrowed};
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer, TokenizerManager};
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// The name the analyzer is registered under in the index.
pub const ANALYZER: &str = "kabar";

/// Longest token kept, in bytes. Longer "words" are base64, hashes or
/// segmentation failures and only bloat the dictionary.
const MAX_TOKEN_BYTES: usize = 120;

/// Shortest ICU dictionary word indexed whole in Han/kana text, in
/// characters; two-character words are already bigrams.
const MIN_CJK_WORD_CHARS: usize = 3;

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
    analyze(text, Mode::Index)
}

/// Tokens of `text` as a query asks for them.
pub fn tokenize_query(text: &str) -> Vec<Token> {
    analyze(text, Mode::Query)
}

/// ICU4X's dictionary word segmenter (compiled data, no files), shared with
/// the sentiment features, which read Thai as words too.
pub(crate) static SEGMENTER: LazyLock<WordSegmenterBorrowed<'static>> =
    LazyLock::new(|| WordSegmenter::new_dictionary(WordBreakInvariantOptions::default()));

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    /// Han and kana: character n-grams.
    Cjk,
    /// Hangul: word plus character n-grams.
    Hangul,
    /// Everything else: normalised words.
    Word,
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3005 | 0x3006 | 0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F
        | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

fn is_hangul(c: char) -> bool {
    matches!(c as u32, 0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F)
}

fn family_of(piece: &str) -> Family {
    if piece.chars().all(is_cjk) {
        Family::Cjk
    } else if piece.chars().all(is_hangul) {
        Family::Hangul
    } else {
        Family::Word
    }
}

/// A run of adjacent Han/kana segments: start, end, and the byte ranges of
/// its ICU words.
type CjkRun = (usize, usize, Vec<(usize, usize)>);

/// Builds the token list: segment, group Han/kana segments into runs, and
/// hand each word or run to its family's analyzer.
fn analyze(text: &str, mode: Mode) -> Vec<Token> {
    let mut out = Tokens {
        tokens: Vec::new(),
        position: 0,
    };
    // A run of adjacent Han/kana segments: its start, end and ICU words.
    let mut run: Option<CjkRun> = None;
    let mut breaks = SEGMENTER.segment_str(text);
    let Some(mut start) = breaks.next() else {
        return out.tokens;
    };
    for end in breaks {
        let piece = &text[start..end];
        // ICU4X's `is_word_like` misreports Devanagari words with some vowel
        // signs (की, ने) as non-words, so word-likeness is decided here: a
        // segment with any letter or digit is a word.
        let wordlike = piece.chars().any(crate::chars::is_alphanumeric);
        let family = if wordlike {
            family_of(piece)
        } else {
            Family::Word
        };
        if wordlike && family == Family::Cjk {
            match &mut run {
                Some((_, run_end, words)) if *run_end == start => {
                    *run_end = end;
                    words.push((start, end));
                }
                _ => {
                    if let Some((s, e, words)) = run.take() {
                        out.cjk_run(text, s, e, &words, mode);
                    }
                    run = Some((start, end, vec![(start, end)]));
                }
            }
            start = end;
            continue;
        }
        if let Some((s, e, words)) = run.take() {
            out.cjk_run(text, s, e, &words, mode);
        }
        if wordlike && piece.len() <= MAX_TOKEN_BYTES {
            match family {
                Family::Hangul => out.hangul_word(start, piece, mode),
                _ => {
                    for (from, part) in split_quoted(piece) {
                        out.word(start + from, part, mode);
                    }
                }
            }
        }
        start = end;
    }
    if let Some((s, e, words)) = run.take() {
        out.cjk_run(text, s, e, &words, mode);
    }
    out.tokens
}

/// The growing token list and the next free position.
struct Tokens {
    tokens: Vec<Token>,
    position: usize,
}

impl Tokens {
    fn push(&mut self, from: usize, to: usize, text: String, position: usize) {
        debug_assert!(from <= to);
        self.tokens.push(Token {
            offset_from: from,
            offset_to: to,
            position,
            text,
            position_length: 1,
        });
    }

    /// A word of a space-separated or ICU-segmented script.
    fn word(&mut self, offset: usize, piece: &str, mode: Mode) {
        let normalised = normalise_word(piece);
        if !normalised.chars().any(crate::chars::is_alphanumeric) {
            return;
        }
        let position = self.position;
        self.position += 1;
        let folded = match mode {
            Mode::Index => fold_latin_diacritics(&normalised),
            Mode::Query => None,
        };
        let to = offset + piece.len();
        self.push(offset, to, normalised, position);
        if let Some(folded) = folded {
            self.push(offset, to, folded, position);
        }
    }

    /// A run of Han and kana: unigrams and bigrams at each character's
    /// position (bigrams only for a query), plus dictionary words.
    fn cjk_run(
        &mut self,
        text: &str,
        start: usize,
        end: usize,
        words: &[(usize, usize)],
        mode: Mode,
    ) {
        let first_new = self.tokens.len();
        let chars = normalised_chars(&text[start..end], start);
        let base = self.position;
        self.position += chars.len();
        if chars.is_empty() {
            return;
        }
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
                self.push(*from, *next_to, format!("{c}{next}"), base + i);
            }
        }
        if mode == Mode::Index {
            for &(ws, we) in words {
                let word = &text[ws..we];
                if word.chars().count() >= MIN_CJK_WORD_CHARS && word.len() <= MAX_TOKEN_BYTES {
                    let i = chars.iter().position(|c| c.0 == ws).unwrap_or(0);
                    let normalised: String = word.nfkc().collect();
                    self.push(ws, we, normalised, base + i);
                }
            }
        }
        // Tantivy wants each term's positions in order; keep the whole run
        // sorted by position (stable, so unigram, bigram, word).
        self.tokens[first_new..].sort_by_key(|t| t.position);
    }

    /// A Hangul word: its syllables as unigrams and bigrams (bigrams only
    /// for a query), and the whole word when it is longer than a bigram.
    fn hangul_word(&mut self, offset: usize, piece: &str, mode: Mode) {
        let chars = normalised_chars(piece, offset);
        let base = self.position;
        self.position += chars.len();
        if mode == Mode::Query && chars.len() == 1 {
            let (from, to, ref c) = chars[0];
            self.push(from, to, c.clone(), base);
            return;
        }
        if mode == Mode::Index && chars.len() > 2 {
            self.push(offset, offset + piece.len(), piece.nfkc().collect(), base);
        }
        for (i, (from, to, c)) in chars.iter().enumerate() {
            if mode == Mode::Index {
                self.push(*from, *to, c.clone(), base + i);
            }
            if let Some((_, next_to, next)) = chars.get(i + 1) {
                self.push(*from, *next_to, format!("{c}{next}"), base + i);
            }
        }
    }
}

/// Each character of `s` with its byte range (shifted by `offset`),
/// NFKC-normalised together with the voicing marks that follow it, so
/// half-width ｶｰﾄﾞ becomes カード.
fn normalised_chars(s: &str, offset: usize) -> Vec<(usize, usize, String)> {
    let mut clusters: Vec<(usize, usize)> = Vec::new();
    for (i, c) in s.char_indices() {
        let voicing = matches!(c, '\u{3099}' | '\u{309A}' | '\u{FF9E}' | '\u{FF9F}');
        match clusters.last_mut() {
            Some(last) if voicing => last.1 = i + c.len_utf8(),
            _ => clusters.push((i, i + c.len_utf8())),
        }
    }
    clusters
        .into_iter()
        .map(|(from, to)| {
            (
                offset + from,
                offset + to,
                s[from..to].nfkc().collect::<String>(),
            )
        })
        .filter(|(_, _, n)| !n.is_empty())
        .collect()
}

/// NFKC, lowercase, and the script-specific folds of the module docs.
fn normalise_word(piece: &str) -> String {
    // ASCII is its own NFKC and none of the folds below touch it; most
    // words of most articles take this path.
    if piece.is_ascii() {
        return piece.to_ascii_lowercase();
    }
    // Most non-ASCII words (Thai, Vietnamese, Hindi as typed) are NFKC
    // already, and the quick check is far cheaper than decomposing and
    // recomposing them.
    if is_nfkc_quick(piece.chars()) == IsNormalized::Yes {
        fold_word(piece.chars())
    } else {
        fold_word(piece.nfkc())
    }
}

/// Lowercase and the script-specific folds, on NFKC characters.
fn fold_word(chars: impl Iterator<Item = char>) -> String {
    chars
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
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
        })
        .collect()
}

/// `word` without its Latin diacritics (đ as d), when it has any.
fn fold_latin_diacritics(word: &str) -> Option<String> {
    if word.is_ascii() || !word.chars().all(is_latin_or_mark) {
        return None;
    }
    let folded: String = word
        .nfd()
        .filter(|c| !('\u{0300}'..='\u{036F}').contains(c))
        .map(|c| if c == 'đ' { 'd' } else { c })
        .collect();
    (folded != word).then_some(folded)
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
/// such words are split there; Latin words stay whole.
fn split_quoted(piece: &str) -> Vec<(usize, &str)> {
    let is_quote = |c: char| matches!(c, '\'' | '\u{2019}' | '\u{2018}');
    if !piece.contains(is_quote) || piece.chars().any(|c| c.is_ascii_alphabetic()) {
        return vec![(0, piece)];
    }
    let mut parts = Vec::new();
    let mut from = 0;
    for (i, c) in piece.char_indices() {
        if is_quote(c) {
            if i > from {
                parts.push((from, &piece[from..i]));
            }
            from = i + c.len_utf8();
        }
    }
    if from < piece.len() {
        parts.push((from, &piece[from..]));
    }
    parts
}

/// A token stream over tokens computed up front.
pub struct VecTokenStream {
    tokens: Vec<Token>,
    index: usize,
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn chinese_and_japanese_get_bigrams_unigrams_and_words() {
        let zh = words("监管部门打击网络赌博广告");
        for w in ["广告", "告", "赌博", "博广"] {
            assert!(zh.contains(&w.to_string()), "{w} not in {zh:?}");
        }
        let ja = words("ネット広告の詐欺被害が急増");
        assert!(ja.contains(&"詐欺".to_string()), "{ja:?}");
        assert!(ja.contains(&"ネット".to_string()), "{ja:?}");
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
}
