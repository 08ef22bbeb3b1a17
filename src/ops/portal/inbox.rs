//! `qbank portal inbox`: a bundle the portal exported, verified against the pinned portal key
//! and taken in sequence, once — each upload through the workflow of its kind (submissions into
//! the review queue, page-sealed questions under the inbox's word, feedback into the revision
//! queue, 机考 results and response files kept and analysed again with all received), its
//! outcome audited, and written with that workflow's own commit so an inbox stopped part way
//! takes no upload twice when run again.

use super::{MAX_BUNDLE, PORTAL_KEY, PinnedPortal, RECEIVED, Received, TAKEN, receipts};
use crate::error::{Error, Result};
use crate::ops::StoreConfig;
use crate::ops::files::{read_regular, write_file};
use crate::package::bundle::{self, Direction};
use crate::package::person::PersonPublic;
use crate::portal::crossing::{InboxMeta, PartKind, Receipt};
use crate::store::AuditEvent;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What `inbox` did.
#[derive(Debug, Serialize)]
pub struct InboxOutcome {
    pub seq: u64,
    /// This inbox was imported before: nothing changed.
    pub again: bool,
    pub receipts: Vec<Receipt>,
    /// Item analysis over every 机考 result received so far, when this inbox brought any.
    #[serde(skip)]
    pub analysis: Option<crate::ops::analysis::AnalysisOutcome>,
}

/// Verifies an inbox against the pinned portal key and its sequence, then takes in each
/// upload: a submission is imported into the review queue, results are kept and item analysis
/// is run again over all results received. A refused upload is a receipt, not a failure.
pub fn inbox(
    cfg: &StoreConfig,
    file: &Path,
    threshold: f64,
    thresholds: &crate::analysis::Thresholds,
) -> Result<InboxOutcome> {
    inbox_from(cfg, file, threshold, thresholds).map_err(|e| e.naming(file))
}

