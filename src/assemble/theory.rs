//! Theory papers: per form, fill every cell of the allocation from the eligible pool, honouring
//! the hard constraints and steering the soft goals; then enforce the overlap limit between forms.
//!
//! How forms stay parallel and overlap-free without talking to each other: every cell's eligible
//! items are put in one seeded order shared by all forms, and item `i` of that order is "at home"
//! in form `i mod F`. A form prefers its own home items and borrows others only when its home runs
//! short, so forms can be built independently (in parallel) and still rarely collide; a final,
//! sequential repair swaps out any sharing beyond the limit with items no form uses.

use super::allocate::{Allocation, Capacity, allocate};
use super::bounds::{balance_bound, prove_infeasible};
use super::instance::{Goals as SearchGoals, Instance};
use super::search::{self, Quality};
use super::{Candidate, Infeasible, rng_for};
use crate::model::{
    Blueprint, BlueprintKind, Difficulty, DifficultyGoal, Importance, ItemType, Standard, Status,
    standard_parent,
};
use rand::seq::SliceRandom;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Picked {
    pub section: usize,
    pub content: String,
    pub id: String,
    pub version: u32,
    pub clause: String,
    #[serde(rename = "type")]
    pub item_type: ItemType,
    pub points: f64,
    pub difficulty: Difficulty,
    pub p: f64,
    pub importance: Importance,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TheoryForm {
    pub form: u32,
    pub items: Vec<Picked>,
}

impl TheoryForm {
    /// Mean expected proportion correct, weighted by points.
    pub fn mean_p(&self) -> f64 {
        let t: f64 = self.items.iter().map(|i| i.points).sum();
        self.items.iter().map(|i| i.p * i.points).sum::<f64>() / t
    }
}

/// Items shared by each pair of forms.
pub fn overlap_matrix(forms: &[TheoryForm]) -> Vec<Vec<usize>> {
    let sets: Vec<HashSet<&str>> = forms
        .iter()
        .map(|f| f.items.iter().map(|i| i.id.as_str()).collect())
        .collect();
    sets.iter()
        .map(|a| sets.iter().map(|b| a.intersection(b).count()).collect())
        .collect()
}

struct Cell {
    content: String,
    section: usize,
    need: u32,
    /// The distinct 鉴定点 (interned) of the cell's items.
    clauses: Vec<u16>,
    /// Eligible item indices in the shared seeded order.
    order: Vec<usize>,
}

/// Viable candidates weighed per pick (in preference order); the shared order is random, so a
/// window this size finds a near-best item at a cost independent of the pool's size.
const WINDOW: usize = 48;

struct Goals {
    mix: Option<[(Difficulty, f64); 3]>,
    mean_p: f64,
    x_min: Option<f64>,
}

fn label_index(d: Difficulty) -> usize {
    match d {
        Difficulty::Easy => 0,
        Difficulty::Medium => 1,
        Difficulty::Hard => 2,
    }
}

#[derive(Clone, Copy, Default)]
struct Tally {
    total: f64,
    by_label: [f64; 3],
    x: f64,
    p_sum: f64,
}

impl Tally {
    fn add(&mut self, c: &Candidate, pts: f64, sign: f64) {
        self.total += sign * pts;
        self.by_label[label_index(c.difficulty)] += sign * pts;
        if c.importance == Importance::X {
            self.x += sign * pts;
        }
        self.p_sum += sign * pts * c.p;
    }
    /// Distance from the goals (lower is better); `full` is the paper's total points.
    fn cost(&self, g: &Goals) -> f64 {
        let mut cost = 0.0;
        if let Some(mix) = g.mix {
            cost += mix
                .iter()
                .map(|(d, share)| (self.by_label[label_index(*d)] - share * self.total).abs())
                .sum::<f64>();
        }
        if self.total > 0.0 {
            cost += 100.0 * (self.p_sum / self.total - g.mean_p).abs();
        }
        if let Some(x) = g.x_min {
            cost += (x / 100.0 * self.total - self.x).max(0.0);
        }
        cost
    }
}

pub fn assemble_theory(
    std: &Standard,
    bp: &Blueprint,
    pool: &[Candidate],
    excluded: &BTreeSet<String>,
    seed: u64,
) -> Result<(Allocation, Vec<TheoryForm>, Quality), Infeasible> {
    let fail = |reasons: Vec<String>| Infeasible {
        blueprint: bp.id.clone(),
        at: String::new(),
        reasons,
    };
    let BlueprintKind::Theory {
        sections,
        difficulty,
        importance_x_min,
    } = &bp.kind
    else {
        return Err(fail(vec!["not a theory blueprint".into()]));
    };
    let level = bp.level;
    let occ = bp.occupation.as_str();
    let lv = level.key();
    // Eligible pool, sorted by id; exclusions counted per (content, type) for diagnoses. One hash
    // lookup per item resolves its 鉴定点 to an index in the standard's order (the interned id).
    let points: Vec<&str> = std.points_at(level).map(|p| p.code.as_str()).collect();
    let point_ix: HashMap<&str, u16> = points
        .iter()
        .enumerate()
        .map(|(k, c)| (*c, k as u16))
        .collect();
    let mut eligible: Vec<&Candidate> = Vec::with_capacity(pool.len());
    let mut clause_id: Vec<u16> = Vec::with_capacity(pool.len());
    let mut not_active: BTreeMap<(&str, ItemType), u32> = BTreeMap::new();
    let mut cooled: BTreeMap<(&str, ItemType), u32> = BTreeMap::new();
    for c in pool {
        let Some(&k) = point_ix.get(c.clause.as_str()) else {
            continue;
        };
        if c.status != Status::Active {
            *not_active.entry((content_of(c), c.item_type)).or_default() += 1;
        } else if excluded.contains(&c.id) {
            *cooled.entry((content_of(c), c.item_type)).or_default() += 1;
        } else {
            eligible.push(c);
            clause_id.push(k);
        }
    }
    // The store hands pools over sorted by id; sort only when a caller did not.
    if !eligible.is_sorted_by(|a, b| a.id <= b.id) {
        let mut both: Vec<(&Candidate, u16)> = eligible.into_iter().zip(clause_id).collect();
        both.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        (eligible, clause_id) = both.into_iter().unzip();
    }
    let point_content: Vec<&str> = points
        .iter()
        .map(|c| standard_parent(c).unwrap_or(""))
        .collect();
    let mut by_cell: HashMap<(&str, ItemType), Vec<usize>> = HashMap::new();
    for (i, c) in eligible.iter().enumerate() {
        by_cell
            .entry((point_content[usize::from(clause_id[i])], c.item_type))
            .or_default()
            .push(i);
    }
    let codes = points;
    let cap: Capacity = by_cell
        .iter()
        .map(|((content, t), members)| {
            let points: HashSet<u16> = members.iter().map(|&i| clause_id[i]).collect();
            (
                (content.to_string(), *t),
                (members.len() as u32, points.len() as u32),
            )
        })
        .collect();
    let allocation = allocate(std, level, sections, &cap, &bp.id).map_err(|mut e| {
        for ((content, t), n) in &cooled {
            e.reasons.push(format!("{n} {t} item(s) under {content} are excluded by the cooldown of {} sitting(s)", bp.cooldown));
        }
        for ((content, t), n) in &not_active {
            e.reasons.push(format!("{n} {t} item(s) under {content} are not active (draft, pilot, suspended or retired)"));
        }
        e
    })?;

    // Cells with their shared seeded order.
    let mut cells: Vec<Cell> = allocation
        .cells()
        .into_iter()
        .map(|(content, section, need)| {
            let t = sections[section].item_type;
            let mut order = by_cell
                .get(&(content.as_str(), t))
                .cloned()
                .unwrap_or_default();
            order.shuffle(&mut rng_for(
                seed,
                &[occ, &lv, "cell", &content, t.as_str()],
            ));
            let clauses: BTreeSet<u16> = order.iter().map(|&i| clause_id[i]).collect();
            let clauses = clauses.into_iter().collect();
            Cell {
                content,
                section,
                need,
                clauses,
                order,
            }
        })
        .collect();
    // Scarce cells first (fewest spare items per needed item), then table order.
    let table_pos: HashMap<(String, usize), usize> = cells
        .iter()
        .enumerate()
        .map(|(i, c)| ((c.content.clone(), c.section), i))
        .collect();
    cells.sort_by(|a, b| {
        let ra = a.order.len() as f64 / f64::from(a.need);
        let rb = b.order.len() as f64 / f64::from(b.need);
        ra.total_cmp(&rb).then(
            table_pos[&(a.content.clone(), a.section)]
                .cmp(&table_pos[&(b.content.clone(), b.section)]),
        )
    });

    let ctx = Ctx {
        cells: &cells,
        pool: &eligible,
        clause: clause_id,
        clauses: codes.len(),
        sections,
        goals: Goals {
            mix: difficulty.as_ref().and_then(DifficultyGoal::mix),
            mean_p: target_mean(difficulty.as_ref(), &eligible),
            x_min: *importance_x_min,
        },
        forms: bp.forms.max(1) as usize,
    };
    let forms: Vec<Vec<(usize, usize)>> = (0..ctx.forms)
        .into_par_iter()
        .map(|f| build_form(&ctx, f))
        .collect();
    let items_per_form: u32 = sections.iter().map(|s| s.count).sum();
    let limit = (bp.max_overlap * f64::from(items_per_form) + 1e-9).floor() as usize;

    // The joint search works on every eligible item of a weighted row, whatever 工作内容 split the
    // table proposed: the split is a goal, the rows' points and the sections' counts are the law.
    let model = Instance::new(
        &SearchGoals {
            allocation: &allocation,
            sections,
            mix: ctx.goals.mix,
            mean_p: difficulty.as_ref().and_then(|g| g.mean_p),
            x_min: *importance_x_min,
            forms: ctx.forms,
            limit,
        },
        &eligible,
        &ctx.clause,
        &point_content,
    );
    let type_names: Vec<String> = sections.iter().map(|s| s.item_type.to_string()).collect();
    let excluded_reasons = || {
        let mut v = Vec::new();
        for ((content, t), n) in &cooled {
            v.push(format!(
                "{n} {t} item(s) under {content} are excluded by the cooldown of {} sitting(s)",
                bp.cooldown
            ));
        }
        for ((content, t), n) in &not_active {
            v.push(format!("{n} {t} item(s) under {content} are not active (draft, pilot, suspended or retired)"));
        }
        v
    };
    if let Some(mut proof) = prove_infeasible(&model.m, &type_names) {
        proof.extend(excluded_reasons());
        return Err(fail(proof));
    }
    let start: Vec<Vec<u32>> = forms
        .iter()
        .enumerate()
        .map(|(f, picks)| {
            let picks: Vec<usize> = picks.iter().map(|p| p.1).collect();
            model.start(f, &picks, seed, &[occ, &lv])
        })
        .collect();
    let bound = balance_bound(&model.m);
    let rngs = (0..search::chain_count(ctx.forms, items_per_form as usize))
        .map(|c| rng_for(seed, &[occ, &lv, "search", &c.to_string()]))
        .collect();
    let quick = rng_for(seed, &[occ, &lv, "search", "quick"]);
    let (best, terms, stats) = search::search(&model.m, start, bound, quick, rngs);
    if terms.hard() > 0 {
        let mut reasons = vec![model.unproven(&best, &terms, &stats, &type_names)];
        reasons.extend(excluded_reasons());
        return Err(fail(reasons));
    }
    let balance = terms.balance();
    let quality = Quality {
        objective: balance,
        bound,
        gap: (balance - bound).max(0.0),
        terms,
        search: stats,
    };

    let table_index: HashMap<&str, usize> = allocation
        .rows
        .iter()
        .flat_map(|r| r.contents.iter())
        .enumerate()
        .map(|(i, c)| (c.code.as_str(), i))
        .collect();
    let out: Vec<TheoryForm> = best
        .into_iter()
        .enumerate()
        .map(|(f, slots)| {
            let mut items: Vec<Picked> = slots
                .into_iter()
                .map(|k| {
                    let e = model.eligible[k as usize];
                    let c = eligible[e];
                    let it = &model.m.items[k as usize];
                    Picked {
                        section: it.section,
                        content: model.content_codes[it.content].clone(),
                        id: c.id.clone(),
                        version: c.version,
                        clause: c.clause.clone(),
                        item_type: c.item_type,
                        points: sections[it.section].points,
                        difficulty: c.difficulty,
                        p: c.p,
                        importance: c.importance,
                    }
                })
                .collect();
            items.sort_by(|a, b| {
                (
                    a.section,
                    table_index.get(a.content.as_str()),
                    &a.clause,
                    &a.id,
                )
                    .cmp(&(
                        b.section,
                        table_index.get(b.content.as_str()),
                        &b.clause,
                        &b.id,
                    ))
            });
            TheoryForm {
                form: f as u32 + 1,
                items,
            }
        })
        .collect();
    verify(&out, sections, limit, excluded, pool)
        .map_err(|r| fail(vec![format!("internal check failed: {r}")]))?;
    Ok((allocation, out, quality))
}

fn content_of(c: &Candidate) -> &str {
    standard_parent(&c.clause).unwrap_or("")
}

/// The mean p forms aim at: the blueprint's, or the mix applied to the pool's mean p per label,
/// or the pool's mean.
fn target_mean(goal: Option<&DifficultyGoal>, pool: &[&Candidate]) -> f64 {
    if let Some(p) = goal.and_then(|g| g.mean_p) {
        return p;
    }
    let mean = |d: Option<Difficulty>| {
        let v: Vec<f64> = pool
            .iter()
            .filter(|c| d.is_none_or(|d| c.difficulty == d))
            .map(|c| c.p)
            .collect();
        (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
    };
    match goal.and_then(DifficultyGoal::mix) {
        Some(mix) => mix
            .iter()
            .map(|(d, s)| s * mean(Some(*d)).unwrap_or(crate::model::default_p(*d)))
            .sum(),
        None => mean(None).unwrap_or(0.65),
    }
}

/// What the per-form steps share.
struct Ctx<'a> {
    cells: &'a [Cell],
    pool: &'a [&'a Candidate],
    /// Interned 鉴定点 of each eligible item.
    clause: Vec<u16>,
    clauses: usize,
    sections: &'a [crate::model::Section],
    goals: Goals,
    forms: usize,
}

