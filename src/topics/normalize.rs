//! The one text normalisation that pack terms and article text both go
//! through before matching, with a map from every normalised byte back to
//! the original text.
//!
//! Matching happens on normalised text so a pack lists a term once, not in
//! every width, case and accent: NFKC (full-width Latin, half-width kana,
//! ligatures, compatibility forms), lowercase, Latin diacritics removed
//! (Vietnamese `lừa đảo` and the unaccented `lua dao` that social posts and
//! URLs use are the same term), zero-width characters, Devanagari nukta and
//! Arabic vowel marks removed, Arabic yeh and kaf folded to the Urdu forms,
//! and runs of white space and hyphens collapsed to one space (`e-wallet`,
//! `e wallet`). Evidence must still point at the original text, so each
//! normalised byte records the original byte range of the cluster it came
//! from (a base character with its combining marks, NFKC's unit of change).

use unicode_normalization::char::{canonical_combining_class, decompose_canonical};
use unicode_normalization::{IsNormalized, UnicodeNormalization};

/// Normalised text and the original byte range of every normalised byte.
#[derive(Debug, Default, Clone)]
pub struct Normalized {
    pub text: String,
    /// Original byte range (start, end) per normalised byte: one vector,
    /// so each byte costs one push.
    spans: Vec<(u32, u32)>,
    /// Length in text units: one per character, two per Han, kana or Hangul
    /// character (each carries about two Latin letters' worth of content),
    /// so term density is comparable across scripts.
    pub units: usize,
}

impl Normalized {
    pub fn new(src: &str) -> Normalized {
        let mut n = Normalized::default();
        n.set(src);
        n
    }

    /// The original byte range of normalised bytes `start..end`.
    pub fn original(&self, start: usize, end: usize) -> (usize, usize) {
        debug_assert!(start < end && end <= self.text.len());
        (self.spans[start].0 as usize, self.spans[end - 1].1 as usize)
    }

    /// Replaces the content with the normalisation of `src`, reusing buffers.
    pub fn set(&mut self, src: &str) {
        self.set_with(src, true);
    }

    /// [`Normalized::set`], with or without the ASCII shortcut (the tests
    /// compare the two).
    fn set_with(&mut self, src: &str, ascii_shortcut: bool) {
        self.text.clear();
        self.spans.clear();
        // Nearly every character normalises to itself or less: one
        // allocation up front instead of doubling as the text grows.
        self.text.reserve(src.len());
        self.spans.reserve(src.len());
        self.units = 0;
        let mut cluster = String::new();
        let mut chars = src.char_indices().peekable();
        while let Some((start, c)) = chars.next() {
            // ASCII not followed by a mark (most characters of most text):
            // a cluster of its own, without the cluster bookkeeping below.
            if ascii_shortcut
                && c.is_ascii()
                && chars.peek().is_none_or(|&(_, next)| next.is_ascii())
            {
                self.push_ascii(c, (start as u32, start as u32 + 1));
                continue;
            }
            let mut end = start + c.len_utf8();
            let mut single = true;
            while let Some(&(i, next)) = chars.peek() {
                if !continues_cluster(next) {
                    break;
                }
                if single {
                    cluster.clear();
                    cluster.push(c);
                    single = false;
                }
                cluster.push(next);
                end = i + next.len_utf8();
                chars.next();
            }
            let span = (start as u32, end as u32);
            if single {
                self.push_char(c, span);
            } else if crate::chars::nfkc_quick(&cluster) == IsNormalized::Yes {
                // A letter and its marks already in NFKC (Thai, Indic,
                // Vietnamese as typed): the same characters, without the
                // normaliser's buffering.
                for d in cluster.chars() {
                    self.push_folded(d, span);
                }
            } else {
                for d in cluster.chars().nfkc() {
                    self.push_folded(d, span);
                }
            }
        }
        if self.text.ends_with(' ') {
            self.text.pop();
            self.spans.pop();
        }
        debug_assert_eq!(self.text.len(), self.spans.len());
    }

    /// One character that forms a cluster alone.
    fn push_char(&mut self, c: char, span: (u32, u32)) {
        if c.is_ascii() {
            self.push_ascii(c, span);
        } else if is_stable(c) {
            self.push_raw(c, span);
        } else if crate::chars::nfkc_quick(c.encode_utf8(&mut [0; 4])) == IsNormalized::Yes {
            self.push_folded(c, span);
        } else {
            for d in std::iter::once(c).nfkc() {
                self.push_folded(d, span);
            }
        }
    }

    /// An ASCII character that forms a cluster alone. Always inlined: it is
    /// most characters of most text, and as a call from the loop (through
    /// `push_char`) it cost 0.2 M instructions per crawled article.
    #[inline(always)]
    fn push_ascii(&mut self, c: char, span: (u32, u32)) {
        if c.is_ascii_alphanumeric() || !(c.is_ascii_whitespace() || c == '-') {
            self.push_raw(c.to_ascii_lowercase(), span);
        } else {
            self.push_space(span);
        }
    }

