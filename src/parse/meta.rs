//! Metadata patterns of 版头/报头 and 版记/报尾: document numbers, dates, issue
//! numbers, distribution lines and the editor.

use std::sync::LazyLock;

use regex::Regex;

use crate::model::DocType;

static DOC_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\p{Han}]{1,10}\s*[〔\[［【(（]\s*(\d{4})\s*[〕\]］】)）]\s*\d{1,4}\s*号").unwrap()
});
static DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日").unwrap());
static ISSUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{4})\s*年\s*第\s*(\d{1,3})\s*期").unwrap());
static TOTAL_ISSUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"总第\s*(\d{1,5})\s*期").unwrap());
/// The longest line taken for a bulletin's masthead (`海口市乡村振兴工作动态`).
const MASTHEAD_MAX_CHARS: usize = 30;

static MAGAZINE_ISSUE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)(\d{4})\s*(?:年\s*)?(?:NO|第)\.?\s*(\d{1,3})").unwrap());

/// The first 发文字号 in `text`, spaces removed: `美发〔2021〕7号`.
pub fn doc_number(text: &str) -> Option<String> {
    let m = DOC_NUMBER.find(text)?;
    Some(m.as_str().chars().filter(|c| !c.is_whitespace()).collect())
}

/// A date `2021年8月17日` anywhere in `text`, as ISO `2021-08-17`, with its byte range.
pub fn date(text: &str) -> Option<(String, std::ops::Range<usize>)> {
    DATE.captures_iter(text).find_map(|c| {
        let (y, m, d): (u32, u32, u32) =
            (c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?);
        let valid = (1949..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d);
        valid.then(|| (format!("{y:04}-{m:02}-{d:02}"), c.get(0).unwrap().range()))
    })
}

/// Whether `text` is nothing but a date (a 成文日期 line).
pub fn is_date_line(text: &str) -> bool {
    date(text).is_some_and(|(_, r)| r.start == 0 && r.end == text.len())
}

/// A bulletin issue `2023 年第 10 期` as `2023年第10期`.
pub fn issue(text: &str) -> Option<String> {
    let c = ISSUE.captures(text)?;
    Some(format!("{}年第{}期", &c[1], c[2].trim_start_matches('0')))
}

/// A total issue number `总第 32 期` → 32.
pub fn total_issue(text: &str) -> Option<u32> {
    TOTAL_ISSUE.captures(text)?[1].parse().ok()
}

/// A magazine issue `2024 NO.4` as `2024年NO.4`.
pub fn magazine_issue(text: &str) -> Option<String> {
    let c = MAGAZINE_ISSUE.captures(text)?;
    Some(format!("{} NO.{}", &c[1], &c[2]))
}

/// A unit name ending (局, 委, 政府 …) that marks an issuer or credit.
pub fn ends_like_unit(s: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "局",
        "委",
        "厅",
        "办",
        "办公室",
        "政府",
        "部",
        "中心",
        "小组",
        "会",
        "所",
        "院",
        "党委",
        "工委",
        "公司",
        "处",
        "科",
        "站",
        "队",
        "社",
        "馆",
    ];
    SUFFIXES.iter().any(|s2| s.ends_with(s2))
}

/// Document kind from the header text (the first blocks of a file). A
/// bulletin's masthead (`海南乡村振兴简报`, `…工作动态（增刊）`,
/// `乡村振兴简报2020年第5期`) is a short line whose name ends in 简报 or 动态,
/// followed by nothing but its issue number; both words are common in body
/// text and headings (`(二)健全防止返贫动态监测和帮扶机制`, `…编发简报12期`).
pub fn doc_type(header: &str, title: &str) -> DocType {
    let masthead = |word: &str| {
        header.lines().map(str::trim).any(|l| {
            l.chars().count() <= MASTHEAD_MAX_CHARS
                && super::headings::heading_level(l).is_none()
                && l.match_indices(word).any(|(at, _)| {
                    l[at + word.len()..].chars().all(|c| {
                        c.is_ascii_digit() || c.is_whitespace() || "年第期总增刊（）()".contains(c)
                    })
                })
        })
    };
    if masthead("简报") || masthead("动态") && ISSUE.is_match(header) {
        DocType::Bulletin
    } else if header.contains("部刊")
        || header.contains("期刊")
        || MAGAZINE_ISSUE.is_match(header) && header.contains("总第")
    {
        DocType::Magazine
    } else if title.ends_with("通知") || DOC_NUMBER.is_match(header) && header.contains("文件")
    {
        DocType::Notice
    } else if title.contains("工作要点") {
        DocType::WorkPoints
    } else if title.ends_with("方案") {
        DocType::Plan
    } else {
        DocType::Other
    }
}

