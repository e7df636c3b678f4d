//! Configuration: `kabar.toml`, environment and flags, validated once.
//!
//! Precedence is defaults < file < environment < flags. The file is
//! `--config FILE` (or `KABAR_CONFIG`), else `kabar.toml` in the working
//! folder when present. Unknown keys are refused with the line they are on,
//! so a typo never silently falls back to a default. `kabar.example.toml` at
//! the top of the repository documents every key and a test keeps it complete.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The data folder when neither config nor flags name one.
pub const DEFAULT_DATA_DIR: &str = "index";
/// The catalog folder when neither config nor flags name one.
pub const DEFAULT_SOURCES_DIR: &str = "sources";
/// The topic pack folder when neither config nor flags name one.
pub const DEFAULT_TOPICS_DIR: &str = "topics";
/// The config file looked for in the working folder.
pub const DEFAULT_CONFIG_FILE: &str = "kabar.toml";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where the index, crawl state and archive live.
    pub data_dir: PathBuf,
    /// The source catalog folder.
    pub sources_dir: PathBuf,
    /// The topic pack folder (concept packs and entities).
    pub topics_dir: PathBuf,
    pub crawl: CrawlConfig,
    pub archive: ArchiveConfig,
    pub display: DisplayConfig,
    pub smtp: SmtpConfig,
    pub digest: DigestConfig,
    pub web: WebConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ArchiveConfig {
    /// Keep every fetched response in WARC files under `<data>/archive`.
    pub enabled: bool,
    /// Start a new WARC file past this size.
    pub max_file_bytes: u64,
}

