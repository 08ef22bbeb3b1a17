//! `qbank init`

use crate::cli::Global;
use qbank::Result;
use qbank::store::KeySource;
use std::process::ExitCode;

pub fn exec(g: &Global) -> Result<ExitCode> {
    let cfg = g.store()?;
    qbank::ops::init(&cfg)?;
    let how = match &cfg.key {
        KeySource::File(p) => format!("密钥文件 {}", p.display()),
        KeySource::Passphrase(_) => "环境变量 QBANK_PASSPHRASE 中的口令".to_string(),
    };
    if g.json {
        crate::output::json(&serde_json::json!({ "store": cfg.dir, "created": true }));
    } else {
        crate::outln!("已创建存储 {}，由{how}保护", cfg.dir.display());
        crate::outln!("请将密钥与存储分开保管（如存于移动介质）：没有密钥，题库将无法读取");
    }
    Ok(ExitCode::SUCCESS)
}
