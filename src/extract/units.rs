//! Responsible-unit annotations in policy text.
//!
//! Measures in Chinese government plans name who does the work, usually in a
//! bracketed annotation at the end of the measure:
//! `（牵头单位：区委组织部，责任单位：各镇）`, `（市发展改革委牵头，市财政局配合）`,
//! `（各市县人民政府负责）`, or a trailing line `责任单位：市民政局、市财政局`.
//! This module finds those annotations, splits their unit lists into
//! [`UnitMention`]s with a [`UnitRole`], and resolves short names (`区人社局`)
//! against the issuing jurisdiction (`海口市美兰区`) with the alias table in
//! `data/unit_aliases.tsv`. Bulletin credit lines (`（海口市医疗保障局、乡村振兴局提供）`)
//! are parsed by [`parse_credit_line`].
//!
//! All offsets are char offsets into the text given by the caller.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The alias table, `short<TAB>full_suffix` per line (see the file's header).
const ALIAS_TSV: &str = include_str!("../../data/unit_aliases.tsv");

/// Administrative level characters that start a short unit name (`区人社局`).
const LEVELS: [char; 4] = ['省', '市', '区', '县'];

/// Longest bracketed annotation considered, in chars (PDF text may split one
/// over several lines, so the limit is generous).
const MAX_BRACKET_CHARS: usize = 300;

/// Longest unbracketed `责任单位：…` run considered, in chars.
const MAX_TRAILING_CHARS: usize = 200;

/// Longest label before a colon (`牵头考核单位`), in chars.
const MAX_LABEL_CHARS: usize = 10;

/// Endings that make a list item look like a unit (an organ, office, body or
/// a collective of them).
const UNIT_SUFFIXES: &[&str] = &[
    "局", "委", "办", "厅", "部", "院", "会", "室", "处", "科", "组", "队", "所", "站", "中心",
    "政府", "单位", "部门", "机构", "机关", "公司", "集团", "银行", "联", "署", "社", "馆", "团",
    "电网", "镇", "乡", "村", "街道", "企业", "学校",
];

/// Two-char "segments" ending in a level char that are words, not places.
const NOT_PLACES: &[&str] = &[
    "城市", "城区", "地区", "社区", "园区", "景区", "片区", "辖区", "山区", "老区", "郊区", "市区",
    "县区", "省市", "市县", "镇区", "街区", "新区",
];

/// First chars that never start a place name (各市, 全省, 本区 …).
const NOT_PLACE_START: [char; 8] = ['各', '本', '全', '该', '我', '其', '每', '所'];

/// Verbs closing a clause of the verb form `（X牵头，Y配合）`, longest first.
const VERBS: &[(&str, UnitRole)] = &[
    ("牵头负责", UnitRole::Lead),
    ("牵头落实", UnitRole::Lead),
    ("负责落实", UnitRole::Responsible),
    ("负责实施", UnitRole::Responsible),
    ("配合落实", UnitRole::Cooperating),
    ("牵头", UnitRole::Lead),
    ("负责", UnitRole::Responsible),
    ("配合", UnitRole::Cooperating),
    ("参与", UnitRole::Cooperating),
    ("协助", UnitRole::Cooperating),
    ("协同", UnitRole::Cooperating),
];

/// Words between a unit list and its verb (`省人社厅等按职责分工负责`).
const VERB_MODIFIERS: &[&str] = &[
    "按照职责分工",
    "根据职责分工",
    "按职责分工",
    "按职责",
    "分别",
    "共同",
    "具体",
    "等单位",
    "等部门",
    "等",
];

/// Tails after `等` that only say "and others" (`区妇联等单位`).
const DENG_TAILS: &[&str] = &[
    "单位",
    "部门",
    "有关单位",
    "相关单位",
    "有关部门",
    "相关部门",
    "成员单位",
];

/// Endings of a credit line before its closing bracket (`…乡村振兴局提供）`).
const CREDIT_SUFFIXES: &[&str] = &["提供", "供稿", "供图", "报送", "撰稿"];

/// Source labels that may open a credit line (`（来源：…）`).
const CREDIT_PREFIXES: &[&str] = &["稿件来源：", "信息来源：", "供稿单位：", "来源："];

/// Unit names with their roles, as parsed from one annotation.
type Items = Vec<(String, UnitRole)>;

/// What a unit is named for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitRole {
    /// Leads the measure: `牵头单位：X`, `X牵头`.
    Lead,
    /// Carries the measure out: `责任单位：X`, `X负责`.
    Responsible,
    /// Supports the lead: `配合单位：X`, `X配合`.
    Cooperating,
    /// Supplied an article of a bulletin: `（X提供）`, `（X）`.
    Credit,
    /// The unit an article's author belongs to (set by other extractors).
    Author,
    /// Issuing body of a document (set by other extractors).
    Issuer,
}

/// One unit named in an annotation or credit line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitMention {
    /// The name as written, whitespace removed (`区人社局`).
    pub unit: String,
    /// The resolved full name (`海口市美兰区人力资源和社会保障局`); equal to
    /// `unit` when there is nothing to resolve.
    pub unit_full: String,
    /// What the unit is named for.
    pub role: UnitRole,
    /// A group rather than one named unit: `各镇`, `区直各单位`,
    /// `区直相关行业部门`, `区委实施乡村振兴战略领导小组各成员单位`, `各合作金融机构` …
    pub collective: bool,
}

/// A responsibility annotation found in a text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitAnnotation {
    /// Char offset of the annotation's first char (the opening bracket, or
    /// the label of an unbracketed `责任单位：…`).
    pub start: usize,
    /// Char offset just past the annotation (past the closing bracket).
    pub end: usize,
    /// The units named, in text order.
    pub mentions: Vec<UnitMention>,
}

