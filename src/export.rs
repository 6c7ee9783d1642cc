//! Exports of extracted records for `govkb figures|units|cases`: JSON
//! (`{"records":[…]}`), CSV and terminal text.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{json, Value};

use crate::record::Record;

/// Columns of a CSV export, after the shared provenance columns.
pub fn detail_columns(kind: &str) -> &'static [&'static str] {
    match kind {
        "figure" => &[
            "value",
            "value_max",
            "unit",
            "qualifier",
            "approximate",
            "subject",
            "sentence",
        ],
        "unit" => &["unit", "unit_full", "role", "collective", "measure"],
        "case" => &[
            "locality_chain",
            "title",
            "themes",
            "figures",
            "source_unit",
        ],
        _ => &[],
    }
}

/// `{"records":[…]}`.
pub fn records_json(records: &[Record]) -> Value {
    json!({ "records": records })
}

/// Quote a CSV field when needed (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn cell(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| match x {
                Value::String(s) => s.clone(),
                Value::Object(o) => o
                    .get("text")
                    .map(|t| cell(Some(t)))
                    .unwrap_or_else(|| x.to_string()),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("、"),
        Some(other) => other.to_string(),
    }
}

/// CSV with a header: provenance columns, the kind's detail columns, then the text.
pub fn records_csv(kind: &str, records: &[Record]) -> String {
    let detail = detail_columns(kind);
    let mut header = vec![
        "id",
        "file",
        "doc_title",
        "date",
        "article_title",
        "section_path",
        "locality",
        "span_start",
        "span_end",
    ];
    header.extend_from_slice(detail);
    header.push("text");
    let mut out = header.join(",") + "\n";
    for r in records {
        let mut row = vec![
            r.id.clone(),
            r.file.clone(),
            r.doc_title.clone(),
            r.date.clone().unwrap_or_default(),
            r.article_title.clone().unwrap_or_default(),
            r.section_path.join(" > "),
            r.locality.clone().unwrap_or_default(),
            r.span.start.to_string(),
            r.span.end.to_string(),
        ];
        row.extend(detail.iter().map(|c| cell(r.detail.get(*c))));
        row.push(r.text.clone());
        out.push_str(
            &row.iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    out
}

fn source(r: &Record) -> String {
    let file3: String = r.file.chars().take(3).collect();
    match &r.article_title {
        Some(t) => format!("{file3} {}", t.chars().take(24).collect::<String>()),
        None => format!("{file3} {}", r.doc_title),
    }
}

/// One line per figure.
pub fn figures_text(records: &[Record]) -> String {
    let mut out = String::new();
    for r in records {
        let d = |k: &str| cell(r.detail.get(k));
        let _ = writeln!(
            out,
            "{:<14} = {} {}{}  {}  [{}{}]",
            r.text,
            d("value"),
            d("unit"),
            if d("value_max").is_empty() {
                String::new()
            } else {
                format!(" … {}", d("value_max"))
            },
            d("subject"),
            source(r),
            r.locality
                .as_deref()
                .map(|l| format!(" · {l}"))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(out, "{} figures", records.len());
    out
}

/// Units ranked by how often they are named, with their roles.
pub fn unit_ranking_text(records: &[Record]) -> String {
    let mut counts: BTreeMap<String, (usize, BTreeMap<String, usize>)> = BTreeMap::new();
    for r in records {
        let full = cell(r.detail.get("unit_full"));
        let role = cell(r.detail.get("role"));
        let e = counts.entry(full).or_default();
        e.0 += 1;
        *e.1.entry(role).or_default() += 1;
    }
    let mut ranked: Vec<_> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
    let mut out = String::new();
    for (unit, (n, roles)) in &ranked {
        let roles = roles
            .iter()
            .map(|(r, k)| format!("{r} {k}"))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(out, "{n:>4}  {unit}  ({roles})");
    }
    let _ = writeln!(out, "{} units, {} mentions", ranked.len(), records.len());
    out
}

/// Every measure or article a unit is named in.
pub fn unit_mentions_text(records: &[Record]) -> String {
    let mut out = String::new();
    for r in records {
        let what = r
            .detail
            .get("measure")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| r.text.chars().take(40).collect());
        let _ = writeln!(
            out,
            "{:<11} {}  [{}]",
            cell(r.detail.get("role")),
            what,
            source(r)
        );
    }
    let _ = writeln!(out, "{} mentions", records.len());
    out
}

/// One block per case.
pub fn cases_text(records: &[Record]) -> String {
    let mut out = String::new();
    for r in records {
        let d = |k: &str| cell(r.detail.get(k));
        let _ = writeln!(out, "{}  {}", r.id, d("title"));
        let _ = writeln!(
            out,
            "   {} · {} · {}",
            d("locality_chain").replace('、', " > "),
            d("themes"),
            source(r)
        );
        let figs = d("figures");
        if !figs.is_empty() {
            let _ = writeln!(out, "   figures: {figs}");
        }
        let _ = writeln!(
            out,
            "   {}…",
            r.text
                .chars()
                .take(80)
                .collect::<String>()
                .replace('\n', " ")
        );
    }
    let _ = writeln!(out, "{} cases", records.len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_when_needed() {
        assert_eq!(csv_field("a"), "a");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"x\""), "\"say \"\"x\"\"\"");
    }
}
