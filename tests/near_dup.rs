//! Near-duplicates across documents: a bulletin that reprints an article of
//! another is indexed beside it, and search shows each reprinted passage,
//! article and case once, naming the other document under `also_in`.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use govkb::index::build::Rebuild;
use govkb::pipeline::load_document;
use govkb::record::near_dup::{near_duplicate, MAX_DISTANCE};
use govkb::record::{document_records, RecordKind};
use govkb::search::{Hit, KnowledgeBase, SearchRequest, ALSO_IN_LISTED};
use serde_json::Value;

/// The sample bulletin whose 琼海市 article is reprinted.
const SOURCE: &str = "003_cfe1f94d390e57b3.txt";
/// Another sample file, copied unchanged.
const OTHER: &str = "000_e37caf2969f00417.txt";
/// The reprinting bulletin written by the fixture.
const REPRINT: &str = "qionghai_2023_05.txt";

/// A temporary corpus of the three files and its index.
struct Fixture {
    _dir: tempfile::TempDir,
    index: PathBuf,
}

/// The 琼海市 article of `corpus/003…` as written there: from its headline to
/// the next article's.
fn reprinted_article(source: &str) -> &str {
    let start = source.find("## 琼海市：").expect("琼海市 article");
    let end = source[start..].find("## 昌江县").expect("next article") + start;
    &source[start..end]
}

/// A bulletin of another county, another issue and another issuer: one
/// original article, then the 琼海市 article of `corpus/003…` verbatim.
fn reprint_bulletin(source: &str, issue: u32) -> String {
    format!(
        "\n\n# 琼海市乡村振兴工作简报\n\n2023年第 {issue}期\n\n(总第 41期)\n\n琼海市乡村振兴局\n\n2023年 4月 10日\n\n---\n\n\
         ## 屯昌县：发展庭院经济 拓宽农民增收渠道\n\n\
         屯昌县把发展庭院经济作为巩固拓展脱贫成果的重要抓手，引导农户利用房前屋后的闲置土地种植黑山羊饲草、益智和瓜菜，统一提供种苗和技术指导，由合作社保底收购，全县1260户农户参与，户均年增收3800元。\n\n\
         县农业农村局组织农技人员分片包村，每月上门指导一次，帮助农户解决病虫害防治和销售难题，并把庭院经济纳入村级考评，评选“美丽庭院”示范户86户，带动群众比着干、争着干。\n\n\
         {}\
         ---\n\n**报：**市委实施乡村振兴战略领导小组组长、副组长\n\n**发：**各镇乡村振兴工作站\n\n---\n\n责任编辑：李明 电话：62812345\n",
        reprinted_article(source)
    )
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().expect("temp dir");
        let corpus = dir.path().join("corpus");
        let index = dir.path().join("index");
        std::fs::create_dir(&corpus).unwrap();
        for f in [SOURCE, OTHER] {
            std::fs::copy(common::corpus().join(f), corpus.join(f)).unwrap();
        }
        let source = std::fs::read_to_string(common::corpus().join(SOURCE)).unwrap();
        std::fs::write(corpus.join(REPRINT), reprint_bulletin(&source, 5)).unwrap();
        common::ingest_with(&corpus, &index, Rebuild::Changed);
        Fixture { _dir: dir, index }
    })
}

fn search(query: &str, kind: RecordKind, limit: usize, offset: usize) -> Vec<Hit> {
    let kb = KnowledgeBase::open(&fixture().index).expect("open index");
    let mut req = SearchRequest::new(query);
    req.kind = kind;
    req.limit = limit;
    req.offset = offset;
    kb.search(&req).expect("search").hits
}

/// The one hit whose text contains `needle`, checked to be one of a
/// reprinted pair: itself in one of the two bulletins, the other named in its
/// `also_in` with that bulletin's title and issue.
fn assert_one_hit_naming_the_other(hits: &[Hit], needle: &str) {
    let with: Vec<&Hit> = hits
        .iter()
        .filter(|h| common::squash(&h.record.text).contains(needle))
        .collect();
    assert_eq!(
        with.len(),
        1,
        "one hit with {needle}: {:?}",
        with.iter().map(|h| &h.record.id).collect::<Vec<_>>()
    );
    let hit = with[0];
    assert_eq!(hit.also_in.len(), 1, "{:?}", hit.also_in);
    assert_eq!(hit.also_in_count, 1);
    let copy = &hit.also_in[0];
    let (shown, other) = (hit.record.file.as_str(), copy.file.as_str());
    let mut files = [shown, other];
    files.sort();
    assert_eq!(files, [SOURCE, REPRINT]);
    // Titles and issues as the two files print them.
    let (title, issue) = if other == SOURCE {
        ("海南乡村振兴简报", "2022年第13期")
    } else {
        ("琼海市乡村振兴工作简报", "2023年第5期")
    };
    assert_eq!(copy.doc_title, title);
    assert_eq!(copy.issue.as_deref(), Some(issue));
    assert_eq!(
        copy.article_title.as_deref(),
        Some("琼海市：探索“四级化事法”乡村治理新机制 构建有责、尽责、共享的社会治理共同体")
    );
    assert_eq!(copy.article_title, hit.record.article_title);
    assert_ne!(copy.id, hit.record.id);
}

