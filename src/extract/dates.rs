//! Parsing the dates pages give: machine formats from metadata and URLs,
//! and the dates people read in every first-class language.
//!
//! Metadata dates come in a handful of shapes (RFC 3339 with or without
//! seconds or offset, RFC 2822, `YYYY-MM-DD HH:MM:SS`, compact `YYYYMMDD`).
//! A metadata date without an offset is read in UTC.
//!
//! Visible dates ([`parse_text_date`]) are read after turning native digits
//! (Thai, Devanagari, Bengali, Urdu, Tamil, Burmese, Khmer, full-width)
//! into ASCII: day-month-year with month names in every first-class
//! language, Buddhist-era years (2568 = 2025), 年月日 with Japanese era
//! years (令和), 년 월 일, "ngày 14 tháng 3 năm 2025", numeric dates, and
//! relative dates ("2 jam lalu", "3 giờ trước") resolved against the fetch
//! time. A visible time without a zone is read in the zone the page's
//! language is mostly written in (see [`zone_for_lang`]); a stated zone
//! ("GMT+7", "WIB", "JST") wins.

use std::sync::LazyLock;

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc,
};
use regex::Regex;

/// Earliest plausible publication date: anything before is a parse accident.
const EARLIEST_YEAR: i32 = 1990;

/// Parses a date as found in JSON-LD, meta tags, `<time datetime>` or feeds.
pub fn parse_machine_date(raw: &str) -> Option<DateTime<Utc>> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    let parsed = DateTime::parse_from_rfc3339(s)
        .ok()
        .or_else(|| DateTime::parse_from_rfc2822(s).ok())
        .or_else(|| with_offset(s))
        .map(|d| d.with_timezone(&Utc))
        .or_else(|| naive(s).map(|n| Utc.from_utc_datetime(&n)))
        .or_else(|| epoch(s));
    parsed.filter(plausible)
}

fn plausible(d: &DateTime<Utc>) -> bool {
    // A day of slack for time zones and clock skew.
    d.year() >= EARLIEST_YEAR && *d <= Utc::now() + Duration::days(1)
}

/// Formats with an explicit offset that RFC 3339 rejects (no seconds,
/// `+0700` without a colon, a space instead of `T`).
fn with_offset(s: &str) -> Option<DateTime<FixedOffset>> {
    const FORMATS: &[&str] = &[
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%d %H:%M:%S%:z",
        "%Y-%m-%d %H:%M:%S%z",
        "%Y-%m-%d %H:%M:%S %z",
        "%Y-%m-%d %H:%M %z",
        "%Y/%m/%d %H:%M:%S %z",
        "%a, %d %b %Y %H:%M %z",
        "%d %b %Y %H:%M:%S %z",
    ];
    FORMATS
        .iter()
        .find_map(|f| DateTime::parse_from_str(s, f).ok())
}

fn naive(s: &str) -> Option<NaiveDateTime> {
    const DATETIME: &[&str] = &[
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
        "%Y.%m.%d %H:%M:%S",
        "%Y.%m.%d %H:%M",
        "%Y%m%dT%H%M%S",
    ];
    const DATE: &[&str] = &["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d"];
    // "2025-03-14T08:30:00Z" variants with a trailing Z but no seconds.
    let s = s.strip_suffix('Z').unwrap_or(s);
    DATETIME
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .or_else(|| {
            DATE.iter()
                .find_map(|f| NaiveDate::parse_from_str(s, f).ok())
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })
}

/// Unix seconds or milliseconds, as some CMSs put in meta tags.
fn epoch(s: &str) -> Option<DateTime<Utc>> {
    if !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = s.parse().ok()?;
    match s.len() {
        10 => DateTime::from_timestamp(n, 0),
        13 => DateTime::from_timestamp_millis(n),
        _ => None,
    }
}

