//! Joint local search over all forms of a theory paper: one objective (hard-constraint excess,
//! weight-table fit, difficulty mix, mean-p spread between forms, X share, 工作内容 split and 鉴定点
//! spread), integer state updated in place, late-acceptance hill climbing from a seeded stream.
//! Part of the moves are directed: they replace an item by one of the row, band and X status the
//! form lacks, with the p (looked up in cells sorted by p) that brings the form's mean p to the
//! target or halfway between the extreme forms.
//!
//! Everything the objective counts is kept as integers (centipoints, micro-p), so applying a move
//! and its inverse restores the state exactly and the cost of a state does not depend on the path
//! that reached it: the search is bit-for-bit reproducible on any machine. Several chains start
//! from the same forms with their own seeds and run in parallel; the best (lowest cost, then the
//! lowest chain number) wins, so the result does not depend on the thread count.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};

/// Weight of one unit of hard-constraint excess (an item shared beyond the overlap limit, a
/// second item of an enemy group on one form): far above any balance term.
pub const W_HARD: f64 = 1000.0;
/// Per point that a 职业功能 (or 基本要求) row is off its weight-table points, per form.
pub const W_FUNCTION: f64 = 4.0;
/// Per point that a difficulty band is off the blueprint's mix, per form.
pub const W_DIFFICULTY: f64 = 1.0;
/// Per unit of spread of mean p between the forms (max − min), and per unit of distance of a
/// form's mean p from the blueprint's `mean_p` target.
pub const W_MEAN_P: f64 = 100.0;
/// Per point of X (核心) share below `importance_x_min`, per form.
pub const W_X: f64 = 1.0;
/// Per item that a 工作内容 cell is off its proportional split (a tie-breaker).
pub const W_CONTENT: f64 = 0.002;
/// Per pair of items on one form sharing a 鉴定点 (a tie-breaker that spreads coverage).
pub const W_REPEAT: f64 = 0.0005;

mod polish;

use polish::polish;

const NONE: u32 = u32::MAX;

/// What the search knows of one eligible item (metadata only, interned).
#[derive(Clone, Debug)]
pub(super) struct Item {
    pub section: usize,
    pub row: usize,
    pub content: usize,
    pub clause: usize,
    pub band: usize,
    /// Expected proportion correct in millionths.
    pub p: i64,
    pub x: bool,
    /// Enemy group, interned; `NONE` without.
    pub enemy: u32,
}

/// The instance: items, layout, targets and limits. Points are in centipoints.
pub(super) struct Model {
    pub items: Vec<Item>,
    pub sec_pts: Vec<i64>,
    pub sec_count: Vec<usize>,
    pub total: i64,
    pub row_target: Vec<i64>,
    /// Target count per (content, section): `content * sections + section`.
    pub content_target: Vec<i32>,
    pub clauses: usize,
    pub mix_target: Option<[i64; 3]>,
    /// Target mean p in millionths.
    pub mean_target: Option<i64>,
    pub x_target: Option<i64>,
    pub forms: usize,
    pub limit: i32,
    /// Item indices per section, and per (section, row): `section * rows + row`.
    pub by_sec: Vec<Vec<u32>>,
    pub by_sec_row: Vec<Vec<u32>>,
    /// Item indices per (section, row, band): `(section * rows + row) * 3 + band`; a move
    /// within one keeps the weight table and the mix and changes only p.
    pub by_sec_row_band: Vec<Vec<u32>>,
    /// Item indices per cell (section, row, band, X), sorted by p: `cell(s, r, b, x)`. A
    /// directed move looks up the item whose p brings a form's mean where it should be.
    /// Built on first use (a directed move, a pair move): a loose pool whose greedy start is
    /// already at the bound never pays for sorting it.
    pub by_cell_p: std::sync::OnceLock<Vec<Vec<u32>>>,
}

/// The index of (section, row, band, X) in `Model::by_cell_p`.
fn cell(rows: usize, s: usize, r: usize, b: usize, x: bool) -> usize {
    ((s * rows + r) * 3 + b) * 2 + usize::from(x)
}

