//! `qbank status`: counts and coverage of the bank, and the 鉴定点 with too few items to draw from.

use super::StoreConfig;
use crate::error::Result;
use crate::model::{EntryKind, Status};
use crate::store::IndexEntry;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
pub struct PointCount {
    pub occupation: String,
    pub level: crate::model::Grade,
    pub clause: String,
    pub name: String,
    pub active_items: usize,
}

#[derive(Debug, Serialize, Default)]
pub struct LevelStatus {
    pub items: usize,
    pub active_items: usize,
    pub tasks: usize,
    pub defence_topics: usize,
    /// Active items per 职业功能 code.
    pub by_function: BTreeMap<String, usize>,
    pub by_type: BTreeMap<String, usize>,
    pub by_difficulty: BTreeMap<String, usize>,
    pub by_status: BTreeMap<String, usize>,
    /// Active items per 鉴定点 code (every 鉴定点 of the level, zeros included).
    pub by_point: BTreeMap<String, usize>,
    /// 鉴定点 at this level with at least one active item, of all 鉴定点 at this level.
    pub points_covered: usize,
    pub points_total: usize,
}

#[derive(Debug, Serialize)]
pub struct StatusReport {
    pub digest: String,
    pub standards: Vec<String>,
    pub entries: usize,
    /// occupation → level code → counts
    pub levels: BTreeMap<String, BTreeMap<String, LevelStatus>>,
    /// 鉴定点 with fewer than `min_per_point` active items.
    pub thin_points: Vec<PointCount>,
    pub min_per_point: usize,
    /// (data key id, encryptions so far)
    pub data_keys: Vec<(u32, u64)>,
    /// For each theory blueprint given (`--blueprints`), the consecutive sittings its pool
    /// sustains under its cooldown (a counting bound).
    pub sittings: Vec<crate::assemble::Sustain>,
    /// Current entries citing a standard the register (`--register`) lists as 废止 or 被替代.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outdated: Vec<OutdatedCite>,
}

/// A current entry that cites a withdrawn or replaced standard.
#[derive(Clone, Debug, Serialize)]
pub struct OutdatedCite {
    pub id: String,
    pub version: u32,
    pub cite: String,
    /// In Chinese words, with the replacing standard.
    pub words: String,
}

/// Reads and checks a register of standards (`banks/standards-register.toml`).
pub fn read_register(path: &std::path::Path) -> Result<crate::model::StandardsRegister> {
    let files = super::read_bank_files(&[path.to_path_buf()])?;
    let mut problems = Vec::new();
    let mut register = crate::model::StandardsRegister::default();
    for f in &files {
        match crate::bankfile::parse_register(f) {
            Ok(r) => register.standards.extend(r.standards),
            Err(d) => problems.extend(d),
        }
    }
    if problems.is_empty() {
        Ok(register)
    } else {
        Err(crate::error::Error::Invalid(problems))
    }
}

/// Every current entry of the bank citing a standard the register lists as 废止 or 被替代
/// (decrypts the current entries; the register itself is public).
pub fn outdated_citations(
    vault: &crate::store::Vault,
    register: &crate::model::StandardsRegister,
) -> Result<Vec<OutdatedCite>> {
    let index = vault.index(None, None)?;
    let mut out = Vec::new();
    for e in vault.entries(&index)? {
        for cite in e.cites() {
            if let Some(words) = register.warning(cite) {
                out.push(OutdatedCite {
                    id: e.id().to_string(),
                    version: e.version(),
                    cite: cite.clone(),
                    words,
                });
            }
        }
    }
    out.sort_by(|a, b| a.id.cmp(&b.id).then(a.cite.cmp(&b.cite)));
    Ok(out)
}

pub fn status(
    cfg: &StoreConfig,
    min_per_point: usize,
    blueprints: &[std::path::PathBuf],
    register: Option<&std::path::Path>,
) -> Result<StatusReport> {
    let register = register.map(read_register).transpose()?;
    let vault = cfg.open()?;
    let standards = vault.standards()?;
    let index = vault.index(None, None)?;
    let mut report = summarise(
        &standards,
        &index,
        min_per_point,
        vault.digest()?.to_string(),
        vault.key_usage(),
    );
    if !blueprints.is_empty() {
        let files: Vec<std::path::PathBuf> = super::read_bank_files(blueprints)?
            .into_iter()
            .filter(|f| f.text.contains("[blueprint]"))
            .map(|f| std::path::PathBuf::from(f.path))
            .collect();
        for bp in super::read_blueprints(&files, &standards)? {
            if let Some(s) = super::assemble::sustain_of(&vault, &standards, &bp, None)? {
                report.sittings.push(s);
            }
        }
    }
    if let Some(r) = &register {
        report.outdated = outdated_citations(&vault, r)?;
    }
    Ok(report)
}

fn summarise(
    standards: &[crate::model::Standard],
    index: &[IndexEntry],
    min_per_point: usize,
    digest: String,
    data_keys: Vec<(u32, u64)>,
) -> StatusReport {
    let mut levels: BTreeMap<String, BTreeMap<String, LevelStatus>> = BTreeMap::new();
    let mut per_point: BTreeMap<(String, crate::model::Grade, String), usize> = BTreeMap::new();
    for e in index {
        let ls = levels
            .entry(e.occupation.to_string())
            .or_default()
            .entry(e.level.key())
            .or_default();
        match e.kind {
            EntryKind::Task => ls.tasks += 1,
            EntryKind::Defence => ls.defence_topics += 1,
            EntryKind::Item => {
                ls.items += 1;
                *ls.by_status.entry(e.status.as_str().into()).or_default() += 1;
                if e.status == Status::Active {
                    ls.active_items += 1;
                    let f = crate::model::standard_function(&e.clause).to_string();
                    *ls.by_function.entry(f).or_default() += 1;
                    *ls.by_type.entry(e.type_label.clone()).or_default() += 1;
                    if let Some(d) = e.meta.difficulty {
                        *ls.by_difficulty.entry(d.as_str().into()).or_default() += 1;
                    }
                    *per_point
                        .entry((e.occupation.to_string(), e.level, e.clause.clone()))
                        .or_default() += 1;
                }
            }
        }
    }
    let mut thin_points = Vec::new();
    for s in standards {
        let occ = s.occupation.code.to_string();
        for level in s.grades() {
            let Some(ls) = levels.get_mut(&occ).and_then(|m| m.get_mut(&level.key())) else {
                continue;
            };
            if ls.items == 0 {
                continue;
            }
            for p in s.points_at(level) {
                let n = per_point
                    .get(&(occ.clone(), level, p.code.clone()))
                    .copied()
                    .unwrap_or(0);
                ls.points_total += 1;
                ls.by_point.insert(p.code.clone(), n);
                if n > 0 {
                    ls.points_covered += 1;
                }
                if n < min_per_point {
                    thin_points.push(PointCount {
                        occupation: occ.clone(),
                        level,
                        clause: p.code.clone(),
                        name: p.name.clone(),
                        active_items: n,
                    });
                }
            }
        }
    }
    StatusReport {
        digest,
        standards: standards
            .iter()
            .map(|s| format!("{} {} ({})", s.occupation.code, s.occupation.name, s.id))
            .collect(),
        entries: index.len(),
        levels,
        thin_points,
        min_per_point,
        data_keys,
        sittings: Vec::new(),
        outdated: Vec::new(),
    }
}
