//! Delivery: the digest as an email message, and the SMTP connection that
//! sends it.
//!
//! - [`DigestEmail`] → [`Outgoing`]: the message is composed once, to bytes,
//!   with a Message-ID derived from the profile and the date
//!   ([`message_id`]). The outbox stores exactly these bytes, so a retry
//!   sends the same message, and a receiving system that de-duplicates by
//!   Message-ID sees one message however many times a crash made kabar
//!   retry. Structure: `multipart/alternative` of the plain text and a
//!   `multipart/related` HTML part whose PNG charts are inline parts
//!   referenced as `cid:` (how mail clients show images without fetching
//!   anything). Subjects and names in any script are RFC 2047 encoded by
//!   lettre.
//! - [`SmtpSettings`] comes from `[smtp]` in the config, the environment
//!   (the password only ever from [`PASSWORD_ENV`]) and, for one run,
//!   `--smtp URL` ([`SmtpSettings::from_url`]). [`Mailer`] is lettre's async
//!   SMTP transport over rustls (ring, webpki roots: nothing to install):
//!   implicit TLS, required STARTTLS, or plain for a local relay.
//!   Authentication over a plain connection is refused unless the server is
//!   on loopback, so a password never crosses a network in the clear.
//! - [`Deliver`] is the one method the outbox needs, so outbox tests can
//!   also use a transport that fails on purpose. Failures are values with a
//!   permanence ([`SendError::permanent`]): a 5xx reply will not get better
//!   by retrying as often as a refused connection.
//!
//! Crate: lettre, the maintained SMTP client of the Rust ecosystem, with
//! its default features (native-tls) off so the binary keeps one TLS stack.

use std::future::Future;
use std::path::Path;
use std::time::{Duration, SystemTime};

use chrono::NaiveDate;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sha2::{Digest as _, Sha256};

use crate::config::{SmtpConfig, SmtpSecurity};

/// The environment variable the SMTP password is read from.
pub const PASSWORD_ENV: &str = "KABAR_SMTP_PASSWORD";
/// Overrides `smtp.username` (handy with the password in a secret store).
pub const USERNAME_ENV: &str = "KABAR_SMTP_USERNAME";

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error("--smtp '{url}': {reason}")]
    BadUrl { url: String, reason: String },
    #[error("'{0}' is not an email address")]
    BadAddress(String),
    #[error("no recipients: add `recipients` to the profile or pass --to ADDRESS")]
    NoRecipients,
    #[error("no SMTP server: set [smtp] host in the config or pass --smtp smtp://HOST:PORT")]
    NoServer,
    #[error(
        "smtp username '{0}' is set but KABAR_SMTP_PASSWORD is not: export the password in the environment"
    )]
    MissingPassword(String),
    #[error(
        "refusing to send the SMTP password to {0} over a plain connection: use security = \"starttls\" or \"tls\""
    )]
    PlainAuth(String),
    #[error("cannot read smtp.ca_file {path}: {reason}")]
    CaFile { path: String, reason: String },
    #[error("cannot build the message: {0}")]
    Message(String),
    #[error("SMTP set-up: {0}")]
    Transport(String),
}

