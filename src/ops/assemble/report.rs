//! The quality report of one blueprint's forms (`report.json`, typed as
//! [`QualityReport`]) and its text (`report.txt`; in a sitting, the public text by counts only).

use super::Built;
use crate::assemble::{self, Quality, TheoryForm, overlap_matrix};
use crate::document::{
    FormQuality, PracticalReport, QualityReport, QualityTerms, QualityWeights, RowFit, SearchStats,
    SetModule, SetQuality, TheoryQuality, TheoryReport,
};
use crate::model::{Difficulty, Importance, Standard, standard_parent};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The quality report of one blueprint's forms.
pub fn report(std: &Standard, built: &Built) -> QualityReport {
    let bp = &built.blueprint;
    if !bp.is_theory() {
        let sets: Vec<SetQuality> = built
            .practical
            .iter()
            .map(|f| SetQuality {
                form: f.form,
                task_minutes: f.minutes,
                limit: bp.minutes,
                modules: f
                    .modules
                    .iter()
                    .map(|m| SetModule {
                        function: m.function.clone(),
                        choice: m.choice.clone(),
                        points: m.points,
                        tasks: m.tasks.iter().map(|t| t.id.clone()).collect(),
                    })
                    .collect(),
                work_types: f
                    .modules
                    .iter()
                    .flat_map(|m| m.tasks.iter().flat_map(|t| t.work_types.iter().cloned()))
                    .collect(),
                defence: f.defence.iter().map(|d| d.0.clone()).collect(),
            })
            .collect();
        let ids: Vec<BTreeSet<&str>> = built
            .practical
            .iter()
            .map(|f| f.task_ids().into_iter().collect())
            .collect();
        let overlap: Vec<Vec<usize>> = ids
            .iter()
            .map(|a| ids.iter().map(|b| a.intersection(b).count()).collect())
            .collect();
        return QualityReport::Practical(PracticalReport {
            blueprint: bp.id.clone(),
            sets,
            overlap,
        });
    }
    let alloc = built.allocation.as_ref().expect("theory has an allocation");
    let points_at: usize = std.points_at(bp.level).count();
    let forms: Vec<FormQuality> = built
        .theory
        .iter()
        .map(|f| {
            let total: f64 = f.items.iter().map(|i| i.points).sum();
            let mut mix = BTreeMap::new();
            for d in Difficulty::ALL {
                let pts: f64 = f
                    .items
                    .iter()
                    .filter(|i| i.difficulty == *d)
                    .map(|i| i.points)
                    .sum();
                mix.insert(
                    d.as_str().to_string(),
                    (pts / total * 1000.0).round() / 10.0,
                );
            }
            let x: f64 = f
                .items
                .iter()
                .filter(|i| i.importance == Importance::X)
                .map(|i| i.points)
                .sum();
            let fit = alloc
                .rows
                .iter()
                .map(|r| RowFit {
                    row: r.row.clone(),
                    weight: r.weight,
                    points: f
                        .items
                        .iter()
                        .filter(|i| {
                            crate::model::standard_function(&i.clause) == r.row
                                || standard_parent(&i.clause) == Some(r.row.as_str())
                        })
                        .map(|i| i.points)
                        .sum(),
                })
                .collect();
            let points_used: BTreeSet<&str> = f.items.iter().map(|i| i.clause.as_str()).collect();
            FormQuality {
                form: f.form,
                items: f.items.len(),
                points: total,
                mean_p: (f.mean_p() * 10000.0).round() / 10000.0,
                difficulty_percent_of_points: mix,
                x_percent_of_points: (x / total * 1000.0).round() / 10.0,
                points_covered: points_used.len(),
                points_at_level: points_at,
                fit,
            }
        })
        .collect();
    let means: Vec<f64> = built.theory.iter().map(TheoryForm::mean_p).collect();
    let spread = means.iter().cloned().fold(f64::MIN, f64::max)
        - means.iter().cloned().fold(f64::MAX, f64::min);
    QualityReport::Theory(TheoryReport {
        blueprint: bp.id.clone(),
        allocation: alloc.clone(),
        forms,
        mean_p_spread: (spread * 10000.0).round() / 10000.0,
        overlap: overlap_matrix(&built.theory),
        quality: built.quality.as_ref().map(quality_of),
    })
}

