//! Every first-class language, detected and searchable: for each, an
//! article (tests/fixtures/lang/articles.jsonl, written for these tests) is
//! indexed and found by a word from the middle of a sentence and by a
//! phrase; detection tells the confusable pairs apart; `kabar analyze`
//! reads JSON Lines and survives a malformed line.

use std::io::Write;
use std::process::{Command, Stdio};

use chrono::Utc;
use kabar::IndexedArticle;
use kabar::analyze::{detect_language, zawgyi};
use kabar::index::{ArticleIndex, article_id};
use kabar::query::{QueryRequest, search};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    lang: String,
    title: String,
    body: String,
    word: String,
    phrase: String,
}

fn fixtures() -> Vec<Fixture> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/lang/articles.jsonl");
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn indexed(fixtures: &[Fixture]) -> ArticleIndex {
    let index = ArticleIndex::create_in_ram();
    let mut writer = index.writer().unwrap();
    for f in fixtures {
        let url = format!("http://lang.test/{}", f.lang);
        writer
            .upsert(&IndexedArticle {
                id: article_id(&url),
                url,
                source: "lang".into(),
                country: String::new(),
                region: String::new(),
                lang: f.lang.clone(),
                title: f.title.clone(),
                body: f.body.clone(),
                published: None,
                fetched: Utc::now(),
                authors: Vec::new(),
                warc_id: None,
                ..Default::default()
            })
            .unwrap();
    }
    writer.commit().unwrap();
    index
}

/// The languages of the articles `query` finds.
fn found(index: &ArticleIndex, query: &str) -> Vec<String> {
    let request = QueryRequest {
        query: query.to_string(),
        limit: 50,
        ..Default::default()
    };
    let mut langs: Vec<String> = search(index, &request)
        .unwrap_or_else(|e| panic!("{query}: {e}"))
        .hits
        .into_iter()
        .map(|h| h.article.lang)
        .collect();
    langs.sort();
    langs
}

const FIRST_CLASS: [&str; 16] = [
    "en", "id", "ms", "th", "vi", "tl", "my", "km", "ja", "ko", "zh-Hans", "zh-Hant", "hi", "bn",
    "ur", "ta",
];

#[test]
fn every_first_class_language_has_an_article() {
    let langs: Vec<String> = fixtures().into_iter().map(|f| f.lang).collect();
    for lang in FIRST_CLASS {
        assert!(langs.iter().any(|l| l == lang), "no article in {lang}");
    }
}

#[test]
fn every_article_is_found_by_a_word_from_the_middle_of_a_sentence() {
    let fixtures = fixtures();
    let index = indexed(&fixtures);
    for f in &fixtures {
        assert!(f.body.contains(&f.word), "{}: word not in body", f.lang);
        let hits = found(&index, &f.word);
        assert!(
            hits.contains(&f.lang),
            "{}: '{}' found {hits:?}",
            f.lang,
            f.word
        );
    }
}

#[test]
fn every_article_is_found_by_a_phrase() {
    let fixtures = fixtures();
    let index = indexed(&fixtures);
    for f in &fixtures {
        assert!(f.body.contains(&f.phrase), "{}: phrase not in body", f.lang);
        let hits = found(&index, &format!("\"{}\"", f.phrase));
        assert_eq!(
            hits,
            std::slice::from_ref(&f.lang),
            "{}: \"{}\"",
            f.lang,
            f.phrase
        );
    }
}

#[test]
fn a_phrase_in_the_wrong_order_finds_nothing() {
    let index = indexed(&fixtures());
    assert!(found(&index, "\"price old the advertised\"").is_empty());
    assert!(found(&index, "\"营销直播网络\"").is_empty());
}

#[test]
fn every_article_is_detected_as_its_language() {
    for f in fixtures() {
        let text = format!("{}\n{}", f.title, f.body);
        let guess = detect_language(&text, None, &[]);
        assert_eq!(guess.lang, f.lang, "{}", f.title);
        assert!(guess.confidence > 0.3, "{}: {guess:?}", f.lang);
    }
}

