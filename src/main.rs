//! The `govkb` command line: a thin layer over the library.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use govkb::index::build::{ingest, IngestReport, Rebuild};
use govkb::model::DocType;
use govkb::output;
use govkb::record::RecordKind;
use govkb::search::{KnowledgeBase, SearchRequest};
use govkb::{Error, Result};
use serde_json::json;

/// mimalloc instead of glibc malloc: the ingest allocates and frees millions of
/// small token strings and records across two threads, where glibc spent about a
/// sixth of the CPU time. Its v2 line rather than the crate's default v3: the
/// same speed, and a fifth less peak memory in the ingest (235 against 296 MB
/// on the 50 MB bench corpus): v3 backs the parse workers' short-lived
/// allocations with fresh 2 MB pages.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turn transparent huge pages off for this process, as mimalloc's own
/// `MIMALLOC_ALLOW_THP=0` does (it reads that only before `main`). mimalloc
/// asks for huge pages on the memory it takes from the OS, so the kernel
/// zeroes a whole 2 MB page at the first touch of each, again after every
/// purge: page zeroing was a tenth of the ingest's CPU samples. Without them
/// an ingest of the 50 MB bench corpus spends 0.33 instead of 0.68 s in the
/// kernel, 3% less CPU in all, and peaks at 201 instead of 241 MB.
fn no_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE only sets a flag of this process; on a
    // kernel without it the call fails and nothing changes.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[derive(Parser)]
