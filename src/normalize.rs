//! Stage 2, normalise: turn decoded text into clean blocks (headings and
//! paragraphs), repairing what PDF/Word extraction broke — page markers,
//! hard-wrapped lines, words split across lines, stray spaces — and reading
//! Markdown structure through pulldown-cmark.

use std::borrow::Cow;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::read::{SourceFile, SourceFormat};

/// What a block is, as far as layout tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// A Markdown heading with its `#` level.
    Heading(u8),
    /// A paragraph (or a table row, cells separated by tabs).
    Paragraph,
    /// A thematic break (`---`), which bulletins use around 报尾.
    Rule,
}

/// One clean block of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Layout kind.
    pub kind: BlockKind,
    /// Clean text: one line, no Markdown syntax, no extraction artefacts.
    pub text: String,
    /// The whole block was bold (`**…**`), as Markdown column names and lead sentences are.
    pub strong: bool,
}

/// Normalise a decoded file into clean blocks.
pub fn to_blocks(src: &SourceFile) -> Vec<Block> {
    let text = unglue_headings(&src.text);
    let raw = match src.format {
        SourceFormat::Text => text_blocks(&text),
        SourceFormat::Markdown => markdown_blocks(&text),
    };
    join_broken_paragraphs(raw)
}

/// The level of the Markdown heading mark opening `line` (`## 标题` → 2).
pub fn atx_level(line: &str) -> Option<usize> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    ((1..=6).contains(&hashes) && line[hashes..].starts_with(' ')).then_some(hashes)
}

