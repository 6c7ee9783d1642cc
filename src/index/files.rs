//! The corpus state a generation was built from — each file's content hash
//! and document id — so the next ingest re-reads only what changed.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Read;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Result;

const FILES: &str = "files.json";

/// What an indexed file looked like.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileState {
    /// Content hash (SHA-256, hex, first 128 bits).
    pub hash: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Id of the document indexed from it; `None` for an exact duplicate of another file.
    pub doc_id: Option<String>,
    /// For a duplicate, the file whose copy was indexed.
    pub duplicate_of: Option<String>,
}

/// Indexed files by path relative to the corpus.
pub type CorpusState = BTreeMap<String, FileState>;

/// Content hash of a file's bytes.
pub fn content_hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Content hash and size of a file, read in chunks (memory stays small for huge files).
pub fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok((hex(&hasher.finalize()), bytes))
}

/// The first 128 bits of a digest in hex.
fn hex(digest: &[u8]) -> String {
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The corpus state stored in a generation; `None` when the generation has
/// none (built by an older govkb), so its files cannot be told apart.
pub fn load(generation: &Path) -> Option<CorpusState> {
    fs::read(generation.join(FILES))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
}

/// Store the corpus state in a generation (atomically).
pub fn save(generation: &Path, state: &CorpusState) -> Result<()> {
    let tmp = generation.join(format!("{FILES}.tmp"));
    fs::write(&tmp, serde_json::to_vec(state)?)?;
    fs::rename(tmp, generation.join(FILES))?;
    Ok(())
}

/// How the corpus differs from what is indexed.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Changes {
    /// New files.
    pub added: Vec<String>,
    /// Files whose content changed.
    pub changed: Vec<String>,
    /// Indexed files that are gone.
    pub removed: Vec<String>,
    /// Files as indexed.
    pub unchanged: Vec<String>,
    /// Exact duplicates: (file, the file with the same content that is indexed).
    pub duplicates: Vec<(String, String)>,
}

/// Compare the corpus now (path → hash, sorted by path) with the indexed state.
pub fn diff(old: &CorpusState, now: &BTreeMap<String, String>) -> Changes {
    let mut c = Changes::default();
    let mut first_with_hash: BTreeMap<&str, &str> = BTreeMap::new();
    // A file already indexed keeps its content's "original" role, so an
    // unchanged original is not displaced by a new copy sorting before it.
    for (path, hash) in now {
        if old
            .get(path)
            .is_some_and(|s| &s.hash == hash && s.doc_id.is_some())
        {
            first_with_hash
                .entry(hash.as_str())
                .or_insert(path.as_str());
        }
    }
    for (path, hash) in now {
        let original = *first_with_hash
            .entry(hash.as_str())
            .or_insert(path.as_str());
        if original != path {
            c.duplicates.push((path.clone(), original.to_string()));
            if old.get(path).is_some_and(|s| s.doc_id.is_some()) {
                c.removed.push(path.clone());
            }
            continue;
        }
        match old.get(path) {
            // A file that was a duplicate has no records yet: it is new to the index.
            None => c.added.push(path.clone()),
            Some(s) if s.doc_id.is_none() => c.added.push(path.clone()),
            Some(s) if s.hash != *hash => c.changed.push(path.clone()),
            Some(_) => c.unchanged.push(path.clone()),
        }
    }
    c.removed
        .extend(old.keys().filter(|p| !now.contains_key(*p)).cloned());
    c.removed.sort();
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(entries: &[(&str, &str)]) -> CorpusState {
        entries
            .iter()
            .map(|(p, h)| {
                (
                    p.to_string(),
                    FileState {
                        hash: h.to_string(),
                        bytes: 1,
                        doc_id: Some(p.to_string()),
                        duplicate_of: None,
                    },
                )
            })
            .collect()
    }

    fn now(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
        entries
            .iter()
            .map(|(p, h)| (p.to_string(), h.to_string()))
            .collect()
    }

    #[test]
    fn added_changed_removed_unchanged() {
        let old = state(&[("a.txt", "1"), ("b.txt", "2"), ("c.txt", "3")]);
        let c = diff(
            &old,
            &now(&[("a.txt", "1"), ("b.txt", "9"), ("d.txt", "4")]),
        );
        assert_eq!(c.unchanged, ["a.txt"]);
        assert_eq!(c.changed, ["b.txt"]);
        assert_eq!(c.added, ["d.txt"]);
        assert_eq!(c.removed, ["c.txt"]);
    }

    #[test]
    fn exact_duplicates_are_indexed_once() {
        let c = diff(
            &CorpusState::new(),
            &now(&[("a.txt", "1"), ("copy.txt", "1")]),
        );
        assert_eq!(c.added, ["a.txt"]);
        assert_eq!(
            c.duplicates,
            [("copy.txt".to_string(), "a.txt".to_string())]
        );
        // An indexed original stays the original when a copy sorting before it appears.
        let old = state(&[("m.txt", "1")]);
        let c = diff(&old, &now(&[("a.txt", "1"), ("m.txt", "1")]));
        assert_eq!(c.unchanged, ["m.txt"]);
        assert_eq!(c.duplicates, [("a.txt".to_string(), "m.txt".to_string())]);
    }

    #[test]
    fn hash_is_stable() {
        assert_eq!(content_hash(b"govkb"), content_hash(b"govkb"));
        assert_ne!(content_hash(b"govkb"), content_hash(b"govkb "));
        assert_eq!(content_hash(b"").len(), 32);
        // SHA-256 of the empty input starts e3b0c442…
        assert!(content_hash(b"").starts_with("e3b0c442"));
    }

    #[test]
    fn file_hash_equals_content_hash_across_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.txt");
        let body: Vec<u8> = "积分制管理".repeat(40_000).into_bytes();
        fs::write(&path, &body).unwrap();
        assert_eq!(
            hash_file(&path).unwrap(),
            (content_hash(&body), body.len() as u64)
        );
    }

    #[test]
    fn state_round_trips_and_missing_state_is_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()), None);
        let s = state(&[("a.txt", "1")]);
        save(dir.path(), &s).unwrap();
        assert_eq!(load(dir.path()), Some(s));
    }
}