fn inbox_from(
    cfg: &StoreConfig,
    file: &Path,
    threshold: f64,
    thresholds: &crate::analysis::Thresholds,
) -> Result<InboxOutcome> {
    let bytes = read_regular(file, MAX_BUNDLE)?;
    let vault = cfg.open()?;
    let pinned: PinnedPortal = vault.get_record(PORTAL_KEY)?.ok_or_else(|| {
        Error::Usage(
            "尚未固定门户的签名公钥：请先运行 qbank portal pin --key portal.pub --fingerprint 指纹"
                .into(),
        )
    })?;
    let key = PersonPublic::from_hex(&pinned.public_key).ok_or_else(|| Error::Corrupt {
        record: PORTAL_KEY.into(),
        reason: "门户公钥不是 32 字节的十六进制".into(),
    })?;
    let opened =
        bundle::open::<InboxMeta>(Direction::Inbox, &bytes, |d, m, s| key.verify(d, m, s))?;
    let seq = opened.manifest.seq;
    let sha256 = bundle::sha256_hex(&bytes);
    let (_, last, digests) = receipts(&vault, Some(&pinned.fingerprint))?;
    if let Some(d) = digests.get(&seq) {
        if *d == sha256 {
            return Ok(InboxOutcome {
                seq,
                again: true,
                receipts: Vec::new(),
                analysis: None,
            });
        }
        return Err(Error::PackageRefused(format!(
            "第 {seq} 号回传包已导入过，但内容不同；未做任何改动"
        )));
    }
    if seq != last + 1 {
        return Err(Error::PackageRefused(format!(
            "回传包的序号为 {seq}，应为 {}（上一个已导入的是第 {last} 号）；请按顺序导入，未做任何改动",
            last + 1
        )));
    }
    // every upload must name a part of a kind the vault takes, before anything is applied
    let by_name: BTreeMap<&str, (PartKind, &[u8])> = opened
        .parts()
        .filter_map(|(p, b)| PartKind::parse(&p.kind).map(|k| (p.name.as_str(), (k, b))))
        .collect();
    let mut work = Vec::new();
    for u in &opened.manifest.meta.uploads {
        let Some((kind, b)) = by_name.get(u.part.as_str()) else {
            return Err(Error::PackageRefused(format!(
                "回传包中第 {} 号上传所指的文件 {} 不在包内；未做任何改动",
                u.id, u.part
            )));
        };
        if !matches!(
            kind,
            PartKind::Submission
                | PartKind::Results
                | PartKind::UploadSubmission
                | PartKind::UploadResponses
                | PartKind::UploadFeedback
        ) {
            return Err(Error::PackageRefused(format!(
                "回传包中第 {} 号上传的类型（{}）不是补充试题或机考成绩；未做任何改动",
                u.id,
                kind.name()
            )));
        }
        work.push(Received {
            upload: u.clone(),
            kind: *kind,
            bytes: b.to_vec(),
        });
    }
    let fp = pinned.fingerprint.clone();
    let taken_prefix = format!("{TAKEN}{fp}/{seq:08}/");
    let taken: BTreeMap<String, serde_json::Value> =
        vault.records(&taken_prefix)?.into_iter().collect();
    drop(vault);
    // apply: each upload into a private folder as a file, through the workflow that takes it
    let tmp = tempdir_for(file)?;
    let mut receipts = Vec::new();
    let mut any_results = false;
    for r in &work {
        let name = format!(
            "{:010}.{}",
            r.upload.id,
            match r.kind {
                PartKind::Submission => "qsub",
                _ => "qres",
            }
        );
        let mark = format!("{taken_prefix}{:010}", r.upload.id);
        if let Some(t) = taken.get(&mark) {
            // taken by an earlier run of this inbox that was stopped before its own commit
            receipts.push(Receipt {
                upload: r.upload.id,
                organisation: r.upload.organisation.clone(),
                accepted: true,
                message: taken_text(r.kind, t),
            });
            continue;
        }
        let path = tmp.join(&name);
        write_file(&path, &r.bytes)?;
        let (accepted, message) = match r.kind {
            PartKind::Submission => {
                match crate::ops::submission::import_marked(cfg, &path, threshold, &mark) {
                    Ok(o) => (true, queued_text(&o)),
                    Err(e) => (false, refusal_text(&e, &path, &r.upload.file_name)),
                }
            }
            PartKind::Results => match check_results(cfg, &r.bytes) {
                Ok(()) => {
                    any_results = true;
                    (true, "已收到，纳入试题质量分析".to_string())
                }
                Err(e) => (false, refusal_text(&e, &path, &r.upload.file_name)),
            },
            kind => match take_upload(cfg, r, kind, threshold, &mark) {
                Ok(m) => {
                    any_results |= kind == PartKind::UploadResponses;
                    (true, m)
                }
                Err(e) => (false, refusal_text(&e, &path, &r.upload.file_name)),
            },
        };
        receipts.push(Receipt {
            upload: r.upload.id,
            organisation: r.upload.organisation.clone(),
            accepted,
            message,
        });
    }
    crate::ops::fault::point("portal-inbox:uploads-taken");
    // keep the accepted results, and record the inbox with every outcome
    let mut vault = cfg.open()?;
    let mut batch = Vec::new();
    for (r, rc) in work.iter().zip(&receipts) {
        if matches!(r.kind, PartKind::Results | PartKind::UploadResponses) && rc.accepted {
            let k = format!("{RECEIVED}{fp}/{seq:08}/{:010}", r.upload.id);
            batch.push(vault.put_record(&k, r)?);
        }
    }
    vault.commit(
        batch,
        AuditEvent::new(
            "portal-inbox",
            json!({ "seq": seq, "sha256": sha256, "portal": pinned.fingerprint, "receipts": receipts }),
        ),
    )?;
    let analysis = if any_results {
        let all: Vec<(String, Received)> = vault.records(RECEIVED)?;
        drop(vault);
        let mut paths = Vec::new();
        for (k, r) in all
            .iter()
            .filter(|(_, r)| matches!(r.kind, PartKind::Results | PartKind::UploadResponses))
        {
            let ext = if r.kind == PartKind::Results {
                "qres"
            } else {
                "qup"
            };
            let p = tmp.join(format!("{}.{ext}", k.replace('/', "-")));
            write_file(&p, &r.bytes)?;
            paths.push(p);
        }
        Some(crate::ops::analysis::run(cfg, &paths, &[], thresholds)?)
    } else {
        None
    };
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(InboxOutcome {
        seq,
        again: false,
        receipts,
        analysis,
    })
}

