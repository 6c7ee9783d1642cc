//! `.pdf` → plain text from the text layer, as a PDF extraction tool would
//! give it, minus page furniture.
//!
//! `pdf-extract` (over `lopdf`) interprets the content streams and maps each
//! glyph to Unicode through the fonts' ToUnicode maps and encodings; govkb
//! collects the glyphs with their positions (its own `OutputDev`), builds
//! lines per page, and drops page headers, footers and page numbers: lines in
//! the top or bottom band of a page that are page numbers (`- 1 -`, `第 1 页`,
//! `1/12`) or that repeat on most pages. The lines stay hard-wrapped; the
//! normaliser rejoins them as it does for the sample PDF extractions.
//!
//! A PDF with no text layer (a scan) is refused with "run OCR first", never
//! indexed empty. `pdf-extract` panics on some unsupported inputs (exotic
//! font encodings); that becomes a failure of this file, reported quietly.

use std::cell::Cell;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Once;

use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

/// The text layer of a PDF as plain text, or why there is none.
pub fn read_pdf(bytes: &[u8]) -> Result<String, String> {
    let pages = quietly(|| extract_pages(bytes)).map_err(|panic| {
        format!("cannot extract the PDF's text ({panic}); convert it with another tool or run OCR")
    })??;
    let page_count = pages.len();
    if page_count == 0 {
        return Err("PDF has no pages".into());
    }
    let text = paragraphs(&remove_furniture(pages)).join("\n");
    let visible = text.chars().filter(|c| !c.is_whitespace()).count();
    if visible == 0 {
        return Err(format!(
            "no text layer (scanned?); run OCR first (e.g. ocrmypdf -l chi_sim) and ingest the OCRed PDF ({page_count} page(s), no text)"
        ));
    }
    let unreadable = text
        .chars()
        .filter(|c| matches!(*c as u32, 0xE000..=0xF8FF | 0xFFFD) || (c.is_control() && *c != '\n'))
        .count();
    if unreadable * 3 > visible {
        return Err(format!(
            "the text layer is unreadable ({unreadable} of {visible} characters have no Unicode mapping); run OCR first (e.g. ocrmypdf --force-ocr -l chi_sim)"
        ));
    }
    if visible < 5 * page_count && visible < 50 {
        return Err(format!(
            "almost no text layer ({visible} characters on {page_count} page(s): scanned?); run OCR first (e.g. ocrmypdf -l chi_sim)"
        ));
    }
    Ok(text)
}

/// One glyph placed on the page, y growing downwards.
#[derive(Debug, Clone)]
struct Glyph {
    x: f64,
    y: f64,
    end: f64,
    size: f64,
    text: String,
}

/// A text line of a page with its vertical position (0 top, 1 bottom).
#[derive(Debug, Clone)]
struct Line {
    text: String,
    /// Vertical position on the page, 0 at the top, 1 at the bottom.
    pos: f64,
    /// Baseline, left and right edge in points, and glyph size.
    y: f64,
    x0: f64,
    x1: f64,
    size: f64,
    /// Page index.
    page: usize,
}

