//! Bank entries: theory items (理论知识试题), practical tasks (操作技能考核试题) and defence topics
//! (答辩题目), with their versions and the content hash the bank digest is built from.

use super::{Grade, OccupationCode};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

macro_rules! chinese_enum {
    ($(#[$m:meta])* $name:ident { $($var:ident = $s:literal $(| $alias:literal)*),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
        pub enum $name { $( #[serde(rename = $s $(, alias = $alias)*)] $var ),* }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$var),*];
            pub fn as_str(self) -> &'static str { match self { $($name::$var => $s),* } }
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($s $(| $alias)* => Some($name::$var),)* _ => None }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

chinese_enum!(
    /// Theory item types (题型).
    ItemType {
        Judge = "判断",
        Single = "单选",
        Multiple = "多选",
        Fill = "填空",
        Short = "简答",
        Calc = "计算",
        Essay = "论述",
    }
);

impl ItemType {
    /// Marked against a scheme by examiners rather than by key.
    pub fn is_subjective(self) -> bool {
        matches!(self, ItemType::Short | ItemType::Calc | ItemType::Essay)
    }
    pub fn has_options(self) -> bool {
        matches!(self, ItemType::Single | ItemType::Multiple)
    }
}

chinese_enum!(
    /// A-priori difficulty given by the item writer.
    Difficulty { Easy = "easy" | "易", Medium = "medium" | "中", Hard = "hard" | "难" }
);

chinese_enum!(
    /// Importance code of a 鉴定点: X 核心要素, Y 一般要素, Z 辅助要素.
    Importance { X = "X", Y = "Y", Z = "Z" }
);

chinese_enum!(
    /// Life cycle of an entry. Only `Active` entries are drawn into papers.
    Status {
        Draft = "draft",
        Pilot = "pilot",
        Active = "active",
        Suspended = "suspended",
        Retired = "retired",
    }
);

impl Status {
    /// The status as users read it (the `as_str` code stays the file and `--json` form).
    pub fn name(self) -> &'static str {
        match self {
            Status::Draft => "草稿",
            Status::Pilot => "试测",
            Status::Active => "在用",
            Status::Suspended => "暂停使用",
            Status::Retired => "停用",
        }
    }
}

impl Difficulty {
    /// The difficulty as users read it: 易, 中, 难.
    pub fn name(self) -> &'static str {
        match self {
            Difficulty::Easy => "易",
            Difficulty::Medium => "中",
            Difficulty::Hard => "难",
        }
    }
}

impl EntryKind {
    /// The kind as users read it.
    pub fn name(self) -> &'static str {
        match self {
            EntryKind::Item => "理论试题",
            EntryKind::Task => "操作技能试题",
            EntryKind::Defence => "答辩题目",
        }
    }
}

/// Who wrote an entry: the provincial bank itself, or a named organisation (补充试题).
#[derive(Clone, PartialEq, Eq, Debug, Default, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
pub enum Source {
    #[default]
    Provincial,
    Organisation(String),
}
impl From<String> for Source {
    fn from(s: String) -> Source {
        if s == "provincial" || s.is_empty() {
            Source::Provincial
        } else {
            Source::Organisation(s)
        }
    }
}
impl From<Source> for String {
    fn from(s: Source) -> String {
        match s {
            Source::Provincial => "provincial".into(),
            Source::Organisation(o) => o,
        }
    }
}

/// The key: letters/√×/reference text, or one answer per blank for 填空.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    Text(String),
    Blanks(Vec<String>),
}

/// One step of a marking scheme (评分标准); marks are relative and scaled to the item's points.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemeStep {
    pub step: String,
    pub marks: f64,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct TheoryItem {
    pub id: String,
    pub version: u32,
    pub occupation: OccupationCode,
    /// Left out (unleveled) for an entry of a 专项职业能力考核规范, so a leveled entry
    /// serialises and hashes exactly as before grades existed.
    #[serde(
        default = "Grade::unleveled",
        skip_serializing_if = "Grade::is_unleveled"
    )]
    pub level: Grade,
    /// The 鉴定点 code (e.g. `2.1.3`, or `J.2.1` for 基本要求).
    pub clause: String,
    pub item_type: ItemType,
    pub stem: String,
    pub options: Vec<String>,
    pub answer: Answer,
    pub scheme: Vec<SchemeStep>,
    pub difficulty: Difficulty,
    pub p: Option<f64>,
    /// Overrides the 鉴定点's importance when set.
    pub importance: Option<Importance>,
    pub explanation: Option<String>,
    pub source: Source,
    pub status: Status,
    pub enemy: Option<String>,
    pub tags: Vec<String>,
    /// Set for an enterprise's own self-evaluation item (企业自主评价题库, an overlay on the
    /// provincial bank): drawn only into that enterprise's papers, never into provincial ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overlay: Option<String>,
    /// The options keep the order the writer gave them in every copy (numeric options in
    /// ascending order, "以上都对" last). Absent (false) for items written before it existed, so
    /// their content hash is unchanged.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fixed_order: bool,
    /// Items of the same occupation-level the writer has judged distinct questions although the
    /// near-duplicate screen scores them alike: such a pair is neither reported nor kept apart.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub distinct: Vec<String>,
    /// Standards (and clauses) the key depends on, e.g. `GB 50303-2015 5.1.7`. Absent (empty)
    /// for entries written before it existed, so their content hash is unchanged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cites: Vec<String>,
    /// Figures the entry shows (see [`super::Figure`]). Absent (empty) for entries without
    /// one, so their content hash is unchanged; a changed figure changes the hash.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<super::Figure>,
}