#[test]
fn the_fixture_parses_as_three_bulletins() {
    let kb = KnowledgeBase::open(&fixture().index).unwrap();
    let docs = kb.list(RecordKind::Document, None, None).unwrap();
    let by_file = |f: &str| docs.iter().find(|d| d.file == f).expect(f);
    let reprint = by_file(REPRINT);
    assert_eq!(reprint.doc_title, "琼海市乡村振兴工作简报");
    assert_eq!(reprint.issue.as_deref(), Some("2023年第5期"));
    let source = by_file(SOURCE);
    assert_eq!(source.doc_title, "海南乡村振兴简报");
    assert_eq!(source.issue.as_deref(), Some("2022年第13期"));
    assert_eq!(docs.len(), 3);
}

#[test]
fn a_reprinted_passage_is_one_hit_naming_the_other_bulletin() {
    let hits = search("博鳌云管家", RecordKind::Passage, 10, 0);
    assert_one_hit_naming_the_other(&hits, "建立“博鳌云管家”终极“化事”平台");
    // Every passage of the reprinted article shown is shown once, with its copy.
    let hits = search("党员中心户", RecordKind::Passage, 100, 0);
    let mut texts: Vec<String> = hits
        .iter()
        .map(|h| common::squash(&h.record.text))
        .collect();
    let n = texts.len();
    texts.sort();
    texts.dedup();
    assert_eq!(texts.len(), n, "a text shown twice");
    assert!(hits.len() >= 3);
    for h in &hits {
        assert_eq!(h.also_in.len(), 1, "{} lacks its copy", h.record.id);
    }
}

#[test]
fn a_reprinted_article_and_case_collapse_too() {
    let hits = search("四级化事法", RecordKind::Article, 10, 0);
    assert_eq!(
        hits.len(),
        1,
        "{:?}",
        hits.iter().map(|h| &h.record.id).collect::<Vec<_>>()
    );
    assert_eq!(hits[0].also_in.len(), 1);
    let hits = search("沙美村", RecordKind::Case, 10, 0);
    assert_one_hit_naming_the_other(&hits, "琼海市沙美村以党建促乡村振兴为抓手");
}

/// A passage reprinted in many issues lists the first few copies and counts
/// them all, so one page never reads hundreds of stored copies.
#[test]
fn a_passage_reprinted_many_times_lists_a_few_copies_and_counts_all() {
    let dir = tempfile::tempdir().expect("temp dir");
    let corpus = dir.path().join("corpus");
    let index = dir.path().join("index");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::copy(common::corpus().join(SOURCE), corpus.join(SOURCE)).unwrap();
    let source = std::fs::read_to_string(common::corpus().join(SOURCE)).unwrap();
    let reprints = ALSO_IN_LISTED as u32 + 3;
    for issue in 1..=reprints {
        let name = format!("qionghai_2023_{issue:02}.txt");
        std::fs::write(corpus.join(name), reprint_bulletin(&source, issue)).unwrap();
    }
    common::ingest_with(&corpus, &index, Rebuild::Changed);
    let kb = KnowledgeBase::open(&index).expect("open index");
    let hits = kb.search(&SearchRequest::new("博鳌云管家")).unwrap().hits;
    let hit = hits
        .iter()
        .find(|h| common::squash(&h.record.text).contains("建立“博鳌云管家”终极“化事”平台"))
        .expect("the reprinted passage");
    assert_eq!(hit.also_in_count, reprints as usize);
    assert_eq!(hit.also_in.len(), ALSO_IN_LISTED);
    let listed: std::collections::HashSet<&str> =
        hit.also_in.iter().map(|a| a.file.as_str()).collect();
    assert_eq!(listed.len(), ALSO_IN_LISTED, "each copy listed once");
    assert!(!listed.contains(hit.record.file.as_str()));
    let out = Command::new(common::bin())
        .args(["search", "博鳌云管家", "--index"])
        .arg(&index)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains(" and 3 more"), "{text}");
}

