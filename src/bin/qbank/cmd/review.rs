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
                    "sealed to the bureau's key: {} (only the bureau can open it; send it by mail or upload)",
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
                    "submission {} from {}: {} item(s) queued for review: {}",
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
        "pending" => QueueStatus::Pending,
        "changes-requested" => QueueStatus::ChangesRequested,
        "rejected" => QueueStatus::Rejected,
        "accepted" => QueueStatus::Accepted,
        _ => {
            return Err(Error::Usage(format!(
                "--status `{s}`: give pending, changes-requested, rejected or accepted"
            )));
        }
    })
}

pub fn review(g: &Global, c: ReviewCommand) -> Result<ExitCode> {
    let cfg = g.store()?;
    let decide = |id: &str,
                  reviewer: &Path,
                  d: Decision,
                  comment: &str,
                  st: Status|
     -> Result<ExitCode> {
        crate::cli::warn_key_file(reviewer);
        let key = qbank::package::person::PersonSecret::read(reviewer)?;
        let r = submission::review(&cfg, id, &key, d, comment, st)?;
        if g.json {
            crate::output::json(&r);
        } else {
            match (r.status, r.entered_bank) {
                (_, Some(s)) => crate::outln!(
                    "{}: accepted by {} — entered the bank as version 1 ({})",
                    r.id,
                    r.accepted_by.join(" and "),
                    s.as_str()
                ),
                (QueueStatus::Pending, None) => crate::outln!(
                    "{}: accepted by {}; a second, different reviewer must accept it too (四眼原则)",
                    r.id,
                    r.accepted_by.join(", ")
                ),
                (s, None) => crate::outln!("{}: {}", r.id, s.name()),
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
                for i in &q {
                    crate::outln!(
                        "{:<14} {:<18} {} {} {} {:<6} {} reviews {}",
                        i.id,
                        i.submission,
                        i.organisation,
                        i.entry.occupation(),
                        i.entry.clause(),
                        i.entry.type_label(),
                        i.status.name(),
                        i.reviews.len()
                    );
                }
                crate::outln!("{} item(s)", q.len());
            }
            Ok(ExitCode::SUCCESS)
        }
        ReviewCommand::Show { id } => {
            let q = submission::queued(&cfg, &id)?;
            if g.json {
                crate::output::json(&q);
            } else {
                crate::outln!(
                    "{} · {} · {} ({}) · from {} · {}",
                    q.id,
                    q.submission,
                    q.organisation,
                    q.writer,
                    q.origin,
                    q.status.name()
                );
                crate::outln!(
                    "{}",
                    serde_json::to_string_pretty(&q.entry).expect("entries serialise")
                );
                for r in &q.reviews {
                    let signed = match &r.key {
                        Some(k) => format!("signed, key {k}"),
                        None => "unsigned (recorded before identities; does not count)".into(),
                    };
                    crate::outln!(
                        "  {} {} {} ({signed}): {}",
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
                        "--status `{s}`: give pilot or active"
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
            "read {} ({}): {} report(s) imported, {} already stored; see `qbank revise list`",
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
                "{} v{}: p {} → {:.2} (n = {})",
                c.id,
                c.version,
                c.p_before.map_or("none".into(), |p| format!("{p:.2}")),
                c.p,
                c.n
            );
        }
        for s in &r.skipped {
            let why: Vec<&str> = s.reasons.iter().map(|x| x.label()).collect();
            crate::outln!("{} v{}: skipped ({})", s.id, s.version, why.join("、"));
        }
    }
    crate::outln!(
        "{} item(s) calibrated, {} already at their measured p, {} with fewer than {} responses, {} analyses of earlier versions",
        r.calibrated.len(),
        r.unchanged,
        r.too_few,
        r.min_n,
        r.superseded
    );
    if !r.skipped.is_empty() {
        crate::outln!(
            "{} item(s) skipped, difficulty unchanged: {} 疑似答案错误, {} 区分度为负, {} 未处理的反馈 — see `qbank revise list`",
            r.skipped.len(),
            r.skipped_for(SkipReason::ProbableMiskey),
            r.skipped_for(SkipReason::NegativeDiscrimination),
            r.skipped_for(SkipReason::OpenFeedback)
        );
    }
    if !verbose && (!r.calibrated.is_empty() || !r.skipped.is_empty()) {
        crate::outln!("(--verbose lists the items)");
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
        let reason = reason.ok_or_else(|| Error::Usage("--dismiss needs --reason".into()))?;
        if file.is_some() {
            return Err(Error::Usage(
                "--dismiss closes a case without a new version; it takes no --file".into(),
            ));
        }
        let r = revise::dismiss(&cfg, item, reason)?;
        if g.json {
            crate::output::json(&r);
        } else {
            crate::outln!(
                "{}: {} flagged analysis(es) and {} feedback report(s) dismissed; no new version",
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
                crate::outln!("{} (current v{}) {}", c.id, c.current, flags);
                for o in &c.outdated {
                    crate::outln!("    {}：{}", o.cite, o.words);
                }
                for f in &c.feedback {
                    crate::outln!(
                        "    {} v{} {}: {}",
                        f.organisation,
                        f.version,
                        f.kind.name(),
                        f.text
                    );
                }
            }
            crate::outln!("{} item(s) to review", cases.len());
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
            let reason = reason.ok_or_else(|| Error::Usage("give --reason".into()))?;
            let r = revise::revise(&cfg, id, f, reason)?;
            if g.json {
                crate::output::json(&r);
            } else {
                crate::outln!(
                    "{} revised to version {} ({} feedback report(s) resolved); earlier versions are kept",
                    r.id,
                    r.version,
                    r.resolved_feedback
                );
            }
        }
        (id, None) => {
            return Err(Error::Usage(format!(
                "`qbank revise {id}` needs --file EDITED.toml and --reason (or --dismiss --reason); or use `revise list` / `revise calibrate`"
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
                        Error::Usage(format!("--role `{r}`: give reviewer or operator"))
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
                        "{:<16} {} [{}] key {}{}",
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
                crate::outln!("{} person(s)", all.len());
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