#[test]
fn vietnamese_without_diacritics_finds_accented_text() {
    let index = indexed(&fixtures());
    assert_eq!(found(&index, "the chap"), ["vi"]);
    assert_eq!(found(&index, "\"lai suat rat cao\""), ["vi"]);
    // Mixed: some words accented, some not.
    assert_eq!(found(&index, "\"lãi suat rất cao\""), ["vi"]);
    // Accents typed are accents meant: a wrong tone does not match.
    assert!(found(&index, "\"lái suất\"").is_empty());
}

#[test]
fn chinese_and_japanese_substrings_cannot_miss() {
    let index = indexed(&fixtures());
    // Substrings that cut across dictionary words.
    assert_eq!(found(&index, "播营"), ["zh-Hans"]);
    assert_eq!(found(&index, "確認の強"), ["ja"]);
    assert_eq!(found(&index, "客服詐騙"), ["zh-Hant"]);
    // One character.
    assert!(found(&index, "售").contains(&"zh-Hans".to_string()));
}

#[test]
fn korean_nouns_are_found_under_their_particles() {
    let index = indexed(&fixtures());
    // 송금 appears only as 송금한 (remitted), 출처 only as 출처가.
    assert_eq!(found(&index, "송금"), ["ko"]);
    assert_eq!(found(&index, "출처"), ["ko"]);
}

#[test]
fn full_width_queries_match_half_width_text() {
    let index = indexed(&fixtures());
    assert_eq!(found(&index, "ＰＡＧＣＯＲ"), ["tl"]);
}

// ------------------------------------------------------------ detection

fn lang(text: &str) -> String {
    detect_language(text, None, &[]).lang
}

#[test]
fn indonesian_and_malay_are_told_apart() {
    let malay = [
        "Kerajaan akan mengambil tindakan terhadap syarikat yang gagal membayar cukai dalam tempoh yang ditetapkan.",
        "Beliau berkata wang itu dipindahkan ke akaun lain selepas mangsa menerima panggilan telefon daripada suspek.",
        "Orang ramai dinasihatkan supaya tidak membeli barangan daripada laman sesawang yang tidak dikenali.",
    ];
    let indonesian = [
        "Pemerintah akan menindak perusahaan yang tidak membayar pajak sesuai tenggat waktu yang ditetapkan.",
        "Ia mengatakan uang itu dipindahkan ke rekening lain setelah korban menerima telepon dari tersangka.",
        "Masyarakat diimbau agar tidak membeli barang dari situs yang tidak dikenal.",
    ];
    for t in malay {
        assert_eq!(lang(t), "ms", "{t}");
    }
    for t in indonesian {
        assert_eq!(lang(t), "id", "{t}");
    }
}

#[test]
fn priors_settle_a_close_call_but_do_not_overrule_evidence() {
    // Neutral between the two: the source's expected language decides.
    let neutral = "Harga barang di pasar naik lagi minggu ini.";
    let ms = detect_language(neutral, None, &["ms".to_string()]);
    let id = detect_language(neutral, None, &["id".to_string()]);
    assert_eq!(ms.lang, "ms");
    assert_eq!(id.lang, "id");
    // Clear Thai stays Thai whatever the page claims.
    let th = detect_language("ธนาคารเตือนประชาชนเรื่องโฆษณาหลอกลวง", Some("en"), &[]);
    assert_eq!(th.lang, "th");
}

#[test]
fn simplified_and_traditional_chinese_are_told_apart() {
    assert_eq!(lang("银行提醒客户注意网络诈骗"), "zh-Hans");
    assert_eq!(lang("銀行提醒客戶注意網路詐騙"), "zh-Hant");
    // Nothing telling: a Taiwanese page's declared language decides.
    assert_eq!(
        detect_language("台北市政府", Some("zh-TW"), &[]).lang,
        "zh-Hant"
    );
}

