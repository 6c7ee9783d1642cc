//! The `govkb` binary as a user runs it: exit codes, one-line errors, JSON
//! contracts, and an index that survives a failed ingest.

mod common;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

fn govkb(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(common::bin())
        .args(args)
        .output()
        .expect("run govkb");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

#[test]
fn search_json_contract() {
    let index = path(common::index_dir());
    let (code, out, err) = govkb(&[
        "search",
        "积分制",
        "--json",
        "--limit",
        "5",
        "--index",
        index,
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).expect("JSON");
    for key in ["query", "total", "took_ms", "hits"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["query"], "积分制");
    let hits = v["hits"].as_array().unwrap();
    assert_eq!(hits.len(), 5);
    for h in hits {
        for key in common::HIT_KEYS {
            assert!(h.get(key).is_some(), "hit lacks {key}");
        }
        let file = h["file"].as_str().unwrap();
        assert!(
            !file.contains('/') && file.ends_with(".txt"),
            "relative file name: {file}"
        );
        assert!(h["snippet"].as_str().unwrap().contains("<b>"));
    }
}

#[test]
fn text_output_names_source_and_section() {
    let index = path(common::index_dir());
    let (code, out, _) = govkb(&["search", "光伏扶贫", "--index", index]);
    assert_eq!(code, 0);
    assert!(out.contains("matches for `光伏扶贫`"));
    assert!(out.contains("001_ce8c2f571f49a2a9.txt"));
    assert!(out.contains("12.持续规范管理光伏扶贫项目。"));
    assert!(!out.contains("\x1b["), "no colour when not a terminal");
    let (code, out, _) = govkb(&["search", "区块链量子计算", "--index", index]);
    assert_eq!(code, 0);
    assert!(out.starts_with("no match for `区块链量子计算`"));
}

#[test]
fn a_query_may_start_with_an_exclusion() {
    let index = path(common::index_dir());
    let total = |args: &[&str]| -> u64 {
        let mut all = args.to_vec();
        all.extend(["--json", "--index", index]);
        let (code, out, err) = govkb(&all);
        assert_eq!(code, 0, "{args:?}: {err}");
        let v: Value = serde_json::from_str(&out).expect("JSON");
        match v["records"].as_array() {
            Some(records) => records.len() as u64,
            None => v["total"].as_u64().expect("total"),
        }
    };
    let excluded_last = total(&["search", "积分制 -昌江"]);
    assert!(excluded_last > 0 && excluded_last < total(&["search", "积分制"]));
    assert_eq!(total(&["search", "-昌江 积分制"]), excluded_last);
    assert_eq!(total(&["search", "-(昌江) 积分制"]), excluded_last);
    // Known options still parse before or after such a query.
    assert_eq!(
        total(&["search", "--limit", "3", "-昌江 积分制"]),
        excluded_last
    );
    assert_eq!(
        total(&["cases", "--query", "-昌江 积分制"]),
        total(&["cases", "--query", "积分制 -昌江"])
    );
}

#[test]
fn a_per_article_limit_points_to_the_rest_of_each_article() {
    let index = path(common::index_dir());
    let (code, out, err) = govkb(&["search", "积分制", "--per-article", "1", "--index", index]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("22 matches for `积分制`"), "{out}");
    assert!(
        out.contains("10 more in this article: add --within 003_cfe1f94d390e57b3#a3"),
        "{out}"
    );
    let (code, out, err) = govkb(&[
        "search",
        "积分制",
        "--within",
        "003_cfe1f94d390e57b3#a3",
        "--index",
        index,
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("11 matches for `积分制`"), "{out}");
    assert!(!out.contains("more in this article"), "{out}");
}

#[test]
fn user_errors_are_one_line_and_non_zero() {
    let index = path(common::index_dir());
    let corpus = path(&common::corpus()).to_owned();
    let cases: [(&[&str], i32, &str); 11] = [
        (&["search", "", "--index", index], 2, "empty query"),
        (
            &["search", "积分制", "--kind", "bogus", "--index", index],
            2,
            "unknown kind",
        ),
        (
            &["search", "积分制", "--doc-type", "memo", "--index", index],
            2,
            "unknown document type",
        ),
        (
            &["search", "积分制", "--limit", "500", "--index", index],
            2,
            "limit must be between 1 and 100",
        ),
        (
            &["search", "积分制", "--per-article", "0", "--index", index],
            2,
            "per-article limit must be at least 1, got 0",
        ),
        (
            &[
                "search",
                "积分制",
                "--kind",
                "figure",
                "--per-article",
                "1",
                "--index",
                index,
            ],
            2,
            "not to figure searches",
        ),
        (
            &["bench", &corpus, "--runs", "0"],
            2,
            "--runs must be at least 1, got 0",
        ),
        (
            &["bench", &corpus, "--cold-runs", "0"],
            2,
            "--cold-runs must be at least 1, got 0",
        ),
        (
            &["bench", &corpus, "--per-article", "0"],
            2,
            "--per-article must be at least 1, got 0",
        ),
        (
            &["show", "nope#a9", "--index", index],
            2,
            "no record with id",
        ),
        (
            &["search", "积分制", "--index", "/nonexistent/govkb-index"],
            1,
            "no index at /nonexistent/govkb-index",
        ),
    ];
    for (args, want_code, want_msg) in cases {
        let (code, out, err) = govkb(args);
        assert_eq!(code, want_code, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?} printed {out}");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.contains(want_msg), "{args:?}: {err}");
    }
    let (code, _, err) = govkb(&[
        "ingest",
        "/nonexistent/corpus",
        "--index",
        "/tmp/unused-govkb-index",
    ]);
    assert_eq!(code, 2);
    assert_eq!(
        err.trim(),
        "govkb: corpus folder /nonexistent/corpus does not exist"
    );
}

#[test]
fn docs_and_show() {
    let index = path(common::index_dir());
    let (code, out, _) = govkb(&["docs", "--json", "--index", index]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    let docs = v["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 5);
    let d000 = docs
        .iter()
        .find(|d| d["id"] == "000_e37caf2969f00417")
        .unwrap();
    assert_eq!(d000["issue"], "2023年第10期");
    assert_eq!(d000["total_issue"], 32);
    assert_eq!(d000["articles"].as_array().unwrap().len(), 4);
    assert_eq!(d000["articles"][0]["units"][1], "海口市乡村振兴局");
    for key in [
        "id",
        "file",
        "doc_type",
        "title",
        "issuer",
        "doc_number",
        "date",
        "issue",
        "total_issue",
        "distribution",
        "editor",
        "encoding",
        "articles",
    ] {
        assert!(d000.get(key).is_some(), "document lacks {key}");
    }
    let (code, out, _) = govkb(&["show", "001_ce8c2f571f49a2a9", "--index", index]);
    assert_eq!(code, 0);
    assert!(out.contains("美发〔2021〕7号") && out.contains("（一）保持主要帮扶政策总体稳定"));
    let (code, out, _) = govkb(&[
        "show",
        "003_cfe1f94d390e57b3#a2",
        "--json",
        "--index",
        index,
    ]);
    assert_eq!(code, 0);
    let a: Value = serde_json::from_str(&out).unwrap();
    assert!(a["article_title"].as_str().unwrap().starts_with("琼海市"));
    assert!(!a["passages"].as_array().unwrap().is_empty());
}

#[test]
fn bad_files_are_named_and_the_rest_indexed_and_a_failed_ingest_keeps_the_index() {
    let corpus = tempfile::tempdir().unwrap();
    let index = tempfile::tempdir().unwrap();
    std::fs::copy(
        common::corpus().join("000_e37caf2969f00417.txt"),
        corpus.path().join("good.txt"),
    )
    .unwrap();
    std::fs::write(
        corpus.path().join("broken.txt"),
        [0x89u8, b'P', b'N', b'G', 0, 0, 0, 13, 0xff, 0xfe, 0],
    )
    .unwrap();
    std::fs::write(corpus.path().join("empty.md"), "").unwrap();
    std::fs::write(corpus.path().join("notes.xyz"), "x").unwrap();
    let (code, out, err) = govkb(&["ingest", path(corpus.path()), "--index", path(index.path())]);
    assert_eq!(code, 1, "a failed file makes the run fail: {err}");
    assert!(out.contains("indexed 1 files"), "{out}");
    assert!(out.contains("skipped notes.xyz"), "{out}");
    assert!(
        err.contains("failed broken.txt") && err.contains("binary"),
        "{err}"
    );
    assert!(
        err.contains("failed empty.md") && err.contains("empty"),
        "{err}"
    );
    let (code, out, _) = govkb(&["search", "积分制", "--index", path(index.path()), "--json"]);
    assert_eq!(code, 0);
    let before: Value = serde_json::from_str(&out).unwrap();
    assert!(before["total"].as_u64().unwrap() > 0);

    // A corpus with nothing readable fails and leaves the previous index in place.
    let bad = tempfile::tempdir().unwrap();
    std::fs::write(bad.path().join("only.txt"), [0u8, 1, 2, 3]).unwrap();
    let (code, _, err) = govkb(&["ingest", path(bad.path()), "--index", path(index.path())]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("the existing index is unchanged"), "{err}");
    let (code, out, _) = govkb(&["search", "积分制", "--index", path(index.path()), "--json"]);
    assert_eq!(code, 0);
    let after: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(after["total"], before["total"]);
    let leftovers: Vec<_> = std::fs::read_dir(index.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".building"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// The first line of a text search says whether the hits after the full
/// matches match only some words (`仲恺村`: two passages of 000 and one of
/// 001, 仲恺 … 村庄, have every word; the rest match some).
#[test]
fn text_results_say_when_partial_matches_follow() {
    let index = path(common::index_dir());
    let (code, out, err) = govkb(&["search", "仲恺村", "--index", index]);
    assert_eq!(code, 0, "{err}");
    let first = out.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("3 matches for `仲恺村` (then records with some of the words)"),
        "{first}"
    );
    let (_, out, _) = govkb(&["search", "区块链 仲恺村", "--index", index]);
    let first = out.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("0 matches for `区块链 仲恺村` (no record has every word"),
        "{first}"
    );
}
