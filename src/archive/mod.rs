//! The archive: every fetched response kept in WARC files, so that better
//! extraction or analysis can reach old articles without fetching again.
//!
//! Files are WARC 1.1 (`data/archive/kabar-<time>-<seq>.warc.gz`), one gzip
//! member per record so a reader can start at any record and a torn write
//! loses one record, never the file; a file is closed and a new one started
//! past `archive.max_file_bytes`. Each fetch writes a `response` record (the
//! HTTP status line, headers and the body as kabar received it, that is
//! after content decoding, so `Content-Encoding` is dropped and
//! `Content-Length` restated) and a `metadata` record concurrent to it with
//! what kabar knew about the fetch (source, what kind of page, the feed's
//! hints) as JSON. The response record's id is stored on the article as
//! evidence.
//!
//! The pipeline syncs the archive to disk before each index commit, so an
//! article that is in the index always has its response in the archive.
//!
//! Beside each file the writer keeps a sidecar, `<file>.idx`, with one line
//! per response record: the byte offset of its gzip member in the file and
//! its record id. [`RecordIndex`] (in [`lookup`]) reads the sidecars to find
//! one record by id without decompressing whole files; an archive written
//! before sidecars existed gets them from a one-time scan.

pub mod lookup;

pub use lookup::{RecordIndex, is_record_id, normalize_record_id};

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, SecondsFormat, Utc};
use flate2::Compression;
use flate2::read::MultiGzDecoder;
use flate2::write::DeflateEncoder;
use serde::{Deserialize, Serialize};

use crate::model::Page;

/// Start a new file once the current one is larger than this.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("archive {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("archive {path}: malformed WARC record at byte {offset}: {message}")]
    Malformed {
        path: PathBuf,
        offset: u64,
        message: String,
    },
}

/// What kabar knew about a fetch, stored beside the response.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FetchMeta {
    /// `article`, `feed`, `sitemap`, `section`, `homepage`.
    pub kind: String,
    pub source: String,
    /// The URL that was asked for (the response's target is the final URL).
    pub requested_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feed_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_hint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_hint: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors_hint: Vec<String>,
}

/// Appends records to the archive folder.
pub struct ArchiveWriter {
    dir: PathBuf,
    max_file_bytes: u64,
    current: Option<(PathBuf, BufWriter<File>, u64)>,
    /// The current file's sidecar (`<file>.idx`).
    sidecar: Option<(PathBuf, BufWriter<File>)>,
    seq: u32,
}

/// The sidecar of an archive file: `<file>.idx`.
pub fn sidecar_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_os_string();
    name.push(".idx");
    PathBuf::from(name)
}

