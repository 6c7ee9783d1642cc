//! The child records an index document carries, as a multi-valued fast
//! field. Some records are not index documents of their own but are made
//! from their parent when read ([`crate::record::children`]): a passage's
//! figures, its measure and the measure's unit mentions. Search counts and
//! filters them through this field, which holds, for child `i` of kind `k`
//! of a document, `(tag(k) << 56) | (i << 32) | key` for each name it can be
//! filtered by — a figure's places, a measure's or a mention's unit names. A
//! credit, byline or issuer unit record carries its own mention the same
//! way, so unit mentions are counted alike.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::record::RecordKind;

/// Name of the fast field.
pub const FIELD: &str = "child_keys";

/// Bits of a value that hold a name's key; the bits above hold the child's
/// number, and the top [`TAG_SHIFT`] bits its kind.
const KEY_BITS: u32 = 32;

/// Where a value's kind tag starts: the child's number has the 24 bits between.
const TAG_SHIFT: u32 = 56;

const KEY_MASK: u64 = (1 << KEY_BITS) - 1;

/// The key a child with no names carries, so that it is counted.
const NO_NAME: u64 = 0;

/// A name's 32-bit key (FNV-1a, never [`NO_NAME`]): stable across builds,
/// so indexes keep working when govkb is rebuilt.
pub fn name_key(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    ((h ^ (h >> KEY_BITS)) & KEY_MASK).max(1)
}

/// The tag of a child kind: its place in [`RecordKind::ALL`].
fn tag(kind: RecordKind) -> u64 {
    RecordKind::ALL.iter().position(|&k| k == kind).unwrap_or(0) as u64
}

/// The fast-field values of a document whose children of each kind have
/// these names, in order.
pub fn values(children: &[(RecordKind, Vec<Vec<&str>>)]) -> Vec<u64> {
    let mut out = Vec::new();
    for (kind, named) in children {
        for (i, names) in named.iter().enumerate() {
            let group = tag(*kind) << TAG_SHIFT | (i as u64) << KEY_BITS;
            let start = out.len();
            for name in names {
                let v = group | name_key(name);
                if !out[start..].contains(&v) {
                    out.push(v);
                }
            }
            if out.len() == start {
                out.push(group | NO_NAME);
            }
        }
    }
    out
}

/// A filter on children: each inner list is one condition, met by a child
/// carrying any of its keys; a child counts when it meets every condition.
pub type ChildFilter = [Vec<u64>];

/// How many of the children of `kind` in `values` pass `filter`.
pub fn count_passing(values: &[u64], kind: RecordKind, filter: &ChildFilter) -> usize {
    let tag = tag(kind);
    let mut groups: Vec<u64> = values
        .iter()
        .filter(|&&v| v >> TAG_SHIFT == tag)
        .map(|v| v >> KEY_BITS)
        .collect();
    groups.sort_unstable();
    groups.dedup();
    groups
        .into_iter()
        .filter(|&g| {
            filter.iter().all(|any| {
                values
                    .iter()
                    .any(|&v| v >> KEY_BITS == g && any.contains(&(v & KEY_MASK)))
            })
        })
        .count()
}

/// The child values of each segment's documents.
pub struct ChildColumns(Vec<Column<u64>>);

impl ChildColumns {
    /// Open the field in every segment of `segments`.
    pub fn open(segments: &[SegmentReader]) -> tantivy::Result<ChildColumns> {
        segments
            .iter()
            .map(|s| s.fast_fields().u64(FIELD))
            .collect::<tantivy::Result<_>>()
            .map(ChildColumns)
    }

    /// Children of `kind` of document `doc` of segment `segment` passing `filter`.
    pub fn count(
        &self,
        segment: usize,
        doc: DocId,
        kind: RecordKind,
        filter: &ChildFilter,
    ) -> usize {
        let values: Vec<u64> = self.0[segment].values_for_doc(doc).collect();
        count_passing(&values, kind, filter)
    }
}

/// Collector of the number of children of one kind the matching documents
/// hold that pass its filter.
pub struct ChildCount {
    /// The kind of the children counted.
    pub kind: RecordKind,
    /// The filter every counted child passes ([`ChildFilter`]).
    pub filter: Vec<Vec<u64>>,
}

/// [`ChildCount`] in one segment.
pub struct SegmentChildCount {
    column: Column<u64>,
    kind: RecordKind,
    filter: Vec<Vec<u64>>,
    total: usize,
    values: Vec<u64>,
}

impl Collector for ChildCount {
    type Fruit = usize;
    type Child = SegmentChildCount;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentChildCount> {
        Ok(SegmentChildCount {
            column: reader.fast_fields().u64(FIELD)?,
            kind: self.kind,
            filter: self.filter.clone(),
            total: 0,
            values: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, counts: Vec<usize>) -> tantivy::Result<usize> {
        Ok(counts.into_iter().sum())
    }
}

impl SegmentCollector for SegmentChildCount {
    type Fruit = usize;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.values.clear();
        self.values.extend(self.column.values_for_doc(doc));
        self.total += count_passing(&self.values, self.kind, &self.filter);
    }

    fn harvest(self) -> usize {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_are_counted_by_kind_and_the_names_they_carry() {
        let unit = RecordKind::Unit;
        let v = values(&[
            (RecordKind::Figure, vec![vec!["海口市"], vec![]]),
            (
                unit,
                vec![
                    vec!["区人社局", "海口市美兰区人力资源和社会保障局"],
                    vec!["区财政局", "海口市美兰区财政局"],
                    vec!["各镇", "各镇"],
                    vec!["区人社局", "海口市美兰区人力资源和社会保障局"],
                    vec![],
                ],
            ),
        ]);
        assert_eq!(
            v.len(),
            10,
            "a repeated name is kept once, a nameless child once"
        );
        assert_eq!(count_passing(&v, unit, &[]), 5);
        assert_eq!(count_passing(&v, RecordKind::Figure, &[]), 2);
        assert_eq!(count_passing(&v, RecordKind::Measure, &[]), 0);
        let rsj = name_key("区人社局");
        let rsj_full = name_key("海口市美兰区人力资源和社会保障局");
        assert_eq!(count_passing(&v, unit, &[vec![rsj]]), 2);
        assert_eq!(count_passing(&v, unit, &[vec![rsj_full]]), 2);
        assert_eq!(count_passing(&v, unit, &[vec![rsj], vec![rsj_full]]), 2);
        let gz = name_key("各镇");
        assert_eq!(count_passing(&v, unit, &[vec![gz]]), 1);
        assert_eq!(
            count_passing(&v, unit, &[vec![rsj, gz]]),
            3,
            "any key of a condition"
        );
        assert_eq!(
            count_passing(&v, unit, &[vec![rsj], vec![gz]]),
            0,
            "every condition"
        );
        assert_eq!(count_passing(&v, unit, &[vec![name_key("区发改委")]]), 0);
        let haikou = name_key("海口市");
        assert_eq!(count_passing(&v, RecordKind::Figure, &[vec![haikou]]), 1);
        assert_eq!(
            count_passing(&v, unit, &[vec![haikou]]),
            0,
            "a name counts for the children of its own kind only"
        );
        assert_eq!(count_passing(&[], unit, &[]), 0);
    }

    #[test]
    fn name_keys_fit_their_bits_and_differ() {
        let a = name_key("区人社局");
        assert!(a <= KEY_MASK && a != NO_NAME);
        assert_ne!(a, name_key("区财政局"));
        assert_eq!(a, name_key("区人社局"));
        assert_ne!(name_key(""), NO_NAME);
    }
}
