//! The index the server reads, swapped for the new generation when an ingest
//! publishes one. Requests take an `Arc` of the current knowledge base, so a
//! request in flight keeps the generation it started with.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Instant;

use crate::error::Result;
use crate::index::store;
use crate::search::KnowledgeBase;

/// The current generation of an index folder, reloaded on demand.
pub struct LiveIndex {
    dir: PathBuf,
    current: RwLock<Arc<KnowledgeBase>>,
    started: Instant,
    reload_error: Mutex<Option<String>>,
}

impl LiveIndex {
    /// Open the current generation of `dir`.
    pub fn open(dir: &Path) -> Result<LiveIndex> {
        Ok(LiveIndex {
            dir: dir.to_path_buf(),
            current: RwLock::new(Arc::new(KnowledgeBase::open(dir)?)),
            started: Instant::now(),
            reload_error: Mutex::new(None),
        })
    }

    /// The index folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The knowledge base to answer one request with.
    pub fn get(&self) -> Arc<KnowledgeBase> {
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Seconds since the index was first opened.
    pub fn uptime_s(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Why the last reload failed, if it did (the previous generation is still served).
    pub fn reload_error(&self) -> Option<String> {
        self.reload_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Open the generation `CURRENT` names if it is not the one being served,
    /// and serve it from now on. Returns the new generation's folder when it
    /// switched. `CURRENT` only ever names a complete generation, so a
    /// half-built index is never opened; on failure the old one stays.
    pub fn reload_if_changed(&self) -> Result<Option<PathBuf>> {
        let result = self.reload();
        let mut last = self
            .reload_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *last = result.as_ref().err().map(|e| e.to_string());
        result
    }

    fn reload(&self) -> Result<Option<PathBuf>> {
        let (generation, _) = store::current(&self.dir)?;
        if generation == self.get().generation() {
            return Ok(None);
        }
        let kb = Arc::new(KnowledgeBase::open(&self.dir)?);
        let path = kb.generation().to_path_buf();
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = kb;
        Ok(Some(path))
    }
}
