//! `.html`/`.htm` → Markdown: the main text of a saved web page.
//!
//! Pages are parsed with `scraper` (html5ever, the browsers' HTML parsing
//! algorithm): saved government pages are rarely well-formed — unclosed
//! `<p>`, tables for layout, GB2312 bytes with a `<meta charset>` — and
//! html5ever builds the tree a browser would, where an XML parser gives up.
//! The tree is an arena (ego-tree), walked without recursion, so deeply
//! nested pages are safe.
//!
//! - Scripts, styles, forms, `<nav>`, page headers/footers and elements whose
//!   class or id names navigation (`nav`, `menu`, `breadcrumb`, `footer`, …)
//!   are left out.
//! - The main text is the largest content container (`<article>`, `<main>`,
//!   or a `content`/`article`/`zoom`/`TRS_Editor` block) when it holds most
//!   of the page's text, else the whole body.
//! - `<h1>`–`<h6>` become `#` headings; data tables become Markdown tables
//!   (tab-separated rows after normalising); layout tables are read as text.
//! - The title (`<h1>`, else `<title>` without the site name) opens the text
//!   as a heading when the main text does not already contain it.

use ego_tree::iter::Edge;
use ego_tree::NodeRef;
use scraper::{Html, Node};

use super::encoding::{decode_text, html_declared_charset};
use super::escape_markdown;

/// Decode and convert a page; returns the Markdown and the encoding name.
pub fn read_html(bytes: &[u8]) -> Result<(String, &'static str), String> {
    let (text, enc) = decode_text(bytes, html_declared_charset(bytes))?;
    Ok((html_to_markdown(&text), enc))
}

/// Elements whose content is never document text.
const SKIP_TAGS: &[&str] = &[
    "head", "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math",
    "canvas", "nav", "aside", "form", "button", "select", "option", "input", "textarea", "map",
    "audio", "video", "dialog",
];

/// Class or id words (first word of a `-`/`_` compound) that mark navigation
/// and page chrome.
const CHROME_WORDS: &[&str] = &[
    "nav",
    "navbar",
    "navigation",
    "menu",
    "breadcrumb",
    "breadcrumbs",
    "crumb",
    "crumbs",
    "sidebar",
    "footer",
    "header",
    "topbar",
    "toolbar",
    "pagination",
    "pager",
    "share",
    "social",
    "copyright",
    "login",
    "search",
    "skip",
    "banner",
    "dh",
    "wzdh",
    "bq",
];

/// Class or id words that mark the main content.
const CONTENT_WORDS: &[&str] = &[
    "content",
    "article",
    "zoom",
    "trs_editor",
    "ucap-content",
    "main",
    "text",
    "detail",
    "body",
    "pages_content",
    "con",
    "wz",
    "zw",
];

/// Block elements: text on either side of them is in different paragraphs.
const BLOCK_TAGS: &[&str] = &[
    "address",
    "article",
    "blockquote",
    "body",
    "caption",
    "center",
    "dd",
    "details",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "li",
    "main",
    "menu",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "br",
];

type NodeId = ego_tree::NodeId;

fn words(v: &str) -> impl Iterator<Item = String> + '_ {
    v.split_whitespace().map(|w| w.to_ascii_lowercase())
}

fn first_part(w: &str) -> &str {
    w.split(['-', '_']).next().unwrap_or(w)
}

/// Whether an element is left out with all its content. `header`/`footer`
/// inside an `<article>` or `<main>` hold the title and date, so they stay.
fn is_skipped(node: NodeRef<Node>, in_article: bool) -> bool {
    let Some(el) = node.value().as_element() else {
        return false;
    };
    let name = el.name();
    if SKIP_TAGS.contains(&name) {
        return true;
    }
    if matches!(name, "header" | "footer") && !in_article {
        return true;
    }
    if el.attr("hidden").is_some() || el.attr("aria-hidden") == Some("true") {
        return true;
    }
    if let Some(style) = el.attr("style") {
        let s: String = style.chars().filter(|c| !c.is_whitespace()).collect();
        if s.to_ascii_lowercase().contains("display:none") {
            return true;
        }
    }
    if matches!(
        el.attr("role"),
        Some("navigation" | "banner" | "contentinfo" | "search" | "menu")
    ) {
        return true;
    }
    if in_article {
        return false;
    }
    el.attr("class")
        .into_iter()
        .chain(el.attr("id"))
        .flat_map(words)
        .any(|w| CHROME_WORDS.contains(&first_part(&w)))
}

