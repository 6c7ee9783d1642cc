//! The corpus state a generation was built from — each file's content hash,
//! document id and [`Stamp`] — so the next ingest re-reads only what changed,
//! and hashes only files whose stamp changed.

use std::collections::BTreeMap;
use std::fs::{self, File, Metadata};
use std::io::Read;
use std::path::Path;
use std::time::{Duration, SystemTime};

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
    /// The file's stamp when it was hashed, if settled then: while the file
    /// still has it, the next ingest takes `hash` without reading the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stamp: Option<Stamp>,
}

impl FileState {
    /// Whether two states describe the same indexed content (the same hash,
    /// size, document id and original), whatever their stamps.
    pub fn same_content(&self, other: &FileState) -> bool {
        (&self.hash, self.bytes, &self.doc_id, &self.duplicate_of)
            == (&other.hash, other.bytes, &other.doc_id, &other.duplicate_of)
    }

    /// The file as this state recorded it, with the stamp it has now: taken
    /// unread while its stamp holds, or kept when it cannot be read.
    pub fn as_hashed(&self, stamp: Option<Stamp>) -> Hashed {
        Hashed {
            hash: self.hash.clone(),
            bytes: self.bytes,
            stamp,
        }
    }
}

/// Whether two corpus states list the same files with the same indexed
/// content, whatever their stamps.
pub fn same_content(a: &CorpusState, b: &CorpusState) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|((p, s), (q, t))| p == q && s.same_content(t))
}

/// What tells a file's version apart without reading it, as git's index
/// does: its device, inode, size, and modification and status-change times
/// (nanoseconds since the epoch). Writing the file changes both times,
/// replacing it changes the inode, and the status-change time cannot be set
/// back, so a file with the stamp it had when hashed has the same content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    dev: u64,
    ino: u64,
    bytes: u64,
    mtime_ns: i64,
    ctime_ns: i64,
}

/// How long after its last change a file's stamp is trusted. A write in the
/// same tick of the file system's clock as the stamp (2 s on FAT) would keep
/// its times, so a file changed this recently is hashed again next time.
const SETTLE: Duration = Duration::from_secs(2);

impl Stamp {
    /// The stamp of a file's metadata; `None` where the platform has no
    /// inode or status-change time (every ingest then hashes the file).
    #[cfg(unix)]
    fn of(meta: &Metadata) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        let ns = |s: i64, n: i64| s.saturating_mul(1_000_000_000).saturating_add(n);
        Some(Stamp {
            dev: meta.dev(),
            ino: meta.ino(),
            bytes: meta.size(),
            mtime_ns: ns(meta.mtime(), meta.mtime_nsec()),
            ctime_ns: ns(meta.ctime(), meta.ctime_nsec()),
        })
    }

    #[cfg(not(unix))]
    fn of(_meta: &Metadata) -> Option<Stamp> {
        None
    }

    /// Whether the file last changed at least [`SETTLE`] before `now`, so
    /// any write after `now` shows in its stamp.
    fn settled(&self, now: SystemTime) -> bool {
        let Ok(now) = now.duration_since(SystemTime::UNIX_EPOCH) else {
            return false;
        };
        let limit = i64::try_from(now.saturating_sub(SETTLE).as_nanos()).unwrap_or(i64::MAX);
        self.mtime_ns < limit && self.ctime_ns < limit
    }
}

/// A corpus file as this ingest found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hashed {
    /// Content hash, as [`content_hash`] gives it.
    pub hash: String,
    /// Size in bytes.
    pub bytes: u64,
    /// The stamp to keep for the file, if settled.
    pub stamp: Option<Stamp>,
}

impl Hashed {
    /// The state to record for this file: indexed as document `doc_id`, or
    /// an exact duplicate of the file `duplicate_of`.
    pub fn state(&self, doc_id: Option<String>, duplicate_of: Option<String>) -> FileState {
        FileState {
            hash: self.hash.clone(),
            bytes: self.bytes,
            doc_id,
            duplicate_of,
            stamp: self.stamp,
        }
    }
}

