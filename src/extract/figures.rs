//! Figures: qualified quantities such as `近 5万人`, `500 万元`, `90%以上` or
//! `300-500户`, found in clean paragraph text.
//!
//! The extractor is rule based and deliberately conservative: a number is only
//! reported when it carries a unit (`户`, `人`, `%`, `万元`, `平方米`, ...) or a
//! large magnitude (`万`, `亿`). Dates, years, document numbers (`〔2021〕7号`),
//! ordinals (`第三期`), list numbers (`1.`, `（1）`), phone numbers, e-mail
//! addresses, quoted slogans (`“十四五”`, `“1+3+N”`) and bare Chinese numerals in
//! fixed phrases (`两不愁三保障`, `四个意识`) are not reported.
//!
//! All offsets are in `char`s, not bytes.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Serialize;

/// One quantity found in a text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figure {
    /// Exact source text of the figure, including qualifiers and unit, e.g. `近 5万人`.
    pub text: String,
    /// Char offset (not byte) of `text` in the input.
    pub start: usize,
    /// Char offset one past the end of `text` (exclusive).
    pub end: usize,
    /// Normalised number: `3.2 万份` → 32000, `500 万元` → 5000000, `百分之九十` → 90.
    /// For a range this is the lower bound.
    pub value: f64,
    /// Upper bound of a range (`300-500户`, `10至15户`), `None` for a single number.
    pub value_max: Option<f64>,
    /// Normalised unit: `人` (for 名/人/位), `元` (万元/亿元 are folded into
    /// `value`), `%`, `户`, `个`, `平方米`, ...; empty if there is none.
    pub unit: String,
    /// Qualifier as written (`近`, `超过`, `约`, `余`, `多`, `以上`, `累计`, ...).
    /// When there is one before and one after the number both are kept,
    /// joined by `…`, e.g. `达到…以上`.
    pub qualifier: Option<String>,
    /// True when a qualifier makes the value inexact or a bound
    /// (近/约/余/多/左右/超/以上/不少于 ...), false for exact ones (达/累计/共计 ...).
    pub approximate: bool,
    /// Best-effort noun phrase naming what is counted: the phrase after the
    /// unit (`12624 名村民` → `村民`) or, for ratios and money, the noun
    /// before the figure (`报销比例达90%` → `报销比例`).
    pub subject: Option<String>,
}

/// Qualifiers that may precede a number, longest first.
const QUALIFIERS_BEFORE: &[&str] = &[
    "不少于",
    "不低于",
    "不超过",
    "超过",
    "达到",
    "累计",
    "共计",
    "合计",
    "总计",
    "将近",
    "接近",
    "大约",
    "多达",
    "高达",
    "至少",
    "不足",
    "全部",
    "约",
    "近",
    "超",
    "逾",
    "达",
    "共",
    "仅",
];

/// Qualifiers that may follow the unit, with their normalised form.
const QUALIFIERS_AFTER: &[(&str, &str)] = &[
    ("及以上", "以上"),
    ("及以下", "以下"),
    ("以上", "以上"),
    ("以下", "以下"),
    ("左右", "左右"),
    ("以内", "以内"),
];

/// Qualifiers that make a figure approximate or a bound.
const APPROXIMATE: &[&str] = &[
    "近",
    "将近",
    "接近",
    "约",
    "大约",
    "超",
    "超过",
    "逾",
    "不少于",
    "不低于",
    "不超过",
    "不足",
    "至少",
    "余",
    "多",
    "以上",
    "以下",
    "左右",
    "以内",
];

/// Units as written and their normalised form. Matching takes the longest.
const UNITS: &[(&str, &str)] = &[
    ("平方公里", "平方公里"),
    ("平方米", "平方米"),
    ("平米", "平方米"),
    ("立方米", "立方米"),
    ("千伏安", "千伏安"),
    ("千瓦时", "千瓦时"),
    ("千瓦", "千瓦"),
    ("千米", "千米"),
    ("千克", "千克"),
    ("个百分点", "个百分点"),
    ("个月", "个月"),
    ("人次", "人次"),
    ("户次", "户次"),
    ("场次", "场次"),
    ("件次", "件次"),
    ("批次", "批次"),
    ("架次", "架次"),
    ("艘次", "艘次"),
    ("小时", "小时"),
    ("分钟", "分钟"),
    ("公里", "公里"),
    ("公顷", "公顷"),
    ("公斤", "公斤"),
    ("大类", "大类"),
    ("大项", "大项"),
    ("小项", "小项"),
    ("%", "%"),
    ("％", "%"),
    ("元", "元"),
    ("人", "人"),
    ("名", "人"),
    ("位", "人"),
    ("户", "户"),
    ("个", "个"),
    ("份", "份"),
    ("亩", "亩"),
    ("米", "米"),
    ("吨", "吨"),
    ("斤", "斤"),
    ("项", "项"),
    ("次", "次"),
    ("家", "家"),
    ("村", "村"),
    ("条", "条"),
    ("本", "本"),
    ("册", "册"),
    ("场", "场"),
    ("期", "期"),
    ("件", "件"),
    ("种", "种"),
    ("所", "所"),
    ("座", "座"),
    ("间", "间"),
    ("套", "套"),
    ("台", "台"),
    ("辆", "辆"),
    ("支", "支"),
    ("批", "批"),
    ("类", "类"),
    ("处", "处"),
    ("张", "张"),
    ("篇", "篇"),
    ("栋", "栋"),
    ("块", "块"),
    ("株", "株"),
    ("棵", "棵"),
    ("头", "头"),
    ("只", "只"),
    ("羽", "羽"),
    ("艘", "艘"),
    ("架", "架"),
    ("笔", "笔"),
    ("宗", "宗"),
    ("起", "起"),
    ("枚", "枚"),
    ("例", "例"),
    ("组", "组"),
    ("分", "分"),
    ("天", "天"),
    ("岁", "岁"),
    ("倍", "倍"),
    ("度", "度"),
];

