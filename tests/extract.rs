//! Extracted records over the sample corpus: figures, measures with their
//! responsible units, unit mentions and case studies.

mod common;

use govkb::record::{Record, RecordKind};
use govkb::search::SearchRequest;
use serde_json::Value;

fn all(kind: RecordKind) -> Vec<Record> {
    let mut req = SearchRequest::new("");
    req.kind = kind;
    common::kb().select(&req, 100_000).expect("select")
}

fn of_file<'a>(records: &'a [Record], prefix: &str) -> Vec<&'a Record> {
    records
        .iter()
        .filter(|r| r.file.starts_with(prefix))
        .collect()
}

fn num(r: &Record, key: &str) -> f64 {
    r.detail[key].as_f64().unwrap_or(f64::NAN)
}

#[test]
fn figures_of_bulletin_000() {
    let figures = all(RecordKind::Figure);
    let f000 = of_file(&figures, "000");
    let find = |text: &str| {
        *f000
            .iter()
            .find(|r| r.text == text)
            .unwrap_or_else(|| panic!("figure {text}"))
    };
    let villagers = find("12624名");
    assert_eq!(num(villagers, "value"), 12624.0);
    assert_eq!(villagers.detail["unit"], "人");
    assert_eq!(villagers.detail["subject"], "村民");
    assert_eq!(villagers.locality.as_deref(), Some("仲恺村"));
    assert!(villagers.detail["sentence"]
        .as_str()
        .unwrap()
        .contains("12624名村民从中受益"));
    let booklets = find("3.2万份");
    assert_eq!(num(booklets, "value"), 32000.0);
    assert!(booklets.detail["subject"]
        .as_str()
        .unwrap()
        .contains("宣传小册子"));
    let money = find("共计500万元");
    assert_eq!(num(money, "value"), 5_000_000.0);
    assert_eq!(money.detail["unit"], "元");
    let near = find("近5万人");
    assert_eq!(num(near, "value"), 50000.0);
    assert_eq!(near.detail["qualifier"], "近");
    assert_eq!(near.detail["approximate"], true);
    // Provenance: the span points at the figure in the clean text.
    let doc =
        govkb::pipeline::load_document(&common::corpus(), &common::corpus().join(&villagers.file))
            .unwrap()
            .0;
    let chars: Vec<char> = doc.clean_text.chars().collect();
    let at: String = chars[villagers.span.start..villagers.span.end]
        .iter()
        .collect();
    assert_eq!(at, "12624名");
}

/// A figure's place is the most specific one named in its own sentence, if
/// any (else its article's); the ingest finds places once per passage and
/// keeps those inside the sentence.
#[test]
fn a_figure_takes_the_place_named_in_its_sentence() {
    let figures = all(RecordKind::Figure);
    let mut with_place = 0;
    for f in &figures {
        let sentence = f.detail["sentence"].as_str().expect("sentence");
        let named = govkb::extract::locality::most_specific_locality(sentence)
            .filter(|p| p.chain.len() > 1);
        if let Some(place) = named {
            assert_eq!(
                f.locality.as_ref(),
                Some(&place.name),
                "{}: {sentence}",
                f.id
            );
            with_place += 1;
        }
    }
    assert!(with_place >= 20, "{with_place} figures with a place");
    // 琼中县's 10 乡镇 figure in bulletin 000 sits in a sentence naming the county.
    assert!(figures
        .iter()
        .any(|f| f.locality.as_deref() == Some("琼中黎族苗族自治县")));
    // Figures are found through their passage, filtered by their own places;
    // the total counts the figures a full page lists, and so do the facets.
    let kb = common::kb();
    let req = SearchRequest {
        kind: RecordKind::Figure,
        region: Some("琼中".into()),
        limit: 100,
        ..SearchRequest::new("乡镇")
    };
    let found = kb.search(&req).expect("search");
    let strict: Vec<_> = found.hits.iter().filter(|h| !h.partial).collect();
    assert!(found.total >= 1, "{}", found.total);
    assert_eq!(found.total, strict.len());
    for h in &found.hits {
        assert!(
            h.record.regions.iter().any(|r| r == "琼中黎族苗族自治县"),
            "{} {:?}",
            h.record.id,
            h.record.regions
        );
    }
    let facets = kb.facets(&req).expect("facets");
    assert_eq!(facets.total, found.total);
    assert!(facets
        .region
        .iter()
        .any(|v| v.value == "琼中黎族苗族自治县" && v.count == found.total));
}