/// Collects glyphs page by page.
#[derive(Default)]
struct Collector {
    height: f64,
    /// Top edge of the media box (PDF y grows upwards).
    top: f64,
    glyphs: Vec<Glyph>,
    pages: Vec<Vec<Line>>,
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        _page: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.height = (media_box.ury - media_box.lly).abs().max(1.0);
        self.top = media_box.ury.max(media_box.lly);
        self.glyphs.clear();
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        let glyphs = std::mem::take(&mut self.glyphs);
        let page = self.pages.len();
        self.pages.push(lines_of(glyphs, self.height, page));
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), OutputError> {
        // The glyph's origin is the translation of its text rendering
        // matrix; its size the matrix applied to (font_size, font_size).
        let (x, y) = (trm.m31, self.top - trm.m32);
        let vx = font_size * (trm.m11 + trm.m21);
        let vy = font_size * (trm.m12 + trm.m22);
        let size = (vx * vy).abs().sqrt().max(0.1);
        if !x.is_finite() || !y.is_finite() {
            return Ok(());
        }
        let mut text: String = char.chars().map(normalize_glyph_char).collect();
        if text.is_empty() {
            text.push(' ');
        }
        self.glyphs.push(Glyph {
            x,
            y,
            end: x + width * size,
            size,
            text,
        });
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// Kangxi radicals and CJK compatibility ideographs that some PDF fonts map
/// to (`⼀` U+2F00 for `一`) become the unified ideographs.
fn normalize_glyph_char(c: char) -> char {
    if matches!(c as u32, 0x2F00..=0x2FDF | 0xF900..=0xFAFF | 0x2F800..=0x2FA1F) {
        let mut out = None;
        unicode_normalization::char::decompose_compatible(c, |d| {
            if out.is_none() {
                out = Some(d);
            }
        });
        return out.unwrap_or(c);
    }
    c
}

/// Group glyphs into lines (same baseline within half a glyph), top to
/// bottom, each read left to right, with a space where Latin words part.
fn lines_of(mut glyphs: Vec<Glyph>, height: f64, page: usize) -> Vec<Line> {
    glyphs.retain(|g| !g.text.trim().is_empty() || g.text == " ");
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut groups: Vec<Vec<Glyph>> = Vec::new();
    for g in glyphs {
        match groups.last_mut() {
            Some(line) if (g.y - line[0].y).abs() <= line[0].size.min(g.size) * 0.5 => line.push(g),
            _ => groups.push(vec![g]),
        }
    }
    groups
        .into_iter()
        .filter_map(|mut line| {
            line.sort_by(|a, b| a.x.total_cmp(&b.x));
            let mut text = String::new();
            let mut last_end: Option<f64> = None;
            for g in &line {
                if let Some(end) = last_end {
                    // A wide gap parts table cells; a narrow one Latin words.
                    if g.x > end + g.size * 3.0 {
                        text.push('\t');
                    } else if g.x > end + g.size * 0.25 && !text.ends_with(' ') {
                        text.push(' ');
                    }
                }
                text.push_str(&g.text);
                last_end = Some(last_end.map_or(g.end, |e: f64| e.max(g.end)));
            }
            let text = text.trim().to_string();
            let mut sizes: Vec<f64> = line.iter().map(|g| g.size).collect();
            sizes.sort_by(f64::total_cmp);
            (!text.is_empty()).then(|| Line {
                text,
                pos: (line[0].y / height).clamp(0.0, 1.0),
                y: line[0].y,
                x0: line[0].x,
                x1: last_end.unwrap_or(line[0].x),
                size: sizes[sizes.len() / 2],
                page,
            })
        })
        .collect()
}

/// Parse the PDF and collect each page's lines.
fn extract_pages(bytes: &[u8]) -> Result<Vec<Vec<Line>>, String> {
    let mut doc = pdf_extract::Document::load_mem(bytes)
        .map_err(|e| format!("damaged or not a PDF (cannot parse it: {e})"))?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err("encrypted PDF: it needs a password; save an unprotected copy".into());
    }
    preflight(&doc)?;
    let numbers: Vec<u32> = doc.get_pages().keys().copied().collect();
    let mut out = Collector::default();
    for n in numbers {
        let before = out.pages.len();
        if let Err(e) = pdf_extract::output_doc_page(&doc, &mut out, n) {
            return Err(format!("cannot read page {n} ({e})"));
        }
        if out.pages.len() == before {
            out.pages.push(Vec::new());
        }
    }
    Ok(out.pages)
}

/// Deepest page tree or chain of drawings (form XObjects) read.
const MAX_PDF_NESTING: usize = 32;