/// Where and how to connect, with the secret resolved.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    pub password: Option<String>,
    pub timeout: Duration,
    /// Extra trusted roots, PEM.
    pub extra_roots_pem: Vec<Vec<u8>>,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field(
                "password",
                &self.password.as_ref().map(|_| "<from environment>"),
            )
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl SmtpSettings {
    /// From `[smtp]`, with `env` looked up for [`PASSWORD_ENV`] and
    /// [`USERNAME_ENV`] (pass `|k| std::env::var(k).ok()`).
    pub fn from_config(
        config: &SmtpConfig,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, DeliveryError> {
        if config.host.is_empty() {
            return Err(DeliveryError::NoServer);
        }
        let mut extra_roots_pem = Vec::new();
        if !config.ca_file.is_empty() {
            let pem = std::fs::read(&config.ca_file).map_err(|e| DeliveryError::CaFile {
                path: config.ca_file.clone(),
                reason: e.to_string(),
            })?;
            extra_roots_pem.push(pem);
        }
        let settings = SmtpSettings {
            host: config.host.clone(),
            port: config.port,
            security: config.security,
            username: Some(config.username.clone()).filter(|u| !u.is_empty()),
            password: None,
            timeout: Duration::from_secs(config.timeout_secs.max(1)),
            extra_roots_pem,
        };
        settings.with_env(env)
    }

    /// Parses `--smtp`: `smtp://HOST[:PORT]` (plain, port 25),
    /// `smtp+starttls://HOST[:PORT]` (STARTTLS required, 587),
    /// `smtps://HOST[:PORT]` (implicit TLS, 465); `?security=plain|starttls|tls`
    /// overrides the scheme's choice and `USER@` sets the login name. A
    /// password in the URL is refused: it would end up in shell history and
    /// process lists; it comes from [`PASSWORD_ENV`].
    pub fn from_url(
        url: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, DeliveryError> {
        let bad = |reason: &str| DeliveryError::BadUrl {
            url: url.to_string(),
            reason: reason.to_string(),
        };
        let parsed = url::Url::parse(url).map_err(|e| bad(&e.to_string()))?;
        let mut security = match parsed.scheme() {
            "smtp" => SmtpSecurity::Plain,
            "smtp+starttls" => SmtpSecurity::Starttls,
            "smtps" => SmtpSecurity::Tls,
            _ => {
                return Err(bad(
                    "the scheme must be smtp://, smtp+starttls:// or smtps://",
                ));
            }
        };
        for (key, value) in parsed.query_pairs() {
            match (key.as_ref(), value.as_ref()) {
                ("security", "plain") => security = SmtpSecurity::Plain,
                ("security", "starttls") => security = SmtpSecurity::Starttls,
                ("security", "tls") => security = SmtpSecurity::Tls,
                ("security", _) => return Err(bad("security must be plain, starttls or tls")),
                _ => return Err(bad(&format!("unknown parameter '{key}' (only security=)"))),
            }
        }
        if parsed.password().is_some() {
            return Err(bad(&format!(
                "do not put the password in the URL; export {PASSWORD_ENV}"
            )));
        }
        let host = parsed
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("no host"))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        if !matches!(parsed.path(), "" | "/") {
            return Err(bad("unexpected path"));
        }
        let username = percent_decode(parsed.username());
        let settings = SmtpSettings {
            host,
            port: parsed.port().unwrap_or(security.default_port()),
            security,
            username: Some(username).filter(|u| !u.is_empty()),
            password: None,
            timeout: Duration::from_secs(SmtpConfig::default().timeout_secs),
            extra_roots_pem: Vec::new(),
        };
        settings.with_env(env)
    }

    fn with_env(mut self, env: impl Fn(&str) -> Option<String>) -> Result<Self, DeliveryError> {
        if let Some(user) = env(USERNAME_ENV).filter(|u| !u.is_empty()) {
            self.username = Some(user);
        }
        self.password = env(PASSWORD_ENV).filter(|p| !p.is_empty());
        match (&self.username, &self.password) {
            (Some(user), None) => return Err(DeliveryError::MissingPassword(user.clone())),
            // A password alone (left in the environment for another server)
            // authenticates nothing: kabar logs in only with both.
            (None, Some(_)) => self.password = None,
            _ => {}
        }
        if self.username.is_some() && self.security == SmtpSecurity::Plain && !self.is_loopback() {
            return Err(DeliveryError::PlainAuth(self.host.clone()));
        }
        Ok(self)
    }

    fn is_loopback(&self) -> bool {
        self.host.eq_ignore_ascii_case("localhost")
            || self
                .host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }

    /// Trusts the PEM certificate(s) in `path` in addition to the webpki roots.
    pub fn trust_pem_file(mut self, path: &Path) -> Result<Self, DeliveryError> {
        let pem = std::fs::read(path).map_err(|e| DeliveryError::CaFile {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        self.extra_roots_pem.push(pem);
        Ok(self)
    }
}

/// Decodes `%XX` in a URL's user name (`digest%40corp` → `digest@corp`).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = (b[i] == b'%' && i + 2 < b.len())
            .then(|| std::str::from_utf8(&b[i + 1..i + 3]).ok())
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match hex {
            Some(v) => {
                out.push(v);
                i += 3;
            }
            None => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Parses `--to` values and profile recipients.
pub fn parse_recipients(list: &[String]) -> Result<Vec<Mailbox>, DeliveryError> {
    if list.is_empty() {
        return Err(DeliveryError::NoRecipients);
    }
    list.iter()
        .map(|r| r.parse().map_err(|_| DeliveryError::BadAddress(r.clone())))
        .collect()
}

/// For one run: `--smtp` and `--to` (repeatable) override the config, so a
/// digest can be sent without editing a file. Meant to be flattened into
/// the clap arguments of `kabar digest` and `kabar run`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeliveryOverrides {
    pub smtp_url: Option<String>,
    pub to: Vec<String>,
}

impl DeliveryOverrides {
    /// The server to use: `--smtp` if given, else the config's.
    pub fn settings(
        &self,
        config: &SmtpConfig,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<SmtpSettings, DeliveryError> {
        match &self.smtp_url {
            Some(url) => {
                let mut s = SmtpSettings::from_url(url, env)?;
                s.timeout = Duration::from_secs(config.timeout_secs.max(1));
                Ok(s)
            }
            None => SmtpSettings::from_config(config, env),
        }
    }

    /// The recipients: `--to` if given, else the profile's.
    pub fn recipients(&self, profile_recipients: &[String]) -> Result<Vec<Mailbox>, DeliveryError> {
        if self.to.is_empty() {
            parse_recipients(profile_recipients)
        } else {
            parse_recipients(&self.to)
        }
    }
}

/// The stable Message-ID of a profile's digest for a day:
/// `<kabar.digest.DATE.PROFILE.HASH@DOMAIN>`, the hash (of profile and date)
/// keeping it unique if a profile name is ever reused elsewhere with the
/// same domain. `resend` > 0 (a forced resend) gives a new id, so that a
/// client that de-duplicates does not drop the deliberate copy.
pub fn message_id(profile: &str, date: NaiveDate, domain: &str, resend: u32) -> String {
    let mut h = Sha256::new();
    h.update(profile.as_bytes());
    h.update([0]);
    h.update(date.to_string().as_bytes());
    let digest = h.finalize();
    let hash: String = digest[..6].iter().map(|b| format!("{b:02x}")).collect();
    let safe: String = profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let resend = if resend > 0 {
        format!(".r{resend}")
    } else {
        String::new()
    };
    format!("<kabar.digest.{date}.{safe}.{hash}{resend}@{domain}>")
}

/// A PNG shown inside the HTML as `<img src="cid:CONTENT_ID">`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineImage {
    /// Without angle brackets; letters, digits, `.`, `-`, `_`, `@`.
    pub content_id: String,
    pub png: Vec<u8>,
}

/// One digest email, before it is composed to bytes.
#[derive(Debug, Clone)]
pub struct DigestEmail {
    pub profile: String,
    /// The day the digest covers.
    pub date: NaiveDate,
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    pub subject: String,
    pub text: String,
    /// Markup built with [`crate::digest::html::escape`] for every crawled string.
    pub html: String,
    pub images: Vec<InlineImage>,
    /// The Date header; a parameter so tests and golden files are stable.
    pub sent: SystemTime,
    /// 0 normally; n for the n-th forced resend (see [`message_id`]).
    pub resend: u32,
}

/// A composed message: what the outbox stores and the transport sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub profile: String,
    pub date: NaiveDate,
    pub message_id: String,
    /// 0, or n for the n-th forced resend of this profile and date.
    pub resend: u32,
    /// Envelope sender (bare address).
    pub from: String,
    /// Envelope recipients (bare addresses).
    pub to: Vec<String>,
    pub bytes: Vec<u8>,
}

impl DigestEmail {
    /// Composes the message to bytes.
    pub fn compose(&self) -> Result<Outgoing, DeliveryError> {
        if self.to.is_empty() {
            return Err(DeliveryError::NoRecipients);
        }
        let id = message_id(
            &self.profile,
            self.date,
            self.from.email.domain(),
            self.resend,
        );
        let mut builder = lettre::Message::builder()
            .from(self.from.clone())
            .subject(self.subject.clone())
            .message_id(Some(id.clone()))
            .date(self.sent)
            .user_agent(format!("kabar/{}", env!("CARGO_PKG_VERSION")));
        for to in &self.to {
            builder = builder.to(to.clone());
        }
        let png = ContentType::parse("image/png").expect("a valid MIME type");
        let mut related = MultiPart::related().singlepart(SinglePart::html(self.html.clone()));
        for image in &self.images {
            related = related.singlepart(
                Attachment::new_inline(image.content_id.clone())
                    .body(image.png.clone(), png.clone()),
            );
        }
        let message = builder
            .multipart(
                MultiPart::alternative()
                    .singlepart(SinglePart::plain(self.text.clone()))
                    .multipart(related),
            )
            .map_err(|e| DeliveryError::Message(e.to_string()))?;
        Ok(Outgoing {
            profile: self.profile.clone(),
            date: self.date,
            message_id: id,
            resend: self.resend,
            from: self.from.email.to_string(),
            to: self.to.iter().map(|m| m.email.to_string()).collect(),
            bytes: message.formatted(),
        })
    }
}

/// Why a send failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    /// A 5xx reply: retrying the same message will fail the same way.
    pub permanent: bool,
    pub message: String,
}

/// Sends composed bytes. The outbox is generic over this.
pub trait Deliver {
    fn deliver(&self, outgoing: &Outgoing) -> impl Future<Output = Result<(), SendError>> + Send;
}

/// SMTP over lettre.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    describe: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe)
    }
}

