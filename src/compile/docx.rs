//! The draft as a Word document (docx-rs), styled after GB/T 9704: A4 with
//! 37/26/35/28 mm margins, body 仿宋 三号 (16 pt) on exact 28 pt lines with a
//! two-character first-line indent, headlines 方正小标宋简体 二号 centred,
//! headings 黑体 / 楷体 / 仿宋 bold / 仿宋 by level, 报尾 仿宋 四号 between
//! rules, page numbers `— 1 —`. Every paragraph carries a named style
//! (`Title`, `Heading1` …), so editors can restyle the whole issue in Word or
//! WPS at once.

use docx_rs::{
    AlignmentType, BorderType, Docx, Footer, LineSpacing, LineSpacingType, PageMargin, PageNum,
    Paragraph, ParagraphBorder, ParagraphBorderPosition, ParagraphBorders, Run, RunFonts,
    SpecialIndentType, Style, StyleType,
};

use super::{Block, Draft, Source};
use crate::error::{Error, Result};

const FANGSONG: &str = "仿宋";
const XIAOBIAOSONG: &str = "方正小标宋简体";
const HEITI: &str = "黑体";
const KAITI: &str = "楷体";
const SONGTI: &str = "宋体";
const LATIN: &str = "Times New Roman";
const RED: &str = "D40000";

/// Sizes in half-points.
const SIZE_BODY: usize = 32; // 三号 16 pt
const SIZE_TITLE: usize = 44; // 二号 22 pt
const SIZE_NAME: usize = 72; // 小初 36 pt
const SIZE_COLOPHON: usize = 28; // 四号 14 pt
const SIZE_SMALL: usize = 21; // 五号 10.5 pt

/// Twips (1/20 pt).
const LINE_BODY: i32 = 560; // 28 pt
const INDENT_2_CHARS: i32 = 640; // two 16 pt characters

fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new()
        .east_asia(east_asia)
        .ascii(LATIN)
        .hi_ansi(LATIN)
        .cs(LATIN)
}

fn exact(line: i32) -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(line)
}

fn paragraph_style(id: &str, name: &str, font: &str, size: usize) -> Style {
    Style::new(id, StyleType::Paragraph)
        .name(name)
        .based_on("Normal")
        .fonts(fonts(font))
        .size(size)
}

fn indented(s: Style) -> Style {
    s.indent(
        None,
        Some(SpecialIndentType::FirstLine(INDENT_2_CHARS)),
        None,
        None,
    )
    .first_line_chars(200)
}

/// A paragraph with one rule (border) along one side.
fn ruled(
    mut p: Paragraph,
    position: ParagraphBorderPosition,
    size: usize,
    color: &str,
) -> Paragraph {
    let border = ParagraphBorder::new(position)
        .val(BorderType::Single)
        .size(size)
        .space(1)
        .color(color);
    p.property = p
        .property
        .set_borders(ParagraphBorders::with_empty().set(border));
    p
}

/// The styles of the document.
fn styles() -> Vec<Style> {
    let heading = |n: usize, font: &str| {
        let s = indented(paragraph_style(
            &format!("Heading{n}"),
            &format!("heading {n}"),
            font,
            SIZE_BODY,
        ))
        .outline_lvl(n)
        .line_spacing(exact(LINE_BODY));
        let mut s = if n == 3 { s.bold() } else { s };
        s.paragraph_property = s.paragraph_property.keep_next(true);
        s
    };
    let mut title = paragraph_style("Title", "Title", XIAOBIAOSONG, SIZE_TITLE)
        .align(AlignmentType::Center)
        .outline_lvl(0)
        .line_spacing(
            LineSpacing::new()
                .line_rule(LineSpacingType::Exact)
                .line(640)
                .before(560)
                .after(280),
        );
    title.paragraph_property = title.paragraph_property.keep_next(true);
    vec![
        Style::new("Normal", StyleType::Paragraph)
            .name("Normal")
            .fonts(fonts(FANGSONG))
            .size(SIZE_BODY)
            .align(AlignmentType::Both)
            .line_spacing(exact(LINE_BODY)),
        indented(paragraph_style(
            "BodyText",
            "Body Text",
            FANGSONG,
            SIZE_BODY,
        )),
        paragraph_style("MastheadName", "Masthead Name", XIAOBIAOSONG, SIZE_NAME)
            .color(RED)
            .align(AlignmentType::Center)
            .line_spacing(
                LineSpacing::new()
                    .line_rule(LineSpacingType::Auto)
                    .line(240)
                    .after(240),
            ),
        paragraph_style("MastheadLine", "Masthead Line", FANGSONG, SIZE_BODY)
            .align(AlignmentType::Center),
        title,
        heading(1, HEITI),
        heading(2, KAITI),
        heading(3, FANGSONG),
        heading(4, FANGSONG),
        paragraph_style("ColumnName", "Column Name", HEITI, SIZE_BODY)
            .line_spacing(exact(LINE_BODY).before(280)),
        paragraph_style("Credit", "Credit", FANGSONG, SIZE_BODY).align(AlignmentType::Right),
        paragraph_style("Colophon", "Colophon", FANGSONG, SIZE_COLOPHON)
            .align(AlignmentType::Left)
            .line_spacing(exact(440)),
        paragraph_style("Provenance", "Provenance", SONGTI, SIZE_SMALL)
            .align(AlignmentType::Left)
            .line_spacing(
                LineSpacing::new()
                    .line_rule(LineSpacingType::Auto)
                    .line(300),
            ),
    ]
}

