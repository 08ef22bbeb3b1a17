//! Classical test theory: form reliability and histogram, candidate ranking and 27 % groups,
//! and per-item p, D, item–rest correlation and option statistics.

use rayon::prelude::*;

use super::score::{OMITTED, ScoredForm, sorted_key};
use super::{FormData, FormStats, ItemStats, MAX_OPTIONS, OptionStats, finite, finite_or_zero};

/// Share of candidates in each of the upper and lower groups.
const GROUP_SHARE: f64 = 0.27;

/// Running mean and sum of squared deviations (Welford): exact 0 for constant data.
#[derive(Default)]
struct Moments {
    n: f64,
    mean: f64,
    m2: f64,
}

impl Moments {
    fn push(&mut self, x: f64) {
        self.n += 1.0;
        let d = x - self.mean;
        self.mean += d / self.n;
        self.m2 += d * (x - self.mean);
    }

    /// Population variance (divisor n), 0 without data.
    fn variance(&self) -> f64 {
        if self.n > 0.0 {
            (self.m2 / self.n).max(0.0)
        } else {
            0.0
        }
    }
}

/// Running co-moments of two series (Welford) for a Pearson correlation.
#[derive(Default)]
struct CoMoments {
    n: f64,
    mx: f64,
    my: f64,
    m2x: f64,
    m2y: f64,
    cxy: f64,
}

impl CoMoments {
    fn push(&mut self, x: f64, y: f64) {
        self.n += 1.0;
        let dx = x - self.mx;
        self.mx += dx / self.n;
        let dy = y - self.my;
        self.my += dy / self.n;
        self.m2x += dx * (x - self.mx);
        self.m2y += dy * (y - self.my);
        self.cxy += dx * (y - self.my);
    }

    /// Pearson r; `None` with fewer than 2 pairs or a constant series.
    fn correlation(&self) -> Option<f64> {
        if self.n < 2.0 || self.m2x <= 0.0 || self.m2y <= 0.0 {
            return None;
        }
        finite(self.cxy / (self.m2x * self.m2y).sqrt()).map(|r| r.clamp(-1.0, 1.0))
    }
}

/// `k/(k−1)·(1 − Σ item variances / total variance)`, when defined.
fn reliability(k: usize, item_var_sum: f64, total_var: f64) -> Option<f64> {
    if k < 2 || total_var <= 0.0 || !total_var.is_finite() {
        return None;
    }
    let k = k as f64;
    finite(k / (k - 1.0) * (1.0 - item_var_sum / total_var))
}

/// Test-level statistics of one scored form.
pub(crate) fn form_stats(label: &str, sf: &ScoredForm) -> FormStats {
    let n = sf.n;
    let k = sf.max.len();
    let mut totals = Moments::default();
    for &t in &sf.totals {
        totals.push(t);
    }
    let total_var = totals.variance();

    let (alpha, kr20) = if n == 0 {
        (None, None)
    } else {
        // Item variances in points, in parallel; summed in item order.
        let item_vars: Vec<f64> = sf
            .cols
            .par_chunks(n)
            .map(|col| {
                let mut m = Moments::default();
                for &s in col {
                    m.push(s);
                }
                m.variance()
            })
            .collect();
        let alpha = reliability(k, item_vars.iter().sum(), total_var);

        let kr20 = if sf.dichotomous.iter().all(|&d| d) {
            // Number correct per candidate, and Σ p·q over items.
            let mut correct = vec![0.0; n];
            let mut pq = 0.0;
            for (i, &m) in sf.max.iter().enumerate() {
                let mut right = 0usize;
                for (nc, &s) in correct.iter_mut().zip(sf.col(i)) {
                    if s == m {
                        *nc += 1.0;
                        right += 1;
                    }
                }
                let p = right as f64 / n as f64;
                pq += p * (1.0 - p);
            }
            let mut nc = Moments::default();
            for &x in &correct {
                nc.push(x);
            }
            reliability(k, pq, nc.variance())
        } else {
            None
        };
        (alpha, kr20)
    };

    FormStats {
        form: label.to_string(),
        candidates: n,
        items: k,
        mean: finite_or_zero(totals.mean),
        sd: finite_or_zero(total_var.sqrt()),
        max_total: finite_or_zero(sf.max_total),
        alpha,
        kr20,
        distribution: distribution(&sf.totals, finite_or_zero(sf.max_total)),
    }
}