/// A 报尾/版记 line: `报：…`, `送：…`, `发：…`, `抄送：…`, `印发…`.
pub fn distribution_line(text: &str) -> Option<String> {
    let t = text.trim();
    let key_len = ["抄送", "报", "送", "发"].iter().find_map(|k| {
        let rest = t.strip_prefix(k)?;
        rest.starts_with(['：', ':']).then_some(k.len())
    })?;
    let rest = t[key_len..].trim_start_matches(['：', ':']).trim();
    (!rest.is_empty()).then(|| format!("{}：{}", &t[..key_len], rest))
}

/// The 责任编辑 named in a footer line.
pub fn editor(text: &str) -> Option<String> {
    let i = text.find("责任编辑")?;
    let rest = text[i + "责任编辑".len()..].trim_start_matches(['：', ':', ' ']);
    let name: String = rest
        .chars()
        .take_while(|c| {
            !c.is_whitespace() && !matches!(c, '，' | ',' | '；' | '电' | '联' | '投' | '（' | '(')
        })
        .collect();
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert_eq!(
            doc_number("美发〔2021〕7号").as_deref(),
            Some("美发〔2021〕7号")
        );
        assert_eq!(
            doc_number("美扶发〔2020〕2号").as_deref(),
            Some("美扶发〔2020〕2号")
        );
        assert_eq!(
            date("海南省乡村振兴局2023年11月30日").unwrap().0,
            "2023-11-30"
        );
        assert_eq!(date("2022年 11月 27日").unwrap().0, "2022-11-27");
        assert!(is_date_line("2021年8月17日"));
        assert!(!is_date_line("自2022年6月1日起"));
        assert_eq!(issue("2023 年第 10 期").as_deref(), Some("2023年第10期"));
        assert_eq!(total_issue("（总第 32 期）"), Some(32));
        assert_eq!(
            magazine_issue("2024\nNO.4 总第15期").as_deref(),
            Some("2024 NO.4")
        );
        assert_eq!(
            distribution_line("报：省委领导小组组长").as_deref(),
            Some("报：省委领导小组组长")
        );
        assert_eq!(distribution_line("报告显示"), None);
        assert_eq!(
            editor("责任编辑：王怡 电话：65368495").as_deref(),
            Some("王怡")
        );
        assert_eq!(
            editor("责任编辑：王怡电话：65368495").as_deref(),
            Some("王怡")
        );
    }

    #[test]
    fn document_kinds_from_the_header() {
        assert_eq!(
            doc_type("海口市乡村振兴工作动态\n2023年第5期\n海口市乡村振兴局", ""),
            DocType::Bulletin
        );
        assert_eq!(
            doc_type("海南乡村振兴简报（增刊）\n海南省乡村振兴局", ""),
            DocType::Bulletin
        );
        assert_eq!(
            doc_type(
                "乡村振兴简报2020年第5期（总第160期）\n秀英区卫生健康委员会",
                ""
            ),
            DocType::Bulletin
        );
        // 简报 or 动态 in body text or a heading is no masthead: the
        // magazine's issue line decides.
        assert_eq!(
            doc_type(
                "赫章三农\n2018\nNO.1 总第3期\n（三）编发工作简报\n全年编发简报12期，及时交流经验。",
                ""
            ),
            DocType::Magazine
        );
        let magazine = "瑞金三农\n印刷日期：2024年3月15日\n2024\nNO.1 总第49期\n\
            （9）落实防返贫致贫动态监测帮扶，防止返贫。\n(二)健全防止返贫动态监测\n\
            (本文转载自《党建研究》2019年第68期)";
        assert_eq!(doc_type(magazine, ""), DocType::Magazine);
        assert_eq!(
            doc_type(
                "美发〔2021〕7号\n建立返贫动态监测机制",
                "关于印发实施方案的通知"
            ),
            DocType::Notice
        );
    }
}
