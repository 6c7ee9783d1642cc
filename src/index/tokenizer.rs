//! The jieba tokenizer registered with tantivy: dictionary segmentation (no
//! HMM, so the same words segment the same way in queries and documents),
//! with the dictionary sub-words of each longer word emitted at the word's own
//! position, so `治理` finds `乡村治理` and phrases still line up.

use std::sync::{Arc, OnceLock};

use jieba_rs::Jieba;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

use crate::normalize::fold_char;

/// Name under which the tokenizer is registered in every index.
pub const TOKENIZER_NAME: &str = "jieba";

/// govkb's own dictionary of domain words (积分制, 驻村工作队 …), loaded on top of jieba's.
const DOMAIN_DICT: &str = include_str!("../../data/dict.txt");

/// The process-wide jieba dictionary, loaded once.
pub fn jieba() -> Arc<Jieba> {
    static JIEBA: OnceLock<Arc<Jieba>> = OnceLock::new();
    JIEBA
        .get_or_init(|| {
            let mut j = Jieba::new();
            for line in DOMAIN_DICT
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
            {
                let mut parts = line.split_whitespace();
                if let Some(word) = parts.next() {
                    let freq = parts.next().and_then(|f| f.parse().ok());
                    j.add_word(word, freq, None);
                }
            }
            Arc::new(j)
        })
        .clone()
}

/// A short fingerprint of the domain dictionary, recorded in the index so a
/// dictionary change asks for a rebuild.
pub fn dictionary_version() -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in DOMAIN_DICT.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x0100_0000_01b3);
    }
    format!("jieba-rs-0.11+domain-{h:016x}")
}

/// Whether a segment carries meaning (not only spaces and punctuation).
fn is_word(s: &str) -> bool {
    // Fast path for the common case, a CJK ideograph (`char::is_alphanumeric`
    // goes through Unicode tables for every non-ASCII char).
    s.chars()
        .any(|c| matches!(c, '\u{4e00}'..='\u{9fff}') || c.is_alphanumeric())
}

/// Normalise a token's text: full-width forms folded, ASCII lowercased.
#[cfg(test)]
fn token_text(s: &str) -> String {
    s.chars()
        .map(|c| fold_char(c).to_ascii_lowercase())
        .collect()
}

/// [`token_text`] of a word of already folded text: only ASCII to lowercase.
fn folded_token_text(s: &str) -> String {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        s.to_ascii_lowercase()
    } else {
        s.to_owned()
    }
}

/// One segmented word with byte offsets into the input and its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Folded token text.
    pub text: String,
    /// Byte offset of the first char.
    pub from: usize,
    /// Byte offset past the last char.
    pub to: usize,
    /// Word position (sub-words share their word's position).
    pub position: usize,
}

/// Segment `text` into words plus their dictionary sub-words. Full-width
/// forms are folded before segmenting; offsets point into `text` itself.
pub fn segment(jieba: &Jieba, text: &str, with_subwords: bool) -> Vec<Segment> {
    let folded: String;
    let byte_of: Option<Vec<usize>>;
    let source = if text.chars().any(|c| fold_char(c) != c) {
        folded = text.chars().map(fold_char).collect();
        byte_of = Some(
            text.char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect(),
        );
        folded.as_str()
    } else {
        byte_of = None;
        text
    };
    let mut out = Vec::new();
    let mut position = 0;
    let mut bounds: Vec<usize> = Vec::new();
    for word in jieba.cut(source, false) {
        let w = word.word;
        if !is_word(w) {
            continue;
        }
        let (from, to) = match &byte_of {
            Some(map) => (map[word.start], map[word.end]),
            None => (word.byte_start, word.byte_end),
        };
        // `source` is folded already, so the token text only needs lowercasing.
        out.push(Segment {
            text: folded_token_text(w),
            from,
            to,
            position,
        });
        // Sub-words of 2 and 3 chars inside words of 3 chars or more.
        if with_subwords && w.chars().nth(2).is_some() {
            let original = &text[from..to];
            bounds.clear();
            bounds.extend(w.char_indices().map(|(i, _)| i));
            bounds.push(w.len());
            let n = bounds.len() - 1;
            // Folding maps one char to one char, so char k of `w` is char k of `original`.
            let orig_at = |k: usize| -> usize {
                if byte_of.is_none() {
                    bounds[k]
                } else {
                    original
                        .char_indices()
                        .map(|(i, _)| i)
                        .chain([original.len()])
                        .nth(k)
                        .unwrap_or(original.len())
                }
            };
            for size in [2, 3] {
                if size >= n {
                    break;
                }
                for s in 0..=n - size {
                    let sub = &w[bounds[s]..bounds[s + size]];
                    if jieba.has_word(sub) {
                        out.push(Segment {
                            text: folded_token_text(sub),
                            from: from + orig_at(s),
                            to: from + orig_at(s + size),
                            position,
                        });
                    }
                }
            }
        }
        position += 1;
    }
    out
}

