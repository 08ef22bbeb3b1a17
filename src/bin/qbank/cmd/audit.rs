//! `qbank audit list`, `qbank audit verify`

use crate::cli::{AuditCommand, Global};
use qbank::{Error, Result};
use std::process::ExitCode;

pub fn exec(g: &Global, c: AuditCommand) -> Result<ExitCode> {
    let cfg = g.store()?;
    // `verify` reports records that are not those the header names among its problems rather
    // than refusing to open the store over them
    let vault = match &c {
        AuditCommand::Verify { .. } => cfg.open_for_verify()?,
        AuditCommand::List { .. } => cfg.open()?,
    };
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
                    let who = match &e.signer {
                        Some(s) => format!("{}（签名 {}）", e.actor, s.key),
                        None => e.actor.clone(),
                    };
                    crate::outln!(
                        "{:>6}  {}  {:<14} {:<12} {}",
                        e.seq,
                        e.time,
                        e.op,
                        who,
                        e.details
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Verify { anchor } => {
            let r = vault.verify_audit_anchored(&anchor)?;
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
                    if r.signed > 0 {
                        crate::outln!(
                            "人员签名：{} 条由登记人员以个人密钥签名，均已验证",
                            r.signed
                        );
                    }
                    if let Some(newest) = r.anchors.iter().map(|a| a.checkpoint.seq).max() {
                        crate::outln!(
                            "锚点一致：{} 个已签发文件所记的审计检查点都在日志中（最新为第 {newest} 条）",
                            r.anchors.len()
                        );
                    }
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
