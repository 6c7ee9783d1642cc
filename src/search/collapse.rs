//! Near-duplicate collapsing: a passage, article or case reprinted in
//! another document is shown once, at its best-ranked copy, which lists the
//! others under `also_in`. Before it, a per-article limit, when asked for,
//! crowds out each article's candidates past the first few ([`arrange`]).
//!
//! Candidates are taken in rank order. A candidate is a copy of the first
//! earlier *kept* candidate whose fingerprint
//! ([`crate::record::near_dup`]) is a near-duplicate of its own and which
//! comes from a different document; otherwise it is kept. (A search ranks
//! one record kind, so copies are of the hit's kind.) Whether a candidate is
//! kept depends only on the candidates ranked before it, so collapsing the
//! top N candidates gives a prefix of collapsing the top N + M: pages cut
//! from the kept candidates agree with each other, and a copy never
//! reappears on a later page. Fingerprints and document keys are read from
//! fast fields ([`read_keys`]): no stored record is loaded but the page's
//! hits and their copies.
//!
//! Past [`LINEAR`] kept candidates, they are found through a table keyed by
//! [`BLOCKS`] disjoint bit blocks of their fingerprints: two fingerprints at
//! most `MAX_DISTANCE` bits apart differ in at most one bit of at least one
//! block, so looking a fingerprint's blocks up as they are and with each bit
//! flipped finds all its near-duplicates, and a deep page (10,000 candidates)
//! does not compare every candidate with every kept one.

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::schema::Field;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use crate::error::Result;
use crate::index::schema::Fields;
use crate::record::near_dup::{near_duplicate, MAX_DISTANCE};
use crate::record::Record;

/// One other document a hit's text also appears in (read straight from the
/// stored record: its fields have the record's names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlsoIn {
    /// The copy's record id.
    pub id: String,
    /// Its source file relative to the corpus.
    pub file: String,
    /// Its document's title.
    pub doc_title: String,
    /// Its document's issue (期号), when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issue: Option<String>,
    /// Its article's title.
    pub article_title: Option<String>,
}

impl AlsoIn {
    /// Where a collapsed copy comes from.
    pub fn of(r: &Record) -> AlsoIn {
        AlsoIn {
            id: r.id.clone(),
            file: r.file.clone(),
            doc_title: r.doc_title.clone(),
            issue: r.issue.clone(),
            article_title: r.article_title.clone(),
        }
    }
}

/// The fast-field keys of ranked candidates, one entry per candidate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Keys {
    /// Near-duplicate fingerprints (`None`: never collapsed).
    pub fps: Vec<Option<u64>>,
    /// Document keys ([`crate::record::near_dup::id_key`]; 0 without a fingerprint).
    pub docs: Vec<u64>,
    /// Article keys: of the article, or of the document outside any
    /// article (empty unless read for a per-article limit).
    pub articles: Vec<u64>,
}

/// The [`Keys`] of ranked records, from fast fields; their article keys
/// only `with_articles` (for a per-article limit).
pub fn read_keys(
    searcher: &Searcher,
    fields: &Fields,
    ranked: &[(f32, DocAddress)],
    with_articles: bool,
) -> Result<Keys> {
    let schema = searcher.schema();
    let names =
        [fields.near_dup, fields.doc_key, fields.article_key].map(|f| schema.get_field_name(f));
    let mut columns: Vec<Option<[Column<u64>; 3]>> = vec![None; searcher.segment_readers().len()];
    let mut keys = Keys::default();
    for &(_, a) in ranked {
        let column = &mut columns[a.segment_ord as usize];
        if column.is_none() {
            let fast = searcher.segment_reader(a.segment_ord).fast_fields();
            *column = Some([
                fast.u64(names[0])?,
                fast.u64(names[1])?,
                fast.u64(names[2])?,
            ]);
        }
        let [fp, doc, article] = column.as_ref().expect("opened above");
        let fp = fp.first(a.doc_id);
        keys.fps.push(fp);
        keys.docs
            .push(fp.and_then(|_| doc.first(a.doc_id)).unwrap_or_default());
        if with_articles {
            keys.articles
                .push(article.first(a.doc_id).unwrap_or_default());
        }
    }
    Ok(keys)
}

/// Counts the matches of a query in each of the `wanted` articles (keys as
/// in [`Keys::articles`]).
pub struct ArticleCounts {
    /// The article-key fast field.
    pub field: Field,
    /// The article keys to count matches of.
    pub wanted: FxHashSet<u64>,
}

/// [`ArticleCounts`] in one segment.
pub struct SegmentArticleCounts {
    column: Column<u64>,
    wanted: FxHashSet<u64>,
    counts: FxHashMap<u64, usize>,
}

