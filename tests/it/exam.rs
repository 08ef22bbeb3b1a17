//! The 机考 end to end: an exam over a sitting's opened copy, candidates answering through the
//! library and through the server, the results sealed to the bureau and read by `qbank analysis`
//! as the same statistics as the same answers typed into a CSV; and the server killed with
//! SIGKILL twenty times under 200 candidates without losing one acknowledged answer.

use crate::analysis::{A, B, json, opened};
use qbank::analysis::Thresholds;
use qbank::exam::{Event, Value};
use qbank::ops::exam::{self, InitOptions, live::Live, results::ExportTo};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};

pub(crate) fn roster(dir: &Path, n: usize) -> PathBuf {
    let mut s = String::from("准考证号,姓名,证件号后四位,座位号\n");
    for c in 0..n {
        s += &format!("32010{c:011},考生{c},{:04},{}\n", (c * 7919) % 10000, c + 1);
    }
    let p = dir.join("roster.csv");
    std::fs::write(&p, s).unwrap();
    p
}

pub(crate) fn ticket(c: usize) -> String {
    format!("32010{c:011}")
}

pub(crate) fn init(dir: &Path, copy: &Path, n: usize) -> PathBuf {
    let db = dir.join("exam/exam.db");
    exam::init(&InitOptions {
        copy: copy.to_path_buf(),
        roster: roster(dir, n),
        db: db.clone(),
        start: jiff::Timestamp::now() - jiff::SignedDuration::from_secs(5),
        minutes: None,
        shuffle_questions: true,
        shuffle_options: true,
        double_marking: false,
        threshold: 2.0,
    })
    .unwrap();
    db
}

/// One candidate's answer to a question: the value the server stores and the cell a person
/// would type into the response CSV (copy letters, √/×).
fn answer(
    rng: &mut ChaCha8Rng,
    ty: &str,
    options: usize,
    key: &str,
    right: bool,
) -> (Value, String) {
    let key_letters: Vec<usize> = key
        .bytes()
        .filter(u8::is_ascii_uppercase)
        .map(|b| (b - b'A') as usize)
        .collect();
    match ty {
        "判断" => {
            let truth = key == "√";
            let v = if right { truth } else { !truth };
            (Value::Judge(v), (if v { "√" } else { "×" }).to_string())
        }
        _ => {
            let chosen: Vec<usize> = if right {
                key_letters
            } else {
                let mut o = rng.random_range(0..options);
                if key_letters == [o] {
                    o = (o + 1) % options;
                }
                vec![o]
            };
            let cell = chosen.iter().map(|&o| (b'A' + o as u8) as char).collect();
            (Value::Choice(chosen), cell)
        }
    }
}

pub(crate) fn export(
    opened: &exam::Opened,
    copy: &Path,
    org_key: &Path,
    out: &Path,
) -> qbank::Result<exam::results::Exported> {
    let sheets = out.with_extension("sheets");
    exam::results::export(
        opened,
        &ExportTo {
            key: copy,
            org_key,
            bureau_key: None,
            out,
            scores: None,
            sheets: Some(&sheets),
        },
    )
}

