//! From a selection to records, and from records to draft articles.

use std::collections::{HashMap, HashSet};

use super::{Block, DraftArticle, PlanSection, Selection, Source};
use crate::error::{Error, Result};
use crate::model::Span;
use crate::record::{Record, RecordKind};
use crate::search::KnowledgeBase;

/// What a selection resolved to.
pub(super) struct Picked {
    /// Column titles in order (one untitled column without a plan).
    pub columns: Vec<Option<String>>,
    /// (column, records) per future article: one case or article record, or
    /// the passages of one article in document order.
    pub items: Vec<(usize, Vec<Record>)>,
    /// Ids selected again after their first time.
    pub repeats: Vec<String>,
}

/// Kinds `compile` takes.
const KINDS: [RecordKind; 3] = [RecordKind::Case, RecordKind::Article, RecordKind::Passage];

/// Resolve a selection. Unknown ids (all of them named), ids of other kinds
/// and an empty selection are input errors.
pub(super) fn resolve(
    kb: &KnowledgeBase,
    selection: &Selection,
    notes: &mut Vec<String>,
) -> Result<Picked> {
    let sections: Vec<PlanSection> = match selection {
        Selection::Ids(ids) => vec![PlanSection {
            title: None,
            ids: ids.clone(),
        }],
        Selection::Sections(s) => s.clone(),
        Selection::Query(req) => {
            if !KINDS.contains(&req.kind) {
                return Err(Error::Input(format!(
                    "compile takes case, article or passage records, not `{}`",
                    req.kind.as_str()
                )));
            }
            let results = kb.search(req)?;
            if results.hits.is_empty() {
                return Err(Error::Input(format!(
                    "no {} matches `{}`; nothing to compile (try fewer words, another --kind or fewer filters)",
                    req.kind.as_str(),
                    req.query
                )));
            }
            if results.relaxed {
                notes.push(format!(
                    "fewer than {} records of kind {} have every word of `{}`; the draft goes on with records matching only some of them",
                    req.limit,
                    req.kind.as_str(),
                    req.query
                ));
            }
            return Ok(group(
                vec![None],
                results.hits.into_iter().map(|h| (0, h.record)).collect(),
            ));
        }
    };
    let mut records = Vec::new();
    let mut unknown = Vec::new();
    let mut wrong = Vec::new();
    for (c, s) in sections.iter().enumerate() {
        for id in s.ids.iter().map(|i| i.trim()).filter(|i| !i.is_empty()) {
            match kb.get(id)? {
                None => unknown.push(format!("`{id}`")),
                Some(r) if !KINDS.contains(&r.kind) => {
                    wrong.push(format!("`{id}` is a {}", r.kind.as_str()))
                }
                Some(r) => records.push((c, r)),
            }
        }
    }
    if !unknown.is_empty() {
        return Err(Error::Input(format!(
            "no record with id {}; `govkb cases` and `govkb search` show ids (nothing was written)",
            unknown.join(", ")
        )));
    }
    if !wrong.is_empty() {
        return Err(Error::Input(format!(
            "{}; compile takes case, article and passage ids",
            wrong.join(", ")
        )));
    }
    if records.is_empty() {
        return Err(Error::Input(
            "nothing selected: give --ids, --query or a --plan with ids (nothing was written)"
                .into(),
        ));
    }
    Ok(group(
        sections.into_iter().map(|s| s.title).collect(),
        records,
    ))
}

/// Items in selection order: repeated ids set aside, passages of one article
/// in one column gathered into one item at the first one's place.
fn group(columns: Vec<Option<String>>, records: Vec<(usize, Record)>) -> Picked {
    let mut seen = HashSet::new();
    let mut repeats = Vec::new();
    let mut items: Vec<(usize, Vec<Record>)> = Vec::new();
    let mut passage_item: HashMap<(usize, String), usize> = HashMap::new();
    for (c, r) in records {
        if !seen.insert(r.id.clone()) {
            repeats.push(r.id);
            continue;
        }
        let group_key = (r.kind == RecordKind::Passage)
            .then(|| r.article_id.clone())
            .flatten()
            .map(|a| (c, a));
        match group_key.as_ref().and_then(|k| passage_item.get(k)) {
            Some(&i) => items[i].1.push(r),
            None => {
                if let Some(k) = group_key {
                    passage_item.insert(k, items.len());
                }
                items.push((c, vec![r]));
            }
        }
    }
    for (_, rs) in &mut items {
        rs.sort_by_key(|r| r.span.start);
    }
    Picked {
        columns,
        items,
        repeats,
    }
}

/// The draft article of one item.
pub(super) fn article(kb: &KnowledgeBase, records: &[Record]) -> Result<DraftArticle> {
    let first = &records[0];
    let parent = match &first.article_id {
        Some(a) if first.kind != RecordKind::Article => kb.get(a)?,
        _ => None,
    };
    let article_record = if first.kind == RecordKind::Article {
        Some(first)
    } else {
        parent.as_ref()
    };
    let credit = credit_line(
        article_record.and_then(|a| a.detail.get("credit")?.as_str()),
        first,
    );
    let sources = records.iter().map(Source::of).collect();
    let detail_title = first.detail.get("title").and_then(|t| t.as_str());
    let title = detail_title
        .or(first.article_title.as_deref())
        .unwrap_or(&first.doc_title)
        .trim()
        .to_string();
    let levels = article_record.map(heading_levels).unwrap_or_default();
    let blocks = match first.kind {
        RecordKind::Article => body(
            &kb.list(RecordKind::Passage, None, Some(&first.id))?,
            &levels,
        ),
        RecordKind::Case => match &first.article_id {
            Some(a) => {
                let passages = kb.list(RecordKind::Passage, None, Some(a))?;
                if covers(&passages, first.span) {
                    body(&passages, &levels)
                } else {
                    paragraphs(&first.text)
                }
            }
            None => paragraphs(&first.text),
        },
        _ => body(records, &levels),
    };
    Ok(DraftArticle {
        title,
        blocks,
        credit,
        sources,
    })
}