#[test]
fn ranges_and_percentages() {
    let figures = all(RecordKind::Figure);
    let range = figures
        .iter()
        .find(|r| r.text == "1-3件")
        .expect("1-3件 in 003");
    assert_eq!((num(range, "value"), num(range, "value_max")), (1.0, 3.0));
    let pct = figures
        .iter()
        .find(|r| r.text == "90%以上")
        .expect("90%以上 in 003");
    assert_eq!(pct.detail["unit"], "%");
    assert_eq!(pct.detail["qualifier"], "以上");
}

#[test]
fn dates_numbers_and_ordinals_are_not_figures() {
    let figures = all(RecordKind::Figure);
    for r in &figures {
        let t = r.text.as_str();
        assert!(
            !t.ends_with('年') && !t.ends_with('日') && !t.ends_with('号'),
            "not a figure: {t}"
        );
        for bad in [
            "〔",
            "十四五",
            "十三五",
            "65368495",
            "65312449",
            "88279029",
            "572000",
            "第",
        ] {
            assert!(!t.contains(bad), "not a figure: {t}");
        }
    }
}

#[test]
fn measures_of_the_plans_with_their_units() {
    let measures = all(RecordKind::Measure);
    let m001 = of_file(&measures, "001");
    let m004 = of_file(&measures, "004");
    assert!(
        (55..=65).contains(&m001.len()),
        "001 has {} annotated measures",
        m001.len()
    );
    assert!(
        (40..=50).contains(&m004.len()),
        "004 has {} annotated measures",
        m004.len()
    );
    let first = m001[0];
    assert_eq!(first.detail["heading"], "1.设立5年过渡期。");
    assert!(first
        .text
        .starts_with("1.设立5年过渡期。\n脱贫攻坚目标任务完成后"));
    let responsible: Vec<&str> = first.detail["responsible"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        responsible.contains(&"中共海口市美兰区委农村工作领导小组办公室"),
        "{responsible:?}"
    );
    assert!(
        responsible.contains(&"海口市美兰区乡村振兴局"),
        "{responsible:?}"
    );
    assert!(first.units.contains(&"区委农办".to_string()));
    let jobs = m001
        .iter()
        .find(|m| m.detail["heading"] == "17.落实稳岗就业各项政策措施。")
        .expect("measure 17");
    assert_eq!(jobs.detail["lead"][0], "海口市美兰区人力资源和社会保障局");
}

#[test]
fn unit_mentions_resolve_short_names_and_keep_roles() {
    let units = all(RecordKind::Unit);
    let rsj = units
        .iter()
        .find(|u| u.detail["unit"] == "区人社局")
        .expect("区人社局 mention");
    assert_eq!(rsj.detail["unit_full"], "海口市美兰区人力资源和社会保障局");
    // A mention carries its measure's text (stored once, in the measure).
    let measure = common::kb()
        .get(rsj.detail["measure_id"].as_str().expect("measure id"))
        .expect("get")
        .expect("the mention's measure");
    assert_eq!(rsj.text, measure.text);
    assert!(rsj.text.contains("区人社局"), "{}", rsj.text);
    let searched = common::kb()
        .search(&SearchRequest {
            kind: RecordKind::Unit,
            ..SearchRequest::new("区人社局")
        })
        .expect("search");
    assert!(searched.hits[0].record.text.contains("区人社局"));
    assert!(searched.hits[0].snippet.contains("<b>区人社局</b>"));
    // A measure's mentions are made from it, yet keep ids that `get` finds.
    assert!(rsj.id.contains("#u"), "{}", rsj.id);
    let by_id = common::kb()
        .get(&rsj.id)
        .expect("get")
        .expect("mention by id");
    assert_eq!(by_id.detail, rsj.detail);
    assert_eq!(common::kb().count(RecordKind::Unit).unwrap(), units.len());
    // Totals count mentions, the same ones a full page lists.
    let lead = common::kb()
        .search(&SearchRequest {
            kind: RecordKind::Unit,
            unit: Some("区人社局".into()),
            limit: 100,
            ..SearchRequest::new("就业")
        })
        .expect("search");
    assert!(lead.total >= 2, "{}", lead.total);
    assert_eq!(lead.total, lead.hits.iter().filter(|h| !h.partial).count());
    assert!(lead
        .hits
        .iter()
        .all(|h| h.record.detail["unit"] == "区人社局"
            || h.record.detail["unit_full"] == "海口市美兰区人力资源和社会保障局"));
    let collective = units
        .iter()
        .find(|u| u.detail["unit"] == "各镇")
        .expect("各镇");
    assert_eq!(collective.detail["collective"], true);
    let credit = units
        .iter()
        .find(|u| u.detail["role"] == "credit" && u.detail["unit"] == "乡村振兴局")
        .expect("credit");
    assert_eq!(credit.detail["unit_full"], "海口市乡村振兴局");
    assert!(units
        .iter()
        .any(|u| u.detail["role"] == "author" && u.detail["unit"] == "高飞"));
    assert!(units
        .iter()
        .any(|u| u.detail["role"] == "issuer" && u.detail["unit"] == "中共海口市美兰区委"));
}

