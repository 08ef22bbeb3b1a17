//! The audit log: one entry per operation that changes the vault, written in the same atomic
//! batch as the change, chained by SHA-256 and signed (a checkpoint per entry) with the bureau's
//! Ed25519 key. Entries hold what was done, by whom and when, with counts, ids and digests —
//! never question content.
//!
//! Record `a/<seq:012>` = JSON `{ "entry": "<entry JSON text>", "hash": hex, "signature": hex }`,
//! where `hash = SHA-256("qbank-audit/1" ‖ 0 ‖ entry text)`, the entry names the previous hash,
//! and the signature covers `"qbank-audit-checkpoint/1" ‖ 0 ‖ seq (u64 BE) ‖ hash`.

use super::kv::Batch;
use super::signers::{PERSON_DOMAIN, Registry, Signed, SignerRef, person_message};
use super::vault::Vault;
use crate::error::{Error, Result};
use crate::package::Checkpoint;
use crate::package::keys::BureauPublic;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

const ENTRY_DOMAIN: &[u8] = b"qbank-audit/1\0";
pub const CHECKPOINT_DOMAIN: &str = "qbank-audit-checkpoint/1";
const ZERO: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The newest entry of the log, kept in the header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Head {
    pub seq: u64,
    pub hash: String,
}

impl Default for Head {
    fn default() -> Self {
        Head {
            seq: 0,
            hash: ZERO.into(),
        }
    }
}

/// What an operation records: its name, who ran it, and non-secret details.
#[derive(Clone, Debug)]
pub struct AuditEvent {
    pub op: String,
    pub actor: String,
    pub details: Value,
}

impl AuditEvent {
    /// An event by the actor named in `QBANK_ACTOR` (or the login name).
    pub fn new(op: &str, details: Value) -> AuditEvent {
        AuditEvent {
            op: op.into(),
            actor: default_actor(),
            details,
        }
    }
    pub fn by(mut self, actor: &str) -> AuditEvent {
        self.actor = actor.into();
        self
    }
}

