//! The Tantivy index: opening it, its schema and analyzers, and the one writer.
//!
//! An article's id is derived from its canonical URL and every write is an
//! upsert (delete the id's term, add the document), so indexing the same
//! article twice, for instance after a crash between the index commit and the
//! crawl-state update, leaves one document. Reading goes through
//! [`crate::query`], never through this module directly.

pub mod schema;
pub mod tokenizer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use tantivy::schema::Value;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

pub use schema::{Fields, SCHEMA_VERSION};

use crate::model::IndexedArticle;

/// Memory the writer may buffer before it flushes a segment.
const WRITER_MEMORY_BYTES: usize = 64 * 1024 * 1024;

/// File next to the index that records the schema version it was built with.
const VERSION_FILE: &str = "kabar-schema-version";

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("no index at {0}: run `kabar crawl` first, or point --data at an existing data folder")]
    Missing(PathBuf),
    #[error(
        "the index at {path} was built with schema version {found}, this kabar uses {expected}: run `kabar reindex` to rebuild it from the archive (nothing is fetched), or delete the folder and crawl again"
    )]
    SchemaVersion {
        path: PathBuf,
        found: String,
        expected: u32,
    },
    #[error("cannot open the index at {path}: {source}")]
    Open {
        path: PathBuf,
        source: tantivy::TantivyError,
    },
    #[error("cannot write to the data folder {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tantivy(#[from] tantivy::TantivyError),
}

/// Most threads one search uses (one segment each at a time).
pub const SEARCH_THREADS: usize = 4;

/// An open article index.
#[derive(Clone)]
pub struct ArticleIndex {
    index: Index,
    fields: Fields,
    /// One reader shared by every call of [`ArticleIndex::reader`], reloaded
    /// when the index on disk changed. Opening a reader opens every segment
    /// (term dictionaries, fast-field headers, doc-store caches): a few
    /// milliseconds per search on a large index, and the caches start cold.
    reader: Arc<Mutex<Option<CachedReader>>>,
}

struct CachedReader {
    reader: IndexReader,
    generation: Generation,
}

/// What identifies a state of the index: the last commit's opstamp and the
/// segments with their deletes (a merge changes the segments, not the
/// opstamp).
#[derive(Debug, PartialEq, Eq)]
struct Generation {
    opstamp: u64,
    segments: Vec<(tantivy::index::SegmentId, u32)>,
}

impl Generation {
    fn of(meta: &tantivy::IndexMeta) -> Generation {
        let mut segments: Vec<_> = meta
            .segments
            .iter()
            .map(|s| (s.id(), s.num_deleted_docs()))
            .collect();
        segments.sort();
        Generation {
            opstamp: meta.opstamp,
            segments,
        }
    }
}

