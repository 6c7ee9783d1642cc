//! `govkb compile` over the indexed sample corpus: the Markdown draft's
//! bulletin layout, a well-formed HTML page, a .docx that opens (and converts
//! to PDF where LibreOffice is installed), duplicates kept once, and errors
//! that leave no file behind.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use govkb::compile::{
    compile, render, DuplicateReason, Format, HeaderFields, PlanSection, Selection,
};

/// 琼中 (bulletin 003, article without a credit line).
const QIONGZHONG: &str = "003_cfe1f94d390e57b3#c1";
/// 儋州 (bulletin 000, credit `儋州市乡村振兴局`).
const DANZHOU: &str = "000_e37caf2969f00417#c2";
/// 定安 (bulletin 000, credit `定安县乡村振兴局`).
const DINGAN: &str = "000_e37caf2969f00417#c3";
/// 海口 (bulletin 000, credit `海口市医疗保障局、乡村振兴局提供`).
const HAIKOU: &str = "000_e37caf2969f00417#c1";
/// 仲恺村: an example sentence inside the 海口 article.
const ZHONGKAI: &str = "000_e37caf2969f00417#c4";

const HEADER_FLAGS: [&str; 20] = [
    "--name",
    "海南乡村振兴简报",
    "--issue",
    "2024年第1期",
    "--total-issue",
    "33",
    "--unit",
    "海南省乡村振兴局",
    "--date",
    "2024-01-15",
    "--editor-note",
    "各市县积极探索乡村治理新路径。现将部分市县经验做法予以转发，供学习借鉴。",
    "--report-to",
    "省委实施乡村振兴战略领导小组组长、副组长",
    "--send-to",
    "省委实施乡村振兴战略领导小组成员单位",
    "--distribute-to",
    "各市（县）乡村振兴局",
    "--editor",
    "王怡",
];

fn govkb(args: &[&str]) -> Output {
    let index = common::index_dir()
        .to_str()
        .expect("utf-8 path")
        .to_string();
    Command::new(common::bin())
        .arg("compile")
        .args(["--index", &index])
        .args(args)
        .output()
        .expect("run govkb")
}

