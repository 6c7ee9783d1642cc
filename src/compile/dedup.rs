//! Duplicate detection: the same case reported twice (a reprint in another
//! bulletin, or an example from an article that is itself selected) is kept
//! once.
//!
//! Texts are compared by their sets of 4-character shingles over letters and
//! digits only (spacing, punctuation and width differences ignored). Two
//! articles are the same case when at least [`SAME_CASE`] of the shorter one's
//! shingles are in the longer one. On the sample corpus, distinct cases share
//! at most 13%; an example inside its article shares 100%.

use std::collections::HashSet;

use super::{DraftArticle, Duplicate, DuplicateReason};
use crate::normalize::fold_char;

/// Share of the shorter text's shingles that makes two articles one case.
const SAME_CASE: f32 = 0.6;

/// Shingle width in characters.
const WIDTH: usize = 4;

/// Below this many shingles a text is too short for a share to mean much:
/// it must then be contained whole.
const MIN_SHINGLES: usize = 8;

/// Replace a kept article by a later duplicate when that one is this much
/// longer (it holds the kept one and more: the fuller version wins).
const FULLER: f32 = 1.2;

struct Fingerprint {
    letters: String,
    shingles: HashSet<[char; WIDTH]>,
}

impl Fingerprint {
    fn of(text: &str) -> Fingerprint {
        let chars: Vec<char> = text
            .chars()
            .map(|c| fold_char(c).to_ascii_lowercase())
            .filter(|c| c.is_alphanumeric())
            .collect();
        let shingles = chars
            .windows(WIDTH)
            .map(|w| [w[0], w[1], w[2], w[3]])
            .collect();
        Fingerprint {
            letters: chars.into_iter().collect(),
            shingles,
        }
    }

    fn len(&self) -> usize {
        self.letters.chars().count()
    }

    /// Share of the shorter text found in the longer, 0–1.
    fn shared(&self, other: &Fingerprint) -> f32 {
        let (small, big) = if self.shingles.len() <= other.shingles.len() {
            (self, other)
        } else {
            (other, self)
        };
        if small.letters.is_empty() {
            return 0.0;
        }
        if small.shingles.len() < MIN_SHINGLES {
            return if big.letters.contains(&small.letters) {
                1.0
            } else {
                0.0
            };
        }
        let common = small.shingles.intersection(&big.shingles).count();
        common as f32 / small.shingles.len() as f32
    }
}

/// Keep one article per case, in order. `items` are (column, article) in
/// draft order; `repeats` are ids selected again. Returns the kept items and
/// the left-out ones; a later, fuller duplicate takes the earlier one's place.
pub(super) fn dedup(
    items: Vec<(usize, DraftArticle)>,
    repeats: &[String],
) -> (Vec<(usize, DraftArticle)>, Vec<Duplicate>) {
    let mut kept: Vec<(usize, DraftArticle, Fingerprint)> = Vec::new();
    // (left-out article, index of the kept one, share)
    let mut dropped: Vec<(DraftArticle, usize, f32)> = Vec::new();
    for (c, a) in items {
        let fp = Fingerprint::of(&a.plain_text());
        let same = kept
            .iter()
            .enumerate()
            .map(|(i, k)| (i, k.2.shared(&fp)))
            .filter(|&(_, s)| s >= SAME_CASE)
            .max_by(|x, y| x.1.total_cmp(&y.1));
        match same {
            Some((i, share)) if fp.len() as f32 > kept[i].2.len() as f32 * FULLER => {
                let column = kept[i].0;
                let (_, old, _) = std::mem::replace(&mut kept[i], (column, a, fp));
                dropped.push((old, i, share));
            }
            Some((i, share)) => dropped.push((a, i, share)),
            None => kept.push((c, a, fp)),
        }
    }
    let mut out: Vec<Duplicate> = dropped
        .into_iter()
        .map(|(a, i, shared)| Duplicate {
            title: a.title,
            sources: a.sources,
            kept: i + 1,
            kept_title: kept[i].1.title.clone(),
            reason: DuplicateReason::SameCase { shared },
        })
        .collect();
    for id in repeats {
        let holder = kept
            .iter()
            .position(|k| k.1.sources.iter().any(|s| &s.id == id))
            .or_else(|| {
                out.iter()
                    .find(|d| d.sources.iter().any(|s| &s.id == id))
                    .map(|d| d.kept - 1)
            });
        let Some(i) = holder else { continue };
        let source = kept
            .iter()
            .flat_map(|k| &k.1.sources)
            .chain(out.iter().flat_map(|d| &d.sources))
            .find(|s| &s.id == id)
            .cloned();
        out.push(Duplicate {
            title: kept[i].1.title.clone(),
            sources: source.into_iter().collect(),
            kept: i + 1,
            kept_title: kept[i].1.title.clone(),
            reason: DuplicateReason::SelectedTwice,
        });
    }
    (kept.into_iter().map(|(c, a, _)| (c, a)).collect(), out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::{Block, Source};
    use crate::model::Span;
    use crate::record::RecordKind;

    fn art(id: &str, text: &str) -> DraftArticle {
        DraftArticle {
            title: id.to_string(),
            blocks: vec![Block::Paragraph {
                text: text.to_string(),
            }],
            credit: String::new(),
            sources: vec![Source {
                id: id.to_string(),
                kind: RecordKind::Case,
                doc_title: String::new(),
                issue: None,
                date: None,
                file: String::new(),
                span: Span::default(),
            }],
        }
    }

    const A: &str = "琼中紧扣智慧海南建设要求，实施数字乡村战略，以数字乡村建设为抓手，提升乡村治理能力，努力为海南自贸港数字乡村建设作出琼中探索。";
    const B: &str = "琼海市探索四级化事法乡村治理新机制，以党员中心户为支点，建立联户服务机制，构建有责、尽责、共享的社会治理共同体。";

    #[test]
    fn reprint_with_small_edits_is_one_case() {
        let reprint = A.replace("琼中紧扣", "琼中县紧扣").replace('，', " , ");
        let (kept, dups) = dedup(
            vec![
                (0, art("x#c1", A)),
                (0, art("y#c1", B)),
                (0, art("z#c1", &reprint)),
            ],
            &[],
        );
        assert_eq!(kept.len(), 2);
        assert_eq!(dups.len(), 1);
        assert_eq!(dups[0].sources[0].id, "z#c1");
        assert_eq!(dups[0].kept, 1);
        assert!(matches!(dups[0].reason, DuplicateReason::SameCase { shared } if shared > 0.8));
    }

    #[test]
    fn fuller_version_replaces_an_example_in_place() {
        let example = &A[..A.find("提升").unwrap()];
        let (kept, dups) = dedup(
            vec![
                (0, art("x#c4", example)),
                (0, art("y#c1", B)),
                (1, art("x#c1", A)),
            ],
            &["y#c1".to_string()],
        );
        let ids: Vec<_> = kept.iter().map(|k| k.1.sources[0].id.as_str()).collect();
        assert_eq!(ids, ["x#c1", "y#c1"]);
        assert_eq!(
            kept[0].0, 0,
            "the fuller one takes the first one's column and place"
        );
        assert_eq!(dups[0].sources[0].id, "x#c4");
        assert_eq!(dups[1].reason, DuplicateReason::SelectedTwice);
        assert_eq!(dups[1].kept, 2);
    }

    #[test]
    fn distinct_cases_stay() {
        let (kept, dups) = dedup(vec![(0, art("a", A)), (0, art("b", B))], &[]);
        assert_eq!((kept.len(), dups.len()), (2, 0));
    }
}
