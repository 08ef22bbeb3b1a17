//! What the assembler knows of a theory item: metadata only (clause, type, difficulty, p,
//! importance, enemy group, status), never content.

use crate::model::{Difficulty, Importance, ItemType, Standard, Status};

/// What the assembler knows of an item: metadata only, never content.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub id: String,
    pub version: u32,
    pub clause: String,
    pub item_type: ItemType,
    pub difficulty: Difficulty,
    /// Expected proportion correct: the item's estimate, or the default for its label.
    pub p: f64,
    /// Effective importance (the item's override, else its 鉴定点's).
    pub importance: Importance,
    pub enemy: Option<String>,
    pub status: Status,
}

impl Candidate {
    /// The candidate for a theory item, with importance and p resolved against the standard.
    pub fn from_item(i: &crate::model::TheoryItem, std: &Standard) -> Candidate {
        let point = std.point(i.level, &i.clause);
        Candidate {
            id: i.id.clone(),
            version: i.version,
            clause: i.clause.clone(),
            item_type: i.item_type,
            difficulty: i.difficulty,
            p: i.p.unwrap_or(crate::model::default_p(i.difficulty)),
            importance: i
                .importance
                .or(point.map(|p| p.importance))
                .unwrap_or(Importance::Y),
            enemy: i.enemy.clone(),
            status: i.status,
        }
    }
}
