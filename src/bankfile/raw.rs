//! Serde shapes of the TOML files, with spans on the fields diagnostics point at.

use crate::model::{
    Answer, Content, Difficulty, Function, Importance, ItemType, Level, Occupation, OccupationCode,
    Point, RubricLine, SchemeStep, SiteEntry, Source, StandardKind, Status,
};
use serde::{Deserialize, Serialize};
use toml::Spanned;

#[derive(Deserialize)]
pub struct Probe {
    pub format: Option<Spanned<toml::Value>>,
    pub standard: Option<toml::Value>,
    pub blueprint: Option<toml::Value>,
    pub sitting: Option<toml::Value>,
    pub register: Option<toml::Value>,
}

/// `banks/standards-register.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterFile {
    #[allow(dead_code)]
    pub format: u32,
    #[serde(default)]
    pub register: Vec<Spanned<RegisterEntryIn>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterEntryIn {
    pub code: Spanned<String>,
    pub title: String,
    pub status: crate::model::StandardStatus,
    pub replaced_by: Option<Spanned<String>>,
    pub effective: Option<Spanned<toml::value::Datetime>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandardFile {
    #[allow(dead_code)]
    pub format: u32,
    pub standard: StandardHead,
    pub occupation: Spanned<Occupation>,
    #[serde(default)]
    pub function: Vec<Spanned<Function>>,
    #[serde(default)]
    pub content: Vec<Spanned<Content>>,
    #[serde(default)]
    pub point: Vec<Spanned<Point>>,
    pub weights: Weights,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StandardHead {
    pub kind: StandardKind,
    pub id: String,
    pub edition: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_data: Option<String>,
    /// 考核要求 (专项职业能力考核规范).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirements: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    /// Absent in a 专项职业能力考核规范 (one column, no level).
    pub levels: Option<Spanned<Vec<Level>>>,
    #[serde(default)]
    pub theory: Vec<Spanned<WeightRowIn>>,
    #[serde(default)]
    pub skill: Vec<Spanned<WeightRowIn>>,
}

#[derive(Deserialize, Serialize, Clone)]
#[serde(untagged)]
pub enum Cell {
    Percent(i64),
    Dash(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightRowIn {
    pub row: String,
    pub values: Vec<Cell>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryFile {
    #[allow(dead_code)]
    pub format: u32,
    pub occupation: Spanned<OccupationCode>,
    /// Absent in the files of a 专项职业能力考核规范 (no levels); required in all others.
    pub level: Option<Spanned<Level>>,
    #[serde(default)]
    pub item: Vec<Spanned<ItemIn>>,
    #[serde(default)]
    pub task: Vec<Spanned<TaskIn>>,
    #[serde(default)]
    pub defence: Vec<Spanned<DefenceIn>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemIn {
    pub id: Spanned<String>,
    pub clause: Spanned<String>,
    #[serde(rename = "type")]
    pub item_type: ItemType,
    pub difficulty: Difficulty,
    pub p: Option<Spanned<f64>>,
    pub importance: Option<Importance>,
    pub stem: Spanned<String>,
    #[serde(default)]
    pub options: Option<Spanned<Vec<String>>>,
    pub answer: Spanned<Answer>,
    #[serde(default)]
    pub scheme: Option<Spanned<Vec<SchemeStep>>>,
    pub explanation: Option<String>,
    pub enemy: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub status: Option<Status>,
    pub source: Option<Source>,
    pub overlay: Option<String>,
    #[serde(default)]
    pub fixed_order: bool,
    #[serde(default)]
    pub distinct: Vec<String>,
    #[serde(default)]
    pub cites: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub figure: Vec<Spanned<FigureIn>>,
    pub version: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskIn {
    pub id: Spanned<String>,
    pub modules: Spanned<Vec<String>>,
    #[serde(default)]
    pub work_types: Vec<String>,
    pub title: String,
    pub minutes: Spanned<u32>,
    pub points: Spanned<f64>,
    pub text: Spanned<String>,
    #[serde(default)]
    pub candidate: Vec<String>,
    pub site: Spanned<Vec<SiteEntry>>,
    pub rubric: Spanned<Vec<RubricLine>>,
    pub status: Option<Status>,
    pub source: Option<Source>,
    #[serde(default)]
    pub cites: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub figure: Vec<Spanned<FigureIn>>,
    pub version: Option<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefenceIn {
    pub id: Spanned<String>,
    pub module: Spanned<String>,
    pub topic: Spanned<String>,
    #[serde(default)]
    pub reference: Vec<String>,
    pub status: Option<Status>,
    pub source: Option<Source>,
    #[serde(default)]
    pub cites: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub figure: Vec<Spanned<FigureIn>>,
    pub version: Option<u32>,
}

/// One `[[item.figure]]` (or task/defence): a file relative to the bank file's folder.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FigureIn {
    pub file: Spanned<String>,
    #[serde(default)]
    pub caption: String,
    pub width: Option<Spanned<u32>>,
}

// ------------------------------------------------------------------ output shapes (export)

/// A figure as export writes it (its bytes go to `file` beside the bank file).
#[derive(Serialize)]
pub struct FigureOut {
    pub file: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub caption: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
}

#[derive(Serialize)]
pub struct StandardFileOut<'a> {
    pub format: u32,
    pub standard: StandardHead,
    pub occupation: &'a Occupation,
    pub function: &'a [Function],
    pub content: &'a [Content],
    pub point: &'a [Point],
    pub weights: WeightsOut,
}

#[derive(Serialize)]
pub struct WeightsOut {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<Level>,
    pub theory: Vec<WeightRowOut>,
    pub skill: Vec<WeightRowOut>,
}

#[derive(Serialize)]
pub struct WeightRowOut {
    pub row: String,
    pub values: Vec<Cell>,
}

#[derive(Serialize)]
pub struct EntryFileOut {
    pub format: u32,
    pub occupation: OccupationCode,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub item: Vec<ItemOut>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub task: Vec<TaskOut>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub defence: Vec<DefenceOut>,
}

#[derive(Serialize)]
pub struct ItemOut {
    pub id: String,
    pub version: u32,
    pub clause: String,
    #[serde(rename = "type")]
    pub item_type: ItemType,
    pub difficulty: Difficulty,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub importance: Option<Importance>,
    pub status: Status,
    pub source: Source,
    pub stem: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    pub answer: Answer,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enemy: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overlay: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fixed_order: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub distinct: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cites: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scheme: Vec<SchemeStep>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub figure: Vec<FigureOut>,
}

#[derive(Serialize)]
pub struct TaskOut {
    pub id: String,
    pub version: u32,
    pub modules: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub work_types: Vec<String>,
    pub title: String,
    pub minutes: u32,
    pub points: f64,
    pub status: Status,
    pub source: Source,
    pub text: String,
    pub candidate: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cites: Vec<String>,
    pub site: Vec<SiteEntry>,
    pub rubric: Vec<RubricLine>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub figure: Vec<FigureOut>,
}

#[derive(Serialize)]
pub struct DefenceOut {
    pub id: String,
    pub version: u32,
    pub module: String,
    pub status: Status,
    pub source: Source,
    pub topic: String,
    pub reference: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cites: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub figure: Vec<FigureOut>,
}
