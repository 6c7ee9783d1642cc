//! Search over the indexed sample corpus through the one query API.

mod common;

use govkb::model::DocType;
use govkb::record::RecordKind;
use govkb::search::{SearchRequest, SearchResults};

fn search(q: &str) -> SearchResults {
    common::kb().search(&SearchRequest::new(q)).expect("search")
}

fn files(r: &SearchResults) -> Vec<&str> {
    r.hits.iter().map(|h| &h.record.file[..3]).collect()
}

#[test]
fn points_system_ranks_bulletin_passages_with_highlight() {
    let r = search("积分制");
    assert!(r.total >= 15, "{}", r.total);
    let top = files(&r);
    assert!(top.contains(&"000") && top.contains(&"003"), "{top:?}");
    for h in r.hits.iter().filter(|h| h.expansions.is_empty()) {
        let in_title = h
            .record
            .article_title
            .as_deref()
            .unwrap_or("")
            .contains("积分制");
        assert!(
            h.snippet.contains("积分制</b>") || in_title,
            "{}",
            h.snippet
        );
    }
}

#[test]
fn solar_poverty_relief_finds_measures_in_both_notices() {
    let r = search("光伏扶贫");
    let top = files(&r);
    assert!(top.contains(&"001") && top.contains(&"004"), "{top:?}");
    let m12 = r
        .hits
        .iter()
        .find(|h| h.record.text.starts_with("12.持续规范管理光伏扶贫项目"))
        .expect("measure 12 of 001");
    assert_eq!(
        m12.record.section_path.last().map(String::as_str),
        Some("12.持续规范管理光伏扶贫项目。")
    );
    assert!(
        m12.record.units.contains(&"区发改委".to_string()),
        "{:?}",
        m12.record.units
    );
}

#[test]
fn spaces_do_not_change_chinese_queries() {
    let a = search("驻村工作队管理");
    let b = search("驻村工作队 管理");
    let ids = |r: &SearchResults| {
        r.hits
            .iter()
            .take(5)
            .map(|h| h.record.id.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&a), ids(&b));
}

#[test]
fn sub_words_inside_longer_words_are_found() {
    let r = search("治理");
    assert!(r.hits.iter().any(|h| h.record.text.contains("乡村治理")));
    for h in &r.hits {
        let in_heading = h.record.section_path.iter().any(|s| s.contains("治理"))
            || h.record
                .article_title
                .as_deref()
                .unwrap_or("")
                .contains("治理");
        assert!(
            h.snippet.contains("<b>治理</b>") || in_heading,
            "{}",
            h.snippet
        );
    }
}

#[test]
fn phrases_and_exclusions() {
    let phrase = search("\"巩固拓展脱贫攻坚成果\"");
    assert!(phrase.total > 0);
    assert!(phrase.hits.iter().all(|h| common::squash(&h.record.text)
        .contains("巩固拓展脱贫攻坚成果")
        || h.record
            .article_title
            .as_deref()
            .unwrap_or("")
            .contains("巩固拓展脱贫攻坚成果")));
    let with = search("光伏");
    let without = search("光伏 -扶贫");
    assert!(without.total < with.total);
    assert!(without.hits.iter().all(|h| !h.record.text.contains("扶贫")));
}

#[test]
fn or_finds_either_and_not_excludes() {
    let points = search("积分制");
    let lists = search("清单制");
    let both = search("积分制 清单制");
    let either = search("积分制 OR 清单制");
    // 昌江's 清单积分制 passages have both words; a few have only one.
    assert!(both.total > 0 && both.total < lists.total && lists.total < points.total);
    assert_eq!(either.total, points.total + lists.total - both.total);
    assert!(!either.relaxed && either.hits.iter().all(|h| !h.partial));
    assert_eq!(search("积分制 | 清单制").total, either.total);
    assert_eq!(search("积分制 AND 清单制").total, both.total);
    let not = search("积分制 NOT 昌江");
    assert_eq!(not.total, search("积分制 -昌江").total);
    assert!(not.total < points.total);
    assert!(not.hits.iter().all(|h| !h.record.text.contains("昌江")));
}

#[test]
fn brackets_group_alternatives_and_exclusions() {
    let total = |q: &str| search(q).total;
    // OR binds its neighbours: the bracketed pair is one alternative.
    let pair_or_solar = total("(积分制 清单制) OR 光伏");
    assert_eq!(
        pair_or_solar,
        total("积分制 清单制") + total("光伏") - total("积分制 清单制 光伏")
    );
    assert_ne!(pair_or_solar, total("积分制 清单制 OR 光伏"));
    // A group without operators is the same as no brackets.
    assert_eq!(total("(积分制 清单制) 昌江"), total("积分制 清单制 昌江"));
    // Excluding a group drops only records with all of it.
    assert_eq!(
        total("积分制 -(昌江 清单制)"),
        total("积分制") - total("积分制 昌江 清单制")
    );
    assert_eq!(
        total("积分制 NOT (昌江 OR 琼中)"),
        total("积分制 -昌江 -琼中")
    );
}

