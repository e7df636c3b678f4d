//! Character classes asked for every character of every text: whether a
//! character belongs inside a word (a letter, a digit or a combining mark),
//! and whether it is a letter or digit (`char::is_alphanumeric`).
//!
//! The standard library answers `is_alphanumeric` for non-ASCII characters
//! by searching Unicode tables, which profiling showed to be 40 % of the
//! analysis time of Thai text (every character of it is non-ASCII). Here
//! the answer for the Basic Multilingual Plane, where all first-class
//! scripts live, is computed once into an 8 KiB bit set; other planes ask
//! the tables as before. The answers are the same by construction.

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

fn slow_word_char(c: char) -> bool {
    c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)
}

/// A letter, a digit or a combining mark (vowel signs, tone marks, virama).
#[inline]
pub fn is_word_char(c: char) -> bool {
    let cp = c as u32;
    if cp < 0x80 {
        return c.is_ascii_alphanumeric();
    }
    if cp < 0x1_0000 {
        return WORD_BITS[(cp >> 6) as usize] & (1 << (cp & 63)) != 0;
    }
    slow_word_char(c)
}

/// `c.is_alphanumeric()`, from the table for the BMP.
#[inline]
pub fn is_alphanumeric(c: char) -> bool {
    let cp = c as u32;
    if cp < 0x80 {
        return c.is_ascii_alphanumeric();
    }
    if cp < 0x1_0000 {
        return ALNUM_BITS[(cp >> 6) as usize] & (1 << (cp & 63)) != 0;
    }
    c.is_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_answers_as_the_unicode_tables() {
        for cp in (0..0x11_0000u32).step_by(7).chain(0x0E00..0x0E80) {
            if let Some(c) = char::from_u32(cp) {
                assert_eq!(is_word_char(c), slow_word_char(c), "U+{cp:04X}");
                assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "U+{cp:04X}");
            }
        }
        assert!(is_word_char('ก') && is_word_char('ั') && is_word_char('๕'));
        assert!(!is_word_char('฿') && !is_word_char(' ') && !is_word_char('।'));
        assert!(is_word_char('𠀀')); // Han, outside the BMP
    }
}
