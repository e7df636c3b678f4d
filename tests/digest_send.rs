//! `kabar digest --send` end to end, as a user runs it: `kabar crawl` of the
//! loopback test web, then the binary sends the digest to a real SMTP
//! server on loopback (`common::smtp`), and what arrives is read with
//! mail-parser, as a mail client would.
//!
//! The crawled site (`tests/fixtures/web/hostile-post`) has a headline with
//! a script tag in it; a watchlist with a Thai name fires on it, so the
//! subject carries non-Latin text and the message an inline chart.

mod common;

use std::net::SocketAddr;

use common::smtp::{Mode, SmtpServer};
use common::{TestWeb, Workspace, stderr};
use mail_parser::{MessageParser, MimeHeaders};

const DAY: &str = "2026-11-20";
/// A day with no articles, for the outbox test.
const QUIET_DAY: &str = "2026-11-21";
const WATCHLIST: &str = "ข่าวหลอกลวง deepfake";
const CATALOG: &str = r#"
[[source]]
id = "hostile-post"
name = "The Hostile Post"
homepage = "{{BASE}}/hostile-post/"
country = "SG"
languages = ["en"]
feeds = ["{{BASE}}/hostile-post/feed.xml"]
"#;

/// A crawled workspace with one watchlist.
fn crawled(web: &TestWeb) -> Workspace {
    let ws = Workspace::with_catalog(web, &[("sea/sg.toml", CATALOG)], "");
    let out = ws.kabar(&["crawl"]);
    assert!(out.status.success(), "crawl: {}", stderr(&out));
    std::fs::write(
        ws.path().join("data/watchlists.toml"),
        format!("[[watchlist]]\nname = \"{WATCHLIST}\"\nquery = \"deepfake\"\nthreshold = 2\n"),
    )
    .unwrap();
    ws
}

fn send(ws: &Workspace, day: &str, addr: SocketAddr) -> std::process::Output {
    ws.kabar(&[
        "digest",
        "--send",
        "--date",
        day,
        "--smtp",
        &format!("smtp://127.0.0.1:{}", addr.port()),
        "--to",
        "Analyst One <one@kabar.test>",
        "--to",
        "two@kabar.test",
    ])
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn the_digest_arrives_once_as_multipart_with_charts_an_encoded_subject_and_escaped_titles() {
    let web = TestWeb::start();
    let ws = crawled(&web);
    let rt = runtime();
    let server = rt.block_on(SmtpServer::start(Mode::Plain, None));

    let out = send(&ws, DAY, server.addr);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!("sent {DAY}.all")),
        "{}",
        stderr(&out)
    );
    // The second run finds it in the sent-log and does not send it again.
    let again = send(&ws, DAY, server.addr);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("already sent"),
        "{}",
        stderr(&again)
    );
    let got = server.received();
    assert_eq!(got.len(), 1, "exactly one message");
    let r = &got[0];
    assert_eq!(r.to, ["one@kabar.test", "two@kabar.test"]);

    let raw = String::from_utf8_lossy(&r.data);
    let subject_line = raw.lines().find(|l| l.starts_with("Subject:")).unwrap();
    assert!(
        subject_line.is_ascii() && subject_line.contains("=?utf-8?"),
        "the Thai subject is RFC 2047 encoded: {subject_line}"
    );
    let m = MessageParser::default().parse(&r.data).expect("parses");
    assert_eq!(
        m.subject(),
        Some(
            format!(
                "kabar digest · all · {DAY}: watchlist \"{WATCHLIST}\" fired, no emerging risk"
            )
            .as_str()
        )
    );
    assert_eq!(m.content_type().unwrap().ctype(), "multipart");
    assert_eq!(m.content_type().unwrap().subtype(), Some("alternative"));
    assert!(
        raw.contains("multipart/related"),
        "HTML and its images are related"
    );

    let text = m.body_text(0).unwrap();
    assert!(
        text.contains("WATCHLIST ALERTS") && text.contains(WATCHLIST),
        "{text}"
    );
    // Plain text is not markup: the title is shown as it was written.
    assert!(
        text.contains(r#"Deepfake minister <script>alert("pwned")</script> ads drain savings"#)
    );

    let html = m.body_html(0).unwrap();
    assert!(
        html.contains("Deepfake minister &lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; ads drain savings"),
        "{html}"
    );
    assert!(!html.contains("<script"), "a crawled title became markup");
    assert!(html.contains(WATCHLIST));

    let images: Vec<_> = m.attachments().collect();
    assert!(!images.is_empty(), "the watchlist's chart is inline");
    for part in &images {
        let ct = part.content_type().unwrap();
        assert_eq!((ct.ctype(), ct.subtype()), ("image", Some("png")));
        assert!(part.contents().starts_with(b"\x89PNG"));
        let cid = part.content_id().expect("a Content-ID");
        assert!(html.contains(&format!("cid:{cid}")), "{cid} is referenced");
    }
}

#[test]
fn with_the_server_down_the_digest_waits_in_the_outbox_and_the_next_run_sends_it() {
    let web = TestWeb::start();
    let ws = crawled(&web);
    // A port with nothing listening: bind, note, close.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();

    let out = send(&ws, QUIET_DAY, addr);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!("not sent {QUIET_DAY}.all")) && err.contains("kept in the outbox"),
        "{err}"
    );
    let outbox = ws.path().join("data/outbox");
    let sidecar = outbox.join(format!("{QUIET_DAY}.all.json"));
    let status: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sidecar).unwrap()).unwrap();
    assert_eq!(status["attempts"], 1, "{status}");
    assert!(
        status["last_error"].as_str().is_some_and(|e| !e.is_empty()),
        "{status}"
    );
    assert!(outbox.join(format!("{QUIET_DAY}.all.eml")).exists());

    // The server comes up on that port; the next run sends what waited,
    // without waiting for the backoff, and only once.
    let rt = runtime();
    let server = rt.block_on(SmtpServer::start_on(addr, Mode::Plain, None));
    let out = send(&ws, QUIET_DAY, addr);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("already waiting in the outbox"), "{err}");
    assert!(err.contains(&format!("sent {QUIET_DAY}.all")), "{err}");
    assert_eq!(server.received().len(), 1);
    assert!(!sidecar.exists(), "nothing left pending");
    let out = send(&ws, QUIET_DAY, addr);
    assert!(out.status.success() && stderr(&out).contains("already sent"));
    assert_eq!(server.received().len(), 1);
}
