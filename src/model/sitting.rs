//! Sitting plans (考试批次计划): which occupation-levels are examined with which blueprints and
//! how many forms, when the sitting starts and ends, and which organisations run which
//! occupation-levels. Plain data; parsed and checked by `bankfile::parse_sitting`.

use super::{Level, OccupationCode};
use serde::{Deserialize, Serialize};

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct SittingPlan {
    pub id: String,
    pub title: String,
    /// RFC 3339 with offset, as written in the plan.
    pub start: String,
    pub end: String,
    /// The sitting seed; drawn from the OS and recorded when the plan leaves it out.
    pub seed: Option<u64>,
    /// Folders or files (relative to the plan) holding the blueprints it names.
    pub blueprints: Vec<String>,
    pub papers: Vec<PlannedPaper>,
    pub organisations: Vec<Participant>,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct PlannedPaper {
    /// Blueprint id.
    pub blueprint: String,
    /// Overrides the blueprint's number of forms.
    pub forms: Option<u32>,
    /// A shorter cooldown than the blueprint's for this sitting only, with the reason that is
    /// recorded in the sitting and its audit entry. At most one paper of a plan relaxes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cooldown: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cooldown_reason: Option<String>,
    /// Line in the plan, for messages.
    pub line: usize,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Participant {
    pub id: String,
    pub runs: Vec<(OccupationCode, Level)>,
    pub line: usize,
}

/// Sitting ids name records and folders: ASCII letters, digits, '-' and '_', 3–48 characters.
pub fn is_valid_sitting_id(id: &str) -> bool {
    (3..=48).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Parses `6-31-01-03/4` (occupation/level) as used in plans.
pub fn parse_occupation_level(s: &str) -> Option<(OccupationCode, Level)> {
    let (o, l) = s.split_once('/')?;
    Some((OccupationCode::parse(o.trim())?, Level::parse(l.trim())?))
}
