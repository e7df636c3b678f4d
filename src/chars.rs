//! Character classes asked for every character of every text: whether a
//! character belongs inside a word (a letter, a digit or a combining mark),
//! whether it is a letter or digit (`char::is_alphanumeric`), a letter
//! (`char::is_alphabetic`, for language detection and sentiment), a letter
//! or mark, numeric (`char::is_numeric`), and whether lowercasing changes it
//! (the last three for story signatures, [`crate::stories`]), and whether
//! NFKC leaves it alone (for the quick checks and normalisation below).
//!
//! The standard library answers `is_alphanumeric` for non-ASCII characters
//! by searching Unicode tables, which profiling showed to be 40 % of the
//! analysis time of Thai text (every character of it is non-ASCII). Here
//! the answer for the Basic Multilingual Plane, where all first-class
//! scripts live, is computed once into an 8 KiB bit set per class; other
//! planes ask the tables as before. The answers are the same by construction.

use std::borrow::Cow;
use std::sync::LazyLock;

use unicode_normalization::{IsNormalized, UnicodeNormalization};

/// One bit per BMP code point.
type BmpBits = Box<[u64; 1024]>;

fn bmp_bits(class: fn(char) -> bool) -> BmpBits {
    let mut bits = Box::new([0u64; 1024]);
    for cp in 0..0x1_0000u32 {
        if char::from_u32(cp).is_some_and(class) {
            bits[(cp >> 6) as usize] |= 1 << (cp & 63);
        }
    }
    bits
}

/// Letter, digit or combining mark.
static WORD_BITS: LazyLock<BmpBits> = LazyLock::new(|| bmp_bits(slow_word_char));

/// `char::is_alphabetic`. Built from the letter-or-digit and numeric sets,
/// asking the standard library only about numeric characters (a few
/// hundred): its table search costs about 1,500 instructions a character,
/// 100 M for the whole plane at start-up.
static ALPHABETIC_BITS: LazyLock<BmpBits> =
    LazyLock::new(|| bmp_bits(|c| is_alphanumeric(c) && (!is_numeric(c) || c.is_alphabetic())));

/// Letter or digit.
static ALNUM_BITS: LazyLock<BmpBits> = LazyLock::new(|| bmp_bits(char::is_alphanumeric));

/// Letter or combining mark (no digits): a letter of a story shingle.
static ALPHA_MARK_BITS: LazyLock<BmpBits> = LazyLock::new(|| bmp_bits(slow_alphabetic_or_mark));

/// `char::is_numeric` (digits, and numerals such as Khmer's).
static NUMERIC_BITS: LazyLock<BmpBits> = LazyLock::new(|| bmp_bits(char::is_numeric));

/// Characters that lowercase to more than themselves or to another one.
static CASED_BITS: LazyLock<BmpBits> = LazyLock::new(|| bmp_bits(slow_lowercase_changes));

/// Characters NFKC's quick check says "yes" to, marks included.
static NFKC_YES_BITS: LazyLock<BmpBits> = LazyLock::new(|| bmp_bits(slow_nfkc_yes));

/// Characters NFC's quick check says "yes" to, marks included.
static NFC_YES_BITS: LazyLock<BmpBits> = LazyLock::new(|| bmp_bits(slow_nfc_yes));

/// Characters that NFKC leaves alone wherever they stand: quick check
/// "yes" and combining class 0, so no mark before them can be reordered.
/// Read from the "yes" table, so the library is not asked twice per
/// character at start-up.
static NFKC_STARTER_BITS: LazyLock<BmpBits> = LazyLock::new(|| {
    bmp_bits(|c| is_nfkc_yes(c) && unicode_normalization::char::canonical_combining_class(c) == 0)
});

fn slow_nfkc_starter(c: char) -> bool {
    unicode_normalization::char::canonical_combining_class(c) == 0 && slow_nfkc_yes(c)
}

