//! The search analyzer: Unicode word segmentation for every script.
//!
//! Tantivy's default tokenizer splits on spaces and punctuation, which leaves
//! Thai, Lao, Khmer, Burmese, Chinese and Japanese as whole sentences and
//! makes their words unsearchable. ICU's word segmenter (dictionary mode, data
//! compiled into the binary) finds word boundaries in all of them and follows
//! UAX #29 for space-separated scripts. Each word is NFKC-normalised (so
//! full-width and half-width forms meet) and lowercased; offsets point into the
//! original text so snippets highlight the right characters.
//!
//! The same analyzer runs when indexing and when parsing queries, which is
//! what makes a Thai word typed in the search box match the Thai word in the
//! middle of an indexed sentence.

use icu_segmenter::WordSegmenter;
use icu_segmenter::options::WordBreakInvariantOptions;
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use unicode_normalization::UnicodeNormalization;

/// The name the analyzer is registered under in the index.
pub const ANALYZER: &str = "kabar";

/// Longest token kept, in bytes. Longer "words" are base64, hashes or
/// segmentation failures and only bloat the dictionary.
const MAX_TOKEN_BYTES: usize = 120;

/// Word segmentation for every script; see the module docs.
#[derive(Clone, Default)]
pub struct MultiScriptTokenizer;

impl Tokenizer for MultiScriptTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream {
            tokens: tokenize(text),
            index: 0,
        }
    }
}

/// Splits `text` into normalised word tokens.
pub fn tokenize(text: &str) -> Vec<Token> {
    let segmenter = WordSegmenter::new_dictionary(WordBreakInvariantOptions::default());
    let mut tokens = Vec::new();
    let mut breaks = segmenter.segment_str(text);
    let mut start = match breaks.next() {
        Some(b) => b,
        None => return tokens,
    };
    for end in breaks {
        // ICU4X's `is_word_like` misreports Devanagari words with some vowel
        // signs (की, ने) as non-words, so word-likeness is decided here: a
        // segment with any letter or digit is a word.
        let piece = &text[start..end];
        if piece.len() <= MAX_TOKEN_BYTES && piece.chars().any(char::is_alphanumeric) {
            for (from, part) in split_quoted(piece) {
                push_token(&mut tokens, start + from, part);
            }
        }
        start = end;
    }
    tokens
}

fn push_token(tokens: &mut Vec<Token>, offset: usize, piece: &str) {
    let normalised: String = piece.nfkc().flat_map(char::to_lowercase).collect();
    if normalised.chars().any(char::is_alphanumeric) {
        tokens.push(Token {
            offset_from: offset,
            offset_to: offset + piece.len(),
            position: tokens.len(),
            text: normalised,
            position_length: 1,
        });
    }
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
    fn chinese_and_japanese_are_split_into_words() {
        let zh = words("监管部门打击网络赌博广告");
        assert!(zh.contains(&"广告".to_string()), "{zh:?}");
        let ja = words("ネット広告の詐欺被害が急増");
        assert!(ja.contains(&"詐欺".to_string()), "{ja:?}");
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
    fn full_width_forms_match_half_width() {
        assert_eq!(words("ＰａｙＰａｙ ２０２５"), ["paypay", "2025"]);
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "Iklan JUDI online";
        for t in tokenize(text) {
            assert_eq!(text[t.offset_from..t.offset_to].to_lowercase(), t.text);
        }
    }
}
