//! `qbank init`

use crate::cli::Global;
use qbank::Result;
use qbank::store::KeySource;
use std::process::ExitCode;

pub fn exec(g: &Global) -> Result<ExitCode> {
    let cfg = g.store()?;
    qbank::ops::init(&cfg)?;
    let how = match &cfg.key {
        KeySource::File(p) => format!("key file {}", p.display()),
        KeySource::Passphrase(_) => "the passphrase in QBANK_PASSPHRASE".to_string(),
    };
    if g.json {
        crate::output::json(&serde_json::json!({ "store": cfg.dir, "created": true }));
    } else {
        crate::outln!("created store {} protected by {how}", cfg.dir.display());
        crate::outln!(
            "keep the key apart from the store (e.g. on removable media): without it the bank cannot be read"
        );
    }
    Ok(ExitCode::SUCCESS)
}
