//! Every format and encoding govkb reads gives the same document as the
//! UTF-8 original: the 001 notice (美发〔2021〕7号) saved as GBK, UTF-16,
//! .docx, .html and a PDF, all generated here from `corpus/`.

use std::io::Write;
use std::path::{Path, PathBuf};

use govkb::model::Document;
use govkb::pipeline::load_document;
use govkb::read::{read_source, SourceFormat};
use govkb::record::children::children;
use govkb::record::{document_records, RecordKind};

const NOTICE: &str = "001_ce8c2f571f49a2a9.txt";

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

fn original_text() -> String {
    std::fs::read_to_string(corpus().join(NOTICE)).expect("sample notice")
}

fn measures(d: &Document) -> usize {
    document_records(d)
        .iter()
        .map(|r| children(r, RecordKind::Measure).len())
        .sum()
}

fn original() -> Document {
    load_document(&corpus(), &corpus().join(NOTICE))
        .expect("original")
        .0
}

/// Write `bytes` as `name` in a fresh folder and parse it.
fn parse_as(name: &str, bytes: &[u8]) -> (Document, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), bytes).unwrap();
    let doc = load_document(dir.path(), &dir.path().join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .0;
    (doc, dir)
}

/// The same document number, date and (about) the same measures as the original.
fn assert_same_notice(name: &str, d: &Document, tolerance: usize) {
    let o = original();
    assert_eq!(
        d.meta.doc_number.as_deref(),
        Some("美发〔2021〕7号"),
        "{name}"
    );
    assert_eq!(d.meta.date.as_deref(), Some("2021-08-17"), "{name}");
    let (got, want) = (measures(d), measures(&o));
    eprintln!("{name}: {got} measures (original {want})");
    assert!(
        got.abs_diff(want) <= tolerance,
        "{name}: {got} measures, the original has {want}"
    );
}

/// Non-empty lines of the original: its paragraphs as a converter sees them.
fn paragraphs() -> Vec<String> {
    original_text()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn utf8_original_baseline() {
    let o = original();
    assert_same_notice("original", &o, 0);
    assert!(measures(&o) >= 55, "{}", measures(&o));
    assert_eq!(o.meta.encoding, "UTF-8");
}

#[test]
fn text_encodings_give_the_same_document() {
    let text = original_text();
    let o = original();
    let mut bom8 = b"\xEF\xBB\xBF".to_vec();
    bom8.extend_from_slice(text.as_bytes());
    let mut le_bom = vec![0xFF, 0xFE];
    le_bom.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    let le: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let mut be_bom = vec![0xFE, 0xFF];
    be_bom.extend(text.encode_utf16().flat_map(|u| u.to_be_bytes()));
    let be: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable, "the notice is GBK-encodable");
    let (gb18030, _, _) = encoding_rs::GB18030.encode(&text);
    let cases: [(&str, &[u8], &str); 7] = [
        ("utf8-bom.txt", &bom8, "UTF-8"),
        ("utf16le-bom.txt", &le_bom, "UTF-16LE"),
        ("utf16be-bom.txt", &be_bom, "UTF-16BE"),
        ("utf16le.txt", &le, "UTF-16LE"),
        ("utf16be.txt", &be, "UTF-16BE"),
        ("gbk.txt", &gbk, "GBK"),
        ("gb18030.txt", &gb18030, "GBK"),
    ];
    for (name, bytes, encoding) in cases {
        let (d, _dir) = parse_as(name, bytes);
        assert_eq!(d.meta.encoding, encoding, "{name}");
        assert_eq!(d.clean_text, o.clean_text, "{name}: same clean text");
        assert_same_notice(name, &d, 0);
    }
}

