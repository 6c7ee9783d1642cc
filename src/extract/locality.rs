//! Hainan place names: a small gazetteer (`data/gazetteer.tsv`) and the
//! extraction of locality mentions from clean bulletin text.
//!
//! Matching is dictionary based (canonical names and text-safe aliases,
//! longest match first) plus one conservative suffix rule: right after a
//! known place, a 2–4 character CJK name ending in 镇/乡/街道/村/社区 is
//! reported as a child of that place even when the gazetteer lacks it
//! (`灵山镇新风村`). All offsets are `char` offsets, not byte offsets.

use serde::Serialize;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The gazetteer source, embedded at compile time.
const GAZETTEER_TSV: &str = include_str!("../../data/gazetteer.tsv");

/// Aliases with this prefix are accepted by [`resolve_region`] and
/// [`chain_of`] but never matched in running text (`~琼`, `~东方`).
const QUERY_ONLY_PREFIX: char = '~';

/// Guard against parent cycles in a hand-edited data file.
const MAX_CHAIN_DEPTH: usize = 16;

/// Characters that never occur in a name found by the suffix rule: function
/// words, quantifiers, administrative nouns and the suffixes themselves.
const STOP_CHARS: &str = "的在和与对等个各全本该每其此这了是为将把从向到被于及或并又也都所级委党政府部局办省市县区镇乡村";

/// Words that never occur in a name found by the suffix rule.
const STOP_WORDS: &[&str] = &[
    "行政", "自然", "建制", "贫困", "脱贫", "示范", "试点", "重点", "美丽", "文明", "数字", "相关",
    "所有", "部分", "举行", "开展", "推进", "建设", "打造", "实施", "加强", "推动", "组织", "发展",
    "召开", "通过", "选择", "位于", "围绕", "作为", "博士", "院士", "一批", "多个", "农业", "城市",
    "社会",
];

/// One place-name occurrence in a text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocalityMention {
    /// Canonical name, e.g. `琼中黎族苗族自治县` or `仲恺村`.
    pub name: String,
    /// The text as written, e.g. `琼中县`.
    pub surface: String,
    /// One of province, city, district, county, zone, town, village, community.
    pub level: String,
    /// Canonical names from the province down to this place, e.g.
    /// `["海南省","海口市","美兰区","灵山镇","仲恺村"]`.
    pub chain: Vec<String>,
    /// Char offset of the first character of `surface` in the text.
    pub start: usize,
    /// Char offset one past the last character of `surface`.
    pub end: usize,
}

/// One gazetteer row with its parent resolved to an index.
struct Place {
    name: String,
    level: String,
    parent: Option<usize>,
}

/// The parsed gazetteer with its lookup tables.
struct Gazetteer {
    places: Vec<Place>,
    /// Names and aliases that may be matched in running text.
    text_keys: HashMap<String, usize>,
    /// All names and aliases, including query-only ones.
    query_keys: HashMap<String, usize>,
    /// For each char of the Basic Multilingual Plane, the length in chars of
    /// the longest `text_keys` entry it starts (0: none), read at every
    /// position of every text searched.
    first_chars: Vec<u8>,
    /// The same for the chars above it.
    other_first_chars: HashMap<char, usize>,
}

/// A text as chars, with the byte offset of each char (and of the end), so
/// that a run of chars is a slice of the text rather than a new string.
struct CharText<'a> {
    text: &'a str,
    chars: Vec<char>,
    starts: Vec<usize>,
}

impl<'a> CharText<'a> {
    fn new(text: &'a str) -> Self {
        let (starts, chars) = text.char_indices().unzip();
        let mut t = CharText {
            text,
            chars,
            starts,
        };
        t.starts.push(text.len());
        t
    }

    /// Chars `[from, to)`.
    fn run(&self, from: usize, to: usize) -> &'a str {
        &self.text[self.starts[from]..self.starts[to]]
    }
}