impl ArchiveWriter {
    pub fn open(dir: &Path, max_file_bytes: u64) -> Result<ArchiveWriter, ArchiveError> {
        std::fs::create_dir_all(dir).map_err(|source| ArchiveError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(ArchiveWriter {
            dir: dir.to_path_buf(),
            max_file_bytes: max_file_bytes.max(1),
            current: None,
            sidecar: None,
            seq: 0,
        })
    }

    /// Writes the response and its metadata; returns the response's record id.
    pub fn write(&mut self, page: &Page, meta: &FetchMeta) -> Result<String, ArchiveError> {
        self.append_pair(CompressedPair::new(page, meta))
    }

    /// Appends a pair compressed beforehand by [`CompressedPair::new`];
    /// returns the response's record id. The pipeline compresses outside
    /// the lock around the writer, so workers share only the file append.
    pub fn append_pair(&mut self, pair: CompressedPair) -> Result<String, ArchiveError> {
        // The pair goes into one file: rotating between them would part a
        // response from its metadata.
        if self
            .current
            .as_ref()
            .is_none_or(|(_, _, n)| *n >= self.max_file_bytes)
        {
            self.rotate()?;
        }
        let offset = self.append_member(&pair.response)?;
        self.append_member(&pair.metadata)?;
        if let Some((path, sidecar)) = self.sidecar.as_mut() {
            writeln!(sidecar, "{offset} {}", pair.id).map_err(|source| ArchiveError::Io {
                path: path.clone(),
                source,
            })?;
        }
        Ok(pair.id)
    }

    /// Appends one record as its own gzip member; returns where it starts.
    fn append(&mut self, record: &[u8]) -> Result<u64, ArchiveError> {
        self.append_member(&gzip_member(record))
    }

    /// Appends one already-compressed gzip member; returns where it starts.
    fn append_member(&mut self, member: &[u8]) -> Result<u64, ArchiveError> {
        let (path, file, written) = self.current.as_mut().expect("rotate opened a file");
        let offset = *written;
        file.write_all(member).map_err(|source| ArchiveError::Io {
            path: path.clone(),
            source,
        })?;
        *written += member.len() as u64;
        Ok(offset)
    }

    fn rotate(&mut self) -> Result<(), ArchiveError> {
        self.sync()?;
        self.seq += 1;
        let name = format!(
            "kabar-{}-{:05}.warc.gz",
            Utc::now().format("%Y%m%d%H%M%S%3f"),
            self.seq
        );
        let path = self.dir.join(name);
        // The sidecar first: a reader that sees the file sees its sidecar,
        // and never scans a file that is being written.
        let idx = sidecar_path(&path);
        let sidecar = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(&idx)
            .map_err(|source| ArchiveError::Io {
                path: idx.clone(),
                source,
            })?;
        let file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(&path)
            .map_err(|source| ArchiveError::Io {
                path: path.clone(),
                source,
            })?;
        self.sidecar = Some((idx, BufWriter::new(sidecar)));
        self.current = Some((path, BufWriter::new(file), 0));
        let info = format!(
            "software: kabar/{}\r\nformat: WARC File Format 1.1\r\n",
            env!("CARGO_PKG_VERSION")
        );
        let date = Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true);
        let id = new_record_id();
        let warcinfo = record(
            &[
                ("WARC-Type", "warcinfo"),
                ("WARC-Record-ID", &id),
                ("WARC-Date", &date),
                ("Content-Type", "application/warc-fields"),
            ],
            info.as_bytes(),
        );
        self.append(&warcinfo).map(|_| ())
    }

    /// Flushes and fsyncs the current file: records written so far survive
    /// a crash.
    pub fn sync(&mut self) -> Result<(), ArchiveError> {
        if let Some((path, file, _)) = self.current.as_mut() {
            file.flush()
                .and_then(|_| file.get_ref().sync_data())
                .map_err(|source| ArchiveError::Io {
                    path: path.clone(),
                    source,
                })?;
        }
        // After the records: a sidecar line never points past what is on
        // disk (and a reader checks the id it finds anyway).
        if let Some((path, sidecar)) = self.sidecar.as_mut() {
            sidecar
                .flush()
                .and_then(|_| sidecar.get_ref().sync_data())
                .map_err(|source| ArchiveError::Io {
                    path: path.clone(),
                    source,
                })?;
        }
        Ok(())
    }
}

/// A response record and its metadata record, each compressed as its own
/// gzip member, ready to append.
pub struct CompressedPair {
    id: String,
    response: Vec<u8>,
    metadata: Vec<u8>,
}

