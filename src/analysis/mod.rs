//! Item analysis after a sitting: the input and report types and [`analyse`], which turns scored
//! responses into classical item statistics, reliability, flags and Rasch difficulties.
//!
//! Pure: no IO, no clock, no randomness; the same input gives the same report, bit for bit
//! (every sum runs in a fixed order, and no hash map is iterated).
//!
//! # Scoring
//! - `Chosen(set)` on a choice or judge item scores `max` when the chosen set equals the keyed
//!   set (order and repeats ignored), else 0: no partial credit for 多选. An empty set is an
//!   omission and scores 0.
//! - `Score(x)` is clamped to `0..=max` (a NaN counts as 0).
//! - `Missing` scores 0 and, like `Chosen(empty)`, counts as omitted.
//! - Every candidate of a form is a response to each of its items, so `n` counts omissions.
//! - An item whose `max` is not a positive finite number is worth 0 points: its p, D and
//!   correlations are `None`.
//!
//! # Classical statistics
//! - Per form: mean and population sd (divisor n) of total scores, Cronbach's alpha
//!   `k/(k−1)·(1 − Σσ²ᵢ/σ²ₓ)` on points, and KR-20 `k/(k−1)·(1 − Σpᵢqᵢ/σ²)` on the number of
//!   items answered correctly (each item 0/1), given only when every item scored only 0 or its
//!   max on that form. When every item is worth 1 point the two agree; with unequal points
//!   alpha describes the reported (weighted) total, KR-20 the number-correct score.
//! - Per item (pooled over every form that holds the same `(id, version)`; each response is
//!   first divided by its own form's `max`): p = mean score / max; D = mean of the upper 27 %
//!   minus mean of the lower 27 %, divided by max; item–rest r = Pearson correlation of the item
//!   score with the rest of the candidate's total on the same form. For pooling, the rest score
//!   is taken as a share of that form's rest maximum; within one form this is a linear change
//!   of scale and leaves r unchanged.
//! - Upper and lower groups: every candidate who saw the item is ranked by their total as a
//!   share of their own form's max total, highest first; ties keep candidate order (forms in
//!   input order, then candidates in input order). The group size is `round(0.27·n)`, at least
//!   1; the upper group is the first `g` of that ranking, the lower group the last `g`. So
//!   among tied candidates the earlier ones fall in the upper group and the later ones in the
//!   lower group. D needs at least 2 candidates.
//! - Options (choice and judge items, at most [`MAX_OPTIONS`] per item): share of n whose
//!   chosen set includes the option, and the same share within the upper and lower groups.
//!   When one `(id, version)` appears with different option counts or keys on different forms,
//!   the first occurrence (forms in input order) names the options and keys.
//!
//! # Flags (see [`Flag`])
//! p below `p_min` or above `p_max`; D below 0 (negative) or else below `d_min` (low); a
//! probable miskey when the upper group chooses some distractor more often than the key (for
//! 多选: more often than the least chosen keyed option), and also whenever D < 0 on a choice
//! item and some distractor is chosen in the upper group (the most attractive one is named);
//! a non-functioning distractor when its share of n is below `distractor_min_share`. Option
//! flags need at least one response.
//!
//! # Rasch (dichotomous model, JMLE)
//! Items are identified by `(id, version)` across all forms; persons are the candidates of each
//! form (one person per form row). An item is estimable when it is worth a positive number of
//! points, every response to it on every form scored 0 or its max, and it has at least
//! `rasch_min_responses` responses (n, as above); below that its estimate is `None`. Among the
//! estimable items, persons with a zero or perfect score on the estimable items of their form
//! and items answered correctly by none or by all of the remaining persons are removed,
//! repeatedly, until none is left to remove; their estimates stay `None`. The remaining items
//! (L of them, at least 2) are estimated by joint maximum likelihood: Newton–Raphson, each
//! iteration first updating every person ability (to convergence; persons with the same raw
//! score on the same form share one ability) and then one Newton step per item difficulty
//! (steps capped at 1 logit), re-centring the difficulties at mean 0; at most 100 iterations,
//! stopping when the largest change of an item difficulty is below 0.001 logits. The reported
//! difficulty is the centred estimate times the JMLE bias correction (L−1)/L; its standard
//! error is `1/sqrt(Σ P(1−P))` over the item's remaining responses, at the converged
//! (uncorrected) estimates.
//!
//! # Robustness
//! No input makes it panic: empty forms, rows shorter or longer than the item list (absent
//! answers are `Missing`, extra ones ignored), option indices out of range (ignored), zero
//! variance, all answers right. Statistics that are undefined are `None`; plain `f64` fields
//! are 0 when there is nothing to count. Every number in the report is finite.
//!
//! # Performance
//! Each response is read once (rows in parallel) into flat `Vec<f64>` scores and `Vec<u64>`
//! option bit masks, transposed to column-major per form; candidates are sorted once; items
//! are analysed in parallel with rayon; Rasch persons are tallied by (form, raw score).

