//! The index folder: complete generations (`gen-…/`, each a tantivy index)
//! and a `CURRENT` file naming the one readers use. A new generation is built
//! beside the old one and `CURRENT` is switched by an atomic rename, so an
//! interrupted ingest never leaves a broken index. `.ingest.lock` (an OS file
//! lock, released when the process dies) keeps two ingests apart.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::Index;

use super::schema::SCHEMA_VERSION;
use super::tokenizer::{dictionary_version, JiebaTokenizer, TOKENIZER_NAME};
use crate::error::{Error, Result};

const CURRENT: &str = "CURRENT";
const MANIFEST: &str = "govkb.json";
const LOCK: &str = ".ingest.lock";

/// What built a generation, stored beside its tantivy files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Schema version.
    pub schema_version: u32,
    /// Dictionary fingerprint.
    pub dictionary: String,
    /// govkb version.
    pub govkb_version: String,
    /// Build time, seconds since the epoch.
    pub built_at: u64,
    /// Corpus folder the index was built from.
    pub corpus: String,
    /// Documents indexed.
    pub documents: usize,
    /// Records indexed, all kinds.
    pub records: usize,
}

/// Register govkb's tokenizer on an index (every process that opens one must).
pub fn register_tokenizer(index: &Index) {
    index
        .tokenizers()
        .register(TOKENIZER_NAME, JiebaTokenizer::analyzer());
}

/// The lock held while an ingest writes into an index folder.
pub struct IngestLock {
    _file: File,
}

/// Take the ingest lock of `dir` (creating the folder), or say who holds it.
pub fn lock(dir: &Path) -> Result<IngestLock> {
    fs::create_dir_all(dir)
        .map_err(|e| Error::Index(format!("cannot create index folder {}: {e}", dir.display())))?;
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(LOCK))
        .map_err(|e| Error::Index(format!("cannot open {}: {e}", dir.join(LOCK).display())))?;
    match file.try_lock() {
        Ok(()) => Ok(IngestLock { _file: file }),
        Err(fs::TryLockError::WouldBlock) => Err(Error::Index(format!(
            "another govkb ingest is writing to {}; wait for it to finish",
            dir.display()
        ))),
        Err(fs::TryLockError::Error(e)) => {
            Err(Error::Index(format!("cannot lock {}: {e}", dir.display())))
        }
    }
}

/// A generation folder being built (`gen-….building`). Dropped before
/// [`publish`], it is removed, so a failed ingest leaves nothing behind.
pub struct Building {
    path: PathBuf,
}

impl Building {
    /// The folder the new generation is written in.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Building {
    fn drop(&mut self) {
        if self.path.exists() {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// A fresh, empty folder for a generation.
pub fn new_generation(dir: &Path) -> Result<Building> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let path = dir.join(format!("gen-{nanos:020}.building"));
    fs::create_dir_all(&path)?;
    Ok(Building { path })
}

/// A new generation starting as a copy of the complete generation `from`:
/// tantivy's segment files never change once written, so they are
/// hard-linked (copied where links fail); the files tantivy rewrites
/// (`meta.json`, `.managed.json`) are copied. Changing the new generation
/// leaves `from` exactly as readers see it.
pub fn branch_generation(dir: &Path, from: &Path) -> Result<Building> {
    let building = new_generation(dir)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let text = name.to_string_lossy();
        if text.starts_with(".tantivy-") || text == MANIFEST || !entry.file_type()?.is_file() {
            continue;
        }
        let target = building.path.join(&name);
        let rewritten = text == "meta.json" || text == ".managed.json";
        if rewritten || fs::hard_link(entry.path(), &target).is_err() {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(building)
}

/// Seal a built generation: write its manifest, rename it complete, point
/// `CURRENT` at it atomically, and remove older generations and leftovers.
pub fn publish(dir: &Path, building: Building, manifest: &Manifest) -> Result<PathBuf> {
    let path = building.path.clone();
    fs::write(path.join(MANIFEST), serde_json::to_vec_pretty(manifest)?)?;
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_suffix(".building"))
        .ok_or_else(|| {
            Error::Index(format!(
                "{} is not a generation being built",
                path.display()
            ))
        })?
        .to_string();
    let done = dir.join(&name);
    fs::rename(&path, &done)?;
    let tmp = dir.join(format!("{CURRENT}.tmp"));
    {
        let mut f = File::create(&tmp)?;
        f.write_all(name.as_bytes())?;
        f.sync_all()?;
    }
    fs::rename(&tmp, dir.join(CURRENT))?;
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    remove_stale(dir, &name);
    Ok(done)
}

/// Remove generations other than `keep` and unfinished builds (whose ingest died).
fn remove_stale(dir: &Path, keep: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("gen-") && name != keep {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}

/// Whether `dir` has a `CURRENT` generation (complete or not).
pub fn has_current(dir: &Path) -> bool {
    dir.join(CURRENT).exists()
}

/// The generation `CURRENT` names, with its manifest.
pub fn current(dir: &Path) -> Result<(PathBuf, Manifest)> {
    let missing = || {
        Error::Index(format!(
            "no index at {}: build one with `govkb ingest CORPUS --index {}`",
            dir.display(),
            dir.display()
        ))
    };
    let name = fs::read_to_string(dir.join(CURRENT)).map_err(|_| missing())?;
    let gen = dir.join(name.trim());
    let manifest: Manifest = fs::read(gen.join(MANIFEST))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(missing)?;
    if manifest.schema_version != SCHEMA_VERSION || manifest.dictionary != dictionary_version() {
        return Err(Error::Index(format!(
            "the index at {} was built by another govkb version or dictionary; rebuild it with `govkb ingest`",
            dir.display()
        )));
    }
    Ok((gen, manifest))
}

/// Open the current generation for reading, tokenizer registered.
pub fn open(dir: &Path) -> Result<(Index, PathBuf, Manifest)> {
    let (gen, manifest) = current(dir)?;
    let index = Index::open_in_dir(&gen).map_err(|e| {
        Error::Index(format!(
            "cannot open index {}: {e}; rebuild it with `govkb ingest`",
            gen.display()
        ))
    })?;
    register_tokenizer(&index);
    Ok((index, gen, manifest))
}
