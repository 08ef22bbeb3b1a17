//! The bureau's people with registered identities (人员登记): reviewers and operators, each with
//! a personal Ed25519 key made on their own medium (`keygen`) and registered here by its public
//! half (`add`), listed, and revoked. Review decisions are signed with these keys and checked
//! against the registration (`ops::submission::review`).

use super::StoreConfig;
use super::org::now;
use crate::error::{Error, Result};
use crate::model::is_valid_org_id;
use crate::package::person::{PersonPublic, PersonSecret};
use crate::store::{AuditEvent, Vault};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::path::{Path, PathBuf};

/// What a registered person may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Reviews submitted items (四眼原则: two different reviewers accept).
    Reviewer,
    /// Runs the vault's operations.
    Operator,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "reviewer" | "审核员" => Some(Role::Reviewer),
            "operator" | "操作员" => Some(Role::Operator),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Role::Reviewer => "审核员",
            Role::Operator => "操作员",
        }
    }
}

/// A registered person (`p/<id>`, sealed: the name is personal data).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub roles: Vec<Role>,
    /// Ed25519 public key (hex) and its fingerprint.
    pub public_key: String,
    pub key_fingerprint: String,
    pub registered: String,
    /// Set when revoked: the key signs nothing from then on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked: Option<String>,
}

fn person_key(id: &str) -> String {
    format!("p/{id}")
}

/// Every registered person, by id.
pub fn people(vault: &Vault) -> Result<Vec<Person>> {
    Ok(vault
        .records::<Person>("p/")?
        .into_iter()
        .map(|(_, p)| p)
        .collect())
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

/// The registered, unrevoked person with `role` whose key `secret` is: the key file's person
/// must be registered, and its public key must be the one registered for that person.
pub(crate) fn verified(vault: &Vault, secret: &PersonSecret, role: Role) -> Result<Person> {
    let id = &secret.person;
    let p: Person = vault.get_record(&person_key(id))?.ok_or_else(|| {
        Error::Identity(format!(
            "人员 {id} 未在本库登记（qbank person add）；其签名不予认可"
        ))
    })?;
    if p.public_key != secret.public().hex() {
        return Err(Error::Identity(format!(
            "所给密钥（指纹 {}）不是人员 {id} 登记的密钥（指纹 {}）；拒绝（冒用身份）",
            secret.public().fingerprint(),
            p.key_fingerprint
        )));
    }
    if p.revoked.is_some() {
        return Err(Error::Identity(format!("人员 {id} 的密钥已被吊销")));
    }
    if !p.roles.contains(&role) {
        return Err(Error::Identity(format!(
            "人员 {id} 未登记为{}",
            role.name()
        )));
    }
    Ok(p)
}