mod classical;
mod flags;
mod rasch;
mod report;
mod score;
#[cfg(test)]
mod tests;

pub use report::{ItemText, flag_text, report_html};
use std::collections::BTreeMap;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Option indices at or above this bound are ignored in option statistics (an input with a
/// larger `options` still gets at most this many [`OptionStats`]).
pub const MAX_OPTIONS: usize = 63;

/// One question as analysed: a bank item version within one form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemSpec {
    /// Bank id, e.g. "DG4-0120".
    pub id: String,
    /// Bank item version.
    pub version: u32,
    /// Points available.
    pub max: f64,
    /// For choice/judge items: number of options (judge = 2: 0 = √, 1 = ×); 0 for score-only items.
    pub options: usize,
    /// For choice/judge items: the keyed option indices (one for 单选/判断, several for 多选).
    pub key: Vec<usize>,
}

/// One candidate's answer to one question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// Chosen option indices (empty = omitted). Scored against the key: exact match = max,
    /// else 0 (no partial credit for 多选).
    Chosen(Vec<usize>),
    /// A score given by an examiner (subjective items), 0..=max.
    Score(f64),
    /// No answer recorded.
    Missing,
}

/// One form's responses: `responses[c][i]` is candidate c's answer to item i.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormData {
    /// Label, e.g. "dg4-theory F01".
    pub form: String,
    /// The form's items, in column order.
    pub items: Vec<ItemSpec>,
    /// One row per candidate, one entry per item.
    pub responses: Vec<Vec<Response>>,
}

/// Flagging thresholds (defaults from the bureau's practice: p outside 0.30–0.80, D < 0.20,
/// a distractor chosen by < 5 % is non-functioning; Rasch needs ≥ 30 responses per item).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    /// Items with p below this are flagged too hard.
    pub p_min: f64,
    /// Items with p above this are flagged too easy.
    pub p_max: f64,
    /// Items with D below this are flagged low (below 0: negative) discrimination.
    pub d_min: f64,
    /// Distractors chosen by a smaller share of n are non-functioning.
    pub distractor_min_share: f64,
    /// Items with fewer responses get no Rasch estimate.
    pub rasch_min_responses: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            p_min: 0.30,
            p_max: 0.80,
            d_min: 0.20,
            distractor_min_share: 0.05,
            rasch_min_responses: 30,
        }
    }
}

/// The whole analysis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// One per input form, in input order.
    pub forms: Vec<FormStats>,
    /// One per distinct `(id, version)`, sorted by `(id, version)`.
    pub items: Vec<ItemStats>,
}

/// Test-level statistics of one form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormStats {
    /// The form's label.
    pub form: String,
    /// Number of candidates (rows).
    pub candidates: usize,
    /// Number of items (columns).
    pub items: usize,
    /// Mean total score (0 without candidates).
    pub mean: f64,
    /// Population sd (divisor n) of total scores (0 without candidates).
    pub sd: f64,
    /// Sum of the items' points.
    pub max_total: f64,
    /// Cronbach's alpha (= KR-20 when every item is 0/1-scored); `None` with fewer than 2
    /// items or zero total variance.
    pub alpha: Option<f64>,
    /// KR-20 on the number of items answered correctly; only when every item is dichotomous
    /// (scored only 0 or max) on this form, else `None`.
    pub kr20: Option<f64>,
    /// Score histogram: 10 equal bins over `[0, max_total]`, each `(from, to, count)`; a bin
    /// holds totals from `from` up to but not including `to`, the last one also `max_total`.
    pub distribution: Vec<(f64, f64, usize)>,
}

/// Statistics of one item, pooled over every form that holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemStats {
    /// Bank id.
    pub id: String,
    /// Bank item version.
    pub version: u32,
    /// Responses pooled over every form containing this `(id, version)` (omissions included).
    pub n: usize,
    /// Mean score / max.
    pub p: Option<f64>,
    /// Upper–lower 27 % discrimination: (mean score upper − mean lower) / max.
    pub d: Option<f64>,
    /// Corrected item–total correlation: item score with (total − item score) on its own form.
    pub item_rest: Option<f64>,
    /// For choice items: one per option index (the omit share is in `omitted`).
    pub options: Vec<OptionStats>,
    /// Share of n that is `Missing` or `Chosen(empty)`.
    pub omitted: f64,
    /// Rasch difficulty in logits; `None` when the item is not estimable (see module doc).
    pub rasch: Option<f64>,
    /// Standard error of `rasch`.
    pub rasch_se: Option<f64>,
    /// Review flags, in a fixed order: p, D, miskey, distractors by option index.
    pub flags: Vec<Flag>,
}

