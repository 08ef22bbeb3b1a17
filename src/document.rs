//! Typed paper documents (first step of the typed document model): a theory form's `paper.json`
//! and `key.json` as structs, and an organisation copy drawn from them (question order, option
//! order, answer letters remapped). The fields a copy works on — numbers, ids, versions, types,
//! points, options, answers — are typed, so a missing one is a load error naming the document;
//! the rest (header, clause paths, explanations, schemes) travel unchanged in `rest`. The JSON
//! files stay the on-disk format: written through `serde_json::Value` (sorted keys), they are the
//! same bytes as before. Pure.

use crate::assemble::{CopyPlan, remap_answer};
use crate::model::{Answer, ItemType};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// Fields a document carries that no typed code reads (kept as they are).
pub type Rest = BTreeMap<String, Value>;

/// A theory paper (`paper.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TheoryPaper {
    pub sections: Vec<PaperSection>,
    #[serde(flatten)]
    pub rest: Rest,
}

/// One section (题型) of a theory paper.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaperSection {
    pub items: Vec<PaperItem>,
    #[serde(flatten)]
    pub rest: Rest,
}

/// One printed question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PaperItem {
    /// The printed number (1-based, across sections).
    pub n: u32,
    pub id: String,
    pub version: u32,
    #[serde(rename = "type")]
    pub item_type: ItemType,
    pub points: f64,
    pub options: Vec<String>,
    /// The options keep their order in every copy (the item's `fixed_order`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub fixed_order: bool,
    #[serde(flatten)]
    pub rest: Rest,
}

/// A theory answer key (`key.json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TheoryKey {
    pub answers: Vec<KeyAnswer>,
    #[serde(flatten)]
    pub rest: Rest,
}

/// The answer to one printed question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyAnswer {
    pub n: u32,
    pub id: String,
    pub version: u32,
    pub answer: Answer,
    #[serde(flatten)]
    pub rest: Rest,
}

impl TheoryPaper {
    /// The questions in form order, with their section index.
    pub fn items(&self) -> impl Iterator<Item = (usize, &PaperItem)> {
        self.sections
            .iter()
            .enumerate()
            .flat_map(|(s, sec)| sec.items.iter().map(move |i| (s, i)))
    }

    /// Section lengths and option counts, for drawing copy plans.
    /// For each question in form order, whether its options keep their order in copies.
    pub fn fixed_orders(&self) -> Vec<bool> {
        self.items().map(|(_, i)| i.fixed_order).collect()
    }

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
                items,
                rest: sec.rest.clone(),
            })
            .collect(),
        rest: paper.rest.clone(),
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
        rest: key.rest.clone(),
    };
    (new_paper, new_key, questions)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn documents_round_trip_to_the_same_json_and_a_missing_field_is_an_error() {
        let paper = json!({
            "blueprint": "bp", "form": 1,
            "sections": [{ "type": "单选", "count": 2, "points_each": 1.0, "items": [
                { "n": 1, "id": "A", "version": 1, "type": "单选", "points": 1.0, "options": ["x", "y"], "stem": "s1", "clause_path": ["a"] },
                { "n": 2, "id": "B", "version": 2, "type": "单选", "points": 1.0, "options": ["u", "v"], "stem": "s2", "clause_path": [] },
            ]}],
        });
        let key = json!({ "form": 1, "answers": [
            { "n": 1, "id": "A", "version": 1, "answer": "A" },
            { "n": 2, "id": "B", "version": 2, "answer": "B", "explanation": "e" },
        ]});
        let p: TheoryPaper = serde_json::from_value(paper.clone()).unwrap();
        let k: TheoryKey = serde_json::from_value(key.clone()).unwrap();
        assert_eq!(serde_json::to_value(&p).unwrap(), paper);
        assert_eq!(serde_json::to_value(&k).unwrap(), key);
        // B printed first with its options swapped, A second as it was
        let plan = CopyPlan {
            order: vec![1, 0],
            options: vec![vec![1, 0], vec![0, 1]],
        };
        let (cp, ck, qs) = permute(&p, &k, &plan);
        let first = &cp.sections[0].items[0];
        assert_eq!(
            (first.n, first.id.as_str(), first.options.clone()),
            (1, "B", vec!["v".into(), "u".into()])
        );
        assert_eq!(
            ck.answers[0].answer,
            Answer::Text("A".into()),
            "B's key follows its option"
        );
        assert_eq!(ck.answers[1].answer, Answer::Text("A".into()));
        assert_eq!(qs[0].options, vec![1, 0]);
        let mut broken = paper;
        broken["sections"][0]["items"][1]
            .as_object_mut()
            .unwrap()
            .remove("version");
        let e = serde_json::from_value::<TheoryPaper>(broken)
            .unwrap_err()
            .to_string();
        assert!(e.contains("version"), "{e}");
    }
}
