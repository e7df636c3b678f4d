//! Running each command: load what it needs, call the library, print.
//!
//! Output for people by default (tables, progress bars on a terminal), JSON
//! with `--json`. Every command returns an [`Exit`] or a [`CommandError`]
//! whose variant decides the exit code, so `main` stays a few lines.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};
use url::Url;

use crate::analyze::detect_language;
use crate::cli::{
    AnalyzeArgs, Cli, Command, CrawlArgs, DigestArgs, DigestFormat, DimensionArg, EvalCommand,
    EvalExtractionArgs, EvalSentimentArgs, ExportArgs, ExportFormat, ExtractArgs, FilterArgs,
    ReindexArgs, RunArgs, SearchArgs, SentimentArg, SentimentCommand, SentimentScoreArgs,
    SentimentTrainArgs, ServeArgs, SortArg, SourcesCommand, SourcesHealthArgs, SourcesListArgs,
    TopicsCommand, TopicsListArgs, TopicsTestArgs, TrendsArgs,
};
use crate::config::{Config, ConfigError, Overrides};
use crate::extract::extract_page;
use crate::filters::SearchFilters;
pub use crate::filters::{parse_since, parse_until};
use crate::index::{ArticleIndex, IndexError};
use crate::model::IndexedArticle;
use crate::pipeline::{self, CrawlOptions, CrawlSummary, PipelineError};
use crate::query::{self, QueryError, QueryRequest, Sort};
use crate::sources::{Catalog, CatalogLoadError, langs};
use crate::topics::{self, Topics};

/// Writes `value` as one line of JSON (the `--json` output of every command).
fn json_line(out: &mut impl Write, value: &impl Serialize) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(std::io::Error::other)?;
    writeln!(out)
}

/// Exit codes, documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Done.
    Ok = 0,
    /// The command ran but found nothing (search without hits).
    NoResults = 1,
    /// Bad input: usage, config, catalog, query, unreadable file.
    Usage = 2,
    /// The run failed: index, state, I/O.
    Failure = 3,
    /// Stopped by SIGINT or SIGTERM after committing what it held.
    Interrupted = 130,
}

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Catalog(#[from] CatalogLoadError),
    #[error(transparent)]
    Query(#[from] QueryError),
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl CommandError {
    pub fn exit(&self) -> Exit {
        match self {
            CommandError::Config(_)
            | CommandError::Catalog(_)
            | CommandError::Input(_)
            | CommandError::Pipeline(PipelineError::NoSuchSource(_)) => Exit::Usage,
            CommandError::Query(QueryError::Syntax { .. } | QueryError::TooLong(_)) => Exit::Usage,
            CommandError::Index(IndexError::Missing(_)) => Exit::Usage,
            _ => Exit::Failure,
        }
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<Exit, CommandError> {
    let overrides = Overrides {
        data_dir: cli.global.data.clone(),
        sources_dir: cli.global.sources.clone(),
        topics_dir: cli.global.topics.clone(),
    };
    let config = Config::load(cli.global.config.as_deref(), &overrides)?;
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Crawl(args) => crawl(&config, &args, &mut out),
        Command::Run(args) => run_daemon(&config, &args, &mut out),
        Command::Reindex(args) => reindex(&config, &args, &mut out),
        Command::Search(args) => search(&config, &args, &mut out),
        Command::Trends(args) => trends(&config, &args, &mut out),
        Command::Digest(args) => digest(&config, &args, &mut out),
        Command::Extract(args) => extract(&args, &mut out),
        Command::Eval(EvalCommand::Extraction(args)) => eval_extraction(&args, &mut out),
        Command::Sources(SourcesCommand::List(args)) => sources_list(&config, &args, &mut out),
        Command::Sources(SourcesCommand::Check) => sources_check(&config, &mut out),
        Command::Sources(SourcesCommand::Health(args)) => sources_health(&config, &args, &mut out),
        Command::Analyze(args) => analyze(&config, &args, &mut out),
        Command::Eval(EvalCommand::Sentiment(args)) => eval_sentiment(&args, &mut out),
        Command::Sentiment(SentimentCommand::Train(args)) => sentiment_train(&args, &mut out),
        Command::Sentiment(SentimentCommand::Score(args)) => sentiment_score(&args, &mut out),
        Command::Topics(TopicsCommand::List(args)) => topics_list(&config, &args, &mut out),
        Command::Topics(TopicsCommand::Check) => topics_check(&config, &mut out),
        Command::Topics(TopicsCommand::Test(args)) => topics_test(&config, &args, &mut out),
        Command::Export(args) => export(&config, &args, &mut out),
        Command::Serve(args) => serve(&config, &args),
    }
}

// ---------------------------------------------------------------- crawl

/// The config with `--allow-private` applied.
fn with_allow_private(config: &Config, flag: bool) -> Config {
    let mut config = config.clone();
    config.crawl.allow_private |= flag;
    config
}

/// Threads for short blocking work (feed and sitemap parsing, archive
/// writes of feeds, the web page's searches); the crawl's per-page work has
/// its own pool of one thread per core (`pipeline::ExtractionPool`). More
/// threads than this only add per-thread allocator caches and memory.
pub const MAX_BLOCKING_THREADS: usize = 16;

/// glibc malloc arenas for the whole process. glibc gives each busy thread
/// its own arena (up to eight per core) and lets its mmap threshold climb
/// to 32 MB after the first large free, so 20-200 KB page buffers freed on
/// one thread were kept, fragmented, in every arena: 703 MiB peak in the
/// crawl benchmark against 454 MiB with two arenas and a fixed threshold.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MALLOC_ARENAS: libc::c_int = 2;
/// Allocations from this size up are mmapped and returned to the system
/// when freed (a fixed value also stops glibc from raising it).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MALLOC_MMAP_THRESHOLD: libc::c_int = 256 * 1024;

/// Bounds the allocator's hoarding for a long crawl (see
/// [`MALLOC_ARENAS`]); a no-op off glibc. Called before the crawl's
/// threads start.
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; both values are in
    // range, and a refusal (return 0) leaves glibc's defaults in place.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, MALLOC_ARENAS);
        libc::mallopt(libc::M_MMAP_THRESHOLD, MALLOC_MMAP_THRESHOLD);
    }
}

/// The runtime the crawl commands (and the crawl benchmark) run on.
pub fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tune_allocator();
    tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(MAX_BLOCKING_THREADS)
        .enable_all()
        .build()
}

fn crawl(config: &Config, args: &CrawlArgs, out: &mut impl Write) -> Result<Exit, CommandError> {
    let config = &with_allow_private(config, args.allow_private);
    let catalog = Catalog::load(&config.sources_dir)?;
    let options = CrawlOptions {
        sources: args.only.clone(),
        progress: !args.json && !args.no_progress && std::io::stderr().is_terminal(),
        stop: Arc::new(AtomicBool::new(false)),
        due_only: false,
    };
    let runtime = runtime()?;
    runtime.spawn(stop_on_signal(Arc::clone(&options.stop)));
    let summary = runtime.block_on(pipeline::crawl(config, &catalog, &options))?;
    if args.json {
        json_line(out, &summary)?;
    } else {
        print_crawl_summary(&summary, out)?;
    }
    Ok(if summary.interrupted {
        Exit::Interrupted
    } else {
        Exit::Ok
    })
}

