//! The catalog of evaluation organisations (目录管理): add, list, show, suspend, reinstate,
//! and publish the public catalog (JSON, CSV, HTML) with the bureau's public key. Organisation
//! keys are made on the organisation's side (`keygen`); only public keys enter the vault.

use super::StoreConfig;
use super::files::write_file;
use crate::error::{Error, Result};
use crate::model::{
    Grade, OccupationCode, OrgCategory, OrgKind, OrgStatus, Organisation, StatusChange,
    is_valid_org_id,
};
use crate::package::keys::{BureauPin, OrgSecret, read_org_public};
use crate::store::{AuditEvent, Vault};
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What the bureau enters for a new organisation.
pub struct NewOrg {
    pub id: String,
    pub name: String,
    pub kind: OrgKind,
    pub category: OrgCategory,
    pub region: String,
    pub certify: Vec<(OccupationCode, Vec<Grade>)>,
    /// The `.pub` file the organisation sent.
    pub public_key: PathBuf,
}

fn org_key(id: &str) -> String {
    format!("o/{id}")
}

/// The organisation `id` names in the catalog and its registered X25519 key, for checking the
/// origin of a file it sealed to the bureau; an unknown one is refused (`what`: the file's kind,
/// as the message names it).
pub(crate) fn registered_public(
    vault: &Vault,
    id: &str,
    what: &str,
) -> Result<(Organisation, crate::package::keys::OrgPublic)> {
    let org: Organisation = vault.get_record(&org_key(id))?.ok_or_else(|| {
        Error::PackageRefused(format!(
            "{what}所称机构 {id} 未在目录中登记，已拒收，未存储任何内容"
        ))
    })?;
    let pk = hex::decode(&org.public_key)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
        .map(crate::package::keys::OrgPublic)
        .ok_or_else(|| Error::Corrupt {
            record: org_key(id),
            reason: "登记的机构公钥不是 32 字节的十六进制".into(),
        })?;
    Ok((org, pk))
}

pub(crate) fn now() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .unwrap_or_else(|_| jiff::Timestamp::now())
        .to_string()
}

/// Every organisation in the catalog, by id.
pub fn organisations(vault: &Vault) -> Result<Vec<Organisation>> {
    Ok(vault
        .records::<Organisation>("o/")?
        .into_iter()
        .map(|(_, o)| o)
        .collect())
}

fn find(vault: &Vault, id: &str) -> Result<Organisation> {
    vault
        .get_record::<Organisation>(&org_key(id))?
        .ok_or_else(|| Error::NotFound {
            what: "organisation",
            id: id.to_string(),
        })
}

/// Registers an organisation with its public key.
pub fn add(cfg: &StoreConfig, new: NewOrg) -> Result<Organisation> {
    if !is_valid_org_id(&new.id) {
        return Err(Error::Usage(format!(
            "organisation id `{}` must be 3–32 ASCII letters, digits or '-' (the 备案号, e.g. S000032100001)",
            new.id
        )));
    }
    if new.name.trim().is_empty() || new.region.trim().is_empty() {
        return Err(Error::Usage("name and region must not be empty".into()));
    }
    if new.certify.is_empty() {
        return Err(Error::Usage(
            "give at least one --certify OCCUPATION:LEVELS (e.g. 6-31-01-03:4,3)".into(),
        ));
    }
    let (key_org, pk) = read_org_public(&new.public_key)?;
    if key_org != new.id {
        return Err(Error::Usage(format!(
            "{} is the public key of organisation {key_org}, not {}",
            new.public_key.display(),
            new.id
        )));
    }
    let mut vault = cfg.open()?;
    if vault
        .get_record::<Organisation>(&org_key(&new.id))?
        .is_some()
    {
        return Err(Error::Exists {
            what: "organisation",
            id: new.id,
        });
    }
    let standards = vault.standards()?;
    let mut certify = BTreeMap::new();
    for (occ, levels) in new.certify {
        if !standards.iter().any(|s| s.occupation.code == occ) {
            return Err(Error::Usage(format!(
                "the store has no standard for occupation {occ}; import it before registering organisations for it"
            )));
        }
        certify.entry(occ).or_insert_with(Vec::new).extend(levels);
    }
    for l in certify.values_mut() {
        l.sort();
        l.dedup();
    }
    let at = now();
    let org = Organisation {
        id: new.id.clone(),
        name: new.name,
        kind: new.kind,
        category: new.category,
        region: new.region,
        certify,
        status: OrgStatus::Active,
        public_key: pk.hex(),
        key_fingerprint: pk.fingerprint(),
        registered: at.clone(),
        history: vec![StatusChange {
            at,
            status: OrgStatus::Active,
            reason: "备案登记".into(),
            by: crate::store::audit::default_actor(),
        }],
    };
    let put = vault.put_record(&org_key(&org.id), &org)?;
    vault.commit(
        vec![put],
        AuditEvent::new(
            "org-add",
            json!({ "organisation": org.id, "key": org.key_fingerprint, "certify": org.certify }),
        ),
    )?;
    Ok(org)
}

