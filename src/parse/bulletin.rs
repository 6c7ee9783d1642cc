//! Layout of a 简报 issue: 报头 (name, 期号, 总期号, 编印单位, date), optional
//! 编者按, articles ending in a credit line, 报尾 (报/送/发, 责任编辑).

use super::{credit_line, is_title_like, meta, ArticlePlan, Layout, Line};
use crate::normalize::BlockKind;

/// The longest line other than a distribution or editor line taken into the 报尾.
const FOOTER_SHORT_LINE_CHARS: usize = 40;

/// Find metadata and articles of a bulletin.
pub fn lay_out(lines: &[Line]) -> Layout {
    let mut layout = Layout::default();
    let header_end = read_header(lines, &mut layout);
    let footer_start = read_footer(lines, header_end, &mut layout);
    let mut start = header_end;
    while start < footer_start {
        let line = &lines[start];
        if let Some(note) = line.text.strip_prefix("编者按") {
            layout.meta.editor_note = Some(note.trim_start_matches(['：', ':', ' ']).to_string());
            layout.doc_passages.push(start);
        } else if line.kind != BlockKind::Rule {
            break;
        }
        start += 1;
    }
    layout.articles = body_articles(lines, start, footer_start);
    layout
}

/// The articles of the body `lines[start..end]`: opened by Markdown headings
/// in a converted bulletin, else each running from its headline to its
/// credit line. Lines before the first heading are articles of the second
/// kind, so no body text is left out.
pub fn body_articles(lines: &[Line], start: usize, end: usize) -> Vec<ArticlePlan> {
    if !has_article_headings(&lines[start..end]) {
        return credited_articles(lines, start, end);
    }
    let mut articles = heading_articles(lines, start, end);
    let first = articles.first().map_or(end, |a| a.title_lines.start);
    if lines[start..first]
        .iter()
        .any(|l| l.kind != BlockKind::Rule)
    {
        let mut leading = credited_articles(lines, start, first);
        leading.append(&mut articles);
        articles = leading;
    }
    articles
}

/// Read the 报头; returns the index of the first line after it.
fn read_header(lines: &[Line], layout: &mut Layout) -> usize {
    let m = &mut layout.meta;
    let mut end = 0;
    for (i, line) in lines.iter().enumerate().take(15) {
        let t = line.text.as_str();
        if m.title.is_empty() && t.contains("简报") {
            m.title = t.to_string();
            end = i + 1;
        }
        if let Some(issue) = meta::issue(t) {
            m.issue.get_or_insert(issue);
            end = i + 1;
        }
        if let Some(total) = meta::total_issue(t) {
            m.total_issue.get_or_insert(total);
            end = i + 1;
        }
        if meta::issue(t).is_none() {
            if let Some((date, range)) = meta::date(t) {
                m.date = Some(date);
                let before = t[..range.start].trim();
                if !before.is_empty() {
                    m.issuer = Some(before.to_string());
                }
                end = i + 1;
                break;
            }
        }
        if i > 0 && m.issue.is_some() && t.chars().count() <= 30 && meta::ends_like_unit(t) {
            m.issuer = Some(t.to_string());
            end = i + 1;
        }
    }
    end
}

/// Read the 报尾: the distribution and editor lines that end the issue, with
/// the rules and short lines among them (a wrapped 发 list, 共印 N 份). A
/// distribution line in the body does not end it. Returns where it starts.
fn read_footer(lines: &[Line], from: usize, layout: &mut Layout) -> usize {
    let is_footer = |t: &str| {
        meta::distribution_line(t).is_some() || t.starts_with("责任编辑") || t.starts_with("编辑：")
    };
    let footer_like = |l: &Line| {
        l.kind == BlockKind::Rule
            || is_footer(&l.text)
            || l.text.chars().count() <= FOOTER_SHORT_LINE_CHARS && !l.text.ends_with('。')
    };
    let tail = (from..lines.len())
        .rev()
        .take_while(|&i| footer_like(&lines[i]))
        .last()
        .unwrap_or(lines.len());
    let Some(mut start) = (tail..lines.len()).find(|&i| is_footer(&lines[i].text)) else {
        return lines.len();
    };
    for line in &lines[start..] {
        if let Some(d) = meta::distribution_line(&line.text) {
            layout.meta.distribution.push(d);
        }
        if let Some(e) = meta::editor(&line.text) {
            layout.meta.editor = Some(e);
        }
    }
    while start > from && lines[start - 1].kind == BlockKind::Rule {
        start -= 1;
    }
    start
}

/// Whether the articles are Markdown headings (a converted bulletin).
fn has_article_headings(lines: &[Line]) -> bool {
    lines
        .iter()
        .filter(|l| {
            matches!(l.kind, BlockKind::Heading(_))
                && super::headings::heading_level(&l.text).is_none()
        })
        .count()
        >= 1
}

/// Articles opened by the shallowest unnumbered Markdown heading level.
fn heading_articles(lines: &[Line], start: usize, end: usize) -> Vec<ArticlePlan> {
    let level_of = |l: &Line| match l.kind {
        BlockKind::Heading(level) if super::headings::heading_level(&l.text).is_none() => {
            Some(level)
        }
        _ => None,
    };
    let Some(top) = lines[start..end].iter().filter_map(level_of).min() else {
        return Vec::new();
    };
    let starts: Vec<usize> = (start..end)
        .filter(|&i| level_of(&lines[i]) == Some(top))
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(k, &s)| {
            let stop = starts.get(k + 1).copied().unwrap_or(end);
            with_credit(lines, s..s + 1, stop, top)
        })
        .collect()
}

/// An article from its title lines to `stop`, taking a trailing credit line off the body.
fn with_credit(
    lines: &[Line],
    title_lines: std::ops::Range<usize>,
    stop: usize,
    level: u8,
) -> ArticlePlan {
    let mut body_end = stop;
    while body_end > title_lines.end && lines[body_end - 1].kind == BlockKind::Rule {
        body_end -= 1;
    }
    let credit = body_end
        .checked_sub(1)
        .filter(|&i| i >= title_lines.end)
        .and_then(|i| credit_line(&lines[i].text));
    if credit.is_some() {
        body_end -= 1;
    }
    ArticlePlan {
        title: lines[title_lines.clone()]
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join(""),
        body: title_lines.end..body_end,
        title_lines,
        credit,
        heading_level: level,
        ..ArticlePlan::default()
    }
}

/// Articles of a plain-text bulletin: headline lines, body, credit line.
fn credited_articles(lines: &[Line], start: usize, end: usize) -> Vec<ArticlePlan> {
    let mut articles = Vec::new();
    let mut i = start;
    while i < end {
        let title_start = i;
        while i < end && is_title_like(&lines[i].text) && i - title_start < 3 {
            i += 1;
        }
        let title_lines = title_start..i;
        let stop = (i..end)
            .find(|&k| credit_line(&lines[k].text).is_some())
            .map(|k| k + 1)
            .unwrap_or(end);
        articles.push(with_credit(lines, title_lines, stop, 0));
        i = stop.max(i + 1);
    }
    articles
}
