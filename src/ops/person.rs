//! The bureau's people with registered identities (人员登记): reviewers and operators, each with
//! a personal Ed25519 key made on their own medium (`keygen`) and registered here by its public
//! half (`add`), listed, and revoked. Review decisions are signed with these keys and checked
//! against the registration (`ops::submission::review`); once an operator is registered, every
//! audited change is signed by an operator's key (`store::signers`). The first operator may be
//! registered unsigned; the last unrevoked operator cannot be revoked.

use super::StoreConfig;
use super::org::now;
use crate::error::{Error, Result};
use crate::model::is_valid_org_id;
pub use crate::model::{Person, Role};
use crate::package::person::{PersonPublic, PersonSecret};
use crate::store::{AuditEvent, Vault};
use serde_json::json;
use std::path::{Path, PathBuf};

fn person_key(id: &str) -> String {
    format!("p/{id}")
}

/// Every registered person, by id.
pub fn people(vault: &Vault) -> Result<Vec<Person>> {
    vault.people()
}

/// Makes a person's key pair on their own medium: `<dir>/<id>.key` (0600) and `<dir>/<id>.pub`.
pub fn keygen(id: &str, dir: &Path) -> Result<(PathBuf, PathBuf, String)> {
    if !is_valid_org_id(id) {
        return Err(Error::Usage(format!(
            "人员编号 `{id}` 须为 3–32 个 ASCII 字母、数字或 '-'"
        )));
    }
    let k = PersonSecret::generate(id)?;
    let fp = k.public().fingerprint();
    let (a, b) = k.write_pair(dir)?;
    Ok((a, b, fp))
}

/// Registers a person with the public key file they made. One key belongs to one person: a key
/// already registered (to anyone) is refused, so one person cannot be two reviewers.
pub fn add(
    cfg: &StoreConfig,
    id: &str,
    name: &str,
    roles: &[Role],
    public: &Path,
) -> Result<Person> {
    if !is_valid_org_id(id) {
        return Err(Error::Usage(format!(
            "人员编号 `{id}` 须为 3–32 个 ASCII 字母、数字或 '-'"
        )));
    }
    if name.trim().is_empty() || roles.is_empty() {
        return Err(Error::Usage("give --name and at least one --role".into()));
    }
    let (key_id, pk) = PersonPublic::read(public)?;
    if key_id != id {
        return Err(Error::Usage(format!(
            "{} 是人员 {key_id} 的公钥，不是 {id} 的",
            public.display()
        )));
    }
    let mut vault = cfg.open()?;
    if vault.get_record::<Person>(&person_key(id))?.is_some() {
        return Err(Error::Exists {
            what: "person",
            id: id.into(),
        });
    }
    if let Some(other) = people(&vault)?
        .into_iter()
        .find(|p| p.public_key == pk.hex())
    {
        return Err(Error::Usage(format!(
            "该公钥（指纹 {}）已登记为人员 {} 的密钥；一人一钥，不能以两个身份登记",
            pk.fingerprint(),
            other.id
        )));
    }
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    let p = Person {
        id: id.into(),
        name: name.into(),
        roles,
        public_key: pk.hex(),
        key_fingerprint: pk.fingerprint(),
        registered: now(),
        revoked: None,
    };
    let put = vault.put_record(&person_key(id), &p)?;
    vault.commit(
        vec![put],
        AuditEvent::new(
            "person-add",
            json!({ "person": p.id, "key": p.key_fingerprint, "roles": p.roles }),
        ),
    )?;
    Ok(p)
}

pub fn list(cfg: &StoreConfig) -> Result<Vec<Person>> {
    people(&cfg.open()?)
}

/// Revokes a person's key: it signs nothing from then on (its past signatures stay recorded).
pub fn revoke(cfg: &StoreConfig, id: &str, reason: &str) -> Result<Person> {
    if reason.trim().is_empty() {
        return Err(Error::Usage("give a --reason".into()));
    }
    let mut vault = cfg.open()?;
    let mut p: Person = vault
        .get_record(&person_key(id))?
        .ok_or_else(|| Error::NotFound {
            what: "person",
            id: id.into(),
        })?;
    if p.revoked.is_some() {
        return Err(Error::Usage(format!("人员 {id} 的密钥已被吊销")));
    }
    let operators = people(&vault)?
        .into_iter()
        .filter(|o| o.has(Role::Operator) && o.revoked.is_none())
        .count();
    if p.has(Role::Operator) && operators == 1 {
        return Err(Error::Usage(format!(
            "人员 {id} 是本库唯一未吊销的操作员：吊销后任何变更都无法签名。请先登记另一名操作员（qbank person add --role operator），再吊销此密钥"
        )));
    }
    p.revoked = Some(format!("{} {}", now(), reason.trim()));
    let put = vault.put_record(&person_key(id), &p)?;
    vault.commit(
        vec![put],
        AuditEvent::new(
            "person-revoke",
            json!({ "person": id, "key": p.key_fingerprint, "reason_record": person_key(id) }),
        ),
    )?;
    Ok(p)
}

/// The registered, unrevoked person with `role` whose key `secret` is.
pub(crate) fn verified(vault: &Vault, secret: &PersonSecret, role: Role) -> Result<Person> {
    vault.registered(secret, role)
}