/// Hash a corpus file, unless it still has the settled stamp it had when
/// `indexed` was recorded: then its hash is taken from there unread. The
/// file's stamp is kept only if it had settled by `since`, a time no later
/// than this call (the ingest's start).
pub fn hash_if_changed(
    path: &Path,
    indexed: Option<&FileState>,
    since: SystemTime,
) -> std::io::Result<Hashed> {
    let stamp = Stamp::of(&fs::metadata(path)?);
    if let Some(s) = indexed.filter(|s| s.stamp.is_some() && s.stamp == stamp) {
        return Ok(s.as_hashed(stamp));
    }
    // The stamp is taken before reading: a write during the read changes
    // the file's times, so the next ingest hashes it again.
    let (hash, bytes) = hash_file(path)?;
    Ok(Hashed {
        hash,
        bytes,
        stamp: stamp.filter(|s| s.settled(since) && s.bytes == bytes),
    })
}

/// Indexed files by path relative to the corpus.
pub type CorpusState = BTreeMap<String, FileState>;

/// Content hash of a file's bytes.
pub fn content_hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Content hash and size of a file, read in chunks (memory stays small for huge files).
pub fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    thread_local! {
        /// One read buffer per hashing thread, not a fresh zeroed one per file.
        static BUF: std::cell::RefCell<Vec<u8>> = std::cell::RefCell::new(vec![0u8; 256 * 1024]);
    }
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let bytes = BUF.with_borrow_mut(|buf| {
        let mut bytes = 0u64;
        loop {
            let n = file.read(buf)?;
            if n == 0 {
                return Ok::<_, std::io::Error>(bytes);
            }
            hasher.update(&buf[..n]);
            bytes += n as u64;
        }
    })?;
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
                        stamp: None,
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

    /// A time after every file a test writes has settled.
    fn later() -> SystemTime {
        SystemTime::now() + Duration::from_secs(60)
    }

    #[test]
    fn a_file_with_its_settled_stamp_is_not_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("通知.txt");
        fs::write(&path, "积分制管理").unwrap();
        let first = hash_if_changed(&path, None, later()).unwrap();
        assert_eq!(first.hash, content_hash("积分制管理".as_bytes()));
        assert_eq!(first.bytes, 15);
        // A hash no content has: only the stamp can lead to it.
        let indexed = FileState {
            hash: "recorded".to_string(),
            bytes: first.bytes,
            doc_id: Some("通知".to_string()),
            duplicate_of: None,
            stamp: first.stamp,
        };
        assert!(indexed.stamp.is_some());
        let again = hash_if_changed(&path, Some(&indexed), later()).unwrap();
        assert_eq!(again.hash, "recorded");
        assert_eq!(again.stamp, first.stamp);
        // Rewritten, or replaced by a file of the same size: read again.
        fs::write(&path, "积分制管理办法").unwrap();
        let changed = hash_if_changed(&path, Some(&indexed), later()).unwrap();
        assert_eq!(changed.hash, content_hash("积分制管理办法".as_bytes()));
        let replacement = dir.path().join("new.txt");
        fs::write(&replacement, "清单制管理").unwrap();
        fs::rename(&replacement, &path).unwrap();
        let replaced = hash_if_changed(&path, Some(&indexed), later()).unwrap();
        assert_eq!(replaced.hash, content_hash("清单制管理".as_bytes()));
    }

    #[test]
    fn a_file_changed_within_the_settle_time_keeps_no_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.txt");
        fs::write(&path, "简报").unwrap();
        let hashed = hash_if_changed(&path, None, SystemTime::now()).unwrap();
        assert_eq!(hashed.hash, content_hash("简报".as_bytes()));
        assert_eq!(hashed.stamp, None);
        let missing = hash_if_changed(&dir.path().join("gone.txt"), None, later());
        assert!(missing.is_err());
    }

    #[test]
    fn same_content_ignores_stamps_only() {
        let a = state(&[("a.txt", "1")])["a.txt"].clone();
        let stamped = FileState {
            stamp: Some(Stamp {
                dev: 1,
                ino: 2,
                bytes: 1,
                mtime_ns: 3,
                ctime_ns: 4,
            }),
            ..a.clone()
        };
        assert!(a.same_content(&stamped));
        assert_ne!(a, stamped);
        let listed = |s: &FileState| CorpusState::from([("a.txt".to_string(), s.clone())]);
        assert!(same_content(&listed(&a), &listed(&stamped)));
        assert!(!same_content(&listed(&a), &state(&[("b.txt", "1")])));
        assert!(!same_content(&listed(&a), &CorpusState::new()));
        let other_hash = FileState {
            hash: "2".to_string(),
            ..a.clone()
        };
        assert!(!a.same_content(&other_hash));
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
