//! The five sample documents parse into the metadata, articles and sections
//! their printed layout shows.

mod common;

use govkb::model::{DocType, Document};
use govkb::pipeline::load_document;

fn doc(name: &str) -> Document {
    let root = common::corpus();
    load_document(&root, &root.join(name)).expect("parse").0
}

#[test]
fn notice_001_metadata_and_plan() {
    let d = doc("001_ce8c2f571f49a2a9.txt");
    assert_eq!(d.meta.doc_type, DocType::Notice);
    assert_eq!(d.meta.doc_number.as_deref(), Some("美发〔2021〕7号"));
    assert_eq!(d.meta.date.as_deref(), Some("2021-08-17"));
    assert_eq!(
        d.meta.issuer.as_deref(),
        Some("中共海口市美兰区委 / 海口市美兰区人民政府")
    );
    assert_eq!(
        d.meta.title,
        "关于印发《海口市美兰区巩固拓展脱贫攻坚成果同乡村振兴有效衔接实施方案》的通知"
    );
    assert_eq!(
        d.meta.addressees.as_deref(),
        Some("各镇党委、人民政府，各街道工委、办事处，区机关各部门，区直各单位")
    );
    assert_eq!(d.meta.jurisdiction.as_deref(), Some("海口市美兰区"));
    assert_eq!(d.articles.len(), 2, "notice body and the attached plan");
    let plan = &d.articles[1];
    assert_eq!(
        plan.title,
        "海口市美兰区巩固拓展脱贫攻坚成果 同乡村振兴有效衔接的实施方案"
    );
    let top: Vec<&str> = plan.sections.iter().map(|s| s.heading.as_str()).collect();
    assert_eq!(top[0], "一、建立健全巩固拓展脱贫攻坚成果长效机制");
    assert_eq!(top.len(), 4, "{top:?}");
    let first = &plan.sections[0].children[0];
    assert_eq!(first.heading, "（一）保持主要帮扶政策总体稳定");
    assert_eq!(first.children[0].heading, "1.设立5年过渡期。");
    assert_eq!(
        first.children[1].children.len(),
        4,
        "（1）–（4） under measure 2"
    );
    let measure1 = d
        .passages
        .iter()
        .find(|p| {
            p.section_path
                .last()
                .is_some_and(|h| h == "1.设立5年过渡期。")
        })
        .expect("measure 1 passage");
    assert!(measure1.text.ends_with(
        "（责任单位：区委农办、区乡村振兴局、区委实施乡村振兴战略领导小组各专项工作组，各镇）"
    ));
}

#[test]
fn notice_004_work_points() {
    let d = doc("004_964bbe8e6d5678bd.txt");
    assert_eq!(d.meta.doc_type, DocType::Notice);
    assert_eq!(d.meta.doc_number.as_deref(), Some("美扶发〔2020〕2号"));
    assert_eq!(d.meta.date.as_deref(), Some("2020-03-31"));
    assert_eq!(
        d.meta.issuer.as_deref(),
        Some("海口市美兰区扶贫开发领导小组")
    );
    assert_eq!(d.meta.title, "关于印发2020年工作要点的通知");
    assert_eq!(
        d.articles[1].title,
        "海口市美兰区扶贫开发领导小组2020年工作要点"
    );
    assert!(
        d.passages.iter().all(|p| !p.text.starts_with("（联系人")),
        "contact line is not a passage"
    );
}

#[test]
fn bulletin_000_articles_and_credits() {
    let d = doc("000_e37caf2969f00417.txt");
    assert_eq!(d.meta.doc_type, DocType::Bulletin);
    assert_eq!(d.meta.title, "海南乡村振兴简报");
    assert_eq!(d.meta.issue.as_deref(), Some("2023年第10期"));
    assert_eq!(d.meta.total_issue, Some(32));
    assert_eq!(d.meta.date.as_deref(), Some("2023-11-30"));
    assert_eq!(d.meta.issuer.as_deref(), Some("海南省乡村振兴局"));
    let titles: Vec<&str> = d.articles.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "海口织密医疗保障网 强化乡村发展专项行动取得新成效",
            "儋州加强服务保障回引农村人才",
            "定安深入践行“四下基层”打造“四大”劳务品牌",
            "海南省乡村振兴局圆满完成巩固衔接先进集体和先进个人表彰特别节目录制",
        ]
    );
    let credits: Vec<Option<&str>> = d.articles.iter().map(|a| a.credit.as_deref()).collect();
    assert_eq!(
        credits,
        [
            Some("海口市医疗保障局、乡村振兴局提供"),
            Some("儋州市乡村振兴局"),
            Some("定安县乡村振兴局"),
            None
        ]
    );
    assert_eq!(d.articles[0].locality.as_deref(), Some("海口市"));
    assert_eq!(d.articles[1].locality.as_deref(), Some("儋州市"));
    let rejoined = d.passages.iter().any(|p| {
        p.text
            .contains("2024年度城乡居民基本医疗保险参保工作刚启动")
    });
    assert!(rejoined, "words split across PDF lines are rejoined");
}