impl Collector for ArticleCounts {
    type Fruit = FxHashMap<u64, usize>;
    type Child = SegmentArticleCounts;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentArticleCounts> {
        Ok(SegmentArticleCounts {
            column: reader
                .fast_fields()
                .u64(reader.schema().get_field_name(self.field))?,
            wanted: self.wanted.clone(),
            counts: FxHashMap::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        segments: Vec<FxHashMap<u64, usize>>,
    ) -> tantivy::Result<FxHashMap<u64, usize>> {
        let mut all = FxHashMap::default();
        for (article, n) in segments.into_iter().flatten() {
            *all.entry(article).or_default() += n;
        }
        Ok(all)
    }
}

impl SegmentCollector for SegmentArticleCounts {
    type Fruit = FxHashMap<u64, usize>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(article) = self.column.first(doc).filter(|a| self.wanted.contains(a)) {
            *self.counts.entry(article).or_default() += 1;
        }
    }

    fn harvest(self) -> FxHashMap<u64, usize> {
        self.counts
    }
}

/// What becomes of a ranked candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// A hit of its own.
    Shown,
    /// A near-duplicate listed under the hit of the candidate at this rank.
    CopyOf(usize),
    /// Past the per-article limit: counted in the `more_in_article` of its
    /// article's hits.
    Crowded,
}

/// Arrange ranked candidates: with `per_article`, each article's candidates
/// past the first `per_article` are crowded out; the rest are collapsed
/// ([`collapse`]). Whether a candidate is shown depends only on the
/// candidates ranked before it, so pages cut from a longer ranking agree with
/// those of a shorter one.
pub fn arrange(keys: &Keys, per_article: Option<usize>) -> Vec<Slot> {
    let copy_or_shown = |copy_of: Option<usize>| copy_of.map_or(Slot::Shown, Slot::CopyOf);
    let Some(max) = per_article else {
        return collapse(&keys.fps, &keys.docs)
            .into_iter()
            .map(copy_or_shown)
            .collect();
    };
    debug_assert_eq!(keys.articles.len(), keys.fps.len(), "article keys not read");
    let crowded = crowd(&keys.articles, max);
    let fps: Vec<Option<u64>> = keys
        .fps
        .iter()
        .zip(&crowded)
        .map(|(&fp, &out)| fp.filter(|_| !out))
        .collect();
    collapse(&fps, &keys.docs)
        .into_iter()
        .zip(crowded)
        .map(|(copy_of, out)| {
            if out {
                Slot::Crowded
            } else {
                copy_or_shown(copy_of)
            }
        })
        .collect()
}

/// Which candidates, in rank order, come after `max` others of their article.
fn crowd(articles: &[u64], max: usize) -> Vec<bool> {
    let mut seen: FxHashMap<u64, usize> = FxHashMap::default();
    articles
        .iter()
        .map(|a| {
            let n = seen.entry(*a).or_default();
            *n += 1;
            *n > max
        })
        .collect()
}

/// Kept candidates compared one by one; past this many, through the block table.
const LINEAR: usize = 64;

/// Blocks of the 63 fingerprint bits: with `MAX_DISTANCE / 2 + 1` of them,
/// near-duplicates differ by at most one bit in one block at least.
const BLOCKS: usize = MAX_DISTANCE as usize / 2 + 1;

/// Bit range `[start, end)` of block `b`.
fn block(b: usize) -> (usize, usize) {
    (b * 63 / BLOCKS, (b + 1) * 63 / BLOCKS)
}

/// Table slots per block (for the widest block).
const SLOTS: usize = 1 << (63 / BLOCKS + 1);

/// Table slot of a fingerprint's block `b`.
fn slot(b: usize, fp: u64) -> usize {
    let (start, end) = block(b);
    b * SLOTS + ((fp >> start) & ((1 << (end - start)) - 1)) as usize
}

/// Table slots of block `b` of fingerprints at most one bit of that block
/// away from `fp`.
fn probes(b: usize, fp: u64) -> impl Iterator<Item = usize> {
    let (start, end) = block(b);
    std::iter::once(slot(b, fp)).chain((start..end).map(move |bit| slot(b, fp ^ 1 << bit)))
}

/// Kept candidates filed under each block of their fingerprints: per table
/// slot, the (fingerprint, candidate) pairs, side by side for a fast scan.
struct Table {
    slots: Vec<Vec<(u64, u32)>>,
}

impl Table {
    fn new() -> Table {
        Table {
            slots: vec![Vec::new(); BLOCKS * SLOTS],
        }
    }

    /// File candidate `i` with fingerprint `fp`.
    fn insert(&mut self, i: usize, fp: u64) {
        for b in 0..BLOCKS {
            self.slots[slot(b, fp)].push((fp, i as u32));
        }
    }

