#!/usr/bin/env bash
# govkb against the peer baselines, on one synthetic corpus, in one go.
#
#   bench/compare.sh [SIZE_MB] [CORPUS_DIR]
#
# Builds govkb (release), makes CORPUS_DIR with ../shared/bench/make-corpus
# (default ${TMPDIR:-/tmp}/govkb-bench/cSIZE_MB, seed 1; reused when it exists),
# runs `govkb bench` then ../shared/bench/peers/run_all.sh on it, and prints one
# table of all of them with the ratios govkb/peer.
#
# Env: PEERS   peers for run_all.sh (default: all of them; e.g. "sqlite tantivy-ngram2 lucene")
#      RUNS    govkb ingest runs and query passes (default 3); PASSES the peers' query passes (3)
#      OUT     results folder (default ${TMPDIR:-/tmp}/govkb-bench/results-SIZE_MB-TIMESTAMP)
#      SHARED  the shared folder (default ../shared beside the repository)
#      NO_BUILD=1 skips cargo build; GOVKB_BENCH_ARGS adds arguments to `govkb bench`.
#      PAIRED_ROUNDS rounds of paired ingests (default 3; 0 skips them): each round
#      runs `govkb ingest --full` and then each of PAIRED_PEERS (default
#      "tantivy-ngram2 sphinx", the fastest correct peers) right after it, so each
#      ingest ratio compares runs made seconds apart. This machine's speed drifts by
#      up to 2x within minutes; the first table's govkb and peer runs are minutes apart.
# Output: OUT/govkb.json, OUT/govkb.txt, OUT/results.jsonl (peers), OUT/paired.jsonl
#      (paired rounds), OUT/compare.md (the tables).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
SIZE=${1:-10}
SHARED=${SHARED:-$REPO/../shared}
BASE=${TMPDIR:-/tmp}/govkb-bench
CORPUS=${2:-$BASE/c$SIZE}
OUT=${OUT:-$BASE/results-$SIZE-$(date -u +%Y%m%dT%H%M%S)}
RUNS=${RUNS:-3}
mkdir -p "$OUT" "$BASE"

[ -x "$SHARED/bench/make-corpus" ] || { echo "compare.sh: no $SHARED/bench/make-corpus; set SHARED" >&2; exit 2; }
if [ -z "${NO_BUILD:-}" ]; then
  (cd "$REPO" && cargo build --release --quiet)
fi
GOVKB=$REPO/target/release/govkb
if [ ! -f "$CORPUS/queries.txt" ]; then
  "$SHARED/bench/make-corpus" --size-mb "$SIZE" --seed 1 "$CORPUS"
fi

echo "== govkb bench ($(date -u +%H:%M:%S)) on $CORPUS" >&2
# shellcheck disable=SC2086
"$GOVKB" bench "$CORPUS" --runs "$RUNS" --phases --json ${GOVKB_BENCH_ARGS:-} >"$OUT/govkb.json"
python3 - "$OUT/govkb.json" >"$OUT/govkb.txt" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(json.dumps({k: r[k] for k in ("mb_per_s", "index_ratio", "peak_rss_mb", "q_p50_ms", "q_p99_ms", "cold_search_ms")}))
PY
cat "$OUT/govkb.txt" >&2

echo "== peers ($(date -u +%H:%M:%S))" >&2
# shellcheck disable=SC2086
OUT="$OUT" WORK="${WORK:-${TMPDIR:-/tmp}/govkb-peers}" "$SHARED/bench/peers/run_all.sh" "$CORPUS" ${PEERS:-} >/dev/null || true

PAIRED_ROUNDS=${PAIRED_ROUNDS:-3}
PAIRED_PEERS=${PAIRED_PEERS:-tantivy-ngram2 sphinx}
: >"$OUT/paired.jsonl"
for round in $(seq 1 "$PAIRED_ROUNDS"); do
  echo "== paired round $round/$PAIRED_ROUNDS ($(date -u +%H:%M:%S))" >&2
  rm -rf "$OUT/paired-index"
  if "$GOVKB" ingest --full --json --quiet --index "$OUT/paired-index" "$CORPUS/docs" >"$OUT/paired-govkb.json"; then
    python3 - "$OUT/paired-govkb.json" "$round" >>"$OUT/paired.jsonl" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(json.dumps({"round": int(sys.argv[2]), "peer": "govkb", "mb_per_s": round(r["bytes"] / 1048576 / r["seconds"], 2)}))
PY
  fi
  for peer in $PAIRED_PEERS; do
    rm -f "$OUT/paired-peer/results.jsonl"
    # shellcheck disable=SC2086
    PASSES=1 WARMUP=0 OUT="$OUT/paired-peer" WORK="${WORK:-${TMPDIR:-/tmp}/govkb-peers}" \
      "$SHARED/bench/peers/run_all.sh" "$CORPUS" "$peer" >/dev/null 2>&1 || true
    python3 - "$OUT/paired-peer/results.jsonl" "$round" >>"$OUT/paired.jsonl" <<'PY'
import json, os, sys
if os.path.exists(sys.argv[1]):
    for line in open(sys.argv[1]):
        r = json.loads(line)
        if r.get("mb_per_s"):
            print(json.dumps({"round": int(sys.argv[2]), "peer": r["peer"], "mb_per_s": r["mb_per_s"]}))
PY
  done
  rm -rf "$OUT/paired-index"
done

