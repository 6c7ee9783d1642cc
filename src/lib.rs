//! govkb: a knowledge base for Chinese government bulletins and policy documents.
//!
//! The pipeline runs one way: [`read`] → [`normalize`] → [`parse`] →
//! [`extract`] → [`index`] → [`search`]. See `ARCHITECTURE.md`.

pub mod bench;
pub mod compile;
pub mod error;
pub mod export;
pub mod extract;
pub mod index;
pub mod model;
pub mod normalize;
pub mod output;
pub mod parse;
pub mod pipeline;
pub mod read;
pub mod record;
pub mod search;
pub mod server;

pub use error::{Error, Result};
