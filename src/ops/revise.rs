//! The revision loop: feedback reports from organisations (`feedback import`), the revision queue
//! that joins them with the flags of item analysis (`revise list`), new versions with their reason
//! and evidence (`revise ITEM --file`), and calibration of the difficulty the assembler balances
//! on from measured p values (`revise calibrate`). Every step is audited; old versions stay.

use super::StoreConfig;
use super::analysis::StoredStats;
use super::org::now;
use crate::bankfile::{self, Diagnostic, SourceFile};
use crate::error::{Error, Result};
use crate::model::{Difficulty, Entry, Organisation};
use crate::store::AuditEvent;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;

/// What an organisation reports about an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FeedbackKind {
    WrongKey,
    Ambiguous,
    Outdated,
    OutOfScope,
    Typo,
    Other,
}

impl FeedbackKind {
    pub fn parse(s: &str) -> Option<FeedbackKind> {
        Some(match s.trim() {
            "wrong-key" | "答案错误" => FeedbackKind::WrongKey,
            "ambiguous" | "表述歧义" => FeedbackKind::Ambiguous,
            "outdated" | "内容过时" | "与现行标准不符" => FeedbackKind::Outdated,
            "out-of-scope" | "超纲" => FeedbackKind::OutOfScope,
            "typo" | "错别字" => FeedbackKind::Typo,
            "other" | "其他" => FeedbackKind::Other,
            _ => return None,
        })
    }
}

/// One report (`f/<id>/<seq:012>`, sealed).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Feedback {
    pub organisation: String,
    pub item: String,
    pub version: u32,
    pub kind: FeedbackKind,
    pub text: String,
    pub received: String,
    /// The version that answered it, once revised.
    pub resolved_by: Option<u32>,
}

/// A recorded revision (`v/<id>/<version:010>`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Revision {
    pub id: String,
    pub version: u32,
    pub reason: String,
    pub evidence: Vec<String>,
    pub at: String,
    pub by: String,
}

/// Imports feedback reports (CSV: organisation,item,version,kind,text) — all or nothing.
pub fn import_feedback(cfg: &StoreConfig, file: &Path) -> Result<usize> {
    let name = file.display().to_string();
    let mut vault = cfg.open()?;
    let mut rd = csv::Reader::from_path(file)
        .map_err(|e| Error::io("read", file, std::io::Error::other(e.to_string())))?;
    let head: Vec<String> = rd
        .headers()
        .map_err(|e| Error::Usage(format!("{name}: {e}")))?
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    if head != ["organisation", "item", "version", "kind", "text"] {
        return Err(Error::Invalid(vec![Diagnostic {
            file: name,
            line: 1,
            message: "the header must be: organisation,item,version,kind,text".into(),
        }]));
    }
    let mut problems = Vec::new();
    let mut reports = Vec::new();
    let received = now();
    for r in rd.records() {
        let r = match r {
            Ok(r) => r,
            Err(e) => {
                problems.push(Diagnostic {
                    file: name.clone(),
                    line: e.position().map_or(0, |p| p.line() as usize),
                    message: e.to_string(),
                });
                continue;
            }
        };
        let line = r.position().map_or(0, |p| p.line() as usize);
        let mut bad = |m: String| {
            problems.push(Diagnostic {
                file: name.clone(),
                line,
                message: m,
            })
        };
        let get = |i: usize| r.get(i).unwrap_or_default().trim().to_string();
        let (org, item, version, kind, text) = (get(0), get(1), get(2), get(3), get(4));
        if vault
            .get_record::<Organisation>(&format!("o/{org}"))?
            .is_none()
        {
            bad(format!("organisation {org} is not in the catalog"));
            continue;
        }
        let Ok(version) = version.parse::<u32>() else {
            bad(format!("version `{version}` is not a number"));
            continue;
        };
        match vault.versions(&item) {
            Ok(v) if v.contains(&version) => {}
            Ok(v) => {
                bad(format!("{item} has no version {version} (versions {v:?})"));
                continue;
            }
            Err(_) => {
                bad(format!("no item {item} in the bank"));
                continue;
            }
        }
        let Some(kind) = FeedbackKind::parse(&kind) else {
            bad(format!(
                "kind `{kind}`: give wrong-key, ambiguous, outdated, out-of-scope, typo or other (答案错误 表述歧义 内容过时 超纲 错别字 其他)"
            ));
            continue;
        };
        if text.is_empty() {
            bad("the report's text is empty".into());
            continue;
        }
        reports.push(Feedback {
            organisation: org,
            item,
            version,
            kind,
            text,
            received: received.clone(),
            resolved_by: None,
        });
    }
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let seq = vault.checkpoint().seq + 1;
    let mut batch = Vec::new();
    for (k, f) in reports.iter().enumerate() {
        batch.push(vault.put_record(&format!("f/{}/{seq:012}-{k:04}", f.item), f)?);
    }
    let orgs: std::collections::BTreeSet<&str> =
        reports.iter().map(|f| f.organisation.as_str()).collect();
    vault.commit(
        batch,
        AuditEvent::new(
            "feedback-import",
            json!({ "file": name, "reports": reports.len(), "organisations": orgs }),
        ),
    )?;
    Ok(reports.len())
}

