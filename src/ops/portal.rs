//! `qbank portal`: the vault's side of the air gap. `pin` records the portal's signing key;
//! `outbox` writes the signed bundle the portal imports (catalog, bureau keys, each sitting's
//! packages and issued releases, enrolment codes' hashes, what became of earlier uploads);
//! `inbox` verifies a bundle the portal exported and takes in what organisations uploaded —
//! submissions into the review queue, 机考 results into item analysis — each upload's outcome
//! audited and sent back with the next outbox.

use super::StoreConfig;
use super::files::{read_regular, write_file};
use super::org::{catalog_of, now, organisations};
use super::sitting::SittingRecord;
use crate::error::{Error, Result};
use crate::model::OrgStatus;
use crate::package::bundle::{self, Direction, Part};
use crate::package::person::PersonPublic;
use crate::portal::crossing::{
    Enrolment, InboxMeta, OutboxMeta, PartKind, Receipt, SittingInfo, Upload,
};
use crate::store::{AuditEvent, Vault};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The record holding the pinned portal key.
const PORTAL_KEY: &str = "k/portal";
/// Received uploads: `i/<inbox seq:08>/<upload id:010>`, the sealed bytes as they came.
const RECEIVED: &str = "i/";
/// What became of each upload whose workflow changed the vault, written in that workflow's own
/// commit: `it/<portal fingerprint>/<inbox seq:08>/<upload:010>`. An inbox killed before its
/// own commit is imported again without taking those uploads twice.
const TAKEN: &str = "it/";
/// The largest bundle read (packages of a large sitting).
const MAX_BUNDLE: usize = 4 << 30;

/// The portal's signing key, as the vault keeps it.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct PinnedPortal {
    public_key: String,
    fingerprint: String,
    pinned: String,
}

/// An upload kept in the vault after an inbox (`i/…`): what it was and its sealed bytes.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Received {
    upload: Upload,
    kind: PartKind,
    #[serde(with = "b64")]
    bytes: Vec<u8>,
}

mod b64 {
    use base64ct::{Base64, Encoding};
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&Base64::encode_string(b))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        Base64::decode_vec(&s).map_err(serde::de::Error::custom)
    }
}

/// What `pin` did.
#[derive(Debug, Serialize)]
pub struct PortalPinned {
    pub fingerprint: String,
    /// False when this key was pinned already.
    pub changed: bool,
}

/// Pins the portal's signing key (its `portal.pub`), checked against the fingerprint the
/// portal's set-up printed (read over a channel other than the file). Audited.
pub fn pin(cfg: &StoreConfig, key: &Path, fingerprint: &str) -> Result<PortalPinned> {
    let (_, public) = PersonPublic::read(key)?;
    let fp = public.fingerprint();
    if !fp.eq_ignore_ascii_case(fingerprint.trim()) {
        return Err(Error::PackageRefused(format!(
            "{}: 门户公钥的指纹为 {fp}，与给出的 {} 不符；未固定",
            key.display(),
            fingerprint.trim()
        )));
    }
    let mut vault = cfg.open()?;
    if let Some(p) = vault.get_record::<PinnedPortal>(PORTAL_KEY)?
        && p.fingerprint == fp
    {
        return Ok(PortalPinned {
            fingerprint: fp,
            changed: false,
        });
    }
    let rec = PinnedPortal {
        public_key: public.hex(),
        fingerprint: fp.clone(),
        pinned: now(),
    };
    let put = vault.put_record(PORTAL_KEY, &rec)?;
    vault.commit(
        vec![put],
        AuditEvent::new("portal-pin", json!({ "fingerprint": fp })),
    )?;
    Ok(PortalPinned {
        fingerprint: fp,
        changed: true,
    })
}

/// What `outbox` needs besides the vault.
#[derive(Clone, Debug, Default)]
pub struct OutboxOptions {
    pub out: PathBuf,
    /// Folders holding the sealed packages `qbank sitting` wrote (matched by SHA-256).
    pub packages: Vec<PathBuf>,
    /// Organisations to issue an administrator's enrolment code to.
    pub enrol: Vec<String>,
    /// Where the enrolment letters are written (0600), one per organisation.
    pub letters: Option<PathBuf>,
}

/// What `outbox` wrote.
#[derive(Debug, Serialize)]
pub struct OutboxOutcome {
    pub file: PathBuf,
    pub seq: u64,
    pub sha256: String,
    pub bytes: u64,
    pub sittings: Vec<String>,
    /// Sittings left out: no package file of theirs was in the folders given.
    pub skipped: Vec<String>,
    pub packages: usize,
    pub releases: usize,
    pub receipts: usize,
    /// (organisation, letter file) per enrolment code issued.
    pub letters: Vec<(String, PathBuf)>,
}

/// Eighteen characters from an alphabet without look-alikes, in groups of six
/// (`K7WQ3M-…`): about 90 bits.
fn enrolment_code() -> Result<String> {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    let mut b = [0u8; 18];
    getrandom::fill(&mut b).map_err(|e| Error::Crypto(format!("系统随机数不可用：{e}")))?;
    let s: String = b
        .iter()
        .map(|x| char::from(ALPHABET[*x as usize % ALPHABET.len()]))
        .collect();
    Ok(format!("{}-{}-{}", &s[..6], &s[6..12], &s[12..]))
}

