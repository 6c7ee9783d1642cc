//! `govkb ingest`: read → normalise → parse → extract → index → commit, into a
//! new generation that replaces the current one only once complete.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Instant;

use serde::Serialize;
use tantivy::{Index, IndexWriter, TantivyDocument};

use super::schema::{build_schema, Fields, SCHEMA_VERSION};
use super::store::{self, Manifest};
use super::tokenizer::dictionary_version;
use crate::error::{Error, Result};
use crate::pipeline::load_document;
use crate::read::{list_corpus, relative_path, Skipped};
use crate::record::{document_records, Record};

/// Memory budget of the tantivy writer, split among its threads.
const WRITER_HEAP_BYTES: usize = 256 * 1024 * 1024;

/// What an ingest did.
#[derive(Debug, Default, Serialize)]
pub struct IngestReport {
    /// Files read and indexed.
    pub files_read: usize,
    /// Files not of a supported type.
    pub skipped: Vec<Skipped>,
    /// Files that could not be read or parsed, with the reason.
    pub failed: Vec<Skipped>,
    /// Documents indexed.
    pub documents: usize,
    /// Articles found.
    pub articles: usize,
    /// Section headings found.
    pub sections: usize,
    /// Passages indexed.
    pub passages: usize,
    /// Records indexed by kind.
    pub records: BTreeMap<String, usize>,
    /// Bytes of input read.
    pub bytes: u64,
    /// Wall time in seconds.
    pub seconds: f64,
}

impl IngestReport {
    /// Input megabytes per second.
    pub fn mb_per_s(&self) -> f64 {
        self.bytes as f64 / 1_048_576.0 / self.seconds.max(1e-9)
    }
}

/// One parsed file, ready to index.
struct Parsed {
    records: Vec<TantivyDocument>,
    kinds: Vec<&'static str>,
    articles: usize,
    sections: usize,
    passages: usize,
    bytes: u64,
}

/// Convert a record to a tantivy document.
pub fn to_tantivy(fields: &Fields, r: &Record) -> Result<TantivyDocument> {
    let mut d = TantivyDocument::new();
    d.add_text(fields.id, &r.id);
    d.add_text(fields.kind, r.kind.as_str());
    d.add_text(fields.doc_id, &r.doc_id);
    d.add_text(fields.file, &r.file);
    d.add_text(fields.doc_type, r.doc_type.as_str());
    d.add_text(fields.doc_title, &r.doc_title);
    if let Some(a) = &r.article_id {
        d.add_text(fields.article_id, a);
    }
    if let Some(t) = &r.article_title {
        d.add_text(fields.article_title, t);
    }
    if !r.section_path.is_empty() {
        d.add_text(fields.section_path, r.section_path.join(" > "));
    }
    if !r.unit_keys.is_empty() {
        d.add_text(fields.units, r.unit_keys.join(" "));
    }
    for k in &r.unit_keys {
        d.add_text(fields.unit_key, k);
    }
    for reg in &r.regions {
        d.add_text(fields.region, reg);
    }
    if let Some(y) = r.year() {
        d.add_u64(fields.year, y as u64);
    }
    d.add_text(fields.text, r.index_text.as_deref().unwrap_or(&r.text));
    d.add_text(fields.data, serde_json::to_string(r)?);
    Ok(d)
}

fn count_sections(s: &[crate::model::Section]) -> usize {
    s.iter().map(|x| 1 + count_sections(&x.children)).sum()
}

