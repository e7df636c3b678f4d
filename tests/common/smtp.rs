//! A real SMTP server on loopback for the delivery tests: `mailin` (an
//! SMTP protocol state machine) driven over tokio sockets, plain, STARTTLS
//! or implicit TLS (tokio-rustls, a certificate made here), with optional
//! AUTH PLAIN. It keeps every message it accepts, as the bytes it received.
//! Start it inside a tokio runtime; dropping it stops it.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use mailin::{Action, AuthMechanism, Handler, Response, SessionBuilder, response};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types::PrivateKeyDer};

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: Vec<u8>,
}

#[derive(Clone)]
pub enum Mode {
    Plain,
    StartTls(TlsAcceptor),
    Implicit(TlsAcceptor),
}

#[derive(Clone)]
pub struct Collector {
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

pub struct SmtpServer {
    pub addr: SocketAddr,
    inbox: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpServer {
    pub async fn start(mode: Mode, password: Option<&'static str>) -> SmtpServer {
        Self::start_on("127.0.0.1:0".parse().unwrap(), mode, password).await
    }

    pub async fn start_on(
        addr: SocketAddr,
        mode: Mode,
        password: Option<&'static str>,
    ) -> SmtpServer {
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

    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }
}

/// Runs the SMTP dialogue; true when the client asked for STARTTLS.
pub async fn converse<S: AsyncBufRead + AsyncWrite + Unpin>(
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
pub fn tls() -> (TlsAcceptor, String) {
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
