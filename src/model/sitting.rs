//! Sitting plans (考试批次计划): which occupation-levels are examined with which blueprints and
//! how many forms, when the sitting starts and ends, and which organisations run which
//! occupation-levels. Plain data; parsed and checked by `bankfile::parse_sitting`.

use super::{Grade, Level, OccupationCode};
use serde::{Deserialize, Serialize};

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct SittingPlan {
    pub id: String,
    pub title: String,
    /// RFC 3339 with offset, as written in the plan.
    pub start: String,
    pub end: String,
    /// RFC 3339 with offset: when the answer keys and marking schemes may be released (the
    /// keys release); absent in the plan, the sitting's `end` (see `keys_at`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keys_release: Option<String>,
    /// The sitting seed; drawn from the OS and recorded when the plan leaves it out.
    pub seed: Option<u64>,
    /// Folders or files (relative to the plan) holding the blueprints it names.
    pub blueprints: Vec<String>,
    pub papers: Vec<PlannedPaper>,
    pub organisations: Vec<Participant>,
}

impl SittingPlan {
    /// When the keys release may be issued: the plan's `keys_release`, by default its end.
    pub fn keys_at(&self) -> &str {
        self.keys_release.as_deref().unwrap_or(&self.end)
    }
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
    pub runs: Vec<(OccupationCode, Grade)>,
    pub line: usize,
}

/// Sitting ids name records and folders: ASCII letters, digits, '-' and '_', 3–48 characters.
pub fn is_valid_sitting_id(id: &str) -> bool {
    (3..=48).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Parses `6-31-01-03/4` (occupation/level) as used in plans, and a 专项职业能力 code alone
/// (`S3200001`: it has no level).
pub fn parse_occupation_level(s: &str) -> Option<(OccupationCode, Grade)> {
    let Some((o, l)) = s.split_once('/') else {
        let occ = OccupationCode::parse(s.trim())?;
        return occ.is_special().then_some((occ, Grade::Unleveled));
    };
    let occ = OccupationCode::parse(o.trim())?;
    if occ.is_special() {
        return None;
    }
    Some((occ, Grade::Level(Level::parse(l.trim())?)))
}