fn audit_details(vault: &Vault, op: &str) -> Result<Vec<serde_json::Value>> {
    Ok(vault
        .audit_entries()?
        .into_iter()
        .filter(|e| e.op == op)
        .map(|e| e.details)
        .collect())
}

/// Every receipt recorded by earlier inbox imports from the portal whose key is `portal` (a
/// portal set up again counts its inboxes and uploads from 1), the newest inbox's sequence
/// number, and each inbox's digest.
fn receipts(
    vault: &Vault,
    portal: Option<&str>,
) -> Result<(Vec<Receipt>, u64, BTreeMap<u64, String>)> {
    let mut out = Vec::new();
    let mut last = 0;
    let mut digests = BTreeMap::new();
    let Some(portal) = portal else {
        return Ok((out, last, digests));
    };
    for d in audit_details(vault, "portal-inbox")? {
        if d["portal"].as_str() != Some(portal) {
            continue;
        }
        let seq = d["seq"].as_u64().unwrap_or(0);
        last = last.max(seq);
        digests.insert(seq, d["sha256"].as_str().unwrap_or("").to_string());
        if let Ok(r) = serde_json::from_value::<Vec<Receipt>>(d["receipts"].clone()) {
            out.extend(r);
        }
    }
    Ok((out, last, digests))
}

/// Writes the outbox: everything the portal may hold, signed by the bureau.
pub fn outbox(cfg: &StoreConfig, opts: &OutboxOptions) -> Result<OutboxOutcome> {
    let mut vault = cfg.open()?;
    let orgs = organisations(&vault)?;
    // every package file in the folders given, by digest
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for dir in &opts.packages {
        let entries = std::fs::read_dir(dir).map_err(|e| Error::io("read folder", dir, e))?;
        for e in entries {
            let p = e.map_err(|e| Error::io("read folder", dir, e))?.path();
            if p.extension().is_some_and(|x| x == "qpkg") {
                let bytes = read_regular(&p, MAX_BUNDLE)?;
                files.insert(bundle::sha256_hex(&bytes), bytes);
            }
        }
    }
    let mut parts = vec![
        Part {
            name: "catalog.json".into(),
            kind: PartKind::Catalog.as_str().into(),
            bytes: serde_json::to_vec_pretty(&catalog_of(&vault, &orgs)?)
                .expect("catalog serialises"),
        },
        Part {
            name: "bureau.pub".into(),
            kind: PartKind::BureauKey.as_str().into(),
            bytes: vault.bureau_file_text()?.into_bytes(),
        },
    ];
    let mut sittings = Vec::new();
    let mut skipped = Vec::new();
    let (mut packages, mut releases) = (0, 0);
    for (_, rec) in vault.records::<SittingRecord>("t/")? {
        let id = rec.plan.id.clone();
        let found: Vec<_> = rec
            .packages
            .iter()
            .map(|p| (p, files.get(&p.sha256)))
            .collect();
        if found.iter().all(|(_, f)| f.is_none()) {
            skipped.push(id);
            continue;
        }
        if let Some((p, _)) = found.iter().find(|(_, f)| f.is_none()) {
            return Err(Error::Usage(format!(
                "考试 {id} 的机构 {} 的封装包（{}）不在所给文件夹中，或已被改动；请用 --packages 指向 qbank sitting 写出的 packages 文件夹",
                p.organisation, p.file
            )));
        }
        let mut info = SittingInfo {
            id: id.clone(),
            title: rec.plan.title.clone(),
            start: rec.plan.start.clone(),
            end: rec.plan.end.clone(),
            keys_at: rec.plan.keys_at().to_string(),
            packages: Vec::new(),
            papers_release: None,
            keys_release: None,
        };
        for (p, bytes) in found {
            let name = format!("packages/{id}/{}.qpkg", p.organisation);
            info.packages.push((p.organisation.clone(), name.clone()));
            parts.push(Part {
                name,
                kind: PartKind::Package.as_str().into(),
                bytes: bytes.expect("checked above").clone(),
            });
            packages += 1;
        }
        for (release, kind, slot) in [
            (
                &rec.release,
                PartKind::PapersRelease,
                &mut info.papers_release,
            ),
            (
                &rec.keys_release,
                PartKind::KeysRelease,
                &mut info.keys_release,
            ),
        ] {
            if let Some(r) = release {
                let name = format!("releases/{id}/{}.json", kind.as_str());
                *slot = Some(name.clone());
                parts.push(Part {
                    name,
                    kind: kind.as_str().into(),
                    bytes: r.file.clone().into_bytes(),
                });
                releases += 1;
            }
        }
        sittings.push(info);
    }
    // enrolment codes: each organisation named must be registered and in good standing
    let mut enrolments = Vec::new();
    let mut codes = Vec::new();
    let issued = now();
    let expires = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_hours(
            24 * crate::portal::rules::ENROL_DAYS,
        ))
        .map_err(|e| Error::Usage(e.to_string()))?
        .round(jiff::Unit::Second)
        .map_err(|e| Error::Usage(e.to_string()))?
        .to_string();
    if !opts.enrol.is_empty() && opts.letters.is_none() {
        return Err(Error::Usage(
            "发放机构管理员注册码需要 --letters 文件夹（注册码只写入其中的通知函）".into(),
        ));
    }
    for id in &opts.enrol {
        let org = orgs
            .iter()
            .find(|o| &o.id == id)
            .ok_or_else(|| Error::Usage(format!("机构 {id} 未登记，不能发放注册码")))?;
        if org.status == OrgStatus::Suspended {
            return Err(Error::Usage(format!("机构 {id} 已被暂停，不能发放注册码")));
        }
        let code = zeroize::Zeroizing::new(enrolment_code()?);
        enrolments.push(Enrolment {
            organisation: id.clone(),
            code_hash: super::phc::hash(&code)?,
            issued: issued.clone(),
            expires: expires.clone(),
        });
        codes.push((org.clone(), code));
    }
    let pinned = vault.get_record::<PinnedPortal>(PORTAL_KEY)?;
    let (receipts, inbox_seq, _) =
        receipts(&vault, pinned.as_ref().map(|p| p.fingerprint.as_str()))?;
    let meta = OutboxMeta {
        sittings: sittings.clone(),
        enrolments,
        receipts: receipts.clone(),
        inbox_seq,
    };
    let seq = audit_details(&vault, "portal-outbox")?.len() as u64 + 1;
    let bureau = vault.bureau_key()?;
    let made = now();
    let bytes = bundle::write(
        Direction::Outbox,
        seq,
        &made,
        &bureau.public().fingerprint(),
        &meta,
        &parts,
        |d, m| bureau.sign(d, m),
    );
    let sha256 = bundle::sha256_hex(&bytes);
    // letters first (a code that is never written must not be valid), then the bundle, then
    // the audit entry naming both
    let mut letters = Vec::new();
    if let Some(dir) = &opts.letters {
        for (org, code) in &codes {
            let p = dir.join(format!("{}-注册码.txt", org.id));
            let text = zeroize::Zeroizing::new(format!(
                "{name}（备案号 {id}）：\n\n贵机构在职业技能等级认定门户的管理员注册码为\n\n    {code}\n\n请由机构管理员在门户的「机构管理员注册」页面输入备案号与此注册码，设置登录名和密码。\n注册码只能使用一次，{expires} 前有效；请勿转交他人。\n\n{authority}\n{issued}\n",
                name = org.name,
                id = org.id,
                code = code.as_str(),
                expires = super::org::beijing_time(&expires),
                authority = "江苏省职业技能鉴定中心",
                issued = super::org::beijing_time(&issued),
            ));
            write_file(&p, text.as_bytes())?;
            letters.push((org.id.clone(), p));
        }
    }
    write_file(&opts.out, &bytes)?;
    vault.commit(
        Vec::new(),
        AuditEvent::new(
            "portal-outbox",
            json!({
                "seq": seq,
                "sha256": sha256,
                "sittings": sittings.iter().map(|s| &s.id).collect::<Vec<_>>(),
                "packages": packages,
                "releases": releases,
                "enrolled": opts.enrol,
                "receipts": receipts.len(),
            }),
        ),
    )?;
    Ok(OutboxOutcome {
        file: opts.out.clone(),
        seq,
        sha256,
        bytes: bytes.len() as u64,
        sittings: sittings.into_iter().map(|s| s.id).collect(),
        skipped,
        packages,
        releases,
        receipts: receipts.len(),
        letters,
    })
}

