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
    println!(
        "{} version {} (stored versions: {})",
        e.id(),
        e.version(),
        vs.join(", ")
    );
    println!(
        "{} {} clause {} status {}",
        e.occupation(),
        e.level(),
        e.clause(),
        e.status()
    );
    match &e {
        Entry::Item(i) => {
            println!(
                "[{}] difficulty {}{}",
                i.item_type,
                i.difficulty,
                i.p.map_or(String::new(), |p| format!(" (p ≈ {p})"))
            );
            println!("{}", i.stem);
            for (n, o) in i.options.iter().enumerate() {
                println!("  {}. {o}", (b'A' + n as u8) as char);
            }
            match &i.answer {
                Answer::Text(t) => println!("答案: {t}"),
                Answer::Blanks(b) => println!("答案: {}", b.join("；")),
            }
            for s in &i.scheme {
                println!("  评分: {} ({} 分)", s.step, s.marks);
            }
            if let Some(x) = &i.explanation {
                println!("解析: {x}");
            }
        }
        Entry::Task(t) => {
            println!(
                "{} — {} 分钟, {} 分, 模块 {}",
                t.title,
                t.minutes,
                t.points,
                t.modules.join(", ")
            );
            println!("{}", t.text);
            println!("考场准备:");
            for s in &t.site {
                println!("  {} {} {}", s.name, s.spec, s.qty);
            }
            println!("考生准备: {}", t.candidate.join("、"));
            println!("评分要素:");
            for r in &t.rubric {
                println!("  {} ({} 分): {}", r.element, r.points, r.criteria);
            }
        }
        Entry::Defence(d) => {
            println!("答辩题目: {}", d.topic);
            for r in &d.reference {
                println!("  - {r}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