/// Refuse the two structures that would make pdf-extract recurse without
/// end (a stack overflow aborts the whole process, which no `catch_unwind`
/// stops): a page tree whose `Parent` chain loops, and a form XObject that
/// draws itself, directly or through others.
fn preflight(doc: &pdf_extract::Document) -> Result<(), String> {
    use pdf_extract::{Dictionary, Object};
    use std::collections::HashSet;
    let deref = |o: &'_ Object| -> Option<Object> {
        match o {
            Object::Reference(id) => doc.get_object(*id).ok().cloned(),
            other => Some(other.clone()),
        }
    };
    let mut done: HashSet<pdf_extract::ObjectId> = HashSet::new();
    for (n, page_id) in doc.get_pages() {
        let mut seen = HashSet::new();
        let mut node = doc.get_dictionary(page_id).ok();
        let mut resources: Option<Dictionary> = None;
        while let Some(d) = node {
            if resources.is_none() {
                resources = d
                    .get(b"Resources")
                    .ok()
                    .and_then(deref)
                    .and_then(|o| o.as_dict().ok().cloned());
            }
            let Ok(parent) = d.get(b"Parent").and_then(Object::as_reference) else {
                break;
            };
            if !seen.insert(parent) || seen.len() > MAX_PDF_NESTING {
                return Err(format!(
                    "damaged PDF: the page tree above page {n} loops or nests too deeply"
                ));
            }
            node = doc.get_dictionary(parent).ok();
        }
        let Some(resources) = resources else { continue };
        let mut stack = Vec::new();
        for (_, x) in xobjects(doc, &resources) {
            check_form(doc, x, &resources, &mut stack, &mut done)
                .map_err(|e| format!("damaged PDF: page {n}: {e}"))?;
        }
    }
    Ok(())
}

/// The XObjects named in a resource dictionary, as object ids.
fn xobjects(
    doc: &pdf_extract::Document,
    resources: &pdf_extract::Dictionary,
) -> Vec<(Vec<u8>, pdf_extract::ObjectId)> {
    use pdf_extract::Object;
    let dict = match resources.get(b"XObject") {
        Ok(Object::Dictionary(d)) => Some(d),
        Ok(Object::Reference(id)) => doc.get_dictionary(*id).ok(),
        _ => None,
    };
    dict.map(|d| {
        d.iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_reference().ok()?)))
            .collect()
    })
    .unwrap_or_default()
}

fn check_form(
    doc: &pdf_extract::Document,
    id: pdf_extract::ObjectId,
    inherited: &pdf_extract::Dictionary,
    stack: &mut Vec<pdf_extract::ObjectId>,
    done: &mut std::collections::HashSet<pdf_extract::ObjectId>,
) -> Result<(), String> {
    use pdf_extract::Object;
    if done.contains(&id) {
        return Ok(());
    }
    if stack.contains(&id) {
        return Err("a drawing (form XObject) draws itself; not read".into());
    }
    if stack.len() >= MAX_PDF_NESTING {
        return Err("drawings (form XObjects) nest too deeply; not read".into());
    }
    let Ok(Object::Stream(form)) = doc.get_object(id) else {
        return Ok(());
    };
    if form.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form".as_slice()) {
        done.insert(id);
        return Ok(());
    }
    let own = match form.dict.get(b"Resources") {
        Ok(Object::Dictionary(d)) => Some(d.clone()),
        Ok(Object::Reference(r)) => doc.get_dictionary(*r).ok().cloned(),
        _ => None,
    };
    let resources = own.as_ref().unwrap_or(inherited);
    let names = xobjects(doc, resources);
    let drawn: Vec<Vec<u8>> = form
        .decompressed_content()
        .ok()
        .or_else(|| Some(form.content.clone()))
        .and_then(|c| pdf_extract::content::Content::decode(&c).ok())
        .map(|c| {
            c.operations
                .into_iter()
                .filter(|op| op.operator == "Do")
                .filter_map(|op| op.operands.first()?.as_name().ok().map(<[u8]>::to_vec))
                .collect()
        })
        .unwrap_or_default();
    stack.push(id);
    for (name, child) in names {
        if drawn.contains(&name) {
            check_form(doc, child, resources, stack, done)?;
        }
    }
    stack.pop();
    done.insert(id);
    Ok(())
}

