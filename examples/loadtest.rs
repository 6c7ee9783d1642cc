//! Load test for `govkb serve`, run as a second process: several keep-alive
//! connections send `GET /api/search` for a fixed time, then requests/s and
//! latency percentiles are printed. Loopback addresses only.
//!
//! ```sh
//! cargo run --release --example loadtest -- --url http://127.0.0.1:8080 \
//!     --duration 10 --connections 4 [--queries queries.txt] [--json]
//! ```
//! `scripts/load-test.sh` builds an index, starts the server and runs this.

#[path = "../tests/serve/client.rs"]
mod client;

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Parser;
use client::{encode, Conn};

/// Queries used when no `--queries` file is given.
const QUERIES: &[&str] = &[
    "积分制",
    "光伏扶贫",
    "驻村工作队管理",
    "乡村振兴",
    "医疗保障",
    "农村集体经济",
    "\"巩固拓展脱贫攻坚成果\"",
    "乡村治理 积分",
    "扶贫小额贷款",
    "劳务品牌",
];

#[derive(Parser)]
#[command(about = "Load test for govkb serve's /api/search (loopback only)")]
struct Args {
    /// Server base URL, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    url: String,
    /// Seconds to run.
    #[arg(long, default_value_t = 10.0)]
    duration: f64,
    /// Concurrent keep-alive connections (one thread each).
    #[arg(long, default_value_t = 4)]
    connections: usize,
    /// Queries, one a line (default: ten built-in ones).
    #[arg(long)]
    queries: Option<PathBuf>,
    /// Hits per request.
    #[arg(long, default_value_t = 10)]
    limit: usize,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

/// What one connection saw.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    errors: usize,
    first_error: Option<String>,
}

fn loopback(url: &str) -> Result<SocketAddr, String> {
    let hostport = url
        .strip_prefix("http://")
        .ok_or("only http:// URLs")?
        .trim_end_matches('/');
    let addr = hostport
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {hostport}: {e}"))?
        .next()
        .ok_or_else(|| format!("cannot resolve {hostport}"))?;
    if !addr.ip().is_loopback() {
        return Err(format!(
            "{addr} is not a loopback address; this tool only loads local servers"
        ));
    }
    Ok(addr)
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i] as f64 / 1000.0
}

fn main() -> Result<(), String> {
    let args = Args::parse();
    let addr = loopback(&args.url)?;
    let queries: Vec<String> = match &args.queries {
        Some(f) => std::fs::read_to_string(f)
            .map_err(|e| format!("cannot read {}: {e}", f.display()))?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
        None => QUERIES.iter().map(|q| q.to_string()).collect(),
    };
    if queries.is_empty() {
        return Err("no queries".into());
    }
    let paths: Vec<String> = queries
        .iter()
        .map(|q| format!("/api/search?q={}&limit={}", encode(q), args.limit))
        .collect();
    let run_for = Duration::from_secs_f64(args.duration);
    let started = Instant::now();
    let deadline = started + run_for;
    let threads: Vec<_> = (0..args.connections.max(1))
        .map(|i| {
            let paths = paths.clone();
            std::thread::spawn(move || {
                let mut conn = Conn::new(addr);
                let mut tally = Tally::default();
                let mut next = i * paths.len() / args.connections.max(1);
                while Instant::now() < deadline {
                    let path = &paths[next % paths.len()];
                    next += 1;
                    let t = Instant::now();
                    match conn.get(path) {
                        Ok(r) if r.status == 200 => {
                            tally.latencies_us.push(t.elapsed().as_micros() as u64)
                        }
                        Ok(r) => {
                            tally.errors += 1;
                            tally
                                .first_error
                                .get_or_insert(format!("{path}: {} {}", r.status, r.body));
                        }
                        Err(e) => {
                            tally.errors += 1;
                            tally.first_error.get_or_insert(format!("{path}: {e}"));
                        }
                    }
                }
                tally
            })
        })
        .collect();
    let tallies: Vec<Tally> = threads
        .into_iter()
        .map(|t| t.join().map_err(|_| "a client thread panicked".to_string()))
        .collect::<Result<_, _>>()?;
    let elapsed = started.elapsed().as_secs_f64();
    let mut lat: Vec<u64> = tallies
        .iter()
        .flat_map(|t| t.latencies_us.iter().copied())
        .collect();
    lat.sort_unstable();
    let errors: usize = tallies.iter().map(|t| t.errors).sum();
    let first_error = tallies.iter().find_map(|t| t.first_error.clone());
    let rps = lat.len() as f64 / elapsed;
    let (p50, p90, p99) = (
        percentile(&lat, 0.50),
        percentile(&lat, 0.90),
        percentile(&lat, 0.99),
    );
    let max = lat.last().map_or(0.0, |&m| m as f64 / 1000.0);
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "url": args.url, "connections": args.connections, "seconds": elapsed,
                "queries": queries.len(), "requests": lat.len(), "errors": errors,
                "requests_per_s": rps, "p50_ms": p50, "p90_ms": p90, "p99_ms": p99, "max_ms": max,
            })
        );
    } else {
        println!(
            "/api/search at {}: {} connections, {:.1} s, {} distinct queries",
            args.url,
            args.connections,
            elapsed,
            queries.len()
        );
        println!(
            "requests {} ({errors} errors), {rps:.0} requests/s",
            lat.len()
        );
        println!("latency ms: p50 {p50:.2}  p90 {p90:.2}  p99 {p99:.2}  max {max:.2}");
    }
    if let Some(e) = first_error {
        eprintln!("first error: {e}");
    }
    if errors > 0 {
        return Err(format!("{errors} requests failed"));
    }
    Ok(())
}
