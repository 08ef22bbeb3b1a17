//! `qbank check PATH...`

use crate::cli::Global;
use qbank::Result;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn exec(g: &Global, paths: &[PathBuf]) -> Result<ExitCode> {
    let r = qbank::ops::check(paths)?;
    if g.json {
        crate::output::json(&r);
    } else {
        for d in &r.problems {
            crate::outln!("{d}");
        }
        crate::output::warnings(&r.warnings);
        crate::outln!(
            "已检查 {} 个文件、{} 个标准、{} 个条目：问题 {} 个，警告 {} 个",
            r.files,
            r.standards,
            r.entries,
            r.problems.len(),
            r.warnings.len()
        );
    }
    Ok(if r.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