#[command(
    name = "govkb",
    version,
    about = "Knowledge base for Chinese government bulletins and policy documents"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build or update the index from a corpus folder (.txt, .md, .docx, .html, .pdf):
    /// only new and changed files are read, records of removed files dropped.
    Ingest {
        /// Corpus folder.
        #[arg(default_value = "corpus")]
        corpus: PathBuf,
        /// Index folder.
        #[arg(long, default_value = "index")]
        index: PathBuf,
        /// Read every file again into a fresh index.
        #[arg(long)]
        full: bool,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
        /// No progress bar.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Search passages (or other record kinds) with BM25, phrases, +/- and synonyms.
    Search {
        /// Query: words (all required), "quoted phrases", +required, -excluded, A OR B, NOT word, (groups).
        #[arg(allow_hyphen_values = true)]
        query: String,
        #[arg(long, default_value_t = 10)]
        limit: usize,
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// Document type: bulletin, notice, work_points, plan, magazine, other.
        #[arg(long)]
        doc_type: Option<String>,
        /// Year of the document.
        #[arg(long)]
        year: Option<u32>,
        /// Place (city, county, town, village; short names accepted).
        #[arg(long)]
        region: Option<String>,
        /// Record kind: passage, case, figure, measure, unit, article, document.
        #[arg(long, default_value = "passage")]
        kind: String,
        /// Only records naming this unit.
        #[arg(long)]
        unit: Option<String>,
        /// Only records of this document or article (an id as `show` takes it).
        #[arg(long, value_name = "ID")]
        within: Option<String>,
        /// At most N hits from one article (or document, outside articles); each
        /// such hit says how many more of its article match.
        #[arg(long, value_name = "N")]
        per_article: Option<usize>,
        #[arg(long, default_value = "index")]
        index: PathBuf,
        /// Print the stable JSON object.
        #[arg(long)]
        json: bool,
    },
    /// List documents with their metadata.
    Docs {
        #[arg(long, default_value = "index")]
        index: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Figures (quantities with units) with their sources.
    Figures {
        /// Only figures whose sentence matches this query.
        #[arg(long, allow_hyphen_values = true)]
        query: Option<String>,
        /// Only this measurement unit (人, 户, 元, %, 亩 …).
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        region: Option<String>,
        #[arg(long)]
        year: Option<u32>,
        #[command(flatten)]
        export: ExportArgs,
    },
    /// Responsible units: without NAME, units ranked by mentions; with NAME, every measure and article naming it.
    Units {
        /// Unit name, short or full (区人社局).
        name: Option<String>,
        /// lead, responsible, cooperating, credit, author or issuer.
        #[arg(long)]
        role: Option<String>,
        #[command(flatten)]
        export: ExportArgs,
    },
    /// Case studies: places and what they did, with figures and themes.
    Cases {
        /// Only cases matching this query (see `govkb search`).
        #[arg(long, allow_hyphen_values = true)]
        query: Option<String>,
        #[arg(long)]
        region: Option<String>,
        /// Theme from data/themes.tsv (积分制, 数字乡村 …).
        #[arg(long)]
        theme: Option<String>,
        #[arg(long)]
        year: Option<u32>,
        #[command(flatten)]
        export: ExportArgs,
    },
    /// Serve the JSON API and the search page over HTTP; reloads the index
    /// when `govkb ingest` publishes a new one.
    Serve {
        /// Index folder (the one `govkb ingest --index` writes).
        #[arg(long, default_value = "index")]
        index: PathBuf,
        /// Address to listen on (port 0: any free port; the URL is printed).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: String,
    },
    /// Show one document, article or record with its section tree.
    Show {
        /// Record id, e.g. 000_e37caf2969f00417 or 000_e37caf2969f00417#a1.
        id: String,
        #[arg(long, default_value = "index")]
        index: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Compile selected cases, articles or passages into a draft bulletin
    /// issue (Markdown, printable HTML or Word) with 报头, 编者按, credits,
    /// 报尾 and a provenance list.
    Compile(Box<govkb::compile::args::CompileArgs>),
    /// Measure ingest speed, index size, memory and query latency on a
    /// make-corpus folder (see README, "Benchmark").
    Bench {
        /// Corpus folder from ../shared/bench/make-corpus (docs/ and queries.txt), or plain.
        corpus: PathBuf,
        /// Queries, one a line (default CORPUS/queries.txt).
        #[arg(long)]
        queries: Option<PathBuf>,
        /// Ingest runs and timed query passes (medians are reported).
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Cold CLI searches (a new process each).
        #[arg(long, default_value_t = 10)]
        cold_runs: usize,
        /// Scratch folder for the indexes (default: a temporary folder, removed after).
        #[arg(long)]
        work: Option<PathBuf>,
        /// Add a one-thread breakdown of where the ingest time goes.
        #[arg(long)]
        phases: bool,
        /// Skip the ingest: measure queries on the index an earlier run left in --work.
        #[arg(long, requires = "work")]
        queries_only: bool,
        /// Time the queries with at most N hits per article (as `search --per-article`).
        #[arg(long, value_name = "N")]
        per_article: Option<usize>,
        /// Print the report as JSON (one line) instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Output options shared by the export commands.
#[derive(clap::Args)]
struct ExportArgs {
    #[arg(long, default_value = "index")]
    index: PathBuf,
    /// Print `{"records":[…]}`.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print CSV with a header row.
    #[arg(long)]
    csv: bool,
    /// At most this many records.
    #[arg(long, default_value_t = 100_000)]
    limit: usize,
}

/// Select records of a kind and print them in the chosen format.
fn export(
    args: &ExportArgs,
    kind: RecordKind,
    mut req: SearchRequest,
    keep: impl Fn(&govkb::record::Record) -> bool,
    text: impl Fn(&[govkb::record::Record]) -> String,
) -> Result<ExitCode> {
    let kb = KnowledgeBase::open(&args.index)?;
    req.kind = kind;
    let records: Vec<_> = kb
        .select(&req, args.limit)?
        .into_iter()
        .filter(|r| keep(r))
        .collect();
    if args.json {
        emit_json(&govkb::export::records_json(&records))?;
    } else if args.csv {
        emit(&govkb::export::records_csv(kind.as_str(), &records));
    } else {
        emit(&text(&records));
    }
    Ok(ExitCode::SUCCESS)
}

/// An export request: an optional query and the place and year filters.
fn export_request(
    query: Option<String>,
    region: Option<String>,
    year: Option<u32>,
) -> SearchRequest {
    let mut req = SearchRequest::new(query.unwrap_or_default());
    req.region = region;
    req.year = year;
    req
}

/// Whether a record's detail field equals `want` (or contains it, for lists).
fn detail_has(r: &govkb::record::Record, key: &str, want: &str) -> bool {
    match r.detail.get(key) {
        Some(serde_json::Value::String(s)) => s == want,
        Some(serde_json::Value::Array(a)) => a.iter().any(|v| v.as_str() == Some(want)),
        _ => false,
    }
}

fn main() -> ExitCode {
    no_transparent_huge_pages();
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("govkb: {e}");
            ExitCode::from(match e {
                Error::Input(_) => 2,
                _ => 1,
            })
        }
    }
}

/// Print to stdout; a closed pipe (`govkb … | head`) ends quietly.
fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        std::process::exit(0);
    }
}

fn emit_json(v: &impl serde::Serialize) -> Result<()> {
    emit(&(serde_json::to_string_pretty(v)? + "\n"));
    Ok(())
}