// ---------------------------------------------------------------- reindex

fn reindex(
    config: &Config,
    args: &ReindexArgs,
    out: &mut impl Write,
) -> Result<Exit, CommandError> {
    let catalog = Catalog::load(&config.sources_dir)?;
    let summary = pipeline::reindex(config, &catalog)?;
    if args.json {
        json_line(out, &summary)?;
    } else {
        writeln!(
            out,
            "reindexed {} articles from {} archived responses in {} files ({} copies skipped) in {:.1}s",
            summary.articles_indexed,
            summary.responses,
            summary.archive_files,
            summary.duplicates,
            summary.elapsed_secs
        )?;
        for (kind, n) in &summary.failures_by_kind {
            writeln!(out, "  not indexed, {}: {n}", kind.as_str())?;
        }
    }
    Ok(Exit::Ok)
}

// ---------------------------------------------------------------- run

/// The longest the daemon sleeps before looking again (it also picks up
/// catalog edits then).
const MAX_IDLE: std::time::Duration = std::time::Duration::from_secs(60);

fn run_daemon(config: &Config, args: &RunArgs, out: &mut impl Write) -> Result<Exit, CommandError> {
    let config = &with_allow_private(config, args.allow_private);
    let mut catalog = Catalog::load(&config.sources_dir)?;
    let stop = Arc::new(AtomicBool::new(false));
    let runtime = runtime()?;
    runtime.spawn(stop_on_signal(Arc::clone(&stop)));
    eprintln!(
        "kabar: running; {} sources; polling each feed when due (Ctrl-C or SIGTERM to stop)",
        catalog.enabled().count()
    );
    while !stop.load(Ordering::Relaxed) {
        let options = CrawlOptions {
            stop: Arc::clone(&stop),
            due_only: true,
            ..Default::default()
        };
        let summary = runtime.block_on(pipeline::crawl(config, &catalog, &options))?;
        if summary.feeds_polled > 0 || summary.articles_indexed > 0 {
            if args.json {
                json_line(out, &summary)?;
                out.flush()?;
            } else {
                eprintln!(
                    "kabar: {} feeds polled ({} failed), {} articles indexed, {} duplicates linked in {:.1}s",
                    summary.feeds_polled,
                    summary.feeds_failed,
                    summary.articles_indexed,
                    summary.duplicates,
                    summary.elapsed_secs
                );
            }
        }
        // Each profile's digest goes out once a day at its local time.
        for line in crate::digest::run::daemon_tick(config, Utc::now()) {
            eprintln!("kabar: {line}");
        }
        // Sleep until the next feed is due, looking at the stop flag often.
        let urls: Vec<String> = catalog
            .enabled()
            .flat_map(|s| s.endpoints())
            .map(|e| e.url().to_string())
            .collect();
        let now = Utc::now();
        let next = crate::state::CrawlState::open(&config.state_path())
            .and_then(|s| s.next_due(&urls, now))
            .map_err(PipelineError::from)?
            .unwrap_or(now + Duration::from_std(MAX_IDLE).expect("small"));
        let wait = (next - now).to_std().unwrap_or_default().min(MAX_IDLE);
        let wake = std::time::Instant::now() + wait;
        while std::time::Instant::now() < wake && !stop.load(Ordering::Relaxed) {
            std::thread::sleep(
                std::time::Duration::from_millis(100).min(wake - std::time::Instant::now()),
            );
        }
        // Catalog edits take effect without a restart; a broken edit keeps the old catalog.
        match Catalog::load(&config.sources_dir) {
            Ok(c) => catalog = c,
            Err(e) => tracing::error!("keeping the previous catalog: {e}"),
        }
    }
    eprintln!("kabar: stopped");
    Ok(Exit::Ok)
}

// ---------------------------------------------------------------- sources health

fn sources_health(
    config: &Config,
    args: &SourcesHealthArgs,
    out: &mut impl Write,
) -> Result<Exit, CommandError> {
    let catalog = Catalog::load(&config.sources_dir)?;
    let mut health = crate::state::sources_health(&catalog, &config.state_path(), Utc::now())
        .map_err(PipelineError::from)?;
    health.retain(|h| args.status.is_empty() || args.status.iter().any(|s| s == h.status.as_str()));
    if args.json {
        for h in &health {
            json_line(out, h)?;
        }
        return Ok(Exit::Ok);
    }
    let tz = config.timezone();
    let when = |t: Option<DateTime<Utc>>| {
        t.map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|| "-".into())
    };
    writeln!(
        out,
        "{:<24} {:<8} {:<16} {:>7}  {:<9} LAST ERROR",
        "SOURCE", "STATUS", "LAST SUCCESS", "ART/DAY", "FEEDS"
    )?;
    for h in &health {
        let status = h.status.as_str();
        let feeds = format!(
            "{}/{}/{}",
            h.feeds - h.feeds_failing,
            h.feeds_failing,
            h.feeds_paused
        );
        let error = match (&h.last_error, h.last_error_at) {
            (Some(e), at) => format!("{} {}", when(at), truncate(e, 70)),
            _ => "-".into(),
        };
        writeln!(
            out,
            "{:<24} {:<8} {:<16} {:>7.1}  {:<9} {}",
            truncate(&h.source, 24),
            status,
            when(h.last_success),
            h.articles_per_day,
            feeds,
            error
        )?;
    }
    let count = |st: crate::state::HealthStatus| health.iter().filter(|h| h.status == st).count();
    use crate::state::HealthStatus as H;
    writeln!(
        out,
        "{} sources: {} ok, {} silent, {} failing, {} paused, {} never polled (FEEDS = ok/failing/paused)",
        health.len(),
        count(H::Ok),
        count(H::Silent),
        count(H::Failing),
        count(H::Paused),
        count(H::New)
    )?;
    Ok(Exit::Ok)
}

/// First SIGINT or SIGTERM: stop starting work, finish and commit what is in
/// flight. A second one: leave at once (nothing committed is lost either way;
/// what was not committed is fetched again by the next crawl).
async fn stop_on_signal(stop: Arc<AtomicBool>) {
    wait_for_signal().await;
    stop.store(true, Ordering::Relaxed);
    eprintln!(
        "kabar: stopping; finishing pages in flight and committing (press Ctrl-C again to quit now)"
    );
    wait_for_signal().await;
    std::process::exit(Exit::Interrupted as i32);
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}