#[test]
fn gbk_markdown_and_big5_text() {
    // A Markdown bulletin saved as GBK keeps its Markdown structure.
    let md = std::fs::read_to_string(corpus().join("003_cfe1f94d390e57b3.txt")).unwrap();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&md);
    assert!(!unmappable);
    let (d, _dir) = parse_as("bulletin.md", &gbk);
    let o = load_document(&corpus(), &corpus().join("003_cfe1f94d390e57b3.txt"))
        .unwrap()
        .0;
    assert_eq!(d.meta.encoding, "GBK");
    assert_eq!(d.clean_text, o.clean_text);
    assert_eq!(d.articles.len(), o.articles.len());
    // Traditional Chinese in Big5.
    let big5_text = "海口市美蘭區鄉村振興簡報\n\n各鎮黨委、人民政府，各街道工委、辦事處：現將實施方案印發給你們，請認真貫徹落實。\n";
    let (big5, _, unmappable) = encoding_rs::BIG5.encode(big5_text);
    assert!(!unmappable);
    let (d, _dir) = parse_as("big5.txt", &big5);
    assert_eq!(d.meta.encoding, "Big5");
    assert!(d.clean_text.contains("請認真貫徹落實"), "{}", d.clean_text);
}

// ---------------------------------------------------------------- .docx

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Leading Chinese ordinal of `一、…` or `（一）…`: (level, number, rest).
fn numbered(line: &str) -> Option<(usize, u32, &str)> {
    let digits = "一二三四五六七八九十";
    let value = |s: &str| -> Option<u32> {
        let v: Vec<u32> = s
            .chars()
            .map(|c| {
                digits
                    .find(c)
                    .map(|i| digits[..i].chars().count() as u32 + 1)
            })
            .collect::<Option<_>>()?;
        match v.as_slice() {
            [n] => Some(*n),
            [10, n] => Some(10 + n),
            [n, 10] => Some(n * 10),
            [n, 10, m] => Some(n * 10 + m),
            _ => None,
        }
    };
    if let Some(rest) = line.strip_prefix('（') {
        let (num, rest) = rest.split_once('）')?;
        return Some((1, value(num)?, rest));
    }
    let (num, rest) = line.split_once('、')?;
    (num.chars().count() <= 3).then_some(())?;
    Some((0, value(num)?, rest))
}

/// A .docx of the notice as Word would save it: the title in the Title
/// style, `一、` headings as Heading 2 and `（一）` as Heading 3 with Word's
/// automatic Chinese numbering (the numbers are not in the text), the rest
/// as Normal paragraphs, and a responsibility table at the end.
fn notice_docx() -> Vec<u8> {
    let mut body = String::new();
    let mut counters = [0u32; 2];
    for line in paragraphs() {
        let para = |style: Option<&str>, num: Option<usize>, text: &str| {
            let mut p = String::from("<w:p><w:pPr>");
            if let Some(s) = style {
                p.push_str(&format!("<w:pStyle w:val=\"{s}\"/>"));
            }
            if let Some(l) = num {
                p.push_str(&format!(
                    "<w:numPr><w:ilvl w:val=\"{l}\"/><w:numId w:val=\"1\"/></w:numPr>"
                ));
            }
            p.push_str("<w:rPr><w:rFonts w:eastAsia=\"仿宋_GB2312\"/></w:rPr></w:pPr>");
            // Word splits text into runs at formatting changes.
            let chars: Vec<char> = text.chars().collect();
            for chunk in chars.chunks(17) {
                let s: String = chunk.iter().collect();
                p.push_str(&format!(
                    "<w:r><w:rPr><w:sz w:val=\"32\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>",
                    xml_escape(&s)
                ));
            }
            p.push_str("</w:p>");
            p
        };
        let p = if line.starts_with("关于印发") || line.contains("关于印发《") {
            para(Some("Title"), None, &line)
        } else if let Some((level, n, rest)) = numbered(&line) {
            // Automatic numbering only where Word's counter gives the same number.
            let expected = counters[level] + 1;
            if n == expected {
                counters[level] = n;
                if level == 0 {
                    counters[1] = 0;
                }
                let style = if level == 0 { "2" } else { "3" };
                para(Some(style), Some(level), rest)
            } else {
                para(None, None, &line)
            }
        } else {
            para(None, None, &line)
        };
        body.push_str(&p);
    }
    body.push_str(
        "<w:p><w:r><w:t>附表：责任分工</w:t></w:r></w:p><w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/></w:tblPr>",
    );
    for row in [
        ["任务", "牵头单位", "完成时限"],
        ["设立过渡期", "区乡村振兴局", "2021年12月"],
    ] {
        body.push_str("<w:tr>");
        for cell in row {
            body.push_str(&format!(
                "<w:tc><w:tcPr><w:tcW w:w=\"2000\"/></w:tcPr><w:p><w:r><w:t>{cell}</w:t></w:r></w:p></w:tc>"
            ));
        }
        body.push_str("</w:tr>");
    }
    body.push_str("</w:tbl>");
    let document = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document xmlns:w=\"{W}\"><w:body>{body}<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/></w:sectPr></w:body></w:document>"
    );
    let styles = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<w:styles xmlns:w=\"{W}\">\
         <w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"a\"><w:name w:val=\"Normal\"/></w:style>\
         <w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"a\"/></w:style>\
         <w:style w:type=\"paragraph\" w:styleId=\"2\"><w:name w:val=\"heading 2\"/><w:basedOn w:val=\"a\"/><w:pPr><w:outlineLvl w:val=\"1\"/></w:pPr></w:style>\
         <w:style w:type=\"paragraph\" w:styleId=\"3\"><w:name w:val=\"标题 3\"/><w:basedOn w:val=\"a\"/></w:style>\
         </w:styles>"
    );
    let numbering = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<w:numbering xmlns:w=\"{W}\">\
         <w:abstractNum w:abstractNumId=\"0\">\
         <w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"chineseCounting\"/><w:lvlText w:val=\"%1、\"/></w:lvl>\
         <w:lvl w:ilvl=\"1\"><w:start w:val=\"1\"/><w:numFmt w:val=\"chineseCounting\"/><w:lvlText w:val=\"（%2）\"/></w:lvl>\
         </w:abstractNum><w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num></w:numbering>"
    );
    let content_types = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
        <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
        <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
        <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
        </Types>";
    let rels = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
        <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
        </Relationships>";
    zip_of(&[
        ("[Content_Types].xml", content_types.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
        ("word/document.xml", document.as_bytes()),
        ("word/styles.xml", styles.as_bytes()),
        ("word/numbering.xml", numbering.as_bytes()),
    ])
}

fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in parts {
        zip.start_file(*name, options).unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

#[test]
fn docx_gives_the_same_notice() {
    let (d, dir) = parse_as("notice.docx", &notice_docx());
    assert_same_notice("docx", &d, 2);
    assert_eq!(d.meta.encoding, "UTF-8");
    let o = original();
    assert_eq!(d.meta.title, o.meta.title);
    // Word's automatic numbering is back in the text, as the parser reads it.
    let top = |d: &Document| -> Vec<String> {
        d.articles[1]
            .sections
            .iter()
            .map(|s| s.heading.clone())
            .collect()
    };
    assert_eq!(top(&d), top(&o));
    assert_eq!(
        d.articles[1].sections[0].children[0].heading,
        "（一）保持主要帮扶政策总体稳定"
    );
    // Headings come out as Markdown headings; the table as a tab-separated row.
    let src = read_source(dir.path(), &dir.path().join("notice.docx")).unwrap();
    assert_eq!(src.format, SourceFormat::Markdown);
    assert!(src
        .text
        .contains("\n## 一、建立健全巩固拓展脱贫攻坚成果长效机制\n"));
    assert!(d
        .clean_text
        .contains("设立过渡期\t区乡村振兴局\t2021年12月"));
}

#[test]
fn damaged_docx_is_a_reason_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let mut truncated = notice_docx();
    truncated.truncate(truncated.len() / 2);
    let files: [(&str, Vec<u8>); 4] = [
        ("truncated.docx", truncated),
        ("notzip.docx", b"just some text".to_vec()),
        ("nodocument.docx", zip_of(&[("hello.txt", b"hi")])),
        (
            "badxml.docx",
            zip_of(&[(
                "word/document.xml",
                b"<w:document><w:body><w:p><w:t>\xE4\xB8\xAD</w:p",
            )]),
        ),
    ];
    for (name, bytes) in files {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let err = read_source(dir.path(), &path).unwrap_err().to_string();
        assert!(err.starts_with(name), "{err}");
        eprintln!("{err}");
    }
}

// ---------------------------------------------------------------- .html

