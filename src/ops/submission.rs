//! Supplementary questions from item writers (补充试题): sealing on the writer's side, import into
//! an encrypted review queue (validation against the standard, near-duplicate screening against
//! the bank, the queue and the submission itself), and review with the four-eyes rule (四眼原则)
//! before an item enters the bank.

use super::StoreConfig;
pub use super::excel::{EXCEL_COLUMNS, EXCEL_FIGURE_COLUMN};
pub(crate) use super::excel::{excel_to_toml, to_row};
use super::excel::{row_of, sources_of, submitted_sources};
use super::files::write_file;
use super::org::now;
use super::person::Role;
use crate::bankfile::{self, Diagnostic};
use crate::error::{Error, Result};
use crate::model::{Entry, OrgStatus, Organisation, Source, Status};
use crate::package::keys::{OrgSecret, pinned_bureau};
use crate::package::person::{PersonPublic, PersonSecret};
use crate::package::submission::{self, SubmissionMeta};
use crate::screen::{self, Text};
use crate::store::{AuditEvent, Vault};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QueueStatus {
    Pending,
    ChangesRequested,
    Rejected,
    Accepted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    Accept,
    Reject,
    RequestChanges,
}

impl QueueStatus {
    /// The status as users read it.
    pub fn name(self) -> &'static str {
        match self {
            QueueStatus::Pending => "待审核",
            QueueStatus::ChangesRequested => "退回修改",
            QueueStatus::Rejected => "不予采用",
            QueueStatus::Accepted => "已采用入库",
        }
    }
}

impl Decision {
    /// The decision as users read it.
    pub fn name(self) -> &'static str {
        match self {
            Decision::Accept => "采用",
            Decision::Reject => "不予采用",
            Decision::RequestChanges => "退回修改",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReviewRecord {
    /// The registered person who decided (before identities: a free-text name).
    pub reviewer: String,
    pub decision: Decision,
    pub comment: String,
    pub at: String,
    /// Fingerprint of the reviewer's registered Ed25519 key (absent on reviews recorded before
    /// identities were checked: those count for nothing towards 四眼原则).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The reviewer's signature (hex) over [`review_message`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// The domain of review signatures.
pub const REVIEW_DOMAIN: &str = "qbank-review/1";

/// What a reviewer signs: the queued item (id, submission, content hash), the decision, the
/// comment and the time, as JSON of this shape.
pub fn review_message(q: &Queued, decision: Decision, comment: &str, at: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "item": q.id,
        "submission": q.submission,
        "content_sha256": hex::encode(q.entry.content_hash()),
        "decision": decision,
        "comment": comment,
        "at": at,
    }))
    .expect("a review message serialises")
}

/// One submitted item in the review queue (`q/<id>`, sealed: content and who wrote it are secret).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Queued {
    pub id: String,
    pub submission: String,
    pub organisation: String,
    pub writer: String,
    /// Where it came from: `file:line` or `file:row N`.
    pub origin: String,
    pub received: String,
    pub entry: Entry,
    pub status: QueueStatus,
    pub reviews: Vec<ReviewRecord>,
}

fn queue_key(id: &str) -> String {
    format!("q/{id}")
}

/// What the writer's side seals with: the organisation's private key file (which also holds
/// the bureau keys pinned at registration), optionally a `bureau.pub` that must be the pinned
/// one, and optionally the organisation id, which must be the key file's.
pub struct SealWith<'a> {
    pub org_key: &'a Path,
    pub bureau_key: Option<&'a Path>,
    pub organisation: Option<&'a str>,
}

