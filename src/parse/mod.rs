//! Stage 3, parse: clean blocks → [`Document`] with metadata, articles, a
//! section tree and passages. The per-kind layout rules live in
//! [`bulletin`], [`notice`] and [`magazine`]; this module lays out the clean
//! text and builds sections and passages from an article plan.

pub mod bulletin;
pub mod headings;
pub mod magazine;
pub mod meta;
pub mod notice;

use std::ops::Range;
use std::path::Path;

use crate::extract::locality;
use crate::extract::units::{find_annotations, jurisdiction_of};
use crate::model::{Article, DocMeta, DocType, Document, Passage, Section, Span};
use crate::normalize::{Block, BlockKind};
use crate::read::SourceFile;

/// Passages longer than this many chars are split at sentence ends.
const MAX_PASSAGE_CHARS: usize = 900;

/// Inline points (`一是…二是…`) of at least this many chars become passages of their own.
const MIN_POINT_CHARS: usize = 60;

/// Paragraphs shorter than this (captions, lead-ins) join the paragraph after them.
const MIN_PASSAGE_CHARS: usize = 25;

/// A clean block placed in the clean text.
#[derive(Debug, Clone)]
pub struct Line {
    /// Layout kind.
    pub kind: BlockKind,
    /// Clean text.
    pub text: String,
    /// Whole block bold.
    pub strong: bool,
    /// Where it stands in the clean text.
    pub span: Span,
}

/// Where an article lies in the document's lines, as a layout rule found it.
#[derive(Debug, Clone, Default)]
pub struct ArticlePlan {
    /// Headline.
    pub title: String,
    /// Lines of the headline (for the span).
    pub title_lines: Range<usize>,
    /// Credit or byline text.
    pub credit: Option<String>,
    /// Magazine column.
    pub column: Option<String>,
    /// Place named by a column tag (`| 三亚市 |`).
    pub place_hint: Option<String>,
    /// Body lines.
    pub body: Range<usize>,
    /// Markdown level of the article heading (0 when not a heading).
    pub heading_level: u8,
}

/// What a layout rule found: metadata, articles and document-level lines.
#[derive(Debug, Default)]
pub struct Layout {
    /// Metadata found in header and footer.
    pub meta: DocMeta,
    /// Articles in order.
    pub articles: Vec<ArticlePlan>,
    /// Lines that are document-level passages (编者按).
    pub doc_passages: Vec<usize>,
}

/// Parse one decoded, normalised file into a [`Document`].
pub fn parse_document(src: &SourceFile, blocks: Vec<Block>) -> Document {
    let (clean_text, lines) = lay_out(blocks);
    let header: String = lines
        .iter()
        .take(40)
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let title_guess = lines
        .iter()
        .take(15)
        .map(|l| l.text.as_str())
        .find(|t| t.contains("关于") || t.ends_with("通知"))
        .unwrap_or("");
    let doc_type = meta::doc_type(&header, title_guess);
    let mut layout = match doc_type {
        DocType::Bulletin => bulletin::lay_out(&lines),
        DocType::Notice | DocType::WorkPoints | DocType::Plan => notice::lay_out(&lines),
        DocType::Magazine => magazine::lay_out(&lines),
        DocType::Other => whole_document(&lines),
    };
    layout.meta.doc_type = doc_type;
    layout.meta.encoding = src.encoding.to_string();
    if layout.meta.title.is_empty() {
        layout.meta.title = file_stem(&src.rel_path);
    }
    if let Some(issuer) = &layout.meta.issuer {
        let j = jurisdiction_of(issuer.split(" / ").next().unwrap_or(issuer));
        layout.meta.jurisdiction = (!j.is_empty()).then_some(j);
    }
    let mut articles = Vec::new();
    let mut passages = Vec::new();
    for &i in &layout.doc_passages {
        push_passage(&mut passages, None, Vec::new(), &lines[i]);
    }
    for plan in &layout.articles {
        let index = articles.len();
        let (sections, mut body) = build_body(&lines, plan, index);
        passages.append(&mut body);
        articles.push(article_from_plan(&lines, plan, sections, &clean_text));
    }
    passages.sort_by_key(|p| p.span.start);
    Document {
        id: file_stem(&src.rel_path),
        file: src.rel_path.clone(),
        meta: layout.meta,
        clean_text,
        articles,
        passages,
    }
}

