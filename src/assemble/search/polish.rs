//! The finishing descent of a search chain: deterministic first improvement over single
//! replacements, exchanges between two forms and pairs of replacements within one form whose p
//! changes add up to what closes the mean-p spread.

use super::{Model, State, Terms, at_bound, cell};

/// Keeps the move just applied if it made the terms better ([`Terms::better_than`]; true: the forms are now good enough),
/// else undoes it by the given replacements, in order.
fn keep_or_undo(
    st: &mut State,
    cur: &mut Terms,
    improved: &mut bool,
    bound: f64,
    undo: &[(usize, usize, u32)],
) -> bool {
    let new = st.terms();
    if new.better_than(cur) {
        *cur = new;
        *improved = true;
        return at_bound(&new, bound);
    }
    for &(form, slot, item) in undo {
        st.replace(form, slot, item);
    }
    false
}

/// Evaluations the finishing descent may spend per chain: per slot, about a tight bank's section.
fn polish_budget(m: &Model) -> u64 {
    let slots: usize = m.sec_count.iter().sum::<usize>() * m.forms;
    (slots as u64 * 600).min(400_000)
}

/// Deterministic first-improvement descent: passes over replacements and exchanges until a pass
/// changes nothing or their budget is spent, then pairs of replacements (with a budget of their
/// own) whenever no single move improves; ends when the forms are good enough or nothing improves.
pub(super) fn polish(
    st: &mut State,
    sec_start: &[usize],
    slot_sec: &[usize],
    bound: f64,
    moves: &mut u64,
) {
    let budget = polish_budget(st.m);
    if at_bound(&st.terms(), bound) {
        return;
    }
    let mut spent = 0u64;
    let mut pair_spent = 0u64;
    let mut cur = st.terms();
    loop {
        match single_pass(
            st, sec_start, slot_sec, bound, &mut cur, &mut spent, budget, moves,
        ) {
            Pass::Done => return,
            Pass::Improved => continue,
            Pass::Stuck => {}
        }
        match pair_move(st, bound, &mut cur, &mut pair_spent, budget, moves) {
            Some(true) | None => return,
            Some(false) => {}
        }
    }
}

/// How a pass of single moves ended.
enum Pass {
    /// The forms reached the bound.
    Done,
    /// Some move lowered the cost: another pass may find more.
    Improved,
    /// Nothing improved, or the budget ran out.
    Stuck,
}

/// One pass over every slot of every form: replacements by any item of the slot's section the
/// form does not hold, and exchanges with a later form's item of the same section.
#[allow(clippy::too_many_arguments)]
fn single_pass(
    st: &mut State,
    sec_start: &[usize],
    slot_sec: &[usize],
    bound: f64,
    cur: &mut Terms,
    spent: &mut u64,
    budget: u64,
    moves: &mut u64,
) -> Pass {
    let m = st.m;
    let mut improved = false;
    for f in 0..m.forms {
        for (k, &s) in slot_sec.iter().enumerate() {
            for &b in &m.by_sec[s] {
                if *spent >= budget {
                    // no further passes: what is left is for the pair moves
                    return Pass::Stuck;
                }
                if st.holds(f, b) {
                    continue;
                }
                *spent += 1;
                *moves += 1;
                let a = st.replace(f, k, b);
                if keep_or_undo(st, cur, &mut improved, bound, &[(f, k, a)]) {
                    return Pass::Done;
                }
            }
            for g in f + 1..m.forms {
                for l in sec_start[s]..sec_start[s + 1] {
                    if *spent >= budget {
                        return Pass::Stuck;
                    }
                    let (a, b) = (st.slots[f][k], st.slots[g][l]);
                    if a == b || st.holds(f, b) || st.holds(g, a) {
                        continue;
                    }
                    *spent += 1;
                    *moves += 1;
                    st.replace(f, k, b);
                    st.replace(g, l, a);
                    let undo = [(g, l, b), (f, k, a)];
                    if keep_or_undo(st, cur, &mut improved, bound, &undo) {
                        return Pass::Done;
                    }
                }
            }
        }
    }
    if improved {
        Pass::Improved
    } else {
        Pass::Stuck
    }
}

