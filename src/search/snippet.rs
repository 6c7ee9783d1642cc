//! Snippets: a window of a record's text around the query terms, with every
//! occurrence marked. Matching is on chars of the folded text, so marks always
//! fall on char boundaries of the stored text.

use crate::normalize::fold_char;

/// Chars of context in a snippet.
pub const SNIPPET_CHARS: usize = 110;

/// A window of text with marked ranges.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snippet {
    /// The window's text.
    pub text: String,
    /// Marked char ranges in `text`, sorted, non-overlapping, adjacent ones merged.
    pub marks: Vec<(usize, usize)>,
    /// Text was cut before the window.
    pub cut_before: bool,
    /// Text was cut after the window.
    pub cut_after: bool,
}

impl Snippet {
    /// Render with a pair of markers around each marked range.
    pub fn render(&self, open: &str, close: &str, escape: fn(&str) -> String) -> String {
        let chars: Vec<char> = self.text.chars().collect();
        let mut out = String::new();
        if self.cut_before {
            out.push('…');
        }
        let mut at = 0;
        for &(s, e) in &self.marks {
            out.push_str(&escape(&chars[at..s].iter().collect::<String>()));
            out.push_str(open);
            out.push_str(&escape(&chars[s..e].iter().collect::<String>()));
            out.push_str(close);
            at = e;
        }
        out.push_str(&escape(&chars[at..].iter().collect::<String>()));
        if self.cut_after {
            out.push('…');
        }
        out
    }

    /// HTML with `<b>` marks (text escaped).
    pub fn html(&self) -> String {
        self.render("<b>", "</b>", escape_html)
    }
}

/// Escape `&`, `<`, `>` and `"` for HTML.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

/// Char ranges of every occurrence of any term in `text` (folded, case-insensitive), merged.
pub fn find_marks(text: &[char], terms: &[Vec<char>]) -> Vec<(usize, usize)> {
    let mut marked = vec![false; text.len()];
    for t in terms.iter().filter(|t| !t.is_empty()) {
        if t.len() > text.len() {
            continue;
        }
        for start in 0..=text.len() - t.len() {
            // The first char rules most starts out without a slice compare.
            if text[start] == t[0] && text[start..start + t.len()] == t[..] {
                marked[start..start + t.len()]
                    .iter_mut()
                    .for_each(|m| *m = true);
            }
        }
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < marked.len() {
        if marked[i] {
            let s = i;
            while i < marked.len() && marked[i] {
                i += 1;
            }
            out.push((s, i));
        } else {
            i += 1;
        }
    }
    out
}

/// Fold a term for matching.
pub fn fold_term(term: &str) -> Vec<char> {
    term.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| fold_char(c).to_ascii_lowercase())
        .collect()
}

/// The best window of `text`: all `terms` and `extra_terms` (synonym
/// expansions) are marked; the window covers most marks of `terms`, or of
/// `extra_terms` when `terms` do not occur.
pub fn snippet(text: &str, terms: &[Vec<char>], extra_terms: &[Vec<char>]) -> Snippet {
    let original: Vec<char> = text.chars().collect();
    let folded: Vec<char> = original
        .iter()
        .map(|&c| fold_char(c).to_ascii_lowercase())
        .collect();
    let primary = find_marks(&folded, terms);
    let all_terms: Vec<Vec<char>> = terms.iter().chain(extra_terms).cloned().collect();
    let marks = find_marks(&folded, &all_terms);
    let n = original.len();
    if n <= SNIPPET_CHARS {
        return Snippet {
            text: text.to_string(),
            marks,
            cut_before: false,
            cut_after: false,
        };
    }
    let anchors = if primary.is_empty() { &marks } else { &primary };
    let covered = |start: usize| -> usize {
        let end = start + SNIPPET_CHARS;
        anchors
            .iter()
            .map(|&(s, e)| e.min(end).saturating_sub(s.max(start)))
            .sum()
    };
    let start = anchors
        .iter()
        .map(|&(s, _)| s.saturating_sub(20).min(n - SNIPPET_CHARS))
        .max_by_key(|&s| (covered(s), std::cmp::Reverse(s)))
        .unwrap_or(0);
    let end = start + SNIPPET_CHARS;
    Snippet {
        text: original[start..end].iter().collect(),
        marks: marks
            .iter()
            .filter(|&&(s, e)| e > start && s < end)
            .map(|&(s, e)| (s.max(start) - start, e.min(end) - start))
            .collect(),
        cut_before: start > 0,
        cut_after: end < n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn marks_adjacent_terms_as_one_range() {
        let s = snippet(
            "推进乡村振兴工作",
            &[fold_term("乡村"), fold_term("振兴")],
            &[],
        );
        assert_eq!(s.marks, vec![(2, 6)]);
        assert_eq!(s.html(), "推进<b>乡村振兴</b>工作");
    }

    #[test]
    fn window_centres_on_matches() {
        let text = format!("{}积分制{}", "甲".repeat(300), "乙".repeat(300));
        let s = snippet(&text, &[fold_term("积分制")], &[]);
        assert!(s.cut_before && s.cut_after);
        assert_eq!(s.text.chars().count(), SNIPPET_CHARS);
        assert!(s.render("[", "]", |x| x.to_string()).contains("[积分制]"));
    }

    #[test]
    fn typed_terms_choose_the_window_over_expansions() {
        let text = format!("积分制{}积分兑换积分兑换", "甲".repeat(300));
        let s = snippet(&text, &[fold_term("积分制")], &[fold_term("积分兑换")]);
        assert!(s.text.starts_with("积分制"));
    }

    #[test]
    fn full_width_query_matches_half_width_text() {
        let s = snippet("责任单位:区人社局", &[fold_term("责任单位：")], &[]);
        assert_eq!(s.marks, vec![(0, 5)]);
    }

    proptest! {
        #[test]
        fn never_panics_and_marks_in_bounds(text in "[a-z0-9 ，。（）\\u{4e00}-\\u{4e2f}\\u{ff10}-\\u{ff19}]{0,300}", term in "[a-z\\u{4e00}-\\u{4e2f}]{1,3}") {
            let s = snippet(&text, &[fold_term(&term)], &[fold_term("一")]);
            let n = s.text.chars().count();
            for (a, b) in s.marks { prop_assert!(a < b && b <= n); }
        }
    }
}
