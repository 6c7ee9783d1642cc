//! Facet counts for filter menus: how many of the records a request matches
//! fall under each document type, year, region and unit.
//!
//! Counting walks the postings of the (untokenised) filter fields and keeps
//! the documents of the query's hit set. A parent found in a search of child
//! records counts once for each of its children
//! ([`crate::index::children`]): a passage for each of its figures, for
//! its measure, or for each unit its measure names.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use serde::Serialize;
use tantivy::collector::DocSetCollector;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, DocSet, Searcher, TERMINATED};

use super::children::Wanted;
use super::query::Strictness;
use super::syntax::parse;
use super::{KnowledgeBase, SearchRequest};
use crate::error::{Error, Result};
use crate::extract::units::{jurisdiction_of, resolve_unit};
use crate::index::children::{name_key, ChildColumns};
use crate::record::children::is_child_kind;
use crate::record::RecordKind;

/// Most values reported per facet (the most frequent ones).
pub const MAX_FACET_VALUES: usize = 50;

/// One value of a facet and how many matching records have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    /// The value, as the matching filter accepts it (`bulletin`, `2023`, `琼中黎族苗族自治县`).
    pub value: String,
    /// Matching records with this value.
    pub count: usize,
}

/// Facet counts of a request.
#[derive(Debug, Clone, Serialize)]
pub struct Facets {
    /// The query as given.
    pub query: String,
    /// Number of matching records, as `search` counts `total`.
    pub total: usize,
    /// Time taken in milliseconds.
    pub took_ms: f64,
    /// By document type, most frequent first.
    pub doc_type: Vec<FacetCount>,
    /// By year of the document, newest first.
    pub year: Vec<FacetCount>,
    /// By place (every level of each record's places), most frequent first.
    pub region: Vec<FacetCount>,
    /// By unit, most frequent first; a short name (`区人社局`) is folded into
    /// its full name when both name the same records.
    pub unit: Vec<FacetCount>,
}

/// Per term: matching records and an order-free signature of which ones.
type TermCounts = HashMap<String, (usize, u64)>;

impl KnowledgeBase {
    /// Count the records `req` matches by document type, year, region and
    /// unit. The filters of `req` apply; the records counted are those
    /// `search` counts in `total`: those matching every word.
    pub fn facets(&self, req: &SearchRequest) -> Result<Facets> {
        let started = Instant::now();
        let parsed = parse(&req.query)?;
        let searcher = self.reader.searcher();
        let q = self
            .matching(&parsed, req, Strictness::All)
            .ok_or_else(|| {
                Error::Input(format!("query `{}` has no searchable words", req.query))
            })?;
        let docs = searcher.search(&q, &DocSetCollector)?;
        let f = &self.fields;
        // A parent counts for each of its children the filters pass.
        let children = is_child_kind(req.kind)
            .then(|| ChildColumns::open(searcher.segment_readers()))
            .transpose()?;
        let filter = Wanted::of(req, &parsed.parts).keys();
        let hits = hit_weights(&searcher, &docs, |seg, doc| match &children {
            Some(c) => c.count(seg, doc, req.kind, &filter) as u32,
            None => 1,
        });
        let weight = |seg: usize, doc: DocId, _: &str| hits[seg][doc as usize];
        // A facet of names the children carry (a mention's unit, a figure's
        // places) counts, per name, the children carrying it.
        let naming = |seg: usize, doc: DocId, name: &str| match &children {
            Some(c) => {
                let mut with_name = filter.clone();
                with_name.push(vec![name_key(name)]);
                c.count(seg, doc, req.kind, &with_name) as u32
            }
            None => hits[seg][doc as usize],
        };
        let region_field = f.region_of(req.kind);
        let region = if req.kind == RecordKind::Figure {
            count_terms(&searcher, &hits, region_field, naming)?
        } else {
            count_terms(&searcher, &hits, region_field, weight)?
        };
        let mut unit = TermCounts::new();
        for group in f.searched(req.kind) {
            for (name, (n, signature)) in count_terms(&searcher, &hits, group.unit_key, naming)? {
                let e = unit.entry(name).or_default();
                e.0 += n;
                e.1 = e.1.wrapping_add(signature);
            }
        }
        Ok(Facets {
            query: req.query.clone(),
            total: hits.iter().flatten().map(|&w| w as usize).sum(),
            doc_type: top(count_terms(&searcher, &hits, f.doc_type, weight)?, by_count),
            year: top(count_years(&searcher, &hits)?, |a, b| b.value.cmp(&a.value)),
            region: top(region, by_count),
            unit: top(fold_unit_aliases(unit), by_count),
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
        })
    }
}

/// For each segment, how much each of its documents counts: 0 when it is
/// not a hit, else `weight(segment, doc)`.
fn hit_weights(
    searcher: &Searcher,
    docs: &HashSet<DocAddress>,
    weight: impl Fn(usize, DocId) -> u32,
) -> Vec<Vec<u32>> {
    let mut weights: Vec<Vec<u32>> = searcher
        .segment_readers()
        .iter()
        .map(|s| vec![0; s.max_doc() as usize])
        .collect();
    for d in docs {
        weights[d.segment_ord as usize][d.doc_id as usize] =
            weight(d.segment_ord as usize, d.doc_id);
    }
    weights
}

