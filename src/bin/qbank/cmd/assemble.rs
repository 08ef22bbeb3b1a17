//! `qbank assemble BLUEPRINT... --seed S --out DIR [--forms N]`

use crate::cli::Global;
use crate::output::Bar;
use qbank::document::QualityReport;
use qbank::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn exec(
    g: &Global,
    blueprints: &[PathBuf],
    seed: Option<u64>,
    forms: Option<u32>,
    out: &Path,
    replace: bool,
) -> Result<ExitCode> {
    let seed = match seed {
        Some(s) => s,
        None => {
            let mut b = [0u8; 8];
            getrandom::fill(&mut b).map_err(|e| Error::Crypto(format!("操作系统随机数：{e}")))?;
            u64::from_be_bytes(b) >> 11 // keep it short enough to read out and type back
        }
    };
    let r = qbank::ops::assemble(
        &g.store()?,
        blueprints,
        seed,
        forms,
        out,
        replace,
        &Bar::new(),
    )?;
    if g.json {
        crate::output::json(&r);
        return Ok(ExitCode::SUCCESS);
    }
    crate::outln!("种子 {} · 题库 {}", r.seed, r.bank_digest);
    for b in &r.blueprints {
        let detail = match &b.report {
            QualityReport::Theory(t) => format!(
                "平均 p 值 {}（极差 {}），套间最多重复 {} 题",
                t.forms
                    .iter()
                    .map(|f| js(&f.mean_p))
                    .collect::<Vec<_>>()
                    .join(" / "),
                js(&t.mean_p_spread),
                b.report.max_overlap()
            ),
            QualityReport::Practical(_) => format!("套间最多重复 {} 题", b.report.max_overlap()),
        };
        crate::outln!(
            "{}：{} 套，位于 {}/{} — {detail}",
            b.id,
            b.forms,
            r.out.display(),
            b.dir
        );
    }
    crate::outln!(
        "试卷和答案均为明文文件：请像保管密钥一样保管 {}",
        r.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// A number as JSON writes it (`0.66`, `1.0`), as this summary has always shown it.
fn js(x: &f64) -> String {
    serde_json::to_string(x).unwrap_or_default()
}