fn is_content_candidate(node: NodeRef<Node>) -> bool {
    let Some(el) = node.value().as_element() else {
        return false;
    };
    if matches!(el.name(), "article" | "main") || el.attr("role") == Some("main") {
        return true;
    }
    el.attr("class")
        .into_iter()
        .chain(el.attr("id"))
        .flat_map(words)
        .any(|w| CONTENT_WORDS.contains(&w.as_str()) || CONTENT_WORDS.contains(&first_part(&w)))
}

fn is_article(node: NodeRef<Node>) -> bool {
    node.value()
        .as_element()
        .is_some_and(|e| matches!(e.name(), "article" | "main"))
}

/// Chars of visible text under each content candidate and under `<body>`,
/// in one pass. Returns (candidate, text chars, depth) and the body's chars.
fn measure(root: NodeRef<Node>) -> (Vec<(NodeId, usize, usize)>, usize) {
    let mut stack: Vec<usize> = Vec::new();
    let mut skip: Option<NodeId> = None;
    let mut articles = 0usize;
    let mut found = Vec::new();
    let mut body = 0usize;
    for edge in root.traverse() {
        match edge {
            Edge::Open(n) => {
                if skip.is_some() {
                    continue;
                }
                if is_skipped(n, articles > 0) {
                    skip = Some(n.id());
                    continue;
                }
                if is_article(n) {
                    articles += 1;
                }
                if let Some(t) = n.value().as_text() {
                    let len = t.chars().filter(|c| !c.is_whitespace()).count();
                    if let Some(top) = stack.last_mut() {
                        *top += len;
                    }
                }
                if n.value().is_element() {
                    stack.push(0);
                }
            }
            Edge::Close(n) => {
                if let Some(id) = skip {
                    if id == n.id() {
                        skip = None;
                    }
                    continue;
                }
                if !n.value().is_element() {
                    continue;
                }
                if is_article(n) {
                    articles -= 1;
                }
                let len = stack.pop().unwrap_or(0);
                if let Some(top) = stack.last_mut() {
                    *top += len;
                }
                if is_content_candidate(n) {
                    found.push((n.id(), len, stack.len()));
                }
                if n.value().as_element().is_some_and(|e| e.name() == "body") {
                    body = body.max(len);
                }
            }
        }
    }
    (found, body)
}

/// The element holding the main text.
fn main_root<'a>(doc: &'a Html) -> NodeRef<'a, Node> {
    let root = *doc.root_element();
    let (candidates, body) = measure(root);
    let best = candidates.iter().map(|c| c.1).max().unwrap_or(0);
    if best == 0 || best * 4 < body {
        return body_of(root).unwrap_or(root);
    }
    // The deepest candidate that still holds nearly all of the best one's text.
    let chosen = candidates
        .iter()
        .filter(|c| c.1 * 100 >= best * 85)
        .max_by_key(|c| c.2)
        .map(|c| c.0);
    chosen.and_then(|id| doc.tree.get(id)).unwrap_or(root)
}

fn body_of(root: NodeRef<Node>) -> Option<NodeRef<Node>> {
    root.children()
        .find(|n| n.value().as_element().is_some_and(|e| e.name() == "body"))
}

/// Collapse HTML whitespace runs to one space.
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_ascii_whitespace() {
            space = true;
        } else {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        }
    }
    if space && !out.is_empty() {
        out.push(' ');
    }
    out
}

/// Visible text under a node, whitespace collapsed (for titles and cells).
fn text_of(node: NodeRef<Node>) -> String {
    let mut s = String::new();
    let mut skip: Option<NodeId> = None;
    for edge in node.traverse() {
        match edge {
            Edge::Open(n) => {
                if skip.is_some() {
                    continue;
                }
                if n.id() != node.id() && is_skipped(n, true) {
                    skip = Some(n.id());
                } else if let Some(t) = n.value().as_text() {
                    s.push_str(t);
                } else if n
                    .value()
                    .as_element()
                    .is_some_and(|e| BLOCK_TAGS.contains(&e.name()))
                {
                    s.push(' ');
                }
            }
            Edge::Close(n) => {
                if skip == Some(n.id()) {
                    skip = None;
                }
            }
        }
    }
    collapse(&s).trim().to_string()
}

