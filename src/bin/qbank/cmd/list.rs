//! `qbank list [filters]`

use crate::cli::{Global, ListArgs};
use qbank::model::{EntryKind, Grade, ItemType, OccupationCode, Status};
use qbank::ops::ListFilter;
use qbank::{Error, Result};
use std::process::ExitCode;

fn parsed<T>(v: &Option<String>, what: &str, f: impl Fn(&str) -> Option<T>) -> Result<Option<T>> {
    v.as_deref()
        .map(|s| f(s).ok_or_else(|| Error::Usage(format!("`{s}` 不是有效的{what}"))))
        .transpose()
}

pub fn exec(g: &Global, a: &ListArgs) -> Result<ExitCode> {
    let filter = ListFilter {
        occupation: parsed(
            &a.occupation,
            "职业编码（如 6-31-01-03）",
            OccupationCode::parse,
        )?,
        level: parsed(
            &a.level,
            "等级（5..1、四级、中级工，专项职业能力为 zx）",
            Grade::parse,
        )?,
        clause: a.clause.clone(),
        item_type: parsed(
            &a.item_type,
            "题型（判断 单选 多选 填空 简答 计算 论述）",
            ItemType::parse,
        )?,
        kind: parsed(
            &a.kind,
            "条目类别（item 理论试题、task 操作技能试题、defence 答辩题目）",
            EntryKind::parse,
        )?,
        status: parsed(
            &a.status,
            "状态（draft 草稿、pilot 试测、active 在用、suspended 暂停使用、retired 停用）",
            |s| Status::parse(s).or_else(|| Status::ALL.iter().copied().find(|x| x.name() == s)),
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
        let mut table = vec![
            [
                "编号",
                "版本",
                "职业编码",
                "等级",
                "鉴定点",
                "题型",
                "状态",
                "难度",
            ]
            .map(String::from)
            .to_vec(),
        ];
        for r in &rows {
            table.push(vec![
                r.id.clone(),
                r.version.to_string(),
                r.occupation.to_string(),
                r.level.to_string(),
                r.clause.clone(),
                r.type_label.clone(),
                r.status.name().to_string(),
                r.meta
                    .difficulty
                    .map_or(String::new(), |d| d.name().to_string()),
            ]);
        }
        for l in qbank::text::table(&table, &[1]) {
            crate::outln!("{l}");
        }
        crate::outln!("共 {} 条", rows.len());
    }
    Ok(ExitCode::SUCCESS)
}
