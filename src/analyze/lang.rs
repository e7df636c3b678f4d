//! Language detection: which language an article is written in.
//!
//! One pass counts the scripts of a sample of the text, and the dominant
//! script picks the path:
//!
//! - Scripts that belong to one first-class language decide by themselves:
//!   Thai, Lao, Khmer, Burmese (after Zawgyi is converted to Unicode), Hangul,
//!   Tamil, Bengali.
//! - Han text is Japanese when it carries kana, otherwise judged by the
//!   characters whose forms differ ([`super::han`]): Simplified, Traditional,
//!   or Japanese shinjitai for a headline in kanji alone.
//! - Devanagari is Hindi, Marathi or Nepali by their function words; Arabic
//!   script is Urdu, Persian or Arabic by the letters only each one uses.
//! - Latin text is Vietnamese by its letters; otherwise kabar's own compact
//!   models ([`super::latin`]) decide among English, Tagalog, romanised
//!   Hindi and the Malay family, then Indonesian or Malay. They were trained
//!   on informal and code-mixed text as well as news, and read each word
//!   once, so the most common path is also the fastest. Text in French,
//!   Spanish, German and the like goes to whatlang.
//! - Everything else goes to whatlang unrestricted.
//!
//! The page's declared language and the source's expected languages are
//! priors: they settle a close call (Malay or Indonesian, Chinese with no
//! telling character), never overrule clear evidence. Too little text is
//! `und`, with zero confidence, rather than a guess.

use std::sync::LazyLock;

use rustc_hash::FxHashMap;

use serde::Serialize;
use whatlang::{Detector, Lang};

use super::han::{HanForm, han_form};
use super::latin;
use super::markers::{self, count_in};
use super::zawgyi;

/// Fewer letters than this, in a script several languages share, and the
/// answer is `und`.
const MIN_LETTERS: usize = 8;
/// Fewer letters than this in a script of its own (Thai, Hangul, Tamil ...).
const MIN_OWN_SCRIPT_LETTERS: usize = 3;
/// Fewer Han or kana characters than this.
const MIN_CJK_CHARS: usize = 2;

/// How much of the text is sampled: detection does not improve past a few
/// paragraphs and the cost grows with length.
const SAMPLE_CHARS: usize = 3000;

/// Kana at least this share of the Han and kana characters makes a text
/// Japanese; below it, a Chinese article quoting one Japanese name stays
/// Chinese. Short texts with any kana are Japanese.
const KANA_MIN_SHARE: f64 = 0.02;
const KANA_SHORT_TEXT_HAN: usize = 40;

/// Diacritic-free Vietnamese words needed (at least this many, and 30% of
/// the words) to call a Latin text Vietnamese.
const VIETNAMESE_PLAIN_MIN: usize = 3;
/// French, Spanish ... function words needed (this many, and 20% of the
/// words) before whatlang is asked instead of kabar's model.
const EUROPEAN_MIN: usize = 2;
/// One letter in this many accented sends a Latin text to whatlang.
const ACCENTED_SHARE: usize = 8;
/// Probability gap under which a declared or expected language may take
/// the runner-up's side.
const PRIOR_MARGIN: f32 = 0.3;

/// Log-odds handicap of Malay against Indonesian; see [`malay_or_indonesian`].
/// These three were set on `eval/lang-tune` and informal Indonesian
/// training texts, not on `eval/lang`.
const INDONESIAN_BIAS: f64 = 1.0;
/// Log-odds per telling Malay or Indonesian word.
const WORD_WEIGHT: f64 = 2.0;
/// Weight of the n-gram log-likelihood ratio (summed over every 3- to
/// 5-letter window, so it grows with the text).
const IDMS_NGRAM_WEIGHT: f64 = 0.1;

/// A detected language with a confidence in [0, 1].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LangGuess {
    pub lang: String,
    pub confidence: f64,
}

impl LangGuess {
    fn new(lang: &str, confidence: f64) -> Self {
        LangGuess {
            lang: lang.to_string(),
            confidence: (confidence.clamp(0.0, 1.0) * 1000.0).round() / 1000.0,
        }
    }

