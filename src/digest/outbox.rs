//! The outbox: digests wait here until the SMTP server has accepted them.
//!
//! Every digest goes through the outbox, sent or not: `enqueue` writes it,
//! `flush` sends what is due. A digest that cannot be sent stays, and is
//! retried with exponential backoff ([`RetryPolicy`]) and, at the latest,
//! by the first flush of the next run ([`Outbox::flush_all`] ignores the
//! backoff). Layout of `<data>/outbox/`:
//!
//! ```text
//! KEY.eml            the composed message, exactly the bytes that are sent
//! KEY.json           sidecar: profile, date, Message-ID, envelope, attempts,
//!                    next attempt, last error
//! KEY.json.sending   the sidecar while one flush is sending it (a claim)
//! sent/KEY.json      the sent-log: one record per profile and date
//! held/KEY.*         given up after repeated permanent (5xx) failures; kept
//!                    for a person to look at, reported by every flush
//! ```
//!
//! `KEY` is `DATE.PROFILE` (plus `.rN` for the N-th forced resend).
//!
//! **Never lost.** Files are written to a temporary name, synced, then
//! renamed into place, and the folder synced: after a crash a file is there
//! whole or not at all. The message is written before its sidecar, and only
//! a sidecar makes a message pending, so a half-written enqueue is never
//! sent (and `enqueue` reports the error to its caller, which still has
//! the digest). Nothing is deleted before the sent record is on disk.
//!
//! **Never sent twice.** `enqueue` refuses a profile and date that the
//! sent-log already holds (unless forced, which gets a new Message-ID) or
//! that is already pending. A flush *claims* a message by renaming its
//! sidecar to `.sending`: a rename succeeds for one process only, so a
//! daemon and a manual `kabar digest --send` never both send it. After the
//! server's 250 reply, the sent record is written (synced) *before* the
//! message and its claim are deleted; a crash after the record only leaves
//! files the next flush deletes unsent.
//!
//! **The one window.** A crash (power loss, SIGKILL) after the server
//! accepted the message and before the sent record reached the disk cannot
//! be told apart from a crash just before sending: no local write can be
//! atomic with a remote reply. The claim is left behind; once older than
//! [`STALE_CLAIM`] (far longer than an SMTP exchange, so the sender is
//! surely gone) the next flush sends the message again, and reports it in
//! [`FlushReport::recovered`]. kabar chooses at-least-once here: a digest
//! silently lost is worse for an analyst than one duplicate, the window is a
//! few milliseconds, and the resend carries the *same bytes and
//! Message-ID*, which lets mail systems that de-duplicate by Message-ID
//! (Gmail does) drop the copy.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::deliver::{Deliver, Outgoing};

/// A claim older than this belongs to a flush that died.
pub const STALE_CLAIM: Duration = Duration::from_secs(15 * 60);

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("outbox {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("outbox {path}: unreadable sidecar: {reason}")]
    Sidecar { path: PathBuf, reason: String },
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> OutboxError + '_ {
    move |source| OutboxError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// When to try again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Wait after the first failure; doubled after each further one.
    pub base: Duration,
    /// Longest wait between two attempts.
    pub max: Duration,
    /// Permanent (5xx) failures before the message is moved to `held/`.
    pub max_permanent_failures: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_secs(60),
            max: Duration::from_secs(3600),
            max_permanent_failures: 3,
        }
    }
}

impl RetryPolicy {
    /// The wait after `attempts` failed attempts (1 → base).
    pub fn backoff(&self, attempts: u32) -> Duration {
        let factor = 1u32 << attempts.saturating_sub(1).min(20);
        self.base.saturating_mul(factor).min(self.max)
    }
}

/// A pending message's sidecar.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sidecar {
    pub profile: String,
    pub date: NaiveDate,
    pub message_id: String,
    pub resend: u32,
    pub from: String,
    pub to: Vec<String>,
    pub created: DateTime<Utc>,
    pub attempts: u32,
    pub permanent_failures: u32,
    pub next_attempt: DateTime<Utc>,
    pub last_error: Option<String>,
}