#[test]
fn synonyms_expand_and_say_so() {
    let r = search("扶贫小额贷款");
    assert!(r.total > 0);
    let via = r
        .hits
        .iter()
        .find(|h| !h.expansions.is_empty())
        .expect("a hit through a synonym");
    assert!(
        via.expansions.iter().any(|e| e.contains("小额信贷")),
        "{:?}",
        via.expansions
    );
    assert!(via.record.text.contains("小额信贷"));
}

#[test]
fn unit_names_find_the_measures_they_lead() {
    let r = search("区人社局 负责的任务");
    let top5: Vec<&str> = r
        .hits
        .iter()
        .take(5)
        .map(|h| h.record.file.as_str())
        .collect();
    assert!(
        top5.iter().filter(|f| f.starts_with("001")).count() >= 3,
        "{top5:?}"
    );
    assert!(r.hits[0].record.units.iter().any(|u| u == "区人社局"));
}

#[test]
fn filters_by_type_year_region_and_unit() {
    let kb = common::kb();
    let mut req = SearchRequest::new("乡村振兴");
    req.doc_type = Some(DocType::Notice);
    req.limit = 50;
    let r = kb.search(&req).unwrap();
    assert!(r.total > 0 && r.hits.iter().all(|h| h.record.doc_type == DocType::Notice));
    req.doc_type = None;
    req.year = Some(2022);
    let r = kb.search(&req).unwrap();
    assert!(r.total > 0 && r.hits.iter().all(|h| h.record.file.starts_with("003")));
    req.year = None;
    req.region = Some("琼中".into());
    let r = kb.search(&req).unwrap();
    assert!(
        r.total > 0
            && r.hits
                .iter()
                .all(|h| h.record.locality.as_deref() == Some("琼中黎族苗族自治县"))
    );
    req.region = None;
    req.unit = Some("区人社局".into());
    let r = kb.search(&req).unwrap();
    assert!(
        r.total > 0
            && r.hits
                .iter()
                .all(|h| h.record.units.iter().any(|u| u == "区人社局"))
    );
}

#[test]
fn paging_and_kinds() {
    let kb = common::kb();
    let mut req = SearchRequest::new("乡村振兴");
    req.limit = 5;
    let first = kb.search(&req).unwrap();
    req.offset = 5;
    let second = kb.search(&req).unwrap();
    assert_eq!(first.total, second.total);
    assert!(first
        .hits
        .iter()
        .all(|a| second.hits.iter().all(|b| a.record.id != b.record.id)));
    req.offset = 0;
    req.kind = RecordKind::Article;
    let articles = kb.search(&req).unwrap();
    assert!(articles
        .hits
        .iter()
        .all(|h| h.record.kind == RecordKind::Article));
}

#[test]
fn within_keeps_one_document_or_article() {
    let kb = common::kb();
    let mut req = SearchRequest::new("积分制");
    req.limit = 50;
    let all = kb.search(&req).unwrap();
    let count = |doc: &str, article: Option<&str>| {
        all.hits
            .iter()
            .filter(|h| h.record.doc_id == doc)
            .filter(|h| article.is_none_or(|a| h.record.article_id.as_deref() == Some(a)))
            .count()
    };
    let changjiang = "003_cfe1f94d390e57b3#a3";
    req.within = Some(changjiang.into());
    let r = kb.search(&req).unwrap();
    // The 昌江 article on 清单制 and 积分制 holds 11 of the 22 matches.
    assert_eq!(r.total, 11);
    assert_eq!(r.total, count("003_cfe1f94d390e57b3", Some(changjiang)));
    assert!(r
        .hits
        .iter()
        .all(|h| h.record.article_id.as_deref() == Some(changjiang)));
    req.within = Some("003_cfe1f94d390e57b3".into());
    let r = kb.search(&req).unwrap();
    assert_eq!(r.total, 14);
    assert_eq!(r.total, count("003_cfe1f94d390e57b3", None));
    req.within = Some("no_such_document".into());
    assert_eq!(kb.search(&req).unwrap().total, 0);
}

#[test]
fn a_per_article_limit_spreads_hits_and_counts_the_rest() {
    let kb = common::kb();
    let mut req = SearchRequest::new("积分制");
    req.limit = 50;
    let all = kb.search(&req).unwrap();
    req.per_article = Some(1);
    let one = kb.search(&req).unwrap();
    // The total still counts every match; 8 articles hold them.
    assert_eq!((all.total, one.total), (22, 22));
    assert_eq!(one.hits.len(), 8);
    let articles: Vec<_> = one.hits.iter().map(|h| &h.record.article_id).collect();
    let mut distinct = articles.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), articles.len(), "{articles:?}");
    // Each article's best hit is its first in the unlimited ranking, and
    // the rest of its matches are counted on it.
    for h in &one.hits {
        let same: Vec<_> = all
            .hits
            .iter()
            .filter(|a| a.record.article_id == h.record.article_id)
            .collect();
        assert_eq!(same[0].record.id, h.record.id);
        assert_eq!(h.more_in_article, same.len() - 1, "{}", h.record.id);
    }
    assert_eq!(one.hits[0].record.id, "003_cfe1f94d390e57b3#p37");
    assert_eq!(one.hits[0].more_in_article, 10);
    // Two per article: 琼中's article keeps 2 of its 3, 昌江's 2 of its 11.
    req.per_article = Some(2);
    let two = kb.search(&req).unwrap();
    let more = |r: &SearchResults, id: &str| {
        r.hits
            .iter()
            .filter(|h| h.record.article_id.as_deref() == Some(id))
            .map(|h| h.more_in_article)
            .collect::<Vec<_>>()
    };
    assert_eq!(more(&two, "003_cfe1f94d390e57b3#a3"), [9, 9]);
    assert_eq!(more(&two, "003_cfe1f94d390e57b3#a1"), [1, 1]);
    // Without a limit nothing is counted.
    assert!(all.hits.iter().all(|h| h.more_in_article == 0));
}