/// A Markdown heading mark glued to the end of a sentence, where a line
/// break was lost (`…介绍了经验做法。## 打造“红色物业”`), starts a line of its
/// own, so the heading is one.
fn unglue_headings(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut copied = 0;
    for (i, _) in text.match_indices("# ") {
        // The run of marks this `#` ends, and what comes before it.
        let start = text[..i].trim_end_matches('#').len();
        let glued = text[..start]
            .chars()
            .next_back()
            .is_some_and(|c| matches!(c, '。' | '！' | '？' | '；' | '）' | '”' | ')'));
        if glued && atx_level(&text[start..]).is_some() {
            out.push_str(&text[copied..start]);
            out.push('\n');
            copied = start;
        }
    }
    if copied == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// Whether `c` is a CJK ideograph or CJK punctuation/full-width form.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF | 0x20000..=0x2FA1F)
        || matches!(c, '“' | '”' | '‘' | '’' | '—' | '…' | '·')
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// Fold a char for matching: full-width ASCII forms and the ideographic space
/// become their ASCII counterparts; everything else is unchanged. The fold keeps
/// one char for one char, so char offsets stay valid.
pub fn fold_char(c: char) -> char {
    match c {
        '\u{3000}' => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '〔' | '【' => '[',
        '〕' | '】' => ']',
        _ => c,
    }
}

/// [`fold_char`] over a string, lowercasing ASCII letters too.
pub fn fold(s: &str) -> String {
    s.chars()
        .map(|c| fold_char(c).to_ascii_lowercase())
        .collect()
}

/// Display width used to recognise hard-wrapped lines: CJK counts two columns.
fn display_width(s: &str) -> usize {
    s.chars().map(|c| if is_cjk(c) { 2 } else { 1 }).sum()
}

/// Whether `s` is narrower than `width` columns ([`display_width`]),
/// reading no further than needed.
fn narrower_than(s: &str, width: usize) -> bool {
    let mut w = 0;
    for c in s.chars() {
        w += if is_cjk(c) { 2 } else { 1 };
        if w >= width {
            return false;
        }
    }
    true
}

/// A page marker line such as `- 1 -`, `— 12 —` or `第 3 页`.
fn is_page_marker(line: &str) -> bool {
    let t: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    let inner = t
        .strip_prefix(['-', '—', '－'])
        .and_then(|r| r.strip_suffix(['-', '—', '－']))
        .or_else(|| t.strip_prefix('第').and_then(|r| r.strip_suffix('页')));
    matches!(inner, Some(d) if !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
}

/// The column width a hard-wrapped text breaks at, if it is hard-wrapped.
fn wrap_width(lines: &[&str]) -> Option<usize> {
    let mut widths: Vec<usize> = lines
        .iter()
        .map(|l| display_width(l.trim()))
        .filter(|&w| w >= 20)
        .collect();
    if widths.len() < 10 {
        return None;
    }
    widths.sort_unstable();
    let p90 = widths[widths.len() * 9 / 10];
    let near = widths
        .iter()
        .filter(|&&w| w + 8 >= p90 && w <= p90 + 4)
        .count();
    (near * 2 >= widths.len() && p90 <= 120).then_some(p90)
}

/// Blocks of a plain-text (PDF/Word extraction) file: one per line, page markers dropped;
/// hard-wrapped lines are rejoined here when the file has a wrap width.
fn text_blocks(text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !is_page_marker(l))
        .collect();
    let width = wrap_width(&lines);
    let mut blocks: Vec<Block> = Vec::new();
    let mut current = String::new();
    for line in lines {
        let next = line.trim();
        // In a hard-wrapped file only a full line continues; elsewhere the
        // sentence decides.
        let joins = !current.is_empty()
            && match width {
                Some(w) => {
                    unbalanced(&current)
                        || is_unit_annotation(next)
                        || display_width(last_line(&current)) + 6 >= w && !opens_heading(next)
                }
                None => should_join(&current, next),
            };
        if !joins && !current.is_empty() {
            blocks.push(paragraph(&current));
            current.clear();
        }
        if !current.is_empty() {
            current.push('\n');
        }
        current.push_str(line.trim());
    }
    if !current.is_empty() {
        blocks.push(paragraph(&current));
    }
    blocks
}

fn last_line(s: &str) -> &str {
    s.rsplit('\n').next().unwrap_or(s)
}

/// A block of a plain-text file. Stray Markdown a converter left behind
/// (`## ` heading marks, `**` bold marks, paired or with their other half
/// lost to a line break) becomes structure, not text.
fn paragraph(raw: &str) -> Block {
    let (kind, body) = match atx_level(raw) {
        Some(level) => (BlockKind::Heading(level as u8), &raw[level..]),
        None => (BlockKind::Paragraph, raw),
    };
    let text = if body.contains("**") {
        Cow::Owned(body.replace("**", ""))
    } else {
        Cow::Borrowed(body)
    };
    Block {
        kind,
        text: clean_inline(&text),
        strong: false,
    }
}

/// Whether a line opens a numbered heading (`一、`, `（一）`, `1.`, `（1）`).
pub fn starts_heading(line: &str) -> bool {
    crate::parse::headings::heading_level(line).is_some()
}

/// Whether a line opens a heading, numbered or marked as Markdown (`## `).
fn opens_heading(line: &str) -> bool {
    starts_heading(line) || atx_level(line).is_some()
}

/// Whether the paragraph `prev` is unfinished and `next` continues it.
fn should_join(prev: &str, next: &str) -> bool {
    if next.is_empty() || opens_heading(next) {
        return false;
    }
    if unbalanced(prev) || is_unit_annotation(next) {
        return true;
    }
    let Some(last) = prev.trim_end().chars().last() else {
        return false;
    };
    let continues = matches!(last, '，' | '、' | ',' | '—' | '“' | '（' | '(' | '《');
    let sentence_like = prev.contains(['。', '！', '？', '；', '，', ',']);
    let mid_word = (is_han(last) || last.is_ascii_alphanumeric())
        && !starts_heading(prev)
        && sentence_like
        && next.chars().next().is_some_and(|c| {
            is_han(c) || c.is_ascii_digit() || matches!(c, '，' | '。' | '、' | '”' | '）')
        });
    continues || mid_word
}

/// A responsibility annotation standing on its own line, which closes the measure before it.
fn is_unit_annotation(line: &str) -> bool {
    let t = line.trim_start_matches(['（', '(', ' ']);
    t.len() < line.len()
        && ["牵头单位", "责任单位", "配合单位", "牵头部门", "责任部门"]
            .iter()
            .any(|k| t.starts_with(k))
}

/// An opening bracket or quote without its closing one.
fn unbalanced(s: &str) -> bool {
    // Opened minus closed parentheses, quotes and title marks, in one pass
    // (this runs for every paragraph break of the corpus).
    let mut open = [0i64; 3];
    for c in s.chars() {
        match c {
            '（' | '(' => open[0] += 1,
            '）' | ')' => open[0] -= 1,
            '“' => open[1] += 1,
            '”' => open[1] -= 1,
            '《' => open[2] += 1,
            '》' => open[2] -= 1,
            _ => {}
        }
    }
    open.iter().any(|&n| n > 0)
}

/// Join paragraphs that extraction split in the middle of a sentence.
fn join_broken_paragraphs(raw: Vec<Block>) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::with_capacity(raw.len());
    for block in raw {
        if let Some(prev) = out.last_mut() {
            if prev.kind == BlockKind::Paragraph
                && block.kind == BlockKind::Paragraph
                && !prev.strong
                && !block.strong
                && should_join(&prev.text, &block.text)
            {
                prev.text = join_clean(&prev.text, &block.text);
                continue;
            }
        }
        if !block.text.is_empty() || block.kind == BlockKind::Rule {
            out.push(block);
        }
    }
    out
}

