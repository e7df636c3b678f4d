//! Burmese in the Zawgyi font encoding, recognised and converted to Unicode.
//!
//! Zawgyi reuses the Myanmar block for glyphs rather than characters: stacked
//! consonants and medial variants live in U+1060..U+1097 (which Unicode gives
//! to Mon, Karen and Shan), medials sit one code point off (Zawgyi U+103B is
//! Unicode's medial ra U+103C, and so on) and the vowel sign E (U+1031) and
//! the medial ra are typed *before* their consonant, in visual order. Much of
//! Myanmar's web still serves it, and text read as Unicode without conversion
//! is neither searchable nor detectable.
//!
//! Recognition weighs signs that only one encoding produces; conversion is
//! table-driven: every Zawgyi code point maps to its Unicode sequence, then
//! each syllable's marks are put in Unicode's storage order. Nothing is
//! downloaded; the tables are below.

use std::borrow::Cow;

/// Whether `text` is Burmese typed in Zawgyi rather than Unicode.
pub fn is_zawgyi(text: &str) -> bool {
    let (mut zawgyi, mut unicode) = (0i32, 0i32);
    let mut prev: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        match c {
            // Stacked and variant glyphs of Zawgyi; Burmese in Unicode does
            // not use these code points.
            '\u{1060}'..='\u{1097}' => zawgyi += 2,
            // Zawgyi's long u/uu variants.
            '\u{1033}' | '\u{1034}' => zawgyi += 2,
            // Vowel sign E: Unicode stores it after its consonant (and
            // medials), Zawgyi before.
            '\u{1031}' => {
                if prev.is_some_and(|p| is_consonant(p) || is_unicode_medial(p)) {
                    unicode += 1;
                }
                if !prev.is_some_and(|p| is_consonant(p) || is_unicode_medial(p) || p == '\u{1031}')
                    && next.is_some_and(|n| is_consonant(n) || n == '\u{103B}')
                {
                    zawgyi += 1;
                }
            }
            // Zawgyi's medial ra glyph (Unicode's medial ya) typed before
            // the consonant.
            '\u{103B}' if !prev.is_some_and(is_consonant) && next.is_some_and(is_consonant) => {
                zawgyi += 1
            }
            // Zawgyi's asat is U+1039, which ends a word; Unicode's virama
            // U+1039 never does.
            '\u{1039}' if next.is_none_or(|n| !('\u{1000}'..='\u{109F}').contains(&n)) => {
                zawgyi += 1
            }
            // Kinzi exists only in Unicode.
            '\u{103A}' if prev == Some('\u{1004}') && next == Some('\u{1039}') => unicode += 1,
            // Unicode's medial ha / wa / ra after a consonant.
            '\u{103E}' | '\u{103C}' if prev.is_some_and(is_consonant) => unicode += 1,
            _ => {}
        }
        prev = Some(c);
    }
    zawgyi > unicode
}

/// `text` in Unicode: converted when it is Zawgyi, untouched otherwise.
pub fn to_unicode(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| ('\u{1000}'..='\u{109F}').contains(&c)) || !is_zawgyi(text) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(convert(text))
}

fn is_consonant(c: char) -> bool {
    ('\u{1000}'..='\u{1021}').contains(&c)
}

fn is_unicode_medial(c: char) -> bool {
    ('\u{103B}'..='\u{103E}').contains(&c)
}