fn print_crawl_summary(s: &CrawlSummary, out: &mut impl Write) -> std::io::Result<()> {
    if s.interrupted {
        writeln!(
            out,
            "crawl interrupted after {:.1}s; {} feeds/articles left for the next run",
            s.elapsed_secs, s.left_for_next_run
        )?;
    } else {
        writeln!(out, "crawl finished in {:.1}s", s.elapsed_secs)?;
    }
    let rows = [
        ("sources", s.sources),
        ("feeds polled", s.feeds_polled),
        ("  ok", s.feeds_ok),
        ("  not modified", s.feeds_not_modified),
        ("  failed", s.feeds_failed),
        ("items seen", s.items_seen),
        ("  already indexed", s.items_known),
        ("articles fetched", s.articles_fetched),
        ("articles indexed", s.articles_indexed),
        ("duplicates linked", s.duplicates),
    ];
    for (label, n) in rows {
        writeln!(out, "  {label:<20} {n:>7}")?;
    }
    if !s.failures_by_kind.is_empty() {
        writeln!(out, "failures by kind")?;
        for (kind, n) in &s.failures_by_kind {
            writeln!(out, "  {:<20} {n:>7}", kind.as_str())?;
        }
        writeln!(out, "failures")?;
        for f in &s.failures {
            writeln!(
                out,
                "  [{}] {} {} {}: {}",
                f.stage, f.source, f.url, f.kind, f.reason
            )?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- search

/// The filters of `kabar search` and `kabar export` as one request, checked
/// the way the web page checks its parameters.
fn filter_request(
    config: &Config,
    args: &FilterArgs,
    now: DateTime<Utc>,
) -> Result<QueryRequest, CommandError> {
    let filters = SearchFilters {
        query: args.query.join(" "),
        regions: args.region.clone(),
        countries: args.country.clone(),
        langs: args.lang.clone(),
        sources: args.source.clone(),
        topics: args.topic.clone(),
        sentiments: args
            .sentiment
            .iter()
            .map(|s| {
                match s {
                    SentimentArg::Negative => "negative",
                    SentimentArg::Neutral => "neutral",
                    SentimentArg::Positive => "positive",
                }
                .to_string()
            })
            .collect(),
        min_risk: args.min_risk,
        since: args.since.clone(),
        until: args.until.clone(),
        sort: match args.sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Newest => Sort::Newest,
            SortArg::Risk => Sort::Risk,
        },
    };
    let known = if args.topic.is_empty() {
        None
    } else {
        Some(known_topics(config)?)
    };
    filters
        .to_request(now, &config.timezone(), known.as_deref())
        .map_err(|e| CommandError::Input(e.to_string()))
}

/// Topic ids the concept packs define.
pub fn known_topics(config: &Config) -> Result<Vec<String>, CommandError> {
    let topics = crate::analyze::article::load_topics(&config.topics_dir)
        .map_err(|e| CommandError::Input(e.to_string()))?;
    Ok(topics.ids().map(str::to_string).collect())
}

fn search(config: &Config, args: &SearchArgs, out: &mut impl Write) -> Result<Exit, CommandError> {
    let tz = config.timezone();
    let now = Utc::now();
    let request = QueryRequest {
        limit: args.limit,
        offset: args.offset,
        snippet_chars: 160,
        ..filter_request(config, &args.filters, now)?
    };
    let index = ArticleIndex::open(&config.tantivy_dir())?;
    let results = query::search(&index, &request)?;
    let facets = if args.facets {
        Some(query::facets(&index, &request, now)?)
    } else {
        None
    };

    if args.json {
        for hit in &results.hits {
            if args.explain {
                json_line(out, hit)?;
            } else {
                let mut hit = hit.clone();
                hit.article.evidence.clear();
                json_line(out, &hit)?;
            }
        }
        if let Some(facets) = &facets {
            json_line(out, &serde_json::json!({ "facets": facets }))?;
        }
    } else if results.hits.is_empty() {
        if results.total > 0 {
            writeln!(
                out,
                "no hits on this page ({} in all; lower --offset)",
                results.total
            )?;
        } else {
            writeln!(out, "no articles match")?;
        }
    } else {
        let color = std::io::stdout().is_terminal();
        let (open, close) = if color {
            ("\x1b[1;33m", "\x1b[0m")
        } else {
            ("«", "»")
        };
        writeln!(
            out,
            "{:<16}  {:<2}  {:<7}  {:<16}  TITLE",
            format!("DATE ({})", short_tz(&tz)),
            "CC",
            "LANG",
            "SOURCE"
        )?;
        for hit in &results.hits {
            let a = &hit.article;
            let date = a
                .published
                .unwrap_or(a.fetched)
                .with_timezone(&tz)
                .format("%Y-%m-%d %H:%M");
            writeln!(
                out,
                "{date:<16}  {:<2}  {:<7}  {:<16}  {}",
                a.country,
                a.lang,
                truncate(&a.source, 16),
                truncate(&a.title, 80)
            )?;
            writeln!(out, "    {}", a.url)?;
            writeln!(out, "    {}", analysis_line(a))?;
            if let Some(s) = &hit.snippet {
                let text = s.marked(open, close).replace('\n', " ");
                writeln!(out, "    {text}")?;
            }
            if args.explain {
                write_explanation(a, open, close, out)?;
            }
        }
        let shown_to = args.offset + results.hits.len();
        writeln!(
            out,
            "{}–{} of {} articles",
            args.offset + 1,
            shown_to,
            results.total
        )?;
    }
    if !args.json
        && let Some(f) = &facets
    {
        for (name, counts) in [
            ("region", &f.region),
            ("country", &f.country),
            ("lang", &f.lang),
            ("topic", &f.topic),
            ("sentiment", &f.sentiment),
            ("source", &f.source),
            ("date", &f.date),
        ] {
            let values: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
            writeln!(out, "{name:>9}: {}", values.join(" · "))?;
        }
    }
    Ok(if results.total == 0 {
        Exit::NoResults
    } else {
        Exit::Ok
    })
}

// ---------------------------------------------------------------- digest

fn digest(config: &Config, args: &DigestArgs, out: &mut impl Write) -> Result<Exit, CommandError> {
    use crate::digest::{render, run};

    let input = |e: run::DigestError| CommandError::Input(e.to_string());
    let now = Utc::now();
    let profile = run::profile(config, args.profile.as_deref()).map_err(input)?;
    let tz = run::timezone(&profile).map_err(input)?;
    let date = run::date(args.date.as_deref(), &tz, now).map_err(input)?;
    let (digest, names) = run::build(config, &profile, date, now).map_err(|e| match e {
        run::DigestError::Index(e) => CommandError::from(e),
        other => CommandError::Input(other.to_string()),
    })?;
    let rendered = match args.format {
        DigestFormat::Html => render::html(&digest, &names).0,
        DigestFormat::Text => render::text(&digest, &names),
        DigestFormat::Md => render::markdown(&digest, &names),
        DigestFormat::Json => render::json(&digest),
    };
    match &args.out {
        Some(path) => std::fs::write(path, &rendered)
            .map_err(|e| CommandError::Input(format!("cannot write {}: {e}", path.display())))?,
        None if !args.send => out.write_all(rendered.as_bytes())?,
        None => {}
    }
    if args.send {
        let overrides = crate::digest::deliver::DeliveryOverrides {
            smtp_url: args.smtp.clone(),
            to: args.to.clone(),
        };
        let report =
            run::send(config, &digest, &names, &profile, &overrides, now).map_err(input)?;
        use crate::digest::outbox::Enqueued;
        match &report.enqueued {
            Enqueued::AlreadySent(r) => eprintln!(
                "kabar: the {} digest of {} was already sent ({}); not sent again",
                profile.name, date, r.message_id
            ),
            Enqueued::AlreadyQueued => eprintln!("kabar: already waiting in the outbox"),
            Enqueued::Queued => {}
        }
        if let Some(f) = &report.flush {
            for key in &f.sent {
                eprintln!("kabar: sent {key}");
            }
            for (key, error, next) in &f.failed {
                eprintln!(
                    "kabar: not sent {key}: {error}; kept in the outbox, next try after {next}"
                );
            }
            for key in &f.held {
                eprintln!(
                    "kabar: {key} was refused for good and moved to outbox/held: read it there"
                );
            }
            if !f.failed.is_empty() || !f.held.is_empty() {
                return Ok(Exit::Failure);
            }
        }
    }
    Ok(Exit::Ok)
}

// ---------------------------------------------------------------- trends

/// Most columns a trend has (about three years of days): enough for any
/// look back, small enough that one request cannot tie up the index.
const MAX_TREND_PERIODS: usize = 1100;

fn trends(config: &Config, args: &TrendsArgs, out: &mut impl Write) -> Result<Exit, CommandError> {
    use crate::trends::{Dimension, Interval, TrendRequest, sparkline};

    for r in &args.region {
        r.parse::<crate::model::Region>()
            .map_err(CommandError::Input)?;
    }
    check_topic_ids(config, &args.topic)?;
    let (interval, periods) = match args.hours {
        Some(h) => (Interval::Hour, h),
        None => (Interval::Day, args.days),
    };
    if periods == 0 || periods > MAX_TREND_PERIODS {
        return Err(CommandError::Input(format!(
            "asked for {periods} periods; show 1 to {MAX_TREND_PERIODS}"
        )));
    }
    let tz = config.timezone();
    let request = TrendRequest {
        filter: QueryRequest {
            query: args.query.join(" "),
            regions: args.region.iter().map(|r| r.to_ascii_lowercase()).collect(),
            countries: args
                .country
                .iter()
                .map(|c| c.to_ascii_uppercase())
                .collect(),
            langs: args.lang.clone(),
            sources: args.source.clone(),
            topics: args.topic.clone(),
            ..Default::default()
        },
        by: match args.by {
            DimensionArg::Topic => Dimension::Topic,
            DimensionArg::Region => Dimension::Region,
            DimensionArg::Country => Dimension::Country,
            DimensionArg::Lang => Dimension::Lang,
            DimensionArg::Source => Dimension::Source,
        },
        interval,
        periods,
        end: Utc::now(),
        tz,
    };
    let index = ArticleIndex::open(&config.tantivy_dir())?;
    let t = crate::trends::trends(&index, &request)?;
    let fmt = match interval {
        Interval::Day => "%Y-%m-%d",
        Interval::Hour => "%Y-%m-%dT%H:00",
    };
    if args.json {
        json_line(out, &t)?;
    } else if args.csv {
        writeln!(out, "key,start,count,negative,sentiment")?;
        for row in std::iter::once(&t.all).chain(&t.rows) {
            for (i, start) in t.starts.iter().enumerate() {
                writeln!(
                    out,
                    "{},{},{},{},{}",
                    csv_field(&row.key),
                    start.with_timezone(&tz).format(fmt),
                    row.counts[i],
                    row.negative[i],
                    row.sentiment[i].map(|s| s.to_string()).unwrap_or_default()
                )?;
            }
        }
    } else {
        let first = t
            .starts
            .first()
            .map(|s| s.with_timezone(&tz).format(fmt).to_string());
        let last = t
            .starts
            .last()
            .map(|s| s.with_timezone(&tz).format(fmt).to_string());
        writeln!(
            out,
            "{} to {} ({}), {} per column",
            first.unwrap_or_default(),
            last.unwrap_or_default(),
            short_tz(&tz),
            match interval {
                Interval::Day => "day",
                Interval::Hour => "hour",
            }
        )?;
        let width = t
            .rows
            .iter()
            .map(|r| r.key.chars().count())
            .max()
            .unwrap_or(3)
            .max(5);
        writeln!(
            out,
            "{:<width$}  {:>6}  {:>5}  {:>6}  {:>5}  TREND",
            "KEY", "TOTAL", "NEG%", "TONE", "LAST"
        )?;
        for row in std::iter::once(&t.all).chain(&t.rows) {
            let neg = row
                .negative_share()
                .map(|x| format!("{:.0}%", 100.0 * x))
                .unwrap_or_else(|| "-".into());
            let tone = row
                .mean_sentiment()
                .map(|x| format!("{x:+.2}"))
                .unwrap_or_else(|| "-".into());
            writeln!(
                out,
                "{:<width$}  {:>6}  {:>5}  {:>6}  {:>5}  {}",
                row.key,
                row.total,
                neg,
                tone,
                row.counts.last().copied().unwrap_or(0),
                sparkline(&row.counts)
            )?;
        }
    }
    Ok(if t.all.total == 0 {
        Exit::NoResults
    } else {
        Exit::Ok
    })
}

/// A CSV field, quoted when it holds a comma, quote or line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Refuses topic ids the concept packs do not define, naming the ones they
/// do: a misspelt topic would otherwise quietly match nothing.
fn check_topic_ids(config: &Config, ids: &[String]) -> Result<(), CommandError> {
    if ids.is_empty() {
        return Ok(());
    }
    let known = known_topics(config)?;
    for id in ids {
        if !known.contains(id) {
            return Err(CommandError::Input(format!(
                "unknown topic '{id}'; the packs in {} define: {}",
                config.topics_dir.display(),
                known.join(", ")
            )));
        }
    }
    Ok(())
}

/// `risk 72.4 · negative -0.61 · scam-ads 0.82 negative, payments 0.40 neutral`
fn analysis_line(a: &IndexedArticle) -> String {
    let s = &a.sentiment;
    let mut line = format!("risk {:.1} · {} {:+.2}", a.risk, s.label, s.score);
    if s.mixed {
        line.push_str(" (mixed)");
    }
    if a.topics.is_empty() {
        line.push_str(" · no topic");
    } else {
        let topics: Vec<String> = a
            .topics
            .iter()
            .map(|t| {
                let mut label = t.sentiment.label.to_string();
                if t.sentiment.abstained {
                    label = "unclear".into();
                } else if t.sentiment.mixed {
                    label.push_str(", mixed");
                }
                format!("{} {:.2} {label}", t.id, t.score)
            })
            .collect();
        line.push_str(" · ");
        line.push_str(&topics.join(", "));
    }
    line
}

/// `--explain`: per topic, the matched terms and the scored sentences.
fn write_explanation(
    a: &IndexedArticle,
    open: &str,
    close: &str,
    out: &mut impl Write,
) -> std::io::Result<()> {
    if a.evidence.is_empty() {
        writeln!(
            out,
            "    why: no topic term matched; the overall sentiment is the model's reading of the whole text"
        )?;
        return Ok(());
    }
    for e in &a.evidence {
        let topic = a.topics.iter().find(|t| t.id == e.topic);
        let (score, sentiment) = topic.map_or((0.0, String::new()), |t| {
            (
                t.score,
                format!(
                    "{} {:+.2} (confidence {:.2})",
                    t.sentiment.label, t.sentiment.score, t.sentiment.confidence
                ),
            )
        });
        writeln!(
            out,
            "    why {} (relevance {score:.2}, {sentiment}):",
            e.topic
        )?;
        let terms: Vec<String> = e
            .terms
            .iter()
            .map(|t| {
                let place = match t.field {
                    crate::model::TextField::Title => "title",
                    crate::model::TextField::Body => "body",
                };
                let kind = if t.entity { " entity" } else { "" };
                if t.text.to_lowercase() == t.term.to_lowercase() {
                    format!("{open}{}{close} ({place}@{}{kind})", t.text, t.start)
                } else {
                    format!(
                        "{open}{}{close} = {} ({place}@{}{kind})",
                        t.text, t.term, t.start
                    )
                }
            })
            .collect();
        writeln!(out, "      terms: {}", terms.join(", "))?;
        for sentence in &e.sentences {
            let cues = if sentence.cues.is_empty() {
                String::new()
            } else {
                format!(" [{}]", sentence.cues.join(", "))
            };
            writeln!(
                out,
                "      {:+.2}{cues} {}",
                sentence.score,
                sentence.text.replace('\n', " ")
            )?;
        }
    }
    Ok(())
}

fn short_tz(tz: &chrono_tz::Tz) -> String {
    Utc::now().with_timezone(tz).format("%Z").to_string()
}

/// Cuts `s` to at most `width` terminal columns, marking the cut.
fn truncate(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if w + cw + 1 > width {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

// ---------------------------------------------------------------- export

fn export(config: &Config, args: &ExportArgs, out: &mut impl Write) -> Result<Exit, CommandError> {
    let request = filter_request(config, &args.filters, Utc::now())?;
    let index = ArticleIndex::open(&config.tantivy_dir())?;
    let format = match args.format {
        ExportFormat::Csv => crate::export::ExportFormat::Csv,
        ExportFormat::Jsonl => crate::export::ExportFormat::Jsonl,
    };
    let max = args.max.unwrap_or(usize::MAX);
    let run = |w: &mut dyn Write| -> Result<usize, CommandError> {
        let mut w = std::io::BufWriter::new(w);
        crate::export::export(&index, &request, format, max, &mut w).map_err(|e| match e {
            crate::export::ExportError::Query(q) => CommandError::Query(q),
            crate::export::ExportError::Io(io) => CommandError::Io(io),
        })
    };
    let written = match &args.out {
        Some(path) => {
            let mut file = std::fs::File::create(path).map_err(|e| {
                CommandError::Input(format!("cannot create {}: {e}", path.display()))
            })?;
            let n = run(&mut file)?;
            eprintln!("kabar: wrote {n} articles to {}", path.display());
            n
        }
        None => run(out)?,
    };
    Ok(if written == 0 {
        Exit::NoResults
    } else {
        Exit::Ok
    })
}

// ---------------------------------------------------------------- serve

fn serve(config: &Config, args: &ServeArgs) -> Result<Exit, CommandError> {
    let mut config = config.clone();
    if let Some(addr) = &args.addr {
        config.web.addr = addr.clone();
    }
    if let Ok(token) = std::env::var("KABAR_WEB_TOKEN")
        && !token.is_empty()
    {
        config.web.token = token;
    }
    let runtime = runtime()?;
    runtime
        .block_on(crate::web::serve(config, async {
            wait_for_signal().await;
        }))
        .map_err(|e| match e {
            crate::web::ServeError::Index(i) => CommandError::Index(i),
            other => CommandError::Input(other.to_string()),
        })?;
    Ok(Exit::Ok)
}

// ---------------------------------------------------------------- extract

#[derive(Serialize)]
struct ExtractOutput {
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    status: crate::extract::ExtractStatus,
    title: String,
    text: String,
    published: Option<DateTime<Utc>>,
    modified: Option<DateTime<Utc>>,
    authors: Vec<String>,
    canonical_url: Option<String>,
    lang_declared: Option<String>,
    lang: String,
    lang_confidence: f64,
    encoding: String,
    truncated: bool,
}

/// File extensions `kabar extract DIR` picks up.
const PAGE_EXTENSIONS: &[&str] = &["html", "htm", "xhtml", "shtml"];

/// The files named, with folders expanded to the pages inside them
/// (recursively, sorted by path).
fn page_files(args: &[std::path::PathBuf]) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for arg in args {
        if !arg.is_dir() {
            files.push(arg.clone());
            continue;
        }
        let mut found = Vec::new();
        let mut dirs = vec![arg.clone()];
        while let Some(dir) = dirs.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| PAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
                {
                    found.push(path);
                }
            }
        }
        found.sort();
        files.extend(found);
    }
    files
}

fn extract(args: &ExtractArgs, out: &mut impl Write) -> Result<Exit, CommandError> {
    let url = args
        .url
        .as_deref()
        .map(|u| Url::parse(u).map_err(|e| CommandError::Input(format!("--url '{u}': {e}"))))
        .transpose()?;
    let fetched = match args.fetched.as_deref() {
        Some(t) => DateTime::parse_from_rfc3339(t)
            .map_err(|e| CommandError::Input(format!("--fetched '{t}': {e}")))?
            .with_timezone(&Utc),
        None => Utc::now(),
    };
    let files = page_files(&args.files);
    let many = files.len() > 1;
    let mut num_unreadable = 0;
    for file in &files {
        let bytes = if file.as_os_str() == "-" {
            let mut buf = Vec::new();
            std::io::stdin().read_to_end(&mut buf)?;
            buf
        } else {
            match read_file(file) {
                Ok(b) => b,
                // One unreadable file does not stop the others.
                Err(e) if many => {
                    eprintln!("kabar: {e}");
                    num_unreadable += 1;
                    continue;
                }
                Err(e) => return Err(e),
            }
        };
        let e = extract_page(&bytes, args.content_type.as_deref(), url.as_ref(), fetched);
        let sample = format!("{}\n{}", e.title, e.text);
        let lang = detect_language(&sample, e.lang_declared.as_deref(), &[]);
        let output = ExtractOutput {
            path: (args.json || many).then(|| file.display().to_string()),
            status: e.status,
            title: e.title,
            text: e.text,
            published: e.published,
            modified: e.modified,
            authors: e.authors,
            canonical_url: e.canonical_url.map(|u| u.to_string()),
            lang_declared: e.lang_declared,
            lang: lang.lang,
            lang_confidence: lang.confidence,
            encoding: e.encoding,
            truncated: e.truncated,
        };
        if args.json {
            json_line(out, &output)?;
        } else {
            print_extracted(&output, out)?;
        }
    }
    if num_unreadable > 0 {
        return Err(CommandError::Input(format!(
            "{num_unreadable} of {} files could not be read",
            files.len()
        )));
    }
    Ok(Exit::Ok)
}

fn print_extracted(output: &ExtractOutput, out: &mut impl Write) -> std::io::Result<()> {
    let none = || "-".to_string();
    if let Some(path) = &output.path {
        writeln!(out, "== {path}")?;
    }
    let status = if output.status.is_article() {
        output.status.to_string()
    } else {
        format!("{} ({})", output.status, output.status.reason())
    };
    writeln!(out, "status:        {status}")?;
    writeln!(out, "title:         {}", output.title)?;
    let date = |d: Option<DateTime<Utc>>| d.map(|d| d.to_rfc3339()).unwrap_or_else(none);
    writeln!(out, "published:     {}", date(output.published))?;
    writeln!(out, "modified:      {}", date(output.modified))?;
    writeln!(out, "authors:       {}", output.authors.join("; "))?;
    writeln!(
        out,
        "canonical_url: {}",
        output.canonical_url.clone().unwrap_or_else(none)
    )?;
    writeln!(
        out,
        "lang_declared: {}",
        output.lang_declared.clone().unwrap_or_else(none)
    )?;
    writeln!(
        out,
        "lang:          {} ({:.2})",
        output.lang, output.lang_confidence
    )?;
    let truncated = if output.truncated { " (truncated)" } else { "" };
    writeln!(out, "encoding:      {}{truncated}", output.encoding)?;
    writeln!(out)?;
    writeln!(out, "{}", output.text)?;
    Ok(())
}

// ---------------------------------------------------------------- eval

fn eval_extraction(args: &EvalExtractionArgs, out: &mut impl Write) -> Result<Exit, CommandError> {
    let (cases, skipped) =
        crate::eval::load(&args.dir).map_err(|e| CommandError::Input(e.to_string()))?;
    if cases.is_empty() {
        return Err(CommandError::Input(format!(
            "{}: no readable pages in items.jsonl",
            args.dir.display()
        )));
    }
    let mut report = match &args.answers {
        Some(path) => {
            let raw = std::fs::read_to_string(path)
                .map_err(|e| CommandError::Input(format!("cannot read {}: {e}", path.display())))?;
            let answers = raw
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(|(i, l)| {
                    serde_json::from_str(l).map_err(|e| {
                        CommandError::Input(format!("{}:{}: {e}", path.display(), i + 1))
                    })
                })
                .collect::<Result<Vec<crate::eval::Answer>, _>>()?;
            crate::eval::score_answers(&cases, &answers)
        }
        None => crate::eval::run(&cases, args.rounds),
    };
    report.skipped = skipped;
    if args.json {
        json_line(out, &report)?;
        return Ok(Exit::Ok);
    }
    for s in &report.skipped {
        eprintln!("kabar: skipped {s}");
    }
    if args.pages || args.worst.is_some() {
        let mut pages: Vec<_> = report.pages.iter().collect();
        pages.sort_by(|a, b| {
            let f = |p: &crate::eval::PageResult| {
                p.body.map(|s| s.f1).or(p.prefix_recall).unwrap_or(1.0)
            };
            f(a).total_cmp(&f(b))
        });
        writeln!(
            out,
            "{:<44} {:<6} {:>5} {:>5} {:>5} {:>6} {:>5} {:>5}",
            "page", "lang", "P", "R", "F1", "prefix", "title", "date"
        )?;
        pages.truncate(args.worst.unwrap_or(usize::MAX));
        for p in pages {
            let num = |x: Option<f64>| x.map(|x| format!("{x:.3}")).unwrap_or_else(|| "-".into());
            let ok = |x: Option<bool>| match x {
                Some(true) => "ok",
                Some(false) => "WRONG",
                None => "-",
            };
            writeln!(
                out,
                "{:<44} {:<6} {:>5} {:>5} {:>5} {:>6} {:>5} {:>5}  {}",
                truncate(&p.id, 44),
                p.lang,
                num(p.body.map(|s| s.precision)),
                num(p.body.map(|s| s.recall)),
                num(p.body.map(|s| s.f1)),
                num(p.prefix_recall),
                ok(p.title_lenient),
                ok(p.date_ok),
                p.status,
            )?;
        }
        writeln!(out)?;
    }
    writeln!(
        out,
        "{:<8} {:>5} {:>5} {:>6} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7} {:>5} {:>6}",
        "lang",
        "pages",
        "body",
        "P",
        "R",
        "F1",
        "prefix",
        "title=",
        "title~",
        "titles",
        "dates",
        "date"
    )?;
    let rows = report
        .by_lang
        .iter()
        .map(|(l, g)| (l.as_str(), g))
        .chain(std::iter::once(("ALL", &report.all)));
    for (lang, g) in rows {
        let pct = |n: usize, x: f64| {
            if n == 0 {
                "-".to_string()
            } else {
                format!("{x:.3}")
            }
        };
        writeln!(
            out,
            "{:<8} {:>5} {:>5} {:>6} {:>6} {:>6} {:>6} {:>7} {:>7} {:>7} {:>5} {:>6}",
            lang,
            g.num_pages,
            g.num_body,
            pct(g.num_body, g.body_precision),
            pct(g.num_body, g.body_recall),
            pct(g.num_body, g.body_f1),
            pct(g.num_prefix, g.prefix_recall),
            pct(g.num_title, g.title_exact),
            pct(g.num_title, g.title_lenient),
            g.num_title,
            g.num_date,
            pct(g.num_date, g.date_accuracy),
        )?;
    }
    let t = &report.throughput;
    writeln!(
        out,
        "\nthroughput: {:.1} pages/s on one core ({:.1} MB/s; {} pages x {} rounds in {:.2} s)",
        t.pages_per_second, t.megabytes_per_second, t.num_pages, t.rounds, t.seconds
    )?;
    Ok(Exit::Ok)
}

fn read_file(path: &Path) -> Result<Vec<u8>, CommandError> {
    std::fs::read(path)
        .map_err(|e| CommandError::Input(format!("cannot read {}: {e}", path.display())))
}

// ---------------------------------------------------------------- sources

fn sources_list(
    config: &Config,
    args: &SourcesListArgs,
    out: &mut impl Write,
) -> Result<Exit, CommandError> {
    let catalog = Catalog::load(&config.sources_dir)?;
    let selected: Vec<_> = catalog
        .sources
        .iter()
        .filter(|s| {
            args.region.is_empty()
                || args
                    .region
                    .iter()
                    .any(|r| r.eq_ignore_ascii_case(s.region.as_str()))
        })
        .filter(|s| {
            args.country.is_empty()
                || args
                    .country
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(&s.country))
        })
        .filter(|s| args.lang.is_empty() || args.lang.iter().any(|l| s.languages.contains(l)))
        .collect();
    if args.json {
        for s in &selected {
            json_line(out, s)?;
        }
        return Ok(Exit::Ok);
    }
    writeln!(
        out,
        "{:<24} {:<2} {:<6} {:<16} {:>5}  NAME",
        "ID", "CC", "REGION", "LANGUAGES", "FEEDS"
    )?;
    for s in &selected {
        let name = if s.enabled {
            s.name.clone()
        } else {
            format!("{} (disabled)", s.name)
        };
        writeln!(
            out,
            "{:<24} {:<2} {:<6} {:<16} {:>5}  {}",
            s.id,
            s.country,
            s.region.as_str(),
            truncate(&s.languages.join(","), 16),
            s.feeds.len(),
            name
        )?;
    }
    writeln!(out, "{} sources", selected.len())?;
    Ok(Exit::Ok)
}