/// Clean one block: join its lines, drop stray spaces around CJK, keep spaces
/// inside Latin text and between numbers.
pub fn clean_inline(raw: &str) -> String {
    let invisible = |c: char| matches!(c, '\r' | '\u{200B}' | '\u{FEFF}' | '\u{00AD}');
    // Most blocks of Chinese text have nothing to clean inside.
    if !raw
        .chars()
        .any(|c| invisible(c) || (c.is_whitespace() && c != '\t'))
    {
        return raw.trim().to_string();
    }
    let chars: Vec<char> = raw.chars().filter(|&c| !invisible(c)).collect();
    let short_title = narrower_than(raw, 80) && !raw.trim_end().ends_with(['。', '！', '？', '；']);
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() && c != '\t' {
            let had_newline = c == '\n';
            let mut j = i;
            let mut newline = had_newline;
            while j < chars.len() && chars[j].is_whitespace() && chars[j] != '\t' {
                newline |= chars[j] == '\n';
                j += 1;
            }
            let before = out.chars().last();
            let after = chars.get(j).copied();
            if let (Some(b), Some(a)) = (before, after) {
                if keeps_space(b, a, newline, short_title) {
                    out.push(' ');
                }
            }
            i = j;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out.trim().to_string()
}

/// Whether [`clean_inline`] keeps a run of whitespace (as one space)
/// between `before` and `after`: inside Latin text and between numbers, and
/// between two Han chars on one line of a short title (`乡村 振兴`).
fn keeps_space(before: char, after: char, newline: bool, short_title: bool) -> bool {
    let latin = |x: char| {
        x.is_ascii_alphanumeric() || matches!(x, '.' | ',' | ';' | ':' | '!' | '?' | ')' | '%')
    };
    if latin(before) && (after.is_ascii_alphanumeric() || after == '(') {
        true
    } else {
        !newline && short_title && is_han(before) && is_han(after)
    }
}

/// [`clean_inline`] of two clean blocks joined by a line break. Without
/// spaces in either, only the break itself is cleaned (the spaces a block
/// keeps between Han chars depend on the whole block, so with them the
/// joined text is cleaned again): joining a paragraph split into many
/// pieces stays linear.
fn join_clean(prev: &str, next: &str) -> String {
    if prev.contains(' ') || next.contains(' ') {
        return clean_inline(&format!("{prev}\n{next}"));
    }
    let mut out = String::with_capacity(prev.len() + 1 + next.len());
    out.push_str(prev);
    if let (Some(b), Some(a)) = (prev.chars().last(), next.chars().next()) {
        if keeps_space(b, a, true, false) {
            out.push(' ');
        }
    }
    out.push_str(next);
    out
}

/// Blocks of a Markdown file, read through pulldown-cmark.
fn markdown_blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut buf = String::new();
    let mut kind = BlockKind::Paragraph;
    let mut strong_depth = 0usize;
    let mut plain_chars = 0usize;
    // Per open list, whether it is ordered; and the number an ordered item
    // has opened with while nothing else of the item has come yet.
    let mut list_ordered: Vec<bool> = Vec::new();
    let mut item_number = String::new();
    let mut in_cell = false;
    let flush = |blocks: &mut Vec<Block>, buf: &mut String, kind: BlockKind, plain: &mut usize| {
        // CommonMark does not close `**` between CJK punctuation and a letter
        // (`**一是…。**推行`); such runs arrive as literal text.
        let text = if buf.contains("**") {
            clean_inline(&buf.replace("**", ""))
        } else {
            clean_inline(buf)
        };
        let strong = !text.is_empty() && *plain == 0;
        if !text.is_empty() {
            blocks.push(Block { kind, text, strong });
        }
        buf.clear();
        *plain = 0;
    };
    for (event, range) in
        Parser::new_ext(text, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH)
            .into_offset_iter()
    {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                flush(&mut blocks, &mut buf, kind, &mut plain_chars);
                kind = BlockKind::Heading(level as u8);
            }
            Event::Start(Tag::Paragraph)
            | Event::Start(Tag::TableRow)
            | Event::Start(Tag::TableHead) => {
                // A loose list's item holds paragraphs: the first one goes on
                // after the item's number.
                if item_number.is_empty() || buf != item_number {
                    flush(&mut blocks, &mut buf, kind, &mut plain_chars);
                }
                kind = BlockKind::Paragraph;
            }
            Event::Start(Tag::List(start)) => list_ordered.push(start.is_some()),
            Event::End(TagEnd::List(_)) => {
                list_ordered.pop();
            }
            Event::Start(Tag::Item) => {
                flush(&mut blocks, &mut buf, kind, &mut plain_chars);
                kind = BlockKind::Paragraph;
                item_number.clear();
                if list_ordered.last() == Some(&true) {
                    // The number as written (CommonMark renumbers from the
                    // first), as a numbered heading's `3. `.
                    let marker = &text[range.start..range.end];
                    let digits = marker.bytes().take_while(u8::is_ascii_digit).count();
                    if digits > 0 {
                        item_number = format!("{}. ", &marker[..digits]);
                        buf.push_str(&item_number);
                    }
                }
            }
            Event::Start(Tag::TableCell) => {
                if in_cell || !buf.is_empty() {
                    buf.push('\t');
                }
                in_cell = true;
            }
            Event::End(TagEnd::TableRow) | Event::End(TagEnd::TableHead) => {
                in_cell = false;
                flush(&mut blocks, &mut buf, kind, &mut plain_chars);
            }
            Event::Start(Tag::Strong) => strong_depth += 1,
            Event::End(TagEnd::Strong) => strong_depth = strong_depth.saturating_sub(1),
            Event::End(TagEnd::Heading(_))
            | Event::End(TagEnd::Paragraph)
            | Event::End(TagEnd::Item) => {
                flush(&mut blocks, &mut buf, kind, &mut plain_chars);
                kind = BlockKind::Paragraph;
            }
            Event::Text(t) | Event::Code(t) => {
                if strong_depth == 0 {
                    plain_chars += t.chars().filter(|c| !c.is_whitespace()).count();
                }
                buf.push_str(&t);
            }
            Event::SoftBreak => buf.push('\n'),
            Event::HardBreak => buf.push(' '),
            Event::Rule => {
                flush(&mut blocks, &mut buf, kind, &mut plain_chars);
                blocks.push(Block {
                    kind: BlockKind::Rule,
                    text: String::new(),
                    strong: false,
                });
            }
            _ => {}
        }
    }
    flush(&mut blocks, &mut buf, kind, &mut plain_chars);
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str, format: SourceFormat) -> SourceFile {
        SourceFile {
            rel_path: "t".into(),
            format,
            text: text.into(),
            encoding: "UTF-8",
            bytes: text.len() as u64,
        }
    }

    #[test]
    fn stray_markdown_in_plain_text() {
        let b = paragraph("1.**强化产业扶贫。**加大投入");
        assert_eq!(b.text, "1.强化产业扶贫。加大投入");
        let unpaired = paragraph("7. **加大扶智扶志力度。");
        assert_eq!(unpaired.text, "7.加大扶智扶志力度。");
        let h = paragraph("## 一、总体思路");
        assert_eq!(
            (h.kind, h.text.as_str()),
            (BlockKind::Heading(2), "一、总体思路")
        );
    }

    #[test]
    fn a_heading_mark_glued_to_a_sentence_starts_a_heading() {
        assert_eq!(
            unglue_headings("江镇李娟介绍了本村经验做法。## 打造“红色物业”\n正文。"),
            "江镇李娟介绍了本村经验做法。\n## 打造“红色物业”\n正文。"
        );
        // Not glued after a sentence, or not a heading mark: left alone.
        for text in [
            "## 标题\n",
            "编号#1 项目",
            "第3期## 要点",
            "C# 语言",
            "做法。#标题",
        ] {
            assert!(matches!(unglue_headings(text), Cow::Borrowed(_)), "{text}");
        }
        for format in [SourceFormat::Text, SourceFormat::Markdown] {
            let text =
                "二、工作成效\n\n郑兰带头发展产业。## 党建联建聚合力\n\n党建联建聚合了各方力量。\n";
            let blocks = to_blocks(&src(text, format));
            let kinds: Vec<(BlockKind, &str)> =
                blocks.iter().map(|b| (b.kind, b.text.as_str())).collect();
            assert_eq!(
                kinds,
                [
                    (BlockKind::Paragraph, "二、工作成效"),
                    (BlockKind::Paragraph, "郑兰带头发展产业。"),
                    (BlockKind::Heading(2), "党建联建聚合力"),
                    (BlockKind::Paragraph, "党建联建聚合了各方力量。"),
                ],
                "{format:?}"
            );
        }
    }

    #[test]
    fn page_markers() {
        assert!(is_page_marker("- 1 -"));
        assert!(is_page_marker(" — 12 — "));
        assert!(is_page_marker("第 3 页"));
        assert!(!is_page_marker("一、总体思路"));
        assert!(!is_page_marker("- 要点 -"));
    }

    #[test]
    fn cleans_spaces_around_cjk_and_keeps_latin_spaces() {
        assert_eq!(clean_inline("参加 2024 年城乡居民"), "参加2024年城乡居民");
        assert_eq!(clean_inline("制作 3.2 万份"), "制作3.2万份");
        assert_eq!(
            clean_inline("琼中县 :以数字乡村 APP 上"),
            "琼中县:以数字乡村APP上"
        );
        assert_eq!(clean_inline("with WORD format"), "with WORD format");
        assert_eq!(
            clean_inline("基本医疗保险参\n保工作"),
            "基本医疗保险参保工作"
        );
    }

    #[test]
    fn rejoins_hard_wrapped_pdf_lines() {
        let mut text = String::from("\n- 1 -\n\n标题\n\n");
        for _ in 0..12 {
            text.push_str("海口市在开展学思想强党性重实践建新功推进乡村振\n\n");
        }
        text.push_str("兴取得新成效。\n\n一、合力推进基本医疗参保\n\n一是提前谋划早部署。2024 年度城乡居民基本医疗保险参\n 保工作刚启动。\n");
        let blocks = to_blocks(&src(&text, SourceFormat::Text));
        let texts: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts[0], "标题");
        assert!(
            texts[1].ends_with("推进乡村振兴取得新成效。"),
            "{}",
            texts[1]
        );
        assert_eq!(texts[2], "一、合力推进基本医疗参保");
        assert_eq!(
            texts[3],
            "一是提前谋划早部署。2024年度城乡居民基本医疗保险参保工作刚启动。"
        );
        assert!(texts.iter().all(|t| !t.contains("- 1 -")));
    }

    #[test]
    fn joins_annotation_split_across_lines() {
        let text = "1. 设立过渡期。原有政策不退。（责任单位：区委农办、区乡村振兴局、区委实施乡村振兴\n\n战略领导小组各专项工作组，各镇）\n\n2. 严格落实要求。\n";
        let blocks = to_blocks(&src(text, SourceFormat::Text));
        assert_eq!(blocks.len(), 2);
        assert!(blocks[0]
            .text
            .ends_with("区委实施乡村振兴战略领导小组各专项工作组，各镇）"));
    }

    #[test]
    fn markdown_structure_without_syntax() {
        let md = "# 海南乡村振兴简报\n\n## 琼中县 :以“五个强化”打造数字乡村\n\n**一是开发模块。**推行返贫监测\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n---\n\n**报：**省委领导小组\n";
        let blocks = to_blocks(&src(md, SourceFormat::Markdown));
        assert_eq!(blocks[0].kind, BlockKind::Heading(1));
        assert_eq!(blocks[1].text, "琼中县:以“五个强化”打造数字乡村");
        assert_eq!(blocks[2].text, "一是开发模块。推行返贫监测");
        assert_eq!(blocks[3].text, "a\tb");
        assert_eq!(blocks[4].text, "1\t2");
        assert_eq!(blocks[5].kind, BlockKind::Rule);
        assert_eq!(blocks[6].text, "报：省委领导小组");
        assert!(blocks
            .iter()
            .all(|b| !b.text.contains("**") && !b.text.contains('#')));
    }

    #[test]
    fn markdown_list_items_keep_their_numbers_as_written() {
        // A loose list (items apart) wraps each item in a paragraph.
        let md =
            "# 方案\n\n1. 讲好脱贫故事。大力推广先进典型。\n\n3. 继续开展专项治理。\n\n- 一项\n";
        let texts: Vec<String> = to_blocks(&src(md, SourceFormat::Markdown))
            .into_iter()
            .map(|b| b.text)
            .collect();
        assert_eq!(
            texts,
            [
                "方案",
                "1.讲好脱贫故事。大力推广先进典型。",
                "3.继续开展专项治理。",
                "一项"
            ]
        );
        let tight = to_blocks(&src("10. 加大投入\n11. 强化监管\n", SourceFormat::Markdown));
        assert_eq!(tight[0].text, "10.加大投入");
        assert_eq!(tight[1].text, "11.强化监管");
    }

    #[test]
    fn fold_is_char_for_char() {
        assert_eq!(fold("（牵头单位：区委）１２ＡＢ"), "(牵头单位:区委)12ab");
        assert_eq!(fold("〔2021〕").chars().count(), 6);
    }

    #[test]
    fn joining_clean_blocks_is_cleaning_them_joined() {
        for (a, b) in [
            ("推进乡村治理", "积分制。"),
            ("Wi-Fi", "network"),
            ("投入500", "万元"),
            ("乡村 振兴", "工作"),
            ("第3期", "(1)"),
        ] {
            let (a, b) = (clean_inline(a), clean_inline(b));
            assert_eq!(join_clean(&a, &b), clean_inline(&format!("{a}\n{b}")));
        }
    }

    proptest::proptest! {
        #[test]
        fn join_clean_equals_clean_inline(
            a in "[a-zA-Z0-9 .,()%\t\u{3000}\u{4e00}-\u{4e20}。，]{0,30}",
            b in "[a-zA-Z0-9 .,()%\t\u{3000}\u{4e00}-\u{4e20}。，]{0,30}",
        ) {
            let (a, b) = (clean_inline(&a), clean_inline(&b));
            proptest::prop_assume!(!a.is_empty() && !b.is_empty());
            proptest::prop_assert_eq!(join_clean(&a, &b), clean_inline(&format!("{a}\n{b}")));
        }
    }
}
