//! Near-duplicate screening of submitted questions against the bank and against each other.
//!
//! This module owns the similarity measure used to flag near-duplicates (the same question
//! re-punctuated, re-spaced, with its options reordered, or with a word or two changed) and the
//! [`Index`] that applies it quickly to a large bank. It is pure: no I/O, no global state.
//!
//! # The measure
//!
//! 1. **Normalisation** of every stem and option, character by character:
//!    - full-width ASCII forms (U+FF01..U+FF5E) become half-width, the ideographic space becomes
//!      a space, small-form `﹢﹤﹥﹦﹪` become `+<>=%`, the ohm sign U+2126 becomes
//!      Greek capital omega U+03A9;
//!    - ASCII letters are lower-cased (only ASCII: Greek `Ω`/`ω` and the like stay distinct);
//!    - whitespace and control characters are dropped;
//!    - punctuation is dropped, ASCII (``!"#$&'()*,-.:;?@[\]^_`{|}~``) and CJK/Unicode
//!      (`，。、；：？！“”‘’（）《》【】「」…—·` and the rest of the CJK punctuation and general
//!      punctuation blocks). A `.` between two ASCII digits is kept (`0.5` is not `05`).
//!      Meaningful symbols are kept: `% + = < > /` and every non-punctuation symbol such as
//!      `√ ° Ω × ℃ ‰ ′ ± ≤ ①`. The blank `（  ）` and a `____` blank therefore vanish.
//!    - A leading option label (`A.`, `B、`, `C：`, `D)`, `(A)`, full-width forms too, letters
//!      A–H) is removed from each option, so labels do not follow the text when options are
//!      reordered.
//! 2. **Tokens**: the *set* of character bigrams of the normalised stem (Chinese has no spaces;
//!    bigrams are the standard unit), and the *set* of bigrams of all options together (bigrams
//!    never cross from one option to the next), so reordering the options changes nothing. A text
//!    of a single character contributes that character as a token (options like `√` or `5`).
//! 3. **Score**: Dice coefficient `2|A∩B| / (|A|+|B|)` on each set;
//!    `score = 0.7 × stem + 0.3 × options` when both questions have options, otherwise the stem
//!    alone (a judgment item re-typed from a single-choice item with the same stem is still the
//!    same question). Two empty token sets score 0 (nothing to compare is never a duplicate).
//!    The score is in `0..=1`; identical questions score exactly 1.
//!
//! # Search
//!
//! [`Index`] keeps an inverted index from stem bigram to the sorted list of items containing it.
//! For a candidate it counts shared bigrams per item in a dense counter array, skipping
//! stop-bigrams (in more than 5 % of the items, and more than 512 of them) for counting but not
//! for scoring; when every bigram of a candidate is a stop-bigram they are all used. An item can
//! reach `threshold` only if its stem Dice is at least `(threshold − 0.3) / 0.7`; items whose
//! shared-bigram count (plus the candidate's stop-bigrams, which they may share) cannot reach
//! that are pruned, and at most `MAX_SCORED` (256) of the rest, the most promising by
//! the Dice of their non-stop shared bigrams,
//! are scored exactly. Candidates are screened in parallel with rayon.
//!
//! Limits of the search, not of the measure: an item that shares only stop-bigrams with a
//! candidate, or that falls beyond the `MAX_SCORED` (256) most promising, can be missed; with a
//! threshold ≤ 0.3 items sharing no stem bigram at all are not considered.

use std::cmp::Ordering;
use std::collections::HashMap;

use rayon::prelude::*;

/// Weight of the stem similarity when both questions have options.
const STEM_WEIGHT: f64 = 0.7;
/// Weight of the option-set similarity when both questions have options.
const OPTION_WEIGHT: f64 = 1.0 - STEM_WEIGHT;

/// Default flagging threshold.
///
/// Chosen from the tests below: the near-duplicate pairs (re-punctuated, options reordered or
/// one reworded, a word or two changed) score 0.80–1.00, the distinct pairs on the same topic
/// 0.00–0.68 (the highest: two judgment items sharing the long phrase "正常运行时定子绕组为…接法的
/// 电动机"). 0.75 sits in that gap, a little nearer the duplicates, because distinct questions
/// must not be flagged; one changed word in a stem of about 20 characters costs about 0.1.
pub const DEFAULT_THRESHOLD: f64 = 0.75;

/// At most this many bank items are scored exactly per candidate (the most promising ones).
const MAX_SCORED: usize = 256;

/// A bigram is a stop-bigram when it occurs in more than this fraction of the items…
const STOP_FRACTION: usize = 20; // 1/20 = 5 %
/// …and in more than this many items (so small indexes have no stop-bigrams).
const STOP_MIN_DF: usize = 512;

/// A question's text for screening.
#[derive(Clone, Debug)]
pub struct Text {
    pub id: String,
    pub stem: String,
    pub options: Vec<String>,
}

