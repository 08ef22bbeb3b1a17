//! Leak tracing (泄题溯源): given leaked text — a whole paper or a fragment, copied or re-typed —
//! find which organisation copies it can come from, by the order in which its questions appear
//! and the order of each choice question's options. Pure.
//!
//! Method: text is normalised (full-width → half-width, case folded, whitespace and punctuation
//! dropped, meaningful symbols such as √ % ° and decimal points kept). Each candidate question's
//! stem is located in the leak by voting over shared character 3-grams (robust to re-typed
//! punctuation, spacing, OCR misreadings and a few typos); a stem counts as found when at least
//! [`FOUND_SHARE`] of its 3-grams occur. Where several items read the same at one place (an item
//! shared across levels, a near-duplicate), the place stands for each of them: it is evidence for
//! any copy holding one, never against the copy that does. Option texts are then located between
//! the stem and the next found stem, only where they can be told apart (an option found twice or
//! reading like another says nothing). A copy is consistent with the leak when it prints its
//! questions in the leak's order, holds a question at (or overlapping) all but one in ten found
//! places, and prints at least three in four located option sets in the leak's order (re-typing
//! and OCR misplace a few).

use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

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
    let t: Vec<char> = s
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        })
        .collect();
    t.iter()
        .enumerate()
        .filter(|&(i, &c)| !c.is_whitespace() && (!is_punctuation(c) || is_decimal_point(&t, i)))
        .flat_map(|(_, c)| c.to_lowercase())
        .collect()
}