#[test]
fn case_studies_of_the_bulletins() {
    let cases = all(RecordKind::Case);
    let at = |place: &str| {
        cases
            .iter()
            .find(|c| c.locality.as_deref() == Some(place))
            .unwrap_or_else(|| panic!("case at {place}"))
    };
    let qz = at("琼中黎族苗族自治县");
    assert!(qz.detail["title"].as_str().unwrap().starts_with("琼中县"));
    assert!(qz.detail["themes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t == "数字乡村"));
    assert!(qz.detail["figures"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["text"] == "共计29436户"));
    let sm = at("沙美村");
    assert!(sm.detail["locality_chain"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == "琼海市"));
    assert!(cases.iter().any(|c| c.detail["locality_chain"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == "昌江黎族自治县")
        && c.file.starts_with("003")));
    let zk = at("仲恺村");
    assert_eq!(zk.detail["title"], "创新推动村集体经济抱团发展");
    assert!(zk.text.starts_with("如美兰区灵山镇仲恺村"));
    let figs: Vec<&str> = zk.detail["figures"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["text"].as_str())
        .collect();
    assert!(figs.contains(&"12624名"), "{figs:?}");
    assert_eq!(zk.detail["source_unit"], "海口市医疗保障局");
}

#[test]
fn extracted_records_are_searchable_by_kind_and_unit() {
    let kb = common::kb();
    let mut req = SearchRequest::new("就业");
    req.kind = RecordKind::Measure;
    req.unit = Some("区人社局".into());
    let r = kb.search(&req).unwrap();
    assert!(r.total >= 4);
    assert!(r.hits.iter().all(|h| h.record.kind == RecordKind::Measure
        && h.record.units.contains(&"区人社局".to_string())));
    let mut req = SearchRequest::new("村民 受益");
    req.kind = RecordKind::Figure;
    let r = kb.search(&req).unwrap();
    assert!(r.hits.iter().any(|h| h.record.text == "12624名"));
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(common::bin())
        .args(args)
        .arg("--index")
        .arg(common::index_dir())
        .output()
        .expect("run govkb");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn cli_exports_json_and_csv() {
    let (code, out, err) = run(&["figures", "--json", "--unit", "人", "--region", "海口"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let recs = v["records"].as_array().unwrap();
    assert!(recs.iter().any(|r| r["text"] == "12624名"));
    for r in recs {
        for key in [
            "id",
            "kind",
            "file",
            "doc_title",
            "article_title",
            "section_path",
            "span",
            "text",
            "value",
            "value_max",
            "unit",
            "qualifier",
            "subject",
            "sentence",
        ] {
            assert!(r.get(key).is_some(), "figure lacks {key}");
        }
        assert_eq!(r["unit"], "人");
    }
    let (code, out, _) = run(&["units", "--csv"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("id,file,doc_title,date,article_title,section_path,locality,span_start,span_end,unit,unit_full,role,collective,measure,text\n"));
    let (code, out, _) = run(&["units", "区人社局", "--role", "lead", "--json"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v["records"].as_array().unwrap().len() >= 8);
    let (code, out, _) = run(&["cases", "--theme", "积分制", "--json"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    let cases = v["records"].as_array().unwrap();
    assert!(!cases.is_empty());
    for c in cases {
        for key in [
            "locality",
            "locality_chain",
            "title",
            "themes",
            "figures",
            "source_unit",
            "text",
        ] {
            assert!(c.get(key).is_some(), "case lacks {key}");
        }
    }
    let (code, _, err) = run(&["units", "--role", "boss"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown role"));
}

/// Each sample document, parsed.
fn sample_documents() -> Vec<govkb::model::Document> {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    std::fs::read_dir(&corpus)
        .unwrap()
        .map(|entry| {
            govkb::pipeline::load_document(&corpus, &entry.unwrap().path())
                .expect("sample")
                .0
        })
        .collect()
}

/// A document's passages as stored: their JSON, read back.
fn stored_passages(doc: &govkb::model::Document) -> Vec<Record> {
    govkb::record::document_records(doc)
        .iter()
        .filter(|r| r.kind == RecordKind::Passage)
        .map(|p| serde_json::from_str(&serde_json::to_string(p).unwrap()).unwrap())
        .collect()
}

/// The children of `kind` read from the stored passages equal the records
/// extracted directly, in JSON and in the index-only fields `same` compares.
fn assert_read_equals_extracted(
    doc: &govkb::model::Document,
    kind: RecordKind,
    extracted: &[Record],
    same: impl Fn(&Record, &Record),
) -> Vec<Record> {
    let read: Vec<Record> = stored_passages(doc)
        .iter()
        .flat_map(|p| govkb::record::children::children(p, kind))
        .collect();
    assert_eq!(read.len(), extracted.len(), "{}", doc.file);
    for (r, e) in read.iter().zip(extracted) {
        assert_eq!(
            serde_json::to_value(r).unwrap(),
            serde_json::to_value(e).unwrap()
        );
        same(r, e);
    }
    read
}

/// The whole figure record a figure found in passage `n` stands for: its
/// document's provenance, its passage's section path, and its figure's
/// fields with the sentence around it.
fn figure_record(
    ctx: &govkb::record::DocContext,
    n: usize,
    found: govkb::record::extracted::FoundFigure,
) -> Record {
    let p = &ctx.doc.passages[n];
    let f = found.figure;
    let chars: Vec<char> = p.text.chars().collect();
    let is_end = |c: &char| "。！？；\n".contains(*c);
    let from = chars[..f.start]
        .iter()
        .rposition(is_end)
        .map_or(0, |i| i + 1);
    let to = chars[f.end..]
        .iter()
        .position(is_end)
        .map_or(chars.len(), |i| f.end + i + 1);
    let sentence: String = chars[from..to].iter().collect();
    let mut r = ctx.record(RecordKind::Figure, found.id, p.article, f.text, found.span);
    r.section_path = p.section_path.clone();
    r.locality = found.locality;
    r.regions = found.regions;
    r.detail = serde_json::json!({
        "value": f.value, "value_max": f.value_max, "unit": f.unit, "qualifier": f.qualifier,
        "approximate": f.approximate, "subject": f.subject, "sentence": sentence,
        "passage_id": format!("{}#p{}", ctx.doc.id, n + 1), "year": ctx.doc.year(),
    })
    .as_object()
    .cloned()
    .unwrap();
    r
}

#[test]
fn a_figure_read_from_its_passage_equals_the_figure_extracted() {
    use govkb::record::{extracted, DocContext};
    let mut compared = 0;
    for doc in sample_documents() {
        let ctx = DocContext::new(&doc);
        let mut counter = 0;
        let extracted: Vec<Record> = doc
            .passages
            .iter()
            .enumerate()
            .flat_map(|(n, p)| {
                extracted::passage_figures(&ctx, p, &mut counter)
                    .into_iter()
                    .map(move |found| (n, found))
            })
            .map(|(n, found)| figure_record(&ctx, n, found))
            .collect();
        let read = assert_read_equals_extracted(&doc, RecordKind::Figure, &extracted, |r, e| {
            assert_eq!(r.regions, e.regions, "{}", e.id)
        });
        compared += read.len();
    }
    assert!(compared >= 500, "{compared}");
}

#[test]
fn a_measure_read_from_its_passage_equals_the_measure_extracted() {
    use govkb::extract::units::find_annotations;
    use govkb::record::children::children;
    use govkb::record::{extracted, DocContext};
    let (mut measures, mut with_heading_line) = (0, 0);
    for doc in sample_documents() {
        let ctx = DocContext::new(&doc);
        let chars: Vec<char> = doc.clean_text.chars().collect();
        let mut counters = (0, 0);
        let extracted: Vec<Record> = doc
            .passages
            .iter()
            .filter_map(|p| {
                let notes = find_annotations(&p.text, &ctx.jurisdiction);
                extracted::measure_record(&ctx, &chars, p, &notes, &mut counters)
            })
            .collect();
        let read = assert_read_equals_extracted(&doc, RecordKind::Measure, &extracted, |r, e| {
            assert_eq!(r.unit_keys, e.unit_keys, "{}", e.id)
        });
        for r in &read {
            let heading = r.detail["heading"].as_str().unwrap_or("");
            with_heading_line += usize::from(r.text.starts_with(&format!("{heading}\n")));
        }
        // A passage's unit mentions are its measure's.
        let mentions: usize = stored_passages(&doc)
            .iter()
            .map(|p| children(p, RecordKind::Unit).len())
            .sum();
        let listed: usize = extracted
            .iter()
            .map(|m| m.detail["mentions"].as_array().unwrap().len())
            .sum();
        assert_eq!(mentions, listed, "{}", doc.file);
        measures += read.len();
    }
    assert!(measures >= 100, "{measures}");
    // 001's `1.设立5年过渡期。` and three more head their passage on a line of their own.
    assert!(with_heading_line >= 4, "{with_heading_line}");
}

#[test]
fn a_measure_spanning_paragraphs_is_found_by_its_earlier_paragraph() {
    // 001's measure 21 starts in one paragraph (`…将其职能并入…`) and ends
    // in the next, whose passage carries it with its annotation; a word only
    // in the first paragraph finds the measure and its units, not the
    // passage that carries it.
    let kb = common::kb();
    let search = |kind: RecordKind| {
        kb.search(&SearchRequest {
            kind,
            ..SearchRequest::new("\"打赢脱贫攻坚战指挥部\"")
        })
        .expect("search")
    };
    let measures = search(RecordKind::Measure);
    let m = measures
        .hits
        .iter()
        .find(|h| h.record.detail["heading"] == "21.重组调整机构职能。")
        .expect("measure 21 of 001");
    assert!(m
        .record
        .text
        .starts_with("21.重组调整机构职能。不再保留区扶贫开发领导小组"));
    assert!(m
        .record
        .text
        .ends_with("（责任单位：区委农办、区乡村振兴局、区委编办）"));
    assert_eq!(measures.total, measures.hits.len());
    let passages = search(RecordKind::Passage);
    assert!(passages
        .hits
        .iter()
        .any(|h| h.record.text.contains("打赢脱贫攻坚战指挥部")));
    assert!(
        passages
            .hits
            .iter()
            .all(|h| h.record.detail.get("measure").and_then(|x| x.get("id"))
                != Some(&Value::from(m.record.id.as_str()))),
        "the passage carrying the measure does not have the word"
    );
    let units = search(RecordKind::Unit);
    let of_measure: Vec<&str> = units
        .hits
        .iter()
        .filter(|h| h.record.detail["measure_id"] == m.record.id.as_str())
        .map(|h| h.record.detail["unit"].as_str().unwrap())
        .collect();
    assert_eq!(of_measure, ["区委农办", "区乡村振兴局", "区委编办"]);
}

/// A heading whose annotation is on the next line (joined to it when the
/// text is cleaned, as in plans extracted from PDF) keeps a clean label, and
/// the annotation makes a measure under that heading with its units.
#[test]
fn an_annotation_on_the_line_after_a_heading_is_a_measure_of_it() {
    let name = "001_ce8c2f571f49a2a9.txt";
    let dir = tempfile::tempdir().expect("temp");
    let mut text = std::fs::read_to_string(common::corpus().join(name)).expect("001");
    let heading = "（五）健全农村低收入人口常态化监测帮扶机制";
    text.push_str(&format!(
        "\n{heading}\n\n（牵头单位：区民政局、区乡村振兴局，责任单位：各镇）\n"
    ));
    std::fs::write(dir.path().join(name), text).expect("write");
    let doc = govkb::pipeline::load_document(dir.path(), &dir.path().join(name))
        .expect("parse")
        .0;
    let last = doc.passages.last().expect("a passage");
    assert_eq!(last.section_path.last().map(String::as_str), Some(heading));
    let records = govkb::record::document_records(&doc);
    let measure = records
        .iter()
        .filter(|r| r.kind == RecordKind::Passage)
        .rev()
        .find_map(|p| p.detail.get("measure"))
        .expect("a measure");
    assert_eq!(measure["heading"], heading);
    assert_eq!(measure["number"], "五");
    assert_eq!(
        measure["lead"],
        serde_json::json!(["海口市美兰区民政局", "海口市美兰区乡村振兴局"])
    );
    assert_eq!(measure["responsible"], serde_json::json!(["各镇"]));
}
