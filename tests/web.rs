//! `kabar serve` over HTTP on loopback: the pages, the JSON API, the
//! exports, and what keeps hostile crawled text and hostile clients out.

mod common;

use common::site::{
    self, ARCHIVED_PAGE, Client, DIGEST_DATE, ENGLISH_TITLE, HOSTILE_TITLE, STORY_TITLE, THAI_TITLE,
};
use common::{kabar, stderr};

fn server() -> (tempfile::TempDir, site::Server) {
    let dir = tempfile::tempdir().unwrap();
    let index = site::build_index(dir.path());
    let server = site::serve(index, site::config(dir.path()));
    (dir, server)
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[test]
fn search_api_finds_thai_and_english_with_facets_and_highlights() {
    let (_dir, s) = server();
    let c = Client::new();

    let r = c.get(&s.url(&format!("/api/search?q={}", enc("หลอกลวง"))));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.header("content-type").starts_with("application/json"));
    let v = r.json();
    assert_eq!(v["total"], 1, "{v}");
    let hit = &v["hits"][0];
    assert_eq!(hit["title"], THAI_TITLE);
    assert_eq!(hit["lang"], "th");
    assert_eq!(hit["risk"], 82.0);
    assert_eq!(hit["sentiment"]["label"], "negative");
    assert_eq!(hit["topics"][0]["id"], "scam-ads");
    assert!(hit.get("body").is_none(), "hits carry snippets, not bodies");
    assert!(hit.get("evidence").is_none());
    // The Thai word is two dictionary words to the segmenter: two ranges,
    // side by side.
    let snippet = &hit["snippet"];
    let text = snippet["text"].as_str().unwrap();
    let mut marked = String::new();
    let mut last = 0;
    for r in snippet["highlights"].as_array().unwrap() {
        let (a, b) = (
            r[0].as_u64().unwrap() as usize,
            r[1].as_u64().unwrap() as usize,
        );
        marked.push_str(&text[last..a]);
        marked.push_str(&format!("[{}]", &text[a..b]));
        last = b;
    }
    assert!(marked.contains("[หลอก][ลวง]"), "{marked}");
    assert_eq!(v["facets"]["region"][0]["value"], "sea");

    let v = c
        .get(&s.url("/api/search?q=gambling+ads&explain=true"))
        .json();
    assert_eq!(v["hits"][0]["title"], ENGLISH_TITLE);
    assert_eq!(v["hits"][0]["evidence"][0]["topic"], "gambling-ads");

    // Filters narrow, repeated ones mean any, facets follow.
    let all = c.get(&s.url("/api/search")).json();
    assert_eq!(all["total"], 10);
    let sea = c.get(&s.url("/api/search?region=sea")).json();
    let nea_sa = c.get(&s.url("/api/search?region=nea&region=sa")).json();
    assert_eq!(
        sea["total"].as_u64().unwrap() + nea_sa["total"].as_u64().unwrap(),
        10
    );
    assert!(
        nea_sa["facets"]["region"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["value"] != "sea")
    );
    let neg = c
        .get(&s.url("/api/search?topic=gambling-ads&sentiment=negative&sort=risk"))
        .json();
    assert_eq!(neg["total"], 3, "{neg}");
    assert_eq!(neg["hits"][0]["risk"], 55.0);
    let paged = c
        .get(&s.url("/api/search?per_page=3&page=2&sort=newest"))
        .json();
    assert_eq!(paged["hits"].as_array().unwrap().len(), 3);
    assert_eq!(paged["page"], 2);
}