#[test]
fn an_exams_sealed_results_give_analysis_the_same_statistics_as_the_same_answers_typed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (cfg, copy, _) = opened(dir);
    let db = init(dir, &copy, 60);
    let paper = json(&copy.join("paper.json"));
    let key = json(&copy.join("key.json"));
    let code = paper["copy"]["copy"].as_str().unwrap().to_string();
    let items: Vec<(u32, String, usize)> = paper["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["items"].as_array().unwrap())
        .map(|i| {
            (
                i["n"].as_u64().unwrap() as u32,
                i["type"].as_str().unwrap().to_string(),
                i["options"].as_array().map_or(0, Vec::len),
            )
        })
        .collect();
    let keys: Vec<String> = key["answers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["answer"].as_str().unwrap().to_string())
        .collect();

    let live = Live::start(exam::open(&db, &copy).unwrap());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut typed = String::from("candidate,copy");
    for (n, _, _) in &items {
        typed += &format!(",{n}");
    }
    typed += "\n";
    rt.block_on(async {
        for c in 0..55 {
            // candidates 55..60 are absent: they are not rows of either file
            live.login(&ticket(c), &format!("{:04}", (c * 7919) % 10000), "test")
                .await
                .unwrap();
            typed += &format!("{},{code}", ticket(c));
            let ability = c as f64 / 55.0;
            for (i, (n, ty, options)) in items.iter().enumerate() {
                typed += ",";
                if rng.random_bool(0.03) {
                    continue; // left blank
                }
                let right = rng.random_bool(0.25 + 0.65 * ability);
                let (v, cell) = answer(&mut rng, ty, *options, &keys[i], right);
                // a first thought, then the final answer: only the newest counts
                live.append(Event::Answer {
                    ticket: ticket(c),
                    q: *n,
                    rev: 1,
                    value: Value::Clear,
                })
                .await
                .unwrap();
                live.append(Event::Answer {
                    ticket: ticket(c),
                    q: *n,
                    rev: 2,
                    value: v,
                })
                .await
                .unwrap();
                typed += &cell;
            }
            typed += "\n";
            live.append(Event::Submit {
                ticket: ticket(c),
                forced: false,
            })
            .await
            .unwrap();
        }
    });
    drop(live);
    let typed_path = dir.join("typed.csv");
    std::fs::write(&typed_path, &typed).unwrap();
    let qres = dir.join("results.qres");
    let opened_exam = exam::open(&db, &copy).unwrap();
    let e = export(
        &opened_exam,
        &copy,
        &dir.join(format!("orgs/{A}.key")),
        &qres,
    )
    .unwrap();
    assert_eq!((e.candidates, e.absent), (55, 5));
    // the archive's sheets: one 成绩单 per candidate who sat, and the room's 汇总表
    let sheets = qres.with_extension("sheets");
    let summary = std::fs::read_to_string(sheets.join("summary.html")).unwrap();
    assert!(
        summary.contains("应考 60 人，实考 55 人，缺考 5 人"),
        "{summary}"
    );
    assert!(sheets.join(format!("score-{}.html", ticket(0))).is_file());
    assert!(
        !sheets.join(format!("score-{}.html", ticket(59))).exists(),
        "no sheet for the absent"
    );
    // sealed: none of the typed cells' rows (ticket,copy) is readable in the file
    let sealed = std::fs::read(&qres).unwrap();
    assert!(!sealed.windows(code.len()).any(|w| w == code.as_bytes()));

    let t = Thresholds::default();
    let from_exam = qbank::ops::analysis::run(&cfg, std::slice::from_ref(&qres), &[], &t).unwrap();
    let from_typed = qbank::ops::analysis::run(&cfg, &[typed_path], &[], &t).unwrap();
    assert_eq!(from_exam.candidates, 55);
    assert_eq!(
        serde_json::to_value(&from_exam.report).unwrap(),
        serde_json::to_value(&from_typed.report).unwrap(),
        "the exam's export and the typed CSV give different statistics"
    );
}

#[test]
fn results_sealed_by_another_organisation_or_altered_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (cfg, copy_a, _) = opened(dir);
    let db = init(dir, &copy_a, 3);
    let live = Live::start(exam::open(&db, &copy_a).unwrap());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        live.login(&ticket(0), "0000", "t").await.unwrap();
        live.append(Event::Submit {
            ticket: ticket(0),
            forced: false,
        })
        .await
        .unwrap();
    });
    drop(live);
    let opened_exam = exam::open(&db, &copy_a).unwrap();
    // B cannot seal A's exam
    let Err(err) = export(
        &opened_exam,
        &copy_a,
        &dir.join(format!("orgs/{B}.key")),
        &dir.join("b.qres"),
    ) else {
        panic!("accepted")
    };
    assert!(err.to_string().contains(A), "{err}");
    let qres = dir.join("a.qres");
    export(
        &opened_exam,
        &copy_a,
        &dir.join(format!("orgs/{A}.key")),
        &qres,
    )
    .unwrap();
    let mut bytes = std::fs::read(&qres).unwrap();
    let at = bytes.len() - 20;
    bytes[at] ^= 1;
    let bad = dir.join("altered.qres");
    std::fs::write(&bad, &bytes).unwrap();
    let Err(err) = qbank::ops::analysis::run(&cfg, &[bad], &[], &Thresholds::default()) else {
        panic!("accepted")
    };
    assert_eq!(err.exit_code(), 6, "{err}");
    // a results file is not a submission
    let Err(err) = qbank::ops::submission::import(&cfg, &qres, 0.8, false) else {
        panic!("accepted")
    };
    assert!(err.to_string().contains("QBANK-SUBMISSION/2"), "{err}");
}