/// A line of the sent-log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentRecord {
    pub profile: String,
    pub date: NaiveDate,
    pub message_id: String,
    pub to: Vec<String>,
    pub sent_at: DateTime<Utc>,
    pub attempts: u32,
}

/// What `enqueue` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enqueued {
    Queued,
    /// The sent-log has this profile and date: not queued.
    AlreadySent(SentRecord),
    /// Already waiting in the outbox: not queued again.
    AlreadyQueued,
}

/// What one flush did, per message key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FlushReport {
    pub sent: Vec<String>,
    /// Failed this time; still in the outbox: (key, error, next attempt).
    pub failed: Vec<(String, String, DateTime<Utc>)>,
    /// Not due yet.
    pub deferred: Vec<String>,
    /// Moved to `held/` this time or earlier: needs a person.
    pub held: Vec<String>,
    /// Claims of a flush that died, taken over (see the module docs).
    pub recovered: Vec<String>,
    /// Being sent by another flush right now.
    pub busy: Vec<String>,
}

/// The outbox folder.
#[derive(Debug, Clone)]
pub struct Outbox {
    dir: PathBuf,
    policy: RetryPolicy,
}

const MESSAGE_EXT: &str = "eml";
const SIDECAR_EXT: &str = "json";
const CLAIM_SUFFIX: &str = ".json.sending";

/// The file-name key of a profile's digest for a day.
pub fn key(profile: &str, date: NaiveDate, resend: u32) -> String {
    let safe: String = profile
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if resend == 0 {
        format!("{date}.{safe}")
    } else {
        format!("{date}.{safe}.r{resend}")
    }
}