#[test]
fn bulletin_003_articles_editor_distribution() {
    let d = doc("003_cfe1f94d390e57b3.txt");
    assert_eq!(d.meta.doc_type, DocType::Bulletin);
    assert_eq!(d.meta.issue.as_deref(), Some("2022年第13期"));
    assert_eq!(d.meta.total_issue, Some(21));
    assert_eq!(d.meta.date.as_deref(), Some("2022-11-27"));
    assert_eq!(d.meta.editor.as_deref(), Some("王怡"));
    assert_eq!(d.meta.distribution.len(), 3);
    assert_eq!(
        d.meta.distribution[0],
        "报：省委实施乡村振兴战略领导小组组长、副组长"
    );
    assert!(d
        .meta
        .editor_note
        .as_deref()
        .unwrap_or("")
        .starts_with("各市县深入贯彻落实"));
    let places: Vec<&str> = d
        .articles
        .iter()
        .filter_map(|a| a.locality.as_deref())
        .collect();
    assert_eq!(places, ["琼中黎族苗族自治县", "琼海市", "昌江黎族自治县"]);
    assert!(d.articles[0].title.starts_with("琼中县"));
    assert_eq!(d.articles[0].sections.len(), 5, "一、 to 五、");
}

#[test]
fn magazine_002_contents_are_metadata_articles_have_bylines() {
    let d = doc("002_d92f204b041c1c56.txt");
    assert_eq!(d.meta.doc_type, DocType::Magazine);
    assert_eq!(d.meta.title, "三亚党建");
    assert_eq!(d.meta.issue.as_deref(), Some("2024 NO.4"));
    assert_eq!(d.meta.total_issue, Some(15));
    assert_eq!(d.meta.issuer.as_deref(), Some("三亚市党建研究所"));
    let n = d.articles.len();
    assert!((30..=36).contains(&n), "{n} articles");
    let by_title = |t: &str| {
        d.articles
            .iter()
            .find(|a| a.title == t)
            .unwrap_or_else(|| panic!("article {t}"))
    };
    assert_eq!(
        by_title("党的基层组织体系如何建、怎么强？")
            .credit
            .as_deref(),
        Some("高飞")
    );
    assert_eq!(
        by_title("坚持高质量党建引领 构建乡村治理善治格局")
            .credit
            .as_deref(),
        Some("市委组织部")
    );
    assert_eq!(
        by_title("构建年轻干部“全周期”培养体系").credit.as_deref(),
        Some("蔡晓晶")
    );
    assert_eq!(
        by_title("管好用好驻村工作队 聚力赋能乡村振兴")
            .column
            .as_deref(),
        Some("基层党建")
    );
    // The first article starts after the cover and contents.
    let first = &d.articles[0];
    assert!(first
        .title
        .starts_with("习近平听取海南省委和省政府工作汇报"));
    for a in &d.articles {
        assert!(
            !a.title.starts_with("....."),
            "contents line as article: {}",
            a.title
        );
        assert!(!a.title.contains("编辑委员会") && !a.title.contains("三亚党建官网"));
    }
    assert!(
        d.passages.iter().all(|p| p.span.start >= first.span.start),
        "no passage from the cover or contents"
    );
}

#[test]
fn passages_are_clean_text() {
    for name in [
        "000_e37caf2969f00417.txt",
        "001_ce8c2f571f49a2a9.txt",
        "002_d92f204b041c1c56.txt",
        "003_cfe1f94d390e57b3.txt",
        "004_964bbe8e6d5678bd.txt",
    ] {
        let d = doc(name);
        let chars: Vec<char> = d.clean_text.chars().collect();
        for p in &d.passages {
            let t = &p.text;
            assert!(
                !t.contains("**") && !t.starts_with('#') && !t.contains("- 1 -"),
                "{name}: {t}"
            );
            assert!(!t.contains(" 年") && !t.contains("参\n"), "{name}: {t}");
            let span: String = chars[p.span.start..p.span.end].iter().collect();
            assert_eq!(&span, t, "{name}: span matches clean text");
        }
    }
}