impl Gazetteer {
    /// Parses the TSV; malformed lines are skipped (the tests check there are none).
    fn parse(tsv: &str) -> Gazetteer {
        let rows: Vec<Vec<&str>> = tsv
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| l.split('\t').map(str::trim).collect::<Vec<_>>())
            .filter(|f| f.len() >= 2 && !f[0].is_empty())
            .collect();
        let index: HashMap<&str, usize> = rows.iter().enumerate().map(|(i, f)| (f[0], i)).collect();
        let places = rows
            .iter()
            .map(|f| Place {
                name: f[0].to_string(),
                level: f[1].to_string(),
                parent: f.get(2).and_then(|p| index.get(p).copied()),
            })
            .collect();
        let mut text_keys = HashMap::new();
        let mut query_keys = HashMap::new();
        for (i, f) in rows.iter().enumerate() {
            text_keys.entry(f[0].to_string()).or_insert(i);
            query_keys.entry(f[0].to_string()).or_insert(i);
            let aliases = f.get(3).copied().unwrap_or("");
            for alias in aliases.split(',').map(str::trim).filter(|a| !a.is_empty()) {
                match alias.strip_prefix(QUERY_ONLY_PREFIX) {
                    Some(query_only) => {
                        query_keys.entry(query_only.to_string()).or_insert(i);
                    }
                    None => {
                        text_keys.entry(alias.to_string()).or_insert(i);
                        query_keys.entry(alias.to_string()).or_insert(i);
                    }
                }
            }
        }
        let mut first_chars = vec![0u8; 0x10000];
        let mut other_first_chars: HashMap<char, usize> = HashMap::new();
        for key in text_keys.keys() {
            let Some(c) = key.chars().next() else {
                continue;
            };
            let len = key.chars().count();
            match first_chars.get_mut(c as usize) {
                Some(longest) => *longest = (*longest).max(len.min(u8::MAX as usize) as u8),
                None => {
                    let longest = other_first_chars.entry(c).or_default();
                    *longest = (*longest).max(len);
                }
            }
        }
        Gazetteer {
            places,
            text_keys,
            query_keys,
            first_chars,
            other_first_chars,
        }
    }

    /// Canonical names from the root down to place `idx`.
    fn chain(&self, idx: usize) -> Vec<String> {
        let mut chain = Vec::new();
        let mut cur = Some(idx);
        while let Some(i) = cur {
            if chain.len() >= MAX_CHAIN_DEPTH {
                break;
            }
            chain.push(self.places[i].name.clone());
            cur = self.places[i].parent;
        }
        chain.reverse();
        chain
    }

    /// Longest text key starting at `pos`: `(length in chars, place index)`.
    fn longest_at(&self, t: &CharText, pos: usize) -> Option<(usize, usize)> {
        let c = *t.chars.get(pos)?;
        let longest = match self.first_chars.get(c as usize) {
            Some(&n) => n as usize,
            None => self.other_first_chars.get(&c).copied().unwrap_or(0),
        }
        .min(t.chars.len() - pos);
        (1..=longest).rev().find_map(|len| {
            self.text_keys
                .get(t.run(pos, pos + len))
                .map(|&idx| (len, idx))
        })
    }

    /// Mention for a gazetteer key of `len` chars at `pos` naming place `idx`.
    fn mention(&self, t: &CharText, pos: usize, len: usize, idx: usize) -> LocalityMention {
        let place = &self.places[idx];
        LocalityMention {
            name: place.name.clone(),
            surface: t.run(pos, pos + len).to_string(),
            level: place.level.clone(),
            chain: self.chain(idx),
            start: pos,
            end: pos + len,
        }
    }

    /// The suffix rule: a child place of `parent` written right at `pos`.
    fn derived_child(
        &self,
        t: &CharText,
        pos: usize,
        parent: &LocalityMention,
    ) -> Option<LocalityMention> {
        let suffixes: &[(&str, &str)] = match parent.level.as_str() {
            "city" | "district" | "county" => &[
                ("街道", "town"),
                ("镇", "town"),
                ("乡", "town"),
                ("社区", "community"),
                ("村", "village"),
            ],
            "zone" | "town" => &[("社区", "community"), ("村", "village")],
            _ => return None,
        };
        for name_len in 1..=4 {
            let last = *t.chars.get(pos + name_len - 1)?;
            // A longer token only adds characters, so any failure here is final.
            if !is_cjk(last)
                || STOP_CHARS.contains(last)
                || (name_len > 1 && self.longest_at(t, pos + name_len - 1).is_some())
            {
                return None;
            }
            let token = t.run(pos, pos + name_len);
            if STOP_WORDS.iter().any(|w| token.contains(w)) {
                return None;
            }
            if name_len < 2 {
                continue;
            }
            for &(suffix, level) in suffixes {
                let sfx: Vec<char> = suffix.chars().collect();
                let end = pos + name_len + sfx.len();
                if t.chars.get(pos + name_len..end) != Some(&sfx[..])
                    || t.chars.get(end).is_some_and(|&c| continues_word(suffix, c))
                {
                    continue;
                }
                let name = format!("{token}{suffix}");
                let mut chain = parent.chain.clone();
                chain.push(name.clone());
                return Some(LocalityMention {
                    surface: name.clone(),
                    name,
                    level: level.to_string(),
                    chain,
                    start: pos,
                    end,
                });
            }
        }
        None
    }
}