    pub fn unknown() -> Self {
        LangGuess::new("und", 0.0)
    }
}

/// Letters per script family, plus the characters inside a family that
/// tell its languages apart.
#[derive(Default, Debug)]
struct ScriptCounts {
    letters: usize,
    han: usize,
    kana: usize,
    hangul: usize,
    thai: usize,
    lao: usize,
    khmer: usize,
    myanmar: usize,
    bengali: usize,
    tamil: usize,
    devanagari: usize,
    arabic: usize,
    latin: usize,
    other: usize,
    /// Han characters written so only in Simplified, Traditional, Japanese.
    hans: usize,
    hant: usize,
    ja_only: usize,
    /// Latin letters with diacritics (U+00C0 and up).
    latin_accented: usize,
    /// Latin letters only Vietnamese uses (ơ, ư, đ, ă, and the letters with
    /// a tone mark in U+1EA0..U+1EF9).
    vietnamese: usize,
    /// Arabic-script letters of Urdu only (ٹ ڈ ڑ ں ے ھ ہ), of Persian and
    /// Urdu (پ چ ژ گ ک ی), and of Arabic only (ة ى ي ك).
    urdu: usize,
    persian: usize,
    arabic_only: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Cjk,
    Hangul,
    Thai,
    Lao,
    Khmer,
    Myanmar,
    Bengali,
    Tamil,
    Devanagari,
    Arabic,
    Latin,
    Other,
}

impl ScriptCounts {
    fn dominant(&self) -> (Family, usize) {
        [
            (Family::Cjk, self.han + self.kana),
            (Family::Hangul, self.hangul),
            (Family::Thai, self.thai),
            (Family::Lao, self.lao),
            (Family::Khmer, self.khmer),
            (Family::Myanmar, self.myanmar),
            (Family::Bengali, self.bengali),
            (Family::Tamil, self.tamil),
            (Family::Devanagari, self.devanagari),
            (Family::Arabic, self.arabic),
            (Family::Latin, self.latin),
            (Family::Other, self.other),
        ]
        .into_iter()
        .fold(
            (Family::Other, 0),
            |best, f| if f.1 > best.1 { f } else { best },
        )
    }
}

fn count_scripts(text: &str) -> ScriptCounts {
    let mut c = ScriptCounts::default();
    for ch in text.chars() {
        let cp = ch as u32;
        // Code point ranges first: `char::is_alphabetic` is a slow table
        // search outside ASCII, and nearly every character of these scripts
        // is a letter or a vowel sign. Digits and punctuation of each block
        // are skipped by range.
        match cp {
            0x41..=0x5A | 0x61..=0x7A | 0xC0..=0x24F | 0x1E00..=0x1EFF => {
                if matches!(cp, 0xD7 | 0xF7) {
                    continue;
                }
                c.latin += 1;
                if cp >= 0xC0 {
                    c.latin_accented += 1;
                }
                if matches!(cp, 0x1EA0..=0x1EF9)
                    || matches!(ch, 'ơ' | 'ư' | 'đ' | 'ă' | 'Ơ' | 'Ư' | 'Đ' | 'Ă')
                {
                    c.vietnamese += 1;
                }
            }
            0x00..=0x7F => continue,
            0x3041..=0x30FA | 0x30FC..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => c.kana += 1,
            0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F => {
                c.han += 1;
                match han_form(ch) {
                    Some(HanForm::Simplified) => c.hans += 1,
                    Some(HanForm::Traditional) => c.hant += 1,
                    Some(HanForm::Japanese) => c.ja_only += 1,
                    None => {}
                }
            }
            0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3131..=0x318E => c.hangul += 1,
            0x0E01..=0x0E4E if !matches!(cp, 0x0E3F | 0x0E4F) => c.thai += 1,
            0x0E81..=0x0ECE => c.lao += 1,
            0x1780..=0x17D3 | 0x19E0..=0x19FF => c.khmer += 1,
            0x1000..=0x103F | 0x104C..=0x109F | 0xA9E0..=0xA9FF | 0xAA60..=0xAA7F if !matches!(cp, 0x1040..=0x104B | 0x1090..=0x1099) => {
                c.myanmar += 1
            }
            0x0980..=0x09E3 | 0x09F0..=0x09F1 => c.bengali += 1,
            0x0B80..=0x0BE5 => c.tamil += 1,
            0x0900..=0x0963 | 0x0970..=0x097F => c.devanagari += 1,
            0x0620..=0x065F
            | 0x066E..=0x06D3
            | 0x06D5
            | 0x0750..=0x077F
            | 0xFB50..=0xFDFF
            | 0xFE70..=0xFEFF => {
                c.arabic += 1;
                match ch {
                    'ٹ' | 'ڈ' | 'ڑ' | 'ں' | 'ے' | 'ۓ' | 'ھ' | 'ہ' | 'ۃ' => c.urdu += 1,
                    'پ' | 'چ' | 'ژ' | 'گ' | 'ک' | 'ی' => c.persian += 1,
                    'ة' | 'ى' | 'ي' | 'ك' => c.arabic_only += 1,
                    _ => {}
                }
            }
            _ if crate::chars::is_alphabetic(ch) => c.other += 1,
            _ => continue,
        }
        c.letters += 1;
    }
    c
}

