//! `govkb bench`: speed figures on a corpus made by `../shared/bench/make-corpus`
//! (`DIR/docs/*.txt` and `DIR/queries.txt`), in the same terms as the peer
//! baselines of `../shared/bench/peers` so that `bench/compare.sh` can divide
//! one by the other:
//!
//! - ingest: end-to-end [`crate::index::build::ingest`] (read → normalise →
//!   parse → extract → index → commit) into a scratch index, `runs` times, the
//!   median taken; the jieba dictionary is loaded before the clock starts (a
//!   per-process cost, reported on its own as `jieba_load_ms`);
//! - index size: bytes of the generation folder ÷ bytes of input;
//! - peak RSS: one more ingest as a child process (`govkb ingest DIR --index
//!   TMP --json`), its maximum resident set from `wait4`, with its wall time
//!   (process start to exit, dictionary load included);
//! - queries: [`KnowledgeBase::search`] top-10 with snippets over every line
//!   of `queries.txt`, in this process, one untimed warm-up pass, then `runs`
//!   timed passes; p50/p99 are the medians of the per-pass figures (as the
//!   peers report them);
//! - re-ingest with nothing changed: `govkb ingest` again on the child's
//!   index as new processes, start to exit, median of several;
//! - cold CLI search: `govkb search Q --index … --json` as a new process,
//!   start to exit, median of several;
//! - HTTP: `govkb serve` on the index and `GET /api/search` for every query
//!   from one keep-alive client thread per core (loopback only): requests/s
//!   and p50/p99.
//!
//! `--phases` adds a one-thread breakdown of the ingest work (CPU seconds of
//! read+normalise+parse, records, record→document conversion, tokenizing).
//! Times are wall-clock on a shared machine: quote medians, compare ratios
//! from the same run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::index::build::{ingest, to_tantivy, IngestReport, Rebuild};
use crate::index::schema::{build_schema, Fields};
use crate::index::store;
use crate::index::tokenizer::{jieba, segment, sentences};
use crate::pipeline::load_document;
use crate::read::list_corpus;
use crate::record::document_records;
use crate::search::{KnowledgeBase, SearchRequest};

const MB: f64 = 1_048_576.0;

/// What to measure and where.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// A make-corpus folder (`docs/` and `queries.txt`) or a plain corpus folder.
    pub corpus: PathBuf,
    /// Query file (one query a line); default `CORPUS/queries.txt`.
    pub queries: Option<PathBuf>,
    /// Ingest runs and timed query passes.
    pub runs: usize,
    /// Cold CLI searches (new process each).
    pub cold_runs: usize,
    /// The govkb binary for the child-process measurements.
    pub govkb_bin: PathBuf,
    /// Scratch folder for the indexes; default a fresh folder in the temp dir, removed after.
    pub work: Option<PathBuf>,
    /// Also measure the one-thread phase breakdown.
    pub phases: bool,
    /// Skip the ingest and use the index an earlier run left in `work`.
    pub queries_only: bool,
    /// Time the queries (in process and over HTTP) with this per-article limit.
    pub per_article: Option<usize>,
}

/// Ingest figures.
#[derive(Debug, Clone, Serialize)]
pub struct IngestBench {
    /// Files indexed.
    pub files: usize,
    /// Records indexed (all kinds).
    pub records: usize,
    /// Passages indexed.
    pub passages: usize,
    /// Records by kind.
    pub records_by_kind: std::collections::BTreeMap<String, usize>,
    /// Input bytes.
    pub input_bytes: u64,
    /// Seconds of each in-process run.
    pub runs_s: Vec<f64>,
    /// Median seconds.
    pub median_s: f64,
    /// Input MiB per second at the median.
    pub mb_per_s: f64,
    /// MiB/s of each run.
    pub mb_per_s_runs: Vec<f64>,
    /// Wall seconds of the child-process ingest (process start to exit).
    pub child_wall_s: Option<f64>,
    /// MiB/s of the child-process ingest.
    pub child_mb_per_s: Option<f64>,
    /// Peak RSS of the child-process ingest, MiB.
    pub peak_rss_mb: Option<f64>,
    /// CPU seconds (user + system, all threads) of an in-process run, median.
    pub cpu_s: Option<f64>,
    /// Files that failed to parse.
    pub failed: usize,
    /// `govkb ingest` again on the child's index with nothing changed, as
    /// new processes: the listing and the check that no file changed (files
    /// that kept their stamp are not read).
    pub recheck: Option<Timings>,
}

/// Wall times of processes started one after another, ms from spawn to exit.
#[derive(Debug, Clone, Serialize)]
pub struct Timings {
    /// Processes started.
    pub runs: usize,
    /// Median ms.
    pub median_ms: f64,
    /// Fastest ms.
    pub min_ms: f64,
    /// Slowest ms.
    pub max_ms: f64,
}

impl Timings {
    /// The figures of `ms`, rounded to 0.01 ms.
    fn of(ms: &[f64]) -> Timings {
        Timings {
            runs: ms.len(),
            median_ms: round(median(ms), 2),
            min_ms: round(ms.iter().cloned().fold(f64::INFINITY, f64::min), 2),
            max_ms: round(ms.iter().cloned().fold(0.0, f64::max), 2),
        }
    }
}

/// Query latency figures.
#[derive(Debug, Clone, Serialize)]
pub struct QueryBench {
    /// Queries in the file.
    pub queries: usize,
    /// Hits per query.
    pub limit: usize,
    /// The per-article limit of every query, if any.
    pub per_article: Option<usize>,
    /// Snippets built for each hit (always, as `KnowledgeBase::search` does).
    pub snippets: bool,
    /// Untimed passes first.
    pub warmup_passes: usize,
    /// Median of the per-pass p50, ms.
    pub p50_ms: f64,
    /// Median of the per-pass p99, ms.
    pub p99_ms: f64,
    /// Median of the per-pass mean, ms.
    pub mean_ms: f64,
    /// Largest single latency seen, ms.
    pub max_ms: f64,
    /// p50 of each pass.
    pub p50_passes: Vec<f64>,
    /// p99 of each pass.
    pub p99_passes: Vec<f64>,
    /// Queries with at least one hit.
    pub queries_with_hits: usize,
    /// Queries rejected (e.g. no searchable words), with the message of the first.
    pub errors: usize,
    /// First error message, if any.
    pub first_error: Option<String>,
    /// The five slowest queries (median over passes), ms.
    pub slowest: Vec<(String, f64)>,
}

