//! Leak tracing (泄题溯源): given leaked text — a whole paper or a fragment, copied or re-typed —
//! find which organisation copies it can come from, by the order in which its questions appear
//! and the order of each choice question's options. Pure.
//!
//! Method: text is normalised (full-width → half-width, case folded, whitespace and punctuation
//! dropped, meaningful symbols such as √ % ° kept). Each candidate question's stem is located in the leak by voting over shared
//! character 3-grams (robust to re-typed punctuation, spacing and a few typos); a stem counts as
//! found when at least [`FOUND_SHARE`] of its 3-grams occur. Option texts are then located between
//! the stem and the next found stem. A copy is consistent with the leak when it holds every
//! found question, prints them in the leak's order, and prints every located option in the
//! leak's order.

use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Share of a stem's 3-grams that must occur in the leak for the stem to count as found.
pub const FOUND_SHARE: f64 = 0.6;

/// One question as printed in a copy.
#[derive(Clone, Debug)]
pub struct PrintedQuestion {
    pub id: String,
    pub stem: String,
    /// Option texts in the form's order.
    pub options: Vec<String>,
    /// For each printed letter, the form's option index.
    pub printed: Vec<usize>,
}

/// One organisation's copy of a form, in print order.
#[derive(Clone, Debug)]
pub struct CopyText {
    /// The sitting the copy belongs to (copy codes repeat across sittings).
    pub sitting: String,
    pub copy: String,
    pub organisation: String,
    pub questions: Vec<PrintedQuestion>,
}

