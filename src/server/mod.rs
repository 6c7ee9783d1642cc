//! `govkb serve`: the JSON API and the search page over HTTP (axum on tokio).
//!
//! Handlers only translate HTTP to [`crate::search::KnowledgeBase`] calls and
//! back; the query logic stays in the library. The index is reloaded when an
//! ingest publishes a new generation (see [`live::LiveIndex`]).

pub mod live;
mod routes;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::error::{Error, Result};
use live::LiveIndex;
pub use routes::router;

/// How a server runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Index folder (the one `govkb ingest --index` writes).
    pub index: PathBuf,
    /// Longest time a request may take before it is answered 503.
    pub timeout: Duration,
    /// How often to look for a new index generation.
    pub reload_every: Duration,
}

impl Options {
    /// Defaults for an index folder: 10 s timeout, reload check every second.
    pub fn new(index: impl Into<PathBuf>) -> Options {
        Options {
            index: index.into(),
            timeout: Duration::from_secs(10),
            reload_every: Duration::from_secs(1),
        }
    }
}

/// Serve on `listener` until `shutdown` completes, reloading the index when
/// a new generation appears.
pub async fn serve(
    listener: TcpListener,
    options: Options,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let index = options.index.clone();
    let live = Arc::new(
        tokio::task::spawn_blocking(move || LiveIndex::open(&index))
            .await
            .map_err(|e| Error::Index(format!("opening the index failed: {e}")))??,
    );
    let reloader = tokio::spawn(reload_loop(live.clone(), options.reload_every));
    let app = router(live, options.timeout);
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await;
    reloader.abort();
    Ok(served?)
}

/// Look for a new generation every `every`; say on stderr when one is served
/// or when a reload fails (once per distinct failure).
async fn reload_loop(live: Arc<LiveIndex>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_error = None;
    loop {
        tick.tick().await;
        let l = live.clone();
        let Ok(result) = tokio::task::spawn_blocking(move || l.reload_if_changed()).await else {
            continue;
        };
        match result {
            Ok(Some(generation)) => {
                eprintln!("govkb: serving new index {}", generation.display());
                last_error = None;
            }
            Ok(None) => last_error = None,
            Err(e) => {
                let message = e.to_string();
                if last_error.as_ref() != Some(&message) {
                    eprintln!(
                        "govkb: index reload failed, still serving the previous one: {message}"
                    );
                    last_error = Some(message);
                }
            }
        }
    }
}

/// Run `govkb serve`: listen on `addr`, print the URL on stdout, serve until
/// Ctrl-C or SIGTERM.
pub fn run(index: &Path, addr: &str) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|e| Error::Input(format!("cannot listen on {addr}: {e}")))?;
        let local = listener.local_addr()?;
        // Fail before announcing the URL when there is no index.
        crate::index::store::current(index)?;
        println!(
            "govkb: serving {} at http://{local}/ (Ctrl-C to stop)",
            index.display()
        );
        serve(listener, Options::new(index), shutdown_signal()).await
    })
}

/// Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