pub fn list(cfg: &StoreConfig) -> Result<Vec<Organisation>> {
    organisations(&cfg.open()?)
}

pub fn show(cfg: &StoreConfig, id: &str) -> Result<Organisation> {
    find(&cfg.open()?, id)
}

/// Suspends or reinstates an organisation, with a reason kept in its history.
pub fn set_status(
    cfg: &StoreConfig,
    id: &str,
    status: OrgStatus,
    reason: &str,
) -> Result<Organisation> {
    if reason.trim().is_empty() {
        return Err(Error::Usage("give a --reason".into()));
    }
    let mut vault = cfg.open()?;
    let mut org = find(&vault, id)?;
    if org.status == status {
        return Err(Error::Usage(format!(
            "organisation {id} is already {}",
            org.status.name()
        )));
    }
    org.status = status;
    org.history.push(StatusChange {
        at: now(),
        status,
        reason: reason.to_string(),
        by: crate::store::audit::default_actor(),
    });
    let put = vault.put_record(&org_key(id), &org)?;
    let op = match status {
        OrgStatus::Suspended => "org-suspend",
        OrgStatus::Active => "org-reinstate",
    };
    vault.commit(
        vec![put],
        AuditEvent::new(
            op,
            json!({ "organisation": id, "reason_record": org_key(id) }),
        ),
    )?;
    Ok(org)
}

/// What `org suspend` did.
#[derive(Debug, Serialize)]
pub struct SuspendOutcome {
    pub organisation: Organisation,
    /// Sealed sittings not yet released that issued it a package: their releases will leave it
    /// out, so those packages stay shut.
    pub affected: Vec<String>,
}

/// Suspends an organisation and names the sealed, unreleased sittings this revokes.
pub fn suspend(cfg: &StoreConfig, id: &str, reason: &str) -> Result<SuspendOutcome> {
    let organisation = set_status(cfg, id, OrgStatus::Suspended, reason)?;
    let vault = cfg.open()?;
    let affected = super::sitting::unreleased_for(&vault, id)?;
    Ok(SuspendOutcome {
        organisation,
        affected,
    })
}

/// Makes an organisation's key pair on its own machine: `<dir>/<id>.key` (secret, 0600) and
/// `<dir>/<id>.pub` (to send to the bureau). No store is involved.
pub fn keygen(id: &str, dir: &Path) -> Result<(PathBuf, PathBuf, String)> {
    if !is_valid_org_id(id) {
        return Err(Error::Usage(format!(
            "organisation id `{id}` must be 3–32 ASCII letters, digits or '-'"
        )));
    }
    let k = OrgSecret::generate(id)?;
    let fp = k.public()?.fingerprint();
    let (a, b) = k.write_pair(dir)?;
    Ok((a, b, fp))
}

/// One row of the public catalog.
#[derive(Serialize, serde::Deserialize)]
pub struct CatalogRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub category: String,
    pub region: String,
    pub status: String,
    /// `6-31-01-03: 五级 四级` per occupation.
    pub certify: Vec<String>,
    pub key_fingerprint: String,
    pub public_key: String,
}

#[derive(Serialize, serde::Deserialize)]
pub struct Catalog {
    pub published: String,
    pub bureau_key: String,
    pub organisations: Vec<CatalogRow>,
}