python3 - "$OUT/govkb.json" "$OUT/results.jsonl" "$OUT/paired.jsonl" >"$OUT/compare.md" <<'PY'
import json, os, sys
g = json.load(open(sys.argv[1]))
peers = []
if os.path.exists(sys.argv[2]):
    for line in open(sys.argv[2]):
        line = line.strip()
        if line:
            peers.append(json.loads(line))

def f(x, d=2):
    return "—" if x is None else f"{x:.{d}f}"

def ratio(a, b, d=2):
    return "—" if a is None or not b else f"{a / b:.{d}f}"

q = g["query"]
print(f"Corpus: {g['corpus']} ({g['input_mb']} MiB, {g['ingest']['files']} files, {q['queries']} queries), "
      f"{g['cores']} cores. govkb {g['version']}: {g['ingest']['records']} records "
      f"({', '.join(f'{k} {v}' for k, v in g['ingest']['records_by_kind'].items())}).")
print()
print("| system | ingest MB/s | index ÷ input | p50 / p99 ms | snippets | peak RSS MB | queries with hits |")
print("|---|---|---|---|---|---|---|")
print(f"| **govkb** | {f(g['mb_per_s'])} | {f(g['index_ratio'])} | {f(g['q_p50_ms'], 3)} / {f(g['q_p99_ms'], 3)} | yes "
      f"| {f(g['peak_rss_mb'], 0)} | {q['queries_with_hits']} |")
rows = []
for p in peers:
    if p.get("skipped"):
        print(f"| {p['peer']} | skipped: {p.get('reason', '')[:80]} | | | | | |")
        continue
    idx = p["index_mb"] / p["input_mb"] if p.get("input_mb") else None
    print(f"| {p['peer']} | {f(p.get('mb_per_s'))} | {f(idx)} | {f(p.get('q_p50_ms'), 3)} / {f(p.get('q_p99_ms'), 3)} "
          f"| {'yes' if p.get('snippets') else 'no'} | {f(p.get('peak_rss_mb'), 0)} | {p.get('q_detail', p.get('q_nosnip_detail', {})).get('queries_with_hits', '—')} |")
    rows.append((p, idx))
print()
print("Ratios govkb ÷ peer (ingest: >1 means govkb is faster; index, p50, p99: <1 means govkb is smaller/faster). "
      "Latencies are compared with the peer's snippet figures where it has them, else its figures without snippets.")
print()
print("| peer | ingest MB/s | index size | p50 | p99 | peak RSS |")
print("|---|---|---|---|---|---|")
for p, idx in rows:
    print(f"| {p['peer']}{'' if p.get('snippets') else ' (no snippets)'} | {ratio(g['mb_per_s'], p.get('mb_per_s'))} "
          f"| {ratio(g['index_ratio'], idx)} | {ratio(g['q_p50_ms'], p.get('q_p50_ms'))} | {ratio(g['q_p99_ms'], p.get('q_p99_ms'))} "
          f"| {ratio(g['peak_rss_mb'], p.get('peak_rss_mb'))} |")
print()
c = g["cold"]
print(f"govkb cold CLI search: median {c['median_ms']} ms over {c['runs']} processes (Jieba::new() {c['jieba_load_ms']} ms); "
      f"ingest as a CLI process {f(g['ingest'].get('child_wall_s'))} s; ingest CPU {f(g['ingest'].get('cpu_s'))} s; "
      f"re-ingest with nothing changed {f((g['ingest'].get('recheck') or {}).get('median_ms'))} ms; "
      f"HTTP /api/search: " + (f"{g['http']['rps']} requests/s, p50 {g['http']['p50_ms']} / p99 {g['http']['p99_ms']} ms "
                               f"({g['http']['clients']} keep-alive clients)" if 'rps' in g['http'] else str(g['http'].get('status'))) + ".")
paired = [json.loads(l) for l in open(sys.argv[3]) if l.strip()] if os.path.exists(sys.argv[3]) else []
if paired:
    def median(xs):
        xs = sorted(xs)
        n = len(xs)
        return None if n == 0 else (xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2)
    own = {r["round"]: r["mb_per_s"] for r in paired if r["peer"] == "govkb"}
    print()
    print(f"Paired ingests ({len(own)} rounds; in each, `govkb ingest --full` and then each peer right after it). "
          "Ratio govkb ÷ peer, >1 means govkb is faster.")
    print()
    print("| peer | govkb MB/s, rounds | peer MB/s, rounds | ratio per round | median ratio |")
    print("|---|---|---|---|---|")
    for name in dict.fromkeys(r["peer"] for r in paired if r["peer"] != "govkb"):
        theirs = [r for r in paired if r["peer"] == name and r["round"] in own]
        ratios = [own[r["round"]] / r["mb_per_s"] for r in theirs]
        print(f"| {name} | {', '.join(f(own[r['round']]) for r in theirs)} | {', '.join(f(r['mb_per_s']) for r in theirs)} "
              f"| {', '.join(f(x) for x in ratios)} | {f(median(ratios))} |")
    print()
ph = g.get("phases")
if ph:
    print(f"govkb one-thread phases (CPU s): read+normalise+parse {ph['read_normalize_parse_s']}, "
          f"records+extract {ph['records_extract_s']}, record→document {ph['to_document_s']}, tokenize {ph['tokenize_s']}, "
          f"rest (tantivy index, store, commit) ≈ {ph.get('index_commit_cpu_s_estimate')}; "
          f"{ph['tokenized_bytes'] / 1048576:.1f} MiB tokenized, {ph['stored_json_bytes'] / 1048576:.1f} MiB JSON stored.")
PY
cat "$OUT/compare.md"
echo "(results in $OUT)" >&2