/// Cold CLI search figures.
#[derive(Debug, Clone, Serialize)]
pub struct ColdBench {
    /// Wall ms from spawn to exit.
    #[serde(flatten)]
    pub times: Timings,
    /// The queries used, in turn.
    pub queries: Vec<String>,
    /// `Jieba::new()` plus the domain dictionary, measured in this process, ms
    /// (median of 3 fresh loads).
    pub jieba_load_ms: f64,
    /// Building the small per-query dictionary a CLI search uses instead, ms (median over the queries).
    pub small_dictionary_ms: f64,
    /// Queries whose results differ between the small and the full dictionary (must be 0).
    pub small_dictionary_mismatches: usize,
    /// The first such query.
    pub first_mismatch: Option<String>,
}

/// What one record kind costs.
#[derive(Debug, Clone, Serialize)]
pub struct KindBytes {
    /// Record kind.
    pub kind: String,
    /// Records of this kind.
    pub records: usize,
    /// MiB of text tokenized (all indexed text fields).
    pub tokenized_mb: f64,
    /// MiB of stored JSON.
    pub stored_json_mb: f64,
}

/// One-thread CPU breakdown of the ingest work (thread CPU seconds).
#[derive(Debug, Clone, Serialize)]
pub struct PhaseBench {
    /// read + decode + normalise + parse (`load_document`), s.
    pub read_normalize_parse_s: f64,
    /// records and extraction (`document_records`), s.
    pub records_extract_s: f64,
    /// record → tantivy document (JSON of the stored `data` field), s.
    pub to_document_s: f64,
    /// jieba segmentation with sub-words of the indexed text fields (each
    /// distinct sentence of a document once, as the ingest's cache does), s.
    pub tokenize_s: f64,
    /// Bytes tokenized (all indexed text fields of all records).
    pub tokenized_bytes: u64,
    /// Of those, bytes of sentences seen for the first time in their document
    /// (the rest repeat a sentence of the same document: the titles and
    /// headings every passage repeats, a measure's lead-in). The ingest's
    /// cache also reuses sentences across documents, so it segments less.
    pub tokenized_unique_bytes: u64,
    /// Bytes of stored JSON (`data`).
    pub stored_json_bytes: u64,
    /// Records, tokenized MiB and stored JSON MiB per record kind.
    pub by_kind: Vec<KindBytes>,
    /// The rest of an in-process ingest (tantivy inverted index, stored docs,
    /// commit, merges) estimated as ingest CPU time minus the above, s.
    pub index_commit_cpu_s_estimate: Option<f64>,
}

/// Index MiB per component (tantivy's space usage), and postings+positions MiB per field.
#[derive(Debug, Clone, Serialize)]
pub struct IndexBreakdown {
    /// Segments.
    pub segments: usize,
    /// Term dictionaries, MiB.
    pub termdict_mb: f64,
    /// Postings (doc ids and frequencies), MiB.
    pub postings_mb: f64,
    /// Positions, MiB.
    pub positions_mb: f64,
    /// Stored documents (compressed `data` JSON), MiB.
    pub store_mb: f64,
    /// Field norms, MiB.
    pub fieldnorms_mb: f64,
    /// Fast fields, MiB.
    pub fast_mb: f64,
    /// Postings + positions + terms per indexed field, MiB, largest first.
    pub inverted_by_field_mb: Vec<(String, f64)>,
}

/// The space usage of the current generation in `index_dir`.
pub fn index_breakdown(index_dir: &Path) -> Result<IndexBreakdown> {
    let (index, _, _) = store::open(index_dir)?;
    let reader = index.reader()?;
    let usage = reader.searcher().space_usage()?;
    let mb = |b: u64| round(b as f64 / MB, 2);
    let mut by_field: std::collections::BTreeMap<String, u64> = Default::default();
    let (mut td, mut po, mut pos, mut st, mut fnorm, mut fast) = (0, 0, 0, 0, 0, 0);
    for seg in usage.segments() {
        td += seg.termdict().total().get_bytes();
        po += seg.postings().total().get_bytes();
        pos += seg.positions().total().get_bytes();
        st += seg.store().total().get_bytes();
        fnorm += seg.fieldnorms().total().get_bytes();
        fast += seg.fast_fields().total().get_bytes();
        for per in [seg.termdict(), seg.postings(), seg.positions()] {
            for f in per.fields() {
                *by_field.entry(f.field_name().to_string()).or_default() += f.total().get_bytes();
            }
        }
    }
    let mut inverted_by_field_mb: Vec<(String, f64)> =
        by_field.into_iter().map(|(k, v)| (k, mb(v))).collect();
    inverted_by_field_mb.sort_by(|a, b| b.1.total_cmp(&a.1));
    Ok(IndexBreakdown {
        segments: usage.segments().len(),
        termdict_mb: mb(td),
        postings_mb: mb(po),
        positions_mb: mb(pos),
        store_mb: mb(st),
        fieldnorms_mb: mb(fnorm),
        fast_mb: mb(fast),
        inverted_by_field_mb,
    })
}