/// A table of data (short cells in two or more columns), not one for layout.
fn is_data_table(table: NodeRef<Node>) -> bool {
    let mut max_cols = 0;
    for row in table.descendants() {
        let Some(el) = row.value().as_element() else {
            continue;
        };
        match el.name() {
            "table" if row.id() != table.id() => return false,
            "tr" => {
                let cells: Vec<_> = row
                    .children()
                    .filter(|c| {
                        c.value()
                            .as_element()
                            .is_some_and(|e| matches!(e.name(), "td" | "th"))
                    })
                    .collect();
                if cells.iter().any(|c| text_of(*c).chars().count() > 200) {
                    return false;
                }
                max_cols = max_cols.max(cells.len());
            }
            _ => {}
        }
    }
    max_cols >= 2
}

fn table_markdown(table: NodeRef<Node>) -> String {
    let rows: Vec<Vec<String>> = table
        .descendants()
        .filter(|n| n.value().as_element().is_some_and(|e| e.name() == "tr"))
        .map(|tr| {
            tr.children()
                .filter(|c| {
                    c.value()
                        .as_element()
                        .is_some_and(|e| matches!(e.name(), "td" | "th"))
                })
                .map(text_of)
                .collect::<Vec<_>>()
        })
        .filter(|r: &Vec<String>| r.iter().any(|c| !c.is_empty()))
        .collect();
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    if cols == 0 {
        return String::new();
    }
    let line = |row: &[String]| {
        let mut s = String::from("|");
        for i in 0..cols {
            s.push(' ');
            s.push_str(&escape_markdown(row.get(i).map_or("", String::as_str)));
            s.push_str(" |");
        }
        s.push('\n');
        s
    };
    let mut out = line(&rows[0]);
    out.push('|');
    out.push_str(&"---|".repeat(cols));
    out.push('\n');
    for r in &rows[1..] {
        out.push_str(&line(r));
    }
    out
}

/// The page title: the first `<h1>`, else `<title>` without its site name.
fn page_title(doc: &Html) -> Option<String> {
    let root = *doc.root_element();
    let mut skip: Option<NodeId> = None;
    let mut title_tag = None;
    for edge in root.traverse() {
        match edge {
            Edge::Open(n) => {
                let Some(el) = n.value().as_element() else {
                    continue;
                };
                if el.name() == "title" && title_tag.is_none() {
                    title_tag = Some(text_of(n));
                }
                if skip.is_some() {
                    continue;
                }
                if el.name() != "head" && is_skipped(n, false) {
                    skip = Some(n.id());
                } else if el.name() == "h1" {
                    let t = text_of(n);
                    if !t.is_empty() {
                        return Some(t);
                    }
                }
            }
            Edge::Close(n) => {
                if skip == Some(n.id()) {
                    skip = None;
                }
            }
        }
    }
    let t = title_tag?;
    let parts: Vec<&str> = t
        .split(['_', '|', '｜'])
        .flat_map(|p| p.split(" - "))
        .flat_map(|p| p.split("——"))
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let first = parts.first()?;
    Some(if first.chars().count() >= 4 {
        first.to_string()
    } else {
        parts.iter().max_by_key(|p| p.chars().count())?.to_string()
    })
}

/// Markdown being written: finished blocks and the paragraph being read.
#[derive(Default)]
struct Writer {
    out: String,
    inline: String,
    heading: Option<usize>,
    pre: usize,
    lists: Vec<Option<u32>>,
}

impl Writer {
    fn flush(&mut self) {
        let text = std::mem::take(&mut self.inline);
        let lines: Vec<&str> = if self.pre > 0 {
            text.lines().collect()
        } else {
            vec![text.as_str()]
        };
        for line in lines {
            let t = line.trim_matches(|c: char| c.is_whitespace());
            if t.is_empty() {
                continue;
            }
            if let Some(level) = self.heading {
                self.out.push_str(&"#".repeat(level));
                self.out.push(' ');
            }
            self.out.push_str(&escape_markdown(t));
            self.out.push_str("\n\n");
        }
    }
}

