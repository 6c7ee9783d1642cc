//! The tantivy query of a parsed query ([`super::syntax`]): each part
//! segmented with the index's tokenizer, expanded with synonyms and sought in
//! every searchable field.

use jieba_rs::Jieba;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use super::seek_union::SeekUnion;
use super::synonyms::expansions;
use super::syntax::{Node, ParsedQuery, Part, PartOccur};
use crate::index::schema::TextFields;
use crate::index::tokenizer::segment;

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

/// A unit of meaning inside a part: a synonym-table entry or a single word,
/// with the expansions it takes. `驻村工作队管理` and `驻村工作队 管理` give the
/// same concepts.
#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    /// The words as typed.
    pub text: String,
    /// Synonym expansions.
    pub expansions: Vec<String>,
}

/// The concepts of a required, unquoted part: jieba words, merged where a run
/// of them is a synonym-table entry; stopwords dropped unless nothing is left.
pub fn concepts(jieba: &Jieba, text: &str) -> Vec<Concept> {
    let words: Vec<String> = text
        .split_whitespace()
        .flat_map(|w| tokens(jieba, w, false))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let found = (i + 1..=words.len()).rev().find_map(|j| {
            let joined: String = words[i..j].concat();
            let e = expansions(&joined);
            (!e.is_empty()).then_some((j, joined, e))
        });
        match found {
            Some((j, text, expansions)) => {
                out.push(Concept { text, expansions });
                i = j;
            }
            None => {
                out.push(Concept {
                    text: words[i].clone(),
                    expansions: Vec::new(),
                });
                i += 1;
            }
        }
    }
    let kept: Vec<Concept> = out
        .iter()
        .filter(|c| !c.expansions.is_empty() || !STOPWORDS.contains(&c.text.as_str()))
        .cloned()
        .collect();
    if kept.is_empty() {
        out
    } else {
        kept
    }
}

/// Search fields and their boosts.
fn weighted_fields(f: &TextFields) -> Vec<(Field, f32)> {
    let mut fields = vec![
        (f.text, 1.0),
        (f.article_title, 2.0),
        (f.section_path, 1.5),
        (f.units, 1.5),
        (f.doc_title, 0.5),
    ];
    fields.extend(f.lead_in.map(|field| (field, 1.0)));
    fields
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
fn word_query(fields: &TextFields, jieba: &Jieba, token: &str) -> Box<dyn Query> {
    let parts = compound_parts(jieba, token);
    if parts.len() < 2 {
        return token_query(fields, token);
    }
    let all_parts = parts
        .iter()
        .map(|p| (Occur::Must, token_query(fields, p)))
        .collect();
    SeekUnion::of(vec![
        boosted(token_query(fields, token), 1.5),
        Box::new(BooleanQuery::new(all_parts)),
    ])
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
pub fn token_query(fields: &TextFields, token: &str) -> Box<dyn Query> {
    let alternatives = weighted_fields(fields)
        .into_iter()
        .map(|(field, boost)| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(field, token),
                IndexRecordOption::WithFreqs,
            ));
            boosted(q, boost)
        })
        .collect();
    SeekUnion::of(alternatives)
}

/// Consecutive tokens in the text (or a measure's lead-in) or the article title.
fn phrase_query(fields: &TextFields, toks: &[String]) -> Box<dyn Query> {
    let lead_in = fields.lead_in.map(|field| (field, 1.0));
    let alternatives = [(fields.text, 1.0), (fields.article_title, 2.0)]
        .into_iter()
        .chain(lead_in)
        .map(|(field, boost)| {
            let terms = toks
                .iter()
                .map(|t| Term::from_field_text(field, t))
                .collect();
            boosted(Box::new(PhraseQuery::new(terms)), boost)
        })
        .collect();
    SeekUnion::of(alternatives)
}

/// A quoted phrase: its tokens in order, in the text or the article title.
fn phrase_part_query(fields: &TextFields, jieba: &Jieba, text: &str) -> Option<Box<dyn Query>> {
    let toks = tokens(jieba, text, false);
    match toks.len() {
        0 => None,
        1 => Some(word_query(fields, jieba, &toks[0])),
        _ => Some(phrase_query(fields, &toks)),
    }
}

