//! Layout of a red-header notice (GB/T 9704): 发文机关标志 `…文件`, 发文字号,
//! 标题, 主送机关, 正文, 署名 and 成文日期, then an attached plan or work
//! points, and 版记 (抄送, 印发).

use super::{is_title_like, meta, ArticlePlan, Layout, Line};

/// Find metadata and articles (the notice body and its attachment) of a notice.
pub fn lay_out(lines: &[Line]) -> Layout {
    let mut layout = Layout::default();
    let m = &mut layout.meta;
    let head = lines.len().min(12);
    let header_issuer = lines[..head]
        .iter()
        .find_map(|l| {
            l.text
                .strip_suffix("文件")
                .filter(|s| s.chars().count() <= 30)
        })
        .map(str::to_string);
    m.doc_number = lines[..head].iter().find_map(|l| meta::doc_number(&l.text));
    let title_at = (0..head).find(|&i| {
        let t = &lines[i].text;
        t.contains("关于") || t.ends_with("通知") || t.ends_with("方案") || t.ends_with("工作要点")
    });
    let Some(title_at) = title_at else {
        m.issuer = header_issuer;
        return super::whole_document(lines);
    };
    let title_text = lines[title_at].text.as_str();
    let (issuers_in_title, title) = match title_text.find("关于") {
        Some(i) if i > 0 => (title_text[..i].trim(), &title_text[i..]),
        _ => ("", title_text),
    };
    m.title = title.to_string();
    let mut body_start = title_at + 1;
    if let Some(l) = lines.get(body_start) {
        if l.text.ends_with(['：', ':']) && l.text.chars().count() <= 200 {
            m.addressees = Some(l.text.trim_end_matches(['：', ':']).to_string());
            body_start += 1;
        }
    }
    let date_at = (body_start..lines.len()).find(|&i| meta::is_date_line(&lines[i].text));
    let mut signatures = Vec::new();
    let mut body_end = date_at.unwrap_or(lines.len());
    if let Some(d) = date_at {
        m.date = meta::date(&lines[d].text).map(|x| x.0);
        while body_end > body_start {
            let t = strip_on_behalf(&lines[body_end - 1].text);
            if t.chars().count() <= 30 && meta::ends_like_unit(t) && !t.contains(['，', '。']) {
                signatures.insert(0, t.to_string());
                body_end -= 1;
            } else {
                break;
            }
        }
    }
    m.issuer = if !signatures.is_empty() {
        Some(signatures.join(" / "))
    } else if !issuers_in_title.is_empty() {
        Some(
            issuers_in_title
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" / "),
        )
    } else {
        header_issuer
    };
    let footer_start = (body_start..lines.len())
        .find(|&i| {
            let t = &lines[i].text;
            t.starts_with("抄送")
                || (t.contains("印发") && meta::date(t).is_some() && t.chars().count() <= 60)
        })
        .unwrap_or(lines.len());
    for line in &lines[footer_start..] {
        if let Some(d) = meta::distribution_line(&line.text) {
            m.distribution.push(d);
        } else if line.text.contains("印发") {
            m.distribution.push(line.text.clone());
        }
    }
    layout.articles.push(ArticlePlan {
        title: m.title.clone(),
        title_lines: title_at..title_at + 1,
        body: body_start..body_end,
        ..ArticlePlan::default()
    });
    if let Some(d) = date_at {
        let mut k = d + 1;
        while k < footer_start && is_contact_line(&lines[k].text) {
            k += 1;
        }
        if k < footer_start && is_title_like(&lines[k].text) {
            layout.articles.push(ArticlePlan {
                title: lines[k].text.clone(),
                title_lines: k..k + 1,
                body: k + 1..footer_start,
                ..ArticlePlan::default()
            });
        }
    }
    layout
}

/// `海口市美兰区扶贫开发领导小组（代）` → `海口市美兰区扶贫开发领导小组`.
fn strip_on_behalf(s: &str) -> &str {
    s.trim()
        .trim_end_matches("（代）")
        .trim_end_matches("(代)")
        .trim_end_matches("（印）")
}

/// `（联系人：陈大光，联系电话：65312449）`.
fn is_contact_line(s: &str) -> bool {
    let t = s.trim_start_matches(['（', '(']);
    t.starts_with("联系人") || t.starts_with("联系电话") || t.starts_with("附件")
}