#[test]
fn an_unrelated_search_has_empty_also_in() {
    // 000's medical insurance article and 屯昌's original article have no copies.
    for (query, file) in [("医保缴费", OTHER), ("庭院经济", REPRINT)] {
        let hits = search(query, RecordKind::Passage, 10, 0);
        assert!(hits.iter().any(|h| h.record.file == file), "{query}");
        for h in &hits {
            assert!(
                h.also_in.is_empty(),
                "{query}: {} {:?}",
                h.record.id,
                h.also_in
            );
        }
    }
}

#[test]
fn pages_show_each_hit_once_and_never_a_collapsed_copy() {
    let whole = search("云管家", RecordKind::Passage, 100, 0);
    assert!(whole.iter().any(|h| !h.also_in.is_empty()));
    let copies: Vec<&str> = whole
        .iter()
        .flat_map(|h| h.also_in.iter().map(|a| a.id.as_str()))
        .collect();
    // Page by page, one hit at a time (the tightest paging).
    let mut paged = Vec::new();
    for offset in 0.. {
        let page = search("云管家", RecordKind::Passage, 1, offset);
        let Some(hit) = page.into_iter().next() else {
            break;
        };
        paged.push(hit);
    }
    let ids = |hs: &[Hit]| hs.iter().map(|h| h.record.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&paged), ids(&whole));
    for h in &paged {
        assert!(
            !copies.contains(&h.record.id.as_str()),
            "{} is a copy",
            h.record.id
        );
    }
}

#[test]
fn the_cli_shows_also_in() {
    let index = fixture().index.to_str().unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(common::bin()).args(args).output().unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let text = run(&["search", "博鳌云管家", "--index", index]);
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("also in: "))
        .unwrap_or_else(|| panic!("no also-in line:\n{text}"));
    assert!(
        line.contains("海南乡村振兴简报 2022年第13期")
            || line.contains("琼海市乡村振兴工作简报 2023年第5期"),
        "{line}"
    );
    let json = run(&["search", "医保缴费", "--json", "--index", index]);
    let v: Value = serde_json::from_str(&json).unwrap();
    let hits = v["hits"].as_array().unwrap();
    assert!(!hits.is_empty());
    for h in hits {
        assert_eq!(h["also_in"], Value::Array(vec![]), "also_in always present");
    }
    let json = run(&["search", "博鳌云管家", "--json", "--index", index]);
    let v: Value = serde_json::from_str(&json).unwrap();
    let copy = &v["hits"][0]["also_in"][0];
    for key in ["id", "file", "doc_title", "issue", "article_title"] {
        assert!(copy.get(key).is_some(), "also_in entry lacks {key}: {copy}");
    }
}

/// The threshold leaves the sample corpus alone: no two passages or
/// articles of different documents are near-duplicates unless their letters
/// are the same, and distinct passages stay well away from the threshold.
#[test]
fn the_sample_corpus_has_no_false_near_duplicates() {
    let root = common::corpus();
    let mut records = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in &files {
        let (doc, _) = load_document(&root, f).unwrap();
        records.extend(
            document_records(&doc)
                .into_iter()
                .filter(|r| r.near_dup.is_some()),
        );
    }
    let letters = |t: &str| -> String {
        t.chars()
            .map(|c| govkb::normalize::fold_char(c).to_ascii_lowercase())
            .filter(|c| c.is_alphanumeric())
            .collect()
    };
    let kinds = [RecordKind::Passage, RecordKind::Article, RecordKind::Case];
    for kind in kinds {
        assert!(
            records.iter().any(|r| r.kind == kind),
            "{kind:?} fingerprinted"
        );
    }
    let texts: Vec<String> = records.iter().map(|r| letters(&r.text)).collect();
    let mut closest = u32::MAX;
    for i in 0..records.len() {
        for j in i + 1..records.len() {
            let (a, b) = (&records[i], &records[j]);
            if a.kind != b.kind || a.doc_id == b.doc_id || texts[i] == texts[j] {
                continue;
            }
            let (fa, fb) = (a.near_dup.unwrap(), b.near_dup.unwrap());
            assert!(
                !near_duplicate(fa, fb),
                "{} and {} collapse:\n{}\n{}",
                a.id,
                b.id,
                a.text,
                b.text
            );
            if a.kind == RecordKind::Passage && texts[i].chars().count() >= 40 {
                closest = closest.min((fa ^ fb).count_ones());
            }
        }
    }
    assert!(
        closest > MAX_DISTANCE + 3,
        "closest distinct passages: {closest} bits"
    );
}
