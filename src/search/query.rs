//! The query language: words (ANDed), `"quoted phrases"`, `+required` and
//! `-excluded` parts, Chinese with or without spaces. Each part is segmented
//! with the index's tokenizer and expanded with synonyms.

use jieba_rs::Jieba;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use super::synonyms::expansions;
use crate::error::{Error, Result};
use crate::index::schema::Fields;
use crate::index::tokenizer::segment;

/// Longest query accepted, in chars.
pub const MAX_QUERY_CHARS: usize = 1000;

/// Words too common to require.
const STOPWORDS: &[&str] = &[
    "的", "了", "和", "与", "及", "等", "是", "在", "对", "把", "被", "将", "之", "其", "或", "呢",
    "吗", "啊", "怎么", "如何", "什么", "哪些", "有", "有关", "关于", "怎样", "是否",
];

/// Generic words of natural-language questions (`区人社局负责的任务`): dropped
/// when relaxing a query, as long as other words remain.
const FILLERS: &[&str] = &[
    "负责", "任务", "工作", "情况", "相关", "方面", "内容", "问题", "具体",
];

/// How a part of the query must occur.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartOccur {
    /// Must match (plain words and `+word`).
    Required,
    /// Must not match (`-word`).
    Excluded,
}

/// One part of a parsed query.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// The part as typed (quotes and sign removed).
    pub text: String,
    /// A quoted phrase.
    pub phrase: bool,
    /// Required or excluded.
    pub occur: PartOccur,
    /// Synonym expansions of the part.
    pub expansions: Vec<String>,
}

/// Split a query string into parts. Errors on an empty or over-long query and an unclosed quote.
pub fn parse_parts(query: &str) -> Result<Vec<Part>> {
    let n = query.chars().count();
    if n > MAX_QUERY_CHARS {
        return Err(Error::Input(format!(
            "query is {n} characters long; the limit is {MAX_QUERY_CHARS}"
        )));
    }
    let mut parts = Vec::new();
    let mut chars = query.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let occur = match c {
            '-' | '－' => {
                chars.next();
                PartOccur::Excluded
            }
            '+' | '＋' => {
                chars.next();
                PartOccur::Required
            }
            _ => PartOccur::Required,
        };
        let phrase = matches!(chars.peek(), Some('"' | '“' | '”' | '＂'));
        let mut text = String::new();
        if phrase {
            chars.next();
            let mut closed = false;
            for c in chars.by_ref() {
                if matches!(c, '"' | '”' | '“' | '＂') {
                    closed = true;
                    break;
                }
                text.push(c);
            }
            if !closed {
                return Err(Error::Input(format!("unclosed quote in query: {query}")));
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                text.push(c);
                chars.next();
            }
        }
        let text = text.trim().to_string();
        if !text.is_empty() {
            let expansions = if occur == PartOccur::Required {
                expansions(&text)
            } else {
                Vec::new()
            };
            parts.push(Part {
                text,
                phrase,
                occur,
                expansions,
            });
        }
    }
    if parts.iter().all(|p| p.occur == PartOccur::Excluded) {
        return Err(Error::Input(
            "empty query: give at least one word to search for".into(),
        ));
    }
    Ok(parts)
}

/// Search fields and their boosts.
fn weighted_fields(f: &Fields) -> [(Field, f32); 5] {
    [
        (f.text, 1.0),
        (f.article_title, 2.0),
        (f.section_path, 1.5),
        (f.units, 1.5),
        (f.doc_title, 0.5),
    ]
}

/// Tokens of a text as the index segments it.
pub fn tokens(jieba: &Jieba, text: &str, drop_stopwords: bool) -> Vec<String> {
    segment(jieba, text, false)
        .into_iter()
        .map(|s| s.text)
        .filter(|t| !(drop_stopwords && STOPWORDS.contains(&t.as_str())))
        .collect()
}

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}

/// One query token: the word itself, or — for a compound such as `候鸟党员`,
/// which documents may write split (`“候鸟”党员`) — all of its dictionary parts.
fn word_query(fields: &Fields, jieba: &Jieba, token: &str) -> Box<dyn Query> {
    let parts = compound_parts(jieba, token);
    if parts.len() < 2 {
        return token_query(fields, token);
    }
    let all_parts = parts
        .iter()
        .map(|p| (Occur::Must, token_query(fields, p)))
        .collect();
    Box::new(BooleanQuery::new(vec![
        (Occur::Should, boosted(token_query(fields, token), 1.5)),
        (Occur::Should, Box::new(BooleanQuery::new(all_parts))),
    ]))
}

/// Dictionary words that exactly cover a compound token, left to right
/// (`候鸟党员` → `候鸟`, `党员`); empty when they do not cover it.
pub fn compound_parts(jieba: &Jieba, token: &str) -> Vec<String> {
    let chars: Vec<char> = token.chars().collect();
    if chars.len() < 4 {
        return Vec::new();
    }
    let mut parts = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let longest = (2..=3.min(chars.len() - i))
            .rev()
            .map(|n| chars[i..i + n].iter().collect::<String>())
            .find(|w| jieba.has_word(w));
        match longest {
            Some(w) => {
                i += w.chars().count();
                parts.push(w);
            }
            None => return Vec::new(),
        }
    }
    parts
}