/// Whether `c` is an NFKC starter (see [`NFKC_STARTER_BITS`]): a string of
/// them is in NFKC.
#[inline]
pub fn is_nfkc_starter(c: char) -> bool {
    classify(c, |_| true, &NFKC_STARTER_BITS, slow_nfkc_starter)
}

/// The NFKC quick check of `s`, the same answer as
/// `unicode_normalization::is_nfkc_quick(s.chars())`. The library asks two
/// perfect-hash tables (combining class and quick-check property) through a
/// function pointer for every non-ASCII character; here NFKC starters, all
/// but a few characters of news text in any script, are answered from
/// [`NFKC_STARTER_BITS`], marks NFKC allows from [`NFKC_YES_BITS`] with
/// their combining class, and only the rest ask the library. A starter
/// ends any run of marks, so the check goes on after it as if from the
/// start.
pub fn nfkc_quick(s: &str) -> IsNormalized {
    quick_check(
        s,
        is_nfkc_yes,
        unicode_normalization::is_nfkc_quick::<std::iter::Once<char>>,
    )
}

/// The NFC quick check of `s`, as `unicode_normalization::is_nfc_quick`
/// gives it, the same way as [`nfkc_quick`]: a character NFKC leaves alone
/// NFC leaves alone too.
pub fn nfc_quick(s: &str) -> IsNormalized {
    quick_check(
        s,
        is_nfc_yes,
        unicode_normalization::is_nfc_quick::<std::iter::Once<char>>,
    )
}

fn slow_nfkc_yes(c: char) -> bool {
    unicode_normalization::is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes
}

fn slow_nfc_yes(c: char) -> bool {
    unicode_normalization::is_nfc_quick(std::iter::once(c)) == IsNormalized::Yes
}

/// Whether NFKC's quick check says "yes" for `c` alone, whatever its
/// combining class.
#[inline]
fn is_nfkc_yes(c: char) -> bool {
    classify(c, |_| true, &NFKC_YES_BITS, slow_nfkc_yes)
}

/// Whether NFC's quick check says "yes" for `c` alone.
#[inline]
fn is_nfc_yes(c: char) -> bool {
    classify(c, |_| true, &NFC_YES_BITS, slow_nfc_yes)
}

/// A quick check: starters from the bit set, other characters by their
/// combining class (which must not fall within a run of marks) and `yes`,
/// and `one` (the library's check of a single character) for those `yes`
/// does not allow.
#[inline]
fn quick_check(
    s: &str,
    yes: fn(char) -> bool,
    one: fn(std::iter::Once<char>) -> IsNormalized,
) -> IsNormalized {
    let mut last_class = 0u8;
    let mut result = IsNormalized::Yes;
    for c in s.chars() {
        if is_nfkc_starter(c) {
            last_class = 0;
            continue;
        }
        let class = unicode_normalization::char::canonical_combining_class(c);
        if class != 0 && last_class > class {
            return IsNormalized::No;
        }
        // Marks the form allows anywhere (Thai tone marks, Indic vowel
        // signs) need no table beyond the class.
        if yes(c) {
            last_class = class;
            continue;
        }
        match one(std::iter::once(c)) {
            IsNormalized::Yes => {}
            IsNormalized::No => return IsNormalized::No,
            IsNormalized::Maybe => result = IsNormalized::Maybe,
        }
        last_class = class;
    }
    result
}