/// The writer's side: seal a TOML or Excel file to the bureau's pinned X25519 key,
/// authenticated with the organisation's own key (HPKE auth mode).
pub fn seal(file: &Path, with: SealWith<'_>, writer: &str, out: &Path) -> Result<PathBuf> {
    if writer.trim().is_empty() {
        return Err(Error::Usage("give --writer".into()));
    }
    let name = file
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    if !(name.ends_with(".toml") || name.ends_with(".xlsx")) {
        return Err(Error::Usage(format!(
            "{}: submit a bank TOML file (.toml) or the Excel template (.xlsx)",
            file.display()
        )));
    }
    let sender = OrgSecret::read(with.org_key)?;
    if let Some(o) = with.organisation
        && o != sender.organisation
    {
        return Err(Error::Usage(format!(
            "--org {o} 与机构私钥文件 {} 的机构 {} 不符",
            with.org_key.display(),
            sender.organisation
        )));
    }
    let pin = pinned_bureau(&sender, with.org_key, with.bureau_key)?;
    let bytes = zeroize::Zeroizing::new(super::files::read_regular(
        file,
        super::workbook::MAX_WORKBOOK_BYTES,
    )?);
    // the figures the file refers to travel with it, after its bytes
    let sources = submitted_sources(&name, &bytes).unwrap_or_default();
    let figures = super::attachments::collect(file, &sources)?;
    let total: usize = figures.iter().map(|(_, b)| b.len()).sum();
    if figures.len() > submission::MAX_ATTACHMENTS
        || total as u64 > submission::MAX_ATTACHMENT_BYTES
    {
        return Err(Error::Usage(format!(
            "{}：引用的图形文件过多或过大（{} 个，共 {} 字节；至多 {} 个、共 {} MiB）：请分几次投稿",
            file.display(),
            figures.len(),
            total,
            submission::MAX_ATTACHMENTS,
            submission::MAX_ATTACHMENT_BYTES >> 20
        )));
    }
    let mut payload = zeroize::Zeroizing::new(bytes.to_vec());
    let mut attachments = Vec::new();
    for (name, b) in &figures {
        payload.extend_from_slice(b);
        attachments.push(submission::Attachment {
            name: name.clone(),
            len: b.len() as u64,
        });
    }
    let sealed = submission::seal(
        &SubmissionMeta {
            format: submission::FORMAT,
            organisation: sender.organisation.clone(),
            writer: writer.into(),
            file_name: name,
            sealed_at: now(),
            attachments,
        },
        &payload,
        &sender,
        &pin.encryption,
    )?;
    write_file(out, &sealed)?;
    Ok(out.to_path_buf())
}

fn item_text(e: &Entry) -> Option<Text> {
    match e {
        Entry::Item(i) => Some(Text {
            id: i.id.clone(),
            stem: i.stem.clone(),
            options: i.options.clone(),
        }),
        _ => None,
    }
}

/// What `submission import` did.
#[derive(Debug, Serialize)]
pub struct SubmissionOutcome {
    pub submission: String,
    pub organisation: String,
    pub items: Vec<String>,
}

/// The bureau's side: open, validate, screen and queue a sealed submission — all or nothing.
/// With `overlay`, the items are for the submitting enterprise's own self-evaluation bank: they
/// will be drawn only into papers for that enterprise (blueprints with `overlay`).
pub fn import(
    cfg: &StoreConfig,
    sealed: &Path,
    threshold: f64,
    overlay: bool,
) -> Result<SubmissionOutcome> {
    // every refusal names the sealed file (problems inside it name the writer's file and row)
    import_sealed(cfg, sealed, threshold, overlay, None).map_err(|e| e.naming(sealed))
}

/// As `import`, for a file taken from the portal's inbox: the outcome is also written under
/// `mark` in the same commit, so an inbox killed after this upload takes it once, not twice.
pub(crate) fn import_marked(
    cfg: &StoreConfig,
    sealed: &Path,
    threshold: f64,
    mark: &str,
) -> Result<SubmissionOutcome> {
    import_sealed(cfg, sealed, threshold, false, Some(mark)).map_err(|e| e.naming(sealed))
}

fn import_sealed(
    cfg: &StoreConfig,
    sealed: &Path,
    threshold: f64,
    overlay: bool,
    mark: Option<&str>,
) -> Result<SubmissionOutcome> {
    let vault = cfg.open()?;
    let bytes = super::files::read_regular(
        sealed,
        super::workbook::MAX_WORKBOOK_BYTES + submission::MAX_ATTACHMENT_BYTES as usize + (1 << 20),
    )?;
    // the origin: the organisation the submission names must be registered and in good
    // standing, and the submission must open with the key registered for it
    let mut registered: Option<Organisation> = None;
    let (meta, payload) = submission::open(&bytes, &vault.bureau_encryption_key()?, |id| {
        let (org, pk) = super::org::registered_public(&vault, id, "投稿")?;
        if org.status == OrgStatus::Suspended {
            return Err(Error::Usage(format!(
                "机构 {} 已被暂停，不接受其投稿；未存储任何内容",
                org.id
            )));
        }
        registered = Some(org);
        Ok(pk)
    })?;
    let org = registered.expect("the origin was checked against a registered organisation");
    queue_opened(vault, org, &meta, &payload, threshold, overlay, None, mark)
}

