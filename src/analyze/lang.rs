//! Language detection: which language an article is written in.
//!
//! Scripts that belong to one first-class language (Thai, Khmer, Burmese,
//! Hangul, Bengali, Tamil) decide by themselves. Han text is Japanese when it
//! carries kana anywhere, otherwise Chinese, Simplified or Traditional by
//! which character forms dominate. Everything else goes to whatlang, with the
//! page's declared language and the source's expected languages as priors
//! when whatlang is unsure, never as the answer on their own. whatlang has no
//! Malay model, so Indonesian-looking text from a Malay source (or with Malay
//! function words) is Malay.
//!
//! Too little text is `und`, with zero confidence, rather than a guess.

use serde::Serialize;
use whatlang::{Lang, Script};

/// Fewer letters than this and the answer is `und`.
const MIN_LETTERS: usize = 12;

/// How much of the text is sampled: detection does not improve past a few
/// paragraphs and the cost grows with length.
const SAMPLE_CHARS: usize = 3000;

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

#[derive(Default)]
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
}

fn count_scripts(text: &str) -> ScriptCounts {
    let mut c = ScriptCounts::default();
    for ch in text.chars() {
        if !ch.is_alphabetic() {
            continue;
        }
        c.letters += 1;
        match ch as u32 {
            0x3040..=0x30FF | 0x31F0..=0x31FF | 0xFF66..=0xFF9F => c.kana += 1,
            0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F => c.han += 1,
            0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F => c.hangul += 1,
            0x0E00..=0x0E7F => c.thai += 1,
            0x0E80..=0x0EFF => c.lao += 1,
            0x1780..=0x17FF | 0x19E0..=0x19FF => c.khmer += 1,
            0x1000..=0x109F | 0xA9E0..=0xA9FF | 0xAA60..=0xAA7F => c.myanmar += 1,
            0x0980..=0x09FF => c.bengali += 1,
            0x0B80..=0x0BFF => c.tamil += 1,
            0x0900..=0x097F => c.devanagari += 1,
            0x0600..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => c.arabic += 1,
            _ if ch.is_ascii_alphabetic()
                || ('\u{00C0}'..='\u{024F}').contains(&ch)
                || ('\u{1E00}'..='\u{1EFF}').contains(&ch) =>
            {
                c.latin += 1
            }
            _ => {}
        }
    }
    // Combining marks (Thai vowels, Indic matras) are not alphabetic; the
    // counts above undercount those scripts, which only makes them conservative.
    c
}

/// Detects the language of `text`. `declared` is the page's own claim,
/// `expected` the source's catalog languages.
pub fn detect_language(text: &str, declared: Option<&str>, expected: &[String]) -> LangGuess {
    let sample: String = text.chars().take(SAMPLE_CHARS).collect();
    let c = count_scripts(&sample);
    if c.letters < MIN_LETTERS {
        return LangGuess::unknown();
    }
    let share = |n: usize| n as f64 / c.letters as f64;

    let cjk = c.han + c.kana;
    if c.hangul > cjk && share(c.hangul) > 0.3 {
        return LangGuess::new("ko", share(c.hangul + c.han));
    }
    if share(cjk) > 0.3 {
        // Kana anywhere means Japanese; a kanji-only headline takes the body's language.
        if c.kana * 50 >= cjk.max(1) || (c.kana > 0 && c.han < 40) {
            return LangGuess::new("ja", share(cjk));
        }
        return LangGuess::new(chinese_variant(&sample), share(c.han));
    }
    for (n, code) in [
        (c.thai, "th"),
        (c.khmer, "km"),
        (c.myanmar, "my"),
        (c.lao, "lo"),
        (c.bengali, "bn"),
        (c.tamil, "ta"),
    ] {
        if share(n) > 0.3 {
            return LangGuess::new(code, share(n));
        }
    }

    let Some(info) = whatlang::detect(&sample) else {
        return LangGuess::unknown();
    };
    let mut lang = iso639_1(info.lang()).to_string();
    let mut confidence = info.confidence();

    // Malay is missing from whatlang; it reads as Indonesian.
    if lang == "id"
        && (malay_markers(&sample)
            || prefers(declared, expected, "ms") && !prefers(declared, expected, "id"))
    {
        lang = "ms".to_string();
    }
    // An unsure guess gives way to a declared or expected language written
    // in the same script.
    if !info.is_reliable() {
        let prior = declared
            .into_iter()
            .chain(expected.iter().map(String::as_str))
            .find(|p| same_script(p, info.script()));
        if let Some(p) = prior
            && p != lang
        {
            lang = p.to_string();
            confidence *= 0.8;
        }
    }
    LangGuess::new(&lang, confidence)
}

fn prefers(declared: Option<&str>, expected: &[String], code: &str) -> bool {
    declared == Some(code) || expected.iter().any(|e| e == code)
}

