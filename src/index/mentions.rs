//! The unit mentions a record carries, as a multi-valued fast field. A
//! measure carries one mention per unit it names and a credit, byline or
//! issuer unit record carries its own; the unit records of a measure are not
//! in the index (see [`crate::record::extracted::unit_mentions`]), so search
//! counts and filters mentions through this field: mention `i` of a record is
//! stored as `(i << 48) | key(name)` for its short and its full name.

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// Name of the fast field.
pub const FIELD: &str = "mention_keys";

/// Bits of a value that hold the name's key; the bits above hold the mention's number.
const KEY_BITS: u32 = 48;

const KEY_MASK: u64 = (1 << KEY_BITS) - 1;

/// A unit name's 48-bit key (FNV-1a): stable across builds, so indexes keep
/// working when govkb is rebuilt.
pub fn name_key(name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    (h ^ (h >> KEY_BITS)) & KEY_MASK
}

/// The fast-field values of a record naming these units, each as (name as
/// written, full name), in order.
pub fn values<'a>(mentions: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<u64> {
    let mut out = Vec::new();
    for (i, (unit, full)) in mentions.into_iter().enumerate() {
        let group = (i as u64) << KEY_BITS;
        out.push(group | name_key(unit));
        if full != unit {
            out.push(group | name_key(full));
        }
    }
    out
}

/// How many of the mentions in `values` name every unit of `keys` (by short
/// or full name); with no keys, how many mentions there are.
pub fn count_naming(values: &[u64], keys: &[u64]) -> usize {
    let mut groups: Vec<u64> = values.iter().map(|v| v >> KEY_BITS).collect();
    groups.sort_unstable();
    groups.dedup();
    groups
        .into_iter()
        .filter(|&g| {
            keys.iter().all(|&k| {
                values
                    .iter()
                    .any(|&v| v >> KEY_BITS == g && v & KEY_MASK == k)
            })
        })
        .count()
}

/// The mention values of each segment's documents.
pub struct MentionColumns(Vec<Column<u64>>);

impl MentionColumns {
    /// Open the field in every segment of `segments`.
    pub fn open(segments: &[SegmentReader]) -> tantivy::Result<MentionColumns> {
        segments
            .iter()
            .map(|s| s.fast_fields().u64(FIELD))
            .collect::<tantivy::Result<_>>()
            .map(MentionColumns)
    }

    /// Mentions of document `doc` of segment `segment` naming every unit of `keys`.
    pub fn count(&self, segment: usize, doc: DocId, keys: &[u64]) -> usize {
        let values: Vec<u64> = self.0[segment].values_for_doc(doc).collect();
        count_naming(&values, keys)
    }
}

/// Collector of the number of mentions the matching documents hold that
/// name every unit of its keys.
pub struct MentionCount {
    /// Keys ([`name_key`]) every counted mention names.
    pub keys: Vec<u64>,
}

/// [`MentionCount`] in one segment.
pub struct SegmentMentionCount {
    column: Column<u64>,
    keys: Vec<u64>,
    total: usize,
    values: Vec<u64>,
}

impl Collector for MentionCount {
    type Fruit = usize;
    type Child = SegmentMentionCount;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentMentionCount> {
        Ok(SegmentMentionCount {
            column: reader.fast_fields().u64(FIELD)?,
            keys: self.keys.clone(),
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

impl SegmentCollector for SegmentMentionCount {
    type Fruit = usize;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.values.clear();
        self.values.extend(self.column.values_for_doc(doc));
        self.total += count_naming(&self.values, &self.keys);
    }

    fn harvest(self) -> usize {
        self.total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_counted_by_the_names_they_carry() {
        let v = values([
            ("区人社局", "海口市美兰区人力资源和社会保障局"),
            ("区财政局", "海口市美兰区财政局"),
            ("各镇", "各镇"),
            ("区人社局", "海口市美兰区人力资源和社会保障局"),
        ]);
        assert_eq!(v.len(), 7, "a name equal to its full name is kept once");
        assert_eq!(count_naming(&v, &[]), 4);
        let rsj = name_key("区人社局");
        let rsj_full = name_key("海口市美兰区人力资源和社会保障局");
        assert_eq!(count_naming(&v, &[rsj]), 2);
        assert_eq!(count_naming(&v, &[rsj_full]), 2);
        assert_eq!(count_naming(&v, &[rsj, rsj_full]), 2);
        assert_eq!(count_naming(&v, &[name_key("各镇")]), 1);
        assert_eq!(count_naming(&v, &[rsj, name_key("各镇")]), 0);
        assert_eq!(count_naming(&v, &[name_key("区发改委")]), 0);
        assert_eq!(count_naming(&[], &[]), 0);
    }

    #[test]
    fn name_keys_fit_their_bits_and_differ() {
        let a = name_key("区人社局");
        assert!(a <= KEY_MASK);
        assert_ne!(a, name_key("区财政局"));
        assert_eq!(a, name_key("区人社局"));
    }
}