/// `by_cell_p` for items of `sections` sections and `rows` weight-table rows.
fn cells_by_p(items: &[Item], sections: usize, rows: usize) -> Vec<Vec<u32>> {
    let mut v = vec![Vec::new(); sections * rows * 6];
    for (k, it) in items.iter().enumerate() {
        v[cell(rows, it.section, it.row, it.band, it.x)].push(k as u32);
    }
    for list in &mut v {
        // (p, index) is unique, so an unstable sort is deterministic
        list.sort_unstable_by_key(|&k| (items[k as usize].p, k));
    }
    v
}

impl Model {
    /// `by_cell_p`, built once.
    fn cells(&self) -> &[Vec<u32>] {
        self.by_cell_p
            .get_or_init(|| cells_by_p(&self.items, self.sections(), self.rows()))
    }
    fn rows(&self) -> usize {
        self.row_target.len()
    }
    fn sections(&self) -> usize {
        self.sec_pts.len()
    }
    /// Slot ranges per section: a form's slots are its items grouped by section, in order.
    fn slot_sections(&self) -> Vec<usize> {
        let mut v = Vec::new();
        for (s, &n) in self.sec_count.iter().enumerate() {
            v.extend(std::iter::repeat_n(s, n));
        }
        v
    }
}

/// The objective's terms over all forms, as the quality report states them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Terms {
    /// Items shared by a pair of forms beyond the limit, summed over pairs (0 when feasible).
    pub overlap_excess: i64,
    /// Second and later items of an enemy group on one form, summed over forms (0 when feasible).
    pub enemy_excess: i64,
    /// D1: Σ over forms and weight-table rows of |row points − weight points|.
    pub function_points_off: f64,
    /// D2: Σ over forms and difficulty bands of |band points − mix points| (0 without a mix).
    pub difficulty_points_off: f64,
    /// D3: max − min of the forms' mean p.
    pub mean_p_spread: f64,
    /// Σ over forms of |mean p − target| (0 without a `mean_p` target).
    pub mean_p_off: f64,
    /// Σ over forms of the X points below `importance_x_min` (0 without one).
    pub x_points_short: f64,
    /// Σ over forms and 工作内容 cells of |items − proportional split|.
    pub content_items_off: i64,
    /// Σ over forms and 鉴定点 of pairs of items sharing the 鉴定点.
    pub point_repeats: i64,
}

impl Terms {
    /// The balance objective the report's bound and gap refer to (hard excess and the two
    /// tie-breakers left out).
    pub fn balance(&self) -> f64 {
        W_FUNCTION * self.function_points_off
            + W_DIFFICULTY * self.difficulty_points_off
            + W_MEAN_P * (self.mean_p_spread + self.mean_p_off)
            + W_X * self.x_points_short
    }
    /// Everything the search minimises.
    pub fn cost(&self) -> f64 {
        W_HARD * (self.overlap_excess + self.enemy_excess) as f64
            + self.balance()
            + W_CONTENT * self.content_items_off as f64
            + W_REPEAT * self.point_repeats as f64
    }
    pub fn hard(&self) -> i64 {
        self.overlap_excess + self.enemy_excess
    }
    /// Whether these terms are better than `other`: less hard excess, else a lower balance, else
    /// a lower cost (the tie-breakers). The balance comes first so that tie-breakers, however
    /// many, never buy a worse paper: a best state is kept, and a chain wins, by this order.
    pub fn better_than(&self, other: &Terms) -> bool {
        const EPS: f64 = 1e-9;
        if self.hard() != other.hard() {
            return self.hard() < other.hard();
        }
        let (a, b) = (self.balance(), other.balance());
        if (a - b).abs() > EPS {
            return a < b;
        }
        self.cost() < other.cost() - 1e-12
    }
}