/// Everything `govkb bench` measures.
#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    /// `govkb`.
    pub tool: String,
    /// govkb version.
    pub version: String,
    /// Corpus folder indexed.
    pub corpus: String,
    /// Input MiB.
    pub input_mb: f64,
    /// Available cores.
    pub cores: usize,
    /// Ingest MiB/s (median of the in-process runs).
    pub mb_per_s: f64,
    /// Index MiB (generation folder).
    pub index_mb: f64,
    /// Index size ÷ input size.
    pub index_ratio: f64,
    /// Where the index bytes are: per component, and per field for the inverted index.
    pub index_breakdown: Option<IndexBreakdown>,
    /// Peak RSS of the child-process ingest, MiB.
    pub peak_rss_mb: Option<f64>,
    /// Query p50 ms, top-10 with snippets.
    pub q_p50_ms: f64,
    /// Query p99 ms, top-10 with snippets.
    pub q_p99_ms: f64,
    /// Cold CLI search median ms.
    pub cold_search_ms: f64,
    /// HTTP figures, or why there are none.
    pub http: serde_json::Value,
    /// Ingest details.
    pub ingest: IngestBench,
    /// Query details.
    pub query: QueryBench,
    /// Cold search details.
    pub cold: ColdBench,
    /// Phase breakdown (with `--phases`).
    pub phases: Option<PhaseBench>,
}

/// Where the documents are: `DIR/docs` for a make-corpus folder, else `DIR`.
pub fn docs_dir(corpus: &Path) -> PathBuf {
    let docs = corpus.join("docs");
    if docs.is_dir() {
        docs
    } else {
        corpus.to_path_buf()
    }
}

/// Value at percentile `p` (0–100) with linear interpolation, as the peers compute it.
pub fn percentile(xs: &[f64], p: f64) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    let mut v = xs.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let k = (v.len() - 1) as f64 * p / 100.0;
    let f = k.floor() as usize;
    let c = (f + 1).min(v.len() - 1);
    v[f] + (v[c] - v[f]) * (k - f as f64)
}

/// Median (interpolated).
pub fn median(xs: &[f64]) -> f64 {
    percentile(xs, 50.0)
}

/// Total bytes of the files under `dir`.
pub fn dir_bytes(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum()
}

fn round(x: f64, digits: i32) -> f64 {
    let m = 10f64.powi(digits);
    (x * m).round() / m
}

/// Queries of a file: one a line, blank lines skipped.
pub fn read_queries(path: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::Input(format!(
            "cannot read queries {}: {e}; pass --queries FILE",
            path.display()
        ))
    })?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect())
}

/// Run a child process to completion; its wall time and peak RSS (MiB).
///
/// The peak is the child's own `VmHWM`, polled from `/proc/PID/status` while
/// it runs. `wait4`'s `ru_maxrss` is only the fallback: Rust starts children
/// with `posix_spawn` (a vfork), and Linux carries the parent's memory
/// high-water mark into the child's, so after the bench's in-process ingests
/// it reported 490–615 MB for a 200 MB ingest that peaks at 385 MB.
fn run_child(cmd: &mut Command) -> Result<(std::process::ExitStatus, f64, Option<f64>, Vec<u8>)> {
    let started = Instant::now();
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::null()).spawn()?;
    let pid = child.id();
    let exited = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let poller = scope.spawn(|| poll_peak_rss(pid, &exited));
        // The wall time is taken before the poller is stopped (it may be
        // asleep for its next poll).
        let finished = wait_child(&mut child, started);
        exited.store(true, Ordering::Relaxed);
        let polled = poller.join().ok().flatten();
        let (status, wall, ru_maxrss, out) = finished?;
        Ok((status, wall, polled.or(ru_maxrss), out))
    })
}

/// Read a child's output and reap it: (status, wall seconds since
/// `started`, `ru_maxrss` in MiB where `wait4` gives it, output).
fn wait_child(
    child: &mut std::process::Child,
    started: Instant,
) -> Result<(std::process::ExitStatus, f64, Option<f64>, Vec<u8>)> {
    let mut out = Vec::new();
    if let Some(mut s) = child.stdout.take() {
        std::io::Read::read_to_end(&mut s, &mut out)?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        let pid = child.id() as libc::pid_t;
        let mut status: libc::c_int = 0;
        // SAFETY: `rusage` is plain data and the pointers are valid for the call.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        let wall = started.elapsed().as_secs_f64();
        if r == pid {
            // ru_maxrss is in KiB on Linux.
            let rss = usage.ru_maxrss as f64 / 1024.0;
            return Ok((
                std::process::ExitStatus::from_raw(status),
                wall,
                Some(rss),
                out,
            ));
        }
    }
    let status = child.wait()?;
    Ok((status, started.elapsed().as_secs_f64(), None, out))
}

/// The highest `VmHWM` (MiB) of process `pid` read every 20 ms until
/// `exited` is set or its status has no memory figures left (it exited);
/// `None` where `/proc` has none.
fn poll_peak_rss(pid: u32, exited: &AtomicBool) -> Option<f64> {
    let path = format!("/proc/{pid}/status");
    let mut peak: Option<f64> = None;
    loop {
        let hwm_kb = std::fs::read_to_string(&path).ok().and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        });
        match hwm_kb {
            Some(kb) => peak = Some(peak.map_or(kb / 1024.0, |p: f64| p.max(kb / 1024.0))),
            None if peak.is_some() => return peak,
            None => {}
        }
        if exited.load(Ordering::Relaxed) {
            return peak;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn scratch_dir(opts: &BenchOptions) -> Result<(PathBuf, bool)> {
    match &opts.work {
        Some(w) => {
            std::fs::create_dir_all(w)?;
            Ok((w.clone(), false))
        }
        None => {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0);
            let d =
                std::env::temp_dir().join(format!("govkb-bench-{}-{nanos}", std::process::id()));
            std::fs::create_dir_all(&d)?;
            Ok((d, true))
        }
    }
}

