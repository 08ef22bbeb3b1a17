//! Who signs the audit log. Each audited action may carry the signature of a registered person
//! (人员登记, `p/<id>`) made with their personal Ed25519 key over the entry's sequence number and
//! hash; once an operator is registered, every change must carry one, by a person whose role
//! permits the action (`Role::for_action`). `commit` checks the signer against the records
//! before it writes; `audit verify` checks every signature again over the whole log, replaying
//! the log's own `person-add` / `person-revoke` entries, so a change made with the master key
//! alone (unsigned, or signed by someone not registered at the time) shows.

use super::vault::Vault;
use crate::error::{Error, Result};
use crate::model::{Person, Role};
use crate::package::person::{PersonPublic, PersonSecret};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The domain label of a person's signature on an audit entry.
pub const PERSON_DOMAIN: &str = "qbank-audit-person/1";

/// Who signed an entry: the person's id and the fingerprint of the key that signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignerRef {
    pub person: String,
    pub key: String,
}

/// What a person signs: the entry's sequence number and hash (the entry names the signer, so
/// the hash covers who signed).
pub(super) fn person_message(seq: u64, hash: &str) -> Vec<u8> {
    let mut m = seq.to_be_bytes().to_vec();
    m.extend_from_slice(hash.as_bytes());
    m
}

fn person_key(id: &str) -> String {
    format!("p/{id}")
}

impl Vault {
    /// Signs this vault's changes from now on with `signer`'s personal key (checked at each
    /// commit against the registered people).
    pub fn sign_as(&mut self, signer: Arc<PersonSecret>) {
        self.signer = Some(signer);
    }

    /// Every registered person (revoked ones included), by id.
    pub fn people(&self) -> Result<Vec<Person>> {
        Ok(self
            .records::<Person>("p/")?
            .into_iter()
            .map(|(_, p)| p)
            .collect())
    }

    /// The registered, unrevoked person with `role` whose key `secret` is: the key file's
    /// person must be registered, and its public key must be the one registered for them.
    pub fn registered(&self, secret: &PersonSecret, role: Role) -> Result<Person> {
        let id = &secret.person;
        let p: Person = self.get_record(&person_key(id))?.ok_or_else(|| {
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
        if !p.has(role) {
            return Err(Error::Identity(format!(
                "人员 {id} 未登记为{}，不能签署此项操作",
                role.name()
            )));
        }
        Ok(p)
    }

    /// The signer of a commit of `op`. Once an operator is registered: the given key, which must
    /// belong to a registered, unrevoked person whose role permits `op` (none given is refused).
    /// Before: the given key signs if its person is registered with that role, and otherwise the
    /// entry is unsigned (so the first operator can register with their own key already set).
    pub(super) fn signer_for(&self, op: &str) -> Result<Option<(Arc<PersonSecret>, SignerRef)>> {
        let operators = self.people()?.iter().any(|p| p.has(Role::Operator));
        let Some(secret) = self.signer.clone() else {
            if operators {
                return Err(Error::Identity(
                    "本库已登记操作员：每项变更须由登记的人员以个人密钥签名（--operator-key 文件，或环境变量 QBANK_OPERATOR_KEY）；未做任何更改"
                        .into(),
                ));
            }
            return Ok(None);
        };
        let p = match self.registered(&secret, Role::for_action(op)) {
            Ok(p) => p,
            Err(_) if !operators => return Ok(None),
            Err(e) => return Err(e),
        };
        let r = SignerRef {
            person: p.id,
            key: p.key_fingerprint,
        };
        Ok(Some((secret, r)))
    }
}

/// One entry as `audit verify` sees it for its signature check.
pub(super) struct Signed<'a> {
    pub name: &'a str,
    pub seq: u64,
    pub op: &'a str,
    pub hash: &'a str,
    pub details: &'a serde_json::Value,
    pub signer: Option<&'a SignerRef>,
    pub signature: Option<&'a str>,
}

/// What the log itself says about registered people while it is walked in order.
#[derive(Default)]
pub(super) struct Registry {
    /// person → (key fingerprint, roles, entry that registered them)
    added: BTreeMap<String, (String, Vec<Role>)>,
    revoked: BTreeMap<String, u64>,
    /// The first entry that registered an operator: every later entry must be signed.
    operators_from: Option<u64>,
    /// Entries signed by a registered person.
    pub signed: u64,
}

impl Registry {
    /// Checks one entry's signature (if any) and learns from it; problems name the entry.
    pub fn check(&mut self, vault: &Vault, e: &Signed, problems: &mut Vec<String>) -> Result<()> {
        let name = e.name;
        match (e.signer, e.signature) {
            (None, Some(_)) => problems.push(format!(
                "{name}: carries a person's signature but names no signer (edited)"
            )),
            (None, None) => {
                if let Some(from) = self.operators_from {
                    problems.push(format!(
                        "{name}: not signed by a registered person, though operators are registered from entry {from} (a change made with the master key alone)"
                    ));
                }
            }
            (Some(r), sig) => {
                let ok = self.signature_ok(vault, e, r, sig.unwrap_or(""), problems)?;
                if ok {
                    self.signed += 1;
                }
            }
        }
        self.learn(e);
        Ok(())
    }

