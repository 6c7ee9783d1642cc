//! The fast paths of issue 8 give the same results as the plain ones: a
//! one-shot search with its small per-query dictionary finds exactly what the
//! full dictionary finds (ids, scores, snippets, totals). And `govkb bench`
//! measures what it says on the sample corpus.

mod common;

use std::sync::Arc;

use govkb::search::{KnowledgeBase, SearchRequest};

const QUERIES: &[&str] = &[
    "积分制",
    "乡村振兴 积分制",
    "驻村工作队管理",
    "驻村工作队 管理",
    "扶贫小额贷款",
    "防返贫",
    "两不愁三保障",
    "\"巩固拓展脱贫攻坚成果\"",
    "医疗保障 -光伏",
    "+医保 参保",
    "区人社局负责的任务",
    "候鸟党员",
    "ＡＢＣ 乡村治理",
    "2023年 村集体经济",
    "量子计算",
];

#[test]
fn small_query_dictionary_finds_what_the_full_one_finds() {
    let dir = common::index_dir();
    let full = KnowledgeBase::open(dir).expect("open");
    for q in QUERIES {
        let small = KnowledgeBase::open_with_dictionary(
            dir,
            Arc::new(KnowledgeBase::query_dictionary(&[q])),
        )
        .expect("open with a small dictionary");
        let req = SearchRequest::new(*q);
        let (a, b) = (full.search(&req), small.search(&req));
        match (a, b) {
            (Ok(a), Ok(b)) => {
                assert_eq!((a.total, a.relaxed), (b.total, b.relaxed), "{q}");
                let key = |r: &govkb::search::SearchResults| {
                    r.hits
                        .iter()
                        .map(|h| (h.record.id.clone(), h.score.to_bits(), h.snippet.clone()))
                        .collect::<Vec<_>>()
                };
                assert_eq!(key(&a), key(&b), "{q}");
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{q}"),
            (a, b) => panic!("{q}: {:?} vs {:?}", a.map(|r| r.total), b.map(|r| r.total)),
        }
    }
}

#[test]
fn bench_measures_every_figure_on_the_sample_corpus() {
    let work = tempfile::tempdir().expect("temp");
    let queries = work.path().join("queries.txt");
    std::fs::write(
        &queries,
        "积分制\n驻村工作队 管理\n\"巩固拓展脱贫攻坚成果\"\n",
    )
    .expect("queries");
    let scratch = work.path().join("scratch");
    // `govkb bench` on the sample corpus and these queries, in `scratch`.
    let bench = |args: &[&str]| {
        common::json_output(
            std::process::Command::new(common::bin())
                .arg("bench")
                .arg(common::corpus())
                .arg("--queries")
                .arg(&queries)
                .args(["--runs", "1", "--json", "--work"])
                .arg(&scratch)
                .args(args),
        )
    };
    let r = bench(&["--cold-runs", "2"]);
    let ingest = &r["ingest"];
    assert_eq!(ingest["files"], 5);
    assert_eq!(ingest["records_by_kind"]["document"], 5);
    assert_eq!(ingest["failed"], 0);
    assert!(ingest["mb_per_s"].as_f64().expect("MB/s") > 0.0);
    // The re-ingests found the index up to date (the bench fails otherwise).
    assert_eq!(ingest["recheck"]["runs"], 2);
    assert!(ingest["recheck"]["median_ms"].as_f64().expect("ms") > 0.0);
    assert_eq!(r["query"]["queries"], 3);
    assert_eq!(r["query"]["queries_with_hits"], 3);
    assert_eq!(r["query"]["errors"], 0);
    assert_eq!(r["cold"]["runs"], 2);
    assert_eq!(r["cold"]["small_dictionary_mismatches"], 0);
    assert_eq!(r["http"]["status"], "ok");
    assert_eq!(r["http"]["errors"], 0);
    assert_eq!(r["query"]["per_article"], serde_json::Value::Null);

    // The same queries again on that index, at most one hit per article.
    let r = bench(&["--cold-runs", "1", "--queries-only", "--per-article", "1"]);
    assert_eq!(r["query"]["per_article"], 1);
    assert_eq!(r["query"]["queries_with_hits"], 3);
    assert_eq!(r["query"]["errors"], 0);
    assert_eq!(r["http"]["errors"], 0);
}
