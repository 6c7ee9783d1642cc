//! The ceiling for govkb's ingest speed: a bare tantivy + jieba-rs indexer
//! with no parsing and no extraction, as the issue's prototype was. Every
//! non-empty line of every file becomes a document with one stored text
//! field, indexed with positions, tokenized by plain `Jieba::cut` (no HMM,
//! no sub-words), on as many writer threads as govkb uses, then committed.
//!
//! ```sh
//! cargo run --release --example bare_ingest -- /tmp/govkb-bench/c50/docs /tmp/bare-index
//! ```
//! It prints the lines indexed and MiB/s, the dictionary load included. The
//! output folder is replaced.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use jieba_rs::Jieba;
use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions};
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};
use tantivy::{doc, Index, IndexWriter};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Plain jieba words as tantivy tokens.
#[derive(Clone)]
struct PlainJieba(Arc<Jieba>);

/// The words of one text.
struct Words {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokenizer for PlainJieba {
    type TokenStream<'a> = Words;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Words {
        let mut tokens = Vec::new();
        let mut offset = 0;
        for (position, word) in self.0.cut(text, false).into_iter().enumerate() {
            let from = offset;
            offset += word.word.len();
            if !word.word.trim().is_empty() {
                tokens.push(Token {
                    offset_from: from,
                    offset_to: offset,
                    position,
                    text: word.word.to_string(),
                    position_length: 1,
                });
            }
        }
        Words { tokens, next: 0 }
    }
}

impl TokenStream for Words {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [docs, out] = args.as_slice() else {
        return Err("usage: bare_ingest DOCS_FOLDER INDEX_FOLDER".into());
    };
    let started = Instant::now();
    let jieba = Arc::new(Jieba::new());
    let mut schema = Schema::builder();
    let indexing = TextFieldIndexing::default()
        .set_tokenizer("jieba")
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let text = schema.add_text_field(
        "text",
        TextOptions::default()
            .set_stored()
            .set_indexing_options(indexing),
    );
    if out.exists() {
        std::fs::remove_dir_all(out)?;
    }
    std::fs::create_dir_all(out)?;
    let index = Index::create_in_dir(out, schema.build())?;
    index
        .tokenizers()
        .register("jieba", TextAnalyzer::from(PlainJieba(jieba)));
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8));
    let mut writer: IndexWriter = index.writer_with_num_threads(threads, 256 << 20)?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(docs)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    files.retain(|f| f.is_file());
    files.sort();
    let (mut bytes, mut lines) = (0usize, 0usize);
    for file in &files {
        let body = std::fs::read_to_string(file)?;
        bytes += body.len();
        for line in body.lines().map(str::trim).filter(|l| !l.is_empty()) {
            writer.add_document(doc!(text => line))?;
            lines += 1;
        }
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    let secs = started.elapsed().as_secs_f64();
    let mib = bytes as f64 / 1_048_576.0;
    println!(
        "{lines} lines of {} files, {mib:.1} MiB in {secs:.2} s = {:.2} MiB/s on {threads} threads",
        files.len(),
        mib / secs
    );
    Ok(())
}
