//! Rasch difficulties: dichotomous Rasch model by joint maximum likelihood (JMLE) over all
//! forms together, with extreme-score pruning and the (L−1)/L bias correction.
//!
//! Since a person's JMLE ability depends only on their raw score and the items they took, and
//! every candidate of a form takes all of its items, persons are tallied into groups by
//! (form, raw score); one Newton iteration then costs O(forms · L²), not O(persons · L).

use super::score::ScoredForm;

/// Largest number of alternating person/item iterations.
const MAX_ITER: usize = 100;
/// Convergence: largest change of an item difficulty in one iteration, in logits.
const CONVERGED: f64 = 0.001;
/// Newton steps are capped at this many logits.
const MAX_STEP: f64 = 1.0;

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// Persons of one form grouped by raw score on its remaining items.
struct FormGroups {
    /// Remaining items of the form (indices into the estimated items; repeats allowed).
    items: Vec<usize>,
    /// `count[r]`: persons with raw score r (only 0 < r < items.len() are kept).
    count: Vec<f64>,
    /// `theta[r]`: their ability.
    theta: Vec<f64>,
}

/// Difficulty (corrected, logits) and standard error per pooled item, `None` where not
/// estimable. `occurrences[j]` lists item j's `(form, column)` pairs.
pub(crate) fn estimate(
    occurrences: &[&[(usize, usize)]],
    scored: &[ScoredForm],
    min_responses: usize,
) -> Vec<Option<(f64, f64)>> {
    let none = vec![None; occurrences.len()];

    // Candidate items: worth points, dichotomous everywhere, enough responses.
    let mut active: Vec<bool> = occurrences
        .iter()
        .map(|occ| {
            let n: usize = occ
                .iter()
                .filter_map(|&(f, _)| scored.get(f))
                .map(|s| s.n)
                .sum();
            n > 0
                && n >= min_responses
                && occ.iter().all(|&(f, i)| {
                    scored
                        .get(f)
                        .is_some_and(|s| s.dichotomous.get(i).copied().unwrap_or(false))
                })
        })
        .collect();

    // Per form: its candidate items as (pooled index, column).
    let mut form_items: Vec<Vec<(usize, usize)>> = vec![Vec::new(); scored.len()];
    for (j, occ) in occurrences.iter().enumerate() {
        if active[j] {
            for &(f, i) in *occ {
                form_items[f].push((j, i));
            }
        }
    }
    for list in &mut form_items {
        list.sort_unstable();
    }

    // Prune extreme persons and items until stable. `raw[f][c]` is person c's raw score on
    // the remaining items of form f; a person remains when 0 < raw < number of items.
    let mut raw: Vec<Vec<u32>> = scored.iter().map(|s| vec![0; s.n]).collect();
    let mut len: Vec<usize> = vec![0; scored.len()];
    let mut right = vec![0usize; occurrences.len()];
    let mut seen = vec![0usize; occurrences.len()];
    loop {
        for (f, sf) in scored.iter().enumerate() {
            let r = &mut raw[f];
            r.iter_mut().for_each(|x| *x = 0);
            len[f] = 0;
            for &(j, i) in &form_items[f] {
                if !active[j] {
                    continue;
                }
                len[f] += 1;
                let m = sf.max[i];
                for (x, &s) in r.iter_mut().zip(sf.col(i)) {
                    *x += u32::from(s == m);
                }
            }
        }
        right.iter_mut().for_each(|x| *x = 0);
        seen.iter_mut().for_each(|x| *x = 0);
        for (f, sf) in scored.iter().enumerate() {
            let l = len[f];
            for &(j, i) in &form_items[f] {
                if !active[j] {
                    continue;
                }
                let m = sf.max[i];
                for (&r, &s) in raw[f].iter().zip(sf.col(i)) {
                    let r = r as usize;
                    if r > 0 && r < l {
                        seen[j] += 1;
                        right[j] += usize::from(s == m);
                    }
                }
            }
        }
        let mut changed = false;
        for j in 0..occurrences.len() {
            if active[j] && !(seen[j] > 0 && right[j] > 0 && right[j] < seen[j]) {
                active[j] = false;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }

    // Index the remaining items 0..L.
    let estimated: Vec<usize> = (0..occurrences.len()).filter(|&j| active[j]).collect();
    let l = estimated.len();
    if l < 2 {
        return none;
    }
    let mut index = vec![usize::MAX; occurrences.len()];
    for (a, &j) in estimated.iter().enumerate() {
        index[j] = a;
    }
    let mut groups: Vec<FormGroups> = Vec::with_capacity(scored.len());
    // For each item: the forms holding it (repeats allowed), to sum its expected score.
    let mut item_forms: Vec<Vec<usize>> = vec![Vec::new(); l];
    for (f, list) in form_items.iter().enumerate() {
        let items: Vec<usize> = list
            .iter()
            .filter(|&&(j, _)| active[j])
            .map(|&(j, _)| index[j])
            .collect();
        for &a in &items {
            item_forms[a].push(f);
        }
        let lf = items.len();
        let mut count = vec![0.0; lf + 1];
        for &r in &raw[f] {
            let r = r as usize;
            if r > 0 && r < lf {
                count[r] += 1.0;
            }
        }
        let theta = (0..=lf)
            .map(|r| {
                if r > 0 && r < lf {
                    (r as f64 / (lf - r) as f64).ln()
                } else {
                    0.0
                }
            })
            .collect();
        groups.push(FormGroups {
            items,
            count,
            theta,
        });
    }
    let observed: Vec<f64> = estimated.iter().map(|&j| right[j] as f64).collect();

    // Start: log-odds of failure, centred.
    let mut b: Vec<f64> = estimated
        .iter()
        .map(|&j| ((seen[j] - right[j]) as f64 / right[j] as f64).ln())
        .collect();
    centre(&mut b);

    for _ in 0..MAX_ITER {
        update_persons(&mut groups, &b);
        let mut next = b.clone();
        for (a, nb) in next.iter_mut().enumerate() {
            let (e, v) = expected(&groups, &item_forms[a], b[a]);
            if v > 0.0 {
                *nb -= ((observed[a] - e) / v).clamp(-MAX_STEP, MAX_STEP);
            }
        }
        centre(&mut next);
        let change = next
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f64::max);
        b = next;
        if change < CONVERGED || change.is_nan() {
            break;
        }
    }
    update_persons(&mut groups, &b);

    let correction = (l as f64 - 1.0) / l as f64;
    let mut out = none;
    for (a, &j) in estimated.iter().enumerate() {
        let (_, v) = expected(&groups, &item_forms[a], b[a]);
        let est = b[a] * correction;
        let se = 1.0 / v.sqrt();
        if est.is_finite() && se.is_finite() {
            out[j] = Some((est, se));
        }
    }
    out
}

/// Subtract the mean.
fn centre(b: &mut [f64]) {
    if b.is_empty() {
        return;
    }
    let mean = b.iter().sum::<f64>() / b.len() as f64;
    b.iter_mut().for_each(|x| *x -= mean);
}

/// Expected score and information `(Σ P, Σ P(1−P))` of an item of difficulty `b` over the
/// remaining persons of the given forms.
fn expected(groups: &[FormGroups], forms: &[usize], b: f64) -> (f64, f64) {
    let (mut e, mut v) = (0.0, 0.0);
    for &f in forms {
        let g = &groups[f];
        for (r, (&n, &theta)) in g.count.iter().zip(&g.theta).enumerate() {
            if r == 0 || r >= g.items.len() {
                continue;
            }
            let p = logistic(theta - b);
            e += n * p;
            v += n * p * (1.0 - p);
        }
    }
    (e, v)
}

/// Newton–Raphson to convergence for every (form, raw score) ability, items held fixed.
fn update_persons(groups: &mut [FormGroups], b: &[f64]) {
    for g in groups.iter_mut() {
        let lf = g.items.len();
        for r in 1..lf {
            let mut theta = g.theta[r];
            for _ in 0..50 {
                let (mut e, mut v) = (0.0, 0.0);
                for &a in &g.items {
                    let p = logistic(theta - b[a]);
                    e += p;
                    v += p * (1.0 - p);
                }
                if v <= 0.0 || !v.is_finite() {
                    break;
                }
                let step = ((r as f64 - e) / v).clamp(-MAX_STEP, MAX_STEP);
                theta += step;
                if step.abs() < 1e-9 {
                    break;
                }
            }
            g.theta[r] = theta;
        }
    }
}