/// Measure everything; `progress` gets one line per step (for stderr).
pub fn run(opts: &BenchOptions, progress: &mut dyn FnMut(&str)) -> Result<BenchReport> {
    for (name, count) in [
        ("--runs", opts.runs),
        ("--cold-runs", opts.cold_runs),
        ("--per-article", opts.per_article.unwrap_or(1)),
    ] {
        if count == 0 {
            return Err(Error::Input(format!("{name} must be at least 1, got 0")));
        }
    }
    let docs = docs_dir(&opts.corpus);
    if !docs.is_dir() {
        return Err(Error::Input(format!(
            "no corpus folder {}; make one with ../shared/bench/make-corpus --size-mb 10 DIR",
            opts.corpus.display()
        )));
    }
    let qpath = opts
        .queries
        .clone()
        .unwrap_or_else(|| opts.corpus.join("queries.txt"));
    let queries = read_queries(&qpath)?;
    if queries.is_empty() {
        return Err(Error::Input(format!("no queries in {}", qpath.display())));
    }
    let (work, remove_after) = scratch_dir(opts)?;
    let result = measure(opts, &docs, &queries, &work, progress);
    if remove_after {
        let _ = std::fs::remove_dir_all(&work);
    }
    result
}

fn measure(
    opts: &BenchOptions,
    docs: &Path,
    queries: &[String],
    work: &Path,
    progress: &mut dyn FnMut(&str),
) -> Result<BenchReport> {
    let runs = opts.runs;
    // The dictionary is a per-process cost, measured separately (cold search, jieba_load_ms).
    let jieba_load_ms = {
        let mut t = Vec::new();
        for _ in 0..3 {
            let s = Instant::now();
            let j = jieba_rs::Jieba::new();
            t.push(s.elapsed().as_secs_f64() * 1000.0);
            drop(j);
        }
        median(&t)
    };
    let _ = jieba();

    // Ingest, in process.
    let mut secs = Vec::new();
    let mut cpus = Vec::new();
    let mut last: Option<IngestReport> = None;
    let index_dir = work.join("index");
    if opts.queries_only {
        let manifest = store::current(&index_dir)?.1;
        last = Some(IngestReport {
            documents: manifest.documents,
            bytes: dir_bytes(docs),
            ..IngestReport::default()
        });
        secs.push(f64::NAN);
    }
    for i in 0..if opts.queries_only { 0 } else { runs } {
        let _ = std::fs::remove_dir_all(&index_dir);
        let cpu0 = process_cpu_s();
        let started = Instant::now();
        let report = ingest(
            docs,
            &index_dir,
            Rebuild::Full,
            &mut |_, _| {},
            &mut |_, _| {},
        )?;
        let s = started.elapsed().as_secs_f64();
        let cpu = process_cpu_s().zip(cpu0).map(|(b, a)| b - a);
        progress(&format!(
            "ingest run {}/{}: {:.2} s, {:.1} MB/s, CPU {}",
            i + 1,
            runs,
            s,
            report.bytes as f64 / MB / s,
            cpu.map(|c| format!("{c:.2} s"))
                .unwrap_or_else(|| "n/a".into())
        ));
        secs.push(s);
        cpus.extend(cpu);
        last = Some(report);
    }
    let report = last.expect("at least one run");
    let input_bytes = report.bytes;
    let input_mb = input_bytes as f64 / MB;
    let (generation, _) = store::current(&index_dir)?;
    let index_bytes = dir_bytes(&generation);
    let breakdown = index_breakdown(&index_dir).ok();

    // Ingest as a child process, for its peak RSS and the end-to-end CLI wall time.
    let child_dir = work.join("index-child");
    let _ = std::fs::remove_dir_all(&child_dir);
    let (child_wall_s, peak_rss_mb) = if opts.queries_only {
        (None, None)
    } else {
        match run_child(
            Command::new(&opts.govkb_bin)
                .arg("ingest")
                .arg(docs)
                .arg("--index")
                .arg(&child_dir)
                .arg("--json")
                .arg("--quiet"),
        ) {
            Ok((status, wall, rss, _)) if status.success() || status.code() == Some(1) => {
                progress(&format!(
                    "ingest child: {wall:.2} s, peak RSS {}",
                    rss.map(|r| format!("{r:.0} MB"))
                        .unwrap_or_else(|| "n/a".into())
                ));
                (Some(wall), rss)
            }
            Ok((status, ..)) => {
                progress(&format!("ingest child failed: {status}"));
                (None, None)
            }
            Err(e) => {
                progress(&format!("ingest child could not run: {e}"));
                (None, None)
            }
        }
    };
    let recheck = if child_wall_s.is_some() {
        let r = recheck(opts, docs, &child_dir)?;
        progress(&format!(
            "re-ingest, nothing changed: median {:.1} ms",
            r.median_ms
        ));
        Some(r)
    } else {
        None
    };
    let _ = std::fs::remove_dir_all(&child_dir);

    let median_s = median(&secs);
    let ingest_bench = IngestBench {
        files: report.files_read,
        records: report.records.values().sum(),
        passages: report.passages,
        records_by_kind: report.records.clone(),
        input_bytes,
        runs_s: secs.iter().map(|s| round(*s, 3)).collect(),
        median_s: round(median_s, 3),
        mb_per_s: round(input_mb / median_s, 2),
        mb_per_s_runs: secs.iter().map(|s| round(input_mb / s, 2)).collect(),
        child_wall_s: child_wall_s.map(|s| round(s, 3)),
        child_mb_per_s: child_wall_s.map(|s| round(input_mb / s, 2)),
        peak_rss_mb: peak_rss_mb.map(|r| round(r, 1)),
        cpu_s: (!cpus.is_empty()).then(|| round(median(&cpus), 2)),
        failed: report.failed.len(),
        recheck,
    };

    // Warm queries in this process.
    let kb = KnowledgeBase::open(&index_dir)?;
    let query_bench = time_queries(&kb, queries, opts.per_article, runs, progress);
    drop(kb);

    // Cold CLI searches.
    let cold_queries: Vec<String> = queries.iter().take(5).cloned().collect();
    let mut cold = Vec::new();
    for i in 0..opts.cold_runs {
        let q = &cold_queries[i % cold_queries.len()];
        let (status, wall, _, _) = run_child(
            Command::new(&opts.govkb_bin)
                .arg("search")
                .arg(q)
                .arg("--index")
                .arg(&index_dir)
                .arg("--json"),
        )?;
        if !status.success() {
            return Err(Error::Index(format!(
                "`govkb search {q}` failed ({status}) during the benchmark"
            )));
        }
        cold.push(wall * 1000.0);
    }
    progress(&format!("cold search: median {:.1} ms", median(&cold)));
    let (small_ms, mismatches, first_mismatch) = check_small_dictionary(&index_dir, queries)?;
    progress(&format!(
        "small query dictionaries: median {small_ms:.2} ms to build, {mismatches} queries with other results"
    ));
    let cold_bench = ColdBench {
        times: Timings::of(&cold),
        queries: cold_queries,
        jieba_load_ms: round(jieba_load_ms, 2),
        small_dictionary_ms: round(small_ms, 3),
        small_dictionary_mismatches: mismatches,
        first_mismatch,
    };

    let http = if opts.govkb_bin.exists() {
        match http_bench(&opts.govkb_bin, &index_dir, queries, opts.per_article, runs) {
            Ok(v) => {
                progress(&format!("http: {v}"));
                v
            }
            Err(e) => serde_json::json!({ "status": format!("n/a: {e}") }),
        }
    } else {
        serde_json::json!({"status": "n/a: no govkb binary"})
    };

    let phases = if opts.phases {
        progress("phase breakdown (one thread)…");
        Some(phase_breakdown(docs, ingest_bench.cpu_s)?)
    } else {
        None
    };

    Ok(BenchReport {
        tool: "govkb".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        corpus: docs.display().to_string(),
        input_mb: round(input_mb, 2),
        cores: std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        mb_per_s: ingest_bench.mb_per_s,
        index_mb: round(index_bytes as f64 / MB, 2),
        index_ratio: round(index_bytes as f64 / input_bytes.max(1) as f64, 3),
        index_breakdown: breakdown,
        peak_rss_mb: ingest_bench.peak_rss_mb,
        q_p50_ms: query_bench.p50_ms,
        q_p99_ms: query_bench.p99_ms,
        cold_search_ms: cold_bench.times.median_ms,
        http,
        ingest: ingest_bench,
        query: query_bench,
        cold: cold_bench,
        phases,
    })
}