/// A flagged pair: candidate `id` is a near-duplicate of `similar_to` (a bank item or an
/// earlier candidate) with the given `score`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Match {
    pub id: String,
    pub similar_to: String,
    pub score: f64,
}

/// The tokens of one question.
#[derive(Clone, Debug, Default)]
struct Features {
    /// Sorted, distinct stem tokens.
    stem: Vec<u64>,
    /// Sorted, distinct option tokens (all options together).
    options: Vec<u64>,
}

/// An index of existing questions (the bank), built once.
pub struct Index {
    ids: Vec<String>,
    features: Vec<Features>,
    /// Stem token → term number.
    terms: HashMap<u64, u32>,
    /// Term number → ascending item numbers containing it.
    postings: Vec<Vec<u32>>,
    /// Posting lists longer than this are stop-bigrams.
    stop_df: usize,
}

/// Per-thread scratch space for candidate generation.
struct Scratch {
    counts: Vec<u32>,
    touched: Vec<u32>,
}

impl Scratch {
    fn new(n: usize) -> Scratch {
        Scratch {
            counts: vec![0; n],
            touched: Vec::new(),
        }
    }
}

impl Index {
    /// Builds the index over `existing` (normalisation runs in parallel).
    pub fn new(existing: &[Text]) -> Index {
        let existing = &existing[..existing.len().min(u32::MAX as usize)];
        let features: Vec<Features> = existing.par_iter().map(features).collect();
        let ids = existing.iter().map(|t| t.id.clone()).collect();
        Index::from_features(ids, features)
    }

    fn from_features(ids: Vec<String>, features: Vec<Features>) -> Index {
        let mut terms: HashMap<u64, u32> = HashMap::new();
        let mut postings: Vec<Vec<u32>> = Vec::new();
        for (doc, f) in (0u32..).zip(features.iter()) {
            for &token in &f.stem {
                let next = u32::try_from(postings.len()).unwrap_or(u32::MAX);
                let term = *terms.entry(token).or_insert(next);
                if term == next {
                    postings.push(Vec::new());
                }
                if let Some(list) = postings.get_mut(term as usize) {
                    list.push(doc);
                }
            }
        }
        let stop_df = (features.len() / STOP_FRACTION).max(STOP_MIN_DF);
        Index {
            ids,
            features,
            terms,
            postings,
            stop_df,
        }
    }

    /// Number of indexed questions.
    fn len(&self) -> usize {
        self.ids.len()
    }

    /// For each candidate, the best existing match with score ≥ threshold (at most one per
    /// candidate, the highest; ties → smallest id), plus matches among the candidates themselves
    /// (a later candidate against earlier ones, in input order). Output sorted by candidate input order.
    ///
    /// Among the candidates, each candidate gets at most one match too: the highest-scoring
    /// earlier candidate (ties → smallest id). For one candidate the bank match comes first.
    pub fn screen(&self, candidates: &[Text], threshold: f64) -> Vec<Match> {
        if candidates.is_empty() || threshold.is_nan() || threshold > 1.0 {
            return Vec::new();
        }
        let candidates = &candidates[..candidates.len().min(u32::MAX as usize)];
        let feats: Vec<Features> = candidates.par_iter().map(features).collect();

        let against_bank: Vec<Option<(usize, f64)>> = feats
            .par_iter()
            .with_min_len(16)
            .map_init(
                || Scratch::new(self.len()),
                |scratch, f| self.best(f, self.len(), threshold, scratch),
            )
            .collect();

        let batch = Index::from_features(candidates.iter().map(|t| t.id.clone()).collect(), feats);
        let against_batch: Vec<Option<(usize, f64)>> = (0..batch.len())
            .into_par_iter()
            .with_min_len(16)
            .map_init(
                || Scratch::new(batch.len()),
                |scratch, j| {
                    batch
                        .features
                        .get(j)
                        .and_then(|f| batch.best(f, j, threshold, scratch))
                },
            )
            .collect();

        let mut out = Vec::new();
        for ((cand, bank), earlier) in candidates.iter().zip(against_bank).zip(against_batch) {
            let found = [
                bank.and_then(|(doc, score)| Some((self.ids.get(doc)?, score))),
                earlier.and_then(|(doc, score)| Some((batch.ids.get(doc)?, score))),
            ];
            out.extend(found.into_iter().flatten().map(|(id, score)| Match {
                id: cand.id.clone(),
                similar_to: id.clone(),
                score,
            }));
        }
        out
    }