/// Detects the language of `text`. `declared` is the page's own claim,
/// `expected` the source's catalog languages.
pub fn detect_language(text: &str, declared: Option<&str>, expected: &[String]) -> LangGuess {
    let end = text
        .char_indices()
        .nth(SAMPLE_CHARS)
        .map_or(text.len(), |(i, _)| i);
    let sample = zawgyi::to_unicode(&text[..end]);
    let sample = sample.as_ref();
    let priors = Priors::new(declared, expected);
    let c = count_scripts(sample);
    let (family, n) = c.dominant();
    let share = n as f64 / c.letters.max(1) as f64;
    let min = match family {
        Family::Cjk => MIN_CJK_CHARS,
        Family::Hangul
        | Family::Thai
        | Family::Lao
        | Family::Khmer
        | Family::Myanmar
        | Family::Bengali
        | Family::Tamil
        | Family::Devanagari
        | Family::Arabic => MIN_OWN_SCRIPT_LETTERS,
        // Vietnamese letters name their language in a word or two.
        Family::Latin if c.vietnamese > 0 => MIN_OWN_SCRIPT_LETTERS,
        _ => MIN_LETTERS,
    };
    if n < min {
        return LangGuess::unknown();
    }
    match family {
        Family::Cjk => cjk(&c, share, &priors),
        Family::Hangul => LangGuess::new("ko", share),
        Family::Thai => LangGuess::new("th", share),
        Family::Lao => LangGuess::new("lo", share),
        Family::Khmer => LangGuess::new("km", share),
        Family::Myanmar => LangGuess::new("my", share),
        Family::Bengali => bengali(sample, share),
        Family::Tamil => LangGuess::new("ta", share),
        Family::Devanagari => devanagari(sample, share),
        Family::Arabic => arabic_script(&c, sample, share),
        Family::Latin => latin(sample, &c, share, &priors),
        Family::Other => other(sample, &priors),
    }
}

/// Han and kana: Japanese, Simplified or Traditional Chinese.
fn cjk(c: &ScriptCounts, share: f64, priors: &Priors) -> LangGuess {
    let cjk = c.han + c.kana;
    // Kana anywhere means Japanese; a kanji-only headline takes the body's
    // language because the body comes in the same sample.
    if c.kana > 0 && (c.kana as f64 >= KANA_MIN_SHARE * cjk as f64 || c.han < KANA_SHORT_TEXT_HAN) {
        return LangGuess::new("ja", share);
    }
    let telling = c.hans + c.hant + c.ja_only;
    if c.ja_only > 0 && c.ja_only >= c.hans.max(c.hant) {
        return LangGuess::new("ja", share * c.ja_only as f64 / telling as f64);
    }
    if c.hans != c.hant {
        let (lang, n) = if c.hant > c.hans {
            ("zh-Hant", c.hant)
        } else {
            ("zh-Hans", c.hans)
        };
        return LangGuess::new(lang, share * n as f64 / telling as f64);
    }
    // Nothing tells: the priors decide, else Simplified, unsure.
    let lang = priors
        .first_of(&["zh-Hant", "zh-Hans", "ja"])
        .unwrap_or("zh-Hans");
    LangGuess::new(lang, share * 0.5)
}