#[test]
fn api_errors_say_what_was_wrong() {
    let (_dir, s) = server();
    let c = Client::new();
    for (path, status, code) in [
        ("/api/search?q=scam+AND+(ads", 400, "query_syntax"),
        ("/api/search?per_page=5000", 400, "bad_parameter"),
        ("/api/search?region=europe", 400, "bad_parameter"),
        ("/api/search?since=99999999999999d", 400, "bad_parameter"),
        ("/api/search?page=999999", 400, "bad_parameter"),
        (
            "/api/article/00000000000000000000000000000000",
            404,
            "not_found",
        ),
        ("/api/article/..%2F..%2Fetc%2Fpasswd", 404, "not_found"),
        ("/api/nothing-here", 404, "not_found"),
        ("/api/trends?by=planet", 400, "bad_parameter"),
        ("/api/digest?date=2025-02-30", 400, "bad_parameter"),
        ("/api/digest?date=yesterday", 400, "bad_parameter"),
        ("/api/digest?format=pdf", 400, "bad_parameter"),
        ("/api/digest?profile=nobody", 404, "not_found"),
        ("/api/archive/x", 404, "not_found"),
    ] {
        let r = c.get(&s.url(path));
        assert_eq!(r.status, status, "{path}: {}", r.body);
        let v = r.json();
        assert_eq!(v["error"]["code"], code, "{path}: {v}");
        assert!(!v["error"]["message"].as_str().unwrap().is_empty());
    }
    let long = "a".repeat(kabar::query::MAX_QUERY_BYTES + 1);
    let r = c.get(&s.url(&format!("/api/search?q={long}")));
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], "query_too_long");
}

#[test]
fn article_trends_and_sources_answer_as_json() {
    let (_dir, s) = server();
    let c = Client::new();
    let id = kabar::index::article_id("https://news1.example/a/1");
    let v = c.get(&s.url(&format!("/api/article/{id}"))).json();
    assert_eq!(v["title"], THAI_TITLE);
    assert!(v["body"].as_str().unwrap().contains("ตำรวจไซเบอร์"));
    assert_eq!(v["evidence"][0]["terms"][0]["text"], "หลอกลวง");
    assert!(v["date"].is_string());

    let t = c.get(&s.url("/api/trends")).json();
    assert_eq!(t["by"], "topic");
    assert_eq!(t["starts"].as_array().unwrap().len(), 30);
    assert!(
        t["rows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["key"] == "scam-ads")
    );
    let t = c.get(&s.url("/api/trends?by=region&days=7")).json();
    assert_eq!(t["starts"].as_array().unwrap().len(), 7);

    let h = c.get(&s.url("/api/sources/health")).json();
    let sources = h["sources"].as_array().unwrap();
    assert!(!sources.is_empty());
    assert!(sources.iter().all(|s| s["status"] == "new"), "{h}");
}

#[test]
fn the_openapi_document_covers_every_api_route() {
    let (_dir, s) = server();
    let c = Client::new();
    let doc = c.get(&s.url("/api/openapi.json")).json();
    assert_eq!(doc["openapi"], "3.1.0");
    let id = kabar::index::article_id("https://news1.example/a/1");
    for route in kabar::web::api::ROUTES {
        assert!(doc["paths"].get(route).is_some(), "{route} undocumented");
        let path = route
            .replace("{id}", &id)
            .replace("{name}", "nope")
            .replace("{warc_id}", "nope");
        let r = c.get(&s.url(&path));
        // Every route exists: a 404 may only be the resource's own.
        if r.status == 404 {
            assert_ne!(
                r.json()["error"]["message"].as_str().unwrap_or(""),
                format!("nothing at {path}")
            );
        }
    }
}

#[test]
fn pages_render_utf8_with_facet_links_and_highlights() {
    let (_dir, s) = server();
    let c = Client::new();
    let r = c.get(&s.url("/"));
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").contains("text/html"));
    assert!(r.body.contains("<meta charset=\"utf-8\">"));

    let r = c.get(&s.url(&format!("/search?q={}", enc("หลอกลวง"))));
    assert_eq!(r.status, 200);
    assert!(r.body.contains(THAI_TITLE), "{}", r.body);
    assert!(r.body.contains("<mark class=\"hit\">หลอกลวง</mark>"));
    assert!(r.body.contains("badge sentiment negative"));
    assert!(r.body.contains("badge risk high"));
    // A facet link adds the filter and keeps the query.
    let region_link = format!("/search?q={}&#38;region=sea", enc("หลอกลวง"));
    assert!(r.body.contains(&region_link), "{}", r.body);

    let id = kabar::index::article_id("https://news1.example/a/1");
    let r = c.get(&s.url(&format!("/article/{id}")));
    assert_eq!(r.status, 200);
    assert!(r.body.contains("<mark class=\"term\">หลอกลวง</mark>"));
    assert!(
        r.body
            .contains("<mark class=\"term sentence\">หลอกลวง</mark>")
    );
    assert!(r.body.contains("href=\"https://news1.example/a/1\""));
    assert!(r.body.contains("href=\"/archive/"));
    assert_eq!(c.get(&s.url("/archive/x")).status, 404);

    let r = c.get(&s.url("/trends"));
    assert_eq!(r.status, 200);
    assert!(r.body.contains("<svg class=\"chart\""));
    assert!(r.body.contains("scam-ads"));
    let r = c.get(&s.url("/sources"));
    assert_eq!(r.status, 200);
    assert!(r.body.contains("badge status new"));
    // No profile configured: the built-in "all" covers everything.
    let r = c.get(&s.url("/digest"));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body
            .contains("<option value=\"all\" selected>all</option>")
    );
    let r = c.get(&s.url("/search?q=scam+AND+(ads"));
    assert_eq!(r.status, 400);
    assert!(r.body.contains("malformed query"));
}