/// The bureau's side, for a submission an item writer sealed in the portal's browser page to
/// the bureau alone (`package::upload`): its origin is what the portal's signed inbox attests
/// (`organisation`), not an organisation's key. Validated, screened and queued like any other,
/// all or nothing; the audit entry says it came through the portal. The outcome is also written
/// under `mark` in the same commit (the inbox's record that this upload was taken).
pub fn import_attested(
    cfg: &StoreConfig,
    organisation: &str,
    meta: &SubmissionMeta,
    payload: &[u8],
    threshold: f64,
    mark: Option<&str>,
) -> Result<SubmissionOutcome> {
    let vault = cfg.open()?;
    let (org, _) = super::org::registered_public(&vault, organisation, "投稿")?;
    if org.status == OrgStatus::Suspended {
        return Err(Error::Usage(format!(
            "机构 {} 已被暂停，不接受其投稿；未存储任何内容",
            org.id
        )));
    }
    if meta.organisation != org.id {
        return Err(Error::PackageRefused(format!(
            "投稿声明的机构 {} 与门户所证明的上传机构 {} 不符，已拒收",
            meta.organisation, org.id
        )));
    }
    queue_opened(
        vault,
        org,
        meta,
        payload,
        threshold,
        false,
        Some("portal"),
        mark,
    )
}