fn queued_text(o: &crate::ops::submission::SubmissionOutcome) -> String {
    queued(o.items.len(), &o.submission)
}

fn queued(items: usize, submission: &str) -> String {
    format!("已进入审核队列：{items} 道试题（投稿 {submission}）")
}

fn feedback_text(imported: usize, already: usize) -> String {
    format!("已收到试题反馈 {imported} 条（另有 {already} 条此前已收到）")
}

/// The receipt of an upload an earlier, stopped run of the inbox took (its `TAKEN` record).
fn taken_text(kind: PartKind, t: &serde_json::Value) -> String {
    let n = |k: &str| t[k].as_u64().unwrap_or(0) as usize;
    match kind {
        PartKind::UploadFeedback => feedback_text(n("imported"), n("already")),
        _ => queued(
            t["items"].as_array().map_or(0, |a| a.len()),
            t["submission"].as_str().unwrap_or(""),
        ),
    }
}

/// A file sealed in the portal's page: opened with the bureau's key, its meta must say what the
/// portal declared and name the organisation and user the signed inbox names; then the
/// workflow of its kind takes it (responses are kept for analysis).
fn take_upload(
    cfg: &StoreConfig,
    r: &Received,
    kind: PartKind,
    threshold: f64,
    mark: &str,
) -> Result<String> {
    let vault = cfg.open()?;
    let (meta, payload) = crate::package::upload::open(&r.bytes, &vault.bureau_encryption_key()?)?;
    drop(vault);
    if Some(meta.kind) != kind.upload_kind() {
        return Err(Error::PackageRefused(format!(
            "上传时声明为{}，文件实为{}",
            kind.name(),
            meta.kind.name()
        )));
    }
    if meta.organisation != r.upload.organisation || meta.user != r.upload.user {
        return Err(Error::PackageRefused(format!(
            "文件声明由 {}（{}）加密，门户记录的上传者却是 {}（{}）",
            meta.user, meta.organisation, r.upload.user, r.upload.organisation
        )));
    }
    match meta.kind {
        crate::package::upload::UploadKind::Submission => crate::ops::submission::import_attested(
            cfg,
            &meta.organisation,
            &meta.as_submission(),
            &payload,
            threshold,
            Some(mark),
        )
        .map(|o| queued_text(&o)),
        crate::package::upload::UploadKind::Feedback => {
            let o = crate::ops::feedback::import_feedback_bytes(
                cfg,
                &meta.file_name,
                &payload,
                Some(mark),
            )?;
            Ok(feedback_text(o.imported, o.already))
        }
        crate::package::upload::UploadKind::Responses => {
            let vault = cfg.open()?;
            crate::ops::org::registered_public(&vault, &meta.organisation, "作答数据")?;
            Ok("已收到，纳入试题质量分析".to_string())
        }
    }
}

/// A refusal as the writer or organisation reads it on the portal: the vault's message with the
/// temporary file's name replaced by the name they uploaded.
fn refusal_text(e: &Error, tmp: &Path, file_name: &str) -> String {
    // the whole temporary path first (it names a folder of the vault's machine), then its name
    let full = tmp.display().to_string();
    let name = tmp
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let text = e.to_string().replace(&full, file_name);
    let text = if name.is_empty() {
        text
    } else {
        text.replace(&name, file_name)
    };
    let cut: String = text.chars().take(2000).collect();
    format!("已退回：{cut}")
}

/// Results are checked as analysis will read them: sealed to this bureau by a registered
/// organisation.
fn check_results(cfg: &StoreConfig, bytes: &[u8]) -> Result<()> {
    let vault = cfg.open()?;
    let key = vault.bureau_encryption_key()?;
    crate::package::results::open(bytes, &key, |id| {
        crate::ops::org::registered_public(&vault, id, "机考成绩").map(|(_, pk)| pk)
    })
    .map(|_| ())
}

/// A private (0700) folder beside the inbox file for the uploads while they are taken in.
fn tempdir_for(file: &Path) -> Result<PathBuf> {
    let base = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let dir = base.join(format!(".qbank-inbox-{}", std::process::id()));
    crate::ops::files::create_private_dir(&dir)?;
    Ok(dir)
}