impl Default for ArchiveConfig {
    fn default() -> Self {
        ArchiveConfig {
            enabled: true,
            max_file_bytes: crate::archive::DEFAULT_MAX_FILE_BYTES,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            sources_dir: PathBuf::from(DEFAULT_SOURCES_DIR),
            topics_dir: PathBuf::from(DEFAULT_TOPICS_DIR),
            crawl: CrawlConfig::default(),
            archive: ArchiveConfig::default(),
            display: DisplayConfig::default(),
            smtp: SmtpConfig::default(),
            digest: DigestConfig::default(),
            web: WebConfig::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrawlConfig {
    /// Product token sent as the User-Agent.
    pub user_agent: String,
    /// Where site owners can reach whoever runs this crawler; appended to the User-Agent.
    pub contact_url: String,
    /// Requests in flight across all hosts.
    pub concurrency: usize,
    /// Requests in flight against one host.
    pub per_host_concurrency: usize,
    /// Minimum time between two request starts on one host, in milliseconds.
    pub per_host_interval_ms: u64,
    pub connect_timeout_secs: u64,
    /// Total time for one request, body included.
    pub timeout_secs: u64,
    pub max_redirects: usize,
    /// Largest body accepted, after decompression.
    pub max_body_bytes: u64,
    /// Newest items taken from one feed per poll.
    pub max_items_per_feed: usize,
    /// Articles with less main text than this (in characters) are not indexed.
    pub min_text_chars: usize,
    /// Commit the index after this many new articles (and at the end).
    pub commit_every: usize,
    /// Allow requests to private, loopback and link-local addresses.
    pub allow_private: bool,
    /// Obey robots.txt (Disallow and Crawl-delay).
    pub respect_robots: bool,
    /// Extra attempts after a transient failure (timeout, network, 5xx).
    pub max_retries: u32,
    /// First backoff between attempts, doubled each time, with jitter.
    pub retry_base_ms: u64,
    /// Longest Retry-After (429/503) the crawler waits out; longer ones fail
    /// the host's requests for this run as `rate_limited`.
    pub max_retry_after_secs: u64,
    /// Shortest time between two polls of one feed (the daemon adapts each
    /// feed's interval to how often it publishes, within these bounds).
    pub min_poll_interval_secs: u64,
    /// Longest time between two polls of one feed.
    pub max_poll_interval_secs: u64,
    /// Interval of a feed polled for the first time.
    pub initial_poll_interval_secs: u64,
    /// Fixed addresses for host names, like curl's --resolve
    /// (`"news.test" = "127.0.0.1:8080"`). Still subject to `allow_private`.
    pub resolve: std::collections::BTreeMap<String, String>,
}

impl Default for CrawlConfig {
    fn default() -> Self {
        CrawlConfig {
            user_agent: format!("kabar/{}", env!("CARGO_PKG_VERSION")),
            contact_url: "https://github.com/kabar-news/kabar".to_string(),
            concurrency: 32,
            per_host_concurrency: 2,
            per_host_interval_ms: 1000,
            connect_timeout_secs: 10,
            timeout_secs: 30,
            max_redirects: 5,
            max_body_bytes: 5 * 1024 * 1024,
            max_items_per_feed: 100,
            min_text_chars: 80,
            commit_every: 200,
            allow_private: false,
            respect_robots: true,
            max_retries: 2,
            retry_base_ms: 500,
            max_retry_after_secs: 120,
            min_poll_interval_secs: 300,
            max_poll_interval_secs: 86_400,
            initial_poll_interval_secs: 1800,
            resolve: Default::default(),
        }
    }
}

impl CrawlConfig {
    /// Polling interval bounds for the crawl state's scheduler.
    pub fn schedule_bounds(&self) -> crate::state::ScheduleBounds {
        let secs = |s: u64| chrono::Duration::seconds(s.min(i64::MAX as u64) as i64);
        crate::state::ScheduleBounds {
            min: secs(self.min_poll_interval_secs),
            max: secs(self.max_poll_interval_secs.max(self.min_poll_interval_secs)),
            initial: secs(self.initial_poll_interval_secs),
        }
    }

    /// The User-Agent header: product token plus contact URL.
    pub fn user_agent(&self) -> String {
        if self.contact_url.is_empty() {
            self.user_agent.clone()
        } else {
            format!("{} (+{})", self.user_agent, self.contact_url)
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DisplayConfig {
    /// IANA time zone that dates are shown in. Stored times are always UTC.
    pub timezone: String,
}

impl Default for DisplayConfig {
    fn default() -> Self {
        DisplayConfig {
            timezone: "Asia/Singapore".to_string(),
        }
    }
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpSecurity {
    /// TLS from the first byte ("smtps", usually port 465).
    Tls,
    /// Plain connection upgraded with STARTTLS, which is required (usually 587).
    Starttls,
    /// No encryption: only for a relay on the same machine or network.
    Plain,
}

impl SmtpSecurity {
    pub fn as_str(self) -> &'static str {
        match self {
            SmtpSecurity::Tls => "tls",
            SmtpSecurity::Starttls => "starttls",
            SmtpSecurity::Plain => "plain",
        }
    }

    /// The port a server with this security usually listens on.
    pub fn default_port(self) -> u16 {
        match self {
            SmtpSecurity::Tls => 465,
            SmtpSecurity::Starttls => 587,
            SmtpSecurity::Plain => 25,
        }
    }
}

/// The SMTP server digests are sent through. The password is never in the
/// file: it comes from `KABAR_SMTP_PASSWORD` (see `digest::deliver`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    /// Server host name; empty means no server is configured.
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// Login name; empty means no authentication.
    pub username: String,
    /// The From address of the digest (`Name <address>` or `address`).
    pub from: String,
    /// Connect and per-command timeout.
    pub timeout_secs: u64,
    /// Extra PEM root certificates for a server with a private CA; empty for none.
    pub ca_file: String,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: String::new(),
            port: SmtpSecurity::Starttls.default_port(),
            security: SmtpSecurity::Starttls,
            username: String::new(),
            from: "kabar <kabar@localhost>".to_string(),
            timeout_secs: 30,
            ca_file: String::new(),
        }
    }
}

/// `kabar serve`: the search page and the JSON API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebConfig {
    /// Address to listen on; `--addr` overrides it.
    pub addr: String,
    /// Shared secret the page and the API require (as `Authorization:
    /// Bearer`, or a cookie set by `/login?token=`). Empty: none, which is
    /// only allowed on a loopback address. `KABAR_WEB_TOKEN` overrides it.
    pub token: String,
    /// Requests per second one client IP may make, on average.
    pub rate_per_sec: f64,
    /// Requests one client IP may make in a burst.
    pub rate_burst: u32,
    /// Most hits per page of the page and the API.
    pub max_page_size: usize,
    /// Most articles one export from the page or the API writes.
    pub max_export_rows: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            addr: "127.0.0.1:8080".to_string(),
            token: String::new(),
            rate_per_sec: 20.0,
            rate_burst: 120,
            max_page_size: 100,
            max_export_rows: 100_000,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DigestConfig {
    /// kabar's web page as the recipients reach it; links in the digest
    /// (a watchlist's search) point there. Empty: `http://` + `web.addr`.
    pub web_url: String,
    /// One digest per profile per day.
    pub profiles: Vec<DigestProfile>,
}

/// Who gets which digest, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DigestProfile {
    /// Lowercase ASCII letters, digits, `-` and `_`; names the outbox files.
    pub name: String,
    pub recipients: Vec<String>,
    /// Empty lists mean "all".
    pub regions: Vec<crate::model::Region>,
    /// ISO 3166-1 alpha-2.
    pub countries: Vec<String>,
    pub topics: Vec<String>,
    /// ISO 639-1 (and `zh-Hans`, `zh-Hant`).
    pub languages: Vec<String>,
    /// Local time the digest is sent, `HH:MM`.
    pub send_at: String,
    /// IANA time zone of `send_at` and of the digest's day.
    pub timezone: String,
}

impl Default for DigestProfile {
    fn default() -> Self {
        DigestProfile {
            name: String::new(),
            recipients: Vec::new(),
            regions: Vec::new(),
            countries: Vec::new(),
            topics: Vec::new(),
            languages: Vec::new(),
            send_at: "07:30".to_string(),
            timezone: "Asia/Singapore".to_string(),
        }
    }
}

impl DigestProfile {
    /// `send_at` as a time of day (validated at load).
    pub fn send_at_time(&self) -> Option<chrono::NaiveTime> {
        chrono::NaiveTime::parse_from_str(&self.send_at, "%H:%M").ok()
    }

    /// The profile's time zone (validated at load).
    pub fn tz(&self) -> chrono_tz::Tz {
        self.timezone.parse().unwrap_or(chrono_tz::Asia::Singapore)
    }

    fn validate(&self, i: usize) -> Result<(), ConfigError> {
        let at = |msg: String| ConfigError::Invalid(format!("digest.profiles[{i}]: {msg}"));
        let name_ok = !self.name.is_empty()
            && self.name.len() <= 64
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !name_ok {
            return Err(at(format!(
                "name '{}' must be 1-64 lowercase letters, digits, '-' or '_'",
                self.name
            )));
        }
        if self.recipients.is_empty() {
            return Err(at(format!("profile '{}' has no recipients", self.name)));
        }
        for r in &self.recipients {
            if r.parse::<lettre::message::Mailbox>().is_err() {
                return Err(at(format!("recipient '{r}' is not an email address")));
            }
        }
        for c in &self.countries {
            if !crate::sources::countries::is_known(c) {
                return Err(at(format!(
                    "unknown country '{c}' (ISO 3166-1 alpha-2, e.g. TH)"
                )));
            }
        }
        for l in &self.languages {
            if !crate::sources::langs::is_known(l) {
                return Err(at(format!("unknown language '{l}' (ISO 639-1, e.g. th)")));
            }
        }
        if self.send_at_time().is_none() {
            return Err(at(format!(
                "send_at '{}' is not a time HH:MM",
                self.send_at
            )));
        }
        if self.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(at(format!(
                "timezone '{}' is not an IANA time zone (for example Asia/Singapore)",
                self.timezone
            )));
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("config: {0}")]
    Invalid(String),
}

/// Values from the environment and flags that override the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub data_dir: Option<PathBuf>,
    pub sources_dir: Option<PathBuf>,
    pub topics_dir: Option<PathBuf>,
}

impl Config {
    /// Loads the config: `explicit` if given (it must exist), else
    /// `kabar.toml` in the working folder if present, else defaults; then
    /// applies `overrides` and validates.
    pub fn load(explicit: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
        let mut config = match explicit {
            Some(path) => Self::from_file(path)?,
            None if Path::new(DEFAULT_CONFIG_FILE).is_file() => {
                Self::from_file(Path::new(DEFAULT_CONFIG_FILE))?
            }
            None => Config::default(),
        };
        if let Some(d) = &overrides.data_dir {
            config.data_dir = d.clone();
        }
        if let Some(s) = &overrides.sources_dir {
            config.sources_dir = s.clone();
        }
        if let Some(t) = &overrides.topics_dir {
            config.topics_dir = t.clone();
        }
        config.validate()?;
        Ok(config)
    }

    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_toml(&text).map_err(|(line, message)| ConfigError::Parse {
            path: path.to_path_buf(),
            line,
            message,
        })
    }