/// Validates, screens and queues an opened submission from `org`, all or nothing; with `mark`,
/// the outcome is kept under that key in the same commit.
#[allow(clippy::too_many_arguments)]
fn queue_opened(
    mut vault: crate::store::Vault,
    org: Organisation,
    meta: &SubmissionMeta,
    payload: &[u8],
    threshold: f64,
    overlay: bool,
    via: Option<&str>,
    mark: Option<&str>,
) -> Result<SubmissionOutcome> {
    if overlay && org.kind != crate::model::OrgKind::Y {
        return Err(Error::Usage(format!(
            "organisation {} is not an employer (用人单位, Y): only an enterprise keeps its own self-evaluation items",
            org.id
        )));
    }
    let name = meta.file_name.clone();
    let standards = vault.standards()?;
    // parse into bank files, remembering how to name places for the writer
    // a workbook becomes one virtual bank file per occupation-level, each line mapped to its row
    // the figures it carried are read from the payload, checked like any bank folder's
    let (file, figures) = submission::split(meta, payload)?;
    let (files, book) = sources_of(&name, file)?;
    // rows are prefixed once, at the end
    let locate = |d: Diagnostic| -> Diagnostic {
        match row_of(&d, &book) {
            Some(row) => Diagnostic {
                file: name.clone(),
                line: row,
                message: d.message,
            },
            None => d,
        }
    };
    let (bank, diags) =
        bankfile::check_with(&files, &standards, &super::attachments::Attached(figures));
    let mut problems: Vec<Diagnostic> = diags.into_iter().map(locate).collect();
    let place = |file: &str, line: usize| {
        if name.ends_with(".xlsx") {
            format!("{name}:row {line}")
        } else {
            format!("{file}:{line}")
        }
    };
    let queue: BTreeMap<String, Queued> = vault
        .records::<Queued>("q/")?
        .into_iter()
        .map(|(_, q)| (q.id.clone(), q))
        .collect();
    if !bank.standards.is_empty() || !bank.blueprints.is_empty() {
        problems.push(Diagnostic {
            file: name.clone(),
            line: 1,
            message: "a submission holds items only (no standard or blueprint)".into(),
        });
    }
    let mut entries = Vec::new();
    for l in bank.entries {
        let d = locate(Diagnostic {
            file: l.file.clone(),
            line: l.line,
            message: String::new(),
        });
        let id = l.value.id().to_string();
        if !org.may_certify(l.value.occupation(), l.value.level()) {
            problems.push(Diagnostic {
                message: format!(
                    "{id}: organisation {} is not registered for {} {}",
                    org.id,
                    l.value.occupation(),
                    l.value.level()
                ),
                ..d.clone()
            });
        }
        if vault.versions(&id).is_ok_and(|v| !v.is_empty()) {
            problems.push(Diagnostic {
                message: format!(
                    "{id}: the bank already has an entry with this id; choose a new id"
                ),
                ..d.clone()
            });
        }
        if let Some(old) = queue.get(&id)
            && (old.status != QueueStatus::ChangesRequested
                || old.organisation != meta.organisation)
        {
            problems.push(Diagnostic {
                message: format!(
                    "{id}: already in the review queue ({}); only an item returned for changes may be resubmitted",
                    old.status.name()
                ),
                ..d.clone()
            });
        }
        entries.push((l.value, d.line, l.file));
    }
    // near-duplicates: against the bank of the same occupations, the queue, and each other
    let occupations: std::collections::BTreeSet<_> = entries
        .iter()
        .map(|(e, _, _)| e.occupation().clone())
        .collect();
    let mut existing: Vec<Text> = Vec::new();
    for occ in &occupations {
        let ix = vault.index(Some(occ), None)?;
        existing.extend(vault.entries(&ix)?.iter().filter_map(item_text));
    }
    existing.extend(
        queue
            .values()
            .filter(|q| {
                q.status == QueueStatus::Pending && !entries.iter().any(|(e, _, _)| e.id() == q.id)
            })
            .filter_map(|q| item_text(&q.entry)),
    );
    let candidates: Vec<Text> = entries
        .iter()
        .filter_map(|(e, _, _)| item_text(e))
        .collect();
    let line_of: HashMap<&str, usize> = entries.iter().map(|(e, l, _)| (e.id(), *l)).collect();
    for m in screen::Index::new(&existing).screen(&candidates, threshold) {
        problems.push(Diagnostic {
            file: name.clone(),
            line: line_of.get(m.id.as_str()).copied().unwrap_or(0),
            message: format!(
                "{}: near-duplicate of {} (similarity {:.2} ≥ {threshold:.2})",
                m.id, m.similar_to, m.score
            ),
        });
    }
    if !problems.is_empty() {
        problems.sort();
        problems.dedup();
        // xlsx places read "row N"
        if name.ends_with(".xlsx") {
            for p in &mut problems {
                p.message = format!("row {}: {}", p.line, p.message);
            }
        }
        return Err(Error::Invalid(problems));
    }
    let seq = vault.checkpoint().seq + 1;
    let submission = format!("SUB-{seq:06}");
    let received = now();
    let mut batch = Vec::new();
    let mut ids = Vec::new();
    for (mut e, line, file) in entries {
        if let Entry::Item(i) = &mut e {
            i.source = Source::Organisation(org.id.clone());
            if overlay {
                i.overlay = Some(org.id.clone());
            }
        }
        ids.push(e.id().to_string());
        let rec = Queued {
            id: e.id().to_string(),
            submission: submission.clone(),
            organisation: org.id.clone(),
            writer: meta.writer.clone(),
            origin: place(&file, line),
            received: received.clone(),
            entry: e,
            status: QueueStatus::Pending,
            reviews: Vec::new(),
        };
        batch.push(vault.put_record(&queue_key(&rec.id), &rec)?);
    }
    if let Some(k) = mark {
        batch.push(vault.put_record(k, &json!({ "submission": submission, "items": ids }))?);
    }
    // the writer's name is secret (submitter identity): the audit entry names the organisation
    vault.commit(
        batch,
        AuditEvent::new(
            "submission-import",
            json!({ "submission": submission, "organisation": org.id, "items": ids, "overlay": overlay, "via": via }),
        ),
    )?;
    Ok(SubmissionOutcome {
        submission,
        organisation: org.id,
        items: ids,
    })
}

/// The review queue (all, or those with `status`).
pub fn queue(cfg: &StoreConfig, status: Option<QueueStatus>) -> Result<Vec<Queued>> {
    Ok(cfg
        .open()?
        .records::<Queued>("q/")?
        .into_iter()
        .map(|(_, q)| q)
        .filter(|q| status.is_none_or(|s| q.status == s))
        .collect())
}

pub fn queued(cfg: &StoreConfig, id: &str) -> Result<Queued> {
    find(&cfg.open()?, id)
}

fn find(vault: &Vault, id: &str) -> Result<Queued> {
    vault
        .get_record(&queue_key(id))?
        .ok_or_else(|| Error::NotFound {
            what: "queued item",
            id: id.into(),
        })
}

/// What a review did.
#[derive(Debug, Serialize)]
pub struct ReviewOutcome {
    pub id: String,
    pub status: QueueStatus,
    /// Distinct reviewers who accepted so far.
    pub accepted_by: Vec<String>,
    /// Set when the item entered the bank.
    pub entered_bank: Option<Status>,
}

