//! `qbank verify DIR-or-PAPER`

use crate::cli::Global;
use qbank::Result;
use std::path::Path;
use std::process::ExitCode;

pub fn exec(g: &Global, path: &Path) -> Result<ExitCode> {
    let verdicts = qbank::ops::verify(&g.store()?, path)?;
    let all = verdicts.iter().all(|v| v.identical || v.genuine);
    if g.json {
        crate::output::json(&verdicts);
    } else {
        for v in &verdicts {
            if let (Some(copy), true) = (&v.copy, v.identical) {
                crate::outln!(
                    "已签发  {copy}（{} 第 {} 套）：与考试批次记录完全一致",
                    v.blueprint,
                    v.form
                );
            } else if v.identical {
                crate::outln!("一致    {} 第 {} 套", v.blueprint, v.form);
            } else if v.genuine {
                crate::outln!(
                    "真实    {} 第 {} 套：与所记录的条目版本完全一致；题库此后有变，现在重新组卷会抽到不同的题",
                    v.blueprint,
                    v.form
                );
            } else {
                crate::outln!("不一致  {} 第 {} 套", v.blueprint, v.form);
                for d in &v.differences {
                    crate::outln!("    {d}");
                }
            }
        }
    }
    Ok(if all {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
