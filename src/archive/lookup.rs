//! Finding one archived response by its record id, for `kabar serve`.
//!
//! The writer notes where each response record starts in the sidecar of its
//! file (`<file>.idx`: `<offset> <record-id>` a line). [`RecordIndex`] keeps
//! those lines in memory and reads the sidecars again only when an id is
//! not known yet (a file grew or a new one started since), reading only
//! the lines added since the last time. A file without a sidecar (written
//! before sidecars existed) is scanned once, member by member, and its
//! sidecar written then; later lookups never decompress more than the
//! record asked for and the metadata record after it.
//!
//! A sidecar line is a hint, not the truth: the record found at the offset
//! must carry the id asked for, or the file is scanned again.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use flate2::bufread::GzDecoder;
use flate2::read::MultiGzDecoder;

use super::{
    ArchiveError, ArchivedFetch, FetchMeta, archive_files, next_record, parse_response,
    sidecar_path,
};

/// `<urn:uuid:…>`, `urn:uuid:…` or the bare UUID, as the canonical record
/// id (`<urn:uuid:…>`, lowercase); `None` for anything else, so no other
/// text reaches the file system or the log.
pub fn normalize_record_id(text: &str) -> Option<String> {
    let t = text.trim();
    let t = t.strip_prefix('<').unwrap_or(t);
    let t = t.strip_suffix('>').unwrap_or(t);
    let uuid = t.strip_prefix("urn:uuid:").unwrap_or(t);
    let ok = uuid.len() == 36
        && uuid.bytes().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => b == b'-',
            _ => b.is_ascii_hexdigit(),
        });
    ok.then(|| format!("<urn:uuid:{}>", uuid.to_ascii_lowercase()))
}

/// Whether `text` is a record id in any form [`normalize_record_id`] takes.
pub fn is_record_id(text: &str) -> bool {
    normalize_record_id(text).is_some()
}

/// Where the records of an archive folder are.
pub struct RecordIndex {
    dir: PathBuf,
    known: Mutex<Known>,
}

#[derive(Default)]
struct Known {
    /// Record id → its file and the offset of its gzip member.
    ids: HashMap<String, (Arc<PathBuf>, u64)>,
    /// Bytes of each file's sidecar already read.
    read: HashMap<PathBuf, u64>,
}

impl RecordIndex {
    pub fn new(dir: &Path) -> RecordIndex {
        RecordIndex {
            dir: dir.to_path_buf(),
            known: Mutex::new(Known::default()),
        }
    }

    /// The response record `id` (any form [`normalize_record_id`] takes)
    /// with its metadata; `None` when the archive has no such record.
    pub fn find(&self, id: &str) -> Result<Option<ArchivedFetch>, ArchiveError> {
        let Some(id) = normalize_record_id(id) else {
            return Ok(None);
        };
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        if !known.ids.contains_key(&id) {
            self.refresh(&mut known)?;
        }
        let Some((file, offset)) = known.ids.get(&id).cloned() else {
            return Ok(None);
        };
        if let Some(found) = read_at(&file, offset, &id)? {
            return Ok(Some(found));
        }
        // The sidecar was wrong about this one: trust a scan of the file.
        for (offset, found_id) in scan(&file)? {
            if found_id == id {
                known.ids.insert(id.clone(), (Arc::clone(&file), offset));
                return read_at(&file, offset, &id);
            }
        }
        known.ids.remove(&id);
        Ok(None)
    }

    /// Reads what the sidecars gained since the last call, scanning (once)
    /// the files that have none.
    fn refresh(&self, known: &mut Known) -> Result<(), ArchiveError> {
        for file in archive_files(&self.dir)? {
            let idx = sidecar_path(&file);
            if !idx.exists() {
                let entries = scan(&file)?;
                write_sidecar(&idx, &entries);
                let file = Arc::new(file.clone());
                for (offset, id) in entries {
                    known.ids.insert(id, (Arc::clone(&file), offset));
                }
                if idx.exists() {
                    let len = std::fs::metadata(&idx).map(|m| m.len()).unwrap_or(0);
                    known.read.insert(file.to_path_buf(), len);
                }
                continue;
            }
            let done = known.read.get(&file).copied().unwrap_or(0);
            let io = |source| ArchiveError::Io {
                path: idx.clone(),
                source,
            };
            let mut f = File::open(&idx).map_err(io)?;
            if f.metadata().map_err(io)?.len() <= done {
                continue;
            }
            f.seek(SeekFrom::Start(done)).map_err(io)?;
            let mut text = Vec::new();
            f.read_to_end(&mut text).map_err(io)?;
            // The writer may be mid-line: take whole lines only.
            let Some(end) = text.iter().rposition(|&b| b == b'\n') else {
                continue;
            };
            let shared = Arc::new(file.clone());
            for line in String::from_utf8_lossy(&text[..=end]).lines() {
                let mut parts = line.split_whitespace();
                if let (Some(offset), Some(id)) = (parts.next(), parts.next())
                    && let (Ok(offset), Some(id)) = (offset.parse::<u64>(), normalize_record_id(id))
                {
                    known.ids.insert(id, (Arc::clone(&shared), offset));
                }
            }
            known.read.insert(file, done + end as u64 + 1);
        }
        Ok(())
    }
}