/// One token in any searchable field.
pub fn token_query(fields: &Fields, token: &str) -> Box<dyn Query> {
    let clauses: Vec<(Occur, Box<dyn Query>)> = weighted_fields(fields)
        .into_iter()
        .map(|(field, boost)| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(field, token),
                IndexRecordOption::WithFreqs,
            ));
            (Occur::Should, boosted(q, boost))
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// Consecutive tokens in the text or the article title.
fn phrase_query(fields: &Fields, toks: &[String]) -> Box<dyn Query> {
    let clauses = [(fields.text, 1.0), (fields.article_title, 2.0)]
        .into_iter()
        .map(|(field, boost)| {
            let terms = toks
                .iter()
                .map(|t| Term::from_field_text(field, t))
                .collect();
            (
                Occur::Should,
                boosted(Box::new(PhraseQuery::new(terms)), boost),
            )
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// The query for one expression: all its tokens, phrase-boosted; a quoted
/// phrase must match as a phrase. `None` when it has no searchable token.
fn expression_query(
    fields: &Fields,
    jieba: &Jieba,
    text: &str,
    phrase: bool,
) -> Option<Box<dyn Query>> {
    if phrase {
        let toks = tokens(jieba, text, false);
        return match toks.len() {
            0 => None,
            1 => Some(word_query(fields, jieba, &toks[0])),
            _ => Some(phrase_query(fields, &toks)),
        };
    }
    let words: Vec<Vec<String>> = text
        .split_whitespace()
        .map(|w| {
            let t = tokens(jieba, w, true);
            if t.is_empty() {
                tokens(jieba, w, false)
            } else {
                t
            }
        })
        .filter(|t| !t.is_empty())
        .collect();
    let all: Vec<&String> = words.iter().flatten().collect();
    if all.is_empty() {
        return None;
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = all
        .iter()
        .map(|t| (Occur::Must, word_query(fields, jieba, t)))
        .collect();
    for w in words.iter().filter(|w| w.len() > 1) {
        clauses.push((Occur::Should, boosted(phrase_query(fields, w), 2.0)));
    }
    Some(Box::new(BooleanQuery::new(clauses)))
}

/// A part naming a unit (`区人社局`) matches records credited to it, strongly.
fn unit_query(fields: &Fields, text: &str) -> Box<dyn Query> {
    let q = TermQuery::new(
        Term::from_field_text(fields.unit_key, text),
        IndexRecordOption::Basic,
    );
    Box::new(BoostQuery::new(Box::new(q), 3.0))
}

/// Tokens of a part and its expansions worth matching alone: without
/// one-char words and question fillers, unless nothing else is left.
pub fn relaxed_tokens(jieba: &Jieba, part: &Part) -> Vec<String> {
    let all: Vec<String> = std::iter::once(&part.text)
        .chain(&part.expansions)
        .flat_map(|e| tokens(jieba, e, true))
        .collect();
    let strong: Vec<String> = all
        .iter()
        .filter(|t| t.chars().count() > 1 && !FILLERS.contains(&t.as_str()))
        .cloned()
        .collect();
    let mut out = if strong.is_empty() { all } else { strong };
    out.sort();
    out.dedup();
    out
}

/// How strictly parts must match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    /// Every required part must match.
    All,
    /// Any token of any required part may match (the fallback when nothing matches all).
    Any,
}

/// Build the full-text query of parsed parts; `None` when no part has a searchable word.
pub fn build(
    fields: &Fields,
    jieba: &Jieba,
    parts: &[Part],
    strictness: Strictness,
) -> Option<Box<dyn Query>> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for part in parts {
        match (part.occur, strictness) {
            (PartOccur::Excluded, _) => {
                if let Some(q) = expression_query(fields, jieba, &part.text, part.phrase) {
                    clauses.push((Occur::MustNot, q));
                }
            }
            (PartOccur::Required, Strictness::All) => {
                let mut alts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                if let Some(q) = expression_query(fields, jieba, &part.text, part.phrase) {
                    alts.push((Occur::Should, q));
                }
                for e in &part.expansions {
                    if let Some(q) = expression_query(fields, jieba, e, false) {
                        alts.push((Occur::Should, boosted(q, 0.8)));
                    }
                }
                if !alts.is_empty() {
                    alts.push((Occur::Should, unit_query(fields, &part.text)));
                    clauses.push((Occur::Must, Box::new(BooleanQuery::new(alts))));
                }
            }
            (PartOccur::Required, Strictness::Any) => {
                clauses.push((Occur::Should, unit_query(fields, &part.text)));
                for t in relaxed_tokens(jieba, part) {
                    clauses.push((Occur::Should, word_query(fields, jieba, &t)));
                }
            }
        }
    }
    let positive = clauses.iter().any(|(o, _)| *o != Occur::MustNot);
    positive.then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_phrases_signs_and_spaces() {
        let p = parse_parts(r#"驻村工作队 "乡村振兴" -光伏 +医保"#).unwrap();
        assert_eq!(p.len(), 4);
        assert_eq!(p[0].text, "驻村工作队");
        assert!(p[1].phrase && p[1].text == "乡村振兴");
        assert_eq!(p[2].occur, PartOccur::Excluded);
        assert_eq!(p[3].occur, PartOccur::Required);
        assert!(p[3].expansions.contains(&"医疗保障".to_string()));
        let cn = parse_parts("“巩固拓展脱贫攻坚成果”").unwrap();
        assert!(cn[0].phrase && cn[0].text == "巩固拓展脱贫攻坚成果");
    }

    #[test]
    fn rejects_bad_queries() {
        assert!(parse_parts("").is_err());
        assert!(parse_parts("   ").is_err());
        assert!(parse_parts("-光伏").is_err());
        assert!(parse_parts("\"未闭合").is_err());
        assert!(parse_parts(&"字".repeat(1001)).is_err());
    }
}
