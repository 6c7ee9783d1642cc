//! Records found inside passages: figures, measures with their responsible
//! units, and unit mentions (annotations, credits, bylines, issuers).

use serde_json::{json, Map, Value};

use super::{add_units, DocContext, Record, RecordKind};
use crate::extract::figures::{figures_in, Figure};
use crate::extract::locality::{find_localities, most_specific};
use crate::extract::units::{resolve_unit, UnitAnnotation, UnitMention, UnitRole};
use crate::model::{Passage, Section, Span};
use crate::parse::headings::heading_level;
use crate::parse::magazine::is_byline;
use crate::parse::meta::ends_like_unit;

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Chars `[start, end)` of the clean text.
pub fn slice(chars: &[char], span: Span) -> String {
    chars[span.start.min(chars.len())..span.end.min(chars.len())]
        .iter()
        .collect()
}

/// The sentence around char range `[start, end)` of `text` (chars).
fn sentence_around(text: &[char], start: usize, end: usize) -> (usize, usize) {
    let is_end = |c: char| matches!(c, '。' | '！' | '？' | '；' | '\n');
    let s = text[..start]
        .iter()
        .rposition(|&c| is_end(c))
        .map_or(0, |i| i + 1);
    let e = text[end..]
        .iter()
        .position(|&c| is_end(c))
        .map_or(text.len(), |i| end + i + 1);
    (s, e.min(text.len()))
}

/// A figure found in a passage at ingest: what the passage keeps of it
/// ([`attach_figures`]) and what a case lists of the figures inside it.
#[derive(Debug)]
pub struct FoundFigure {
    /// The figure record's id (`DOC#fN`).
    pub id: String,
    /// Where it is in the document's clean text (chars).
    pub span: Span,
    /// The figure as extracted, offsets relative to the passage.
    pub figure: Figure,
    /// The place its sentence names, else its article's.
    pub locality: Option<String>,
    /// The places it is filed under: its document's and article's, then the
    /// chain of the place its sentence names.
    pub regions: Vec<String>,
}

/// The figures of a passage, numbered on from `counter`.
pub fn passage_figures(
    ctx: &DocContext,
    passage: &Passage,
    counter: &mut usize,
) -> Vec<FoundFigure> {
    let chars: Vec<char> = passage.text.chars().collect();
    let figures = figures_in(&chars);
    if figures.is_empty() {
        return Vec::new();
    }
    // Places are found in the passage once: no place name spans a sentence
    // end, so those inside a figure's sentence are the sentence's own.
    let places = find_localities(&passage.text);
    let regions = ctx.regions(passage.article);
    let article_locality = passage
        .article
        .and_then(|i| ctx.doc.articles.get(i))
        .and_then(|a| a.locality.as_ref());
    figures
        .into_iter()
        .filter(|f| f.end <= chars.len())
        .map(|figure| {
            *counter += 1;
            let (ss, se) = sentence_around(&chars, figure.start, figure.end);
            let mut found = FoundFigure {
                id: format!("{}#f{}", ctx.doc.id, counter),
                span: Span {
                    start: passage.span.start + figure.start,
                    end: passage.span.start + figure.end,
                },
                locality: article_locality.cloned(),
                regions: regions.clone(),
                figure,
            };
            let in_sentence = places.iter().filter(|p| p.start >= ss && p.end <= se);
            if let Some(place) = most_specific(in_sentence) {
                if place.chain.len() > 1 {
                    found.regions.extend(place.chain.iter().cloned());
                    found.locality = Some(place.name.clone());
                }
            }
            found
        })
        .collect()
}

/// Figure fields a passage keeps only when they are not these values.
const FIGURE_DEFAULTS: [(&str, Value); 3] = [
    ("value_max", Value::Null),
    ("qualifier", Value::Null),
    ("approximate", Value::Bool(false)),
];

