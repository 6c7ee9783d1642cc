//! Bulletin compiler: selected cases, articles and passages become a draft
//! issue of a bulletin (简报) in the standard layout — 报头, 编者按, one
//! article per record with its credit line, 报尾 — plus a provenance list for
//! the editor, as Markdown, HTML (rendered from that Markdown) or Word.
//!
//! The flow is [`compile`] (selection → [`Draft`], with duplicates removed),
//! then [`render`] (draft → bytes of a [`Format`]), then [`write_output`]
//! (all or nothing). Records come from the one query API,
//! [`KnowledgeBase`](crate::search::KnowledgeBase).

pub mod args;
mod dedup;
mod docx;
mod html;
mod markdown;
pub mod plan;
mod select;

use std::io::Write as _;
use std::path::Path;

use crate::error::{Error, Result};
use crate::model::Span;
use crate::record::{Record, RecordKind};
use crate::search::{KnowledgeBase, SearchRequest};
pub use plan::{HeaderFields, Plan, PlanSection};

/// What to put in the issue.
#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    /// Case, article and passage ids, in draft order.
    Ids(Vec<String>),
    /// The top hits of a search, in rank order (kind case, article or passage).
    Query(SearchRequest),
    /// Columns (栏目) with their ids, from a plan file.
    Sections(Vec<PlanSection>),
}

/// The 报头 and 报尾 of the issue, ready to print.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// Bulletin name (`海南乡村振兴简报`).
    pub name: String,
    /// 期号 (`2024年第1期`).
    pub issue: Option<String>,
    /// 总期号 as printed (`总第33期`).
    pub total_issue: Option<String>,
    /// 编印单位.
    pub unit: Option<String>,
    /// Date as printed (`2024年1月15日`).
    pub date: String,
    /// 编者按, one string per paragraph.
    pub editor_note: Vec<String>,
    /// 报/送/发 lines as (label, addressees), only those given.
    pub distribution: Vec<(String, String)>,
    /// 责任编辑.
    pub editor: Option<String>,
}

impl Header {
    /// `2024年第1期（总第33期）`, or whichever part is given.
    pub fn issue_line(&self) -> Option<String> {
        match (&self.issue, &self.total_issue) {
            (Some(i), Some(t)) => Some(format!("{i}（{t}）")),
            (Some(i), None) => Some(i.clone()),
            (None, Some(t)) => Some(format!("（{t}）")),
            (None, None) => None,
        }
    }

    /// `海南省乡村振兴局　　　　2024年1月15日`, or the date alone.
    pub fn unit_date_line(&self) -> String {
        match &self.unit {
            Some(u) => format!("{u}　　　　{}", self.date),
            None => self.date.clone(),
        }
    }
}

/// A block of an article body.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// A section heading; level 1 `一、`, 2 `（一）`, 3 `1.`, 4 `（1）`.
    Heading {
        /// Numbering level, 1 to 4.
        level: u8,
        /// Heading text.
        text: String,
    },
    /// A paragraph of clean text (line breaks kept for tables).
    Paragraph {
        /// The text.
        text: String,
    },
}

/// Where a piece of the draft comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct Source {
    /// Record id.
    pub id: String,
    /// Record kind.
    pub kind: RecordKind,
    /// Title of the source document (bulletin name, notice title …).
    pub doc_title: String,
    /// Issue of the source document.
    pub issue: Option<String>,
    /// Date of the source document (ISO).
    pub date: Option<String>,
    /// Source file relative to the corpus.
    pub file: String,
    /// Char span in the source document's clean text.
    pub span: Span,
}

impl Source {
    fn of(r: &Record) -> Source {
        Source {
            id: r.id.clone(),
            kind: r.kind,
            doc_title: r.doc_title.clone(),
            issue: r.issue.clone(),
            date: r.date.clone(),
            file: r.file.clone(),
            span: r.span,
        }
    }

    /// `《海南乡村振兴简报》2023年第10期`.
    fn publication(&self) -> String {
        format!(
            "《{}》{}",
            self.doc_title,
            self.issue.as_deref().unwrap_or("")
        )
    }
}

/// `《海南乡村振兴简报》2023年第10期，2023-11-30，文件 F，记录 ID（字符 74–1317）、…`,
/// with `text` applied to the prose and `code` to file names and ids.
fn sources_line(
    sources: &[Source],
    text: impl Fn(&str) -> String,
    code: impl Fn(&str) -> String,
) -> String {
    let Some(first) = sources.first() else {
        return String::new();
    };
    let mut s = text(&first.publication());
    if let Some(d) = &first.date {
        s.push('，');
        s.push_str(&text(d));
    }
    let ids: Vec<String> = sources
        .iter()
        .map(|x| format!("{}（字符 {}–{}）", code(&x.id), x.span.start, x.span.end))
        .collect();
    s.push_str(&format!(
        "，文件 {}，记录 {}",
        code(&first.file),
        ids.join("、")
    ));
    s
}

/// One article of the draft.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftArticle {
    /// Headline.
    pub title: String,
    /// Body: headings and paragraphs in order.
    pub blocks: Vec<Block>,
    /// Credit line as printed, with its brackets: `（海口市乡村振兴局提供）`.
    pub credit: String,
    /// The records it was made from.
    pub sources: Vec<Source>,
}

impl DraftArticle {
    /// The body as one plain text, for duplicate detection.
    fn plain_text(&self) -> String {
        let mut s = String::new();
        for b in &self.blocks {
            match b {
                Block::Heading { text, .. } | Block::Paragraph { text } => s.push_str(text),
            }
            s.push('\n');
        }
        s
    }
}

