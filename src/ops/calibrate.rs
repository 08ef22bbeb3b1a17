//! `qbank revise calibrate`: measured p → the p (and difficulty label) the assembler balances on,
//! as new versions with their evidence, in one batch. Calibration never hides a problem: an item
//! version with an open probable-miskey or negative-discrimination flag, or open feedback, keeps
//! its difficulty and stays in the revision queue; the outcome says how many were skipped and why.

use super::StoreConfig;
use super::analysis::StoredStats;
use super::org::now;
use super::revise::{CALIBRATION_REASON, Feedback, Revision};
use crate::analysis::Flag;
use crate::error::Result;
use crate::model::{Difficulty, Entry};
use crate::store::AuditEvent;
use serde::Serialize;
use serde_json::json;
use std::collections::BTreeSet;

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

/// One calibrated item.
#[derive(Debug, Serialize)]
pub struct Calibration {
    pub id: String,
    /// The new version.
    pub version: u32,
    pub p_before: Option<f64>,
    pub p: f64,
    pub n: usize,
}

/// Why an item version was not calibrated although it has enough responses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipReason {
    /// 疑似答案错误: its measured p describes a wrong key, not the item.
    ProbableMiskey,
    /// 区分度为负.
    NegativeDiscrimination,
    /// An organisation's report not yet answered or dismissed.
    OpenFeedback,
}

impl SkipReason {
    pub fn label(self) -> &'static str {
        match self {
            SkipReason::ProbableMiskey => "疑似答案错误",
            SkipReason::NegativeDiscrimination => "区分度为负",
            SkipReason::OpenFeedback => "未处理的反馈",
        }
    }
}

/// An item version left as it is, with every reason that applies.
#[derive(Debug, Serialize)]
pub struct Skipped {
    pub id: String,
    pub version: u32,
    pub reasons: Vec<SkipReason>,
}

/// What `revise calibrate` did, in counts (and the items it changed or skipped).
#[derive(Debug, Serialize)]
pub struct CalibrationReport {
    pub min_n: usize,
    /// Analysed item versions considered (one per stored analysis).
    pub analysed: usize,
    pub calibrated: Vec<Calibration>,
    /// Already at their measured p.
    pub unchanged: usize,
    /// Fewer than `min_n` responses (or no p).
    pub too_few: usize,
    /// Analyses of versions that are no longer current.
    pub superseded: usize,
    /// Left alone because of an open problem; they stay in `revise list`.
    pub skipped: Vec<Skipped>,
}

impl CalibrationReport {
    /// How many skipped items name `reason`.
    pub fn skipped_for(&self, reason: SkipReason) -> usize {
        self.skipped
            .iter()
            .filter(|s| s.reasons.contains(&reason))
            .count()
    }
}

/// The open problems of an analysed version that rule out calibrating it.
fn problems(s: &StoredStats, open_feedback: &BTreeSet<String>) -> Vec<SkipReason> {
    let mut out = Vec::new();
    if s.dismissed.is_none() {
        if s.stats
            .flags
            .iter()
            .any(|f| matches!(f, Flag::ProbableMiskey { .. }))
        {
            out.push(SkipReason::ProbableMiskey);
        }
        if s.stats
            .flags
            .iter()
            .any(|f| matches!(f, Flag::NegativeDiscrimination { .. }))
        {
            out.push(SkipReason::NegativeDiscrimination);
        }
    }
    if open_feedback.contains(&s.stats.id) {
        out.push(SkipReason::OpenFeedback);
    }
    out
}

/// Sets each item's p (and difficulty label) to the value measured on at least `min_n`
/// responses of its current version, unless that version has an open problem.
pub fn calibrate(cfg: &StoreConfig, min_n: usize) -> Result<CalibrationReport> {
    let mut vault = cfg.open()?;
    let open_feedback: BTreeSet<String> = vault
        .records::<Feedback>("f/")?
        .into_iter()
        .filter(|(_, f)| f.is_open())
        .map(|(_, f)| f.item)
        .collect();
    let mut report = CalibrationReport {
        min_n,
        analysed: 0,
        calibrated: Vec::new(),
        unchanged: 0,
        too_few: 0,
        superseded: 0,
        skipped: Vec::new(),
    };
    let mut entries = Vec::new();
    let mut extra = Vec::new();
    for (_, s) in vault.records::<StoredStats>("n/")? {
        report.analysed += 1;
        let (Some(p), true) = (s.stats.p, s.stats.n >= min_n) else {
            report.too_few += 1;
            continue;
        };
        let p = (p.clamp(0.01, 0.99) * 100.0).round() / 100.0;
        let Ok((Entry::Item(mut item), versions)) = vault.entry_with_versions(&s.stats.id, None)
        else {
            report.superseded += 1;
            continue;
        };
        if versions.last() != Some(&s.stats.version) {
            report.superseded += 1;
            continue;
        }
        let reasons = problems(&s, &open_feedback);
        if !reasons.is_empty() {
            report.skipped.push(Skipped {
                id: s.stats.id.clone(),
                version: s.stats.version,
                reasons,
            });
            continue;
        }
        if item.p == Some(p) {
            report.unchanged += 1;
            continue;
        }
        report.calibrated.push(Calibration {
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
            reason: CALIBRATION_REASON.into(),
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
        return Ok(report);
    }
    let master = vault.master_key(&cfg.key)?;
    vault.import_with(
        &[],
        entries,
        Some(&master),
        &|_| {},
        AuditEvent::new(
            "calibrate",
            json!({
                "items": report.calibrated.len(), "min_n": min_n,
                "skipped": report.skipped.len(), "unchanged": report.unchanged,
            }),
        ),
        extra,
    )?;
    Ok(report)
}
