//! What no set of forms can beat: a lower bound on each balance term, and counting proofs that a
//! blueprint's hard constraints cannot all hold (too few items for a section once enemy groups are
//! counted; more item-sharing forced between forms than the overlap limit allows).
//!
//! The sharing argument: if `F` forms each take `k` items of a section from `n` eligible ones, item
//! `i` used by `m_i` forms contributes `m_i (m_i − 1) / 2` shared pairs; with `Σ m_i = F k`, no
//! item on a form twice and at most one item of an enemy group per form, the fewest shared pairs
//! come from spreading the uses as evenly as possible (water-filling, exact for these nested
//! limits). Summed over sections, some pair of forms shares at least the average over pairs; the
//! same holds for every subset of `F' ≤ F` forms, so the largest of those averages is a bound.

use super::search::{Model, W_DIFFICULTY, W_FUNCTION, W_MEAN_P, W_X};
use std::collections::BTreeMap;

/// Lower bound on `Terms::balance()` for any forms meeting the layout.
pub(super) fn balance_bound(m: &Model) -> f64 {
    let g = m.sec_pts.iter().copied().fold(0, gcd).max(1);
    let sections = m.sec_pts.len();
    let rows = m.row_target.len();
    // D1: each row's points are a multiple of g within what its items can give.
    let mut d1 = 0i64;
    for r in 0..rows {
        let cap: i64 = (0..sections)
            .map(|s| {
                let n = m.by_sec_row[s * rows + r].len().min(m.sec_count[s]);
                n as i64 * m.sec_pts[s]
            })
            .sum();
        d1 += dist_to_lattice(m.row_target[r], g, 0, cap);
    }
    // D2: a band's points lie between what the layout forces into it and what it can hold.
    let mut d2 = 0i64;
    if let Some(mix) = m.mix_target {
        for (b, &t) in mix.iter().enumerate() {
            let (mut lo, mut hi) = (0i64, 0i64);
            for s in 0..sections {
                let n = m.by_sec[s].len();
                let nb = m.by_sec[s]
                    .iter()
                    .filter(|&&i| m.items[i as usize].band == b)
                    .count();
                let k = m.sec_count[s];
                hi += nb.min(k) as i64 * m.sec_pts[s];
                lo += k.saturating_sub(n - nb) as i64 * m.sec_pts[s];
            }
            d2 += dist_to_lattice(t, g, lo, hi);
        }
    }
    // X: at most every slot on an X item.
    let mut x = 0i64;
    if let Some(xt) = m.x_target {
        let most: i64 = (0..sections)
            .map(|s| {
                let nx = m.by_sec[s]
                    .iter()
                    .filter(|&&i| m.items[i as usize].x)
                    .count();
                nx.min(m.sec_count[s]) as i64 * m.sec_pts[s]
            })
            .sum();
        x = (xt - most).max(0);
    }
    // Mean p: between the easiest and the hardest possible form.
    let mut mean = 0.0;
    if let Some(t) = m.mean_target {
        let (mut lo, mut hi) = (0i64, 0i64);
        for s in 0..sections {
            let mut ps: Vec<i64> = m.by_sec[s].iter().map(|&i| m.items[i as usize].p).collect();
            ps.sort_unstable();
            let k = m.sec_count[s].min(ps.len());
            lo += ps[..k].iter().sum::<i64>() * m.sec_pts[s];
            hi += ps[ps.len() - k..].iter().sum::<i64>() * m.sec_pts[s];
        }
        let (lo, hi) = (
            lo as f64 / m.total as f64 / 1e6,
            hi as f64 / m.total as f64 / 1e6,
        );
        let t = t as f64 / 1e6;
        mean = if t < lo {
            lo - t
        } else if t > hi {
            t - hi
        } else {
            0.0
        };
    }
    let f = m.forms as f64;
    f * (W_FUNCTION * d1 as f64 / 100.0
        + W_DIFFICULTY * d2 as f64 / 100.0
        + W_X * x as f64 / 100.0
        + W_MEAN_P * mean)
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 { a.abs() } else { gcd(b, a % b) }
}

/// Distance from `t` to the nearest multiple of `g` in `[lo, hi]`.
fn dist_to_lattice(t: i64, g: i64, lo: i64, hi: i64) -> i64 {
    if hi < lo {
        return 0;
    }
    let below = (t.clamp(lo, hi) / g) * g;
    let mut best = i64::MAX;
    for c in [below - g, below, below + g] {
        if c >= lo && c <= hi {
            best = best.min((t - c).abs());
        }
    }
    if best == i64::MAX { 0 } else { best }
}