#[test]
fn hostile_text_and_urls_stay_inert_everywhere() {
    let (_dir, s) = server();
    let c = Client::new();
    let hostile_id = kabar::index::article_id(site::HOSTILE_URL);
    let pages = [
        "/search?q=pwned+OR+scam+OR+unclosed".to_string(),
        "/search?sort=risk&per_page=50".to_string(),
        format!("/article/{hostile_id}"),
        "/trends".to_string(),
    ];
    for page in &pages {
        let r = c.get(&s.url(page));
        assert_eq!(r.status, 200, "{page}");
        let html = &r.body;
        assert!(
            !html.contains("<script"),
            "{page}: a script tag got through"
        );
        assert!(!html.contains("<img"), "{page}: an img tag got through");
        assert!(!html.contains("<i>bad"), "{page}");
        assert!(!html.contains("href=\"javascript:"), "{page}");
        assert!(!html.contains("onload=\"x"), "{page}");
        assert!(!html.contains("<b>"), "{page}");
    }
    let r = c.get(&s.url(&format!("/article/{hostile_id}")));
    assert!(
        r.body
            .contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;")
    );
    assert!(r.body.contains("<mark class=\"term\">Scam</mark>"));
    assert!(
        r.body
            .contains("<span class=\"unsafe-url\" title=\"not an http(s) link\">javascript:")
    );
    assert!(r.body.contains("lang=\"und\""));
    // A URL with quotes is still a link, but cannot leave its attribute.
    let r = c.get(&s.url("/search?q=formula"));
    assert!(
        r.body
            .contains("href=\"http://news10.example/a?b=%22%3E%3Cscript%3Ealert(4)%3C/script%3E\""),
        "{}",
        r.body
    );

    // Headers that make the browser refuse what escaping might miss.
    let csp = r.header("content-security-policy");
    assert!(csp.contains("default-src 'none'") && !csp.contains("unsafe-inline"));
    assert_eq!(r.header("x-content-type-options"), "nosniff");
    assert_eq!(r.header("referrer-policy"), "no-referrer");

    // JSON keeps the text as it was (JSON escaping is the client's job).
    let v = c.get(&s.url(&format!("/api/article/{hostile_id}"))).json();
    assert_eq!(v["title"], HOSTILE_TITLE);
}

