//! `.docx` → Markdown. A .docx is a ZIP of XML parts; the text is in
//! `word/document.xml`, heading styles in `word/styles.xml` and list numbers
//! in `word/numbering.xml`. Reading those three parts with `zip` and
//! `quick-xml` is small, and keeps what govkb needs that text-only docx
//! crates drop: the style of each paragraph (a heading, at which level) and
//! the number Word draws in front of it (`一、`, `（一）`, `1.`), which the
//! parser reads headings from.
//!
//! - Paragraphs styled Heading 1–6 / 标题 1–6 / Title, or with an outline
//!   level, become `#` headings; other paragraphs stay paragraphs.
//! - Automatic numbering is rendered as text (`%1、` with Chinese counting
//!   gives `一、`).
//! - Tables become Markdown tables, which normalise into tab-separated rows.
//! - Deleted revisions, field codes and the fallback copy of drawings are
//!   left out; text boxes are kept.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::escape_markdown;

/// Largest XML part read (a guard against ZIP bombs).
const MAX_PART_BYTES: u64 = 256 * 1024 * 1024;

/// Whether ZIP bytes hold a Word document.
pub fn is_docx(bytes: &[u8]) -> bool {
    zip::ZipArchive::new(Cursor::new(bytes))
        .map(|z| z.index_for_name("word/document.xml").is_some())
        .unwrap_or(false)
}

/// The text of a .docx as Markdown, or why it cannot be read.
pub fn read_docx(bytes: &[u8]) -> Result<String, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
            "an old Word .doc file with a .docx name; save it as .docx".to_string()
        } else {
            format!("damaged or not a .docx (cannot open it as a ZIP archive: {e})")
        }
    })?;
    let main = main_part(&mut zip).unwrap_or_else(|| "word/document.xml".to_string());
    let document = part(&mut zip, &main)?
        .ok_or_else(|| format!("not a Word document: the .docx has no {main}"))?;
    let styles = part(&mut zip, "word/styles.xml")?
        .map(|x| parse_styles(&x))
        .unwrap_or_default();
    let numbering = part(&mut zip, "word/numbering.xml")?
        .map(|x| parse_numbering(&x))
        .unwrap_or_default();
    let mut builder = Builder {
        styles,
        numbering,
        ..Builder::default()
    };
    builder.document(&document)?;
    Ok(builder.out)
}

/// The main document part named in `_rels/.rels` (usually `word/document.xml`).
fn main_part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>) -> Option<String> {
    let rels = part(zip, "_rels/.rels").ok()??;
    let mut reader = Reader::from_str(&rels);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if local(&e) == "Relationship" => {
                let ty = attr(&e, "Type").unwrap_or_default();
                if ty.ends_with("/officeDocument") {
                    let target = attr(&e, "Target")?;
                    return Some(target.trim_start_matches('/').to_string());
                }
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
    }
}

/// One XML part as text, `None` when the archive does not have it.
fn part(zip: &mut zip::ZipArchive<Cursor<&[u8]>>, name: &str) -> Result<Option<String>, String> {
    let file = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(format!("damaged .docx: cannot open {name}: {e}")),
    };
    let mut bytes = Vec::new();
    file.take(MAX_PART_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("damaged .docx: cannot unpack {name}: {e}"))?;
    if bytes.len() as u64 > MAX_PART_BYTES {
        return Err(format!(
            "{name} unpacks to over {} MB",
            MAX_PART_BYTES >> 20
        ));
    }
    // XML parts are UTF-8 (or UTF-16 with a BOM).
    let text = match encoding_rs::Encoding::for_bom(&bytes) {
        Some((enc, bom)) => enc
            .decode_without_bom_handling(&bytes[bom..])
            .0
            .into_owned(),
        None => String::from_utf8(bytes)
            .map_err(|_| format!("damaged .docx: {name} is not UTF-8 XML"))?,
    };
    Ok(Some(text))
}

fn local(e: &BytesStart) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).into_owned()
}

/// An attribute by its local name (`w:val` → `val`).
fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes().with_checks(false).flatten().find_map(|a| {
        let key = a.key.local_name();
        (key.as_ref() == name.as_bytes()).then(|| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_default()
        })
    })
}

/// A paragraph style: its name, outline level, parent and numbering.
#[derive(Debug, Default, Clone)]
struct Style {
    name: String,
    outline: Option<u8>,
    based_on: Option<String>,
    num: Option<(String, usize)>,
}

