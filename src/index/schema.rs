//! The one tantivy schema: every record that is an index document (document,
//! article, passage, case, unit record; a passage carries its figures,
//! measure and unit mentions, [`crate::record::children`]) has the same
//! fields, except that passages — the default search — have searchable fields of their own
//! ([`TextFields`]), so a passage search walks passage postings only and
//! needs no kind filter.

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, STORED,
    STRING,
};

use super::tokenizer::TOKENIZER_NAME;
use crate::error::{Error, Result};
use crate::record::RecordKind;

/// Bump when the schema, the record layout or what extraction finds changes:
/// older indexes are then rebuilt.
pub const SCHEMA_VERSION: u32 = 12;

/// The searchable fields of one group of record kinds.
#[derive(Debug, Clone, Copy)]
pub struct TextFields {
    /// The record's text (positions for phrases; stored inside `data`).
    pub text: Field,
    /// Article title (boosted).
    pub article_title: Field,
    /// Section path joined with ` > `.
    pub section_path: Field,
    /// Unit names, short and full.
    pub units: Field,
    /// Document title.
    pub doc_title: Field,
    /// Exact unit names, for the `--unit` filter and unit-name queries.
    pub unit_key: Field,
    /// Text matched like `text` but only by some searches: the lead-in of
    /// a passage's measure (the measure's heading line and paragraphs before
    /// the passage, [`LEAD_IN_FIELD`]), for measure and unit searches.
    pub lead_in: Option<Field>,
}

/// The field holding the lead-in of a passage's measure: what a measure
/// spanning several paragraphs has before the passage that carries it.
pub const LEAD_IN_FIELD: &str = "p_measure_lead_in";

/// Handles of every field.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Record id, unique in the index.
    pub id: Field,
    /// Record kind: document, article, passage, figure, measure, unit, case;
    /// a parent of child records also has its children's kind.
    pub kind: Field,
    /// Id of the document the record comes from.
    pub doc_id: Field,
    /// Source file relative to the corpus.
    pub file: Field,
    /// Document type (bulletin, notice …).
    pub doc_type: Field,
    /// Article id.
    pub article_id: Field,
    /// Exact canonical place names for filtering.
    pub region: Field,
    /// Year of the document date.
    pub year: Field,
    /// Searchable fields of passages.
    pub passage: TextFields,
    /// Searchable fields of the measures passages carry (and their unit
    /// mentions): the passage's and the measure's lead-in.
    pub measure: TextFields,
    /// Searchable fields of every other kind.
    pub other: TextFields,
    /// The whole [`crate::record::Record`] as one stored JSON object.
    pub data: Field,
    /// Near-duplicate fingerprint of passages, articles and cases
    /// ([`crate::record::near_dup`]), a fast field read per search candidate.
    pub near_dup: Field,
    /// The places of a passage's figures, for the region filter of figure searches.
    pub figure_region: Field,
    /// The child records a record carries, by the names they can be
    /// filtered by ([`super::children`]).
    pub child_keys: Field,
    /// With a fingerprint, a hash of the document id
    /// ([`crate::record::near_dup::id_key`]): search collapses only copies
    /// from other documents.
    pub doc_key: Field,
    /// A hash of the article id, or of the document id for records outside
    /// any article: the group a search's per-article limit counts hits in.
    pub article_key: Field,
}

/// Names of the searchable fields, in [`TextFields`] order; passages' start with `p_`.
const TEXT_FIELD_NAMES: [&str; 5] = [
    "text",
    "article_title",
    "section_path",
    "units",
    "doc_title",
];

/// Searchable fields whose phrases are matched (their words in order) keep
/// positions; the others (section path, units, document title) only match
/// words, so they keep frequencies only.
const PHRASE_FIELDS: [&str; 2] = ["text", "article_title"];

/// A searchable text field, with positions when phrases are matched in it.
fn searchable(positions: bool) -> TextOptions {
    let record = if positions {
        IndexRecordOption::WithFreqsAndPositions
    } else {
        IndexRecordOption::WithFreqs
    };
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(TOKENIZER_NAME)
        .set_index_option(record);
    TextOptions::default().set_indexing_options(indexing)
}

