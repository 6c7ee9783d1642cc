//! Stage 4, extract: records found inside parsed documents — figures
//! (quantities with units), responsible units, localities and case studies.
//! The finders here are plain functions over text, free of tantivy and HTTP.

pub mod figures;
pub mod locality;
pub mod units;
