//! The 机考's rules over the sample 三级 paper (单选, 判断, 简答, 计算): time, answers of the
//! right kind and their revisions, 交卷, one session per candidate, examiners' marks, layouts.

use super::event::{CONFIG_FORMAT, GENESIS};
use super::*;
use crate::document::TheoryPaper;
use jiff::{SignedDuration, Timestamp};

fn paper() -> TheoryPaper {
    serde_json::from_str(include_str!("../../tests/data/render/theory3-paper.json")).unwrap()
}

fn t0() -> Timestamp {
    "2026-11-28T01:00:00Z".parse().unwrap()
}

fn at(mins: i64) -> Timestamp {
    t0() + SignedDuration::from_mins(mins)
}

fn exam(double: bool) -> Exam {
    let roster = ["A", "B"]
        .iter()
        .enumerate()
        .map(|(i, t)| Candidate {
            ticket: t.to_string(),
            name: format!("考生{t}"),
            id4: "1234".into(),
            seat: (i + 1).to_string(),
        })
        .collect();
    let config = ExamConfig {
        format: CONFIG_FORMAT,
        sitting: "S".into(),
        organisation: "O".into(),
        organisation_name: String::new(),
        occupation: "6-31-01-03".into(),
        occupation_name: "电工".into(),
        level: crate::model::Grade::Level(crate::model::Level::from_code(3).unwrap()),
        copy: "O-dg3-theory-F01".into(),
        paper_sha256: String::new(),
        start: t0(),
        minutes: 120,
        shuffle_questions: true,
        shuffle_options: true,
        salt: "00".repeat(32),
        proctor: String::new(),
        marking: String::new(),
        double_marking: double,
        threshold: 2.0,
        roster,
    };
    let open = Record::new(&GENESIS, 1, at(-30), Event::Open(Box::new(config)));
    Exam::new(&open, paper()).unwrap()
}

/// Checks and applies, as the server's writer does.
fn put(ex: &mut Exam, now: Timestamp, e: Event) -> Result<(), Refusal> {
    ex.check(&e, now)?;
    let r = ex.record(now, e);
    ex.apply(&r);
    Ok(())
}

fn ans(t: &str, q: u32, rev: u64, value: Value) -> Event {
    Event::Answer {
        ticket: t.into(),
        q,
        rev,
        value,
    }
}

#[test]
fn the_servers_clock_opens_and_closes_the_paper_and_an_extension_moves_the_end() {
    let mut ex = exam(false);
    assert_eq!(
        put(&mut ex, at(-1), ans("A", 1, 1, Value::Choice(vec![0]))),
        Err(Refusal::NotStarted)
    );
    assert_eq!(ex.phase("A", at(-1)), Phase::Waiting(60));
    put(
        &mut ex,
        at(0),
        Event::Login {
            ticket: "A".into(),
            session: "h".into(),
            client: "c".into(),
            takeover: false,
        },
    )
    .unwrap();
    put(&mut ex, at(1), ans("A", 1, 1, Value::Choice(vec![0]))).unwrap();
    assert_eq!(
        put(&mut ex, at(120), ans("A", 1, 2, Value::Choice(vec![1]))),
        Err(Refusal::Closed)
    );
    assert_eq!(
        ex.overdue(at(120)),
        vec!["A".to_string()],
        "B never logged in: 缺考, not submitted for"
    );
    put(
        &mut ex,
        at(119),
        Event::Extend {
            ticket: "A".into(),
            minutes: 10,
            reason: "停电".into(),
        },
    )
    .unwrap();
    assert_eq!(ex.phase("A", at(120)), Phase::Open(600));
    put(&mut ex, at(121), ans("A", 1, 2, Value::Choice(vec![1]))).unwrap();
    assert!(ex.overdue(at(121)).is_empty());
    assert_eq!(
        put(
            &mut ex,
            at(0),
            Event::Extend {
                ticket: "A".into(),
                minutes: 5,
                reason: " ".into()
            }
        ),
        Err(Refusal::BadExtension)
    );
}

#[test]
fn answers_must_fit_their_question_and_the_newest_revision_wins() {
    let mut ex = exam(false);
    let now = at(5);
    // 1 is 单选, 61 判断, 81 简答 in the sample paper
    for bad in [
        ans("A", 1, 1, Value::Choice(vec![0, 1])),
        ans("A", 1, 1, Value::Choice(vec![9])),
        ans("A", 1, 1, Value::Judge(true)),
        ans("A", 61, 1, Value::Choice(vec![0])),
        ans("A", 81, 1, Value::Text("字".repeat(state::MAX_TEXT + 1))),
        ans("A", 999, 1, Value::Clear),
        ans("Z", 1, 1, Value::Clear),
    ] {
        assert!(
            put(&mut ex, now, bad.clone()).is_err(),
            "{bad:?} was accepted"
        );
    }
    put(&mut ex, now, ans("A", 1, 2, Value::Choice(vec![3]))).unwrap();
    // an older change arriving late is logged but does not replace the newer one
    put(&mut ex, now, ans("A", 1, 1, Value::Choice(vec![0]))).unwrap();
    assert_eq!(ex.cands["A"].answers[&1], (2, Value::Choice(vec![3])));
    put(&mut ex, now, ans("A", 1, 3, Value::Clear)).unwrap();
    put(&mut ex, now, ans("A", 1, 2, Value::Choice(vec![0]))).unwrap();
    assert_eq!(ex.answered("A"), 0, "a cleared answer does not come back");
    put(
        &mut ex,
        now,
        ans("A", 81, 1, Value::Text("断开电源".into())),
    )
    .unwrap();
    put(
        &mut ex,
        now,
        Event::Submit {
            ticket: "A".into(),
            forced: false,
        },
    )
    .unwrap();
    assert_eq!(
        put(&mut ex, now, ans("A", 61, 1, Value::Judge(true))),
        Err(Refusal::Closed)
    );
    assert_eq!(
        put(
            &mut ex,
            now,
            Event::Submit {
                ticket: "A".into(),
                forced: true
            }
        ),
        Err(Refusal::Closed)
    );
}