/// Characters that end a subject phrase wherever they occur.
const SUBJECT_STOP: &str = "的和与及或等从在被为于将把由对向是了并已且每其之至可";

/// Verb-like characters that end a subject phrase once it has two characters.
const SUBJECT_VERB_STOP: &str = "进获受完建发带落提前来稳参回投不得达到纳覆通列走共占购继";

/// Two-character words that end a subject phrase.
const SUBJECT_STOP_WORDS: &[&str] = &["用于", "用来", "以上", "以下", "左右", "以内"];

/// Longest subject taken after a unit.
const MAX_SUBJECT_AFTER: usize = 16;

/// Longest subject taken before a figure; longer runs keep only their last
/// whole words ([`tail_words`]).
const MAX_SUBJECT_BEFORE: usize = 8;

/// Most chars of the last whole words kept from an over-long run before a
/// figure (fewer than [`MAX_SUBJECT_BEFORE`]: the words further left of a long
/// run tend to be its owner's name, `…交易中心`).
const SUBJECT_BEFORE_TAIL: usize = 6;

/// Paired marks whose short contents are names, not statements: opening
/// mark, closing mark, longest enclosed span (in chars) considered.
const ENCLOSURES: &[(char, char, usize)] = &[('“', '”', 24), ('「', '」', 24), ('《', '》', 64)];

/// Most whitespace characters allowed between the parts of one figure.
const MAX_GAP: usize = 3;

/// Find every figure in `text`, in order of appearance.
pub fn extract_figures(text: &str) -> Vec<Figure> {
    figures_in(&text.chars().collect::<Vec<char>>())
}

/// [`extract_figures`] of a text given as its chars (offsets are char offsets).
pub fn figures_in(chars: &[char]) -> Vec<Figure> {
    let mut figures = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !starts_number(chars, i) {
            i += 1;
            continue;
        }
        match parse_figure(chars, i) {
            Some((figure, end)) => {
                if let Some(figure) = figure {
                    figures.push(figure);
                }
                i = end.max(i + 1);
            }
            None => i += 1,
        }
    }
    figures
}

/// Parse a Chinese or Arabic numeral string (`12624`, `3.2`, `两万`, `一千二百`,
/// `百分之九十`, `1.3万`, full-width `１２`) into a number; `None` if it is not
/// a number. Surrounding whitespace is ignored.
pub fn parse_number(s: &str) -> Option<f64> {
    let chars: Vec<char> = s.trim().chars().collect();
    if chars.is_empty() {
        return None;
    }
    let (body, percent) = if starts_with_at(&chars, 0, "百分之") {
        (&chars[3..], true)
    } else {
        (&chars[..], false)
    };
    let core = scan_core(body, 0)?;
    let whole = core.end == body.len() && core.inner.is_none();
    (whole && !(percent && core.magnitude > 1.0)).then_some(core.value)
}

/// A number (Arabic with optional magnitude, or Chinese) found at a position.
#[derive(Debug, Clone, Copy)]
struct Core {
    /// Value including any magnitude.
    value: f64,
    /// Char offset one past the number.
    end: usize,
    /// Multiplier applied from 百/千/万/亿 magnitude characters (1 if none).
    magnitude: f64,
    /// Whether the number was written in Chinese numerals.
    chinese: bool,
    /// `余`/`多` written between the digits and the magnitude (`400余万元`).
    inner: Option<&'static str>,
    /// For Chinese numerals: contains both a digit (一..九, 两) and a
    /// magnitude (十百千万亿), the minimum for a Chinese-numeral figure.
    chinese_ok: bool,
}

/// True if a number token can start at `i` (and does not continue one before it).
fn starts_number(chars: &[char], i: usize) -> bool {
    let c = chars[i];
    let prev = i.checked_sub(1).map(|p| chars[p]);
    if arabic_digit(c).is_some() {
        return prev.is_none_or(|p| arabic_digit(p).is_none());
    }
    if starts_with_at(chars, i, "百分之") {
        return true;
    }
    chinese_numeral(c) && prev.is_none_or(|p| !chinese_numeral(p))
}