/// 考场准备: one line of site equipment or material.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteEntry {
    pub name: String,
    #[serde(default)]
    pub spec: String,
    #[serde(default)]
    pub qty: String,
}

/// 评分要素 with its points and deduction rules (评分标准).
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RubricLine {
    pub element: String,
    pub points: f64,
    pub criteria: String,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct PracticalTask {
    pub id: String,
    pub version: u32,
    pub occupation: OccupationCode,
    /// Left out (unleveled) for an entry of a 专项职业能力考核规范, so a leveled entry
    /// serialises and hashes exactly as before grades existed.
    #[serde(
        default = "Grade::unleveled",
        skip_serializing_if = "Grade::is_unleveled"
    )]
    pub level: Grade,
    /// 职业功能 codes (skill weight table rows) the task assesses.
    pub modules: Vec<String>,
    pub work_types: Vec<String>,
    pub title: String,
    pub minutes: u32,
    pub points: f64,
    pub text: String,
    /// 考生准备
    pub candidate: Vec<String>,
    /// 考场准备
    pub site: Vec<SiteEntry>,
    pub rubric: Vec<RubricLine>,
    pub source: Source,
    pub status: Status,
    /// Standards (and clauses) the key depends on, e.g. `GB 50303-2015 5.1.7`. Absent (empty)
    /// for entries written before it existed, so their content hash is unchanged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cites: Vec<String>,
    /// Figures the entry shows (see [`super::Figure`]). Absent (empty) for entries without
    /// one, so their content hash is unchanged; a changed figure changes the hash.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<super::Figure>,
}

#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
pub struct DefenceTopic {
    pub id: String,
    pub version: u32,
    pub occupation: OccupationCode,
    /// Left out (unleveled) for an entry of a 专项职业能力考核规范, so a leveled entry
    /// serialises and hashes exactly as before grades existed.
    #[serde(
        default = "Grade::unleveled",
        skip_serializing_if = "Grade::is_unleveled"
    )]
    pub level: Grade,
    pub module: String,
    pub topic: String,
    /// 参考要点 for the examiners.
    pub reference: Vec<String>,
    pub source: Source,
    pub status: Status,
    /// Standards (and clauses) the key depends on, e.g. `GB 50303-2015 5.1.7`. Absent (empty)
    /// for entries written before it existed, so their content hash is unchanged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cites: Vec<String>,
    /// Figures the entry shows (see [`super::Figure`]). Absent (empty) for entries without
    /// one, so their content hash is unchanged; a changed figure changes the hash.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<super::Figure>,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    Item,
    Task,
    Defence,
}
impl EntryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryKind::Item => "item",
            EntryKind::Task => "task",
            EntryKind::Defence => "defence",
        }
    }
    pub fn parse(s: &str) -> Option<EntryKind> {
        match s {
            "item" | "theory" => Some(EntryKind::Item),
            "task" | "practical" => Some(EntryKind::Task),
            "defence" | "defense" => Some(EntryKind::Defence),
            _ => None,
        }
    }
}

/// Any bank entry.
#[derive(Clone, PartialEq, Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Entry {
    Item(TheoryItem),
    Task(PracticalTask),
    Defence(DefenceTopic),
}

