//! `qbank show ID [--version N]`

use crate::cli::Global;
use qbank::Result;
use qbank::model::{Answer, Entry};
use std::process::ExitCode;

pub fn exec(g: &Global, id: &str, version: Option<u32>) -> Result<ExitCode> {
    let (e, versions) = qbank::ops::show(&g.store()?, id, version)?;
    if g.json {
        crate::output::json(&serde_json::json!({ "entry": e, "versions": versions }));
        return Ok(ExitCode::SUCCESS);
    }
    let vs: Vec<String> = versions.iter().map(u32::to_string).collect();
    crate::outln!(
        "{} 第 {} 版（库中版本：{}）",
        e.id(),
        e.version(),
        vs.join("、")
    );
    print_entry(&e);
    Ok(ExitCode::SUCCESS)
}

/// An entry's fields, labelled, as `show` and `review show` print them.
pub fn print_entry(e: &Entry) {
    crate::outln!(
        "职业 {} · 等级 {} · 鉴定点 {} · 状态 {}",
        e.occupation(),
        e.level(),
        e.clause(),
        e.status().name()
    );
    match e {
        Entry::Item(i) => {
            crate::outln!(
                "[{}] 难度 {}{}",
                i.item_type,
                i.difficulty.name(),
                i.p.map_or(String::new(), |p| format!("（难度值 p ≈ {p}）"))
            );
            crate::outln!("{}", i.stem);
            for (n, o) in i.options.iter().enumerate() {
                crate::outln!("  {}. {o}", (b'A' + n as u8) as char);
            }
            match &i.answer {
                Answer::Text(t) => crate::outln!("答案：{t}"),
                Answer::Blanks(b) => crate::outln!("答案：{}", b.join("；")),
            }
            for s in &i.scheme {
                crate::outln!("  评分：{}（{} 分）", s.step, s.marks);
            }
            if let Some(x) = &i.explanation {
                crate::outln!("解析：{x}");
            }
        }
        Entry::Task(t) => {
            crate::outln!(
                "{} — {} 分钟，{} 分，模块 {}",
                t.title,
                t.minutes,
                t.points,
                t.modules.join("、")
            );
            crate::outln!("{}", t.text);
            crate::outln!("考场准备：");
            for s in &t.site {
                crate::outln!("  {} {} {}", s.name, s.spec, s.qty);
            }
            crate::outln!("考生准备：{}", t.candidate.join("、"));
            crate::outln!("评分要素：");
            for r in &t.rubric {
                crate::outln!("  {}（{} 分）：{}", r.element, r.points, r.criteria);
            }
        }
        Entry::Defence(d) => {
            crate::outln!("答辩题目：{}", d.topic);
            for r in &d.reference {
                crate::outln!("  - {r}");
            }
        }
    }
    if !e.cites().is_empty() {
        crate::outln!("依据标准：{}", e.cites().join("；"));
    }
}