/// Appends `s` in NFKC to `out`, sending only the stretches that may change
/// through the normaliser.
///
/// An NFKC starter (quick check "yes", combining class 0) is a boundary:
/// nothing before it composes with it or reorders across it, so the text
/// on either side normalises alone. Each character that is not a starter
/// is checked with its stretch, from the starter before it to the next
/// one; stretches that pass the quick check are copied. Thai's SARA AM
/// (U+0E33) fails the check, so a whole Thai article used to be decomposed
/// and recomposed for a few such characters.
pub fn push_nfkc(s: &str, out: &mut String) {
    let mut copied = 0; // s[..copied] is in `out`
    let mut boundary = 0; // where the stretch of the next non-starter starts
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if is_nfkc_starter(c) {
            boundary = i;
            continue;
        }
        let mut end = s.len();
        while let Some(&(j, d)) = chars.peek() {
            if is_nfkc_starter(d) {
                end = j;
                break;
            }
            chars.next();
        }
        let stretch = &s[boundary..end];
        if nfkc_quick(stretch) != IsNormalized::Yes {
            out.push_str(&s[copied..boundary]);
            out.extend(stretch.nfkc());
            copied = end;
        }
        boundary = end;
    }
    out.push_str(&s[copied..]);
}

/// `s` in NFKC, borrowed when it is already (see [`push_nfkc`]).
pub fn to_nfkc(s: &str) -> Cow<'_, str> {
    if nfkc_quick(s) == IsNormalized::Yes {
        Cow::Borrowed(s)
    } else {
        let mut out = String::with_capacity(s.len() + 16);
        push_nfkc(s, &mut out);
        Cow::Owned(out)
    }
}

fn slow_alphabetic_or_mark(c: char) -> bool {
    c.is_alphabetic() || unicode_normalization::char::is_combining_mark(c)
}

fn slow_lowercase_changes(c: char) -> bool {
    !c.to_lowercase().eq([c])
}

/// One class's answer: ASCII by `ascii`, the rest of the BMP from `bits`,
/// other planes by `slow` (the Unicode tables).
#[inline]
fn classify(c: char, ascii: fn(&u8) -> bool, bits: &BmpBits, slow: fn(char) -> bool) -> bool {
    let cp = c as u32;
    if cp < 0x80 {
        return ascii(&(cp as u8));
    }
    if cp < 0x1_0000 {
        return bits[(cp >> 6) as usize] & (1 << (cp & 63)) != 0;
    }
    slow(c)
}

/// A letter or a combining mark: `c.is_alphabetic() || is_combining_mark(c)`.
#[inline]
pub fn is_alphabetic_or_mark(c: char) -> bool {
    classify(
        c,
        u8::is_ascii_alphabetic,
        &ALPHA_MARK_BITS,
        slow_alphabetic_or_mark,
    )
}

/// `c.is_numeric()`, from the table for the BMP.
#[inline]
pub fn is_numeric(c: char) -> bool {
    classify(c, u8::is_ascii_digit, &NUMERIC_BITS, char::is_numeric)
}

/// Whether `c.to_lowercase()` is anything but `c` itself; false for every
/// character of the scripts without case (Thai, Han, Hangul ...), which
/// can then skip the case tables.
#[inline]
pub fn lowercase_changes(c: char) -> bool {
    classify(
        c,
        u8::is_ascii_uppercase,
        &CASED_BITS,
        slow_lowercase_changes,
    )
}

fn slow_word_char(c: char) -> bool {
    c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)
}

/// A letter, a digit or a combining mark (vowel signs, tone marks, virama).
#[inline]
pub fn is_word_char(c: char) -> bool {
    classify(c, u8::is_ascii_alphanumeric, &WORD_BITS, slow_word_char)
}

/// `c.is_alphabetic()`, from the table for the BMP.
#[inline]
pub fn is_alphabetic(c: char) -> bool {
    classify(
        c,
        u8::is_ascii_alphabetic,
        &ALPHABETIC_BITS,
        char::is_alphabetic,
    )
}