/// Keep a passage's figures in it (`figures` in its detail): figures are not
/// index documents of their own but are made from their passage when read
/// ([`figures_of`]). Indexing each figure's sentence again was a quarter of
/// all index documents and a fifth of the index; search finds a figure
/// through its passage. Each entry is the figure's own fields, without what
/// the passage gives back (provenance, the text at its span, the sentence,
/// the passage's id) and without those at their defaults ([`FIGURE_DEFAULTS`]).
pub fn attach_figures(passage: &mut Record, figures: impl ExactSizeIterator<Item = FoundFigure>) {
    if figures.len() == 0 {
        return;
    }
    let entries: Vec<Value> = figures
        .map(|found| {
            let f = found.figure;
            let mut e = object(json!({
                "value": f.value, "value_max": f.value_max, "unit": f.unit,
                "qualifier": f.qualifier, "approximate": f.approximate, "subject": f.subject,
                "id": found.id, "span": found.span, "locality": found.locality,
                "regions": found.regions,
            }));
            for (key, default) in FIGURE_DEFAULTS {
                if e.get(key) == Some(&default) {
                    e.remove(key);
                }
            }
            Value::Object(e)
        })
        .collect();
    passage
        .detail
        .insert("figures".into(), Value::Array(entries));
}

/// The figure records of a passage record, from the figures it keeps
/// ([`attach_figures`]).
pub fn figures_of(passage: &Record) -> Vec<Record> {
    let Some(Value::Array(entries)) = passage.detail.get("figures") else {
        return Vec::new();
    };
    let chars: Vec<char> = passage.text.chars().collect();
    entries
        .iter()
        .filter_map(|e| {
            let mut detail = e.as_object()?.clone();
            let take_str = |d: &mut Map<String, Value>, key: &str| match d.remove(key) {
                Some(Value::String(s)) => Some(s),
                _ => None,
            };
            let id = take_str(&mut detail, "id")?;
            let locality = take_str(&mut detail, "locality");
            let span: Span = serde_json::from_value(detail.remove("span")?).ok()?;
            let regions: Vec<String> = serde_json::from_value(detail.remove("regions")?).ok()?;
            let start = span.start.checked_sub(passage.span.start)?;
            let end = span.end.checked_sub(passage.span.start)?;
            if start > end || end > chars.len() {
                return None;
            }
            let text: String = chars[start..end].iter().collect();
            let (ss, se) = sentence_around(&chars, start, end);
            let sentence: String = chars[ss..se].iter().collect();
            for (key, default) in FIGURE_DEFAULTS {
                detail.entry(key).or_insert(default);
            }
            detail.insert("sentence".into(), json!(sentence));
            detail.insert("passage_id".into(), json!(passage.id));
            detail.insert("year".into(), json!(passage.year()));
            Some(Record {
                id,
                kind: RecordKind::Figure,
                units: Vec::new(),
                locality,
                span,
                text,
                detail,
                regions,
                unit_keys: Vec::new(),
                index_text: None,
                near_dup: None,
                ..passage.clone()
            })
        })
        .collect()
}

/// The heading right before a passage, when it is a numbered measure (`1.` or `（1）`).
fn measure_heading<'a>(sections: &'a [Section], passage: &Passage) -> Option<&'a Section> {
    // Sections are in document order, each heading before its sub-sections:
    // the last heading before the passage is found by descending into the
    // last section that starts before it.
    let mut level = sections;
    let mut last = None;
    while let Some(h) = level
        .iter()
        .rev()
        .find(|h| h.span.start < passage.span.start)
    {
        last = Some(h);
        level = &h.children;
    }
    last.filter(|h| matches!(h.level, 3 | 4))
}