/// Find responsibility annotations in a measure's text. `jurisdiction` is the
/// issuing jurisdiction used to resolve short names (e.g. "海口市美兰区"),
/// possibly empty.
///
/// Recognised: bracketed labelled lists `（牵头单位：…，责任单位：…，配合单位：…）`
/// in full- or half-width punctuation, possibly broken by newlines or spaces;
/// the bracketed verb form `（X牵头，Y、Z配合）`, `（X负责）`,
/// `（X、Y等按职责分工负责）`; and unbracketed labelled lists at the start of a
/// line or sentence (`牵头考核单位：省委组织部`). Other bracketed asides
/// (`（试行）`, `（联系人：…）`) are ignored.
pub fn find_annotations(text: &str, jurisdiction: &str) -> Vec<UnitAnnotation> {
    let chars: Vec<char> = text.chars().collect();
    let mut found: Vec<(usize, usize, Items)> = Vec::new();

    let mut i = 0;
    while i < chars.len() {
        if is_open(chars[i]) {
            if let Some(close) = matching_close(&chars, i) {
                let content = normalize(&chars[i + 1..close]);
                let items = may_annotate(&content)
                    .then(|| parse_labeled(&content).or_else(|| parse_verb_form(&content)))
                    .flatten();
                if let Some(items) = items {
                    found.push((i, close + 1, items));
                    i = close + 1;
                    continue;
                }
            }
        }
        i += 1;
    }

    let bracketed = found.len();
    let mut i = 0;
    while i < chars.len() {
        if let Some(&(_, end, _)) = found[..bracketed]
            .iter()
            .find(|(start, end, _)| (*start..*end).contains(&i))
        {
            i = end;
            continue;
        }
        if at_boundary(&chars, i) && label_at(&chars, i).is_some() {
            if let Some((end, items)) = parse_trailing(&chars, i) {
                found.push((i, end, items));
                i = end;
                continue;
            }
        }
        i += 1;
    }

    found.sort_by_key(|(start, _, _)| *start);
    found
        .into_iter()
        .map(|(start, end, items)| UnitAnnotation {
            start,
            end,
            mentions: make_mentions(items, jurisdiction),
        })
        .collect()
}

/// Split an article credit line such as "（海口市医疗保障局、乡村振兴局提供）" or
/// "（儋州市乡村振兴局）" into Credit mentions; the second and later units
/// inherit the shared place prefix of the first ("乡村振兴局" -> unit_full
/// "海口市乡村振兴局"). Returns None when the line is not a credit line.
pub fn parse_credit_line(line: &str) -> Option<Vec<UnitMention>> {
    let inner = line
        .trim()
        .strip_prefix(['（', '('])?
        .strip_suffix(['）', ')'])?;
    let inner: String = normalize(&inner.chars().collect::<Vec<_>>())
        .into_iter()
        .collect();
    let inner = CREDIT_PREFIXES
        .iter()
        .find_map(|p| inner.strip_prefix(p))
        .unwrap_or(&inner);
    let body = CREDIT_SUFFIXES
        .iter()
        .find_map(|s| inner.strip_suffix(s))
        .unwrap_or(inner);
    if body.contains(['：', '（']) {
        return None;
    }
    let items = split_items(body);
    if items.is_empty()
        || items
            .iter()
            .any(|item| !unit_like(item) || is_collective(item))
    {
        return None;
    }

    let first = &items[0];
    let place: String = place_segments(strip_party(first)).concat();
    // "中共海口市委组织部、宣传部": later bare names are party departments too.
    let shared = if first.starts_with("中共") && strip_party(first)[place.len()..].starts_with('委')
    {
        format!("中共{place}委")
    } else {
        place.clone()
    };
    let mentions = items
        .iter()
        .enumerate()
        .map(|(k, unit)| {
            let unit_full = if k == 0 || place.is_empty() || is_qualified(unit) {
                unit.clone()
            } else if level_of(unit).is_some() {
                resolve_unit(unit, &place)
            } else if shared.starts_with("中共") {
                format!("{shared}{unit}")
            } else {
                format!(
                    "{shared}{}",
                    expand_alias(unit).unwrap_or_else(|| unit.clone())
                )
            };
            UnitMention {
                unit: unit.clone(),
                unit_full,
                role: UnitRole::Credit,
                collective: false,
            }
        })
        .collect();
    Some(mentions)
}

/// Resolve a short unit name against a jurisdiction using the alias table:
/// ("区人社局", "海口市美兰区") -> "海口市美兰区人力资源和社会保障局";
/// ("区委组织部","海口市美兰区") -> "中共海口市美兰区委组织部"; ("市委组织部","三亚市")
/// -> "中共三亚市委组织部"; ("市人社局", "海口市美兰区") -> "海口市人力资源和社会保障局".
/// Unknown names come back with the jurisdiction's level prefix expanded where
/// the short form starts with 区/市/县/省 (e.g. "区指挥部办公室" ->
/// "海口市美兰区指挥部办公室"); names already qualified (starting with a place
/// name), names without a level prefix, and names whose level the
/// jurisdiction lacks (a 省 name under "海口市美兰区") come back unchanged.
pub fn resolve_unit(short: &str, jurisdiction: &str) -> String {
    let short = short.trim();
    // 团区委 / 团市委: the Communist Youth League committee of that level.
    let mut cs = short.chars();
    if let (Some('团'), Some(level), Some('委')) = (cs.next(), cs.next(), cs.next()) {
        if let Some(place) = LEVELS
            .contains(&level)
            .then(|| level_place(jurisdiction, level))
            .flatten()
        {
            return format!("共青团{place}委员会{}", cs.as_str());
        }
    }
    let Some(level) = level_of(short) else {
        return short.to_string();
    };
    let Some(place) = level_place(jurisdiction, level) else {
        return short.to_string();
    };
    let rest = &short[level.len_utf8()..];
    let expanded = expand_alias(rest).unwrap_or_else(|| rest.to_string());
    if let Some(tail) = expanded.strip_prefix("团委") {
        return format!("共青团{place}委员会{tail}");
    }
    let party = expanded.starts_with('委') || expanded.starts_with("纪律检查委员会");
    format!("{}{place}{expanded}", if party { "中共" } else { "" })
}

