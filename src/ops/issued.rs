//! What a sitting issued (所发即所记): for every organisation copy of a theory form, the entry
//! version at each printed position, its section, type and points, and the option order printed.
//! The sitting record keeps this list; analysis, feedback and tracing read it and never re-run
//! the assembler on today's bank. Records sealed before the list existed are rebuilt from what
//! they did record — the entry versions of each form, the seed and the plan — with the copy
//! generator of the engine that drew them ([`FIRST_ENGINE`]); nothing about them is re-assembled.

use super::StoreConfig;
use super::sitting::SittingRecord;
use crate::assemble::{CopyPlan, FIRST_ENGINE, copy_plan_keyed, copy_plan_of};
use crate::document::CopyInfo;
use crate::error::{Error, Result};
use crate::model::{Blueprint, BlueprintKind, Entry, ItemType, TheoryItem};
use crate::store::Vault;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// One printed question of an organisation copy.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IssuedQuestion {
    /// The number printed on the copy (1-based, across sections).
    pub n: u32,
    /// Position of the question in the form (0-based, form order).
    pub at: usize,
    /// Index of the blueprint section it is printed in.
    pub section: usize,
    pub id: String,
    pub version: u32,
    #[serde(rename = "type")]
    pub item_type: ItemType,
    pub points: f64,
    /// For each printed letter, the entry's option index (empty for questions without options).
    pub options: Vec<usize>,
}

/// One organisation's copy of one theory form, as issued.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IssuedCopy {
    /// The copy code printed on the paper (`<organisation>-<blueprint>-Fnn`).
    pub copy: String,
    pub organisation: String,
    pub blueprint: String,
    pub form: u32,
    /// In print order.
    pub questions: Vec<IssuedQuestion>,
}

impl IssuedCopy {
    /// The question printed as number `n`.
    pub fn printed(&self, n: usize) -> Option<&IssuedQuestion> {
        n.checked_sub(1).and_then(|i| self.questions.get(i))
    }
}

pub(crate) fn copy_code(org: &str, blueprint: &str, form: u32) -> String {
    format!("{org}-{blueprint}-F{form:02}")
}

/// Section, type and points of every position of a theory blueprint's forms, in form order.
pub(crate) fn layout(bp: &Blueprint) -> Vec<(usize, ItemType, f64)> {
    let BlueprintKind::Theory { sections, .. } = &bp.kind else {
        return Vec::new();
    };
    sections
        .iter()
        .enumerate()
        .flat_map(|(s, sec)| {
            std::iter::repeat_n((s, sec.item_type, sec.points), sec.count as usize)
        })
        .collect()
}

/// The section lengths of a layout.
fn section_lengths(bp: &Blueprint) -> Vec<usize> {
    match &bp.kind {
        BlueprintKind::Theory { sections, .. } => {
            sections.iter().map(|s| s.count as usize).collect()
        }
        BlueprintKind::Practical { .. } => Vec::new(),
    }
}

/// Where copy permutations come from.
pub(crate) enum CopySource<'a> {
    /// The sitting's secret, kept in its sealed record (every sitting sealed from now on).
    Secret(&'a [u8; 32]),
    /// The public sitting seed and an engine label: how records sealed before copies were
    /// kept drew them ([`FIRST_ENGINE`]); only used to rebuild those.
    PublicSeed(&'a str, u64),
}

/// The copy plans of one form for the organisations that run it (in plan order), each distinct
/// from the others: a plan equal to an earlier organisation's is drawn again with the next
/// attempt number.
pub(crate) fn copy_plans<'a>(
    source: &CopySource<'_>,
    sitting: &str,
    runners: impl Iterator<Item = &'a str>,
    blueprint: &str,
    form: u32,
    sections: &[usize],
    option_counts: &[usize],
) -> Vec<(&'a str, CopyPlan)> {
    let form = form.to_string();
    let mut taken: BTreeSet<Vec<usize>> = BTreeSet::new();
    runners
        .map(|org| {
            let mut attempt = 0u32;
            loop {
                let a = attempt.to_string();
                let labels = [sitting, org, blueprint, form.as_str(), a.as_str()];
                let cp = match source {
                    CopySource::Secret(k) => copy_plan_keyed(k, &labels, sections, option_counts),
                    CopySource::PublicSeed(engine, seed) => {
                        copy_plan_of(engine, *seed, &labels, sections, option_counts)
                    }
                };
                attempt += 1;
                if taken.insert(cp.order.clone()) || attempt > 16 {
                    return (org, cp);
                }
            }
        })
        .collect()
}

