//! Stage 5, index: the tantivy schema, the jieba tokenizer, the generation
//! store and the ingest that fills it.

pub mod build;
pub mod children;
pub mod files;
pub mod queue;
pub mod schema;
pub mod store;
pub mod tokenizer;