/// Function words common in Malaysian Malay and rare in Indonesian.
fn malay_markers(text: &str) -> bool {
    const MALAY: &[&str] = &[
        "ialah",
        "daripada",
        "kerajaan",
        "syarikat",
        "wang",
        "kenyataan",
        "beliau",
        "bahawa",
        "sebanyak",
        "pihak berkuasa",
        "dalam talian",
        "pengguna",
        "mengikut",
    ];
    const INDONESIAN: &[&str] = &[
        "adalah",
        "pemerintah",
        "perusahaan",
        "uang",
        "bahwa",
        "kantor",
        "daring",
        "menurut",
        "tersebut",
    ];
    let lower = text.to_lowercase();
    let count = |words: &[&str]| {
        words
            .iter()
            .map(|w| lower.matches(&format!(" {w} ")).count())
            .sum::<usize>()
    };
    let (ms, id) = (count(MALAY), count(INDONESIAN));
    ms >= 2 && ms > id
}

fn same_script(code: &str, script: Script) -> bool {
    let latin = ["en", "id", "ms", "tl", "vi", "jv", "su"];
    match script {
        Script::Latin => {
            latin.contains(&code)
                || code.len() == 2 && !["hi", "ur", "ar", "fa", "ne", "mr"].contains(&code)
        }
        Script::Devanagari => ["hi", "mr", "ne"].contains(&code),
        Script::Arabic => ["ur", "ar", "fa", "ps", "sd"].contains(&code),
        _ => false,
    }
}

/// Characters whose form differs between Simplified and Traditional Chinese
/// and which are frequent in news text.
const SIMPLIFIED: &str = "这个们来时为说国会发经过对于进动现后业关长门问间东车两还学实开无从见员报话让经济网络监管诈骗广告银行台湾规则价格应该设计电视际权资产贷";
const TRADITIONAL: &str = "這個們來時為說國會發經過對於進動現後業關長門問間東車兩還學實開無從見員報話讓經濟網絡監管詐騙廣告銀行臺灣規則價格應該設計電視際權資產貸";

fn chinese_variant(text: &str) -> &'static str {
    let (mut hans, mut hant) = (0usize, 0usize);
    for ch in text.chars() {
        // Characters shared by both lists (e.g. 们/們 differ, 的 does not) count only where they differ.
        let in_s = SIMPLIFIED.contains(ch);
        let in_t = TRADITIONAL.contains(ch);
        if in_s && !in_t {
            hans += 1;
        } else if in_t && !in_s {
            hant += 1;
        }
    }
    if hant > hans { "zh-Hant" } else { "zh-Hans" }
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
        assert_eq!(
            lang("ธนาคารแห่งประเทศไทยเตือนประชาชนให้ระวังโฆษณาหลอกลวงทางออนไลน์"),
            "th"
        );
        assert_eq!(
            lang("방송통신위원회는 온라인 불법 도박 광고에 대한 단속을 강화한다고 밝혔다"),
            "ko"
        );
        assert_eq!(
            lang("ক্রেতা সুরক্ষা অধিদপ্তর অনলাইন বিজ্ঞাপনে প্রতারণার বিরুদ্ধে সতর্ক করেছে"),
            "bn"
        );
        assert_eq!(
            lang("ធនាគារជាតិនៃកម្ពុជាបានព្រមានប្រជាពលរដ្ឋអំពីការផ្សាយពាណិជ្ជកម្មបោកប្រាស់"),
            "km"
        );
    }

    #[test]
    fn japanese_and_both_chinese_scripts() {
        assert_eq!(
            lang("消費者庁は、インターネット広告による詐欺被害が急増していると発表した。"),
            "ja"
        );
        assert_eq!(
            lang("监管部门表示，将严厉打击网络赌博广告和虚假贷款广告，保护消费者权益。"),
            "zh-Hans"
        );
        assert_eq!(
            lang("監管部門表示，將嚴厲打擊網路賭博廣告和虛假貸款廣告，保護消費者權益。"),
            "zh-Hant"
        );
    }

    #[test]
    fn latin_languages() {
        assert_eq!(
            lang(
                "The central bank warned consumers about fake investment advertisements circulating on social media platforms this week."
            ),
            "en"
        );
        assert_eq!(
            lang(
                "Otoritas Jasa Keuangan meminta masyarakat untuk berhati-hati terhadap iklan pinjaman online ilegal yang beredar di media sosial."
            ),
            "id"
        );
        assert_eq!(
            lang(
                "Ngân hàng Nhà nước cảnh báo người dân về các quảng cáo lừa đảo trên mạng xã hội trong thời gian gần đây."
            ),
            "vi"
        );
    }

    #[test]
    fn malay_is_told_from_indonesian() {
        let text = "Suruhanjaya Komunikasi dan Multimedia Malaysia berkata bahawa pihak berkuasa akan mengambil tindakan terhadap syarikat yang menyiarkan iklan perjudian dalam talian, menurut kenyataan daripada kerajaan.";
        assert_eq!(lang(text), "ms");
    }

    #[test]
    fn too_little_text_is_unknown() {
        assert_eq!(lang("OK 123"), "und");
        assert_eq!(detect_language("", Some("en"), &[]).confidence, 0.0);
    }
}
