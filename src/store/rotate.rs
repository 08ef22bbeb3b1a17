//! Key rotation that retires the old master key: every record is opened with the old key ring
//! and sealed again under a new data key wrapped only by the new master key, into a *fresh*
//! store folder, which then replaces the old one. A rewrite in place would not do: sled keeps
//! old values (old headers, with the old wrapping of the data keys) in its log until it compacts,
//! and the old key plus such a stale header would then still open every record.
//!
//! Folders (siblings of the store folder `S`): `S.rotating` — the new store being written;
//! `S.retired` — the old store between the two renames. The steps, each crash-safe:
//! 1. write `S.rotating` (header and audit entry in the last batch, flushed);
//! 2. rename `S` → `S.retired`;
//! 3. rename `S.rotating` → `S`;
//! 4. remove `S.retired`.
//!
//! Killed before 2, `S` is the old store untouched (a rerun removes `S.rotating` and starts
//! over). Killed after 2, [`finish_interrupted`] (run by every open) completes 3 and 4: `S.retired`
//! exists only once `S.rotating` is complete, so `S` is then the new store.

use super::AuditEvent;
use super::crypto::{self, KeySource, Place, SecretKey};
use super::kv::{Batch, Kv};
use super::records::tree_of;
use super::vault::{Vault, rec_key, segment_records, segment_value};
use crate::error::{Error, Result};
use rayon::prelude::*;
use std::path::{Path, PathBuf};

/// Values put into one atomic batch of the new store before it is applied.
const BATCH_BYTES: usize = 8 << 20;

/// The new store's folder and the retired one's, beside `dir`.
pub fn rotation_paths(dir: &Path) -> Result<(PathBuf, PathBuf)> {
    let name = dir
        .file_name()
        .ok_or_else(|| Error::Usage(format!("store folder {} has no name", dir.display())))?
        .to_string_lossy()
        .into_owned();
    Ok((
        dir.with_file_name(format!("{name}.rotating")),
        dir.with_file_name(format!("{name}.retired")),
    ))
}

/// Makes a rename durable.
pub fn sync_parent(dir: &Path) -> Result<()> {
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::File::open(parent)
        .and_then(|f| f.sync_all())
        .map_err(|e| Error::io("sync", parent, e))
}

/// Completes a rotation killed after its first rename (see the module comment); does nothing
/// when none was.
pub fn finish_interrupted(dir: &Path) -> Result<()> {
    let Ok((fresh, retired)) = rotation_paths(dir) else {
        return Ok(());
    };
    if !retired.exists() {
        return Ok(());
    }
    if !dir.exists() {
        if !fresh.join("db").exists() {
            return Err(Error::Corrupt {
                record: retired.display().to_string(),
                reason:
                    "中断的密钥轮换在此留下了旧存储而没有新存储；请将它改名回存储文件夹后重新轮换"
                        .into(),
            });
        }
        std::fs::rename(&fresh, dir).map_err(|e| Error::io("rename", &fresh, e))?;
        sync_parent(dir)?;
    }
    std::fs::remove_dir_all(&retired).map_err(|e| Error::io("remove", &retired, e))?;
    sync_parent(dir)
}

/// Names of what sled keeps in a store folder; anything else there would be lost by the swap.
pub fn is_engine_file(name: &str) -> bool {
    matches!(name, "db" | "conf" | "blobs") || name.starts_with("snap.")
}

impl Vault {
    /// Writes every record of this vault into the empty engine `kv`, sealed under a new data key
    /// wrapped by `new`, and commits `audit` there with the header (last, so an engine without
    /// a header is an unfinished rotation). The audit log is copied as it is (clear, signed).
    /// Returns the new vault.
    pub fn rewrite_into(
        &self,
        kv: Box<dyn Kv>,
        new: &KeySource,
        audit: AuditEvent,
    ) -> Result<Vault> {
        if kv.get(b"h")?.is_some() {
            return Err(Error::StoreExists("(engine)".into()));
        }
        let (mut next, master) = self.empty_successor(kv, new)?;
        let mut batch: Batch = Vec::new();
        let mut bytes = 0usize;
        self.kv.visit_prefix(b"", &mut |k, v| {
            if k == b"h" {
                return Ok(());
            }
            let value = self.reseal(&mut next, &master, k, v)?;
            bytes += value.len() + k.len();
            batch.push((k.to_vec(), Some(value)));
            if bytes >= BATCH_BYTES {
                next.kv.apply(std::mem::take(&mut batch))?;
                bytes = 0;
            }
            Ok(())
        })?;
        next.kv.apply(batch)?;
        next.bureau = next.load_bureau_key()?;
        next.commit(Vec::new(), audit)?;
        Ok(next)
    }

    /// One stored value opened with this vault's keys and sealed again under `next`'s.
    fn reseal(&self, next: &mut Vault, master: &SecretKey, k: &[u8], v: &[u8]) -> Result<Vec<u8>> {
        let key = String::from_utf8_lossy(k).into_owned();
        if k.starts_with(b"a/") {
            // audit entries: clear, hash-chained and signed
            return Ok(v.to_vec());
        }
        if k.starts_with(b"g/") {
            let records = segment_records(&key, v)?;
            let ids = next.allocate(records.len() as u64, Some(master))?;
            let next = &*next;
            let sealed = records
                .par_iter()
                .zip(ids.par_iter())
                .map(|((id, version, old), kid)| {
                    let name = rec_key(id, *version);
                    let place = Place::new("r", name.as_bytes(), *version);
                    let plain = self.open_record(&place, old)?;
                    crypto::seal(next.cipher(*kid), &place, &plain)
                })
                .collect::<Result<Vec<_>>>()?;
            return Ok(segment_value(
                records
                    .iter()
                    .zip(&sealed)
                    .map(|((id, version, _), s)| (*id, *version, s.as_slice())),
            ));
        }
        if k.starts_with(b"x/") {
            let broken = || Error::Corrupt {
                record: key.clone(),
                reason: "index page truncated".into(),
            };
            let n =
                u32::from_be_bytes(v.get(..4).ok_or_else(broken)?.try_into().expect("4")) as usize;
            let public = v.get(4..4 + n).ok_or_else(broken)?;
            let place = Place {
                extra: public,
                ..Place::new("x", k, 0)
            };
            let plain = self.open_record(&place, &v[4 + n..])?;
            let kid = next.allocate(1, Some(master))?[0];
            let sealed = crypto::seal(next.cipher(kid), &place, &plain)?;
            let mut out = v[..4 + n].to_vec();
            out.extend_from_slice(&sealed);
            return Ok(out);
        }
        if crypto::envelope_key_id(v).is_none() {
            // not sealed (no such record today): kept as it is
            return Ok(v.to_vec());
        }
        let place = Place::new(tree_of(&key), k, 0);
        let plain = self.open_record(&place, v)?;
        let kid = next.allocate(1, Some(master))?[0];
        crypto::seal(next.cipher(kid), &place, &plain)
    }
}