fn sources_check(config: &Config, out: &mut impl Write) -> Result<Exit, CommandError> {
    let catalog = Catalog::load(&config.sources_dir)?;
    let num_feeds: usize = catalog.sources.iter().map(|s| s.feeds.len()).sum();
    let mut countries: Vec<&str> = catalog.sources.iter().map(|s| s.country.as_str()).collect();
    countries.sort_unstable();
    countries.dedup();
    writeln!(
        out,
        "ok: {} sources, {} feeds, {} countries in {} files under {}",
        catalog.sources.len(),
        num_feeds,
        countries.len(),
        catalog.num_files,
        catalog.root.display()
    )?;
    for region in crate::model::Region::ALL {
        let n = catalog
            .sources
            .iter()
            .filter(|s| s.region == region)
            .count();
        writeln!(out, "  {:<7} {n:>4} sources", region.as_str())?;
    }
    let missing: Vec<&str> = langs::FIRST_CLASS
        .iter()
        .copied()
        .filter(|l| {
            !catalog
                .enabled()
                .any(|s| s.languages.iter().any(|x| x == l))
        })
        .collect();
    if !missing.is_empty() {
        writeln!(
            out,
            "note: no enabled source in first-class language(s): {}",
            missing.join(", ")
        )?;
    }
    Ok(Exit::Ok)
}

