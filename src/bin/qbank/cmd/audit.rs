//! `qbank audit list`, `qbank audit verify`

use crate::cli::{AuditCommand, Global};
use qbank::ops::audit;
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
                let mut rows = vec![
                    ["序号", "时间", "操作", "操作人", "详情"]
                        .map(String::from)
                        .to_vec(),
                ];
                for e in &all {
                    let who = match &e.signer {
                        Some(s) => format!("{}（签名密钥 {}）", e.actor, s.key),
                        None => format!("{}（未签名）", e.actor),
                    };
                    rows.push(vec![
                        e.seq.to_string(),
                        e.time.clone(),
                        audit::op_name(&e.op).to_string(),
                        who,
                        audit::details_line(e),
                    ]);
                }
                for l in qbank::text::table(&rows, &[0]) {
                    crate::outln!("{l}");
                }
                crate::outln!("共 {} 条审计记录", all.len());
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
                        "审计日志完整：共 {} 条，链接与签名均已验证；最新为第 {} 条 {}",
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
                    "发现 {} 个问题：\n  {}",
                    r.problems.len(),
                    r.problems.join("\n  ")
                )))
            }
        }
    }
}
