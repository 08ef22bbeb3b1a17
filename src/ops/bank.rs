//! Bank workflows: init, check, import, export, list, show, gen and master-key rotation.

use super::{Progress, StoreConfig, read_bank_files};
use crate::bankfile::{self, Diagnostic};
use crate::error::{Error, Result};
use crate::model::{Entry, EntryKind, Grade, ItemType, OccupationCode, Status};
use crate::store::crypto::create_key_file;
use crate::store::{
    AuditEvent, BankDigest, ImportReport, IndexEntry, KeySource, Vault, VaultOptions,
};
use crate::synth::{self, SynthConfig};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Creates a store; with a key file that does not exist yet, creates the key file first (0600).
pub fn init(cfg: &StoreConfig) -> Result<()> {
    if cfg.dir.join("db").exists() {
        return Err(Error::StoreExists(cfg.dir.clone()));
    }
    with_key_file(&cfg.key, || {
        Vault::create(&cfg.dir, &cfg.key, VaultOptions::default()).map(|_| ())
    })
}

/// Runs `f` with the key file of `key` created first if it is missing; a key file created here
/// is removed again if `f` fails, so a failed command leaves no stray key behind.
fn with_key_file(key: &KeySource, f: impl FnOnce() -> Result<()>) -> Result<()> {
    let created = match key {
        KeySource::File(p) if !p.exists() => {
            create_key_file(p)?;
            Some(p.clone())
        }
        _ => None,
    };
    let r = f();
    if let (Err(_), Some(p)) = (&r, created) {
        let _ = std::fs::remove_file(p);
    }
    r
}

#[derive(Debug, serde::Serialize)]
pub struct CheckReport {
    pub files: usize,
    pub standards: usize,
    pub entries: usize,
    pub problems: Vec<Diagnostic>,
    /// Near-duplicate pairs inside the bank and option orders copies would shuffle: reported,
    /// not refused (papers never hold both items of a pair).
    pub warnings: Vec<Diagnostic>,
}

/// Validates bank files without a store.
/// Checks bank files — and item writers' Excel workbooks (the submission template), whose
/// problems are named by row — against the standards among the files.
pub fn check(paths: &[PathBuf]) -> Result<CheckReport> {
    let (books, others): (Vec<&PathBuf>, Vec<&PathBuf>) = paths
        .iter()
        .partition(|p| p.extension().is_some_and(|x| x == "xlsx"));
    let others: Vec<PathBuf> = others.into_iter().cloned().collect();
    let (mut files, mut problems) = if others.is_empty() {
        (Vec::new(), Vec::new())
    } else {
        super::files::read_bank_files_or_problems(&others)?
    };
    let unreadable = problems.len();
    let mut virtual_files = Vec::new();
    for b in &books {
        let bytes = super::files::read_regular(b, super::workbook::MAX_WORKBOOK_BYTES)?;
        let name = b.display().to_string();
        match super::submission::excel_to_toml(&name, &bytes) {
            Ok(v) => virtual_files.push((name, v)),
            Err(d) => problems.extend(d),
        }
    }
    let count = files.len() + books.len() + unreadable;
    files.extend(
        virtual_files
            .iter()
            .flat_map(|(_, v)| v.iter().map(|(f, _)| f.clone())),
    );
    let (bank, diags) = super::files::check_files(&files, &[]);
    problems.extend(diags.into_iter().map(|d| {
        virtual_files
            .iter()
            .find(|(_, v)| v.iter().any(|(f, _)| f.path == d.file))
            .map_or_else(
                || d.clone(),
                |(name, v)| super::submission::to_row(d.clone(), v, name),
            )
    }));
    let warnings = if problems.is_empty() {
        super::bankscreen::warnings(&bank.entries, &[])
    } else {
        Vec::new()
    };
    Ok(CheckReport {
        files: count,
        standards: bank.standards.len(),
        entries: bank.entries.len(),
        problems,
        warnings,
    })
}

#[derive(Debug, serde::Serialize)]
pub struct ImportOutcome {
    pub files: usize,
    #[serde(flatten)]
    pub report: ImportReport,
    /// Near-duplicate pairs in the occupation-levels the files touch (with the items already in
    /// the store) and option orders copies would shuffle.
    pub warnings: Vec<Diagnostic>,
}

