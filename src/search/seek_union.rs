//! A union of queries that stays cheap when an intersection seeks it.
//!
//! tantivy's `BooleanQuery` of `Should` clauses scores a window of 4,096
//! documents of every clause at a time. That is fast when the union drives
//! the search, but a query's word is a union too (its fields, its synonyms,
//! its compound's parts), and in `乡村治理 橡胶` the common word is sought only
//! at the rare word's documents: each seek then refilled a window of every
//! field of `乡村` and `治理`, and such pairs were the slowest queries of the
//! benchmark (the union's windows were half of their time). [`SeekUnion`]
//! seeks each alternative to the target instead and scores only the document
//! asked for. It matches and scores exactly as the `Should` clauses would:
//! a document matching any alternative, scored with their sum.

use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, Term, TERMINATED};

/// Documents matching any of the alternatives, scored with the sum of those that match.
#[derive(Debug)]
pub struct SeekUnion {
    alternatives: Vec<Box<dyn Query>>,
}

impl SeekUnion {
    /// The union of `alternatives`; a single alternative is returned as it is.
    pub fn of(mut alternatives: Vec<Box<dyn Query>>) -> Box<dyn Query> {
        if alternatives.len() == 1 {
            return alternatives.remove(0);
        }
        Box::new(SeekUnion { alternatives })
    }
}

impl Clone for SeekUnion {
    fn clone(&self) -> Self {
        SeekUnion {
            alternatives: self.alternatives.iter().map(|q| q.box_clone()).collect(),
        }
    }
}

impl Query for SeekUnion {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .alternatives
            .iter()
            .map(|q| q.weight(enable_scoring))
            .collect::<tantivy::Result<_>>()?;
        Ok(Box::new(SeekUnionWeight { weights }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for q in &self.alternatives {
            q.query_terms(visitor);
        }
    }
}

struct SeekUnionWeight {
    weights: Vec<Box<dyn Weight>>,
}

impl Weight for SeekUnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut children = Vec::with_capacity(self.weights.len());
        for w in &self.weights {
            let scorer = w.scorer(reader, boost)?;
            if scorer.doc() != TERMINATED {
                children.push(scorer);
            }
        }
        Ok(match children.len() {
            0 => Box::new(EmptyScorer),
            1 => children.remove(0),
            _ => Box::new(SeekUnionScorer::new(children)),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        let mut explanation = Explanation::new("sum of the matching alternatives", scorer.score());
        for w in &self.weights {
            if let Ok(detail) = w.explain(reader, doc) {
                explanation.add_detail(detail);
            }
        }
        Ok(explanation)
    }
}

/// The scorer: every alternative's scorer, each at its own document (kept
/// beside it, to spare a dynamic call per look); the union is at the lowest.
struct SeekUnionScorer {
    children: Vec<Box<dyn Scorer>>,
    docs: Vec<DocId>,
    doc: DocId,
}

impl SeekUnionScorer {
    fn new(children: Vec<Box<dyn Scorer>>) -> Self {
        let docs: Vec<DocId> = children.iter().map(|c| c.doc()).collect();
        let doc = docs.iter().copied().min().unwrap_or(TERMINATED);
        SeekUnionScorer {
            children,
            docs,
            doc,
        }
    }
}

impl DocSet for SeekUnionScorer {
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        let mut lowest = TERMINATED;
        for (child, doc) in self.children.iter_mut().zip(self.docs.iter_mut()) {
            if *doc == current {
                *doc = child.advance();
            }
            lowest = lowest.min(*doc);
        }
        self.doc = lowest;
        lowest
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let mut lowest = TERMINATED;
        for (child, doc) in self.children.iter_mut().zip(self.docs.iter_mut()) {
            if *doc < target {
                *doc = child.seek(target);
            }
            lowest = lowest.min(*doc);
        }
        self.doc = lowest;
        lowest
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.children
            .iter()
            .map(|c| c.size_hint())
            .fold(0u32, u32::saturating_add)
    }

    fn cost(&self) -> u64 {
        self.children.iter().map(|c| c.cost()).sum()
    }
}

impl Scorer for SeekUnionScorer {
    fn score(&mut self) -> Score {
        let current = self.doc;
        let mut sum = 0.0;
        for (child, doc) in self.children.iter_mut().zip(&self.docs) {
            if *doc == current {
                sum += child.score();
            }
        }
        sum
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index};

    /// The same documents and scores as `Should` clauses, alone and inside an
    /// intersection that seeks it.
    #[test]
    fn matches_and_scores_like_should_clauses() {
        let mut schema = Schema::builder();
        let body = schema.add_text_field("body", TEXT);
        let index = Index::create_in_ram(schema.build());
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        let texts = ["a b", "a", "b c", "c", "a c", "d", "b", "a b c"];
        for (i, text) in texts.iter().cycle().take(400).enumerate() {
            let extra = if i % 7 == 0 { " e" } else { "" };
            writer
                .add_document(doc!(body => format!("{text}{extra}")))
                .unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = |w: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(body, w),
                IndexRecordOption::WithFreqs,
            ))
        };
        let should = |ws: &[&str]| -> Box<dyn Query> {
            Box::new(BooleanQuery::new(
                ws.iter().map(|w| (Occur::Should, term(w))).collect(),
            ))
        };
        let union = |ws: &[&str]| SeekUnion::of(ws.iter().map(|w| term(w)).collect());
        let top = TopDocs::with_limit(1000).order_by_score();
        let run = |q: &dyn Query| {
            let mut hits = searcher.search(q, &top).unwrap();
            hits.sort_by_key(|h| h.1);
            hits
        };
        let same = |a: &dyn Query, b: &dyn Query| {
            let (x, y) = (run(a), run(b));
            assert_eq!(x.len(), y.len());
            for (p, q) in x.iter().zip(&y) {
                assert_eq!(p.1, q.1);
                assert!((p.0 - q.0).abs() < 1e-4, "{} vs {}", p.0, q.0);
            }
            x.len()
        };
        assert_eq!(same(&*should(&["a", "c"]), &*union(&["a", "c"])), 300);
        let within =
            |u: Box<dyn Query>| BooleanQuery::new(vec![(Occur::Must, term("e")), (Occur::Must, u)]);
        let n = same(&within(should(&["b", "d"])), &within(union(&["b", "d"])));
        assert!(n > 10 && n < 58, "{n}");
    }
}