impl Entry {
    pub fn kind(&self) -> EntryKind {
        match self {
            Entry::Item(_) => EntryKind::Item,
            Entry::Task(_) => EntryKind::Task,
            Entry::Defence(_) => EntryKind::Defence,
        }
    }
    pub fn id(&self) -> &str {
        match self {
            Entry::Item(x) => &x.id,
            Entry::Task(x) => &x.id,
            Entry::Defence(x) => &x.id,
        }
    }
    pub fn version(&self) -> u32 {
        match self {
            Entry::Item(x) => x.version,
            Entry::Task(x) => x.version,
            Entry::Defence(x) => x.version,
        }
    }
    pub fn set_version(&mut self, v: u32) {
        match self {
            Entry::Item(x) => x.version = v,
            Entry::Task(x) => x.version = v,
            Entry::Defence(x) => x.version = v,
        }
    }
    pub fn occupation(&self) -> &OccupationCode {
        match self {
            Entry::Item(x) => &x.occupation,
            Entry::Task(x) => &x.occupation,
            Entry::Defence(x) => &x.occupation,
        }
    }
    pub fn level(&self) -> Grade {
        match self {
            Entry::Item(x) => x.level,
            Entry::Task(x) => x.level,
            Entry::Defence(x) => x.level,
        }
    }
    pub fn status(&self) -> Status {
        match self {
            Entry::Item(x) => x.status,
            Entry::Task(x) => x.status,
            Entry::Defence(x) => x.status,
        }
    }
    /// The standards the entry cites.
    pub fn cites(&self) -> &[String] {
        match self {
            Entry::Item(x) => &x.cites,
            Entry::Task(x) => &x.cites,
            Entry::Defence(x) => &x.cites,
        }
    }
    /// The figures the entry shows.
    pub fn figures(&self) -> &[super::Figure] {
        match self {
            Entry::Item(x) => &x.figures,
            Entry::Task(x) => &x.figures,
            Entry::Defence(x) => &x.figures,
        }
    }
    pub fn set_status(&mut self, s: Status) {
        match self {
            Entry::Item(x) => x.status = s,
            Entry::Task(x) => x.status = s,
            Entry::Defence(x) => x.status = s,
        }
    }
    /// The public clause code: the 鉴定点 of an item, the first module of a task, the module of a
    /// defence topic. Published standards already contain these codes.
    pub fn clause(&self) -> &str {
        match self {
            Entry::Item(x) => &x.clause,
            Entry::Task(x) => x.modules.first().map(String::as_str).unwrap_or(""),
            Entry::Defence(x) => &x.module,
        }
    }
    /// The public type label: 判断/单选/… for items, 操作 for tasks, 答辩 for topics.
    pub fn type_label(&self) -> &'static str {
        match self {
            Entry::Item(x) => x.item_type.as_str(),
            Entry::Task(_) => "操作",
            Entry::Defence(_) => "答辩",
        }
    }

    /// SHA-256 over the canonical encoding of the entry's content, excluding its version: two
    /// entries with the same hash are the same question. Canonical = serde_json of the domain
    /// type (fixed field order, shortest round-trip floats).
    pub fn content_hash(&self) -> String {
        self.clone().content_hash_in_place()
    }

    /// [`Entry::content_hash`] without a copy: the version is zeroed while hashing, then restored.
    /// Scheme 2 (`model::canon`): `jcs:` ‖ hex SHA-256(`"qbank-entry/2"` ‖ 0 ‖ RFC 8785 JSON
    /// of the entry with version 0).
    pub fn content_hash_in_place(&mut self) -> String {
        let version = self.version();
        self.set_version(0);
        let h = super::canon::canonical_sha256("qbank-entry/2", &*self);
        self.set_version(version);
        super::canon::tagged(h)
    }

    /// The content hash of scheme 1, as qbank stored it before the canonical form: hex
    /// SHA-256 of `serde_json` of the entry with version 0. Only for telling whether an entry
    /// is unchanged against a version stored with it; never stored for new versions.
    pub fn content_hash_v1_in_place(&mut self) -> String {
        let version = self.version();
        self.set_version(0);
        let bytes = serde_json::to_vec(&*self).expect("entries always serialise");
        self.set_version(version);
        hex::encode(Sha256::digest(&bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_content_hash_ignores_the_version_and_in_place_hashing_restores_it() {
        let mut e = Entry::Defence(DefenceTopic {
            id: "D1".into(),
            version: 7,
            occupation: OccupationCode::parse("6-31-01-03").unwrap(),
            level: crate::model::Level::from_code(2).unwrap().into(),
            module: "5".into(),
            topic: "说明PLC控制系统的设计过程。".into(),
            reference: vec!["I/O分配".into()],
            source: Source::Provincial,
            status: Status::Active,
            cites: Vec::new(),
            figures: Vec::new(),
        });
        let h = e.content_hash();
        assert_eq!(e.content_hash_in_place(), h);
        assert_eq!(e.version(), 7);
        e.set_version(8);
        assert_eq!(
            e.content_hash(),
            h,
            "a new version of the same content hashes the same"
        );
        if let Entry::Defence(d) = &mut e {
            d.topic.push('！');
        }
        assert_ne!(e.content_hash(), h);
    }
}
