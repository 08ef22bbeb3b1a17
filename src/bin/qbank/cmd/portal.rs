//! `qbank portal pin | outbox | inbox`: the vault's side of the exchange with the portal.

use crate::cli::{Global, PortalCommand};
use qbank::Result;
use qbank::ops::portal::{self, OutboxOptions};
use std::process::ExitCode;

pub fn exec(g: &Global, cmd: PortalCommand) -> Result<ExitCode> {
    let cfg = g.store()?;
    match cmd {
        PortalCommand::Pin { key, fingerprint } => {
            let p = portal::pin(&cfg, &key, &fingerprint)?;
            if g.json {
                crate::output::json(&p);
            } else if p.changed {
                crate::outln!("已固定门户签名公钥 {}", p.fingerprint);
            } else {
                crate::outln!("门户签名公钥 {} 已固定，无变化", p.fingerprint);
            }
        }
        PortalCommand::Outbox {
            out,
            packages,
            enrol,
            letters,
        } => {
            let o = portal::outbox(
                &cfg,
                &OutboxOptions {
                    out,
                    packages,
                    enrol,
                    letters,
                },
            )?;
            if g.json {
                crate::output::json(&o);
                return Ok(ExitCode::SUCCESS);
            }
            crate::outln!(
                "已写出第 {} 号发往门户的数据包 {}（{} 字节）：考试 {} 场、封装包 {} 个、发布 {} 份、上传处理结果 {} 条",
                o.seq,
                o.file.display(),
                o.bytes,
                o.sittings.len(),
                o.packages,
                o.releases,
                o.receipts
            );
            for s in &o.skipped {
                crate::outln!("  考试 {s}：所给文件夹中没有它的封装包，未包含");
            }
            for (org, letter) in &o.letters {
                crate::outln!(
                    "  机构 {org} 的管理员注册码已写入 {}（请以书面方式送达）",
                    letter.display()
                );
            }
        }
        PortalCommand::Inbox {
            file,
            threshold,
            report,
        } => {
            let o = portal::inbox(
                &cfg,
                &file,
                threshold,
                &qbank::analysis::Thresholds::default(),
            )?;
            if g.json {
                crate::output::json(&o);
                return Ok(ExitCode::SUCCESS);
            }
            if o.again {
                crate::outln!("第 {} 号回传包已导入过，无变化", o.seq);
                return Ok(ExitCode::SUCCESS);
            }
            let accepted = o.receipts.iter().filter(|r| r.accepted).count();
            crate::outln!(
                "已导入第 {} 号回传包：上传 {} 件，接收 {} 件，退回 {} 件",
                o.seq,
                o.receipts.len(),
                accepted,
                o.receipts.len() - accepted
            );
            for r in &o.receipts {
                crate::outln!(
                    "  第 {} 号（{}）：{}",
                    r.upload,
                    r.organisation,
                    r.message.lines().next().unwrap_or("")
                );
            }
            if let Some(a) = &o.analysis {
                if let Some(out) = &report {
                    qbank::ops::analysis::write_report(out, a)?;
                }
                crate::outln!(
                    "试题质量分析：{} 个文件、{} 名考生、{} 个试题版本",
                    a.files,
                    a.candidates,
                    a.report.items.len()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