/// What `catalog publish` wrote.
#[derive(Serialize)]
pub struct Published {
    pub files: Vec<PathBuf>,
    pub organisations: usize,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The public catalog as of now: registered facts and public keys of every organisation.
pub(crate) fn catalog_of(vault: &Vault, orgs: &[Organisation]) -> Result<Catalog> {
    let bureau = vault.bureau_public()?;
    let rows: Vec<CatalogRow> = orgs
        .iter()
        .map(|o| CatalogRow {
            id: o.id.clone(),
            name: o.name.clone(),
            kind: format!("{:?} {}", o.kind, o.kind.name()),
            category: o.category.name().into(),
            region: o.region.clone(),
            status: o.status.name().into(),
            certify: o
                .certify
                .iter()
                .map(|(occ, ls)| {
                    let names: Vec<String> = ls.iter().map(|l| l.to_string()).collect();
                    format!("{occ}: {}", names.join(" "))
                })
                .collect(),
            key_fingerprint: o.key_fingerprint.clone(),
            public_key: o.public_key.clone(),
        })
        .collect();
    Ok(Catalog {
        published: now(),
        bureau_key: bureau.hex(),
        organisations: rows,
    })
}

/// Writes the public catalog (目录公开发布) into `out`: catalog.json, catalog.csv, catalog.html and
/// bureau.pub. Only registered facts and public keys; nothing from the bank.
pub fn publish(cfg: &StoreConfig, out: &Path) -> Result<Published> {
    let vault = cfg.open()?;
    let bureau = vault.bureau_public()?;
    let orgs = organisations(&vault)?;
    let catalog = catalog_of(&vault, &orgs)?;
    std::fs::create_dir_all(out).map_err(|e| Error::io("create folder", out, e))?;
    let mut files = Vec::new();
    let mut put = |name: &str, bytes: &[u8]| -> Result<()> {
        let p = out.join(name);
        write_file(&p, bytes)?;
        files.push(p);
        Ok(())
    };
    let mut jsonb = serde_json::to_vec_pretty(&catalog).expect("catalog serialises");
    jsonb.push(b'\n');
    put("catalog.json", &jsonb)?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let csv_err = |e: csv::Error| Error::Usage(format!("csv: {e}"));
    w.write_record([
        "备案号",
        "名称",
        "类型",
        "类别",
        "地区",
        "状态",
        "认定职业及等级",
        "公钥指纹",
    ])
    .map_err(csv_err)?;
    for r in &catalog.organisations {
        w.write_record([
            &r.id,
            &r.name,
            &r.kind,
            &r.category,
            &r.region,
            &r.status,
            &r.certify.join("; "),
            &r.key_fingerprint,
        ])
        .map_err(csv_err)?;
    }
    let mut csvb = "\u{feff}".as_bytes().to_vec(); // BOM: Excel opens UTF-8 Chinese correctly
    csvb.extend(
        w.into_inner()
            .map_err(|e| Error::Usage(format!("csv: {e}")))?,
    );
    put("catalog.csv", &csvb)?;
    let names: BTreeMap<String, String> = vault
        .standards()?
        .into_iter()
        .map(|st| (st.occupation.code.to_string(), st.occupation.name))
        .collect();
    let html = catalog_html(&catalog, &orgs, &names, &bureau.fingerprint());
    put("catalog.html", html.as_bytes())?;
    put("bureau.pub", vault.bureau_file_text()?.as_bytes())?;
    Ok(Published {
        files,
        organisations: catalog.organisations.len(),
    })
}

/// Who issues the catalog, printed in its heading.
const AUTHORITY: &str = "江苏省人力资源和社会保障厅";

/// An RFC 3339 time as Beijing time (UTC+8, no daylight saving), e.g. "2026年12月1日 22:24（北京时间）".
pub fn beijing_time(rfc3339: &str) -> String {
    match rfc3339.parse::<jiff::Timestamp>() {
        Ok(t) => {
            let z = t.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)));
            format!(
                "{}年{}月{}日 {:02}:{:02}（北京时间）",
                z.year(),
                z.month(),
                z.day(),
                z.hour(),
                z.minute()
            )
        }
        Err(_) => rfc3339.to_string(),
    }
}

