//! `qbank audit list`, `qbank audit verify`

use crate::cli::{AuditCommand, Global};
use qbank::{Error, Result};
use std::process::ExitCode;

pub fn exec(g: &Global, c: AuditCommand) -> Result<ExitCode> {
    let vault = g.store()?.open()?;
    match c {
        AuditCommand::List { last } => {
            let mut all = vault.audit_entries()?;
            if let Some(n) = last {
                all = all.split_off(all.len().saturating_sub(n));
            }
            if g.json {
                crate::output::json(&all);
            } else {
                for e in &all {
                    crate::outln!(
                        "{:>6}  {}  {:<14} {:<12} {}",
                        e.seq,
                        e.time,
                        e.op,
                        e.actor,
                        e.details
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Verify => {
            let r = vault.verify_audit()?;
            if g.json {
                crate::output::json(&r);
            }
            if r.problems.is_empty() {
                if !g.json {
                    crate::outln!(
                        "audit log intact: {} entries, chained and signed; head {} {}",
                        r.entries,
                        r.head.seq,
                        r.head.hash
                    );
                }
                Ok(ExitCode::SUCCESS)
            } else {
                Err(Error::Audit(format!(
                    "{} problem(s):\n  {}",
                    r.problems.len(),
                    r.problems.join("\n  ")
                )))
            }
        }
    }
}
