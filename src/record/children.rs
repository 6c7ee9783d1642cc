//! Child records: records made from another record when read, not stored as
//! index documents of their own — a measure's unit mentions
//! ([`unit_mentions`]) and a passage's figures ([`figures_of`]). Their
//! parent is what search matches; the index counts and filters the children
//! through the names each carries ([`crate::index::children`]).

use serde_json::{Map, Value};

use super::extracted::{figures_of, unit_mentions};
use super::{Record, RecordKind};

/// The kind of the children a record of `kind` carries.
pub fn child_kind(kind: RecordKind) -> Option<RecordKind> {
    match kind {
        RecordKind::Measure => Some(RecordKind::Unit),
        RecordKind::Passage => Some(RecordKind::Figure),
        _ => None,
    }
}

/// Whether records of `kind` are (some or all of them) children.
pub fn is_child_kind(kind: RecordKind) -> bool {
    RecordKind::ALL
        .into_iter()
        .any(|parent| child_kind(parent) == Some(kind))
}

/// The child records of `parent`, in order.
pub fn children(parent: &Record) -> Vec<Record> {
    match parent.kind {
        RecordKind::Measure => unit_mentions(parent),
        RecordKind::Passage => figures_of(parent),
        _ => Vec::new(),
    }
}

/// The names each child of `r` can be filtered by, in order: a unit
/// mention's short and full name, a figure's places. A unit record (credit,
/// byline, issuer) counts as one mention of its own.
pub fn child_names(r: &Record) -> Vec<Vec<&str>> {
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
    let listed =
        |key: &str, names: fn(&Map<String, Value>) -> Option<Vec<&str>>| match r.detail.get(key) {
            Some(Value::Array(entries)) => entries
                .iter()
                .filter_map(Value::as_object)
                .filter_map(names)
                .collect(),
            _ => Vec::new(),
        };
    match r.kind {
        RecordKind::Measure => listed("mentions", unit_names),
        RecordKind::Passage => listed("figures", places),
        RecordKind::Unit => unit_names(&r.detail).into_iter().collect(),
        _ => Vec::new(),
    }
}
