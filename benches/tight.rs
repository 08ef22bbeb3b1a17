//! The exact-solver harness, qbank's side: tight 四级 instances from the sample bank, each solved
//! by the assembler for seeds 1..=100, written with the instance as solver-neutral JSON to
//! `target/peer/` for `tests/peer/solve.py` (OR-Tools CP-SAT) to solve and compare. Run with
//! `sh tests/peer/run.sh`; figures in BENCHMARKS.md.

#[path = "../tests/peer/tight.rs"]
mod tight;

use qbank::assemble::assemble_theory;
use serde_json::json;
use std::collections::BTreeSet;
use std::time::Instant;

fn main() {
    let seeds: u64 = std::env::var("QBANK_PEER_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let out = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/peer");
    std::fs::create_dir_all(&out).expect("create target/peer");
    let (std, full) = tight::sample_pool();
    let none = BTreeSet::new();
    println!(
        "{:<20} {:>9} {:>8} {:>8} {:>9} {:>9} {:>9}",
        "case", "feasible", "D1", "D2", "D3", "gap", "ms/run"
    );
    for case in tight::cases() {
        let pool = tight::subsample(&full, &case, 1);
        let bp = tight::blueprint(&std, &case);
        let mut runs = Vec::new();
        let mut instance = None;
        let (mut ok, mut ms, mut d1, mut d2, mut d3, mut gap) = (0, 0.0, 0.0, 0.0, 0.0f64, 0.0f64);
        let mut proof = None;
        for seed in 1..=seeds {
            let t = Instant::now();
            let r = assemble_theory(&std, &bp, &pool, &none, seed);
            let el = t.elapsed().as_secs_f64() * 1000.0;
            ms += el;
            match r {
                Ok((alloc, forms, q)) => {
                    ok += 1;
                    d1 += q.terms.function_points_off;
                    d2 += q.terms.difficulty_points_off;
                    d3 = d3.max(q.terms.mean_p_spread);
                    gap = gap.max(q.gap);
                    instance.get_or_insert_with(|| tight::instance_json(&bp, &alloc, &pool));
                    runs.push(json!({"seed": seed, "ms": el, "forms": tight::forms_json(&forms), "objective": q.objective, "bound": q.bound}));
                }
                Err(e) => {
                    proof.get_or_insert_with(|| e.to_string());
                    runs.push(json!({"seed": seed, "ms": el, "infeasible": e.reasons}));
                }
            }
        }
        let n = f64::from(ok.max(1));
        println!(
            "{:<20} {:>5}/{seeds} {:>8.2} {:>8.2} {:>9.4} {:>9.3} {:>9.1}",
            case.name,
            ok,
            d1 / n,
            d2 / n,
            d3,
            gap,
            ms / seeds as f64
        );
        if let Some(p) = &proof {
            println!("  {}", p.trim_end().replace('\n', "\n  "));
        }
        // An infeasible case still gets its instance (the allocation of a feasible twin).
        let instance = instance.unwrap_or_else(|| {
            let loose = tight::Case {
                max_overlap: 1.0,
                ..case.clone()
            };
            let bp = tight::blueprint(&std, &loose);
            let (alloc, _, _) = assemble_theory(&std, &bp, &pool, &none, 1).expect("loose twin");
            let mut v = tight::instance_json(&bp, &alloc, &pool);
            v["limit"] = json!((case.max_overlap * 100.0 + 1e-9).floor() as u64);
            v
        });
        let file = out.join(format!("{}.json", case.name));
        std::fs::write(
            &file,
            serde_json::to_vec_pretty(&json!({"instance": instance, "qbank": runs})).unwrap(),
        )
        .expect("write instance");
    }
}
