//! `qbank verify`: rebuild each assembled form from its manifest and the store and compare the
//! files; re-render a past form from the entry versions it recorded (`genuine`); organisation
//! copies are checked against their sitting's record (`issued::verify_copy`).

use super::documents::{RenderedForm, files_of, theory_documents};
use super::{Manifest, blueprint_digest_matches, build, render, sha};
use crate::assemble::{ENGINE, TheoryForm};
use crate::document::{self, FormDocuments, PracticalKey, PracticalPaper, TheoryKey, TheoryPaper};
use crate::error::{Error, Result};
use crate::model::{BlueprintKind, Entry, Importance, Standard, default_p, standard_parent};
use crate::ops::StoreConfig;
use crate::store::Vault;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Reads one of a form's files as the typed document it must be (`paper.json`, `key.json`).
fn load_form_file(m: &Manifest, name: &str, bytes: &[u8], path: &Path) -> Result<()> {
    let file = path.display().to_string();
    match (m.kind.as_str(), name) {
        ("theory", "paper.json") => {
            document::load::<TheoryPaper>(bytes, &file, "theory paper").map(drop)
        }
        ("theory", "key.json") => {
            document::load::<TheoryKey>(bytes, &file, "theory answer key").map(drop)
        }
        ("practical", "paper.json") => {
            document::load::<PracticalPaper>(bytes, &file, "practical paper").map(drop)
        }
        ("practical", "key.json") => {
            document::load::<PracticalKey>(bytes, &file, "practical key").map(drop)
        }
        _ => Ok(()),
    }
}

/// The verdict on one form.
#[derive(Debug, Serialize)]
pub struct Verdict {
    pub manifest: String,
    pub blueprint: String,
    pub form: u32,
    /// The current bank, blueprint and seed rebuild exactly these files.
    pub identical: bool,
    /// The files are exactly what the entry versions the manifest records render to (true for a
    /// past paper whose items have since been revised: old versions are kept).
    pub genuine: bool,
    pub differences: Vec<String>,
    /// For an organisation copy of a sitting (its `copy.json`): the copy code; it was checked
    /// against the sitting's record, not rebuilt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy: Option<String>,
}

