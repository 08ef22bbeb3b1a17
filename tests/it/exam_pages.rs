//! The 机考's pages and printed results against goldens (`QBANK_BLESS=1` rewrites them): the
//! candidate's paper in their own layout with their answers, and a candidate's 成绩单; the
//! candidate's page holds every question once and nothing of the key.

use qbank::document::{TheoryKey, TheoryPaper};
use qbank::exam::{Candidate, Event, Exam, ExamConfig, Layout, Record, Value, event::GENESIS};
use qbank::render::exam as page;
use std::collections::HashMap;
use std::path::Path;

fn docs() -> (TheoryPaper, TheoryKey) {
    (
        serde_json::from_str(include_str!("../data/render/theory3-paper.json")).unwrap(),
        serde_json::from_str(include_str!("../data/render/theory3-key.json")).unwrap(),
    )
}

fn golden(name: &str, got: &str) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/golden")
        .join(name);
    if std::env::var("QBANK_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&file, got).unwrap();
    }
    let want = std::fs::read_to_string(&file).expect("golden missing; run with QBANK_BLESS=1");
    assert_eq!(
        got, want,
        "{name} drifted; re-bless with QBANK_BLESS=1 if intended"
    );
}

const TITLE: page::ExamTitle = page::ExamTitle {
    occupation: "电工（6-31-01-03）",
    level: "三级/高级工",
    organisation: "S000032100001",
    copy: "S000032100001-dg3-theory-F01",
};

#[test]
fn the_candidates_page_holds_every_question_once_in_their_order_and_nothing_of_the_key() {
    let (paper, key) = docs();
    let layout = Layout::draw(&paper, &[7; 32], "3201001", true, true);
    let mut answers = HashMap::new();
    answers.insert(1, (2, Value::Choice(vec![layout.options[&1][1]])));
    answers.insert(61, (1, Value::Judge(false)));
    answers.insert(81, (3, Value::Text("温度过高<可能>是过负荷".into())));
    let who = page::Who {
        name: "李明",
        ticket: "3201001",
        seat: "12",
    };
    let html = page::exam_page(
        &TITLE,
        &who,
        &paper,
        &layout,
        &page::Sheet {
            answers: &answers,
            flags: &[5],
            seconds: 5400,
            csrf: "c5rf",
        },
    );
    let n_questions: usize = paper.sections.iter().map(|s| s.items.len()).sum();
    assert_eq!(html.matches("<fieldset class=\"q\"").count(), n_questions);
    for s in &paper.sections {
        for i in &s.items {
            assert_eq!(
                html.matches(&format!("id=\"q{0}\" data-q=\"{0}\"", i.n))
                    .count(),
                1,
                "question {} once",
                i.n
            );
        }
    }
    // the questions appear in the layout's order
    let order: Vec<u32> = html
        .split("<fieldset class=\"q\" id=\"q")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse().unwrap())
        .collect();
    assert_eq!(order, layout.sections.concat());
    // a candidate's answer text is escaped; no answer, scheme step or explanation of the key
    assert!(html.contains("温度过高&lt;可能&gt;是过负荷"));
    for a in &key.answers {
        for s in &a.scheme {
            assert!(
                !html.contains(&s.step),
                "scheme step of {} on the page",
                a.n
            );
        }
        if let qbank::model::Answer::Text(t) = &a.answer
            && t.chars().count() > 8
        {
            assert!(
                !html.contains(t.as_str()),
                "the reference answer of {} on the page",
                a.n
            );
        }
    }
    golden("exam-page.html", &html);
}

#[test]
fn a_score_sheet_prints_each_answer_the_key_and_the_points() {
    let (paper, key) = docs();
    let config = ExamConfig {
        format: 1,
        sitting: "JS-2026-11-DG".into(),
        organisation: "S000032100001".into(),
        organisation_name: "南京金陵职业技能培训学校".into(),
        occupation: "6-31-01-03".into(),
        occupation_name: "电工".into(),
        level: qbank::model::Grade::Level(qbank::model::Level::from_code(3).unwrap()),
        copy: "S000032100001-dg3-theory-F01".into(),
        paper_sha256: String::new(),
        start: "2026-11-28T01:00:00Z".parse().unwrap(),
        minutes: 120,
        shuffle_questions: true,
        shuffle_options: true,
        salt: "07".repeat(32),
        proctor: String::new(),
        marking: String::new(),
        double_marking: false,
        threshold: 2.0,
        roster: vec![Candidate {
            ticket: "3201001".into(),
            name: "李明".into(),
            id4: "1234".into(),
            seat: "12".into(),
        }],
    };
    let t0 = config.start;
    let mut exam = Exam::new(
        &Record::new(&GENESIS, 1, t0, Event::Open(Box::new(config))),
        paper,
    )
    .unwrap();
    let at = t0 + jiff::SignedDuration::from_mins(10);
    let events = [
        Event::Login {
            ticket: "3201001".into(),
            session: "h".into(),
            client: "c".into(),
            takeover: false,
        },
        Event::Answer {
            ticket: "3201001".into(),
            q: 1,
            rev: 1,
            value: Value::Choice(vec![2]),
        },
        Event::Answer {
            ticket: "3201001".into(),
            q: 2,
            rev: 1,
            value: Value::Choice(vec![0]),
        },
        Event::Answer {
            ticket: "3201001".into(),
            q: 61,
            rev: 1,
            value: Value::Judge(true),
        },
        Event::Answer {
            ticket: "3201001".into(),
            q: 81,
            rev: 1,
            value: Value::Text("过负荷".into()),
        },
        Event::Submit {
            ticket: "3201001".into(),
            forced: false,
        },
        Event::Mark {
            ticket: "3201001".into(),
            q: 81,
            examiner: "王".into(),
            score: 3.5,
        },
    ];
    for e in events {
        exam.check(&e, at).unwrap();
        let r = exam.record(at, e);
        exam.apply(&r);
    }
    let results = qbank::exam::score::results(&exam, &key);
    let r = &results[0];
    assert_eq!(r.unmarked, 0);
    let answers = exam.cands["3201001"]
        .answers
        .iter()
        .map(|(q, (_, v))| (*q, v.clone()))
        .collect();
    let h = qbank::render::DocHeader {
        title: "电工（6-31-01-03）三级/高级工 理论知识考试",
        sitting: "JS-2026-11-DG",
        organisation: "S000032100001",
        copy: "S000032100001-dg3-theory-F01",
        date: "2026年11月28日 09:00（北京时间）",
    };
    let html = qbank::render::results::score_sheet_html(&exam.paper, &key, r, &answers, &h);
    assert!(html.contains(&format!("<th>{}</th>", r.total)), "the total");
    assert!(html.contains("（文字作答 3 字）") && html.contains("见评分标准"));
    golden("exam-score-sheet.html", &html);
}