/// A date in the URL path: `/2025/03/14/`, `/2025-03-14/`, `/20250314/`.
pub fn date_from_url_path(path: &str) -> Option<DateTime<Utc>> {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    for window in parts.windows(3) {
        if let [y, m, d] = window
            && y.len() == 4
            && (1..=2).contains(&m.len())
            && (1..=2).contains(&d.len())
        {
            let d = d.trim_end_matches(|c: char| !c.is_ascii_digit());
            if let (Ok(y), Ok(m), Ok(d)) = (y.parse(), m.parse(), d.parse())
                && let Some(date) = NaiveDate::from_ymd_opt(y, m, d)
            {
                return to_utc_midnight(date);
            }
        }
    }
    for part in parts {
        let digits: String = part.chars().take_while(char::is_ascii_digit).collect();
        if digits.len() == 8
            && let Ok(date) = NaiveDate::parse_from_str(&digits, "%Y%m%d")
        {
            return to_utc_midnight(date);
        }
        if part.len() >= 10
            && let Ok(date) = NaiveDate::parse_from_str(&part[..10], "%Y-%m-%d")
        {
            return to_utc_midnight(date);
        }
    }
    None
}

fn to_utc_midnight(date: NaiveDate) -> Option<DateTime<Utc>> {
    let d = Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?);
    plausible(&d).then_some(d)
}

/// ASCII digits for the native digits of the first-class scripts, and
/// ASCII for full-width punctuation that dates use.
pub fn normalise_digits(text: &str) -> String {
    const ZEROS: &[u32] = &[
        0x0E50, // Thai
        0x0ED0, // Lao
        0x0966, // Devanagari
        0x09E6, // Bengali
        0x0660, // Arabic-Indic
        0x06F0, // Extended Arabic-Indic (Urdu)
        0x0BE6, // Tamil
        0x1040, // Myanmar
        0x17E0, // Khmer
        0xFF10, // full-width
    ];
    text.chars()
        .map(|c| {
            let u = c as u32;
            for &zero in ZEROS {
                if (zero..zero + 10).contains(&u) {
                    return char::from(b'0' + (u - zero) as u8);
                }
            }
            match c {
                '／' => '/',
                '：' => ':',
                '－' => '-',
                '．' => '.',
                '\u{3000}' => ' ',
                _ => c,
            }
        })
        .collect()
}

/// Month names and abbreviations by month number, in the first-class
/// languages (lowercase; matched case-insensitively).
const MONTHS: [&[&str]; 12] = [
    &[
        "january",
        "jan",
        "januari",
        "enero",
        "มกราคม",
        "ม.ค.",
        "जनवरी",
        "জানুয়ারি",
        "জানুয়ারী",
        "جنوری",
        "ஜனவரி",
        "ဇန်နဝါရီ",
        "មករា",
    ],
    &[
        "february",
        "feb",
        "februari",
        "pebrero",
        "febrero",
        "peb",
        "กุมภาพันธ์",
        "ก.พ.",
        "फ़रवरी",
        "फरवरी",
        "ফেব্রুয়ারি",
        "ফেব্রুয়ারী",
        "فروری",
        "பிப்ரவரி",
        "ဖေဖော်ဝါရီ",
        "កុម្ភៈ",
    ],
    &[
        "march",
        "mar",
        "maret",
        "mac",
        "marso",
        "มีนาคม",
        "มี.ค.",
        "मार्च",
        "মার্চ",
        "مارچ",
        "மார்ச்",
        "မတ်",
        "មីនា",
    ],
    &[
        "april",
        "apr",
        "abril",
        "เมษายน",
        "เม.ย.",
        "अप्रैल",
        "এপ্রিল",
        "اپریل",
        "ஏப்ரல்",
        "ဧပြီ",
        "មេសា",
    ],
    &[
        "may",
        "mei",
        "mayo",
        "พฤษภาคม",
        "พ.ค.",
        "मई",
        "মে",
        "مئی",
        "மே",
        "မေ",
        "ឧសភា",
    ],
    &[
        "june",
        "jun",
        "juni",
        "hunyo",
        "junio",
        "มิถุนายน",
        "มิ.ย.",
        "जून",
        "জুন",
        "جون",
        "ஜூன்",
        "ဇွန်",
        "មិថុនា",
    ],
    &[
        "july",
        "jul",
        "juli",
        "julai",
        "hulyo",
        "julio",
        "กรกฎาคม",
        "ก.ค.",
        "जुलाई",
        "জুলাই",
        "جولائی",
        "ஜூலை",
        "ဇူလိုင်",
        "កក្កដា",
    ],
    &[
        "august",
        "aug",
        "agustus",
        "ogos",
        "agosto",
        "agt",
        "ags",
        "สิงหาคม",
        "ส.ค.",
        "अगस्त",
        "আগস্ট",
        "اگست",
        "ஆகஸ்ட்",
        "ဩဂုတ်",
        "သြဂုတ်",
        "សីហា",
    ],
    &[
        "september",
        "sep",
        "sept",
        "setyembre",
        "septiyembre",
        "septiembre",
        "กันยายน",
        "ก.ย.",
        "सितंबर",
        "सितम्बर",
        "সেপ্টেম্বর",
        "ستمبر",
        "செப்டம்பர்",
        "စက်တင်ဘာ",
        "កញ្ញា",
    ],
    &[
        "october",
        "oct",
        "oktober",
        "okt",
        "oktubre",
        "octubre",
        "ตุลาคม",
        "ต.ค.",
        "अक्टूबर",
        "অক্টোবর",
        "اکتوبر",
        "அக்டோபர்",
        "အောက်တိုဘာ",
        "តុលា",
    ],
    &[
        "november",
        "nov",
        "nobyembre",
        "noviembre",
        "พฤศจิกายน",
        "พ.ย.",
        "नवंबर",
        "नवम्बर",
        "নভেম্বর",
        "نومبر",
        "நவம்பர்",
        "နိုဝင်ဘာ",
        "វិច្ឆិកា",
    ],
    &[
        "december",
        "dec",
        "desember",
        "disember",
        "des",
        "dis",
        "disyembre",
        "diciembre",
        "ธันวาคม",
        "ธ.ค.",
        "दिसंबर",
        "दिसम्बर",
        "ডিসেম্বর",
        "دسمبر",
        "டிசம்பர்",
        "ဒီဇင်ဘာ",
        "ធ្នូ",
    ],
];