impl Outbox {
    /// Opens (creating) the outbox at `dir`, e.g. [`crate::Config::outbox_dir`].
    pub fn open(dir: impl Into<PathBuf>) -> Result<Outbox, OutboxError> {
        let dir = dir.into();
        for d in [dir.clone(), dir.join("sent"), dir.join("held")] {
            fs::create_dir_all(&d).map_err(io_err(&d))?;
        }
        // Temporary files of an interrupted write are incomplete by
        // definition; a young one may be another process's write in progress.
        for entry in fs::read_dir(&dir).map_err(io_err(&dir))?.flatten() {
            let old = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age >= STALE_CLAIM);
            if old && entry.file_name().to_string_lossy().ends_with(".tmp") {
                let _ = fs::remove_file(entry.path());
            }
        }
        Ok(Outbox {
            dir,
            policy: RetryPolicy::default(),
        })
    }

    pub fn with_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str, ext: &str) -> PathBuf {
        self.dir.join(format!("{key}.{ext}"))
    }

    fn claim_path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{key}{CLAIM_SUFFIX}"))
    }

    fn sent_path(&self, key: &str) -> PathBuf {
        self.dir.join("sent").join(format!("{key}.json"))
    }

    /// The sent record of a profile's digest for a day (the first send;
    /// forced resends have records of their own).
    pub fn sent_record(
        &self,
        profile: &str,
        date: NaiveDate,
    ) -> Result<Option<SentRecord>, OutboxError> {
        read_json(&self.sent_path(&key(profile, date, 0)))
    }

    /// The resend number a forced resend of this profile and date should use.
    pub fn next_resend(&self, profile: &str, date: NaiveDate) -> u32 {
        (1..)
            .find(|&n| {
                let k = key(profile, date, n);
                !self.sent_path(&k).exists()
                    && !self.path(&k, SIDECAR_EXT).exists()
                    && !self.claim_path(&k).exists()
            })
            .unwrap_or(1)
    }

    /// Adds a composed digest. Refused (as a value, not an error) if the
    /// sent-log already has it or it is already pending. A forced resend is
    /// an `Outgoing` with `resend > 0` (see [`Outbox::next_resend`]).
    pub fn enqueue(&self, msg: &Outgoing, now: DateTime<Utc>) -> Result<Enqueued, OutboxError> {
        let key = key(&msg.profile, msg.date, msg.resend);
        if let Some(record) = read_json::<SentRecord>(&self.sent_path(&key))? {
            return Ok(Enqueued::AlreadySent(record));
        }
        if self.path(&key, SIDECAR_EXT).exists() || self.claim_path(&key).exists() {
            return Ok(Enqueued::AlreadyQueued);
        }
        let sidecar = Sidecar {
            profile: msg.profile.clone(),
            date: msg.date,
            message_id: msg.message_id.clone(),
            resend: msg.resend,
            from: msg.from.clone(),
            to: msg.to.clone(),
            created: now,
            attempts: 0,
            permanent_failures: 0,
            next_attempt: now,
            last_error: None,
        };
        write_atomic(&self.path(&key, MESSAGE_EXT), &msg.bytes)?;
        write_atomic(&self.path(&key, SIDECAR_EXT), &to_json(&sidecar))?;
        Ok(Enqueued::Queued)
    }

    /// Pending messages (key and sidecar), oldest date first; claimed ones
    /// included.
    pub fn pending(&self) -> Result<Vec<(String, Sidecar)>, OutboxError> {
        let mut out = Vec::new();
        for entry in fs::read_dir(&self.dir)
            .map_err(io_err(&self.dir))?
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            let key = match (name.strip_suffix(CLAIM_SUFFIX), name.strip_suffix(".json")) {
                (Some(k), _) | (None, Some(k)) => k.to_string(),
                _ => continue,
            };
            if let Some(sidecar) = read_json::<Sidecar>(&entry.path())? {
                out.push((key, sidecar));
            }
        }
        out.sort_by(|a, b| (a.1.date, &a.0).cmp(&(b.1.date, &b.0)));
        Ok(out)
    }

    /// Messages moved to `held/`.
    pub fn held(&self) -> Result<Vec<String>, OutboxError> {
        let dir = self.dir.join("held");
        let mut keys: Vec<String> = fs::read_dir(&dir)
            .map_err(io_err(&dir))?
            .flatten()
            .filter_map(|e| {
                e.file_name()
                    .to_string_lossy()
                    .strip_suffix(".json")
                    .map(str::to_string)
            })
            .collect();
        keys.sort();
        Ok(keys)
    }

    /// Sends every pending message whose backoff has passed.
    pub async fn flush<D: Deliver>(
        &self,
        transport: &D,
        now: DateTime<Utc>,
    ) -> Result<FlushReport, OutboxError> {
        self.flush_inner(transport, now, false).await
    }

    /// Sends every pending message regardless of backoff: the first flush
    /// of a run, so nothing waits longer than until the next run.
    pub async fn flush_all<D: Deliver>(
        &self,
        transport: &D,
        now: DateTime<Utc>,
    ) -> Result<FlushReport, OutboxError> {
        self.flush_inner(transport, now, true).await
    }

    async fn flush_inner<D: Deliver>(
        &self,
        transport: &D,
        now: DateTime<Utc>,
        ignore_backoff: bool,
    ) -> Result<FlushReport, OutboxError> {
        let mut report = FlushReport::default();
        for entry in fs::read_dir(&self.dir)
            .map_err(io_err(&self.dir))?
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            if let Some(key) = name.strip_suffix(CLAIM_SUFFIX) {
                // A claim: another flush is sending, or one died doing so.
                let age = entry
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.elapsed().ok())
                    .unwrap_or_default();
                if age < STALE_CLAIM {
                    report.busy.push(key.to_string());
                } else {
                    let sidecar = self.claim_path(key);
                    // Back to pending, for the loop below to send.
                    if fs::rename(&sidecar, self.path(key, SIDECAR_EXT)).is_ok() {
                        tracing::warn!(
                            key,
                            "taking over the message of a flush that died while sending; \
                             if the server had accepted it, the recipients get it twice \
                             (with the same Message-ID)"
                        );
                        report.recovered.push(key.to_string());
                    }
                }
            }
        }
        let mut keys: Vec<String> = fs::read_dir(&self.dir)
            .map_err(io_err(&self.dir))?
            .flatten()
            .filter_map(|e| {
                e.file_name()
                    .to_string_lossy()
                    .strip_suffix(".json")
                    .map(str::to_string)
            })
            .collect();
        keys.sort();
        for key in keys {
            self.flush_one(&key, transport, now, ignore_backoff, &mut report)
                .await?;
        }
        report.held = self.held()?;
        Ok(report)
    }

    async fn flush_one<D: Deliver>(
        &self,
        key: &str,
        transport: &D,
        now: DateTime<Utc>,
        ignore_backoff: bool,
        report: &mut FlushReport,
    ) -> Result<(), OutboxError> {
        let sidecar_path = self.path(key, SIDECAR_EXT);
        let claim = self.claim_path(key);
        let message_path = self.path(key, MESSAGE_EXT);
        let Some(mut sidecar) = read_json::<Sidecar>(&sidecar_path)? else {
            return Ok(()); // taken by another flush since the listing
        };
        // Sent before a crash, files not yet cleaned up: clean, never resend.
        if read_json::<SentRecord>(&self.sent_path(key))?
            .is_some_and(|r| r.message_id == sidecar.message_id)
        {
            remove_if_present(&message_path)?;
            remove_if_present(&sidecar_path)?;
            return Ok(());
        }
        if !ignore_backoff && sidecar.next_attempt > now {
            report.deferred.push(key.to_string());
            return Ok(());
        }
        // Claim it; if the rename fails another flush got there first.
        if fs::rename(&sidecar_path, &claim).is_err() {
            report.busy.push(key.to_string());
            return Ok(());
        }
        touch(&claim);
        sync_dir(&self.dir);
        let bytes = fs::read(&message_path).map_err(io_err(&message_path))?;
        let outgoing = Outgoing {
            profile: sidecar.profile.clone(),
            date: sidecar.date,
            message_id: sidecar.message_id.clone(),
            resend: sidecar.resend,
            from: sidecar.from.clone(),
            to: sidecar.to.clone(),
            bytes,
        };
        sidecar.attempts += 1;
        match transport.deliver(&outgoing).await {
            Ok(()) => {
                let record = SentRecord {
                    profile: sidecar.profile.clone(),
                    date: sidecar.date,
                    message_id: sidecar.message_id.clone(),
                    to: sidecar.to.clone(),
                    sent_at: now,
                    attempts: sidecar.attempts,
                };
                // The order is the guarantee: record first, then delete.
                write_atomic(&self.sent_path(key), &to_json(&record))?;
                remove_if_present(&message_path)?;
                remove_if_present(&claim)?;
                sync_dir(&self.dir);
                report.sent.push(key.to_string());
            }
            Err(e) => {
                if e.permanent {
                    sidecar.permanent_failures += 1;
                }
                sidecar.last_error = Some(e.message.clone());
                sidecar.next_attempt = now
                    + chrono::Duration::from_std(self.policy.backoff(sidecar.attempts))
                        .unwrap_or(chrono::Duration::hours(1));
                if sidecar.permanent_failures >= self.policy.max_permanent_failures {
                    let held = self.dir.join("held");
                    let held_message = held.join(format!("{key}.{MESSAGE_EXT}"));
                    fs::rename(&message_path, &held_message).map_err(io_err(&held_message))?;
                    write_atomic(&held.join(format!("{key}.json")), &to_json(&sidecar))?;
                    remove_if_present(&claim)?;
                    tracing::error!(key, error = %e.message, "digest held after repeated permanent failures");
                } else {
                    // Writing the sidecar back releases the claim.
                    write_atomic(&sidecar_path, &to_json(&sidecar))?;
                    remove_if_present(&claim)?;
                    report
                        .failed
                        .push((key.to_string(), e.message, sidecar.next_attempt));
                }
            }
        }
        Ok(())
    }
}

