//! Records: what the index stores and search returns. Every record kind —
//! document, article, passage and the extracted figures, measures, unit
//! mentions and cases — has the same shape plus kind-specific `detail` fields.

pub mod cases;
pub mod children;
pub mod extracted;
pub mod near_dup;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::extract::locality;
use crate::extract::units::{find_annotations, parse_credit_line, UnitAnnotation, UnitMention};
use crate::model::{Article, DocType, Document, Span};
use near_dup::{fingerprint, Sketch};

/// The kinds of record in the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A whole document's metadata.
    Document,
    /// An article's headline, credit and section tree.
    Article,
    /// A paragraph under its section path: the default search unit.
    Passage,
    /// A quantity with its unit.
    Figure,
    /// A numbered measure with its responsible units.
    Measure,
    /// One mention of a unit in a role.
    Unit,
    /// A case study.
    Case,
}

impl RecordKind {
    /// Every kind, in display order.
    pub const ALL: [RecordKind; 7] = [
        RecordKind::Passage,
        RecordKind::Case,
        RecordKind::Figure,
        RecordKind::Measure,
        RecordKind::Unit,
        RecordKind::Article,
        RecordKind::Document,
    ];

    /// Stable lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Document => "document",
            RecordKind::Article => "article",
            RecordKind::Passage => "passage",
            RecordKind::Figure => "figure",
            RecordKind::Measure => "measure",
            RecordKind::Unit => "unit",
            RecordKind::Case => "case",
        }
    }

    /// Parse a kind name.
    pub fn parse(s: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.as_str() == s.trim())
    }
}

/// One record with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Unique id: `<doc>` for documents, `<doc>#a3`, `<doc>#p12`, `<doc>#f4` …
    pub id: String,
    /// Record kind.
    pub kind: RecordKind,
    /// Source file relative to the corpus.
    pub file: String,
    /// Document id.
    pub doc_id: String,
    /// Document title.
    pub doc_title: String,
    /// Document type.
    pub doc_type: DocType,
    /// Document date (ISO).
    pub date: Option<String>,
    /// Issue (期号).
    pub issue: Option<String>,
    /// Article id, when inside an article.
    pub article_id: Option<String>,
    /// Article title.
    pub article_title: Option<String>,
    /// Headings from the article down to the record.
    pub section_path: Vec<String>,
    /// Units credited or named (as written).
    pub units: Vec<String>,
    /// Most specific place.
    pub locality: Option<String>,
    /// Char span in the document's clean text.
    pub span: Span,
    /// The record's exact clean text.
    pub text: String,
    /// Kind-specific fields, flattened into the JSON object.
    #[serde(flatten)]
    pub detail: Map<String, Value>,
    /// Canonical place names for the region filter (index only).
    #[serde(default, skip_serializing)]
    pub regions: Vec<String>,
    /// Unit names, short and full, for the unit filter and unit search (index only).
    #[serde(default, skip_serializing)]
    pub unit_keys: Vec<String>,
    /// Text to index when it differs from `text` (a figure is found by its sentence).
    #[serde(default, skip_serializing)]
    pub index_text: Option<String>,
    /// Near-duplicate fingerprint ([`near_dup`]) of a passage, article or
    /// case, for collapsing reprints in search (index only).
    #[serde(default, skip_serializing)]
    pub near_dup: Option<u64>,
}

impl Record {
    /// Year of the record's document.
    pub fn year(&self) -> Option<u32> {
        self.date.as_deref()?.get(..4)?.parse().ok()
    }
}

/// Shared provenance of one document, stamped on each of its records.
pub struct DocContext<'a> {
    /// The document.
    pub doc: &'a Document,
    /// Its jurisdiction (`海口市美兰区`), empty when unknown.
    pub jurisdiction: String,
    /// Places of the document as a whole (its jurisdiction's chain).
    pub doc_regions: Vec<String>,
}

impl<'a> DocContext<'a> {
    /// Context of a document.
    pub fn new(doc: &'a Document) -> Self {
        let jurisdiction = doc.meta.jurisdiction.clone().unwrap_or_default();
        let doc_regions = locality::most_specific_locality(&jurisdiction)
            .map(|m| m.chain)
            .unwrap_or_default();
        DocContext {
            doc,
            jurisdiction,
            doc_regions,
        }
    }

    /// Article id of article `i`.
    pub fn article_id(&self, i: usize) -> String {
        format!("{}#a{}", self.doc.id, i + 1)
    }

