//! `kabar extract` on saved pages, checked against golden expectations
//! (`tests/fixtures/extract/<name>.expected.json`) and on every legacy
//! encoding a first-class language still uses.

mod common;

use common::{fixtures, kabar, stderr, stdout};
use kabar::extract::{ExtractStatus, extract_page};
use serde_json::Value;

fn extract_json(args: &[&str]) -> Value {
    let mut full = vec!["extract", "--json"];
    full.extend_from_slice(args);
    let out = kabar(&full);
    assert!(out.status.success(), "extract {args:?}: {}", stderr(&out));
    serde_json::from_str(&stdout(&out)).unwrap()
}

#[test]
fn golden_pages_extract_as_expected() {
    let dir = fixtures().join("extract");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(path.with_extension("expected.json")).unwrap(),
        )
        .unwrap();
        let got = extract_json(&[path.to_str().unwrap()]);
        let name = path.file_name().unwrap().to_string_lossy();
        assert_eq!(got["title"], expected["title"], "{name}");
        assert_eq!(got["authors"], expected["authors"], "{name}");
        assert_eq!(got["canonical_url"], expected["canonical_url"], "{name}");
        assert_eq!(got["lang_declared"], expected["lang_declared"], "{name}");
        assert_eq!(
            got["lang"], expected["lang_declared"],
            "{name}: detected language"
        );
        let want =
            chrono::DateTime::parse_from_rfc3339(expected["published"].as_str().unwrap()).unwrap();
        let have =
            chrono::DateTime::parse_from_rfc3339(got["published"].as_str().unwrap()).unwrap();
        assert_eq!(have, want, "{name}: published");
        let text = got["text"].as_str().unwrap();
        for s in expected["body_must_contain"].as_array().unwrap() {
            assert!(
                text.contains(s.as_str().unwrap()),
                "{name}: text lacks {s}\n{text}"
            );
        }
        for s in expected["body_must_not_contain"].as_array().unwrap() {
            assert!(
                !text.contains(s.as_str().unwrap()),
                "{name}: boilerplate {s} in\n{text}"
            );
        }
        // Paragraphs stay paragraphs.
        assert!(
            text.matches("\n\n").count() >= 3,
            "{name}: paragraph breaks lost"
        );
        checked += 1;
    }
    assert_eq!(checked, 4);
}

/// windows-1258 has precomposed vowels with circumflex, breve and horn but
/// writes tone marks as combining characters; encoding_rs does not convert,
/// so the fixture text is put in that form first.
fn windows_1258_form(text: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let is_shape_mark = |c: char| matches!(c, '\u{0302}' | '\u{0306}' | '\u{031B}');
    let mut out = String::new();
    let mut cluster: Vec<char> = Vec::new();
    let flush = |cluster: &mut Vec<char>, out: &mut String| {
        if cluster.is_empty() {
            return;
        }
        // The base with its shape marks is precomposed; tone marks follow.
        let shaped: String = std::iter::once(cluster[0])
            .chain(cluster[1..].iter().copied().filter(|&c| is_shape_mark(c)))
            .collect::<String>()
            .nfc()
            .collect();
        out.push_str(&shaped);
        out.extend(cluster[1..].iter().copied().filter(|&c| !is_shape_mark(c)));
        cluster.clear();
    };
    for c in text.nfd() {
        let combining = unicode_normalization::char::is_combining_mark(c);
        if !combining {
            flush(&mut cluster, &mut out);
        }
        cluster.push(c);
    }
    flush(&mut cluster, &mut out);
    out
}

/// Writes `html` in `encoding` to a temp file and extracts it.
fn extract_encoded(
    html: &str,
    encoding: &'static encoding_rs::Encoding,
    content_type: Option<&str>,
) -> Value {
    let prepared;
    let html = if encoding == encoding_rs::WINDOWS_1258 {
        prepared = windows_1258_form(html);
        prepared.as_str()
    } else {
        html
    };
    let (bytes, _, unmappable) = encoding.encode(html);
    assert!(!unmappable, "{} cannot encode the fixture", encoding.name());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("page.html");
    std::fs::write(&file, &bytes).unwrap();
    let mut args = vec![file.to_str().unwrap().to_string()];
    if let Some(ct) = content_type {
        args.push("--content-type".into());
        args.push(ct.into());
    }
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    extract_json(&refs)
}

