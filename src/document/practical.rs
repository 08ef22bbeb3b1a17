//! Practical task sets: the paper (`paper.json`: modules with their drawn tasks, site equipment,
//! candidate items, total task minutes, and any defence topics) and the key with its marking
//! schemes (`key.json`: one scaled rubric per task, and the defence reference points). Pure.

use super::headed_document;
use super::{PaperTopic, TopicReference};
use crate::model::SiteEntry;
use serde::{Deserialize, Serialize};

headed_document! {
    /// A practical (or defence) set's paper.
    pub struct PracticalPaper {
        pub modules: Vec<PaperModule>,
        /// Σ over modules of the longest task a candidate may draw there.
        pub task_minutes: u32,
        pub defence: Vec<PaperTopic>,
    }
}

/// One module (职业功能) of a practical set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaperModule {
    pub function: String,
    pub name: String,
    /// `必考`, or e.g. `3选1`.
    pub choice: String,
    pub weight: u8,
    pub points: f64,
    pub tasks: Vec<PaperTask>,
}

/// One drawn task as the paper prints it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaperTask {
    pub id: String,
    pub version: u32,
    pub title: String,
    pub minutes: u32,
    /// Points of the task within its module.
    pub points: f64,
    pub text: String,
    pub site: Vec<SiteEntry>,
    pub candidate: Vec<String>,
    pub work_types: Vec<String>,
    /// Figures this document prints for the entry (its bytes are content).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<super::DocFigure>,
}

headed_document! {
    /// A practical (or defence) set's key: marking schemes and defence reference points.
    pub struct PracticalKey {
        pub marking: Vec<TaskMarking>,
        pub defence: Vec<TopicReference>,
    }
}

/// The marking scheme (评分记录表) of one task.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskMarking {
    /// The module's function number.
    pub module: String,
    pub id: String,
    pub version: u32,
    pub title: String,
    pub points: f64,
    pub rubric: Vec<RubricMark>,
    /// Figures this document prints for the entry (its bytes are content).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<super::DocFigure>,
}

/// One rubric line, its points scaled to the task's points.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RubricMark {
    pub element: String,
    pub points: f64,
    pub criteria: String,
}