/// Parse a figure starting at `i`. Returns the figure (or `None` when the
/// number there is rejected) and the offset up to which the number token was
/// consumed, so rejected tokens are skipped whole.
fn parse_figure(chars: &[char], i: usize) -> Option<(Option<Figure>, usize)> {
    let percent_prefix = starts_with_at(chars, i, "百分之");
    let first = scan_core(chars, if percent_prefix { i + 3 } else { i })?;
    let mut end = first.end;
    let mut value = first.value;
    let mut value_max = None;
    let mut last = first;
    let mut inner_qualifier = inner_qualifier_at(chars, &first);
    if let Some((_, e)) = inner_qualifier {
        end = e;
    }

    if !percent_prefix && inner_qualifier.is_none() {
        if let Some((second, range_end_percent)) = scan_range(chars, &first) {
            if first.magnitude == 1.0 && second.magnitude > 1.0 {
                value *= second.magnitude;
            }
            value_max = Some(second.value);
            last = second;
            end = second.end;
            inner_qualifier = inner_qualifier_at(chars, &second);
            if let Some((_, e)) = inner_qualifier {
                end = e;
            }
            if range_end_percent && inner_qualifier.is_none() && !is_unit_at(chars, end, "%") {
                return Some((None, end));
            }
        }
    }
    let consumed = end;

    let mut unit = String::new();
    if percent_prefix {
        unit.push('%');
    } else if let Some((u, e)) = unit_at(chars, skip_gap(chars, end)) {
        unit = u;
        end = e;
    }
    let mut after_qualifier = None;
    let after_start = skip_gap(chars, end);
    if !unit.is_empty() || last.magnitude > 1.0 {
        if let Some(&(written, normal)) = QUALIFIERS_AFTER
            .iter()
            .find(|(w, _)| starts_with_at(chars, after_start, w))
        {
            after_qualifier = Some(normal);
            end = after_start + written.chars().count();
        }
    }

    let (start, before_qualifier) = qualifier_before(chars, i);
    let accepted = (!unit.is_empty() || last.magnitude > 1.0)
        && (percent_prefix || !first.chinese || first.chinese_ok)
        && (percent_prefix || !last.chinese || last.chinese_ok)
        && !preceded_by_ordinal(chars, i)
        && clean_boundaries(chars, i, last.end)
        && !enclosed(chars, start, end)
        && !(unit == "分" && matches!(previous(chars, i), Some('时' | '点' | ':' | '：')));
    if !accepted {
        return Some((None, consumed.max(end)));
    }

    let qualifier = match (
        before_qualifier,
        inner_qualifier.map(|(q, _)| q),
        after_qualifier,
    ) {
        (Some(b), Some(a), _) | (Some(b), None, Some(a)) => Some(format!("{b}…{a}")),
        (Some(q), None, None) | (None, Some(q), _) | (None, None, Some(q)) => Some(q.to_string()),
        (None, None, None) => None,
    };
    let approximate = [
        before_qualifier,
        inner_qualifier.map(|(q, _)| q),
        after_qualifier,
    ]
    .into_iter()
    .flatten()
    .any(|q| APPROXIMATE.contains(&q));
    let subject = match unit.as_str() {
        "%" if chars.get(skip_gap(chars, end)) == Some(&'的') => subject_after(chars, end),
        "%" => subject_before(chars, start),
        "元" => subject_before(chars, start).or_else(|| subject_after(chars, end)),
        "" => subject_after(chars, end).or_else(|| subject_before(chars, start)),
        _ => subject_after(chars, end),
    };
    let figure = Figure {
        text: chars[start..end].iter().collect(),
        start,
        end,
        value,
        value_max,
        unit,
        qualifier,
        approximate,
        subject,
    };
    Some((Some(figure), end))
}

/// Scan a range separator and second number after `first`; returns the second
/// number and whether the first one carried its own `%` (`70%-80%`).
fn scan_range(chars: &[char], first: &Core) -> Option<(Core, bool)> {
    let mut j = first.end;
    let first_percent = matches!(chars.get(j), Some('%' | '％'));
    if first_percent {
        j += 1;
    }
    j = skip_gap(chars, j);
    let sep = *chars.get(j)?;
    if !matches!(sep, '-' | '－' | '~' | '～' | '—' | '至' | '到') {
        return None;
    }
    j = skip_gap(chars, j + 1);
    while chars.get(j) == Some(&'—') {
        j += 1;
    }
    let second = scan_core(chars, j)?;
    (second.chinese == first.chinese && second.value >= first.value)
        .then_some((second, first_percent))
}

/// Scan an Arabic number with optional magnitude (`3.2 万`) or a Chinese
/// numeral run (`三千`) at `i`.
fn scan_core(chars: &[char], i: usize) -> Option<Core> {
    if arabic_digit(*chars.get(i)?).is_some() {
        let (mut value, mut end) = lex_arabic(chars, i)?;
        let mut magnitude = 1.0;
        let mut j = skip_gap(chars, end);
        let mut inner = None;
        if let Some(&q @ ('余' | '多')) = chars.get(j) {
            let magnitude_follows = chars.get(j + 1).and_then(|&c| magnitude_of(c)).is_some();
            if magnitude_follows && unit_at(chars, j + 1).is_none() {
                inner = Some(if q == '余' { "余" } else { "多" });
                j += 1;
            }
        }
        while let Some(m) = chars.get(j).and_then(|&c| magnitude_of(c)) {
            if unit_at(chars, j).is_some() {
                break;
            }
            magnitude *= m;
            j += 1;
            end = j;
        }
        value *= magnitude;
        return Some(Core {
            value,
            end,
            magnitude,
            chinese: false,
            inner,
            chinese_ok: false,
        });
    }
    let mut end = i;
    while end < chars.len() && chinese_numeral(chars[end]) {
        end += 1;
    }
    let run = &chars[i..end];
    let value = parse_chinese(run)?;
    let has_digit = run.iter().any(|&c| chinese_digit(c).is_some_and(|d| d > 0));
    let has_magnitude = run
        .iter()
        .any(|&c| matches!(c, '十' | '百' | '千' | '万' | '亿'));
    let magnitude = if run.contains(&'亿') {
        1e8
    } else if run.contains(&'万') {
        1e4
    } else {
        1.0
    };
    Some(Core {
        value,
        end,
        magnitude,
        chinese: true,
        inner: None,
        chinese_ok: has_digit && has_magnitude,
    })
}