    /// The best item among the first `limit` with score ≥ `threshold` (ties → smallest id).
    fn best(
        &self,
        query: &Features,
        limit: usize,
        threshold: f64,
        scratch: &mut Scratch,
    ) -> Option<(usize, f64)> {
        let mut best: Option<(usize, f64)> = None;
        for (doc, score) in self.above(query, limit, threshold, scratch) {
            let better = match best {
                None => true,
                Some((bd, bs)) => {
                    score > bs
                        || (score == bs
                            && self.ids.get(doc).map(String::as_str)
                                < self.ids.get(bd).map(String::as_str))
                }
            };
            if better {
                best = Some((doc, score));
            }
        }
        best
    }

    /// Every item among the first `limit` with score ≥ `threshold`, in the order scored.
    fn above(
        &self,
        query: &Features,
        limit: usize,
        threshold: f64,
        scratch: &mut Scratch,
    ) -> Vec<(usize, f64)> {
        if query.stem.is_empty() || limit == 0 {
            return Vec::new();
        }
        // An item reaches `threshold` only if its stem Dice reaches `min_stem`.
        let min_stem = ((threshold - OPTION_WEIGHT) / STEM_WEIGHT).max(0.0);

        let mut probe: Vec<&[u32]> = Vec::with_capacity(query.stem.len());
        let mut stop: Vec<&[u32]> = Vec::new();
        for token in &query.stem {
            let Some(&term) = self.terms.get(token) else {
                continue;
            };
            let Some(list) = self.postings.get(term as usize) else {
                continue;
            };
            if list.len() > self.stop_df {
                stop.push(list);
            } else {
                probe.push(list);
            }
        }
        let mut stop_shared = stop.len();
        if probe.is_empty() {
            probe = stop;
            stop_shared = 0;
        }

        let Scratch { counts, touched } = scratch;
        touched.clear();
        for list in probe {
            for &doc in list {
                if doc as usize >= limit {
                    break;
                }
                if let Some(c) = counts.get_mut(doc as usize) {
                    if *c == 0 {
                        touched.push(doc);
                    }
                    *c += 1;
                }
            }
        }

        let a = query.stem.len();
        let mut promising: Vec<(f64, u32)> = Vec::new();
        for &doc in touched.iter() {
            let Some(c) = counts.get_mut(doc as usize) else {
                continue;
            };
            let shared = *c as usize;
            *c = 0;
            let b = self.features.get(doc as usize).map_or(0, |f| f.stem.len());
            let total = (a + b) as f64;
            let optimistic = 2.0 * (shared + stop_shared.min(b)) as f64 / total;
            if optimistic + 1e-9 >= min_stem {
                promising.push((2.0 * shared as f64 / total, doc));
            }
        }
        let by_promise = |x: &(f64, u32), y: &(f64, u32)| {
            y.0.partial_cmp(&x.0)
                .unwrap_or(Ordering::Equal)
                .then(x.1.cmp(&y.1))
        };
        if promising.len() > MAX_SCORED {
            promising.select_nth_unstable_by(MAX_SCORED, by_promise);
            promising.truncate(MAX_SCORED);
        }

        let mut found = Vec::new();
        for &(_, doc) in &promising {
            let doc = doc as usize;
            let Some(f) = self.features.get(doc) else {
                continue;
            };
            let score = score(query, f);
            if score >= threshold {
                found.push((doc, score));
            }
        }
        found
    }
}

/// Every pair of `texts` scoring ≥ `threshold` (the bank screening itself): for each text, the
/// earlier texts it matches, as `Match { id: later, similar_to: earlier }`, sorted by the later
/// text's input position, then the earlier one's. The same search limits as [`Index::screen`]
/// apply (at most `MAX_SCORED` partners scored per text).
pub fn pairs(texts: &[Text], threshold: f64) -> Vec<Match> {
    if texts.len() < 2 || threshold.is_nan() || threshold > 1.0 {
        return Vec::new();
    }
    let index = Index::new(texts);
    let found: Vec<Vec<(usize, f64)>> = (0..index.len())
        .into_par_iter()
        .with_min_len(16)
        .map_init(
            || Scratch::new(index.len()),
            |scratch, j| {
                let mut v = index
                    .features
                    .get(j)
                    .map(|f| index.above(f, j, threshold, scratch))
                    .unwrap_or_default();
                v.sort_by_key(|&(doc, _)| doc);
                v
            },
        )
        .collect();
    let mut out = Vec::new();
    for (j, list) in found.into_iter().enumerate() {
        for (doc, score) in list {
            if let (Some(a), Some(b)) = (index.ids.get(j), index.ids.get(doc)) {
                out.push(Match {
                    id: a.clone(),
                    similar_to: b.clone(),
                    score,
                });
            }
        }
    }
    out
}

/// Similarity of two questions in 0..=1 (the same measure `screen` uses).
pub fn similarity(a: &Text, b: &Text) -> f64 {
    score(&features(a), &features(b))
}