fn parse_styles(xml: &str) -> HashMap<String, Style> {
    let mut styles = HashMap::new();
    let mut reader = Reader::from_str(xml);
    let mut current: Option<(String, Style)> = None;
    let (mut num_id, mut ilvl) = (None::<String>, 0usize);
    loop {
        let ev = match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(ev) => ev,
        };
        match ev {
            Event::Start(e) | Event::Empty(e) => match local(&e).as_str() {
                "style" => {
                    let paragraph = attr(&e, "type").is_none_or(|t| t == "paragraph");
                    current = paragraph
                        .then(|| attr(&e, "styleId"))
                        .flatten()
                        .map(|id| (id, Style::default()));
                    num_id = None;
                    ilvl = 0;
                }
                "name" => {
                    if let Some((_, s)) = &mut current {
                        s.name = attr(&e, "val").unwrap_or_default();
                    }
                }
                "basedOn" => {
                    if let Some((_, s)) = &mut current {
                        s.based_on = attr(&e, "val");
                    }
                }
                "outlineLvl" => {
                    if let Some((_, s)) = &mut current {
                        s.outline = attr(&e, "val").and_then(|v| v.parse().ok());
                    }
                }
                "numId" => num_id = attr(&e, "val"),
                "ilvl" => ilvl = attr(&e, "val").and_then(|v| v.parse().ok()).unwrap_or(0),
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == b"style" => {
                if let Some((id, mut s)) = current.take() {
                    s.num = num_id.take().map(|n| (n, ilvl));
                    styles.insert(id, s);
                }
            }
            _ => {}
        }
    }
    styles
}

/// One level of a list definition.
#[derive(Debug, Default, Clone)]
struct Level {
    format: String,
    text: String,
    start: u32,
}

#[derive(Debug, Default)]
struct Numbering {
    /// abstractNumId → levels.
    abstracts: HashMap<String, Vec<Level>>,
    /// numId → (abstractNumId, start overrides by level).
    nums: HashMap<String, (String, HashMap<usize, u32>)>,
}