/// What `inbox` did.
#[derive(Debug, Serialize)]
pub struct InboxOutcome {
    pub seq: u64,
    /// This inbox was imported before: nothing changed.
    pub again: bool,
    pub receipts: Vec<Receipt>,
    /// Item analysis over every 机考 result received so far, when this inbox brought any.
    #[serde(skip)]
    pub analysis: Option<super::analysis::AnalysisOutcome>,
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
                match super::submission::import_marked(cfg, &path, threshold, &mark) {
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
    super::fault::point("portal-inbox:uploads-taken");
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
        Some(super::analysis::run(cfg, &paths, &[], thresholds)?)
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

fn queued_text(o: &super::submission::SubmissionOutcome) -> String {
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
        crate::package::upload::UploadKind::Submission => super::submission::import_attested(
            cfg,
            &meta.organisation,
            &meta.as_submission(),
            &payload,
            threshold,
            Some(mark),
        )
        .map(|o| queued_text(&o)),
        crate::package::upload::UploadKind::Feedback => {
            let o =
                super::feedback::import_feedback_bytes(cfg, &meta.file_name, &payload, Some(mark))?;
            Ok(feedback_text(o.imported, o.already))
        }
        crate::package::upload::UploadKind::Responses => {
            let vault = cfg.open()?;
            super::org::registered_public(&vault, &meta.organisation, "作答数据")?;
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
        super::org::registered_public(&vault, id, "机考成绩").map(|(_, pk)| pk)
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
    super::files::create_private_dir(&dir)?;
    Ok(dir)
}
