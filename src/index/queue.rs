//! Back-pressure between the parsers and tantivy's indexing threads.
//!
//! Each file's records go to tantivy as one batch (so they stay together in
//! one segment, and the store compresses the sentences they share). tantivy
//! queues up to 10,000 batches, which with whole files is the whole corpus:
//! the parsers, faster than the indexer, filled memory with waiting records.
//! [`InFlight`] counts the records handed to tantivy and not yet indexed, and
//! makes the ingest wait while too many are.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use tantivy::schema::document::CompactDocValue;
use tantivy::schema::{Document, Field};
use tantivy::TantivyDocument;

/// Records handed to tantivy and not yet indexed, with a limit.
pub struct InFlight {
    state: Mutex<State>,
    freed: Condvar,
    limit: usize,
    stall: Duration,
}

/// How long the ingest waits without tantivy indexing a single record
/// before it hands the next batch over anyway: a writer that died (a full
/// disk) then reports its error instead of the ingest waiting forever.
const STALL: Duration = Duration::from_secs(30);

/// Records in flight, and whether the ingest waits for room.
#[derive(Default)]
struct State {
    count: usize,
    waiting: bool,
}

impl InFlight {
    /// A counter that lets at most `limit` records wait (a larger batch is
    /// let in alone).
    pub fn new(limit: usize) -> Arc<InFlight> {
        Self::with_stall(limit, STALL)
    }

    fn with_stall(limit: usize, stall: Duration) -> Arc<InFlight> {
        Arc::new(InFlight {
            state: Mutex::default(),
            freed: Condvar::new(),
            limit,
            stall,
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wait until `docs` more records fit (or tantivy has indexed nothing for
    /// [`STALL`]), then hand them out, each counted until tantivy has indexed
    /// (dropped) it.
    pub fn admit(
        self: &Arc<Self>,
        docs: Vec<TantivyDocument>,
    ) -> impl ExactSizeIterator<Item = QueuedDoc> {
        let mut state = self.lock();
        while state.count > 0 && state.count + docs.len() > self.limit {
            state.waiting = true;
            let (next, wait) = self
                .freed
                .wait_timeout(state, self.stall)
                .unwrap_or_else(|e| e.into_inner());
            state = next;
            if wait.timed_out() {
                break;
            }
        }
        state.waiting = false;
        state.count += docs.len();
        drop(state);
        let queue = Arc::clone(self);
        docs.into_iter().map(move |doc| QueuedDoc {
            doc,
            queue: Arc::clone(&queue),
        })
    }

    /// Records waiting now.
    #[cfg(test)]
    fn waiting(&self) -> usize {
        self.lock().count
    }

    fn release(&self) {
        let mut state = self.lock();
        state.count = state.count.saturating_sub(1);
        // Wake the ingest once half the room is free (or all of it, for a
        // batch larger than half).
        if state.waiting && (state.count <= self.limit / 2 || state.count == 0) {
            self.freed.notify_one();
        }
    }
}

/// A record on its way to tantivy: counted in its [`InFlight`] until
/// dropped, which tantivy does once it has indexed it.
pub struct QueuedDoc {
    doc: TantivyDocument,
    queue: Arc<InFlight>,
}

impl Drop for QueuedDoc {
    fn drop(&mut self) {
        self.queue.release();
    }
}

impl Document for QueuedDoc {
    type Value<'a> = CompactDocValue<'a>;
    type FieldsValuesIter<'a> = Box<dyn Iterator<Item = (Field, CompactDocValue<'a>)> + 'a>;

    fn iter_fields_and_values(&self) -> Self::FieldsValuesIter<'_> {
        Box::new(self.doc.iter_fields_and_values())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn admits_up_to_the_limit_and_waits_for_indexed_records() {
        let queue = InFlight::new(4);
        let first: Vec<QueuedDoc> = queue.admit(vec![TantivyDocument::new(); 3]).collect();
        assert_eq!(queue.waiting(), 3);
        let (tx, rx) = std::sync::mpsc::channel();
        let q = Arc::clone(&queue);
        let waiter = std::thread::spawn(move || {
            let second: Vec<QueuedDoc> = q.admit(vec![TantivyDocument::new(); 2]).collect();
            tx.send(second.len()).unwrap();
        });
        // 3 + 2 exceed 4: the second batch waits until records are indexed.
        assert!(rx.recv_timeout(Duration::from_millis(100)).is_err());
        drop(first);
        assert_eq!(rx.recv_timeout(Duration::from_secs(5)), Ok(2));
        waiter.join().unwrap();
        assert_eq!(queue.waiting(), 0);
        // A batch larger than the limit goes in alone.
        let big: Vec<QueuedDoc> = queue.admit(vec![TantivyDocument::new(); 9]).collect();
        assert_eq!(queue.waiting(), 9);
        drop(big);
        assert_eq!(queue.waiting(), 0);
    }

    #[test]
    fn a_stalled_indexer_does_not_hold_the_ingest_forever() {
        let queue = InFlight::with_stall(2, Duration::from_millis(50));
        let stuck: Vec<QueuedDoc> = queue.admit(vec![TantivyDocument::new(); 2]).collect();
        let more: Vec<QueuedDoc> = queue.admit(vec![TantivyDocument::new(); 2]).collect();
        assert_eq!(queue.waiting(), 4);
        drop((stuck, more));
        assert_eq!(queue.waiting(), 0);
    }
}
