//! The draft as a printable HTML page: each Markdown part rendered by
//! pulldown-cmark and wrapped in an element the A4 print style sheet targets.
//! The output is well-formed XML as well as HTML (void elements self-closed).

use pulldown_cmark::{html::push_html, Options, Parser};

use super::markdown::{parts, PartKind};
use super::Draft;

/// GB/T 9704-like page: A4, 37/26/35/28 mm margins, body 仿宋 三号 (16 pt) on
/// 28 pt lines, headline 小标宋 二号, headings 黑体, 楷体, 仿宋 bold, 仿宋.
const CSS: &str = r#"
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
html { background: #fff; }
body {
  font-family: "仿宋_GB2312", "FangSong_GB2312", "仿宋", "FangSong", "STFangsong",
    "宋体", "SimSun", "Songti SC", "Noto Serif CJK SC", "Source Han Serif SC", serif;
  font-size: 16pt; line-height: 28pt; color: #000;
  max-width: 156mm; margin: 0 auto; padding: 12mm 0;
}
p { margin: 0; text-indent: 2em; text-align: justify; }
.masthead { text-align: center; }
.masthead h1 {
  font-family: "方正小标宋简体", "FZXiaoBiaoSong-B05S", "华文中宋", "STZhongsong", "宋体", "SimSun", serif;
  font-size: 36pt; line-height: 48pt; color: #d40000; letter-spacing: 0.1em; margin: 0 0 12pt;
}
.masthead p { text-indent: 0; text-align: center; }
.masthead hr { border: 0; border-top: 2px solid #d40000; margin: 8pt 0 24pt; }
.editor-note { margin-bottom: 14pt; }
.editor-note p:first-child strong { font-family: "黑体", "SimHei", "Heiti SC", "Noto Sans CJK SC", sans-serif; font-weight: normal; }
.column-name p { text-indent: 0; margin-top: 20pt; font-family: "黑体", "SimHei", "Heiti SC", "Noto Sans CJK SC", sans-serif; }
.column-name strong { font-weight: normal; }
article h2 {
  font-family: "方正小标宋简体", "FZXiaoBiaoSong-B05S", "华文中宋", "STZhongsong", "宋体", "SimSun", serif;
  font-size: 22pt; line-height: 32pt; font-weight: normal; text-align: center; margin: 28pt 0 14pt;
  break-after: avoid;
}
article h3, article h4, article h5, article h6 { font-size: 16pt; line-height: 28pt; margin: 0; text-indent: 2em; break-after: avoid; }
article h3 { font-family: "黑体", "SimHei", "Heiti SC", "Noto Sans CJK SC", sans-serif; font-weight: normal; }
article h4 { font-family: "楷体_GB2312", "KaiTi_GB2312", "楷体", "KaiTi", "STKaiti", serif; font-weight: normal; }
article h5 { font-weight: bold; }
article h6 { font-weight: normal; }
article > p:last-child { text-align: right; }
.colophon { font-size: 14pt; line-height: 22pt; margin-top: 28pt; break-inside: avoid; border-bottom: 1px solid #000; padding-bottom: 4pt; }
.colophon hr { border: 0; border-top: 1px solid #000; margin: 0 0 4pt; }
.colophon p { text-indent: 0; }
.colophon strong { font-weight: normal; }
.provenance {
  font-family: "宋体", "SimSun", "Songti SC", "Noto Serif CJK SC", serif;
  font-size: 10.5pt; line-height: 1.6; margin-top: 28pt; color: #333; break-before: page;
}
.provenance hr { display: none; }
.provenance h2 { font-size: 12pt; }
.provenance p { text-indent: 0; }
.provenance code { font-family: "Consolas", "Menlo", monospace; font-size: 9pt; }
@media print { body { max-width: none; padding: 0; } }
"#;

/// Escape text for HTML.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The standalone page.
pub(super) fn html(d: &Draft) -> String {
    let h = &d.header;
    let title = [Some(h.name.as_str()), h.issue.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\" />\n\
         <meta name=\"generator\" content=\"govkb compile\" />\n<title>{}（草稿）</title>\n\
         <style>{CSS}</style>\n</head>\n<body>\n",
        escape(&title)
    );
    for p in parts(d) {
        let (open, close) = match p.kind {
            PartKind::Masthead => ("<header class=\"masthead\">", "</header>"),
            PartKind::EditorNote => ("<section class=\"editor-note\">", "</section>"),
            PartKind::Column => ("<div class=\"column-name\">", "</div>"),
            PartKind::Article => ("<article>", "</article>"),
            PartKind::Colophon => ("<footer class=\"colophon\">", "</footer>"),
            PartKind::Provenance => ("<section class=\"provenance\">", "</section>"),
        };
        out.push_str(open);
        out.push('\n');
        push_html(&mut out, Parser::new_ext(&p.markdown, Options::empty()));
        out.push_str(close);
        out.push('\n');
    }
    out.push_str("</body>\n</html>\n");
    out
}