fn score(a: &Features, b: &Features) -> f64 {
    let stem = dice(&a.stem, &b.stem);
    let s = if a.options.is_empty() || b.options.is_empty() {
        stem
    } else {
        STEM_WEIGHT * stem + OPTION_WEIGHT * dice(&a.options, &b.options)
    };
    s.clamp(0.0, 1.0)
}

/// Dice coefficient of two sorted, distinct token lists.
fn dice(a: &[u64], b: &[u64]) -> f64 {
    let total = a.len() + b.len();
    if total == 0 {
        return 0.0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while let (Some(x), Some(y)) = (a.get(i), b.get(j)) {
        match x.cmp(y) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * shared as f64 / total as f64
}

fn features(t: &Text) -> Features {
    let mut stem = Vec::new();
    push_tokens(&normalize(&t.stem), &mut stem);
    stem.sort_unstable();
    stem.dedup();
    let mut options = Vec::new();
    for o in &t.options {
        push_tokens(&normalize(strip_label(o)), &mut options);
    }
    options.sort_unstable();
    options.dedup();
    Features { stem, options }
}

/// Appends the bigrams of `chars` (or the single character of a one-character text).
fn push_tokens(chars: &[char], out: &mut Vec<u64>) {
    match chars {
        [] => {}
        [c] => out.push(u64::from(*c as u32) << 32),
        _ => out.extend(chars.windows(2).filter_map(|w| match w {
            [x, y] => Some((u64::from(*x as u32) << 32) | u64::from(*y as u32)),
            _ => None,
        })),
    }
}

/// Removes a leading option label such as `A.`, `B、`, `（C）` or `Ｄ．`.
fn strip_label(option: &str) -> &str {
    let s = option.trim_start();
    let mut chars = s.char_indices().map(|(i, c)| (i, half_width(c)));
    let is_label =
        |c: char| c.is_ascii_alphabetic() && ('a'..='h').contains(&c.to_ascii_lowercase());
    let is_sep = |c: char| matches!(c, '.' | '、' | ':' | ')' | '。');
    // The text after the character starting at byte `i`.
    let after = |i: usize| {
        let width = s
            .get(i..)
            .and_then(|r| r.chars().next())
            .map_or(1, char::len_utf8);
        s.get(i + width..).unwrap_or(s)
    };
    match (chars.next(), chars.next(), chars.next()) {
        (Some((_, '(')), Some((_, l)), Some((i, ')'))) if is_label(l) => after(i),
        (Some((_, l)), Some((i, sep)), _) if is_label(l) && is_sep(sep) => after(i),
        _ => s,
    }
}

/// Full-width and small-form characters to their ASCII counterparts.
fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        '\u{FE62}' => '+',
        '\u{FE64}' => '<',
        '\u{FE65}' => '>',
        '\u{FE66}' => '=',
        '\u{FE6A}' => '%',
        '\u{2126}' => '\u{03A9}',
        _ => c,
    }
}

/// Punctuation that is dropped (beyond whitespace and control characters).
fn is_dropped_punct(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_punctuation() && !matches!(c, '%' | '+' | '=' | '<' | '>' | '/');
    }
    matches!(c,
        '\u{00A1}' | '\u{00A7}' | '\u{00A8}' | '\u{00AB}' | '\u{00B4}' | '\u{00B6}'
        | '\u{00B7}' | '\u{00BB}' | '\u{00BF}'
        // General punctuation, except per-mille and primes (‰ ‱ ′ ″ ‴).
        | '\u{2000}'..='\u{202F}' | '\u{2035}'..='\u{206F}'
        | '\u{2E00}'..='\u{2E7F}'
        // CJK punctuation, except 々 〆 〇 and the like.
        | '\u{3000}'..='\u{3003}' | '\u{3008}'..='\u{3011}' | '\u{3014}'..='\u{301F}'
        | '\u{3030}' | '\u{303D}' | '\u{30FB}'
        | '\u{FE10}'..='\u{FE19}' | '\u{FE30}'..='\u{FE6B}'
        | '\u{FF5F}'..='\u{FF65}'
    )
}