/// The response `id` whose gzip member starts at `offset` of `file`, with
/// the metadata record that follows it; `None` when another record is
/// there.
fn read_at(file: &Path, offset: u64, id: &str) -> Result<Option<ArchivedFetch>, ArchiveError> {
    let io = |source| ArchiveError::Io {
        path: file.to_path_buf(),
        source,
    };
    let mut f = File::open(file).map_err(io)?;
    if offset >= f.metadata().map_err(io)?.len() {
        return Ok(None);
    }
    f.seek(SeekFrom::Start(offset)).map_err(io)?;
    let mut reader = BufReader::new(MultiGzDecoder::new(BufReader::new(f)));
    let mut read = offset;
    let Some(response) = next_record(&mut reader, file, &mut read)? else {
        return Ok(None);
    };
    if response.header("WARC-Type") != Some("response")
        || response
            .header("WARC-Record-ID")
            .and_then(normalize_record_id)
            .as_deref()
            != Some(id)
    {
        return Ok(None);
    }
    let meta = match next_record(&mut reader, file, &mut read)? {
        Some(m)
            if m.header("WARC-Type") == Some("metadata")
                && m.header("WARC-Concurrent-To")
                    .and_then(normalize_record_id)
                    .as_deref()
                    == Some(id) =>
        {
            serde_json::from_slice::<FetchMeta>(&m.block).unwrap_or_default()
        }
        _ => FetchMeta::default(),
    };
    let page = parse_response(&response, &meta).ok_or_else(|| ArchiveError::Malformed {
        path: file.to_path_buf(),
        offset,
        message: "the response record holds no HTTP response".into(),
    })?;
    Ok(Some(ArchivedFetch {
        record_id: response
            .header("WARC-Record-ID")
            .unwrap_or_default()
            .to_string(),
        page,
        meta,
    }))
}

/// Every response record of `file` with the offset of its gzip member, read
/// one member at a time. A torn last member ends the scan.
fn scan(file: &Path) -> Result<Vec<(u64, String)>, ArchiveError> {
    let io = |source| ArchiveError::Io {
        path: file.to_path_buf(),
        source,
    };
    let mut reader = BufReader::new(File::open(file).map_err(io)?);
    let mut out = Vec::new();
    loop {
        let offset = reader.stream_position().map_err(io)?;
        if reader.fill_buf().map_err(io)?.is_empty() {
            break;
        }
        // One member: the decoder stops at its end and leaves the reader
        // at the next one.
        let mut member = Vec::new();
        if GzDecoder::new(&mut reader)
            .read_to_end(&mut member)
            .is_err()
        {
            break;
        }
        let mut read = offset;
        if let Some(r) = next_record(&mut member.as_slice(), file, &mut read)?
            && r.header("WARC-Type") == Some("response")
            && let Some(id) = r.header("WARC-Record-ID").and_then(normalize_record_id)
        {
            out.push((offset, id));
        }
    }
    Ok(out)
}

