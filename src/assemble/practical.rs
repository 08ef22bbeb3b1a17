//! Practical task sets (操作技能考核): one module per 职业功能 of the skill weight table, each with
//! its choice rule (必考 = one task, N选一 = N tasks of which one is drawn at the sitting), points
//! scaled so the set totals 100 in proportion to the module weights, total minutes within the
//! limit, site equipment the exam site has, and for 技师/高级技师 defence topics. Forms share the
//! home-partition scheme of theory papers (see `theory.rs`).

use super::{Infeasible, apportion, rng_for};
use crate::model::{Blueprint, BlueprintKind, Standard, Status, TalentCategory};
use rand::seq::SliceRandom;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeSet, HashSet};

#[derive(Clone, Debug, PartialEq)]
pub struct TaskCandidate {
    pub id: String,
    pub version: u32,
    pub modules: Vec<String>,
    pub minutes: u32,
    pub points: f64,
    pub work_types: Vec<String>,
    pub site: Vec<String>,
    pub status: Status,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TopicCandidate {
    pub id: String,
    pub version: u32,
    pub module: String,
    pub status: Status,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PickedTask {
    pub id: String,
    pub version: u32,
    pub minutes: u32,
    /// Points the task's own rubric adds up to.
    pub task_points: f64,
    /// Multiply rubric points by this to score the task out of its module's points.
    pub scale: f64,
    pub work_types: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PickedModule {
    pub function: String,
    pub name: String,
    pub choice: String,
    pub weight: u8,
    pub points: f64,
    pub tasks: Vec<PickedTask>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PracticalForm {
    pub form: u32,
    pub modules: Vec<PickedModule>,
    /// Σ over modules of the longest task a candidate may draw there.
    pub minutes: u32,
    /// Defence topics (id, version) for 技师/高级技师.
    pub defence: Vec<(String, u32)>,
}

impl PracticalForm {
    pub fn task_ids(&self) -> Vec<&str> {
        self.modules
            .iter()
            .flat_map(|m| m.tasks.iter().map(|t| t.id.as_str()))
            .collect()
    }
}

struct Module<'a> {
    function: String,
    name: String,
    weight: u8,
    points: f64,
    take: u32,
    choice: String,
    /// Eligible tasks in the shared seeded order.
    order: Vec<&'a TaskCandidate>,
}

fn minutes_of(modules: &[Module], picks: &[Vec<usize>]) -> u32 {
    modules
        .iter()
        .zip(picks)
        .map(|(m, p)| p.iter().map(|&i| m.order[i].minutes).max().unwrap_or(0))
        .sum()
}

pub fn assemble_practical(
    std: &Standard,
    bp: &Blueprint,
    tasks: &[TaskCandidate],
    topics: &[TopicCandidate],
    excluded: &BTreeSet<String>,
    seed: u64,
) -> Result<Vec<PracticalForm>, Infeasible> {
    let fail = |reasons: Vec<String>| Infeasible {
        blueprint: bp.id.clone(),
        at: String::new(),
        reasons,
    };
    let BlueprintKind::Practical {
        modules: rules,
        site,
        talent,
        defence_topics,
    } = &bp.kind
    else {
        return Err(fail(vec!["not a practical blueprint".into()]));
    };
    let level = bp.level;
    let (occ, lv) = (bp.occupation.as_str(), level.key());
    let site: Option<HashSet<&str>> = site
        .as_ref()
        .map(|s| s.iter().map(String::as_str).collect());
    let weights: Vec<u8> = rules
        .iter()
        .map(|r| {
            std.weight(&std.skill_weights, &r.function, level)
                .unwrap_or(0)
        })
        .collect();
    // a 综合评审 set (defence topics only) has no modules and no points to share
    let points = if rules.is_empty() && *defence_topics > 0 {
        Vec::new()
    } else {
        apportion(
            100,
            &weights.iter().map(|w| f64::from(*w)).collect::<Vec<_>>(),
            &vec![100; rules.len()],
        )
        .ok_or_else(|| fail(vec!["no modules to apportion points to".into()]))?
    };
    let mut reasons = Vec::new();
    let mut modules = Vec::new();
    for (k, r) in rules.iter().enumerate() {
        let mut order: Vec<&TaskCandidate> = Vec::new();
        let (mut inactive, mut cooled, mut missing) = (0, 0, BTreeSet::new());
        for t in tasks.iter().filter(|t| t.modules.contains(&r.function)) {
            let lacks: Vec<&str> = site.as_ref().map_or(Vec::new(), |s| {
                t.site
                    .iter()
                    .map(String::as_str)
                    .filter(|x| !s.contains(x))
                    .collect()
            });
            if t.status != Status::Active {
                inactive += 1;
            } else if excluded.contains(&t.id) {
                cooled += 1;
            } else if !lacks.is_empty() {
                missing.extend(lacks);
            } else {
                order.push(t);
            }
        }
        order.sort_by(|a, b| a.id.cmp(&b.id));
        order.shuffle(&mut rng_for(seed, &[occ, &lv, "module", &r.function]));
        let name = std
            .function(&r.function)
            .map_or(String::new(), |f| f.name.clone());
        if (order.len() as u32) < r.choice.tasks() {
            let mut why = format!(
                "module {} {name} ({}) needs {} task(s); {} eligible",
                r.function,
                r.choice.label(),
                r.choice.tasks(),
                order.len()
            );
            if inactive > 0 {
                why += &format!(", {inactive} not active");
            }
            if cooled > 0 {
                why += &format!(", {cooled} excluded by the cooldown");
            }
            if !missing.is_empty() {
                why += &format!(
                    ", others need equipment the site lacks: {}",
                    missing.into_iter().collect::<Vec<_>>().join("、")
                );
            }
            reasons.push(why);
        }
        modules.push(Module {
            function: r.function.clone(),
            name,
            weight: weights[k],
            points: f64::from(points[k]),
            take: r.choice.tasks(),
            choice: r.choice.label(),
            order,
        });
    }
    if !reasons.is_empty() {
        return Err(fail(reasons));
    }
    // The shortest set possible, for the minutes diagnosis.
    let shortest: u32 = modules
        .iter()
        .map(|m| {
            let mut v: Vec<u32> = m.order.iter().map(|t| t.minutes).collect();
            v.sort_unstable();
            v[m.take as usize - 1]
        })
        .sum();
    if shortest > bp.minutes {
        return Err(fail(vec![format!(
            "even the shortest eligible tasks take {shortest} minutes in all, over the limit of {} minutes",
            bp.minutes
        )]));
    }
    let mut topic_order: Vec<&TopicCandidate> = topics
        .iter()
        .filter(|t| t.status == Status::Active && !excluded.contains(&t.id))
        .collect();
    topic_order.sort_by(|a, b| a.id.cmp(&b.id));
    topic_order.shuffle(&mut rng_for(seed, &[occ, &lv, "defence"]));
    let want_topics = if level.has_defence() {
        *defence_topics as usize
    } else {
        0
    };
    if topic_order.len() < want_topics {
        return Err(fail(vec![format!(
            "{want_topics} defence topic(s) wanted; {} eligible",
            topic_order.len()
        )]));
    }
    let n = bp.forms.max(1) as usize;
    let mut picks: Vec<Vec<Vec<usize>>> = (0..n)
        .into_par_iter()
        .map(|f| pick_form(f, n, &modules, bp.minutes, *talent))
        .collect::<Result<_, String>>()
        .map_err(|r| fail(vec![r]))?;
    let per_form: usize = modules.iter().map(|m| m.take as usize).sum();
    let limit = (bp.max_overlap * per_form as f64 + 1e-9).floor() as usize;
    repair(&mut picks, &modules, limit, bp.minutes).map_err(|r| fail(vec![r]))?;
    let forms = picks
        .into_iter()
        .enumerate()
        .map(|(f, p)| {
            let minutes = minutes_of(&modules, &p);
            let mods = modules
                .iter()
                .zip(&p)
                .map(|(m, idx)| PickedModule {
                    function: m.function.clone(),
                    name: m.name.clone(),
                    choice: m.choice.clone(),
                    weight: m.weight,
                    points: m.points,
                    tasks: idx
                        .iter()
                        .map(|&i| {
                            let t = m.order[i];
                            PickedTask {
                                id: t.id.clone(),
                                version: t.version,
                                minutes: t.minutes,
                                task_points: t.points,
                                scale: m.points / t.points,
                                work_types: t.work_types.clone(),
                            }
                        })
                        .collect(),
                })
                .collect();
            let defence = pick_topics(f, n, &topic_order, want_topics);
            PracticalForm {
                form: f as u32 + 1,
                modules: mods,
                minutes,
                defence,
            }
        })
        .collect();
    Ok(forms)
}

/// One form's task indices per module: own-home tasks first, then shorter ones if over time,
/// then another 工种 for 复合技能型.
fn pick_form(
    f: usize,
    forms: usize,
    modules: &[Module],
    limit: u32,
    talent: Option<TalentCategory>,
) -> Result<Vec<Vec<usize>>, String> {
    let mut taken: HashSet<&str> = HashSet::new();
    let mut picks = Vec::new();
    for m in modules {
        let mut idx: Vec<usize> = (0..m.order.len()).collect();
        idx.sort_by_key(|&i| (i % forms != f, i));
        let mine: Vec<usize> = idx
            .into_iter()
            .filter(|&i| !taken.contains(m.order[i].id.as_str()))
            .take(m.take as usize)
            .collect();
        if mine.len() < m.take as usize {
            return Err(format!(
                "module {} needs {} distinct task(s) not used by another module of the set",
                m.function, m.take
            ));
        }
        taken.extend(mine.iter().map(|&i| m.order[i].id.as_str()));
        picks.push(mine);
    }
    // Over time: replace the longest task of the module with the longest maximum by the shortest
    // unused task of that module, while that helps.
    while minutes_of(modules, &picks) > limit {
        let (mi, _) = modules
            .iter()
            .zip(&picks)
            .enumerate()
            .map(|(k, (m, p))| (k, p.iter().map(|&i| m.order[i].minutes).max().unwrap_or(0)))
            .max_by_key(|&(k, mx)| (mx, std::cmp::Reverse(k)))
            .expect("modules");
        let m = &modules[mi];
        let (slot, &longest) = picks[mi]
            .iter()
            .enumerate()
            .max_by_key(|&(s, &i)| (m.order[i].minutes, std::cmp::Reverse(s)))
            .expect("tasks");
        let used: HashSet<&str> = picks
            .iter()
            .zip(modules)
            .flat_map(|(p, m)| p.iter().map(move |&i| m.order[i].id.as_str()))
            .collect();
        let shorter = (0..m.order.len())
            .filter(|&i| {
                !used.contains(m.order[i].id.as_str())
                    && m.order[i].minutes < m.order[longest].minutes
            })
            .min_by_key(|&i| (m.order[i].minutes, i));
        match shorter {
            Some(i) => picks[mi][slot] = i,
            None => {
                return Err(format!(
                    "form {}: the tasks cannot be brought within {limit} minutes",
                    f + 1
                ));
            }
        }
    }
    if talent == Some(TalentCategory::Composite) {
        let types = |picks: &Vec<Vec<usize>>| -> BTreeSet<String> {
            picks
                .iter()
                .zip(modules)
                .flat_map(|(p, m)| {
                    p.iter()
                        .flat_map(move |&i| m.order[i].work_types.iter().cloned())
                })
                .collect()
        };
        if types(&picks).len() < 2 {
            let have = types(&picks);
            let used: HashSet<&str> = picks
                .iter()
                .zip(modules)
                .flat_map(|(p, m)| p.iter().map(move |&i| m.order[i].id.as_str()))
                .collect();
            let mut fixed = false;
            'outer: for (mi, m) in modules.iter().enumerate() {
                for i in 0..m.order.len() {
                    let t = m.order[i];
                    if used.contains(t.id.as_str())
                        || t.work_types.iter().all(|w| have.contains(w))
                        || t.work_types.is_empty()
                    {
                        continue;
                    }
                    for slot in 0..picks[mi].len() {
                        let mut trial = picks.clone();
                        trial[mi][slot] = i;
                        if minutes_of(modules, &trial) <= limit {
                            picks = trial;
                            fixed = true;
                            break 'outer;
                        }
                    }
                }
            }
            if !fixed {
                return Err(format!(
                    "复合技能型 needs tasks from at least two 工种; the eligible tasks that fit in {limit} minutes cover only {}",
                    if have.is_empty() {
                        "none".to_string()
                    } else {
                        have.into_iter().collect::<Vec<_>>().join("、")
                    }
                ));
            }
        }
    }
    Ok(picks)
}

fn pick_topics(
    f: usize,
    forms: usize,
    order: &[&TopicCandidate],
    want: usize,
) -> Vec<(String, u32)> {
    let mut idx: Vec<usize> = (0..order.len()).collect();
    idx.sort_by_key(|&i| (i % forms != f, i));
    let mut chosen: Vec<usize> = Vec::new();
    // spread over modules first
    for &i in &idx {
        if chosen.len() == want {
            break;
        }
        if !chosen.iter().any(|&c| order[c].module == order[i].module) {
            chosen.push(i);
        }
    }
    for &i in &idx {
        if chosen.len() == want {
            break;
        }
        if !chosen.contains(&i) {
            chosen.push(i);
        }
    }
    chosen.sort_unstable();
    chosen
        .into_iter()
        .map(|i| (order[i].id.clone(), order[i].version))
        .collect()
}

/// Enforces the overlap limit between sets by replacing shared tasks in later forms.
fn repair(
    forms: &mut [Vec<Vec<usize>>],
    modules: &[Module],
    limit: usize,
    minutes: u32,
) -> Result<(), String> {
    let ids = |p: &Vec<Vec<usize>>| -> Vec<(usize, usize, String)> {
        p.iter()
            .enumerate()
            .flat_map(|(mi, v)| {
                v.iter()
                    .enumerate()
                    .map(move |(s, &i)| (mi, s, modules[mi].order[i].id.clone()))
            })
            .collect()
    };
    for g in 1..forms.len() {
        for f in 0..g {
            loop {
                let a: HashSet<String> = ids(&forms[f]).into_iter().map(|x| x.2).collect();
                let shared: Vec<(usize, usize, String)> = ids(&forms[g])
                    .into_iter()
                    .filter(|x| a.contains(&x.2))
                    .collect();
                if shared.len() <= limit {
                    break;
                }
                let all_used: HashSet<String> = forms
                    .iter()
                    .flat_map(|p| ids(p).into_iter().map(|x| x.2))
                    .collect();
                let (mi, slot, id) = shared.last().expect("non-empty").clone();
                let m = &modules[mi];
                let candidate = (0..m.order.len()).find(|&i| {
                    if all_used.contains(&m.order[i].id) {
                        return false;
                    }
                    let mut trial = forms[g].clone();
                    trial[mi][slot] = i;
                    minutes_of(modules, &trial) <= minutes
                });
                match candidate {
                    Some(i) => forms[g][mi][slot] = i,
                    None => {
                        return Err(format!(
                            "sets {} and {} would share {} task(s) (limit {limit}), e.g. {id}: module {} has {} eligible task(s) for {} set(s) × {}",
                            f + 1,
                            g + 1,
                            shared.len(),
                            m.function,
                            m.order.len(),
                            forms.len(),
                            m.take
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}
