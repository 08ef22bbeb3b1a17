//! Occupations (大典 code with its edition) and standards: the clause tree
//! 基本要求 / 职业功能 → 工作内容 → 鉴定点 per level, and the theory and skill weight tables.

use super::entry::Importance;
use super::{Grade, Level};
use serde::{Deserialize, Serialize};
use std::fmt;

/// An occupation code of the national classification (国家职业分类大典), `大类-中类-小类-职业`,
/// e.g. `6-31-01-03` — or the code of a 专项职业能力 outside it, `S` + the province's two-digit
/// administrative code (GB/T 2260, 江苏 32) + a five-digit serial, e.g. `S3200001`. Only the
/// shape is checked; the edition says which classification a 大典 code is from.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OccupationCode(String);

impl OccupationCode {
    pub fn parse(s: &str) -> Option<OccupationCode> {
        if Self::special_shape(s) {
            return Some(OccupationCode(s.to_string()));
        }
        let parts: Vec<&str> = s.split('-').collect();
        let shape = [1usize, 2, 2, 2];
        let ok = parts.len() == 4
            && parts
                .iter()
                .zip(shape)
                .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_digit()));
        ok.then(|| OccupationCode(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// A 专项职业能力 code (`S3200001`) rather than a 大典 one.
    pub fn is_special(&self) -> bool {
        Self::special_shape(&self.0)
    }
    fn special_shape(s: &str) -> bool {
        let b = s.as_bytes();
        b.len() == 8
            && b[0] == b'S'
            && b[1..].iter().all(u8::is_ascii_digit)
            && (b'1'..=b'8').contains(&b[1])
    }
}

impl TryFrom<String> for OccupationCode {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        OccupationCode::parse(&s).ok_or_else(|| {
            format!(
                "occupation code `{s}` is not in 大典 format 大类-中类-小类-职业, e.g. 6-31-01-03, nor a 专项职业能力 code S + province + serial, e.g. S3200001"
            )
        })
    }
}
impl From<OccupationCode> for String {
    fn from(c: OccupationCode) -> String {
        c.0
    }
}
impl fmt::Display for OccupationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Occupation {
    pub code: OccupationCode,
    /// Edition of the classification the code is from (2015 or 2022); none for a 专项职业能力,
    /// which is outside the classification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_edition: Option<u16>,
    pub name: String,
    /// 工种: work types, by name (they have no official code).
    #[serde(default)]
    pub work_types: Vec<String>,
    /// The levels this occupation uses, a subset of 5..1; empty for a 专项职业能力.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<Level>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum StandardKind {
    #[serde(rename = "国家职业技能标准", alias = "国家职业标准")]
    National,
    #[serde(rename = "行业企业评价规范")]
    IndustryEnterprise,
    #[serde(rename = "专项职业能力考核规范")]
    SpecialAbility,
}

/// 职业功能 (job function); code `J` is 基本要求.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Function {
    pub code: String,
    pub name: String,
}

/// 工作内容 (work content). `level` is None only for 基本要求 contents, which apply to all levels.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Content {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    pub code: String,
    pub name: String,
}

/// 鉴定点 (assessment point): what one question is written against.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Point {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    pub code: String,
    pub name: String,
    pub importance: Importance,
}

/// One row of a weight table: percent per level in the table's column order, None = "—".
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct WeightRow {
    pub row: String,
    pub values: Vec<Option<u8>>,
}

#[derive(Clone, PartialEq, Debug, Default, Serialize, Deserialize)]
pub struct WeightTable {
    pub rows: Vec<WeightRow>,
}

/// A standard with everything the engine needs from it.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct Standard {
    pub kind: StandardKind,
    pub id: String,
    pub edition: String,
    pub title: String,
    pub sample_data: Option<String>,
    /// 考核要求 of a 专项职业能力考核规范 (assessment method, duration, pass mark), printed as
    /// written; absent elsewhere, so a standard without it serialises as before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requirements: Option<String>,
    pub occupation: Occupation,
    pub functions: Vec<Function>,
    pub contents: Vec<Content>,
    pub points: Vec<Point>,
    /// Column order of both weight tables: the levels, or the one column `Unleveled` of a
    /// 专项职业能力考核规范.
    pub weight_levels: Vec<Grade>,
    pub theory_weights: WeightTable,
    pub skill_weights: WeightTable,
}