impl ArticleIndex {
    /// Opens the index in `dir`, creating it (and `dir`) when absent.
    pub fn open_or_create(dir: &Path) -> Result<ArticleIndex, IndexError> {
        std::fs::create_dir_all(dir).map_err(|source| IndexError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let version_path = dir.join(VERSION_FILE);
        let fresh = !dir.join("meta.json").exists();
        if !fresh {
            check_version(dir)?;
        }
        let mmap = tantivy::directory::MmapDirectory::open(dir).map_err(|e| IndexError::Open {
            path: dir.to_path_buf(),
            source: e.into(),
        })?;
        let index = Index::open_or_create(mmap, schema::build_schema()).map_err(|source| {
            IndexError::Open {
                path: dir.to_path_buf(),
                source,
            }
        })?;
        if fresh {
            std::fs::write(&version_path, SCHEMA_VERSION.to_string()).map_err(|source| {
                IndexError::Io {
                    path: version_path.clone(),
                    source,
                }
            })?;
        }
        Self::from_index(index)
    }

    /// Opens an existing index for reading; a missing index is an error that
    /// tells the user to crawl first.
    pub fn open(dir: &Path) -> Result<ArticleIndex, IndexError> {
        if !dir.join("meta.json").exists() {
            return Err(IndexError::Missing(dir.to_path_buf()));
        }
        check_version(dir)?;
        let index = Index::open_in_dir(dir).map_err(|source| IndexError::Open {
            path: dir.to_path_buf(),
            source,
        })?;
        Self::from_index(index)
    }

    /// An index in memory, for tests.
    pub fn create_in_ram() -> ArticleIndex {
        Self::from_index(Index::create_in_ram(schema::build_schema()))
            .expect("the schema has every field")
    }

    fn from_index(mut index: Index) -> Result<ArticleIndex, IndexError> {
        register_analyzers(&index);
        // Searches visit segments on up to SEARCH_THREADS threads: a large
        // match set is counted on every core, not one.
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(SEARCH_THREADS);
        if threads > 1 {
            index.set_multithread_executor(threads)?;
        }
        let fields = Fields::from_schema(&index.schema())?;
        Ok(ArticleIndex {
            index,
            fields,
            reader: Arc::new(Mutex::new(None)),
        })
    }

    pub fn fields(&self) -> Fields {
        self.fields
    }

    pub fn tantivy(&self) -> &Index {
        &self.index
    }

    /// A reader that sees each commit as soon as it is made (by this
    /// process or another): the shared reader, reloaded first when the
    /// index's `meta.json` names another commit or other segments than the
    /// reader has. Checking costs one small file read.
    pub fn reader(&self) -> Result<IndexReader, IndexError> {
        let generation = Generation::of(&self.index.load_metas()?);
        let mut cache = self.reader.lock().unwrap_or_else(|e| e.into_inner());
        match cache.as_mut() {
            Some(c) if c.generation == generation => {}
            Some(c) => {
                c.reader.reload()?;
                c.generation = generation;
            }
            None => {
                let reader = self
                    .index
                    .reader_builder()
                    .reload_policy(ReloadPolicy::Manual)
                    .try_into()?;
                *cache = Some(CachedReader { reader, generation });
            }
        }
        Ok(cache.as_ref().expect("set above").reader.clone())
    }

    /// The single writer. Tantivy takes a lock file, so a second crawl on the
    /// same data folder fails here rather than corrupting the index.
    pub fn writer(&self) -> Result<ArticleWriter, IndexError> {
        let writer = self.index.writer_with_num_threads(1, WRITER_MEMORY_BYTES)?;
        Ok(ArticleWriter {
            writer,
            fields: self.fields,
            num_pending: 0,
        })
    }
}

fn check_version(dir: &Path) -> Result<(), IndexError> {
    let found = std::fs::read_to_string(dir.join(VERSION_FILE))
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "unknown".to_string());
    if found != SCHEMA_VERSION.to_string() {
        return Err(IndexError::SchemaVersion {
            path: dir.to_path_buf(),
            found,
            expected: SCHEMA_VERSION,
        });
    }
    Ok(())
}

/// Registers kabar's analyzers on an index. Every index handle needs this
/// before it tokenizes a document or a query.
pub fn register_analyzers(index: &Index) {
    index.tokenizers().register(
        tokenizer::ANALYZER,
        TextAnalyzer::builder(tokenizer::MultiScriptTokenizer::default()).build(),
    );
}

/// The stable document id for a canonical URL: 16 bytes of SHA-256, in hex.
pub fn article_id(canonical_url: &str) -> String {
    short_hash(canonical_url.as_bytes())
}

/// 16 bytes of SHA-256 in hex: the ids of documents and of body texts.
pub fn short_hash(bytes: &[u8]) -> String {
    hex16(&Sha256::digest(bytes))
}

