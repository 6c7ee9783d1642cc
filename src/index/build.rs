//! `govkb ingest`: read → normalise → parse → extract → index → commit, into a
//! new generation that replaces the current one only once complete.

use std::collections::{BTreeMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Instant, SystemTime};

use serde::Serialize;
use tantivy::indexer::UserOperation;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexWriter, TantivyDocument, Term};

use super::children::{self, ChildCount};
use super::files::{self, CorpusState, FileState, Hashed};
use super::queue::{InFlight, QueuedDoc};
use super::schema::{build_schema, Fields, SCHEMA_VERSION};
use super::store::{self, Manifest};
use super::tokenizer::{dictionary_version, load_in_background};
use crate::error::{Error, Result};
use crate::parse::file_stem;
use crate::pipeline::load_document;
use crate::read::{io_reason, list_corpus, relative_path, Skipped};
use crate::record::children::{child_kinds, child_names};
use crate::record::extracted::measure_lead_in;
use crate::record::near_dup::id_key;
use crate::record::{document_records, Record, RecordKind};

/// Most records handed to tantivy and waiting to be indexed (about 20 MB;
/// see [`InFlight`]).
const MAX_RECORDS_IN_FLIGHT: usize = 10_000;

/// Size of the blocks the record store compresses (LZ4) one at a time
/// (tantivy's default). Each record read for a hit or an `also_in` copy
/// decompresses its whole block: a fifth of a search's work with 32 KB
/// blocks. On the 50 MB bench corpus 16 KB made search work 10% smaller
/// than 32 KB (callgrind over the bench queries: 4.42 G against 4.92 G
/// instructions), for a store of 37.6 MB instead of 34.3 MB (index 1.27x
/// the input instead of 1.20x). Earlier, 64 KB gave 31.6 MB (1.15x).
const STORE_BLOCK_BYTES: usize = 16 * 1024;

/// Memory budget of the tantivy writer, split among its threads.
const WRITER_HEAP_BYTES: usize = 256 * 1024 * 1024;

/// Whether an ingest may keep what the current generation already has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rebuild {
    /// Re-read only new and changed files, drop the records of files that
    /// are gone, keep the rest (a full build when there is no usable index).
    Changed,
    /// Read every file into a fresh index (`govkb ingest --full`).
    Full,
}

/// A file left out because the same bytes are indexed from another file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Duplicate {
    /// The duplicate, relative to the corpus.
    pub file: String,
    /// The file with the same content whose document is indexed.
    pub same_as: String,
}

/// What an ingest did.
#[derive(Debug, Default, Serialize)]
pub struct IngestReport {
    /// Why every file was read (`None` when the ingest was incremental).
    pub full_rebuild: Option<String>,
    /// Files read and indexed in this run.
    pub files_read: usize,
    /// New files indexed.
    pub added: Vec<String>,
    /// Files whose content changed, indexed again.
    pub changed: Vec<String>,
    /// Files whose records were removed: gone from the corpus, or now an exact duplicate.
    pub removed: Vec<String>,
    /// Files kept as they were indexed.
    pub unchanged: usize,
    /// Exact duplicates, indexed once.
    pub duplicates: Vec<Duplicate>,
    /// True when nothing changed, so no new generation was written.
    pub up_to_date: bool,
    /// Files not of a supported type.
    pub skipped: Vec<Skipped>,
    /// Files that could not be read or parsed, with the reason (a changed
    /// file that fails keeps its earlier records).
    pub failed: Vec<Skipped>,
    /// Documents read in this run.
    pub documents: usize,
    /// Articles found in this run.
    pub articles: usize,
    /// Section headings found in this run.
    pub sections: usize,
    /// Passages indexed in this run.
    pub passages: usize,
    /// Records indexed in this run, by kind.
    pub records: BTreeMap<String, usize>,
    /// Documents in the index afterwards.
    pub documents_total: usize,
    /// Records in the index afterwards, all kinds.
    pub records_total: usize,
    /// Bytes of input read in this run.
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

/// A file to read in this run.
struct Job<'a> {
    rel: &'a str,
    path: &'a Path,
    /// Document id to give it (stable across re-ingests).
    doc_id: String,
    /// Its records are in the generation this one starts from.
    replaces: bool,
}

