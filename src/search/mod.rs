//! Stage 6, search: the one query API, [`KnowledgeBase::search`], used by the
//! CLI, the HTTP server and the bulletin compiler alike.

pub mod children;
pub mod collapse;
pub mod facets;
pub mod query;
pub mod seek_union;
pub mod snippet;
pub mod synonyms;
pub mod syntax;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use jieba_rs::Jieba;
use serde::Serialize;
use tantivy::collector::{Count, DocSetCollector, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{Index, IndexReader, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::error::{Error, Result};
use crate::extract::locality::resolve_region;
use crate::index::children::ChildCount;
use crate::index::schema::Fields;
use crate::index::store::{self, Manifest};
use crate::index::tokenizer::jieba;
use crate::model::DocType;
use crate::record::children::is_child_kind;
use crate::record::near_dup::id_key;
use crate::record::{Record, RecordKind};
use children::{of_kind, Wanted};
pub use collapse::AlsoIn;
use collapse::{ArticleCounts, Slot};
use query::Strictness;
use snippet::{fold_term, snippet, Snippet};
use syntax::{parse, ParsedQuery, Part, PartOccur};

/// Number of matches and the top-ranked addresses with their scores.
type Ranked = (usize, Vec<(f32, tantivy::DocAddress)>);

/// Largest page size.
pub const MAX_LIMIT: usize = 100;

/// Fewer records than this matching every word make a search go on with
/// records matching some words. A constant, so every page of a query and its
/// facets agree on the total.
const RELAX_BELOW: usize = 10;

/// Whether a search whose every-word matches number `strict_total` also takes partial matches.
pub(crate) fn relaxes(strict_total: usize) -> bool {
    strict_total < RELAX_BELOW
}

/// Most copies a hit lists in [`Hit::also_in`]; the rest are counted in
/// [`Hit::also_in_count`]. Each listed copy is a stored record to read, and a
/// passage reprinted in every issue of a bulletin would otherwise make one
/// page read hundreds (most of a search's time on the benchmark corpus).
pub const ALSO_IN_LISTED: usize = 5;

/// Deepest offset a page may start at.
pub const MAX_OFFSET: usize = 10_000;

/// Candidates ranked past a page, so that collapsing copies seldom leaves
/// it short and makes the search rank again. At least [`RELAX_BELOW`], so a
/// relaxed search ranks every strict match before the partial ones whatever
/// the page size.
const COLLAPSE_MARGIN: usize = 2 * RELAX_BELOW;

/// How many times a page and its [`COLLAPSE_MARGIN`] the first ranking
/// takes. Ranking again scores every match again, while a deeper first
/// ranking costs only the collapse keys of the extra candidates and the
/// copies they add to `also_in`. On the 50 MB benchmark corpus, whose
/// generator reuses passages a lot, a first page ranked 30 deep ranked again
/// for 61 of its 199 queries; 60 deep, for 24, and search work fell by 7%
/// (callgrind: 5.30 G to 4.92 G instructions).
const FIRST_RANK_FACTOR: usize = 2;

/// Fewest candidates left after a page's last hit once copies are collapsed;
/// with fewer, the search ranks twice as deep.
const COLLAPSE_LOOKAHEAD: usize = COLLAPSE_MARGIN / 2;

/// A search request: query text, paging and filters.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    /// Query text.
    pub query: String,
    /// Hits per page (1..=100).
    pub limit: usize,
    /// Hits to skip.
    pub offset: usize,
    /// Record kind to search (default: passages).
    pub kind: RecordKind,
    /// Only this document type.
    pub doc_type: Option<DocType>,
    /// Only documents of this year.
    pub year: Option<u32>,
    /// Only records about this place (any level, short names accepted).
    pub region: Option<String>,
    /// Only records naming this unit (short or full name).
    pub unit: Option<String>,
    /// Only records of this document or article (its id).
    pub within: Option<String>,
    /// At most this many hits from one article (records outside any article:
    /// from one document); the rest are counted in [`Hit::more_in_article`].
    /// Not for figure, measure and unit searches.
    pub per_article: Option<usize>,
}

impl SearchRequest {
    /// A request for passages matching `query`, first page of 10.
    pub fn new(query: impl Into<String>) -> Self {
        SearchRequest {
            query: query.into(),
            limit: 10,
            offset: 0,
            kind: RecordKind::Passage,
            doc_type: None,
            year: None,
            region: None,
            unit: None,
            within: None,
            per_article: None,
        }
    }
}

/// The canonical place names a request's region filter stands for (a
/// short or ambiguous name may stand for several), or the name as given
/// when the gazetteer does not know it; `None` without a region filter.
fn region_names(req: &SearchRequest) -> Option<Vec<String>> {
    let r = req
        .region
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty())?;
    let names = resolve_region(r);
    Some(if names.is_empty() {
        vec![r.to_string()]
    } else {
        names
    })
}

