//! `qbank portal`: the vault's side of the air gap. `pin` records the portal's signing key;
//! `outbox` writes the signed bundle the portal imports (catalog, bureau keys, each sitting's
//! packages and issued releases, enrolment codes' hashes, what became of earlier uploads);
//! `inbox` (`inbox.rs`) verifies a bundle the portal exported and takes in what organisations uploaded —
//! submissions into the review queue, 机考 results into item analysis — each upload's outcome
//! audited and sent back with the next outbox.

mod inbox;

pub use inbox::{InboxOutcome, inbox};

use super::StoreConfig;
use super::files::{read_regular, write_file};
use super::org::{catalog_of, now, organisations};
use super::sitting::SittingRecord;
use crate::error::{Error, Result};
use crate::model::OrgStatus;
use crate::package::bundle::{self, Direction, Part};
use crate::package::person::PersonPublic;
use crate::portal::crossing::{Enrolment, OutboxMeta, PartKind, Receipt, SittingInfo, Upload};
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