/// Records in an index: its documents and the child records their parents
/// carry (a passage's figures, measure and unit mentions).
fn record_count(index: &Index, fields: &Fields) -> Result<usize> {
    let searcher = index.reader()?.searcher();
    let mut total = searcher.num_docs() as usize;
    for parent in RecordKind::ALL {
        let of_parent = TermQuery::new(
            Term::from_field_text(fields.kind, parent.as_str()),
            IndexRecordOption::Basic,
        );
        for &kind in child_kinds(parent) {
            let filter = Vec::new();
            total += searcher.search(&of_parent, &ChildCount { kind, filter })?;
        }
    }
    Ok(total)
}

/// Convert a record to a tantivy document.
pub fn to_tantivy(fields: &Fields, r: &Record) -> Result<TantivyDocument> {
    to_tantivy_named(fields, r, &child_names(r))
}

/// [`to_tantivy`] given the record's [`child_names`].
fn to_tantivy_named(
    fields: &Fields,
    r: &Record,
    named: &[(RecordKind, Vec<Vec<&str>>)],
) -> Result<TantivyDocument> {
    let mut d = TantivyDocument::new();
    d.add_text(fields.id, &r.id);
    d.add_text(fields.kind, r.kind.as_str());
    // A parent is found by searches of its children's kinds; a passage's
    // figures are filtered by their places.
    for (child, names) in named.iter().filter(|(k, _)| *k != r.kind) {
        d.add_text(fields.kind, child.as_str());
        if *child == RecordKind::Figure {
            let mut places: Vec<&str> = names.iter().flatten().copied().collect();
            places.sort_unstable();
            places.dedup();
            for place in places {
                d.add_text(fields.figure_region, place);
            }
        }
    }
    d.add_text(fields.doc_id, &r.doc_id);
    d.add_text(fields.file, &r.file);
    d.add_text(fields.doc_type, r.doc_type.as_str());
    let t = fields.text(r.kind);
    d.add_text(t.doc_title, &r.doc_title);
    if let Some(a) = &r.article_id {
        d.add_text(fields.article_id, a);
    }
    if let Some(title) = &r.article_title {
        d.add_text(t.article_title, title);
    }
    if !r.section_path.is_empty() {
        d.add_text(t.section_path, r.section_path.join(" > "));
    }
    if !r.unit_keys.is_empty() {
        d.add_text(t.units, r.unit_keys.join(" "));
    }
    for k in &r.unit_keys {
        d.add_text(t.unit_key, k);
    }
    for reg in &r.regions {
        d.add_text(fields.region, reg);
    }
    if let Some(y) = r.year() {
        d.add_u64(fields.year, y as u64);
    }
    d.add_text(t.text, r.index_text.as_deref().unwrap_or(&r.text));
    if let (Some(text), Some(field)) = (measure_lead_in(r), fields.measure.lead_in) {
        d.add_text(field, text);
    }
    d.add_text(fields.data, serde_json::to_string(r)?);
    for v in children::values(named) {
        d.add_u64(fields.child_keys, v);
    }
    if let Some(h) = r.near_dup {
        d.add_u64(fields.near_dup, h);
        d.add_u64(fields.doc_key, id_key(&r.doc_id));
    }
    d.add_u64(
        fields.article_key,
        id_key(r.article_id.as_deref().unwrap_or(&r.doc_id)),
    );
    Ok(d)
}

fn count_sections(s: &[crate::model::Section]) -> usize {
    s.iter().map(|x| 1 + count_sections(&x.children)).sum()
}