fn month_number(name: &str) -> Option<u32> {
    let name = name.to_lowercase();
    let name = name.trim_end_matches('.');
    MONTHS
        .iter()
        .position(|names| names.iter().any(|n| n.trim_end_matches('.') == name))
        .map(|i| i as u32 + 1)
}

/// One alternation of every month name, longest first so that "maret"
/// is not read as "mar".
static MONTH_ALT: LazyLock<String> = LazyLock::new(|| {
    let mut names: Vec<&str> = MONTHS.iter().flat_map(|m| m.iter().copied()).collect();
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    names
        .iter()
        .map(|n| regex::escape(n))
        .collect::<Vec<_>>()
        .join("|")
});

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("static regex")
}

/// "14 March 2025", "14 มีนาคม 2568", "14 मार्च 2025", "ថ្ងៃទី14 ខែមីនា ឆ្នាំ2025".
static DAY_MONTH_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:^|[^\d])(\d{{1,2}})(?:st|nd|rd|th)?\.?\s*(?:de\s+|ខែ\s*)?({})\.?,?\s*(?:de\s+|ឆ្នាំ\s*|พ\.ศ\.\s*|ค\.ศ\.\s*)?(\d{{4}})",
        *MONTH_ALT
    ))
});

/// "March 14, 2025", "Mar. 14 2025".
static MONTH_DAY_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:^|[^\p{{L}}])({})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})",
        *MONTH_ALT
    ))
});

/// Burmese: "2025 ခုနှစ် မတ်လ 14 ရက်".
static YEAR_MONTH_DAY_NAMED: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(\d{{4}})\s*(?:ခုနှစ်)?\s*,?\s*({})\s*(?:လ)?\s*(\d{{1,2}})\s*(?:ရက်)?",
        *MONTH_ALT
    ))
});

/// 2025年3月14日, 令和7年3月14日, 2025년 3월 14일.
static CJK_DATE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(令和|平成|昭和)?\s*(\d{4}|\d{1,2}|元)\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일号號]?",
    )
});

/// "ngày 14 tháng 3 năm 2025", "14 tháng 3, 2025".
static VI_DATE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?i)(\d{1,2})\s+tháng\s+(\d{1,2})\s*(?:năm|,)?\s*(\d{4})"));

/// 2025-03-14, 2025/03/14, 2025.03.14 (year first: unambiguous).
static YMD_NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:^|[^\d])(\d{4})\s*([-/.])\s*(\d{1,2})\s*([-/.])\s*(\d{1,2})(?:[^\d]|$)")
});

/// 14/03/2025, 14-03-2025, 14.03.2568 (day and month order by language).
static DMY_NUMERIC: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?:^|[^\d])(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*([-/.])\s*(\d{4})(?:[^\d]|$)")
});