/// The public catalog as a printable A4 document: the issuing authority, the publication time
/// in Beijing time, each organisation's occupations by name and code with their levels.
fn catalog_html(
    catalog: &Catalog,
    orgs: &[Organisation],
    names: &BTreeMap<String, String>,
    bureau_fingerprint: &str,
) -> String {
    let mut html = format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>职业技能等级认定评价机构目录</title>\n\
         <style>@page {{ size: A4 landscape; margin: 15mm 12mm 16mm 12mm;\n  \
         @bottom-center {{ content: \"第 \" counter(page) \" 页　共 \" counter(pages) \" 页\"; font-size: 9pt; }} }}\n\
         html{{font-family:\"SimSun\",\"Noto Serif CJK SC\",serif;font-size:10pt;line-height:1.5}}\
         body{{margin:0 auto;max-width:273mm}}h1{{text-align:center;font-size:16pt;margin:0.2em 0}}.meta{{text-align:center;margin:0.2em 0}}\
         table{{border-collapse:collapse;width:100%;margin-top:0.6em}}thead{{display:table-header-group}}tr{{break-inside:avoid;page-break-inside:avoid}}\
         th,td{{border:1px solid #000;padding:3px 5px;vertical-align:top}}th{{background:#eee}}\
         .suspended td{{color:#666}}code{{font-size:8.5pt}}.nw{{white-space:nowrap}}.small{{font-size:8.5pt}}\
         @media screen {{ body {{ padding: 1em; }} }}</style></head><body>\n\
         <h1>职业技能等级认定评价机构目录</h1>\n<p class=\"meta\">发布机关：{}　发布时间：{}</p>\n\
         <p class=\"meta small\">发布机关签名公钥指纹：<code>{}</code>（评价机构核对后固定于本机构密钥文件）</p>\n<table>\n\
         <thead><tr><th>序号</th><th>备案号</th><th>名称</th><th>类型</th><th>类别</th><th>地区</th><th>认定职业（工种）及等级</th><th>状态</th><th>公钥指纹</th></tr></thead><tbody>\n",
        esc(AUTHORITY),
        esc(&beijing_time(&catalog.published)),
        esc(bureau_fingerprint)
    );
    for (i, (r, o)) in catalog.organisations.iter().zip(orgs).enumerate() {
        let class = if r.status == OrgStatus::Suspended.name() {
            " class=\"suspended\""
        } else {
            ""
        };
        let certify: Vec<String> = o
            .certify
            .iter()
            .map(|(occ, ls)| {
                let code = occ.to_string();
                let levels: Vec<String> = ls.iter().map(|l| l.to_string()).collect();
                let name = names
                    .get(&code)
                    .map_or_else(String::new, |n| format!("{n}（{code}）"));
                let name = if name.is_empty() { code } else { name };
                format!("{}：{}", esc(&name), esc(&levels.join("、")))
            })
            .collect();
        html += &format!(
            "<tr{class}><td>{}</td><td class=\"nw\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"nw\">{}</td><td><code>{}</code></td></tr>\n",
            i + 1,
            esc(&r.id),
            esc(&r.name),
            esc(o.kind.name()),
            esc(&r.category),
            esc(&r.region),
            certify.join("<br>"),
            esc(&r.status),
            esc(&r.key_fingerprint)
        );
    }
    html += "</tbody></table>\n</body></html>\n";
    html
}

/// Writes the bureau's public key file.
pub fn export_bureau_key(cfg: &StoreConfig, out: &Path) -> Result<String> {
    let vault = cfg.open()?;
    let pk = vault.bureau_public()?;
    write_file(out, vault.bureau_file_text()?.as_bytes())?;
    Ok(pk.fingerprint())
}

/// The pin of the bureau's keys (64 hex digits): the bureau hands it to each organisation at
/// registration, by a channel other than the files it later sends (the 备案 certificate).
pub fn bureau_pin(cfg: &StoreConfig) -> Result<String> {
    let vault = cfg.open()?;
    Ok(BureauPin {
        signing: vault.bureau_public()?,
        encryption: vault.bureau_encryption_key()?.public()?,
    }
    .fingerprint())
}

/// What `org pin` did.
#[derive(Debug, Serialize)]
pub struct Pinned {
    pub organisation: String,
    pub pin: String,
    /// False when the key file already pinned these keys.
    pub changed: bool,
}

/// On the organisation's side: checks `bureau_pub` against the pin the bureau gave at
/// registration and records both bureau keys in the organisation's key file. From then on
/// `unseal` and `submission seal` use the pinned keys only. No store is involved.
pub fn pin(org_key: &Path, bureau_pub: &Path, fingerprint: &str) -> Result<Pinned> {
    let org = OrgSecret::read(org_key)?;
    let found = BureauPin::read(bureau_pub)?;
    if !found.matches(fingerprint) {
        return Err(Error::PackageRefused(format!(
            "{}: 该鉴定中心公钥的固定值为 {}，与登记时给出的固定值不符；未固定（公钥可能被替换）",
            bureau_pub.display(),
            found.fingerprint()
        )));
    }
    let changed = OrgSecret::pin_into(org_key, &found)?;
    Ok(Pinned {
        organisation: org.organisation.clone(),
        pin: found.fingerprint(),
        changed,
    })
}