/// Who runs this process: `QBANK_ACTOR`, else the login name.
pub fn default_actor() -> String {
    ["QBANK_ACTOR", "USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// One entry of the log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: u64,
    pub time: String,
    pub op: String,
    pub actor: String,
    pub details: Value,
    pub prev: String,
    /// The store format of the qbank that wrote the entry (absent before format 2): a header
    /// set back to format 1 (no MAC) under a log written by a later qbank is a downgrade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<u32>,
    /// The registered person who signed the entry with their personal key (`signers.rs`);
    /// absent on entries made while no operator was registered, and on older entries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signer: Option<SignerRef>,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    entry: String,
    hash: String,
    signature: String,
    /// The signer's Ed25519 signature over `"qbank-audit-person/1" ‖ 0 ‖ seq ‖ hash` (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    person_signature: Option<String>,
}

fn entry_key(seq: u64) -> String {
    format!("a/{seq:012}")
}

impl Vault {
    /// The audit entry `seq`, if the log holds it.
    pub(super) fn audit_entry(&self, seq: u64) -> Result<Option<AuditEntry>> {
        let key = entry_key(seq);
        let Some(raw) = self.kv.get(key.as_bytes())? else {
            return Ok(None);
        };
        let bad = |e: serde_json::Error| Error::Corrupt {
            record: key.clone(),
            reason: e.to_string(),
        };
        let s: Stored = serde_json::from_slice(&raw).map_err(bad)?;
        serde_json::from_str(&s.entry).map(Some).map_err(bad)
    }
}

fn entry_hash(text: &str) -> String {
    let mut h = Sha256::new();
    h.update(ENTRY_DOMAIN);
    h.update(text.as_bytes());
    hex::encode(h.finalize())
}

fn checkpoint_message(seq: u64, hash: &str) -> Vec<u8> {
    let mut m = seq.to_be_bytes().to_vec();
    m.extend_from_slice(hash.as_bytes());
    m
}

/// Verifies a checkpoint signature made by [`Vault::commit`].
pub fn verify_checkpoint(key: &BureauPublic, cp: &Checkpoint, signature: &[u8]) -> bool {
    key.verify(
        CHECKPOINT_DOMAIN,
        &checkpoint_message(cp.seq, &cp.hash),
        signature,
    )
}

/// The result of `audit verify`.
#[derive(Clone, Debug, Serialize)]
pub struct AuditReport {
    pub entries: u64,
    /// Entries whose registered person's signature verified.
    pub signed: u64,
    pub head: Head,
    /// Every problem found, each naming the entry (or the tree of records, or the anchor).
    pub problems: Vec<String>,
    /// The anchor files checked against the log (`audit verify --anchor`), if any.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub anchors: Vec<super::anchor::AnchorCheck>,
}

impl Vault {
    /// Applies `batch` together with a new audit entry for `event` and the header, atomically,
    /// and flushes before returning the new checkpoint.
    pub fn commit(&mut self, mut batch: Batch, event: AuditEvent) -> Result<Checkpoint> {
        // A store made before the bureau's keys existed gets them with its first change.
        let upgraded = self.bureau.is_none();
        if upgraded {
            batch.extend(self.make_bureau_keys()?);
        }
        let r = self.commit_inner(batch, event);
        if r.is_err() && upgraded {
            self.bureau = None;
        }
        r
    }

    fn commit_inner(&mut self, mut batch: Batch, event: AuditEvent) -> Result<Checkpoint> {
        let bureau = self
            .bureau
            .as_ref()
            .ok_or_else(|| Error::Crypto("the bureau signing key is missing".into()))?;
        let signer = self.signer_for(&event.op)?;
        let prev = self.header.audit.clone();
        let entry = AuditEntry {
            seq: prev.seq + 1,
            time: jiff::Timestamp::now()
                .round(jiff::Unit::Second)
                .unwrap_or_else(|_| jiff::Timestamp::now())
                .to_string(),
            op: event.op,
            actor: match &signer {
                Some((_, r)) => r.person.clone(),
                None => event.actor,
            },
            details: event.details,
            prev: prev.hash.clone(),
            store: Some(super::vault::STORE_FORMAT),
            signer: signer.as_ref().map(|(_, r)| r.clone()),
        };
        let text = serde_json::to_string(&entry).expect("audit entry serialises");
        let hash = entry_hash(&text);
        let sig = bureau.sign(CHECKPOINT_DOMAIN, &checkpoint_message(entry.seq, &hash));
        let stored = Stored {
            entry: text,
            hash: hash.clone(),
            signature: hex::encode(sig),
            person_signature: signer.map(|(secret, _)| {
                hex::encode(secret.sign(PERSON_DOMAIN, &person_message(entry.seq, &hash)))
            }),
        };
        batch.push((
            entry_key(entry.seq).into_bytes(),
            Some(serde_json::to_vec(&stored).expect("audit record serialises")),
        ));
        // the header names what every tree the batch touches will hold (rollback detection)
        let trees = self.tree_digests_after(&batch)?;
        let prev_trees = self.header.trees.replace(trees);
        self.header.audit = Head {
            seq: entry.seq,
            hash: hash.clone(),
        };
        batch.push(self.header_put());
        let r = self.kv.apply(batch).and_then(|_| self.kv.flush());
        if let Err(e) = r {
            self.header.audit = prev;
            self.header.trees = prev_trees;
            return Err(e);
        }
        Ok(Checkpoint {
            seq: entry.seq,
            hash,
        })
    }

    /// The newest checkpoint of the audit log.
    pub fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            seq: self.header.audit.seq,
            hash: self.header.audit.hash.clone(),
        }
    }

    /// Every audit entry, oldest first, as stored (not verified; see [`Vault::verify_audit`]).
    pub fn audit_entries(&self) -> Result<Vec<AuditEntry>> {
        let mut out = Vec::new();
        self.kv.visit_prefix(b"a/", &mut |k, v| {
            let key = String::from_utf8_lossy(k).into_owned();
            let s: Stored = serde_json::from_slice(v).map_err(|e| Error::Corrupt {
                record: key.clone(),
                reason: e.to_string(),
            })?;
            let e: AuditEntry = serde_json::from_str(&s.entry).map_err(|e| Error::Corrupt {
                record: key,
                reason: e.to_string(),
            })?;
            out.push(e);
            Ok(())
        })?;
        Ok(out)
    }

    /// Walks the whole log: each entry's hash, its link to the previous one, its sequence
    /// number and its signature; and that the log ends where the header says. Reports every
    /// problem rather than stopping at the first.
    pub fn verify_audit(&self) -> Result<AuditReport> {
        let key = self.bureau_public()?;
        let mut problems = Vec::new();
        let mut expect_seq = 1u64;
        let mut prev_hash = ZERO.to_string();
        let mut n = 0u64;
        let mut registry = Registry::default();
        self.kv.visit_prefix(b"a/", &mut |k, v| {
            n += 1;
            let name = String::from_utf8_lossy(k).into_owned();
            let Ok(s) = serde_json::from_slice::<Stored>(v) else {
                problems.push(format!("{name}: unreadable record"));
                return Ok(());
            };
            let Ok(e) = serde_json::from_str::<AuditEntry>(&s.entry) else {
                problems.push(format!("{name}: unreadable entry"));
                return Ok(());
            };
            if name != entry_key(e.seq) {
                problems.push(format!("{name}: holds entry {} (moved)", e.seq));
            }
            if e.seq != expect_seq {
                problems.push(format!(
                    "{name}: entry {} where {} was expected (an entry was removed or reordered)",
                    e.seq, expect_seq
                ));
            }
            let h = entry_hash(&s.entry);
            if h != s.hash {
                problems.push(format!(
                    "{name}: content does not match its hash (the entry was edited)"
                ));
            }
            if e.prev != prev_hash {
                problems.push(format!(
                    "{name}: does not follow the entry before it (an entry was removed, inserted or reordered)"
                ));
            }
            let sig = hex::decode(&s.signature).unwrap_or_default();
            let cp = Checkpoint {
                seq: e.seq,
                hash: s.hash.clone(),
            };
            if !verify_checkpoint(&key, &cp, &sig) {
                problems.push(format!(
                    "{name}: checkpoint signature is not the bureau's (forged or edited)"
                ));
            }
            registry.check(
                self,
                &Signed {
                    name: &name,
                    seq: e.seq,
                    op: &e.op,
                    hash: &s.hash,
                    details: &e.details,
                    signer: e.signer.as_ref(),
                    signature: s.person_signature.as_deref(),
                },
                &mut problems,
            )?;
            expect_seq = e.seq + 1;
            prev_hash = h;
            Ok(())
        })?;
        let head = self.header.audit.clone();
        if head.seq != expect_seq - 1 || head.hash != prev_hash {
            problems.push(format!(
                "the log ends at entry {} but the store's header names entry {} (entries at the end were removed)",
                expect_seq - 1,
                head.seq
            ));
        }
        // the records must be what the header names (an old record put back, a deleted ledger)
        problems.extend(self.tree_problems()?.iter().map(|p| p.describe()));
        Ok(AuditReport {
            entries: n,
            signed: registry.signed,
            head,
            problems,
            anchors: Vec::new(),
        })
    }
}
