//! `govkb compile`: its flags and the run from flags to a written draft.

use std::path::PathBuf;

use super::{compile, render, write_output, Format, HeaderFields, Plan, Selection};
use crate::error::{Error, Result};
use crate::model::DocType;
use crate::record::RecordKind;
use crate::search::{KnowledgeBase, SearchRequest};

/// Flags of `govkb compile`.
#[derive(Debug, Clone, clap::Args)]
pub struct CompileArgs {
    /// Records in draft order, comma-separated: cases (…#c3), articles (…#a2)
    /// or passages (…#p12; passages of one article make one article).
    #[arg(long, value_delimiter = ',')]
    pub ids: Vec<String>,
    /// Take the top hits of this query instead (see `govkb search`).
    #[arg(long, allow_hyphen_values = true)]
    pub query: Option<String>,
    /// A TOML or JSON plan: [header] fields and [[sections]] (栏目) with `title` and `ids`.
    #[arg(long)]
    pub plan: Option<PathBuf>,
    /// With --query: how many records.
    #[arg(long, default_value_t = 5)]
    pub limit: usize,
    /// With --query: record kind to search (case, article or passage).
    #[arg(long, default_value = "case")]
    pub kind: String,
    /// With --query: only sources of this document type (bulletin, notice, magazine …).
    #[arg(long)]
    pub doc_type: Option<String>,
    /// With --query: only sources of this year.
    #[arg(long)]
    pub year: Option<u32>,
    /// With --query: only records about this place (short names accepted).
    #[arg(long)]
    pub region: Option<String>,
    /// With --query: only records naming this responsible unit.
    #[arg(long)]
    pub filter_unit: Option<String>,
    /// Bulletin name (报头), e.g. 海南乡村振兴简报.
    #[arg(long)]
    pub name: Option<String>,
    /// Issue (期号), e.g. 2024年第1期.
    #[arg(long)]
    pub issue: Option<String>,
    /// Total issue number (总期号), e.g. 33.
    #[arg(long)]
    pub total_issue: Option<String>,
    /// Compiling unit (编印单位), e.g. 海南省乡村振兴局.
    #[arg(long)]
    pub unit: Option<String>,
    /// Date, e.g. 2024-01-15 (default: today).
    #[arg(long)]
    pub date: Option<String>,
    /// Editor's note (编者按); each line is a paragraph.
    #[arg(long)]
    pub editor_note: Option<String>,
    /// 报： line of the 报尾 (superiors the issue is reported to).
    #[arg(long)]
    pub report_to: Option<String>,
    /// 送： line of the 报尾 (peers it is sent to).
    #[arg(long)]
    pub send_to: Option<String>,
    /// 发： line of the 报尾 (units it is distributed to).
    #[arg(long)]
    pub distribute_to: Option<String>,
    /// Responsible editor (责任编辑).
    #[arg(long)]
    pub editor: Option<String>,
    /// Output file (Markdown and HTML go to stdout without it).
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// md, html or docx (default: from the output's extension, else md).
    #[arg(long)]
    pub format: Option<String>,
    /// Index folder.
    #[arg(long, default_value = "index")]
    pub index: PathBuf,
}

/// What a compile run produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The draft, when it goes to stdout.
    pub stdout: Option<String>,
    /// Lines for stderr: duplicates left out, warnings, where the draft went.
    pub messages: Vec<String>,
}

impl CompileArgs {
    fn header_fields(&self) -> HeaderFields {
        HeaderFields {
            name: self.name.clone(),
            issue: self.issue.clone(),
            total_issue: self.total_issue.clone(),
            unit: self.unit.clone(),
            date: self.date.clone(),
            editor_note: self.editor_note.clone(),
            report_to: self.report_to.clone(),
            send_to: self.send_to.clone(),
            distribute_to: self.distribute_to.clone(),
            editor: self.editor.clone(),
        }
    }

    fn format(&self) -> Result<Format> {
        match &self.format {
            Some(f) => Format::parse(f)
                .ok_or_else(|| Error::Input(format!("unknown format `{f}`; use md, html or docx"))),
            None => Ok(self
                .output
                .as_deref()
                .and_then(Format::from_path)
                .unwrap_or(Format::Markdown)),
        }
    }

    /// The selection and the header fields (plan fields overridden by flags).
    fn selection(&self) -> Result<(Selection, HeaderFields)> {
        let given = [
            !self.ids.is_empty(),
            self.query.is_some(),
            self.plan.is_some(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            return Err(Error::Input(
                "choose the records with one of --ids, --query or --plan (nothing was written)"
                    .into(),
            ));
        }
        let flags = self.header_fields();
        if let Some(path) = &self.plan {
            let plan = Plan::load(path)?;
            return Ok((
                Selection::Sections(plan.sections),
                plan.header.overridden_by(&flags),
            ));
        }
        if let Some(q) = &self.query {
            let kind = RecordKind::parse(&self.kind).ok_or_else(|| {
                Error::Input(format!(
                    "unknown kind `{}`; use case, article or passage",
                    self.kind
                ))
            })?;
            let doc_type = self
                .doc_type
                .as_deref()
                .map(|t| {
                    DocType::parse(t).ok_or_else(|| {
                        Error::Input(format!(
                            "unknown document type `{t}`; use bulletin, notice, work_points, plan, magazine or other"
                        ))
                    })
                })
                .transpose()?;
            let req = SearchRequest {
                limit: self.limit,
                kind,
                doc_type,
                year: self.year,
                region: self.region.clone(),
                unit: self.filter_unit.clone(),
                ..SearchRequest::new(q.clone())
            };
            return Ok((Selection::Query(req), flags));
        }
        Ok((Selection::Ids(self.ids.clone()), flags))
    }

    /// Compile, render and write (or return for stdout). Any error leaves
    /// no file behind.
    pub fn run(&self) -> Result<Outcome> {
        let format = self.format()?;
        if format == Format::Docx && self.output.is_none() {
            return Err(Error::Input(
                "a .docx draft needs -o/--output FILE.docx".into(),
            ));
        }
        let (selection, fields) = self.selection()?;
        let kb = KnowledgeBase::open(&self.index)?;
        let draft = compile(&kb, &selection, &fields)?;
        let mut messages: Vec<String> = draft.notes.clone();
        messages.extend(draft.duplicates.iter().map(|d| d.describe()));
        let bytes = render(&draft, format)?;
        let stdout = match &self.output {
            Some(path) => {
                write_output(path, &bytes)?;
                messages.push(format!(
                    "wrote {} ({} articles)",
                    path.display(),
                    draft.articles().count()
                ));
                None
            }
            None => Some(String::from_utf8_lossy(&bytes).into_owned()),
        };
        Ok(Outcome { stdout, messages })
    }
}