/// One hit.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// The record.
    #[serde(flatten)]
    pub record: Record,
    /// BM25 score.
    pub score: f32,
    /// Snippet as HTML with `<b>` around matches.
    pub snippet: String,
    /// The hit matches only some of the query's words (see [`SearchResults::relaxed`]).
    pub partial: bool,
    /// Synonym expansions found in this hit (empty when it matched the words as typed).
    pub expansions: Vec<String>,
    /// Near-duplicates of this hit in other documents (a reprint of the
    /// passage, article or case), collapsed into it, best-ranked first; at
    /// most [`ALSO_IN_LISTED`], empty when there are none.
    pub also_in: Vec<AlsoIn>,
    /// How many copies were collapsed into this hit, listed or not.
    pub also_in_count: usize,
    /// With [`SearchRequest::per_article`], how many more records of this
    /// hit's article (or document, outside any article) match the query
    /// than the limit lets through: search `within` it to see them all.
    pub more_in_article: usize,
    /// The snippet with its marks, for terminal rendering.
    #[serde(skip)]
    pub highlight: Snippet,
}

/// A page of results.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// The query as given.
    pub query: String,
    /// Number of records matching every word (and the filters), near-duplicate
    /// copies included: the hits of all pages together can be fewer, since
    /// copies are shown only in their best-ranked hit's `also_in`.
    pub total: usize,
    /// Time taken in milliseconds.
    pub took_ms: f64,
    /// True when few records matched every word, so the results go on,
    /// after those `total`, with records matching some of the words
    /// (each such hit has `partial: true`).
    pub relaxed: bool,
    /// The hits of this page.
    pub hits: Vec<Hit>,
}

impl SearchResults {
    /// The page `hits` of a request started at `started`.
    fn page(
        req: &SearchRequest,
        started: Instant,
        total: usize,
        relaxed: bool,
        hits: Vec<Hit>,
    ) -> SearchResults {
        SearchResults {
            query: req.query.clone(),
            total,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            relaxed,
            hits,
        }
    }
}

/// An opened index: the entry point of every read.
pub struct KnowledgeBase {
    reader: IndexReader,
    fields: Fields,
    jieba: Arc<Jieba>,
    generation: PathBuf,
    manifest: Manifest,
}

impl KnowledgeBase {
    /// Open the current index generation in `dir`.
    pub fn open(dir: &Path) -> Result<KnowledgeBase> {
        let (index, generation, manifest) = store::open(dir)?;
        Self::from_index(index, generation, manifest, jieba())
    }

    /// Open for a one-shot search of `queries` (the CLI): unless this process
    /// has loaded the whole jieba dictionary already, load only the words
    /// these queries and their synonyms can need (under a ms instead of
    /// ≈100 ms); they segment exactly as with the whole dictionary. Searching
    /// any other query with it would segment that query wrongly: use [`open`](Self::open).
    pub fn open_for_queries(dir: &Path, queries: &[&str]) -> Result<KnowledgeBase> {
        let jieba = if crate::index::tokenizer::full_dictionary_loaded() {
            jieba()
        } else {
            Arc::new(Self::query_dictionary(queries))
        };
        Self::open_with_dictionary(dir, jieba)
    }

    /// The small dictionary [`open_for_queries`](Self::open_for_queries) uses.
    pub fn query_dictionary(queries: &[&str]) -> Jieba {
        let mut texts = queries.to_vec();
        for q in queries {
            texts.extend(synonyms::reachable_members(q));
        }
        crate::index::tokenizer::small_dictionary(&texts)
    }

    /// Open with a given segmentation dictionary (see [`open_for_queries`](Self::open_for_queries)).
    pub fn open_with_dictionary(dir: &Path, jieba: Arc<Jieba>) -> Result<KnowledgeBase> {
        let (index, generation, manifest) = store::open(dir)?;
        Self::from_index(index, generation, manifest, jieba)
    }