#[test]
fn static_files_are_embedded_and_paths_cannot_escape() {
    let (_dir, s) = server();
    let c = Client::new();
    let r = c.get(&s.url("/static/style.css"));
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").starts_with("text/css"));
    assert!(r.body.contains("Noto Sans Thai"));
    for path in [
        "/static/../Cargo.toml",
        "/static/..%2FCargo.toml",
        "/static/%2e%2e%2f%2e%2e%2fCargo.toml",
        "/static/style.css%00.txt",
        "/static/",
    ] {
        let r = c.get(&s.url(path));
        assert!(r.status == 404 || r.status == 400, "{path}: {}", r.status);
        assert!(!r.body.contains("[package]"), "{path}");
    }
}

#[test]
fn exports_stream_every_match_as_csv_and_json_lines() {
    let (_dir, s) = server();
    let c = Client::new();
    let r = c.get(&s.url("/export.csv?sort=newest"));
    assert_eq!(r.status, 200);
    assert!(r.header("content-type").starts_with("text/csv"));
    assert!(r.header("content-disposition").contains("attachment"));
    assert!(r.body.starts_with("\u{feff}id,date,published,source,"));
    assert_eq!(r.body.matches("\r\n").count(), 11, "{}", r.body);
    assert!(r.body.contains(THAI_TITLE));
    assert!(
        r.body.contains("\"'=HYPERLINK("),
        "formula defused: {}",
        r.body
    );

    let r = c.get(&s.url("/export.jsonl?region=sea"));
    assert_eq!(r.status, 200);
    let lines: Vec<serde_json::Value> = r
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    assert!(lines.iter().all(|l| l["region"] == "sea"));
    let r = c.get(&s.url("/export.csv?q=scam+AND+(ads"));
    assert_eq!(r.status, 400);
}

#[test]
fn a_token_is_required_when_configured() {
    let dir = tempfile::tempdir().unwrap();
    let index = site::build_index(dir.path());
    let mut config = site::config(dir.path());
    config.web.token = "s3cret-token".into();
    let s = site::serve(index, config);
    let c = Client::new();
    let r = c.get(&s.url("/api/search"));
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"]["code"], "unauthorized");
    assert_eq!(c.get(&s.url("/search")).status, 401);
    let r = c.get_with(
        &s.url("/api/search"),
        &[("authorization", "Bearer s3cret-token")],
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        c.get_with(&s.url("/api/search"), &[("authorization", "Bearer nope")])
            .status,
        401
    );
    assert_eq!(c.get(&s.url("/login?token=nope")).status, 401);
    let r = c.get(&s.url("/login?token=s3cret-token"));
    assert_eq!(r.status, 303);
    let cookie = r.header("set-cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    assert!(
        !cookie.contains("s3cret-token"),
        "the cookie is not the token"
    );
    let session = cookie.split(';').next().unwrap();
    assert_eq!(
        c.get_with(&s.url("/search"), &[("cookie", session)]).status,
        200
    );
}