/// A clock time after the date: "09:15", "9.15 WIB", "14時30分", "3:05 PM".
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(\d{1,2})\s*(?::|\.|時|시|h)\s*(\d{2})(?:\s*(?::|分|분)\s*(\d{2}))?(?:\s*([ap])\.?m\.?)?",
    )
});

/// A stated zone: "GMT+7", "UTC+05:30", "(GMT+07:00)", or an abbreviation.
static ZONE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:GMT|UTC)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?|\b(WIB|WITA|WIT|ICT|JST|KST|SGT|MYT|PHT|HKT|IST|PKT|BDT|MMT|UTC|GMT)\b",
    )
});

/// Relative dates: a number and a unit, then "ago" in some language.
static RELATIVE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(\d+|\b(?:an?|one)\b|\bse)\s*(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|detik|menit|minit|jam|hari|minggu|giây|phút|giờ|tiếng|ngày|tuần|วินาที|นาที|ชั่วโมง|ชม\.|วัน|สัปดาห์|segundo|minuto|oras|araw|linggo|秒|分钟|分鐘|分|小时|小時|時間|天|日|周|週|초|분|시간|일|주|सेकंड|मिनट|घंटे|घंटा|दिन|हफ्ते|সেকেন্ড|মিনিট|ঘণ্টা|ঘন্টা|দিন|সপ্তাহ|سیکنڈ|منٹ|گھنٹے|گھنٹہ|دن|ہفتے|வினாடி|நிமிடம்|நிமிடங்கள்|நிமிடத்திற்கு|மணி\s*நேரம்|மணிநேரம்|மணி|நாள்|நாட்கள்|செகண்ட்|စက္ကန့်|မိနစ်|နာရီ|ရက်|ပတ်|វិនាទី|នាទី|ម៉ោង|ថ្ងៃ|សប្តាហ៍)\s*(?:yang\s+)?(ago|lalu|yang lalu|trước|ที่แล้ว|ที่ผ่านมา|ก่อน|na\s+ang\s+nakalipas|ang\s+nakalipas|nakalipas|前|전|पहले|পূর্বে|আগে|پہلے|قبل|முன்பு|முன்|က|အကြာ|မုន|មុន)",
    )
});

/// "yesterday" and "today" in the first-class languages.
const YESTERDAY: &[&str] = &[
    "yesterday",
    "kemarin",
    "semalam",
    "hôm qua",
    "เมื่อวาน",
    "kahapon",
    "昨天",
    "昨日",
    "어제",
    "कल",
    "গতকাল",
    "کل",
    "நேற்று",
    "မနေ့က",
    "ម្សិលមិញ",
];
const TODAY: &[&str] = &[
    "today",
    "hari ini",
    "hôm nay",
    "วันนี้",
    "ngayong araw",
    "今天",
    "今日",
    "오늘",
    "आज",
    "আজ",
    "آج",
    "இன்று",
    "ယနေ့",
    "ថ្ងៃនេះ",
];

/// The offset most pages in `lang` are written in, for visible times that
/// state no zone. English and unknown languages get UTC.
pub fn zone_for_lang(lang: Option<&str>) -> FixedOffset {
    let hours_east = |h: i32, m: i32| FixedOffset::east_opt(h * 3600 + m * 60).expect("valid");
    match lang.map(|l| l.split('-').next().unwrap_or(l)) {
        Some("th" | "vi" | "id" | "km" | "lo") => hours_east(7, 0),
        Some("ms" | "zh" | "tl" | "fil") => hours_east(8, 0),
        Some("ja" | "ko") => hours_east(9, 0),
        Some("hi" | "ta") => hours_east(5, 30),
        Some("bn") => hours_east(6, 0),
        Some("ur") => hours_east(5, 0),
        Some("my") => hours_east(6, 30),
        _ => hours_east(0, 0),
    }
}

fn stated_zone(text: &str) -> Option<FixedOffset> {
    let caps = ZONE.captures(text)?;
    if let Some(sign) = caps.get(1) {
        let h: i32 = caps[2].parse().ok()?;
        let m: i32 = caps.get(3).map_or(Some(0), |m| m.as_str().parse().ok())?;
        let secs = (h * 3600 + m * 60) * if sign.as_str() == "-" { -1 } else { 1 };
        return FixedOffset::east_opt(secs);
    }
    let (h, m) = match caps[4].to_ascii_uppercase().as_str() {
        "WIB" | "ICT" => (7, 0),
        "WITA" | "SGT" | "MYT" | "PHT" | "HKT" => (8, 0),
        "WIT" | "JST" | "KST" => (9, 0),
        "IST" => (5, 30),
        "PKT" => (5, 0),
        "BDT" => (6, 0),
        "MMT" => (6, 30),
        _ => (0, 0),
    };
    FixedOffset::east_opt(h * 3600 + m * 60)
}