/// Bengali script: Bengali, unless the Assamese-only letters ৰ and ৱ show.
fn bengali(sample: &str, share: f64) -> LangGuess {
    let assamese = sample.chars().filter(|c| matches!(c, 'ৰ' | 'ৱ')).count();
    if assamese >= 2 {
        return LangGuess::new("as", share);
    }
    LangGuess::new("bn", share)
}

/// Devanagari: Hindi, Marathi or Nepali by function words, whatlang (among
/// those three) when the words do not tell.
fn devanagari(sample: &str, share: f64) -> LangGuess {
    // One map lookup per word, no allocation: this runs on every Hindi
    // article, and the lists hold only Devanagari (caseless) words.
    static FUNCTION_WORDS: LazyLock<FxHashMap<&'static str, usize>> = LazyLock::new(|| {
        let mut m = FxHashMap::default();
        for (i, list) in [markers::HINDI, markers::MARATHI, markers::NEPALI]
            .into_iter()
            .enumerate()
        {
            for w in list {
                m.entry(*w).or_insert(i);
            }
        }
        m
    });
    let mut counts = [0usize; 3];
    for word in markers::word_slices(sample) {
        if let Some(&i) = FUNCTION_WORDS.get(word) {
            counts[i] += 1;
        }
    }
    let scores = [("hi", counts[0]), ("mr", counts[1]), ("ne", counts[2])];
    let total: usize = scores.iter().map(|s| s.1).sum();
    let best = scores
        .iter()
        .max_by_key(|s| s.1)
        .copied()
        .unwrap_or(("hi", 0));
    if total >= 2 && scores.iter().filter(|s| s.1 == best.1).count() == 1 {
        return LangGuess::new(best.0, share * (0.5 + 0.5 * best.1 as f64 / total as f64));
    }
    static DEVANAGARI: LazyLock<Detector> =
        LazyLock::new(|| Detector::with_allowlist(vec![Lang::Hin, Lang::Mar, Lang::Nep]));
    match DEVANAGARI.detect(sample) {
        Some(info) => LangGuess::new(iso639_1(info.lang()), share * info.confidence()),
        None => LangGuess::new("hi", share * 0.5),
    }
}

/// Arabic script: Urdu, Persian or Arabic by the letters each uses alone.
fn arabic_script(c: &ScriptCounts, sample: &str, share: f64) -> LangGuess {
    if c.urdu >= 2 && c.urdu * 2 > c.arabic_only {
        return LangGuess::new("ur", share);
    }
    if c.persian > c.arabic_only {
        // Both write these letters; Persian shows itself by its function
        // words, and without them Urdu (first class) is the better guess.
        let words: Vec<String> = markers::words(sample).collect();
        if count_in(&words, markers::PERSIAN) >= 1 {
            return LangGuess::new("fa", share * 0.9);
        }
        return LangGuess::new("ur", share * 0.7);
    }
    if c.arabic_only > 0 {
        return LangGuess::new("ar", share * 0.9);
    }
    static ARABIC: LazyLock<Detector> =
        LazyLock::new(|| Detector::with_allowlist(vec![Lang::Urd, Lang::Pes, Lang::Ara]));
    match ARABIC.detect(sample) {
        Some(info) => LangGuess::new(iso639_1(info.lang()), share * info.confidence()),
        None => LangGuess::unknown(),
    }
}

