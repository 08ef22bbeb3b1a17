//! `qbank pdf`: prints opened documents to A4 PDFs with headless Chromium.

use crate::cli::Global;
use qbank::Result;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn exec(g: &Global, paths: &[PathBuf]) -> Result<ExitCode> {
    let r = qbank::ops::pdf::print_all(paths)?;
    if g.json {
        crate::output::json(&r);
    } else {
        for p in &r.printed {
            crate::outln!("已打印 {}", p.display());
        }
        crate::outln!(
            "PDF：新打印 {} 份，{} 份已是最新",
            r.printed.len(),
            r.current.len()
        );
    }
    Ok(ExitCode::SUCCESS)
}