impl Ctx<'_> {
    fn enemy_clash(&self, i: usize, enemies: &HashSet<&str>) -> bool {
        self.pool[i]
            .enemy
            .as_deref()
            .is_some_and(|e| enemies.contains(e))
    }
}

/// Builds one form: (cell index, eligible index) picks.
fn build_form(ctx: &Ctx, f: usize) -> Vec<(usize, usize)> {
    let (pool, forms) = (ctx.pool, ctx.forms);
    let mut used = vec![false; pool.len()];
    let mut enemies: HashSet<&str> = HashSet::new();
    let mut tally = Tally::default();
    let mut picks: Vec<(usize, usize)> = Vec::new();
    let mut clause_use = vec![0u32; ctx.clauses];
    let tier = |pos: usize| usize::from(pos % forms != f);
    for (ci, cell) in ctx.cells.iter().enumerate() {
        let pts = ctx.sections[cell.section].points;
        // This form's preference: its own home items in the shared order, then the others.
        let n = cell.order.len();
        let pref = || {
            (f..n)
                .step_by(forms)
                .chain((0..n).filter(move |p| p % forms != f))
                .map(|pos| (pos, cell.order[pos]))
        };
        for &c in &cell.clauses {
            clause_use[usize::from(c)] = 0;
        }
        for _ in 0..cell.need {
            // The least-used 鉴定点 first; among their items, own home before borrowed, then the
            // best for the goals among the first WINDOW viable ones in preference order.
            let mut levels: Vec<u32> = cell
                .clauses
                .iter()
                .map(|&c| clause_use[usize::from(c)])
                .collect();
            levels.sort_unstable();
            levels.dedup();
            let mut best: Option<(usize, f64, usize, usize)> = None;
            for level in levels {
                let mut seen = 0;
                for (pos, i) in pref() {
                    let t = tier(pos);
                    if best.is_some_and(|b| t > b.0 || seen >= WINDOW) {
                        break;
                    }
                    if used[i]
                        || clause_use[usize::from(ctx.clause[i])] != level
                        || ctx.enemy_clash(i, &enemies)
                    {
                        continue;
                    }
                    seen += 1;
                    let mut tl = tally;
                    tl.add(pool[i], pts, 1.0);
                    let key = (t, tl.cost(&ctx.goals), pos, i);
                    if best.is_none_or(|b| {
                        key.0
                            .cmp(&b.0)
                            .then(key.1.total_cmp(&b.1))
                            .then(key.2.cmp(&b.2))
                            .is_lt()
                    }) {
                        best = Some(key);
                    }
                }
                if best.is_some() {
                    break;
                }
            }
            let Some((_, _, _, i)) = best else { break };
            used[i] = true;
            if let Some(e) = pool[i].enemy.as_deref() {
                enemies.insert(e);
            }
            clause_use[usize::from(ctx.clause[i])] += 1;
            tally.add(pool[i], pts, 1.0);
            picks.push((ci, i));
        }
    }
    improve(ctx, f, &mut picks, &mut used, &mut tally);
    picks
}