#[test]
fn non_loopback_addresses_need_a_token() {
    let lan: std::net::SocketAddr = "0.0.0.0:8080".parse().unwrap();
    assert!(kabar::web::check_exposure(lan, "").is_err());
    assert!(kabar::web::check_exposure(lan, "t").is_ok());
    assert!(kabar::web::check_exposure("127.0.0.1:8080".parse().unwrap(), "").is_ok());
    assert!(kabar::web::check_exposure("[::1]:8080".parse().unwrap(), "").is_ok());

    // The binary refuses before it opens anything.
    let dir = tempfile::tempdir().unwrap();
    let out = kabar(&[
        "--data",
        dir.path().to_str().unwrap(),
        "serve",
        "--addr",
        "0.0.0.0:0",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("without a token"), "{}", stderr(&out));
}

#[test]
fn clients_past_their_rate_get_429() {
    let dir = tempfile::tempdir().unwrap();
    let index = site::build_index(dir.path());
    let mut config = site::config(dir.path());
    config.web.rate_per_sec = 0.5;
    config.web.rate_burst = 3;
    let s = site::serve(index, config);
    let c = Client::new();
    for _ in 0..3 {
        assert_eq!(c.get(&s.url("/api/openapi.json")).status, 200);
    }
    let r = c.get(&s.url("/api/search"));
    assert_eq!(r.status, 429);
    assert_eq!(r.json()["error"]["code"], "rate_limited");
    assert!(r.header("retry-after").parse::<u64>().unwrap() >= 1);
}

#[test]
fn watchlists_through_the_api_and_the_csrf_protected_form() {
    let (dir, s) = server();
    let c = Client::new();
    let json = |method: reqwest::Method, path: &str, body: serde_json::Value| {
        c.send(
            c.request(method, &s.url(path))
                .header("content-type", "application/json")
                .body(body.to_string()),
        )
    };
    let r = json(
        reqwest::Method::POST,
        "/api/watchlists",
        serde_json::json!({"name": "หลอกลวง TH", "query": "หลอกลวง", "regions": ["sea"], "threshold": 1}),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    let r = json(
        reqwest::Method::POST,
        "/api/watchlists",
        serde_json::json!({"name": "หลอกลวง TH", "threshold": 1}),
    );
    assert_eq!(r.status, 409);
    let r = json(
        reqwest::Method::POST,
        "/api/watchlists",
        serde_json::json!({"name": "x", "threshold": 0}),
    );
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["error"]["code"], "bad_watchlist");
    // A cross-site form post (not JSON) is refused.
    let r = c.send(
        c.request(reqwest::Method::POST, &s.url("/api/watchlists"))
            .header("content-type", "text/plain")
            .body("{\"name\":\"evil\",\"threshold\":1}"),
    );
    assert_eq!(r.status, 415);

    let list = c.get(&s.url("/api/watchlists")).json();
    let w = &list["watchlists"][0];
    assert_eq!(w["name"], "หลอกลวง TH");
    assert_eq!(w["status"]["count"], 1);
    assert_eq!(w["status"]["alert"], true);
    let name = enc("หลอกลวง TH").replace('+', "%20");
    let r = json(
        reqwest::Method::PUT,
        &format!("/api/watchlists/{name}"),
        serde_json::json!({"name": "scam TH", "query": "หลอกลวง", "threshold": 5}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        c.get(&s.url("/api/watchlists/scam%20TH")).json()["status"]["alert"],
        false
    );
    let saved = std::fs::read_to_string(dir.path().join("watchlists.toml")).unwrap();
    assert!(saved.contains("name = \"scam TH\""), "{saved}");

    // The page: alert listed, and the forms need the CSRF cookie's value.
    let page = c.get(&s.url("/watchlists"));
    assert_eq!(page.status, 200);
    assert!(page.body.contains("scam TH"));
    let set_cookie = page.header("set-cookie");
    let csrf_cookie = set_cookie.split(';').next().unwrap().to_string();
    let csrf = csrf_cookie.split('=').nth(1).unwrap().to_string();
    assert!(
        page.body
            .contains(&format!("name=\"csrf\" value=\"{csrf}\""))
    );
    let form = |cookie: Option<&str>, origin: Option<&str>, fields: &[(&str, &str)]| {
        let mut r = c
            .request(reqwest::Method::POST, &s.url("/watchlists/save"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(
                url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(fields)
                    .finish(),
            );
        if let Some(cookie) = cookie {
            r = r.header("cookie", cookie);
        }
        if let Some(origin) = origin {
            r = r.header("origin", origin);
        }
        c.send(r)
    };
    let fields = [
        ("csrf", csrf.as_str()),
        ("name", "judi"),
        ("q", "judi online"),
        ("region", "sea, sa"),
        ("threshold", "2"),
    ];
    assert_eq!(form(None, None, &fields).status, 403, "no cookie");
    assert_eq!(
        form(Some(&csrf_cookie), Some("http://evil.test"), &fields).status,
        403,
        "cross-origin"
    );
    let r = form(Some(&csrf_cookie), Some(&s.base), &fields);
    assert_eq!(r.status, 303, "{}", r.body);
    let w = c.get(&s.url("/api/watchlists/judi")).json();
    assert_eq!(w["regions"], serde_json::json!(["sea", "sa"]));
    let bad = [
        ("csrf", csrf.as_str()),
        ("name", "bad"),
        ("threshold", "many"),
    ];
    let r = form(Some(&csrf_cookie), None, &bad);
    assert_eq!(r.status, 400);
    assert!(r.body.contains("not a whole number"));
    let r = c.send(
        c.request(reqwest::Method::POST, &s.url("/watchlists/delete"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", csrf_cookie.as_str())
            .body(format!("csrf={csrf}&name=judi")),
    );
    assert_eq!(r.status, 303);
    let r = c.send(c.request(reqwest::Method::DELETE, &s.url("/api/watchlists/scam%20TH")));
    assert_eq!(r.status, 204);
    assert_eq!(
        c.get(&s.url("/api/watchlists")).json()["watchlists"],
        serde_json::json!([])
    );
}

#[test]
fn kabar_export_writes_every_match_with_the_search_filters() {
    let dir = tempfile::tempdir().unwrap();
    site::build_index(dir.path());
    let data = dir.path().to_str().unwrap();
    let out = kabar(&[
        "--data", data, "export", "--format", "csv", "--region", "sea",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with('\u{feff}'));
    assert_eq!(text.matches("\r\n").count(), 7, "{text}");
    assert!(text.contains(THAI_TITLE));

    let file = dir.path().join("out.jsonl");
    let out = kabar(&[
        "--data",
        data,
        "export",
        "หลอกลวง",
        "--format",
        "jsonl",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines = std::fs::read_to_string(&file).unwrap();
    assert_eq!(lines.lines().count(), 1);
    assert!(lines.contains(THAI_TITLE));

    let out = kabar(&["--data", data, "export", "--region", "mars"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("mars"));
    let out = kabar(&["--data", data, "export", "nothing-matches-this"]);
    assert_eq!(out.status.code(), Some(1));
}

fn month_server() -> (tempfile::TempDir, site::Server, site::Month) {
    let dir = tempfile::tempdir().unwrap();
    let month = site::build_month(dir.path());
    let server = site::serve(month.index.clone(), site::month_config(dir.path()));
    (dir, server, month)
}

#[test]
fn the_digest_api_and_page_show_one_days_digest_per_profile() {
    let (_dir, s, _month) = month_server();
    let c = Client::new();
    let q = format!("date={DIGEST_DATE}&profile=sea-daily");

    let r = c.get(&s.url(&format!("/api/digest?{q}")));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.header("content-type").starts_with("application/json"));
    let v = r.json();
    assert_eq!(v["profile"], "sea-daily");
    assert_eq!(v["date"], DIGEST_DATE);
    assert_eq!(v["timezone"], "Asia/Singapore");
    assert_eq!(v["spikes"][0]["topic"], "scam-ads", "{v}");
    // The profile covers SEA only.
    let regions: Vec<&str> = v["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["region"].as_str().unwrap())
        .collect();
    assert_eq!(regions, ["sea"]);
    // JSON keeps crawled text as it was.
    assert!(r.body.contains("Deepfake minister ads <script>"));

    let text = c.get(&s.url(&format!("/api/digest?{q}&format=text")));
    assert_eq!(text.status, 200);
    assert!(text.header("content-type").starts_with("text/plain"));
    assert!(text.body.contains("EMERGING RISKS"), "{}", text.body);
    let md = c.get(&s.url(&format!("/api/digest?{q}&format=md")));
    assert!(md.header("content-type").starts_with("text/markdown"));
    assert!(md.body.contains("Emerging risks"));

    // The email's HTML, charts inlined, crawled text escaped.
    let html = c.get(&s.url(&format!("/api/digest?{q}&format=html")));
    assert_eq!(html.status, 200);
    assert!(html.header("content-type").starts_with("text/html"));
    assert!(html.body.contains("src=\"data:image/png;base64,iVBOR"));
    assert!(!html.body.contains("cid:"));
    assert!(!html.body.contains("<script"));
    assert!(html.body.contains("&lt;script&gt;"));
    let csp = html.header("content-security-policy");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(!csp.contains("script-src"), "{csp}");

    // The page: the same digest in the layout, with its controls.
    let page = c.get(&s.url(&format!("/digest?{q}")));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("<meta charset=\"utf-8\">"));
    assert!(page.body.contains(&format!(
        "type=\"date\" name=\"date\" value=\"{DIGEST_DATE}\""
    )));
    assert!(page.body.contains("<option value=\"sea-daily\" selected>"));
    assert!(page.body.contains("src=\"data:image/png;base64,"));
    assert!(page.body.contains("Emerging risks"));
    assert!(!page.body.contains("<script"));
    assert!(!page.body.contains("cid:"));
    let csp = page.header("content-security-policy");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(csp.contains("style-src-attr 'unsafe-inline'"), "{csp}");
    assert!(!csp.contains("script-src"), "{csp}");

    // Errors on the page are pages, in the API JSON.
    assert_eq!(c.get(&s.url("/digest?profile=nobody")).status, 404);
    assert_eq!(c.get(&s.url("/digest?date=2025-13-01")).status, 400);
    let r = c.get(&s.url("/api/digest?profile=nobody"));
    assert_eq!(r.status, 404);
    assert!(
        r.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sea-daily")
    );
    // A profile left out means the first one.
    let v = c
        .get(&s.url(&format!("/api/digest?date={DIGEST_DATE}")))
        .json();
    assert_eq!(v["profile"], "sea-daily");
}

#[test]
fn archived_pages_are_shown_inert_and_ids_cannot_traverse() {
    let (dir, s, month) = month_server();
    let c = Client::new();
    let id = enc(&month.warc_id);

    // In the layout: the record's facts and the page as escaped text.
    let r = c.get(&s.url(&format!("/archive/{id}")));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains(&month.story[0].url));
    assert!(r.body.contains("ข่าวโฆษณาหลอกลวง"));
    // (askama writes `<` as `&#60;`)
    assert!(
        r.body
            .contains("&#60;script&#62;document.title=&#39;pwned&#39;&#60;/script&#62;"),
        "{}",
        r.body
    );
    assert!(!r.body.contains("<script"));
    assert!(!r.body.contains("<img"));
    assert!(!r.body.contains("href=\"javascript:"));
    assert!(
        r.header("content-security-policy")
            .contains("default-src 'none'")
    );

    // Rendered: in a sandbox, nothing runs or loads, no sniffing.
    let raw = c.get(&s.url(&format!("/archive/{id}/raw")));
    assert_eq!(raw.status, 200);
    assert_eq!(raw.body, ARCHIVED_PAGE);
    assert_eq!(raw.header("content-type"), "text/html; charset=utf-8");
    let csp = raw.header("content-security-policy");
    assert!(csp.starts_with("sandbox;"), "{csp}");
    assert!(csp.contains("default-src 'none'"), "{csp}");
    assert!(!csp.contains("allow-scripts"));
    assert_eq!(raw.header("x-content-type-options"), "nosniff");

    // The API: metadata and the body as text.
    let v = c.get(&s.url(&format!("/api/archive/{id}"))).json();
    assert_eq!(v["record_id"], month.warc_id.as_str());
    assert_eq!(v["target_uri"], month.story[0].url.as_str());
    assert_eq!(v["status"], 200);
    assert_eq!(v["source"], "beta");
    assert_eq!(v["kind"], "article");
    assert_eq!(v["body"], ARCHIVED_PAGE);
    assert_eq!(v["body_bytes"], ARCHIVED_PAGE.len());
    // The bare UUID works too.
    let bare = month
        .warc_id
        .trim_start_matches("<urn:uuid:")
        .trim_end_matches('>');
    assert_eq!(c.get(&s.url(&format!("/api/archive/{bare}"))).status, 200);

    // The article links to its archived copy.
    let article = c.get(&s.url(&format!("/article/{}", month.story[0].id)));
    assert!(article.body.contains(&format!("href=\"/archive/{id}\"")));

    // Unknown ids, other forms and traversal attempts: 404, nothing read.
    let archive_files = std::fs::read_dir(dir.path().join("archive"))
        .unwrap()
        .count();
    for path in [
        "/archive/%3Curn%3Auuid%3A00000000-0000-4000-8000-000000000000%3E".to_string(),
        "/api/archive/00000000-0000-4000-8000-000000000000".to_string(),
        "/archive/..%2F..%2F..%2Fetc%2Fpasswd".to_string(),
        "/api/archive/..%2F..%2Ftantivy%2Fmeta.json".to_string(),
        "/archive/%2e%2e%2f%2e%2e%2fCargo.toml/raw".to_string(),
        format!(
            "/api/archive/{}",
            enc(&format!("{}/../../x", month.warc_id))
        ),
        "/api/archive/%3Curn%3Auuid%3A0000-1%3E".to_string(),
    ] {
        let r = c.get(&s.url(&path));
        assert_eq!(r.status, 404, "{path}: {}", r.body);
        assert!(!r.body.contains("root:"), "{path}");
        assert!(!r.body.contains("[package]"), "{path}");
        assert!(!r.body.contains("segments"), "{path}");
    }
    // The lookup wrote no file of its own beyond the writer's sidecar.
    assert_eq!(
        std::fs::read_dir(dir.path().join("archive"))
            .unwrap()
            .count(),
        archive_files
    );
}

#[test]
fn an_article_lists_the_other_articles_of_its_story() {
    let (_dir, s, month) = month_server();
    let c = Client::new();
    let first = &month.story[0];
    let third = &month.story[2];

    let v = c.get(&s.url(&format!("/api/article/{}", third.id))).json();
    let info = &v["story_info"];
    assert_eq!(info["num_articles"], 4, "{v}");
    assert_eq!(info["first_publisher"], first.id.as_str());
    let others = info["articles"].as_array().unwrap();
    assert_eq!(others.len(), 3);
    assert!(others.iter().all(|o| o["id"] != third.id.as_str()));
    assert_eq!(others[0]["id"], first.id.as_str());
    assert_eq!(others[0]["first"], true);
    assert_eq!(others[0]["source"], "beta");
    assert!(others[1..].iter().all(|o| o["first"] == false));
    assert_eq!(v["story"], info["id"]);

    let r = c.get(&s.url(&format!("/article/{}", third.id)));
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Story: 4 articles"), "{}", r.body);
    assert!(r.body.contains(&format!("href=\"/article/{}\"", first.id)));
    assert!(r.body.contains("<span class=\"badge first\">first</span>"));
    assert!(r.body.contains(&format!("href=\"{}\"", first.url)));
    assert!(
        !r.body.contains("<script"),
        "the hostile headline is escaped"
    );
    // The first publisher's own page says so.
    let r = c.get(&s.url(&format!("/article/{}", first.id)));
    assert!(r.body.contains("this article was the first of its story"));
    // An article alone in its story says that too.
    let alone = c
        .get(&s.url(&format!(
            "/api/article/{}",
            kabar::index::article_id("https://kappa.example/21")
        )))
        .json();
    assert_eq!(alone["story_info"]["num_articles"], 1, "{alone}");
    assert_eq!(alone["story_info"]["articles"].as_array().unwrap().len(), 0);
    let escaped = STORY_TITLE
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&#39;");
    assert!(r.body.contains(&escaped));
}
