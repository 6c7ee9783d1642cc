//! Case studies: a bulletin or magazine article about one place's practice,
//! and inline examples (`如美兰区灵山镇仲恺村…`, `以…村举例`) inside passages.

use std::collections::HashMap;
use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use serde_json::{json, Value};

use super::extracted::{slice, FoundFigure};
use super::{DocContext, Record, RecordKind};
use crate::extract::locality::{find_localities, most_specific_locality, LocalityMention};
use crate::model::{Article, DocType, Span};

const THEMES: &str = include_str!("../../data/themes.tsv");

/// The theme taxonomy: theme and its keywords.
fn themes() -> &'static [(String, Vec<String>)] {
    static T: OnceLock<Vec<(String, Vec<String>)>> = OnceLock::new();
    T.get_or_init(|| {
        THEMES
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .filter_map(|l| {
                let (theme, words) = l.split_once('\t')?;
                Some((
                    theme.trim().to_string(),
                    words
                        .split(',')
                        .map(|w| w.trim().to_string())
                        .filter(|w| !w.is_empty())
                        .collect(),
                ))
            })
            .collect()
    })
}

/// Every theme keyword once, in one automaton; pattern `i` is `keywords[i]`.
struct KeywordMatcher {
    automaton: AhoCorasick,
    keywords: Vec<String>,
}

fn keyword_matcher() -> &'static KeywordMatcher {
    static M: OnceLock<KeywordMatcher> = OnceLock::new();
    M.get_or_init(|| {
        let mut keywords: Vec<String> = themes()
            .iter()
            .flat_map(|(_, words)| words.iter().cloned())
            .collect();
        keywords.sort();
        keywords.dedup();
        KeywordMatcher {
            // Built once from the embedded taxonomy (a test reads it).
            automaton: AhoCorasick::new(&keywords).expect("theme keywords form an automaton"),
            keywords,
        }
    })
}

/// How often each theme keyword occurs in `text`, counted as
/// `str::matches` counts (non-overlapping, leftmost first), in one pass.
fn keyword_counts(text: &str) -> HashMap<&'static str, usize> {
    let m = keyword_matcher();
    let mut counts: HashMap<&'static str, usize> = HashMap::new();
    let mut next_free = vec![0; m.keywords.len()];
    // Matches come in order of their end; those of one keyword (one length)
    // also in order of their start.
    for hit in m.automaton.find_overlapping_iter(text) {
        let k = hit.pattern().as_usize();
        if hit.start() >= next_free[k] {
            next_free[k] = hit.end();
            *counts.entry(m.keywords[k].as_str()).or_default() += 1;
        }
    }
    counts
}

/// Themes of a case, most keyword hits first (title hits count three times), at most four.
pub fn themes_of(title: &str, text: &str) -> Vec<String> {
    let (in_text, in_title) = (keyword_counts(text), keyword_counts(title));
    let count = |counts: &HashMap<&str, usize>, w: &str| counts.get(w).copied().unwrap_or(0);
    let mut scored: Vec<(usize, &str)> = themes()
        .iter()
        .map(|(theme, words)| {
            let hits: usize = words
                .iter()
                .map(|w| count(&in_text, w) + 3 * count(&in_title, w))
                .sum();
            (hits, theme.as_str())
        })
        .filter(|(h, _)| *h > 0)
        .collect();
    scored.sort_by_key(|s| std::cmp::Reverse(s.0));
    scored
        .into_iter()
        .take(4)
        .map(|(_, t)| t.to_string())
        .collect()
}

/// Places below province level: what a case must be about.
fn local(place: &LocalityMention) -> bool {
    place.chain.len() > 1
}

/// The place an article reports on: the title's place, made more specific
/// by the places that open its first passage (`琼海市沙美村以党建…` → 沙美村).
fn article_place(article: &Article, first_passage: &str) -> Option<LocalityMention> {
    let title_place = most_specific_locality(&article.title);
    let mut leading: Option<LocalityMention> = None;
    for p in find_localities(first_passage) {
        if p.start != leading.as_ref().map_or(0, |l| l.end) {
            break;
        }
        leading = Some(p);
    }
    match (title_place, leading) {
        (Some(t), _) if !local(&t) => Some(t),
        (Some(t), Some(l)) if l.chain.len() > t.chain.len() && l.chain.contains(&t.name) => Some(l),
        (Some(t), _) => Some(t),
        (None, l) => l.or_else(|| article.locality.as_deref().and_then(most_specific_locality)),
    }
}