#[test]
fn per_article_pages_are_cut_from_one_order() {
    let kb = common::kb();
    let mut req = SearchRequest::new("乡村振兴");
    req.per_article = Some(2);
    req.limit = 30;
    let whole: Vec<String> = kb
        .search(&req)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.record.id)
        .collect();
    assert_eq!(whole.len(), 30);
    req.limit = 7;
    let mut paged = Vec::new();
    for offset in (0..30).step_by(7) {
        req.offset = offset;
        paged.extend(
            kb.search(&req)
                .unwrap()
                .hits
                .into_iter()
                .map(|h| h.record.id),
        );
    }
    paged.truncate(30);
    assert_eq!(paged, whole);
}

#[test]
fn a_per_article_limit_is_checked() {
    let kb = common::kb();
    let mut req = SearchRequest::new("积分制");
    req.per_article = Some(0);
    assert!(kb.search(&req).is_err());
    req.per_article = Some(1);
    req.kind = RecordKind::Figure;
    let e = kb.search(&req).unwrap_err().to_string();
    assert!(e.contains("not to figure searches"), "{e}");
    req.kind = RecordKind::Case;
    let cases = kb.search(&req).unwrap();
    assert!(cases.hits.iter().all(|h| h.record.kind == RecordKind::Case));
}

#[test]
fn bad_requests_are_errors_not_panics() {
    let kb = common::kb();
    for q in [
        "",
        "   ",
        "-光伏",
        "\"unclosed",
        "，。、",
        "积分制 OR",
        "NOT 光伏",
        "(积分制 光伏",
        "积分制 ()",
    ] {
        assert!(kb.search(&SearchRequest::new(q)).is_err(), "{q:?}");
    }
    let mut req = SearchRequest::new("积分制");
    req.limit = 0;
    assert!(kb.search(&req).is_err());
    req.limit = 101;
    assert!(kb.search(&req).is_err());
}

#[test]
fn no_match_is_an_empty_page() {
    let r = search("区块链量子计算");
    assert_eq!(r.total, 0);
    assert!(r.hits.is_empty());
}

#[test]
fn documents_and_articles_are_retrievable() {
    let kb = common::kb();
    let docs = kb.list(RecordKind::Document, None, None).unwrap();
    assert_eq!(docs.len(), 5);
    let d = kb
        .get("001_ce8c2f571f49a2a9")
        .unwrap()
        .expect("document 001");
    assert_eq!(d.detail["doc_number"], "美发〔2021〕7号");
    let a = kb
        .get("000_e37caf2969f00417#a1")
        .unwrap()
        .expect("article 1 of 000");
    assert_eq!(
        a.article_title.as_deref(),
        Some("海口织密医疗保障网 强化乡村发展专项行动取得新成效")
    );
    assert_eq!(a.units, ["海口市医疗保障局", "乡村振兴局"]);
    let passages = kb
        .list(RecordKind::Passage, None, Some("000_e37caf2969f00417#a1"))
        .unwrap();
    assert_eq!(
        passages.len(),
        8,
        "an intro, 一是…四是 of section 一, 一是…三是 of section 二"
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 128, failure_persistence: None, ..Default::default() })]

    /// Any mix of words, operators, signs and brackets is a page or an
    /// input error, never a panic or an index error; a page's hits never
    /// hold a word the query excludes outright.
    #[test]
    fn operator_soup_is_a_page_or_an_input_error(
        pieces in proptest::collection::vec(proptest::sample::select(vec![
            "积分制", "清单制", "昌江", "光伏", "OR", "AND", "NOT", "|", "(", ")", "-", "-昌江", "\"",
        ]), 1..10),
    ) {
        let q = pieces.join(" ");
        match common::kb().search(&SearchRequest::new(&q)) {
            Ok(page) => {
                let top_level_exclusion = !q.contains('(') && !q.contains('"') && q.contains("-昌江");
                if top_level_exclusion {
                    proptest::prop_assert!(page.hits.iter().all(|h| !h.record.text.contains("昌江")), "{}", q);
                }
            }
            Err(e) => proptest::prop_assert!(matches!(e, govkb::error::Error::Input(_)), "{}: {}", q, e),
        }
    }
}
