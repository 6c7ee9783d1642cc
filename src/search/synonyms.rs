//! Query expansion from the synonym and abbreviation table in `data/synonyms.txt`.

use std::sync::OnceLock;

use crate::normalize::fold;

const TABLE: &str = include_str!("../../data/synonyms.txt");

/// Groups of equivalent expressions, folded.
fn groups() -> &'static [Vec<String>] {
    static GROUPS: OnceLock<Vec<Vec<String>>> = OnceLock::new();
    GROUPS.get_or_init(|| parse_table(TABLE))
}

/// Parse a synonym table: one `a | b | c` group per line, `#` comments.
pub fn parse_table(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            l.split('|')
                .map(|m| fold(m).split_whitespace().collect::<Vec<_>>().join(" "))
                .filter(|m| !m.is_empty())
                .collect::<Vec<_>>()
        })
        .filter(|g| g.len() > 1)
        .collect()
}

/// The other members of every group `term` belongs to (`防返贫` → `防止返贫`, `返贫致贫`).
pub fn expansions(term: &str) -> Vec<String> {
    let key = fold(term).split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out: Vec<String> = Vec::new();
    for g in groups().iter().filter(|g| g.contains(&key)) {
        for m in g.iter().filter(|m| **m != key) {
            if !out.contains(m) {
                out.push(m.clone());
            }
        }
    }
    out
}

/// The members of every group a query can reach: groups with a member made
/// only of chars of `query` (folded, spaces ignored). Expanding a query only
/// ever meets these; a CLI search builds its small dictionary from them.
pub fn reachable_members(query: &str) -> Vec<&'static str> {
    let chars: std::collections::HashSet<char> = fold(query).chars().collect();
    groups()
        .iter()
        .filter(|g| {
            g.iter()
                .any(|m| m.chars().filter(|c| *c != ' ').all(|c| chars.contains(&c)))
        })
        .flatten()
        .map(String::as_str)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_both_ways() {
        assert!(expansions("防返贫").contains(&"防止返贫".to_string()));
        assert!(expansions("防止返贫").contains(&"防返贫".to_string()));
        assert!(expansions("两不愁三保障").contains(&"义务教育 基本医疗 住房安全".to_string()));
        assert!(expansions("驻村干部").contains(&"驻村工作队员".to_string()));
        assert!(expansions("不存在的词").is_empty());
    }

    #[test]
    fn reachable_members_cover_expansions() {
        let r = reachable_members("防返贫 工作");
        assert!(r.contains(&"防止返贫") && r.contains(&"防返贫"));
        assert!(reachable_members("区块链").is_empty());
    }

    #[test]
    fn table_format() {
        let g = parse_table("# c\n a | Ｂ b \n\nsolo\n");
        assert_eq!(g, vec![vec!["a".to_string(), "b b".to_string()]]);
    }
}
