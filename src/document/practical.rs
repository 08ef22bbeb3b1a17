//! Practical task sets: the paper (`paper.json`: modules with their drawn tasks — the text the
//! candidate reads —, site equipment, candidate items, total task minutes, and any defence topics)
//! and the key with its marking schemes (`key.json`: per task the rubric as written, the weighting
//! of the task's score to its module's points, the examiner's check points, and the defence
//! reference points). [`split_examiner_text`] is where a task text's examiner section leaves the
//! candidate's paper. Pure.

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
    /// The part of the task text the candidate reads: without its examiner section (see
    /// [`split_examiner_text`]), which the key's `checks` holds.
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
    /// Points of the task within its module (what its score is weighted to).
    pub points: f64,
    /// Points the task's rubric adds up to as written (本题满分): the examiner marks out of
    /// these, then weights the score by `points / task_points`.
    pub task_points: f64,
    /// The rubric as the bank writes it (never scaled).
    pub rubric: Vec<RubricMark>,
    /// The examiner's check points (考评员检查要点) taken out of the task text; empty when the
    /// text has none.
    pub checks: String,
    /// Figures this document prints for the entry (its bytes are content).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<super::DocFigure>,
}

/// One rubric line as written: its marks are out of the task's `task_points`, so that its
/// deductions (评分标准) read as they are printed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RubricMark {
    pub element: String,
    pub marks: f64,
    pub criteria: String,
}

/// Splits a task text into the part the candidate reads and the examiner's section: a line
/// headed by a numbered heading whose title starts with 考评员 (`四、考评员检查要点`) starts the
/// examiner's part, which runs to the next numbered heading (`五、…`) or to the end. The heading
/// line itself is dropped (the marking sheet prints its own). Returns (candidate, examiner),
/// each trimmed of blank lines at its ends.
pub fn split_examiner_text(text: &str) -> (String, String) {
    let mut candidate: Vec<&str> = Vec::new();
    let mut examiner: Vec<&str> = Vec::new();
    let mut in_examiner = false;
    for line in text.lines() {
        if let Some(title) = heading_title(line) {
            in_examiner = title.starts_with("考评员");
            if in_examiner {
                let rest = title
                    .trim_start_matches(|c: char| c != '：' && c != ':')
                    .trim_start_matches(['：', ':'])
                    .trim();
                if !rest.is_empty() {
                    examiner.push(rest);
                }
                continue;
            }
        }
        if in_examiner {
            examiner.push(line);
        } else {
            candidate.push(line);
        }
    }
    let join = |v: Vec<&str>| v.join("\n").trim_matches('\n').trim_end().to_string();
    (join(candidate), join(examiner))
}

/// The title of a numbered heading line (`四、考评员检查要点` → `考评员检查要点`).
fn heading_title(line: &str) -> Option<&str> {
    let t = line.trim();
    let (num, title) = t.split_once('、')?;
    (!num.is_empty() && num.chars().all(|c| "一二三四五六七八九十".contains(c))).then_some(title)
}