/// Parse one file into tantivy documents under the document id `doc_id`; a
/// panic in a parser becomes a failure, not a crash.
fn parse_file(
    fields: &Fields,
    root: &Path,
    path: &Path,
    doc_id: &str,
) -> std::result::Result<Parsed, String> {
    let work = || -> Result<Parsed> {
        let (mut doc, bytes) = load_document(root, path)?;
        doc.id = doc_id.to_string();
        let records = document_records(&doc);
        let mut kinds = Vec::with_capacity(records.len());
        let mut docs = Vec::with_capacity(records.len());
        for r in &records {
            let named = child_names(r);
            // Child records (a passage's figures, measure and unit
            // mentions) are records to the user, read from their parent.
            kinds.push(r.kind.as_str());
            for (k, names) in named.iter().filter(|(k, _)| *k != r.kind) {
                kinds.extend(std::iter::repeat_n(k.as_str(), names.len()));
            }
            docs.push(to_tantivy_named(fields, r, &named)?);
        }
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

/// Number of threads reading and parsing files (the tantivy writer uses as many).
fn worker_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 8)
}

/// Run `work` on every item on `threads` threads, handing each result, in
/// the order they finish, to `take` on the calling thread. Stops early when
/// `take` fails.
fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    work: impl Fn(&T) -> R + Sync,
    mut take: impl FnMut(usize, R) -> Result<()>,
) -> Result<()> {
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::sync_channel::<(usize, R)>(32);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (tx, next, work) = (tx.clone(), &next, &work);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                if tx.send((i, work(item))).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        for (i, r) in rx {
            take(i, r)?;
        }
        Ok(())
    })
}

/// The current generation and the corpus state it was built from, when an
/// ingest can start from it; otherwise why every file must be read.
fn starting_point(
    index_dir: &Path,
    rebuild: Rebuild,
) -> std::result::Result<(PathBuf, CorpusState), String> {
    if rebuild == Rebuild::Full {
        return Err("--full".to_string());
    }
    let generation = match store::current(index_dir) {
        Ok((generation, _)) => generation,
        Err(_) if !store::has_current(index_dir) => return Err("new index".to_string()),
        Err(_) => {
            return Err("the index was built by another govkb version or dictionary".to_string())
        }
    };
    match files::load(&generation) {
        Some(state) => Ok((generation, state)),
        None => Err("the index does not record its files (built by an older govkb)".to_string()),
    }
}

/// A document id for a file: its name without extension, or, when another
/// file already has that id, its path without extension, then its full path.
fn new_doc_id(rel: &str, taken: &HashSet<String>) -> String {
    let without_ext = Path::new(rel)
        .with_extension("")
        .to_string_lossy()
        .into_owned();
    [file_stem(rel), without_ext, rel.to_string()]
        .into_iter()
        .find(|id| !taken.contains(id))
        .unwrap_or_else(|| {
            (2..)
                .map(|n| format!("{rel}~{n}"))
                .find(|id| !taken.contains(id))
                .unwrap_or_default()
        })
}

/// Hash every corpus file (`files`, with their relative paths `rels`) whose
/// stamp changed since `old` was recorded: relative path → what it is now. A
/// file that cannot be read now is reported in `failed` and keeps what was
/// indexed of it (its old hash).
fn hash_corpus(
    files: &[PathBuf],
    rels: &[String],
    old: &CorpusState,
    threads: usize,
    failed: &mut Vec<Skipped>,
) -> Result<BTreeMap<String, Hashed>> {
    let mut now = BTreeMap::new();
    let since = SystemTime::now();
    let indexed: Vec<_> = files.iter().zip(rels.iter().map(|r| old.get(r))).collect();
    parallel_map(
        &indexed,
        threads,
        |(path, state)| files::hash_if_changed(path, *state, since),
        |i, hashed| {
            match hashed {
                Ok(h) => {
                    now.insert(rels[i].clone(), h);
                }
                Err(e) => {
                    if let Some(s) = indexed[i].1 {
                        now.insert(rels[i].clone(), s.as_hashed(None));
                    }
                    failed.push(Skipped {
                        rel_path: rels[i].clone(),
                        reason: io_reason(e),
                    });
                }
            }
            Ok(())
        },
    )?;
    Ok(now)
}

