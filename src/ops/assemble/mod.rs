//! `qbank assemble`: load blueprints and the pool's metadata from the store, run the pure
//! assembler, and write each form's papers, answer keys and manifest with the blueprint's quality
//! report (all or nothing). The typed documents are made in `documents.rs`, the report in
//! `report.rs`; `verify.rs` rebuilds papers from their manifests and compares.

mod documents;
mod report;
mod verify;

pub use documents::{RenderedForm, render};
pub use report::{public_report_text, report, report_text};
pub use verify::{Verdict, verify};

use super::{Progress, StoreConfig, read_bank_files};
use crate::assemble::{
    self, Allocation, Candidate, Infeasible, PracticalForm, Quality, TaskCandidate, TheoryForm,
    TopicCandidate,
};
use crate::document::{self, QualityReport};
use crate::error::{Error, Result};
use crate::model::{
    Blueprint, BlueprintKind, Difficulty, Entry, EntryKind, Importance, Standard, default_p,
};
use crate::store::{IndexEntry, Vault};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What was built for one blueprint.
pub struct Built {
    pub blueprint: Blueprint,
    pub allocation: Option<Allocation>,
    /// The theory forms' balance, bound and gap (None for practical sets).
    pub quality: Option<Quality>,
    pub theory: Vec<TheoryForm>,
    pub practical: Vec<PracticalForm>,
}

/// Files for one form, and its manifest.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub engine: String,
    pub qbank: String,
    pub bank_digest: String,
    pub blueprint_digest: String,
    pub blueprint: Blueprint,
    pub seed: u64,
    pub form: u32,
    pub occupation: String,
    pub level: crate::model::Grade,
    pub kind: String,
    /// (id, version) of every entry used, in paper order.
    pub items: Vec<(String, u32)>,
    /// Entry ids the usage ledger excluded (cooldown, exposure limit) when the form was built.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<String>,
    /// SHA-256 of each file of the form.
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
pub struct AssembleOutcome {
    pub out: PathBuf,
    pub seed: u64,
    pub bank_digest: String,
    pub blueprints: Vec<BlueprintSummary>,
}

#[derive(Debug, Serialize)]
pub struct BlueprintSummary {
    pub id: String,
    pub dir: String,
    pub forms: u32,
    /// Written with sorted keys, as `report.json` is.
    #[serde(serialize_with = "sorted")]
    pub report: QualityReport,
}

