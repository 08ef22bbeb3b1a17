//! Theory papers: per form, fill every cell of the allocation from the eligible pool, honouring
//! the hard constraints and steering the soft goals; then enforce the overlap limit between forms.
//!
//! How forms stay parallel and overlap-free without talking to each other: every cell's eligible
//! items are put in one seeded order shared by all forms, and item `i` of that order is "at home"
//! in form `i mod F`. A form prefers its own home items and borrows others only when its home runs
//! short, so forms can be built independently (in parallel) and still rarely collide; a final,
//! sequential repair swaps out any sharing beyond the limit with items no form uses.

use super::allocate::{Allocation, Capacity, allocate};
use super::{Infeasible, rng_for};
use crate::model::{
    Blueprint, BlueprintKind, Difficulty, DifficultyGoal, Importance, ItemType, Standard, Status,
    standard_parent,
};
use rand::seq::SliceRandom;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// What the assembler knows of an item: metadata only, never content.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub id: String,
    pub version: u32,
    pub clause: String,
    pub item_type: ItemType,
    pub difficulty: Difficulty,
    /// Expected proportion correct: the item's estimate, or the default for its label.
    pub p: f64,
    /// Effective importance (the item's override, else its 鉴定点's).
    pub importance: Importance,
    pub enemy: Option<String>,
    pub status: Status,
}

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
    /// Eligible item indices in the shared seeded order.
    order: Vec<usize>,
}

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
) -> Result<(Allocation, Vec<TheoryForm>), Infeasible> {
    let fail = |reasons: Vec<String>| Infeasible {
        blueprint: bp.id.clone(),
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
    let lv = level.code().to_string();
    // Eligible pool, sorted by id; exclusions counted per (content, type) for diagnoses.
    let mut eligible: Vec<&Candidate> = Vec::new();
    let mut not_active: BTreeMap<(String, ItemType), u32> = BTreeMap::new();
    let mut cooled: BTreeMap<(String, ItemType), u32> = BTreeMap::new();
    for c in pool {
        if std.point(level, &c.clause).is_none() {
            continue;
        }
        let key = (
            standard_parent(&c.clause).unwrap_or("").to_string(),
            c.item_type,
        );
        if c.status != Status::Active {
            *not_active.entry(key).or_default() += 1;
        } else if excluded.contains(&c.id) {
            *cooled.entry(key).or_default() += 1;
        } else {
            eligible.push(c);
        }
    }
    eligible.sort_by(|a, b| a.id.cmp(&b.id));
    let content_of = |c: &Candidate| standard_parent(&c.clause).unwrap_or("").to_string();
    let mut cap: Capacity = BTreeMap::new();
    let mut points_seen: BTreeSet<(String, ItemType, &str)> = BTreeSet::new();
    for c in &eligible {
        let key = (content_of(c), c.item_type);
        let e = cap.entry(key.clone()).or_default();
        e.0 += 1;
        if points_seen.insert((key.0, key.1, c.clause.as_str())) {
            e.1 += 1;
        }
    }
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
    let mut by_cell: HashMap<(String, ItemType), Vec<usize>> = HashMap::new();
    for (i, c) in eligible.iter().enumerate() {
        by_cell
            .entry((content_of(c), c.item_type))
            .or_default()
            .push(i);
    }
    let mut cells: Vec<Cell> = allocation
        .cells()
        .into_iter()
        .map(|(content, section, need)| {
            let t = sections[section].item_type;
            let mut order = by_cell
                .get(&(content.clone(), t))
                .cloned()
                .unwrap_or_default();
            order.shuffle(&mut rng_for(
                seed,
                &[occ, &lv, "cell", &content, t.as_str()],
            ));
            Cell {
                content,
                section,
                need,
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

    let goals = Goals {
        mix: difficulty.as_ref().and_then(DifficultyGoal::mix),
        mean_p: target_mean(difficulty.as_ref(), &eligible),
        x_min: *importance_x_min,
    };
    let forms_n = bp.forms.max(1) as usize;
    let mut forms: Vec<Vec<(usize, usize)>> = (0..forms_n)
        .into_par_iter()
        .map(|f| build_form(f, forms_n, &cells, &eligible, sections, &goals))
        .collect();
    let items_per_form: u32 = sections.iter().map(|s| s.count).sum();
    let limit = (bp.max_overlap * f64::from(items_per_form) + 1e-9).floor() as usize;
    repair_overlap(&mut forms, &cells, &eligible, limit, forms_n).map_err(|r| fail(vec![r]))?;
    // Balance: each form, in order, may swap in items no form uses, towards the common goals;
    // this pulls the forms' mean difficulty together without adding overlap.
    let mut taken: HashSet<usize> = forms.iter().flatten().map(|(_, i)| *i).collect();
    for picks in forms.iter_mut() {
        let mut tally = Tally::default();
        for &(ci, i) in picks.iter() {
            tally.add(eligible[i], sections[cells[ci].section].points, 1.0);
        }
        improve(
            None, forms_n, &cells, &eligible, sections, &goals, picks, &mut taken, &mut tally,
        );
    }

    let table_index: HashMap<&str, usize> = allocation
        .rows
        .iter()
        .flat_map(|r| r.contents.iter())
        .enumerate()
        .map(|(i, c)| (c.code.as_str(), i))
        .collect();
    let out: Vec<TheoryForm> = forms
        .into_iter()
        .enumerate()
        .map(|(f, picks)| {
            let mut items: Vec<Picked> = picks
                .into_iter()
                .map(|(cell, i)| {
                    let c = eligible[i];
                    let cell = &cells[cell];
                    Picked {
                        section: cell.section,
                        content: cell.content.clone(),
                        id: c.id.clone(),
                        version: c.version,
                        clause: c.clause.clone(),
                        item_type: c.item_type,
                        points: sections[cell.section].points,
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
    verify(&out, sections, limit, excluded)
        .map_err(|r| fail(vec![format!("internal check failed: {r}")]))?;
    Ok((allocation, out))
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

/// Builds one form: (cell index, eligible index) picks.
fn build_form(
    f: usize,
    forms: usize,
    cells: &[Cell],
    pool: &[&Candidate],
    sections: &[crate::model::Section],
    goals: &Goals,
) -> Vec<(usize, usize)> {
    let mut used: HashSet<usize> = HashSet::new();
    let mut enemies: HashSet<&str> = HashSet::new();
    let mut tally = Tally::default();
    let mut picks: Vec<(usize, usize)> = Vec::new();
    let tier = |pos: usize| usize::from(pos % forms != f);
    for (ci, cell) in cells.iter().enumerate() {
        let pts = sections[cell.section].points;
        let mut clause_use: HashMap<&str, u32> = HashMap::new();
        for _ in 0..cell.need {
            let min_use = cell
                .order
                .iter()
                .filter(|&&i| {
                    !used.contains(&i)
                        && pool[i]
                            .enemy
                            .as_deref()
                            .is_none_or(|e| !enemies.contains(e))
                })
                .map(|&i| {
                    clause_use
                        .get(pool[i].clause.as_str())
                        .copied()
                        .unwrap_or(0)
                })
                .min();
            let Some(min_use) = min_use else { break };
            let mut best: Option<(usize, f64, usize, usize)> = None;
            for (pos, &i) in cell.order.iter().enumerate() {
                let c = pool[i];
                if used.contains(&i)
                    || c.enemy.as_deref().is_some_and(|e| enemies.contains(e))
                    || clause_use.get(c.clause.as_str()).copied().unwrap_or(0) != min_use
                {
                    continue;
                }
                let mut t = tally;
                t.add(c, pts, 1.0);
                let key = (tier(pos), t.cost(goals), pos, i);
                let better = best.is_none_or(|b| {
                    key.0
                        .cmp(&b.0)
                        .then(key.1.total_cmp(&b.1))
                        .then(key.2.cmp(&b.2))
                        .is_lt()
                });
                if better {
                    best = Some(key);
                }
            }
            let Some((_, _, _, i)) = best else { break };
            used.insert(i);
            if let Some(e) = pool[i].enemy.as_deref() {
                enemies.insert(e);
            }
            *clause_use.entry(pool[i].clause.as_str()).or_default() += 1;
            tally.add(pool[i], pts, 1.0);
            picks.push((ci, i));
        }
    }
    improve(
        Some(f),
        forms,
        cells,
        pool,
        sections,
        goals,
        &mut picks,
        &mut used,
        &mut tally,
    );
    picks
}

/// Swaps picked items for unused items in the same cell while that lowers the distance to the
/// goals, without using any 鉴定点 of the cell more often than the one given up and without
/// breaking an enemy group. With `home`, only that form's home items are candidates (the parallel
/// phase); without, any item no form uses (the sequential balancing phase).
#[allow(clippy::too_many_arguments)]
fn improve(
    home: Option<usize>,
    forms: usize,
    cells: &[Cell],
    pool: &[&Candidate],
    sections: &[crate::model::Section],
    goals: &Goals,
    picks: &mut [(usize, usize)],
    used: &mut HashSet<usize>,
    tally: &mut Tally,
) {
    let mut clause_use: HashMap<(usize, &str), usize> = HashMap::new();
    let mut enemy_use: HashMap<&str, usize> = HashMap::new();
    for &(ci, i) in picks.iter() {
        *clause_use.entry((ci, pool[i].clause.as_str())).or_default() += 1;
        if let Some(e) = pool[i].enemy.as_deref() {
            *enemy_use.entry(e).or_default() += 1;
        }
    }
    for _pass in 0..2 {
        let mut changed = false;
        for pick in picks.iter_mut() {
            let (ci, cur) = *pick;
            let old = pool[cur];
            let cell = &cells[ci];
            let pts = sections[cell.section].points;
            let base = tally.cost(goals);
            let cur_use = clause_use[&(ci, old.clause.as_str())];
            let mut best: Option<(f64, usize)> = None;
            for (pos, &i) in cell.order.iter().enumerate() {
                if home.is_some_and(|f| pos % forms != f) || used.contains(&i) {
                    continue;
                }
                let c = pool[i];
                let enemy_clash = c.enemy.as_deref().is_some_and(|e| {
                    enemy_use.get(e).copied().unwrap_or(0)
                        > usize::from(old.enemy.as_deref() == Some(e))
                });
                let spread_ok = c.clause == old.clause
                    || clause_use
                        .get(&(ci, c.clause.as_str()))
                        .copied()
                        .unwrap_or(0)
                        < cur_use;
                if enemy_clash || !spread_ok {
                    continue;
                }
                let mut t = *tally;
                t.add(old, pts, -1.0);
                t.add(c, pts, 1.0);
                let cost = t.cost(goals);
                if cost < base - 1e-9 && best.is_none_or(|(b, _)| cost < b - 1e-12) {
                    best = Some((cost, i));
                }
            }
            if let Some((_, i)) = best {
                let new = pool[i];
                tally.add(old, pts, -1.0);
                tally.add(new, pts, 1.0);
                *clause_use
                    .get_mut(&(ci, old.clause.as_str()))
                    .expect("counted") -= 1;
                *clause_use.entry((ci, new.clause.as_str())).or_default() += 1;
                if let Some(e) = old.enemy.as_deref() {
                    *enemy_use.get_mut(e).expect("counted") -= 1;
                }
                if let Some(e) = new.enemy.as_deref() {
                    *enemy_use.entry(e).or_default() += 1;
                }
                if home.is_some() {
                    // a form's own set; in the balancing pass `used` spans all forms and an item
                    // given up may still sit in another form, so it stays taken
                    used.remove(&cur);
                }
                used.insert(i);
                *pick = (ci, i);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

/// Enforces the pairwise overlap limit by replacing shared items in later forms with items no form
/// uses (same cell; same difficulty label preferred). Sequential and deterministic.
fn repair_overlap(
    forms: &mut [Vec<(usize, usize)>],
    cells: &[Cell],
    pool: &[&Candidate],
    limit: usize,
    n: usize,
) -> Result<(), String> {
    let mut in_use: HashMap<usize, u32> = HashMap::new();
    for f in forms.iter() {
        for (_, i) in f {
            *in_use.entry(*i).or_default() += 1;
        }
    }
    for g in 1..forms.len() {
        for f in 0..g {
            loop {
                let a: HashSet<usize> = forms[f].iter().map(|(_, i)| *i).collect();
                let shared: Vec<usize> = (0..forms[g].len())
                    .filter(|&k| a.contains(&forms[g][k].1))
                    .collect();
                if shared.len() <= limit {
                    break;
                }
                let k = *shared.last().expect("non-empty");
                let (ci, cur) = forms[g][k];
                let enemies: HashSet<&str> = forms[g]
                    .iter()
                    .filter(|(_, i)| *i != cur)
                    .filter_map(|(_, i)| pool[*i].enemy.as_deref())
                    .collect();
                let replacement = cells[ci]
                    .order
                    .iter()
                    .copied()
                    .filter(|i| {
                        !in_use.contains_key(i)
                            && pool[*i]
                                .enemy
                                .as_deref()
                                .is_none_or(|e| !enemies.contains(e))
                    })
                    .min_by_key(|i| {
                        (
                            pool[*i].difficulty != pool[cur].difficulty,
                            pool[*i].clause != pool[cur].clause,
                        )
                    });
                let Some(r) = replacement else {
                    let cell = &cells[ci];
                    return Err(format!(
                        "forms {} and {} would share {} items (limit {limit}): cell {}/{} has {} eligible items for {n} forms × {} each, and none is left unused",
                        f + 1,
                        g + 1,
                        shared.len(),
                        cell.content,
                        pool[cur].item_type,
                        cell.order.len(),
                        cell.need
                    ));
                };
                *in_use.get_mut(&cur).expect("in use") -= 1;
                if in_use[&cur] == 0 {
                    in_use.remove(&cur);
                }
                in_use.insert(r, 1);
                forms[g][k] = (ci, r);
            }
        }
    }
    Ok(())
}

fn verify(
    forms: &[TheoryForm],
    sections: &[crate::model::Section],
    limit: usize,
    excluded: &BTreeSet<String>,
) -> Result<(), String> {
    for f in forms {
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
