//! Layout of a magazine issue (期刊): cover block and table of contents are
//! metadata; the contents list (column, title, byline) finds the articles in
//! the body, whose Markdown heading levels cannot be trusted. An issue whose
//! contents find no article has its body read as a bulletin's.

use super::{bulletin, column_tag, headings, meta, ArticlePlan, Layout, Line};
use crate::normalize::BlockKind;

/// One entry of the table of contents.
#[derive(Debug, Clone, PartialEq)]
pub struct TocEntry {
    /// Column (栏目), e.g. `基层党建`.
    pub column: String,
    /// Article title as listed.
    pub title: String,
    /// Byline as listed, when the contents give one.
    pub byline: Option<String>,
}

/// Find metadata and articles of a magazine issue.
pub fn lay_out(lines: &[Line]) -> Layout {
    let mut layout = Layout::default();
    read_cover(lines, &mut layout);
    let (toc, toc_end) = read_toc(lines);
    let starts = article_starts(lines, &toc, toc_end);
    if starts.is_empty() {
        // No contents to find articles by: read the body as a bulletin's.
        let body = toc_end.max(cover_end(lines));
        layout.articles = bulletin::body_articles(lines, body, lines.len());
        return layout;
    }
    let mut column = None;
    for (k, &(start, entry)) in starts.iter().enumerate() {
        let stop = starts.get(k + 1).map(|s| s.0).unwrap_or(lines.len());
        let (tag, title) = split_tag(&lines[start].text);
        let place_hint = tag
            .or_else(|| {
                start
                    .checked_sub(1)
                    .and_then(|p| column_tag(&lines[p].text))
            })
            .map(str::to_string);
        let mut body_start = start + 1;
        let mut credit = None;
        for probe in [start + 1, start + 2] {
            if let Some(l) = lines.get(probe).filter(|_| probe < stop) {
                if is_byline(&l.text) {
                    credit = Some(l.text.clone());
                    body_start = probe + 1;
                    break;
                }
                if !l.text.starts_with(['—', '-']) {
                    break;
                }
            }
        }
        if let Some(e) = entry.map(|e| &toc[e]) {
            column = Some(e.column.clone());
            credit = credit.or_else(|| e.byline.clone());
        }
        layout.articles.push(ArticlePlan {
            title: title.to_string(),
            title_lines: start..start + 1,
            credit,
            column: column.clone(),
            place_hint,
            body: body_start..stop,
            heading_level: match lines[start].kind {
                BlockKind::Heading(l) => l,
                _ => 0,
            },
        });
    }
    layout
}

/// Cover block: name, issue, total issue, print date, sponsor.
fn read_cover(lines: &[Line], layout: &mut Layout) {
    let m = &mut layout.meta;
    let head: Vec<&str> = lines.iter().take(60).map(|l| l.text.as_str()).collect();
    let joined = head.join("\n");
    m.title = lines
        .iter()
        .find(|l| matches!(l.kind, BlockKind::Heading(_)))
        .map(|l| l.text.clone())
        .unwrap_or_default();
    m.issue = meta::magazine_issue(&joined);
    m.total_issue = meta::total_issue(&joined);
    m.date = head
        .iter()
        .find(|t| t.contains("印刷日期") || t.contains("出版日期"))
        .and_then(|t| meta::date(t))
        .map(|d| d.0);
    m.issuer = head
        .iter()
        .position(|t| *t == "主办单位")
        .and_then(|i| head.get(i + 1))
        .map(|s| s.to_string())
        .or_else(|| {
            head.iter()
                .find_map(|t| t.strip_suffix("主办").map(str::to_string))
        });
}

/// Where the cover block ends: at the first line after the title that reads
/// as body text (a numbered heading, a Markdown heading or a sentence).
fn cover_end(lines: &[Line]) -> usize {
    (1..lines.len())
        .find(|&i| {
            let t = &lines[i].text;
            matches!(lines[i].kind, BlockKind::Heading(_))
                || headings::heading_level(t).is_some()
                || t.ends_with('。')
                || t.chars().nth(40).is_some()
        })
        .unwrap_or(lines.len())
}

/// A page-range line of the contents: `..... 09 ~ 37`.
fn is_page_range(text: &str) -> bool {
    let t = text.trim_start_matches(['.', '…', '·', ' ']);
    t.len() < text.len()
        && !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '~' | '～' | '-' | ' '))
}

/// Read the contents; returns the entries and the index after the contents.
pub fn read_toc(lines: &[Line]) -> (Vec<TocEntry>, usize) {
    let is_column =
        |i: usize| lines[i].strong && lines.get(i + 1).is_some_and(|n| is_page_range(&n.text));
    let Some(first) = (0..lines.len().min(400)).find(|&i| is_column(i)) else {
        return (Vec::new(), 0);
    };
    let mut entries: Vec<TocEntry> = Vec::new();
    let mut column: Vec<ColumnItem> = Vec::new();
    let mut column_name = String::new();
    let mut i = first;
    while i < lines.len() {
        let line = &lines[i];
        if is_column(i) || line.strong || matches!(line.kind, BlockKind::Heading(_)) {
            entries.extend(assign_bylines(&column_name, std::mem::take(&mut column)));
            if !is_column(i) {
                break;
            }
            column_name = line.text.clone();
            i += 2;
            continue;
        }
        column.push(if is_byline(&line.text) {
            ColumnItem::Byline(line.text.clone())
        } else {
            ColumnItem::Title(line.text.clone())
        });
        i += 1;
    }
    entries.extend(assign_bylines(&column_name, column));
    (entries, i)
}

/// A line of one contents column.
enum ColumnItem {
    Title(String),
    Byline(String),
}

