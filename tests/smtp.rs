//! Delivery against a real SMTP server on loopback: plain, STARTTLS and
//! implicit TLS with a certificate made here, authentication, and the
//! outbox with the server down and then up.
//!
//! The server is `mailin` (an SMTP protocol state machine) driven over
//! tokio sockets by [`SmtpServer`], with tokio-rustls for TLS; what it
//! receives is parsed with mail-parser, as a mail client would.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use chrono::{NaiveDate, Utc};
use kabar::config::SmtpSecurity;
use kabar::digest::deliver::{
    Deliver, DigestEmail, InlineImage, Mailer, PASSWORD_ENV, SmtpSettings,
};
use kabar::digest::outbox::{Enqueued, Outbox};
use kabar::digest::{chart, html};
use mail_parser::{MessageParser, MimeHeaders};
use mailin::{Action, AuthMechanism, Handler, Response, SessionBuilder, response};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types::PrivateKeyDer};

/// One message as the server received it.
#[derive(Debug, Clone)]
struct Received {
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

#[derive(Clone)]
enum Mode {
    Plain,
    StartTls(TlsAcceptor),
    Implicit(TlsAcceptor),
}

#[derive(Clone)]
struct Collector {
    inbox: Arc<Mutex<Vec<Received>>>,
    current: Option<Received>,
    password: Option<&'static str>,
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(Received {
            from: from.to_string(),
            to: to.to_vec(),
            data: Vec::new(),
        });
        response::OK
    }
    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(c) = &mut self.current {
            c.data.extend_from_slice(buf);
        }
        Ok(())
    }
    fn data_end(&mut self) -> Response {
        if let Some(c) = self.current.take() {
            self.inbox.lock().unwrap().push(c);
        }
        response::OK
    }
    fn auth_plain(&mut self, _authz: &str, user: &str, password: &str) -> Response {
        if user == "digest" && Some(password) == self.password {
            response::AUTH_OK
        } else {
            response::INVALID_CREDENTIALS
        }
    }
}

struct SmtpServer {
    addr: SocketAddr,
    inbox: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpServer {
    async fn start(mode: Mode, password: Option<&'static str>) -> SmtpServer {
        Self::start_on("127.0.0.1:0".parse().unwrap(), mode, password).await
    }

    async fn start_on(addr: SocketAddr, mode: Mode, password: Option<&'static str>) -> SmtpServer {
        let listener = TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let inbox = Arc::new(Mutex::new(Vec::new()));
        let collector = Collector {
            inbox: inbox.clone(),
            current: None,
            password,
        };
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, peer)) = listener.accept().await else {
                    return;
                };
                let (mode, collector) = (mode.clone(), collector.clone());
                tokio::spawn(async move {
                    let mut builder = SessionBuilder::new("kabar-test-smtp");
                    if matches!(mode, Mode::StartTls(_)) {
                        builder.enable_start_tls();
                    }
                    if collector.password.is_some() {
                        builder.enable_auth(AuthMechanism::Plain);
                    }
                    let mut session = builder.build(peer.ip(), collector);
                    match mode {
                        Mode::Plain => {
                            let _ = converse(BufReader::new(stream), &mut session, true).await;
                        }
                        Mode::Implicit(acceptor) => {
                            let Ok(tls) = acceptor.accept(stream).await else {
                                return;
                            };
                            session.tls_active();
                            let _ = converse(BufReader::new(tls), &mut session, true).await;
                        }
                        Mode::StartTls(acceptor) => {
                            let mut plain = BufReader::new(stream);
                            if let Ok(true) = converse(&mut plain, &mut session, true).await {
                                let Ok(tls) = acceptor.accept(plain.into_inner()).await else {
                                    return;
                                };
                                session.tls_active();
                                let _ = converse(BufReader::new(tls), &mut session, false).await;
                            }
                        }
                    }
                });
            }
        });
        SmtpServer { addr, inbox, task }
    }

    fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }
}

/// Runs the SMTP dialogue; true when the client asked for STARTTLS.
async fn converse<S: AsyncBufRead + AsyncWrite + Unpin>(
    mut stream: S,
    session: &mut mailin::Session<Collector>,
    greet: bool,
) -> std::io::Result<bool> {
    if greet {
        stream.write_all(&session.greeting().buffer()?).await?;
    }
    let mut line = Vec::new();
    loop {
        line.clear();
        if stream.read_until(b'\n', &mut line).await? == 0 {
            return Ok(false);
        }
        let response = session.process(&line);
        match response.action {
            Action::Reply => stream.write_all(&response.buffer()?).await?,
            Action::Close => {
                stream.write_all(&response.buffer()?).await?;
                return Ok(false);
            }
            Action::UpgradeTls => {
                stream.write_all(&response.buffer()?).await?;
                stream.flush().await?;
                return Ok(true);
            }
            Action::NoReply => {}
        }
        stream.flush().await?;
    }
}

/// A self-signed certificate for `localhost`: (acceptor, PEM for the client).
fn tls() -> (TlsAcceptor, String) {
    let rcgen::CertifiedKey { cert, signing_key } =
        rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            PrivateKeyDer::Pkcs8(signing_key.serialize_der().into()),
        )
        .unwrap();
    (TlsAcceptor::from(Arc::new(config)), cert.pem())
}

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