/// The objective terms, the bound and the gap, rounded for the report (the exact values are
/// recomputed by `verify`, never read back).
fn quality_of(q: &Quality) -> TheoryQuality {
    let r = |x: f64, k: f64| (x * k).round() / k;
    let t = &q.terms;
    TheoryQuality {
        objective: r(q.objective, 1e4),
        lower_bound: r(q.bound, 1e4),
        gap: r(q.gap, 1e4),
        proven_optimal: q.gap <= 1e-9,
        terms: QualityTerms {
            function_points_off: r(t.function_points_off, 1e4),
            difficulty_points_off: r(t.difficulty_points_off, 1e4),
            mean_p_spread: r(t.mean_p_spread, 1e6),
            mean_p_off_target: r(t.mean_p_off, 1e6),
            x_points_short: r(t.x_points_short, 1e4),
            content_items_off: t.content_items_off,
            point_repeats: t.point_repeats,
        },
        weights: QualityWeights {
            function: assemble::W_FUNCTION,
            difficulty: assemble::W_DIFFICULTY,
            mean_p: assemble::W_MEAN_P,
            x: assemble::W_X,
        },
        search: SearchStats {
            chains: q.search.chains,
            moves: q.search.moves,
            reached_bound: q.search.reached_bound,
        },
    }
}

/// A value as compact JSON with sorted keys (numbers as JSON writes them: `100.0`, `0.66`), the
/// way the report's text has always shown them.
pub(crate) fn js(v: &impl Serialize) -> String {
    serde_json::to_value(v)
        .expect("report values serialise")
        .to_string()
}

/// Human text of a report.
pub fn report_text(built: &Built, report: &QualityReport) -> String {
    report_text_as(built, report, false)
}

/// The report as a sitting writes it beside its sealed packages, in clear: practical and
/// defence sets by counts only (no drawn task or topic, its minutes or 工种, which would narrow
/// down what an unreleased package holds).
pub fn public_report_text(built: &Built, report: &QualityReport) -> String {
    report_text_as(built, report, true)
}

fn report_text_as(built: &Built, report: &QualityReport, public: bool) -> String {
    let mut s = format!(
        "组卷方案 {}（{} {}）\n",
        built.blueprint.id, built.blueprint.occupation, built.blueprint.level
    );
    match report {
        QualityReport::Theory(rep) => {
            if let Some(a) = &built.allocation {
                s += &a.render();
            }
            for f in &rep.forms {
                s += &format!(
                    "第 {} 套：{} 题，{} 分，平均 p 值 {}，难度分布（占分 %）{}，X 类鉴定点占分 {}%，鉴定点 {}/{}\n",
                    f.form,
                    f.items,
                    js(&f.points),
                    js(&f.mean_p),
                    js(&f.difficulty_percent_of_points),
                    js(&f.x_percent_of_points),
                    f.points_covered,
                    f.points_at_level
                );
            }
            s += &format!("各套平均 p 值极差：{}\n", js(&rep.mean_p_spread));
            if let Some(q) = &rep.quality {
                let t = &q.terms;
                s += &format!(
                    "均衡：目标值 {} = {}·D1 {}（比重表）+ {}·D2 {}（难度结构）+ {}·D3 {}（平均 p 值极差）{}；下界 {}，差距 {}{}\n",
                    js(&q.objective),
                    assemble::W_FUNCTION,
                    js(&t.function_points_off),
                    assemble::W_DIFFICULTY,
                    js(&t.difficulty_points_off),
                    assemble::W_MEAN_P,
                    js(&t.mean_p_spread),
                    if t.x_points_short > 0.0 || t.mean_p_off_target > 0.0 {
                        format!(
                            " + X 类不足 {} + 平均 p 值偏离目标 {}",
                            js(&t.x_points_short),
                            js(&t.mean_p_off_target)
                        )
                    } else {
                        String::new()
                    },
                    js(&q.lower_bound),
                    js(&q.gap),
                    if q.proven_optimal {
                        "（已证最优）"
                    } else {
                        ""
                    }
                );
                s += &format!(
                    "工作内容分配共偏离 {} 题，同一鉴定点重复 {} 对；搜索：{} 条链共 {} 步\n",
                    t.content_items_off, t.point_repeats, q.search.chains, q.search.moves
                );
            }
        }
        QualityReport::Practical(rep) if public => {
            for f in &rep.sets {
                s += &format!(
                    "第 {} 套：{} 个模块，{} 道答辩题目，在 {} 分钟限时之内\n",
                    f.form,
                    f.modules.len(),
                    f.defence.len(),
                    f.limit
                );
            }
        }
        QualityReport::Practical(rep) => {
            for f in &rep.sets {
                s += &format!(
                    "第 {} 套：用时 {} 分钟（限时 {} 分钟），模块 {}，工种 {}，答辩 {}\n",
                    f.form,
                    f.task_minutes,
                    f.limit,
                    js(&f.modules),
                    js(&f.work_types),
                    js(&f.defence)
                );
            }
        }
    }
    s += "套间重复（两套共有的条目数）：\n";
    for row in report.overlap() {
        s += &format!(
            "  {}\n",
            row.iter().map(|v| format!("{v:>4}")).collect::<String>()
        );
    }
    s
}
