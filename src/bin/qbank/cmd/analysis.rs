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
        crate::outln!("read {file} ({encoding})");
    }
    crate::outln!(
        "{} file(s), {} candidate(s), {} item version(s) analysed",
        a.files,
        a.candidates,
        a.report.items.len()
    );
    for f in &a.report.forms {
        crate::outln!(
            "  {}: {} candidates, mean {:.1}/{} (sd {:.1}), alpha {}",
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
    crate::outln!("{} item version(s) flagged for review:", flagged.len());
    for i in flagged {
        crate::outln!(
            "  {} v{}  p {}  D {}  {}",
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
        crate::outln!("report {}", out.display());
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
                        "--status `{s}`: give active or pilot"
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
            "{} {} → {} (version {}); papers drawn from earlier versions still verify",
            r.id,
            r.from.as_str(),
            r.to.as_str(),
            r.version
        );
    }
    Ok(ExitCode::SUCCESS)
}
