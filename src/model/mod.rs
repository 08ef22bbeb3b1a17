//! Domain types of the bank: occupations, levels, standards with their clause trees and weight
//! tables, and the three kinds of bank entry (theory items, practical tasks, defence topics).
//! Plain data with validation helpers; no IO, no clock, no randomness.

mod blueprint;
pub mod canon;
mod citation;
mod entry;
mod figure;
mod level;
pub mod markup;
mod org;
mod person;
mod sitting;
mod standard;

pub use blueprint::{
    Blueprint, BlueprintKind, Choice, DifficultyGoal, MAX_FORMS, ModuleRule, Section,
    TalentCategory, default_p,
};
pub use citation::{Citation, RegisteredStandard, StandardStatus, StandardsRegister};
pub use entry::{
    Answer, DefenceTopic, Difficulty, Entry, EntryKind, Importance, ItemType, PracticalTask,
    RubricLine, SchemeStep, SiteEntry, Source, Status, TheoryItem,
};
pub use figure::{Figure, Media, b64, figure_refs};
pub use level::{EnterpriseGrade, Grade, Level};
pub use org::{
    OrgCategory, OrgKind, OrgStatus, Organisation, StatusChange, is_valid_org_id, parse_scope,
};
pub use person::{Person, Role};
pub use sitting::{
    Participant, PlannedPaper, SittingPlan, is_valid_sitting_id, parse_occupation_level,
};
pub use standard::{
    Clause, Content, Function, Occupation, OccupationCode, Point, Standard, StandardKind,
    WeightRow, WeightTable, function_code as standard_function, parent_code as standard_parent,
};

/// Characters allowed in ids of entries (items, tasks, topics): they appear in store keys and
/// file names, so they are restricted to a safe, unambiguous set.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// An id that names a file or folder (a blueprint's output folder, its report): an entry-style
/// id that starts with a letter or digit, so it is never `.`, `..`, empty or a path.
pub fn is_valid_file_id(id: &str) -> bool {
    is_valid_id(id) && id.as_bytes()[0].is_ascii_alphanumeric()
}
