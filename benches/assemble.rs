//! Assembly throughput on synthetic banks (metadata only, as in the vault: content is decrypted
//! only for picked items, which `store` benches cover). Figures in BENCHMARKS.md.

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use qbank::assemble::{Candidate, assemble_theory};
use qbank::model::{
    Blueprint, BlueprintKind, DifficultyGoal, Entry, ItemType, Level, Section, Standard,
};
use qbank::synth::{SynthConfig, bank};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

fn blueprint(std: &Standard, level: Level, forms: u32, max_overlap: f64) -> Blueprint {
    let s = |t, count, points| Section {
        item_type: t,
        count,
        points,
    };
    Blueprint {
        id: format!("{}-{}", std.occupation.code, level.code()),
        occupation: std.occupation.code.clone(),
        level: level.into(),
        minutes: 120,
        forms,
        max_overlap,
        cooldown: 0,
        max_exposures: None,
        overlay: None,
        kind: BlueprintKind::Theory {
            sections: vec![
                s(ItemType::Single, 60, 1.0),
                s(ItemType::Multiple, 10, 2.0),
                s(ItemType::Judge, 20, 1.0),
            ],
            difficulty: Some(DifficultyGoal {
                easy: Some(20.0),
                medium: Some(70.0),
                hard: Some(10.0),
                mean_p: None,
            }),
            importance_x_min: Some(80.0),
        },
    }
}

/// Pools per (occupation, level).
fn pools(standards: &[Standard], entries: &[Entry]) -> BTreeMap<(String, u8), Vec<Candidate>> {
    let by_code: BTreeMap<&str, &Standard> = standards
        .iter()
        .map(|s| (s.occupation.code.as_str(), s))
        .collect();
    let mut out: BTreeMap<(String, u8), Vec<Candidate>> = BTreeMap::new();
    for e in entries {
        if let Entry::Item(i) = e {
            let std = by_code[i.occupation.as_str()];
            out.entry((
                i.occupation.to_string(),
                i.level.level().map_or(0, |l| l.code()),
            ))
            .or_default()
            .push(Candidate::from_item(i, std));
        }
    }
    out
}

fn one_form(c: &mut Criterion) {
    let mut g = c.benchmark_group("one_form");
    g.measurement_time(Duration::from_secs(5));
    for n in [10_000usize, 100_000, 1_000_000] {
        // one occupation: each level's pool is n / 5 items
        let (standards, entries) = bank(&SynthConfig {
            items: n,
            occupations: 1,
            tasks_per_level: 0,
            seed: 5,
        });
        let pools = pools(&standards, &entries);
        let level = Level::from_code(4).unwrap();
        let pool = &pools[&(standards[0].occupation.code.to_string(), 4)];
        let bp = blueprint(&standards[0], level, 1, 1.0);
        let none = BTreeSet::new();
        g.bench_with_input(BenchmarkId::new("pool_of_bank", n), &n, |b, _| {
            let mut seed = 0;
            b.iter(|| {
                seed += 1;
                assemble_theory(&standards[0], &bp, pool, &none, seed).unwrap()
            })
        });
    }
    g.finish();
}

fn many_forms(c: &mut Criterion) {
    let mut g = c.benchmark_group("forms_with_overlap_limit");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    let (standards, entries) = bank(&SynthConfig {
        items: 100_000,
        occupations: 1,
        tasks_per_level: 0,
        seed: 5,
    });
    let pools = pools(&standards, &entries);
    let pool = &pools[&(standards[0].occupation.code.to_string(), 4)];
    let none = BTreeSet::new();
    let forms = 100u32;
    let bp = blueprint(&standards[0], Level::from_code(4).unwrap(), forms, 0.1);
    g.throughput(Throughput::Elements(u64::from(forms)));
    g.bench_with_input(BenchmarkId::new("bank_100000", forms), &forms, |b, _| {
        b.iter(|| assemble_theory(&standards[0], &bp, pool, &none, 9).unwrap())
    });
    g.finish();
}

fn province(c: &mut Criterion) {
    let mut g = c.benchmark_group("province_sitting");
    g.sample_size(10).measurement_time(Duration::from_secs(15));
    // 40 occupations × 5 levels = 200 occupation-levels, 500 items each
    let (standards, entries) = bank(&SynthConfig {
        items: 100_000,
        occupations: 40,
        tasks_per_level: 0,
        seed: 5,
    });
    let pools = pools(&standards, &entries);
    let jobs: Vec<(Blueprint, &Standard, &Vec<Candidate>)> = pools
        .iter()
        .map(|((occ, lv), pool)| {
            let std = standards
                .iter()
                .find(|s| s.occupation.code.as_str() == occ)
                .unwrap();
            (
                blueprint(std, Level::from_code(*lv).unwrap(), 5, 0.2),
                std,
                pool,
            )
        })
        .collect();
    assert_eq!(jobs.len(), 200);
    let none = BTreeSet::new();
    g.throughput(Throughput::Elements(1000));
    g.bench_function("200_levels_x_5_forms", |b| {
        b.iter(|| {
            jobs.par_iter()
                .map(|(bp, std, pool)| assemble_theory(std, bp, pool, &none, 11).unwrap().1.len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, one_form, many_forms, province);
criterion_main!(benches);