/// The notice as a government site's page: navigation, scripts, styles, a
/// header and a footer around the text; section headings as `<h2>`/`<h3>`.
fn notice_html(charset: &str) -> String {
    let mut body = String::new();
    for line in paragraphs() {
        let tag = match numbered(&line) {
            Some((0, _, _)) => "h2",
            Some((1, _, _)) => "h3",
            _ => "p",
        };
        body.push_str(&format!(
            "<{tag} style=\"text-indent:2em\">{}</{tag}>\n",
            xml_escape(&line).replace('《', "&#12298;")
        ));
    }
    format!(
        r#"<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="{charset}">
<title>关于印发《海口市美兰区巩固拓展脱贫攻坚成果同乡村振兴有效衔接实施方案》的通知_海口市美兰区人民政府网</title>
<style>body {{ font-family: 仿宋; }} .nav li {{ display: inline; }}</style>
<script>var menu = ["首页", "政务公开", "办事服务"]; document.write("脚本输出");</script>
</head><body>
<div class="header"><img src="logo.png" alt="海口市美兰区人民政府"><span>欢迎访问美兰区政府门户网站</span></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li><li><a href="/bsfw">办事服务</a></li></ul>
<div class="breadcrumb">当前位置：首页 &gt; 政务公开 &gt; 政策文件</div>
<table class="layout" width="100%"><tr><td width="20%"><div class="sidebar"><p>热点专题</p><p>乡村振兴</p></div></td>
<td><div class="article-meta">发布时间：2021-08-20 来源：区委办</div>
<div id="zoom" class="TRS_Editor">
{body}</div></td></tr></table>
<div class="footer"><p>版权所有：海口市美兰区人民政府 琼ICP备12345678号</p></div>
<script>console.log("统计代码");</script>
</body></html>"#
    )
}

#[test]
fn html_gives_the_same_notice_without_navigation() {
    let (d, dir) = parse_as("notice.html", notice_html("utf-8").as_bytes());
    assert_same_notice("html", &d, 2);
    for chrome in [
        "首页",
        "政务公开",
        "脚本输出",
        "统计代码",
        "版权所有",
        "热点专题",
        "font-family",
        "当前位置",
    ] {
        assert!(
            !d.clean_text.contains(chrome),
            "{chrome} leaked into the text"
        );
    }
    let o = original();
    assert_eq!(d.meta.title, o.meta.title);
    let src = read_source(dir.path(), &dir.path().join("notice.html")).unwrap();
    assert!(src
        .text
        .contains("\n## 一、建立健全巩固拓展脱贫攻坚成果长效机制\n"));
    // The same page saved as GB2312 by an old site, declared in <meta>.
    let page = notice_html("gb2312");
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&page);
    assert!(!unmappable);
    let (g, _dir) = parse_as("notice-gb2312.htm", &gbk);
    assert_eq!(g.meta.encoding, "GBK");
    assert_eq!(g.clean_text, d.clean_text);
}

#[test]
fn html_title_comes_from_title_tag_when_the_text_lacks_it() {
    let page = "<html><head><title>琼中县防汛工作简报_琼中县人民政府</title></head><body><div class=\"nav\">首页</div><div class=\"content\"><p>各乡镇要加强值班值守，确保安全度汛。</p><p>二是加强巡查。</p></div></body></html>";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.htm"), page).unwrap();
    let src = read_source(dir.path(), &dir.path().join("p.htm")).unwrap();
    assert!(
        src.text.starts_with("# 琼中县防汛工作简报\n"),
        "{}",
        src.text
    );
    assert!(!src.text.contains("首页"));
}

// ---------------------------------------------------------------- .pdf

/// A minimal PDF writer: one CID font (Identity-H) with a ToUnicode map, as
/// Word and WPS export Chinese text, and pages of positioned text lines.
/// A line of a PDF page: x, y (from the bottom), font size, text.
type PdfLine = (f64, f64, f64, String);

struct PdfWriter {
    chars: Vec<char>,
    /// The Type0 font's CMap (`Identity-H`, or a predefined one such as
    /// `UniGB-UCS2-H`, which pdf-extract does not support).
    encoding: &'static str,
    /// Add a form XObject that draws itself (a hostile file).
    self_drawing: bool,
}