/// The balance a blueprint's forms reached, against what no forms can beat.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Quality {
    /// `terms.balance()`: W_FUNCTION·D1 + W_DIFFICULTY·D2 + W_MEAN_P·(D3 + mean-p distance) + W_X·X.
    pub objective: f64,
    /// A lower bound on the objective for any forms meeting the layout.
    pub bound: f64,
    /// objective − bound (0: proven optimal).
    pub gap: f64,
    pub terms: Terms,
    pub search: SearchStats,
}

/// How the search went, for the report.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SearchStats {
    pub chains: usize,
    /// Moves tried, summed over chains.
    pub moves: u64,
    /// The winning chain stopped because it reached the lower bound.
    pub reached_bound: bool,
}

struct State<'m> {
    m: &'m Model,
    slots: Vec<Vec<u32>>,
    member: Vec<Vec<u32>>,
    shared: Vec<i32>,
    row_pts: Vec<i64>,
    band: Vec<i64>,
    xp: Vec<i64>,
    psum: Vec<i64>,
    /// (p sum, form) ordered, on instances of more than `SCAN_FORMS` forms.
    ranked: Option<BTreeSet<(i64, u32)>>,
    /// Σ over forms of |p sum − target p sum| (0 without a `mean_p` target).
    poff: i64,
    content: Vec<i32>,
    clause: Vec<i32>,
    enemy: Vec<HashMap<u32, i32>>,
    over: i64,
    enem: i64,
    d1: i64,
    d2: i64,
    xs: i64,
    cdev: i64,
    rep: i64,
}

fn bump_abs(v: &mut i64, t: i64, by: i64, agg: &mut i64) {
    *agg += (*v + by - t).abs() - (*v - t).abs();
    *v += by;
}

