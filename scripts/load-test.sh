#!/usr/bin/env bash
# Load test of `govkb serve`'s /api/search, from a second process, loopback only.
#
#   scripts/load-test.sh [CORPUS] [DURATION_S] [CONNECTIONS]
#
# Builds release binaries, indexes CORPUS (default corpus/; for a make-corpus
# folder its docs/ are indexed and its queries.txt is used) into a temporary
# folder, starts the server on a free loopback port, runs
# examples/loadtest.rs against it for DURATION_S seconds (default 10) with
# CONNECTIONS keep-alive connections (default 4), and prints requests/s and
# p50/p90/p99 latency.
set -euo pipefail
cd "$(dirname "$0")/.."

corpus=${1:-corpus}
duration=${2:-10}
connections=${3:-4}
docs=$corpus
queries=()
if [ -d "$corpus/docs" ]; then docs=$corpus/docs; fi
if [ -f "$corpus/queries.txt" ]; then queries=(--queries "$corpus/queries.txt"); fi

cargo build --release --quiet --bin govkb --example loadtest
work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

target/release/govkb ingest "$docs" --index "$work/index" --quiet
target/release/govkb serve --index "$work/index" --addr 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
server=$!
url=
for _ in $(seq 100); do
  url=$(grep -o 'http://[0-9.:]*' "$work/serve.out" || true)
  [ -n "$url" ] && break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "the server did not start:" >&2
  cat "$work/serve.err" >&2
  exit 1
fi

target/release/examples/loadtest --url "$url" --duration "$duration" --connections "$connections" "${queries[@]}"
