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
            crate::outln!("created store {}", cfg.dir.display());
        }
    }
    let out = qbank::ops::import(&cfg, paths, &Bar::new())?;
    if g.json {
        crate::output::json(&out);
    } else {
        crate::output::warnings(&out.warnings);
        let r = &out.report;
        crate::outln!(
            "imported {} file(s): {} new, {} new version(s), {} unchanged; {} standard(s) written, {} unchanged",
            out.files,
            r.added,
            r.new_versions,
            r.unchanged,
            r.standards_written,
            r.standards_unchanged
        );
        crate::outln!("bank digest {}", out.report.digest);
    }
    Ok(ExitCode::SUCCESS)
}