/// The file name without folders and extension: a document's id.
pub fn file_stem(rel_path: &str) -> String {
    Path::new(rel_path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| rel_path.to_string())
}

/// Concatenate blocks into the clean text (one line each) and give each its span.
fn lay_out(blocks: Vec<Block>) -> (String, Vec<Line>) {
    let mut text = String::new();
    let mut chars = 0usize;
    let mut lines = Vec::with_capacity(blocks.len());
    for b in blocks {
        if !text.is_empty() && b.kind != BlockKind::Rule {
            text.push('\n');
            chars += 1;
        }
        let n = b.text.chars().count();
        text.push_str(&b.text);
        lines.push(Line {
            kind: b.kind,
            text: b.text,
            strong: b.strong,
            span: Span {
                start: chars,
                end: chars + n,
            },
        });
        chars += n;
    }
    (text, lines)
}

/// A document with no recognised layout: one article, titled by its first short line.
fn whole_document(lines: &[Line]) -> Layout {
    let mut layout = Layout::default();
    if lines.is_empty() {
        return layout;
    }
    let first = &lines[0];
    let titled = first.text.chars().count() <= 60 && !first.text.ends_with('。');
    layout.meta.title = if titled {
        first.text.clone()
    } else {
        String::new()
    };
    layout.meta.date = lines
        .iter()
        .take(30)
        .find_map(|l| meta::date(&l.text))
        .map(|d| d.0);
    layout.articles.push(ArticlePlan {
        title: layout.meta.title.clone(),
        title_lines: if titled { 0..1 } else { 0..0 },
        body: if titled {
            1..lines.len()
        } else {
            0..lines.len()
        },
        heading_level: match first.kind {
            BlockKind::Heading(l) => l,
            _ => 0,
        },
        ..ArticlePlan::default()
    });
    layout
}

/// A heading found while walking an article body.
struct FlatHeading {
    level: u8,
    heading: String,
    span: Span,
}

/// The short label of a numbered block: `（1）摘帽不摘责任，接续…` → `（1）摘帽不摘责任`.
/// A responsibility annotation is not part of it, nor is a bracket the label
/// would end inside: `七、健全机制（牵头单位：区财政局）` → `七、健全机制`.
fn heading_label(text: &str) -> String {
    let (head, _) = headings::split_heading(text);
    // The label, and whether it is a truncation to be marked with `…`.
    let (label, elided) = if head.len() < text.len() || text.chars().count() <= 40 {
        (head, false)
    } else {
        let cut = text
            .char_indices()
            .take(40)
            .find(|(_, c)| matches!(c, '，' | '；' | ',' | ';' | '：'))
            .map(|(i, _)| i);
        match cut {
            Some(i) => (&text[..i], false),
            None => (
                text.char_indices()
                    .nth(30)
                    .map_or(text, |(i, _)| &text[..i]),
                true,
            ),
        }
    };
    // Where the label would take in an annotation or end inside a bracket.
    let number_len = headings::numbering(label).map_or(0, |(_, n)| n);
    let label_len = label.chars().count();
    let annotation = find_annotations(text, "").first().map(|a| a.start);
    let end = [annotation, unclosed_bracket(label)]
        .into_iter()
        .flatten()
        .filter(|&at| at > number_len && at < label_len)
        .min();
    if let Some(at) = end {
        let kept: String = label.chars().take(at).collect();
        let kept = kept.trim_end();
        if kept.chars().count() > number_len {
            return kept.to_string();
        }
    }
    if elided {
        format!("{label}…")
    } else {
        label.to_string()
    }
}

/// Char offset of the first opening bracket of `text` left open at its end.
fn unclosed_bracket(text: &str) -> Option<usize> {
    let mut open = Vec::new();
    for (i, c) in text.chars().enumerate() {
        match c {
            '（' | '(' => open.push(i),
            '）' | ')' => {
                open.pop();
            }
            _ => {}
        }
    }
    open.first().copied()
}