impl Mailer {
    pub fn new(settings: &SmtpSettings) -> Result<Self, DeliveryError> {
        let transport_err =
            |e: lettre::transport::smtp::Error| DeliveryError::Transport(e.to_string());
        let tls_parameters = || -> Result<TlsParameters, DeliveryError> {
            let mut b = TlsParameters::builder(settings.host.clone());
            for pem in &settings.extra_roots_pem {
                for cert in split_pem(pem) {
                    b = b
                        .add_root_certificate(Certificate::from_pem(&cert).map_err(transport_err)?);
                }
            }
            b.build_rustls().map_err(transport_err)
        };
        let tls = match settings.security {
            SmtpSecurity::Tls => Tls::Wrapper(tls_parameters()?),
            SmtpSecurity::Starttls => Tls::Required(tls_parameters()?),
            SmtpSecurity::Plain => Tls::None,
        };
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.clone())
                .port(settings.port)
                .tls(tls)
                .timeout(Some(settings.timeout));
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Mailer {
            transport: builder.build(),
            describe: format!(
                "smtp {}:{} ({})",
                settings.host,
                settings.port,
                settings.security.as_str()
            ),
        })
    }

    /// Connects and says hello, without sending (for `kabar digest --check`).
    pub async fn test_connection(&self) -> Result<bool, SendError> {
        self.transport.test_connection().await.map_err(send_error)
    }
}