/// The measure record of a passage with its unit annotations
/// ([`find_annotations`](crate::extract::units::find_annotations)), if it
/// names any unit. Each unit it names is a mention (`mentions` in its detail,
/// each with the id of its unit record); the unit records themselves are
/// made from the measure when they are read ([`unit_mentions`]).
pub fn measure_record(
    ctx: &DocContext,
    chars: &[char],
    passage: &Passage,
    annotations: &[UnitAnnotation],
    counters: &mut (usize, usize),
) -> Option<Record> {
    if annotations.is_empty() {
        return None;
    }
    let mentions: Vec<UnitMention> = annotations
        .iter()
        .flat_map(|a| a.mentions.iter().cloned())
        .collect();
    let numbered_inline = heading_level(&passage.text).is_some();
    let heading = passage
        .article
        .and_then(|i| ctx.doc.articles.get(i))
        .and_then(|a| measure_heading(&a.sections, passage))
        .filter(|h| !numbered_inline && h.span.end < passage.span.start);
    let span = Span {
        start: heading.map_or(passage.span.start, |h| h.span.start),
        end: passage.span.end,
    };
    let title = match heading {
        Some(h) => h.heading.clone(),
        None => passage.section_path.last().cloned().unwrap_or_default(),
    };
    let number = title
        .chars()
        .take_while(|c| !matches!(c, '.' | '．' | '、' | '）' | ')'))
        .filter(|c| !matches!(c, '（' | '('))
        .collect::<String>();
    counters.0 += 1;
    let id = format!("{}#m{}", ctx.doc.id, counters.0);
    let text = slice(chars, span);
    let mut m = ctx.record(RecordKind::Measure, id, passage.article, text, span);
    m.section_path = passage.section_path.clone();
    add_units(&mut m, &mentions);
    let by_role = |role: UnitRole| {
        mentions
            .iter()
            .filter(|x| x.role == role)
            .map(|x| x.unit_full.clone())
            .collect::<Vec<_>>()
    };
    let listed: Vec<Value> = mentions
        .iter()
        .map(|mention| {
            counters.1 += 1;
            let mut v = json!({"id": format!("{}#u{}", ctx.doc.id, counters.1)});
            if let (Value::Object(o), Ok(Value::Object(fields))) =
                (&mut v, serde_json::to_value(mention))
            {
                o.extend(fields);
            }
            v
        })
        .collect();
    m.detail = object(json!({
        "number": number, "heading": title, "lead": by_role(UnitRole::Lead),
        "responsible": by_role(UnitRole::Responsible), "cooperating": by_role(UnitRole::Cooperating),
        "mentions": listed,
    }));
    Some(m)
}

/// Keep a passage's measure in it (`measure` in its detail): a measure is
/// not an index document of its own but is made from its passage when read
/// ([`measure_of`]). A measure is its passage's text under its heading, so
/// indexing it again was a fifth of all text indexed and a third of the
/// stored JSON; search finds a measure through its passage's fields and its
/// lead-in ([`measure_lead_in`]). The entry is the measure's detail with its
/// id, span and the text between its span's start and the passage's (the
/// heading line when the heading is a line of its own, and the paragraphs
/// between it and the passage when the measure spans several).
pub fn attach_measure(passage: &mut Record, measure: Record) {
    let before = measure
        .text
        .strip_suffix(passage.text.as_str())
        .unwrap_or("");
    let mut e = measure.detail;
    e.insert("id".into(), Value::String(measure.id));
    e.insert("span".into(), json!(measure.span));
    if !before.is_empty() {
        e.insert("text_before".into(), json!(before));
    }
    passage.detail.insert("measure".into(), Value::Object(e));
}

/// What the measure a passage record carries has before the passage: its
/// heading line and any earlier paragraphs under that heading.
pub fn measure_lead_in(passage: &Record) -> Option<&str> {
    passage.detail.get("measure")?.get("text_before")?.as_str()
}