/// The issued copy of `items` (the form's entry versions in form order) under `plan`.
pub(crate) fn issue(
    org: &str,
    bp: &Blueprint,
    form: u32,
    items: &[(String, u32)],
    plan: &CopyPlan,
) -> Option<IssuedCopy> {
    let layout = layout(bp);
    if layout.len() != items.len() || plan.order.len() != items.len() {
        return None;
    }
    let questions = plan
        .order
        .iter()
        .zip(&plan.options)
        .enumerate()
        .map(|(k, (&at, perm))| {
            let (section, item_type, points) = layout[at];
            let (id, version) = &items[at];
            IssuedQuestion {
                n: k as u32 + 1,
                at,
                section,
                id: id.clone(),
                version: *version,
                item_type,
                points,
                options: perm.clone(),
            }
        })
        .collect();
    Some(IssuedCopy {
        copy: copy_code(org, &bp.id, form),
        organisation: org.to_string(),
        blueprint: bp.id.clone(),
        form,
        questions,
    })
}

fn missing(rec: &SittingRecord, what: &str, id: &str, version: u32) -> Error {
    Error::Corrupt {
        record: format!("t/{}", rec.plan.id),
        reason: format!(
            "{what} printed {id} version {version}, which the store no longer holds; restore the store from a backup"
        ),
    }
}

/// Rebuilds the copies of a record that does not hold them: each form's recorded entry versions
/// in form order, the blueprint's layout, the options of those versions, and the copy generator
/// the record was sealed with — [`FIRST_ENGINE`] with the sitting's seed and plan for records
/// sealed before copies were kept (frozen vector `tests/data/vectors/sitting-record-first-engine.json`),
/// the sitting's copy secret for a later record whose list was lost (with `fixed_order` options
/// put back, which versions sealed before copies were kept never have).
fn rebuild_first(vault: &Vault, rec: &SittingRecord) -> Result<Vec<IssuedCopy>> {
    let mut out = Vec::new();
    for p in rec.papers.iter().filter(|p| p.blueprint.is_theory()) {
        let bp = &p.blueprint;
        let wanted: Vec<(String, u32)> = p
            .forms
            .iter()
            .flat_map(|(_, items)| items.iter().cloned())
            .collect();
        let entries = vault.entry_versions(&bp.occupation, bp.level, &wanted)?;
        let runs = (bp.occupation.clone(), bp.level);
        let sections = section_lengths(bp);
        for (form, items) in &p.forms {
            let mut option_counts = Vec::with_capacity(items.len());
            let mut fixed = Vec::with_capacity(items.len());
            for (id, version) in items {
                match entries.get(&(id.clone(), *version)) {
                    Some(Entry::Item(i)) => {
                        option_counts.push(i.options.len());
                        fixed.push(i.fixed_order);
                    }
                    _ => {
                        let code = format!("{}-F{form:02}", bp.id);
                        return Err(missing(rec, &format!("form {code}"), id, *version));
                    }
                }
            }
            let runners = rec
                .plan
                .organisations
                .iter()
                .filter(|o| o.runs.contains(&runs))
                .map(|o| o.id.as_str());
            let source = match &rec.copy_secret {
                Some(k) => CopySource::Secret(k.expose()),
                None => CopySource::PublicSeed(FIRST_ENGINE, rec.seed),
            };
            let plans = copy_plans(
                &source,
                &rec.plan.id,
                runners,
                &bp.id,
                *form,
                &sections,
                &option_counts,
            );
            // an entry version written before fixed_order existed has none, so this changes
            // nothing for a record that old; it keeps one sealed since then as it was issued
            for (org, mut plan) in plans {
                crate::assemble::keep_fixed(&mut plan, &fixed);
                out.push(
                    issue(org, bp, *form, items, &plan).ok_or_else(|| Error::Corrupt {
                        record: format!("t/{}", rec.plan.id),
                        reason: format!(
                            "form {} F{form:02} records {} entries; its blueprint lays out {}",
                            bp.id,
                            items.len(),
                            layout(bp).len()
                        ),
                    })?,
                );
            }
        }
    }
    Ok(out)
}

/// The theory copies a sitting issued: as recorded, or rebuilt from an older record.
pub(crate) fn copies_of(vault: &Vault, rec: &SittingRecord) -> Result<Vec<IssuedCopy>> {
    if rec.copies.is_empty() {
        rebuild_first(vault, rec)
    } else {
        Ok(rec.copies.clone())
    }
}