/// Time `govkb ingest` as new processes (`cold_runs` of them) on `index`,
/// built from `docs` just before; each must find the index up to date.
fn recheck(opts: &BenchOptions, docs: &Path, index: &Path) -> Result<Timings> {
    let mut ms = Vec::new();
    for _ in 0..opts.cold_runs {
        let (status, wall, _, stdout) = run_child(
            Command::new(&opts.govkb_bin)
                .arg("ingest")
                .arg(docs)
                .arg("--index")
                .arg(index)
                .arg("--json")
                .arg("--quiet"),
        )?;
        let report: serde_json::Value = serde_json::from_slice(&stdout).unwrap_or_default();
        if !status.success() || report["up_to_date"] != true {
            return Err(Error::Index(format!(
                "`govkb ingest` on an unchanged corpus did not find the index up to date ({status}) during the benchmark"
            )));
        }
        ms.push(wall * 1000.0);
    }
    Ok(Timings::of(&ms))
}

/// Percent-encode a query for a URL.
fn url_encode(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One keep-alive HTTP/1.1 GET; the status code. Reconnects when the server closed.
fn http_get(
    conn: &mut Option<std::io::BufReader<std::net::TcpStream>>,
    addr: &str,
    path: &str,
) -> std::io::Result<u16> {
    use std::io::{BufRead, Read, Write};
    if conn.is_none() {
        let s = std::net::TcpStream::connect(addr)?;
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
        *conn = Some(std::io::BufReader::new(s));
    }
    let r = conn.as_mut().expect("connected");
    write!(
        r.get_mut(),
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: keep-alive\r\n\r\n"
    )?;
    let mut line = String::new();
    r.read_line(&mut line)?;
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line `{}`", line.trim())))?;
    let (mut length, mut close) = (None, false);
    loop {
        line.clear();
        r.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let lower = l.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse::<usize>().ok();
        } else if lower.starts_with("connection:") && lower.contains("close") {
            close = true;
        }
    }
    match length {
        Some(n) => {
            let mut body = vec![0; n];
            r.read_exact(&mut body)?;
        }
        None => {
            let mut body = Vec::new();
            r.read_to_end(&mut body)?;
            close = true;
        }
    }
    if close {
        *conn = None;
    }
    Ok(status)
}