impl CompressedPair {
    /// Builds and compresses the records of one fetch: the costly part of
    /// archiving, which needs no writer.
    pub fn new(page: &Page, meta: &FetchMeta) -> CompressedPair {
        let id = new_record_id();
        let date = page.fetched.to_rfc3339_opts(SecondsFormat::Secs, true);
        // The HTTP head; the body follows it in the record without being
        // copied next to it (pages are 20-200 KB, and every copy was a
        // large allocation per article).
        let mut head = format!("HTTP/1.1 {} {}\r\n", page.status, reason(page.status));
        if let Some(ct) = &page.content_type {
            head.push_str(&format!("Content-Type: {}\r\n", clean(ct)));
        }
        if let Some(etag) = &page.etag {
            head.push_str(&format!("ETag: {}\r\n", clean(etag)));
        }
        if let Some(lm) = &page.last_modified {
            head.push_str(&format!("Last-Modified: {}\r\n", clean(lm)));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", page.body.len()));
        let target = clean(page.final_url.as_str());
        let response = gzip_record(
            &[
                ("WARC-Type", "response"),
                ("WARC-Record-ID", &id),
                ("WARC-Date", &date),
                ("WARC-Target-URI", &target),
                ("Content-Type", "application/http;msgtype=response"),
            ],
            &[head.as_bytes(), &page.body],
        );
        let json = serde_json::to_vec(meta).expect("metadata serializes");
        let meta_id = new_record_id();
        let metadata = gzip_record(
            &[
                ("WARC-Type", "metadata"),
                ("WARC-Record-ID", &meta_id),
                ("WARC-Date", &date),
                ("WARC-Target-URI", &target),
                ("WARC-Concurrent-To", &id),
                ("Content-Type", "application/json"),
            ],
            &[&json],
        );
        CompressedPair {
            id,
            response,
            metadata,
        }
    }
}

/// One record as a gzip member of its own (fast compression: the archive
/// is written on the crawl's path and read rarely).
fn gzip_member(record: &[u8]) -> Vec<u8> {
    gzip_parts(&[record])
}

/// A record (WARC headers, then a block given in pieces) as a gzip member,
/// without first joining the pieces into one buffer.
fn gzip_record(headers: &[(&str, &str)], block: &[&[u8]]) -> Vec<u8> {
    let head = record_head(headers, block.iter().map(|b| b.len()).sum());
    let mut parts = Vec::with_capacity(block.len() + 2);
    parts.push(head.as_bytes());
    parts.extend_from_slice(block);
    parts.push(RECORD_END);
    gzip_parts(&parts)
}

/// The gzip header flate2's `GzEncoder` writes at `Compression::fast()`: no
/// name, no time, "fastest" in XFL, unknown OS. Kept byte for byte, so a
/// member is the same bytes `GzEncoder` made (a unit test checks).
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 255];

/// Scratch space kept by a thread between members up to this size; a
/// larger record (a page near the body cap) gets its buffer back freed.
const MAX_KEPT_SCRATCH: usize = 1 << 20;

/// What a thread keeps between gzip members.
struct Deflater {
    /// The deflate state, reset between members: a fresh one allocates
    /// and clears about 300 KB of windows and hash tables, twice per
    /// fetched page, which was most of the archive's allocation.
    encoder: DeflateEncoder<Vec<u8>>,
    /// The member's pieces joined: deflate (zlib-rs at level 1) ends a
    /// block at every write, so one write keeps the bytes what one
    /// `GzEncoder` over the joined record made.
    scratch: Vec<u8>,
}

thread_local! {
    static DEFLATER: std::cell::RefCell<Option<Deflater>> = const { std::cell::RefCell::new(None) };
}

/// Records shorter than this (the metadata beside each response, about
/// 700 bytes) are stored in their member uncompressed: resetting the
/// deflate state clears some 130 KB of tables, which cost more than the
/// few hundred bytes compression would save.
const STORED_BELOW: usize = 4096;

/// `parts`, concatenated, as one gzip member.
fn gzip_parts(parts: &[&[u8]]) -> Vec<u8> {
    let total: usize = parts.iter().map(|p| p.len()).sum();
    if total < STORED_BELOW {
        return stored_member(parts, total);
    }
    let mut out = Vec::with_capacity(total / 3 + 64);
    out.extend_from_slice(&GZIP_HEADER);
    let mut crc = flate2::Crc::new();
    let mut out = DEFLATER.with(|cell| {
        let mut cell = cell.borrow_mut();
        let d = cell.get_or_insert_with(|| Deflater {
            encoder: DeflateEncoder::new(Vec::new(), Compression::fast()),
            scratch: Vec::new(),
        });
        d.scratch.clear();
        for part in parts {
            d.scratch.extend_from_slice(part);
        }
        crc.update(&d.scratch);
        // The encoder is fresh or was reset by the last member: give it
        // this member's buffer. Writing to a Vec cannot fail; `reset`
        // finishes the stream, hands the Vec back and readies the
        // compressor for the next member, keeping its buffers.
        *d.encoder.get_mut() = out;
        d.encoder
            .write_all(&d.scratch)
            .expect("writing to a Vec cannot fail");
        if d.scratch.capacity() > MAX_KEPT_SCRATCH {
            d.scratch = Vec::new();
        }
        d.encoder
            .reset(Vec::new())
            .expect("writing to a Vec cannot fail")
    });
    push_gzip_trailer(&mut out, &crc);
    out
}