fn to_json<T: Serialize>(value: &T) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(value).expect("plain data serialises");
    v.push(b'\n');
    v
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Option<T>, OutboxError> {
    match fs::read(path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| OutboxError::Sidecar {
                path: path.to_path_buf(),
                reason: e.to_string(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(path)(e)),
    }
}

/// Temp file in the same folder, fsync, rename over, fsync the folder.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutboxError> {
    let tmp = path.with_extension(format!(
        "{}.{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or(""),
        std::process::id()
    ));
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(io_err(path)(e));
    }
    if let Some(parent) = path.parent() {
        sync_dir(parent);
    }
    Ok(())
}

fn remove_if_present(path: &Path) -> Result<(), OutboxError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io_err(path)(e)),
        _ => Ok(()),
    }
}

/// Sets a file's modification time to now: a claim's age is its last touch.
fn touch(path: &Path) {
    if let Ok(f) = File::options().append(true).open(path) {
        let _ = f.set_modified(std::time::SystemTime::now());
    }
}

/// Makes renames in `dir` durable. Best effort: not every platform can
/// open a folder for syncing.
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::digest::deliver::SendError;

    /// A transport that records what it sends, or fails as told.
    #[derive(Default)]
    struct Fake {
        fail: Mutex<Option<SendError>>,
        sent: Mutex<Vec<String>>,
        calls: AtomicUsize,
    }

    impl Deliver for Fake {
        async fn deliver(&self, o: &Outgoing) -> Result<(), SendError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            if let Some(e) = self.fail.lock().unwrap().clone() {
                return Err(e);
            }
            self.sent.lock().unwrap().push(o.message_id.clone());
            Ok(())
        }
    }

    fn msg(profile: &str, day: u32) -> Outgoing {
        Outgoing {
            profile: profile.into(),
            date: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            message_id: format!("<{profile}.{day}@example.org>"),
            resend: 0,
            from: "kabar@example.org".into(),
            to: vec!["a@example.org".into()],
            bytes: b"Subject: x\r\n\r\nbody\r\n".to_vec(),
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-11-23T00:00:00Z".parse().unwrap()
    }

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn down_then_up_sends_once() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::open(dir.path()).unwrap();
        let fake = Fake::default();
        *fake.fail.lock().unwrap() = Some(SendError {
            permanent: false,
            message: "connection refused".into(),
        });
        assert_eq!(
            outbox.enqueue(&msg("p", 22), now()).unwrap(),
            Enqueued::Queued
        );
        assert_eq!(
            outbox.enqueue(&msg("p", 22), now()).unwrap(),
            Enqueued::AlreadyQueued
        );
        let r = block_on(outbox.flush(&fake, now())).unwrap();
        assert_eq!(r.failed.len(), 1);
        let (_, side) = &outbox.pending().unwrap()[0];
        assert_eq!(side.attempts, 1);
        assert_eq!(side.next_attempt, now() + chrono::Duration::seconds(60));
        // Not due yet: deferred, no call.
        let r = block_on(outbox.flush(&fake, now() + chrono::Duration::seconds(30))).unwrap();
        assert_eq!(r.deferred.len(), 1);
        assert_eq!(fake.calls.load(Ordering::SeqCst), 1);
        // Next run: up again, sent at once whatever the backoff said.
        *fake.fail.lock().unwrap() = None;
        let r = block_on(outbox.flush_all(&fake, now() + chrono::Duration::seconds(30))).unwrap();
        assert_eq!(r.sent, vec!["2026-11-22.p"]);
        let r = block_on(outbox.flush_all(&fake, now())).unwrap();
        assert!(r.sent.is_empty());
        assert_eq!(fake.sent.lock().unwrap().len(), 1);
        assert!(outbox.pending().unwrap().is_empty());
        // The sent-log refuses the same profile and date.
        assert!(matches!(
            outbox.enqueue(&msg("p", 22), now()).unwrap(),
            Enqueued::AlreadySent(_)
        ));
        let record = outbox.sent_record("p", msg("p", 22).date).unwrap().unwrap();
        assert_eq!(record.attempts, 2);
        // Forced: a new resend number and key.
        assert_eq!(outbox.next_resend("p", msg("p", 22).date), 1);
        let mut again = msg("p", 22);
        again.resend = 1;
        again.message_id = "<p.22.r1@example.org>".into();
        assert_eq!(outbox.enqueue(&again, now()).unwrap(), Enqueued::Queued);
    }

    #[test]
    fn backoff_doubles_to_a_cap() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(1), Duration::from_secs(60));
        assert_eq!(p.backoff(2), Duration::from_secs(120));
        assert_eq!(p.backoff(7), Duration::from_secs(3600));
        assert_eq!(p.backoff(1000), Duration::from_secs(3600));
    }

    #[test]
    fn permanent_failures_are_held_not_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::open(dir.path()).unwrap();
        let fake = Fake::default();
        *fake.fail.lock().unwrap() = Some(SendError {
            permanent: true,
            message: "550 mailbox unavailable".into(),
        });
        outbox.enqueue(&msg("p", 22), now()).unwrap();
        for _ in 0..3 {
            block_on(outbox.flush_all(&fake, now())).unwrap();
        }
        let r = block_on(outbox.flush_all(&fake, now())).unwrap();
        assert_eq!(r.held, vec!["2026-11-22.p"]);
        assert!(outbox.pending().unwrap().is_empty());
        assert!(dir.path().join("held/2026-11-22.p.eml").exists());
        assert_eq!(fake.calls.load(Ordering::SeqCst), 3);
    }

    #[test]
    fn a_crash_after_the_sent_record_never_resends() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::open(dir.path()).unwrap();
        let m = msg("p", 22);
        outbox.enqueue(&m, now()).unwrap();
        // Simulate: server accepted, record written, then the process died
        // before deleting the message and sidecar.
        let record = SentRecord {
            profile: "p".into(),
            date: m.date,
            message_id: m.message_id.clone(),
            to: m.to.clone(),
            sent_at: now(),
            attempts: 1,
        };
        write_atomic(&outbox.sent_path("2026-11-22.p"), &to_json(&record)).unwrap();
        let fake = Fake::default();
        let r = block_on(outbox.flush_all(&fake, now())).unwrap();
        assert!(r.sent.is_empty());
        assert_eq!(fake.calls.load(Ordering::SeqCst), 0);
        assert!(outbox.pending().unwrap().is_empty());
        assert!(!dir.path().join("2026-11-22.p.eml").exists());
    }

    #[test]
    fn a_fresh_claim_is_left_alone_and_a_stale_one_is_recovered() {
        let dir = tempfile::tempdir().unwrap();
        let outbox = Outbox::open(dir.path()).unwrap();
        outbox.enqueue(&msg("p", 22), now()).unwrap();
        // Another flush claimed it a moment ago.
        fs::rename(
            dir.path().join("2026-11-22.p.json"),
            dir.path().join("2026-11-22.p.json.sending"),
        )
        .unwrap();
        let fake = Fake::default();
        let r = block_on(outbox.flush_all(&fake, now())).unwrap();
        assert_eq!(r.busy, vec!["2026-11-22.p"]);
        assert_eq!(fake.calls.load(Ordering::SeqCst), 0);
        // That flush died long ago: taken over and sent.
        let old = std::time::SystemTime::now() - STALE_CLAIM - Duration::from_secs(1);
        File::options()
            .append(true)
            .open(dir.path().join("2026-11-22.p.json.sending"))
            .unwrap()
            .set_modified(old)
            .unwrap();
        let r = block_on(outbox.flush_all(&fake, now())).unwrap();
        assert_eq!(r.recovered, vec!["2026-11-22.p"]);
        assert_eq!(r.sent, vec!["2026-11-22.p"]);
    }

    #[test]
    fn an_interrupted_enqueue_is_not_pending_and_temp_files_are_cleared() {
        let dir = tempfile::tempdir().unwrap();
        // A message without its sidecar, and a stray temp file.
        fs::write(dir.path().join("2026-11-22.p.eml"), b"x").unwrap();
        let tmp = dir.path().join("2026-11-22.p.json.123.tmp");
        fs::write(&tmp, b"{").unwrap();
        let old = std::time::SystemTime::now() - STALE_CLAIM - Duration::from_secs(1);
        File::options()
            .append(true)
            .open(&tmp)
            .unwrap()
            .set_modified(old)
            .unwrap();
        let outbox = Outbox::open(dir.path()).unwrap();
        assert!(outbox.pending().unwrap().is_empty());
        assert!(!dir.path().join("2026-11-22.p.json.123.tmp").exists());
        // Enqueue completes it.
        assert_eq!(
            outbox.enqueue(&msg("p", 22), now()).unwrap(),
            Enqueued::Queued
        );
        assert_eq!(outbox.pending().unwrap().len(), 1);
    }
}
