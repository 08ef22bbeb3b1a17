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
                    "issued     {copy} ({} form {}): exactly what the sitting's record holds",
                    v.blueprint,
                    v.form
                );
            } else if v.identical {
                crate::outln!("identical  {} form {}", v.blueprint, v.form);
            } else if v.genuine {
                crate::outln!(
                    "genuine    {} form {}: exactly its recorded entry versions; the bank has changed since, so a rebuild now draws differently",
                    v.blueprint,
                    v.form
                );
            } else {
                crate::outln!("DIFFERENT  {} form {}", v.blueprint, v.form);
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