/// A Markdown heading that is really an inline lead (`一是…`) or a long paragraph.
fn is_lead_heading(text: &str) -> bool {
    let lead = [
        "一是", "二是", "三是", "四是", "五是", "六是", "七是", "八是", "九是", "十是",
    ];
    lead.iter().any(|l| text.starts_with(l)) || text.chars().count() > 80
}

/// A column tag line such as `| 三亚市 |`: its place.
pub fn column_tag(text: &str) -> Option<&str> {
    let inner = text
        .trim()
        .strip_prefix('|')?
        .trim_end()
        .strip_suffix('|')?
        .trim();
    (!inner.is_empty() && !inner.contains('|') && inner.chars().count() <= 12).then_some(inner)
}

/// Walk an article's body: headings build the section tree, paragraphs become passages.
fn build_body(lines: &[Line], plan: &ArticlePlan, article: usize) -> (Vec<Section>, Vec<Passage>) {
    let mut flat: Vec<FlatHeading> = Vec::new();
    let mut stack: Vec<(u8, String)> = Vec::new();
    let mut passages = Vec::new();
    // A paragraph (or table) not yet emitted: tables grow row by row, short
    // paragraphs wait to join the next one.
    let mut pending: Option<Line> = None;
    // A heading that is a whole sentence (`十、请各单位做好跟踪问效工作。`),
    // with its section path, while nothing has come under it yet: if no
    // body or sub-heading follows, the sentence is a passage itself.
    let mut bare: Option<(Line, Vec<String>, u8)> = None;
    let flush =
        |pending: &mut Option<Line>, passages: &mut Vec<Passage>, stack: &[(u8, String)]| {
            if let Some(p) = pending.take() {
                push_passage(passages, Some(article), path_of(stack), &p);
            }
        };
    let emit_bare = |bare: &mut Option<(Line, Vec<String>, u8)>,
                     passages: &mut Vec<Passage>,
                     next_level: Option<u8>| {
        if let Some((line, path, level)) = bare.take() {
            if next_level.is_none_or(|next| next <= level) {
                push_passage(passages, Some(article), path, &line);
            }
        }
    };
    for line in &lines[plan.body.clone()] {
        if line.kind == BlockKind::Rule || column_tag(&line.text).is_some() {
            continue;
        }
        let is_table = line.text.contains('\t');
        let numbered = headings::numbering(&line.text).map(|(level, _)| level);
        let md_level = match line.kind {
            BlockKind::Heading(l) if !is_lead_heading(&line.text) => Some(l),
            _ => None,
        };
        let level =
            numbered.or_else(|| md_level.map(|l| l.saturating_sub(plan.heading_level).clamp(1, 4)));
        if let Some(level) = level.filter(|_| !is_table) {
            flush(&mut pending, &mut passages, &stack);
            emit_bare(&mut bare, &mut passages, Some(level));
            let label = heading_label(&line.text);
            let pure_heading = label == line.text;
            while stack.last().is_some_and(|(l, _)| *l >= level) {
                stack.pop();
            }
            stack.push((level, label.clone()));
            if pure_heading && line.text.ends_with(['。', '；', '！', '？']) {
                bare = Some((line.clone(), path_of(&stack), level));
            }
            let label_chars = label.chars().count();
            flat.push(FlatHeading {
                level,
                heading: label,
                span: Span {
                    start: line.span.start,
                    end: line.span.start + label_chars.min(line.span.end - line.span.start),
                },
            });
            if !pure_heading {
                pending = Some(line.clone());
            }
            continue;
        }
        bare = None;
        match &mut pending {
            Some(p)
                if p.span.end + 1 == line.span.start
                    && (is_table && p.text.contains('\t')
                        || p.text.chars().count() < MIN_PASSAGE_CHARS) =>
            {
                p.text.push('\n');
                p.text.push_str(&line.text);
                p.span.end = line.span.end;
            }
            _ => {
                flush(&mut pending, &mut passages, &stack);
                pending = Some(line.clone());
            }
        }
        let done = pending
            .as_ref()
            .is_some_and(|p| !p.text.contains('\t') && p.text.chars().count() >= MIN_PASSAGE_CHARS);
        if done {
            flush(&mut pending, &mut passages, &stack);
        }
    }
    flush(&mut pending, &mut passages, &stack);
    emit_bare(&mut bare, &mut passages, None);
    (nest(flat), passages)
}