/// Records a review signed with the reviewer's personal key, which must be the key registered
/// for a reviewer (`qbank person add --role reviewer`). Acceptance needs two different
/// registered reviewers with two different keys (四眼原则); the second acceptance enters the
/// item into the bank as version 1 with `status`, in the same batch as the review. The audit
/// entry names the verified reviewer and key fingerprint.
pub fn review(
    cfg: &StoreConfig,
    id: &str,
    reviewer: &PersonSecret,
    decision: Decision,
    comment: &str,
    status: Status,
) -> Result<ReviewOutcome> {
    if decision != Decision::Accept && comment.trim().is_empty() {
        return Err(Error::Usage(
            "a rejection or a request for changes needs a --comment the writer can act on".into(),
        ));
    }
    if !matches!(status, Status::Pilot | Status::Active) {
        return Err(Error::Usage(
            "an accepted item enters as pilot or active".into(),
        ));
    }
    let mut vault = cfg.open()?;
    // the reviewer is who their registered key says, not a name typed in
    let person = super::person::verified(&vault, reviewer, Role::Reviewer)?;
    // and the audit entry of the decision is signed by the reviewer who made it
    vault.sign_as(std::sync::Arc::new(reviewer.clone()));
    let mut q = find(&vault, id)?;
    if q.status != QueueStatus::Pending {
        return Err(Error::Usage(format!(
            "{id} 的状态为“{}”，不在待审核中",
            q.status.name()
        )));
    }
    if q.reviews
        .iter()
        .any(|r| r.reviewer == person.id || r.key.as_deref() == Some(&person.key_fingerprint))
    {
        return Err(Error::Usage(format!(
            "{} has already reviewed {id}; a second, different reviewer must decide (四眼原则)",
            person.id
        )));
    }
    let at = now();
    let message = review_message(&q, decision, comment, &at);
    let signature = reviewer.sign(REVIEW_DOMAIN, &message);
    let registered = PersonPublic::from_hex(&person.public_key).ok_or_else(|| Error::Corrupt {
        record: format!("p/{}", person.id),
        reason: "the registered key is not an Ed25519 key".into(),
    })?;
    if !registered.verify(REVIEW_DOMAIN, &message, &signature) {
        return Err(Error::Identity(format!(
            "人员 {} 的审核签名无法用其登记的密钥验证",
            person.id
        )));
    }
    q.reviews.push(ReviewRecord {
        reviewer: person.id.clone(),
        decision,
        comment: comment.into(),
        at,
        key: Some(person.key_fingerprint.clone()),
        signature: Some(hex::encode(signature)),
    });
    // only signed acceptances by registered keys count, each person and each key once
    let mut keys = std::collections::BTreeSet::new();
    let accepted_by: Vec<String> = q
        .reviews
        .iter()
        .filter(|r| r.decision == Decision::Accept && r.signature.is_some())
        .filter(|r| r.key.as_ref().is_some_and(|k| keys.insert(k.clone())))
        .map(|r| r.reviewer.clone())
        .collect();
    q.status = match decision {
        Decision::Reject => QueueStatus::Rejected,
        Decision::RequestChanges => QueueStatus::ChangesRequested,
        Decision::Accept if accepted_by.len() >= 2 => QueueStatus::Accepted,
        Decision::Accept => QueueStatus::Pending,
    };
    let details = json!({ "id": id, "reviewer": person.id, "reviewer_key": person.key_fingerprint,
        "decision": decision, "status": q.status });
    let mut entered = None;
    if q.status == QueueStatus::Accepted {
        let mut e = q.entry.clone();
        e.set_status(status);
        e.set_version(1);
        let master = vault.master_key(&cfg.key)?;
        let put = vault.put_record(&queue_key(id), &q)?;
        vault.import_with(
            &[],
            vec![(e, Some(1))],
            Some(&master),
            &|_| {},
            AuditEvent::new("review-accept", details).by(&person.id),
            vec![put],
        )?;
        entered = Some(status);
    } else {
        let put = vault.put_record(&queue_key(id), &q)?;
        vault.commit(vec![put], AuditEvent::new("review", details).by(&person.id))?;
    }
    Ok(ReviewOutcome {
        id: id.into(),
        status: q.status,
        accepted_by,
        entered_bank: entered,
    })
}
