//! Stage 5, index: the tantivy schema, the jieba tokenizer and the atomic
//! index builder.

pub mod tokenizer;