/// Normalises a text into the characters that are compared.
fn normalize(s: &str) -> Vec<char> {
    let raw: Vec<char> = s.chars().map(half_width).collect();
    let mut out = Vec::with_capacity(raw.len());
    for (i, &c) in raw.iter().enumerate() {
        if c.is_whitespace() || c.is_control() {
            continue;
        }
        if c == '.' {
            let digit_before = i
                .checked_sub(1)
                .and_then(|p| raw.get(p))
                .is_some_and(char::is_ascii_digit);
            let digit_after = raw.get(i + 1).is_some_and(char::is_ascii_digit);
            if digit_before && digit_after {
                out.push(c);
            }
            continue;
        }
        if is_dropped_punct(c) {
            continue;
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(id: &str, stem: &str, options: &[&str]) -> Text {
        Text {
            id: id.to_string(),
            stem: stem.to_string(),
            options: options.iter().map(|o| o.to_string()).collect(),
        }
    }

    /// Near-duplicate pairs: re-punctuated, re-spaced, options reordered or reworded, a word or
    /// two changed.
    fn duplicate_pairs() -> Vec<(Text, Text)> {
        vec![
            // Re-punctuated with ASCII punctuation and spaces (a judgment item).
            (
                t(
                    "d1a",
                    "三相异步电动机的同步转速与电源频率成正比，与磁极对数成反比。",
                    &[],
                ),
                t(
                    "d1b",
                    "三相异步电动机的同步转速 与电源频率成正比, 与磁极对数成反比.",
                    &[],
                ),
            ),
            // Options reordered.
            (
                t(
                    "d2a",
                    "热继电器在电动机控制电路中主要用作（  ）保护。",
                    &["A. 短路", "B. 过载", "C. 欠压", "D. 失压"],
                ),
                t(
                    "d2b",
                    "热继电器在电动机控制电路中主要用作（  ）保护。",
                    &["A. 过载", "B. 失压", "C. 短路", "D. 欠压"],
                ),
            ),
            // One option reworded.
            (
                t(
                    "d3a",
                    "交流接触器铁心上装短路环的作用是（  ）。",
                    &[
                        "减小铁心振动和噪声",
                        "增大铁心磁通",
                        "减缓铁心冲击",
                        "减小涡流损耗",
                    ],
                ),
                t(
                    "d3b",
                    "交流接触器铁心上装短路环的作用是（  ）。",
                    &[
                        "减小铁心振动和噪声",
                        "增大铁心磁通",
                        "减缓铁心冲击",
                        "降低铁心发热",
                    ],
                ),
            ),
            // Full-width forms, different blank and labels, options reordered.
            (
                t(
                    "d4a",
                    "ＰＬＣ的扫描工作过程分为输入采样、程序执行和（　　）三个阶段。",
                    &["Ａ．输出刷新", "Ｂ．自诊断", "Ｃ．通信处理", "Ｄ．中断处理"],
                ),
                t(
                    "d4b",
                    "PLC的扫描工作过程分为输入采样,程序执行和(    )三个阶段",
                    &["(A)自诊断", "(B)输出刷新", "(C)中断处理", "(D)通信处理"],
                ),
            ),
            // A word changed in the stem and a word added.
            (
                t(
                    "d5a",
                    "变压器的铁心采用硅钢片叠压而成，其目的是（  ）。",
                    &["减小铁心损耗", "增大磁通", "便于制造", "节省材料"],
                ),
                t(
                    "d5b",
                    "变压器铁心通常采用硅钢片叠压而成，其主要目的是（ ）",
                    &["增大磁通", "减小铁心损耗", "节省材料", "便于制造"],
                ),
            ),
            // A word or two changed in a judgment item.
            (
                t("d6a", "发现有人触电时，首先应迅速使触电者脱离电源。", &[]),
                t("d6b", "发现有人触电，首先要迅速使触电者脱离电源。", &[]),
            ),
            // Numbers and symbols kept; one word changed.
            (
                t(
                    "d7a",
                    "用兆欧表测量电动机绕组的绝缘电阻，其阻值一般不应低于（  ）MΩ。",
                    &["0.5", "1", "2", "5"],
                ),
                t(
                    "d7b",
                    "用兆欧表测量电动机定子绕组的绝缘电阻，阻值一般不应低于(   )MΩ",
                    &["1", "0.5", "5", "2"],
                ),
            ),
            // Same stem, judgment item re-typed as a single choice.
            (
                t("d8a", "低压断路器的瞬时脱扣器在线路中起短路保护作用。", &[]),
                t(
                    "d8b",
                    "低压断路器的瞬时脱扣器在线路中起（  ）保护作用。",
                    &["短路", "过载", "欠压", "漏电"],
                ),
            ),
            // Two words changed in a judgment item.
            (
                t(
                    "d9a",
                    "PLC梯形图中，输出继电器的线圈不能直接与左母线相连。",
                    &[],
                ),
                t(
                    "d9b",
                    "PLC梯形图中输出继电器线圈不能直接与左母线连接。",
                    &[],
                ),
            ),
        ]
    }

    /// Distinct questions on the same topic.
    fn distinct_pairs() -> Vec<(Text, Text)> {
        vec![
            (
                t(
                    "s1a",
                    "三相异步电动机的转差率s的定义是（  ）。",
                    &["(n1-n)/n1", "(n-n1)/n", "n1/n", "n/n1"],
                ),
                t(
                    "s1b",
                    "三相异步电动机额定运行时转差率一般为（  ）。",
                    &["0.01~0.06", "0.1~0.6", "1~2", "0"],
                ),
            ),
            (
                t(
                    "s2a",
                    "交流接触器的主触头一般用于接通和分断（  ）。",
                    &["主电路", "控制电路", "照明电路", "信号电路"],
                ),
                t(
                    "s2b",
                    "交流接触器铁心上装短路环的作用是（  ）。",
                    &[
                        "减小铁心振动和噪声",
                        "增大铁心磁通",
                        "减缓铁心冲击",
                        "减小涡流损耗",
                    ],
                ),
            ),
            (
                t(
                    "s3a",
                    "热继电器在电动机控制电路中主要用作（  ）保护。",
                    &["短路", "过载", "欠压", "失压"],
                ),
                t(
                    "s3b",
                    "热继电器的整定电流一般调整为电动机额定电流的（  ）倍。",
                    &["0.95~1.05", "1.5~2", "2~3", "4~7"],
                ),
            ),
            (
                t(
                    "s4a",
                    "PLC的扫描工作过程分为输入采样、程序执行和（  ）三个阶段。",
                    &["输出刷新", "自诊断", "通信处理", "中断处理"],
                ),
                t(
                    "s4b",
                    "PLC梯形图中，输出继电器的线圈不能直接与（  ）相连。",
                    &["左母线", "右母线", "触点", "定时器"],
                ),
            ),
            (
                t(
                    "s5a",
                    "变压器的铁心采用硅钢片叠压而成，其目的是（  ）。",
                    &["减小铁心损耗", "增大磁通", "便于制造", "节省材料"],
                ),
                t(
                    "s5b",
                    "变压器运行时，铁心中的主磁通大小主要取决于（  ）。",
                    &["电源电压", "负载电流", "铁心材料", "绕组匝数"],
                ),
            ),
            (
                t(
                    "s6a",
                    "我国规定的安全电压额定值等级中，最高一级为（  ）V。",
                    &["42", "36", "24", "12"],
                ),
                t(
                    "s6b",
                    "发现有人触电时，首先应采取的措施是（  ）。",
                    &[
                        "使触电者脱离电源",
                        "拨打急救电话",
                        "进行人工呼吸",
                        "注射强心针",
                    ],
                ),
            ),
            // Judgment items sharing a long phrase.
            (
                t("s7a", "电动机的额定功率是指电动机轴上输出的机械功率。", &[]),
                t(
                    "s7b",
                    "电动机的额定电流是指电动机在额定运行时定子绕组的线电流。",
                    &[],
                ),
            ),
            (
                t(
                    "s8a",
                    "星形-三角形降压启动只适用于正常运行时定子绕组为三角形接法的电动机。",
                    &[],
                ),
                t(
                    "s8b",
                    "自耦变压器降压启动适用于容量较大、正常运行时定子绕组为星形接法的电动机。",
                    &[],
                ),
            ),
            // Same generic options, different questions.
            (
                t(
                    "s9a",
                    "电源电压降低时，三相异步电动机的启动转矩将（  ）。",
                    &["增大", "减小", "不变", "无法确定"],
                ),
                t(
                    "s9b",
                    "变压器二次侧负载增加时，一次侧电流将（  ）。",
                    &["增大", "减小", "不变", "无法确定"],
                ),
            ),
            (
                t(
                    "s10a",
                    "低压断路器的瞬时脱扣器在线路中起（  ）保护作用。",
                    &["短路", "过载", "欠压", "漏电"],
                ),
                t(
                    "s10b",
                    "低压断路器选用时，其额定电流应不小于线路的（  ）。",
                    &["计算负载电流", "短路电流", "启动电流", "峰值电流"],
                ),
            ),
            (
                t("s11a", "接触器的自锁触头应与启动按钮并联。", &[]),
                t(
                    "s11b",
                    "接触器的互锁触头应串联在对方接触器的线圈电路中。",
                    &[],
                ),
            ),
            (
                t(
                    "s12a",
                    "万用表使用完毕后，应将转换开关置于交流电压最高挡。",
                    &[],
                ),
                t(
                    "s12b",
                    "使用万用表测量电阻时，每换一次挡位都应重新进行欧姆调零。",
                    &[],
                ),
            ),
            (
                t("s13a", "变压器的变比等于一次、二次绕组的匝数之比。", &[]),
                t("s13b", "变压器的效率等于输出功率与输入功率之比。", &[]),
            ),
        ]
    }

    #[test]
    fn normalisation_drops_punctuation_and_keeps_symbols() {
        let s: String = normalize("ＰＬＣ的（　　）输出: 0.5 MΩ, 36V。√ 50% ×2 > 1/2 ℃ 3.")
            .into_iter()
            .collect();
        assert_eq!(s, "plc的输出0.5mΩ36v√50%×2>1/2℃3");
        let s: String = normalize("《规程》【规定】“安全”‘电压’…—·、；：？！")
            .into_iter()
            .collect();
        assert_eq!(s, "规程规定安全电压");
        assert!(normalize(" （  ）。____ ").is_empty());
    }

    #[test]
    fn ohm_sign_unified_and_omega_case_kept() {
        let s: String = normalize("Ω Ω ω").into_iter().collect();
        assert_eq!(s, "ΩΩω");
    }

    #[test]
    fn option_labels_are_stripped() {
        assert_eq!(strip_label("A. 短路"), " 短路");
        assert_eq!(strip_label("Ｂ．过载"), "过载");
        assert_eq!(strip_label("（C）欠压"), "欠压");
        assert_eq!(strip_label("D、失压"), "失压");
        assert_eq!(strip_label("AC接触器"), "AC接触器");
        assert_eq!(strip_label("√"), "√");
        assert_eq!(strip_label(""), "");
    }

    #[test]
    fn identical_scores_one_and_symmetric() {
        for (a, b) in duplicate_pairs().into_iter().chain(distinct_pairs()) {
            assert_eq!(similarity(&a, &a), 1.0, "{}", a.id);
            let (x, y) = (similarity(&a, &b), similarity(&b, &a));
            assert!((x - y).abs() < 1e-12, "{} {}", a.id, b.id);
            assert!((0.0..=1.0).contains(&x));
        }
    }

    #[test]
    fn repunctuated_copy_scores_one() {
        let a = t(
            "a",
            "三相异步电动机的同步转速与电源频率成正比，与磁极对数成反比。",
            &[],
        );
        let b = t(
            "b",
            "三相异步电动机的同步转速 与电源频率成正比, 与磁极对数成反比.",
            &[],
        );
        let s = similarity(&a, &b);
        assert!(s >= DEFAULT_THRESHOLD);
        assert!(s > 0.99, "{s}");
    }

    #[test]
    fn reordered_options_change_nothing() {
        let pairs = duplicate_pairs();
        let (a, b) = &pairs[1];
        assert_eq!(similarity(a, b), 1.0);
    }

    #[test]
    fn one_option_reworded_still_flagged() {
        let pairs = duplicate_pairs();
        let (a, b) = &pairs[2];
        let s = similarity(a, b);
        assert!((DEFAULT_THRESHOLD..1.0).contains(&s), "{s}");
    }

    #[test]
    fn all_near_duplicates_flagged() {
        for (a, b) in duplicate_pairs() {
            let s = similarity(&a, &b);
            assert!(s >= DEFAULT_THRESHOLD, "{} vs {}: {s}", a.id, b.id);
        }
    }

    #[test]
    fn distinct_same_topic_not_flagged() {
        for (a, b) in distinct_pairs() {
            let s = similarity(&a, &b);
            assert!(s < DEFAULT_THRESHOLD, "{} vs {}: {s}", a.id, b.id);
        }
    }

    /// Prints the score ranges used to choose the threshold:
    /// `cargo test score_ranges -- --nocapture`.
    #[test]
    fn score_ranges() {
        let dup: Vec<f64> = duplicate_pairs()
            .iter()
            .map(|(a, b)| similarity(a, b))
            .collect();
        let dis: Vec<f64> = distinct_pairs()
            .iter()
            .map(|(a, b)| similarity(a, b))
            .collect();
        let min = |v: &[f64]| v.iter().copied().fold(f64::INFINITY, f64::min);
        let max = |v: &[f64]| v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        println!("duplicates: {dup:.3?}");
        println!("distinct:   {dis:.3?}");
        println!(
            "duplicates {:.3}..={:.3}, distinct {:.3}..={:.3}",
            min(&dup),
            max(&dup),
            min(&dis),
            max(&dis)
        );
        assert!(max(&dis) < min(&dup));
    }

    fn bank() -> Vec<Text> {
        let mut v: Vec<Text> = Vec::new();
        for (a, b) in distinct_pairs() {
            v.push(a);
            v.push(b);
        }
        v
    }

    #[test]
    fn screen_reports_best_bank_match_with_score() {
        let index = Index::new(&bank());
        let cand = t(
            "new1",
            "热继电器在电动机控制电路中主要起（ ）保护作用",
            &["过载", "短路", "失压", "欠压"],
        );
        let out = index.screen(std::slice::from_ref(&cand), DEFAULT_THRESHOLD);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].id, "new1");
        assert_eq!(out[0].similar_to, "s3a");
        let expected = similarity(&cand, &bank()[4]);
        assert_eq!(bank()[4].id, "s3a");
        assert_eq!(out[0].score, expected);
        assert!(out[0].score >= DEFAULT_THRESHOLD && out[0].score < 1.0);
    }

    #[test]
    fn screen_picks_highest_and_ties_to_smallest_id() {
        let q = "三相异步电动机的同步转速与电源频率成正比，与磁极对数成反比。";
        let near = "三相异步电动机的同步转速与电源频率成正比，与磁极对数成正比。";
        let existing = vec![
            t("z9", q, &[]),
            t("b2", near, &[]),
            t("a1", q, &[]),
            t(
                "x",
                "变压器运行时，铁心中的主磁通大小主要取决于（  ）。",
                &[],
            ),
        ];
        let index = Index::new(&existing);
        let out = index.screen(&[t("c", q, &[])], DEFAULT_THRESHOLD);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].similar_to, "a1");
        assert_eq!(out[0].score, 1.0);
        // Without the exact copies the near one is reported, with its lower score.
        let index = Index::new(&existing[1..2]);
        let out = index.screen(&[t("c", q, &[])], DEFAULT_THRESHOLD);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].similar_to, "b2");
        assert!(out[0].score < 1.0 && out[0].score >= DEFAULT_THRESHOLD);
    }

    #[test]
    fn screen_reports_candidate_duplicating_earlier_candidate() {
        let index = Index::new(&bank());
        let pairs = duplicate_pairs();
        let (first, second) = pairs[5].clone();
        let unrelated = t("u", "钳形电流表测量电流时，被测导线应置于钳口中央。", &[]);
        let cands = vec![first.clone(), unrelated, second.clone()];
        let out = index.screen(&cands, DEFAULT_THRESHOLD);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].id, second.id);
        assert_eq!(out[0].similar_to, first.id);
        assert_eq!(out[0].score, similarity(&second, &first));
    }

    #[test]
    fn screen_orders_by_candidate_input_order_bank_first() {
        let b = bank();
        let index = Index::new(&b);
        let copy_of = |i: usize, id: &str| Text {
            id: id.to_string(),
            ..b[i].clone()
        };
        let cands = vec![copy_of(7, "k1"), copy_of(0, "k2"), copy_of(0, "k3")];
        let out = index.screen(&cands, DEFAULT_THRESHOLD);
        let got: Vec<(&str, &str)> = out
            .iter()
            .map(|m| (m.id.as_str(), m.similar_to.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![("k1", "s4b"), ("k2", "s1a"), ("k3", "s1a"), ("k3", "k2")]
        );
    }

    #[test]
    fn distinct_candidates_not_flagged_against_bank() {
        // A bank of only the "a" sides, candidates the "b" sides: nothing flagged.
        let (a_side, b_side): (Vec<Text>, Vec<Text>) = distinct_pairs().into_iter().unzip();
        let index = Index::new(&a_side);
        assert!(index.screen(&b_side, DEFAULT_THRESHOLD).is_empty());
    }

    #[test]
    fn empty_inputs_give_empty_output() {
        let index = Index::new(&[]);
        assert_eq!(index.len(), 0);
        assert!(index.screen(&[], DEFAULT_THRESHOLD).is_empty());
        let one = t("x", "三相异步电动机的转差率s的定义是（  ）。", &[]);
        assert!(
            index
                .screen(std::slice::from_ref(&one), DEFAULT_THRESHOLD)
                .is_empty()
        );
        let index = Index::new(&bank());
        assert!(index.screen(&[], DEFAULT_THRESHOLD).is_empty());
        // Empty texts are never flagged.
        let blank = t("blank", "（  ）", &[]);
        let index = Index::new(std::slice::from_ref(&blank));
        assert!(
            index
                .screen(&[blank.clone(), blank.clone()], 0.0)
                .is_empty()
        );
        assert_eq!(similarity(&blank, &blank), 0.0);
    }

    #[test]
    fn odd_thresholds_do_not_panic() {
        let index = Index::new(&bank());
        let cands = bank();
        assert!(index.screen(&cands, f64::NAN).is_empty());
        assert!(index.screen(&cands, 1.5).is_empty());
        assert_eq!(index.screen(&cands, 1.0).len(), cands.len());
        assert!(!index.screen(&cands, -1.0).is_empty());
    }

    #[test]
    fn stop_bigrams_skipped_for_counting_not_scoring() {
        // 600 items share the phrase "电动机的"; the index treats its bigrams as stop-bigrams,
        // and still finds the duplicate and scores it on all bigrams.
        let mut existing: Vec<Text> = (0..600)
            .map(|i| t(&format!("f{i:03}"), &format!("电动机的{i}号题"), &[]))
            .collect();
        existing.push(t(
            "target",
            "电动机的额定功率是指电动机轴上输出的机械功率。",
            &[],
        ));
        let index = Index::new(&existing);
        assert!(index.stop_df < 600);
        let cand = t("c", "电动机的额定功率是指电动机轴上输出的机械功率", &[]);
        let out = index.screen(&[cand], DEFAULT_THRESHOLD);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].similar_to, "target");
        assert_eq!(out[0].score, 1.0);
        // A candidate made only of stop-bigrams still finds its match.
        let out = index.screen(&[t("c2", "电动机的", &[])], 0.1);
        assert_eq!(out.len(), 1);
    }
}
