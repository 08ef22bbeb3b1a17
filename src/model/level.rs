//! Skill levels (职业技能等级): 五级/初级工 (code 5) … 一级/高级技师 (code 1), and the enterprise
//! extensions (sub-levels, 特级技师, 首席技师) that are positions, not exam levels.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A national skill level; the code runs from 5 (lowest) to 1 (highest).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Level(u8);

const NAMES: [(&str, &str); 5] = [
    ("一级", "高级技师"),
    ("二级", "技师"),
    ("三级", "高级工"),
    ("四级", "中级工"),
    ("五级", "初级工"),
];

impl Level {
    /// All five levels, lowest first.
    pub const ALL: [Level; 5] = [Level(5), Level(4), Level(3), Level(2), Level(1)];

    pub fn from_code(code: u8) -> Option<Level> {
        (1..=5).contains(&code).then_some(Level(code))
    }
    pub fn code(self) -> u8 {
        self.0
    }
    /// 五级, 四级, …
    pub fn grade_name(self) -> &'static str {
        NAMES[usize::from(self.0 - 1)].0
    }
    /// 初级工, 中级工, …
    pub fn title(self) -> &'static str {
        NAMES[usize::from(self.0 - 1)].1
    }
    /// 技师 and 高级技师 also sit a comprehensive review with an oral defence (综合评审/答辩).
    pub fn has_defence(self) -> bool {
        self.0 <= 2
    }
    /// Parses `4`, `"4"`, `"四级"`, `"中级工"` or `"四级/中级工"`.
    pub fn parse(s: &str) -> Option<Level> {
        let s = s.trim();
        if let Ok(n) = s.parse::<u8>() {
            return Level::from_code(n);
        }
        if let Some((a, b)) = s.split_once('/') {
            let (la, lb) = (Level::parse(a)?, Level::parse(b)?);
            return (la == lb).then_some(la);
        }
        NAMES
            .iter()
            .position(|(g, t)| *g == s || *t == s)
            .map(|i| Level(i as u8 + 1))
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.grade_name(), self.title())
    }
}

impl Serialize for Level {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.0)
    }
}

impl<'de> Deserialize<'de> for Level {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Num(i64),
            Text(String),
        }
        let bad = || {
            serde::de::Error::custom(
                "level must be 5..1 or a name such as 四级, 中级工 or 四级/中级工",
            )
        };
        match Raw::deserialize(d)? {
            Raw::Num(n) => u8::try_from(n)
                .ok()
                .and_then(Level::from_code)
                .ok_or_else(bad),
            Raw::Text(t) => Level::parse(&t).ok_or_else(bad),
        }
    }
}

/// What an exam is taken at: a national level, or no level at all — a 专项职业能力 (special
/// vocational ability, seed （六）) is assessed without levels. Serialised as the level's code, or
/// as nothing (`null`, and left out of entries) when unleveled, so every leveled record, file
/// and document reads and hashes exactly as it did when only levels existed.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Grade {
    Level(Level),
    /// 专项职业能力考核: no level.
    Unleveled,
}

impl Grade {
    /// For `#[serde(default = …)]`: a field left out is an unleveled one.
    pub fn unleveled() -> Grade {
        Grade::Unleveled
    }
    pub fn is_unleveled(&self) -> bool {
        matches!(self, Grade::Unleveled)
    }
    pub fn level(self) -> Option<Level> {
        match self {
            Grade::Level(l) => Some(l),
            Grade::Unleveled => None,
        }
    }
    /// 技师 and 高级技师 only; never a 专项职业能力.
    pub fn has_defence(self) -> bool {
        self.level().is_some_and(Level::has_defence)
    }
    /// The part of store keys, file names and plan scopes that names the grade: the level's
    /// code (`4`), or `zx` (专项) when unleveled. Never printed as a level.
    pub fn key(self) -> String {
        match self {
            Grade::Level(l) => l.code().to_string(),
            Grade::Unleveled => "zx".into(),
        }
    }
    /// A level as [`Level::parse`] reads it, or `zx` / `专项` / `专项职业能力` for no level.
    pub fn parse(s: &str) -> Option<Grade> {
        match s.trim() {
            "zx" | "专项" | "专项职业能力" | "专项职业能力考核" => {
                Some(Grade::Unleveled)
            }
            other => Level::parse(other).map(Grade::Level),
        }
    }
    /// How a plan's `runs` names an occupation at this grade: `6-31-01-03/4`, or the
    /// 专项职业能力 code alone.
    pub fn scope(self, occupation: &super::OccupationCode) -> String {
        match self {
            Grade::Level(l) => format!("{occupation}/{}", l.code()),
            Grade::Unleveled => occupation.to_string(),
        }
    }
    /// 四级, …, or 专项职业能力考核 (what a paper header prints in brackets).
    pub fn grade_name(self) -> &'static str {
        match self {
            Grade::Level(l) => l.grade_name(),
            Grade::Unleveled => "专项职业能力考核",
        }
    }
}

