//! The draft as Markdown, in parts (报头, 编者按, columns, articles, 报尾,
//! provenance) so that the HTML page can wrap each rendered part.

use std::fmt::Write as _;

use super::{Block, Draft, DraftArticle, Duplicate, Source};

/// What a part of the draft is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PartKind {
    /// 报头: name, issue, unit and date, and the rule under them.
    Masthead,
    /// 编者按.
    EditorNote,
    /// A column's name (栏目).
    Column,
    /// One article with its credit line.
    Article,
    /// 报尾: 报/送/发 and 责任编辑.
    Colophon,
    /// The provenance list and the duplicates left out.
    Provenance,
}

/// One part and its Markdown (ending in a newline).
pub(super) struct Part {
    pub kind: PartKind,
    pub markdown: String,
}

/// The whole draft as Markdown.
pub(super) fn markdown(d: &Draft) -> String {
    parts(d)
        .iter()
        .map(|p| p.markdown.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The parts of a draft in order.
pub(super) fn parts(d: &Draft) -> Vec<Part> {
    let h = &d.header;
    let mut out = Vec::new();
    let mut push = |kind, markdown: String| out.push(Part { kind, markdown });

    let mut m = format!("# {}\n\n", inline(&h.name));
    if let Some(l) = h.issue_line() {
        let _ = write!(m, "{}\n\n", inline(&l));
    }
    let _ = write!(m, "{}\n\n---\n", inline(&h.unit_date_line()));
    push(PartKind::Masthead, m);

    if !h.editor_note.is_empty() {
        let paras: Vec<String> = h.editor_note.iter().map(|p| text(p)).collect();
        push(
            PartKind::EditorNote,
            format!("**编者按**：{}\n", paras.join("\n\n")),
        );
    }

    for c in &d.columns {
        if let Some(t) = &c.title {
            push(PartKind::Column, format!("**【{}】**\n", inline(t)));
        }
        for a in &c.articles {
            push(PartKind::Article, article(a));
        }
    }

    let mut f = String::from("---\n");
    for (label, to) in &h.distribution {
        let _ = write!(f, "\n**{label}**：{}\n", inline(to));
    }
    if let Some(e) = &h.editor {
        let _ = write!(f, "\n责任编辑：{}\n", inline(e));
    }
    if f.len() > 4 {
        push(PartKind::Colophon, f);
    }

    push(PartKind::Provenance, provenance(d));
    out
}

/// An article: headline, body with headings one level per numbering level
/// (`###` for `一、` … `######` for `（1）`), credit line.
fn article(a: &DraftArticle) -> String {
    let mut s = format!("## {}\n", inline(&a.title));
    for b in &a.blocks {
        match b {
            Block::Heading { level, text: t } => {
                let hashes = "#".repeat(2 + usize::from(*level).clamp(1, 4));
                let _ = write!(s, "\n{hashes} {}\n", inline(t));
            }
            Block::Paragraph { text: t } => {
                let _ = write!(s, "\n{}\n", text(t));
            }
        }
    }
    let _ = write!(s, "\n{}\n", inline(&a.credit));
    s
}

/// Sources with file names and ids as code spans.
fn source_line(sources: &[Source]) -> String {
    super::sources_line(sources, inline, |c| format!("`{c}`"))
}

/// The provenance list: every article's sources, then the duplicates left out.
fn provenance(d: &Draft) -> String {
    let mut s = String::from("---\n\n## 稿件来源（供编辑核对，付印前删去）\n\n");
    for (i, a) in d.articles().enumerate() {
        let _ = writeln!(
            s,
            "{}. 《{}》：{}",
            i + 1,
            inline(&a.title),
            source_line(&a.sources)
        );
    }
    if !d.duplicates.is_empty() {
        s.push_str("\n已略去的重复稿件：\n\n");
        for dup in &d.duplicates {
            let _ = writeln!(s, "- {}", duplicate(dup));
        }
    }
    s
}

fn duplicate(dup: &Duplicate) -> String {
    format!(
        "《{}》（{}）：{}",
        inline(&dup.title),
        source_line(&dup.sources),
        inline(&dup.note_zh())
    )
}

/// Text of one line, Markdown syntax characters escaped.
fn inline(s: &str) -> String {
    escape_line(&s.replace(['\n', '\t'], " "))
}

/// A paragraph: each line escaped, tabs as ideographic spaces, inner line
/// breaks (tables) kept as hard breaks.
fn text(s: &str) -> String {
    s.split('\n')
        .map(|l| escape_line(&l.replace('\t', "　")))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\\\n")
}

/// Escape what Markdown would read as syntax in one line of text.
fn escape_line(line: &str) -> String {
    let line = line.trim();
    let mut out = String::with_capacity(line.len() + 8);
    let mut leading_digits = true;
    for (i, c) in line.chars().enumerate() {
        let block_start = i == 0 && matches!(c, '-' | '+' | '=');
        let list_number = leading_digits && i > 0 && matches!(c, '.' | ')');
        if block_start || list_number || "\\`*_[]<>#|~&!".contains(c) {
            out.push('\\');
        }
        leading_digits &= c.is_ascii_digit();
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markdown_syntax() {
        assert_eq!(escape_line("1. 加强 *领导*"), "1\\. 加强 \\*领导\\*");
        assert_eq!(escape_line("- 一项"), "\\- 一项");
        assert_eq!(escape_line("a_b <i> #3"), "a\\_b \\<i\\> \\#3");
        assert_eq!(escape_line("2024年"), "2024年");
        assert_eq!(text("表1\n序号\t名称"), "表1\\\n序号　名称");
    }
}
