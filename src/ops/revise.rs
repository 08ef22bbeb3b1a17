//! The revision loop: feedback reports from organisations (`feedback import`), the revision queue
//! that joins them with the flags of item analysis (`revise list`), new versions with their reason
//! and evidence (`revise ITEM --file`), and calibration of the difficulty the assembler balances
//! on from measured p values (`revise calibrate`, in `calibrate.rs`). Every step is audited; old
//! versions stay.

use super::StoreConfig;
use super::analysis::StoredStats;
pub use super::calibrate::{
    Calibration, CalibrationReport, SkipReason, Skipped, calibrate, label_for,
};
pub use super::feedback::{FeedbackOutcome, import_feedback};
use super::org::now;
use crate::bankfile::SourceFile;
use crate::error::{Error, Result};
use crate::model::Entry;
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
    /// The kind as users write and read it.
    pub fn name(self) -> &'static str {
        match self {
            FeedbackKind::WrongKey => "答案错误",
            FeedbackKind::Ambiguous => "表述歧义",
            FeedbackKind::Outdated => "内容过时",
            FeedbackKind::OutOfScope => "超纲",
            FeedbackKind::Typo => "错别字",
            FeedbackKind::Other => "其他",
        }
    }

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
    /// Why an examiner closed it without a new version (`revise ITEM --dismiss --reason`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dismissed: Option<String>,
    /// Where the organisation saw it, when it reported by copy and printed number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub printed: Option<(String, u32)>,
}

impl Feedback {
    /// Neither answered by a revision nor dismissed.
    pub fn is_open(&self) -> bool {
        self.resolved_by.is_none() && self.dismissed.is_none()
    }
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

/// One line of the revision queue.
#[derive(Debug, Serialize)]
pub struct RevisionCase {
    pub id: String,
    pub current: u32,
    /// Analysis flags of versions not yet revised.
    pub analysis: Option<StoredStats>,
    pub feedback: Vec<Feedback>,
    /// Citations of standards the register lists as 废止 or 被替代 (`revise list --register`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub outdated: Vec<super::OutdatedCite>,
}

/// Items that need an examiner's look: analysis flags on their current version, or open feedback.
/// Probable wrong keys first.
pub fn list(cfg: &StoreConfig) -> Result<Vec<RevisionCase>> {
    cases(&cfg.open()?, None)
}

/// [`list`], and every item citing a standard `register` lists as 废止 or 被替代.
pub fn list_with_register(
    cfg: &StoreConfig,
    register: &crate::model::StandardsRegister,
) -> Result<Vec<RevisionCase>> {
    cases(&cfg.open()?, Some(register))
}

fn cases(
    vault: &crate::store::Vault,
    register: Option<&crate::model::StandardsRegister>,
) -> Result<Vec<RevisionCase>> {
    let mut cases: BTreeMap<String, RevisionCase> = BTreeMap::new();
    for (_, s) in vault.records::<StoredStats>("n/")? {
        if s.stats.flags.is_empty() || s.dismissed.is_some() {
            continue;
        }
        let Ok(versions) = vault.versions(&s.stats.id) else {
            continue;
        };
        let current = versions.last().copied().unwrap_or(0);
        // a calibration or a status change is not an answer to a flag; a revision is
        if revised_since(vault, &s.stats.id, s.stats.version)? {
            continue;
        }
        cases.insert(
            s.stats.id.clone(),
            RevisionCase {
                id: s.stats.id.clone(),
                current,
                analysis: Some(s),
                feedback: Vec::new(),
                outdated: Vec::new(),
            },
        );
    }
    for (_, f) in vault.records::<Feedback>("f/")? {
        if !f.is_open() {
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
                outdated: Vec::new(),
            })
            .feedback
            .push(f);
    }
    if let Some(register) = register {
        for o in super::outdated_citations(vault, register)? {
            cases
                .entry(o.id.clone())
                .or_insert_with(|| RevisionCase {
                    id: o.id.clone(),
                    current: o.version,
                    analysis: None,
                    feedback: Vec::new(),
                    outdated: Vec::new(),
                })
                .outdated
                .push(o);
        }
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

/// The reason calibrations are recorded with (`v/<id>/<version>`).
pub const CALIBRATION_REASON: &str = "calibrated difficulty (测定难度)";

/// Whether a version after `version` of `id` was made by a revision (not by a calibration or a
/// status change, which leave the item's content and its flags as they were).
pub(crate) fn revised_since(vault: &crate::store::Vault, id: &str, version: u32) -> Result<bool> {
    Ok(vault
        .records::<Revision>(&format!("v/{id}/"))?
        .into_iter()
        .any(|(_, r)| r.version > version && r.reason != CALIBRATION_REASON))
}

/// What `revise ITEM --dismiss` did.
#[derive(Debug, Serialize)]
pub struct DismissOutcome {
    pub id: String,
    /// The analysed versions whose flags were dismissed.
    pub analyses: Vec<u32>,
    pub feedback: usize,
}

/// Closes an item's case in the revision queue without a new version: its flagged analyses and
/// open feedback are marked dismissed with the examiner's reason, in one audited batch.
pub fn dismiss(cfg: &StoreConfig, id: &str, reason: &str) -> Result<DismissOutcome> {
    if reason.trim().is_empty() {
        return Err(Error::Usage("give a --reason".into()));
    }
    let mut vault = cfg.open()?;
    vault.versions(id)?; // the item exists
    let mut batch = Vec::new();
    let mut analyses = Vec::new();
    for (k, mut s) in vault.records::<StoredStats>(&format!("n/{id}/"))? {
        if s.stats.flags.is_empty() || s.dismissed.is_some() {
            continue;
        }
        analyses.push(s.stats.version);
        s.dismissed = Some(reason.to_string());
        batch.push(vault.put_record(&k, &s)?);
    }
    let mut feedback = 0;
    for (k, mut f) in vault.records::<Feedback>(&format!("f/{id}/"))? {
        if f.is_open() {
            feedback += 1;
            f.dismissed = Some(reason.to_string());
            batch.push(vault.put_record(&k, &f)?);
        }
    }
    if batch.is_empty() {
        return Err(Error::Usage(format!(
            "{id} has no flagged analysis or open feedback to dismiss"
        )));
    }
    vault.commit(
        batch,
        AuditEvent::new(
            "revise-dismiss",
            json!({ "id": id, "analyses": analyses, "feedback": feedback, "reason": "sealed with the cases" }),
        ),
    )?;
    Ok(DismissOutcome {
        id: id.into(),
        analyses,
        feedback,
    })
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
    let (bank, problems) = super::files::check_files(
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
        .filter(|(_, f)| f.is_open())
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
            "v{} feedback from {} ({}): {}",
            f.version,
            f.organisation,
            f.kind.name(),
            f.text
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
            json!({ "id": id, "from": current, "reason_record": format!("v/{id}/{:010}", current + 1), "evidence": evidence.len(), "feedback_resolved": resolved.len() }),
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

/// The recorded revisions of an item, oldest first.
pub fn history(cfg: &StoreConfig, id: &str) -> Result<Vec<Revision>> {
    Ok(cfg
        .open()?
        .records::<Revision>(&format!("v/{id}/"))?
        .into_iter()
        .map(|(_, r)| r)
        .collect())
}