/// A column (栏目) of the draft; untitled when the selection had no columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// Column name (`工作动态`).
    pub title: Option<String>,
    /// Its articles in order.
    pub articles: Vec<DraftArticle>,
}

/// Why a selected record was left out.
#[derive(Debug, Clone, PartialEq)]
pub enum DuplicateReason {
    /// The same id was selected more than once.
    SelectedTwice,
    /// Its text is, for the most part, in the kept article (a reprint, or an
    /// example from an article that is also selected).
    SameCase {
        /// Share of the shorter text's wording found in the other, 0–1.
        shared: f32,
    },
}

/// A selected record left out as a duplicate of a kept article.
#[derive(Debug, Clone, PartialEq)]
pub struct Duplicate {
    /// Headline of the left-out record.
    pub title: String,
    /// Its sources.
    pub sources: Vec<Source>,
    /// Position (1-based, in draft order) of the kept article.
    pub kept: usize,
    /// Headline of the kept article.
    pub kept_title: String,
    /// Why.
    pub reason: DuplicateReason,
}

impl Duplicate {
    /// What happened, in Chinese, for the draft's provenance list.
    pub fn note_zh(&self) -> String {
        match self.reason {
            DuplicateReason::SelectedTwice => format!("重复选入，见第{}篇", self.kept),
            DuplicateReason::SameCase { shared } => format!(
                "与第{}篇《{}》为同一案例（文字重合{:.0}%），保留第{}篇",
                self.kept,
                self.kept_title,
                shared * 100.0,
                self.kept
            ),
        }
    }

    /// One line for the terminal.
    pub fn describe(&self) -> String {
        let id = self.sources.first().map_or("", |s| s.id.as_str());
        match self.reason {
            DuplicateReason::SelectedTwice => format!(
                "duplicate: `{id}` was selected more than once; kept it once (article {})",
                self.kept
            ),
            DuplicateReason::SameCase { shared } => format!(
                "duplicate: `{id}` ({}) reports the same case as article {} ({}, {:.0}% of the wording shared); kept article {}",
                self.title,
                self.kept,
                self.kept_title,
                shared * 100.0,
                self.kept
            ),
        }
    }
}

/// A compiled draft issue.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// 报头 and 报尾 fields.
    pub header: Header,
    /// Columns with their articles, in order.
    pub columns: Vec<Column>,
    /// Selected records left out as duplicates.
    pub duplicates: Vec<Duplicate>,
    /// Warnings for the editor (one line each), e.g. a query that matched loosely.
    pub notes: Vec<String>,
}

impl Draft {
    /// Every article in draft order.
    pub fn articles(&self) -> impl Iterator<Item = &DraftArticle> {
        self.columns.iter().flat_map(|c| c.articles.iter())
    }
}

/// Output formats of a draft.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Markdown.
    Markdown,
    /// A standalone HTML page rendered from the Markdown, printable on A4.
    Html,
    /// A Word document styled after GB/T 9704.
    Docx,
}

impl Format {
    /// Parse `md`, `markdown`, `html` or `docx`.
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "md" | "markdown" => Some(Format::Markdown),
            "html" | "htm" => Some(Format::Html),
            "docx" | "word" => Some(Format::Docx),
            _ => None,
        }
    }

    /// The format an output path's extension names, if any.
    pub fn from_path(path: &Path) -> Option<Format> {
        path.extension()
            .and_then(|e| e.to_str())
            .and_then(Format::parse)
    }
}

/// Compile a draft from a selection: resolve the records (an unknown id or an
/// empty selection is an [`Error::Input`]), build one article per record (the
/// passages of one article selected together make one article), and leave
/// out duplicates.
pub fn compile(kb: &KnowledgeBase, selection: &Selection, fields: &HeaderFields) -> Result<Draft> {
    let header = fields.resolve()?;
    let mut notes = Vec::new();
    let picked = select::resolve(kb, selection, &mut notes)?;
    let items = picked
        .items
        .iter()
        .map(|(c, records)| Ok((*c, select::article(kb, records)?)))
        .collect::<Result<Vec<_>>>()?;
    let (kept, duplicates) = dedup::dedup(items, &picked.repeats);
    let mut columns: Vec<Column> = picked
        .columns
        .into_iter()
        .map(|title| Column {
            title,
            articles: Vec::new(),
        })
        .collect();
    for (c, a) in kept {
        columns[c].articles.push(a);
    }
    columns.retain(|c| !c.articles.is_empty());
    Ok(Draft {
        header,
        columns,
        duplicates,
        notes,
    })
}

/// Render a draft in a format.
pub fn render(draft: &Draft, format: Format) -> Result<Vec<u8>> {
    Ok(match format {
        Format::Markdown => markdown::markdown(draft).into_bytes(),
        Format::Html => html::html(draft).into_bytes(),
        Format::Docx => docx::docx(draft)?,
    })
}

/// Write `bytes` to `path` all or nothing: into a temporary file beside it,
/// then renamed over it. On any error nothing is left behind.
pub fn write_output(path: &Path, bytes: &[u8]) -> Result<()> {
    let fail = |e: &dyn std::fmt::Display| {
        Error::Input(format!(
            "cannot write `{}`: {e}; choose a writable file path (nothing was written)",
            path.display()
        ))
    };
    if path.is_dir() {
        return Err(fail(&"it is a folder"));
    }
    let name = path
        .file_name()
        .ok_or_else(|| fail(&"no file name"))?
        .to_string_lossy();
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let tmp = dir.join(format!(".{name}.govkb-{}.tmp", std::process::id()));
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        f.write_all(bytes)?;
        f.sync_all()
    });
    let result = written.and_then(|_| std::fs::rename(&tmp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(fail(&e));
    }
    Ok(())
}
