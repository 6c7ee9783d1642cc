//! `govkb serve` over HTTP: the JSON API, errors, the page's assets, and
//! live reload while `ingest` rebuilds the index under concurrent searches.

mod common;
mod serve;

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use serve::client::encode;
use serve::Server;

fn server() -> Server {
    Server::start(common::index_dir())
}

fn search_path(q: &str, rest: &str) -> String {
    format!("/api/search?q={}{rest}", encode(q))
}

/// `govkb … --json` on the shared index, parsed.
fn cli_json(args: &[&str]) -> Value {
    common::json_output(
        Command::new(common::bin())
            .args(args)
            .arg("--index")
            .arg(common::index_dir())
            .arg("--json"),
    )
}

fn without_timing(mut v: Value) -> Value {
    v.as_object_mut().expect("object").remove("took_ms");
    v
}

fn hits(v: &Value) -> &Vec<Value> {
    v["hits"].as_array().expect("hits")
}

#[test]
fn search_answers_the_same_object_as_the_cli() {
    let s = server();
    let r = s.get(&search_path("积分制", "&limit=20"));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r
        .header("content-type")
        .unwrap_or("")
        .starts_with("application/json"));
    let v = r.json();
    let cli = cli_json(&["search", "积分制", "--limit", "20"]);
    assert_eq!(without_timing(v.clone()), without_timing(cli));
    assert!(v["total"].as_u64().expect("total") >= 15);
    let keys = common::HIT_KEYS;
    for h in hits(&v) {
        for k in keys {
            assert!(h.get(k).is_some(), "hit lacks `{k}`: {h}");
        }
        assert_eq!(h["kind"], "passage");
    }
    assert!(hits(&v).iter().any(|h| h["snippet"]
        .as_str()
        .unwrap_or("")
        .contains("<b>积分制</b>")));
}

#[test]
fn filters_and_paging_narrow_the_results() {
    let s = server();
    let all = s.get(&search_path("积分制", "&limit=6")).json();
    let page2 = s.get(&search_path("积分制", "&limit=3&offset=3")).json();
    let ids = |v: &Value| hits(v).iter().map(|h| h["id"].clone()).collect::<Vec<_>>();
    assert_eq!(ids(&page2), ids(&all)[3..6].to_vec());

    let bulletins = s
        .get(&search_path("积分制", "&doc_type=bulletin&year=2022"))
        .json();
    assert!(!hits(&bulletins).is_empty());
    for h in hits(&bulletins) {
        assert_eq!(h["doc_type"], "bulletin");
        assert!(h["date"].as_str().unwrap_or("").starts_with("2022"), "{h}");
    }
    let qiongzhong = s
        .get(&search_path(
            "数字乡村",
            &format!("&region={}", encode("琼中")),
        ))
        .json();
    assert!(!hits(&qiongzhong).is_empty());
    let articles = s.get(&search_path("积分制", "&kind=article")).json();
    assert!(hits(&articles).iter().all(|h| h["kind"] == "article"));
    let unit = s
        .get(&search_path(
            "光伏扶贫",
            &format!("&unit={}", encode("区发改委")),
        ))
        .json();
    assert!(!hits(&unit).is_empty());

    let spread = s.get(&search_path("积分制", "&per_article=1")).json();
    let first = &hits(&spread)[0];
    assert_eq!(first["article_id"], "003_cfe1f94d390e57b3#a3");
    assert_eq!(first["more_in_article"], 10);
    let within = s
        .get(&search_path(
            "积分制",
            &format!("&within={}", encode("003_cfe1f94d390e57b3#a3")),
        ))
        .json();
    assert_eq!(within["total"], 11);
}

#[test]
fn facets_count_the_query_by_type_year_region_and_unit() {
    let s = server();
    let r = s.get(&format!("/api/facets?q={}", encode("积分制")));
    assert_eq!(r.status, 200, "{}", r.body);
    let f = r.json();
    let total = f["total"].as_u64().expect("total");
    assert_eq!(
        total,
        s.get(&search_path("积分制", "")).json()["total"]
            .as_u64()
            .expect("total")
    );
    let sum = |name: &str| -> u64 {
        f[name]
            .as_array()
            .expect("facet")
            .iter()
            .map(|v| v["count"].as_u64().expect("count"))
            .sum()
    };
    assert_eq!(sum("doc_type"), total, "every record has one doc type: {f}");
    assert!(sum("year") <= total);
    let values = |name: &str| -> Vec<String> {
        f[name]
            .as_array()
            .expect("facet")
            .iter()
            .map(|v| v["value"].as_str().expect("value").to_string())
            .collect()
    };
    assert!(values("doc_type").contains(&"bulletin".to_string()));
    assert!(values("year").contains(&"2022".to_string()));
    assert!(values("region").iter().any(|r| r.contains("琼中")), "{f}");
    assert!(!values("unit").is_empty(), "{f}");
    // A value is a working filter whose total is its count (with `limit=1`
    // the search counts only records matching every word, as the facets did).
    for name in ["doc_type", "year", "region", "unit"] {
        for value in f[name].as_array().expect("facet").iter().take(3) {
            let filtered = s
                .get(&search_path(
                    "积分制",
                    &format!(
                        "&{name}={}&limit=1",
                        encode(value["value"].as_str().expect("value"))
                    ),
                ))
                .json();
            assert_eq!(filtered["total"], value["count"], "{name}: {value}");
        }
    }
}