fn sorted<S: serde::Serializer>(r: &QualityReport, s: S) -> std::result::Result<S::Ok, S::Error> {
    serde_json::to_value(r)
        .map_err(serde::ser::Error::custom)?
        .serialize(s)
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The blueprint's digest, scheme 2 (`model::canon`): `jcs:` ‖ hex SHA-256(`"qbank-blueprint/2"`
/// ‖ 0 ‖ RFC 8785 JSON of the blueprint).
pub fn blueprint_digest(b: &Blueprint) -> String {
    crate::model::canon::tagged(crate::model::canon::canonical_sha256(
        "qbank-blueprint/2",
        b,
    ))
}

/// Whether `digest` is the digest of `b` in the scheme `digest` names: scheme 2 (`jcs:`), or
/// scheme 1 (plain hex: SHA-256 of `serde_json` of the blueprint, written before the canonical
/// form), so manifests made by earlier versions keep verifying.
pub fn blueprint_digest_matches(b: &Blueprint, digest: &str) -> bool {
    if crate::model::canon::is_canonical(digest) {
        blueprint_digest(b) == digest
    } else {
        sha(&serde_json::to_vec(b).expect("blueprints serialise")) == digest
    }
}

/// Reads and validates blueprint files against the store's standards.
pub fn read_blueprints(paths: &[PathBuf], standards: &[Standard]) -> Result<Vec<Blueprint>> {
    Ok(read_blueprints_at(paths, standards)?.0)
}

/// Where each blueprint is written: blueprint id → `file:line`, for diagnoses.
pub(crate) type BlueprintPlaces = BTreeMap<String, String>;

/// As [`read_blueprints`], with where each one is written.
pub(crate) fn read_blueprints_at(
    paths: &[PathBuf],
    standards: &[Standard],
) -> Result<(Vec<Blueprint>, BlueprintPlaces)> {
    let files = read_bank_files(paths)?;
    let (bank, problems) = super::files::check_files(&files, standards);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    if bank.blueprints.is_empty() {
        return Err(Error::Usage(
            "no blueprint ([blueprint] table) found in the given files".into(),
        ));
    }
    let places = bank
        .blueprints
        .iter()
        .map(|b| (b.value.id.to_string(), format!("{}:{}", b.file, b.line)))
        .collect();
    Ok((
        bank.blueprints.into_iter().map(|b| b.value).collect(),
        places,
    ))
}

fn candidates(
    std: &Standard,
    index: &[IndexEntry],
    overlay: Option<&str>,
) -> (Vec<Candidate>, Vec<TaskCandidate>, Vec<TopicCandidate>) {
    let mut items = Vec::new();
    let mut tasks = Vec::new();
    let mut topics = Vec::new();
    for e in index {
        // an enterprise's own items go only into that enterprise's papers
        if e.meta.overlay.is_some() && e.meta.overlay.as_deref() != overlay {
            continue;
        }
        match e.kind {
            EntryKind::Item => {
                let Some(t) = crate::model::ItemType::parse(&e.type_label) else {
                    continue;
                };
                let difficulty = e.meta.difficulty.unwrap_or(Difficulty::Medium);
                let point = std.point(e.level, &e.clause);
                items.push(Candidate {
                    id: e.id.clone(),
                    version: e.version,
                    clause: e.clause.clone(),
                    item_type: t,
                    difficulty,
                    p: e.meta.p.unwrap_or(default_p(difficulty)),
                    importance: e
                        .meta
                        .importance
                        .or(point.map(|p| p.importance))
                        .unwrap_or(Importance::Y),
                    enemy: e.meta.enemy.clone(),
                    status: e.status,
                });
            }
            EntryKind::Task => tasks.push(TaskCandidate {
                id: e.id.clone(),
                version: e.version,
                modules: e.meta.modules.clone(),
                minutes: e.meta.minutes.unwrap_or(0),
                points: e.meta.points.unwrap_or(100.0),
                work_types: e.meta.work_types.clone(),
                site: e.meta.site.clone(),
                status: e.status,
            }),
            EntryKind::Defence => topics.push(TopicCandidate {
                id: e.id.clone(),
                version: e.version,
                module: e.meta.modules.first().cloned().unwrap_or_default(),
                status: e.status,
            }),
        }
    }
    (items, tasks, topics)
}

/// How many consecutive sittings `bp` can sustain at `cooldown` (its own when None), by counting
/// the store's current pool (index metadata only); None for practical blueprints.
pub fn sustain_of(
    vault: &Vault,
    standards: &[Standard],
    bp: &Blueprint,
    cooldown: Option<u32>,
) -> Result<Option<assemble::Sustain>> {
    let Some(std) = standards
        .iter()
        .find(|s| s.occupation.code == bp.occupation)
    else {
        return Ok(None);
    };
    let index = vault.index(Some(&bp.occupation), Some(bp.level))?;
    let (items, _, _) = candidates(std, &index, bp.overlay.as_deref());
    Ok(assemble::sustainable(
        bp,
        &items,
        cooldown.unwrap_or(bp.cooldown),
    ))
}

/// The near-duplicate pairs among the theory items of one occupation-level's index. The items
/// are decrypted for the screen in memory only; what reaches the assembler is the pairs' ids.
fn near_pairs_of(vault: &Vault, index: &[IndexEntry]) -> Result<Vec<super::bankscreen::NearPair>> {
    let items: Vec<IndexEntry> = index
        .iter()
        .filter(|e| e.kind == EntryKind::Item)
        .cloned()
        .collect();
    let entries = vault.entries(&items)?;
    let theory: Vec<&crate::model::TheoryItem> = entries
        .iter()
        .filter_map(|e| match e {
            Entry::Item(i) => Some(i),
            _ => None,
        })
        .collect();
    Ok(super::bankscreen::near_pairs(&theory))
}

/// Builds every form of `bp` from the store's current bank: selection on metadata, with the
/// level's near-duplicate pairs joined into the enemy groups.
pub fn build(
    vault: &Vault,
    standards: &[Standard],
    bp: &Blueprint,
    seed: u64,
    excluded: &BTreeSet<String>,
) -> Result<std::result::Result<Built, Infeasible>> {
    let std = standards
        .iter()
        .find(|s| s.occupation.code == bp.occupation)
        .ok_or_else(|| {
            Error::Usage(format!(
                "the store has no standard for occupation {}",
                bp.occupation
            ))
        })?;
    let index = vault.index(Some(&bp.occupation), Some(bp.level))?;
    let (mut items, tasks, topics) = candidates(std, &index, bp.overlay.as_deref());
    if bp.is_theory() {
        let pairs = near_pairs_of(vault, &index)?;
        super::bankscreen::join_enemies(&mut items, &pairs);
    }
    Ok(match &bp.kind {
        BlueprintKind::Theory { .. } => assemble::assemble_theory(std, bp, &items, excluded, seed)
            .map(|(a, forms, q)| Built {
                blueprint: bp.clone(),
                allocation: Some(a),
                quality: Some(q),
                theory: forms,
                practical: Vec::new(),
            }),
        BlueprintKind::Practical { .. } => {
            assemble::assemble_practical(std, bp, &tasks, &topics, excluded, seed).map(|forms| {
                Built {
                    blueprint: bp.clone(),
                    allocation: None,
                    quality: None,
                    theory: Vec::new(),
                    practical: forms,
                }
            })
        }
    })
}

/// Builds every blueprint in parallel, each with the exclusions the usage ledger gives it; any
/// infeasible blueprint fails the whole call with every diagnosis, each naming where its
/// blueprint is written (`places`).
pub(crate) fn build_all(
    vault: &Vault,
    standards: &[Standard],
    bps: &[Blueprint],
    places: &BlueprintPlaces,
    seed: u64,
    progress: &dyn Progress,
) -> Result<(Vec<Built>, Vec<BTreeSet<String>>)> {
    progress.phase("assembling", bps.len() as u64);
    let exclusions: Vec<BTreeSet<String>> = bps
        .iter()
        .map(|bp| super::sitting::exclusions(vault, bp))
        .collect::<Result<_>>()?;
    let built: Vec<std::result::Result<Built, Infeasible>> = bps
        .par_iter()
        .zip(exclusions.par_iter())
        .map(|(bp, excluded)| build(vault, standards, bp, seed, excluded))
        .collect::<Result<_>>()?;
    let failures: Vec<Infeasible> = built
        .iter()
        .filter_map(|b| b.as_ref().err().cloned())
        .map(|mut f| {
            f.at = places.get(&f.blueprint).cloned().unwrap_or_default();
            f
        })
        .collect();
    if !failures.is_empty() {
        progress.finish();
        return Err(Error::Infeasible(failures));
    }
    Ok((
        built.into_iter().map(|b| b.expect("checked")).collect(),
        exclusions,
    ))
}

/// Assembles every blueprint and writes all outputs under `out` (which must be new or empty).
/// Nothing is written unless every blueprint can be met.
pub fn assemble(
    cfg: &StoreConfig,
    blueprints: &[PathBuf],
    seed: u64,
    forms: Option<u32>,
    out: &Path,
    replace: bool,
    progress: &dyn Progress,
) -> Result<AssembleOutcome> {
    if super::files::is_nonempty_dir(out)? && !(replace && is_assembly_output(out)) {
        return Err(Error::Usage(format!(
            "{} is not empty; write papers into a new or empty folder{}",
            out.display(),
            if replace {
                " (--replace only replaces an earlier qbank assemble output)"
            } else {
                ", or pass --replace to replace an earlier output"
            }
        )));
    }
    let mut vault = cfg.open()?;
    let standards = vault.standards()?;
    let (mut bps, places) = read_blueprints_at(blueprints, &standards)?;
    if let Some(n) = forms {
        if !(1..=crate::model::MAX_FORMS).contains(&n) {
            return Err(Error::Usage(format!(
                "--forms must be between 1 and {} (as a blueprint's forms)",
                crate::model::MAX_FORMS
            )));
        }
        bps.iter_mut().for_each(|b| b.forms = n);
    }
    let bank_digest = vault.digest()?.to_string();
    let (built, exclusions) = build_all(&vault, &standards, &bps, &places, seed, progress)?;
    progress.phase("rendering", built.len() as u64);
    let tmp = super::files::partial_dir(out);
    let write = |rel: PathBuf, bytes: &[u8]| super::files::write_under(&tmp, rel, bytes);
    let mut summaries = Vec::new();
    for (b, excluded) in built.iter().zip(&exclusions) {
        let std = standards
            .iter()
            .find(|s| s.occupation.code == b.blueprint.occupation)
            .expect("found in build");
        let dir = b.blueprint.id.clone();
        for RenderedForm {
            form,
            files,
            manifest,
            ..
        } in render(&vault, std, b, seed, &bank_digest, excluded)?
        {
            let fdir = Path::new(&dir).join(format!("form-{form:02}"));
            for (name, bytes) in &files {
                write(fdir.join(name), bytes)?;
            }
            write(fdir.join("manifest.json"), &document::to_bytes(&manifest))?;
        }
        let rep = report(std, b);
        write(
            Path::new(&dir).join("report.json"),
            &document::to_bytes(&rep),
        )?;
        write(
            Path::new(&dir).join("report.txt"),
            report_text(b, &rep).as_bytes(),
        )?;
        summaries.push(BlueprintSummary {
            id: b.blueprint.id.clone(),
            dir,
            forms: b.blueprint.forms,
            report: rep,
        });
    }
    let forms: Vec<serde_json::Value> = built
        .iter()
        .map(|b| json!({ "blueprint": b.blueprint.id, "forms": b.blueprint.forms, "blueprint_digest": blueprint_digest(&b.blueprint) }))
        .collect();
    if let Err(e) = vault.commit(
        Vec::new(),
        crate::store::AuditEvent::new(
            "assemble",
            json!({ "seed": seed, "bank_digest": bank_digest, "out": out.display().to_string(), "papers": forms }),
        ),
    ) {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    super::files::move_into_place(&tmp, out, true)?;
    progress.finish();
    Ok(AssembleOutcome {
        out: out.to_path_buf(),
        seed,
        bank_digest,
        blueprints: summaries,
    })
}

/// Whether `dir` holds only what `assemble` writes: blueprint folders with a report.
fn is_assembly_output(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut it| {
        it.all(|e| e.is_ok_and(|e| e.path().is_dir() && e.path().join("report.json").is_file()))
    })
}