/// 10 equal bins over `[0, max_total]`; a total equal to `max_total` goes to the last bin.
fn distribution(totals: &[f64], max_total: f64) -> Vec<(f64, f64, usize)> {
    const BINS: usize = 10;
    let mut counts = [0usize; BINS];
    for &t in totals {
        let b = if max_total > 0.0 {
            let x = (t * BINS as f64 / max_total).floor();
            if x.is_finite() && x > 0.0 {
                (x as usize).min(BINS - 1)
            } else {
                0
            }
        } else {
            0
        };
        counts[b] += 1;
    }
    (0..BINS)
        .map(|b| {
            let from = max_total * b as f64 / BINS as f64;
            let to = if b + 1 == BINS {
                max_total
            } else {
                max_total * (b + 1) as f64 / BINS as f64
            };
            (finite_or_zero(from), finite_or_zero(to), counts[b])
        })
        .collect()
}

/// Every candidate of every form, ranked once by total share, highest first.
pub(crate) struct Ranking {
    /// `(share, form, candidate)` in rank order (equal shares in input order, which no
    /// statistic depends on: tied candidates share group membership equally).
    order: Vec<(f64, usize, usize)>,
}

/// Weights of one run of tied candidates in a group of `g` filled from one end, `before`
/// already in it: whole runs while they fit, then the boundary run shares what is left.
fn run_weight(g: usize, before: usize, run: usize) -> f64 {
    if before + run <= g {
        1.0
    } else if before < g {
        (g - before) as f64 / run as f64
    } else {
        0.0
    }
}

impl Ranking {
    pub fn new(scored: &[ScoredForm]) -> Ranking {
        let mut keyed: Vec<(f64, usize, usize)> =
            Vec::with_capacity(scored.iter().map(|s| s.n).sum());
        for (f, sf) in scored.iter().enumerate() {
            for c in 0..sf.n {
                keyed.push((sf.share(c), f, c));
            }
        }
        keyed.par_sort_by(|a, b| b.0.total_cmp(&a.0));
        Ranking { order: keyed }
    }

    /// Upper and lower 27 % groups among the candidates of the given forms (sorted indices).
    /// Each group holds `round(0.27 · n)` candidates' worth of weight: score groups that fit
    /// wholly are in it with weight 1, and the score group that straddles the cut is in it with
    /// the same fractional weight for each of its candidates (the places left ÷ its size), so
    /// membership depends on scores only, never on the order candidates arrive in.
    pub fn groups(&self, set: &[usize], scored: &[ScoredForm]) -> Groups {
        let mut in_set = vec![false; scored.len()];
        for &f in set {
            if let Some(slot) = in_set.get_mut(f) {
                *slot = true;
            }
        }
        let blank = |f: usize, s: &ScoredForm| {
            if in_set[f] {
                vec![0.0; s.n]
            } else {
                Vec::new()
            }
        };
        let mut upper: Vec<Vec<f64>> = scored
            .iter()
            .enumerate()
            .map(|(f, s)| blank(f, s))
            .collect();
        let mut lower = upper.clone();
        let members: Vec<&(f64, usize, usize)> =
            self.order.iter().filter(|(_, f, _)| in_set[*f]).collect();
        let count = members.len();
        // D needs two distinct groups: at least 2 candidates.
        if count >= 2 {
            let g = ((GROUP_SHARE * count as f64).round() as usize).max(1);
            // runs of equal share, highest first
            let mut runs: Vec<&[&(f64, usize, usize)]> = members
                .chunk_by(|a, b| a.0.total_cmp(&b.0).is_eq())
                .collect();
            let mut before = 0;
            for run in &runs {
                let w = run_weight(g, before, run.len());
                for &&(_, f, c) in *run {
                    upper[f][c] = w;
                }
                before += run.len();
            }
            runs.reverse();
            before = 0;
            for run in &runs {
                let w = run_weight(g, before, run.len());
                for &&(_, f, c) in *run {
                    lower[f][c] = w;
                }
                before += run.len();
            }
        }
        Groups { upper, lower }
    }
}