/// Whether a line is only a page number: `- 1 -`, `— 12 —`, `第 3 页`,
/// `第3页 共10页`, `3/10`, `Page 3`, `3`.
fn is_page_number(line: &str) -> bool {
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.to_lowercase();
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    let stripped = t.trim_matches(['-', '—', '－', '–', '·', '•']);
    if digits(stripped) && stripped.len() <= 4 {
        return true;
    }
    if let Some((a, b)) = stripped.split_once('/') {
        return digits(a) && digits(b);
    }
    if let Some(rest) = stripped.strip_prefix("page") {
        return digits(rest)
            || rest
                .split_once("of")
                .is_some_and(|(a, b)| digits(a) && digits(b));
    }
    if let Some(rest) = stripped.strip_prefix('第') {
        let rest = rest.split('共').next().unwrap_or(rest);
        return rest.strip_suffix('页').is_some_and(digits);
    }
    false
}

/// Text with digits replaced, so `美发〔2021〕7号 第3页` repeats across pages.
fn shape(line: &str) -> String {
    line.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

/// Lines within this share of the page height from its top or bottom edge
/// can be headers or footers.
const BAND: f64 = 0.12;

/// Drop page numbers and running headers/footers; the rest, page after page.
fn remove_furniture(pages: Vec<Vec<Line>>) -> Vec<Line> {
    let in_band = |l: &Line| l.pos <= BAND || l.pos >= 1.0 - BAND;
    // The two outermost lines at each edge that lie in the band.
    let edges = |page: &[Line]| -> Vec<usize> {
        let n = page.len();
        let mut v: Vec<usize> = (0..n.min(2)).chain(n.saturating_sub(2)..n).collect();
        v.sort_unstable();
        v.dedup();
        v.retain(|&i| in_band(&page[i]));
        v
    };
    let mut repeats: HashMap<String, usize> = HashMap::new();
    for page in &pages {
        let mut seen: Vec<String> = edges(page).iter().map(|&i| shape(&page[i].text)).collect();
        seen.sort();
        seen.dedup();
        for s in seen {
            *repeats.entry(s).or_default() += 1;
        }
    }
    let pages_n = pages.len();
    let running =
        |s: &str| pages_n >= 2 && repeats.get(s).copied().unwrap_or(0) * 2 >= pages_n.max(3);
    let mut out = Vec::new();
    for page in pages {
        let edge = edges(&page);
        for (i, line) in page.into_iter().enumerate() {
            let furniture =
                edge.contains(&i) && (is_page_number(&line.text) || running(&shape(&line.text)));
            if !furniture {
                out.push(line);
            }
        }
    }
    out
}

/// Rejoin the hard-wrapped lines of each paragraph from the layout: a line
/// continues the one before unless that one ends short of the right margin,
/// or this one is indented, set in another size, further down than the line
/// spacing, or opens a numbered heading (`一、`, `（一）`, `1.`). Chinese
/// lines join without a space, Latin words with one.
fn paragraphs(lines: &[Line]) -> Vec<String> {
    let margins = page_margins(lines);
    let mut out: Vec<String> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let joins = i > 0 && {
            let prev = &lines[i - 1];
            let (left, _, spacing) = margins[&line.page];
            let (_, prev_right, _) = margins[&prev.page];
            let size = line.size.max(prev.size);
            // Ragged-right text stops up to ~2 chars short of the margin
            // (a char that may not start a line pulls one down with it); a
            // line ending a sentence must reach the margin to continue.
            let ends_sentence = prev
                .text
                .ends_with(['。', '！', '？', '；', '：', '.', '!', '?']);
            let slack = if ends_sentence { 1.0 } else { 2.6 };
            let prev_full = prev.x1 >= prev_right - slack * size;
            let indented = line.x0 > left + 1.5 * size;
            let same_size = (line.size - prev.size).abs() <= 0.15 * size;
            let near = prev.page != line.page || line.y - prev.y <= spacing * 1.4 + 0.5;
            prev_full
                && !indented
                && same_size
                && near
                && !prev.text.contains('\t')
                && !crate::normalize::starts_heading(&line.text)
        };
        match out.last_mut() {
            Some(last) if joins => {
                let a = last.chars().last().unwrap_or(' ');
                let b = line.text.chars().next().unwrap_or(' ');
                if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric() {
                    last.push(' ');
                }
                last.push_str(&line.text);
            }
            _ => out.push(line.text.clone()),
        }
    }
    out
}

