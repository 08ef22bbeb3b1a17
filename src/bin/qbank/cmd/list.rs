//! `qbank list [filters]`

use crate::cli::{Global, ListArgs};
use qbank::model::{EntryKind, Grade, ItemType, OccupationCode, Status};
use qbank::ops::ListFilter;
use qbank::{Error, Result};
use std::process::ExitCode;

fn parsed<T>(v: &Option<String>, what: &str, f: impl Fn(&str) -> Option<T>) -> Result<Option<T>> {
    v.as_deref()
        .map(|s| f(s).ok_or_else(|| Error::Usage(format!("`{s}` is not a valid {what}"))))
        .transpose()
}

pub fn exec(g: &Global, a: &ListArgs) -> Result<ExitCode> {
    let filter = ListFilter {
        occupation: parsed(
            &a.occupation,
            "occupation code (e.g. 6-31-01-03)",
            OccupationCode::parse,
        )?,
        level: parsed(
            &a.level,
            "level (5..1, 四级, 中级工, or zx for 专项职业能力)",
            Grade::parse,
        )?,
        clause: a.clause.clone(),
        item_type: parsed(
            &a.item_type,
            "type (判断 单选 多选 填空 简答 计算 论述)",
            ItemType::parse,
        )?,
        kind: parsed(&a.kind, "kind (item, task, defence)", EntryKind::parse)?,
        status: parsed(
            &a.status,
            "status (draft pilot active suspended retired)",
            Status::parse,
        )?,
    };
    let rows = qbank::ops::list(&g.store()?, &filter)?;
    if g.json {
        let v: Vec<_> = rows
            .iter()
            .map(|r| {
                let mut j = serde_json::to_value(r).expect("index serialises");
                j["difficulty"] = serde_json::to_value(r.meta.difficulty).expect("serialises");
                j
            })
            .collect();
        crate::output::json(&v);
    } else {
        crate::outln!("id             ver occupation  level  clause   type status    difficulty");
        for r in &rows {
            crate::outln!(
                "{:<14} {:>3} {:<11} {:<6} {:<8} {:<4} {:<9} {}",
                r.id,
                r.version,
                r.occupation.to_string(),
                r.level.level().map_or("专项", |l| l.grade_name()),
                r.clause,
                r.type_label,
                r.status.as_str(),
                r.meta.difficulty.map_or("", |d| d.as_str())
            );
        }
        crate::outln!("{} entr(ies)", rows.len());
    }
    Ok(ExitCode::SUCCESS)
}