    /// Add the filed candidates near `fp` to `out` (unsorted, repeats possible).
    fn near(&self, fp: u64, out: &mut Vec<usize>) {
        for b in 0..BLOCKS {
            for s in probes(b, fp) {
                out.extend(
                    self.slots[s]
                        .iter()
                        .filter(|e| near_duplicate(fp, e.0))
                        .map(|e| e.1 as usize),
                );
            }
        }
    }
}

/// Collapse ranked candidates with fingerprints `fps` (`None`: never
/// collapsed) from documents `docs` (keys: equal for one document). Returns,
/// per candidate, `None` when it is kept or the index of the kept candidate
/// it is a copy of.
fn collapse(fps: &[Option<u64>], docs: &[u64]) -> Vec<Option<usize>> {
    let mut out = vec![None; fps.len()];
    // Kept candidates with their fingerprints, and once there are more than
    // LINEAR of them, the table to find them by.
    let mut kept: Vec<(usize, u64)> = Vec::new();
    let mut table: Option<Table> = None;
    let mut near: Vec<usize> = Vec::new();
    for (i, fp) in fps.iter().enumerate() {
        let Some(fp) = *fp else { continue };
        near.clear();
        match &table {
            None => near.extend(kept.iter().filter(|k| near_duplicate(fp, k.1)).map(|k| k.0)),
            Some(t) => {
                t.near(fp, &mut near);
                near.sort_unstable();
                near.dedup();
            }
        }
        if let Some(&j) = near.iter().find(|&&j| docs[j] != docs[i]) {
            out[i] = Some(j);
            continue;
        }
        kept.push((i, fp));
        match &mut table {
            Some(t) => t.insert(i, fp),
            None if kept.len() > LINEAR => {
                let mut t = Table::new();
                for &(j, fp) in &kept {
                    t.insert(j, fp);
                }
                table = Some(t);
            }
            None => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::near_dup::fingerprint;

    /// The obvious quadratic rule, to check the block index against.
    fn reference(fps: &[Option<u64>], docs: &[u64]) -> Vec<Option<usize>> {
        let mut out: Vec<Option<usize>> = vec![None; fps.len()];
        for i in 0..fps.len() {
            out[i] = (0..i).find(|&j| {
                out[j].is_none()
                    && docs[i] != docs[j]
                    && matches!((fps[i], fps[j]), (Some(a), Some(b)) if near_duplicate(a, b))
            });
        }
        out
    }

    fn run(fps: &[Option<u64>], docs: &[u64]) -> Vec<Option<usize>> {
        collapse(fps, docs)
    }

    const A: &str = "琼中县开展积分制实践扩面增效专项行动，制定10大类29个考核指标，在全县10个乡镇26个行政村开展试点工作，依托数字乡村平台对农户日常行为和综合表现量化打分，引导广大农户摒弃不良习惯，规范村民日常行为。";
    const B: &str = "二是开发农户积分制管理模块，提升智慧治理效能。将乡村治理各项事务转化为量化指标，细化分解成为家庭类、人才兴旺、村庄建设、美德类四大类共63项积分小项，由各村小组根据村民日常行为或农户自主申报酌情增减积分。";

    #[test]
    fn copies_join_the_best_ranked_hit_of_another_document() {
        let a = fingerprint(A);
        let a_edited = fingerprint(&A.replace("29个", "30个"));
        let b = fingerprint(B);
        // Ranked: A (doc 1), B (doc 1), A edited (doc 2), A again in doc 1,
        // a figure without fingerprint (doc 3), A (doc 3).
        let fps = [a, b, a_edited, a, None, a];
        let docs = [1, 1, 2, 1, 3, 3];
        let slots = run(&fps, &docs);
        assert_eq!(slots, vec![None, None, Some(0), None, None, Some(0)]);
        assert_eq!(slots, reference(&fps, &docs));
    }

    #[test]
    fn a_copy_in_the_same_document_stays_a_hit() {
        let a = fingerprint(A);
        // Doc 1 holds A twice; doc 2's copy collapses into the first.
        assert_eq!(run(&[a, a, a], &[1, 1, 2]), vec![None, None, Some(0)]);
        // A copy is never the target: doc 2's second copy also goes to the first hit.
        assert_eq!(
            run(&[a, a, a, a], &[1, 2, 1, 2]),
            vec![None, Some(0), None, Some(0)]
        );
    }

    #[test]
    fn short_texts_collapse_only_when_identical() {
        let fps = [
            fingerprint("主要做法有："),
            fingerprint("主要做法有"),
            fingerprint("主要做法是："),
        ];
        assert_eq!(run(&fps, &[1, 2, 3]), vec![None, Some(0), None]);
    }

    #[test]
    fn prefixes_collapse_alike() {
        let a = fingerprint(A);
        let b = fingerprint(B);
        let fps = [a, b, a, b, a, None, b, a];
        let docs = [1, 2, 3, 4, 1, 5, 2, 6];
        let whole = run(&fps, &docs);
        for n in 0..fps.len() {
            assert_eq!(run(&fps[..n], &docs[..n]), whole[..n]);
        }
    }

    #[test]
    fn block_index_agrees_with_pairwise_comparison() {
        // Random fingerprints with planted near-duplicates (a few bits
        // flipped) and short exact hashes, over a few documents.
        let mut state = 0x1234_5678_9abc_def0_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut fps = Vec::new();
        let mut docs = Vec::new();
        let mut bases: Vec<u64> = Vec::new();
        for _ in 0..600 {
            let r = next();
            let fp = match r % 5 {
                0 if !bases.is_empty() => {
                    let mut fp = bases[(r >> 8) as usize % bases.len()];
                    for _ in 0..(r >> 20) % 14 {
                        fp ^= 1 << (next() % 63);
                    }
                    Some(fp)
                }
                1 => Some(r % 4),
                2 => None,
                _ => {
                    let fp = next() | 1 << 63;
                    bases.push(fp);
                    Some(fp)
                }
            };
            fps.push(fp);
            docs.push(next() % 4);
        }
        let slots = run(&fps, &docs);
        assert_eq!(slots, reference(&fps, &docs));
        assert!(slots.iter().filter(|s| s.is_some()).count() > 50);
        assert!(slots.iter().filter(|s| s.is_none()).count() > 2 * LINEAR);
    }

    fn keys(fps: &[Option<u64>], docs: &[u64], articles: &[u64]) -> Keys {
        Keys {
            fps: fps.to_vec(),
            docs: docs.to_vec(),
            articles: articles.to_vec(),
        }
    }

    #[test]
    fn a_per_article_limit_crowds_out_later_candidates_of_an_article() {
        use Slot::*;
        let a = fingerprint(A);
        let b = fingerprint(B);
        // Ranked: three of article 10 (doc 1), one of article 20 (doc 2),
        // another of article 10, one without fingerprint of article 20.
        let k = keys(
            &[a, b, None, None, b, None],
            &[1, 1, 1, 2, 1, 2],
            &[10, 10, 10, 20, 10, 20],
        );
        assert_eq!(arrange(&k, None), vec![Shown; 6]);
        assert_eq!(
            arrange(&k, Some(1)),
            vec![Shown, Crowded, Crowded, Shown, Crowded, Crowded]
        );
        assert_eq!(
            arrange(&k, Some(2)),
            vec![Shown, Shown, Crowded, Shown, Crowded, Shown]
        );
    }

    #[test]
    fn a_crowded_candidate_takes_no_copies() {
        use Slot::*;
        let a = fingerprint(A);
        // A twice in article 10, then its copy in another document.
        let k = keys(&[a, a, a], &[1, 1, 2], &[10, 10, 30]);
        assert_eq!(arrange(&k, None), vec![Shown, Shown, CopyOf(0)]);
        assert_eq!(arrange(&k, Some(1)), vec![Shown, Crowded, CopyOf(0)]);
        // The copy counts in its own article: with article 30's quota
        // taken by it, the next of article 30 is crowded out.
        let k = keys(&[a, a, None], &[1, 2, 2], &[10, 30, 30]);
        assert_eq!(arrange(&k, Some(1)), vec![Shown, CopyOf(0), Crowded]);
    }

    #[test]
    fn arranging_a_prefix_gives_a_prefix() {
        let a = fingerprint(A);
        let b = fingerprint(B);
        let fps = [a, b, a, None, b, a, None, b];
        let docs = [1, 1, 2, 2, 3, 1, 3, 2];
        let articles = [10, 11, 20, 20, 30, 10, 30, 20];
        for per_article in [None, Some(1), Some(2)] {
            let whole = arrange(&keys(&fps, &docs, &articles), per_article);
            for n in 0..fps.len() {
                let part = arrange(&keys(&fps[..n], &docs[..n], &articles[..n]), per_article);
                assert_eq!(part, whole[..n]);
            }
        }
    }

    #[test]
    fn also_in_serialises_without_a_missing_issue() {
        let r: Record = serde_json::from_value(serde_json::json!({
            "id": "d#p1", "kind": "passage", "file": "d.txt", "doc_id": "d",
            "doc_title": "某县工作简报", "doc_type": "bulletin", "date": null,
            "issue": null, "article_id": null, "article_title": null,
            "section_path": [], "units": [], "locality": null,
            "span": {"start": 0, "end": 1}, "text": "x",
        }))
        .unwrap();
        let v = serde_json::to_value(AlsoIn::of(&r)).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"id": "d#p1", "file": "d.txt", "doc_title": "某县工作简报", "article_title": null})
        );
    }
}