/// Per page: left margin, right margin (the right edge most full lines
/// share) and the usual distance between baselines.
fn page_margins(lines: &[Line]) -> HashMap<usize, (f64, f64, f64)> {
    let mut pages: HashMap<usize, Vec<&Line>> = HashMap::new();
    for l in lines {
        pages.entry(l.page).or_default().push(l);
    }
    pages
        .into_iter()
        .map(|(page, ls)| {
            let left = ls.iter().map(|l| l.x0).fold(f64::INFINITY, f64::min);
            let max_right = ls.iter().map(|l| l.x1).fold(f64::NEG_INFINITY, f64::max);
            // The right edge of justified text: the largest one that at least
            // two lines reach (a lone wide line, a table row, does not count).
            let right = ls
                .iter()
                .map(|l| l.x1)
                .filter(|&x| {
                    ls.iter()
                        .filter(|m| (m.x1 - x).abs() <= 0.5 * m.size)
                        .count()
                        >= 2
                })
                .fold(f64::NEG_INFINITY, f64::max);
            let right = if right.is_finite() { right } else { max_right };
            let mut gaps: Vec<f64> = ls
                .windows(2)
                .map(|w| w[1].y - w[0].y)
                .filter(|&g| g > 0.0)
                .collect();
            gaps.sort_by(f64::total_cmp);
            let spacing = gaps.get(gaps.len() / 2).copied().unwrap_or(f64::INFINITY);
            (page, (left, right, spacing))
        })
        .collect()
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Run `f`, turning a panic into an error message; the panic is not printed.
fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    result.map_err(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "internal error".into());
        let msg: String = msg.chars().take(120).collect();
        format!("PDF reader failed: {msg}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers() {
        for s in [
            "- 1 -",
            "— 12 —",
            "－3－",
            "第 3 页",
            "第3页 共10页",
            "3/10",
            "Page 3",
            "7",
        ] {
            assert!(is_page_number(s), "{s}");
        }
        for s in ["一、总体要求", "2021年8月17日", "12345", "第三条"] {
            assert!(!is_page_number(s), "{s}");
        }
    }

    #[test]
    fn furniture_is_removed_and_paragraphs_rejoined() {
        let line = |text: &str, pos: f64, x0: f64, x1: f64, page: usize| Line {
            text: text.into(),
            pos,
            y: pos * 842.0,
            x0,
            x1,
            size: 15.0,
            page,
        };
        let page = |n: usize| {
            vec![
                line("海口市美兰区文件汇编", 0.05, 200.0, 350.0, n),
                line(&format!("　第{n}页第一段，写满一行"), 0.20, 110.0, 500.0, n),
                line("接着写完。", 0.22, 80.0, 155.0, n),
                line(&format!("第{n}页第二段，写满一行"), 0.24, 110.0, 500.0, n),
                line("一、总体要求", 0.26, 80.0, 500.0, n),
                line(&format!("- {n} -"), 0.95, 280.0, 320.0, n),
            ]
        };
        let lines = remove_furniture((1..=3).map(page).collect());
        assert_eq!(lines.len(), 12);
        let paras = paragraphs(&lines);
        assert_eq!(
            &paras[..3],
            [
                "　第1页第一段，写满一行接着写完。",
                "第1页第二段，写满一行",
                "一、总体要求"
            ]
        );
        assert_eq!(paras.len(), 9);
    }

    #[test]
    fn kangxi_radicals_become_ideographs() {
        assert_eq!(normalize_glyph_char('\u{2F00}'), '一');
        assert_eq!(normalize_glyph_char('\u{2F08}'), '人');
        assert_eq!(normalize_glyph_char('中'), '中');
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(read_pdf(b"%PDF-1.4\n garbage").is_err());
        assert!(read_pdf(b"").is_err());
    }
}