/// One line of the revision queue.
#[derive(Debug, Serialize)]
pub struct RevisionCase {
    pub id: String,
    pub current: u32,
    /// Analysis flags of versions not yet revised.
    pub analysis: Option<StoredStats>,
    pub feedback: Vec<Feedback>,
}

/// Items that need an examiner's look: analysis flags on their current version, or open feedback.
/// Probable wrong keys first.
pub fn list(cfg: &StoreConfig) -> Result<Vec<RevisionCase>> {
    cases(&cfg.open()?)
}

fn cases(vault: &crate::store::Vault) -> Result<Vec<RevisionCase>> {
    let mut cases: BTreeMap<String, RevisionCase> = BTreeMap::new();
    for (_, s) in vault.records::<StoredStats>("n/")? {
        if s.stats.flags.is_empty() {
            continue;
        }
        let Ok(versions) = vault.versions(&s.stats.id) else {
            continue;
        };
        let current = versions.last().copied().unwrap_or(0);
        if current != s.stats.version {
            continue; // revised since
        }
        cases.insert(
            s.stats.id.clone(),
            RevisionCase {
                id: s.stats.id.clone(),
                current,
                analysis: Some(s),
                feedback: Vec::new(),
            },
        );
    }
    for (_, f) in vault.records::<Feedback>("f/")? {
        if f.resolved_by.is_some() {
            continue;
        }
        let current = vault
            .versions(&f.item)
            .ok()
            .and_then(|v| v.last().copied())
            .unwrap_or(0);
        cases
            .entry(f.item.clone())
            .or_insert_with(|| RevisionCase {
                id: f.item.clone(),
                current,
                analysis: None,
                feedback: Vec::new(),
            })
            .feedback
            .push(f);
    }
    let mut out: Vec<RevisionCase> = cases.into_values().collect();
    let urgent = |c: &RevisionCase| {
        c.feedback.iter().any(|f| f.kind == FeedbackKind::WrongKey)
            || c.analysis.as_ref().is_some_and(|a| {
                a.stats
                    .flags
                    .iter()
                    .any(|f| matches!(f, crate::analysis::Flag::ProbableMiskey { .. }))
            })
    };
    out.sort_by(|a, b| urgent(b).cmp(&urgent(a)).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// What `revise` did.
#[derive(Debug, Serialize)]
pub struct ReviseOutcome {
    pub id: String,
    pub version: u32,
    pub resolved_feedback: usize,
}

/// Records a new version of `id` from an edited bank file, with the reason and the evidence (the
/// current analysis flags and open feedback), resolving that feedback — in one batch.
pub fn revise(cfg: &StoreConfig, id: &str, file: &Path, reason: &str) -> Result<ReviseOutcome> {
    if reason.trim().is_empty() {
        return Err(Error::Usage("give a --reason".into()));
    }
    let text = std::fs::read_to_string(file).map_err(|e| Error::io("read", file, e))?;
    let mut vault = cfg.open()?;
    let standards = vault.standards()?;
    let (bank, problems) = bankfile::check(
        &[SourceFile {
            path: file.display().to_string(),
            text,
        }],
        &standards,
    );
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let mut mine: Vec<Entry> = bank
        .entries
        .into_iter()
        .map(|l| l.value)
        .filter(|e| e.id() == id)
        .collect();
    let Some(entry) = mine.pop() else {
        return Err(Error::Usage(format!(
            "{} holds no entry {id}",
            file.display()
        )));
    };
    let before = vault.versions(id)?;
    let current = before.last().copied().unwrap_or(0);
    // the evidence: flags of the current version's analysis, and this item's open feedback
    let stats: Option<StoredStats> = vault.get_record(&format!("n/{id}/{current:010}"))?;
    let open: Vec<(String, Feedback)> = vault
        .records::<Feedback>(&format!("f/{id}/"))?
        .into_iter()
        .filter(|(_, f)| f.resolved_by.is_none())
        .collect();
    let mut evidence = Vec::new();
    if let Some(a) = &stats {
        for f in &a.stats.flags {
            evidence.push(format!(
                "v{} analysis ({}): {}",
                a.stats.version,
                a.sittings.join(","),
                crate::analysis::flag_text(f)
            ));
        }
    }
    for (_, f) in &open {
        evidence.push(format!(
            "v{} feedback from {} ({:?}): {}",
            f.version, f.organisation, f.kind, f.text
        ));
    }
    let resolved: Vec<(String, Feedback)> = open
        .into_iter()
        .map(|(k, mut f)| {
            f.resolved_by = Some(current + 1);
            (k, f)
        })
        .collect();
    let master = vault.master_key(&cfg.key)?;
    let mut extra = Vec::new();
    for (k, f) in &resolved {
        extra.push(vault.put_record(k, f)?);
    }
    let rec = Revision {
        id: id.into(),
        version: current + 1,
        reason: reason.into(),
        evidence: evidence.clone(),
        at: now(),
        by: crate::store::audit::default_actor(),
    };
    extra.push(vault.put_record(&format!("v/{id}/{:010}", current + 1), &rec)?);
    let report = vault.import_with(
        &[],
        vec![(entry, None)],
        Some(&master),
        &|_| {},
        AuditEvent::new(
            "revise",
            json!({ "id": id, "from": current, "reason": reason, "evidence": evidence.len(), "feedback_resolved": resolved.len() }),
        ),
        extra,
    )?;
    if report.new_versions == 0 {
        return Err(Error::Usage(format!(
            "{} does not change {id}; nothing was recorded",
            file.display()
        )));
    }
    Ok(ReviseOutcome {
        id: id.into(),
        version: current + 1,
        resolved_feedback: resolved.len(),
    })
}

/// The difficulty label a measured p corresponds to (the assembler's default p values are 0.85,
/// 0.65 and 0.45 for easy, medium and hard).
pub fn label_for(p: f64) -> Difficulty {
    if p >= 0.75 {
        Difficulty::Easy
    } else if p >= 0.55 {
        Difficulty::Medium
    } else {
        Difficulty::Hard
    }
}

/// What `revise calibrate` did.
#[derive(Debug, Serialize)]
pub struct Calibration {
    pub id: String,
    pub version: u32,
    pub p_before: Option<f64>,
    pub p: f64,
    pub n: usize,
}

/// Sets each item's p (and difficulty label) to the value measured on at least `min_n`
/// responses of its current version, as new versions recorded with their evidence, in one batch,
/// so the next papers are balanced on measured difficulty.
pub fn calibrate(cfg: &StoreConfig, min_n: usize) -> Result<Vec<Calibration>> {
    let mut vault = cfg.open()?;
    let mut entries = Vec::new();
    let mut out = Vec::new();
    let mut extra = Vec::new();
    for (_, s) in vault.records::<StoredStats>("n/")? {
        let (Some(p), true) = (s.stats.p, s.stats.n >= min_n) else {
            continue;
        };
        let p = (p.clamp(0.01, 0.99) * 100.0).round() / 100.0;
        let Ok((Entry::Item(mut item), versions)) = vault.entry_with_versions(&s.stats.id, None)
        else {
            continue;
        };
        if versions.last() != Some(&s.stats.version) || item.p == Some(p) {
            continue;
        }
        out.push(Calibration {
            id: item.id.clone(),
            version: s.stats.version + 1,
            p_before: item.p,
            p,
            n: s.stats.n,
        });
        item.p = Some(p);
        item.difficulty = label_for(p);
        let rec = Revision {
            id: item.id.clone(),
            version: s.stats.version + 1,
            reason: "calibrated difficulty (测定难度)".into(),
            evidence: vec![format!(
                "p = {p:.2} measured on {} responses to v{} in sittings {}",
                s.stats.n,
                s.stats.version,
                s.sittings.join(",")
            )],
            at: now(),
            by: crate::store::audit::default_actor(),
        };
        extra.push(vault.put_record(&format!("v/{}/{:010}", item.id, s.stats.version + 1), &rec)?);
        entries.push((Entry::Item(item), None));
    }
    if entries.is_empty() {
        return Ok(out);
    }
    let master = vault.master_key(&cfg.key)?;
    vault.import_with(
        &[],
        entries,
        Some(&master),
        &|_| {},
        AuditEvent::new("calibrate", json!({ "items": out.len(), "min_n": min_n })),
        extra,
    )?;
    Ok(out)
}

/// The recorded revisions of an item, oldest first.
pub fn history(cfg: &StoreConfig, id: &str) -> Result<Vec<Revision>> {
    Ok(cfg
        .open()?
        .records::<Revision>(&format!("v/{id}/"))?
        .into_iter()
        .map(|(_, r)| r)
        .collect())
}