/// All words of an expression (an expansion may have several, e.g. `义务教育 基本医疗 住房安全`).
fn all_words_query(fields: &TextFields, jieba: &Jieba, text: &str) -> Option<Box<dyn Query>> {
    let toks = tokens(jieba, text, true);
    if toks.is_empty() {
        return None;
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = toks
        .iter()
        .map(|t| (Occur::Must, word_query(fields, jieba, t)))
        .collect();
    if toks.len() > 1 {
        clauses.push((Occur::Should, boosted(phrase_query(fields, &toks), 2.0)));
    }
    Some(Box::new(BooleanQuery::new(clauses)))
}

/// A concept: its words, or any of its expansions, or a unit credited by that name.
fn concept_query(fields: &TextFields, jieba: &Jieba, c: &Concept) -> Option<Box<dyn Query>> {
    let mut alts: Vec<Box<dyn Query>> = Vec::new();
    if let Some(q) = all_words_query(fields, jieba, &c.text) {
        alts.push(q);
    }
    for e in &c.expansions {
        // A one-word expansion (`积分管理`) is that word: its tokens in order.
        // One with spaces (`义务教育 基本医疗`) wants all of its words.
        let q = if e.contains(char::is_whitespace) {
            all_words_query(fields, jieba, e)
        } else {
            phrase_part_query(fields, jieba, e)
        };
        if let Some(q) = q {
            alts.push(boosted(q, 0.8));
        }
    }
    if alts.is_empty() {
        return None;
    }
    alts.push(unit_query(fields, &c.text));
    Some(SeekUnion::of(alts))
}

/// A part naming a unit (`区人社局`) matches records credited to it, strongly.
fn unit_query(fields: &TextFields, text: &str) -> Box<dyn Query> {
    let q = TermQuery::new(
        Term::from_field_text(fields.unit_key, text),
        IndexRecordOption::Basic,
    );
    Box::new(BoostQuery::new(Box::new(q), 3.0))
}

/// Tokens of a concept and its expansions worth matching alone: without
/// one-char words and question fillers, unless nothing else is left.
pub fn relaxed_tokens(jieba: &Jieba, concepts: &[Concept]) -> Vec<String> {
    let all: Vec<String> = concepts
        .iter()
        .flat_map(|c| std::iter::once(&c.text).chain(&c.expansions))
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

/// Build the full-text query of a parsed query; `None` when no part has a searchable word.
pub fn build(
    fields: &TextFields,
    jieba: &Jieba,
    query: &ParsedQuery,
    strictness: Strictness,
) -> Option<Box<dyn Query>> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut sequence: Vec<String> = Vec::new();
    let mut concept_phrases: Vec<Vec<String>> = Vec::new();
    for node in query.clauses() {
        match node {
            Node::Not(excluded) => clauses
                .extend(node_query(fields, jieba, query, excluded).map(|q| (Occur::MustNot, q))),
            Node::Part(i) => {
                let part = &query.parts[*i];
                let cs = part_concepts(jieba, part);
                if !part.phrase {
                    sequence.extend(tokens(jieba, &part.text, true));
                    if strictness == Strictness::All {
                        concept_phrases.extend(cs.iter().map(|c| tokens(jieba, &c.text, true)));
                    }
                }
                clauses.extend(required_clauses(fields, jieba, part, &cs, strictness));
            }
            group => match strictness {
                Strictness::All => clauses
                    .extend(node_query(fields, jieba, query, group).map(|q| (Occur::Must, q))),
                Strictness::Any => {
                    for part in required_parts(query, group) {
                        let cs = part_concepts(jieba, part);
                        clauses.extend(required_clauses(fields, jieba, part, &cs, strictness));
                    }
                }
            },
        }
    }
    // The words in their order, across the query's own parts; not when a
    // concept's own phrase is the same one (`积分制` alone), which would only
    // be scored twice.
    if sequence.len() > 1 && !concept_phrases.contains(&sequence) {
        clauses.push((Occur::Should, boosted(phrase_query(fields, &sequence), 2.0)));
    }
    conjunction(clauses)
}

/// The query matching every `Must` clause and no `MustNot` one (`Should`
/// clauses only score); a lone `Must` clause is its own query. `None` when
/// no clause can match: exclusions alone match nothing to rank.
fn conjunction(mut clauses: Vec<(Occur, Box<dyn Query>)>) -> Option<Box<dyn Query>> {
    if !clauses.iter().any(|(o, _)| *o != Occur::MustNot) {
        return None;
    }
    if let [(Occur::Must, _)] = clauses.as_slice() {
        return clauses.pop().map(|(_, q)| q);
    }
    Some(Box::new(BooleanQuery::new(clauses)))
}

/// What a record must match for `node` to hold, every word required (a
/// negation's parent applies it); `None` when nothing in it is searchable.
/// An excluded part is matched as typed, without synonyms.
fn node_query(
    fields: &TextFields,
    jieba: &Jieba,
    query: &ParsedQuery,
    node: &Node,
) -> Option<Box<dyn Query>> {
    match node {
        Node::Part(i) => {
            let part = &query.parts[*i];
            if part.occur == PartOccur::Excluded {
                return if part.phrase {
                    phrase_part_query(fields, jieba, &part.text)
                } else {
                    all_words_query(fields, jieba, &part.text)
                };
            }
            let cs = part_concepts(jieba, part);
            conjunction(required_clauses(fields, jieba, part, &cs, Strictness::All))
        }
        Node::All(children) => {
            let clauses: Vec<(Occur, Box<dyn Query>)> = children
                .iter()
                .filter_map(|child| match child {
                    Node::Not(excluded) => {
                        node_query(fields, jieba, query, excluded).map(|q| (Occur::MustNot, q))
                    }
                    _ => node_query(fields, jieba, query, child).map(|q| (Occur::Must, q)),
                })
                .collect();
            conjunction(clauses)
        }
        Node::Any(alternatives) => {
            let each: Vec<Box<dyn Query>> = alternatives
                .iter()
                .filter_map(|a| node_query(fields, jieba, query, a))
                .collect();
            (!each.is_empty()).then(|| SeekUnion::of(each))
        }
        Node::Not(_) => None,
    }
}

/// The required parts under `node`, outside its negations.
fn required_parts<'q>(query: &'q ParsedQuery, node: &Node) -> Vec<&'q Part> {
    match node {
        Node::Part(i) => vec![&query.parts[*i]],
        Node::All(children) | Node::Any(children) => children
            .iter()
            .flat_map(|c| required_parts(query, c))
            .collect(),
        Node::Not(_) => Vec::new(),
    }
}

