//! End to end in a real browser: Debian's chromium, headless, driven over
//! the WebDriver protocol by chromedriver (a few JSON calls, so no client
//! crate). The test searches in Thai and in English, clicks a facet, opens
//! an article and a hostile one, previews a digest (charts, another day
//! through the form), follows a story from one outlet's article to the
//! first publisher's and on to its archived copy, and checks what the page
//! shows: the text, the highlights, and that nothing a crawled page carried
//! ran as script.
//! A screenshot of each page goes to `target/web-screenshots/`.
//!
//! `.ci/run` installs chromium and chromedriver. Locally, without them, the
//! test says so loudly and passes; with `CI` set it fails instead.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use common::site::{self, DIGEST_DATE, ENGLISH_TITLE, HOSTILE_TITLE, STORY_TITLE, THAI_TITLE};
use serde_json::{Value, json};

/// How long chromedriver may take to start listening.
const DRIVER_START: Duration = Duration::from_secs(20);
/// How long a page may take to show what the test waits for.
const PAGE_WAIT: Duration = Duration::from_secs(15);
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in names {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
    }
    None
}

fn screenshots_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("web-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// chromedriver, stopped on drop.
struct Driver {
    child: Child,
    base: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A WebDriver session.
struct Browser {
    http: reqwest::Client,
    session: String,
    base: String,
}

impl Browser {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let mut r = self.http.request(method, &url);
        if let Some(b) = body {
            r = r
                .header("content-type", "application/json")
                .body(b.to_string());
        }
        let bytes = r.send().await.unwrap().bytes().await.unwrap();
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        if v["value"].get("error").is_some() {
            panic!("WebDriver {path}: {}", v["value"]);
        }
        v["value"].clone()
    }

    async fn goto(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    async fn find(&self, css: &str) -> String {
        let v = self
            .call(
                reqwest::Method::POST,
                "/element",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        v[ELEMENT].as_str().unwrap().to_string()
    }

    async fn click(&self, css: &str) {
        let e = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{e}/click"),
            Some(json!({})),
        )
        .await;
    }

    async fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css).await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{e}/clear"),
            Some(json!({})),
        )
        .await;
        self.call(
            reqwest::Method::POST,
            &format!("/element/{e}/value"),
            Some(json!({ "text": text })),
        )
        .await;
    }

    async fn eval(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
        .await
    }

    async fn text(&self, css: &str) -> String {
        let css = serde_json::to_string(css).unwrap();
        self.eval(&format!(
            "const e = document.querySelector({css}); return e ? e.innerText : null;"
        ))
        .await
        .as_str()
        .unwrap_or("")
        .to_string()
    }

    /// Waits until the page's address contains `needle`: after a click
    /// that submits a form, so the old page is not read as the new one.
    async fn wait_url(&self, needle: &str) {
        let start = Instant::now();
        loop {
            let url = self.eval("return location.href;").await;
            let url = url.as_str().unwrap_or("");
            if url.contains(needle) {
                return;
            }
            if start.elapsed() > PAGE_WAIT {
                panic!("the address never held '{needle}': {url}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until `css` exists and its text contains `needle`.
    async fn wait_text(&self, css: &str, needle: &str) -> String {
        let start = Instant::now();
        loop {
            let t = self.text(css).await;
            if t.contains(needle) {
                return t;
            }
            if start.elapsed() > PAGE_WAIT {
                panic!("'{needle}' never appeared in {css}; it holds: {t}");
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn screenshot(&self, name: &str) {
        let v = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap();
        let path = screenshots_dir().join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        eprintln!("screenshot: {}", path.display());
    }

    /// Nothing a crawled page carried ran: the title is ours and there is
    /// no script element at all (the pages use none).
    async fn assert_no_script_ran(&self, what: &str) {
        // The hostile text sets the title to exactly this when it runs (the
        // text itself may appear in the title, escaped).
        let title = self.eval("return document.title;").await;
        assert_ne!(title, "pwned", "{what}: injected script ran");
        let n = self.eval("return document.scripts.length;").await;
        assert_eq!(n, 0, "{what}: script elements in the page");
        let n = self
            .eval("return document.querySelectorAll('img,iframe,object,embed').length;")
            .await;
        assert_eq!(n, 0, "{what}: injected elements in the page");
    }
}

async fn start_driver(driver: &std::path::Path) -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(driver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let d = Driver {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let start = Instant::now();
    while http.get(format!("{}/status", d.base)).send().await.is_err() {
        assert!(
            start.elapsed() < DRIVER_START,
            "chromedriver did not start listening"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    d
}

/// Serves `index` on a free loopback port; returns its base URL.
async fn serve(index: kabar::index::ArticleIndex, config: kabar::config::Config) -> String {
    let state = std::sync::Arc::new(kabar::web::AppState::new(index, config, None));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = kabar::web::router(state);
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
        .unwrap();
    });
    base
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_facets_and_articles_in_a_real_browser() {
    let chromium = find_program(&["chromium", "chromium-browser", "google-chrome"]);
    let driver = find_program(&["chromedriver"]);
    let (Some(chromium), Some(driver)) = (chromium, driver) else {
        if std::env::var_os("CI").is_some() {
            panic!("chromium and chromedriver are missing: .ci/run should have installed them");
        }
        eprintln!(
            "\n\n*** SKIPPED: the browser test needs chromium and chromedriver \
             (apt-get install chromium chromium-driver) ***\n\n"
        );
        return;
    };

    // The servers, on this runtime: the small index, and a month of news
    // with a digest to show and a story run by four outlets.
    let dir = tempfile::tempdir().unwrap();
    let index = site::build_index(dir.path());
    let base = serve(index, site::config(dir.path())).await;
    let month_dir = tempfile::tempdir().unwrap();
    let month = site::build_month(month_dir.path());
    let month_base = serve(month.index.clone(), site::month_config(month_dir.path())).await;

    let d = start_driver(&driver).await;
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let caps = json!({ "capabilities": { "alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium.to_str().unwrap(),
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1280,1400",
                     "--lang=en-US", "--no-first-run"],
        }
    }}});
    let bytes = http
        .post(format!("{}/session", d.base))
        .header("content-type", "application/json")
        .body(caps.to_string())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    let session = v["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {v}"))
        .to_string();
    let b = Browser {
        http,
        session,
        base: d.base.clone(),
    };

    // The search page, then a query in Thai typed into the box.
    b.goto(&format!("{base}/")).await;
    b.wait_text("#total", "articles").await;
    b.screenshot("01-search-page").await;
    b.type_into("input[name=q]", "หลอกลวง").await;
    b.click("form.query button").await;
    // The first page lists every article, the Thai one too: wait for the
    // results page itself before reading it.
    b.wait_url("q=").await;
    let results = b.wait_text("ol.hits", THAI_TITLE).await;
    assert!(!results.contains(ENGLISH_TITLE));
    let marked = b
        .eval("return [...document.querySelectorAll('ol.hits mark.hit')].map(m => m.innerText);")
        .await;
    assert!(
        marked.as_array().unwrap().iter().any(|m| m == "หลอกลวง"),
        "{marked}"
    );
    b.screenshot("02-thai-query").await;

    // A query in English.
    b.type_into("input[name=q]", "gambling ads").await;
    b.click("form.query button").await;
    b.wait_text("ol.hits", ENGLISH_TITLE).await;
    b.screenshot("03-english-query").await;

    // Everything, then a facet: Region sa (South Asia).
    b.goto(&format!("{base}/search?sort=newest")).await;
    b.wait_text("#total", "of 10 articles").await;
    let sa = b
        .eval(
            "const a = [...document.querySelectorAll('.facet a')].find(a => a.href.includes('region=sa')); \
             if (a) { a.id = 'facet-sa'; } return !!a;",
        )
        .await;
    assert_eq!(sa, json!(true), "no region=sa facet link");
    b.click("#facet-sa").await;
    let total = b.wait_text("#total", "of 2 articles").await;
    assert!(total.contains("1–2 of 2"), "{total}");
    let url = b.call(reqwest::Method::GET, "/url", None).await;
    assert!(url.as_str().unwrap().contains("region=sa"), "{url}");
    let hits = b.text("ol.hits").await;
    assert!(
        hits.contains("ऑनलाइन सट्टेबाजी") && hits.contains("آن لائن"),
        "{hits}"
    );
    b.screenshot("04-facet-region-sa").await;

    // Every script on one page, for people to look at.
    b.goto(&format!("{base}/search?sort=risk")).await;
    b.wait_text("#total", "of 10 articles").await;
    b.assert_no_script_ran("all hits").await;
    b.screenshot("05-all-scripts").await;

    // Open the Thai article from the results.
    b.goto(&format!(
        "{base}/search?q=%E0%B8%AB%E0%B8%A5%E0%B8%AD%E0%B8%81%E0%B8%A5%E0%B8%A7%E0%B8%87"
    ))
    .await;
    b.wait_text("ol.hits", THAI_TITLE).await;
    b.click("ol.hits a.title").await;
    let body = b.wait_text("#article-body", "ตำรวจไซเบอร์").await;
    assert!(body.contains("โฆษณาหลอกลวง"));
    assert_eq!(b.text("#article-title").await, THAI_TITLE);
    let marks = b
        .eval("return document.querySelectorAll('#article-body mark.term').length;")
        .await;
    assert_eq!(marks, 2, "both topic terms in the body are marked");
    let sentence = b.text("#article-body mark.sentence").await;
    assert!(sentence.starts_with("ตำรวจไซเบอร์"), "{sentence}");
    let original = b
        .eval("return document.querySelector('#original').getAttribute('href');")
        .await;
    assert_eq!(original, "https://news1.example/a/1");
    b.screenshot("06-thai-article").await;

    // The hostile article: its markup is text, its link is not a link.
    let hostile_id = kabar::index::article_id(site::HOSTILE_URL);
    b.goto(&format!("{base}/article/{hostile_id}")).await;
    let title = b.wait_text("#article-title", "Scam").await;
    assert_eq!(title.trim(), HOSTILE_TITLE.trim());
    b.assert_no_script_ran("hostile article").await;
    let links = b
        .eval("return [...document.querySelectorAll('a')].filter(a => !/^https?:/.test(a.href)).map(a => a.href);")
        .await;
    assert_eq!(links, json!([]), "non-http links in the page");
    let doc_title = b.eval("return document.title;").await;
    assert!(
        doc_title.as_str().unwrap().ends_with("· kabar"),
        "{doc_title}"
    );
    b.screenshot("07-hostile-article").await;

    // Trends and the other pages render.
    b.goto(&format!("{base}/trends")).await;
    b.wait_text("h1", "Trends").await;
    let charts = b
        .eval("return document.querySelectorAll('svg.chart').length;")
        .await;
    assert!(charts.as_u64().unwrap() >= 3, "{charts}");
    b.screenshot("08-trends").await;
    b.goto(&format!("{base}/sources")).await;
    b.wait_text("h1", "Sources").await;
    b.screenshot("09-sources").await;
    b.goto(&format!("{base}/watchlists")).await;
    b.wait_text("h1", "Watchlists").await;
    b.screenshot("10-watchlists").await;

    // The digest of a day, for a profile: the email's content in the
    // layout, its charts shown, its inline styles applied.
    b.goto(&format!(
        "{month_base}/digest?date={DIGEST_DATE}&profile=sea-daily"
    ))
    .await;
    b.wait_text("#digest", "Emerging risks").await;
    let subject = b.text("#digest-subject").await;
    assert!(subject.contains("1 emerging risk"), "{subject}");
    let charts = b
        .eval(
            "return [...document.querySelectorAll('#digest img')]\
             .map(i => [i.src.slice(0, 22), i.complete && i.naturalWidth > 0]);",
        )
        .await;
    let charts = charts.as_array().unwrap();
    assert!(!charts.is_empty(), "no chart in the digest");
    for c in charts {
        assert_eq!(c, &json!(["data:image/png;base64,", true]), "{charts:?}");
    }
    let width = b
        .eval("return getComputedStyle(document.querySelector('#digest > div')).maxWidth;")
        .await;
    assert_eq!(width, "680px", "the email's inline styles apply");
    let title = b.eval("return document.title;").await;
    assert_ne!(title, "pwned");
    assert_eq!(b.eval("return document.scripts.length;").await, 0);
    assert!(
        b.text("#digest")
            .await
            .contains("Deepfake minister ads <script>")
    );
    b.screenshot("11-digest").await;
    // Another day through the form.
    b.eval(
        "document.querySelector('input[name=date]').value = '2025-03-19'; \
         document.getElementById('digest-form').submit(); return true;",
    )
    .await;
    b.wait_text("#digest-subject", "2025-03-19").await;
    let url = b.call(reqwest::Method::GET, "/url", None).await;
    assert!(url.as_str().unwrap().contains("date=2025-03-19"), "{url}");
    b.screenshot("12-digest-other-day").await;

    // An article of the story lists the other three, first publisher marked.
    b.goto(&format!("{month_base}/article/{}", month.story[2].id))
        .await;
    let story = b.wait_text("#story", "Story: 4 articles").await;
    assert!(story.contains("first"), "{story}");
    let siblings = b
        .eval("return [...document.querySelectorAll('#story a.sibling')].map(a => a.innerText);")
        .await;
    assert_eq!(siblings.as_array().unwrap().len(), 3, "{siblings}");
    assert!(
        siblings
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t == STORY_TITLE)
    );
    b.assert_no_script_ran("story article").await;
    b.screenshot("13-story-article").await;
    b.click("#story a.sibling").await;
    b.wait_text("#story", "this article was the first of its story")
        .await;

    // Its archived copy: escaped text in the layout, then rendered in a
    // sandbox where its script cannot run.
    b.click("a[href^='/archive/']").await;
    b.wait_text("#archived-body", "ข่าวโฆษณาหลอกลวง").await;
    b.assert_no_script_ran("archived copy").await;
    assert!(b.text("#archived-body").await.contains("<script>"));
    b.screenshot("14-archived-copy").await;
    b.click("#archive-raw").await;
    b.wait_text("h1", "Deepfake minister ads").await;
    let title = b.eval("return document.title;").await;
    assert_eq!(title, "archived", "the archived page's script ran");
    b.screenshot("15-archived-page-sandboxed").await;

    b.call(reqwest::Method::DELETE, "", None).await;
}