    fn from_index(
        index: Index,
        generation: PathBuf,
        manifest: Manifest,
        jieba: Arc<Jieba>,
    ) -> Result<KnowledgeBase> {
        let fields = Fields::of(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(KnowledgeBase {
            reader,
            fields,
            jieba,
            generation,
            manifest,
        })
    }

    /// The generation folder this knowledge base reads.
    pub fn generation(&self) -> &Path {
        &self.generation
    }

    /// What built the index.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// Number of records of a kind.
    pub fn count(&self, kind: RecordKind) -> Result<usize> {
        let q = self.kind_filter(kind);
        let searcher = self.reader.searcher();
        Ok(match kind {
            kind if is_child_kind(kind) => searcher.search(
                &q,
                &ChildCount {
                    kind,
                    filter: Vec::new(),
                },
            )?,
            _ => searcher.search(&q, &Count)?,
        })
    }

    /// The records of a kind; for child records, also the records that
    /// carry them ([`children`]), which are indexed under their children's
    /// kinds too: passages for figures, measures and unit mentions.
    fn kind_filter(&self, kind: RecordKind) -> Box<dyn Query> {
        self.term(self.fields.kind, kind.as_str())
    }

    fn term(&self, field: tantivy::schema::Field, value: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))
    }

    /// Filter clauses of a request. `with_text_query`: the clauses go with a
    /// text query built on the kind's own fields; for passages, whose fields
    /// no other kind has, that query already admits passages only, and the
    /// kind filter (an intersection with every passage) is left out.
    fn filters(&self, req: &SearchRequest, with_text_query: bool) -> Vec<(Occur, Box<dyn Query>)> {
        let f = &self.fields;
        let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if !(with_text_query && req.kind == RecordKind::Passage) {
            out.push((Occur::Must, self.kind_filter(req.kind)));
        }
        if let Some(t) = req.doc_type {
            out.push((Occur::Must, self.term(f.doc_type, t.as_str())));
        }
        if let Some(y) = req.year {
            out.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_u64(f.year, y as u64),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if let Some(names) = region_names(req) {
            let field = f.region_of(req.kind);
            let any = names
                .iter()
                .map(|n| (Occur::Should, self.term(field, n)))
                .collect();
            out.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        if let Some(u) = req.unit.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            let named = any_of(
                f.searched(req.kind)
                    .iter()
                    .map(|g| self.term(g.unit_key, u)),
            );
            out.push((Occur::Must, named));
        }
        if let Some(id) = req
            .within
            .as_deref()
            .map(str::trim)
            .filter(|i| !i.is_empty())
        {
            let of = [f.doc_id, f.article_id].map(|field| (Occur::Should, self.term(field, id)));
            out.push((Occur::Must, Box::new(BooleanQuery::new(of.into()))));
        }
        out
    }

    /// Run a search: the one query API. Near-duplicates from different
    /// documents (see [`collapse`]) are shown once, at the best-ranked copy,
    /// with the others in its [`Hit::also_in`]; with a per-article limit, an
    /// article's matches past it are left out and counted in its hits'
    /// [`Hit::more_in_article`]. Pages are cut from the ranking so arranged,
    /// so each hit appears on one page only.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResults> {
        let started = Instant::now();
        if req.limit == 0 || req.limit > MAX_LIMIT {
            return Err(Error::Input(format!(
                "limit must be between 1 and {MAX_LIMIT}, got {}",
                req.limit
            )));
        }
        if req.offset > MAX_OFFSET {
            return Err(Error::Input(format!(
                "offset must be at most {MAX_OFFSET}, got {}",
                req.offset
            )));
        }
        if req.per_article == Some(0) {
            return Err(Error::Input(
                "the per-article limit must be at least 1, got 0".into(),
            ));
        }
        if is_child_kind(req.kind) {
            if req.per_article.is_some() {
                return Err(Error::Input(format!(
                    "a per-article limit applies to passage, case, article and document searches, not to {} searches",
                    req.kind.as_str()
                )));
            }
            return self.search_children(req, started);
        }
        let parsed = parse(&req.query)?;
        let searcher = self.reader.searcher();
        let wanted = req.offset + req.limit;
        let mut fetch = FIRST_RANK_FACTOR * (wanted + COLLAPSE_MARGIN);
        // Rank, arrange, and rank deeper while copies and crowded candidates
        // leave the page short or too few candidates after it to find its
        // hits' copies. Arranging a longer ranking extends that of a shorter
        // one, so every page is cut from the same order.
        let (total, relaxed, ranked, slots) = loop {
            let ((total, ranked), relaxed) = self.rank(&searcher, &parsed, req, fetch, true)?;
            let keys =
                collapse::read_keys(&searcher, &self.fields, &ranked, req.per_article.is_some())?;
            let slots = collapse::arrange(&keys, req.per_article);
            let last_needed = slots
                .iter()
                .enumerate()
                .filter(|s| *s.1 == Slot::Shown)
                .nth(wanted - 1)
                .map(|s| s.0);
            let exhausted = ranked.len() < fetch;
            if exhausted || last_needed.is_some_and(|i| i + COLLAPSE_LOOKAHEAD < ranked.len()) {
                break (total, relaxed, ranked, slots);
            }
            // Rank deeper in proportion to the share of candidates shown so
            // far, with half as much again since copies thicken down the
            // ranking (2 to 16 times as deep; past every record it is
            // exhausted).
            let shown = slots.iter().filter(|s| **s == Slot::Shown).count().max(1);
            let estimate =
                ranked.len() * (wanted + COLLAPSE_LOOKAHEAD + 1) * 3 / 2 / shown + COLLAPSE_MARGIN;
            fetch = estimate
                .clamp(fetch * 2, fetch * 16)
                .min(searcher.num_docs() as usize + 1);
        };
        let terms = page_terms(&parsed.parts, &self.jieba);
        let page: Vec<usize> = (0..ranked.len())
            .filter(|&i| slots[i] == Slot::Shown)
            .skip(req.offset)
            .take(req.limit)
            .collect();
        let mut hits = Vec::with_capacity(page.len());
        for i in page {
            let (score, addr) = ranked[i];
            let record = self.load(&searcher, addr)?;
            let mut hit = self.hit(record, score, &terms);
            hit.partial = i >= total;
            let copies: Vec<usize> = (i + 1..ranked.len())
                .filter(|&k| slots[k] == Slot::CopyOf(i))
                .collect();
            hit.also_in_count = copies.len();
            hit.also_in = copies
                .into_iter()
                .take(ALSO_IN_LISTED)
                .map(|k| self.load_json(&searcher, ranked[k].1))
                .collect::<Result<_>>()?;
            hits.push(hit);
        }
        if let Some(max) = req.per_article {
            let strictness = if relaxed {
                Strictness::Any
            } else {
                Strictness::All
            };
            self.count_more_in_article(&searcher, &parsed, req, strictness, max, &mut hits)?;
        }
        Ok(SearchResults::page(req, started, total, relaxed, hits))
    }

    /// Set each hit's [`Hit::more_in_article`]: how many of its article's
    /// records (or its document's, outside any article) match a parsed query
    /// as `strictness` says past a per-article limit of `max`. The query is
    /// narrowed to the hits' articles and documents first, so the count walks
    /// their records, not every match.
    fn count_more_in_article(
        &self,
        searcher: &Searcher,
        parsed: &ParsedQuery,
        req: &SearchRequest,
        strictness: Strictness,
        max: usize,
        hits: &mut [Hit],
    ) -> Result<()> {
        let Some(matching) = self.matching(parsed, req, strictness) else {
            return Ok(());
        };
        let groups: Vec<(tantivy::schema::Field, &str)> = hits
            .iter()
            .map(|h| match &h.record.article_id {
                Some(a) => (self.fields.article_id, a.as_str()),
                None => (self.fields.doc_id, h.record.doc_id.as_str()),
            })
            .collect();
        let keys: Vec<u64> = groups.iter().map(|g| id_key(g.1)).collect();
        let of_groups = any_of(groups.iter().map(|&(field, id)| self.term(field, id)));
        let q = BooleanQuery::new(vec![
            (Occur::Must, Box::new(matching) as Box<dyn Query>),
            (Occur::Must, of_groups),
        ]);
        let counts = searcher.search(
            &q,
            &ArticleCounts {
                field: self.fields.article_key,
                wanted: keys.iter().copied().collect(),
            },
        )?;
        for (h, key) in hits.iter_mut().zip(keys) {
            h.more_in_article = counts.get(&key).map_or(0, |n| n.saturating_sub(max));
        }
        Ok(())
    }

    /// The records matching a parsed query (every word or some, as
    /// `strictness` says) under the request's filters; `None` when the query
    /// has no searchable words.
    fn matching(
        &self,
        parsed: &ParsedQuery,
        req: &SearchRequest,
        strictness: Strictness,
    ) -> Option<BooleanQuery> {
        let groups = self.fields.searched(req.kind);
        let built: Vec<Box<dyn Query>> = groups
            .iter()
            .filter_map(|g| query::build(g, &self.jieba, parsed, strictness))
            .collect();
        if built.is_empty() {
            return None;
        }
        let text = any_of(built);
        let mut clauses = self.filters(req, true);
        clauses.push((Occur::Must, text));
        Some(BooleanQuery::new(clauses))
    }

    /// The top `wanted` matches of a parsed query under the request's filters:
    /// ((records matching every word, ranked addresses), relaxed). With
    /// `relax`, when few records match every word, they are followed by
    /// records matching some.
    fn rank(
        &self,
        searcher: &Searcher,
        parsed: &ParsedQuery,
        req: &SearchRequest,
        wanted: usize,
        relax: bool,
    ) -> Result<(Ranked, bool)> {
        let run = |strictness, n: usize| -> Result<Option<Ranked>> {
            let Some(q) = self.matching(parsed, req, strictness) else {
                return Ok(None);
            };
            let top = TopDocs::with_limit(n.max(1)).order_by_score();
            Ok(Some(searcher.search(&q, &(Count, top))?))
        };
        let (total, mut ranked) = run(Strictness::All, wanted)?.ok_or_else(|| {
            Error::Input(format!("query `{}` has no searchable words", req.query))
        })?;
        let mut relaxed = false;
        if relax && relaxes(total) {
            if let Some((_, any)) = run(Strictness::Any, wanted + ranked.len())? {
                let strict: std::collections::HashSet<_> = ranked.iter().map(|h| h.1).collect();
                let before = ranked.len();
                ranked.extend(any.into_iter().filter(|h| !strict.contains(&h.1)));
                relaxed = ranked.len() > before;
            }
        }
        Ok(((total, ranked), relaxed))
    }

    /// Records for export (`govkb figures|units|cases`): those matching every
    /// word of the request's query (ranked) or, with an empty query, all
    /// records passing its filters (in document order); at most `max`.
    pub fn select(&self, req: &SearchRequest, max: usize) -> Result<Vec<Record>> {
        let searcher = self.reader.searcher();
        let in_document_order = req.query.trim().is_empty();
        let parsed = if in_document_order {
            ParsedQuery::default()
        } else {
            parse(&req.query)?
        };
        let mut addrs: Vec<tantivy::DocAddress> = if in_document_order {
            let q = BooleanQuery::new(self.filters(req, false));
            let mut all: Vec<_> = searcher.search(&q, &DocSetCollector)?.into_iter().collect();
            // Ingest order: files in order, each file's records in order.
            all.sort();
            all
        } else {
            self.rank(&searcher, &parsed, req, max, false)?
                .0
                 .1
                .into_iter()
                .map(|h| h.1)
                .collect()
        };
        // Each record read yields at least one of the kind (a measure one
        // mention per unit it names).
        addrs.truncate(max);
        let loaded = self.load_many(&searcher, addrs)?;
        let mut records = of_kind(req.kind, loaded, &Wanted::of(req, &parsed.parts));
        records.truncate(max);
        if in_document_order {
            records.sort_by(|a, b| {
                (&a.file, a.span.start, &a.id).cmp(&(&b.file, b.span.start, &b.id))
            });
        }
        Ok(records)
    }

    fn hit(&self, record: Record, score: f32, terms: &PageTerms) -> Hit {
        let highlight = snippet(&record.text, &terms.typed, &terms.expanded);
        let haystack: Vec<char> = fold_term(&format!(
            "{}{}",
            record.text,
            record.article_title.as_deref().unwrap_or("")
        ));
        let contains = |needle: &str| {
            let n = fold_term(needle);
            !n.is_empty() && haystack.windows(n.len()).any(|w| w == n.as_slice())
        };
        let expansions = terms
            .concepts
            .iter()
            .filter(|c| !contains(&c.text))
            .flat_map(|c| &c.expansions)
            .filter(|e| e.split_whitespace().all(contains))
            .cloned()
            .collect();
        Hit {
            snippet: highlight.html(),
            record,
            score,
            partial: false,
            expansions,
            also_in: Vec::new(),
            also_in_count: 0,
            more_in_article: 0,
            highlight,
        }
    }

    fn load(&self, searcher: &Searcher, addr: tantivy::DocAddress) -> Result<Record> {
        let mut records = self.load_many(searcher, [addr])?;
        records
            .pop()
            .ok_or_else(|| Error::Index("a record could not be loaded".into()))
    }

    /// Stored records.
    fn load_many(
        &self,
        searcher: &Searcher,
        addrs: impl IntoIterator<Item = tantivy::DocAddress>,
    ) -> Result<Vec<Record>> {
        addrs
            .into_iter()
            .map(|a| self.load_json::<Record>(searcher, a))
            .collect()
    }

    /// A stored record, or the fields of it that `T` takes.
    fn load_json<T: serde::de::DeserializeOwned>(
        &self,
        searcher: &Searcher,
        addr: tantivy::DocAddress,
    ) -> Result<T> {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let json = doc
            .get_first(self.fields.data)
            .and_then(|v| v.as_str())
            .ok_or_else(|| {
                Error::Index(
                    "a record lacks its data; rebuild the index with `govkb ingest`".into(),
                )
            })?;
        Ok(serde_json::from_str(json)?)
    }

    /// The record with this id.
    pub fn get(&self, id: &str) -> Result<Option<Record>> {
        let searcher = self.reader.searcher();
        match self.address_of(&searcher, id)? {
            Some(a) => self.load(&searcher, a).map(Some),
            None => self.child_by_id(id),
        }
    }

    /// Where the record with this id is.
    fn address_of(&self, searcher: &Searcher, id: &str) -> Result<Option<tantivy::DocAddress>> {
        let q = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
        Ok(top.first().map(|&(_, a)| a))
    }

    /// Every record of a kind, optionally only those of one document or article,
    /// in document order.
    pub fn list(
        &self,
        kind: RecordKind,
        doc_id: Option<&str>,
        article_id: Option<&str>,
    ) -> Result<Vec<Record>> {
        let searcher = self.reader.searcher();
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, self.kind_filter(kind))];
        if let Some(d) = doc_id {
            clauses.push((Occur::Must, self.term(self.fields.doc_id, d)));
        }
        if let Some(a) = article_id {
            clauses.push((Occur::Must, self.term(self.fields.article_id, a)));
        }
        let addrs = searcher.search(&BooleanQuery::new(clauses), &DocSetCollector)?;
        let mut records = of_kind(kind, self.load_many(&searcher, addrs)?, &Wanted::default());
        records.sort_by(|a, b| (&a.file, a.span.start, &a.id).cmp(&(&b.file, b.span.start, &b.id)));
        Ok(records)
    }
}