// ---------------------------------------------------------------- topics

fn load_topics(config: &Config) -> Result<Topics, CommandError> {
    Topics::load(&config.topics_dir).map_err(|e| CommandError::Input(topics::format_errors(&e)))
}

fn topics_list(
    config: &Config,
    args: &TopicsListArgs,
    out: &mut impl Write,
) -> Result<Exit, CommandError> {
    let topics = load_topics(config)?;
    if args.json {
        for t in topics.topics() {
            json_line(out, t)?;
        }
    } else {
        topics::report::list(&topics, out)?;
    }
    Ok(Exit::Ok)
}

fn topics_check(config: &Config, out: &mut impl Write) -> Result<Exit, CommandError> {
    let topics = load_topics(config)?;
    topics::report::check(&topics, &config.topics_dir, out)?;
    Ok(Exit::Ok)
}

fn topics_test(
    config: &Config,
    args: &TopicsTestArgs,
    out: &mut impl Write,
) -> Result<Exit, CommandError> {
    let topics = load_topics(config)?;
    let mut text = args.text.clone();
    if text == "-" {
        text.clear();
        std::io::stdin().read_to_string(&mut text)?;
    }
    let found = if args.all {
        topics.find_all(&args.title, &text)
    } else {
        topics.find(&args.title, &text)
    };
    if args.json {
        for m in &found {
            json_line(out, m)?;
        }
    } else {
        topics::report::test(&found, &args.title, &text, out)?;
    }
    Ok(if found.is_empty() {
        Exit::NoResults
    } else {
        Exit::Ok
    })
}