    fn signature_ok(
        &self,
        vault: &Vault,
        e: &Signed,
        r: &SignerRef,
        sig: &str,
        problems: &mut Vec<String>,
    ) -> Result<bool> {
        let name = e.name;
        let person = &r.person;
        let Some((key, roles)) = self.added.get(person) else {
            problems.push(format!(
                "{name}: signed by {person}, who was not registered before it"
            ));
            return Ok(false);
        };
        if *key != r.key {
            problems.push(format!(
                "{name}: signed by {person} with key {} but the log registered key {key}",
                r.key
            ));
            return Ok(false);
        }
        if let Some(at) = self.revoked.get(person) {
            problems.push(format!(
                "{name}: signed by {person}, whose key was revoked at entry {at}"
            ));
            return Ok(false);
        }
        let role = Role::for_action(e.op);
        if !roles.contains(&role) {
            problems.push(format!(
                "{name}: signed by {person}, who is not registered as {}",
                role.name()
            ));
            return Ok(false);
        }
        let registered: Option<Person> = vault.get_record(&person_key(person))?;
        let public = registered
            .filter(|p| p.key_fingerprint == r.key)
            .and_then(|p| PersonPublic::from_hex(&p.public_key));
        let Some(public) = public else {
            problems.push(format!(
                "{name}: the key of {person} that signed it is not the one the store registers"
            ));
            return Ok(false);
        };
        let sig = hex::decode(sig).unwrap_or_default();
        if !public.verify(PERSON_DOMAIN, &person_message(e.seq, e.hash), &sig) {
            problems.push(format!(
                "{name}: the signature of {person} does not verify (forged or edited)"
            ));
            return Ok(false);
        }
        Ok(true)
    }