/// Parse one file into tantivy documents; a panic in a parser becomes a failure, not a crash.
fn parse_file(fields: &Fields, root: &Path, path: &Path) -> std::result::Result<Parsed, String> {
    let work = || -> Result<Parsed> {
        let (doc, bytes) = load_document(root, path)?;
        let records = document_records(&doc);
        let kinds = records.iter().map(|r| r.kind.as_str()).collect();
        let docs = records
            .iter()
            .map(|r| to_tantivy(fields, r))
            .collect::<Result<Vec<_>>>()?;
        Ok(Parsed {
            records: docs,
            kinds,
            articles: doc.articles.len(),
            sections: doc
                .articles
                .iter()
                .map(|a| count_sections(&a.sections))
                .sum(),
            passages: doc.passages.len(),
            bytes,
        })
    };
    match catch_unwind(AssertUnwindSafe(work)) {
        Ok(Ok(p)) => Ok(p),
        // The report names the file beside its reason: drop the path the
        // read error starts with, so it is not printed twice.
        Ok(Err(e)) => {
            let reason = e.to_string();
            let prefix = format!("{}: ", relative_path(root, path));
            Err(reason
                .strip_prefix(&prefix)
                .map(str::to_string)
                .unwrap_or(reason))
        }
        Err(_) => Err("internal error while parsing; please report this file".to_string()),
    }
}

/// Build a new index generation from `corpus` in `index_dir` and publish it.
/// `on_file` is called after each file with its relative path and byte size
/// (for a progress bar); `on_start` with the number of files and total bytes.
pub fn ingest(
    corpus: &Path,
    index_dir: &Path,
    on_start: &mut dyn FnMut(usize, u64),
    on_file: &mut dyn FnMut(&str, u64),
) -> Result<IngestReport> {
    let started = Instant::now();
    let listing = list_corpus(corpus)?;
    let _lock = store::lock(index_dir)?;
    let total_bytes = listing
        .files
        .iter()
        .filter_map(|p| p.metadata().ok())
        .map(|m| m.len())
        .sum();
    on_start(listing.files.len(), total_bytes);
    let building = store::new_generation(index_dir)?;
    let schema = build_schema();
    let fields = Fields::of(&schema)?;
    let index = Index::create_in_dir(&building, schema)?;
    store::register_tokenizer(&index);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 8);
    let mut writer: IndexWriter = index.writer_with_num_threads(threads, WRITER_HEAP_BYTES)?;
    let mut report = IngestReport {
        skipped: listing.skipped,
        failed: listing.failed,
        ..IngestReport::default()
    };
    let next = AtomicUsize::new(0);
    let files = &listing.files;
    let (tx, rx) = mpsc::sync_channel::<(usize, std::result::Result<Parsed, String>)>(32);
    let result: Result<()> = std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, fields) = (&next, &fields);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(path) = files.get(i) else { break };
                if tx.send((i, parse_file(fields, corpus, path))).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        for (i, parsed) in rx {
            let rel = relative_path(corpus, &files[i]);
            match parsed {
                Ok(p) => {
                    for d in p.records {
                        writer.add_document(d)?;
                    }
                    for k in p.kinds {
                        *report.records.entry(k.to_string()).or_default() += 1;
                    }
                    report.files_read += 1;
                    report.documents += 1;
                    report.articles += p.articles;
                    report.sections += p.sections;
                    report.passages += p.passages;
                    report.bytes += p.bytes;
                    on_file(&rel, p.bytes);
                }
                Err(reason) => {
                    on_file(&rel, 0);
                    report.failed.push(Skipped {
                        rel_path: rel,
                        reason,
                    });
                }
            }
        }
        Ok(())
    });
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&building);
        return Err(e);
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    let manifest = Manifest {
        schema_version: SCHEMA_VERSION,
        dictionary: dictionary_version(),
        govkb_version: env!("CARGO_PKG_VERSION").to_string(),
        built_at: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
        corpus: corpus.display().to_string(),
        documents: report.documents,
        records: report.records.values().sum(),
    };
    if report.documents == 0 {
        let _ = std::fs::remove_dir_all(&building);
        return Err(Error::Input(format!(
            "no document could be read from {} ({} failed, {} skipped); the existing index is unchanged",
            corpus.display(),
            report.failed.len(),
            report.skipped.len()
        )));
    }
    store::publish(index_dir, &building, &manifest)?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}