/// Writes a scanned file's sidecar (whole or not at all). Failing is not
/// an error: the archive may be read-only; the lookups then stay in memory.
fn write_sidecar(idx: &Path, entries: &[(u64, String)]) {
    let tmp = idx.with_extension("idx.tmp");
    let result = (|| -> std::io::Result<()> {
        let mut f = File::create(&tmp)?;
        for (offset, id) in entries {
            writeln!(f, "{offset} {id}")?;
        }
        f.sync_all()?;
        std::fs::rename(&tmp, idx)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        tracing::warn!("archive index {} not written: {e}", idx.display());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::archive::{ArchiveWriter, DEFAULT_MAX_FILE_BYTES};
    use crate::model::Page;

    fn page(url: &str, body: &str) -> Page {
        Page {
            requested_url: url.parse().unwrap(),
            final_url: url.parse().unwrap(),
            status: 200,
            content_type: Some("text/html; charset=utf-8".into()),
            etag: None,
            last_modified: None,
            body: body.as_bytes().to_vec(),
            fetched: "2025-03-14T01:30:00Z".parse().unwrap(),
        }
    }

    fn write(dir: &Path, max: u64, n: usize) -> Vec<String> {
        let mut w = ArchiveWriter::open(dir, max).unwrap();
        let ids = (0..n)
            .map(|i| {
                let meta = FetchMeta {
                    kind: "article".into(),
                    source: format!("s{i}"),
                    requested_url: format!("http://a.test/{i}"),
                    ..Default::default()
                };
                w.write(
                    &page(&format!("http://a.test/{i}"), &format!("<p>ข่าว {i}</p>")),
                    &meta,
                )
                .unwrap()
            })
            .collect();
        w.sync().unwrap();
        ids
    }

    #[test]
    fn ids_are_validated_and_normalised() {
        let id = "<urn:uuid:0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9>";
        assert_eq!(normalize_record_id(id).as_deref(), Some(id));
        assert_eq!(
            normalize_record_id("0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9").as_deref(),
            Some(id)
        );
        for bad in [
            "",
            "../../etc/passwd",
            "<urn:uuid:0000-1>",
            "<urn:uuid:0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9/../x>",
            "0f1e2d3c_4b5a_4978_8695_a4b3c2d1e0f9",
        ] {
            assert!(!is_record_id(bad), "{bad}");
        }
    }

    #[test]
    fn records_are_found_through_the_sidecars_across_files() {
        let dir = tempfile::tempdir().unwrap();
        let ids = write(dir.path(), 600, 6);
        let files = archive_files(dir.path()).unwrap();
        assert!(files.len() > 1);
        assert!(files.iter().all(|f| sidecar_path(f).exists()));
        let index = RecordIndex::new(dir.path());
        for (i, id) in ids.iter().enumerate().rev() {
            let f = index.find(id).unwrap().expect("found");
            assert_eq!(&f.record_id, id);
            assert_eq!(f.meta.source, format!("s{i}"));
            assert!(String::from_utf8_lossy(&f.page.body).contains(&format!("ข่าว {i}")));
        }
        let unknown = "<urn:uuid:00000000-0000-4000-8000-000000000000>";
        assert!(index.find(unknown).unwrap().is_none());
        // Written after the first lookups: found by reading the sidecar on.
        let more = write(dir.path(), DEFAULT_MAX_FILE_BYTES, 2);
        assert!(index.find(&more[1]).unwrap().is_some());
    }

    #[test]
    fn an_archive_without_sidecars_is_scanned_once() {
        let dir = tempfile::tempdir().unwrap();
        let ids = write(dir.path(), 600, 5);
        for f in archive_files(dir.path()).unwrap() {
            std::fs::remove_file(sidecar_path(&f)).unwrap();
        }
        let index = RecordIndex::new(dir.path());
        assert_eq!(index.find(&ids[3]).unwrap().unwrap().record_id, ids[3]);
        // The scan wrote the sidecars, with the writer's offsets.
        for f in archive_files(dir.path()).unwrap() {
            assert!(sidecar_path(&f).exists());
        }
        let fresh = RecordIndex::new(dir.path());
        for id in &ids {
            assert_eq!(&fresh.find(id).unwrap().unwrap().record_id, id);
        }
    }

    #[test]
    fn a_wrong_sidecar_line_falls_back_to_a_scan() {
        let dir = tempfile::tempdir().unwrap();
        let ids = write(dir.path(), DEFAULT_MAX_FILE_BYTES, 3);
        let file = &archive_files(dir.path()).unwrap()[0];
        // Every line points at the first record.
        let lines: String = ids.iter().map(|id| format!("0 {id}\n")).collect();
        std::fs::write(sidecar_path(file), lines).unwrap();
        let index = RecordIndex::new(dir.path());
        assert_eq!(index.find(&ids[2]).unwrap().unwrap().record_id, ids[2]);
    }
}