/// `parts` (`total` bytes, under 64 KiB) as a gzip member whose deflate
/// stream is one stored block: final-block bit, type 00, then the length
/// and its complement (RFC 1951, 3.2.4).
fn stored_member(parts: &[&[u8]], total: usize) -> Vec<u8> {
    let len = u16::try_from(total).expect("stored members are under 64 KiB");
    let mut out = Vec::with_capacity(total + GZIP_HEADER.len() + 5 + 8);
    out.extend_from_slice(&GZIP_HEADER);
    out.push(0b001);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&(!len).to_le_bytes());
    let mut crc = flate2::Crc::new();
    for part in parts {
        out.extend_from_slice(part);
        crc.update(part);
    }
    push_gzip_trailer(&mut out, &crc);
    out
}

/// A gzip member's trailer: CRC-32 and length of the uncompressed bytes.
fn push_gzip_trailer(out: &mut Vec<u8>, crc: &flate2::Crc) {
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&crc.amount().to_le_bytes());
}

fn record(headers: &[(&str, &str)], block: &[u8]) -> Vec<u8> {
    let mut out = record_head(headers, block.len()).into_bytes();
    out.extend_from_slice(block);
    out.extend_from_slice(RECORD_END);
    out
}

/// A record's version line and headers, up to the blank line before its
/// block of `block_len` bytes.
fn record_head(headers: &[(&str, &str)], block_len: usize) -> String {
    let mut out = String::from("WARC/1.1\r\n");
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str(&format!("Content-Length: {block_len}\r\n\r\n"));
    out
}

/// What ends every record, after its block.
const RECORD_END: &[u8] = b"\r\n\r\n";

/// Header values never carry line breaks (a hostile header must not forge
/// WARC fields).
fn clean(value: &str) -> String {
    value.replace(['\r', '\n'], " ")
}

fn new_record_id() -> String {
    let bytes: [u8; 16] = std::array::from_fn(|_| fastrand::u8(..));
    let mut b = bytes;
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "<urn:uuid:{}-{}-{}-{}-{}>",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

/// One record read back.
#[derive(Debug, Clone)]
pub struct Record {
    pub headers: Vec<(String, String)>,
    pub block: Vec<u8>,
}

impl Record {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A response re-read from the archive, with its metadata.
#[derive(Debug, Clone)]
pub struct ArchivedFetch {
    pub record_id: String,
    pub page: Page,
    pub meta: FetchMeta,
}

/// Every archive file in `dir`, oldest first.
pub fn archive_files(dir: &Path) -> Result<Vec<PathBuf>, ArchiveError> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.to_string_lossy().ends_with(".warc.gz"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(source) => {
            return Err(ArchiveError::Io {
                path: dir.to_path_buf(),
                source,
            });
        }
    };
    files.sort();
    Ok(files)
}

/// Reads every record of one file, in order. A truncated last record (a
/// crash mid-write) ends the file quietly; other damage is an error.
pub fn read_records(path: &Path) -> Result<Vec<Record>, ArchiveError> {
    let file = File::open(path).map_err(|source| ArchiveError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut reader = BufReader::new(MultiGzDecoder::new(BufReader::new(file)));
    let mut records = Vec::new();
    let mut offset = 0u64;
    while let Some(r) = next_record(&mut reader, path, &mut offset)? {
        records.push(r);
    }
    Ok(records)
}

/// The next record of a decompressed WARC stream; `None` at the end or at
/// a torn last record. `offset` counts the bytes read, for error messages.
pub(crate) fn next_record(
    reader: &mut impl BufRead,
    path: &Path,
    offset: &mut u64,
) -> Result<Option<Record>, ArchiveError> {
    let line = loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) => return Ok(None),
            Ok(n) => *offset += n as u64,
            Err(_) => return Ok(None), // torn gzip member at the end
        }
        if !line.trim().is_empty() {
            break line;
        }
    };
    if line.trim_end() != "WARC/1.1" && line.trim_end() != "WARC/1.0" {
        return Err(ArchiveError::Malformed {
            path: path.to_path_buf(),
            offset: *offset,
            message: format!("expected a WARC version line, found {:?}", line.trim_end()),
        });
    }
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).unwrap_or(0) == 0 {
            return Ok(None); // torn record
        }
        *offset += h.len() as u64;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Content-Length"))
        .and_then(|(_, v)| v.parse().ok())
        .ok_or_else(|| ArchiveError::Malformed {
            path: path.to_path_buf(),
            offset: *offset,
            message: "record without Content-Length".into(),
        })?;
    let mut block = Vec::new();
    // Read through `take` so a forged Content-Length cannot allocate more
    // than the stream holds.
    if reader
        .by_ref()
        .take(len as u64)
        .read_to_end(&mut block)
        .map_or(true, |n| n != len)
    {
        return Ok(None); // torn record
    }
    *offset += len as u64;
    let mut end = [0u8; 4];
    let _ = reader.read_exact(&mut end);
    *offset += 4;
    Ok(Some(Record { headers, block }))
}