/// `govkb serve` on the index, and every query as `GET /api/search?q=…` (top
/// 10, snippets) from as many keep-alive client threads as cores, `passes`
/// times over the list after one warm-up pass; requests/s and latency. Only
/// the loopback address; bounded by the request count and a 120 s deadline.
pub fn http_bench(
    govkb_bin: &Path,
    index_dir: &Path,
    queries: &[String],
    per_article: Option<usize>,
    passes: usize,
) -> Result<serde_json::Value> {
    use std::io::BufRead;
    let mut server = Command::new(govkb_bin)
        .arg("serve")
        .arg("--index")
        .arg(index_dir)
        .arg("--addr")
        .arg("127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    // The server prints its URL (on stdout or stderr); the rest is drained.
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let pipes: Vec<Box<dyn std::io::Read + Send>> = [
        server
            .stdout
            .take()
            .map(|o| Box::new(o) as Box<dyn std::io::Read + Send>),
        server
            .stderr
            .take()
            .map(|e| Box::new(e) as Box<dyn std::io::Read + Send>),
    ]
    .into_iter()
    .flatten()
    .collect();
    for pipe in pipes {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(pipe).lines().map_while(|l| l.ok()) {
                if let Some(rest) = line.split("http://").nth(1) {
                    let addr = rest.split(['/', ' ']).next().unwrap_or("").to_string();
                    let _ = tx.send(addr);
                }
            }
        });
    }
    let result = (|| -> Result<serde_json::Value> {
        let addr = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .map_err(|_| Error::Index("`govkb serve` printed no URL".into()))?;
        let mut conn = None;
        let deadline = Instant::now() + std::time::Duration::from_secs(120);
        while http_get(&mut conn, &addr, "/health")
            .map(|s| s != 200)
            .unwrap_or(true)
        {
            conn = None;
            if Instant::now() > deadline {
                return Err(Error::Index("server did not answer /health".into()));
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let paths: Vec<String> = queries
            .iter()
            .map(|q| {
                let limit = per_article.map_or(String::new(), |n| format!("&per_article={n}"));
                format!("/api/search?q={}&limit=10{limit}", url_encode(q))
            })
            .collect();
        for p in &paths {
            http_get(&mut conn, &addr, p)?;
        }
        let clients = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let work: Vec<&String> = (0..passes.max(1)).flat_map(|_| paths.iter()).collect();
        let started = Instant::now();
        let per_client: Vec<(Vec<f64>, usize)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..clients)
                .map(|c| {
                    let (work, addr) = (&work, &addr);
                    scope.spawn(move || {
                        let mut conn = None;
                        let (mut lat, mut errors) = (Vec::new(), 0);
                        for p in work.iter().skip(c).step_by(clients) {
                            if Instant::now() > deadline {
                                break;
                            }
                            let t = Instant::now();
                            match http_get(&mut conn, addr, p) {
                                Ok(200) => lat.push(t.elapsed().as_secs_f64() * 1000.0),
                                _ => {
                                    errors += 1;
                                    conn = None;
                                }
                            }
                        }
                        (lat, errors)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        });
        let wall = started.elapsed().as_secs_f64();
        let lat: Vec<f64> = per_client
            .iter()
            .flat_map(|c| c.0.iter().copied())
            .collect();
        let errors: usize = per_client.iter().map(|c| c.1).sum();
        Ok(serde_json::json!({
            "status": "ok",
            "route": "/api/search?q=…&limit=10",
            "clients": clients,
            "requests": lat.len(),
            "errors": errors,
            "rps": round(lat.len() as f64 / wall, 1),
            "p50_ms": round(percentile(&lat, 50.0), 3),
            "p99_ms": round(percentile(&lat, 99.0), 3),
        }))
    })();
    let _ = server.kill();
    let _ = server.wait();
    result
}

/// Search every query with the full dictionary and with the small one a CLI
/// search builds for it: the median build time of the small ones, and the
/// queries whose results differ (ids, scores, snippets, totals).
pub fn check_small_dictionary(
    index_dir: &Path,
    queries: &[String],
) -> Result<(f64, usize, Option<String>)> {
    let full = KnowledgeBase::open(index_dir)?;
    let mut build_ms = Vec::new();
    let mut mismatches = 0;
    let mut first = None;
    let key = |r: &crate::search::SearchResults| {
        (
            r.total,
            r.relaxed,
            r.hits
                .iter()
                .map(|h| (h.record.id.clone(), h.score.to_bits(), h.snippet.clone()))
                .collect::<Vec<_>>(),
        )
    };
    for q in queries {
        let t = Instant::now();
        let dict = KnowledgeBase::query_dictionary(&[q]);
        build_ms.push(t.elapsed().as_secs_f64() * 1000.0);
        let small = KnowledgeBase::open_with_dictionary(index_dir, std::sync::Arc::new(dict))?;
        let req = SearchRequest::new(q.as_str());
        let same = match (full.search(&req), small.search(&req)) {
            (Ok(a), Ok(b)) => key(&a) == key(&b),
            (Err(a), Err(b)) => a.to_string() == b.to_string(),
            _ => false,
        };
        if !same {
            mismatches += 1;
            first.get_or_insert_with(|| q.clone());
        }
    }
    Ok((median(&build_ms), mismatches, first))
}

/// Top-10 with snippets over every query (with `per_article`, at most that
/// many hits from one article): one warm-up pass, then `passes` timed passes.
pub fn time_queries(
    kb: &KnowledgeBase,
    queries: &[String],
    per_article: Option<usize>,
    passes: usize,
    progress: &mut dyn FnMut(&str),
) -> QueryBench {
    let one = |q: &str| -> std::result::Result<usize, String> {
        let req = SearchRequest {
            per_article,
            ..SearchRequest::new(q)
        };
        kb.search(&req)
            .map(|r| r.hits.len())
            .map_err(|e| e.to_string())
    };
    let mut errors = 0;
    let mut first_error = None;
    let mut with_hits = 0;
    for q in queries {
        match one(q) {
            Ok(n) => with_hits += usize::from(n > 0),
            Err(e) => {
                errors += 1;
                first_error.get_or_insert(format!("{q}: {e}"));
            }
        }
    }
    let mut per_query = vec![Vec::new(); queries.len()];
    let (mut p50s, mut p99s, mut means, mut max) = (Vec::new(), Vec::new(), Vec::new(), 0f64);
    for pass in 0..passes {
        let mut lat = Vec::with_capacity(queries.len());
        for (i, q) in queries.iter().enumerate() {
            let t = Instant::now();
            let _ = std::hint::black_box(one(q));
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            lat.push(ms);
            per_query[i].push(ms);
            max = max.max(ms);
        }
        p50s.push(percentile(&lat, 50.0));
        p99s.push(percentile(&lat, 99.0));
        means.push(lat.iter().sum::<f64>() / lat.len() as f64);
        progress(&format!(
            "query pass {}/{}: p50 {:.3} ms, p99 {:.3} ms",
            pass + 1,
            passes,
            p50s[pass],
            p99s[pass]
        ));
    }
    let mut slow: Vec<(String, f64)> = queries
        .iter()
        .zip(&per_query)
        .map(|(q, v)| (q.clone(), round(median(v), 3)))
        .collect();
    slow.sort_by(|a, b| b.1.total_cmp(&a.1));
    slow.truncate(5);
    QueryBench {
        queries: queries.len(),
        limit: 10,
        per_article,
        snippets: true,
        warmup_passes: 1,
        p50_ms: round(median(&p50s), 3),
        p99_ms: round(median(&p99s), 3),
        mean_ms: round(median(&means), 3),
        max_ms: round(max, 3),
        p50_passes: p50s.iter().map(|x| round(*x, 3)).collect(),
        p99_passes: p99s.iter().map(|x| round(*x, 3)).collect(),
        queries_with_hits: with_hits,
        errors,
        first_error,
        slowest: slow,
    }
}

/// One thread through the ingest's own stages, timed separately.
/// `ingest_cpu_s` (CPU seconds of a whole ingest) gives the estimate of the rest.
pub fn phase_breakdown(docs: &Path, ingest_cpu_s: Option<f64>) -> Result<PhaseBench> {
    let listing = list_corpus(docs)?;
    let schema = build_schema();
    let fields = Fields::of(&schema)?;
    let j = jieba();
    let (mut t_parse, mut t_rec, mut t_doc, mut t_tok) = (0.0, 0.0, 0.0, 0.0);
    let (mut tok_bytes, mut uniq_bytes, mut json_bytes) = (0u64, 0u64, 0u64);
    // kind → (records, tokenized bytes, stored JSON bytes)
    let mut by_kind: std::collections::BTreeMap<String, (usize, u64, u64)> = Default::default();
    for path in &listing.files {
        let s = thread_cpu_s();
        let Ok((doc, _)) = load_document(docs, path) else {
            continue;
        };
        t_parse += thread_cpu_s() - s;
        let s = thread_cpu_s();
        let records = document_records(&doc);
        t_rec += thread_cpu_s() - s;
        let s = thread_cpu_s();
        let mut tantivy_docs = Vec::with_capacity(records.len());
        for r in &records {
            tantivy_docs.push(to_tantivy(&fields, r)?);
        }
        t_doc += thread_cpu_s() - s;
        let s = thread_cpu_s();
        let mut seen = std::collections::HashSet::new();
        for (d, r) in tantivy_docs.iter().zip(&records) {
            use tantivy::schema::document::{Document as _, Value as _};
            let kind = by_kind.entry(r.kind.as_str().to_string()).or_default();
            kind.0 += 1;
            for (field, value) in d.iter_fields_and_values() {
                let entry = schema.get_field_entry(field);
                let Some(text) = value.as_str() else { continue };
                if entry.is_indexed()
                    && matches!(entry.field_type(), tantivy::schema::FieldType::Str(o)
                        if o.get_indexing_options().map(|i| i.tokenizer()) == Some(crate::index::tokenizer::TOKENIZER_NAME))
                {
                    tok_bytes += text.len() as u64;
                    kind.1 += text.len() as u64;
                    // As in the ingest, a sentence repeated in the document is segmented once.
                    for (_, sentence) in sentences(text) {
                        if seen.insert(sentence) {
                            uniq_bytes += sentence.len() as u64;
                            std::hint::black_box(segment(&j, sentence, true));
                        }
                    }
                } else if field == fields.data {
                    json_bytes += text.len() as u64;
                    kind.2 += text.len() as u64;
                }
            }
        }
        t_tok += thread_cpu_s() - s;
    }
    let known = t_parse + t_rec + t_doc + t_tok;
    Ok(PhaseBench {
        read_normalize_parse_s: round(t_parse, 3),
        records_extract_s: round(t_rec, 3),
        to_document_s: round(t_doc, 3),
        tokenize_s: round(t_tok, 3),
        tokenized_bytes: tok_bytes,
        tokenized_unique_bytes: uniq_bytes,
        stored_json_bytes: json_bytes,
        by_kind: by_kind
            .into_iter()
            .map(|(k, (n, t, j))| KindBytes {
                kind: k,
                records: n,
                tokenized_mb: round(t as f64 / MB, 2),
                stored_json_mb: round(j as f64 / MB, 2),
            })
            .collect(),
        index_commit_cpu_s_estimate: ingest_cpu_s.map(|c| round(c - known, 3)),
    })
}

/// CPU seconds of the calling thread (wall time where unavailable): phase
/// times stay meaningful on a busy shared machine.
fn thread_cpu_s() -> f64 {
    #[cfg(unix)]
    {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid timespec for the call to fill.
        if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) } == 0 {
            return ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9;
        }
    }
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_secs_f64()
}

