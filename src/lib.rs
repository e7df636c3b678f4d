//! kabar: a media-sentiment monitoring crawler for the people who guard a
//! platform's monetization (ads, scam ads, creator payouts, live shopping,
//! payments, gambling and loan ads) across Southeast, Northeast and South Asia.
//!
//! The library holds all logic; the `kabar` binary parses the command line and
//! maps outcomes to exit codes. Modules follow the flow of a crawl:
//!
//! ```text
//! sources ──► fetch ──► extract ──► analyze ──► index ──► query
//! (catalog,   (HTTP,     (HTML →     (language)   (Tantivy)  (the one
//!  feeds)      politeness) Article)                           search path)
//! ```
//!
//! [`web`] serves the index to analysts as pages and a JSON API, reading it
//! through [`query`] and [`trends`] like the CLI.
//!
//! [`pipeline`] wires them together; [`model`] holds the nouns they share and
//! [`charset`] the decoding of bytes that all of them read. See
//! ARCHITECTURE.md for one section per module.

/// jemalloc for every binary that links kabar (the CLI, tests and
/// benchmarks alike, so benchmarks measure what users run). See
/// [`MALLOC_CONF`] for its settings. The `system-allocator` feature leaves
/// it out, for heap profilers such as heaptrack that hook `malloc` and
/// cannot see jemalloc's allocations.
#[cfg(not(feature = "system-allocator"))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's settings, read when it starts: two arenas (the crawl has two
/// CPU workers and an index thread), freed pages returned to the system
/// after 100 ms, and no lazy ("muzzy") stage between. On the crawl bench
/// 100 ms held about 30 MiB less at the peak than 500 ms, with no CPU cost
/// the runs could resolve; 0 ms cost a third more CPU per article.
/// `_RJEM_MALLOC_CONF` in the environment adds to or overrides them.
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static MALLOC_CONF: MallocConf =
    MallocConf(c"narenas:2,dirty_decay_ms:100,muzzy_decay_ms:0".as_ptr());

/// A C string pointer jemalloc reads as its `malloc_conf` (`const char *`).
#[repr(transparent)]
pub struct MallocConf(*const std::ffi::c_char);

// SAFETY: the pointer is to a static C string that nothing writes.
unsafe impl Sync for MallocConf {}

pub mod analyze;
pub mod archive;
pub mod chars;
pub mod charset;
pub mod cli;
pub mod commands;
pub mod config;
pub mod digest;
pub mod eval;
pub mod export;
pub mod extract;
pub mod fetch;
pub mod filters;
pub mod index;
pub mod model;
pub mod pipeline;
pub mod query;
pub mod sentiment;
pub mod sources;
pub mod spikes;
pub mod state;
pub mod stories;
pub mod topics;
pub mod trends;
pub mod watchlist;
pub mod web;

pub use config::Config;
pub use model::{Article, Candidate, IndexedArticle, Page, Region, Source};