/// A well-mixed hash of one document address (splitmix64), summed into signatures.
fn mix(segment: usize, doc: u32) -> u64 {
    let mut z = ((segment as u64) << 32 | doc as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Hits per term of an untokenised field, each hit counting
/// `weight(segment, doc, term)`.
fn count_terms(
    searcher: &Searcher,
    hits: &[Vec<u32>],
    field: Field,
    weight: impl Fn(usize, DocId, &str) -> u32,
) -> Result<TermCounts> {
    let mut out = TermCounts::new();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let hit = &hits[ord];
        if hit.iter().all(|&w| w == 0) {
            continue;
        }
        let inverted = segment.inverted_index(field)?;
        let mut terms = inverted.terms().stream()?;
        while terms.advance() {
            let term = String::from_utf8_lossy(terms.key());
            let mut postings =
                inverted.read_postings_from_terminfo(terms.value(), IndexRecordOption::Basic)?;
            let (mut n, mut signature) = (0, 0u64);
            let mut doc = postings.doc();
            while doc != TERMINATED {
                if hit[doc as usize] > 0 {
                    let w = weight(ord, doc, &term) as usize;
                    if w > 0 {
                        n += w;
                        signature = signature.wrapping_add(mix(ord, doc));
                    }
                }
                doc = postings.advance();
            }
            if n > 0 {
                let e = out.entry(term.into_owned()).or_default();
                e.0 += n;
                e.1 = e.1.wrapping_add(signature);
            }
        }
    }
    Ok(out)
}

/// Hits per document year.
fn count_years(searcher: &Searcher, hits: &[Vec<u32>]) -> Result<TermCounts> {
    let mut out = TermCounts::new();
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let hit = &hits[ord];
        if hit.iter().all(|&w| w == 0) {
            continue;
        }
        let years = segment.fast_fields().u64("year")?;
        for (doc, &w) in hit.iter().enumerate().filter(|(_, &w)| w > 0) {
            if let Some(y) = years.first(doc as u32) {
                out.entry(y.to_string()).or_default().0 += w as usize;
            }
        }
    }
    Ok(out)
}

/// Drop a short unit name when its full form is another counted name with
/// exactly the same hits (records carry both names for the unit filter).
fn fold_unit_aliases(counts: TermCounts) -> TermCounts {
    let mut groups: HashMap<(usize, u64), Vec<&str>> = HashMap::new();
    for (name, &key) in &counts {
        groups.entry(key).or_default().push(name);
    }
    let aliases: HashSet<String> = groups
        .values()
        .filter(|names| names.len() > 1)
        .flat_map(|names| {
            names.iter().filter(move |&&short| {
                names
                    .iter()
                    .any(|&full| full != short && is_short_form(short, full))
            })
        })
        .map(|s| s.to_string())
        .collect();
    counts
        .into_iter()
        .filter(|(name, _)| !aliases.contains(name))
        .collect()
}

/// `short` is `full` without its place: resolving it in `full`'s jurisdiction
/// gives `full` (`区人社局`), or `full` is that place and `short` (`乡村振兴局`).
fn is_short_form(short: &str, full: &str) -> bool {
    let place = jurisdiction_of(full);
    resolve_unit(short, &place) == full
        || (!place.is_empty()
            && full
                .strip_prefix("中共")
                .unwrap_or(full)
                .strip_suffix(short)
                == Some(place.as_str()))
}

fn by_count(a: &FacetCount, b: &FacetCount) -> std::cmp::Ordering {
    b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value))
}

/// The first [`MAX_FACET_VALUES`] values in `order`.
fn top(
    counts: TermCounts,
    order: impl FnMut(&FacetCount, &FacetCount) -> std::cmp::Ordering,
) -> Vec<FacetCount> {
    let mut v: Vec<FacetCount> = counts
        .into_iter()
        .map(|(value, (count, _))| FacetCount { value, count })
        .collect();
    v.sort_by(order);
    v.truncate(MAX_FACET_VALUES);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_unit_names_fold_into_their_full_name_only_with_the_same_hits() {
        let counts: TermCounts = [
            ("区人社局", (3, 7)),
            ("海口市美兰区人力资源和社会保障局", (3, 7)),
            ("区委宣传部", (2, 9)),
            ("中共海口市美兰区委宣传部", (1, 4)),
            ("海口市医疗保障局", (4, 11)),
            ("海口市乡村振兴局", (5, 12)),
            ("乡村振兴局", (5, 12)),
            ("市委组织部", (6, 13)),
            ("中共三亚市委组织部", (6, 13)),
            ("各镇", (6, 13)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let mut names: Vec<String> = fold_unit_aliases(counts).into_keys().collect();
        names.sort();
        assert_eq!(
            names,
            [
                "中共三亚市委组织部",
                "中共海口市美兰区委宣传部",
                "区委宣传部",
                "各镇",
                "海口市乡村振兴局",
                "海口市医疗保障局",
                "海口市美兰区人力资源和社会保障局"
            ]
        );
    }

    #[test]
    fn top_sorts_and_truncates() {
        let counts: TermCounts = (0..MAX_FACET_VALUES + 5)
            .map(|i| (format!("v{i:03}"), (i % 7, 0)))
            .collect();
        let t = top(counts, by_count);
        assert_eq!(t.len(), MAX_FACET_VALUES);
        assert!(t.windows(2).all(|w| by_count(&w[0], &w[1]).is_le()));
    }
}
