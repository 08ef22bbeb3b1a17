//! Theory papers (`paper.json`) and answer keys (`key.json`), and the organisation copy drawn
//! from them: question order within sections, option order, answer letters remapped (`permute`),
//! with the `copy.json` that records it (`CopyInfo`, `CopyQuestion`). Pure.

use super::headed_document;
use crate::assemble::{CopyPlan, remap_answer};
use crate::model::{Answer, Difficulty, Importance, ItemType};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

headed_document! {
    /// A theory paper (`paper.json`).
    pub struct TheoryPaper {
        pub sections: Vec<PaperSection>,
    }
}

/// One section (题型) of a theory paper.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaperSection {
    #[serde(rename = "type")]
    pub item_type: ItemType,
    /// Questions the blueprint asks for.
    pub count: u32,
    pub points_each: f64,
    pub items: Vec<PaperItem>,
}

/// One printed question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaperItem {
    /// The printed number (1-based, across sections).
    pub n: u32,
    pub id: String,
    pub version: u32,
    /// The 鉴定点 code, e.g. `2.1.3`.
    pub clause: String,
    /// Names of the 职业功能, 工作内容 and 鉴定点 (empty if the standard lacks the clause).
    pub clause_path: Vec<String>,
    #[serde(rename = "type")]
    pub item_type: ItemType,
    pub points: f64,
    pub difficulty: Difficulty,
    pub p: f64,
    pub importance: Importance,
    pub stem: String,
    pub options: Vec<String>,
    /// The options keep their order in every copy (the item's `fixed_order`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fixed_order: bool,
    /// Figures this document prints for the entry (its bytes are content).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<super::DocFigure>,
}

headed_document! {
    /// A theory answer key (`key.json`).
    pub struct TheoryKey {
        pub answers: Vec<KeyAnswer>,
    }
}

/// The answer to one printed question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyAnswer {
    pub n: u32,
    pub id: String,
    pub version: u32,
    pub answer: Answer,
    /// The marking scheme, scaled to the question's points (subjective items).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scheme: Vec<SchemeMark>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<String>,
    /// Figures this document prints for the entry (its bytes are content).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<super::DocFigure>,
}

/// One step of a question's marking scheme with its marks.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SchemeMark {
    pub step: String,
    pub marks: f64,
}

/// Whose copy a document is: the `copy` field of a copy's paper and key, and its `copy.json`
/// (which also lists what was printed, for theory copies).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CopyInfo {
    pub sitting: String,
    pub organisation: String,
    pub occupation: String,
    pub occupation_name: String,
    #[serde(deserialize_with = "crate::model::Grade::deserialize_required")]
    pub level: crate::model::Grade,
    /// The copy code, e.g. `S000032100001-dg4-theory-F01`.
    pub copy: String,
    pub blueprint: String,
    pub form: u32,
    /// Theory copies' `copy.json`: every printed question (absent elsewhere).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<CopyQuestion>,
}

impl TheoryPaper {
    /// The questions in form order, with their section index.
    pub fn items(&self) -> impl Iterator<Item = (usize, &PaperItem)> {
        self.sections
            .iter()
            .enumerate()
            .flat_map(|(s, sec)| sec.items.iter().map(move |i| (s, i)))
    }

    /// For each question in form order, whether its options keep their order in copies.
    pub fn fixed_orders(&self) -> Vec<bool> {
        self.items().map(|(_, i)| i.fixed_order).collect()
    }

    /// Section lengths and option counts, for drawing copy plans.
    pub fn shape(&self) -> (Vec<usize>, Vec<usize>) {
        (
            self.sections.iter().map(|s| s.items.len()).collect(),
            self.items().map(|(_, i)| i.options.len()).collect(),
        )
    }
}

/// One printed question of a copy as `copy.json` lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CopyQuestion {
    pub n: u32,
    pub id: String,
    pub version: u32,
    #[serde(rename = "type")]
    pub item_type: ItemType,
    /// For each printed letter, the form's option index.
    pub options: Vec<usize>,
}

/// Applies a copy plan to a form's paper and key: questions in the plan's order within their
/// sections, renumbered; options in the plan's order; answer letters remapped to match.
pub fn permute(
    paper: &TheoryPaper,
    key: &TheoryKey,
    plan: &CopyPlan,
) -> (TheoryPaper, TheoryKey, Vec<CopyQuestion>) {
    let items: Vec<(usize, &PaperItem)> = paper.items().collect();
    let mut new_n: HashMap<u32, (u32, usize)> = HashMap::new(); // form n -> (copy n, print index)
    let mut sections: Vec<Vec<PaperItem>> = vec![Vec::new(); paper.sections.len()];
    let mut questions = Vec::new();
    for (k, (&q, perm)) in plan.order.iter().zip(&plan.options).enumerate() {
        let Some(&(s, item)) = items.get(q) else {
            continue;
        };
        let mut it = item.clone();
        let n = k as u32 + 1;
        new_n.insert(item.n, (n, k));
        it.n = n;
        if !item.options.is_empty() {
            it.options = perm
                .iter()
                .filter_map(|&f| item.options.get(f).cloned())
                .collect();
        }
        questions.push(CopyQuestion {
            n,
            id: item.id.clone(),
            version: item.version,
            item_type: item.item_type,
            options: perm.clone(),
        });
        sections[s].push(it);
    }
    let new_paper = TheoryPaper {
        sections: paper
            .sections
            .iter()
            .zip(sections)
            .map(|(sec, items)| PaperSection {
                item_type: sec.item_type,
                count: sec.count,
                points_each: sec.points_each,
                items,
            })
            .collect(),
        ..TheoryPaper::headed(paper.head())
    };
    let mut answers: Vec<(u32, KeyAnswer)> = key
        .answers
        .iter()
        .map(|a| {
            let mut a = a.clone();
            match new_n.get(&a.n) {
                Some(&(n, k)) => {
                    a.n = n;
                    if let Answer::Text(t) = &a.answer {
                        a.answer = Answer::Text(remap_answer(t, &plan.options[k]));
                    }
                    (n, a)
                }
                None => (u32::MAX, a),
            }
        })
        .collect();
    answers.sort_by_key(|(n, _)| *n);
    let new_key = TheoryKey {
        answers: answers.into_iter().map(|(_, a)| a).collect(),
        ..TheoryKey::headed(key.head())
    };
    (new_paper, new_key, questions)
}