/// Latin-script languages whatlang chooses among when a text leaves
/// kabar's own model (French, Spanish ... function words): those of the
/// region and the European languages that its English-language press
/// quotes. A short list keeps whatlang from answering Esperanto or Latin
/// for an informal Indonesian sentence.
const LATIN_LANGS: &[Lang] = &[
    Lang::Eng,
    Lang::Ind,
    Lang::Tgl,
    Lang::Vie,
    Lang::Jav,
    Lang::Fra,
    Lang::Deu,
    Lang::Spa,
    Lang::Por,
    Lang::Ita,
    Lang::Nld,
];

/// Latin text: Vietnamese by its letters, then kabar's own models
/// ([`super::latin`]): English, Tagalog, romanised Hindi or the Malay
/// family, and within it Indonesian or Malay. Text in the European
/// languages those models do not know goes to whatlang.
fn latin(sample: &str, c: &ScriptCounts, share: f64, priors: &Priors) -> LangGuess {
    if c.vietnamese > 0 && c.vietnamese * 12 >= c.latin {
        return LangGuess::new("vi", share);
    }
    let scores = latin::score(sample);
    let words = scores.words;
    let num_words = words.num_words.max(1);
    // Vietnamese typed without its diacritics.
    if words.vietnamese >= VIETNAMESE_PLAIN_MIN && words.vietnamese * 10 >= num_words * 3 {
        return LangGuess::new("vi", share * 0.8);
    }
    // French, Spanish, German ... by their function words, and Vietnamese
    // whose few words carry none of its own letters ("ngân hàng") by the
    // share of accented letters, which kabar's other Latin languages lack.
    if words.european >= EUROPEAN_MIN && words.european * 5 >= num_words
        || c.latin_accented * ACCENTED_SHARE >= c.latin
    {
        return other_latin(sample, share, priors);
    }
    let p = scores.probabilities();
    let mut ranked = [0, 1, 2, 3];
    ranked.sort_by(|a, b| p[*b].total_cmp(&p[*a]));
    let (best, second) = (ranked[0], ranked[1]);
    // A close call goes to the runner-up when the page or the source names
    // it and not the leader.
    let class = if p[best] - p[second] < PRIOR_MARGIN
        && priors.names_latin_class(second)
        && !priors.names_latin_class(best)
    {
        second
    } else {
        best
    };
    let confidence = share * f64::from(p[class]);
    if class == latin::MALAY_FAMILY {
        let (code, conf) = malay_or_indonesian(&scores, latin::idms(sample), priors);
        return LangGuess::new(code, confidence * conf);
    }
    LangGuess::new(latin::CLASSES[class], confidence)
}

/// Latin text in a language kabar's model does not know: whatlang among
/// [`LATIN_LANGS`]. Off the hot path.
fn other_latin(sample: &str, share: f64, priors: &Priors) -> LangGuess {
    static LATIN: LazyLock<Detector> =
        LazyLock::new(|| Detector::with_allowlist(LATIN_LANGS.to_vec()));
    let Some(info) = LATIN.detect(sample) else {
        return LangGuess::unknown();
    };
    let lang = iso639_1(info.lang());
    if lang == "id" {
        let (code, conf) = malay_or_indonesian(&latin::score(sample), latin::idms(sample), priors);
        return LangGuess::new(code, share * info.confidence() * conf);
    }
    if !info.is_reliable()
        && let Some(p) = priors.first_latin()
        && p != lang
    {
        return LangGuess::new(p, share * info.confidence() * 0.8);
    }
    LangGuess::new(lang, share * info.confidence())
}

/// Indonesian or Malay: the n-gram log-likelihood ratio `idms`
/// ([`latin::idms`]) and the telling words, with Indonesian ahead by
/// [`INDONESIAN_BIAS`] and, in a close call, the priors deciding.
fn malay_or_indonesian(
    scores: &latin::LatinScores,
    idms: f32,
    priors: &Priors,
) -> (&'static str, f64) {
    let words = scores.words;
    let evidence = IDMS_NGRAM_WEIGHT * f64::from(idms)
        + WORD_WEIGHT * (words.malay as f64 - words.indonesian as f64);
    // The Indonesian bias is a prior of its own (Indonesian is far more
    // common); a source or page that names one of the two replaces it.
    let named_ms = priors.has("ms") && !priors.has("id");
    let mut score = if named_ms {
        evidence
    } else {
        evidence - INDONESIAN_BIAS
    };
    if score.abs() < 1.0 {
        if priors.has("ms") && !priors.has("id") {
            score += 1.0;
        } else if priors.has("id") && !priors.has("ms") {
            score -= 1.0;
        }
    }
    let confidence = 1.0 / (1.0 + (-score.abs()).exp());
    if score > 0.0 {
        ("ms", confidence)
    } else {
        ("id", confidence)
    }
}

