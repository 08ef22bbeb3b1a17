//! Defence topic sets (答辩 / 综合评审, 技师 and 高级技师): the topics a practical set's paper
//! prints and the reference points its key gives. A defence set is a practical paper whose
//! `defence` list is not empty (a pure 综合评审 set has no task modules). Pure.

use serde::{Deserialize, Serialize};

/// One defence topic as the paper prints it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaperTopic {
    pub id: String,
    pub version: u32,
    /// The 职业功能 (module) number the topic belongs to.
    pub module: String,
    /// That module's name in the standard (null when the standard does not name it).
    pub module_name: Option<String>,
    pub topic: String,
    /// Figures this document prints for the entry (its bytes are content).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<super::DocFigure>,
}

/// The key's reference points (答辩要点) for one topic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopicReference {
    pub id: String,
    pub version: u32,
    pub reference: Vec<String>,
    /// Figures this document prints for the entry (its bytes are content).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<super::DocFigure>,
}