/// Group weights of each candidate of the forms in one set: `upper[form][candidate]` in 0..=1.
pub(crate) struct Groups {
    upper: Vec<Vec<f64>>,
    lower: Vec<Vec<f64>>,
}

impl Groups {
    /// (upper, lower) weight of one candidate (0 for a form outside the set).
    fn weights(&self, f: usize, c: usize) -> (f64, f64) {
        let at = |t: &Vec<Vec<f64>>| t.get(f).and_then(|v| v.get(c)).copied().unwrap_or(0.0);
        (at(&self.upper), at(&self.lower))
    }
}

/// Classical statistics of one pooled item (flags and Rasch are filled in later).
pub(crate) fn item_stats(
    id: &str,
    version: u32,
    occ: &[(usize, usize)],
    forms: &[FormData],
    scored: &[ScoredForm],
    groups: Option<&Groups>,
) -> ItemStats {
    // The first occurrence names the options and the key.
    let spec = occ.first().and_then(|&(f, i)| forms.get(f)?.items.get(i));
    let options = spec.map_or(0, |s| s.options.min(MAX_OPTIONS));
    let key = spec.map_or_else(Vec::new, |s| sorted_key(&s.key));

    let mut n = 0usize;
    let mut valid = !occ.is_empty();
    let mut sum_u = 0.0;
    let (mut up_sum, mut up_n, mut lo_sum, mut lo_n) = (0.0, 0.0, 0.0, 0.0);
    let mut rest = CoMoments::default();
    let mut omitted = 0usize;
    let mut opt_all = [0usize; MAX_OPTIONS];
    let mut opt_up = [0.0f64; MAX_OPTIONS];
    let mut opt_lo = [0.0f64; MAX_OPTIONS];

    for &(f, i) in occ {
        let Some(sf) = scored.get(f) else {
            continue;
        };
        if i >= sf.max.len() {
            continue;
        }
        let em = sf.max[i];
        if em <= 0.0 {
            valid = false;
        }
        let rest_max = sf.max_total - em;
        for (c, (&s, &mask)) in sf.col(i).iter().zip(sf.mask_col(i)).enumerate() {
            n += 1;
            let (wu, wl) = groups.map_or((0.0, 0.0), |g| g.weights(f, c));
            up_n += wu;
            lo_n += wl;
            if em > 0.0 {
                let u = s / em;
                let r = if rest_max > 0.0 {
                    (sf.totals[c] - s) / rest_max
                } else {
                    0.0
                };
                sum_u += u;
                rest.push(u, r);
                up_sum += wu * u;
                lo_sum += wl * u;
            }
            if mask & OMITTED != 0 {
                omitted += 1;
            }
            // Each option counts once per response, however often it is listed.
            let mut bits = mask & !OMITTED;
            while bits != 0 {
                let o = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                if o < options {
                    opt_all[o] += 1;
                    opt_up[o] += wu;
                    opt_lo[o] += wl;
                }
            }
        }
    }

    let share = |count: usize, of: usize| {
        if of > 0 {
            count as f64 / of as f64
        } else {
            0.0
        }
    };
    let weighted = |w: f64, of: f64| if of > 0.0 { w / of } else { 0.0 };
    let valid = valid && n > 0;
    let p = if valid {
        finite(sum_u / n as f64)
    } else {
        None
    };
    let d = if valid && up_n > 0.0 && lo_n > 0.0 {
        finite(up_sum / up_n - lo_sum / lo_n)
    } else {
        None
    };
    let item_rest = if valid { rest.correlation() } else { None };
    let options = (0..options)
        .map(|o| {
            let upper = weighted(opt_up[o], up_n);
            let lower = weighted(opt_lo[o], lo_n);
            OptionStats {
                option: o,
                keyed: key.binary_search(&o).is_ok(),
                share: share(opt_all[o], n),
                upper,
                lower,
                discrimination: upper - lower,
            }
        })
        .collect();

    ItemStats {
        id: id.to_string(),
        version,
        n,
        p,
        d,
        item_rest,
        options,
        omitted: share(omitted, n),
        rasch: None,
        rasch_se: None,
        flags: Vec::new(),
    }
}
