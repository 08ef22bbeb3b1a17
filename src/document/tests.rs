//! Documents read back to the same bytes, copies permute them, and a missing or mistyped field is
//! refused naming the file and the field.

use super::*;
use crate::assemble::CopyPlan;
use crate::model::Answer;
use serde_json::{Value, json};

fn sample(name: &str) -> &'static str {
    match name {
        "theory-paper" => include_str!("../../tests/data/render/theory-paper.json"),
        "theory-key" => include_str!("../../tests/data/render/theory-key.json"),
        "theory3-paper" => include_str!("../../tests/data/render/theory3-paper.json"),
        "theory3-key" => include_str!("../../tests/data/render/theory3-key.json"),
        "practical-paper" => include_str!("../../tests/data/render/practical-paper.json"),
        "practical-key" => include_str!("../../tests/data/render/practical-key.json"),
        _ => panic!("no sample {name}"),
    }
}

/// Loads `text` as a `T` and writes it back: the same JSON (and the same bytes when `text` is in
/// the on-disk form).
fn round_trip<T: serde::de::DeserializeOwned + Serialize>(text: &str, what: &'static str) -> T {
    let doc: T = load(text.as_bytes(), "sample.json", what).unwrap();
    let again: Value = serde_json::from_slice(&to_bytes(&doc)).unwrap();
    let orig: Value = serde_json::from_str(text).unwrap();
    assert_eq!(again, orig, "{what} does not read back to the same JSON");
    doc
}

#[test]
fn every_sample_document_reads_back_to_the_same_json() {
    let p: TheoryPaper = round_trip(sample("theory-paper"), "theory paper");
    round_trip::<TheoryKey>(sample("theory-key"), "theory key");
    round_trip::<TheoryPaper>(sample("theory3-paper"), "theory paper");
    round_trip::<TheoryKey>(sample("theory3-key"), "theory key");
    let pp: PracticalPaper = round_trip(sample("practical-paper"), "practical paper");
    round_trip::<PracticalKey>(sample("practical-key"), "practical key");
    assert_eq!(p.kind, DocKind::Theory);
    assert_eq!(pp.kind, DocKind::Practical);
    assert!(!pp.modules.is_empty());
}

/// `field` removed from the JSON at `at` (a JSON pointer to its object), or set to `to`.
fn broken(text: &str, at: &str, field: &str, to: Option<Value>) -> Vec<u8> {
    let mut v: Value = serde_json::from_str(text).unwrap();
    let obj = v.pointer_mut(at).and_then(Value::as_object_mut).unwrap();
    match to {
        None => assert!(obj.remove(field).is_some(), "{at}/{field} is in the sample"),
        Some(x) => {
            obj.insert(field.into(), x);
        }
    }
    serde_json::to_vec(&v).unwrap()
}

fn refusal<T: serde::de::DeserializeOwned + std::fmt::Debug>(bytes: &[u8]) -> (String, String) {
    match load::<T>(bytes, "forms/F01/paper.json", "document") {
        Err(e @ crate::Error::Document { .. }) => {
            let crate::Error::Document { ref field, .. } = e else {
                unreachable!()
            };
            (field.clone(), e.to_string())
        }
        other => panic!("not refused as a document: {other:?}"),
    }
}

