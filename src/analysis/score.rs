//! Scoring: turns one form's responses into a flat column-major score matrix with totals.

use rayon::prelude::*;

use super::{FormData, MAX_OPTIONS, Response};

/// Bit of a cell mask marking an omission (`Missing`, `Chosen(empty)` or absent).
pub(crate) const OMITTED: u64 = 1 << 63;

/// One form, scored.
pub(crate) struct ScoredForm {
    /// Number of candidates (rows).
    pub n: usize,
    /// Effective points per item (0 when the spec's `max` is not a positive finite number).
    pub max: Vec<f64>,
    /// Scores, column-major: item i, candidate c at `cols[i * n + c]`.
    pub cols: Vec<f64>,
    /// Per cell, same layout: bit o set when option o (< `MAX_OPTIONS`) was chosen, and
    /// [`OMITTED`] for an omission.
    pub masks: Vec<u64>,
    /// Total score per candidate (items summed in column order).
    pub totals: Vec<f64>,
    /// Sum of `max`.
    pub max_total: f64,
    /// Per item: worth points and every score on this form is 0 or `max`.
    pub dichotomous: Vec<bool>,
}

impl ScoredForm {
    pub fn new(form: &FormData) -> ScoredForm {
        let n = form.responses.len();
        let k = form.items.len();
        let max: Vec<f64> = form.items.iter().map(|it| effective_max(it.max)).collect();
        let keys: Vec<Vec<usize>> = form.items.iter().map(|it| sorted_key(&it.key)).collect();
        let options: Vec<usize> = form
            .items
            .iter()
            .map(|it| it.options.min(MAX_OPTIONS))
            .collect();

        // One row-major pass over the responses (each read once, row by row), in parallel.
        let mut row_scores = vec![0.0; n * k];
        let mut row_masks = vec![0u64; n * k];
        let mut totals = vec![0.0; n];
        if k > 0 {
            row_scores
                .par_chunks_mut(k)
                .zip(row_masks.par_chunks_mut(k))
                .zip(totals.par_iter_mut())
                .zip(form.responses.par_iter())
                .for_each(|(((scores, masks), total), row)| {
                    let mut sum = 0.0;
                    for i in 0..k {
                        let r = row.get(i);
                        let s = score(r, max[i], &keys[i]);
                        scores[i] = s;
                        masks[i] = mask(r, options[i]);
                        sum += s;
                    }
                    *total = sum;
                });
        }

        // Transpose to column-major, one column per task.
        let mut cols = vec![0.0; n * k];
        let mut masks = vec![0u64; n * k];
        let mut dichotomous: Vec<bool> = max.iter().map(|&m| m > 0.0).collect();
        if n > 0 {
            cols.par_chunks_mut(n)
                .zip(masks.par_chunks_mut(n))
                .zip(dichotomous.par_iter_mut())
                .enumerate()
                .for_each(|(i, ((col, mcol), dich))| {
                    let m = max[i];
                    let mut all_01 = *dich;
                    for (c, (slot, mslot)) in col.iter_mut().zip(mcol.iter_mut()).enumerate() {
                        let s = row_scores[c * k + i];
                        all_01 &= s == 0.0 || s == m;
                        *slot = s;
                        *mslot = row_masks[c * k + i];
                    }
                    *dich = all_01;
                });
        }
        let max_total = max.iter().sum();
        ScoredForm {
            n,
            max,
            cols,
            masks,
            totals,
            max_total,
            dichotomous,
        }
    }

    /// Scores of item i, one per candidate.
    pub fn col(&self, i: usize) -> &[f64] {
        &self.cols[i * self.n..(i + 1) * self.n]
    }

    /// Option masks of item i, one per candidate.
    pub fn mask_col(&self, i: usize) -> &[u64] {
        &self.masks[i * self.n..(i + 1) * self.n]
    }

    /// A candidate's total as a share of the form's max total (0 when the form is worth 0).
    pub fn share(&self, c: usize) -> f64 {
        let s = self.totals[c] / self.max_total;
        if s.is_finite() { s } else { 0.0 }
    }
}

/// The option bits of one response (options at or above `options` ignored) plus [`OMITTED`].
fn mask(r: Option<&Response>, options: usize) -> u64 {
    match r {
        Some(Response::Chosen(chosen)) if chosen.is_empty() => OMITTED,
        Some(Response::Chosen(chosen)) => chosen
            .iter()
            .filter(|&&o| o < options)
            .fold(0u64, |m, &o| m | (1u64 << o)),
        Some(Response::Score(_)) => 0,
        Some(Response::Missing) | None => OMITTED,
    }
}

/// Points an item is worth: its `max` when positive and finite, else 0.
pub(crate) fn effective_max(max: f64) -> f64 {
    if max.is_finite() && max > 0.0 {
        max
    } else {
        0.0
    }
}

/// The keyed option set, sorted and without repeats.
pub(crate) fn sorted_key(key: &[usize]) -> Vec<usize> {
    let mut k = key.to_vec();
    k.sort_unstable();
    k.dedup();
    k
}

/// The score of one response (`None`: the row is too short, i.e. missing).
fn score(r: Option<&Response>, max: f64, key: &[usize]) -> f64 {
    match r {
        Some(Response::Chosen(chosen)) => {
            if same_set(chosen, key) {
                max
            } else {
                0.0
            }
        }
        Some(Response::Score(x)) => {
            if x.is_nan() {
                0.0
            } else {
                x.clamp(0.0, max)
            }
        }
        Some(Response::Missing) | None => 0.0,
    }
}

/// Whether a chosen list names exactly the (sorted, deduplicated, non-empty) key set,
/// ignoring order and repeats. Allocation-free.
fn same_set(chosen: &[usize], key: &[usize]) -> bool {
    !chosen.is_empty()
        && !key.is_empty()
        && chosen.iter().all(|c| key.binary_search(c).is_ok())
        && key.iter().all(|k| chosen.contains(k))
}