/// Re-renders a theory form from the entry versions its manifest records (not a new selection).
fn render_recorded(
    vault: &Vault,
    standards: &[Standard],
    m: &Manifest,
) -> Result<Option<crate::package::Documents>> {
    let bp = &m.blueprint;
    let BlueprintKind::Theory { sections, .. } = &bp.kind else {
        return Ok(None);
    };
    let Some(std) = standards
        .iter()
        .find(|s| s.occupation.code == bp.occupation)
    else {
        return Ok(None);
    };
    let mut section_of = Vec::new();
    for (k, sec) in sections.iter().enumerate() {
        section_of.extend(std::iter::repeat_n((k, sec.points), sec.count as usize));
    }
    if section_of.len() != m.items.len() {
        return Ok(None);
    }
    let mut entries = HashMap::new();
    let mut items = Vec::new();
    for ((id, version), (section, points)) in m.items.iter().zip(section_of) {
        let e = match vault.entry(id, Some(*version)) {
            Ok(e) => e,
            Err(Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let Entry::Item(i) = &e else { return Ok(None) };
        let point = std.point(bp.level, &i.clause);
        items.push(crate::assemble::Picked {
            section,
            content: standard_parent(&i.clause).unwrap_or_default().to_string(),
            id: id.clone(),
            version: *version,
            clause: i.clause.clone(),
            item_type: i.item_type,
            points,
            difficulty: i.difficulty,
            p: i.p.unwrap_or(default_p(i.difficulty)),
            importance: i
                .importance
                .or(point.map(|p| p.importance))
                .unwrap_or(Importance::Y),
        });
        entries.insert((id.clone(), *version), e);
    }
    let form = TheoryForm {
        form: m.form,
        items,
    };
    let (paper, key) = theory_documents(std, bp, &form, &entries);
    Ok(Some(files_of(&FormDocuments::Theory(paper, key))))
}

fn manifests_under(path: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    if path.is_dir() {
        let mut children: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| Error::io("list", path, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        children.sort();
        for c in children {
            manifests_under(&c, out)?;
        }
    } else if path
        .file_name()
        .is_some_and(|n| n == "manifest.json" || n == "copy.json")
    {
        out.push(path.to_path_buf());
    }
    Ok(())
}

/// Rebuilds each paper under `path` (a folder, a form folder, or one of a form's files) from its
/// manifest and the store, and compares.
pub fn verify(cfg: &StoreConfig, path: &Path) -> Result<Vec<Verdict>> {
    let mut manifests = Vec::new();
    let start = if path.is_file() {
        path.parent().unwrap_or(path).to_path_buf()
    } else {
        path.to_path_buf()
    };
    manifests_under(&start, &mut manifests)?;
    if manifests.is_empty() {
        return Err(Error::Usage(format!(
            "no manifest.json (assembled paper) or copy.json (opened sitting copy) under {}",
            start.display()
        )));
    }
    let vault = cfg.open()?;
    // organisation copies of a sitting: checked against what its record says was issued
    let (copies, manifests): (Vec<PathBuf>, Vec<PathBuf>) = manifests
        .into_iter()
        .partition(|p| p.file_name().is_some_and(|n| n == "copy.json"));
    let mut copy_verdicts = Vec::new();
    for c in &copies {
        copy_verdicts.extend(crate::ops::issued::verify_copy(&vault, c)?);
    }
    if manifests.is_empty() {
        return Ok(copy_verdicts);
    }
    let standards = vault.standards()?;
    let digest = vault.digest()?.to_string();
    let mut verdicts = Vec::new();
    // one rebuild per (blueprint, seed), shared by its forms
    let mut rebuilt_cache: HashMap<(String, u64, Vec<String>), Option<Vec<RenderedForm>>> =
        HashMap::new();
    for mpath in manifests {
        let text = std::fs::read(&mpath).map_err(|e| Error::io("read", &mpath, e))?;
        let m: Manifest = serde_json::from_slice(&text)
            .map_err(|e| Error::Usage(format!("{}: not a qbank manifest: {e}", mpath.display())))?;
        let mut diffs = Vec::new();
        if m.engine != ENGINE {
            diffs.push(format!(
                "built by {}, this qbank assembles with {ENGINE}",
                m.engine
            ));
        }
        if m.bank_digest != digest {
            diffs.push(format!(
                "the bank changed: the paper was drawn from {}, the store now holds {digest}",
                m.bank_digest
            ));
        }
        if !blueprint_digest_matches(&m.blueprint, &m.blueprint_digest) {
            diffs.push("the blueprint in the manifest does not match its digest".into());
        }
        let dir = mpath.parent().unwrap_or(Path::new("."));
        for (name, want) in &m.files {
            let bytes = std::fs::read(dir.join(name));
            // every file must read as the typed document it is (what earlier code wrote, too)
            if let Ok(b) = &bytes
                && let Err(e) = load_form_file(&m, name, b, &dir.join(name))
            {
                diffs.push(e.to_string());
            }
            match bytes {
                Ok(b) if sha(&b) == *want => {}
                Ok(_) => diffs.push(format!(
                    "{name} on disk differs from the manifest (edited after assembly)"
                )),
                Err(_) => diffs.push(format!("{name} is missing")),
            }
        }
        let key = (m.blueprint_digest.clone(), m.seed, m.excluded.clone());
        let excluded: BTreeSet<String> = m.excluded.iter().cloned().collect();
        if !rebuilt_cache.contains_key(&key) {
            let forms = match build(&vault, &standards, &m.blueprint, m.seed, &excluded) {
                // e.g. a manifest for an occupation this store does not hold: a verdict, not an abort
                Err(Error::Usage(why)) => {
                    diffs.push(format!("cannot be rebuilt here: {why}"));
                    None
                }
                Err(e) => return Err(e),
                Ok(Err(inf)) => {
                    diffs.push(format!(
                        "cannot be rebuilt from the current bank: {}",
                        inf.reasons.join("; ")
                    ));
                    None
                }
                Ok(Ok(b)) => {
                    let std = standards
                        .iter()
                        .find(|s| s.occupation.code == m.blueprint.occupation)
                        .expect("built");
                    Some(render(&vault, std, &b, m.seed, &m.bank_digest, &excluded)?)
                }
            };
            rebuilt_cache.insert(key.clone(), forms);
        } else if rebuilt_cache[&key].is_none() {
            diffs.push("cannot be rebuilt from the current bank (see the other forms)".into());
        }
        if let Some(forms) = &rebuilt_cache[&key] {
            match forms.iter().find(|r| r.form == m.form) {
                None => diffs.push(format!("the blueprint no longer yields form {}", m.form)),
                Some(RenderedForm {
                    files,
                    manifest: again,
                    ..
                }) => {
                    let old: BTreeSet<&(String, u32)> = m.items.iter().collect();
                    let new: BTreeSet<&(String, u32)> = again.items.iter().collect();
                    let gone: Vec<String> = old
                        .difference(&new)
                        .map(|(i, v)| format!("{i} v{v}"))
                        .collect();
                    let came: Vec<String> = new
                        .difference(&old)
                        .map(|(i, v)| format!("{i} v{v}"))
                        .collect();
                    if !gone.is_empty() || !came.is_empty() {
                        diffs.push(format!(
                            "a rebuild picks different entries: without {} / with {}",
                            gone.join(", "),
                            came.join(", ")
                        ));
                    } else if m.items != again.items {
                        diffs.push("a rebuild orders the entries differently".into());
                    }
                    for (name, bytes) in files {
                        if m.files.get(name) != Some(&sha(bytes))
                            && gone.is_empty()
                            && came.is_empty()
                        {
                            diffs.push(format!(
                                "a rebuild renders {name} differently (entry content changed)"
                            ));
                        }
                    }
                }
            }
        }
        let on_disk_intact = !diffs
            .iter()
            .any(|d| d.contains("on disk differs") || d.contains("is missing"));
        let genuine = diffs.is_empty()
            || (on_disk_intact
                && render_recorded(&vault, &standards, &m)?.is_some_and(|files| {
                    files.iter().all(|(n, b)| m.files.get(n) == Some(&sha(b)))
                }));
        verdicts.push(Verdict {
            manifest: mpath.display().to_string(),
            blueprint: m.blueprint.id.clone(),
            form: m.form,
            identical: diffs.is_empty(),
            genuine,
            differences: diffs,
            copy: None,
        });
    }
    verdicts.extend(copy_verdicts);
    Ok(verdicts)
}