    /// An NFKC character: lowercase and fold it.
    fn push_folded(&mut self, c: char, span: (u32, u32)) {
        if c.is_ascii() {
            return self.push_char(c, span);
        }
        if c.is_whitespace() || is_dash(c) {
            return self.push_space(span);
        }
        if is_dropped(c) {
            return;
        }
        // Characters lowercasing leaves alone (nearly all outside Latin,
        // Greek and Cyrillic capitals) skip the case tables.
        if !crate::chars::lowercase_changes(c) {
            return self.fold_one(c, span);
        }
        for l in c.to_lowercase() {
            self.fold_one(l, span);
        }
    }

    fn fold_one(&mut self, c: char, span: (u32, u32)) {
        match c {
            'đ' => self.push_raw('d', span),
            '\u{064A}' | '\u{0649}' => self.push_raw('\u{06CC}', span), // yeh → Farsi yeh
            '\u{0643}' => self.push_raw('\u{06A9}', span),              // kaf → keheh
            '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => {
                let mut bases = [None; 4];
                let mut n = 0;
                decompose_canonical(c, |d| {
                    if !is_latin_mark(d) && n < bases.len() {
                        bases[n] = Some(d);
                        n += 1;
                    }
                });
                for d in bases.into_iter().flatten() {
                    self.push_raw(d, span);
                }
            }
            _ if is_latin_mark(c) => {}
            _ => self.push_raw(c, span),
        }
    }

    fn push_space(&mut self, span: (u32, u32)) {
        if !self.text.is_empty() && !self.text.ends_with(' ') {
            self.push_raw(' ', span);
        }
    }

    #[inline(always)]
    fn push_raw(&mut self, c: char, span: (u32, u32)) {
        self.text.push(c);
        if c.is_ascii() {
            self.spans.push(span);
            self.units += 1;
            return;
        }
        for _ in 0..c.len_utf8() {
            self.spans.push(span);
        }
        self.units += if is_wide(c) { 2 } else { 1 };
    }
}

/// Normalises a pack term (same rules as the text).
pub fn normalize(term: &str) -> String {
    Normalized::new(term).text
}

/// Characters that join the preceding one into a cluster NFKC must see
/// whole: combining marks, and the half-width kana voicing marks that NFKC
/// composes with the kana before them.
fn continues_cluster(c: char) -> bool {
    // NFKC starters (most characters) have class 0 and are not the two
    // voicing marks: the bit set answers before the class table is asked.
    !c.is_ascii()
        && !crate::chars::is_nfkc_starter(c)
        && (canonical_combining_class(c) != 0 || matches!(c, '\u{FF9E}' | '\u{FF9F}'))
}

/// Ranges that are NFKC-stable and have no case: the bulk of Han, kana,
/// Hangul and Thai text skips the normalisation tables.
fn is_stable(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{AC00}'..='\u{D7A3}'
        | '\u{3041}'..='\u{3096}'
        | '\u{30A1}'..='\u{30FA}'
        | '\u{0E01}'..='\u{0E32}'
        | '\u{0E34}'..='\u{0E5B}')
}

fn is_dash(c: char) -> bool {
    matches!(
        c,
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{FE58}' | '\u{FE63}' | '\u{FF0D}'
    )
}

/// Removed everywhere: zero-width characters and soft hyphen (invisible,
/// and used to dodge keyword filters), Devanagari nukta (written or not
/// for the same word), Arabic-script vowel marks (rarely written in Urdu).
fn is_dropped(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{200B}'..='\u{200F}'
            | '\u{2060}'..='\u{2064}'
            | '\u{FEFF}'
            | '\u{093C}'
            | '\u{064B}'..='\u{0652}'
            | '\u{0670}'
    )
}

fn is_latin_mark(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

fn is_wide(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3FFFF}')
}

/// Script classes that decide the word-boundary rule at a term's edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Latin,
    Greek,
    Cyrillic,
    Devanagari,
    Bengali,
    Tamil,
    Arabic,
    Hangul,
    Thai,
    Lao,
    Myanmar,
    Khmer,
    Han,
    Kana,
    Other,
}

impl Script {
    pub fn of(c: char) -> Script {
        match c {
            '0'..='9' | 'a'..='z' | 'A'..='Z' => Script::Latin,
            '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' | '\u{0300}'..='\u{036F}' => {
                Script::Latin
            }
            '\u{0370}'..='\u{03FF}' => Script::Greek,
            '\u{0400}'..='\u{04FF}' => Script::Cyrillic,
            '\u{0900}'..='\u{097F}' => Script::Devanagari,
            '\u{0980}'..='\u{09FF}' => Script::Bengali,
            '\u{0B80}'..='\u{0BFF}' => Script::Tamil,
            '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{FB50}'..='\u{FDFF}' => {
                Script::Arabic
            }
            '\u{AC00}'..='\u{D7AF}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}' => {
                Script::Hangul
            }
            '\u{0E00}'..='\u{0E7F}' => Script::Thai,
            '\u{0E80}'..='\u{0EFF}' => Script::Lao,
            '\u{1000}'..='\u{109F}' | '\u{A9E0}'..='\u{A9FF}' | '\u{AA60}'..='\u{AA7F}' => {
                Script::Myanmar
            }
            '\u{1780}'..='\u{17FF}' | '\u{19E0}'..='\u{19FF}' => Script::Khmer,
            '\u{3400}'..='\u{4DBF}'
            | '\u{4E00}'..='\u{9FFF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{20000}'..='\u{3FFFF}' => Script::Han,
            '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9F}' => {
                Script::Kana
            }
            _ => Script::Other,
        }
    }

