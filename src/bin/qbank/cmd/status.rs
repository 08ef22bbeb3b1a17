//! `qbank status [--min N]`

use crate::cli::Global;
use qbank::Result;
use qbank::model::{Difficulty, Grade, Status};
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
    crate::outln!("题库摘要 {}", r.digest);
    for s in &r.standards {
        crate::outln!("标准 {s}");
    }
    crate::outln!("当前条目 {} 条", r.entries);
    for (occ, levels) in &r.levels {
        for (code, ls) in levels.iter().rev() {
            let level = Grade::parse(code).map_or_else(|| code.to_string(), |l| l.to_string());
            crate::outln!(
                "\n{occ} {level}：理论试题 {} 道（在用 {} 道），操作技能试题 {} 道，答辩题目 {} 道；鉴定点覆盖 {}/{}",
                ls.items,
                ls.active_items,
                ls.tasks,
                ls.defence_topics,
                ls.points_covered,
                ls.points_total
            );
            let fmt_with = |m: &std::collections::BTreeMap<String, usize>,
                            name: &dyn Fn(&str) -> String| {
                m.iter()
                    .map(|(k, v)| format!("{} {v}", name(k)))
                    .collect::<Vec<_>>()
                    .join("，")
            };
            let fmt =
                |m: &std::collections::BTreeMap<String, usize>| fmt_with(m, &|k| k.to_string());
            let status =
                |k: &str| Status::parse(k).map_or_else(|| k.to_string(), |s| s.name().to_string());
            let difficulty = |k: &str| {
                Difficulty::parse(k).map_or_else(|| k.to_string(), |d| d.name().to_string())
            };
            if ls.items > 0 {
                crate::outln!("  按职业功能：{}", fmt(&ls.by_function));
                crate::outln!("  按题型：    {}", fmt(&ls.by_type));
                crate::outln!("  按难度：    {}", fmt_with(&ls.by_difficulty, &difficulty));
                crate::outln!("  按状态：    {}", fmt_with(&ls.by_status, &status));
                crate::outln!("  按鉴定点：  {}", fmt(&ls.by_point));
            }
        }
    }
    if !r.sittings.is_empty() {
        crate::outln!("\n各组卷方案可支撑的连续考试次数（计数上界）：");
        for s in &r.sittings {
            let pool: Vec<String> = s
                .pool
                .iter()
                .map(|(t, n, need)| format!("{t} {n}/{need}"))
                .collect();
            crate::outln!("  {}：{} [{}]", s.blueprint, s.words(), pool.join("，"));
        }
    }
    if r.thin_points.is_empty() {
        crate::outln!("\n在用的每个鉴定点都至少有 {} 道在用试题", r.min_per_point);
    } else {
        crate::outln!("\n在用试题少于 {} 道的鉴定点：", r.min_per_point);
        for p in &r.thin_points {
            crate::outln!(
                "  {} {} {:<7} {:>3}  {}",
                p.occupation,
                p.level,
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
        crate::outln!("数据密钥 {id}：已加密 {n} 次");
    }
    Ok(ExitCode::SUCCESS)
}
