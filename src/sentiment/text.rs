//! Text handling the sentiment model needs and nothing else: scripts,
//! normalisation for matching and features, and sentence and clause
//! boundaries in every first-class script.
//!
//! Offsets handed out here are byte ranges into the caller's original text,
//! so evidence can point back at what the analyst reads. Normalisation
//! (lower case, long letter runs squashed) happens per clause on a copy.

use std::ops::Range;

/// Writing systems the rules care about. Word boundaries differ: Thai, Lao,
/// Myanmar, Khmer, Chinese and Japanese do not put spaces between words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Latin,
    Thai,
    Lao,
    Myanmar,
    Khmer,
    Han,
    Kana,
    Hangul,
    Devanagari,
    Bengali,
    Tamil,
    Arabic,
    Other,
}

impl Script {
    pub fn of(c: char) -> Script {
        match c as u32 {
            0x0041..=0x024F | 0x1E00..=0x1EFF => Script::Latin,
            0x0E00..=0x0E7F => Script::Thai,
            0x0E80..=0x0EFF => Script::Lao,
            0x1000..=0x109F | 0xAA60..=0xAA7F | 0xA9E0..=0xA9FF => Script::Myanmar,
            0x1780..=0x17FF | 0x19E0..=0x19FF => Script::Khmer,
            0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => Script::Kana,
            0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF => Script::Han,
            0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => Script::Hangul,
            0x0900..=0x097F | 0xA8E0..=0xA8FF => Script::Devanagari,
            0x0980..=0x09FF => Script::Bengali,
            0x0B80..=0x0BFF => Script::Tamil,
            0x0600..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => Script::Arabic,
            _ => Script::Other,
        }
    }

    /// Scripts written without spaces between words: a lexicon term matches
    /// anywhere, and negation is looked for a few characters away.
    pub fn unspaced(self) -> bool {
        matches!(
            self,
            Script::Thai
                | Script::Lao
                | Script::Myanmar
                | Script::Khmer
                | Script::Han
                | Script::Kana
        )
    }
}

/// The script most letters of `text` are in (Kana wins over Han when any
/// kana is present, as Japanese mixes both).
pub fn dominant_script(text: &str) -> Script {
    let mut counts = [0usize; 13];
    for c in text.chars().take(400) {
        if crate::chars::is_alphabetic(c) {
            counts[Script::of(c) as usize] += 1;
        }
    }
    if counts[Script::Kana as usize] > 0
        && counts[Script::Kana as usize] * 8 >= counts[Script::Han as usize]
    {
        return Script::Kana;
    }
    let order = [
        Script::Latin,
        Script::Thai,
        Script::Lao,
        Script::Myanmar,
        Script::Khmer,
        Script::Han,
        Script::Kana,
        Script::Hangul,
        Script::Devanagari,
        Script::Bengali,
        Script::Tamil,
        Script::Arabic,
        Script::Other,
    ];
    let mut best = Script::Other;
    let mut best_n = 0;
    for s in order {
        if counts[s as usize] > best_n {
            best = s;
            best_n = counts[s as usize];
        }
    }
    best
}

/// A letter, digit or combining mark: part of a word. Thai tone marks,
/// Indic viramas and vowel signs are marks, not letters, and must not cut
/// words.
#[inline]
pub fn is_word_char(c: char) -> bool {
    crate::chars::is_word_char(c) || c == '\u{200C}' || c == '\u{200D}'
}

/// Lower case, curly apostrophes straightened, runs of one character cut
/// to three (`sooooo` → `sooo`, `5555555` → `555`): social text stretches
/// words for emphasis and the stretch should not make a new feature each
/// time.
pub fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    let mut prev = '\0';
    let mut run = 0usize;
    for c in text.chars() {
        let c = match c {
            '\u{2019}' | '\u{2018}' | '`' => '\'',
            '\u{FF01}' => '!',
            '\u{FF1F}' => '?',
            _ => c,
        };
        if c == prev {
            run += 1;
            if run >= 3 {
                continue;
            }
        } else {
            run = 0;
            prev = c;
        }
        if c.is_ascii() {
            // Same answer as below without the Unicode case tables.
            out.push(c.to_ascii_lowercase());
        } else if !crate::chars::lowercase_changes(c) {
            // Thai, Han, kana, lowercase letters: lowercasing would give
            // the character back, so neither case table is searched.
            out.push(c);
        } else if c.is_uppercase() {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
}

pub fn normalize(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    normalize_into(text, &mut s);
    s
}

/// Characters that end a sentence in the scripts kabar reads.
fn is_terminator(c: char) -> bool {
    matches!(
        c,
        '!' | '?' | '。' | '！' | '？' | '।' | '॥' | '။' | '།' | '។' | '؟' | '۔' | '\n' | '…'
    )
}

/// Sentences of `text` as byte ranges, trimmed, never empty. A full stop
/// ends a sentence only before white space or the end (so `3.5` and
/// `kabar.id` stay whole). In Thai, Lao and Khmer text, where a space is
/// the sentence (or clause) break, a space between two letters of that
/// script ends a sentence too.
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0usize;
    let mut iter = text.char_indices().peekable();
    let mut prev: Option<char> = None;
    while let Some((i, c)) = iter.next() {
        let next = iter.peek().map(|&(_, n)| n);
        let end_here = if is_terminator(c) {
            // Keep runs of terminators ("?!", "。」") together.
            !next.is_some_and(|n| (is_terminator(n) && n != '\n') || matches!(n, '」' | '"' | '”'))
        } else if matches!(c, '」' | '』' | '"' | '”') {
            prev.is_some_and(is_terminator)
        } else if c == '.' {
            next.is_none_or(char::is_whitespace) && prev.is_none_or(|p| p != '.')
        } else if c == ' ' || c == '\u{00A0}' {
            let spaced_script =
                |x: char| matches!(Script::of(x), Script::Thai | Script::Lao | Script::Khmer);
            prev.is_some_and(spaced_script) && next.is_some_and(spaced_script)
        } else {
            false
        };
        prev = Some(c);
        if end_here {
            let end = i + c.len_utf8();
            push_trimmed(text, start..end, &mut out);
            start = end;
        }
    }
    push_trimmed(text, start..text.len(), &mut out);
    out
}