/// The tantivy tokens of `text`: exactly what the registered tokenizer emits
/// (the ingest hands tantivy pre-tokenized text made with this).
pub fn tokens(jieba: &Jieba, text: &str) -> Vec<Token> {
    segment(jieba, text, true)
        .into_iter()
        .map(|s| Token {
            offset_from: s.from,
            offset_to: s.to,
            position: s.position,
            text: s.text,
            position_length: 1,
        })
        .collect()
}

/// tantivy tokenizer over jieba-rs.
#[derive(Clone)]
pub struct JiebaTokenizer {
    jieba: Arc<Jieba>,
}

impl JiebaTokenizer {
    /// A tokenizer sharing the process-wide dictionary.
    pub fn new() -> Self {
        JiebaTokenizer { jieba: jieba() }
    }

    /// The analyzer to register under [`TOKENIZER_NAME`].
    pub fn analyzer() -> TextAnalyzer {
        TextAnalyzer::from(JiebaTokenizer::new())
    }
}

impl Default for JiebaTokenizer {
    fn default() -> Self {
        Self::new()
    }
}

/// The tokens of one text.
pub struct JiebaTokenStream {
    tokens: Vec<Token>,
    index: usize,
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = JiebaTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JiebaTokenStream {
        JiebaTokenStream {
            tokens: tokens(&self.jieba, text),
            index: 0,
        }
    }
}

impl TokenStream for JiebaTokenStream {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn subwords_share_position() {
        let segs = segment(&jieba(), "推进乡村治理积分制。", true);
        let texts: Vec<&str> = segs.iter().map(|s| s.text.as_str()).collect();
        assert!(texts.contains(&"乡村治理"), "{texts:?}");
        assert!(texts.contains(&"治理"), "{texts:?}");
        let whole = segs.iter().find(|s| s.text == "乡村治理").unwrap();
        let sub = segs.iter().find(|s| s.text == "治理").unwrap();
        assert_eq!(whole.position, sub.position);
        assert!(!texts.contains(&"。"));
    }

    #[test]
    fn folds_full_width() {
        let segs = segment(&jieba(), "ＡＢＣ１２３", false);
        assert_eq!(segs[0].text, "abc123");
    }

    /// The first implementation of [`segment`], kept as the reference the faster one must equal.
    fn segment_reference(jieba: &Jieba, text: &str, with_subwords: bool) -> Vec<Segment> {
        let folded: String;
        let byte_of: Option<Vec<usize>>;
        let source = if text.chars().any(|c| fold_char(c) != c) {
            folded = text.chars().map(fold_char).collect();
            byte_of = Some(
                text.char_indices()
                    .map(|(i, _)| i)
                    .chain([text.len()])
                    .collect(),
            );
            folded.as_str()
        } else {
            byte_of = None;
            text
        };
        let mut out = Vec::new();
        let mut position = 0;
        for word in jieba.cut(source, false) {
            if !is_word(word.word) {
                continue;
            }
            let w = word.word;
            let (from, to) = match &byte_of {
                Some(map) => (map[word.start], map[word.end]),
                None => (word.byte_start, word.byte_end),
            };
            let original = &text[from..to];
            out.push(Segment {
                text: token_text(w),
                from,
                to,
                position,
            });
            if with_subwords {
                let bounds: Vec<usize> = w.char_indices().map(|(i, _)| i).collect();
                let orig_bounds: Vec<usize> = original
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain([original.len()])
                    .collect();
                let n = bounds.len();
                let end_of = |k: usize| bounds.get(k).copied().unwrap_or(w.len());
                if n > 2 {
                    for size in [2, 3] {
                        if size >= n {
                            break;
                        }
                        for s in 0..=n - size {
                            let sub = &w[bounds[s]..end_of(s + size)];
                            if jieba.has_word(sub) {
                                out.push(Segment {
                                    text: token_text(sub),
                                    from: from + orig_bounds[s],
                                    to: from + orig_bounds[s + size],
                                    position,
                                });
                            }
                        }
                    }
                }
            }
            position += 1;
        }
        out
    }

    #[test]
    fn segment_equals_reference_on_samples() {
        let j = jieba();
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/corpus")).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for line in text.lines() {
                assert_eq!(
                    segment(&j, line, true),
                    segment_reference(&j, line, true),
                    "{line}"
                );
                assert_eq!(
                    segment(&j, line, false),
                    segment_reference(&j, line, false),
                    "{line}"
                );
            }
        }
    }

    proptest! {
        #[test]
        fn segment_equals_reference(s in "[a-zA-Z0-9 ，。（）“”\\u{4e00}-\\u{9fa5}\\u{3000}\\u{ff10}-\\u{ff5a}]{0,80}") {
            let j = jieba();
            prop_assert_eq!(segment(&j, &s, true), segment_reference(&j, &s, true));
        }

        #[test]
        fn offsets_are_char_boundaries(s in "[a-z0-9 ，。（）“”\\u{4e00}-\\u{9fa5}\\u{3000}\\u{ff10}-\\u{ff5a}]{0,60}") {
            for seg in segment(&jieba(), &s, true) {
                prop_assert!(s.is_char_boundary(seg.from) && s.is_char_boundary(seg.to));
                prop_assert!(seg.from < seg.to);
                prop_assert_eq!(token_text(&s[seg.from..seg.to]), seg.text);
            }
        }
    }
}