// ---------------------------------------------------------------- analyze

/// One input line of `kabar analyze`.
#[derive(serde::Deserialize)]
struct AnalyzeInput {
    #[serde(default)]
    id: serde_json::Value,
    text: String,
    /// Optional: a headline, which weighs more for topics.
    #[serde(default)]
    title: String,
}

#[derive(Serialize)]
struct AnalyzeOutput<'a> {
    id: &'a serde_json::Value,
    lang: &'a str,
    lang_confidence: f64,
    topics: Vec<AnalyzeTopic<'a>>,
    sentiment: &'a crate::model::SentimentScore,
    /// 0 to 100, as the crawl computes it for an ordinary outlet.
    risk: f32,
}

#[derive(Serialize)]
struct AnalyzeTopic<'a> {
    id: &'a str,
    score: f32,
    terms: &'a [String],
    sentiment: &'a crate::model::SentimentScore,
}

/// Reads JSON Lines and writes one JSON line per input line; a malformed
/// line gets an error line naming it, and the rest goes on. Exit 2 when any
/// line was malformed.
fn analyze(
    config: &Config,
    args: &AnalyzeArgs,
    out: &mut impl Write,
) -> Result<Exit, CommandError> {
    use std::io::BufRead;

    let path = args.file.as_deref().filter(|p| p.as_os_str() != "-");
    if args.eval {
        let path = path.ok_or_else(|| CommandError::Input("--eval needs a file".into()))?;
        return analyze_eval(path, out);
    }
    let analyzer = crate::analyze::Analyzer::load(&config.topics_dir)
        .map_err(|e| CommandError::Input(e.to_string()))?;
    let input: Box<dyn BufRead> = match path {
        Some(p) => Box::new(std::io::BufReader::new(std::fs::File::open(p).map_err(
            |e| CommandError::Input(format!("cannot read {}: {e}", p.display())),
        )?)),
        None => Box::new(std::io::stdin().lock()),
    };
    let mut out = std::io::BufWriter::new(out);
    let mut num_malformed = 0usize;
    for (i, line) in input.split(b'\n').enumerate() {
        let line = line?;
        let line_no = i + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let parsed = std::str::from_utf8(&line)
            .map_err(|e| format!("not UTF-8: {e}"))
            .and_then(|l| serde_json::from_str::<AnalyzeInput>(l).map_err(|e| e.to_string()));
        match parsed {
            Ok(input) => {
                let sample = if input.title.is_empty() {
                    std::borrow::Cow::Borrowed(input.text.as_str())
                } else {
                    std::borrow::Cow::Owned(format!("{}\n{}", input.title, input.text))
                };
                let guess = detect_language(&sample, None, &[]);
                let analysis = analyzer.analyze(
                    &input.title,
                    &input.text,
                    &guess.lang,
                    crate::sources::catalog::DEFAULT_SOURCE_WEIGHT,
                );
                let output = AnalyzeOutput {
                    id: &input.id,
                    lang: &guess.lang,
                    lang_confidence: guess.confidence,
                    topics: analysis
                        .topics
                        .iter()
                        .map(|t| AnalyzeTopic {
                            id: &t.id,
                            score: t.score,
                            terms: &t.terms,
                            sentiment: &t.sentiment,
                        })
                        .collect(),
                    sentiment: &analysis.sentiment,
                    risk: analysis.risk,
                };
                serde_json::to_writer(&mut out, &output).map_err(std::io::Error::other)?;
            }
            Err(message) => {
                num_malformed += 1;
                let error = serde_json::json!({
                    "line": line_no,
                    "error": format!("line {line_no}: {message}"),
                });
                serde_json::to_writer(&mut out, &error).map_err(std::io::Error::other)?;
            }
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    if num_malformed > 0 {
        eprintln!("kabar: {num_malformed} malformed input line(s), reported in the output");
        return Ok(Exit::Usage);
    }
    Ok(Exit::Ok)
}

/// `kabar analyze --eval PATH`: accuracy per language and speed.
fn analyze_eval(path: &Path, out: &mut impl Write) -> Result<Exit, CommandError> {
    use crate::analyze::eval;

    let samples = eval::read_labelled(path).map_err(|e| CommandError::Input(e.to_string()))?;
    let short = eval::short_texts(&samples);
    let sentences_acc = eval::accuracy(&samples);
    let short_acc = eval::accuracy(&short);
    write!(out, "{}", eval::render(&sentences_acc, &short_acc))?;
    let per_second = eval::detections_per_second(&samples, 1.0);
    writeln!(
        out,
        "\n{per_second:.0} detections per second per core (one thread, its CPU time; {} texts)",
        samples.len()
    )?;
    Ok(Exit::Ok)
}

// ---------------------------------------------------------------- sentiment

/// `kabar eval sentiment PATH`: macro-F1, accuracy and confusion per language.
fn eval_sentiment(args: &EvalSentimentArgs, out: &mut impl Write) -> Result<Exit, CommandError> {
    use crate::sentiment::{SentimentModel, eval, train};

    let input = |e: train::TrainError| CommandError::Input(e.to_string());
    let files = train::jsonl_files(&args.path, "dev").map_err(input)?;
    let rows = train::read_rows(&files).map_err(input)?;
    if rows.is_empty() {
        return Err(CommandError::Input(format!(
            "no labelled rows in {}",
            args.path.display()
        )));
    }
    let loaded;
    let model = match &args.model {
        Some(path) => {
            let bytes = read_file(path)?;
            loaded = SentimentModel::from_bytes(&bytes)
                .map_err(|e| CommandError::Input(format!("{}: {e}", path.display())))?;
            &loaded
        }
        None => SentimentModel::shipped(),
    };
    let report = eval::evaluate(model, &rows);
    if args.json {
        json_line(out, &report)?;
    } else {
        write!(out, "{}", eval::render(&report))?;
    }
    Ok(Exit::Ok)
}

/// `kabar sentiment train`: rebuilds the model file.
fn sentiment_train(args: &SentimentTrainArgs, out: &mut impl Write) -> Result<Exit, CommandError> {
    use crate::sentiment::train;

    let input = |e: train::TrainError| CommandError::Input(e.to_string());
    let files = train::jsonl_files(&args.data, "train").map_err(input)?;
    let rows = train::read_rows(&files).map_err(input)?;
    let opts = train::TrainOptions {
        epochs: args.epochs,
        learning_rate: args.learning_rate,
        seed: args.seed,
        share_alike: args.share_alike,
        balance: args.balance,
    };
    let (bytes, summary) = train::train(&rows, &opts).map_err(input)?;
    if let Some(dir) = args.out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, &bytes)
        .map_err(|e| CommandError::Input(format!("cannot write {}: {e}", args.out.display())))?;
    for g in &summary.groups {
        writeln!(
            out,
            "{:<4} {:>6} rows, {} classes, 2^{} rows of weights",
            g.group, g.rows, g.classes, g.bits
        )?;
    }
    if summary.skipped_share_alike > 0 {
        writeln!(
            out,
            "left out {} share-alike rows (--share-alike to include them)",
            summary.skipped_share_alike
        )?;
    }
    let digest = crate::index::short_hash(&bytes);
    writeln!(
        out,
        "wrote {} ({} bytes, {digest})",
        args.out.display(),
        bytes.len()
    )?;
    Ok(Exit::Ok)
}

/// `kabar sentiment score TEXT`: the overall sentiment and its evidence.
fn sentiment_score(args: &SentimentScoreArgs, out: &mut impl Write) -> Result<Exit, CommandError> {
    use crate::sentiment::{SentimentModel, TopicMentions};

    let model = SentimentModel::shipped();
    // The whole text as one mention, to get its evidence.
    let whole = TopicMentions {
        topic: "text",
        spans: std::iter::once(0..args.text.len()).collect(),
    };
    let article = model.article(&args.text, &args.lang, &[whole]);
    let opinion = model.score(&args.text, &args.lang);
    json_line(
        out,
        &serde_json::json!({
            "sentiment": article.overall,
            "opinion": opinion,
            "evidence": article.topics.first().map(|t| &t.evidence),
        }),
    )?;
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_accepts_spans_and_dates_in_the_display_zone() {
        let tz: chrono_tz::Tz = "Asia/Singapore".parse().unwrap();
        let now: DateTime<Utc> = "2025-03-14T12:00:00Z".parse().unwrap();
        assert_eq!(
            parse_since("7d", now, &tz).unwrap().to_rfc3339(),
            "2025-03-07T12:00:00+00:00"
        );
        assert_eq!(
            parse_since("24h", now, &tz).unwrap().to_rfc3339(),
            "2025-03-13T12:00:00+00:00"
        );
        // Midnight in Singapore is 16:00 UTC the day before.
        assert_eq!(
            parse_since("2025-03-14", now, &tz).unwrap().to_rfc3339(),
            "2025-03-13T16:00:00+00:00"
        );
        assert_eq!(
            parse_until("2025-03-14", &tz).unwrap().to_rfc3339(),
            "2025-03-14T16:00:00+00:00"
        );
        assert!(
            parse_since("last tuesday", now, &tz)
                .unwrap_err()
                .contains("not a date")
        );
    }

    #[test]
    fn truncation_counts_columns_not_bytes() {
        assert_eq!(truncate("広告詐欺の被害", 8), "広告詐…");
        assert_eq!(truncate("short", 8), "short");
    }
}