    /// Parses TOML text; the error carries the 1-based line.
    pub fn from_toml(text: &str) -> Result<Config, (usize, String)> {
        toml::from_str(text).map_err(|e: toml::de::Error| {
            let line = e
                .span()
                .map(|s| text[..s.start.min(text.len())].matches('\n').count() + 1)
                .unwrap_or(0);
            (
                line,
                e.message()
                    .lines()
                    .next()
                    .unwrap_or("invalid TOML")
                    .to_string(),
            )
        })
    }

    pub fn validate(&self) -> Result<(), ConfigError> {
        let c = &self.crawl;
        let positive = [
            ("crawl.concurrency", c.concurrency as u64),
            ("crawl.per_host_concurrency", c.per_host_concurrency as u64),
            ("crawl.connect_timeout_secs", c.connect_timeout_secs),
            ("crawl.timeout_secs", c.timeout_secs),
            ("crawl.max_body_bytes", c.max_body_bytes),
            ("crawl.max_items_per_feed", c.max_items_per_feed as u64),
            ("crawl.commit_every", c.commit_every as u64),
        ];
        for (key, value) in positive {
            if value == 0 {
                return Err(ConfigError::Invalid(format!(
                    "{key} must be greater than 0"
                )));
            }
        }
        if c.user_agent.trim().is_empty() {
            return Err(ConfigError::Invalid(
                "crawl.user_agent must not be empty".into(),
            ));
        }
        let w = &self.web;
        if w.addr.parse::<std::net::SocketAddr>().is_err() {
            return Err(ConfigError::Invalid(format!(
                "web.addr '{}' is not an IP address with a port (for example 127.0.0.1:8080)",
                w.addr
            )));
        }
        if w.rate_per_sec.is_nan() || w.rate_per_sec <= 0.0 || w.rate_burst == 0 {
            return Err(ConfigError::Invalid(
                "web.rate_per_sec and web.rate_burst must be greater than 0".into(),
            ));
        }
        if w.max_page_size == 0 || w.max_export_rows == 0 {
            return Err(ConfigError::Invalid(
                "web.max_page_size and web.max_export_rows must be greater than 0".into(),
            ));
        }
        if self.display.timezone.parse::<chrono_tz::Tz>().is_err() {
            return Err(ConfigError::Invalid(format!(
                "display.timezone '{}' is not an IANA time zone (for example Asia/Singapore)",
                self.display.timezone
            )));
        }
        if !self.smtp.host.is_empty() {
            if self.smtp.from.parse::<lettre::message::Mailbox>().is_err() {
                return Err(ConfigError::Invalid(format!(
                    "smtp.from '{}' is not an email address (e.g. \"kabar <digest@example.org>\")",
                    self.smtp.from
                )));
            }
            if self.smtp.timeout_secs == 0 {
                return Err(ConfigError::Invalid(
                    "smtp.timeout_secs must be greater than 0".into(),
                ));
            }
        }
        let web_url = self.digest.web_url.trim();
        let is_http = web_url.starts_with("http://") || web_url.starts_with("https://");
        if !web_url.is_empty() && !is_http {
            return Err(ConfigError::Invalid(format!(
                "digest.web_url '{web_url}' must be an http:// or https:// address (for example https://kabar.example.org)"
            )));
        }
        let mut names = std::collections::BTreeSet::new();
        for (i, profile) in self.digest.profiles.iter().enumerate() {
            profile.validate(i)?;
            if !names.insert(profile.name.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "digest.profiles[{i}]: the name '{}' is used twice",
                    profile.name
                )));
            }
        }
        Ok(())
    }

    /// A digest profile by name.
    pub fn profile(&self, name: &str) -> Option<&DigestProfile> {
        self.digest.profiles.iter().find(|p| p.name == name)
    }

    /// Where digests that could not be sent wait (see `digest::outbox`).
    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }

    /// The display time zone (validated at load).
    pub fn timezone(&self) -> chrono_tz::Tz {
        self.display
            .timezone
            .parse()
            .unwrap_or(chrono_tz::Asia::Singapore)
    }

    pub fn tantivy_dir(&self) -> PathBuf {
        self.data_dir.join("tantivy")
    }

    pub fn archive_dir(&self) -> PathBuf {
        self.data_dir.join("archive")
    }

    pub fn state_path(&self) -> PathBuf {
        self.data_dir.join("state.sqlite")
    }

    /// Saved searches of the web page (see [`crate::watchlist`]).
    pub fn watchlists_path(&self) -> PathBuf {
        self.data_dir.join("watchlists.toml")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_keys_are_refused_with_their_line() {
        let err = Config::from_toml("[crawl]\nconcurrency = 4\nconcurency = 5\n").unwrap_err();
        assert_eq!(err.0, 3);
        assert!(err.1.contains("concurency"), "{}", err.1);
    }

    #[test]
    fn the_example_config_sets_every_key_and_parses() {
        let text = include_str!("../kabar.example.toml");
        let example = Config::from_toml(text).expect("example parses");
        example.validate().unwrap();
        // Every key of the full config must appear in the example.
        let full = toml::to_string(&Config::default()).unwrap();
        let example_table: toml::Table = toml::from_str(text).unwrap();
        let full_table: toml::Table = toml::from_str(&full).unwrap();
        fn keys(t: &toml::Table, prefix: &str, out: &mut Vec<String>) {
            for (k, v) in t {
                let key = format!("{prefix}{k}");
                match v {
                    toml::Value::Table(inner) => keys(inner, &format!("{key}."), out),
                    _ => out.push(key),
                }
            }
        }
        let (mut a, mut b) = (Vec::new(), Vec::new());
        keys(&full_table, "", &mut a);
        keys(&example_table, "", &mut b);
        a.sort();
        b.sort();
        assert_eq!(a, b, "kabar.example.toml must list every config key");
    }

    #[test]
    fn overrides_beat_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.toml");
        std::fs::write(
            &path,
            "data_dir = \"from-file\"\n[crawl]\nconcurrency = 3\n",
        )
        .unwrap();
        let c = Config::load(Some(&path), &Overrides::default()).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("from-file"));
        assert_eq!(c.crawl.concurrency, 3);
        let c = Config::load(
            Some(&path),
            &Overrides {
                data_dir: Some("from-flag".into()),
                ..Overrides::default()
            },
        )
        .unwrap();
        assert_eq!(c.data_dir, PathBuf::from("from-flag"));
    }

    #[test]
    fn profiles_and_smtp_parse_and_bad_ones_are_named() {
        let text = r#"
[smtp]
host = "mail.example.org"
security = "tls"
port = 465
from = "kabar <digest@example.org>"

[[digest.profiles]]
name = "sea-daily"
recipients = ["a@example.org", "B <b@example.org>"]
regions = ["sea"]
countries = ["TH", "ID"]
languages = ["th"]
send_at = "06:45"
timezone = "Asia/Bangkok"
"#;
        let c = Config::from_toml(text).unwrap();
        c.validate().unwrap();
        assert_eq!(c.smtp.security, SmtpSecurity::Tls);
        let p = c.profile("sea-daily").unwrap();
        assert_eq!(p.regions, vec![crate::model::Region::Sea]);
        assert_eq!(p.send_at_time().unwrap().to_string(), "06:45:00");
        assert_eq!(p.tz(), chrono_tz::Asia::Bangkok);

        for (bad, named) in [
            (r#"send_at = "7h30""#, "7h30"),
            (r#"timezone = "Asia/Nowhere""#, "Asia/Nowhere"),
            (r#"countries = ["XX"]"#, "XX"),
            (r#"recipients = ["not an address"]"#, "not an address"),
        ] {
            let text = format!(
                "[[digest.profiles]]\nname = \"p\"\nrecipients = [\"a@example.org\"]\n{bad}\n"
            );
            let text = text.replacen(
                "recipients = [\"a@example.org\"]\nrecipients",
                "recipients",
                1,
            );
            let err = Config::from_toml(&text).unwrap().validate().unwrap_err();
            assert!(err.to_string().contains(named), "{err}");
        }
        let twice = "[[digest.profiles]]\nname = \"p\"\nrecipients = [\"a@x.org\"]\n[[digest.profiles]]\nname = \"p\"\nrecipients = [\"a@x.org\"]\n";
        assert!(
            Config::from_toml(twice)
                .unwrap()
                .validate()
                .unwrap_err()
                .to_string()
                .contains("twice")
        );
        let err = Config::from_toml("[smtp]\npassword = \"hunter2\"\n").unwrap_err();
        assert!(err.1.contains("password"), "{}", err.1);
        let err = Config::from_toml("[smtp]\nsecurity = \"ssl\"\n").unwrap_err();
        assert!(err.1.contains("ssl"), "{}", err.1);
    }

    #[test]
    fn bad_values_are_named() {
        let mut c = Config::default();
        c.display.timezone = "Mars/Olympus".into();
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("Mars/Olympus")
        );
    }
}
