//! `qbank analysis FILES… [--report OUT.html]`, `qbank item suspend|reinstate`

use crate::cli::{Global, ItemCommand};
use qbank::analysis::Thresholds;
use qbank::model::Status;
use qbank::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn run(
    g: &Global,
    files: &[PathBuf],
    sittings: &[String],
    report: Option<&Path>,
    t: Thresholds,
) -> Result<ExitCode> {
    let cfg = g.store()?;
    let a = qbank::ops::analysis::run(&cfg, files, sittings, &t)?;
    if let Some(out) = report {
        qbank::ops::analysis::write_report(out, &a)?;
    }
    if g.json {
        crate::output::json(&a);
        return Ok(ExitCode::SUCCESS);
    }
    for (file, encoding) in &a.encodings {
        crate::outln!("已读取 {file}（{encoding}）");
    }
    crate::outln!(
        "已分析 {} 个文件、{} 名考生、{} 个试题版本",
        a.files,
        a.candidates,
        a.report.items.len()
    );
    for f in &a.report.forms {
        crate::outln!(
            "  {}：考生 {} 名，平均分 {:.1}/{}（标准差 {:.1}），信度 α {}",
            f.form,
            f.candidates,
            f.mean,
            f.max_total,
            f.sd,
            f.alpha.map_or("—".into(), |x| format!("{x:.3}"))
        );
    }
    let flagged: Vec<_> = a
        .report
        .items
        .iter()
        .filter(|i| !i.flags.is_empty())
        .collect();
    crate::outln!("{} 个试题版本被标记待复核：", flagged.len());
    for i in flagged {
        crate::outln!(
            "  {} 第 {} 版  p {}  D {}  {}",
            i.id,
            i.version,
            i.p.map_or("—".into(), |x| format!("{x:.2}")),
            i.d.map_or("—".into(), |x| format!("{x:.2}")),
            i.flags
                .iter()
                .map(qbank::analysis::flag_text)
                .collect::<Vec<_>>()
                .join("；")
        );
    }
    if let Some(out) = report {
        crate::outln!("分析报告 {}", out.display());
    }
    Ok(ExitCode::SUCCESS)
}

pub fn item(g: &Global, c: ItemCommand) -> Result<ExitCode> {
    let (id, to, reason) = match c {
        ItemCommand::Suspend { id, reason } => (id, Status::Suspended, reason),
        ItemCommand::Reinstate { id, reason, status } => {
            let to = match status.as_str() {
                "active" => Status::Active,
                "pilot" => Status::Pilot,
                s => {
                    return Err(Error::Usage(format!(
                        "--status `{s}`：请给出 active（在用）或 pilot（试测）"
                    )));
                }
            };
            (id, to, reason)
        }
    };
    let r = qbank::ops::set_entry_status(&g.store()?, &id, to, &reason)?;
    if g.json {
        crate::output::json(&r);
    } else {
        crate::outln!(
            "{} {} → {}（第 {} 版）；用旧版本组成的试卷仍可验证",
            r.id,
            r.from.name(),
            r.to.name(),
            r.version
        );
    }
    Ok(ExitCode::SUCCESS)
}