/// Years in the Buddhist era (Thai) are 543 ahead; two-digit years are
/// this century.
fn common_era_year(y: i32) -> i32 {
    match y {
        2400..=2700 => y - 543,
        0..=99 => 2000 + y,
        _ => y,
    }
}

/// A date a person reads on the page, in any first-class language. `lang`
/// decides between day/month and month/day in numeric dates and the zone
/// of a time without one; relative dates count back from `fetched`.
pub fn parse_text_date(
    raw: &str,
    lang: Option<&str>,
    fetched: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let text = normalise_digits(raw);
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 300 {
        return None;
    }
    let zone = stated_zone(text).unwrap_or_else(|| zone_for_lang(lang));
    let found = absolute_date(text, lang).map(|(date, end)| {
        let time = clock_time(&text[end..]);
        let local = date.and_time(time.unwrap_or_default());
        match time {
            Some(_) => zone
                .from_local_datetime(&local)
                .single()
                .map(|d| d.with_timezone(&Utc)),
            // A bare day: midnight in the page's zone keeps the day right
            // for readers in that zone.
            None => zone
                .from_local_datetime(&local)
                .single()
                .map(|d| d.with_timezone(&Utc)),
        }
    });
    let found = match found {
        Some(d) => d,
        None => relative_date(text, fetched, zone),
    }?;
    (plausible(&found) && found <= fetched + Duration::days(1)).then_some(found)
}

/// The first absolute date in `text` and where it ends.
fn absolute_date(text: &str, lang: Option<&str>) -> Option<(NaiveDate, usize)> {
    let mut found: Vec<(usize, NaiveDate, usize)> = Vec::new();
    let ymd = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(common_era_year(y), m, d);
    if let Some(c) = CJK_DATE.captures(text) {
        let year = match (c.get(1).map(|e| e.as_str()), &c[2]) {
            (Some(era), y) => {
                let n: i32 = if y == "元" { 1 } else { y.parse().ok()? };
                let base = match era {
                    "令和" => 2018,
                    "平成" => 1988,
                    _ => 1925,
                };
                Some(base + n)
            }
            (None, y) if y.len() == 4 => y.parse().ok(),
            _ => None,
        };
        if let (Some(y), Ok(m), Ok(d)) = (year, c[3].parse(), c[4].parse())
            && let Some(date) = NaiveDate::from_ymd_opt(y, m, d)
        {
            let whole = c.get(0).expect("match");
            found.push((whole.start(), date, whole.end()));
        }
    }
    if let Some(c) = VI_DATE.captures(text)
        && let (Ok(d), Ok(m), Ok(y)) = (c[1].parse(), c[2].parse(), c[3].parse())
        && let Some(date) = ymd(y, m, d)
    {
        let whole = c.get(0).expect("match");
        found.push((whole.start(), date, whole.end()));
    }
    for regex in [&*DAY_MONTH_YEAR, &*MONTH_DAY_YEAR, &*YEAR_MONTH_DAY_NAMED] {
        if let Some(c) = regex.captures(text) {
            let (d, m, y) = if std::ptr::eq(regex, &*DAY_MONTH_YEAR) {
                (&c[1], &c[2], &c[3])
            } else if std::ptr::eq(regex, &*MONTH_DAY_YEAR) {
                (&c[2], &c[1], &c[3])
            } else {
                (&c[3], &c[2], &c[1])
            };
            if let (Ok(d), Some(m), Ok(y)) = (d.parse(), month_number(m), y.parse())
                && let Some(date) = ymd(y, m, d)
            {
                let whole = c.get(0).expect("match");
                found.push((whole.start(), date, whole.end()));
            }
        }
    }
    if let Some(c) = YMD_NUMERIC.captures(text)
        && c[2] == c[4]
        && let (Ok(y), Ok(m), Ok(d)) = (c[1].parse(), c[3].parse(), c[5].parse())
        && let Some(date) = ymd(y, m, d)
    {
        let whole = c.get(0).expect("match");
        found.push((whole.start(), date, whole.end()));
    }
    if let Some(c) = DMY_NUMERIC.captures(text)
        && c[2] == c[4]
        && let (Ok(a), Ok(b), Ok(y)) = (c[1].parse::<u32>(), c[3].parse::<u32>(), c[5].parse())
    {
        let month_first = lang.is_some_and(|l| l.eq_ignore_ascii_case("en-us")) && a <= 12;
        let (d, m) = if b > 12 || month_first {
            (b, a)
        } else {
            (a, b)
        };
        if let Some(date) = ymd(y, m, d) {
            let whole = c.get(0).expect("match");
            found.push((whole.start(), date, whole.end()));
        }
    }
    found
        .into_iter()
        .min_by_key(|(start, _, _)| *start)
        .map(|(_, date, end)| (date, end))
}

