//! The jieba tokenizer registered with tantivy: dictionary segmentation (no
//! HMM, so the same words segment the same way in queries and documents),
//! with the dictionary sub-words of each longer word emitted at the word's own
//! position, so `治理` finds `乡村治理` and phrases still line up.

use std::sync::{Arc, Mutex, OnceLock};

use jieba_rs::Jieba;
use rustc_hash::FxHashMap;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

use crate::normalize::fold_char;

/// Name under which the tokenizer is registered in every index.
pub const TOKENIZER_NAME: &str = "jieba";

/// govkb's own dictionary of domain words (积分制, 驻村工作队 …), loaded on top of jieba's.
const DOMAIN_DICT: &str = include_str!("../../data/dict.txt");

/// The full dictionary, once loaded.
static FULL: OnceLock<Arc<Jieba>> = OnceLock::new();

/// Add govkb's domain words, in file order, on top of a base dictionary.
fn add_domain_words(j: &mut Jieba) {
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
}

/// The process-wide jieba dictionary, loaded once (≈80–200 ms).
pub fn jieba() -> Arc<Jieba> {
    FULL.get_or_init(|| {
        let mut j = Jieba::new();
        add_domain_words(&mut j);
        Arc::new(j)
    })
    .clone()
}

/// Whether the full dictionary has been loaded in this process.
pub fn full_dictionary_loaded() -> bool {
    FULL.get().is_some()
}

/// Start loading the full dictionary on a background thread (once per
/// process), for a caller that will segment text soon and has other work to
/// do first: an ingest hashes the corpus meanwhile, and its parse workers
/// then find the dictionary ready instead of one building it while the
/// other waits. Should no thread start, the first text segmented loads it.
pub fn load_in_background() {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        if FULL.get().is_none() {
            let _ = std::thread::Builder::new()
                .name("jieba-dictionary".to_string())
                .spawn(jieba);
        }
    });
}

/// A copy of the dictionary jieba-rs embeds (`Jieba::new()` loads that one;
/// a test checks the two agree), scanned for the few words a one-shot query needs.
const BASE_DICT: &str = include_str!("../../data/jieba_dict.txt");

/// Sum of the frequencies of [`BASE_DICT`] (checked by a test).
const BASE_TOTAL: usize = 60_101_964;

/// Longest word of [`BASE_DICT`], in chars (checked by a test).
const BASE_MAX_WORD_CHARS: usize = 16;

/// A word no text contains: it carries the frequency of the base words a
/// small dictionary leaves out, so its total, and with it every segmentation
/// score, equals the full dictionary's.
const FILLER: &str = "\u{10FFFD}\u{10FFFD}\u{10FFFD}";

/// A dictionary that segments each of `texts`, and any part of them, exactly
/// as the full one [`jieba`] does, built in a few milliseconds instead of
/// loading all 349,000 words: segmentation only looks up dictionary words that
/// occur inside the text (with their frequencies) and the total frequency.
/// `has_word` agrees on any part of the texts too. Used by one-shot CLI
/// searches, whose few query texts are known before anything is segmented.
pub fn small_dictionary(texts: &[&str]) -> Jieba {
    // The texts as given and full-width folded (as `segment` folds), plus the
    // domain words, whose frequencies may be suggested by segmenting them.
    let folded: Vec<String> = texts
        .iter()
        .map(|t| t.chars().map(fold_char).collect())
        .collect();
    let domain = DOMAIN_DICT
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().next());
    let all = texts
        .iter()
        .copied()
        .chain(folded.iter().map(String::as_str))
        .chain(domain);
    // Every dictionary word inside the texts, found by binary search in the
    // sorted dictionary, extending each start while some word has that prefix.
    let mut found: std::collections::BTreeMap<usize, (&str, usize, &str)> = Default::default();
    for t in all {
        for (from, _) in t.char_indices() {
            let mut lo = 0;
            for (n, (i, c)) in t[from..].char_indices().enumerate() {
                if n == BASE_MAX_WORD_CHARS {
                    break;
                }
                let part = &t[from..from + i + c.len_utf8()];
                lo = dict_lower_bound(BASE_DICT, lo, part);
                let Some(line) = BASE_DICT.get(lo..).and_then(|r| r.lines().next()) else {
                    break;
                };
                let mut fields = line.split_ascii_whitespace();
                let word = fields.next().unwrap_or("");
                if word == part {
                    let freq = fields.next().and_then(|f| f.parse().ok()).unwrap_or(0);
                    found.insert(lo, (word, freq, fields.next().unwrap_or("")));
                } else if !word.starts_with(part) {
                    break;
                }
            }
        }
    }
    let mut j = Jieba::empty();
    let mut kept = 0usize;
    for (word, freq, tag) in found.into_values() {
        j.add_word(word, Some(freq), Some(tag));
        kept += freq;
    }
    j.add_word(FILLER, Some(BASE_TOTAL.saturating_sub(kept)), None);
    add_domain_words(&mut j);
    j
}