/// A numbered heading that is a whole sentence with nothing under it (here
/// the last line of 004) is a passage itself, so its words are searchable;
/// headings with a body or sub-headings are not repeated as passages.
#[test]
fn a_sentence_heading_with_nothing_under_it_is_a_passage() {
    let name = "004_964bbe8e6d5678bd.txt";
    let before = doc(name);
    let dir = tempfile::tempdir().expect("temp");
    let mut text = std::fs::read_to_string(common::corpus().join(name)).expect("004");
    let heading = "十、请各单位做好蓝莓种植示范基地的跟踪问效工作。";
    text.push_str(&format!("\n{heading}\n"));
    std::fs::write(dir.path().join(name), text).expect("write");
    let after = load_document(dir.path(), &dir.path().join(name))
        .expect("parse")
        .0;
    assert_eq!(after.passages.len(), before.passages.len() + 1);
    let p = after.passages.last().expect("a passage");
    assert_eq!(p.text, heading);
    assert_eq!(p.section_path.last().map(String::as_str), Some(heading));
    let span: String = after
        .clean_text
        .chars()
        .skip(p.span.start)
        .take(p.span.end - p.span.start)
        .collect();
    assert_eq!(span, heading);
}

/// Parse `text` written to a temporary file `name`.
fn parse_text(name: &str, text: &str) -> Document {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join(name), text).expect("write");
    load_document(dir.path(), &dir.path().join(name))
        .expect("parse")
        .0
}

/// A distribution line inside the body (pasted in from another issue) does
/// not start the 报尾: the articles after it keep their text, and the
/// distribution list is the one at the end.
#[test]
fn a_distribution_line_in_the_body_does_not_end_the_bulletin() {
    let name = "003_cfe1f94d390e57b3.txt";
    let before = doc(name);
    let text = std::fs::read_to_string(common::corpus().join(name)).expect("003");
    let at = text.find("### 三、强化积分管理").expect("section 三");
    let pasted = format!(
        "{}**发：**各市（县）委实施乡村振兴战略领导小组\n\n{}",
        &text[..at],
        &text[at..]
    );
    let after = parse_text(name, &pasted);
    assert_eq!(after.meta.distribution, before.meta.distribution);
    assert_eq!(after.meta.editor.as_deref(), Some("王怡"));
    assert_eq!(after.articles.len(), 3);
    assert_eq!(after.passages.len(), before.passages.len() + 1);
    assert!(after.passages.iter().any(|p| p
        .text
        .starts_with("针对治理主体的不同，昌江清单积分制奖励形式")));
}

/// A magazine issue without a table of contents still has its body read:
/// the lines after the cover become articles, as in a bulletin.
#[test]
fn a_magazine_without_contents_keeps_its_body() {
    let text = "# 瑞金三农\n\n地址：瑞金市坡大路25号\n\n印刷日期：2024年3月15日\n\n2024\nNO.1 总第49期\n\n\
        一、创新奖励激励方式，引领乡村善治新风尚\n\n\
        针对治理主体的不同，瑞金市积分制奖励形式分为物质奖励和精神奖励两种。\n\n\
        ## 党建引领以新质生产力驱动乡村产业振兴\n\n\
        崖州区依托科技城的人才资源创新推出“博士村长”项目，引智入乡村。\n";
    let d = parse_text("瑞金三农.md", text);
    assert_eq!(d.meta.doc_type, DocType::Magazine);
    assert_eq!(d.meta.title, "瑞金三农");
    assert_eq!(d.meta.issue.as_deref(), Some("2024 NO.1"));
    assert_eq!(d.meta.total_issue, Some(49));
    let titles: Vec<&str> = d.articles.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles.last(), Some(&"党建引领以新质生产力驱动乡村产业振兴"));
    let texts: Vec<&str> = d.passages.iter().map(|p| p.text.as_str()).collect();
    assert!(texts.contains(&"针对治理主体的不同，瑞金市积分制奖励形式分为物质奖励和精神奖励两种。"));
    assert!(texts.contains(&"崖州区依托科技城的人才资源创新推出“博士村长”项目，引智入乡村。"));
}