/// Imports bank files, all or nothing: any problem in any file imports nothing.
pub fn import(
    cfg: &StoreConfig,
    paths: &[PathBuf],
    progress: &dyn Progress,
) -> Result<ImportOutcome> {
    progress.phase("reading", 0);
    let files = read_bank_files(paths)?;
    let mut vault = cfg.open()?;
    progress.phase("checking", files.len() as u64);
    let known = vault.standards()?;
    let (bank, problems) = super::files::check_files(&files, &known);
    if !problems.is_empty() {
        progress.finish();
        return Err(Error::Invalid(problems));
    }
    let warnings = {
        let cells: BTreeSet<(OccupationCode, Grade)> = bank
            .entries
            .iter()
            .filter(|e| matches!(e.value, Entry::Item(_)))
            .map(|e| (e.value.occupation().clone(), e.value.level()))
            .collect();
        let mut stored = Vec::new();
        for (occ, level) in &cells {
            let index: Vec<IndexEntry> = vault
                .index(Some(occ), Some(*level))?
                .into_iter()
                .filter(|e| e.kind == EntryKind::Item)
                .collect();
            stored.extend(vault.entries(&index)?.into_iter().filter_map(|e| match e {
                Entry::Item(i) => Some(i),
                _ => None,
            }));
        }
        super::bankscreen::warnings(&bank.entries, &stored)
    };
    let standards: Vec<_> = bank.standards.into_iter().map(|s| s.value).collect();
    let entries: Vec<(Entry, Option<u32>)> = bank
        .entries
        .into_iter()
        .map(|e| (e.value, e.declared_version))
        .collect();
    progress.phase("encrypting", entries.len() as u64);
    let master = vault.master_key(&cfg.key)?;
    let sources: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let audit = AuditEvent::new(
        "import",
        serde_json::json!({ "sources": sources, "files": files.len() }),
    );
    let report = vault.import(
        &standards,
        entries,
        Some(&master),
        &|n| progress.set(n),
        audit,
    )?;
    progress.finish();
    Ok(ImportOutcome {
        files: files.len(),
        report,
        warnings,
    })
}

/// Writes the current bank, decrypted, as bank files under `out` (which must be empty or new).
/// Returns the number of files and the bank digest.
pub fn export(
    cfg: &StoreConfig,
    out: &Path,
    progress: &dyn Progress,
) -> Result<(usize, BankDigest)> {
    if out.exists()
        && std::fs::read_dir(out)
            .map_err(|e| Error::io("list", out, e))?
            .next()
            .is_some()
    {
        return Err(Error::Usage(format!(
            "{} is not empty; export into a new or empty folder",
            out.display()
        )));
    }
    let vault = cfg.open()?;
    let standards = vault.standards()?;
    let index = vault.index(None, None)?;
    progress.phase("decrypting", index.len() as u64);
    let entries = vault.entries(&index)?;
    let files = bankfile::export_files(&standards, &entries);
    super::files::write_bank_files(out, &files)?;
    progress.finish();
    Ok((files.len(), vault.digest()?))
}

/// Filters for `qbank list`; None = any.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    pub occupation: Option<OccupationCode>,
    pub level: Option<Grade>,
    /// A clause code or prefix: `2` (a function), `2.1` (a content), `2.1.3` (a 鉴定点).
    pub clause: Option<String>,
    pub item_type: Option<ItemType>,
    pub kind: Option<EntryKind>,
    pub status: Option<Status>,
}

impl ListFilter {
    fn accepts(&self, e: &IndexEntry) -> bool {
        let clause_ok = self
            .clause
            .as_ref()
            .is_none_or(|c| e.clause == *c || e.clause.starts_with(&format!("{c}.")));
        clause_ok
            && self.item_type.is_none_or(|t| e.type_label == t.as_str())
            && self.kind.is_none_or(|k| e.kind == k)
            && self.status.is_none_or(|s| e.status == s)
    }
}

pub fn list(cfg: &StoreConfig, filter: &ListFilter) -> Result<Vec<IndexEntry>> {
    let vault = cfg.open()?;
    let mut v = vault.index(filter.occupation.as_ref(), filter.level)?;
    v.retain(|e| filter.accepts(e));
    Ok(v)
}

/// One entry (a given version or the newest) with the list of its stored versions.
pub fn show(cfg: &StoreConfig, id: &str, version: Option<u32>) -> Result<(Entry, Vec<u32>)> {
    cfg.open()?.entry_with_versions(id, version)
}

/// Writes a synthetic bank (for scale tests) as bank files under `out`.
pub fn generate(out: &Path, cfg: &SynthConfig) -> Result<usize> {
    let (standards, entries) = synth::bank(cfg);
    let files = bankfile::export_files(&standards, &entries);
    super::files::write_bank_files(out, &files)?;
    Ok(files.len())
}

