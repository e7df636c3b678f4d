//! Delivery against a real SMTP server on loopback: plain, STARTTLS and
//! implicit TLS with a certificate made here, authentication, and the
//! outbox with the server down and then up.
//!
//! The server is `common::smtp` (mailin over tokio sockets, tokio-rustls for
//! TLS); what it receives is parsed with mail-parser, as a mail client
//! would.

mod common;

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use chrono::{NaiveDate, Utc};
use common::smtp::{Mode, Received, SmtpServer, tls};
use kabar::config::SmtpSecurity;
use kabar::digest::deliver::{
    Deliver, DigestEmail, InlineImage, Mailer, PASSWORD_ENV, SmtpSettings,
};
use kabar::digest::outbox::{Enqueued, Outbox};
use kabar::digest::{chart, html};
use mail_parser::{MessageParser, MimeHeaders};

fn settings(addr: SocketAddr, security: SmtpSecurity) -> SmtpSettings {
    let url = match security {
        SmtpSecurity::Plain => format!("smtp://localhost:{}", addr.port()),
        SmtpSecurity::Starttls => format!("smtp+starttls://localhost:{}", addr.port()),
        SmtpSecurity::Tls => format!("smtps://localhost:{}", addr.port()),
    };
    let mut s = SmtpSettings::from_url(&url, |_| None).unwrap();
    s.timeout = Duration::from_secs(5);
    s
}

const HOSTILE_TITLE: &str = r#"<script>alert("x")</script><img src=x onerror=alert(1)> & more"#;

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

/// A small digest: hostile crawled text escaped into the HTML, two charts.
fn digest(subject: &str) -> DigestEmail {
    let values: Vec<f64> = (0..30)
        .map(|i| (i % 7) as f64 + if i == 29 { 20.0 } else { 3.0 })
        .collect();
    let bars = chart::bar_chart(&chart::ChartSpec::new(&values));
    let line = chart::line_chart(&chart::ChartSpec::new(&values));
    let html = format!(
        "<html><body><h1>{}</h1><p>{}</p><img src=\"cid:chart-1\" alt=\"\"><img src=\"cid:chart-2\" alt=\"\"></body></html>",
        html::escape(subject),
        html::escape(HOSTILE_TITLE)
    );
    DigestEmail {
        profile: "sea-daily".into(),
        date: date(),
        from: "kabar digest <digest@kabar.test>".parse().unwrap(),
        to: vec![
            "Analyst One <one@kabar.test>".parse().unwrap(),
            "two@kabar.test".parse().unwrap(),
        ],
        subject: subject.into(),
        text: format!("{subject}\n\n{HOSTILE_TITLE}\n"),
        html,
        images: vec![
            InlineImage {
                content_id: "chart-1".into(),
                png: bars,
            },
            InlineImage {
                content_id: "chart-2".into(),
                png: line,
            },
        ],
        sent: SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_000_000),
        resend: 0,
    }
}

const THAI_SUBJECT: &str = "สรุปข่าว: โฆษณาหลอกลวงพุ่งสูง — 22 พ.ย.";
const JAPANESE_SUBJECT: &str = "日次ダイジェスト：詐欺広告が急増";

