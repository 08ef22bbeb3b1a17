//! Quality reports (`report.json` beside a blueprint's forms, and `reports/*.txt` of a sitting):
//! per theory form its size, mean p, difficulty mix, X share, 鉴定点 coverage and fit to the
//! weight table, with the balance objective, its lower bound and the search; per practical set
//! its modules, tasks, minutes, 工种 and defence topics; and the forms' overlap. Pure.

use crate::assemble::Allocation;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A blueprint's quality report, by kind (the `kind` field).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum QualityReport {
    Theory(TheoryReport),
    Practical(PracticalReport),
}

impl QualityReport {
    /// Entries shared between forms (row i, column j); the diagonal is each form's size.
    pub fn overlap(&self) -> &[Vec<usize>] {
        match self {
            QualityReport::Theory(t) => &t.overlap,
            QualityReport::Practical(p) => &p.overlap,
        }
    }

    /// The largest number of entries two different forms share.
    pub fn max_overlap(&self) -> usize {
        let m = self.overlap();
        m.iter()
            .enumerate()
            .flat_map(|(i, r)| r.iter().enumerate().filter(move |(j, _)| *j != i))
            .map(|(_, &v)| v)
            .max()
            .unwrap_or(0)
    }
}

/// The report on a theory blueprint's parallel forms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TheoryReport {
    pub blueprint: String,
    /// The 双向细目表 the forms were drawn to.
    pub allocation: Allocation,
    pub forms: Vec<FormQuality>,
    /// Largest minus smallest mean p of the forms (rounded to 1e-4).
    pub mean_p_spread: f64,
    pub overlap: Vec<Vec<usize>>,
    /// The balance objective, bound and search (null when not computed).
    pub quality: Option<TheoryQuality>,
}

/// One theory form's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FormQuality {
    pub form: u32,
    pub items: usize,
    pub points: f64,
    pub mean_p: f64,
    /// Percent of points per difficulty (`easy`, `medium`, `hard`).
    pub difficulty_percent_of_points: BTreeMap<String, f64>,
    pub x_percent_of_points: f64,
    pub points_covered: usize,
    pub points_at_level: usize,
    /// Points per weight-table row against the row's weight.
    pub fit: Vec<RowFit>,
}

/// Points a form gives one row of the weight table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RowFit {
    pub row: String,
    pub weight: u8,
    pub points: f64,
}

/// The balance of a blueprint's forms as the search left them (values rounded for reading).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TheoryQuality {
    pub objective: f64,
    pub lower_bound: f64,
    pub gap: f64,
    pub proven_optimal: bool,
    pub terms: QualityTerms,
    pub weights: QualityWeights,
    pub search: SearchStats,
}

/// The terms of the objective.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QualityTerms {
    pub function_points_off: f64,
    pub difficulty_points_off: f64,
    pub mean_p_spread: f64,
    pub mean_p_off_target: f64,
    pub x_points_short: f64,
    pub content_items_off: i64,
    pub point_repeats: i64,
}

/// The weights of the objective's terms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QualityWeights {
    pub function: f64,
    pub difficulty: f64,
    pub mean_p: f64,
    pub x: f64,
}

/// How much searching was done.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchStats {
    pub chains: usize,
    pub moves: u64,
    pub reached_bound: bool,
}

/// The report on a practical (or defence) blueprint's sets.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PracticalReport {
    pub blueprint: String,
    pub sets: Vec<SetQuality>,
    pub overlap: Vec<Vec<usize>>,
}

/// One practical set's figures.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SetQuality {
    pub form: u32,
    pub task_minutes: u32,
    /// The blueprint's time limit.
    pub limit: u32,
    pub modules: Vec<SetModule>,
    pub work_types: BTreeSet<String>,
    /// Defence topic ids.
    pub defence: Vec<String>,
}

/// One module of a practical set: its drawn task ids.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SetModule {
    pub function: String,
    pub choice: String,
    pub points: f64,
    pub tasks: Vec<String>,
}