/// Derive the issuing jurisdiction from an issuer name: "中共海口市美兰区委" ->
/// "海口市美兰区", "海口市美兰区扶贫开发领导小组" -> "海口市美兰区", "海南省乡村振兴局"
/// -> "海南省", "中共三亚市委组织部" -> "三亚市". Returns an empty string when the
/// issuer does not start with a place name ("国务院办公厅").
pub fn jurisdiction_of(issuer: &str) -> String {
    place_segments(strip_party(issuer.trim())).concat()
}

fn is_open(c: char) -> bool {
    c == '（' || c == '('
}

fn is_close(c: char) -> bool {
    c == '）' || c == ')'
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// Index of the bracket closing the one at `open`, within the length limit.
fn matching_close(chars: &[char], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (j, &c) in chars.iter().enumerate().skip(open).take(MAX_BRACKET_CHARS) {
        if is_open(c) {
            depth += 1;
        } else if is_close(c) {
            depth -= 1;
            if depth == 0 {
                return Some(j);
            }
        }
    }
    None
}

/// Drop whitespace (PDF line breaks) and map half-width punctuation to full width.
fn normalize(chars: &[char]) -> Vec<char> {
    chars
        .iter()
        .filter(|c| !c.is_whitespace())
        .map(|&c| match c {
            ':' => '：',
            ',' => '，',
            ';' => '；',
            '(' => '（',
            ')' => '）',
            c => c,
        })
        .collect()
}

/// Whether normalized bracket content can be an annotation at all: a label
/// ([`parse_labeled`]) needs its colon, the verb form ([`parse_verb_form`])
/// one of [`VERBS`]. Most brackets are neither, and are not parsed.
fn may_annotate(content: &[char]) -> bool {
    content.contains(&'：')
        || VERBS.iter().any(|(verb, _)| {
            let n = verb.chars().count();
            content
                .windows(n)
                .any(|w| w.iter().copied().eq(verb.chars()))
        })
}

/// The role a label such as `牵头单位`, `责任部门` or `牵头考核单位` names.
fn role_of_label(label: &str) -> Option<UnitRole> {
    if label.chars().count() > MAX_LABEL_CHARS
        || !["单位", "部门", "机关"].iter().any(|s| label.ends_with(s))
    {
        return None;
    }
    let has = |words: &[&str]| words.iter().any(|w| label.contains(w));
    if has(&["牵头"]) {
        Some(UnitRole::Lead)
    } else if has(&["配合", "协办", "参与", "协助", "协同", "支持"]) {
        Some(UnitRole::Cooperating)
    } else if has(&["责任", "主责", "负责", "主办", "承办", "主管", "实施"]) {
        Some(UnitRole::Responsible)
    } else {
        None
    }
}

/// A unit label followed by a colon starting exactly at `i`: its role and the
/// colon's index.
fn label_at(chars: &[char], i: usize) -> Option<(UnitRole, usize)> {
    let run = chars[i..]
        .iter()
        .take(MAX_LABEL_CHARS + 1)
        .take_while(|c| is_cjk(**c))
        .count();
    let colon = i + run;
    if run == 0 || !matches!(chars.get(colon), Some('：' | ':')) {
        return None;
    }
    let label: String = chars[i..colon].iter().collect();
    role_of_label(&label).map(|role| (role, colon))
}

/// Whether an unbracketed label may start at `i`: start of text, of a line,
/// or of a sentence.
fn at_boundary(chars: &[char], i: usize) -> bool {
    i == 0 || chars[i - 1].is_whitespace() || matches!(chars[i - 1], '。' | '；' | ';' | '）' | ')')
}

/// Labels (`label：`) at bracket depth 0 of normalized content, as
/// (label start, colon index).
fn find_labels(content: &[char]) -> Vec<(usize, usize)> {
    let is_sep = |c: char| matches!(c, '，' | '；' | '。' | '、' | '（' | '）');
    let mut labels = Vec::new();
    let mut depth = 0usize;
    for (i, &c) in content.iter().enumerate() {
        match c {
            '（' => depth += 1,
            '）' => depth = depth.saturating_sub(1),
            '：' if depth == 0 => {
                let mut j = i;
                while j > 0 && !is_sep(content[j - 1]) && i - j <= MAX_LABEL_CHARS {
                    j -= 1;
                }
                if j == 0 || is_sep(content[j - 1]) {
                    labels.push((j, i));
                }
            }
            _ => {}
        }
    }
    labels
}

/// Parse normalized content that starts with a unit label:
/// `牵头单位：A、B，责任单位：C，各镇`. Values of other labels
/// (`完成时限：…`) are skipped; items that do not look like units are dropped.
fn parse_labeled(content: &[char]) -> Option<Items> {
    let labels = find_labels(content);
    let &(first_start, first_colon) = labels.first()?;
    let first: String = content[first_start..first_colon].iter().collect();
    if first_start != 0 || role_of_label(&first).is_none() {
        return None;
    }
    let mut items = Vec::new();
    for (k, &(start, colon)) in labels.iter().enumerate() {
        let label: String = content[start..colon].iter().collect();
        let Some(role) = role_of_label(&label) else {
            continue;
        };
        let end = labels.get(k + 1).map_or(content.len(), |l| l.0);
        let value: String = content[colon + 1..end].iter().collect();
        items.extend(
            split_items(&value)
                .into_iter()
                .filter(|item| unit_like(item))
                .map(|item| (item, role)),
        );
    }
    (!items.is_empty()).then_some(items)
}

/// Parse the verb form `市发展改革委牵头，市财政局、市商务局配合`: every clause
/// must be a unit list, closed by a verb or followed by a clause that is.
fn parse_verb_form(content: &[char]) -> Option<Items> {
    let text: String = content.iter().collect();
    let mut items = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    for clause in split_top_level(&text, &['，', '；']) {
        let clause = clause.trim_matches(['。', '、']);
        if clause.is_empty() {
            continue;
        }
        let Some((body, role)) = VERBS
            .iter()
            .find_map(|(verb, role)| clause.strip_suffix(verb).map(|body| (body, *role)))
        else {
            pending.push(clause.to_string());
            continue;
        };
        pending.push(strip_modifiers(body).to_string());
        for part in pending.drain(..) {
            for item in split_items(&part) {
                if !unit_like(&item) {
                    return None;
                }
                items.push((item, role));
            }
        }
    }
    (pending.is_empty() && !items.is_empty()).then_some(items)
}

/// Strip `由` before and `等按职责分工` etc. after a unit list.
fn strip_modifiers(mut body: &str) -> &str {
    loop {
        let before = body;
        body = body.strip_prefix('由').unwrap_or(body);
        if let Some(stripped) = VERB_MODIFIERS.iter().find_map(|m| body.strip_suffix(m)) {
            body = stripped;
        }
        if body == before {
            return body;
        }
    }
}

/// Parse an unbracketed labelled list starting at `start` (a label). It runs
/// to the end of the line (or of a line ending in `、`/`，` and the next),
/// to `。`, or to a `；` not followed by another unit label. Returns the end
/// offset and the items, every one of which must look like a unit.
fn parse_trailing(chars: &[char], start: usize) -> Option<(usize, Items)> {
    let mut end = start;
    let mut last_visible = None;
    while end < chars.len() && end - start < MAX_TRAILING_CHARS {
        let c = chars[end];
        if c == '。' || is_close(c) || is_open(c) {
            break;
        }
        if c == '\n' && !matches!(last_visible, Some('、' | '，' | ',')) {
            break;
        }
        if c == '；' || c == ';' {
            let next = (end + 1..chars.len()).find(|&j| !chars[j].is_whitespace());
            if next.and_then(|j| label_at(chars, j)).is_none() {
                break;
            }
        }
        if !c.is_whitespace() {
            last_visible = Some(c);
        }
        end += 1;
    }
    while end > start
        && (chars[end - 1].is_whitespace()
            || matches!(chars[end - 1], '，' | '、' | ',' | '；' | ';'))
    {
        end -= 1;
    }
    let content = normalize(&chars[start..end]);
    let items = parse_labeled(&content)?;
    Some((end, items))
}

/// Split on separators outside brackets.
fn split_top_level(text: &str, seps: &[char]) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '（' => depth += 1,
            '）' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth == 0 && seps.contains(&c) {
            parts.push(String::new());
        } else if let Some(last) = parts.last_mut() {
            last.push(c);
        }
    }
    parts.retain(|p| !p.is_empty());
    parts
}