/// Unicode for one Zawgyi code point, or `None` when it is the same.
fn map_char(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{1033}' => "\u{102F}",
        '\u{1034}' => "\u{1030}",
        '\u{1039}' => "\u{103A}",
        '\u{103A}' => "\u{103B}",
        '\u{103B}' => "\u{103C}",
        '\u{103C}' => "\u{103D}",
        '\u{103D}' => "\u{103E}",
        '\u{1060}' => "\u{1039}\u{1000}",
        '\u{1061}' => "\u{1039}\u{1001}",
        '\u{1062}' => "\u{1039}\u{1002}",
        '\u{1063}' => "\u{1039}\u{1003}",
        '\u{1064}' => KINZI,
        '\u{1065}' => "\u{1039}\u{1005}",
        '\u{1066}' | '\u{1067}' => "\u{1039}\u{1006}",
        '\u{1068}' => "\u{1039}\u{1007}",
        '\u{1069}' => "\u{1039}\u{1008}",
        '\u{106A}' => "\u{1009}",
        '\u{106B}' => "\u{100A}",
        '\u{106C}' => "\u{1039}\u{100B}",
        '\u{106D}' => "\u{1039}\u{100C}",
        '\u{106E}' => "\u{100D}\u{1039}\u{100D}",
        '\u{106F}' => "\u{100D}\u{1039}\u{100E}",
        '\u{1070}' => "\u{1039}\u{100F}",
        '\u{1071}' | '\u{1072}' => "\u{1039}\u{1010}",
        '\u{1073}' | '\u{1074}' => "\u{1039}\u{1011}",
        '\u{1075}' => "\u{1039}\u{1012}",
        '\u{1076}' => "\u{1039}\u{1013}",
        '\u{1077}' => "\u{1039}\u{1014}",
        '\u{1078}' => "\u{1039}\u{1015}",
        '\u{1079}' => "\u{1039}\u{1016}",
        '\u{107A}' => "\u{1039}\u{1017}",
        '\u{107B}' | '\u{1093}' => "\u{1039}\u{1018}",
        '\u{107C}' => "\u{1039}\u{1019}",
        '\u{107D}' => "\u{103B}",
        '\u{107E}'..='\u{1084}' => "\u{103C}",
        '\u{1085}' => "\u{1039}\u{101C}",
        '\u{1086}' => "\u{103F}",
        '\u{1087}' => "\u{103E}",
        '\u{1088}' => "\u{103E}\u{102F}",
        '\u{1089}' => "\u{103E}\u{1030}",
        '\u{108A}' => "\u{103D}\u{103E}",
        '\u{108B}' => "\u{1004}\u{103A}\u{1039}\u{102D}",
        '\u{108C}' => "\u{1004}\u{103A}\u{1039}\u{102E}",
        '\u{108D}' => "\u{1004}\u{103A}\u{1039}\u{1036}",
        '\u{108E}' => "\u{102D}\u{1036}",
        '\u{108F}' => "\u{1014}",
        '\u{1090}' => "\u{101B}",
        '\u{1091}' => "\u{100F}\u{1039}\u{100D}",
        '\u{1092}' => "\u{100B}\u{1039}\u{100C}",
        '\u{1094}' | '\u{1095}' => "\u{1037}",
        '\u{1096}' => "\u{1039}\u{1010}\u{103D}",
        '\u{1097}' => "\u{100B}\u{1039}\u{100B}",
        '\u{200B}' => "",
        _ => return None,
    })
}

const KINZI: &str = "\u{1004}\u{103A}\u{1039}";

/// Where a mark goes inside its syllable in Unicode storage order. The
/// consonant itself is 1; what Zawgyi typed before it (the vowel sign E,
/// medial ra) sorts after it.
fn rank(piece: &str) -> u8 {
    if piece.starts_with(KINZI) {
        return 0;
    }
    let first = piece.chars().next().unwrap_or(' ');
    match first {
        '\u{1039}' => 2,
        '\u{103B}' => 3,
        '\u{103C}' => 4,
        '\u{103D}' => 5,
        '\u{103E}' => 6,
        '\u{1031}' => 7,
        '\u{102D}' | '\u{102E}' | '\u{1032}' => 8,
        '\u{102F}' | '\u{1030}' => 9,
        '\u{102B}' | '\u{102C}' => 10,
        '\u{1036}' => 11,
        '\u{1037}' => 12,
        '\u{103A}' => 13,
        '\u{1038}' => 14,
        _ => 1,
    }
}

