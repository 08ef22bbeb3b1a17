//! `qbank export --out DIR`

use crate::cli::Global;
use crate::output::Bar;
use qbank::Result;
use std::path::Path;
use std::process::ExitCode;

pub fn exec(g: &Global, out: &Path) -> Result<ExitCode> {
    let cfg = g.store()?;
    let (files, digest) = qbank::ops::export(&cfg, out, &Bar::new())?;
    if g.json {
        crate::output::json(
            &serde_json::json!({ "out": out, "files": files, "digest": digest.to_string() }),
        );
    } else {
        crate::outln!(
            "已将 {files} 个文件写入 {}（已解密的明文：请像保管密钥一样保管）",
            out.display()
        );
        crate::outln!("题库摘要 {digest}");
    }
    Ok(ExitCode::SUCCESS)
}