/// The measure record of a passage record, as [`measure_record`] made it at
/// ingest ([`attach_measure`]).
pub fn measure_of(passage: &Record) -> Option<Record> {
    let mut detail = passage.detail.get("measure")?.as_object()?.clone();
    let id = match detail.remove("id")? {
        Value::String(id) => id,
        _ => return None,
    };
    let span: Span = serde_json::from_value(detail.remove("span")?).ok()?;
    let before = match detail.remove("text_before") {
        Some(Value::String(b)) => b,
        _ => String::new(),
    };
    let mentions: Vec<UnitMention> = match detail.get("mentions") {
        Some(Value::Array(listed)) => listed
            .iter()
            .filter_map(|v| serde_json::from_value(v.clone()).ok())
            .collect(),
        _ => Vec::new(),
    };
    let mut m = Record {
        id,
        kind: RecordKind::Measure,
        units: Vec::new(),
        span,
        text: before + &passage.text,
        detail,
        unit_keys: Vec::new(),
        index_text: None,
        near_dup: None,
        ..passage.clone()
    };
    add_units(&mut m, &mentions);
    Some(m)
}

/// The unit records of a measure, one per unit it names, in order: each has
/// the measure's provenance and text, its own unit and role, and the
/// measure's heading and id. They are not stored in the index (indexing the
/// measure again for each unit it names was a third of all records and 15%
/// of the index); search finds a mention through its measure.
pub fn unit_mentions(measure: &Record) -> Vec<Record> {
    let heading = measure.detail.get("heading").and_then(Value::as_str);
    let Some(Value::Array(listed)) = measure.detail.get("mentions") else {
        return Vec::new();
    };
    listed
        .iter()
        .filter_map(|v| {
            let id = v.get("id")?.as_str()?.to_string();
            let mention: UnitMention = serde_json::from_value(v.clone()).ok()?;
            let mut u = Record {
                id,
                kind: RecordKind::Unit,
                units: Vec::new(),
                unit_keys: Vec::new(),
                detail: unit_detail(&mention, heading, Some(&measure.id)),
                index_text: None,
                near_dup: None,
                ..measure.clone()
            };
            add_units(&mut u, std::slice::from_ref(&mention));
            Some(u)
        })
        .collect()
}

fn unit_detail(
    m: &UnitMention,
    measure: Option<&str>,
    measure_id: Option<&str>,
) -> Map<String, Value> {
    object(json!({
        "unit": m.unit, "unit_full": m.unit_full, "role": m.role, "collective": m.collective,
        "measure": measure, "measure_id": measure_id,
    }))
}

/// Unit records for article credits and bylines, and for the document's issuers.
pub fn credit_records(ctx: &DocContext, counter: &mut usize) -> Vec<Record> {
    let doc = ctx.doc;
    let mut out = Vec::new();
    let mut push = |mention: UnitMention, article: Option<usize>, text: String, span: Span| {
        *counter += 1;
        let mut u = ctx.record(
            RecordKind::Unit,
            format!("{}#u{}", doc.id, counter),
            article,
            text,
            span,
        );
        add_units(&mut u, std::slice::from_ref(&mention));
        u.detail = unit_detail(&mention, None, None);
        out.push(u);
    };
    for (i, a) in doc.articles.iter().enumerate() {
        let Some(credit) = a.credit.as_deref() else {
            continue;
        };
        let text = format!("{}（{}）", a.title, credit);
        let mentions = ctx.article_units(a);
        if !mentions.is_empty() {
            for m in mentions {
                push(m, Some(i), text.clone(), a.span);
            }
        } else if is_byline(credit) {
            let unit_like = ends_like_unit(credit) && !credit.contains(' ');
            let names: Vec<&str> = if unit_like {
                vec![credit]
            } else {
                credit.split_whitespace().collect()
            };
            for name in names {
                let full = if unit_like {
                    resolve_unit(name, &ctx.jurisdiction)
                } else {
                    name.to_string()
                };
                let m = UnitMention {
                    unit: name.to_string(),
                    unit_full: full,
                    role: UnitRole::Author,
                    collective: false,
                };
                push(m, Some(i), text.clone(), a.span);
            }
        }
    }
    if let Some(issuer) = doc.meta.issuer.as_deref() {
        for name in issuer.split(" / ") {
            let m = UnitMention {
                unit: name.to_string(),
                unit_full: name.to_string(),
                role: UnitRole::Issuer,
                collective: false,
            };
            push(m, None, doc.meta.title.clone(), Span::default());
        }
    }
    out
}