/// Split a unit list value into unit names: on `、` `，` `；`, on `和`/`及`
/// where both sides are units, and off a trailing `等` (`区妇联等`,
/// `区人社局等各职能部门` -> `区人社局`, `各职能部门`).
fn split_items(value: &str) -> Vec<String> {
    let mut items = Vec::new();
    for piece in split_top_level(value, &['、', '，', '；']) {
        for part in split_conjunctions(&piece) {
            push_without_deng(&mut items, &part);
        }
    }
    items
}

/// Split `A和B` / `A及B` / `A以及B` only when both A and B look like units, so
/// `自然资源和规划局` and `人力资源和社会保障局` stay whole.
fn split_conjunctions(piece: &str) -> Vec<String> {
    let chars: Vec<char> = piece.chars().collect();
    let mut parts = Vec::new();
    let mut from = 0;
    for i in 1..chars.len() {
        if i <= from || !matches!(chars[i], '和' | '及') {
            continue;
        }
        let left_end = if chars[i] == '及' && chars[i - 1] == '以' {
            i - 1
        } else {
            i
        };
        let left: String = chars[from..left_end].iter().collect();
        let right: String = chars[i + 1..].iter().collect();
        if left.chars().count() >= 2 && unit_like(&left) && unit_like(&right) {
            parts.push(left);
            from = i + 1;
        }
    }
    parts.push(chars[from..].iter().collect());
    parts
}

fn push_without_deng(items: &mut Vec<String>, part: &str) {
    let part = part.trim_matches(['。', '：', '、', '，', '；']);
    if part.is_empty() {
        return;
    }
    if let Some(p) = part.rfind('等') {
        let (head, tail) = (&part[..p], &part[p + '等'.len_utf8()..]);
        if unit_like(head) {
            if tail.is_empty() || DENG_TAILS.contains(&tail) {
                items.push(head.to_string());
                return;
            }
            if tail.starts_with('各') && unit_like(tail) {
                items.push(head.to_string());
                items.push(tail.to_string());
                return;
            }
        }
    }
    items.push(part.to_string());
}

/// Whether a list item looks like a unit (or a group of units).
fn unit_like(item: &str) -> bool {
    let n = item.chars().count();
    (2..=40).contains(&n)
        && !item.contains(['：', '。'])
        && !item.ends_with("城乡")
        && UNIT_SUFFIXES.iter().any(|s| item.ends_with(s))
}

/// A group rather than one unit: `各镇`, `区直相关行业部门`, `…各成员单位`,
/// `1个定点扶贫单位`.
fn is_collective(unit: &str) -> bool {
    let counted = {
        let digits = unit
            .chars()
            .take_while(|c| c.is_ascii_digit() || "一二三四五六七八九十两几多".contains(*c))
            .count();
        digits > 0 && unit.chars().nth(digits) == Some('个')
    };
    counted
        || unit.contains('各')
        || unit.contains("相关")
        || unit.contains("有关")
        || unit.ends_with("成员单位")
}