#[test]
fn kana_decides_japanese_and_kanji_headlines_take_the_bodys_language() {
    assert_eq!(lang("電子決済の不正利用が急増している"), "ja");
    // Kanji-only headline, Japanese body in the same sample.
    assert_eq!(
        lang("後払決済不正利用急増\n後払い決済サービスの不正利用が増えている。"),
        "ja"
    );
    // Kanji-only headline on its own, with Japanese-only forms (広, 売).
    assert_eq!(lang("広告詐欺被害拡大 転売対策強化"), "ja");
    assert_eq!(lang("广告诈骗受害扩大"), "zh-Hans");
}

#[test]
fn hindi_is_told_from_marathi_and_nepali() {
    assert_eq!(
        lang("पुलिस ने कहा कि ठगों ने लोगों से लाखों रुपये ठगे हैं और जांच जारी है।"),
        "hi"
    );
    assert_eq!(
        lang("पोलिसांनी सांगितले की फसवणूक करणाऱ्यांनी लोकांकडून लाखो रुपये उकळले आहेत आणि तपास सुरू आहे."),
        "mr"
    );
    assert_eq!(
        lang("प्रहरीले ठगहरूले मानिसहरूबाट लाखौं रुपैयाँ ठगेको बताएको छ र अनुसन्धान भइरहेको छ।"),
        "ne"
    );
}

#[test]
fn urdu_is_told_from_persian_and_arabic() {
    assert_eq!(
        lang("پولیس نے بتایا کہ دھوکے بازوں نے لوگوں سے لاکھوں روپے لوٹ لیے ہیں۔"),
        "ur"
    );
    assert_eq!(
        lang("پلیس اعلام کرد که کلاهبرداران میلیون‌ها تومان از مردم گرفته‌اند."),
        "fa"
    );
    assert_eq!(
        lang("قالت الشرطة إن المحتالين سرقوا ملايين الجنيهات من المواطنين."),
        "ar"
    );
}

#[test]
fn taglish_is_tagalog_and_plain_english_is_english() {
    assert_eq!(
        lang("Grabe yung delay ng payout, two weeks na pero wala pa rin sa account ko."),
        "tl"
    );
    assert_eq!(
        lang("The payout was delayed for two weeks and has still not reached my account."),
        "en"
    );
}

#[test]
fn burmese_in_zawgyi_is_converted_and_detected() {
    // "Myanmar" typed in Zawgyi: medial ra before the consonant, asat as U+1039.
    let zawgyi_text = "\u{103B}\u{1019}\u{1014}\u{1039}\u{1019}\u{102C}";
    let unicode = "\u{1019}\u{103C}\u{1014}\u{103A}\u{1019}\u{102C}";
    assert!(zawgyi::is_zawgyi(zawgyi_text));
    assert_eq!(zawgyi::to_unicode(zawgyi_text), unicode);
    assert_eq!(lang(zawgyi_text), "my");
}

#[test]
fn too_little_text_is_unknown() {
    assert_eq!(lang("OK 123"), "und");
    assert_eq!(detect_language("", Some("en"), &[]).confidence, 0.0);
}

// ------------------------------------------------------------ kabar analyze

#[test]
fn analyze_writes_one_line_per_input_and_reports_malformed_lines() {
    let input = concat!(
        "{\"id\": 1, \"text\": \"Polis menahan tiga lelaki kerana menipu mangsa melalui iklan pelaburan palsu dalam talian.\"}\n",
        "not json\n",
        "{\"id\": \"b\", \"text\": \"监管部门表示将严厉打击网络赌博广告。\"}\n",
        "{\"id\": 3, \"text\": \"ok\"}\n",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_kabar"))
        .arg("analyze")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["id"], 1);
    assert_eq!(lines[0]["lang"], "ms");
    assert!(lines[0]["lang_confidence"].as_f64().unwrap() > 0.0);
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"].as_str().unwrap().contains("line 2"));
    assert_eq!(lines[2]["id"], "b");
    assert_eq!(lines[2]["lang"], "zh-Hans");
    assert_eq!(lines[3]["lang"], "und");
    assert_eq!(lines[3]["lang_confidence"], 0.0);
}