/// The responses of one file with their metadata records.
pub fn read_fetches(path: &Path) -> Result<Vec<ArchivedFetch>, ArchiveError> {
    let records = read_records(path)?;
    let mut metas: std::collections::HashMap<String, FetchMeta> = std::collections::HashMap::new();
    for r in records
        .iter()
        .filter(|r| r.header("WARC-Type") == Some("metadata"))
    {
        if let (Some(to), Ok(meta)) = (
            r.header("WARC-Concurrent-To"),
            serde_json::from_slice::<FetchMeta>(&r.block),
        ) {
            metas.insert(to.to_string(), meta);
        }
    }
    let mut out = Vec::new();
    for r in records
        .iter()
        .filter(|r| r.header("WARC-Type") == Some("response"))
    {
        let Some(id) = r.header("WARC-Record-ID") else {
            continue;
        };
        let Some(meta) = metas.remove(id) else {
            continue;
        };
        let Some(page) = parse_response(r, &meta) else {
            continue;
        };
        out.push(ArchivedFetch {
            record_id: id.to_string(),
            page,
            meta,
        });
    }
    Ok(out)
}

pub(crate) fn parse_response(r: &Record, meta: &FetchMeta) -> Option<Page> {
    let split = r.block.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&r.block[..split]).to_string();
    let body = r.block[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let header = |name: &str| {
        head.split("\r\n").skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    let fetched = r
        .header("WARC-Date")
        .and_then(|d| DateTime::parse_from_rfc3339(d).ok())
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(Utc::now);
    let final_url = url::Url::parse(r.header("WARC-Target-URI")?).ok()?;
    Some(Page {
        requested_url: url::Url::parse(&meta.requested_url).unwrap_or_else(|_| final_url.clone()),
        final_url,
        status,
        content_type: header("Content-Type"),
        etag: header("ETag"),
        last_modified: header("Last-Modified"),
        body,
        fetched,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(url: &str, body: &str) -> Page {
        Page {
            requested_url: url.parse().unwrap(),
            final_url: url.parse().unwrap(),
            status: 200,
            content_type: Some("text/html; charset=utf-8".into()),
            etag: Some("\"v1\"\r\nWARC-Type: forged".into()),
            last_modified: None,
            body: body.as_bytes().to_vec(),
            fetched: "2025-03-14T01:30:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn records_round_trip_and_files_rotate() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = ArchiveWriter::open(dir.path(), 600).unwrap();
        let mut ids = Vec::new();
        for i in 0..5 {
            let meta = FetchMeta {
                kind: "article".into(),
                source: "s".into(),
                requested_url: format!("http://a.test/{i}?utm_source=x"),
                title_hint: Some(format!("ข่าว {i}")),
                ..Default::default()
            };
            let body = format!("<p>โฆษณาหลอกลวง {i}</p>{}", "x".repeat(300));
            ids.push(
                w.write(&page(&format!("http://a.test/{i}"), &body), &meta)
                    .unwrap(),
            );
        }
        w.sync().unwrap();
        let files = archive_files(dir.path()).unwrap();
        assert!(files.len() > 1, "rotated by size: {files:?}");
        let fetches: Vec<ArchivedFetch> = files
            .iter()
            .flat_map(|f| read_fetches(f).unwrap())
            .collect();
        assert_eq!(fetches.len(), 5);
        assert_eq!(
            fetches
                .iter()
                .map(|f| f.record_id.clone())
                .collect::<Vec<_>>(),
            ids
        );
        let f = &fetches[3];
        assert!(String::from_utf8_lossy(&f.page.body).contains("โฆษณาหลอกลวง 3"));
        assert_eq!(f.meta.title_hint.as_deref(), Some("ข่าว 3"));
        assert_eq!(f.page.final_url.as_str(), "http://a.test/3");
        assert_eq!(
            f.page.requested_url.as_str(),
            "http://a.test/3?utm_source=x"
        );
        assert_eq!(f.page.fetched.to_rfc3339(), "2025-03-14T01:30:00+00:00");
        // A header value with a line break cannot add header lines.
        assert!(!f.page.etag.as_deref().unwrap().contains('\n'));
    }

    #[test]
    fn members_are_the_bytes_gz_encoder_made() {
        // The old way: the whole record joined in one buffer, compressed by
        // a fresh GzEncoder. The reused, streamed compressor must give the
        // same bytes, member after member on one thread; records too short
        // to compress are stored, and must read back as themselves.
        let joined_gzip = |record: &[u8]| {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), Compression::fast());
            gz.write_all(record).unwrap();
            gz.finish().unwrap()
        };
        let headers = [("WARC-Type", "response"), ("WARC-Record-ID", "<urn:x>")];
        for body in [
            String::new(),
            "<p>ข่าว</p>".repeat(3),
            (0..20_000).map(|i| format!("w{} ", i % 977)).collect(),
        ] {
            let head = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n";
            let block = [head.as_bytes(), body.as_bytes()].concat();
            let whole = record(&headers, &block);
            let member = gzip_record(&headers, &[head.as_bytes(), body.as_bytes()]);
            if whole.len() < STORED_BELOW {
                let mut back = Vec::new();
                flate2::read::GzDecoder::new(&member[..])
                    .read_to_end(&mut back)
                    .unwrap();
                assert_eq!(back, whole, "{} bytes", body.len());
                assert_eq!(member.len(), whole.len() + 23);
            } else {
                assert_eq!(member, joined_gzip(&whole), "{} bytes", body.len());
                assert_eq!(gzip_member(&block), joined_gzip(&block));
            }
        }
    }

    #[test]
    fn a_torn_last_record_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = ArchiveWriter::open(dir.path(), DEFAULT_MAX_FILE_BYTES).unwrap();
        let meta = FetchMeta {
            kind: "article".into(),
            requested_url: "http://a.test/1".into(),
            ..Default::default()
        };
        w.write(&page("http://a.test/1", "<p>one</p>"), &meta)
            .unwrap();
        w.write(&page("http://a.test/2", "<p>two</p>"), &meta)
            .unwrap();
        drop(w);
        let file = &archive_files(dir.path()).unwrap()[0];
        let bytes = std::fs::read(file).unwrap();
        std::fs::write(file, &bytes[..bytes.len() - 20]).unwrap();
        let fetches = read_fetches(file).unwrap();
        assert_eq!(fetches.len(), 1, "the complete pair survives");
    }
}