/// Converts Zawgyi text to Unicode (whether or not it is Zawgyi: call
/// [`to_unicode`] to convert only what needs it).
pub fn convert(text: &str) -> String {
    // Map each code point, keeping each mapped piece whole so a kinzi or a
    // stacked consonant moves as one.
    let mut pieces: Vec<Cow<'static, str>> = Vec::with_capacity(text.len() / 2);
    for c in text.chars() {
        match map_char(c) {
            Some(s) => pieces.push(Cow::Borrowed(s)),
            None => pieces.push(Cow::Owned(c.to_string())),
        }
    }
    // Zawgyi puts kinzi after its consonant; its syllable begins before.
    let mut out = String::with_capacity(text.len() + 8);
    let mut syllable: Vec<Cow<'static, str>> = Vec::new();
    let mut has_base = false;
    let flush = |syllable: &mut Vec<Cow<'static, str>>, out: &mut String| {
        // Stable: marks of one rank keep their typed order.
        syllable.sort_by_key(|p| rank(p));
        for p in syllable.drain(..) {
            out.push_str(&p);
        }
    };
    for piece in pieces {
        let first = piece.chars().next();
        let Some(first) = first else { continue };
        let myanmar = ('\u{1000}'..='\u{109F}').contains(&first);
        let is_base = piece.starts_with(KINZI) && piece.len() > KINZI.len()
            || (is_consonant(first) || ('\u{1023}'..='\u{102A}').contains(&first))
                && piece.chars().count() == 1
            || first == '\u{100D}' && piece.chars().count() > 1
            || first == '\u{100F}' && piece.chars().count() > 1
            || first == '\u{100B}' && piece.chars().count() > 1
            || first == '\u{103F}';
        let pre_base = first == '\u{1031}' || piece == "\u{103C}";
        if !myanmar {
            flush(&mut syllable, &mut out);
            has_base = false;
            out.push_str(&piece);
            continue;
        }
        if is_base {
            // Zawgyi has no virama (stacks are glyphs of their own), so every
            // consonant starts a syllable, taking any pre-base marks waiting.
            if has_base {
                flush(&mut syllable, &mut out);
            }
            has_base = true;
            syllable.push(piece);
        } else if pre_base && has_base {
            // A vowel sign E or medial ra typed before the next consonant.
            flush(&mut syllable, &mut out);
            has_base = false;
            syllable.push(piece);
        } else {
            syllable.push(piece);
        }
    }
    flush(&mut syllable, &mut out);
    // Zawgyi writes nya as U+1025 + asat in some fonts and u + ii for uu.
    out.replace("\u{1025}\u{103A}", "\u{1009}\u{103A}")
        .replace("\u{1025}\u{102E}", "\u{1026}")
}

#[cfg(test)]
mod tests {
    use super::*;

    // "Myanmar": Unicode မြန်မာ, Zawgyi types medial ra first and asat as U+1039.
    const MYANMAR_UNI: &str = "\u{1019}\u{103C}\u{1014}\u{103A}\u{1019}\u{102C}";
    const MYANMAR_ZG: &str = "\u{103B}\u{1019}\u{1014}\u{1039}\u{1019}\u{102C}";
    // "Thank you": ကျေးဇူး, with the vowel sign E typed before the consonant.
    const THANKS_UNI: &str = "\u{1000}\u{103B}\u{1031}\u{1038}\u{1007}\u{1030}\u{1038}";
    const THANKS_ZG: &str = "\u{1031}\u{1000}\u{103A}\u{1038}\u{1007}\u{1030}\u{1038}";

    #[test]
    fn zawgyi_words_convert_to_unicode() {
        assert_eq!(convert(MYANMAR_ZG), MYANMAR_UNI);
        assert_eq!(convert(THANKS_ZG), THANKS_UNI);
    }

    #[test]
    fn kinzi_moves_before_its_consonant() {
        // မင်္ဂလာ: Zawgyi types ga, then the kinzi glyph.
        let zg = "\u{1019}\u{1002}\u{1064}\u{101C}\u{102C}";
        let uni = "\u{1019}\u{1004}\u{103A}\u{1039}\u{1002}\u{101C}\u{102C}";
        assert_eq!(convert(zg), uni);
    }

    #[test]
    fn zawgyi_is_recognised_and_unicode_is_left_alone() {
        let zg = format!("{MYANMAR_ZG} {THANKS_ZG}");
        let uni = format!("{MYANMAR_UNI} {THANKS_UNI}");
        assert!(is_zawgyi(&zg));
        assert!(!is_zawgyi(&uni));
        assert_eq!(to_unicode(&zg), uni);
        assert!(matches!(to_unicode(&uni), Cow::Borrowed(_)));
        assert!(matches!(to_unicode("plain text"), Cow::Borrowed(_)));
    }
}
