//! `qbank gen --items N --out DIR`

use crate::cli::Global;
use qbank::Result;
use qbank::synth::SynthConfig;
use std::path::Path;
use std::process::ExitCode;

pub fn exec(
    g: &Global,
    items: usize,
    seed: u64,
    occupations: Option<usize>,
    tasks_per_level: usize,
    out: &Path,
) -> Result<ExitCode> {
    let mut cfg = SynthConfig::sized(items, seed);
    if let Some(o) = occupations {
        cfg.occupations = o.max(1);
    }
    cfg.tasks_per_level = tasks_per_level;
    let files = qbank::ops::generate(out, &cfg)?;
    if g.json {
        crate::output::json(
            &serde_json::json!({ "out": out, "files": files, "items": items, "occupations": cfg.occupations }),
        );
    } else {
        crate::outln!(
            "已生成合成题库（仅供规模测试）：{items} 道试题，{} 个职业，{files} 个文件，写入 {}",
            cfg.occupations,
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