fn push_trimmed(text: &str, r: Range<usize>, out: &mut Vec<Range<usize>>) {
    let s = &text[r.clone()];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead + trail < s.len() {
        out.push(r.start + lead..r.end - trail);
    }
}

/// Whether `text[start..end]` is a whole word: no word character touches it
/// on the side(s) asked for.
pub fn at_boundary(text: &str, start: usize, end: usize, left: bool, right: bool) -> bool {
    let left_ok = !left || !text[..start].chars().next_back().is_some_and(is_word_char);
    let right_ok = !right || !text[end..].chars().next().is_some_and(is_word_char);
    left_ok && right_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercasing_skips_the_tables_without_changing_a_character() {
        // The rule before the caseless shortcut: uppercase letters lowered.
        for cp in (0x80..0x1_0000u32).chain((0x1_0000..0x11_0000u32).step_by(3)) {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            if matches!(c, '\u{2019}' | '\u{2018}' | '\u{FF01}' | '\u{FF1F}') {
                continue;
            }
            let want: String = if c.is_uppercase() {
                c.to_lowercase().collect()
            } else {
                c.to_string()
            };
            assert_eq!(normalize(&c.to_string()), want, "U+{cp:04X}");
        }
    }

    fn split(text: &str) -> Vec<&str> {
        sentences(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn sentences_end_at_every_scripts_terminator() {
        assert_eq!(
            split("Ads are back. Users hate it! Why?"),
            ["Ads are back.", "Users hate it!", "Why?"]
        );
        assert_eq!(
            split("価格は3.5%上昇。しかし売上は減少した。"),
            ["価格は3.5%上昇。", "しかし売上は減少した。"]
        );
        assert_eq!(split("यह अच्छा है। वह बुरा है।"), ["यह अच्छा है।", "वह बुरा है।"]);
        assert_eq!(split("ကောင်းတယ်။ ဆိုးတယ်။"), ["ကောင်းတယ်။", "ဆိုးတယ်။"]);
        assert_eq!(split("ល្អ។ អាក្រក់។"), ["ល្អ។", "អាក្រក់។"]);
        assert_eq!(split("یہ اچھا ہے۔ کیا؟"), ["یہ اچھا ہے۔", "کیا؟"]);
        assert_eq!(split("Visit kabar.id today"), ["Visit kabar.id today"]);
        assert_eq!(
            split("「最悪だ。」と語った。"),
            ["「最悪だ。」", "と語った。"]
        );
    }

    #[test]
    fn thai_sentences_break_at_spaces_between_thai_letters() {
        assert_eq!(
            split("โฆษณาหลอกลวงเยอะมาก ตำรวจจับแล้ว"),
            ["โฆษณาหลอกลวงเยอะมาก", "ตำรวจจับแล้ว"]
        );
        // A space next to a Latin word is not a break.
        assert_eq!(split("แอป Shopee ดีมาก"), ["แอป Shopee ดีมาก"]);
    }

    #[test]
    fn normalisation_squashes_stretched_letters() {
        assert_eq!(normalize("Sooooo GOOD!!!!!"), "sooo good!!!");
        assert_eq!(normalize("555555"), "555");
    }

    #[test]
    fn scripts() {
        assert_eq!(dominant_script("今日はいい天気"), Script::Kana);
        assert_eq!(dominant_script("今天天气很好"), Script::Han);
        assert_eq!(dominant_script("bahut accha hai"), Script::Latin);
        assert_eq!(dominant_script("बहुत अच्छा"), Script::Devanagari);
    }
}
