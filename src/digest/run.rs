//! From configuration to a digest in someone's inbox: picks the profile and
//! the day, gathers what [`super::compose`] needs (index, crawl state,
//! catalog, concept packs), and hands the rendered message to the outbox.
//! `kabar digest` and the daemon's daily send both come through here.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

use super::compose::{ComposeInput, Digest, Scope, compose};
use super::deliver::{DeliveryError, DeliveryOverrides, DigestEmail, InlineImage, Mailer};
use super::outbox::{Enqueued, FlushReport, Outbox, OutboxError};
use super::render;
use super::watch::WatchProblem;
use crate::config::{Config, DigestProfile};
use crate::index::{ArticleIndex, IndexError};
use crate::query::QueryError;
use crate::sources::{Catalog, CatalogLoadError};
use crate::spikes::SpikeParams;
use crate::state::{CrawlState, StateError};
use crate::watchlist::WatchlistStore;

#[derive(Debug, thiserror::Error)]
pub enum DigestError {
    #[error("no digest profile named '{0}' in the configuration ([[digest.profiles]]); known: {1}")]
    NoProfile(String, String),
    #[error("time zone '{0}' is not an IANA zone name (e.g. Asia/Singapore)")]
    TimeZone(String),
    #[error("date '{0}' is not YYYY-MM-DD")]
    Date(String),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error(transparent)]
    State(#[from] StateError),
    #[error(transparent)]
    Catalog(#[from] CatalogLoadError),
    #[error(transparent)]
    Delivery(#[from] DeliveryError),
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    #[error("the concept packs: {0}")]
    Packs(String),
}

/// The profile named `name`, the first configured one, or (none
/// configured) one that covers everything in the display time zone.
pub fn profile(config: &Config, name: Option<&str>) -> Result<DigestProfile, DigestError> {
    let profiles = &config.digest.profiles;
    match name {
        Some(n) => profiles
            .iter()
            .find(|p| p.name == n)
            .cloned()
            .ok_or_else(|| {
                let known: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
                DigestError::NoProfile(
                    n.to_string(),
                    if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(", ")
                    },
                )
            }),
        None => Ok(profiles.first().cloned().unwrap_or_else(|| DigestProfile {
            name: "all".into(),
            timezone: config.display.timezone.clone(),
            ..Default::default()
        })),
    }
}

pub fn timezone(profile: &DigestProfile) -> Result<chrono_tz::Tz, DigestError> {
    profile
        .timezone
        .parse()
        .map_err(|_| DigestError::TimeZone(profile.timezone.clone()))
}

/// `--date`, or yesterday in the profile's zone.
pub fn date(
    given: Option<&str>,
    tz: &chrono_tz::Tz,
    now: DateTime<Utc>,
) -> Result<NaiveDate, DigestError> {
    match given {
        Some(d) => NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d")
            .map_err(|_| DigestError::Date(d.to_string())),
        None => Ok(now.with_timezone(tz).date_naive() - Duration::days(1)),
    }
}

/// Builds the digest of `date` for `profile`, and the topic names for its
/// headings.
pub fn build(
    config: &Config,
    profile: &DigestProfile,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<(Digest, BTreeMap<String, String>), DigestError> {
    let index = ArticleIndex::open(&config.tantivy_dir())?;
    // Only the topic names are needed: the concept packs, not the
    // sentiment model.
    let names = crate::analyze::article::load_topics(&config.topics_dir)
        .map_err(|e| DigestError::Packs(e.to_string()))?
        .names();
    let digest = build_from(config, &index, &names, profile, date, now)?;
    Ok((digest, names))
}

/// Builds the digest from an index that is already open, with the topic
/// names already loaded: what `kabar serve` does for every preview.
pub fn build_from(
    config: &Config,
    index: &ArticleIndex,
    names: &BTreeMap<String, String>,
    profile: &DigestProfile,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Digest, DigestError> {
    let tz = timezone(profile)?;
    // Coverage health needs the catalog; a digest still goes out without it.
    let health = match Catalog::load(&config.sources_dir) {
        Ok(catalog) => {
            let sources: Vec<(String, Vec<String>)> = catalog
                .enabled()
                .map(|s| {
                    (
                        s.id.clone(),
                        s.endpoints().iter().map(|e| e.url().to_string()).collect(),
                    )
                })
                .collect();
            let regions: BTreeMap<&str, String> = catalog
                .enabled()
                .map(|s| (s.id.as_str(), s.region.to_string()))
                .collect();
            let state = if config.state_path().exists() {
                CrawlState::open(&config.state_path())?
            } else {
                CrawlState::in_memory()?
            };
            state
                .health(&sources, now)?
                .into_iter()
                .map(|h| {
                    let region = regions.get(h.source.as_str()).cloned().unwrap_or_default();
                    (h, region)
                })
                .collect()
        }
        Err(e) => {
            tracing::warn!("digest without coverage health: {e}");
            Vec::new()
        }
    };
    // Watchlists: a broken file is reported in the digest, not fatal to it.
    let (watchlists, file_problem) = match WatchlistStore::new(&config.watchlists_path()).list() {
        Ok(list) => (list, None),
        Err(e) => (
            Vec::new(),
            Some(WatchProblem {
                name: config.watchlists_path().display().to_string(),
                error: e.to_string(),
            }),
        ),
    };
    let mut digest = compose(
        index,
        &ComposeInput {
            date,
            tz,
            scope: Scope {
                profile: profile.name.clone(),
                regions: profile.regions.iter().map(|r| r.to_string()).collect(),
                countries: profile.countries.clone(),
                topics: profile.topics.clone(),
                languages: profile.languages.clone(),
            },
            health,
            params: SpikeParams::default(),
            now,
            topic_names: names,
            watchlists: &watchlists,
            web_url: &web_url(config),
        },
    )?;
    digest.watchlist_problems.extend(file_problem);
    Ok(digest)
}

/// Where links in the digest point: `digest.web_url`, else the address
/// `kabar serve` listens on.
pub fn web_url(config: &Config) -> String {
    let configured = config.digest.web_url.trim();
    if configured.is_empty() {
        format!("http://{}", config.web.addr)
    } else {
        configured.trim_end_matches('/').to_string()
    }
}

/// The email of a digest: subject, text, HTML with its charts.
pub fn email(
    config: &Config,
    digest: &Digest,
    names: &BTreeMap<String, String>,
    to: Vec<lettre::message::Mailbox>,
    now: DateTime<Utc>,
) -> Result<DigestEmail, DigestError> {
    let (html, charts) = render::html(digest, names);
    Ok(DigestEmail {
        profile: digest.profile.clone(),
        date: digest.date,
        from: config
            .smtp
            .from
            .parse()
            .map_err(|_| DeliveryError::BadAddress(config.smtp.from.clone()))?,
        to,
        subject: render::subject(digest),
        text: render::text(digest, names),
        html,
        images: charts
            .into_iter()
            .map(|c| InlineImage {
                content_id: c.content_id,
                png: c.png,
            })
            .collect(),
        sent: now.into(),
        resend: 0,
    })
}

/// What sending did.
#[derive(Debug)]
pub struct SendReport {
    pub enqueued: Enqueued,
    pub flush: Option<FlushReport>,
}

/// Puts the digest in the outbox, then tries to send everything due. A
/// server that is down leaves it in the outbox for the next run.
pub fn send(
    config: &Config,
    digest: &Digest,
    names: &BTreeMap<String, String>,
    profile: &DigestProfile,
    overrides: &DeliveryOverrides,
    now: DateTime<Utc>,
) -> Result<SendReport, DigestError> {
    let env = |k: &str| std::env::var(k).ok();
    let settings = overrides.settings(&config.smtp, env)?;
    let to = overrides.recipients(&profile.recipients)?;
    let outgoing = email(config, digest, names, to, now)?.compose()?;
    let outbox = Outbox::open(config.outbox_dir())?;
    let enqueued = outbox.enqueue(&outgoing, now)?;
    let mailer = Mailer::new(&settings)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| DigestError::Delivery(DeliveryError::Transport(e.to_string())))?;
    // A send is a run of its own: everything pending goes now, backoff or
    // not, so a digest the server refused earlier waits no longer than this.
    let flush = runtime.block_on(outbox.flush_all(&mailer, now))?;
    Ok(SendReport {
        enqueued,
        flush: Some(flush),
    })
}

/// For the daemon: the profiles whose send time has passed today (local)
/// and whose digest of yesterday is not in the sent-log or the outbox.
pub fn due_profiles(config: &Config, now: DateTime<Utc>) -> Vec<(DigestProfile, NaiveDate)> {
    let Ok(outbox) = Outbox::open(config.outbox_dir()) else {
        return Vec::new();
    };
    config
        .digest
        .profiles
        .iter()
        .filter_map(|p| {
            let tz = timezone(p).ok()?;
            let local = now.with_timezone(&tz);
            let at = NaiveTime::parse_from_str(&p.send_at, "%H:%M").ok()?;
            if local.time() < at {
                return None;
            }
            let day = local.date_naive() - Duration::days(1);
            let sent = outbox.sent_record(&p.name, day).ok().flatten().is_some();
            let queued = outbox
                .pending()
                .ok()
                .is_some_and(|q| q.iter().any(|(_, s)| s.profile == p.name && s.date == day));
            (!sent && !queued).then(|| (p.clone(), day))
        })
        .collect()
}

/// The daemon's daily duty, run after every crawl cycle: build and queue the
/// digest of each profile whose send time has passed, then send whatever
/// the outbox holds that is due (including digests a server refused
/// before). Returns one line per event for the log; errors are lines too,
/// so a mail problem never stops the crawl.
pub fn daemon_tick(config: &Config, now: DateTime<Utc>) -> Vec<String> {
    let mut log = Vec::new();
    if config.digest.profiles.is_empty() || config.smtp.host.is_empty() {
        return log;
    }
    let overrides = DeliveryOverrides::default();
    for (profile, day) in due_profiles(config, now) {
        let result = build(config, &profile, day, now)
            .and_then(|(digest, names)| send(config, &digest, &names, &profile, &overrides, now));
        match result {
            Ok(report) => {
                for key in report.flush.iter().flat_map(|f| &f.sent) {
                    log.push(format!("digest sent: {key}"));
                }
                for (key, error, next) in report.flush.iter().flat_map(|f| &f.failed) {
                    log.push(format!(
                        "digest {key} not sent ({error}); retrying after {next}"
                    ));
                }
            }
            Err(e) => log.push(format!("digest {} of {day} not built: {e}", profile.name)),
        }
    }
    // Retries of anything still waiting.
    let retry = || -> Result<FlushReport, DigestError> {
        let settings = overrides.settings(&config.smtp, |k| std::env::var(k).ok())?;
        let mailer = Mailer::new(&settings)?;
        let outbox = Outbox::open(config.outbox_dir())?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| DigestError::Delivery(DeliveryError::Transport(e.to_string())))?;
        Ok(runtime.block_on(outbox.flush(&mailer, now))?)
    };
    match retry() {
        Ok(f) => {
            log.extend(f.sent.iter().map(|k| format!("digest sent: {k}")));
            log.extend(
                f.held
                    .iter()
                    .map(|k| format!("digest {k} refused for good: see outbox/held")),
            );
        }
        Err(e) => log.push(format!("outbox not flushed: {e}")),
    }
    log
}