impl Grade {
    /// `deserialize_with` for fields that must be present (documents): `null` reads as
    /// unleveled, a missing field is an error (plain `Deserialize` would read it as unleveled).
    pub fn deserialize_required<'de, D: Deserializer<'de>>(d: D) -> Result<Grade, D::Error> {
        Grade::deserialize(d)
    }
}

impl From<Level> for Grade {
    fn from(l: Level) -> Grade {
        Grade::Level(l)
    }
}

impl PartialEq<Level> for Grade {
    fn eq(&self, other: &Level) -> bool {
        *self == Grade::Level(*other)
    }
}

impl fmt::Display for Grade {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Grade::Level(l) => l.fmt(f),
            Grade::Unleveled => f.write_str("专项职业能力考核"),
        }
    }
}

impl Serialize for Grade {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Grade::Level(l) => l.serialize(s),
            Grade::Unleveled => s.serialize_none(),
        }
    }
}

impl<'de> Deserialize<'de> for Grade {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Option::<Level>::deserialize(d)?.map_or(Grade::Unleveled, Grade::Level))
    }
}

/// Enterprise positions beyond or between the national levels （二十）. They are recorded on
/// people, not used to select exam content, so they carry the national level they build on.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum EnterpriseGrade {
    /// A sub-level an enterprise sets inside a national level (e.g. 中级工 一档/二档).
    SubLevel {
        level: Level,
        step: u8,
        name: String,
    },
    /// 特级技师, above 一级.
    SpecialTechnician,
    /// 首席技师, above 特级技师.
    ChiefTechnician,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form_and_prints_both() {
        for (input, code) in [
            ("4", 4),
            ("四级", 4),
            ("中级工", 4),
            ("四级/中级工", 4),
            ("一级", 1),
            ("高级技师", 1),
            ("五级/初级工", 5),
            ("技师", 2),
        ] {
            assert_eq!(Level::parse(input).map(Level::code), Some(code), "{input}");
        }
        for bad in ["0", "6", "六级", "四级/高级工", ""] {
            assert_eq!(Level::parse(bad), None, "{bad}");
        }
        assert_eq!(Level::from_code(3).unwrap().to_string(), "三级/高级工");
    }

    #[test]
    fn a_grade_serialises_as_its_level_or_as_nothing() {
        let four = Grade::from(Level::from_code(4).unwrap());
        assert_eq!(serde_json::to_string(&four).unwrap(), "4");
        assert_eq!(serde_json::to_string(&Grade::Unleveled).unwrap(), "null");
        assert_eq!(serde_json::from_str::<Grade>("4").unwrap(), four);
        assert_eq!(
            serde_json::from_str::<Grade>("null").unwrap(),
            Grade::Unleveled
        );
        assert_eq!(Grade::Unleveled.to_string(), "专项职业能力考核");
        assert!(!Grade::Unleveled.has_defence());
        assert_eq!(four.key(), "4");
        #[derive(serde::Deserialize, Debug)]
        struct Doc {
            #[serde(deserialize_with = "Grade::deserialize_required")]
            #[allow(dead_code)]
            level: Grade,
        }
        assert!(serde_json::from_str::<Doc>(r#"{"level": null}"#).is_ok());
        assert!(
            serde_json::from_str::<Doc>("{}").is_err(),
            "a document's level is required"
        );
    }
}