/// The files to read in this run: changed ones (keeping their document id),
/// then new ones (with a new id no other file has).
fn plan_jobs<'a>(
    changes: &'a files::Changes,
    old: &CorpusState,
    rels: &[String],
    files: &'a [PathBuf],
) -> Vec<Job<'a>> {
    let mut taken: HashSet<String> = old.values().filter_map(|s| s.doc_id.clone()).collect();
    let paths: BTreeMap<&str, &Path> = rels
        .iter()
        .map(String::as_str)
        .zip(files.iter().map(PathBuf::as_path))
        .collect();
    let mut jobs = Vec::new();
    for (rel, replaces) in changes
        .changed
        .iter()
        .map(|r| (r, true))
        .chain(changes.added.iter().map(|r| (r, false)))
    {
        let doc_id = match old.get(rel).and_then(|s| s.doc_id.clone()) {
            Some(id) => id,
            None => new_doc_id(rel, &taken),
        };
        taken.insert(doc_id.clone());
        jobs.push(Job {
            rel,
            path: paths[rel.as_str()],
            doc_id,
            replaces,
        });
    }
    jobs
}

/// Bring the index in `index_dir` up to date with `corpus` and publish the
/// result as a new generation. With [`Rebuild::Changed`] only new and
/// changed files are read and the rest of the current generation is kept;
/// exact duplicate files are indexed once. `on_start` is called with the
/// number of files and bytes to read, `on_file` after each with its relative
/// path and size (for a progress bar).
pub fn ingest(
    corpus: &Path,
    index_dir: &Path,
    rebuild: Rebuild,
    on_start: &mut dyn FnMut(usize, u64),
    on_file: &mut dyn FnMut(&str, u64),
) -> Result<IngestReport> {
    let started = Instant::now();
    let listing = list_corpus(corpus)?;
    let _lock = store::lock(index_dir)?;
    let threads = worker_threads();
    let mut report = IngestReport {
        skipped: listing.skipped,
        failed: listing.failed,
        ..IngestReport::default()
    };
    let (base, old) = match starting_point(index_dir, rebuild) {
        Ok((generation, state)) => (Some(generation), state),
        Err(reason) => {
            report.full_rebuild = Some(reason);
            if !listing.files.is_empty() {
                load_in_background();
            }
            (None, CorpusState::new())
        }
    };

    let rels: Vec<String> = listing
        .files
        .iter()
        .map(|p| relative_path(corpus, p))
        .collect();
    let now = hash_corpus(&listing.files, &rels, &old, threads, &mut report.failed)?;
    let hashes = now
        .iter()
        .map(|(p, h)| (p.clone(), h.hash.clone()))
        .collect();
    let changes = files::diff(&old, &hashes);

    // The new corpus state: kept files as they were (with their stamps now),
    // then the files read now.
    let mut state: CorpusState = changes
        .unchanged
        .iter()
        .filter_map(|p| {
            let kept = old.get(p)?;
            let stamp = now[p].stamp;
            Some((
                p.clone(),
                FileState {
                    stamp,
                    ..kept.clone()
                },
            ))
        })
        .collect();
    for (file, original) in &changes.duplicates {
        state.insert(file.clone(), now[file].state(None, Some(original.clone())));
    }
    let jobs = plan_jobs(&changes, &old, &rels, &listing.files);
    if !jobs.is_empty() {
        load_in_background();
    }
    report.unchanged = changes.unchanged.len();
    report.removed = changes.removed.clone();
    report.duplicates = changes
        .duplicates
        .iter()
        .map(|(file, same_as)| Duplicate {
            file: file.clone(),
            same_as: same_as.clone(),
        })
        .collect();
    let unchanged = jobs.is_empty() && files::same_content(&state, &old);
    if let Some(generation) = base.as_ref().filter(|_| unchanged) {
        if state != old {
            // Only stamps changed (files touched, copied or hashed for the
            // first time): keep them, so the next ingest need not hash again.
            files::save(generation, &state)?;
        }
        report.up_to_date = true;
        report.documents_total = state.values().filter(|s| s.doc_id.is_some()).count();
        report.records_total = store::current(index_dir)?.1.records;
        report.seconds = started.elapsed().as_secs_f64();
        return Ok(report);
    }

    on_start(jobs.len(), jobs.iter().map(|j| now[j.rel].bytes).sum());
    let building = match &base {
        Some(generation) => store::branch_generation(index_dir, generation)?,
        None => store::new_generation(index_dir)?,
    };
    let index = match &base {
        Some(_) => Index::open_in_dir(building.path())?,
        None => Index::builder()
            .schema(build_schema())
            .settings(tantivy::IndexSettings {
                docstore_blocksize: STORE_BLOCK_BYTES,
                // Each writer thread compresses its own store blocks: on two
                // cores, a compressing thread per writer only contends with
                // the writers (50 MB bench corpus, 12 alternating CLI
                // ingests: wall −3%, CPU −3%).
                docstore_compress_dedicated_thread: false,
                ..Default::default()
            })
            .create_in_dir(building.path())?,
    };
    store::register_tokenizer(&index);
    let fields = Fields::of(&index.schema())?;
    let mut writer: IndexWriter<QueuedDoc> =
        index.writer_with_num_threads(threads, WRITER_HEAP_BYTES)?;
    let in_flight = InFlight::new(MAX_RECORDS_IN_FLIGHT);
    let file_term = |rel: &str| Term::from_field_text(fields.file, rel);
    for rel in &changes.removed {
        writer.delete_term(file_term(rel));
    }
    parallel_map(
        &jobs,
        threads,
        |job| parse_file(&fields, corpus, job.path, &job.doc_id),
        |i, parsed| {
            let job = &jobs[i];
            match parsed {
                Ok(p) => {
                    // One batch per file: its records stay together, in
                    // order, in one segment (so the store compresses the
                    // sentences they share), and a changed file's old records
                    // go in the same step as its new ones arrive.
                    let replaced = job
                        .replaces
                        .then(|| UserOperation::Delete(file_term(job.rel)));
                    writer.run(
                        replaced
                            .into_iter()
                            .chain(in_flight.admit(p.records).map(UserOperation::Add))
                            .collect::<Vec<_>>(),
                    )?;
                    for k in p.kinds {
                        *report.records.entry(k.to_string()).or_default() += 1;
                    }
                    state.insert(
                        job.rel.to_string(),
                        now[job.rel].state(Some(job.doc_id.clone()), None),
                    );
                    if job.replaces {
                        report.changed.push(job.rel.to_string());
                    } else {
                        report.added.push(job.rel.to_string());
                    }
                    report.files_read += 1;
                    report.documents += 1;
                    report.articles += p.articles;
                    report.sections += p.sections;
                    report.passages += p.passages;
                    report.bytes += p.bytes;
                    on_file(job.rel, p.bytes);
                }
                Err(reason) => {
                    // A changed file that no longer reads keeps its earlier records.
                    if let Some(s) = old.get(job.rel).filter(|_| job.replaces) {
                        state.insert(job.rel.to_string(), s.clone());
                    }
                    on_file(job.rel, 0);
                    report.failed.push(Skipped {
                        rel_path: job.rel.to_string(),
                        reason,
                    });
                }
            }
            Ok(())
        },
    )?;
    report.added.sort();
    report.changed.sort();
    report.documents_total = state.values().filter(|s| s.doc_id.is_some()).count();
    if report.documents_total == 0 {
        return Err(Error::Input(format!(
            "no document could be read from {} ({} failed, {} skipped); the existing index is unchanged",
            corpus.display(),
            report.failed.len(),
            report.skipped.len()
        )));
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    report.records_total = record_count(&index, &fields)?;
    files::save(building.path(), &state)?;
    let manifest = Manifest {
        schema_version: SCHEMA_VERSION,
        dictionary: dictionary_version(),
        govkb_version: env!("CARGO_PKG_VERSION").to_string(),
        built_at: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
        corpus: corpus.display().to_string(),
        documents: report.documents_total,
        records: report.records_total,
    };
    store::publish(index_dir, building, &manifest)?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}