fn page(meta: &str, lang: &str, title: &str, para: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{lang}\"><head>{meta}<title>{title}</title></head><body>\
         <nav><a href=\"/\">Home</a></nav><article><h1>{title}</h1><p>{para}</p><p>{para}</p><p>{para}</p></article></body></html>"
    )
}

#[test]
fn every_legacy_encoding_decodes_without_mojibake() {
    use encoding_rs::*;
    let cases: &[(&str, &str, &str, &'static Encoding, &str)] = &[
        (
            "zh",
            "网络赌博广告整治",
            "监管部门表示，将严厉打击网络赌博广告和虚假贷款广告，保护消费者的合法权益，平台须在二十四小时内下架违规内容。",
            GBK,
            "gb2312",
        ),
        (
            "zh",
            "网络赌博广告整治",
            "监管部门表示，将严厉打击网络赌博广告和虚假贷款广告，保护消费者的合法权益，平台须在二十四小时内下架违规内容。",
            GB18030,
            "gb18030",
        ),
        (
            "zh-TW",
            "網路詐騙廣告氾濫",
            "金管會表示，將要求平台業者在二十四小時內移除冒名投資詐騙廣告，違者將依法處以罰鍰，保障消費者權益。",
            BIG5,
            "big5",
        ),
        (
            "ja",
            "ネット広告詐欺が急増",
            "消費者庁は、著名人になりすました投資詐欺のインターネット広告による被害が急増しているとして、注意を呼びかけている。",
            SHIFT_JIS,
            "shift_jis",
        ),
        (
            "ja",
            "ネット広告詐欺が急増",
            "消費者庁は、著名人になりすました投資詐欺のインターネット広告による被害が急増しているとして、注意を呼びかけている。",
            EUC_JP,
            "euc-jp",
        ),
        (
            "ko",
            "온라인 도박 광고 단속",
            "방송통신위원회는 온라인 불법 도박 광고에 대한 단속을 강화하고 플랫폼 사업자에게 삭제를 요청했다고 밝혔다.",
            EUC_KR,
            "euc-kr",
        ),
        (
            "th",
            "เตือนภัยโฆษณาหลอกลวง",
            "สำนักงานคณะกรรมการคุ้มครองผู้บริโภคเตือนประชาชนให้ระวังโฆษณาหลอกลวงทางออนไลน์ที่แอบอ้างชื่อบุคคลที่มีชื่อเสียง",
            WINDOWS_874,
            "tis-620",
        ),
        (
            "vi",
            "Cảnh báo quảng cáo lừa đảo",
            "Ngân hàng Nhà nước cảnh báo người dân về các quảng cáo cho vay lừa đảo trên mạng xã hội trong thời gian gần đây.",
            WINDOWS_1258,
            "windows-1258",
        ),
    ];
    for (lang, title, para, encoding, label) in cases {
        // Declared in a meta tag.
        let declared = page(&format!("<meta charset=\"{label}\">"), lang, title, para);
        let got = extract_encoded(&declared, encoding, None);
        assert_eq!(got["title"], *title, "{label} declared");
        assert!(
            got["text"].as_str().unwrap().contains(para),
            "{label} declared: {}",
            got["text"]
        );
        // Declared only by HTTP.
        let bare = page("", lang, title, para);
        let got = extract_encoded(
            &bare,
            encoding,
            Some(&format!("text/html; charset={label}")),
        );
        assert!(
            got["text"].as_str().unwrap().contains(para),
            "{label} via HTTP: {}",
            got["text"]
        );
        // Declared wrongly: the page says UTF-8 but is not.
        let lying = page("<meta charset=\"utf-8\">", lang, title, para);
        let got = extract_encoded(&lying, encoding, None);
        assert!(
            got["text"].as_str().unwrap().contains(para),
            "{label} mislabelled as utf-8: {}",
            got["text"]
        );
    }
}

#[test]
fn utf16_with_bom_is_read() {
    let html = page(
        "",
        "th",
        "ข่าวโฆษณา",
        "ธนาคารแห่งประเทศไทยเตือนประชาชนให้ระวังโฆษณาเงินกู้ผิดกฎหมายบนโซเชียลมีเดีย",
    );
    let mut bytes = vec![0xFF, 0xFE];
    for unit in html.encode_utf16() {
        bytes.extend_from_slice(&unit.to_le_bytes());
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.html");
    std::fs::write(&file, bytes).unwrap();
    let got = extract_json(&[file.to_str().unwrap()]);
    assert_eq!(got["encoding"], "UTF-16LE");
    assert!(got["text"].as_str().unwrap().contains("โฆษณาเงินกู้"));
}

#[test]
fn extract_reads_standard_input_and_reports_missing_files() {
    let out = kabar(&["extract", "/nonexistent/page.html"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/nonexistent/page.html"),
        "{}",
        stderr(&out)
    );

    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kabar"))
        .args(["extract", "-", "--json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(page("", "en", "Scam ads", "Regulators in Manila fined an e-wallet operator over misleading cashback advertisements, officials said.").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["title"], "Scam ads");
    assert_eq!(v["lang"], "en");
}

// ------------------------------------------------------------ several files

#[test]
fn several_files_and_folders_give_one_json_line_each_with_its_path() {
    let dates = fixtures().join("extract/dates");
    let single = fixtures().join("extract/ms-entry-content.html");
    let out = kabar(&[
        "extract",
        "--json",
        "--fetched",
        "2025-03-20T10:00:00Z",
        single.to_str().unwrap(),
        dates.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let num_dated = std::fs::read_dir(&dates)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "html")
        })
        .count();
    assert_eq!(lines.len(), 1 + num_dated);
    assert_eq!(lines[0]["path"], single.to_str().unwrap());
    for line in &lines {
        assert!(line["path"].as_str().unwrap().ends_with(".html"));
        assert_eq!(line["status"], "article", "{}", line["path"]);
    }
    // A missing file is reported by name and the others still come out.
    let out = kabar(&[
        "extract",
        "--json",
        "/nonexistent/a.html",
        single.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/nonexistent/a.html"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out).lines().count(), 1);
}

// ------------------------------------------------------------ dates

#[test]
fn visible_dates_in_every_first_class_language_are_read() {
    let dir = fixtures().join("extract/dates");
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let expected = expected.as_object().unwrap();
    assert!(expected.len() >= 16);
    for (name, want) in expected {
        let bytes = std::fs::read(dir.join(name)).unwrap();
        let fetched = want["fetched"].as_str().unwrap().parse().unwrap();
        let got = extract_page(&bytes, None, None, fetched);
        assert_eq!(got.status, ExtractStatus::Article, "{name}");
        assert_eq!(got.title, want["title"].as_str().unwrap(), "{name}");
        let want_date: chrono::DateTime<chrono::Utc> =
            want["published"].as_str().unwrap().parse().unwrap();
        assert_eq!(got.published, Some(want_date), "{name}");
    }
}

// ------------------------------------------------------------ bad input

/// Generous for a debug build on a busy machine; the point is "bounded",
/// not fast (speed is measured by `kabar eval extraction`).
const BAD_INPUT_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now()
}

#[test]
fn empty_and_whitespace_pages_say_so() {
    for bytes in [
        &b""[..],
        b"   \n\t ",
        b"<html><head></head><body></body></html>",
    ] {
        let got = extract_page(bytes, None, None, now());
        assert_eq!(got.status, ExtractStatus::Empty, "{bytes:?}");
        assert!(got.text.is_empty());
    }
}

#[test]
fn binary_content_is_recognised() {
    let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10";
    let mut noise = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..10_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        noise.push((x >> 16) as u8);
    }
    for bytes in [&png[..], &noise[..], b"%PDF-1.7\n%\xe2\xe3\xcf\xd3"] {
        let got = extract_page(bytes, Some("text/html"), None, now());
        assert_eq!(got.status, ExtractStatus::Binary);
        assert!(got.text.is_empty());
    }
}

fn article_html(num_paragraphs: usize) -> String {
    let para = "<p>Regulators in Manila fined an e-wallet operator over misleading cashback \
                advertisements, saying most users could never claim the promised rewards.</p>";
    format!(
        "<!doctype html><html lang=\"en\"><head><title>E-wallet fined</title></head><body>\
         <article><h1>E-wallet fined</h1>{}</article></body></html>",
        para.repeat(num_paragraphs)
    )
}

#[test]
fn a_truncated_page_still_gives_what_it_has() {
    let html = article_html(10);
    let cut = &html.as_bytes()[..html.len() * 2 / 3];
    let got = extract_page(cut, None, None, now());
    assert_eq!(got.status, ExtractStatus::Article);
    assert!(got.text.contains("Regulators in Manila"));
    // Cut inside a multi-byte character and inside a tag.
    let thai = "<html><body><article><p>ธนาคารแห่งประเทศไทยเตือนประชาชน".repeat(3);
    let bytes = &thai.as_bytes()[..thai.len() - 2];
    let got = extract_page(bytes, None, None, now());
    assert_ne!(got.status, ExtractStatus::Binary);
}

#[test]
fn a_fifty_megabyte_page_is_cut_and_bounded() {
    let mut html = article_html(20);
    let filler = "<div class=\"x\"><span>filler</span></div>\n".repeat(50 * 1024 * 1024 / 40);
    html.insert_str(html.len() - "</body></html>".len(), &filler);
    assert!(html.len() >= 50 * 1024 * 1024);
    let start = std::time::Instant::now();
    let got = extract_page(html.as_bytes(), None, None, now());
    assert!(
        start.elapsed() < BAD_INPUT_TIME_LIMIT,
        "{:?}",
        start.elapsed()
    );
    assert!(got.truncated);
    assert_eq!(got.status, ExtractStatus::Article);
    assert!(got.text.contains("Regulators in Manila"));
}

#[test]
fn a_hundred_thousand_levels_deep_page_neither_overflows_nor_hangs() {
    const DEPTH: usize = 100_000;
    for tag in ["div", "span", "blockquote", "table"] {
        let mut html = String::from("<html><body><article><p>");
        html.push_str(
            "Regulators in Manila fined an e-wallet operator over misleading cashback ads, \
             saying most users could never claim the promised rewards.</p>",
        );
        for _ in 0..DEPTH {
            html.push_str(&format!("<{tag}>x"));
        }
        let start = std::time::Instant::now();
        let got = extract_page(html.as_bytes(), None, None, now());
        assert!(
            start.elapsed() < BAD_INPUT_TIME_LIMIT,
            "{tag}: {:?}",
            start.elapsed()
        );
        assert!(got.text.contains("Regulators in Manila"), "{tag}");
    }
}

// ------------------------------------------------------------ not an article

#[test]
fn a_section_front_is_a_listing_not_an_article() {
    let bytes = std::fs::read(fixtures().join("extract/not-article/section-front.html")).unwrap();
    let got = extract_page(&bytes, None, None, now());
    assert_eq!(got.status, ExtractStatus::Listing, "{}", got.text);
}

#[test]
fn a_video_page_without_text_is_not_an_article() {
    let bytes = std::fs::read(fixtures().join("extract/not-article/video-page.html")).unwrap();
    let got = extract_page(&bytes, None, None, now());
    assert_eq!(got.status, ExtractStatus::NoText, "{}", got.text);
    assert_eq!(got.title, "คลิป: ผู้เสียหายเล่าประสบการณ์ถูกหลอกลงทุน");
}

#[test]
fn every_golden_page_is_an_article() {
    for entry in std::fs::read_dir(fixtures().join("extract")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "html") {
            let got = extract_page(&std::fs::read(&path).unwrap(), None, None, now());
            assert_eq!(got.status, ExtractStatus::Article, "{}", path.display());
        }
    }
}