/// Checks everything a mail client would see.
fn check_received(r: &Received, subject: &str, email: &DigestEmail) {
    assert_eq!(r.from, "digest@kabar.test");
    assert_eq!(r.to, vec!["one@kabar.test", "two@kabar.test"]);
    let raw = String::from_utf8_lossy(&r.data);
    // Non-Latin subjects are RFC 2047 encoded: the header itself is ASCII.
    let subject_line = raw
        .lines()
        .find(|l| l.starts_with("Subject:"))
        .expect("a Subject header");
    assert!(
        subject_line.is_ascii() && subject_line.contains("=?utf-8?"),
        "{subject_line}"
    );
    assert!(
        raw.lines().all(|l| l.len() <= 998),
        "lines within RFC 5322's limit"
    );
    let m = MessageParser::default().parse(&r.data).expect("parses");
    assert_eq!(m.subject(), Some(subject));
    assert_eq!(
        m.message_id(),
        Some(
            kabar::digest::deliver::message_id("sea-daily", date(), "kabar.test", 0)
                .trim_matches(['<', '>'])
        )
    );
    assert!(m.date().is_some());
    let to: Vec<_> = m.to().unwrap().iter().filter_map(|a| a.address()).collect();
    assert_eq!(to, vec!["one@kabar.test", "two@kabar.test"]);
    assert_eq!(m.content_type().map(|c| c.ctype()), Some("multipart"));
    assert_eq!(
        m.content_type().and_then(|c| c.subtype()),
        Some("alternative")
    );
    assert!(raw.contains("multipart/related"));
    // Line ends are CRLF on the wire (RFC 5322), whatever the text had.
    let text = m.body_text(0).unwrap().replace("\r\n", "\n");
    assert_eq!(text.trim_end(), format!("{subject}\n\n{HOSTILE_TITLE}"));
    let body_html = m.body_html(0).unwrap();
    assert!(body_html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
    assert!(!body_html.contains("<script") && !body_html.contains("<img src=x"));
    assert!(
        body_html.contains(subject),
        "non-Latin text survives the HTML part"
    );
    let images: Vec<_> = m.attachments().collect();
    assert_eq!(images.len(), 2);
    for (part, expected) in images.iter().zip(&email.images) {
        assert_eq!(part.content_type().unwrap().ctype(), "image");
        assert_eq!(part.content_type().unwrap().subtype(), Some("png"));
        assert_eq!(part.content_id(), Some(expected.content_id.as_str()));
        assert_eq!(part.contents(), &expected.png[..]);
        assert!(body_html.contains(&format!("cid:{}", expected.content_id)));
    }
}

#[tokio::test]
async fn plain_relay_gets_one_multipart_message_with_inline_charts() {
    let server = SmtpServer::start(Mode::Plain, None).await;
    let mailer = Mailer::new(&settings(server.addr, SmtpSecurity::Plain)).unwrap();
    let email = digest(THAI_SUBJECT);
    let outgoing = email.compose().unwrap();
    mailer.deliver(&outgoing).await.unwrap();
    let got = server.received();
    assert_eq!(got.len(), 1);
    check_received(&got[0], THAI_SUBJECT, &email);
}

#[tokio::test]
async fn starttls_with_a_self_signed_certificate_and_authentication() {
    let (acceptor, pem) = tls();
    let server = SmtpServer::start(Mode::StartTls(acceptor), Some("s3cret")).await;
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, &pem).unwrap();
    let env = |k: &str| (k == PASSWORD_ENV).then(|| "s3cret".to_string());
    let url = format!("smtp+starttls://digest@localhost:{}", server.addr.port());
    let s = SmtpSettings::from_url(&url, env)
        .unwrap()
        .trust_pem_file(&ca)
        .unwrap();
    let email = digest(JAPANESE_SUBJECT);
    Mailer::new(&s)
        .unwrap()
        .deliver(&email.compose().unwrap())
        .await
        .unwrap();
    let got = server.received();
    assert_eq!(got.len(), 1);
    check_received(&got[0], JAPANESE_SUBJECT, &email);

    // A wrong password is a permanent failure; nothing arrives.
    let wrong = |k: &str| (k == PASSWORD_ENV).then(|| "nope".to_string());
    let s = SmtpSettings::from_url(&url, wrong)
        .unwrap()
        .trust_pem_file(&ca)
        .unwrap();
    let err = Mailer::new(&s)
        .unwrap()
        .deliver(&email.compose().unwrap())
        .await
        .unwrap_err();
    assert!(err.permanent, "{err:?}");
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn starttls_refuses_an_untrusted_certificate() {
    let (acceptor, _pem) = tls();
    let server = SmtpServer::start(Mode::StartTls(acceptor), None).await;
    let mailer = Mailer::new(&settings(server.addr, SmtpSecurity::Starttls)).unwrap();
    assert!(
        mailer
            .deliver(&digest("x").compose().unwrap())
            .await
            .is_err()
    );
    assert!(server.received().is_empty());
}

#[tokio::test]
async fn implicit_tls() {
    let (acceptor, pem) = tls();
    let server = SmtpServer::start(Mode::Implicit(acceptor), None).await;
    let mut s = settings(server.addr, SmtpSecurity::Tls);
    s.extra_roots_pem.push(pem.into_bytes());
    let email = digest(THAI_SUBJECT);
    Mailer::new(&s)
        .unwrap()
        .deliver(&email.compose().unwrap())
        .await
        .unwrap();
    let got = server.received();
    assert_eq!(got.len(), 1);
    check_received(&got[0], THAI_SUBJECT, &email);
}

#[tokio::test]
async fn outbox_keeps_the_digest_while_the_server_is_down_and_sends_it_once_when_up() {
    // A port with nothing listening: bind, note, close.
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let mailer = Mailer::new(&settings(addr, SmtpSecurity::Plain)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let outbox = Outbox::open(dir.path().join("outbox")).unwrap();
    let email = digest(THAI_SUBJECT);
    assert_eq!(
        outbox
            .enqueue(&email.compose().unwrap(), Utc::now())
            .unwrap(),
        Enqueued::Queued
    );

    let report = outbox.flush(&mailer, Utc::now()).await.unwrap();
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert!(report.sent.is_empty());
    let pending = outbox.pending().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].1.attempts, 1);
    assert!(pending[0].1.last_error.is_some());

    // The server comes up on that port; the next run flushes.
    let server = SmtpServer::start_on(addr, Mode::Plain, None).await;
    let report = outbox.flush_all(&mailer, Utc::now()).await.unwrap();
    assert_eq!(report.sent, vec!["2026-11-22.sea-daily"]);
    let got = server.received();
    assert_eq!(got.len(), 1);
    check_received(&got[0], THAI_SUBJECT, &email);

    // Sent once: a second flush sends nothing, a second enqueue is refused.
    let report = outbox.flush_all(&mailer, Utc::now()).await.unwrap();
    assert!(report.sent.is_empty() && report.failed.is_empty());
    assert!(matches!(
        outbox
            .enqueue(&email.compose().unwrap(), Utc::now())
            .unwrap(),
        Enqueued::AlreadySent(_)
    ));
    assert!(
        outbox
            .flush_all(&mailer, Utc::now())
            .await
            .unwrap()
            .sent
            .is_empty()
    );
    assert_eq!(server.received().len(), 1);
}
