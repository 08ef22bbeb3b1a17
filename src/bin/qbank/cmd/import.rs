//! `qbank import [--init] PATH...`

use crate::cli::Global;
use crate::output::Bar;
use qbank::Result;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn exec(g: &Global, init: bool, paths: &[PathBuf]) -> Result<ExitCode> {
    let cfg = g.store()?;
    if init && !cfg.dir.join("db").exists() {
        qbank::ops::init(&cfg)?;
        if !g.json {
            crate::outln!("已创建存储 {}", cfg.dir.display());
        }
    }
    let out = qbank::ops::import(&cfg, paths, &Bar::new())?;
    if g.json {
        crate::output::json(&out);
    } else {
        crate::output::warnings(&out.warnings);
        let r = &out.report;
        crate::outln!(
            "已导入 {} 个文件：新增 {} 条，新版本 {} 条，未变 {} 条；标准写入 {} 个，未变 {} 个",
            out.files,
            r.added,
            r.new_versions,
            r.unchanged,
            r.standards_written,
            r.standards_unchanged
        );
        crate::outln!("题库摘要 {}", out.report.digest);
    }
    Ok(ExitCode::SUCCESS)
}