    /// A record of this document with the given kind, id suffix, text and span.
    pub fn record(
        &self,
        kind: RecordKind,
        id: String,
        article: Option<usize>,
        text: String,
        span: Span,
    ) -> Record {
        let doc = self.doc;
        let a = article.and_then(|i| doc.articles.get(i));
        Record {
            id,
            kind,
            file: doc.file.clone(),
            doc_id: doc.id.clone(),
            doc_title: doc.meta.title.clone(),
            doc_type: doc.meta.doc_type,
            date: doc.meta.date.clone(),
            issue: doc.meta.issue.clone(),
            article_id: article.map(|i| self.article_id(i)),
            article_title: a.map(|a| a.title.clone()),
            section_path: Vec::new(),
            units: Vec::new(),
            locality: a.and_then(|a| a.locality.clone()),
            span,
            text,
            detail: Map::new(),
            regions: self.regions(article),
            unit_keys: Vec::new(),
            index_text: None,
            near_dup: None,
        }
    }

    /// The places a record of this document in `article` is filed under:
    /// the document's and the article's, sorted.
    pub fn regions(&self, article: Option<usize>) -> Vec<String> {
        let mut regions = self.doc_regions.clone();
        if let Some(a) = article.and_then(|i| self.doc.articles.get(i)) {
            regions.extend(a.locality_chain.iter().cloned());
        }
        regions.sort();
        regions.dedup();
        regions
    }

    /// Units credited for an article (credit line or byline).
    pub fn article_units(&self, article: &Article) -> Vec<UnitMention> {
        article
            .credit
            .as_deref()
            .and_then(credit_mentions)
            .unwrap_or_default()
    }
}

/// Unit mentions of a credit or byline text (`海口市医疗保障局、乡村振兴局提供`).
fn credit_mentions(credit: &str) -> Option<Vec<UnitMention>> {
    parse_credit_line(&format!("（{credit}）"))
}

/// Add unit mentions to a record's display list and filter keys.
pub fn add_units(record: &mut Record, mentions: &[UnitMention]) {
    for m in mentions {
        if !record.units.contains(&m.unit) {
            record.units.push(m.unit.clone());
        }
        for key in [&m.unit, &m.unit_full] {
            if !record.unit_keys.contains(key) {
                record.unit_keys.push(key.clone());
            }
        }
    }
}

/// The document, article and passage records of a parsed document;
/// `annotations` are the unit annotations of each passage.
fn structure_records(ctx: &DocContext, annotations: &[Vec<UnitAnnotation>]) -> Vec<Record> {
    let doc = ctx.doc;
    let mut out = Vec::with_capacity(doc.passages.len() + doc.articles.len() + 1);
    let meta = &doc.meta;
    let summary = [
        Some(meta.title.as_str()),
        meta.issuer.as_deref(),
        meta.doc_number.as_deref(),
        meta.issue.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let mut d = ctx.record(
        RecordKind::Document,
        doc.id.clone(),
        None,
        summary,
        Span {
            start: 0,
            end: doc.clean_text.chars().count(),
        },
    );
    let articles: Vec<Value> = doc
        .articles
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let units: Vec<String> = ctx.article_units(a).into_iter().map(|m| m.unit_full).collect();
            json!({"id": ctx.article_id(i), "title": a.title, "units": units, "locality": a.locality})
        })
        .collect();
    if let Value::Object(m) = json!({
        "issuer": meta.issuer, "doc_number": meta.doc_number, "total_issue": meta.total_issue,
        "distribution": meta.distribution, "editor": meta.editor, "editor_note": meta.editor_note,
        "addressees": meta.addressees, "jurisdiction": meta.jurisdiction, "encoding": meta.encoding,
        "articles": articles,
    }) {
        d.detail = m;
    }
    out.push(d);
    for (i, a) in doc.articles.iter().enumerate() {
        let mut r = ctx.record(
            RecordKind::Article,
            ctx.article_id(i),
            Some(i),
            [a.title.as_str(), a.credit.as_deref().unwrap_or("")]
                .join(" ")
                .trim()
                .to_string(),
            a.span,
        );
        add_units(&mut r, &ctx.article_units(a));
        if let Value::Object(m) = json!({
            "title": a.title, "column": a.column, "credit": a.credit,
            "locality_chain": a.locality_chain, "sections": a.sections,
        }) {
            r.detail = m;
        }
        out.push(r);
    }
    for (n, p) in doc.passages.iter().enumerate() {
        let mut r = ctx.record(
            RecordKind::Passage,
            format!("{}#p{}", doc.id, n + 1),
            p.article,
            p.text.clone(),
            p.span,
        );
        r.section_path = p.section_path.clone();
        if let Some(a) = p.article.and_then(|i| doc.articles.get(i)) {
            add_units(&mut r, &ctx.article_units(a));
        }
        let annotated: Vec<UnitMention> = annotations[n]
            .iter()
            .flat_map(|a| a.mentions.iter().cloned())
            .collect();
        add_units(&mut r, &annotated);
        out.push(r);
    }
    out
}

