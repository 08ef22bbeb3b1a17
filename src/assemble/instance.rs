//! The theory search instance: eligible items interned against the 双向细目表 (row, 工作内容,
//! section, 鉴定点, difficulty band, enemy group), the targets in integer units, the starting forms
//! from the parallel greedy phase, and the words for a search that ended without meeting the
//! hard constraints.

use super::Candidate;
use super::allocate::Allocation;
use super::rng_for;
use super::search::{Item, Model, SearchStats, Terms};
use crate::model::{Difficulty, Importance, Section};
use rand::seq::SliceRandom;
use std::collections::{BTreeMap, HashMap};

/// A search model with the way back to the eligible items.
pub(super) struct Instance {
    pub m: Model,
    /// Model item → index in the eligible list.
    pub eligible: Vec<usize>,
    /// Eligible index → model item (`u32::MAX`: outside every weighted row or section).
    of_eligible: Vec<u32>,
    /// 工作内容 codes in table order (the model's content index).
    pub content_codes: Vec<String>,
}

/// What the instance is built from: the allocation and the goals, in the blueprint's units.
pub(super) struct Goals<'a> {
    pub allocation: &'a Allocation,
    pub sections: &'a [Section],
    pub mix: Option<[(Difficulty, f64); 3]>,
    pub mean_p: Option<f64>,
    pub x_min: Option<f64>,
    pub forms: usize,
    pub limit: usize,
}

fn band(d: Difficulty) -> usize {
    match d {
        Difficulty::Easy => 0,
        Difficulty::Medium => 1,
        Difficulty::Hard => 2,
    }
}

fn centi(points: f64) -> i64 {
    (points * 100.0).round() as i64
}

impl Instance {
    /// `pool` is the eligible list (sorted by id) with each item's interned 鉴定点 in `clause`;
    /// `point_content` names the 工作内容 of each interned 鉴定点.
    pub fn new(g: &Goals, pool: &[&Candidate], clause: &[u16], point_content: &[&str]) -> Instance {
        let clauses = point_content.len();
        let sections = g.sections;
        let alloc = g.allocation;
        let mut content_codes = Vec::new();
        let mut content_ix: HashMap<&str, (usize, usize)> = HashMap::new();
        for (r, row) in alloc.rows.iter().enumerate() {
            for c in &row.contents {
                content_ix.insert(c.code.as_str(), (content_codes.len(), r));
                content_codes.push(c.code.clone());
            }
        }
        // (content, row) of each interned 鉴定点: one lookup per 鉴定点, not per item
        let point_row: Vec<Option<(usize, usize)>> = point_content
            .iter()
            .map(|c| content_ix.get(c).copied())
            .collect();
        let sec_of = |t| sections.iter().position(|x| x.item_type == t);
        let mut enemy_ix: BTreeMap<&str, u32> = BTreeMap::new();
        for c in pool {
            if let Some(e) = c.enemy.as_deref() {
                let n = enemy_ix.len() as u32;
                enemy_ix.entry(e).or_insert(n);
            }
        }
        let rows = alloc.rows.len();
        let mut items = Vec::new();
        let mut eligible = Vec::new();
        let mut of_eligible = vec![u32::MAX; pool.len()];
        let mut by_sec = vec![Vec::new(); sections.len()];
        let mut by_sec_row = vec![Vec::new(); sections.len() * rows];
        let mut by_sec_row_band = vec![Vec::new(); sections.len() * rows * 3];
        for (e, c) in pool.iter().enumerate() {
            let (Some((content, row)), Some(section)) =
                (point_row[usize::from(clause[e])], sec_of(c.item_type))
            else {
                continue;
            };
            let k = items.len() as u32;
            of_eligible[e] = k;
            eligible.push(e);
            by_sec[section].push(k);
            by_sec_row[section * rows + row].push(k);
            by_sec_row_band[(section * rows + row) * 3 + band(c.difficulty)].push(k);
            items.push(Item {
                section,
                row,
                content,
                clause: usize::from(clause[e]),
                band: band(c.difficulty),
                p: (c.p * 1e6).round() as i64,
                x: c.importance == Importance::X,
                enemy: c.enemy.as_deref().map_or(u32::MAX, |x| enemy_ix[x]),
            });
        }
        let sec_pts: Vec<i64> = sections.iter().map(|s| centi(s.points)).collect();
        let sec_count: Vec<usize> = sections.iter().map(|s| s.count as usize).collect();
        let total: i64 = sec_pts
            .iter()
            .zip(&sec_count)
            .map(|(p, &n)| p * n as i64)
            .sum();
        let row_target = alloc
            .rows
            .iter()
            .map(|r| (total * i64::from(r.weight) + 50) / 100)
            .collect();
        let mut content_target = vec![0i32; content_codes.len() * sections.len()];
        for row in &alloc.rows {
            for c in &row.contents {
                let (ci, _) = content_ix[c.code.as_str()];
                for (s, &n) in c.counts.iter().enumerate() {
                    content_target[ci * sections.len() + s] = n as i32;
                }
            }
        }
        let m = Model {
            items,
            sec_pts,
            sec_count,
            total,
            row_target,
            content_target,
            clauses,
            mix_target: g.mix.map(|mix| {
                let mut t = [0i64; 3];
                for (d, share) in mix {
                    t[band(d)] = (share * total as f64).round() as i64;
                }
                t
            }),
            mean_target: g.mean_p.map(|p| (p * 1e6).round() as i64),
            x_target: g.x_min.map(|x| (x / 100.0 * total as f64).round() as i64),
            forms: g.forms,
            limit: g.limit as i32,
            by_sec,
            by_sec_row,
            by_sec_row_band,
            by_cell_p: std::sync::OnceLock::new(),
        };
        Instance {
            m,
            eligible,
            of_eligible,
            content_codes,
        }
    }