impl PdfWriter {
    fn new() -> Self {
        PdfWriter {
            chars: Vec::new(),
            encoding: "Identity-H",
            self_drawing: false,
        }
    }

    fn cid(&mut self, c: char) -> u16 {
        match self.chars.iter().position(|&x| x == c) {
            Some(i) => i as u16 + 1,
            None => {
                self.chars.push(c);
                self.chars.len() as u16
            }
        }
    }

    /// Pages of (x, y, size, text) lines, plus drawing-only pages (`None`).
    fn write(mut self, pages: &[Option<Vec<PdfLine>>]) -> Vec<u8> {
        let mut contents = Vec::new();
        for page in pages {
            let mut s = String::new();
            match page {
                Some(lines) => {
                    for (x, y, size, text) in lines {
                        let hex: String = text
                            .chars()
                            .map(|c| format!("{:04X}", self.cid(c)))
                            .collect();
                        s.push_str(&format!(
                            "BT /F1 {size} Tf 1 0 0 1 {x} {y} Tm <{hex}> Tj ET\n"
                        ));
                    }
                }
                // A scan: an image-like filled rectangle, no text.
                None => s.push_str("q 0.8 g 50 50 495 742 re f Q\n"),
            }
            contents.push(s);
        }
        let mut cmap = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        for chunk in self.chars.chunks(100).enumerate() {
            let (k, chars) = chunk;
            cmap.push_str(&format!("{} beginbfchar\n", chars.len()));
            for (i, c) in chars.iter().enumerate() {
                let utf16: String = c
                    .encode_utf16(&mut [0; 2])
                    .iter()
                    .map(|u| format!("{u:04X}"))
                    .collect();
                cmap.push_str(&format!("<{:04X}> <{utf16}>\n", k * 100 + i + 1));
            }
            cmap.push_str("endbfchar\n");
        }
        cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");

        let n = pages.len();
        let mut objects: Vec<String> = vec![
            "<< /Type /Catalog /Pages 2 0 R >>".into(),
            format!(
                "<< /Type /Pages /Kids [{}] /Count {n} >>",
                (0..n).map(|i| format!("{} 0 R", 7 + 2 * i)).collect::<Vec<_>>().join(" ")
            ),
            format!("<< /Type /Font /Subtype /Type0 /BaseFont /FangSong /Encoding /{} /DescendantFonts [4 0 R] /ToUnicode 5 0 R >>", self.encoding),
            "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /FangSong /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 6 0 R /DW 1000 >>".into(),
            format!("<< /Length {} >>\nstream\n{cmap}endstream", cmap.len()),
            "<< /Type /FontDescriptor /FontName /FangSong /Flags 4 /FontBBox [0 -141 1000 859] /ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 700 /StemV 80 >>".into(),
        ];
        let form = 7 + 2 * n;
        let xobject = if self.self_drawing {
            format!(" /XObject << /X1 {form} 0 R >>")
        } else {
            String::new()
        };
        for (i, c) in contents.iter().enumerate() {
            objects.push(format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >>{xobject} >> /Contents {} 0 R >>",
                8 + 2 * i
            ));
            let c = if self.self_drawing {
                format!("{c}/X1 Do\n")
            } else {
                c.clone()
            };
            objects.push(format!("<< /Length {} >>\nstream\n{c}endstream", c.len()));
        }
        if self.self_drawing {
            let draw = "/X1 Do\n";
            objects.push(format!(
                "<< /Type /XObject /Subtype /Form /BBox [0 0 100 100] /Resources << /XObject << /X1 {form} 0 R >> >> /Length {} >>\nstream\n{draw}endstream",
                draw.len()
            ));
        }
        let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::new();
        for (i, o) in objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
        }
        let xref = out.len();
        out.extend_from_slice(
            format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
        );
        for off in offsets {
            out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                objects.len() + 1
            )
            .as_bytes(),
        );
        out
    }
}