#[test]
fn a_missing_or_mistyped_field_is_refused_naming_the_file_and_the_field() {
    // (sample, pointer to the object, field, replacement or removal, expected field path)
    let theory: [(&str, &str, &str, Option<Value>, &str); 7] = [
        (
            "theory-paper",
            "/sections/0/items/1",
            "version",
            None,
            "sections[0].items[1].version",
        ),
        (
            "theory-paper",
            "/sections/0/items/2",
            "points",
            Some(json!("一分")),
            "sections[0].items[2].points",
        ),
        (
            "theory-paper",
            "/sections/1/items/0",
            "stem",
            None,
            "sections[1].items[0].stem",
        ),
        ("theory-paper", "", "level_name", None, "level_name"),
        (
            "theory-paper",
            "",
            "minutes",
            Some(json!("九十")),
            "minutes",
        ),
        (
            "theory-paper",
            "/sections/0",
            "points_each",
            None,
            "sections[0].points_each",
        ),
        (
            "theory-paper",
            "/sections/0/items/0",
            "options",
            Some(json!("A")),
            "sections[0].items[0].options",
        ),
    ];
    for (name, at, field, to, want) in theory {
        let (got, msg) = refusal::<TheoryPaper>(&broken(sample(name), at, field, to));
        assert_eq!(got, want, "{msg}");
        assert!(msg.starts_with("forms/F01/paper.json: "), "{msg}");
    }
    let keys: [(&str, &str, &str, Option<Value>, &str); 2] = [
        (
            "theory-key",
            "/answers/3",
            "answer",
            None,
            "answers[3].answer",
        ),
        (
            "theory-key",
            "/answers/0",
            "n",
            Some(json!(-1)),
            "answers[0].n",
        ),
    ];
    for (name, at, field, to, want) in keys {
        assert_eq!(
            refusal::<TheoryKey>(&broken(sample(name), at, field, to)).0,
            want
        );
    }
    let practical: [(&str, &str, &str, Option<Value>, &str); 4] = [
        (
            "practical-paper",
            "/modules/0/tasks/0",
            "title",
            None,
            "modules[0].tasks[0].title",
        ),
        (
            "practical-paper",
            "/modules/0/tasks/0/site/0",
            "name",
            None,
            "modules[0].tasks[0].site[0].name",
        ),
        (
            "practical-paper",
            "/modules/0",
            "points",
            Some(json!("二十")),
            "modules[0].points",
        ),
        ("practical-paper", "", "task_minutes", None, "task_minutes"),
    ];
    for (name, at, field, to, want) in practical {
        assert_eq!(
            refusal::<PracticalPaper>(&broken(sample(name), at, field, to)).0,
            want
        );
    }
    let marking: [(&str, &str, &str, Option<Value>, &str); 4] = [
        (
            "practical-key",
            "/marking/0/rubric/0",
            "marks",
            None,
            "marking[0].rubric[0].marks",
        ),
        (
            "practical-key",
            "/marking/0",
            "task_points",
            None,
            "marking[0].task_points",
        ),
        (
            "practical-key",
            "/marking/0",
            "checks",
            Some(json!(1)),
            "marking[0].checks",
        ),
        (
            "practical-key",
            "/marking/0",
            "rubric",
            Some(json!({})),
            "marking[0].rubric",
        ),
    ];
    for (name, at, field, to, want) in marking {
        assert_eq!(
            refusal::<PracticalKey>(&broken(sample(name), at, field, to)).0,
            want
        );
    }
}

fn defence_set() -> (Value, Value) {
    let head = json!({
        "blueprint": "dg2-defence", "form": 1, "kind": "practical", "level": 2,
        "level_name": "二级/技师", "minutes": 30, "occupation": "6-31-01-03",
        "occupation_name": "电工", "standard": "GZB 6-31-01-03",
    });
    let mut paper = head.clone();
    paper["modules"] = json!([]);
    paper["task_minutes"] = json!(0);
    paper["defence"] = json!([{ "id": "DG2-D02", "module": "5", "module_name": "自动控制电路装调维修", "topic": "题目", "version": 1 }]);
    let mut key = head;
    key["marking"] = json!([]);
    key["defence"] = json!([{ "id": "DG2-D02", "reference": ["要点一"], "version": 1 }]);
    (paper, key)
}