/// Compile with the full header; returns the draft printed on stdout.
fn draft(ids: &[&str], more: &[&str]) -> (String, String) {
    let ids = ids.join(",");
    let mut args = vec!["--ids", &ids];
    args.extend(HEADER_FLAGS);
    args.extend(more);
    let out = govkb(&args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    (String::from_utf8(out.stdout).expect("utf-8"), stderr)
}

fn header() -> HeaderFields {
    HeaderFields {
        name: Some("海南乡村振兴简报".into()),
        issue: Some("2024年第1期".into()),
        date: Some("2024-01-15".into()),
        ..Default::default()
    }
}

/// Index of `needle` in `hay`, failing with a message when absent.
fn at(hay: &str, needle: &str) -> usize {
    hay.find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in the draft:\n{hay}"))
}

#[test]
fn markdown_draft_has_the_bulletin_layout() {
    let (md, _) = draft(&[QIONGZHONG, DANZHOU, DINGAN], &[]);
    // 报头
    let lines: Vec<&str> = md.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(
        &lines[..4],
        [
            "# 海南乡村振兴简报",
            "2024年第1期（总第33期）",
            "海南省乡村振兴局　　　　2024年1月15日",
            "---"
        ]
    );
    // 编者按 before the first article
    let note = at(&md, "**编者按**：各市县积极探索乡村治理新路径。");
    let titles: Vec<(usize, &str)> = md.match_indices("\n## ").collect();
    assert!(note < titles[0].0);
    // articles in the order given, then the provenance list
    let headlines: Vec<&str> = md.lines().filter_map(|l| l.strip_prefix("## ")).collect();
    assert_eq!(
        headlines,
        [
            "琼中县:以“五个强化”打造数字乡村 提升乡村治理能力",
            "儋州加强服务保障回引农村人才",
            "定安深入践行“四下基层”打造“四大”劳务品牌",
            "稿件来源（供编辑核对，付印前删去）",
        ]
    );
    // section structure and full text of each article
    let kb = common::kb();
    for (article, heading) in [
        (
            "003_cfe1f94d390e57b3#a1",
            "### 一、强化组织领导，筑牢顶层设计",
        ),
        ("000_e37caf2969f00417#a2", "### 一、落实服务，精心培育"),
        ("000_e37caf2969f00417#a3", "### 一、建好用好“三问”工作室"),
    ] {
        at(&md, heading);
        let passages = kb
            .list(govkb::record::RecordKind::Passage, None, Some(article))
            .expect("passages");
        assert!(!passages.is_empty());
        let flat = common::squash(&md.replace('\\', ""));
        for p in passages {
            assert!(
                flat.contains(&common::squash(&p.text)),
                "{} missing from the draft",
                p.id
            );
        }
    }
    // credit lines close each article, in order
    let credits = [
        "（来源：《海南乡村振兴简报》2022年第13期）",
        "（儋州市乡村振兴局提供）",
        "（定安县乡村振兴局提供）",
    ];
    let pos: Vec<usize> = credits
        .iter()
        .map(|c| at(&md, &format!("\n{c}\n")))
        .collect();
    assert!(
        pos[0] < titles[1].0
            && titles[1].0 < pos[1]
            && pos[1] < titles[2].0
            && titles[2].0 < pos[2]
    );
    // 报尾 after the last article, before the provenance list
    let tail = [
        "**报**：省委实施乡村振兴战略领导小组组长、副组长",
        "**送**：省委实施乡村振兴战略领导小组成员单位",
        "**发**：各市（县）乡村振兴局",
        "责任编辑：王怡",
    ];
    let tail_pos: Vec<usize> = tail.iter().map(|t| at(&md, t)).collect();
    assert!(tail_pos.windows(2).all(|w| w[0] < w[1]));
    assert!(pos[2] < tail_pos[0] && tail_pos[3] < titles[3].0);
    // provenance: one numbered line per article with document, issue, date, file and id
    let provenance = &md[titles[3].0..];
    for (n, (id, publication)) in [
        (QIONGZHONG, "《海南乡村振兴简报》2022年第13期，2022-11-27"),
        (DANZHOU, "《海南乡村振兴简报》2023年第10期，2023-11-30"),
        (DINGAN, "《海南乡村振兴简报》2023年第10期，2023-11-30"),
    ]
    .into_iter()
    .enumerate()
    {
        let file = id.split('#').next().unwrap_or_default();
        let line = provenance
            .lines()
            .find(|l| l.starts_with(&format!("{}. ", n + 1)))
            .expect("numbered provenance line");
        assert!(line.contains(publication), "{line}");
        assert!(line.contains(&format!("文件 `{file}.txt`")), "{line}");
        assert!(line.contains(&format!("记录 `{id}`（字符 ")), "{line}");
    }
    assert!(!md.contains("已略去的重复稿件"));
}

#[test]
fn query_and_plan_select_records() {
    // the top cases of a query, in rank order
    let out = govkb(&["--query", "积分制", "--limit", "3", "--name", "简报"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8(out.stdout).expect("utf-8");
    let kb = common::kb();
    let mut req = govkb::search::SearchRequest::new("积分制");
    req.kind = govkb::record::RecordKind::Case;
    req.limit = 3;
    let hits = kb.search(&req).expect("search").hits;
    assert_eq!(hits.len(), 3);
    // every hit is in the draft or in its list of duplicates left out
    for h in &hits {
        assert!(
            md.contains(&format!("`{}`", h.record.id)),
            "{}",
            h.record.id
        );
    }
    let titles: Vec<&str> = md.lines().filter_map(|l| l.strip_prefix("## ")).collect();
    let left_out = md.lines().filter(|l| l.starts_with("- 《")).count();
    assert_eq!(titles.len() - 1 + left_out, hits.len(), "{md}");
    // the top hit comes first, unless a fuller version of it took its place
    let top = format!("`{}`", hits[0].record.id);
    let first_line = md
        .lines()
        .find(|l| l.starts_with("1. "))
        .unwrap_or_default();
    let replaced = md
        .lines()
        .any(|l| l.starts_with("- 《") && l.contains(&top));
    assert!(first_line.contains(&top) || replaced, "{md}");

    // a TOML plan with two columns; a flag overrides the plan's issue
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = dir.path().join("plan.toml");
    std::fs::write(
        &plan,
        format!(
            "[header]\nname = \"海南乡村振兴简报\"\nissue = \"2024年第2期\"\ntotal_issue = 34\neditor = \"王怡\"\n\n\
             [[sections]]\ntitle = \"工作动态\"\nids = [\"{DANZHOU}\"]\n\n\
             [[sections]]\ntitle = \"经验交流\"\nids = [\"{QIONGZHONG}\", \"{DINGAN}\"]\n"
        ),
    )
    .expect("write plan");
    let out = govkb(&[
        "--plan",
        plan.to_str().unwrap_or_default(),
        "--issue",
        "2024年第3期",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        md.contains("2024年第3期（总第34期）") && md.contains("责任编辑：王怡"),
        "{md}"
    );
    let order = [
        "**【工作动态】**",
        "## 儋州加强服务保障回引农村人才",
        "**【经验交流】**",
        "## 琼中县",
        "## 定安深入践行",
    ]
    .map(|s| at(&md, s));
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");

    // the same plan as JSON, through the library
    let json = dir.path().join("plan.json");
    std::fs::write(
        &json,
        format!(r#"{{"header": {{"name": "简报"}}, "sections": [{{"ids": ["{DANZHOU}"]}}]}}"#),
    )
    .expect("write plan");
    let p = govkb::compile::Plan::load(&json).expect("JSON plan");
    let d = compile(&kb, &Selection::Sections(p.sections), &p.header).expect("compile");
    assert_eq!(d.articles().count(), 1);
    assert_eq!(d.header.name, "简报");
}

#[test]
fn passages_of_one_article_make_one_article_with_its_headline() {
    let kb = common::kb();
    let passages = kb
        .list(
            govkb::record::RecordKind::Passage,
            None,
            Some("000_e37caf2969f00417#a1"),
        )
        .expect("passages");
    let (first, last) = (&passages[0], &passages[passages.len() - 1]);
    let heading = last
        .section_path
        .last()
        .expect("the last passage is in a section");
    let d = compile(
        &kb,
        &Selection::Ids(vec![last.id.clone(), first.id.clone()]),
        &header(),
    )
    .expect("compile");
    let a: Vec<_> = d.articles().collect();
    assert_eq!(a.len(), 1);
    assert_eq!(
        a[0].title,
        "海口织密医疗保障网 强化乡村发展专项行动取得新成效"
    );
    assert_eq!(a[0].credit, "（海口市医疗保障局、乡村振兴局提供）");
    let ids: Vec<&str> = a[0].sources.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, [first.id.as_str(), last.id.as_str()]);
    let md = String::from_utf8(render(&d, Format::Markdown).expect("render")).expect("utf-8");
    assert!(md.contains(&format!("\n### {heading}\n")), "{md}");
}

/// Check that every start tag has its end tag, in order; returns the element count.
fn assert_well_formed(xml: &str) -> usize {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut elements = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e)) => {
                stack.push(String::from_utf8_lossy(e.name().as_ref()).into_owned());
                elements += 1;
            }
            Ok(quick_xml::events::Event::Empty(_)) => elements += 1,
            Ok(quick_xml::events::Event::End(e)) => {
                let open = stack.pop().expect("an end tag without a start tag");
                assert_eq!(open.as_bytes(), e.name().as_ref(), "mismatched end tag");
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed at byte {}: {e}", reader.buffer_position()),
        }
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    elements
}

#[test]
fn html_is_well_formed_and_printable() {
    let (html, _) = draft(&[QIONGZHONG, DANZHOU, DINGAN], &["--format", "html"]);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(assert_well_formed(&html) > 50);
    for needle in [
        "<html lang=\"zh-CN\">",
        "@page { size: A4;",
        "仿宋",
        "宋体",
        "<header class=\"masthead\">\n<h1>海南乡村振兴简报</h1>",
        "<footer class=\"colophon\">",
        "<section class=\"provenance\">",
        "<h2>儋州加强服务保障回引农村人才</h2>",
        "<h3>一、落实服务，精心培育</h3>",
        "<p>（儋州市乡村振兴局提供）</p>\n</article>",
        "<strong>报</strong>：省委实施乡村振兴战略领导小组组长、副组长",
    ] {
        assert!(html.contains(needle), "`{needle}` missing");
    }
    assert_eq!(html.matches("<article>").count(), 3);
}

#[test]
fn docx_opens_with_the_titles_and_converts_to_pdf() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("第1期.docx");
    let mut args = vec!["--ids", "003_cfe1f94d390e57b3#c1,000_e37caf2969f00417#c2"];
    args.extend(HEADER_FLAGS);
    args.extend(["-o", path.to_str().unwrap_or_default()]);
    let out = govkb(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());

    let file = std::fs::File::open(&path).expect("docx written");
    let mut zip = zip::ZipArchive::new(file).expect("a zip archive");
    let read = |zip: &mut zip::ZipArchive<std::fs::File>, name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).expect(name), &mut s).expect(name);
        s
    };
    let document = read(&mut zip, "word/document.xml");
    assert_well_formed(&document);
    for text in [
        "海南乡村振兴简报",
        "2024年第1期（总第33期）",
        "琼中县:以“五个强化”打造数字乡村 提升乡村治理能力",
        "儋州加强服务保障回引农村人才",
        "（儋州市乡村振兴局提供）",
        "报：省委实施乡村振兴战略领导小组组长、副组长",
        "责任编辑：王怡",
    ] {
        assert!(
            document.contains(text),
            "`{text}` missing from document.xml"
        );
    }
    let styles = read(&mut zip, "word/styles.xml");
    assert_well_formed(&styles);
    for s in [
        "仿宋",
        "黑体",
        "楷体",
        "方正小标宋简体",
        "w:styleId=\"Heading1\"",
    ] {
        assert!(styles.contains(s), "`{s}` missing from styles.xml");
    }
    read(&mut zip, "[Content_Types].xml");

    let soffice_ok = Command::new("soffice")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !soffice_ok {
        eprintln!("skipped the PDF conversion: LibreOffice (`soffice`) is not installed");
        return;
    }
    let profile = format!("file://{}", dir.path().join("lo-profile").display());
    let mut child = Command::new("soffice")
        .arg(format!("-env:UserInstallation={profile}"))
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(dir.path())
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run soffice");
    let deadline = Instant::now() + Duration::from_secs(180);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for soffice") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            eprintln!("skipped the PDF conversion: soffice did not finish within 180 s");
            return;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let pdf = dir.path().join("第1期.pdf");
    assert!(
        pdf.exists(),
        "soffice ({status}) did not convert the draft to PDF"
    );
    let bytes = std::fs::read(&pdf).expect("pdf");
    assert!(
        bytes.starts_with(b"%PDF") && bytes.len() > 10_000,
        "{} bytes",
        bytes.len()
    );
}