/// The notice as an exported PDF (GB/T 9704 layout): A4 pages, 28
/// characters a line, paragraphs indented by two characters, a running
/// header (`内部资料 注意保存`) and page numbers (`— 3 —`) on every page.
fn notice_pdf() -> Vec<u8> {
    // (indent in characters, text) per printed line.
    let mut lines: Vec<(f64, String)> = Vec::new();
    for p in paragraphs() {
        let chars: Vec<char> = p.chars().collect();
        let (first, rest) = chars.split_at(chars.len().min(26));
        lines.push((2.0, first.iter().collect()));
        for chunk in rest.chunks(28) {
            lines.push((0.0, chunk.iter().collect()));
        }
    }
    let per_page = 36;
    let pages: Vec<Option<Vec<PdfLine>>> = lines
        .chunks(per_page)
        .enumerate()
        .map(|(k, chunk)| {
            let mut page = vec![(220.0, 800.0, 10.5, "内部资料 注意保存".to_string())];
            for (i, (indent, l)) in chunk.iter().enumerate() {
                page.push((
                    80.0 + 15.0 * indent,
                    760.0 - 19.0 * i as f64,
                    15.0,
                    l.clone(),
                ));
            }
            page.push((280.0, 40.0, 12.0, format!("— {} —", k + 1)));
            Some(page)
        })
        .collect();
    PdfWriter::new().write(&pages)
}

#[test]
fn pdf_gives_the_same_notice_without_page_furniture() {
    let pdf = notice_pdf();
    let (d, dir) = parse_as("notice.pdf", &pdf);
    assert_same_notice("pdf", &d, 3);
    assert_eq!(d.meta.encoding, "PDF");
    let src = read_source(dir.path(), &dir.path().join("notice.pdf")).unwrap();
    assert_eq!(src.format, SourceFormat::Text);
    assert!(!src.text.contains("内部资料"), "running header left in");
    assert!(!src.text.contains("— 2 —"), "page number left in");
    let squash = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    assert_eq!(
        squash(&src.text),
        squash(&paragraphs().concat()),
        "the text layer, nothing more, nothing less"
    );
    // Hard-wrapped lines are rejoined into the paragraphs they were.
    let lines: Vec<&str> = src.text.lines().collect();
    assert_eq!(lines.len(), paragraphs().len(), "one line per paragraph");
    assert_eq!(d.passages.len(), original().passages.len());
}

#[test]
fn pdf_without_text_layer_says_run_ocr() {
    let scan = PdfWriter::new().write(&[None, None]);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("scan.pdf"), &scan).unwrap();
    let err = read_source(dir.path(), &dir.path().join("scan.pdf"))
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("scan.pdf: no text layer (scanned?); run OCR first"),
        "{err}"
    );
    // A broken PDF and a truncated one are reasons too.
    let mut cut = notice_pdf();
    cut.truncate(cut.len() / 3);
    for (name, bytes) in [
        ("cut.pdf", cut),
        ("junk.pdf", b"%PDF-1.4\n1 0 obj".to_vec()),
    ] {
        std::fs::write(dir.path().join(name), &bytes).unwrap();
        match read_source(dir.path(), &dir.path().join(name)) {
            Err(e) => eprintln!("{e}"),
            Ok(src) => eprintln!("{name}: read {} chars", src.text.chars().count()),
        }
    }
}

#[test]
fn hostile_or_unsupported_pdfs_are_reasons_not_crashes() {
    let lines = || {
        vec![(
            80.0,
            700.0,
            15.0,
            "各镇党委、人民政府，各街道工委、办事处：".to_string(),
        )]
    };
    let dir = tempfile::tempdir().unwrap();
    let read = |name: &str, bytes: Vec<u8>| {
        std::fs::write(dir.path().join(name), bytes).unwrap();
        read_source(dir.path(), &dir.path().join(name)).map(|s| s.text)
    };
    // A predefined Chinese CMap: pdf-extract panics on it; the panic is caught
    // and named, quietly.
    let mut w = PdfWriter::new();
    w.encoding = "UniGB-UCS2-H";
    let err = read("cmap.pdf", w.write(&[Some(lines())]))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("cmap.pdf: cannot extract the PDF's text (PDF reader failed: unsupported encoding UniGB-UCS2-H)"), "{err}");
    // A drawing that draws itself would recurse until the stack overflows.
    let mut w = PdfWriter::new();
    w.self_drawing = true;
    let err = read("loop.pdf", w.write(&[Some(lines())]))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "loop.pdf: damaged PDF: page 1: a drawing (form XObject) draws itself; not read"
    );
    // The same file without the loop reads.
    assert!(read("ok.pdf", PdfWriter::new().write(&[Some(lines())]))
        .unwrap()
        .contains("各街道工委"));
}