fn run(command: Command) -> Result<ExitCode> {
    match command {
        Command::Ingest {
            corpus,
            index,
            full,
            json,
            quiet,
        } => run_ingest(
            &corpus,
            &index,
            if full {
                Rebuild::Full
            } else {
                Rebuild::Changed
            },
            json,
            quiet,
        ),
        Command::Search {
            query,
            limit,
            offset,
            doc_type,
            year,
            region,
            kind,
            unit,
            within,
            per_article,
            index,
            json,
        } => {
            let kind = RecordKind::parse(&kind).ok_or_else(|| {
                Error::Input(format!("unknown kind `{kind}`; use passage, case, figure, measure, unit, article or document"))
            })?;
            let doc_type = doc_type
                .map(|t| {
                    DocType::parse(&t).ok_or_else(|| {
                        Error::Input(format!(
                            "unknown document type `{t}`; use bulletin, notice, work_points, plan, magazine or other"
                        ))
                    })
                })
                .transpose()?;
            // A one-shot search loads only the dictionary words its query needs.
            let kb = KnowledgeBase::open_for_queries(&index, &[&query])?;
            let req = SearchRequest {
                query,
                limit,
                offset,
                kind,
                doc_type,
                year,
                region,
                unit,
                within,
                per_article,
            };
            let results = kb.search(&req)?;
            if json {
                emit_json(&results)?;
            } else {
                emit(&output::results_text(
                    &results,
                    std::io::stdout().is_terminal(),
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Docs { index, json } => {
            let kb = KnowledgeBase::open(&index)?;
            let docs = kb.list(RecordKind::Document, None, None)?;
            if json {
                let list: Vec<_> = docs.iter().map(output::document_json).collect();
                emit_json(&json!({ "documents": list }))?;
            } else {
                emit(&output::documents_text(&docs));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench {
            corpus,
            queries,
            runs,
            cold_runs,
            work,
            phases,
            queries_only,
            per_article,
            json,
        } => {
            let opts = govkb::bench::BenchOptions {
                corpus,
                queries,
                runs,
                cold_runs,
                govkb_bin: std::env::current_exe()?,
                work,
                phases,
                queries_only,
                per_article,
            };
            let report = govkb::bench::run(&opts, &mut |line| eprintln!("bench: {line}"))?;
            if json {
                emit(&(serde_json::to_string(&report)? + "\n"));
            } else {
                emit(&govkb::bench::table(&report));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Figures {
            query,
            unit,
            region,
            year,
            export: args,
        } => {
            let req = export_request(query, region, year);
            let unit = unit.map(|u| {
                if matches!(u.as_str(), "名" | "位") {
                    "人".to_string()
                } else {
                    u
                }
            });
            export(
                &args,
                RecordKind::Figure,
                req,
                |r| unit.as_deref().is_none_or(|u| detail_has(r, "unit", u)),
                govkb::export::figures_text,
            )
        }
        Command::Units {
            name,
            role,
            export: args,
        } => {
            const ROLES: [&str; 6] = [
                "lead",
                "responsible",
                "cooperating",
                "credit",
                "author",
                "issuer",
            ];
            if let Some(r) = role.as_deref().filter(|r| !ROLES.contains(r)) {
                return Err(Error::Input(format!(
                    "unknown role `{r}`; use {}",
                    ROLES.join(", ")
                )));
            }
            let mut req = SearchRequest::new("");
            req.unit = name.clone();
            let keep = |r: &govkb::record::Record| {
                role.as_deref()
                    .is_none_or(|want| detail_has(r, "role", want))
            };
            if name.is_some() {
                export(
                    &args,
                    RecordKind::Unit,
                    req,
                    keep,
                    govkb::export::unit_mentions_text,
                )
            } else {
                export(
                    &args,
                    RecordKind::Unit,
                    req,
                    keep,
                    govkb::export::unit_ranking_text,
                )
            }
        }
        Command::Cases {
            query,
            region,
            theme,
            year,
            export: args,
        } => {
            let req = export_request(query, region, year);
            export(
                &args,
                RecordKind::Case,
                req,
                |r| theme.as_deref().is_none_or(|t| detail_has(r, "themes", t)),
                govkb::export::cases_text,
            )
        }
        Command::Compile(args) => {
            let outcome = args.run()?;
            for m in &outcome.messages {
                eprintln!("govkb: {m}");
            }
            if let Some(text) = &outcome.stdout {
                emit(text);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve { index, addr } => {
            govkb::server::run(&index, &addr)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Show { id, index, json } => {
            let kb = KnowledgeBase::open(&index)?;
            let record = kb.get(&id)?.ok_or_else(|| {
                Error::Input(format!(
                    "no record with id `{id}`; `govkb docs` lists documents"
                ))
            })?;
            show(&kb, record, json)
        }
    }
}

fn show(kb: &KnowledgeBase, record: govkb::record::Record, json: bool) -> Result<ExitCode> {
    match record.kind {
        RecordKind::Document => {
            let articles = kb.list(RecordKind::Article, Some(&record.doc_id), None)?;
            if json {
                let mut v = output::document_json(&record);
                v["articles"] = serde_json::to_value(&articles)?;
                emit_json(&v)?;
            } else {
                let mut out = output::documents_text(std::slice::from_ref(&record));
                for a in &articles {
                    out.push_str(&format!(
                        "\n{}  {}",
                        a.id,
                        a.article_title.as_deref().unwrap_or("")
                    ));
                    if !a.units.is_empty() {
                        out.push_str(&format!("  ({})", a.units.join("、")));
                    }
                    out.push('\n');
                    output::sections_text(&output::sections_of(a), 0, &mut out);
                }
                emit(&out);
            }
        }
        RecordKind::Article => {
            let passages = kb.list(RecordKind::Passage, None, Some(&record.id))?;
            if json {
                let mut v = serde_json::to_value(&record)?;
                v["passages"] = serde_json::to_value(&passages)?;
                emit_json(&v)?;
            } else {
                let mut out = format!(
                    "{}  {}\n{} · {}\n",
                    record.id,
                    record.article_title.as_deref().unwrap_or(""),
                    record.doc_title,
                    record.file
                );
                output::sections_text(&output::sections_of(&record), 0, &mut out);
                for p in &passages {
                    out.push_str(&format!(
                        "\n[{}] {}\n{}\n",
                        p.id,
                        p.section_path.join(" > "),
                        p.text
                    ));
                }
                emit(&out);
            }
        }
        _ => {
            if json {
                emit_json(&record)?;
            } else {
                emit(&format!(
                    "{}  [{}] {} · {}\n{}\n",
                    record.id,
                    record.kind.as_str(),
                    record.doc_title,
                    record.file,
                    record.text
                ));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn run_ingest(
    corpus: &std::path::Path,
    index: &std::path::Path,
    rebuild: Rebuild,
    json: bool,
    quiet: bool,
) -> Result<ExitCode> {
    let bar = (!quiet && std::io::stderr().is_terminal()).then(indicatif::ProgressBar::no_length);
    if let Some(b) = &bar {
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {msg}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
    }
    let report = ingest(
        corpus,
        index,
        rebuild,
        &mut |_, bytes| {
            if let Some(b) = &bar {
                b.set_length(bytes);
            }
        },
        &mut |file, bytes| {
            if let Some(b) = &bar {
                b.inc(bytes);
                b.set_message(file.to_string());
            }
        },
    )?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    if json {
        emit_json(&report)?;
    } else {
        emit(&ingest_summary(&report, index));
    }
    for f in &report.failed {
        eprintln!("govkb: failed {}: {}", f.rel_path, f.reason);
    }
    Ok(if report.failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        eprintln!(
            "govkb: {} file(s) failed; the others are indexed",
            report.failed.len()
        );
        ExitCode::from(1)
    })
}

/// The text summary of an ingest: what changed, what was read, what was left out.
fn ingest_summary(report: &IngestReport, index: &std::path::Path) -> String {
    let mut out = if report.up_to_date {
        format!(
            "{} is up to date: {} files unchanged ({} documents, {} records)\n",
            index.display(),
            report.unchanged,
            report.documents_total,
            report.records_total
        )
    } else {
        format!(
            "indexed {} files ({:.2} MB) in {:.2} s, {:.1} MB/s into {}{}\n  files: {} added, {} changed, {} removed, {} unchanged, {} duplicate\n  read now: documents {}, articles {}, sections {}, passages {}\n  records read now: {}\n  index now: {} documents, {} records\n",
            report.files_read,
            report.bytes as f64 / 1_048_576.0,
            report.seconds,
            report.mb_per_s(),
            index.display(),
            report
                .full_rebuild
                .as_ref()
                .map(|why| format!(" (full build: {why})"))
                .unwrap_or_default(),
            report.added.len(),
            report.changed.len(),
            report.removed.len(),
            report.unchanged,
            report.duplicates.len(),
            report.documents,
            report.articles,
            report.sections,
            report.passages,
            report.records.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", "),
            report.documents_total,
            report.records_total,
        )
    };
    for (what, files) in [
        ("added", &report.added),
        ("changed", &report.changed),
        ("removed", &report.removed),
    ] {
        if !files.is_empty() && files.len() <= 20 {
            out.push_str(&format!("  {what}: {}\n", files.join(", ")));
        }
    }
    for d in &report.duplicates {
        out.push_str(&format!(
            "  duplicate {} = {} (indexed once)\n",
            d.file, d.same_as
        ));
    }
    for s in &report.skipped {
        out.push_str(&format!("  skipped {}: {}\n", s.rel_path, s.reason));
    }
    out
}
