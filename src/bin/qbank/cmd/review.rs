//! `qbank submission seal|import`, `qbank review …`, `qbank feedback import`,
//! `qbank revise list|calibrate|ITEM --file F --reason R`

use crate::cli::{FeedbackCommand, Global, PersonCommand, ReviewCommand, SubmissionCommand};
use qbank::model::Status;
use qbank::ops::revise;
use qbank::ops::submission::{self, Decision, QueueStatus};
use qbank::{Error, Result};
use std::path::Path;
use std::process::ExitCode;

pub fn submission(g: &Global, c: SubmissionCommand) -> Result<ExitCode> {
    match c {
        SubmissionCommand::Seal {
            file,
            org_key,
            bureau_key,
            org,
            writer,
            out,
        } => {
            crate::cli::warn_key_file(&org_key);
            let with = submission::SealWith {
                org_key: &org_key,
                bureau_key: bureau_key.as_deref(),
                organisation: org.as_deref(),
            };
            let p = submission::seal(&file, with, &writer, &out)?;
            if g.json {
                crate::output::json(&serde_json::json!({ "sealed": p }));
            } else {
                crate::outln!(
                    "已加密给鉴定中心的公钥：{}（只有鉴定中心能打开；可邮寄或上传）",
                    p.display()
                );
            }
        }
        SubmissionCommand::Import {
            file,
            threshold,
            overlay,
        } => {
            let r = submission::import(&g.store()?, &file, threshold, overlay)?;
            if g.json {
                crate::output::json(&r);
            } else {
                crate::outln!(
                    "提交批次 {}（来自 {}）：{} 道试题已进入审核队列：{}",
                    r.submission,
                    r.organisation,
                    r.items.len(),
                    r.items.join(" ")
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn status_of(s: &str) -> Result<QueueStatus> {
    Ok(match s {
        "pending" | "待审核" => QueueStatus::Pending,
        "changes-requested" | "退回修改" => QueueStatus::ChangesRequested,
        "rejected" | "不予采用" => QueueStatus::Rejected,
        "accepted" | "已采用入库" => QueueStatus::Accepted,
        _ => {
            return Err(Error::Usage(format!(
                "--status `{s}`：请给出 pending（待审核）、changes-requested（退回修改）、rejected（不予采用）或 accepted（已采用入库）"
            )));
        }
    })
}

pub fn review(g: &Global, c: ReviewCommand) -> Result<ExitCode> {
    let cfg = g.store()?;
    let decide =
        |id: &str, reviewer: &Path, d: Decision, comment: &str, st: Status| -> Result<ExitCode> {
            crate::cli::warn_key_file(reviewer);
            let key = qbank::package::person::PersonSecret::read(reviewer)?;
            let r = submission::review(&cfg, id, &key, d, comment, st)?;
            if g.json {
                crate::output::json(&r);
            } else {
                match (r.status, r.entered_bank) {
                    (_, Some(s)) => crate::outln!(
                        "{}：已由 {} 审核采用 — 以第 1 版入库（{}）",
                        r.id,
                        r.accepted_by.join(" 和 "),
                        s.name()
                    ),
                    (QueueStatus::Pending, None) => crate::outln!(
                        "{}：{} 已审核采用；还须另一位审核员采用（四眼原则）",
                        r.id,
                        r.accepted_by.join("、")
                    ),
                    (s, None) => crate::outln!("{}：{}", r.id, s.name()),
                }
            }
            Ok(ExitCode::SUCCESS)
        };
    match c {
        ReviewCommand::List { status } => {
            let st = status.as_deref().map(status_of).transpose()?;
            let q = submission::queue(&cfg, st)?;
            if g.json {
                crate::output::json(&q);
            } else {
                let mut rows = vec![
                    [
                        "编号",
                        "提交批次",
                        "机构",
                        "职业",
                        "鉴定点",
                        "题型",
                        "状态",
                        "审核次数",
                    ]
                    .map(String::from)
                    .to_vec(),
                ];
                for i in &q {
                    rows.push(vec![
                        i.id.clone(),
                        i.submission.clone(),
                        i.organisation.clone(),
                        i.entry.occupation().to_string(),
                        i.entry.clause().to_string(),
                        i.entry.type_label().to_string(),
                        i.status.name().to_string(),
                        i.reviews.len().to_string(),
                    ]);
                }
                for l in qbank::text::table(&rows, &[7]) {
                    crate::outln!("{l}");
                }
                crate::outln!("共 {} 道试题", q.len());
            }
            Ok(ExitCode::SUCCESS)
        }
        ReviewCommand::Show { id } => {
            let q = submission::queued(&cfg, &id)?;
            if g.json {
                crate::output::json(&q);
            } else {
                crate::outln!("试题编号：{}", q.id);
                crate::outln!("审核状态：{}", q.status.name());
                crate::outln!("提交批次：{}", q.submission);
                crate::outln!("提交机构：{}", q.organisation);
                crate::outln!("命题人：  {}", q.writer);
                crate::outln!("来源位置：{}", q.origin);
                crate::outln!("收到时间：{}", q.received);
                crate::outln!("试题内容：");
                super::show::print_entry(&q.entry);
                if q.reviews.is_empty() {
                    crate::outln!("审核记录：尚无");
                } else {
                    crate::outln!("审核记录（{} 条）：", q.reviews.len());
                }
                for r in &q.reviews {
                    let signed = match &r.key {
                        Some(k) => format!("已签名，密钥 {k}"),
                        None => "未签名（身份登记前所记，不计入）".into(),
                    };
                    crate::outln!(
                        "  {} {} {}（{signed}）：{}",
                        r.at,
                        r.reviewer,
                        r.decision.name(),
                        r.comment
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        ReviewCommand::Accept {
            id,
            reviewer_key,
            comment,
            status,
        } => {
            let st = match status.as_str() {
                "pilot" => Status::Pilot,
                "active" => Status::Active,
                s => {
                    return Err(Error::Usage(format!(
                        "--status `{s}`：请给出 pilot（试测）或 active（在用）"
                    )));
                }
            };
            decide(&id, &reviewer_key, Decision::Accept, &comment, st)
        }
        ReviewCommand::Reject {
            id,
            reviewer_key,
            comment,
        } => decide(
            &id,
            &reviewer_key,
            Decision::Reject,
            &comment,
            Status::Pilot,
        ),
        ReviewCommand::RequestChanges {
            id,
            reviewer_key,
            comment,
        } => decide(
            &id,
            &reviewer_key,
            Decision::RequestChanges,
            &comment,
            Status::Pilot,
        ),
    }
}

pub fn feedback(g: &Global, c: FeedbackCommand) -> Result<ExitCode> {
    let FeedbackCommand::Import { file } = c;
    let r = revise::import_feedback(&g.store()?, &file)?;
    if g.json {
        crate::output::json(&r);
    } else {
        crate::outln!(
            "已读取 {}（{}）：导入 {} 条反馈，{} 条此前已存；见 `qbank revise list`",
            r.file,
            r.encoding,
            r.imported,
            r.already
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The switches of `qbank revise`.
pub struct ReviseFlags {
    pub min_n: usize,
    pub verbose: bool,
    pub dismiss: bool,
    pub register: Option<std::path::PathBuf>,
}

fn print_calibration(r: &revise::CalibrationReport, verbose: bool) {
    use revise::SkipReason;
    if verbose {
        for c in &r.calibrated {
            crate::outln!(
                "{} 第 {} 版：p {} → {:.2}（n = {}）",
                c.id,
                c.version,
                c.p_before.map_or("无".into(), |p| format!("{p:.2}")),
                c.p,
                c.n
            );
        }
        for s in &r.skipped {
            let why: Vec<&str> = s.reasons.iter().map(|x| x.label()).collect();
            crate::outln!("{} 第 {} 版：跳过（{}）", s.id, s.version, why.join("、"));
        }
    }
    crate::outln!(
        "已校准 {} 道试题；{} 道已是实测 p 值；{} 道作答少于 {} 人次；{} 条为旧版本的分析",
        r.calibrated.len(),
        r.unchanged,
        r.too_few,
        r.min_n,
        r.superseded
    );
    if !r.skipped.is_empty() {
        crate::outln!(
            "{} 道试题跳过，难度未改：疑似答案错误 {} 道，区分度为负 {} 道，有未处理的反馈 {} 道 — 见 `qbank revise list`",
            r.skipped.len(),
            r.skipped_for(SkipReason::ProbableMiskey),
            r.skipped_for(SkipReason::NegativeDiscrimination),
            r.skipped_for(SkipReason::OpenFeedback)
        );
    }
    if !verbose && (!r.calibrated.is_empty() || !r.skipped.is_empty()) {
        crate::outln!("（--verbose 逐题列出）");
    }
}

pub fn revise(
    g: &Global,
    item: &str,
    file: Option<&Path>,
    reason: Option<&str>,
    flags: ReviseFlags,
) -> Result<ExitCode> {
    let cfg = g.store()?;
    if flags.dismiss {
        let reason = reason.ok_or_else(|| Error::Usage("--dismiss 须同时给出 --reason".into()))?;
        if file.is_some() {
            return Err(Error::Usage(
                "--dismiss 不产生新版本即结案，不接受 --file".into(),
            ));
        }
        let r = revise::dismiss(&cfg, item, reason)?;
        if g.json {
            crate::output::json(&r);
        } else {
            crate::outln!(
                "{}：已结案 {} 条标记的分析和 {} 条反馈；未产生新版本",
                r.id,
                r.analyses.len(),
                r.feedback
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    match (item, file) {
        ("list", None) => {
            let cases = match &flags.register {
                Some(r) => revise::list_with_register(&cfg, &qbank::ops::read_register(r)?)?,
                None => revise::list(&cfg)?,
            };
            if g.json {
                crate::output::json(&cases);
                return Ok(ExitCode::SUCCESS);
            }
            for c in &cases {
                let flags = c
                    .analysis
                    .as_ref()
                    .map(|a| {
                        a.stats
                            .flags
                            .iter()
                            .map(qbank::analysis::flag_text)
                            .collect::<Vec<_>>()
                            .join("；")
                    })
                    .unwrap_or_default();
                crate::outln!("{}（当前第 {} 版）{}", c.id, c.current, flags);
                for o in &c.outdated {
                    crate::outln!("    {}：{}", o.cite, o.words);
                }
                for f in &c.feedback {
                    crate::outln!(
                        "    {} 第 {} 版 {}：{}",
                        f.organisation,
                        f.version,
                        f.kind.name(),
                        f.text
                    );
                }
            }
            crate::outln!("共 {} 道试题待处理", cases.len());
        }
        ("calibrate", None) => {
            let r = revise::calibrate(&cfg, flags.min_n)?;
            if g.json {
                crate::output::json(&r);
            } else {
                print_calibration(&r, flags.verbose);
            }
        }
        (id, Some(f)) => {
            let reason =
                reason.ok_or_else(|| Error::Usage("请给出 --reason（修订理由）".into()))?;
            let r = revise::revise(&cfg, id, f, reason)?;
            if g.json {
                crate::output::json(&r);
            } else {
                crate::outln!(
                    "{} 已修订为第 {} 版（处理反馈 {} 条）；旧版本保留",
                    r.id,
                    r.version,
                    r.resolved_feedback
                );
            }
        }
        (id, None) => {
            return Err(Error::Usage(format!(
                "`qbank revise {id}` 需要 --file 修改后的.toml 和 --reason（或 --dismiss --reason）；也可用 `revise list` / `revise calibrate`"
            )));
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn person(g: &Global, c: PersonCommand) -> Result<ExitCode> {
    use qbank::ops::person::{self, Role};
    match c {
        PersonCommand::Keygen { id, out } => {
            let (key, public, fp) = person::keygen(&id, &out)?;
            if g.json {
                crate::output::json(
                    &serde_json::json!({ "key": key, "public": public, "fingerprint": fp }),
                );
            } else {
                crate::outln!("私钥 {}（保存在本人的介质上，不交给任何人）", key.display());
                crate::outln!("公钥 {}（交省局登记）· 指纹 {fp}", public.display());
            }
        }
        PersonCommand::Add {
            id,
            name,
            role,
            public_key,
        } => {
            let roles = role
                .iter()
                .map(|r| {
                    Role::parse(r).ok_or_else(|| {
                        Error::Usage(format!(
                            "--role `{r}`：请给出 reviewer（审核员）或 operator（操作员）"
                        ))
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let p = person::add(&g.store()?, &id, &name, &roles, &public_key)?;
            if g.json {
                crate::output::json(&p);
            } else {
                let roles: Vec<&str> = p.roles.iter().map(|r| r.name()).collect();
                crate::outln!(
                    "已登记人员 {} {}（{}）· 密钥指纹 {}",
                    p.id,
                    p.name,
                    roles.join("、"),
                    p.key_fingerprint
                );
            }
        }
        PersonCommand::List => {
            let all = person::list(&g.store()?)?;
            if g.json {
                crate::output::json(&all);
            } else {
                for p in &all {
                    let roles: Vec<&str> = p.roles.iter().map(|r| r.name()).collect();
                    crate::outln!(
                        "{:<16} {} [{}] 密钥指纹 {}{}",
                        p.id,
                        p.name,
                        roles.join(" "),
                        p.key_fingerprint,
                        if p.revoked.is_some() {
                            " 已吊销"
                        } else {
                            ""
                        }
                    );
                }
                crate::outln!("共 {} 人", all.len());
            }
        }
        PersonCommand::Revoke { id, reason } => {
            let p = person::revoke(&g.store()?, &id, &reason)?;
            if g.json {
                crate::output::json(&p);
            } else {
                crate::outln!("{} 的密钥（{}）已吊销", p.id, p.key_fingerprint);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