/// Whether an article's passages span exactly a case: an article-level case.
fn covers(passages: &[Record], span: Span) -> bool {
    let start = passages.iter().map(|p| p.span.start).min();
    let end = passages.iter().map(|p| p.span.end).max();
    start == Some(span.start) && end == Some(span.end)
}

/// Plain text as paragraphs, one per line.
fn paragraphs(text: &str) -> Vec<Block> {
    text.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| Block::Paragraph {
            text: l.to_string(),
        })
        .collect()
}

/// Heading text → numbering level, from an article record's section tree.
fn heading_levels(article: &Record) -> HashMap<String, u8> {
    fn walk(s: &[crate::model::Section], out: &mut HashMap<String, u8>) {
        for x in s {
            out.insert(x.heading.clone(), x.level);
            walk(&x.children, out);
        }
    }
    let mut out = HashMap::new();
    walk(&crate::output::sections_of(article), &mut out);
    out
}

/// Passages in order with their headings re-created from the section paths.
/// A heading run into its first paragraph (`一、坚持系统思维。注重…`) becomes
/// a heading of its own followed by the rest of the paragraph.
fn body(passages: &[Record], levels: &HashMap<String, u8>) -> Vec<Block> {
    let mut out = Vec::new();
    let mut prev: &[String] = &[];
    for p in passages {
        let path = &p.section_path;
        let common = prev.iter().zip(path).take_while(|(a, b)| a == b).count();
        let mut text = p.text.trim();
        for (depth, h) in path.iter().enumerate().skip(common) {
            let level = levels
                .get(h)
                .copied()
                .unwrap_or(depth as u8 + 1)
                .clamp(1, 4);
            out.push(Block::Heading {
                level,
                text: h.trim().to_string(),
            });
            if let Some(rest) = text.strip_prefix(h.trim()) {
                text = rest.trim_start();
            }
        }
        if !text.is_empty() {
            out.push(Block::Paragraph {
                text: text.to_string(),
            });
        }
        prev = path;
    }
    out
}

/// Endings that already say what a credit is.
const CREDIT_ENDINGS: [&str; 6] = ["提供", "供稿", "撰稿", "报送", "来稿", "供"];

/// Last characters of unit names (局, 委, 中心 …), to tell a unit from an author.
const UNIT_ENDS: &str = "局委部办厅处科室所院校站队组会社心府镇乡村区县市省司团馆台庭行网";

/// The credit line `（…提供）`: a unit's credit as written, `提供` added when
/// missing; personal bylines as `（作者：…）`; without any, the source
/// publication (`（来源：《…》2022年第13期）`).
pub(super) fn credit_line(credit: Option<&str>, source: &Record) -> String {
    let credit = credit
        .map(|c| c.trim().trim_matches(['（', '）', '(', ')']).trim())
        .filter(|c| !c.is_empty());
    match credit {
        Some(c) if CREDIT_ENDINGS.iter().any(|e| c.ends_with(e)) => format!("（{c}）"),
        Some(c) if c.chars().last().is_some_and(|l| UNIT_ENDS.contains(l)) => {
            format!("（{c}提供）")
        }
        Some(c) => format!("（作者：{c}）"),
        None => format!("（来源：{}）", Source::of(source).publication()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn passage(path: &[&str], text: &str) -> Record {
        serde_json::from_value(serde_json::json!({
            "id": "d#p1", "kind": "passage", "file": "d.txt", "doc_id": "d",
            "doc_title": "海南乡村振兴简报", "doc_type": "bulletin", "date": null,
            "issue": "2022年第13期", "article_id": "d#a1", "article_title": "标题",
            "section_path": path, "units": [], "locality": null,
            "span": {"start": 0, "end": 1}, "text": text,
        }))
        .unwrap()
    }

    #[test]
    fn headings_recreated_once_and_run_in_headings_split() {
        let ps = [
            passage(&[], "导语。"),
            passage(&["一、甲"], "一、甲正文一。"),
            passage(&["一、甲"], "正文二。"),
            passage(&["一、甲", "（一）乙"], "正文三。"),
            passage(&["二、丙"], "正文四。"),
        ];
        let levels = HashMap::from([("（一）乙".to_string(), 2)]);
        let b = body(&ps, &levels);
        let shown: Vec<String> = b
            .iter()
            .map(|b| match b {
                Block::Heading { level, text } => format!("h{level} {text}"),
                Block::Paragraph { text } => text.clone(),
            })
            .collect();
        assert_eq!(
            shown,
            [
                "导语。",
                "h1 一、甲",
                "正文一。",
                "正文二。",
                "h2 （一）乙",
                "正文三。",
                "h1 二、丙",
                "正文四。"
            ]
        );
    }

    #[test]
    fn credit_lines() {
        let src = passage(&[], "x");
        assert_eq!(
            credit_line(Some("海口市医疗保障局、乡村振兴局提供"), &src),
            "（海口市医疗保障局、乡村振兴局提供）"
        );
        assert_eq!(
            credit_line(Some("儋州市乡村振兴局"), &src),
            "（儋州市乡村振兴局提供）"
        );
        assert_eq!(
            credit_line(Some("刘子璇 梁沛沛"), &src),
            "（作者：刘子璇 梁沛沛）"
        );
        assert_eq!(
            credit_line(None, &src),
            "（来源：《海南乡村振兴简报》2022年第13期）"
        );
    }
}