/// Whether `next` turns `suffix` into a common word (`村长`, `乡村`, `镇级`)
/// rather than ending a place name.
fn continues_word(suffix: &str, next: char) -> bool {
    let followers = match suffix {
        "村" => "长民级集干务庄里容情貌镇",
        "乡" => "村镇亲贤土情愁下",
        "镇" => "长级",
        _ => "",
    };
    followers.contains(next)
}

/// Whether `c` is a CJK unified ideograph (basic, extension A/B+ or compatibility).
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}')
}

/// The gazetteer, parsed once on first use.
fn gazetteer() -> &'static Gazetteer {
    static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
    GAZETTEER.get_or_init(|| Gazetteer::parse(GAZETTEER_TSV))
}

/// All gazetteer places mentioned in `text`, longest match first at each
/// position, left to right, non-overlapping.
///
/// Query-only aliases (`琼`, bare `东方`/`文昌`/`万宁`) are never matched.
/// Right after a city, district, county, zone or town, an unknown 2–4
/// character name ending in 镇/乡/街道/村/社区 is reported as its child when
/// it is longer than any gazetteer match at that position.
pub fn find_localities(text: &str) -> Vec<LocalityMention> {
    let g = gazetteer();
    let t = CharText::new(text);
    let mut found: Vec<LocalityMention> = Vec::new();
    let mut pos = 0;
    while pos < t.chars.len() {
        let known = g.longest_at(&t, pos);
        let derived = found
            .last()
            .filter(|prev| prev.end == pos)
            .and_then(|prev| g.derived_child(&t, pos, prev));
        let known_len = known.map_or(0, |(len, _)| len);
        let mention = match (derived, known) {
            (Some(d), _) if d.end - d.start > known_len => Some(d),
            (_, Some((len, idx))) => Some(g.mention(&t, pos, len, idx)),
            _ => None,
        };
        match mention {
            Some(m) => {
                pos = m.end;
                found.push(m);
            }
            None => pos += 1,
        }
    }
    found
}

/// The most specific place in `text` (deepest level, i.e. longest chain; on
/// ties the first), with its chain — the place an article is about.
pub fn most_specific_locality(text: &str) -> Option<LocalityMention> {
    most_specific(find_localities(text).iter()).cloned()
}

/// The most specific of some mentions (longest chain; on ties the first).
pub fn most_specific<'a>(
    mentions: impl Iterator<Item = &'a LocalityMention>,
) -> Option<&'a LocalityMention> {
    mentions.fold(None, |best, m| match best {
        Some(b) if b.chain.len() >= m.chain.len() => Some(b),
        _ => Some(m),
    })
}