/// How well one copy agrees with the leak.
#[derive(Clone, Debug, Serialize)]
pub struct CopyMatch {
    pub sitting: String,
    pub copy: String,
    pub organisation: String,
    /// Found questions this copy holds.
    pub held: usize,
    /// Consecutive pairs of found questions (in leak order) that the copy prints in that order.
    pub order_agree: usize,
    pub order_pairs: usize,
    /// Choice questions whose located options the copy prints in the leak's order.
    pub options_agree: usize,
    pub options_seen: usize,
    /// Positions (1-based) in the copy of the found questions, in leak order.
    pub positions: Vec<usize>,
    pub consistent: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct TraceReport {
    /// Question ids found in the leak, in leak order.
    pub found: Vec<String>,
    /// Copies consistent with everything observed.
    pub consistent: Vec<String>,
    /// Every copy holding at least one found question, best first.
    pub ranking: Vec<CopyMatch>,
}

/// Normalises text for matching.
pub fn normalise(s: &str) -> Vec<char> {
    s.chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .filter(|&c| !c.is_whitespace() && !is_punctuation(c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Punctuation that re-typing changes freely. Symbols that carry meaning in questions (√ % ° Ω
/// + = < > / × ≤ …) are kept.
fn is_punctuation(c: char) -> bool {
    (c.is_ascii_punctuation() && !"%+=<>/*^~".contains(c))
        || "，。、；：？！“”‘’（）《》〈〉【】〔〕「」『』—…·－﹏＿".contains(c)
}

fn grams(t: &[char]) -> impl Iterator<Item = (usize, [char; 3])> + '_ {
    t.windows(3)
        .enumerate()
        .map(|(i, w)| (i, [w[0], w[1], w[2]]))
}

/// Where in the leak a text starts (by 3-gram voting), what share of its 3-grams occur anywhere,
/// and what share (and how many) agree with that start.
fn locate(
    text: &[char],
    index: &HashMap<[char; 3], Vec<usize>>,
) -> Option<(usize, f64, f64, usize)> {
    let total = text.len().saturating_sub(2);
    if total < 2 {
        return None;
    }
    let mut present = 0;
    let mut votes: HashMap<isize, usize> = HashMap::new();
    for (k, g) in grams(text) {
        if let Some(ps) = index.get(&g) {
            present += 1;
            for &p in ps.iter().take(64) {
                *votes.entry(p as isize - k as isize).or_default() += 1;
            }
        }
    }
    let share = present as f64 / total as f64;
    // a re-typed stem may gain or lose a character or two: count votes within ±2 of the best
    let (best, _) = votes
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))?;
    let near: usize = (best - 2..=best + 2).filter_map(|s| votes.get(&s)).sum();
    let aligned = (near as f64 / total as f64).min(1.0);
    Some(((*best).max(0) as usize, share, aligned, near))
}

fn find_sub(hay: &[char], needle: &[char]) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Traces `leak` against `copies`.
pub fn trace(leak: &str, copies: &[CopyText]) -> TraceReport {
    let text = normalise(leak);
    let mut index: HashMap<[char; 3], Vec<usize>> = HashMap::new();
    for (i, g) in grams(&text) {
        index.entry(g).or_default().push(i);
    }
    // Every distinct question (by id) across the copies.
    let mut questions: BTreeMap<&str, &PrintedQuestion> = BTreeMap::new();
    for c in copies {
        for q in &c.questions {
            questions.entry(q.id.as_str()).or_insert(q);
        }
    }
    // (start, id, stem length, evidence: aligned 3-grams plus option characters found)
    let mut candidates: Vec<(usize, &str, usize, usize)> = Vec::new();
    for (id, q) in &questions {
        let stem = normalise(&q.stem);
        if let Some((start, share, aligned, near)) = locate(&stem, &index)
            && share >= FOUND_SHARE
            && aligned >= FOUND_SHARE / 2.0
        {
            // the question's options right after the stem add evidence: they tell apart
            // questions whose stems read the same
            let opts: Vec<Vec<char>> = q.options.iter().map(|o| normalise(o)).collect();
            let from = (start + stem.len()).min(text.len());
            let span: usize = opts.iter().map(Vec::len).sum::<usize>() * 2 + 24;
            let window = &text[from..(from + span).min(text.len())];
            let hits: usize = opts
                .iter()
                .filter(|o| find_sub(window, o).is_some())
                .map(Vec::len)
                .sum();
            candidates.push((start, id, stem.len(), near + hits));
        }
    }
    // Two similar stems (or one inside another) can claim the same place: the one with more
    // evidence there keeps it.
    candidates.sort_by(|a, b| b.3.cmp(&a.3).then(a.1.cmp(b.1)));
    let mut found: Vec<(usize, &str, usize)> = Vec::new();
    for (start, id, len, _) in candidates {
        let overlaps = found.iter().any(|&(s, _, l)| {
            let lo = start.max(s);
            let hi = (start + len).min(s + l);
            hi > lo && (hi - lo) * 2 > len.min(l)
        });
        if !overlaps {
            found.push((start, id, len));
        }
    }
    found.sort();
    // Options: the order in which the form's options appear after each found stem.
    let mut seen_options: HashMap<&str, Vec<usize>> = HashMap::new();
    for (n, &(start, id, len)) in found.iter().enumerate() {
        let q = questions[id];
        if q.options.len() < 2 {
            continue;
        }
        let from = (start + len).min(text.len());
        let to = found.get(n + 1).map_or(text.len(), |f| f.0).max(from);
        let window = &text[from..to];
        // longest options first, each claiming its span, so that an option contained in another
        // ("接触器" in "交流接触器") is not found inside it
        let mut opts: Vec<(usize, Vec<char>)> =
            q.options.iter().map(|o| normalise(o)).enumerate().collect();
        opts.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
        let mut claimed: Vec<(usize, usize)> = Vec::new();
        let mut at: Vec<(usize, usize)> = Vec::new();
        for (i, o) in &opts {
            if o.is_empty() {
                continue;
            }
            let mut from_ix = 0;
            while let Some(p) = find_sub(&window[from_ix..], o).map(|p| p + from_ix) {
                let end = p + o.len();
                if claimed.iter().all(|&(s, e)| end <= s || p >= e) {
                    claimed.push((p, end));
                    at.push((p, *i));
                    break;
                }
                from_ix = p + 1;
            }
        }
        at.sort();
        at.dedup_by_key(|x| x.0);
        if at.len() >= 2 {
            seen_options.insert(id, at.into_iter().map(|(_, i)| i).collect());
        }
    }
    let order: Vec<&str> = found.iter().map(|f| f.1).collect();
    let mut ranking: Vec<CopyMatch> = copies
        .iter()
        .filter_map(|c| {
            let pos: HashMap<&str, usize> = c
                .questions
                .iter()
                .enumerate()
                .map(|(i, q)| (q.id.as_str(), i))
                .collect();
            let positions: Vec<usize> =
                order.iter().filter_map(|id| pos.get(id).copied()).collect();
            if positions.is_empty() {
                return None;
            }
            let order_agree = positions.windows(2).filter(|w| w[0] < w[1]).count();
            let order_pairs = positions.len().saturating_sub(1);
            let mut options_agree = 0;
            let mut options_seen = 0;
            for (id, seen) in &seen_options {
                let Some(&i) = pos.get(id) else { continue };
                options_seen += 1;
                let printed = &c.questions[i].printed;
                let at: Vec<Option<usize>> = seen
                    .iter()
                    .map(|f| printed.iter().position(|p| p == f))
                    .collect();
                if at.iter().all(Option::is_some) && at.windows(2).all(|w| w[0] < w[1]) {
                    options_agree += 1;
                }
            }
            Some(CopyMatch {
                sitting: c.sitting.clone(),
                copy: c.copy.clone(),
                organisation: c.organisation.clone(),
                held: positions.len(),
                order_agree,
                order_pairs,
                options_agree,
                options_seen,
                consistent: positions.len() == order.len()
                    && order_agree == order_pairs
                    && options_agree == options_seen,
                positions: positions.iter().map(|p| p + 1).collect(),
            })
        })
        .collect();
    ranking.sort_by(|a, b| {
        (b.consistent, b.held, b.order_agree + b.options_agree)
            .cmp(&(a.consistent, a.held, a.order_agree + a.options_agree))
            .then(a.copy.cmp(&b.copy))
            .then(a.sitting.cmp(&b.sitting))
    });
    TraceReport {
        found: order.iter().map(|s| s.to_string()).collect(),
        consistent: ranking
            .iter()
            .filter(|m| m.consistent)
            .map(|m| m.copy.clone())
            .collect(),
        ranking,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(id: &str, stem: &str, options: &[&str], printed: &[usize]) -> PrintedQuestion {
        PrintedQuestion {
            id: id.into(),
            stem: stem.into(),
            options: options.iter().map(|s| s.to_string()).collect(),
            printed: printed.to_vec(),
        }
    }

    #[test]
    fn normalising_drops_punctuation_and_width() {
        assert_eq!(
            normalise("三相电路（  ）中，Ｕ＝380 V。"),
            normalise("三相电路() 中,U=380V.")
        );
    }

    #[test]
    fn order_and_options_pick_the_copy() {
        let a = q(
            "A",
            "熔断器在电路中主要起短路保护作用",
            &["短路保护", "过载保护", "失压保护"],
            &[0, 1, 2],
        );
        let b = q(
            "B",
            "热继电器在电路中主要起过载保护作用",
            &["过载保护甲", "短路保护乙", "欠压保护丙"],
            &[0, 1, 2],
        );
        let b2 = q(
            "B",
            "热继电器在电路中主要起过载保护作用",
            &["过载保护甲", "短路保护乙", "欠压保护丙"],
            &[2, 1, 0],
        );
        let c1 = CopyText {
            sitting: "S".into(),
            copy: "X".into(),
            organisation: "OX".into(),
            questions: vec![a.clone(), b.clone()],
        };
        let c2 = CopyText {
            sitting: "S".into(),
            copy: "Y".into(),
            organisation: "OY".into(),
            questions: vec![b.clone(), a.clone()],
        };
        let c3 = CopyText {
            sitting: "S".into(),
            copy: "Z".into(),
            organisation: "OZ".into(),
            questions: vec![a.clone(), b2],
        };
        let leak = "1.熔断器在电路中主要起短路保护作用( ) A 短路保护 B 过载保护 C 失压保护\n2 热继电器在电路中主要起过载保护作用：A.过载保护甲 B.短路保护乙 C.欠压保护丙";
        let r = trace(leak, &[c1, c2, c3]);
        assert_eq!(r.found, vec!["A", "B"]);
        assert_eq!(r.consistent, vec!["X"]);
    }
}