/// A section's eligible items as units a form can use: ungrouped items, and enemy groups (at
/// most one of a group per form).
struct Units {
    single: usize,
    /// Sizes of the enemy groups with items in the section.
    groups: Vec<usize>,
}

fn units(m: &Model, s: usize) -> Units {
    let mut single = 0;
    let mut groups: BTreeMap<u32, usize> = BTreeMap::new();
    for &i in &m.by_sec[s] {
        let e = m.items[i as usize].enemy;
        if e == u32::MAX {
            single += 1;
        } else {
            *groups.entry(e).or_default() += 1;
        }
    }
    Units {
        single,
        groups: groups.into_values().collect(),
    }
}

/// The fewest shared pairs `forms` forms taking `k` items each can have (None: they cannot be
/// filled at all).
fn min_shared_pairs(u: &Units, forms: usize, k: usize) -> Option<u64> {
    let per_form = u.single + u.groups.len();
    if per_form < k {
        return None;
    }
    let mut need = (forms * k) as u64;
    let mut pairs = 0u64;
    // Uses at marginal cost c (the c-th extra use of an item adds c shared pairs).
    for c in 0..forms as u64 {
        let mut avail = u.single as u64;
        for &s in &u.groups {
            let s = s as u64;
            // a group's items share `forms` uses; the c-th layer holds min(s, forms − c s) more
            avail += s.min((forms as u64).saturating_sub(c * s));
        }
        let take = avail.min(need);
        pairs += take * c;
        need -= take;
        if need == 0 {
            return Some(pairs);
        }
    }
    None
}

/// A counting proof that no forms meet the hard constraints, in words a user can check, or None.
pub(super) fn prove_infeasible(m: &Model, type_names: &[String]) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for (s, name) in type_names.iter().enumerate() {
        let u = units(m, s);
        let per_form = u.single + u.groups.len();
        if per_form < m.sec_count[s] {
            out.push(format!(
                "proof: section {} needs {} items per form, but only {} of its {} eligible items can stand on one form together ({} enemy group(s) allow one item each)",
                name,
                m.sec_count[s],
                per_form,
                m.by_sec[s].len(),
                u.groups.len()
            ));
        }
    }
    if !out.is_empty() {
        return Some(out);
    }
    if m.forms < 2 {
        return None;
    }
    for f in (2..=m.forms.min(64)).rev() {
        let mut total = 0u64;
        let mut parts = Vec::new();
        for (s, name) in type_names.iter().enumerate() {
            let u = units(m, s);
            let p = min_shared_pairs(&u, f, m.sec_count[s])?;
            total += p;
            if p > 0 {
                parts.push(format!(
                    "{} × {} {} from {} eligible: ≥ {p}",
                    f,
                    m.sec_count[s],
                    name,
                    m.by_sec[s].len()
                ));
            }
        }
        let pairs = (f * (f - 1) / 2) as u64;
        let worst = total.div_ceil(pairs);
        if worst > m.limit.max(0) as u64 {
            let which = if f == m.forms {
                format!("{f} forms")
            } else {
                format!("any {f} of the {} forms", m.forms)
            };
            return Some(vec![format!(
                "proof: {which} must share at least {total} item(s) over their {pairs} pair(s) ({}), so some pair shares ≥ {worst} items; the overlap limit is {}",
                parts.join("; "),
                m.limit
            )]);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{Units, dist_to_lattice, min_shared_pairs};

    #[test]
    fn sharing_is_counted_as_the_even_spread() {
        // 2 forms × 80 from 125: 35 items must be on both.
        let u = Units {
            single: 125,
            groups: vec![],
        };
        assert_eq!(min_shared_pairs(&u, 2, 80), Some(35));
        // 3 forms × 80 from 125: 240 uses, 125 once, 115 twice → 115 pairs.
        assert_eq!(min_shared_pairs(&u, 3, 80), Some(115));
        // not enough items for one form
        assert_eq!(min_shared_pairs(&u, 2, 126), None);
        // an enemy pair is one unit per form: 3 forms × 2 from {a, b} ∪ {c}: per form ≤ 2 units;
        // the pair's items share 3 uses (one item twice: 1 pair), c used 3 times (3 pairs).
        let g = Units {
            single: 1,
            groups: vec![2],
        };
        assert_eq!(min_shared_pairs(&g, 3, 2), Some(4));
    }

    #[test]
    fn lattice_distance_respects_the_range() {
        assert_eq!(dist_to_lattice(1050, 100, 0, 5000), 50);
        assert_eq!(dist_to_lattice(1000, 100, 0, 5000), 0);
        assert_eq!(dist_to_lattice(1000, 100, 0, 600), 400);
        assert_eq!(dist_to_lattice(1000, 200, 1500, 3000), 600);
    }
}
