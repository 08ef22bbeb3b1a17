//! The 双向细目表: how many items of each section go to each weighted row (基本要求 J.1/J.2 and
//! each 职业功能) and, below a function, to each 工作内容.
//!
//! Rounding rule (deterministic): per section, Hamilton (largest remainder) apportionment of its
//! count over the rows by theory weight, capped by the eligible items each row has; then a local
//! search moves single items between rows (best move first; ties by section, then row order) while
//! that lowers Σ|row points − row weight|. Inside a function, a row's count is apportioned over its
//! 工作内容 by the number of 鉴定点 that have eligible items of the type (largest remainder, capped).

use super::{Infeasible, apportion};
use crate::model::{Grade, ItemType, Section, Standard, standard_function};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AllocContent {
    pub code: String,
    pub name: String,
    /// Items per section, in section order.
    pub counts: Vec<u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AllocRow {
    /// `J.1`, `J.2` or a function code.
    pub row: String,
    pub name: String,
    pub weight: u8,
    pub points: f64,
    pub counts: Vec<u32>,
    pub contents: Vec<AllocContent>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Allocation {
    pub sections: Vec<Section>,
    pub rows: Vec<AllocRow>,
}

impl Allocation {
    /// (content code, section index, count) for every non-empty cell, in table order.
    pub fn cells(&self) -> Vec<(String, usize, u32)> {
        let mut out = Vec::new();
        for r in &self.rows {
            for c in &r.contents {
                for (s, &n) in c.counts.iter().enumerate() {
                    if n > 0 {
                        out.push((c.code.clone(), s, n));
                    }
                }
            }
        }
        out
    }

    /// The table as text: rows, contents, counts per type, points against weight.
    pub fn render(&self) -> String {
        use crate::text::{left, right};
        let mut s = String::from("双向细目表\n");
        let head: Vec<String> = self
            .sections
            .iter()
            .map(|x| format!("{}×{}", x.item_type, x.points))
            .collect();
        // the first column as wide as its widest name, by display width (CJK counts two)
        let names: Vec<String> = self
            .rows
            .iter()
            .flat_map(|r| {
                std::iter::once(format!("{} {}", r.row, r.name)).chain(
                    r.contents
                        .iter()
                        .map(|c| format!("  {} {}", c.code, c.name)),
                )
            })
            .collect();
        let w = names
            .iter()
            .map(|n| crate::text::width(n))
            .chain([crate::text::width("职业功能 / 工作内容"), 34])
            .max()
            .unwrap_or(34);
        let cell = |v: &str| right(v, 9);
        s += &format!(
            "{} {} {} {}\n",
            left("职业功能 / 工作内容", w),
            head.iter().map(|h| cell(h)).collect::<String>(),
            right("配分", 7),
            right("比重", 6)
        );
        for r in &self.rows {
            let counts: String = r.counts.iter().map(|n| cell(&n.to_string())).collect();
            s += &format!(
                "{} {counts} {} {}\n",
                left(&format!("{} {}", r.row, r.name), w),
                right(&r.points.to_string(), 7),
                right(&format!("{}%", r.weight), 6)
            );
            if r.contents.len() > 1 || r.contents.first().is_some_and(|c| c.code != r.row) {
                for c in &r.contents {
                    let counts: String = c.counts.iter().map(|n| cell(&n.to_string())).collect();
                    s += &format!(
                        "{} {counts}\n",
                        left(&format!("  {} {}", c.code, c.name), w)
                    );
                }
            }
        }
        let totals: String = self
            .sections
            .iter()
            .map(|x| cell(&x.count.to_string()))
            .collect();
        s += &format!(
            "{} {totals} {}\n",
            left("合计", w),
            right(
                &self.rows.iter().map(|r| r.points).sum::<f64>().to_string(),
                7
            )
        );
        s
    }
}

/// Eligible items per (content code, type), and per (content code, type) the number of 鉴定点
/// that have at least one.
pub type Capacity = BTreeMap<(String, ItemType), (u32, u32)>;

pub fn allocate(
    std: &Standard,
    level: Grade,
    sections: &[Section],
    cap: &Capacity,
    blueprint: &str,
) -> Result<Allocation, Infeasible> {
    let fail = |reasons: Vec<String>| Infeasible {
        blueprint: blueprint.to_string(),
        at: String::new(),
        reasons,
    };
    // Rows: weighted theory rows at this level, with their contents.
    struct Row<'a> {
        code: &'a str,
        name: String,
        weight: u8,
        contents: Vec<(&'a str, &'a str)>,
    }
    let mut rows: Vec<Row> = Vec::new();
    for r in &std.theory_weights.rows {
        let Some(w) = std
            .weight(&std.theory_weights, &r.row, level)
            .filter(|w| *w > 0)
        else {
            continue;
        };
        let (name, contents): (String, Vec<(&str, &str)>) = if r.row.starts_with("J.") {
            let c = std
                .contents
                .iter()
                .find(|c| c.code == r.row)
                .map_or("", |c| c.name.as_str());
            (c.to_string(), vec![(r.row.as_str(), c)])
        } else {
            let f = std.function(&r.row).map_or("", |f| f.name.as_str());
            let cs = std
                .contents
                .iter()
                .filter(|c| {
                    c.level.is_none_or(|l| level == l) && standard_function(&c.code) == r.row
                })
                .map(|c| (c.code.as_str(), c.name.as_str()))
                .collect();
            (f.to_string(), cs)
        };
        rows.push(Row {
            code: &r.row,
            name,
            weight: w,
            contents,
        });
    }
    let cap_of = |content: &str, t: ItemType| {
        cap.get(&(content.to_string(), t))
            .copied()
            .unwrap_or((0, 0))
    };
    let row_cap =
        |r: &Row, t: ItemType| r.contents.iter().map(|(c, _)| cap_of(c, t).0).sum::<u32>();

    // a. Hamilton per section.
    let mut n: Vec<Vec<u32>> = vec![vec![0; sections.len()]; rows.len()];
    let mut reasons = Vec::new();
    for (s, sec) in sections.iter().enumerate() {
        let weights: Vec<f64> = rows.iter().map(|r| f64::from(r.weight)).collect();
        let caps: Vec<u32> = rows.iter().map(|r| row_cap(r, sec.item_type)).collect();
        match apportion(sec.count, &weights, &caps) {
            Some(v) => v.into_iter().enumerate().for_each(|(r, k)| n[r][s] = k),
            None => reasons.push(format!(
                "section {} needs {} items; the bank has only {} eligible {} items at {} ({})",
                sec.item_type,
                sec.count,
                caps.iter().sum::<u32>(),
                sec.item_type,
                level.grade_name(),
                rows.iter()
                    .zip(&caps)
                    .map(|(r, c)| format!("{} {c}", r.code))
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }
    }
    if !reasons.is_empty() {
        return Err(fail(reasons));
    }
    // b. Local search on row points.
    let total: f64 = sections.iter().map(|s| f64::from(s.count) * s.points).sum();
    let target: Vec<f64> = rows
        .iter()
        .map(|r| total * f64::from(r.weight) / 100.0)
        .collect();
    let points = |n: &Vec<Vec<u32>>, r: usize| -> f64 {
        sections
            .iter()
            .enumerate()
            .map(|(s, x)| f64::from(n[r][s]) * x.points)
            .sum()
    };
    for _ in 0..10_000 {
        let err: Vec<f64> = (0..rows.len()).map(|r| points(&n, r) - target[r]).collect();
        let mut best: Option<(f64, usize, usize, usize)> = None;
        for (s, sec) in sections.iter().enumerate() {
            for a in 0..rows.len() {
                if n[a][s] == 0 {
                    continue;
                }
                for b in 0..rows.len() {
                    if a == b || n[b][s] >= row_cap(&rows[b], sec.item_type) {
                        continue;
                    }
                    let before = err[a].abs() + err[b].abs();
                    let after = (err[a] - sec.points).abs() + (err[b] + sec.points).abs();
                    let gain = before - after;
                    if gain > 1e-9 && best.is_none_or(|(g, ..)| gain > g + 1e-12) {
                        best = Some((gain, s, a, b));
                    }
                }
            }
        }
        let Some((_, s, a, b)) = best else { break };
        n[a][s] -= 1;
        n[b][s] += 1;
    }
    // c. Split rows over their contents.
    let mut out_rows = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        let mut contents: Vec<AllocContent> = row
            .contents
            .iter()
            .map(|(c, name)| AllocContent {
                code: c.to_string(),
                name: name.to_string(),
                counts: vec![0; sections.len()],
            })
            .collect();
        for (s, sec) in sections.iter().enumerate() {
            let caps: Vec<u32> = row
                .contents
                .iter()
                .map(|(c, _)| cap_of(c, sec.item_type).0)
                .collect();
            let weights: Vec<f64> = row
                .contents
                .iter()
                .map(|(c, _)| f64::from(cap_of(c, sec.item_type).1))
                .collect();
            let split = apportion(n[r][s], &weights, &caps).expect("row capacity covers its count");
            for (c, k) in split.into_iter().enumerate() {
                contents[c].counts[s] = k;
            }
        }
        out_rows.push(AllocRow {
            row: row.code.to_string(),
            name: row.name.clone(),
            weight: row.weight,
            points: points(&n, r),
            counts: n[r].clone(),
            contents,
        });
    }
    Ok(Allocation {
        sections: sections.to_vec(),
        rows: out_rows,
    })
}