    /// Scripts written with spaces between words: a term must start (and,
    /// unless [`Script::suffixes_attach`], end) at a word boundary.
    pub fn spaced(self) -> bool {
        !matches!(
            self,
            Script::Thai
                | Script::Lao
                | Script::Myanmar
                | Script::Khmer
                | Script::Han
                | Script::Kana
        )
    }

    /// Spaced scripts whose languages glue case endings and particles to
    /// the noun (Korean 을/를/에서, Tamil -இல்/-கள், Bengali -র/-এর): the
    /// start of a term must be a word start, its end may run into a suffix.
    pub fn suffixes_attach(self) -> bool {
        matches!(self, Script::Hangul | Script::Tamil | Script::Bengali)
    }

    /// Scripts where a one- or two-letter term is almost surely noise.
    pub fn alphabetic(self) -> bool {
        matches!(self, Script::Latin | Script::Greek | Script::Cyrillic)
    }
}

/// A word character for boundary purposes: letters, digits, marks.
pub fn is_word(c: char) -> bool {
    crate::chars::is_word_char(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        normalize(s)
    }

    #[test]
    fn the_ascii_shortcut_changes_nothing() {
        let pool: Vec<char> = "aZ0 -_.,\t\né\u{301}\u{300}e\u{323}ｆﬁ—ไทย\u{e33}広告Đ đ\u{200b}"
            .chars()
            .collect();
        let mut state = 11u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as usize
        };
        for _ in 0..5_000 {
            let len = next() % 30;
            let s: String = (0..len).map(|_| pool[next() % pool.len()]).collect();
            let (mut fast, mut general) = (Normalized::default(), Normalized::default());
            fast.set_with(&s, true);
            general.set_with(&s, false);
            assert_eq!(fast.text, general.text, "{s:?}");
            assert_eq!(fast.spans, general.spans, "{s:?}");
            assert_eq!(fast.units, general.units, "{s:?}");
        }
    }

    #[test]
    fn case_width_and_space_are_folded() {
        assert_eq!(norm("  Scam   ADS\n"), "scam ads");
        assert_eq!(norm("ＧＣａｓｈ"), "gcash");
        assert_eq!(norm("e-wallet"), "e wallet");
        assert_eq!(norm("ｻｷﾞ"), "サギ");
        assert_eq!(norm("lo\u{200B}an"), "loan");
    }

    #[test]
    fn vietnamese_matches_with_and_without_diacritics() {
        assert_eq!(norm("Lừa đảo"), "lua dao");
        assert_eq!(norm("LỪA ĐẢO"), "lua dao");
        // Decomposed input (e + combining marks) folds the same way.
        assert_eq!(norm("Vie\u{0302}\u{0323}t"), "viet");
        assert_eq!(norm("cờ bạc"), "co bac");
    }

    #[test]
    fn other_scripts_keep_their_marks() {
        assert_eq!(norm("धोखाधड़ी"), "धोखाधडी");
        assert_eq!(norm("การพนัน"), "การพนัน");
        assert_eq!(norm("قرض"), "قرض");
        assert_eq!(norm("كارڈ"), "کارڈ");
    }

    #[test]
    fn offsets_map_back_to_the_original() {
        let src = "Cảnh báo LỪA ĐẢO qua ＧＣａｓｈ";
        let n = Normalized::new(src);
        let at = n.text.find("lua dao").unwrap();
        let (s, e) = n.original(at, at + "lua dao".len());
        assert_eq!(&src[s..e], "LỪA ĐẢO");
        let at = n.text.find("gcash").unwrap();
        let (s, e) = n.original(at, at + 5);
        assert_eq!(&src[s..e], "ＧＣａｓｈ");
    }

    #[test]
    fn scripts_are_classified() {
        assert_eq!(Script::of('a'), Script::Latin);
        assert_eq!(Script::of('ư'), Script::Latin);
        assert_eq!(Script::of('ก'), Script::Thai);
        assert_eq!(Script::of('詐'), Script::Han);
        assert_eq!(Script::of('サ'), Script::Kana);
        assert_eq!(Script::of('사'), Script::Hangul);
        assert!(!Script::Thai.spaced());
        assert!(Script::Hangul.suffixes_attach());
    }
}