#[test]
fn a_live_session_elsewhere_needs_the_proctors_unlock() {
    let mut ex = exam(false);
    let now = at(10);
    put(
        &mut ex,
        now,
        Event::Login {
            ticket: "A".into(),
            session: "h1".into(),
            client: "c".into(),
            takeover: false,
        },
    )
    .unwrap();
    let seen = Some(now - SignedDuration::from_secs(10));
    assert_eq!(
        ex.check_takeover("A", seen, now),
        Err(Refusal::ActiveElsewhere { seat: "1".into() })
    );
    // silent for longer than ACTIVE_SECS: the browser crashed, a new login takes over
    let long_ago = Some(now - SignedDuration::from_secs(state::ACTIVE_SECS));
    assert_eq!(ex.check_takeover("A", long_ago, now), Ok(()));
    put(
        &mut ex,
        now,
        Event::Unlock {
            ticket: "A".into(),
            reason: "换机".into(),
        },
    )
    .unwrap();
    assert_eq!(ex.check_takeover("A", seen, now), Ok(()));
    put(
        &mut ex,
        now,
        Event::Login {
            ticket: "A".into(),
            session: "h2".into(),
            client: "d".into(),
            takeover: true,
        },
    )
    .unwrap();
    assert_eq!(
        ex.cands["A"].session.as_deref(),
        Some("h2"),
        "one session: the old one ended"
    );
    assert_eq!(
        ex.check_takeover("A", seen, now),
        Err(Refusal::ActiveElsewhere { seat: "1".into() }),
        "an unlock is used once"
    );
    assert_eq!(ex.check_login("A", "9999"), Err(Refusal::WrongSecondFactor));
    assert_eq!(ex.check_login("Q", "1234"), Err(Refusal::NotOnRoster));
}

#[test]
fn double_marking_takes_two_examiners_and_a_third_beyond_the_threshold() {
    let mut ex = exam(true);
    let mark = |e: &str, s: f64| Event::Mark {
        ticket: "A".into(),
        q: 81,
        examiner: e.into(),
        score: s,
    };
    put(&mut ex, at(5), ans("A", 81, 1, Value::Text("答".into()))).unwrap();
    assert_eq!(
        put(&mut ex, at(6), mark("e1", 3.0)),
        Err(Refusal::NotSubmitted)
    );
    put(
        &mut ex,
        at(6),
        Event::Submit {
            ticket: "A".into(),
            forced: false,
        },
    )
    .unwrap();
    assert!(matches!(
        put(&mut ex, at(7), mark("e1", 3.3)),
        Err(Refusal::BadMark { .. })
    ));
    assert!(matches!(
        put(&mut ex, at(7), mark("e1", 99.0)),
        Err(Refusal::BadMark { .. })
    ));
    assert_eq!(
        put(
            &mut ex,
            at(7),
            Event::Mark {
                ticket: "A".into(),
                q: 1,
                examiner: "e1".into(),
                score: 1.0
            }
        ),
        Err(Refusal::NotSubjective(1))
    );
    put(&mut ex, at(7), mark("e1", 1.0)).unwrap();
    assert_eq!(
        put(&mut ex, at(7), mark("e1", 4.0)),
        Err(Refusal::MarkedEnough { q: 81 }),
        "the same examiner twice"
    );
    put(&mut ex, at(7), mark("e2", 4.5)).unwrap();
    // 1 and 4.5 differ by more than 2: a third examiner is needed
    put(&mut ex, at(8), mark("e3", 4.0)).unwrap();
    assert_eq!(
        put(&mut ex, at(8), mark("e4", 4.0)),
        Err(Refusal::MarkedEnough { q: 81 })
    );
    let key: crate::document::TheoryKey =
        serde_json::from_str(include_str!("../../tests/data/render/theory3-key.json")).unwrap();
    let r = &score::results(&ex, &key)[0];
    assert_eq!(
        r.points.iter().find(|(n, _)| *n == 81).unwrap().1,
        Some(4.0),
        "(4.5 + 4) / 2, down to half points"
    );
    assert_eq!(
        r.unmarked, 0,
        "the other subjective questions were left blank: nothing to mark"
    );
}

#[test]
fn layouts_are_per_candidate_permutations_that_keep_fixed_options() {
    let ex = exam(false);
    let (a, a2, b) = (ex.layout("A"), ex.layout("A"), ex.layout("B"));
    assert_eq!(a, a2, "the same at every login and after a restart");
    assert_ne!(a.sections, b.sections);
    for (sec, order) in ex.paper.sections.iter().zip(&a.sections) {
        let mut got = order.clone();
        got.sort_unstable();
        let want: Vec<u32> = sec.items.iter().map(|i| i.n).collect();
        assert_eq!(got, want, "a section's questions, each once");
        for it in &sec.items {
            let o = &a.options[&it.n];
            let mut sorted = o.clone();
            sorted.sort_unstable();
            assert_eq!(sorted, (0..it.options.len()).collect::<Vec<_>>());
            if it.fixed_order || it.item_type == crate::model::ItemType::Judge {
                assert_eq!(*o, sorted);
            }
        }
    }
}