/// CPU seconds this process has used (user + system), from `/proc/self/stat`.
fn process_cpu_s() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

/// The report as a human-readable table.
pub fn table(r: &BenchReport) -> String {
    let mut out = String::new();
    let rss = r
        .peak_rss_mb
        .map(|x| format!("{x:.0} MB"))
        .unwrap_or_else(|| "n/a".into());
    let row = |out: &mut String, k: &str, v: String| out.push_str(&format!("{k:<34} {v}\n"));
    out.push_str(&format!(
        "govkb {} bench on {} ({:.1} MB, {} files, {} cores)\n",
        r.version, r.corpus, r.input_mb, r.ingest.files, r.cores
    ));
    row(
        &mut out,
        "ingest MB/s (median)",
        format!(
            "{:.2}  (runs: {})",
            r.mb_per_s,
            r.ingest
                .mb_per_s_runs
                .iter()
                .map(|x| format!("{x:.2}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    row(
        &mut out,
        "ingest as CLI process",
        r.ingest
            .child_wall_s
            .map(|s| format!("{s:.2} s, {:.2} MB/s", r.input_mb / s))
            .unwrap_or_else(|| "n/a".into()),
    );
    row(&mut out, "ingest peak RSS", rss);
    if let Some(c) = &r.ingest.recheck {
        row(
            &mut out,
            "re-ingest, nothing changed (CLI)",
            format!(
                "{:.1} ms  (min {:.1}, max {:.1}, {} runs)",
                c.median_ms, c.min_ms, c.max_ms, c.runs
            ),
        );
    }
    if let Some(c) = r.ingest.cpu_s {
        row(
            &mut out,
            "ingest CPU (all threads)",
            format!(
                "{c:.2} s = {:.2} cores busy",
                c / r.ingest.median_s.max(1e-9)
            ),
        );
    }
    row(
        &mut out,
        "records indexed",
        format!(
            "{} ({})",
            r.ingest.records,
            r.ingest
                .records_by_kind
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    row(
        &mut out,
        "index size",
        format!("{:.2} MB = {:.3} × input", r.index_mb, r.index_ratio),
    );
    if let Some(b) = &r.index_breakdown {
        row(
            &mut out,
            "index parts (MB)",
            format!(
                "store {:.2}, postings {:.2}, positions {:.2}, terms {:.2}, norms {:.2}, fast {:.2}; {} segments",
                b.store_mb, b.postings_mb, b.positions_mb, b.termdict_mb, b.fieldnorms_mb, b.fast_mb, b.segments
            ),
        );
        row(
            &mut out,
            "inverted index by field (MB)",
            b.inverted_by_field_mb
                .iter()
                .filter(|(_, v)| *v >= 0.01)
                .map(|(k, v)| format!("{k} {v:.2}"))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    let per_article = r
        .query
        .per_article
        .map_or(String::new(), |n| format!(", at most {n} per article"));
    row(
        &mut out,
        "query top-10 + snippets p50 / p99",
        format!(
            "{:.3} / {:.3} ms  (mean {:.3}, max {:.3}; {} queries, {} with hits, {} errors{per_article})",
            r.q_p50_ms,
            r.q_p99_ms,
            r.query.mean_ms,
            r.query.max_ms,
            r.query.queries,
            r.query.queries_with_hits,
            r.query.errors
        ),
    );
    row(
        &mut out,
        "cold CLI search (median)",
        format!(
            "{:.1} ms  (min {:.1}, max {:.1}, {} runs; full dictionary load {:.1} ms, per-query small dictionary {:.2} ms, {} queries with other results)",
            r.cold.times.median_ms,
            r.cold.times.min_ms,
            r.cold.times.max_ms,
            r.cold.times.runs,
            r.cold.jieba_load_ms,
            r.cold.small_dictionary_ms,
            r.cold.small_dictionary_mismatches
        ),
    );
    row(
        &mut out,
        "HTTP /api/search",
        match r.http.get("rps") {
            Some(rps) => format!(
                "{rps} requests/s, p50 {} / p99 {} ms ({} clients, {} requests, {} errors)",
                r.http["p50_ms"],
                r.http["p99_ms"],
                r.http["clients"],
                r.http["requests"],
                r.http["errors"]
            ),
            None => r
                .http
                .get("status")
                .and_then(|s| s.as_str())
                .map(String::from)
                .unwrap_or_else(|| r.http.to_string()),
        },
    );
    if let Some(p) = &r.phases {
        row(
            &mut out,
            "one-thread phases (s)",
            format!(
                "read+normalise+parse {:.2}, records+extract {:.2}, to-document {:.2}, tokenize {:.2}, rest (tantivy index+commit) {} ({:.1} MB tokenized, {:.1} MB of it distinct per document, {:.1} MB JSON stored)",
                p.read_normalize_parse_s,
                p.records_extract_s,
                p.to_document_s,
                p.tokenize_s,
                p.index_commit_cpu_s_estimate.map(|x| format!("{x:.2}")).unwrap_or_else(|| "n/a".into()),
                p.tokenized_bytes as f64 / MB,
                p.tokenized_unique_bytes as f64 / MB,
                p.stored_json_bytes as f64 / MB
            ),
        );
    }
    if let Some(p) = &r.phases {
        row(
            &mut out,
            "per kind: records/tokenized/JSON",
            p.by_kind
                .iter()
                .map(|k| {
                    format!(
                        "{} {}/{:.1}/{:.1} MB",
                        k.kind, k.records, k.tokenized_mb, k.stored_json_mb
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    if !r.query.slowest.is_empty() {
        row(
            &mut out,
            "slowest queries (ms)",
            r.query
                .slowest
                .iter()
                .map(|(q, ms)| format!("{q} {ms:.2}"))
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A child's peak RSS is its own: a small child of a large parent stays
    /// small, and a child that fills 100 MiB reports about that.
    #[cfg(target_os = "linux")]
    #[test]
    fn child_peak_rss_is_the_childs_own() {
        let parent: Vec<u8> = vec![1; 300 << 20];
        std::hint::black_box(&parent);
        let (status, _, small, _) = run_child(Command::new("sleep").arg("0.3")).unwrap();
        assert!(status.success());
        let small = small.expect("peak RSS of sleep");
        assert!(small < 50.0, "sleep's peak RSS {small} MB");
        drop(parent);
        // `sort` holds a whole line in memory: one line of 100 MB.
        let dir = tempfile::tempdir().unwrap();
        let line = dir.path().join("line.txt");
        std::fs::write(&line, vec![b'a'; 100 << 20]).unwrap();
        let (status, _, big, _) = run_child(Command::new("sort").arg(&line)).unwrap();
        assert!(status.success());
        let big = big.expect("peak RSS of sort");
        assert!((90.0..400.0).contains(&big), "sort's peak RSS {big} MB");
    }

    #[test]
    fn percentiles_interpolate_like_the_peers() {
        let xs = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&xs, 50.0), 2.5);
        assert_eq!(percentile(&xs, 0.0), 1.0);
        assert_eq!(percentile(&xs, 100.0), 4.0);
        assert!((percentile(&xs, 99.0) - 3.97).abs() < 1e-9);
        assert_eq!(median(&[]), 0.0);
    }

    #[test]
    fn docs_dir_prefers_docs_subfolder() {
        let d = std::env::temp_dir().join(format!("govkb-bench-test-{}", std::process::id()));
        std::fs::create_dir_all(d.join("docs")).unwrap();
        assert_eq!(docs_dir(&d), d.join("docs"));
        assert_eq!(docs_dir(&d.join("docs")), d.join("docs"));
        std::fs::remove_dir_all(&d).unwrap();
    }
}
