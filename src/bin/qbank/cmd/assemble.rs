//! `qbank assemble BLUEPRINT... --seed S --out DIR [--forms N]`

use crate::cli::Global;
use crate::output::Bar;
use qbank::{Error, Result};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub fn exec(
    g: &Global,
    blueprints: &[PathBuf],
    seed: Option<u64>,
    forms: Option<u32>,
    out: &Path,
    replace: bool,
) -> Result<ExitCode> {
    let seed = match seed {
        Some(s) => s,
        None => {
            let mut b = [0u8; 8];
            getrandom::fill(&mut b).map_err(|e| Error::Crypto(format!("OS randomness: {e}")))?;
            u64::from_be_bytes(b) >> 11 // keep it short enough to read out and type back
        }
    };
    let r = qbank::ops::assemble(
        &g.store()?,
        blueprints,
        seed,
        forms,
        out,
        replace,
        &Bar::new(),
    )?;
    if g.json {
        crate::output::json(&r);
        return Ok(ExitCode::SUCCESS);
    }
    crate::outln!("seed {} · bank {}", r.seed, r.bank_digest);
    for b in &r.blueprints {
        let detail = match b.report["kind"].as_str() {
            Some("theory") => format!(
                "mean p {} (spread {}), overlap max {}",
                b.report["forms"]
                    .as_array()
                    .map(|f| f
                        .iter()
                        .map(|x| x["mean_p"].to_string())
                        .collect::<Vec<_>>()
                        .join(" / "))
                    .unwrap_or_default(),
                b.report["mean_p_spread"],
                max_off_diagonal(&b.report["overlap"])
            ),
            _ => format!("overlap max {}", max_off_diagonal(&b.report["overlap"])),
        };
        crate::outln!(
            "{}: {} form(s) in {}/{} — {detail}",
            b.id,
            b.forms,
            r.out.display(),
            b.dir
        );
    }
    crate::outln!(
        "papers and answer keys are decrypted files: keep {} as safe as the key",
        r.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn max_off_diagonal(m: &serde_json::Value) -> u64 {
    let rows = m.as_array().cloned().unwrap_or_default();
    let mut max = 0;
    for (i, r) in rows.iter().enumerate() {
        for (j, v) in r.as_array().cloned().unwrap_or_default().iter().enumerate() {
            if i != j {
                max = max.max(v.as_u64().unwrap_or(0));
            }
        }
    }
    max
}