#[test]
fn a_defence_set_reads_back_and_a_broken_topic_is_refused() {
    let (paper, key) = defence_set();
    let p: PracticalPaper = round_trip(&paper.to_string(), "defence set");
    let k: PracticalKey = round_trip(&key.to_string(), "defence key");
    assert_eq!(
        p.defence[0].module_name.as_deref(),
        Some("自动控制电路装调维修")
    );
    assert_eq!(k.defence[0].reference, vec!["要点一".to_string()]);
    let (field, _) =
        refusal::<PracticalPaper>(&broken(&paper.to_string(), "/defence/0", "topic", None));
    assert_eq!(field, "defence[0].topic");
    let (field, _) = refusal::<PracticalKey>(&broken(
        &key.to_string(),
        "/defence/0",
        "reference",
        Some(json!(3)),
    ));
    assert_eq!(field, "defence[0].reference");
    // a null module name is what a standard without that module gives: accepted, not a gap
    let mut v = paper.clone();
    v["defence"][0]["module_name"] = Value::Null;
    round_trip::<PracticalPaper>(&v.to_string(), "defence set");
}

#[test]
fn a_copy_permutes_questions_options_and_answer_letters() {
    let p: TheoryPaper = load(sample("theory-paper").as_bytes(), "p", "paper").unwrap();
    let k: TheoryKey = load(sample("theory-key").as_bytes(), "k", "key").unwrap();
    let n0 = p.sections[0].items.len();
    // the first section reversed, options of its first printed question reversed
    let mut order: Vec<usize> = (0..n0).rev().collect();
    order.extend(n0..p.items().count());
    let options: Vec<Vec<usize>> = order
        .iter()
        .enumerate()
        .map(|(k, &q)| {
            let len = p.items().nth(q).unwrap().1.options.len();
            if k == 0 {
                (0..len).rev().collect()
            } else {
                (0..len).collect()
            }
        })
        .collect();
    let plan = CopyPlan {
        order: order.clone(),
        options,
    };
    let (cp, ck, qs) = permute(&p, &k, &plan);
    let last = &p.sections[0].items[n0 - 1];
    let first = &cp.sections[0].items[0];
    assert_eq!((first.n, &first.id), (1, &last.id));
    let mut rev = last.options.clone();
    rev.reverse();
    assert_eq!(first.options, rev);
    assert_eq!(qs.len(), p.items().count());
    assert_eq!(ck.answers[0].id, last.id);
    let was = k.answers.iter().find(|a| a.id == last.id).unwrap();
    let (Answer::Text(old), Answer::Text(new)) = (&was.answer, &ck.answers[0].answer) else {
        panic!("the sample's first section is 单选 with letter answers");
    };
    {
        let len = last.options.len();
        let want: String = {
            let mut l: Vec<char> = old
                .chars()
                .map(|c| (b'A' + (len as u8 - 1 - (c as u8 - b'A'))) as char)
                .collect();
            l.sort();
            l.into_iter().collect()
        };
        assert_eq!(new, &want, "the key follows the reversed options");
    }
    assert_eq!(cp.head(), p.head(), "the copy keeps the form's head");
}

#[test]
fn a_copy_file_missing_a_question_field_is_refused_by_field() {
    let copy = json!({
        "blueprint": "dg4-theory", "copy": "S000032100001-dg4-theory-F01", "form": 1, "level": 4,
        "occupation": "6-31-01-03", "occupation_name": "电工", "organisation": "S000032100001",
        "sitting": "JS-2026-11-DG",
        "questions": [{ "id": "DG4-0106", "n": 1, "options": [0, 2, 3, 1], "type": "单选", "version": 1 }],
    });
    let c: CopyInfo = round_trip(&copy.to_string(), "copy");
    assert_eq!(c.questions[0].options, vec![0, 2, 3, 1]);
    let bad = broken(&copy.to_string(), "/questions/0", "options", None);
    let e = load::<CopyInfo>(&bad, "unsealed/F01/copy.json", "qbank copy.json").unwrap_err();
    assert!(e.to_string().starts_with("unsealed/F01/copy.json: not a valid qbank copy.json: field `questions[0].options`: missing field `options`"), "{e}");
}
