//! The read → normalise → parse chain for one file, shared by ingest and the
//! `parse` command.

use std::path::Path;

use crate::error::Result;
use crate::model::Document;
use crate::normalize::to_blocks;
use crate::parse::parse_document;
use crate::read::read_source;

/// Read, normalise and parse one corpus file.
pub fn load_document(root: &Path, path: &Path) -> Result<(Document, u64)> {
    let src = read_source(root, path)?;
    let blocks = to_blocks(&src);
    Ok((parse_document(&src, blocks), src.bytes))
}