#[test]
fn a_bad_roster_a_second_init_and_an_altered_log_are_refused_and_change_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (_, copy, _) = opened(dir);
    let q = |args: &[&std::ffi::OsStr]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_qbank"))
            .args(args)
            .output()
            .unwrap()
    };
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "准考证号,姓名,证件号后四位,座位号\n1001,甲,1234,1\n1001,乙,12a4,2\n",
    )
    .unwrap();
    let db = dir.join("exam/exam.db");
    let init = |roster: &Path| {
        q(&[
            "exam".as_ref(),
            "init".as_ref(),
            "--copy".as_ref(),
            copy.as_os_str(),
            "--roster".as_ref(),
            roster.as_os_str(),
            "--db".as_ref(),
            db.as_os_str(),
        ])
    };
    let out = init(&bad);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("bad.csv:3")
            && err.contains("准考证号 1001 已在第 2 行出现")
            && err.contains("证件号后四位"),
        "{err}"
    );
    assert!(!db.exists(), "nothing is written for a bad roster");
    let good = roster(dir, 2);
    assert_eq!(init(&good).status.code(), Some(0));
    let again = init(&good);
    assert_eq!(
        again.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    // a log altered behind the server's back is refused at open, naming the entry
    {
        let live = Live::start(exam::open(&db, &copy).unwrap());
        tokio::runtime::Runtime::new().unwrap().block_on(async {
            live.login(&ticket(0), "0000", "t").await.unwrap();
        });
    }
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("UPDATE log SET event = replace(event, '\"client\":\"t\"', '\"client\":\"x\"') WHERE seq = 2", []).unwrap();
    drop(conn);
    let Err(e) = exam::open(&db, &copy) else {
        panic!("an altered log opened")
    };
    assert_eq!(e.exit_code(), 6, "{e}");
    assert!(e.to_string().contains("第 2 条"), "{e}");
}

#[test]
fn an_excel_roster_is_refused_with_how_to_save_it() {
    let Err(e) = qbank::ops::parse::roster_file("名单.xlsx", b"PK\x03\x04rest") else {
        panic!("a workbook was read as a roster")
    };
    assert_eq!(e.exit_code(), 3);
    assert!(e.to_string().contains("另存为 CSV UTF-8"), "{e}");
}

#[test]
fn an_exam_made_by_a_newer_qbank_is_refused_with_its_format() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (_, copy, _) = opened(dir);
    let db = init(dir, &copy, 2);
    let mut records = exam::open(&db, &copy).unwrap().records;
    let qbank::exam::Event::Open(config) = &mut records[0].event else {
        panic!("first is Open")
    };
    config.format = qbank::exam::event::CONFIG_FORMAT + 1;
    let newer = qbank::exam::Record::new(
        &qbank::exam::event::GENESIS,
        1,
        records[0].at,
        records[0].event.clone(),
    );
    let path = dir.join("newer.db");
    let mut j = exam::Journal::open(&path, true).unwrap();
    j.append(&[newer]).unwrap();
    drop(j);
    let Err(e) = exam::open(&path, &copy) else {
        panic!("a newer exam opened")
    };
    assert_eq!(e.exit_code(), 3, "{e}");
    assert!(e.to_string().contains("更新版本"), "{e}");
}