#[test]
fn documents_list_and_views() {
    let s = server();
    let list = s.get("/api/documents").json();
    assert_eq!(list, cli_json(&["docs"]));
    assert_eq!(list["documents"].as_array().expect("documents").len(), 5);

    let d = s.get("/api/documents/001_ce8c2f571f49a2a9");
    assert_eq!(d.status, 200, "{}", d.body);
    let d = d.json();
    assert_eq!(d["doc_number"], "美发〔2021〕7号");
    let articles = d["articles"].as_array().expect("articles");
    assert!(!articles.is_empty());
    let plan = articles
        .iter()
        .find(|a| a["sections"].as_array().is_some_and(|s| !s.is_empty()))
        .expect("an article with a section tree");
    assert!(plan["sections"][0]["heading"]
        .as_str()
        .expect("heading")
        .starts_with("一、"));
    for list in ["cases", "figures", "measures", "units"] {
        assert!(d[list].is_array(), "document view lacks `{list}`");
    }
    assert!(!d["measures"].as_array().expect("measures").is_empty());

    let id = plan["id"].as_str().expect("article id");
    let a = s.get(&format!("/api/articles/{}", encode(id)));
    assert_eq!(a.status, 200, "{}", a.body);
    let a = a.json();
    assert_eq!(a["id"], id);
    assert_eq!(a["kind"], "article");
    let passages = a["passages"].as_array().expect("passages");
    assert!(!passages.is_empty());
    assert!(passages.iter().all(|p| p["article_id"] == id));
}

#[test]
fn extraction_routes_search_their_own_kind() {
    let s = server();
    for (route, kind) in [
        ("cases", "case"),
        ("figures", "figure"),
        ("measures", "measure"),
        ("units", "unit"),
    ] {
        let r = s.get(&format!("/api/{route}?q={}&limit=5", encode("乡村振兴")));
        assert_eq!(r.status, 200, "{route}: {}", r.body);
        let v = r.json();
        assert!(!hits(&v).is_empty(), "{route}: no hits");
        assert!(hits(&v).iter().all(|h| h["kind"] == kind), "{route}: {v}");
    }
}

#[test]
fn bad_requests_get_json_errors() {
    let s = server();
    let long = encode(&"积".repeat(1001));
    let cases: &[(&str, u16, &str)] = &[
        ("/api/search", 400, "missing_query"),
        ("/api/search?q=", 400, "missing_query"),
        ("/api/search?q=%20%20", 400, "missing_query"),
        (&format!("/api/search?q={long}"), 400, "query_too_long"),
        ("/api/search?q=x&limit=0", 400, "bad_limit"),
        ("/api/search?q=x&limit=101", 400, "bad_limit"),
        ("/api/search?q=x&limit=many", 400, "bad_limit"),
        ("/api/search?q=x&per_article=0", 400, "bad_per_article"),
        ("/api/search?q=x&per_article=one", 400, "bad_per_article"),
        ("/api/figures?q=x&per_article=1", 400, "bad_request"),
        ("/api/search?q=x&offset=-3", 400, "bad_offset"),
        ("/api/search?q=x&offset=99999999", 400, "bad_offset"),
        ("/api/search?q=x&kind=paragraph", 400, "unknown_kind"),
        ("/api/search?q=x&doc_type=memo", 400, "unknown_doc_type"),
        ("/api/search?q=x&year=last", 400, "bad_year"),
        ("/api/search?q=%22%22", 400, "bad_request"),
        ("/api/figures?q=x&kind=case", 400, "unknown_kind"),
        ("/api/facets", 400, "missing_query"),
        ("/api/facets?q=x&kind=nope", 400, "unknown_kind"),
        ("/api/documents/no-such-doc", 404, "not_found"),
        ("/api/documents/000_e37caf2969f00417%23a1", 404, "not_found"),
        ("/api/articles/000_e37caf2969f00417", 404, "not_found"),
        ("/api/articles/..%2F..%2Fetc%2Fpasswd", 404, "not_found"),
        ("/api/nothing", 404, "not_found"),
        ("/assets/../Cargo.toml", 404, "not_found"),
    ];
    for &(path, status, error) in cases {
        let r = s.get(path);
        assert_eq!(r.status, status, "{path}: {}", r.body);
        let v = r.json();
        assert_eq!(v["error"], error, "{path}: {v}");
        assert!(
            !v["detail"].as_str().unwrap_or("").is_empty(),
            "{path}: {v}"
        );
    }
    let post = s.conn().request("POST", "/api/search?q=x").expect("POST");
    assert_eq!(post.status, 405);
    assert_eq!(post.json()["error"], "method_not_allowed");
}