// ------------------------------------------------------- the whole ingest

#[test]
fn ingest_reads_every_format_and_reports_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus");
    std::fs::create_dir_all(corpus.join("旧文件")).unwrap();
    let text = original_text();
    let (gbk, _, _) = encoding_rs::GBK.encode(&text);
    std::fs::write(corpus.join("旧文件/notice-gbk.txt"), &gbk).unwrap();
    std::fs::write(corpus.join("notice.docx"), notice_docx()).unwrap();
    std::fs::write(corpus.join("notice.html"), notice_html("utf-8")).unwrap();
    std::fs::write(corpus.join("notice.pdf"), notice_pdf()).unwrap();
    std::fs::write(corpus.join("scan.pdf"), PdfWriter::new().write(&[None])).unwrap();
    std::fs::write(corpus.join("old.doc"), b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1").unwrap();
    let index = dir.path().join("index");
    let report = govkb::index::build::ingest(
        &corpus,
        &index,
        govkb::index::build::Rebuild::Changed,
        &mut |_, _| {},
        &mut |_, _| {},
    )
    .expect("ingest");
    assert_eq!(report.documents, 4, "{report:?}");
    assert_eq!(report.failed.len(), 1, "{:?}", report.failed);
    assert_eq!(report.failed[0].rel_path, "scan.pdf");
    assert!(report.failed[0].reason.contains("run OCR first"));
    assert_eq!(report.skipped.len(), 1);
    assert!(report.skipped[0].reason.contains("save it as .docx"));
    let kb = govkb::search::KnowledgeBase::open(&index).unwrap();
    let mut req = govkb::search::SearchRequest::new("设立5年过渡期");
    req.limit = 20;
    let hits = kb.search(&req).unwrap();
    // The same notice in four formats: its copies are collapsed into one hit's
    // `also_in` (search::collapse), so count those files too.
    let mut files: Vec<&str> = hits
        .hits
        .iter()
        .flat_map(|h| {
            std::iter::once(h.record.file.as_str()).chain(h.also_in.iter().map(|a| a.file.as_str()))
        })
        .collect();
    files.sort();
    files.dedup();
    assert_eq!(
        files,
        [
            "notice.docx",
            "notice.html",
            "notice.pdf",
            "旧文件/notice-gbk.txt"
        ]
    );
}

// ------------------------------------------------------------ mutations

fn fixtures() -> &'static [(&'static str, Vec<u8>)] {
    static F: std::sync::OnceLock<Vec<(&'static str, Vec<u8>)>> = std::sync::OnceLock::new();
    F.get_or_init(|| {
        vec![
            ("m.pdf", notice_pdf()),
            ("m.docx", notice_docx()),
            ("m.html", notice_html("utf-8").into_bytes()),
        ]
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 64, failure_persistence: None, ..Default::default()
    })]

    /// Damaged copies of real fixtures (bytes overwritten, the file cut
    /// short) are read or refused with a reason; nothing panics.
    #[test]
    fn damaged_fixtures_never_panic(
        flips in proptest::collection::vec((proptest::prelude::any::<proptest::sample::Index>(), proptest::prelude::any::<u8>()), 0..12),
        cut in proptest::option::of(proptest::prelude::any::<proptest::sample::Index>()),
    ) {
        let dir = tempfile::tempdir().unwrap();
        for (name, base) in fixtures() {
            let mut bytes = base.clone();
            for (at, b) in &flips {
                let i = at.index(bytes.len());
                bytes[i] = *b;
            }
            if let Some(c) = &cut {
                bytes.truncate(c.index(bytes.len()));
            }
            let path = dir.path().join(name);
            std::fs::write(&path, &bytes).unwrap();
            let _ = load_document(dir.path(), &path);
        }
    }
}
