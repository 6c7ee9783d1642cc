//! Shared fixtures: the sample corpus indexed once per test binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use govkb::index::build::{ingest, IngestReport, Rebuild};
use govkb::search::KnowledgeBase;

/// The sample corpus shipped in `corpus/`.
pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// An index of the sample corpus, built once into a temporary folder.
pub fn index_dir() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        ingest_with(&corpus(), dir.path(), Rebuild::Changed);
        dir
    })
    .path()
}

/// Ingest `corpus` into `index` through the library, without progress callbacks.
pub fn ingest_with(corpus: &Path, index: &Path, rebuild: Rebuild) -> IngestReport {
    ingest(corpus, index, rebuild, &mut |_, _| {}, &mut |_, _| {}).expect("ingest")
}

/// The knowledge base over the sample corpus.
pub fn kb() -> KnowledgeBase {
    KnowledgeBase::open(index_dir()).expect("open index")
}

/// The govkb binary built for these tests.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_govkb")
}

/// Run a govkb command that prints JSON and parse what it prints; the test
/// fails with the command's stderr unless it succeeds.
pub fn json_output(command: &mut Command) -> serde_json::Value {
    let out = command.output().expect("run govkb");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("govkb JSON")
}

/// Whitespace removed, for comparing against source text.
pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Fields every search hit carries: the `govkb search --json` contract.
pub const HIT_KEYS: [&str; 19] = [
    "id",
    "kind",
    "file",
    "doc_title",
    "doc_type",
    "date",
    "issue",
    "article_title",
    "section_path",
    "units",
    "locality",
    "span",
    "score",
    "snippet",
    "text",
    "expansions",
    "also_in",
    "also_in_count",
    "more_in_article",
];