/// Any other script: whatlang, unrestricted.
fn other(sample: &str, priors: &Priors) -> LangGuess {
    let Some(info) = whatlang::detect(sample) else {
        return LangGuess::unknown();
    };
    let lang = iso639_1(info.lang());
    if !info.is_reliable()
        && let Some(p) = priors.codes.iter().find(|p| same_script(p, info.lang()))
    {
        return LangGuess::new(p, info.confidence() * 0.8);
    }
    LangGuess::new(lang, info.confidence())
}

fn same_script(code: &str, lang: Lang) -> bool {
    lang_from_code(code).is_some_and(|l| script_of(l) == script_of(lang))
}

fn script_of(lang: Lang) -> Option<whatlang::Script> {
    whatlang::Script::all()
        .iter()
        .copied()
        .find(|s| s.langs().contains(&lang))
}

fn lang_from_code(code: &str) -> Option<Lang> {
    Lang::all().iter().copied().find(|l| iso639_1(*l) == code)
}

/// The page's declared language and the source's expected ones, as kabar
/// codes (`in` is `id`, `fil` is `tl`, `zh-TW` is `zh-Hant` ...).
struct Priors {
    codes: Vec<String>,
}

impl Priors {
    fn new(declared: Option<&str>, expected: &[String]) -> Priors {
        let codes = declared
            .into_iter()
            .chain(expected.iter().map(String::as_str))
            .filter_map(normalize_code)
            .collect();
        Priors { codes }
    }

    fn has(&self, code: &str) -> bool {
        self.codes.iter().any(|c| c == code)
    }

    fn first_of<'a>(&self, codes: &[&'a str]) -> Option<&'a str> {
        self.codes
            .iter()
            .find_map(|c| codes.iter().find(|x| **x == c).copied())
    }

    /// Whether a declared or expected language is the family model's
    /// class `class` (`ms` there stands for Malay and Indonesian).
    fn names_latin_class(&self, class: usize) -> bool {
        match latin::CLASSES[class] {
            "ms" => self.has("ms") || self.has("id"),
            code => self.has(code),
        }
    }

    fn first_latin(&self) -> Option<&'static str> {
        const LATIN: &[&str] = &["en", "id", "ms", "tl", "vi", "jv", "fr", "de", "es", "pt"];
        self.codes
            .iter()
            .find_map(|c| LATIN.iter().find(|x| **x == c).copied())
    }
}

/// A BCP 47 tag as kabar's language code: `zh-TW` → `zh-Hant`, `in` →
/// `id`, `en-US` → `en`.
pub fn normalize_code(tag: &str) -> Option<String> {
    let tag = tag.trim().replace('_', "-").to_ascii_lowercase();
    let mut parts = tag.split('-');
    let primary = parts.next().filter(|p| !p.is_empty())?;
    let rest: Vec<&str> = parts.collect();
    Some(match primary {
        "zh" | "cmn" | "yue" => {
            let traditional = rest
                .iter()
                .any(|p| matches!(*p, "hant" | "tw" | "hk" | "mo"));
            if traditional { "zh-Hant" } else { "zh-Hans" }.to_string()
        }
        "in" => "id".to_string(),
        "fil" => "tl".to_string(),
        "iw" => "he".to_string(),
        "zsm" | "msa" | "may" => "ms".to_string(),
        "ind" => "id".to_string(),
        p => p.to_string(),
    })
}