/// A resolved clause path for an item: function → content → point.
#[derive(Clone, Copy, Debug)]
pub struct Clause<'a> {
    pub function: &'a Function,
    pub content: &'a Content,
    pub point: &'a Point,
}

/// The function code of a clause code: `2.1.3` → `2`, `J.2.1` → `J`.
pub fn function_code(code: &str) -> &str {
    code.split('.').next().unwrap_or(code)
}

/// The parent code: `2.1.3` → `2.1`.
pub fn parent_code(code: &str) -> Option<&str> {
    code.rsplit_once('.').map(|(p, _)| p)
}

impl Standard {
    /// The 鉴定点 with this code valid at `level`: a point of that level, or a 基本要求 point
    /// (every point of a 专项职业能力, which has no levels).
    pub fn point(&self, level: Grade, code: &str) -> Option<&Point> {
        self.points
            .iter()
            .find(|p| p.code == code && p.level.is_none_or(|l| level == l))
    }

    /// Assessed without levels (专项职业能力考核规范).
    pub fn is_unleveled(&self) -> bool {
        self.kind == StandardKind::SpecialAbility
    }

    /// The grades entries of this standard are written at: its levels, or `Unleveled` alone.
    pub fn grades(&self) -> Vec<Grade> {
        if self.is_unleveled() {
            vec![Grade::Unleveled]
        } else {
            self.occupation
                .levels
                .iter()
                .map(|l| Grade::Level(*l))
                .collect()
        }
    }

    /// The whole path of a point code at a level.
    pub fn clause(&self, level: Grade, code: &str) -> Option<Clause<'_>> {
        let point = self.point(level, code)?;
        let content_code = parent_code(code)?;
        let content = self
            .contents
            .iter()
            .find(|c| c.code == content_code && (c.level == point.level))?;
        let function = self.function(function_code(code))?;
        Some(Clause {
            function,
            content,
            point,
        })
    }

    pub fn function(&self, code: &str) -> Option<&Function> {
        self.functions.iter().find(|f| f.code == code)
    }

    /// 鉴定点 that items of `level` may be written against, in file order.
    pub fn points_at(&self, level: Grade) -> impl Iterator<Item = &Point> {
        self.points
            .iter()
            .filter(move |p| p.level.is_none_or(|l| level == l))
    }

    /// Weight in percent of `row` at `level` in `table`; None when not assessed ("—").
    pub fn weight(&self, table: &WeightTable, row: &str, level: Grade) -> Option<u8> {
        let col = self.weight_levels.iter().position(|l| *l == level)?;
        table
            .rows
            .iter()
            .find(|r| r.row == row)
            .and_then(|r| r.values.get(col).copied().flatten())
    }

    /// Job functions assessed in the skill table at `level`, with their weights, in table order.
    pub fn skill_modules(&self, level: Grade) -> Vec<(&str, u8)> {
        let Some(col) = self.weight_levels.iter().position(|l| *l == level) else {
            return Vec::new();
        };
        // rows are unique (checked with the standard), so each row's own value is its weight
        self.skill_weights
            .rows
            .iter()
            .filter_map(|r| {
                r.values
                    .get(col)
                    .copied()
                    .flatten()
                    .map(|w| (r.row.as_str(), w))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occupation_codes_have_the_classification_shape() {
        assert!(OccupationCode::parse("6-31-01-03").is_some());
        assert!(OccupationCode::parse("4-04-05-05").is_some());
        assert!(OccupationCode::parse("S3200001").is_some_and(|c| c.is_special()));
        assert!(!OccupationCode::parse("6-31-01-03").unwrap().is_special());
        for bad in ["S320001", "S0200001", "s3200001", "S32000012", "SX200001"] {
            assert!(OccupationCode::parse(bad).is_none(), "{bad}");
        }
        for bad in ["6-31-1-03", "63101 03", "6-31-01-03-1", "x-31-01-03", ""] {
            assert!(OccupationCode::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn clause_codes_split_into_their_parents() {
        assert_eq!(function_code("2.1.3"), "2");
        assert_eq!(function_code("J.2.1"), "J");
        assert_eq!(parent_code("2.1.3"), Some("2.1"));
        assert_eq!(parent_code("2"), None);
    }
}