    fn learn(&mut self, e: &Signed) {
        let person = e.details.get("person").and_then(|v| v.as_str());
        let key = e.details.get("key").and_then(|v| v.as_str());
        match (e.op, person, key) {
            ("person-add", Some(p), Some(k)) => {
                let roles: Vec<Role> = e
                    .details
                    .get("roles")
                    .and_then(|v| serde_json::from_value(v.clone()).ok())
                    .unwrap_or_default();
                if roles.contains(&Role::Operator) && self.operators_from.is_none() {
                    self.operators_from = Some(e.seq);
                }
                self.added.insert(p.into(), (k.into(), roles));
            }
            ("person-revoke", Some(p), _) => {
                self.revoked.entry(p.into()).or_insert(e.seq);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{AuditEvent, KeySource, MemKv, VaultOptions};
    use serde_json::json;

    /// A vault in memory with `li-op` registered as an operator (unsigned: the first one).
    fn vault(dir: &std::path::Path, li: &PersonSecret) -> Vault {
        let key = dir.join("master.key");
        std::fs::write(&key, [7u8; 32]).unwrap();
        let mut v = Vault::create_in(
            Box::new(MemKv::default()),
            &KeySource::File(key),
            VaultOptions::default(),
        )
        .unwrap();
        let p = Person {
            id: "li-op".into(),
            name: "李".into(),
            roles: vec![Role::Operator],
            public_key: li.public().hex(),
            key_fingerprint: li.public().fingerprint(),
            registered: "2026-12-01T00:00:00Z".into(),
            revoked: None,
        };
        let put = v.put_record("p/li-op", &p).unwrap();
        v.commit(vec![put], AuditEvent::new("person-add", json!({})))
            .unwrap();
        v
    }

    fn check(v: &Vault, reg: &mut Registry, e: &Signed) -> Vec<String> {
        let mut problems = Vec::new();
        reg.check(v, e, &mut problems).unwrap();
        problems
    }

    /// A change made with the master key alone after an operator was registered (unsigned, or
    /// signed by a key that is not the registered one, or by a revoked or a forged signature)
    /// is reported by entry; a genuine signature is counted.
    #[test]
    fn verify_names_every_entry_an_operator_did_not_sign() {
        let t = tempfile::tempdir().unwrap();
        let li = PersonSecret::generate("li-op").unwrap();
        let v = vault(t.path(), &li);
        let fp = li.public().fingerprint();
        let add = json!({ "person": "li-op", "key": fp, "roles": ["operator"] });
        let none = json!({});
        let mut reg = Registry::default();
        let base = |seq, op, details, signer, signature| Signed {
            name: "a/x",
            seq,
            op,
            hash: "ab",
            details,
            signer,
            signature,
        };
        // before any operator: unsigned entries are fine
        assert!(check(&v, &mut reg, &base(1, "init", &none, None, None)).is_empty());
        assert!(check(&v, &mut reg, &base(2, "person-add", &add, None, None)).is_empty());
        // after: an unsigned entry is named
        let p = check(&v, &mut reg, &base(3, "import", &none, None, None));
        assert!(
            p[0].contains("not signed") && p[0].contains("entry 2"),
            "{p:?}"
        );
        // a genuine signature verifies and counts
        let r = SignerRef {
            person: "li-op".into(),
            key: fp.clone(),
        };
        let good = hex::encode(li.sign(PERSON_DOMAIN, &person_message(4, "ab")));
        let e = base(4, "import", &none, Some(&r), Some(good.as_str()));
        assert!(check(&v, &mut reg, &e).is_empty());
        assert_eq!(reg.signed, 1);
        // the same signature on another entry, or a signature by another key under li-op's name
        let p = check(
            &v,
            &mut reg,
            &base(5, "import", &none, Some(&r), Some(&good)),
        );
        assert!(p[0].contains("does not verify"), "{p:?}");
        let other = PersonSecret::generate("li-op").unwrap();
        let forged = hex::encode(other.sign(PERSON_DOMAIN, &person_message(6, "ab")));
        let p = check(
            &v,
            &mut reg,
            &base(6, "import", &none, Some(&r), Some(&forged)),
        );
        assert!(p[0].contains("does not verify"), "{p:?}");
        // an operator cannot sign a review in a reviewer's place
        let sig = hex::encode(li.sign(PERSON_DOMAIN, &person_message(7, "ab")));
        let p = check(
            &v,
            &mut reg,
            &base(7, "review", &none, Some(&r), Some(&sig)),
        );
        assert!(p[0].contains("not registered as"), "{p:?}");
        // after li-op's revocation their signatures count for nothing
        let revoke = json!({ "person": "li-op", "key": fp });
        let sig = hex::encode(li.sign(PERSON_DOMAIN, &person_message(8, "ab")));
        let e = base(8, "person-revoke", &revoke, Some(&r), Some(&sig));
        assert!(check(&v, &mut reg, &e).is_empty());
        let sig = hex::encode(li.sign(PERSON_DOMAIN, &person_message(9, "ab")));
        let p = check(
            &v,
            &mut reg,
            &base(9, "import", &none, Some(&r), Some(&sig)),
        );
        assert!(p[0].contains("revoked at entry 8"), "{p:?}");
        assert_eq!(reg.signed, 2);
    }
}