/// Lex Arabic digits with optional `,` thousands groups and decimal part.
fn lex_arabic(chars: &[char], i: usize) -> Option<(f64, usize)> {
    let mut digits = String::new();
    let mut j = i;
    while let Some(d) = chars.get(j).and_then(|&c| arabic_digit(c)) {
        digits.push(d);
        j += 1;
        let thousands = chars.get(j) == Some(&',')
            && (1..=3).all(|k| chars.get(j + k).and_then(|&c| arabic_digit(c)).is_some())
            && chars.get(j + 4).and_then(|&c| arabic_digit(c)).is_none();
        if thousands {
            j += 1;
        }
    }
    if digits.is_empty() {
        return None;
    }
    let decimal_digit = chars.get(j + 1).and_then(|&c| arabic_digit(c));
    if matches!(chars.get(j), Some('.' | '．')) && decimal_digit.is_some() {
        digits.push('.');
        j += 1;
        while let Some(d) = chars.get(j).and_then(|&c| arabic_digit(c)) {
            digits.push(d);
            j += 1;
        }
    }
    digits.parse().ok().map(|v| (v, j))
}

/// Parse a run of Chinese numerals (`一千二百`, `两万`, `十五`, `一万五`).
fn parse_chinese(run: &[char]) -> Option<f64> {
    if run.is_empty() {
        return None;
    }
    let mut total = 0u64; // everything at or above 亿
    let mut wan = 0u64; // the 万 section
    let mut section = 0u64; // below 万
    let mut digit: Option<u64> = None;
    let mut last_unit = u64::MAX; // last 十/百/千 in the section
    let mut last_any_unit = 1u64; // last unit of any kind, for `一万五`
    let mut zero = false;
    for &c in run {
        if let Some(d) = chinese_digit(c) {
            if d == 0 {
                if digit.is_some() {
                    return None;
                }
                zero = true;
                continue;
            }
            if digit.is_some() {
                return None;
            }
            digit = Some(d);
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            '万' => 10_000,
            '亿' => 100_000_000,
            _ => return None,
        };
        let nothing_before = total == 0 && wan == 0 && section == 0;
        if unit < 10_000 {
            if unit >= last_unit {
                return None;
            }
            let d = match digit.take() {
                Some(d) => d,
                None if nothing_before => 1,
                None => return None,
            };
            section += d * unit;
            last_unit = unit;
        } else {
            let part = section + digit.take().unwrap_or(0);
            let part = if part == 0 && nothing_before { 1 } else { part };
            if part == 0 {
                return None;
            }
            if unit == 10_000 {
                if wan != 0 {
                    return None;
                }
                wan = part * unit;
            } else {
                total = (total + wan + part) * unit;
                wan = 0;
            }
            section = 0;
            last_unit = u64::MAX;
        }
        last_any_unit = unit;
        zero = false;
    }
    let tail = match digit {
        // `一万五` = 15000, `三千五` = 3500
        Some(d) if !zero && last_any_unit >= 100 => d * (last_any_unit / 10),
        Some(d) => d,
        None => 0,
    };
    Some((total + wan + section + tail) as f64)
}

/// `余`/`多` inside or directly after a number (`380 余条`, `1.3万余名`,
/// `400余万元`), with the offset after it.
fn inner_qualifier_at(chars: &[char], core: &Core) -> Option<(&'static str, usize)> {
    if let Some(q) = core.inner {
        return Some((q, core.end));
    }
    let j = skip_gap(chars, core.end);
    match chars.get(j) {
        Some('余') => Some(("余", j + 1)),
        Some('多') => Some(("多", j + 1)),
        _ => None,
    }
}

/// The qualifier ending just before the number at `i` (spaces allowed), and
/// the start of the figure text.
fn qualifier_before(chars: &[char], i: usize) -> (usize, Option<&'static str>) {
    let mut j = i;
    while j > 0 && i - j < MAX_GAP && chars[j - 1].is_whitespace() {
        j -= 1;
    }
    QUALIFIERS_BEFORE
        .iter()
        .find(|q| ends_with_at(chars, j, q))
        .map_or((i, None), |q| (j - q.chars().count(), Some(*q)))
}

/// True if the number at `i` is an ordinal (`第三期`, `第 3 次`, `总第15期`).
fn preceded_by_ordinal(chars: &[char], i: usize) -> bool {
    previous(chars, i) == Some('第')
}

/// The nearest non-whitespace character before `i`.
fn previous(chars: &[char], i: usize) -> Option<char> {
    chars[..i]
        .iter()
        .rev()
        .find(|c| !c.is_whitespace())
        .copied()
}

/// Reject numbers glued to ASCII words, e-mail addresses, URLs, formulas
/// (`1+3+N`), dotted codes (`NO.4`) and document numbers (`〔2021〕`).
fn clean_boundaries(chars: &[char], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).map(|p| chars[p]);
    let after = chars.get(end).copied();
    let bad_before =
        before.is_some_and(|c| c.is_ascii_alphanumeric() || ".．@/\\_+&=〔[".contains(c));
    let bad_after = after.is_some_and(|c| c.is_ascii_alphabetic() || "@_+〕]".contains(c));
    !(bad_before || bad_after)
}