    /// A form's starting slots from the greedy picks (eligible indices), grouped by section; a
    /// section the greedy phase left short is topped up in a seeded order, avoiding enemy clashes
    /// where it can (the search repairs the rest).
    pub fn start(&self, form: usize, picks: &[usize], seed: u64, labels: &[&str]) -> Vec<u32> {
        let m = &self.m;
        let mut per_sec: Vec<Vec<u32>> = vec![Vec::new(); m.sec_count.len()];
        let mut on = vec![false; m.items.len()];
        let mut groups = std::collections::HashSet::new();
        for &e in picks {
            let k = self.of_eligible[e];
            if k == u32::MAX {
                continue;
            }
            let it = &m.items[k as usize];
            if per_sec[it.section].len() < m.sec_count[it.section] && !on[k as usize] {
                on[k as usize] = true;
                groups.insert(it.enemy);
                per_sec[it.section].push(k);
            }
        }
        let form_label = form.to_string();
        for (s, slots) in per_sec.iter_mut().enumerate() {
            if slots.len() >= m.sec_count[s] {
                continue;
            }
            let mut order = m.by_sec[s].clone();
            let sec_label = s.to_string();
            let mut parts: Vec<&str> = labels.to_vec();
            parts.extend(["fill", &form_label, &sec_label]);
            order.shuffle(&mut rng_for(seed, &parts));
            for pass in 0..2 {
                for &k in &order {
                    if slots.len() >= m.sec_count[s] {
                        break;
                    }
                    let e = m.items[k as usize].enemy;
                    let clash = e != u32::MAX && groups.contains(&e);
                    if on[k as usize] || (pass == 0 && clash) {
                        continue;
                    }
                    on[k as usize] = true;
                    groups.insert(e);
                    slots.push(k);
                }
            }
        }
        per_sec.concat()
    }

    /// Why the search's best forms are not acceptable, when no proof of impossibility exists.
    pub fn unproven(
        &self,
        forms: &[Vec<u32>],
        terms: &Terms,
        stats: &SearchStats,
        type_names: &[String],
    ) -> String {
        let m = &self.m;
        let mut worst = (0usize, 0usize, 0usize);
        for a in 0..forms.len() {
            for b in a + 1..forms.len() {
                let n = forms[a].iter().filter(|i| forms[b].contains(i)).count();
                if n > worst.2 {
                    worst = (a, b, n);
                }
            }
        }
        let mut s = format!(
            "no proof that this blueprint is impossible was found, but the search ({} moves in {} chains) did not meet every hard constraint:",
            stats.moves, stats.chains
        );
        if terms.overlap_excess > 0 {
            s += &format!(
                " its best forms share {} item(s) beyond the limit of {} (forms {} and {} share {});",
                terms.overlap_excess,
                m.limit,
                worst.0 + 1,
                worst.1 + 1,
                worst.2
            );
        }
        if terms.enemy_excess > 0 {
            s += &format!(
                " {} enemy-group clash(es) remain on single forms;",
                terms.enemy_excess
            );
        }
        let pools: Vec<String> = m
            .by_sec
            .iter()
            .zip(type_names)
            .zip(&m.sec_count)
            .map(|((v, t), n)| format!("{t} {} eligible for {} × {n}", v.len(), m.forms))
            .collect();
        s + &format!(
            " eligible items: {}; more items, fewer forms or a looser max_overlap would help",
            pools.join(", ")
        )
    }
}
