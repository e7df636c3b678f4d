//! Character classes asked for every character of every text: whether a
//! character belongs inside a word (a letter, a digit or a combining mark),
//! whether it is a letter or digit (`char::is_alphanumeric`), a letter or
//! mark, numeric (`char::is_numeric`), and whether lowercasing changes it
//! (the last three for story signatures, [`crate::stories`]), and whether
//! NFKC leaves it alone (for the index tokenizer's words).
//!
//! The standard library answers `is_alphanumeric` for non-ASCII characters
//! by searching Unicode tables, which profiling showed to be 40 % of the
//! analysis time of Thai text (every character of it is non-ASCII). Here
//! the answer for the Basic Multilingual Plane, where all first-class
//! scripts live, is computed once into an 8 KiB bit set per class; other
//! planes ask the tables as before. The answers are the same by construction.

use std::sync::LazyLock;

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

/// Letter or digit.
static ALNUM_BITS: LazyLock<BmpBits> = LazyLock::new(|| bmp_bits(char::is_alphanumeric));

/// Letter or combining mark (no digits): a letter of a story shingle.
static ALPHA_MARK_BITS: LazyLock<BmpBits> = LazyLock::new(|| bmp_bits(slow_alphabetic_or_mark));

/// `char::is_numeric` (digits, and numerals such as Khmer's).
static NUMERIC_BITS: LazyLock<BmpBits> = LazyLock::new(|| bmp_bits(char::is_numeric));

/// Characters that lowercase to more than themselves or to another one.
static CASED_BITS: LazyLock<BmpBits> = LazyLock::new(|| bmp_bits(slow_lowercase_changes));

/// Characters that NFKC leaves alone wherever they stand: quick check
/// "yes" and combining class 0, so no mark before them can be reordered.
static NFKC_STARTER_BITS: LazyLock<BmpBits> = LazyLock::new(|| bmp_bits(slow_nfkc_starter));

fn slow_nfkc_starter(c: char) -> bool {
    unicode_normalization::char::canonical_combining_class(c) == 0
        && unicode_normalization::is_nfkc_quick(std::iter::once(c))
            == unicode_normalization::IsNormalized::Yes
}

/// Whether `c` is an NFKC starter (see [`NFKC_STARTER_BITS`]): a string of
/// them is in NFKC.
#[inline]
pub fn is_nfkc_starter(c: char) -> bool {
    classify(c, |_| true, &NFKC_STARTER_BITS, slow_nfkc_starter)
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
            }
        }
        assert!(is_word_char('ก') && is_word_char('ั') && is_word_char('๕'));
        assert!(!is_word_char('฿') && !is_word_char(' ') && !is_word_char('।'));
        assert!(is_word_char('𠀀')); // Han, outside the BMP
    }
}