/// Issued copies of several sittings with the entry versions they printed.
pub(crate) struct Issued {
    /// (sitting, copy), in record order.
    pub copies: Vec<(String, IssuedCopy)>,
    items: HashMap<(String, u32), TheoryItem>,
}

impl Issued {
    /// Reads the copies of `records` and every entry version they printed; a version the store
    /// does not hold is an error naming the sitting, copy and entry.
    pub fn load(vault: &Vault, records: &[SittingRecord]) -> Result<Issued> {
        let mut copies = Vec::new();
        let mut items = HashMap::new();
        for rec in records {
            let cs = copies_of(vault, rec)?;
            for p in rec.papers.iter().filter(|p| p.blueprint.is_theory()) {
                let bp = &p.blueprint;
                let wanted: BTreeSet<(String, u32)> = cs
                    .iter()
                    .filter(|c| c.blueprint == bp.id)
                    .flat_map(|c| c.questions.iter().map(|q| (q.id.clone(), q.version)))
                    .filter(|k| !items.contains_key(k))
                    .collect();
                let wanted: Vec<(String, u32)> = wanted.into_iter().collect();
                for (k, e) in vault.entry_versions(&bp.occupation, bp.level, &wanted)? {
                    if let Entry::Item(i) = e {
                        items.insert(k, i);
                    }
                }
            }
            for c in cs {
                if let Some(q) = c
                    .questions
                    .iter()
                    .find(|q| !items.contains_key(&(q.id.clone(), q.version)))
                {
                    return Err(missing(rec, &format!("copy {}", c.copy), &q.id, q.version));
                }
                copies.push((rec.plan.id.clone(), c));
            }
        }
        Ok(Issued { copies, items })
    }

    /// The entry version a question printed (present for every question of [`Issued::copies`]).
    pub fn item(&self, q: &IssuedQuestion) -> &TheoryItem {
        &self.items[&(q.id.clone(), q.version)]
    }
}

/// The theory copies sitting `id` issued (as its record holds them, or rebuilt once from an
/// older record's entry versions).
pub fn issued(cfg: &StoreConfig, id: &str) -> Result<Vec<IssuedCopy>> {
    let vault = cfg.open()?;
    let rec: SittingRecord =
        vault
            .get_record(&format!("t/{id}"))?
            .ok_or_else(|| Error::NotFound {
                what: "sitting",
                id: id.into(),
            })?;
    copies_of(&vault, &rec)
}

/// Checks an opened theory copy (`copy.json` beside its paper) against what its sitting's record
/// says was issued: the same entry version at every printed number, with the same option order.
/// None for a practical copy (its documents are not permuted).
pub(crate) fn verify_copy(vault: &Vault, path: &std::path::Path) -> Result<Option<super::Verdict>> {
    let text = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    let file: CopyInfo =
        crate::document::load(&text, &path.display().to_string(), "qbank copy.json")?;
    let mut differences = Vec::new();
    let rec: Option<SittingRecord> = vault.get_record(&format!("t/{}", file.sitting))?;
    match rec {
        None => differences.push(format!("this store holds no sitting {}", file.sitting)),
        Some(rec) => match copies_of(vault, &rec)?
            .into_iter()
            .find(|c| c.copy == file.copy)
        {
            None if file.questions.is_empty() => return Ok(None),
            None => differences.push(format!(
                "sitting {} issued no theory copy {}",
                file.sitting, file.copy
            )),
            Some(issued) => {
                if issued.questions.len() != file.questions.len() {
                    differences.push(format!(
                        "{} questions; the sitting issued {}",
                        file.questions.len(),
                        issued.questions.len()
                    ));
                }
                for (q, f) in issued.questions.iter().zip(&file.questions) {
                    if (q.n, &q.id, q.version) != (f.n, &f.id, f.version) {
                        differences.push(format!(
                            "question {}: {} v{}; the sitting issued {} v{} there",
                            f.n, f.id, f.version, q.id, q.version
                        ));
                    } else if q.options != f.options {
                        differences.push(format!(
                            "question {} ({}): options in another order than issued",
                            f.n, f.id
                        ));
                    }
                }
            }
        },
    }
    let ok = differences.is_empty();
    Ok(Some(super::Verdict {
        manifest: path.display().to_string(),
        blueprint: file.blueprint,
        form: file.form,
        identical: ok,
        genuine: ok,
        differences,
        copy: Some(file.copy),
    }))
}