/// The concepts of an unquoted part; none for a phrase, matched as typed.
fn part_concepts(jieba: &Jieba, part: &Part) -> Vec<Concept> {
    if part.phrase {
        Vec::new()
    } else {
        concepts(jieba, &part.text)
    }
}

/// The clauses of a required part with its [`part_concepts`] `cs`: under
/// [`Strictness::All`] its phrase, or each of its concepts, must match; under
/// [`Strictness::Any`] any of its words may.
fn required_clauses(
    fields: &TextFields,
    jieba: &Jieba,
    part: &Part,
    cs: &[Concept],
    strictness: Strictness,
) -> Vec<(Occur, Box<dyn Query>)> {
    let occur = match strictness {
        Strictness::All => Occur::Must,
        Strictness::Any => Occur::Should,
    };
    if part.phrase {
        return phrase_part_query(fields, jieba, &part.text)
            .map(|q| (occur, q))
            .into_iter()
            .collect();
    }
    match strictness {
        Strictness::All => cs
            .iter()
            .filter_map(|c| concept_query(fields, jieba, c))
            .map(|q| (occur, q))
            .collect(),
        Strictness::Any => cs
            .iter()
            .map(|c| unit_query(fields, &c.text))
            .chain(
                relaxed_tokens(jieba, cs)
                    .iter()
                    .map(|t| word_query(fields, jieba, t)),
            )
            .map(|q| (occur, q))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concepts_ignore_spaces_and_merge_synonym_entries() {
        let j = crate::index::tokenizer::jieba();
        let a = concepts(&j, "驻村工作队管理");
        let b = concepts(&j, "驻村工作队 管理");
        assert_eq!(a, b);
        assert_eq!(a[0].text, "驻村工作队");
        assert!(a[0].expansions.contains(&"乡村振兴工作队".to_string()));
        let c = concepts(&j, "扶贫小额贷款");
        assert_eq!(c.len(), 1);
        assert!(c[0].expansions.contains(&"扶贫小额信贷".to_string()));
    }
}