/// Neighbours on either side of the nearest p change looked at by a pair move.
const PAIR_NEAR: usize = 2;

/// Replacements as (change of the p sum, slot, item), sorted.
type Moves = Vec<(i64, usize, u32)>;

/// Every replacement on form `f` by an item of the cell (section, row, band, X) of the item it
/// replaces — one that keeps the weight table, the mix and the X share as they are — as (change
/// of the form's p sum, slot, item), sorted.
fn in_cell_moves(st: &State, f: usize) -> Moves {
    let m = st.m;
    let rows = m.rows();
    let mut cand = Vec::new();
    for (k, &a) in st.slots[f].iter().enumerate() {
        let it = &m.items[a as usize];
        let pts = m.sec_pts[it.section];
        for &b in &m.cells()[cell(rows, it.section, it.row, it.band, it.x)] {
            if b != a && !st.holds(f, b) {
                cand.push(((m.items[b as usize].p - it.p) * pts, k, b));
            }
        }
    }
    cand.sort_unstable();
    cand
}

/// Two in-cell replacements, on the highest and the lowest form (or twice on one of them),
/// whose p changes together close the spread between them — all of it, or half — or bring a
/// form to the blueprint's mean-p target. It closes the last steps of mean-p spread where no
/// single replacement or exchange has the p needed: on a tight bank nearly every item is in use,
/// and a replacement that takes an item of another form must be paired with one that gives a
/// shared item up. First improvement: `Some(true)` when the forms reached the bound,
/// `Some(false)` after an improvement, `None` when no pair improves (or the budget is spent).
fn pair_move(
    st: &mut State,
    bound: f64,
    cur: &mut Terms,
    spent: &mut u64,
    budget: u64,
    moves: &mut u64,
) -> Option<bool> {
    let m = st.m;
    let (lo, hi) = st.extremes();
    // (first form, second form, wanted change of first − second, or of the sum when one form)
    let mut plans: Vec<(usize, usize, i64)> = Vec::new();
    match m.mean_target {
        Some(t) => {
            for f in [hi, lo] {
                plans.push((f, f, t * m.total - st.psum[f]));
            }
        }
        None if m.forms > 1 && hi != lo => {
            let d = st.psum[hi] - st.psum[lo];
            for need in [-d, -(d / 2)] {
                plans.push((hi, lo, need));
                plans.push((hi, hi, need));
                plans.push((lo, lo, -need));
            }
        }
        None => return None,
    }
    let cands: Vec<(usize, Moves)> = [hi, lo]
        .into_iter()
        .map(|f| (f, in_cell_moves(st, f)))
        .collect();
    let of = |f: usize| &cands.iter().find(|c| c.0 == f).expect("an extreme form").1;
    for (f, g, need) in plans {
        if need == 0 {
            continue;
        }
        let (first, second) = (of(f), of(g));
        for &(d1, k1, b1) in first {
            // the second change: the rest of the need on the same form, or the first change
            // less the need on the other form
            let want = if f == g { need - d1 } else { d1 - need };
            // every partner with exactly that change (the first ones may break the overlap
            // limit where others do not), else the nearest on each side
            let j = second.partition_point(|c| c.0 < want);
            let e = j + second[j..].partition_point(|c| c.0 == want);
            let range = if e > j {
                j..e
            } else {
                j.saturating_sub(PAIR_NEAR)..(j + PAIR_NEAR).min(second.len())
            };
            for &(d2, k2, b2) in &second[range] {
                let left = if f == g {
                    need - d1 - d2
                } else {
                    need - d1 + d2
                };
                if (f == g && (k2 == k1 || b2 == b1)) || left.abs() >= need.abs() {
                    continue;
                }
                if *spent >= budget {
                    return None;
                }
                *spent += 1;
                *moves += 1;
                let a1 = st.replace(f, k1, b1);
                if st.holds(g, b2) {
                    st.replace(f, k1, a1);
                    continue;
                }
                let a2 = st.replace(g, k2, b2);
                let mut improved = false;
                let undo = [(g, k2, a2), (f, k1, a1)];
                let done = keep_or_undo(st, cur, &mut improved, bound, &undo);
                if improved {
                    return Some(done);
                }
            }
        }
    }
    None
}