/// A clock time within the first characters after a date.
fn clock_time(after: &str) -> Option<NaiveTime> {
    let window: String = after.chars().take(40).collect();
    let c = TIME.captures(&window)?;
    let mut h: u32 = c[1].parse().ok()?;
    let m: u32 = c[2].parse().ok()?;
    let s: u32 = c.get(3).map_or(Some(0), |s| s.as_str().parse().ok())?;
    match c.get(4).map(|p| p.as_str().to_ascii_lowercase()) {
        Some(p) if p == "p" && h < 12 => h += 12,
        Some(p) if p == "a" && h == 12 => h = 0,
        _ => {}
    }
    // Korean and Japanese write afternoon as 오후 / 午後 before the time.
    let before_pm = window[..c.get(0).expect("match").start()].contains("오후")
        || window[..c.get(0).expect("match").start()].contains("午後");
    if before_pm && h < 12 {
        h += 12;
    }
    NaiveTime::from_hms_opt(h, m, s)
}

fn relative_date(text: &str, fetched: DateTime<Utc>, zone: FixedOffset) -> Option<DateTime<Utc>> {
    if let Some(c) = RELATIVE.captures(text) {
        let n: i64 = match c[1].to_lowercase().as_str() {
            "a" | "an" | "one" | "se" => 1,
            digits => digits.parse().ok()?,
        };
        let unit = c[2].to_lowercase();
        let unit = unit.as_str();
        let seconds = if unit.starts_with("sec")
            || matches!(
                unit,
                "detik"
                    | "giây"
                    | "วินาที"
                    | "segundo"
                    | "秒"
                    | "초"
                    | "सेकंड"
                    | "সেকেন্ড"
                    | "سیکنڈ"
                    | "வினாடி"
                    | "செகண்ட்"
                    | "စက္ကန့်"
                    | "វិនាទី"
            ) {
            1
        } else if unit.starts_with("min")
            || matches!(
                unit,
                "menit"
                    | "phút"
                    | "นาที"
                    | "分钟"
                    | "分鐘"
                    | "分"
                    | "분"
                    | "मिनट"
                    | "মিনিট"
                    | "منٹ"
                    | "நிமிடம்"
                    | "நிமிடங்கள்"
                    | "நிமிடத்திற்கு"
                    | "မိနစ်"
                    | "នាទី"
            )
        {
            60
        } else if unit.starts_with("hour")
            || unit.starts_with("hr")
            || unit.starts_with("மணி")
            || matches!(
                unit,
                "jam"
                    | "giờ"
                    | "tiếng"
                    | "ชั่วโมง"
                    | "ชม."
                    | "oras"
                    | "小时"
                    | "小時"
                    | "時間"
                    | "시간"
                    | "घंटे"
                    | "घंटा"
                    | "ঘণ্টা"
                    | "ঘন্টা"
                    | "گھنٹے"
                    | "گھنٹہ"
                    | "နာရီ"
                    | "ម៉ោង"
            )
        {
            3600
        } else if unit.starts_with("week")
            || matches!(
                unit,
                "minggu"
                    | "tuần"
                    | "สัปดาห์"
                    | "linggo"
                    | "周"
                    | "週"
                    | "주"
                    | "हफ्ते"
                    | "সপ্তাহ"
                    | "ہفتے"
                    | "ပတ်"
                    | "សប្តាហ៍"
            )
        {
            7 * 86400
        } else {
            86400
        };
        return fetched.checked_sub_signed(Duration::seconds(n.checked_mul(seconds)?));
    }
    let lower = text.to_lowercase();
    let day_offset = if YESTERDAY.iter().any(|w| lower.starts_with(w)) {
        1
    } else if TODAY.iter().any(|w| lower.starts_with(w)) {
        0
    } else {
        return None;
    };
    let local_day = fetched.with_timezone(&zone).date_naive() - Duration::days(day_offset);
    let time = clock_time(&text[text.find(char::is_whitespace).unwrap_or(text.len())..])
        .unwrap_or_default();
    zone.from_local_datetime(&local_day.and_time(time))
        .single()
        .map(|d| d.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(raw: &str) -> String {
        parse_machine_date(raw)
            .map(|d| d.to_rfc3339())
            .unwrap_or_else(|| "none".into())
    }

    #[test]
    fn metadata_formats_are_read_in_utc() {
        assert_eq!(
            iso("2025-03-14T08:30:00+07:00"),
            "2025-03-14T01:30:00+00:00"
        );
        assert_eq!(iso("2025-03-14T08:30+07:00"), "2025-03-14T01:30:00+00:00");
        assert_eq!(iso("2025-03-14T08:30:00+0900"), "2025-03-13T23:30:00+00:00");
        assert_eq!(
            iso("Fri, 14 Mar 2025 08:30:00 +0800"),
            "2025-03-14T00:30:00+00:00"
        );
        assert_eq!(iso("2025-03-14 08:30:00"), "2025-03-14T08:30:00+00:00");
        assert_eq!(iso("2025-03-14"), "2025-03-14T00:00:00+00:00");
        assert_eq!(iso("1741941000"), "2025-03-14T08:30:00+00:00");
        assert_eq!(iso("yesterday"), "none");
        assert_eq!(iso("1970-01-01T00:00:00Z"), "none");
    }

    #[test]
    fn url_paths_give_dates() {
        let d = |p| date_from_url_path(p).map(|d| d.date_naive().to_string());
        assert_eq!(
            d("/news/2025/03/14/scam-ads").as_deref(),
            Some("2025-03-14")
        );
        assert_eq!(d("/read/20250314/123/judi").as_deref(), Some("2025-03-14"));
        assert_eq!(d("/2025-03-14-iklan-judi").as_deref(), Some("2025-03-14"));
        assert_eq!(d("/about/team"), None);
    }

    /// When the test pages were "fetched": 2025-03-20 10:00 UTC.
    fn fetched() -> DateTime<Utc> {
        "2025-03-20T10:00:00Z".parse().unwrap()
    }

    fn text(raw: &str, lang: &str) -> String {
        parse_text_date(raw, Some(lang), fetched())
            .map(|d| d.to_rfc3339())
            .unwrap_or_else(|| "none".into())
    }

    #[test]
    fn visible_dates_in_every_first_class_language() {
        // (text, lang, expected UTC instant)
        let cases = [
            (
                "Published 14 March 2025, 08:30 GMT+7",
                "en",
                "2025-03-14T01:30:00+00:00",
            ),
            (
                "March 14, 2025 3:05 PM",
                "en-US",
                "2025-03-14T15:05:00+00:00",
            ),
            (
                "Jumat, 14 Maret 2025 08:30 WIB",
                "id",
                "2025-03-14T01:30:00+00:00",
            ),
            ("14 Ogos 2024 | 10:15", "ms", "2024-08-14T02:15:00+00:00"),
            ("Khamis, 14 Mac 2025", "ms", "2025-03-13T16:00:00+00:00"),
            (
                "วันศุกร์ที่ 14 มีนาคม 2568 เวลา 08:30 น.",
                "th",
                "2025-03-14T01:30:00+00:00",
            ),
            ("๑๔ มี.ค. ๒๕๖๘", "th", "2025-03-13T17:00:00+00:00"),
            (
                "Thứ sáu, ngày 14 tháng 3 năm 2025, 09:15 (GMT+7)",
                "vi",
                "2025-03-14T02:15:00+00:00",
            ),
            (
                "Thứ năm, 20/3/2025, 09:15 (GMT+7)",
                "vi",
                "2025-03-20T02:15:00+00:00",
            ),
            ("Marso 14, 2025", "tl", "2025-03-13T16:00:00+00:00"),
            ("ngày 14 tháng 3, 2025", "vi", "2025-03-13T17:00:00+00:00"),
            ("၂၀၂၅ ခုနှစ် မတ်လ ၁၄ ရက်", "my", "2025-03-13T17:30:00+00:00"),
            ("ថ្ងៃទី១៤ ខែមីនា ឆ្នាំ២០២៥", "km", "2025-03-13T17:00:00+00:00"),
            ("2025年3月14日 14時30分", "ja", "2025-03-14T05:30:00+00:00"),
            ("令和7年3月14日", "ja", "2025-03-13T15:00:00+00:00"),
            ("令和元年5月1日", "ja", "2019-04-30T15:00:00+00:00"),
            ("2025年03月14日 08:30", "zh-CN", "2025-03-14T00:30:00+00:00"),
            (
                "發布時間：2025年3月14日 下午",
                "zh-TW",
                "2025-03-13T16:00:00+00:00",
            ),
            (
                "입력 2025년 3월 14일 오후 2:30",
                "ko",
                "2025-03-14T05:30:00+00:00",
            ),
            ("2025.03.14 14:30", "ko", "2025-03-14T05:30:00+00:00"),
            ("14 मार्च 2025, 10:30 IST", "hi", "2025-03-14T05:00:00+00:00"),
            ("१४ मार्च २०२५", "hi", "2025-03-13T18:30:00+00:00"),
            ("১৪ মার্চ ২০২৫", "bn", "2025-03-13T18:00:00+00:00"),
            ("14 مارچ 2025", "ur", "2025-03-13T19:00:00+00:00"),
            ("۱۴ مارچ ۲۰۲۵", "ur", "2025-03-13T19:00:00+00:00"),
            ("14 மார்ச் 2025", "ta", "2025-03-13T18:30:00+00:00"),
            ("14/03/2025", "id", "2025-03-13T17:00:00+00:00"),
            ("03/14/2025", "en-US", "2025-03-14T00:00:00+00:00"),
        ];
        for (raw, lang, want) in cases {
            assert_eq!(text(raw, lang), want, "{raw} ({lang})");
        }
    }

    #[test]
    fn relative_dates_count_back_from_the_fetch_time() {
        let cases = [
            ("5 hours ago", "en", "2025-03-20T05:00:00+00:00"),
            ("an hour ago", "en", "2025-03-20T09:00:00+00:00"),
            ("2 jam lalu", "id", "2025-03-20T08:00:00+00:00"),
            ("30 menit yang lalu", "id", "2025-03-20T09:30:00+00:00"),
            ("3 giờ trước", "vi", "2025-03-20T07:00:00+00:00"),
            ("2 ชั่วโมงที่แล้ว", "th", "2025-03-20T08:00:00+00:00"),
            ("3 araw na ang nakalipas", "tl", "2025-03-17T10:00:00+00:00"),
            ("2時間前", "ja", "2025-03-20T08:00:00+00:00"),
            ("3小时前", "zh", "2025-03-20T07:00:00+00:00"),
            ("10분 전", "ko", "2025-03-20T09:50:00+00:00"),
            ("2 घंटे पहले", "hi", "2025-03-20T08:00:00+00:00"),
            ("২ ঘণ্টা আগে", "bn", "2025-03-20T08:00:00+00:00"),
            ("2 گھنٹے پہلے", "ur", "2025-03-20T08:00:00+00:00"),
            ("2 மணி நேரம் முன்பு", "ta", "2025-03-20T08:00:00+00:00"),
            ("၂ နာရီ အကြာ", "my", "2025-03-20T08:00:00+00:00"),
            ("២ ម៉ោងមុន", "km", "2025-03-20T08:00:00+00:00"),
            ("Kemarin 14:00", "id", "2025-03-19T07:00:00+00:00"),
            ("hôm qua", "vi", "2025-03-18T17:00:00+00:00"),
        ];
        for (raw, lang, want) in cases {
            assert_eq!(text(raw, lang), want, "{raw} ({lang})");
        }
    }

    #[test]
    fn text_without_a_date_gives_none() {
        for raw in [
            "",
            "Scam ads surge across the region",
            "Call 1800 123 456",
            "© 2025 Kabar Harian",
            "Halaman 2 dari 14",
            "32 ถึง 45",
            "99 Maret 2025",
        ] {
            assert_eq!(text(raw, "en"), "none", "{raw}");
        }
        // Later than the fetch (plus a day of slack) is a misreading.
        assert_eq!(text("14 April 2025", "en"), "none");
    }
}