/// Byte offset of the first line at or after `from` (a line start) of the
/// sorted dictionary `dict` whose word is not less than `key` (byte order).
fn dict_lower_bound(dict: &str, from: usize, key: &str) -> usize {
    let b = dict.as_bytes();
    let (mut lo, mut hi) = (from, b.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = b[lo..mid]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(lo, |p| lo + p + 1);
        let end = b[start..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |p| start + p);
        let word_end = b[start..end]
            .iter()
            .position(|&c| c == b' ')
            .map_or(end, |p| start + p);
        if &b[start..word_end] < key.as_bytes() {
            lo = (end + 1).min(b.len());
        } else {
            hi = start;
        }
    }
    lo
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

/// `text` with full-width forms folded for segmenting, and — when folding
/// changed it — the byte offset in `text` of each char (plus the end), to map
/// offsets back.
fn folded_source(text: &str) -> (std::borrow::Cow<'_, str>, Option<Vec<usize>>) {
    if text.chars().any(|c| fold_char(c) != c) {
        let byte_of = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        (
            std::borrow::Cow::Owned(text.chars().map(fold_char).collect()),
            Some(byte_of),
        )
    } else {
        (std::borrow::Cow::Borrowed(text), None)
    }
}

/// Segment `text` into words plus their dictionary sub-words. Full-width
/// forms are folded before segmenting; offsets point into `text` itself.
pub fn segment(jieba: &Jieba, text: &str, with_subwords: bool) -> Vec<Segment> {
    let (source, byte_of) = folded_source(text);
    let source = source.as_ref();
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

/// Bytes of recently segmented sentences kept per generation (two are
/// kept, so at most about twice this): their text and 12 bytes per token
/// ([`Segmented::Spans`]). A bulletin archive repeats sentences across
/// documents (reprinted passages, standard wording, titles and headings).
/// On the 10 MB bench corpus, 8 MB segments 24,400 sentences where a
/// cache of 64 K tokens (5 MB) segmented 30,700; 24 MB saved nothing more
/// measurable but added 40 MB to the peak RSS.
const RECENT_BYTES: usize = 8 << 20;

/// Bookkeeping bytes counted per cached sentence (map entry, `Arc` header).
const ENTRY_BYTES: usize = 64;

/// A token of a segmented sentence whose text is the sentence's own bytes
/// at its offsets: byte offsets from the sentence start and position from
/// its first word.
#[derive(Debug, Clone, Copy)]
struct TokenSpan {
    from: u32,
    to: u32,
    position: u32,
}

/// The tokens of one segmented sentence, offsets and positions counted
/// from the sentence start.
#[derive(Debug, Clone)]
enum Segmented {
    /// Each token's text is the sentence's bytes at its offsets (nothing in
    /// it was folded or lowercased): 12 bytes a token.
    Spans(Arc<[TokenSpan]>),
    /// Tokens whose text differs from the sentence's bytes.
    Tokens(Arc<[Token]>),
}

impl Segmented {
    /// The tokens of `sentence` in their compact form when they have one.
    fn of(sentence: &str, tokens: Vec<Token>) -> Segmented {
        let compact = |t: &Token| {
            let span = TokenSpan {
                from: u32::try_from(t.offset_from).ok()?,
                to: u32::try_from(t.offset_to).ok()?,
                position: u32::try_from(t.position).ok()?,
            };
            (sentence.get(t.offset_from..t.offset_to) == Some(t.text.as_str())).then_some(span)
        };
        match tokens.iter().map(compact).collect::<Option<Vec<_>>>() {
            Some(spans) => Segmented::Spans(spans.into()),
            None => Segmented::Tokens(tokens.into()),
        }
    }

    /// Words in the sentence (sub-words share their word's position).
    fn words(&self) -> usize {
        match self {
            Segmented::Spans(s) => s.last().map_or(0, |t| t.position as usize + 1),
            Segmented::Tokens(t) => t.last().map_or(0, |t| t.position + 1),
        }
    }

    /// Bytes the tokens take in the cache.
    fn bytes(&self) -> usize {
        match self {
            Segmented::Spans(s) => s.len() * std::mem::size_of::<TokenSpan>(),
            Segmented::Tokens(t) => t
                .iter()
                .map(|t| std::mem::size_of::<Token>() + t.text.len())
                .sum(),
        }
    }
}

/// Recently segmented sentences, shared by the clones of one registered
/// tokenizer (tantivy clones it per field of each indexing thread, and
/// both indexing threads use it). Every record repeats its document's
/// titles and section path, and archives repeat whole paragraphs; those
/// are segmented once. Keyed with FxHash: every sentence indexed is hashed
/// here, and SipHash's resistance to chosen keys buys nothing for a cache
/// of the corpus's own text.
#[derive(Default)]
struct RecentTokens {
    current: FxHashMap<Box<str>, Segmented>,
    previous: FxHashMap<Box<str>, Segmented>,
    current_bytes: usize,
}

/// Lock the cache (a panic elsewhere cannot leave it inconsistent).
fn lock(m: &Mutex<RecentTokens>) -> std::sync::MutexGuard<'_, RecentTokens> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl RecentTokens {
    fn get(&mut self, text: &str) -> Option<Segmented> {
        if let Some(t) = self.current.get(text) {
            return Some(t.clone());
        }
        let t = self.previous.get(text)?.clone();
        self.insert(text, t.clone());
        Some(t)
    }

    fn insert(&mut self, text: &str, tokens: Segmented) {
        let bytes = text.len() + tokens.bytes() + ENTRY_BYTES;
        if bytes > RECENT_BYTES / 4 {
            return;
        }
        if self.current_bytes + bytes > RECENT_BYTES {
            self.previous = std::mem::take(&mut self.current);
            self.current_bytes = 0;
        }
        self.current_bytes += bytes;
        self.current.insert(text.into(), tokens);
    }
}

/// `text` cut after each sentence end (`。！？；` and line breaks), as
/// (byte offset, sentence). jieba never joins words across these marks, so
/// segmenting sentence by sentence gives the tokens of the whole text.
pub fn sentences(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    text.match_indices(['。', '！', '？', '；', '\n'])
        .map(|(i, mark)| i + mark.len())
        .chain([text.len()])
        .filter_map(move |end| {
            let from = start;
            start = end;
            (end > from).then(|| (from, &text[from..end]))
        })
}

/// The tokens of one sentence, relative to it, and where it starts in its text.
struct SentenceTokens {
    /// Byte offset of the sentence in the text.
    from: usize,
    /// Position of the sentence's first word in the text.
    position: usize,
    /// Its tokens, offsets and positions counted from the sentence start.
    tokens: Segmented,
}

/// [`tokens`] of `text`, sentence by sentence, each taken from `recent` when
/// it was segmented lately.
fn tokens_with_recent(
    jieba: &Jieba,
    recent: &Mutex<RecentTokens>,
    text: &str,
) -> Vec<SentenceTokens> {
    let mut out = Vec::new();
    let mut position = 0;
    for (from, sentence) in sentences(text) {
        let cached = lock(recent).get(sentence);
        let tokens = match cached {
            Some(t) => t,
            None => {
                let t = Segmented::of(sentence, tokens(jieba, sentence));
                lock(recent).insert(sentence, t.clone());
                t
            }
        };
        let words = tokens.words();
        out.push(SentenceTokens {
            from,
            position,
            tokens,
        });
        position += words;
    }
    out
}

/// tantivy tokenizer over jieba-rs. The dictionary is the process-wide one,
/// loaded on first use (registering the tokenizer costs nothing).
#[derive(Clone)]
pub struct JiebaTokenizer {
    jieba: Option<Arc<Jieba>>,
    recent: Arc<Mutex<RecentTokens>>,
}

impl JiebaTokenizer {
    /// A tokenizer sharing the process-wide dictionary.
    pub fn new() -> Self {
        JiebaTokenizer {
            jieba: None,
            recent: Arc::default(),
        }
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
pub struct JiebaTokenStream<'a> {
    text: &'a str,
    sentences: Vec<SentenceTokens>,
    sentence: usize,
    index: usize,
    current: Token,
}

impl Tokenizer for JiebaTokenizer {
    type TokenStream<'a> = JiebaTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> JiebaTokenStream<'a> {
        let jieba = self.jieba.get_or_insert_with(jieba);
        JiebaTokenStream {
            text,
            sentences: tokens_with_recent(jieba, &self.recent, text),
            sentence: 0,
            index: 0,
            current: Token::default(),
        }
    }
}

impl TokenStream for JiebaTokenStream<'_> {
    fn advance(&mut self) -> bool {
        loop {
            let Some(s) = self.sentences.get(self.sentence) else {
                return false;
            };
            let c = &mut self.current;
            c.text.clear();
            c.position_length = 1;
            match &s.tokens {
                Segmented::Spans(spans) => {
                    let Some(t) = spans.get(self.index) else {
                        self.sentence += 1;
                        self.index = 0;
                        continue;
                    };
                    c.offset_from = s.from + t.from as usize;
                    c.offset_to = s.from + t.to as usize;
                    c.position = s.position + t.position as usize;
                    c.text.push_str(&self.text[c.offset_from..c.offset_to]);
                }
                Segmented::Tokens(tokens) => {
                    let Some(t) = tokens.get(self.index) else {
                        self.sentence += 1;
                        self.index = 0;
                        continue;
                    };
                    c.offset_from = s.from + t.offset_from;
                    c.offset_to = s.from + t.offset_to;
                    c.position = s.position + t.position;
                    c.position_length = t.position_length;
                    c.text.push_str(&t.text);
                }
            }
            self.index += 1;
            return true;
        }
    }

    fn token(&self) -> &Token {
        &self.current
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.current
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
    fn base_dictionary_copy_matches_jieba_rs() {
        // `Debug` of a Jieba shows its record count and total frequency.
        let shown = format!("{:?}", Jieba::new());
        let lines = BASE_DICT.lines().filter(|l| !l.trim().is_empty()).count();
        let total: usize = BASE_DICT
            .lines()
            .filter_map(|l| l.split_ascii_whitespace().nth(1)?.parse::<usize>().ok())
            .sum();
        assert_eq!(total, BASE_TOTAL);
        assert!(shown.contains(&format!("records_len: {lines}")), "{shown}");
        assert!(shown.contains(&format!("total_freq: {total}")), "{shown}");
        let longest = BASE_DICT
            .lines()
            .filter_map(|l| l.split_ascii_whitespace().next())
            .map(|w| w.chars().count())
            .max();
        assert_eq!(longest, Some(BASE_MAX_WORD_CHARS));
    }

    #[test]
    fn base_dictionary_is_sorted_for_binary_search() {
        let words: Vec<&str> = BASE_DICT
            .lines()
            .filter_map(|l| l.split_ascii_whitespace().next())
            .collect();
        assert!(words.windows(2).all(|w| w[0].as_bytes() < w[1].as_bytes()));
        assert!(BASE_DICT
            .lines()
            .all(|l| !l.starts_with(' ') && l.contains(' ')));
        let at = dict_lower_bound(BASE_DICT, 0, "乡村振兴");
        assert!(
            BASE_DICT[at..].starts_with("乡村"),
            "{}",
            &BASE_DICT[at..at + 30]
        );
        assert_eq!(dict_lower_bound(BASE_DICT, 0, ""), 0);
        assert_eq!(
            dict_lower_bound(BASE_DICT, 0, "\u{10FFFF}"),
            BASE_DICT.len()
        );
    }

    #[test]
    fn small_dictionary_segments_the_samples_like_the_full_one() {
        let full = jieba();
        for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/corpus")).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for line in text.lines().filter(|l| !l.trim().is_empty()).step_by(7) {
                let small = small_dictionary(&[line]);
                assert_eq!(
                    segment(&small, line, true),
                    segment(&full, line, true),
                    "{line}"
                );
            }
        }
        let small = small_dictionary(&["乡村振兴 积分制", "\"巩固拓展脱贫攻坚成果\""]);
        for t in [
            "乡村振兴",
            "积分制",
            "巩固拓展脱贫攻坚成果",
            "脱贫",
            "攻坚成果",
        ] {
            assert_eq!(segment(&small, t, true), segment(&full, t, true), "{t}");
            assert_eq!(small.has_word(t), full.has_word(t), "{t}");
        }
    }

    #[test]
    fn analyzer_repeats_give_the_same_tokens() {
        let mut a = JiebaTokenizer::analyzer();
        let texts = [
            "推进乡村治理积分制。",
            "驻村工作队管理",
            "推进乡村治理积分制。",
            "",
            "ＡＢＣ１２３",
            "全县共有驻村工作队86支；推进乡村治理积分制。\n驻村工作队管理！",
            "驻村工作队管理！",
        ];
        for _ in 0..3 {
            for t in texts {
                let mut got = Vec::new();
                a.token_stream(t).process(&mut |tok| got.push(tok.clone()));
                let want = tokens(&jieba(), t);
                assert_eq!(got.len(), want.len());
                for (g, w) in got.iter().zip(&want) {
                    assert_eq!(
                        (&g.text, g.offset_from, g.offset_to, g.position),
                        (&w.text, w.offset_from, w.offset_to, w.position)
                    );
                }
            }
        }
    }

    #[test]
    fn folds_full_width() {
        let segs = segment(&jieba(), "ＡＢＣ１２３", false);
        assert_eq!(segs[0].text, "abc123");
    }

    /// The first implementation of [`segment`], kept as the reference the faster one must equal.
    fn segment_reference(jieba: &Jieba, text: &str, with_subwords: bool) -> Vec<Segment> {
        let (source, byte_of) = folded_source(text);
        let source = source.as_ref();
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
        fn sentence_by_sentence_equals_whole_text(s in "[a-zA-Z0-9 ，。！？；\n（）“”\u{4e00}-\u{9fa5}\u{3000}\u{ff01}-\u{ff5a}]{0,80}") {
            let whole: Vec<_> = tokens(&jieba(), &s)
                .into_iter()
                .map(|t| (t.text, t.offset_from, t.offset_to, t.position))
                .collect();
            // The second time every sentence comes from the cache.
            let mut tokenizer = JiebaTokenizer::new();
            for _ in 0..2 {
                let mut by_sentence = Vec::new();
                tokenizer.token_stream(&s).process(&mut |t| {
                    by_sentence.push((t.text.clone(), t.offset_from, t.offset_to, t.position))
                });
                prop_assert_eq!(&by_sentence, &whole);
            }
        }

        #[test]
        fn small_dictionary_segments_like_the_full_one(s in "[a-zA-Z0-9 ，。（）“”\\u{4e00}-\\u{9fa5}\\u{3000}\\u{ff10}-\\u{ff5a}]{0,40}") {
            let small = small_dictionary(&[&s]);
            prop_assert_eq!(segment(&small, &s, true), segment(&jieba(), &s, true));
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