/// A query matching what any of `queries` matches (the one query itself when alone).
fn any_of(queries: impl IntoIterator<Item = Box<dyn Query>>) -> Box<dyn Query> {
    let mut all: Vec<Box<dyn Query>> = queries.into_iter().collect();
    match all.len() {
        1 => all.remove(0),
        _ => Box::new(BooleanQuery::union(all)),
    }
}

/// What a page's hits are marked and explained with, worked out once per search.
pub(crate) struct PageTerms {
    /// Each required part and its words as typed, folded, to mark in snippets.
    typed: Vec<Vec<char>>,
    /// The expansions of those parts' concepts, folded, to mark in snippets.
    expanded: Vec<Vec<char>>,
    /// The concepts of the required unquoted parts: a hit lacking a concept's
    /// words but having one of its expansions lists that in [`Hit::expansions`].
    concepts: Vec<query::Concept>,
}

/// The [`PageTerms`] of a parsed query.
fn page_terms(parts: &[Part], jieba: &Jieba) -> PageTerms {
    let mut typed: Vec<Vec<char>> = Vec::new();
    let mut expanded: Vec<Vec<char>> = Vec::new();
    let mut concepts = Vec::new();
    for p in parts.iter().filter(|p| p.occur == PartOccur::Required) {
        typed.push(fold_term(&p.text));
        for w in p.text.split_whitespace() {
            typed.push(fold_term(w));
            typed.extend(
                query::tokens(jieba, w, true)
                    .iter()
                    .filter(|t| t.chars().count() > 1)
                    .map(|t| fold_term(t)),
            );
        }
        if !p.phrase {
            for c in query::concepts(jieba, &p.text) {
                expanded.extend(
                    c.expansions
                        .iter()
                        .flat_map(|e| e.split_whitespace())
                        .map(fold_term),
                );
                concepts.push(c);
            }
        }
    }
    for list in [&mut typed, &mut expanded] {
        list.sort();
        list.dedup();
    }
    PageTerms {
        typed,
        expanded,
        concepts,
    }
}