impl<'m> State<'m> {
    fn new(m: &'m Model, slots: Vec<Vec<u32>>) -> State<'m> {
        let f = m.forms;
        let mut s = State {
            m,
            slots: vec![Vec::new(); f],
            member: vec![Vec::new(); m.items.len()],
            shared: vec![0; f * f],
            row_pts: vec![0; f * m.rows()],
            band: vec![0; f * 3],
            xp: vec![0; f],
            psum: vec![0; f],
            ranked: (f > SCAN_FORMS).then(|| (0..f as u32).map(|g| (0, g)).collect()),
            poff: m.mean_target.map_or(0, |t| f as i64 * (t * m.total).abs()),
            content: vec![0; f * m.content_target.len()],
            clause: vec![0; f * m.clauses],
            enemy: vec![HashMap::new(); f],
            over: 0,
            enem: 0,
            d1: 0,
            d2: 0,
            xs: 0,
            cdev: 0,
            rep: 0,
        };
        // Start from empty forms: every target is "off" by its full amount.
        let forms = f as i64;
        s.d1 = forms * m.row_target.iter().map(|t| t.abs()).sum::<i64>();
        if let Some(mix) = m.mix_target {
            s.d2 = forms * mix.iter().map(|t| t.abs()).sum::<i64>();
        }
        s.xs = forms * m.x_target.unwrap_or(0).max(0);
        s.cdev = forms
            * m.content_target
                .iter()
                .map(|&t| i64::from(t.abs()))
                .sum::<i64>();
        for (form, items) in slots.into_iter().enumerate() {
            for i in items {
                s.add(form, i, 1);
                s.slots[form].push(i);
            }
        }
        s
    }

    /// Adds (`dir` = 1) or removes (−1) item `i` on `form`, updating every aggregate.
    fn add(&mut self, form: usize, i: u32, dir: i64) {
        let m = self.m;
        let it = &m.items[i as usize];
        let pts = m.sec_pts[it.section] * dir;
        let f = m.forms;
        // overlap with the other forms holding the item
        if dir < 0 {
            let pos = self.member[i as usize]
                .iter()
                .position(|&g| g as usize == form)
                .expect("member of its form");
            self.member[i as usize].swap_remove(pos);
        }
        for &g in &self.member[i as usize] {
            let g = g as usize;
            let old = self.shared[form * f + g];
            let new = old + dir as i32;
            self.shared[form * f + g] = new;
            self.shared[g * f + form] = new;
            self.over += i64::from((new - m.limit).max(0) - (old - m.limit).max(0));
        }
        if dir > 0 {
            self.member[i as usize].push(form as u32);
        }
        let r = form * m.rows() + it.row;
        bump_abs(
            &mut self.row_pts[r],
            m.row_target[it.row],
            pts,
            &mut self.d1,
        );
        if let Some(mix) = m.mix_target {
            let b = form * 3 + it.band;
            bump_abs(&mut self.band[b], mix[it.band], pts, &mut self.d2);
        }
        if it.x {
            let xt = m.x_target.unwrap_or(0);
            let old = self.xp[form];
            self.xp[form] += pts;
            self.xs += (xt - self.xp[form]).max(0) - (xt - old).max(0);
        }
        let old = self.psum[form];
        let new = old + pts * it.p;
        self.psum[form] = new;
        if let Some(t) = m.mean_target {
            let t = t * m.total;
            self.poff += (new - t).abs() - (old - t).abs();
        }
        if let Some(r) = &mut self.ranked {
            r.remove(&(old, form as u32));
            r.insert((new, form as u32));
        }
        let c = form * m.content_target.len() + it.content * m.sections() + it.section;
        let t = m.content_target[it.content * m.sections() + it.section];
        let old = self.content[c];
        self.content[c] += dir as i32;
        self.cdev += i64::from((self.content[c] - t).abs() - (old - t).abs());
        let k = form * m.clauses + it.clause;
        if dir > 0 {
            self.rep += i64::from(self.clause[k]);
            self.clause[k] += 1;
        } else {
            self.clause[k] -= 1;
            self.rep -= i64::from(self.clause[k]);
        }
        if it.enemy != NONE {
            let n = self.enemy[form].entry(it.enemy).or_insert(0);
            if dir > 0 {
                if *n >= 1 {
                    self.enem += 1;
                }
                *n += 1;
            } else {
                *n -= 1;
                if *n >= 1 {
                    self.enem -= 1;
                }
            }
        }
    }

    fn replace(&mut self, form: usize, slot: usize, new: u32) -> u32 {
        let old = self.slots[form][slot];
        self.add(form, old, -1);
        self.add(form, new, 1);
        self.slots[form][slot] = new;
        old
    }

    fn holds(&self, form: usize, i: u32) -> bool {
        self.member[i as usize].iter().any(|&g| g as usize == form)
    }

    /// The forms with the lowest and the highest p sum.
    fn extremes(&self) -> (usize, usize) {
        if let Some(r) = &self.ranked {
            let lo = r.first().map_or(0, |x| x.1 as usize);
            let hi = r.last().map_or(0, |x| x.1 as usize);
            return (lo, hi);
        }
        let (mut lo, mut hi) = (0, 0);
        for (f, &v) in self.psum.iter().enumerate() {
            if v < self.psum[lo] {
                lo = f;
            }
            if v > self.psum[hi] {
                hi = f;
            }
        }
        (lo, hi)
    }

    fn terms(&self) -> Terms {
        let m = self.m;
        let scale = m.total as f64 * 1e6;
        let (lo, hi) = self.extremes();
        let spread = (self.psum[hi] - self.psum[lo]) as f64 / scale;
        let off = self.poff as f64 / scale;
        Terms {
            overlap_excess: self.over,
            enemy_excess: self.enem,
            function_points_off: self.d1 as f64 / 100.0,
            difficulty_points_off: self.d2 as f64 / 100.0,
            mean_p_spread: spread,
            mean_p_off: off,
            x_points_short: self.xs as f64 / 100.0,
            content_items_off: self.cdev,
            point_repeats: self.rep,
        }
    }

    fn cost(&self) -> f64 {
        self.terms().cost()
    }
}

/// The terms of given forms (item indices per form) under the model.
#[allow(dead_code)]
pub(super) fn evaluate(m: &Model, forms: &[Vec<u32>]) -> Terms {
    State::new(m, forms.to_vec()).terms()
}

/// Moves per chain: enough to settle tight banks, bounded so that large pools stay fast.
fn budget(m: &Model) -> u64 {
    let slots: usize = m.sec_count.iter().sum::<usize>() * m.forms;
    (slots as u64 * 1500).clamp(60_000, 1_500_000)
}

const CHAINS: usize = 4;
const HISTORY: usize = 400;

/// Improves `start` (item indices per form, grouped by section in slot order) towards the lowest
/// cost; stops early when the balance reaches `bound` with no hard excess. Returns the best forms.
pub(super) fn search(
    m: &Model,
    start: Vec<Vec<u32>>,
    bound: f64,
    quick: ChaCha8Rng,
    rngs: Vec<ChaCha8Rng>,
) -> (Vec<Vec<u32>>, Terms, SearchStats) {
    // A short single chain first: a loose bank is settled by it.
    let first = chain(m, start.clone(), bound, quick, Effort::Quick);
    if first.1.hard() == 0 && first.1.balance() <= bound + quick_gap(m) {
        return (
            first.0,
            first.1,
            SearchStats {
                chains: 1,
                moves: first.2,
                reached_bound: first.3,
            },
        );
    }
    let chains = rngs.len().max(1) + 1;
    let mut runs: Vec<(Vec<Vec<u32>>, Terms, u64, bool)> = vec![first];
    runs.extend(
        rngs.into_par_iter()
            .map(|rng| chain(m, start.clone(), bound, rng, Effort::Full))
            .collect::<Vec<_>>(),
    );
    let moves = runs.iter().map(|r| r.2).sum();
    let best = runs
        .into_iter()
        .reduce(|a, b| if b.1.better_than(&a.1) { b } else { a })
        .expect("at least one chain");
    (
        best.0,
        best.1,
        SearchStats {
            chains,
            moves,
            reached_bound: best.3,
        },
    )
}

/// Chains for an instance: four on tight, paper-sized instances, two on many-form ones (the
/// count depends on the instance only, never on the machine).
pub(super) fn chain_count(forms: usize, per_form: usize) -> usize {
    if forms * per_form <= PAPER_SIZED {
        CHAINS
    } else {
        2
    }
}

fn at_bound(t: &Terms, bound: f64) -> bool {
    t.hard() == 0 && t.balance() <= bound + 1e-9
}

/// Moves without a new best after which a chain ends.
fn stall_limit(m: &Model) -> u64 {
    let slots: usize = m.sec_count.iter().sum::<usize>() * m.forms;
    (slots as u64 * 10).max(20_000)
}

/// How hard a chain tries: `Quick` stops after a short stall and skips the finishing descent.
#[derive(Clone, Copy, PartialEq)]
enum Effort {
    Quick,
    Full,
}

/// Moves without a new best after which the quick chain ends.
const QUICK_STALL: u64 = 20_000;
/// The quick chain's result stands when its balance is within this of the bound (and no hard
/// constraint is broken) on a many-form instance: there the full chains cost seconds, and this is
/// one 0.0001 step of mean-p spread. On paper-sized instances the full chains run unless the quick
/// chain reached the bound.
const QUICK_GAP: f64 = 0.01 + 1e-9;

/// Slots (forms × items per form) up to which an instance is paper-sized.
const PAPER_SIZED: usize = 1000;

fn quick_gap(m: &Model) -> f64 {
    let slots: usize = m.sec_count.iter().sum::<usize>() * m.forms;
    if slots <= PAPER_SIZED { 0.0 } else { QUICK_GAP }
}

fn chain(
    m: &Model,
    start: Vec<Vec<u32>>,
    bound: f64,
    mut rng: ChaCha8Rng,
    effort: Effort,
) -> (Vec<Vec<u32>>, Terms, u64, bool) {
    let mut st = State::new(m, start);
    let slot_sec = m.slot_sections();
    let mut sec_start = vec![0usize; m.sections() + 1];
    for s in 0..m.sections() {
        sec_start[s + 1] = sec_start[s] + m.sec_count[s];
    }
    let mut cur = st.cost();
    let mut best_terms = st.terms();
    let mut best = st.slots.clone();
    let mut dirty: Vec<(usize, usize)> = Vec::new();
    let mut hist = vec![cur; HISTORY];
    let n_slots = slot_sec.len();
    let limit = budget(m);
    let mut moves = 0u64;
    // the quick chain on a many-form instance may stop within `quick_gap` of the bound
    let stop = if effort == Effort::Quick {
        bound + quick_gap(m)
    } else {
        bound
    };
    if n_slots == 0 || at_bound(&best_terms, stop) {
        return (best, best_terms, 0, at_bound(&best_terms, bound));
    }
    let stall = if effort == Effort::Quick {
        QUICK_STALL.max(2 * (n_slots * m.forms) as u64)
    } else {
        stall_limit(m)
    };
    let mut last_best = 0u64;
    let rows = m.rows();
    while moves < limit && moves - last_best < stall {
        moves += 1;
        let directed = rng.random_bool(DIRECTED);
        let mut f = rng.random_range(0..m.forms);
        if directed && m.forms > 1 && rng.random_bool(0.5) {
            // the form whose mean p is furthest out on one side
            let (lo, hi) = st.extremes();
            f = if rng.random_bool(0.5) { hi } else { lo };
        }
        let mut k = rng.random_range(0..n_slots);
        if st.over > 0 && rng.random_bool(0.5) {
            // look for a slot whose item another form holds too
            for _ in 0..8 {
                let kk = rng.random_range(0..n_slots);
                if st.member[st.slots[f][kk] as usize].len() > 1 {
                    k = kk;
                    break;
                }
            }
        }
        let s = slot_sec[k];
        let a = st.slots[f][k];
        let undo: [(usize, usize, u32); 2];
        let n_undo;
        if m.forms > 1 && rng.random_bool(0.2) {
            // exchange with another form's item of the same section
            let mut g = rng.random_range(0..m.forms - 1);
            if g >= f {
                g += 1;
            }
            let l = sec_start[s] + rng.random_range(0..m.sec_count[s]);
            let b = st.slots[g][l];
            if a == b || st.holds(f, b) || st.holds(g, a) {
                continue;
            }
            st.replace(f, k, b);
            st.replace(g, l, a);
            undo = [(g, l, b), (f, k, a)];
            n_undo = 2;
        } else {
            let b = if directed {
                match toward(&st, f, k, s, &mut rng) {
                    Some(b) => b,
                    None => continue,
                }
            } else {
                let it = &m.items[a as usize];
                let r = rng.random_range(0..4u8);
                let list = match r {
                    0 | 1 => &m.by_sec_row_band[(s * rows + it.row) * 3 + it.band],
                    2 => &m.by_sec_row[s * rows + it.row],
                    _ => &m.by_sec[s],
                };
                if list.is_empty() {
                    continue;
                }
                list[rng.random_range(0..list.len())]
            };
            if a == b || st.holds(f, b) {
                continue;
            }
            st.replace(f, k, b);
            undo = [(f, k, a), (0, 0, 0)];
            n_undo = 1;
        }
        let new = st.cost();
        let v = (moves as usize) % HISTORY;
        if new <= cur || new < hist[v] {
            cur = new;
            // slots changed since `best` was brought up to date (a full copy per new best
            // would cost more than the move on many-form instances)
            for &(form, slot, _) in &undo[..n_undo] {
                dirty.push((form, slot));
            }
            let terms = st.terms();
            if terms.better_than(&best_terms) {
                best_terms = terms;
                if dirty.len() >= n_slots * m.forms {
                    best.clone_from(&st.slots);
                } else {
                    for &(form, slot) in &dirty {
                        best[form][slot] = st.slots[form][slot];
                    }
                }
                dirty.clear();
                last_best = moves;
                if at_bound(&best_terms, stop) {
                    return (best, best_terms, moves, at_bound(&best_terms, bound));
                }
            }
        } else {
            for &(form, slot, item) in &undo[..n_undo] {
                st.replace(form, slot, item);
            }
        }
        if cur < hist[v] {
            hist[v] = cur;
        }
    }
    if effort == Effort::Quick {
        return (best, best_terms, moves, at_bound(&best_terms, bound));
    }
    // Finish with steepest descent from the best state: every single replacement and every
    // exchange between two forms, first improvement, until a pass changes nothing.
    let mut st = State::new(m, best);
    polish(&mut st, &sec_start, &slot_sec, bound, &mut moves);
    let terms = st.terms();
    (st.slots, terms, moves, at_bound(&terms, bound))
}

/// Share of moves that are directed (see `toward`); the rest are random, which keeps the chain
/// able to leave what the directed moves would only deepen.
const DIRECTED: f64 = 0.4;

/// Up to this many forms, the highest and lowest p sums are found by a scan; above, by an
/// ordered set kept up to date.
const SCAN_FORMS: usize = 16;

/// One of the `n` candidates `0..n` for which `want` holds, chosen uniformly (reservoir), or
/// `None` when there is none.
fn pick_where(n: usize, rng: &mut ChaCha8Rng, want: impl Fn(usize) -> bool) -> Option<usize> {
    let mut seen = 0u32;
    let mut out = None;
    for i in 0..n {
        if want(i) {
            seen += 1;
            if rng.random_range(0..seen) == 0 {
                out = Some(i);
            }
        }
    }
    out
}

/// A replacement for the item in slot `k` (section `s`) of form `f`, chosen towards what the form
/// lacks: a weight-table row below its points instead of one above them, a difficulty band below
/// the mix instead of one above it, an X item while the form is short of X points, and the p that
/// brings the form's mean p to the target (or to the other forms' average). `None` when the cell
/// it points to is empty.
fn toward(st: &State, f: usize, k: usize, s: usize, rng: &mut ChaCha8Rng) -> Option<u32> {
    let m = st.m;
    let rows = m.rows();
    let a = st.slots[f][k];
    let it = &m.items[a as usize];
    let pts = m.sec_pts[s];
    let mut row = it.row;
    if st.row_pts[f * rows + row] > m.row_target[row]
        && let Some(r) = pick_where(rows, rng, |r| {
            st.row_pts[f * rows + r] < m.row_target[r] && !m.by_sec_row[s * rows + r].is_empty()
        })
    {
        row = r;
    }
    let mut band = it.band;
    if let Some(mix) = m.mix_target
        && st.band[f * 3 + band] > mix[band]
        && let Some(b) = pick_where(3, rng, |b| st.band[f * 3 + b] < mix[b])
    {
        band = b;
    }
    let x = it.x || m.x_target.is_some_and(|xt| st.xp[f] < xt);
    let cells = m.cells();
    let mut list = &cells[cell(rows, s, row, band, x)];
    if list.is_empty() {
        list = &cells[cell(rows, s, row, band, !x)];
        if list.is_empty() {
            return None;
        }
    }
    let target = match m.mean_target {
        Some(t) => Some(t * m.total),
        None if m.forms > 1 => {
            // halfway between the extremes: what the spread needs
            let (lo, hi) = st.extremes();
            Some((st.psum[lo] + st.psum[hi]) / 2)
        }
        None => None,
    };
    let Some(target) = target else {
        return Some(list[rng.random_range(0..list.len())]);
    };
    let want = it.p + (target - st.psum[f]) / pts;
    let j = list.partition_point(|&i| m.items[i as usize].p < want);
    // the nearest few on either side, so that equal p values and used items do not block
    let lo = j.saturating_sub(2);
    let hi = (j + 2).min(list.len());
    let i = rng.random_range(lo..hi.max(lo + 1)).min(list.len() - 1);
    Some(list[i])
}