/// True if `start..end` lies inside a short quotation (`“十四五”`, a slogan
/// or name) or a document title (`《…十五条措施》`).
fn enclosed(chars: &[char], start: usize, end: usize) -> bool {
    ENCLOSURES.iter().any(|&(open, close, max)| {
        let is_mark = |c: &char| *c == open || *c == close;
        let back = chars[..start].iter().rev().take(max).position(is_mark);
        match back {
            Some(b) if chars[start - 1 - b] == open => {
                let room = max.saturating_sub(b + end - start);
                chars[end..].iter().take(room).find(|c| is_mark(c)) == Some(&close)
            }
            _ => false,
        }
    })
}

/// The noun phrase right after a figure, up to punctuation or a verb-like
/// boundary (`名村民从中受益` → `村民`).
fn subject_after(chars: &[char], end: usize) -> Option<String> {
    let mut j = skip_gap(chars, end);
    if chars.get(j) == Some(&'的') {
        j += 1;
    }
    let mut subject = String::new();
    let mut len = 0;
    while let Some(&c) = chars.get(j) {
        let stop = !is_cjk(c)
            || SUBJECT_STOP.contains(c)
            || (len >= 2 && SUBJECT_VERB_STOP.contains(c))
            || SUBJECT_STOP_WORDS
                .iter()
                .any(|w| starts_with_at(chars, j, w));
        if stop || len == MAX_SUBJECT_AFTER {
            break;
        }
        subject.push(c);
        len += 1;
        j += 1;
    }
    (len > 0).then_some(subject)
}

/// The noun phrase right before a figure (`报销比例达90%` → `报销比例`).
fn subject_before(chars: &[char], start: usize) -> Option<String> {
    let mut j = start;
    while j > 0 && chars[j - 1].is_whitespace() {
        j -= 1;
    }
    if let Some(q) = QUALIFIERS_BEFORE.iter().find(|q| ends_with_at(chars, j, q)) {
        j -= q.chars().count();
    }
    if j > 0 && matches!(chars[j - 1], '为' | '是' | '占' | '有') {
        j -= 1;
    }
    let end = j;
    while j > 0 {
        let c = chars[j - 1];
        if !is_cjk(c) || SUBJECT_STOP.contains(c) || chinese_numeral(c) {
            break;
        }
        j -= 1;
    }
    let begin = if end - j > MAX_SUBJECT_BEFORE {
        end - tail_words(&chars[j..end])
    } else {
        j
    };
    (end - begin >= 2).then(|| chars[begin..end].iter().collect())
}

/// Length in chars of the tail kept from an over-long run before a figure:
/// its last whole words as jieba segments them, at most
/// [`SUBJECT_BEFORE_TAIL`] chars but always the last word, and not starting
/// with a one-char word, which is mostly what is left of a longer name the
/// cut goes through (`海南国际商品交易中心全品种交易额` keeps `品种交易额`,
/// not `种交易额`; `猪肚菇年亩产值` keeps `亩产值`, not `菇年亩产值`).
fn tail_words(run: &[char]) -> usize {
    let text: String = run.iter().collect();
    let words: Vec<usize> = crate::index::tokenizer::jieba()
        .cut(&text, false)
        .iter()
        .map(|w| w.word.chars().count())
        .collect();
    let mut kept = Vec::new();
    let mut total = 0;
    for len in words.into_iter().rev() {
        if !kept.is_empty() && total + len > SUBJECT_BEFORE_TAIL {
            break;
        }
        kept.push(len);
        total += len;
    }
    while kept.len() > 1 && kept.last() == Some(&1) {
        kept.pop();
        total -= 1;
    }
    total
}

/// The unit at `i`, normalised, and the offset after it (plus `/亩` style
/// denominators: `1万元/人` → `元/人`).
fn unit_at(chars: &[char], i: usize) -> Option<(String, usize)> {
    let (written, normal) = longest_unit(chars, i)?;
    let mut end = i + written.chars().count();
    let mut unit = normal.to_string();
    if matches!(chars.get(end), Some('/' | '／')) {
        if let Some((w, n)) = longest_unit(chars, end + 1).filter(|(_, n)| *n != "%") {
            unit.push('/');
            unit.push_str(n);
            end += 1 + w.chars().count();
        }
    }
    Some((unit, end))
}

/// [`UNITS`] by their first char, in [`UNITS`] order.
fn units_by_first_char() -> &'static HashMap<char, Vec<(&'static str, &'static str)>> {
    static BY_FIRST: OnceLock<HashMap<char, Vec<(&str, &str)>>> = OnceLock::new();
    BY_FIRST.get_or_init(|| {
        let mut map: HashMap<char, Vec<(&str, &str)>> = HashMap::new();
        for &(written, normal) in UNITS {
            if let Some(c) = written.chars().next() {
                map.entry(c).or_default().push((written, normal));
            }
        }
        map
    })
}

/// The longest entry of [`UNITS`] written at `i` (of equally long ones, the last).
fn longest_unit(chars: &[char], i: usize) -> Option<(&'static str, &'static str)> {
    units_by_first_char()
        .get(chars.get(i)?)?
        .iter()
        .filter(|(w, _)| starts_with_at(chars, i, w))
        .max_by_key(|(w, _)| w.chars().count())
        .copied()
}

/// True if the unit at `i` normalises to `unit`.
fn is_unit_at(chars: &[char], i: usize, unit: &str) -> bool {
    unit_at(chars, skip_gap(chars, i)).is_some_and(|(u, _)| u == unit)
}