/// Retires the store's master key: every record is sealed again under a new data key wrapped
/// by `new` only, written into a fresh folder that replaces the store folder (so sled's log keeps
/// no old header either; see `store::rotate`). A new key file is created if it does not exist.
/// Returns the number of sealed records written (entry versions, index pages, records).
pub fn rotate_key(cfg: &StoreConfig, new: &KeySource) -> Result<usize> {
    use crate::store::rotate::{is_engine_file, rotation_paths, sync_parent};
    let vault = cfg.open()?;
    let dir = &cfg.dir;
    let foreign: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| Error::io("list", dir, e))?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !is_engine_file(n))
        .collect();
    if !foreign.is_empty() {
        return Err(Error::Usage(format!(
            "存储文件夹 {} 中有不属于存储的文件（{}）；密钥轮换会整体替换该文件夹，请先将这些文件移出",
            dir.display(),
            foreign.join(", ")
        )));
    }
    let (fresh, retired) = rotation_paths(dir)?;
    if fresh.exists() {
        // an earlier rotation stopped before its swap: unfinished, and under a key never used
        std::fs::remove_dir_all(&fresh).map_err(|e| Error::io("remove", &fresh, e))?;
    }
    let audit = AuditEvent::new(
        "key-rotate",
        serde_json::json!({ "new_master_key": new.describe(), "reencrypted": true }),
    );
    let mut records = 0;
    with_key_file(new, || {
        let r = (|| {
            let kv = crate::store::SledKv::open(&fresh)?;
            let rotated = vault.rewrite_into(Box::new(kv), new, audit)?;
            records = rotated.key_usage().iter().map(|(_, n)| *n as usize).sum();
            Ok(())
        })();
        if r.is_err() {
            let _ = std::fs::remove_dir_all(&fresh);
            return r;
        }
        super::fault::point("rotate:written");
        std::fs::rename(dir, &retired).map_err(|e| Error::io("rename", dir, e))?;
        sync_parent(dir)?;
        super::fault::point("rotate:retired");
        if let Err(e) = std::fs::rename(&fresh, dir) {
            let _ = std::fs::rename(&retired, dir);
            return Err(Error::io("rename", &fresh, e));
        }
        sync_parent(dir)?;
        super::fault::point("rotate:swapped");
        drop(vault);
        std::fs::remove_dir_all(&retired).map_err(|e| Error::io("remove", &retired, e))?;
        sync_parent(dir)
    })?;
    Ok(records)
}

/// What `item suspend` / `item reinstate` did.
#[derive(Debug, serde::Serialize)]
pub struct StatusOutcome {
    pub id: String,
    pub from: Status,
    pub to: Status,
    /// The new version that records the change (the old one stays readable).
    pub version: u32,
}

/// The sealed note of a status change (`w/<id>/<version:010>`): its free-text reason.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct StatusNote {
    pub id: String,
    pub version: u32,
    pub from: Status,
    pub to: Status,
    pub reason: String,
    pub at: String,
    pub by: String,
}

/// Sets an entry's status (e.g. suspended at once when a wrong key is found during a sitting):
/// recorded as a new version with the reason in a sealed note (the audit log names the note), so papers drawn from the old
/// version still verify and new papers never draw it.
pub fn set_entry_status(
    cfg: &StoreConfig,
    id: &str,
    to: Status,
    reason: &str,
) -> Result<StatusOutcome> {
    if reason.trim().is_empty() {
        return Err(Error::Usage("give a --reason".into()));
    }
    let mut vault = cfg.open()?;
    let mut e = vault.entry(id, None)?;
    let from = e.status();
    if from == to {
        return Err(Error::Usage(format!("{id} is already {}", to.as_str())));
    }
    e.set_status(to);
    let master = vault.master_key(&cfg.key)?;
    // The reason is free text (it may quote the item): it is kept in a sealed note beside the
    // new version, and the clear audit entry names only that note.
    let (_, before) = vault.entry_with_versions(id, None)?;
    let next = before.last().copied().unwrap_or(0) + 1;
    let note_key = format!("w/{id}/{next:010}");
    let note = StatusNote {
        id: id.into(),
        version: next,
        from,
        to,
        reason: reason.into(),
        at: super::org::now(),
        by: crate::store::audit::default_actor(),
    };
    let extra = vec![vault.put_record(&note_key, &note)?];
    let audit = AuditEvent::new(
        if to == Status::Suspended {
            "item-suspend"
        } else {
            "item-status"
        },
        serde_json::json!({ "id": id, "from": from, "to": to, "reason_record": note_key }),
    );
    vault.import_with(&[], vec![(e, None)], Some(&master), &|_| {}, audit, extra)?;
    let (_, versions) = vault.entry_with_versions(id, None)?;
    Ok(StatusOutcome {
        id: id.into(),
        from,
        to,
        version: versions.last().copied().unwrap_or(1),
    })
}