#[test]
fn the_same_case_twice_is_kept_once() {
    let kb = common::kb();
    // the same id twice
    let d = compile(
        &kb,
        &Selection::Ids(vec![DANZHOU.into(), HAIKOU.into(), DANZHOU.into()]),
        &header(),
    )
    .expect("compile");
    assert_eq!(d.articles().count(), 2);
    assert_eq!(d.duplicates.len(), 1);
    assert_eq!(d.duplicates[0].reason, DuplicateReason::SelectedTwice);
    assert_eq!(d.duplicates[0].kept, 1);

    // an example and the article it stands in: the fuller one takes its place
    let d = compile(
        &kb,
        &Selection::Sections(vec![PlanSection {
            title: None,
            ids: vec![ZHONGKAI.into(), DANZHOU.into(), HAIKOU.into()],
        }]),
        &header(),
    )
    .expect("compile");
    let ids: Vec<&str> = d.articles().map(|a| a.sources[0].id.as_str()).collect();
    assert_eq!(ids, [HAIKOU, DANZHOU]);
    assert_eq!(d.duplicates[0].sources[0].id, ZHONGKAI);
    assert!(d.duplicates[0].describe().contains(ZHONGKAI));
    let md = String::from_utf8(render(&d, Format::Markdown).expect("render")).expect("utf-8");
    assert!(md.contains("已略去的重复稿件") && md.contains(&format!("`{ZHONGKAI}`")));

    // a reprint: the same bulletin article in another issue, lightly edited
    let corpus = tempfile::tempdir().expect("temp dir");
    let original = std::fs::read_to_string(common::corpus().join("003_cfe1f94d390e57b3.txt"))
        .expect("sample bulletin");
    std::fs::write(corpus.path().join("003_cfe1f94d390e57b3.txt"), &original).expect("copy");
    let reprint = original
        .replace("2022年第 13期", "2023年第 2期")
        .replace("琼中紧扣智慧海南建设要求", "琼中县紧扣智慧海南建设的要求")
        .replace("努力为海南自贸港", "努力为海南自由贸易港");
    assert_ne!(reprint, original);
    std::fs::write(corpus.path().join("010_reprint.txt"), reprint).expect("reprint");
    let index = tempfile::tempdir().expect("temp dir");
    common::ingest_with(
        corpus.path(),
        index.path(),
        govkb::index::build::Rebuild::Changed,
    );
    let kb2 = govkb::search::KnowledgeBase::open(index.path()).expect("open");
    let d = compile(
        &kb2,
        &Selection::Ids(vec!["010_reprint#c1".into(), QIONGZHONG.into()]),
        &header(),
    )
    .expect("compile");
    assert_eq!(d.articles().count(), 1);
    let dup = &d.duplicates[0];
    assert_eq!(dup.sources[0].id, QIONGZHONG);
    assert!(
        matches!(dup.reason, DuplicateReason::SameCase { shared } if shared > 0.9 && shared < 1.0),
        "{:?}",
        dup.reason
    );
}

