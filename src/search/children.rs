//! Child records in search: a passage's figures, its measure and the
//! measure's unit mentions are not index documents
//! ([`crate::record::children`]). Search ranks their passages (and, for
//! units, the unit records of credits, bylines and issuers) and a passage
//! stands for its children: a figure, measure or mention is found when its
//! passage matches the query — the units responsible for measures about
//! 积分制. `total` and the facets count children through the child field
//! of the index ([`crate::index::children`]).

use std::time::Instant;

use super::query::Strictness;
use super::syntax::{parse, Part, PartOccur};
use super::{page_terms, KnowledgeBase, SearchRequest, SearchResults};
use crate::error::{Error, Result};
use crate::index::children::{name_key, ChildCount};
use crate::record::children::{child_kinds, children};
use crate::record::{Record, RecordKind};

/// What the children of a request's kind must be: the filters a child
/// carries itself (a mention its unit; a figure its places, and no unit),
/// and the query's words, which order a parent's children.
#[derive(Default)]
pub(super) struct Wanted {
    unit: Option<String>,
    places: Option<Vec<String>>,
    words: Vec<String>,
}

impl Wanted {
    /// The child filters and words of a request for `parts`.
    pub(super) fn of(req: &SearchRequest, parts: &[Part]) -> Wanted {
        Wanted {
            unit: req
                .unit
                .as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(str::to_string),
            places: match req.kind {
                RecordKind::Figure => super::region_names(req),
                _ => None,
            },
            words: parts
                .iter()
                .filter(|p| p.occur == PartOccur::Required)
                .flat_map(|p| p.text.split_whitespace())
                .map(str::to_string)
                .collect(),
        }
    }

    /// The filter the index counts children by ([`crate::index::children::ChildFilter`]).
    pub(super) fn keys(&self) -> Vec<Vec<u64>> {
        let unit = self.unit.as_deref().map(|u| vec![name_key(u)]);
        let places = self
            .places
            .as_ref()
            .map(|names| names.iter().map(|n| name_key(n)).collect());
        unit.into_iter().chain(places).collect()
    }

    fn passes(&self, child: &Record) -> bool {
        self.unit
            .as_deref()
            .is_none_or(|u| child.unit_keys.iter().any(|k| k == u))
            && self
                .places
                .as_ref()
                .is_none_or(|names| child.regions.iter().any(|r| names.contains(r)))
    }

    /// Whether a child names a word of the query: a mention in its unit's
    /// name, a figure in its sentence.
    fn names_a_word(&self, child: &Record) -> bool {
        let sentence = child.detail.get("sentence").and_then(|v| v.as_str());
        self.words.iter().any(|w| {
            child.unit_keys.iter().any(|k| k.contains(w.as_str()))
                || sentence.is_some_and(|s| s.contains(w.as_str()))
        })
    }
}

/// The records of `kind` that `loaded` (read from the index for a request of
/// that kind) stand for: a parent of children of that kind becomes those of
/// its children that `wanted` passes, the ones naming a word of the query
/// first; other records are as read.
pub(super) fn of_kind(kind: RecordKind, loaded: Vec<Record>, wanted: &Wanted) -> Vec<Record> {
    let mut out = Vec::with_capacity(loaded.len());
    for r in loaded {
        if r.kind == kind || !child_kinds(r.kind).contains(&kind) {
            out.push(r);
            continue;
        }
        let mut kids: Vec<Record> = children(&r, kind)
            .into_iter()
            .filter(|c| wanted.passes(c))
            .collect();
        kids.sort_by_key(|c| !wanted.names_a_word(c));
        out.extend(kids);
    }
    out
}

impl KnowledgeBase {
    /// A page of child records ([`search`](Self::search) with kind `figure`,
    /// `measure` or `unit`).
    pub(super) fn search_children(
        &self,
        req: &SearchRequest,
        started: Instant,
    ) -> Result<SearchResults> {
        let parsed = parse(&req.query)?;
        let searcher = self.reader.searcher();
        let no_words = || Error::Input(format!("query `{}` has no searchable words", req.query));
        let strict = self
            .matching(&parsed, req, Strictness::All)
            .ok_or_else(no_words)?;
        let wanted = Wanted::of(req, &parsed.parts);
        let total = searcher.search(
            &strict,
            &ChildCount {
                kind: req.kind,
                filter: wanted.keys(),
            },
        )?;
        let needed = req.offset + req.limit;
        // A parent has one child or more: rank as many parents as children
        // are needed, deeper when some have none the filters pass.
        let mut fetch = needed;
        let (found, relaxed) = loop {
            let ((strict_total, ranked), relaxed) =
                self.rank(&searcher, &parsed, req, fetch, true)?;
            let mut found: Vec<(Record, f32, bool)> = Vec::new();
            for (i, &(score, addr)) in ranked.iter().enumerate() {
                if found.len() >= needed {
                    break;
                }
                let parent = vec![self.load(&searcher, addr)?];
                for child in of_kind(req.kind, parent, &wanted) {
                    found.push((child, score, i >= strict_total));
                }
            }
            if found.len() >= needed || ranked.len() < fetch {
                break (found, relaxed);
            }
            fetch *= 2;
        };
        let terms = page_terms(&parsed.parts, &self.jieba);
        let hits = found
            .into_iter()
            .skip(req.offset)
            .take(req.limit)
            .map(|(record, score, partial)| {
                let mut hit = self.hit(record, score, &terms);
                hit.partial = partial;
                hit
            })
            .collect();
        Ok(SearchResults::page(req, started, total, relaxed, hits))
    }

    /// The child record with this id (`doc#u12`, `doc#f3`, `doc#m4`), made from its parent.
    pub(super) fn child_by_id(&self, id: &str) -> Result<Option<Record>> {
        let Some((doc, rest)) = id.rsplit_once('#') else {
            return Ok(None);
        };
        let kind = match rest.as_bytes().first() {
            Some(b'u') => RecordKind::Unit,
            Some(b'f') => RecordKind::Figure,
            Some(b'm') => RecordKind::Measure,
            _ => return Ok(None),
        };
        if rest.len() < 2 || !rest[1..].bytes().all(|b| b.is_ascii_digit()) {
            return Ok(None);
        }
        Ok(self
            .list(kind, Some(doc), None)?
            .into_iter()
            .find(|c| c.id == id))
    }
}