/// Where a case was found, before its figures, themes and source are attached.
struct CaseDraft<'a> {
    id: String,
    article: Option<usize>,
    title: String,
    place: &'a LocalityMention,
    span: Span,
    text: String,
}

fn case_record(ctx: &DocContext, draft: CaseDraft, figures: &[FoundFigure]) -> Record {
    let CaseDraft {
        id,
        article,
        title,
        place,
        span,
        text,
    } = draft;
    let mut r = ctx.record(RecordKind::Case, id, article, text, span);
    r.locality = Some(place.name.clone());
    r.regions.extend(place.chain.iter().cloned());
    r.regions.sort();
    r.regions.dedup();
    let figs: Vec<Value> = figures
        .iter()
        .filter(|f| f.span.start >= span.start && f.span.end <= span.end)
        .map(|f| json!({"id": f.id, "text": f.figure.text, "value": f.figure.value, "unit": f.figure.unit}))
        .collect();
    let source_unit = article.and_then(|i| ctx.doc.articles.get(i)).and_then(|a| {
        ctx.article_units(a)
            .first()
            .map(|m| m.unit_full.clone())
            .or_else(|| a.credit.clone())
    });
    if let Some(a) = article.and_then(|i| ctx.doc.articles.get(i)) {
        super::add_units(&mut r, &ctx.article_units(a));
    }
    let themes = themes_of(&title, &r.text);
    if let Value::Object(m) = json!({
        "locality_chain": place.chain, "title": title, "themes": themes,
        "figures": figs, "source_unit": source_unit,
    }) {
        r.detail = m;
    }
    r
}

/// Case records of a document: one per locally focused bulletin or magazine
/// article, and one per inline example.
pub fn case_records(ctx: &DocContext, figures: &[FoundFigure]) -> Vec<Record> {
    let doc = ctx.doc;
    let mut out = Vec::new();
    let mut n = 0;
    let mut next_id = || {
        n += 1;
        format!("{}#c{}", doc.id, n)
    };
    if matches!(doc.meta.doc_type, DocType::Bulletin | DocType::Magazine) {
        // The document's chars, made only once an article is a case.
        let chars = std::cell::OnceCell::new();
        for (i, a) in doc.articles.iter().enumerate() {
            let first = doc
                .passages
                .iter()
                .find(|p| p.article == Some(i))
                .map_or("", |p| p.text.as_str());
            let Some(place) = article_place(a, first).filter(local) else {
                continue;
            };
            let body = doc
                .passages
                .iter()
                .filter(|p| p.article == Some(i))
                .map(|p| p.span);
            let span = body.reduce(|x, y| Span {
                start: x.start.min(y.start),
                end: x.end.max(y.end),
            });
            let Some(span) = span else { continue };
            out.push(case_record(
                ctx,
                CaseDraft {
                    id: next_id(),
                    article: Some(i),
                    title: a.title.clone(),
                    place: &place,
                    span,
                    text: slice(
                        chars.get_or_init(|| doc.clean_text.chars().collect::<Vec<char>>()),
                        span,
                    ),
                },
                figures,
            ));
        }
    }
    for p in &doc.passages {
        for (start, end, title) in inline_examples(&p.text) {
            let text: String = p.text.chars().skip(start).take(end - start).collect();
            let Some(place) = most_specific_locality(&text).filter(|pl| pl.chain.len() >= 4) else {
                continue;
            };
            let span = Span {
                start: p.span.start + start,
                end: p.span.start + end,
            };
            let title = if title.is_empty() {
                format!("{}的做法", place.name)
            } else {
                title
            };
            out.push(case_record(
                ctx,
                CaseDraft {
                    id: next_id(),
                    article: p.article,
                    title,
                    place: &place,
                    span,
                    text,
                },
                figures,
            ));
        }
    }
    out
}