/// The main text of a page as Markdown.
pub fn html_to_markdown(html: &str) -> String {
    let doc = Html::parse_document(html);
    let root = main_root(&doc);
    let mut w = Writer::default();
    let mut skip: Option<NodeId> = None;
    let mut articles =
        root.ancestors().filter(|a| is_article(*a)).count() + is_article(root) as usize;
    for edge in root.traverse() {
        match edge {
            Edge::Open(n) => {
                if skip.is_some() {
                    continue;
                }
                if n.id() != root.id() && is_skipped(n, articles > 0) {
                    skip = Some(n.id());
                    continue;
                }
                if n.id() != root.id() && is_article(n) {
                    articles += 1;
                }
                if let Some(t) = n.value().as_text() {
                    if w.pre > 0 {
                        w.inline.push_str(t);
                    } else {
                        w.inline.push_str(&collapse(t));
                    }
                    continue;
                }
                let Some(el) = n.value().as_element() else {
                    continue;
                };
                let name = el.name();
                if BLOCK_TAGS.contains(&name) {
                    w.flush();
                }
                match name {
                    "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                        w.heading = Some((name.as_bytes()[1] - b'0') as usize);
                    }
                    "pre" => w.pre += 1,
                    "ol" => w.lists.push(Some(
                        el.attr("start")
                            .and_then(|s| s.trim().parse().ok())
                            .unwrap_or(1),
                    )),
                    "ul" => w.lists.push(None),
                    "li" => {
                        if let Some(Some(k)) = w.lists.last_mut() {
                            w.inline.push_str(&format!("{k}. "));
                            *k += 1;
                        }
                    }
                    "table" if is_data_table(n) => {
                        w.out.push_str(&table_markdown(n));
                        w.out.push('\n');
                        skip = Some(n.id());
                    }
                    "img" => {}
                    _ => {}
                }
            }
            Edge::Close(n) => {
                if let Some(id) = skip {
                    if id == n.id() {
                        skip = None;
                    }
                    continue;
                }
                let Some(el) = n.value().as_element() else {
                    continue;
                };
                let name = el.name();
                if n.id() != root.id() && is_article(n) {
                    articles = articles.saturating_sub(1);
                }
                if BLOCK_TAGS.contains(&name) {
                    w.flush();
                }
                match name {
                    "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => w.heading = None,
                    "pre" => w.pre = w.pre.saturating_sub(1),
                    "ol" | "ul" => {
                        w.lists.pop();
                    }
                    _ => {}
                }
            }
        }
    }
    w.flush();
    let body = w.out;
    match page_title(&doc) {
        Some(title) if !squash(&body).contains(&squash(&title)) => {
            format!("# {}\n\n{body}", escape_markdown(&title))
        }
        _ => body,
    }
}

/// Unescaped text without whitespace or Markdown escapes, for containment tests.
fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\\')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_text_without_navigation() {
        let page = r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>关于做好防汛工作的通知_海口市人民政府网</title>
            <style>.x{color:red}</style><script>var nav = "脚本文字";</script></head>
            <body><div class="header"><a href="/">首页</a></div><nav><ul><li>网站导航</li></ul></nav>
            <div class="nav-top">热点专题</div>
            <div id="zoom"><p>各镇、各单位：</p><h2>一、总体要求</h2><p>加强  防汛
            工作。<br>做好准备。</p><ol><li>第一项</li><li>第二项</li></ol>
            <table><tr><th>单位</th><th>人数</th></tr><tr><td>区人社局</td><td>12</td></tr></table></div>
            <div class="footer">版权所有 琼ICP备</div></body></html>"#;
        let md = html_to_markdown(page);
        assert_eq!(
            md,
            "# 关于做好防汛工作的通知\n\n各镇、各单位：\n\n## 一、总体要求\n\n加强 防汛 工作。\n\n做好准备。\n\n1\\. 第一项\n\n2\\. 第二项\n\n| 单位 | 人数 |\n|---|---|\n| 区人社局 | 12 |\n\n"
        );
    }

    #[test]
    fn layout_tables_are_text_and_deep_nesting_is_fine() {
        let page = format!(
            "<table><tr><td><p>{}</p></td><td><table><tr><td>内层</td></tr></table></td></tr></table>{}深层文字{}",
            "很长的正文。".repeat(50),
            "<div>".repeat(20_000),
            "</div>".repeat(20_000)
        );
        let md = html_to_markdown(&page);
        assert!(md.contains("很长的正文。很长的正文。"), "{md}");
        assert!(!md.contains('|'));
        assert!(md.contains("深层文字"));
    }
}
