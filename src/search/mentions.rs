//! Unit mentions in search. The unit records of a measure are not in the
//! index ([`unit_mentions`]): search ranks the measures and the unit records
//! of credits, bylines and issuers, and a measure stands for the units it
//! names. A mention is found when its measure matches the query — the units
//! responsible for measures about 积分制 — and `total` counts mentions,
//! through the mention field of the index ([`crate::index::mentions`]).

use std::time::Instant;

use super::query::{self, PartOccur, Strictness};
use super::{highlight_terms, parse_parts, KnowledgeBase, SearchRequest, SearchResults};
use crate::error::{Error, Result};
use crate::index::mentions::{name_key, MentionCount};
use crate::record::extracted::unit_mentions;
use crate::record::{Record, RecordKind};

/// The records of `kind` that `loaded` (read from the index for a request of
/// that kind) stand for: for unit mentions, each measure becomes the units it
/// names — only those named `unit` when given, the ones whose names hold a
/// word of the query first; other kinds are as read.
pub(super) fn of_kind(
    kind: RecordKind,
    loaded: Vec<Record>,
    unit: Option<&str>,
    parts: &[query::Part],
) -> Vec<Record> {
    if kind != RecordKind::Unit {
        return loaded;
    }
    let unit = unit.map(str::trim).filter(|u| !u.is_empty());
    let words: Vec<&str> = parts
        .iter()
        .filter(|p| p.occur == PartOccur::Required)
        .flat_map(|p| p.text.split_whitespace())
        .collect();
    let mut out = Vec::with_capacity(loaded.len());
    for r in loaded {
        if r.kind != RecordKind::Measure {
            out.push(r);
            continue;
        }
        let mut mentions: Vec<Record> = unit_mentions(&r)
            .into_iter()
            .filter(|m| unit.is_none_or(|u| m.unit_keys.iter().any(|k| k == u)))
            .collect();
        mentions.sort_by_key(|m| {
            !m.unit_keys
                .iter()
                .any(|k| words.iter().any(|w| k.contains(w)))
        });
        out.extend(mentions);
    }
    out
}

impl KnowledgeBase {
    /// A page of unit mentions ([`search`](Self::search) with kind `unit`).
    pub(super) fn search_mentions(
        &self,
        req: &SearchRequest,
        started: Instant,
    ) -> Result<SearchResults> {
        let parts = parse_parts(&req.query)?;
        let searcher = self.reader.searcher();
        let no_words = || Error::Input(format!("query `{}` has no searchable words", req.query));
        let strict = self
            .matching(&parts, req, Strictness::All)
            .ok_or_else(no_words)?;
        let keys: Vec<u64> = req
            .unit
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(name_key)
            .into_iter()
            .collect();
        let total = searcher.search(&strict, &MentionCount { keys })?;
        let wanted = req.offset + req.limit;
        // Measures name one unit or more: rank as many as mentions are
        // wanted, deeper when some name none of the filter's.
        let mut fetch = wanted;
        let (mentions, relaxed) = loop {
            let ((strict_total, ranked), relaxed) =
                self.rank(&searcher, &parts, req, fetch, true)?;
            let mut mentions: Vec<(Record, f32, bool)> = Vec::new();
            for (i, &(score, addr)) in ranked.iter().enumerate() {
                if mentions.len() >= wanted {
                    break;
                }
                let carrier = vec![self.load(&searcher, addr)?];
                for m in of_kind(RecordKind::Unit, carrier, req.unit.as_deref(), &parts) {
                    mentions.push((m, score, i >= strict_total));
                }
            }
            if mentions.len() >= wanted || ranked.len() < fetch {
                break (mentions, relaxed);
            }
            fetch *= 2;
        };
        let terms = highlight_terms(&parts, &self.jieba);
        let hits = mentions
            .into_iter()
            .skip(req.offset)
            .take(req.limit)
            .map(|(record, score, partial)| {
                let mut hit = self.hit(record, score, &parts, &terms);
                hit.partial = partial;
                hit
            })
            .collect();
        Ok(SearchResults {
            query: req.query.clone(),
            total,
            took_ms: started.elapsed().as_secs_f64() * 1000.0,
            relaxed,
            hits,
        })
    }

    /// The unit mention with this id (`doc#u12`), made from its measure.
    pub(super) fn mention_by_id(&self, id: &str) -> Result<Option<Record>> {
        let Some((doc, n)) = id.split_once("#u") else {
            return Ok(None);
        };
        if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(None);
        }
        Ok(self
            .list(RecordKind::Measure, Some(doc), None)?
            .iter()
            .flat_map(unit_mentions)
            .find(|m| m.id == id))
    }
}