/// The first 16 bytes of a SHA-256 digest in hex, as [`short_hash`] gives
/// them (for callers that feed the hasher in pieces).
pub fn hex16(digest: &[u8]) -> String {
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// Converts a chrono UTC time for a Tantivy date field.
pub fn to_tantivy_date(t: DateTime<Utc>) -> tantivy::DateTime {
    tantivy::DateTime::from_timestamp_secs(t.timestamp())
}

/// Converts a Tantivy date back to chrono.
pub fn from_tantivy_date(t: tantivy::DateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(t.into_timestamp_secs(), 0).unwrap_or_default()
}

/// The one index writer: upserts articles and commits on request.
pub struct ArticleWriter {
    writer: IndexWriter,
    fields: Fields,
    num_pending: usize,
}

impl ArticleWriter {
    /// Adds `article`, replacing any document with the same id. Visible to
    /// readers only after [`ArticleWriter::commit`].
    pub fn upsert(&mut self, article: &IndexedArticle) -> Result<(), IndexError> {
        let f = self.fields;
        self.writer
            .delete_term(Term::from_field_text(f.id, &article.id));
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &article.id);
        doc.add_text(f.url, &article.url);
        doc.add_text(f.source, &article.source);
        doc.add_text(f.country, &article.country);
        doc.add_text(f.region, &article.region);
        doc.add_text(f.lang, &article.lang);
        doc.add_text(f.title, &article.title);
        doc.add_text(f.body, &article.body);
        for author in &article.authors {
            doc.add_text(f.authors, author);
        }
        if let Some(p) = article.published {
            doc.add_date(f.published, to_tantivy_date(p));
        }
        doc.add_date(f.fetched, to_tantivy_date(article.fetched));
        doc.add_date(
            f.date,
            to_tantivy_date(article.published.unwrap_or(article.fetched)),
        );
        if let Some(id) = &article.warc_id {
            doc.add_text(f.warc_id, id);
        }
        let mut tone = std::collections::BTreeMap::new();
        for topic in &article.topics {
            tone.insert(
                topic.id.clone(),
                tantivy::schema::OwnedValue::F64(f64::from(topic.sentiment.score)),
            );
        }
        if !tone.is_empty() {
            doc.add_object(f.topic_tone, tone);
        }
        for topic in &article.topics {
            doc.add_text(f.topic, &topic.id);
            doc.add_text(
                f.topic_sentiment,
                topic_sentiment_term(&topic.id, topic.sentiment.label),
            );
        }
        doc.add_u64(f.simhash, article.simhash);
        let story = if article.story.is_empty() {
            &article.id
        } else {
            &article.story
        };
        doc.add_text(f.story, story);
        doc.add_text(f.sentiment, article.sentiment.label.as_str());
        doc.add_f64(f.sentiment_score, f64::from(article.sentiment.score));
        doc.add_f64(f.risk, f64::from(article.risk));
        let analysis = StoredAnalysisRef {
            topics: &article.topics,
            sentiment: article.sentiment,
            risk: article.risk,
            evidence: &article.evidence,
        };
        doc.add_text(
            f.analysis,
            serde_json::to_string(&analysis).expect("analysis serialises"),
        );
        self.writer.add_document(doc)?;
        self.num_pending += 1;
        Ok(())
    }

    /// Documents added since the last commit.
    pub fn num_pending(&self) -> usize {
        self.num_pending
    }

    /// Makes everything added so far durable and visible.
    pub fn commit(&mut self) -> Result<(), IndexError> {
        self.writer.commit()?;
        self.num_pending = 0;
        Ok(())
    }

    /// Commits and waits for merges so the folder is left tidy.
    pub fn finish(mut self) -> Result<(), IndexError> {
        if self.num_pending > 0 {
            self.commit()?;
        }
        self.writer.wait_merging_threads()?;
        Ok(())
    }
}

/// What story grouping needs to know of an indexed article.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryRecord {
    pub id: String,
    pub source: String,
    pub date: DateTime<Utc>,
    pub simhash: u64,
    pub story: String,
}

impl ArticleIndex {
    /// Every article dated at or after `since`, oldest first, read from the
    /// fast columns (no stored document is decompressed).
    pub fn story_records(&self, since: DateTime<Utc>) -> Result<Vec<StoryRecord>, IndexError> {
        let searcher = self.reader()?.searcher();
        let mut out = Vec::new();
        for segment in searcher.segment_readers() {
            let fast = segment.fast_fields();
            let (Some(ids), Some(sources), Some(stories)) =
                (fast.str("id")?, fast.str("source")?, fast.str("story")?)
            else {
                continue;
            };
            let dates = fast.date("date")?;
            let hashes = fast.u64("simhash")?;
            let read = |col: &tantivy::columnar::StrColumn, doc: u32| -> String {
                let mut s = String::new();
                if let Some(ord) = col.term_ords(doc).next() {
                    let _ = col.ord_to_str(ord, &mut s);
                }
                s
            };
            for doc in segment.doc_ids_alive() {
                let Some(date) = dates.first(doc).map(from_tantivy_date) else {
                    continue;
                };
                if date < since {
                    continue;
                }
                out.push(StoryRecord {
                    id: read(&ids, doc),
                    source: read(&sources, doc),
                    date,
                    simhash: hashes.first(doc).unwrap_or_default(),
                    story: read(&stories, doc),
                });
            }
        }
        out.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.id.cmp(&b.id)));
        Ok(out)
    }
}

