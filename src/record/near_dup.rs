//! Near-duplicate fingerprints: the same article reprinted in two bulletins
//! (another opening sentence, a few chars edited, other spacing or widths)
//! gets 64-bit fingerprints a few bits apart, so search can show it once
//! with "also in …" (`search::collapse`).
//!
//! A text is reduced to its letters and digits (width folded with
//! [`fold_char`], ASCII lowercased; whitespace, punctuation and Markdown marks
//! dropped) and cut into overlapping [`WIDTH`]-char shingles. A text of
//! [`MIN_CHARS`] or more letters gets a 63-bit one-bit MinHash of its
//! shingles (one-permutation hashing into 63 bins with optimal
//! densification; bit `i` is the low bit of bin `i`'s least shingle hash)
//! with the top bit set. Two texts whose shingle sets have Jaccard
//! similarity `J` differ in each bit with probability `(1 − J) / 2`: 3 bits
//! in 63 for `J = 0.9`, 6 for `J = 0.8`, 31.5 for unrelated texts. (A
//! 64-bit SimHash, tried first, spreads the same edits over twice as many
//! bits — its distance grows with the square root of the share of changed
//! shingles — so it cannot keep edited reprints of 100–300-char passages
//! apart from unrelated passages of the same subject.)
//!
//! A shorter text (`主要做法有：`) says too little for similarity to mean
//! sameness: it gets a 63-bit hash of its exact folded letters, top bit
//! clear, and matches only an identical text.
//!
//! [`near_duplicate`] is the test: two MinHashes at most [`MAX_DISTANCE`]
//! bits apart, or two equal exact hashes. Why 10: the unit tests below check
//! that 积分制 passages of `corpus/003…` with another opening clause, an
//! added header sentence, three chars edited, or other spacing, widths and
//! punctuation stay within it (0–8 bits), while different passages on the
//! same subject are 25–28 bits apart; `tests/near_dup.rs` checks that no two
//! distinct passages of the sample corpus (555 of 40 letters or more,
//! 150,000 pairs) are fewer than 14 bits apart (the closest pair: 16). By
//! the formula above, texts of Jaccard similarity 0.8 match 95% of the time,
//! 0.9 almost always, and an unrelated pair with probability 2·10⁻⁸.
//!
//! Fingerprints are stable across builds and platforms (own mixing function,
//! not `std`'s hasher): they are stored in the index.

use crate::normalize::fold_char;

/// Shingle width in chars: an edited char disturbs only three shingles,
/// while 3-char windows of Chinese text are specific enough that distinct
/// passages share few of them.
pub const WIDTH: usize = 3;

/// Texts with fewer letters and digits than this match only when identical.
pub const MIN_CHARS: usize = 40;

/// Most differing bits (of 63) between near-duplicates.
pub const MAX_DISTANCE: u32 = 10;

/// Top bit: set on MinHashes, clear on exact hashes of short texts.
const SKETCH_FLAG: u64 = 1 << 63;

/// Bins of the sketch: one bit each.
const BINS: usize = 63;

/// An empty bin.
const EMPTY: u64 = u64::MAX;

/// A window of [`WIDTH`] chars of 21 bits each.
const WINDOW_MASK: u64 = (1 << (21 * WIDTH)) - 1;

/// The fingerprint of a text; `None` when it has no letters or digits.
pub fn fingerprint(text: &str) -> Option<u64> {
    Sketch::of(text).fingerprint()
}

/// Whether two fingerprints are of near-duplicate texts: MinHashes at most
/// [`MAX_DISTANCE`] bits apart, or equal exact hashes of short texts.
pub fn near_duplicate(a: u64, b: u64) -> bool {
    if a & b & SKETCH_FLAG != 0 {
        (a ^ b).count_ones() <= MAX_DISTANCE
    } else {
        a == b
    }
}

/// A 64-bit hash of a document or article id, stored as a fast field so
/// search can tell records of one document or article from others without
/// reading stored records: copies in other documents from repeats within one
/// (two ids sharing a hash would only leave a copy shown), and the hits of one
/// article past a per-article limit.
pub fn id_key(id: &str) -> u64 {
    id.bytes()
        .fold(0x6a09_e667_f3bc_c908, |h, b| mix(h ^ u64::from(b)))
}

/// The bins of one text before they become a fingerprint. The sketches of
/// consecutive texts [`merge`](Sketch::merge) into the sketch of them all,
/// so an article's fingerprint comes from its passages' sketches without
/// reading its text again (shingles across passage boundaries are left out).
#[derive(Debug, Clone)]
pub struct Sketch {
    /// Least shingle hash per bin.
    mins: [u64; BINS],
    /// Letters and digits seen.
    letters: usize,
    /// Those letters, while fewer than [`MIN_CHARS`].
    head: String,
}