/// Names in a folder.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// A failed run: non-zero exit, one line on stderr naming `what`.
fn assert_fails(out: &Output, what: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "expected failure, got: {err}");
    assert!(out.stdout.is_empty());
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.starts_with("govkb: ") && err.contains(what), "{err}");
}

#[test]
fn errors_name_the_problem_and_write_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out_path = dir.path().join("draft.md");
    let out_arg = out_path.to_str().unwrap_or_default().to_string();
    std::fs::write(&out_path, "previous draft").expect("write");

    // an unknown id among known ones: no draft, the old file untouched
    let ids = format!("{DANZHOU},000_e37caf2969f00417#c99,nosuchdoc#a1");
    let out = govkb(&["--ids", &ids, "--name", "简报", "-o", &out_arg]);
    assert_fails(&out, "`000_e37caf2969f00417#c99`, `nosuchdoc#a1`");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read_to_string(&out_path).ok().as_deref(),
        Some("previous draft")
    );

    // an empty selection: empty ids, a query without hits, no selection at all
    let out = govkb(&["--ids", "", "--name", "简报", "-o", &out_arg]);
    assert_fails(&out, "nothing selected");
    let out = govkb(&[
        "--query",
        "\"量子纠缠超导体\"",
        "--name",
        "简报",
        "-o",
        &out_arg,
    ]);
    assert_fails(&out, "nothing to compile");
    let out = govkb(&["--name", "简报"]);
    assert_fails(&out, "--ids, --query or --plan");
    // a record of a kind compile does not take
    let out = govkb(&["--ids", "000_e37caf2969f00417#f1", "--name", "简报"]);
    assert_fails(&out, "is a figure");
    // no name
    let out = govkb(&["--ids", DANZHOU]);
    assert_fails(&out, "--name");
    assert_eq!(listing(dir.path()), ["draft.md"]);

    // unwritable output: a missing folder, a folder, docx to stdout
    for target in [
        dir.path().join("missing").join("draft.md"),
        dir.path().to_path_buf(),
    ] {
        let out = govkb(&[
            "--ids",
            DANZHOU,
            "--name",
            "简报",
            "-o",
            target.to_str().unwrap_or_default(),
        ]);
        assert_fails(&out, "cannot write");
        assert_eq!(out.status.code(), Some(2));
    }
    let out = govkb(&["--ids", DANZHOU, "--name", "简报", "--format", "docx"]);
    assert_fails(&out, "-o/--output");
    assert_eq!(
        listing(dir.path()),
        ["draft.md"],
        "no file or temporary left"
    );
    assert_eq!(
        std::fs::read_to_string(&out_path).ok().as_deref(),
        Some("previous draft")
    );
}