fn send_error(e: lettre::transport::smtp::Error) -> SendError {
    SendError {
        permanent: e.is_permanent(),
        message: e.to_string(),
    }
}

impl Deliver for Mailer {
    async fn deliver(&self, outgoing: &Outgoing) -> Result<(), SendError> {
        let parse = |a: &str| {
            a.parse::<Address>().map_err(|e| SendError {
                permanent: true,
                message: format!("bad address '{a}': {e}"),
            })
        };
        let to = outgoing
            .to
            .iter()
            .map(|a| parse(a))
            .collect::<Result<Vec<_>, _>>()?;
        let envelope =
            lettre::address::Envelope::new(Some(parse(&outgoing.from)?), to).map_err(|e| {
                SendError {
                    permanent: true,
                    message: e.to_string(),
                }
            })?;
        self.transport
            .send_raw(&envelope, &outgoing.bytes)
            .await
            .map(|_| ())
            .map_err(send_error)
    }
}

/// Splits a PEM bundle into one PEM block per certificate.
fn split_pem(pem: &[u8]) -> Vec<Vec<u8>> {
    let text = String::from_utf8_lossy(pem);
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if line.starts_with("-----BEGIN CERTIFICATE-----") {
            current.clear();
        }
        current.push_str(line);
        current.push('\n');
        if line.starts_with("-----END CERTIFICATE-----") {
            out.push(current.clone().into_bytes());
            current.clear();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn smtp_urls() {
        let s = SmtpSettings::from_url("smtp://127.0.0.1:2525", no_env).unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.security),
            ("127.0.0.1", 2525, SmtpSecurity::Plain)
        );
        let s = SmtpSettings::from_url("smtps://mail.example.org", no_env).unwrap();
        assert_eq!((s.port, s.security), (465, SmtpSecurity::Tls));
        let s = SmtpSettings::from_url("smtp+starttls://mail.example.org", no_env).unwrap();
        assert_eq!((s.port, s.security), (587, SmtpSecurity::Starttls));
        let s = SmtpSettings::from_url("smtp://mail.example.org:2587?security=starttls", no_env)
            .unwrap();
        assert_eq!((s.port, s.security), (2587, SmtpSecurity::Starttls));
        let env = |k: &str| (k == PASSWORD_ENV).then(|| "s3cret".to_string());
        let s = SmtpSettings::from_url("smtps://digest%40corp@mail.example.org", env).unwrap();
        assert_eq!(s.username.as_deref(), Some("digest@corp"));
        assert_eq!(s.password.as_deref(), Some("s3cret"));
        assert!(!format!("{s:?}").contains("s3cret"));
        let s = SmtpSettings::from_url("smtp://[::1]:25", no_env).unwrap();
        assert_eq!(s.host, "::1");

        for (bad, says) in [
            ("http://mail.example.org", "scheme"),
            ("smtps://u:pw@mail.example.org", PASSWORD_ENV),
            ("smtp://mail.example.org?security=ssl", "security"),
            ("smtp://mail.example.org?tls=1", "unknown parameter"),
            ("smtps://user@mail.example.org", PASSWORD_ENV),
            ("smtp://user@mail.example.org", "plain connection"),
        ] {
            let err = SmtpSettings::from_url(bad, env_for(bad))
                .unwrap_err()
                .to_string();
            assert!(err.contains(says), "{bad}: {err}");
        }
    }

    fn env_for(url: &str) -> impl Fn(&str) -> Option<String> {
        // The plain-auth case needs a password to get past the missing one.
        let with = url == "smtp://user@mail.example.org";
        move |k: &str| (with && k == PASSWORD_ENV).then(|| "pw".to_string())
    }

    #[test]
    fn config_needs_a_host_and_the_password_from_the_environment() {
        let mut c = SmtpConfig::default();
        assert!(matches!(
            SmtpSettings::from_config(&c, no_env),
            Err(DeliveryError::NoServer)
        ));
        c.host = "mail.example.org".into();
        c.username = "kabar".into();
        assert!(matches!(
            SmtpSettings::from_config(&c, no_env),
            Err(DeliveryError::MissingPassword(_))
        ));
        let env = |k: &str| (k == PASSWORD_ENV).then(|| "pw".to_string());
        let s = SmtpSettings::from_config(&c, env).unwrap();
        assert_eq!(s.password.as_deref(), Some("pw"));
        // Loopback relays may authenticate in the clear.
        c.host = "127.0.0.1".into();
        c.security = SmtpSecurity::Plain;
        assert!(SmtpSettings::from_config(&c, env).is_ok());
    }

    #[test]
    fn overrides_pick_flags_over_the_config() {
        let c = SmtpConfig {
            host: "mail.example.org".into(),
            ..Default::default()
        };
        let o = DeliveryOverrides {
            smtp_url: Some("smtp://127.0.0.1:2525".into()),
            to: vec!["a@example.org".into(), "b@example.org".into()],
        };
        assert_eq!(o.settings(&c, no_env).unwrap().port, 2525);
        assert_eq!(o.recipients(&["x@example.org".into()]).unwrap().len(), 2);
        let none = DeliveryOverrides::default();
        assert_eq!(none.settings(&c, no_env).unwrap().host, "mail.example.org");
        assert_eq!(none.recipients(&["x@example.org".into()]).unwrap().len(), 1);
        assert!(matches!(
            none.recipients(&[]),
            Err(DeliveryError::NoRecipients)
        ));
        assert!(matches!(
            parse_recipients(&["nobody".into()]),
            Err(DeliveryError::BadAddress(_))
        ));
    }

    #[test]
    fn message_ids_are_stable_per_profile_and_day() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let a = message_id("sea-daily", d, "example.org", 0);
        assert_eq!(a, message_id("sea-daily", d, "example.org", 0));
        assert!(
            a.starts_with("<kabar.digest.2026-11-22.sea-daily.") && a.ends_with("@example.org>")
        );
        assert_ne!(
            a,
            message_id("sea-daily", d.succ_opt().unwrap(), "example.org", 0)
        );
        assert_ne!(a, message_id("nea-daily", d, "example.org", 0));
        assert_ne!(a, message_id("sea-daily", d, "example.org", 1));
    }
}