impl Default for Sketch {
    fn default() -> Self {
        Sketch {
            mins: [EMPTY; BINS],
            letters: 0,
            head: String::new(),
        }
    }
}

impl Sketch {
    /// The sketch of a text.
    pub fn of(text: &str) -> Sketch {
        let mut s = Sketch::default();
        // The last WIDTH letters, 21 bits each.
        let mut window = 0u64;
        for c in letters_of(text) {
            window = ((window << 21) | c as u64) & WINDOW_MASK;
            s.letters += 1;
            if s.letters < MIN_CHARS {
                s.head.push(c);
            }
            if s.letters >= WIDTH {
                let h = mix(window);
                let bin = bin_of(h >> 32);
                s.mins[bin] = s.mins[bin].min(h);
            }
        }
        if s.letters >= MIN_CHARS {
            s.head = String::new();
        }
        s
    }

    /// Add the sketch of the text that follows.
    pub fn merge(&mut self, next: &Sketch) {
        for (m, n) in self.mins.iter_mut().zip(next.mins.iter()) {
            *m = (*m).min(*n);
        }
        self.letters += next.letters;
        if self.letters < MIN_CHARS {
            self.head.push_str(&next.head);
        } else {
            self.head = String::new();
        }
    }

    /// The fingerprint; `None` without letters or digits.
    pub fn fingerprint(&self) -> Option<u64> {
        if self.letters == 0 {
            return None;
        }
        if self.letters < MIN_CHARS {
            let h = self
                .head
                .chars()
                .fold(0x9e37_79b9_7f4a_7c15_u64, |h, c| mix(h ^ c as u64));
            return Some(h & !SKETCH_FLAG);
        }
        if self.mins.iter().all(|&m| m == EMPTY) {
            // Only merged parts shorter than a shingle: nothing to compare.
            return None;
        }
        let mut bits = SKETCH_FLAG;
        for (i, &m) in self.mins.iter().enumerate() {
            // An empty bin takes the value of the first filled bin on a probe
            // sequence of its own (optimal densification: both texts probe
            // the same bins, so equal sets still give equal bits).
            let mut v = m;
            let mut probe = i as u64;
            while v == EMPTY {
                probe = mix(probe ^ 0x5851_f42d_4c95_7f2d);
                v = self.mins[bin_of(probe >> 32)];
            }
            bits |= (mix(v ^ i as u64) & 1) << i;
        }
        Some(bits)
    }
}

/// Bin of the low 32 bits of `x` (multiply-shift range reduction).
fn bin_of(x: u64) -> usize {
    (((x & 0xffff_ffff) * BINS as u64) >> 32) as usize
}

/// The letters and digits of a text, width folded and ASCII lowercased.
fn letters_of(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .map(|c| fold_char(c).to_ascii_lowercase())
        .filter(|&c| match c {
            // CJK ideographs and punctuation, most of the text, without a table lookup.
            '\u{4e00}'..='\u{9fff}' => true,
            '\u{2000}'..='\u{206f}' | '\u{3000}'..='\u{3004}' | '\u{3008}'..='\u{3020}' => false,
            c if c.is_ascii() => c.is_ascii_alphanumeric(),
            c => c.is_alphanumeric(),
        })
}