/// A '.' between two digits is a decimal point ("1.5 mm" is not "15 mm"), not punctuation.
fn is_decimal_point(t: &[char], i: usize) -> bool {
    t[i] == '.'
        && i > 0
        && t[i - 1].is_ascii_digit()
        && t.get(i + 1).is_some_and(char::is_ascii_digit)
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

/// The order (entry option indices) in which a question's options appear in `window`, from the
/// options that can be told apart there: longest first, each claiming its span so that one
/// contained in another ("5 mm" in "15 mm") is not found inside it; an option found twice, or
/// reading the same as another, says nothing. None with fewer than two located.
fn option_order(window: &[char], options: &[String]) -> Option<Vec<usize>> {
    if options.len() < 2 {
        return None;
    }
    let mut opts: Vec<(usize, Vec<char>)> =
        options.iter().map(|o| normalise(o)).enumerate().collect();
    opts.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    let mut claimed: Vec<(usize, usize)> = Vec::new();
    let mut at: Vec<(usize, usize)> = Vec::new();
    for (k, (i, o)) in opts.iter().enumerate() {
        if o.is_empty() || opts.iter().enumerate().any(|(j, (_, x))| j != k && x == o) {
            continue;
        }
        let free = |p: usize, claimed: &[(usize, usize)]| {
            claimed.iter().all(|&(s, e)| p + o.len() <= s || p >= e)
        };
        let mut hits = Vec::new();
        let mut from_ix = 0;
        while let Some(p) = find_sub(&window[from_ix..], o).map(|p| p + from_ix) {
            if free(p, &claimed) {
                hits.push(p);
            }
            from_ix = p + 1;
        }
        if let [p] = hits[..] {
            claimed.push((p, p + o.len()));
            at.push((p, *i));
        } else {
            // found twice (or not at all): claim every place, trust none
            claimed.extend(hits.iter().map(|&p| (p, p + o.len())));
        }
    }
    at.sort();
    (at.len() >= 2).then(|| at.into_iter().map(|(_, i)| i).collect())
}

/// Where a question was found in the leak: (start, stem length, the ids that read the same
/// there, best-evidenced first, with their evidence).
type Place<'a> = (usize, usize, Vec<(&'a str, usize)>);

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
    // evidence there keeps it. A stem that reads the same as the keeper's over the same text
    // (an item shared across levels, a near-duplicate) with nearly as much evidence joins it:
    // the place is evidence for a copy holding either, never against the one that holds it.
    candidates.sort_by(|a, b| b.3.cmp(&a.3).then(a.1.cmp(b.1)));
    let mut found: Vec<Place> = Vec::new();
    for (start, id, len, evidence) in candidates {
        let overlap = |s: usize, l: usize| {
            let lo = start.max(s);
            let hi = (start + len).min(s + l);
            hi.saturating_sub(lo)
        };
        if let Some(place) = found
            .iter_mut()
            .find(|(s, l, _)| overlap(*s, *l) * 2 > len.min(*l))
        {
            let (s, l, ids) = place;
            let same_text = overlap(*s, *l) * 10 >= len.max(*l) * 9;
            if same_text && evidence * 10 >= ids[0].1 * 8 {
                ids.push((id, evidence));
            }
            continue;
        }
        found.push((start, len, vec![(id, evidence)]));
    }
    found.sort_by_key(|f| f.0);
    // Options: the order in which each candidate's options appear after its place.
    let mut seen_options: HashMap<(usize, &str), Vec<usize>> = HashMap::new();
    for (n, (start, len, ids)) in found.iter().enumerate() {
        let from = (start + len).min(text.len());
        let to = found.get(n + 1).map_or(text.len(), |f| f.0).max(from);
        let window = &text[from..to];
        for &(id, _) in ids {
            if let Some(order) = option_order(window, &questions[id].options) {
                seen_options.insert((n, id), order);
            }
        }
    }
    let mut ranking: Vec<CopyMatch> = copies
        .iter()
        .filter_map(|c| {
            let pos: HashMap<&str, usize> = c
                .questions
                .iter()
                .enumerate()
                .map(|(i, q)| (q.id.as_str(), i))
                .collect();
            // per place, the id this copy holds (the best-evidenced one) and where
            let held: Vec<(usize, &str, usize)> = found
                .iter()
                .enumerate()
                .filter_map(|(n, (_, _, ids))| {
                    ids.iter()
                        .find_map(|(id, _)| pos.get(id).map(|&p| (n, *id, p)))
                })
                .collect();
            if held.is_empty() {
                return None;
            }
            let positions: Vec<usize> = held.iter().map(|h| h.2).collect();
            // a place this copy does not hold is against it only where it does not overlap a
            // place it holds (one question's text can contain a near-duplicate's stem)
            let held_at: HashSet<usize> = held.iter().map(|h| h.0).collect();
            let against = found
                .iter()
                .enumerate()
                .filter(|(n, _)| !held_at.contains(n))
                .filter(|(_, (s, l, _))| {
                    !held.iter().any(|&(h, _, _)| {
                        let (hs, hl, _) = &found[h];
                        s.max(hs) < &(s + l).min(hs + hl)
                    })
                })
                .count();
            let order_agree = positions.windows(2).filter(|w| w[0] < w[1]).count();
            let order_pairs = positions.len().saturating_sub(1);
            let mut options_agree = 0;
            let mut options_seen = 0;
            for &(n, id, i) in &held {
                let Some(seen) = seen_options.get(&(n, id)) else {
                    continue;
                };
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
                // tolerance for what re-typing and OCR do: one place in ten found that this
                // copy does not explain, one option order in four misread; question order must
                // agree everywhere
                consistent: against * 10 <= found.len()
                    && order_agree == order_pairs
                    && options_agree * 4 >= options_seen * 3,
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
        found: found.iter().map(|f| f.2[0].0.to_string()).collect(),
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
    fn a_stem_shared_with_another_copys_item_is_evidence_for_both() {
        // "B5" (this level) and "B4" (another level's copy) read the same; the leak is copy X's.
        let a = q(
            "A",
            "熔断器在电路中主要起短路保护作用",
            &["短路", "过载"],
            &[0, 1],
        );
        let b5 = q(
            "B5",
            "热继电器在电路中主要起过载保护作用",
            &["过载", "短路"],
            &[1, 0],
        );
        let b4 = q(
            "B4",
            "热继电器在电路中主要起过载保护作用",
            &["过载", "短路"],
            &[0, 1],
        );
        let c = q(
            "C",
            "接触器的主触头用于接通和断开主电路",
            &["主电路", "控制电路"],
            &[0, 1],
        );
        let copy = |code: &str, qs: Vec<PrintedQuestion>| CopyText {
            sitting: "S".into(),
            copy: code.into(),
            organisation: code.into(),
            questions: qs,
        };
        let x = copy("X", vec![a.clone(), b5, c.clone()]);
        let y = copy("Y", vec![b4, c]);
        let leak = "1.熔断器在电路中主要起短路保护作用 A.短路 B.过载\n2.热继电器在电路中主要起过载保护作用 A.短路 B.过载\n3.接触器的主触头用于接通和断开主电路 A.主电路 B.控制电路";
        let r = trace(leak, &[x, y]);
        assert_eq!(r.found.len(), 3);
        assert_eq!(r.consistent, vec!["X"], "{:#?}", r.ranking);
    }

    #[test]
    fn options_that_contain_one_another_or_read_alike_do_not_mislead() {
        assert_ne!(normalise("1.5 mm"), normalise("15 mm"));
        assert_eq!(normalise("第1.题"), normalise("第1题"));
        let opts: Vec<String> = ["15 mm", "5 mm", "10 mm", "1.5 mm"]
            .map(String::from)
            .to_vec();
        let window = normalise("A.5 mm B.1.5 mm C.15 mm D.10 mm");
        assert_eq!(option_order(&window, &opts), Some(vec![1, 3, 0, 2]));
        // two options that read the same say nothing about their order
        let same: Vec<String> = ["对", "对", "错"].map(String::from).to_vec();
        assert_eq!(option_order(&normalise("A对 B错 C对"), &same), None);
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