/// Inline examples in a passage: (char start, char end, lead-in summary). An
/// example opens with `如X…` or `以X…举例/为例` right after a sentence or
/// clause end and runs to the next `二是`-style marker or the passage end.
pub fn inline_examples(text: &str) -> Vec<(usize, usize, String)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let after_break = i == 0 || matches!(chars[i - 1], '。' | '，' | '；' | '：');
        let opener = if !after_break {
            None
        } else if chars[i] == '如'
            && chars
                .get(i + 1)
                .is_some_and(|c| !matches!(c, '何' | '期' | '实' | '果' | '此'))
        {
            Some(1)
        } else if chars[i] == '以' {
            let window = &chars[i..(i + 40).min(chars.len())];
            window
                .windows(2)
                .any(|w| matches!(w, ['举', '例'] | ['为', '例']))
                .then_some(1)
        } else {
            None
        };
        if let Some(skip) = opener {
            let head: String = chars[i + skip..(i + skip + 20).min(chars.len())]
                .iter()
                .collect();
            let starts_with_place = find_localities(&head).first().is_some_and(|p| p.start == 0);
            if starts_with_place {
                let end = next_marker(&chars, i + skip).unwrap_or(chars.len());
                let lead = lead_in(&chars, i);
                out.push((i, end, lead));
                i = end;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Where the next enumerated point (`二是`, `三是` …) starts after `from`.
fn next_marker(chars: &[char], from: usize) -> Option<usize> {
    const NUMS: &[char] = &['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
    (from..chars.len().saturating_sub(1)).find(|&k| {
        NUMS.contains(&chars[k])
            && chars[k + 1] == '是'
            && (k == 0 || matches!(chars[k - 1], '。' | '；'))
    })
}

/// The sentence before an example, without its `一是` marker: the practice it illustrates.
fn lead_in(chars: &[char], at: usize) -> String {
    let end = at;
    let start = chars[..end.saturating_sub(1)]
        .iter()
        .rposition(|&c| matches!(c, '。' | '；'))
        .map_or(0, |k| k + 1);
    let s: String = chars[start..end].iter().collect();
    let s = s.trim_end_matches(['。', '，', '；', '：']);
    let s = ["一是", "二是", "三是", "四是", "五是"]
        .iter()
        .fold(s, |acc, m| acc.trim_start_matches(m));
    s.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyword_counts_are_those_of_str_matches() {
        let mut texts: Vec<String> =
            std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/corpus"))
                .unwrap()
                .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
                .collect();
        texts.push("医保医保医疗保障医疗救助大病大病".into());
        let mut seen = 0;
        for text in &texts {
            let counts = keyword_counts(text);
            for w in &keyword_matcher().keywords {
                let want = text.matches(w.as_str()).count();
                assert_eq!(counts.get(w.as_str()).copied().unwrap_or(0), want, "{w}");
                seen += want;
            }
        }
        assert!(seen > 100, "{seen}");
    }

    #[test]
    fn finds_inline_examples() {
        let t = "一是创新推动村集体经济抱团发展。如美兰区灵山镇仲恺村立足村情实际，整合资金500万元，12624名村民从中受益。二是深化政企联动。";
        let ex = inline_examples(t);
        assert_eq!(ex.len(), 1);
        let (s, e, lead) = &ex[0];
        let text: String = t.chars().skip(*s).take(e - s).collect();
        assert!(
            text.starts_with("如美兰区灵山镇仲恺村") && text.ends_with("从中受益。"),
            "{text}"
        );
        assert_eq!(lead, "创新推动村集体经济抱团发展");
        let t2 = "一是提高群众的参与度。以叉河镇山竹沟村和石碌镇红阳村试点示范村举例，清单积分覆盖率90%以上。";
        assert_eq!(inline_examples(t2).len(), 1);
        assert!(inline_examples("如何推进乡村振兴。如期完成任务。").is_empty());
    }

    #[test]
    fn themes_from_keywords() {
        let t = themes_of(
            "琼中县以“五个强化”打造数字乡村",
            "开发农户积分制管理模块，数字乡村平台",
        );
        assert_eq!(t[0], "数字乡村");
        assert!(t.contains(&"积分制".to_string()));
    }
}