/// Pair a column's titles with its bylines: in order when the counts agree
/// (the layout lists titles, then their bylines), else each byline goes to
/// the title just before it.
fn assign_bylines(column: &str, items: Vec<ColumnItem>) -> Vec<TocEntry> {
    let titles = items
        .iter()
        .filter(|i| matches!(i, ColumnItem::Title(_)))
        .count();
    let bylines = items.len() - titles;
    let mut entries: Vec<TocEntry> = Vec::new();
    let mut next_unassigned = 0;
    for item in items {
        match item {
            ColumnItem::Title(title) => entries.push(TocEntry {
                column: column.to_string(),
                title,
                byline: None,
            }),
            ColumnItem::Byline(b) if titles == bylines => {
                if let Some(e) = entries.get_mut(next_unassigned) {
                    e.byline = Some(b);
                    next_unassigned += 1;
                }
            }
            ColumnItem::Byline(b) => {
                if let Some(e) = entries.last_mut().filter(|e| e.byline.is_none()) {
                    e.byline = Some(b);
                }
            }
        }
    }
    entries
}

/// A byline: a unit name or a few personal names.
pub fn is_byline(text: &str) -> bool {
    let t = text.trim();
    let n = t.chars().count();
    if !(2..=24).contains(&n)
        || t.contains(['，', '。', '、', '“', '”', '：', ':', '《', '？', '！', '|'])
    {
        return false;
    }
    let names = t.split_whitespace().all(|w| {
        (2..=3).contains(&w.chars().count())
            && w.chars().all(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
    });
    names || (n <= 16 && !t.contains(' ') && meta::ends_like_unit(t))
}

/// Split a leading column tag off a heading: `| 三亚市 | 管好用好…` → (`三亚市`, `管好用好…`).
fn split_tag(text: &str) -> (Option<&str>, &str) {
    if let Some(rest) = text.strip_prefix('|') {
        if let Some(end) = rest.find('|') {
            let tag = rest[..end].trim();
            return (Some(tag).filter(|t| !t.is_empty()), rest[end + 1..].trim());
        }
    }
    (None, text)
}

/// Han letters and digits only, for fuzzy title matching.
fn squash(s: &str) -> Vec<char> {
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Whether a contents title and a body line name the same article.
fn same_title(toc: &[char], line: &[char]) -> bool {
    if toc.len() < 4 || line.len() < 4 {
        return false;
    }
    let contains = |a: &[char], b: &[char]| b.len() >= 6 && a.windows(b.len()).any(|w| w == b);
    let prefix = toc.iter().zip(line).take_while(|(a, b)| a == b).count();
    let suffix = toc
        .iter()
        .rev()
        .zip(line.iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    toc == line
        || contains(line, toc)
        || contains(toc, line)
        || prefix >= 10
        || suffix >= 8 && line.len() <= toc.len() + 12
}

/// Lines that open articles, each with the contents entry it matched (if any).
fn article_starts(lines: &[Line], toc: &[TocEntry], toc_end: usize) -> Vec<(usize, Option<usize>)> {
    let is_candidate = |l: &Line| {
        matches!(l.kind, BlockKind::Heading(_))
            || (l.text.chars().nth(60).is_none() && !l.text.ends_with(['。', '；', '：']))
    };
    // Only candidate lines are compared with the contents: squash those
    // alone, once (most lines are paragraphs).
    let squashed: Vec<Option<Vec<char>>> = lines
        .iter()
        .map(|l| is_candidate(l).then(|| squash(split_tag(&l.text).1)))
        .collect();
    let mut starts: Vec<(usize, Option<usize>)> = Vec::new();
    let mut cursor = toc_end;
    for (e, entry) in toc.iter().enumerate() {
        let want = squash(&entry.title);
        let found = (cursor..lines.len()).find(|&i| {
            squashed[i]
                .as_deref()
                .is_some_and(|line| same_title(&want, line))
        });
        if let Some(i) = found {
            if starts.last().map(|s| s.0) != Some(i) {
                starts.push((i, Some(e)));
            }
            cursor = i;
        }
    }
    let body_from = starts.first().map(|s| s.0).unwrap_or(toc_end);
    for i in body_from..lines.len() {
        let heading = matches!(lines[i].kind, BlockKind::Heading(_))
            && split_tag(&lines[i].text).1.chars().count() >= 4;
        let bylined = lines.get(i + 1).is_some_and(|n| is_byline(&n.text));
        if heading && bylined && !starts.iter().any(|s| s.0 == i) {
            starts.push((i, None));
        }
    }
    starts.sort_unstable();
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bylines() {
        assert!(is_byline("市委组织部"));
        assert!(is_byline("刘子璇 梁沛沛 郑逸瑾 孙佳琦"));
        assert!(is_byline("三亚中央商务区管理局党委"));
        assert!(!is_byline("驻村驻心 助力振兴"));
        assert!(!is_byline("海南省党员队伍建设工作座谈会召开"));
    }

    #[test]
    fn fuzzy_titles() {
        let a = squash("三亚市青年干部读书班第三期开班");
        let b = squash("三亚市青年干部读书班（第三期）开班");
        assert!(same_title(&a, &b));
        let c = squash("强组织、优服务、助治理 党建引领提升网约配送员幸福感");
        let d = squash("党建引领提升网约配送员幸福感");
        assert!(same_title(&c, &d));
        assert!(!same_title(
            &squash("驻村驻心 助力振兴"),
            &squash("驻村干部不能是“孤勇者”")
        ));
    }

    #[test]
    fn page_ranges() {
        assert!(is_page_range("..... 09 ~ 37"));
        assert!(!is_page_range("理论与实践"));
    }
}
