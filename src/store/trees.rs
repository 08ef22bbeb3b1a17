//! Rollback detection for the mutable records: the authenticated header (`h`) names, per tree,
//! a SHA-256 digest of every record the tree holds. A tree is the record key's one-letter first
//! segment (`o` organisations, `t` sittings, `u` usage ledger, `x` index pages, `k` keys, …).
//! [`Vault::commit`] recomputes the digest of every tree its batch touches, in the same batch as
//! the change and the header; every open recomputes them all and refuses a store whose records
//! are not the ones its header names — an old sealed record put back (an organisation
//! un-suspended, a sitting unreleased), a record deleted (the usage ledger) or added.
//!
//! Not covered, on purpose: `h` (the header itself, MAC'd), `a/` (the audit log, hash-chained
//! and signed, its head in the header), `g/` (segments are never rewritten: an old copy of one is
//! the same bytes, and a missing one fails the read of every entry version it holds).
//!
//! Digest of tree `t` = SHA-256(`"qbank-tree/1"` ‖ 0 ‖ t ‖ 0 ‖ for each record in key order:
//! `[u32 BE key len][key][SHA-256(value)]`). An empty tree has a digest too, so a tree that once
//! held records and was emptied is still named.

use super::kv::{Batch, Kv};
use super::vault::Vault;
use crate::error::{Error, Result};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};

/// Per-tree digests, as kept in the header (tree → hex).
pub type TreeDigests = BTreeMap<String, String>;

/// Trees are named by one lowercase ASCII letter; these are the ones not covered.
const UNCOVERED: [u8; 3] = [b'a', b'g', b'h'];

/// The covered tree of a record key, if it is in one.
pub(super) fn covered_tree(key: &[u8]) -> Option<u8> {
    match key {
        [t, b'/', ..] if t.is_ascii_lowercase() && !UNCOVERED.contains(t) => Some(*t),
        _ => None,
    }
}

/// Every tree that may be covered.
fn all_trees() -> impl Iterator<Item = u8> {
    (b'a'..=b'z').filter(|t| !UNCOVERED.contains(t))
}

/// The digest of tree `t` as `kv` holds it with `overlay` (puts and deletes of this tree, by
/// key) applied on top.
fn tree_digest(kv: &dyn Kv, t: u8, overlay: &BTreeMap<&[u8], Option<&[u8]>>) -> Result<String> {
    let mut rows: BTreeMap<Vec<u8>, [u8; 32]> = BTreeMap::new();
    kv.visit_prefix(&[t, b'/'], &mut |k, v| {
        rows.insert(k.to_vec(), Sha256::digest(v).into());
        Ok(())
    })?;
    for (k, v) in overlay {
        match v {
            Some(v) => rows.insert(k.to_vec(), Sha256::digest(v).into()),
            None => rows.remove(*k),
        };
    }
    let mut h = Sha256::new();
    h.update(b"qbank-tree/1\0");
    h.update([t, 0]);
    for (k, d) in &rows {
        h.update((k.len() as u32).to_be_bytes());
        h.update(k);
        h.update(d);
    }
    Ok(hex::encode(h.finalize()))
}

/// What one tree's records are found to be against what the header names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeProblem {
    /// The tree, as a key prefix (`u/`).
    pub tree: String,
}

impl TreeProblem {
    /// The problem in words (Chinese, for the operator).
    pub fn describe(&self) -> String {
        format!(
            "{}…：记录与存储头所记的不一致（旧记录被放回，或记录被删除、添加）",
            self.tree
        )
    }
}

impl Vault {
    /// The new per-tree digests once `batch` is applied: the trees the batch touches are
    /// recomputed; a header without digests yet (a store made before format 3, or a store
    /// being written by a rotation) gets every tree's.
    pub(super) fn tree_digests_after(&self, batch: &Batch) -> Result<TreeDigests> {
        let mut overlay: BTreeMap<u8, BTreeMap<&[u8], Option<&[u8]>>> = BTreeMap::new();
        for (k, v) in batch {
            if let Some(t) = covered_tree(k) {
                // later puts of one key win, as in the engine's batch
                overlay
                    .entry(t)
                    .or_default()
                    .insert(k.as_slice(), v.as_deref());
            }
        }
        let (mut out, todo): (TreeDigests, BTreeSet<u8>) = match &self.header.trees {
            Some(d) => (d.clone(), overlay.keys().copied().collect()),
            None => (TreeDigests::new(), all_trees().collect()),
        };
        let none = BTreeMap::new();
        for t in todo {
            let d = tree_digest(self.kv.as_ref(), t, overlay.get(&t).unwrap_or(&none))?;
            let name = (t as char).to_string();
            if self.header.trees.is_none() && d == empty_digest(t) {
                // an empty tree that never held anything need not be named
                continue;
            }
            out.insert(name, d);
        }
        Ok(out)
    }

    /// Every covered tree whose records are not what the header names. Empty when the header
    /// carries no digests (format 2 and before: nothing to check against).
    pub fn tree_problems(&self) -> Result<Vec<TreeProblem>> {
        let Some(want) = &self.header.trees else {
            return Ok(Vec::new());
        };
        let none = BTreeMap::new();
        let mut out = Vec::new();
        for t in all_trees() {
            let name = (t as char).to_string();
            let have = tree_digest(self.kv.as_ref(), t, &none)?;
            let expected = want.get(&name).cloned().unwrap_or_else(|| empty_digest(t));
            if have != expected {
                out.push(TreeProblem {
                    tree: format!("{name}/"),
                });
            }
        }
        Ok(out)
    }

    /// Refuses, at open, a store whose records are not those its header names (see the module
    /// comment), or whose log goes on past the header's head (an old header put back over a
    /// newer log: every commit writes its entry and the header in one batch).
    pub(super) fn check_rollback(&self) -> Result<()> {
        let head = self.header.audit.seq;
        if self
            .kv
            .get(format!("a/{:012}", head + 1).as_bytes())?
            .is_some()
        {
            return Err(Error::RolledBack(format!(
                "存储头记的审计日志到第 {head} 条为止，而日志还有第 {} 条（旧的存储头被放回）",
                head + 1
            )));
        }
        let problems = self.tree_problems()?;
        match problems.first() {
            None => Ok(()),
            Some(_) => Err(Error::RolledBack(
                problems
                    .iter()
                    .map(TreeProblem::describe)
                    .collect::<Vec<_>>()
                    .join("；"),
            )),
        }
    }
}

/// The digest of an empty tree.
fn empty_digest(t: u8) -> String {
    let mut h = Sha256::new();
    h.update(b"qbank-tree/1\0");
    h.update([t, 0]);
    hex::encode(h.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn covered_trees_are_one_letter_and_leave_out_the_header_log_and_segments() {
        assert_eq!(covered_tree(b"o/S1"), Some(b'o'));
        assert_eq!(covered_tree(b"u/6-31-01-03/4/000000000003-dg4"), Some(b'u'));
        for k in [
            &b"h"[..],
            b"a/000000000001",
            b"g/000000000001",
            b"ox/1",
            b"O/1",
            b"/x",
        ] {
            assert_eq!(covered_tree(k), None, "{}", String::from_utf8_lossy(k));
        }
    }
}