/// An exact-value field only filtered on, never scored: no field norms (one
/// byte per record each, 1.3 MB on the 50 MB bench corpus).
fn filter_only(stored: bool) -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer("raw")
        .set_index_option(IndexRecordOption::Basic)
        .set_fieldnorms(false);
    let options = TextOptions::default().set_indexing_options(indexing);
    if stored {
        options.set_stored()
    } else {
        options
    }
}

/// Build the schema.
pub fn build_schema() -> Schema {
    let mut b = Schema::builder();
    b.add_text_field("id", filter_only(true));
    b.add_text_field("kind", filter_only(false) | FAST);
    for name in [
        "doc_id",
        "file",
        "doc_type",
        "article_id",
        "region",
        "figure_region",
    ] {
        b.add_text_field(name, filter_only(false));
    }
    b.add_u64_field("year", NumericOptions::default().set_indexed().set_fast());
    for prefix in ["p_", ""] {
        for name in TEXT_FIELD_NAMES {
            b.add_text_field(
                &format!("{prefix}{name}"),
                searchable(PHRASE_FIELDS.contains(&name)),
            );
        }
        b.add_text_field(&format!("{prefix}unit_key"), STRING);
    }
    b.add_text_field(LEAD_IN_FIELD, searchable(true));
    b.add_text_field("data", STORED);
    b.add_u64_field("near_dup", FAST);
    b.add_u64_field("doc_key", FAST);
    b.add_u64_field("article_key", FAST);
    b.add_u64_field(super::children::FIELD, FAST);
    b.build()
}

impl Fields {
    /// Look the fields up in a schema (an index built by another version fails here).
    pub fn of(schema: &Schema) -> Result<Fields> {
        let f = |name: &str| {
            schema.get_field(name).map_err(|_| {
                Error::Index(format!(
                    "index lacks field `{name}`: rebuild it with `govkb ingest`"
                ))
            })
        };
        let group = |prefix: &str| -> Result<TextFields> {
            let [text, article_title, section_path, units, doc_title] =
                TEXT_FIELD_NAMES.map(|name| format!("{prefix}{name}"));
            Ok(TextFields {
                text: f(&text)?,
                article_title: f(&article_title)?,
                section_path: f(&section_path)?,
                units: f(&units)?,
                doc_title: f(&doc_title)?,
                unit_key: f(&format!("{prefix}unit_key"))?,
                lead_in: None,
            })
        };
        let passage = group("p_")?;
        Ok(Fields {
            id: f("id")?,
            kind: f("kind")?,
            doc_id: f("doc_id")?,
            file: f("file")?,
            doc_type: f("doc_type")?,
            article_id: f("article_id")?,
            region: f("region")?,
            year: f("year")?,
            passage,
            measure: TextFields {
                lead_in: Some(f(LEAD_IN_FIELD)?),
                ..passage
            },
            other: group("")?,
            data: f("data")?,
            near_dup: f("near_dup")?,
            doc_key: f("doc_key")?,
            article_key: f("article_key")?,
            figure_region: f("figure_region")?,
            child_keys: f(super::children::FIELD)?,
        })
    }

    /// The searchable fields records of `kind` are indexed in: figures and
    /// measures, found by their passage's, in the passages'.
    pub fn text(&self, kind: RecordKind) -> &TextFields {
        if matches!(
            kind,
            RecordKind::Passage | RecordKind::Figure | RecordKind::Measure
        ) {
            &self.passage
        } else {
            &self.other
        }
    }

    /// The searchable fields a search for records of `kind` matches in: a
    /// measure and its unit mentions are found by their passage's fields and
    /// the measure's lead-in, the unit records of credits, bylines and
    /// issuers by their own.
    pub fn searched(&self, kind: RecordKind) -> Vec<&TextFields> {
        match kind {
            RecordKind::Measure => vec![&self.measure],
            RecordKind::Unit => vec![&self.measure, &self.other],
            _ => vec![self.text(kind)],
        }
    }

    /// The field records of `kind` are filtered by place in: figures by
    /// their passage's figures' places.
    pub fn region_of(&self, kind: RecordKind) -> Field {
        if kind == RecordKind::Figure {
            self.figure_region
        } else {
            self.region
        }
    }
}