/// How one option of a choice item was chosen.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OptionStats {
    /// Option index (0 = A).
    pub option: usize,
    /// Whether the option is in the key.
    pub keyed: bool,
    /// Share of n whose chosen set includes this option.
    pub share: f64,
    /// Share choosing it within the upper 27 %.
    pub upper: f64,
    /// Share choosing it within the lower 27 %.
    pub lower: f64,
    /// `upper − lower`.
    pub discrimination: f64,
}

/// A reason to review an item.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "flag", rename_all = "snake_case")]
pub enum Flag {
    /// p below `p_min`.
    TooHard {
        /// The item's p.
        p: f64,
    },
    /// p above `p_max`.
    TooEasy {
        /// The item's p.
        p: f64,
    },
    /// 0 ≤ D < `d_min`.
    LowDiscrimination {
        /// The item's D.
        d: f64,
    },
    /// D < 0.
    NegativeDiscrimination {
        /// The item's D.
        d: f64,
    },
    /// The upper group prefers a distractor over the key (or D < 0 on a choice item).
    ProbableMiskey {
        /// The distractor most chosen in the upper group.
        distractor: usize,
        /// Its share within the upper group.
        upper_share: f64,
        /// The key's share within the upper group (for 多选: the least chosen keyed option's).
        key_upper_share: f64,
    },
    /// A distractor chosen by fewer than `distractor_min_share` of n.
    NonFunctioningDistractor {
        /// Option index.
        option: usize,
        /// Its share of n.
        share: f64,
    },
}

/// Analyse every form: form statistics in input order, item statistics pooled by
/// `(id, version)` and sorted by it. See the module documentation for the definitions.
pub fn analyse(forms: &[FormData], t: &Thresholds) -> Report {
    // Score every form: responses read once, row by row in parallel, into flat matrices that
    // are then transposed to column-major (one column per item).
    let scored: Vec<score::ScoredForm> = forms.iter().map(score::ScoredForm::new).collect();

    let form_stats: Vec<FormStats> = forms
        .iter()
        .zip(&scored)
        .map(|(f, s)| classical::form_stats(&f.form, s))
        .collect();

    // Pool item occurrences by (id, version); BTreeMap keeps the output order fixed.
    let mut pooled: BTreeMap<ItemKey, Vec<(usize, usize)>> = BTreeMap::new();
    for (fi, f) in forms.iter().enumerate() {
        for (ii, item) in f.items.iter().enumerate() {
            pooled
                .entry((item.id.as_str(), item.version))
                .or_default()
                .push((fi, ii));
        }
    }
    let pooled: Vec<(ItemKey, Vec<(usize, usize)>)> = pooled.into_iter().collect();

    // Rank every candidate once; then one upper/lower grouping per distinct set of forms.
    let ranking = classical::Ranking::new(&scored);
    let mut groups: BTreeMap<Vec<usize>, classical::Groups> = BTreeMap::new();
    for (_, occ) in &pooled {
        let set = form_set(occ);
        if let std::collections::btree_map::Entry::Vacant(slot) = groups.entry(set) {
            let g = ranking.groups(slot.key(), &scored);
            slot.insert(g);
        }
    }

    let mut items: Vec<ItemStats> = pooled
        .par_iter()
        .map(|((id, version), occ)| {
            let g = groups.get(&form_set(occ));
            let mut st = classical::item_stats(id, *version, occ, forms, &scored, g);
            st.flags = flags::flags(&st, t);
            st
        })
        .collect();

    let occurrences: Vec<&[(usize, usize)]> = pooled.iter().map(|(_, o)| o.as_slice()).collect();
    let estimates = rasch::estimate(&occurrences, &scored, t.rasch_min_responses);
    for (st, est) in items.iter_mut().zip(estimates) {
        if let Some((b, se)) = est {
            st.rasch = finite(b);
            st.rasch_se = finite(se);
        }
    }

    Report {
        forms: form_stats,
        items,
    }
}

/// An item as pooled across forms: `(id, version)`.
type ItemKey<'a> = (&'a str, u32);

/// The sorted, deduplicated form indices of an item's occurrences.
fn form_set(occ: &[(usize, usize)]) -> Vec<usize> {
    let mut set: Vec<usize> = occ.iter().map(|&(f, _)| f).collect();
    set.sort_unstable();
    set.dedup();
    set
}

/// `Some(x)` when x is a finite number.
pub(crate) fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// x when finite, else 0 (for plain `f64` report fields).
pub(crate) fn finite_or_zero(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}