fn path_of(stack: &[(u8, String)]) -> Vec<String> {
    stack.iter().map(|(_, h)| h.clone()).collect()
}

/// Add a line as one passage, or several when it is very long.
fn push_passage(
    out: &mut Vec<Passage>,
    article: Option<usize>,
    section_path: Vec<String>,
    line: &Line,
) {
    let chars: Vec<char> = line.text.chars().collect();
    let mut start = 0;
    while start < chars.len() {
        let end = passage_end(&chars, start);
        // Most lines are one passage: keep their text as it is.
        let text = if start == 0 && end == chars.len() {
            line.text.clone()
        } else {
            chars[start..end].iter().collect()
        };
        out.push(Passage {
            article,
            section_path: section_path.clone(),
            text,
            span: Span {
                start: line.span.start + start,
                end: line.span.start + end,
            },
        });
        start = end;
    }
}

/// Where the passage starting at `start` ends: before the next inline point
/// (`。二是…`) once it is long enough to stand alone, else at a sentence end
/// before [`MAX_PASSAGE_CHARS`].
fn passage_end(chars: &[char], start: usize) -> usize {
    const NUMS: &[char] = &['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
    let limit = (start + MAX_PASSAGE_CHARS).min(chars.len());
    let enumerated = (start + MIN_POINT_CHARS..limit.saturating_sub(MIN_POINT_CHARS)).find(|&k| {
        matches!(chars[k - 1], '。' | '；')
            && NUMS.contains(&chars[k])
            && chars.get(k + 1) == Some(&'是')
    });
    if let Some(k) = enumerated {
        return k;
    }
    if limit == chars.len() {
        return limit;
    }
    chars[start..limit]
        .iter()
        .rposition(|c| matches!(c, '。' | '！' | '？' | '；'))
        .filter(|&i| i > MAX_PASSAGE_CHARS / 3)
        .map(|i| start + i + 1)
        .unwrap_or(limit)
}

/// Nest a flat list of headings into a tree by level.
fn nest(flat: Vec<FlatHeading>) -> Vec<Section> {
    fn take(
        iter: &mut std::iter::Peekable<std::vec::IntoIter<FlatHeading>>,
        min_level: u8,
    ) -> Vec<Section> {
        let mut out = Vec::new();
        while let Some(h) = iter.next_if(|h| h.level >= min_level) {
            let children = take(iter, h.level + 1);
            out.push(Section {
                level: h.level,
                heading: h.heading,
                span: h.span,
                children,
            });
        }
        out
    }
    let mut iter = flat.into_iter().peekable();
    let mut out = Vec::new();
    while iter.peek().is_some() {
        out.extend(take(&mut iter, 0));
    }
    out
}

fn article_from_plan(
    lines: &[Line],
    plan: &ArticlePlan,
    sections: Vec<Section>,
    clean_text: &str,
) -> Article {
    let first = plan.title_lines.start.min(plan.body.start);
    let last = plan.body.end.max(plan.title_lines.end);
    let span = match (
        lines.get(first),
        last.checked_sub(1).and_then(|l| lines.get(l)),
    ) {
        (Some(a), Some(b)) if last > first => Span {
            start: a.span.start,
            end: b.span.end,
        },
        _ => Span::default(),
    };
    let place = locality::most_specific_locality(&plan.title)
        .or_else(|| {
            plan.place_hint
                .as_deref()
                .and_then(locality::most_specific_locality)
        })
        .or_else(|| {
            plan.credit
                .as_deref()
                .and_then(locality::most_specific_locality)
        })
        .or_else(|| {
            let body: String = clean_text.chars().skip(span.start).take(200).collect();
            locality::most_specific_locality(&body)
        });
    Article {
        title: plan.title.clone(),
        column: plan.column.clone(),
        credit: plan.credit.clone(),
        locality: place.as_ref().map(|p| p.name.clone()),
        locality_chain: place.map(|p| p.chain).unwrap_or_default(),
        sections,
        span,
    }
}

/// Lines that are headline material: short, unnumbered, no sentence end.
pub fn is_title_like(text: &str) -> bool {
    let n = text.chars().count();
    (2..=45).contains(&n)
        && headings::heading_level(text).is_none()
        && !text.ends_with(['。', '！', '？', '；', '：', ':', '，', '、'])
        && !text.contains('\t')
        && !(text.starts_with(['（', '(']) && text.ends_with(['）', ')']))
}

/// The text of a credit line `（海口市医疗保障局、乡村振兴局提供）` or `（儋州市乡村振兴局）`.
pub fn credit_line(text: &str) -> Option<String> {
    let t = text.trim();
    let inner = t
        .strip_prefix(['（', '('])?
        .strip_suffix(['）', ')'])?
        .trim();
    let n = inner.chars().count();
    let is_credit = (3..=50).contains(&n)
        && !inner.contains(['：', ':', '。', '（', '('])
        && (inner.ends_with("提供") || inner.ends_with("供稿") || meta::ends_like_unit(inner));
    is_credit.then(|| inner.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credit_lines() {
        assert_eq!(
            credit_line("（海口市医疗保障局、乡村振兴局提供）").as_deref(),
            Some("海口市医疗保障局、乡村振兴局提供")
        );
        assert_eq!(
            credit_line("（儋州市乡村振兴局）").as_deref(),
            Some("儋州市乡村振兴局")
        );
        assert_eq!(credit_line("（联系人：陈大光，联系电话：65312449）"), None);
        assert_eq!(credit_line("（试行）"), None);
    }

    #[test]
    fn labels_of_numbered_blocks() {
        assert_eq!(heading_label("1. 设立5年过渡期。"), "1. 设立5年过渡期。");
        assert_eq!(
            heading_label("（1）摘帽不摘责任，接续和强化“十三五”脱贫攻坚责任机制，保持乡村振兴工作队、帮扶责任人队伍稳定，继续派驻第一书记和乡村振兴工作队。"),
            "（1）摘帽不摘责任"
        );
    }

    #[test]
    fn labels_leave_out_annotations_and_open_brackets() {
        // The annotation of a measure merged into its heading's line.
        assert_eq!(
            heading_label("七、健全农村低收入人口常态化监测帮扶机制（牵头单位：区财政局、区乡村振兴局、区农业农村局，责任单位：各镇）"),
            "七、健全农村低收入人口常态化监测帮扶机制"
        );
        assert_eq!(
            heading_label("3.持续规范管理光伏扶贫项目（责任单位：区发改委）"),
            "3.持续规范管理光伏扶贫项目"
        );
        // Cut at a colon inside a bracket that is no annotation.
        assert_eq!(
            heading_label(
                "二、做好防汛准备工作的各项保障措施落实到位（联系人：陈大光，联系电话：65312449）"
            ),
            "二、做好防汛准备工作的各项保障措施落实到位"
        );
        // A long heading without a comma within its first 40 chars.
        assert_eq!(
            heading_label("六、加强对农村低收入人口的动态监测帮扶(责任单位:区委实施乡村振兴战略领导小组各成员单位,各镇)"),
            "六、加强对农村低收入人口的动态监测帮扶"
        );
        assert_eq!(
            heading_label("五、统筹推进农村基础设施和公共服务建设以及农村人居环境整治提升五年行动方案各项任务"),
            "五、统筹推进农村基础设施和公共服务建设以及农村人居环境整治提…"
        );
        // An annotation after the label leaves it as it was.
        assert_eq!(
            heading_label("五、统筹推进农村基础设施和公共服务建设以及农村人居环境整治提升五年行动方案各项任务（责任单位：区住建局）"),
            "五、统筹推进农村基础设施和公共服务建设以及农村人居环境整治提…"
        );
        // Closed brackets and the numbering's own stay.
        assert_eq!(
            heading_label("（二）实施“3+7+N”（试行）"),
            "（二）实施“3+7+N”（试行）"
        );
        assert_eq!(
            heading_label("（1）（牵头单位：区财政局）"),
            "（1）（牵头单位：区财政局）"
        );
    }

    #[test]
    fn column_tags() {
        assert_eq!(column_tag("| 三亚市 |"), Some("三亚市"));
        assert_eq!(column_tag("a\t| b"), None);
    }
}