fn para(style: &str, text: &str) -> Paragraph {
    Paragraph::new()
        .style(style)
        .add_run(Run::new().add_text(text))
}

/// A paragraph whose inner line breaks (tables) are kept.
fn body_para(text: &str) -> Paragraph {
    let mut run = Run::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            run = run.add_break(docx_rs::BreakType::TextWrapping);
        }
        run = run.add_text(line.replace('\t', "　"));
    }
    Paragraph::new().style("BodyText").add_run(run)
}

fn source_text(sources: &[Source]) -> String {
    super::sources_line(sources, str::to_string, str::to_string)
}

/// The Word document's bytes.
pub(super) fn docx(d: &Draft) -> Result<Vec<u8>> {
    let h = &d.header;
    let mut doc = Docx::new()
        .page_size(11_906, 16_838)
        .page_margin(
            PageMargin::new()
                .top(2098)
                .bottom(1984)
                .left(1587)
                .right(1474)
                .header(851)
                .footer(992),
        )
        .default_fonts(fonts(FANGSONG))
        .default_size(SIZE_BODY)
        .footer(
            Footer::new().add_paragraph(
                Paragraph::new()
                    .align(AlignmentType::Center)
                    .fonts(fonts(SONGTI))
                    .size(SIZE_COLOPHON)
                    .add_run(
                        Run::new()
                            .add_text("— ")
                            .fonts(fonts(SONGTI))
                            .size(SIZE_COLOPHON),
                    )
                    .add_page_num(PageNum::new())
                    .add_run(
                        Run::new()
                            .add_text(" —")
                            .fonts(fonts(SONGTI))
                            .size(SIZE_COLOPHON),
                    ),
            ),
        );
    for s in styles() {
        doc = doc.add_style(s);
    }

    doc = doc.add_paragraph(para("MastheadName", &h.name));
    if let Some(l) = h.issue_line() {
        doc = doc.add_paragraph(para("MastheadLine", &l));
    }
    doc = doc.add_paragraph(ruled(
        para("MastheadLine", &h.unit_date_line()),
        ParagraphBorderPosition::Bottom,
        18,
        RED,
    ));

    for (i, p) in h.editor_note.iter().enumerate() {
        let mut para = Paragraph::new().style("BodyText");
        if i == 0 {
            para = para.add_run(Run::new().add_text("编者按：").fonts(fonts(HEITI)));
        }
        doc = doc.add_paragraph(para.add_run(Run::new().add_text(p)));
    }

    for c in &d.columns {
        if let Some(t) = &c.title {
            doc = doc.add_paragraph(para("ColumnName", &format!("【{t}】")));
        }
        for a in &c.articles {
            doc = doc.add_paragraph(para("Title", &a.title));
            for b in &a.blocks {
                doc = doc.add_paragraph(match b {
                    Block::Heading { level, text } => {
                        para(&format!("Heading{}", level.clamp(&1, &4)), text)
                    }
                    Block::Paragraph { text } => body_para(text),
                });
            }
            doc = doc.add_paragraph(para("Credit", &a.credit));
        }
    }

    let mut colophon: Vec<Paragraph> = h
        .distribution
        .iter()
        .map(|(label, to)| para("Colophon", &format!("{label}：{to}")))
        .collect();
    if let Some(e) = &h.editor {
        colophon.push(para("Colophon", &format!("责任编辑：{e}")));
    }
    let last = colophon.len();
    for (i, p) in colophon.into_iter().enumerate() {
        if i == 0 {
            let spacer = Paragraph::new().style("Colophon");
            doc = doc.add_paragraph(ruled(spacer, ParagraphBorderPosition::Bottom, 8, "000000"));
        }
        doc = doc.add_paragraph(if i + 1 == last {
            ruled(p, ParagraphBorderPosition::Bottom, 8, "000000")
        } else {
            p
        });
    }

    doc = doc.add_paragraph(
        Paragraph::new()
            .style("Provenance")
            .page_break_before(true)
            .add_run(
                Run::new()
                    .add_text("稿件来源（供编辑核对，付印前删去）")
                    .bold(),
            ),
    );
    for (i, a) in d.articles().enumerate() {
        doc = doc.add_paragraph(para(
            "Provenance",
            &format!("{}. 《{}》：{}", i + 1, a.title, source_text(&a.sources)),
        ));
    }
    if !d.duplicates.is_empty() {
        doc = doc.add_paragraph(para("Provenance", "已略去的重复稿件："));
        for dup in &d.duplicates {
            doc = doc.add_paragraph(para(
                "Provenance",
                &format!(
                    "· 《{}》（{}）：{}",
                    dup.title,
                    source_text(&dup.sources),
                    dup.note_zh()
                ),
            ));
        }
    }

    let mut buf = std::io::Cursor::new(Vec::new());
    doc.build().pack(&mut buf).map_err(|e| {
        Error::Io(std::io::Error::other(format!(
            "cannot build the .docx: {e}"
        )))
    })?;
    Ok(buf.into_inner())
}
