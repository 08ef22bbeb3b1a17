//! `qbank status [--min N]`

use crate::cli::Global;
use qbank::Result;
use qbank::model::Grade;
use std::process::ExitCode;

pub fn exec(
    g: &Global,
    min: usize,
    blueprints: &[std::path::PathBuf],
    register: Option<&std::path::Path>,
) -> Result<ExitCode> {
    let r = qbank::ops::status(&g.store()?, min, blueprints, register)?;
    if g.json {
        crate::output::json(&r);
        return Ok(ExitCode::SUCCESS);
    }
    crate::outln!("bank digest {}", r.digest);
    for s in &r.standards {
        crate::outln!("standard {s}");
    }
    crate::outln!("{} current entr(ies)", r.entries);
    for (occ, levels) in &r.levels {
        for (code, ls) in levels.iter().rev() {
            let level = Grade::parse(code).map_or_else(|| code.to_string(), |l| l.to_string());
            crate::outln!(
                "\n{occ} {level}: {} items ({} active), {} tasks, {} defence topics; 鉴定点 covered {}/{}",
                ls.items,
                ls.active_items,
                ls.tasks,
                ls.defence_topics,
                ls.points_covered,
                ls.points_total
            );
            let fmt = |m: &std::collections::BTreeMap<String, usize>| {
                m.iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            if ls.items > 0 {
                crate::outln!("  by function:   {}", fmt(&ls.by_function));
                crate::outln!("  by type:       {}", fmt(&ls.by_type));
                crate::outln!("  by difficulty: {}", fmt(&ls.by_difficulty));
                crate::outln!("  by status:     {}", fmt(&ls.by_status));
                crate::outln!("  by 鉴定点:     {}", fmt(&ls.by_point));
            }
        }
    }
    if !r.sittings.is_empty() {
        crate::outln!("\nconsecutive sittings each blueprint sustains (counting bound):");
        for s in &r.sittings {
            let pool: Vec<String> = s
                .pool
                .iter()
                .map(|(t, n, need)| format!("{t} {n}/{need}"))
                .collect();
            crate::outln!("  {}: {} [{}]", s.blueprint, s.words(), pool.join(", "));
        }
    }
    if r.thin_points.is_empty() {
        crate::outln!(
            "\nevery 鉴定点 in use has at least {} active item(s)",
            r.min_per_point
        );
    } else {
        crate::outln!("\n鉴定点 with fewer than {} active items:", r.min_per_point);
        for p in &r.thin_points {
            crate::outln!(
                "  {} {} {:<7} {:>3}  {}",
                p.occupation,
                p.level
                    .level()
                    .map_or_else(|| "专项".to_string(), |l| format!("L{}", l.code())),
                p.clause,
                p.active_items,
                p.name
            );
        }
    }
    if register.is_some() {
        if r.outdated.is_empty() {
            crate::outln!("\n没有条目引用已废止或被替代的标准");
        } else {
            crate::outln!("\n引用已废止或被替代标准的条目（{} 处）:", r.outdated.len());
            for o in &r.outdated {
                crate::outln!("  {} v{}  {}：{}", o.id, o.version, o.cite, o.words);
            }
        }
    }
    for (id, n) in &r.data_keys {
        crate::outln!("data key {id}: {n} encryptions");
    }
    Ok(ExitCode::SUCCESS)
}
