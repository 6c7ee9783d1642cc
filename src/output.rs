//! Rendering for the CLI: hits, documents and records as terminal text or
//! JSON. Colour only when stdout is a terminal.

use std::fmt::Write as _;

use serde_json::{json, Value};

use crate::model::Section;
use crate::record::Record;
use crate::search::{Hit, SearchResults};

const MARK_ON: &str = "\x1b[1;31m";
const MARK_OFF: &str = "\x1b[0m";
const DIM_ON: &str = "\x1b[2m";

/// Text of a search result page.
pub fn results_text(r: &SearchResults, colour: bool) -> String {
    let mut out = String::new();
    if r.hits.is_empty() {
        let _ = writeln!(
            out,
            "no match for `{}` ({} records matched; try fewer words or another filter)",
            r.query, r.total
        );
        return out;
    }
    let first = r.hits.first().map(|_| ()).map_or(0, |_| 1);
    let _ = writeln!(
        out,
        "{} matches for `{}`{} in {:.1} ms",
        r.total,
        r.query,
        match (r.relaxed, r.total) {
            (false, _) => "",
            (true, 0) => " (no record has every word; showing records with some)",
            (true, _) => " (then records with some of the words)",
        },
        r.took_ms
    );
    for (i, h) in r.hits.iter().enumerate() {
        let _ = write!(out, "\n{}", hit_text(i + first, h, colour));
    }
    out
}

fn dim(s: &str, colour: bool) -> String {
    if colour {
        format!("{DIM_ON}{s}{MARK_OFF}")
    } else {
        s.to_string()
    }
}

/// Text of one hit.
pub fn hit_text(n: usize, h: &Hit, colour: bool) -> String {
    let r = &h.record;
    let mut out = String::new();
    let title = r
        .article_title
        .as_deref()
        .filter(|t| !t.is_empty())
        .unwrap_or(&r.doc_title);
    let _ = writeln!(out, "{n}. [{}] {title}", r.kind.as_str());
    let origin = [
        Some(r.doc_title.as_str()),
        r.issue.as_deref(),
        r.date.as_deref(),
        Some(r.file.as_str()),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let _ = writeln!(out, "   {}", dim(&origin, colour));
    let context = [
        r.section_path.join(" > "),
        r.units.join("、"),
        r.locality.clone().unwrap_or_default(),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(" · ");
    if !context.is_empty() {
        let _ = writeln!(out, "   {}", dim(&context, colour));
    }
    let snippet = if colour {
        h.highlight.render(MARK_ON, MARK_OFF, str::to_string)
    } else {
        h.highlight.render("", "", str::to_string)
    };
    let _ = writeln!(out, "   {}", snippet.replace('\n', " "));
    let mut tail = format!("id {} · score {:.2}", r.id, h.score);
    if !h.expansions.is_empty() {
        let _ = write!(tail, " · via synonym {}", h.expansions.join("、"));
    }
    let _ = writeln!(out, "   {}", dim(&tail, colour));
    if !h.also_in.is_empty() {
        let copies: Vec<String> = h
            .also_in
            .iter()
            .map(|a| match &a.issue {
                Some(issue) => format!("{} {issue}", a.doc_title),
                None => a.doc_title.clone(),
            })
            .collect();
        let more = h.also_in_count.saturating_sub(copies.len());
        let more = if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        };
        let _ = writeln!(out, "   also in: {}{more}", copies.join(", "));
    }
    if h.more_in_article > 0 {
        let (what, id) = match &r.article_id {
            Some(a) => ("article", a),
            None => ("document", &r.doc_id),
        };
        let _ = writeln!(
            out,
            "   {} more in this {what}: add --within {id}",
            h.more_in_article
        );
    }
    out
}

/// The `docs --json` object of one document record.
pub fn document_json(d: &Record) -> Value {
    let get = |k: &str| d.detail.get(k).cloned().unwrap_or(Value::Null);
    json!({
        "id": d.id, "file": d.file, "doc_type": d.doc_type.as_str(), "title": d.doc_title,
        "issuer": get("issuer"), "doc_number": get("doc_number"), "date": d.date, "issue": d.issue,
        "total_issue": get("total_issue"), "distribution": get("distribution"), "editor": get("editor"),
        "encoding": get("encoding"), "articles": get("articles"),
    })
}

/// One line per document for `docs`.
pub fn documents_text(docs: &[Record]) -> String {
    let mut out = String::new();
    for d in docs {
        let get = |k: &str| {
            d.detail
                .get(k)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let n = d
            .detail
            .get("articles")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let label = [d.issue.clone().unwrap_or_default(), get("doc_number")].join(" ");
        let _ = writeln!(
            out,
            "{}  {:<9} {}  {}  {}  {} articles  {}",
            d.id,
            d.doc_type.as_str(),
            d.date.as_deref().unwrap_or("----------"),
            d.doc_title,
            label.trim(),
            n,
            get("issuer")
        );
    }
    out
}

/// A section tree, indented.
pub fn sections_text(sections: &[Section], depth: usize, out: &mut String) {
    for s in sections {
        let _ = writeln!(out, "{}{}", "  ".repeat(depth + 1), s.heading);
        sections_text(&s.children, depth + 1, out);
    }
}

/// Sections stored in a record's detail.
pub fn sections_of(r: &Record) -> Vec<Section> {
    r.detail
        .get("sections")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default()
}