/// The records of a parsed document that are index documents: every kind
/// but the child records ([`children`]), which their parents carry — a
/// passage its figures and its measure with the measure's unit mentions.
pub fn document_records(doc: &Document) -> Vec<Record> {
    let ctx = DocContext::new(doc);
    // Found once, for the passage's units and for its measure.
    let annotations: Vec<Vec<UnitAnnotation>> = doc
        .passages
        .iter()
        .map(|p| find_annotations(&p.text, &ctx.jurisdiction))
        .collect();
    let (mut out, passages): (Vec<Record>, Vec<Record>) = structure_records(&ctx, &annotations)
        .into_iter()
        .partition(|r| r.kind != RecordKind::Passage);
    let chars: Vec<char> = doc.clean_text.chars().collect();
    let mut figures = Vec::new();
    let mut figure_count = 0;
    let mut counters = (0, 0);
    // Each passage's measure, and how many figures it has.
    let mut measures = Vec::with_capacity(doc.passages.len());
    let mut figures_in = Vec::with_capacity(doc.passages.len());
    for (n, p) in doc.passages.iter().enumerate() {
        let before = figures.len();
        figures.extend(extracted::passage_figures(&ctx, p, &mut figure_count));
        figures_in.push(figures.len() - before);
        measures.push(extracted::measure_record(
            &ctx,
            &chars,
            p,
            &annotations[n],
            &mut counters,
        ));
    }
    let credits = extracted::credit_records(&ctx, &mut counters.1);
    let cases = cases::case_records(&ctx, &figures);
    // Each passage keeps its figures and its measure.
    let mut figures = figures.into_iter();
    for ((mut passage, f), measure) in passages.into_iter().zip(figures_in).zip(measures) {
        extracted::attach_figures(&mut passage, figures.by_ref().take(f));
        if let Some(m) = measure {
            extracted::attach_measure(&mut passage, m);
        }
        out.push(passage);
    }
    out.extend(credits);
    out.extend(cases);
    add_fingerprints(&ctx, &mut out);
    out
}

/// Near-duplicate fingerprints of the kinds a reprint shows up as: a passage
/// from its text, an article from its passages' text (its headline may be
/// reworded), a case like its article when it is a whole article, else from
/// its text. Figures, measures and units are left out: the same wording in
/// two documents there is a different fact (another place's figure, another
/// unit's duty).
fn add_fingerprints(ctx: &DocContext, records: &mut [Record]) {
    let doc = ctx.doc;
    let sketches: Vec<Sketch> = doc.passages.iter().map(|p| Sketch::of(&p.text)).collect();
    // Per article: its passages' merged sketch and their extent.
    let mut bodies: Vec<(Sketch, Option<Span>)> =
        vec![(Sketch::default(), None); doc.articles.len()];
    for (p, sketch) in doc.passages.iter().zip(&sketches) {
        if let Some(body) = p.article.and_then(|i| bodies.get_mut(i)) {
            body.0.merge(sketch);
            body.1 = Some(body.1.map_or(p.span, |s| Span {
                start: s.start.min(p.span.start),
                end: s.end.max(p.span.end),
            }));
        }
    }
    let articles: Vec<(String, Option<u64>, Option<Span>)> = bodies
        .iter()
        .enumerate()
        .map(|(i, (sketch, span))| (ctx.article_id(i), sketch.fingerprint(), *span))
        .collect();
    let article = |id: &Option<String>| {
        id.as_deref()
            .and_then(|id| articles.iter().find(|a| a.0 == id))
    };
    let mut passages = sketches.iter();
    for r in records.iter_mut() {
        r.near_dup = match r.kind {
            // Passage records follow `doc.passages`, in order.
            RecordKind::Passage => passages.next().and_then(Sketch::fingerprint),
            RecordKind::Article => article(&r.article_id).and_then(|a| a.1),
            RecordKind::Case => match article(&r.article_id) {
                Some(a) if a.2 == Some(r.span) => a.1,
                _ => fingerprint(&r.text),
            },
            _ => None,
        };
    }
}