/// The `analysis` field's JSON.
#[derive(serde::Serialize, serde::Deserialize, Default)]
struct StoredAnalysis {
    #[serde(default)]
    topics: Vec<crate::model::TopicScore>,
    #[serde(default)]
    sentiment: crate::model::SentimentScore,
    #[serde(default)]
    risk: f32,
    #[serde(default)]
    evidence: Vec<crate::model::TopicEvidence>,
}

/// [`StoredAnalysis`] borrowed from an article, for writing without
/// cloning its topics and evidence (same JSON).
#[derive(serde::Serialize)]
struct StoredAnalysisRef<'a> {
    topics: &'a [crate::model::TopicScore],
    sentiment: crate::model::SentimentScore,
    risk: f32,
    evidence: &'a [crate::model::TopicEvidence],
}

/// The `topic_sentiment` term for a topic and a label.
pub fn topic_sentiment_term(topic: &str, label: crate::model::SentimentLabel) -> String {
    format!("{topic}:{}", label.as_str())
}

/// Reads an [`IndexedArticle`] back from a stored document.
pub fn article_from_doc(fields: &Fields, doc: &TantivyDocument) -> IndexedArticle {
    let text = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let date = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_datetime())
            .map(from_tantivy_date)
    };
    let analysis: StoredAnalysis = doc
        .get_first(fields.analysis)
        .and_then(|v| v.as_str())
        .and_then(|json| serde_json::from_str(json).ok())
        .unwrap_or_default();
    IndexedArticle {
        id: text(fields.id),
        url: text(fields.url),
        source: text(fields.source),
        country: text(fields.country),
        region: text(fields.region),
        lang: text(fields.lang),
        title: text(fields.title),
        body: text(fields.body),
        published: date(fields.published),
        fetched: date(fields.fetched).unwrap_or_default(),
        authors: doc
            .get_all(fields.authors)
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        warc_id: Some(text(fields.warc_id)).filter(|s| !s.is_empty()),
        simhash: doc
            .get_first(fields.simhash)
            .and_then(|v| v.as_u64())
            .unwrap_or_default(),
        story: text(fields.story),
        topics: analysis.topics,
        sentiment: analysis.sentiment,
        risk: analysis.risk,
        evidence: analysis.evidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(url: &str, title: &str) -> IndexedArticle {
        IndexedArticle {
            id: article_id(url),
            url: url.into(),
            source: "s".into(),
            country: "TH".into(),
            region: "sea".into(),
            lang: "th".into(),
            title: title.into(),
            body: "ธนาคารเตือนโฆษณาหลอกลวง".into(),
            published: None,
            fetched: Utc::now(),
            authors: vec!["A".into()],
            warc_id: None,
            ..Default::default()
        }
    }

    #[test]
    fn upsert_keeps_one_document_per_url() {
        let index = ArticleIndex::create_in_ram();
        let mut w = index.writer().unwrap();
        w.upsert(&article("http://a.test/1", "first")).unwrap();
        w.commit().unwrap();
        w.upsert(&article("http://a.test/1", "second")).unwrap();
        w.upsert(&article("http://a.test/2", "other")).unwrap();
        w.commit().unwrap();
        let reader = index.reader().unwrap();
        reader.reload().unwrap();
        assert_eq!(reader.searcher().num_docs(), 2);
    }

    #[test]
    fn ids_are_stable_and_distinct() {
        assert_eq!(article_id("http://a.test/1"), article_id("http://a.test/1"));
        assert_ne!(article_id("http://a.test/1"), article_id("http://a.test/2"));
        assert_eq!(article_id("x").len(), 32);
    }

    #[test]
    fn a_second_writer_is_refused_while_one_is_open() {
        let dir = tempfile::tempdir().unwrap();
        let index = ArticleIndex::open_or_create(dir.path()).unwrap();
        let _w = index.writer().unwrap();
        assert!(index.writer().is_err());
    }
}