/// Skip up to [`MAX_GAP`] whitespace characters.
fn skip_gap(chars: &[char], mut i: usize) -> usize {
    let limit = i + MAX_GAP;
    while i < chars.len() && i < limit && chars[i].is_whitespace() {
        i += 1;
    }
    i
}

/// True if `pat` is written at char offset `i`.
fn starts_with_at(chars: &[char], i: usize, pat: &str) -> bool {
    (i..)
        .zip(pat.chars())
        .all(|(j, p)| chars.get(j) == Some(&p))
}

/// True if `pat` is written just before char offset `end`.
fn ends_with_at(chars: &[char], end: usize, pat: &str) -> bool {
    let n = pat.chars().count();
    end >= n && starts_with_at(chars, end - n, pat)
}

/// ASCII digit for a half- or full-width digit.
fn arabic_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
        _ => None,
    }
}

/// Value of a Chinese digit character (一..九, 两, 零/〇).
fn chinese_digit(c: char) -> Option<u64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// True for Chinese digits and the magnitudes 十百千万亿.
fn chinese_numeral(c: char) -> bool {
    chinese_digit(c).is_some() || matches!(c, '十' | '百' | '千' | '万' | '亿')
}

/// Multiplier of a magnitude character written after Arabic digits.
fn magnitude_of(c: char) -> Option<f64> {
    match c {
        '百' => Some(1e2),
        '千' => Some(1e3),
        '万' => Some(1e4),
        '亿' => Some(1e8),
        _ => None,
    }
}

