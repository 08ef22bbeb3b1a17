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
            "wrote {files} file(s) to {} (decrypted: keep them as safe as the key)",
            out.display()
        );
        crate::outln!("bank digest {digest}");
    }
    Ok(ExitCode::SUCCESS)
}
