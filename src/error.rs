//! The library's one error type.

/// Everything that can go wrong in govkb.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input a user can fix: a missing path, an unreadable file, a bad query or filter.
    #[error("{0}")]
    Input(String),
    /// The index is missing, locked or unreadable.
    #[error("{0}")]
    Index(String),
    /// An error from tantivy.
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// An I/O error.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A JSON (de)serialisation error.
    #[error("JSON error: {0}")]
    Json(#[from] serde_json::Error),
}

/// Result with the library error.
pub type Result<T> = std::result::Result<T, Error>;