fn parse_numbering(xml: &str) -> Numbering {
    let mut n = Numbering::default();
    let mut reader = Reader::from_str(xml);
    let mut abstract_id: Option<String> = None;
    let mut levels: Vec<Level> = Vec::new();
    let mut level: Option<(usize, Level)> = None;
    let mut num: Option<(String, String, HashMap<usize, u32>)> = None;
    let mut override_lvl: Option<usize> = None;
    loop {
        let ev = match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(ev) => ev,
        };
        match ev {
            Event::Start(e) | Event::Empty(e) => match local(&e).as_str() {
                "abstractNum" => {
                    abstract_id = attr(&e, "abstractNumId");
                    levels.clear();
                }
                "lvl" if abstract_id.is_some() => {
                    let i = attr(&e, "ilvl").and_then(|v| v.parse().ok()).unwrap_or(0);
                    level = Some((
                        i,
                        Level {
                            start: 1,
                            ..Level::default()
                        },
                    ));
                }
                "start" => {
                    if let Some((_, l)) = &mut level {
                        l.start = attr(&e, "val").and_then(|v| v.parse().ok()).unwrap_or(1);
                    }
                }
                "numFmt" => {
                    if let Some((_, l)) = &mut level {
                        l.format = attr(&e, "val").unwrap_or_default();
                    }
                }
                "lvlText" => {
                    if let Some((_, l)) = &mut level {
                        l.text = attr(&e, "val").unwrap_or_default();
                    }
                }
                "num" => {
                    num = attr(&e, "numId").map(|id| (id, String::new(), HashMap::new()));
                }
                "abstractNumId" => {
                    if let Some((_, a, _)) = &mut num {
                        *a = attr(&e, "val").unwrap_or_default();
                    }
                }
                "lvlOverride" => override_lvl = attr(&e, "ilvl").and_then(|v| v.parse().ok()),
                "startOverride" => {
                    if let (Some((_, _, o)), Some(i)) = (&mut num, override_lvl) {
                        o.insert(i, attr(&e, "val").and_then(|v| v.parse().ok()).unwrap_or(1));
                    }
                }
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"lvl" => {
                    if let Some((i, l)) = level.take() {
                        if i < 9 {
                            if levels.len() <= i {
                                levels.resize(i + 1, Level::default());
                            }
                            levels[i] = l;
                        }
                    }
                }
                b"abstractNum" => {
                    if let Some(id) = abstract_id.take() {
                        n.abstracts.insert(id, std::mem::take(&mut levels));
                    }
                }
                b"num" => {
                    if let Some((id, a, o)) = num.take() {
                        n.nums.insert(id, (a, o));
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
    n
}

/// A number in a Word list format.
fn format_number(n: u32, format: &str) -> String {
    match format {
        "chineseCounting"
        | "chineseCountingThousand"
        | "taiwaneseCounting"
        | "taiwaneseCountingThousand"
        | "japaneseCounting" => chinese_number(n, false),
        "chineseLegalSimplified" => chinese_number(n, true),
        "ideographTraditional" => nth("甲乙丙丁戊己庚辛壬癸", n),
        "ideographZodiac" => nth("子丑寅卯辰巳午未申酉戌亥", n),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => {
            char::from_u32(0x2460 + n - 1)
                .map(String::from)
                .unwrap_or_default()
        }
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .map(|c| char::from_u32(c as u32 + 0xFEE0).unwrap_or(c))
            .collect(),
        "decimalZero" if n < 10 => format!("0{n}"),
        "lowerLetter" => letters(n).to_lowercase(),
        "upperLetter" => letters(n),
        "lowerRoman" => roman(n).to_lowercase(),
        "upperRoman" => roman(n),
        "none" | "bullet" => String::new(),
        _ => n.to_string(),
    }
}

fn nth(chars: &str, n: u32) -> String {
    let v: Vec<char> = chars.chars().collect();
    v.get((n as usize).wrapping_sub(1))
        .map(|c| c.to_string())
        .unwrap_or_else(|| n.to_string())
}

/// 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (legal: 壹贰叁…).
pub fn chinese_number(n: u32, legal: bool) -> String {
    let digits: Vec<char> = if legal {
        "零壹贰叁肆伍陆柒捌玖"
    } else {
        "零一二三四五六七八九"
    }
    .chars()
    .collect();
    let units: Vec<char> = if legal { "拾佰仟" } else { "十百千" }.chars().collect();
    if n == 0 || n >= 10_000 {
        return n.to_string();
    }
    let parts = [n / 1000, n / 100 % 10, n / 10 % 10, n % 10];
    let mut out = String::new();
    let mut zero = false;
    for (i, &d) in parts.iter().enumerate() {
        let unit = match i {
            0 => Some(units[2]),
            1 => Some(units[1]),
            2 => Some(units[0]),
            _ => None,
        };
        if d == 0 {
            zero = !out.is_empty();
            continue;
        }
        if zero {
            out.push(digits[0]);
            zero = false;
        }
        // 十二, not 一十二, when ten is the highest place.
        if !(i == 2 && d == 1 && out.is_empty()) {
            out.push(digits[d as usize]);
        }
        if let Some(u) = unit {
            out.push(u);
        }
    }
    out
}

fn letters(mut n: u32) -> String {
    let mut s = Vec::new();
    while n > 0 {
        n -= 1;
        s.push((b'A' + (n % 26) as u8) as char);
        n /= 26;
    }
    s.iter().rev().collect()
}

fn roman(mut n: u32) -> String {
    const T: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    if n == 0 || n > 4000 {
        return n.to_string();
    }
    let mut s = String::new();
    for (v, r) in T {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

/// A paragraph being read.
#[derive(Debug, Default)]
struct Para {
    style: Option<String>,
    outline: Option<u8>,
    num_id: Option<String>,
    ilvl: usize,
    text: String,
}

/// A table being read: finished rows, the row and cell being read.
#[derive(Debug, Default)]
struct Table {
    rows: Vec<Vec<String>>,
    row: Option<Vec<String>>,
    cell: Option<String>,
}

#[derive(Default)]
struct Builder {
    styles: HashMap<String, Style>,
    numbering: Numbering,
    /// Counters per list (numId), one per level.
    counters: HashMap<String, [u32; 9]>,
    paras: Vec<Para>,
    tables: Vec<Table>,
    /// Inside a `w:t` text element (text elsewhere is layout whitespace).
    in_t: bool,
    out: String,
}

/// Elements whose whole content is not document text.
const SKIPPED: &[&str] = &[
    "del",
    "moveFrom",
    "instrText",
    "delText",
    "Fallback",
    "footnoteReference",
    "endnoteReference",
    "commentReference",
    "pPr",
    "rPr",
    "sectPr",
    "tblPr",
    "trPr",
    "tcPr",
    "tblGrid",
];

impl Builder {
    fn document(&mut self, xml: &str) -> Result<(), String> {
        let mut reader = Reader::from_str(xml);
        // Depth of the skipped element being passed over (pPr is read for its
        // style and numbering, then its content is passed over).
        let mut skip: usize = 0;
        loop {
            let ev = reader.read_event().map_err(|e| {
                format!(
                    "damaged .docx: document.xml is not well-formed XML near byte {}: {e}",
                    reader.buffer_position()
                )
            })?;
            match ev {
                Event::Eof => break,
                Event::Start(e) => {
                    let name = local(&e);
                    if skip > 0 {
                        skip += 1;
                        self.property(&name, &e);
                        continue;
                    }
                    if SKIPPED.contains(&name.as_str()) {
                        skip = 1;
                        continue;
                    }
                    self.open(&name, &e);
                }
                Event::Empty(e) => {
                    let name = local(&e);
                    if skip > 0 {
                        self.property(&name, &e);
                    } else if !SKIPPED.contains(&name.as_str()) {
                        self.open(&name, &e);
                        self.close(&name);
                    }
                }
                Event::End(e) => {
                    if skip > 0 {
                        skip -= 1;
                        continue;
                    }
                    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                    self.close(&name);
                }
                Event::Text(t) if skip == 0 && self.in_t => {
                    if let Some(p) = self.paras.last_mut() {
                        p.text.push_str(&t.xml10_content().unwrap_or_default());
                    }
                }
                Event::GeneralRef(r) if skip == 0 && self.in_t => {
                    if let Some(p) = self.paras.last_mut() {
                        let c = match r.resolve_char_ref() {
                            Ok(Some(c)) => Some(c),
                            _ => match r.xml10_content().unwrap_or_default().as_ref() {
                                "amp" => Some('&'),
                                "lt" => Some('<'),
                                "gt" => Some('>'),
                                "quot" => Some('"'),
                                "apos" => Some('\''),
                                _ => None,
                            },
                        };
                        p.text.extend(c);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Paragraph properties met inside a skipped `pPr`: style, numbering, outline level.
    fn property(&mut self, name: &str, e: &BytesStart) {
        let Some(p) = self.paras.last_mut() else {
            return;
        };
        match name {
            "pStyle" => p.style = attr(e, "val"),
            "numId" => p.num_id = attr(e, "val"),
            "ilvl" => p.ilvl = attr(e, "val").and_then(|v| v.parse().ok()).unwrap_or(0),
            "outlineLvl" => p.outline = attr(e, "val").and_then(|v| v.parse().ok()),
            _ => {}
        }
    }

    fn open(&mut self, name: &str, _e: &BytesStart) {
        match name {
            "p" => self.paras.push(Para::default()),
            "t" => self.in_t = true,
            "tab" | "ptab" => self.push_text("\t"),
            "br" | "cr" => self.push_text("\n"),
            "noBreakHyphen" => self.push_text("-"),
            "tbl" => self.tables.push(Table::default()),
            "tr" => {
                if let Some(t) = self.tables.last_mut() {
                    t.row = Some(Vec::new());
                }
            }
            "tc" => {
                if let Some(t) = self.tables.last_mut() {
                    t.cell = Some(String::new());
                }
            }
            _ => {}
        }
    }

    fn close(&mut self, name: &str) {
        match name {
            "t" => self.in_t = false,
            "p" => {
                if let Some(p) = self.paras.pop() {
                    self.finish_paragraph(p);
                }
            }
            "tc" => {
                if let Some(t) = self.tables.last_mut() {
                    let cell = t.cell.take().unwrap_or_default();
                    t.row.get_or_insert_with(Vec::new).push(cell);
                }
            }
            "tr" => {
                if let Some(t) = self.tables.last_mut() {
                    if let Some(row) = t.row.take() {
                        t.rows.push(row);
                    }
                }
            }
            "tbl" => {
                if let Some(t) = self.tables.pop() {
                    if self.tables.is_empty() {
                        self.emit_table(t);
                    } else {
                        // A table in a table cell: its text joins the cell.
                        let text = t
                            .rows
                            .iter()
                            .flatten()
                            .filter(|c| !c.is_empty())
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(" ");
                        self.push_cell(&text);
                    }
                }
            }
            _ => {}
        }
    }

    fn push_text(&mut self, s: &str) {
        if let Some(p) = self.paras.last_mut() {
            p.text.push_str(s);
        }
    }

    fn push_cell(&mut self, text: &str) {
        if let Some(cell) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
            if !text.is_empty() {
                if !cell.is_empty() {
                    cell.push(' ');
                }
                cell.push_str(text);
            }
        }
    }

    /// Heading level of a paragraph from its own outline level or its style chain.
    fn heading_level(&self, p: &Para) -> Option<u8> {
        if let Some(o) = p.outline {
            return (o < 9).then_some(o.min(5) + 1);
        }
        let mut id = p.style.clone()?;
        for _ in 0..16 {
            let Some(style) = self.styles.get(&id) else {
                return heading_name(&id);
            };
            if let Some(l) = heading_name(&style.name) {
                return Some(l);
            }
            if let Some(o) = style.outline {
                return (o < 9).then_some(o.min(5) + 1);
            }
            id = style.based_on.clone()?;
        }
        None
    }

    /// The list (numId, level) of a paragraph, from itself or its style chain.
    fn list_of(&self, p: &Para) -> Option<(String, usize)> {
        if let Some(n) = &p.num_id {
            return (n != "0").then(|| (n.clone(), p.ilvl));
        }
        let mut id = p.style.clone()?;
        for _ in 0..16 {
            let style = self.styles.get(&id)?;
            if let Some((n, l)) = &style.num {
                return (n != "0").then(|| (n.clone(), *l));
            }
            id = style.based_on.clone()?;
        }
        None
    }

    /// The number Word draws before a list paragraph, advancing its counter.
    fn number_text(&mut self, num_id: &str, ilvl: usize) -> String {
        let Some((abstract_id, overrides)) = self.numbering.nums.get(num_id) else {
            return String::new();
        };
        let Some(levels) = self.numbering.abstracts.get(abstract_id) else {
            return String::new();
        };
        let ilvl = ilvl.min(8);
        let Some(level) = levels.get(ilvl) else {
            return String::new();
        };
        if level.format == "bullet" || level.format == "none" {
            return String::new();
        }
        let start = |i: usize| {
            overrides
                .get(&i)
                .copied()
                .or_else(|| levels.get(i).map(|l| l.start))
                .unwrap_or(1)
        };
        let counters = self.counters.entry(num_id.to_string()).or_insert([0; 9]);
        counters[ilvl] = if counters[ilvl] == 0 {
            start(ilvl)
        } else {
            counters[ilvl] + 1
        };
        for c in counters.iter_mut().skip(ilvl + 1) {
            *c = 0;
        }
        let mut text = String::new();
        let mut chars = level.text.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, chars.peek().and_then(|d| d.to_digit(10))) {
                ('%', Some(d)) if (1..=9).contains(&d) => {
                    chars.next();
                    let i = d as usize - 1;
                    let n = if counters[i] == 0 {
                        start(i)
                    } else {
                        counters[i]
                    };
                    let format = levels.get(i).map_or("decimal", |l| l.format.as_str());
                    text.push_str(&format_number(n, format));
                }
                _ => text.push(c),
            }
        }
        text
    }

    fn finish_paragraph(&mut self, p: Para) {
        let level = self.heading_level(&p);
        let number = match self.list_of(&p) {
            Some((n, l)) => self.number_text(&n, l),
            None => String::new(),
        };
        let body = p.text.trim_matches(|c: char| c.is_whitespace());
        if body.is_empty() {
            return;
        }
        let text = format!("{number}{body}");
        if !self.tables.is_empty() {
            self.push_cell(&text.replace(['\n', '\t'], " "));
            return;
        }
        match level {
            Some(l) => {
                self.out.push_str(&"#".repeat(l as usize));
                self.out.push(' ');
                self.out
                    .push_str(&escape_markdown(&text.replace('\n', " ")));
            }
            None => self.out.push_str(&escape_markdown(&text)),
        }
        self.out.push_str("\n\n");
    }

    fn emit_table(&mut self, t: Table) {
        let rows: Vec<Vec<String>> = t
            .rows
            .into_iter()
            .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
            .collect();
        let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
        if cols == 0 {
            return;
        }
        let line = |row: &[String]| {
            let mut s = String::from("|");
            for i in 0..cols {
                let cell = row.get(i).map(|c| c.trim()).unwrap_or("");
                s.push(' ');
                s.push_str(&escape_markdown(&cell.replace('\n', " ")));
                s.push_str(" |");
            }
            s.push('\n');
            s
        };
        self.out.push_str(&line(&rows[0]));
        self.out.push('|');
        self.out.push_str(&"---|".repeat(cols));
        self.out.push('\n');
        for r in &rows[1..] {
            self.out.push_str(&line(r));
        }
        self.out.push('\n');
    }
}

/// Heading level from a style name: `heading 2`, `Heading2`, `标题 2`, `Title`.
fn heading_name(name: &str) -> Option<u8> {
    let lower = name.trim().to_lowercase();
    if lower == "title" || lower == "标题" {
        return Some(1);
    }
    let rest = lower
        .strip_prefix("heading")
        .or_else(|| lower.strip_prefix("标题"))?;
    let n: u8 = rest.trim().parse().ok()?;
    (1..=9).contains(&n).then_some(n.min(6))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numbers() {
        let got: Vec<String> = [1, 2, 10, 11, 12, 20, 21, 99, 100, 105, 110]
            .iter()
            .map(|&n| chinese_number(n, false))
            .collect();
        assert_eq!(
            got,
            [
                "一",
                "二",
                "十",
                "十一",
                "十二",
                "二十",
                "二十一",
                "九十九",
                "一百",
                "一百零五",
                "一百一十"
            ]
        );
    }

    #[test]
    fn heading_names() {
        assert_eq!(heading_name("heading 1"), Some(1));
        assert_eq!(heading_name("Heading3"), Some(3));
        assert_eq!(heading_name("标题 2"), Some(2));
        assert_eq!(heading_name("Title"), Some(1));
        assert_eq!(heading_name("Normal"), None);
    }

    #[test]
    fn paragraphs_headings_numbering_and_tables() {
        let styles = r#"<w:styles xmlns:w="w"><w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/></w:style>
            <w:style w:type="paragraph" w:styleId="List"><w:name w:val="列表"/><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style></w:styles>"#;
        let numbering = r#"<w:numbering xmlns:w="w"><w:abstractNum w:abstractNumId="0">
            <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
            <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
            </w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>"#;
        let doc = r#"<w:document xmlns:w="w"><w:body>
            <w:p><w:pPr><w:pStyle w:val="1"/></w:pPr><w:r><w:t>关于印发</w:t></w:r><w:r><w:t xml:space="preserve">方案的通知</w:t></w:r></w:p>
            <w:p><w:pPr><w:pStyle w:val="List"/></w:pPr><w:r><w:t>总体要求</w:t></w:r></w:p>
            <w:p><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>保持稳定</w:t></w:r></w:p>
            <w:p><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>健全机制</w:t></w:r></w:p>
            <w:p><w:pPr><w:pStyle w:val="List"/></w:pPr><w:r><w:t>重点任务</w:t></w:r></w:p>
            <w:p><w:r><w:t>1. 设立过渡期 *不是强调* </w:t></w:r><w:del><w:r><w:delText>删掉的</w:delText></w:r></w:del><w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:t>A&amp;B</w:t></w:r></w:p>
            <w:tbl><w:tr><w:tc><w:p><w:r><w:t>单位</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>人数</w:t></w:r></w:p></w:tc></w:tr>
            <w:tr><w:tc><w:p><w:r><w:t>区人社局</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>12</w:t></w:r></w:p><w:p><w:r><w:t>名</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
            </w:body></w:document>"#;
        let mut b = Builder {
            styles: parse_styles(styles),
            numbering: parse_numbering(numbering),
            ..Builder::default()
        };
        b.document(doc).unwrap();
        let expected = "# 关于印发方案的通知\n\n一、总体要求\n\n（一）保持稳定\n\n（二）健全机制\n\n二、重点任务\n\n1\\. 设立过渡期 \\*不是强调\\* A\\&B\n\n| 单位 | 人数 |\n|---|---|\n| 区人社局 | 12 名 |\n\n";
        assert_eq!(b.out, expected);
    }
}
