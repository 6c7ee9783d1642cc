//! Numbered heading levels of Chinese official documents:
//! `一、` > `（一）` > `1.` > `（1）`.

const CN_DIGITS: &[char] = &[
    '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '百', '〇', '零',
];

/// Level of a numbered heading that opens `line` (1 for `一、`, 2 for `（一）`,
/// 3 for `1.`, 4 for `（1）`), or `None`.
pub fn heading_level(line: &str) -> Option<u8> {
    numbering(line).map(|(level, _)| level)
}

/// The heading level and the char length of the numbering prefix.
pub fn numbering(line: &str) -> Option<(u8, usize)> {
    let chars: Vec<char> = line.chars().take(8).collect();
    let first = *chars.first()?;
    if CN_DIGITS.contains(&first) {
        let n = chars.iter().take_while(|c| CN_DIGITS.contains(c)).count();
        return matches!(chars.get(n), Some('、' | '．')).then_some((1, n + 1));
    }
    if first.is_ascii_digit() {
        let n = chars.iter().take_while(|c| c.is_ascii_digit()).count();
        let sep = chars.get(n)?;
        let after = chars.get(n + 1);
        let ok = n <= 2
            && matches!(sep, '.' | '．' | '、')
            && !after.is_some_and(|c| c.is_ascii_digit());
        return ok.then_some((3, n + 1));
    }
    if matches!(first, '（' | '(') {
        let inner: Vec<char> = chars[1..]
            .iter()
            .take_while(|c| !matches!(c, '）' | ')'))
            .copied()
            .collect();
        if inner.is_empty() || inner.len() > 3 || chars.get(inner.len() + 1).is_none() {
            return None;
        }
        let inner_trim: Vec<char> = inner
            .iter()
            .filter(|c| !c.is_whitespace())
            .copied()
            .collect();
        if !inner_trim.is_empty() && inner_trim.iter().all(|c| CN_DIGITS.contains(c)) {
            return Some((2, inner.len() + 2));
        }
        if !inner_trim.is_empty() && inner_trim.iter().all(|c| c.is_ascii_digit()) {
            return Some((4, inner.len() + 2));
        }
    }
    None
}

/// Split a numbered block into its heading and the body that follows on the
/// same line: `3.健全机制。修订方案…` → (`3.健全机制。`, `修订方案…`). A short
/// block is all heading.
pub fn split_heading(block: &str) -> (&str, &str) {
    if block.chars().count() <= 40 {
        return (block, "");
    }
    match block.find('。') {
        Some(i) if block[..i].chars().count() <= 60 => {
            let end = i + '。'.len_utf8();
            (&block[..end], block[end..].trim_start())
        }
        _ => (block, ""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels() {
        assert_eq!(heading_level("一、建立健全长效机制"), Some(1));
        assert_eq!(heading_level("（一）保持主要帮扶政策总体稳定"), Some(2));
        assert_eq!(heading_level("(二)健全防止返贫动态监测"), Some(2));
        assert_eq!(heading_level("(十八) 探索建立"), Some(2));
        assert_eq!(heading_level("1. 设立5年过渡期。"), Some(3));
        assert_eq!(heading_level("3.健全动态监测和帮扶机制。"), Some(3));
        assert_eq!(heading_level("（1）摘帽不摘责任"), Some(4));
        assert_eq!(heading_level("2020年是全面建成小康社会之年"), None);
        assert_eq!(heading_level("4.13重要讲话"), None);
        assert_eq!(heading_level("一是提前谋划早部署"), None);
        assert_eq!(heading_level("（海口市医疗保障局提供）"), None);
        assert_eq!(heading_level("（"), None);
    }

    #[test]
    fn splits_inline_heading() {
        let (h, b) = split_heading("3.健全动态监测和帮扶机制。修订防止返贫致贫监测和帮扶实施方案,针对脱贫不稳定户、边缘易致贫户实施动态跟踪监测。");
        assert_eq!(h, "3.健全动态监测和帮扶机制。");
        assert!(b.starts_with("修订防止返贫"));
        assert_eq!(split_heading("一、总体思路"), ("一、总体思路", ""));
    }
}
