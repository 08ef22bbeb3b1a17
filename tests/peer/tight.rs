//! Tight theory instances from the sample bank (四级 subsampled to a real provincial size) and their
//! solver-neutral JSON, shared by the tight-bank tests and the exact-solver harness
//! (`benches/tight.rs`, `tests/peer/solve.py`).

#![allow(dead_code)]

use qbank::assemble::{Allocation, Candidate, TheoryForm};
use qbank::model::{
    Blueprint, BlueprintKind, DifficultyGoal, Entry, ItemType, Level, Section, Standard,
};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use std::path::Path;

/// One tight case: how many 单选 and 判断 of the 四级 bank are kept, and the blueprint's forms and
/// overlap limit (layout 单选 80 × 1 + 判断 20 × 1, mix 20/70/10, no cooldown).
#[derive(Clone, Debug)]
pub struct Case {
    pub name: &'static str,
    pub singles: usize,
    pub judges: usize,
    pub forms: u32,
    pub max_overlap: f64,
}

/// The cases of the harness (the first four are the table; the last is impossible).
pub fn cases() -> Vec<Case> {
    let c = |name, singles, judges, forms, max_overlap| Case {
        name,
        singles,
        judges,
        forms,
        max_overlap,
    };
    vec![
        c("f2-o45", 125, 35, 2, 0.45),
        c("f3-o60", 125, 35, 3, 0.60),
        c("f3-o50", 125, 35, 3, 0.50),
        c("f3-o70", 125, 35, 3, 0.70),
        c("f2-o40-200", 160, 40, 2, 0.40),
        c("f3-o45-250", 200, 50, 3, 0.45),
        c("f2-o30-impossible", 125, 35, 2, 0.30),
    ]
}

/// The sample standard and the 四级 theory pool (all active items).
pub fn sample_pool() -> (Standard, Vec<Candidate>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("banks/6-31-01-03");
    // the instances CP-SAT was run on: the 四级 bank before its 2026-12 supplement and its
    // figure items: its standard and the 四级 theory files written before (the practical tasks
    // and figure items, whose figures this pure check cannot read, are no part of the pool)
    let files: Vec<_> = qbank::ops::read_bank_files(&[dir])
        .expect("read the sample bank")
        .into_iter()
        .filter(|f| {
            let name = f.path.rsplit('/').next().unwrap_or("");
            name == "standard.toml"
                || (name.starts_with("theory-4-")
                    && name != "theory-4-more.toml"
                    && name != "theory-4-figures.toml")
        })
        .collect();
    let (bank, problems) = qbank::bankfile::check(&files, &[]);
    assert!(problems.is_empty(), "sample bank has problems");
    let std = bank.standards[0].value.clone();
    let pool = bank
        .entries
        .iter()
        .filter_map(|e| match &e.value {
            Entry::Item(i) if i.level == Level::from_code(4).unwrap() => {
                Some(Candidate::from_item(i, &std))
            }
            _ => None,
        })
        .collect();
    (std, pool)
}

/// A seeded subsample: `singles` 单选 and `judges` 判断 (the types the layout uses), sorted by id.
pub fn subsample(pool: &[Candidate], case: &Case, seed: u64) -> Vec<Candidate> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::new();
    for (t, n) in [
        (ItemType::Single, case.singles),
        (ItemType::Judge, case.judges),
    ] {
        let mut v: Vec<&Candidate> = pool.iter().filter(|c| c.item_type == t).collect();
        v.shuffle(&mut rng);
        out.extend(v.into_iter().take(n).cloned());
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}

pub fn blueprint(std: &Standard, case: &Case) -> Blueprint {
    let s = |t, count| Section {
        item_type: t,
        count,
        points: 1.0,
    };
    Blueprint {
        id: format!("tight-{}", case.name),
        occupation: std.occupation.code.clone(),
        level: Level::from_code(4).unwrap().into(),
        minutes: 120,
        forms: case.forms,
        max_overlap: case.max_overlap,
        cooldown: 0,
        max_exposures: None,
        overlay: None,
        kind: BlueprintKind::Theory {
            sections: vec![s(ItemType::Single, 80), s(ItemType::Judge, 20)],
            difficulty: Some(DifficultyGoal {
                easy: Some(20.0),
                medium: Some(70.0),
                hard: Some(10.0),
                mean_p: None,
            }),
            importance_x_min: None,
        },
    }
}

/// The weight-table row an item counts towards (基本要求 J.1/J.2 or its 职业功能).
fn row_of(clause: &str) -> String {
    let mut parts = clause.split('.');
    let a = parts.next().unwrap_or("");
    if a == "J" {
        format!("J.{}", parts.next().unwrap_or(""))
    } else {
        a.to_string()
    }
}

/// The solver-neutral instance: items (id, type, row, band, p, enemy), layout, row targets in
/// points, mix targets in points, forms and the overlap limit in items.
pub fn instance_json(bp: &Blueprint, alloc: &Allocation, pool: &[Candidate]) -> Value {
    let BlueprintKind::Theory {
        sections,
        difficulty,
        ..
    } = &bp.kind
    else {
        panic!("theory blueprint")
    };
    let total: f64 = sections.iter().map(|s| f64::from(s.count) * s.points).sum();
    let rows: Vec<Value> = alloc
        .rows
        .iter()
        .map(|r| json!({"row": r.row, "target": total * f64::from(r.weight) / 100.0}))
        .collect();
    let mix = difficulty.as_ref().and_then(|d| d.mix()).map(|m| {
        m.iter()
            .map(|(d, s)| json!({"band": d.as_str(), "target": s * total}))
            .collect::<Vec<_>>()
    });
    let row_codes: Vec<&str> = alloc.rows.iter().map(|r| r.row.as_str()).collect();
    let items: Vec<Value> = pool
        .iter()
        .filter(|c| row_codes.contains(&row_of(&c.clause).as_str()))
        .map(|c| {
            json!({"id": c.id, "type": c.item_type.as_str(), "row": row_of(&c.clause),
                   "band": c.difficulty.as_str(), "p": c.p, "enemy": c.enemy})
        })
        .collect();
    let per_form: u32 = sections.iter().map(|s| s.count).sum();
    json!({
        "blueprint": bp.id,
        "forms": bp.forms,
        "limit": (bp.max_overlap * f64::from(per_form) + 1e-9).floor() as u64,
        "sections": sections.iter().map(|s| json!({"type": s.item_type.as_str(), "count": s.count, "points": s.points})).collect::<Vec<_>>(),
        "rows": rows,
        "mix": mix,
        "weights": {"function": qbank::assemble::W_FUNCTION, "difficulty": qbank::assemble::W_DIFFICULTY, "mean_p": qbank::assemble::W_MEAN_P},
        "items": items,
    })
}

/// Forms as id lists, for the harness.
pub fn forms_json(forms: &[TheoryForm]) -> Value {
    forms
        .iter()
        .map(|f| f.items.iter().map(|i| i.id.clone()).collect::<Vec<_>>())
        .collect()
}