/// Turn parsed items into mentions. A bare known name after a prefixed one
/// (`区委农办、乡村振兴局`) takes the previous item's level prefix.
fn make_mentions(items: Items, jurisdiction: &str) -> Vec<UnitMention> {
    let mut prev_level = None;
    items
        .into_iter()
        .map(|(unit, role)| {
            let collective = is_collective(&unit);
            let level = level_of(&unit);
            let unit_full = match (level, prev_level) {
                (None, Some(l)) if !collective && is_bare_known(&unit) => {
                    let prefixed = format!("{l}{unit}");
                    let resolved = resolve_unit(&prefixed, jurisdiction);
                    if resolved == prefixed {
                        unit.clone()
                    } else {
                        resolved
                    }
                }
                _ => resolve_unit(&unit, jurisdiction),
            };
            prev_level = level.or(prev_level);
            UnitMention {
                unit,
                unit_full,
                role,
                collective,
            }
        })
        .collect()
}

/// The alias table: (short, full suffix), longest short first.
fn aliases() -> &'static [(String, String)] {
    static TABLE: OnceLock<Vec<(String, String)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut rows: Vec<(String, String)> = ALIAS_TSV
            .lines()
            .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
            .map(|line| {
                let mut fields = line.split('\t').map(str::trim);
                let short = fields.next().unwrap_or_default().to_string();
                let full = fields
                    .next()
                    .filter(|f| !f.is_empty())
                    .map_or_else(|| short.clone(), str::to_string);
                (short, full)
            })
            .collect();
        rows.sort_by_key(|(short, _)| std::cmp::Reverse(short.chars().count()));
        rows
    })
}

/// Expand the longest alias key that starts `rest`, keeping what follows it
/// (`资规局美兰分局` -> `自然资源和规划局美兰分局`).
fn expand_alias(rest: &str) -> Option<String> {
    static BY_FIRST: OnceLock<HashMap<char, Vec<&(String, String)>>> = OnceLock::new();
    let by_first = BY_FIRST.get_or_init(|| {
        let mut map: HashMap<char, Vec<&(String, String)>> = HashMap::new();
        for row in aliases() {
            if let Some(c) = row.0.chars().next() {
                map.entry(c).or_default().push(row);
            }
        }
        map
    });
    by_first
        .get(&rest.chars().next()?)?
        .iter()
        .find(|(short, _)| rest.starts_with(short.as_str()))
        .map(|(short, full)| format!("{full}{}", &rest[short.len()..]))
}

/// A name with no level prefix that starts with a known unit type (`乡村振兴局`).
fn is_bare_known(unit: &str) -> bool {
    !is_qualified(unit)
        && (expand_alias(unit).is_some()
            || aliases()
                .iter()
                .any(|(_, full)| unit.starts_with(full.as_str())))
}

/// Starts with a place name or a party/league prefix (`海口市…`, `中共…`).
fn is_qualified(unit: &str) -> bool {
    unit.starts_with("中共") || unit.starts_with("共青团") || !place_segments(unit).is_empty()
}

/// The level char a short name starts with (`区人社局` -> 区); None for bare
/// names, including ones that merely start with 市 (`市场监管局`).
fn level_of(name: &str) -> Option<char> {
    let mut cs = name.chars();
    let c = cs.next()?;
    (LEVELS.contains(&c) && cs.next().is_some() && expand_alias(name).is_none()).then_some(c)
}

fn strip_party(name: &str) -> &str {
    name.strip_prefix("中共")
        .or_else(|| name.strip_prefix("共青团"))
        .unwrap_or(name)
}

/// The place of `jurisdiction` at `level`: ("海口市美兰区", 市) -> "海口市".
fn level_place(jurisdiction: &str, level: char) -> Option<String> {
    let segments = place_segments(strip_party(jurisdiction.trim()));
    let last = segments.iter().rposition(|s| s.ends_with(level))?;
    Some(segments[..=last].concat())
}

/// Leading place-name segments: "海口市美兰区扶贫办" -> ["海口市", "美兰区"].
fn place_segments(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut segments = Vec::new();
    let mut pos = 0;
    while let Some(len) = segment_len(&chars[pos..]) {
        segments.push(chars[pos..pos + len].iter().collect());
        pos += len;
    }
    segments
}