/// Swaps picked items for this form's unused home items in the same cell while that lowers the
/// distance to the goals, without using any 鉴定点 of the cell more often than the one given up
/// and without breaking an enemy group (the parallel phase, before the joint search).
fn improve(
    ctx: &Ctx,
    home: usize,
    picks: &mut [(usize, usize)],
    used: &mut [bool],
    tally: &mut Tally,
) {
    let pool = ctx.pool;
    let at = |ci: usize, i: usize| ci * ctx.clauses + usize::from(ctx.clause[i]);
    let mut clause_use = vec![0u32; ctx.cells.len() * ctx.clauses];
    let mut enemy_use: HashMap<&str, usize> = HashMap::new();
    for &(ci, i) in picks.iter() {
        clause_use[at(ci, i)] += 1;
        if let Some(e) = pool[i].enemy.as_deref() {
            *enemy_use.entry(e).or_default() += 1;
        }
    }
    for _pass in 0..2 {
        let mut changed = false;
        for pick in picks.iter_mut() {
            let (ci, cur) = *pick;
            let old = pool[cur];
            let cell = &ctx.cells[ci];
            let pts = ctx.sections[cell.section].points;
            let base = tally.cost(&ctx.goals);
            let cur_use = clause_use[at(ci, cur)];
            let mut best: Option<(f64, usize)> = None;
            let mut seen = 0;
            for (pos, &i) in cell.order.iter().enumerate() {
                if seen >= 2 * WINDOW {
                    break;
                }
                if pos % ctx.forms != home || used[i] {
                    continue;
                }
                seen += 1;
                let c = pool[i];
                let enemy_clash = c.enemy.as_deref().is_some_and(|e| {
                    enemy_use.get(e).copied().unwrap_or(0)
                        > usize::from(old.enemy.as_deref() == Some(e))
                });
                let spread_ok = ctx.clause[i] == ctx.clause[cur] || clause_use[at(ci, i)] < cur_use;
                if enemy_clash || !spread_ok {
                    continue;
                }
                let mut t = *tally;
                t.add(old, pts, -1.0);
                t.add(c, pts, 1.0);
                let cost = t.cost(&ctx.goals);
                if cost < base - 1e-9 && best.is_none_or(|(b, _)| cost < b - 1e-12) {
                    best = Some((cost, i));
                }
            }
            if let Some((_, i)) = best {
                let new = pool[i];
                tally.add(old, pts, -1.0);
                tally.add(new, pts, 1.0);
                clause_use[at(ci, cur)] -= 1;
                clause_use[at(ci, i)] += 1;
                if let Some(e) = old.enemy.as_deref() {
                    *enemy_use.get_mut(e).expect("counted") -= 1;
                }
                if let Some(e) = new.enemy.as_deref() {
                    *enemy_use.entry(e).or_default() += 1;
                }
                used[cur] = false;
                used[i] = true;
                *pick = (ci, i);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

fn verify(
    forms: &[TheoryForm],
    sections: &[crate::model::Section],
    limit: usize,
    excluded: &BTreeSet<String>,
    pool: &[Candidate],
) -> Result<(), String> {
    let enemy: HashMap<&str, &str> = pool
        .iter()
        .filter_map(|c| Some((c.id.as_str(), c.enemy.as_deref()?)))
        .collect();
    for f in forms {
        let mut groups = HashSet::new();
        for i in &f.items {
            if let Some(g) = enemy.get(i.id.as_str())
                && !groups.insert(*g)
            {
                return Err(format!(
                    "form {} holds two items of enemy group {g}",
                    f.form
                ));
            }
        }
        for (s, sec) in sections.iter().enumerate() {
            let n = f
                .items
                .iter()
                .filter(|i| i.section == s && i.item_type == sec.item_type)
                .count();
            if n != sec.count as usize {
                return Err(format!(
                    "form {} section {}: {n} items, not {}",
                    f.form, sec.item_type, sec.count
                ));
            }
        }
        let ids: HashSet<&str> = f.items.iter().map(|i| i.id.as_str()).collect();
        if ids.len() != f.items.len() {
            return Err(format!("form {} repeats an item", f.form));
        }
        if let Some(i) = f.items.iter().find(|i| excluded.contains(&i.id)) {
            return Err(format!("form {} uses {} inside its cooldown", f.form, i.id));
        }
    }
    let m = overlap_matrix(forms);
    for (a, row) in m.iter().enumerate() {
        for (b, &n) in row.iter().enumerate() {
            if a != b && n > limit {
                return Err(format!("forms {} and {} share {n} > {limit}", a + 1, b + 1));
            }
        }
    }
    Ok(())
}