#[test]
fn health_and_page() {
    let s = server();
    let h = s.get("/health");
    assert_eq!(h.status, 200);
    let h = h.json();
    assert_eq!(h["status"], "ok");
    assert_eq!(h["documents"], 5);
    assert!(h["passages"].as_u64().expect("passages") > 100);
    assert!(h["generation"]
        .as_str()
        .expect("generation")
        .starts_with("gen-"));
    assert!(h["uptime_s"].as_f64().expect("uptime") >= 0.0);
    assert_eq!(h["index"], common::index_dir().display().to_string());

    let page = s.get("/");
    assert_eq!(page.status, 200);
    assert!(page
        .header("content-type")
        .unwrap_or("")
        .starts_with("text/html"));
    assert!(page.header("content-security-policy").is_some());
    assert!(page.body.contains("政务简报知识库"));
    // Every example query the page offers finds records with all its words.
    let examples: Vec<String> = page
        .body
        .split("href=\"/?q=")
        .skip(1)
        .map(|rest| rest[..rest.find('"').expect("closing quote")].replace("&amp;", "&"))
        .collect();
    assert!(examples.len() >= 5, "{examples:?}");
    for example in &examples {
        let (q, filters) = example.split_once('&').unwrap_or((example, ""));
        let q = q.replace("%20", " ");
        let r = s.get(&search_path(&q, &format!("&{filters}")));
        assert_eq!(r.status, 200, "{example}: {}", r.body);
        let v = r.json();
        assert!(v["total"].as_u64().expect("total") > 0, "{example}");
    }
    for (path, kind) in [
        ("/assets/page.js", "text/javascript"),
        ("/assets/page.css", "text/css"),
    ] {
        let r = s.get(path);
        assert_eq!(r.status, 200, "{path}");
        assert!(
            r.header("content-type").unwrap_or("").starts_with(kind),
            "{path}"
        );
    }
}

/// Hits of `q` as `file` prefixes.
fn files_of(v: &Value) -> Vec<String> {
    hits(v)
        .iter()
        .map(|h| h["file"].as_str().unwrap_or("")[..3].to_string())
        .collect()
}

#[test]
fn searches_keep_working_while_ingest_publishes_a_new_index() {
    let corpus = tempfile::tempdir().expect("corpus dir");
    let index = tempfile::tempdir().expect("index dir");
    let mut files: Vec<_> = std::fs::read_dir(common::corpus())
        .expect("corpus")
        .map(|e| e.expect("entry").path())
        .collect();
    files.sort();
    let (last, first) = files.split_last().expect("files");
    for f in first {
        std::fs::copy(f, corpus.path().join(f.file_name().expect("name"))).expect("copy");
    }
    let ingest = || {
        common::ingest_with(
            corpus.path(),
            index.path(),
            govkb::index::build::Rebuild::Changed,
        )
    };
    ingest();
    let s = Server::start(index.path());
    let before = s.get("/health").json();
    assert_eq!(before["documents"], first.len());
    let solar = search_path("光伏扶贫", "&limit=20");
    let last_prefix = last.file_name().expect("name").to_string_lossy()[..3].to_string();
    assert!(!files_of(&s.get(&solar).json()).contains(&last_prefix));

    // Several clients search without pause while the index is rebuilt.
    let stop = Arc::new(AtomicBool::new(false));
    let errors = Arc::new(Mutex::new(Vec::<String>::new()));
    let clients: Vec<_> = (0..4)
        .map(|i| {
            let (stop, errors) = (stop.clone(), errors.clone());
            let mut conn = s.conn();
            let path = search_path(["积分制", "光伏扶贫", "驻村工作队", "乡村振兴"][i], "");
            std::thread::spawn(move || {
                let mut done = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    match conn.get(&path) {
                        Ok(r) if r.status == 200 && r.json()["total"].as_u64() > Some(0) => {
                            done.push(Instant::now())
                        }
                        Ok(r) => errors
                            .lock()
                            .expect("errors")
                            .push(format!("{path}: {} {}", r.status, r.body)),
                        Err(e) => errors.lock().expect("errors").push(format!("{path}: {e}")),
                    }
                }
                done
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    std::fs::copy(last, corpus.path().join(last.file_name().expect("name"))).expect("copy");
    ingest();
    let deadline = Instant::now() + Duration::from_secs(20);
    let after = loop {
        let h = s.get("/health").json();
        if h["generation"] != before["generation"] {
            break h;
        }
        assert!(
            Instant::now() < deadline,
            "the server never picked up the new index"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let switched = Instant::now();
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    let done: Vec<Vec<Instant>> = clients
        .into_iter()
        .map(|c| c.join().expect("client"))
        .collect();

    let errors = errors.lock().expect("errors");
    assert!(
        errors.is_empty(),
        "{} failed requests, first: {}",
        errors.len(),
        errors[0]
    );
    for d in &done {
        assert!(
            d.iter().any(|t| *t < switched),
            "a client got no answer before the switch"
        );
        assert!(
            d.iter().any(|t| *t > switched),
            "a client got no answer after the switch"
        );
    }
    assert_eq!(after["documents"], first.len() + 1);
    assert!(files_of(&s.get(&solar).json()).contains(&last_prefix));
    assert!(s.stderr().contains("serving new index"), "{}", s.stderr());
}
