//! Fuzz target: whatever a browser or a damaged log could hand the 机考's rules — events as JSON
//! lines, checked against the rules of an exam over the sample 三级 paper and applied when they
//! pass, at times around the sitting (`exam::Exam::check`, `apply`), then scored.
#![no_main]

use libfuzzer_sys::fuzz_target;
use qbank::exam::{Candidate, Event, Exam, ExamConfig, Record, event::GENESIS};

fuzz_target!(|data: &[u8]| {
    static DOCS: std::sync::OnceLock<(qbank::document::TheoryPaper, qbank::document::TheoryKey)> =
        std::sync::OnceLock::new();
    let (paper, key) = DOCS.get_or_init(|| {
        (
            serde_json::from_str(include_str!("../../tests/data/render/theory3-paper.json")).unwrap(),
            serde_json::from_str(include_str!("../../tests/data/render/theory3-key.json")).unwrap(),
        )
    });
    let (paper, key) = (paper.clone(), key);
    let t0: jiff::Timestamp = "2026-11-28T01:00:00Z".parse().unwrap();
    let config = ExamConfig {
        format: 1,
        sitting: "S".into(),
        organisation: "O".into(),
        organisation_name: String::new(),
        occupation: "6-31-01-03".into(),
        occupation_name: "电工".into(),
        level: qbank::model::Grade::Level(qbank::model::Level::from_code(3).unwrap()),
        copy: "O-x-F01".into(),
        paper_sha256: String::new(),
        start: t0,
        minutes: 120,
        shuffle_questions: true,
        shuffle_options: true,
        salt: "11".repeat(32),
        proctor: String::new(),
        marking: String::new(),
        double_marking: data.first().is_some_and(|b| b & 1 == 1),
        threshold: 1.0,
        roster: vec![Candidate { ticket: "A".into(), name: "甲".into(), id4: "1234".into(), seat: "1".into() }],
    };
    let open = Record::new(&GENESIS, 1, t0, Event::Open(Box::new(config)));
    let Some(mut exam) = Exam::new(&open, paper) else { return };
    let text = String::from_utf8_lossy(data);
    for (i, line) in text.lines().enumerate().take(200) {
        let Ok(ev) = serde_json::from_str::<Event>(line) else { continue };
        // times from before the start to after the end
        let now = t0 + jiff::SignedDuration::from_mins((i as i64 * 17) % 200 - 30);
        if exam.check(&ev, now).is_ok() {
            let r = exam.record(now, ev);
            exam.apply(&r);
        }
        let _ = exam.phase("A", now);
        let _ = exam.overdue(now);
    }
    let results = qbank::exam::score::results(&exam, key);
    let _ = qbank::exam::score::responses_csv(&exam, Some(&results));
    let _ = exam.layout("A");
});