/// Length of a place segment (2–7 CJK chars ending in 省/市/区/县, up to 10
/// for 自治县) at the start of `chars`, shortest first.
fn segment_len(chars: &[char]) -> Option<usize> {
    let first = *chars.first()?;
    if LEVELS.contains(&first) || NOT_PLACE_START.contains(&first) {
        return None;
    }
    let cjk_run = chars.iter().take_while(|c| is_cjk(**c)).count();
    (2..=cjk_run.min(10)).find(|&len| {
        let seg: String = chars[..len].iter().collect();
        LEVELS.contains(&chars[len - 1])
            && (len <= 7 || seg.contains("自治"))
            && !NOT_PLACES.contains(&seg.as_str())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_brackets_with_a_label_colon_or_a_verb_are_parsed() {
        let chars = |s: &str| normalize(&s.chars().collect::<Vec<_>>());
        assert!(may_annotate(&chars("牵头单位: 区人社局")));
        assert!(may_annotate(&chars("区发改委牵头，各镇配合")));
        assert!(may_annotate(&chars("各市县人民政府负责")));
        assert!(!may_annotate(&chars("2021年")));
        assert!(!may_annotate(&chars("以下简称“区人社局”")));
    }

    const MEILAN: &str = "海口市美兰区";

    fn summary(a: &UnitAnnotation) -> Vec<(&str, UnitRole, bool)> {
        a.mentions
            .iter()
            .map(|m| (m.unit.as_str(), m.role, m.collective))
            .collect()
    }

    fn full_names(a: &UnitAnnotation) -> Vec<&str> {
        a.mentions.iter().map(|m| m.unit_full.as_str()).collect()
    }

    fn char_slice(text: &str, a: &UnitAnnotation) -> String {
        text.chars().skip(a.start).take(a.end - a.start).collect()
    }

    use UnitRole::{Cooperating, Credit, Lead, Responsible};

    #[test]
    fn measure_1_split_over_lines() {
        let text = "国家、省、市出台新政策后，根据要求进行调整优化。（责任单位：区委农办、区乡村振兴局、区委实施乡村振兴\n\n战略领导小组各专项工作组，各镇）";
        let found = find_annotations(text, MEILAN);
        assert_eq!(found.len(), 1);
        let a = &found[0];
        assert_eq!(
            summary(a),
            vec![
                ("区委农办", Responsible, false),
                ("区乡村振兴局", Responsible, false),
                (
                    "区委实施乡村振兴战略领导小组各专项工作组",
                    Responsible,
                    true
                ),
                ("各镇", Responsible, true),
            ]
        );
        assert_eq!(a.start, 24);
        assert_eq!(a.end, text.chars().count());
        assert!(char_slice(text, a).starts_with("（责任单位："));
        assert_eq!(
            full_names(a),
            vec![
                "中共海口市美兰区委农村工作领导小组办公室",
                "海口市美兰区乡村振兴局",
                "中共海口市美兰区委实施乡村振兴战略领导小组各专项工作组",
                "各镇",
            ]
        );
    }

    #[test]
    fn lead_and_responsible() {
        let text = "防止松劲懈怠。（牵头单位：区委组织部、区乡村振兴局，责任单位：区委实施乡村振兴战略领导小组各成员单位，各镇）";
        let found = find_annotations(text, MEILAN);
        assert_eq!(found.len(), 1);
        assert_eq!(
            summary(&found[0]),
            vec![
                ("区委组织部", Lead, false),
                ("区乡村振兴局", Lead, false),
                ("区委实施乡村振兴战略领导小组各成员单位", Responsible, true),
                ("各镇", Responsible, true),
            ]
        );
        assert_eq!(found[0].mentions[0].unit_full, "中共海口市美兰区委组织部");
    }

    #[test]
    fn measure_13_half_width() {
        let text =
            "做好逾期贷款处置工作。(牵头单位:区金融办,责任单位:区乡村振兴局,各镇,各合作金融机构)";
        let found = find_annotations(text, MEILAN);
        assert_eq!(found.len(), 1);
        assert_eq!(
            summary(&found[0]),
            vec![
                ("区金融办", Lead, false),
                ("区乡村振兴局", Responsible, false),
                ("各镇", Responsible, true),
                ("各合作金融机构", Responsible, true),
            ]
        );
        assert_eq!(found[0].mentions[0].unit_full, "海口市美兰区金融工作办公室");
        assert_eq!((found[0].start, found[0].end), (11, text.chars().count()));
    }

    #[test]
    fn half_width_responsible_with_named_town() {
        let text = "确保新项目有效益、能增收。(责任单位:区农业农村局、区人社局、区财政局、区乡村振兴局,大致坡镇)";
        let found = find_annotations(text, MEILAN);
        assert_eq!(found.len(), 1);
        let units: Vec<&str> = found[0].mentions.iter().map(|m| m.unit.as_str()).collect();
        assert_eq!(
            units,
            vec![
                "区农业农村局",
                "区人社局",
                "区财政局",
                "区乡村振兴局",
                "大致坡镇"
            ]
        );
        assert!(found[0].mentions.iter().all(|m| m.role == Responsible));
        assert!(!found[0].mentions[4].collective);
        assert_eq!(
            found[0].mentions[1].unit_full,
            "海口市美兰区人力资源和社会保障局"
        );
    }

    #[test]
    fn mixed_widths_and_cooperating() {
        let text = "（牵头单位:区教育局，责任单位：各镇)";
        let found = find_annotations(text, MEILAN);
        assert_eq!(
            summary(&found[0]),
            vec![("区教育局", Lead, false), ("各镇", Responsible, true)]
        );
        let text = "（牵头单位：区商务局；配合单位：区科工信局、区市场监管局）";
        let found = find_annotations(text, MEILAN);
        assert_eq!(
            summary(&found[0]),
            vec![
                ("区商务局", Lead, false),
                ("区科工信局", Cooperating, false),
                ("区市场监管局", Cooperating, false),
            ]
        );
        assert_eq!(
            full_names(&found[0])[1..],
            [
                "海口市美兰区科学技术工业和信息化局",
                "海口市美兰区市场监督管理局"
            ]
        );
    }

    #[test]
    fn newline_and_spaces_inside() {
        let text = "（责任单位：区卫健委，\n\n各镇)";
        let found = find_annotations(text, MEILAN);
        assert_eq!(
            summary(&found[0]),
            vec![
                ("区卫健委", Responsible, false),
                ("各镇", Responsible, true)
            ]
        );
        let text = "（牵头单位：区 农业农村局 ， 责任单位： 区财政局）";
        let found = find_annotations(text, MEILAN);
        assert_eq!(
            summary(&found[0]),
            vec![
                ("区农业农村局", Lead, false),
                ("区财政局", Responsible, false)
            ]
        );
    }

    #[test]
    fn trailing_deng_and_deng_ge() {
        let text = "（责任单位：区农业农村局、区扶贫办、区委组织部等，各镇）";
        let found = find_annotations(text, MEILAN);
        let units: Vec<&str> = found[0].mentions.iter().map(|m| m.unit.as_str()).collect();
        assert_eq!(
            units,
            vec!["区农业农村局", "区扶贫办", "区委组织部", "各镇"]
        );
        let text = "（牵头单位：区民政局，责任单位：区住建局、区人社局等各职能部门，各镇）";
        let found = find_annotations(text, MEILAN);
        assert_eq!(
            summary(&found[0]),
            vec![
                ("区民政局", Lead, false),
                ("区住建局", Responsible, false),
                ("区人社局", Responsible, false),
                ("各职能部门", Responsible, true),
                ("各镇", Responsible, true),
            ]
        );
    }

    #[test]
    fn verb_form_lead_and_cooperating() {
        let text = "加快建设统一大市场（市发展改革委牵头，市财政局、市商务局配合）。";
        let found = find_annotations(text, "杭州市");
        assert_eq!(found.len(), 1);
        assert_eq!(
            summary(&found[0]),
            vec![
                ("市发展改革委", Lead, false),
                ("市财政局", Cooperating, false),
                ("市商务局", Cooperating, false),
            ]
        );
        assert_eq!(full_names(&found[0])[0], "杭州市发展和改革委员会");
        assert_eq!(
            char_slice(text, &found[0]),
            "（市发展改革委牵头，市财政局、市商务局配合）"
        );
    }

    #[test]
    fn verb_form_collective_responsible() {
        let found = find_annotations("落实属地责任（各市县人民政府负责）", "海南省");
        assert_eq!(
            summary(&found[0]),
            vec![("各市县人民政府", Responsible, true)]
        );
        assert_eq!(found[0].mentions[0].unit_full, "各市县人民政府");
    }

    #[test]
    fn verb_form_with_deng_and_duty_split() {
        let found = find_annotations("（省教育厅、省人社厅等按职责分工负责）", "海南省");
        assert_eq!(
            summary(&found[0]),
            vec![
                ("省教育厅", Responsible, false),
                ("省人社厅", Responsible, false),
            ]
        );
        assert_eq!(
            full_names(&found[0]),
            vec!["海南省教育厅", "海南省人力资源和社会保障厅"]
        );
        let found = find_annotations("（区扶贫办、区农业农村局负责）", MEILAN);
        assert_eq!(
            summary(&found[0]),
            vec![
                ("区扶贫办", Responsible, false),
                ("区农业农村局", Responsible, false),
            ]
        );
        assert_eq!(
            found[0].mentions[0].unit_full,
            "海口市美兰区扶贫开发领导小组办公室"
        );
    }

    #[test]
    fn verb_form_conjunction() {
        let found = find_annotations("（由市财政局和市商务局牵头）", "杭州市");
        assert_eq!(
            summary(&found[0]),
            vec![("市财政局", Lead, false), ("市商务局", Lead, false)]
        );
    }

    #[test]
    fn unbracketed_labels() {
        let text = "将考核结果作为干部选拔任用的重要参考。牵头考核单位：省委组织部";
        let found = find_annotations(text, "海南省");
        assert_eq!(found.len(), 1);
        assert_eq!(summary(&found[0]), vec![("省委组织部", Lead, false)]);
        assert_eq!(found[0].mentions[0].unit_full, "中共海南省委组织部");
        assert_eq!(char_slice(text, &found[0]), "牵头考核单位：省委组织部");

        let text = "完善社会救助体系。\n责任单位：市民政局、市财政局\n下一段。";
        let found = find_annotations(text, "三亚市");
        assert_eq!(found.len(), 1);
        assert_eq!(
            summary(&found[0]),
            vec![
                ("市民政局", Responsible, false),
                ("市财政局", Responsible, false),
            ]
        );
        assert_eq!(char_slice(text, &found[0]), "责任单位：市民政局、市财政局");
    }

    #[test]
    fn other_labels_are_skipped() {
        let found = find_annotations("（责任单位：市发展改革委；完成时限：2022年底前）", "三亚市");
        assert_eq!(
            summary(&found[0]),
            vec![("市发展改革委", Responsible, false)]
        );
    }

    #[test]
    fn conjunctions_inside_names_are_kept() {
        let found = find_annotations(
            "（责任单位：区自然资源和规划局、区人力资源和社会保障局、区民政局和各镇）",
            MEILAN,
        );
        let units: Vec<&str> = found[0].mentions.iter().map(|m| m.unit.as_str()).collect();
        assert_eq!(
            units,
            vec![
                "区自然资源和规划局",
                "区人力资源和社会保障局",
                "区民政局",
                "各镇"
            ]
        );
    }

    #[test]
    fn asides_are_not_annotations() {
        for text in [
            "加大产业技术培训（含致富带头人培训）力度",
            "《海南省村党组织书记县级党委备案管理办法（试行）》",
            "海口市“十四五”规划（2021—2025年）",
            "（联系人：陈大光，联系电话：65312449）",
            "以“六治”（即治懒散、治酗酒、治私彩、治浪费、治不孝、治脏乱）为抓手",
            "（其中已治愈的肺结核患者除外）",
            "地方政府负责人员组织和技能培训，区农业农村局指导抓好",
            "各责任单位要按工作要点的分工进一步细化措施",
        ] {
            assert_eq!(find_annotations(text, MEILAN), vec![], "{text}");
        }
    }

    #[test]
    fn bare_name_inherits_level() {
        let found = find_annotations("（责任单位：区委农办、乡村振兴局）", MEILAN);
        assert_eq!(found[0].mentions[1].unit, "乡村振兴局");
        assert_eq!(found[0].mentions[1].unit_full, "海口市美兰区乡村振兴局");
    }

    #[test]
    fn several_annotations_in_order() {
        let text = "（1）甲。（牵头单位：区教育局，责任单位：各镇）\n（2）乙。（责任单位：区卫健委，各镇）";
        let found = find_annotations(text, MEILAN);
        assert_eq!(found.len(), 2);
        assert!(found[0].end <= found[1].start);
        assert_eq!(char_slice(text, &found[1]), "（责任单位：区卫健委，各镇）");
    }

    #[test]
    fn resolve_short_names() {
        assert_eq!(
            resolve_unit("区人社局", MEILAN),
            "海口市美兰区人力资源和社会保障局"
        );
        assert_eq!(
            resolve_unit("区委组织部", MEILAN),
            "中共海口市美兰区委组织部"
        );
        assert_eq!(resolve_unit("市委组织部", "三亚市"), "中共三亚市委组织部");
        assert_eq!(
            resolve_unit("市人社局", MEILAN),
            "海口市人力资源和社会保障局"
        );
        assert_eq!(
            resolve_unit("区委农办", MEILAN),
            "中共海口市美兰区委农村工作领导小组办公室"
        );
        assert_eq!(
            resolve_unit("区委编办", MEILAN),
            "中共海口市美兰区委机构编制委员会办公室"
        );
        assert_eq!(
            resolve_unit("区卫健委", MEILAN),
            "海口市美兰区卫生健康委员会"
        );
        assert_eq!(
            resolve_unit("市资规局美兰分局", MEILAN),
            "海口市自然资源和规划局美兰分局"
        );
        assert_eq!(
            resolve_unit("市市场监管局美兰分局", MEILAN),
            "海口市市场监督管理局美兰分局"
        );
        assert_eq!(resolve_unit("团区委", MEILAN), "共青团海口市美兰区委员会");
        assert_eq!(resolve_unit("区纪委监委", MEILAN), "海口市美兰区纪委监委");
        assert_eq!(resolve_unit("区政府", MEILAN), "海口市美兰区人民政府");
    }

    #[test]
    fn resolve_leaves_what_it_cannot_place() {
        assert_eq!(
            resolve_unit("区指挥部办公室", MEILAN),
            "海口市美兰区指挥部办公室"
        );
        assert_eq!(resolve_unit("海口市医疗保障局", MEILAN), "海口市医疗保障局");
        assert_eq!(
            resolve_unit("中共三亚市委组织部", MEILAN),
            "中共三亚市委组织部"
        );
        assert_eq!(resolve_unit("乡村振兴局", MEILAN), "乡村振兴局");
        assert_eq!(resolve_unit("各镇", MEILAN), "各镇");
        assert_eq!(resolve_unit("省委组织部", MEILAN), "省委组织部");
        assert_eq!(resolve_unit("区人社局", ""), "区人社局");
        assert_eq!(resolve_unit("市场监管局", "三亚市"), "市场监管局");
    }

    #[test]
    fn jurisdiction_from_issuer() {
        assert_eq!(jurisdiction_of("中共海口市美兰区委"), "海口市美兰区");
        assert_eq!(
            jurisdiction_of("海口市美兰区扶贫开发领导小组"),
            "海口市美兰区"
        );
        assert_eq!(jurisdiction_of("海南省乡村振兴局"), "海南省");
        assert_eq!(jurisdiction_of("中共三亚市委组织部"), "三亚市");
        assert_eq!(
            jurisdiction_of("中共海口市美兰区委 海口市美兰区人民政府"),
            "海口市美兰区"
        );
        assert_eq!(jurisdiction_of("海口市市场监督管理局"), "海口市");
        assert_eq!(jurisdiction_of("海口市城市管理局"), "海口市");
        assert_eq!(
            jurisdiction_of("琼中黎族苗族自治县人民政府"),
            "琼中黎族苗族自治县"
        );
        assert_eq!(jurisdiction_of("国务院办公厅"), "");
    }

    #[test]
    fn credit_lines() {
        let m = parse_credit_line("（海口市医疗保障局、乡村振兴局提供）").unwrap();
        assert_eq!(
            m,
            vec![
                UnitMention {
                    unit: "海口市医疗保障局".into(),
                    unit_full: "海口市医疗保障局".into(),
                    role: Credit,
                    collective: false,
                },
                UnitMention {
                    unit: "乡村振兴局".into(),
                    unit_full: "海口市乡村振兴局".into(),
                    role: Credit,
                    collective: false,
                },
            ]
        );
        let m = parse_credit_line("（儋州市乡村振兴局）").unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].unit_full, "儋州市乡村振兴局");
        assert_eq!(m[0].role, Credit);
        let m = parse_credit_line(" (定安县乡村振兴局供稿) ").unwrap();
        assert_eq!(m[0].unit, "定安县乡村振兴局");
        let m = parse_credit_line("（中共海口市委组织部、宣传部提供）").unwrap();
        assert_eq!(m[1].unit_full, "中共海口市委宣传部");
        let m = parse_credit_line("（三亚市民政局、人社局提供）").unwrap();
        assert_eq!(m[1].unit_full, "三亚市人力资源和社会保障局");
    }

    #[test]
    fn not_credit_lines() {
        for line in [
            "（总第 32 期）",
            "（试行）",
            "（2021—2025年）",
            "（联系人：陈大光，联系电话：65312449）",
            "（作者为三亚中央商务区管理局党委专职副书记）",
            "（本文转载自《海南日报》）",
            "(责任单位:区委实施乡村振兴战略领导小组各成员单位,各镇)",
            "（各市县人民政府负责）",
            "海口市医疗保障局",
            "（一）",
        ] {
            assert_eq!(parse_credit_line(line), None, "{line}");
        }
    }

    #[test]
    fn alias_table_is_well_formed() {
        let mut keys: Vec<&str> = aliases().iter().map(|(k, _)| k.as_str()).collect();
        assert!(keys.len() > 50);
        assert!(aliases()
            .iter()
            .all(|(k, f)| !k.is_empty() && !f.is_empty()));
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "duplicate short names");
        assert!(ALIAS_TSV
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .all(|l| l.split('\t').count() <= 2));
    }
}
