//! Child records: records made from another record when read, not stored as
//! index documents of their own — a passage's figures ([`figures_of`]), its
//! measure ([`measure_of`]) and that measure's unit mentions
//! ([`unit_mentions`]). Their parent is what search matches; the index counts
//! and filters the children through the names each carries
//! ([`crate::index::children`]).

use serde_json::{Map, Value};

use super::extracted::{figures_of, measure_of, unit_mentions};
use super::{Record, RecordKind};

/// The kinds of the children a record of `kind` carries.
pub fn child_kinds(kind: RecordKind) -> &'static [RecordKind] {
    match kind {
        RecordKind::Passage => &[RecordKind::Figure, RecordKind::Measure, RecordKind::Unit],
        _ => &[],
    }
}

/// Whether records of `kind` are (some or all of them) children.
pub fn is_child_kind(kind: RecordKind) -> bool {
    RecordKind::ALL
        .into_iter()
        .any(|parent| child_kinds(parent).contains(&kind))
}

/// The child records of `kind` of `parent`, in order.
pub fn children(parent: &Record, kind: RecordKind) -> Vec<Record> {
    match (parent.kind, kind) {
        (RecordKind::Passage, RecordKind::Figure) => figures_of(parent),
        (RecordKind::Passage, RecordKind::Measure) => measure_of(parent).into_iter().collect(),
        (RecordKind::Passage, RecordKind::Unit) => measure_of(parent)
            .map(|m| unit_mentions(&m))
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The names each child of `r` can be filtered by, per child kind, in
/// order: a figure's places; a measure's units, short and full; a unit
/// mention's short and full name. Kinds without children are left out. A
/// unit record (credit, byline, issuer) is listed as one unit mention of its
/// own, so that unit mentions are counted alike.
pub fn child_names(r: &Record) -> Vec<(RecordKind, Vec<Vec<&str>>)> {
    fn unit_names(fields: &Map<String, Value>) -> Option<Vec<&str>> {
        Some(vec![
            fields.get("unit")?.as_str()?,
            fields.get("unit_full")?.as_str()?,
        ])
    }
    fn places(fields: &Map<String, Value>) -> Option<Vec<&str>> {
        match fields.get("regions")? {
            Value::Array(names) => Some(names.iter().filter_map(Value::as_str).collect()),
            _ => None,
        }
    }
    fn listed<'a>(
        fields: Option<&'a Map<String, Value>>,
        key: &str,
        names: fn(&'a Map<String, Value>) -> Option<Vec<&'a str>>,
    ) -> Vec<Vec<&'a str>> {
        match fields.and_then(|f| f.get(key)) {
            Some(Value::Array(entries)) => entries
                .iter()
                .filter_map(Value::as_object)
                .filter_map(names)
                .collect(),
            _ => Vec::new(),
        }
    }
    let measure = r.detail.get("measure").and_then(Value::as_object);
    let mentions = listed(measure, "mentions", unit_names);
    let out = match r.kind {
        RecordKind::Passage => vec![
            (
                RecordKind::Figure,
                listed(Some(&r.detail), "figures", places),
            ),
            (
                RecordKind::Measure,
                measure
                    .map(|_| vec![mentions.iter().flatten().copied().collect()])
                    .unwrap_or_default(),
            ),
            (RecordKind::Unit, mentions),
        ],
        RecordKind::Unit => vec![(
            RecordKind::Unit,
            unit_names(&r.detail).into_iter().collect(),
        )],
        _ => Vec::new(),
    };
    out.into_iter()
        .filter(|(_, names)| !names.is_empty())
        .collect()
}