/// Canonical names (all levels) a region filter string can match:
/// `"海口"` -> `["海口市"]`, `"琼中县"` -> `["琼中黎族苗族自治县"]`,
/// `"美兰区"` -> `["美兰区"]`; empty if unknown.
///
/// Any name or alias is accepted, including query-only ones (`琼` -> `海南省`).
/// A nested path such as `海口市美兰区` resolves to its innermost place.
pub fn resolve_region(query: &str) -> Vec<String> {
    let query = query.trim();
    if let Some(&idx) = gazetteer().query_keys.get(query) {
        return vec![gazetteer().places[idx].name.clone()];
    }
    let mentions = find_localities(query);
    let nested = mentions
        .windows(2)
        .all(|w| w[0].end == w[1].start && w[1].chain[..w[1].chain.len() - 1].contains(&w[0].name));
    match (mentions.first(), mentions.last()) {
        (Some(first), Some(last))
            if nested && first.start == 0 && last.end == query.chars().count() =>
        {
            vec![last.name.clone()]
        }
        _ => Vec::new(),
    }
}

/// Look a canonical or alias name up and return its chain (province down to itself).
pub fn chain_of(name: &str) -> Option<Vec<String>> {
    let g = gazetteer();
    g.query_keys.get(name.trim()).map(|&idx| g.chain(idx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn names(text: &str) -> Vec<String> {
        find_localities(text).into_iter().map(|m| m.name).collect()
    }

    fn strs(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn village_with_full_chain() {
        let m = most_specific_locality("如美兰区灵山镇仲恺村立足村情实际").unwrap();
        assert_eq!(m.name, "仲恺村");
        assert_eq!(m.level, "village");
        assert_eq!(
            m.chain,
            strs(&["海南省", "海口市", "美兰区", "灵山镇", "仲恺村"])
        );
        assert_eq!((m.start, m.end), (7, 10));
    }

    #[test]
    fn county_alias_in_title() {
        let all = find_localities("琼中县 :以“五个强化”打造数字乡村 提升乡村治理能力");
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].name, "琼中黎族苗族自治县");
        assert_eq!(all[0].surface, "琼中县");
        assert_eq!(all[0].level, "county");
        assert_eq!(
            names("琼海市：探索“四级化事法”乡村治理新机制"),
            strs(&["琼海市"])
        );
        assert_eq!(
            names("昌江县：创新推出“乡村履职清单制、村民行为积分制”"),
            strs(&["昌江黎族自治县"])
        );
    }

    #[test]
    fn village_under_county_level_city() {
        let m = most_specific_locality("琼海市沙美村以党建促乡村振兴").unwrap();
        assert_eq!(m.name, "沙美村");
        assert!(m.chain.contains(&"琼海市".to_string()));
        assert_eq!(m.chain, strs(&["海南省", "琼海市", "博鳌镇", "沙美村"]));
    }

    #[test]
    fn gazetteer_parent_wins_over_juxtaposition() {
        // 003 writes 叉河镇山竹沟村和石碌镇红阳村 once, but 叉河镇红阳村 twice
        // and 石碌镇山竹沟村 once; the gazetteer records the latter.
        let all = find_localities("以叉河镇山竹沟村和石碌镇红阳村试点示范村举例");
        let got: Vec<&str> = all.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(got, ["叉河镇", "山竹沟村", "石碌镇", "红阳村"]);
        assert_eq!(
            all[1].chain,
            strs(&["海南省", "昌江黎族自治县", "石碌镇", "山竹沟村"])
        );
        assert_eq!(
            all[3].chain,
            strs(&["海南省", "昌江黎族自治县", "叉河镇", "红阳村"])
        );
    }

    #[test]
    fn collective_words_are_not_places() {
        assert!(find_localities("各镇党委、人民政府，各街道工委、办事处").is_empty());
        assert!(find_localities("推进乡村振兴，全村、本村、行政村和农村集体经济").is_empty());
        assert!(most_specific_locality("各镇党委、人民政府").is_none());
    }

    #[test]
    fn alias_inside_full_name_is_one_mention() {
        let all = find_localities("海口市美兰区");
        assert_eq!(all.len(), 2);
        assert_eq!((all[0].surface.as_str(), all[0].end), ("海口市", 3));
        assert_eq!(names("海口三江莲雾"), strs(&["海口市"]));
        assert_eq!(names("三江镇茆茆村"), strs(&["三江镇", "茆茆村"]));
    }

    #[test]
    fn ambiguous_short_forms_need_their_suffix() {
        assert!(find_localities("琼州海峡的琼字").is_empty());
        assert!(find_localities("发展文昌鸡养殖，东方宝地公司，万宁").is_empty());
        assert_eq!(
            names("东方市大田镇乐妹村"),
            strs(&["东方市", "大田镇", "乐妹村"])
        );
        assert_eq!(names("文昌市、万宁市"), strs(&["文昌市", "万宁市"]));
        assert_eq!(names("定安深入践行"), strs(&["定安县"]));
    }

    #[test]
    fn misprint_alias_maps_to_canonical() {
        let m = most_specific_locality("琼中县和平镇埝对村获评").unwrap();
        assert_eq!(m.name, "堑对村");
        assert_eq!(m.surface, "埝对村");
        assert_eq!(m.chain[1], "琼中黎族苗族自治县");
    }

    #[test]
    fn suffix_rule_adds_unknown_children() {
        let all = find_localities("儋州市那大镇石屋村党支部");
        let got: Vec<(&str, &str)> = all
            .iter()
            .map(|m| (m.name.as_str(), m.level.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("儋州市", "city"),
                ("那大镇", "town"),
                ("石屋村", "village")
            ]
        );
        assert_eq!(
            all[2].chain,
            strs(&["海南省", "儋州市", "那大镇", "石屋村"])
        );
        let m = most_specific_locality("灵山镇新风村村民").unwrap();
        assert_eq!(
            m.chain,
            strs(&["海南省", "海口市", "美兰区", "灵山镇", "新风村"])
        );
        assert_eq!(names("吉阳区月川社区"), strs(&["吉阳区", "月川社区"]));
    }

    #[test]
    fn suffix_rule_is_conservative() {
        assert_eq!(names("美兰区各镇"), strs(&["美兰区"]));
        assert_eq!(names("琼中县美丽乡村"), strs(&["琼中黎族苗族自治县"]));
        assert_eq!(names("琼中县数字乡村"), strs(&["琼中黎族苗族自治县"]));
        assert_eq!(names("崖州区博士村长"), strs(&["崖州区"]));
        assert_eq!(
            names("吉阳区举行博后村乡村振兴"),
            strs(&["吉阳区", "博后村"])
        );
        assert_eq!(names("海口市乡村振兴局"), strs(&["海口市"]));
        assert_eq!(names("美兰区行政村"), strs(&["美兰区"]));
        assert_eq!(names("三亚市农业农村局"), strs(&["三亚市"]));
    }

    #[test]
    fn resolve_region_examples() {
        assert_eq!(resolve_region("海口"), strs(&["海口市"]));
        assert_eq!(resolve_region("琼中县"), strs(&["琼中黎族苗族自治县"]));
        assert_eq!(resolve_region("美兰区"), strs(&["美兰区"]));
        assert_eq!(resolve_region(" 琼 "), strs(&["海南省"]));
        assert_eq!(resolve_region("文昌"), strs(&["文昌市"]));
        assert_eq!(resolve_region("海口市美兰区"), strs(&["美兰区"]));
        assert!(resolve_region("北京").is_empty());
        assert!(resolve_region("").is_empty());
        assert!(resolve_region("美兰区海口市").is_empty());
    }

    #[test]
    fn chain_lookup() {
        assert_eq!(chain_of("海南省"), Some(strs(&["海南省"])));
        assert_eq!(
            chain_of("琼中"),
            Some(strs(&["海南省", "琼中黎族苗族自治县"]))
        );
        assert_eq!(
            chain_of("大道湖村"),
            Some(strs(&[
                "海南省",
                "海口市",
                "美兰区",
                "大致坡镇",
                "昌福村",
                "大道湖村"
            ]))
        );
        assert_eq!(
            chain_of("那受村"),
            Some(strs(&["海南省", "三亚市", "育才生态区", "那受村"]))
        );
        assert_eq!(chain_of("不存在"), None);
    }

    #[test]
    fn offsets_are_char_offsets() {
        let text = "2024 年，ABC 如美兰区灵山镇仲恺村 and 三亚市吉阳区博后村🙂琼中县。";
        let chars: Vec<char> = text.chars().collect();
        let all = find_localities(text);
        assert_eq!(all.len(), 7);
        for m in &all {
            assert_eq!(m.surface, chars[m.start..m.end].iter().collect::<String>());
        }
    }

    #[test]
    fn gazetteer_file_is_well_formed() {
        let levels = [
            "province",
            "city",
            "district",
            "county",
            "zone",
            "town",
            "village",
            "community",
        ];
        let rows: Vec<Vec<&str>> = GAZETTEER_TSV
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| l.split('\t').collect())
            .collect();
        let names: HashSet<&str> = rows.iter().map(|f| f[0]).collect();
        assert_eq!(names.len(), rows.len(), "duplicate canonical names");
        let mut keys = HashSet::new();
        for f in &rows {
            assert_eq!(f.len(), 4, "bad line {f:?}");
            assert!(levels.contains(&f[1]), "bad level {f:?}");
            assert!(f[2].is_empty() == (f[0] == "海南省"), "bad parent {f:?}");
            assert!(
                f[2].is_empty() || names.contains(f[2]),
                "unknown parent {f:?}"
            );
            assert!(keys.insert(f[0]), "key collision {f:?}");
            for alias in f[3].split(',').filter(|a| !a.is_empty()) {
                assert!(
                    keys.insert(alias.trim_start_matches('~')),
                    "alias collision {f:?}"
                );
            }
        }
        let g = gazetteer();
        assert_eq!(g.places.len(), rows.len());
        for p in 0..g.places.len() {
            assert_eq!(g.chain(p)[0], "海南省");
        }
        for required in [
            "海口市",
            "三亚市",
            "三沙市",
            "儋州市",
            "秀英区",
            "龙华区",
            "琼山区",
            "美兰区",
            "海棠区",
            "吉阳区",
            "天涯区",
            "崖州区",
            "五指山市",
            "琼海市",
            "文昌市",
            "万宁市",
            "东方市",
            "定安县",
            "屯昌县",
            "澄迈县",
            "临高县",
            "白沙黎族自治县",
            "昌江黎族自治县",
            "乐东黎族自治县",
            "陵水黎族自治县",
            "保亭黎族苗族自治县",
            "琼中黎族苗族自治县",
        ] {
            assert!(names.contains(required), "missing {required}");
        }
    }

    #[test]
    fn arbitrary_strings_do_not_panic() {
        let pool: Vec<char> = "海南省口三亚琼中县镇乡村社区街道和平美兰区灵山仲恺各全本的东方文昌 \n\t:：，。a1🙂\u{0}~"
            .chars()
            .collect();
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2000 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let len = (seed >> 58) as usize;
            let text: String = (0..len)
                .map(|i| {
                    let r = seed.rotate_left(7 * i as u32) ^ (i as u64).wrapping_mul(0x2545_F491);
                    pool[(r % pool.len() as u64) as usize]
                })
                .collect();
            let chars: Vec<char> = text.chars().collect();
            let all = find_localities(&text);
            let mut last_end = 0;
            for m in &all {
                assert!(m.start >= last_end && m.start < m.end && m.end <= chars.len());
                assert_eq!(m.surface, chars[m.start..m.end].iter().collect::<String>());
                assert_eq!(m.chain.last(), Some(&m.name));
                last_end = m.end;
            }
            let _ = most_specific_locality(&text);
            let _ = resolve_region(&text);
            let _ = chain_of(&text);
        }
    }
}
