//! Blueprints (组卷蓝图): what a theory paper or practical task set for one occupation-level must
//! look like — sections and points, difficulty and importance goals, number of parallel forms,
//! overlap and cooldown limits, module choice rules. Plain data, validated by `bankfile`.

use super::{Difficulty, Grade, ItemType, OccupationCode};
use serde::{Deserialize, Serialize};

/// One section of a theory paper: `count` items of one type at `points` each.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    #[serde(rename = "type")]
    pub item_type: ItemType,
    pub count: u32,
    pub points: f64,
}

/// The difficulty goal: a mix of a-priori labels in percent of points, or a target mean p.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DifficultyGoal {
    #[serde(default)]
    pub easy: Option<f64>,
    #[serde(default)]
    pub medium: Option<f64>,
    #[serde(default)]
    pub hard: Option<f64>,
    /// Target mean expected proportion correct (e.g. 0.68).
    #[serde(default)]
    pub mean_p: Option<f64>,
}

impl DifficultyGoal {
    /// The label mix as fractions summing to 1, if a mix is given.
    pub fn mix(&self) -> Option<[(Difficulty, f64); 3]> {
        let (e, m, h) = (self.easy?, self.medium?, self.hard?);
        let t = e + m + h;
        Some([
            (Difficulty::Easy, e / t),
            (Difficulty::Medium, m / t),
            (Difficulty::Hard, h / t),
        ])
    }
}

/// The expected proportion correct assumed for an item without its own p estimate.
pub fn default_p(d: Difficulty) -> f64 {
    match d {
        Difficulty::Easy => 0.85,
        Difficulty::Medium => 0.65,
        Difficulty::Hard => 0.45,
    }
}

/// How a practical module is taken: every candidate does the task (必考), or one of N tasks is
/// drawn at the sitting (N选一), so a set carries N tasks for that module.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum Choice {
    Compulsory,
    OneOf(u32),
}

impl Choice {
    pub fn parse(s: &str) -> Option<Choice> {
        const N: [&str; 9] = ["二", "三", "四", "五", "六", "七", "八", "九", "十"];
        if s == "必考" {
            return Some(Choice::Compulsory);
        }
        let n = s.strip_suffix("选一")?;
        let k = N
            .iter()
            .position(|x| *x == n)
            .map(|i| i as u32 + 2)
            .or_else(|| n.parse().ok())?;
        (k >= 2).then_some(Choice::OneOf(k))
    }
    pub fn label(self) -> String {
        const N: [&str; 9] = ["二", "三", "四", "五", "六", "七", "八", "九", "十"];
        match self {
            Choice::Compulsory => "必考".into(),
            Choice::OneOf(k) => match N.get(k as usize - 2) {
                Some(n) => format!("{n}选一"),
                None => format!("{k}选一"),
            },
        }
    }
    /// Tasks a set carries for the module.
    pub fn tasks(self) -> u32 {
        match self {
            Choice::Compulsory => 1,
            Choice::OneOf(k) => k,
        }
    }
}

/// A practical module: one 职业功能 of the skill weight table and its choice rule.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct ModuleRule {
    pub function: String,
    pub choice: Choice,
}

/// 人才类别 (seed （九）–（十一）); 复合技能型 sets must span at least two 工种.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum TalentCategory {
    #[serde(rename = "技术技能型")]
    TechnicalSkill,
    #[serde(rename = "知识技能型")]
    KnowledgeSkill,
    #[serde(rename = "复合技能型")]
    Composite,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub enum BlueprintKind {
    Theory {
        sections: Vec<Section>,
        difficulty: Option<DifficultyGoal>,
        /// Minimum share of points on X (核心) items, in percent, where the bank allows.
        importance_x_min: Option<f64>,
    },
    Practical {
        modules: Vec<ModuleRule>,
        /// Equipment names the exam site has; None = any.
        site: Option<Vec<String>>,
        talent: Option<TalentCategory>,
        /// Defence topics to draw for 技师/高级技师.
        defence_topics: u32,
    },
}

/// The most parallel forms one blueprint may ask for — in the file (`forms`) and on the command
/// line (`assemble --forms`) alike.
pub const MAX_FORMS: u32 = 1000;

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Blueprint {
    pub id: String,
    pub occupation: OccupationCode,
    pub level: Grade,
    /// Duration (theory) or the limit on total task minutes (practical).
    pub minutes: u32,
    pub forms: u32,
    /// Largest share of one form's items that any two forms may share (0..=1).
    pub max_overlap: f64,
    /// Items used in the last `cooldown` sittings are excluded.
    pub cooldown: u32,
    /// Items already used in this many sittings are retired from assembly (exposure limit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_exposures: Option<u32>,
    /// Papers for this enterprise's own self-evaluation: its overlay items (企业自主评价题库) are
    /// drawn too. Without it, overlay items are never drawn.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlay: Option<String>,
    pub kind: BlueprintKind,
}

impl Blueprint {
    pub fn is_theory(&self) -> bool {
        matches!(self.kind, BlueprintKind::Theory { .. })
    }
    /// Total points of a theory layout.
    pub fn theory_points(&self) -> f64 {
        match &self.kind {
            BlueprintKind::Theory { sections, .. } => {
                sections.iter().map(|s| f64::from(s.count) * s.points).sum()
            }
            BlueprintKind::Practical { .. } => 100.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Choice;

    #[test]
    fn choice_rules_parse_in_chinese_and_digits() {
        assert_eq!(Choice::parse("必考"), Some(Choice::Compulsory));
        assert_eq!(Choice::parse("二选一"), Some(Choice::OneOf(2)));
        assert_eq!(Choice::parse("三选一"), Some(Choice::OneOf(3)));
        assert_eq!(Choice::parse("4选一"), Some(Choice::OneOf(4)));
        assert_eq!(Choice::parse("一选一"), None);
        assert_eq!(Choice::OneOf(3).label(), "三选一");
    }
}