/// ISO 639-1 for whatlang's languages (639-3 where 639-1 has none).
fn iso639_1(lang: Lang) -> &'static str {
    match lang {
        Lang::Epo => "eo",
        Lang::Eng => "en",
        Lang::Rus => "ru",
        Lang::Cmn => "zh-Hans",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Ben => "bn",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Ukr => "uk",
        Lang::Kat => "ka",
        Lang::Ara => "ar",
        Lang::Hin => "hi",
        Lang::Jpn => "ja",
        Lang::Heb => "he",
        Lang::Yid => "yi",
        Lang::Pol => "pl",
        Lang::Amh => "am",
        Lang::Jav => "jv",
        Lang::Kor => "ko",
        Lang::Nob => "nb",
        Lang::Dan => "da",
        Lang::Swe => "sv",
        Lang::Fin => "fi",
        Lang::Tur => "tr",
        Lang::Nld => "nl",
        Lang::Hun => "hu",
        Lang::Ces => "cs",
        Lang::Ell => "el",
        Lang::Bul => "bg",
        Lang::Bel => "be",
        Lang::Mar => "mr",
        Lang::Kan => "kn",
        Lang::Ron => "ro",
        Lang::Slv => "sl",
        Lang::Hrv => "hr",
        Lang::Srp => "sr",
        Lang::Mkd => "mk",
        Lang::Lit => "lt",
        Lang::Lav => "lv",
        Lang::Est => "et",
        Lang::Tam => "ta",
        Lang::Vie => "vi",
        Lang::Urd => "ur",
        Lang::Tha => "th",
        Lang::Guj => "gu",
        Lang::Uzb => "uz",
        Lang::Pan => "pa",
        Lang::Aze => "az",
        Lang::Ind => "id",
        Lang::Tel => "te",
        Lang::Pes => "fa",
        Lang::Mal => "ml",
        Lang::Ori => "or",
        Lang::Mya => "my",
        Lang::Nep => "ne",
        Lang::Sin => "si",
        Lang::Khm => "km",
        Lang::Tuk => "tk",
        Lang::Aka => "ak",
        Lang::Zul => "zu",
        Lang::Sna => "sn",
        Lang::Afr => "af",
        Lang::Lat => "la",
        Lang::Slk => "sk",
        Lang::Cat => "ca",
        Lang::Tgl => "tl",
        Lang::Hye => "hy",
        Lang::Cym => "cy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(text: &str) -> String {
        detect_language(text, None, &[]).lang
    }

    #[test]
    fn scripts_that_name_their_language() {
        assert_eq!(lang("ธนาคารแห่งประเทศไทยเตือนประชาชน"), "th");
        assert_eq!(lang("방송통신위원회는 단속을 강화한다"), "ko");
        assert_eq!(lang("ক্রেতা সুরক্ষা অধিদপ্তর সতর্ক করেছে"), "bn");
        assert_eq!(lang("ធនាគារជាតិនៃកម្ពុជាបានព្រមាន"), "km");
        assert_eq!(lang("நுகர்வோர் பாதுகாப்பு"), "ta");
    }

    #[test]
    fn vietnamese_is_known_by_its_letters_even_in_two_words() {
        assert_eq!(lang("quảng cáo"), "vi");
    }

    #[test]
    fn declared_tags_become_kabar_codes() {
        assert_eq!(normalize_code("zh-TW").as_deref(), Some("zh-Hant"));
        assert_eq!(normalize_code("zh_Hant_HK").as_deref(), Some("zh-Hant"));
        assert_eq!(normalize_code("zh-CN").as_deref(), Some("zh-Hans"));
        assert_eq!(normalize_code("in").as_deref(), Some("id"));
        assert_eq!(normalize_code("fil-PH").as_deref(), Some("tl"));
        assert_eq!(normalize_code("en-US").as_deref(), Some("en"));
        assert_eq!(normalize_code(""), None);
    }

    #[test]
    fn confidence_is_in_range_and_unknown_is_zero() {
        let g = detect_language(
            "The regulator fined the company for misleading ads.",
            None,
            &[],
        );
        assert!(g.confidence > 0.0 && g.confidence <= 1.0, "{g:?}");
        assert_eq!(LangGuess::unknown().confidence, 0.0);
    }
}