/// The splitmix64 finaliser: every input bit affects every output bit.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A passage of `corpus/003…` (琼中县, 积分制).
    const QIONGZHONG: &str = "琼中县开展积分制实践扩面增效专项行动，制定10大类29个考核指标，在全县10个乡镇26个行政村开展试点工作，依托数字乡村平台对农户日常行为和综合表现量化打分，引导广大农户摒弃不良习惯，规范村民日常行为。积分制以家庭户为单位，实行百分制，上不封顶，得分由高至低进行排名；积分由基础得分、加减积分和一票否决三部分构成；总得分为县基础积分制模板得分和乡镇自主增加项目考评得分的总和。以月度进行积分公示，季度小评通报，年度总结大评的方式开展。通过推广“入户评分、集分奖励”的考核管理模式。";

    /// Another 积分制 passage of the same file (昌江县).
    const CHANGJIANG: &str = "一是积分指标“精”，各村明确须解决的问题、要实现的目标，突出重点，不凡事都列为积分事项，这样既利于操作，还减轻干部和群众负担。二是积分指标“变”，依据具体情况进行动态调整，指标的分值权重也同时进行动态调整。如十月田镇才地村主要问题是人居环境差，就把环境指标列为重点指标；乌烈镇白石村主要问题陋习多，那就把文明指标列为重点指标。";

    /// A 积分制 passage of the same file about 琼中's app module.
    const MODULE: &str = "二是开发农户积分制管理模块，提升智慧治理效能。将乡村治理各项事务转化为量化指标，细化分解成为家庭类、人才兴旺、村庄建设、美德类四大类共63项积分小项，由各村小组根据村民日常行为或农户自主申报酌情增减积分，村委会每个月对村小组积分以及农户家庭真实情况进行考察，通过开设积分商城、积分兑换礼品，激励引导村民提高参与乡村治理的积极性。";

    fn distance(a: &str, b: &str) -> u32 {
        (fingerprint(a).unwrap() ^ fingerprint(b).unwrap()).count_ones()
    }

    fn edit(text: &str, edits: &[(usize, char)]) -> String {
        let mut chars: Vec<char> = text.chars().collect();
        for &(i, c) in edits {
            chars[i] = c;
        }
        chars.into_iter().collect()
    }

    #[test]
    fn reprints_stay_within_the_threshold() {
        for text in [QIONGZHONG, CHANGJIANG, MODULE] {
            // Another opening clause or heading sentence.
            let first = text.find(['，', '。']).unwrap();
            let reopened = format!("今年以来各地积极推进此项工作{}", &text[first..]);
            // A header sentence added in front.
            let headed = format!("据海南省乡村振兴局消息：{text}");
            // Three chars edited (a figure changed, a typo fixed).
            let edited = edit(text, &[(20, '9'), (61, '各'), (120, '及')]);
            // Spacing, widths and punctuation as a PDF extraction leaves them.
            let spaced = text
                .replace('，', " , ")
                .replace("10", "１０")
                .replace('“', "\"");
            for (what, variant) in [
                ("reopened", &reopened),
                ("headed", &headed),
                ("edited", &edited),
                ("spaced", &spaced),
            ] {
                let d = distance(text, variant);
                assert!(d <= MAX_DISTANCE, "{what}: {d} bits for {variant}");
            }
            assert_eq!(distance(text, &spaced), 0);
        }
    }

    #[test]
    fn different_passages_on_one_subject_stay_apart() {
        let pairs = [
            (QIONGZHONG, CHANGJIANG),
            (QIONGZHONG, MODULE),
            (CHANGJIANG, MODULE),
        ];
        for (a, b) in pairs {
            let d = distance(a, b);
            assert!(d > MAX_DISTANCE + 4, "{d} bits");
            assert!(!near_duplicate(
                fingerprint(a).unwrap(),
                fingerprint(b).unwrap()
            ));
        }
    }

    #[test]
    fn short_texts_match_only_when_identical() {
        let a = fingerprint("主要做法有：").unwrap();
        assert!(near_duplicate(a, fingerprint(" 主要做法有: ").unwrap()));
        assert!(!near_duplicate(a, fingerprint("主要做法是：").unwrap()));
        // One char apart, 39 letters: not collapsed.
        let s = "一是精准设立党员中心户村党支部按照知网格概况知居民家情知村情民意知求助对象标准";
        assert_eq!(letters_of(s).count(), MIN_CHARS - 1);
        let t = edit(s, &[(10, '家')]);
        assert!(!near_duplicate(
            fingerprint(s).unwrap(),
            fingerprint(&t).unwrap()
        ));
        // A short text never matches a long one.
        let long = fingerprint(QIONGZHONG).unwrap();
        assert!(!near_duplicate(a, long) && !near_duplicate(long, a));
        assert_eq!(fingerprint("——，。 "), None);
    }

    #[test]
    fn merged_sketches_fingerprint_the_whole() {
        let mut whole = Sketch::of(QIONGZHONG);
        whole.merge(&Sketch::of(MODULE));
        let joined = fingerprint(&format!("{QIONGZHONG}{MODULE}")).unwrap();
        assert!(near_duplicate(whole.fingerprint().unwrap(), joined));
        // Merging is order-free for the bins.
        let mut other = Sketch::of(MODULE);
        other.merge(&Sketch::of(QIONGZHONG));
        assert_eq!(other.fingerprint(), whole.fingerprint());
        // Short parts merge into an exact hash of their letters.
        let mut short = Sketch::of("主要做法");
        short.merge(&Sketch::of("有："));
        assert_eq!(short.fingerprint(), fingerprint("主要做法有"));
        // Enough short parts make a MinHash.
        let mut parts = Sketch::default();
        for part in QIONGZHONG.split('，') {
            parts.merge(&Sketch::of(part));
        }
        assert!(near_duplicate(
            parts.fingerprint().unwrap(),
            fingerprint(QIONGZHONG).unwrap()
        ));
    }
}