/// True for CJK unified ideographs.
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The single figure in `text`; panics unless there is exactly one.
    fn one(text: &str) -> Figure {
        let figures = extract_figures(text);
        assert_eq!(figures.len(), 1, "{text}: {figures:#?}");
        figures.into_iter().next().unwrap()
    }

    /// The figure whose text is `needle`.
    fn find(text: &str, needle: &str) -> Figure {
        extract_figures(text)
            .into_iter()
            .find(|f| f.text == needle)
            .unwrap_or_else(|| panic!("{needle} not in {:#?}", extract_figures(text)))
    }

    fn subject(f: &Figure) -> &str {
        f.subject.as_deref().unwrap_or("")
    }

    #[test]
    fn parses_numbers() {
        assert_eq!(parse_number("12624"), Some(12624.0));
        assert_eq!(parse_number("3.2"), Some(3.2));
        assert_eq!(parse_number("1.3万"), Some(13000.0));
        assert_eq!(parse_number("两万"), Some(20000.0));
        assert_eq!(parse_number("三千"), Some(3000.0));
        assert_eq!(parse_number("一千二百"), Some(1200.0));
        assert_eq!(parse_number("一千零五"), Some(1005.0));
        assert_eq!(parse_number("十五"), Some(15.0));
        assert_eq!(parse_number("三十三"), Some(33.0));
        assert_eq!(parse_number("一万五"), Some(15000.0));
        assert_eq!(parse_number("一亿二千万"), Some(120_000_000.0));
        assert_eq!(parse_number("百分之九十"), Some(90.0));
        assert_eq!(parse_number("１２"), Some(12.0));
        assert_eq!(parse_number("1,000"), Some(1000.0));
        for bad in [
            "",
            "十四五",
            "二〇二一",
            "一二三",
            "abc",
            "3.2万余",
            "万元",
            "百分之",
        ] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn bulletin_000_figures() {
        let s = "如美兰区灵山镇仲恺村立足村情实际，整合邻近自然村将到期闲置和壮大农村集体经济资金共计 500 万元，用于创建 382 平方米休闲驿站，带动四个村集体经济创收，12624 名村民从中受益。";
        let f = find(s, "12624 名");
        assert_eq!(
            (f.value, f.unit.as_str(), subject(&f)),
            (12624.0, "人", "村民")
        );
        let f = find(s, "共计 500 万元");
        assert_eq!((f.value, f.unit.as_str()), (5_000_000.0, "元"));
        assert_eq!(
            (f.qualifier.as_deref(), f.approximate),
            (Some("共计"), false)
        );
        let f = find(s, "382 平方米");
        assert_eq!(
            (f.value, f.unit.as_str(), subject(&f)),
            (382.0, "平方米", "休闲驿站")
        );
        assert_eq!(extract_figures(s).len(), 3, "四个村 is not a figure");

        let s = "制作 3.2 万份医疗保障帮扶政策知识宣传小册子和 800 份宣传海报，及时向农村群众宣传参保政策知识。";
        let f = find(s, "3.2 万份");
        assert_eq!((f.value, f.unit.as_str()), (32000.0, "份"));
        assert!(subject(&f).contains("宣传小册子"), "{f:?}");
        let f = find(s, "800 份");
        assert_eq!(
            (f.value, f.unit.as_str(), subject(&f)),
            (800.0, "份", "宣传海报")
        );

        let s = "将闲置资金 77 万元投入联通公司集聚使用，有效盘活资金项目，村集体最高可获得 50%的收益分红。";
        let f = find(s, "77 万元");
        assert_eq!(
            (f.value, f.unit.as_str(), subject(&f)),
            (770_000.0, "元", "闲置资金")
        );
        let f = find(s, "50%");
        assert_eq!((f.value, f.unit.as_str()), (50.0, "%"));
        assert!(subject(&f).starts_with("收益"), "{f:?}");

        let s = "儋州市南丰镇通过“择优竞聘”等方式在 10 个行政村回引 10 名农村外出优秀人才，有效推动乡村各项事业发展。";
        let figures = extract_figures(s);
        assert_eq!(figures.len(), 2);
        assert_eq!((figures[0].value, figures[0].unit.as_str()), (10.0, "个"));
        assert_eq!(subject(&figures[0]), "行政村");
        assert_eq!(
            (figures[1].text.as_str(), figures[1].unit.as_str()),
            ("10 名", "人")
        );
    }

    #[test]
    fn approximate_qualifiers() {
        let s = "带动近 5万人就业";
        let f = one(s);
        assert_eq!(f.text, "近 5万人");
        assert_eq!((f.start, f.end), (2, 7));
        assert_eq!((f.value, f.unit.as_str()), (50000.0, "人"));
        assert_eq!((f.qualifier.as_deref(), f.approximate), (Some("近"), true));
        assert_eq!(subject(&f), "就业");

        let f = one("全市1.3万余名党员全部下沉");
        assert_eq!(
            (f.text.as_str(), f.value, f.unit.as_str()),
            ("1.3万余名", 13000.0, "人")
        );
        assert_eq!((f.qualifier.as_deref(), f.approximate), (Some("余"), true));

        let f = one("收集登记问题 380 余条。");
        assert_eq!(
            (f.value, f.unit.as_str(), f.qualifier.as_deref()),
            (380.0, "条", Some("余"))
        );

        let f = one("累计收入达400余万元，村集体分红");
        assert_eq!((f.value, f.unit.as_str()), (4_000_000.0, "元"));
        assert_eq!(f.qualifier.as_deref(), Some("达…余"));

        let f = one("带动就业累计超 4万人；");
        assert_eq!(
            (f.value, f.qualifier.as_deref(), f.approximate),
            (40000.0, Some("超"), true)
        );

        let f = one("预计首先盈利 20万元左右；");
        assert_eq!(
            (f.value, f.qualifier.as_deref(), f.approximate),
            (200_000.0, Some("左右"), true)
        );

        let f = one("配套资金不少于 50% 的比例用于产业发展");
        assert_eq!(
            (f.value, f.qualifier.as_deref(), f.approximate),
            (50.0, Some("不少于"), true)
        );

        let f = one("住院医疗费用报销比例达90%，");
        assert_eq!(
            (f.text.as_str(), f.value, f.unit.as_str()),
            ("达90%", 90.0, "%")
        );
        assert_eq!((f.qualifier.as_deref(), f.approximate), (Some("达"), false));
        assert_eq!(subject(&f), "费用报销比例");
    }

    #[test]
    fn a_long_run_before_money_keeps_its_last_whole_words() {
        // From corpus/002_d92f204b041c1c56.txt.
        let f = find(
            "海南国际商品交易中心全品种交易额累计超2800亿元。",
            "超2800亿元",
        );
        assert_eq!((f.value, subject(&f)), (280_000_000_000.0, "品种交易额"));
        let f = find(
            "三亚4家离岛免税店免税商品销售额达156.1亿元。",
            "达156.1亿元",
        );
        assert_eq!((f.value, subject(&f)), (15_610_000_000.0, "商品销售额"));
        let f = one("实现猪肚菇年亩产值25万元");
        assert_eq!((f.value, subject(&f)), (250_000.0, "亩产值"));
        // A run of eight chars or fewer is kept whole.
        assert_eq!(subject(&one("城乡居民报销比例达90%，")), "城乡居民报销比例");
    }

    #[test]
    fn bulletin_003_figures() {
        let s = "全县实现注册和信息录入数字乡村平台共计 29436 户 107471 人。";
        let figures = extract_figures(s);
        assert_eq!(figures.len(), 2);
        assert_eq!(
            (figures[0].value, figures[0].unit.as_str()),
            (29436.0, "户")
        );
        assert_eq!(figures[0].qualifier.as_deref(), Some("共计"));
        assert_eq!(
            (figures[1].value, figures[1].unit.as_str()),
            (107471.0, "人")
        );

        let f = one("琼中县 22226户农户被评为信用户");
        assert_eq!(
            (f.value, f.unit.as_str(), subject(&f)),
            (22226.0, "户", "农户")
        );

        let f = one("每户村民兑换1-3件商品不等。");
        assert_eq!(
            (f.text.as_str(), f.value, f.value_max),
            ("1-3件", 1.0, Some(3.0))
        );
        assert_eq!((f.unit.as_str(), subject(&f)), ("件", "商品"));

        let f = one("清单积分覆盖率 90%以上，");
        assert_eq!(
            (f.text.as_str(), f.value, f.unit.as_str()),
            ("90%以上", 90.0, "%")
        );
        assert_eq!(
            (f.qualifier.as_deref(), f.approximate),
            (Some("以上"), true)
        );

        let f = one("美德类四大类共63项积分小项，由各村小组");
        assert_eq!(
            (f.value, f.unit.as_str(), subject(&f)),
            (63.0, "项", "积分小项")
        );

        let f = one("兑换当日有60户村民前来兑换");
        assert_eq!(
            (f.value, f.unit.as_str(), subject(&f)),
            (60.0, "户", "村民")
        );

        let f = one("每名党员中心户负责联系 10-15户，");
        assert_eq!(
            (f.value, f.value_max, f.unit.as_str()),
            (10.0, Some(15.0), "户")
        );
    }

    #[test]
    fn other_shapes() {
        let f = one("按300～500户或划分一个网格");
        assert_eq!(
            (f.value, f.value_max, f.unit.as_str()),
            (300.0, Some(500.0), "户")
        );
        let f = one("每名党员联系10至15户");
        assert_eq!((f.value, f.value_max), (10.0, Some(15.0)));
        let f = one("带动两万人就业");
        assert_eq!(
            (f.text.as_str(), f.value, f.unit.as_str()),
            ("两万人", 20000.0, "人")
        );
        let f = one("帮扶三千余户脱贫");
        assert_eq!(
            (f.value, f.unit.as_str(), f.qualifier.as_deref()),
            (3000.0, "户", Some("余"))
        );
        let f = one("覆盖率达到百分之九十以上");
        assert_eq!(
            (f.text.as_str(), f.value, f.unit.as_str()),
            ("达到百分之九十以上", 90.0, "%")
        );
        let f = one("新建１２个服务站");
        assert_eq!(
            (f.value, f.unit.as_str(), subject(&f)),
            (12.0, "个", "服务站")
        );
        let f = one("总规模超2亿元。");
        assert_eq!((f.value, f.unit.as_str()), (200_000_000.0, "元"));
        let f = one("种植玫瑰 1000亩，");
        assert_eq!((f.value, f.unit.as_str()), (1000.0, "亩"));
        let f = one("户均配变容量达到 2.1 千伏安。");
        assert_eq!((f.value, f.unit.as_str()), (2.1, "千伏安"));
        let f = one("全区派驻57个乡村振兴工作队");
        assert_eq!((f.value, subject(&f)), (57.0, "乡村振兴工作队"));
        let f = one("村级保洁员等 95 个扶贫岗位稳定");
        assert_eq!((f.value, subject(&f)), (95.0, "扶贫岗位"));
        let f = one("公共厕所覆盖率达 100%。");
        assert_eq!(f.value, 100.0);
        let f = one("经费预算1万元/人");
        assert_eq!((f.value, f.unit.as_str()), (10000.0, "元/人"));
        let figures = extract_figures("完成硬化村道7条5.459公里");
        let got: Vec<_> = figures.iter().map(|f| (f.value, f.unit.as_str())).collect();
        assert_eq!(got, [(7.0, "条"), (5.459, "公里")]);
    }

    #[test]
    fn rejects_non_figures() {
        let sentences = [
            "2021年8月17日",
            "美发〔2021〕7号",
            "《关于印发的通知》（琼发〔2021〕13号）",
            "三亚市青年干部读书班第三期开班",
            "经区扶贫开发领导小组 2020 年第 3 次会议审议通过",
            "对接区“十四五”规划",
            "“十三五”期间",
            "电话：65368495",
            "0898-88288888",
            "联系电话：0898-88279029",
            "邮编：572000",
            "投稿邮箱：fpbfgc2020@163.com",
            "网址：http://www.hainan.gov.cn/2024/index.html",
            "三亚党建 2024 NO.4 总第15期",
            "海南乡村振兴简报 2023年第10期",
            "（总第 32 期）",
            "理论与实践 ..... 09 ~ 37",
            "2024 年度城乡居民基本医疗保险参保工作刚启动",
            "12月17日下午，习近平在北京",
            "自2022年6月份开展清单积分制工作，于10月份举办首期积分集中兑换活动。",
            "1. 设立5年过渡期。",
            "（1）摘帽不摘责任，",
            "一、合力推进基本医疗",
            "（十五）强化考核",
            "严格落实“四个不摘”要求",
            "实现“两不愁三保障”",
            "以“五个强化”打造数字乡村",
            "一是提前谋划早部署。二是建立机制共推进。",
            "提升基层党组织“三服务”水平",
            "“三重保障”制度",
            "依据“一站式”和“就近办”的原则",
            "实行一村一策",
            "打造三区一中心",
            "作的重要论述、“4.13”重要讲话",
            "中央12号文件精神",
            "构建“1+3+N”组织网络",
            "把农村党员作为乡村治理体系的第一级",
            "琼中县和平镇埝对村获评“第二批全国乡村治理示范村”",
            "基本医疗“100%参保”",
            "增强“四个意识”、做到“两个维护”",
            "聚焦三大任务",
            "全面贯彻党的二十大和二十届二中全会精神",
            "千家万户",
            "配合推进“5G”网络，地区光纤宽带和 4G 信号",
            "计划 2021-2022 年在全区扶持",
            "实施《防返贫十五条措施》",
            "- 1 -",
        ];
        for s in sentences {
            assert_eq!(extract_figures(s), [], "{s}");
        }
    }

    /// Tiny xorshift generator so the property test needs no extra crates.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn arbitrary_text_never_panics_and_spans_match() {
        let alphabet: Vec<char> =
            "0123456789０９.．,-～~至到%％ 　万亿千百十两一二三四五九零〇余多近超约达共计以上下左右名人户个元平方米千伏安第年月日号“”《》〔〕（）()+@/:：，。、的村民资金abcNO\n"
                .chars()
                .collect();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..5000 {
            let len = (rng.next() % 40) as usize;
            let text: String = (0..len)
                .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
                .collect();
            let chars: Vec<char> = text.chars().collect();
            let mut last_end = 0;
            for f in extract_figures(&text) {
                assert!(f.start < f.end && f.end <= chars.len(), "{text:?} {f:?}");
                assert!(f.start >= last_end, "overlap in {text:?}");
                let span: String = chars[f.start..f.end].iter().collect();
                assert_eq!(span, f.text, "{text:?}");
                assert!(f.value.is_finite());
                last_end = f.end;
            }
        }
    }
}