/// `c.is_alphanumeric()`, from the table for the BMP.
#[inline]
pub fn is_alphanumeric(c: char) -> bool {
    classify(
        c,
        u8::is_ascii_alphanumeric,
        &ALNUM_BITS,
        char::is_alphanumeric,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_answers_as_the_unicode_tables() {
        // Every BMP code point (where the tables answer), a sample of the rest.
        for cp in (0..0x1_0000u32).chain((0x1_0000..0x11_0000u32).step_by(7)) {
            if let Some(c) = char::from_u32(cp) {
                assert_eq!(is_word_char(c), slow_word_char(c), "U+{cp:04X}");
                assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "U+{cp:04X}");
                assert_eq!(is_alphabetic(c), c.is_alphabetic(), "U+{cp:04X}");
                assert_eq!(
                    is_alphabetic_or_mark(c),
                    slow_alphabetic_or_mark(c),
                    "U+{cp:04X}"
                );
                assert_eq!(is_numeric(c), c.is_numeric(), "U+{cp:04X}");
                assert_eq!(
                    lowercase_changes(c),
                    slow_lowercase_changes(c),
                    "U+{cp:04X}"
                );
                assert_eq!(is_nfkc_starter(c), slow_nfkc_starter(c), "U+{cp:04X}");
                assert_eq!(is_nfkc_yes(c), slow_nfkc_yes(c), "U+{cp:04X}");
                assert_eq!(is_nfc_yes(c), slow_nfc_yes(c), "U+{cp:04X}");
                // What `nfc_quick` relies on.
                assert!(
                    !is_nfkc_starter(c)
                        || unicode_normalization::is_nfc_quick(std::iter::once(c))
                            == IsNormalized::Yes,
                    "U+{cp:04X}"
                );
            }
        }
        assert!(is_word_char('ก') && is_word_char('ั') && is_word_char('๕'));
        assert!(!is_word_char('฿') && !is_word_char(' ') && !is_word_char('।'));
        assert!(is_word_char('𠀀')); // Han, outside the BMP
    }

    /// A SplitMix64 stream, so the random strings are the same every run.
    fn splitmix(state: &mut u64) -> u64 {
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    #[test]
    fn nfkc_by_stretches_matches_the_normaliser() {
        // Characters that compose, reorder, decompose or do nothing: Latin
        // with marks in and out of order, Thai with SARA AM and tone marks,
        // Hangul syllables and conjoining jamo, Vietnamese, full-width and
        // compatibility forms, Devanagari nukta, marks with no base, and
        // some outside the BMP.
        let pool: Vec<char> = "aeoAE \u{301}\u{300}\u{323}\u{302}\u{308}\u{327}\u{31b}\u{316}\
            กคำน้ำ่้๊ิีุู ั\u{e4d}\u{e32}각가각한\u{1161}\u{11a8}\
            ệẫươ ＡＢ１２ﬁ㎏①ｶﾞ\u{ff9e}ﾟ\u{3099}\u{309a}か\
            क\u{93c}ज़\u{94d}ष\u{958} Å\u{212b}\u{2126}\u{344}\u{f73}\u{1e9b}\u{fb2c}\u{5bc}\u{5c1}\u{1d15e}\u{1d165}\u{1d16e}\u{2f800}𝐀"
            .chars()
            .collect();
        let mut state = 7u64;
        for round in 0..20_000 {
            let len = 1 + (splitmix(&mut state) % 24) as usize;
            let s: String = (0..len)
                .map(|_| pool[(splitmix(&mut state) % pool.len() as u64) as usize])
                .collect();
            let want: String = s.nfkc().collect();
            assert_eq!(
                nfkc_quick(&s),
                unicode_normalization::is_nfkc_quick(s.chars()),
                "round {round}: {s:?}"
            );
            assert_eq!(
                nfc_quick(&s),
                unicode_normalization::is_nfc_quick(s.chars()),
                "round {round}: {s:?}"
            );
            assert_eq!(to_nfkc(&s), want, "round {round}: {s:?}");
            let mut out = String::from("x");
            push_nfkc(&s, &mut out);
            assert_eq!(out[1..], want, "round {round}: {s:?}");
        }
        assert!(matches!(to_nfkc("ข่าวภาษาไทย"), Cow::Borrowed(_)));
        assert_eq!(to_nfkc("ทำ ๑"), "ทํา ๑");
    }
}
