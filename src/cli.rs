//! Command-line definitions (clap). Parsing only; [`crate::commands`] runs them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// kabar watches the news across Southeast, Northeast and South Asia for
/// monetization risks: scam ads, gambling and loan ads, creator payouts,
/// live shopping, payments, and the regulators chasing them.
#[derive(Debug, Parser)]
#[command(name = "kabar", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts, before or after its name.
#[derive(Debug, Args, Clone, Default)]
pub struct GlobalArgs {
    /// Data folder: index, crawl state, archive [default: index]
    #[arg(long, global = true, env = "KABAR_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Source catalog folder [default: sources]
    #[arg(long, global = true, env = "KABAR_SOURCES", value_name = "DIR")]
    pub sources: Option<PathBuf>,
    /// Topic pack folder [default: topics]
    #[arg(long, global = true, env = "KABAR_TOPICS", value_name = "DIR")]
    pub topics: Option<PathBuf>,
    /// Config file [default: ./kabar.toml when present]
    #[arg(long, global = true, env = "KABAR_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// More log output on stderr (-v info, -vv debug); KABAR_LOG overrides
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Poll every feed of the catalog, fetch new articles and index them
    Crawl(CrawlArgs),
    /// Keep crawling: poll each feed when it is due, until SIGINT or SIGTERM
    Run(RunArgs),
    /// Rebuild the index from the archive, fetching nothing
    Reindex(ReindexArgs),
    /// Search the index
    Search(SearchArgs),
    /// Extract the article from saved HTML files, as the crawl would
    Extract(ExtractArgs),
    /// Measure a stage against pages with known answers
    #[command(subcommand)]
    Eval(EvalCommand),
    /// List or check the source catalog
    #[command(subcommand)]
    Sources(SourcesCommand),
    /// Build one day's digest for a profile: print it, write it, or send it
    Digest(DigestArgs),
    /// List, check or try the topic packs (concept packs)
    #[command(subcommand)]
    Topics(TopicsCommand),
    /// Detect the language of JSON Lines texts ({"id", "text"} per line)
    Analyze(AnalyzeArgs),
    /// Volumes and sentiment per day (or hour) by topic, region, country,
    /// language or source, with a sparkline per row
    Trends(TrendsArgs),
    /// Train or try the sentiment model
    #[command(subcommand)]
    Sentiment(SentimentCommand),
    /// Write every article matching a search as CSV or JSON Lines
    Export(ExportArgs),
    /// Serve the search page and the JSON API (see README: `kabar serve`)
    Serve(ServeArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DigestFormat {
    Html,
    Text,
    Md,
    Json,
}

#[derive(Debug, Args)]
pub struct DigestArgs {
    /// The local day to cover, YYYY-MM-DD [default: yesterday in the
    /// profile's time zone]
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// A profile from the configuration ([[digest.profiles]]) [default: the
    /// first one, or everything when none is configured]
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: DigestFormat,
    /// Write to this file instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Send it by email (through the outbox: kept and retried if the server
    /// is down, never sent twice for a profile and day)
    #[arg(long)]
    pub send: bool,
    /// SMTP server for this run: smtp://HOST:PORT (plain),
    /// smtp+starttls://HOST:PORT, smtps://HOST:PORT; password from
    /// KABAR_SMTP_PASSWORD
    #[arg(long, value_name = "URL", requires = "send")]
    pub smtp: Option<String>,
    /// Recipient for this run instead of the profile's (repeatable)
    #[arg(long, value_name = "ADDRESS", requires = "send")]
    pub to: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DimensionArg {
    Topic,
    Region,
    Country,
    Lang,
    Source,
}

#[derive(Debug, Args)]
pub struct TrendsArgs {
    /// Only articles matching this query (search syntax); all by default
    #[arg(value_name = "QUERY", num_args = 0..)]
    pub query: Vec<String>,
    /// One row per value of this
    #[arg(long, value_enum, default_value = "topic")]
    pub by: DimensionArg,
    /// Only this topic (repeatable); with one topic, sentiment is about it
    #[arg(long, value_name = "T")]
    pub topic: Vec<String>,
    /// Only this region: sea, nea, sa, global (repeatable)
    #[arg(long, value_name = "R")]
    pub region: Vec<String>,
    /// Only this country, ISO 3166-1 alpha-2 (repeatable)
    #[arg(long, value_name = "C")]
    pub country: Vec<String>,
    /// Only this language (repeatable)
    #[arg(long, value_name = "L")]
    pub lang: Vec<String>,
    /// Only this source id (repeatable)
    #[arg(long, value_name = "S")]
    pub source: Vec<String>,
    /// Days to show, ending today (display time zone)
    #[arg(long, default_value_t = 30, value_name = "N", conflicts_with = "hours")]
    pub days: usize,
    /// Show this many hours instead of days, ending this hour
    #[arg(long, value_name = "N")]
    pub hours: Option<usize>,
    /// The whole table as one JSON object
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// One CSV line per row and period: key,start,count,negative,sentiment
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Subcommand)]
pub enum SentimentCommand {
    /// Rebuild the sentiment model from labelled JSON Lines, reproducibly
    /// (same data and options, same bytes)
    Train(SentimentTrainArgs),
    /// Score one text: overall sentiment and the clauses behind it (JSON)
    Score(SentimentScoreArgs),
}

#[derive(Debug, Args)]
pub struct SentimentTrainArgs {
    /// Labelled data: a folder with train/*.jsonl, a folder of *.jsonl or a file
    #[arg(long, value_name = "DIR", default_value = crate::sentiment::train::DEFAULT_DATA)]
    pub data: PathBuf,
    /// Where to write the model
    #[arg(long, value_name = "FILE", default_value = crate::sentiment::train::DEFAULT_OUT)]
    pub out: PathBuf,
    /// Also train on share-alike rows (NusaX, CC-BY-SA-4.0); the model file
    /// must then be shared under CC-BY-SA-4.0 and is not the shipped one
    #[arg(long)]
    pub share_alike: bool,
    /// Passes over the data
    #[arg(long, default_value_t = crate::sentiment::train::DEFAULT_EPOCHS)]
    pub epochs: usize,
    /// AdaGrad learning rate
    #[arg(long, default_value_t = crate::sentiment::train::DEFAULT_LEARNING_RATE)]
    pub learning_rate: f32,
    /// Seed of the epoch shuffles
    #[arg(long, default_value_t = crate::sentiment::train::DEFAULT_SEED)]
    pub seed: u64,
    /// Class-weight exponent for every group, overriding each group's own
    /// (0: as the data comes, 1: classes weigh equally)
    #[arg(long)]
    pub balance: Option<f32>,
}

#[derive(Debug, Args)]
pub struct SentimentScoreArgs {
    /// The text
    pub text: String,
    /// Its language (kabar code: en, th, zh-Hant ...); empty: by script
    #[arg(long, default_value = "")]
    pub lang: String,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// JSON Lines file; - or nothing for standard input
    pub file: Option<PathBuf>,
    /// Measure instead: read labelled JSON Lines ({"text", "lang"}) from FILE
    /// or a folder of *.jsonl, print accuracy per language on the texts and
    /// on 2-3 word cuts of them, and detections per second
    #[arg(long, requires = "file")]
    pub eval: bool,
}

#[derive(Debug, Args)]
pub struct CrawlArgs {
    /// Crawl only this source (repeatable)
    #[arg(long = "source", value_name = "ID")]
    pub only: Vec<String>,
    /// Print the summary as one JSON object instead of a table
    #[arg(long)]
    pub json: bool,
    /// No progress bars, even on a terminal
    #[arg(long)]
    pub no_progress: bool,
    /// Allow requests to private, loopback and link-local addresses
    /// (config: crawl.allow_private)
    #[arg(long)]
    pub allow_private: bool,
}

#[derive(Debug, Args)]
pub struct ReindexArgs {
    /// Print the summary as one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Allow requests to private, loopback and link-local addresses
    /// (config: crawl.allow_private)
    #[arg(long)]
    pub allow_private: bool,
    /// Print each cycle's summary as one JSON line on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    Relevance,
    Newest,
    /// Highest risk score first
    Risk,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SentimentArg {
    Negative,
    Neutral,
    Positive,
}

/// The filters `kabar search` and `kabar export` share (see
/// [`crate::filters`]).
#[derive(Debug, Args, Clone)]
pub struct FilterArgs {
    /// Query in Tantivy syntax: words, AND / OR / NOT, "phrases", field:term
    /// (fields: title, body, authors). Empty matches everything.
    #[arg(value_name = "QUERY", num_args = 0..)]
    pub query: Vec<String>,
    /// Only this region: sea, nea, sa, global (repeatable)
    #[arg(long, value_name = "R")]
    pub region: Vec<String>,
    /// Only this country, ISO 3166-1 alpha-2 (repeatable)
    #[arg(long, value_name = "C")]
    pub country: Vec<String>,
    /// Only this language: en, th, zh-Hans, ... (repeatable)
    #[arg(long, value_name = "L")]
    pub lang: Vec<String>,
    /// Only this source id (repeatable)
    #[arg(long, value_name = "S")]
    pub source: Vec<String>,
    /// Only articles about this topic (repeatable; see `kabar topics list`)
    #[arg(long, value_name = "T")]
    pub topic: Vec<String>,
    /// Only this sentiment (repeatable): about the --topic topics when given,
    /// else the article's overall sentiment
    #[arg(long, value_enum, value_name = "S")]
    pub sentiment: Vec<SentimentArg>,
    /// Only articles with at least this risk score (0 to 100)
    #[arg(long, value_name = "X")]
    pub min_risk: Option<f32>,
    /// From this date (YYYY-MM-DD in the display time zone, or RFC 3339), or
    /// a span back from now: 24h, 7d, 2w
    #[arg(long, value_name = "DATE|SPAN")]
    pub since: Option<String>,
    /// Up to and including this date (YYYY-MM-DD or RFC 3339)
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    #[arg(long, value_enum, default_value = "relevance")]
    pub sort: SortArg,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Hits to show
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub limit: usize,
    /// Hits to skip (for paging)
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub offset: usize,
    /// One JSON object per hit per line, with every stored field
    #[arg(long)]
    pub json: bool,
    /// Also count the matches per region, country, language, topic,
    /// sentiment, source and date range (with --json: a last line
    /// {"facets": ...})
    #[arg(long)]
    pub facets: bool,
    /// Show what drove each hit's topics and sentiment: the matched terms
    /// and the scored sentences (with --json: an "evidence" field)
    #[arg(long)]
    pub explain: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// UTF-8 with a byte-order mark, so Excel keeps Thai and CJK text
    Csv,
    /// One JSON object per article per line
    Jsonl,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub filters: FilterArgs,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: ExportFormat,
    /// Write here instead of standard output
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Stop after this many articles [default: all that match]
    #[arg(long, value_name = "N")]
    pub max: Option<usize>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (config: web.addr) [default: 127.0.0.1:8080].
    /// Any address other than loopback needs a token (web.token or
    /// KABAR_WEB_TOKEN)
    #[arg(long, value_name = "IP:PORT")]
    pub addr: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Saved HTML files (raw bytes, any encoding) or folders of them
    /// (*.html, *.htm); - for standard input
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The page's URL, to resolve relative links and read dates from the path
    #[arg(long)]
    pub url: Option<String>,
    /// The HTTP Content-Type the page was served with (its charset counts)
    #[arg(long, value_name = "TYPE")]
    pub content_type: Option<String>,
    /// When the page was fetched (RFC 3339), for relative dates such as
    /// "2 hours ago" [default: now]
    #[arg(long, value_name = "TIME")]
    pub fetched: Option<String>,
    /// One JSON object per file per line, with its path
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Score extraction on a folder of pages with expected output
    /// (DIR/items.jsonl; see ARCHITECTURE.md) and time it
    Extraction(EvalExtractionArgs),
    /// Score sentiment on labelled JSON Lines ({"text", "label", "lang"}):
    /// macro-F1, accuracy and confusion counts per language
    Sentiment(EvalSentimentArgs),
}

#[derive(Debug, Args)]
pub struct EvalSentimentArgs {
    /// A JSON Lines file, or a folder of *.jsonl (with a dev/ folder, that one)
    pub path: PathBuf,
    /// Evaluate this model file instead of the shipped one
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// The whole report as one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EvalExtractionArgs {
    /// Folder holding items.jsonl and the pages it names
    pub dir: PathBuf,
    /// Timed passes over all pages for throughput (after the scoring pass)
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub rounds: usize,
    /// Also list every page with its scores, worst body F1 first
    #[arg(long)]
    pub pages: bool,
    /// Also list only the N pages with the worst body F1 (or prefix recall)
    #[arg(long, value_name = "N")]
    pub worst: Option<usize>,
    /// Score another extractor's output instead of running kabar's: JSON
    /// lines of {"id", "text", "title", "published"}
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,
    /// The whole report as one JSON object
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum SourcesCommand {
    /// List the catalog's sources
    List(SourcesListArgs),
    /// Validate every catalog file; errors name the file and line
    Check,
    /// Each source's health: last success, last error, articles per day, status
    Health(SourcesHealthArgs),
}

#[derive(Debug, Args)]
pub struct SourcesHealthArgs {
    /// Only sources in this state: paused, failing, silent, new, ok (repeatable)
    #[arg(long, value_name = "STATUS")]
    pub status: Vec<String>,
    /// One JSON object per source per line
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SourcesListArgs {
    /// Only this region (repeatable)
    #[arg(long, value_name = "R")]
    pub region: Vec<String>,
    /// Only this country (repeatable)
    #[arg(long, value_name = "C")]
    pub country: Vec<String>,
    /// Only sources publishing in this language (repeatable)
    #[arg(long, value_name = "L")]
    pub lang: Vec<String>,
    /// One JSON object per source per line
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum TopicsCommand {
    /// List the topics: id, version, name and terms per language
    List(TopicsListArgs),
    /// Validate every pack; problems name the file, line and column
    Check,
    /// Show which topics a text is about, with each matched term and score
    Test(TopicsTestArgs),
}

#[derive(Debug, Args)]
pub struct TopicsListArgs {
    /// One JSON object per topic per line
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TopicsTestArgs {
    /// The text (body) to match; - for standard input
    #[arg(value_name = "TEXT")]
    pub text: String,
    /// A title to match with it (title hits weigh more)
    #[arg(long, value_name = "T", default_value = "")]
    pub title: String,
    /// Also show topics scoring under the reporting threshold
    #[arg(long)]
    pub all: bool,
    /// One JSON object per topic per line
    #[arg(long)]
    pub json: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_options_go_before_or_after_the_command() {
        let a = Cli::try_parse_from(["kabar", "--data", "d", "search", "x"]).unwrap();
        let b = Cli::try_parse_from(["kabar", "search", "x", "--data", "d"]).unwrap();
        assert_eq!(a.global.data, b.global.data);
        assert_eq!(a.global.data, Some(PathBuf::from("d")));
    }
}
